//! Command handlers, one module per family. Each module lists its handlers in `HANDLERS`;
//! the command names themselves live only in the table in `wire`.

use std::sync::LazyLock;

use bytes::Bytes;
use wire::CommandId;

use crate::ctx::{CmdResult, Ctx};

pub mod bitfield;
pub mod client;
pub mod command;
pub mod config;
pub mod connection;
pub mod dump;
pub mod hash;
pub mod hll;
pub mod keys;
pub mod list;
pub mod pubsub;
pub mod server;
pub mod set;
pub mod string;
pub mod zset;

pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

/// `<CMD> HELP`, laid out as Redis's addReplyHelp: a header line, the lines, and HELP's own
/// entry.
pub fn reply_help(ctx: &mut Ctx, container: &str, lines: &[&str]) {
    ctx.out.array(lines.len() + 3);
    ctx.out.simple(&format!(
        "{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ));
    for line in lines {
        ctx.out.simple(line);
    }
    ctx.out.simple("HELP");
    ctx.out.simple("    Prints this help.");
}

const FAMILIES: &[&[(CommandId, Handler)]] = &[
    bitfield::HANDLERS,
    client::HANDLERS,
    command::HANDLERS,
    config::HANDLERS,
    connection::HANDLERS,
    dump::HANDLERS,
    hash::HANDLERS,
    hll::HANDLERS,
    keys::HANDLERS,
    list::HANDLERS,
    pubsub::HANDLERS,
    crate::persist::HANDLERS,
    crate::replication::HANDLERS,
    crate::replica::HANDLERS,
    crate::failover::HANDLERS,
    crate::aof::rewrite::HANDLERS,
    server::HANDLERS,
    set::HANDLERS,
    string::HANDLERS,
    zset::HANDLERS,
];

static TABLE: LazyLock<Vec<Option<Handler>>> = LazyLock::new(|| {
    let mut table: Vec<Option<Handler>> = vec![None; CommandId::COUNT];
    for family in FAMILIES {
        for &(id, handler) in *family {
            assert!(table[id as usize].is_none(), "{id:?} has two handlers");
            table[id as usize] = Some(handler);
        }
    }
    table
});

pub fn handler(id: CommandId) -> Option<Handler> {
    TABLE[id as usize]
}

#[cfg(test)]
mod tests {
    /// Every command in the table has exactly one handler (the table builder panics on two).
    #[test]
    fn every_command_has_a_handler() {
        let missing: Vec<&str> = wire::command::all_executable()
            .filter(|cmd| super::handler(cmd.id).is_none())
            .map(|cmd| cmd.name)
            .collect();
        assert!(
            missing.is_empty(),
            "commands without a handler: {missing:?}"
        );
    }
}
