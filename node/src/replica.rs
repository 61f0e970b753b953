//! The replica side of replication: REPLICAOF, the link to the master (handshake, full or
//! partial resynchronisation, the stream applied as it comes, acknowledgements), and what a
//! replica refuses its own clients.
//!
//! The link is one task per master. It applies the master's commands through the same
//! dispatcher the AOF loader uses (no checks, no replies, never blocking), with the keyspace
//! in [`ExpireMode::Hide`] so no key expires on its own, and relays the exact bytes it applied
//! into the node's feed: the backlog, sub-replicas and the AOF see the master's stream as it
//! was, so a whole tree of replicas shares one replid and one offset space.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use wire::request::{Request, RequestParser};
use wire::{CommandId, ReplyBuf};

use crate::client::{ClientHandle, ClientState};
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::keyspace::ExpireMode;
use crate::propagate::CONSUMER_REPLICAS;
use crate::replication::Backlog;
use crate::server::{Server, Store, unix_ms};

pub const HANDLERS: &[(CommandId, crate::cmd::Handler)] = &[
    (CommandId::Replicaof, replicaof),
    (CommandId::Slaveof, replicaof),
];

pub const READONLY_ERROR: &str = "READONLY You can't write against a read only replica.";
pub const MASTERDOWN_ERROR: &str =
    "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";

/// Where the link to the master stands (ROLE's state word).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected; the next attempt comes within a second.
    Connect,
    Connecting,
    /// PING, AUTH, REPLCONF, PSYNC.
    Handshake,
    /// Receiving the snapshot of a full resync.
    Transfer,
    Connected,
}

impl LinkState {
    pub fn name(self) -> &'static str {
        match self {
            LinkState::Connect => "connect",
            LinkState::Connecting => "connecting",
            LinkState::Handshake => "handshake",
            LinkState::Transfer => "sync",
            LinkState::Connected => "connected",
        }
    }
}

/// The link to this replica's master, as INFO and ROLE show it.
#[derive(Debug)]
pub struct MasterLink {
    pub host: String,
    pub port: u16,
    pub state: LinkState,
    /// Unix ms of the last bytes from the master.
    pub last_io_ms: u64,
    /// When the established link went down; None while up, or before it ever came up.
    pub down_since_ms: Option<u64>,
    /// Bytes of stream received (`slave_read_repl_offset`), ahead of the applied offset by
    /// what is buffered.
    pub read_offset: u64,
    /// A snapshot being received: (total bytes, or -1 while unknown for `$EOF:`, read).
    pub transfer: Option<(i64, u64)>,
    /// The link as a client (CLIENT LIST `flags=M`, CLIENT KILL TYPE master).
    pub client: Option<Arc<ClientHandle>>,
    /// Stops the link's task (REPLICAOF elsewhere, NO ONE).
    stop: Stop,
}

/// A link task's identity and stop signal: a task only updates the link it was started for.
#[derive(Debug, Clone)]
pub struct Stop {
    id: u64,
    token: CancellationToken,
}

impl Stop {
    fn new() -> Stop {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Stop {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            token: CancellationToken::new(),
        }
    }

    fn same_as(&self, other: &Stop) -> bool {
        self.id == other.id
    }

    async fn cancelled(&self) {
        self.token.cancelled().await
    }
}

impl Drop for MasterLink {
    fn drop(&mut self) {
        self.stop.token.cancel();
        if let Some(client) = &self.client {
            client.kill.cancel();
        }
    }
}

/// `REPLICAOF host port | NO ONE` (and its old name SLAVEOF).
fn replicaof(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args::is(&args[1], "no") && args::is(&args[2], "one") {
        if ctx.store.replication.is_replica() {
            promote(ctx.store);
            tracing::info!(
                "MASTER MODE enabled (user request from '{}')",
                ctx.client.handle.addr
            );
        }
        ctx.out.ok();
        return Ok(());
    }
    let host = String::from_utf8_lossy(&args[1]).into_owned();
    let port = wire::request::parse_i64(&args[2])
        .filter(|p| (0..=65535).contains(p))
        .ok_or_else(|| CmdError::new("ERR Invalid master port"))? as u16;
    if let Some(link) = &ctx.store.replication.master
        && link.host.eq_ignore_ascii_case(&host)
        && link.port == port
    {
        tracing::warn!(
            "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed."
        );
        ctx.out.simple("OK Already connected to specified master");
        return Ok(());
    }
    follow(ctx.server, ctx.store, host.clone(), port);
    tracing::info!(
        "REPLICAOF {host}:{port} enabled (user request from '{}')",
        ctx.client.handle.addr
    );
    ctx.out.ok();
    Ok(())
}

