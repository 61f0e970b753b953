//! Sorted set values, ordered by score then by member bytes.
//!
//! Two representations, as Redis 7.0 has them. Small sets are a sorted vector ("listpack"):
//! compact, and linear work is cheap at that size. A set that outgrows the configured limits
//! becomes a skip list with spans ("skiplist") for O(log n) updates and rank queries, plus a
//! member index for O(1) score lookups. The conversion is one-way, except for the results of
//! store commands, which Redis also shrinks back.
//!
//! Scores are never NaN. Comparisons use IEEE `<`/`==`, so -0.0 and 0.0 tie and the member
//! decides, as in Redis. The listpack form stores integral scores as integers, which turns
//! -0.0 into 0.0; the skip list keeps -0.0.

use std::cmp::Ordering;
use std::hash::BuildHasher;

use foldhash::fast::FixedState;

use super::SmallBytes;

/// The configured encoding limits (`zset-max-listpack-entries`, `zset-max-listpack-value`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_entries: usize,
    pub max_value: usize,
}

/// An inclusive or exclusive score interval (`1.5`, `(1.5`, `-inf`, `+inf`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub min_exclusive: bool,
    pub max_exclusive: bool,
}

impl ScoreRange {
    pub fn above_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    pub fn below_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }
}

/// One end of a lexicographic interval: `-`, `+`, or a member (`[a` / `(a`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexEdge {
    Min,
    Max,
    Member(Vec<u8>),
}

