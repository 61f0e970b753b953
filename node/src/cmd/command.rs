//! COMMAND: the command table as Redis 7.0 describes it (COMMAND, INFO, DOCS, LIST, COUNT),
//! and key extraction (GETKEYS, GETKEYSANDFLAGS) as Redis's key specs and getkeys callbacks do.

use bytes::Bytes;
use wire::command::{self, BeginSearch, FindKeys, KeySpec, flags};
use wire::{Command, CommandId, ReplyBuf};

use super::Handler;
use super::reply_help;
use crate::ctx::{CmdError, CmdResult, Ctx, args};

pub const HANDLERS: &[(CommandId, Handler)] = &[
    (CommandId::Command, command_all),
    (CommandId::CommandCount, command_count),
    (CommandId::CommandList, command_list),
    (CommandId::CommandInfo, command_info),
    (CommandId::CommandDocs, command_docs),
    (CommandId::CommandGetkeys, command_getkeys),
    (CommandId::CommandGetkeysandflags, command_getkeysandflags),
    (CommandId::CommandHelp, command_help),
];

/// A command by full name, `container|sub` included, case-insensitively (lookupCommandBySds).
pub fn lookup_full_name(name: &[u8]) -> Option<&'static Command> {
    let mut parts = name.split(|&b| b == b'|');
    let base = command::lookup(parts.next()?)?;
    match (parts.next(), parts.next()) {
        (None, _) => Some(base),
        (Some(sub), None) if base.is_container() => base.subcommand(sub),
        _ => None,
    }
}

/// The 10-element COMMAND entry, with Redis 7.0's exact types (flags, categories, tips and
/// key specs as sets; subcommands as an array, or an empty set for a plain command).
pub fn write_info(out: &mut ReplyBuf, cmd: &Command) {
    out.array(10);
    out.bulk_str(cmd.name);
    out.int(cmd.arity as i64);
    out.set(cmd.flag_names.len());
    cmd.flag_names.iter().for_each(|f| out.simple(f));
    out.int(cmd.first_key as i64);
    out.int(cmd.last_key as i64);
    out.int(cmd.key_step as i64);
    out.set(cmd.acl_categories.len());
    cmd.acl_categories.iter().for_each(|c| out.simple(c));
    out.set(cmd.tips.len());
    cmd.tips.iter().for_each(|t| out.bulk_str(t));
    out.set(cmd.key_specs.len());
    cmd.key_specs
        .iter()
        .for_each(|spec| write_key_spec(out, spec));
    if cmd.is_container() {
        out.array(cmd.subcommands.len());
        for sub in cmd.subcommands {
            write_info(out, sub);
        }
    } else {
        out.set(0);
    }
}

fn write_key_spec(out: &mut ReplyBuf, spec: &KeySpec) {
    out.map(if spec.notes.is_some() { 4 } else { 3 });
    if let Some(notes) = spec.notes {
        out.bulk_str("notes");
        out.bulk_str(notes);
    }
    out.bulk_str("flags");
    out.set(spec.flags.len());
    spec.flags.iter().for_each(|f| out.simple(f));
    out.bulk_str("begin_search");
    out.map(2);
    out.bulk_str("type");
    match spec.begin_search {
        BeginSearch::Index(index) => {
            out.bulk_str("index");
            out.bulk_str("spec");
            out.map(1);
            out.bulk_str("index");
            out.int(index as i64);
        }
        BeginSearch::Keyword {
            keyword,
            start_from,
        } => {
            out.bulk_str("keyword");
            out.bulk_str("spec");
            out.map(2);
            out.bulk_str("keyword");
            out.bulk_str(keyword);
            out.bulk_str("startfrom");
            out.int(start_from as i64);
        }
        BeginSearch::Unknown => {
            out.bulk_str("unknown");
            out.bulk_str("spec");
            out.map(0);
        }
    }
    out.bulk_str("find_keys");
    out.map(2);
    out.bulk_str("type");
    match spec.find_keys {
        FindKeys::Range {
            last_key,
            key_step,
            limit,
        } => {
            out.bulk_str("range");
            out.bulk_str("spec");
            out.map(3);
            out.bulk_str("lastkey");
            out.int(last_key as i64);
            out.bulk_str("keystep");
            out.int(key_step as i64);
            out.bulk_str("limit");
            out.int(limit as i64);
        }
        FindKeys::Keynum {
            keynum_idx,
            first_key,
            key_step,
        } => {
            out.bulk_str("keynum");
            out.bulk_str("spec");
            out.map(3);
            out.bulk_str("keynumidx");
            out.int(keynum_idx as i64);
            out.bulk_str("firstkey");
            out.int(first_key as i64);
            out.bulk_str("keystep");
            out.int(key_step as i64);
        }
        FindKeys::Unknown => {
            out.bulk_str("unknown");
            out.bulk_str("spec");
            out.map(0);
        }
    }
}

