//! `HashOrderedTable`: the large representation of sets and hashes (Redis's "hashtable").
//!
//! An open-addressing table whose home slot is the top bits of a 64-bit hash and whose
//! occupied slots are kept sorted by hash (ordered linear probing, Amble & Knuth). Elements
//! therefore sit in hash order whatever the table size, which gives SSCAN/HSCAN a cursor that
//! is simply "the next hash to return": an element present for a whole iteration is returned
//! at least once even when the table grows or shrinks between calls, and growing is a single
//! ordered pass with no rehashing. Slots hold the hash and the element inline (no per-element
//! allocation beyond long strings), so memory stays close to Redis's dict.

use std::hash::BuildHasher;
use std::sync::LazyLock;

use rand::Rng;

use crate::types::SmallBytes;

/// One hasher for every table of the process, seeded randomly at startup so that clients
/// cannot choose members that all land in the same slot.
static HASHER: LazyLock<foldhash::quality::FixedState> =
    LazyLock::new(|| foldhash::quality::FixedState::with_seed(rand::random()));

pub fn hash_bytes(bytes: &[u8]) -> u64 {
    HASHER.hash_one(bytes)
}

/// What the table stores: anything with a byte-string key.
pub trait Keyed {
    fn key(&self) -> &[u8];
    fn heap_size(&self) -> usize;
}

impl Keyed for SmallBytes {
    fn key(&self) -> &[u8] {
        self
    }
    fn heap_size(&self) -> usize {
        SmallBytes::heap_size(self)
    }
}

impl Keyed for (SmallBytes, SmallBytes) {
    fn key(&self) -> &[u8] {
        &self.0
    }
    fn heap_size(&self) -> usize {
        self.0.heap_size() + self.1.heap_size()
    }
}

#[derive(Debug, Clone)]
struct Slot<T> {
    hash: u64,
    item: T,
}

const MIN_BITS: u32 = 2;

#[derive(Debug, Clone)]
pub struct HashOrderedTable<T> {
    /// `1 << bits` home slots followed by a short overflow tail for the last clusters.
    slots: Vec<Option<Slot<T>>>,
    bits: u32,
    len: usize,
}

impl<T: Keyed> Default for HashOrderedTable<T> {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

impl<T: Keyed> HashOrderedTable<T> {
    /// A table sized for `count` elements without growing.
    pub fn with_capacity(count: usize) -> Self {
        let bits = Self::bits_for(count);
        HashOrderedTable {
            slots: (0..1usize << bits).map(|_| None).collect(),
            bits,
            len: 0,
        }
    }

