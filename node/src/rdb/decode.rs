//! One RDB value, given its type byte, decoded into a [`Value`] (Redis's `rdbLoadObject`).
//!
//! Redis re-encodes on load, and so do we: every element goes through the types' own insert
//! APIs with the node's configured limits, so a small hash saved as a hashtable comes back as
//! a listpack, a big listpack comes back as a table, exactly as the same writes made by
//! commands would have left them. Input comes from files and RESTORE payloads, so anything
//! malformed is an error and declared lengths never reserve memory the data cannot back: every
//! element is read (bounds-checked) before it is stored.

use super::encoding::{DecodeError, Reader};
use super::{intset, listpack, ziplist};
use crate::config::Config;
use crate::types::hash::{Hash, HashLimits};
use crate::types::list::{End, List};
use crate::types::set::{Member, Set};
use crate::types::zset::{self, ZSet};
use crate::types::{SmallBytes, Value};

pub use super::encode::{
    TYPE_HASH, TYPE_HASH_LISTPACK, TYPE_HASH_ZIPLIST, TYPE_HASH_ZIPMAP, TYPE_LIST,
    TYPE_LIST_QUICKLIST, TYPE_LIST_QUICKLIST_2, TYPE_LIST_ZIPLIST, TYPE_SET, TYPE_SET_INTSET,
    TYPE_STREAM_LISTPACKS, TYPE_STREAM_LISTPACKS_2, TYPE_STRING, TYPE_ZSET, TYPE_ZSET_2,
    TYPE_ZSET_LISTPACK, TYPE_ZSET_ZIPLIST,
};
/// Types Redis has and this node does not serve (rdb.h).
pub const TYPE_MODULE: u8 = 6;
pub const TYPE_MODULE_2: u8 = 7;
pub const TYPE_STREAM_LISTPACKS_3: u8 = 21;

/// Quicklist v2 node containers.
const QUICKLIST_NODE_PLAIN: u64 = 1;
const QUICKLIST_NODE_PACKED: u64 = 2;

/// The encoding thresholds that decide how a loaded value is stored, copied from the config.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub hash: HashLimits,
    pub zset: zset::Limits,
    pub set_max_intset_entries: usize,
}

