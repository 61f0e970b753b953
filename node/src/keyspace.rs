//! The keyspace: 16 (configurable) databases, each partitioned into the 16384 cluster slots.
//!
//! Every slot has its own small hash table of boxed entries. That keeps a resize local to one
//! slot (no multi-megabyte rehash pause), lets cluster mode count and list the keys of a slot
//! without a scan, and gives snapshots a natural unit of copy-on-write.

use std::hash::BuildHasher;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use wire::slot::{SLOT_COUNT, key_slot};

use crate::types::{SmallBytes, Value};

const HASH_SEED: u64 = 0x5157_1c4a_9d0e_7b21;

/// One key with its value, expiry and access clock. Boxed in the slot tables so that a table
/// bucket is one pointer and moving an entry never copies the value.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: SmallBytes,
    pub value: Value,
    /// Absolute expiry in unix milliseconds; 0 means none. Change it through `Db::set_expire`.
    expire_at: u64,
    /// LRU clock (seconds) or LFU counter and time, depending on the eviction policy.
    pub access: u32,
}

impl Entry {
    pub fn new(key: &[u8], value: Value) -> Box<Entry> {
        Box::new(Entry {
            key: SmallBytes::new(key),
            value,
            expire_at: 0,
            access: 0,
        })
    }

    /// Absolute expiry in unix milliseconds, if any.
    pub fn expire_at(&self) -> Option<u64> {
        (self.expire_at != 0).then_some(self.expire_at)
    }

    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire_at != 0 && self.expire_at <= now_ms
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireMode {
    /// A master: an expired key found on access is deleted (and logged for propagation).
    Delete,
    /// A replica: expired keys read as absent but are only removed by the master's DEL.
    Hide,
}

#[derive(Debug)]
pub struct Db {
    pub id: usize,
    /// Allocated on first insert; empty databases cost nothing.
    slots: Vec<HashTable<Box<Entry>>>,
    /// Keys with an expiry, per slot (drives the active expiry cycle).
    volatile: Vec<u32>,
    len: usize,
    expires: usize,
    /// Keys removed because they had expired, in order, until the dispatcher drains them
    /// (WATCH invalidation and propagation as DEL).
    pub expired_log: Vec<SmallBytes>,
    pub expire_mode: ExpireMode,
    /// Statistics: keys removed by expiry (lazy or active).
    pub expired_keys: u64,
    /// Statistics: [`Db::lookup`] calls that found the key / did not (INFO keyspace_hits).
    pub hits: u64,
    pub misses: u64,
    /// LRU clock or LFU counter in `Entry::access`, as the eviction policy needs.
    pub access_clock: crate::evict::AccessClock,
    hasher: FixedState,
    /// While a snapshot runs: which slots it has serialized. Any change to a slot it has not
    /// reached yet serializes that slot first (see [`SnapshotCow`]).
    snapshot: Option<Box<SnapshotCow>>,
}

/// Copy-on-write state of a running snapshot in one database. The snapshot serializes the
/// database slot by slot; a write to a slot not yet serialized serializes it first, so every
/// slot is recorded as it was when the snapshot began, without copying the keyspace.
#[derive(Debug)]
struct SnapshotCow {
    /// One bit per slot: serialized already.
    done: Vec<u64>,
    /// The next slot the snapshot's own walk looks at.
    cursor: usize,
    /// Records of slots serialized ahead of a write, not yet handed to the snapshot.
    ahead: Vec<u8>,
    ahead_keys: usize,
    /// The tables as they were, when FLUSHDB/FLUSHALL emptied the database mid-snapshot: the
    /// walk continues from these, and the live tables are newer than the snapshot.
    detached: Option<Vec<HashTable<Box<Entry>>>>,
    /// Keys whose expiry is at or before this time are left out (they were gone already).
    start_ms: u64,
    compress: bool,
}

impl SnapshotCow {
    fn is_done(&self, slot: usize) -> bool {
        self.done[slot / 64] & (1 << (slot % 64)) != 0
    }

    fn mark_done(&mut self, slot: usize) {
        self.done[slot / 64] |= 1 << (slot % 64);
    }

    /// Serialize one slot's live entries; returns how many were written.
    fn write_slot(&self, table: &HashTable<Box<Entry>>, out: &mut Vec<u8>) -> usize {
        let mut written = 0;
        for entry in table.iter() {
            if !entry.is_expired(self.start_ms) {
                crate::rdb::encode::write_entry(out, entry, self.compress);
                written += 1;
            }
        }
        written
    }
}

/// What one step of a snapshot's walk through a database produced.
#[derive(Debug, Default)]
pub struct SnapshotStep {
    /// Keys written into the output by this step.
    pub keys: usize,
    /// The walk has covered every slot: the snapshot of this database is complete.
    pub finished: bool,
}

impl Db {
    pub fn new(id: usize) -> Self {
        Db {
            id,
            slots: Vec::new(),
            volatile: Vec::new(),
            len: 0,
            expires: 0,
            expired_log: Vec::new(),
            expire_mode: ExpireMode::Delete,
            expired_keys: 0,
            hits: 0,
            misses: 0,
            access_clock: Default::default(),
            hasher: FixedState::with_seed(HASH_SEED),
            snapshot: None,
        }
    }

