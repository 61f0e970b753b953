//! Sorted-set commands, with Redis 7.0's argument checks, error texts and reply shapes.

use bytes::Bytes;
use wire::{CommandId, ReplyBuf};

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::keyspace::Db;
use crate::types::zset::{LexEdge, LexRange, Limits, ScoreRange, ZSet};
use crate::types::{SmallBytes, Value};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Zadd, zadd),
    (CommandId::Zincrby, zincrby),
    (CommandId::Zrem, zrem),
    (CommandId::Zcard, zcard),
    (CommandId::Zcount, zcount),
    (CommandId::Zlexcount, zlexcount),
    (CommandId::Zscore, zscore),
    (CommandId::Zmscore, zmscore),
    (CommandId::Zrank, zrank),
    (CommandId::Zrevrank, zrevrank),
    (CommandId::Zrange, zrange),
    (CommandId::Zrangestore, zrangestore),
    (CommandId::Zrangebyscore, zrangebyscore),
    (CommandId::Zrevrangebyscore, zrevrangebyscore),
    (CommandId::Zrangebylex, zrangebylex),
    (CommandId::Zrevrangebylex, zrevrangebylex),
    (CommandId::Zrevrange, zrevrange),
    (CommandId::Zremrangebyrank, zremrangebyrank),
    (CommandId::Zremrangebyscore, zremrangebyscore),
    (CommandId::Zremrangebylex, zremrangebylex),
    (CommandId::Zpopmin, zpopmin),
    (CommandId::Zpopmax, zpopmax),
    (CommandId::Zmpop, zmpop),
    (CommandId::Bzpopmin, bzpopmin),
    (CommandId::Bzpopmax, bzpopmax),
    (CommandId::Bzmpop, bzmpop),
    (CommandId::Zrandmember, zrandmember),
    (CommandId::Zunion, zunion),
    (CommandId::Zinter, zinter),
    (CommandId::Zdiff, zdiff),
    (CommandId::Zunionstore, zunionstore),
    (CommandId::Zinterstore, zinterstore),
    (CommandId::Zdiffstore, zdiffstore),
    (CommandId::Zintercard, zintercard),
    (CommandId::Zscan, zscan),
];

const NAN_ERROR: &str = "ERR resulting score is not a number (NaN)";
const RANGE_NOT_FLOAT: &str = "ERR min or max is not a float";
const RANGE_NOT_LEX: &str = "ERR min or max not valid string range item";

// ---- parsing ------------------------------------------------------------------------------

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The bytes C sees: everything before the first NUL.
fn c_str(bytes: &[u8]) -> &[u8] {
    bytes
        .iter()
        .position(|&b| b == 0)
        .map_or(bytes, |end| &bytes[..end])
}