/// `COMMAND` (no subcommand): every command's entry.
fn command_all(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    write_all_info(ctx.out);
    Ok(())
}

fn write_all_info(out: &mut ReplyBuf) {
    out.array(command::all_commands().count());
    for cmd in command::all_commands() {
        write_info(out, cmd);
    }
}

fn command_count(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    ctx.out.int(command::all_commands().count() as i64);
    Ok(())
}

fn command_info(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    if args.len() == 2 {
        write_all_info(ctx.out);
        return Ok(());
    }
    ctx.out.array(args.len() - 2);
    for name in &args[2..] {
        match lookup_full_name(name) {
            Some(cmd) => write_info(ctx.out, cmd),
            None => ctx.out.null(),
        }
    }
    Ok(())
}

/// Name → docs map; unknown names are left out.
fn command_docs(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let found: Vec<&'static Command> = if args.len() == 2 {
        command::all_commands().collect()
    } else {
        args[2..]
            .iter()
            .filter_map(|n| lookup_full_name(n))
            .collect()
    };
    ctx.out.map(found.len());
    for cmd in found {
        ctx.out.bulk_str(cmd.name);
        ctx.out.doc_map(cmd.docs);
    }
    Ok(())
}

/// Every command and subcommand, containers first, in table order.
fn all_with_subcommands() -> impl Iterator<Item = &'static Command> {
    command::all_commands().flat_map(|cmd| std::iter::once(cmd).chain(cmd.subcommands))
}

fn command_list(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let names: Vec<&'static str> = match args.len() {
        2 => all_with_subcommands().map(|c| c.name).collect(),
        5 if args::is(&args[2], "FILTERBY") => {
            let value = &args[4];
            if args::is(&args[3], "MODULE") {
                // No modules are loaded.
                Vec::new()
            } else if args::is(&args[3], "ACLCAT") {
                all_with_subcommands()
                    .filter(|c| {
                        c.acl_categories.iter().any(|cat| {
                            cat.strip_prefix('@')
                                .is_some_and(|cat| cat.as_bytes().eq_ignore_ascii_case(value))
                        })
                    })
                    .map(|c| c.name)
                    .collect()
            } else if args::is(&args[3], "PATTERN") {
                all_with_subcommands()
                    .filter(|c| crate::glob::glob_match(value, c.name.as_bytes(), true))
                    .map(|c| c.name)
                    .collect()
            } else {
                return Err(CmdError::syntax());
            }
        }
        _ => return Err(CmdError::syntax()),
    };
    ctx.out.array(names.len());
    for name in names {
        ctx.out.bulk_str(name);
    }
    Ok(())
}

fn command_getkeys(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let keys = get_keys(&args[2..])?;
    ctx.out.array(keys.len());
    for key in keys {
        ctx.out.bulk(&args[2 + key.pos]);
    }
    Ok(())
}

fn command_getkeysandflags(ctx: &mut Ctx, args: &[Bytes]) -> CmdResult {
    let keys = get_keys(&args[2..])?;
    ctx.out.array(keys.len());
    for key in keys {
        ctx.out.array(2);
        ctx.out.bulk(&args[2 + key.pos]);
        ctx.out.set(key.flags.len());
        key.flags.iter().for_each(|f| ctx.out.simple(f));
    }
    Ok(())
}

