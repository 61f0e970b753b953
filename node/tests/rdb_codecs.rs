//! The RDB value codecs against a real `redis-server`: the listpack and intset blobs inside
//! `DUMP` payloads decode to the key's elements, and encoding those elements reproduces the
//! blobs byte for byte.

mod common;

use common::real_redis::RealRedis;
use node::rdb::{intset, listpack};

fn start() -> Option<RealRedis> {
    RealRedis::start(
        &[
            // No LZF, so the blobs sit in the payload as plain RDB strings.
            "--rdbcompression",
            "no",
            // Large enough values stay in listpacks, so 12- and 32-bit string lengths get
            // tested.
            "--hash-max-listpack-value",
            "8192",
            "--zset-max-listpack-value",
            "8192",
        ],
        None,
    )
}

/// A DUMP payload being taken apart: `<type> <value> <u16 LE version> <u64 LE CRC64>`.
struct Payload<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Payload<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes[self.pos];
        self.pos += 1;
        b
    }

    /// An RDB length: 6-bit, 14-bit BE, 0x80 + u32 BE, 0x81 + u64 BE.
    fn len(&mut self) -> usize {
        let b = self.byte();
        match b >> 6 {
            0 => (b & 0x3F) as usize,
            1 => (((b & 0x3F) as usize) << 8) | self.byte() as usize,
            _ if b == 0x80 => {
                let mut v = 0usize;
                for _ in 0..4 {
                    v = (v << 8) | self.byte() as usize;
                }
                v
            }
            _ if b == 0x81 => {
                let mut v = 0usize;
                for _ in 0..8 {
                    v = (v << 8) | self.byte() as usize;
                }
                v
            }
            _ => panic!("special string encoding {b:#x} (LZF is off; none expected)"),
        }
    }

    fn string(&mut self) -> Vec<u8> {
        let n = self.len();
        let s = self.bytes[self.pos..self.pos + n].to_vec();
        self.pos += n;
        s
    }

    /// Everything was consumed except the version and checksum trailer.
    fn finish(&self) {
        assert_eq!(self.bytes.len() - self.pos, 10, "trailer size");
        assert_eq!(&self.bytes[self.pos..self.pos + 2], &[10, 0], "RDB version");
    }
}

fn dump(r: &mut RealRedis, key: &str) -> Vec<u8> {
    r.cmd(&["DUMP", key]).bytes()
}

/// Values covering every listpack encoding and Redis's integer detection.
fn mixed_values() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = [
        "0",
        "127",
        "128",
        "-1",
        "4095",
        "-4096",
        "4096",
        "-4097",
        "32767",
        "-32768",
        "32768",
        "8388607",
        "-8388608",
        "8388608",
        "2147483647",
        "-2147483648",
        "2147483648",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        "007",
        "-0",
        "+1",
        " 1",
        "1.5",
        "",
        "hello",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for len in [63, 64, 4095, 4096] {
        v.push(vec![b'x'; len]);
    }
    v
}

fn check_listpack(blob: &[u8], expected: &[Vec<u8>]) {
    let decoded = listpack::decode(blob).expect("decode Redis's listpack");
    let as_bytes: Vec<Vec<u8>> = decoded.iter().map(listpack::Value::to_bytes).collect();
    assert_eq!(as_bytes, expected);
    let encoded = listpack::encode_bytes(expected.iter().map(Vec::as_slice)).unwrap();
    assert_eq!(encoded, blob, "re-encoded listpack differs from Redis's");
}

#[test]
fn rdb_listpack_and_intset_match_real_redis() {
    let Some(mut r) = start() else { return };
    let values = mixed_values();

    // Hash: fields and values alternate in insertion order.
    let mut hset: Vec<Vec<u8>> = vec![b"HSET".to_vec(), b"h".to_vec()];
    for (i, v) in values.iter().enumerate() {
        hset.push(format!("f{i}").into_bytes());
        hset.push(v.clone());
    }
    // Integer-looking fields too.
    hset.extend([b"12".to_vec(), b"-70000".to_vec()]);
    r.cmd(&hset);
    let payload = dump(&mut r, "h");
    let mut p = Payload {
        bytes: &payload,
        pos: 0,
    };
    assert_eq!(p.byte(), 16, "HASH_LISTPACK");
    let blob = p.string();
    p.finish();
    check_listpack(&blob, &r.cmd(&["HGETALL", "h"]).array());

    // Zset: member, score pairs in score order; scores are d2string text, integral ones
    // become integer entries.
    r.cmd(&[
        "ZADD",
        "z",
        "1",
        "a",
        "1.5",
        "b",
        "-2.25",
        "c",
        "100000",
        "12",
        "-5000000000",
        "big",
        "0",
        "zero",
        "3e10",
        "e",
    ]);
    r.cmd(&["ZADD", "z", "7", &"m".repeat(5000)]);
    let payload = dump(&mut r, "z");
    let mut p = Payload {
        bytes: &payload,
        pos: 0,
    };
    assert_eq!(p.byte(), 17, "ZSET_LISTPACK");
    let blob = p.string();
    p.finish();
    check_listpack(
        &blob,
        &r.cmd(&["ZRANGE", "z", "0", "-1", "WITHSCORES"]).array(),
    );

    // List: a quicklist of listpack nodes; the big elements force several nodes.
    let mut rpush: Vec<Vec<u8>> = vec![b"RPUSH".to_vec(), b"l".to_vec()];
    rpush.extend(values.iter().cloned());
    rpush.extend(values.iter().cloned());
    r.cmd(&rpush);
    let payload = dump(&mut r, "l");
    let mut p = Payload {
        bytes: &payload,
        pos: 0,
    };
    assert_eq!(p.byte(), 18, "LIST_QUICKLIST_2");
    let nodes = p.len();
    assert!(nodes > 1, "expected several quicklist nodes, got {nodes}");
    let mut all = Vec::new();
    for _ in 0..nodes {
        assert_eq!(p.len(), 2, "PACKED container");
        let blob = p.string();
        let decoded = listpack::decode(&blob).expect("decode a quicklist node");
        let elems: Vec<Vec<u8>> = decoded.iter().map(listpack::Value::to_bytes).collect();
        check_listpack(&blob, &elems);
        all.extend(elems);
    }
    p.finish();
    assert_eq!(all, r.cmd(&["LRANGE", "l", "0", "-1"]).array());

    // Sets of integers at each intset width.
    for (key, members) in [
        ("s16", vec!["3", "-1", "32767", "-32768", "0"]),
        ("s32", vec!["5", "32768", "-2147483648", "2147483647"]),
        (
            "s64",
            vec![
                "1",
                "2147483648",
                "-9223372036854775808",
                "9223372036854775807",
            ],
        ),
    ] {
        let mut sadd = vec!["SADD", key];
        sadd.extend(&members);
        r.cmd(&sadd);
        let payload = dump(&mut r, key);
        let mut p = Payload {
            bytes: &payload,
            pos: 0,
        };
        assert_eq!(p.byte(), 11, "SET_INTSET");
        let blob = p.string();
        p.finish();
        let mut expected: Vec<i64> = members.iter().map(|m| m.parse().unwrap()).collect();
        expected.sort();
        assert_eq!(intset::decode(&blob).unwrap(), expected);
        assert_eq!(intset::encode(&expected).unwrap(), blob, "{key}");
    }
}
