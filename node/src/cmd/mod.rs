//! Command handlers, one module per family. Each module lists its handlers in `HANDLERS`;
//! the command names themselves live only in the table in `wire`.

use std::sync::LazyLock;

use bytes::Bytes;
use wire::CommandId;

use crate::ctx::{CmdResult, Ctx};

pub mod connection;
pub mod string;

pub type Handler = fn(&mut Ctx, &[Bytes]) -> CmdResult;

const FAMILIES: &[&[(CommandId, Handler)]] = &[connection::HANDLERS, string::HANDLERS];

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
    #[test]
    fn handlers_are_unique() {
        let _ = super::handler(wire::CommandId::Get);
    }
}
