//! WATCH: which clients watch which keys, and marking them dirty when a key is touched.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use hashbrown::HashMap;

use crate::client::ClientHandle;
use crate::types::SmallBytes;

#[derive(Debug, Default)]
pub struct WatchTable {
    keys: HashMap<(usize, SmallBytes), Vec<Arc<ClientHandle>>>,
}

impl WatchTable {
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn watch(&mut self, db: usize, key: &[u8], client: &Arc<ClientHandle>) {
        let watchers = self.keys.entry((db, SmallBytes::new(key))).or_default();
        if !watchers.iter().any(|c| c.id == client.id) {
            watchers.push(client.clone());
        }
    }

    pub fn unwatch(&mut self, db: usize, key: &[u8], client_id: u64) {
        let k = (db, SmallBytes::new(key));
        if let Some(watchers) = self.keys.get_mut(&k) {
            watchers.retain(|c| c.id != client_id);
            if watchers.is_empty() {
                self.keys.remove(&k);
            }
        }
    }

    /// A key changed: every client watching it will fail its EXEC.
    pub fn touch(&mut self, db: usize, key: &[u8]) {
        if self.keys.is_empty() {
            return;
        }
        if let Some(watchers) = self.keys.get(&(db, SmallBytes::new(key))) {
            for c in watchers {
                c.dirty_cas.store(true, Ordering::Relaxed);
            }
        }
    }

    /// Mark dirty the watchers of the keys of `db` for which `affected` holds (FLUSHDB and
    /// SWAPDB touch only keys that existed, as Redis's touchAllWatchedKeysInDb).
    pub fn touch_db_where(&mut self, db: usize, mut affected: impl FnMut(&[u8]) -> bool) {
        for ((key_db, key), watchers) in self.keys.iter() {
            if *key_db == db && affected(key) {
                for c in watchers {
                    c.dirty_cas.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// A whole database changed (FLUSHDB, FLUSHALL, SWAPDB): every watcher of a key in `db`
    /// is marked dirty. `None` means every database.
    pub fn touch_db(&mut self, db: Option<usize>) {
        for ((key_db, _), watchers) in self.keys.iter() {
            if db.is_none_or(|d| d == *key_db) {
                for c in watchers {
                    c.dirty_cas.store(true, Ordering::Relaxed);
                }
            }
        }
    }
}
