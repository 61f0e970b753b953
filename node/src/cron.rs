//! What runs on every server tick.

use crate::server::Server;

pub fn tick(server: &Server) {
    crate::expire::active_expire_cycle(server);
    let now_ms = crate::server::unix_ms();
    crate::info::cron(server, now_ms);
    crate::aof::cron(server);
    crate::persist::cron(server, &mut server.store.lock(), now_ms);
    crate::replication::cron(server, &mut server.store.lock(), now_ms);
}
