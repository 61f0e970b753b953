//! DUMP and RESTORE, as Redis 7.0's `dumpCommand` and `restoreCommand`: a DUMP payload is
//! `<type byte><value><u16 LE RDB version><u64 LE CRC64 of everything before>`.

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use super::keys::may_serve_blocked;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::keyspace::{Entry, ExpireMode};
use crate::rdb::crc64::crc64;
use crate::rdb::decode::{self, Decoded, Limits};
use crate::rdb::encode::dump_payload;
use crate::rdb::encoding::Reader;
use crate::rdb::load::MAX_VERSION;
use crate::types::Value;

pub const HANDLERS: &[(CommandId, Handler)] =
    &[(CommandId::Dump, dump), (CommandId::Restore, restore)];

/// Version and checksum after the serialized value.
const FOOTER_LEN: usize = 10;

const BAD_PAYLOAD: &str = "ERR DUMP payload version or checksum are wrong";
const BAD_DATA: &str = "ERR Bad data format";

/// The type byte and value of a DUMP payload whose version this node reads and whose CRC
/// matches (Redis's `verifyDumpPayload`; the checksum is always checked).
pub fn verify_payload(payload: &[u8]) -> Option<&[u8]> {
    let body_len = payload.len().checked_sub(FOOTER_LEN)?;
    let (body, footer) = payload.split_at(body_len);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if u32::from(version) > MAX_VERSION {
        return None;
    }
    let crc = u64::from_le_bytes(footer[2..].try_into().expect("8 bytes"));
    (crc64(&payload[..body_len + 2]) == crc).then_some(body)
}

/// The value of a verified payload body; `None` for anything malformed, unsupported or empty
/// (all "Bad data format" to RESTORE). Bytes after the value are ignored, as Redis does.
pub fn decode_payload(body: &[u8], limits: &Limits) -> Option<Value> {
    let mut r = Reader::new(body);
    let rdb_type = r.read_u8().ok()?;
    if !decode::is_value_type(rdb_type) {
        return None;
    }
    match decode::read_value(&mut r, rdb_type, limits) {
        Ok(Decoded::Value(value)) => Some(value),
        Ok(Decoded::Empty) | Err(_) => None,
    }
}

/// DUMP key: the payload, compressed when `rdbcompression` is on; nil for a missing key.
fn dump(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let compress = ctx.store.config.rdbcompression;
    let now = ctx.now_ms;
    let Some(entry) = ctx.db().lookup(&args[1], now) else {
        ctx.out.null();
        return Ok(());
    };
    let payload = dump_payload(&entry.value, compress);
    ctx.out.bulk(&payload);
    Ok(())
}

/// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
fn restore(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let key = &args[1][..];
    let (mut replace, mut absttl) = (false, false);
    let mut idle: Option<u64> = None;
    let mut freq: Option<u8> = None;
    let mut i = 4;
    while i < args.len() {
        let more = args.len() - i - 1;
        if args::is(&args[i], "REPLACE") {
            replace = true;
        } else if args::is(&args[i], "ABSTTL") {
            absttl = true;
        } else if args::is(&args[i], "IDLETIME") && more >= 1 && freq.is_none() {
            let v = args::int(&args[i + 1])?;
            if v < 0 {
                return Err(CmdError::new("ERR Invalid IDLETIME value, must be >= 0"));
            }
            idle = Some(v as u64);
            i += 1;
        } else if args::is(&args[i], "FREQ") && more >= 1 && idle.is_none() {
            let v = args::int(&args[i + 1])?;
            freq =
                Some(u8::try_from(v).map_err(|_| {
                    CmdError::new("ERR Invalid FREQ value, must be >= 0 and <= 255")
                })?);
            i += 1;
        } else {
            return Err(CmdError::syntax());
        }
        i += 1;
    }
    let now = ctx.now_ms;
    if !replace && ctx.db().get_mut(key, now).is_some() {
        return Err(CmdError::new("BUSYKEY Target key name already exists."));
    }
    let ttl = args::int(&args[2])?;
    if ttl < 0 {
        return Err(CmdError::new("ERR Invalid TTL value, must be >= 0"));
    }
    let body = verify_payload(&args[3]).ok_or_else(|| CmdError::new(BAD_PAYLOAD))?;
    let limits = Limits::from_config(&ctx.store.config);
    let value = decode_payload(body, &limits).ok_or_else(|| CmdError::new(BAD_DATA))?;

    let db = ctx.db();
    let deleted = replace && db.remove(key).is_some();
    let expire_at = match ttl {
        0 => None,
        ttl if absttl => Some(ttl),
        ttl => Some(ttl.saturating_add(now as i64)),
    };
    // A master does not create a key that is already expired; a replica does and waits for
    // the master's DEL.
    if let Some(at) = expire_at
        && at <= now as i64
        && db.expire_mode == ExpireMode::Delete
    {
        if deleted {
            ctx.signal_modified(key);
            ctx.dirty(1);
            ctx.propagate_as(vec![Bytes::from_static(b"DEL"), args[1].clone()]);
        }
        ctx.out.ok();
        return Ok(());
    }
    let ready = may_serve_blocked(&value);
    let mut entry = Entry::new(key, value);
    if let Some(access) = db.access_clock.restored(idle, freq, now) {
        entry.access = access;
    }
    db.insert_entry(entry);
    if let Some(at) = expire_at {
        db.set_expire(key, Some(at.max(1) as u64));
    }
    // A relative TTL is propagated as the absolute time it came to (Redis adds ABSTTL).
    if let Some(at) = expire_at
        && !absttl
        && ctx.propagating()
    {
        let mut argv = args.to_vec();
        argv[2] = Bytes::from(at.to_string());
        argv.push(Bytes::from_static(b"ABSTTL"));
        ctx.propagate_as(argv);
    }
    ctx.signal_modified(key);
    if ready {
        ctx.signal_ready(key);
    }
    ctx.dirty(1);
    ctx.out.ok();
    Ok(())
}
