//! The master side of replication: SYNC / PSYNC, the backlog, replicas' links and ACKs.
//!
//! The replication stream is the command feed (`propagate`): every byte `propagate::deliver`
//! hands on goes into the backlog and to every replica's link. A full resynchronisation is a
//! fork-free snapshot (`snapshot`) begun under the store lock at the offset it announces in
//! `+FULLRESYNC`, so the replica gets the data of that instant and then every byte after it.

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use wire::CommandId;
use wire::request::RequestParser;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::propagate::CONSUMER_REPLICAS;
use crate::server::{Server, Store, unix_ms};

pub const HANDLERS: &[(CommandId, crate::cmd::Handler)] = &[
    (CommandId::Replconf, replconf),
    (CommandId::Psync, psync),
    (CommandId::Sync, sync),
    (CommandId::Role, role),
    (CommandId::Wait, wait),
];

/// `REPLCONF GETACK *`: replicas answer with their offset at once.
const GETACK: &[u8] = b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

/// What a client in WAIT waits for.
#[derive(Debug, Clone, Copy)]
pub struct WaitRequest {
    pub target: u64,
    pub replicas: usize,
    /// None: no limit (`WAIT n 0`).
    pub timeout: Option<std::time::Duration>,
}

pub const NOREPLICAS_ERROR: &str = "NOREPLICAS Not enough good replicas to write.";

/// Replicas online whose last acknowledgement is at most `min-replicas-max-lag` seconds old.
fn good_replicas(store: &Store, now_ms: u64) -> usize {
    let max_lag = store.config.min_replicas_max_lag as u64;
    store
        .replication
        .replicas
        .iter()
        .filter(|r| r.online() && now_ms.saturating_sub(r.ack_ms) / 1000 <= max_lag)
        .count()
}

/// `min-replicas-to-write`: whether a write must be refused for lack of good replicas.
pub fn writes_refused(store: &Store, now_ms: u64) -> bool {
    let c = &store.config;
    c.min_replicas_to_write > 0
        && c.min_replicas_max_lag > 0
        && good_replicas(store, now_ms) < c.min_replicas_to_write as usize
}

/// Online replicas that acknowledged at least `target`.
pub fn acked_replicas(store: &Store, target: u64) -> usize {
    store
        .replication
        .replicas
        .iter()
        .filter(|r| r.online() && r.ack_offset >= target)
        .count()
}

/// `WAIT numreplicas timeout`: how many replicas acknowledged this client's writes, waiting
/// up to `timeout` ms (0 = forever) for `numreplicas` of them.
fn wait(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let replicas = args::int(&args[1])?;
    let timeout = args::int(&args[2])?;
    if timeout < 0 {
        return Err(CmdError::new("ERR timeout is negative"));
    }
    if ctx.store.replication.is_replica() {
        return Err(CmdError::new(
            "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.",
        ));
    }
    let target = ctx.client.woff;
    let count = acked_replicas(ctx.store, target);
    if count as i64 >= replicas || !ctx.may_block() {
        ctx.out.int(count as i64);
        return Ok(());
    }
    // Ask every replica for its offset now rather than at its next periodic ACK.
    ctx.store.feed.push_to_replicas(GETACK);
    ctx.client.wait = Some(WaitRequest {
        target,
        replicas: replicas.max(0) as usize,
        timeout: (timeout > 0).then(|| std::time::Duration::from_millis(timeout as u64)),
    });
    Ok(())
}

/// Circular history of the stream, for partial resynchronisation.
#[derive(Debug)]
pub struct Backlog {
    buf: std::collections::VecDeque<u8>,
    size: usize,
    /// Stream offset of `buf[0]` (bytes before it, 0-based).
    start: u64,
}

impl Backlog {
    pub fn new(at: u64, size: usize) -> Self {
        Backlog {
            buf: Default::default(),
            size,
            start: at,
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        self.buf.extend(bytes);
        let excess = self.buf.len().saturating_sub(self.size);
        if excess > 0 {
            self.buf.drain(..excess);
            self.start += excess as u64;
        }
    }

    /// Everything from stream offset `from` (0-based) on, if the backlog still holds it.
    fn since(&self, from: u64) -> Option<Vec<u8>> {
        let end = self.start + self.buf.len() as u64;
        if from < self.start || from > end {
            return None;
        }
        let skip = (from - self.start) as usize;
        Some(self.buf.iter().skip(skip).copied().collect())
    }
}

/// Where a replica stands (INFO's `state=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// Waiting for a snapshot to begin (`repl-diskless-sync-delay`, or a running BGSAVE).
    WaitBgsave,
    /// Receiving its snapshot; the stream after it is queued.
    SendBulk,
    Online,
}

