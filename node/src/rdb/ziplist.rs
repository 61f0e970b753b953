//! Decoders for the pre-7.0 compact encodings found in older RDB files: ziplists (RDB types
//! 10, 12, 13 and quicklist v1 nodes) and zipmaps (type 9, Redis ≤ 2.4 hashes). Redis 7 never
//! writes either, so only decoding exists here.
//!
//! Ziplist layout: `u32 LE zlbytes`, `u32 LE zltail` (offset of the last entry), `u16 LE zllen`
//! (65535 when it does not fit), entries, `0xFF`. An entry is the previous entry's size (1 byte
//! below 254, else `0xFE` + u32 LE), an encoding, and the data.

use thiserror::Error;

pub use super::listpack::Value;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("ziplist shorter than its header")]
    Truncated,
    #[error("ziplist zlbytes {header} does not match the blob size {actual}")]
    TotalBytes { header: u32, actual: usize },
    #[error("ziplist zltail {header} does not point at the last entry ({actual})")]
    Tail { header: u32, actual: usize },
    #[error("ziplist entry at offset {0} runs past the end")]
    EntryOverflow(usize),
    #[error("ziplist entry at offset {0} has an invalid encoding byte")]
    BadEncoding(usize),
    #[error("ziplist entry at offset {0} has a wrong previous-entry length")]
    BadPrevlen(usize),
    #[error("ziplist has bytes after its 0xFF terminator")]
    TrailingBytes,
    #[error("ziplist element count {header} in the header, {actual} entries found")]
    Count { header: u16, actual: usize },
    #[error("zipmap is malformed at offset {0}")]
    Zipmap(usize),
}

/// One hash field and its value, as a zipmap stores them.
pub type FieldValue = (Vec<u8>, Vec<u8>);

const HEADER_SIZE: usize = 10;
const END: u8 = 0xFF;
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Decode and validate a ziplist as Redis's `ziplistValidateIntegrity` does: sizes, every entry
/// inside the blob, each prevlen equal to the previous entry's size, zltail at the last entry,
/// the terminator last, and the count (unless 65535).
pub fn decode(blob: &[u8]) -> Result<Vec<Value>, Error> {
    if blob.len() < HEADER_SIZE + 1 {
        return Err(Error::Truncated);
    }
    let zlbytes = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]);
    let zltail = u32::from_le_bytes([blob[4], blob[5], blob[6], blob[7]]);
    let zllen = u16::from_le_bytes([blob[8], blob[9]]);
    if zlbytes as usize != blob.len() {
        return Err(Error::TotalBytes {
            header: zlbytes,
            actual: blob.len(),
        });
    }
    let mut values = Vec::new();
    let mut pos = HEADER_SIZE;
    let mut last_entry = HEADER_SIZE;
    let mut prev_size = 0usize;
    loop {
        let Some(&first) = blob.get(pos) else {
            return Err(Error::EntryOverflow(pos));
        };
        if first == END {
            if pos + 1 != blob.len() {
                return Err(Error::TrailingBytes);
            }
            break;
        }
        let (prevlen, prevlen_size) = if first < 0xFE {
            (first as usize, 1)
        } else {
            // 0xFE + u32 LE; Redis may use this long form even for small sizes (it avoids
            // cascading rewrites), so both forms are accepted for any value.
            let b = blob
                .get(pos + 1..pos + 5)
                .ok_or(Error::EntryOverflow(pos))?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 5)
        };
        if prevlen != prev_size {
            return Err(Error::BadPrevlen(pos));
        }
        let (value, end) = decode_entry(blob, pos, pos + prevlen_size)?;
        values.push(value);
        last_entry = pos;
        prev_size = end - pos;
        pos = end;
    }
    // Like Redis, the tail is only checked when there is a last entry to point at.
    if !values.is_empty() && zltail as usize != last_entry {
        return Err(Error::Tail {
            header: zltail,
            actual: last_entry,
        });
    }
    if zllen != COUNT_UNKNOWN && zllen as usize != values.len() {
        return Err(Error::Count {
            header: zllen,
            actual: values.len(),
        });
    }
    Ok(values)
}