/// C's `strtod`: the value, how many bytes it used (0 when nothing converts), and whether
/// the result was out of range (ERANGE: overflow to infinity, or underflow to zero).
fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = s.iter().take_while(|&&b| is_c_space(b)).count();
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let signed = |v: f64| if negative { -v } else { v };
    let rest = &s[i..];
    let starts =
        |word: &[u8]| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word);
    if starts(b"infinity") {
        return (signed(f64::INFINITY), i + 8, false);
    }
    if starts(b"inf") {
        return (signed(f64::INFINITY), i + 3, false);
    }
    if starts(b"nan") {
        let mut used = i + 3;
        if s.get(used) == Some(&b'(') {
            let inner = s[used + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
            if s.get(used + 1 + inner) == Some(&b')') {
                used += inner + 2;
            }
        }
        return (f64::NAN, used, false);
    }
    if starts(b"0x")
        && let Some((value, used, range)) = hex_float(&rest[2..])
    {
        return (signed(value), i + 2 + used, range);
    }
    let int_digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let mut used = int_digits;
    let mut frac_digits = 0;
    if rest.get(used) == Some(&b'.') {
        frac_digits = rest[used + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if int_digits + frac_digits > 0 {
            used += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return (0.0, 0, false);
    }
    let mantissa_end = used;
    let mut exponent: i64 = 0;
    if matches!(rest.get(used), Some(b'e' | b'E')) {
        let mut j = used + 1;
        let exp_negative = match rest.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let exp_digits = rest[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits > 0 {
            for &d in &rest[j..j + exp_digits] {
                exponent = (exponent * 10 + (d - b'0') as i64).min(1_000_000_000);
            }
            if exp_negative {
                exponent = -exponent;
            }
            used = j + exp_digits;
        }
    }
    let mantissa = &rest[..mantissa_end];
    let text = format!(
        "{}e{}",
        String::from_utf8_lossy(mantissa).trim_end_matches('.'),
        exponent
    );
    let text = if text.starts_with('.') {
        format!("0{text}")
    } else {
        text
    };
    let value: f64 = text.parse().unwrap_or(0.0);
    let nonzero_digits = mantissa.iter().any(|b| (b'1'..=b'9').contains(b));
    let range = value.is_infinite() || (value == 0.0 && nonzero_digits);
    (signed(value), i + used, range)
}

/// The part of a hexadecimal float after `0x`; None when no hex digit follows (then C reads
/// just the `0`).
fn hex_float(s: &[u8]) -> Option<(f64, usize, bool)> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut used = 0;
    let mut mantissa: u64 = 0;
    let mut exponent: i64 = 0;
    let mut digits = 0;
    let mut seen_point = false;
    while let Some(&b) = s.get(used) {
        if b == b'.' && !seen_point {
            seen_point = true;
            used += 1;
            continue;
        }
        let Some(d) = hex(b) else { break };
        digits += 1;
        if mantissa >> 56 == 0 {
            mantissa = mantissa * 16 + d as u64;
            if seen_point {
                exponent -= 4;
            }
        } else if !seen_point {
            exponent += 4;
        }
        used += 1;
    }
    if digits == 0 {
        return None;
    }
    if matches!(s.get(used), Some(b'p' | b'P')) {
        let mut j = used + 1;
        let negative = match s.get(j) {
            Some(b'-') => {
                j += 1;
                true
            }
            Some(b'+') => {
                j += 1;
                false
            }
            _ => false,
        };
        let exp_digits = s[j..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp_digits > 0 {
            let mut e: i64 = 0;
            for &d in &s[j..j + exp_digits] {
                e = (e * 10 + (d - b'0') as i64).min(1_000_000_000);
            }
            exponent += if negative { -e } else { e };
            used = j + exp_digits;
        }
    }
    let mut value = mantissa as f64;
    let mut e = exponent.clamp(-3000, 3000) as i32;
    while e != 0 && value != 0.0 && value.is_finite() {
        let step = e.clamp(-1000, 1000);
        value *= 2f64.powi(step);
        e -= step;
    }
    let range = value.is_infinite() || (value == 0.0 && mantissa != 0);
    Some((value, used, range))
}

/// A double as Redis's `string2d` reads it (scores, increments, weights).
fn parse_double(arg: &[u8]) -> Option<f64> {
    if arg.is_empty() || is_c_space(arg[0]) {
        return None;
    }
    let (value, used, range) = strtod(arg);
    if used != arg.len() || (range && (value.is_infinite() || value == 0.0)) || value.is_nan() {
        return None;
    }
    Some(value)
}

fn parse_score(arg: &[u8]) -> Result<f64, CmdError> {
    parse_double(arg).ok_or_else(CmdError::not_float)
}

/// One end of a score interval, as Redis's zslParseRange reads it.
fn parse_score_edge(arg: &[u8]) -> Option<(f64, bool)> {
    let text = c_str(arg);
    let (text, exclusive) = match text.first() {
        Some(b'(') => (&text[1..], true),
        _ => (text, false),
    };
    let (value, used, _) = strtod(text);
    (used == text.len() && !value.is_nan()).then_some((value, exclusive))
}

fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, CmdError> {
    let (Some((min, min_exclusive)), Some((max, max_exclusive))) =
        (parse_score_edge(min), parse_score_edge(max))
    else {
        return Err(CmdError::new(RANGE_NOT_FLOAT));
    };
    Ok(ScoreRange {
        min,
        max,
        min_exclusive,
        max_exclusive,
    })
}

fn parse_lex_edge(arg: &[u8]) -> Option<(LexEdge, bool)> {
    let lone = arg.len() == 1 || arg.get(1) == Some(&0);
    match arg.first()? {
        b'+' if lone => Some((LexEdge::Max, true)),
        b'-' if lone => Some((LexEdge::Min, true)),
        b'(' => Some((LexEdge::Member(arg[1..].to_vec()), true)),
        b'[' => Some((LexEdge::Member(arg[1..].to_vec()), false)),
        _ => None,
    }
}

fn parse_lex_range(min: &[u8], max: &[u8]) -> Result<LexRange, CmdError> {
    let (Some((min, min_exclusive)), Some((max, max_exclusive))) =
        (parse_lex_edge(min), parse_lex_edge(max))
    else {
        return Err(CmdError::new(RANGE_NOT_LEX));
    };
    Ok(LexRange {
        min,
        max,
        min_exclusive,
        max_exclusive,
    })
}

/// An integer in `min..=max`, with Redis's getRangeLongFromObjectOrReply errors.
fn ranged_int(arg: &[u8], min: i64, max: i64, msg: Option<&'static str>) -> Result<i64, CmdError> {
    let value = wire::request::parse_i64(arg);
    match (value, msg) {
        (Some(v), _) if (min..=max).contains(&v) => Ok(v),
        (_, Some(msg)) => Err(CmdError::new(msg)),
        (None, None) => Err(CmdError::not_integer()),
        (Some(_), None) => Err(CmdError::new(format!(
            "ERR value is out of range, value must between {min} and {max}"
        ))),
    }
}

fn positive_int(arg: &[u8]) -> Result<i64, CmdError> {
    ranged_int(
        arg,
        0,
        i64::MAX,
        Some("ERR value is out of range, must be positive"),
    )
}

// ---- keyspace access ----------------------------------------------------------------------

fn limits(ctx: &Ctx) -> Limits {
    Limits {
        max_entries: ctx.store.config.zset_max_listpack_entries,
        max_value: ctx.store.config.zset_max_listpack_value,
    }
}

/// The sorted set at `key` (None when absent); WRONGTYPE for another type.
fn zset_mut<'a>(db: &'a mut Db, key: &[u8], now_ms: u64) -> Result<Option<&'a mut ZSet>, CmdError> {
    match db.lookup(key, now_ms) {
        None => Ok(None),
        Some(entry) => match &mut entry.value {
            Value::ZSet(z) => Ok(Some(z)),
            _ => Err(CmdError::wrong_type()),
        },
    }
}

/// Remove `key` if it holds a live value; returns whether it did.
fn delete_live(db: &mut Db, key: &[u8], now_ms: u64) -> bool {
    db.get_mut(key, now_ms).is_some() && db.remove(key).is_some()
}

/// Store a non-empty result or delete the destination, replying with the result's size.
fn store_result(ctx: &mut Ctx, dst: &[u8], entries: Vec<(SmallBytes, f64)>) {
    let now = ctx.now_ms;
    if entries.is_empty() {
        ctx.out.int(0);
        if delete_live(&mut ctx.store.dbs[ctx.db], dst, now) {
            ctx.signal_modified(dst);
            ctx.dirty(1);
        }
        return;
    }
    let set = ZSet::from_entries(entries, limits(ctx));
    let len = set.len();
    ctx.store.dbs[ctx.db].insert(dst, Value::ZSet(Box::new(set)));
    ctx.out.int(len as i64);
    ctx.signal_modified(dst);
    ctx.signal_ready(dst);
    ctx.dirty(1);
}

// ---- replies ------------------------------------------------------------------------------

/// Members, optionally with scores: a flat array in RESP2, [member, score] pairs in RESP3.
fn reply_entries<'a>(
    out: &mut ReplyBuf,
    len: usize,
    entries: impl Iterator<Item = (&'a [u8], f64)>,
    with_scores: bool,
) {
    let pairs = with_scores && out.is_resp3();
    out.array(if with_scores && !pairs { len * 2 } else { len });
    for (member, score) in entries {
        if pairs {
            out.array(2);
        }
        out.bulk(member);
        if with_scores {
            out.double(score);
        }
    }
}

// ---- ZADD / ZINCRBY -----------------------------------------------------------------------

fn zadd(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, false)
}

