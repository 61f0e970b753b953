//! BITFIELD and BITFIELD_RO: signed and unsigned integers of 1 to 64 bits at any bit offset of
//! a string, as Redis 7.0's bitfieldGeneric does them (same parsing order, errors, overflow
//! arithmetic and growth rules).

use bytes::Bytes;
use wire::CommandId;

use super::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx, args};
use crate::types::Value;

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Bitfield, bitfield),
    (CommandId::BitfieldRo, bitfield_ro),
];

const TYPE_ERR: &str = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const OFFSET_ERR: &str = "ERR bit offset is not an integer or out of range";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    Wrap,
    Sat,
    Fail,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpKind {
    Get,
    Set(i64),
    IncrBy(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FieldType {
    signed: bool,
    /// 1..=64 signed, 1..=63 unsigned (an unsigned 64-bit value would not fit the integer reply).
    bits: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Op {
    kind: OpKind,
    field: FieldType,
    offset: u64,
    overflow: Overflow,
}

/// Everything a BITFIELD call asks for, parsed before anything runs.
#[derive(Debug, Default)]
struct Plan {
    ops: Vec<Op>,
    /// The last bit any SET/INCRBY touches; None when every operation is a GET.
    highest_write_bit: Option<u64>,
}

/// Redis compares subcommand names, overflow modes and the type's width as C strings, so
/// whatever follows a NUL byte is ignored there.
fn c_str(arg: &[u8]) -> &[u8] {
    arg.iter()
        .position(|&b| b == 0)
        .map_or(arg, |nul| &arg[..nul])
}

/// `i<bits>` or `u<bits>`; the prefix is lowercase only in Redis 7.0.
fn parse_type(arg: &[u8]) -> Result<FieldType, CmdError> {
    let text = c_str(arg);
    let signed = match text.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(CmdError::new(TYPE_ERR)),
    };
    let limit = if signed { 64 } else { 63 };
    match wire::request::parse_i64(&text[1..]) {
        Some(bits) if (1..=limit).contains(&bits) => Ok(FieldType {
            signed,
            bits: bits as u32,
        }),
        _ => Err(CmdError::new(TYPE_ERR)),
    }
}

/// A bit offset, or `#n` for the n-th field of this width. Redis multiplies the `#` form
/// in wrapping 64-bit arithmetic before the range check, so a product that wraps into range is
/// accepted as that offset.
fn parse_offset(arg: &[u8], bits: u32, max_bulk_len: u64) -> Result<u64, CmdError> {
    let (hash, digits) = match arg.split_first() {
        Some((b'#', rest)) => (true, rest),
        _ => (false, arg),
    };
    let mut offset = wire::request::parse_i64(digits).ok_or_else(|| CmdError::new(OFFSET_ERR))?;
    if hash {
        offset = offset.wrapping_mul(i64::from(bits));
    }
    if offset < 0 || (offset as u64 >> 3) >= max_bulk_len {
        return Err(CmdError::new(OFFSET_ERR));
    }
    Ok(offset as u64)
}

fn parse_overflow(arg: &[u8]) -> Result<Overflow, CmdError> {
    let name = c_str(arg);
    if name.eq_ignore_ascii_case(b"WRAP") {
        Ok(Overflow::Wrap)
    } else if name.eq_ignore_ascii_case(b"SAT") {
        Ok(Overflow::Sat)
    } else if name.eq_ignore_ascii_case(b"FAIL") {
        Ok(Overflow::Fail)
    } else {
        Err(CmdError::new("ERR Invalid OVERFLOW type specified"))
    }
}

/// Parse the subcommands after the key; the first error in argument order wins.
fn parse_plan(args: &[Bytes], max_bulk_len: u64) -> Result<Plan, CmdError> {
    let mut plan = Plan::default();
    let mut overflow = Overflow::Wrap;
    let mut i = 2;
    while i < args.len() {
        let remaining = args.len() - i - 1;
        let name = c_str(&args[i]);
        let is = |word: &str| args::is(name, word);
        let takes_value = if is("GET") && remaining >= 2 {
            false
        } else if (is("SET") || is("INCRBY")) && remaining >= 3 {
            true
        } else if is("OVERFLOW") && remaining >= 1 {
            overflow = parse_overflow(&args[i + 1])?;
            i += 2;
            continue;
        } else {
            return Err(CmdError::syntax());
        };
        let field = parse_type(&args[i + 1])?;
        let offset = parse_offset(&args[i + 2], field.bits, max_bulk_len)?;
        let kind = if takes_value {
            let value = args::int(&args[i + 3])?;
            let last_bit = offset + u64::from(field.bits) - 1;
            plan.highest_write_bit =
                Some(plan.highest_write_bit.map_or(last_bit, |b| b.max(last_bit)));
            if is("SET") {
                OpKind::Set(value)
            } else {
                OpKind::IncrBy(value)
            }
        } else {
            OpKind::Get
        };
        plan.ops.push(Op {
            kind,
            field,
            offset,
            overflow,
        });
        i += if takes_value { 4 } else { 3 };
    }
    Ok(plan)
}

fn low_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The `bits`-bit unsigned field at `offset` (MSB first); bytes past the end read as zero.
fn read_bits(bytes: &[u8], offset: u64, bits: u32) -> u64 {
    let first = usize::try_from(offset >> 3).unwrap_or(usize::MAX);
    // Nine bytes hold any 64-bit field whatever its alignment.
    let window = (0..9).fold(0u128, |acc, i| {
        let byte = first
            .checked_add(i)
            .and_then(|at| bytes.get(at))
            .copied()
            .unwrap_or(0);
        (acc << 8) | u128::from(byte)
    });
    let shift = 72 - (offset & 7) as u32 - bits;
    (window >> shift) as u64 & low_mask(bits)
}

/// Store the low `bits` bits of `value` at `offset`; the string was grown to hold them.
fn write_bits(bytes: &mut [u8], offset: u64, bits: u32, value: u64) {
    for j in 0..bits {
        let bit = ((value >> (bits - 1 - j)) & 1) as u8;
        let pos = offset + u64::from(j);
        let shift = 7 - (pos & 7) as u8;
        if let Some(byte) = usize::try_from(pos >> 3)
            .ok()
            .and_then(|at| bytes.get_mut(at))
        {
            *byte = (*byte & !(1 << shift)) | (bit << shift);
        }
    }
}

fn sign_extend(raw: u64, bits: u32) -> i64 {
    if bits < 64 && raw & (1 << (bits - 1)) != 0 {
        (raw | (u64::MAX << bits)) as i64
    } else {
        raw as i64
    }
}

/// Redis's checkUnsignedBitfieldOverflow: None when `value + incr` fits in `bits` unsigned
/// bits, else the value to store instead (wrapped, or saturated under SAT; meaningless under
/// FAIL). A SET passes its value with `incr` 0, so a negative SET value counts as a huge one.
fn unsigned_overflow(value: u64, incr: i64, bits: u32, mode: Overflow) -> Option<u64> {
    let max = low_mask(bits);
    let max_incr = max.wrapping_sub(value) as i64;
    let min_incr = value.wrapping_neg() as i64;
    let wrapped = value.wrapping_add(incr as u64) & max;
    if value > max || (incr > 0 && incr > max_incr) {
        Some(if mode == Overflow::Sat { max } else { wrapped })
    } else if incr < 0 && incr < min_incr {
        Some(if mode == Overflow::Sat { 0 } else { wrapped })
    } else {
        None
    }
}

/// Redis's checkSignedBitfieldOverflow, same contract as [`unsigned_overflow`].
fn signed_overflow(value: i64, incr: i64, bits: u32, mode: Overflow) -> Option<i64> {
    let max = (low_mask(bits) >> 1) as i64;
    let min = -max - 1;
    // These may wrap, but each is only compared once `value` is known to keep them in range.
    let max_incr = (max as u64).wrapping_sub(value as u64) as i64;
    let min_incr = min.wrapping_sub(value);
    let wrapped = {
        let sum = (value as u64).wrapping_add(incr as u64);
        sign_extend(sum & low_mask(bits), bits)
    };
    if value > max || (bits != 64 && incr > max_incr) || (value >= 0 && incr > 0 && incr > max_incr)
    {
        Some(if mode == Overflow::Sat { max } else { wrapped })
    } else if value < min
        || (bits != 64 && incr < min_incr)
        || (value < 0 && incr < 0 && incr < min_incr)
    {
        Some(if mode == Overflow::Sat { min } else { wrapped })
    } else {
        None
    }
}

/// Run a SET or INCRBY on the string: the reply value and whether the field changed (None
/// for an overflow under FAIL, which leaves the field as it was).
fn apply_write(bytes: &mut [u8], op: &Op) -> Option<(i64, bool)> {
    let FieldType { signed, bits } = op.field;
    let old_raw = read_bits(bytes, op.offset, bits);
    let (overflowed, stored, reply) = if signed {
        let old = sign_extend(old_raw, bits);
        match op.kind {
            OpKind::IncrBy(incr) => {
                let limit = signed_overflow(old, incr, bits, op.overflow);
                let new = limit.unwrap_or(old.wrapping_add(incr));
                (limit.is_some(), new as u64, new)
            }
            OpKind::Set(value) => {
                let limit = signed_overflow(value, 0, bits, op.overflow);
                (limit.is_some(), limit.unwrap_or(value) as u64, old)
            }
            OpKind::Get => return Some((old, false)),
        }
    } else {
        match op.kind {
            OpKind::IncrBy(incr) => {
                let limit = unsigned_overflow(old_raw, incr, bits, op.overflow);
                let new = limit.unwrap_or(old_raw.wrapping_add(incr as u64));
                (limit.is_some(), new, new as i64)
            }
            OpKind::Set(value) => {
                let limit = unsigned_overflow(value as u64, 0, bits, op.overflow);
                (
                    limit.is_some(),
                    limit.unwrap_or(value as u64),
                    old_raw as i64,
                )
            }
            OpKind::Get => return Some((old_raw as i64, false)),
        }
    };
    if overflowed && op.overflow == Overflow::Fail {
        return None;
    }
    write_bits(bytes, op.offset, bits, stored);
    // `stored` is a value of the field's range here, so comparing the bits is enough.
    Some((reply, stored & low_mask(bits) != old_raw))
}

fn read_field(bytes: &[u8], op: &Op) -> i64 {
    let raw = read_bits(bytes, op.offset, op.field.bits);
    if op.field.signed {
        sign_extend(raw, op.field.bits)
    } else {
        raw as i64
    }
}

fn bitfield(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    run(ctx, args, false)
}

fn bitfield_ro(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    run(ctx, args, true)
}

fn run(ctx: &mut Ctx, args: &[Bytes], read_only: bool) -> CmdResult {
    let key = &args[1][..];
    let plan = parse_plan(args, ctx.store.config.proto_max_bulk_len)?;
    let now = ctx.now_ms;
    let db = &mut ctx.store.dbs[ctx.db];
    let Some(highest_write_bit) = plan.highest_write_bit else {
        // Only GETs: a missing key reads as zeros and is not created.
        let bytes = match db.lookup(key, now) {
            Some(entry) => entry.value.as_bytes()?,
            None => &[],
        };
        ctx.out.array(plan.ops.len());
        for op in &plan.ops {
            ctx.out.int(read_field(bytes, op));
        }
        return Ok(());
    };
    if read_only {
        return Err(CmdError::new(
            "ERR BITFIELD_RO only supports the GET subcommand",
        ));
    }
    let needed = usize::try_from(highest_write_bit >> 3)
        .ok()
        .and_then(|byte| byte.checked_add(1))
        .ok_or_else(|| CmdError::new(OFFSET_ERR))?;
    let created = db.lookup(key, now).is_none();
    if created {
        db.insert(key, Value::Raw(Box::new(vec![0u8; needed])));
    }
    let entry = db.get_mut(key, now).ok_or_else(CmdError::no_such_key)?;
    let bytes = entry.value.as_raw_mut()?;
    let grown = created || bytes.len() < needed;
    if bytes.len() < needed {
        bytes.resize(needed, 0);
    }
    ctx.out.array(plan.ops.len());
    // As in Redis 7.0, a write counts when the string was created or grown or the field
    // changed, and an overflow under FAIL never does: a call that changes nothing (even one
    // that only creates the key through a failed INCRBY) signals no WATCH and adds no dirty.
    let mut changes = 0;
    for op in &plan.ops {
        if op.kind == OpKind::Get {
            ctx.out.int(read_field(bytes, op));
            continue;
        }
        match apply_write(bytes, op) {
            Some((value, changed)) => {
                ctx.out.int(value);
                changes += u64::from(grown || changed);
            }
            None => ctx.out.null(),
        }
    }
    if changes > 0 {
        ctx.signal_modified(key);
        ctx.dirty(changes);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Bytes> {
        line.split(' ')
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect()
    }

    #[test]
    fn types() {
        assert_eq!(
            parse_type(b"i64"),
            Ok(FieldType {
                signed: true,
                bits: 64
            })
        );
        assert_eq!(
            parse_type(b"u63\0junk"),
            Ok(FieldType {
                signed: false,
                bits: 63
            })
        );
        for bad in [
            &b"u64"[..],
            b"i65",
            b"i0",
            b"I8",
            b"U8",
            b"u",
            b"",
            b"u08",
            b"u-8",
            b"u+8",
            b"x8",
        ] {
            assert_eq!(parse_type(bad), Err(CmdError::new(TYPE_ERR)), "{bad:?}");
        }
    }

    #[test]
    fn offsets() {
        let max = 512 * 1024 * 1024;
        assert_eq!(parse_offset(b"#3", 16, max), Ok(48));
        assert_eq!(parse_offset(b"4294967295", 8, max), Ok(4_294_967_295));
        assert!(parse_offset(b"4294967296", 8, max).is_err());
        assert!(parse_offset(b"-1", 8, max).is_err());
        assert!(parse_offset(b"#-1", 8, max).is_err());
        assert!(parse_offset(b"#", 8, max).is_err());
        assert!(parse_offset(b"", 8, max).is_err());
        assert!(parse_offset(b"0\0", 8, max).is_err());
        // 2^60 * 16 wraps to 0 in Redis's 64-bit multiplication; 2^60 * 8 wraps negative.
        assert_eq!(parse_offset(b"#1152921504606846976", 16, max), Ok(0));
        assert!(parse_offset(b"#1152921504606846976", 8, max).is_err());
    }

    #[test]
    fn plan_parsing() {
        let max = 512 * 1024 * 1024;
        let plan = parse_plan(
            &argv("BITFIELD k get u8 0 overflow sat set i5 #2 -3 incrby u1 7 1"),
            max,
        )
        .expect("valid");
        assert_eq!(plan.ops.len(), 3);
        assert_eq!(plan.ops[0].overflow, Overflow::Wrap);
        assert_eq!(plan.ops[1].kind, OpKind::Set(-3));
        assert_eq!(plan.ops[1].offset, 10);
        assert_eq!(plan.ops[2].overflow, Overflow::Sat);
        assert_eq!(plan.highest_write_bit, Some(14));
        assert!(parse_plan(&argv("BITFIELD k"), max).is_ok_and(|p| p.ops.is_empty()));
        let err = |line: &str| {
            parse_plan(&argv(line), max)
                .err()
                .map(|e| e.text().to_owned())
        };
        assert_eq!(
            err("BITFIELD k get u8").as_deref(),
            Some("ERR syntax error")
        );
        assert_eq!(
            err("BITFIELD k overflow").as_deref(),
            Some("ERR syntax error")
        );
        assert_eq!(
            err("BITFIELD k overflow nope get u8 0").as_deref(),
            Some("ERR Invalid OVERFLOW type specified")
        );
        assert_eq!(
            err("BITFIELD k set u8 0 x").as_deref(),
            Some("ERR value is not an integer or out of range")
        );
        // The first bad argument decides the error.
        assert_eq!(err("BITFIELD k get x8 -1").as_deref(), Some(TYPE_ERR));
        assert_eq!(
            err("BITFIELD k get u8 -1 bogus").as_deref(),
            Some(OFFSET_ERR)
        );
    }

    #[test]
    fn getkeys_flags() {
        assert!(wire::keys::bitfield_only_reads(&argv("BITFIELD k")));
        assert!(wire::keys::bitfield_only_reads(&argv(
            "BITFIELD k get u8 0 OVERFLOW bogus GET i1 #3"
        )));
        assert!(!wire::keys::bitfield_only_reads(&argv(
            "BITFIELD k get u8 0 set u8 0 1"
        )));
        assert!(!wire::keys::bitfield_only_reads(&argv(
            "BITFIELD k incrby u8 0 1"
        )));
        assert!(!wire::keys::bitfield_only_reads(&argv("BITFIELD k get u8")));
        assert!(!wire::keys::bitfield_only_reads(&argv(
            "BITFIELD k overflow"
        )));
        assert!(!wire::keys::bitfield_only_reads(&argv("BITFIELD k bogus")));
    }

    #[test]
    fn bits_round_trip() {
        let mut bytes = vec![0u8; 10];
        write_bits(&mut bytes, 3, 64, 0xDEAD_BEEF_0123_4567);
        assert_eq!(read_bits(&bytes, 3, 64), 0xDEAD_BEEF_0123_4567);
        assert_eq!(read_bits(&bytes, 0, 3), 0);
        write_bits(&mut bytes, 75, 5, 0b10101);
        assert_eq!(bytes[9], 0b0001_0101);
        assert_eq!(read_bits(&bytes, 77, 8), 0b1010_0000);
        assert_eq!(read_bits(&[], 1_000_000, 64), 0);
        assert_eq!(sign_extend(0b1000, 4), -8);
        assert_eq!(sign_extend(0b0111, 4), 7);
        assert_eq!(sign_extend(u64::MAX, 64), -1);
    }

    #[test]
    fn overflow_arithmetic() {
        use Overflow::*;
        assert_eq!(unsigned_overflow(250, 10, 8, Wrap), Some(4));
        assert_eq!(unsigned_overflow(250, 10, 8, Sat), Some(255));
        assert_eq!(unsigned_overflow(5, -10, 8, Wrap), Some(251));
        assert_eq!(unsigned_overflow(5, -10, 8, Sat), Some(0));
        assert_eq!(unsigned_overflow(5, -5, 8, Sat), None);
        // SET u8 -1: the value is taken as 2^64-1, so SAT stores the maximum.
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Sat), Some(255));
        assert_eq!(unsigned_overflow(u64::MAX, 0, 8, Wrap), Some(255));
        assert_eq!(unsigned_overflow(0, i64::MAX, 63, Wrap), None);
        assert_eq!(unsigned_overflow(1, i64::MAX, 63, Wrap), Some(0));
        assert_eq!(signed_overflow(127, 1, 8, Wrap), Some(-128));
        assert_eq!(signed_overflow(127, 1, 8, Sat), Some(127));
        assert_eq!(signed_overflow(-128, -1, 8, Sat), Some(-128));
        assert_eq!(signed_overflow(-128, -1, 8, Wrap), Some(127));
        assert_eq!(signed_overflow(200, 0, 8, Sat), Some(127));
        assert_eq!(signed_overflow(200, 0, 8, Wrap), Some(-56));
        assert_eq!(signed_overflow(i64::MAX, 1, 64, Wrap), Some(i64::MIN));
        assert_eq!(signed_overflow(i64::MIN, -1, 64, Sat), Some(i64::MIN));
        assert_eq!(signed_overflow(-1, i64::MIN, 64, Sat), Some(i64::MIN));
        assert_eq!(signed_overflow(-5, i64::MAX, 64, Sat), None);
        assert_eq!(signed_overflow(5, i64::MAX, 64, Sat), Some(i64::MAX));
        assert_eq!(signed_overflow(-5, i64::MIN, 64, Sat), Some(i64::MIN));
        assert_eq!(signed_overflow(-5, i64::MIN, 64, Wrap), Some(i64::MAX - 4));
        assert_eq!(signed_overflow(5, i64::MIN, 64, Sat), None);
    }

    #[test]
    fn writes_follow_overflow_mode() {
        let op = |kind, signed, bits, overflow| Op {
            kind,
            field: FieldType { signed, bits },
            offset: 0,
            overflow,
        };
        let mut bytes = vec![0u8; 8];
        assert_eq!(
            apply_write(&mut bytes, &op(OpKind::Set(-1), false, 8, Overflow::Wrap)),
            Some((0, true))
        );
        assert_eq!(bytes[0], 0xff);
        assert_eq!(
            apply_write(&mut bytes, &op(OpKind::IncrBy(1), false, 8, Overflow::Fail)),
            None
        );
        assert_eq!(bytes[0], 0xff);
        assert_eq!(
            apply_write(&mut bytes, &op(OpKind::IncrBy(10), false, 8, Overflow::Sat)),
            Some((255, false))
        );
        assert_eq!(
            apply_write(&mut bytes, &op(OpKind::IncrBy(1), true, 8, Overflow::Fail)),
            Some((0, true))
        );
        assert_eq!(bytes[0], 0);
        assert_eq!(
            apply_write(&mut bytes, &op(OpKind::Set(0), true, 64, Overflow::Wrap)),
            Some((0, false))
        );
    }
}
