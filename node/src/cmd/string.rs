//! String commands: GET/SET and their variants, counters, ranges, bit operations and LCS.

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::keyspace::{Db, ExpireMode};
use crate::longdouble::{Invalid, LongDouble};
use crate::types::Value;

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Get, get),
    (CommandId::Set, set),
    (CommandId::Getex, getex),
    (CommandId::Getdel, getdel),
    (CommandId::Getset, getset),
    (CommandId::Mget, mget),
    (CommandId::Mset, mset),
    (CommandId::Msetnx, msetnx),
    (CommandId::Setnx, setnx),
    (CommandId::Setex, setex),
    (CommandId::Psetex, psetex),
    (CommandId::Append, append),
    (CommandId::Strlen, strlen),
    (CommandId::Incr, incr),
    (CommandId::Decr, decr),
    (CommandId::Incrby, incrby),
    (CommandId::Decrby, decrby),
    (CommandId::Incrbyfloat, incrbyfloat),
    (CommandId::Getrange, getrange),
    (CommandId::Substr, getrange),
    (CommandId::Setrange, setrange),
    (CommandId::Setbit, setbit),
    (CommandId::Getbit, getbit),
    (CommandId::Bitcount, bitcount),
    (CommandId::Bitpos, bitpos),
    (CommandId::Bitop, bitop),
    (CommandId::Lcs, lcs),
];

/// Store a string under `key` as Redis's setKey does: an existing entry is reused (no
/// allocation for the entry itself) and loses its expiry unless `keep_ttl`.
pub fn set_string(db: &mut Db, key: &[u8], value: &[u8], keep_ttl: bool, now_ms: u64) {
    match db.lookup(key, now_ms) {
        Some(entry) => {
            entry.value = Value::string(value);
            if !keep_ttl && entry.expire_at().is_some() {
                db.set_expire(key, None);
            }
        }
        None => {
            db.insert(key, Value::string(value));
        }
    }
}

/// Replace the value of a live key, keeping its expiry (Redis's dbOverwrite), or add it.
fn overwrite_or_add(db: &mut Db, key: &[u8], value: Value, now_ms: u64) {
    match db.get_mut(key, now_ms) {
        Some(entry) => entry.value = value,
        None => {
            db.insert(key, value);
        }
    }
}

/// Largest string the node builds (`proto-max-bulk-len`): Redis's checkStringLength.
fn check_string_length(ctx: &Ctx, size: u64, append: u64) -> CmdResult {
    match size.checked_add(append) {
        Some(total) if total <= ctx.store.config.proto_max_bulk_len => Ok(()),
        _ => Err(CmdError::new(
            "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
        )),
    }
}

fn invalid_expire(ctx: &Ctx) -> CmdError {
    CmdError::new(format!(
        "ERR invalid expire time in '{}' command",
        ctx.cmd.name
    ))
}

// ---- GET / SET family -----------------------------------------------------------------------

fn get(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    match db.lookup(&args[1], ctx.now_ms) {
        Some(entry) => ctx.out.bulk(entry.value.as_bytes()?),
        None => ctx.out.null(),
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ExpireUnit {
    /// EX: seconds from now.
    Ex,
    /// PX: milliseconds from now.
    Px,
    /// EXAT: unix seconds.
    ExAt,
    /// PXAT: unix milliseconds.
    PxAt,
}

#[derive(Debug, Default)]
struct StringOptions<'a> {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire: Option<(ExpireUnit, &'a [u8])>,
}

/// Options of SET (`for_set`) and GETEX, with Redis's compatibility rules: a repeated
/// option is accepted, conflicting ones are a syntax error.
fn parse_string_options(args: &[Bytes], for_set: bool) -> Result<StringOptions<'_>, CmdError> {
    let mut opts = StringOptions::default();
    let mut i = if for_set { 3 } else { 2 };
    while i < args.len() {
        let opt = &args[i][..];
        let next = args.get(i + 1).map(|b| &b[..]);
        let other_unit = |u: ExpireUnit| matches!(opts.expire, Some((e, _)) if e != u);
        let timed = [
            ("EX", ExpireUnit::Ex),
            ("PX", ExpireUnit::Px),
            ("EXAT", ExpireUnit::ExAt),
            ("PXAT", ExpireUnit::PxAt),
        ]
        .into_iter()
        .find(|(name, _)| args::is(opt, name));
        if args::is(opt, "NX") && for_set && !opts.xx {
            opts.nx = true;
        } else if args::is(opt, "XX") && for_set && !opts.nx {
            opts.xx = true;
        } else if args::is(opt, "GET") && for_set {
            opts.get = true;
        } else if args::is(opt, "KEEPTTL") && for_set && !opts.persist && opts.expire.is_none() {
            opts.keep_ttl = true;
        } else if args::is(opt, "PERSIST") && !for_set && opts.expire.is_none() && !opts.keep_ttl {
            opts.persist = true;
        } else if let Some((_, unit)) = timed
            && !opts.keep_ttl
            && !opts.persist
            && !other_unit(unit)
            && next.is_some()
        {
            opts.expire = Some((unit, next.unwrap_or_default()));
            i += 1;
        } else {
            return Err(CmdError::syntax());
        }
        i += 1;
    }
    Ok(opts)
}

