//! RESP2/RESP3 reply decoding and request/reply encoding.
//!
//! Every decoded frame comes with its exact bytes (`Decoded::raw`): the proxy forwards them
//! unchanged and replication counts offsets with their length.
//!
//! Why not hand the bytes to `redis_protocol`'s decoder: it parses from the start of the
//! buffer on every call, so a large aggregate arriving in many small reads costs quadratic time
//! (see `examples/chunked_array.rs`), it recurses without a depth bound (a deep `*1\r\n*1\r\n...`
//! overflows the stack), its RESP3 decoder reads RESP2's `$-1`/`*-1` as the start of a streamed
//! value, and it turns maps into hash maps (losing wire order, merging duplicate keys, rejecting
//! aggregate keys). This decoder is resumable instead: it remembers where it stopped and which
//! aggregates are open, checks every length against the limits as soon as its header is
//! complete (before the payload is buffered), and builds the frame in one pass once the last
//! byte has arrived. `redis_protocol` serves as the reference it is tested against.

use bytes::{BufMut, Bytes, BytesMut};
use std::ops::Range;

use crate::reply::{Protocol, format_double};

/// Default `proto-max-bulk-len`: the largest bulk string, blob error, verbatim string or
/// simple line accepted.
pub const DEFAULT_MAX_BULK_LEN: u64 = crate::request::DEFAULT_MAX_BULK_LEN;
/// Default for the element count of one aggregate (pairs for maps and attributes).
pub const DEFAULT_MAX_AGGREGATE_LEN: u64 = i32::MAX as u64;
/// Default nesting limit. Real Redis replies nest a handful of levels; the bound keeps the
/// recursive `Drop`/`Debug`/`PartialEq` of a `Frame` far from the stack's end.
pub const DEFAULT_MAX_DEPTH: usize = 128;
/// Longest header or number line (lengths, integers, doubles, booleans, nulls), as Redis's
/// `PROTO_INLINE_MAX_SIZE`.
pub const MAX_HEADER_LINE: usize = crate::request::INLINE_MAX_SIZE;

/// A payload at least this long gets its buffer space reserved once, not grown read by read.
const RESERVE_THRESHOLD: usize = 32 * 1024;
/// The most reserved ahead of the bytes that have arrived.
const MAX_RESERVE: usize = 16 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bulk strings, blob errors, verbatim strings, and simple strings/errors/big numbers.
    pub max_bulk_len: u64,
    /// Elements of an array, set or push; pairs of a map or attribute.
    pub max_aggregate_len: u64,
    /// Aggregates (and attributes) open at once.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
            max_aggregate_len: DEFAULT_MAX_AGGREGATE_LEN,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// One RESP2 or RESP3 value. RESP2's `$-1` and `*-1` and RESP3's `_` all decode to `Null`,
/// simple and blob errors to `Error`; `Decoded::raw` keeps the exact form.
#[derive(Debug, Clone, PartialEq)]
pub enum Frame {
    Simple(Bytes),
    /// The error text, starting with its code (`ERR ...`, `WRONGTYPE ...`).
    Error(Bytes),
    Integer(i64),
    Bulk(Bytes),
    Null,
    Array(Vec<Frame>),
    /// Pairs in wire order.
    Map(Vec<(Frame, Frame)>),
    Set(Vec<Frame>),
    Push(Vec<Frame>),
    Double(f64),
    Boolean(bool),
    Verbatim {
        format: [u8; 3],
        text: Bytes,
    },
    /// The digits as sent (optionally signed).
    BigNumber(Bytes),
    /// A value preceded by RESP3 attributes (`|`).
    Attributed {
        attributes: Vec<(Frame, Frame)>,
        value: Box<Frame>,
    },
}

impl Frame {
    /// The value without any attributes around it.
    pub fn value(&self) -> &Frame {
        let mut frame = self;
        while let Frame::Attributed { value, .. } = frame {
            frame = value;
        }
        frame
    }

    pub fn into_value(self) -> Frame {
        let mut frame = self;
        while let Frame::Attributed { value, .. } = frame {
            frame = *value;
        }
        frame
    }

    pub fn is_error(&self) -> bool {
        matches!(self.value(), Frame::Error(_))
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value(), Frame::Null)
    }

    /// The bytes of a string-like frame (simple, bulk, verbatim text, big number, error).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match self.value() {
            Frame::Simple(b)
            | Frame::Bulk(b)
            | Frame::Error(b)
            | Frame::BigNumber(b)
            | Frame::Verbatim { text: b, .. } => Some(b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.value() {
            Frame::Integer(n) => Some(*n),
            _ => None,
        }
    }

    /// Elements of an array, set or push.
    pub fn as_items(&self) -> Option<&[Frame]> {
        match self.value() {
            Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => Some(items),
            _ => None,
        }
    }

    /// The RESP3 type name, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Frame::Simple(_) => "simple string",
            Frame::Error(_) => "error",
            Frame::Integer(_) => "integer",
            Frame::Bulk(_) => "bulk string",
            Frame::Null => "null",
            Frame::Array(_) => "array",
            Frame::Map(_) => "map",
            Frame::Set(_) => "set",
            Frame::Push(_) => "push",
            Frame::Double(_) => "double",
            Frame::Boolean(_) => "boolean",
            Frame::Verbatim { .. } => "verbatim string",
            Frame::BigNumber(_) => "big number",
            Frame::Attributed { .. } => "attributed value",
        }
    }
}

/// A decoded frame with the exact bytes it arrived as.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub frame: Frame,
    pub raw: Bytes,
}

