//! List commands, the blocking ones included (they block through `Ctx::block_on`; serving them
//! when a key receives elements is `crate::blocking`'s job).

use bytes::Bytes;
use wire::{CommandId, ReplyBuf};

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::keyspace::Db;
use crate::types::list::{End, List};
use crate::types::{SmallBytes, Value};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Lpush, lpush),
    (CommandId::Rpush, rpush),
    (CommandId::Lpushx, lpushx),
    (CommandId::Rpushx, rpushx),
    (CommandId::Lpop, lpop),
    (CommandId::Rpop, rpop),
    (CommandId::Llen, llen),
    (CommandId::Lrange, lrange),
    (CommandId::Lindex, lindex),
    (CommandId::Lset, lset),
    (CommandId::Lrem, lrem),
    (CommandId::Ltrim, ltrim),
    (CommandId::Linsert, linsert),
    (CommandId::Lpos, lpos),
    (CommandId::Lmove, lmove),
    (CommandId::Rpoplpush, rpoplpush),
    (CommandId::Lmpop, lmpop),
    (CommandId::Blpop, blpop),
    (CommandId::Brpop, brpop),
    (CommandId::Blmove, blmove),
    (CommandId::Brpoplpush, brpoplpush),
    (CommandId::Blmpop, blmpop),
];

const POSITIVE_ERR: &str = "ERR value is out of range, must be positive";

/// The list at `key`: `None` when the key is absent, WRONGTYPE when it holds something else.
fn list_at<'a>(db: &'a mut Db, key: &[u8], now_ms: u64) -> Result<Option<&'a mut List>, CmdError> {
    match db.lookup(key, now_ms) {
        None => Ok(None),
        Some(entry) => entry.value.as_list_mut().map(Some),
    }
}

fn parse_end(arg: &[u8]) -> Result<End, CmdError> {
    End::parse(arg).ok_or_else(CmdError::syntax)
}

/// An array of `list[start..=last]`, tail first when `reverse`.
fn reply_range(out: &mut ReplyBuf, list: &List, start: usize, last: usize, reverse: bool) {
    out.array(last - start + 1);
    let range = list.items.range(start..=last);
    if reverse {
        range.rev().for_each(|item| out.bulk(item));
    } else {
        range.for_each(|item| out.bulk(item));
    }
}

/// Reply with the `count` elements at `end` (the nearest first) and remove them.
fn pop_range(out: &mut ReplyBuf, list: &mut List, end: End, count: usize) {
    let len = list.len();
    if len == 0 || count == 0 {
        out.array(0);
        return;
    }
    let count = count.min(len);
    match end {
        End::Left => reply_range(out, list, 0, count - 1, false),
        End::Right => reply_range(out, list, len - count, len - 1, true),
    }
    list.remove_from(end, count);
}

// ---- push ---------------------------------------------------------------------------------

fn lpush(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    push(ctx, args, End::Left, false)
}

fn rpush(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    push(ctx, args, End::Right, false)
}

fn lpushx(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    push(ctx, args, End::Left, true)
}

fn rpushx(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    push(ctx, args, End::Right, true)
}

fn push(ctx: &mut Ctx, args: &[Bytes], end: End, only_existing: bool) -> CmdResult {
    let key = &args[1];
    let values = &args[2..];
    let db = &mut ctx.store.dbs[ctx.db];
    let (len, created) = match list_at(db, key, ctx.now_ms)? {
        Some(list) => {
            for value in values {
                list.push(end, SmallBytes::new(value));
            }
            (list.len(), false)
        }
        None if only_existing => {
            ctx.out.int(0);
            return Ok(());
        }
        None => {
            let mut list = List::default();
            for value in values {
                list.push(end, SmallBytes::new(value));
            }
            let len = list.len();
            db.insert(key, Value::List(Box::new(list)));
            (len, true)
        }
    };
    ctx.out.int(len as i64);
    // As Redis, only a new key wakes blocked clients: an existing list has nobody waiting.
    if created {
        ctx.signal_ready(key);
    }
    ctx.signal_modified(key);
    ctx.dirty(values.len() as u64);
    Ok(())
}

// ---- pop ----------------------------------------------------------------------------------

fn lpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    pop(ctx, args, End::Left)
}

fn rpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    pop(ctx, args, End::Right)
}