fn zincrby(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zadd_generic(ctx, args, true)
}

fn zadd_generic(ctx: &mut Ctx, args: &[Bytes], mut incr: bool) -> CmdResult {
    let key = &args[1];
    let (mut nx, mut xx, mut gt, mut lt, mut ch) = (false, false, false, false, false);
    let mut first = 2;
    while let Some(arg) = args.get(first) {
        match () {
            _ if args::is(arg, "nx") => nx = true,
            _ if args::is(arg, "xx") => xx = true,
            _ if args::is(arg, "ch") => ch = true,
            _ if args::is(arg, "incr") => incr = true,
            _ if args::is(arg, "gt") => gt = true,
            _ if args::is(arg, "lt") => lt = true,
            _ => break,
        }
        first += 1;
    }
    let rest = &args[first..];
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        return Err(CmdError::syntax());
    }
    if nx && xx {
        return Err(CmdError::new(
            "ERR XX and NX options at the same time are not compatible",
        ));
    }
    if (nx && (gt || lt)) || (gt && lt) {
        return Err(CmdError::new(
            "ERR GT, LT, and/or NX options at the same time are not compatible",
        ));
    }
    if incr && rest.len() > 2 {
        return Err(CmdError::new(
            "ERR INCR option supports a single increment-element pair",
        ));
    }
    let scores = rest
        .chunks(2)
        .map(|pair| parse_score(&pair[0]))
        .collect::<Result<Vec<f64>, CmdError>>()?;

    let limits = limits(ctx);
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    if zset_mut(db, key, now)?.is_none() {
        if xx {
            if incr {
                ctx.out.null();
            } else {
                ctx.out.int(0);
            }
            return Ok(());
        }
        db.insert(key, Value::ZSet(Box::default()));
    }
    let Some(set) = zset_mut(db, key, now)? else {
        return Err(CmdError::no_such_key());
    };
    let (mut added, mut updated, mut processed) = (0i64, 0i64, 0i64);
    let mut last_score = 0.0;
    for (pair, &score) in rest.chunks(2).zip(&scores) {
        let member = &pair[1];
        match set.score(member) {
            Some(current) => {
                if nx {
                    continue;
                }
                let new = if incr { score + current } else { score };
                if new.is_nan() {
                    return Err(CmdError::new(NAN_ERROR));
                }
                if (lt && new >= current) || (gt && new <= current) {
                    continue;
                }
                processed += 1;
                last_score = new;
                if new != current {
                    set.insert(member, new, limits);
                    updated += 1;
                }
            }
            None if !xx => {
                set.insert(member, score, limits);
                added += 1;
                processed += 1;
                last_score = score;
            }
            None => {}
        }
    }
    if incr {
        if processed > 0 {
            ctx.out.double(last_score);
        } else {
            ctx.out.null();
        }
    } else {
        ctx.out.int(if ch { added + updated } else { added });
    }
    if added + updated > 0 {
        ctx.signal_modified(key);
        ctx.dirty((added + updated) as u64);
    }
    if added > 0 {
        ctx.signal_ready(key);
    }
    Ok(())
}

// ---- simple reads and removal -------------------------------------------------------------

fn zrem(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(set) = zset_mut(db, key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let mut deleted = 0;
    for member in &args[2..] {
        if set.remove(member).is_some() {
            deleted += 1;
        }
        if set.is_empty() {
            break;
        }
    }
    let emptied = set.is_empty();
    if emptied {
        db.remove(key);
    }
    if deleted > 0 {
        ctx.signal_modified(key);
        ctx.dirty(deleted);
    }
    ctx.out.int(deleted as i64);
    Ok(())
}

fn zcard(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let len = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?.map_or(0, |z| z.len());
    ctx.out.int(len as i64);
    Ok(())
}

fn zcount(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let range = parse_score_range(&args[2], &args[3])?;
    let now = ctx.now_ms;
    let count = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?
        .and_then(|z| z.score_range_ranks(&range))
        .map_or(0, |(first, last)| last - first + 1);
    ctx.out.int(count as i64);
    Ok(())
}

fn zlexcount(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let range = parse_lex_range(&args[2], &args[3])?;
    let now = ctx.now_ms;
    let count = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?
        .and_then(|z| z.lex_range_ranks(&range, false))
        .map_or(0, |(first, last)| last - first + 1);
    ctx.out.int(count as i64);
    Ok(())
}

fn zscore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let score =
        zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?.and_then(|z| z.score(&args[2]));
    match score {
        Some(score) => ctx.out.double(score),
        None => ctx.out.null(),
    }
    Ok(())
}

