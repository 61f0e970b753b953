//! The command stream: what the node applied, in the order it applied it, as Redis 7.0
//! propagates it (server.c's call/alsoPropagate/propagatePendingCommands) and writes it
//! (aof.c's feedAppendOnlyFile/catAppendOnlyGenericCommand).
//!
//! One [`Feed`] lives in the [`Store`]: every consumer (the AOF now, the replication backlog
//! next) reads the same bytes. When nobody consumes the stream nothing is encoded: the hooks
//! in the dispatcher return after one flag test.
//!
//! How a command gets into the feed:
//! - the dispatcher opens a group for every top-level command ([`Feed::begin_command`]);
//! - a handler that changed data (`ctx.dirty(n)`) is propagated with its own argv, unless it
//!   asked for another form (`ctx.propagate_as`), extra commands (`ctx.also_propagate`) or
//!   nothing (`ctx.prevent_propagation`);
//! - keys removed because they expired or were evicted are propagated as `DEL`: a key a
//!   command found expired joins that command's group, ahead of it (Redis 7.0 then wraps the
//!   DEL and the command in MULTI/EXEC); the active cycle's and eviction's go out alone;
//! - when the group closes, a group of more than one command is wrapped in MULTI ... EXEC
//!   (EXEC's commands, SPOP with a count, a write that found its key expired, a read that
//!   found several), a single one is written bare; so are the DELs of a SCAN or RANDOMKEY
//!   run directly (flag `TOUCHES_ARBITRARY_KEYS`; inside EXEC they join EXEC's group);
//! - `SELECT <db>` goes before a command whose database differs from the last one written.

use bytes::Bytes;

use crate::server::Store;

/// Consumers of the feed (bits of [`Feed::set_consumer`]).
pub const CONSUMER_AOF: u8 = 1;
pub const CONSUMER_REPLICAS: u8 = 2;

/// What a handler asked to propagate for itself (see [`crate::ctx::Ctx::propagate_as`]).
#[derive(Debug, Default)]
pub enum Propagation {
    /// The client's argv, if the command changed data.
    #[default]
    Verbatim,
    /// This argv instead, if the command changed data.
    As(Vec<Bytes>),
    /// Nothing for the command itself (what it propagated with `also_propagate` stays).
    Nothing,
}

#[derive(Debug, Default)]
pub struct Feed {
    consumers: u8,
    /// Encoded bytes not yet handed to the consumers.
    buf: Vec<u8>,
    /// Parts of `buf` for the replicas only (the master's PING and REPLCONF GETACK, which
    /// Redis sends to its replicas and never writes to its AOF).
    replicas_only: Vec<std::ops::Range<usize>>,
    /// Database of the last command written (`None` forces a SELECT).
    selected_db: Option<usize>,
    /// Commands of the open group, with their database.
    pending: Vec<(usize, Vec<Bytes>)>,
    /// Nesting of command runs (EXEC runs its commands inside its own run).
    depth: u32,
    /// The open group's top-level command touches arbitrary keys (SCAN, RANDOMKEY): the DELs
    /// of the keys it found expired are written bare, as Redis 7.0 does.
    unwrapped: bool,
    /// Bytes ever written to the feed (the replication offset counts these).
    pub offset: u64,
    /// A replica's feed: its own commands are not propagated, only its master's stream is
    /// relayed as it came ([`Feed::push_raw`]).
    muted: bool,
}

impl Feed {
    /// Whether anything consumes the stream.
    pub fn active(&self) -> bool {
        self.consumers != 0
    }

    /// Start or stop a consumer. When the last one stops, what was not taken is dropped and
    /// the next command written starts with a SELECT.
    pub fn set_consumer(&mut self, consumer: u8, on: bool) {
        if on {
            self.consumers |= consumer;
        } else {
            self.consumers &= !consumer;
        }
        if !self.active() {
            self.buf = Vec::new();
            self.replicas_only.clear();
            self.pending.clear();
            self.selected_db = None;
        }
    }

    /// Mute (on a replica) or unmute the node's own propagation.
    pub fn set_muted(&mut self, muted: bool) {
        self.muted = muted;
        self.pending.clear();
        self.selected_db = None;
    }

    /// Whether the node's own commands are propagated.
    pub fn encoding(&self) -> bool {
        self.active() && !self.muted
    }

    /// Make the next command written start with a SELECT (a new file, a new replica).
    pub fn force_select(&mut self) {
        self.selected_db = None;
    }

