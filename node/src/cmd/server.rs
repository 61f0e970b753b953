//! Server administration: INFO, TIME, SLOWLOG, LATENCY, OBJECT, DEBUG, SHUTDOWN.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use super::reply_help;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::evict;
use crate::keyspace::Entry;
use crate::types::Value;

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Info, info),
    (CommandId::Time, time),
    (CommandId::SlowlogGet, slowlog_get),
    (CommandId::SlowlogLen, slowlog_len),
    (CommandId::SlowlogReset, slowlog_reset),
    (CommandId::SlowlogHelp, slowlog_help),
    (CommandId::LatencyLatest, latency_latest),
    (CommandId::LatencyReset, latency_reset),
    (CommandId::LatencyHelp, latency_help),
    (CommandId::ObjectEncoding, object_encoding),
    (CommandId::ObjectFreq, object_freq),
    (CommandId::ObjectIdletime, object_idletime),
    (CommandId::ObjectRefcount, object_refcount),
    (CommandId::ObjectHelp, object_help),
    (CommandId::Debug, debug),
    (CommandId::Shutdown, shutdown),
];

fn info(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let text = crate::info::generate(ctx.server, ctx.store, &args[1..], ctx.now_ms);
    ctx.out.verbatim(text.as_bytes());
    Ok(())
}

fn time(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    ctx.out.array(2);
    ctx.out.bulk_int(now.as_secs() as i64);
    ctx.out.bulk_int(now.subsec_micros() as i64);
    Ok(())
}

// ---- SLOWLOG --------------------------------------------------------------------------------

fn slowlog_get(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let count = match args.get(2) {
        None => 10,
        Some(arg) => match wire::request::parse_i64(arg) {
            Some(-1) => usize::MAX,
            Some(n) if n >= 0 => n as usize,
            _ => {
                return Err(CmdError::new(
                    "ERR count should be greater than or equal to -1",
                ));
            }
        },
    };
    let log = &ctx.store.slowlog;
    let out = &mut *ctx.out;
    out.array(count.min(log.len()));
    for entry in log.entries().take(count) {
        out.array(6);
        out.int(entry.id as i64);
        out.int(entry.time as i64);
        out.int(entry.duration_us as i64);
        out.array(entry.args.len());
        for arg in &entry.args {
            out.bulk(arg);
        }
        out.bulk_str(&entry.peer);
        out.bulk(&entry.client_name);
    }
    Ok(())
}

fn slowlog_len(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.store.slowlog.len() as i64);
    Ok(())
}

fn slowlog_reset(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.store.slowlog.reset();
    ctx.out.ok();
    Ok(())
}

fn slowlog_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(
        ctx,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
    Ok(())
}

// ---- LATENCY --------------------------------------------------------------------------------

fn latency_latest(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    let monitor = &ctx.store.latency;
    let out = &mut *ctx.out;
    out.array(monitor.events().count());
    for (event, series) in monitor.events() {
        let latest = series.latest();
        out.array(4);
        out.bulk_str(event);
        out.int(latest.time as i64);
        out.int(latest.latency_ms as i64);
        out.int(series.max_ms as i64);
    }
    Ok(())
}

fn latency_reset(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let names = (args.len() > 2).then(|| &args[2..]);
    let removed = ctx.store.latency.reset(names);
    ctx.out.int(removed as i64);
    Ok(())
}

fn latency_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(
        ctx,
        "LATENCY",
        &[
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
        ],
    );
    Ok(())
}

// ---- OBJECT ---------------------------------------------------------------------------------

const LFU_NOT_SELECTED: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const LFU_SELECTED: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

/// The key's entry without touching its access clock (expired keys are removed); a null
/// reply when absent, as OBJECT answers.
fn object_lookup<'c>(ctx: &'c mut Ctx, key: &[u8]) -> Option<&'c Entry> {
    let found = ctx.store.dbs[ctx.db].get_mut(key, ctx.now_ms).is_some();
    if !found {
        ctx.out.null();
        return None;
    }
    ctx.store.dbs[ctx.db].peek_any(key)
}