fn zmscore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    let set = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?;
    ctx.out.array(args.len() - 2);
    for member in &args[2..] {
        match set.as_ref().and_then(|z| z.score(member)) {
            Some(score) => ctx.out.double(score),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

fn zrank(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    rank_generic(ctx, args, false)
}

fn zrevrank(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    rank_generic(ctx, args, true)
}

fn rank_generic(ctx: &mut Ctx, args: &[Bytes], reverse: bool) -> CmdResult {
    let now = ctx.now_ms;
    let rank = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?.and_then(|z| {
        let rank = z.rank(&args[2])?;
        Some(if reverse { z.len() - 1 - rank } else { rank })
    });
    match rank {
        Some(rank) => ctx.out.int(rank as i64),
        None => ctx.out.null(),
    }
    Ok(())
}

// ---- ZRANGE and friends -------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

enum ParsedRange {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange),
}

fn zrange(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, None, RangeType::Auto, Direction::Auto)
}

fn zrangestore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, Some(&args[1]), RangeType::Auto, Direction::Auto)
}

fn zrangebyscore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, None, RangeType::Score, Direction::Forward)
}

fn zrevrangebyscore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, None, RangeType::Score, Direction::Reverse)
}

fn zrangebylex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, None, RangeType::Lex, Direction::Forward)
}

fn zrevrangebylex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, None, RangeType::Lex, Direction::Reverse)
}

fn zrevrange(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zrange_generic(ctx, args, None, RangeType::Rank, Direction::Reverse)
}

/// Which ranks a range selects: from `start`, `count` entries, walking backward if `reverse`.
fn select_ranks(
    set: &ZSet,
    range: &ParsedRange,
    reverse: bool,
    offset: i64,
    limit: i64,
) -> Option<(usize, usize, bool)> {
    let len = set.len() as i64;
    let (first, last) = match range {
        ParsedRange::Rank(start, end) => {
            let mut start = if *start < 0 { len + start } else { *start };
            let end = if *end < 0 { len + end } else { *end };
            start = start.max(0);
            if start > end || start >= len {
                return None;
            }
            let end = end.min(len - 1);
            return Some(if reverse {
                ((len - 1 - start) as usize, (end - start + 1) as usize, true)
            } else {
                (start as usize, (end - start + 1) as usize, false)
            });
        }
        ParsedRange::Score(range) => {
            if offset > 0 && offset >= len {
                return None;
            }
            set.score_range_ranks(range)?
        }
        ParsedRange::Lex(range) => {
            if offset > 0 && offset >= len {
                return None;
            }
            set.lex_range_ranks(range, reverse)?
        }
    };
    // Redis skips `offset` entries with a post-decrement loop: a negative offset skips all.
    let in_range = last - first + 1;
    if offset < 0 || offset as u64 >= in_range as u64 {
        return None;
    }
    let available = in_range - offset as usize;
    let count = if limit < 0 {
        available
    } else {
        available.min(limit as usize)
    };
    if count == 0 {
        return None;
    }
    Some(if reverse {
        (last - offset as usize, count, true)
    } else {
        (first + offset as usize, count, false)
    })
}

fn zrange_generic(
    ctx: &mut Ctx,
    args: &[Bytes],
    dst: Option<&Bytes>,
    mut range_type: RangeType,
    mut direction: Direction,
) -> CmdResult {
    let key_index = if dst.is_some() { 2 } else { 1 };
    let key = &args[key_index];
    let (mut min_index, mut max_index) = (key_index + 1, key_index + 2);
    let mut with_scores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = key_index + 3;
    while j < args.len() {
        let arg = &args[j];
        let left = args.len() - j - 1;
        if dst.is_none() && args::is(arg, "withscores") {
            with_scores = true;
        } else if args::is(arg, "limit") && left >= 2 {
            offset = args::int(&args[j + 1])?;
            limit = args::int(&args[j + 2])?;
            j += 2;
        } else if direction == Direction::Auto && args::is(arg, "rev") {
            direction = Direction::Reverse;
        } else if range_type == RangeType::Auto && args::is(arg, "bylex") {
            range_type = RangeType::Lex;
        } else if range_type == RangeType::Auto && args::is(arg, "byscore") {
            range_type = RangeType::Score;
        } else {
            return Err(CmdError::syntax());
        }
        j += 1;
    }
    let reverse = direction == Direction::Reverse;
    if range_type == RangeType::Auto {
        range_type = RangeType::Rank;
    }
    if limit != -1 && range_type == RangeType::Rank {
        return Err(CmdError::new(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
        ));
    }
    if with_scores && range_type == RangeType::Lex {
        return Err(CmdError::new(
            "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
        ));
    }
    if reverse && range_type != RangeType::Rank {
        std::mem::swap(&mut min_index, &mut max_index);
    }
    let range = match range_type {
        RangeType::Score => {
            ParsedRange::Score(parse_score_range(&args[min_index], &args[max_index])?)
        }
        RangeType::Lex => ParsedRange::Lex(parse_lex_range(&args[min_index], &args[max_index])?),
        _ => ParsedRange::Rank(args::int(&args[min_index])?, args::int(&args[max_index])?),
    };

    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let set = zset_mut(db, key, now)?;
    let selected = set
        .as_ref()
        .and_then(|z| select_ranks(z, &range, reverse, offset, limit).map(|s| (&**z, s)));
    match dst {
        None => match selected {
            None => ctx.out.array(0),
            Some((set, (start, count, reverse))) => {
                let (lo, hi) = if reverse {
                    (start + 1 - count, start)
                } else {
                    (start, start + count - 1)
                };
                reply_entries(ctx.out, count, set.range(lo, hi, reverse), with_scores);
            }
        },
        Some(dst) => {
            let entries: Vec<(SmallBytes, f64)> = match selected {
                None => Vec::new(),
                Some((set, (start, count, reverse))) => {
                    let (lo, hi) = if reverse {
                        (start + 1 - count, start)
                    } else {
                        (start, start + count - 1)
                    };
                    set.range(lo, hi, reverse)
                        .map(|(m, s)| (SmallBytes::new(m), s))
                        .collect()
                }
            };
            store_result(ctx, dst, entries);
        }
    }
    Ok(())
}