/// The absolute expiry (unix ms) an EX/PX/EXAT/PXAT argument asks for, as Redis's
/// getExpireMillisecondsOrReply checks it.
fn expire_at_ms(ctx: &Ctx, unit: ExpireUnit, arg: &[u8]) -> Result<u64, CmdError> {
    let value = args::int(arg)?;
    let seconds = matches!(unit, ExpireUnit::Ex | ExpireUnit::ExAt);
    if value <= 0 || (seconds && value > i64::MAX / 1000) {
        return Err(invalid_expire(ctx));
    }
    let mut ms = if seconds { value * 1000 } else { value };
    if matches!(unit, ExpireUnit::Ex | ExpireUnit::Px) {
        ms = ms
            .checked_add(ctx.now_ms as i64)
            .ok_or_else(|| invalid_expire(ctx))?;
    }
    Ok(ms as u64)
}

fn set(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    if args.len() == 3 {
        set_string(&mut ctx.store.dbs[ctx.db], key, &args[2], false, ctx.now_ms);
        ctx.signal_modified(key);
        ctx.dirty(1);
        ctx.out.ok();
        return Ok(());
    }
    let opts = parse_string_options(args, true)?;
    let expire_at = match opts.expire {
        Some((unit, arg)) => Some(expire_at_ms(ctx, unit, arg)?),
        None => None,
    };
    let db = &mut ctx.store.dbs[ctx.db];
    let found = if opts.get {
        match db.lookup(key, ctx.now_ms) {
            Some(entry) => {
                ctx.out.bulk(entry.value.as_bytes()?);
                true
            }
            None => {
                ctx.out.null();
                false
            }
        }
    } else {
        db.contains(key, ctx.now_ms)
    };
    if (opts.nx && found) || (opts.xx && !found) {
        if !opts.get {
            ctx.out.null();
        }
        return Ok(());
    }
    set_string(db, key, &args[2], opts.keep_ttl, ctx.now_ms);
    if let Some(at) = expire_at {
        db.set_expire(key, Some(at));
        propagate_set_pxat(ctx, &args[1], &args[2], at);
    } else if opts.get && ctx.propagating() {
        // Redis 7.0 propagates SET without its GET arguments.
        let argv = args
            .iter()
            .enumerate()
            .filter(|(i, arg)| *i < 3 || !args::is(arg, "GET"))
            .map(|(_, arg)| arg.clone())
            .collect();
        ctx.propagate_as(argv);
    }
    ctx.signal_modified(key);
    ctx.dirty(1);
    if !opts.get {
        ctx.out.ok();
    }
    Ok(())
}

/// A SET with an expiry propagates as `SET key value PXAT <ms>` (NX/XX/GET dropped).
fn propagate_set_pxat(ctx: &mut Ctx, key: &Bytes, value: &Bytes, at_ms: u64) {
    if ctx.propagating() {
        ctx.propagate_as(vec![
            Bytes::from_static(b"SET"),
            key.clone(),
            value.clone(),
            Bytes::from_static(b"PXAT"),
            Bytes::from(at_ms.to_string()),
        ]);
    }
}

