//! One client connection. Requests are parsed with their raw bytes; each is answered locally,
//! forwarded unchanged over the session's shared pipelined backend connection, or (stateful
//! traffic) over a connection leased to the session. Replies go out in request order: the
//! reader queues one slot per request and a writer task resolves the slots in turn.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use futures::FutureExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::{mpsc, watch};
use wire::client::{Delivery, Error as ClientError};
use wire::command::{Command, ResolveError, flags};
use wire::request::parse_i64;
use wire::{Frame, Protocol, ReplyBuf, Request, RequestParser};

use crate::backend::{Backend, ConnectError, Lease};
use crate::config::{Consistency, ListenerConfig, ReadPolicy};
use crate::pipe::{BatchReply, Pipe};
use crate::route;
use crate::topology::{Group, Topology};
use crate::{Process, info, offsets};

/// Requests a client may have in flight before the proxy stops reading from it.
const MAX_IN_FLIGHT: usize = 1024;
/// Bytes read ahead from a client while its blocking command waits.
const MAX_BUFFERED_WHILE_BLOCKED: usize = 1024 * 1024;

/// Requests for one shared backend connection sent as one batch at most (a client's pipeline
/// is forwarded in batches: one queue entry, one reply slot and one timer per batch).
const BATCH_MAX: usize = 64;
/// Request bytes in one batch at most.
const BATCH_BYTES: usize = 64 * 1024;

/// The replies of one slot, in order.
type ReplyFuture = Pin<Box<dyn Future<Output = Vec<Bytes>> + Send>>;

/// Consecutive requests of a client for the same shared backend connection, not sent yet.
struct Batch {
    pipe: Arc<Pipe>,
    backend: Arc<Backend>,
    role: &'static str,
    raw: Vec<Bytes>,
    bytes: usize,
    cmds: Vec<Option<&'static Command>>,
    /// How many are not reads.
    writes: usize,
}

enum Out {
    Ready(Bytes),
    /// A pub/sub message or confirmation: counted against the output buffer limit.
    Counted(Bytes),
    Reply(ReplyFuture),
    Close,
}

/// Connection state leased with a backend connection.
struct Leased {
    backend: Arc<Backend>,
    lease: Lease,
    in_multi: bool,
    watching: bool,
    /// Subscribed (or (un)subscribe confirmations still expected): backend frames are relayed
    /// as they come.
    pubsub: bool,
}

impl Leased {
    fn is_idle(&self) -> bool {
        !self.in_multi && !self.watching && !self.pubsub
    }
}

struct Session {
    id: u64,
    peer: SocketAddr,
    group: Arc<Group>,
    process: Arc<Process>,
    protocol: Protocol,
    db: u32,
    name: Option<Bytes>,
    lib_name: Option<Bytes>,
    lib_ver: Option<Bytes>,
    authenticated: bool,
    lease: Option<Leased>,
    out: mpsc::Sender<Out>,
    /// Shared-connection requests parsed and not yet queued (sent before anything else is).
    batch: Option<Batch>,
    queued: u64,
    written: watch::Receiver<u64>,
    /// Pub/sub bytes queued and not yet written.
    pending_bytes: Arc<AtomicUsize>,
    closing: bool,
    /// Closing because of a limit: what is queued is not worth waiting for.
    killed: bool,
    input: OwnedReadHalf,
    /// Bytes read from the client and not parsed yet.
    inbuf: BytesMut,
    /// What the client is subscribed to (kind, channel or pattern), as the backend confirmed
    /// it: replayed on a new connection when the leased one breaks.
    subscriptions: std::collections::BTreeSet<(&'static str, Bytes)>,
    writes: Arc<Writes>,
    /// The master the session's last master request went to.
    last_master: Option<SocketAddr>,
}

/// Serve one accepted client until it leaves or `stop` fires.
pub async fn serve(
    socket: TcpStream,
    peer: SocketAddr,
    group: Arc<Group>,
    process: Arc<Process>,
    stop: tokio_util::sync::CancellationToken,
) {
    let _ = socket.set_nodelay(true);
    let (reader, writer) = socket.into_split();
    let (out_tx, out_rx) = mpsc::channel(MAX_IN_FLIGHT);
    let (written_tx, written_rx) = watch::channel(0u64);
    let pending_bytes = Arc::new(AtomicUsize::new(0));
    let writer_task = tokio::spawn(write_replies(
        writer,
        out_rx,
        written_tx,
        pending_bytes.clone(),
    ));
    let authenticated = group.settings.load().requirepass.is_none();
    let mut session = Session {
        id: process.next_client_id.fetch_add(1, Ordering::Relaxed),
        peer,
        group,
        process,
        protocol: Protocol::Resp2,
        db: 0,
        name: None,
        lib_name: None,
        lib_ver: None,
        authenticated,
        lease: None,
        out: out_tx,
        batch: None,
        queued: 0,
        written: written_rx,
        pending_bytes,
        closing: false,
        killed: false,
        input: reader,
        inbuf: BytesMut::with_capacity(16 * 1024),
        subscriptions: std::collections::BTreeSet::new(),
        writes: Arc::new(Writes::default()),
        last_master: None,
    };
    let mut parser = RequestParser::default();
    parser.set_unauthenticated(!session.authenticated);
    'serve: loop {
        loop {
            match parser.parse(&mut session.inbuf) {
                Ok(Some(request)) => {
                    session.handle(request).await;
                    parser.set_unauthenticated(!session.authenticated);
                    if session.closing {
                        break 'serve;
                    }
                }
                Ok(None) => {
                    // Everything the last read brought is parsed: send what is batched.
                    session.flush_batch().await;
                    break;
                }
                Err(e) => {
                    session.ready(Bytes::from(e.reply_line())).await;
                    tracing::debug!(client = %session.peer, error = %e, "client protocol error");
                    break 'serve;
                }
            }
        }
        session.inbuf.reserve(16 * 1024);
        let relaying = session.lease.as_ref().is_some_and(|l| l.pubsub);
        if relaying {
            let Some(leased) = session.lease.as_mut() else {
                break;
            };
            tokio::select! {
                _ = stop.cancelled() => break,
                read = session.input.read_buf(&mut session.inbuf) => {
                    if !matches!(read, Ok(n) if n > 0) {
                        break;
                    }
                }
                frame = leased.lease.conn.read_frame() => session.relay(frame).await,
            }
            if session.closing {
                break;
            }
        } else {
            tokio::select! {
                _ = stop.cancelled() => break,
                read = session.input.read_buf(&mut session.inbuf) => {
                    if !matches!(read, Ok(n) if n > 0) {
                        break;
                    }
                }
            }
        }
    }
    session.flush_batch().await;
    session.end_lease_on_exit();
    if session.killed {
        writer_task.abort();
        return;
    }
    let _ = session.out.send(Out::Close).await;
    drop(session);
    // A client that stopped reading does not keep its session alive for long.
    let mut writer_task = writer_task;
    if tokio::time::timeout(Duration::from_secs(30), &mut writer_task)
        .await
        .is_err()
    {
        writer_task.abort();
    }
}