// ---- ZREMRANGEBY* -------------------------------------------------------------------------

fn zremrangebyrank(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let range = ParsedRange::Rank(args::int(&args[2])?, args::int(&args[3])?);
    zremrange_generic(ctx, args, range)
}

fn zremrangebyscore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let range = ParsedRange::Score(parse_score_range(&args[2], &args[3])?);
    zremrange_generic(ctx, args, range)
}

fn zremrangebylex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let range = ParsedRange::Lex(parse_lex_range(&args[2], &args[3])?);
    zremrange_generic(ctx, args, range)
}

fn zremrange_generic(ctx: &mut Ctx, args: &[Bytes], range: ParsedRange) -> CmdResult {
    let key = &args[1];
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(set) = zset_mut(db, key, now)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let removed = match select_ranks(set, &range, false, 0, -1) {
        Some((start, count, _)) => set.remove_rank_range(start, start + count - 1),
        None => 0,
    };
    if set.is_empty() {
        db.remove(key);
    }
    if removed > 0 {
        ctx.signal_modified(key);
        ctx.dirty(removed as u64);
    }
    ctx.out.int(removed as i64);
    Ok(())
}

// ---- pops ---------------------------------------------------------------------------------

#[derive(Clone, Copy)]
struct PopShape {
    /// Pop the highest scores instead of the lowest.
    max: bool,
    /// Reply with the key first (ZMPOP, BZPOP*).
    with_key: bool,
    /// [member, score] pairs instead of a flat list.
    nested: bool,
    /// Null array rather than an empty one when nothing is found.
    nil_when_empty: bool,
}

/// Pop from the first existing key of `keys` (Redis's genericZpopCommand). `count` None is
/// the single-element form.
fn pop_generic(ctx: &mut Ctx, keys: &[Bytes], count: Option<usize>, shape: PopShape) -> CmdResult {
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let mut found = None;
    for key in keys {
        if zset_mut(db, key, now)?.is_some() {
            found = Some(key);
            break;
        }
    }
    let Some(key) = found else {
        if shape.nil_when_empty {
            ctx.out.null_array();
        } else {
            ctx.out.array(0);
        }
        return Ok(());
    };
    if count == Some(0) {
        ctx.out.array(0);
        return Ok(());
    }
    let Some(set) = zset_mut(db, key, now)? else {
        return Err(CmdError::no_such_key());
    };
    let len = set.len();
    let take = count.unwrap_or(1).min(len);
    let (start, end) = if shape.max {
        (len - take, len - 1)
    } else {
        (0, take - 1)
    };
    let popped: Vec<(SmallBytes, f64)> = set
        .range(start, end, shape.max)
        .map(|(m, s)| (SmallBytes::new(m), s))
        .collect();
    set.remove_rank_range(start, end);
    if set.is_empty() {
        db.remove(key);
    }
    let out = &mut *ctx.out;
    match (shape.with_key, shape.nested) {
        (false, false) => out.array(take * 2),
        (false, true) => out.array(take),
        (true, false) => {
            out.array(take * 2 + 1);
            out.bulk(key);
        }
        (true, true) => {
            out.array(2);
            out.bulk(key);
            out.array(take);
        }
    }
    for (member, score) in &popped {
        if shape.nested {
            out.array(2);
        }
        out.bulk(member);
        out.double(*score);
    }
    ctx.signal_modified(key);
    ctx.dirty(take as u64);
    // The blocking and multi-key forms propagate as the ZPOPMIN/ZPOPMAX that ran, with the
    // count popped when they took one.
    if shape.with_key && ctx.propagating() {
        let name = if shape.max {
            Bytes::from_static(b"ZPOPMAX")
        } else {
            Bytes::from_static(b"ZPOPMIN")
        };
        let mut argv = vec![name, Bytes::copy_from_slice(key)];
        if count.is_some() {
            argv.push(Bytes::from(take.to_string()));
        }
        ctx.propagate_as(argv);
    }
    Ok(())
}

fn zpopmin(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zpop_generic(ctx, args, false)
}

fn zpopmax(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    zpop_generic(ctx, args, true)
}

fn zpop_generic(ctx: &mut Ctx, args: &[Bytes], max: bool) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::syntax());
    }
    let count = match args.get(2) {
        Some(arg) => Some(positive_int(arg)? as usize),
        None => None,
    };
    let shape = PopShape {
        max,
        with_key: false,
        nested: ctx.out.is_resp3() && count.is_some(),
        nil_when_empty: false,
    };
    pop_generic(ctx, &args[1..2], count, shape)
}

