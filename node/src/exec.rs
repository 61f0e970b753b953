//! Command dispatch: the checks Redis's processCommand makes, in its order, then the handler;
//! MULTI/EXEC/WATCH live here because they wrap dispatch itself.

use std::sync::atomic::Ordering;

use wire::command::{self, ResolveError, flags};
use wire::request::Request;
use wire::{Command, CommandId, ReplyBuf};

use crate::client::{ClientState, MultiState, ReplyMode, WatchedKey};
use crate::ctx::{CmdError, Ctx};
use crate::propagate::Propagation;
use crate::server::{Server, Store};
use crate::types::SmallBytes;

/// What the connection does after a command.
#[derive(Debug)]
pub enum Flow {
    Continue,
    /// Write what is buffered and close (QUIT, fatal errors).
    Close,
    /// The command waits for a key (blocking list and sorted-set commands); it is registered.
    Block(crate::blocking::Blocked),
    /// WAIT: reply once enough replicas acknowledged the client's writes, or at the timeout.
    Wait(crate::replication::WaitRequest),
    /// CLIENT PAUSE holds the command: nothing ran; run the same request again once the
    /// pause ends (at `until_ms`, or earlier when `lifted` changes).
    Paused {
        until_ms: u64,
        lifted: tokio::sync::watch::Receiver<u64>,
    },
}

/// Run one request for `client`, writing its reply to `out` (unless CLIENT REPLY OFF/SKIP
/// silences it).
pub fn execute(
    server: &Server,
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    req: &Request,
    now_ms: u64,
) -> Flow {
    let mark = out.len();
    let flow = dispatch(server, store, client, out, req, now_ms);
    if !matches!(flow, Flow::Block(_) | Flow::Paused { .. }) {
        apply_reply_mode(client, out, mark);
    }
    flow
}

/// CLIENT REPLY: drop what the command wrote while replies are off or skipped, and move
/// SKIP along (it silences exactly the next command).
pub fn apply_reply_mode(client: &mut ClientState, out: &mut ReplyBuf, mark: usize) {
    match client.reply_mode {
        ReplyMode::On => {}
        ReplyMode::Off => out.truncate(mark),
        ReplyMode::Skip => {
            out.truncate(mark);
            client.reply_mode = ReplyMode::On;
        }
        ReplyMode::SkipNext => client.reply_mode = ReplyMode::Skip,
    }
}

