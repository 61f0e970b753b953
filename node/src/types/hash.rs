//! Hash values, encoded as Redis 7.0 does: a "listpack" (here one packed byte buffer of
//! length-prefixed fields and values, in insertion order) while the hash has at most
//! `hash-max-listpack-entries` fields and no field or value longer than
//! `hash-max-listpack-value` bytes, then a "hashtable" for good (one-way conversion).

use rand::Rng;

use super::SmallBytes;
use super::set::table::HashOrderedTable;
use crate::config::Config;

/// The conversion thresholds, copied from the config before a command borrows the keyspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashLimits {
    pub max_listpack_entries: usize,
    pub max_listpack_value: usize,
}

impl HashLimits {
    pub fn from_config(config: &Config) -> Self {
        HashLimits {
            max_listpack_entries: config.hash_max_listpack_entries,
            max_listpack_value: config.hash_max_listpack_value,
        }
    }
}

impl Default for HashLimits {
    fn default() -> Self {
        HashLimits {
            max_listpack_entries: 128,
            max_listpack_value: 64,
        }
    }
}

/// Fields and values alternating, each as a LEB128 length then its bytes. About two bytes
/// of overhead per pair, as Redis's listpack; lookups are linear scans, as there.
#[derive(Debug, Clone, Default)]
pub struct Listpack {
    bytes: Vec<u8>,
    pairs: u32,
}

fn put_len(out: &mut Vec<u8>, mut len: usize) {
    loop {
        let byte = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn len_size(mut len: usize) -> usize {
    let mut size = 1;
    while len >= 0x80 {
        len >>= 7;
        size += 1;
    }
    size
}

/// Read one entry at `pos`: (start of data, end of data).
fn read_entry(bytes: &[u8], mut pos: usize) -> Option<(usize, usize)> {
    let mut len = 0usize;
    let mut shift = 0u32;
    loop {
        let byte = *bytes.get(pos)?;
        pos += 1;
        len |= ((byte & 0x7f) as usize).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let end = pos.checked_add(len)?;
    (end <= bytes.len()).then_some((pos, end))
}

/// Where a pair sits in the buffer.
struct PairPos {
    start: usize,
    value_start: usize,
    value_end: usize,
}

pub struct ListpackIter<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for ListpackIter<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let (fs, fe) = read_entry(self.bytes, self.pos)?;
        let (vs, ve) = read_entry(self.bytes, fe)?;
        self.pos = ve;
        Some((&self.bytes[fs..fe], &self.bytes[vs..ve]))
    }
}

impl Listpack {
    pub fn len(&self) -> usize {
        self.pairs as usize
    }

    pub fn is_empty(&self) -> bool {
        self.pairs == 0
    }

    pub fn iter(&self) -> ListpackIter<'_> {
        ListpackIter {
            bytes: &self.bytes,
            pos: 0,
        }
    }

    fn find(&self, field: &[u8]) -> Option<PairPos> {
        let mut pos = 0;
        while pos < self.bytes.len() {
            let (fs, fe) = read_entry(&self.bytes, pos)?;
            let (_, ve) = read_entry(&self.bytes, fe)?;
            if &self.bytes[fs..fe] == field {
                return Some(PairPos {
                    start: pos,
                    value_start: fe,
                    value_end: ve,
                });
            }
            pos = ve;
        }
        None
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        let found = self.find(field)?;
        let (vs, ve) = read_entry(&self.bytes, found.value_start)?;
        Some(&self.bytes[vs..ve])
    }

    /// Set a field; true if it was added. Buffers grow exactly (memory over speed: they are
    /// small by construction).
    pub fn set(&mut self, field: &[u8], value: &[u8]) -> bool {
        let mut encoded = Vec::with_capacity(len_size(value.len()) + value.len());
        put_len(&mut encoded, value.len());
        encoded.extend_from_slice(value);
        match self.find(field) {
            Some(found) => {
                let old = found.value_end - found.value_start;
                if encoded.len() > old {
                    self.bytes.reserve_exact(encoded.len() - old);
                }
                self.bytes
                    .splice(found.value_start..found.value_end, encoded);
                if mostly_slack(self.bytes.capacity(), self.bytes.len()) {
                    self.bytes.shrink_to_fit();
                }
                false
            }
            None => {
                self.bytes
                    .reserve_exact(len_size(field.len()) + field.len() + encoded.len());
                put_len(&mut self.bytes, field.len());
                self.bytes.extend_from_slice(field);
                self.bytes.extend_from_slice(&encoded);
                self.pairs += 1;
                true
            }
        }
    }

    pub fn remove(&mut self, field: &[u8]) -> bool {
        let Some(found) = self.find(field) else {
            return false;
        };
        self.bytes.drain(found.start..found.value_end);
        self.pairs -= 1;
        if mostly_slack(self.bytes.capacity(), self.bytes.len()) {
            self.bytes.shrink_to_fit();
        }
        true
    }

    pub fn heap_size(&self) -> usize {
        self.bytes.capacity()
    }
}

