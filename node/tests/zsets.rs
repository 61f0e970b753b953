//! Sorted-set commands end to end: the `redis` crate in RESP2 and RESP3, and raw bytes
//! compared with what a real Redis 7.0.15 answered to the same command sequence.

mod common;

use std::time::Duration;

use redis::Value as V;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A raw connection that sends commands and reads a reply of known length.
struct Raw {
    stream: tokio::net::TcpStream,
}

impl Raw {
    async fn connect(server: &common::TestServer, resp3: bool) -> Raw {
        let stream = tokio::net::TcpStream::connect(server.addr)
            .await
            .expect("connect");
        let mut raw = Raw { stream };
        if resp3 {
            raw.send(&["HELLO", "3"]).await;
            // The HELLO map ends with the modules array (empty): "modules\r\n*0\r\n".
            let mut seen = Vec::new();
            while !seen.ends_with(b"$7\r\nmodules\r\n*0\r\n") {
                let mut byte = [0u8; 1];
                tokio::time::timeout(Duration::from_secs(10), raw.stream.read_exact(&mut byte))
                    .await
                    .expect("HELLO reply in time")
                    .expect("read");
                seen.push(byte[0]);
            }
        }
        raw
    }

    async fn send(&mut self, args: &[&str]) {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for arg in args {
            out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
            out.extend_from_slice(arg.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        self.stream.write_all(&out).await.expect("write");
    }

    /// Send `args` and read exactly `len` bytes, then check nothing more is pending.
    async fn call(&mut self, args: &[&str], len: usize) -> Vec<u8> {
        self.send(args).await;
        let mut reply = vec![0u8; len];
        let read =
            tokio::time::timeout(Duration::from_secs(10), self.stream.read_exact(&mut reply)).await;
        assert!(
            matches!(read, Ok(Ok(_))),
            "{args:?}: no complete reply of {len} bytes"
        );
        reply
    }
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).replace("\r\n", "\\r\\n")
}

/// Replays the golden sequence and compares every reply byte for byte.
async fn replay(resp3: bool) {
    let server = common::start("").await;
    let mut raw = Raw::connect(&server, resp3).await;
    for (args, resp2_reply, resp3_reply) in GOLDEN {
        let expected: &[u8] = if resp3 { resp3_reply } else { resp2_reply };
        let got = raw.call(args, expected.len()).await;
        assert_eq!(
            show(&got),
            show(expected),
            "RESP{} {args:?}",
            if resp3 { 3 } else { 2 }
        );
    }
    // Nothing extra was sent after the last reply.
    let got = raw.call(&["ZCARD", "golden-end"], 4).await;
    assert_eq!(got, b":0\r\n");
}

#[tokio::test]
async fn golden_replies_resp2() {
    replay(false).await;
}

#[tokio::test]
async fn golden_replies_resp3() {
    replay(true).await;
}

fn err_text(err: &redis::RedisError) -> String {
    format!(
        "{} {}",
        err.code().unwrap_or("?"),
        err.detail().unwrap_or("")
    )
}

async fn query(
    con: &mut redis::aio::MultiplexedConnection,
    args: &[&str],
) -> redis::RedisResult<V> {
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(con).await
}

async fn ok(con: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> V {
    query(con, args)
        .await
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

async fn fails(con: &mut redis::aio::MultiplexedConnection, args: &[&str]) -> String {
    match query(con, args).await {
        Ok(v) => panic!("{args:?} succeeded with {v:?}"),
        Err(e) => err_text(&e),
    }
}

fn bulk(s: &str) -> V {
    V::BulkString(s.as_bytes().to_vec())
}

/// A score as the protocol carries it: a double in RESP3, a bulk string in RESP2.
fn score(resp3: bool, value: f64, text: &str) -> V {
    if resp3 { V::Double(value) } else { bulk(text) }
}

fn pair(resp3: bool, member: &str, value: f64, text: &str) -> Vec<V> {
    if resp3 {
        vec![V::Array(vec![bulk(member), score(true, value, text)])]
    } else {
        vec![bulk(member), bulk(text)]
    }
}

#[tokio::test]
async fn typed_replies_in_both_protocols() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let key = if resp3 { "t3" } else { "t2" };
        assert_eq!(
            ok(&mut con, &["ZADD", key, "1", "a", "2.5", "b"]).await,
            V::Int(2)
        );
        assert_eq!(
            ok(&mut con, &["ZADD", key, "INCR", "1", "a"]).await,
            score(resp3, 2.0, "2")
        );
        assert_eq!(
            ok(&mut con, &["ZINCRBY", key, "0.5", "a"]).await,
            score(resp3, 2.5, "2.5")
        );
        assert_eq!(
            ok(&mut con, &["ZSCORE", key, "b"]).await,
            score(resp3, 2.5, "2.5")
        );
        assert_eq!(ok(&mut con, &["ZSCORE", key, "zz"]).await, V::Nil);
        assert_eq!(
            ok(&mut con, &["ZMSCORE", key, "a", "zz"]).await,
            V::Array(vec![score(resp3, 2.5, "2.5"), V::Nil])
        );
        assert_eq!(
            ok(&mut con, &["ZADD", key, "XX", "INCR", "1", "zz"]).await,
            V::Nil
        );
        let mut expected = pair(resp3, "a", 2.5, "2.5");
        expected.extend(pair(resp3, "b", 2.5, "2.5"));
        assert_eq!(
            ok(&mut con, &["ZRANGE", key, "0", "-1", "WITHSCORES"]).await,
            V::Array(expected.clone())
        );
        assert_eq!(
            ok(&mut con, &["ZUNION", "1", key, "WITHSCORES"]).await,
            V::Array(expected)
        );
        assert_eq!(ok(&mut con, &["ZRANK", key, "b"]).await, V::Int(1));
        assert_eq!(ok(&mut con, &["ZREVRANK", key, "b"]).await, V::Int(0));
        assert_eq!(ok(&mut con, &["ZRANK", key, "zz"]).await, V::Nil);
        // Single pop: always flat; with a count: nested pairs in RESP3.
        assert_eq!(
            ok(&mut con, &["ZPOPMIN", key]).await,
            V::Array(vec![bulk("a"), score(resp3, 2.5, "2.5")])
        );
        assert_eq!(
            ok(&mut con, &["ZPOPMAX", key, "1"]).await,
            V::Array(pair(resp3, "b", 2.5, "2.5"))
        );
        assert_eq!(ok(&mut con, &["ZCARD", key]).await, V::Int(0));
        assert_eq!(ok(&mut con, &["ZMPOP", "1", key, "MIN"]).await, V::Nil);
        ok(&mut con, &["ZADD", key, "-inf", "low", "inf", "high"]).await;
        assert_eq!(
            ok(&mut con, &["ZMPOP", "1", key, "MAX", "COUNT", "1"]).await,
            V::Array(vec![
                bulk(key),
                V::Array(vec![V::Array(vec![
                    bulk("high"),
                    score(resp3, f64::INFINITY, "inf")
                ])])
            ])
        );
        assert_eq!(
            ok(&mut con, &["BZPOPMIN", "nothing", key, "0"]).await,
            V::Array(vec![
                bulk(key),
                bulk("low"),
                score(resp3, f64::NEG_INFINITY, "-inf")
            ])
        );
        assert_eq!(ok(&mut con, &["ZCARD", key]).await, V::Int(0));
        // The typed API reads scores from either protocol.
        let _: () = redis::cmd("ZADD")
            .arg(key)
            .arg(1.5)
            .arg("x")
            .arg(3)
            .arg("y")
            .query_async(&mut con)
            .await
            .expect("zadd");
        let with_scores: Vec<(String, f64)> = redis::cmd("ZRANGE")
            .arg(key)
            .arg(0)
            .arg(-1)
            .arg("WITHSCORES")
            .query_async(&mut con)
            .await
            .expect("zrange");
        assert_eq!(
            with_scores,
            vec![("x".to_string(), 1.5), ("y".to_string(), 3.0)]
        );
        let s: f64 = redis::cmd("ZSCORE")
            .arg(key)
            .arg("x")
            .query_async(&mut con)
            .await
            .expect("zscore");
        assert_eq!(s, 1.5);
    }
}

#[tokio::test]
async fn error_texts_in_both_protocols() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        ok(&mut con, &["ZADD", "z", "1", "a", "inf", "top"]).await;
        ok(&mut con, &["SET", "str", "x"]).await;
        let cases: &[(&[&str], &str)] = &[
            (
                &["ZADD", "z", "NX", "XX", "1", "a"],
                "ERR XX and NX options at the same time are not compatible",
            ),
            (
                &["ZADD", "z", "GT", "LT", "1", "a"],
                "ERR GT, LT, and/or NX options at the same time are not compatible",
            ),
            (
                &["ZADD", "z", "INCR", "1", "a", "2", "b"],
                "ERR INCR option supports a single increment-element pair",
            ),
            (&["ZADD", "z", "nan", "a"], "ERR value is not a valid float"),
            (
                &["ZADD", "z", "1"],
                "ERR wrong number of arguments for 'zadd' command",
            ),
            (&["ZADD", "z", "NX", "1"], "ERR syntax error"),
            (
                &["ZINCRBY", "z", "-inf", "top"],
                "ERR resulting score is not a number (NaN)",
            ),
            (
                &["ZADD", "str", "1", "a"],
                "WRONGTYPE Operation against a key holding the wrong kind of value",
            ),
            (
                &["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"],
                "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX",
            ),
            (
                &["ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"],
                "ERR syntax error, WITHSCORES not supported in combination with BYLEX",
            ),
            (
                &["ZRANGEBYSCORE", "z", "x", "1"],
                "ERR min or max is not a float",
            ),
            (
                &["ZRANGEBYLEX", "z", "a", "+"],
                "ERR min or max not valid string range item",
            ),
            (
                &["ZPOPMIN", "z", "-1"],
                "ERR value is out of range, must be positive",
            ),
            (
                &["ZMPOP", "0", "z", "MIN"],
                "ERR numkeys should be greater than 0",
            ),
            (
                &["ZMPOP", "1", "z", "MIN", "COUNT", "0"],
                "ERR count should be greater than 0",
            ),
            (
                &["ZUNION", "0", "z"],
                "ERR at least 1 input key is needed for 'zunion' command",
            ),
            (
                &["ZUNIONSTORE", "d", "1", "z", "WEIGHTS", "x"],
                "ERR weight value is not a float",
            ),
            (
                &["ZINTERCARD", "1", "z", "LIMIT", "-1"],
                "ERR LIMIT can't be negative",
            ),
            (
                &["ZRANDMEMBER", "z", "-9223372036854775808"],
                "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807",
            ),
            (
                &["ZRANDMEMBER", "z", "9223372036854775807", "WITHSCORES"],
                "ERR value is out of range",
            ),
            (&["ZSCAN", "z", "x"], "ERR invalid cursor"),
            (&["ZSCAN", "z", "0", "COUNT", "0"], "ERR syntax error"),
            (&["BZPOPMIN", "z", "-1"], "ERR timeout is negative"),
            (
                &["BZMPOP", "x", "1", "z", "MIN"],
                "ERR timeout is not a float or out of range",
            ),
        ];
        for (args, expected) in cases {
            assert_eq!(&fails(&mut con, args).await, expected, "{args:?}");
        }
    }
}

fn zset_encoding(server: &common::TestServer, key: &[u8]) -> Option<&'static str> {
    let store = server.server.store.lock();
    store.dbs[0].peek(key, 0).map(|e| e.value.encoding())
}

#[tokio::test]
async fn encodings_follow_the_configured_limits() {
    let server = common::start("zset-max-listpack-entries 4\nzset-max-listpack-value 8").await;
    let mut con = server.conn(false).await;
    ok(
        &mut con,
        &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"],
    )
    .await;
    assert_eq!(zset_encoding(&server, b"z"), Some("listpack"));
    ok(&mut con, &["ZADD", "z", "5", "e"]).await;
    assert_eq!(zset_encoding(&server, b"z"), Some("skiplist"));
    // One-way: shrinking does not convert back.
    ok(&mut con, &["ZREMRANGEBYRANK", "z", "0", "2"]).await;
    assert_eq!(zset_encoding(&server, b"z"), Some("skiplist"));
    // Store commands pick the encoding for their result.
    ok(&mut con, &["ZUNIONSTORE", "u", "1", "z"]).await;
    assert_eq!(zset_encoding(&server, b"u"), Some("listpack"));
    ok(&mut con, &["ZRANGESTORE", "r", "z", "0", "-1"]).await;
    assert_eq!(zset_encoding(&server, b"r"), Some("listpack"));
    ok(&mut con, &["ZADD", "long", "1", "123456789"]).await;
    assert_eq!(zset_encoding(&server, b"long"), Some("skiplist"));
    // -0 survives in the skip list only (the listpack stores integral scores as integers).
    ok(&mut con, &["ZADD", "long", "-0", "neg"]).await;
    assert_eq!(ok(&mut con, &["ZSCORE", "long", "neg"]).await, bulk("-0"));
    ok(&mut con, &["ZADD", "small", "-0", "neg"]).await;
    assert_eq!(ok(&mut con, &["ZSCORE", "small", "neg"]).await, bulk("0"));
}

#[tokio::test]
async fn skiplist_commands_agree_with_a_model() {
    // Limits of 0 force the skip list from the first element.
    let server = common::start("zset-max-listpack-entries 0").await;
    let mut con = server.conn(true).await;
    let mut model: Vec<(String, f64)> = Vec::new();
    for i in 0..300 {
        let member = format!("m{:03}", (i * 37) % 300);
        let s = ((i * 7919) % 50) as f64 / 4.0;
        ok(&mut con, &["ZADD", "k", &s.to_string(), &member]).await;
        model.push((member, s));
    }
    model.sort_by(|a, b| a.1.partial_cmp(&b.1).expect("no NaN").then(a.0.cmp(&b.0)));
    assert_eq!(zset_encoding(&server, b"k"), Some("skiplist"));
    for (rank, (member, _)) in model.iter().enumerate().step_by(17) {
        assert_eq!(
            ok(&mut con, &["ZRANK", "k", member]).await,
            V::Int(rank as i64)
        );
    }
    let got: Vec<String> = redis::cmd("ZRANGE")
        .arg("k")
        .arg(100)
        .arg(120)
        .query_async(&mut con)
        .await
        .expect("zrange");
    let expected: Vec<String> = model[100..=120].iter().map(|(m, _)| m.clone()).collect();
    assert_eq!(got, expected);
    let count = model.iter().filter(|(_, s)| *s > 2.0 && *s <= 5.5).count();
    assert_eq!(
        ok(&mut con, &["ZCOUNT", "k", "(2", "5.5"]).await,
        V::Int(count as i64)
    );
    let got: Vec<String> = redis::cmd("ZREVRANGEBYSCORE")
        .arg("k")
        .arg("5.5")
        .arg("(2")
        .arg("LIMIT")
        .arg(3)
        .arg(5)
        .query_async(&mut con)
        .await
        .expect("zrevrangebyscore");
    let expected: Vec<String> = model
        .iter()
        .rev()
        .filter(|(_, s)| *s > 2.0 && *s <= 5.5)
        .skip(3)
        .take(5)
        .map(|(m, _)| m.clone())
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        ok(&mut con, &["ZREMRANGEBYSCORE", "k", "-inf", "(2"]).await,
        V::Int(model.iter().filter(|(_, s)| *s < 2.0).count() as i64)
    );
    model.retain(|(_, s)| *s >= 2.0);
    assert_eq!(
        ok(&mut con, &["ZREMRANGEBYRANK", "k", "0", "9"]).await,
        V::Int(10)
    );
    model.drain(..10);
    let all: Vec<(String, f64)> = redis::cmd("ZRANGE")
        .arg("k")
        .arg(0)
        .arg(-1)
        .arg("WITHSCORES")
        .query_async(&mut con)
        .await
        .expect("zrange");
    assert_eq!(all, model);
}

#[tokio::test]
async fn zscan_covers_a_changing_skiplist() {
    let server = common::start("zset-max-listpack-entries 0").await;
    let mut con = server.conn(false).await;
    for i in 0..200 {
        ok(
            &mut con,
            &["ZADD", "k", &i.to_string(), &format!("stable{i}")],
        )
        .await;
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = "0".to_string();
    for round in 0.. {
        assert!(round < 10_000, "scan did not finish");
        let (next, items): (String, Vec<String>) = redis::cmd("ZSCAN")
            .arg("k")
            .arg(&cursor)
            .arg("COUNT")
            .arg(7)
            .query_async(&mut con)
            .await
            .expect("zscan");
        assert_eq!(items.len() % 2, 0);
        for chunk in items.chunks(2) {
            seen.insert(chunk[0].clone());
        }
        // Churn between calls so the member index grows and shrinks.
        if round % 2 == 0 {
            for j in 0..50 {
                ok(&mut con, &["ZADD", "k", "1", &format!("tmp{round}-{j}")]).await;
            }
        } else {
            ok(&mut con, &["ZREMRANGEBYLEX", "k", "[tmp", "(tmq"]).await;
        }
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    for i in 0..200 {
        assert!(seen.contains(&format!("stable{i}")), "stable{i} missed");
    }
    // MATCH filters members; a small set comes back whole with cursor 0.
    ok(
        &mut con,
        &["ZADD", "tiny-listpack-free", "1", "ab", "2", "cd"],
    )
    .await;
    let (next, items): (String, Vec<String>) = redis::cmd("ZSCAN")
        .arg("tiny-listpack-free")
        .arg(0)
        .arg("MATCH")
        .arg("a*")
        .arg("COUNT")
        .arg(1000)
        .query_async(&mut con)
        .await
        .expect("zscan");
    assert_eq!(next, "0");
    assert_eq!(items, vec!["ab".to_string(), "1".to_string()]);
}

#[tokio::test]
async fn plain_sets_are_inputs_with_score_one() {
    let server = common::start("").await;
    {
        let mut con = server.conn(false).await;
        ok(&mut con, &["SADD", "plain", "a", "b", "x"]).await;
        // An intset source: its members have no stored bytes to borrow.
        ok(&mut con, &["SADD", "ints", "1", "2"]).await;
        let union: Vec<(String, f64)> = redis::cmd("ZUNION")
            .arg(2)
            .arg("ints")
            .arg("plain")
            .arg("WITHSCORES")
            .query_async(&mut con)
            .await
            .expect("zunion with an intset");
        assert_eq!(union.len(), 5);
        assert!(union.iter().all(|(_, score)| *score == 1.0));
    }
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        ok(&mut con, &["ZADD", "z", "1", "a", "2", "b", "3", "c"]).await;
        let inter: Vec<(String, f64)> = redis::cmd("ZINTER")
            .arg(2)
            .arg("z")
            .arg("plain")
            .arg("WITHSCORES")
            .query_async(&mut con)
            .await
            .expect("zinter");
        assert_eq!(inter, vec![("a".into(), 2.0), ("b".into(), 3.0)]);
        let union: Vec<(String, f64)> = redis::cmd("ZUNION")
            .arg(2)
            .arg("z")
            .arg("plain")
            .arg("WITHSCORES")
            .query_async(&mut con)
            .await
            .expect("zunion");
        assert_eq!(
            union,
            vec![
                ("x".into(), 1.0),
                ("a".into(), 2.0),
                ("b".into(), 3.0),
                ("c".into(), 3.0)
            ]
        );
        assert_eq!(
            ok(&mut con, &["ZDIFFSTORE", "d", "2", "z", "plain"]).await,
            V::Int(1)
        );
        assert_eq!(ok(&mut con, &["ZINTERCARD", "1", "plain"]).await, V::Int(3));
    }
}

#[tokio::test]
async fn writes_invalidate_watches_and_count_as_changes() {
    let server = common::start("").await;
    let mut watcher = server.conn(false).await;
    let mut writer = server.conn(false).await;
    ok(&mut writer, &["ZADD", "w", "1", "a", "2", "b"]).await;
    let writes: &[&[&str]] = &[
        &["ZADD", "w", "5", "c"],
        &["ZINCRBY", "w", "1", "a"],
        &["ZREM", "w", "c"],
        &["ZPOPMIN", "w"],
        &["ZREMRANGEBYRANK", "w", "0", "0"],
        &["ZRANGESTORE", "w", "src", "0", "-1"],
    ];
    for write in writes {
        ok(&mut writer, &["ZADD", "src", "1", "s"]).await;
        ok(&mut writer, &["ZADD", "w", "1", "a", "2", "b"]).await;
        ok(&mut watcher, &["WATCH", "w"]).await;
        ok(&mut watcher, &["MULTI"]).await;
        ok(&mut watcher, &["ZCARD", "w"]).await;
        let dirty_before = server.server.store.lock().dirty;
        ok(&mut writer, write).await;
        assert!(server.server.store.lock().dirty > dirty_before, "{write:?}");
        assert_eq!(ok(&mut watcher, &["EXEC"]).await, V::Nil, "{write:?}");
    }
    // A no-op write leaves watches alone.
    ok(&mut watcher, &["WATCH", "w"]).await;
    ok(&mut watcher, &["MULTI"]).await;
    ok(&mut watcher, &["ZCARD", "w"]).await;
    // (After the last write above, `w` holds just `s`.)
    ok(&mut writer, &["ZADD", "w", "NX", "9", "s"]).await;
    ok(&mut writer, &["ZADD", "w", "GT", "0", "s"]).await;
    ok(&mut writer, &["ZREM", "w", "nothing"]).await;
    assert!(matches!(ok(&mut watcher, &["EXEC"]).await, V::Array(_)));
}

#[tokio::test]
async fn emptied_keys_disappear_and_store_deletes_destination() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    let gone = |server: &common::TestServer, key: &[u8]| zset_encoding(server, key).is_none();
    ok(&mut con, &["ZADD", "a", "1", "x"]).await;
    ok(&mut con, &["ZREM", "a", "x"]).await;
    assert!(gone(&server, b"a"));
    ok(&mut con, &["ZADD", "a", "1", "x", "2", "y"]).await;
    ok(&mut con, &["ZPOPMAX", "a", "5"]).await;
    assert!(gone(&server, b"a"));
    ok(&mut con, &["ZADD", "a", "1", "x"]).await;
    ok(&mut con, &["ZMPOP", "1", "a", "MIN"]).await;
    assert!(gone(&server, b"a"));
    ok(&mut con, &["ZADD", "a", "1", "x"]).await;
    ok(&mut con, &["ZREMRANGEBYSCORE", "a", "-inf", "+inf"]).await;
    assert!(gone(&server, b"a"));
    ok(&mut con, &["ZADD", "a", "1", "x"]).await;
    ok(&mut con, &["ZREMRANGEBYLEX", "a", "-", "+"]).await;
    assert!(gone(&server, b"a"));
    ok(&mut con, &["SET", "dst", "string"]).await;
    assert_eq!(
        ok(&mut con, &["ZINTERSTORE", "dst", "1", "missing"]).await,
        V::Int(0)
    );
    assert!(server.server.store.lock().dbs[0].peek(b"dst", 0).is_none());
    ok(&mut con, &["SET", "dst", "string"]).await;
    ok(&mut con, &["ZADD", "src", "1", "x"]).await;
    assert_eq!(
        ok(&mut con, &["ZUNIONSTORE", "dst", "1", "src"]).await,
        V::Int(1)
    );
    assert_eq!(zset_encoding(&server, b"dst"), Some("listpack"));
}

