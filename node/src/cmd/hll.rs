//! HyperLogLog commands. The value is a plain string in Redis's representation (see
//! `types::hll`), so GET/SET/DUMP see exactly what real Redis would hold.

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx};
use crate::keyspace::Db;
use crate::types::Value;
use crate::types::hll::{self, REGISTERS};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Pfadd, pfadd),
    (CommandId::Pfcount, pfcount),
    (CommandId::Pfmerge, pfmerge),
];

fn corrupted() -> CmdError {
    CmdError::new(hll::INVALID_ERROR)
}

/// Check that a value is a string holding an HLL (Redis's isHLLObjectOrReply).
fn check_hll(value: &Value) -> Result<&[u8], CmdError> {
    let bytes = value.as_bytes()?;
    hll::validate(bytes).map_err(CmdError::new)?;
    Ok(bytes)
}

/// The HLL at `key` as a growable buffer, or None when absent.
fn hll_for_write<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
) -> Result<Option<&'a mut Vec<u8>>, CmdError> {
    let Some(entry) = db.lookup(key, now_ms) else {
        return Ok(None);
    };
    check_hll(&entry.value)?;
    entry.value.as_raw_mut().map(Some)
}

fn pfadd(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1];
    let db = &mut ctx.store.dbs[ctx.db];
    let mut updated = 0u64;
    if hll_for_write(db, key, ctx.now_ms)?.is_none() {
        db.insert(key, Value::Raw(Box::new(hll::new_sparse())));
        updated += 1;
    }
    let Some(registers) = hll_for_write(db, key, ctx.now_ms)? else {
        return Err(corrupted());
    };
    for element in &args[2..] {
        // A corrupted sparse HLL stops the command midway, as in Redis.
        if hll::add(registers, element, hll::SPARSE_MAX_BYTES).map_err(|_| corrupted())? {
            updated += 1;
        }
    }
    if updated > 0 {
        hll::invalidate_cache(registers);
        ctx.signal_modified(key);
        ctx.dirty(updated);
    }
    ctx.out.int((updated > 0) as i64);
    Ok(())
}

fn pfcount(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let now_ms = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    if args.len() > 2 {
        let mut max = [0u8; REGISTERS];
        for key in &args[1..] {
            let Some(entry) = db.lookup(key, now_ms) else {
                continue;
            };
            let bytes = check_hll(&entry.value)?;
            hll::merge_into(&mut max, bytes).map_err(|_| corrupted())?;
        }
        ctx.out.int(hll::count_registers(&max) as i64);
        return Ok(());
    }
    let key = &args[1];
    let Some(registers) = hll_for_write(db, key, now_ms)? else {
        ctx.out.int(0);
        return Ok(());
    };
    if let Some(card) = hll::cached_cardinality(registers) {
        ctx.out.int(card as i64);
        return Ok(());
    }
    let card = hll::count(registers).map_err(|_| corrupted())?;
    hll::set_cached_cardinality(registers, card);
    // Refreshing the cache changes the string's bytes: a write for WATCH and persistence.
    ctx.signal_modified(key);
    ctx.dirty(1);
    ctx.out.int(card as i64);
    Ok(())
}

fn pfmerge(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let destination = &args[1];
    let now_ms = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let mut max = [0u8; REGISTERS];
    let mut use_dense = false;
    // The destination is also a source, as in Redis.
    for key in &args[1..] {
        let Some(entry) = db.lookup(key, now_ms) else {
            continue;
        };
        let bytes = check_hll(&entry.value)?;
        use_dense |= hll::is_dense(bytes);
        hll::merge_into(&mut max, bytes).map_err(|_| corrupted())?;
    }
    if db.lookup(destination, now_ms).is_none() {
        db.insert(destination, Value::Raw(Box::new(hll::new_sparse())));
    }
    let Some(target) = hll_for_write(db, destination, now_ms)? else {
        return Err(corrupted());
    };
    if use_dense {
        hll::to_dense(target).map_err(|_| corrupted())?;
    }
    for (index, &value) in max.iter().enumerate() {
        if value != 0 {
            // Sources were validated; a failure here can only come from the destination's
            // own sparse data, which Redis also ignores at this point.
            let _ = hll::raise_register(target, index, value, hll::SPARSE_MAX_BYTES);
        }
    }
    hll::invalidate_cache(target);
    ctx.signal_modified(destination);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}