fn dispatch(
    server: &Server,
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    req: &Request,
    now_ms: u64,
) -> Flow {
    crate::evict::set_clock(now_ms);
    let resolved = match &client.resolved {
        Some((name, cmd)) if name.as_slice() == &req.args[0][..] => Ok(*cmd),
        _ => {
            let resolved = command::resolve(&req.args);
            if let Ok(cmd) = resolved
                && !cmd.is_container()
                && !cmd.name.contains('|')
            {
                client.resolved = Some((SmallBytes::new(&req.args[0]), cmd));
            }
            resolved
        }
    };
    // As Redis's lastcmd: set at lookup, even when the command is then rejected.
    client.handle.last_cmd.set(match &resolved {
        Ok(cmd) | Err(ResolveError::Arity(cmd)) => Some(*cmd),
        Err(_) => None,
    });
    let cmd = match resolved {
        Ok(cmd) if cmd.arity_ok(req.args.len()) => cmd,
        Ok(cmd) => return reject(store, client, out, Some(cmd), CmdError::arity(cmd).text()),
        Err(err) => {
            let cmd = match err {
                ResolveError::Arity(c) | ResolveError::UnknownSubcommand(c) => Some(c),
                ResolveError::Unknown => None,
            };
            return reject(store, client, out, cmd, err.message(&req.args));
        }
    };
    if !client.authenticated && !cmd.has(flags::NO_AUTH) {
        return reject(
            store,
            client,
            out,
            Some(cmd),
            "NOAUTH Authentication required.",
        );
    }
    if cmd.id == CommandId::Debug && !crate::cmd::server::debug_allowed(store, client) {
        return reject(
            store,
            client,
            out,
            Some(cmd),
            crate::cmd::server::DEBUG_NOT_ALLOWED,
        );
    }
    if store.config.maxmemory > 0 && !crate::evict::command_allowed(store, client, cmd, now_ms) {
        return reject(store, client, out, Some(cmd), crate::evict::OOM_ERROR);
    }
    if (cmd.has(flags::WRITE) || cmd.id == CommandId::Ping) && crate::persist::writes_denied(store)
    {
        return reject(store, client, out, Some(cmd), crate::persist::MISCONF_ERROR);
    }
    if (cmd.has(flags::WRITE) || cmd.id == CommandId::Ping)
        && let Some(refusal) = crate::aof::write_refusal(store)
    {
        return reject(store, client, out, Some(cmd), refusal);
    }
    if effective_flags(client, cmd) & flags::WRITE != 0
        && crate::replication::writes_refused(store, now_ms)
    {
        return reject(
            store,
            client,
            out,
            Some(cmd),
            crate::replication::NOREPLICAS_ERROR,
        );
    }
    if let Some(refusal) =
        crate::replica::refusal(store, cmd, effective_flags(client, cmd) & flags::WRITE != 0)
    {
        return reject(store, client, out, Some(cmd), refusal);
    }
    if client.in_resp2_pubsub() && !allowed_in_pubsub(cmd) {
        let text = format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            cmd.name
        );
        return reject(store, client, out, Some(cmd), &text);
    }
    if crate::persist::refuses_while_loading(store, cmd) {
        return reject(store, client, out, Some(cmd), crate::persist::LOADING_ERROR);
    }
    let monitoring = client.handle.monitor.load(Ordering::Relaxed);
    if monitoring && touches_keyspace(client, cmd) {
        // A monitor is a replica to Redis, and replicas may not use the keyspace.
        return reject(
            store,
            client,
            out,
            Some(cmd),
            "ERR Replica can't interact with the keyspace",
        );
    }
    if store.client_pause.active() && !monitoring {
        let writes = may_replicate(client, cmd);
        if store.client_pause.holds(now_ms, writes) {
            return Flow::Paused {
                until_ms: store.client_pause.until_ms(),
                lifted: store.client_pause.lifted.subscribe(),
            };
        }
    }
    if client.multi.is_some() && !is_multi_control(cmd) {
        if cmd.has(flags::NO_MULTI) {
            return reject(
                store,
                client,
                out,
                Some(cmd),
                "ERR Command not allowed inside a transaction",
            );
        }
        client
            .multi
            .as_mut()
            .expect("in multi")
            .queued
            .push(req.clone());
        client.handle.note_queued(req);
        out.simple("QUEUED");
        return Flow::Continue;
    }
    let flow = run(server, store, client, out, cmd, req, now_ms, false);
    crate::monitor::feed(store, client, out, cmd, &req.args);
    flow
}

/// Flags of the command, or for EXEC of the commands it would run.
fn effective_flags(client: &ClientState, cmd: &Command) -> u32 {
    let mut bits = cmd.flags;
    if cmd.id == CommandId::Exec
        && let Some(multi) = &client.multi
    {
        for req in &multi.queued {
            if let Ok(queued) = command::resolve(&req.args) {
                bits |= queued.flags;
            }
        }
    }
    bits
}

/// What CLIENT PAUSE WRITE holds: writes and commands that may replicate.
fn may_replicate(client: &ClientState, cmd: &Command) -> bool {
    effective_flags(client, cmd) & (flags::WRITE | flags::MAY_REPLICATE) != 0
}

fn touches_keyspace(client: &ClientState, cmd: &Command) -> bool {
    effective_flags(client, cmd) & (flags::WRITE | flags::MAY_REPLICATE | flags::READONLY) != 0
}