impl LexEdge {
    /// How `member` compares with this edge.
    fn cmp_member(&self, member: &[u8]) -> Ordering {
        match self {
            LexEdge::Min => Ordering::Greater,
            LexEdge::Max => Ordering::Less,
            LexEdge::Member(edge) => member.cmp(edge),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    pub min: LexEdge,
    pub max: LexEdge,
    pub min_exclusive: bool,
    pub max_exclusive: bool,
}

impl LexRange {
    /// A range no member can fall in: min above max, or equal with an open end.
    pub fn is_empty(&self) -> bool {
        let order = match (&self.min, &self.max) {
            (LexEdge::Min, LexEdge::Min) | (LexEdge::Max, LexEdge::Max) => Ordering::Equal,
            (LexEdge::Min, _) | (_, LexEdge::Max) => Ordering::Less,
            (LexEdge::Max, _) | (_, LexEdge::Min) => Ordering::Greater,
            (LexEdge::Member(a), LexEdge::Member(b)) => a.cmp(b),
        };
        order == Ordering::Greater
            || (order == Ordering::Equal && (self.min_exclusive || self.max_exclusive))
    }

    pub fn above_min(&self, member: &[u8]) -> bool {
        let ord = self.min.cmp_member(member);
        if self.min_exclusive {
            ord == Ordering::Greater
        } else {
            ord != Ordering::Less
        }
    }

    pub fn below_max(&self, member: &[u8]) -> bool {
        let ord = self.max.cmp_member(member);
        if self.max_exclusive {
            ord == Ordering::Less
        } else {
            ord != Ordering::Greater
        }
    }
}

/// Redis's order: by score, then by member bytes.
fn cmp_entries(score_a: f64, member_a: &[u8], score_b: f64, member_b: &[u8]) -> Ordering {
    if score_a < score_b {
        Ordering::Less
    } else if score_a > score_b {
        Ordering::Greater
    } else {
        member_a.cmp(member_b)
    }
}

/// The score the listpack form keeps: integral scores are stored as integers there.
fn listpack_score(score: f64) -> f64 {
    if score == 0.0 { 0.0 } else { score }
}

#[derive(Debug, Clone)]
enum Repr {
    Listpack(Vec<(SmallBytes, f64)>),
    Skiplist(Box<SkipList>),
}

#[derive(Debug, Clone)]
pub struct ZSet {
    repr: Repr,
}

impl Default for ZSet {
    fn default() -> Self {
        ZSet::new()
    }
}

impl ZSet {
    /// An empty set in the compact form.
    pub fn new() -> Self {
        ZSet {
            repr: Repr::Listpack(Vec::new()),
        }
    }

    /// An empty set already in the skip-list form.
    pub fn new_skiplist() -> Self {
        ZSet {
            repr: Repr::Skiplist(Box::new(SkipList::new())),
        }
    }

    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Listpack(v) => v.len(),
            Repr::Skiplist(s) => s.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match &self.repr {
            Repr::Listpack(_) => "listpack",
            Repr::Skiplist(_) => "skiplist",
        }
    }

    pub fn is_listpack(&self) -> bool {
        matches!(self.repr, Repr::Listpack(_))
    }

    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Listpack(v) => {
                v.capacity() * 32 + v.iter().map(|(m, _)| m.heap_size()).sum::<usize>()
            }
            Repr::Skiplist(s) => s.heap_size(),
        }
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Listpack(v) => v.iter().find(|(m, _)| m.as_slice() == member).map(|e| e.1),
            Repr::Skiplist(s) => s.find(member).map(|n| s.nodes[n as usize].score),
        }
    }

    /// 0-based position of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match &self.repr {
            Repr::Listpack(v) => v.iter().position(|(m, _)| m.as_slice() == member),
            Repr::Skiplist(s) => {
                let node = s.find(member)?;
                let score = s.nodes[node as usize].score;
                s.rank_of(score, member)
            }
        }
    }

    /// The entry at 0-based `rank` in ascending order.
    pub fn get_by_rank(&self, rank: usize) -> Option<(&[u8], f64)> {
        match &self.repr {
            Repr::Listpack(v) => v.get(rank).map(|(m, s)| (m.as_slice(), *s)),
            Repr::Skiplist(s) => {
                let node = s.node_at_rank(rank)?;
                let n = &s.nodes[node as usize];
                Some((n.member.as_slice(), n.score))
            }
        }
    }

    /// Set `member`'s score, adding it if absent; converts to the skip list when the set would
    /// outgrow `limits`. Returns the previous score. `score` must not be NaN.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: Limits) -> Option<f64> {
        debug_assert!(!score.is_nan());
        if let Repr::Listpack(v) = &mut self.repr {
            if let Some(pos) = v.iter().position(|(m, _)| m.as_slice() == member) {
                let old = v[pos].1;
                if old != score {
                    let entry = v.remove(pos);
                    let at = listpack_position(v, score, member);
                    v.insert(at, (entry.0, listpack_score(score)));
                }
                return Some(old);
            }
            if v.len() < limits.max_entries && member.len() <= limits.max_value {
                let at = listpack_position(v, score, member);
                v.insert(at, (SmallBytes::new(member), listpack_score(score)));
                return None;
            }
            self.convert_to_skiplist();
        }
        match &mut self.repr {
            Repr::Skiplist(s) => s.upsert(member, score),
            Repr::Listpack(_) => unreachable!("converted above"),
        }
    }

    /// Remove `member`; returns its score.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.repr {
            Repr::Listpack(v) => {
                let pos = v.iter().position(|(m, _)| m.as_slice() == member)?;
                Some(v.remove(pos).1)
            }
            Repr::Skiplist(s) => s.remove(member),
        }
    }

    /// Remove the entries with 0-based ranks `start..=end` (both within the set).
    pub fn remove_rank_range(&mut self, start: usize, end: usize) -> usize {
        if start > end || start >= self.len() {
            return 0;
        }
        let end = end.min(self.len() - 1);
        match &mut self.repr {
            Repr::Listpack(v) => {
                v.drain(start..=end);
            }
            Repr::Skiplist(s) => s.remove_rank_range(start, end),
        }
        end - start + 1
    }

    /// Entries with 0-based ranks `start..=end` (clamped), ascending or, with `reverse`,
    /// from `end` down to `start`.
    pub fn range(&self, start: usize, end: usize, reverse: bool) -> RangeIter<'_> {
        let len = self.len();
        if start > end || start >= len {
            return RangeIter::empty(self);
        }
        let end = end.min(len - 1);
        let remaining = end - start + 1;
        let first = if reverse { end } else { start };
        match &self.repr {
            Repr::Listpack(_) => RangeIter {
                set: self,
                cursor: first,
                remaining,
                reverse,
            },
            Repr::Skiplist(s) => RangeIter {
                set: self,
                cursor: s.node_at_rank(first).map_or(0, |n| n as usize),
                remaining,
                reverse,
            },
        }
    }

    /// Every entry in ascending order.
    pub fn iter(&self) -> RangeIter<'_> {
        self.range(0, usize::MAX, false)
    }

    /// 0-based ranks of the first and last entries within `range`, if any.
    pub fn score_range_ranks(&self, range: &ScoreRange) -> Option<(usize, usize)> {
        let first = self.partition(|score, _| !range.above_min(score));
        let (_, first_score) = self.get_by_rank(first)?;
        if !range.below_max(first_score) {
            return None;
        }
        let after = self.partition(|score, _| range.below_max(score));
        let (_, last_score) = self.get_by_rank(after.checked_sub(1)?)?;
        if !range.above_min(last_score) || after - 1 < first {
            return None;
        }
        Some((first, after - 1))
    }

    /// 0-based ranks of the first and last entries within `range`, if any. Lexicographic
    /// ranges are meaningful when all scores are equal, as Redis documents; with mixed scores
    /// the compact form answers as Redis's listpack code does: a linear search for the end the
    /// walk starts from (the last entry when `reverse`), then the run of entries within the
    /// other bound.
    pub fn lex_range_ranks(&self, range: &LexRange, reverse: bool) -> Option<(usize, usize)> {
        // Redis's zslIsInLexRange / zzlIsInLexRange, which also decide for unsorted members.
        if range.is_empty() {
            return None;
        }
        let (first_member, _) = self.get_by_rank(0)?;
        let (last_member, _) = self.get_by_rank(self.len() - 1)?;
        if !range.above_min(last_member) || !range.below_max(first_member) {
            return None;
        }
        if let Repr::Listpack(v) = &self.repr {
            if reverse {
                let last = v.iter().rposition(|(m, _)| range.below_max(m))?;
                let run = v[..=last]
                    .iter()
                    .rev()
                    .take_while(|(m, _)| range.above_min(m))
                    .count();
                return (run > 0).then(|| (last + 1 - run, last));
            }
            let first = v.iter().position(|(m, _)| range.above_min(m))?;
            let run = v[first..]
                .iter()
                .take_while(|(m, _)| range.below_max(m))
                .count();
            return (run > 0).then(|| (first, first + run - 1));
        }
        let first = self.partition(|_, member| !range.above_min(member));
        let (first_member, _) = self.get_by_rank(first)?;
        if !range.below_max(first_member) {
            return None;
        }
        let after = self.partition(|_, member| range.below_max(member));
        let (last_member, _) = self.get_by_rank(after.checked_sub(1)?)?;
        if !range.above_min(last_member) || after - 1 < first {
            return None;
        }
        Some((first, after - 1))
    }

    /// Number of leading entries (in order) for which `before` holds, `before` being true for
    /// a prefix of the order.
    fn partition(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        match &self.repr {
            Repr::Listpack(v) => v.partition_point(|(m, s)| before(*s, m)),
            Repr::Skiplist(s) => s.partition(before),
        }
    }

    /// One step of a SCAN: calls `emit` for the entries of some buckets and returns the next
    /// cursor (0 when done). Entries present for the whole scan are emitted at least once
    /// even if the set changes between calls. The compact form is emitted whole.
    pub fn scan(&self, cursor: u64, count: usize, mut emit: impl FnMut(&[u8], f64)) -> u64 {
        match &self.repr {
            Repr::Listpack(v) => {
                for (member, score) in v {
                    emit(member, *score);
                }
                0
            }
            Repr::Skiplist(s) => s.scan(cursor, count, &mut emit),
        }
    }

    /// A random entry (uniformly).
    pub fn random_entry(&self, rng: &mut impl rand::Rng) -> Option<(&[u8], f64)> {
        if self.is_empty() {
            return None;
        }
        let rank = rng.random_range(0..self.len());
        self.get_by_rank(rank)
    }

    /// Build a set from entries with distinct members (any order), choosing the encoding
    /// store commands pick for their result.
    pub fn from_entries(entries: Vec<(SmallBytes, f64)>, limits: Limits) -> ZSet {
        let fits = entries.len() <= limits.max_entries
            && entries.iter().all(|(m, _)| m.len() <= limits.max_value);
        if fits {
            let mut v: Vec<(SmallBytes, f64)> = entries
                .into_iter()
                .map(|(m, s)| (m, listpack_score(s)))
                .collect();
            v.sort_by(|a, b| cmp_entries(a.1, &a.0, b.1, &b.0));
            ZSet {
                repr: Repr::Listpack(v),
            }
        } else {
            let mut list = SkipList::new();
            for (member, score) in entries {
                list.upsert(&member, score);
            }
            ZSet {
                repr: Repr::Skiplist(Box::new(list)),
            }
        }
    }

    fn convert_to_skiplist(&mut self) {
        if let Repr::Listpack(v) = &mut self.repr {
            let mut list = SkipList::new();
            for (member, score) in v.drain(..) {
                list.push_back(member, score);
            }
            self.repr = Repr::Skiplist(Box::new(list));
        }
    }
}

