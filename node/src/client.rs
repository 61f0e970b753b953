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

/// The last command a client ran, for CLIENT LIST's `cmd=`: a command id, updated with one
/// relaxed store per command.
#[derive(Debug, Default)]
pub struct LastCommand(AtomicUsize);

impl LastCommand {
    pub fn set(&self, cmd: Option<&wire::Command>) {
        self.0
            .store(cmd.map_or(0, |c| c.id as usize + 1), Ordering::Relaxed);
    }

    /// The command's name (`client|list` ...), or `NULL` as Redis prints when there is none.
    pub fn name(&self) -> &'static str {
        match self.0.load(Ordering::Relaxed) {
            0 => "NULL",
            n => wire::command::all_executable()
                .chain(wire::command::all_commands())
                .find(|c| c.id as usize + 1 == n)
                .map_or("NULL", |c| c.name),
        }
    }
}

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
    pub last_cmd: LastCommand,
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
    /// Frames queued on `push_tx` not yet written (CLIENT LIST `oll`).
    pub push_pending_frames: AtomicUsize,
    /// Socket file descriptor, -1 when unknown (CLIENT LIST `fd`).
    pub fd: i64,
    /// CLIENT NO-EVICT ON.
    pub no_evict: AtomicBool,
    /// Commands queued in MULTI and the bytes they hold (CLIENT LIST `multi`, `multi-mem`).
    pub multi_queued: AtomicUsize,
    pub multi_mem: AtomicUsize,
    /// Buffered request bytes not yet executed and the free room after them (`qbuf`,
    /// `qbuf-free`), as the connection last saw them.
    pub query_buf: AtomicUsize,
    pub query_buf_free: AtomicUsize,
    /// Reply buffer capacity and its fill at the last write (`rbs`, `rbp`).
    pub reply_buf_size: AtomicUsize,
    pub reply_buf_peak: AtomicUsize,
    /// Waiting on keys or on CLIENT PAUSE (flag `b`).
    pub blocked: AtomicBool,
    /// [`ROLE_NORMAL`], or the replication link this connection is ([`ROLE_REPLICA`]: a
    /// replica of ours; [`ROLE_MASTER`]: our master's).
    pub role: std::sync::atomic::AtomicU8,
}