/// Become (or stay) a replica of `host:port`: the link task starts, the node's own
/// propagation stops, keys stop expiring on their own.
pub fn follow(server: &Server, store: &mut Store, host: String, port: u16) {
    let was_master = !store.replication.is_replica();
    if was_master {
        // A demoted master first offers its own history (PSYNC <replid> <offset+1>): if the
        // new master was its replica, the resync is partial.
        store.replication.psync_cached = true;
        crate::blocking::unblock_all(
            store,
            "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
        );
        crate::failover::abort_quietly(store);
    }
    // Dropping the old link stops its task.
    store.replication.master = None;
    store.feed.set_muted(true);
    for db in &mut store.dbs {
        db.expire_mode = ExpireMode::Hide;
    }
    // The backlog keeps the relayed stream even with no sub-replica attached.
    store.feed.set_consumer(CONSUMER_REPLICAS, true);
    if store.replication.backlog.is_none() {
        let size = store.config.repl_backlog_size as usize;
        store.replication.backlog = Some(Backlog::new(store.feed.offset, size));
    }
    store.config.replicaof = Some((host.clone(), port));
    let stop = Stop::new();
    store.replication.master = Some(MasterLink {
        host: host.clone(),
        port,
        state: LinkState::Connect,
        last_io_ms: 0,
        down_since_ms: None,
        read_offset: store.feed.offset,
        transfer: None,
        client: None,
        stop: stop.clone(),
    });
    let server = server.arc();
    tokio::spawn(async move { run_link(server, host, port, stop).await });
}

/// `REPLICAOF NO ONE`: this node's data becomes a new history, the old one kept as the
/// secondary so former siblings can continue partially (PSYNC2).
pub fn promote(store: &mut Store) {
    let offset = store.feed.offset;
    let repl = &mut store.replication;
    repl.master = None;
    repl.shift_replid(offset);
    // Sub-replicas must learn the new id: they reconnect and continue partially.
    repl.disconnect_replicas();
    store.config.replicaof = None;
    store.feed.set_muted(false);
    store.feed.force_select();
    for db in &mut store.dbs {
        db.expire_mode = ExpireMode::Delete;
    }
}

/// Update this link's state, if it is still the current one.
fn set_link(server: &Server, stop: &Stop, f: impl FnOnce(&mut MasterLink)) {
    let mut store = server.store.lock();
    if let Some(link) = store.replication.master.as_mut()
        && link.stop.same_as(stop)
    {
        f(link);
    }
}

/// An error once REPLICAOF has pointed elsewhere than the link `stop` belongs to.
fn ensure_current(store: &Store, stop: &Stop) -> Result<(), String> {
    match &store.replication.master {
        Some(link) if link.stop.same_as(stop) => Ok(()),
        _ => Err("REPLICAOF changed during the synchronisation".into()),
    }
}

