//! List values.
//!
//! A ring buffer of small strings: pushes and pops at both ends are O(1), and a range
//! (LRANGE, the pops with a count) is two contiguous slices, which is what the reply writer
//! wants. Redis's quicklist saves memory with packed nodes; elements of up to 22 bytes are
//! inline here, so a typical list costs 24 bytes per element and no allocation per element.

use std::collections::VecDeque;

use super::SmallBytes;

#[derive(Debug, Clone, Default)]
pub struct List {
    pub items: VecDeque<SmallBytes>,
}

/// Which end of a list (Redis's LIST_HEAD / LIST_TAIL, named as the LEFT / RIGHT arguments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

impl End {
    /// `LEFT` or `RIGHT`, case-insensitively.
    pub fn parse(arg: &[u8]) -> Option<End> {
        if arg.eq_ignore_ascii_case(b"left") {
            Some(End::Left)
        } else if arg.eq_ignore_ascii_case(b"right") {
            Some(End::Right)
        } else {
            None
        }
    }
}

impl List {
    pub fn from_items<I: IntoIterator<Item = SmallBytes>>(items: I) -> Self {
        List {
            items: items.into_iter().collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn push(&mut self, end: End, value: SmallBytes) {
        match end {
            End::Left => self.items.push_front(value),
            End::Right => self.items.push_back(value),
        }
    }

    pub fn pop(&mut self, end: End) -> Option<SmallBytes> {
        match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }
    }

    /// Remove up to `count` elements from `end`.
    pub fn remove_from(&mut self, end: End, count: usize) {
        let count = count.min(self.items.len());
        match end {
            End::Left => {
                self.items.drain(..count);
            }
            End::Right => self.items.truncate(self.items.len() - count),
        }
    }

    /// The element at a Redis index (negative counts from the tail).
    pub fn index(&self, index: i64) -> Option<usize> {
        let len = self.items.len() as i64;
        let index = if index < 0 { len + index } else { index };
        (0..len).contains(&index).then_some(index as usize)
    }

    /// The inclusive range `start..=end` of Redis indexes (negative from the tail) clamped to
    /// the list as LRANGE and LTRIM do; `None` when the range is empty.
    pub fn clamp_range(&self, start: i64, end: i64) -> Option<(usize, usize)> {
        let len = self.items.len() as i64;
        let mut start = if start < 0 { len + start } else { start };
        let end = if end < 0 { len + end } else { end };
        if start < 0 {
            start = 0;
        }
        if start > end || start >= len {
            return None;
        }
        Some((start as usize, end.min(len - 1) as usize))
    }

    /// Remove occurrences of `value`: the first `count` from the head (`count > 0`), the last
    /// `|count|` from the tail (`count < 0`), or all (`count == 0`). Returns how many.
    pub fn remove_matching(&mut self, value: &[u8], count: i64) -> usize {
        let limit = match count.unsigned_abs() {
            0 => usize::MAX,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
        if count >= 0 {
            let mut removed = 0;
            self.items.retain(|item| {
                if removed < limit && item.as_slice() == value {
                    removed += 1;
                    false
                } else {
                    true
                }
            });
            return removed;
        }
        // From the tail: find the leftmost of the last `limit` matches, then drop every match
        // from there on (`retain` only walks front to back).
        let mut first_removed = None;
        let mut found = 0;
        for (position, item) in self.items.iter().enumerate().rev() {
            if item.as_slice() == value {
                first_removed = Some(position);
                found += 1;
                if found == limit {
                    break;
                }
            }
        }
        let Some(first_removed) = first_removed else {
            return 0;
        };
        let mut position = 0;
        self.items.retain(|item| {
            let keep = position < first_removed || item.as_slice() != value;
            position += 1;
            keep
        });
        found
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    pub fn heap_size(&self) -> usize {
        self.items.capacity() * 24 + self.items.iter().map(|i| i.heap_size()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> List {
        List::from_items(items.iter().map(|s| SmallBytes::new(s.as_bytes())))
    }

    fn contents(list: &List) -> Vec<String> {
        list.items
            .iter()
            .map(|i| String::from_utf8_lossy(i).into_owned())
            .collect()
    }

    #[test]
    fn ranges_clamp_like_redis() {
        let l = list(&["a", "b", "c"]);
        assert_eq!(l.clamp_range(0, -1), Some((0, 2)));
        assert_eq!(l.clamp_range(-100, 100), Some((0, 2)));
        assert_eq!(l.clamp_range(1, 0), None);
        assert_eq!(l.clamp_range(3, 5), None);
        assert_eq!(l.clamp_range(i64::MIN, i64::MAX), Some((0, 2)));
        assert_eq!(l.clamp_range(i64::MAX, i64::MIN), None);
        assert_eq!(l.clamp_range(0, -4), None);
        assert_eq!(l.index(-1), Some(2));
        assert_eq!(l.index(3), None);
        assert_eq!(l.index(-4), None);
        assert_eq!(l.index(i64::MIN), None);
    }

    #[test]
    fn remove_matching_from_either_end() {
        let mut l = list(&["a", "b", "a", "c", "a"]);
        assert_eq!(l.remove_matching(b"a", -2), 2);
        assert_eq!(contents(&l), ["a", "b", "c"]);
        let mut l = list(&["a", "b", "a", "c", "a"]);
        assert_eq!(l.remove_matching(b"a", 2), 2);
        assert_eq!(contents(&l), ["b", "c", "a"]);
        let mut l = list(&["a", "b", "a", "c", "a"]);
        assert_eq!(l.remove_matching(b"a", 0), 3);
        assert_eq!(contents(&l), ["b", "c"]);
        let mut l = list(&["a", "b", "a"]);
        assert_eq!(l.remove_matching(b"a", i64::MIN), 2);
        assert_eq!(l.remove_matching(b"x", -1), 0);
        assert_eq!(contents(&l), ["b"]);
    }

    #[test]
    fn remove_from_ends() {
        let mut l = list(&["a", "b", "c", "d"]);
        l.remove_from(End::Left, 1);
        l.remove_from(End::Right, 2);
        assert_eq!(contents(&l), ["b"]);
        l.remove_from(End::Right, 10);
        assert!(l.is_empty());
    }
}
