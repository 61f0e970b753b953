//! What runs on every server tick.

use crate::server::Server;

pub fn tick(server: &Server) {
    crate::info::cron(server, crate::server::unix_ms());
}
