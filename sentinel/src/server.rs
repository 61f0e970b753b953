//! The sentinel's own port: RESP2/RESP3 clients, pub/sub of events, and the commands a
//! Redis 7.0 sentinel serves (PING, INFO, ROLE, HELLO, AUTH, CLIENT, (P)(UN)SUBSCRIBE,
//! PUBLISH, SHUTDOWN; SENTINEL itself is in `api`).

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use wire::{Protocol, ReplyBuf, RequestParser};

use crate::Shared;
use crate::glob;
use crate::state::HELLO_CHANNEL;

const VERSION: &str = "7.0.15";

#[derive(Default)]
pub struct Clients {
    next_id: u64,
    pub by_id: HashMap<u64, ClientInfo>,
}

pub struct ClientInfo {
    pub addr: SocketAddr,
    pub laddr: Option<SocketAddr>,
    pub name: Option<String>,
    pub created: Instant,
    pub last_active: Instant,
    pub last_cmd: String,
    pub subscriptions: (usize, usize),
    pub resp: i64,
    pub kill: CancellationToken,
}

struct Session {
    id: u64,
    proto: Protocol,
    authed: bool,
    channels: BTreeSet<Vec<u8>>,
    patterns: BTreeSet<Vec<u8>>,
    close: bool,
}

impl Session {
    fn subscriptions(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }
}

pub async fn serve_client(shared: Arc<Shared>, socket: TcpStream, addr: SocketAddr) {
    let kill = CancellationToken::new();
    let now = Instant::now();
    let id = {
        let mut clients = shared.clients.lock();
        clients.next_id += 1;
        let id = clients.next_id;
        clients.by_id.insert(
            id,
            ClientInfo {
                addr,
                laddr: socket.local_addr().ok(),
                name: None,
                created: now,
                last_active: now,
                last_cmd: "NULL".to_string(),
                subscriptions: (0, 0),
                resp: 2,
                kill: kill.clone(),
            },
        );
        id
    };
    let authed = shared.state.lock().ctx.requirepass.is_none();
    let mut session = Session {
        id,
        proto: Protocol::Resp2,
        authed,
        channels: BTreeSet::new(),
        patterns: BTreeSet::new(),
        close: false,
    };
    let mut events = shared.events.subscribe();
    let (mut reader, mut writer) = socket.into_split();
    let mut buf = BytesMut::with_capacity(4096);
    let mut parser = RequestParser::default();
    let stop = shared.shutdown.clone();
    'conn: loop {
        parser.set_unauthenticated(!session.authed);
        tokio::select! {
            _ = kill.cancelled() => break,
            _ = stop.cancelled() => break,
            read = reader.read_buf(&mut buf) => {
                match read {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                let mut out = Vec::new();
                loop {
                    match parser.parse(&mut buf) {
                        Ok(Some(request)) => {
                            let reply = handle(&shared, &mut session, &request.args);
                            out.extend_from_slice(&reply.buf);
                            if session.close {
                                let _ = writer.write_all(&out).await;
                                break 'conn;
                            }
                            parser.set_unauthenticated(!session.authed);
                        }
                        Ok(None) => break,
                        Err(e) => {
                            out.extend_from_slice(&e.reply_line());
                            let _ = writer.write_all(&out).await;
                            break 'conn;
                        }
                    }
                }
                if !out.is_empty() && writer.write_all(&out).await.is_err() {
                    break;
                }
            }
            event = events.recv() => {
                let event = match event {
                    Ok(e) => e,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(_) => break,
                };
                if session.subscriptions() == 0 {
                    continue;
                }
                let mut out = ReplyBuf::new(session.proto);
                let channel = event.channel.as_bytes();
                if session.channels.contains(channel) {
                    out.push(3);
                    out.bulk(b"message");
                    out.bulk(channel);
                    out.bulk(event.payload.as_bytes());
                }
                for pattern in &session.patterns {
                    if glob::matches(pattern, channel) {
                        out.push(4);
                        out.bulk(b"pmessage");
                        out.bulk(pattern);
                        out.bulk(channel);
                        out.bulk(event.payload.as_bytes());
                    }
                }
                if !out.is_empty() && writer.write_all(&out.buf).await.is_err() {
                    break;
                }
            }
        }
    }
    shared.clients.lock().by_id.remove(&id);
}