fn object_encoding(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let Some(entry) = object_lookup(ctx, &args[2]) else {
        return Ok(());
    };
    let encoding = entry.value.encoding();
    ctx.out.bulk_str(encoding);
    Ok(())
}

fn object_freq(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now_ms = ctx.now_ms;
    let config = &ctx.store.config;
    let (lfu, decay) = (config.maxmemory_policy.is_lfu(), config.lfu_decay_time);
    let Some(entry) = object_lookup(ctx, &args[2]) else {
        return Ok(());
    };
    if !lfu {
        return Err(CmdError::new(LFU_NOT_SELECTED));
    }
    let freq = evict::lfu_decr_and_return(entry.access, now_ms, decay);
    ctx.out.int(freq as i64);
    Ok(())
}

fn object_idletime(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now_ms = ctx.now_ms;
    let lfu = ctx.store.config.maxmemory_policy.is_lfu();
    let Some(entry) = object_lookup(ctx, &args[2]) else {
        return Ok(());
    };
    if lfu {
        return Err(CmdError::new(LFU_SELECTED));
    }
    let idle = evict::idle_ms(entry.access, now_ms) / 1000;
    ctx.out.int(idle as i64);
    Ok(())
}

fn object_refcount(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let shared = shares_integers(&ctx.store.config);
    let Some(entry) = object_lookup(ctx, &args[2]) else {
        return Ok(());
    };
    let refcount = refcount(&entry.value, shared);
    ctx.out.int(refcount);
    Ok(())
}

fn object_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(
        ctx,
        "OBJECT",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    );
    Ok(())
}

/// Redis keeps one shared object for each integer below 10000 unless an LRU/LFU policy needs
/// per-key access data; such values report the shared object's refcount.
fn shares_integers(config: &crate::Config) -> bool {
    config.maxmemory == 0 || !(config.maxmemory_policy.is_lru() || config.maxmemory_policy.is_lfu())
}

fn refcount(value: &Value, shared_integers: bool) -> i64 {
    const OBJ_SHARED_REFCOUNT: i64 = i32::MAX as i64;
    if let Value::Str(s) = value
        && shared_integers
        && value.encoding() == "int"
        && wire::request::parse_i64(s).is_some_and(|v| (0..10000).contains(&v))
    {
        return OBJ_SHARED_REFCOUNT;
    }
    1
}

// ---- DEBUG ----------------------------------------------------------------------------------

pub const DEBUG_NOT_ALLOWED: &str = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";

/// `enable-debug-command`: whether this client may run DEBUG (checked before dispatch).
pub fn debug_allowed(store: &crate::server::Store, client: &crate::client::ClientState) -> bool {
    store
        .config
        .debug_allowed(client.handle.addr.ip().is_loopback())
}

fn debug(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let sub = String::from_utf8_lossy(&args[1]).to_ascii_lowercase();
    match (sub.as_str(), args.len()) {
        ("help", 2) => debug_help(ctx),
        ("sleep", 3) => {
            // strtod semantics: garbage reads as 0, and only a positive time sleeps.
            let secs = leading_float(&args[2]);
            if let Ok(pause) = Duration::try_from_secs_f64(secs)
                && !pause.is_zero()
            {
                // Redis sleeps in its only thread: the whole server stops, as here, where
                // the store lock stays held.
                std::thread::sleep(pause);
            }
            ctx.out.ok();
        }
        ("set-active-expire", 3) => {
            ctx.store.active_expire.enabled = leading_int(&args[2]) != 0;
            ctx.out.ok();
        }
        ("object", 3) => debug_object(ctx, &args[2])?,
        ("log", 3) => {
            tracing::warn!("DEBUG LOG: {}", String::from_utf8_lossy(&args[2]));
            ctx.out.ok();
        }
        ("error", 3) => {
            return Err(CmdError::new(
                String::from_utf8_lossy(&args[2]).into_owned(),
            ));
        }
        ("protocol", 3) => debug_protocol(ctx, &args[2])?,
        _ => {
            return Err(CmdError::new(format!(
                "ERR unknown subcommand or wrong number of arguments for '{}'. Try DEBUG HELP.",
                String::from_utf8_lossy(&args[1])
            )));
        }
    }
    Ok(())
}

