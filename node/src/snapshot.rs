//! Point-in-time snapshots of the keyspace as an RDB byte stream, without fork and without
//! stopping other clients.
//!
//! The mechanism: versioned buckets serialized ahead of any write. Starting a snapshot (under
//! the store lock) marks every non-empty database; a walker thread then serializes it slot by
//! slot, taking the store lock for one small step at a time (about [`STEP_BYTES`] of output).
//! Any change to a slot the walk has not reached yet first serializes that slot as it is
//! (`Db::before_write`), so the stream holds exactly the keyspace of the instant the snapshot
//! began. Why this and not a persistent map cloned in O(1): the keyspace keeps its plain
//! per-slot hash tables, so the hot path pays one predictable branch while a snapshot runs and
//! nothing otherwise; a persistent map would put a tree walk and reference counting on every
//! lookup all the time. The cost moves to the writes that hit a slot not yet serialized: one
//! slot (about 60 keys per million) serialized in that write's critical section, and memory
//! for the records serialized ahead until the walker hands them on. A client waiting for the
//! store lock announces itself ([`Server::lock_store`]); the walker then ends its step at the
//! next slot and gives way for a bounded time, so clients are not queued behind the walk.
//!
//! One stream serves several consumers: every consumer subscribed before the walk starts
//! receives every chunk (a BGSAVE file and, for replication, replica sockets).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use bytes::Bytes;

use crate::rdb::crc64::Crc64;
use crate::rdb::encode::{OPCODE_AUX, OPCODE_EOF, OPCODE_RESIZEDB, OPCODE_SELECTDB, RDB_VERSION};
use crate::rdb::encoding::{write_len, write_string};
use crate::server::{Server, Store};

/// Output bytes one walker step produces while holding the store lock.
pub const STEP_BYTES: usize = 16 * 1024;
/// Bytes gathered before they are handed to the consumers.
const SEND_BYTES: usize = 256 * 1024;

/// What goes into a snapshot's header besides the data.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The `aof-base` AUX field: the snapshot is the base of an AOF.
    pub aof_base: bool,
    /// Replication AUX fields (`repl-stream-db`, `repl-id`, `repl-offset`), when known.
    pub replication: Option<ReplicationAux>,
}

#[derive(Debug, Clone)]
pub struct ReplicationAux {
    pub stream_db: usize,
    pub replid: String,
    pub offset: u64,
}

/// A piece of the RDB stream, or why the snapshot was abandoned.
pub type Chunk = Result<Bytes, String>;

/// A consumer's end of a snapshot: the RDB file's bytes from "REDIS0010" to the checksum.
#[derive(Debug)]
pub struct Stream {
    chunks: mpsc::Receiver<Chunk>,
}

impl Stream {
    /// Copy the whole stream into `out`; returns the bytes written.
    pub fn write_to(self, out: &mut impl std::io::Write) -> std::io::Result<u64> {
        let mut total = 0;
        for chunk in self.chunks {
            let chunk = chunk.map_err(std::io::Error::other)?;
            out.write_all(&chunk)?;
            total += chunk.len() as u64;
        }
        Ok(total)
    }
}

impl Iterator for Stream {
    type Item = Chunk;
    fn next(&mut self) -> Option<Chunk> {
        self.chunks.recv().ok()
    }
}

/// A snapshot is already being taken; only one runs at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// A snapshot begun but not yet walking: subscribe its consumers, then [`Pending::run`].
#[must_use = "a begun snapshot must be run: until it ends, writes serialize slots for it"]
#[derive(Debug)]
pub struct Pending {
    header: Vec<u8>,
    /// (database, keys, keys with an expiry) of every database non-empty at the start.
    dbs: Vec<(usize, usize, usize)>,
    senders: Vec<mpsc::Sender<Chunk>>,
    key_delay_us: u64,
    cancel: Arc<AtomicBool>,
}