fn getex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let opts = parse_string_options(args, false)?;
    let key = &args[1][..];
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(entry) = db.lookup(key, now) else {
        ctx.out.null();
        return Ok(());
    };
    entry.value.as_bytes()?;
    let had_expire = entry.expire_at().is_some();
    let expire_at = match opts.expire {
        Some((unit, arg)) => Some((unit, expire_at_ms(ctx, unit, arg)?)),
        None => None,
    };
    let db = &mut ctx.store.dbs[ctx.db];
    if let Some(entry) = db.peek(key, now) {
        ctx.out.bulk(entry.value.as_bytes()?);
    }
    let absolute = matches!(expire_at, Some((ExpireUnit::ExAt | ExpireUnit::PxAt, _)));
    let propagated = match expire_at {
        Some((_, at)) if absolute && at <= now && db.expire_mode == ExpireMode::Delete => {
            db.remove(key);
            vec![Bytes::from_static(b"DEL"), args[1].clone()]
        }
        Some((_, at)) => {
            db.set_expire(key, Some(at));
            vec![
                Bytes::from_static(b"PEXPIREAT"),
                args[1].clone(),
                Bytes::from(at.to_string()),
            ]
        }
        None if opts.persist && had_expire => {
            db.set_expire(key, None);
            vec![Bytes::from_static(b"PERSIST"), args[1].clone()]
        }
        None => return Ok(()),
    };
    ctx.propagate_as(propagated);
    ctx.signal_modified(key);
    ctx.dirty(1);
    Ok(())
}

fn getdel(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(entry) = db.lookup(key, ctx.now_ms) else {
        ctx.out.null();
        return Ok(());
    };
    ctx.out.bulk(entry.value.as_bytes()?);
    db.remove(key);
    if ctx.propagating() {
        ctx.propagate_as(vec![Bytes::from_static(b"DEL"), args[1].clone()]);
    }
    ctx.signal_modified(key);
    ctx.dirty(1);
    Ok(())
}

fn getset(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let db = &mut ctx.store.dbs[ctx.db];
    match db.lookup(key, ctx.now_ms) {
        Some(entry) => ctx.out.bulk(entry.value.as_bytes()?),
        None => ctx.out.null(),
    }
    set_string(db, key, &args[2], false, ctx.now_ms);
    if ctx.propagating() {
        ctx.propagate_as(vec![
            Bytes::from_static(b"SET"),
            args[1].clone(),
            args[2].clone(),
        ]);
    }
    ctx.signal_modified(key);
    ctx.dirty(1);
    Ok(())
}

fn mget(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    ctx.out.array(args.len() - 1);
    for key in &args[1..] {
        match db.lookup(key, ctx.now_ms).map(|e| e.value.as_bytes()) {
            Some(Ok(bytes)) => ctx.out.bulk(bytes),
            _ => ctx.out.null(),
        }
    }
    Ok(())
}

fn mset_all(ctx: &mut Ctx, args: &[Bytes]) {
    for pair in args[1..].chunks_exact(2) {
        set_string(
            &mut ctx.store.dbs[ctx.db],
            &pair[0],
            &pair[1],
            false,
            ctx.now_ms,
        );
        ctx.signal_modified(&pair[0]);
    }
    ctx.dirty((args.len() as u64 - 1) / 2);
}

fn mset(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(CmdError::arity(ctx.cmd));
    }
    mset_all(ctx, args);
    ctx.out.ok();
    Ok(())
}

fn msetnx(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len().is_multiple_of(2) {
        return Err(CmdError::arity(ctx.cmd));
    }
    let db = &mut ctx.store.dbs[ctx.db];
    let mut busy = false;
    for pair in args[1..].chunks_exact(2) {
        busy |= db.contains(&pair[0], ctx.now_ms);
    }
    if busy {
        ctx.out.int(0);
        return Ok(());
    }
    mset_all(ctx, args);
    ctx.out.int(1);
    Ok(())
}

fn setnx(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    if db.contains(&args[1], ctx.now_ms) {
        ctx.out.int(0);
        return Ok(());
    }
    db.insert(&args[1], Value::string(&args[2]));
    ctx.signal_modified(&args[1]);
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

fn set_with_expire(ctx: &mut Ctx, args: &[Bytes], unit: ExpireUnit) -> CmdResult {
    let at = expire_at_ms(ctx, unit, &args[2])?;
    let db = &mut ctx.store.dbs[ctx.db];
    set_string(db, &args[1], &args[3], false, ctx.now_ms);
    db.set_expire(&args[1], Some(at));
    propagate_set_pxat(ctx, &args[1], &args[3], at);
    ctx.signal_modified(&args[1]);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

fn setex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_with_expire(ctx, args, ExpireUnit::Ex)
}

fn psetex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_with_expire(ctx, args, ExpireUnit::Px)
}

