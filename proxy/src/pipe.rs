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

type ReplyTx = oneshot::Sender<Result<Bytes, Error>>;

struct Queued {
    raw: Bytes,
    reply: ReplyTx,
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

    /// Queue a request's bytes now; the future resolves to its reply's bytes. Requests queued
    /// one after another are answered in that order.
    pub fn queue(&self, raw: Bytes) -> impl Future<Output = Result<Bytes, Error>> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        let queued = if self.is_closed() {
            Err(self.state.failure(Delivery::NotSent))
        } else {
            self.requests
                .send(Queued { raw, reply })
                .map_err(|_| self.state.failure(Delivery::NotSent))
        };
        let state = self.state.clone();
        let timeout = self.timeout;
        async move {
            queued?;
            match tokio::time::timeout(timeout, rx).await {
                Ok(Ok(result)) => result,
                Ok(Err(_)) => Err(state.failure(Delivery::MaybeExecuted)),
                Err(_) => {
                    // The slot stays queued: its late reply is matched and dropped, so the
                    // replies after it stay in step.
                    Err(Error::Timeout {
                        phase: Phase::Response,
                        delivery: Delivery::MaybeExecuted,
                    })
                }
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
    let mut in_flight: VecDeque<ReplyTx> = VecDeque::new();
    let mut out = BytesMut::with_capacity(16 * 1024);
    let error = 'serve: loop {
        loop {
            match decoder.decode_raw(&mut buf) {
                Ok(Some(raw)) => {
                    if raw.first() == Some(&b'>') {
                        // A RESP3 push (shared connections never subscribe): not a reply.
                        continue;
                    }
                    match in_flight.pop_front() {
                        // The caller may have given up (timeout): nothing to do then.
                        Some(reply) => drop(reply.send(Ok(raw))),
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
                    out.extend_from_slice(&q.raw);
                    in_flight.push_back(q.reply);
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
    state.fail(error);
    for reply in in_flight.drain(..) {
        let _ = reply.send(Err(state.failure(Delivery::MaybeExecuted)));
    }
    requests.close();
    while let Ok(q) = requests.try_recv() {
        let _ = q.reply.send(Err(state.failure(Delivery::NotSent)));
    }
}
