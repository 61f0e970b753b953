//! Async Redis client: a shared, pipelined `Client`, and a raw `Connection` that reads the
//! stream frame by frame (replication, MONITOR, RESP2 pub/sub).
//!
//! A `Client` is a handle to one connection served by two tasks. Callers hand batches to the
//! writer task, which forwards each batch's reply slot to the reader task *before* writing its
//! bytes, so the reader always knows whose reply comes next; it coalesces batches queued
//! meanwhile into one write. The reader matches replies to slots in order and routes RESP3
//! push frames to a separate channel. When either side fails, both stop and every request not
//! yet answered fails at once with the cause.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpStream, ToSocketAddrs};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::codec::{Decoded, Frame, FrameDecoder, FrameError, Limits, encode_request};
use crate::reply::Protocol;

/// Read buffer growth step.
const READ_CHUNK: usize = 16 * 1024;
/// Queued batches are coalesced into one write up to about this many bytes.
const MAX_COALESCED_WRITE: usize = 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Bounds the TCP connect and the handshake (HELLO/AUTH, SETNAME, SELECT) together.
    pub connect_timeout: Duration,
    /// Bounds each request of a `Client`; `None` waits as long as the connection lives
    /// (blocking commands).
    pub response_timeout: Option<Duration>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// RESP3 is negotiated with `HELLO 3`; RESP2 sends no HELLO (works with any server).
    pub protocol: Protocol,
    pub client_name: Option<String>,
    pub db: u32,
    pub limits: Limits,
    /// Push frames buffered for the receiver taken with `Client::pushes`; when it is full the
    /// connection stops reading (back-pressure, as for any reply).
    pub push_buffer: usize,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            response_timeout: None,
            username: None,
            password: None,
            protocol: Protocol::Resp2,
            client_name: None,
            db: 0,
            limits: Limits::default(),
            push_buffer: 1024,
        }
    }
}

/// Whether a failed request may have reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Never written: sending it again cannot run it twice.
    NotSent,
    /// Written (or partly written): the server may have run it.
    MaybeExecuted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Connect,
    Response,
}

/// An error reply from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// The whole text, code first: `WRONGTYPE Operation against a key ...`.
    pub text: Bytes,
}

impl ServerError {
    /// The first word: `ERR`, `WRONGTYPE`, `MOVED`...
    pub fn code(&self) -> &[u8] {
        let end = self
            .text
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(self.text.len());
        &self.text[..end]
    }

    /// Errors Redis gives before running a command, for conditions that pass.
    pub fn is_transient(&self) -> bool {
        const TRANSIENT: &[&[u8]] = &[
            b"LOADING",
            b"BUSY",
            b"TRYAGAIN",
            b"MASTERDOWN",
            b"CLUSTERDOWN",
            b"MOVED",
            b"ASK",
            b"READONLY",
            b"NOREPLICAS",
            b"OOM",
        ];
        TRANSIENT.contains(&self.code())
    }
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    #[error("i/o error: {source}")]
    Io {
        source: Arc<std::io::Error>,
        delivery: Delivery,
    },
    #[error("protocol error: {source}")]
    Protocol {
        source: FrameError,
        delivery: Delivery,
    },
    #[error("unexpected reply: {what}")]
    UnexpectedReply { what: String, delivery: Delivery },
    #[error("server error: {0}")]
    Server(ServerError),
    #[error("timed out ({phase:?})")]
    Timeout { phase: Phase, delivery: Delivery },
    #[error("connection closed")]
    Closed { delivery: Delivery },
    /// A command this kind of connection cannot carry (never sent).
    #[error("unsupported on a shared client: {0}")]
    Unsupported(&'static str),
}

impl Error {
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Io { delivery, .. }
            | Error::Protocol { delivery, .. }
            | Error::UnexpectedReply { delivery, .. }
            | Error::Timeout { delivery, .. }
            | Error::Closed { delivery } => *delivery,
            Error::Server(_) => Delivery::MaybeExecuted,
            Error::Unsupported(_) => Delivery::NotSent,
        }
    }

    /// True when the request certainly had no effect and sending it again may succeed: it was
    /// never written, or the server refused it with a transient error (`LOADING`, `BUSY`,
    /// `TRYAGAIN`, `MOVED`, ...). A request that reached the server before the connection
    /// failed is not retry-safe unless the caller knows it is idempotent.
    pub fn is_retry_safe(&self) -> bool {
        match self {
            Error::Server(e) => e.is_transient(),
            Error::Unsupported(_) => false,
            other => other.delivery() == Delivery::NotSent,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }

    /// The same failure, as seen by a request in another delivery state.
    pub fn with_delivery(&self, new: Delivery) -> Error {
        let mut error = self.clone();
        match &mut error {
            Error::Io { delivery, .. }
            | Error::Protocol { delivery, .. }
            | Error::UnexpectedReply { delivery, .. }
            | Error::Timeout { delivery, .. }
            | Error::Closed { delivery } => *delivery = new,
            Error::Server(_) | Error::Unsupported(_) => {}
        }
        error
    }

    fn io(source: std::io::Error, delivery: Delivery) -> Error {
        Error::Io {
            source: Arc::new(source),
            delivery,
        }
    }
}

