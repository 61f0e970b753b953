//! What a command handler sees: the locked keyspace, the selected database, the reply buffer,
//! the client, and the side effects it may signal (modified keys, ready keys, dirty count).

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use wire::{Command, ReplyBuf};

use crate::client::ClientState;
use crate::keyspace::Db;
use crate::server::{Server, Store};

/// An error reply. The text starts with the error code (`ERR ...`, `WRONGTYPE ...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdError(pub Cow<'static, str>);

impl CmdError {
    pub fn new(text: impl Into<Cow<'static, str>>) -> Self {
        CmdError(text.into())
    }
    pub fn wrong_type() -> Self {
        Self::new("WRONGTYPE Operation against a key holding the wrong kind of value")
    }
    pub fn syntax() -> Self {
        Self::new("ERR syntax error")
    }
    pub fn not_integer() -> Self {
        Self::new("ERR value is not an integer or out of range")
    }
    pub fn not_float() -> Self {
        Self::new("ERR value is not a valid float")
    }
    pub fn no_such_key() -> Self {
        Self::new("ERR no such key")
    }
    pub fn out_of_range() -> Self {
        Self::new("ERR index out of range")
    }
    pub fn overflow() -> Self {
        Self::new("ERR increment or decrement would overflow")
    }
    /// `ERR wrong number of arguments for '<name>' command`.
    pub fn arity(cmd: &Command) -> Self {
        Self::new(wire::command::arity_message(cmd))
    }
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl From<&'static str> for CmdError {
    fn from(text: &'static str) -> Self {
        CmdError::new(text)
    }
}

impl From<String> for CmdError {
    fn from(text: String) -> Self {
        CmdError::new(text)
    }
}

pub type CmdResult = Result<(), CmdError>;

/// A blocking command that could not be served now: wait for one of `keys` (in the client's
/// database) to be signalled ready, or for `timeout` (None = forever).
#[derive(Debug, Clone)]
pub struct BlockRequest {
    pub keys: Vec<Bytes>,
    pub timeout: Option<Duration>,
}

pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub server: &'a Server,
    pub client: &'a mut ClientState,
    pub out: &'a mut ReplyBuf,
    pub cmd: &'static Command,
    /// Selected database index.
    pub db: usize,
    /// Unix time in milliseconds, fixed for the command (as Redis caches it per command).
    pub now_ms: u64,
    /// Set by a blocking command that has to wait.
    pub block: Option<BlockRequest>,
    /// True while EXEC runs queued commands, or when a blocked client is being served: blocking
    /// commands must then answer as if the timeout had expired instead of blocking.
    pub no_block: bool,
    /// Changes counted by [`Ctx::dirty`] during this command: it is propagated when any.
    pub changes: u64,
    /// What the command propagates for itself (see [`crate::propagate`]).
    pub propagation: crate::propagate::Propagation,
}

impl<'a> Ctx<'a> {
    /// The selected database.
    pub fn db(&mut self) -> &mut Db {
        &mut self.store.dbs[self.db]
    }

    /// A key was changed: invalidates WATCHes on it (Redis's signalModifiedKey).
    pub fn signal_modified(&mut self, key: &[u8]) {
        self.store.watch.touch(self.db, key);
    }

    /// A list or sorted set key received elements: clients blocked on it may be served.
    pub fn signal_ready(&mut self, key: &[u8]) {
        self.store.blocking.signal_ready(self.db, key);
    }

    /// Count changes for `INFO`'s `rdb_changes_since_last_save` and the save rules.
    pub fn dirty(&mut self, changes: u64) {
        self.store.dirty += changes;
        self.changes += changes;
    }

    /// Whether anything consumes the command stream: a handler may skip building a
    /// rewritten argv when not.
    pub fn propagating(&self) -> bool {
        self.store.feed.encoding()
    }

    /// Propagate this argv instead of the client's (Redis's rewriteClientCommandVector).
    pub fn propagate_as(&mut self, argv: Vec<Bytes>) {
        if self.propagating() {
            self.propagation = crate::propagate::Propagation::As(argv);
        }
    }

    /// Propagate an extra command, ahead of the command's own (Redis's alsoPropagate).
    pub fn also_propagate(&mut self, argv: Vec<Bytes>) {
        // Keys found expired so far go first, as they went first.
        crate::expire::drain_expired_log(self.store);
        self.store.feed.push(self.db, argv);
    }

    /// Do not propagate the command itself (Redis's preventCommandPropagation).
    pub fn prevent_propagation(&mut self) {
        self.propagation = crate::propagate::Propagation::Nothing;
    }

