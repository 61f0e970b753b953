//! Set commands against an in-process node, through the `redis` crate (RESP2 and RESP3) and
//! raw bytes where the exact reply matters.

mod common;
mod hashsets_support;

use std::collections::HashSet;

use hashsets_support::{RawConn, encoding, exists};
use redis::AsyncCommands;

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn basic_commands_in_both_protocols() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let key = format!("s{resp3}");
        let added: i64 = con.sadd(&key, &["a", "b", "c", "a"]).await.unwrap();
        assert_eq!(added, 3);
        let added: i64 = con.sadd(&key, "a").await.unwrap();
        assert_eq!(added, 0);
        let members: HashSet<String> = con.smembers(&key).await.unwrap();
        assert_eq!(members.len(), 3);
        let card: i64 = con.scard(&key).await.unwrap();
        assert_eq!(card, 3);
        let is: bool = con.sismember(&key, "b").await.unwrap();
        assert!(is);
        let is: bool = con.sismember(&key, "z").await.unwrap();
        assert!(!is);
        let many: Vec<bool> = con.smismember(&key, &["a", "z", "c"]).await.unwrap();
        assert_eq!(many, vec![true, false, true]);
        let removed: i64 = con.srem(&key, &["a", "z", "a"]).await.unwrap();
        assert_eq!(removed, 1);
        let popped: Option<String> = con.spop(&key).await.unwrap();
        assert!(matches!(popped.as_deref(), Some("b" | "c")));
        let rest: Option<String> = con.spop(&key).await.unwrap();
        assert!(rest.is_some());
        assert!(!exists(&server.server, &key), "empty set must be removed");
        let none: Option<String> = con.spop(&key).await.unwrap();
        assert_eq!(none, None);
        let card: i64 = con.scard(&key).await.unwrap();
        assert_eq!(card, 0);
    }
}

