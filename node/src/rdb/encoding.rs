//! RDB length and string encodings (and the small fixed-size fields next to them), for writing
//! into a `Vec<u8>` and reading from a [`Reader`] that reports malformed or truncated input as
//! an error instead of panicking: RDB files and RESTORE payloads come from outside.

use super::lzf;

/// First-byte tags of the length encoding (top two bits).
const LEN_6BIT: u8 = 0;
const LEN_14BIT: u8 = 1;
const LEN_32BIT: u8 = 0x80;
const LEN_64BIT: u8 = 0x81;
const LEN_ENCVAL: u8 = 3;

/// Special string encodings (`11xxxxxx`, low six bits).
const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// Redis only tries the integer form for strings this short ("-2147483648" is 11 chars).
const INT_ENCODING_MAX_LEN: usize = 11;
/// Redis only tries LZF for strings longer than this.
const LZF_MIN_LEN: usize = 20;

/// ZSET (type 3) ASCII scores: these length bytes stand for special values.
const SCORE_NAN: u8 = 253;
const SCORE_POS_INF: u8 = 254;
const SCORE_NEG_INF: u8 = 255;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unexpected end of RDB data")]
    Truncated,
    #[error("unknown RDB string encoding {0}")]
    UnknownEncoding(u8),
    #[error("encoded string where a length was expected")]
    UnexpectedEncoding,
    #[error("RDB length {0} too large")]
    LengthTooLarge(u64),
    #[error("invalid LZF string: {0}")]
    Lzf(#[from] lzf::LzfError),
    #[error("invalid double score")]
    BadDouble,
}

/// A special string encoding announced by a `11xxxxxx` length byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringEncoding {
    Int8,
    Int16,
    Int32,
    Lzf,
}

/// What a length field holds: a plain length, or the tag of a specially encoded string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    Len(u64),
    Encoded(StringEncoding),
}

