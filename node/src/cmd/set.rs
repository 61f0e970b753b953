//! Set commands, plus the SCAN-family argument parsing shared with HSCAN.

use bytes::Bytes;
use wire::{CommandId, ReplyBuf};

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::glob::glob_match;
use crate::keyspace::Db;
use crate::types::Value;
use crate::types::set::{Member, Set};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Sadd, sadd),
    (CommandId::Srem, srem),
    (CommandId::Smembers, smembers),
    (CommandId::Sismember, sismember),
    (CommandId::Smismember, smismember),
    (CommandId::Scard, scard),
    (CommandId::Spop, spop),
    (CommandId::Srandmember, srandmember),
    (CommandId::Smove, smove),
    (CommandId::Sinter, sinter),
    (CommandId::Sintercard, sintercard),
    (CommandId::Sinterstore, sinterstore),
    (CommandId::Sunion, sunion),
    (CommandId::Sunionstore, sunionstore),
    (CommandId::Sdiff, sdiff),
    (CommandId::Sdiffstore, sdiffstore),
    (CommandId::Sscan, sscan),
];

pub const RANGE_ERROR: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";

// ----- shared with HSCAN / HRANDFIELD -----

/// MATCH and COUNT of SSCAN/HSCAN.
pub struct ScanOptions<'a> {
    pub count: usize,
    pub pattern: Option<&'a [u8]>,
}

impl<'a> ScanOptions<'a> {
    pub fn parse(options: &'a [Bytes]) -> Result<Self, CmdError> {
        let mut parsed = ScanOptions {
            count: 10,
            pattern: None,
        };
        let mut i = 0;
        while i < options.len() {
            let has_value = options.len() - i >= 2;
            if args::is(&options[i], "COUNT") && has_value {
                let count = args::int(&options[i + 1])?;
                if count < 1 {
                    return Err(CmdError::syntax());
                }
                parsed.count = usize::try_from(count).unwrap_or(usize::MAX);
            } else if args::is(&options[i], "MATCH") && has_value {
                let pattern = &options[i + 1][..];
                parsed.pattern = (pattern != b"*").then_some(pattern);
            } else {
                return Err(CmdError::syntax());
            }
            i += 2;
        }
        Ok(parsed)
    }
}

/// The reply to a SCAN of a missing key.
pub fn empty_scan(out: &mut ReplyBuf) {
    out.array(2);
    out.bulk(b"0");
    out.array(0);
}

/// A SRANDMEMBER / HRANDFIELD count: any integer but i64::MIN (Redis takes -LONG_MAX..LONG_MAX).
pub fn random_count(arg: &[u8]) -> Result<i64, CmdError> {
    match wire::request::parse_i64(arg) {
        Some(i64::MIN) => Err(CmdError::new(RANGE_ERROR)),
        Some(v) => Ok(v),
        None => Err(CmdError::not_integer()),
    }
}

/// Most picks with repetition a negative SRANDMEMBER / HRANDFIELD / ZRANDMEMBER count may ask
/// for. The reply is built whole, so Redis 7.0 dies on huge counts (measured:
/// `ZRANDMEMBER z -9223372036854775807` gets redis-server OOM-killed); past this bound the
/// node answers "ERR value is out of range" instead. 2^24 picks is a reply of a few hundred
/// megabytes.
pub const MAX_RANDOM_PICKS: u64 = 1 << 24;

pub fn random_count_too_large(count: u64) -> bool {
    count > MAX_RANDOM_PICKS
}

// ----- helpers -----

fn max_intset_entries(ctx: &Ctx) -> usize {
    ctx.store.config.set_max_intset_entries
}

fn read_set<'a>(db: &'a mut Db, key: &[u8], now_ms: u64) -> Result<Option<&'a Set>, CmdError> {
    match db.lookup(key, now_ms) {
        None => Ok(None),
        Some(entry) => match &entry.value {
            Value::Set(set) => Ok(Some(set)),
            _ => Err(CmdError::wrong_type()),
        },
    }
}

