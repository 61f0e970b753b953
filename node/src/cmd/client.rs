//! CLIENT: connection introspection and control (ID, names, LIST/INFO, KILL, PAUSE, REPLY ...),
//! and MONITOR, whose mode is a client flag.

use std::fmt::Write as _;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use wire::CommandId;

use super::{Handler, reply_help};
use crate::client::{ClientHandle, ClientKind, ReplyMode};
use crate::ctx::{CmdError, CmdResult, Ctx, args};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::ClientId, client_id),
    (CommandId::ClientSetname, client_setname),
    (CommandId::ClientGetname, client_getname),
    (CommandId::ClientList, client_list),
    (CommandId::ClientInfo, client_info),
    (CommandId::ClientKill, client_kill),
    (CommandId::ClientSetinfo, client_setinfo),
    (CommandId::ClientPause, client_pause),
    (CommandId::ClientUnpause, client_unpause),
    (CommandId::ClientNoEvict, client_no_evict),
    (CommandId::ClientReply, client_reply),
    (CommandId::ClientHelp, client_help),
    (CommandId::Monitor, crate::monitor::monitor),
];

/// Redis's addReplySubcommandSyntaxError, for subcommands given a wrong number of arguments
/// their table arity lets through.
pub fn subcommand_syntax_error(args: &[Bytes]) -> CmdError {
    let container = String::from_utf8_lossy(&args[0]).to_ascii_uppercase();
    let sub = args.get(1).map_or(&b""[..], |a| &a[..]);
    let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]).into_owned();
    CmdError::new(format!(
        "ERR unknown subcommand or wrong number of arguments for '{sub}'. Try {container} HELP."
    ))
}

fn client_id(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.client.id() as i64);
    Ok(())
}

fn client_setname(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let name = &args[2];
    if !name.is_empty() {
        super::connection::super_validate_name(name)?;
    }
    *ctx.client.handle.name.lock() = (!name.is_empty()).then(|| name.clone());
    ctx.out.ok();
    Ok(())
}

fn client_getname(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    match ctx.client.handle.name.lock().as_ref() {
        Some(name) => ctx.out.bulk(name),
        None => ctx.out.null(),
    }
    Ok(())
}

/// CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2).
fn client_setinfo(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() != 4 {
        return Err(CmdError::arity(ctx.cmd));
    }
    let attr = &args[2];
    let slot = if args::is(attr, "LIB-NAME") {
        &ctx.client.handle.lib_name
    } else if args::is(attr, "LIB-VER") {
        &ctx.client.handle.lib_ver
    } else {
        return Err(CmdError::new(format!(
            "ERR Unrecognized option '{}'",
            String::from_utf8_lossy(attr)
        )));
    };
    let value = &args[3];
    if value.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::new(format!(
            "ERR {} cannot contain spaces, newlines or special characters.",
            String::from_utf8_lossy(attr)
        )));
    }
    *slot.lock() = (!value.is_empty()).then(|| value.clone());
    ctx.out.ok();
    Ok(())
}

/// What only the executing connection knows about itself, for its own CLIENT LIST line.
struct CallerView {
    id: u64,
    argv_mem: usize,
    reply_buf_len: usize,
    reply_buf_cap: usize,
    closing: bool,
}

impl CallerView {
    fn of(ctx: &Ctx, args: &[Bytes]) -> CallerView {
        CallerView {
            id: ctx.client.id(),
            argv_mem: args.iter().map(|a| a.len()).sum(),
            reply_buf_len: ctx.out.len(),
            reply_buf_cap: ctx.out.buf.capacity(),
            closing: ctx.client.close_after_reply,
        }
    }
}

