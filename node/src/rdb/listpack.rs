//! Redis 7 listpack blobs, byte-exact with `listpack.c`.
//!
//! Layout: `u32 LE total bytes`, `u16 LE element count` (65535 when it does not fit), entries,
//! `0xFF`. Each entry is encoding + data followed by a backlen (the size of encoding + data,
//! 7 bits per byte, readable right to left) so the list can be walked backwards.

use thiserror::Error;

/// One element to store. `Bytes` goes through Redis's integer detection (`lpEncodeGetType`),
/// so `b"12"` and `Int(12)` produce the same entry, as they do in Redis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    Bytes(&'a [u8]),
    Int(i64),
}

/// One decoded element: listpacks keep integers as integers, so a reader sees which form was
/// stored (a caller wanting strings renders `Int` in decimal, as Redis does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Bytes(Vec<u8>),
    Int(i64),
}

impl Value {
    /// The element as Redis would reply with it: integers in decimal.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Value::Bytes(b) => b.clone(),
            Value::Int(v) => v.to_string().into_bytes(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("listpack shorter than its header")]
    Truncated,
    #[error("listpack total-bytes field {header} does not match the blob size {actual}")]
    TotalBytes { header: u32, actual: usize },
    #[error("listpack entry at offset {0} runs past the end")]
    EntryOverflow(usize),
    #[error("listpack entry at offset {0} has an invalid encoding byte")]
    BadEncoding(usize),
    #[error("listpack entry at offset {0} has a wrong backlen")]
    BadBacklen(usize),
    #[error("listpack has bytes after its 0xFF terminator")]
    TrailingBytes,
    #[error("listpack element count {header} in the header, {actual} entries found")]
    Count { header: u16, actual: usize },
    #[error("listpack too large to encode")]
    TooLarge,
}

const HEADER_SIZE: usize = 6;
const EOF: u8 = 0xFF;
/// Header count meaning "too many to count here; walk the entries".
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Encode `entries` as a listpack, choosing every entry's encoding as Redis does. Fails only
/// when the result would not fit the 32-bit size fields.
pub fn encode<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; HEADER_SIZE];
    let mut count: usize = 0;
    for entry in entries {
        let start = out.len();
        match entry {
            Entry::Int(v) => encode_int(&mut out, v),
            Entry::Bytes(b) => match wire::request::parse_i64(b) {
                Some(v) => encode_int(&mut out, v),
                None => encode_str(&mut out, b)?,
            },
        }
        let size = out.len() - start;
        push_backlen(&mut out, size);
        count += 1;
    }
    out.push(EOF);
    let total = u32::try_from(out.len()).map_err(|_| Error::TooLarge)?;
    let count = u16::try_from(count).unwrap_or(COUNT_UNKNOWN);
    out[0..4].copy_from_slice(&total.to_le_bytes());
    out[4..6].copy_from_slice(&count.to_le_bytes());
    Ok(out)
}

/// Encode byte strings (hash fields/values, list elements, zset members and scores as text).
pub fn encode_bytes<'a, I>(items: I) -> Result<Vec<u8>, Error>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    encode(items.into_iter().map(Entry::Bytes))
}