    /// Ask to block (see [`BlockRequest`]). Inside MULTI or while being served this is not
    /// allowed: handlers check [`Ctx::may_block`] first and reply as on timeout.
    pub fn block_on(&mut self, keys: Vec<Bytes>, timeout: Option<Duration>) {
        self.block = Some(BlockRequest { keys, timeout });
    }

    pub fn may_block(&self) -> bool {
        !self.no_block
    }
}

/// Argument parsing shared by handlers, with Redis's error texts.
pub mod args {
    use super::CmdError;

    pub fn int(arg: &[u8]) -> Result<i64, CmdError> {
        wire::request::parse_i64(arg).ok_or_else(CmdError::not_integer)
    }

    /// A non-negative integer or the given error.
    pub fn uint(arg: &[u8], err: &'static str) -> Result<u64, CmdError> {
        match wire::request::parse_i64(arg) {
            Some(v) if v >= 0 => Ok(v as u64),
            _ => Err(CmdError::new(err)),
        }
    }

    /// A double as Redis's `getDoubleFromObject` accepts it (`inf`, `-inf`, `+inf` included;
    /// NaN and trailing garbage rejected).
    pub fn float(arg: &[u8]) -> Result<f64, CmdError> {
        parse_float(arg).ok_or_else(CmdError::not_float)
    }

    pub fn parse_float(arg: &[u8]) -> Option<f64> {
        let text = std::str::from_utf8(arg).ok()?;
        if text.is_empty()
            || text.starts_with(char::is_whitespace)
            || text.ends_with(char::is_whitespace)
        {
            return None;
        }
        let value = match text.to_ascii_lowercase().as_str() {
            "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
            "-inf" | "-infinity" => f64::NEG_INFINITY,
            _ => text.parse::<f64>().ok()?,
        };
        (!value.is_nan()).then_some(value)
    }

    /// A blocking command's timeout in seconds (float), as Redis 7.0 parses it: milliseconds
    /// rounded up, so any positive fraction waits at least 1 ms, a tiny negative one (down to
    /// -0.0009...) means forever like 0, and values beyond the 64-bit millisecond range (inf
    /// included) come out as "negative", as its overflowing conversion does.
    pub fn timeout(arg: &[u8]) -> Result<Option<std::time::Duration>, CmdError> {
        let secs = parse_float(arg)
            .ok_or_else(|| CmdError::new("ERR timeout is not a float or out of range"))?;
        let ms = (secs * 1000.0).ceil();
        if !(0.0..9_223_372_036_854_775_808.0).contains(&ms) {
            return Err(CmdError::new("ERR timeout is negative"));
        }
        if ms == 0.0 {
            return Ok(None);
        }
        Ok(Some(std::time::Duration::from_millis(ms as u64)))
    }

    /// A SCAN cursor as Redis reads it with `strtoul`: optional sign, decimal digits, no leading
    /// space, no trailing garbage, no overflow; "-1" wraps to 2^64-1 and "" reads as 0. The
    /// text ends at the first NUL byte, as for a C string.
    pub fn scan_cursor(arg: &[u8]) -> Result<u64, CmdError> {
        let invalid = || CmdError::new("ERR invalid cursor");
        let text = arg.split(|&b| b == 0).next().unwrap_or_default();
        if text.is_empty() {
            return Ok(0);
        }
        if matches!(text[0], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
            return Err(invalid());
        }
        let (negative, digits) = match text[0] {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return Err(invalid());
        }
        let mut value: u64 = 0;
        for &d in digits {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add((d - b'0') as u64))
                .ok_or_else(invalid)?;
        }
        Ok(if negative {
            value.wrapping_neg()
        } else {
            value
        })
    }

    pub fn is(arg: &[u8], word: &str) -> bool {
        arg.eq_ignore_ascii_case(word.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursor_parsing_follows_strtoul() {
        assert_eq!(super::args::scan_cursor(b"0"), Ok(0));
        assert_eq!(super::args::scan_cursor(b""), Ok(0));
        assert_eq!(super::args::scan_cursor(b"+12"), Ok(12));
        assert_eq!(super::args::scan_cursor(b"007"), Ok(7));
        assert_eq!(super::args::scan_cursor(b"-1"), Ok(u64::MAX));
        assert_eq!(
            super::args::scan_cursor(b"18446744073709551615"),
            Ok(u64::MAX)
        );
        assert_eq!(super::args::scan_cursor(b"5\0junk"), Ok(5));
        for bad in [
            &b"18446744073709551616"[..],
            b"abc",
            b" 1",
            b"1 ",
            b"-",
            b"+",
            b"1x",
        ] {
            assert!(super::args::scan_cursor(bad).is_err(), "{bad:?}");
        }
    }
}