impl ReplicaState {
    fn name(self) -> &'static str {
        match self {
            ReplicaState::WaitBgsave => "wait_bgsave",
            ReplicaState::SendBulk => "send_bulk",
            ReplicaState::Online => "online",
        }
    }
}

/// One replica as the master sees it.
#[derive(Debug)]
pub struct Replica {
    pub client_id: u64,
    pub ip: String,
    pub port: u16,
    pub state: ReplicaState,
    pub ack_offset: u64,
    pub ack_ms: u64,
    /// When it asked for a full resynchronisation (the diskless delay counts from the first).
    since_ms: u64,
    /// A full resync waiting for its snapshot to begin.
    pending: Option<oneshot::Sender<FullSync>>,
    tx: mpsc::UnboundedSender<Bytes>,
    /// Bytes handed to the link and not written to the socket yet.
    queued: std::sync::Arc<AtomicUsize>,
    /// Bytes handed to the link since it began (compared with `progress.written`).
    sent: u64,
    progress: Arc<LinkProgress>,
    /// The connection, for closing it (promotion, CLIENT KILL TYPE replica).
    pub kill: tokio_util::sync::CancellationToken,
    /// Since when more than the soft output-buffer limit has been queued (unix ms).
    over_soft_since_ms: Option<u64>,
}

impl Replica {
    pub fn online(&self) -> bool {
        self.state == ReplicaState::Online
    }
}

/// The replication state: this node's history (ids and offsets), its replicas and backlog,
/// and, on a replica, the link to its master.
#[derive(Debug)]
pub struct Replication {
    /// The history this node's data belongs to (`master_replid`).
    pub replid: String,
    /// The previous history, valid up to `second_offset` (a promoted replica's old master's).
    pub replid2: String,
    /// First offset *not* valid for `replid2` (`second_repl_offset`, -1 when none).
    pub second_offset: i64,
    pub backlog: Option<Backlog>,
    pub replicas: Vec<Replica>,
    last_ping_ms: u64,
    /// Set while this node is a replica.
    pub master: Option<crate::replica::MasterLink>,
    /// Whether `replid` and the offset name data worth a partial resync (a demoted master's,
    /// or what a link received); a fresh replica asks `PSYNC ? -1`.
    pub psync_cached: bool,
    /// Database of the stream as relayed (a replica's master's current SELECT): the snapshot
    /// a sub-replica gets says so in `repl-stream-db`.
    pub relay_db: usize,
    /// When the last replica went away (`repl-backlog-ttl` counts from here).
    no_replicas_since_ms: Option<u64>,
    /// A coordinated FAILOVER in progress on this master.
    pub failover: Option<crate::failover::Failover>,
}

pub const NO_REPLID: &str = "0000000000000000000000000000000000000000";

impl Default for Replication {
    fn default() -> Self {
        Replication {
            replid: crate::server::random_hex40(),
            replid2: NO_REPLID.into(),
            second_offset: -1,
            backlog: None,
            replicas: Vec::new(),
            last_ping_ms: 0,
            master: None,
            psync_cached: false,
            relay_db: 0,
            no_replicas_since_ms: None,
            failover: None,
        }
    }
}

impl Replication {
    /// A new history: the current one becomes the secondary, valid up to `offset`
    /// (shiftReplicationId, on promotion).
    pub fn shift_replid(&mut self, offset: u64) {
        self.replid2 = std::mem::replace(&mut self.replid, crate::server::random_hex40());
        self.second_offset = offset as i64 + 1;
        tracing::info!(
            "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
            self.replid2,
            self.second_offset,
            self.replid
        );
    }

    /// Forget the secondary history (after a full resync).
    pub fn clear_replid2(&mut self) {
        self.replid2 = NO_REPLID.into();
        self.second_offset = -1;
    }

    /// Close every replica's link (they reconnect and PSYNC, partially where they can).
    pub fn disconnect_replicas(&mut self) {
        for r in self.replicas.drain(..) {
            r.kill.cancel();
        }
    }

    pub fn is_replica(&self) -> bool {
        self.master.is_some()
    }
}

/// A full resynchronisation's start: the snapshot, and the history point it was taken at.
#[derive(Debug)]
pub struct FullSync {
    snapshot: crate::snapshot::Stream,
    replid: String,
    offset: u64,
}

