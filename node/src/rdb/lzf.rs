//! LZF compression in the format of the liblzf bundled with Redis (`lzf_c.c`/`lzf_d.c`), which
//! RDB files and DUMP payloads use for strings over 20 bytes.
//!
//! The compressor reproduces liblzf's choices (HLOG 16 hash, VERY_FAST re-hashing after a match,
//! the match-length loop with its 16-step unrolled first pass) so that it emits the same bytes as
//! Redis for the same input; that keeps our RDB output byte-comparable with Redis's.
//!
//! Format: control byte `c`; `c < 32`: `c + 1` literal bytes follow; otherwise a back reference
//! of length `(c >> 5) + 2` (if `c >> 5 == 7`, the next byte is added to the length) at distance
//! `((c & 0x1f) << 8 | next byte) + 1` back in the output.

/// Hash table size (liblzf's HLOG, as configured in Redis).
const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;
/// Longest literal run one control byte describes.
const MAX_LIT: usize = 1 << 5;
/// Farthest back reference.
const MAX_OFF: usize = 1 << 13;
/// Longest back reference.
const MAX_REF: usize = (1 << 8) + (1 << 3);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LzfError {
    /// The data decodes to more bytes than the caller's expected length.
    #[error("LZF data expands beyond the expected length")]
    OutputOverflow,
    /// The data ends in the middle of an instruction.
    #[error("truncated LZF data")]
    Truncated,
    /// A back reference points before the start of the output.
    #[error("LZF back reference out of range")]
    BadReference,
    /// The data decodes to fewer bytes than expected.
    #[error("LZF data shorter than the expected length")]
    ShortOutput,
}

/// Decompresses `input`, which must decode to exactly `out_len` bytes (RDB stores the original
/// length next to the compressed data, and Redis rejects any mismatch).
pub fn decompress(input: &[u8], out_len: usize) -> Result<Vec<u8>, LzfError> {
    // The bound keeps a hostile `out_len` from reserving memory the data cannot fill: one
    // 3-byte back reference expands to at most 264 bytes.
    let mut out = Vec::with_capacity(out_len.min(input.len().saturating_mul(MAX_REF)));
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = usize::from(input[ip]);
        ip += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let lit = input.get(ip..ip + run).ok_or(LzfError::Truncated)?;
            if out.len() + run > out_len {
                return Err(LzfError::OutputOverflow);
            }
            out.extend_from_slice(lit);
            ip += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += usize::from(*input.get(ip).ok_or(LzfError::Truncated)?);
                ip += 1;
            }
            len += 2;
            let low = usize::from(*input.get(ip).ok_or(LzfError::Truncated)?);
            ip += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            if out.len() + len > out_len {
                return Err(LzfError::OutputOverflow);
            }
            let start = out.len().checked_sub(back).ok_or(LzfError::BadReference)?;
            // Byte by byte: the source may overlap what this reference writes (runs).
            for i in start..start + len {
                let b = out[i];
                out.push(b);
            }
        }
    }
    if out.len() != out_len {
        return Err(LzfError::ShortOutput);
    }
    Ok(out)
}

/// Compresses `input` if the result is strictly smaller; `None` otherwise (the caller then
/// stores the bytes raw).
pub fn compress(input: &[u8]) -> Option<Vec<u8>> {
    compress_bounded(input, input.len().saturating_sub(1))
}

/// Compresses `input` into at most `out_len` bytes, `None` if it does not fit (or either is
/// empty). This is liblzf's `lzf_compress(in, in_len, out, out_len)` including its exact
/// give-up points: Redis calls it with `out_len = len - 4`, and whether compression "helps"
/// decides the RDB bytes, so the bound must behave the same.
pub fn compress_bounded(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    if input.is_empty() || out_len == 0 {
        return None;
    }
    HTAB.with(|cell| {
        let mut guard = cell.borrow_mut();
        let htab = guard.get_or_insert_with(|| vec![0u32; HSIZE]);
        let out = compress_with_table(input, out_len, htab);
        // Leave the table all zero for the next call. Every slot this call wrote is the hash
        // of some 3-byte window of the input, so for short inputs re-hashing the windows is
        // cheaper than clearing 64 Ki entries.
        if input.len() < HSIZE / 4 {
            for p in 0..input.len().saturating_sub(2) {
                htab[idx(window(input, p))] = 0;
            }
        } else {
            htab.fill(0);
        }
        out
    })
}