fn debug_help(ctx: &mut Ctx) {
    reply_help(
        ctx,
        "DEBUG",
        &[
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
        ],
    );
}

fn debug_object(ctx: &mut Ctx, key: &[u8]) -> CmdResult {
    let shared = shares_integers(&ctx.store.config);
    let now_ms = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    if db.get_mut(key, now_ms).is_none() {
        return Err(CmdError::no_such_key());
    }
    let Some(entry) = db.peek_any(key) else {
        return Err(CmdError::no_such_key());
    };
    let value = &entry.value;
    let mut text = format!(
        "Value at:{:p} refcount:{} encoding:{}",
        value as *const Value,
        refcount(value, shared),
        value.encoding()
    );
    if let Some(len) = serialized_len(value) {
        text.push_str(&format!(" serializedlength:{len}"));
    }
    text.push_str(&format!(
        " lru:{} lru_seconds_idle:{}",
        entry.access & evict::LRU_CLOCK_MAX,
        evict::idle_ms(entry.access, now_ms) / 1000
    ));
    ctx.out.simple(&text);
    Ok(())
}

/// Bytes the value takes in an RDB file (without LZF compression), as DEBUG OBJECT reports.
/// Known for strings; collections wait for the RDB writer.
fn serialized_len(value: &Value) -> Option<usize> {
    let bytes = match value {
        Value::Str(s) => s.as_slice(),
        Value::Raw(v) => v.as_slice(),
        _ => return None,
    };
    // Short canonical integers that fit 32 bits are stored as 1, 2 or 4 byte integers.
    if bytes.len() <= 11
        && let Some(v) = wire::request::parse_i64(bytes)
    {
        if i8::try_from(v).is_ok() {
            return Some(2);
        }
        if i16::try_from(v).is_ok() {
            return Some(3);
        }
        if i32::try_from(v).is_ok() {
            return Some(5);
        }
    }
    let len = bytes.len();
    let header = match len {
        0..64 => 1,
        64..16384 => 2,
        _ if len as u64 <= u32::MAX as u64 => 5,
        _ => 9,
    };
    Some(header + len)
}

fn debug_protocol(ctx: &mut Ctx, kind: &[u8]) -> CmdResult {
    let out = &mut *ctx.out;
    let kind = String::from_utf8_lossy(kind).to_ascii_lowercase();
    match kind.as_str() {
        "string" => out.bulk_str("Hello World"),
        "integer" => out.int(12345),
        // Redis's fixed test value, not an approximation of pi.
        #[allow(clippy::approx_constant)]
        "double" => out.double(3.141),
        "bignum" => {
            if out.is_resp3() {
                out.raw(b"(1234567999999999999999999999999999999\r\n");
            } else {
                out.bulk_str("1234567999999999999999999999999999999");
            }
        }
        "null" => out.null(),
        "array" => {
            out.array(3);
            (0..3).for_each(|j| out.int(j));
        }
        "set" => {
            out.set(3);
            (0..3).for_each(|j| out.int(j));
        }
        "map" => {
            out.map(3);
            for j in 0..3 {
                out.int(j);
                out.boolean(j == 1);
            }
        }
        "attrib" => {
            if out.is_resp3() {
                out.raw(b"|1\r\n");
                out.bulk_str("key-popularity");
                out.array(2);
                out.bulk_str("key:123");
                out.int(90);
            }
            out.bulk_str("Some real reply following the attribute");
        }
        "push" => {
            if !out.is_resp3() {
                return Err(CmdError::new("ERR RESP2 is not supported by this command"));
            }
            out.push(2);
            out.bulk_str("server-cpu-usage");
            out.int(42);
            out.bulk_str("Some real reply following the push reply");
        }
        "true" => out.boolean(true),
        "false" => out.boolean(false),
        "verbatim" => out.verbatim(b"This is a verbatim\nstring"),
        _ => {
            return Err(CmdError::new(
                "ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
            ));
        }
    }
    Ok(())
}