/// What the connection does once PSYNC or SYNC has answered.
#[derive(Debug)]
pub struct ReplicaStart {
    /// A full resync: where its snapshot arrives when one begins; `psync` says whether to
    /// announce it with `+FULLRESYNC` (legacy SYNC has no such line).
    full: Option<(oneshot::Receiver<FullSync>, bool)>,
    /// Send the snapshot as `$EOF:<mark>` (the replica announced `capa eof`, and the
    /// transfer is diskless).
    eof_mark: bool,
    stream: LinkStream,
}

/// Per-connection replication details gathered by REPLCONF before PSYNC.
#[derive(Debug, Default, Clone)]
pub struct ReplicaHello {
    pub listening_port: u16,
    pub ip: Option<String>,
    pub capa_eof: bool,
    pub capa_psync2: bool,
}

/// The bytes `propagate::deliver` hands on: into the backlog and to every replica.
pub fn feed(store: &mut Store, chunk: Bytes) {
    let repl = &mut store.replication;
    if repl.replicas.is_empty() && repl.backlog.is_none() {
        return;
    }
    if let Some(backlog) = repl.backlog.as_mut() {
        // CONFIG SET repl-backlog-size takes effect at the next write.
        backlog.size = store.config.repl_backlog_size as usize;
        backlog.append(&chunk);
    }
    let limit = store.config.client_output_buffer_limit.replica;
    let now = unix_ms();
    repl.replicas.retain_mut(|r| {
        // A replica waiting for its snapshot joins the stream when the snapshot begins.
        if r.state == ReplicaState::WaitBgsave {
            return true;
        }
        let queued = r.queued.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
        if over_output_limit(r, queued as u64, limit, now) {
            return false;
        }
        r.sent += chunk.len() as u64;
        r.tx.send(chunk.clone()).is_ok()
    });
}

/// client-output-buffer-limit replica: a replica that cannot keep up is dropped rather than
/// grow the master's memory without bound: at once past the hard limit, or after staying past
/// the soft one for its seconds.
fn over_output_limit(
    r: &mut Replica,
    queued: u64,
    limit: crate::config::OutputBufferLimit,
    now_ms: u64,
) -> bool {
    let over_soft = limit.soft > 0 && queued > limit.soft;
    if !over_soft {
        r.over_soft_since_ms = None;
    }
    let since = over_soft.then(|| *r.over_soft_since_ms.get_or_insert(now_ms));
    let soft_expired = since.is_some_and(|t| now_ms.saturating_sub(t) / 1000 >= limit.soft_seconds);
    if (limit.hard > 0 && queued > limit.hard) || soft_expired {
        tracing::warn!(
            "Client replica {}:{} scheduled to be closed ASAP for overcoming of output buffer limits.",
            r.ip,
            r.port
        );
        r.kill.cancel();
        return true;
    }
    false
}

/// From the server tick: replicas' timeouts, the PING every `repl-ping-replica-period`,
/// snapshots for waiting replicas, the backlog's time to live.
pub fn cron(server: &Server, store: &mut Store, now_ms: u64) {
    // Replicas silent for longer than repl-timeout are dropped (their link then closes), and
    // so are those that stayed past the soft output limit with nothing new written.
    let timeout_ms = store.config.repl_timeout as u64 * 1000;
    let limit = store.config.client_output_buffer_limit.replica;
    store.replication.replicas.retain_mut(|r| {
        let alive = !r.online() || now_ms.saturating_sub(r.ack_ms) <= timeout_ms;
        if !alive {
            tracing::warn!("Disconnecting timedout replica: {}:{}", r.ip, r.port);
            r.kill.cancel();
            return false;
        }
        let queued = r.queued.load(Ordering::Relaxed) as u64;
        r.state == ReplicaState::WaitBgsave || !over_output_limit(r, queued, limit, now_ms)
    });
    start_waiting_syncs(server, store, now_ms);
    expire_backlog(store, now_ms);
    crate::failover::cron(server, store, now_ms);
    // A replica relays its master's PINGs; it has none of its own.
    let period_ms = store.config.repl_ping_replica_period as u64 * 1000;
    if store.replication.is_replica()
        || store.replication.replicas.is_empty()
        || now_ms.saturating_sub(store.replication.last_ping_ms) < period_ms
    {
        return;
    }
    store.replication.last_ping_ms = now_ms;
    store.feed.push_to_replicas(b"*1\r\n$4\r\nPING\r\n");
    crate::propagate::deliver(store);
}