/// An error frame becomes `Err(Error::Server)`.
pub fn into_result(frame: Frame) -> Result<Frame, Error> {
    match frame.into_value() {
        Frame::Error(text) => Err(Error::Server(ServerError { text })),
        other => Ok(other),
    }
}

/// One connection used directly: write requests, read whatever frame comes next. No
/// request/reply matching, so it carries anything (replication streams, MONITOR, RESP2
/// pub/sub); it is not shared.
#[derive(Debug)]
pub struct Connection<S = TcpStream> {
    stream: S,
    read_buf: BytesMut,
    write_buf: BytesMut,
    decoder: FrameDecoder,
    protocol: Protocol,
}

impl Connection<TcpStream> {
    /// Connect over TCP and run the handshake the options ask for.
    pub async fn connect(
        addr: impl ToSocketAddrs,
        options: &ConnectOptions,
    ) -> Result<Self, Error> {
        let deadline = tokio::time::Instant::now() + options.connect_timeout;
        let stream = match tokio::time::timeout_at(deadline, TcpStream::connect(addr)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return Err(Error::io(e, Delivery::NotSent)),
            Err(_) => {
                return Err(Error::Timeout {
                    phase: Phase::Connect,
                    delivery: Delivery::NotSent,
                });
            }
        };
        // Requests are small and latency-bound; batching happens above.
        stream
            .set_nodelay(true)
            .map_err(|e| Error::io(e, Delivery::NotSent))?;
        Self::handshake_until(stream, options, deadline).await
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Connection<S> {
    /// Wrap a stream as is, no handshake.
    pub fn new(stream: S, limits: Limits, protocol: Protocol) -> Self {
        Self {
            stream,
            read_buf: BytesMut::with_capacity(READ_CHUNK),
            write_buf: BytesMut::new(),
            decoder: FrameDecoder::new(limits),
            protocol,
        }
    }

    /// Run the handshake on an established stream (TLS, Unix socket...).
    pub async fn handshake(stream: S, options: &ConnectOptions) -> Result<Self, Error> {
        let deadline = tokio::time::Instant::now() + options.connect_timeout;
        Self::handshake_until(stream, options, deadline).await
    }

    async fn handshake_until(
        stream: S,
        options: &ConnectOptions,
        deadline: tokio::time::Instant,
    ) -> Result<Self, Error> {
        let mut conn = Self::new(stream, options.limits, options.protocol);
        let steps = handshake_requests(options);
        if steps.is_empty() {
            return Ok(conn);
        }
        let exchange = async {
            for (args, _) in &steps {
                conn.queue_request(args);
            }
            conn.flush().await?;
            for (_, expect) in &steps {
                let reply = loop {
                    let decoded = conn.read_frame().await?;
                    // A server may push (e.g. tracking) before answering; not a reply.
                    if !matches!(decoded.frame.value(), Frame::Push(_)) {
                        break decoded;
                    }
                };
                let frame = into_result(reply.frame)?;
                let fits = match expect {
                    HandshakeReply::Ok => frame == Frame::Simple(Bytes::from_static(b"OK")),
                    HandshakeReply::Map => matches!(frame, Frame::Map(_)),
                };
                if !fits {
                    return Err(Error::UnexpectedReply {
                        what: format!("handshake got a {}", frame.kind_name()),
                        delivery: Delivery::MaybeExecuted,
                    });
                }
            }
            Ok(())
        };
        match tokio::time::timeout_at(deadline, exchange).await {
            Ok(Ok(())) => Ok(conn),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(Error::Timeout {
                phase: Phase::Connect,
                delivery: Delivery::MaybeExecuted,
            }),
        }
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Buffer a request; `flush` writes it.
    pub fn queue_request<A: AsRef<[u8]>>(&mut self, args: &[A]) {
        encode_request(args, &mut self.write_buf);
    }

    /// Buffer bytes as they are.
    pub fn queue_raw(&mut self, bytes: &[u8]) {
        self.write_buf.extend_from_slice(bytes);
    }

    pub async fn flush(&mut self) -> Result<(), Error> {
        if !self.write_buf.is_empty() {
            let result = self.stream.write_all(&self.write_buf).await;
            self.write_buf.clear();
            result.map_err(|e| Error::io(e, Delivery::MaybeExecuted))?;
        }
        self.stream
            .flush()
            .await
            .map_err(|e| Error::io(e, Delivery::MaybeExecuted))
    }

    /// Write one request and read the next frame (which, in RESP3, may be a push).
    pub async fn request<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Decoded, Error> {
        self.queue_request(args);
        self.flush().await?;
        self.read_frame().await
    }

    /// The next frame with its raw bytes. `Err(Closed)` at end of stream.
    pub async fn read_frame(&mut self) -> Result<Decoded, Error> {
        loop {
            match self.decoder.decode(&mut self.read_buf) {
                Ok(Some(decoded)) => return Ok(decoded),
                Ok(None) => {}
                Err(source) => {
                    return Err(Error::Protocol {
                        source,
                        delivery: Delivery::MaybeExecuted,
                    });
                }
            }
            self.fill().await?;
        }
    }

    /// Exactly `n` bytes that are not a RESP frame (a replication RDB payload).
    pub async fn read_bytes(&mut self, n: usize) -> Result<Bytes, Error> {
        if self.decoder.in_progress() {
            return Err(Error::UnexpectedReply {
                what: "raw read in the middle of a frame".into(),
                delivery: Delivery::MaybeExecuted,
            });
        }
        while self.read_buf.len() < n {
            self.read_buf
                .reserve((n - self.read_buf.len()).min(64 * 1024 * 1024));
            self.fill().await?;
        }
        Ok(self.read_buf.split_to(n).freeze())
    }

    /// The next line, up to LF, without its line ending (a replication `$<len>` header, or the
    /// empty keepalive lines a master sends while it prepares the RDB).
    pub async fn read_line(&mut self) -> Result<Bytes, Error> {
        if self.decoder.in_progress() {
            return Err(Error::UnexpectedReply {
                what: "line read in the middle of a frame".into(),
                delivery: Delivery::MaybeExecuted,
            });
        }
        let mut scanned = 0;
        loop {
            if let Some(at) = memchr::memchr(b'\n', &self.read_buf[scanned..]) {
                let mut line = self.read_buf.split_to(scanned + at + 1).freeze();
                line.truncate(line.len() - 1);
                if line.last() == Some(&b'\r') {
                    line.truncate(line.len() - 1);
                }
                return Ok(line);
            }
            scanned = self.read_buf.len();
            if scanned > crate::codec::MAX_HEADER_LINE {
                return Err(Error::Protocol {
                    source: FrameError::LineTooLong {
                        max: crate::codec::MAX_HEADER_LINE as u64,
                    },
                    delivery: Delivery::MaybeExecuted,
                });
            }
            self.fill().await?;
        }
    }

    /// Bytes read from the stream and not consumed yet.
    pub fn buffered(&self) -> &[u8] {
        &self.read_buf
    }

    /// The stream and the bytes read but not consumed.
    pub fn into_parts(self) -> (S, BytesMut) {
        (self.stream, self.read_buf)
    }

    async fn fill(&mut self) -> Result<(), Error> {
        self.read_buf.reserve(READ_CHUNK);
        match self.stream.read_buf(&mut self.read_buf).await {
            Ok(0) => Err(Error::Closed {
                delivery: Delivery::MaybeExecuted,
            }),
            Ok(_) => Ok(()),
            Err(e) => Err(Error::io(e, Delivery::MaybeExecuted)),
        }
    }
}

enum HandshakeReply {
    Ok,
    Map,
}

fn handshake_requests(options: &ConnectOptions) -> Vec<(Vec<Bytes>, HandshakeReply)> {
    let mut steps = Vec::new();
    let arg = |s: &str| Bytes::copy_from_slice(s.as_bytes());
    match options.protocol {
        Protocol::Resp3 => {
            let mut hello = vec![arg("HELLO"), arg("3")];
            if let Some(password) = &options.password {
                hello.push(arg("AUTH"));
                hello.push(arg(options.username.as_deref().unwrap_or("default")));
                hello.push(arg(password));
            }
            if let Some(name) = &options.client_name {
                hello.push(arg("SETNAME"));
                hello.push(arg(name));
            }
            steps.push((hello, HandshakeReply::Map));
        }
        Protocol::Resp2 => {
            if let Some(password) = &options.password {
                let mut auth = vec![arg("AUTH")];
                if let Some(user) = &options.username {
                    auth.push(arg(user));
                }
                auth.push(arg(password));
                steps.push((auth, HandshakeReply::Ok));
            }
            if let Some(name) = &options.client_name {
                steps.push((
                    vec![arg("CLIENT"), arg("SETNAME"), arg(name)],
                    HandshakeReply::Ok,
                ));
            }
        }
    }
    if options.db != 0 {
        steps.push((
            vec![arg("SELECT"), arg(&options.db.to_string())],
            HandshakeReply::Ok,
        ));
    }
    steps
}

/// What answers one request.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Reply,
    /// RESP3 (un)subscribe commands are answered by push confirmations of their own kind, one
    /// per channel (a bare UNSUBSCRIBE: counted as one).
    Confirmations {
        kind: &'static [u8],
        remaining: usize,
    },
}

type ReplyTx = oneshot::Sender<Result<Vec<Decoded>, Error>>;

struct Batch {
    payload: BytesMut,
    expects: Vec<Expect>,
    reply: ReplyTx,
}

/// A batch written (or about to be) and waiting for its replies.
struct Pending {
    expects: Vec<Expect>,
    replies: Vec<Decoded>,
    reply: ReplyTx,
}

impl Pending {
    fn is_complete(&self) -> bool {
        self.replies.len() == self.expects.len()
    }
}

struct Shared {
    protocol: Protocol,
    response_timeout: Option<Duration>,
    stop: CancellationToken,
    /// Why the connection stopped, once it has.
    failure: Mutex<Option<Error>>,
    pushes: Mutex<Option<mpsc::Receiver<Decoded>>>,
    pushes_taken: AtomicBool,
}

impl Shared {
    /// Record the first cause and stop both tasks.
    fn fail(&self, error: Error) {
        if let Ok(mut failure) = self.failure.lock() {
            failure.get_or_insert(error);
        }
        self.stop.cancel();
    }

    fn failure(&self, delivery: Delivery) -> Error {
        self.failure
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .unwrap_or(Error::Closed {
                delivery: Delivery::NotSent,
            })
            .with_delivery(delivery)
    }
}

/// A shared, pipelined connection. Clones share it; requests from concurrent callers are
/// pipelined in the order they are submitted. The connection closes when the last clone is
/// dropped.
#[derive(Clone)]
pub struct Client {
    requests: mpsc::UnboundedSender<Batch>,
    shared: Arc<Shared>,
    /// Dropped with the last clone: the writer then stops the tasks.
    _alive: Arc<AliveGuard>,
}

struct AliveGuard(CancellationToken);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("protocol", &self.shared.protocol)
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Client {
    /// Connect over TCP, handshake, and start serving the connection.
    pub async fn connect(addr: impl ToSocketAddrs, options: ConnectOptions) -> Result<Self, Error> {
        let conn = Connection::connect(addr, &options).await?;
        Ok(Self::start(conn, &options))
    }

    /// Handshake on an established stream and start serving it.
    pub async fn connect_stream<S>(stream: S, options: ConnectOptions) -> Result<Self, Error>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let conn = Connection::handshake(stream, &options).await?;
        Ok(Self::start(conn, &options))
    }

    /// Serve a connection whose handshake is done. Needs a Tokio runtime.
    pub fn start<S>(conn: Connection<S>, options: &ConnectOptions) -> Self
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let protocol = conn.protocol;
        let decoder = conn.decoder;
        let read_buf = conn.read_buf;
        let (read_half, write_half) = tokio::io::split(conn.stream);
        let (requests_tx, requests_rx) = mpsc::unbounded_channel();
        let (pending_tx, pending_rx) = mpsc::unbounded_channel();
        let (push_tx, push_rx) = mpsc::channel(options.push_buffer.max(1));
        let stop = CancellationToken::new();
        let shared = Arc::new(Shared {
            protocol,
            response_timeout: options.response_timeout,
            stop: stop.clone(),
            failure: Mutex::new(None),
            pushes: Mutex::new(Some(push_rx)),
            pushes_taken: AtomicBool::new(false),
        });
        tokio::spawn(write_loop(
            write_half,
            requests_rx,
            pending_tx,
            shared.clone(),
        ));
        tokio::spawn(read_loop(
            ReadSide {
                stream: read_half,
                buf: read_buf,
                decoder,
            },
            pending_rx,
            push_tx,
            shared.clone(),
        ));
        Self {
            requests: requests_tx,
            shared,
            _alive: Arc::new(AliveGuard(stop)),
        }
    }

