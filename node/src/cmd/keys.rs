//! Generic key commands: deletion, existence, renaming, copying between databases, expiry,
//! iteration (KEYS, SCAN, RANDOMKEY) and whole-database operations (FLUSHDB, SWAPDB, ...).

use bytes::Bytes;
use rand::Rng;
use wire::CommandId;
use wire::slot::SLOT_COUNT;

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::glob::glob_match;
use crate::keyspace::{Db, Entry, ExpireMode};
use crate::server::Store;
use crate::types::{SmallBytes, Value};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Del, del),
    (CommandId::Unlink, unlink),
    (CommandId::Exists, exists),
    (CommandId::Type, type_),
    (CommandId::Rename, rename),
    (CommandId::Renamenx, renamenx),
    (CommandId::Copy, copy),
    (CommandId::Move, move_),
    (CommandId::Expire, expire),
    (CommandId::Pexpire, pexpire),
    (CommandId::Expireat, expireat),
    (CommandId::Pexpireat, pexpireat),
    (CommandId::Ttl, ttl),
    (CommandId::Pttl, pttl),
    (CommandId::Expiretime, expiretime),
    (CommandId::Pexpiretime, pexpiretime),
    (CommandId::Persist, persist),
    (CommandId::Keys, keys),
    (CommandId::Scan, scan),
    (CommandId::Randomkey, randomkey),
    (CommandId::Touch, touch),
    (CommandId::Dbsize, dbsize),
    (CommandId::Flushdb, flushdb),
    (CommandId::Flushall, flushall),
    (CommandId::Swapdb, swapdb),
];

/// Values larger than this are freed on a background thread by UNLINK (Redis frees
/// collections of more than 64 elements lazily; heap bytes are our measure of the effort).
const LAZYFREE_THRESHOLD_BYTES: usize = 64 * 1024;

/// Drop `value` on a short-lived background thread (UNLINK, FLUSHDB ASYNC): freeing a large
/// keyspace must not stall the clients waiting for the store lock.
pub fn free_in_background<T: Send + 'static>(value: T) {
    let spawned = std::thread::Builder::new()
        .name("lazyfree".into())
        .spawn(move || drop(value));
    if let Err(err) = spawned {
        tracing::warn!(%err, "could not start a lazyfree thread; freed inline");
    }
}

/// A database index argument as Redis's getIntFromObjectOrReply parses it; `custom` replaces
/// both error texts when given (SWAPDB).
fn db_index_arg(arg: &[u8], custom: Option<&'static str>) -> Result<i64, CmdError> {
    let Some(value) = wire::request::parse_i64(arg) else {
        return Err(custom.map_or_else(CmdError::not_integer, CmdError::new));
    };
    if value < i32::MIN as i64 || value > i32::MAX as i64 {
        return Err(custom.map_or_else(
            || {
                CmdError::new(
                    "ERR value is out of range, value must between -2147483648 and 2147483647",
                )
            },
            CmdError::new,
        ));
    }
    Ok(value)
}

/// A database index that must exist.
fn existing_db(ctx: &Ctx, index: i64) -> Result<usize, CmdError> {
    if index < 0 || index as usize >= ctx.store.dbs.len() {
        return Err(CmdError::new("ERR DB index is out of range"));
    }
    Ok(index as usize)
}

/// Lists and sorted sets arriving under a key may serve clients blocked on it (Redis's dbAdd
/// signals every added key).
pub(crate) fn may_serve_blocked(value: &Value) -> bool {
    matches!(value, Value::List(_) | Value::ZSet(_))
}

// ---- deletion and existence -----------------------------------------------------------------

fn delete_keys(ctx: &mut Ctx, args: &[Bytes], lazy: bool) -> CmdResult {
    let mut deleted = 0;
    for key in &args[1..] {
        let db = &mut ctx.store.dbs[ctx.db];
        // Expire first, so an expired key is reported as gone, not as deleted.
        db.get_mut(key, ctx.now_ms);
        let Some(entry) = db.remove(key) else {
            continue;
        };
        if lazy && entry.value.heap_size() > LAZYFREE_THRESHOLD_BYTES {
            free_in_background(entry);
        }
        ctx.signal_modified(key);
        ctx.dirty(1);
        deleted += 1;
    }
    ctx.out.int(deleted);
    Ok(())
}