/// `repl-backlog-ttl`: a master without replicas for that long frees its backlog, and its
/// history with it (a new replid; nobody can continue the old one partially any more).
fn expire_backlog(store: &mut Store, now_ms: u64) {
    let repl = &mut store.replication;
    if !repl.replicas.is_empty() {
        repl.no_replicas_since_ms = None;
        return;
    }
    let since = *repl.no_replicas_since_ms.get_or_insert(now_ms);
    let ttl = store.config.repl_backlog_ttl;
    if repl.is_replica() || repl.backlog.is_none() || ttl == 0 {
        return;
    }
    if now_ms.saturating_sub(since) / 1000 >= ttl {
        tracing::info!("Replication backlog freed after {ttl} seconds without connected replicas.");
        repl.backlog = None;
        repl.replid = crate::server::random_hex40();
        repl.clear_replid2();
        store.feed.set_consumer(CONSUMER_REPLICAS, false);
    }
}

/// The current stream offset (INFO `master_repl_offset`).
pub fn offset(store: &Store) -> u64 {
    store.feed.offset
}

fn replconf(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(CmdError::syntax());
    }
    for pair in args[1..].chunks(2) {
        let (option, value) = (&pair[0], &pair[1]);
        if args::is(option, "listening-port") {
            let port = args::int(value)?;
            ctx.client.replica_hello.listening_port = port.clamp(0, 65535) as u16;
        } else if args::is(option, "ip-address") {
            ctx.client.replica_hello.ip = Some(String::from_utf8_lossy(value).into_owned());
        } else if args::is(option, "capa") {
            if args::is(value, "eof") {
                ctx.client.replica_hello.capa_eof = true;
            } else if args::is(value, "psync2") {
                ctx.client.replica_hello.capa_psync2 = true;
            }
        } else if args::is(option, "ack") || args::is(option, "getack") {
            // Only a replica's link sends these; they get no reply (handled on the link).
            return Ok(());
        } else if args::is(option, "rdb-only") || args::is(option, "rdb-filter-only") {
        } else {
            return Err(CmdError::new(format!(
                "ERR Unrecognized REPLCONF option: {}",
                String::from_utf8_lossy(option)
            )));
        }
    }
    ctx.out.ok();
    Ok(())
}

/// `ROLE`: on a master `master`, the offset, and per online replica its ip, port and
/// acknowledged offset (as strings, as Redis sends them); on a replica `slave`, its master,
/// the link's state and the offset processed.
fn role(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    if let Some(link) = &ctx.store.replication.master {
        let connected = link.state == crate::replica::LinkState::Connected;
        ctx.out.array(5);
        ctx.out.bulk(b"slave");
        ctx.out.bulk(link.host.as_bytes());
        ctx.out.int(link.port as i64);
        ctx.out.bulk(link.state.name().as_bytes());
        ctx.out.int(if connected {
            offset(ctx.store) as i64
        } else {
            -1
        });
        return Ok(());
    }
    let offset = offset(ctx.store);
    let online: Vec<(String, u16, u64)> = ctx
        .store
        .replication
        .replicas
        .iter()
        .filter(|r| r.online())
        .map(|r| (r.ip.clone(), r.port, r.ack_offset))
        .collect();
    ctx.out.array(3);
    ctx.out.bulk(b"master");
    ctx.out.int(offset as i64);
    ctx.out.array(online.len());
    for (ip, port, ack) in online {
        ctx.out.array(3);
        ctx.out.bulk(ip.as_bytes());
        ctx.out.bulk(port.to_string().as_bytes());
        ctx.out.bulk(ack.to_string().as_bytes());
    }
    Ok(())
}

fn sync(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    refuse_sync(ctx)?;
    start_full(ctx, false);
    Ok(())
}

/// Replies still buffered would land in the middle of the replication stream; a replica
/// without its own master has no stream to give.
fn refuse_sync(ctx: &Ctx) -> CmdResult {
    if let Some(link) = &ctx.store.replication.master
        && link.state != crate::replica::LinkState::Connected
    {
        return Err(CmdError::new(
            "NOMASTERLINK Can't SYNC while not connected with my master",
        ));
    }
    if ctx.store.replication.failover.is_some() {
        return Err(CmdError::new("NOMASTERLINK Can't SYNC while failing over"));
    }
    if ctx.out.is_empty() {
        return Ok(());
    }
    Err(CmdError::new(
        "ERR SYNC and PSYNC are invalid with pending output",
    ))
}

