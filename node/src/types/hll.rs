//! HyperLogLog in Redis's exact byte representation, so that GET, DUMP and replication carry
//! the same bytes as real Redis and a value made by one is usable by the other.
//!
//! Layout: a 16-byte header (`HYLL`, encoding, 3 unused bytes, the cached cardinality as 8
//! little-endian bytes whose top bit marks it stale) followed by the registers: 16384 6-bit
//! registers packed little-endian ("dense", 12288 bytes), or run-length opcodes ("sparse":
//! ZERO `00xxxxxx`, XZERO `01xxxxxx yyyyyyyy`, VAL `1vvvvvxx`). Elements are hashed with
//! MurmurHash64A (seed 0xadc83b19); the low 14 bits pick the register, the position of the
//! first set bit in the rest is the value. Cardinality uses Ertl's estimator, as Redis 7.0.

pub const HEADER_SIZE: usize = 16;
pub const P: u32 = 14;
pub const Q: u32 = 64 - P;
pub const REGISTERS: usize = 1 << P;
const REGISTER_BITS: usize = 6;
const REGISTER_MAX: u8 = (1 << REGISTER_BITS) - 1;
pub const DENSE_SIZE: usize = HEADER_SIZE + (REGISTERS * REGISTER_BITS).div_ceil(8);
/// Redis's default `hll-sparse-max-bytes`.
pub const SPARSE_MAX_BYTES: usize = 3000;

const ENCODING_DENSE: u8 = 0;
const ENCODING_SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;

const SPARSE_VAL_MAX_VALUE: u8 = 32;
const SPARSE_VAL_MAX_LEN: usize = 4;
const SPARSE_ZERO_MAX_LEN: usize = 64;
const SPARSE_XZERO_MAX_LEN: usize = 16384;
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

pub const NOT_HLL_ERROR: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
pub const INVALID_ERROR: &str = "INVALIDOBJ Corrupted HLL object detected";

/// The sparse representation is corrupted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupted;