/// The link's task: connect, synchronise, stream; when the stream breaks, reconnect at once,
/// after a failed attempt a second later (a partial resync first), until REPLICAOF points
/// elsewhere.
async fn run_link(server: Arc<Server>, host: String, port: u16, stop: Stop) {
    loop {
        // Data being loaded at start-up comes first (Redis connects once it is loaded).
        while server.store.lock().persist.loading.is_some() {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
        set_link(&server, &stop, |l| l.state = LinkState::Connecting);
        tracing::info!("Connecting to MASTER {host}:{port}");
        let result = tokio::select! {
            result = session(&server, &host, port, &stop) => result,
            _ = stop.cancelled() => return,
            _ = server.shutdown.cancelled() => return,
        };
        if let Err(err) = result {
            tracing::warn!("{err}");
        }
        let now = unix_ms();
        let mut was_connected = false;
        set_link(&server, &stop, |l| {
            was_connected = l.state == LinkState::Connected;
            // As Redis's repl_down_since: set when an established link goes down, so a
            // replica that never connected reports -1.
            if was_connected {
                l.down_since_ms = Some(now);
            }
            l.state = LinkState::Connect;
            l.transfer = None;
            if let Some(client) = l.client.take() {
                client.kill.cancel();
            }
        });
        if was_connected {
            // A link that was up reconnects at once, as Redis does: waiting a second risks
            // the backlog moving past what the partial resync needs.
            tracing::info!("Reconnecting to MASTER {host}:{port} after a failure");
            continue;
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = server.shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// The master's socket with what was read from it and not yet consumed.
struct Link {
    socket: TcpStream,
    buf: BytesMut,
    /// repl-timeout: bounds every wait for the master.
    timeout: Duration,
}

impl Link {
    async fn fill(&mut self) -> Result<(), String> {
        let read = tokio::time::timeout(self.timeout, self.socket.read_buf(&mut self.buf)).await;
        match read {
            Err(_) => Err("Timeout connecting to the MASTER...".into()),
            Ok(Ok(0)) => Err("Master closed the connection".into()),
            Ok(Err(err)) => Err(format!("Error reading from MASTER: {err}")),
            Ok(Ok(_)) => Ok(()),
        }
    }

    /// One reply line without its CRLF; blank keepalive lines are skipped when asked.
    async fn line(&mut self, skip_blank: bool) -> Result<String, String> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line = self.buf.split_to(end + 1);
                let text = String::from_utf8_lossy(&line[..end]);
                let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
                if text.is_empty() && skip_blank {
                    continue;
                }
                return Ok(text);
            }
            if self.buf.len() > 64 * 1024 {
                return Err("MASTER sent an overlong line".into());
            }
            self.fill().await?;
        }
    }

    async fn send(&mut self, args: &[&[u8]]) -> Result<(), String> {
        let mut out = Vec::new();
        crate::propagate::encode_command(&mut out, args);
        self.write(&out).await
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        match tokio::time::timeout(self.timeout, self.socket.write_all(bytes)).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => Err(format!("Error writing to MASTER: {err}")),
            Err(_) => Err("Timeout writing to MASTER".into()),
        }
    }
}

/// What the link needs from the configuration, read once per connection.
struct Settings {
    timeout: Duration,
    masterauth: Option<String>,
    masteruser: Option<String>,
    announce_port: u16,
    announce_ip: Option<String>,
    /// (replid, first offset wanted) for PSYNC, or None for `PSYNC ? -1`.
    cached: Option<(String, u64)>,
    /// This node is handing its master role over (FAILOVER): PSYNC says so.
    failover: bool,
}

fn settings(server: &Server) -> Settings {
    let store = server.store.lock();
    let c = &store.config;
    let repl = &store.replication;
    Settings {
        timeout: Duration::from_secs(c.repl_timeout.max(1) as u64),
        masterauth: c.masterauth.clone(),
        masteruser: c.masteruser.clone(),
        announce_port: if c.replica_announce_port != 0 {
            c.replica_announce_port
        } else {
            server.port
        },
        announce_ip: c.replica_announce_ip.clone(),
        cached: repl
            .psync_cached
            .then(|| (repl.replid.clone(), store.feed.offset + 1)),
        failover: crate::failover::handing_over(&store),
    }
}

