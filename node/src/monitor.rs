//! MONITOR: every executed command, as Redis's replicationFeedMonitors prints it, sent to the
//! clients in monitor mode.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use wire::command::flags;
use wire::{Command, CommandId, ReplyBuf};

use crate::client::{ClientHandle, ClientState};
use crate::ctx::{CmdError, CmdResult, Ctx};
use crate::server::Store;

/// Clients in monitor mode, in the order they entered it.
#[derive(Debug, Default)]
pub struct Monitors {
    clients: Vec<Arc<ClientHandle>>,
}

impl Monitors {
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

/// MONITOR. Inside EXEC it is refused; a second MONITOR gets no reply at all (Redis ignores it).
pub fn monitor(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    if !ctx.may_block() {
        return Err(CmdError::new(
            "ERR MONITOR isn't allowed for DENY BLOCKING client",
        ));
    }
    let handle = &ctx.client.handle;
    if handle.monitor.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    let monitors = &mut ctx.store.monitors.clients;
    // A client that left monitor mode with RESET may still be listed.
    if !monitors.iter().any(|m| m.id == handle.id) {
        monitors.push(handle.clone());
    }
    ctx.out.ok();
    Ok(())
}

pub fn client_disconnected(store: &mut Store, client: &ClientState) {
    if !store.monitors.clients.is_empty() {
        let id = client.id();
        store.monitors.clients.retain(|m| m.id != id);
    }
    client.handle.monitor.store(false, Ordering::Relaxed);
}

/// Show an executed command to the monitors. Administrative commands and those flagged
/// skip_monitor are not shown; a monitor that is the executing client gets the line in `out`,
/// after the command's own reply.
pub fn feed(
    store: &mut Store,
    client: &ClientState,
    out: &mut ReplyBuf,
    cmd: &Command,
    args: &[Bytes],
) {
    if store.monitors.clients.is_empty() || cmd.has(flags::ADMIN | flags::SKIP_MONITOR) {
        return;
    }
    store
        .monitors
        .clients
        .retain(|m| m.monitor.load(Ordering::Relaxed) && !m.kill.is_cancelled());
    if store.monitors.clients.is_empty() {
        return;
    }
    let line = Bytes::from(format_line(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_micros(),
        client.db,
        &client.handle.addr.to_string(),
        cmd,
        args,
    ));
    let limits = store.config.client_output_buffer_limit;
    let now_ms = crate::server::unix_ms();
    for monitor in &store.monitors.clients {
        if monitor.id == client.id() {
            out.raw(&line);
        } else {
            crate::pubsub::deliver(&limits, now_ms, monitor, line.clone());
        }
    }
}

/// `+<secs>.<micros> [<db> <addr>] "arg" "arg"...\r\n`, secrets redacted as Redis does.
fn format_line(unix_micros: u128, db: usize, addr: &str, cmd: &Command, args: &[Bytes]) -> Vec<u8> {
    let mut head = String::with_capacity(48);
    let _ = write!(
        head,
        "+{}.{:06} [{} {}] ",
        unix_micros / 1_000_000,
        unix_micros % 1_000_000,
        db,
        addr
    );
    let mut line = head.into_bytes();
    let redacted = redacted_args(cmd, args);
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        if redacted.contains(&i) {
            line.extend_from_slice(b"\"(redacted)\"");
        } else {
            cat_repr(&mut line, arg);
        }
    }
    line.extend_from_slice(b"\r\n");
    line
}

/// Argument positions Redis replaces with `(redacted)`: AUTH's credentials, HELLO's AUTH pair.
fn redacted_args(cmd: &Command, args: &[Bytes]) -> Vec<usize> {
    match cmd.id {
        CommandId::Auth if args.len() <= 3 => (1..args.len()).collect(),
        CommandId::Hello => {
            let version_ok = args
                .get(1)
                .is_none_or(|v| wire::request::parse_i64(v).is_some_and(|v| (2..=3).contains(&v)));
            let mut positions = Vec::new();
            if !version_ok {
                return positions;
            }
            let mut i = 2;
            while i < args.len() {
                let more = args.len() - 1 - i;
                if args[i].eq_ignore_ascii_case(b"AUTH") && more >= 2 {
                    positions.extend([i + 1, i + 2]);
                    i += 3;
                } else if args[i].eq_ignore_ascii_case(b"SETNAME") && more >= 1 {
                    i += 2;
                } else {
                    break;
                }
            }
            positions
        }
        _ => Vec::new(),
    }
}

/// Redis's sdscatrepr: a double-quoted string with C escapes, non-printables as `\xHH`.
pub fn cat_repr(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&[u8]]) -> Vec<Bytes> {
        list.iter().map(|a| Bytes::copy_from_slice(a)).collect()
    }

    #[test]
    fn repr_escapes_like_redis() {
        let mut out = Vec::new();
        cat_repr(&mut out, b"a b\"\\\n\r\t\x07\x08\x01\xff~");
        assert_eq!(out, b"\"a b\\\"\\\\\\n\\r\\t\\a\\b\\x01\\xff~\"");
    }

    #[test]
    fn line_format() {
        let cmd = wire::command::lookup(b"set").expect("set");
        let line = format_line(
            1_795_242_958_000_123,
            2,
            "127.0.0.1:5000",
            cmd,
            &args(&[b"set", b"k", b"v"]),
        );
        assert_eq!(
            line,
            b"+1795242958.000123 [2 127.0.0.1:5000] \"set\" \"k\" \"v\"\r\n"
        );
    }

    #[test]
    fn secrets_are_redacted() {
        let auth = wire::command::lookup(b"auth").expect("auth");
        let line = format_line(0, 0, "a", auth, &args(&[b"auth", b"u", b"p"]));
        assert!(line.ends_with(b"\"auth\" \"(redacted)\" \"(redacted)\"\r\n"));
        let hello = wire::command::lookup(b"hello").expect("hello");
        let line = format_line(
            0,
            0,
            "a",
            hello,
            &args(&[b"HELLO", b"3", b"SETNAME", b"n", b"AUTH", b"u", b"p"]),
        );
        assert!(line.ends_with(
            b"\"HELLO\" \"3\" \"SETNAME\" \"n\" \"AUTH\" \"(redacted)\" \"(redacted)\"\r\n"
        ));
        let line = format_line(
            0,
            0,
            "a",
            hello,
            &args(&[b"hello", b"4", b"auth", b"u", b"p"]),
        );
        assert!(line.ends_with(b"\"hello\" \"4\" \"auth\" \"u\" \"p\"\r\n"));
    }
}