/// ZMPOP's arguments after `numkeys_index`: the keys, MIN|MAX, and COUNT.
fn parse_mpop(args: &[Bytes], numkeys_index: usize) -> Result<(&[Bytes], bool, usize), CmdError> {
    let numkeys = ranged_int(
        &args[numkeys_index],
        1,
        i64::MAX,
        Some("ERR numkeys should be greater than 0"),
    )? as u64;
    let where_index = (numkeys_index as u64)
        .checked_add(numkeys)
        .and_then(|i| i.checked_add(1))
        .filter(|&i| i < args.len() as u64)
        .ok_or_else(CmdError::syntax)? as usize;
    let max = match &args[where_index] {
        arg if args::is(arg, "min") => false,
        arg if args::is(arg, "max") => true,
        _ => return Err(CmdError::syntax()),
    };
    let mut count = None;
    let mut j = where_index + 1;
    while j < args.len() {
        if count.is_none() && args::is(&args[j], "count") && j + 1 < args.len() {
            count = Some(ranged_int(
                &args[j + 1],
                1,
                i64::MAX,
                Some("ERR count should be greater than 0"),
            )? as usize);
            j += 2;
        } else {
            return Err(CmdError::syntax());
        }
    }
    Ok((
        &args[numkeys_index + 1..where_index],
        max,
        count.unwrap_or(1),
    ))
}

fn zmpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(args, 1)?;
    let shape = PopShape {
        max,
        with_key: true,
        nested: true,
        nil_when_empty: true,
    };
    pop_generic(ctx, keys, Some(count), shape)
}

fn bzpopmin(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    bzpop_generic(ctx, args, false)
}

fn bzpopmax(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    bzpop_generic(ctx, args, true)
}

fn bzpop_generic(ctx: &mut Ctx, args: &[Bytes], max: bool) -> CmdResult {
    let keys = &args[1..args.len() - 1];
    let timeout = args::timeout(&args[args.len() - 1])?;
    let shape = PopShape {
        max,
        with_key: true,
        nested: false,
        nil_when_empty: true,
    };
    blocking_pop(ctx, keys, None, timeout, shape)
}

fn bzmpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (keys, max, count) = parse_mpop(args, 2)?;
    let timeout = args::timeout(&args[1])?;
    let shape = PopShape {
        max,
        with_key: true,
        nested: true,
        nil_when_empty: true,
    };
    blocking_pop(ctx, keys, Some(count), timeout, shape)
}

/// Pop now if any key has elements; otherwise block, or answer as a timeout when blocking is
/// not allowed (inside MULTI, or when re-run after the wait ended).
fn blocking_pop(
    ctx: &mut Ctx,
    keys: &[Bytes],
    count: Option<usize>,
    timeout: Option<std::time::Duration>,
    shape: PopShape,
) -> CmdResult {
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    for key in keys {
        if zset_mut(db, key, now)?.is_some_and(|z| !z.is_empty()) {
            return pop_generic(ctx, std::slice::from_ref(key), count, shape);
        }
    }
    if ctx.may_block() {
        ctx.block_on(keys.to_vec(), timeout);
    } else {
        ctx.out.null_array();
    }
    Ok(())
}

// ---- ZRANDMEMBER --------------------------------------------------------------------------

fn zrandmember(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now = ctx.now_ms;
    if args.len() == 2 {
        let set = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)?;
        match set.and_then(|z| z.random_entry(&mut rand::rng())) {
            Some((member, _)) => ctx.out.bulk(member),
            None => ctx.out.null(),
        }
        return Ok(());
    }
    let count = ranged_int(&args[2], -i64::MAX, i64::MAX, None)?;
    let with_scores = match args.get(3) {
        None if args.len() == 3 => false,
        Some(arg) if args.len() == 4 && args::is(arg, "withscores") => true,
        _ => return Err(CmdError::syntax()),
    };
    if with_scores && !(-i64::MAX / 2..=i64::MAX / 2).contains(&count) {
        return Err(CmdError::new("ERR value is out of range"));
    }
    let Some(set) = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)? else {
        ctx.out.array(0);
        return Ok(());
    };
    if count < 0 && super::set::random_count_too_large(count.unsigned_abs()) {
        return Err(CmdError::new("ERR value is out of range"));
    }
    let set: &ZSet = set;
    let out = &mut *ctx.out;
    let pairs = with_scores && out.is_resp3();
    let emit = |out: &mut ReplyBuf, (member, score): (&[u8], f64)| {
        if pairs {
            out.array(2);
        }
        out.bulk(member);
        if with_scores {
            out.double(score);
        }
    };
    let header = |out: &mut ReplyBuf, n: usize| {
        out.array(if with_scores && !pairs { n * 2 } else { n });
    };
    let unique = count >= 0;
    let wanted = count.unsigned_abs() as usize;
    let size = set.len();
    let mut rng = rand::rng();
    if wanted == 0 {
        out.array(0);
    } else if !unique || wanted == 1 {
        // Sampling with repetition, the only case that also needs a random order.
        header(out, wanted);
        for _ in 0..wanted {
            if let Some(entry) = set.random_entry(&mut rng) {
                emit(out, entry);
            }
        }
    } else if wanted >= size {
        // The whole set, in the order Redis's iterator walks it (highest first).
        header(out, size);
        for entry in set.range(0, size - 1, true) {
            emit(out, entry);
        }
    } else {
        header(out, wanted);
        for rank in rand::seq::index::sample(&mut rng, size, wanted) {
            if let Some(entry) = set.get_by_rank(rank) {
                emit(out, entry);
            }
        }
    }
    Ok(())
}

// ---- ZUNION / ZINTER / ZDIFF --------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

