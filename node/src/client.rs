//! Clients: the per-connection state a handler mutates, and the shared handle other
//! connections see (CLIENT LIST, CLIENT KILL, pub/sub delivery, WATCH invalidation).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wire::Protocol;
use wire::request::Request;

use crate::types::SmallBytes;

/// What other connections may see or do to a client.
#[derive(Debug)]
pub struct ClientHandle {
    pub id: u64,
    pub addr: SocketAddr,
    pub laddr: SocketAddr,
    pub created: Instant,
    pub name: Mutex<Option<Bytes>>,
    pub lib_name: Mutex<Option<Bytes>>,
    pub lib_ver: Mutex<Option<Bytes>>,
    pub db: AtomicUsize,
    /// Unix ms of the last command.
    pub last_interaction_ms: AtomicU64,
    /// Name of the last command run (`client|list` ...), for CLIENT LIST's `cmd=`.
    pub last_cmd: Mutex<&'static str>,
    pub resp: AtomicUsize,
    pub subscriptions: AtomicUsize,
    pub psubscriptions: AtomicUsize,
    pub in_multi: AtomicBool,
    pub watching: AtomicUsize,
    pub monitor: AtomicBool,
    /// Set when a WATCHed key is touched (Redis's CLIENT_DIRTY_CAS).
    pub dirty_cas: AtomicBool,
    /// Cancelled to disconnect the client (CLIENT KILL, output buffer limit, shutdown).
    pub kill: CancellationToken,
    /// Out-of-band frames for this client (pub/sub messages, MONITOR lines), already encoded
    /// for its protocol.
    pub push_tx: mpsc::UnboundedSender<Bytes>,
    /// Bytes queued on `push_tx` not yet written to the socket.
    pub push_pending: AtomicUsize,
    /// When the pending push bytes first went over the soft limit (unix ms, 0 = not over).
    pub soft_limit_since_ms: AtomicU64,
}

impl ClientHandle {
    pub fn new(
        id: u64,
        addr: SocketAddr,
        laddr: SocketAddr,
        push_tx: mpsc::UnboundedSender<Bytes>,
    ) -> Self {
        ClientHandle {
            id,
            addr,
            laddr,
            created: Instant::now(),
            name: Mutex::new(None),
            lib_name: Mutex::new(None),
            lib_ver: Mutex::new(None),
            db: AtomicUsize::new(0),
            last_interaction_ms: AtomicU64::new(0),
            last_cmd: Mutex::new("NULL"),
            resp: AtomicUsize::new(2),
            subscriptions: AtomicUsize::new(0),
            psubscriptions: AtomicUsize::new(0),
            in_multi: AtomicBool::new(false),
            watching: AtomicUsize::new(0),
            monitor: AtomicBool::new(false),
            dirty_cas: AtomicBool::new(false),
            kill: CancellationToken::new(),
            push_tx,
            push_pending: AtomicUsize::new(0),
            soft_limit_since_ms: AtomicU64::new(0),
        }
    }

    /// Queue an encoded frame for this client. The caller enforces output limits.
    pub fn push(&self, frame: Bytes) {
        self.push_pending.fetch_add(frame.len(), Ordering::Relaxed);
        let _ = self.push_tx.send(frame);
    }

    pub fn is_subscribed(&self) -> bool {
        self.subscriptions.load(Ordering::Relaxed) + self.psubscriptions.load(Ordering::Relaxed) > 0
    }
}

/// MULTI state: the queued requests and whether a queue-time error doomed the transaction.
#[derive(Debug, Default)]
pub struct MultiState {
    pub queued: Vec<Request>,
    pub aborted: bool,
}

/// A key under WATCH by this client.
#[derive(Debug, Clone)]
pub struct WatchedKey {
    pub db: usize,
    pub key: SmallBytes,
    /// The key was already logically expired when watched (Redis 7.0's `wk->expired`).
    pub expired_at_watch: bool,
}

/// State owned by the connection task, lent to handlers.
#[derive(Debug)]
pub struct ClientState {
    pub handle: Arc<ClientHandle>,
    pub proto: Protocol,
    pub authenticated: bool,
    pub db: usize,
    pub multi: Option<MultiState>,
    pub watched: Vec<WatchedKey>,
    pub channels: hashbrown::HashSet<Bytes>,
    pub patterns: hashbrown::HashSet<Bytes>,
    /// Close the connection once the replies so far are written (QUIT, protocol errors).
    pub close_after_reply: bool,
    /// CLIENT REPLY OFF / SKIP.
    pub reply_mode: ReplyMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    SkipNext,
    Skip,
}

impl ClientState {
    pub fn new(handle: Arc<ClientHandle>, authenticated: bool) -> Self {
        ClientState {
            handle,
            proto: Protocol::Resp2,
            authenticated,
            db: 0,
            multi: None,
            watched: Vec::new(),
            channels: Default::default(),
            patterns: Default::default(),
            close_after_reply: false,
            reply_mode: ReplyMode::On,
        }
    }

    pub fn id(&self) -> u64 {
        self.handle.id
    }

    /// In RESP2 a subscribed client may only run the pub/sub commands, PING, QUIT and RESET.
    pub fn in_resp2_pubsub(&self) -> bool {
        self.proto == Protocol::Resp2 && (!self.channels.is_empty() || !self.patterns.is_empty())
    }
}
