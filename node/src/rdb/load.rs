//! Reading a whole RDB file (Redis's `rdbLoadRio`), versions 1 to 10.
//!
//! The file is taken as one byte slice: the caller reads it into memory (or maps it) first.
//! That keeps the parser free of I/O and lets offsets in errors point into the file.
//!
//! [`RdbParser`] is a pull parser: each [`RdbParser::next_item`] yields the next AUX field,
//! database switch or key, so a caller can insert keys into the keyspace in batches, taking
//! its lock once per batch. The parser validates as it goes and checks the CRC only at the end,
//! so **nothing it returned may be committed before it has been run to the end** (`Ok(None)`)
//! or to its first error: a corrupt tail or a wrong checksum invalidates everything before it.
//! Stage the entries in a fresh keyspace and swap it in, or use [`load_all`] for small loads
//! and tests.
//!
//! As in Redis, bytes after the checksum are not read, and keys whose expiry has passed are
//! returned like any other: dropping them is the caller's call (a master does, a replica
//! does not).

use super::crc64::crc64;
use super::decode::{self, Decoded, Limits};
use super::encoding::{DecodeError, Reader};
use crate::config::Config;
use crate::keyspace::{Db, Entry};
use crate::types::Value;

/// Oldest and newest RDB format versions this reader accepts (Redis 7.0 accepts the same).
pub const MIN_VERSION: u32 = 1;
pub const MAX_VERSION: u32 = 10;
/// The first version with a CRC64 after the EOF opcode.
const FIRST_VERSION_WITH_CHECKSUM: u32 = 5;

use super::encode::{
    OPCODE_AUX, OPCODE_EOF, OPCODE_EXPIRETIME, OPCODE_EXPIRETIME_MS, OPCODE_FREQ, OPCODE_FUNCTION2,
    OPCODE_IDLE, OPCODE_MODULE_AUX, OPCODE_RESIZEDB, OPCODE_SELECTDB,
};
/// Functions as Redis 7.0 release candidates wrote them.
const OPCODE_FUNCTION: u8 = 0xF6;

/// What went wrong, and where: `offset` is the byte position in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at byte offset {offset})")]
pub struct LoadError {
    pub offset: usize,
    pub message: String,
}

impl LoadError {
    fn new(offset: usize, message: impl Into<String>) -> Self {
        LoadError {
            offset,
            message: message.into(),
        }
    }
}

/// One key as stored in the file.
#[derive(Debug, Clone)]
pub struct LoadedEntry {
    pub key: Vec<u8>,
    pub value: Value,
    /// Absolute expiry in unix milliseconds. Keys whose expiry has passed are returned too: a
    /// master drops them on load, a replica keeps them (Redis's rule; the caller knows which
    /// it is). Negative times in the file come back as 0, that is, long expired.
    pub expire_ms: Option<u64>,
    /// Seconds idle, from an IDLE opcode (LRU maxmemory policies).
    pub idle: Option<u64>,
    /// LFU counter, from a FREQ opcode (LFU maxmemory policies).
    pub freq: Option<u8>,
}

impl LoadedEntry {
    /// Store the entry in `db`, replacing any key of that name, with its expiry and, when the
    /// file had one that fits the database's access clock, its idle time or LFU counter.
    pub fn insert_into(self, db: &mut Db, now_ms: u64) {
        let mut entry = Entry::new(&self.key, self.value);
        if let Some(access) = db.access_clock.restored(self.idle, self.freq, now_ms) {
            entry.access = access;
        }
        db.insert_entry(entry);
        if self.expire_ms.is_some() {
            db.set_expire(&self.key, self.expire_ms);
        }
    }
}

/// One step of the file.
#[derive(Debug, Clone)]
pub enum Item {
    /// An AUX field (every one, known or not; see [`AuxFields`]).
    Aux { key: Vec<u8>, value: Vec<u8> },
    /// The following keys belong to database `n`.
    SelectDb(usize),
    /// Size hints for the current database.
    ResizeDb { keys: u64, expires: u64 },
    /// A key of database `db`.
    Entry { db: usize, entry: LoadedEntry },
    /// A key holding an empty collection, which Redis skips with a warning; so do we.
    EmptySkipped { db: usize, key: Vec<u8> },
}

/// The pull parser; see the module documentation for when its output may be used.
#[derive(Debug)]
pub struct RdbParser<'a> {
    bytes: &'a [u8],
    r: Reader<'a>,
    version: u32,
    limits: Limits,
    databases: usize,
    check_crc: bool,
    db: usize,
    state: State,
}