impl Aggregate {
    fn apply(self, target: &mut f64, value: f64) {
        match self {
            Aggregate::Sum => {
                *target += value;
                // inf + -inf: Redis's convention is 0.
                if target.is_nan() {
                    *target = 0.0;
                }
            }
            Aggregate::Min => {
                if value < *target {
                    *target = value;
                }
            }
            Aggregate::Max => {
                if value > *target {
                    *target = value;
                }
            }
        }
    }
}

/// An input of a set operation: a sorted set, a plain set (every score 1), or nothing.
enum Source<'a> {
    Missing,
    Sorted(&'a ZSet),
    /// A plain set: every member scores 1. Intset members have no bytes to borrow, so the
    /// members are materialized once.
    Plain(&'a crate::types::set::Set, Vec<SmallBytes>),
}

impl<'a> Source<'a> {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Sorted(z) => z.len(),
            Source::Plain(s, _) => s.len(),
        }
    }

    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Sorted(z) => z.score(member),
            Source::Plain(s, _) => s.contains(member).then_some(1.0),
        }
    }

    fn entries(&self) -> Box<dyn Iterator<Item = (&[u8], f64)> + '_> {
        match self {
            Source::Missing => Box::new(std::iter::empty()),
            Source::Sorted(z) => Box::new(z.iter()),
            Source::Plain(_, members) => Box::new(members.iter().map(|m| (m.as_slice(), 1.0))),
        }
    }
}

fn zunion(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, None, 1, SetOp::Union, false)
}

fn zinter(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, None, 1, SetOp::Inter, false)
}

fn zdiff(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, None, 1, SetOp::Diff, false)
}

fn zunionstore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, Some(&args[1]), 2, SetOp::Union, false)
}

fn zinterstore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, Some(&args[1]), 2, SetOp::Inter, false)
}

fn zdiffstore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, Some(&args[1]), 2, SetOp::Diff, false)
}

fn zintercard(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    set_op_generic(ctx, args, None, 1, SetOp::Inter, true)
}

/// Redis's zunionInterDiffGenericCommand.
fn set_op_generic(
    ctx: &mut Ctx,
    args: &[Bytes],
    dst: Option<&Bytes>,
    numkeys_index: usize,
    op: SetOp,
    cardinality_only: bool,
) -> CmdResult {
    let numkeys = args::int(&args[numkeys_index])?;
    if numkeys < 1 {
        return Err(CmdError::new(format!(
            "ERR at least 1 input key is needed for '{}' command",
            ctx.cmd.name
        )));
    }
    let available = args.len() - numkeys_index - 1;
    if numkeys as u64 > available as u64 {
        return Err(CmdError::syntax());
    }
    let numkeys = numkeys as usize;
    let keys = &args[numkeys_index + 1..numkeys_index + 1 + numkeys];

    // Expire and type-check every input first (as Redis does before reading options).
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    for key in keys {
        if let Some(entry) = db.lookup(key, now)
            && !matches!(entry.value, Value::ZSet(_) | Value::Set(_))
        {
            return Err(CmdError::wrong_type());
        }
    }

    let mut weights = vec![1.0f64; numkeys];
    let mut aggregate = Aggregate::Sum;
    let mut with_scores = false;
    let mut limit = 0usize;
    let mut j = numkeys_index + 1 + numkeys;
    while j < args.len() {
        let remaining = args.len() - j;
        let arg = &args[j];
        if op != SetOp::Diff && !cardinality_only && remaining > numkeys && args::is(arg, "weights")
        {
            for (i, weight) in weights.iter_mut().enumerate() {
                *weight = parse_double(&args[j + 1 + i])
                    .ok_or_else(|| CmdError::new("ERR weight value is not a float"))?;
            }
            j += 1 + numkeys;
        } else if op != SetOp::Diff
            && !cardinality_only
            && remaining >= 2
            && args::is(arg, "aggregate")
        {
            aggregate = match &args[j + 1] {
                a if args::is(a, "sum") => Aggregate::Sum,
                a if args::is(a, "min") => Aggregate::Min,
                a if args::is(a, "max") => Aggregate::Max,
                _ => return Err(CmdError::syntax()),
            };
            j += 2;
        } else if dst.is_none() && !cardinality_only && args::is(arg, "withscores") {
            with_scores = true;
            j += 1;
        } else if cardinality_only && remaining >= 2 && args::is(arg, "limit") {
            limit = ranged_int(
                &args[j + 1],
                0,
                i64::MAX,
                Some("ERR LIMIT can't be negative"),
            )? as usize;
            j += 2;
        } else {
            return Err(CmdError::syntax());
        }
    }

    let db = &ctx.store.dbs[ctx.db];
    let mut sources: Vec<(Source, f64)> = keys
        .iter()
        .zip(&weights)
        .map(|(key, &weight)| {
            let source = match db.peek(key, now).map(|e| &e.value) {
                Some(Value::ZSet(z)) => Source::Sorted(z),
                Some(Value::Set(s)) => Source::Plain(s, s.iter().map(|m| m.to_small()).collect()),
                _ => Source::Missing,
            };
            (source, weight)
        })
        .collect();
    if op != SetOp::Diff {
        sources.sort_by_key(|(source, _)| source.len());
    }

    let mut cardinality = 0usize;
    let mut result: Vec<(SmallBytes, f64)> = Vec::new();
    match op {
        SetOp::Union => {
            let mut index: hashbrown::HashMap<&[u8], usize> = hashbrown::HashMap::new();
            for (source, weight) in &sources {
                for (member, score) in source.entries() {
                    let mut value = weight * score;
                    if value.is_nan() {
                        value = 0.0;
                    }
                    match index.get(member) {
                        Some(&at) => aggregate.apply(&mut result[at].1, value),
                        None => {
                            index.insert(member, result.len());
                            result.push((SmallBytes::new(member), value));
                        }
                    }
                }
            }
        }
        SetOp::Inter => {
            let (first, first_weight) = &sources[0];
            'members: for (member, score) in first.entries() {
                let mut total = first_weight * score;
                if total.is_nan() {
                    total = 0.0;
                }
                for (source, weight) in &sources[1..] {
                    match source.score(member) {
                        Some(other) => aggregate.apply(&mut total, other * weight),
                        None => continue 'members,
                    }
                }
                if cardinality_only {
                    cardinality += 1;
                    if limit != 0 && cardinality >= limit {
                        break;
                    }
                } else {
                    result.push((SmallBytes::new(member), total));
                }
            }
        }
        SetOp::Diff => {
            let (first, _) = &sources[0];
            for (member, score) in first.entries() {
                if sources[1..].iter().all(|(s, _)| s.score(member).is_none()) {
                    result.push((SmallBytes::new(member), score));
                }
            }
        }
    }

    if let Some(dst) = dst {
        store_result(ctx, dst, result);
    } else if cardinality_only {
        ctx.out.int(cardinality as i64);
    } else {
        result.sort_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.0.cmp(&b.0))
        });
        let len = result.len();
        reply_entries(
            ctx.out,
            len,
            result.iter().map(|(m, s)| (m.as_slice(), *s)),
            with_scores,
        );
    }
    Ok(())
}