fn pop(ctx: &mut Ctx, args: &[Bytes], end: End) -> CmdResult {
    if args.len() > 3 {
        return Err(CmdError::arity(ctx.cmd));
    }
    let count = match args.get(2) {
        Some(arg) => Some(args::uint(arg, POSITIVE_ERR)?),
        None => None,
    };
    let key = &args[1];
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, key, ctx.now_ms)? else {
        // With a count the reply is an array, so its absence is a null array.
        match count {
            Some(_) => ctx.out.null_array(),
            None => ctx.out.null(),
        }
        return Ok(());
    };
    let popped = match count {
        None => match list.pop(end) {
            Some(value) => {
                ctx.out.bulk(&value);
                1
            }
            None => {
                ctx.out.null();
                0
            }
        },
        Some(0) => {
            ctx.out.array(0);
            return Ok(());
        }
        Some(count) => {
            let count = usize::try_from(count).unwrap_or(usize::MAX).min(list.len());
            pop_range(ctx.out, list, end, count);
            count
        }
    };
    let emptied = list.is_empty();
    finish_pop(ctx, key, popped, emptied);
    Ok(())
}

/// After elements were removed from the list at `key`: delete it if `emptied`, signal, count.
fn finish_pop(ctx: &mut Ctx, key: &[u8], removed: usize, emptied: bool) {
    if emptied {
        ctx.store.dbs[ctx.db].remove(key);
    }
    ctx.signal_modified(key);
    ctx.dirty(removed as u64);
}

/// Pop from the first of `keys` holding a non-empty list: one element as `[key, value]`, or
/// with `count` up to that many as `[key, [values...]]`. False when every key is empty; a key
/// of another type met on the way is WRONGTYPE.
fn pop_first_nonempty(
    ctx: &mut Ctx,
    keys: &[Bytes],
    end: End,
    count: Option<usize>,
) -> Result<bool, CmdError> {
    for key in keys {
        let db = &mut ctx.store.dbs[ctx.db];
        let Some(list) = list_at(db, key, ctx.now_ms)? else {
            continue;
        };
        if list.is_empty() {
            continue;
        }
        ctx.out.array(2);
        ctx.out.bulk(key);
        let popped = match count {
            None => {
                let value = list.pop(end).unwrap_or_default();
                ctx.out.bulk(&value);
                1
            }
            Some(count) => {
                let count = count.min(list.len());
                pop_range(ctx.out, list, end, count);
                count
            }
        };
        let emptied = list.is_empty();
        finish_pop(ctx, key, popped, emptied);
        // As the plain pop that ran: [LR]POP key, with the count popped for the MPOP forms.
        if ctx.propagating() {
            let name = match end {
                End::Left => Bytes::from_static(b"LPOP"),
                End::Right => Bytes::from_static(b"RPOP"),
            };
            let mut argv = vec![name, key.clone()];
            if count.is_some() {
                argv.push(Bytes::from(popped.to_string()));
            }
            ctx.propagate_as(argv);
        }
        return Ok(true);
    }
    Ok(false)
}

// ---- read ---------------------------------------------------------------------------------

fn llen(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let len = list_at(db, &args[1], ctx.now_ms)?.map_or(0, |l| l.len());
    ctx.out.int(len as i64);
    Ok(())
}

fn lrange(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let start = args::int(&args[2])?;
    let last = args::int(&args[3])?;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, &args[1], ctx.now_ms)? else {
        ctx.out.array(0);
        return Ok(());
    };
    match list.clamp_range(start, last) {
        Some((start, last)) => reply_range(ctx.out, list, start, last, false),
        None => ctx.out.array(0),
    }
    Ok(())
}

fn lindex(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, &args[1], ctx.now_ms)? else {
        ctx.out.null();
        return Ok(());
    };
    let index = args::int(&args[2])?;
    match list.index(index) {
        Some(position) => ctx.out.bulk(&list.items[position]),
        None => ctx.out.null(),
    }
    Ok(())
}

fn lpos(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let element = &args[2][..];
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < args.len() {
        let has_value = j + 1 < args.len();
        if args::is(&args[j], "RANK") && has_value {
            j += 1;
            rank = args::int(&args[j])?;
            if rank == 0 {
                return Err(CmdError::new(
                    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the \
                     second ... or use negative to start from the end of the list",
                ));
            }
        } else if args::is(&args[j], "COUNT") && has_value {
            j += 1;
            count = Some(args::uint(&args[j], "ERR COUNT can't be negative")? as i64);
        } else if args::is(&args[j], "MAXLEN") && has_value {
            j += 1;
            maxlen = args::uint(&args[j], "ERR MAXLEN can't be negative")? as i64;
        } else {
            return Err(CmdError::syntax());
        }
        j += 1;
    }
    let from_tail = rank < 0;
    // Redis negates in C: RANK -9223372036854775808 stays negative, so every match qualifies.
    if from_tail {
        rank = rank.wrapping_neg();
    }
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, &args[1], ctx.now_ms)? else {
        match count {
            Some(_) => ctx.out.array(0),
            None => ctx.out.null(),
        }
        return Ok(());
    };
    let len = list.len() as i64;
    let mut matches: i64 = 0;
    let mut positions = Vec::new();
    let mut index: i64 = 0;
    while index < len && (maxlen == 0 || index < maxlen) {
        let position = if from_tail { len - 1 - index } else { index };
        if list.items[position as usize].as_slice() == element {
            matches += 1;
            if matches >= rank {
                positions.push(position);
                match count {
                    None => break,
                    Some(count) => {
                        if count != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= count {
                            break;
                        }
                    }
                }
            }
        }
        index += 1;
    }
    match count {
        Some(_) => {
            ctx.out.array(positions.len());
            for position in positions {
                ctx.out.int(position);
            }
        }
        None => match positions.first() {
            Some(&position) => ctx.out.int(position),
            None => ctx.out.null(),
        },
    }
    Ok(())
}

