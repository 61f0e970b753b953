//! List values.

use std::collections::VecDeque;

use super::SmallBytes;

#[derive(Debug, Clone, Default)]
pub struct List {
    pub items: VecDeque<SmallBytes>,
}

impl List {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    pub fn heap_size(&self) -> usize {
        self.items.capacity() * 24 + self.items.iter().map(|i| i.heap_size()).sum::<usize>()
    }
}