/// The smallest of Redis's integer encodings holding `v` (the order of `lpEncodeIntegerGetType`).
fn encode_int(out: &mut Vec<u8>, v: i64) {
    if (0..=127).contains(&v) {
        out.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        // 13-bit two's complement split over the low 5 bits of the tag byte and one more byte.
        let u = (v as u64) & 0x1FFF;
        out.push(0xC0 | (u >> 8) as u8);
        out.push(u as u8);
    } else if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
        out.push(0xF1);
        out.extend_from_slice(&(v as i16).to_le_bytes());
    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
        out.push(0xF2);
        out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        out.push(0xF3);
        out.extend_from_slice(&(v as i32).to_le_bytes());
    } else {
        out.push(0xF4);
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn encode_str(out: &mut Vec<u8>, b: &[u8]) -> Result<(), Error> {
    let len = b.len();
    if len < 64 {
        out.push(0x80 | len as u8);
    } else if len < 4096 {
        out.push(0xE0 | (len >> 8) as u8);
        out.push(len as u8);
    } else {
        let len = u32::try_from(len).map_err(|_| Error::TooLarge)?;
        out.push(0xF0);
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(b);
    Ok(())
}

/// `lpEncodeBacklen`: the leftmost byte has no high bit, every byte to its right has it set,
/// and the rightmost holds the lowest 7 bits. The thresholds (16383, not 16384, and so on) are
/// Redis's, kept as they are for byte-exactness.
fn backlen_bytes(size: usize) -> ([u8; 5], usize) {
    let l = size as u64;
    let mut buf = [0u8; 5];
    let n = if l <= 127 {
        buf[0] = l as u8;
        1
    } else if l < 16383 {
        buf[0] = (l >> 7) as u8;
        buf[1] = (l & 127) as u8 | 128;
        2
    } else if l < 2_097_151 {
        buf[0] = (l >> 14) as u8;
        buf[1] = ((l >> 7) & 127) as u8 | 128;
        buf[2] = (l & 127) as u8 | 128;
        3
    } else if l < 268_435_455 {
        buf[0] = (l >> 21) as u8;
        buf[1] = ((l >> 14) & 127) as u8 | 128;
        buf[2] = ((l >> 7) & 127) as u8 | 128;
        buf[3] = (l & 127) as u8 | 128;
        4
    } else {
        buf[0] = (l >> 28) as u8;
        buf[1] = ((l >> 21) & 127) as u8 | 128;
        buf[2] = ((l >> 14) & 127) as u8 | 128;
        buf[3] = ((l >> 7) & 127) as u8 | 128;
        buf[4] = (l & 127) as u8 | 128;
        5
    };
    (buf, n)
}

fn push_backlen(out: &mut Vec<u8>, size: usize) {
    let (buf, n) = backlen_bytes(size);
    out.extend_from_slice(&buf[..n]);
}

/// Decode and fully validate a listpack: header total bytes, every entry inside the blob with a
/// known encoding and the backlen Redis would have written, the terminator as the last byte,
/// and the header count (unless it is 65535).
pub fn decode(blob: &[u8]) -> Result<Vec<Value>, Error> {
    if blob.len() < HEADER_SIZE + 1 {
        return Err(Error::Truncated);
    }
    let total = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]);
    if total as usize != blob.len() {
        return Err(Error::TotalBytes {
            header: total,
            actual: blob.len(),
        });
    }
    let header_count = u16::from_le_bytes([blob[4], blob[5]]);
    let mut values = Vec::new();
    let mut pos = HEADER_SIZE;
    loop {
        let Some(&tag) = blob.get(pos) else {
            return Err(Error::EntryOverflow(pos));
        };
        if tag == EOF {
            if pos + 1 != blob.len() {
                return Err(Error::TrailingBytes);
            }
            break;
        }
        let (value, size) = decode_entry(blob, pos)?;
        let (expected, n) = backlen_bytes(size);
        let backlen_at = pos + size;
        match blob.get(backlen_at..backlen_at + n) {
            Some(found) if found == &expected[..n] => {}
            Some(_) => return Err(Error::BadBacklen(pos)),
            None => return Err(Error::EntryOverflow(pos)),
        }
        values.push(value);
        pos = backlen_at + n;
    }
    if header_count != COUNT_UNKNOWN && header_count as usize != values.len() {
        return Err(Error::Count {
            header: header_count,
            actual: values.len(),
        });
    }
    Ok(values)
}

