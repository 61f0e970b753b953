//! Reply encoding for RESP2 and RESP3. Handlers write straight into a connection's output
//! buffer; RESP3 types are downgraded for RESP2 connections exactly as Redis 7 does.

use crate::command::DocValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

impl Protocol {
    pub fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// An output buffer that knows the connection's protocol.
#[derive(Debug, Default)]
pub struct ReplyBuf {
    pub buf: Vec<u8>,
    pub proto: Protocol,
}

impl ReplyBuf {
    pub fn new(proto: Protocol) -> Self {
        Self {
            buf: Vec::with_capacity(256),
            proto,
        }
    }

    pub fn is_resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub fn clear(&mut self) {
        self.buf.clear();
    }

    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// Raw protocol bytes, appended as they are.
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// A status reply (`+text`). The text must not contain CR or LF.
    pub fn simple(&mut self, text: &str) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An error reply. `text` starts with the error code (`ERR ...`, `WRONGTYPE ...`); a leading
    /// `-` is accepted. CR and LF inside become spaces, as Redis does.
    pub fn error(&mut self, text: &str) {
        self.buf.push(b'-');
        let text = text.strip_prefix('-').unwrap_or(text);
        self.buf.extend(
            text.bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An error reply from raw bytes (errors that echo client arguments carry them as sent).
    pub fn error_bytes(&mut self, text: &[u8]) {
        self.buf.push(b'-');
        let text = text.strip_prefix(b"-").unwrap_or(text);
        self.buf.extend(
            text.iter()
                .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn int(&mut self, value: i64) {
        self.header(b':', value);
    }

    pub fn bulk(&mut self, bytes: &[u8]) {
        self.header(b'$', bytes.len() as i64);
        self.buf.extend_from_slice(bytes);
        self.buf.extend_from_slice(b"\r\n");
    }

    pub fn bulk_str(&mut self, text: &str) {
        self.bulk(text.as_bytes());
    }

    /// An integer sent as a bulk string (Redis's `addReplyBulkLongLong`).
    pub fn bulk_int(&mut self, value: i64) {
        let mut buf = itoa::Buffer::new();
        self.bulk(buf.format(value).as_bytes());
    }

    /// Null bulk string: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// Null array: `*-1` in RESP2, `_` in RESP3.
    pub fn null_array(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    pub fn array(&mut self, len: usize) {
        self.header(b'*', len as i64);
    }

    /// A map of `pairs` entries (a flat array of 2×pairs in RESP2).
    pub fn map(&mut self, pairs: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', 2 * pairs as i64),
            Protocol::Resp3 => self.header(b'%', pairs as i64),
        }
    }

    /// A set (an array in RESP2).
    pub fn set(&mut self, len: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', len as i64),
            Protocol::Resp3 => self.header(b'~', len as i64),
        }
    }

    /// A push frame (an array in RESP2, as pub/sub messages are).
    pub fn push(&mut self, len: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', len as i64),
            Protocol::Resp3 => self.header(b'>', len as i64),
        }
    }

    /// A double: `,<%.17g>` in RESP3, a bulk string in RESP2.
    pub fn double(&mut self, value: f64) {
        let text = format_double(value);
        match self.proto {
            Protocol::Resp2 => self.bulk(text.as_bytes()),
            Protocol::Resp3 => {
                self.buf.push(b',');
                self.buf.extend_from_slice(text.as_bytes());
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn boolean(&mut self, value: bool) {
        match self.proto {
            Protocol::Resp2 => self.int(value as i64),
            Protocol::Resp3 => {
                self.buf
                    .extend_from_slice(if value { b"#t\r\n" } else { b"#f\r\n" })
            }
        }
    }

    /// Verbatim text (INFO, CLIENT LIST ...): `=<len>\r\ntxt:...` in RESP3, bulk in RESP2.
    pub fn verbatim(&mut self, text: &[u8]) {
        match self.proto {
            Protocol::Resp2 => self.bulk(text),
            Protocol::Resp3 => {
                self.header(b'=', text.len() as i64 + 4);
                self.buf.extend_from_slice(b"txt:");
                self.buf.extend_from_slice(text);
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// Render a static docs value (COMMAND DOCS and COMMAND INFO parts).
    pub fn doc(&mut self, value: &DocValue) {
        match value {
            DocValue::Str(s) => self.bulk_str(s),
            DocValue::Status(s) => self.simple(s),
            DocValue::Int(i) => self.int(*i),
            DocValue::Array(items) => {
                self.array(items.len());
                items.iter().for_each(|v| self.doc(v));
            }
            DocValue::Set(items) => {
                self.set(items.len());
                items.iter().for_each(|v| self.doc(v));
            }
            DocValue::Map(pairs) => self.doc_map(pairs),
        }
    }

    pub fn doc_map(&mut self, pairs: &[(&str, DocValue)]) {
        self.map(pairs.len());
        for (key, value) in pairs {
            self.bulk_str(key);
            self.doc(value);
        }
    }

    fn header(&mut self, kind: u8, value: i64) {
        let mut buf = itoa::Buffer::new();
        self.buf.push(kind);
        self.buf.extend_from_slice(buf.format(value).as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }
}

/// `%.17g`, as Redis 7.0 formats doubles in replies (`inf`, `-inf`, `nan` spelled out).
pub fn format_double(value: f64) -> String {
    format_g(value, 17)
}

/// C's `%.<precision>g`.
pub fn format_g(value: f64, precision: usize) -> String {
    if value.is_nan() {
        return "nan".into();
    }
    if value.is_infinite() {
        return if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if value == 0.0 {
        return if value.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let precision = precision.max(1);
    let sci = format!("{:.*e}", precision - 1, value);
    let (mantissa, exp) = sci.split_once('e').expect("exponent");
    let exp: i32 = exp.parse().expect("exponent digits");
    if exp < -4 || exp >= precision as i32 {
        let mantissa = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (precision as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{:.*}", decimals, value)).to_string()
    }
}

fn strip_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// The shortest text that reads back as the same double, as INCRBYFLOAT and HINCRBYFLOAT
/// reply (Redis prints these with `%.17Lf` and trims zeros; for doubles that round-trips to
/// the shortest form).
pub fn format_double_human(value: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if value == value.trunc() && value.abs() < 1e17 {
        return format!("{}", value as i64);
    }
    // Rust's Display for f64 is the shortest round-trip form, never in exponent notation.
    format!("{value}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g17_matches_c() {
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(3.0), "3");
        assert_eq!(format_double(1.1), "1.1000000000000001");
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(1e20), "1e+20");
        assert_eq!(format_double(-2.5e-5), "-2.5000000000000001e-05");
        assert_eq!(
            format_double(123456789012345680.0),
            "1.2345678901234568e+17"
        );
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_g(0.0001, 17), "0.0001");
    }

    #[test]
    fn human_doubles() {
        assert_eq!(format_double_human(10.5 + 0.1), "10.6");
        assert_eq!(format_double_human(3.0), "3");
        assert_eq!(format_double_human(-0.5), "-0.5");
        assert_eq!(format_double_human(5.0e3), "5000");
    }

    #[test]
    fn downgrades() {
        let mut r2 = ReplyBuf::new(Protocol::Resp2);
        let mut r3 = ReplyBuf::new(Protocol::Resp3);
        for r in [&mut r2, &mut r3] {
            r.map(1);
            r.bulk_str("a");
            r.double(1.5);
            r.null();
            r.null_array();
            r.boolean(true);
            r.error("ERR bad\r\nthing");
        }
        assert_eq!(
            r2.buf,
            b"*2\r\n$1\r\na\r\n$3\r\n1.5\r\n$-1\r\n*-1\r\n:1\r\n-ERR bad  thing\r\n"
        );
        assert_eq!(
            r3.buf,
            b"%1\r\n$1\r\na\r\n,1.5\r\n_\r\n_\r\n#t\r\n-ERR bad  thing\r\n"
        );
    }
}
