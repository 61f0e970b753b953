//! Clients blocked on list and sorted-set keys (BLPOP, BLMOVE, BZPOPMIN, ...).

use tokio::sync::oneshot;
use wire::request::Request;

use crate::client::ClientState;
use crate::ctx::BlockRequest;
use crate::server::Store;
use crate::types::SmallBytes;

pub type WaiterId = u64;

#[derive(Debug, Default)]
pub struct Blocking {
    /// Keys that received data during the current command, in signal order.
    pub ready: Vec<(usize, SmallBytes)>,
    /// Number of blocked clients (0 means ready keys need no work).
    pub blocked_clients: usize,
}

impl Blocking {
    pub fn signal_ready(&mut self, db: usize, key: &[u8]) {
        if self.blocked_clients == 0 {
            return;
        }
        self.ready.push((db, SmallBytes::new(key)));
    }
}

/// Register `client` as waiting on `block.keys` with request `req`. The receiver gets the
/// encoded reply once a ready key lets the command be served.
pub fn register(
    store: &mut Store,
    client: &ClientState,
    req: &Request,
    block: &BlockRequest,
) -> (WaiterId, oneshot::Receiver<Vec<u8>>) {
    let _ = (store, client, req, block);
    let (_tx, rx) = oneshot::channel();
    (0, rx)
}

/// Remove a waiter. Returns true if it was still waiting (not served meanwhile).
pub fn unregister(store: &mut Store, waiter: WaiterId) -> bool {
    let _ = (store, waiter);
    true
}

/// Serve blocked clients whose keys were signalled ready, in Redis's order.
pub fn serve_ready(server: &crate::server::Server, store: &mut Store) {
    let _ = server;
    store.blocking.ready.clear();
}
