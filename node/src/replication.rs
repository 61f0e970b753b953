//! The master side of replication: SYNC / PSYNC, the backlog, replicas' links and ACKs.
//!
//! The replication stream is the command feed (`propagate`): every byte `propagate::deliver`
//! hands on goes into the backlog and to every replica's link. A full resynchronisation is a
//! fork-free snapshot (`snapshot`) begun under the store lock at the offset it announces in
//! `+FULLRESYNC`, so the replica gets the data of that instant and then every byte after it.

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use wire::CommandId;
use wire::request::RequestParser;

use std::sync::atomic::{AtomicUsize, Ordering};

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
        .filter(|r| r.online && now_ms.saturating_sub(r.ack_ms) / 1000 <= max_lag)
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
        .filter(|r| r.online && r.ack_offset >= target)
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
    let target = ctx.client.woff;
    let count = acked_replicas(ctx.store, target);
    if count as i64 >= replicas || !ctx.may_block() {
        ctx.out.int(count as i64);
        return Ok(());
    }
    // Ask every replica for its offset now rather than at its next periodic ACK.
    ctx.store.feed.push_raw(GETACK);
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
    fn new(at: u64, size: usize) -> Self {
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

/// One replica as the master sees it.
#[derive(Debug)]
pub struct Replica {
    pub client_id: u64,
    pub ip: String,
    pub port: u16,
    /// Waiting for its snapshot / receiving it, then online.
    pub online: bool,
    pub ack_offset: u64,
    pub ack_ms: u64,
    tx: mpsc::UnboundedSender<Bytes>,
    /// Bytes handed to the link and not written to the socket yet.
    queued: std::sync::Arc<AtomicUsize>,
}

#[derive(Debug, Default)]
pub struct Replication {
    pub backlog: Option<Backlog>,
    pub replicas: Vec<Replica>,
    last_ping_ms: u64,
}

/// What the connection does once PSYNC or SYNC has answered.
#[derive(Debug)]
pub struct ReplicaStart {
    /// The snapshot to send first (full resync), or nothing (partial: the stream follows).
    snapshot: Option<crate::snapshot::Stream>,
    /// Send the snapshot as `$EOF:<mark>` (the replica announced `capa eof`).
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
    // client-output-buffer-limit replica: a replica that cannot keep up is dropped rather
    // than grow the master's memory without bound.
    let hard = store.config.client_output_buffer_limit.replica.hard as usize;
    repl.replicas.retain(|r| {
        let queued = r.queued.fetch_add(chunk.len(), Ordering::Relaxed) + chunk.len();
        if hard > 0 && queued > hard {
            tracing::warn!(
                "Client replica {}:{} scheduled to be closed ASAP for overcoming of output buffer limits.",
                r.ip,
                r.port
            );
            return false;
        }
        r.tx.send(chunk.clone()).is_ok()
    });
}

/// From the server tick: PING the replicas every `repl-ping-replica-period`.
pub fn cron(store: &mut Store, now_ms: u64) {
    // Replicas silent for longer than repl-timeout are dropped (their link then closes).
    let timeout_ms = store.config.repl_timeout as u64 * 1000;
    store.replication.replicas.retain(|r| {
        let alive = !r.online || now_ms.saturating_sub(r.ack_ms) <= timeout_ms;
        if !alive {
            tracing::warn!("Disconnecting timedout replica: {}:{}", r.ip, r.port);
        }
        alive
    });
    let period_ms = store.config.repl_ping_replica_period as u64 * 1000;
    if store.replication.replicas.is_empty()
        || now_ms.saturating_sub(store.replication.last_ping_ms) < period_ms
    {
        return;
    }
    store.replication.last_ping_ms = now_ms;
    store.feed.push_raw(b"*1\r\n$4\r\nPING\r\n");
    crate::propagate::deliver(store);
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

/// `ROLE` on a master: `master`, the offset, and per replica its ip, port and acknowledged
/// offset (as strings, as Redis sends them).
fn role(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    let offset = offset(ctx.store);
    let online: Vec<(String, u16, u64)> = ctx
        .store
        .replication
        .replicas
        .iter()
        .filter(|r| r.online)
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
    refuse_pending_output(ctx)?;
    start_full(ctx, false)
}

/// Replies still buffered would land in the middle of the replication stream.
fn refuse_pending_output(ctx: &Ctx) -> CmdResult {
    if ctx.out.is_empty() {
        return Ok(());
    }
    Err(CmdError::new(
        "ERR SYNC and PSYNC are invalid with pending output",
    ))
}

fn psync(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    refuse_pending_output(ctx)?;
    let replid = &args[1][..];
    // The replica asks for the first byte it lacks, counted from 1.
    let wanted = wire::request::parse_i64(&args[2]).unwrap_or(-1);
    crate::propagate::deliver(ctx.store);
    let partial = (replid == ctx.server.replid.as_bytes() && wanted > 0)
        .then(|| {
            ctx.store
                .replication
                .backlog
                .as_ref()
                .and_then(|b| b.since(wanted as u64 - 1))
        })
        .flatten();
    if let Some(history) = partial {
        let hello = ctx.client.replica_hello.clone();
        let rx = register(ctx, true, Some(history));
        if hello.capa_psync2 {
            ctx.out.simple(&format!("CONTINUE {}", ctx.server.replid));
        } else {
            ctx.out.simple("CONTINUE");
        }
        ctx.store.stats_sync_partial_ok += 1;
        ctx.client.replica_start = Some(ReplicaStart {
            snapshot: None,
            eof_mark: false,
            stream: rx,
        });
        return Ok(());
    }
    if replid != b"?" {
        ctx.store.stats_sync_partial_err += 1;
    }
    start_full(ctx, true)
}

/// A full resynchronisation: a snapshot of this instant, then the stream from its offset.
fn start_full(ctx: &mut Ctx, psync: bool) -> CmdResult {
    crate::propagate::deliver(ctx.store);
    let now = unix_ms();
    let store = &mut *ctx.store;
    let at = store.feed.offset;
    // The replication AUX fields let a replica that keeps the file resume from it.
    let options = crate::snapshot::Options {
        aof_base: false,
        replication: Some(crate::snapshot::ReplicationAux {
            stream_db: 0,
            replid: ctx.server.replid.clone(),
            offset: at,
        }),
    };
    let mut pending = crate::snapshot::begin(store, &options, now)
        .map_err(|_| CmdError::new("ERR a snapshot is already running: retry the SYNC later"))?;
    // Under the same lock as the snapshot's start: every command after it is encoded for the
    // replica, starting with a SELECT.
    store.feed.set_consumer(CONSUMER_REPLICAS, true);
    store.feed.force_select();
    if store.replication.backlog.is_none() {
        let size = store.config.repl_backlog_size as usize;
        store.replication.backlog = Some(Backlog::new(at, size));
    }
    let stream = pending.subscribe();
    pending.run(ctx.server.arc());
    let rx = register(ctx, false, None);
    if psync {
        ctx.out
            .simple(&format!("FULLRESYNC {} {at}", ctx.server.replid));
    }
    ctx.store.stats_sync_full += 1;
    ctx.client.replica_start = Some(ReplicaStart {
        snapshot: Some(stream),
        eof_mark: ctx.client.replica_hello.capa_eof,
        stream: rx,
    });
    Ok(())
}

/// Add the connection to the replicas; returns its end of the stream. `history` (a partial
/// resync's backlog) goes first.
fn register(ctx: &mut Ctx, online: bool, history: Option<Vec<u8>>) -> LinkStream {
    let hello = &ctx.client.replica_hello;
    let ip = hello
        .ip
        .clone()
        .unwrap_or_else(|| ctx.client.handle.addr.ip().to_string());
    let port = hello.listening_port;
    let (tx, rx) = mpsc::unbounded_channel();
    let queued = std::sync::Arc::new(AtomicUsize::new(0));
    if let Some(history) = history.filter(|h| !h.is_empty()) {
        queued.fetch_add(history.len(), Ordering::Relaxed);
        let _ = tx.send(Bytes::from(history));
    }
    ctx.store.feed.set_consumer(CONSUMER_REPLICAS, true);
    ctx.store.replication.replicas.push(Replica {
        client_id: ctx.client.handle.id,
        ip,
        port,
        online,
        ack_offset: 0,
        ack_ms: unix_ms(),
        tx,
        queued: queued.clone(),
    });
    LinkStream { rx, queued }
}

/// The link's end of the stream, with the count of bytes queued on it.
#[derive(Debug)]
pub struct LinkStream {
    rx: mpsc::UnboundedReceiver<Bytes>,
    queued: std::sync::Arc<AtomicUsize>,
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
/// partial resync (the backlog is kept once made; Redis frees it after `repl-backlog-ttl`).
fn unregister(server: &Server, id: u64) {
    let mut store = server.store.lock();
    store.replication.replicas.retain(|r| r.client_id != id);
}

/// Serve a replica's link until it closes: the snapshot (for a full resync), then the stream,
/// reading its `REPLCONF ACK`s.
pub async fn serve_link(
    server: &std::sync::Arc<Server>,
    id: u64,
    socket: &mut tokio::net::TcpStream,
    inbuf: &mut bytes::BytesMut,
    start: ReplicaStart,
    kill: tokio_util::sync::CancellationToken,
) {
    let ReplicaStart {
        snapshot,
        eof_mark: use_mark,
        mut stream,
    } = start;
    let mut wait_first_ack = false;
    if let Some(snapshot) = snapshot {
        let result = send_snapshot(socket, snapshot, use_mark).await;
        if result.is_err() {
            unregister(server, id);
            return;
        }
        // After an EOF-marked transfer the replica finds the end by the mark: nothing may
        // follow it until the replica has loaded and acknowledged.
        wait_first_ack = use_mark;
        if !use_mark {
            with_replica(server, id, |r| r.online = true);
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
                        r.online = true;
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

/// INFO's `# Replication` section on a master.
pub fn info(out: &mut String, server: &Server, store: &Store, now_ms: u64) {
    use std::fmt::Write;
    let repl = &store.replication;
    let _ = write!(
        out,
        "role:master\r\nconnected_slaves:{}\r\n",
        repl.replicas.len()
    );
    if store.config.min_replicas_to_write > 0 && store.config.min_replicas_max_lag > 0 {
        let _ = write!(
            out,
            "min_slaves_good_slaves:{}\r\n",
            good_replicas(store, now_ms)
        );
    }
    for (i, r) in repl.replicas.iter().enumerate() {
        let _ = write!(
            out,
            "slave{i}:ip={},port={},state={},offset={},lag={}\r\n",
            r.ip,
            r.port,
            if r.online { "online" } else { "wait_bgsave" },
            r.ack_offset,
            now_ms.saturating_sub(r.ack_ms) / 1000
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
        "master_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:{}\r\nmaster_repl_offset:{offset}\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:{active}\r\nrepl_backlog_size:{size}\r\nrepl_backlog_first_byte_offset:{first}\r\nrepl_backlog_histlen:{histlen}\r\n",
        server.replid,
        "0".repeat(40)
    );
}
