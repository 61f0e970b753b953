//! Values stored in the keyspace.

pub mod bytes;
pub mod hash;
pub mod hll;
pub mod list;
pub mod set;
pub mod zset;

pub use self::bytes::SmallBytes;
use crate::ctx::CmdError;

/// A stored value. Strings are inline up to 22 bytes; strings that were modified in place
/// (APPEND, SETRANGE, SETBIT) switch to `Raw`, which has room to grow, as Redis's raw encoding.
#[derive(Debug, Clone)]
pub enum Value {
    Str(SmallBytes),
    Raw(Box<Vec<u8>>),
    List(Box<list::List>),
    Hash(Box<hash::Hash>),
    Set(Box<set::Set>),
    ZSet(Box<zset::ZSet>),
}

impl Value {
    pub fn string(bytes: &[u8]) -> Value {
        Value::Str(SmallBytes::new(bytes))
    }

    /// The Redis type name, as TYPE prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) | Value::Raw(_) => "string",
            Value::List(_) => "list",
            Value::Hash(_) => "hash",
            Value::Set(_) => "set",
            Value::ZSet(_) => "zset",
        }
    }

    /// The internal encoding, as OBJECT ENCODING names it.
    pub fn encoding(&self) -> &'static str {
        match self {
            Value::Str(s) => {
                if s.len() <= 20 && wire::request::parse_i64(s).is_some() {
                    "int"
                } else if s.len() <= 44 {
                    "embstr"
                } else {
                    "raw"
                }
            }
            Value::Raw(_) => "raw",
            Value::List(l) => l.encoding(),
            Value::Hash(h) => h.encoding(),
            Value::Set(s) => s.encoding(),
            Value::ZSet(z) => z.encoding(),
        }
    }

    /// The bytes of a string value; `WRONGTYPE` for any other type.
    pub fn as_bytes(&self) -> Result<&[u8], CmdError> {
        match self {
            Value::Str(s) => Ok(s.as_slice()),
            Value::Raw(v) => Ok(v.as_slice()),
            _ => Err(CmdError::wrong_type()),
        }
    }

    /// A growable string for in-place modification (converts to `Raw`).
    pub fn as_raw_mut(&mut self) -> Result<&mut Vec<u8>, CmdError> {
        if let Value::Str(s) = self {
            *self = Value::Raw(Box::new(s.to_vec()));
        }
        match self {
            Value::Raw(v) => Ok(v),
            _ => Err(CmdError::wrong_type()),
        }
    }

    pub fn as_list_mut(&mut self) -> Result<&mut list::List, CmdError> {
        match self {
            Value::List(l) => Ok(l),
            _ => Err(CmdError::wrong_type()),
        }
    }

    pub fn as_hash_mut(&mut self) -> Result<&mut hash::Hash, CmdError> {
        match self {
            Value::Hash(h) => Ok(h),
            _ => Err(CmdError::wrong_type()),
        }
    }

    pub fn as_set_mut(&mut self) -> Result<&mut set::Set, CmdError> {
        match self {
            Value::Set(s) => Ok(s),
            _ => Err(CmdError::wrong_type()),
        }
    }

    pub fn as_zset_mut(&mut self) -> Result<&mut zset::ZSet, CmdError> {
        match self {
            Value::ZSet(z) => Ok(z),
            _ => Err(CmdError::wrong_type()),
        }
    }

    /// Approximate heap bytes owned by the value (for eviction and MEMORY figures).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Str(s) => s.heap_size(),
            Value::Raw(v) => v.capacity() + 24,
            Value::List(l) => l.heap_size(),
            Value::Hash(h) => h.heap_size(),
            Value::Set(s) => s.heap_size(),
            Value::ZSet(z) => z.heap_size(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn value_is_compact() {
        assert_eq!(std::mem::size_of::<super::Value>(), 24);
    }
}