impl Decoded {
    /// Bytes the frame took on the wire (what replication offsets count).
    pub fn wire_len(&self) -> usize {
        self.raw.len()
    }
}

/// Bad framing. The stream cannot be resynchronized after one: close the connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("invalid frame type byte 0x{0:02x}")]
    InvalidType(u8),
    #[error("invalid length")]
    InvalidLength,
    #[error("invalid integer")]
    InvalidInteger,
    #[error("invalid double")]
    InvalidDouble,
    #[error("invalid boolean")]
    InvalidBoolean,
    #[error("invalid null")]
    InvalidNull,
    #[error("invalid big number")]
    InvalidBigNumber,
    #[error("invalid verbatim string")]
    InvalidVerbatim,
    #[error("payload not followed by CRLF")]
    MissingCrlf,
    #[error("line longer than {max} bytes")]
    LineTooLong { max: u64 },
    #[error("bulk length {len} exceeds the limit {max}")]
    BulkTooLong { len: u64, max: u64 },
    #[error("aggregate length {len} exceeds the limit {max}")]
    AggregateTooLong { len: u64, max: u64 },
    #[error("nesting deeper than {max}")]
    TooDeep { max: usize },
    #[error("streamed RESP3 values are not supported")]
    Streamed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AggregateKind {
    Array,
    Map,
    Set,
    Push,
    Attribute,
}

/// What the scanner saw, in wire (pre-)order; ranges are offsets into the frame's bytes.
#[derive(Debug, Clone)]
enum Token {
    Simple(Range<usize>),
    Error(Range<usize>),
    Integer(i64),
    Bulk(Range<usize>),
    Null,
    Double(f64),
    Boolean(bool),
    Verbatim(Range<usize>),
    BigNumber(Range<usize>),
    /// Kind and number of child values (2n for maps, 2n + 1 for attributes).
    Aggregate(AggregateKind, usize),
}

#[derive(Debug, Clone, Copy)]
enum BlobKind {
    Bulk,
    Error,
    Verbatim,
}

#[derive(Debug, Clone, Copy)]
struct PendingBlob {
    kind: BlobKind,
    start: usize,
    /// Where the payload ends; `end + 2` (the CRLF) is known not to overflow.
    end: usize,
}

/// Resumable decoder: feed it the same buffer, only appended to, until a frame is complete.
/// Each byte is examined once however the frame is split into reads.
#[derive(Debug, Default)]
pub struct FrameDecoder {
    limits: Limits,
    /// Where scanning of the current frame resumes (offset from the frame's first byte).
    pos: usize,
    /// Child values still expected by each open aggregate, innermost last.
    open: Vec<usize>,
    tokens: Vec<Token>,
    /// A length header read whose payload is not complete yet.
    blob: Option<PendingBlob>,
    /// How far the current line is known to hold no CRLF.
    line_checked: usize,
}

impl FrameDecoder {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Whether part of a frame has been scanned.
    pub fn in_progress(&self) -> bool {
        self.pos > 0 || self.line_checked > 0
    }