pub const ROLE_NORMAL: u8 = 0;
pub const ROLE_REPLICA: u8 = 1;
pub const ROLE_MASTER: u8 = 2;

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
            last_interaction_ms: AtomicU64::new(crate::server::unix_ms()),
            last_cmd: LastCommand::default(),
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
            push_pending_frames: AtomicUsize::new(0),
            fd: -1,
            no_evict: AtomicBool::new(false),
            multi_queued: AtomicUsize::new(0),
            multi_mem: AtomicUsize::new(0),
            query_buf: AtomicUsize::new(0),
            query_buf_free: AtomicUsize::new(0),
            reply_buf_size: AtomicUsize::new(0),
            reply_buf_peak: AtomicUsize::new(0),
            blocked: AtomicBool::new(false),
            role: std::sync::atomic::AtomicU8::new(ROLE_NORMAL),
        }
    }

    pub fn with_fd(mut self, fd: i64) -> Self {
        self.fd = fd;
        self
    }

    /// Queue an encoded frame for this client. The caller enforces output limits.
    pub fn push(&self, frame: Bytes) {
        self.push_pending.fetch_add(frame.len(), Ordering::Relaxed);
        self.push_pending_frames.fetch_add(1, Ordering::Relaxed);
        let _ = self.push_tx.send(frame);
    }

    /// The connection took `frames` frames of `bytes` bytes off the push queue.
    pub fn pushes_taken(&self, frames: usize, bytes: usize) {
        self.push_pending.fetch_sub(bytes, Ordering::Relaxed);
        self.push_pending_frames
            .fetch_sub(frames, Ordering::Relaxed);
    }

    /// A MULTI began or ended: nothing is queued.
    pub fn clear_queued(&self) {
        self.multi_queued.store(0, Ordering::Relaxed);
        self.multi_mem.store(0, Ordering::Relaxed);
    }

    /// A request was queued in MULTI.
    pub fn note_queued(&self, req: &Request) {
        self.multi_queued.fetch_add(1, Ordering::Relaxed);
        let bytes: usize = req.args.iter().map(|a| a.len()).sum();
        self.multi_mem.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Redis's client type, as CLIENT LIST TYPE and CLIENT KILL TYPE filter it and as the
    /// output buffer limits are chosen (a monitor counts as normal).
    pub fn kind(&self) -> ClientKind {
        match self.role.load(Ordering::Relaxed) {
            ROLE_REPLICA => return ClientKind::Replica,
            ROLE_MASTER => return ClientKind::Master,
            _ => {}
        }
        if self.is_subscribed() {
            ClientKind::Pubsub
        } else {
            ClientKind::Normal
        }
    }

    pub fn is_subscribed(&self) -> bool {
        self.subscriptions.load(Ordering::Relaxed) + self.psubscriptions.load(Ordering::Relaxed) > 0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    Normal,
    Replica,
    Pubsub,
    Master,
}

impl ClientKind {
    /// `normal`, `master`, `replica` (or `slave`), `pubsub`, case-insensitively.
    pub fn parse(name: &[u8]) -> Option<ClientKind> {
        let lower = name.to_ascii_lowercase();
        match lower.as_slice() {
            b"normal" => Some(ClientKind::Normal),
            b"master" => Some(ClientKind::Master),
            b"replica" | b"slave" => Some(ClientKind::Replica),
            b"pubsub" => Some(ClientKind::Pubsub),
            _ => None,
        }
    }
}

/// CLIENT PAUSE: until when, and whether every command or only writes wait.
#[derive(Debug)]
pub struct ClientPause {
    /// Unix ms at which the pause ends; 0 = not paused.
    pub end_ms: u64,
    pub all: bool,
    /// FAILOVER holds writes until it ends, whatever CLIENT PAUSE says.
    pub failover: bool,
    /// Bumped when a pause is lifted early (CLIENT UNPAUSE) so waiters re-check at once.
    pub lifted: tokio::sync::watch::Sender<u64>,
}

impl Default for ClientPause {
    fn default() -> Self {
        ClientPause {
            end_ms: 0,
            all: false,
            failover: false,
            lifted: tokio::sync::watch::channel(0).0,
        }
    }
}

impl ClientPause {
    /// Whether a command with these traits must wait now. `writes` covers commands that
    /// may replicate (writes, PUBLISH, PFCOUNT ...), as Redis 7.0 decides.
    pub fn holds(&self, now_ms: u64, writes: bool) -> bool {
        (now_ms < self.end_ms && (self.all || writes)) || (self.failover && writes)
    }

    /// Whether any pause is set (the dispatcher's quick test).
    pub fn active(&self) -> bool {
        self.end_ms != 0 || self.failover
    }

    /// When a held command should look again: the pause's end, or never for FAILOVER's
    /// (lifted explicitly).
    pub fn until_ms(&self) -> u64 {
        if self.failover { u64::MAX } else { self.end_ms }
    }

    /// FAILOVER's own pause of writes, set or lifted.
    pub fn set_failover(&mut self, on: bool) {
        self.failover = on;
        if !on {
            self.lifted.send_modify(|generation| *generation += 1);
        }
    }

    /// Pause (again): the longer end and the stricter mode win, as in Redis.
    pub fn pause(&mut self, end_ms: u64, all: bool, now_ms: u64) {
        if self.end_ms <= now_ms {
            self.all = all;
            self.end_ms = end_ms;
        } else {
            self.all |= all;
            self.end_ms = self.end_ms.max(end_ms);
        }
    }

    pub fn unpause(&mut self) {
        self.end_ms = 0;
        self.all = false;
        self.lifted.send_modify(|generation| *generation += 1);
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
    /// The last top-level command resolved by name: pipelines repeat commands, and this spares
    /// the table lookup.
    pub resolved: Option<(SmallBytes, &'static wire::Command)>,
    /// A blocked command being served on the client's behalf (its propagated form differs).
    pub served_blocked: bool,
    /// What REPLCONF said before PSYNC.
    pub replica_hello: crate::replication::ReplicaHello,
    /// Set by PSYNC/SYNC: the connection becomes a replica's link.
    pub replica_start: Option<crate::replication::ReplicaStart>,
    /// The replication offset just after this client's last write (what WAIT waits for).
    pub woff: u64,
    /// Set by WAIT when it has to wait for replicas' acknowledgements.
    pub wait: Option<crate::replication::WaitRequest>,
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
            resolved: None,
            served_blocked: false,
            replica_hello: Default::default(),
            replica_start: None,
            woff: 0,
            wait: None,
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
