//! A shared pipelined backend connection that moves bytes, not values: requests are written as
//! they arrived from clients, and replies are only framed (never decoded into values) and
//! handed back as the bytes the backend sent. One task serves both directions.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use wire::client::{Delivery, Error, Phase};
use wire::{Connection, FrameDecoder, Limits};

/// What a batch of requests got back: the replies that came, in order, and, when fewer came
/// than were asked for, why the rest did not.
pub struct BatchReply {
    pub replies: Vec<Bytes>,
    pub error: Option<Error>,
    /// Of the requests without a reply, how many at the end surely never ran: when the
    /// connection was reset, the last request written on it had not been read whole (a server
    /// closing with unread input resets the connection; input that arrives after its close is
    /// answered with a reset too).
    pub unsent_tail: usize,
}

impl BatchReply {
    /// For a batch of `count`: the requests from this index on (all without a reply) surely
    /// did not run; those before it without a reply may have.
    pub fn unsent_from(&self, count: usize) -> usize {
        match &self.error {
            Some(e) if e.delivery() == Delivery::NotSent => self.replies.len(),
            _ => {
                count
                    - self
                        .unsent_tail
                        .min(count.saturating_sub(self.replies.len()))
            }
        }
    }
}

type ReplyTx = oneshot::Sender<BatchReply>;

struct Queued {
    /// The requests' bytes, written in this order and as one run.
    raw: Vec<Bytes>,
    count: usize,
    reply: ReplyTx,
}

/// A batch sent and not fully answered yet.
struct InFlight {
    reply: ReplyTx,
    want: usize,
    got: Vec<Bytes>,
}

struct State {
    stop: CancellationToken,
    failure: Mutex<Option<Error>>,
}

impl State {
    fn fail(&self, error: Error) {
        self.failure.lock().get_or_insert(error);
        self.stop.cancel();
    }

    fn failure(&self, delivery: Delivery) -> Error {
        let error = self
            .failure
            .lock()
            .clone()
            .unwrap_or(Error::Closed { delivery });
        match error {
            Error::Io { source, .. } => Error::Io { source, delivery },
            Error::Closed { .. } => Error::Closed { delivery },
            other => other,
        }
    }
}

pub struct Pipe {
    requests: mpsc::UnboundedSender<Queued>,
    state: Arc<State>,
    timeout: Duration,
}

impl Drop for Pipe {
    fn drop(&mut self) {
        self.state.stop.cancel();
    }
}

impl Pipe {
    /// Serve a connection whose handshake is done; each reply is bounded by `timeout`.
    /// `on_close` runs once the connection is gone.
    pub fn start(
        conn: Connection<TcpStream>,
        timeout: Duration,
        on_close: impl FnOnce() + Send + 'static,
    ) -> Pipe {
        let (stream, buffered) = conn.into_parts();
        let (tx, rx) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            stop: CancellationToken::new(),
            failure: Mutex::new(None),
        });
        let served = serve(stream, buffered, rx, state.clone());
        tokio::spawn(async move {
            served.await;
            on_close();
        });
        Pipe {
            requests: tx,
            state,
            timeout,
        }
    }

    pub fn is_closed(&self) -> bool {
        self.state.stop.is_cancelled()
    }

    /// Queue `count` requests (their bytes, in order) now, to be written as one run; the future
    /// resolves to their replies. Batches queued one after another are answered in that order.
    /// The whole batch shares one reply timeout.
    pub fn queue(
        &self,
        raw: Vec<Bytes>,
        count: usize,
    ) -> impl Future<Output = BatchReply> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        let queued = if self.is_closed() {
            Err(self.state.failure(Delivery::NotSent))
        } else {
            self.requests
                .send(Queued { raw, count, reply })
                .map_err(|_| self.state.failure(Delivery::NotSent))
        };
        let state = self.state.clone();
        let timeout = self.timeout;
        async move {
            let failed = |error| BatchReply {
                replies: Vec::new(),
                error: Some(error),
                unsent_tail: 0,
            };
            if let Err(e) = queued {
                return failed(e);
            }
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => failed(state.failure(Delivery::MaybeExecuted)),
                // The batch stays queued: its late replies are matched and dropped, so the
                // replies after it stay in step.
                Err(_) => failed(Error::Timeout {
                    phase: Phase::Response,
                    delivery: Delivery::MaybeExecuted,
                }),
            }
        }
    }
}