/// Begin a snapshot of the keyspace as it is at this instant. The caller holds the store
/// lock; everything it changes under that same lock afterwards (an AOF switching files, a
/// replication offset read) happens after the snapshot point.
pub fn begin(store: &mut Store, options: &Options, now_ms: u64) -> Result<Pending, Busy> {
    if store.persist.snapshot_running() {
        return Err(Busy);
    }
    store.persist.snapshot_keys_written = 0;
    let cancel = Arc::new(AtomicBool::new(false));
    store.persist.snapshot_cancel = Some(cancel.clone());
    let compress = store.config.rdbcompression;
    let mut dbs = Vec::new();
    for db in &mut store.dbs {
        let (keys, expires) = (db.len(), db.expires_len());
        if db.begin_snapshot(now_ms, compress) {
            dbs.push((db.id, keys, expires));
        }
    }
    let used_memory = store.evict.memory.estimate();
    Ok(Pending {
        header: header(options, now_ms / 1000, used_memory),
        dbs,
        senders: Vec::new(),
        key_delay_us: store.config.rdb_key_save_delay.max(0) as u64,
        cancel,
    })
}

impl Pending {
    pub fn subscribe(&mut self) -> Stream {
        let (tx, rx) = mpsc::channel();
        self.senders.push(tx);
        Stream { chunks: rx }
    }

    /// Walk the keyspace on a thread of its own, feeding every subscriber.
    pub fn run(self, server: Arc<Server>) {
        let spawned = std::thread::Builder::new().name("snapshot".into()).spawn({
            let server = server.clone();
            move || walk(&server, self)
        });
        if let Err(err) = spawned {
            tracing::warn!(%err, "cannot start the snapshot thread");
            finish(&server);
        }
    }
}

/// The RDB header Redis 7.0 writes: the magic and version, then its AUX fields.
fn header(options: &Options, ctime: u64, used_memory: u64) -> Vec<u8> {
    let mut out = format!("REDIS{RDB_VERSION:04}").into_bytes();
    let mut aux = |key: &str, value: &str| {
        out.push(OPCODE_AUX);
        write_string(&mut out, key.as_bytes(), false);
        write_string(&mut out, value.as_bytes(), false);
    };
    aux("redis-ver", crate::info::REDIS_VERSION);
    aux("redis-bits", "64");
    aux("ctime", &ctime.to_string());
    aux("used-mem", &used_memory.to_string());
    if let Some(repl) = &options.replication {
        aux("repl-stream-db", &repl.stream_db.to_string());
        aux("repl-id", &repl.replid);
        aux("repl-offset", &repl.offset.to_string());
    }
    aux("aof-base", if options.aof_base { "1" } else { "0" });
    out
}

/// `SELECTDB` and `RESIZEDB` opening a database's section.
fn db_header(out: &mut Vec<u8>, id: usize, keys: usize, expires: usize) {
    out.push(OPCODE_SELECTDB);
    write_len(out, id as u64);
    out.push(OPCODE_RESIZEDB);
    write_len(out, keys as u64);
    write_len(out, expires as u64);
}

/// `EOF` and the checksum (0 when `rdbchecksum no`, as Redis writes it).
fn trailer(out: &mut Vec<u8>, crc: &mut Crc64, checksum: bool) {
    out.push(OPCODE_EOF);
    crc.update(&out[out.len() - 1..]);
    let value = if checksum { crc.finish() } else { 0 };
    out.extend_from_slice(&value.to_le_bytes());
}

/// Sends to every live subscriber; false once none is left.
fn send(senders: &mut Vec<mpsc::Sender<Chunk>>, chunk: Chunk) -> bool {
    senders.retain(|tx| tx.send(chunk.clone()).is_ok());
    !senders.is_empty()
}