fn append(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let tail = &args[2][..];
    let now = ctx.now_ms;
    let current = match ctx.store.dbs[ctx.db].lookup(key, now) {
        Some(entry) => Some(entry.value.as_bytes()?.len() as u64),
        None => None,
    };
    let total = match current {
        None => {
            ctx.store.dbs[ctx.db].insert(key, Value::string(tail));
            tail.len()
        }
        Some(len) => {
            check_string_length(ctx, len, tail.len() as u64)?;
            let entry = ctx.store.dbs[ctx.db]
                .get_mut(key, now)
                .ok_or_else(CmdError::no_such_key)?;
            let raw = entry.value.as_raw_mut()?;
            raw.extend_from_slice(tail);
            raw.len()
        }
    };
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.int(total as i64);
    Ok(())
}

fn strlen(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let len = match ctx.store.dbs[ctx.db].lookup(&args[1], ctx.now_ms) {
        Some(entry) => entry.value.as_bytes()?.len(),
        None => 0,
    };
    ctx.out.int(len as i64);
    Ok(())
}

// ---- counters -------------------------------------------------------------------------------

fn incr_by(ctx: &mut Ctx, key: &[u8], by: i64) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let current = match db.get_mut(key, ctx.now_ms) {
        Some(entry) => {
            wire::request::parse_i64(entry.value.as_bytes()?).ok_or_else(CmdError::not_integer)?
        }
        None => 0,
    };
    let value = current.checked_add(by).ok_or_else(CmdError::overflow)?;
    let mut text = itoa::Buffer::new();
    let value_text = text.format(value);
    overwrite_or_add(db, key, Value::string(value_text.as_bytes()), ctx.now_ms);
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.int(value);
    Ok(())
}

fn incr(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    incr_by(ctx, &args[1], 1)
}

fn decr(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    incr_by(ctx, &args[1], -1)
}

fn incrby(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let by = args::int(&args[2])?;
    incr_by(ctx, &args[1], by)
}

fn decrby(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let by = args::int(&args[2])?;
    if by == i64::MIN {
        return Err(CmdError::new("ERR decrement would overflow"));
    }
    incr_by(ctx, &args[1], -by)
}

fn incrbyfloat(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let db = &mut ctx.store.dbs[ctx.db];
    let current = match db.get_mut(key, ctx.now_ms) {
        Some(entry) => Some(LongDouble::parse(entry.value.as_bytes()?)),
        None => None,
    };
    let by = LongDouble::parse(&args[2]);
    let sum = match (current.unwrap_or(Ok(LongDouble::ZERO)), by) {
        (Err(Invalid::NotAFloat), _) | (_, Err(Invalid::NotAFloat)) => {
            return Err(CmdError::not_float());
        }
        (Ok(current), Ok(by)) => current.checked_add(by),
        _ => Err(Invalid::Infinite),
    }
    .map_err(|_| CmdError::new("ERR increment would produce NaN or Infinity"))?;
    let text = sum.to_human_string();
    overwrite_or_add(db, key, Value::string(text.as_bytes()), ctx.now_ms);
    // The result, not the increment: float arithmetic may differ where it is replayed.
    if ctx.propagating() {
        ctx.propagate_as(vec![
            Bytes::from_static(b"SET"),
            args[1].clone(),
            Bytes::copy_from_slice(text.as_bytes()),
            Bytes::from_static(b"KEEPTTL"),
        ]);
    }
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.bulk(text.as_bytes());
    Ok(())
}

// ---- ranges ---------------------------------------------------------------------------------

fn getrange(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let start = args::int(&args[2])?;
    let end = args::int(&args[3])?;
    let Some(entry) = ctx.store.dbs[ctx.db].lookup(&args[1], ctx.now_ms) else {
        ctx.out.bulk(b"");
        return Ok(());
    };
    let s = entry.value.as_bytes()?;
    let len = s.len() as i64;
    if start < 0 && end < 0 && start > end {
        ctx.out.bulk(b"");
        return Ok(());
    }
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end }.max(0).min(len - 1);
    if start > end || len == 0 {
        ctx.out.bulk(b"");
    } else {
        ctx.out.bulk(&s[start as usize..=end as usize]);
    }
    Ok(())
}

fn setrange(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let value = &args[3][..];
    let offset = args::int(&args[2])?;
    if offset < 0 {
        return Err(CmdError::new("ERR offset is out of range"));
    }
    let offset = offset as u64;
    let now = ctx.now_ms;
    let current = match ctx.store.dbs[ctx.db].lookup(key, now) {
        Some(entry) => Some(entry.value.as_bytes()?.len()),
        None => None,
    };
    if value.is_empty() {
        ctx.out.int(current.unwrap_or(0) as i64);
        return Ok(());
    }
    check_string_length(ctx, offset, value.len() as u64)?;
    let offset = offset as usize;
    let db = &mut ctx.store.dbs[ctx.db];
    let new_len = match current {
        None => {
            let mut bytes = vec![0u8; offset + value.len()];
            bytes[offset..].copy_from_slice(value);
            let len = bytes.len();
            db.insert(key, Value::Raw(Box::new(bytes)));
            len
        }
        Some(_) => {
            let entry = db.get_mut(key, now).ok_or_else(CmdError::no_such_key)?;
            let raw = entry.value.as_raw_mut()?;
            if raw.len() < offset + value.len() {
                raw.resize(offset + value.len(), 0);
            }
            raw[offset..offset + value.len()].copy_from_slice(value);
            raw.len()
        }
    };
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.int(new_len as i64);
    Ok(())
}