#[derive(Debug, Clone)]
enum State {
    Running,
    Done,
    Failed(LoadError),
}

impl<'a> RdbParser<'a> {
    /// Check the header and get ready to read. `config` gives the encoding limits and the
    /// number of databases; `check_crc` is `rdbchecksum`.
    pub fn new(bytes: &'a [u8], config: &Config, check_crc: bool) -> Result<Self, LoadError> {
        let mut r = Reader::new(bytes);
        let header = r
            .read_bytes(9)
            .map_err(|_| LoadError::new(0, "file too short for an RDB header"))?;
        if &header[..5] != b"REDIS" {
            return Err(LoadError::new(
                0,
                "Wrong signature trying to load DB from file",
            ));
        }
        let digits = &header[5..];
        let version = std::str::from_utf8(digits)
            .ok()
            .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|d| d.parse::<u32>().ok())
            .ok_or_else(|| LoadError::new(5, "RDB version is not four decimal digits"))?;
        if !(MIN_VERSION..=MAX_VERSION).contains(&version) {
            return Err(LoadError::new(
                5,
                format!("Can't handle RDB format version {version}"),
            ));
        }
        Ok(RdbParser {
            bytes,
            r,
            version,
            limits: Limits::from_config(config),
            databases: config.databases,
            check_crc,
            db: 0,
            state: State::Running,
        })
    }

    /// The file's RDB format version.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.r.position()
    }

    /// The next item; `Ok(None)` once the EOF opcode (and checksum) has been read. After an
    /// error, every further call returns the same error.
    pub fn next_item(&mut self) -> Result<Option<Item>, LoadError> {
        match &self.state {
            State::Running => {}
            State::Done => return Ok(None),
            State::Failed(e) => return Err(e.clone()),
        }
        match self.step() {
            Ok(Some(item)) => Ok(Some(item)),
            Ok(None) => {
                self.state = State::Done;
                Ok(None)
            }
            Err(e) => {
                self.state = State::Failed(e.clone());
                Err(e)
            }
        }
    }

    fn at(&self, e: impl std::fmt::Display) -> LoadError {
        LoadError::new(self.r.position(), e.to_string())
    }

    fn step(&mut self) -> Result<Option<Item>, LoadError> {
        let mut expire_ms: Option<i64> = None;
        let mut idle = None;
        let mut freq = None;
        loop {
            let opcode_at = self.r.position();
            let opcode = self.r.read_u8().map_err(|e| self.at(e))?;
            match opcode {
                OPCODE_EXPIRETIME_MS => {
                    expire_ms = Some(self.r.read_millis().map_err(|e| self.at(e))?);
                }
                OPCODE_EXPIRETIME => {
                    let s = self.r.read_seconds().map_err(|e| self.at(e))?;
                    expire_ms = Some(i64::from(s) * 1000);
                }
                OPCODE_IDLE => idle = Some(self.r.read_length().map_err(|e| self.at(e))?),
                OPCODE_FREQ => freq = Some(self.r.read_u8().map_err(|e| self.at(e))?),
                OPCODE_AUX => {
                    let key = self.r.read_string().map_err(|e| self.at(e))?;
                    let value = self.r.read_string().map_err(|e| self.at(e))?;
                    return Ok(Some(Item::Aux { key, value }));
                }
                OPCODE_SELECTDB => {
                    let n = self.r.read_length().map_err(|e| self.at(e))?;
                    if n >= self.databases as u64 {
                        return Err(LoadError::new(
                            opcode_at,
                            format!(
                                "the file selects database {n}, this node has {} databases",
                                self.databases
                            ),
                        ));
                    }
                    self.db = n as usize;
                    return Ok(Some(Item::SelectDb(self.db)));
                }
                OPCODE_RESIZEDB => {
                    let keys = self.r.read_length().map_err(|e| self.at(e))?;
                    let expires = self.r.read_length().map_err(|e| self.at(e))?;
                    return Ok(Some(Item::ResizeDb { keys, expires }));
                }
                OPCODE_MODULE_AUX => {
                    return Err(LoadError::new(
                        opcode_at,
                        "module auxiliary data (RDB opcode MODULE_AUX) is not supported by this node",
                    ));
                }
                OPCODE_FUNCTION | OPCODE_FUNCTION2 => {
                    return Err(LoadError::new(
                        opcode_at,
                        "functions (RDB opcode FUNCTION) are not supported by this node",
                    ));
                }
                OPCODE_EOF => {
                    self.finish(opcode_at)?;
                    return Ok(None);
                }
                rdb_type if decode::is_value_type(rdb_type) => {
                    let key = self.r.read_string().map_err(|e| self.at(e))?;
                    let value_at = self.r.position();
                    let decoded =
                        decode::read_value(&mut self.r, rdb_type, &self.limits).map_err(|e| {
                            LoadError::new(
                                self.r.position(),
                                format!(
                                    "{e}, in the value of key {} (RDB type {rdb_type}, starting at byte {value_at})",
                                    show_key(&key)
                                ),
                            )
                        })?;
                    let db = self.db;
                    return Ok(Some(match decoded {
                        Decoded::Empty => Item::EmptySkipped { db, key },
                        Decoded::Value(value) => Item::Entry {
                            db,
                            entry: LoadedEntry {
                                key,
                                value,
                                expire_ms: expire_ms.map(|ms| ms.max(0) as u64),
                                idle,
                                freq,
                            },
                        },
                    }));
                }
                other => {
                    return Err(LoadError::new(
                        opcode_at,
                        format!("unknown RDB value type or opcode {other}"),
                    ));
                }
            }
        }
    }

    /// After the EOF opcode at `eof_at`: the checksum, from version 5 on. A stored 0 means
    /// the writer had checksums off, and is not checked (as in Redis).
    fn finish(&mut self, eof_at: usize) -> Result<(), LoadError> {
        if self.version < FIRST_VERSION_WITH_CHECKSUM {
            return Ok(());
        }
        let stored = self
            .r
            .read_bytes(8)
            .map_err(|e: DecodeError| self.at(format!("{e}: missing the checksum")))?;
        let stored = u64::from_le_bytes(stored.try_into().expect("8 bytes"));
        if self.check_crc && stored != 0 {
            let computed = crc64(&self.bytes[..=eof_at]);
            if computed != stored {
                return Err(LoadError::new(
                    eof_at + 1,
                    format!("Wrong RDB checksum expected: ({computed:x}) got ({stored:x})"),
                ));
            }
        }
        Ok(())
    }
}

