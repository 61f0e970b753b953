//! What runs on every server tick.

use crate::server::Server;

pub fn tick(server: &Server) {
    let _ = server;
}
