//! Hash commands against an in-process node, through the `redis` crate (RESP2 and RESP3)
//! and raw bytes where the exact reply matters.

mod common;
mod hashsets_support;

use std::collections::{HashMap, HashSet};

use hashsets_support::{RawConn, encoding, exists};
use redis::AsyncCommands;

#[tokio::test]
async fn basic_commands_in_both_protocols() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let key = if resp3 { "h3" } else { "h2" };
        let added: i64 = redis::cmd("HSET")
            .arg(key)
            .arg(&["a", "1", "b", "2", "a", "3"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(added, 2);
        let value: Option<String> = con.hget(key, "a").await.unwrap();
        assert_eq!(value.as_deref(), Some("3"));
        let missing: Option<String> = con.hget(key, "zz").await.unwrap();
        assert_eq!(missing, None);
        let values: Vec<Option<String>> = redis::cmd("HMGET")
            .arg(key)
            .arg(&["a", "nope", "b"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(values, vec![Some("3".into()), None, Some("2".into())]);
        let _: () = redis::cmd("HMSET")
            .arg(key)
            .arg(&["c", "hello"])
            .query_async(&mut con)
            .await
            .unwrap();
        let setnx: i64 = con.hset_nx(key, "c", "x").await.unwrap();
        assert_eq!(setnx, 0);
        let setnx: i64 = con.hset_nx(key, "d", "x").await.unwrap();
        assert_eq!(setnx, 1);
        let len: i64 = con.hlen(key).await.unwrap();
        assert_eq!(len, 4);
        let strlen: i64 = redis::cmd("HSTRLEN")
            .arg(key)
            .arg("c")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(strlen, 5);
        let exists_field: bool = con.hexists(key, "c").await.unwrap();
        assert!(exists_field);
        let keys: Vec<String> = con.hkeys(key).await.unwrap();
        assert_eq!(keys, vec!["a", "b", "c", "d"]);
        let vals: Vec<String> = con.hvals(key).await.unwrap();
        assert_eq!(vals, vec!["3", "2", "hello", "x"]);
        let all: HashMap<String, String> = con.hgetall(key).await.unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all["c"], "hello");
        let deleted: i64 = redis::cmd("HDEL")
            .arg(key)
            .arg(&["a", "a", "nope", "b"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(deleted, 2);
        let deleted: i64 = redis::cmd("HDEL")
            .arg(key)
            .arg(&["c", "d"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(deleted, 2);
        assert!(!exists(&server.server, key), "empty hash must be removed");
        let len: i64 = con.hlen(key).await.unwrap();
        assert_eq!(len, 0);
        let all: HashMap<String, String> = con.hgetall(key).await.unwrap();
        assert!(all.is_empty());
    }
}

#[tokio::test]
async fn exact_bytes_resp2_and_resp3() {
    let server = common::start("").await;
    let mut r2 = RawConn::connect(server.addr, false).await;
    let mut r3 = RawConn::connect(server.addr, true).await;
    r2.call(&["HSET", "h", "a", "1", "b", "2"]).await;
    assert_eq!(
        r2.text(&["HGETALL", "h"]).await,
        "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        r3.text(&["HGETALL", "h"]).await,
        "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(r3.text(&["HGETALL", "nokey"]).await, "%0\r\n");
    assert_eq!(r2.text(&["HGETALL", "nokey"]).await, "*0\r\n");
    assert_eq!(r3.text(&["HGET", "h", "zz"]).await, "_\r\n");
    assert_eq!(r2.text(&["HGET", "h", "zz"]).await, "$-1\r\n");
    assert_eq!(
        r3.text(&["HMGET", "h", "a", "zz"]).await,
        "*2\r\n$1\r\n1\r\n_\r\n"
    );
    assert_eq!(
        r3.text(&["HKEYS", "h"]).await,
        "*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        r3.text(&["HVALS", "h"]).await,
        "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
    assert_eq!(r3.text(&["HEXISTS", "h", "a"]).await, ":1\r\n");
    assert_eq!(r3.text(&["HMSET", "h", "c", "3"]).await, "+OK\r\n");
    // A small (listpack) hash is scanned whole with cursor 0, in both protocols.
    for conn in [&mut r2, &mut r3] {
        assert_eq!(
            conn.text(&["HSCAN", "h", "0"]).await,
            "*2\r\n$1\r\n0\r\n*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
        );
    }
}

#[tokio::test]
async fn errors_are_redis_texts() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, false).await;
    r.call(&["SET", "str", "x"]).await;
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    for cmd in [
        &["HSET", "str", "a", "1"][..],
        &["HSETNX", "str", "a", "1"],
        &["HGET", "str", "a"],
        &["HMGET", "str", "a"],
        &["HDEL", "str", "a"],
        &["HLEN", "str"],
        &["HSTRLEN", "str", "a"],
        &["HKEYS", "str"],
        &["HVALS", "str"],
        &["HGETALL", "str"],
        &["HEXISTS", "str", "a"],
        &["HINCRBY", "str", "a", "1"],
        &["HINCRBYFLOAT", "str", "a", "1"],
        &["HRANDFIELD", "str"],
        &["HRANDFIELD", "str", "2"],
        &["HSCAN", "str", "0"],
    ] {
        assert_eq!(r.text(cmd).await, wrongtype, "{cmd:?}");
    }
    assert_eq!(
        r.text(&["HSET", "h", "a", "1", "b"]).await,
        "-ERR wrong number of arguments for 'hset' command\r\n"
    );
    assert_eq!(
        r.text(&["HMSET", "h", "a", "1", "b"]).await,
        "-ERR wrong number of arguments for 'hmset' command\r\n"
    );
    assert!(!exists(&server.server, "h"));
    r.call(&[
        "HSET",
        "h",
        "s",
        "foo",
        "big",
        "9223372036854775807",
        "sp",
        " 1",
    ])
    .await;
    assert_eq!(
        r.text(&["HINCRBY", "h", "s", "1"]).await,
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBY", "h", "sp", "1"]).await,
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBY", "h", "s", "x"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBY", "h", "big", "1"]).await,
        "-ERR increment or decrement would overflow\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBY", "fresh", "f", "x"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert!(!exists(&server.server, "fresh"));
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "s", "1"]).await,
        "-ERR hash value is not a float\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "sp", "1"]).await,
        "-ERR hash value is not a float\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "a", "abc"]).await,
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "a", "nan"]).await,
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "a", "inf"]).await,
        "-ERR value is NaN or Infinity\r\n"
    );
    // Long double arithmetic as Redis: past the f64 range, and exact to Redis's digits.
    r.call(&["HSET", "h", "huge", "1.5e308"]).await;
    assert!(
        r.text(&["HINCRBYFLOAT", "h", "huge", "1.5e308"])
            .await
            .starts_with("$309\r\n2999999999999999999998029529789369360620336")
    );
    r.call(&["HSET", "h", "dec", "5.6"]).await;
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "dec", "1e3"]).await,
        "$22\r\n1005.59999999999999998\r\n"
    );
    r.call(&["HSET", "h", "infinite", "inf"]).await;
    assert_eq!(
        r.text(&["HINCRBYFLOAT", "h", "infinite", "1"]).await,
        "-ERR increment would produce NaN or Infinity\r\n"
    );
    assert_eq!(
        r.text(&["HRANDFIELD", "h", "x"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        r.text(&["HRANDFIELD", "h", "-9223372036854775808"]).await,
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
    );
    assert_eq!(
        r.text(&["HRANDFIELD", "h", "1", "withvalue"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["HRANDFIELD", "h", "1", "withvalues", "x"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["HRANDFIELD", "h", "-4611686018427387904", "withvalues"])
            .await,
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        r.text(&["HSCAN", "h", "abc"]).await,
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(
        r.text(&["HSCAN", "h", "18446744073709551616"]).await,
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(
        r.text(&["HSCAN", "h", "0", "COUNT", "0"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["HSCAN", "h", "0", "COUNT", "x"]).await,
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        r.text(&["HSCAN", "h", "0", "MATCH"]).await,
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        r.text(&["HSCAN", "h", "0", "NOVALUES"]).await,
        "-ERR syntax error\r\n"
    );
    // A missing key answers an empty scan before options are looked at, as Redis does.
    assert_eq!(
        r.text(&["HSCAN", "nokey", "0", "bogus"]).await,
        "*2\r\n$1\r\n0\r\n*0\r\n"
    );
}

#[tokio::test]
async fn incr_commands() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut r = RawConn::connect(server.addr, resp3).await;
        let n = if resp3 { "n3" } else { "n2" };
        assert_eq!(r.text(&["HINCRBY", n, "i", "-5"]).await, ":-5\r\n");
        assert_eq!(r.text(&["HINCRBY", n, "i", "15"]).await, ":10\r\n");
        assert_eq!(r.text(&["HGET", n, "i"]).await, "$2\r\n10\r\n");
        // HINCRBYFLOAT replies a bulk string in both protocols.
        assert_eq!(
            r.text(&["HINCRBYFLOAT", n, "f", "1.5"]).await,
            "$3\r\n1.5\r\n"
        );
        assert_eq!(
            r.text(&["HINCRBYFLOAT", n, "f", "1e3"]).await,
            "$6\r\n1001.5\r\n"
        );
        assert_eq!(
            r.text(&["HINCRBYFLOAT", n, "i", "0.1"]).await,
            "$4\r\n10.1\r\n"
        );
        assert_eq!(r.text(&["HINCRBYFLOAT", n, "z", "-0"]).await, "$1\r\n0\r\n");
        r.call(&["HSET", n, "e", "1e5", "dot", "1.", "lead", ".5"])
            .await;
        assert_eq!(
            r.text(&["HINCRBYFLOAT", n, "e", "0"]).await,
            "$6\r\n100000\r\n"
        );
        assert_eq!(
            r.text(&["HINCRBYFLOAT", n, "dot", "1"]).await,
            "$1\r\n2\r\n"
        );
        assert_eq!(
            r.text(&["HINCRBYFLOAT", n, "lead", "1"]).await,
            "$3\r\n1.5\r\n"
        );
        assert_eq!(
            r.text(&["HINCRBY", n, "f", "1"]).await,
            "-ERR hash value is not an integer\r\n"
        );
    }
}

#[tokio::test]
async fn hrandfield_shapes() {
    let server = common::start("").await;
    let mut r2 = RawConn::connect(server.addr, false).await;
    let mut r3 = RawConn::connect(server.addr, true).await;
    r2.call(&["HSET", "one", "a", "1"]).await;
    assert_eq!(r2.text(&["HRANDFIELD", "one"]).await, "$1\r\na\r\n");
    assert_eq!(r3.text(&["HRANDFIELD", "nokey"]).await, "_\r\n");
    assert_eq!(r2.text(&["HRANDFIELD", "nokey"]).await, "$-1\r\n");
    assert_eq!(r3.text(&["HRANDFIELD", "nokey", "2"]).await, "*0\r\n");
    assert_eq!(
        r3.text(&["HRANDFIELD", "one", "0", "withvalues"]).await,
        "*0\r\n"
    );
    // Negative counts repeat; RESP3 nests each field-value pair, RESP2 flattens.
    assert_eq!(
        r3.text(&["HRANDFIELD", "one", "-2", "WITHVALUES"]).await,
        "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        r2.text(&["HRANDFIELD", "one", "-2", "WITHVALUES"]).await,
        "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        r3.text(&["HRANDFIELD", "one", "5", "withvalues"]).await,
        "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        r3.text(&["HRANDFIELD", "one", "-3"]).await,
        "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
    );

    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        for size in [5usize, 300] {
            let key = format!("h{size}:{resp3}");
            for i in 0..size {
                let _: () = con
                    .hset(&key, format!("f{i}"), format!("v{i}"))
                    .await
                    .unwrap();
            }
            for count in [1usize, 3, size - 1, size, size + 10] {
                let fields: Vec<String> = redis::cmd("HRANDFIELD")
                    .arg(&key)
                    .arg(count)
                    .query_async(&mut con)
                    .await
                    .unwrap();
                assert_eq!(fields.len(), count.min(size));
                let distinct: HashSet<&String> = fields.iter().collect();
                assert_eq!(distinct.len(), fields.len(), "positive count is distinct");
            }
            let repeated: Vec<String> = redis::cmd("HRANDFIELD")
                .arg(&key)
                .arg(-(size as i64) * 2)
                .query_async(&mut con)
                .await
                .unwrap();
            assert_eq!(repeated.len(), size * 2);
            let reply: redis::Value = redis::cmd("HRANDFIELD")
                .arg(&key)
                .arg(3)
                .arg("WITHVALUES")
                .query_async(&mut con)
                .await
                .unwrap();
            let pairs: Vec<(String, String)> = match reply {
                redis::Value::Array(items) if resp3 => items
                    .into_iter()
                    .map(|pair| redis::from_redis_value(&pair).unwrap())
                    .collect(),
                other => {
                    let flat: Vec<String> = redis::from_redis_value(&other).unwrap();
                    flat.chunks(2)
                        .map(|c| (c[0].clone(), c[1].clone()))
                        .collect()
                }
            };
            assert_eq!(pairs.len(), 3);
            for (field, value) in pairs {
                assert_eq!(field[1..], value[1..], "value belongs to its field");
            }
        }
    }
}

#[tokio::test]
async fn encodings_follow_config() {
    let server = common::start("hash-max-listpack-entries 4\nhash-max-listpack-value 8\n").await;
    let mut r = RawConn::connect(server.addr, false).await;
    r.call(&["HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"])
        .await;
    assert_eq!(encoding(&server.server, "h"), Some("listpack"));
    r.call(&["HSET", "h", "e", "5"]).await;
    assert_eq!(encoding(&server.server, "h"), Some("hashtable"));
    r.call(&["HDEL", "h", "a", "b", "c", "d"]).await;
    assert_eq!(encoding(&server.server, "h"), Some("hashtable"));

    r.call(&["HSET", "v", "a", "12345678"]).await;
    assert_eq!(encoding(&server.server, "v"), Some("listpack"));
    r.call(&["HSET", "v", "a", "123456789"]).await;
    assert_eq!(encoding(&server.server, "v"), Some("hashtable"));

    // HSETNX converts on a long argument even when the field exists (hashTypeTryConversion).
    r.call(&["HSET", "nx", "a", "1"]).await;
    assert_eq!(r.text(&["HSETNX", "nx", "a", "123456789"]).await, ":0\r\n");
    assert_eq!(encoding(&server.server, "nx"), Some("hashtable"));

    // HINCRBY with a long field name converts too.
    r.call(&["HINCRBY", "inc", "a-long-field", "1"]).await;
    assert_eq!(encoding(&server.server, "inc"), Some("hashtable"));
    r.call(&["HINCRBYFLOAT", "flt", "f", "1.5"]).await;
    assert_eq!(encoding(&server.server, "flt"), Some("listpack"));
}

async fn hscan_all(
    r: &mut RawConn,
    key: &str,
    extra: &[&str],
    mut between: impl FnMut(usize) -> Vec<Vec<String>>,
) -> (Vec<String>, usize) {
    let mut cursor = "0".to_string();
    let mut fields = Vec::new();
    let mut calls = 0;
    loop {
        let mut args = vec!["HSCAN", key, cursor.as_str()];
        args.extend_from_slice(extra);
        let reply = r.call(&args).await;
        let (next, items) = parse_scan(&reply);
        fields.extend(items.chunks(2).map(|c| c[0].clone()));
        calls += 1;
        for cmd in between(calls) {
            let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            r.call(&args).await;
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
        assert!(calls < 100_000, "scan does not terminate");
    }
    (fields, calls)
}

/// Parse `*2 $cursor *n items...` into the cursor and the items.
fn parse_scan(reply: &[u8]) -> (String, Vec<String>) {
    let text = String::from_utf8_lossy(reply);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines[0], "*2", "{text}");
    let cursor = lines[2].to_string();
    let count: usize = lines[3][1..].parse().unwrap();
    let items = (0..count).map(|i| lines[5 + 2 * i].to_string()).collect();
    (cursor, items)
}

#[tokio::test]
async fn hscan_large_hash() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, false).await;
    for chunk in (0..1000).collect::<Vec<_>>().chunks(100) {
        let mut args = vec!["HSET".to_string(), "big".to_string()];
        for i in chunk {
            args.push(format!("field:{i}"));
            args.push(format!("{i}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        r.call(&args).await;
    }
    assert_eq!(encoding(&server.server, "big"), Some("hashtable"));
    let (fields, calls) = hscan_all(&mut r, "big", &["COUNT", "20"], |_| Vec::new()).await;
    let distinct: HashSet<&String> = fields.iter().collect();
    assert_eq!(distinct.len(), 1000);
    assert!(calls > 10, "COUNT limits each call ({calls} calls)");

    let (matched, _) = hscan_all(&mut r, "big", &["MATCH", "field:1?", "COUNT", "50"], |_| {
        Vec::new()
    })
    .await;
    let mut matched: Vec<String> = matched;
    matched.sort();
    matched.dedup();
    assert_eq!(matched.len(), 10);

    // Fields present for the whole iteration come back even while the hash keeps growing
    // and shrinking between calls.
    let (fields, _) = hscan_all(&mut r, "big", &["COUNT", "7"], |call| {
        if call % 2 == 1 {
            let mut cmd = vec!["HSET".to_string(), "big".to_string()];
            for i in 0..300 {
                cmd.push(format!("extra:{call}:{i}"));
                cmd.push("x".to_string());
            }
            vec![cmd]
        } else {
            let mut cmd = vec!["HDEL".to_string(), "big".to_string()];
            for i in 0..300 {
                cmd.push(format!("extra:{}:{i}", call - 1));
            }
            vec![cmd]
        }
    })
    .await;
    let seen: HashSet<&String> = fields.iter().collect();
    for i in 0..1000 {
        assert!(seen.contains(&format!("field:{i}")), "field:{i} missed");
    }
}

#[tokio::test]
async fn writes_touch_watched_keys() {
    let server = common::start("").await;
    let mut watcher = RawConn::connect(server.addr, false).await;
    let mut writer = RawConn::connect(server.addr, false).await;
    for write in [
        &["HSET", "w", "a", "2"][..],
        &["HDEL", "w", "a"],
        &["HINCRBY", "w", "n", "1"],
        &["HINCRBYFLOAT", "w", "n", "1"],
        &["HSETNX", "w", "new", "1"],
        &["HMSET", "w", "a", "1"],
    ] {
        writer.call(&["HSET", "w", "a", "1", "n", "1"]).await;
        watcher.call(&["WATCH", "w"]).await;
        writer.call(write).await;
        watcher.call(&["MULTI"]).await;
        watcher.call(&["HGET", "w", "a"]).await;
        assert_eq!(watcher.text(&["EXEC"]).await, "*-1\r\n", "{write:?}");
    }
    // Reads and no-op writes leave WATCH alone.
    watcher.call(&["WATCH", "w"]).await;
    writer.call(&["HGET", "w", "a"]).await;
    writer.call(&["HDEL", "w", "nope"]).await;
    writer.call(&["HSETNX", "w", "a", "9"]).await;
    watcher.call(&["MULTI"]).await;
    watcher.call(&["HGET", "w", "a"]).await;
    assert_eq!(watcher.text(&["EXEC"]).await, "*1\r\n$1\r\n1\r\n");
}

/// Deterministic replies (listpack order, errors, RESP3 types) compared byte for byte with a
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
        let k = if resp3 { "h3" } else { "h2" };
        let script: Vec<Vec<&str>> = vec![
            vec!["HSET", k, "b", "1", "a", "2", "c", "3", "a", "4"],
            vec!["HGETALL", k],
            vec!["HKEYS", k],
            vec!["HVALS", k],
            vec!["HMGET", k, "a", "zz", "c"],
            vec!["HGET", k, "zz"],
            vec!["HSETNX", k, "a", "x"],
            vec!["HSETNX", k, "d", "x"],
            vec!["HMSET", k, "e", "5"],
            vec!["HDEL", k, "b", "zz", "b"],
            vec!["HLEN", k],
            vec!["HSTRLEN", k, "d"],
            vec!["HEXISTS", k, "d"],
            vec!["HSCAN", k, "0"],
            vec!["HSCAN", k, "7", "MATCH", "[a-d]", "COUNT", "1"],
            vec!["HSCAN", k, "-1"],
            vec!["HSCAN", k, "x"],
            vec!["HSCAN", k, "0", "COUNT", "0"],
            vec!["HSCAN", "nokey", "0"],
            vec!["HINCRBY", k, "n", "41"],
            vec!["HINCRBY", k, "n", "1"],
            vec!["HINCRBY", k, "d", "1"],
            vec!["HINCRBY", k, "n", "9223372036854775807"],
            vec!["HINCRBYFLOAT", k, "f", "2.5"],
            vec!["HINCRBYFLOAT", k, "f", "-0.25"],
            vec!["HINCRBYFLOAT", k, "f", "100"],
            vec!["HINCRBYFLOAT", k, "d", "1"],
            vec!["HINCRBYFLOAT", k, "f", "inf"],
            vec!["HINCRBYFLOAT", k, "f", "x"],
            vec!["HGETALL", k],
            vec!["HRANDFIELD", "nokey"],
            vec!["HRANDFIELD", "nokey", "3", "WITHVALUES"],
            vec!["HRANDFIELD", k, "100", "WITHVALUES"],
            vec!["HRANDFIELD", k, "0"],
            vec!["HRANDFIELD", k, "1", "x"],
            vec!["HRANDFIELD", k, "-9223372036854775808"],
            vec!["HRANDFIELD", k, "-4611686018427387904", "WITHVALUES"],
            vec!["HGETALL", "nokey"],
            vec!["HSET", k, "odd"],
            vec!["SET", "s", "x"],
            vec!["HGETALL", "s"],
            vec!["HSET", "s", "a", "1"],
        ];
        for args in &script {
            hashsets_support::same_text(&mut ours, &mut real, args).await;
        }
    }
}
