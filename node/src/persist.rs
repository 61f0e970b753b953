//! RDB persistence: SAVE, BGSAVE, LASTSAVE, the `save` rules, the final save at shutdown, and
//! loading the dump at start-up (clients get `-LOADING` meanwhile).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use bytes::Bytes;
use wire::CommandId;

use crate::ctx::{CmdError, CmdResult, Ctx};
use crate::server::{Server, Store, unix_ms};
use crate::snapshot;

pub const HANDLERS: &[(CommandId, crate::cmd::Handler)] = &[
    (CommandId::Save, save),
    (CommandId::Bgsave, bgsave),
    (CommandId::Lastsave, lastsave),
];

/// Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE the save rules wait this long.
const BGSAVE_RETRY_DELAY_S: u64 = 5;

pub const MISCONF_ERROR: &str = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
pub const LOADING_ERROR: &str = "LOADING Redis is loading the dataset in memory";

/// Persistence state in the store.
#[derive(Debug)]
pub struct Persistence {
    /// Keys the running (or last) snapshot has written so far.
    pub snapshot_keys_written: u64,
    /// The running snapshot's stop flag: set while a snapshot walks (BGSAVE, an AOF rewrite,
    /// a full resync), and only one does at a time.
    pub snapshot_cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The BGSAVE in progress, if any.
    pub bgsave: Option<BgsaveRun>,
    /// BGSAVE SCHEDULE: start one as soon as no snapshot runs.
    pub bgsave_scheduled: bool,
    /// Unix seconds of the last successful save (the start time until one happens).
    pub lastsave: u64,
    /// Unix seconds of the last BGSAVE attempt.
    pub last_bgsave_try: u64,
    pub last_bgsave_ok: bool,
    pub last_bgsave_time_sec: i64,
    pub rdb_saves: u64,
    /// Start-up loading in progress.
    pub loading: Option<Loading>,
    pub last_load_keys_loaded: u64,
    pub last_load_keys_expired: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct BgsaveRun {
    pub started: Instant,
    /// `dirty` when the snapshot began: what a successful save makes persistent.
    pub dirty_at_start: u64,
    pub keys_total: u64,
    /// FLUSHALL stopped it on purpose: not a failure.
    pub abandoned: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Loading {
    pub started_unix: u64,
    pub started: Instant,
    pub total_bytes: u64,
    pub loaded_bytes: u64,
}

impl Persistence {
    pub fn snapshot_running(&self) -> bool {
        self.snapshot_cancel.is_some()
    }

    pub fn new(now_ms: u64) -> Self {
        Persistence {
            snapshot_cancel: None,
            snapshot_keys_written: 0,
            bgsave: None,
            bgsave_scheduled: false,
            lastsave: now_ms / 1000,
            last_bgsave_try: 0,
            last_bgsave_ok: true,
            last_bgsave_time_sec: -1,
            rdb_saves: 0,
            loading: None,
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
        }
    }
}

/// Whether writes are refused with `-MISCONF` (a BGSAVE failed while save rules are set).
pub fn writes_denied(store: &Store) -> bool {
    store.config.stop_writes_on_bgsave_error
        && !store.config.save.is_empty()
        && !store.persist.last_bgsave_ok
}

fn rdb_path(store: &Store) -> PathBuf {
    store.config.dir.join(&store.config.dbfilename)
}

/// Write `bytes` to `path` through a temporary file in the same directory, fsynced, renamed
/// into place, and the directory fsynced, so a crash leaves the old file or the new one.
pub fn write_file_atomically(
    path: &Path,
    temp_name: &str,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let temp = write_temp(path, temp_name, fill)?;
    commit_temp(&temp, path)
}

/// The first half of [`write_file_atomically`]: the temporary file, written and fsynced.
/// Removed again on failure.
pub fn write_temp(
    path: &Path,
    temp_name: &str,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> std::io::Result<PathBuf> {
    let temp = path.parent().unwrap_or(Path::new(".")).join(temp_name);
    let result = (|| {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&temp)?);
        fill(&mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(err) => {
            let _ = std::fs::remove_file(&temp);
            Err(err)
        }
    }
}

/// The second half: rename into place and fsync the directory.
pub fn commit_temp(temp: &Path, path: &Path) -> std::io::Result<()> {
    rename_temp(temp, path)?;
    sync_dir(path)
}

/// Rename the temporary file into place (removing it if that fails).
fn rename_temp(temp: &Path, path: &Path) -> std::io::Result<()> {
    let result = std::fs::rename(temp, path);
    if result.is_err() {
        let _ = std::fs::remove_file(temp);
    }
    result
}

/// Make a rename in `path`'s directory durable.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    std::fs::File::open(path.parent().unwrap_or(Path::new(".")))?.sync_all()
}

/// SAVE's work (also SHUTDOWN's and SIGTERM's final save): serialize under the lock and write.
pub fn save_now(store: &mut Store) -> std::io::Result<()> {
    let now = unix_ms();
    let bytes = snapshot::write_locked(store, &snapshot::Options::default(), now);
    let path = rdb_path(store);
    let temp = format!("temp-{}.rdb", std::process::id());
    match write_file_atomically(&path, &temp, |out| out.write_all(&bytes)) {
        Ok(()) => {
            tracing::info!("DB saved on disk");
            store.dirty = 0;
            store.persist.lastsave = now / 1000;
            store.persist.last_bgsave_ok = true;
            store.persist.rdb_saves += 1;
            Ok(())
        }
        Err(err) => {
            tracing::warn!(
                "Failed opening the temp RDB file {temp} (in server root dir {}) for saving: {err}",
                store.config.dir.display()
            );
            Err(err)
        }
    }
}

fn save(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    if ctx.store.persist.bgsave.is_some() {
        return Err(CmdError::new("ERR Background save already in progress"));
    }
    save_now(ctx.store).map_err(|_| CmdError::new("ERR"))?;
    ctx.out.ok();
    Ok(())
}

fn lastsave(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(ctx.store.persist.lastsave as i64);
    Ok(())
}

fn bgsave(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let schedule = match &args[1..] {
        [] => false,
        [arg] if crate::ctx::args::is(arg, "schedule") => true,
        _ => return Err(CmdError::syntax()),
    };
    if ctx.store.persist.bgsave.is_some() {
        return Err(CmdError::new("ERR Background save already in progress"));
    }
    if ctx.store.persist.snapshot_running() {
        if !schedule {
            return Err(CmdError::new(
                "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
            ));
        }
        ctx.store.persist.bgsave_scheduled = true;
        ctx.out.simple("Background saving scheduled");
        return Ok(());
    }
    start_bgsave(ctx.server, ctx.store).map_err(|_| CmdError::new("ERR"))?;
    ctx.out.simple("Background saving started");
    Ok(())
}

/// Start a BGSAVE now: a snapshot whose one consumer writes the RDB file.
pub fn start_bgsave(server: &Server, store: &mut Store) -> Result<(), snapshot::Busy> {
    let now = unix_ms();
    store.persist.last_bgsave_try = now / 1000;
    let mut pending = snapshot::begin(store, &snapshot::Options::default(), now)?;
    let stream = pending.subscribe();
    store.persist.bgsave = Some(BgsaveRun {
        started: Instant::now(),
        dirty_at_start: store.dirty,
        keys_total: store.dbs.iter().map(|db| db.len() as u64).sum(),
        abandoned: false,
    });
    store.persist.bgsave_scheduled = false;
    let path = rdb_path(store);
    let server = server.arc();
    tracing::info!("Background saving started");
    pending.run(server.clone());
    // The writer only needs the stream; if its thread cannot start, dropping the stream ends
    // the walk, and the BGSAVE is recorded as failed when the lock is free again.
    let spawned = std::thread::Builder::new().name("bgsave".into()).spawn({
        let server = server.clone();
        move || {
            let temp = format!("temp-{}-bgsave.rdb", std::process::id());
            let written = write_temp(&path, &temp, |out| stream.write_to(out).map(drop));
            bgsave_done(&server, written, &path);
        }
    });
    if let Err(err) = spawned {
        tracing::warn!(%err, "cannot start the BGSAVE writer");
        std::thread::spawn(move || bgsave_done(&server, Err(err), Path::new("")));
    }
    Ok(())
}

/// The file is written: rename it into place, under the lock, unless the BGSAVE was abandoned
/// meanwhile (FLUSHALL, a final save at shutdown), whose newer file must not be replaced.
fn bgsave_done(server: &Server, written: std::io::Result<PathBuf>, path: &Path) {
    let mut store = server.store.lock();
    let renamed = bgsave_finish(&mut store, written, path);
    drop(store);
    // The directory's fsync can wait for the file system's journal: never under the lock.
    if renamed && let Err(err) = sync_dir(path) {
        tracing::warn!(%err, "fsync of the RDB file's directory failed");
    }
}

/// Rename the file into place unless the BGSAVE was abandoned, and record the outcome.
/// Returns whether the file was renamed.
fn bgsave_finish(store: &mut Store, written: std::io::Result<PathBuf>, path: &Path) -> bool {
    let Some(run) = store.persist.bgsave.take() else {
        return false;
    };
    store.persist.last_bgsave_time_sec = run.started.elapsed().as_secs() as i64;
    let result = match written {
        Ok(temp) if run.abandoned => {
            let _ = std::fs::remove_file(temp);
            Err(std::io::Error::other("abandoned"))
        }
        Ok(temp) => rename_temp(&temp, path),
        Err(err) => Err(err),
    };
    let renamed = result.is_ok();
    match result {
        Ok(()) => {
            tracing::info!("Background saving terminated with success");
            store.dirty = store.dirty.saturating_sub(run.dirty_at_start);
            store.persist.lastsave = unix_ms() / 1000;
            store.persist.last_bgsave_ok = true;
            store.persist.rdb_saves += 1;
        }
        Err(_) if run.abandoned => {
            tracing::warn!("Background saving abandoned: a newer save replaces it");
        }
        Err(err) => {
            tracing::warn!(%err, "Background saving error");
            store.persist.last_bgsave_ok = false;
        }
    }
    renamed
}

/// Stop a running BGSAVE: its file will not replace the one about to be written.
fn abandon_bgsave(store: &mut Store) {
    if let Some(run) = store.persist.bgsave.as_mut() {
        run.abandoned = true;
        snapshot::abandon(store);
    }
}

/// FLUSHALL's persistence side (Redis's flushAllDataAndResetRDB): a running BGSAVE of the old
/// data is abandoned, and with save rules the empty data set is saved at once, so a restart
/// cannot bring the flushed keys back.
pub fn after_flushall(store: &mut Store) {
    abandon_bgsave(store);
    if !store.config.save.is_empty() {
        let _ = save_now(store);
    }
}

/// From the server tick: the `save` rules and a scheduled BGSAVE.
pub fn cron(server: &Server, store: &mut Store, now_ms: u64) {
    if store.persist.snapshot_running() || store.persist.loading.is_some() {
        return;
    }
    let now = now_ms / 1000;
    let p = &store.persist;
    let may_retry =
        p.last_bgsave_ok || now.saturating_sub(p.last_bgsave_try) > BGSAVE_RETRY_DELAY_S;
    let due = store.config.save.iter().find(|rule| {
        store.dirty >= rule.changes && now.saturating_sub(p.lastsave) > rule.seconds && may_retry
    });
    if let Some(rule) = due {
        tracing::info!(
            "{} changes in {} seconds. Saving...",
            rule.changes,
            rule.seconds
        );
    } else if !p.bgsave_scheduled {
        return;
    }
    let _ = start_bgsave(server, store);
}

/// The final save of a shutdown: when save rules are set (or SHUTDOWN SAVE asked for it), and
/// not with NOSAVE. A running BGSAVE is abandoned first, as Redis kills its child.
pub fn shutdown_save(store: &mut Store, save: bool, nosave: bool) -> std::io::Result<()> {
    if nosave || (!save && store.config.save.is_empty()) {
        return Ok(());
    }
    if store.persist.loading.is_some() {
        // The data set is not in memory yet: saving now would replace the file being loaded.
        tracing::warn!("Shutdown during loading: the data file is left as it is.");
        return Ok(());
    }
    abandon_bgsave(store);
    tracing::info!("Saving the final RDB snapshot before exiting.");
    save_now(store)
}

// ---- start-up loading -----------------------------------------------------------------------

/// Whether a command must wait for the end of loading (`-LOADING`).
pub fn refuses_while_loading(store: &Store, cmd: &wire::Command) -> bool {
    store.persist.loading.is_some() && !cmd.has(wire::command::flags::LOADING)
}

/// Load the dump named by the configuration (or, with `appendonly yes`, the AOF, which wins
/// as in Redis), on a thread of its own; commands without the `loading` flag get `-LOADING`
/// until it is done. A file that cannot be loaded stops the server, as Redis exits.
pub fn load_at_startup(server: &std::sync::Arc<Server>) {
    if server.store.lock().config.appendonly {
        load_aof_at_startup(server);
        return;
    }
    let path = {
        let mut store = server.store.lock();
        let path = rdb_path(&store);
        let Ok(meta) = std::fs::metadata(&path) else {
            return;
        };
        store.persist.loading = Some(Loading {
            started_unix: unix_ms() / 1000,
            started: Instant::now(),
            total_bytes: meta.len(),
            loaded_bytes: 0,
        });
        path
    };
    let server = server.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = load_rdb_file(&server, &path);
        let mut store = server.store.lock();
        store.persist.loading = None;
        match result {
            Ok((loaded, expired)) => {
                tracing::info!("Done loading RDB, keys loaded: {loaded}, keys expired: {expired}.");
                tracing::info!(
                    "DB loaded from disk: {:.3} seconds",
                    started.elapsed().as_secs_f64()
                );
                store.persist.last_load_keys_loaded = loaded;
                store.persist.last_load_keys_expired = expired;
            }
            Err(err) => {
                tracing::error!("Failed loading {}: {err}", path.display());
                *server.load_error.lock() = Some(err);
                server.shutdown.cancel();
            }
        }
    });
}

