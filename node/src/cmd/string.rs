//! String commands.

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use crate::ctx::{CmdResult, Ctx};
use crate::types::Value;

pub const HANDLERS: &[(CommandId, Handler)] = &[(CommandId::Get, get), (CommandId::Set, set)];

fn get(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let db = &mut ctx.store.dbs[ctx.db];
    match db.lookup(&args[1], ctx.now_ms) {
        Some(entry) => ctx.out.bulk(entry.value.as_bytes()?),
        None => ctx.out.null(),
    }
    Ok(())
}

fn set(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    ctx.store.dbs[ctx.db].insert(&args[1], Value::string(&args[2]));
    ctx.signal_modified(&args[1]);
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}
