//! The append-only file, in Redis 7.0's multi-part layout: under `<dir>/<appenddirname>/`,
//! a base file, incr files holding the command stream since, and the manifest naming them.
//!
//! Writing: the command stream ([`crate::propagate::Feed`]) is appended to the current incr
//! file after each batch of commands, with the store locked so the file has the order the
//! commands were applied in. `appendfsync always` fsyncs before the connection sends the
//! batch's replies (outside the lock; one thread fsyncs for every waiting connection); `everysec`
//! fsyncs from a background thread once a second; `no` leaves it to the OS.
//!
//! Loading: [`load_at_startup`] replays the base and incr files through the dispatcher with
//! a client of its own (no replies, no propagation); [`open_after_load`] then opens the incr
//! file for appending and starts feeding it.

pub mod load;
pub mod manifest;
pub mod rewrite;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::Mutex;

use crate::config::{AppendFsync, Config};
use crate::server::{Server, Store, unix_ms};

pub use load::{LoadStats, load_at_startup};
pub use manifest::Manifest;

/// The directory the AOF directory lives in (the `dir` directive).
pub fn data_dir(config: &Config) -> PathBuf {
    config.dir.clone()
}

/// `<dir>/<appenddirname>`.
pub fn aof_dir(config: &Config) -> PathBuf {
    data_dir(config).join(&config.appenddirname)
}

/// The incr file being appended to, shared with whoever fsyncs it.
#[derive(Debug)]
pub struct IncrFile {
    file: File,
    /// Bytes written to the file since it was opened.
    written: AtomicU64,
    /// Bytes known to be on disk.
    synced: AtomicU64,
    /// One fsync at a time; the others wait and usually find their bytes synced.
    sync_lock: Mutex<()>,
    /// An everysec fsync runs in the background.
    sync_in_flight: AtomicBool,
    /// `appendfsync always`: the byte count replies wait for, and the group-commit thread
    /// (started on first use) that fsyncs up to it and publishes `synced_tx`.
    wanted: Mutex<u64>,
    wanted_changed: parking_lot::Condvar,
    synced_tx: tokio::sync::watch::Sender<u64>,
    committer: std::sync::Once,
    /// The file was replaced or closed: the committer ends once nothing is wanted.
    closed: AtomicBool,
}

impl IncrFile {
    fn new(file: File) -> Self {
        IncrFile {
            file,
            written: AtomicU64::new(0),
            synced: AtomicU64::new(0),
            sync_lock: Mutex::new(()),
            sync_in_flight: AtomicBool::new(false),
            wanted: Mutex::new(0),
            wanted_changed: parking_lot::Condvar::new(),
            synced_tx: tokio::sync::watch::Sender::new(0),
            committer: std::sync::Once::new(),
            closed: AtomicBool::new(false),
        }
    }

    /// Wait (without blocking a thread) until the first `target` bytes are on disk. One
    /// thread fsyncs for every waiting connection at once, so a burst of replies shares one
    /// fsync, as Redis's once-per-event-loop fsync.
    async fn committed(self: &Arc<Self>, target: u64) {
        let mut synced = self.synced_tx.subscribe();
        self.committer.call_once(|| {
            let incr = self.clone();
            std::thread::Builder::new()
                .name("aof-fsync".into())
                .spawn(move || incr.commit_loop())
                .map(drop)
                .unwrap_or_else(|err| tracing::warn!("cannot start the AOF fsync thread: {err}"));
        });
        {
            let mut wanted = self.wanted.lock();
            *wanted = (*wanted).max(target);
        }
        self.wanted_changed.notify_one();
        if self.closed.load(Ordering::Acquire) {
            // A write after the file was closed (shutdown): the committer may be gone.
            if let Err(err) = self.sync_to(target) {
                tracing::warn!("Can't persist the AOF to disk with fsync: {err}");
            }
            return;
        }
        let _ = synced.wait_for(|&done| done >= target).await;
    }

