//! zset commands.

use wire::CommandId;

use super::Handler;

pub const HANDLERS: &[(CommandId, Handler)] = &[];