/// With `appendonly yes` the AOF is the dataset (the RDB file is not read, as in Redis): it is
/// replayed on a thread of its own behind `-LOADING`, then appending starts.
fn load_aof_at_startup(server: &std::sync::Arc<Server>) {
    server.store.lock().persist.loading = Some(Loading {
        started_unix: unix_ms() / 1000,
        started: Instant::now(),
        total_bytes: 0,
        loaded_bytes: 0,
    });
    let server = server.clone();
    std::thread::spawn(move || {
        let started = Instant::now();
        let result = crate::aof::start_up(&server);
        let mut store = server.store.lock();
        store.persist.loading = None;
        match result {
            Ok(Some(stats)) => tracing::info!(
                "DB loaded from append only file: {:.3} seconds ({} commands)",
                started.elapsed().as_secs_f64(),
                stats.commands
            ),
            Ok(None) => {}
            Err(err) => {
                tracing::error!("{err}");
                *server.load_error.lock() = Some(err);
                server.shutdown.cancel();
            }
        }
    });
}

/// Empty databases like the store's, to load into before swapping them in.
pub fn fresh_dbs(store: &Store) -> Vec<crate::keyspace::Db> {
    store
        .dbs
        .iter()
        .map(|db| {
            let mut fresh = crate::keyspace::Db::new(db.id);
            fresh.access_clock = db.access_clock;
            fresh
        })
        .collect()
}

