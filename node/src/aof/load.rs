//! Loading the AOF at start-up (loadAppendOnlyFiles / loadSingleAppendOnlyFile): the base
//! file, then the incr files in order, each command replayed through the dispatcher.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use tokio::sync::mpsc;
use wire::ReplyBuf;
use wire::request::Request;

use super::manifest::{AofInfo, FileType, MANIFEST_SUFFIX, Manifest};
use super::{aof_dir, data_dir};
use crate::client::{ClientHandle, ClientState};
use crate::server::{Server, Store, unix_ms};

/// What a start-up load read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadStats {
    /// Files read (base and incr).
    pub files: usize,
    pub commands: u64,
    /// Bytes of all base and incr files.
    pub bytes: u64,
    /// The last file had a torn tail that was cut (aof-load-truncated yes).
    pub truncated: bool,
}

/// Commands replayed per lock hold.
const CHUNK: usize = 1024;

/// How one file ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Loaded,
    Empty,
    Truncated,
}

/// Load the AOF when `appendonly` is yes: `Ok(None)` when there is none (the caller then
/// starts empty: with appendonly yes the RDB file is not read, as in Redis), the figures of
/// the load otherwise, and Redis's message when start-up must fail.
pub fn load_at_startup(server: &Arc<Server>) -> Result<Option<LoadStats>, String> {
    let config = server.store.lock().config.clone();
    if !config.appendonly {
        return Ok(None);
    }
    let dir = aof_dir(&config);
    let mut manifest = read_manifest(&dir, &config.appendfilename)?;
    let legacy = data_dir(&config).join(&config.appendfilename);
    if legacy.is_file() && needs_upgrade(&dir, &manifest, &config.appendfilename) {
        manifest = upgrade(&legacy, &dir, &config.appendfilename)?;
    }
    {
        let mut store = server.store.lock();
        store.aof.dir = dir.clone();
        store.aof.manifest = manifest.clone();
    }
    if manifest.is_empty() {
        return Ok(None);
    }
    let files: Vec<&AofInfo> = manifest.base.iter().chain(&manifest.incrs).collect();
    let mut total = 0;
    for info in &files {
        let path = dir.join(&info.name);
        match fs::metadata(&path) {
            Ok(meta) => total += meta.len(),
            Err(err) => {
                return Err(if err.kind() == ErrorKind::NotFound {
                    format!("The append log file {} doesn't exist: {err}", info.name)
                } else {
                    format!(
                        "Fatal error: can't open the append log file {} for reading: {err}",
                        info.name
                    )
                });
            }
        }
    }
    if total == 0 {
        return Ok(None);
    }
    let mut stats = LoadStats {
        bytes: total,
        ..Default::default()
    };
    let dirty_before = server.store.lock().dirty;
    let count = files.len();
    for (index, info) in files.iter().enumerate() {
        let last = index + 1 == count;
        let started = std::time::Instant::now();
        let outcome = load_file(server, &dir.join(&info.name), &info.name, &mut stats)?;
        if outcome == Outcome::Truncated && !last {
            return Err("Fatal error: the truncated file is not the last file".into());
        }
        stats.files += 1;
        stats.truncated |= outcome == Outcome::Truncated;
        let kind = if info.kind == FileType::Base {
            "base"
        } else {
            "incr"
        };
        tracing::info!(
            "DB loaded from {kind} file {}: {:.3} seconds",
            info.name,
            started.elapsed().as_secs_f64()
        );
    }
    let mut store = server.store.lock();
    store.dirty = dirty_before;
    store.aof.current_size = total;
    store.aof.base_size = manifest
        .base
        .as_ref()
        .map_or(0, |b| super::file_size(&dir.join(&b.name)));
    Ok(Some(stats))
}

fn read_manifest(dir: &Path, filename: &str) -> Result<Manifest, String> {
    let path = dir.join(format!("{filename}{MANIFEST_SUFFIX}"));
    match fs::read(&path) {
        Ok(text) => Manifest::parse(&text),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(Manifest::default()),
        Err(err) => Err(format!(
            "Fatal error: can't open the AOF manifest {filename}{MANIFEST_SUFFIX} for reading: {err}"
        )),
    }
}

/// When a single-file AOF from before Redis 7 is in `dir` (loadAppendOnlyFiles' three
/// cases of upgrade).
fn needs_upgrade(dir: &Path, manifest: &Manifest, filename: &str) -> bool {
    !dir.is_dir()
        || manifest.is_empty()
        || (manifest.incrs.is_empty()
            && manifest.base.as_ref().is_some_and(|b| b.name == filename)
            && !dir.join(filename).exists())
}