impl Limits {
    pub fn from_config(config: &Config) -> Self {
        Limits {
            hash: HashLimits::from_config(config),
            zset: zset::Limits {
                max_entries: config.zset_max_listpack_entries,
                max_value: config.zset_max_listpack_value,
            },
            set_max_intset_entries: config.set_max_intset_entries,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::from_config(&Config::default())
    }
}

/// What decoding one value gave.
#[derive(Debug, Clone)]
pub enum Decoded {
    Value(Value),
    /// An empty collection. Redis skips such keys with a warning (and RESTORE refuses them).
    Empty,
}

/// Why a value could not be decoded; the text says what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ValueError(pub String);

impl ValueError {
    fn new(text: impl Into<String>) -> Self {
        ValueError(text.into())
    }
}

impl From<DecodeError> for ValueError {
    fn from(e: DecodeError) -> Self {
        ValueError(e.to_string())
    }
}

impl From<listpack::Error> for ValueError {
    fn from(e: listpack::Error) -> Self {
        ValueError(format!("invalid listpack: {e}"))
    }
}

impl From<ziplist::Error> for ValueError {
    fn from(e: ziplist::Error) -> Self {
        ValueError(format!("invalid ziplist: {e}"))
    }
}

impl From<intset::Error> for ValueError {
    fn from(e: intset::Error) -> Self {
        ValueError(format!("invalid intset: {e}"))
    }
}

/// Whether `b` is the type byte of a value (as opposed to an opcode such as SELECTDB). Every
/// type Redis 7.0 knows counts, including the ones this node refuses to load.
pub fn is_value_type(b: u8) -> bool {
    matches!(b, 0..=7 | 9..=19 | 21)
}

/// The error for a type byte this node does not decode: named when Redis has the type.
fn unsupported(rdb_type: u8) -> ValueError {
    let what = match rdb_type {
        TYPE_MODULE | TYPE_MODULE_2 => "module values",
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 | TYPE_STREAM_LISTPACKS_3 => {
            "stream values"
        }
        other => return ValueError(format!("unknown RDB value type {other}")),
    };
    ValueError(format!(
        "{what} (RDB type {rdb_type}) are not supported by this node"
    ))
}

/// Decode the value that follows a type byte (the key, if any, was read by the caller).
pub fn read_value(
    r: &mut Reader<'_>,
    rdb_type: u8,
    limits: &Limits,
) -> Result<Decoded, ValueError> {
    let value = match rdb_type {
        TYPE_STRING => Decoded::Value(Value::string(&r.read_string()?)),
        TYPE_LIST => {
            let mut list = List::default();
            for _ in 0..r.read_length()? {
                list.push(End::Right, SmallBytes::from(r.read_string()?));
            }
            collection(Value::List(Box::new(list)))
        }
        TYPE_LIST_ZIPLIST => {
            let mut list = List::default();
            append_elements(&mut list, ziplist::decode(&r.read_string()?)?);
            collection(Value::List(Box::new(list)))
        }
        TYPE_LIST_QUICKLIST | TYPE_LIST_QUICKLIST_2 => read_quicklist(r, rdb_type)?,
        TYPE_SET => {
            let mut set = Set::new();
            for _ in 0..r.read_length()? {
                let member = r.read_string()?;
                add_member(&mut set, Member::Bytes(&member), limits)?;
            }
            collection(Value::Set(Box::new(set)))
        }
        TYPE_SET_INTSET => {
            let blob = r.read_string()?;
            let values = match intset::decode(&blob) {
                Err(intset::Error::Empty) => Vec::new(),
                other => other?,
            };
            let mut set = Set::new();
            for v in values {
                add_member(&mut set, Member::Int(v), limits)?;
            }
            collection(Value::Set(Box::new(set)))
        }
        TYPE_ZSET | TYPE_ZSET_2 => {
            let mut zset = ZSet::new();
            for _ in 0..r.read_length()? {
                let member = r.read_string()?;
                let score = if rdb_type == TYPE_ZSET_2 {
                    r.read_binary_double()?
                } else {
                    r.read_ascii_double()?
                };
                add_scored(&mut zset, &member, score, limits)?;
            }
            collection(Value::ZSet(Box::new(zset)))
        }
        TYPE_ZSET_ZIPLIST => zset_from_pairs(ziplist::decode(&r.read_string()?)?, limits)?,
        TYPE_ZSET_LISTPACK => zset_from_pairs(listpack::decode(&r.read_string()?)?, limits)?,
        TYPE_HASH => {
            let mut hash = Hash::new();
            for _ in 0..r.read_length()? {
                let field = r.read_string()?;
                let value = r.read_string()?;
                add_field(&mut hash, &field, &value, limits)?;
            }
            collection(Value::Hash(Box::new(hash)))
        }
        TYPE_HASH_ZIPMAP => {
            let mut hash = Hash::new();
            for (field, value) in ziplist::decode_zipmap(&r.read_string()?)? {
                add_field(&mut hash, &field, &value, limits)?;
            }
            collection(Value::Hash(Box::new(hash)))
        }
        TYPE_HASH_ZIPLIST => hash_from_pairs(ziplist::decode(&r.read_string()?)?, limits)?,
        TYPE_HASH_LISTPACK => hash_from_pairs(listpack::decode(&r.read_string()?)?, limits)?,
        other => return Err(unsupported(other)),
    };
    Ok(value)
}

/// Quicklist v1 (type 14: every node a ziplist) and v2 (type 18: PLAIN nodes holding one
/// element, PACKED nodes holding a listpack). Empty nodes are skipped, as Redis does.
fn read_quicklist(r: &mut Reader<'_>, rdb_type: u8) -> Result<Decoded, ValueError> {
    let mut list = List::default();
    for _ in 0..r.read_length()? {
        if rdb_type == TYPE_LIST_QUICKLIST {
            append_elements(&mut list, ziplist::decode(&r.read_string()?)?);
            continue;
        }
        match r.read_length()? {
            QUICKLIST_NODE_PLAIN => list.push(End::Right, SmallBytes::from(r.read_string()?)),
            QUICKLIST_NODE_PACKED => {
                append_elements(&mut list, listpack::decode(&r.read_string()?)?);
            }
            other => {
                return Err(ValueError(format!(
                    "quicklist node container {other} is neither PLAIN (1) nor PACKED (2)"
                )));
            }
        }
    }
    Ok(collection(Value::List(Box::new(list))))
}

fn with_element<R>(element: &listpack::Value, f: impl FnOnce(&[u8]) -> R) -> R {
    match element {
        listpack::Value::Bytes(b) => f(b),
        listpack::Value::Int(v) => f(itoa::Buffer::new().format(*v).as_bytes()),
    }
}

fn append_elements(list: &mut List, elements: Vec<listpack::Value>) {
    for e in elements {
        let item = match e {
            listpack::Value::Bytes(b) => SmallBytes::from(b),
            listpack::Value::Int(v) => SmallBytes::new(itoa::Buffer::new().format(v).as_bytes()),
        };
        list.push(End::Right, item);
    }
}

fn add_member(set: &mut Set, member: Member, limits: &Limits) -> Result<(), ValueError> {
    if set.insert_member(member, limits.set_max_intset_entries) {
        Ok(())
    } else {
        Err(ValueError::new("duplicate set member"))
    }
}

fn add_field(
    hash: &mut Hash,
    field: &[u8],
    value: &[u8],
    limits: &Limits,
) -> Result<(), ValueError> {
    if hash.insert(field, value, limits.hash) {
        Ok(())
    } else {
        Err(ValueError::new("duplicate hash field"))
    }
}

fn add_scored(
    zset: &mut ZSet,
    member: &[u8],
    score: f64,
    limits: &Limits,
) -> Result<(), ValueError> {
    if score.is_nan() {
        return Err(ValueError::new("sorted set with a NaN score"));
    }
    match zset.insert(member, score, limits.zset) {
        None => Ok(()),
        Some(_) => Err(ValueError::new("duplicate sorted set member")),
    }
}

/// Elements alternating with their pairs (field/value, member/score) must come in twos.
fn pairs(
    elements: Vec<listpack::Value>,
    what: &str,
) -> Result<impl Iterator<Item = (listpack::Value, listpack::Value)>, ValueError> {
    if !elements.len().is_multiple_of(2) {
        return Err(ValueError(format!(
            "{what} with an odd number of elements ({})",
            elements.len()
        )));
    }
    let mut it = elements.into_iter();
    Ok(std::iter::from_fn(move || Some((it.next()?, it.next()?))))
}

fn hash_from_pairs(elements: Vec<listpack::Value>, limits: &Limits) -> Result<Decoded, ValueError> {
    let mut hash = Hash::new();
    for (field, value) in pairs(elements, "hash")? {
        with_element(&field, |f| {
            with_element(&value, |v| add_field(&mut hash, f, v, limits))
        })?;
    }
    Ok(collection(Value::Hash(Box::new(hash))))
}

/// A packed score: an integer entry, or text as Redis's `zzlStrtod` reads it.
fn packed_score(score: &listpack::Value) -> Result<f64, ValueError> {
    match score {
        listpack::Value::Int(v) => Ok(*v as f64),
        listpack::Value::Bytes(b) => std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.trim().parse::<f64>().ok())
            .ok_or_else(|| ValueError::new("sorted set score is not a number")),
    }
}

