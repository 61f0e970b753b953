//! AOF rewrite (BGREWRITEAOF, the automatic rewrite, CONFIG SET appendonly yes): a new base
//! file from a point-in-time snapshot, a new incr file opened at the snapshot instant, then
//! the manifest switched atomically and the files the new base covers deleted, as Redis 7.0
//! does (rewriteAppendOnlyFileBackground / backgroundRewriteDoneHandler).
//!
//! The base is the snapshot's RDB stream (`<name>.<seq>.base.rdb`, with the `aof-base` AUX
//! field): Redis's `aof-use-rdb-preamble yes` layout. With `no`, Redis would write the base as
//! commands; the node writes the RDB base either way (a command base would need the keyspace
//! serialized a second way).

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use wire::CommandId;

use super::{IncrFile, file_size, open_incr};
use crate::cmd::Handler;
use crate::ctx::{CmdError, CmdResult, Ctx};
use crate::server::{Server, Store, unix_ms};
use crate::snapshot;

pub const HANDLERS: &[(CommandId, Handler)] = &[(CommandId::Bgrewriteaof, bgrewriteaof)];

/// A rewrite running: its snapshot is being written to `temp`.
#[derive(Debug)]
pub struct RewriteRun {
    started: Instant,
    temp: PathBuf,
    generation: u64,
}

impl RewriteRun {
    pub fn elapsed_secs(&self) -> i64 {
        self.started.elapsed().as_secs() as i64
    }

    /// Abandon the rewrite: its file goes, its end installs nothing.
    pub fn discard(self) {
        let _ = fs::remove_file(&self.temp);
    }
}

/// Why a rewrite did not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotStarted {
    /// One is already running.
    InProgress,
    /// Another snapshot (BGSAVE) runs: the rewrite is scheduled for when it ends.
    Scheduled,
    /// The files could not be prepared (logged).
    Failed,
}

fn bgrewriteaof(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    match start(ctx.server, ctx.store) {
        Ok(()) => {
            ctx.out
                .simple("Background append only file rewriting started");
            Ok(())
        }
        Err(NotStarted::InProgress) => Err(CmdError::new(
            "ERR Background append only file rewriting already in progress",
        )),
        Err(NotStarted::Scheduled) => {
            ctx.out
                .simple("Background append only file rewriting scheduled");
            Ok(())
        }
        Err(NotStarted::Failed) => Err(CmdError::new(
            "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
        )),
    }
}

fn temp_incr_name(filename: &str) -> String {
    format!("{}{filename}.incr", super::manifest::TEMP_PREFIX)
}

/// Start a rewrite, with the store locked: the snapshot point and the switch to a new incr
/// file are the same instant.
pub fn start(server: &Server, store: &mut Store) -> Result<(), NotStarted> {
    if store.aof.rewrite.is_some() {
        return Err(NotStarted::InProgress);
    }
    if store.persist.snapshot_running() {
        store.aof.rewrite_scheduled = true;
        return Err(NotStarted::Scheduled);
    }
    let config = store.config.clone();
    let dir = super::aof_dir(&config);
    if let Err(err) = fs::create_dir_all(&dir) {
        tracing::warn!(
            "Can't open or create append-only dir {}: {err}",
            dir.display()
        );
        return Err(NotStarted::Failed);
    }
    let options = snapshot::Options {
        aof_base: true,
        replication: None,
    };
    let mut pending = match snapshot::begin(store, &options, unix_ms()) {
        Ok(pending) => pending,
        Err(snapshot::Busy) => {
            store.aof.rewrite_scheduled = true;
            return Err(NotStarted::Scheduled);
        }
    };
    // What the feed holds was applied before this instant: it belongs to the old incr file.
    crate::propagate::deliver(store);
    let aof = &mut store.aof;
    aof.dir = dir.clone();
    let opened = if aof.wait_rewrite {
        let name = temp_incr_name(&config.appendfilename);
        open_incr(&dir.join(&name)).map(Some)
    } else if !aof.on {
        // appendonly no: only a new base, no incr file.
        Ok(None)
    } else {
        let mut manifest = aof.manifest.clone();
        let name = manifest.new_incr(&config.appendfilename);
        open_incr(&dir.join(&name)).and_then(|file| {
            manifest.persist(&dir, &config.appendfilename)?;
            aof.manifest = manifest;
            Ok(Some(file))
        })
    };
    let file = match opened {
        Ok(file) => file,
        Err(err) => {
            tracing::warn!("Can't open the append-only file for the rewrite: {err}");
            // The snapshot is abandoned: nobody subscribed.
            pending.run(server.arc());
            return Err(NotStarted::Failed);
        }
    };
    if let Some(file) = file
        && let Some(old) = aof.incr.replace(Arc::new(IncrFile::new(file)))
    {
        // The old file's tail reaches the disk off the lock (Redis closes it in bio).
        std::thread::spawn(move || {
            if let Err(err) = old.close() {
                tracing::warn!("Fail to fsync the AOF file: {err}");
            }
        });
    }
    store.feed.force_select();
    store.aof.select_first = store
        .replication
        .is_replica()
        .then_some(store.replication.relay_db);
    let temp = dir.join(format!("temp-rewriteaof-bg-{}.aof", std::process::id()));
    store.aof.rewrite_generation += 1;
    let generation = store.aof.rewrite_generation;
    store.aof.rewrite = Some(RewriteRun {
        started: Instant::now(),
        temp: temp.clone(),
        generation,
    });
    store.aof.rewrite_scheduled = false;
    let stream = pending.subscribe();
    let server = server.arc();
    pending.run(server.clone());
    tracing::info!("Background append only file rewriting started");
    let spawned = std::thread::Builder::new()
        .name("aof-rewrite".into())
        .spawn({
            let server = server.clone();
            let temp = temp.clone();
            move || {
                let written = write_base(&temp, stream);
                done(&server, generation, written);
            }
        });
    if let Err(err) = spawned {
        std::thread::spawn(move || done(&server, generation, Err(err)));
    }
    Ok(())
}