    /// The smallest table that holds `count` elements under the maximum load (4/5).
    fn bits_for(count: usize) -> u32 {
        let mut bits = MIN_BITS;
        while (1usize << bits).saturating_mul(4) < count.saturating_mul(5) && bits < 62 {
            bits += 1;
        }
        bits
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn heap_size(&self) -> usize {
        self.slots.capacity() * std::mem::size_of::<Option<Slot<T>>>()
            + self.iter().map(Keyed::heap_size).sum::<usize>()
    }

    fn home(&self, hash: u64) -> usize {
        (hash >> (64 - self.bits)) as usize
    }

    /// Slot index holding `key`, if present.
    fn find(&self, key: &[u8], hash: u64) -> Option<usize> {
        let mut pos = self.home(hash);
        while let Some(Some(slot)) = self.slots.get(pos) {
            if slot.hash > hash {
                return None;
            }
            if slot.hash == hash && slot.item.key() == key {
                return Some(pos);
            }
            pos += 1;
        }
        None
    }

    pub fn get(&self, key: &[u8]) -> Option<&T> {
        let pos = self.find(key, hash_bytes(key))?;
        self.slots[pos].as_ref().map(|s| &s.item)
    }

    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut T> {
        let pos = self.find(key, hash_bytes(key))?;
        self.slots[pos].as_mut().map(|s| &mut s.item)
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.find(key, hash_bytes(key)).is_some()
    }

    /// Insert `item` unless an element with the same key exists; returns the existing one
    /// (mutable, so a hash can update its value) as `Err`.
    pub fn insert(&mut self, item: T) -> Result<(), &mut T> {
        let hash = hash_bytes(item.key());
        if let Some(pos) = self.find(item.key(), hash) {
            return Err(self.slots[pos]
                .as_mut()
                .map(|s| &mut s.item)
                .expect("found slot is occupied"));
        }
        if (self.len + 1).saturating_mul(5) > (1usize << self.bits).saturating_mul(4) {
            self.resize(self.bits + 1);
        }
        self.insert_new(Slot { hash, item });
        self.len += 1;
        Ok(())
    }

    /// Place an element known to be absent, keeping slots sorted by hash.
    fn insert_new(&mut self, slot: Slot<T>) {
        let mut pos = self.home(slot.hash);
        while let Some(Some(existing)) = self.slots.get(pos) {
            if existing.hash > slot.hash {
                break;
            }
            pos += 1;
        }
        let mut free = pos;
        while matches!(self.slots.get(free), Some(Some(_))) {
            free += 1;
        }
        if free == self.slots.len() {
            self.slots.push(None);
        }
        // Shift the run [pos, free) one slot right; every element stays at or after its home.
        self.slots[pos..=free].rotate_right(1);
        self.slots[pos] = Some(slot);
    }

    pub fn remove(&mut self, key: &[u8]) -> Option<T> {
        let pos = self.find(key, hash_bytes(key))?;
        let removed = self.take_at(pos);
        self.shrink_if_sparse();
        removed
    }

    /// Remove the element at `pos`, closing the gap by moving later elements of the cluster
    /// back towards their home slots (backward-shift deletion keeps lookups gap-free).
    fn take_at(&mut self, pos: usize) -> Option<T> {
        let removed = self.slots[pos].take()?;
        self.len -= 1;
        let mut hole = pos;
        loop {
            let next = hole + 1;
            let movable = match self.slots.get(next) {
                Some(Some(slot)) => self.home(slot.hash) <= hole,
                _ => false,
            };
            if !movable {
                break;
            }
            self.slots.swap(hole, next);
            hole = next;
        }
        self.trim_overflow();
        Some(removed.item)
    }

    fn trim_overflow(&mut self) {
        let home_slots = 1usize << self.bits;
        while self.slots.len() > home_slots && matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
    }

    /// Halve the table while it is less than 1/8 full (Redis shrinks dicts under 10%).
    fn shrink_if_sparse(&mut self) {
        let mut bits = self.bits;
        while bits > MIN_BITS && self.len.saturating_mul(8) < (1usize << bits) {
            bits -= 1;
        }
        if bits != self.bits {
            self.resize(bits);
        }
    }

    /// Re-lay the elements for `1 << bits` home slots: one pass in hash order.
    fn resize(&mut self, bits: u32) {
        let old = std::mem::take(&mut self.slots);
        self.bits = bits;
        self.slots = (0..1usize << bits).map(|_| None).collect();
        let mut next_free = 0usize;
        for slot in old.into_iter().flatten() {
            let pos = self.home(slot.hash).max(next_free);
            if pos >= self.slots.len() {
                self.slots.resize_with(pos + 1, || None);
            }
            self.slots[pos] = Some(slot);
            next_free = pos + 1;
        }
    }

    /// Elements in hash order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.slots.iter().flatten().map(|s| &s.item)
    }

    /// Take every element out, leaving the table empty.
    pub fn drain(&mut self) -> impl Iterator<Item = T> {
        self.len = 0;
        self.bits = MIN_BITS;
        let old = std::mem::replace(&mut self.slots, (0..1 << MIN_BITS).map(|_| None).collect());
        old.into_iter().flatten().map(|s| s.item)
    }

    /// A random occupied slot (uniform over slots, as Redis's dictGetFairRandomKey is
    /// approximately uniform over elements).
    pub fn random_pos(&self, rng: &mut impl Rng) -> Option<usize> {
        if self.len == 0 {
            return None;
        }
        for _ in 0..32 {
            let pos = rng.random_range(0..self.slots.len());
            if self.slots[pos].is_some() {
                return Some(pos);
            }
        }
        // Nearly empty table: walk forward from a random slot (bounded by the table size).
        let start = rng.random_range(0..self.slots.len());
        (0..self.slots.len())
            .map(|i| (start + i) % self.slots.len())
            .find(|&pos| self.slots[pos].is_some())
    }

    pub fn at(&self, pos: usize) -> Option<&T> {
        self.slots.get(pos)?.as_ref().map(|s| &s.item)
    }

    pub fn remove_at(&mut self, pos: usize) -> Option<T> {
        let removed = self.take_at(pos);
        if removed.is_some() {
            self.shrink_if_sparse();
        }
        removed
    }

    /// Remove a random element.
    pub fn pop_random(&mut self, rng: &mut impl Rng) -> Option<T> {
        let pos = self.random_pos(rng)?;
        self.remove_at(pos)
    }