/// One entry's value and the size of its encoding + data (the backlen's value).
fn decode_entry(blob: &[u8], pos: usize) -> Result<(Value, usize), Error> {
    let over = || Error::EntryOverflow(pos);
    let take = |from: usize, len: usize| -> Result<&[u8], Error> {
        from.checked_add(len)
            .and_then(|end| blob.get(from..end))
            .ok_or_else(over)
    };
    let tag = blob[pos];
    Ok(if tag & 0x80 == 0 {
        (Value::Int(tag as i64), 1)
    } else if tag & 0xC0 == 0x80 {
        let len = (tag & 0x3F) as usize;
        (Value::Bytes(take(pos + 1, len)?.to_vec()), 1 + len)
    } else if tag & 0xE0 == 0xC0 {
        let b = take(pos + 1, 1)?;
        let u = (((tag & 0x1F) as i64) << 8) | b[0] as i64;
        // Sign-extend from 13 bits.
        let v = if u >= 1 << 12 { u - (1 << 13) } else { u };
        (Value::Int(v), 2)
    } else if tag & 0xF0 == 0xE0 {
        let b = take(pos + 1, 1)?;
        let len = (((tag & 0x0F) as usize) << 8) | b[0] as usize;
        (Value::Bytes(take(pos + 2, len)?.to_vec()), 2 + len)
    } else {
        match tag {
            0xF0 => {
                let l = take(pos + 1, 4)?;
                let len = u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize;
                let size = 5usize.checked_add(len).ok_or_else(over)?;
                (Value::Bytes(take(pos + 5, len)?.to_vec()), size)
            }
            0xF1 => {
                let b = take(pos + 1, 2)?;
                (Value::Int(i16::from_le_bytes([b[0], b[1]]) as i64), 3)
            }
            0xF2 => {
                let b = take(pos + 1, 3)?;
                // Put the 3 bytes high in an i32 and shift back down to sign-extend.
                let v = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                (Value::Int(v as i64), 4)
            }
            0xF3 => {
                let b = take(pos + 1, 4)?;
                (
                    Value::Int(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64),
                    5,
                )
            }
            0xF4 => {
                let b = take(pos + 1, 8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                (Value::Int(i64::from_le_bytes(a)), 9)
            }
            _ => return Err(Error::BadEncoding(pos)),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(entries: &[Entry]) -> Vec<u8> {
        let blob = encode(entries.iter().copied()).unwrap();
        let decoded = decode(&blob).unwrap();
        assert_eq!(decoded.len(), entries.len());
        for (e, d) in entries.iter().zip(&decoded) {
            match e {
                Entry::Int(v) => assert_eq!(d, &Value::Int(*v)),
                Entry::Bytes(b) => assert_eq!(&d.to_bytes(), b),
            }
        }
        blob
    }

    /// Size of encoding + data for one integer, read from a one-entry listpack.
    fn int_entry(v: i64) -> Vec<u8> {
        let blob = roundtrip(&[Entry::Int(v)]);
        blob[HEADER_SIZE..blob.len() - 1].to_vec()
    }

    #[test]
    fn rdb_listpack_int_width_boundaries() {
        let cases: &[(i64, u8, usize)] = &[
            (0, 0x00, 1),
            (127, 0x7F, 1),
            (128, 0xC0, 2),
            (-1, 0xDF, 2),
            (4095, 0xCF, 2),
            (-4096, 0xD0, 2),
            (4096, 0xF1, 3),
            (-4097, 0xF1, 3),
            (32767, 0xF1, 3),
            (-32768, 0xF1, 3),
            (32768, 0xF2, 4),
            (-32769, 0xF2, 4),
            (8_388_607, 0xF2, 4),
            (-8_388_608, 0xF2, 4),
            (8_388_608, 0xF3, 5),
            (-8_388_609, 0xF3, 5),
            (i32::MAX as i64, 0xF3, 5),
            (i32::MIN as i64, 0xF3, 5),
            (i32::MAX as i64 + 1, 0xF4, 9),
            (i32::MIN as i64 - 1, 0xF4, 9),
            (i64::MAX, 0xF4, 9),
            (i64::MIN, 0xF4, 9),
        ];
        for &(v, tag, size) in cases {
            let e = int_entry(v);
            assert_eq!(e[0], tag, "tag of {v}");
            // encoding + data, then a 1-byte backlen holding that size.
            assert_eq!(e.len(), size + 1, "size of {v}");
            assert_eq!(e[size] as usize, size);
        }
    }

    #[test]
    fn rdb_listpack_string_length_boundaries() {
        for (len, tag, hdr) in [
            (0usize, 0x80u8, 1usize),
            (63, 0xBF, 1),
            (64, 0xE0, 2),
            (4095, 0xEF, 2),
            (4096, 0xF0, 5),
            (20000, 0xF0, 5),
        ] {
            let s = vec![b'x'; len];
            let blob = roundtrip(&[Entry::Bytes(&s)]);
            assert_eq!(blob[HEADER_SIZE], tag, "len {len}");
            let (bl, n) = backlen_bytes(hdr + len);
            assert_eq!(blob.len(), HEADER_SIZE + hdr + len + n + 1);
            assert_eq!(&blob[blob.len() - 1 - n..blob.len() - 1], &bl[..n]);
        }
    }

    #[test]
    fn rdb_listpack_backlen_thresholds() {
        for (size, n) in [
            (127, 1),
            (128, 2),
            (16382, 2),
            (16383, 3),
            (2_097_150, 3),
            (2_097_151, 4),
            (268_435_454, 4),
            (268_435_455, 5),
        ] {
            let (buf, got) = backlen_bytes(size);
            assert_eq!(got, n, "size {size}");
            // Read right to left as lpDecodeBacklen does.
            let mut val = 0u64;
            let mut shift = 0;
            for &b in buf[..n].iter().rev() {
                val |= ((b & 127) as u64) << shift;
                if b & 128 == 0 {
                    break;
                }
                shift += 7;
            }
            assert_eq!(val, size as u64);
        }
    }

    #[test]
    fn rdb_listpack_int_detection_on_strings() {
        // Canonical decimals become integers; anything string2ll refuses stays a string.
        let blob =
            encode_bytes([&b"12"[..], b"-5", b"007", b"+1", b"-0", b" 1", b"", b"abc"]).unwrap();
        let d = decode(&blob).unwrap();
        assert_eq!(d[0], Value::Int(12));
        assert_eq!(d[1], Value::Int(-5));
        for (i, s) in [&b"007"[..], b"+1", b"-0", b" 1", b"", b"abc"]
            .iter()
            .enumerate()
        {
            assert_eq!(d[i + 2], Value::Bytes(s.to_vec()));
        }
        let big = b"9223372036854775808";
        let blob = encode_bytes([&big[..], b"-9223372036854775808"]).unwrap();
        let d = decode(&blob).unwrap();
        assert_eq!(d[0], Value::Bytes(big.to_vec()));
        assert_eq!(d[1], Value::Int(i64::MIN));
    }

    #[test]
    fn rdb_listpack_empty_and_count_overflow() {
        let empty = encode([]).unwrap();
        assert_eq!(empty, [7, 0, 0, 0, 0, 0, 0xFF]);
        assert!(decode(&empty).unwrap().is_empty());
        let many = encode((0..70000).map(|i| Entry::Int(i % 100))).unwrap();
        assert_eq!(&many[4..6], &[0xFF, 0xFF]);
        assert_eq!(decode(&many).unwrap().len(), 70000);
    }

    fn sample() -> Vec<u8> {
        let long = vec![b'y'; 300];
        encode([
            Entry::Int(5),
            Entry::Bytes(b"hello"),
            Entry::Int(-3000),
            Entry::Int(100_000),
            Entry::Bytes(&long),
            Entry::Int(i64::MIN),
        ])
        .unwrap()
    }

    #[test]
    fn rdb_listpack_truncations_fail() {
        let blob = sample();
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_err(), "cut at {cut}");
            // Also with the header fixed up to the shorter size, so the entry checks are hit.
            if cut >= HEADER_SIZE {
                let mut t = blob[..cut].to_vec();
                t[0..4].copy_from_slice(&(cut as u32).to_le_bytes());
                assert!(decode(&t).is_err(), "fixed-up cut at {cut}");
            }
        }
    }

    #[test]
    fn rdb_listpack_hostile_inputs_fail() {
        let blob = sample();
        let mut bad_count = blob.clone();
        bad_count[4] = 5;
        assert!(matches!(decode(&bad_count), Err(Error::Count { .. })));
        let mut trailing = blob.clone();
        trailing.push(0);
        assert!(decode(&trailing).is_err());
        let mut bad_backlen = blob.clone();
        bad_backlen[HEADER_SIZE + 1] = 9;
        assert!(matches!(decode(&bad_backlen), Err(Error::BadBacklen(_))));
        let mut bad_tag = blob.clone();
        bad_tag[HEADER_SIZE] = 0xF5;
        assert!(matches!(decode(&bad_tag), Err(Error::BadEncoding(_))));
        // A 32-bit string length near u32::MAX must not overflow or allocate.
        let mut huge = vec![0u8; HEADER_SIZE];
        huge.extend_from_slice(&[0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        let n = huge.len() as u32;
        huge[0..4].copy_from_slice(&n.to_le_bytes());
        assert!(decode(&huge).is_err());
        // Every single-byte corruption either decodes or errors; never panics.
        for i in 0..blob.len() {
            for b in [0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xE0, 0xEF, 0xF0, 0xF4, 0xFF] {
                let mut m = blob.clone();
                m[i] = b;
                let _ = decode(&m);
            }
        }
    }

    #[test]
    fn rdb_listpack_random_mutations_never_panic() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let blob = sample();
        for _ in 0..20_000 {
            let mut m = blob.clone();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..m.len());
                m[i] = rng.random();
            }
            m.truncate(rng.random_range(0..=m.len()));
            // Keep the total-bytes field honest half the time so the entry walk is reached.
            if rng.random::<bool>() && m.len() >= 4 {
                let n = m.len() as u32;
                m[0..4].copy_from_slice(&n.to_le_bytes());
            }
            let _ = decode(&m);
        }
    }
}
