//! Hash commands.

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use super::set::{ScanOptions, random_count_too_large};
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::glob::glob_match;
use crate::keyspace::Db;
use crate::longdouble::{Invalid, LongDouble};
use crate::types::Value;
use crate::types::hash::{Hash, HashLimits};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Hset, hset),
    (CommandId::Hmset, hmset),
    (CommandId::Hsetnx, hsetnx),
    (CommandId::Hget, hget),
    (CommandId::Hmget, hmget),
    (CommandId::Hdel, hdel),
    (CommandId::Hexists, hexists),
    (CommandId::Hlen, hlen),
    (CommandId::Hstrlen, hstrlen),
    (CommandId::Hkeys, hkeys),
    (CommandId::Hvals, hvals),
    (CommandId::Hgetall, hgetall),
    (CommandId::Hincrby, hincrby),
    (CommandId::Hincrbyfloat, hincrbyfloat),
    (CommandId::Hrandfield, hrandfield),
    (CommandId::Hscan, hscan),
];

/// The hash at `key` for reading: None if absent, WRONGTYPE if another type.
fn read_hash<'a>(db: &'a mut Db, key: &[u8], now_ms: u64) -> Result<Option<&'a Hash>, CmdError> {
    match db.lookup(key, now_ms) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::Hash(hash) => Ok(Some(hash)),
            _ => Err(CmdError::wrong_type()),
        },
    }
}

/// The hash at `key` for writing, created empty when absent (Redis's
/// hashTypeLookupWriteOrCreate). Callers make sure it does not stay empty.
fn write_hash<'a>(db: &'a mut Db, key: &[u8], now_ms: u64) -> Result<&'a mut Hash, CmdError> {
    if db.lookup(key, now_ms).is_none() {
        db.insert(key, Value::Hash(Box::default()));
    }
    match db.get_mut(key, now_ms) {
        Some(entry) => entry.value.as_hash_mut(),
        None => Err(CmdError::wrong_type()),
    }
}

/// Remove `key` if it holds an empty hash (after an error on a freshly created one).
fn drop_if_empty(db: &mut Db, key: &[u8], now_ms: u64) {
    let empty = matches!(db.get_mut(key, now_ms), Some(e) if matches!(&e.value, Value::Hash(h) if h.is_empty()));
    if empty {
        db.remove(key);
    }
}

fn set_pairs(ctx: &mut Ctx, args: &[Bytes]) -> Result<i64, CmdError> {
    if args.len() % 2 == 1 {
        return Err(CmdError::arity(ctx.cmd));
    }
    let limits = HashLimits::from_config(&ctx.store.config);
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = write_hash(db, &args[1], ctx.now_ms)?;
    hash.convert_for_lengths(args[2..].iter().map(|a| a.len()), limits);
    let mut created = 0;
    for pair in args[2..].chunks_exact(2) {
        created += hash.insert(&pair[0], &pair[1], limits) as i64;
    }
    ctx.signal_modified(&args[1]);
    ctx.dirty(((args.len() - 2) / 2) as u64);
    Ok(created)
}

fn hset(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let created = set_pairs(ctx, args)?;
    ctx.out.int(created);
    Ok(())
}

fn hmset(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_pairs(ctx, args)?;
    ctx.out.ok();
    Ok(())
}