    /// Forget a partly scanned frame.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.open.clear();
        self.tokens.clear();
        self.blob = None;
        self.line_checked = 0;
    }

    /// Split the next complete frame off `buf`. `Ok(None)`: more bytes are needed; call again
    /// with the same buffer once more have been appended.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Decoded>, FrameError> {
        let Some(len) = self.scan_reserving(buf)? else {
            return Ok(None);
        };
        let raw = buf.split_to(len).freeze();
        let frame = self.finish(&raw);
        Ok(Some(Decoded { frame, raw }))
    }

    /// Like `decode` without building the frame: for forwarding and skipping.
    pub fn decode_raw(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, FrameError> {
        let Some(len) = self.scan_reserving(buf)? else {
            return Ok(None);
        };
        self.reset();
        Ok(Some(buf.split_to(len).freeze()))
    }

    fn scan_reserving(&mut self, buf: &mut BytesMut) -> Result<Option<usize>, FrameError> {
        let outcome = self.scan(buf);
        match &outcome {
            Err(_) => self.reset(),
            Ok(None) => {
                if let Some(blob) = self.blob {
                    // Capped: a short header alone must not make us allocate half a gigabyte.
                    let needed = (blob.end + 2).saturating_sub(buf.len()).min(MAX_RESERVE);
                    if blob.end - blob.start >= RESERVE_THRESHOLD
                        && buf.capacity() - buf.len() < needed
                    {
                        buf.reserve(needed);
                    }
                }
            }
            Ok(Some(_)) => {}
        }
        outcome
    }

    /// Build the frame scanned so far (complete) from its bytes, and get ready for the next.
    fn finish(&mut self, raw: &Bytes) -> Frame {
        let frame = build(&self.tokens, raw);
        self.reset();
        frame
    }

    /// Scan on from where the last call stopped. Returns the frame's length once complete.
    fn scan(&mut self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        loop {
            if let Some(blob) = self.blob {
                let end = blob.end;
                if buf.len() < end + 2 {
                    return Ok(None);
                }
                if &buf[end..end + 2] != b"\r\n" {
                    return Err(FrameError::MissingCrlf);
                }
                let range = blob.start..end;
                self.tokens.push(match blob.kind {
                    BlobKind::Bulk => Token::Bulk(range),
                    BlobKind::Error => Token::Error(range),
                    BlobKind::Verbatim => {
                        if buf[blob.start + 3] != b':' {
                            return Err(FrameError::InvalidVerbatim);
                        }
                        Token::Verbatim(range)
                    }
                });
                self.blob = None;
                self.pos = end + 2;
                if self.value_done() {
                    return Ok(Some(self.pos));
                }
                continue;
            }

            let Some(&type_byte) = buf.get(self.pos) else {
                return Ok(None);
            };
            let max_line = match type_byte {
                b'+' | b'-' | b'(' => self.limits.max_bulk_len,
                b'$' | b'!' | b'=' | b'*' | b'~' | b'>' | b'%' | b'|' | b':' | b',' | b'#'
                | b'_' => MAX_HEADER_LINE as u64,
                b';' | b'.' => return Err(FrameError::Streamed),
                other => return Err(FrameError::InvalidType(other)),
            };
            let line_start = self.pos + 1;
            let Some(line_end) = self.find_line_end(buf, line_start, max_line)? else {
                return Ok(None);
            };
            let line = &buf[line_start..line_end];
            let next = line_end + 2;
            self.line_checked = 0;
            let range = line_start..line_end;

            let token = match type_byte {
                b'+' => Token::Simple(range),
                b'-' => Token::Error(range),
                b':' => Token::Integer(parse_number(line).ok_or(FrameError::InvalidInteger)?),
                b',' => Token::Double(parse_double(line).ok_or(FrameError::InvalidDouble)?),
                b'#' => match line {
                    b"t" => Token::Boolean(true),
                    b"f" => Token::Boolean(false),
                    _ => return Err(FrameError::InvalidBoolean),
                },
                b'_' if line.is_empty() => Token::Null,
                b'_' => return Err(FrameError::InvalidNull),
                b'(' if is_big_number(line) => Token::BigNumber(range),
                b'(' => return Err(FrameError::InvalidBigNumber),
                b'$' | b'!' | b'=' => {
                    let len = parse_length(line)?;
                    if len == -1 && type_byte == b'$' {
                        Token::Null
                    } else {
                        let len = u64::try_from(len).map_err(|_| FrameError::InvalidLength)?;
                        if len > self.limits.max_bulk_len {
                            return Err(FrameError::BulkTooLong {
                                len,
                                max: self.limits.max_bulk_len,
                            });
                        }
                        let len = usize::try_from(len).map_err(|_| FrameError::InvalidLength)?;
                        let kind = match type_byte {
                            b'$' => BlobKind::Bulk,
                            b'!' => BlobKind::Error,
                            _ if len < 4 => return Err(FrameError::InvalidVerbatim),
                            _ => BlobKind::Verbatim,
                        };
                        let end = next
                            .checked_add(len)
                            .filter(|end| end.checked_add(2).is_some())
                            .ok_or(FrameError::InvalidLength)?;
                        self.blob = Some(PendingBlob {
                            kind,
                            start: next,
                            end,
                        });
                        self.pos = next;
                        continue;
                    }
                }
                _ => {
                    let len = parse_length(line)?;
                    if len == -1 && type_byte == b'*' {
                        Token::Null
                    } else {
                        let len = u64::try_from(len).map_err(|_| FrameError::InvalidLength)?;
                        if len > self.limits.max_aggregate_len {
                            return Err(FrameError::AggregateTooLong {
                                len,
                                max: self.limits.max_aggregate_len,
                            });
                        }
                        if self.open.len() >= self.limits.max_depth {
                            return Err(FrameError::TooDeep {
                                max: self.limits.max_depth,
                            });
                        }
                        let len = usize::try_from(len).map_err(|_| FrameError::InvalidLength)?;
                        let (kind, children) = match type_byte {
                            b'*' => (AggregateKind::Array, Some(len)),
                            b'~' => (AggregateKind::Set, Some(len)),
                            b'>' => (AggregateKind::Push, Some(len)),
                            b'%' => (AggregateKind::Map, len.checked_mul(2)),
                            _ => (
                                AggregateKind::Attribute,
                                len.checked_mul(2).and_then(|n| n.checked_add(1)),
                            ),
                        };
                        let children = children.ok_or(FrameError::InvalidLength)?;
                        self.tokens.push(Token::Aggregate(kind, children));
                        self.pos = next;
                        if children > 0 {
                            self.open.push(children);
                            continue;
                        }
                        if self.value_done() {
                            return Ok(Some(self.pos));
                        }
                        continue;
                    }
                }
            };
            self.tokens.push(token);
            self.pos = next;
            if self.value_done() {
                return Ok(Some(self.pos));
            }
        }
    }

    /// A value just completed: count it against the open aggregates, closing those it fills.
    /// True when the outermost value is complete.
    fn value_done(&mut self) -> bool {
        while let Some(remaining) = self.open.last_mut() {
            *remaining -= 1;
            if *remaining > 0 {
                return false;
            }
            self.open.pop();
        }
        true
    }

    /// Find the CRLF ending the line that starts at `start`, resuming the search where the
    /// previous call left off.
    fn find_line_end(
        &mut self,
        buf: &[u8],
        start: usize,
        max: u64,
    ) -> Result<Option<usize>, FrameError> {
        let mut from = start.max(self.line_checked);
        loop {
            // `get`: a caller handing in a shorter buffer than last time gets nonsense, not a panic.
            let Some(offset) = memchr::memchr(b'\r', buf.get(from..).unwrap_or_default()) else {
                from = buf.len();
                break;
            };
            let cr = from + offset;
            match buf.get(cr + 1) {
                Some(b'\n') => {
                    if (cr - start) as u64 > max {
                        return Err(FrameError::LineTooLong { max });
                    }
                    return Ok(Some(cr));
                }
                Some(_) => from = cr + 1,
                None => {
                    // A CR as the last byte may be followed by LF in the next read.
                    from = cr;
                    break;
                }
            }
        }
        self.line_checked = from;
        if (from - start) as u64 > max {
            return Err(FrameError::LineTooLong { max });
        }
        Ok(None)
    }
}