// ---- bits -----------------------------------------------------------------------------------

/// A bit offset argument: non-negative and inside `proto-max-bulk-len` bytes.
fn bit_offset(ctx: &Ctx, arg: &[u8]) -> Result<u64, CmdError> {
    const ERR: &str = "ERR bit offset is not an integer or out of range";
    match wire::request::parse_i64(arg) {
        Some(offset)
            if offset >= 0 && ((offset as u64) >> 3) < ctx.store.config.proto_max_bulk_len =>
        {
            Ok(offset as u64)
        }
        _ => Err(CmdError::new(ERR)),
    }
}

fn setbit(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    const BIT_ERR: &str = "ERR bit is not an integer or out of range";
    let key = &args[1][..];
    let offset = bit_offset(ctx, &args[2])?;
    let on = match wire::request::parse_i64(&args[3]) {
        Some(v @ (0 | 1)) => v as u8,
        _ => return Err(CmdError::new(BIT_ERR)),
    };
    let byte = (offset >> 3) as usize;
    let shift = 7 - (offset & 7) as u8;
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let (old, changed) = match db.lookup(key, now) {
        Some(entry) => {
            let raw = entry.value.as_raw_mut()?;
            let grown = raw.len() < byte + 1;
            if grown {
                raw.resize(byte + 1, 0);
            }
            let old = (raw[byte] >> shift) & 1;
            raw[byte] = (raw[byte] & !(1 << shift)) | (on << shift);
            (old, grown || old != on)
        }
        None => {
            let mut bytes = vec![0u8; byte + 1];
            bytes[byte] = on << shift;
            db.insert(key, Value::Raw(Box::new(bytes)));
            (0, true)
        }
    };
    if changed {
        ctx.signal_modified(key);
        ctx.dirty(1);
    }
    ctx.out.int(old as i64);
    Ok(())
}

fn getbit(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let offset = bit_offset(ctx, &args[2])?;
    let bit = match ctx.store.dbs[ctx.db].lookup(&args[1], ctx.now_ms) {
        Some(entry) => {
            let s = entry.value.as_bytes()?;
            let byte = (offset >> 3) as usize;
            s.get(byte)
                .map_or(0, |b| (b >> (7 - (offset & 7) as u8)) & 1)
        }
        None => 0,
    };
    ctx.out.int(bit as i64);
    Ok(())
}

/// BYTE or BIT unit argument.
fn bit_unit(arg: &[u8]) -> Result<bool, CmdError> {
    if args::is(arg, "BIT") {
        Ok(true)
    } else if args::is(arg, "BYTE") {
        Ok(false)
    } else {
        Err(CmdError::syntax())
    }
}

/// Bytes bounds of a bit range and the masks of the bits outside it in the first and last byte
/// (Redis's first_byte_neg_mask / last_byte_neg_mask).
/// BITCOUNT / BITPOS ranges as Redis normalises them: negative indexes count from the end of
/// `total` (bytes or bits), then both ends are clamped into `0..total`.
fn clamp_range(mut start: i64, mut end: i64, total: i64) -> (i64, i64) {
    if start < 0 {
        start += total;
    }
    if end < 0 {
        end += total;
    }
    start = start.max(0);
    end = end.max(0);
    if end >= total {
        end = total - 1;
    }
    (start, end)
}

fn bit_range_masks(start: i64, end: i64) -> (i64, i64, u8, u8) {
    let first = !((1u16 << (8 - (start & 7))) - 1) as u8;
    let last = ((1u16 << (7 - (end & 7))) - 1) as u8;
    (start >> 3, end >> 3, first, last)
}