/// Run a blocked client's request on its behalf while serving it: the handler must not block,
/// and blocked clients are not served from inside (the caller is doing that).
pub fn execute_unblocked(
    server: &Server,
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    req: &Request,
    now_ms: u64,
) {
    if let Ok(cmd) = command::resolve(&req.args) {
        run(server, store, client, out, cmd, req, now_ms, true);
    }
}

/// Replay a command read from the AOF as Redis's AOF client runs it: no checks, MULTI
/// queueing, never blocking. False when the command is not one the node knows.
pub fn execute_loading(
    server: &Server,
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    req: &Request,
    now_ms: u64,
) -> bool {
    let Ok(cmd) = command::resolve(&req.args) else {
        return false;
    };
    if !cmd.arity_ok(req.args.len()) {
        return false;
    }
    if cmd.id != CommandId::Exec
        && let Some(multi) = client.multi.as_mut()
    {
        multi.queued.push(req.clone());
        return true;
    }
    run(server, store, client, out, cmd, req, now_ms, true);
    true
}

fn is_multi_control(cmd: &Command) -> bool {
    matches!(
        cmd.id,
        CommandId::Exec
            | CommandId::Discard
            | CommandId::Multi
            | CommandId::Watch
            | CommandId::Quit
            | CommandId::Reset
    )
}

fn allowed_in_pubsub(cmd: &Command) -> bool {
    matches!(
        cmd.id,
        CommandId::Subscribe
            | CommandId::Unsubscribe
            | CommandId::Psubscribe
            | CommandId::Punsubscribe
            | CommandId::Ping
            | CommandId::Quit
            | CommandId::Reset
    )
}

/// An error before execution; inside MULTI it also dooms the transaction.
fn reject(
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    cmd: Option<&'static Command>,
    text: impl AsRef<[u8]>,
) -> Flow {
    let text = text.as_ref();
    if let Some(multi) = client.multi.as_mut() {
        multi.aborted = true;
    }
    if let Some(cmd) = cmd {
        store.command_stats[cmd.id as usize].rejected_calls += 1;
    }
    store.errors.record(&String::from_utf8_lossy(text));
    out.error_bytes(text);
    Flow::Continue
}

#[allow(clippy::too_many_arguments)]
fn run(
    server: &Server,
    store: &mut Store,
    client: &mut ClientState,
    out: &mut ReplyBuf,
    cmd: &'static Command,
    req: &Request,
    now_ms: u64,
    no_block: bool,
) -> Flow {
    let Some(handler) = crate::cmd::handler(cmd.id) else {
        out.error_bytes(&command::unknown_command_message(&req.args));
        return Flow::Continue;
    };
    let memory_before = (store.config.maxmemory > 0).then(crate::evict::thread_net_allocated);
    // One clock read per command: the lap since the previous command of this batch (the
    // connection starts the lap when it takes the lock).
    let started = store.command_clock;
    let db = client.db;
    let mut ctx = Ctx {
        store,
        server,
        client,
        out,
        cmd,
        db,
        now_ms,
        block: None,
        no_block,
        changes: 0,
        propagation: Default::default(),
    };
    ctx.store
        .feed
        .begin_command(cmd.has(flags::TOUCHES_ARBITRARY_KEYS));
    // Like Redis, only reads count as keyspace hits and misses (lookupKeyRead); writes that
    // look a key up (SET reusing an entry, LPOP ...) do not.
    let read_stats = (!cmd.has(flags::READONLY)).then(|| {
        (
            ctx.db,
            ctx.store.dbs[ctx.db].hits,
            ctx.store.dbs[ctx.db].misses,
        )
    });
    let result = handler(&mut ctx, &req.args);
    if let Some((db, hits, misses)) = read_stats {
        ctx.store.dbs[db].hits = hits;
        ctx.store.dbs[db].misses = misses;
    }
    let block = ctx.block.take();
    let Ctx {
        store,
        client,
        out,
        changes,
        propagation,
        ..
    } = ctx;
    // Keys the command found expired are propagated (as DEL) ahead of it.
    crate::expire::drain_expired_log(store);
    if changes > 0 && store.feed.active() {
        match propagation {
            Propagation::Verbatim => store.feed.push_own(db, &req.args),
            Propagation::As(argv) => store.feed.push_own(db, &argv),
            Propagation::Nothing => {}
        }
    }
    store.feed.end_command();
    if changes > 0 {
        client.woff = store.feed.offset;
    }
    out.proto = client.proto;
    // The TSC-based clock: this read happens for every command.
    let finished = quanta::Instant::now();
    store.command_clock = finished;
    let elapsed_us = finished.saturating_duration_since(started).as_micros() as u64;
    if let Some(before) = memory_before {
        let grown = crate::evict::thread_net_allocated().wrapping_sub(before);
        let memory = &mut store.evict.memory;
        memory.net_since_refresh = memory.net_since_refresh.saturating_add(grown);
    }
    let stats = &mut store.command_stats[cmd.id as usize];
    // A blocked command is counted when it is unblocked (served, timed out), as in Redis.
    if block.is_none() {
        stats.calls += 1;
        stats.usec += elapsed_us;
    }
    if let Err(err) = result {
        stats.failed_calls += 1;
        store.errors.record(err.text());
        out.error(err.text());
    }
    // A command that blocks is logged when it is served, as Redis does.
    if block.is_none() {
        log_slow_command(store, client, cmd, req, elapsed_us, now_ms);
    }
    // Nested runs (EXEC's commands, serving blocked clients) leave the serving to the
    // top-level command, once it is complete.
    after_command(server, store, !no_block);
    if client.close_after_reply {
        return Flow::Close;
    }
    if let Some(wait) = client.wait.take() {
        return Flow::Wait(wait);
    }
    match block {
        // Registered under this same lock, so no push can come between the empty keys and the
        // wait.
        Some(block) if !no_block => {
            Flow::Block(crate::blocking::register(store, client, req, cmd, block))
        }
        _ => Flow::Continue,
    }
}

