//! Values and keyspace entries as RDB objects, in the encodings Redis 7.0 writes: strings as
//! (int, LZF or raw) strings, small hashes and sorted sets as listpacks, integer sets as
//! intsets, lists as quicklist-2 nodes of packed listpacks, and the large forms as plain
//! hashtable (SET, HASH) and skiplist (ZSET_2) objects.

use super::encoding::{write_binary_double, write_len, write_millis, write_string};
use super::{intset, listpack};
use crate::keyspace::Entry;
use crate::types::Value;
use crate::types::set::{Member, Set};

/// RDB value types (rdb.h).
pub const TYPE_STRING: u8 = 0;
pub const TYPE_LIST: u8 = 1;
pub const TYPE_SET: u8 = 2;
pub const TYPE_ZSET: u8 = 3;
pub const TYPE_HASH: u8 = 4;
pub const TYPE_ZSET_2: u8 = 5;
pub const TYPE_HASH_ZIPMAP: u8 = 9;
pub const TYPE_LIST_ZIPLIST: u8 = 10;
pub const TYPE_SET_INTSET: u8 = 11;
pub const TYPE_ZSET_ZIPLIST: u8 = 12;
pub const TYPE_HASH_ZIPLIST: u8 = 13;
pub const TYPE_LIST_QUICKLIST: u8 = 14;
pub const TYPE_STREAM_LISTPACKS: u8 = 15;
pub const TYPE_HASH_LISTPACK: u8 = 16;
pub const TYPE_ZSET_LISTPACK: u8 = 17;
pub const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub const TYPE_STREAM_LISTPACKS_2: u8 = 19;

/// RDB opcodes (rdb.h).
pub const OPCODE_FUNCTION2: u8 = 0xF5;
pub const OPCODE_MODULE_AUX: u8 = 0xF7;
pub const OPCODE_IDLE: u8 = 0xF8;
pub const OPCODE_FREQ: u8 = 0xF9;
pub const OPCODE_AUX: u8 = 0xFA;
pub const OPCODE_RESIZEDB: u8 = 0xFB;
pub const OPCODE_EXPIRETIME_MS: u8 = 0xFC;
pub const OPCODE_EXPIRETIME: u8 = 0xFD;
pub const OPCODE_SELECTDB: u8 = 0xFE;
pub const OPCODE_EOF: u8 = 0xFF;

/// The RDB version this node writes (Redis 7.0's).
pub const RDB_VERSION: u16 = 10;

/// Quicklist node container kinds (quicklist.h).
const QUICKLIST_NODE_PACKED: u64 = 2;
/// Redis's default `list-max-listpack-size -2`: nodes of at most 8 KB.
const LIST_NODE_BYTES: usize = 8 * 1024;

/// Appends one object: its type byte, the key as an RDB string when there is one (DUMP
/// payloads have none), then the value in that type's encoding.
pub fn write_object(out: &mut Vec<u8>, key: Option<&[u8]>, value: &Value, compress: bool) {
    let type_at = out.len();
    out.push(0);
    if let Some(key) = key {
        write_string(out, key, compress);
    }
    out[type_at] = write_value(out, value, compress);
}

/// Appends an entry of the keyspace as the RDB file holds it: its expiry (if any), then the
/// object with its key.
pub fn write_entry(out: &mut Vec<u8>, entry: &Entry, compress: bool) {
    if let Some(at) = entry.expire_at() {
        out.push(OPCODE_EXPIRETIME_MS);
        write_millis(out, at as i64);
    }
    write_object(out, Some(entry.key.as_slice()), &entry.value, compress);
}

/// Appends the payload of `value` and returns the RDB type it is encoded as.
fn write_value(out: &mut Vec<u8>, value: &Value, compress: bool) -> u8 {
    match value {
        Value::Str(s) => {
            write_string(out, s.as_slice(), compress);
            TYPE_STRING
        }
        Value::Raw(v) => {
            write_string(out, v, compress);
            TYPE_STRING
        }
        Value::List(list) => {
            write_list(out, list.items.iter().map(|i| i.as_slice()), compress);
            TYPE_LIST_QUICKLIST_2
        }
        Value::Hash(hash) => {
            if hash.encoding() == "listpack" {
                let blob = listpack::encode_bytes(hash.iter().flat_map(|(f, v)| [f, v]))
                    .expect("a listpack-encoded hash fits a listpack");
                write_string(out, &blob, compress);
                TYPE_HASH_LISTPACK
            } else {
                write_len(out, hash.len() as u64);
                for (field, value) in hash.iter() {
                    write_string(out, field, compress);
                    write_string(out, value, compress);
                }
                TYPE_HASH
            }
        }
        Value::Set(set) => match &**set {
            Set::Ints(_) => {
                let values: Vec<i64> = set.iter().filter_map(|m| m.as_int()).collect();
                let blob = intset::encode(&values).expect("an intset fits an intset blob");
                write_string(out, &blob, compress);
                TYPE_SET_INTSET
            }
            Set::Table(_) => {
                write_len(out, set.len() as u64);
                for member in set.iter() {
                    match member {
                        Member::Bytes(b) => write_string(out, b, compress),
                        Member::Int(v) => write_string(out, v.to_string().as_bytes(), compress),
                    }
                }
                TYPE_SET
            }
        },
        Value::ZSet(zset) => {
            let len = zset.len();
            if zset.is_listpack() {
                let texts: Vec<String> = zset
                    .range(0, len, false)
                    .map(|(_, s)| d2string(s))
                    .collect();
                let blob = listpack::encode_bytes(
                    zset.range(0, len, false)
                        .zip(&texts)
                        .flat_map(|((member, _), score)| [member, score.as_bytes()]),
                )
                .expect("a listpack-encoded sorted set fits a listpack");
                write_string(out, &blob, compress);
                TYPE_ZSET_LISTPACK
            } else {
                // Highest score first, as Redis writes it (its loader then inserts at the head).
                write_len(out, len as u64);
                for (member, score) in zset.range(0, len, true) {
                    write_string(out, member, compress);
                    write_binary_double(out, score);
                }
                TYPE_ZSET_2
            }
        }
    }
}