/// Several sets at once (missing keys as None); WRONGTYPE if any key holds another type.
fn read_sets<'a>(
    db: &'a mut Db,
    keys: &[Bytes],
    now_ms: u64,
) -> Result<Vec<Option<&'a Set>>, CmdError> {
    for key in keys {
        db.lookup(key, now_ms);
    }
    let db: &'a Db = db;
    keys.iter()
        .map(|key| match db.peek(key, now_ms) {
            None => Ok(None),
            Some(entry) => match &entry.value {
                Value::Set(set) => Ok(Some(&**set)),
                _ => Err(CmdError::wrong_type()),
            },
        })
        .collect()
}

fn bulk_member(out: &mut ReplyBuf, member: Member) {
    match member {
        Member::Int(v) => out.bulk_int(v),
        Member::Bytes(b) => out.bulk(b),
    }
}

fn reply_members<'a>(out: &mut ReplyBuf, members: impl ExactSizeIterator<Item = Member<'a>>) {
    out.set(members.len());
    members.for_each(|m| bulk_member(out, m));
}

// ----- single-key commands -----

fn sadd(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let max = max_intset_entries(ctx);
    let (key, now_ms) = (&args[1], ctx.now_ms);
    let db = &mut ctx.store.dbs[ctx.db];
    if db.lookup(key, now_ms).is_none() {
        db.insert(key, Value::Set(Box::default()));
    }
    let set = match db.get_mut(key, now_ms) {
        Some(entry) => entry.value.as_set_mut()?,
        None => return Err(CmdError::wrong_type()),
    };
    let added = args[2..]
        .iter()
        .filter(|member| set.insert(member, max))
        .count() as u64;
    if added > 0 {
        ctx.signal_modified(key);
        ctx.dirty(added);
    }
    ctx.out.int(added as i64);
    Ok(())
}

