//! Request parsing as Redis's `processMultibulkBuffer` / `processInlineBuffer` do it.
//!
//! The parser is resumable: a partial multibulk keeps the offsets of the arguments already
//! seen, so a large request arriving in many small reads is scanned once (linear), and the
//! limits are checked on each header before any payload is buffered. A complete request is split
//! off the buffer whole: `raw` holds its exact bytes and every argument is a zero-copy slice.

use bytes::{Bytes, BytesMut};

/// Redis's `PROTO_INLINE_MAX_SIZE`: the longest header or inline line without a newline.
pub const INLINE_MAX_SIZE: usize = 64 * 1024;
/// Default `proto-max-bulk-len`.
pub const DEFAULT_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;
/// Largest multibulk count Redis 7.0 accepts (`INT_MAX`).
pub const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;
/// Limits that apply while a password is required and not yet given.
pub const UNAUTHENTICATED_MULTIBULK_LEN: i64 = 10;
pub const UNAUTHENTICATED_BULK_LEN: i64 = 16384;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Arguments, the command name first. Never empty.
    pub args: Vec<Bytes>,
    /// The exact bytes the request arrived as (for forwarding and replication offsets).
    pub raw: Bytes,
    pub inline: bool,
}

impl Request {
    pub fn name(&self) -> &[u8] {
        &self.args[0]
    }
}

/// A framing error. `Display` gives Redis's exact text, without the leading `-ERR `.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolError {
    #[error("Protocol error: too big mbulk count string")]
    TooBigMultibulkCount,
    #[error("Protocol error: invalid multibulk length")]
    InvalidMultibulkLength,
    #[error("Protocol error: unauthenticated multibulk length")]
    UnauthenticatedMultibulkLength,
    #[error("Protocol error: too big bulk count string")]
    TooBigBulkCount,
    #[error("Protocol error: expected '$', got '{}'", *.0 as char)]
    ExpectedDollar(u8),
    #[error("Protocol error: invalid bulk length")]
    InvalidBulkLength,
    #[error("Protocol error: unauthenticated bulk length")]
    UnauthenticatedBulkLength,
    #[error("Protocol error: too big inline request")]
    TooBigInline,
    #[error("Protocol error: unbalanced quotes in request")]
    UnbalancedQuotes,
}

impl ProtocolError {
    /// The full error line as the server sends it. The offending byte of `ExpectedDollar` is
    /// sent as it is, as Redis does (CR and LF become spaces like in any error).
    pub fn reply_line(&self) -> Vec<u8> {
        let mut line = b"-ERR ".to_vec();
        match self {
            ProtocolError::ExpectedDollar(byte) => {
                line.extend_from_slice(b"Protocol error: expected '$', got '");
                line.push(if matches!(byte, b'\r' | b'\n') {
                    b' '
                } else {
                    *byte
                });
                line.push(b'\'');
            }
            other => line.extend_from_slice(other.to_string().as_bytes()),
        }
        line.extend_from_slice(b"\r\n");
        line
    }
}

#[derive(Debug, Default)]
struct Partial {
    /// Arguments still expected.
    remaining: i64,
    /// Offset in the buffer where scanning resumes.
    pos: usize,
    /// (start, end) of each argument seen so far, relative to the request start.
    spans: Vec<(usize, usize)>,
    /// Length of the bulk whose header has been read but whose payload is incomplete.
    pending_bulk: Option<usize>,
}

#[derive(Debug)]
pub struct RequestParser {
    max_bulk_len: u64,
    unauthenticated: bool,
    partial: Option<Partial>,
    /// The offsets buffer of the last request, reused by the next one.
    spare_spans: Vec<(usize, usize)>,
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BULK_LEN)
    }
}

impl RequestParser {
    pub fn new(max_bulk_len: u64) -> Self {
        Self {
            max_bulk_len,
            unauthenticated: false,
            partial: None,
            spare_spans: Vec::new(),
        }
    }

    pub fn set_max_bulk_len(&mut self, max: u64) {
        self.max_bulk_len = max;
    }