/// `strtod`: the longest leading decimal number, 0 if none.
fn leading_float(arg: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(arg);
    let text = text.trim_start();
    (1..=text.len())
        .rev()
        .filter(|&n| text.is_char_boundary(n))
        .find_map(|n| {
            let prefix = &text[..n];
            // Rust also parses "inf"/"nan" words; strtod does too, which is fine here.
            prefix.parse::<f64>().ok()
        })
        .filter(|v| v.is_finite())
        .unwrap_or(0.0)
}

/// `atoi`: optional sign and leading digits, 0 if none.
fn leading_int(arg: &[u8]) -> i64 {
    let text = String::from_utf8_lossy(arg);
    let text = text.trim_start();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse::<i64>().map_or(0, |v| sign * v)
}

// ---- SHUTDOWN -------------------------------------------------------------------------------

fn shutdown(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (mut nosave, mut save, mut force, mut abort, mut any_flag) =
        (false, false, false, false, false);
    for arg in &args[1..] {
        if args::is(arg, "nosave") {
            nosave = true;
        } else if args::is(arg, "save") {
            save = true;
        } else if args::is(arg, "now") {
        } else if args::is(arg, "force") {
            force = true;
        } else if args::is(arg, "abort") {
            abort = true;
            continue;
        } else {
            return Err(CmdError::syntax());
        }
        any_flag = true;
    }
    if (abort && any_flag) || (nosave && save) {
        return Err(CmdError::syntax());
    }
    if abort {
        // Shutdown is immediate here: there is never one in progress to abort.
        return Err(CmdError::new("ERR No shutdown in progress."));
    }
    if crate::persist::shutdown_save(ctx.store, save, nosave).is_err() {
        if !force {
            tracing::warn!("Error trying to save the DB, can't exit.");
            return Err(CmdError::new("ERR Errors trying to SHUTDOWN. Check logs."));
        }
        tracing::warn!("Error trying to save the DB. Exit anyway.");
    }
    tracing::warn!("User requested shutdown...");
    tracing::warn!("Redis is now ready to exit, bye bye...");
    ctx.client.close_after_reply = true;
    ctx.server.shutdown.cancel();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsing() {
        assert_eq!(leading_float(b"0.5"), 0.5);
        assert_eq!(leading_float(b"abc"), 0.0);
        assert_eq!(leading_float(b"2xyz"), 2.0);
        assert_eq!(leading_float(b"-1"), -1.0);
        assert_eq!(leading_int(b"12ab"), 12);
        assert_eq!(leading_int(b"x"), 0);
        assert_eq!(leading_int(b"-3"), -3);
    }

    #[test]
    fn rdb_string_lengths() {
        assert_eq!(serialized_len(&Value::string(b"bar")), Some(4));
        assert_eq!(serialized_len(&Value::string(b"123")), Some(2));
        assert_eq!(serialized_len(&Value::string(b"1000")), Some(3));
        assert_eq!(serialized_len(&Value::string(b"100000")), Some(5));
        assert_eq!(serialized_len(&Value::string(b"12345678901")), Some(12));
        assert_eq!(serialized_len(&Value::string(&[b'x'; 64])), Some(66));
    }

    #[test]
    fn shared_integer_refcounts() {
        assert_eq!(refcount(&Value::string(b"123"), true), i32::MAX as i64);
        assert_eq!(refcount(&Value::string(b"123"), false), 1);
        assert_eq!(refcount(&Value::string(b"10000"), true), 1);
        assert_eq!(refcount(&Value::string(b"abc"), true), 1);
    }
}