/// A list as quicklist-2 nodes: packed listpacks of at most [`LIST_NODE_BYTES`] each.
fn write_list<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a [u8]>, compress: bool) {
    let mut nodes: Vec<Vec<u8>> = Vec::new();
    let mut node: Vec<&[u8]> = Vec::new();
    let mut node_bytes = 0;
    let flush = |node: &mut Vec<&[u8]>, nodes: &mut Vec<Vec<u8>>| {
        if !node.is_empty() {
            let blob = listpack::encode_bytes(node.drain(..)).expect("a list node fits a listpack");
            nodes.push(blob);
        }
    };
    for item in items {
        // An entry costs its bytes plus at most 10 bytes of header and back-length.
        let cost = item.len() + 10;
        if !node.is_empty() && node_bytes + cost > LIST_NODE_BYTES {
            flush(&mut node, &mut nodes);
            node_bytes = 0;
        }
        node.push(item);
        node_bytes += cost;
    }
    flush(&mut node, &mut nodes);
    write_len(out, nodes.len() as u64);
    for blob in nodes {
        write_len(out, QUICKLIST_NODE_PACKED);
        write_string(out, &blob, compress);
    }
}

/// A score as Redis 7.0's `d2string` prints it into a listpack: integers in the 52-bit range
/// as integers, everything else with `%.17g`.
pub fn d2string(value: f64) -> String {
    const MIN: f64 = -4503599627370495.0;
    const MAX: f64 = 4503599627370496.0;
    if value == 0.0 {
        return if value.is_sign_negative() { "-0" } else { "0" }.into();
    }
    if value > MIN && value < MAX && value == value.trunc() {
        return (value as i64).to_string();
    }
    wire::reply::format_double(value)
}

/// A DUMP payload: the object without key, the RDB version (u16 LE) and the CRC64 (u64 LE)
/// of everything before it.
pub fn dump_payload(value: &Value, compress: bool) -> Vec<u8> {
    let mut out = Vec::new();
    write_object(&mut out, None, value, compress);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = super::crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::SmallBytes;
    use crate::types::list::List;

    #[test]
    fn dump_of_small_values_matches_redis() {
        // Redis 7.0.15: DUMP of the string "v6" and of the integer 10 (see the reference).
        assert_eq!(
            dump_payload(&Value::string(b"v6"), true),
            b"\x00\x02v6\x0a\x00\xb3\x68\x5f\x84\xb0\xab\xb4\xc1"
        );
        assert_eq!(
            dump_payload(&Value::string(b"10"), true),
            b"\x00\xc0\x0a\x0a\x00\x6e\x9f\x57\x45\x0e\xae\x63\xbb"
        );
    }

    #[test]
    fn scores_as_d2string() {
        assert_eq!(d2string(1.0), "1");
        assert_eq!(d2string(-0.0), "-0");
        assert_eq!(d2string(1.5), "1.5");
        assert_eq!(d2string(f64::INFINITY), "inf");
        assert_eq!(d2string(4503599627370496.0), "4503599627370496");
        assert_eq!(d2string(0.1), "0.10000000000000001");
    }

    #[test]
    fn long_lists_split_into_nodes() {
        let item = SmallBytes::new(&[b'x'; 100]);
        let list = List::from_items(std::iter::repeat_n(item, 1000));
        let mut out = Vec::new();
        write_object(&mut out, None, &Value::List(Box::new(list)), false);
        assert_eq!(out[0], TYPE_LIST_QUICKLIST_2);
        let mut reader = super::super::encoding::Reader::new(&out[1..]);
        let nodes = reader.read_length().unwrap();
        assert!(nodes > 10, "{nodes}");
        let mut total = 0;
        for _ in 0..nodes {
            assert_eq!(reader.read_length().unwrap(), QUICKLIST_NODE_PACKED);
            let blob = reader.read_string().unwrap();
            assert!(blob.len() <= LIST_NODE_BYTES);
            total += listpack::decode(&blob).unwrap().len();
        }
        assert_eq!(total, 1000);
        assert!(reader.is_empty());
    }
}