fn bitcount(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let Some(entry) = ctx.store.dbs[ctx.db].lookup(&args[1], ctx.now_ms) else {
        ctx.out.int(0);
        return Ok(());
    };
    let s = entry.value.as_bytes()?;
    let strlen = s.len() as i64;
    let (mut start, mut end);
    let (mut first_mask, mut last_mask) = (0u8, 0u8);
    match args.len() {
        4 | 5 => {
            start = args::int(&args[2])?;
            end = args::int(&args[3])?;
            let is_bit = if args.len() == 5 {
                bit_unit(&args[4])?
            } else {
                false
            };
            let total = if is_bit { strlen << 3 } else { strlen };
            if start < 0 && end < 0 && start > end {
                ctx.out.int(0);
                return Ok(());
            }
            (start, end) = clamp_range(start, end, total);
            if is_bit && start <= end {
                (start, end, first_mask, last_mask) = bit_range_masks(start, end);
            }
        }
        2 => {
            start = 0;
            end = strlen - 1;
        }
        _ => return Err(CmdError::syntax()),
    }
    if start > end {
        ctx.out.int(0);
        return Ok(());
    }
    let (start, end) = (start as usize, end as usize);
    let mut count: i64 = s[start..=end].iter().map(|b| b.count_ones() as i64).sum();
    count -= (s[start] & first_mask).count_ones() as i64;
    count -= (s[end] & last_mask).count_ones() as i64;
    ctx.out.int(count);
    Ok(())
}

/// Redis's redisBitpos: the first bit equal to `bit`, MSB first; when absent, -1 for a set
/// bit and the first bit past the bytes for a clear bit.
fn first_bit(bytes: &[u8], bit: bool) -> i64 {
    let skip = if bit { 0x00 } else { 0xff };
    match bytes.iter().position(|&b| b != skip) {
        Some(i) => {
            let b = if bit { bytes[i] } else { !bytes[i] };
            (i as i64) * 8 + b.leading_zeros() as i64
        }
        None if bit => -1,
        None => bytes.len() as i64 * 8,
    }
}

fn bitpos(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let bit = args::int(&args[2])?;
    if bit != 0 && bit != 1 {
        return Err(CmdError::new("ERR The bit argument must be 1 or 0."));
    }
    let bit = bit == 1;
    let Some(entry) = ctx.store.dbs[ctx.db].lookup(&args[1], ctx.now_ms) else {
        ctx.out.int(if bit { -1 } else { 0 });
        return Ok(());
    };
    let s = entry.value.as_bytes()?;
    let strlen = s.len() as i64;
    let (mut start, mut end);
    let mut end_given = false;
    let (mut first_mask, mut last_mask) = (0u8, 0u8);
    match args.len() {
        4..=6 => {
            start = args::int(&args[3])?;
            let is_bit = if args.len() == 6 {
                bit_unit(&args[5])?
            } else {
                false
            };
            if args.len() >= 5 {
                end = args::int(&args[4])?;
                end_given = true;
            } else {
                end = strlen - 1;
            }
            let total = if is_bit { strlen << 3 } else { strlen };
            (start, end) = clamp_range(start, end, total);
            if is_bit && start <= end {
                (start, end, first_mask, last_mask) = bit_range_masks(start, end);
            }
        }
        3 => {
            start = 0;
            end = strlen - 1;
        }
        _ => return Err(CmdError::syntax()),
    }
    if start > end {
        ctx.out.int(-1);
        return Ok(());
    }
    let (mut start, end) = (start as usize, end as usize);
    let mut bytes = end - start + 1;
    let pos = 'found: {
        if first_mask != 0 {
            let mut edge = if bit {
                s[start] & !first_mask
            } else {
                s[start] | first_mask
            };
            if last_mask != 0 && bytes == 1 {
                edge = if bit {
                    edge & !last_mask
                } else {
                    edge | last_mask
                };
            }
            let pos = first_bit(&[edge], bit);
            if bytes == 1 || (pos != -1 && pos != 8) {
                break 'found pos;
            }
            start += 1;
            bytes -= 1;
        }
        let middle = bytes - usize::from(last_mask != 0);
        if middle > 0 {
            let pos = first_bit(&s[start..start + middle], bit);
            if bytes == middle || (pos != -1 && pos != (middle as i64) << 3) {
                break 'found pos;
            }
            start += middle;
            bytes -= middle;
        }
        let edge = if bit {
            s[end] & !last_mask
        } else {
            s[end] | last_mask
        };
        first_bit(&[edge], bit)
    };
    // With an explicit end, the bits right of the range are not implicitly clear.
    if end_given && !bit && pos == (bytes as i64) << 3 {
        ctx.out.int(-1);
        return Ok(());
    }
    ctx.out.int(if pos == -1 {
        -1
    } else {
        pos + ((start as i64) << 3)
    });
    Ok(())
}