/// Give memory back once a buffer is mostly slack.
fn mostly_slack(capacity: usize, len: usize) -> bool {
    capacity > 64 && len < capacity / 2
}

type Pair = (SmallBytes, SmallBytes);

#[derive(Debug, Clone)]
pub enum Hash {
    Listpack(Listpack),
    Table(HashOrderedTable<Pair>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Listpack::default())
    }
}

pub enum HashIter<'a> {
    Listpack(ListpackIter<'a>),
    Table(Box<dyn Iterator<Item = &'a Pair> + 'a>),
}

impl<'a> Iterator for HashIter<'a> {
    type Item = (&'a [u8], &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        match self {
            HashIter::Listpack(iter) => iter.next(),
            HashIter::Table(iter) => iter.next().map(|(f, v)| (&f[..], &v[..])),
        }
    }
}

impl Hash {
    pub fn new() -> Self {
        Hash::default()
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.len(),
            Hash::Table(table) => table.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn heap_size(&self) -> usize {
        match self {
            Hash::Listpack(lp) => lp.heap_size(),
            Hash::Table(table) => table.heap_size(),
        }
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(lp) => lp.get(field),
            Hash::Table(table) => table.get(field).map(|(_, v)| &v[..]),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Fields and values: insertion order for a listpack, hash order for a table.
    pub fn iter(&self) -> HashIter<'_> {
        match self {
            Hash::Listpack(lp) => HashIter::Listpack(lp.iter()),
            Hash::Table(table) => HashIter::Table(Box::new(table.iter())),
        }
    }

    /// Redis's hashTypeTryConversion: convert before a write whose arguments (given by their
    /// lengths) include one too long for a listpack, whether or not it ends up stored.
    pub fn convert_for_lengths(
        &mut self,
        lengths: impl IntoIterator<Item = usize>,
        limits: HashLimits,
    ) {
        if matches!(self, Hash::Listpack(_))
            && lengths
                .into_iter()
                .any(|len| len > limits.max_listpack_value)
        {
            self.convert_to_table();
        }
    }

    /// Set a field (Redis's hashTypeSet); true if it was added rather than updated.
    pub fn insert(&mut self, field: &[u8], value: &[u8], limits: HashLimits) -> bool {
        self.convert_for_lengths([field.len(), value.len()], limits);
        match self {
            Hash::Listpack(lp) => {
                let added = lp.set(field, value);
                if lp.len() > limits.max_listpack_entries {
                    self.convert_to_table();
                }
                added
            }
            Hash::Table(table) => {
                match table.insert((SmallBytes::new(field), SmallBytes::new(value))) {
                    Ok(()) => true,
                    Err(existing) => {
                        existing.1 = SmallBytes::new(value);
                        false
                    }
                }
            }
        }
    }

    fn convert_to_table(&mut self) {
        if let Hash::Listpack(lp) = self {
            let mut table = HashOrderedTable::with_capacity(lp.len() + 1);
            for (field, value) in lp.iter() {
                let _ = table.insert((SmallBytes::new(field), SmallBytes::new(value)));
            }
            *self = Hash::Table(table);
        }
    }

    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(lp) => lp.remove(field),
            Hash::Table(table) => table.remove(field).is_some(),
        }
    }

    /// One random field and value.
    pub fn random(&self, rng: &mut impl Rng) -> Option<(&[u8], &[u8])> {
        match self {
            Hash::Listpack(lp) if lp.is_empty() => None,
            Hash::Listpack(lp) => lp.iter().nth(rng.random_range(0..lp.len())),
            Hash::Table(table) => {
                let pos = table.random_pos(rng)?;
                table.at(pos).map(|(f, v)| (&f[..], &v[..]))
            }
        }
    }

    /// `count` distinct random pairs (count < len), in random order.
    pub fn random_distinct(&self, count: usize, rng: &mut impl Rng) -> Vec<(&[u8], &[u8])> {
        match self {
            Hash::Table(table) if count.saturating_mul(3) <= table.len() => {
                // Few picks from a big table: sample slots, skipping repeats.
                let mut picked = hashbrown::HashSet::with_capacity(count);
                let mut out = Vec::with_capacity(count);
                while out.len() < count {
                    let Some(pos) = table.random_pos(rng) else {
                        break;
                    };
                    if picked.insert(pos)
                        && let Some((f, v)) = table.at(pos)
                    {
                        out.push((&f[..], &v[..]));
                    }
                }
                out
            }
            _ => {
                let all: Vec<(&[u8], &[u8])> = self.iter().collect();
                let count = count.min(all.len());
                rand::seq::index::sample(rng, all.len(), count)
                    .into_iter()
                    .map(|i| all[i])
                    .collect()
            }
        }
    }

    /// One HSCAN step: a listpack is returned whole with cursor 0, as Redis does.
    pub fn scan<'a>(
        &'a self,
        cursor: u64,
        count: usize,
        mut visit: impl FnMut(&'a [u8], &'a [u8]),
    ) -> u64 {
        match self {
            Hash::Listpack(lp) => {
                lp.iter().for_each(|(f, v)| visit(f, v));
                0
            }
            Hash::Table(table) => table.scan(cursor, count, |(f, v)| visit(f, v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: HashLimits = HashLimits {
        max_listpack_entries: 4,
        max_listpack_value: 8,
    };

    #[test]
    fn listpack_keeps_insertion_order_and_updates_in_place() {
        let mut hash = Hash::new();
        assert!(hash.insert(b"b", b"1", LIMITS));
        assert!(hash.insert(b"a", b"2", LIMITS));
        assert!(!hash.insert(b"b", b"longer", LIMITS));
        assert!(!hash.insert(b"b", b"", LIMITS));
        assert_eq!(hash.encoding(), "listpack");
        let pairs: Vec<_> = hash.iter().collect();
        assert_eq!(pairs, vec![(&b"b"[..], &b""[..]), (&b"a"[..], &b"2"[..])]);
        assert_eq!(hash.get(b"a"), Some(&b"2"[..]));
        assert_eq!(hash.get(b"c"), None);
        assert!(hash.remove(b"b"));
        assert!(!hash.remove(b"b"));
        assert_eq!(hash.len(), 1);
        assert!(hash.remove(b"a"));
        assert!(hash.is_empty());
    }

    #[test]
    fn long_lengths_round_trip() {
        let mut lp = Listpack::default();
        let big = vec![b'x'; 300];
        lp.set(&big, &big);
        lp.set(b"k", b"v");
        assert_eq!(lp.get(&big), Some(&big[..]));
        assert_eq!(lp.iter().count(), 2);
    }

    #[test]
    fn converts_past_entries() {
        let mut hash = Hash::new();
        for i in 0..4 {
            hash.insert(format!("f{i}").as_bytes(), b"v", LIMITS);
        }
        assert_eq!(hash.encoding(), "listpack");
        hash.insert(b"f4", b"v", LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
        for i in 0..5 {
            assert_eq!(hash.get(format!("f{i}").as_bytes()), Some(&b"v"[..]));
        }
        for i in 0..5 {
            hash.remove(format!("f{i}").as_bytes());
        }
        hash.insert(b"x", b"y", LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
    }

    #[test]
    fn converts_on_long_field_or_value() {
        for (field, value) in [(&b"123456789"[..], &b"v"[..]), (b"f", b"123456789")] {
            let mut hash = Hash::new();
            hash.insert(b"a", b"b", LIMITS);
            hash.insert(field, value, LIMITS);
            assert_eq!(hash.encoding(), "hashtable");
            assert_eq!(hash.get(field), Some(value));
        }
        let mut hash = Hash::new();
        hash.insert(b"a", b"12345678", LIMITS);
        assert_eq!(hash.encoding(), "listpack");
        hash.convert_for_lengths([1, 9], LIMITS);
        assert_eq!(hash.encoding(), "hashtable");
    }

    #[test]
    fn zero_entries_means_hashtable_at_once() {
        let mut hash = Hash::new();
        hash.insert(
            b"a",
            b"b",
            HashLimits {
                max_listpack_entries: 0,
                max_listpack_value: 64,
            },
        );
        assert_eq!(hash.encoding(), "hashtable");
    }

    #[test]
    fn random_distinct_is_distinct() {
        let mut rng = rand::rng();
        for size in [3usize, 100] {
            let mut hash = Hash::new();
            for i in 0..size {
                hash.insert(format!("f{i}").as_bytes(), b"v", HashLimits::default());
            }
            for count in [1, size / 3, size - 1] {
                let mut picked: Vec<_> = hash
                    .random_distinct(count, &mut rng)
                    .into_iter()
                    .map(|(f, _)| f.to_vec())
                    .collect();
                assert_eq!(picked.len(), count);
                picked.sort();
                picked.dedup();
                assert_eq!(picked.len(), count);
            }
        }
    }
}