/// One CLIENT LIST line in Redis 7.2's field order (7.0's fields, then `lib-name`/`lib-ver`),
/// without the trailing newline.
fn info_line(out: &mut String, client: &ClientHandle, caller: &CallerView, now_ms: u64) {
    let is_caller = client.id == caller.id;
    let age = client.created.elapsed().as_secs();
    let idle = if is_caller {
        0
    } else {
        now_ms.saturating_sub(client.last_interaction_ms.load(Ordering::Relaxed)) / 1000
    };
    let in_multi = client.in_multi.load(Ordering::Relaxed);
    let multi = if in_multi {
        client.multi_queued.load(Ordering::Relaxed) as i64
    } else {
        -1
    };
    let qbuf = client.query_buf.load(Ordering::Relaxed);
    let qbuf_free = client.query_buf_free.load(Ordering::Relaxed);
    let argv_mem = if is_caller { caller.argv_mem } else { 0 };
    let multi_mem = client.multi_mem.load(Ordering::Relaxed);
    let (rbs, rbp, obl) = if is_caller {
        let peak = client
            .reply_buf_peak
            .load(Ordering::Relaxed)
            .max(caller.reply_buf_len);
        (caller.reply_buf_cap, peak, caller.reply_buf_len)
    } else {
        (
            client.reply_buf_size.load(Ordering::Relaxed),
            client.reply_buf_peak.load(Ordering::Relaxed),
            0,
        )
    };
    let oll = client.push_pending_frames.load(Ordering::Relaxed);
    let omem = client.push_pending.load(Ordering::Relaxed);
    let tot_mem = qbuf
        + qbuf_free
        + argv_mem
        + multi_mem
        + rbs
        + omem
        + std::mem::size_of::<ClientHandle>()
        + std::mem::size_of::<crate::client::ClientState>();
    let events = if omem > 0 { "rw" } else { "r" };
    let name = client.name.lock().clone().unwrap_or_default();
    let lib_name = client.lib_name.lock().clone().unwrap_or_default();
    let lib_ver = client.lib_ver.lock().clone().unwrap_or_default();
    let _ = write!(
        out,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub=0 \
         multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} \
         omem={} tot-mem={} events={} cmd={} user=default redir=-1 resp={} lib-name={} lib-ver={}",
        client.id,
        client.addr,
        client.laddr,
        client.fd,
        String::from_utf8_lossy(&name),
        age,
        idle,
        flags(client, is_caller && caller.closing),
        client.db.load(Ordering::Relaxed),
        client.subscriptions.load(Ordering::Relaxed),
        client.psubscriptions.load(Ordering::Relaxed),
        multi,
        qbuf,
        qbuf_free,
        argv_mem,
        multi_mem,
        rbs,
        rbp,
        obl,
        oll,
        omem,
        tot_mem,
        events,
        client.last_cmd.name(),
        client.resp.load(Ordering::Relaxed),
        String::from_utf8_lossy(&lib_name),
        String::from_utf8_lossy(&lib_ver),
    );
}