// ---- modify -------------------------------------------------------------------------------

fn lset(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let db = &mut ctx.store.dbs[ctx.db];
    let list = list_at(db, key, ctx.now_ms)?.ok_or_else(CmdError::no_such_key)?;
    let index = args::int(&args[2])?;
    let position = list.index(index).ok_or_else(CmdError::out_of_range)?;
    list.items[position] = SmallBytes::new(&args[3]);
    ctx.out.ok();
    ctx.signal_modified(key);
    ctx.dirty(1);
    Ok(())
}

fn lrem(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let count = args::int(&args[2])?;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, key, ctx.now_ms)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let removed = list.remove_matching(&args[3], count);
    let emptied = list.is_empty();
    if emptied {
        db.remove(key);
    }
    if removed > 0 {
        ctx.signal_modified(key);
        ctx.dirty(removed as u64);
    }
    ctx.out.int(removed as i64);
    Ok(())
}

fn ltrim(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let start = args::int(&args[2])?;
    let last = args::int(&args[3])?;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, key, ctx.now_ms)? else {
        ctx.out.ok();
        return Ok(());
    };
    let len = list.len();
    let (head, tail) = match list.clamp_range(start, last) {
        Some((start, last)) => (start, len - last - 1),
        None => (len, 0),
    };
    list.remove_from(End::Left, head);
    list.remove_from(End::Right, tail);
    if list.is_empty() {
        db.remove(key);
    }
    ctx.signal_modified(key);
    ctx.dirty((head + tail) as u64);
    ctx.out.ok();
    Ok(())
}

fn linsert(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let after = if args::is(&args[2], "AFTER") {
        true
    } else if args::is(&args[2], "BEFORE") {
        false
    } else {
        return Err(CmdError::syntax());
    };
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(list) = list_at(db, key, ctx.now_ms)? else {
        ctx.out.int(0);
        return Ok(());
    };
    let Some(pivot) = list.items.iter().position(|i| i.as_slice() == &args[3][..]) else {
        ctx.out.int(-1);
        return Ok(());
    };
    list.items
        .insert(pivot + usize::from(after), SmallBytes::new(&args[4]));
    ctx.out.int(list.len() as i64);
    ctx.signal_modified(key);
    ctx.dirty(1);
    Ok(())
}

// ---- move ---------------------------------------------------------------------------------

fn lmove(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let from = parse_end(&args[3])?;
    let to = parse_end(&args[4])?;
    move_element(ctx, &args[1], &args[2], from, to)
}

fn rpoplpush(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    move_element(ctx, &args[1], &args[2], End::Right, End::Left)
}

/// LMOVE: pop at `from` of `source`, push at `to` of `destination`, reply with the element
/// (null when `source` is absent).
fn move_element(ctx: &mut Ctx, source: &[u8], destination: &[u8], from: End, to: End) -> CmdResult {
    let now_ms = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    match list_at(db, source, now_ms)? {
        Some(list) if !list.is_empty() => {}
        _ => {
            ctx.out.null();
            return Ok(());
        }
    }
    list_at(db, destination, now_ms)?;
    let mut created = false;
    let value = if source == destination {
        // Rotation: the list never empties, even with one element.
        let Some(list) = list_at(db, source, now_ms)? else {
            ctx.out.null();
            return Ok(());
        };
        let Some(value) = list.pop(from) else {
            ctx.out.null();
            return Ok(());
        };
        list.push(to, value.clone());
        value
    } else {
        let Some(list) = list_at(db, source, now_ms)? else {
            ctx.out.null();
            return Ok(());
        };
        let Some(value) = list.pop(from) else {
            ctx.out.null();
            return Ok(());
        };
        if list.is_empty() {
            db.remove(source);
        }
        match list_at(db, destination, now_ms)? {
            Some(target) => target.push(to, value.clone()),
            None => {
                db.insert(
                    destination,
                    Value::List(Box::new(List::from_items([value.clone()]))),
                );
                created = true;
            }
        }
        value
    };
    ctx.out.bulk(&value);
    if created {
        ctx.signal_ready(destination);
    }
    ctx.signal_modified(destination);
    ctx.signal_modified(source);
    ctx.dirty(1);
    Ok(())
}