/// Appends `len` in the shortest length encoding.
pub fn write_len(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push((LEN_6BIT << 6) | len as u8);
    } else if len < 1 << 14 {
        out.push((LEN_14BIT << 6) | (len >> 8) as u8);
        out.push(len as u8);
    } else if let Ok(len32) = u32::try_from(len) {
        out.push(LEN_32BIT);
        out.extend_from_slice(&len32.to_be_bytes());
    } else {
        out.push(LEN_64BIT);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// The value of `s` if it is the canonical decimal form of an integer ("-0", "007", "+1",
/// " 1" are not: reading back must give the same bytes).
fn canonical_int(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > INT_ENCODING_MAX_LEN {
        return None;
    }
    let v: i64 = std::str::from_utf8(s).ok()?.parse().ok()?;
    let mut buf = itoa::Buffer::new();
    (buf.format(v).as_bytes() == s).then_some(v)
}

/// Appends the integer form of `s` if Redis would use one; false otherwise.
fn write_int_encoded(out: &mut Vec<u8>, s: &[u8]) -> bool {
    let Some(v) = canonical_int(s) else {
        return false;
    };
    let tag = LEN_ENCVAL << 6;
    if let Ok(v) = i8::try_from(v) {
        out.push(tag | ENC_INT8);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = i16::try_from(v) {
        out.push(tag | ENC_INT16);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = i32::try_from(v) {
        out.push(tag | ENC_INT32);
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// Appends the string `s` the way Redis's `rdbSaveRawString` does: integer encoding when `s`
/// is a canonical 32-bit decimal, else LZF when `compress` is on, `s` is over 20 bytes and LZF
/// saves at least 4 bytes (`lzf_compress` bounded to `len - 4`), else length + raw bytes.
pub fn write_string(out: &mut Vec<u8>, s: &[u8], compress: bool) {
    if s.len() <= INT_ENCODING_MAX_LEN && write_int_encoded(out, s) {
        return;
    }
    if compress
        && s.len() > LZF_MIN_LEN
        && let Some(c) = lzf::compress_bounded(s, s.len() - 4)
    {
        out.push((LEN_ENCVAL << 6) | ENC_LZF);
        write_len(out, c.len() as u64);
        write_len(out, s.len() as u64);
        out.extend_from_slice(&c);
        return;
    }
    write_len(out, s.len() as u64);
    out.extend_from_slice(s);
}

/// Appends a double as 8 bytes little-endian (ZSET_2 scores, module doubles).
pub fn write_binary_double(out: &mut Vec<u8>, v: f64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a double in the old ZSET (type 3) form: a length byte then ASCII, with 253/254/255
/// for NaN/+inf/-inf. The text is the shortest form that reads back to the same value (Redis
/// writes `%.17g`; both parse to the identical double).
pub fn write_ascii_double(out: &mut Vec<u8>, v: f64) {
    if v.is_nan() {
        out.push(SCORE_NAN);
    } else if v.is_infinite() {
        out.push(if v > 0.0 {
            SCORE_POS_INF
        } else {
            SCORE_NEG_INF
        });
    } else {
        // Exponent form keeps the text short for huge/tiny values (at most ~24 bytes).
        let s = format!("{v:e}");
        out.push(s.len() as u8);
        out.extend_from_slice(s.as_bytes());
    }
}

/// Appends a millisecond Unix time (EXPIRETIME_MS), 8 bytes little-endian.
pub fn write_millis(out: &mut Vec<u8>, ms: i64) {
    out.extend_from_slice(&ms.to_le_bytes());
}

/// A cursor over RDB bytes. Every read checks bounds and fails with [`DecodeError`].
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    pub fn read_u8(&mut self) -> Result<u8, DecodeError> {
        let b = *self.buf.get(self.pos).ok_or(DecodeError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    /// The next `n` bytes. Checked against what is left before anything is allocated, so a
    /// hostile length cannot reserve memory.
    pub fn read_bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).ok_or(DecodeError::Truncated)?;
        let s = self.buf.get(self.pos..end).ok_or(DecodeError::Truncated)?;
        self.pos = end;
        Ok(s)
    }

    fn read_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.read_bytes(N)?);
        Ok(a)
    }

    /// A length field, or the tag of a special string encoding.
    pub fn read_len(&mut self) -> Result<Length, DecodeError> {
        let b = self.read_u8()?;
        match b >> 6 {
            LEN_6BIT => Ok(Length::Len(u64::from(b & 0x3f))),
            LEN_14BIT => {
                let lo = self.read_u8()?;
                Ok(Length::Len((u64::from(b & 0x3f) << 8) | u64::from(lo)))
            }
            LEN_ENCVAL => Ok(Length::Encoded(match b & 0x3f {
                ENC_INT8 => StringEncoding::Int8,
                ENC_INT16 => StringEncoding::Int16,
                ENC_INT32 => StringEncoding::Int32,
                ENC_LZF => StringEncoding::Lzf,
                other => return Err(DecodeError::UnknownEncoding(other)),
            })),
            _ => match b {
                LEN_32BIT => Ok(Length::Len(u64::from(u32::from_be_bytes(
                    self.read_array()?,
                )))),
                LEN_64BIT => Ok(Length::Len(u64::from_be_bytes(self.read_array()?))),
                other => Err(DecodeError::UnknownEncoding(other)),
            },
        }
    }

    /// A plain length (counts, DB numbers); an encoded-string tag here is an error.
    pub fn read_length(&mut self) -> Result<u64, DecodeError> {
        match self.read_len()? {
            Length::Len(n) => Ok(n),
            Length::Encoded(_) => Err(DecodeError::UnexpectedEncoding),
        }
    }

    /// A plain length that must fit in memory indexing.
    fn read_usize_len(&mut self) -> Result<usize, DecodeError> {
        let n = self.read_length()?;
        usize::try_from(n).map_err(|_| DecodeError::LengthTooLarge(n))
    }

    /// A string in any of its encodings; integer forms come back as their decimal text.
    pub fn read_string(&mut self) -> Result<Vec<u8>, DecodeError> {
        let enc = match self.read_len()? {
            Length::Len(n) => {
                let n = usize::try_from(n).map_err(|_| DecodeError::LengthTooLarge(n))?;
                return Ok(self.read_bytes(n)?.to_vec());
            }
            Length::Encoded(enc) => enc,
        };
        let v: i64 = match enc {
            StringEncoding::Int8 => i8::from_le_bytes(self.read_array()?).into(),
            StringEncoding::Int16 => i16::from_le_bytes(self.read_array()?).into(),
            StringEncoding::Int32 => i32::from_le_bytes(self.read_array()?).into(),
            StringEncoding::Lzf => {
                let clen = self.read_usize_len()?;
                let len = self.read_usize_len()?;
                let data = self.read_bytes(clen)?;
                return Ok(lzf::decompress(data, len)?);
            }
        };
        Ok(itoa::Buffer::new().format(v).as_bytes().to_vec())
    }

    /// An 8-byte little-endian double (ZSET_2 scores).
    pub fn read_binary_double(&mut self) -> Result<f64, DecodeError> {
        Ok(f64::from_le_bytes(self.read_array()?))
    }

    /// An old-style (ZSET type 3) ASCII double: length byte + text, or 253/254/255.
    pub fn read_ascii_double(&mut self) -> Result<f64, DecodeError> {
        match self.read_u8()? {
            SCORE_NAN => Ok(f64::NAN),
            SCORE_POS_INF => Ok(f64::INFINITY),
            SCORE_NEG_INF => Ok(f64::NEG_INFINITY),
            n => {
                let text = self.read_bytes(usize::from(n))?;
                let text = std::str::from_utf8(text).map_err(|_| DecodeError::BadDouble)?;
                // Redis parses with `%lg`; Rust's parser accepts the same decimal and exponent
                // forms plus "inf"/"nan" spellings.
                text.trim().parse().map_err(|_| DecodeError::BadDouble)
            }
        }
    }

    /// A millisecond Unix time (EXPIRETIME_MS), 8 bytes little-endian.
    pub fn read_millis(&mut self) -> Result<i64, DecodeError> {
        Ok(i64::from_le_bytes(self.read_array()?))
    }

    /// A second-resolution Unix time (old EXPIRETIME opcode), 4 bytes little-endian.
    pub fn read_seconds(&mut self) -> Result<i32, DecodeError> {
        Ok(i32::from_le_bytes(self.read_array()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::crc64::crc64;

    fn len_bytes(n: u64) -> Vec<u8> {
        let mut v = Vec::new();
        write_len(&mut v, n);
        v
    }

    #[test]
    fn length_boundaries() {
        let cases: [(u64, usize); 8] = [
            (0, 1),
            (63, 1),
            (64, 2),
            (16383, 2),
            (16384, 5),
            (u32::MAX as u64, 5),
            (1 << 32, 9),
            (u64::MAX, 9),
        ];
        for (n, size) in cases {
            let b = len_bytes(n);
            assert_eq!(b.len(), size, "{n}");
            let mut r = Reader::new(&b);
            assert_eq!(r.read_len(), Ok(Length::Len(n)));
            assert!(r.is_empty());
            // Every proper prefix is truncated.
            for cut in 0..b.len() {
                assert_eq!(
                    Reader::new(&b[..cut]).read_len(),
                    Err(DecodeError::Truncated)
                );
            }
        }
        assert_eq!(len_bytes(64), [0x40, 0x40]);
        assert_eq!(len_bytes(16384), [0x80, 0, 0, 0x40, 0]);
        assert_eq!(len_bytes(1 << 32), [0x81, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(
            Reader::new(&[0x82]).read_len(),
            Err(DecodeError::UnknownEncoding(0x82))
        );
        assert_eq!(
            Reader::new(&[0xc4]).read_len(),
            Err(DecodeError::UnknownEncoding(4))
        );
        assert_eq!(
            Reader::new(&[0xc0]).read_length(),
            Err(DecodeError::UnexpectedEncoding)
        );
    }

    fn string_bytes(s: &[u8], compress: bool) -> Vec<u8> {
        let mut v = Vec::new();
        write_string(&mut v, s, compress);
        let mut r = Reader::new(&v);
        assert_eq!(r.read_string().unwrap(), s);
        assert!(r.is_empty());
        v
    }

    #[test]
    fn integer_strings() {
        assert_eq!(string_bytes(b"10", true), [0xc0, 0x0a]);
        assert_eq!(string_bytes(b"-128", true), [0xc0, 0x80]);
        assert_eq!(string_bytes(b"127", true), [0xc0, 0x7f]);
        assert_eq!(string_bytes(b"128", true), [0xc1, 0x80, 0x00]);
        assert_eq!(string_bytes(b"-32768", true), [0xc1, 0x00, 0x80]);
        assert_eq!(string_bytes(b"32768", true), [0xc2, 0x00, 0x80, 0, 0]);
        assert_eq!(
            string_bytes(b"2147483647", true),
            [0xc2, 0xff, 0xff, 0xff, 0x7f]
        );
        assert_eq!(string_bytes(b"-2147483648", true), [0xc2, 0, 0, 0, 0x80]);
        // Not canonical or out of 32-bit range: raw.
        for raw in [
            &b"-0"[..],
            b"007",
            b"+1",
            b" 1",
            b"1 ",
            b"2147483648",
            b"-2147483649",
            b"",
        ] {
            let mut expect = len_bytes(raw.len() as u64);
            expect.extend_from_slice(raw);
            assert_eq!(string_bytes(raw, true), expect, "{:?}", raw);
        }
    }

    #[test]
    fn long_strings() {
        // Incompressible or short: raw.
        let s: Vec<u8> = (0..200u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect();
        assert_eq!(string_bytes(&s, true)[..2], [0x40, 200]);
        let twenty = [b'a'; 20];
        assert_eq!(string_bytes(&twenty, true)[0], 20);
        // Compressible and over 20 bytes: LZF, unless compression is off.
        let long = b"abcdefgh".repeat(100);
        let c = string_bytes(&long, true);
        assert_eq!(c[0], 0xc3);
        assert!(c.len() < 100);
        assert_eq!(string_bytes(&long, false)[..2], [0x43, 0x20]);
        for n in [16383usize, 16384, 70_000] {
            string_bytes(&vec![b'z'; n], true);
            string_bytes(&vec![b'z'; n], false);
        }
    }

    #[test]
    fn random_strings_roundtrip() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let len = (next() % 300) as usize;
            let alphabet = 1 + next() % 255;
            let s: Vec<u8> = (0..len).map(|_| (next() % alphabet) as u8).collect();
            string_bytes(&s, true);
            string_bytes(&s, false);
            let n = (next() as i64) >> (next() % 64);
            string_bytes(n.to_string().as_bytes(), true);
        }
    }

    #[test]
    fn worked_example_from_reference() {
        let mut f = Vec::new();
        f.extend_from_slice(b"REDIS0010");
        for (k, v) in [(&b"redis-ver"[..], &b"7.0.15"[..]), (b"redis-bits", b"64")] {
            f.push(0xfa);
            write_string(&mut f, k, true);
            write_string(&mut f, v, true);
        }
        f.extend_from_slice(&[0xfe]);
        write_len(&mut f, 0);
        f.push(0xfb);
        write_len(&mut f, 1);
        write_len(&mut f, 0);
        f.push(0);
        write_string(&mut f, b"foo", true);
        write_string(&mut f, b"bar", true);
        f.push(0xff);
        let crc = crc64(&f);
        f.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(f.len(), 64);
        assert_eq!(
            f[f.len() - 8..],
            [0x4e, 0x44, 0xe4, 0x89, 0x1f, 0x8f, 0x6a, 0x31]
        );
        assert_eq!(f[9..29], *b"\xfa\x09redis-ver\x067.0.15\xfa\x0a");

        // And back.
        let mut r = Reader::new(&f);
        assert_eq!(r.read_bytes(9).unwrap(), b"REDIS0010");
        assert_eq!(r.read_u8(), Ok(0xfa));
        assert_eq!(r.read_string().unwrap(), b"redis-ver");
        assert_eq!(r.read_string().unwrap(), b"7.0.15");
        assert_eq!(r.read_u8(), Ok(0xfa));
        assert_eq!(r.read_string().unwrap(), b"redis-bits");
        assert_eq!(r.read_string().unwrap(), b"64");
        assert_eq!(r.read_u8(), Ok(0xfe));
        assert_eq!(r.read_length(), Ok(0));
        assert_eq!(r.read_u8(), Ok(0xfb));
        assert_eq!((r.read_length(), r.read_length()), (Ok(1), Ok(0)));
        assert_eq!(r.read_u8(), Ok(0));
        assert_eq!(r.read_string().unwrap(), b"foo");
        assert_eq!(r.read_string().unwrap(), b"bar");
        assert_eq!(r.read_u8(), Ok(0xff));
        assert_eq!(r.remaining().len(), 8);
    }

    #[test]
    fn doubles_and_times() {
        let mut v = Vec::new();
        let values = [
            0.0,
            -0.0,
            1.5,
            -2.25e-300,
            1e300,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.1,
        ];
        for x in values {
            write_ascii_double(&mut v, x);
            write_binary_double(&mut v, x);
        }
        for x in [f64::INFINITY, f64::NEG_INFINITY] {
            write_ascii_double(&mut v, x);
        }
        write_ascii_double(&mut v, f64::NAN);
        write_millis(&mut v, 1_700_000_000_123);
        let mut r = Reader::new(&v);
        for x in values {
            assert_eq!(r.read_ascii_double().unwrap().to_bits(), x.to_bits());
            assert_eq!(r.read_binary_double().unwrap().to_bits(), x.to_bits());
        }
        assert_eq!(r.read_ascii_double(), Ok(f64::INFINITY));
        assert_eq!(r.read_ascii_double(), Ok(f64::NEG_INFINITY));
        assert!(r.read_ascii_double().unwrap().is_nan());
        assert_eq!(r.read_millis(), Ok(1_700_000_000_123));
        assert!(r.is_empty());
        // What Redis's `%.17g` writes reads back too.
        assert_eq!(
            Reader::new(b"\x130.10000000000000001").read_ascii_double(),
            Ok(0.1)
        );
        assert_eq!(
            Reader::new(b"\x03abc").read_ascii_double(),
            Err(DecodeError::BadDouble)
        );
        assert_eq!(
            Reader::new(b"\x051.5").read_ascii_double(),
            Err(DecodeError::Truncated)
        );
        assert_eq!(
            Reader::new(&[1, 2, 3]).read_millis(),
            Err(DecodeError::Truncated)
        );
    }

    #[test]
    fn truncated_and_hostile_strings() {
        let mut samples = Vec::new();
        for s in [
            &b"foo"[..],
            b"-123456",
            b"1000",
            b"100000",
            &b"abcdefgh".repeat(50),
            &[b'q'; 100],
        ] {
            samples.push(string_bytes(s, true));
        }
        for b in &samples {
            for cut in 0..b.len() {
                assert!(
                    Reader::new(&b[..cut]).read_string().is_err(),
                    "{b:?} cut at {cut}"
                );
            }
        }
        // A raw length far beyond the data, a 64-bit length, an LZF string claiming a huge
        // original length or compressed length.
        assert_eq!(
            Reader::new(&[0x80, 0xff, 0xff, 0xff, 0xff]).read_string(),
            Err(DecodeError::Truncated)
        );
        assert!(
            Reader::new(&[0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
                .read_string()
                .is_err()
        );
        assert!(
            Reader::new(&[
                0xc3, 0x02, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, b'a'
            ])
            .read_string()
            .is_err()
        );
        assert_eq!(
            Reader::new(&[0xc3, 0x3f, 0x01, 0, b'a']).read_string(),
            Err(DecodeError::Truncated)
        );
        // Random garbage never panics.
        let mut x = 0x1234_5678_9abc_def0u64;
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bytes = x.to_le_bytes();
            let len = (x >> 60) as usize % 9;
            let mut r = Reader::new(&bytes[..len]);
            let _ = r.read_string();
            let _ = Reader::new(&bytes[..len]).read_ascii_double();
        }
    }
    /// A `redis-server` on a Unix socket in a temporary directory, killed on drop.
    struct RealRedis {
        child: std::process::Child,
        conn: std::os::unix::net::UnixStream,
        _dir: tempfile::TempDir,
    }

    impl Drop for RealRedis {
        fn drop(&mut self) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    impl RealRedis {
        /// None (skip) when redis-server is not installed, unless CI is set.
        fn start() -> Option<RealRedis> {
            let dir = tempfile::tempdir().unwrap();
            let sock = dir.path().join("r.sock");
            let spawned = std::process::Command::new("redis-server")
                .args([
                    "--port",
                    "0",
                    "--save",
                    "",
                    "--rdbcompression",
                    "yes",
                    "--unixsocket",
                ])
                .arg(&sock)
                .stdout(std::process::Stdio::null())
                .spawn();
            let child = match spawned {
                Ok(c) => c,
                Err(e) if std::env::var_os("CI").is_none() => {
                    eprintln!("skipping: cannot start redis-server ({e})");
                    return None;
                }
                Err(e) => panic!("redis-server is required in CI: {e}"),
            };
            let mut guard = (child, None);
            for _ in 0..500 {
                if let Ok(c) = std::os::unix::net::UnixStream::connect(&sock) {
                    guard.1 = Some(c);
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            let (mut child, conn) = guard;
            let Some(conn) = conn else {
                let _ = child.kill();
                let _ = child.wait();
                panic!("redis-server did not open its socket");
            };
            Some(RealRedis {
                child,
                conn,
                _dir: dir,
            })
        }

        /// Sends one command, returns a bulk-string reply (None for nil), panics on errors.
        fn call(&mut self, args: &[&[u8]]) -> Option<Vec<u8>> {
            use std::io::{BufRead, BufReader, Read, Write};
            let mut req = format!("*{}\r\n", args.len()).into_bytes();
            for a in args {
                req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
                req.extend_from_slice(a);
                req.extend_from_slice(b"\r\n");
            }
            self.conn.write_all(&req).unwrap();
            let mut rd = BufReader::new(&self.conn);
            let mut line = String::new();
            rd.read_line(&mut line).unwrap();
            match line.as_bytes()[0] {
                b'+' | b':' => Some(line.trim_end().as_bytes()[1..].to_vec()),
                b'$' => {
                    let n: i64 = line[1..].trim_end().parse().unwrap();
                    if n < 0 {
                        return None;
                    }
                    let mut body = vec![0u8; n as usize + 2];
                    rd.read_exact(&mut body).unwrap();
                    body.truncate(n as usize);
                    Some(body)
                }
                _ => panic!("unexpected reply {line:?}"),
            }
        }
    }

    /// DUMP payloads from a real Redis 7: our reader decodes Redis's LZF and integer strings,
    /// and our writer (compressor included) produces the same bytes.
    #[test]
    fn matches_real_redis_dump() {
        let Some(mut redis) = RealRedis::start() else {
            return;
        };
        let mut values: Vec<Vec<u8>> = vec![
            b"10".to_vec(),
            b"-2147483648".to_vec(),
            b"2147483648".to_vec(),
            b"007".to_vec(),
            b"abcdefghijklmnopqrstu".to_vec(),
            [b'a'; 21].to_vec(),
            [b'a'; 24].to_vec(),
            [b'a'; 25].to_vec(),
            [b'x'; 100_000].to_vec(),
        ];
        let mut long = b"abcdefgh".repeat(200);
        for (i, b) in long.iter_mut().enumerate().step_by(37) {
            *b = b'0' + (i % 10) as u8;
        }
        values.push(long);
        // Text-like data with matches at many distances and lengths.
        let mut x = 88172645463325252u64;
        let words: [&[u8]; 6] = [
            b"switchyard ",
            b"redis ",
            b"proxy ",
            b"node ",
            b"rdb ",
            b"a ",
        ];
        for n in [50usize, 500, 5000, 40_000] {
            let mut v = Vec::new();
            while v.len() < n {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                v.extend_from_slice(words[(x % 6) as usize]);
                if x.is_multiple_of(11) {
                    v.push((x >> 32) as u8);
                }
            }
            values.push(v);
        }
        let mut lzf_seen = 0;
        for v in &values {
            redis.call(&[b"SET", b"k", v]).unwrap();
            let dump = redis.call(&[b"DUMP", b"k"]).unwrap();
            // type 0, the string, RDB version 10 (u16 LE), CRC64 LE.
            let (body, crc) = dump.split_at(dump.len() - 8);
            assert_eq!(crc64(body).to_le_bytes(), crc);
            let mut r = Reader::new(body);
            assert_eq!(r.read_u8(), Ok(0));
            lzf_seen += usize::from(body[1] == 0xc3);
            assert_eq!(r.read_string().unwrap(), *v);
            assert_eq!(r.remaining(), [10, 0]);
            let mut ours = vec![0];
            write_string(&mut ours, v, true);
            ours.extend_from_slice(&[10, 0]);
            assert_eq!(ours, body, "value of {} bytes", v.len());
        }
        // Make sure the comparison covered Redis's compressor, not only raw strings.
        assert!(lzf_seen >= 8, "{lzf_seen}");
    }
}