/// Sentinel's command table (name, arity), as Redis 7.0 builds it in sentinel mode.
const COMMANDS: &[(&str, i32)] = &[
    ("ping", -1),
    ("sentinel", -2),
    ("subscribe", -2),
    ("unsubscribe", -1),
    ("psubscribe", -2),
    ("punsubscribe", -1),
    ("publish", 3),
    ("info", -1),
    ("role", 1),
    ("client", -2),
    ("shutdown", -1),
    ("auth", -2),
    ("hello", -1),
    ("quit", -1),
];

pub(crate) fn arity_ok(arity: i32, argc: usize) -> bool {
    if arity >= 0 {
        argc == arity as usize
    } else {
        argc >= arity.unsigned_abs() as usize
    }
}

fn handle(shared: &Arc<Shared>, session: &mut Session, args: &[Bytes]) -> ReplyBuf {
    let mut out = ReplyBuf::new(session.proto);
    let name = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
    let Some((_, arity)) = COMMANDS.iter().find(|(n, _)| *n == name) else {
        out.error_bytes(&wire::command::unknown_command_message(args));
        return out;
    };
    if !arity_ok(*arity, args.len()) {
        out.error(&format!(
            "ERR wrong number of arguments for '{name}' command"
        ));
        return out;
    }
    if !session.authed && !matches!(name.as_str(), "auth" | "hello" | "quit") {
        out.error("NOAUTH Authentication required.");
        return out;
    }
    if session.proto == Protocol::Resp2
        && session.subscriptions() > 0
        && !matches!(
            name.as_str(),
            "subscribe" | "psubscribe" | "unsubscribe" | "punsubscribe" | "ping" | "quit"
        )
    {
        out.error(&format!(
            "ERR Can't execute '{name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
        ));
        return out;
    }
    if let Some(info) = shared.clients.lock().by_id.get_mut(&session.id) {
        info.last_active = Instant::now();
        info.last_cmd = name.clone();
    }
    match name.as_str() {
        "ping" => ping(session, args, &mut out),
        "quit" => {
            out.ok();
            session.close = true;
        }
        "auth" => auth(shared, session, &args[1..], &mut out),
        "hello" => hello(shared, session, args, &mut out),
        "info" => info(shared, args, &mut out),
        "role" => {
            let st = shared.state.lock();
            out.array(2);
            out.bulk(b"sentinel");
            out.array(st.masters.len());
            for name in st.masters.keys() {
                out.bulk(name.as_bytes());
            }
        }
        "client" => client(shared, session, args, &mut out),
        "subscribe" | "psubscribe" => {
            subscribe(shared, session, args, name == "psubscribe", &mut out)
        }
        "unsubscribe" | "punsubscribe" => {
            unsubscribe(shared, session, args, name == "punsubscribe", &mut out)
        }
        "publish" => {
            if args[1].as_ref() != HELLO_CHANNEL.as_bytes() {
                out.error("ERR Only HELLO messages are accepted by Sentinel instances.");
            } else {
                let payload = String::from_utf8_lossy(&args[2]).into_owned();
                shared.with_state(|st| crate::hello::process_hello(st, &payload));
                out.int(1);
            }
        }
        "shutdown" => {
            tracing::warn!("User requested shutdown...");
            shared.with_state(|st| {
                let _ = st.flush_config();
            });
            shared.shutdown.cancel();
            session.close = true;
        }
        "sentinel" => crate::api::sentinel(shared, args, &mut out),
        _ => out.error_bytes(&wire::command::unknown_command_message(args)),
    }
    out
}

fn ping(session: &Session, args: &[Bytes], out: &mut ReplyBuf) {
    if args.len() > 2 {
        out.error("ERR wrong number of arguments for 'ping' command");
    } else if session.proto == Protocol::Resp2 && session.subscriptions() > 0 {
        out.array(2);
        out.bulk(b"pong");
        out.bulk(args.get(1).map_or(&b""[..], |a| a.as_ref()));
    } else if let Some(message) = args.get(1) {
        out.bulk(message);
    } else {
        out.simple("PONG");
    }
}