fn srem(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(entry) = db.lookup(&args[1], ctx.now_ms) else {
        ctx.out.int(0);
        return Ok(());
    };
    let set = entry.value.as_set_mut()?;
    let mut removed = 0u64;
    for member in &args[2..] {
        if set.remove(member) {
            removed += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    if set.is_empty() {
        db.remove(&args[1]);
    }
    if removed > 0 {
        ctx.signal_modified(&args[1]);
        ctx.dirty(removed);
    }
    ctx.out.int(removed as i64);
    Ok(())
}

fn smembers(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    match read_set(db, &args[1], ctx.now_ms)? {
        Some(set) => {
            ctx.out.set(set.len());
            set.iter().for_each(|m| bulk_member(ctx.out, m));
        }
        None => ctx.out.set(0),
    }
    Ok(())
}

fn sismember(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let found = read_set(db, &args[1], ctx.now_ms)?.is_some_and(|s| s.contains(&args[2]));
    ctx.out.int(found as i64);
    Ok(())
}

fn smismember(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let set = read_set(db, &args[1], ctx.now_ms)?;
    ctx.out.array(args.len() - 2);
    for member in &args[2..] {
        ctx.out.int(set.is_some_and(|s| s.contains(member)) as i64);
    }
    Ok(())
}

fn scard(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let len = read_set(db, &args[1], ctx.now_ms)?.map_or(0, Set::len);
    ctx.out.int(len as i64);
    Ok(())
}

fn spop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let count = match args.len() {
        2 => None,
        3 => match wire::request::parse_i64(&args[2]) {
            Some(v) if v >= 0 => Some(v as u64),
            _ => return Err(CmdError::new("ERR value is out of range, must be positive")),
        },
        _ => return Err(CmdError::syntax()),
    };
    let key = &args[1];
    let propagating = ctx.propagating();
    // The members popped, propagated as SREM (the pick is random: replaying SPOP would not
    // pick the same ones).
    let mut removed: Vec<Bytes> = Vec::new();
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(entry) = db.lookup(key, ctx.now_ms) else {
        match count {
            None => ctx.out.null(),
            Some(_) => ctx.out.set(0),
        }
        return Ok(());
    };
    let set = entry.value.as_set_mut()?;
    let mut rng = rand::rng();
    let popped: u64 = match count {
        None => {
            match set.pop_random(&mut rng) {
                Some(member) => {
                    ctx.out.bulk(&member);
                    if propagating {
                        removed.push(Bytes::copy_from_slice(&member));
                    }
                }
                None => ctx.out.null(),
            }
            1
        }
        Some(0) => {
            ctx.out.set(0);
            return Ok(());
        }
        Some(n) if n >= set.len() as u64 => {
            reply_members(ctx.out, set.iter().collect::<Vec<_>>().into_iter());
            let len = set.len() as u64;
            db.remove(key);
            ctx.propagate_as(vec![Bytes::from_static(b"DEL"), key.clone()]);
            ctx.signal_modified(key);
            ctx.dirty(len);
            return Ok(());
        }
        Some(n) => {
            ctx.out.set(n as usize);
            for _ in 0..n {
                if let Some(member) = set.pop_random(&mut rng) {
                    ctx.out.bulk(&member);
                    if propagating {
                        removed.push(Bytes::copy_from_slice(&member));
                    }
                }
            }
            n
        }
    };
    if set.is_empty() {
        db.remove(key);
    }
    // One SREM per member, as Redis 7.0 (wrapped in MULTI/EXEC when several).
    if count.is_some() {
        for member in removed {
            ctx.also_propagate(vec![Bytes::from_static(b"SREM"), key.clone(), member]);
        }
        ctx.prevent_propagation();
    } else if let Some(member) = removed.pop() {
        ctx.propagate_as(vec![Bytes::from_static(b"SREM"), key.clone(), member]);
    }
    ctx.signal_modified(key);
    ctx.dirty(popped);
    Ok(())
}

fn srandmember(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let count = match args.len() {
        2 => None,
        3 => Some(random_count(&args[2])?),
        _ => return Err(CmdError::syntax()),
    };
    let db = &mut ctx.store.dbs[ctx.db];
    let set = read_set(db, &args[1], ctx.now_ms)?;
    let mut rng = rand::rng();
    let Some(count) = count else {
        match set.and_then(|s| s.random(&mut rng)) {
            Some(member) => bulk_member(ctx.out, member),
            None => ctx.out.null(),
        }
        return Ok(());
    };
    let set = match set {
        Some(set) if count != 0 => set,
        _ => {
            ctx.out.array(0);
            return Ok(());
        }
    };
    let wanted = count.unsigned_abs();
    if count < 0 {
        if random_count_too_large(wanted) {
            return Err(CmdError::new("ERR value is out of range"));
        }
        ctx.out.array(wanted as usize);
        for _ in 0..wanted {
            if let Some(member) = set.random(&mut rng) {
                bulk_member(ctx.out, member);
            }
        }
        return Ok(());
    }
    let picks: Vec<Member> = if wanted >= set.len() as u64 {
        set.iter().collect()
    } else {
        set.random_distinct(wanted as usize, &mut rng)
    };
    ctx.out.array(picks.len());
    picks.into_iter().for_each(|m| bulk_member(ctx.out, m));
    Ok(())
}

fn smove(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (source, destination, member) = (&args[1], &args[2], &args[3]);
    let max = max_intset_entries(ctx);
    let now_ms = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    // Both keys are looked up (and expired) before the source's absence answers, as Redis.
    let source_is_set = db
        .lookup(source, now_ms)
        .map(|entry| matches!(entry.value, Value::Set(_)));
    let destination_ok = match db.lookup(destination, now_ms) {
        None => true,
        Some(entry) => matches!(entry.value, Value::Set(_)),
    };
    let Some(source_is_set) = source_is_set else {
        ctx.out.int(0);
        return Ok(());
    };
    if !source_is_set || !destination_ok {
        return Err(CmdError::wrong_type());
    }
    let source_set = read_set(db, source, now_ms)?;
    if source == destination {
        let found = source_set.is_some_and(|s| s.contains(member));
        ctx.out.int(found as i64);
        return Ok(());
    }
    let Some(entry) = db.get_mut(source, now_ms) else {
        ctx.out.int(0);
        return Ok(());
    };
    let set = entry.value.as_set_mut()?;
    if !set.remove(member) {
        ctx.out.int(0);
        return Ok(());
    }
    if set.is_empty() {
        db.remove(source);
    }
    if db.get_mut(destination, now_ms).is_none() {
        db.insert(destination, Value::Set(Box::default()));
    }
    let added = match db.get_mut(destination, now_ms) {
        Some(entry) => entry.value.as_set_mut()?.insert(member, max),
        None => false,
    };
    ctx.signal_modified(source);
    ctx.dirty(1);
    if added {
        ctx.signal_modified(destination);
        ctx.dirty(1);
    }
    ctx.out.int(1);
    Ok(())
}

// ----- multi-key algebra -----

/// Members of the intersection, visiting the smallest set first; stops at `limit` (0 = all).
fn intersect<'a>(sets: &[&'a Set], limit: usize) -> Vec<Member<'a>> {
    let mut ordered: Vec<&Set> = sets.to_vec();
    ordered.sort_by_key(|s| s.len());
    let Some((smallest, others)) = ordered.split_first() else {
        return Vec::new();
    };
    let mut result = Vec::new();
    for member in smallest.iter() {
        if others.iter().all(|s| s.contains_member(member)) {
            result.push(member);
            if limit != 0 && result.len() >= limit {
                break;
            }
        }
    }
    result
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Algebra {
    Inter,
    Union,
    Diff,
}

