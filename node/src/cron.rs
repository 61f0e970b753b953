//! What runs on every server tick.

use crate::server::Server;

pub fn tick(server: &Server) {
    crate::expire::active_expire_cycle(server);
    crate::aof::cron(server);
    crate::info::cron(server, crate::server::unix_ms());
}