    /// Open a command run; `touches_arbitrary_keys` is the command's flag, which decides for
    /// the group when the run is the outermost one.
    pub fn begin_command(&mut self, touches_arbitrary_keys: bool) {
        if self.depth == 0 {
            self.unwrapped = touches_arbitrary_keys;
        }
        self.depth += 1;
    }

    /// Close a command run; the outermost one writes its group.
    pub fn end_command(&mut self) {
        self.depth = self.depth.saturating_sub(1);
        if self.depth == 0 && !self.pending.is_empty() {
            self.write_group();
        }
    }

    /// A command of the open group (or written now when no command runs).
    pub fn push(&mut self, db: usize, argv: Vec<Bytes>) {
        if !self.encoding() {
            return;
        }
        if self.depth == 0 {
            self.write(db, &argv);
        } else {
            self.pending.push((db, argv));
        }
    }

    /// The command's own argv, last of its group: written at once when it is alone.
    pub fn push_own(&mut self, db: usize, argv: &[Bytes]) {
        if !self.encoding() {
            return;
        }
        if self.depth <= 1 && self.pending.is_empty() {
            self.write(db, argv);
        } else {
            self.pending.push((db, argv.to_vec()));
        }
    }

    /// A key removed by expiry or eviction: `DEL key`, in the group of the command that
    /// found it expired, or alone.
    pub fn push_deletion(&mut self, db: usize, key: &[u8]) {
        if !self.encoding() {
            return;
        }
        self.push(
            db,
            vec![Bytes::from_static(b"DEL"), Bytes::copy_from_slice(key)],
        );
    }

    fn write_group(&mut self) {
        let group = std::mem::take(&mut self.pending);
        let wrap = group.len() > 1 && !self.unwrapped;
        if wrap {
            self.write(group[0].0, &[Bytes::from_static(b"MULTI")]);
        }
        for (db, argv) in &group {
            self.write(*db, argv);
        }
        if wrap {
            // The last command's database: no SELECT between it and EXEC.
            let last = group[group.len() - 1].0;
            self.write(last, &[Bytes::from_static(b"EXEC")]);
        }
    }

    fn write(&mut self, db: usize, argv: &[Bytes]) {
        let start = self.buf.len();
        if self.selected_db != Some(db) {
            let mut digits = itoa::Buffer::new();
            encode_command(&mut self.buf, &[b"SELECT", digits.format(db).as_bytes()]);
            self.selected_db = Some(db);
        }
        encode_command(&mut self.buf, argv);
        self.offset += (self.buf.len() - start) as u64;
    }

    /// Bytes already encoded (the master's PING to its replicas), in the current database.
    pub fn push_raw(&mut self, bytes: &[u8]) {
        if self.active() {
            self.buf.extend_from_slice(bytes);
            self.offset += bytes.len() as u64;
        }
    }

    /// Bytes already encoded that only the replicas get (the master's PING, REPLCONF
    /// GETACK), in the current database.
    pub fn push_to_replicas(&mut self, bytes: &[u8]) {
        if self.active() {
            let start = self.buf.len();
            self.push_raw(bytes);
            self.replicas_only.push(start..self.buf.len());
        }
    }

    /// Bytes written and not yet taken.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Take the bytes written so far (the consumers' hand-off, see [`deliver`]).
    pub fn take(&mut self) -> Vec<u8> {
        self.replicas_only.clear();
        std::mem::take(&mut self.buf)
    }

    /// Take the bytes written so far, with the parts of them that are for the replicas only.
    fn take_split(&mut self) -> (Vec<u8>, Vec<std::ops::Range<usize>>) {
        let replicas_only = std::mem::take(&mut self.replicas_only);
        (std::mem::take(&mut self.buf), replicas_only)
    }
}