    /// Apply the tighter limits Redis uses before a client has authenticated.
    pub fn set_unauthenticated(&mut self, unauthenticated: bool) {
        self.unauthenticated = unauthenticated;
    }

    /// Whether a request is partly buffered.
    pub fn in_progress(&self) -> bool {
        self.partial.is_some()
    }

    /// Parse the next complete request from `buf`, consuming its bytes. `Ok(None)` means more
    /// bytes are needed. Empty inline lines and `*0`/negative counts are skipped as Redis does.
    pub fn parse(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, ProtocolError> {
        loop {
            if self.partial.is_none() {
                match buf.first() {
                    None => return Ok(None),
                    Some(b'*') => {}
                    Some(_) => match parse_inline(buf)? {
                        InlineOutcome::Incomplete => return Ok(None),
                        InlineOutcome::Empty => continue,
                        InlineOutcome::Request(req) => return Ok(Some(req)),
                    },
                }
                let Some((count, header_len)) = read_header(buf, 0, true)? else {
                    return Ok(None);
                };
                if count > MAX_MULTIBULK_LEN {
                    return Err(ProtocolError::InvalidMultibulkLength);
                }
                if self.unauthenticated && count > UNAUTHENTICATED_MULTIBULK_LEN {
                    return Err(ProtocolError::UnauthenticatedMultibulkLength);
                }
                if count <= 0 {
                    let _ = buf.split_to(header_len);
                    continue;
                }
                let mut spans = std::mem::take(&mut self.spare_spans);
                spans.clear();
                spans.reserve(count.min(1024) as usize);
                self.partial = Some(Partial {
                    remaining: count,
                    pos: header_len,
                    spans,
                    pending_bulk: None,
                });
            }
            return self.resume(buf);
        }
    }

    fn resume(&mut self, buf: &mut BytesMut) -> Result<Option<Request>, ProtocolError> {
        let max_bulk = if self.unauthenticated {
            UNAUTHENTICATED_BULK_LEN.min(self.max_bulk_len as i64)
        } else {
            self.max_bulk_len.min(i64::MAX as u64) as i64
        };
        let unauthenticated = self.unauthenticated;
        let partial = self
            .partial
            .as_mut()
            .expect("resume with a partial request");
        while partial.remaining > 0 {
            let len = match partial.pending_bulk {
                Some(len) => len,
                None => {
                    let Some(&first) = buf.get(partial.pos) else {
                        return Ok(None);
                    };
                    if first != b'$' {
                        return Err(ProtocolError::ExpectedDollar(first));
                    }
                    let Some((len, header_len)) = read_header(buf, partial.pos, false)? else {
                        return Ok(None);
                    };
                    if len < 0 || len > max_bulk {
                        return Err(if unauthenticated && len >= 0 {
                            ProtocolError::UnauthenticatedBulkLength
                        } else {
                            ProtocolError::InvalidBulkLength
                        });
                    }
                    partial.pos += header_len;
                    partial.pending_bulk = Some(len as usize);
                    if buf.capacity() - partial.pos < len as usize + 2 && len >= 32 * 1024 {
                        // Reserve once for a large argument instead of growing step by step.
                        buf.reserve(len as usize + 2 - (buf.len() - partial.pos));
                    }
                    len as usize
                }
            };
            if buf.len() < partial.pos + len + 2 {
                return Ok(None);
            }
            partial.spans.push((partial.pos, partial.pos + len));
            partial.pos += len + 2;
            partial.pending_bulk = None;
            partial.remaining -= 1;
        }
        let partial = self.partial.take().expect("partial request");
        let raw = buf.split_to(partial.pos).freeze();
        let args = partial
            .spans
            .iter()
            .map(|&(s, e)| raw.slice(s..e))
            .collect();
        Ok(Some(Request {
            args,
            raw,
            inline: false,
        }))
    }
}

/// Read a `*<n>\r\n` or `$<n>\r\n` header at `at`. Returns the number and the header length.
fn read_header(
    buf: &[u8],
    at: usize,
    multibulk: bool,
) -> Result<Option<(i64, usize)>, ProtocolError> {
    let window = &buf[at..];
    let Some(nl) = memchr_cr(window) else {
        if window.len() > INLINE_MAX_SIZE {
            return Err(if multibulk {
                ProtocolError::TooBigMultibulkCount
            } else {
                ProtocolError::TooBigBulkCount
            });
        }
        return Ok(None);
    };
    // Redis looks for '\r' and then needs the '\n' after it to be buffered.
    if window.len() < nl + 2 {
        return Ok(None);
    }
    let value = parse_i64(&window[1..nl]).ok_or(if multibulk {
        ProtocolError::InvalidMultibulkLength
    } else {
        ProtocolError::InvalidBulkLength
    })?;
    Ok(Some((value, nl + 2)))
}

fn memchr_cr(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\r')
}

/// Strict decimal parse as Redis's `string2ll`: optional '-', digits, no '+', no spaces.
pub fn parse_i64(bytes: &[u8]) -> Option<i64> {
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    let (neg, digits) = match bytes[0] {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || (digits[0] == b'0' && digits.len() > 1) {
        return None;
    }
    let mut value: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        let digit = (d - b'0') as i64;
        value = if neg {
            value.checked_mul(10)?.checked_sub(digit)?
        } else {
            value.checked_mul(10)?.checked_add(digit)?
        };
    }
    if neg && value == 0 {
        return None;
    }
    Some(value)
}

enum InlineOutcome {
    Incomplete,
    Empty,
    Request(Request),
}

fn parse_inline(buf: &mut BytesMut) -> Result<InlineOutcome, ProtocolError> {
    let Some(nl) = buf.iter().position(|&b| b == b'\n') else {
        if buf.len() > INLINE_MAX_SIZE {
            return Err(ProtocolError::TooBigInline);
        }
        return Ok(InlineOutcome::Incomplete);
    };
    let raw = buf.split_to(nl + 1).freeze();
    let mut line = &raw[..nl];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    let args = split_args(line).ok_or(ProtocolError::UnbalancedQuotes)?;
    if args.is_empty() {
        return Ok(InlineOutcome::Empty);
    }
    Ok(InlineOutcome::Request(Request {
        args: args.into_iter().map(Bytes::from).collect(),
        raw,
        inline: true,
    }))
}

/// Split a line into arguments as Redis's `sdssplitargs`: whitespace separated, with
/// `"..."` (escapes `\n \r \t \b \a \\ \" \xHH`) and `'...'` (escape `\'`) quoting. A closing
/// quote must be followed by whitespace or the end. `None` means unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut args = Vec::new();
    let mut i = 0;
    let n = line.len();
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Some(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            if in_double {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && line[i + 2].is_ascii_hexdigit()
                    && line[i + 3].is_ascii_hexdigit()
                {
                    current.push(hex_val(line[i + 2]) * 16 + hex_val(line[i + 3]));
                    i += 3;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    current.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 8,
                        b'a' => 7,
                        other => other,
                    });
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    current.push(c);
                }
            } else if in_single {
                if i >= n {
                    return None;
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    i += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return None;
                    }
                    i += 1;
                    break;
                } else {
                    current.push(c);
                }
            } else {
                if i >= n {
                    break;
                }
                match line[i] {
                    b' ' | b'\n' | b'\r' | b'\t' | b'\0' => {
                        i += 1;
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    c => current.push(c),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

/// The inverse of [`split_args`]: `arg` double-quoted with Redis's `sdscatrepr` escapes, so a
/// config line written with it reads back as the same argument.
pub fn quote_arg(arg: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in arg {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            other => out.push_str(&format!("\\x{other:02x}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, ProtocolError> {
        let mut parser = RequestParser::default();
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(req) = parser.parse(&mut buf)? {
            out.push(req.args.iter().map(|a| a.to_vec()).collect());
        }
        Ok(out)
    }

    #[test]
    fn multibulk_and_raw() {
        let mut parser = RequestParser::default();
        let mut buf = BytesMut::from(&b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n"[..]);
        let req = parser.parse(&mut buf).unwrap().unwrap();
        assert_eq!(req.args, vec![Bytes::from("GET"), Bytes::from("k")]);
        assert_eq!(&req.raw[..], b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
        let req = parser.parse(&mut buf).unwrap().unwrap();
        assert_eq!(req.args, vec![Bytes::from("PING")]);
        assert!(parser.parse(&mut buf).unwrap().is_none());
    }

    #[test]
    fn byte_by_byte_matches_whole() {
        let input =
            b"*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$0\r\n\r\nPING\r\n*0\r\n*1\r\n$4\r\nPING\r\n";
        let whole = parse_all(input).unwrap();
        let mut parser = RequestParser::default();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for &b in input.iter() {
            buf.extend_from_slice(&[b]);
            while let Some(req) = parser.parse(&mut buf).unwrap() {
                out.push(req.args.iter().map(|a| a.to_vec()).collect::<Vec<_>>());
            }
        }
        assert_eq!(out, whole);
        assert_eq!(whole.len(), 3);
    }

    #[test]
    fn errors_match_redis() {
        assert_eq!(
            parse_all(b"*1\r\n:1\r\n"),
            Err(ProtocolError::ExpectedDollar(b':'))
        );
        assert_eq!(
            parse_all(b"*x\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse_all(b"*3000000000\r\n"),
            Err(ProtocolError::InvalidMultibulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$-1\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"*1\r\n$1073741824\r\n"),
            Err(ProtocolError::InvalidBulkLength)
        );
        assert_eq!(
            parse_all(b"SET \"a b\r\n"),
            Err(ProtocolError::UnbalancedQuotes)
        );
        assert_eq!(
            parse_all(b"SET \"a\"b c\r\n"),
            Err(ProtocolError::UnbalancedQuotes)
        );
        let long = vec![b'a'; INLINE_MAX_SIZE + 1];
        assert_eq!(parse_all(&long), Err(ProtocolError::TooBigInline));
        let mut header = b"*".to_vec();
        header.extend(vec![b'1'; INLINE_MAX_SIZE + 1]);
        assert_eq!(parse_all(&header), Err(ProtocolError::TooBigMultibulkCount));
        assert_eq!(
            ProtocolError::ExpectedDollar(0xff).reply_line(),
            b"-ERR Protocol error: expected '$', got '\xff'\r\n"
        );
    }

    #[test]
    fn unauthenticated_limits() {
        let mut parser = RequestParser::default();
        parser.set_unauthenticated(true);
        let mut buf = BytesMut::from(&b"*11\r\n"[..]);
        assert_eq!(
            parser.parse(&mut buf),
            Err(ProtocolError::UnauthenticatedMultibulkLength)
        );
        let mut parser = RequestParser::default();
        parser.set_unauthenticated(true);
        let mut buf = BytesMut::from(&b"*2\r\n$4\r\nAUTH\r\n$16385\r\n"[..]);
        assert_eq!(
            parser.parse(&mut buf),
            Err(ProtocolError::UnauthenticatedBulkLength)
        );
    }

    #[test]
    fn inline_quoting() {
        let parsed = parse_all(b"set \"a\\x41\\n\" 'it\\'s' plain\r\n\r\n  \n").unwrap();
        assert_eq!(
            parsed,
            vec![vec![
                b"set".to_vec(),
                b"aA\n".to_vec(),
                b"it's".to_vec(),
                b"plain".to_vec()
            ]]
        );
        assert_eq!(parse_all(b"PING\n").unwrap(), vec![vec![b"PING".to_vec()]]);
        assert_eq!(parse_all(b"\"\"\n").unwrap(), vec![vec![b"".to_vec()]]);
    }

    #[test]
    fn integer_parsing_is_strict() {
        assert_eq!(parse_i64(b"-12"), Some(-12));
        assert_eq!(parse_i64(b"0"), Some(0));
        for bad in [
            &b""[..],
            b"+1",
            b" 1",
            b"01",
            b"-0",
            b"1a",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_i64(bad), None, "{bad:?}");
        }
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
    }
}