fn del(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let lazy = ctx.store.config.lazyfree_lazy_user_del;
    delete_keys(ctx, args, lazy)
}

fn unlink(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    delete_keys(ctx, args, true)
}

fn exists(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let count = args[1..]
        .iter()
        .filter(|key| db.contains(key, ctx.now_ms))
        .count();
    ctx.out.int(count as i64);
    Ok(())
}

fn touch(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let count = args[1..]
        .iter()
        .filter(|key| db.lookup(key, ctx.now_ms).is_some())
        .count();
    ctx.out.int(count as i64);
    Ok(())
}

fn type_(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let name = ctx.store.dbs[ctx.db]
        .get_mut(&args[1], ctx.now_ms)
        .map_or("none", |e| e.value.type_name());
    ctx.out.simple(name);
    Ok(())
}

fn dbsize(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    let len = ctx.store.dbs[ctx.db].len();
    ctx.out.int(len as i64);
    Ok(())
}

// ---- renaming, copying, moving --------------------------------------------------------------

fn rename_generic(ctx: &mut Ctx, args: &[Bytes], nx: bool) -> CmdResult {
    let (src, dst) = (&args[1][..], &args[2][..]);
    let db = &mut ctx.store.dbs[ctx.db];
    if db.get_mut(src, ctx.now_ms).is_none() {
        return Err(CmdError::no_such_key());
    }
    if src == dst {
        if nx {
            ctx.out.int(0);
        } else {
            ctx.out.ok();
        }
        return Ok(());
    }
    if db.get_mut(dst, ctx.now_ms).is_some() {
        if nx {
            ctx.out.int(0);
            return Ok(());
        }
        db.remove(dst);
    }
    let mut entry = db.remove(src).ok_or_else(CmdError::no_such_key)?;
    entry.key = SmallBytes::new(dst);
    let ready = may_serve_blocked(&entry.value);
    db.insert_entry(entry);
    ctx.signal_modified(src);
    ctx.signal_modified(dst);
    if ready {
        ctx.signal_ready(dst);
    }
    ctx.dirty(1);
    if nx {
        ctx.out.int(1);
    } else {
        ctx.out.ok();
    }
    Ok(())
}

fn rename(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    rename_generic(ctx, args, false)
}

fn renamenx(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    rename_generic(ctx, args, true)
}

fn copy(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (src_key, dst_key) = (&args[1][..], &args[2][..]);
    let mut dst_db = ctx.db;
    let mut replace = false;
    let mut i = 3;
    while i < args.len() {
        let more = args.len() - i - 1;
        if args::is(&args[i], "REPLACE") {
            replace = true;
        } else if args::is(&args[i], "DB") && more >= 1 {
            let index = db_index_arg(&args[i + 1], None)?;
            dst_db = existing_db(ctx, index)?;
            i += 1;
        } else {
            return Err(CmdError::syntax());
        }
        i += 1;
    }
    if dst_db == ctx.db && src_key == dst_key {
        return Err(CmdError::new(
            "ERR source and destination objects are the same",
        ));
    }
    let now = ctx.now_ms;
    let Some(entry) = ctx.store.dbs[ctx.db].lookup(src_key, now) else {
        ctx.out.int(0);
        return Ok(());
    };
    let value = entry.value.clone();
    let expire_at = entry.expire_at();
    let dst = &mut ctx.store.dbs[dst_db];
    if dst.get_mut(dst_key, now).is_some() {
        if !replace {
            ctx.out.int(0);
            return Ok(());
        }
        dst.remove(dst_key);
    }
    let ready = may_serve_blocked(&value);
    dst.insert_entry(Entry::new(dst_key, value));
    if expire_at.is_some() {
        dst.set_expire(dst_key, expire_at);
    }
    ctx.store.watch.touch(dst_db, dst_key);
    if ready {
        ctx.store.blocking.signal_ready(dst_db, dst_key);
    }
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

fn move_(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let index = db_index_arg(&args[2], None)?;
    let dst_db = existing_db(ctx, index)?;
    if dst_db == ctx.db {
        return Err(CmdError::new(
            "ERR source and destination objects are the same",
        ));
    }
    let now = ctx.now_ms;
    if ctx.store.dbs[ctx.db].get_mut(key, now).is_none()
        || ctx.store.dbs[dst_db].get_mut(key, now).is_some()
    {
        ctx.out.int(0);
        return Ok(());
    }
    let entry = ctx.store.dbs[ctx.db]
        .remove(key)
        .ok_or_else(CmdError::no_such_key)?;
    let ready = may_serve_blocked(&entry.value);
    ctx.store.dbs[dst_db].insert_entry(entry);
    ctx.signal_modified(key);
    ctx.store.watch.touch(dst_db, key);
    if ready {
        ctx.store.blocking.signal_ready(dst_db, key);
    }
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

// ---- expiry ---------------------------------------------------------------------------------

#[derive(Debug, Default, Clone, Copy)]
struct ExpireFlags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
}

fn parse_expire_flags(args: &[Bytes]) -> Result<ExpireFlags, CmdError> {
    let mut flags = ExpireFlags::default();
    for opt in &args[3..] {
        if args::is(opt, "NX") {
            flags.nx = true;
        } else if args::is(opt, "XX") {
            flags.xx = true;
        } else if args::is(opt, "GT") {
            flags.gt = true;
        } else if args::is(opt, "LT") {
            flags.lt = true;
        } else {
            return Err(CmdError::new(format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(opt)
            )));
        }
    }
    if flags.nx && (flags.xx || flags.gt || flags.lt) {
        return Err(CmdError::new(
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ));
    }
    if flags.gt && flags.lt {
        return Err(CmdError::new(
            "ERR GT and LT options at the same time are not compatible",
        ));
    }
    Ok(flags)
}

/// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT: `relative` adds the current time, `seconds` scales.
fn expire_generic(ctx: &mut Ctx, args: &[Bytes], relative: bool, seconds: bool) -> CmdResult {
    let key = &args[1][..];
    let flags = parse_expire_flags(args)?;
    let mut when = args::int(&args[2])?;
    let invalid = || {
        CmdError::new(format!(
            "ERR invalid expire time in '{}' command",
            ctx.cmd.name
        ))
    };
    if seconds {
        when = when.checked_mul(1000).ok_or_else(invalid)?;
    }
    if relative {
        when = when.checked_add(ctx.now_ms as i64).ok_or_else(invalid)?;
    }
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(entry) = db.get_mut(key, now) else {
        ctx.out.int(0);
        return Ok(());
    };
    let current = entry.expire_at().map(|at| at as i64);
    let refused = (flags.nx && current.is_some())
        || (flags.xx && current.is_none())
        || (flags.gt && current.is_none_or(|c| when <= c))
        || (flags.lt && current.is_some_and(|c| when >= c));
    if refused {
        ctx.out.int(0);
        return Ok(());
    }
    if when <= now as i64 && db.expire_mode == ExpireMode::Delete {
        db.remove(key);
        ctx.propagate_as(vec![Bytes::from_static(b"DEL"), args[1].clone()]);
    } else {
        // A replica keeps keys whose expiry already passed until the master deletes them.
        db.set_expire(key, Some(when.max(1) as u64));
        // As PEXPIREAT with the absolute time; the flags (NX, GT ...) stay.
        if ctx.propagating() {
            let mut argv = args.to_vec();
            if ctx.cmd.name != "pexpireat" {
                argv[0] = Bytes::from_static(b"PEXPIREAT");
                argv[2] = Bytes::from(when.to_string());
            }
            ctx.propagate_as(argv);
        }
    }
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.int(1);
    Ok(())
}

fn expire(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    expire_generic(ctx, args, true, true)
}

fn pexpire(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    expire_generic(ctx, args, true, false)
}

fn expireat(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    expire_generic(ctx, args, false, true)
}

fn pexpireat(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    expire_generic(ctx, args, false, false)
}

/// TTL and friends: -2 for a missing key, -1 without expiry; seconds are rounded.
fn ttl_generic(ctx: &mut Ctx, args: &[Bytes], millis: bool, absolute: bool) -> CmdResult {
    let now = ctx.now_ms;
    let reply = match ctx.store.dbs[ctx.db].get_mut(&args[1], now) {
        None => -2,
        Some(entry) => match entry.expire_at() {
            None => -1,
            Some(at) => {
                let ms = if absolute { at } else { at.saturating_sub(now) };
                let value = if millis {
                    ms
                } else {
                    ((ms as u128 + 500) / 1000) as u64
                };
                value.min(i64::MAX as u64) as i64
            }
        },
    };
    ctx.out.int(reply);
    Ok(())
}