async fn serve(
    stream: TcpStream,
    mut buf: BytesMut,
    mut requests: mpsc::UnboundedReceiver<Queued>,
    state: Arc<State>,
) {
    let (mut reader, mut writer) = stream.into_split();
    let mut decoder = FrameDecoder::new(Limits::default());
    let mut in_flight: VecDeque<InFlight> = VecDeque::new();
    let mut out = BytesMut::with_capacity(16 * 1024);
    let error = 'serve: loop {
        loop {
            match decoder.decode_raw(&mut buf) {
                Ok(Some(raw)) => {
                    if raw.first() == Some(&b'>') {
                        // A RESP3 push (shared connections never subscribe): not a reply.
                        continue;
                    }
                    match in_flight.front_mut() {
                        Some(batch) => {
                            batch.got.push(raw);
                            if batch.got.len() == batch.want
                                && let Some(done) = in_flight.pop_front()
                            {
                                // The caller may have given up (timeout): nothing to do then.
                                let _ = done.reply.send(BatchReply {
                                    replies: done.got,
                                    error: None,
                                    unsent_tail: 0,
                                });
                            }
                        }
                        None => {
                            break 'serve Error::UnexpectedReply {
                                what: "a reply nobody asked for".into(),
                                delivery: Delivery::MaybeExecuted,
                            };
                        }
                    }
                }
                Ok(None) => break,
                Err(source) => {
                    break 'serve Error::Protocol {
                        source,
                        delivery: Delivery::MaybeExecuted,
                    };
                }
            }
        }
        buf.reserve(16 * 1024);
        tokio::select! {
            biased;
            _ = state.stop.cancelled() => break Error::Closed { delivery: Delivery::MaybeExecuted },
            read = reader.read_buf(&mut buf) => match read {
                Ok(0) => break Error::Closed { delivery: Delivery::MaybeExecuted },
                Ok(_) => {}
                Err(e) => break Error::Io { source: Arc::new(e), delivery: Delivery::MaybeExecuted },
            },
            queued = requests.recv() => {
                let Some(first) = queued else {
                    break Error::Closed { delivery: Delivery::NotSent };
                };
                let mut next = Some(first);
                while let Some(q) = next.take() {
                    for raw in &q.raw {
                        out.extend_from_slice(raw);
                    }
                    in_flight.push_back(InFlight {
                        reply: q.reply,
                        want: q.count,
                        got: Vec::with_capacity(q.count),
                    });
                    if out.len() < 1024 * 1024 {
                        next = requests.try_recv().ok();
                    }
                }
                let written = writer.write_all(&out).await;
                out.clear();
                if let Err(e) = written {
                    break Error::Io { source: Arc::new(e), delivery: Delivery::MaybeExecuted };
                }
            }
        }
    };
    let reset = matches!(&error, Error::Io { source, .. }
        if matches!(source.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe));
    state.fail(error);
    // Replies that came are handed over; the rest of the batch gets the failure.
    let last = in_flight.len();
    for (i, batch) in in_flight.drain(..).enumerate() {
        let unsent_tail = usize::from(reset && i + 1 == last && batch.got.len() < batch.want);
        let _ = batch.reply.send(BatchReply {
            replies: batch.got,
            error: Some(state.failure(Delivery::MaybeExecuted)),
            unsent_tail,
        });
    }
    requests.close();
    while let Ok(q) = requests.try_recv() {
        let _ = q.reply.send(BatchReply {
            replies: Vec::new(),
            error: Some(state.failure(Delivery::NotSent)),
            unsent_tail: 0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    /// A backend that answers the first `answers` requests of what it reads, then closes.
    async fn backend(answers: usize) -> std::net::SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            let mut chunk = [0u8; 1024];
            // Three PINGs, 14 bytes each.
            while seen.len() < 3 * 14 {
                let n = socket.read(&mut chunk).await.unwrap();
                assert!(n > 0);
                seen.extend_from_slice(&chunk[..n]);
            }
            for _ in 0..answers {
                socket.write_all(b"+PONG\r\n").await.unwrap();
            }
        });
        addr
    }

    async fn pipe_to(addr: std::net::SocketAddr) -> Pipe {
        let stream = TcpStream::connect(addr).await.unwrap();
        let conn = Connection::new(stream, Limits::default(), wire::Protocol::Resp2);
        Pipe::start(conn, Duration::from_secs(5), || {})
    }

    fn pings(n: usize) -> Vec<Bytes> {
        (0..n)
            .map(|_| Bytes::from_static(b"*1\r\n$4\r\nPING\r\n"))
            .collect()
    }

    #[tokio::test]
    async fn a_batch_gets_every_reply_in_order() {
        let pipe = pipe_to(backend(3).await).await;
        let first = pipe.queue(pings(2), 2);
        let second = pipe.queue(pings(1), 1);
        let (first, second) = (first.await, second.await);
        assert_eq!(first.replies.len(), 2);
        assert!(first.error.is_none());
        assert_eq!(second.replies, vec![Bytes::from_static(b"+PONG\r\n")]);
    }

    #[tokio::test]
    async fn a_batch_cut_short_keeps_the_replies_that_came() {
        let pipe = pipe_to(backend(2).await).await;
        let reply = pipe.queue(pings(3), 3).await;
        assert_eq!(
            reply.replies.len(),
            2,
            "the two replies sent before the close"
        );
        let error = reply.error.expect("the third has an error");
        assert_eq!(error.delivery(), Delivery::MaybeExecuted);
        // Once closed, nothing more is sent.
        let after = pipe.queue(pings(1), 1).await;
        assert!(after.replies.is_empty());
        assert_eq!(after.error.unwrap().delivery(), Delivery::NotSent);
    }

    #[tokio::test]
    async fn a_reset_marks_the_last_request_written_as_never_run() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            // Read the first PING only, answer it, and close with the second unread: the
            // kernel resets the connection.
            let mut first = [0u8; 14];
            socket.read_exact(&mut first).await.unwrap();
            socket.write_all(b"+PONG\r\n").await.unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
        });
        let pipe = pipe_to(addr).await;
        let reply = pipe.queue(pings(2), 2).await;
        let error = reply.error.expect("the second has no reply");
        assert!(
            matches!(&error, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::ConnectionReset),
            "{error:?}"
        );
        assert_eq!(reply.unsent_tail, 1);
        assert!(reply.replies.len() <= 1);
    }
}