    // ---- snapshots ------------------------------------------------------------------------

    /// Start recording this database as it is now. Returns false (and records nothing) when
    /// it is empty. `now_ms` is the snapshot's clock: keys expired by then are left out.
    pub fn begin_snapshot(&mut self, now_ms: u64, compress: bool) -> bool {
        self.snapshot = None;
        if self.len == 0 {
            return false;
        }
        self.snapshot = Some(Box::new(SnapshotCow {
            done: vec![0; SLOT_COUNT.div_ceil(64)],
            cursor: 0,
            ahead: Vec::new(),
            ahead_keys: 0,
            detached: None,
            start_ms: now_ms,
            compress,
        }));
        true
    }

    /// Continue the snapshot's walk: first the slots serialized ahead of writes, then slots in
    /// order until about `budget` more bytes are in `out` or `yield_now()` says someone is
    /// waiting.
    pub fn snapshot_step(
        &mut self,
        out: &mut Vec<u8>,
        budget: usize,
        yield_now: impl Fn() -> bool,
    ) -> SnapshotStep {
        let Some(cow) = self.snapshot.as_deref_mut() else {
            return SnapshotStep {
                keys: 0,
                finished: true,
            };
        };
        let mut step = SnapshotStep {
            keys: std::mem::take(&mut cow.ahead_keys),
            finished: false,
        };
        out.append(&mut cow.ahead);
        // At least one slot per step, so the walk advances however busy the server is.
        let mut first = true;
        let limit = out.len() + budget;
        while cow.cursor < SLOT_COUNT && out.len() < limit && (first || !yield_now()) {
            first = false;
            let slot = cow.cursor;
            cow.cursor += 1;
            if cow.is_done(slot) {
                continue;
            }
            let table = match &cow.detached {
                Some(tables) => tables.get(slot),
                None => self.slots.get(slot),
            };
            if let Some(table) = table {
                step.keys += cow.write_slot(table, out);
            }
            cow.mark_done(slot);
        }
        step.finished = cow.cursor == SLOT_COUNT;
        step
    }

    /// The snapshot is over (complete or abandoned): writes stop paying for it.
    pub fn end_snapshot(&mut self) {
        self.snapshot = None;
    }

    /// Called before any change to `slot`: a running snapshot that has not recorded the slot
    /// yet records it now.
    #[inline]
    fn before_write(&mut self, slot: usize) {
        if self.snapshot.is_some() {
            self.snapshot_ahead(slot);
        }
    }

    #[cold]
    fn snapshot_ahead(&mut self, slot: usize) {
        let Some(cow) = self.snapshot.as_deref_mut() else {
            return;
        };
        if cow.detached.is_some() || cow.is_done(slot) {
            return;
        }
        if let Some(table) = self.slots.get(slot) {
            let mut ahead = std::mem::take(&mut cow.ahead);
            cow.ahead_keys += cow.write_slot(table, &mut ahead);
            cow.ahead = ahead;
        }
        cow.mark_done(slot);
    }

    /// Before every slot may change at once (SWAPDB): record all the rest now.
    fn snapshot_ahead_all(&mut self) {
        if self.snapshot.is_some() {
            for slot in 0..SLOT_COUNT {
                self.snapshot_ahead(slot);
            }
        }
    }