/// The `flags=` letters, in Redis's order.
fn flags(client: &ClientHandle, closing: bool) -> String {
    let mut flags = String::new();
    match client.role.load(Ordering::Relaxed) {
        crate::client::ROLE_REPLICA => flags.push('S'),
        crate::client::ROLE_MASTER => flags.push('M'),
        _ => {}
    }
    if client.monitor.load(Ordering::Relaxed) {
        flags.push('O');
    }
    if client.is_subscribed() {
        flags.push('P');
    }
    if client.in_multi.load(Ordering::Relaxed) {
        flags.push('x');
    }
    if client.blocked.load(Ordering::Relaxed) {
        flags.push('b');
    }
    if client.dirty_cas.load(Ordering::Relaxed) {
        flags.push('d');
    }
    if closing {
        flags.push('c');
    }
    if client.kill.is_cancelled() {
        flags.push('A');
    }
    if client.no_evict.load(Ordering::Relaxed) {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    flags
}

/// Connected clients in creation order, without those already being disconnected.
fn live_clients(ctx: &Ctx) -> Vec<std::sync::Arc<ClientHandle>> {
    let mut clients: Vec<_> = ctx
        .store
        .clients
        .values()
        .filter(|c| !c.kill.is_cancelled())
        .cloned()
        .collect();
    clients.sort_by_key(|c| c.id);
    clients
}

fn client_list(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let caller = CallerView::of(ctx, args);
    let mut text = String::new();
    if args.len() == 4 && args::is(&args[2], "TYPE") {
        let kind = parse_kind(&args[3])?;
        for client in live_clients(ctx).iter().filter(|c| c.kind() == kind) {
            info_line(&mut text, client, &caller, ctx.now_ms);
            text.push('\n');
        }
    } else if args.len() > 3 && args::is(&args[2], "ID") {
        let mut ids = Vec::with_capacity(args.len() - 3);
        for arg in &args[3..] {
            ids.push(
                wire::request::parse_i64(arg)
                    .ok_or_else(|| CmdError::new("ERR Invalid client ID"))?,
            );
        }
        for id in ids {
            let client = u64::try_from(id)
                .ok()
                .and_then(|id| ctx.store.clients.get(&id))
                .filter(|c| !c.kill.is_cancelled())
                .cloned();
            if let Some(client) = client {
                info_line(&mut text, &client, &caller, ctx.now_ms);
                text.push('\n');
            }
        }
    } else if args.len() == 2 {
        for client in live_clients(ctx) {
            info_line(&mut text, &client, &caller, ctx.now_ms);
            text.push('\n');
        }
    } else {
        return Err(CmdError::syntax());
    }
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn client_info(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let caller = CallerView::of(ctx, args);
    let mut text = String::new();
    let handle = ctx.client.handle.clone();
    info_line(&mut text, &handle, &caller, ctx.now_ms);
    text.push('\n');
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn parse_kind(name: &[u8]) -> Result<ClientKind, CmdError> {
    ClientKind::parse(name).ok_or_else(|| {
        CmdError::new(format!(
            "ERR Unknown client type '{}'",
            String::from_utf8_lossy(name)
        ))
    })
}

/// CLIENT KILL filters; every given filter must match.
#[derive(Default)]
struct KillFilter {
    addr: Option<Bytes>,
    laddr: Option<Bytes>,
    kind: Option<ClientKind>,
    id: Option<u64>,
    max_age_secs: Option<u64>,
    skip_me: bool,
}

impl KillFilter {
    fn parse(args: &[Bytes]) -> Result<KillFilter, CmdError> {
        if args.len() == 3 {
            // The old form, `CLIENT KILL ip:port`, may kill the caller.
            return Ok(KillFilter {
                addr: Some(args[2].clone()),
                ..Default::default()
            });
        }
        let mut filter = KillFilter {
            skip_me: true,
            ..Default::default()
        };
        let mut i = 2;
        while i < args.len() {
            let (option, value) = match args.get(i + 1) {
                Some(value) => (&args[i], value),
                None => return Err(CmdError::syntax()),
            };
            if args::is(option, "ID") {
                let id = wire::request::parse_i64(value)
                    .filter(|&id| id >= 1)
                    .ok_or_else(|| CmdError::new("ERR client-id should be greater than 0"))?;
                filter.id = Some(id as u64);
            } else if args::is(option, "TYPE") {
                filter.kind = Some(parse_kind(value)?);
            } else if args::is(option, "ADDR") {
                filter.addr = Some(value.clone());
            } else if args::is(option, "LADDR") {
                filter.laddr = Some(value.clone());
            } else if args::is(option, "USER") {
                if &value[..] != b"default" {
                    return Err(CmdError::new(format!(
                        "ERR No such user '{}'",
                        String::from_utf8_lossy(value)
                    )));
                }
            } else if args::is(option, "SKIPME") {
                if args::is(value, "YES") {
                    filter.skip_me = true;
                } else if args::is(value, "NO") {
                    filter.skip_me = false;
                } else {
                    return Err(CmdError::syntax());
                }
            } else if args::is(option, "MAXAGE") {
                // Redis 7.4's filter: connections older than this many seconds.
                let age = wire::request::parse_i64(value)
                    .ok_or_else(|| CmdError::new("ERR maxage is not an integer or out of range"))?;
                if age <= 0 {
                    return Err(CmdError::new("ERR maxage should be greater than 0"));
                }
                filter.max_age_secs = Some(age as u64);
            } else {
                return Err(CmdError::syntax());
            }
            i += 2;
        }
        Ok(filter)
    }

    fn matches(&self, client: &ClientHandle, caller_id: u64) -> bool {
        let text_is = |want: &Option<Bytes>, have: &std::net::SocketAddr| {
            want.as_ref()
                .is_none_or(|w| w[..] == *have.to_string().as_bytes())
        };
        text_is(&self.addr, &client.addr)
            && text_is(&self.laddr, &client.laddr)
            && self.kind.is_none_or(|k| client.kind() == k)
            && self.id.is_none_or(|id| client.id == id)
            && self
                .max_age_secs
                .is_none_or(|max| client.created.elapsed().as_secs() > max)
            && !(self.skip_me && client.id == caller_id)
    }
}

fn client_kill(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let filter = KillFilter::parse(args)?;
    let caller_id = ctx.client.id();
    let mut killed = 0i64;
    for client in live_clients(ctx) {
        if !filter.matches(&client, caller_id) {
            continue;
        }
        if client.id == caller_id {
            // Killing oneself: the reply goes out first.
            ctx.client.close_after_reply = true;
        } else {
            client.kill.cancel();
        }
        killed += 1;
    }
    if args.len() == 3 {
        if killed == 0 {
            return Err(CmdError::new("ERR No such client"));
        }
        ctx.out.ok();
    } else {
        ctx.out.int(killed);
    }
    Ok(())
}

fn client_pause(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() > 4 {
        return Err(subcommand_syntax_error(args));
    }
    let mut all = true;
    if let Some(mode) = args.get(3) {
        if args::is(mode, "WRITE") {
            all = false;
        } else if !args::is(mode, "ALL") {
            return Err(CmdError::new("ERR CLIENT PAUSE mode must be WRITE or ALL"));
        }
    }
    let timeout = wire::request::parse_i64(&args[2])
        .ok_or_else(|| CmdError::new("ERR timeout is not an integer or out of range"))?;
    if timeout < 0 {
        return Err(CmdError::new("ERR timeout is negative"));
    }
    let end_ms = if timeout == 0 {
        0
    } else {
        (ctx.now_ms as i64)
            .checked_add(timeout)
            .ok_or_else(|| CmdError::new("ERR timeout is out of range"))? as u64
    };
    ctx.store.client_pause.pause(end_ms, all, ctx.now_ms);
    ctx.out.ok();
    Ok(())
}

fn client_unpause(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.store.client_pause.unpause();
    ctx.out.ok();
    Ok(())
}

fn client_no_evict(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let on = if args::is(&args[2], "ON") {
        true
    } else if args::is(&args[2], "OFF") {
        false
    } else {
        return Err(CmdError::syntax());
    };
    ctx.client.handle.no_evict.store(on, Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

/// CLIENT REPLY: OFF and SKIP answer nothing; the dispatcher silences what follows.
fn client_reply(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let mode = &args[2];
    if args::is(mode, "ON") {
        ctx.client.reply_mode = ReplyMode::On;
        ctx.out.ok();
    } else if args::is(mode, "OFF") {
        ctx.client.reply_mode = ReplyMode::Off;
    } else if args::is(mode, "SKIP") {
        if ctx.client.reply_mode != ReplyMode::Off {
            ctx.client.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        return Err(CmdError::syntax());
    }
    Ok(())
}

/// Redis 7.0's CLIENT HELP, limited to the subcommands served here (plus KILL MAXAGE).
const CLIENT_HELP: &[&str] = &[
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "    * ID <client-id>",
    "      Kill connections by client id.",
    "    * MAXAGE <maxage>",
    "      Kill connections older than the specified age.",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "SETINFO <option> <value>",
    "    Set client meta attr. Options are:",
    "    * LIB-NAME: the client lib name.",
    "    * LIB-VER: the client lib version.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
];

fn client_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(ctx, "CLIENT", CLIENT_HELP);
    Ok(())
}