/// aofUpgradePrepare: the old file becomes the base of a new manifest, inside the dir.
fn upgrade(legacy: &Path, dir: &Path, filename: &str) -> Result<Manifest, String> {
    fs::create_dir_all(dir)
        .map_err(|err| format!("Can't open or create append-only dir: {err}"))?;
    let manifest = Manifest {
        base: Some(AofInfo {
            name: filename.to_string(),
            seq: 1,
            kind: FileType::Base,
        }),
        base_seq: 1,
        ..Default::default()
    };
    manifest
        .persist(dir, filename)
        .map_err(|err| format!("Can't persist the AOF manifest: {err}"))?;
    fs::rename(legacy, dir.join(filename)).map_err(|err| {
        format!(
            "Error trying to rename the existing AOF to {}: {err}",
            dir.join(filename).display()
        )
    })?;
    tracing::info!(
        "Successfully migrated an old-style AOF into the AOF directory ({}).",
        dir.display()
    );
    Ok(manifest)
}

/// Where reading a command stopped short.
enum Stop {
    /// The file ended inside a command.
    Eof,
    /// Not the protocol.
    Format,
    Io(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(err: std::io::Error) -> Self {
        if err.kind() == ErrorKind::UnexpectedEof {
            Stop::Eof
        } else {
            Stop::Io(err)
        }
    }
}

/// The AOF client: its commands run without replies, propagation or blocking.
fn aof_client() -> ClientState {
    let addr = std::net::SocketAddr::from(([0, 0, 0, 0], 0));
    let (push_tx, _) = mpsc::unbounded_channel();
    let handle = Arc::new(ClientHandle::new(u64::MAX, addr, addr, push_tx));
    ClientState::new(handle, true)
}

fn load_file(
    server: &Server,
    path: &Path,
    name: &str,
    stats: &mut LoadStats,
) -> Result<Outcome, String> {
    let file = File::open(path).map_err(|err| {
        format!("Fatal error: can't open the append log file {name} for reading: {err}")
    })?;
    if file.metadata().map(|m| m.len()).unwrap_or(0) == 0 {
        return Ok(Outcome::Empty);
    }
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let is_rdb = reader
        .fill_buf()
        .map_err(|e| e.to_string())?
        .starts_with(b"REDIS");
    if is_rdb {
        // An RDB base file, or an old-style AOF with an RDB preamble and commands after it.
        drop(reader);
        let bytes = fs::read(path).map_err(|err| {
            format!("Unrecoverable error reading the append only file {name}: {err}")
        })?;
        let old_style = !name.contains(super::manifest::BASE_SUFFIX);
        let tail = load_rdb(server, &bytes, name, old_style)?;
        if tail == bytes.len() {
            return Ok(Outcome::Loaded);
        }
        tracing::info!("Reading the remaining AOF tail...");
        let mut rest = &bytes[tail..];
        return replay_commands(server, &mut rest, path, name, tail as u64, stats);
    }
    replay_commands(server, &mut reader, path, name, 0, stats)
}

/// Load an RDB base (or preamble) into the databases; returns where the RDB part ends.
fn load_rdb(server: &Server, bytes: &[u8], name: &str, old_style: bool) -> Result<usize, String> {
    use crate::rdb::load::{Item, RdbParser};
    if old_style {
        tracing::info!("Reading RDB preamble from AOF file...");
    } else {
        tracing::info!("Reading RDB base file on AOF loading...");
    }
    let failed = |err: crate::rdb::load::LoadError| {
        tracing::warn!("RDB loading error: {err}");
        if old_style {
            format!("Error reading the RDB preamble of the AOF file {name}, AOF loading aborted")
        } else {
            format!("Error reading the RDB base file {name}, AOF loading aborted")
        }
    };
    let config = server.store.lock().config.clone();
    let mut parser = RdbParser::new(bytes, &config, config.rdbchecksum).map_err(failed)?;
    let now = unix_ms();
    let mut store = server.store.lock();
    let mut items = 0usize;
    // Expired keys stay: an AOF base is loaded as it was written (Redis's AOF preamble rule);
    // expiry then deletes them, and propagates it.
    while let Some(item) = parser.next_item().map_err(failed)? {
        if let Item::Entry { db, entry } = item {
            entry.insert_into(&mut store.dbs[db], now);
        }
        items += 1;
        if items.is_multiple_of(CHUNK) {
            drop(store);
            store = server.store.lock();
        }
    }
    Ok(parser.position())
}

/// Replay the commands of `reader` (starting at byte `start` of the file), cutting a torn
/// tail when `aof-load-truncated` allows it.
fn replay_commands(
    server: &Server,
    reader: &mut impl BufRead,
    path: &Path,
    name: &str,
    start: u64,
    stats: &mut LoadStats,
) -> Result<Outcome, String> {
    let mut client = aof_client();
    let mut out = ReplyBuf::default();
    let mut offset: u64 = start;
    let mut valid = Valid {
        up_to: start,
        before_multi: start,
    };
    let mut batch: Vec<(Request, u64)> = Vec::with_capacity(CHUNK);
    let truncate_ok = server.store.lock().config.aof_load_truncated;
    let stop = loop {
        // `Some(how)` once the file ends: cleanly (`None`) or not.
        let ended = match read_command(reader, &mut offset) {
            Ok(Some(req)) => {
                batch.push((req, offset));
                None
            }
            Ok(None) => Some(None),
            Err(stop) => Some(Some(stop)),
        };
        if batch.len() == CHUNK || ended.is_some() {
            run_batch(
                server,
                &mut client,
                &mut out,
                &mut batch,
                name,
                stats,
                &mut valid,
            )?;
        }
        if let Some(how) = ended {
            break how;
        }
    };
    let (mut valid_up_to, valid_before_multi) = (valid.up_to, valid.before_multi);
    let stop = match stop {
        None if client.multi.is_some() => {
            tracing::warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
            valid_up_to = valid_before_multi;
            Stop::Eof
        }
        None => return Ok(Outcome::Loaded),
        Some(stop) => stop,
    };
    match stop {
        Stop::Io(err) => Err(format!(
            "Unrecoverable error reading the append only file {name}: {err}"
        )),
        Stop::Format => Err(format!(
            "Bad file format reading the append only file {name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
        )),
        Stop::Eof if truncate_ok => {
            tracing::warn!("!!! Warning: short read while loading the AOF file {name}!!!");
            tracing::warn!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
            let cut = fs::OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| f.set_len(valid_up_to));
            if let Err(err) = cut {
                tracing::warn!("Error truncating the AOF file {name}: {err}");
                return Err(unexpected_eof(name));
            }
            tracing::warn!("AOF {name} loaded anyway because aof-load-truncated is enabled");
            Ok(Outcome::Truncated)
        }
        Stop::Eof => Err(unexpected_eof(name)),
    }
}