/// The value of the entry whose encoding starts at `at`, and the offset just past its data.
fn decode_entry(blob: &[u8], entry: usize, at: usize) -> Result<(Value, usize), Error> {
    let over = || Error::EntryOverflow(entry);
    let take = |from: usize, len: usize| -> Result<&[u8], Error> {
        from.checked_add(len)
            .and_then(|end| blob.get(from..end))
            .ok_or_else(over)
    };
    let enc = *blob.get(at).ok_or_else(over)?;
    let string = |hdr: usize, len: usize| -> Result<(Value, usize), Error> {
        let data = take(at + hdr, len)?;
        Ok((Value::Bytes(data.to_vec()), at + hdr + len))
    };
    match enc >> 6 {
        0 => return string(1, (enc & 0x3F) as usize),
        1 => {
            let b = take(at + 1, 1)?;
            return string(2, (((enc & 0x3F) as usize) << 8) | b[0] as usize);
        }
        // Redis masks string encodings with 0xC0, so any 10xxxxxx byte is the 32-bit form.
        2 => {
            let b = take(at + 1, 4)?;
            return string(5, u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize);
        }
        _ => {}
    }
    let int =
        |len: usize| -> Result<(&[u8], usize), Error> { Ok((take(at + 1, len)?, at + 1 + len)) };
    let (v, end) = match enc {
        0xC0 => {
            let (b, end) = int(2)?;
            (i16::from_le_bytes([b[0], b[1]]) as i64, end)
        }
        0xD0 => {
            let (b, end) = int(4)?;
            (i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64, end)
        }
        0xE0 => {
            let (b, end) = int(8)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            (i64::from_le_bytes(a), end)
        }
        0xF0 => {
            let (b, end) = int(3)?;
            // Place the 3 bytes high and shift back down to sign-extend.
            ((i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as i64, end)
        }
        0xFE => {
            let (b, end) = int(1)?;
            (b[0] as i8 as i64, end)
        }
        0xF1..=0xFD => (((enc & 0x0F) as i64) - 1, at + 1),
        _ => return Err(Error::BadEncoding(entry)),
    };
    Ok((Value::Int(v), end))
}

/// Decode and validate a zipmap (Redis ≤ 2.4 small hash): a count byte (254 or more = unknown),
/// then `<len> key <len> <free> value <free bytes>` pairs, then `0xFF`. A length byte below 254
/// is the length; 254 means a u32 LE length follows. Like Redis, an empty zipmap, a wrong count
/// or duplicate keys are refused.
pub fn decode_zipmap(blob: &[u8]) -> Result<Vec<FieldValue>, Error> {
    let bad = |at: usize| Error::Zipmap(at);
    let header_count = *blob.first().ok_or(bad(0))?;
    let mut pos = 1usize;
    let read_len = |pos: &mut usize| -> Result<Option<usize>, Error> {
        let b = *blob.get(*pos).ok_or(bad(*pos))?;
        match b {
            0..=253 => {
                *pos += 1;
                Ok(Some(b as usize))
            }
            254 => {
                let l = blob.get(*pos + 1..*pos + 5).ok_or(bad(*pos))?;
                *pos += 5;
                Ok(Some(u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize))
            }
            _ => Ok(None),
        }
    };
    let take = |pos: &mut usize, len: usize| -> Result<&[u8], Error> {
        let end = pos.checked_add(len).ok_or(bad(*pos))?;
        let s = blob.get(*pos..end).ok_or(bad(*pos))?;
        *pos = end;
        Ok(s)
    };
    let mut pairs: Vec<FieldValue> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    loop {
        let at = pos;
        let Some(klen) = read_len(&mut pos)? else {
            // 0xFF ends the map; it must be the last byte.
            if pos + 1 != blob.len() {
                return Err(bad(pos));
            }
            break;
        };
        let key = take(&mut pos, klen)?.to_vec();
        let vlen = read_len(&mut pos)?.ok_or(bad(pos))?;
        let free = *blob.get(pos).ok_or(bad(pos))? as usize;
        pos += 1;
        let value = take(&mut pos, vlen)?.to_vec();
        take(&mut pos, free)?;
        if !seen.insert(key.clone()) {
            return Err(bad(at));
        }
        pairs.push((key, value));
    }
    if pairs.is_empty() || (header_count < 254 && header_count as usize != pairs.len()) {
        return Err(bad(0));
    }
    Ok(pairs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test-only ziplist writer (Redis's choices: smallest int encoding, short prevlen when
    /// it fits), to build inputs for the decoder.
    enum E<'a> {
        S(&'a [u8]),
        I(i64),
    }

    fn build(entries: &[E]) -> Vec<u8> {
        let mut out = vec![0u8; HEADER_SIZE];
        let mut prev = 0usize;
        let mut tail = HEADER_SIZE;
        for e in entries {
            let start = out.len();
            tail = start;
            if prev < 254 {
                out.push(prev as u8);
            } else {
                out.push(0xFE);
                out.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            match e {
                E::S(s) => {
                    let l = s.len();
                    if l < 64 {
                        out.push(l as u8);
                    } else if l < 16384 {
                        out.push(0x40 | (l >> 8) as u8);
                        out.push(l as u8);
                    } else {
                        out.push(0x80);
                        out.extend_from_slice(&(l as u32).to_be_bytes());
                    }
                    out.extend_from_slice(s);
                }
                E::I(v) => {
                    let v = *v;
                    if (0..=12).contains(&v) {
                        out.push(0xF1 + v as u8);
                    } else if i8::try_from(v).is_ok() {
                        out.push(0xFE);
                        out.push(v as i8 as u8);
                    } else if i16::try_from(v).is_ok() {
                        out.push(0xC0);
                        out.extend_from_slice(&(v as i16).to_le_bytes());
                    } else if (-(1 << 23)..(1 << 23)).contains(&v) {
                        out.push(0xF0);
                        out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
                    } else if i32::try_from(v).is_ok() {
                        out.push(0xD0);
                        out.extend_from_slice(&(v as i32).to_le_bytes());
                    } else {
                        out.push(0xE0);
                        out.extend_from_slice(&v.to_le_bytes());
                    }
                }
            }
            prev = out.len() - start;
        }
        out.push(END);
        let n = out.len() as u32;
        out[0..4].copy_from_slice(&n.to_le_bytes());
        out[4..8].copy_from_slice(&(tail as u32).to_le_bytes());
        let count = u16::try_from(entries.len()).unwrap_or(COUNT_UNKNOWN);
        out[8..10].copy_from_slice(&count.to_le_bytes());
        out
    }

    fn sample_entries() -> Vec<E<'static>> {
        static LONG: [u8; 300] = [b'z'; 300];
        static HUGE: [u8; 16384] = [b'h'; 16384];
        vec![
            E::I(0),
            E::I(12),
            E::I(13),
            E::I(-128),
            E::I(127),
            E::I(-129),
            E::I(i16::MAX as i64),
            E::I(i16::MIN as i64),
            E::I(i16::MAX as i64 + 1),
            E::I(8_388_607),
            E::I(-8_388_608),
            E::I(8_388_608),
            E::I(i32::MIN as i64),
            E::I(i32::MAX as i64 + 1),
            E::I(i64::MIN),
            E::I(i64::MAX),
            E::S(b""),
            E::S(&LONG[..63]),
            E::S(&LONG[..64]),
            E::S(&LONG),
            E::S(&HUGE[..16383]),
            E::S(&HUGE),
            E::S(b"after a long one"),
        ]
    }

    #[test]
    fn rdb_ziplist_decodes_every_encoding() {
        let entries = sample_entries();
        let blob = build(&entries);
        let got = decode(&blob).unwrap();
        assert_eq!(got.len(), entries.len());
        for (e, g) in entries.iter().zip(&got) {
            match e {
                E::S(s) => assert_eq!(g, &Value::Bytes(s.to_vec())),
                E::I(v) => assert_eq!(g, &Value::Int(*v)),
            }
        }
        // The entry after a 16 KiB string has a 5-byte prevlen.
        assert!(blob.windows(1).any(|w| w[0] == 0xFE));
        let empty = build(&[]);
        assert!(decode(&empty).unwrap().is_empty());
    }

    #[test]
    fn rdb_ziplist_hostile_inputs_fail() {
        let blob = build(&[
            E::I(5),
            E::S(b"abc"),
            E::I(-300),
            E::I(1 << 40),
            E::S(&[b'q'; 70]),
        ]);
        assert_eq!(decode(&blob).unwrap().len(), 5);
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_err(), "cut at {cut}");
            if cut >= 4 {
                let mut t = blob[..cut].to_vec();
                t[0..4].copy_from_slice(&(cut as u32).to_le_bytes());
                assert!(decode(&t).is_err(), "fixed-up cut at {cut}");
            }
        }
        let mut tail = blob.clone();
        tail[4] = tail[4].wrapping_add(1);
        assert!(matches!(decode(&tail), Err(Error::Tail { .. })));
        let mut count = blob.clone();
        count[8] = 9;
        assert!(matches!(decode(&count), Err(Error::Count { .. })));
        let mut prevlen = blob.clone();
        prevlen[HEADER_SIZE + 2] = 7; // second entry's prevlen
        assert!(matches!(decode(&prevlen), Err(Error::BadPrevlen(_))));
        let mut enc = blob.clone();
        enc[HEADER_SIZE + 1] = 0xC1;
        assert!(matches!(decode(&enc), Err(Error::BadEncoding(_))));
        for i in 0..blob.len() {
            for b in [0x00, 0x3F, 0x40, 0x80, 0xC0, 0xE0, 0xF0, 0xFE, 0xFF] {
                let mut m = blob.clone();
                m[i] = b;
                let _ = decode(&m);
            }
        }
    }

    #[test]
    fn rdb_zipmap_decodes_and_validates() {
        // {"a": "1", "key": <300 bytes>} with 2 free bytes after the first value.
        let mut zm = vec![2u8, 1, b'a', 1, 2, b'1', 0, 0, 3, b'k', b'e', b'y', 254];
        zm.extend_from_slice(&300u32.to_le_bytes());
        zm.push(0);
        zm.extend_from_slice(&[b'v'; 300]);
        zm.push(0xFF);
        let got = decode_zipmap(&zm).unwrap();
        assert_eq!(got[0], (b"a".to_vec(), b"1".to_vec()));
        assert_eq!(got[1], (b"key".to_vec(), vec![b'v'; 300]));
        // Unknown count (254) is fine.
        let mut unknown = zm.clone();
        unknown[0] = 254;
        assert_eq!(decode_zipmap(&unknown).unwrap().len(), 2);
        for cut in 0..zm.len() {
            assert!(decode_zipmap(&zm[..cut]).is_err(), "cut at {cut}");
        }
        let mut count = zm.clone();
        count[0] = 3;
        assert!(decode_zipmap(&count).is_err());
        let mut trailing = zm.clone();
        trailing.push(0);
        assert!(decode_zipmap(&trailing).is_err());
        assert!(decode_zipmap(&[0, 0xFF]).is_err());
        let dup = [2u8, 1, b'a', 1, 0, b'1', 1, b'a', 1, 0, b'2', 0xFF];
        assert!(decode_zipmap(&dup).is_err());
        let huge = [1u8, 254, 0xFF, 0xFF, 0xFF, 0xFF];
        assert!(decode_zipmap(&huge).is_err());
    }

    #[test]
    fn rdb_ziplist_random_mutations_never_panic() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let blob = build(&[
            E::I(5),
            E::S(b"abc"),
            E::I(-300),
            E::I(1 << 40),
            E::S(&[b'q'; 300]),
        ]);
        let mut zm = vec![2u8, 1, b'a', 1, 2, b'1', 0, 0, 3, b'k', b'e', b'y', 3, 0];
        zm.extend_from_slice(b"val");
        zm.push(0xFF);
        for _ in 0..20_000 {
            for base in [&blob, &zm] {
                let mut m = base.clone();
                for _ in 0..rng.random_range(1..4) {
                    let i = rng.random_range(0..m.len());
                    m[i] = rng.random();
                }
                m.truncate(rng.random_range(0..=m.len()));
                if rng.random::<bool>() && m.len() >= 4 {
                    let n = m.len() as u32;
                    m[0..4].copy_from_slice(&n.to_le_bytes());
                }
                let _ = decode(&m);
                let _ = decode_zipmap(&m);
            }
        }
    }
}