#[tokio::test]
async fn exact_bytes_resp2_and_resp3() {
    let server = common::start("").await;
    let mut r2 = RawConn::connect(server.addr, false).await;
    let mut r3 = RawConn::connect(server.addr, true).await;
    r2.call(&["SADD", "s", "3", "1", "2"]).await;
    r2.call(&["SADD", "t", "2", "3", "4"]).await;
    // An intset replies in ascending order.
    let three = "$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n";
    assert_eq!(r3.text(&["SMEMBERS", "s"]).await, format!("~3\r\n{three}"));
    assert_eq!(r2.text(&["SMEMBERS", "s"]).await, format!("*3\r\n{three}"));
    assert_eq!(r3.text(&["SMEMBERS", "nokey"]).await, "~0\r\n");
    assert_eq!(r3.text(&["SINTER", "s"]).await, format!("~3\r\n{three}"));
    assert_eq!(
        r3.text(&["SINTER", "s", "t"]).await,
        "~2\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(r3.text(&["SINTER", "nokey", "s"]).await, "~0\r\n");
    assert_eq!(
        r3.text(&["SUNION", "s", "t"]).await,
        "~4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
    );
    assert_eq!(r2.text(&["SDIFF", "s", "t"]).await, "*1\r\n$1\r\n1\r\n");
    assert_eq!(r3.text(&["SDIFF", "s", "t"]).await, "~1\r\n$1\r\n1\r\n");
    assert_eq!(r3.text(&["SDIFF", "nokey", "s"]).await, "~0\r\n");
    assert_eq!(
        r3.text(&["SMISMEMBER", "s", "1", "9"]).await,
        "*2\r\n:1\r\n:0\r\n"
    );
    assert_eq!(r3.text(&["SISMEMBER", "s", "1"]).await, ":1\r\n");
    assert_eq!(r3.text(&["SINTERCARD", "2", "s", "t"]).await, ":2\r\n");
    // SSCAN of an intset: everything at once, cursor 0, whatever the cursor given.
    for conn in [&mut r2, &mut r3] {
        assert_eq!(
            conn.text(&["SSCAN", "s", "0"]).await,
            format!("*2\r\n$1\r\n0\r\n*3\r\n{three}")
        );
        assert_eq!(
            conn.text(&["SSCAN", "s", "123", "MATCH", "2"]).await,
            "*2\r\n$1\r\n0\r\n*1\r\n$1\r\n2\r\n"
        );
    }
    assert_eq!(
        r3.text(&["SSCAN", "nokey", "0"]).await,
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
    // SPOP with a count is a set; SRANDMEMBER with a count an array.
    assert_eq!(r3.text(&["SPOP", "nokey", "2"]).await, "~0\r\n");
    assert_eq!(r3.text(&["SPOP", "nokey"]).await, "_\r\n");
    assert_eq!(r2.text(&["SPOP", "nokey"]).await, "$-1\r\n");
    assert_eq!(r3.text(&["SPOP", "s", "0"]).await, "~0\r\n");
    assert_eq!(
        r3.text(&["SRANDMEMBER", "s", "5"]).await,
        format!("*3\r\n{three}")
    );
    assert_eq!(r3.text(&["SRANDMEMBER", "s", "0"]).await, "*0\r\n");
    assert_eq!(r3.text(&["SRANDMEMBER", "nokey", "2"]).await, "*0\r\n");
    assert_eq!(r3.text(&["SRANDMEMBER", "nokey"]).await, "_\r\n");
    assert_eq!(
        r3.text(&["SPOP", "s", "10"]).await,
        format!("~3\r\n{three}")
    );
    assert!(!exists(&server.server, "s"));
}

#[tokio::test]
async fn errors_are_redis_texts() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, false).await;
    r.call(&["SET", "str", "x"]).await;
    r.call(&["SADD", "s", "1", "2", "3"]).await;
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    for cmd in [
        &["SADD", "str", "a"][..],
        &["SREM", "str", "a"],
        &["SMEMBERS", "str"],
        &["SISMEMBER", "str", "a"],
        &["SMISMEMBER", "str", "a"],
        &["SCARD", "str"],
        &["SPOP", "str"],
        &["SPOP", "str", "2"],
        &["SRANDMEMBER", "str"],
        &["SRANDMEMBER", "str", "-2"],
        &["SMOVE", "str", "s", "a"],
        &["SMOVE", "s", "str", "1"],
        &["SINTER", "nokey", "str"],
        &["SINTERCARD", "2", "nokey", "str"],
        &["SINTERSTORE", "d", "s", "str"],
        &["SUNION", "s", "str"],
        &["SUNIONSTORE", "d", "s", "str"],
        &["SDIFF", "nokey", "str"],
        &["SDIFFSTORE", "d", "nokey", "str"],
        &["SSCAN", "str", "0"],
        &["SSCAN", "str", "0", "bogus"],
    ] {
        assert_eq!(r.text(cmd).await, wrongtype, "{cmd:?}");
    }
    // A missing source makes SMOVE answer 0 before the destination's type is looked at.
    assert_eq!(r.text(&["SMOVE", "nokey", "str", "a"]).await, ":0\r\n");
    let positive = "-ERR value is out of range, must be positive\r\n";
    assert_eq!(r.text(&["SPOP", "s", "-1"]).await, positive);
    assert_eq!(r.text(&["SPOP", "s", "abc"]).await, positive);
    assert_eq!(
        r.text(&["SPOP", "s", "1", "2"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["SRANDMEMBER", "s", "abc"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        r.text(&["SRANDMEMBER", "s", "-9223372036854775808"]).await,
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
    );
    assert_eq!(
        r.text(&["SRANDMEMBER", "s", "1", "2"]).await,
        "-ERR syntax error\r\n"
    );
    let numkeys = "-ERR numkeys should be greater than 0\r\n";
    assert_eq!(r.text(&["SINTERCARD", "0", "s"]).await, numkeys);
    assert_eq!(r.text(&["SINTERCARD", "-1", "s"]).await, numkeys);
    assert_eq!(r.text(&["SINTERCARD", "abc", "s"]).await, numkeys);
    assert_eq!(
        r.text(&["SINTERCARD", "2", "s"]).await,
        "-ERR Number of keys can't be greater than number of args\r\n"
    );
    let negative = "-ERR LIMIT can't be negative\r\n";
    assert_eq!(
        r.text(&["SINTERCARD", "1", "s", "LIMIT", "-1"]).await,
        negative
    );
    assert_eq!(
        r.text(&["SINTERCARD", "1", "s", "LIMIT", "x"]).await,
        negative
    );
    assert_eq!(
        r.text(&["SINTERCARD", "1", "s", "LIMIT", "1", "x"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["SINTERCARD", "1", "s", "foo", "1"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["SINTERCARD", "1", "s", "LIMIT", "0"]).await,
        ":3\r\n"
    );
    assert_eq!(
        r.text(&["SINTERCARD", "1", "s", "limit", "2"]).await,
        ":2\r\n"
    );
    assert_eq!(
        r.text(&["SSCAN", "s", "abc"]).await,
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(
        r.text(&["SSCAN", "s", "0", "COUNT", "0"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["SSCAN", "s", "0", "TYPE", "x"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["SSCAN", "s", "-1"]).await,
        "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
}

#[tokio::test]
async fn store_variants_overwrite_and_delete() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let (a, b, d) = (
            format!("a{resp3}"),
            format!("b{resp3}"),
            format!("d{resp3}"),
        );
        let _: () = con.sadd(&a, &["1", "2", "x"]).await.unwrap();
        let _: () = con.sadd(&b, &["2", "x", "y"]).await.unwrap();
        let _: () = con.set(&d, "a string").await.unwrap();
        let n: i64 = con.sinterstore(&d, &[&a, &b]).await.unwrap();
        assert_eq!(n, 2);
        let got: Vec<String> = con.smembers(&d).await.unwrap();
        assert_eq!(sorted(got), vec!["2", "x"]);
        let n: i64 = con.sunionstore(&d, &[&a, &b]).await.unwrap();
        assert_eq!(n, 4);
        let n: i64 = con.sdiffstore(&d, &[&a, &b]).await.unwrap();
        assert_eq!(n, 1);
        let got: Vec<String> = con.smembers(&d).await.unwrap();
        assert_eq!(got, vec!["1"]);
        assert_eq!(encoding(&server.server, &d), Some("intset"));
        // An empty result deletes the destination.
        let n: i64 = con.sinterstore(&d, &[&a, "nokey"]).await.unwrap();
        assert_eq!(n, 0);
        assert!(!exists(&server.server, &d));
        let _: () = con.sadd(&d, "z").await.unwrap();
        let n: i64 = con.sdiffstore(&d, &[&a, &a]).await.unwrap();
        assert_eq!(n, 0);
        assert!(!exists(&server.server, &d));
        let n: i64 = con.sunionstore(&d, &["nokey"]).await.unwrap();
        assert_eq!(n, 0);
        // The destination may also be a source.
        let n: i64 = con.sunionstore(&a, &[&a, &b]).await.unwrap();
        assert_eq!(n, 4);
        let inter: Vec<String> = con.sinter(&[&a, &b]).await.unwrap();
        assert_eq!(sorted(inter), vec!["2", "x", "y"]);
        let union: Vec<String> = con.sunion(&[&a, &b, "nokey"]).await.unwrap();
        assert_eq!(union.len(), 4);
        let diff: Vec<String> = con.sdiff(&[&a, &b]).await.unwrap();
        assert_eq!(diff, vec!["1"]);
        let card: i64 = redis::cmd("SINTERCARD")
            .arg(2)
            .arg(&a)
            .arg(&b)
            .arg("LIMIT")
            .arg(1)
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(card, 1);
    }
}

#[tokio::test]
async fn smove_semantics() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, true).await;
    r.call(&["SADD", "src", "a", "b"]).await;
    assert_eq!(r.text(&["SMOVE", "src", "dst", "a"]).await, ":1\r\n");
    assert_eq!(r.text(&["SMOVE", "src", "dst", "a"]).await, ":0\r\n");
    assert_eq!(r.text(&["SMOVE", "src", "src", "b"]).await, ":1\r\n");
    assert_eq!(r.text(&["SMOVE", "src", "src", "zz"]).await, ":0\r\n");
    r.call(&["SADD", "dst", "b"]).await;
    // Already in the destination: still moved out of the source, which then disappears.
    assert_eq!(r.text(&["SMOVE", "src", "dst", "b"]).await, ":1\r\n");
    assert!(!exists(&server.server, "src"));
    assert_eq!(r.text(&["SCARD", "dst"]).await, ":2\r\n");
    // The destination is created with the encoding its first member calls for.
    r.call(&["SADD", "nums", "1", "x"]).await;
    assert_eq!(r.text(&["SMOVE", "nums", "fresh", "1"]).await, ":1\r\n");
    assert_eq!(encoding(&server.server, "fresh"), Some("intset"));
}

#[tokio::test]
async fn random_members() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        for (size, numeric) in [(5usize, true), (5, false), (400, true), (1000, false)] {
            let key = format!("r{size}{numeric}{resp3}");
            let members: Vec<String> = (0..size)
                .map(|i| {
                    if numeric {
                        i.to_string()
                    } else {
                        format!("m{i}")
                    }
                })
                .collect();
            let _: () = con.sadd(&key, &members).await.unwrap();
            for count in [1usize, 2, size / 3, size - 1, size, size + 5] {
                let picked: Vec<String> = con.srandmember_multiple(&key, count).await.unwrap();
                assert_eq!(picked.len(), count.min(size));
                let distinct: HashSet<&String> = picked.iter().collect();
                assert_eq!(distinct.len(), picked.len());
                assert!(picked.iter().all(|m| members.contains(m)));
            }
            let repeated: Vec<String> = redis::cmd("SRANDMEMBER")
                .arg(&key)
                .arg(-(size as i64) * 3)
                .query_async(&mut con)
                .await
                .unwrap();
            assert_eq!(repeated.len(), size * 3);
            let one: String = con.srandmember(&key).await.unwrap();
            assert!(members.contains(&one));
            // SPOP with a count removes exactly what it returns.
            let popped: Vec<String> = redis::cmd("SPOP")
                .arg(&key)
                .arg(size / 2)
                .query_async(&mut con)
                .await
                .unwrap();
            assert_eq!(popped.len(), size / 2);
            let distinct: HashSet<&String> = popped.iter().collect();
            assert_eq!(distinct.len(), popped.len());
            let left: HashSet<String> = con.smembers(&key).await.unwrap();
            assert_eq!(left.len() + popped.len(), size);
            assert!(popped.iter().all(|m| !left.contains(m)));
            let all: Vec<String> = redis::cmd("SPOP")
                .arg(&key)
                .arg(size)
                .query_async(&mut con)
                .await
                .unwrap();
            assert_eq!(all.len(), left.len());
            assert!(!exists(&server.server, &key));
        }
    }
}

#[tokio::test]
async fn encodings_follow_config() {
    let server = common::start("set-max-intset-entries 4\n").await;
    let mut r = RawConn::connect(server.addr, false).await;
    r.call(&["SADD", "s", "1", "2", "3", "4"]).await;
    assert_eq!(encoding(&server.server, "s"), Some("intset"));
    r.call(&["SADD", "s", "5"]).await;
    assert_eq!(encoding(&server.server, "s"), Some("hashtable"));
    r.call(&["SREM", "s", "1", "2", "3", "4"]).await;
    assert_eq!(encoding(&server.server, "s"), Some("hashtable"));

    r.call(&["SADD", "t", "1", "-9223372036854775808"]).await;
    assert_eq!(encoding(&server.server, "t"), Some("intset"));
    r.call(&["SADD", "t", "01"]).await;
    assert_eq!(encoding(&server.server, "t"), Some("hashtable"));
    r.call(&["SADD", "u", "abc"]).await;
    assert_eq!(encoding(&server.server, "u"), Some("hashtable"));
    r.call(&["SADD", "big", "9223372036854775808"]).await;
    assert_eq!(encoding(&server.server, "big"), Some("hashtable"));
    // Store results are built like SADD: integers give an intset.
    r.call(&["SUNIONSTORE", "d", "t"]).await;
    assert_eq!(encoding(&server.server, "d"), Some("hashtable"));
    r.call(&["SADD", "i1", "1", "2"]).await;
    r.call(&["SUNIONSTORE", "d", "i1"]).await;
    assert_eq!(encoding(&server.server, "d"), Some("intset"));
}

async fn sscan_all(
    r: &mut RawConn,
    key: &str,
    count: &str,
    mut between: impl FnMut(usize) -> Option<Vec<String>>,
) -> Vec<String> {
    let mut cursor = "0".to_string();
    let mut members = Vec::new();
    let mut calls = 0;
    loop {
        let reply = r.text(&["SSCAN", key, &cursor, "COUNT", count]).await;
        let lines: Vec<&str> = reply.split("\r\n").collect();
        let n: usize = lines[3][1..].parse().unwrap();
        members.extend((0..n).map(|i| lines[5 + 2 * i].to_string()));
        cursor = lines[2].to_string();
        calls += 1;
        if let Some(cmd) = between(calls) {
            let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            r.call(&args).await;
        }
        if cursor == "0" {
            break;
        }
        assert!(calls < 100_000, "scan does not terminate");
    }
    members
}

#[tokio::test]
async fn sscan_guarantee_while_growing_and_shrinking() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, false).await;
    let mut sadd = vec!["SADD".to_string(), "big".to_string()];
    sadd.extend((0..2000).map(|i| format!("m{i}")));
    let args: Vec<&str> = sadd.iter().map(String::as_str).collect();
    r.call(&args).await;
    assert_eq!(encoding(&server.server, "big"), Some("hashtable"));

    let plain = sscan_all(&mut r, "big", "25", |_| None).await;
    let distinct: HashSet<&String> = plain.iter().collect();
    assert_eq!(distinct.len(), 2000);

    // Grow the set 4x, then shrink it back, in steps between SSCAN calls.
    let members = sscan_all(&mut r, "big", "10", |call| {
        let (cmd, range) = if call <= 30 {
            ("SADD", (call - 1) * 200..call * 200)
        } else if call <= 60 {
            ("SREM", (call - 31) * 200..(call - 30) * 200)
        } else {
            return None;
        };
        let mut args = vec![cmd.to_string(), "big".to_string()];
        args.extend(range.map(|i| format!("extra{i}")));
        Some(args)
    })
    .await;
    let seen: HashSet<&String> = members.iter().collect();
    for i in 0..2000 {
        assert!(seen.contains(&format!("m{i}")), "m{i} missed");
    }
}

#[tokio::test]
async fn writes_touch_watched_keys() {
    let server = common::start("").await;
    let mut watcher = RawConn::connect(server.addr, false).await;
    let mut writer = RawConn::connect(server.addr, false).await;
    for write in [
        &["SADD", "w", "new"][..],
        &["SREM", "w", "a"],
        &["SPOP", "w"],
        &["SPOP", "w", "1"],
        &["SMOVE", "w", "other", "a"],
        &["SMOVE", "other2", "w", "x"],
        &["SINTERSTORE", "w", "w", "w"],
        &["SDIFFSTORE", "w", "nokey"],
    ] {
        writer.call(&["SADD", "w", "a", "b"]).await;
        writer.call(&["SADD", "other2", "x"]).await;
        watcher.call(&["WATCH", "w"]).await;
        writer.call(write).await;
        watcher.call(&["MULTI"]).await;
        watcher.call(&["SCARD", "w"]).await;
        assert_eq!(watcher.text(&["EXEC"]).await, "*-1\r\n", "{write:?}");
    }
    writer.call(&["SADD", "w", "a"]).await;
    watcher.call(&["WATCH", "w"]).await;
    writer.call(&["SADD", "w", "a"]).await;
    writer.call(&["SREM", "w", "nope"]).await;
    writer.call(&["SMEMBERS", "w"]).await;
    watcher.call(&["MULTI"]).await;
    watcher.call(&["SISMEMBER", "w", "a"]).await;
    assert_eq!(watcher.text(&["EXEC"]).await, "*1\r\n:1\r\n");
}

/// Deterministic replies (intset order, errors, RESP3 types) compared byte for byte with a
/// real redis-server, in both protocols.
#[tokio::test]
async fn replies_match_real_redis() {
    let Some(redis) = hashsets_support::start_real_redis() else {
        return;
    };
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut real = hashsets_support::connect_when_ready(&redis.socket, resp3).await;
        let mut ours = RawConn::connect(server.addr, resp3).await;
        let (a, b, d) = if resp3 {
            ("a3", "b3", "d3")
        } else {
            ("a2", "b2", "d2")
        };
        let script: Vec<Vec<&str>> = vec![
            vec!["SADD", a, "5", "-1", "300", "70000", "5"],
            vec!["SADD", b, "5", "300", "9"],
            vec!["SMEMBERS", a],
            vec!["SMEMBERS", "nokey"],
            vec!["SCARD", a],
            vec!["SISMEMBER", a, "300"],
            vec!["SMISMEMBER", a, "300", "301"],
            vec!["SINTER", a, b],
            vec!["SINTER", a, "nokey"],
            vec!["SUNION", a, b],
            vec!["SDIFF", a, b],
            vec!["SINTERCARD", "2", a, b],
            vec!["SINTERCARD", "2", a, b, "LIMIT", "1"],
            vec!["SINTERCARD", "0", a],
            vec!["SINTERCARD", "3", a, b],
            vec!["SINTERCARD", "1", a, "LIMIT", "-1"],
            vec!["SINTERSTORE", d, a, b],
            vec!["SMEMBERS", d],
            vec!["SUNIONSTORE", d, a, b],
            vec!["SMEMBERS", d],
            vec!["SDIFFSTORE", d, a, b],
            vec!["SMEMBERS", d],
            vec!["SDIFFSTORE", d, b, b],
            vec!["SCARD", d],
            vec!["SSCAN", a, "0"],
            vec!["SSCAN", a, "42", "MATCH", "*0*"],
            vec!["SSCAN", a, "0", "COUNT", "-1"],
            vec!["SSCAN", a, "abc"],
            vec!["SSCAN", "nokey", "0"],
            vec!["SREM", a, "5", "nope"],
            vec!["SMOVE", a, b, "-1"],
            vec!["SMOVE", a, a, "300"],
            vec!["SMOVE", "nokey", b, "1"],
            vec!["SMEMBERS", b],
            vec!["SPOP", "nokey"],
            vec!["SPOP", "nokey", "3"],
            vec!["SPOP", a, "0"],
            vec!["SPOP", a, "-1"],
            vec!["SPOP", a, "1", "2"],
            vec!["SRANDMEMBER", "nokey"],
            vec!["SRANDMEMBER", "nokey", "3"],
            vec!["SRANDMEMBER", b, "100"],
            vec!["SRANDMEMBER", b, "0"],
            vec!["SRANDMEMBER", b, "x"],
            vec!["SRANDMEMBER", b, "-9223372036854775808"],
            vec!["SPOP", b, "100"],
            vec!["SCARD", b],
            vec!["SET", "str", "x"],
            vec!["SADD", "str", "1"],
            vec!["SUNION", "nokey", "str"],
        ];
        for args in &script {
            hashsets_support::same_text(&mut ours, &mut real, args).await;
        }
    }
}