    /// The tables are about to be emptied: a running snapshot that still needs them keeps
    /// them (nothing is copied); returns the tables otherwise.
    fn release_tables(&mut self) -> Vec<HashTable<Box<Entry>>> {
        let tables = std::mem::take(&mut self.slots);
        match self.snapshot.as_deref_mut() {
            Some(cow) if cow.detached.is_none() && cow.cursor < SLOT_COUNT => {
                cow.detached = Some(tables);
                Vec::new()
            }
            _ => tables,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of keys with an expiry.
    pub fn expires_len(&self) -> usize {
        self.expires
    }

    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    fn ensure_slots(&mut self) {
        if self.slots.is_empty() {
            self.slots = (0..SLOT_COUNT).map(|_| HashTable::new()).collect();
            self.volatile = vec![0; SLOT_COUNT];
        }
    }

    /// The live entry for `key`, or `None`. An expired key is removed (master) or hidden
    /// (replica). Does not update the access clock: see [`Db::lookup`].
    pub fn get_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        self.live_entry(key, now_ms, false)
    }

    /// The live entry for `key` with a single probe of its slot table; an expired entry is
    /// removed (master) or hidden (replica) on the way.
    /// With `read`, it is a read lookup: it refreshes the access clock and counts a keyspace
    /// hit or miss.
    fn live_entry(&mut self, key: &[u8], now_ms: u64, read: bool) -> Option<&mut Entry> {
        if self.slots.is_empty() {
            self.misses += read as u64;
            return None;
        }
        let slot = key_slot(key) as usize;
        self.before_write(slot);
        let hash = self.hash(key);
        // Disjoint field borrows: the returned entry borrows `slots` only, so the expiry path
        // may still update the counters.
        let Db {
            slots,
            volatile,
            len,
            expires,
            expired_keys,
            expired_log,
            expire_mode,
            hits,
            misses,
            access_clock,
            ..
        } = self;
        let Ok(occupied) = slots[slot].find_entry(hash, |e| e.key.as_slice() == key) else {
            *misses += read as u64;
            return None;
        };
        if !occupied.get().is_expired(now_ms) {
            let entry = &mut **occupied.into_mut();
            if read {
                access_clock.touch(&mut entry.access, now_ms);
                *hits += 1;
            }
            return Some(entry);
        }
        *misses += read as u64;
        if *expire_mode == ExpireMode::Hide {
            return None;
        }
        let (entry, _) = occupied.remove();
        *len -= 1;
        if entry.expire_at != 0 {
            *expires -= 1;
            volatile[slot] -= 1;
        }
        *expired_keys += 1;
        expired_log.push(entry.key);
        None
    }

    /// Like [`Db::get_mut`], and refreshes the access clock used by LRU/LFU eviction and
    /// counts a keyspace hit or miss.
    pub fn lookup(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        self.live_entry(key, now_ms, true)
    }

    /// Read-only view without side effects: an expired key reads as absent but stays.
    pub fn peek(&self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = key_slot(key) as usize;
        self.slots[slot]
            .find(self.hash(key), |e| e.key.as_slice() == key)
            .map(|e| &**e)
            .filter(|e| !e.is_expired(now_ms))
    }

    pub fn contains(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.get_mut(key, now_ms).is_some()
    }

    /// Store `value` under `key`, replacing any value and clearing any expiry (Redis's setKey).
    /// Returns the previous entry, expired or not.
    pub fn insert(&mut self, key: &[u8], value: Value) -> Option<Box<Entry>> {
        self.insert_entry(Entry::new(key, value))
    }

    /// Store a whole entry (its expiry included), replacing any entry with the same key.
    pub fn insert_entry(&mut self, mut entry: Box<Entry>) -> Option<Box<Entry>> {
        self.ensure_slots();
        // 0 marks an entry that was never stamped (made by `Entry::new`).
        if entry.access == 0 {
            entry.access = self.access_clock.fresh(crate::evict::clock_ms());
        }
        let slot = key_slot(&entry.key) as usize;
        self.before_write(slot);
        let hash = self.hash(&entry.key);
        let volatile = entry.expire_at != 0;
        let old = self.remove_at(slot, hash, &entry.key.clone());
        let hasher = self.hasher;
        self.slots[slot].insert_unique(hash, entry, |e| hasher.hash_one(e.key.as_slice()));
        self.len += 1;
        if volatile {
            self.expires += 1;
            self.volatile[slot] += 1;
        }
        old
    }

    /// The live entry for `key`, created with `make()` when absent (or expired).
    pub fn get_or_insert_with(
        &mut self,
        key: &[u8],
        now_ms: u64,
        make: impl FnOnce() -> Value,
    ) -> &mut Entry {
        if self.get_mut(key, now_ms).is_none() {
            self.insert(key, make());
        }
        self.get_mut(key, now_ms).expect("entry just inserted")
    }

    /// Remove `key` whatever its state. Returns the entry (possibly expired).
    pub fn remove(&mut self, key: &[u8]) -> Option<Box<Entry>> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = key_slot(key) as usize;
        self.before_write(slot);
        let hash = self.hash(key);
        self.remove_at(slot, hash, key)
    }

    fn remove_at(&mut self, slot: usize, hash: u64, key: &[u8]) -> Option<Box<Entry>> {
        let found = self.slots[slot]
            .find_entry(hash, |e| e.key.as_slice() == key)
            .ok()?;
        let (entry, _) = found.remove();
        self.len -= 1;
        if entry.expire_at != 0 {
            self.expires -= 1;
            self.volatile[slot] -= 1;
        }
        Some(entry)
    }

    /// Remove a key found expired, logging it for WATCH and propagation.
    fn expire_now(&mut self, key: &[u8]) {
        if self.expire_mode == ExpireMode::Hide {
            return;
        }
        if let Some(entry) = self.remove(key) {
            self.expired_keys += 1;
            self.expired_log.push(entry.key);
        }
    }