/// A key for an error message: printable ASCII as is, other bytes escaped, long keys cut.
fn show_key(key: &[u8]) -> String {
    let mut s: String = key
        .iter()
        .take(64)
        .flat_map(|&b| std::ascii::escape_default(b))
        .map(char::from)
        .collect();
    if key.len() > 64 {
        s.push_str("...");
    }
    format!("'{s}'")
}

/// The AUX fields Redis itself reads back; others are ignored, as Redis ignores them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuxFields {
    pub redis_ver: Option<String>,
    pub redis_bits: Option<i64>,
    pub ctime: Option<i64>,
    pub used_mem: Option<i64>,
    pub repl_stream_db: Option<i64>,
    pub repl_id: Option<String>,
    pub repl_offset: Option<i64>,
    pub aof_base: Option<bool>,
    pub aof_preamble: Option<bool>,
}

impl AuxFields {
    /// Record one AUX field if it is one of the known ones.
    pub fn record(&mut self, key: &[u8], value: &[u8]) {
        let text = || String::from_utf8_lossy(value).into_owned();
        let int = || wire::request::parse_i64(value);
        match key {
            b"redis-ver" => self.redis_ver = Some(text()),
            b"redis-bits" => self.redis_bits = int(),
            b"ctime" => self.ctime = int(),
            b"used-mem" => self.used_mem = int(),
            b"repl-stream-db" => self.repl_stream_db = int(),
            b"repl-id" => self.repl_id = Some(text()),
            b"repl-offset" => self.repl_offset = int(),
            b"aof-base" => self.aof_base = int().map(|v| v != 0),
            b"aof-preamble" => self.aof_preamble = int().map(|v| v != 0),
            _ => {}
        }
    }
}

/// A whole file's contents.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub version: u32,
    pub aux: AuxFields,
    /// One list per database of the config (`databases`), in file order.
    pub dbs: Vec<Vec<LoadedEntry>>,
    /// Keys skipped because they held empty collections.
    pub empty_skipped: usize,
}