/// Redis's MurmurHash64A, reading 8-byte blocks little-endian whatever the host.
pub fn murmur_hash64a(key: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (key.len() as u64).wrapping_mul(M);
    let mut blocks = key.chunks_exact(8);
    for block in &mut blocks {
        let mut k = u64::from_le_bytes(block.try_into().expect("8-byte block"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        for (i, &byte) in tail.iter().enumerate() {
            h ^= (byte as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The register an element maps to, and the length of its `000..1` pattern (1..=Q+1).
pub fn pattern(element: &[u8]) -> (usize, u8) {
    let hash = murmur_hash64a(element, 0xadc8_3b19);
    let index = (hash & (REGISTERS as u64 - 1)) as usize;
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// An empty HLL: sparse, all registers zero (XZERO opcodes), cached cardinality 0.
pub fn new_sparse() -> Vec<u8> {
    let mut bytes = Vec::with_capacity(HEADER_SIZE + 2);
    bytes.extend_from_slice(b"HYLL");
    bytes.push(ENCODING_SPARSE);
    bytes.extend_from_slice(&[0; 11]);
    let mut left = REGISTERS;
    while left > 0 {
        let run = left.min(SPARSE_XZERO_MAX_LEN);
        push_xzero(&mut bytes, run);
        left -= run;
    }
    bytes
}

/// Redis's isHLLObjectOrReply check of a string value.
pub fn validate(bytes: &[u8]) -> Result<(), &'static str> {
    if bytes.len() < HEADER_SIZE || &bytes[..4] != b"HYLL" || bytes[4] > MAX_ENCODING {
        return Err(NOT_HLL_ERROR);
    }
    if bytes[4] == ENCODING_DENSE && bytes.len() != DENSE_SIZE {
        return Err(NOT_HLL_ERROR);
    }
    Ok(())
}

pub fn is_dense(bytes: &[u8]) -> bool {
    bytes.get(4) == Some(&ENCODING_DENSE)
}

pub fn invalidate_cache(bytes: &mut [u8]) {
    if let Some(byte) = bytes.get_mut(15) {
        *byte |= 0x80;
    }
}

pub fn cached_cardinality(bytes: &[u8]) -> Option<u64> {
    let card: [u8; 8] = bytes.get(8..16)?.try_into().ok()?;
    (card[7] & 0x80 == 0).then(|| u64::from_le_bytes(card))
}

pub fn set_cached_cardinality(bytes: &mut [u8], card: u64) {
    if let Some(slot) = bytes.get_mut(8..16) {
        slot.copy_from_slice(&card.to_le_bytes());
    }
}

// ----- dense -----

fn dense_get(registers: &[u8], index: usize) -> u8 {
    let byte = index * REGISTER_BITS / 8;
    let shift = (index * REGISTER_BITS) & 7;
    let b0 = registers.get(byte).copied().unwrap_or(0) as u16;
    let b1 = registers.get(byte + 1).copied().unwrap_or(0) as u16;
    (((b0 >> shift) | (b1 << (8 - shift))) & REGISTER_MAX as u16) as u8
}

fn dense_set(registers: &mut [u8], index: usize, value: u8) {
    let byte = index * REGISTER_BITS / 8;
    let shift = (index * REGISTER_BITS) & 7;
    let value = value as u16;
    if let Some(b0) = registers.get_mut(byte) {
        *b0 &= !((REGISTER_MAX as u16) << shift) as u8;
        *b0 |= (value << shift) as u8;
    }
    if let Some(b1) = registers.get_mut(byte + 1) {
        *b1 &= !((REGISTER_MAX as u16) >> (8 - shift)) as u8;
        *b1 |= (value >> (8 - shift)) as u8;
    }
}

/// Raise a dense register to `count`; true if it changed.
fn dense_raise(registers: &mut [u8], index: usize, count: u8) -> bool {
    if count > dense_get(registers, index) {
        dense_set(registers, index, count);
        true
    } else {
        false
    }
}

// ----- sparse opcodes -----

fn is_zero(op: u8) -> bool {
    op & 0xc0 == 0
}

fn is_xzero(op: u8) -> bool {
    op & 0xc0 == 0x40
}

fn is_val(op: u8) -> bool {
    op & 0x80 != 0
}

fn zero_len(op: u8) -> usize {
    (op & 0x3f) as usize + 1
}

fn xzero_len(op: u8, next: u8) -> usize {
    ((((op & 0x3f) as usize) << 8) | next as usize) + 1
}

fn val_value(op: u8) -> u8 {
    ((op >> 2) & 0x1f) + 1
}

fn val_len(op: u8) -> usize {
    (op & 0x3) as usize + 1
}

fn val_op(value: u8, len: usize) -> u8 {
    (((value - 1) << 2) | (len as u8 - 1)) | 0x80
}

fn zero_op(len: usize) -> u8 {
    (len - 1) as u8
}

fn push_xzero(out: &mut Vec<u8>, len: usize) {
    let l = len - 1;
    out.push((l >> 8) as u8 | 0x40);
    out.push((l & 0xff) as u8);
}

fn push_zeros(out: &mut Vec<u8>, len: usize) {
    if len > SPARSE_ZERO_MAX_LEN {
        push_xzero(out, len);
    } else {
        out.push(zero_op(len));
    }
}

/// Decode one sparse opcode at `pos`: (opcode bytes, registers covered, value).
fn sparse_op(bytes: &[u8], pos: usize) -> (usize, usize, u8) {
    let op = bytes[pos];
    if is_zero(op) {
        (1, zero_len(op), 0)
    } else if is_val(op) {
        (1, val_len(op), val_value(op))
    } else {
        let next = bytes.get(pos + 1).copied().unwrap_or(0);
        (2, xzero_len(op, next), 0)
    }
}

/// Convert a sparse HLL to dense in place, keeping magic and cached cardinality.
pub fn to_dense(hll: &mut Vec<u8>) -> Result<(), Corrupted> {
    if is_dense(hll) {
        return Ok(());
    }
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..HEADER_SIZE].copy_from_slice(&hll[..HEADER_SIZE]);
    dense[4] = ENCODING_DENSE;
    let registers = &mut dense[HEADER_SIZE..];
    let mut index = 0usize;
    let mut pos = HEADER_SIZE;
    while pos < hll.len() {
        let (oplen, run, value) = sparse_op(hll, pos);
        if value == 0 {
            index = index.saturating_add(run);
        } else {
            if index + run > REGISTERS {
                break;
            }
            for i in index..index + run {
                dense_set(registers, i, value);
            }
            index += run;
        }
        pos += oplen;
    }
    if index != REGISTERS {
        return Err(Corrupted);
    }
    *hll = dense;
    Ok(())
}

/// Raise register `index` to `count` in a sparse HLL (Redis's hllSparseSet), promoting to
/// dense when the value does not fit a VAL opcode or the string would pass `max_bytes`.
/// Returns whether a register changed.
fn sparse_raise(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_bytes: usize,
) -> Result<bool, Corrupted> {
    if count > SPARSE_VAL_MAX_VALUE {
        return promote(hll, index, count);
    }
    // Step 1: find the opcode covering `index`.
    let end = hll.len();
    let mut pos = HEADER_SIZE;
    let mut first = 0usize;
    let mut prev: Option<usize> = None;
    let mut span = 0usize;
    let mut found = false;
    while pos < end {
        let (oplen, run, _) = sparse_op(hll, pos);
        span = run;
        if index < first + span {
            found = true;
            break;
        }
        prev = Some(pos);
        pos += oplen;
        first += span;
    }
    if !found || span == 0 {
        return Err(Corrupted);
    }
    let op = hll[pos];
    let oplen = if is_xzero(op) { 2 } else { 1 };

    // Step 2: the trivial cases update one byte in place.
    let mut replacement: Option<Vec<u8>> = None;
    if is_val(op) {
        let old = val_value(op);
        if old >= count {
            return Ok(false);
        }
        if val_len(op) == 1 {
            hll[pos] = val_op(count, 1);
        } else {
            replacement = Some(split_val(index, first, span, old, count));
        }
    } else if is_zero(op) && zero_len(op) == 1 {
        hll[pos] = val_op(count, 1);
    } else {
        // ZERO or XZERO covering more than our register: split into zeros-VAL-zeros.
        let mut seq = Vec::with_capacity(5);
        if index != first {
            push_zeros(&mut seq, index - first);
        }
        seq.push(val_op(count, 1));
        let last = first + span - 1;
        if index != last {
            push_zeros(&mut seq, last - index);
        }
        replacement = Some(seq);
    }

    // Step 3: substitute the new sequence for the old opcode.
    if let Some(seq) = replacement {
        let grows = seq.len() > oplen;
        if grows && hll.len() + (seq.len() - oplen) > max_bytes {
            return promote(hll, index, count);
        }
        hll.splice(pos..pos + oplen, seq);
    }

    // Step 4: merge adjacent VAL opcodes of equal value, up to 5 opcodes from `prev`.
    let mut p = prev.unwrap_or(HEADER_SIZE);
    let mut scan = 5;
    while p < hll.len() && scan > 0 {
        scan -= 1;
        let op = hll[p];
        if is_xzero(op) {
            p += 2;
            continue;
        }
        if is_zero(op) {
            p += 1;
            continue;
        }
        if let Some(&next) = hll.get(p + 1)
            && is_val(next)
            && val_value(op) == val_value(next)
        {
            let len = val_len(op) + val_len(next);
            if len <= SPARSE_VAL_MAX_LEN {
                hll[p + 1] = val_op(val_value(op), len);
                hll.remove(p);
                continue;
            }
        }
        p += 1;
    }
    invalidate_cache(hll);
    Ok(true)
}

fn split_val(index: usize, first: usize, span: usize, current: u8, count: u8) -> Vec<u8> {
    let mut seq = Vec::with_capacity(3);
    if index != first {
        seq.push(val_op(current, index - first));
    }
    seq.push(val_op(count, 1));
    let last = first + span - 1;
    if index != last {
        seq.push(val_op(current, last - index));
    }
    seq
}

fn promote(hll: &mut Vec<u8>, index: usize, count: u8) -> Result<bool, Corrupted> {
    to_dense(hll)?;
    Ok(dense_raise(&mut hll[HEADER_SIZE..], index, count))
}

/// Raise register `index` to at least `count`, whatever the encoding.
pub fn raise_register(
    hll: &mut Vec<u8>,
    index: usize,
    count: u8,
    max_bytes: usize,
) -> Result<bool, Corrupted> {
    match hll.get(4) {
        Some(&ENCODING_DENSE) => Ok(dense_raise(&mut hll[HEADER_SIZE..], index, count)),
        Some(&ENCODING_SPARSE) => sparse_raise(hll, index, count, max_bytes),
        _ => Err(Corrupted),
    }
}

/// PFADD of one element; true if a register changed.
pub fn add(hll: &mut Vec<u8>, element: &[u8], max_bytes: usize) -> Result<bool, Corrupted> {
    let (index, count) = pattern(element);
    raise_register(hll, index, count, max_bytes)
}

/// `max[i] = max(max[i], register i)` over a validated HLL.
pub fn merge_into(max: &mut [u8; REGISTERS], hll: &[u8]) -> Result<(), Corrupted> {
    if is_dense(hll) {
        let registers = &hll[HEADER_SIZE..];
        for (i, slot) in max.iter_mut().enumerate() {
            *slot = (*slot).max(dense_get(registers, i));
        }
        return Ok(());
    }
    let mut index = 0usize;
    let mut pos = HEADER_SIZE;
    while pos < hll.len() {
        let (oplen, run, value) = sparse_op(hll, pos);
        if value == 0 {
            index = index.saturating_add(run);
        } else {
            if index + run > REGISTERS {
                break;
            }
            for slot in &mut max[index..index + run] {
                *slot = (*slot).max(value);
            }
            index += run;
        }
        pos += oplen;
    }
    if index != REGISTERS {
        return Err(Corrupted);
    }
    Ok(())
}

/// The register values of an HLL as a histogram (value -> how many registers hold it).
fn histogram(hll: &[u8]) -> Result<[u64; 64], Corrupted> {
    let mut histo = [0u64; 64];
    if is_dense(hll) {
        let registers = &hll[HEADER_SIZE..];
        for i in 0..REGISTERS {
            histo[dense_get(registers, i) as usize] += 1;
        }
        return Ok(histo);
    }
    let mut index = 0usize;
    let mut pos = HEADER_SIZE;
    while pos < hll.len() {
        let (oplen, run, value) = sparse_op(hll, pos);
        index = index.saturating_add(run);
        histo[value as usize] = histo[value as usize].saturating_add(run as u64);
        pos += oplen;
    }
    if index != REGISTERS {
        return Err(Corrupted);
    }
    Ok(histo)
}

/// Ertl's sigma function (arXiv:1702.01284).
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let previous = z;
        z += x * y;
        y += y;
        if previous == z {
            return z;
        }
    }
}

/// Ertl's tau function (arXiv:1702.01284).
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let previous = z;
        y *= 0.5;
        z -= (1.0 - x) * (1.0 - x) * y;
        if previous == z {
            return z / 3.0;
        }
    }
}

fn estimate(histo: &[u64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histo[Q as usize + 1] as f64) / m);
    for j in (1..=Q as usize).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    (ALPHA_INF * m * m / z).round() as u64
}