    /// Set or clear the expiry (unix ms) of an existing key. Returns false if the key is absent.
    pub fn set_expire(&mut self, key: &[u8], at_ms: Option<u64>) -> bool {
        if self.slots.is_empty() {
            return false;
        }
        let slot = key_slot(key) as usize;
        self.before_write(slot);
        let hash = self.hash(key);
        let Some(entry) = self.slots[slot].find_mut(hash, |e| e.key.as_slice() == key) else {
            return false;
        };
        let was = entry.expire_at != 0;
        entry.expire_at = at_ms.unwrap_or(0);
        let now = entry.expire_at != 0;
        match (was, now) {
            (false, true) => {
                self.expires += 1;
                self.volatile[slot] += 1;
            }
            (true, false) => {
                self.expires -= 1;
                self.volatile[slot] -= 1;
            }
            _ => {}
        }
        true
    }

    /// Remove every key.
    pub fn clear(&mut self) {
        drop(self.release_tables());
        self.volatile = Vec::new();
        self.len = 0;
        self.expires = 0;
    }

    /// Take all contents out (FLUSHDB ASYNC frees them elsewhere), leaving this db empty.
    pub fn take(&mut self) -> Db {
        let mut taken = Db::new(self.id);
        taken.slots = self.release_tables();
        std::mem::swap(&mut taken.volatile, &mut self.volatile);
        taken.len = std::mem::take(&mut self.len);
        taken.expires = std::mem::take(&mut self.expires);
        taken
    }

    /// Exchange contents with another database (SWAPDB); ids stay.
    pub fn swap_contents(&mut self, other: &mut Db) {
        self.snapshot_ahead_all();
        other.snapshot_ahead_all();
        std::mem::swap(&mut self.slots, &mut other.slots);
        std::mem::swap(&mut self.volatile, &mut other.volatile);
        std::mem::swap(&mut self.len, &mut other.len);
        std::mem::swap(&mut self.expires, &mut other.expires);
    }

    pub fn slot_len(&self, slot: usize) -> usize {
        self.slots.get(slot).map_or(0, |t| t.len())
    }

    /// Keys with an expiry in `slot`.
    pub fn slot_volatile(&self, slot: usize) -> usize {
        self.volatile.get(slot).map_or(0, |&v| v as usize)
    }

    /// Entries of one slot, expired ones included.
    pub fn slot_entries(&self, slot: usize) -> impl Iterator<Item = &Entry> {
        self.slots
            .get(slot)
            .into_iter()
            .flat_map(|t| t.iter().map(|e| &**e))
    }

    /// Every entry, expired ones included, slot by slot.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().flat_map(|t| t.iter().map(|e| &**e))
    }

    /// Keys of `slot` whose expiry is at or before `now_ms` (the active expiry cycle removes
    /// them with [`Db::expire_key`]).
    pub fn expired_in_slot(&self, slot: usize, now_ms: u64) -> Vec<SmallBytes> {
        if self.slot_volatile(slot) == 0 {
            return Vec::new();
        }
        self.slot_entries(slot)
            .filter(|e| e.is_expired(now_ms))
            .map(|e| e.key.clone())
            .collect()
    }

    /// Remove `key` if it has expired (active expiry). Returns whether it was removed.
    pub fn expire_key(&mut self, key: &[u8], now_ms: u64) -> bool {
        let expired = self.peek_any(key).is_some_and(|e| e.is_expired(now_ms));
        if expired && self.expire_mode == ExpireMode::Delete {
            self.expire_now(key);
            return true;
        }
        false
    }

    /// The entry for `key` even if it has expired.
    pub fn peek_any(&self, key: &[u8]) -> Option<&Entry> {
        if self.slots.is_empty() {
            return None;
        }
        let slot = key_slot(key) as usize;
        self.slots[slot]
            .find(self.hash(key), |e| e.key.as_slice() == key)
            .map(|e| &**e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_lookup_expire() {
        let mut db = Db::new(0);
        assert!(db.insert(b"a", Value::string(b"1")).is_none());
        assert!(db.insert(b"a", Value::string(b"2")).is_some());
        assert_eq!(db.len(), 1);
        assert!(db.set_expire(b"a", Some(1000)));
        assert_eq!(db.expires_len(), 1);
        assert!(db.get_mut(b"a", 999).is_some());
        assert!(db.get_mut(b"a", 1000).is_none());
        assert_eq!(db.len(), 0);
        assert_eq!(db.expires_len(), 0);
        assert_eq!(db.expired_log.len(), 1);
    }

    #[test]
    fn entry_is_one_cache_line() {
        assert!(std::mem::size_of::<Entry>() <= 64);
    }
}