fn ttl(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, false, false)
}

fn pttl(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, true, false)
}

fn expiretime(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, false, true)
}

fn pexpiretime(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ttl_generic(ctx, args, true, true)
}

fn persist(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let db = &mut ctx.store.dbs[ctx.db];
    let had_expire = db
        .get_mut(key, ctx.now_ms)
        .is_some_and(|e| e.expire_at().is_some());
    if had_expire {
        db.set_expire(key, None);
        ctx.signal_modified(key);
        ctx.dirty(1);
    }
    ctx.out.int(had_expire as i64);
    Ok(())
}

// ---- iteration ------------------------------------------------------------------------------

fn keys(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let pattern = &args[1][..];
    let all = pattern == b"*";
    let now = ctx.now_ms;
    let db = &ctx.store.dbs[ctx.db];
    let matched: Vec<&[u8]> = db
        .entries()
        .filter(|e| !e.is_expired(now) && (all || glob_match(pattern, &e.key, false)))
        .map(|e| e.key.as_slice())
        .collect();
    ctx.out.array(matched.len());
    for key in matched {
        ctx.out.bulk(key);
    }
    Ok(())
}

/// SCAN's cursor is the next slot to visit: every call returns whole slots, so a key that
/// stays in the database for the whole iteration is returned at least once however the slot
/// tables grow or shrink meanwhile.
fn scan(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[1])?;
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_filter: Option<&[u8]> = None;
    let mut i = 2;
    while i < args.len() {
        let remaining = args.len() - i;
        if args::is(&args[i], "COUNT") && remaining >= 2 {
            count = args::int(&args[i + 1])?;
            if count < 1 {
                return Err(CmdError::syntax());
            }
        } else if args::is(&args[i], "MATCH") && remaining >= 2 {
            pattern = Some(&args[i + 1][..]).filter(|p| *p != b"*");
        } else if args::is(&args[i], "TYPE") && remaining >= 2 {
            type_filter = Some(&args[i + 1][..]);
        } else {
            return Err(CmdError::syntax());
        }
        i += 2;
    }
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let mut slot = cursor.min(SLOT_COUNT as u64) as usize;
    let mut visited: Vec<SmallBytes> = Vec::new();
    if db.is_empty() {
        slot = SLOT_COUNT;
    }
    while slot < SLOT_COUNT {
        if db.slot_len(slot) > 0 {
            visited.extend(db.slot_entries(slot).map(|e| e.key.clone()));
        }
        slot += 1;
        if visited.len() as i64 >= count {
            break;
        }
    }
    let next = if slot >= SLOT_COUNT { 0 } else { slot };
    visited.retain(|key| {
        if let Some(p) = pattern
            && !glob_match(p, key, false)
        {
            return false;
        }
        match db.get_mut(key, now) {
            None => false,
            Some(entry) => type_filter
                .is_none_or(|t| t.eq_ignore_ascii_case(entry.value.type_name().as_bytes())),
        }
    });
    ctx.out.array(2);
    ctx.out.bulk_int(next as i64);
    ctx.out.array(visited.len());
    for key in &visited {
        ctx.out.bulk(key);
    }
    Ok(())
}

/// A uniformly chosen key of `db` (expired ones included), or `None` when it is empty.
fn random_entry_key(db: &Db) -> Option<SmallBytes> {
    if db.is_empty() {
        return None;
    }
    let mut nth = rand::rng().random_range(0..db.len());
    for slot in 0..SLOT_COUNT {
        let len = db.slot_len(slot);
        if nth < len {
            return db.slot_entries(slot).nth(nth).map(|e| e.key.clone());
        }
        nth -= len;
    }
    None
}

fn randomkey(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let all_volatile = db.len() == db.expires_len();
    // A replica never deletes expired keys: give up looking for a live one after a while, as
    // Redis does when every key is volatile.
    let mut tries_left = 100;
    let found = loop {
        let Some(key) = random_entry_key(db) else {
            break None;
        };
        if db.get_mut(&key, now).is_some() {
            break Some(key);
        }
        if db.expire_mode == ExpireMode::Hide {
            tries_left -= 1;
            if all_volatile && tries_left == 0 {
                break Some(key);
            }
            if tries_left == 0 {
                break None;
            }
        }
    };
    match found {
        Some(key) => ctx.out.bulk(&key),
        None => ctx.out.null(),
    }
    Ok(())
}

