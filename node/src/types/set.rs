//! Set values, encoded as Redis 7.0 does: an "intset" (a sorted array of the narrowest integer
//! width that fits every member) while all members are integers and there are at most
//! `set-max-intset-entries` of them, then a "hashtable" for good (one-way conversion).

pub mod table;

use rand::Rng;

use self::table::HashOrderedTable;
use super::SmallBytes;

/// A member as stored: intsets hold integers, which reply as their decimal text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Bytes(&'a [u8]),
}

impl Member<'_> {
    /// Run `f` on the member's bytes (integers are formatted on the stack).
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(v) => f(itoa::Buffer::new().format(*v).as_bytes()),
            Member::Bytes(b) => f(b),
        }
    }

    pub fn to_small(&self) -> SmallBytes {
        self.with_bytes(SmallBytes::new)
    }

    /// The member as an integer, if it is one as Redis's `string2ll` reads it.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Member::Int(v) => Some(*v),
            Member::Bytes(b) => wire::request::parse_i64(b),
        }
    }
}

/// Sorted integers at the narrowest width holding all of them (Redis's intset).
#[derive(Debug, Clone)]
pub enum IntSet {
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::I16(Vec::new())
    }
}

/// Insert into a sorted vector; growth is exact because small sets are the common case and
/// their memory is what we are compared on.
fn sorted_insert<T: Ord + Copy>(values: &mut Vec<T>, value: T) -> bool {
    match values.binary_search(&value) {
        Ok(_) => false,
        Err(pos) => {
            values.reserve_exact(1);
            values.insert(pos, value);
            true
        }
    }
}

fn sorted_remove<T: Ord + Copy>(values: &mut Vec<T>, value: T) -> bool {
    match values.binary_search(&value) {
        Ok(pos) => {
            values.remove(pos);
            true
        }
        Err(_) => false,
    }
}