fn unexpected_eof(name: &str) -> String {
    format!(
        "Unexpected end of file reading the append only file {name}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
    )
}

/// Offsets of the last command replayed, and of the command before the last MULTI.
#[derive(Debug, Default)]
struct Valid {
    up_to: u64,
    before_multi: u64,
}

/// Replay a batch under one lock hold.
fn run_batch(
    server: &Server,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    batch: &mut Vec<(Request, u64)>,
    name: &str,
    stats: &mut LoadStats,
    valid: &mut Valid,
) -> Result<(), String> {
    let mut store = server.store.lock();
    for (req, end) in batch.drain(..) {
        if req.args[0].eq_ignore_ascii_case(b"multi") {
            valid.before_multi = valid.up_to;
        }
        replay(server, &mut store, client, out, &req, name)?;
        stats.commands += 1;
        valid.up_to = end;
    }
    Ok(())
}

fn replay(
    server: &Server,
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    req: &Request,
    name: &str,
) -> Result<(), String> {
    if !crate::exec::execute_loading(server, store, client, out, req, unix_ms()) {
        return Err(format!(
            "Unknown command '{}' reading the append only file {name}",
            String::from_utf8_lossy(&req.args[0])
        ));
    }
    out.clear();
    Ok(())
}

/// One command in the AOF's framing (`*<argc>` then `$<len>` and the bytes per argument;
/// `#` lines are annotations). `Ok(None)` at a clean end of file.
fn read_command(reader: &mut impl BufRead, offset: &mut u64) -> Result<Option<Request>, Stop> {
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        *offset += n as u64;
        if line[0] != b'#' {
            break;
        }
        if line.last() != Some(&b'\n') {
            return Ok(None);
        }
    }
    if line[0] != b'*' {
        return Err(Stop::Format);
    }
    if line.last() != Some(&b'\n') {
        return Err(Stop::Eof);
    }
    let argc = atoi(&line[1..]);
    if argc < 1 {
        return Err(Stop::Format);
    }
    let mut args = Vec::with_capacity(argc.min(1024) as usize);
    for _ in 0..argc {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        *offset += n as u64;
        if n == 0 || line.last() != Some(&b'\n') {
            return Err(Stop::Eof);
        }
        if line[0] != b'$' {
            return Err(Stop::Format);
        }
        let len = atoi(&line[1..]).max(0) as usize;
        let mut arg = vec![0u8; len + 2];
        reader.read_exact(&mut arg)?;
        *offset += arg.len() as u64;
        arg.truncate(len);
        args.push(Bytes::from(arg));
    }
    Ok(Some(Request {
        args,
        raw: Bytes::new(),
        inline: false,
    }))
}

/// C's atoi/strtol on a line: optional sign, leading digits.
fn atoi(text: &[u8]) -> i64 {
    let (negative, digits) = match text.first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let mut value: i64 = 0;
    for &d in digits.iter().take_while(|d| d.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add((d - b'0') as i64);
    }
    if negative { -value } else { value }
}