thread_local! {
    /// The hash table (last position seen per 3-byte hash), reused across calls: it is 256 KiB
    /// and RDB saving compresses every string over 20 bytes. Zero means "none": liblzf never
    /// matches against position 0 either (`ref > in_data`). liblzf leaves its table
    /// uninitialised; stale entries there (and here, should a call be interrupted) are harmless
    /// because every candidate is range- and content-checked.
    static HTAB: std::cell::RefCell<Option<Vec<u32>>> = const { std::cell::RefCell::new(None) };
}

/// The input byte at `i` (0 past the end: liblzf reads one byte past a 2-byte input there, and
/// the value is never used).
fn at(input: &[u8], i: usize) -> u32 {
    u32::from(input.get(i).copied().unwrap_or(0))
}

/// The 3-byte window at `p`, as liblzf's `FRST` + `NEXT` build it.
fn window(input: &[u8], p: usize) -> u32 {
    (at(input, p) << 16) | (at(input, p + 1) << 8) | at(input, p + 2)
}

/// liblzf's VERY_FAST hash. Only the low 24 bits of `h` matter, so the running `hval` (which
/// carries older bytes above them) and [`window`] give the same slot.
fn idx(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

/// The liblzf loop proper. Positions are stored as `u32` like liblzf's; beyond 4 GiB they
/// wrap, which can only cost matches (candidates are checked), never correctness.
fn compress_with_table(input: &[u8], out_len: usize, htab: &mut [u32]) -> Option<Vec<u8>> {
    let in_len = input.len();
    // liblzf's output never exceeds `in_len + in_len / 32 + 1`, so a larger bound changes
    // nothing; capping it keeps a huge bound from sizing the buffer.
    let out_len = out_len.min(in_len.saturating_mul(2).saturating_add(64));
    // Slack past `out_len`: liblzf may write a run header or a literal just past the bound
    // before noticing, and checks afterwards.
    let mut out = vec![0u8; out_len + 8];
    let out_end = out_len;
    let frst = |p: usize| -> u32 { (at(input, p) << 8) | at(input, p + 1) };
    let next = |v: u32, p: usize| -> u32 { (v << 8) | at(input, p + 2) };

    let mut ip = 0usize;
    // `op` indexes the next output byte; the current literal run's header sits at
    // `op - lit - 1`.
    let mut op = 1usize;
    let mut lit = 0usize;
    let mut hval = frst(ip);
    while ip + 2 < in_len {
        hval = next(hval, ip);
        let slot = idx(hval);
        let r = htab[slot] as usize;
        htab[slot] = ip as u32;
        let is_match = r < ip
            && ip - r - 1 < MAX_OFF
            && ip + 4 < in_len
            && r > 0
            && input[r..r + 3] == input[ip..ip + 3];
        if is_match {
            let off = ip - r - 1;
            let mut len = 2usize;
            let maxlen = (in_len - ip - len).min(MAX_REF);

            // Close the literal run (or drop its header if empty).
            out[op - lit - 1] = (lit as u8).wrapping_sub(1);
            if lit == 0 {
                op -= 1;
            }
            if op + 3 + 1 >= out_end {
                return None;
            }
            // liblzf's unrolled first pass checks up to 16 bytes without looking at `maxlen`
            // (safe because `maxlen > 16`), then continues one by one; reproduced so the
            // match lengths, and hence the bytes, are the same.
            let mut done = false;
            if maxlen > 16 {
                for _ in 0..16 {
                    len += 1;
                    if input[r + len] != input[ip + len] {
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                loop {
                    len += 1;
                    if !(len < maxlen && input[r + len] == input[ip + len]) {
                        break;
                    }
                }
            }

            len -= 2; // as stored: the match length minus 2
            ip += 1;
            if len < 7 {
                out[op] = ((off >> 8) + (len << 5)) as u8;
                op += 1;
            } else {
                out[op] = ((off >> 8) + (7 << 5)) as u8;
                out[op + 1] = (len - 7) as u8;
                op += 2;
            }
            out[op] = off as u8;
            op += 1;
            lit = 0;
            op += 1; // header slot of the next literal run

            ip += len + 1;
            if ip + 2 >= in_len {
                break;
            }
            // VERY_FAST: hash the last two positions of the match so later data can refer
            // into it.
            ip -= 2;
            hval = frst(ip);
            hval = next(hval, ip);
            htab[idx(hval)] = ip as u32;
            ip += 1;
            hval = next(hval, ip);
            htab[idx(hval)] = ip as u32;
            ip += 1;
        } else {
            if op >= out_end {
                return None;
            }
            out[op] = input[ip];
            op += 1;
            ip += 1;
            lit += 1;
            if lit == MAX_LIT {
                out[op - lit - 1] = (lit - 1) as u8;
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_end {
        return None;
    }
    while ip < in_len {
        out[op] = input[ip];
        op += 1;
        ip += 1;
        lit += 1;
        if lit == MAX_LIT {
            out[op - lit - 1] = (lit - 1) as u8;
            lit = 0;
            op += 1;
        }
    }
    out[op - lit - 1] = (lit as u8).wrapping_sub(1);
    if lit == 0 {
        op -= 1;
    }
    out.truncate(op);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    fn roundtrip(data: &[u8]) {
        if let Some(c) = compress(data) {
            assert!(c.len() < data.len());
            assert_eq!(decompress(&c, data.len()).unwrap(), data);
        }
        // With room to spare compression always succeeds (worst case ~ len * 33/32 + 1).
        let c = compress_bounded(data, data.len() + data.len() / 16 + 16);
        if !data.is_empty() {
            let c = c.unwrap();
            assert_eq!(decompress(&c, data.len()).unwrap(), data);
        }
    }

    #[test]
    fn roundtrips() {
        let mut rng = StdRng::seed_from_u64(7);
        for len in [0usize, 1, 2, 3, 4, 5, 16, 31, 32, 33, 100, 1000, 20_000] {
            let random: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            roundtrip(&random);
            let small_alphabet: Vec<u8> = (0..len).map(|_| rng.random_range(b'a'..b'e')).collect();
            roundtrip(&small_alphabet);
            roundtrip(&vec![b'x'; len]);
            let pattern: Vec<u8> = b"abcdefgh".iter().copied().cycle().take(len).collect();
            roundtrip(&pattern);
        }
        // Long runs: matches of the maximum length, and references at the maximum distance.
        let mut far: Vec<u8> = (0..MAX_OFF + 100).map(|_| rng.random()).collect();
        let head = far[..300].to_vec();
        far.extend_from_slice(&head);
        roundtrip(&far);
    }

    #[test]
    fn compressible_is_compressed() {
        let data = b"abcdefgh".repeat(200);
        let c = compress(&data).unwrap();
        assert!(c.len() < 100, "{}", c.len());
        assert_eq!(compress(b"abc"), None);
        assert_eq!(
            compress_bounded(b"abc", usize::MAX).unwrap(),
            [2, b'a', b'b', b'c']
        );
        assert_eq!(compress_bounded(&data, 5), None);
        assert_eq!(compress(b""), None);
    }

    /// The shared hash table is left clean: a call's output does not depend on earlier calls
    /// (short inputs clear their slots, long ones the whole table).
    #[test]
    fn output_independent_of_earlier_calls() {
        let mut rng = StdRng::seed_from_u64(3);
        let a: Vec<u8> = (0..3000).map(|_| rng.random_range(b'a'..b'h')).collect();
        let big: Vec<u8> = (0..100_000).map(|_| rng.random_range(b'a'..b'h')).collect();
        let first = compress(&a);
        for other in [&a[100..], &a[..2000], &big[..], &a[7..900]] {
            compress(other);
            assert_eq!(compress(&a), first);
        }
    }

    #[test]
    fn hostile_inputs_error() {
        // Truncated literal run, truncated back reference, reference before the start,
        // overlong and short output.
        assert_eq!(decompress(&[5, b'a'], 6), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0, b'a', 0xe0], 20), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0, b'a', 0x20], 3), Err(LzfError::Truncated));
        assert_eq!(
            decompress(&[0, b'a', 0x20, 1], 4),
            Err(LzfError::BadReference)
        );
        assert_eq!(
            decompress(&[1, b'a', b'b'], 1),
            Err(LzfError::OutputOverflow)
        );
        assert_eq!(decompress(&[1, b'a', b'b'], 3), Err(LzfError::ShortOutput));
        assert_eq!(
            decompress(&[0, b'a', 0xe0, 0xff, 0], usize::MAX),
            Err(LzfError::ShortOutput)
        );
        assert_eq!(decompress(&[], 0), Ok(vec![]));
        let mut rng = StdRng::seed_from_u64(11);
        for _ in 0..20_000 {
            let len = rng.random_range(0..40);
            let data: Vec<u8> = (0..len).map(|_| rng.random()).collect();
            let _ = decompress(&data, rng.random_range(0..2000));
        }
    }
}