fn write_base(temp: &Path, stream: snapshot::Stream) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(temp)?);
    stream.write_to(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// The snapshot is written: switch the manifest to the new base (backgroundRewriteDoneHandler).
fn done(server: &Server, generation: u64, written: std::io::Result<()>) {
    let mut store = server.store.lock();
    if store
        .aof
        .rewrite
        .as_ref()
        .is_none_or(|run| run.generation != generation)
    {
        return;
    }
    let Some(run) = store.aof.rewrite.take() else {
        return;
    };
    store.aof.last_rewrite_time_sec = Some(run.elapsed_secs());
    match written.and_then(|()| install(&mut store, &run.temp)) {
        Ok(()) => {
            store.aof.last_rewrite_failed = false;
            store.aof.rewrites_consecutive_failures = 0;
            store.aof.rewrites += 1;
            tracing::info!("Background AOF rewrite terminated with success");
            tracing::info!("Background AOF rewrite finished successfully");
        }
        Err(err) => {
            let _ = fs::remove_file(&run.temp);
            store.aof.last_rewrite_failed = true;
            store.aof.rewrites_consecutive_failures += 1;
            tracing::warn!("Background AOF rewrite terminated with error: {err}");
            if store.aof.wait_rewrite {
                // Turning the AOF on failed: it stays off, as the temp incr file is useless.
                let temp_incr = store
                    .aof
                    .dir
                    .join(temp_incr_name(&store.config.appendfilename));
                super::stop(&mut store);
                store.aof.wait_rewrite = false;
                let _ = fs::remove_file(temp_incr);
            }
        }
    }
}

/// Rename the new base into place, make the incr files it covers history, persist the
/// manifest and delete the history files.
fn install(store: &mut Store, temp: &Path) -> std::io::Result<()> {
    let filename = store.config.appendfilename.clone();
    let aof = &mut store.aof;
    let dir = aof.dir.clone();
    let mut manifest = aof.manifest.clone();
    let base = manifest.new_base(&filename, true);
    fs::rename(temp, dir.join(&base))?;
    if aof.wait_rewrite {
        let incr = manifest.new_incr(&filename);
        fs::rename(dir.join(temp_incr_name(&filename)), dir.join(&incr))?;
    }
    manifest.mark_rewritten_incrs_as_history(aof.incr.is_some());
    if let Err(err) = manifest.persist(&dir, &filename) {
        let _ = fs::remove_file(dir.join(&base));
        return Err(err);
    }
    aof.manifest = manifest;
    aof.wait_rewrite = false;
    // The history goes, and the manifest is written again without it (aofDelHistoryFiles).
    let history = aof.manifest.take_history();
    if let Err(err) = aof.manifest.persist(&dir, &filename) {
        tracing::warn!("Can't persist the AOF manifest: {err}");
    }
    aof.base_size = file_size(&dir.join(&base));
    aof.current_size = aof.base_size
        + aof
            .manifest
            .incrs
            .iter()
            .map(|info| file_size(&dir.join(&info.name)))
            .sum::<u64>();
    std::thread::spawn(move || super::manifest::delete_files(&dir, history));
    Ok(())
}

/// From the server tick: a scheduled rewrite once no snapshot runs, and the automatic one
/// (auto-aof-rewrite-percentage growth past auto-aof-rewrite-min-size).
pub fn cron(server: &Server, store: &mut Store) {
    if store.aof.rewrite.is_some() || store.persist.snapshot_running() {
        return;
    }
    if store.aof.rewrite_scheduled {
        let _ = start(server, store);
        return;
    }
    let config = &store.config;
    let aof = &store.aof;
    if !aof.on || aof.wait_rewrite || config.auto_aof_rewrite_percentage == 0 {
        return;
    }
    if aof.current_size <= config.auto_aof_rewrite_min_size {
        return;
    }
    let base = aof.base_size.max(1);
    let growth = (aof.current_size * 100 / base).saturating_sub(100);
    if growth >= u64::from(config.auto_aof_rewrite_percentage) {
        tracing::info!("Starting automatic rewriting of AOF on {growth}% growth");
        let _ = start(server, store);
    }
}

/// CONFIG SET appendonly yes (startAppendOnly): the feed goes to a temporary incr file while
/// a rewrite makes the base; both are installed when it ends.
pub fn start_appendonly(server: &Server, store: &mut Store) -> Result<(), String> {
    // A rewrite already running (BGREWRITEAOF with appendonly no) has no incr file: it is
    // abandoned for one that has, as Redis kills its child.
    if let Some(run) = store.aof.rewrite.take() {
        run.discard();
    }
    store.aof.wait_rewrite = true;
    store.aof.on = true;
    store
        .feed
        .set_consumer(crate::propagate::CONSUMER_AOF, true);
    match start(server, store) {
        Ok(()) | Err(NotStarted::Scheduled) | Err(NotStarted::InProgress) => Ok(()),
        Err(NotStarted::Failed) => {
            super::stop(store);
            store.aof.wait_rewrite = false;
            Err("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.".into())
        }
    }
}