/// One connection to the master, from the handshake to the end of the stream.
async fn session(server: &Arc<Server>, host: &str, port: u16, stop: &Stop) -> Result<(), String> {
    let settings = settings(server);
    let connect = tokio::time::timeout(settings.timeout, TcpStream::connect((host, port)));
    let socket = match connect.await {
        Ok(Ok(socket)) => socket,
        Ok(Err(err)) => return Err(format!("Error condition on socket for SYNC: {err}")),
        Err(_) => return Err("Timeout connecting to the MASTER...".into()),
    };
    let _ = socket.set_nodelay(true);
    tracing::info!("MASTER <-> REPLICA sync started");
    let mut link = Link {
        socket,
        buf: BytesMut::with_capacity(16 * 1024),
        timeout: settings.timeout,
    };
    set_link(server, stop, |l| {
        l.state = LinkState::Handshake;
        l.last_io_ms = unix_ms();
    });
    handshake(&mut link, &settings).await?;
    let (replid, offset) = match &settings.cached {
        Some((replid, offset)) => (replid.clone(), offset.to_string()),
        None => ("?".to_string(), "-1".to_string()),
    };
    let mut psync: Vec<&[u8]> = vec![b"PSYNC", replid.as_bytes(), offset.as_bytes()];
    if settings.failover {
        psync.push(b"FAILOVER");
    }
    link.send(&psync).await?;
    let reply = link.line(true).await?;
    if settings.failover {
        let accepted = reply.starts_with("+CONTINUE") || reply.starts_with("+FULLRESYNC");
        crate::failover::handover_answered(&mut server.store.lock(), accepted);
        if !accepted {
            return Err(format!("Failover target rejected psync request: {reply}"));
        }
    }
    let full = if let Some(rest) = reply.strip_prefix("+FULLRESYNC") {
        let mut words = rest.split_whitespace();
        let replid = words
            .next()
            .filter(|id| id.len() == 40)
            .map(str::to_string)
            .unwrap_or_else(|| crate::replication::NO_REPLID.to_string());
        let offset = words
            .next()
            .and_then(|o| o.parse::<u64>().ok())
            .unwrap_or(0);
        tracing::info!("Full resync from master: {replid}:{offset}");
        Some((replid, offset))
    } else if let Some(rest) = reply.strip_prefix("+CONTINUE") {
        continue_partially(server, stop, rest.trim())?;
        None
    } else if reply.starts_with("-NOMASTERLINK") || reply.starts_with("-LOADING") {
        return Err(format!(
            "Master is currently unable to PSYNC but should be in the future: {reply}"
        ));
    } else if reply.starts_with('-') {
        // A master without PSYNC: the old SYNC, whose snapshot follows without a header.
        tracing::info!("Master does not support PSYNC or is in error state (reply: {reply})");
        link.send(&[b"SYNC"]).await?;
        Some((crate::server::random_hex40(), 0))
    } else {
        return Err(format!("Unexpected reply to PSYNC from master: {reply}"));
    };
    if let Some((replid, offset)) = full {
        let (rdb, eof_framed) = receive_snapshot(server, stop, &mut link).await?;
        load_snapshot(server, stop, &mut link, rdb, replid, offset).await?;
        if eof_framed {
            // The master sends nothing after the mark until this first ACK.
            let offset = server.store.lock().feed.offset.to_string();
            link.send(&[b"REPLCONF", b"ACK", offset.as_bytes()]).await?;
        }
        tracing::info!("MASTER <-> REPLICA sync: Finished with success");
    } else {
        tracing::info!("Successful partial resynchronization with master.");
    }
    stream(server, stop, link).await
}

/// PING, then AUTH and REPLCONF back to back, and every reply read before PSYNC (a master
/// refuses PSYNC with replies still pending).
async fn handshake(link: &mut Link, settings: &Settings) -> Result<(), String> {
    link.send(&[b"PING"]).await?;
    let pong = link.line(true).await?;
    let auth_pending = pong.starts_with("-NOAUTH")
        || pong.starts_with("-NOPERM")
        || pong.starts_with("-ERR operation not permitted");
    if pong.starts_with('-') && !auth_pending {
        return Err(format!("Error reply to PING from master: '{pong}'"));
    }
    let mut expect_auth = false;
    let mut out = Vec::new();
    if let Some(pass) = &settings.masterauth {
        let mut auth: Vec<&[u8]> = vec![b"AUTH"];
        if let Some(user) = &settings.masteruser {
            auth.push(user.as_bytes());
        }
        auth.push(pass.as_bytes());
        crate::propagate::encode_command(&mut out, &auth);
        expect_auth = true;
    }
    let port = settings.announce_port.to_string();
    crate::propagate::encode_command(
        &mut out,
        &[&b"REPLCONF"[..], b"listening-port", port.as_bytes()],
    );
    let mut replconfs = 1;
    if let Some(ip) = &settings.announce_ip {
        crate::propagate::encode_command(
            &mut out,
            &[&b"REPLCONF"[..], b"ip-address", ip.as_bytes()],
        );
        replconfs += 1;
    }
    crate::propagate::encode_command(
        &mut out,
        &[&b"REPLCONF"[..], b"capa", b"eof", b"capa", b"psync2"],
    );
    replconfs += 1;
    link.write(&out).await?;
    if expect_auth {
        let reply = link.line(true).await?;
        if reply.starts_with('-') {
            return Err(format!("Unable to AUTH to MASTER: {reply}"));
        }
    }
    for _ in 0..replconfs {
        let reply = link.line(true).await?;
        if reply.starts_with('-') {
            tracing::info!("(Non critical) Master does not understand REPLCONF: {reply}");
        }
    }
    Ok(())
}