impl IntSet {
    pub fn len(&self) -> usize {
        match self {
            IntSet::I16(v) => v.len(),
            IntSet::I32(v) => v.len(),
            IntSet::I64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn heap_size(&self) -> usize {
        match self {
            IntSet::I16(v) => v.capacity() * 2,
            IntSet::I32(v) => v.capacity() * 4,
            IntSet::I64(v) => v.capacity() * 8,
        }
    }

    pub fn contains(&self, value: i64) -> bool {
        match self {
            IntSet::I16(v) => i16::try_from(value).is_ok_and(|x| v.binary_search(&x).is_ok()),
            IntSet::I32(v) => i32::try_from(value).is_ok_and(|x| v.binary_search(&x).is_ok()),
            IntSet::I64(v) => v.binary_search(&value).is_ok(),
        }
    }

    pub fn get(&self, index: usize) -> Option<i64> {
        match self {
            IntSet::I16(v) => v.get(index).map(|&x| x as i64),
            IntSet::I32(v) => v.get(index).map(|&x| x as i64),
            IntSet::I64(v) => v.get(index).copied(),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Widen the encoding so that `value` fits (Redis's intsetUpgradeAndAdd).
    fn upgrade_for(&mut self, value: i64) {
        let needs64 = i32::try_from(value).is_err();
        let needs32 = i16::try_from(value).is_err();
        match self {
            IntSet::I16(v) if needs64 => *self = IntSet::I64(v.iter().map(|&x| x as i64).collect()),
            IntSet::I16(v) if needs32 => *self = IntSet::I32(v.iter().map(|&x| x as i32).collect()),
            IntSet::I32(v) if needs64 => *self = IntSet::I64(v.iter().map(|&x| x as i64).collect()),
            _ => {}
        }
    }

    pub fn insert(&mut self, value: i64) -> bool {
        self.upgrade_for(value);
        match self {
            IntSet::I16(v) => i16::try_from(value).is_ok_and(|x| sorted_insert(v, x)),
            IntSet::I32(v) => i32::try_from(value).is_ok_and(|x| sorted_insert(v, x)),
            IntSet::I64(v) => sorted_insert(v, value),
        }
    }

    pub fn remove(&mut self, value: i64) -> bool {
        match self {
            IntSet::I16(v) => i16::try_from(value).is_ok_and(|x| sorted_remove(v, x)),
            IntSet::I32(v) => i32::try_from(value).is_ok_and(|x| sorted_remove(v, x)),
            IntSet::I64(v) => sorted_remove(v, value),
        }
    }

    fn remove_index(&mut self, index: usize) -> i64 {
        match self {
            IntSet::I16(v) => v.remove(index) as i64,
            IntSet::I32(v) => v.remove(index) as i64,
            IntSet::I64(v) => v.remove(index),
        }
    }

    fn width_name(&self) -> u8 {
        match self {
            IntSet::I16(_) => 2,
            IntSet::I32(_) => 4,
            IntSet::I64(_) => 8,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Set {
    Ints(IntSet),
    Table(HashOrderedTable<SmallBytes>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Ints(IntSet::default())
    }
}

pub enum SetIter<'a> {
    Ints(&'a IntSet, usize),
    Table(Box<dyn Iterator<Item = &'a SmallBytes> + 'a>),
}

impl<'a> Iterator for SetIter<'a> {
    type Item = Member<'a>;
    fn next(&mut self) -> Option<Member<'a>> {
        match self {
            SetIter::Ints(ints, index) => {
                let value = ints.get(*index)?;
                *index += 1;
                Some(Member::Int(value))
            }
            SetIter::Table(iter) => iter.next().map(|m| Member::Bytes(m)),
        }
    }
}

impl Set {
    pub fn new() -> Self {
        Set::default()
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Ints(ints) => ints.len(),
            Set::Table(table) => table.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Ints(_) => "intset",
            Set::Table(_) => "hashtable",
        }
    }

    pub fn heap_size(&self) -> usize {
        match self {
            Set::Ints(ints) => ints.heap_size(),
            Set::Table(table) => table.heap_size(),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        self.contains_member(Member::Bytes(member))
    }

    pub fn contains_member(&self, member: Member) -> bool {
        match self {
            Set::Ints(ints) => member.as_int().is_some_and(|v| ints.contains(v)),
            Set::Table(table) => member.with_bytes(|b| table.contains(b)),
        }
    }

    /// Add a member; false if it was already there. `max_intset_entries` is
    /// `set-max-intset-entries`.
    pub fn insert(&mut self, member: &[u8], max_intset_entries: usize) -> bool {
        self.insert_member(Member::Bytes(member), max_intset_entries)
    }

    pub fn insert_member(&mut self, member: Member, max_intset_entries: usize) -> bool {
        if let Set::Ints(ints) = self {
            match member.as_int() {
                Some(value) => {
                    if !ints.insert(value) {
                        return false;
                    }
                    if ints.len() > max_intset_entries {
                        self.convert_to_table();
                    }
                    return true;
                }
                None => self.convert_to_table(),
            }
        }
        match self {
            Set::Table(table) => table.insert(member.to_small()).is_ok(),
            Set::Ints(_) => false,
        }
    }

    fn convert_to_table(&mut self) {
        if let Set::Ints(ints) = self {
            let mut table = HashOrderedTable::with_capacity(ints.len() + 1);
            for value in ints.iter() {
                let _ = table.insert(Member::Int(value).to_small());
            }
            *self = Set::Table(table);
        }
    }

    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Set::Ints(ints) => wire::request::parse_i64(member).is_some_and(|v| ints.remove(v)),
            Set::Table(table) => table.remove(member).is_some(),
        }
    }

    /// Members: ascending for an intset, hash order for a table.
    pub fn iter(&self) -> SetIter<'_> {
        match self {
            Set::Ints(ints) => SetIter::Ints(ints, 0),
            Set::Table(table) => SetIter::Table(Box::new(table.iter())),
        }
    }

    pub fn random(&self, rng: &mut impl Rng) -> Option<Member<'_>> {
        match self {
            Set::Ints(ints) if ints.is_empty() => None,
            Set::Ints(ints) => ints.get(rng.random_range(0..ints.len())).map(Member::Int),
            Set::Table(table) => {
                let pos = table.random_pos(rng)?;
                table.at(pos).map(|m| Member::Bytes(m))
            }
        }
    }

    pub fn pop_random(&mut self, rng: &mut impl Rng) -> Option<SmallBytes> {
        match self {
            Set::Ints(ints) if ints.is_empty() => None,
            Set::Ints(ints) => {
                let value = ints.remove_index(rng.random_range(0..ints.len()));
                Some(Member::Int(value).to_small())
            }
            Set::Table(table) => table.pop_random(rng),
        }
    }

    /// `count` distinct random members (count < len), in random order.
    pub fn random_distinct(&self, count: usize, rng: &mut impl Rng) -> Vec<Member<'_>> {
        match self {
            Set::Table(table) if count.saturating_mul(3) <= table.len() => {
                // Few picks from a big table: sample slots, skipping repeats.
                let mut picked = hashbrown::HashSet::with_capacity(count);
                let mut out = Vec::with_capacity(count);
                while out.len() < count {
                    let Some(pos) = table.random_pos(rng) else {
                        break;
                    };
                    if picked.insert(pos)
                        && let Some(member) = table.at(pos)
                    {
                        out.push(Member::Bytes(member));
                    }
                }
                out
            }
            _ => {
                let all: Vec<Member> = self.iter().collect();
                let count = count.min(all.len());
                rand::seq::index::sample(rng, all.len(), count)
                    .into_iter()
                    .map(|i| all[i])
                    .collect()
            }
        }
    }

    /// One SSCAN step (see [`HashOrderedTable::scan`]); an intset is returned whole.
    pub fn scan<'a>(&'a self, cursor: u64, count: usize, mut visit: impl FnMut(Member<'a>)) -> u64 {
        match self {
            Set::Ints(ints) => {
                ints.iter().for_each(|v| visit(Member::Int(v)));
                0
            }
            Set::Table(table) => table.scan(cursor, count, |m| visit(Member::Bytes(m))),
        }
    }

    /// Byte width of intset members (2, 4 or 8); None for a table. For tests and MEMORY.
    pub fn intset_width(&self) -> Option<u8> {
        match self {
            Set::Ints(ints) => Some(ints.width_name()),
            Set::Table(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intset_widths_and_order() {
        let mut set = Set::new();
        assert!(set.insert(b"5", 512));
        assert!(set.insert(b"-3", 512));
        assert!(!set.insert(b"5", 512));
        assert_eq!(set.intset_width(), Some(2));
        assert!(set.insert(b"70000", 512));
        assert_eq!(set.intset_width(), Some(4));
        assert!(set.insert(b"-9223372036854775808", 512));
        assert_eq!(set.intset_width(), Some(8));
        assert_eq!(set.encoding(), "intset");
        let members: Vec<Member> = set.iter().collect();
        assert_eq!(
            members,
            vec![
                Member::Int(i64::MIN),
                Member::Int(-3),
                Member::Int(5),
                Member::Int(70000)
            ]
        );
        assert!(set.contains(b"70000"));
        assert!(!set.contains(b"070000"));
        assert!(set.remove(b"-3"));
        assert!(!set.remove(b"-3"));
        assert!(!set.remove(b"abc"));
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn converts_on_non_integer() {
        let mut set = Set::new();
        set.insert(b"1", 512);
        set.insert(b"2", 512);
        // "01" and " 1" are not integers for string2ll.
        assert!(set.insert(b"01", 512));
        assert_eq!(set.encoding(), "hashtable");
        assert!(set.contains(b"1") && set.contains(b"01") && set.contains(b"2"));
        assert!(!set.insert(b"1", 512));
        assert_eq!(set.len(), 3);
    }

    #[test]
    fn converts_past_max_entries_and_never_back() {
        let mut set = Set::new();
        for i in 0..4 {
            set.insert(i.to_string().as_bytes(), 4);
        }
        assert_eq!(set.encoding(), "intset");
        set.insert(b"4", 4);
        assert_eq!(set.encoding(), "hashtable");
        for i in 0..4 {
            set.remove(i.to_string().as_bytes());
        }
        assert_eq!(set.encoding(), "hashtable");
        assert_eq!(set.len(), 1);
        let mut zero = Set::new();
        zero.insert(b"1", 0);
        assert_eq!(zero.encoding(), "hashtable");
    }

    #[test]
    fn pop_and_random_cover_both_encodings() {
        let mut rng = rand::rng();
        for members in [vec!["1", "2", "3"], vec!["a", "b", "c"]] {
            let mut set = Set::new();
            for m in &members {
                set.insert(m.as_bytes(), 512);
            }
            let r = set.random(&mut rng).unwrap().to_small();
            assert!(members.iter().any(|m| m.as_bytes() == &r[..]));
            let mut popped = Vec::new();
            while let Some(m) = set.pop_random(&mut rng) {
                popped.push(String::from_utf8(m.to_vec()).unwrap());
            }
            popped.sort();
            assert_eq!(popped, members);
            assert!(set.random(&mut rng).is_none());
        }
    }
}