fn hsetnx(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let limits = HashLimits::from_config(&ctx.store.config);
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = write_hash(db, &args[1], ctx.now_ms)?;
    hash.convert_for_lengths([args[2].len(), args[3].len()], limits);
    if hash.contains(&args[2]) {
        ctx.out.int(0);
        return Ok(());
    }
    hash.insert(&args[2], &args[3], limits);
    ctx.signal_modified(&args[1]);
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

fn hget(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    match read_hash(db, &args[1], ctx.now_ms)?.and_then(|h| h.get(&args[2])) {
        Some(value) => ctx.out.bulk(value),
        None => ctx.out.null(),
    }
    Ok(())
}

fn hmget(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = read_hash(db, &args[1], ctx.now_ms)?;
    ctx.out.array(args.len() - 2);
    for field in &args[2..] {
        match hash.and_then(|h| h.get(field)) {
            Some(value) => ctx.out.bulk(value),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

fn hdel(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(entry) = db.lookup(&args[1], ctx.now_ms) else {
        ctx.out.int(0);
        return Ok(());
    };
    let hash = entry.value.as_hash_mut()?;
    let mut deleted = 0u64;
    for field in &args[2..] {
        if hash.remove(field) {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    if hash.is_empty() {
        db.remove(&args[1]);
    }
    if deleted > 0 {
        ctx.signal_modified(&args[1]);
        ctx.dirty(deleted);
    }
    ctx.out.int(deleted as i64);
    Ok(())
}

fn hexists(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let exists = read_hash(db, &args[1], ctx.now_ms)?.is_some_and(|h| h.contains(&args[2]));
    ctx.out.int(exists as i64);
    Ok(())
}

fn hlen(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let len = read_hash(db, &args[1], ctx.now_ms)?.map_or(0, Hash::len);
    ctx.out.int(len as i64);
    Ok(())
}

fn hstrlen(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let len = read_hash(db, &args[1], ctx.now_ms)?
        .and_then(|h| h.get(&args[2]))
        .map_or(0, <[u8]>::len);
    ctx.out.int(len as i64);
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Parts {
    Keys,
    Values,
    Both,
}

fn get_all(ctx: &mut Ctx, args: &[Bytes], parts: Parts) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = read_hash(db, &args[1], ctx.now_ms)?;
    let len = hash.map_or(0, Hash::len);
    if parts == Parts::Both {
        ctx.out.map(len);
    } else {
        ctx.out.array(len);
    }
    for (field, value) in hash.into_iter().flat_map(Hash::iter) {
        if parts != Parts::Values {
            ctx.out.bulk(field);
        }
        if parts != Parts::Keys {
            ctx.out.bulk(value);
        }
    }
    Ok(())
}

fn hkeys(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    get_all(ctx, args, Parts::Keys)
}

fn hvals(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    get_all(ctx, args, Parts::Values)
}

fn hgetall(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    get_all(ctx, args, Parts::Both)
}

fn hincrby(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let increment = args::int(&args[3])?;
    let limits = HashLimits::from_config(&ctx.store.config);
    let (key, now_ms) = (&args[1], ctx.now_ms);
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = write_hash(db, key, now_ms)?;
    let current = match hash.get(&args[2]) {
        None => 0,
        Some(text) => match wire::request::parse_i64(text) {
            Some(v) => v,
            None => return Err(CmdError::new("ERR hash value is not an integer")),
        },
    };
    let Some(value) = current.checked_add(increment) else {
        drop_if_empty(db, key, now_ms);
        return Err(CmdError::overflow());
    };
    hash.insert(
        &args[2],
        itoa::Buffer::new().format(value).as_bytes(),
        limits,
    );
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.int(value);
    Ok(())
}

/// As Redis 7.0: the increment and the stored value are 80-bit long doubles (see
/// `crate::longdouble`), and the result is printed as ld2string's human form.
fn hincrbyfloat(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let increment = match LongDouble::parse(&args[3]) {
        Ok(v) => v,
        Err(Invalid::NotAFloat) => return Err(CmdError::not_float()),
        Err(_) => return Err(CmdError::new("ERR value is NaN or Infinity")),
    };
    let limits = HashLimits::from_config(&ctx.store.config);
    let (key, now_ms) = (&args[1], ctx.now_ms);
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = write_hash(db, key, now_ms)?;
    let current = match hash.get(&args[2]).map(LongDouble::parse) {
        None => Ok(LongDouble::ZERO),
        Some(Err(Invalid::NotAFloat)) => {
            drop_if_empty(db, key, now_ms);
            return Err(CmdError::new("ERR hash value is not a float"));
        }
        Some(parsed) => parsed,
    };
    let Ok(value) = current.and_then(|current| current.checked_add(increment)) else {
        drop_if_empty(db, key, now_ms);
        return Err(CmdError::new("ERR increment would produce NaN or Infinity"));
    };
    let text = value.to_human_string();
    let hash = write_hash(db, key, now_ms)?;
    hash.insert(&args[2], text.as_bytes(), limits);
    ctx.signal_modified(key);
    if ctx.propagating() {
        ctx.propagate_as(vec![
            Bytes::from_static(b"HSET"),
            args[1].clone(),
            args[2].clone(),
            Bytes::copy_from_slice(text.as_bytes()),
        ]);
    }
    ctx.dirty(1);
    ctx.out.bulk(text.as_bytes());
    Ok(())
}

fn emit_random_pair(out: &mut wire::ReplyBuf, field: &[u8], value: &[u8], with_values: bool) {
    if with_values && out.is_resp3() {
        out.array(2);
    }
    out.bulk(field);
    if with_values {
        out.bulk(value);
    }
}

fn hrandfield(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let mut rng = rand::rng();
    if args.len() < 3 {
        let db = &mut ctx.store.dbs[ctx.db];
        match read_hash(db, &args[1], ctx.now_ms)?.and_then(|h| h.random(&mut rng)) {
            Some((field, _)) => ctx.out.bulk(field),
            None => ctx.out.null(),
        }
        return Ok(());
    }
    let count = super::set::random_count(&args[2])?;
    let with_values = match args.len() {
        3 => false,
        4 if args::is(&args[3], "WITHVALUES") => true,
        _ => return Err(CmdError::syntax()),
    };
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return Err(CmdError::new("ERR value is out of range"));
    }
    let db = &mut ctx.store.dbs[ctx.db];
    let hash = match read_hash(db, &args[1], ctx.now_ms)? {
        Some(hash) if count != 0 => hash,
        _ => {
            ctx.out.array(0);
            return Ok(());
        }
    };
    // RESP2 flattens field-value pairs; RESP3 nests each pair in its own array.
    let per_pick = if with_values && !ctx.out.is_resp3() {
        2
    } else {
        1
    };
    let wanted = count.unsigned_abs();
    if count < 0 || wanted == 1 {
        if random_count_too_large(wanted) {
            return Err(CmdError::new("ERR value is out of range"));
        }
        ctx.out.array(wanted as usize * per_pick);
        for _ in 0..wanted {
            if let Some((field, value)) = hash.random(&mut rng) {
                emit_random_pair(ctx.out, field, value, with_values);
            }
        }
        return Ok(());
    }
    let picks: Vec<(&[u8], &[u8])> = if wanted >= hash.len() as u64 {
        hash.iter().collect()
    } else {
        hash.random_distinct(wanted as usize, &mut rng)
    };
    ctx.out.array(picks.len() * per_pick);
    for (field, value) in picks {
        emit_random_pair(ctx.out, field, value, with_values);
    }
    Ok(())
}

fn hscan(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[2])?;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(hash) = read_hash(db, &args[1], ctx.now_ms)? else {
        super::set::empty_scan(ctx.out);
        return Ok(());
    };
    let options = ScanOptions::parse(&args[3..])?;
    let mut found: Vec<(&[u8], &[u8])> = Vec::new();
    let next = hash.scan(cursor, options.count, |field, value| {
        if options.pattern.is_none_or(|p| glob_match(p, field, false)) {
            found.push((field, value));
        }
    });
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.array(found.len() * 2);
    for (field, value) in found {
        ctx.out.bulk(field);
        ctx.out.bulk(value);
    }
    Ok(())
}