fn psync(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    // `PSYNC <replid> <offset> FAILOVER`: our master hands its role over to us (FAILOVER).
    if args.len() > 3 && args::is(&args[3], "failover") {
        crate::failover::psync_takeover(ctx, &args[1])?;
    }
    refuse_sync(ctx)?;
    let replid = &args[1][..];
    // The replica asks for the first byte it lacks, counted from 1.
    let wanted = wire::request::parse_i64(&args[2]).unwrap_or(-1);
    crate::propagate::deliver(ctx.store);
    let repl = &ctx.store.replication;
    // Our own history, or the one we continued (PSYNC2) up to where we left it.
    let same_history = replid == repl.replid.as_bytes()
        || (replid == repl.replid2.as_bytes() && wanted <= repl.second_offset);
    let partial = (same_history && wanted > 0)
        .then(|| {
            repl.backlog
                .as_ref()
                .and_then(|b| b.since(wanted as u64 - 1))
        })
        .flatten();
    if let Some(history) = partial {
        tracing::info!(
            "Partial resynchronization request from {} accepted. Sending {} bytes of backlog starting from offset {wanted}.",
            ctx.client.handle.addr,
            history.len()
        );
        let hello = ctx.client.replica_hello.clone();
        let stream = register(ctx, ReplicaState::Online, Some(history), None);
        if hello.capa_psync2 {
            ctx.out
                .simple(&format!("CONTINUE {}", ctx.store.replication.replid));
        } else {
            ctx.out.simple("CONTINUE");
        }
        ctx.store.stats_sync_partial_ok += 1;
        ctx.client.replica_start = Some(ReplicaStart {
            full: None,
            eof_mark: false,
            stream,
        });
        return Ok(());
    }
    if replid != b"?" {
        ctx.store.stats_sync_partial_err += 1;
    }
    start_full(ctx, true);
    Ok(())
}

/// A full resynchronisation: the replica waits for the next snapshot (shared by every
/// replica waiting when it begins), then gets the stream from the snapshot's offset on.
fn start_full(ctx: &mut Ctx, psync: bool) {
    let (tx, rx) = oneshot::channel();
    let stream = register(ctx, ReplicaState::WaitBgsave, None, Some(tx));
    ctx.store.stats_sync_full += 1;
    let config = &ctx.store.config;
    ctx.client.replica_start = Some(ReplicaStart {
        full: Some((rx, psync)),
        eof_mark: ctx.client.replica_hello.capa_eof && config.repl_diskless_sync,
        stream,
    });
    // With no delay to wait for more replicas, the snapshot begins at once.
    start_waiting_syncs(ctx.server, ctx.store, unix_ms());
}

/// Begin a snapshot for the replicas waiting for one, once `repl-diskless-sync-delay` has
/// passed since the first asked (or `repl-diskless-sync-max-replicas` are waiting), and no
/// other snapshot runs.
fn start_waiting_syncs(server: &Server, store: &mut Store, now_ms: u64) {
    let waiting: Vec<u64> = store
        .replication
        .replicas
        .iter()
        .filter(|r| r.pending.is_some())
        .map(|r| r.since_ms)
        .collect();
    let Some(&first) = waiting.iter().min() else {
        return;
    };
    if store.persist.snapshot_running() {
        return;
    }
    let config = &store.config;
    if config.repl_diskless_sync {
        let delay_ms = config.repl_diskless_sync_delay as u64 * 1000;
        let enough = config.repl_diskless_sync_max_replicas > 0
            && waiting.len() >= config.repl_diskless_sync_max_replicas as usize;
        if now_ms.saturating_sub(first) < delay_ms && !enough {
            return;
        }
    }
    crate::propagate::deliver(store);
    let at = store.feed.offset;
    let replid = store.replication.replid.clone();
    // The replication AUX fields let a replica that keeps the file resume from it.
    let options = crate::snapshot::Options {
        aof_base: false,
        replication: Some(crate::snapshot::ReplicationAux {
            stream_db: store.replication.relay_db,
            replid: replid.clone(),
            offset: at,
        }),
    };
    let Ok(mut pending) = crate::snapshot::begin(store, &options, now_ms) else {
        return;
    };
    // Under the same lock as the snapshot's start: every command after it is encoded for the
    // replicas, starting with a SELECT (a replica relays its master's stream as it is).
    store.feed.set_consumer(CONSUMER_REPLICAS, true);
    store.feed.force_select();
    if store.replication.backlog.is_none() {
        let size = store.config.repl_backlog_size as usize;
        store.replication.backlog = Some(Backlog::new(at, size));
    }
    let mut starting = 0;
    for r in &mut store.replication.replicas {
        let Some(tx) = r.pending.take() else {
            continue;
        };
        let sync = FullSync {
            snapshot: pending.subscribe(),
            replid: replid.clone(),
            offset: at,
        };
        if tx.send(sync).is_ok() {
            r.state = ReplicaState::SendBulk;
            starting += 1;
        }
    }
    tracing::info!(
        "Starting BGSAVE for SYNC with target: replicas sockets ({starting} replica(s), offset {at})"
    );
    pending.run(server.arc());
}