// ---- whole databases ------------------------------------------------------------------------

/// FLUSHDB / FLUSHALL's optional argument: true for ASYNC; without one,
/// `lazyfree-lazy-user-flush` decides.
fn flush_mode(args: &[Bytes], lazy_by_default: bool) -> Result<bool, CmdError> {
    match args.len() {
        1 => Ok(lazy_by_default),
        2 if args::is(&args[1], "SYNC") => Ok(false),
        2 if args::is(&args[1], "ASYNC") => Ok(true),
        _ => Err(CmdError::syntax()),
    }
}

/// Empty database `index`, invalidating WATCHes on the keys it held. Returns the number of
/// keys removed.
fn empty_db(store: &mut Store, index: usize, lazy: bool) -> usize {
    let dbs = &store.dbs;
    store
        .watch
        .touch_db_where(index, |key| dbs[index].peek_any(key).is_some());
    let db = &mut store.dbs[index];
    let removed = db.len();
    if removed == 0 {
        return 0;
    }
    if lazy {
        free_in_background(db.take());
    } else {
        db.clear();
    }
    removed
}

fn flushdb(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let lazy = flush_mode(args, ctx.store.config.lazyfree_lazy_user_flush)?;
    let removed = empty_db(ctx.store, ctx.db, lazy);
    ctx.dirty(removed as u64);
    ctx.out.ok();
    Ok(())
}

fn flushall(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let lazy = flush_mode(args, ctx.store.config.lazyfree_lazy_user_flush)?;
    let mut removed = 0;
    for index in 0..ctx.store.dbs.len() {
        removed += empty_db(ctx.store, index, lazy);
    }
    ctx.dirty(removed as u64);
    crate::persist::after_flushall(ctx.store);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

fn swapdb(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let first = db_index_arg(&args[1], Some("ERR invalid first DB index"))?;
    let second = db_index_arg(&args[2], Some("ERR invalid second DB index"))?;
    let count = ctx.store.dbs.len() as i64;
    if first < 0 || first >= count || second < 0 || second >= count {
        return Err(CmdError::new("ERR DB index is out of range"));
    }
    let (a, b) = (first as usize, second as usize);
    if a != b {
        let store = &mut *ctx.store;
        let dbs = &store.dbs;
        // A watcher is affected if its key exists on either side of the swap.
        let in_either =
            |key: &[u8]| dbs[a].peek_any(key).is_some() || dbs[b].peek_any(key).is_some();
        store.watch.touch_db_where(a, in_either);
        store.watch.touch_db_where(b, in_either);
        let (low, high) = (a.min(b), a.max(b));
        let (head, tail) = store.dbs.split_at_mut(high);
        head[low].swap_contents(&mut tail[0]);
        // Clients blocked in either database may now find data (scanDatabaseForReadyKeys):
        // only the keys someone is blocked on need a look.
        crate::blocking::signal_existing_keys(store, a);
        crate::blocking::signal_existing_keys(store, b);
    }
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn db_index_errors() {
        assert_eq!(db_index_arg(b"3", None), Ok(3));
        assert_eq!(
            db_index_arg(b"x", None).unwrap_err().text(),
            "ERR value is not an integer or out of range"
        );
        assert_eq!(
            db_index_arg(b"4294967296", None).unwrap_err().text(),
            "ERR value is out of range, value must between -2147483648 and 2147483647"
        );
        assert_eq!(
            db_index_arg(b"4294967296", Some("ERR invalid first DB index"))
                .unwrap_err()
                .text(),
            "ERR invalid first DB index"
        );
    }

    #[test]
    fn random_entry_key_covers_every_key() {
        let mut db = Db::new(0);
        assert!(random_entry_key(&db).is_none());
        for i in 0..50 {
            db.insert(format!("k{i}").as_bytes(), Value::string(b"v"));
        }
        let mut seen = std::collections::HashSet::new();
        for _ in 0..5000 {
            seen.insert(random_entry_key(&db).expect("non-empty"));
        }
        assert_eq!(seen.len(), 50);
    }
}
