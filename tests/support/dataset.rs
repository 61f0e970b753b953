//! A data set with every type in its small and large encodings, filled into a server and read
//! back in a form that compares equal across servers (the node, a real redis-server).

use std::collections::BTreeMap;

use super::resp::{Conn, frame_len};

/// The elements of a flat array reply, as raw frames (a bulk's frame without its header is
/// its payload).
pub fn elements(reply: &[u8]) -> Vec<Vec<u8>> {
    assert!(
        reply.starts_with(b"*"),
        "not an array: {}",
        String::from_utf8_lossy(reply)
    );
    let header = reply.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    let mut at = header;
    let mut out = Vec::new();
    while at < reply.len() {
        let len = frame_len(&reply[at..]).expect("complete frame");
        out.push(payload(&reply[at..at + len]));
        at += len;
    }
    out
}

/// A bulk's bytes, or the whole frame for anything else.
pub fn payload(frame: &[u8]) -> Vec<u8> {
    if frame.starts_with(b"$") && !frame.starts_with(b"$-1") {
        let start = frame.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
        frame[start..frame.len() - 2].to_vec()
    } else {
        frame.to_vec()
    }
}

pub fn call(conn: &mut Conn, args: &[&[u8]]) -> Vec<u8> {
    conn.call(args)
}

/// Every key of databases 0..16 with its type, content and absolute expiry, in a form that
/// compares equal across servers (unordered collections sorted).
pub fn contents(conn: &mut Conn) -> BTreeMap<(u8, Vec<u8>), String> {
    let mut all = BTreeMap::new();
    for db in 0..16u8 {
        call(conn, &[b"SELECT", db.to_string().as_bytes()]);
        for key in elements(&call(conn, &[b"KEYS", b"*"])) {
            let kind = String::from_utf8(call(conn, &[b"TYPE", &key])).unwrap();
            let value = match kind.trim() {
                "+string" => vec![call(conn, &[b"GET", &key])],
                "+list" => elements(&call(conn, &[b"LRANGE", &key, b"0", b"-1"])),
                "+hash" => {
                    let flat = elements(&call(conn, &[b"HGETALL", &key]));
                    let mut pairs: Vec<Vec<u8>> = flat.chunks(2).map(|p| p.concat()).collect();
                    pairs.sort();
                    pairs
                }
                "+set" => {
                    let mut members = elements(&call(conn, &[b"SMEMBERS", &key]));
                    members.sort();
                    members
                }
                "+zset" => elements(&call(conn, &[b"ZRANGE", &key, b"0", b"-1", b"WITHSCORES"])),
                other => panic!("unexpected type {other}"),
            };
            let expiry = call(conn, &[b"PEXPIRETIME", &key]);
            all.insert(
                (db, key.clone()),
                format!(
                    "{kind} {} {:?}",
                    String::from_utf8_lossy(&expiry).trim(),
                    value
                        .iter()
                        .map(|v| String::from_utf8_lossy(v).into_owned())
                        .collect::<Vec<_>>()
                ),
            );
        }
    }
    call(conn, &[b"SELECT", b"0"]);
    all
}

/// Fill the server with every type in its small and large encodings, expiries, several
/// databases, integers, long compressible strings and binary data.
pub fn fill(conn: &mut Conn) {
    let mut pipeline = Vec::new();
    let mut count = 0;
    let mut push = |args: Vec<Vec<u8>>| {
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        pipeline.extend_from_slice(&super::resp::encode(&refs));
        count += 1;
    };
    let s = |t: &str| t.as_bytes().to_vec();
    push(vec![s("SET"), s("str:small"), s("hello")]);
    push(vec![s("SET"), s("str:int"), s("12345")]);
    push(vec![s("SET"), s("str:neg"), s("-2147483648")]);
    push(vec![s("SET"), s("str:long"), s("x").repeat(5000)]);
    push(vec![s("SET"), s("str:bin"), (0..=255u8).collect()]);
    push(vec![
        s("SET"),
        s("str:ttl"),
        s("v"),
        s("PXAT"),
        s("4102444800000"),
    ]);
    push(vec![s("RPUSH"), s("list:small"), s("a"), s("1"), s("b")]);
    let mut big_list = vec![s("RPUSH"), s("list:big")];
    big_list.extend((0..3000).map(|i| format!("element-{i}").into_bytes()));
    push(big_list);
    push(vec![
        s("HSET"),
        s("hash:small"),
        s("f1"),
        s("v1"),
        s("f2"),
        s("2"),
    ]);
    let mut big_hash = vec![s("HSET"), s("hash:big")];
    for i in 0..1000 {
        big_hash.push(format!("field{i}").into_bytes());
        big_hash.push(format!("value{i}").into_bytes());
    }
    push(big_hash);
    push(vec![
        s("SADD"),
        s("set:ints"),
        s("1"),
        s("-5"),
        s("70000"),
        s("9223372036854775807"),
    ]);
    let mut big_set = vec![s("SADD"), s("set:big")];
    big_set.extend((0..1000).map(|i| format!("m{i}").into_bytes()));
    push(big_set);
    push(vec![s("SADD"), s("set:strs"), s("x"), s("y")]);
    push(vec![
        s("ZADD"),
        s("zset:small"),
        s("1"),
        s("a"),
        s("2.5"),
        s("b"),
        s("-inf"),
        s("c"),
    ]);
    let mut big_zset = vec![s("ZADD"), s("zset:big")];
    for i in 0..1000 {
        big_zset.push(format!("{}", i as f64 / 3.0).into_bytes());
        big_zset.push(format!("member{i}").into_bytes());
    }
    push(big_zset);
    push(vec![s("EXPIREAT"), s("hash:big"), s("4102444800")]);
    push(vec![s("SELECT"), s("1")]);
    push(vec![s("SET"), s("db1:key"), s("one")]);
    push(vec![s("RPUSH"), s("db1:list"), s("z")]);
    push(vec![s("SELECT"), s("5")]);
    push(vec![s("SET"), s("db5:key"), s("five")]);
    push(vec![s("SELECT"), s("0")]);
    conn.send(&pipeline);
    for _ in 0..count {
        let reply = conn.read_reply();
        assert!(
            !reply.starts_with(b"-"),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
}

/// Equal contents, or a failure naming the first key that differs (not the whole data set).
pub fn assert_same(
    got: &BTreeMap<(u8, Vec<u8>), String>,
    want: &BTreeMap<(u8, Vec<u8>), String>,
    what: &str,
) {
    let short = |v: Option<&String>| v.map(|v| v.chars().take(300).collect::<String>());
    for key in want.keys().chain(got.keys()) {
        let (g, w) = (got.get(key), want.get(key));
        assert!(
            g == w,
            "{what}: db {} key {:?} differs\n got: {:?}\nwant: {:?}\n({} keys vs {} expected)",
            key.0,
            String::from_utf8_lossy(&key.1),
            short(g),
            short(w),
            got.len(),
            want.len()
        );
    }
}

pub fn info_field(conn: &mut Conn, section: &str, field: &str) -> String {
    let text = String::from_utf8(call(conn, &[b"INFO", section.as_bytes()])).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
        .to_string()
}