/// Add the connection to the replicas; returns its end of the stream. `history` (a partial
/// resync's backlog) goes first.
fn register(
    ctx: &mut Ctx,
    state: ReplicaState,
    history: Option<Vec<u8>>,
    pending: Option<oneshot::Sender<FullSync>>,
) -> LinkStream {
    let hello = &ctx.client.replica_hello;
    let ip = hello
        .ip
        .clone()
        .unwrap_or_else(|| ctx.client.handle.addr.ip().to_string());
    let port = hello.listening_port;
    let (tx, rx) = mpsc::unbounded_channel();
    let queued = std::sync::Arc::new(AtomicUsize::new(0));
    let progress = Arc::new(LinkProgress::default());
    let mut sent = 0;
    if let Some(history) = history.filter(|h| !h.is_empty()) {
        queued.fetch_add(history.len(), Ordering::Relaxed);
        sent = history.len() as u64;
        let _ = tx.send(Bytes::from(history));
    }
    ctx.client
        .handle
        .role
        .store(crate::client::ROLE_REPLICA, Ordering::Relaxed);
    ctx.store.feed.set_consumer(CONSUMER_REPLICAS, true);
    let now = unix_ms();
    ctx.store.replication.replicas.push(Replica {
        client_id: ctx.client.handle.id,
        ip,
        port,
        state,
        ack_offset: 0,
        ack_ms: now,
        since_ms: now,
        pending,
        tx,
        queued: queued.clone(),
        sent,
        progress: progress.clone(),
        kill: ctx.client.handle.kill.clone(),
        over_soft_since_ms: None,
    });
    LinkStream {
        rx,
        queued,
        progress,
    }
}

/// The link's end of the stream, with the count of bytes queued on it.
#[derive(Debug)]
pub struct LinkStream {
    rx: mpsc::UnboundedReceiver<Bytes>,
    queued: std::sync::Arc<AtomicUsize>,
    progress: Arc<LinkProgress>,
}

/// How far a link has written the stream to its socket, for clients waiting to reply.
#[derive(Debug, Default)]
pub struct LinkProgress {
    written: AtomicU64,
    closed: AtomicBool,
}

/// Replies wait (briefly) until the online replicas' links have written the stream their
/// commands produced: Redis writes the replicas' buffers before the replies in one pass of
/// its event loop, so a write acknowledged just before the master dies is already in the
/// kernel on its way to the replicas. A link far behind (a slow replica) is not waited for,
/// as Redis does not block clients on one either.
pub struct ReplyBarrier {
    links: Vec<(Arc<LinkProgress>, u64)>,
}

/// Links with more than this queued are slow: replies do not wait for them.
const SLOW_LINK_BYTES: u64 = 1 << 20;
/// The longest a reply waits for the links (a backstop: they write within microseconds).
const REPLY_BARRIER_WAIT: std::time::Duration = std::time::Duration::from_millis(100);

impl ReplyBarrier {
    fn done(&self) -> bool {
        self.links.iter().all(|(progress, target)| {
            progress.closed.load(Ordering::Acquire)
                || progress.written.load(Ordering::Acquire) >= *target
        })
    }