/// A length header: digits, `-1`, or RESP3's `?` (streamed, unsupported).
fn parse_length(line: &[u8]) -> Result<i64, FrameError> {
    if line == b"?" {
        return Err(FrameError::Streamed);
    }
    parse_number(line).ok_or(FrameError::InvalidLength)
}

fn parse_number(line: &[u8]) -> Option<i64> {
    std::str::from_utf8(line).ok()?.parse().ok()
}

fn parse_double(line: &[u8]) -> Option<f64> {
    std::str::from_utf8(line).ok()?.parse().ok()
}

fn is_big_number(line: &[u8]) -> bool {
    let digits = match line.first() {
        Some(b'-' | b'+') => &line[1..],
        _ => line,
    };
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
}

/// Turn the token list of a complete frame into the frame, slicing `raw` for the payloads.
fn build(tokens: &[Token], raw: &Bytes) -> Frame {
    let mut stack: Vec<(AggregateKind, usize, Vec<Frame>)> = Vec::new();
    for token in tokens {
        let mut frame = match token {
            Token::Simple(r) => Frame::Simple(raw.slice(r.clone())),
            Token::Error(r) => Frame::Error(raw.slice(r.clone())),
            Token::Integer(n) => Frame::Integer(*n),
            Token::Bulk(r) => Frame::Bulk(raw.slice(r.clone())),
            Token::Null => Frame::Null,
            Token::Double(d) => Frame::Double(*d),
            Token::Boolean(b) => Frame::Boolean(*b),
            Token::Verbatim(r) => {
                let mut format = [0u8; 3];
                format.copy_from_slice(&raw[r.start..r.start + 3]);
                Frame::Verbatim {
                    format,
                    text: raw.slice(r.start + 4..r.end),
                }
            }
            Token::BigNumber(r) => Frame::BigNumber(raw.slice(r.clone())),
            Token::Aggregate(kind, 0) => close_aggregate(*kind, Vec::new()),
            Token::Aggregate(kind, children) => {
                // The frame is complete, so `children` tokens really follow: the count is safe.
                stack.push((*kind, *children, Vec::with_capacity(*children)));
                continue;
            }
        };
        loop {
            let Some((_, expected, items)) = stack.last_mut() else {
                return frame;
            };
            items.push(frame);
            if items.len() < *expected {
                break;
            }
            let Some((kind, _, items)) = stack.pop() else {
                break;
            };
            frame = close_aggregate(kind, items);
        }
    }
    // Unreachable for a complete token list; a wrong frame beats a panic on network input.
    Frame::Null
}

fn close_aggregate(kind: AggregateKind, items: Vec<Frame>) -> Frame {
    match kind {
        AggregateKind::Array => Frame::Array(items),
        AggregateKind::Set => Frame::Set(items),
        AggregateKind::Push => Frame::Push(items),
        AggregateKind::Map => Frame::Map(pairs(items)),
        AggregateKind::Attribute => {
            let mut items = items;
            let value = items.pop().unwrap_or(Frame::Null);
            Frame::Attributed {
                attributes: pairs(items),
                value: Box::new(value),
            }
        }
    }
}

fn pairs(items: Vec<Frame>) -> Vec<(Frame, Frame)> {
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut iter = items.into_iter();
    while let (Some(key), Some(value)) = (iter.next(), iter.next()) {
        out.push((key, value));
    }
    out
}

/// Decode one frame from the start of `buf` (which may hold more). `Ok(None)`: incomplete.
/// Stateless: for a stream, keep a `FrameDecoder` so partial frames are not rescanned.
pub fn decode(buf: &[u8], limits: &Limits) -> Result<Option<(Frame, usize)>, FrameError> {
    let mut decoder = FrameDecoder::new(*limits);
    let Some(len) = decoder.scan(buf)? else {
        return Ok(None);
    };
    let raw = Bytes::copy_from_slice(&buf[..len]);
    Ok(Some((decoder.finish(&raw), len)))
}

/// Like `decode`, slicing `buf` instead of copying.
pub fn decode_bytes(buf: &Bytes, limits: &Limits) -> Result<Option<Decoded>, FrameError> {
    let mut decoder = FrameDecoder::new(*limits);
    let Some(len) = decoder.scan(buf)? else {
        return Ok(None);
    };
    let raw = buf.slice(..len);
    let frame = decoder.finish(&raw);
    Ok(Some(Decoded { frame, raw }))
}

/// Encode a request as Redis expects it: an array of bulk strings.
pub fn encode_request<A: AsRef<[u8]>>(args: &[A], out: &mut BytesMut) {
    let payload: usize = args.iter().map(|a| a.as_ref().len() + 16).sum();
    out.reserve(payload + 16);
    put_header(out, b'*', args.len() as i64);
    for arg in args {
        put_blob(out, b'$', arg.as_ref());
    }
}

