//! Set values.

use super::SmallBytes;

#[derive(Debug, Clone, Default)]
pub struct Set {
    pub members: hashbrown::HashSet<SmallBytes>,
}

impl Set {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }

    pub fn heap_size(&self) -> usize {
        self.members.capacity() * 25 + self.members.iter().map(|m| m.heap_size()).sum::<usize>()
    }
}