/// Feed the slow log and the latency monitor.
fn log_slow_command(
    store: &mut Store,
    client: &ClientState,
    cmd: &'static Command,
    req: &Request,
    elapsed_us: u64,
    now_ms: u64,
) {
    let event = if cmd.has(flags::FAST) {
        "fast-command"
    } else {
        "command"
    };
    store.latency.add_if_needed(
        store.config.latency_monitor_threshold,
        event,
        elapsed_us / 1000,
        now_ms,
    );
    let slower_than = store.config.slowlog_log_slower_than;
    if cmd.has(flags::SKIP_SLOWLOG) || slower_than < 0 || elapsed_us < slower_than as u64 {
        return;
    }
    let name = client.handle.name.lock().clone().unwrap_or_default();
    store.slowlog.record(
        slower_than,
        store.config.slowlog_max_len,
        &req.args,
        elapsed_us,
        now_ms,
        client.handle.addr.to_string(),
        name,
    );
}

/// Work that follows every command (its propagation done): clients blocked on keys that
/// received data are served.
fn after_command(server: &Server, store: &mut Store, serve_blocked: bool) {
    if serve_blocked && !store.blocking.ready.is_empty() {
        crate::blocking::serve_ready(server, store);
    }
}

/// Forget everything a departing client left in shared tables.
pub fn client_disconnected(store: &mut Store, client: &mut ClientState) {
    crate::blocking::unregister(store, client.id());
    unwatch_all(store, client);
    crate::pubsub::client_disconnected(store, client);
    crate::monitor::client_disconnected(store, client);
}

// ---- transactions -------------------------------------------------------------------------