/// `+CONTINUE [replid]`: the stream follows. A new id means the master was promoted from a
/// sibling: its history continues ours, and our sub-replicas must learn the new id.
fn continue_partially(server: &Server, stop: &Stop, new_id: &str) -> Result<(), String> {
    let mut store = server.store.lock();
    ensure_current(&store, stop)?;
    if new_id.len() == 40 && new_id != store.replication.replid {
        let offset = store.feed.offset;
        let repl = &mut store.replication;
        repl.replid2 = std::mem::replace(&mut repl.replid, new_id.to_string());
        repl.second_offset = offset as i64 + 1;
        tracing::info!(
            "Master replication ID changed to {new_id}, secondary ID valid up to offset {}",
            repl.second_offset
        );
        repl.disconnect_replicas();
    }
    Ok(())
}

/// The snapshot of a full resync, in the `$<len>` or the `$EOF:<mark>` framing. Returns the
/// RDB bytes and whether it was EOF-framed.
async fn receive_snapshot(
    server: &Server,
    stop: &Stop,
    link: &mut Link,
) -> Result<(Vec<u8>, bool), String> {
    set_link(server, stop, |l| {
        l.state = LinkState::Transfer;
        l.transfer = Some((-1, 0));
    });
    let header = link.line(true).await?;
    if header.starts_with('-') {
        return Err(format!(
            "MASTER aborted replication with an error: {header}"
        ));
    }
    let Some(size) = header.strip_prefix('$') else {
        return Err(format!(
            "Bad protocol from MASTER, the first byte is not '$' (we received '{header}'), are you sure the host and port are right?"
        ));
    };
    if let Some(mark) = size.strip_prefix("EOF:") {
        let mark = mark.as_bytes().to_vec();
        if mark.len() != 40 {
            return Err("Bad EOF mark from MASTER".into());
        }
        tracing::info!(
            "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk"
        );
        loop {
            if link.buf.len() >= mark.len() && link.buf.ends_with(&mark) {
                let mut rdb = link.buf.split().to_vec();
                rdb.truncate(rdb.len() - mark.len());
                return Ok((rdb, true));
            }
            link.fill().await?;
            let read = link.buf.len() as u64;
            set_link(server, stop, |l| {
                l.transfer = Some((-1, read));
                l.last_io_ms = unix_ms();
            });
        }
    }
    let total: usize = size
        .parse()
        .map_err(|_| format!("Bad snapshot length from MASTER: '{header}'"))?;
    tracing::info!("MASTER <-> REPLICA sync: receiving {total} bytes from master to disk");
    while link.buf.len() < total {
        link.fill().await?;
        let read = link.buf.len().min(total) as u64;
        set_link(server, stop, |l| {
            l.transfer = Some((total as i64, read));
            l.last_io_ms = unix_ms();
        });
    }
    // The stream starts right after the snapshot, with no CRLF between.
    Ok((link.buf.split_to(total).to_vec(), false))
}