#[derive(Debug, Clone, Copy)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

fn bitop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let op = match &args[1][..] {
        o if args::is(o, "AND") => BitOp::And,
        o if args::is(o, "OR") => BitOp::Or,
        o if args::is(o, "XOR") => BitOp::Xor,
        o if args::is(o, "NOT") => BitOp::Not,
        _ => return Err(CmdError::syntax()),
    };
    if matches!(op, BitOp::Not) && args.len() != 4 {
        return Err(CmdError::new(
            "ERR BITOP NOT must be called with a single source key.",
        ));
    }
    let target = &args[2][..];
    let sources = &args[3..];
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let mut max_len = 0;
    for key in sources {
        if let Some(entry) = db.lookup(key, now) {
            max_len = max_len.max(entry.value.as_bytes()?.len());
        }
    }
    let mut result = Vec::new();
    if max_len > 0 {
        result = vec![0u8; max_len];
        let source = |key: &[u8]| db.peek(key, now).and_then(|e| e.value.as_bytes().ok());
        if let Some(first) = source(&sources[0]) {
            result[..first.len()].copy_from_slice(first);
        }
        if matches!(op, BitOp::Not) {
            result.iter_mut().for_each(|b| *b = !*b);
        }
        for key in &sources[1..] {
            let src = source(key).unwrap_or_default();
            for (i, out) in result.iter_mut().enumerate() {
                let byte = src.get(i).copied().unwrap_or(0);
                match op {
                    BitOp::And => *out &= byte,
                    BitOp::Or => *out |= byte,
                    BitOp::Xor => *out ^= byte,
                    BitOp::Not => {}
                }
            }
        }
    }
    if max_len > 0 {
        db.insert(target, Value::Raw(Box::new(result)));
    } else if db.remove(target).is_none() {
        ctx.out.int(0);
        return Ok(());
    }
    ctx.signal_modified(target);
    ctx.dirty(1);
    ctx.out.int(max_len as i64);
    Ok(())
}

// ---- LCS ------------------------------------------------------------------------------------

