//! Sorted set values.

use super::SmallBytes;

#[derive(Debug, Clone, Default)]
pub struct ZSet {
    pub scores: hashbrown::HashMap<SmallBytes, f64>,
}

impl ZSet {
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "skiplist"
    }

    pub fn heap_size(&self) -> usize {
        self.scores.capacity() * 33 + self.scores.keys().map(|m| m.heap_size()).sum::<usize>()
    }
}