// ---- multi-key pop ------------------------------------------------------------------------

/// `numkeys key [key ...] LEFT|RIGHT [COUNT count]` starting at `args[numkeys_at]`: the key
/// positions, the end and the count (1 by default).
fn parse_mpop(
    args: &[Bytes],
    numkeys_at: usize,
) -> Result<(std::ops::Range<usize>, End, usize), CmdError> {
    let numkeys = wire::request::parse_i64(&args[numkeys_at])
        .filter(|&n| n >= 1)
        .ok_or_else(|| CmdError::new("ERR numkeys should be greater than 0"))?;
    let end_at = usize::try_from(numkeys)
        .ok()
        .and_then(|n| n.checked_add(numkeys_at + 1))
        .filter(|&at| at < args.len())
        .ok_or_else(CmdError::syntax)?;
    let end = parse_end(&args[end_at])?;
    let mut count = None;
    let mut j = end_at + 1;
    while j < args.len() {
        if count.is_none() && args::is(&args[j], "COUNT") && j + 1 < args.len() {
            j += 1;
            let value = wire::request::parse_i64(&args[j])
                .filter(|&c| c >= 1)
                .ok_or_else(|| CmdError::new("ERR count should be greater than 0"))?;
            count = Some(usize::try_from(value).unwrap_or(usize::MAX));
        } else {
            return Err(CmdError::syntax());
        }
        j += 1;
    }
    Ok((numkeys_at + 1..end_at, end, count.unwrap_or(1)))
}

fn lmpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (keys, end, count) = parse_mpop(args, 1)?;
    if !pop_first_nonempty(ctx, &args[keys], end, Some(count))? {
        ctx.out.null_array();
    }
    Ok(())
}

// ---- blocking -----------------------------------------------------------------------------

fn blpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let last = args.len() - 1;
    blocking_pop(ctx, &args[1..last], &args[last], End::Left, None)
}

fn brpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let last = args.len() - 1;
    blocking_pop(ctx, &args[1..last], &args[last], End::Right, None)
}

fn blmpop(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let (keys, end, count) = parse_mpop(args, 2)?;
    blocking_pop(ctx, &args[keys], &args[1], end, Some(count))
}

fn blocking_pop(
    ctx: &mut Ctx,
    keys: &[Bytes],
    timeout: &[u8],
    end: End,
    count: Option<usize>,
) -> CmdResult {
    let timeout = args::timeout(timeout)?;
    if pop_first_nonempty(ctx, keys, end, count)? {
        return Ok(());
    }
    if ctx.may_block() {
        ctx.block_on(keys.to_vec(), timeout);
    } else {
        // Inside MULTI (or while being served) a blocking pop answers as on timeout.
        ctx.out.null_array();
    }
    Ok(())
}

fn blmove(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let from = parse_end(&args[3])?;
    let to = parse_end(&args[4])?;
    let timeout = args::timeout(&args[5])?;
    blocking_move(ctx, args, from, to, timeout)
}

fn brpoplpush(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let timeout = args::timeout(&args[3])?;
    blocking_move(ctx, args, End::Right, End::Left, timeout)
}

/// BRPOPLPUSH as RPOPLPUSH, BLMOVE as LMOVE: with the client's LEFT/RIGHT words when it ran
/// at once, Redis's own lowercase ones when it was served after blocking.
fn plain_move(ctx: &Ctx, args: &[Bytes], from: End, to: End) -> Vec<Bytes> {
    if ctx.cmd.name == "brpoplpush" {
        return vec![
            Bytes::from_static(b"RPOPLPUSH"),
            args[1].clone(),
            args[2].clone(),
        ];
    }
    let word = |end: End, given: &Bytes| {
        if !ctx.client.served_blocked {
            return given.clone();
        }
        Bytes::from_static(match end {
            End::Left => b"left",
            End::Right => b"right",
        })
    };
    vec![
        Bytes::from_static(b"LMOVE"),
        args[1].clone(),
        args[2].clone(),
        word(from, &args[3]),
        word(to, &args[4]),
    ]
}

fn blocking_move(
    ctx: &mut Ctx,
    args: &[Bytes],
    from: End,
    to: End,
    timeout: Option<std::time::Duration>,
) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    if list_at(db, &args[1], ctx.now_ms)?.is_some_and(|l| !l.is_empty()) {
        move_element(ctx, &args[1], &args[2], from, to)?;
        if ctx.propagating() {
            ctx.propagate_as(plain_move(ctx, args, from, to));
        }
        return Ok(());
    }
    if ctx.may_block() {
        ctx.block_on(vec![args[1].clone()], timeout);
    } else {
        // Unlike a timeout (a null array), BLMOVE that may not block answers a null bulk.
        ctx.out.null();
    }
    Ok(())
}