/// Encode a frame. In RESP2, RESP3-only types take the form Redis gives them there: maps,
/// sets and pushes become arrays, doubles and big numbers bulk strings, booleans 1/0, nulls
/// `$-1`; attributes are dropped.
pub fn encode_frame(frame: &Frame, protocol: Protocol, out: &mut BytesMut) {
    let resp3 = protocol == Protocol::Resp3;
    match frame {
        Frame::Simple(s) => put_line(out, b'+', s),
        Frame::Error(e) => {
            if resp3 && e.windows(2).any(|w| w == b"\r\n") {
                put_blob(out, b'!', e);
            } else {
                put_line(out, b'-', e);
            }
        }
        Frame::Integer(n) => put_header(out, b':', *n),
        Frame::Bulk(b) => put_blob(out, b'$', b),
        Frame::Null if resp3 => out.put_slice(b"_\r\n"),
        Frame::Null => out.put_slice(b"$-1\r\n"),
        Frame::Array(items) => {
            put_header(out, b'*', items.len() as i64);
            items.iter().for_each(|f| encode_frame(f, protocol, out));
        }
        Frame::Set(items) | Frame::Push(items) => {
            let prefix = match (resp3, frame) {
                (false, _) => b'*',
                (true, Frame::Set(_)) => b'~',
                (true, _) => b'>',
            };
            put_header(out, prefix, items.len() as i64);
            items.iter().for_each(|f| encode_frame(f, protocol, out));
        }
        Frame::Map(pairs) => {
            if resp3 {
                put_header(out, b'%', pairs.len() as i64);
            } else {
                put_header(out, b'*', (pairs.len() as i64).saturating_mul(2));
            }
            for (key, value) in pairs {
                encode_frame(key, protocol, out);
                encode_frame(value, protocol, out);
            }
        }
        Frame::Double(d) => {
            let text = format_double(*d);
            if resp3 {
                put_line(out, b',', text.as_bytes());
            } else {
                put_blob(out, b'$', text.as_bytes());
            }
        }
        Frame::Boolean(b) if resp3 => out.put_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Frame::Boolean(b) => out.put_slice(if *b { b":1\r\n" } else { b":0\r\n" }),
        Frame::Verbatim { format, text } => {
            if resp3 {
                put_header(out, b'=', text.len() as i64 + 4);
                out.put_slice(format);
                out.put_u8(b':');
                out.put_slice(text);
                out.put_slice(b"\r\n");
            } else {
                put_blob(out, b'$', text);
            }
        }
        Frame::BigNumber(n) if resp3 => put_line(out, b'(', n),
        Frame::BigNumber(n) => put_blob(out, b'$', n),
        Frame::Attributed { attributes, value } => {
            if resp3 {
                put_header(out, b'|', attributes.len() as i64);
                for (key, value) in attributes {
                    encode_frame(key, protocol, out);
                    encode_frame(value, protocol, out);
                }
            }
            encode_frame(value, protocol, out);
        }
    }
}

fn put_header(out: &mut BytesMut, prefix: u8, n: i64) {
    out.put_u8(prefix);
    out.put_slice(itoa::Buffer::new().format(n).as_bytes());
    out.put_slice(b"\r\n");
}

fn put_blob(out: &mut BytesMut, prefix: u8, data: &[u8]) {
    put_header(out, prefix, data.len() as i64);
    out.put_slice(data);
    out.put_slice(b"\r\n");
}

/// A line-framed value. A CRLF inside would end the line early, so those two bytes become
/// spaces (as Redis does for error texts); a lone CR or LF is unambiguous and kept.
fn put_line(out: &mut BytesMut, prefix: u8, data: &[u8]) {
    out.put_u8(prefix);
    if data.windows(2).any(|w| w == b"\r\n") {
        let mut previous_cr = false;
        let start = out.len();
        out.put_slice(data);
        let written = &mut out[start..];
        for i in 0..written.len() {
            let is_crlf_end = previous_cr && written[i] == b'\n';
            previous_cr = written[i] == b'\r' && !is_crlf_end;
            if is_crlf_end {
                written[i - 1] = b' ';
                written[i] = b' ';
            }
        }
    } else {
        out.put_slice(data);
    }
    out.put_slice(b"\r\n");
}

/// Errors of the `tokio_util` codec.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("protocol error: {0}")]
    Frame(#[from] FrameError),
}

/// `tokio_util` codec: decodes reply frames (with their raw bytes), encodes requests
/// (`&[impl AsRef<[u8]>]`) and frames (in the codec's protocol).
#[derive(Debug, Default)]
pub struct RespCodec {
    decoder: FrameDecoder,
    protocol: Protocol,
}

impl RespCodec {
    pub fn new(limits: Limits, protocol: Protocol) -> Self {
        Self {
            decoder: FrameDecoder::new(limits),
            protocol,
        }
    }

    pub fn set_protocol(&mut self, protocol: Protocol) {
        self.protocol = protocol;
    }

    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    pub fn decoder_mut(&mut self) -> &mut FrameDecoder {
        &mut self.decoder
    }
}

impl tokio_util::codec::Decoder for RespCodec {
    type Item = Decoded;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Decoded>, CodecError> {
        Ok(self.decoder.decode(src)?)
    }
}

impl<A: AsRef<[u8]>> tokio_util::codec::Encoder<&[A]> for RespCodec {
    type Error = CodecError;

    fn encode(&mut self, args: &[A], dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_request(args, dst);
        Ok(())
    }
}

impl tokio_util::codec::Encoder<&Frame> for RespCodec {
    type Error = CodecError;