    /// Called without the store lock, before the replies go out.
    pub async fn wait(self, server: &Server) {
        let deadline = tokio::time::Instant::now() + REPLY_BARRIER_WAIT;
        loop {
            let notified = server.replica_written.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.done() {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }
}

/// What the replies of client `client_id`'s commands just delivered must wait for: None when
/// every online replica's link has written all it was handed (or there are none). A
/// replica's own connection (its PSYNC) never waits for its own link.
pub fn reply_barrier(store: &Store, client_id: u64) -> Option<ReplyBarrier> {
    let mut links = Vec::new();
    let online = store.replication.replicas.iter().filter(|r| r.online());
    for r in online.filter(|r| r.client_id != client_id) {
        let written = r.progress.written.load(Ordering::Acquire);
        if written < r.sent && r.sent - written <= SLOW_LINK_BYTES {
            links.push((r.progress.clone(), r.sent));
        }
    }
    (!links.is_empty()).then_some(ReplyBarrier { links })
}

fn with_replica(server: &Server, id: u64, f: impl FnOnce(&mut Replica)) {
    let mut store = server.store.lock();
    if let Some(r) = store
        .replication
        .replicas
        .iter_mut()
        .find(|r| r.client_id == id)
    {
        f(r);
    }
}

/// A link ended. The stream keeps feeding the backlog, so the replica can come back with a
/// partial resync.
fn unregister(server: &Server, id: u64) {
    let mut store = server.store.lock();
    store.replication.replicas.retain(|r| {
        let keep = r.client_id != id;
        if !keep {
            r.progress.closed.store(true, Ordering::Release);
        }
        keep
    });
    drop(store);
    server.replica_written.notify_waiters();
}

/// Serve a replica's link until it closes: for a full resync, keepalives until its snapshot
/// begins, `+FULLRESYNC` and the snapshot; then the stream, reading its `REPLCONF ACK`s.
pub async fn serve_link(
    server: &std::sync::Arc<Server>,
    id: u64,
    socket: &mut tokio::net::TcpStream,
    inbuf: &mut bytes::BytesMut,
    start: ReplicaStart,
    kill: tokio_util::sync::CancellationToken,
) {
    let ReplicaStart {
        full,
        eof_mark: use_mark,
        mut stream,
    } = start;
    let mut wait_first_ack = false;
    if let Some((ready, psync)) = full {
        let Some(sync) = wait_for_snapshot(server, socket, ready, &kill).await else {
            unregister(server, id);
            return;
        };
        if psync {
            let line = format!("+FULLRESYNC {} {}\r\n", sync.replid, sync.offset);
            if socket.write_all(line.as_bytes()).await.is_err() {
                unregister(server, id);
                return;
            }
        }
        let result = tokio::select! {
            result = send_snapshot(socket, sync.snapshot, use_mark) => result,
            _ = kill.cancelled() => Err(std::io::Error::other("killed")),
        };
        if result.is_err() {
            unregister(server, id);
            return;
        }
        // After an EOF-marked transfer the replica finds the end by the mark: nothing may
        // follow it until the replica has loaded and acknowledged.
        wait_first_ack = use_mark;
        if !use_mark {
            with_replica(server, id, |r| r.state = ReplicaState::Online);
        }
    }
    let mut parser = RequestParser::new(1 << 20);
    loop {
        tokio::select! {
            biased;
            _ = kill.cancelled() => break,
            _ = server.shutdown.cancelled() => break,
            chunk = stream.rx.recv(), if !wait_first_ack => {
                let Some(chunk) = chunk else { break };
                if socket.write_all(&chunk).await.is_err() {
                    break;
                }
                stream.queued.fetch_sub(chunk.len(), Ordering::Relaxed);
                stream.progress.written.fetch_add(chunk.len() as u64, Ordering::Release);
                server.replica_written.notify_waiters();
            }
            read = socket.read_buf(inbuf) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if !read_acks(server, id, &mut parser, inbuf, &mut wait_first_ack) {
                    break;
                }
            }
        }
    }
    unregister(server, id);
}

/// Until the replica's snapshot begins: a `\n` every second keeps its link alive (real
/// replicas count it as traffic). None when the replica went away meanwhile.
async fn wait_for_snapshot(
    server: &Server,
    socket: &mut tokio::net::TcpStream,
    mut ready: oneshot::Receiver<FullSync>,
    kill: &tokio_util::sync::CancellationToken,
) -> Option<FullSync> {
    let mut keepalive = tokio::time::interval(std::time::Duration::from_secs(1));
    keepalive.tick().await;
    let mut scratch = [0u8; 512];
    loop {
        tokio::select! {
            sync = &mut ready => return sync.ok(),
            _ = kill.cancelled() => return None,
            _ = server.shutdown.cancelled() => return None,
            _ = keepalive.tick() => {
                if socket.write_all(b"\n").await.is_err() {
                    return None;
                }
            }
            read = socket.read(&mut scratch) => {
                // A replica says nothing before its snapshot; only its leaving matters.
                if matches!(read, Ok(0) | Err(_)) {
                    return None;
                }
            }
        }
    }
}

/// The replica's traffic: `REPLCONF ACK <offset>` (and blank keepalives). False on garbage.
fn read_acks(
    server: &Server,
    id: u64,
    parser: &mut RequestParser,
    inbuf: &mut bytes::BytesMut,
    wait_first_ack: &mut bool,
) -> bool {
    loop {
        while inbuf.first() == Some(&b'\n') {
            let _ = inbuf.split_to(1);
            with_replica(server, id, |r| r.ack_ms = unix_ms());
        }
        match parser.parse(inbuf) {
            Ok(Some(req)) => {
                let args = &req.args;
                if args.len() >= 3 && args::is(&args[0], "replconf") && args::is(&args[1], "ack") {
                    let offset = wire::request::parse_i64(&args[2]).unwrap_or(0).max(0) as u64;
                    *wait_first_ack = false;
                    with_replica(server, id, |r| {
                        r.state = ReplicaState::Online;
                        r.ack_offset = offset;
                        r.ack_ms = unix_ms();
                    });
                    server.replica_acks.notify_waiters();
                }
            }
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

async fn send_snapshot(
    socket: &mut tokio::net::TcpStream,
    snapshot: crate::snapshot::Stream,
    use_mark: bool,
) -> std::io::Result<()> {
    // The snapshot stream is a blocking channel: a thread pumps it into this task.
    let (tx, mut rx) = mpsc::channel::<crate::snapshot::Chunk>(16);
    std::thread::spawn(move || {
        for chunk in snapshot {
            if tx.blocking_send(chunk).is_err() {
                return;
            }
        }
    });
    if use_mark {
        // A random 40-character mark, as Redis's.
        let mark = crate::server::random_hex40();
        socket
            .write_all(format!("$EOF:{mark}\r\n").as_bytes())
            .await?;
        while let Some(chunk) = rx.recv().await {
            socket
                .write_all(&chunk.map_err(std::io::Error::other)?)
                .await?;
        }
        socket.write_all(mark.as_bytes()).await?;
    } else {
        // `$<len>` framing needs the length first: gather the file.
        let mut whole = Vec::new();
        while let Some(chunk) = rx.recv().await {
            whole.extend_from_slice(&chunk.map_err(std::io::Error::other)?);
        }
        socket
            .write_all(format!("${}\r\n", whole.len()).as_bytes())
            .await?;
        socket.write_all(&whole).await?;
    }
    socket.flush().await
}

/// INFO's `# Replication` section.
pub fn info(out: &mut String, store: &Store, now_ms: u64) {
    use std::fmt::Write;
    let repl = &store.replication;
    match &repl.master {
        Some(link) => crate::replica::info(out, store, link, now_ms),
        None => out.push_str("role:master\r\n"),
    }
    let _ = write!(out, "connected_slaves:{}\r\n", repl.replicas.len());
    if store.config.min_replicas_to_write > 0 && store.config.min_replicas_max_lag > 0 {
        let _ = write!(
            out,
            "min_slaves_good_slaves:{}\r\n",
            good_replicas(store, now_ms)
        );
    }
    for (i, r) in repl.replicas.iter().enumerate() {
        let lag = if r.online() {
            now_ms.saturating_sub(r.ack_ms) / 1000
        } else {
            0
        };
        let _ = write!(
            out,
            "slave{i}:ip={},port={},state={},offset={},lag={lag}\r\n",
            r.ip,
            r.port,
            r.state.name(),
            r.ack_offset,
        );
    }
    let offset = offset(store);
    let (active, first, histlen) = match &repl.backlog {
        Some(b) => (1, b.start + 1, b.buf.len()),
        None => (0, 0, 0),
    };
    let size = store.config.repl_backlog_size;
    let _ = write!(
        out,
        "master_failover_state:{}\r\nmaster_replid:{}\r\nmaster_replid2:{}\r\nmaster_repl_offset:{offset}\r\nsecond_repl_offset:{}\r\nrepl_backlog_active:{active}\r\nrepl_backlog_size:{size}\r\nrepl_backlog_first_byte_offset:{first}\r\nrepl_backlog_histlen:{histlen}\r\n",
        crate::failover::state_name(store),
        repl.replid,
        repl.replid2,
        repl.second_offset,
    );
}