/// Read and check the whole file into fresh databases, then swap them in: a file that turns
/// out corrupt (or with a wrong checksum, known only at its end) leaves nothing half-loaded.
/// Returns (keys loaded, keys dropped because they had expired).
fn load_rdb_file(server: &Server, path: &Path) -> Result<(u64, u64), String> {
    use crate::rdb::load::{Item, RdbParser};
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let (config, mut dbs) = {
        let store = server.store.lock();
        (store.config.clone(), fresh_dbs(&store))
    };
    let mut parser =
        RdbParser::new(&bytes, &config, config.rdbchecksum).map_err(|e| e.to_string())?;
    let now = unix_ms();
    let (mut loaded, mut expired) = (0u64, 0u64);
    let mut items = 0u64;
    while let Some(item) = parser.next_item().map_err(|e| e.to_string())? {
        match item {
            Item::Aux { key, value } if key == b"redis-ver" => {
                tracing::info!(
                    "Loading RDB produced by version {}",
                    String::from_utf8_lossy(&value)
                );
            }
            Item::Entry { db, entry } => {
                if entry.expire_ms.is_some_and(|at| at <= now) {
                    expired += 1;
                    continue;
                }
                let key = entry.key.clone();
                let target = &mut dbs[db];
                if target.peek_any(&key).is_some() {
                    return Err(format!(
                        "RDB has duplicated key '{}' in DB {db}",
                        String::from_utf8_lossy(&key)
                    ));
                }
                entry.insert_into(target, now);
                loaded += 1;
            }
            Item::EmptySkipped { db, key } => {
                tracing::warn!(
                    "rdbLoadObject skipping empty key: {} (DB {db})",
                    String::from_utf8_lossy(&key)
                );
            }
            _ => {}
        }
        items += 1;
        if items.is_multiple_of(65536) {
            let position = parser.position() as u64;
            if let Some(l) = server.store.lock().persist.loading.as_mut() {
                l.loaded_bytes = position;
            }
        }
    }
    let mut store = server.store.lock();
    for (live, fresh) in store.dbs.iter_mut().zip(dbs.iter_mut()) {
        live.swap_contents(fresh);
    }
    Ok((loaded, expired))
}