    fn encode(&mut self, frame: &Frame, dst: &mut BytesMut) -> Result<(), CodecError> {
        encode_frame(frame, self.protocol, dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &'static str) -> Bytes {
        Bytes::from_static(s.as_bytes())
    }

    fn decode_all(input: &[u8], limits: Limits) -> Result<Vec<Decoded>, FrameError> {
        let mut decoder = FrameDecoder::new(limits);
        let mut buf = BytesMut::from(input);
        let mut out = Vec::new();
        while let Some(decoded) = decoder.decode(&mut buf)? {
            out.push(decoded);
        }
        Ok(out)
    }

    fn one(input: &str) -> Frame {
        let all = decode_all(input.as_bytes(), Limits::default()).expect("decodes");
        assert_eq!(all.len(), 1, "{input:?}");
        assert_eq!(&all[0].raw[..], input.as_bytes());
        all[0].frame.clone()
    }

    fn error_of(input: &[u8], limits: Limits) -> FrameError {
        decode_all(input, limits).expect_err("must fail")
    }

    /// One of every type, nested in places, RESP2 nulls included.
    const SAMPLE: &str = concat!(
        "+OK\r\n",
        "-ERR unknown command\r\n",
        ":-42\r\n",
        "$5\r\nhe\r\no\r\n",
        "$0\r\n\r\n",
        "$-1\r\n",
        "*-1\r\n",
        "_\r\n",
        "*3\r\n:1\r\n*0\r\n$1\r\nx\r\n",
        "%2\r\n+b\r\n:2\r\n+a\r\n*1\r\n_\r\n",
        "~2\r\n#t\r\n#f\r\n",
        ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
        ",3.25\r\n",
        ",-inf\r\n",
        "#t\r\n",
        "=15\r\ntxt:Some string\r\n",
        "(-3492890328409238509324850943850943825024385\r\n",
        "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n*2\r\n:2039123\r\n:9543892\r\n",
        "!21\r\nSYNTAX invalid syntax\r\n",
    );

    fn sample_frames() -> Vec<Frame> {
        vec![
            Frame::Simple(b("OK")),
            Frame::Error(b("ERR unknown command")),
            Frame::Integer(-42),
            Frame::Bulk(b("he\r\no")),
            Frame::Bulk(b("")),
            Frame::Null,
            Frame::Null,
            Frame::Null,
            Frame::Array(vec![
                Frame::Integer(1),
                Frame::Array(vec![]),
                Frame::Bulk(b("x")),
            ]),
            Frame::Map(vec![
                (Frame::Simple(b("b")), Frame::Integer(2)),
                (Frame::Simple(b("a")), Frame::Array(vec![Frame::Null])),
            ]),
            Frame::Set(vec![Frame::Boolean(true), Frame::Boolean(false)]),
            Frame::Push(vec![
                Frame::Bulk(b("message")),
                Frame::Bulk(b("ch")),
                Frame::Bulk(b("hi")),
            ]),
            Frame::Double(3.25),
            Frame::Double(f64::NEG_INFINITY),
            Frame::Boolean(true),
            Frame::Verbatim {
                format: *b"txt",
                text: b("Some string"),
            },
            Frame::BigNumber(b("-3492890328409238509324850943850943825024385")),
            Frame::Attributed {
                attributes: vec![(
                    Frame::Simple(b("key-popularity")),
                    Frame::Map(vec![(Frame::Bulk(b("a")), Frame::Double(0.1923))]),
                )],
                value: Box::new(Frame::Array(vec![
                    Frame::Integer(2039123),
                    Frame::Integer(9543892),
                ])),
            },
            Frame::Error(b("SYNTAX invalid syntax")),
        ]
    }

    #[test]
    fn every_type_decodes_with_its_raw_bytes() {
        let all = decode_all(SAMPLE.as_bytes(), Limits::default()).unwrap();
        let frames: Vec<Frame> = all.iter().map(|d| d.frame.clone()).collect();
        assert_eq!(frames, sample_frames());
        let joined: Vec<u8> = all.iter().flat_map(|d| d.raw.to_vec()).collect();
        assert_eq!(joined, SAMPLE.as_bytes());
        assert_eq!(all[0].wire_len(), 5);
        assert_eq!(all[6].raw, b("*-1\r\n"));
    }

    #[test]
    fn doubles_and_specials() {
        assert_eq!(one(",inf\r\n"), Frame::Double(f64::INFINITY));
        assert_eq!(one(",1e3\r\n"), Frame::Double(1000.0));
        assert!(matches!(one(",nan\r\n"), Frame::Double(d) if d.is_nan()));
        assert_eq!(one("#f\r\n"), Frame::Boolean(false));
        assert_eq!(one("+a\rb\nc\r\n"), Frame::Simple(b("a\rb\nc")));
        assert_eq!(one(":9223372036854775807\r\n"), Frame::Integer(i64::MAX));
        assert_eq!(one("%0\r\n"), Frame::Map(vec![]));
        assert_eq!(
            one("|0\r\n:1\r\n"),
            Frame::Attributed {
                attributes: vec![],
                value: Box::new(Frame::Integer(1))
            }
        );
        assert_eq!(one("|0\r\n:1\r\n").value(), &Frame::Integer(1));
    }

    #[test]
    fn every_split_position_gives_the_same_frames() {
        let input = SAMPLE.as_bytes();
        let whole = decode_all(input, Limits::default()).unwrap();
        for split in 0..=input.len() {
            let mut decoder = FrameDecoder::default();
            let mut buf = BytesMut::new();
            let mut out = Vec::new();
            for part in [&input[..split], &input[split..]] {
                buf.extend_from_slice(part);
                while let Some(decoded) = decoder.decode(&mut buf).unwrap() {
                    out.push(decoded);
                }
            }
            assert_eq!(out, whole, "split at {split}");
        }
        // And one byte at a time.
        let mut decoder = FrameDecoder::default();
        let mut buf = BytesMut::new();
        let mut out = Vec::new();
        for &byte in input {
            buf.extend_from_slice(&[byte]);
            while let Some(decoded) = decoder.decode(&mut buf).unwrap() {
                out.push(decoded);
            }
            assert_eq!(decoder.in_progress(), !buf.is_empty());
        }
        assert_eq!(out, whole);
    }

    #[test]
    fn limits_apply_before_the_payload_arrives() {
        let limits = Limits {
            max_bulk_len: 10,
            max_aggregate_len: 3,
            max_depth: 2,
        };
        // Headers alone, no payload buffered.
        assert_eq!(
            error_of(b"$11\r\n", limits),
            FrameError::BulkTooLong { len: 11, max: 10 }
        );
        assert_eq!(
            error_of(b"!11\r\n", limits),
            FrameError::BulkTooLong { len: 11, max: 10 }
        );
        assert_eq!(
            error_of(b"*4\r\n", limits),
            FrameError::AggregateTooLong { len: 4, max: 3 }
        );
        assert_eq!(
            error_of(b"%4\r\n", limits),
            FrameError::AggregateTooLong { len: 4, max: 3 }
        );
        assert_eq!(
            error_of(b"*1\r\n*1\r\n*1\r\n", limits),
            FrameError::TooDeep { max: 2 }
        );
        assert_eq!(
            error_of(b"|0\r\n|0\r\n|0\r\n", limits),
            FrameError::TooDeep { max: 2 }
        );
        assert!(decode_all(b"*1\r\n*3\r\n$10\r\n0123456789\r\n_\r\n_\r\n", limits).is_ok());
        // A simple line longer than the bulk limit, complete or not.
        assert_eq!(
            error_of(b"+0123456789a", limits),
            FrameError::LineTooLong { max: 10 }
        );
        assert_eq!(
            error_of(b"-0123456789a\r\n", limits),
            FrameError::LineTooLong { max: 10 }
        );
        assert!(decode_all(b"+0123456789\r\n", limits).is_ok());
        let mut header = b":".to_vec();
        header.extend(std::iter::repeat_n(b'1', MAX_HEADER_LINE + 1));
        assert_eq!(
            error_of(&header, Limits::default()),
            FrameError::LineTooLong {
                max: MAX_HEADER_LINE as u64
            }
        );
    }

    #[test]
    fn default_depth_limit_stops_a_deep_nest_without_overflowing() {
        let deep = "*1\r\n".repeat(100_000);
        assert_eq!(
            error_of(deep.as_bytes(), Limits::default()),
            FrameError::TooDeep {
                max: DEFAULT_MAX_DEPTH
            }
        );
        let ok = format!("{}:1\r\n", "*1\r\n".repeat(DEFAULT_MAX_DEPTH));
        assert_eq!(
            decode_all(ok.as_bytes(), Limits::default()).unwrap().len(),
            1
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let cases: &[(&[u8], FrameError)] = &[
            (b"x\r\n", FrameError::InvalidType(b'x')),
            (b"\r\n", FrameError::InvalidType(b'\r')),
            (b":12a\r\n", FrameError::InvalidInteger),
            (b":99999999999999999999\r\n", FrameError::InvalidInteger),
            (b"$-2\r\n", FrameError::InvalidLength),
            (b"!-1\r\n", FrameError::InvalidLength),
            (b"$abc\r\n", FrameError::InvalidLength),
            (b"$3\rx\n\r\n", FrameError::InvalidLength),
            (b"*-2\r\n", FrameError::InvalidLength),
            (b"%-1\r\n", FrameError::InvalidLength),
            (b"$?\r\n", FrameError::Streamed),
            (b"*?\r\n", FrameError::Streamed),
            (b";4\r\n", FrameError::Streamed),
            (b"$3\r\nabcd\r\n", FrameError::MissingCrlf),
            (b"#x\r\n", FrameError::InvalidBoolean),
            (b"_x\r\n", FrameError::InvalidNull),
            (b",1.2.3\r\n", FrameError::InvalidDouble),
            (b"(12a\r\n", FrameError::InvalidBigNumber),
            (b"(\r\n", FrameError::InvalidBigNumber),
            (b"=3\r\ntxt\r\n", FrameError::InvalidVerbatim),
            (b"=5\r\ntxt-a\r\n", FrameError::InvalidVerbatim),
            (b"*2\r\n:1\r\nQ", FrameError::InvalidType(b'Q')),
        ];
        for (input, expected) in cases {
            assert_eq!(
                &error_of(input, Limits::default()),
                expected,
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        // After an error the decoder starts afresh.
        let mut decoder = FrameDecoder::default();
        let mut buf = BytesMut::from(&b"*2\r\n:x\r\n"[..]);
        assert!(decoder.decode(&mut buf).is_err());
        assert!(!decoder.in_progress());
    }

    #[test]
    fn function_api_and_raw_only() {
        let input = b"*2\r\n:1\r\n:2\r\n+next";
        let (frame, len) = decode(input, &Limits::default()).unwrap().unwrap();
        assert_eq!(len, 12);
        assert_eq!(
            frame,
            Frame::Array(vec![Frame::Integer(1), Frame::Integer(2)])
        );
        assert_eq!(decode(b"*2\r\n:1\r\n", &Limits::default()), Ok(None));
        let bytes = Bytes::from_static(input);
        let decoded = decode_bytes(&bytes, &Limits::default()).unwrap().unwrap();
        assert_eq!(decoded.raw, bytes.slice(..12));

        let mut decoder = FrameDecoder::default();
        let mut buf = BytesMut::from(&b"$3\r\nab"[..]);
        assert_eq!(decoder.decode_raw(&mut buf), Ok(None));
        buf.extend_from_slice(b"c\r\n:5\r\n");
        assert_eq!(decoder.decode_raw(&mut buf), Ok(Some(b("$3\r\nabc\r\n"))));
        assert_eq!(decoder.decode_raw(&mut buf), Ok(Some(b(":5\r\n"))));
    }

    #[test]
    fn unlimited_lengths_do_not_overflow() {
        let limits = Limits {
            max_bulk_len: u64::MAX,
            max_aggregate_len: u64::MAX,
            max_depth: usize::MAX,
        };
        let mut decoder = FrameDecoder::new(limits);
        let mut buf = BytesMut::from(&b"$9223372036854775807\r\nabc"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        assert!(buf.capacity() <= 17 * 1024 * 1024);
        let mut decoder = FrameDecoder::new(limits);
        let mut buf = BytesMut::from(&b"|9223372036854775807\r\n"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        let mut decoder = FrameDecoder::new(limits);
        let mut buf = BytesMut::from(&b"*9223372036854775807\r\n:1\r\n"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
    }

    #[test]
    fn large_payload_reserves_once() {
        let mut decoder = FrameDecoder::default();
        let mut buf = BytesMut::from(&b"$1000000\r\n"[..]);
        assert_eq!(decoder.decode(&mut buf), Ok(None));
        assert!(buf.capacity() >= 1_000_012);
    }

    #[test]
    fn large_array_in_small_chunks() {
        let n = 100_000;
        let mut input = format!("*{n}\r\n").into_bytes();
        for i in 0..n {
            input.extend_from_slice(format!("${}\r\n{i}\r\n", i.to_string().len()).as_bytes());
        }
        let mut decoder = FrameDecoder::default();
        let mut buf = BytesMut::new();
        let mut result = None;
        for chunk in input.chunks(1024) {
            buf.extend_from_slice(chunk);
            if let Some(decoded) = decoder.decode(&mut buf).unwrap() {
                result = Some(decoded);
            }
        }
        let decoded = result.expect("complete");
        assert_eq!(decoded.raw.len(), input.len());
        let items = decoded.frame.as_items().unwrap();
        assert_eq!(items.len(), n);
        assert_eq!(items[n - 1], Frame::Bulk(Bytes::from((n - 1).to_string())));
    }

    #[test]
    fn agrees_with_redis_protocol_on_what_both_accept() {
        use redis_protocol::resp2::decode::decode as resp2_decode;
        use redis_protocol::resp3::decode::complete::decode as resp3_decode;
        let resp2 = "*3\r\n$3\r\nfoo\r\n:-7\r\n*2\r\n+a\r\n-ERR b\r\n";
        let (_, len) = resp2_decode(resp2.as_bytes()).unwrap().unwrap();
        assert_eq!(len, resp2.len());
        assert_eq!(one(resp2).as_items().map(<[Frame]>::len), Some(3));
        for sample in [
            ">2\r\n#t\r\n,1.5\r\n",
            "=8\r\ntxt:abcd\r\n",
            "~1\r\n(123\r\n",
            "%1\r\n+k\r\n*1\r\n_\r\n",
        ] {
            let (_, len) = resp3_decode(sample.as_bytes()).unwrap().unwrap();
            assert_eq!(len, sample.len());
            one(sample);
        }
    }

    #[test]
    fn request_encoding() {
        let mut out = BytesMut::new();
        encode_request(&["SET", "k", ""], &mut out);
        assert_eq!(&out[..], b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
        let mut parser = crate::request::RequestParser::default();
        let request = parser.parse(&mut out).unwrap().unwrap();
        assert_eq!(request.args, vec![b("SET"), b("k"), b("")]);
    }

    #[test]
    fn frames_encode_in_both_protocols() {
        let encode = |frame: &Frame, protocol| {
            let mut out = BytesMut::new();
            encode_frame(frame, protocol, &mut out);
            String::from_utf8(out.to_vec()).unwrap()
        };
        let map = Frame::Map(vec![(Frame::Bulk(b("a")), Frame::Double(1.5))]);
        assert_eq!(encode(&map, Protocol::Resp3), "%1\r\n$1\r\na\r\n,1.5\r\n");
        assert_eq!(
            encode(&map, Protocol::Resp2),
            "*2\r\n$1\r\na\r\n$3\r\n1.5\r\n"
        );
        assert_eq!(encode(&Frame::Null, Protocol::Resp2), "$-1\r\n");
        assert_eq!(encode(&Frame::Boolean(true), Protocol::Resp2), ":1\r\n");
        assert_eq!(
            encode(&Frame::Error(b("ERR a\r\nb")), Protocol::Resp2),
            "-ERR a  b\r\n"
        );
        assert_eq!(
            encode(&Frame::Error(b("ERR a\r\nb")), Protocol::Resp3),
            "!8\r\nERR a\r\nb\r\n"
        );
        // Every sample frame survives a RESP3 round trip.
        for frame in sample_frames() {
            let text = encode(&frame, Protocol::Resp3);
            assert_eq!(one(&text), frame, "{text:?}");
            let resp2 = encode(&frame, Protocol::Resp2);
            one(&resp2);
        }
    }

    #[tokio::test]
    async fn tokio_codec_reads_a_stream() {
        use futures::StreamExt;
        use tokio_util::codec::FramedRead;
        let (mut writer, reader) = tokio::io::duplex(7);
        let feed = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            writer.write_all(SAMPLE.as_bytes()).await.unwrap();
        });
        let frames: Vec<Frame> = FramedRead::new(reader, RespCodec::default())
            .map(|d| d.unwrap().frame)
            .collect()
            .await;
        feed.await.unwrap();
        assert_eq!(frames, sample_frames());
    }
}