fn check_password(shared: &Shared, user: &[u8], pass: &[u8]) -> Result<(), &'static str> {
    let st = shared.state.lock();
    match &st.ctx.requirepass {
        None if user == b"default" => Ok(()),
        None => Err("WRONGPASS invalid username-password pair or user is disabled."),
        Some(p) if user == b"default" && p.as_bytes() == pass => Ok(()),
        Some(_) => Err("WRONGPASS invalid username-password pair or user is disabled."),
    }
}

fn auth(shared: &Shared, session: &mut Session, args: &[Bytes], out: &mut ReplyBuf) {
    if args.len() > 2 {
        out.error("ERR syntax error");
        return;
    }
    if args.len() == 1 && shared.state.lock().ctx.requirepass.is_none() {
        out.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        return;
    }
    let (user, pass): (&[u8], &[u8]) = match args {
        [pass] => (b"default", pass),
        [user, pass] => (user, pass),
        _ => return,
    };
    match check_password(shared, user, pass) {
        Ok(()) => {
            session.authed = true;
            out.ok();
        }
        Err(e) => out.error(e),
    }
}

fn hello(shared: &Shared, session: &mut Session, args: &[Bytes], out: &mut ReplyBuf) {
    let mut proto = session.proto;
    let mut i = 1;
    if let Some(version) = args.get(1) {
        match wire::request::parse_i64(version) {
            Some(2) => proto = Protocol::Resp2,
            Some(3) => proto = Protocol::Resp3,
            Some(_) => {
                out.error("NOPROTO unsupported protocol version");
                return;
            }
            None => {
                out.error("ERR Protocol version is not an integer or out of range");
                return;
            }
        }
        i = 2;
    }
    let mut authed = session.authed;
    let mut name = None;
    while i < args.len() {
        let option = args[i].to_ascii_lowercase();
        if option == b"auth" && i + 2 < args.len() {
            if let Err(e) = check_password(shared, &args[i + 1], &args[i + 2]) {
                out.error(e);
                return;
            }
            authed = true;
            i += 3;
        } else if option == b"setname" && i + 1 < args.len() {
            name = Some(args[i + 1].clone());
            i += 2;
        } else {
            out.error(&format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(&args[i])
            ));
            return;
        }
    }
    if !authed {
        out.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if let Some(name) = &name
        && let Err(e) = valid_client_name(name)
    {
        out.error(e);
        return;
    }
    session.authed = true;
    session.proto = proto;
    {
        let mut clients = shared.clients.lock();
        if let Some(info) = clients.by_id.get_mut(&session.id) {
            info.resp = proto.version();
            if let Some(name) = name {
                info.name = (!name.is_empty()).then(|| String::from_utf8_lossy(&name).into_owned());
            }
        }
    }
    *out = ReplyBuf::new(proto);
    out.map(6);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(proto.version());
    out.bulk(b"id");
    out.int(session.id as i64);
    out.bulk(b"mode");
    out.bulk(b"sentinel");
    out.bulk(b"modules");
    out.array(0);
}

fn valid_client_name(name: &[u8]) -> Result<(), &'static str> {
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    Ok(())
}