    pub fn protocol(&self) -> Protocol {
        self.shared.protocol
    }

    pub fn is_closed(&self) -> bool {
        self.shared.stop.is_cancelled()
    }

    /// Why the connection stopped, if it has.
    pub fn failure(&self) -> Option<Error> {
        self.shared.failure.lock().ok().and_then(|f| f.clone())
    }

    /// The RESP3 push frames (pub/sub messages and subscription confirmations, invalidations),
    /// in arrival order. Only the first call gets the receiver; pushes arriving before it is
    /// taken are dropped.
    pub fn pushes(&self) -> Option<mpsc::Receiver<Decoded>> {
        let receiver = self.shared.pushes.lock().ok()?.take();
        if receiver.is_some() {
            self.shared.pushes_taken.store(true, Ordering::Release);
        }
        receiver
    }

    /// Send one request. An error reply becomes `Err(Error::Server)`.
    pub async fn send<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Frame, Error> {
        into_result(self.send_raw(args).await?.frame)
    }

    /// Send one request; the reply as it came, error replies included.
    pub async fn send_raw<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Decoded, Error> {
        let mut replies = self.submit(std::slice::from_ref(&args)).await?;
        replies.pop().ok_or(Error::Closed {
            delivery: Delivery::MaybeExecuted,
        })
    }