fn lcs(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    for key in &args[1..3] {
        if let Some(entry) = db.lookup(key, now)
            && entry.value.as_bytes().is_err()
        {
            return Err(CmdError::new(
                "ERR The specified keys must contain string values",
            ));
        }
    }
    let (mut get_len, mut get_idx, mut with_match_len) = (false, false, false);
    let mut min_match_len: i64 = 0;
    let mut i = 3;
    while i < args.len() {
        let opt = &args[i][..];
        let more = args.len() - 1 - i;
        if args::is(opt, "IDX") {
            get_idx = true;
        } else if args::is(opt, "LEN") {
            get_len = true;
        } else if args::is(opt, "WITHMATCHLEN") {
            with_match_len = true;
        } else if args::is(opt, "MINMATCHLEN") && more > 0 {
            min_match_len = args::int(&args[i + 1])?.max(0);
            i += 1;
        } else {
            return Err(CmdError::syntax());
        }
        i += 1;
    }
    if get_idx && get_len {
        return Err(CmdError::new(
            "ERR If you want both the length and indexes, please just use IDX.",
        ));
    }
    let max_transient = ctx.store.config.proto_max_bulk_len;
    let db = &ctx.store.dbs[ctx.db];
    let text = |key: &[u8]| -> &[u8] {
        db.peek(key, now)
            .and_then(|e| e.value.as_bytes().ok())
            .unwrap_or_default()
    };
    let (a, b) = (text(&args[1]), text(&args[2]));
    if a.len() >= u32::MAX as usize - 1 || b.len() >= u32::MAX as usize - 1 {
        return Err(CmdError::new("ERR String too long for LCS"));
    }
    let (alen, blen) = (a.len(), b.len());
    let cells = (alen as u64 + 1) * (blen as u64 + 1);
    if cells.saturating_mul(4) > max_transient {
        return Err(CmdError::new(
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len",
        ));
    }
    let mut table: Vec<u32> = Vec::new();
    if table.try_reserve_exact(cells as usize).is_err() {
        return Err(CmdError::new(
            "ERR Insufficient memory, failed allocating transient memory for LCS",
        ));
    }
    table.resize(cells as usize, 0);
    let at = |i: usize, j: usize| j + i * (blen + 1);
    for i in 1..=alen {
        for j in 1..=blen {
            table[at(i, j)] = if a[i - 1] == b[j - 1] {
                table[at(i - 1, j - 1)] + 1
            } else {
                table[at(i - 1, j)].max(table[at(i, j - 1)])
            };
        }
    }
    let total = table[at(alen, blen)];
    if get_len {
        ctx.out.int(total as i64);
        return Ok(());
    }
    // Walk back from the end, collecting the LCS and the matching ranges (last first).
    let mut result = vec![0u8; total as usize];
    let mut ranges: Vec<[usize; 4]> = Vec::new();
    let mut idx = total as usize;
    let (mut i, mut j) = (alen, blen);
    let mut range: Option<[usize; 4]> = None;
    while i > 0 && j > 0 {
        let mut emit = false;
        if a[i - 1] == b[j - 1] {
            result[idx - 1] = a[i - 1];
            match &mut range {
                None => range = Some([i - 1, i - 1, j - 1, j - 1]),
                Some(r) if r[0] == i && r[2] == j => {
                    r[0] -= 1;
                    r[2] -= 1;
                }
                Some(_) => emit = true,
            }
            if range.is_some_and(|r| r[0] == 0 || r[2] == 0) {
                emit = true;
            }
            idx -= 1;
            i -= 1;
            j -= 1;
        } else {
            if table[at(i - 1, j)] > table[at(i, j - 1)] {
                i -= 1;
            } else {
                j -= 1;
            }
            emit = range.is_some();
        }
        if emit && let Some(r) = range.take() {
            let match_len = r[1] - r[0] + 1;
            if min_match_len == 0 || match_len as i64 >= min_match_len {
                ranges.push(r);
            }
        }
    }
    if !get_idx {
        ctx.out.bulk(&result);
        return Ok(());
    }
    ctx.out.map(2);
    ctx.out.bulk(b"matches");
    ctx.out.array(ranges.len());
    for r in &ranges {
        ctx.out.array(2 + usize::from(with_match_len));
        ctx.out.array(2);
        ctx.out.int(r[0] as i64);
        ctx.out.int(r[1] as i64);
        ctx.out.array(2);
        ctx.out.int(r[2] as i64);
        ctx.out.int(r[3] as i64);
        if with_match_len {
            ctx.out.int((r[1] - r[0] + 1) as i64);
        }
    }
    ctx.out.bulk(b"len");
    ctx.out.int(total as i64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_bit_matches_redis_bitpos() {
        assert_eq!(first_bit(&[0x00, 0x10], true), 11);
        assert_eq!(first_bit(&[0x00, 0x00], true), -1);
        assert_eq!(first_bit(&[0xff, 0xfe], false), 15);
        assert_eq!(first_bit(&[0xff, 0xff], false), 16);
        assert_eq!(first_bit(&[], false), 0);
    }

    #[test]
    fn bit_range_masks_cover_outside_bits() {
        // Bits 3..=12: first byte loses its 3 high bits, last byte its 3 low bits.
        assert_eq!(bit_range_masks(3, 12), (0, 1, 0b1110_0000, 0b0000_0111));
        assert_eq!(bit_range_masks(8, 15), (1, 1, 0, 0));
    }

    #[test]
    fn string_options_conflicts() {
        let a = |v: &[&str]| -> Vec<Bytes> {
            v.iter()
                .map(|s| Bytes::copy_from_slice(s.as_bytes()))
                .collect()
        };
        assert!(parse_string_options(&a(&["SET", "k", "v", "NX", "XX"]), true).is_err());
        assert!(parse_string_options(&a(&["SET", "k", "v", "EX", "1", "PX", "1"]), true).is_err());
        assert!(parse_string_options(&a(&["SET", "k", "v", "EX", "1", "EX", "2"]), true).is_ok());
        assert!(parse_string_options(&a(&["SET", "k", "v", "KEEPTTL", "EX", "1"]), true).is_err());
        assert!(parse_string_options(&a(&["SET", "k", "v", "EX"]), true).is_err());
        assert!(parse_string_options(&a(&["SET", "k", "v", "PERSIST"]), true).is_err());
        assert!(parse_string_options(&a(&["GETEX", "k", "PERSIST"]), false).is_ok());
        assert!(parse_string_options(&a(&["GETEX", "k", "NX"]), false).is_err());
        let full = a(&["SET", "k", "v", "nx", "get", "pxat", "5"]);
        let o = parse_string_options(&full, true).expect("valid");
        assert!(o.nx && o.get);
        assert_eq!(
            o.expire.map(|(u, v)| (u, v.to_vec())),
            Some((ExpireUnit::PxAt, b"5".to_vec()))
        );
    }
}
