//! CONFIG GET / SET / RESETSTAT / REWRITE / HELP.

use std::sync::OnceLock;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use wire::CommandId;

use super::{Handler, reply_help};
use crate::config::{self, Config, Directive, LogLevel};
use crate::ctx::{CmdError, CmdResult, Ctx};
use crate::server::{CommandStats, Server, Store};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::ConfigGet, config_get),
    (CommandId::ConfigSet, config_set),
    (CommandId::ConfigResetstat, config_resetstat),
    (CommandId::ConfigRewrite, config_rewrite),
    (CommandId::ConfigHelp, config_help),
];

/// Installed by the binary to apply `loglevel` changes to its log output.
pub static LOG_LEVEL_HOOK: OnceLock<Box<dyn Fn(LogLevel) + Send + Sync>> = OnceLock::new();

fn config_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(
        ctx,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
    Ok(())
}

fn config_get(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let mut matches: Vec<(String, Directive)> = Vec::new();
    let seen = |matches: &Vec<(String, Directive)>, name: &str| {
        matches.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    for pattern in &args[2..] {
        let text = String::from_utf8_lossy(pattern);
        if !pattern.iter().any(|c| matches!(c, b'[' | b'*' | b'?')) {
            if !seen(&matches, &text)
                && let Some(directive) = config::lookup(&text)
            {
                matches.push((text.into_owned(), directive));
            }
            continue;
        }
        for (name, directive) in config::all_names() {
            if !seen(&matches, name) && crate::glob::glob_match(pattern, name.as_bytes(), true) {
                matches.push((name.to_string(), directive));
            }
        }
    }
    ctx.out.map(matches.len());
    for (name, directive) in matches {
        ctx.out.bulk_str(&name);
        ctx.out.bulk_str(&directive.get(&ctx.store.config));
    }
    Ok(())
}

fn config_set(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if !args.len().is_multiple_of(2) {
        return Err(CmdError::syntax());
    }
    let pairs: Vec<(String, String)> = args[2..]
        .chunks(2)
        .map(|p| {
            (
                String::from_utf8_lossy(&p[0]).into_owned(),
                String::from_utf8_lossy(&p[1]).into_owned(),
            )
        })
        .collect();
    // Every name is checked before anything changes; the first problem found is reported.
    let mut found: Vec<(Directive, String, &str)> = Vec::new();
    let mut problem: Option<(String, &str)> = None;
    for (name, value) in &pairs {
        if problem.is_some() {
            break;
        }
        let Some(directive) = config::lookup(name) else {
            return Err(CmdError::new(format!(
                "ERR Unknown option or number of arguments for CONFIG SET - '{name}'"
            )));
        };
        if !directive.mutable {
            problem = Some((name.clone(), "can't set immutable config"));
        } else if found
            .iter()
            .any(|(d, _, _)| std::ptr::eq(d.spec, directive.spec))
        {
            problem = Some((name.clone(), "duplicate parameter"));
        }
        found.push((directive, canonical_name(&directive, name), value));
    }
    if let Some((name, reason)) = problem {
        return Err(set_failed(&name, reason));
    }
    let mut updated = ctx.store.config.clone();
    for (directive, name, value) in &found {
        let values: Vec<String> = if directive.multi_arg {
            if value.is_empty() {
                Vec::new()
            } else {
                value.split(' ').map(str::to_string).collect()
            }
        } else {
            vec![value.to_string()]
        };
        directive
            .set(&mut updated, &values)
            .map_err(|reason| set_failed(name, &reason))?;
    }
    let previous = std::mem::replace(&mut ctx.store.config, updated);
    if let Err(reason) = crate::aof::config_changed(ctx.server, ctx.store, &previous) {
        ctx.store.config = previous;
        return Err(set_failed("appendonly", &reason));
    }
    apply_changes(ctx.store, &previous);
    ctx.out.ok();
    Ok(())
}

/// The directive's name as the user reached it (an alias stays an alias), lowercase.
fn canonical_name(directive: &Directive, typed: &str) -> String {
    directive
        .spec
        .alias
        .filter(|a| a.eq_ignore_ascii_case(typed))
        .unwrap_or(directive.name)
        .to_string()
}

fn set_failed(name: &str, reason: &str) -> CmdError {
    CmdError::new(format!(
        "ERR CONFIG SET failed (possibly related to argument '{name}') - {reason}"
    ))
}

/// What a configuration change must update elsewhere.
pub fn apply_changes(store: &mut Store, previous: &Config) {
    let config = &store.config;
    let clock = crate::evict::AccessClock::for_config(config);
    if clock != crate::evict::AccessClock::for_config(previous) {
        for db in &mut store.dbs {
            db.access_clock = clock;
        }
    }
    if config.maxmemory != previous.maxmemory {
        if config.maxmemory > 0 {
            let used = store.evict.memory.refresh(crate::server::unix_ms());
            if used > config.maxmemory {
                tracing::warn!(
                    "WARNING: the new maxmemory value set via CONFIG SET ({}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.",
                    config.maxmemory
                );
            }
        }
        store.evict.memory.invalidate();
    }
    if config.loglevel != previous.loglevel
        && let Some(hook) = LOG_LEVEL_HOOK.get()
    {
        hook(config.loglevel);
    }
}

fn config_resetstat(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reset_stats(ctx.server, ctx.store);
    ctx.out.ok();
    Ok(())
}

/// Redis's `resetServerStats` + command and error statistics.
pub fn reset_stats(server: &Server, store: &mut Store) {
    let s = &server.stats;
    for counter in [
        &s.total_connections_received,
        &s.total_commands_processed,
        &s.rejected_connections,
        &s.net_input_bytes,
        &s.net_output_bytes,
    ] {
        counter.store(0, Ordering::Relaxed);
    }
    store.command_stats.fill(CommandStats::default());
    store.errors.reset();
    store.metrics.reset();
    store.evict.evicted_keys = 0;
    store.evict.memory.peak = 0;
    for db in &mut store.dbs {
        db.expired_keys = 0;
        db.hits = 0;
        db.misses = 0;
    }
}

fn config_rewrite(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    let Some(path) = ctx.store.config.config_file.clone() else {
        return Err(CmdError::new(
            "ERR The server is running without a config file",
        ));
    };
    match config::rewrite_file(&path, &ctx.store.config) {
        Ok(()) => {
            tracing::warn!("CONFIG REWRITE executed with success.");
            ctx.out.ok();
            Ok(())
        }
        Err(err) => {
            let reason = os_error_text(&err);
            tracing::warn!("CONFIG REWRITE failed: {reason}");
            Err(CmdError::new(format!(
                "ERR Rewriting config file: {reason}"
            )))
        }
    }
}

/// The `strerror` text of an I/O error (Rust appends " (os error N)").
pub fn os_error_text(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}