/// The result of an operation as a new set (built as SADD would, so it may be an intset).
fn compute(sets: &[Option<&Set>], op: Algebra, max_intset: usize) -> Set {
    let mut result = Set::new();
    match op {
        Algebra::Inter => {
            if sets.iter().all(Option::is_some) {
                let present: Vec<&Set> = sets.iter().flatten().copied().collect();
                for member in intersect(&present, 0) {
                    result.insert_member(member, max_intset);
                }
            }
        }
        Algebra::Union => {
            for set in sets.iter().flatten() {
                for member in set.iter() {
                    result.insert_member(member, max_intset);
                }
            }
        }
        Algebra::Diff => {
            if let Some(Some(first)) = sets.first() {
                let others: Vec<&Set> = sets[1..].iter().flatten().copied().collect();
                for member in first.iter() {
                    if !others.iter().any(|s| s.contains_member(member)) {
                        result.insert_member(member, max_intset);
                    }
                }
            }
        }
    }
    result
}

fn algebra_reply(ctx: &mut Ctx, keys: &[Bytes], op: Algebra) -> CmdResult {
    let max = max_intset_entries(ctx);
    let db = &mut ctx.store.dbs[ctx.db];
    let sets = read_sets(db, keys, ctx.now_ms)?;
    if op == Algebra::Inter {
        // Reply straight from the sources: no need to build a set.
        let members = if sets.iter().all(Option::is_some) {
            let present: Vec<&Set> = sets.iter().flatten().copied().collect();
            intersect(&present, 0)
        } else {
            Vec::new()
        };
        reply_members(ctx.out, members.into_iter());
        return Ok(());
    }
    let result = compute(&sets, op, max);
    reply_members(ctx.out, result.iter().collect::<Vec<_>>().into_iter());
    Ok(())
}