    fn commit_loop(&self) {
        loop {
            {
                let mut wanted = self.wanted.lock();
                while *wanted <= self.synced.load(Ordering::Acquire) {
                    if self.closed.load(Ordering::Acquire) {
                        return;
                    }
                    self.wanted_changed.wait(&mut wanted);
                }
            }
            if let Err(err) = self.sync_all_written() {
                // The replies wait: a write is acknowledged only once it is on disk.
                tracing::warn!("Can't persist the AOF to disk with fsync: {err}");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }

    /// No more writes go to this file: sync what was written and let the committer end.
    fn close(&self) -> std::io::Result<()> {
        let synced = self.sync_all_written();
        self.closed.store(true, Ordering::Release);
        // Under the lock, so the committer cannot miss it between its check and its wait.
        let _wanted = self.wanted.lock();
        self.wanted_changed.notify_all();
        synced
    }

    /// Make sure the first `target` bytes written are on disk.
    pub fn sync_to(&self, target: u64) -> std::io::Result<()> {
        if self.synced.load(Ordering::Acquire) >= target {
            return Ok(());
        }
        let _one_at_a_time = self.sync_lock.lock();
        if self.synced.load(Ordering::Acquire) >= target {
            return Ok(());
        }
        let upto = self.written.load(Ordering::Acquire);
        self.file.sync_data()?;
        let synced = self.synced.fetch_max(upto, Ordering::AcqRel).max(upto);
        self.synced_tx.send_replace(synced);
        Ok(())
    }

    fn sync_all_written(&self) -> std::io::Result<()> {
        self.sync_to(self.written.load(Ordering::Acquire))
    }

    fn unsynced(&self) -> bool {
        self.written.load(Ordering::Acquire) > self.synced.load(Ordering::Acquire)
    }
}

/// AOF state, in the store.
#[derive(Debug, Default)]
pub struct Aof {
    /// appendonly is on and the incr file is open.
    pub on: bool,
    /// The AOF directory in use.
    pub dir: PathBuf,
    pub manifest: Manifest,
    incr: Option<Arc<IncrFile>>,
    /// Bytes the last write could not write (retried with the next one).
    unwritten: Vec<u8>,
    /// A replica's new incr file starts inside its master's stream, which names no database
    /// there: this SELECT goes first (the relayed stream itself must stay as it came).
    pub select_first: Option<usize>,
    /// INFO aof_current_size: all base and incr files.
    pub current_size: u64,
    /// INFO aof_base_size: the base as of the last rewrite or load.
    pub base_size: u64,
    /// INFO aof_last_write_status.
    pub last_write_error: Option<String>,
    /// Milliseconds of the last everysec fsync started.
    last_fsync_ms: u64,
    /// INFO aof_delayed_fsync: seconds an everysec fsync was still running.
    pub delayed_fsync: u64,
    /// The rewrite running, if any.
    pub rewrite: Option<rewrite::RewriteRun>,
    /// Counts rewrites started, so a finishing one knows whether it is still wanted.
    pub rewrite_generation: u64,
    /// A rewrite waits for the running snapshot to end.
    pub rewrite_scheduled: bool,
    /// appendonly was turned on: the AOF waits for its first rewrite (AOF_WAIT_REWRITE).
    pub wait_rewrite: bool,
    pub last_rewrite_failed: bool,
    pub last_rewrite_time_sec: Option<i64>,
    pub rewrites: u64,
    pub rewrites_consecutive_failures: u64,
}

impl Aof {
    /// Append the command stream to the incr file (with the store locked). False when the
    /// write failed.
    fn write(&mut self, bytes: &[u8]) -> bool {
        let Some(incr) = &self.incr else {
            return true;
        };
        let mut pending = std::mem::take(&mut self.unwritten);
        let data: &[u8] = if pending.is_empty() {
            bytes
        } else {
            pending.extend_from_slice(bytes);
            &pending
        };
        match (&incr.file).write_all(data) {
            Ok(()) => {
                incr.written.fetch_add(data.len() as u64, Ordering::AcqRel);
                self.current_size += data.len() as u64;
                if self.last_write_error.take().is_some() {
                    tracing::warn!("AOF write error looks solved, Redis can write again.");
                }
                true
            }
            Err(err) => {
                // Partial writes are not undone: the load truncates a torn tail.
                if self.last_write_error.is_none() {
                    tracing::warn!("Error writing to the AOF file: {err}");
                }
                self.last_write_error = Some(strerror(&err));
                self.unwritten = data.to_vec();
                false
            }
        }
    }

    /// With `appendfsync always`: the file and byte count a reply must wait for.
    pub fn sync_target(&self, config: &Config) -> Option<(Arc<IncrFile>, u64)> {
        let incr = self.incr.as_ref()?;
        if config.appendfsync != AppendFsync::Always
            || !incr.unsynced()
            || self.fsync_paused(config)
        {
            return None;
        }
        Some((incr.clone(), incr.written.load(Ordering::Acquire)))
    }

    /// no-appendfsync-on-rewrite: no fsync while a rewrite runs.
    fn fsync_paused(&self, config: &Config) -> bool {
        config.no_appendfsync_on_rewrite && self.rewrite.is_some()
    }

    /// INFO aof_buffer_length: bytes waiting to be written.
    pub fn buffer_length(&self) -> usize {
        self.unwritten.len()
    }

    /// INFO aof_pending_bio_fsync.
    pub fn fsync_in_flight(&self) -> bool {
        self.incr
            .as_ref()
            .is_some_and(|i| i.sync_in_flight.load(Ordering::Acquire))
    }
}

/// The consumer side of the feed: append what it delivered (see [`crate::propagate::deliver`]).
pub fn append(store: &mut Store, bytes: &[u8]) {
    if !store.aof.on {
        return;
    }
    if let Some(db) = store.aof.select_first.take() {
        let mut select = Vec::new();
        crate::propagate::encode_command(&mut select, &[b"SELECT", db.to_string().as_bytes()]);
        // A failed write keeps its bytes for the next one, this SELECT included.
        let _ = store.aof.write(&select);
    }
    if store.aof.write(bytes) {
        return;
    }
    if store.config.appendfsync == AppendFsync::Always {
        // Redis exits here. The replies of the writes just lost must not go out: every
        // client is dropped before its connection flushes, and later writes get MISCONF.
        tracing::warn!(
            "Can't recover from AOF write error when the AOF fsync policy is 'always'. Dropping the clients."
        );
        for client in store.clients.values() {
            client.kill.cancel();
        }
    }
}

/// The error text as C's strerror gives it (without Rust's " (os error N)").
fn strerror(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// `-MISCONF` for writes while the last AOF write failed (writeCommandsDeniedByDiskError).
pub fn write_refusal(store: &Store) -> Option<String> {
    let err = store.aof.last_write_error.as_ref()?;
    store
        .aof
        .on
        .then(|| format!("MISCONF Errors writing to the AOF file: {err}"))
}

/// Wait until what this connection's commands wrote is on disk (`appendfsync always`).
/// Called without the store lock, before the replies go out.
pub async fn sync_for_reply(target: Option<(Arc<IncrFile>, u64)>) {
    let Some((incr, upto)) = target else { return };
    incr.committed(upto).await;
}

/// Once a second with `appendfsync everysec`: fsync in the background (Redis's bio fsync).
pub fn cron(server: &Server) {
    let mut store = server.store.lock();
    rewrite::cron(server, &mut store);
    if store.aof.on && store.aof.last_write_error.is_some() {
        // Retry what a failed write left (and lift the MISCONF once it goes through).
        store.aof.write(&[]);
    }
    if !store.aof.on || store.config.appendfsync != AppendFsync::Everysec {
        return;
    }
    let now = unix_ms();
    if now.saturating_sub(store.aof.last_fsync_ms) < 1000 || store.aof.fsync_paused(&store.config) {
        return;
    }
    let Some(incr) = store.aof.incr.clone() else {
        return;
    };
    if !incr.unsynced() {
        return;
    }
    if incr.sync_in_flight.swap(true, Ordering::AcqRel) {
        store.aof.delayed_fsync += 1;
        return;
    }
    store.aof.last_fsync_ms = now;
    drop(store);
    std::thread::spawn(move || {
        if let Err(err) = incr.sync_all_written() {
            tracing::warn!("Can't persist the AOF to disk with fsync: {err}");
        }
        incr.sync_in_flight.store(false, Ordering::Release);
    });
}

fn open_incr(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().append(true).create(true).open(path)
}

fn file_size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Start appending after the start-up load (aofOpenIfNeededOnServerStart): with no AOF
/// files yet, a base file of the (empty) dataset is made; the last incr file is opened (or
/// made) and the manifest written.
pub fn open_after_load(server: &Server) -> Result<(), String> {
    let mut store = server.store.lock();
    if !store.config.appendonly {
        return Ok(());
    }
    let config = store.config.clone();
    let dir = aof_dir(&config);
    fs::create_dir_all(&dir).map_err(|err| {
        format!(
            "Can't open or create append-only dir {}: {err}",
            config.appenddirname
        )
    })?;
    let aof = &mut store.aof;
    aof.dir = dir.clone();
    if aof.manifest.is_empty() {
        // First start: no AOF was loaded (nor the RDB file), so the dataset is empty and its
        // base is written at once, as Redis does: an empty RDB with the preamble, or an
        // empty command file.
        let rdb = config.aof_use_rdb_preamble;
        let name = aof.manifest.new_base(&config.appendfilename, rdb);
        let bytes = if rdb {
            let options = crate::snapshot::Options {
                aof_base: true,
                replication: None,
            };
            crate::snapshot::write_locked(&store, &options, unix_ms())
        } else {
            Vec::new()
        };
        fs::write(dir.join(&name), &bytes)
            .and_then(|()| File::open(dir.join(&name))?.sync_all())
            .map_err(|err| format!("Can't create the AOF base file {name}: {err}"))?;
    }
    let aof = &mut store.aof;
    let name = aof.manifest.last_incr(&config.appendfilename);
    let path = dir.join(&name);
    let file =
        open_incr(&path).map_err(|err| format!("Can't open the append-only file {name}: {err}"))?;
    aof.manifest
        .persist(&dir, &config.appendfilename)
        .map_err(|err| format!("Can't persist the AOF manifest: {err}"))?;
    if !aof.manifest.history.is_empty() {
        let history = aof.manifest.take_history();
        manifest::delete_files(&dir, history);
        aof.manifest
            .persist(&dir, &config.appendfilename)
            .map_err(|err| format!("Can't persist the AOF manifest: {err}"))?;
    }
    aof.current_size = aof
        .manifest
        .base
        .iter()
        .chain(&aof.manifest.incrs)
        .map(|info| file_size(&dir.join(&info.name)))
        .sum();
    aof.incr = Some(Arc::new(IncrFile::new(file)));
    aof.on = true;
    store.feed.force_select();
    store.aof.select_first = store
        .replication
        .is_replica()
        .then_some(store.replication.relay_db);
    store
        .feed
        .set_consumer(crate::propagate::CONSUMER_AOF, true);
    Ok(())
}

/// The AOF part of start-up (called by `crate::persist::load_at_startup` with appendonly
/// yes, behind `-LOADING`): load, then open for appending. Returns what was loaded.
pub fn start_up(server: &Arc<Server>) -> Result<Option<LoadStats>, String> {
    let stats = load_at_startup(server)?;
    open_after_load(server)?;
    Ok(stats)
}

/// Stop appending (CONFIG SET appendonly no, shutdown): what was written is fsynced and the
/// file closed (stopAppendOnly).
pub fn stop(store: &mut Store) {
    crate::propagate::deliver(store);
    let aof = &mut store.aof;
    if let Some(run) = aof.rewrite.take() {
        // Abandoned, as Redis kills the rewrite child: its end will find nothing to install.
        tracing::info!("Killing running AOF rewrite child");
        run.discard();
    }
    aof.wait_rewrite = false;
    if let Some(incr) = aof.incr.take()
        && let Err(err) = incr.close()
    {
        tracing::warn!("Fail to fsync the AOF file: {err}");
    }
    aof.on = false;
    store
        .feed
        .set_consumer(crate::propagate::CONSUMER_AOF, false);
}

/// Before the server stops: everything written reaches the disk.
pub fn shutdown(server: &Server) {
    let mut store = server.store.lock();
    crate::propagate::deliver(&mut store);
    if let Some(incr) = &store.aof.incr
        && let Err(err) = incr.close()
    {
        tracing::warn!("Fail to fsync the AOF file: {err}");
    }
}

/// A CONFIG SET of appendonly: off stops appending, on starts a rewrite.
pub fn config_changed(server: &Server, store: &mut Store, previous: &Config) -> Result<(), String> {
    if store.config.appendonly == previous.appendonly {
        return Ok(());
    }
    if !store.config.appendonly {
        stop(store);
        return Ok(());
    }
    rewrite::start_appendonly(server, store)
}

/// The Persistence section's AOF lines, as genRedisInfoString writes them.
pub fn info(out: &mut String, store: &Store) {
    let aof = &store.aof;
    let line = |out: &mut String, text: String| {
        out.push_str(&text);
        out.push_str("\r\n");
    };
    line(out, format!("aof_enabled:{}", aof.on as u8));
    line(
        out,
        format!("aof_rewrite_in_progress:{}", aof.rewrite.is_some() as u8),
    );
    line(
        out,
        format!("aof_rewrite_scheduled:{}", aof.rewrite_scheduled as u8),
    );
    line(
        out,
        format!(
            "aof_last_rewrite_time_sec:{}",
            aof.last_rewrite_time_sec.unwrap_or(-1)
        ),
    );
    line(
        out,
        format!(
            "aof_current_rewrite_time_sec:{}",
            aof.rewrite.as_ref().map_or(-1, |r| r.elapsed_secs())
        ),
    );
    line(
        out,
        format!(
            "aof_last_bgrewrite_status:{}",
            if aof.last_rewrite_failed { "err" } else { "ok" }
        ),
    );
    line(out, format!("aof_rewrites:{}", aof.rewrites));
    line(
        out,
        format!(
            "aof_rewrites_consecutive_failures:{}",
            aof.rewrites_consecutive_failures
        ),
    );
    line(
        out,
        format!(
            "aof_last_write_status:{}",
            if aof.last_write_error.is_some() {
                "err"
            } else {
                "ok"
            }
        ),
    );
    line(out, "aof_last_cow_size:0".into());
    line(out, "module_fork_in_progress:0".into());
    line(out, "module_fork_last_cow_size:0".into());
    if aof.on {
        line(out, format!("aof_current_size:{}", aof.current_size));
        line(out, format!("aof_base_size:{}", aof.base_size));
        line(
            out,
            format!("aof_pending_rewrite:{}", aof.rewrite_scheduled as u8),
        );
        line(out, format!("aof_buffer_length:{}", aof.buffer_length()));
        line(
            out,
            format!("aof_pending_bio_fsync:{}", aof.fsync_in_flight() as u8),
        );
        line(out, format!("aof_delayed_fsync:{}", aof.delayed_fsync));
    }
}