/// Where (score, member) goes in a sorted vector.
fn listpack_position(v: &[(SmallBytes, f64)], score: f64, member: &[u8]) -> usize {
    v.partition_point(|(m, s)| cmp_entries(*s, m, score, member) == Ordering::Less)
}

/// Walks a rank range in either direction.
pub struct RangeIter<'a> {
    set: &'a ZSet,
    /// Vector index (listpack) or node index (skip list) of the next entry.
    cursor: usize,
    remaining: usize,
    reverse: bool,
}

impl<'a> RangeIter<'a> {
    fn empty(set: &'a ZSet) -> Self {
        RangeIter {
            set,
            cursor: 0,
            remaining: 0,
            reverse: false,
        }
    }
}

impl<'a> Iterator for RangeIter<'a> {
    type Item = (&'a [u8], f64);

    fn next(&mut self) -> Option<Self::Item> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        match &self.set.repr {
            Repr::Listpack(v) => {
                let (member, score) = v.get(self.cursor)?;
                self.cursor = if self.reverse {
                    self.cursor.wrapping_sub(1)
                } else {
                    self.cursor + 1
                };
                Some((member.as_slice(), *score))
            }
            Repr::Skiplist(s) => {
                let node = s.nodes.get(self.cursor)?;
                self.cursor = if self.reverse {
                    node.backward as usize
                } else {
                    node.next0 as usize
                };
                Some((node.member.as_slice(), node.score))
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for RangeIter<'_> {}

// ---- the skip list ------------------------------------------------------------------------

const NIL: u32 = u32::MAX;
const HEAD: u32 = 0;
const MAX_LEVEL: usize = 32;
const HASH_SEED: u64 = 0x2f6b_9a13_c4d8_e075;

#[derive(Debug, Clone, Copy)]
struct Link {
    next: u32,
    /// Number of level-0 steps this link skips (ranks between the two nodes).
    span: u32,
}

/// A skip-list node in the arena; also a member of the member index's bucket chain.
#[derive(Debug, Clone)]
struct Node {
    member: SmallBytes,
    score: f64,
    /// Previous node at level 0 (`HEAD` for the first).
    backward: u32,
    /// Next node at level 0. Level-0 links always span 1.
    next0: u32,
    /// Links for levels 1 and up; most nodes have none.
    upper: Option<Box<[Link]>>,
    /// Next node in the same member-index bucket.
    bucket_next: u32,
    hash: u32,
}

/// Pugh's skip list with spans (as Redis's zskiplist), its nodes in a vector indexed by u32,
/// plus a chained hash index from member to node whose power-of-two bucket array supports
/// Redis's reverse-binary SCAN cursor.
#[derive(Debug, Clone)]
struct SkipList {
    /// `nodes[0]` is the head sentinel with every level.
    nodes: Vec<Node>,
    free: Vec<u32>,
    level: usize,
    len: usize,
    tail: u32,
    buckets: Vec<u32>,
    rng_state: u64,
}

impl SkipList {
    fn new() -> Self {
        let head = Node {
            member: SmallBytes::default(),
            score: 0.0,
            backward: NIL,
            next0: NIL,
            upper: Some(vec![Link { next: NIL, span: 0 }; MAX_LEVEL - 1].into_boxed_slice()),
            bucket_next: NIL,
            hash: 0,
        };
        SkipList {
            nodes: vec![head],
            free: Vec::new(),
            level: 1,
            len: 0,
            tail: HEAD,
            buckets: Vec::new(),
            rng_state: rand::random::<u64>() | 1,
        }
    }

    fn heap_size(&self) -> usize {
        let nodes = self.nodes.capacity() * std::mem::size_of::<Node>();
        let extra: usize = self
            .nodes
            .iter()
            .map(|n| n.member.heap_size() + n.upper.as_ref().map_or(0, |u| u.len() * 8))
            .sum();
        nodes + extra + self.buckets.capacity() * 4 + self.free.capacity() * 4
    }

    fn next(&self, node: u32, level: usize) -> u32 {
        let n = &self.nodes[node as usize];
        if level == 0 {
            n.next0
        } else {
            n.upper.as_ref().map_or(NIL, |u| u[level - 1].next)
        }
    }

    fn span(&self, node: u32, level: usize) -> usize {
        if level == 0 {
            return 1;
        }
        self.nodes[node as usize]
            .upper
            .as_ref()
            .map_or(0, |u| u[level - 1].span as usize)
    }

    fn set_link(&mut self, node: u32, level: usize, next: u32, span: usize) {
        let n = &mut self.nodes[node as usize];
        if level == 0 {
            n.next0 = next;
        } else if let Some(upper) = n.upper.as_mut() {
            upper[level - 1] = Link {
                next,
                span: span as u32,
            };
        }
    }

    fn set_span(&mut self, node: u32, level: usize, span: usize) {
        if level == 0 {
            return;
        }
        if let Some(upper) = self.nodes[node as usize].upper.as_mut() {
            upper[level - 1].span = span as u32;
        }
    }

    /// Whether node `x` sorts before (score, member).
    fn before(&self, x: u32, score: f64, member: &[u8]) -> bool {
        let n = &self.nodes[x as usize];
        cmp_entries(n.score, &n.member, score, member) == Ordering::Less
    }

    fn random_level(&mut self) -> usize {
        let mut level = 1;
        loop {
            // xorshift64*: cheap, and node heights need no cryptographic quality.
            self.rng_state ^= self.rng_state >> 12;
            self.rng_state ^= self.rng_state << 25;
            self.rng_state ^= self.rng_state >> 27;
            let r = self.rng_state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 48;
            if (r & 0xFFFF) < 0xFFFF / 4 && level < MAX_LEVEL {
                level += 1;
            } else {
                return level;
            }
        }
    }

    fn alloc(&mut self, member: SmallBytes, score: f64, level: usize, hash: u32) -> u32 {
        let node = Node {
            member,
            score,
            backward: NIL,
            next0: NIL,
            upper: (level > 1)
                .then(|| vec![Link { next: NIL, span: 0 }; level - 1].into_boxed_slice()),
            bucket_next: NIL,
            hash,
        };
        if let Some(index) = self.free.pop() {
            self.nodes[index as usize] = node;
            index
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as u32
        }
    }

    fn hash_of(member: &[u8]) -> u32 {
        FixedState::with_seed(HASH_SEED).hash_one(member) as u32
    }

    fn find(&self, member: &[u8]) -> Option<u32> {
        if self.buckets.is_empty() {
            return None;
        }
        let hash = Self::hash_of(member);
        let mut node = self.buckets[hash as usize & (self.buckets.len() - 1)];
        while node != NIL {
            let n = &self.nodes[node as usize];
            if n.hash == hash && n.member.as_slice() == member {
                return Some(node);
            }
            node = n.bucket_next;
        }
        None
    }

    /// Add a node, already linked into the list, to the member index.
    fn index_insert(&mut self, node: u32) {
        if self.buckets.len() < self.len.max(4) {
            // The rebuild walks the list, which already holds `node`.
            self.resize_index(self.len.next_power_of_two().max(4));
            return;
        }
        let mask = self.buckets.len() - 1;
        let bucket = self.nodes[node as usize].hash as usize & mask;
        self.nodes[node as usize].bucket_next = self.buckets[bucket];
        self.buckets[bucket] = node;
    }

    fn index_remove(&mut self, node: u32) {
        let mask = self.buckets.len() - 1;
        let bucket = self.nodes[node as usize].hash as usize & mask;
        let after = self.nodes[node as usize].bucket_next;
        if self.buckets[bucket] == node {
            self.buckets[bucket] = after;
            return;
        }
        let mut at = self.buckets[bucket];
        while at != NIL {
            let next = self.nodes[at as usize].bucket_next;
            if next == node {
                self.nodes[at as usize].bucket_next = after;
                return;
            }
            at = next;
        }
    }

    /// Rebuild the member index with `size` buckets (a power of two).
    fn resize_index(&mut self, size: usize) {
        self.buckets = vec![NIL; size];
        let mask = size - 1;
        let mut node = self.nodes[HEAD as usize].next0;
        while node != NIL {
            let bucket = self.nodes[node as usize].hash as usize & mask;
            self.nodes[node as usize].bucket_next = self.buckets[bucket];
            self.buckets[bucket] = node;
            node = self.nodes[node as usize].next0;
        }
    }

    /// Insert or update; returns the old score.
    fn upsert(&mut self, member: &[u8], score: f64) -> Option<f64> {
        if let Some(node) = self.find(member) {
            let old = self.nodes[node as usize].score;
            if old != score {
                self.update_score(node, score);
            }
            return Some(old);
        }
        self.insert_new(SmallBytes::new(member), score);
        None
    }

    /// Append an entry known to sort after every present one (building from sorted input).
    fn push_back(&mut self, member: SmallBytes, score: f64) {
        self.insert_new(member, score);
    }

    fn insert_new(&mut self, member: SmallBytes, score: f64) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut rank = [0usize; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            rank[i] = if i == self.level - 1 { 0 } else { rank[i + 1] };
            loop {
                let f = self.next(x, i);
                if f != NIL && self.before(f, score, &member) {
                    rank[i] += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let level = self.random_level();
        if level > self.level {
            for i in self.level..level {
                rank[i] = 0;
                update[i] = HEAD;
                self.set_span(HEAD, i, self.len);
            }
            self.level = level;
        }
        let hash = Self::hash_of(&member);
        let x = self.alloc(member, score, level, hash);
        for i in 0..level {
            let prev = update[i];
            let prev_next = self.next(prev, i);
            let prev_span = self.span(prev, i);
            let crossed = rank[0] - rank[i];
            self.set_link(x, i, prev_next, prev_span.saturating_sub(crossed));
            self.set_link(prev, i, x, crossed + 1);
        }
        for (i, &prev) in update.iter().enumerate().take(self.level).skip(level) {
            let span = self.span(prev, i);
            self.set_span(prev, i, span + 1);
        }
        let backward = update[0];
        self.nodes[x as usize].backward = backward;
        let next = self.nodes[x as usize].next0;
        if next != NIL {
            self.nodes[next as usize].backward = x;
        } else {
            self.tail = x;
        }
        self.len += 1;
        self.index_insert(x);
    }

    /// The predecessors of (score, member) at every level.
    fn predecessors(&self, score: f64, member: &[u8]) -> [u32; MAX_LEVEL] {
        let mut update = [HEAD; MAX_LEVEL];
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.next(x, i);
                if f != NIL && self.before(f, score, member) {
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        update
    }

    /// Unlink node `x` from the list given its predecessors (Redis's zslDeleteNode).
    fn unlink(&mut self, x: u32, update: &[u32; MAX_LEVEL]) {
        for (i, &prev) in update.iter().enumerate().take(self.level) {
            if self.next(prev, i) == x {
                let span = (self.span(prev, i) + self.span(x, i)).saturating_sub(1);
                let next = self.next(x, i);
                self.set_link(prev, i, next, span);
            } else {
                let span = self.span(prev, i).saturating_sub(1);
                self.set_span(prev, i, span);
            }
        }
        let next = self.nodes[x as usize].next0;
        let back = self.nodes[x as usize].backward;
        if next != NIL {
            self.nodes[next as usize].backward = back;
        } else {
            self.tail = back;
        }
        while self.level > 1 && self.next(HEAD, self.level - 1) == NIL {
            self.level -= 1;
        }
        self.len -= 1;
    }

    fn release(&mut self, x: u32) {
        let n = &mut self.nodes[x as usize];
        n.member = SmallBytes::default();
        n.upper = None;
        n.next0 = NIL;
        n.bucket_next = NIL;
        self.free.push(x);
    }

    fn update_score(&mut self, x: u32, score: f64) {
        let (old, back, next) = {
            let n = &self.nodes[x as usize];
            (n.score, n.backward, n.next0)
        };
        let member = self.nodes[x as usize].member.clone();
        // Same place in the order: only the score changes (Redis's zslUpdateScore shortcut).
        let after_prev = back == HEAD || self.before(back, score, &member);
        let before_next = next == NIL || {
            let n = &self.nodes[next as usize];
            cmp_entries(score, &member, n.score, &n.member) == Ordering::Less
        };
        if after_prev && before_next {
            self.nodes[x as usize].score = score;
            return;
        }
        let update = self.predecessors(old, &member);
        self.unlink(x, &update);
        self.index_remove(x);
        self.release(x);
        self.insert_new(member, score);
    }

    fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let x = self.find(member)?;
        let score = self.nodes[x as usize].score;
        let update = self.predecessors(score, member);
        self.unlink(x, &update);
        self.index_remove(x);
        self.release(x);
        self.after_removal();
        Some(score)
    }

    /// Remove ranks `start..=end` (0-based, within the list).
    fn remove_rank_range(&mut self, start: usize, end: usize) {
        let mut update = [HEAD; MAX_LEVEL];
        let mut traversed = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.next(x, i);
                if f != NIL && traversed + self.span(x, i) <= start {
                    traversed += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
            update[i] = x;
        }
        let mut x = self.nodes[x as usize].next0;
        let mut removed = 0;
        while x != NIL && removed < end - start + 1 {
            let next = self.nodes[x as usize].next0;
            self.unlink(x, &update);
            self.index_remove(x);
            self.release(x);
            removed += 1;
            x = next;
        }
        self.after_removal();
    }

    /// Give memory back once the set has shrunk well below its peak.
    fn after_removal(&mut self) {
        if self.buckets.len() > 4 && self.len * 10 < self.buckets.len() {
            self.resize_index(self.len.next_power_of_two().max(4));
        }
        if self.nodes.len() > 64 && self.len * 4 < self.nodes.len() {
            let mut compact = SkipList::new();
            compact.rng_state = self.rng_state;
            let mut x = self.nodes[HEAD as usize].next0;
            while x != NIL {
                let n = &mut self.nodes[x as usize];
                let member = std::mem::take(&mut n.member);
                let score = n.score;
                x = n.next0;
                compact.push_back(member, score);
            }
            *self = compact;
        }
    }

    /// 0-based rank of (score, member), which must be present.
    fn rank_of(&self, score: f64, member: &[u8]) -> Option<usize> {
        let mut rank = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.next(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if cmp_entries(n.score, &n.member, score, member) != Ordering::Greater {
                    rank += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
            if x != HEAD && self.nodes[x as usize].member.as_slice() == member {
                return rank.checked_sub(1);
            }
        }
        None
    }

    /// Node at 0-based `rank`.
    fn node_at_rank(&self, rank: usize) -> Option<u32> {
        if rank >= self.len {
            return None;
        }
        let target = rank + 1;
        let mut traversed = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.next(x, i);
                if f != NIL && traversed + self.span(x, i) <= target {
                    traversed += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
            if traversed == target {
                return Some(x);
            }
        }
        None
    }

    fn partition(&self, before: impl Fn(f64, &[u8]) -> bool) -> usize {
        let mut rank = 0;
        let mut x = HEAD;
        for i in (0..self.level).rev() {
            loop {
                let f = self.next(x, i);
                if f == NIL {
                    break;
                }
                let n = &self.nodes[f as usize];
                if before(n.score, &n.member) {
                    rank += self.span(x, i);
                    x = f;
                } else {
                    break;
                }
            }
        }
        rank
    }

    /// Redis's dictScan over one table: visit buckets in reverse-binary cursor order, which
    /// keeps the guarantee across the index growing or shrinking between calls.
    fn scan(&self, cursor: u64, count: usize, emit: &mut dyn FnMut(&[u8], f64)) -> u64 {
        if self.len == 0 || self.buckets.is_empty() {
            return 0;
        }
        let mask = (self.buckets.len() - 1) as u64;
        let mut cursor = cursor;
        let mut emitted = 0;
        let mut budget = count.saturating_mul(10).max(1);
        loop {
            let mut node = self.buckets[(cursor & mask) as usize];
            while node != NIL {
                let n = &self.nodes[node as usize];
                emit(&n.member, n.score);
                emitted += 1;
                node = n.bucket_next;
            }
            cursor |= !mask;
            cursor = cursor.reverse_bits().wrapping_add(1).reverse_bits();
            budget -= 1;
            if cursor == 0 || budget == 0 || emitted >= count {
                return cursor;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    const SMALL: Limits = Limits {
        max_entries: 8,
        max_value: 64,
    };

    /// A simple reference model: a vector kept sorted.
    fn model_sorted(model: &std::collections::HashMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
        let mut v: Vec<(Vec<u8>, f64)> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
        v.sort_by(|a, b| cmp_entries(a.1, &a.0, b.1, &b.0));
        v
    }

    fn check(set: &ZSet, model: &std::collections::HashMap<Vec<u8>, f64>) {
        let expected = model_sorted(model);
        assert_eq!(set.len(), expected.len());
        let got: Vec<(Vec<u8>, f64)> = set.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(got, expected);
        let rev: Vec<(Vec<u8>, f64)> = set
            .range(0, usize::MAX, true)
            .map(|(m, s)| (m.to_vec(), s))
            .collect();
        let mut expected_rev = expected.clone();
        expected_rev.reverse();
        assert_eq!(rev, expected_rev);
        for (rank, (member, score)) in expected.iter().enumerate() {
            assert_eq!(set.rank(member), Some(rank));
            assert_eq!(set.score(member), Some(*score));
            let (m, s) = set.get_by_rank(rank).expect("rank");
            assert_eq!((m, s), (member.as_slice(), *score));
        }
        if let Repr::Skiplist(list) = &set.repr {
            // Spans at every level add up to the ranks.
            for level in 0..list.level {
                let mut x = HEAD;
                let mut rank = 0;
                while list.next(x, level) != NIL {
                    rank += list.span(x, level);
                    x = list.next(x, level);
                    assert_eq!(
                        list.rank_of(list.nodes[x as usize].score, &list.nodes[x as usize].member),
                        Some(rank - 1)
                    );
                }
            }
        }
    }

    #[test]
    fn random_operations_match_a_model() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let big = Limits {
            max_entries: 0,
            max_value: 64,
        };
        for (limits, members) in [(SMALL, 60), (big, 60), (big, 400)] {
            let mut set = ZSet::new();
            let mut model = std::collections::HashMap::new();
            for step in 0..4000 {
                let member = format!("m{}", rng.random_range(0..members)).into_bytes();
                let score = rng.random_range(-5..5) as f64 / 2.0;
                match rng.random_range(0..10) {
                    0..=5 => {
                        let old = set.insert(&member, score, limits);
                        let stored = if set.is_listpack() {
                            listpack_score(score)
                        } else {
                            score
                        };
                        assert_eq!(old, model.insert(member.clone(), stored));
                    }
                    6..=7 => {
                        assert_eq!(set.remove(&member), model.remove(&member));
                    }
                    8 => {
                        if !set.is_empty() {
                            let a = rng.random_range(0..set.len());
                            let b = rng.random_range(a..set.len());
                            let expected = model_sorted(&model);
                            for (m, _) in &expected[a..=b] {
                                model.remove(m);
                            }
                            assert_eq!(set.remove_rank_range(a, b), b - a + 1);
                        }
                    }
                    _ => {
                        let range = ScoreRange {
                            min: rng.random_range(-3..3) as f64,
                            max: rng.random_range(-3..3) as f64,
                            min_exclusive: rng.random(),
                            max_exclusive: rng.random(),
                        };
                        let expected: Vec<usize> = model_sorted(&model)
                            .iter()
                            .enumerate()
                            .filter(|(_, (_, s))| range.above_min(*s) && range.below_max(*s))
                            .map(|(i, _)| i)
                            .collect();
                        let got = set.score_range_ranks(&range);
                        match got {
                            None => assert!(expected.is_empty(), "{range:?}"),
                            Some((a, b)) => {
                                assert_eq!(expected, (a..=b).collect::<Vec<_>>(), "{range:?}")
                            }
                        }
                    }
                }
                if step % 50 == 0 {
                    check(&set, &model);
                }
            }
            check(&set, &model);
            assert_eq!(set.encoding(), "skiplist");
        }
    }

    #[test]
    fn lex_ranges() {
        let mut set = ZSet::new();
        for m in ["a", "b", "c", "d"] {
            set.insert(m.as_bytes(), 0.0, SMALL);
        }
        let range = |min: LexEdge, minex, max: LexEdge, maxex| LexRange {
            min,
            max,
            min_exclusive: minex,
            max_exclusive: maxex,
        };
        let m = |s: &str| LexEdge::Member(s.as_bytes().to_vec());
        assert_eq!(
            set.lex_range_ranks(&range(LexEdge::Min, true, LexEdge::Max, true), false),
            Some((0, 3))
        );
        assert_eq!(
            set.lex_range_ranks(&range(m("b"), false, m("c"), true), false),
            Some((1, 1))
        );
        assert_eq!(
            set.lex_range_ranks(&range(m("b"), true, m("c"), true), false),
            None
        );
        assert_eq!(
            set.lex_range_ranks(&range(LexEdge::Max, true, LexEdge::Min, true), false),
            None
        );
        assert_eq!(
            set.lex_range_ranks(&range(LexEdge::Min, true, LexEdge::Min, true), false),
            None
        );
    }

    #[test]
    fn scan_returns_every_stable_member_while_the_set_changes() {
        let limits = Limits {
            max_entries: 0,
            max_value: 64,
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let mut set = ZSet::new();
        for i in 0..100 {
            set.insert(format!("stable{i}").as_bytes(), i as f64, limits);
        }
        let mut seen = std::collections::HashSet::new();
        let mut cursor = 0;
        let mut calls = 0;
        loop {
            cursor = set.scan(cursor, 10, |m, _| {
                seen.insert(m.to_vec());
            });
            calls += 1;
            // Grow and shrink the set between calls so the index resizes both ways.
            if calls % 3 == 0 {
                for _ in 0..1500 {
                    set.insert(
                        format!("tmp{}", rng.random::<u32>()).as_bytes(),
                        1.0,
                        limits,
                    );
                }
            } else if calls % 3 == 1 {
                let temp: Vec<Vec<u8>> = set
                    .iter()
                    .filter(|(m, _)| m.starts_with(b"tmp"))
                    .map(|(m, _)| m.to_vec())
                    .collect();
                for m in temp {
                    set.remove(&m);
                }
            }
            if cursor == 0 {
                break;
            }
            assert!(calls < 100_000);
        }
        for i in 0..100 {
            assert!(
                seen.contains(format!("stable{i}").as_bytes()),
                "missed stable{i}"
            );
        }
    }

    #[test]
    fn negative_zero_and_conversion() {
        let mut set = ZSet::new();
        set.insert(b"a", -0.0, SMALL);
        assert!(
            set.score(b"a")
                .is_some_and(|s| s == 0.0 && s.is_sign_positive())
        );
        for i in 0..20 {
            set.insert(format!("x{i}").as_bytes(), i as f64, SMALL);
        }
        assert_eq!(set.encoding(), "skiplist");
        set.insert(b"b", -0.0, SMALL);
        assert!(set.score(b"b").is_some_and(|s| s.is_sign_negative()));
        // -0.0 and 0.0 tie: the member decides.
        assert_eq!(set.rank(b"a"), Some(0));
        assert_eq!(set.rank(b"b"), Some(1));
        assert_eq!(set.rank(b"x0"), Some(2));
        let long = vec![b'z'; 65];
        let mut set = ZSet::new();
        set.insert(&long, 1.0, SMALL);
        assert_eq!(set.encoding(), "skiplist");
    }
}
