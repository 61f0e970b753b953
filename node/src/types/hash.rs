//! Hash values.

use super::SmallBytes;

#[derive(Debug, Clone, Default)]
pub struct Hash {
    pub fields: hashbrown::HashMap<SmallBytes, SmallBytes>,
}

impl Hash {
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "hashtable"
    }

    pub fn heap_size(&self) -> usize {
        self.fields.capacity() * 49
            + self
                .fields
                .iter()
                .map(|(k, v)| k.heap_size() + v.heap_size())
                .sum::<usize>()
    }
}