/// The estimated cardinality of one HLL (ignores the cache).
pub fn count(hll: &[u8]) -> Result<u64, Corrupted> {
    Ok(estimate(&histogram(hll)?))
}

/// The estimated cardinality of merged registers (PFCOUNT with several keys).
pub fn count_registers(max: &[u8; REGISTERS]) -> u64 {
    let mut histo = [0u64; 64];
    for &value in max.iter() {
        histo[(value & 63) as usize] += 1;
    }
    estimate(&histo)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registers_of(hll: &[u8]) -> [u8; REGISTERS] {
        let mut max = [0u8; REGISTERS];
        merge_into(&mut max, hll).unwrap();
        max
    }

    #[test]
    fn empty_hll_bytes() {
        let hll = new_sparse();
        assert_eq!(hll.len(), HEADER_SIZE + 2);
        assert_eq!(&hll[..5], b"HYLL\x01");
        assert_eq!(&hll[16..], &[0x7f, 0xff]);
        assert_eq!(count(&hll), Ok(0));
        assert_eq!(cached_cardinality(&hll), Some(0));
        assert_eq!(validate(&hll), Ok(()));
    }

    #[test]
    fn pattern_is_in_range() {
        for i in 0..1000 {
            let (index, count) = pattern(format!("{i}").as_bytes());
            assert!(index < REGISTERS && (1..=Q as u8 + 1).contains(&count));
        }
    }

    #[test]
    fn dense_registers_round_trip() {
        let mut registers = vec![0u8; DENSE_SIZE - HEADER_SIZE];
        for i in 0..REGISTERS {
            dense_set(&mut registers, i, (i % 64) as u8);
        }
        for i in 0..REGISTERS {
            assert_eq!(dense_get(&registers, i), (i % 64) as u8);
        }
    }

    #[test]
    fn sparse_and_dense_agree() {
        let mut sparse = new_sparse();
        let mut dense = new_sparse();
        to_dense(&mut dense).unwrap();
        for i in 0..2000 {
            let element = format!("element:{i}");
            let a = add(&mut sparse, element.as_bytes(), SPARSE_MAX_BYTES).unwrap();
            let b = add(&mut dense, element.as_bytes(), SPARSE_MAX_BYTES).unwrap();
            if !is_dense(&sparse) {
                assert_eq!(a, b);
                assert!(sparse.len() <= SPARSE_MAX_BYTES);
            }
            assert_eq!(registers_of(&sparse), registers_of(&dense));
        }
        assert!(is_dense(&sparse));
        let estimate = count(&dense).unwrap();
        assert!((1900..2100).contains(&estimate), "{estimate}");
    }

    #[test]
    fn corrupted_sparse_is_detected() {
        let mut hll = new_sparse();
        hll.pop();
        hll.pop();
        hll.push(0x00); // one ZERO opcode covering a single register
        assert_eq!(count(&hll), Err(Corrupted));
        assert!(add(&mut hll, b"x", SPARSE_MAX_BYTES).is_err());
        let mut max = [0u8; REGISTERS];
        assert_eq!(merge_into(&mut max, &hll), Err(Corrupted));
        assert_eq!(to_dense(&mut hll), Err(Corrupted));
    }

    #[test]
    fn validate_rejects_non_hll() {
        assert_eq!(validate(b"hello"), Err(NOT_HLL_ERROR));
        assert_eq!(validate(b"HYLL\x02..........."), Err(NOT_HLL_ERROR));
        assert_eq!(validate(b"HYLL\x00..........."), Err(NOT_HLL_ERROR));
        assert_eq!(validate(b"HYLL\x01..........."), Ok(()));
    }
}
