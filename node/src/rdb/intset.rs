//! Redis intset blobs (RDB type 11, SET_INTSET): `u32 LE width` (2, 4 or 8), `u32 LE count`,
//! then the integers sorted ascending, each `width` bytes LE.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    #[error("intset shorter than its header")]
    Truncated,
    #[error("intset width {0} is not 2, 4 or 8")]
    BadWidth(u32),
    #[error("intset of {count} values of {width} bytes does not fill {actual} bytes")]
    Size {
        width: u32,
        count: u32,
        actual: usize,
    },
    #[error("intset is empty")]
    Empty,
    #[error("intset values are not sorted and unique")]
    Unsorted,
    #[error("intset too large to encode")]
    TooLarge,
}

const HEADER_SIZE: usize = 8;

/// Encode a set of integers: sorted and deduplicated, at the narrowest width holding all of
/// them, as Redis's intset upgrades only as far as needed (an empty set stays at width 2).
pub fn encode(values: &[i64]) -> Result<Vec<u8>, Error> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let width: u32 = if sorted.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if sorted.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let count = u32::try_from(sorted.len()).map_err(|_| Error::TooLarge)?;
    let mut out = Vec::with_capacity(HEADER_SIZE + sorted.len() * width as usize);
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    for v in sorted {
        // Truncation is exact: the width was chosen so every value fits.
        out.extend_from_slice(&v.to_le_bytes()[..width as usize]);
    }
    Ok(out)
}

/// Decode and validate an intset the way Redis's `intsetValidateIntegrity` does: a known width,
/// a count that fills the blob exactly, at least one value (Redis refuses empty intsets in an
/// RDB), and strictly ascending values. Wider-than-needed widths are accepted, as in Redis.
pub fn decode(blob: &[u8]) -> Result<Vec<i64>, Error> {
    if blob.len() < HEADER_SIZE {
        return Err(Error::Truncated);
    }
    let width = u32::from_le_bytes([blob[0], blob[1], blob[2], blob[3]]);
    let count = u32::from_le_bytes([blob[4], blob[5], blob[6], blob[7]]);
    if !matches!(width, 2 | 4 | 8) {
        return Err(Error::BadWidth(width));
    }
    let body = &blob[HEADER_SIZE..];
    if (count as u64) * (width as u64) != body.len() as u64 {
        return Err(Error::Size {
            width,
            count,
            actual: blob.len(),
        });
    }
    if count == 0 {
        return Err(Error::Empty);
    }
    let values: Vec<i64> = body
        .chunks_exact(width as usize)
        .map(|c| match *c {
            [a, b] => i16::from_le_bytes([a, b]) as i64,
            [a, b, c, d] => i32::from_le_bytes([a, b, c, d]) as i64,
            [a, b, c, d, e, f, g, h] => i64::from_le_bytes([a, b, c, d, e, f, g, h]),
            // chunks_exact yields only `width`-sized chunks, and width was checked above.
            _ => 0,
        })
        .collect();
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::Unsorted);
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rdb_intset_width_boundaries() {
        let cases: &[(&[i64], u32)] = &[
            (&[0], 2),
            (&[i16::MIN as i64, i16::MAX as i64], 2),
            (&[i16::MAX as i64 + 1], 4),
            (&[i16::MIN as i64 - 1], 4),
            (&[i32::MIN as i64, i32::MAX as i64], 4),
            (&[i32::MAX as i64 + 1], 8),
            (&[i32::MIN as i64 - 1, 3], 8),
            (&[i64::MIN, i64::MAX, 0], 8),
        ];
        for &(values, width) in cases {
            let blob = encode(values).unwrap();
            assert_eq!(u32::from_le_bytes(blob[0..4].try_into().unwrap()), width);
            let mut expected = values.to_vec();
            expected.sort();
            assert_eq!(decode(&blob).unwrap(), expected);
        }
    }

    #[test]
    fn rdb_intset_sorts_and_dedups() {
        let blob = encode(&[5, -1, 5, 3]).unwrap();
        assert_eq!(blob, [2, 0, 0, 0, 3, 0, 0, 0, 0xFF, 0xFF, 3, 0, 5, 0]);
        assert_eq!(decode(&blob).unwrap(), [-1, 3, 5]);
    }

    #[test]
    fn rdb_intset_hostile_inputs_fail() {
        let blob = encode(&[1, 70000, -5]).unwrap();
        for cut in 0..blob.len() {
            assert!(decode(&blob[..cut]).is_err(), "cut at {cut}");
        }
        let mut w = blob.clone();
        w[0] = 3;
        assert_eq!(decode(&w), Err(Error::BadWidth(3)));
        let mut c = blob.clone();
        c[4] = 0xFF;
        c[7] = 0xFF;
        assert!(matches!(decode(&c), Err(Error::Size { .. })));
        let mut dup = blob.clone();
        dup.copy_within(8..12, 12);
        assert_eq!(decode(&dup), Err(Error::Unsorted));
        assert_eq!(decode(&encode(&[]).unwrap()), Err(Error::Empty));
        assert!(decode(&[8, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]).is_err());
    }
}