// ---- ZSCAN --------------------------------------------------------------------------------

/// How a score reads in ZSCAN: the listpack stores integral scores as integers; the skip
/// list's scores are printed with `%.17g`.
fn scan_score_text(score: f64, listpack: bool) -> String {
    const HALF_RANGE: f64 = (i64::MAX / 2) as f64;
    if listpack && (-HALF_RANGE..=HALF_RANGE).contains(&score) && score == score.trunc() {
        return (score as i64).to_string();
    }
    wire::reply::format_double(score)
}

fn zscan(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let cursor = args::scan_cursor(&args[2])?;
    let now = ctx.now_ms;
    let Some(set) = zset_mut(&mut ctx.store.dbs[ctx.db], &args[1], now)? else {
        ctx.out.array(2);
        ctx.out.bulk(b"0");
        ctx.out.array(0);
        return Ok(());
    };
    let mut count = 10usize;
    let mut pattern: Option<&[u8]> = None;
    let mut j = 3;
    while j < args.len() {
        let more = j + 1 < args.len();
        if args::is(&args[j], "count") && more {
            let value = args::int(&args[j + 1])?;
            if value < 1 {
                return Err(CmdError::syntax());
            }
            count = value as usize;
            j += 2;
        } else if args::is(&args[j], "match") && more {
            pattern = Some(&args[j + 1]).map(|p| &p[..]).filter(|p| *p != b"*");
            j += 2;
        } else {
            return Err(CmdError::syntax());
        }
    }
    let listpack = set.is_listpack();
    let mut found: Vec<(Vec<u8>, f64)> = Vec::new();
    let next = set.scan(cursor, count, |member, score| {
        if pattern.is_none_or(|p| crate::glob::glob_match(p, member, false)) {
            found.push((member.to_vec(), score));
        }
    });
    let out = &mut *ctx.out;
    out.array(2);
    out.bulk(next.to_string().as_bytes());
    out.array(found.len() * 2);
    for (member, score) in &found {
        out.bulk(member);
        out.bulk(scan_score_text(*score, listpack).as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_parse_like_string2d() {
        assert_eq!(parse_double(b"1.5"), Some(1.5));
        assert_eq!(parse_double(b"-2"), Some(-2.0));
        assert_eq!(parse_double(b"+inf"), Some(f64::INFINITY));
        assert_eq!(parse_double(b"-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_double(b"0x10"), Some(16.0));
        assert_eq!(parse_double(b"0x1p-2"), Some(0.25));
        assert_eq!(parse_double(b".5"), Some(0.5));
        assert_eq!(parse_double(b"5."), Some(5.0));
        assert_eq!(parse_double(b"1e3"), Some(1000.0));
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b"nan",
            b"1e400",
            b"1e-400",
            b"abc",
            b"1e",
            b"-",
            b".",
            b"1\x002",
        ] {
            assert_eq!(
                parse_double(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn score_edges_parse_like_zsl_parse_range() {
        assert_eq!(parse_score_edge(b"(1.5"), Some((1.5, true)));
        assert_eq!(parse_score_edge(b""), Some((0.0, false)));
        assert_eq!(parse_score_edge(b"("), Some((0.0, true)));
        assert_eq!(parse_score_edge(b" 1"), Some((1.0, false)));
        assert_eq!(parse_score_edge(b"1e400"), Some((f64::INFINITY, false)));
        assert_eq!(parse_score_edge(b"1\x00x"), Some((1.0, false)));
        assert_eq!(parse_score_edge(b"nan"), None);
        assert_eq!(parse_score_edge(b"1 "), None);
        assert_eq!(parse_score_edge(b"x"), None);
    }

    #[test]
    fn scan_scores_read_like_redis() {
        assert_eq!(
            scan_score_text(123456789012345678.0, true),
            "123456789012345680"
        );
        assert_eq!(
            scan_score_text(123456789012345678.0, false),
            "1.2345678901234568e+17"
        );
        assert_eq!(scan_score_text(0.1, true), "0.10000000000000001");
        assert_eq!(scan_score_text(1e20, true), "1e+20");
        assert_eq!(scan_score_text(-0.0, false), "-0");
    }
}