fn info(shared: &Shared, args: &[Bytes], out: &mut ReplyBuf) {
    let sections: Vec<String> = args[1..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    let all = sections.is_empty()
        || sections
            .iter()
            .any(|s| matches!(s.as_str(), "all" | "default" | "everything"));
    let wants = |name: &str| all || sections.iter().any(|s| s == name);
    let mut text = String::new();
    let st = shared.state.lock();
    let now = Instant::now();
    if wants("server") {
        let uptime = shared.started.elapsed().as_secs();
        let time_usec = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros());
        text.push_str(&format!(
            "# Server\r\nredis_version:{VERSION}\r\nredis_mode:sentinel\r\nos:{}\r\narch_bits:{}\r\n\
             process_id:{}\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{time_usec}\r\n\
             uptime_in_seconds:{uptime}\r\nuptime_in_days:{}\r\n\
             executable:{}\r\nconfig_file:{}\r\n",
            std::env::consts::OS,
            usize::BITS,
            std::process::id(),
            shared.run_id,
            st.ctx.port,
            uptime / 86400,
            std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            st.file.path.display(),
        ));
    }
    if wants("clients") {
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let clients = shared.clients.lock();
        let pubsub = clients
            .by_id
            .values()
            .filter(|c| c.subscriptions != (0, 0))
            .count();
        text.push_str(&format!(
            "# Clients\r\nconnected_clients:{}\r\npubsub_clients:{pubsub}\r\n",
            clients.by_id.len()
        ));
    }
    if wants("sentinel") {
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let tilt_since = if st.ctx.tilt {
            now.duration_since(st.ctx.tilt_start).as_secs() as i64
        } else {
            -1
        };
        text.push_str(&format!(
            "# Sentinel\r\nsentinel_masters:{}\r\nsentinel_tilt:{}\r\nsentinel_tilt_since_seconds:{tilt_since}\r\n\
             sentinel_running_scripts:0\r\nsentinel_scripts_queue_length:0\r\nsentinel_simulate_failure_flags:0\r\n",
            st.masters.len(),
            st.ctx.tilt as u8,
        ));
        for (i, m) in st.masters.values().enumerate() {
            let status = if m.inst.odown() {
                "odown"
            } else if m.inst.sdown() {
                "sdown"
            } else {
                "ok"
            };
            text.push_str(&format!(
                "master{i}:name={},status={status},address={}:{},slaves={},sentinels={}\r\n",
                m.inst.name,
                m.inst.host,
                m.inst.port,
                m.replicas.len(),
                m.sentinels.len() + 1
            ));
        }
    }
    out.verbatim(text.as_bytes());
}

fn client(shared: &Shared, session: &mut Session, args: &[Bytes], out: &mut ReplyBuf) {
    let sub = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
    let arity_error = |out: &mut ReplyBuf| {
        out.error(&format!(
            "ERR wrong number of arguments for 'client|{sub}' command"
        ))
    };
    match sub.as_str() {
        "id" if args.len() == 2 => out.int(session.id as i64),
        "getname" if args.len() == 2 => {
            match shared
                .clients
                .lock()
                .by_id
                .get(&session.id)
                .and_then(|c| c.name.clone())
            {
                Some(name) => out.bulk(name.as_bytes()),
                None => out.null(),
            }
        }
        "setname" if args.len() == 3 => {
            if let Err(e) = valid_client_name(&args[2]) {
                out.error(e);
                return;
            }
            if let Some(info) = shared.clients.lock().by_id.get_mut(&session.id) {
                info.name =
                    (!args[2].is_empty()).then(|| String::from_utf8_lossy(&args[2]).into_owned());
            }
            out.ok();
        }
        "list" if args.len() == 2 => {
            let now = Instant::now();
            let clients = shared.clients.lock();
            let mut ids: Vec<_> = clients.by_id.keys().copied().collect();
            ids.sort_unstable();
            let mut text = String::new();
            for id in ids {
                let c = &clients.by_id[&id];
                text.push_str(&format!(
                    "id={id} addr={} laddr={} name={} age={} idle={} flags={} db=0 sub={} psub={} ssub=0 multi=-1 cmd={} user=default resp={}\n",
                    c.addr,
                    c.laddr.map(|a| a.to_string()).unwrap_or_default(),
                    c.name.as_deref().unwrap_or(""),
                    now.duration_since(c.created).as_secs(),
                    now.duration_since(c.last_active).as_secs(),
                    if c.subscriptions != (0, 0) { "P" } else { "N" },
                    c.subscriptions.0,
                    c.subscriptions.1,
                    if id == session.id { "client|list" } else { c.last_cmd.as_str() },
                    c.resp,
                ));
            }
            out.verbatim(text.as_bytes());
        }
        "kill" if args.len() == 3 => {
            let addr = String::from_utf8_lossy(&args[2]).into_owned();
            let clients = shared.clients.lock();
            match clients
                .by_id
                .iter()
                .find(|(_, c)| c.addr.to_string() == addr)
            {
                Some((id, c)) => {
                    c.kill.cancel();
                    if *id == session.id {
                        session.close = true;
                    }
                    out.ok();
                }
                None => out.error("ERR No such client"),
            }
        }
        "kill" if args.len() >= 4 && args.len().is_multiple_of(2) => {
            client_kill_filters(shared, session, args, out)
        }
        "kill" => out.error("ERR syntax error"),
        "id" | "getname" | "setname" | "list" => arity_error(out),
        _ => out.error(&format!(
            "ERR unknown subcommand '{}'. Try CLIENT HELP.",
            String::from_utf8_lossy(&args[1])
        )),
    }
}