    /// Send requests in one write; their replies in order (error replies stay frames).
    pub async fn pipeline<R, A>(&self, requests: &[R]) -> Result<Vec<Frame>, Error>
    where
        R: AsRef<[A]>,
        A: AsRef<[u8]>,
    {
        let replies = self.submit(requests).await?;
        Ok(replies.into_iter().map(|d| d.frame).collect())
    }

    /// Like `pipeline`, with each reply's raw bytes.
    pub async fn pipeline_raw<R, A>(&self, requests: &[R]) -> Result<Vec<Decoded>, Error>
    where
        R: AsRef<[A]>,
        A: AsRef<[u8]>,
    {
        self.submit(requests).await
    }

    async fn submit<R, A>(&self, requests: &[R]) -> Result<Vec<Decoded>, Error>
    where
        R: AsRef<[A]>,
        A: AsRef<[u8]>,
    {
        if requests.is_empty() {
            return Ok(Vec::new());
        }
        let mut payload = BytesMut::new();
        let mut expects = Vec::with_capacity(requests.len());
        for request in requests {
            let args = request.as_ref();
            expects.push(self.expect_for(args)?);
            encode_request(args, &mut payload);
        }
        if self.shared.stop.is_cancelled() {
            return Err(self.shared.failure(Delivery::NotSent));
        }
        let (reply_tx, reply_rx) = oneshot::channel();
        let batch = Batch {
            payload,
            expects,
            reply: reply_tx,
        };
        if self.requests.send(batch).is_err() {
            return Err(self.shared.failure(Delivery::NotSent));
        }
        let outcome = match self.shared.response_timeout {
            None => reply_rx.await,
            Some(limit) => match tokio::time::timeout(limit, reply_rx).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    // The slot stays queued, so a late reply is matched and dropped: the
                    // replies after it stay in step.
                    return Err(Error::Timeout {
                        phase: Phase::Response,
                        delivery: Delivery::MaybeExecuted,
                    });
                }
            },
        };
        match outcome {
            Ok(result) => result,
            Err(_) => Err(self.shared.failure(Delivery::MaybeExecuted)),
        }
    }

    fn expect_for<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Expect, Error> {
        let Some(name) = args.first().map(|a| a.as_ref()) else {
            return Err(Error::Unsupported("empty request"));
        };
        let is = |word: &str| name.eq_ignore_ascii_case(word.as_bytes());
        if is("MONITOR") || is("SYNC") || is("PSYNC") {
            return Err(Error::Unsupported(
                "streaming commands need a Connection (MONITOR, SYNC, PSYNC)",
            ));
        }
        const CONFIRMED: &[&str] = &[
            "subscribe",
            "psubscribe",
            "ssubscribe",
            "unsubscribe",
            "punsubscribe",
            "sunsubscribe",
        ];
        let Some(kind) = CONFIRMED.iter().find(|kind| is(kind)) else {
            return Ok(Expect::Reply);
        };
        if self.shared.protocol == Protocol::Resp2 {
            // RESP2 messages look like replies: they cannot share a request/reply stream.
            return Err(Error::Unsupported(
                "pub/sub needs RESP3 on a shared client, or a Connection",
            ));
        }
        Ok(Expect::Confirmations {
            kind: kind.as_bytes(),
            remaining: (args.len() - 1).max(1),
        })
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut stream: W,
    mut requests: mpsc::UnboundedReceiver<Batch>,
    pending: mpsc::UnboundedSender<Pending>,
    shared: Arc<Shared>,
) {
    let stop = shared.stop.clone();
    let mut out = BytesMut::new();
    loop {
        let first = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            batch = requests.recv() => match batch {
                Some(batch) => batch,
                None => break,
            },
        };
        let mut next = Some(first);
        while let Some(batch) = next.take() {
            out.extend_from_slice(&batch.payload);
            let slot = Pending {
                expects: batch.expects,
                replies: Vec::new(),
                reply: batch.reply,
            };
            if let Err(mpsc::error::SendError(slot)) = pending.send(slot) {
                let _ = slot.reply.send(Err(shared.failure(Delivery::NotSent)));
                stop.cancel();
                break;
            }
            if out.len() < MAX_COALESCED_WRITE {
                next = requests.try_recv().ok();
            }
        }
        let written = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            result = async {
                stream.write_all(&out).await?;
                stream.flush().await
            } => result,
        };
        out.clear();
        if let Err(e) = written {
            shared.fail(Error::io(e, Delivery::MaybeExecuted));
            break;
        }
    }
    stop.cancel();
    // The reader fails what is in flight once this is gone.
    drop(pending);
    requests.close();
    while let Ok(batch) = requests.try_recv() {
        let _ = batch.reply.send(Err(shared.failure(Delivery::NotSent)));
    }
    // Bounded: a stream like TLS may want to write on shutdown to a peer that does not read.
    let _ = tokio::time::timeout(Duration::from_secs(1), stream.shutdown()).await;
}