/// The snapshot, checked and parsed into fresh databases off the async threads (with a `\n`
/// to the master every second meanwhile), then swapped in as the new data and history.
async fn load_snapshot(
    server: &Arc<Server>,
    stop: &Stop,
    link: &mut Link,
    rdb: Vec<u8>,
    replid: String,
    offset: u64,
) -> Result<(), String> {
    tracing::info!("MASTER <-> REPLICA sync: Loading DB in memory");
    let parsing = tokio::task::spawn_blocking({
        let server = server.clone();
        move || parse_snapshot(&server, &rdb)
    });
    tokio::pin!(parsing);
    let mut keepalive = tokio::time::interval(Duration::from_secs(1));
    keepalive.tick().await;
    let parsed = loop {
        tokio::select! {
            done = &mut parsing => break done.map_err(|e| e.to_string())??,
            _ = keepalive.tick() => link.write(b"\n").await?,
        }
    };
    let (mut dbs, stream_db, keys) = parsed;
    let mut guard = server.store.lock();
    let store = &mut *guard;
    ensure_current(store, stop)?;
    // The old data goes; so does any snapshot of it, and every sub-replica of its history.
    crate::snapshot::abandon(store);
    let aof_was_on = store.aof.on;
    if aof_was_on {
        crate::aof::stop(store);
    }
    for (live, fresh) in store.dbs.iter_mut().zip(dbs.iter_mut()) {
        store.watch.touch_db_where(live.id, |_| true);
        live.swap_contents(fresh);
        live.expire_mode = ExpireMode::Hide;
    }
    store.dirty += 1;
    let repl = &mut store.replication;
    repl.disconnect_replicas();
    repl.replid = replid;
    repl.clear_replid2();
    repl.psync_cached = true;
    repl.relay_db = stream_db;
    let size = store.config.repl_backlog_size as usize;
    repl.backlog = Some(Backlog::new(offset, size));
    store.feed.offset = offset;
    store.feed.set_consumer(CONSUMER_REPLICAS, true);
    store.feed.set_muted(true);
    if let Some(l) = store.replication.master.as_mut() {
        l.transfer = None;
        l.read_offset = offset;
    }
    if aof_was_on && let Err(err) = crate::aof::rewrite::start_appendonly(server, store) {
        tracing::warn!("{err}");
    }
    drop(guard);
    // The old data is freed off the async threads (Redis frees it before loading, inline).
    tokio::task::spawn_blocking(move || drop(dbs));
    tracing::info!("Done loading RDB, keys loaded: {keys}.");
    Ok(())
}

type Parsed = (Vec<crate::keyspace::Db>, usize, u64);

/// The RDB into fresh databases; keys already expired are kept (the master's DEL removes
/// them), as Redis loads for replication.
fn parse_snapshot(server: &Server, rdb: &[u8]) -> Result<Parsed, String> {
    use crate::rdb::load::{Item, RdbParser};
    let (config, mut dbs) = {
        let store = server.store.lock();
        (store.config.clone(), crate::persist::fresh_dbs(&store))
    };
    let fail =
        |e: String| format!("Failed trying to load the MASTER synchronization DB from socket: {e}");
    let mut parser =
        RdbParser::new(rdb, &config, config.rdbchecksum).map_err(|e| fail(e.to_string()))?;
    let now = unix_ms();
    let mut stream_db = 0;
    let mut keys = 0;
    while let Some(item) = parser.next_item().map_err(|e| fail(e.to_string()))? {
        match item {
            Item::Aux { key, value } if key == b"repl-stream-db" => {
                stream_db = String::from_utf8_lossy(&value).parse().unwrap_or(0);
            }
            Item::Entry { db, entry } => {
                let Some(target) = dbs.get_mut(db) else {
                    return Err(fail(format!("database {db} is out of range")));
                };
                entry.insert_into(target, now);
                keys += 1;
            }
            _ => {}
        }
    }
    Ok((dbs, stream_db.min(config.databases.saturating_sub(1)), keys))
}

