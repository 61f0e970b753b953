//! Connection commands: AUTH, HELLO, PING, ECHO, SELECT, QUIT, RESET, and the transaction
//! commands (implemented in `exec`).

use std::sync::atomic::Ordering;

use bytes::Bytes;
use wire::{CommandId, Protocol};

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::exec;

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Auth, auth),
    (CommandId::Hello, hello),
    (CommandId::Ping, ping),
    (CommandId::Echo, echo),
    (CommandId::Select, select),
    (CommandId::Quit, quit),
    (CommandId::Reset, reset),
    (CommandId::Multi, exec::multi),
    (CommandId::Exec, exec::exec),
    (CommandId::Discard, exec::discard),
    (CommandId::Watch, exec::watch),
    (CommandId::Unwatch, exec::unwatch),
];

pub const REDIS_VERSION: &str = "7.0.15";

const NO_PASSWORD: &str = "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";
const WRONG_PASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";

/// Check credentials against `requirepass` (the default user is the only user).
fn check_credentials(ctx: &Ctx, user: Option<&[u8]>, pass: &[u8]) -> Result<(), CmdError> {
    let required = ctx.store.config.requirepass.as_deref();
    let user_ok = user.is_none_or(|u| u == b"default");
    match required {
        None if user.is_none() => Err(CmdError::new(NO_PASSWORD)),
        None if user_ok => Ok(()),
        Some(p) if user_ok && p.as_bytes() == pass => Ok(()),
        _ => Err(CmdError::new(WRONG_PASS)),
    }
}

fn auth(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (user, pass) = match args.len() {
        2 => (None, &args[1]),
        3 => (Some(&args[1][..]), &args[2]),
        _ => return Err(CmdError::syntax()),
    };
    check_credentials(ctx, user, pass)?;
    ctx.client.authenticated = true;
    ctx.out.ok();
    Ok(())
}

fn hello(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let mut proto = ctx.client.proto;
    let mut i = 1;
    if args.len() > 1 {
        let version = wire::request::parse_i64(&args[1]).ok_or_else(|| {
            CmdError::new("ERR Protocol version is not an integer or out of range")
        })?;
        proto = match version {
            2 => Protocol::Resp2,
            3 => Protocol::Resp3,
            _ => return Err(CmdError::new("NOPROTO unsupported protocol version")),
        };
        i = 2;
    }
    let mut name = None;
    while i < args.len() {
        let more = args.len() - i - 1;
        if args::is(&args[i], "AUTH") && more >= 2 {
            check_credentials(ctx, Some(&args[i + 1]), &args[i + 2])?;
            ctx.client.authenticated = true;
            i += 3;
        } else if args::is(&args[i], "SETNAME") && more >= 1 {
            super_validate_name(&args[i + 1])?;
            name = Some(args[i + 1].clone());
            i += 2;
        } else {
            return Err(CmdError::new(format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(&args[i])
            )));
        }
    }
    if !ctx.client.authenticated {
        return Err(CmdError::new(
            "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
        ));
    }
    if let Some(name) = name {
        *ctx.client.handle.name.lock() = (!name.is_empty()).then_some(name);
    }
    ctx.client.proto = proto;
    ctx.client
        .handle
        .resp
        .store(proto.version() as usize, Ordering::Relaxed);
    ctx.out.proto = proto;
    let out = &mut *ctx.out;
    out.map(7);
    out.bulk_str("server");
    out.bulk_str("redis");
    out.bulk_str("version");
    out.bulk_str(REDIS_VERSION);
    out.bulk_str("proto");
    out.int(proto.version());
    out.bulk_str("id");
    out.int(ctx.client.handle.id as i64);
    out.bulk_str("mode");
    out.bulk_str("standalone");
    out.bulk_str("role");
    out.bulk_str("master");
    out.bulk_str("modules");
    out.array(0);
    Ok(())
}

/// Client names may not contain spaces, newlines or other special characters.
pub fn super_validate_name(name: &[u8]) -> Result<(), CmdError> {
    if name.iter().any(|&c| !(b'!'..=b'~').contains(&c)) {
        return Err(CmdError::new(
            "ERR Client names cannot contain spaces, newlines or special characters.",
        ));
    }
    Ok(())
}

fn ping(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() > 2 {
        return Err(CmdError::arity(ctx.cmd));
    }
    if ctx.client.in_resp2_pubsub() {
        ctx.out.array(2);
        ctx.out.bulk(b"pong");
        ctx.out.bulk(args.get(1).map_or(&b""[..], |a| &a[..]));
    } else if let Some(msg) = args.get(1) {
        ctx.out.bulk(msg);
    } else {
        ctx.out.simple("PONG");
    }
    Ok(())
}

fn echo(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ctx.out.bulk(&args[1]);
    Ok(())
}

fn select(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let index = args::int(&args[1])?;
    if index < 0 || index as usize >= ctx.store.dbs.len() {
        return Err(CmdError::new("ERR DB index is out of range"));
    }
    ctx.client.db = index as usize;
    ctx.db = index as usize;
    ctx.client
        .handle
        .db
        .store(index as usize, Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

fn quit(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.out.ok();
    ctx.client.close_after_reply = true;
    Ok(())
}

fn reset(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    exec::reset_transaction(ctx.store, ctx.client);
    crate::pubsub::client_disconnected(ctx.store, ctx.client);
    ctx.client.db = 0;
    ctx.db = 0;
    ctx.client.handle.db.store(0, Ordering::Relaxed);
    ctx.client.proto = Protocol::Resp2;
    ctx.client.handle.resp.store(2, Ordering::Relaxed);
    ctx.out.proto = Protocol::Resp2;
    ctx.client.reply_mode = Default::default();
    *ctx.client.handle.name.lock() = None;
    ctx.client.handle.monitor.store(false, Ordering::Relaxed);
    ctx.client.authenticated = ctx.store.config.requirepass.is_none();
    ctx.out.simple("RESET");
    Ok(())
}