struct ReadSide<R> {
    stream: R,
    buf: BytesMut,
    decoder: FrameDecoder,
}

async fn read_loop<R: AsyncRead + Unpin>(
    mut side: ReadSide<R>,
    mut pending_rx: mpsc::UnboundedReceiver<Pending>,
    push_tx: mpsc::Sender<Decoded>,
    shared: Arc<Shared>,
) {
    let stop = shared.stop.clone();
    let mut in_flight: VecDeque<Pending> = VecDeque::new();
    'serve: loop {
        loop {
            let decoded = match side.decoder.decode(&mut side.buf) {
                Ok(Some(decoded)) => decoded,
                Ok(None) => break,
                Err(source) => {
                    shared.fail(Error::Protocol {
                        source,
                        delivery: Delivery::MaybeExecuted,
                    });
                    break 'serve;
                }
            };
            while let Ok(slot) = pending_rx.try_recv() {
                in_flight.push_back(slot);
            }
            if let Err(error) = dispatch(decoded, &mut in_flight, &push_tx, &shared).await {
                shared.fail(error);
                break 'serve;
            }
        }
        side.buf.reserve(READ_CHUNK);
        let read = tokio::select! {
            biased;
            _ = stop.cancelled() => break,
            read = side.stream.read_buf(&mut side.buf) => read,
        };
        match read {
            Ok(0) => {
                shared.fail(Error::Closed {
                    delivery: Delivery::MaybeExecuted,
                });
                break;
            }
            Ok(_) => {}
            Err(e) => {
                shared.fail(Error::io(e, Delivery::MaybeExecuted));
                break;
            }
        }
    }
    stop.cancel();
    let failure = shared.failure(Delivery::MaybeExecuted);
    for slot in in_flight.drain(..) {
        let _ = slot.reply.send(Err(failure.clone()));
    }
    // The writer drops its sender as soon as it sees the stop, which ends this loop.
    while let Some(slot) = pending_rx.recv().await {
        let _ = slot.reply.send(Err(failure.clone()));
    }
}