fn walk(server: &Arc<Server>, pending: Pending) {
    let Pending {
        header,
        dbs,
        mut senders,
        key_delay_us,
        cancel,
    } = pending;
    let stopped = || server.shutdown.is_cancelled() || cancel.load(Ordering::Relaxed);
    let mut crc = Crc64::new();
    crc.update(&header);
    let mut alive = send(&mut senders, Ok(Bytes::from(header)));
    server.snapshot_walking.store(true, Ordering::Relaxed);
    let mut chunk = Vec::with_capacity(SEND_BYTES + STEP_BYTES * 2);
    'dbs: for (id, keys, expires) in dbs {
        let mut start = chunk.len();
        db_header(&mut chunk, id, keys, expires);
        loop {
            if !alive || stopped() {
                break 'dbs;
            }
            let waiting = || server.store_waiters.load(Ordering::Relaxed) > 0;
            let step = {
                let mut store = server.store.lock();
                let step = store.dbs[id].snapshot_step(&mut chunk, STEP_BYTES, waiting);
                store.persist.snapshot_keys_written += step.keys as u64;
                step
            };
            // Clients waiting for the lock go first (each for one batch of its commands), for
            // a bounded time: under constant load the walk still gets a share of the lock.
            let deadline = std::time::Instant::now() + Duration::from_micros(200);
            while waiting() && std::time::Instant::now() < deadline {
                std::thread::yield_now();
            }
            crc.update(&chunk[start..]);
            start = chunk.len();
            // Consumers get larger pieces than a step: fewer wake-ups of their threads.
            if chunk.len() >= SEND_BYTES || step.finished {
                let bytes = Bytes::from(std::mem::replace(
                    &mut chunk,
                    Vec::with_capacity(SEND_BYTES + STEP_BYTES * 2),
                ));
                alive = send(&mut senders, Ok(bytes));
                start = 0;
            }
            if key_delay_us > 0 && step.keys > 0 {
                std::thread::sleep(Duration::from_micros(key_delay_us * step.keys as u64));
            }
            if step.finished {
                break;
            }
        }
    }
    let complete = alive && !stopped();
    // Release the databases before the last chunk, so a consumer that sees the end can start
    // the next snapshot at once.
    let checksum = {
        let store = finish_locked(server);
        store.config.rdbchecksum
    };
    if complete {
        let mut tail = Vec::with_capacity(9);
        trailer(&mut tail, &mut crc, checksum);
        send(&mut senders, Ok(Bytes::from(tail)));
    } else {
        send(&mut senders, Err("the snapshot was abandoned".into()));
    }
}

fn finish(server: &Server) {
    drop(finish_locked(server));
}

fn finish_locked(server: &Server) -> parking_lot::MutexGuard<'_, Store> {
    server.snapshot_walking.store(false, Ordering::Relaxed);
    let mut store = server.store.lock();
    for db in &mut store.dbs {
        db.end_snapshot();
    }
    store.persist.snapshot_cancel = None;
    store
}

/// Stop the running snapshot, if any: its consumers get an error instead of the end of the
/// stream (FLUSHALL abandons a BGSAVE, as Redis kills the child).
pub fn abandon(store: &mut Store) {
    if let Some(cancel) = &store.persist.snapshot_cancel {
        cancel.store(true, Ordering::Relaxed);
    }
}

/// The whole keyspace as an RDB file, serialized in one go by the caller holding the lock
/// (SAVE, and SHUTDOWN's final save: Redis blocks there too).
pub fn write_locked(store: &Store, options: &Options, now_ms: u64) -> Vec<u8> {
    let compress = store.config.rdbcompression;
    let mut out = header(options, now_ms / 1000, store.evict.memory.estimate());
    for db in store.dbs.iter().filter(|db| !db.is_empty()) {
        db_header(&mut out, db.id, db.len(), db.expires_len());
        for entry in db.entries().filter(|e| !e.is_expired(now_ms)) {
            crate::rdb::encode::write_entry(&mut out, entry, compress);
        }
    }
    let mut crc = Crc64::new();
    crc.update(&out);
    trailer(&mut out, &mut crc, store.config.rdbchecksum);
    out
}