#[tokio::test]
async fn blocking_pops_answer_as_timeout_inside_multi() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut raw = Raw::connect(&server, resp3).await;
        let null: &[u8] = if resp3 { b"_\r\n" } else { b"*-1\r\n" };
        assert_eq!(raw.call(&["MULTI"], 5).await, b"+OK\r\n");
        assert_eq!(
            raw.call(&["BZPOPMIN", "empty", "0"], 9).await,
            b"+QUEUED\r\n"
        );
        assert_eq!(
            raw.call(&["BZMPOP", "0", "1", "empty", "MAX"], 9).await,
            b"+QUEUED\r\n"
        );
        let mut expected = b"*2\r\n".to_vec();
        expected.extend_from_slice(null);
        expected.extend_from_slice(null);
        assert_eq!(raw.call(&["EXEC"], expected.len()).await, expected);
        // With data the same commands pop at once.
        let mut con = server.conn(resp3).await;
        ok(&mut con, &["ZADD", "full", "1", "a", "2", "b"]).await;
        assert_eq!(
            ok(&mut con, &["BZPOPMAX", "empty", "full", "0"]).await,
            V::Array(vec![bulk("full"), bulk("b"), score(resp3, 2.0, "2")])
        );
        assert_eq!(
            ok(
                &mut con,
                &["BZMPOP", "0", "2", "empty", "full", "MIN", "COUNT", "5"]
            )
            .await,
            V::Array(vec![
                bulk("full"),
                V::Array(vec![V::Array(vec![bulk("a"), score(resp3, 1.0, "1")])])
            ])
        );
    }
}