/// The master's stream, applied as it comes, until the link fails or REPLICAOF moves.
async fn stream(server: &Arc<Server>, stop: &Stop, mut link: Link) -> Result<(), String> {
    let addr = link
        .socket
        .peer_addr()
        .map_err(|e| format!("Error condition on socket for SYNC: {e}"))?;
    let laddr = link.socket.local_addr().unwrap_or(addr);
    let (push_tx, _push_rx) = tokio::sync::mpsc::unbounded_channel();
    let handle = Arc::new(ClientHandle::new(
        server.next_client_id(),
        addr,
        laddr,
        push_tx,
    ));
    handle
        .role
        .store(crate::client::ROLE_MASTER, Ordering::Relaxed);
    let mut client = ClientState::new(handle.clone(), true);
    {
        let mut store = server.store.lock();
        client.db = store.replication.relay_db;
        let Some(l) = store
            .replication
            .master
            .as_mut()
            .filter(|l| l.stop.same_as(stop))
        else {
            return Err("REPLICAOF changed during the handshake".into());
        };
        l.state = LinkState::Connected;
        l.down_since_ms = None;
        l.last_io_ms = unix_ms();
        l.client = Some(handle.clone());
        store.clients.insert(handle.id, handle.clone());
    }
    let result = apply_stream(server, &mut link, &mut client).await;
    server.store.lock().clients.remove(&handle.id);
    result
}

async fn apply_stream(
    server: &Arc<Server>,
    link: &mut Link,
    client: &mut ClientState,
) -> Result<(), String> {
    let kill = client.handle.kill.clone();
    let mut parser = RequestParser::new(u64::MAX);
    let mut out = ReplyBuf::default();
    // The bytes of a MULTI block, relayed (and counted) only once its EXEC is applied.
    let mut unfinished = Vec::new();
    let mut ack_timer = tokio::time::interval(Duration::from_secs(1));
    // The first periodic ACK a second from now, not at once.
    ack_timer.reset();
    let mut last_io = tokio::time::Instant::now();
    let mut batch: Vec<Request> = Vec::new();
    loop {
        // What is buffered already (the stream may have followed the snapshot at once).
        loop {
            match parser.parse(&mut link.buf) {
                Ok(Some(req)) => batch.push(req),
                Ok(None) => break,
                Err(err) => return Err(format!("Protocol error from MASTER: {err:?}")),
            }
        }
        if !batch.is_empty() {
            let ack = apply_batch(
                server,
                client,
                &mut out,
                &mut batch,
                &mut unfinished,
                link.buf.len(),
            )?;
            if let Some(offset) = ack {
                let offset = offset.to_string();
                link.send(&[b"REPLCONF", b"ACK", offset.as_bytes()]).await?;
            }
        }
        tokio::select! {
            _ = kill.cancelled() => return Err("Connection with master lost (killed).".into()),
            _ = ack_timer.tick() => {
                let (offset, timeout) = {
                    let store = server.store.lock();
                    (store.feed.offset, Duration::from_secs(store.config.repl_timeout.max(1) as u64))
                };
                if last_io.elapsed() > timeout {
                    return Err("MASTER timeout: no data nor PING received...".into());
                }
                link.send(&[b"REPLCONF", b"ACK", offset.to_string().as_bytes()]).await?;
            }
            read = link.socket.read_buf(&mut link.buf) => {
                match read {
                    Ok(0) => return Err("Connection with master lost.".into()),
                    Err(err) => return Err(format!("Connection with master lost: {err}")),
                    Ok(n) => {
                        last_io = tokio::time::Instant::now();
                        server.stats.net_input_bytes.fetch_add(n as u64, Ordering::Relaxed);
                    }
                }
            }
        }
    }
}