/// Hand a frame to the request it answers, or to the push channel.
async fn dispatch(
    decoded: Decoded,
    in_flight: &mut VecDeque<Pending>,
    push_tx: &mpsc::Sender<Decoded>,
    shared: &Shared,
) -> Result<(), Error> {
    if let Frame::Push(items) = decoded.frame.value() {
        let push_kind = items.first().and_then(Frame::as_bytes);
        if let Some(slot) = in_flight.front_mut()
            && let Some(Expect::Confirmations { kind, remaining }) =
                slot.expects.get_mut(slot.replies.len())
            && push_kind.is_some_and(|k| k.eq_ignore_ascii_case(kind))
        {
            *remaining -= 1;
            if *remaining == 0 {
                slot.replies.push(decoded.clone());
                complete_front(in_flight);
            }
        }
        if shared.pushes_taken.load(Ordering::Acquire) {
            // A dropped receiver only means nobody listens any more.
            tokio::select! {
                _ = push_tx.send(decoded) => {}
                _ = shared.stop.cancelled() => {}
            }
        }
        return Ok(());
    }
    let Some(slot) = in_flight.front_mut() else {
        return Err(Error::UnexpectedReply {
            what: format!("a {} nobody asked for", decoded.frame.kind_name()),
            delivery: Delivery::MaybeExecuted,
        });
    };
    slot.replies.push(decoded);
    complete_front(in_flight);
    Ok(())
}

fn complete_front(in_flight: &mut VecDeque<Pending>) {
    if in_flight.front().is_some_and(Pending::is_complete)
        && let Some(slot) = in_flight.pop_front()
    {
        // The caller may have given up (timeout, cancellation): nothing to do then.
        let _ = slot.reply.send(Ok(slot.replies));
    }
}