/// Command, RESP2 reply, RESP3 reply, recorded in order from Redis 7.0.15 (default config).
#[rustfmt::skip]
const GOLDEN: &[(&[&str], &[u8], &[u8])] = &[
    (&["zadd", "z", "-0", "a"], b":1\r\n", b":1\r\n"),
    (&["zscore", "z", "a"], b"$1\r\n0\r\n", b",0\r\n"),
    (&["zadd", "z", "0x10", "b"], b":1\r\n", b":1\r\n"),
    (&["zadd", "z", " 1", "b"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "1 ", "b"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "", "b"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "inf", "b"], b":0\r\n", b":0\r\n"),
    (&["zadd", "z", "infinity", "c"], b":1\r\n", b":1\r\n"),
    (&["zadd", "z", "nan", "c"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "1e400", "b"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "1e-400", "b"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "1.5", "d", "2.5", "e"], b":2\r\n", b":2\r\n"),
    (&["zrangebyscore", "z", "", "+inf", "withscores"], b"*10\r\n$1\r\na\r\n$1\r\n0\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\ne\r\n$3\r\n2.5\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n", b"*5\r\n*2\r\n$1\r\na\r\n,0\r\n*2\r\n$1\r\nd\r\n,1.5\r\n*2\r\n$1\r\ne\r\n,2.5\r\n*2\r\n$1\r\nb\r\n,inf\r\n*2\r\n$1\r\nc\r\n,inf\r\n"),
    (&["zrangebyscore", "z", " 1", "+inf"], b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrangebyscore", "z", "(", "+inf"], b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrangebyscore", "z", "1e400", "+inf"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrangebyscore", "z", "-1e400", "(1e400"], b"*3\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n", b"*3\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n"),
    (&["zrangebyscore", "z", "nan", "+inf"], b"-ERR min or max is not a float\r\n", b"-ERR min or max is not a float\r\n"),
    (&["zrangebyscore", "z", "0x1", "+inf"], b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "limit", "-1", "2"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "limit", "1", "-1"], b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*4\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "limit", "1", "0"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "limit", "10", "1"], b"*0\r\n", b"*0\r\n"),
    (&["zrevrangebyscore", "z", "+inf", "-inf", "limit", "1", "2", "withscores"], b"*4\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\ne\r\n$3\r\n2.5\r\n", b"*2\r\n*2\r\n$1\r\nb\r\n,inf\r\n*2\r\n$1\r\ne\r\n,2.5\r\n"),
    (&["zrevrangebyscore", "z", "-inf", "+inf"], b"*0\r\n", b"*0\r\n"),
    (&["zincrby", "z", "-inf", "b"], b"-ERR resulting score is not a number (NaN)\r\n", b"-ERR resulting score is not a number (NaN)\r\n"),
    (&["zincrby", "z", "nan", "b"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "z", "incr", "-inf", "b"], b"-ERR resulting score is not a number (NaN)\r\n", b"-ERR resulting score is not a number (NaN)\r\n"),
    (&["zadd", "z", "incr", "1", "zz"], b"$1\r\n1\r\n", b",1\r\n"),
    (&["zadd", "z", "xx", "incr", "1", "nonex"], b"$-1\r\n", b"_\r\n"),
    (&["zadd", "z", "nx", "incr", "1", "zz"], b"$-1\r\n", b"_\r\n"),
    (&["zadd", "nokey", "xx", "incr", "1", "nonex"], b"$-1\r\n", b"_\r\n"),
    (&["zadd", "nokey", "xx", "1", "nonex"], b":0\r\n", b":0\r\n"),
    (&["zpopmin", "z", "abc"], b"-ERR value is out of range, must be positive\r\n", b"-ERR value is out of range, must be positive\r\n"),
    (&["zpopmin", "z", "-1"], b"-ERR value is out of range, must be positive\r\n", b"-ERR value is out of range, must be positive\r\n"),
    (&["zpopmin", "z", "1", "2"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zpopmin", "nokey"], b"*0\r\n", b"*0\r\n"),
    (&["zpopmin", "z", "0"], b"*0\r\n", b"*0\r\n"),
    (&["zpopmin", "nokey", "0"], b"*0\r\n", b"*0\r\n"),
    (&["zmpop", "0", "z", "min"], b"-ERR numkeys should be greater than 0\r\n", b"-ERR numkeys should be greater than 0\r\n"),
    (&["zmpop", "abc", "z", "min"], b"-ERR numkeys should be greater than 0\r\n", b"-ERR numkeys should be greater than 0\r\n"),
    (&["zmpop", "1", "z", "min", "count", "0"], b"-ERR count should be greater than 0\r\n", b"-ERR count should be greater than 0\r\n"),
    (&["zmpop", "1", "z", "min", "count", "abc"], b"-ERR count should be greater than 0\r\n", b"-ERR count should be greater than 0\r\n"),
    (&["zmpop", "1", "z", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zmpop", "2", "z"], b"-ERR wrong number of arguments for 'zmpop' command\r\n", b"-ERR wrong number of arguments for 'zmpop' command\r\n"),
    (&["zmpop", "1", "z", "min", "count", "1", "count", "1"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zmpop", "1", "nokey", "min"], b"*-1\r\n", b"_\r\n"),
    (&["zmpop", "2", "nokey", "z", "min", "count", "2"], b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n0\r\n*2\r\n$2\r\nzz\r\n$1\r\n1\r\n", b"*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n,0\r\n*2\r\n$2\r\nzz\r\n,1\r\n"),
    (&["zmpop", "2", "nokey", "z", "max"], b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$3\r\ninf\r\n", b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,inf\r\n"),
    (&["zadd", "z", "1", "a", "2.5", "b"], b":1\r\n", b":1\r\n"),
    (&["zadd", "z", "incr", "1", "a"], b"$1\r\n2\r\n", b",2\r\n"),
    (&["zincrby", "z", "1", "a"], b"$1\r\n3\r\n", b",3\r\n"),
    (&["zscore", "z", "a"], b"$1\r\n3\r\n", b",3\r\n"),
    (&["zscore", "z", "nope"], b"$-1\r\n", b"_\r\n"),
    (&["zscore", "nokey", "a"], b"$-1\r\n", b"_\r\n"),
    (&["zmscore", "z", "a", "nope"], b"*2\r\n$1\r\n3\r\n$-1\r\n", b"*2\r\n,3\r\n_\r\n"),
    (&["zmscore", "nokey", "a"], b"*1\r\n$-1\r\n", b"*1\r\n_\r\n"),
    (&["zrange", "z", "0", "-1", "withscores"], b"*8\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\ne\r\n$3\r\n2.5\r\n$1\r\na\r\n$1\r\n3\r\n", b"*4\r\n*2\r\n$1\r\nd\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\ne\r\n,2.5\r\n*2\r\n$1\r\na\r\n,3\r\n"),
    (&["zrange", "z", "0", "-1"], b"*4\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\na\r\n", b"*4\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\na\r\n"),
    (&["zrange", "z", "-2", "-1", "withscores", "rev"], b"*4\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nd\r\n$3\r\n1.5\r\n", b"*2\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nd\r\n,1.5\r\n"),
    (&["zrange", "z", "1", "100"], b"*3\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\na\r\n", b"*3\r\n$1\r\nb\r\n$1\r\ne\r\n$1\r\na\r\n"),
    (&["zrange", "z", "5", "1"], b"*0\r\n", b"*0\r\n"),
    (&["zrange", "z", "-100", "-50"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "withscores"], b"*8\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\ne\r\n$3\r\n2.5\r\n$1\r\na\r\n$1\r\n3\r\n", b"*4\r\n*2\r\n$1\r\nd\r\n,1.5\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\ne\r\n,2.5\r\n*2\r\n$1\r\na\r\n,3\r\n"),
    (&["zrevrange", "z", "0", "-1", "withscores"], b"*8\r\n$1\r\na\r\n$1\r\n3\r\n$1\r\ne\r\n$3\r\n2.5\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nd\r\n$3\r\n1.5\r\n", b"*4\r\n*2\r\n$1\r\na\r\n,3\r\n*2\r\n$1\r\ne\r\n,2.5\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nd\r\n,1.5\r\n"),
    (&["zrank", "z", "a"], b":3\r\n", b":3\r\n"),
    (&["zrank", "z", "nope"], b"$-1\r\n", b"_\r\n"),
    (&["zrevrank", "z", "a"], b":0\r\n", b":0\r\n"),
    (&["zrevrank", "nokey", "a"], b"$-1\r\n", b"_\r\n"),
    (&["zpopmin", "z"], b"*2\r\n$1\r\nd\r\n$3\r\n1.5\r\n", b"*2\r\n$1\r\nd\r\n,1.5\r\n"),
    (&["zadd", "z", "1", "a", "2", "c"], b":1\r\n", b":1\r\n"),
    (&["zpopmin", "z", "1"], b"*2\r\n$1\r\na\r\n$1\r\n1\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,1\r\n"),
    (&["zpopmax", "z", "5"], b"*6\r\n$1\r\ne\r\n$3\r\n2.5\r\n$1\r\nb\r\n$3\r\n2.5\r\n$1\r\nc\r\n$1\r\n2\r\n", b"*3\r\n*2\r\n$1\r\ne\r\n,2.5\r\n*2\r\n$1\r\nb\r\n,2.5\r\n*2\r\n$1\r\nc\r\n,2\r\n"),
    (&["zpopmin", "z"], b"*0\r\n", b"*0\r\n"),
    (&["zadd", "z", "1", "a", "2", "c"], b":2\r\n", b":2\r\n"),
    (&["zmpop", "1", "z", "min"], b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n", b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n,1\r\n"),
    (&["zmpop", "1", "z", "max", "count", "5"], b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n2\r\n", b"*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,2\r\n"),
    (&["zmpop", "1", "z", "max", "count", "5"], b"*-1\r\n", b"_\r\n"),
    (&["zadd", "z", "1", "a", "2", "c"], b":2\r\n", b":2\r\n"),
    (&["zadd", "z", "1", "a", "2", "c"], b":0\r\n", b":0\r\n"),
    (&["zrandmember", "nokey"], b"$-1\r\n", b"_\r\n"),
    (&["zrandmember", "nokey", "2"], b"*0\r\n", b"*0\r\n"),
    (&["zunion", "1", "z", "withscores"], b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n", b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nc\r\n,2\r\n"),
    (&["zdiff", "1", "z", "withscores"], b"*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n", b"*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nc\r\n,2\r\n"),
    (&["zinter", "1", "z"], b"*2\r\n$1\r\na\r\n$1\r\nc\r\n", b"*2\r\n$1\r\na\r\n$1\r\nc\r\n"),
    (&["zscan", "z", "0"], b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n", b"*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n"),
    (&["zadd", "z", "1", "a", "2", "b", "3", "c"], b":1\r\n", b":1\r\n"),
    (&["set", "s", "x"], b"+OK\r\n", b"+OK\r\n"),
    (&["zrandmember", "z", "-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n", b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"),
    (&["zrandmember", "z", "9223372036854775807", "withscores"], b"-ERR value is out of range\r\n", b"-ERR value is out of range\r\n"),
    (&["zrandmember", "z", "4611686018427387904", "withscores"], b"-ERR value is out of range\r\n", b"-ERR value is out of range\r\n"),
    (&["zrandmember", "z", "-4611686018427387904", "withscores"], b"-ERR value is out of range\r\n", b"-ERR value is out of range\r\n"),
    (&["zrandmember", "z", "4611686018427387903", "withscores"], b"*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", b"*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"),
    (&["zrandmember", "z", "abc"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zrandmember", "z", "1", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrandmember", "s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zrandmember", "s", "1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zrandmember", "nokey", "1", "withscores"], b"*0\r\n", b"*0\r\n"),
    (&["zrandmember", "z", "0"], b"*0\r\n", b"*0\r\n"),
    (&["zrandmember", "z", "0", "withscores"], b"*0\r\n", b"*0\r\n"),
    (&["zrandmember", "z", "3", "withscores"], b"*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n", b"*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"),
    (&["zadd", "z", "nx", "xx", "1", "a"], b"-ERR XX and NX options at the same time are not compatible\r\n", b"-ERR XX and NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "gt", "lt", "1", "a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "nx", "gt", "1", "a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "lt", "nx", "1", "a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n", b"-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"),
    (&["zadd", "z", "incr", "1", "a", "2", "b"], b"-ERR INCR option supports a single increment-element pair\r\n", b"-ERR INCR option supports a single increment-element pair\r\n"),
    (&["zadd", "z", "nx"], b"-ERR wrong number of arguments for 'zadd' command\r\n", b"-ERR wrong number of arguments for 'zadd' command\r\n"),
    (&["zadd", "z", "nx", "1"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zadd", "z", "abc", "a"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "s", "1", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zadd", "s", "xx", "1", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zadd", "z", "nx", "xx", "abc"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zadd", "z", "incr", "1", "a", "2"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zadd", "z", "ch", "5", "a", "4", "d"], b":2\r\n", b":2\r\n"),
    (&["zadd", "z", "gt", "ch", "1", "a", "9", "b"], b":1\r\n", b":1\r\n"),
    (&["zadd", "z", "lt", "xx", "ch", "0", "c", "0", "e"], b":1\r\n", b":1\r\n"),
    (&["zadd", "z", "gt", "incr", "1", "a"], b"$1\r\n6\r\n", b",6\r\n"),
    (&["zadd", "z", "lt", "incr", "1", "a"], b"$-1\r\n", b"_\r\n"),
    (&["zadd", "z", "lt", "incr", "-1", "a"], b"$1\r\n5\r\n", b",5\r\n"),
    (&["zadd", "z", "gt", "xx", "ch", "10", "a", "10", "q"], b":1\r\n", b":1\r\n"),
    (&["zadd", "z", "CH", "NX", "1", "a", "1", "newone"], b":1\r\n", b":1\r\n"),
    (&["zrange", "z", "0", "-1", "withscores"], b"*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n", b"*5\r\n*2\r\n$1\r\nc\r\n,0\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nb\r\n,9\r\n*2\r\n$1\r\na\r\n,10\r\n"),
    (&["zrange", "z", "0", "-1", "limit", "0", "1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
    (&["zrange", "z", "a", "b", "bylex", "withscores"], b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"),
    (&["zrange", "z", "0", "1", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrange", "z", "0", "1", "limit", "0"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrange", "z", "0", "1", "byscore", "bylex"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrange", "z", "0", "1", "rev", "rev"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrange", "z", "x", "1"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zrange", "z", "(1", "2", "byscore"], b"*0\r\n", b"*0\r\n"),
    (&["zrange", "z", "[a", "[b", "bylex"], b"*0\r\n", b"*0\r\n"),
    (&["zrange", "z", "a", "b", "bylex"], b"-ERR min or max not valid string range item\r\n", b"-ERR min or max not valid string range item\r\n"),
    (&["zrange", "z", "0", "1", "byscore", "limit", "x", "1"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zrange", "z", "10", "0", "byscore", "rev", "withscores"], b"*10\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\nd\r\n$1\r\n4\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n0\r\n", b"*5\r\n*2\r\n$1\r\na\r\n,10\r\n*2\r\n$1\r\nb\r\n,9\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\nc\r\n,0\r\n"),
    (&["zrange", "z", "10", "0", "byscore", "rev", "withscores", "limit", "1", "2"], b"*4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\nd\r\n$1\r\n4\r\n", b"*2\r\n*2\r\n$1\r\nb\r\n,9\r\n*2\r\n$1\r\nd\r\n,4\r\n"),
    (&["zrange", "z", "(10", "(0", "byscore", "rev"], b"*3\r\n$1\r\nb\r\n$1\r\nd\r\n$6\r\nnewone\r\n", b"*3\r\n$1\r\nb\r\n$1\r\nd\r\n$6\r\nnewone\r\n"),
    (&["zrange", "z", "+", "-", "bylex", "rev"], b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$6\r\nnewone\r\n$1\r\nc\r\n", b"*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$6\r\nnewone\r\n$1\r\nc\r\n"),
    (&["zrange", "z", "+", "-", "bylex", "rev", "limit", "1", "1"], b"*1\r\n$1\r\nb\r\n", b"*1\r\n$1\r\nb\r\n"),
    (&["zrange", "z", "-", "+", "bylex"], b"*5\r\n$1\r\nc\r\n$6\r\nnewone\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n", b"*5\r\n$1\r\nc\r\n$6\r\nnewone\r\n$1\r\nd\r\n$1\r\nb\r\n$1\r\na\r\n"),
    (&["zrangebyscore", "z", "0", "1", "bylex"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrangebyscore", "z", "0", "1", "rev"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrangebylex", "z", "-", "+", "withscores"], b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n", b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"),
    (&["zrangebylex", "z", "-", "+", "limit", "0"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrangebylex", "z", "[a", "(c"], b"*0\r\n", b"*0\r\n"),
    (&["zrevrangebylex", "z", "(c", "[a"], b"*0\r\n", b"*0\r\n"),
    (&["zrevrangebylex", "z", "+", "-", "limit", "0", "2"], b"*2\r\n$1\r\na\r\n$1\r\nb\r\n", b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"),
    (&["zrevrange", "z", "0", "1", "limit", "0", "1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
    (&["zrevrange", "z", "0", "1", "byscore"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrevrange", "z", "0", "-1", "withscores"], b"*10\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\nd\r\n$1\r\n4\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n0\r\n", b"*5\r\n*2\r\n$1\r\na\r\n,10\r\n*2\r\n$1\r\nb\r\n,9\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\nc\r\n,0\r\n"),
    (&["zrangestore", "d", "z", "0", "-1", "withscores"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrangestore", "d", "z", "0", "-1", "limit", "0", "1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n", b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"),
    (&["zrangestore", "d", "z", "0", "-1"], b":5\r\n", b":5\r\n"),
    (&["zrange", "d", "0", "-1", "withscores"], b"*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n", b"*5\r\n*2\r\n$1\r\nc\r\n,0\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nb\r\n,9\r\n*2\r\n$1\r\na\r\n,10\r\n"),
    (&["zrangestore", "d", "z", "5", "10"], b":0\r\n", b":0\r\n"),
    (&["zrange", "d", "0", "-1"], b"*0\r\n", b"*0\r\n"),
    (&["zrangestore", "d", "z", "0", "-1"], b":5\r\n", b":5\r\n"),
    (&["zrangestore", "d", "nokey", "0", "-1"], b":0\r\n", b":0\r\n"),
    (&["zrange", "d", "0", "-1"], b"*0\r\n", b"*0\r\n"),
    (&["zrangestore", "s", "z", "0", "1"], b":2\r\n", b":2\r\n"),
    (&["zrange", "s", "0", "-1"], b"*2\r\n$1\r\nc\r\n$6\r\nnewone\r\n", b"*2\r\n$1\r\nc\r\n$6\r\nnewone\r\n"),
    (&["set", "s", "x"], b"+OK\r\n", b"+OK\r\n"),
    (&["zrangestore", "d", "z", "(1", "+inf", "byscore", "limit", "1", "1"], b":1\r\n", b":1\r\n"),
    (&["zrange", "d", "0", "-1", "withscores"], b"*2\r\n$1\r\nb\r\n$1\r\n9\r\n", b"*1\r\n*2\r\n$1\r\nb\r\n,9\r\n"),
    (&["zrangestore", "d", "z", "[b", "+", "bylex", "rev"], b":0\r\n", b":0\r\n"),
    (&["zrange", "s", "0", "1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zrange", "nokey", "0", "1"], b"*0\r\n", b"*0\r\n"),
    (&["zrange", "s", "x", "1"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zunion", "0", "z"], b"-ERR at least 1 input key is needed for 'zunion' command\r\n", b"-ERR at least 1 input key is needed for 'zunion' command\r\n"),
    (&["zunion", "-1", "z"], b"-ERR at least 1 input key is needed for 'zunion' command\r\n", b"-ERR at least 1 input key is needed for 'zunion' command\r\n"),
    (&["zunion", "abc", "z"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zunion", "3", "z", "y"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zadd", "y", "10", "b", "20", "c", "30", "d"], b":3\r\n", b":3\r\n"),
    (&["zunionstore", "d", "0", "z"], b"-ERR at least 1 input key is needed for 'zunionstore' command\r\n", b"-ERR at least 1 input key is needed for 'zunionstore' command\r\n"),
    (&["zinterstore", "d", "0", "z"], b"-ERR at least 1 input key is needed for 'zinterstore' command\r\n", b"-ERR at least 1 input key is needed for 'zinterstore' command\r\n"),
    (&["zdiffstore", "d", "0", "z"], b"-ERR at least 1 input key is needed for 'zdiffstore' command\r\n", b"-ERR at least 1 input key is needed for 'zdiffstore' command\r\n"),
    (&["zintercard", "0", "z"], b"-ERR at least 1 input key is needed for 'zintercard' command\r\n", b"-ERR at least 1 input key is needed for 'zintercard' command\r\n"),
    (&["zintercard", "abc", "z"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zintercard", "3", "z"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zunion", "2", "z", "s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zunion", "2", "z", "s", "weights", "x"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zunion", "2", "z", "y", "weights", "1"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zunion", "2", "z", "y", "weights", "1", "x"], b"-ERR weight value is not a float\r\n", b"-ERR weight value is not a float\r\n"),
    (&["zunion", "2", "z", "y", "weights", "1", "nan"], b"-ERR weight value is not a float\r\n", b"-ERR weight value is not a float\r\n"),
    (&["zunion", "2", "z", "y", "aggregate", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zunion", "2", "z", "y", "aggregate"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zunion", "2", "z", "y", "withscores", "aggregate", "max", "weights", "2", "0.5"], b"*10\r\n$6\r\nnewone\r\n$1\r\n2\r\n$1\r\nc\r\n$2\r\n10\r\n$1\r\nd\r\n$2\r\n15\r\n$1\r\nb\r\n$2\r\n18\r\n$1\r\na\r\n$2\r\n20\r\n", b"*5\r\n*2\r\n$6\r\nnewone\r\n,2\r\n*2\r\n$1\r\nc\r\n,10\r\n*2\r\n$1\r\nd\r\n,15\r\n*2\r\n$1\r\nb\r\n,18\r\n*2\r\n$1\r\na\r\n,20\r\n"),
    (&["zunion", "2", "z", "y", "withscores", "aggregate", "min"], b"*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n", b"*5\r\n*2\r\n$1\r\nc\r\n,0\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\nd\r\n,4\r\n*2\r\n$1\r\nb\r\n,9\r\n*2\r\n$1\r\na\r\n,10\r\n"),
    (&["zinter", "2", "z", "y", "withscores"], b"*6\r\n$1\r\nb\r\n$2\r\n19\r\n$1\r\nc\r\n$2\r\n20\r\n$1\r\nd\r\n$2\r\n34\r\n", b"*3\r\n*2\r\n$1\r\nb\r\n,19\r\n*2\r\n$1\r\nc\r\n,20\r\n*2\r\n$1\r\nd\r\n,34\r\n"),
    (&["zdiff", "2", "z", "y", "withscores"], b"*4\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n10\r\n", b"*2\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\na\r\n,10\r\n"),
    (&["zdiff", "2", "y", "z", "withscores"], b"*0\r\n", b"*0\r\n"),
    (&["zdiff", "2", "z", "y", "weights", "1", "2"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zdiff", "2", "z", "y", "aggregate", "sum"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zdiffstore", "d", "2", "z", "y", "withscores"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zunionstore", "d", "2", "z", "y", "withscores"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zunionstore", "d", "2", "z", "y"], b":5\r\n", b":5\r\n"),
    (&["zrange", "d", "0", "-1", "withscores"], b"*10\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$2\r\n19\r\n$1\r\nc\r\n$2\r\n20\r\n$1\r\nd\r\n$2\r\n34\r\n", b"*5\r\n*2\r\n$6\r\nnewone\r\n,1\r\n*2\r\n$1\r\na\r\n,10\r\n*2\r\n$1\r\nb\r\n,19\r\n*2\r\n$1\r\nc\r\n,20\r\n*2\r\n$1\r\nd\r\n,34\r\n"),
    (&["zinterstore", "d", "2", "z", "nokey"], b":0\r\n", b":0\r\n"),
    (&["zrange", "d", "0", "-1"], b"*0\r\n", b"*0\r\n"),
    (&["zintercard", "2", "z", "y"], b":3\r\n", b":3\r\n"),
    (&["zintercard", "2", "z", "y", "limit", "1"], b":1\r\n", b":1\r\n"),
    (&["zintercard", "2", "z", "y", "limit", "0"], b":3\r\n", b":3\r\n"),
    (&["zintercard", "2", "z", "y", "limit", "-1"], b"-ERR LIMIT can't be negative\r\n", b"-ERR LIMIT can't be negative\r\n"),
    (&["zintercard", "2", "z", "y", "limit", "x"], b"-ERR LIMIT can't be negative\r\n", b"-ERR LIMIT can't be negative\r\n"),
    (&["zintercard", "2", "z", "y", "withscores"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zintercard", "2", "z", "s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zinter", "2", "z", "y", "weights", "1", "inf", "aggregate", "sum", "withscores"], b"*6\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n$1\r\nd\r\n$3\r\ninf\r\n", b"*3\r\n*2\r\n$1\r\nb\r\n,inf\r\n*2\r\n$1\r\nc\r\n,inf\r\n*2\r\n$1\r\nd\r\n,inf\r\n"),
    (&["zunion", "2", "z", "y", "weights", "0", "inf", "withscores"], b"*10\r\n$1\r\na\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n0\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n$1\r\nd\r\n$3\r\ninf\r\n", b"*5\r\n*2\r\n$1\r\na\r\n,0\r\n*2\r\n$6\r\nnewone\r\n,0\r\n*2\r\n$1\r\nb\r\n,inf\r\n*2\r\n$1\r\nc\r\n,inf\r\n*2\r\n$1\r\nd\r\n,inf\r\n"),
    (&["zadd", "inf1", "inf", "a"], b":1\r\n", b":1\r\n"),
    (&["zadd", "ninf", "-inf", "a"], b":1\r\n", b":1\r\n"),
    (&["zunion", "2", "inf1", "ninf", "withscores"], b"*2\r\n$1\r\na\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,0\r\n"),
    (&["zinter", "2", "inf1", "ninf", "withscores"], b"*2\r\n$1\r\na\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,0\r\n"),
    (&["zinter", "2", "inf1", "ninf", "withscores", "aggregate", "min"], b"*2\r\n$1\r\na\r\n$4\r\n-inf\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,-inf\r\n"),
    (&["zunion", "2", "inf1", "ninf", "weights", "0", "1", "withscores", "aggregate", "max"], b"*2\r\n$1\r\na\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,0\r\n"),
    (&["zinter", "2", "inf1", "ninf", "weights", "0", "1", "withscores", "aggregate", "max"], b"*2\r\n$1\r\na\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,0\r\n"),
    (&["zinter", "2", "ninf", "inf1", "weights", "1", "0", "withscores", "aggregate", "min"], b"*2\r\n$1\r\na\r\n$4\r\n-inf\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,-inf\r\n"),
    (&["zinter", "2", "ninf", "inf1", "weights", "0", "1", "withscores", "aggregate", "min"], b"*2\r\n$1\r\na\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,0\r\n"),
    (&["zunion", "3", "z", "y", "z", "withscores"], b"*10\r\n$6\r\nnewone\r\n$1\r\n2\r\n$1\r\na\r\n$2\r\n20\r\n$1\r\nc\r\n$2\r\n20\r\n$1\r\nb\r\n$2\r\n28\r\n$1\r\nd\r\n$2\r\n38\r\n", b"*5\r\n*2\r\n$6\r\nnewone\r\n,2\r\n*2\r\n$1\r\na\r\n,20\r\n*2\r\n$1\r\nc\r\n,20\r\n*2\r\n$1\r\nb\r\n,28\r\n*2\r\n$1\r\nd\r\n,38\r\n"),
    (&["zinter", "2", "z", "z", "withscores", "weights", "1", "2"], b"*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n3\r\n$1\r\nd\r\n$2\r\n12\r\n$1\r\nb\r\n$2\r\n27\r\n$1\r\na\r\n$2\r\n30\r\n", b"*5\r\n*2\r\n$1\r\nc\r\n,0\r\n*2\r\n$6\r\nnewone\r\n,3\r\n*2\r\n$1\r\nd\r\n,12\r\n*2\r\n$1\r\nb\r\n,27\r\n*2\r\n$1\r\na\r\n,30\r\n"),
    (&["zscan", "z", "abc"], b"-ERR invalid cursor\r\n", b"-ERR invalid cursor\r\n"),
    (&["zscan", "z", "-1"], b"*2\r\n$1\r\n0\r\n*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n", b"*2\r\n$1\r\n0\r\n*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n"),
    (&["zscan", "z", "18446744073709551615"], b"*2\r\n$1\r\n0\r\n*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n", b"*2\r\n$1\r\n0\r\n*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n"),
    (&["zscan", "z", "18446744073709551616"], b"-ERR invalid cursor\r\n", b"-ERR invalid cursor\r\n"),
    (&["zscan", "z", "0", "count", "0"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zscan", "z", "0", "count", "-1"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zscan", "z", "0", "count", "x"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zscan", "z", "0", "match"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zscan", "z", "0", "match", "a*", "count", "1"], b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\n10\r\n", b"*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\n10\r\n"),
    (&["zscan", "z", "0", "match", "*"], b"*2\r\n$1\r\n0\r\n*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n", b"*2\r\n$1\r\n0\r\n*10\r\n$1\r\nc\r\n$1\r\n0\r\n$6\r\nnewone\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n9\r\n$1\r\na\r\n$2\r\n10\r\n"),
    (&["zscan", "z", "0", "type", "zset"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zscan", "z", "0", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zscan", "s", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zscan", "nokey", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n", b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&["zscan", "nokey", "abc"], b"-ERR invalid cursor\r\n", b"-ERR invalid cursor\r\n"),
    (&["zscan", "nokey", "0", "count", "0"], b"*2\r\n$1\r\n0\r\n*0\r\n", b"*2\r\n$1\r\n0\r\n*0\r\n"),
    (&["zcount", "z", "(1", "3"], b":0\r\n", b":0\r\n"),
    (&["zcount", "z", "x", "3"], b"-ERR min or max is not a float\r\n", b"-ERR min or max is not a float\r\n"),
    (&["zcount", "z", "-inf", "+inf"], b":5\r\n", b":5\r\n"),
    (&["zcount", "z", "(5", "(5"], b":0\r\n", b":0\r\n"),
    (&["zcount", "z", "5", "5"], b":0\r\n", b":0\r\n"),
    (&["zcount", "nokey", "0", "1"], b":0\r\n", b":0\r\n"),
    (&["zcount", "s", "0", "1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zlexcount", "z", "-", "+"], b":5\r\n", b":5\r\n"),
    (&["zlexcount", "z", "[a", "(c"], b":0\r\n", b":0\r\n"),
    (&["zlexcount", "z", "a", "c"], b"-ERR min or max not valid string range item\r\n", b"-ERR min or max not valid string range item\r\n"),
    (&["zlexcount", "z", "+", "-"], b":0\r\n", b":0\r\n"),
    (&["zlexcount", "z", "-", "-"], b":0\r\n", b":0\r\n"),
    (&["zlexcount", "z", "+x", "+"], b"-ERR min or max not valid string range item\r\n", b"-ERR min or max not valid string range item\r\n"),
    (&["zlexcount", "z", "", "+"], b"-ERR min or max not valid string range item\r\n", b"-ERR min or max not valid string range item\r\n"),
    (&["zlexcount", "s", "-", "+"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zrem", "z", "a", "x", "b"], b":2\r\n", b":2\r\n"),
    (&["zrem", "nokey", "a"], b":0\r\n", b":0\r\n"),
    (&["zrem", "s", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zcard", "z"], b":3\r\n", b":3\r\n"),
    (&["zcard", "nokey"], b":0\r\n", b":0\r\n"),
    (&["zcard", "s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zremrangebyrank", "z", "0", "0"], b":1\r\n", b":1\r\n"),
    (&["zcard", "z"], b":2\r\n", b":2\r\n"),
    (&["zremrangebyrank", "nokey", "0", "0"], b":0\r\n", b":0\r\n"),
    (&["zremrangebyrank", "z", "x", "0"], b"-ERR value is not an integer or out of range\r\n", b"-ERR value is not an integer or out of range\r\n"),
    (&["zremrangebyscore", "z", "x", "0"], b"-ERR min or max is not a float\r\n", b"-ERR min or max is not a float\r\n"),
    (&["zremrangebylex", "z", "x", "0"], b"-ERR min or max not valid string range item\r\n", b"-ERR min or max not valid string range item\r\n"),
    (&["zremrangebylex", "s", "-", "+"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zadd", "r", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], b":5\r\n", b":5\r\n"),
    (&["zremrangebyrank", "r", "-2", "-1"], b":2\r\n", b":2\r\n"),
    (&["zremrangebyrank", "r", "5", "1"], b":0\r\n", b":0\r\n"),
    (&["zremrangebyscore", "r", "(1", "2"], b":1\r\n", b":1\r\n"),
    (&["zremrangebylex", "r", "-", "(b"], b":1\r\n", b":1\r\n"),
    (&["zrange", "r", "0", "-1", "withscores"], b"*2\r\n$1\r\nc\r\n$1\r\n3\r\n", b"*1\r\n*2\r\n$1\r\nc\r\n,3\r\n"),
    (&["zremrangebylex", "r", "-", "+"], b":1\r\n", b":1\r\n"),
    (&["zcard", "r"], b":0\r\n", b":0\r\n"),
    (&["bzpopmin", "z", "-1"], b"-ERR timeout is negative\r\n", b"-ERR timeout is negative\r\n"),
    (&["bzpopmin", "z", "abc"], b"-ERR timeout is not a float or out of range\r\n", b"-ERR timeout is not a float or out of range\r\n"),
    (&["bzpopmin", "s", "0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["bzpopmin", "nokey", "s", "0.01"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["bzmpop", "-1", "1", "z", "min"], b"-ERR timeout is negative\r\n", b"-ERR timeout is negative\r\n"),
    (&["bzmpop", "0", "0", "z", "min"], b"-ERR numkeys should be greater than 0\r\n", b"-ERR numkeys should be greater than 0\r\n"),
    (&["bzmpop", "0", "1", "z", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["bzmpop", "x", "1", "z", "foo"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrank", "s", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zscore", "s", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zmscore", "s", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zincrby", "s", "1", "a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", b"-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"),
    (&["zincrby", "z", "x", "a"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zincrby", "z", "1", "nx"], b"$1\r\n1\r\n", b",1\r\n"),
    (&["zincrby", "z", "nx", "a"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrangebyscore", "z", "0", "1", "limit", "0"], b"-ERR syntax error\r\n", b"-ERR syntax error\r\n"),
    (&["zrangebyscore", "z", "-inf", "+inf", "limit", "0", "1", "limit", "0", "2"], b"*2\r\n$6\r\nnewone\r\n$2\r\nnx\r\n", b"*2\r\n$6\r\nnewone\r\n$2\r\nnx\r\n"),
    (&["zadd", "w", "1", "a"], b":1\r\n", b":1\r\n"),
    (&["zadd", "big", "-0", "m000", "7", "m001", "0.1", "m002", "2.5", "m003", "inf", "m004", "7", "m005", "1e20", "m006", "7", "m007", "2", "m008", "7", "m009", "1", "m010", "1e20", "m011", "0", "m012", "0.1", "m013", "-0", "m014", "-0", "m015", "1e20", "m016", "0.1", "m017", "0.1", "m018", "1e20", "m019", "-inf", "m020", "2.5", "m021", "-0", "m022", "2.5", "m023", "0.1", "m024", "-inf", "m025", "1", "m026", "2", "m027", "2.5", "m028", "7", "m029", "1", "m030", "0", "m031", "1", "m032", "0", "m033", "1e20", "m034", "7", "m035", "-inf", "m036", "-inf", "m037", "-inf", "m038", "7", "m039", "1e20", "m040", "2.5", "m041", "inf", "m042", "2", "m043", "1", "m044", "2.5", "m045", "1e20", "m046", "-0", "m047", "0", "m048", "-inf", "m049", "0", "m050", "-inf", "m051", "0.1", "m052", "-inf", "m053", "7", "m054", "inf", "m055", "0.1", "m056", "7", "m057", "-inf", "m058", "7", "m059", "-0", "m060", "inf", "m061", "1", "m062", "0", "m063", "7", "m064", "2.5", "m065", "inf", "m066", "0.1", "m067", "7", "m068", "7", "m069", "2", "m070", "-0", "m071", "7", "m072", "0", "m073", "0", "m074", "2", "m075", "2", "m076", "1e20", "m077", "1e20", "m078", "2", "m079", "inf", "m080", "2", "m081", "-inf", "m082", "2.5", "m083", "1", "m084", "0", "m085", "-inf", "m086", "-inf", "m087", "2", "m088", "1", "m089", "7", "m090", "7", "m091", "1", "m092", "-inf", "m093", "7", "m094", "inf", "m095", "0.1", "m096", "0", "m097", "0.1", "m098", "-0", "m099", "1", "m100", "0", "m101", "1", "m102", "2", "m103", "2", "m104", "7", "m105", "0.1", "m106", "1", "m107", "-0", "m108", "-inf", "m109", "0", "m110", "7", "m111", "0", "m112", "2.5", "m113", "1", "m114", "inf", "m115", "inf", "m116", "inf", "m117", "2.5", "m118", "-inf", "m119", "-inf", "m120", "1e20", "m121", "0.1", "m122", "-inf", "m123", "7", "m124", "0.1", "m125", "2", "m126", "7", "m127", "0.1", "m128", "0", "m129", "-inf", "m130", "-0", "m131", "0", "m132", "-inf", "m133", "0", "m134", "0.1", "m135", "0", "m136", "0.1", "m137", "inf", "m138", "1", "m139", "-inf", "m140", "7", "m141", "inf", "m142", "1", "m143", "-inf", "m144", "7", "m145", "7", "m146", "2.5", "m147", "1", "m148", "inf", "m149", "1e20", "m150", "inf", "m151", "inf", "m152", "7", "m153", "0", "m154", "1e20", "m155", "1", "m156", "7", "m157", "1", "m158", "1", "m159", "inf", "m160", "0", "m161", "1e20", "m162", "0", "m163", "7", "m164", "7", "m165", "inf", "m166", "2.5", "m167", "inf", "m168", "2.5", "m169", "inf", "m170", "inf", "m171", "7", "m172", "0", "m173", "0", "m174", "-inf", "m175", "2", "m176", "1", "m177", "7", "m178", "2.5", "m179", "0", "m180", "0.1", "m181", "-0", "m182", "0", "m183", "-0", "m184", "inf", "m185", "2.5", "m186", "-inf", "m187", "2", "m188", "2", "m189", "7", "m190", "inf", "m191", "inf", "m192", "-0", "m193", "1e20", "m194", "2.5", "m195", "2", "m196", "inf", "m197", "-0", "m198", "7", "m199"], b":200\r\n", b":200\r\n"),
    (&["zadd", "lm", "1", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "2", "b", "-0", "c", "0", "d"], b":4\r\n", b":4\r\n"),
    (&["zrange", "lm", "0", "-1", "withscores"], b"*8\r\n$1\r\nc\r\n$2\r\n-0\r\n$1\r\nd\r\n$1\r\n0\r\n$70\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n", b"*4\r\n*2\r\n$1\r\nc\r\n,-0\r\n*2\r\n$1\r\nd\r\n,0\r\n*2\r\n$70\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"),
    (&["zscore", "lm", "c"], b"$2\r\n-0\r\n", b",-0\r\n"),
    (&["zrange", "big", "0", "-1", "withscores"], b"*400\r\n$4\r\nm020\r\n$4\r\n-inf\r\n$4\r\nm025\r\n$4\r\n-inf\r\n$4\r\nm036\r\n$4\r\n-inf\r\n$4\r\nm037\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n$4\r\nm051\r\n$4\r\n-inf\r\n$4\r\nm053\r\n$4\r\n-inf\r\n$4\r\nm058\r\n$4\r\n-inf\r\n$4\r\nm082\r\n$4\r\n-inf\r\n$4\r\nm086\r\n$4\r\n-inf\r\n$4\r\nm087\r\n$4\r\n-inf\r\n$4\r\nm093\r\n$4\r\n-inf\r\n$4\r\nm109\r\n$4\r\n-inf\r\n$4\r\nm119\r\n$4\r\n-inf\r\n$4\r\nm120\r\n$4\r\n-inf\r\n$4\r\nm123\r\n$4\r\n-inf\r\n$4\r\nm130\r\n$4\r\n-inf\r\n$4\r\nm133\r\n$4\r\n-inf\r\n$4\r\nm140\r\n$4\r\n-inf\r\n$4\r\nm144\r\n$4\r\n-inf\r\n$4\r\nm175\r\n$4\r\n-inf\r\n$4\r\nm187\r\n$4\r\n-inf\r\n$4\r\nm000\r\n$1\r\n0\r\n$4\r\nm012\r\n$1\r\n0\r\n$4\r\nm014\r\n$1\r\n0\r\n$4\r\nm015\r\n$1\r\n0\r\n$4\r\nm022\r\n$1\r\n0\r\n$4\r\nm031\r\n$1\r\n0\r\n$4\r\nm033\r\n$1\r\n0\r\n$4\r\nm047\r\n$1\r\n0\r\n$4\r\nm048\r\n$1\r\n0\r\n$4\r\nm050\r\n$1\r\n0\r\n$4\r\nm060\r\n$1\r\n0\r\n$4\r\nm063\r\n$1\r\n0\r\n$4\r\nm071\r\n$1\r\n0\r\n$4\r\nm073\r\n$1\r\n0\r\n$4\r\nm074\r\n$1\r\n0\r\n$4\r\nm085\r\n$1\r\n0\r\n$4\r\nm097\r\n$1\r\n0\r\n$4\r\nm099\r\n$1\r\n0\r\n$4\r\nm101\r\n$1\r\n0\r\n$4\r\nm108\r\n$1\r\n0\r\n$4\r\nm110\r\n$1\r\n0\r\n$4\r\nm112\r\n$1\r\n0\r\n$4\r\nm129\r\n$1\r\n0\r\n$4\r\nm131\r\n$2\r\n-0\r\n$4\r\nm132\r\n$1\r\n0\r\n$4\r\nm134\r\n$1\r\n0\r\n$4\r\nm136\r\n$1\r\n0\r\n$4\r\nm154\r\n$1\r\n0\r\n$4\r\nm161\r\n$1\r\n0\r\n$4\r\nm163\r\n$1\r\n0\r\n$4\r\nm173\r\n$1\r\n0\r\n$4\r\nm174\r\n$1\r\n0\r\n$4\r\nm180\r\n$1\r\n0\r\n$4\r\nm182\r\n$2\r\n-0\r\n$4\r\nm183\r\n$1\r\n0\r\n$4\r\nm184\r\n$2\r\n-0\r\n$4\r\nm193\r\n$2\r\n-0\r\n$4\r\nm198\r\n$2\r\n-0\r\n$4\r\nm002\r\n$19\r\n0.10000000000000001\r\n$4\r\nm013\r\n$19\r\n0.10000000000000001\r\n$4\r\nm017\r\n$19\r\n0.10000000000000001\r\n$4\r\nm018\r\n$19\r\n0.10000000000000001\r\n$4\r\nm024\r\n$19\r\n0.10000000000000001\r\n$4\r\nm052\r\n$19\r\n0.10000000000000001\r\n$4\r\nm056\r\n$19\r\n0.10000000000000001\r\n$4\r\nm067\r\n$19\r\n0.10000000000000001\r\n$4\r\nm096\r\n$19\r\n0.10000000000000001\r\n$4\r\nm098\r\n$19\r\n0.10000000000000001\r\n$4\r\nm106\r\n$19\r\n0.10000000000000001\r\n$4\r\nm122\r\n$19\r\n0.10000000000000001\r\n$4\r\nm125\r\n$19\r\n0.10000000000000001\r\n$4\r\nm128\r\n$19\r\n0.10000000000000001\r\n$4\r\nm135\r\n$19\r\n0.10000000000000001\r\n$4\r\nm137\r\n$19\r\n0.10000000000000001\r\n$4\r\nm181\r\n$19\r\n0.10000000000000001\r\n$4\r\nm010\r\n$1\r\n1\r\n$4\r\nm026\r\n$1\r\n1\r\n$4\r\nm030\r\n$1\r\n1\r\n$4\r\nm032\r\n$1\r\n1\r\n$4\r\nm044\r\n$1\r\n1\r\n$4\r\nm062\r\n$1\r\n1\r\n$4\r\nm084\r\n$1\r\n1\r\n$4\r\nm089\r\n$1\r\n1\r\n$4\r\nm092\r\n$1\r\n1\r\n$4\r\nm100\r\n$1\r\n1\r\n$4\r\nm102\r\n$1\r\n1\r\n$4\r\nm107\r\n$1\r\n1\r\n$4\r\nm114\r\n$1\r\n1\r\n$4\r\nm139\r\n$1\r\n1\r\n$4\r\nm143\r\n$1\r\n1\r\n$4\r\nm148\r\n$1\r\n1\r\n$4\r\nm156\r\n$1\r\n1\r\n$4\r\nm158\r\n$1\r\n1\r\n$4\r\nm159\r\n$1\r\n1\r\n$4\r\nm177\r\n$1\r\n1\r\n$4\r\nm008\r\n$1\r\n2\r\n$4\r\nm027\r\n$1\r\n2\r\n$4\r\nm043\r\n$1\r\n2\r\n$4\r\nm070\r\n$1\r\n2\r\n$4\r\nm075\r\n$1\r\n2\r\n$4\r\nm076\r\n$1\r\n2\r\n$4\r\nm079\r\n$1\r\n2\r\n$4\r\nm081\r\n$1\r\n2\r\n$4\r\nm088\r\n$1\r\n2\r\n$4\r\nm103\r\n$1\r\n2\r\n$4\r\nm104\r\n$1\r\n2\r\n$4\r\nm126\r\n$1\r\n2\r\n$4\r\nm176\r\n$1\r\n2\r\n$4\r\nm188\r\n$1\r\n2\r\n$4\r\nm189\r\n$1\r\n2\r\n$4\r\nm196\r\n$1\r\n2\r\n$4\r\nm003\r\n$3\r\n2.5\r\n$4\r\nm021\r\n$3\r\n2.5\r\n$4\r\nm023\r\n$3\r\n2.5\r\n$4\r\nm028\r\n$3\r\n2.5\r\n$4\r\nm041\r\n$3\r\n2.5\r\n$4\r\nm045\r\n$3\r\n2.5\r\n$4\r\nm065\r\n$3\r\n2.5\r\n$4\r\nm083\r\n$3\r\n2.5\r\n$4\r\nm113\r\n$3\r\n2.5\r\n$4\r\nm118\r\n$3\r\n2.5\r\n$4\r\nm147\r\n$3\r\n2.5\r\n$4\r\nm167\r\n$3\r\n2.5\r\n$4\r\nm169\r\n$3\r\n2.5\r\n$4\r\nm179\r\n$3\r\n2.5\r\n$4\r\nm186\r\n$3\r\n2.5\r\n$4\r\nm195\r\n$3\r\n2.5\r\n$4\r\nm001\r\n$1\r\n7\r\n$4\r\nm005\r\n$1\r\n7\r\n$4\r\nm007\r\n$1\r\n7\r\n$4\r\nm009\r\n$1\r\n7\r\n$4\r\nm029\r\n$1\r\n7\r\n$4\r\nm035\r\n$1\r\n7\r\n$4\r\nm039\r\n$1\r\n7\r\n$4\r\nm054\r\n$1\r\n7\r\n$4\r\nm057\r\n$1\r\n7\r\n$4\r\nm059\r\n$1\r\n7\r\n$4\r\nm064\r\n$1\r\n7\r\n$4\r\nm068\r\n$1\r\n7\r\n$4\r\nm069\r\n$1\r\n7\r\n$4\r\nm072\r\n$1\r\n7\r\n$4\r\nm090\r\n$1\r\n7\r\n$4\r\nm091\r\n$1\r\n7\r\n$4\r\nm094\r\n$1\r\n7\r\n$4\r\nm105\r\n$1\r\n7\r\n$4\r\nm111\r\n$1\r\n7\r\n$4\r\nm124\r\n$1\r\n7\r\n$4\r\nm127\r\n$1\r\n7\r\n$4\r\nm141\r\n$1\r\n7\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*200\r\n*2\r\n$4\r\nm020\r\n,-inf\r\n*2\r\n$4\r\nm025\r\n,-inf\r\n*2\r\n$4\r\nm036\r\n,-inf\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n*2\r\n$4\r\nm051\r\n,-inf\r\n*2\r\n$4\r\nm053\r\n,-inf\r\n*2\r\n$4\r\nm058\r\n,-inf\r\n*2\r\n$4\r\nm082\r\n,-inf\r\n*2\r\n$4\r\nm086\r\n,-inf\r\n*2\r\n$4\r\nm087\r\n,-inf\r\n*2\r\n$4\r\nm093\r\n,-inf\r\n*2\r\n$4\r\nm109\r\n,-inf\r\n*2\r\n$4\r\nm119\r\n,-inf\r\n*2\r\n$4\r\nm120\r\n,-inf\r\n*2\r\n$4\r\nm123\r\n,-inf\r\n*2\r\n$4\r\nm130\r\n,-inf\r\n*2\r\n$4\r\nm133\r\n,-inf\r\n*2\r\n$4\r\nm140\r\n,-inf\r\n*2\r\n$4\r\nm144\r\n,-inf\r\n*2\r\n$4\r\nm175\r\n,-inf\r\n*2\r\n$4\r\nm187\r\n,-inf\r\n*2\r\n$4\r\nm000\r\n,0\r\n*2\r\n$4\r\nm012\r\n,0\r\n*2\r\n$4\r\nm014\r\n,0\r\n*2\r\n$4\r\nm015\r\n,0\r\n*2\r\n$4\r\nm022\r\n,0\r\n*2\r\n$4\r\nm031\r\n,0\r\n*2\r\n$4\r\nm033\r\n,0\r\n*2\r\n$4\r\nm047\r\n,0\r\n*2\r\n$4\r\nm048\r\n,0\r\n*2\r\n$4\r\nm050\r\n,0\r\n*2\r\n$4\r\nm060\r\n,0\r\n*2\r\n$4\r\nm063\r\n,0\r\n*2\r\n$4\r\nm071\r\n,0\r\n*2\r\n$4\r\nm073\r\n,0\r\n*2\r\n$4\r\nm074\r\n,0\r\n*2\r\n$4\r\nm085\r\n,0\r\n*2\r\n$4\r\nm097\r\n,0\r\n*2\r\n$4\r\nm099\r\n,0\r\n*2\r\n$4\r\nm101\r\n,0\r\n*2\r\n$4\r\nm108\r\n,0\r\n*2\r\n$4\r\nm110\r\n,0\r\n*2\r\n$4\r\nm112\r\n,0\r\n*2\r\n$4\r\nm129\r\n,0\r\n*2\r\n$4\r\nm131\r\n,-0\r\n*2\r\n$4\r\nm132\r\n,0\r\n*2\r\n$4\r\nm134\r\n,0\r\n*2\r\n$4\r\nm136\r\n,0\r\n*2\r\n$4\r\nm154\r\n,0\r\n*2\r\n$4\r\nm161\r\n,0\r\n*2\r\n$4\r\nm163\r\n,0\r\n*2\r\n$4\r\nm173\r\n,0\r\n*2\r\n$4\r\nm174\r\n,0\r\n*2\r\n$4\r\nm180\r\n,0\r\n*2\r\n$4\r\nm182\r\n,-0\r\n*2\r\n$4\r\nm183\r\n,0\r\n*2\r\n$4\r\nm184\r\n,-0\r\n*2\r\n$4\r\nm193\r\n,-0\r\n*2\r\n$4\r\nm198\r\n,-0\r\n*2\r\n$4\r\nm002\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm013\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm017\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm018\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm024\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm052\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm056\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm067\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm096\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm098\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm106\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm122\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm125\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm128\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm135\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm137\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm181\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm010\r\n,1\r\n*2\r\n$4\r\nm026\r\n,1\r\n*2\r\n$4\r\nm030\r\n,1\r\n*2\r\n$4\r\nm032\r\n,1\r\n*2\r\n$4\r\nm044\r\n,1\r\n*2\r\n$4\r\nm062\r\n,1\r\n*2\r\n$4\r\nm084\r\n,1\r\n*2\r\n$4\r\nm089\r\n,1\r\n*2\r\n$4\r\nm092\r\n,1\r\n*2\r\n$4\r\nm100\r\n,1\r\n*2\r\n$4\r\nm102\r\n,1\r\n*2\r\n$4\r\nm107\r\n,1\r\n*2\r\n$4\r\nm114\r\n,1\r\n*2\r\n$4\r\nm139\r\n,1\r\n*2\r\n$4\r\nm143\r\n,1\r\n*2\r\n$4\r\nm148\r\n,1\r\n*2\r\n$4\r\nm156\r\n,1\r\n*2\r\n$4\r\nm158\r\n,1\r\n*2\r\n$4\r\nm159\r\n,1\r\n*2\r\n$4\r\nm177\r\n,1\r\n*2\r\n$4\r\nm008\r\n,2\r\n*2\r\n$4\r\nm027\r\n,2\r\n*2\r\n$4\r\nm043\r\n,2\r\n*2\r\n$4\r\nm070\r\n,2\r\n*2\r\n$4\r\nm075\r\n,2\r\n*2\r\n$4\r\nm076\r\n,2\r\n*2\r\n$4\r\nm079\r\n,2\r\n*2\r\n$4\r\nm081\r\n,2\r\n*2\r\n$4\r\nm088\r\n,2\r\n*2\r\n$4\r\nm103\r\n,2\r\n*2\r\n$4\r\nm104\r\n,2\r\n*2\r\n$4\r\nm126\r\n,2\r\n*2\r\n$4\r\nm176\r\n,2\r\n*2\r\n$4\r\nm188\r\n,2\r\n*2\r\n$4\r\nm189\r\n,2\r\n*2\r\n$4\r\nm196\r\n,2\r\n*2\r\n$4\r\nm003\r\n,2.5\r\n*2\r\n$4\r\nm021\r\n,2.5\r\n*2\r\n$4\r\nm023\r\n,2.5\r\n*2\r\n$4\r\nm028\r\n,2.5\r\n*2\r\n$4\r\nm041\r\n,2.5\r\n*2\r\n$4\r\nm045\r\n,2.5\r\n*2\r\n$4\r\nm065\r\n,2.5\r\n*2\r\n$4\r\nm083\r\n,2.5\r\n*2\r\n$4\r\nm113\r\n,2.5\r\n*2\r\n$4\r\nm118\r\n,2.5\r\n*2\r\n$4\r\nm147\r\n,2.5\r\n*2\r\n$4\r\nm167\r\n,2.5\r\n*2\r\n$4\r\nm169\r\n,2.5\r\n*2\r\n$4\r\nm179\r\n,2.5\r\n*2\r\n$4\r\nm186\r\n,2.5\r\n*2\r\n$4\r\nm195\r\n,2.5\r\n*2\r\n$4\r\nm001\r\n,7\r\n*2\r\n$4\r\nm005\r\n,7\r\n*2\r\n$4\r\nm007\r\n,7\r\n*2\r\n$4\r\nm009\r\n,7\r\n*2\r\n$4\r\nm029\r\n,7\r\n*2\r\n$4\r\nm035\r\n,7\r\n*2\r\n$4\r\nm039\r\n,7\r\n*2\r\n$4\r\nm054\r\n,7\r\n*2\r\n$4\r\nm057\r\n,7\r\n*2\r\n$4\r\nm059\r\n,7\r\n*2\r\n$4\r\nm064\r\n,7\r\n*2\r\n$4\r\nm068\r\n,7\r\n*2\r\n$4\r\nm069\r\n,7\r\n*2\r\n$4\r\nm072\r\n,7\r\n*2\r\n$4\r\nm090\r\n,7\r\n*2\r\n$4\r\nm091\r\n,7\r\n*2\r\n$4\r\nm094\r\n,7\r\n*2\r\n$4\r\nm105\r\n,7\r\n*2\r\n$4\r\nm111\r\n,7\r\n*2\r\n$4\r\nm124\r\n,7\r\n*2\r\n$4\r\nm127\r\n,7\r\n*2\r\n$4\r\nm141\r\n,7\r\n*2\r\n$4\r\nm145\r\n,7\r\n*2\r\n$4\r\nm146\r\n,7\r\n*2\r\n$4\r\nm153\r\n,7\r\n*2\r\n$4\r\nm157\r\n,7\r\n*2\r\n$4\r\nm164\r\n,7\r\n*2\r\n$4\r\nm165\r\n,7\r\n*2\r\n$4\r\nm172\r\n,7\r\n*2\r\n$4\r\nm178\r\n,7\r\n*2\r\n$4\r\nm190\r\n,7\r\n*2\r\n$4\r\nm199\r\n,7\r\n*2\r\n$4\r\nm006\r\n,1e+20\r\n*2\r\n$4\r\nm011\r\n,1e+20\r\n*2\r\n$4\r\nm016\r\n,1e+20\r\n*2\r\n$4\r\nm019\r\n,1e+20\r\n*2\r\n$4\r\nm034\r\n,1e+20\r\n*2\r\n$4\r\nm040\r\n,1e+20\r\n*2\r\n$4\r\nm046\r\n,1e+20\r\n*2\r\n$4\r\nm077\r\n,1e+20\r\n*2\r\n$4\r\nm078\r\n,1e+20\r\n*2\r\n$4\r\nm121\r\n,1e+20\r\n*2\r\n$4\r\nm150\r\n,1e+20\r\n*2\r\n$4\r\nm155\r\n,1e+20\r\n*2\r\n$4\r\nm162\r\n,1e+20\r\n*2\r\n$4\r\nm194\r\n,1e+20\r\n*2\r\n$4\r\nm004\r\n,inf\r\n*2\r\n$4\r\nm042\r\n,inf\r\n*2\r\n$4\r\nm055\r\n,inf\r\n*2\r\n$4\r\nm061\r\n,inf\r\n*2\r\n$4\r\nm066\r\n,inf\r\n*2\r\n$4\r\nm080\r\n,inf\r\n*2\r\n$4\r\nm095\r\n,inf\r\n*2\r\n$4\r\nm115\r\n,inf\r\n*2\r\n$4\r\nm116\r\n,inf\r\n*2\r\n$4\r\nm117\r\n,inf\r\n*2\r\n$4\r\nm138\r\n,inf\r\n*2\r\n$4\r\nm142\r\n,inf\r\n*2\r\n$4\r\nm149\r\n,inf\r\n*2\r\n$4\r\nm151\r\n,inf\r\n*2\r\n$4\r\nm152\r\n,inf\r\n*2\r\n$4\r\nm160\r\n,inf\r\n*2\r\n$4\r\nm166\r\n,inf\r\n*2\r\n$4\r\nm168\r\n,inf\r\n*2\r\n$4\r\nm170\r\n,inf\r\n*2\r\n$4\r\nm171\r\n,inf\r\n*2\r\n$4\r\nm185\r\n,inf\r\n*2\r\n$4\r\nm191\r\n,inf\r\n*2\r\n$4\r\nm192\r\n,inf\r\n*2\r\n$4\r\nm197\r\n,inf\r\n"),
    (&["zrange", "big", "10", "20", "withscores", "rev"], b"*22\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n", b"*11\r\n*2\r\n$4\r\nm151\r\n,inf\r\n*2\r\n$4\r\nm149\r\n,inf\r\n*2\r\n$4\r\nm142\r\n,inf\r\n*2\r\n$4\r\nm138\r\n,inf\r\n*2\r\n$4\r\nm117\r\n,inf\r\n*2\r\n$4\r\nm116\r\n,inf\r\n*2\r\n$4\r\nm115\r\n,inf\r\n*2\r\n$4\r\nm095\r\n,inf\r\n*2\r\n$4\r\nm080\r\n,inf\r\n*2\r\n$4\r\nm066\r\n,inf\r\n*2\r\n$4\r\nm061\r\n,inf\r\n"),
    (&["zrange", "big", "-5", "-1"], b"*5\r\n$4\r\nm171\r\n$4\r\nm185\r\n$4\r\nm191\r\n$4\r\nm192\r\n$4\r\nm197\r\n", b"*5\r\n$4\r\nm171\r\n$4\r\nm185\r\n$4\r\nm191\r\n$4\r\nm192\r\n$4\r\nm197\r\n"),
    (&["zrank", "big", "m050"], b":32\r\n", b":32\r\n"),
    (&["zrevrank", "big", "m050"], b":167\r\n", b":167\r\n"),
    (&["zrank", "big", "m199"], b":161\r\n", b":161\r\n"),
    (&["zcard", "big"], b":200\r\n", b":200\r\n"),
    (&["zrangebyscore", "big", "1", "2.5", "withscores"], b"*104\r\n$4\r\nm010\r\n$1\r\n1\r\n$4\r\nm026\r\n$1\r\n1\r\n$4\r\nm030\r\n$1\r\n1\r\n$4\r\nm032\r\n$1\r\n1\r\n$4\r\nm044\r\n$1\r\n1\r\n$4\r\nm062\r\n$1\r\n1\r\n$4\r\nm084\r\n$1\r\n1\r\n$4\r\nm089\r\n$1\r\n1\r\n$4\r\nm092\r\n$1\r\n1\r\n$4\r\nm100\r\n$1\r\n1\r\n$4\r\nm102\r\n$1\r\n1\r\n$4\r\nm107\r\n$1\r\n1\r\n$4\r\nm114\r\n$1\r\n1\r\n$4\r\nm139\r\n$1\r\n1\r\n$4\r\nm143\r\n$1\r\n1\r\n$4\r\nm148\r\n$1\r\n1\r\n$4\r\nm156\r\n$1\r\n1\r\n$4\r\nm158\r\n$1\r\n1\r\n$4\r\nm159\r\n$1\r\n1\r\n$4\r\nm177\r\n$1\r\n1\r\n$4\r\nm008\r\n$1\r\n2\r\n$4\r\nm027\r\n$1\r\n2\r\n$4\r\nm043\r\n$1\r\n2\r\n$4\r\nm070\r\n$1\r\n2\r\n$4\r\nm075\r\n$1\r\n2\r\n$4\r\nm076\r\n$1\r\n2\r\n$4\r\nm079\r\n$1\r\n2\r\n$4\r\nm081\r\n$1\r\n2\r\n$4\r\nm088\r\n$1\r\n2\r\n$4\r\nm103\r\n$1\r\n2\r\n$4\r\nm104\r\n$1\r\n2\r\n$4\r\nm126\r\n$1\r\n2\r\n$4\r\nm176\r\n$1\r\n2\r\n$4\r\nm188\r\n$1\r\n2\r\n$4\r\nm189\r\n$1\r\n2\r\n$4\r\nm196\r\n$1\r\n2\r\n$4\r\nm003\r\n$3\r\n2.5\r\n$4\r\nm021\r\n$3\r\n2.5\r\n$4\r\nm023\r\n$3\r\n2.5\r\n$4\r\nm028\r\n$3\r\n2.5\r\n$4\r\nm041\r\n$3\r\n2.5\r\n$4\r\nm045\r\n$3\r\n2.5\r\n$4\r\nm065\r\n$3\r\n2.5\r\n$4\r\nm083\r\n$3\r\n2.5\r\n$4\r\nm113\r\n$3\r\n2.5\r\n$4\r\nm118\r\n$3\r\n2.5\r\n$4\r\nm147\r\n$3\r\n2.5\r\n$4\r\nm167\r\n$3\r\n2.5\r\n$4\r\nm169\r\n$3\r\n2.5\r\n$4\r\nm179\r\n$3\r\n2.5\r\n$4\r\nm186\r\n$3\r\n2.5\r\n$4\r\nm195\r\n$3\r\n2.5\r\n", b"*52\r\n*2\r\n$4\r\nm010\r\n,1\r\n*2\r\n$4\r\nm026\r\n,1\r\n*2\r\n$4\r\nm030\r\n,1\r\n*2\r\n$4\r\nm032\r\n,1\r\n*2\r\n$4\r\nm044\r\n,1\r\n*2\r\n$4\r\nm062\r\n,1\r\n*2\r\n$4\r\nm084\r\n,1\r\n*2\r\n$4\r\nm089\r\n,1\r\n*2\r\n$4\r\nm092\r\n,1\r\n*2\r\n$4\r\nm100\r\n,1\r\n*2\r\n$4\r\nm102\r\n,1\r\n*2\r\n$4\r\nm107\r\n,1\r\n*2\r\n$4\r\nm114\r\n,1\r\n*2\r\n$4\r\nm139\r\n,1\r\n*2\r\n$4\r\nm143\r\n,1\r\n*2\r\n$4\r\nm148\r\n,1\r\n*2\r\n$4\r\nm156\r\n,1\r\n*2\r\n$4\r\nm158\r\n,1\r\n*2\r\n$4\r\nm159\r\n,1\r\n*2\r\n$4\r\nm177\r\n,1\r\n*2\r\n$4\r\nm008\r\n,2\r\n*2\r\n$4\r\nm027\r\n,2\r\n*2\r\n$4\r\nm043\r\n,2\r\n*2\r\n$4\r\nm070\r\n,2\r\n*2\r\n$4\r\nm075\r\n,2\r\n*2\r\n$4\r\nm076\r\n,2\r\n*2\r\n$4\r\nm079\r\n,2\r\n*2\r\n$4\r\nm081\r\n,2\r\n*2\r\n$4\r\nm088\r\n,2\r\n*2\r\n$4\r\nm103\r\n,2\r\n*2\r\n$4\r\nm104\r\n,2\r\n*2\r\n$4\r\nm126\r\n,2\r\n*2\r\n$4\r\nm176\r\n,2\r\n*2\r\n$4\r\nm188\r\n,2\r\n*2\r\n$4\r\nm189\r\n,2\r\n*2\r\n$4\r\nm196\r\n,2\r\n*2\r\n$4\r\nm003\r\n,2.5\r\n*2\r\n$4\r\nm021\r\n,2.5\r\n*2\r\n$4\r\nm023\r\n,2.5\r\n*2\r\n$4\r\nm028\r\n,2.5\r\n*2\r\n$4\r\nm041\r\n,2.5\r\n*2\r\n$4\r\nm045\r\n,2.5\r\n*2\r\n$4\r\nm065\r\n,2.5\r\n*2\r\n$4\r\nm083\r\n,2.5\r\n*2\r\n$4\r\nm113\r\n,2.5\r\n*2\r\n$4\r\nm118\r\n,2.5\r\n*2\r\n$4\r\nm147\r\n,2.5\r\n*2\r\n$4\r\nm167\r\n,2.5\r\n*2\r\n$4\r\nm169\r\n,2.5\r\n*2\r\n$4\r\nm179\r\n,2.5\r\n*2\r\n$4\r\nm186\r\n,2.5\r\n*2\r\n$4\r\nm195\r\n,2.5\r\n"),
    (&["zrangebyscore", "big", "(1", "(2.5", "limit", "3", "4"], b"*4\r\n$4\r\nm070\r\n$4\r\nm075\r\n$4\r\nm076\r\n$4\r\nm079\r\n", b"*4\r\n$4\r\nm070\r\n$4\r\nm075\r\n$4\r\nm076\r\n$4\r\nm079\r\n"),
    (&["zrevrangebyscore", "big", "+inf", "-inf", "limit", "5", "5", "withscores"], b"*10\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n", b"*5\r\n*2\r\n$4\r\nm170\r\n,inf\r\n*2\r\n$4\r\nm168\r\n,inf\r\n*2\r\n$4\r\nm166\r\n,inf\r\n*2\r\n$4\r\nm160\r\n,inf\r\n*2\r\n$4\r\nm152\r\n,inf\r\n"),
    (&["zcount", "big", "-inf", "+inf"], b":200\r\n", b":200\r\n"),
    (&["zcount", "big", "(0", "1e20"], b":115\r\n", b":115\r\n"),
    (&["zcount", "big", "-0", "0"], b":38\r\n", b":38\r\n"),
    (&["zrangebyscore", "big", "-0", "0"], b"*38\r\n$4\r\nm000\r\n$4\r\nm012\r\n$4\r\nm014\r\n$4\r\nm015\r\n$4\r\nm022\r\n$4\r\nm031\r\n$4\r\nm033\r\n$4\r\nm047\r\n$4\r\nm048\r\n$4\r\nm050\r\n$4\r\nm060\r\n$4\r\nm063\r\n$4\r\nm071\r\n$4\r\nm073\r\n$4\r\nm074\r\n$4\r\nm085\r\n$4\r\nm097\r\n$4\r\nm099\r\n$4\r\nm101\r\n$4\r\nm108\r\n$4\r\nm110\r\n$4\r\nm112\r\n$4\r\nm129\r\n$4\r\nm131\r\n$4\r\nm132\r\n$4\r\nm134\r\n$4\r\nm136\r\n$4\r\nm154\r\n$4\r\nm161\r\n$4\r\nm163\r\n$4\r\nm173\r\n$4\r\nm174\r\n$4\r\nm180\r\n$4\r\nm182\r\n$4\r\nm183\r\n$4\r\nm184\r\n$4\r\nm193\r\n$4\r\nm198\r\n", b"*38\r\n$4\r\nm000\r\n$4\r\nm012\r\n$4\r\nm014\r\n$4\r\nm015\r\n$4\r\nm022\r\n$4\r\nm031\r\n$4\r\nm033\r\n$4\r\nm047\r\n$4\r\nm048\r\n$4\r\nm050\r\n$4\r\nm060\r\n$4\r\nm063\r\n$4\r\nm071\r\n$4\r\nm073\r\n$4\r\nm074\r\n$4\r\nm085\r\n$4\r\nm097\r\n$4\r\nm099\r\n$4\r\nm101\r\n$4\r\nm108\r\n$4\r\nm110\r\n$4\r\nm112\r\n$4\r\nm129\r\n$4\r\nm131\r\n$4\r\nm132\r\n$4\r\nm134\r\n$4\r\nm136\r\n$4\r\nm154\r\n$4\r\nm161\r\n$4\r\nm163\r\n$4\r\nm173\r\n$4\r\nm174\r\n$4\r\nm180\r\n$4\r\nm182\r\n$4\r\nm183\r\n$4\r\nm184\r\n$4\r\nm193\r\n$4\r\nm198\r\n"),
    (&["zrangebylex", "big", "-", "+", "limit", "0", "5"], b"*5\r\n$4\r\nm020\r\n$4\r\nm025\r\n$4\r\nm036\r\n$4\r\nm037\r\n$4\r\nm038\r\n", b"*5\r\n$4\r\nm020\r\n$4\r\nm025\r\n$4\r\nm036\r\n$4\r\nm037\r\n$4\r\nm038\r\n"),
    (&["zlexcount", "big", "-", "+"], b":200\r\n", b":200\r\n"),
    (&["zscore", "big", "m007"], b"$1\r\n7\r\n", b",7\r\n"),
    (&["zmscore", "big", "m001", "m002", "nope"], b"*3\r\n$1\r\n7\r\n$19\r\n0.10000000000000001\r\n$-1\r\n", b"*3\r\n,7\r\n,0.10000000000000001\r\n_\r\n"),
    (&["zincrby", "big", "1", "m003"], b"$3\r\n3.5\r\n", b",3.5\r\n"),
    (&["zadd", "big", "incr", "-inf", "m004"], b"-ERR resulting score is not a number (NaN)\r\n", b"-ERR resulting score is not a number (NaN)\r\n"),
    (&["zadd", "big", "gt", "ch", "100", "m005", "-100", "m006"], b":1\r\n", b":1\r\n"),
    (&["zrange", "big", "-3", "-1", "withscores"], b"*6\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*3\r\n*2\r\n$4\r\nm191\r\n,inf\r\n*2\r\n$4\r\nm192\r\n,inf\r\n*2\r\n$4\r\nm197\r\n,inf\r\n"),
    (&["zrangestore", "dst", "big", "0", "9"], b":10\r\n", b":10\r\n"),
    (&["zrangestore", "dst", "big", "0", "150"], b":151\r\n", b":151\r\n"),
    (&["zrange", "dst", "140", "-1", "withscores"], b"*22\r\n$4\r\nm068\r\n$1\r\n7\r\n$4\r\nm069\r\n$1\r\n7\r\n$4\r\nm072\r\n$1\r\n7\r\n$4\r\nm090\r\n$1\r\n7\r\n$4\r\nm091\r\n$1\r\n7\r\n$4\r\nm094\r\n$1\r\n7\r\n$4\r\nm105\r\n$1\r\n7\r\n$4\r\nm111\r\n$1\r\n7\r\n$4\r\nm124\r\n$1\r\n7\r\n$4\r\nm127\r\n$1\r\n7\r\n$4\r\nm141\r\n$1\r\n7\r\n", b"*11\r\n*2\r\n$4\r\nm068\r\n,7\r\n*2\r\n$4\r\nm069\r\n,7\r\n*2\r\n$4\r\nm072\r\n,7\r\n*2\r\n$4\r\nm090\r\n,7\r\n*2\r\n$4\r\nm091\r\n,7\r\n*2\r\n$4\r\nm094\r\n,7\r\n*2\r\n$4\r\nm105\r\n,7\r\n*2\r\n$4\r\nm111\r\n,7\r\n*2\r\n$4\r\nm124\r\n,7\r\n*2\r\n$4\r\nm127\r\n,7\r\n*2\r\n$4\r\nm141\r\n,7\r\n"),
    (&["zunionstore", "u", "2", "big", "lm"], b":204\r\n", b":204\r\n"),
    (&["zrange", "u", "0", "5", "withscores"], b"*12\r\n$4\r\nm020\r\n$4\r\n-inf\r\n$4\r\nm025\r\n$4\r\n-inf\r\n$4\r\nm036\r\n$4\r\n-inf\r\n$4\r\nm037\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n", b"*6\r\n*2\r\n$4\r\nm020\r\n,-inf\r\n*2\r\n$4\r\nm025\r\n,-inf\r\n*2\r\n$4\r\nm036\r\n,-inf\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n"),
    (&["zinterstore", "u", "2", "big", "big", "weights", "2", "3"], b":200\r\n", b":200\r\n"),
    (&["zrange", "u", "0", "5", "withscores"], b"*12\r\n$4\r\nm020\r\n$4\r\n-inf\r\n$4\r\nm025\r\n$4\r\n-inf\r\n$4\r\nm036\r\n$4\r\n-inf\r\n$4\r\nm037\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n", b"*6\r\n*2\r\n$4\r\nm020\r\n,-inf\r\n*2\r\n$4\r\nm025\r\n,-inf\r\n*2\r\n$4\r\nm036\r\n,-inf\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n"),
    (&["zrange", "u", "-5", "-1", "withscores"], b"*10\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*5\r\n*2\r\n$4\r\nm171\r\n,inf\r\n*2\r\n$4\r\nm185\r\n,inf\r\n*2\r\n$4\r\nm191\r\n,inf\r\n*2\r\n$4\r\nm192\r\n,inf\r\n*2\r\n$4\r\nm197\r\n,inf\r\n"),
    (&["zunion", "2", "big", "lm", "withscores"], b"*408\r\n$4\r\nm020\r\n$4\r\n-inf\r\n$4\r\nm025\r\n$4\r\n-inf\r\n$4\r\nm036\r\n$4\r\n-inf\r\n$4\r\nm037\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n$4\r\nm051\r\n$4\r\n-inf\r\n$4\r\nm053\r\n$4\r\n-inf\r\n$4\r\nm058\r\n$4\r\n-inf\r\n$4\r\nm082\r\n$4\r\n-inf\r\n$4\r\nm086\r\n$4\r\n-inf\r\n$4\r\nm087\r\n$4\r\n-inf\r\n$4\r\nm093\r\n$4\r\n-inf\r\n$4\r\nm109\r\n$4\r\n-inf\r\n$4\r\nm119\r\n$4\r\n-inf\r\n$4\r\nm120\r\n$4\r\n-inf\r\n$4\r\nm123\r\n$4\r\n-inf\r\n$4\r\nm130\r\n$4\r\n-inf\r\n$4\r\nm133\r\n$4\r\n-inf\r\n$4\r\nm140\r\n$4\r\n-inf\r\n$4\r\nm144\r\n$4\r\n-inf\r\n$4\r\nm175\r\n$4\r\n-inf\r\n$4\r\nm187\r\n$4\r\n-inf\r\n$1\r\nc\r\n$2\r\n-0\r\n$1\r\nd\r\n$1\r\n0\r\n$4\r\nm000\r\n$1\r\n0\r\n$4\r\nm012\r\n$1\r\n0\r\n$4\r\nm014\r\n$1\r\n0\r\n$4\r\nm015\r\n$1\r\n0\r\n$4\r\nm022\r\n$1\r\n0\r\n$4\r\nm031\r\n$1\r\n0\r\n$4\r\nm033\r\n$1\r\n0\r\n$4\r\nm047\r\n$1\r\n0\r\n$4\r\nm048\r\n$1\r\n0\r\n$4\r\nm050\r\n$1\r\n0\r\n$4\r\nm060\r\n$1\r\n0\r\n$4\r\nm063\r\n$1\r\n0\r\n$4\r\nm071\r\n$1\r\n0\r\n$4\r\nm073\r\n$1\r\n0\r\n$4\r\nm074\r\n$1\r\n0\r\n$4\r\nm085\r\n$1\r\n0\r\n$4\r\nm097\r\n$1\r\n0\r\n$4\r\nm099\r\n$1\r\n0\r\n$4\r\nm101\r\n$1\r\n0\r\n$4\r\nm108\r\n$1\r\n0\r\n$4\r\nm110\r\n$1\r\n0\r\n$4\r\nm112\r\n$1\r\n0\r\n$4\r\nm129\r\n$1\r\n0\r\n$4\r\nm131\r\n$2\r\n-0\r\n$4\r\nm132\r\n$1\r\n0\r\n$4\r\nm134\r\n$1\r\n0\r\n$4\r\nm136\r\n$1\r\n0\r\n$4\r\nm154\r\n$1\r\n0\r\n$4\r\nm161\r\n$1\r\n0\r\n$4\r\nm163\r\n$1\r\n0\r\n$4\r\nm173\r\n$1\r\n0\r\n$4\r\nm174\r\n$1\r\n0\r\n$4\r\nm180\r\n$1\r\n0\r\n$4\r\nm182\r\n$2\r\n-0\r\n$4\r\nm183\r\n$1\r\n0\r\n$4\r\nm184\r\n$2\r\n-0\r\n$4\r\nm193\r\n$2\r\n-0\r\n$4\r\nm198\r\n$2\r\n-0\r\n$4\r\nm002\r\n$19\r\n0.10000000000000001\r\n$4\r\nm013\r\n$19\r\n0.10000000000000001\r\n$4\r\nm017\r\n$19\r\n0.10000000000000001\r\n$4\r\nm018\r\n$19\r\n0.10000000000000001\r\n$4\r\nm024\r\n$19\r\n0.10000000000000001\r\n$4\r\nm052\r\n$19\r\n0.10000000000000001\r\n$4\r\nm056\r\n$19\r\n0.10000000000000001\r\n$4\r\nm067\r\n$19\r\n0.10000000000000001\r\n$4\r\nm096\r\n$19\r\n0.10000000000000001\r\n$4\r\nm098\r\n$19\r\n0.10000000000000001\r\n$4\r\nm106\r\n$19\r\n0.10000000000000001\r\n$4\r\nm122\r\n$19\r\n0.10000000000000001\r\n$4\r\nm125\r\n$19\r\n0.10000000000000001\r\n$4\r\nm128\r\n$19\r\n0.10000000000000001\r\n$4\r\nm135\r\n$19\r\n0.10000000000000001\r\n$4\r\nm137\r\n$19\r\n0.10000000000000001\r\n$4\r\nm181\r\n$19\r\n0.10000000000000001\r\n$4\r\nm010\r\n$1\r\n1\r\n$4\r\nm026\r\n$1\r\n1\r\n$4\r\nm030\r\n$1\r\n1\r\n$4\r\nm032\r\n$1\r\n1\r\n$4\r\nm044\r\n$1\r\n1\r\n$4\r\nm062\r\n$1\r\n1\r\n$4\r\nm084\r\n$1\r\n1\r\n$4\r\nm089\r\n$1\r\n1\r\n$4\r\nm092\r\n$1\r\n1\r\n$4\r\nm100\r\n$1\r\n1\r\n$4\r\nm102\r\n$1\r\n1\r\n$4\r\nm107\r\n$1\r\n1\r\n$4\r\nm114\r\n$1\r\n1\r\n$4\r\nm139\r\n$1\r\n1\r\n$4\r\nm143\r\n$1\r\n1\r\n$4\r\nm148\r\n$1\r\n1\r\n$4\r\nm156\r\n$1\r\n1\r\n$4\r\nm158\r\n$1\r\n1\r\n$4\r\nm159\r\n$1\r\n1\r\n$4\r\nm177\r\n$1\r\n1\r\n$70\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$4\r\nm008\r\n$1\r\n2\r\n$4\r\nm027\r\n$1\r\n2\r\n$4\r\nm043\r\n$1\r\n2\r\n$4\r\nm070\r\n$1\r\n2\r\n$4\r\nm075\r\n$1\r\n2\r\n$4\r\nm076\r\n$1\r\n2\r\n$4\r\nm079\r\n$1\r\n2\r\n$4\r\nm081\r\n$1\r\n2\r\n$4\r\nm088\r\n$1\r\n2\r\n$4\r\nm103\r\n$1\r\n2\r\n$4\r\nm104\r\n$1\r\n2\r\n$4\r\nm126\r\n$1\r\n2\r\n$4\r\nm176\r\n$1\r\n2\r\n$4\r\nm188\r\n$1\r\n2\r\n$4\r\nm189\r\n$1\r\n2\r\n$4\r\nm196\r\n$1\r\n2\r\n$4\r\nm021\r\n$3\r\n2.5\r\n$4\r\nm023\r\n$3\r\n2.5\r\n$4\r\nm028\r\n$3\r\n2.5\r\n$4\r\nm041\r\n$3\r\n2.5\r\n$4\r\nm045\r\n$3\r\n2.5\r\n$4\r\nm065\r\n$3\r\n2.5\r\n$4\r\nm083\r\n$3\r\n2.5\r\n$4\r\nm113\r\n$3\r\n2.5\r\n$4\r\nm118\r\n$3\r\n2.5\r\n$4\r\nm147\r\n$3\r\n2.5\r\n$4\r\nm167\r\n$3\r\n2.5\r\n$4\r\nm169\r\n$3\r\n2.5\r\n$4\r\nm179\r\n$3\r\n2.5\r\n$4\r\nm186\r\n$3\r\n2.5\r\n$4\r\nm195\r\n$3\r\n2.5\r\n$4\r\nm003\r\n$3\r\n3.5\r\n$4\r\nm001\r\n$1\r\n7\r\n$4\r\nm007\r\n$1\r\n7\r\n$4\r\nm009\r\n$1\r\n7\r\n$4\r\nm029\r\n$1\r\n7\r\n$4\r\nm035\r\n$1\r\n7\r\n$4\r\nm039\r\n$1\r\n7\r\n$4\r\nm054\r\n$1\r\n7\r\n$4\r\nm057\r\n$1\r\n7\r\n$4\r\nm059\r\n$1\r\n7\r\n$4\r\nm064\r\n$1\r\n7\r\n$4\r\nm068\r\n$1\r\n7\r\n$4\r\nm069\r\n$1\r\n7\r\n$4\r\nm072\r\n$1\r\n7\r\n$4\r\nm090\r\n$1\r\n7\r\n$4\r\nm091\r\n$1\r\n7\r\n$4\r\nm094\r\n$1\r\n7\r\n$4\r\nm105\r\n$1\r\n7\r\n$4\r\nm111\r\n$1\r\n7\r\n$4\r\nm124\r\n$1\r\n7\r\n$4\r\nm127\r\n$1\r\n7\r\n$4\r\nm141\r\n$1\r\n7\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm005\r\n$3\r\n100\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*204\r\n*2\r\n$4\r\nm020\r\n,-inf\r\n*2\r\n$4\r\nm025\r\n,-inf\r\n*2\r\n$4\r\nm036\r\n,-inf\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n*2\r\n$4\r\nm051\r\n,-inf\r\n*2\r\n$4\r\nm053\r\n,-inf\r\n*2\r\n$4\r\nm058\r\n,-inf\r\n*2\r\n$4\r\nm082\r\n,-inf\r\n*2\r\n$4\r\nm086\r\n,-inf\r\n*2\r\n$4\r\nm087\r\n,-inf\r\n*2\r\n$4\r\nm093\r\n,-inf\r\n*2\r\n$4\r\nm109\r\n,-inf\r\n*2\r\n$4\r\nm119\r\n,-inf\r\n*2\r\n$4\r\nm120\r\n,-inf\r\n*2\r\n$4\r\nm123\r\n,-inf\r\n*2\r\n$4\r\nm130\r\n,-inf\r\n*2\r\n$4\r\nm133\r\n,-inf\r\n*2\r\n$4\r\nm140\r\n,-inf\r\n*2\r\n$4\r\nm144\r\n,-inf\r\n*2\r\n$4\r\nm175\r\n,-inf\r\n*2\r\n$4\r\nm187\r\n,-inf\r\n*2\r\n$1\r\nc\r\n,-0\r\n*2\r\n$1\r\nd\r\n,0\r\n*2\r\n$4\r\nm000\r\n,0\r\n*2\r\n$4\r\nm012\r\n,0\r\n*2\r\n$4\r\nm014\r\n,0\r\n*2\r\n$4\r\nm015\r\n,0\r\n*2\r\n$4\r\nm022\r\n,0\r\n*2\r\n$4\r\nm031\r\n,0\r\n*2\r\n$4\r\nm033\r\n,0\r\n*2\r\n$4\r\nm047\r\n,0\r\n*2\r\n$4\r\nm048\r\n,0\r\n*2\r\n$4\r\nm050\r\n,0\r\n*2\r\n$4\r\nm060\r\n,0\r\n*2\r\n$4\r\nm063\r\n,0\r\n*2\r\n$4\r\nm071\r\n,0\r\n*2\r\n$4\r\nm073\r\n,0\r\n*2\r\n$4\r\nm074\r\n,0\r\n*2\r\n$4\r\nm085\r\n,0\r\n*2\r\n$4\r\nm097\r\n,0\r\n*2\r\n$4\r\nm099\r\n,0\r\n*2\r\n$4\r\nm101\r\n,0\r\n*2\r\n$4\r\nm108\r\n,0\r\n*2\r\n$4\r\nm110\r\n,0\r\n*2\r\n$4\r\nm112\r\n,0\r\n*2\r\n$4\r\nm129\r\n,0\r\n*2\r\n$4\r\nm131\r\n,-0\r\n*2\r\n$4\r\nm132\r\n,0\r\n*2\r\n$4\r\nm134\r\n,0\r\n*2\r\n$4\r\nm136\r\n,0\r\n*2\r\n$4\r\nm154\r\n,0\r\n*2\r\n$4\r\nm161\r\n,0\r\n*2\r\n$4\r\nm163\r\n,0\r\n*2\r\n$4\r\nm173\r\n,0\r\n*2\r\n$4\r\nm174\r\n,0\r\n*2\r\n$4\r\nm180\r\n,0\r\n*2\r\n$4\r\nm182\r\n,-0\r\n*2\r\n$4\r\nm183\r\n,0\r\n*2\r\n$4\r\nm184\r\n,-0\r\n*2\r\n$4\r\nm193\r\n,-0\r\n*2\r\n$4\r\nm198\r\n,-0\r\n*2\r\n$4\r\nm002\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm013\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm017\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm018\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm024\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm052\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm056\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm067\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm096\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm098\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm106\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm122\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm125\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm128\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm135\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm137\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm181\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm010\r\n,1\r\n*2\r\n$4\r\nm026\r\n,1\r\n*2\r\n$4\r\nm030\r\n,1\r\n*2\r\n$4\r\nm032\r\n,1\r\n*2\r\n$4\r\nm044\r\n,1\r\n*2\r\n$4\r\nm062\r\n,1\r\n*2\r\n$4\r\nm084\r\n,1\r\n*2\r\n$4\r\nm089\r\n,1\r\n*2\r\n$4\r\nm092\r\n,1\r\n*2\r\n$4\r\nm100\r\n,1\r\n*2\r\n$4\r\nm102\r\n,1\r\n*2\r\n$4\r\nm107\r\n,1\r\n*2\r\n$4\r\nm114\r\n,1\r\n*2\r\n$4\r\nm139\r\n,1\r\n*2\r\n$4\r\nm143\r\n,1\r\n*2\r\n$4\r\nm148\r\n,1\r\n*2\r\n$4\r\nm156\r\n,1\r\n*2\r\n$4\r\nm158\r\n,1\r\n*2\r\n$4\r\nm159\r\n,1\r\n*2\r\n$4\r\nm177\r\n,1\r\n*2\r\n$70\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$4\r\nm008\r\n,2\r\n*2\r\n$4\r\nm027\r\n,2\r\n*2\r\n$4\r\nm043\r\n,2\r\n*2\r\n$4\r\nm070\r\n,2\r\n*2\r\n$4\r\nm075\r\n,2\r\n*2\r\n$4\r\nm076\r\n,2\r\n*2\r\n$4\r\nm079\r\n,2\r\n*2\r\n$4\r\nm081\r\n,2\r\n*2\r\n$4\r\nm088\r\n,2\r\n*2\r\n$4\r\nm103\r\n,2\r\n*2\r\n$4\r\nm104\r\n,2\r\n*2\r\n$4\r\nm126\r\n,2\r\n*2\r\n$4\r\nm176\r\n,2\r\n*2\r\n$4\r\nm188\r\n,2\r\n*2\r\n$4\r\nm189\r\n,2\r\n*2\r\n$4\r\nm196\r\n,2\r\n*2\r\n$4\r\nm021\r\n,2.5\r\n*2\r\n$4\r\nm023\r\n,2.5\r\n*2\r\n$4\r\nm028\r\n,2.5\r\n*2\r\n$4\r\nm041\r\n,2.5\r\n*2\r\n$4\r\nm045\r\n,2.5\r\n*2\r\n$4\r\nm065\r\n,2.5\r\n*2\r\n$4\r\nm083\r\n,2.5\r\n*2\r\n$4\r\nm113\r\n,2.5\r\n*2\r\n$4\r\nm118\r\n,2.5\r\n*2\r\n$4\r\nm147\r\n,2.5\r\n*2\r\n$4\r\nm167\r\n,2.5\r\n*2\r\n$4\r\nm169\r\n,2.5\r\n*2\r\n$4\r\nm179\r\n,2.5\r\n*2\r\n$4\r\nm186\r\n,2.5\r\n*2\r\n$4\r\nm195\r\n,2.5\r\n*2\r\n$4\r\nm003\r\n,3.5\r\n*2\r\n$4\r\nm001\r\n,7\r\n*2\r\n$4\r\nm007\r\n,7\r\n*2\r\n$4\r\nm009\r\n,7\r\n*2\r\n$4\r\nm029\r\n,7\r\n*2\r\n$4\r\nm035\r\n,7\r\n*2\r\n$4\r\nm039\r\n,7\r\n*2\r\n$4\r\nm054\r\n,7\r\n*2\r\n$4\r\nm057\r\n,7\r\n*2\r\n$4\r\nm059\r\n,7\r\n*2\r\n$4\r\nm064\r\n,7\r\n*2\r\n$4\r\nm068\r\n,7\r\n*2\r\n$4\r\nm069\r\n,7\r\n*2\r\n$4\r\nm072\r\n,7\r\n*2\r\n$4\r\nm090\r\n,7\r\n*2\r\n$4\r\nm091\r\n,7\r\n*2\r\n$4\r\nm094\r\n,7\r\n*2\r\n$4\r\nm105\r\n,7\r\n*2\r\n$4\r\nm111\r\n,7\r\n*2\r\n$4\r\nm124\r\n,7\r\n*2\r\n$4\r\nm127\r\n,7\r\n*2\r\n$4\r\nm141\r\n,7\r\n*2\r\n$4\r\nm145\r\n,7\r\n*2\r\n$4\r\nm146\r\n,7\r\n*2\r\n$4\r\nm153\r\n,7\r\n*2\r\n$4\r\nm157\r\n,7\r\n*2\r\n$4\r\nm164\r\n,7\r\n*2\r\n$4\r\nm165\r\n,7\r\n*2\r\n$4\r\nm172\r\n,7\r\n*2\r\n$4\r\nm178\r\n,7\r\n*2\r\n$4\r\nm190\r\n,7\r\n*2\r\n$4\r\nm199\r\n,7\r\n*2\r\n$4\r\nm005\r\n,100\r\n*2\r\n$4\r\nm006\r\n,1e+20\r\n*2\r\n$4\r\nm011\r\n,1e+20\r\n*2\r\n$4\r\nm016\r\n,1e+20\r\n*2\r\n$4\r\nm019\r\n,1e+20\r\n*2\r\n$4\r\nm034\r\n,1e+20\r\n*2\r\n$4\r\nm040\r\n,1e+20\r\n*2\r\n$4\r\nm046\r\n,1e+20\r\n*2\r\n$4\r\nm077\r\n,1e+20\r\n*2\r\n$4\r\nm078\r\n,1e+20\r\n*2\r\n$4\r\nm121\r\n,1e+20\r\n*2\r\n$4\r\nm150\r\n,1e+20\r\n*2\r\n$4\r\nm155\r\n,1e+20\r\n*2\r\n$4\r\nm162\r\n,1e+20\r\n*2\r\n$4\r\nm194\r\n,1e+20\r\n*2\r\n$4\r\nm004\r\n,inf\r\n*2\r\n$4\r\nm042\r\n,inf\r\n*2\r\n$4\r\nm055\r\n,inf\r\n*2\r\n$4\r\nm061\r\n,inf\r\n*2\r\n$4\r\nm066\r\n,inf\r\n*2\r\n$4\r\nm080\r\n,inf\r\n*2\r\n$4\r\nm095\r\n,inf\r\n*2\r\n$4\r\nm115\r\n,inf\r\n*2\r\n$4\r\nm116\r\n,inf\r\n*2\r\n$4\r\nm117\r\n,inf\r\n*2\r\n$4\r\nm138\r\n,inf\r\n*2\r\n$4\r\nm142\r\n,inf\r\n*2\r\n$4\r\nm149\r\n,inf\r\n*2\r\n$4\r\nm151\r\n,inf\r\n*2\r\n$4\r\nm152\r\n,inf\r\n*2\r\n$4\r\nm160\r\n,inf\r\n*2\r\n$4\r\nm166\r\n,inf\r\n*2\r\n$4\r\nm168\r\n,inf\r\n*2\r\n$4\r\nm170\r\n,inf\r\n*2\r\n$4\r\nm171\r\n,inf\r\n*2\r\n$4\r\nm185\r\n,inf\r\n*2\r\n$4\r\nm191\r\n,inf\r\n*2\r\n$4\r\nm192\r\n,inf\r\n*2\r\n$4\r\nm197\r\n,inf\r\n"),
    (&["zinter", "2", "big", "dst", "withscores", "aggregate", "max"], b"*302\r\n$4\r\nm020\r\n$4\r\n-inf\r\n$4\r\nm025\r\n$4\r\n-inf\r\n$4\r\nm036\r\n$4\r\n-inf\r\n$4\r\nm037\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n$4\r\nm051\r\n$4\r\n-inf\r\n$4\r\nm053\r\n$4\r\n-inf\r\n$4\r\nm058\r\n$4\r\n-inf\r\n$4\r\nm082\r\n$4\r\n-inf\r\n$4\r\nm086\r\n$4\r\n-inf\r\n$4\r\nm087\r\n$4\r\n-inf\r\n$4\r\nm093\r\n$4\r\n-inf\r\n$4\r\nm109\r\n$4\r\n-inf\r\n$4\r\nm119\r\n$4\r\n-inf\r\n$4\r\nm120\r\n$4\r\n-inf\r\n$4\r\nm123\r\n$4\r\n-inf\r\n$4\r\nm130\r\n$4\r\n-inf\r\n$4\r\nm133\r\n$4\r\n-inf\r\n$4\r\nm140\r\n$4\r\n-inf\r\n$4\r\nm144\r\n$4\r\n-inf\r\n$4\r\nm175\r\n$4\r\n-inf\r\n$4\r\nm187\r\n$4\r\n-inf\r\n$4\r\nm000\r\n$1\r\n0\r\n$4\r\nm012\r\n$1\r\n0\r\n$4\r\nm014\r\n$1\r\n0\r\n$4\r\nm015\r\n$1\r\n0\r\n$4\r\nm022\r\n$1\r\n0\r\n$4\r\nm031\r\n$1\r\n0\r\n$4\r\nm033\r\n$1\r\n0\r\n$4\r\nm047\r\n$1\r\n0\r\n$4\r\nm048\r\n$1\r\n0\r\n$4\r\nm050\r\n$1\r\n0\r\n$4\r\nm060\r\n$1\r\n0\r\n$4\r\nm063\r\n$1\r\n0\r\n$4\r\nm071\r\n$1\r\n0\r\n$4\r\nm073\r\n$1\r\n0\r\n$4\r\nm074\r\n$1\r\n0\r\n$4\r\nm085\r\n$1\r\n0\r\n$4\r\nm097\r\n$1\r\n0\r\n$4\r\nm099\r\n$1\r\n0\r\n$4\r\nm101\r\n$1\r\n0\r\n$4\r\nm108\r\n$1\r\n0\r\n$4\r\nm110\r\n$1\r\n0\r\n$4\r\nm112\r\n$1\r\n0\r\n$4\r\nm129\r\n$1\r\n0\r\n$4\r\nm131\r\n$2\r\n-0\r\n$4\r\nm132\r\n$1\r\n0\r\n$4\r\nm134\r\n$1\r\n0\r\n$4\r\nm136\r\n$1\r\n0\r\n$4\r\nm154\r\n$1\r\n0\r\n$4\r\nm161\r\n$1\r\n0\r\n$4\r\nm163\r\n$1\r\n0\r\n$4\r\nm173\r\n$1\r\n0\r\n$4\r\nm174\r\n$1\r\n0\r\n$4\r\nm180\r\n$1\r\n0\r\n$4\r\nm182\r\n$2\r\n-0\r\n$4\r\nm183\r\n$1\r\n0\r\n$4\r\nm184\r\n$2\r\n-0\r\n$4\r\nm193\r\n$2\r\n-0\r\n$4\r\nm198\r\n$2\r\n-0\r\n$4\r\nm002\r\n$19\r\n0.10000000000000001\r\n$4\r\nm013\r\n$19\r\n0.10000000000000001\r\n$4\r\nm017\r\n$19\r\n0.10000000000000001\r\n$4\r\nm018\r\n$19\r\n0.10000000000000001\r\n$4\r\nm024\r\n$19\r\n0.10000000000000001\r\n$4\r\nm052\r\n$19\r\n0.10000000000000001\r\n$4\r\nm056\r\n$19\r\n0.10000000000000001\r\n$4\r\nm067\r\n$19\r\n0.10000000000000001\r\n$4\r\nm096\r\n$19\r\n0.10000000000000001\r\n$4\r\nm098\r\n$19\r\n0.10000000000000001\r\n$4\r\nm106\r\n$19\r\n0.10000000000000001\r\n$4\r\nm122\r\n$19\r\n0.10000000000000001\r\n$4\r\nm125\r\n$19\r\n0.10000000000000001\r\n$4\r\nm128\r\n$19\r\n0.10000000000000001\r\n$4\r\nm135\r\n$19\r\n0.10000000000000001\r\n$4\r\nm137\r\n$19\r\n0.10000000000000001\r\n$4\r\nm181\r\n$19\r\n0.10000000000000001\r\n$4\r\nm010\r\n$1\r\n1\r\n$4\r\nm026\r\n$1\r\n1\r\n$4\r\nm030\r\n$1\r\n1\r\n$4\r\nm032\r\n$1\r\n1\r\n$4\r\nm044\r\n$1\r\n1\r\n$4\r\nm062\r\n$1\r\n1\r\n$4\r\nm084\r\n$1\r\n1\r\n$4\r\nm089\r\n$1\r\n1\r\n$4\r\nm092\r\n$1\r\n1\r\n$4\r\nm100\r\n$1\r\n1\r\n$4\r\nm102\r\n$1\r\n1\r\n$4\r\nm107\r\n$1\r\n1\r\n$4\r\nm114\r\n$1\r\n1\r\n$4\r\nm139\r\n$1\r\n1\r\n$4\r\nm143\r\n$1\r\n1\r\n$4\r\nm148\r\n$1\r\n1\r\n$4\r\nm156\r\n$1\r\n1\r\n$4\r\nm158\r\n$1\r\n1\r\n$4\r\nm159\r\n$1\r\n1\r\n$4\r\nm177\r\n$1\r\n1\r\n$4\r\nm008\r\n$1\r\n2\r\n$4\r\nm027\r\n$1\r\n2\r\n$4\r\nm043\r\n$1\r\n2\r\n$4\r\nm070\r\n$1\r\n2\r\n$4\r\nm075\r\n$1\r\n2\r\n$4\r\nm076\r\n$1\r\n2\r\n$4\r\nm079\r\n$1\r\n2\r\n$4\r\nm081\r\n$1\r\n2\r\n$4\r\nm088\r\n$1\r\n2\r\n$4\r\nm103\r\n$1\r\n2\r\n$4\r\nm104\r\n$1\r\n2\r\n$4\r\nm126\r\n$1\r\n2\r\n$4\r\nm176\r\n$1\r\n2\r\n$4\r\nm188\r\n$1\r\n2\r\n$4\r\nm189\r\n$1\r\n2\r\n$4\r\nm196\r\n$1\r\n2\r\n$4\r\nm021\r\n$3\r\n2.5\r\n$4\r\nm023\r\n$3\r\n2.5\r\n$4\r\nm028\r\n$3\r\n2.5\r\n$4\r\nm041\r\n$3\r\n2.5\r\n$4\r\nm045\r\n$3\r\n2.5\r\n$4\r\nm065\r\n$3\r\n2.5\r\n$4\r\nm083\r\n$3\r\n2.5\r\n$4\r\nm113\r\n$3\r\n2.5\r\n$4\r\nm118\r\n$3\r\n2.5\r\n$4\r\nm147\r\n$3\r\n2.5\r\n$4\r\nm167\r\n$3\r\n2.5\r\n$4\r\nm169\r\n$3\r\n2.5\r\n$4\r\nm179\r\n$3\r\n2.5\r\n$4\r\nm186\r\n$3\r\n2.5\r\n$4\r\nm195\r\n$3\r\n2.5\r\n$4\r\nm003\r\n$3\r\n3.5\r\n$4\r\nm001\r\n$1\r\n7\r\n$4\r\nm007\r\n$1\r\n7\r\n$4\r\nm009\r\n$1\r\n7\r\n$4\r\nm029\r\n$1\r\n7\r\n$4\r\nm035\r\n$1\r\n7\r\n$4\r\nm039\r\n$1\r\n7\r\n$4\r\nm054\r\n$1\r\n7\r\n$4\r\nm057\r\n$1\r\n7\r\n$4\r\nm059\r\n$1\r\n7\r\n$4\r\nm064\r\n$1\r\n7\r\n$4\r\nm068\r\n$1\r\n7\r\n$4\r\nm069\r\n$1\r\n7\r\n$4\r\nm072\r\n$1\r\n7\r\n$4\r\nm090\r\n$1\r\n7\r\n$4\r\nm091\r\n$1\r\n7\r\n$4\r\nm094\r\n$1\r\n7\r\n$4\r\nm105\r\n$1\r\n7\r\n$4\r\nm111\r\n$1\r\n7\r\n$4\r\nm124\r\n$1\r\n7\r\n$4\r\nm127\r\n$1\r\n7\r\n$4\r\nm141\r\n$1\r\n7\r\n", b"*151\r\n*2\r\n$4\r\nm020\r\n,-inf\r\n*2\r\n$4\r\nm025\r\n,-inf\r\n*2\r\n$4\r\nm036\r\n,-inf\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n*2\r\n$4\r\nm051\r\n,-inf\r\n*2\r\n$4\r\nm053\r\n,-inf\r\n*2\r\n$4\r\nm058\r\n,-inf\r\n*2\r\n$4\r\nm082\r\n,-inf\r\n*2\r\n$4\r\nm086\r\n,-inf\r\n*2\r\n$4\r\nm087\r\n,-inf\r\n*2\r\n$4\r\nm093\r\n,-inf\r\n*2\r\n$4\r\nm109\r\n,-inf\r\n*2\r\n$4\r\nm119\r\n,-inf\r\n*2\r\n$4\r\nm120\r\n,-inf\r\n*2\r\n$4\r\nm123\r\n,-inf\r\n*2\r\n$4\r\nm130\r\n,-inf\r\n*2\r\n$4\r\nm133\r\n,-inf\r\n*2\r\n$4\r\nm140\r\n,-inf\r\n*2\r\n$4\r\nm144\r\n,-inf\r\n*2\r\n$4\r\nm175\r\n,-inf\r\n*2\r\n$4\r\nm187\r\n,-inf\r\n*2\r\n$4\r\nm000\r\n,0\r\n*2\r\n$4\r\nm012\r\n,0\r\n*2\r\n$4\r\nm014\r\n,0\r\n*2\r\n$4\r\nm015\r\n,0\r\n*2\r\n$4\r\nm022\r\n,0\r\n*2\r\n$4\r\nm031\r\n,0\r\n*2\r\n$4\r\nm033\r\n,0\r\n*2\r\n$4\r\nm047\r\n,0\r\n*2\r\n$4\r\nm048\r\n,0\r\n*2\r\n$4\r\nm050\r\n,0\r\n*2\r\n$4\r\nm060\r\n,0\r\n*2\r\n$4\r\nm063\r\n,0\r\n*2\r\n$4\r\nm071\r\n,0\r\n*2\r\n$4\r\nm073\r\n,0\r\n*2\r\n$4\r\nm074\r\n,0\r\n*2\r\n$4\r\nm085\r\n,0\r\n*2\r\n$4\r\nm097\r\n,0\r\n*2\r\n$4\r\nm099\r\n,0\r\n*2\r\n$4\r\nm101\r\n,0\r\n*2\r\n$4\r\nm108\r\n,0\r\n*2\r\n$4\r\nm110\r\n,0\r\n*2\r\n$4\r\nm112\r\n,0\r\n*2\r\n$4\r\nm129\r\n,0\r\n*2\r\n$4\r\nm131\r\n,-0\r\n*2\r\n$4\r\nm132\r\n,0\r\n*2\r\n$4\r\nm134\r\n,0\r\n*2\r\n$4\r\nm136\r\n,0\r\n*2\r\n$4\r\nm154\r\n,0\r\n*2\r\n$4\r\nm161\r\n,0\r\n*2\r\n$4\r\nm163\r\n,0\r\n*2\r\n$4\r\nm173\r\n,0\r\n*2\r\n$4\r\nm174\r\n,0\r\n*2\r\n$4\r\nm180\r\n,0\r\n*2\r\n$4\r\nm182\r\n,-0\r\n*2\r\n$4\r\nm183\r\n,0\r\n*2\r\n$4\r\nm184\r\n,-0\r\n*2\r\n$4\r\nm193\r\n,-0\r\n*2\r\n$4\r\nm198\r\n,-0\r\n*2\r\n$4\r\nm002\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm013\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm017\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm018\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm024\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm052\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm056\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm067\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm096\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm098\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm106\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm122\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm125\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm128\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm135\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm137\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm181\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm010\r\n,1\r\n*2\r\n$4\r\nm026\r\n,1\r\n*2\r\n$4\r\nm030\r\n,1\r\n*2\r\n$4\r\nm032\r\n,1\r\n*2\r\n$4\r\nm044\r\n,1\r\n*2\r\n$4\r\nm062\r\n,1\r\n*2\r\n$4\r\nm084\r\n,1\r\n*2\r\n$4\r\nm089\r\n,1\r\n*2\r\n$4\r\nm092\r\n,1\r\n*2\r\n$4\r\nm100\r\n,1\r\n*2\r\n$4\r\nm102\r\n,1\r\n*2\r\n$4\r\nm107\r\n,1\r\n*2\r\n$4\r\nm114\r\n,1\r\n*2\r\n$4\r\nm139\r\n,1\r\n*2\r\n$4\r\nm143\r\n,1\r\n*2\r\n$4\r\nm148\r\n,1\r\n*2\r\n$4\r\nm156\r\n,1\r\n*2\r\n$4\r\nm158\r\n,1\r\n*2\r\n$4\r\nm159\r\n,1\r\n*2\r\n$4\r\nm177\r\n,1\r\n*2\r\n$4\r\nm008\r\n,2\r\n*2\r\n$4\r\nm027\r\n,2\r\n*2\r\n$4\r\nm043\r\n,2\r\n*2\r\n$4\r\nm070\r\n,2\r\n*2\r\n$4\r\nm075\r\n,2\r\n*2\r\n$4\r\nm076\r\n,2\r\n*2\r\n$4\r\nm079\r\n,2\r\n*2\r\n$4\r\nm081\r\n,2\r\n*2\r\n$4\r\nm088\r\n,2\r\n*2\r\n$4\r\nm103\r\n,2\r\n*2\r\n$4\r\nm104\r\n,2\r\n*2\r\n$4\r\nm126\r\n,2\r\n*2\r\n$4\r\nm176\r\n,2\r\n*2\r\n$4\r\nm188\r\n,2\r\n*2\r\n$4\r\nm189\r\n,2\r\n*2\r\n$4\r\nm196\r\n,2\r\n*2\r\n$4\r\nm021\r\n,2.5\r\n*2\r\n$4\r\nm023\r\n,2.5\r\n*2\r\n$4\r\nm028\r\n,2.5\r\n*2\r\n$4\r\nm041\r\n,2.5\r\n*2\r\n$4\r\nm045\r\n,2.5\r\n*2\r\n$4\r\nm065\r\n,2.5\r\n*2\r\n$4\r\nm083\r\n,2.5\r\n*2\r\n$4\r\nm113\r\n,2.5\r\n*2\r\n$4\r\nm118\r\n,2.5\r\n*2\r\n$4\r\nm147\r\n,2.5\r\n*2\r\n$4\r\nm167\r\n,2.5\r\n*2\r\n$4\r\nm169\r\n,2.5\r\n*2\r\n$4\r\nm179\r\n,2.5\r\n*2\r\n$4\r\nm186\r\n,2.5\r\n*2\r\n$4\r\nm195\r\n,2.5\r\n*2\r\n$4\r\nm003\r\n,3.5\r\n*2\r\n$4\r\nm001\r\n,7\r\n*2\r\n$4\r\nm007\r\n,7\r\n*2\r\n$4\r\nm009\r\n,7\r\n*2\r\n$4\r\nm029\r\n,7\r\n*2\r\n$4\r\nm035\r\n,7\r\n*2\r\n$4\r\nm039\r\n,7\r\n*2\r\n$4\r\nm054\r\n,7\r\n*2\r\n$4\r\nm057\r\n,7\r\n*2\r\n$4\r\nm059\r\n,7\r\n*2\r\n$4\r\nm064\r\n,7\r\n*2\r\n$4\r\nm068\r\n,7\r\n*2\r\n$4\r\nm069\r\n,7\r\n*2\r\n$4\r\nm072\r\n,7\r\n*2\r\n$4\r\nm090\r\n,7\r\n*2\r\n$4\r\nm091\r\n,7\r\n*2\r\n$4\r\nm094\r\n,7\r\n*2\r\n$4\r\nm105\r\n,7\r\n*2\r\n$4\r\nm111\r\n,7\r\n*2\r\n$4\r\nm124\r\n,7\r\n*2\r\n$4\r\nm127\r\n,7\r\n*2\r\n$4\r\nm141\r\n,7\r\n"),
    (&["zdiffstore", "u", "2", "big", "dst"], b":49\r\n", b":49\r\n"),
    (&["zrange", "u", "0", "-1", "withscores"], b"*98\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm005\r\n$3\r\n100\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*49\r\n*2\r\n$4\r\nm145\r\n,7\r\n*2\r\n$4\r\nm146\r\n,7\r\n*2\r\n$4\r\nm153\r\n,7\r\n*2\r\n$4\r\nm157\r\n,7\r\n*2\r\n$4\r\nm164\r\n,7\r\n*2\r\n$4\r\nm165\r\n,7\r\n*2\r\n$4\r\nm172\r\n,7\r\n*2\r\n$4\r\nm178\r\n,7\r\n*2\r\n$4\r\nm190\r\n,7\r\n*2\r\n$4\r\nm199\r\n,7\r\n*2\r\n$4\r\nm005\r\n,100\r\n*2\r\n$4\r\nm006\r\n,1e+20\r\n*2\r\n$4\r\nm011\r\n,1e+20\r\n*2\r\n$4\r\nm016\r\n,1e+20\r\n*2\r\n$4\r\nm019\r\n,1e+20\r\n*2\r\n$4\r\nm034\r\n,1e+20\r\n*2\r\n$4\r\nm040\r\n,1e+20\r\n*2\r\n$4\r\nm046\r\n,1e+20\r\n*2\r\n$4\r\nm077\r\n,1e+20\r\n*2\r\n$4\r\nm078\r\n,1e+20\r\n*2\r\n$4\r\nm121\r\n,1e+20\r\n*2\r\n$4\r\nm150\r\n,1e+20\r\n*2\r\n$4\r\nm155\r\n,1e+20\r\n*2\r\n$4\r\nm162\r\n,1e+20\r\n*2\r\n$4\r\nm194\r\n,1e+20\r\n*2\r\n$4\r\nm004\r\n,inf\r\n*2\r\n$4\r\nm042\r\n,inf\r\n*2\r\n$4\r\nm055\r\n,inf\r\n*2\r\n$4\r\nm061\r\n,inf\r\n*2\r\n$4\r\nm066\r\n,inf\r\n*2\r\n$4\r\nm080\r\n,inf\r\n*2\r\n$4\r\nm095\r\n,inf\r\n*2\r\n$4\r\nm115\r\n,inf\r\n*2\r\n$4\r\nm116\r\n,inf\r\n*2\r\n$4\r\nm117\r\n,inf\r\n*2\r\n$4\r\nm138\r\n,inf\r\n*2\r\n$4\r\nm142\r\n,inf\r\n*2\r\n$4\r\nm149\r\n,inf\r\n*2\r\n$4\r\nm151\r\n,inf\r\n*2\r\n$4\r\nm152\r\n,inf\r\n*2\r\n$4\r\nm160\r\n,inf\r\n*2\r\n$4\r\nm166\r\n,inf\r\n*2\r\n$4\r\nm168\r\n,inf\r\n*2\r\n$4\r\nm170\r\n,inf\r\n*2\r\n$4\r\nm171\r\n,inf\r\n*2\r\n$4\r\nm185\r\n,inf\r\n*2\r\n$4\r\nm191\r\n,inf\r\n*2\r\n$4\r\nm192\r\n,inf\r\n*2\r\n$4\r\nm197\r\n,inf\r\n"),
    (&["zscan", "u", "0"], b"*2\r\n$1\r\n0\r\n*98\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm005\r\n$3\r\n100\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*2\r\n$1\r\n0\r\n*98\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm005\r\n$3\r\n100\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm191\r\n$3\r\ninf\r\n$4\r\nm192\r\n$3\r\ninf\r\n$4\r\nm197\r\n$3\r\ninf\r\n"),
    (&["zpopmin", "big", "3"], b"*6\r\n$4\r\nm020\r\n$4\r\n-inf\r\n$4\r\nm025\r\n$4\r\n-inf\r\n$4\r\nm036\r\n$4\r\n-inf\r\n", b"*3\r\n*2\r\n$4\r\nm020\r\n,-inf\r\n*2\r\n$4\r\nm025\r\n,-inf\r\n*2\r\n$4\r\nm036\r\n,-inf\r\n"),
    (&["zpopmax", "big"], b"*2\r\n$4\r\nm197\r\n$3\r\ninf\r\n", b"*2\r\n$4\r\nm197\r\n,inf\r\n"),
    (&["zmpop", "1", "big", "max", "count", "2"], b"*2\r\n$3\r\nbig\r\n*2\r\n*2\r\n$4\r\nm192\r\n$3\r\ninf\r\n*2\r\n$4\r\nm191\r\n$3\r\ninf\r\n", b"*2\r\n$3\r\nbig\r\n*2\r\n*2\r\n$4\r\nm192\r\n,inf\r\n*2\r\n$4\r\nm191\r\n,inf\r\n"),
    (&["zremrangebyrank", "big", "10", "20"], b":11\r\n", b":11\r\n"),
    (&["zremrangebyscore", "big", "2", "2.5"], b":31\r\n", b":31\r\n"),
    (&["zrange", "big", "0", "-1", "withscores"], b"*304\r\n$4\r\nm037\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n$4\r\nm051\r\n$4\r\n-inf\r\n$4\r\nm053\r\n$4\r\n-inf\r\n$4\r\nm058\r\n$4\r\n-inf\r\n$4\r\nm082\r\n$4\r\n-inf\r\n$4\r\nm086\r\n$4\r\n-inf\r\n$4\r\nm087\r\n$4\r\n-inf\r\n$4\r\nm093\r\n$4\r\n-inf\r\n$4\r\nm012\r\n$1\r\n0\r\n$4\r\nm014\r\n$1\r\n0\r\n$4\r\nm015\r\n$1\r\n0\r\n$4\r\nm022\r\n$1\r\n0\r\n$4\r\nm031\r\n$1\r\n0\r\n$4\r\nm033\r\n$1\r\n0\r\n$4\r\nm047\r\n$1\r\n0\r\n$4\r\nm048\r\n$1\r\n0\r\n$4\r\nm050\r\n$1\r\n0\r\n$4\r\nm060\r\n$1\r\n0\r\n$4\r\nm063\r\n$1\r\n0\r\n$4\r\nm071\r\n$1\r\n0\r\n$4\r\nm073\r\n$1\r\n0\r\n$4\r\nm074\r\n$1\r\n0\r\n$4\r\nm085\r\n$1\r\n0\r\n$4\r\nm097\r\n$1\r\n0\r\n$4\r\nm099\r\n$1\r\n0\r\n$4\r\nm101\r\n$1\r\n0\r\n$4\r\nm108\r\n$1\r\n0\r\n$4\r\nm110\r\n$1\r\n0\r\n$4\r\nm112\r\n$1\r\n0\r\n$4\r\nm129\r\n$1\r\n0\r\n$4\r\nm131\r\n$2\r\n-0\r\n$4\r\nm132\r\n$1\r\n0\r\n$4\r\nm134\r\n$1\r\n0\r\n$4\r\nm136\r\n$1\r\n0\r\n$4\r\nm154\r\n$1\r\n0\r\n$4\r\nm161\r\n$1\r\n0\r\n$4\r\nm163\r\n$1\r\n0\r\n$4\r\nm173\r\n$1\r\n0\r\n$4\r\nm174\r\n$1\r\n0\r\n$4\r\nm180\r\n$1\r\n0\r\n$4\r\nm182\r\n$2\r\n-0\r\n$4\r\nm183\r\n$1\r\n0\r\n$4\r\nm184\r\n$2\r\n-0\r\n$4\r\nm193\r\n$2\r\n-0\r\n$4\r\nm198\r\n$2\r\n-0\r\n$4\r\nm002\r\n$19\r\n0.10000000000000001\r\n$4\r\nm013\r\n$19\r\n0.10000000000000001\r\n$4\r\nm017\r\n$19\r\n0.10000000000000001\r\n$4\r\nm018\r\n$19\r\n0.10000000000000001\r\n$4\r\nm024\r\n$19\r\n0.10000000000000001\r\n$4\r\nm052\r\n$19\r\n0.10000000000000001\r\n$4\r\nm056\r\n$19\r\n0.10000000000000001\r\n$4\r\nm067\r\n$19\r\n0.10000000000000001\r\n$4\r\nm096\r\n$19\r\n0.10000000000000001\r\n$4\r\nm098\r\n$19\r\n0.10000000000000001\r\n$4\r\nm106\r\n$19\r\n0.10000000000000001\r\n$4\r\nm122\r\n$19\r\n0.10000000000000001\r\n$4\r\nm125\r\n$19\r\n0.10000000000000001\r\n$4\r\nm128\r\n$19\r\n0.10000000000000001\r\n$4\r\nm135\r\n$19\r\n0.10000000000000001\r\n$4\r\nm137\r\n$19\r\n0.10000000000000001\r\n$4\r\nm181\r\n$19\r\n0.10000000000000001\r\n$4\r\nm010\r\n$1\r\n1\r\n$4\r\nm026\r\n$1\r\n1\r\n$4\r\nm030\r\n$1\r\n1\r\n$4\r\nm032\r\n$1\r\n1\r\n$4\r\nm044\r\n$1\r\n1\r\n$4\r\nm062\r\n$1\r\n1\r\n$4\r\nm084\r\n$1\r\n1\r\n$4\r\nm089\r\n$1\r\n1\r\n$4\r\nm092\r\n$1\r\n1\r\n$4\r\nm100\r\n$1\r\n1\r\n$4\r\nm102\r\n$1\r\n1\r\n$4\r\nm107\r\n$1\r\n1\r\n$4\r\nm114\r\n$1\r\n1\r\n$4\r\nm139\r\n$1\r\n1\r\n$4\r\nm143\r\n$1\r\n1\r\n$4\r\nm148\r\n$1\r\n1\r\n$4\r\nm156\r\n$1\r\n1\r\n$4\r\nm158\r\n$1\r\n1\r\n$4\r\nm159\r\n$1\r\n1\r\n$4\r\nm177\r\n$1\r\n1\r\n$4\r\nm003\r\n$3\r\n3.5\r\n$4\r\nm001\r\n$1\r\n7\r\n$4\r\nm007\r\n$1\r\n7\r\n$4\r\nm009\r\n$1\r\n7\r\n$4\r\nm029\r\n$1\r\n7\r\n$4\r\nm035\r\n$1\r\n7\r\n$4\r\nm039\r\n$1\r\n7\r\n$4\r\nm054\r\n$1\r\n7\r\n$4\r\nm057\r\n$1\r\n7\r\n$4\r\nm059\r\n$1\r\n7\r\n$4\r\nm064\r\n$1\r\n7\r\n$4\r\nm068\r\n$1\r\n7\r\n$4\r\nm069\r\n$1\r\n7\r\n$4\r\nm072\r\n$1\r\n7\r\n$4\r\nm090\r\n$1\r\n7\r\n$4\r\nm091\r\n$1\r\n7\r\n$4\r\nm094\r\n$1\r\n7\r\n$4\r\nm105\r\n$1\r\n7\r\n$4\r\nm111\r\n$1\r\n7\r\n$4\r\nm124\r\n$1\r\n7\r\n$4\r\nm127\r\n$1\r\n7\r\n$4\r\nm141\r\n$1\r\n7\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm005\r\n$3\r\n100\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm185\r\n$3\r\ninf\r\n", b"*152\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n*2\r\n$4\r\nm051\r\n,-inf\r\n*2\r\n$4\r\nm053\r\n,-inf\r\n*2\r\n$4\r\nm058\r\n,-inf\r\n*2\r\n$4\r\nm082\r\n,-inf\r\n*2\r\n$4\r\nm086\r\n,-inf\r\n*2\r\n$4\r\nm087\r\n,-inf\r\n*2\r\n$4\r\nm093\r\n,-inf\r\n*2\r\n$4\r\nm012\r\n,0\r\n*2\r\n$4\r\nm014\r\n,0\r\n*2\r\n$4\r\nm015\r\n,0\r\n*2\r\n$4\r\nm022\r\n,0\r\n*2\r\n$4\r\nm031\r\n,0\r\n*2\r\n$4\r\nm033\r\n,0\r\n*2\r\n$4\r\nm047\r\n,0\r\n*2\r\n$4\r\nm048\r\n,0\r\n*2\r\n$4\r\nm050\r\n,0\r\n*2\r\n$4\r\nm060\r\n,0\r\n*2\r\n$4\r\nm063\r\n,0\r\n*2\r\n$4\r\nm071\r\n,0\r\n*2\r\n$4\r\nm073\r\n,0\r\n*2\r\n$4\r\nm074\r\n,0\r\n*2\r\n$4\r\nm085\r\n,0\r\n*2\r\n$4\r\nm097\r\n,0\r\n*2\r\n$4\r\nm099\r\n,0\r\n*2\r\n$4\r\nm101\r\n,0\r\n*2\r\n$4\r\nm108\r\n,0\r\n*2\r\n$4\r\nm110\r\n,0\r\n*2\r\n$4\r\nm112\r\n,0\r\n*2\r\n$4\r\nm129\r\n,0\r\n*2\r\n$4\r\nm131\r\n,-0\r\n*2\r\n$4\r\nm132\r\n,0\r\n*2\r\n$4\r\nm134\r\n,0\r\n*2\r\n$4\r\nm136\r\n,0\r\n*2\r\n$4\r\nm154\r\n,0\r\n*2\r\n$4\r\nm161\r\n,0\r\n*2\r\n$4\r\nm163\r\n,0\r\n*2\r\n$4\r\nm173\r\n,0\r\n*2\r\n$4\r\nm174\r\n,0\r\n*2\r\n$4\r\nm180\r\n,0\r\n*2\r\n$4\r\nm182\r\n,-0\r\n*2\r\n$4\r\nm183\r\n,0\r\n*2\r\n$4\r\nm184\r\n,-0\r\n*2\r\n$4\r\nm193\r\n,-0\r\n*2\r\n$4\r\nm198\r\n,-0\r\n*2\r\n$4\r\nm002\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm013\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm017\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm018\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm024\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm052\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm056\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm067\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm096\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm098\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm106\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm122\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm125\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm128\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm135\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm137\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm181\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm010\r\n,1\r\n*2\r\n$4\r\nm026\r\n,1\r\n*2\r\n$4\r\nm030\r\n,1\r\n*2\r\n$4\r\nm032\r\n,1\r\n*2\r\n$4\r\nm044\r\n,1\r\n*2\r\n$4\r\nm062\r\n,1\r\n*2\r\n$4\r\nm084\r\n,1\r\n*2\r\n$4\r\nm089\r\n,1\r\n*2\r\n$4\r\nm092\r\n,1\r\n*2\r\n$4\r\nm100\r\n,1\r\n*2\r\n$4\r\nm102\r\n,1\r\n*2\r\n$4\r\nm107\r\n,1\r\n*2\r\n$4\r\nm114\r\n,1\r\n*2\r\n$4\r\nm139\r\n,1\r\n*2\r\n$4\r\nm143\r\n,1\r\n*2\r\n$4\r\nm148\r\n,1\r\n*2\r\n$4\r\nm156\r\n,1\r\n*2\r\n$4\r\nm158\r\n,1\r\n*2\r\n$4\r\nm159\r\n,1\r\n*2\r\n$4\r\nm177\r\n,1\r\n*2\r\n$4\r\nm003\r\n,3.5\r\n*2\r\n$4\r\nm001\r\n,7\r\n*2\r\n$4\r\nm007\r\n,7\r\n*2\r\n$4\r\nm009\r\n,7\r\n*2\r\n$4\r\nm029\r\n,7\r\n*2\r\n$4\r\nm035\r\n,7\r\n*2\r\n$4\r\nm039\r\n,7\r\n*2\r\n$4\r\nm054\r\n,7\r\n*2\r\n$4\r\nm057\r\n,7\r\n*2\r\n$4\r\nm059\r\n,7\r\n*2\r\n$4\r\nm064\r\n,7\r\n*2\r\n$4\r\nm068\r\n,7\r\n*2\r\n$4\r\nm069\r\n,7\r\n*2\r\n$4\r\nm072\r\n,7\r\n*2\r\n$4\r\nm090\r\n,7\r\n*2\r\n$4\r\nm091\r\n,7\r\n*2\r\n$4\r\nm094\r\n,7\r\n*2\r\n$4\r\nm105\r\n,7\r\n*2\r\n$4\r\nm111\r\n,7\r\n*2\r\n$4\r\nm124\r\n,7\r\n*2\r\n$4\r\nm127\r\n,7\r\n*2\r\n$4\r\nm141\r\n,7\r\n*2\r\n$4\r\nm145\r\n,7\r\n*2\r\n$4\r\nm146\r\n,7\r\n*2\r\n$4\r\nm153\r\n,7\r\n*2\r\n$4\r\nm157\r\n,7\r\n*2\r\n$4\r\nm164\r\n,7\r\n*2\r\n$4\r\nm165\r\n,7\r\n*2\r\n$4\r\nm172\r\n,7\r\n*2\r\n$4\r\nm178\r\n,7\r\n*2\r\n$4\r\nm190\r\n,7\r\n*2\r\n$4\r\nm199\r\n,7\r\n*2\r\n$4\r\nm005\r\n,100\r\n*2\r\n$4\r\nm006\r\n,1e+20\r\n*2\r\n$4\r\nm011\r\n,1e+20\r\n*2\r\n$4\r\nm016\r\n,1e+20\r\n*2\r\n$4\r\nm019\r\n,1e+20\r\n*2\r\n$4\r\nm034\r\n,1e+20\r\n*2\r\n$4\r\nm040\r\n,1e+20\r\n*2\r\n$4\r\nm046\r\n,1e+20\r\n*2\r\n$4\r\nm077\r\n,1e+20\r\n*2\r\n$4\r\nm078\r\n,1e+20\r\n*2\r\n$4\r\nm121\r\n,1e+20\r\n*2\r\n$4\r\nm150\r\n,1e+20\r\n*2\r\n$4\r\nm155\r\n,1e+20\r\n*2\r\n$4\r\nm162\r\n,1e+20\r\n*2\r\n$4\r\nm194\r\n,1e+20\r\n*2\r\n$4\r\nm004\r\n,inf\r\n*2\r\n$4\r\nm042\r\n,inf\r\n*2\r\n$4\r\nm055\r\n,inf\r\n*2\r\n$4\r\nm061\r\n,inf\r\n*2\r\n$4\r\nm066\r\n,inf\r\n*2\r\n$4\r\nm080\r\n,inf\r\n*2\r\n$4\r\nm095\r\n,inf\r\n*2\r\n$4\r\nm115\r\n,inf\r\n*2\r\n$4\r\nm116\r\n,inf\r\n*2\r\n$4\r\nm117\r\n,inf\r\n*2\r\n$4\r\nm138\r\n,inf\r\n*2\r\n$4\r\nm142\r\n,inf\r\n*2\r\n$4\r\nm149\r\n,inf\r\n*2\r\n$4\r\nm151\r\n,inf\r\n*2\r\n$4\r\nm152\r\n,inf\r\n*2\r\n$4\r\nm160\r\n,inf\r\n*2\r\n$4\r\nm166\r\n,inf\r\n*2\r\n$4\r\nm168\r\n,inf\r\n*2\r\n$4\r\nm170\r\n,inf\r\n*2\r\n$4\r\nm171\r\n,inf\r\n*2\r\n$4\r\nm185\r\n,inf\r\n"),
    (&["zrem", "big", "m100", "m101", "m102"], b":3\r\n", b":3\r\n"),
    (&["zcard", "big"], b":149\r\n", b":149\r\n"),
    (&["zrandmember", "big", "500", "withscores"], b"*298\r\n$4\r\nm185\r\n$3\r\ninf\r\n$4\r\nm171\r\n$3\r\ninf\r\n$4\r\nm170\r\n$3\r\ninf\r\n$4\r\nm168\r\n$3\r\ninf\r\n$4\r\nm166\r\n$3\r\ninf\r\n$4\r\nm160\r\n$3\r\ninf\r\n$4\r\nm152\r\n$3\r\ninf\r\n$4\r\nm151\r\n$3\r\ninf\r\n$4\r\nm149\r\n$3\r\ninf\r\n$4\r\nm142\r\n$3\r\ninf\r\n$4\r\nm138\r\n$3\r\ninf\r\n$4\r\nm117\r\n$3\r\ninf\r\n$4\r\nm116\r\n$3\r\ninf\r\n$4\r\nm115\r\n$3\r\ninf\r\n$4\r\nm095\r\n$3\r\ninf\r\n$4\r\nm080\r\n$3\r\ninf\r\n$4\r\nm066\r\n$3\r\ninf\r\n$4\r\nm061\r\n$3\r\ninf\r\n$4\r\nm055\r\n$3\r\ninf\r\n$4\r\nm042\r\n$3\r\ninf\r\n$4\r\nm004\r\n$3\r\ninf\r\n$4\r\nm194\r\n$5\r\n1e+20\r\n$4\r\nm162\r\n$5\r\n1e+20\r\n$4\r\nm155\r\n$5\r\n1e+20\r\n$4\r\nm150\r\n$5\r\n1e+20\r\n$4\r\nm121\r\n$5\r\n1e+20\r\n$4\r\nm078\r\n$5\r\n1e+20\r\n$4\r\nm077\r\n$5\r\n1e+20\r\n$4\r\nm046\r\n$5\r\n1e+20\r\n$4\r\nm040\r\n$5\r\n1e+20\r\n$4\r\nm034\r\n$5\r\n1e+20\r\n$4\r\nm019\r\n$5\r\n1e+20\r\n$4\r\nm016\r\n$5\r\n1e+20\r\n$4\r\nm011\r\n$5\r\n1e+20\r\n$4\r\nm006\r\n$5\r\n1e+20\r\n$4\r\nm005\r\n$3\r\n100\r\n$4\r\nm199\r\n$1\r\n7\r\n$4\r\nm190\r\n$1\r\n7\r\n$4\r\nm178\r\n$1\r\n7\r\n$4\r\nm172\r\n$1\r\n7\r\n$4\r\nm165\r\n$1\r\n7\r\n$4\r\nm164\r\n$1\r\n7\r\n$4\r\nm157\r\n$1\r\n7\r\n$4\r\nm153\r\n$1\r\n7\r\n$4\r\nm146\r\n$1\r\n7\r\n$4\r\nm145\r\n$1\r\n7\r\n$4\r\nm141\r\n$1\r\n7\r\n$4\r\nm127\r\n$1\r\n7\r\n$4\r\nm124\r\n$1\r\n7\r\n$4\r\nm111\r\n$1\r\n7\r\n$4\r\nm105\r\n$1\r\n7\r\n$4\r\nm094\r\n$1\r\n7\r\n$4\r\nm091\r\n$1\r\n7\r\n$4\r\nm090\r\n$1\r\n7\r\n$4\r\nm072\r\n$1\r\n7\r\n$4\r\nm069\r\n$1\r\n7\r\n$4\r\nm068\r\n$1\r\n7\r\n$4\r\nm064\r\n$1\r\n7\r\n$4\r\nm059\r\n$1\r\n7\r\n$4\r\nm057\r\n$1\r\n7\r\n$4\r\nm054\r\n$1\r\n7\r\n$4\r\nm039\r\n$1\r\n7\r\n$4\r\nm035\r\n$1\r\n7\r\n$4\r\nm029\r\n$1\r\n7\r\n$4\r\nm009\r\n$1\r\n7\r\n$4\r\nm007\r\n$1\r\n7\r\n$4\r\nm001\r\n$1\r\n7\r\n$4\r\nm003\r\n$3\r\n3.5\r\n$4\r\nm177\r\n$1\r\n1\r\n$4\r\nm159\r\n$1\r\n1\r\n$4\r\nm158\r\n$1\r\n1\r\n$4\r\nm156\r\n$1\r\n1\r\n$4\r\nm148\r\n$1\r\n1\r\n$4\r\nm143\r\n$1\r\n1\r\n$4\r\nm139\r\n$1\r\n1\r\n$4\r\nm114\r\n$1\r\n1\r\n$4\r\nm107\r\n$1\r\n1\r\n$4\r\nm092\r\n$1\r\n1\r\n$4\r\nm089\r\n$1\r\n1\r\n$4\r\nm084\r\n$1\r\n1\r\n$4\r\nm062\r\n$1\r\n1\r\n$4\r\nm044\r\n$1\r\n1\r\n$4\r\nm032\r\n$1\r\n1\r\n$4\r\nm030\r\n$1\r\n1\r\n$4\r\nm026\r\n$1\r\n1\r\n$4\r\nm010\r\n$1\r\n1\r\n$4\r\nm181\r\n$19\r\n0.10000000000000001\r\n$4\r\nm137\r\n$19\r\n0.10000000000000001\r\n$4\r\nm135\r\n$19\r\n0.10000000000000001\r\n$4\r\nm128\r\n$19\r\n0.10000000000000001\r\n$4\r\nm125\r\n$19\r\n0.10000000000000001\r\n$4\r\nm122\r\n$19\r\n0.10000000000000001\r\n$4\r\nm106\r\n$19\r\n0.10000000000000001\r\n$4\r\nm098\r\n$19\r\n0.10000000000000001\r\n$4\r\nm096\r\n$19\r\n0.10000000000000001\r\n$4\r\nm067\r\n$19\r\n0.10000000000000001\r\n$4\r\nm056\r\n$19\r\n0.10000000000000001\r\n$4\r\nm052\r\n$19\r\n0.10000000000000001\r\n$4\r\nm024\r\n$19\r\n0.10000000000000001\r\n$4\r\nm018\r\n$19\r\n0.10000000000000001\r\n$4\r\nm017\r\n$19\r\n0.10000000000000001\r\n$4\r\nm013\r\n$19\r\n0.10000000000000001\r\n$4\r\nm002\r\n$19\r\n0.10000000000000001\r\n$4\r\nm198\r\n$2\r\n-0\r\n$4\r\nm193\r\n$2\r\n-0\r\n$4\r\nm184\r\n$2\r\n-0\r\n$4\r\nm183\r\n$1\r\n0\r\n$4\r\nm182\r\n$2\r\n-0\r\n$4\r\nm180\r\n$1\r\n0\r\n$4\r\nm174\r\n$1\r\n0\r\n$4\r\nm173\r\n$1\r\n0\r\n$4\r\nm163\r\n$1\r\n0\r\n$4\r\nm161\r\n$1\r\n0\r\n$4\r\nm154\r\n$1\r\n0\r\n$4\r\nm136\r\n$1\r\n0\r\n$4\r\nm134\r\n$1\r\n0\r\n$4\r\nm132\r\n$1\r\n0\r\n$4\r\nm131\r\n$2\r\n-0\r\n$4\r\nm129\r\n$1\r\n0\r\n$4\r\nm112\r\n$1\r\n0\r\n$4\r\nm110\r\n$1\r\n0\r\n$4\r\nm108\r\n$1\r\n0\r\n$4\r\nm099\r\n$1\r\n0\r\n$4\r\nm097\r\n$1\r\n0\r\n$4\r\nm085\r\n$1\r\n0\r\n$4\r\nm074\r\n$1\r\n0\r\n$4\r\nm073\r\n$1\r\n0\r\n$4\r\nm071\r\n$1\r\n0\r\n$4\r\nm063\r\n$1\r\n0\r\n$4\r\nm060\r\n$1\r\n0\r\n$4\r\nm050\r\n$1\r\n0\r\n$4\r\nm048\r\n$1\r\n0\r\n$4\r\nm047\r\n$1\r\n0\r\n$4\r\nm033\r\n$1\r\n0\r\n$4\r\nm031\r\n$1\r\n0\r\n$4\r\nm022\r\n$1\r\n0\r\n$4\r\nm015\r\n$1\r\n0\r\n$4\r\nm014\r\n$1\r\n0\r\n$4\r\nm012\r\n$1\r\n0\r\n$4\r\nm093\r\n$4\r\n-inf\r\n$4\r\nm087\r\n$4\r\n-inf\r\n$4\r\nm086\r\n$4\r\n-inf\r\n$4\r\nm082\r\n$4\r\n-inf\r\n$4\r\nm058\r\n$4\r\n-inf\r\n$4\r\nm053\r\n$4\r\n-inf\r\n$4\r\nm051\r\n$4\r\n-inf\r\n$4\r\nm049\r\n$4\r\n-inf\r\n$4\r\nm038\r\n$4\r\n-inf\r\n$4\r\nm037\r\n$4\r\n-inf\r\n", b"*149\r\n*2\r\n$4\r\nm185\r\n,inf\r\n*2\r\n$4\r\nm171\r\n,inf\r\n*2\r\n$4\r\nm170\r\n,inf\r\n*2\r\n$4\r\nm168\r\n,inf\r\n*2\r\n$4\r\nm166\r\n,inf\r\n*2\r\n$4\r\nm160\r\n,inf\r\n*2\r\n$4\r\nm152\r\n,inf\r\n*2\r\n$4\r\nm151\r\n,inf\r\n*2\r\n$4\r\nm149\r\n,inf\r\n*2\r\n$4\r\nm142\r\n,inf\r\n*2\r\n$4\r\nm138\r\n,inf\r\n*2\r\n$4\r\nm117\r\n,inf\r\n*2\r\n$4\r\nm116\r\n,inf\r\n*2\r\n$4\r\nm115\r\n,inf\r\n*2\r\n$4\r\nm095\r\n,inf\r\n*2\r\n$4\r\nm080\r\n,inf\r\n*2\r\n$4\r\nm066\r\n,inf\r\n*2\r\n$4\r\nm061\r\n,inf\r\n*2\r\n$4\r\nm055\r\n,inf\r\n*2\r\n$4\r\nm042\r\n,inf\r\n*2\r\n$4\r\nm004\r\n,inf\r\n*2\r\n$4\r\nm194\r\n,1e+20\r\n*2\r\n$4\r\nm162\r\n,1e+20\r\n*2\r\n$4\r\nm155\r\n,1e+20\r\n*2\r\n$4\r\nm150\r\n,1e+20\r\n*2\r\n$4\r\nm121\r\n,1e+20\r\n*2\r\n$4\r\nm078\r\n,1e+20\r\n*2\r\n$4\r\nm077\r\n,1e+20\r\n*2\r\n$4\r\nm046\r\n,1e+20\r\n*2\r\n$4\r\nm040\r\n,1e+20\r\n*2\r\n$4\r\nm034\r\n,1e+20\r\n*2\r\n$4\r\nm019\r\n,1e+20\r\n*2\r\n$4\r\nm016\r\n,1e+20\r\n*2\r\n$4\r\nm011\r\n,1e+20\r\n*2\r\n$4\r\nm006\r\n,1e+20\r\n*2\r\n$4\r\nm005\r\n,100\r\n*2\r\n$4\r\nm199\r\n,7\r\n*2\r\n$4\r\nm190\r\n,7\r\n*2\r\n$4\r\nm178\r\n,7\r\n*2\r\n$4\r\nm172\r\n,7\r\n*2\r\n$4\r\nm165\r\n,7\r\n*2\r\n$4\r\nm164\r\n,7\r\n*2\r\n$4\r\nm157\r\n,7\r\n*2\r\n$4\r\nm153\r\n,7\r\n*2\r\n$4\r\nm146\r\n,7\r\n*2\r\n$4\r\nm145\r\n,7\r\n*2\r\n$4\r\nm141\r\n,7\r\n*2\r\n$4\r\nm127\r\n,7\r\n*2\r\n$4\r\nm124\r\n,7\r\n*2\r\n$4\r\nm111\r\n,7\r\n*2\r\n$4\r\nm105\r\n,7\r\n*2\r\n$4\r\nm094\r\n,7\r\n*2\r\n$4\r\nm091\r\n,7\r\n*2\r\n$4\r\nm090\r\n,7\r\n*2\r\n$4\r\nm072\r\n,7\r\n*2\r\n$4\r\nm069\r\n,7\r\n*2\r\n$4\r\nm068\r\n,7\r\n*2\r\n$4\r\nm064\r\n,7\r\n*2\r\n$4\r\nm059\r\n,7\r\n*2\r\n$4\r\nm057\r\n,7\r\n*2\r\n$4\r\nm054\r\n,7\r\n*2\r\n$4\r\nm039\r\n,7\r\n*2\r\n$4\r\nm035\r\n,7\r\n*2\r\n$4\r\nm029\r\n,7\r\n*2\r\n$4\r\nm009\r\n,7\r\n*2\r\n$4\r\nm007\r\n,7\r\n*2\r\n$4\r\nm001\r\n,7\r\n*2\r\n$4\r\nm003\r\n,3.5\r\n*2\r\n$4\r\nm177\r\n,1\r\n*2\r\n$4\r\nm159\r\n,1\r\n*2\r\n$4\r\nm158\r\n,1\r\n*2\r\n$4\r\nm156\r\n,1\r\n*2\r\n$4\r\nm148\r\n,1\r\n*2\r\n$4\r\nm143\r\n,1\r\n*2\r\n$4\r\nm139\r\n,1\r\n*2\r\n$4\r\nm114\r\n,1\r\n*2\r\n$4\r\nm107\r\n,1\r\n*2\r\n$4\r\nm092\r\n,1\r\n*2\r\n$4\r\nm089\r\n,1\r\n*2\r\n$4\r\nm084\r\n,1\r\n*2\r\n$4\r\nm062\r\n,1\r\n*2\r\n$4\r\nm044\r\n,1\r\n*2\r\n$4\r\nm032\r\n,1\r\n*2\r\n$4\r\nm030\r\n,1\r\n*2\r\n$4\r\nm026\r\n,1\r\n*2\r\n$4\r\nm010\r\n,1\r\n*2\r\n$4\r\nm181\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm137\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm135\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm128\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm125\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm122\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm106\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm098\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm096\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm067\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm056\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm052\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm024\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm018\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm017\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm013\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm002\r\n,0.10000000000000001\r\n*2\r\n$4\r\nm198\r\n,-0\r\n*2\r\n$4\r\nm193\r\n,-0\r\n*2\r\n$4\r\nm184\r\n,-0\r\n*2\r\n$4\r\nm183\r\n,0\r\n*2\r\n$4\r\nm182\r\n,-0\r\n*2\r\n$4\r\nm180\r\n,0\r\n*2\r\n$4\r\nm174\r\n,0\r\n*2\r\n$4\r\nm173\r\n,0\r\n*2\r\n$4\r\nm163\r\n,0\r\n*2\r\n$4\r\nm161\r\n,0\r\n*2\r\n$4\r\nm154\r\n,0\r\n*2\r\n$4\r\nm136\r\n,0\r\n*2\r\n$4\r\nm134\r\n,0\r\n*2\r\n$4\r\nm132\r\n,0\r\n*2\r\n$4\r\nm131\r\n,-0\r\n*2\r\n$4\r\nm129\r\n,0\r\n*2\r\n$4\r\nm112\r\n,0\r\n*2\r\n$4\r\nm110\r\n,0\r\n*2\r\n$4\r\nm108\r\n,0\r\n*2\r\n$4\r\nm099\r\n,0\r\n*2\r\n$4\r\nm097\r\n,0\r\n*2\r\n$4\r\nm085\r\n,0\r\n*2\r\n$4\r\nm074\r\n,0\r\n*2\r\n$4\r\nm073\r\n,0\r\n*2\r\n$4\r\nm071\r\n,0\r\n*2\r\n$4\r\nm063\r\n,0\r\n*2\r\n$4\r\nm060\r\n,0\r\n*2\r\n$4\r\nm050\r\n,0\r\n*2\r\n$4\r\nm048\r\n,0\r\n*2\r\n$4\r\nm047\r\n,0\r\n*2\r\n$4\r\nm033\r\n,0\r\n*2\r\n$4\r\nm031\r\n,0\r\n*2\r\n$4\r\nm022\r\n,0\r\n*2\r\n$4\r\nm015\r\n,0\r\n*2\r\n$4\r\nm014\r\n,0\r\n*2\r\n$4\r\nm012\r\n,0\r\n*2\r\n$4\r\nm093\r\n,-inf\r\n*2\r\n$4\r\nm087\r\n,-inf\r\n*2\r\n$4\r\nm086\r\n,-inf\r\n*2\r\n$4\r\nm082\r\n,-inf\r\n*2\r\n$4\r\nm058\r\n,-inf\r\n*2\r\n$4\r\nm053\r\n,-inf\r\n*2\r\n$4\r\nm051\r\n,-inf\r\n*2\r\n$4\r\nm049\r\n,-inf\r\n*2\r\n$4\r\nm038\r\n,-inf\r\n*2\r\n$4\r\nm037\r\n,-inf\r\n"),
    (&["zremrangebyrank", "big", "0", "-1"], b":149\r\n", b":149\r\n"),
    (&["zcard", "big"], b":0\r\n", b":0\r\n"),
    (&["zadd", "mixed", "1", "d", "2", "a", "3", "c", "4", "b", "5", "e"], b":5\r\n", b":5\r\n"),
    (&["zrangebylex", "mixed", "[b", "[d"], b"*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n", b"*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (&["zrevrangebylex", "mixed", "[d", "[b"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zlexcount", "mixed", "[b", "[d"], b":4\r\n", b":4\r\n"),
    (&["zrangebylex", "mixed", "-", "[c"], b"*0\r\n", b"*0\r\n"),
    (&["zrevrangebylex", "mixed", "[c", "-"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "mixed", "(a", "+"], b"*5\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\ne\r\n", b"*5\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\ne\r\n"),
    (&["zrevrangebylex", "mixed", "+", "(a"], b"*3\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*3\r\n$1\r\ne\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zlexcount", "mixed", "[c", "+"], b":5\r\n", b":5\r\n"),
    (&["zrangestore", "dd", "mixed", "[b", "[d", "bylex"], b":4\r\n", b":4\r\n"),
    (&["zrange", "dd", "0", "-1"], b"*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n", b"*4\r\n$1\r\nd\r\n$1\r\na\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (&["zrangestore", "dd", "mixed", "[d", "[b", "bylex", "rev"], b":2\r\n", b":2\r\n"),
    (&["zrange", "dd", "0", "-1"], b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n", b"*2\r\n$1\r\nc\r\n$1\r\nb\r\n"),
    (&["zremrangebylex", "mixed", "[b", "[d"], b":4\r\n", b":4\r\n"),
    (&["zrange", "mixed", "0", "-1"], b"*1\r\n$1\r\ne\r\n", b"*1\r\n$1\r\ne\r\n"),
    (&["zadd", "u", "0", "a", "0", "b", "0", "c", "0", "d"], b":4\r\n", b":4\r\n"),
    (&["zrangebylex", "u", "[c", "[b"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "u", "(b", "(b"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "u", "[b", "[b"], b"*1\r\n$1\r\nb\r\n", b"*1\r\n$1\r\nb\r\n"),
    (&["zrangebylex", "u", "-", "-"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "u", "+", "+"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "u", "+", "-"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "u", "-", "+", "limit", "1", "2"], b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n", b"*2\r\n$1\r\nb\r\n$1\r\nc\r\n"),
    (&["zrevrangebylex", "u", "+", "-", "limit", "1", "2"], b"*2\r\n$4\r\nm192\r\n$4\r\nm191\r\n", b"*2\r\n$4\r\nm192\r\n$4\r\nm191\r\n"),
    (&["zrangebylex", "u", "-", "+", "limit", "-1", "2"], b"*0\r\n", b"*0\r\n"),
    (&["zrangebylex", "u", "-", "+", "limit", "2", "-1"], b"*51\r\n$1\r\nc\r\n$1\r\nd\r\n$4\r\nm145\r\n$4\r\nm146\r\n$4\r\nm153\r\n$4\r\nm157\r\n$4\r\nm164\r\n$4\r\nm165\r\n$4\r\nm172\r\n$4\r\nm178\r\n$4\r\nm190\r\n$4\r\nm199\r\n$4\r\nm005\r\n$4\r\nm006\r\n$4\r\nm011\r\n$4\r\nm016\r\n$4\r\nm019\r\n$4\r\nm034\r\n$4\r\nm040\r\n$4\r\nm046\r\n$4\r\nm077\r\n$4\r\nm078\r\n$4\r\nm121\r\n$4\r\nm150\r\n$4\r\nm155\r\n$4\r\nm162\r\n$4\r\nm194\r\n$4\r\nm004\r\n$4\r\nm042\r\n$4\r\nm055\r\n$4\r\nm061\r\n$4\r\nm066\r\n$4\r\nm080\r\n$4\r\nm095\r\n$4\r\nm115\r\n$4\r\nm116\r\n$4\r\nm117\r\n$4\r\nm138\r\n$4\r\nm142\r\n$4\r\nm149\r\n$4\r\nm151\r\n$4\r\nm152\r\n$4\r\nm160\r\n$4\r\nm166\r\n$4\r\nm168\r\n$4\r\nm170\r\n$4\r\nm171\r\n$4\r\nm185\r\n$4\r\nm191\r\n$4\r\nm192\r\n$4\r\nm197\r\n", b"*51\r\n$1\r\nc\r\n$1\r\nd\r\n$4\r\nm145\r\n$4\r\nm146\r\n$4\r\nm153\r\n$4\r\nm157\r\n$4\r\nm164\r\n$4\r\nm165\r\n$4\r\nm172\r\n$4\r\nm178\r\n$4\r\nm190\r\n$4\r\nm199\r\n$4\r\nm005\r\n$4\r\nm006\r\n$4\r\nm011\r\n$4\r\nm016\r\n$4\r\nm019\r\n$4\r\nm034\r\n$4\r\nm040\r\n$4\r\nm046\r\n$4\r\nm077\r\n$4\r\nm078\r\n$4\r\nm121\r\n$4\r\nm150\r\n$4\r\nm155\r\n$4\r\nm162\r\n$4\r\nm194\r\n$4\r\nm004\r\n$4\r\nm042\r\n$4\r\nm055\r\n$4\r\nm061\r\n$4\r\nm066\r\n$4\r\nm080\r\n$4\r\nm095\r\n$4\r\nm115\r\n$4\r\nm116\r\n$4\r\nm117\r\n$4\r\nm138\r\n$4\r\nm142\r\n$4\r\nm149\r\n$4\r\nm151\r\n$4\r\nm152\r\n$4\r\nm160\r\n$4\r\nm166\r\n$4\r\nm168\r\n$4\r\nm170\r\n$4\r\nm171\r\n$4\r\nm185\r\n$4\r\nm191\r\n$4\r\nm192\r\n$4\r\nm197\r\n"),
    (&["zrangebylex", "u", "-", "+", "limit", "5", "1"], b"*1\r\n$4\r\nm146\r\n", b"*1\r\n$4\r\nm146\r\n"),
    (&["zadd", "l", "incr", "-0", "newm"], b"$2\r\n-0\r\n", b",-0\r\n"),
    (&["zscore", "l", "newm"], b"$1\r\n0\r\n", b",0\r\n"),
    (&["zadd", "l", "0x1p-2", "h", "0X1.8P1", "h2", "1e-320", "sub", "-1e308", "big", "1.7976931348623157e308", "max", "4611686018427387904", "half", "4611686018427387903.5", "half2"], b":7\r\n", b":7\r\n"),
    (&["zadd", "l", "0x", "1"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "l", "0x1p", "1"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "l", "1e", "1"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "l", "1e+", "1"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "l", ".e1", "1"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "l", "+.5", "plus"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l", "-.5e-1", "minus"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l", "00012", "lead"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l", "INF", "ii"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l", "-INFINITY", "ii2"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l", "infinit", "ii3"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zadd", "l", "nan(123)", "n"], b"-ERR value is not a valid float\r\n", b"-ERR value is not a valid float\r\n"),
    (&["zrange", "l", "0", "-1", "withscores"], b"*26\r\n$3\r\nii2\r\n$4\r\n-inf\r\n$3\r\nbig\r\n$7\r\n-1e+308\r\n$5\r\nminus\r\n$21\r\n-0.050000000000000003\r\n$4\r\nnewm\r\n$1\r\n0\r\n$3\r\nsub\r\n$23\r\n9.9998886718268301e-321\r\n$1\r\nh\r\n$4\r\n0.25\r\n$4\r\nplus\r\n$3\r\n0.5\r\n$2\r\nh2\r\n$1\r\n3\r\n$4\r\nlead\r\n$2\r\n12\r\n$4\r\nhalf\r\n$22\r\n4.6116860184273879e+18\r\n$5\r\nhalf2\r\n$22\r\n4.6116860184273879e+18\r\n$3\r\nmax\r\n$23\r\n1.7976931348623157e+308\r\n$2\r\nii\r\n$3\r\ninf\r\n", b"*13\r\n*2\r\n$3\r\nii2\r\n,-inf\r\n*2\r\n$3\r\nbig\r\n,-1e+308\r\n*2\r\n$5\r\nminus\r\n,-0.050000000000000003\r\n*2\r\n$4\r\nnewm\r\n,0\r\n*2\r\n$3\r\nsub\r\n,9.9998886718268301e-321\r\n*2\r\n$1\r\nh\r\n,0.25\r\n*2\r\n$4\r\nplus\r\n,0.5\r\n*2\r\n$2\r\nh2\r\n,3\r\n*2\r\n$4\r\nlead\r\n,12\r\n*2\r\n$4\r\nhalf\r\n,4.6116860184273879e+18\r\n*2\r\n$5\r\nhalf2\r\n,4.6116860184273879e+18\r\n*2\r\n$3\r\nmax\r\n,1.7976931348623157e+308\r\n*2\r\n$2\r\nii\r\n,inf\r\n"),
    (&["zscan", "l", "0"], b"*2\r\n$1\r\n0\r\n*26\r\n$3\r\nii2\r\n$4\r\n-inf\r\n$3\r\nbig\r\n$7\r\n-1e+308\r\n$5\r\nminus\r\n$21\r\n-0.050000000000000003\r\n$4\r\nnewm\r\n$1\r\n0\r\n$3\r\nsub\r\n$23\r\n9.9998886718268301e-321\r\n$1\r\nh\r\n$4\r\n0.25\r\n$4\r\nplus\r\n$3\r\n0.5\r\n$2\r\nh2\r\n$1\r\n3\r\n$4\r\nlead\r\n$2\r\n12\r\n$4\r\nhalf\r\n$19\r\n4611686018427387904\r\n$5\r\nhalf2\r\n$19\r\n4611686018427387904\r\n$3\r\nmax\r\n$23\r\n1.7976931348623157e+308\r\n$2\r\nii\r\n$3\r\ninf\r\n", b"*2\r\n$1\r\n0\r\n*26\r\n$3\r\nii2\r\n$4\r\n-inf\r\n$3\r\nbig\r\n$7\r\n-1e+308\r\n$5\r\nminus\r\n$21\r\n-0.050000000000000003\r\n$4\r\nnewm\r\n$1\r\n0\r\n$3\r\nsub\r\n$23\r\n9.9998886718268301e-321\r\n$1\r\nh\r\n$4\r\n0.25\r\n$4\r\nplus\r\n$3\r\n0.5\r\n$2\r\nh2\r\n$1\r\n3\r\n$4\r\nlead\r\n$2\r\n12\r\n$4\r\nhalf\r\n$19\r\n4611686018427387904\r\n$5\r\nhalf2\r\n$19\r\n4611686018427387904\r\n$3\r\nmax\r\n$23\r\n1.7976931348623157e+308\r\n$2\r\nii\r\n$3\r\ninf\r\n"),
    (&["zrangebyscore", "l", "(0x1p-2", "+inf"], b"*7\r\n$4\r\nplus\r\n$2\r\nh2\r\n$4\r\nlead\r\n$4\r\nhalf\r\n$5\r\nhalf2\r\n$3\r\nmax\r\n$2\r\nii\r\n", b"*7\r\n$4\r\nplus\r\n$2\r\nh2\r\n$4\r\nlead\r\n$4\r\nhalf\r\n$5\r\nhalf2\r\n$3\r\nmax\r\n$2\r\nii\r\n"),
    (&["zrangebyscore", "l", "(-inf", "(+inf"], b"*11\r\n$3\r\nbig\r\n$5\r\nminus\r\n$4\r\nnewm\r\n$3\r\nsub\r\n$1\r\nh\r\n$4\r\nplus\r\n$2\r\nh2\r\n$4\r\nlead\r\n$4\r\nhalf\r\n$5\r\nhalf2\r\n$3\r\nmax\r\n", b"*11\r\n$3\r\nbig\r\n$5\r\nminus\r\n$4\r\nnewm\r\n$3\r\nsub\r\n$1\r\nh\r\n$4\r\nplus\r\n$2\r\nh2\r\n$4\r\nlead\r\n$4\r\nhalf\r\n$5\r\nhalf2\r\n$3\r\nmax\r\n"),
    (&["zrangebyscore", "l", "-inf", "inf"], b"*13\r\n$3\r\nii2\r\n$3\r\nbig\r\n$5\r\nminus\r\n$4\r\nnewm\r\n$3\r\nsub\r\n$1\r\nh\r\n$4\r\nplus\r\n$2\r\nh2\r\n$4\r\nlead\r\n$4\r\nhalf\r\n$5\r\nhalf2\r\n$3\r\nmax\r\n$2\r\nii\r\n", b"*13\r\n$3\r\nii2\r\n$3\r\nbig\r\n$5\r\nminus\r\n$4\r\nnewm\r\n$3\r\nsub\r\n$1\r\nh\r\n$4\r\nplus\r\n$2\r\nh2\r\n$4\r\nlead\r\n$4\r\nhalf\r\n$5\r\nhalf2\r\n$3\r\nmax\r\n$2\r\nii\r\n"),
    (&["zrangebyscore", "l", "+inf", "+inf"], b"*1\r\n$2\r\nii\r\n", b"*1\r\n$2\r\nii\r\n"),
    (&["zrangebyscore", "l", "-infinity", "1e-320"], b"*5\r\n$3\r\nii2\r\n$3\r\nbig\r\n$5\r\nminus\r\n$4\r\nnewm\r\n$3\r\nsub\r\n", b"*5\r\n$3\r\nii2\r\n$3\r\nbig\r\n$5\r\nminus\r\n$4\r\nnewm\r\n$3\r\nsub\r\n"),
    (&["zrangebyscore", "l", "0x", "1"], b"-ERR min or max is not a float\r\n", b"-ERR min or max is not a float\r\n"),
    (&["zrangebyscore", "l", "1e", "1"], b"-ERR min or max is not a float\r\n", b"-ERR min or max is not a float\r\n"),
    (&["zrangebyscore", "l", "((1", "1"], b"-ERR min or max is not a float\r\n", b"-ERR min or max is not a float\r\n"),
    (&["zcount", "l", "-inf", "-inf"], b":1\r\n", b":1\r\n"),
    (&["zcount", "l", "(-inf", "+inf"], b":12\r\n", b":12\r\n"),
    (&["zadd", "l2", "1", "a"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l2", "1", "a", "2", "a"], b":0\r\n", b":0\r\n"),
    (&["zrange", "l2", "0", "-1", "withscores"], b"*2\r\n$1\r\na\r\n$1\r\n2\r\n", b"*1\r\n*2\r\n$1\r\na\r\n,2\r\n"),
    (&["zadd", "l2", "ch", "2", "a", "2", "a", "3", "b"], b":1\r\n", b":1\r\n"),
    (&["zadd", "l2", "nx", "ch", "5", "a", "5", "c"], b":1\r\n", b":1\r\n"),
    (&["zrange", "l2", "0", "-1", "withscores"], b"*6\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$1\r\n3\r\n$1\r\nc\r\n$1\r\n5\r\n", b"*3\r\n*2\r\n$1\r\na\r\n,2\r\n*2\r\n$1\r\nb\r\n,3\r\n*2\r\n$1\r\nc\r\n,5\r\n"),
    (&["zincrby", "l2", "1e308", "a"], b"$6\r\n1e+308\r\n", b",1e+308\r\n"),
    (&["zincrby", "l2", "1e308", "a"], b"$3\r\ninf\r\n", b",inf\r\n"),
    (&["zincrby", "l2", "1e308", "a"], b"$3\r\ninf\r\n", b",inf\r\n"),
    (&["zincrby", "l2", "-inf", "a"], b"-ERR resulting score is not a number (NaN)\r\n", b"-ERR resulting score is not a number (NaN)\r\n"),
    (&["zincrby", "l2", "1.5", "zz"], b"$3\r\n1.5\r\n", b",1.5\r\n"),
    (&["zrangestore", "l2", "l2", "0", "0"], b":1\r\n", b":1\r\n"),
    (&["zrange", "l2", "0", "-1", "withscores"], b"*2\r\n$2\r\nzz\r\n$3\r\n1.5\r\n", b"*1\r\n*2\r\n$2\r\nzz\r\n,1.5\r\n"),
    (&["zunionstore", "l2", "2", "l2", "l2"], b":1\r\n", b":1\r\n"),
    (&["zrange", "l2", "0", "-1", "withscores"], b"*2\r\n$2\r\nzz\r\n$1\r\n3\r\n", b"*1\r\n*2\r\n$2\r\nzz\r\n,3\r\n"),
    (&["zinterstore", "l2", "1", "l2", "weights", "0"], b":1\r\n", b":1\r\n"),
    (&["zrange", "l2", "0", "-1", "withscores"], b"*2\r\n$2\r\nzz\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$2\r\nzz\r\n,0\r\n"),
    (&["zunionstore", "l2", "1", "l2", "weights", "-1", "aggregate", "max"], b":1\r\n", b":1\r\n"),
    (&["zrange", "l2", "0", "-1", "withscores"], b"*2\r\n$2\r\nzz\r\n$1\r\n0\r\n", b"*1\r\n*2\r\n$2\r\nzz\r\n,0\r\n"),
    (&["zscore", "l2", "a"], b"$-1\r\n", b"_\r\n"),
    (&["zdiffstore", "l3", "1", "l2"], b":1\r\n", b":1\r\n"),
    (&["zscore", "l3", "a"], b"$-1\r\n", b"_\r\n"),
];