/// Resolve reply slots in order and write them, coalescing what is ready.
async fn write_replies(
    mut sink: OwnedWriteHalf,
    mut slots: mpsc::Receiver<Out>,
    written: watch::Sender<u64>,
    pending_bytes: Arc<AtomicUsize>,
) {
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut counted = 0usize;
    let mut done = 0u64;
    loop {
        let slot = if buf.is_empty() {
            slots.recv().await
        } else {
            match slots.try_recv() {
                Ok(slot) => Some(slot),
                Err(mpsc::error::TryRecvError::Empty) => {
                    if flush(&mut sink, &mut buf, &pending_bytes, &mut counted)
                        .await
                        .is_err()
                    {
                        break;
                    }
                    let _ = written.send(done);
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => None,
            }
        };
        match slot {
            None => break,
            Some(Out::Ready(bytes)) => buf.extend_from_slice(&bytes),
            Some(Out::Counted(bytes)) => {
                counted += bytes.len();
                buf.extend_from_slice(&bytes);
            }
            Some(Out::Reply(mut reply)) => {
                let replies = match (&mut reply).now_or_never() {
                    Some(replies) => replies,
                    None => {
                        if flush(&mut sink, &mut buf, &pending_bytes, &mut counted)
                            .await
                            .is_err()
                        {
                            break;
                        }
                        let _ = written.send(done);
                        reply.await
                    }
                };
                for bytes in &replies {
                    buf.extend_from_slice(bytes);
                }
            }
            Some(Out::Close) => {
                let _ = flush(&mut sink, &mut buf, &pending_bytes, &mut counted).await;
                break;
            }
        }
        done += 1;
        if buf.len() >= 256 * 1024
            && flush(&mut sink, &mut buf, &pending_bytes, &mut counted)
                .await
                .is_err()
        {
            break;
        }
    }
    let _ = written.send(u64::MAX);
    let _ = sink.shutdown().await;
}

async fn flush(
    sink: &mut OwnedWriteHalf,
    buf: &mut Vec<u8>,
    pending_bytes: &AtomicUsize,
    counted: &mut usize,
) -> std::io::Result<()> {
    let result = sink.write_all(buf).await;
    buf.clear();
    pending_bytes.fetch_sub(std::mem::take(counted), Ordering::Relaxed);
    result
}

fn error_line(text: &str) -> Bytes {
    let mut out = ReplyBuf::new(Protocol::Resp2);
    out.error(text);
    Bytes::from(out.buf)
}

/// An error made at the proxy about a backend, saying whether a retry is safe.
fn backend_error(backend: &Backend, role: &str, error: &ClientError) -> Bytes {
    let safety = match error.delivery() {
        Delivery::NotSent => "not sent, safe to retry",
        Delivery::MaybeExecuted => "may have run, retry only if idempotent",
    };
    error_line(&format!(
        "ERR proxy: {role} {} failed: {error} ({safety})",
        backend.addr
    ))
}

fn connect_error(backend: &Backend, role: &str, error: &ConnectError) -> Bytes {
    error_line(&format!(
        "ERR proxy: {role} {} unavailable: {error} (not sent, safe to retry)",
        backend.addr
    ))
}

/// Commands that would act on one backend behind the router's back, or break the session's
/// request/reply order.
fn rejected(cmd: &Command) -> bool {
    matches!(
        cmd.name,
        "replicaof"
            | "slaveof"
            | "monitor"
            | "shutdown"
            | "debug"
            | "sync"
            | "psync"
            | "failover"
            | "config|set"
            | "config|rewrite"
            | "config|resetstat"
    ) || cmd.name.starts_with("cluster")
}

fn is_subscription(cmd: &Command) -> bool {
    matches!(
        cmd.name,
        "subscribe" | "psubscribe" | "ssubscribe" | "unsubscribe" | "punsubscribe" | "sunsubscribe"
    )
}

impl Session {
    /// Queue a reply slot, after whatever is batched (replies stay in request order).
    async fn push(&mut self, slot: Out) {
        self.flush_batch().await;
        self.push_slot(slot).await;
    }

    async fn push_slot(&mut self, slot: Out) {
        self.queued += 1;
        if self.out.send(slot).await.is_err() {
            self.closing = true;
        }
    }

    async fn ready(&mut self, bytes: Bytes) {
        self.push(Out::Ready(bytes)).await;
    }

    async fn error(&mut self, text: &str) {
        self.ready(error_line(text)).await;
    }

    async fn reply(&mut self, write: impl FnOnce(&mut ReplyBuf)) {
        let mut out = ReplyBuf::new(self.protocol);
        write(&mut out);
        self.ready(Bytes::from(out.buf)).await;
    }

    /// Wait until every reply queued so far is written: what comes next may run on another
    /// backend connection and must see their effects.
    async fn barrier(&mut self) {
        self.flush_batch().await;
        let target = self.queued;
        let _ = self.written.wait_for(|w| *w >= target).await;
    }

    async fn handle(&mut self, request: Request) {
        // Inside MULTI the backend must see a malformed command itself, so that EXEC aborts.
        let backend_checks = self.lease.is_some() && self.authenticated;
        let cmd = match wire::command::resolve(&request.args) {
            Ok(cmd) => Some(cmd),
            Err(ResolveError::Unknown) => None,
            Err(_) if backend_checks => None,
            Err(e) => {
                let text = e.message(&request.args);
                return self.ready(error_bytes(&text)).await;
            }
        };
        let name = cmd.map_or("", |c| c.name);
        if !self.authenticated {
            // Redis's order: an unknown command or a wrong arity first, then NOAUTH.
            let Some(known) = cmd else {
                let text = wire::command::unknown_command_message(&request.args);
                return self.ready(error_bytes(&text)).await;
            };
            if known.arity_ok(request.args.len())
                && !matches!(name, "auth" | "hello" | "quit" | "reset")
            {
                return self.error("NOAUTH Authentication required.").await;
            }
        }
        let rejected_name = match cmd {
            Some(c) if rejected(c) => Some(&request.args[0]),
            None if request.args[0].eq_ignore_ascii_case(b"cluster") => Some(&request.args[0]),
            _ => None,
        };
        if let Some(shown) = rejected_name {
            self.group.stats.rejected.fetch_add(1, Ordering::Relaxed);
            let shown = String::from_utf8_lossy(shown).to_ascii_uppercase();
            return self
                .error(&format!(
                    "ERR proxy: {shown} is not supported through Switchyard; run it against a backend directly"
                ))
                .await;
        }
        // Commands answered here even inside MULTI must be well-formed before they are looked at.
        let answered_here = matches!(name, "quit" | "reset" | "auth" | "hello" | "select")
            || name.starts_with("client");
        if let Some(cmd) = cmd
            && (!backend_checks || answered_here)
            && !cmd.arity_ok(request.args.len())
        {
            return self.error(&wire::command::arity_message(cmd)).await;
        }
        if self.local(name, &request).await {
            self.group
                .stats
                .answered_locally
                .fetch_add(1, Ordering::Relaxed);
            return;
        }
        if self.lease.is_some() {
            return self.forward_leased(cmd, request).await;
        }
        if let Some(cmd) = cmd {
            let stateful = matches!(cmd.name, "multi" | "watch")
                || cmd.has(flags::BLOCKING)
                || is_subscription(cmd);
            if stateful {
                return self.start_lease(cmd, request).await;
            }
            match cmd.name {
                "exec" => return self.error("ERR EXEC without MULTI").await,
                "discard" => return self.error("ERR DISCARD without MULTI").await,
                "unwatch" => return self.reply(|o| o.ok()).await,
                _ => {}
            }
        }
        self.forward_shared(cmd, request).await;
    }

    /// Commands answered at the proxy. Returns false for anything to forward.
    async fn local(&mut self, name: &str, request: &Request) -> bool {
        let args = &request.args;
        let in_pubsub = self.lease.as_ref().is_some_and(|l| l.pubsub);
        match name {
            "ping" if !in_pubsub && self.lease.is_none() => {
                match args.get(1) {
                    Some(msg) => {
                        let msg = msg.clone();
                        self.reply(|o| o.bulk(&msg)).await
                    }
                    None => self.reply(|o| o.simple("PONG")).await,
                }
                true
            }
            "echo" if self.lease.is_none() => {
                let msg = args[1].clone();
                self.reply(|o| o.bulk(&msg)).await;
                true
            }
            "quit" => {
                self.reply(|o| o.ok()).await;
                self.closing = true;
                true
            }
            "reset" => {
                self.drop_lease();
                self.protocol = Protocol::Resp2;
                self.db = 0;
                self.name = None;
                self.authenticated = self.group.settings.load().requirepass.is_none();
                self.reply(|o| o.simple("RESET")).await;
                true
            }
            "auth" => {
                self.auth(args).await;
                true
            }
            "hello" => {
                self.hello(args).await;
                true
            }
            "select" => {
                self.select(args).await;
                true
            }
            "info" if self.lease.is_none() => {
                let text = info::render(&self.group, &self.process, args.get(1));
                self.reply(|o| o.verbatim(text.as_bytes())).await;
                true
            }
            n if n.starts_with("client") => {
                self.client(name, args).await;
                true
            }
            _ => false,
        }
    }

    async fn auth(&mut self, args: &[Bytes]) {
        let required = self.group.settings.load().requirepass.clone();
        let (user, pass) = match args.len() {
            2 => (None, &args[1]),
            3 => (Some(&args[1]), &args[2]),
            _ => return self.error("ERR syntax error").await,
        };
        match required {
            None if user.is_none() => {
                self.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?").await
            }
            None => self.reply(|o| o.ok()).await,
            Some(required) => {
                let user_ok = user.is_none_or(|u| u.as_ref() == b"default");
                if user_ok && pass.as_ref() == required.as_bytes() {
                    self.authenticated = true;
                    self.reply(|o| o.ok()).await
                } else {
                    self.error("WRONGPASS invalid username-password pair or user is disabled.")
                        .await
                }
            }
        }
    }

    async fn hello(&mut self, args: &[Bytes]) {
        let mut protocol = self.protocol;
        let mut i = 1;
        if let Some(version) = args.get(1) {
            match parse_i64(version) {
                Some(2) => protocol = Protocol::Resp2,
                Some(3) => protocol = Protocol::Resp3,
                Some(_) => return self.error("NOPROTO unsupported protocol version").await,
                None => {
                    return self
                        .error("ERR Protocol version is not an integer or out of range")
                        .await;
                }
            }
            i = 2;
        }
        let mut auth: Option<(Bytes, Bytes)> = None;
        let mut setname: Option<Bytes> = None;
        while i < args.len() {
            let word = args[i].to_ascii_lowercase();
            if word == b"auth" && i + 2 < args.len() {
                auth = Some((args[i + 1].clone(), args[i + 2].clone()));
                i += 3;
            } else if word == b"setname" && i + 1 < args.len() {
                setname = Some(args[i + 1].clone());
                i += 2;
            } else {
                let shown = String::from_utf8_lossy(&args[i]).into_owned();
                return self
                    .error(&format!("ERR Syntax error in HELLO option '{shown}'"))
                    .await;
            }
        }
        if let Some((user, pass)) = &auth {
            let required = self.group.settings.load().requirepass.clone();
            let ok = user.as_ref() == b"default"
                && required
                    .as_ref()
                    .is_none_or(|r| r.as_bytes() == pass.as_ref());
            if !ok {
                return self
                    .error("WRONGPASS invalid username-password pair or user is disabled.")
                    .await;
            }
            self.authenticated = true;
        }
        if !self.authenticated {
            return self.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time").await;
        }
        if protocol != self.protocol && self.lease.is_some() {
            return self
                .error("ERR proxy: HELLO cannot switch protocols inside MULTI, WATCH or SUBSCRIBE")
                .await;
        }
        if let Some(name) = setname {
            if !valid_name(&name) {
                return self
                    .error(
                        "ERR Client names cannot contain spaces, newlines or special characters.",
                    )
                    .await;
            }
            self.name = Some(name);
        }
        self.protocol = protocol;
        let id = self.id as i64;
        self.reply(|o| {
            o.map(7);
            o.bulk_str("server");
            o.bulk_str("redis");
            o.bulk_str("version");
            o.bulk_str("7.0.15");
            o.bulk_str("proto");
            o.int(protocol.version());
            o.bulk_str("id");
            o.int(id);
            o.bulk_str("mode");
            o.bulk_str("standalone");
            o.bulk_str("role");
            o.bulk_str("master");
            o.bulk_str("modules");
            o.array(0);
        })
        .await;
    }

    async fn select(&mut self, args: &[Bytes]) {
        let databases = self.group.settings.load().backend.databases;
        let Some(db) = parse_i64(&args[1]) else {
            return self
                .error("ERR value is not an integer or out of range")
                .await;
        };
        if db < 0 || db >= i64::from(databases) {
            return self.error("ERR DB index is out of range").await;
        }
        if self.lease.is_some() {
            return self
                .error("ERR proxy: SELECT inside MULTI, WATCH or SUBSCRIBE is not supported")
                .await;
        }
        self.db = db as u32;
        self.reply(|o| o.ok()).await;
    }

    async fn client(&mut self, name: &str, args: &[Bytes]) {
        match name {
            "client|setname" => {
                if !valid_name(&args[2]) {
                    return self
                        .error(
                            "ERR Client names cannot contain spaces, newlines or special characters.",
                        )
                        .await;
                }
                self.name = (!args[2].is_empty()).then(|| args[2].clone());
                self.reply(|o| o.ok()).await
            }
            "client|getname" => {
                let name = self.name.clone();
                self.reply(|o| match name {
                    Some(n) => o.bulk(&n),
                    None => o.null(),
                })
                .await
            }
            "client|id" => {
                let id = self.id as i64;
                self.reply(|o| o.int(id)).await
            }
            "client|setinfo" => {
                let attr = args[2].to_ascii_lowercase();
                match attr.as_slice() {
                    b"lib-name" => self.lib_name = Some(args[3].clone()),
                    b"lib-ver" => self.lib_ver = Some(args[3].clone()),
                    _ => {
                        let shown = String::from_utf8_lossy(&args[2]).into_owned();
                        return self
                            .error(&format!("ERR Unrecognized option '{shown}'"))
                            .await;
                    }
                }
                self.reply(|o| o.ok()).await
            }
            "client|info" => {
                let line = self.client_line();
                self.reply(|o| o.verbatim(line.as_bytes())).await
            }
            _ => {
                let sub = args
                    .get(1)
                    .map(|s| String::from_utf8_lossy(s).to_ascii_uppercase())
                    .unwrap_or_default();
                self.error(&format!(
                    "ERR proxy: CLIENT {sub} is not supported through Switchyard"
                ))
                .await
            }
        }
    }

    fn client_line(&self) -> String {
        let text = |b: &Option<Bytes>| {
            b.as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        format!(
            "id={} addr={} name={} db={} resp={} lib-name={} lib-ver={}\n",
            self.id,
            self.peer,
            text(&self.name),
            self.db,
            self.protocol.version(),
            text(&self.lib_name),
            text(&self.lib_ver)
        )
    }

    /// What a read of this session needs of a replica.
    fn need(&self, settings: &ListenerConfig) -> route::Need {
        let ryw = settings.consistency == Consistency::ReadYourWrites;
        route::Need {
            tracked: settings.tracks_offsets(),
            bound: settings.max_replica_lag,
            after: if ryw {
                self.writes.acked.load(Ordering::Acquire)
            } else {
                0
            },
        }
    }

    /// Whether one of the session's writes is unanswered: sent and waiting for its reply, or
    /// still in the batch being gathered (pipelined ahead of the read being routed, and not
    /// counted in flight until the batch is queued).
    fn writes_pending(&self) -> bool {
        self.writes.in_flight.load(Ordering::Acquire) > 0
            || self.batch.as_ref().is_some_and(|b| b.writes > 0)
    }

    /// Where a read goes: a replica the policy and the session's needs allow, else the master
    /// (or none, under `read-policy = "replica"`).
    fn route_read(
        &self,
        topology: &Topology,
        settings: &ListenerConfig,
    ) -> (Option<Arc<Backend>>, &'static str) {
        let stats = &self.group.stats;
        if settings.consistency == Consistency::ReadYourWrites && self.writes_pending() {
            // One of its own writes is unanswered (or not even sent yet, batched ahead of this
            // read): the read follows it on the master's connection, so it comes after it.
            if settings.read_policy != ReadPolicy::Master && !topology.replicas.is_empty() {
                stats.stale_skips.fetch_add(1, Ordering::Relaxed);
            }
            return (topology.master.clone(), "master");
        }
        let need = self.need(settings);
        let (picked, skipped) = route::pick_read(
            topology,
            settings.read_policy,
            settings.latency_tolerance,
            &need,
        );
        if skipped {
            stats.stale_skips.fetch_add(1, Ordering::Relaxed);
        }
        match picked {
            Some(b) => {
                let is_master = topology.master.as_ref().is_some_and(|m| m.addr == b.addr);
                (Some(b), if is_master { "master" } else { "replica" })
            }
            None => (None, "replica"),
        }
    }

    /// Forward over the session's shared pipelined connection to the backend the command
    /// routes to.
    async fn forward_shared(&mut self, cmd: Option<&'static Command>, request: Request) {
        let topology = self.group.topology.load_full();
        let settings = self.group.settings.load();
        let read = route::is_read(cmd);
        let (target, mut role) = if read {
            self.route_read(&topology, &settings)
        } else {
            (topology.master.clone(), "master")
        };
        // No settings guard is held across the awaits below.
        let (policy, holding) = (settings.read_policy, !settings.failover_hold.is_zero());
        drop(settings);
        let mut backend = target;
        let batched = |batch: &Option<Batch>, backend: &Option<Arc<Backend>>, role: &str| {
            batch.as_ref().is_some_and(|b| {
                backend.as_ref().is_some_and(|t| Arc::ptr_eq(&b.backend, t))
                    && b.role == role
                    && !b.pipe.is_closed()
                    && b.cmds.len() < BATCH_MAX
                    && b.bytes < BATCH_BYTES
            })
        };
        let mut pipe = None;
        if role == "replica" && !batched(&self.batch, &backend, role) {
            let Some(replica) = backend.clone() else {
                self.group.refresh.notify_one();
                let text = format!(
                    "ERR proxy: no replica available for group '{}' (not sent, safe to retry)",
                    self.group.name
                );
                return self.error(&text).await;
            };
            self.flush_batch().await;
            match replica.shared(self.protocol, self.db, self.id).await {
                Ok(p) => pipe = Some(p),
                Err(e) if policy == ReadPolicy::Replica => {
                    return self.connect_failed(&replica, role, &e).await;
                }
                Err(_) => {
                    // A replica that cannot be reached: the read goes to the master instead.
                    backend = topology.master.clone();
                    role = "master";
                }
            }
        }
        if role == "master" && !batched(&self.batch, &backend, role) {
            self.flush_batch().await;
            match self.master_pipe(backend, request.raw.len()).await {
                Ok((master, p)) => {
                    if holding && self.last_master.is_some_and(|a| a != master.addr) {
                        // Replies still due from the old master may be re-sent to this one:
                        // they go first.
                        self.barrier().await;
                    }
                    self.last_master = Some(master.addr);
                    backend = Some(master);
                    pipe = Some(p);
                }
                Err(line) => return self.ready(line).await,
            }
        }
        let Some(backend) = backend else {
            return;
        };
        let stats = &self.group.stats;
        match (read, role) {
            (true, "replica") => {
                stats.reads_to_replicas.fetch_add(1, Ordering::Relaxed);
                backend.reads_counter.increment(1);
            }
            (true, _) => {
                stats.reads_to_master.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                stats.writes.fetch_add(1, Ordering::Relaxed);
            }
        }
        backend.stats.requests.fetch_add(1, Ordering::Relaxed);
        backend.requests_counter.increment(1);
        let bytes = request.raw.len();
        match (pipe, self.batch.as_mut()) {
            (None, Some(batch)) => {
                batch.raw.push(request.raw);
                batch.bytes += bytes;
                batch.cmds.push(cmd);
                batch.writes += usize::from(!read);
            }
            (pipe, _) => {
                let Some(pipe) = pipe else {
                    return;
                };
                self.batch = Some(Batch {
                    pipe,
                    backend,
                    role,
                    raw: vec![request.raw],
                    bytes,
                    cmds: vec![cmd],
                    writes: usize::from(!read),
                });
            }
        }
    }

    /// The master's shared connection for this session; with `failover-hold-ms`, waits for a
    /// usable master when there is none. Err is the error line for the client.
    async fn master_pipe(
        &mut self,
        master: Option<Arc<Backend>>,
        bytes: usize,
    ) -> Result<(Arc<Backend>, Arc<Pipe>), Bytes> {
        let (protocol, db, affinity) = (self.protocol, self.db, self.id);
        on_master(
            &self.group,
            master,
            bytes,
            move |m: Arc<Backend>| async move { m.shared(protocol, db, affinity).await },
        )
        .await
    }

    /// Queue the batched requests on their backend connection, and one reply slot for them.
    async fn flush_batch(&mut self) {
        let Some(batch) = self.batch.take() else {
            return;
        };
        let Batch {
            pipe,
            backend,
            role,
            raw,
            cmds,
            writes,
            ..
        } = batch;
        let count = cmds.len();
        let (hold, ryw) = {
            let settings = self.group.settings.load();
            let ryw = settings.consistency == Consistency::ReadYourWrites;
            (settings.failover_hold, ryw)
        };
        // Read-your-writes follows the session's writes on shared connections.
        let writes = if ryw { writes } else { 0 };
        // With a hold, what was not executed can be sent again to the next master.
        let again = (role == "master" && !hold.is_zero()).then(|| Resend {
            raw: raw.clone(),
            protocol: self.protocol,
            db: self.db,
            affinity: self.id,
            hold,
        });
        let reply = pipe.queue(raw, count);
        let group = self.group.clone();
        let tracker = self.writes.clone();
        if writes > 0 {
            tracker.in_flight.fetch_add(writes, Ordering::AcqRel);
        }
        let started = Instant::now();
        self.push_slot(Out::Reply(Box::pin(async move {
            let result = reply.await;
            let elapsed = started.elapsed().as_secs_f64();
            for cmd in &cmds {
                latency_histogram(*cmd).record(elapsed);
            }
            let replies = settle(&group, &backend, role, &cmds, result, again).await;
            if writes > 0 {
                // The master answered them: later reads need a replica caught up past now.
                tracker.acked.fetch_max(offsets::now_ns(), Ordering::AcqRel);
                tracker.in_flight.fetch_sub(writes, Ordering::AcqRel);
            }
            replies
        })))
        .await;
    }

    async fn connect_failed(&mut self, backend: &Backend, role: &str, e: &ConnectError) {
        count_connect_failure(&self.group, backend);
        let line = connect_error(backend, role, e);
        self.ready(line).await;
    }

    /// MULTI, WATCH, a blocking command or a subscription: lease a connection to the master
    /// (or, for a blocking read, where reads go) and carry on there.
    async fn start_lease(&mut self, cmd: &'static Command, request: Request) {
        let topology = self.group.topology.load_full();
        let (target, role) = if cmd.has(flags::BLOCKING) && route::is_read(Some(cmd)) {
            self.route_read(&topology, &self.group.settings.load())
        } else {
            (topology.master.clone(), "master")
        };
        self.barrier().await;
        let (protocol, db) = (self.protocol, self.db);
        let attempt = move |m: Arc<Backend>| async move { m.lease(protocol, db).await };
        let (backend, lease) = match target {
            Some(b) if role == "replica" => match attempt(b.clone()).await {
                Ok(lease) => (b, lease),
                Err(e) => return self.connect_failed(&b, "backend", &e).await,
            },
            master => match on_master(&self.group, master, request.raw.len(), attempt).await {
                Ok(got) => got,
                Err(line) => return self.ready(line).await,
            },
        };
        self.group.stats.leased.fetch_add(1, Ordering::Relaxed);
        self.lease = Some(Leased {
            backend,
            lease,
            in_multi: false,
            watching: false,
            pubsub: false,
        });
        self.forward_leased(Some(cmd), request).await;
    }

    async fn forward_leased(&mut self, cmd: Option<&'static Command>, request: Request) {
        let timeout = self.group.settings.load().backend.command_timeout;
        let Some(leased) = self.lease.as_mut() else {
            return;
        };
        let name = cmd.map_or("", |c| c.name);
        let subscription = cmd.is_some_and(is_subscription);
        leased
            .backend
            .stats
            .requests
            .fetch_add(1, Ordering::Relaxed);
        leased.lease.conn.queue_raw(&request.raw);
        if let Err(e) = leased.lease.conn.flush().await {
            return self.lease_failed(&e).await;
        }
        if leased.pubsub || subscription {
            // Confirmations and replies come through the relay, in arrival order.
            leased.pubsub = true;
            return;
        }
        // A blocking command outside MULTI waits as long as it has to.
        let blocking = cmd.is_some_and(|c| c.has(flags::BLOCKING)) && !leased.in_multi;
        let read = async {
            loop {
                let decoded = leased.lease.conn.read_frame().await?;
                if !matches!(decoded.frame.value(), Frame::Push(_)) {
                    return Ok::<_, ClientError>(decoded);
                }
            }
        };
        let mut client_gone = false;
        let result = if blocking {
            // Keep an eye on the client meanwhile: if it leaves, the lease goes with it (the
            // backend drops the blocked command when its connection closes).
            let input = &mut self.input;
            let inbuf = &mut self.inbuf;
            tokio::pin!(read);
            loop {
                if inbuf.len() >= MAX_BUFFERED_WHILE_BLOCKED {
                    break (&mut read).await;
                }
                inbuf.reserve(4096);
                tokio::select! {
                    reply = &mut read => break reply,
                    got = input.read_buf(inbuf) => {
                        if !matches!(got, Ok(n) if n > 0) {
                            client_gone = true;
                            break Err(ClientError::Closed {
                                delivery: Delivery::MaybeExecuted,
                            });
                        }
                    }
                }
            }
        } else {
            match tokio::time::timeout(timeout, read).await {
                Ok(r) => r,
                Err(_) => Err(ClientError::Timeout {
                    phase: wire::client::Phase::Response,
                    delivery: Delivery::MaybeExecuted,
                }),
            }
        };
        if client_gone {
            if let Some(leased) = self.lease.take() {
                leased.backend.release(leased.lease, false);
            }
            self.closing = true;
            return;
        }
        let decoded = match result {
            Ok(d) => d,
            Err(e) => return self.lease_failed(&e).await,
        };
        let ok = !decoded.frame.is_error();
        match name {
            "multi" if ok => leased.in_multi = true,
            "exec" | "discard" => {
                leased.in_multi = false;
                leased.watching = false;
            }
            "watch" if ok => leased.watching = true,
            "unwatch" => leased.watching = false,
            _ => {}
        }
        check_reply(&self.group, &leased.backend, &decoded.raw);
        if leased.backend.expected_master()
            && self.group.settings.load().consistency == Consistency::ReadYourWrites
        {
            // Read-your-writes: whatever ran on the master counts as the session's write.
            self.writes
                .acked
                .fetch_max(offsets::now_ns(), Ordering::AcqRel);
        }
        self.ready(decoded.raw).await;
        self.maybe_release();
    }

    /// A frame from the leased connection while subscribed: relay it, and end pub/sub mode
    /// when the last subscription is gone.
    async fn relay(&mut self, frame: Result<wire::Decoded, ClientError>) {
        let decoded = match frame {
            Ok(d) => d,
            Err(e) => return self.lease_failed(&e).await,
        };
        let limit = self.process.config.load().client_output_buffer_limit;
        let queued = self
            .pending_bytes
            .fetch_add(decoded.raw.len(), Ordering::Relaxed)
            + decoded.raw.len();
        if limit > 0 && queued > limit {
            tracing::warn!(
                client = %self.peer,
                queued,
                limit,
                "client output buffer limit reached: closing the client"
            );
            self.closing = true;
            self.killed = true;
            return;
        }
        let ended = subscription_count(&decoded.frame) == Some(0);
        track_subscriptions(&mut self.subscriptions, &decoded.frame);
        self.queued += 1;
        match self.out.try_send(Out::Counted(decoded.raw)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(client = %self.peer, "client too slow for its subscriptions: closing");
                self.closing = true;
                self.killed = true;
                return;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.closing = true;
                return;
            }
        }
        if ended && let Some(leased) = self.lease.as_mut() {
            leased.pubsub = false;
            self.maybe_release();
        }
    }

    async fn lease_failed(&mut self, e: &ClientError) {
        let Some(leased) = self.lease.take() else {
            return;
        };
        note_failure(&self.group, &leased.backend, e);
        let line = backend_error(&leased.backend, "backend", e);
        leased.backend.release(leased.lease, false);
        if leased.pubsub {
            // Subscribe again wherever the topology now points; if that cannot be done in
            // time, closing makes the client reconnect and subscribe by itself.
            if !self.resubscribe(leased.backend.addr).await {
                self.closing = true;
            }
            return;
        }
        self.ready(line).await;
    }

    /// Lease a connection to the current master and replay the subscriptions on it, hiding
    /// the confirmations from the client. False when it could not be done before the deadline.
    async fn resubscribe(&mut self, lost: SocketAddr) -> bool {
        let settings = self.group.settings.load_full();
        let deadline = Instant::now() + settings.backend.command_timeout * 2;
        self.group.refresh.notify_one();
        while Instant::now() < deadline {
            let master = self.group.topology.load().master.clone();
            let leased = match master {
                Some(m) => m.lease(self.protocol, self.db).await.map(|l| (m, l)).ok(),
                None => None,
            };
            let Some((backend, mut lease)) = leased else {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            let mut expected = 0;
            for kind in ["subscribe", "psubscribe", "ssubscribe"] {
                let names: Vec<&Bytes> = self
                    .subscriptions
                    .iter()
                    .filter(|(k, _)| *k == kind)
                    .map(|(_, n)| n)
                    .collect();
                if !names.is_empty() {
                    let mut args: Vec<&[u8]> = vec![kind.as_bytes()];
                    args.extend(names.iter().map(|n| n.as_ref()));
                    lease.conn.queue_request(&args);
                    expected += names.len();
                }
            }
            let replayed = tokio::time::timeout(settings.backend.command_timeout, async {
                lease.conn.flush().await?;
                let mut confirmed = 0;
                while confirmed < expected {
                    let decoded = lease.conn.read_frame().await?;
                    let kind = decoded
                        .frame
                        .as_items()
                        .and_then(|items| items.first())
                        .and_then(Frame::as_bytes)
                        .cloned();
                    if kind.as_deref().is_some_and(|k| k.ends_with(b"subscribe")) {
                        confirmed += 1;
                    } else {
                        // A message that raced the confirmations: the client's.
                        self.queued += 1;
                        let _ = self.out.try_send(Out::Counted(decoded.raw));
                    }
                }
                Ok::<_, ClientError>(())
            })
            .await;
            if matches!(replayed, Ok(Ok(()))) {
                tracing::info!(client = %self.peer, from = %lost, to = %backend.addr, "subscriptions moved");
                self.lease = Some(Leased {
                    backend,
                    lease,
                    in_multi: false,
                    watching: false,
                    pubsub: true,
                });
                return true;
            }
            backend.release(lease, false);
        }
        false
    }

    fn maybe_release(&mut self) {
        if self.lease.as_ref().is_some_and(Leased::is_idle)
            && let Some(leased) = self.lease.take()
        {
            leased.backend.release(leased.lease, true);
        }
    }

    fn drop_lease(&mut self) {
        if let Some(leased) = self.lease.take() {
            leased.backend.release(leased.lease, false);
        }
    }

    /// The client left while holding a lease: clean it if that is simple, else close it.
    fn end_lease_on_exit(&mut self) {
        let Some(mut leased) = self.lease.take() else {
            return;
        };
        if leased.pubsub {
            return leased.backend.release(leased.lease, false);
        }
        let backend = leased.backend.clone();
        tokio::spawn(async move {
            if leased.in_multi {
                leased.lease.conn.queue_request(&["DISCARD"]);
            }
            if leased.watching || leased.in_multi {
                leased.lease.conn.queue_request(&["UNWATCH"]);
            }
            let n = usize::from(leased.in_multi) + usize::from(leased.watching || leased.in_multi);
            let cleaned = async {
                leased.lease.conn.flush().await?;
                for _ in 0..n {
                    leased.lease.conn.read_frame().await?;
                }
                Ok::<_, ClientError>(())
            };
            let clean = matches!(
                tokio::time::timeout(Duration::from_secs(1), cleaned).await,
                Ok(Ok(()))
            );
            backend.release(leased.lease, clean);
        });
    }
}

/// A session's writes in flight on shared connections, and when the last of them was answered
/// (read-your-writes).
#[derive(Default)]
struct Writes {
    in_flight: AtomicUsize,
    /// On [`offsets::now_ns`]'s clock; 0: none yet.
    acked: AtomicU64,
}

/// How often a held request looks again for a master when nothing says the topology moved.
const HOLD_PAUSE: Duration = Duration::from_millis(20);
/// How often a held request asks discovery for a new look.
const HOLD_REFRESH: Duration = Duration::from_millis(200);

/// Request bytes held for a master, counted against `failover-hold-max-bytes` while alive.
struct HoldGuard<'a> {
    group: &'a Group,
    bytes: usize,
}

impl<'a> HoldGuard<'a> {
    fn begin(group: &'a Group, bytes: usize) -> Result<HoldGuard<'a>, Bytes> {
        let cap = group.settings.load().failover_hold_max_bytes;
        let total = group.held_bytes.fetch_add(bytes, Ordering::AcqRel) + bytes;
        if total > cap {
            group.held_bytes.fetch_sub(bytes, Ordering::AcqRel);
            return Err(error_line(&format!(
                "ERR proxy: failover hold full for group '{}' (not sent, safe to retry)",
                group.name
            )));
        }
        group.stats.held.fetch_add(1, Ordering::Relaxed);
        Ok(HoldGuard { group, bytes })
    }
}

impl Drop for HoldGuard<'_> {
    fn drop(&mut self) {
        self.group
            .held_bytes
            .fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

fn hold_expired_line(group: &Group, hold: Duration) -> Bytes {
    group.stats.hold_expired.fetch_add(1, Ordering::Relaxed);
    error_line(&format!(
        "ERR proxy: no master for group '{}' within failover-hold-ms ({} ms) (not sent, safe to retry)",
        group.name,
        hold.as_millis()
    ))
}

fn count_connect_failure(group: &Group, backend: &Backend) {
    group.refresh.notify_one();
    group.stats.backend_errors.fetch_add(1, Ordering::Relaxed);
    backend.stats.errors.fetch_add(1, Ordering::Relaxed);
    backend.errors_counter.increment(1);
}

/// `attempt` (a shared connection, a lease) on `master`; when that fails, or there is no
/// master, the client's error, or with `failover-hold-ms` a wait for a master it succeeds on.
async fn on_master<T, F, Fut>(
    group: &Group,
    master: Option<Arc<Backend>>,
    bytes: usize,
    attempt: F,
) -> Result<(Arc<Backend>, T), Bytes>
where
    F: Fn(Arc<Backend>) -> Fut,
    Fut: Future<Output = Result<T, ConnectError>>,
{
    let first = match master {
        Some(m) => match attempt(m.clone()).await {
            Ok(got) => return Ok((m, got)),
            Err(e) => Some((m, e)),
        },
        None => None,
    };
    let hold = group.settings.load().failover_hold;
    if hold.is_zero() {
        return Err(match first {
            None => {
                group.refresh.notify_one();
                error_line(&format!(
                    "ERR proxy: no master available for group '{}' (not sent, safe to retry)",
                    group.name
                ))
            }
            Some((backend, e)) => {
                count_connect_failure(group, &backend);
                connect_error(&backend, "master", &e)
            }
        });
    }
    let _held = HoldGuard::begin(group, bytes)?;
    match await_master(group, Instant::now() + hold, attempt).await {
        Some(got) => Ok(got),
        None => Err(hold_expired_line(group, hold)),
    }
}

/// Try the topology's master with `attempt` until it succeeds or `deadline` passes (one try
/// at least), looking again whenever the topology changes.
async fn await_master<T, F, Fut>(
    group: &Group,
    deadline: Instant,
    attempt: F,
) -> Option<(Arc<Backend>, T)>
where
    F: Fn(Arc<Backend>) -> Fut,
    Fut: Future<Output = Result<T, ConnectError>>,
{
    let mut refreshed: Option<Instant> = None;
    loop {
        if refreshed.is_none_or(|t| t.elapsed() >= HOLD_REFRESH) {
            group.refresh.notify_one();
            refreshed = Some(Instant::now());
        }
        let changed = group.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let master = group.topology.load().master.clone();
        if let Some(m) = master
            && let Ok(got) = attempt(m.clone()).await
        {
            return Some((m, got));
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        tokio::select! {
            _ = changed => {}
            _ = tokio::time::sleep((deadline - now).min(HOLD_PAUSE)) => {}
        }
    }
}

/// What a master batch needs to be sent again (with `failover-hold-ms`).
struct Resend {
    raw: Vec<Bytes>,
    protocol: Protocol,
    db: u32,
    affinity: u64,
    hold: Duration,
}

/// A reply that says the command did not run and a master elsewhere may take it.
fn not_executed(reply: &[u8]) -> bool {
    // A replica (-READONLY, -MASTERDOWN), a master still loading (-LOADING), or one whose
    // replicas have not reattached after a failover (-NOREPLICAS): all refuse before running.
    [
        &b"-READONLY"[..],
        b"-LOADING",
        b"-MASTERDOWN",
        b"-NOREPLICAS",
    ]
    .iter()
    .any(|prefix| reply.starts_with(prefix))
}

/// The client's replies for a batch: what came, and for the rest an error. With a hold
/// (`again`), what surely did not run (not sent, refused as not a master, the last request on
/// a reset connection) and reads are sent again, in order, to the master once there is one,
/// until each has a reply that counts or the hold runs out. A write sent whose reply was lost
/// is never sent again.
async fn settle(
    group: &Group,
    backend: &Arc<Backend>,
    role: &'static str,
    cmds: &[Option<&'static Command>],
    result: BatchReply,
    again: Option<Resend>,
) -> Vec<Bytes> {
    let count = cmds.len();
    let mut out: Vec<Option<Bytes>> = vec![None; count];
    let mut pending: Vec<usize> = (0..count).collect();
    let (mut backend, mut role, mut result) = (backend.clone(), role, result);
    let mut hold: Option<(HoldGuard<'_>, Instant)> = None;
    loop {
        for raw in &result.replies {
            check_reply(group, &backend, raw);
        }
        let lost = result.error.clone().unwrap_or(ClientError::Closed {
            delivery: Delivery::MaybeExecuted,
        });
        if result.replies.len() < pending.len() {
            note_failure(group, &backend, &lost);
        }
        let unsent_from = result.unsent_from(pending.len());
        let mut left = Vec::new();
        for (j, &i) in pending.iter().enumerate() {
            let read = route::is_read(cmds[i]);
            match result.replies.get(j) {
                Some(reply) if again.is_none() || !not_executed(reply) => {
                    out[i] = Some(reply.clone())
                }
                None if again.is_none() || (j < unsent_from && !read) => {
                    let delivery = if j < unsent_from {
                        Delivery::MaybeExecuted
                    } else {
                        Delivery::NotSent
                    };
                    out[i] = Some(backend_error(&backend, role, &lost.with_delivery(delivery)));
                }
                refused => {
                    // Kept for the client if the hold runs out: its own refusal says more than
                    // the hold's error.
                    if let Some(reply) = refused {
                        out[i] = Some(reply.clone());
                    }
                    left.push(i);
                }
            }
        }
        pending = left;
        let Some(again) = &again else {
            break;
        };
        if pending.is_empty() {
            break;
        }
        let deadline = match &hold {
            Some((_, deadline)) => {
                // Tried again and still not: wait a little for the topology to move.
                group.refresh.notify_one();
                let now = Instant::now();
                if now < *deadline {
                    let pause = (*deadline - now).min(HOLD_PAUSE);
                    let _ = tokio::time::timeout(pause, group.changed.notified()).await;
                }
                *deadline
            }
            None => {
                let bytes = pending.iter().map(|&i| again.raw[i].len()).sum();
                match HoldGuard::begin(group, bytes) {
                    Ok(guard) => {
                        let deadline = Instant::now() + again.hold;
                        hold = Some((guard, deadline));
                        deadline
                    }
                    Err(line) => {
                        for &i in &pending {
                            out[i].get_or_insert_with(|| line.clone());
                        }
                        break;
                    }
                }
            }
        };
        let (protocol, db, affinity) = (again.protocol, again.db, again.affinity);
        let got = if Instant::now() < deadline {
            await_master(group, deadline, |m| async move {
                m.shared(protocol, db, affinity).await
            })
            .await
        } else {
            None
        };
        let Some((master, pipe)) = got else {
            let line = hold_expired_line(group, again.hold);
            for &i in &pending {
                out[i].get_or_insert_with(|| line.clone());
            }
            break;
        };
        let raw = pending.iter().map(|&i| again.raw[i].clone()).collect();
        result = pipe.queue(raw, pending.len()).await;
        (backend, role) = (master, "master");
    }
    out.into_iter().map(Option::unwrap_or_default).collect()
}

/// The per-command latency histogram, registered once per command (not once per request).
fn latency_histogram(cmd: Option<&'static Command>) -> metrics::Histogram {
    static BY_COMMAND: std::sync::OnceLock<Vec<std::sync::OnceLock<metrics::Histogram>>> =
        std::sync::OnceLock::new();
    static UNKNOWN: std::sync::OnceLock<metrics::Histogram> = std::sync::OnceLock::new();
    let register = |name: &'static str| metrics::histogram!("proxy_command_duration_seconds", "command" => name);
    let Some(cmd) = cmd else {
        return UNKNOWN.get_or_init(|| register("unknown")).clone();
    };
    let table = BY_COMMAND.get_or_init(|| {
        (0..wire::CommandId::COUNT)
            .map(|_| std::sync::OnceLock::new())
            .collect()
    });
    match table.get(cmd.id as usize) {
        Some(slot) => slot.get_or_init(|| register(cmd.name)).clone(),
        None => register(cmd.name),
    }
}

/// Keep the set of subscriptions in step with the backend's confirmations.
fn track_subscriptions(set: &mut std::collections::BTreeSet<(&'static str, Bytes)>, frame: &Frame) {
    let Some(items) = frame.as_items() else {
        return;
    };
    let (Some(kind), Some(name)) = (
        items.first().and_then(Frame::as_bytes),
        items.get(1).and_then(Frame::as_bytes),
    ) else {
        return;
    };
    const KINDS: [(&[u8], &str, bool); 6] = [
        (b"subscribe", "subscribe", true),
        (b"psubscribe", "psubscribe", true),
        (b"ssubscribe", "ssubscribe", true),
        (b"unsubscribe", "subscribe", false),
        (b"punsubscribe", "psubscribe", false),
        (b"sunsubscribe", "ssubscribe", false),
    ];
    if let Some((_, base, add)) = KINDS.iter().find(|(k, _, _)| kind.eq_ignore_ascii_case(k)) {
        if *add {
            set.insert((base, name.clone()));
        } else {
            set.remove(&(*base, name.clone()));
        }
    }
}

/// The subscription count an (un)subscribe confirmation carries.
fn subscription_count(frame: &Frame) -> Option<i64> {
    let items = frame.as_items()?;
    let kind = items.first()?.as_bytes()?;
    let is_unsubscribe = [&b"unsubscribe"[..], b"punsubscribe", b"sunsubscribe"]
        .iter()
        .any(|k| kind.eq_ignore_ascii_case(k));
    if !is_unsubscribe {
        return None;
    }
    items.get(2)?.as_int()
}

/// Count error replies; those that mean the topology moved make discovery look again at once.
fn check_reply(group: &Group, backend: &Backend, raw: &[u8]) {
    if raw.first() == Some(&b'-') {
        backend.stats.errors.fetch_add(1, Ordering::Relaxed);
        if raw.starts_with(b"-READONLY") || raw.starts_with(b"-MASTERDOWN") {
            let line = raw.split(|&b| b == b'\r').next().unwrap_or_default();
            tracing::warn!(backend = %backend.addr, reply = %String::from_utf8_lossy(line), "re-resolving");
            group.refresh.notify_one();
        }
    }
}

fn note_failure(group: &Group, backend: &Backend, error: &ClientError) {
    group.stats.backend_errors.fetch_add(1, Ordering::Relaxed);
    backend.stats.errors.fetch_add(1, Ordering::Relaxed);
    backend.errors_counter.increment(1);
    if !error.is_timeout() {
        group.refresh.notify_one();
    }
}

fn error_bytes(text: &[u8]) -> Bytes {
    let mut out = ReplyBuf::new(Protocol::Resp2);
    out.error_bytes(text);
    Bytes::from(out.buf)
}

fn valid_name(name: &[u8]) -> bool {
    name.iter().all(|&b| (b'!'..=b'~').contains(&b))
}

/// Counts the clients connected across all listeners.
pub struct ClientSlot(pub Arc<Process>);

impl Drop for ClientSlot {
    fn drop(&mut self) {
        self.0.clients.fetch_sub(1, Ordering::Relaxed);
    }
}