pub fn multi(ctx: &mut Ctx, _args: &[bytes::Bytes]) -> crate::ctx::CmdResult {
    if ctx.client.multi.is_some() {
        return Err(CmdError::new("ERR MULTI calls can not be nested"));
    }
    ctx.client.multi = Some(MultiState::default());
    ctx.client.handle.clear_queued();
    ctx.client.handle.in_multi.store(true, Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

pub fn discard(ctx: &mut Ctx, _args: &[bytes::Bytes]) -> crate::ctx::CmdResult {
    if ctx.client.multi.is_none() {
        return Err(CmdError::new("ERR DISCARD without MULTI"));
    }
    end_multi(ctx.store, ctx.client);
    ctx.out.ok();
    Ok(())
}

fn end_multi(store: &mut Store, client: &mut ClientState) {
    client.multi = None;
    client.handle.in_multi.store(false, Ordering::Relaxed);
    client.handle.clear_queued();
    unwatch_all(store, client);
}

pub fn exec(ctx: &mut Ctx, _args: &[bytes::Bytes]) -> crate::ctx::CmdResult {
    let Some(multi) = ctx.client.multi.take() else {
        return Err(CmdError::new("ERR EXEC without MULTI"));
    };
    ctx.client.handle.in_multi.store(false, Ordering::Relaxed);
    ctx.client.handle.clear_queued();
    if multi.aborted {
        unwatch_all(ctx.store, ctx.client);
        return Err(CmdError::new(
            "EXECABORT Transaction discarded because of previous errors.",
        ));
    }
    let expired_watch = ctx.client.watched.iter().any(|w| {
        !w.expired_at_watch
            && ctx.store.dbs[w.db]
                .peek_any(&w.key)
                .is_some_and(|e| e.is_expired(ctx.now_ms))
    });
    if expired_watch || ctx.client.handle.dirty_cas.load(Ordering::Relaxed) {
        unwatch_all(ctx.store, ctx.client);
        ctx.out.null_array();
        return Ok(());
    }
    unwatch_all(ctx.store, ctx.client);
    // EXEC propagates the commands it ran, not itself: wrapped in MULTI ... EXEC by the
    // group of this run when there are several.
    ctx.prevent_propagation();
    ctx.out.array(multi.queued.len());
    for req in &multi.queued {
        let cmd = command::resolve(&req.args).expect("queued commands were resolved");
        let flow = run(
            ctx.server, ctx.store, ctx.client, ctx.out, cmd, req, ctx.now_ms, true,
        );
        crate::monitor::feed(ctx.store, ctx.client, ctx.out, cmd, &req.args);
        if matches!(flow, Flow::Close) {
            ctx.client.close_after_reply = true;
        }
    }
    ctx.db = ctx.client.db;
    Ok(())
}

pub fn watch(ctx: &mut Ctx, args: &[bytes::Bytes]) -> crate::ctx::CmdResult {
    if ctx.client.multi.is_some() {
        return Err(CmdError::new("ERR WATCH inside MULTI is not allowed"));
    }
    for key in &args[1..] {
        if ctx
            .client
            .watched
            .iter()
            .any(|w| w.db == ctx.db && w.key.as_slice() == &key[..])
        {
            continue;
        }
        let expired_at_watch = ctx.store.dbs[ctx.db]
            .peek_any(key)
            .is_some_and(|e| e.is_expired(ctx.now_ms));
        ctx.store.watch.watch(ctx.db, key, &ctx.client.handle);
        ctx.client.watched.push(WatchedKey {
            db: ctx.db,
            key: key[..].into(),
            expired_at_watch,
        });
    }
    ctx.client
        .handle
        .watching
        .store(ctx.client.watched.len(), Ordering::Relaxed);
    ctx.out.ok();
    Ok(())
}

pub fn unwatch(ctx: &mut Ctx, _args: &[bytes::Bytes]) -> crate::ctx::CmdResult {
    unwatch_all(ctx.store, ctx.client);
    ctx.out.ok();
    Ok(())
}

pub fn unwatch_all(store: &mut Store, client: &mut ClientState) {
    for w in client.watched.drain(..) {
        store.watch.unwatch(w.db, &w.key, client.handle.id);
    }
    client.handle.dirty_cas.store(false, Ordering::Relaxed);
    client.handle.watching.store(0, Ordering::Relaxed);
}

/// Leave MULTI and drop WATCHes (RESET).
pub fn reset_transaction(store: &mut Store, client: &mut ClientState) {
    end_multi(store, client);
}