/// Parse a whole file into memory; the error of the first problem, if any. A key stored twice
/// in one database is an error (Redis refuses such files too).
pub fn load_all(bytes: &[u8], config: &Config, check_crc: bool) -> Result<Loaded, LoadError> {
    let mut parser = RdbParser::new(bytes, config, check_crc)?;
    let mut loaded = Loaded {
        version: parser.version(),
        dbs: vec![Vec::new(); config.databases],
        ..Loaded::default()
    };
    while let Some(item) = parser.next_item()? {
        match item {
            Item::Aux { key, value } => loaded.aux.record(&key, &value),
            Item::Entry { db, entry } => loaded.dbs[db].push(entry),
            Item::EmptySkipped { .. } => loaded.empty_skipped += 1,
            Item::SelectDb(_) | Item::ResizeDb { .. } => {}
        }
    }
    for (n, entries) in loaded.dbs.iter().enumerate() {
        let mut keys: Vec<&[u8]> = entries.iter().map(|e| e.key.as_slice()).collect();
        keys.sort_unstable();
        if let Some(pair) = keys.windows(2).find(|w| w[0] == w[1]) {
            return Err(LoadError::new(
                bytes.len(),
                format!("duplicate key {} in database {n}", show_key(pair[0])),
            ));
        }
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::encoding::{write_len, write_millis, write_string};

    /// "REDIS" + version, the body, then EOF and (from version 5) the CRC.
    fn file(version: u32, body: &[u8]) -> Vec<u8> {
        let mut f = format!("REDIS{version:04}").into_bytes();
        f.extend_from_slice(body);
        f.push(OPCODE_EOF);
        if version >= FIRST_VERSION_WITH_CHECKSUM {
            let crc = crc64(&f);
            f.extend_from_slice(&crc.to_le_bytes());
        }
        f
    }

    fn string_key(out: &mut Vec<u8>, key: &[u8], value: &[u8]) {
        out.push(decode::TYPE_STRING);
        write_string(out, key, true);
        write_string(out, value, true);
    }

    fn config() -> Config {
        Config::default()
    }

    #[test]
    fn header_versions_and_checksums() {
        let mut body = Vec::new();
        string_key(&mut body, b"k", b"v");
        for v in [1, 4, 5, 9, 10] {
            let loaded = load_all(&file(v, &body), &config(), true).unwrap();
            assert_eq!((loaded.version, loaded.dbs[0].len()), (v, 1));
        }
        let e = load_all(&file(11, &body), &config(), true).unwrap_err();
        assert_eq!(e.message, "Can't handle RDB format version 11");
        assert!(load_all(&file(0, &body), &config(), true).is_err());
        assert!(load_all(b"REDIX0010\xff", &config(), true).is_err());
        assert!(load_all(b"REDIS00a0\xff", &config(), true).is_err());
        // A wrong CRC fails only when checked; a zero CRC is never checked.
        let mut f = file(10, &body);
        let n = f.len();
        f[n - 1] ^= 1;
        let e = load_all(&f, &config(), true).unwrap_err();
        assert!(e.message.starts_with("Wrong RDB checksum"), "{e}");
        assert_eq!(e.offset, n - 8);
        assert!(load_all(&f, &config(), false).is_ok());
        f[n - 8..].fill(0);
        assert!(load_all(&f, &config(), true).is_ok());
        // The checksum itself missing.
        assert!(load_all(&f[..n - 3], &config(), false).is_err());
    }

    #[test]
    fn opcodes_databases_and_expiries() {
        let mut body = Vec::new();
        body.push(OPCODE_AUX);
        write_string(&mut body, b"redis-ver", true);
        write_string(&mut body, b"7.0.15", true);
        body.push(OPCODE_AUX);
        write_string(&mut body, b"repl-offset", true);
        write_string(&mut body, b"1234", true);
        body.push(OPCODE_AUX);
        write_string(&mut body, b"some-future-field", true);
        write_string(&mut body, b"x", true);
        body.push(OPCODE_SELECTDB);
        write_len(&mut body, 3);
        body.push(OPCODE_RESIZEDB);
        write_len(&mut body, 2);
        write_len(&mut body, 1);
        body.push(OPCODE_EXPIRETIME_MS);
        write_millis(&mut body, 4_102_444_800_123);
        body.push(OPCODE_IDLE);
        write_len(&mut body, 77);
        string_key(&mut body, b"a", b"1");
        body.push(OPCODE_EXPIRETIME);
        body.extend_from_slice(&1_000_000i32.to_le_bytes());
        body.push(OPCODE_FREQ);
        body.push(9);
        string_key(&mut body, b"b", b"2");
        body.push(OPCODE_EXPIRETIME_MS);
        write_millis(&mut body, -5);
        string_key(&mut body, b"c", b"3");
        // An empty set is skipped.
        body.push(decode::TYPE_SET);
        write_string(&mut body, b"empty", true);
        write_len(&mut body, 0);
        let f = file(10, &body);
        let loaded = load_all(&f, &config(), true).unwrap();
        assert_eq!(loaded.aux.redis_ver.as_deref(), Some("7.0.15"));
        assert_eq!(loaded.aux.repl_offset, Some(1234));
        assert_eq!(loaded.empty_skipped, 1);
        let db = &loaded.dbs[3];
        assert_eq!(db.len(), 3);
        assert_eq!(
            (db[0].expire_ms, db[0].idle, db[0].freq),
            (Some(4_102_444_800_123), Some(77), None)
        );
        assert_eq!(
            (db[1].expire_ms, db[1].idle, db[1].freq),
            (Some(1_000_000_000), None, Some(9))
        );
        assert_eq!(db[2].expire_ms, Some(0));

        let mut p = RdbParser::new(&f, &config(), true).unwrap();
        let mut kinds = Vec::new();
        while let Some(item) = p.next_item().unwrap() {
            kinds.push(match item {
                Item::Aux { .. } => "aux",
                Item::SelectDb(3) => "select3",
                Item::SelectDb(_) => "select",
                Item::ResizeDb {
                    keys: 2,
                    expires: 1,
                } => "resize",
                Item::ResizeDb { .. } => "resize?",
                Item::Entry { db: 3, .. } => "entry",
                Item::Entry { .. } => "entry?",
                Item::EmptySkipped { .. } => "empty",
            });
        }
        assert_eq!(
            kinds,
            [
                "aux", "aux", "aux", "select3", "resize", "entry", "entry", "entry", "empty"
            ]
        );
        assert_eq!(p.position(), f.len());
        assert!(p.next_item().unwrap().is_none());
    }

    #[test]
    fn refusals_name_what_and_where() {
        let mut body = Vec::new();
        body.push(OPCODE_SELECTDB);
        write_len(&mut body, 16);
        let e = load_all(&file(10, &body), &config(), true).unwrap_err();
        assert_eq!((e.offset, e.message.contains("database 16")), (9, true));
        for (op, word) in [
            (OPCODE_FUNCTION2, "functions"),
            (OPCODE_FUNCTION, "functions"),
            (OPCODE_MODULE_AUX, "MODULE_AUX"),
        ] {
            let e = load_all(&file(10, &[op, 1, b'x']), &config(), true).unwrap_err();
            assert!(e.message.contains(word), "{e}");
            assert_eq!(e.offset, 9);
        }
        let mut stream = vec![decode::TYPE_STREAM_LISTPACKS_2];
        write_string(&mut stream, b"s", true);
        let e = load_all(&file(10, &stream), &config(), true).unwrap_err();
        assert!(
            e.message
                .starts_with("stream values (RDB type 19) are not supported"),
            "{e}"
        );
        assert!(e.message.contains("'s'"), "{e}");
        let e = load_all(&file(10, &[0xF0]), &config(), true).unwrap_err();
        assert!(e.message.contains("240"), "{e}");
        // The same error again on the next call.
        let f = file(10, &[0xF0]);
        let mut p = RdbParser::new(&f, &config(), true).unwrap();
        let first = p.next_item().unwrap_err();
        assert_eq!(p.next_item().unwrap_err(), first);
        // A key twice in one database.
        let mut dup = Vec::new();
        string_key(&mut dup, b"k", b"1");
        string_key(&mut dup, b"k", b"2");
        let e = load_all(&file(10, &dup), &config(), true).unwrap_err();
        assert!(e.message.contains("duplicate key 'k'"), "{e}");
    }

    #[test]
    fn entries_go_into_the_keyspace_with_expiry_and_access() {
        let mut db = Db::new(0);
        let entry = LoadedEntry {
            key: b"k".to_vec(),
            value: Value::string(b"v"),
            expire_ms: Some(4_102_444_800_000),
            idle: Some(100),
            freq: None,
        };
        let now = 1_700_000_000_000;
        entry.insert_into(&mut db, now);
        let e = db.peek(b"k", now).unwrap();
        assert_eq!(e.expire_at(), Some(4_102_444_800_000));
        assert_eq!(crate::evict::idle_ms(e.access, now), 100_000);
        assert_eq!(db.expires_len(), 1);
    }
}