fn algebra_store(ctx: &mut Ctx, args: &[Bytes], op: Algebra) -> CmdResult {
    let max = max_intset_entries(ctx);
    let destination = &args[1];
    let db = &mut ctx.store.dbs[ctx.db];
    let sets = read_sets(db, &args[2..], ctx.now_ms)?;
    let result = compute(&sets, op, max);
    let len = result.len();
    if len > 0 {
        db.insert(destination, Value::Set(Box::new(result)));
        ctx.signal_modified(destination);
        ctx.dirty(1);
    } else if db.remove(destination).is_some() {
        ctx.signal_modified(destination);
        ctx.dirty(1);
    }
    ctx.out.int(len as i64);
    Ok(())
}

fn sinter(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    algebra_reply(ctx, &args[1..], Algebra::Inter)
}

fn sunion(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    algebra_reply(ctx, &args[1..], Algebra::Union)
}

fn sdiff(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    algebra_reply(ctx, &args[1..], Algebra::Diff)
}

fn sinterstore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    algebra_store(ctx, args, Algebra::Inter)
}

fn sunionstore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    algebra_store(ctx, args, Algebra::Union)
}

fn sdiffstore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    algebra_store(ctx, args, Algebra::Diff)
}

fn sintercard(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let numkeys = match wire::request::parse_i64(&args[1]) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(CmdError::new("ERR numkeys should be greater than 0")),
    };
    if numkeys > (args.len() - 2) as u64 {
        return Err(CmdError::new(
            "ERR Number of keys can't be greater than number of args",
        ));
    }
    let keys_end = 2 + numkeys as usize;
    let mut limit = 0usize;
    let mut i = keys_end;
    while i < args.len() {
        if args::is(&args[i], "LIMIT") && args.len() - i >= 2 {
            limit = match wire::request::parse_i64(&args[i + 1]) {
                Some(v) if v >= 0 => usize::try_from(v).unwrap_or(usize::MAX),
                _ => return Err(CmdError::new("ERR LIMIT can't be negative")),
            };
            i += 2;
        } else {
            return Err(CmdError::syntax());
        }
    }
    let db = &mut ctx.store.dbs[ctx.db];
    let sets = read_sets(db, &args[2..keys_end], ctx.now_ms)?;
    let cardinality = if sets.iter().all(Option::is_some) {
        let present: Vec<&Set> = sets.iter().flatten().copied().collect();
        intersect(&present, limit).len()
    } else {
        0
    };
    ctx.out.int(cardinality as i64);
    Ok(())
}

fn sscan(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[2])?;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(set) = read_set(db, &args[1], ctx.now_ms)? else {
        empty_scan(ctx.out);
        return Ok(());
    };
    let options = ScanOptions::parse(&args[3..])?;
    let mut found: Vec<Member> = Vec::new();
    let next = set.scan(cursor, options.count, |member| {
        let keep = options
            .pattern
            .is_none_or(|p| member.with_bytes(|b| glob_match(p, b, false)));
        if keep {
            found.push(member);
        }
    });
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.array(found.len());
    found.into_iter().for_each(|m| bulk_member(ctx.out, m));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_options() {
        let args: Vec<Bytes> = ["MATCH", "a*", "count", "5", "match", "*"]
            .iter()
            .map(|s| Bytes::from(*s))
            .collect();
        let options = ScanOptions::parse(&args).unwrap();
        assert_eq!(options.count, 5);
        assert!(options.pattern.is_none());
        let bad = |list: &[&str]| {
            let args: Vec<Bytes> = list.iter().map(|s| Bytes::from(s.to_string())).collect();
            ScanOptions::parse(&args)
                .err()
                .map(|e| e.text().to_string())
        };
        assert_eq!(bad(&["COUNT", "0"]).as_deref(), Some("ERR syntax error"));
        assert_eq!(
            bad(&["COUNT", "x"]).as_deref(),
            Some("ERR value is not an integer or out of range")
        );
        assert_eq!(bad(&["MATCH"]).as_deref(), Some("ERR syntax error"));
        assert_eq!(
            bad(&["TYPE", "string"]).as_deref(),
            Some("ERR syntax error")
        );
    }
}