fn zset_from_pairs(elements: Vec<listpack::Value>, limits: &Limits) -> Result<Decoded, ValueError> {
    let mut zset = ZSet::new();
    for (member, score) in pairs(elements, "sorted set")? {
        let score = packed_score(&score)?;
        with_element(&member, |m| add_scored(&mut zset, m, score, limits))?;
    }
    Ok(collection(Value::ZSet(Box::new(zset))))
}

/// A decoded collection, or the skip outcome when it holds nothing.
fn collection(value: Value) -> Decoded {
    let empty = match &value {
        Value::List(l) => l.is_empty(),
        Value::Hash(h) => h.is_empty(),
        Value::Set(s) => s.is_empty(),
        Value::ZSet(z) => z.is_empty(),
        Value::Str(_) | Value::Raw(_) => false,
    };
    if empty {
        Decoded::Empty
    } else {
        Decoded::Value(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rdb::encoding::{write_binary_double, write_len, write_string};

    fn decode(rdb_type: u8, payload: &[u8]) -> Result<Decoded, ValueError> {
        let mut r = Reader::new(payload);
        let out = read_value(&mut r, rdb_type, &Limits::default());
        if out.is_ok() {
            assert!(r.is_empty(), "type {rdb_type}: bytes left over");
        }
        out
    }

    fn value(rdb_type: u8, payload: &[u8]) -> Value {
        match decode(rdb_type, payload) {
            Ok(Decoded::Value(v)) => v,
            other => panic!("type {rdb_type}: {other:?}"),
        }
    }

    fn blob(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        write_string(&mut out, b, false);
        out
    }

    fn strings(items: &[&[u8]]) -> Vec<u8> {
        counted(items.len(), items)
    }

    fn pairs(items: &[&[u8]]) -> Vec<u8> {
        counted(items.len() / 2, items)
    }

    fn counted(count: usize, items: &[&[u8]]) -> Vec<u8> {
        let mut out = Vec::new();
        write_len(&mut out, count as u64);
        for i in items {
            write_string(&mut out, i, true);
        }
        out
    }

    #[test]
    fn sets_follow_the_intset_limit_and_refuse_duplicates() {
        let Value::Set(s) = value(TYPE_SET, &strings(&[b"1", b"2", b"3"])) else {
            panic!()
        };
        assert_eq!(s.encoding(), "intset");
        let Value::Set(s) = value(TYPE_SET, &strings(&[b"1", b"x"])) else {
            panic!()
        };
        assert_eq!((s.encoding(), s.len()), ("hashtable", 2));
        let many: Vec<Vec<u8>> = (0..600).map(|i: i32| i.to_string().into_bytes()).collect();
        let refs: Vec<&[u8]> = many.iter().map(|v| v.as_slice()).collect();
        let Value::Set(s) = value(TYPE_SET, &strings(&refs)) else {
            panic!()
        };
        assert_eq!((s.encoding(), s.len()), ("hashtable", 600));
        let ints = intset::encode(&[5, -3, 70000]).unwrap();
        let Value::Set(s) = value(TYPE_SET_INTSET, &blob(&ints)) else {
            panic!()
        };
        assert_eq!((s.encoding(), s.len()), ("intset", 3));
        assert!(decode(TYPE_SET, &strings(&[b"1", b"1"])).is_err());
        assert!(decode(TYPE_SET, &strings(&[b"a", b"a"])).is_err());
        assert!(matches!(
            decode(TYPE_SET, &strings(&[])),
            Ok(Decoded::Empty)
        ));
        let empty = intset::encode(&[]).unwrap();
        assert!(matches!(
            decode(TYPE_SET_INTSET, &blob(&empty)),
            Ok(Decoded::Empty)
        ));
    }

    #[test]
    fn hashes_reencode_by_the_limits() {
        let Value::Hash(h) = value(TYPE_HASH, &pairs(&[b"f", b"v", b"g", b"w"])) else {
            panic!()
        };
        assert_eq!((h.encoding(), h.get(b"g")), ("listpack", Some(&b"w"[..])));
        let long = [b'x'; 65];
        let Value::Hash(h) = value(TYPE_HASH, &pairs(&[b"f", &long])) else {
            panic!()
        };
        assert_eq!(h.encoding(), "hashtable");
        let lp = listpack::encode_bytes([&b"a"[..], b"1", b"b", &long]).unwrap();
        let Value::Hash(h) = value(TYPE_HASH_LISTPACK, &blob(&lp)) else {
            panic!()
        };
        assert_eq!((h.encoding(), h.get(b"a")), ("hashtable", Some(&b"1"[..])));
        assert!(decode(TYPE_HASH, &pairs(&[b"f", b"v", b"f", b"w"])).is_err());
        let odd = listpack::encode_bytes([&b"a"[..], b"1", b"b"]).unwrap();
        assert!(decode(TYPE_HASH_LISTPACK, &blob(&odd)).is_err());
        let dup = listpack::encode_bytes([&b"a"[..], b"1", b"a", b"2"]).unwrap();
        assert!(decode(TYPE_HASH_LISTPACK, &blob(&dup)).is_err());
    }

    #[test]
    fn sorted_sets_from_every_form() {
        let mut z2 = Vec::new();
        write_len(&mut z2, 2);
        for (m, s) in [(&b"b"[..], 2.5), (b"a", -1.0)] {
            write_string(&mut z2, m, true);
            write_binary_double(&mut z2, s);
        }
        let Value::ZSet(z) = value(TYPE_ZSET_2, &z2) else {
            panic!()
        };
        assert_eq!(z.encoding(), "listpack");
        assert_eq!(
            z.iter().collect::<Vec<_>>(),
            [(&b"a"[..], -1.0), (b"b", 2.5)]
        );
        let lp = listpack::encode_bytes([&b"m"[..], b"3", b"n", b"1.5", b"o", b"-inf"]).unwrap();
        let Value::ZSet(z) = value(TYPE_ZSET_LISTPACK, &blob(&lp)) else {
            panic!()
        };
        let got: Vec<_> = z.iter().collect();
        assert_eq!(
            got,
            [(&b"o"[..], f64::NEG_INFINITY), (b"n", 1.5), (b"m", 3.0)]
        );
        let nan = listpack::encode_bytes([&b"m"[..], b"nan"]).unwrap();
        assert!(decode(TYPE_ZSET_LISTPACK, &blob(&nan)).is_err());
        let text = listpack::encode_bytes([&b"m"[..], b"abc"]).unwrap();
        assert!(decode(TYPE_ZSET_LISTPACK, &blob(&text)).is_err());
        let dup = listpack::encode_bytes([&b"m"[..], b"1", b"m", b"2"]).unwrap();
        assert!(decode(TYPE_ZSET_LISTPACK, &blob(&dup)).is_err());
        // Type 3: ASCII scores, 253 = NaN refused.
        let mut z1 = Vec::new();
        write_len(&mut z1, 1);
        write_string(&mut z1, b"m", true);
        z1.extend_from_slice(&[3, b'1', b'.', b'5']);
        let Value::ZSet(z) = value(TYPE_ZSET, &z1) else {
            panic!()
        };
        assert_eq!(z.score(b"m"), Some(1.5));
        let mut bad = z1.clone();
        bad.truncate(bad.len() - 4);
        bad.push(253);
        assert!(decode(TYPE_ZSET, &bad).is_err());
        // Many members: a skip list.
        let mut big = Vec::new();
        write_len(&mut big, 200);
        for i in 0..200 {
            write_string(&mut big, format!("m{i}").as_bytes(), true);
            write_binary_double(&mut big, i as f64);
        }
        let Value::ZSet(z) = value(TYPE_ZSET_2, &big) else {
            panic!()
        };
        assert_eq!((z.encoding(), z.len()), ("skiplist", 200));
    }

    #[test]
    fn quicklists_plain_and_packed() {
        let lp = listpack::encode_bytes([&b"a"[..], b"12"]).unwrap();
        let empty = listpack::encode_bytes([]).unwrap();
        let mut q = Vec::new();
        write_len(&mut q, 3);
        write_len(&mut q, QUICKLIST_NODE_PACKED);
        write_string(&mut q, &lp, false);
        write_len(&mut q, QUICKLIST_NODE_PACKED);
        write_string(&mut q, &empty, false);
        write_len(&mut q, QUICKLIST_NODE_PLAIN);
        write_string(&mut q, &[b'p'; 100], true);
        let Value::List(l) = value(TYPE_LIST_QUICKLIST_2, &q) else {
            panic!()
        };
        let items: Vec<&[u8]> = l.items.iter().map(|i| i.as_slice()).collect();
        assert_eq!(items, [&b"a"[..], b"12", &[b'p'; 100]]);
        let mut bad = Vec::new();
        write_len(&mut bad, 1);
        write_len(&mut bad, 3);
        write_string(&mut bad, &lp, false);
        assert!(decode(TYPE_LIST_QUICKLIST_2, &bad).is_err());
        let mut only_empty = Vec::new();
        write_len(&mut only_empty, 1);
        write_len(&mut only_empty, QUICKLIST_NODE_PACKED);
        write_string(&mut only_empty, &empty, false);
        assert!(matches!(
            decode(TYPE_LIST_QUICKLIST_2, &only_empty),
            Ok(Decoded::Empty)
        ));
    }

    #[test]
    fn unsupported_types_are_named() {
        let e = decode(TYPE_STREAM_LISTPACKS_2, &[]).unwrap_err();
        assert_eq!(
            e.0,
            "stream values (RDB type 19) are not supported by this node"
        );
        let e = decode(TYPE_MODULE_2, &[]).unwrap_err();
        assert_eq!(
            e.0,
            "module values (RDB type 7) are not supported by this node"
        );
        assert_eq!(decode(8, &[]).unwrap_err().0, "unknown RDB value type 8");
        assert_eq!(decode(42, &[]).unwrap_err().0, "unknown RDB value type 42");
        assert!(!is_value_type(8) && is_value_type(19) && !is_value_type(20));
    }

    #[test]
    fn huge_declared_lengths_fail_without_allocating() {
        for t in [
            TYPE_LIST,
            TYPE_SET,
            TYPE_ZSET,
            TYPE_HASH,
            TYPE_ZSET_2,
            TYPE_LIST_QUICKLIST_2,
        ] {
            let mut p = Vec::new();
            write_len(&mut p, u64::MAX);
            write_string(&mut p, b"x", true);
            assert!(decode(t, &p).is_err(), "type {t}");
        }
        // A string claiming 4 GB.
        assert!(decode(TYPE_STRING, &[0x80, 0xff, 0xff, 0xff, 0xff, b'a']).is_err());
    }
}