    /// One SCAN step: visit about `count` elements whose hash is at least `cursor`, in hash
    /// order, and return the cursor for the next call (0 when the iteration is complete).
    /// Elements sharing a full 64-bit hash are always visited in the same call, so the
    /// cursor never points into the middle of a group.
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, mut visit: impl FnMut(&'a T)) -> u64 {
        let mut pos = self.home(cursor);
        // Elements displaced from earlier homes may sit before the first one >= cursor.
        while let Some(slot) = self.slots.get(pos) {
            match slot {
                Some(s) if s.hash >= cursor => break,
                _ => pos += 1,
            }
        }
        let mut visited = 0usize;
        let mut last_hash = None;
        while let Some(slot) = self.slots.get(pos) {
            pos += 1;
            let Some(slot) = slot else { continue };
            if visited >= count.max(1) && last_hash != Some(slot.hash) {
                return slot.hash;
            }
            visit(&slot.item);
            visited += 1;
            last_hash = Some(slot.hash);
        }
        0
    }

    #[cfg(test)]
    fn check_invariants(&self) {
        let mut count = 0;
        let mut prev: Option<u64> = None;
        for (pos, slot) in self.slots.iter().enumerate() {
            let Some(slot) = slot else { continue };
            count += 1;
            let home = self.home(slot.hash);
            assert!(home <= pos, "element before its home");
            assert!(prev.is_none_or(|p| p <= slot.hash), "hash order broken");
            assert!(
                self.slots[home..pos].iter().all(Option::is_some),
                "gap between home and element"
            );
            assert_eq!(slot.hash, hash_bytes(slot.item.key()));
            prev = Some(slot.hash);
        }
        assert_eq!(count, self.len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(i: usize) -> SmallBytes {
        SmallBytes::new(format!("member:{i}").as_bytes())
    }

    #[test]
    fn slot_is_compact() {
        assert_eq!(std::mem::size_of::<Option<Slot<SmallBytes>>>(), 32);
    }

    #[test]
    fn insert_find_remove_with_resizes() {
        let mut table = HashOrderedTable::<SmallBytes>::default();
        for i in 0..5000 {
            assert!(table.insert(member(i)).is_ok());
            assert!(table.insert(member(i)).is_err());
        }
        table.check_invariants();
        assert_eq!(table.len(), 5000);
        for i in 0..5000 {
            assert!(table.contains(&member(i)));
        }
        assert!(!table.contains(b"nope"));
        for i in (0..5000).filter(|i| i % 3 != 0) {
            assert_eq!(table.remove(&member(i)), Some(member(i)));
            assert!(table.remove(&member(i)).is_none());
        }
        table.check_invariants();
        for i in 0..5000 {
            assert_eq!(table.contains(&member(i)), i % 3 == 0);
        }
        for i in (0..5000).filter(|i| i % 3 == 0) {
            table.remove(&member(i));
        }
        table.check_invariants();
        assert!(table.is_empty());
        assert_eq!(table.bits, MIN_BITS);
    }

    #[test]
    fn scan_visits_everything_once_when_stable() {
        let mut table = HashOrderedTable::<SmallBytes>::default();
        for i in 0..1000 {
            table.insert(member(i)).unwrap();
        }
        let mut seen = Vec::new();
        let mut cursor = 0;
        let mut calls = 0;
        loop {
            cursor = table.scan(cursor, 10, |m| seen.push(m.clone()));
            calls += 1;
            if cursor == 0 {
                break;
            }
            assert!(calls < 10_000);
        }
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 1000);
        assert!(calls >= 100);
    }

    #[test]
    fn scan_survives_growth_and_shrink() {
        let mut table = HashOrderedTable::<SmallBytes>::default();
        for i in 0..200 {
            table.insert(member(i)).unwrap();
        }
        let mut seen = std::collections::HashSet::new();
        let mut extras = Vec::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = table.scan(cursor, 7, |m| {
                seen.insert(m.clone());
            });
            step += 1;
            // Grow a lot, then shrink back, between calls.
            if step % 2 == 0 {
                for i in 0..500 {
                    let extra = member(10_000 + step * 1000 + i);
                    table.insert(extra.clone()).unwrap();
                    extras.push(extra);
                }
            } else {
                for extra in extras.drain(..) {
                    table.remove(&extra);
                }
            }
            table.check_invariants();
            if cursor == 0 {
                break;
            }
            assert!(step < 100_000);
        }
        for i in 0..200 {
            assert!(seen.contains(&member(i)), "member {i} missed");
        }
    }

    #[test]
    fn random_and_pop() {
        let mut table = HashOrderedTable::<SmallBytes>::default();
        for i in 0..100 {
            table.insert(member(i)).unwrap();
        }
        let mut rng = rand::rng();
        let mut popped = 0;
        while let Some(m) = table.pop_random(&mut rng) {
            assert!(!table.contains(&m));
            popped += 1;
            table.check_invariants();
        }
        assert_eq!(popped, 100);
        assert!(table.random_pos(&mut rng).is_none());
    }
}