/// `*<argc>\r\n` then `$<len>\r\n<arg>\r\n` per argument, as catAppendOnlyGenericCommand.
pub fn encode_command<A: AsRef<[u8]>>(out: &mut Vec<u8>, argv: &[A]) {
    let mut digits = itoa::Buffer::new();
    out.push(b'*');
    out.extend_from_slice(digits.format(argv.len()).as_bytes());
    out.extend_from_slice(b"\r\n");
    for arg in argv {
        let arg = arg.as_ref();
        out.push(b'$');
        out.extend_from_slice(digits.format(arg.len()).as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// Hand what the feed holds to its consumers. Called with the store locked after each batch
/// of commands and after each chunk of background work that may delete keys.
pub fn deliver(store: &mut Store) {
    if store.feed.is_empty() {
        return;
    }
    let (bytes, replicas_only) = store.feed.take_split();
    let bytes = Bytes::from(bytes);
    let mut from = 0;
    for skip in replicas_only
        .iter()
        .chain(std::iter::once(&(bytes.len()..bytes.len())))
    {
        if skip.start > from {
            crate::aof::append(store, &bytes[from..skip.start]);
        }
        from = skip.end;
    }
    crate::replication::feed(store, bytes);
}

/// An argv of static words and owned arguments.
pub fn argv<const N: usize>(words: [&[u8]; N]) -> Vec<Bytes> {
    words.iter().map(|w| Bytes::copy_from_slice(w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn active() -> Feed {
        let mut feed = Feed::default();
        feed.set_consumer(CONSUMER_AOF, true);
        feed
    }

    #[test]
    fn inactive_feed_encodes_nothing() {
        let mut feed = Feed::default();
        feed.begin_command(false);
        feed.push_own(0, &[b("set"), b("k"), b("v")]);
        feed.end_command();
        assert!(feed.is_empty());
        assert_eq!(feed.offset, 0);
    }

    #[test]
    fn select_before_first_command_and_on_db_change() {
        let mut feed = active();
        for db in [0, 0, 3] {
            feed.begin_command(false);
            feed.push_own(db, &[b("set"), b("k"), b("v")]);
            feed.end_command();
        }
        let text = String::from_utf8(feed.take()).unwrap();
        assert_eq!(
            text,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n\
             *3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n\
             *2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n"
        );
    }

    #[test]
    fn groups_of_several_are_wrapped() {
        let mut feed = active();
        feed.begin_command(false);
        feed.push(1, vec![b("SREM"), b("s"), b("a")]);
        feed.push(1, vec![b("SREM"), b("s"), b("b")]);
        feed.end_command();
        let text = String::from_utf8(feed.take()).unwrap();
        assert_eq!(
            text,
            "*2\r\n$6\r\nSELECT\r\n$1\r\n1\r\n*1\r\n$5\r\nMULTI\r\n\
             *3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\na\r\n*3\r\n$4\r\nSREM\r\n$1\r\ns\r\n$1\r\nb\r\n\
             *1\r\n$4\r\nEXEC\r\n"
        );
    }

    #[test]
    fn replica_only_bytes_are_marked() {
        let mut feed = active();
        feed.begin_command(false);
        feed.push_own(0, &[b("set"), b("k"), b("v")]);
        feed.end_command();
        let before = feed.len();
        feed.push_to_replicas(b"*1\r\n$4\r\nPING\r\n");
        feed.push_own(0, &[b("del"), b("k")]);
        let (bytes, replicas_only) = feed.take_split();
        assert_eq!(replicas_only.len(), 1);
        assert_eq!(replicas_only[0], before..before + 14);
        assert_eq!(&bytes[replicas_only[0].clone()], b"*1\r\n$4\r\nPING\r\n");
        assert!(feed.take_split().1.is_empty());
    }

    #[test]
    fn groups_of_arbitrary_key_commands_are_not_wrapped() {
        let mut feed = active();
        feed.begin_command(true);
        feed.push_deletion(0, b"a");
        feed.push_deletion(0, b"b");
        feed.end_command();
        let text = String::from_utf8(feed.take()).unwrap();
        assert!(!text.contains("MULTI"), "{text}");
        // Inside EXEC the flag of the command run does not count: EXEC's does.
        feed.begin_command(false);
        feed.begin_command(true);
        feed.push_deletion(0, b"a");
        feed.push_deletion(0, b"b");
        feed.end_command();
        feed.end_command();
        let text = String::from_utf8(feed.take()).unwrap();
        assert!(text.starts_with("*1\r\n$5\r\nMULTI\r\n"), "{text}");
    }

    #[test]
    fn deletions_join_the_running_command() {
        let mut feed = active();
        feed.begin_command(false);
        feed.push_deletion(0, b"k");
        feed.push_own(0, &[b("set"), b("k"), b("x")]);
        feed.end_command();
        feed.push_deletion(0, b"j");
        let text = String::from_utf8(feed.take()).unwrap();
        assert!(text.ends_with(
            "*1\r\n$5\r\nMULTI\r\n*2\r\n$3\r\nDEL\r\n$1\r\nk\r\n\
             *3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nx\r\n*1\r\n$4\r\nEXEC\r\n\
             *2\r\n$3\r\nDEL\r\n$1\r\nj\r\n"
        ));
    }
}