/// `CLIENT KILL [ID id] [ADDR ip:port] [LADDR ip:port] [TYPE normal|pubsub] [SKIPME yes|no]`.
fn client_kill_filters(shared: &Shared, session: &mut Session, args: &[Bytes], out: &mut ReplyBuf) {
    let mut id = None;
    let mut addr = None;
    let mut laddr = None;
    let mut kind = None;
    let mut skipme = true;
    for pair in args[2..].chunks(2) {
        let value = String::from_utf8_lossy(&pair[1]).into_owned();
        match pair[0].to_ascii_lowercase().as_slice() {
            b"id" => match value.parse::<u64>() {
                Ok(v) if v > 0 => id = Some(v),
                _ => {
                    out.error("ERR client-id should be greater than 0");
                    return;
                }
            },
            b"addr" => addr = Some(value),
            b"laddr" => laddr = Some(value),
            b"type" => match value.to_ascii_lowercase().as_str() {
                t @ ("normal" | "pubsub" | "master" | "replica" | "slave") => {
                    kind = Some(t.to_string())
                }
                _ => {
                    out.error(&format!("ERR Unknown client type '{value}'"));
                    return;
                }
            },
            b"skipme" => match value.to_ascii_lowercase().as_str() {
                "yes" => skipme = true,
                "no" => skipme = false,
                _ => {
                    out.error("ERR syntax error");
                    return;
                }
            },
            _ => {
                out.error("ERR syntax error");
                return;
            }
        }
    }
    let clients = shared.clients.lock();
    let mut killed = 0;
    for (cid, c) in &clients.by_id {
        let is_pubsub = c.subscriptions != (0, 0);
        let fits = id.is_none_or(|i| i == *cid)
            && addr.as_ref().is_none_or(|a| *a == c.addr.to_string())
            && laddr
                .as_ref()
                .is_none_or(|a| c.laddr.is_some_and(|l| *a == l.to_string()))
            && kind.as_deref().is_none_or(|k| match k {
                "normal" => !is_pubsub,
                "pubsub" => is_pubsub,
                _ => false,
            })
            && !(skipme && *cid == session.id);
        if fits {
            c.kill.cancel();
            if *cid == session.id {
                session.close = true;
            }
            killed += 1;
        }
    }
    out.int(killed);
}

fn subscribe(
    shared: &Shared,
    session: &mut Session,
    args: &[Bytes],
    pattern: bool,
    out: &mut ReplyBuf,
) {
    let kind: &[u8] = if pattern { b"psubscribe" } else { b"subscribe" };
    for channel in &args[1..] {
        if pattern {
            session.patterns.insert(channel.to_vec());
        } else {
            session.channels.insert(channel.to_vec());
        }
        out.push(3);
        out.bulk(kind);
        out.bulk(channel);
        out.int(session.subscriptions() as i64);
    }
    record_subscriptions(shared, session);
}

fn unsubscribe(
    shared: &Shared,
    session: &mut Session,
    args: &[Bytes],
    pattern: bool,
    out: &mut ReplyBuf,
) {
    let kind: &[u8] = if pattern {
        b"punsubscribe"
    } else {
        b"unsubscribe"
    };
    let names: Vec<Vec<u8>> = if args.len() > 1 {
        args[1..].iter().map(|a| a.to_vec()).collect()
    } else if pattern {
        session.patterns.iter().cloned().collect()
    } else {
        session.channels.iter().cloned().collect()
    };
    if names.is_empty() {
        out.push(3);
        out.bulk(kind);
        out.null();
        out.int(session.subscriptions() as i64);
    }
    for name in names {
        if pattern {
            session.patterns.remove(&name);
        } else {
            session.channels.remove(&name);
        }
        out.push(3);
        out.bulk(kind);
        out.bulk(&name);
        out.int(session.subscriptions() as i64);
    }
    record_subscriptions(shared, session);
}

fn record_subscriptions(shared: &Shared, session: &Session) {
    if let Some(info) = shared.clients.lock().by_id.get_mut(&session.id) {
        info.subscriptions = (session.channels.len(), session.patterns.len());
    }
}