/// Redis's getKeysSubcommandImpl over `line` (the command line, name first).
pub fn get_keys(line: &[Bytes]) -> Result<Vec<wire::keys::KeyRef>, CmdError> {
    let cmd =
        lookup_command_line(line).ok_or_else(|| CmdError::new("ERR Invalid command specified"))?;
    let has_native = wire::keys::has_native_getkeys(cmd);
    if !has_native && cmd.key_specs.iter().all(|s| s.has_flag("not_key")) {
        return Err(CmdError::new("ERR The command has no key arguments"));
    }
    if !cmd.arity_ok(line.len()) {
        return Err(CmdError::new(
            "ERR Invalid number of arguments specified for command",
        ));
    }
    let keys = wire::keys::keys_from_command(cmd, line);
    if keys.is_empty() && !cmd.has(flags::NO_MANDATORY_KEYS) {
        return Err(CmdError::new("ERR Invalid arguments specified for command"));
    }
    Ok(keys)
}

/// lookupCommand over a command line: a container resolves to its subcommand.
fn lookup_command_line(line: &[Bytes]) -> Option<&'static Command> {
    let base = command::lookup(line.first()?)?;
    if line.len() == 1 || !base.is_container() {
        return Some(base);
    }
    base.subcommand(&line[1])
}

const COMMAND_HELP: &[&str] = &[
    "(no subcommand)",
    "    Return details about all Redis commands.",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full Redis command.",
    "GETKEYSANDFLAGS <full-command>",
    "    Return the keys and the access flags from a full Redis command.",
];

fn command_help(ctx: &mut Ctx, _args: &[Bytes]) -> CmdResult {
    reply_help(ctx, "COMMAND", COMMAND_HELP);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &str) -> Vec<Bytes> {
        words
            .split(' ')
            .map(|w| Bytes::copy_from_slice(w.as_bytes()))
            .collect()
    }

    fn positions(words: &str) -> Result<Vec<usize>, String> {
        get_keys(&line(words))
            .map(|keys| keys.iter().map(|k| k.pos).collect())
            .map_err(|e| e.text().to_string())
    }

    #[test]
    fn getkeys_follows_specs() {
        assert_eq!(positions("get a"), Ok(vec![1]));
        assert_eq!(positions("mset a 1 b 2"), Ok(vec![1, 3]));
        assert_eq!(positions("zunionstore d 2 a b"), Ok(vec![1, 3, 4]));
        assert_eq!(positions("blpop a b 0"), Ok(vec![1, 2]));
        assert_eq!(positions("object encoding k"), Ok(vec![2]));
    }

    #[test]
    fn getkeys_errors_match_redis() {
        assert_eq!(
            positions("nosuch a"),
            Err("ERR Invalid command specified".into())
        );
        assert_eq!(
            positions("object nosuch k"),
            Err("ERR Invalid command specified".into())
        );
        assert_eq!(
            positions("client list"),
            Err("ERR The command has no key arguments".into())
        );
        assert_eq!(
            positions("get a b"),
            Err("ERR Invalid number of arguments specified for command".into())
        );
        assert_eq!(
            positions("zunionstore d 5 a b"),
            Err("ERR Invalid arguments specified for command".into())
        );
        assert_eq!(
            positions("zunionstore d abc a b"),
            Err("ERR Invalid arguments specified for command".into())
        );
    }

    #[test]
    fn getkeys_falls_back_like_redis() {
        // The spec rejects "2x"; Redis's callback reads it with atoi and puts the
        // destination last.
        assert_eq!(positions("zunionstore d 2x a b"), Ok(vec![3, 4, 1]));
        let set = get_keys(&line("set k v get")).expect("set");
        assert_eq!(set[0].flags, &["RW", "access", "update"]);
        let set = get_keys(&line("set k v")).expect("set");
        assert_eq!(set[0].flags, &["OW", "update"]);
    }

    #[test]
    fn full_names() {
        assert_eq!(
            lookup_full_name(b"CLIENT|LIST").map(|c| c.name),
            Some("client|list")
        );
        assert_eq!(lookup_full_name(b"get").map(|c| c.name), Some("get"));
        assert!(lookup_full_name(b"get|x").is_none());
        assert!(lookup_full_name(b"client|list|x").is_none());
        assert!(lookup_full_name(b"client|nosuch").is_none());
    }
}