/// Apply the master's commands under one lock hold; returns the offset to acknowledge at once
/// when the master asked (`REPLCONF GETACK`, which is not counted in the ACK it triggers).
fn apply_batch(
    server: &Server,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    batch: &mut Vec<Request>,
    unfinished: &mut Vec<u8>,
    buffered: usize,
) -> Result<Option<u64>, String> {
    let mut store = server.lock_store();
    // REPLICAOF may have moved (or promoted us) since these bytes were read: the link's
    // client was killed under this lock, and nothing it read may be applied now.
    if client.handle.kill.is_cancelled() {
        return Err("Connection with master lost (REPLICAOF changed).".into());
    }
    let now = unix_ms();
    let mut ack = None;
    for req in batch.drain(..) {
        let getack = req.args.len() >= 2
            && args::is(&req.args[0], "replconf")
            && args::is(&req.args[1], "getack");
        if getack {
            ack = Some(store.feed.offset);
        } else if !crate::exec::execute_loading(server, &mut store, client, out, &req, now) {
            tracing::warn!(
                "Unknown command '{}' from the MASTER: skipped",
                String::from_utf8_lossy(&req.args[0])
            );
        }
        out.clear();
        unfinished.extend_from_slice(&req.raw);
        if client.multi.is_none() {
            store.feed.push_raw(unfinished);
            unfinished.clear();
        }
    }
    store.replication.relay_db = client.db;
    crate::propagate::deliver(&mut store);
    let offset = store.feed.offset;
    if let Some(l) = store.replication.master.as_mut() {
        l.last_io_ms = now;
        l.read_offset = offset + (unfinished.len() + buffered) as u64;
    }
    client
        .handle
        .last_interaction_ms
        .store(now, Ordering::Relaxed);
    Ok(ack)
}

/// The replica's lines of INFO's `# Replication`, up to `replica_announced`.
pub fn info(out: &mut String, store: &Store, link: &MasterLink, now_ms: u64) {
    use std::fmt::Write;
    let connected = link.state == LinkState::Connected;
    let secs = |since: u64| now_ms.saturating_sub(since) / 1000;
    let last_io = if connected {
        secs(link.last_io_ms) as i64
    } else {
        -1
    };
    let offset = store.feed.offset;
    let _ = write!(
        out,
        "role:slave\r\nmaster_host:{}\r\nmaster_port:{}\r\nmaster_link_status:{}\r\nmaster_last_io_seconds_ago:{last_io}\r\nmaster_sync_in_progress:{}\r\nslave_read_repl_offset:{}\r\nslave_repl_offset:{offset}\r\n",
        link.host,
        link.port,
        if connected { "up" } else { "down" },
        u8::from(link.state == LinkState::Transfer),
        link.read_offset.max(offset),
    );
    if let Some((total, read)) = link.transfer {
        let left = if total >= 0 { total - read as i64 } else { -1 };
        let perc = if total > 0 {
            read as f64 * 100.0 / total as f64
        } else {
            0.0
        };
        let _ = write!(
            out,
            "master_sync_total_bytes:{total}\r\nmaster_sync_read_bytes:{read}\r\nmaster_sync_left_bytes:{left}\r\nmaster_sync_perc:{perc:.2}\r\nmaster_sync_last_io_seconds_ago:{}\r\n",
            secs(link.last_io_ms)
        );
    }
    if !connected {
        let down = link.down_since_ms.map_or(-1, |since| secs(since) as i64);
        let _ = write!(out, "master_link_down_since_seconds:{down}\r\n");
    }
    let c = &store.config;
    let _ = write!(
        out,
        "slave_priority:{}\r\nslave_read_only:{}\r\nreplica_announced:{}\r\n",
        c.replica_priority,
        u8::from(c.replica_read_only),
        u8::from(c.replica_announced)
    );
}

/// The refusals a replica makes before running a client's command: `-READONLY` for writes,
/// `-MASTERDOWN` while the link is down with `replica-serve-stale-data no`.
pub fn refusal(store: &Store, cmd: &wire::Command, writes: bool) -> Option<&'static str> {
    let link = store.replication.master.as_ref()?;
    if writes && store.config.replica_read_only {
        return Some(READONLY_ERROR);
    }
    if link.state != LinkState::Connected
        && !store.config.replica_serve_stale_data
        && !cmd.has(wire::command::flags::STALE)
    {
        return Some(MASTERDOWN_ERROR);
    }
    None
}

/// At start-up: `replicaof` from the configuration.
pub fn start(server: &Server) {
    let mut store = server.store.lock();
    if let Some((host, port)) = store.config.replicaof.clone() {
        follow(server, &mut store, host, port);
        // Nothing loaded names a history to continue: `PSYNC ? -1`.
        store.replication.psync_cached = false;
    }
}
