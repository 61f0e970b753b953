//! List commands against an in-process node, through the `redis` crate in RESP2 and RESP3,
//! plus raw bytes where RESP2's two nulls (`$-1`, `*-1`) and RESP3's `_` matter.

mod common;

use std::time::Duration;

use redis::Value;
use redis::aio::MultiplexedConnection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_INT: &str = "ERR value is not an integer or out of range";
const SYNTAX: &str = "ERR syntax error";
const POSITIVE: &str = "ERR value is out of range, must be positive";
const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

fn error_text(err: &redis::RedisError) -> String {
    let code = match (err.code(), err.kind()) {
        (Some(code), _) => code.to_string(),
        (None, redis::ErrorKind::TypeError) => "WRONGTYPE".to_string(),
        (None, kind) => format!("{kind:?}"),
    };
    format!("{code} {}", err.detail().unwrap_or(""))
}

async fn q(con: &mut MultiplexedConnection, args: &[&str]) -> Result<Value, String> {
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    tokio::time::timeout(Duration::from_secs(5), cmd.query_async::<Value>(con))
        .await
        .expect("reply within 5 s")
        .map_err(|e| error_text(&e))
}

async fn ok(con: &mut MultiplexedConnection, args: &[&str]) -> Value {
    match q(con, args).await {
        Ok(v) => v,
        Err(e) => panic!("{args:?} failed: {e}"),
    }
}

async fn err(con: &mut MultiplexedConnection, args: &[&str]) -> String {
    match q(con, args).await {
        Ok(v) => panic!("{args:?} should fail, got {v:?}"),
        Err(e) => e,
    }
}

fn b(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

fn arr(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| b(s)).collect())
}

fn ints(items: &[i64]) -> Value {
    Value::Array(items.iter().map(|&i| Value::Int(i)).collect())
}

fn key_exists(ts: &common::TestServer, key: &str) -> bool {
    ts.server.store.lock().dbs[0]
        .peek(key.as_bytes(), u64::MAX / 2)
        .is_some()
}

/// Send `input` on a fresh connection and read until the output ends with `expected` (or
/// 10 s pass); return what was read.
async fn raw_until(ts: &common::TestServer, input: &[u8], expected: &[u8]) -> Vec<u8> {
    let mut s = tokio::net::TcpStream::connect(ts.addr)
        .await
        .expect("connect");
    s.write_all(input).await.expect("write");
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !out.ends_with(expected) {
        let mut buf = [0u8; 4096];
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

fn both() -> [bool; 2] {
    [false, true]
}

#[tokio::test]
async fn push_len_and_pushx() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("push{resp3}");
        let k = k.as_str();
        assert_eq!(
            ok(&mut c, &["LPUSH", k, "a", "b", "c"]).await,
            Value::Int(3)
        );
        assert_eq!(ok(&mut c, &["RPUSH", k, "d"]).await, Value::Int(4));
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["c", "b", "a", "d"])
        );
        assert_eq!(ok(&mut c, &["LLEN", k]).await, Value::Int(4));
        assert_eq!(ok(&mut c, &["LPUSHX", k, "x", "y"]).await, Value::Int(6));
        assert_eq!(ok(&mut c, &["RPUSHX", k, "z"]).await, Value::Int(7));
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["y", "x", "c", "b", "a", "d", "z"])
        );
        assert_eq!(ok(&mut c, &["LPUSHX", "nopush", "x"]).await, Value::Int(0));
        assert_eq!(ok(&mut c, &["RPUSHX", "nopush", "x"]).await, Value::Int(0));
        assert!(!key_exists(&ts, "nopush"));
        assert_eq!(ok(&mut c, &["LLEN", "nopush"]).await, Value::Int(0));
        // Binary and large elements survive.
        let big = "x".repeat(1000);
        assert_eq!(ok(&mut c, &["RPUSH", k, &big, ""]).await, Value::Int(9));
        assert_eq!(ok(&mut c, &["LINDEX", k, "-2"]).await, b(&big));
        assert_eq!(ok(&mut c, &["LINDEX", k, "-1"]).await, b(""));

        ok(&mut c, &["SET", "str", "v"]).await;
        for cmd in ["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"] {
            assert_eq!(err(&mut c, &[cmd, "str", "a"]).await, WRONGTYPE);
        }
        assert_eq!(err(&mut c, &["LLEN", "str"]).await, WRONGTYPE);
        assert_eq!(
            err(&mut c, &["LPUSH", k]).await,
            "ERR wrong number of arguments for 'lpush' command"
        );
    }
}

#[tokio::test]
async fn pop_with_and_without_count() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("pop{resp3}");
        let k = k.as_str();
        ok(&mut c, &["RPUSH", k, "a", "b", "c", "d", "e"]).await;
        assert_eq!(ok(&mut c, &["LPOP", k]).await, b("a"));
        assert_eq!(ok(&mut c, &["RPOP", k]).await, b("e"));
        assert_eq!(ok(&mut c, &["LPOP", k, "0"]).await, arr(&[]));
        assert_eq!(ok(&mut c, &["RPOP", k, "2"]).await, arr(&["d", "c"]));
        assert_eq!(ok(&mut c, &["LPOP", k, "10"]).await, arr(&["b"]));
        assert!(!key_exists(&ts, k));
        assert_eq!(ok(&mut c, &["LPOP", k]).await, Value::Nil);
        assert_eq!(ok(&mut c, &["LPOP", k, "1"]).await, Value::Nil);
        assert_eq!(ok(&mut c, &["RPOP", k, "0"]).await, Value::Nil);
        ok(&mut c, &["RPUSH", k, "a", "b", "c"]).await;
        assert_eq!(ok(&mut c, &["LPOP", k, "2"]).await, arr(&["a", "b"]));
        assert_eq!(
            ok(&mut c, &["RPOP", k, "9223372036854775807"]).await,
            arr(&["c"])
        );
        assert!(!key_exists(&ts, k));

        for bad in ["-1", "abc", "1.5", "9223372036854775808"] {
            assert_eq!(err(&mut c, &["LPOP", k, bad]).await, POSITIVE);
            assert_eq!(err(&mut c, &["RPOP", "str", bad]).await, POSITIVE);
        }
        ok(&mut c, &["SET", "str", "v"]).await;
        assert_eq!(err(&mut c, &["LPOP", "str"]).await, WRONGTYPE);
        assert_eq!(err(&mut c, &["RPOP", "str", "0"]).await, WRONGTYPE);
        assert_eq!(
            err(&mut c, &["LPOP", k, "1", "2"]).await,
            "ERR wrong number of arguments for 'lpop' command"
        );
    }
}

#[tokio::test]
async fn pop_null_replies_raw() {
    let ts = common::start("").await;
    let mut input = resp(&["LPOP", "none"]);
    input.extend(resp(&["RPOP", "none", "1"]));
    input.extend(resp(&["LPOP", "none", "0"]));
    input.extend(resp(&["RPUSH", "one", "x"]));
    input.extend(resp(&["LPOP", "one", "0"]));
    let expected = b"$-1\r\n*-1\r\n*-1\r\n:1\r\n*0\r\n";
    assert_eq!(raw_until(&ts, &input, expected).await, expected);

    let mut input = resp(&["HELLO", "3"]);
    input.extend(resp(&["LPOP", "none"]));
    input.extend(resp(&["RPOP", "none", "1"]));
    input.extend(resp(&["LINDEX", "none", "0"]));
    input.extend(resp(&["LPOS", "none", "x"]));
    input.extend(resp(&["LMPOP", "1", "none", "LEFT"]));
    input.extend(resp(&["PING"]));
    let out = raw_until(&ts, &input, b"+PONG\r\n").await;
    assert!(
        out.ends_with(b"_\r\n_\r\n_\r\n_\r\n_\r\n+PONG\r\n"),
        "{:?}",
        String::from_utf8_lossy(&out)
    );
}

#[tokio::test]
async fn range_index_and_set() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("range{resp3}");
        let k = k.as_str();
        ok(&mut c, &["RPUSH", k, "a", "b", "c", "d"]).await;
        let cases: &[(&str, &str, &[&str])] = &[
            ("0", "-1", &["a", "b", "c", "d"]),
            ("1", "2", &["b", "c"]),
            ("-2", "-1", &["c", "d"]),
            ("-100", "1", &["a", "b"]),
            ("2", "100", &["c", "d"]),
            ("3", "1", &[]),
            ("4", "10", &[]),
            ("0", "-5", &[]),
            (
                "-9223372036854775808",
                "9223372036854775807",
                &["a", "b", "c", "d"],
            ),
        ];
        for (start, stop, expected) in cases {
            assert_eq!(
                ok(&mut c, &["LRANGE", k, start, stop]).await,
                arr(expected),
                "LRANGE {start} {stop}"
            );
        }
        assert_eq!(ok(&mut c, &["LRANGE", "none", "0", "-1"]).await, arr(&[]));
        assert_eq!(err(&mut c, &["LRANGE", k, "x", "1"]).await, NOT_INT);
        assert_eq!(err(&mut c, &["LRANGE", "none", "0", "1.0"]).await, NOT_INT);

        assert_eq!(ok(&mut c, &["LINDEX", k, "0"]).await, b("a"));
        assert_eq!(ok(&mut c, &["LINDEX", k, "-1"]).await, b("d"));
        assert_eq!(ok(&mut c, &["LINDEX", k, "4"]).await, Value::Nil);
        assert_eq!(ok(&mut c, &["LINDEX", k, "-5"]).await, Value::Nil);
        assert_eq!(ok(&mut c, &["LINDEX", "none", "x"]).await, Value::Nil);
        assert_eq!(err(&mut c, &["LINDEX", k, "x"]).await, NOT_INT);

        assert_eq!(ok(&mut c, &["LSET", k, "1", "B"]).await, Value::Okay);
        assert_eq!(ok(&mut c, &["LSET", k, "-1", "D"]).await, Value::Okay);
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["a", "B", "c", "D"])
        );
        assert_eq!(
            err(&mut c, &["LSET", k, "4", "x"]).await,
            "ERR index out of range"
        );
        assert_eq!(
            err(&mut c, &["LSET", k, "-5", "x"]).await,
            "ERR index out of range"
        );
        assert_eq!(
            err(&mut c, &["LSET", "none", "0", "x"]).await,
            "ERR no such key"
        );
        assert_eq!(err(&mut c, &["LSET", k, "x", "x"]).await, NOT_INT);

        ok(&mut c, &["SET", "str", "v"]).await;
        assert_eq!(err(&mut c, &["LRANGE", "str", "0", "1"]).await, WRONGTYPE);
        assert_eq!(err(&mut c, &["LINDEX", "str", "x"]).await, WRONGTYPE);
        assert_eq!(err(&mut c, &["LSET", "str", "0", "x"]).await, WRONGTYPE);
    }
}

#[tokio::test]
async fn lrange_of_600_elements() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    let values: Vec<String> = (0..600).map(|i| format!("value:{i}")).collect();
    let mut cmd = redis::cmd("RPUSH");
    cmd.arg("big");
    for v in &values {
        cmd.arg(v);
    }
    let len: i64 = cmd.query_async(&mut c).await.expect("rpush");
    assert_eq!(len, 600);
    let first: Vec<String> = redis::cmd("LRANGE")
        .arg("big")
        .arg(0)
        .arg(99)
        .query_async(&mut c)
        .await
        .expect("lrange");
    assert_eq!(first, values[..100]);
    let all: Vec<String> = redis::cmd("LRANGE")
        .arg("big")
        .arg(0)
        .arg(599)
        .query_async(&mut c)
        .await
        .expect("lrange");
    assert_eq!(all, values);
}

#[tokio::test]
async fn lrem_ltrim_linsert() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("rem{resp3}");
        let k = k.as_str();
        ok(&mut c, &["RPUSH", k, "a", "b", "a", "c", "a", "b"]).await;
        assert_eq!(ok(&mut c, &["LREM", k, "-1", "a"]).await, Value::Int(1));
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["a", "b", "a", "c", "b"])
        );
        assert_eq!(ok(&mut c, &["LREM", k, "1", "b"]).await, Value::Int(1));
        assert_eq!(ok(&mut c, &["LREM", k, "0", "a"]).await, Value::Int(2));
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["c", "b"])
        );
        assert_eq!(ok(&mut c, &["LREM", k, "0", "zz"]).await, Value::Int(0));
        assert_eq!(ok(&mut c, &["LREM", "none", "0", "a"]).await, Value::Int(0));
        assert_eq!(err(&mut c, &["LREM", k, "x", "a"]).await, NOT_INT);
        assert_eq!(
            ok(&mut c, &["LREM", k, "-9223372036854775808", "c"]).await,
            Value::Int(1)
        );
        assert_eq!(ok(&mut c, &["LREM", k, "5", "b"]).await, Value::Int(1));
        assert!(!key_exists(&ts, k));

        ok(&mut c, &["RPUSH", k, "a", "b", "c", "d", "e"]).await;
        assert_eq!(ok(&mut c, &["LTRIM", k, "1", "-2"]).await, Value::Okay);
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["b", "c", "d"])
        );
        assert_eq!(ok(&mut c, &["LTRIM", k, "-100", "100"]).await, Value::Okay);
        assert_eq!(ok(&mut c, &["LLEN", k]).await, Value::Int(3));
        assert_eq!(ok(&mut c, &["LTRIM", k, "1", "1"]).await, Value::Okay);
        assert_eq!(ok(&mut c, &["LRANGE", k, "0", "-1"]).await, arr(&["c"]));
        assert_eq!(ok(&mut c, &["LTRIM", k, "2", "1"]).await, Value::Okay);
        assert!(!key_exists(&ts, k));
        assert_eq!(ok(&mut c, &["LTRIM", "none", "0", "1"]).await, Value::Okay);
        assert_eq!(err(&mut c, &["LTRIM", k, "0", "x"]).await, NOT_INT);

        ok(&mut c, &["RPUSH", k, "a", "b", "c"]).await;
        assert_eq!(
            ok(&mut c, &["LINSERT", k, "BEFORE", "b", "x"]).await,
            Value::Int(4)
        );
        assert_eq!(
            ok(&mut c, &["LINSERT", k, "after", "c", "y"]).await,
            Value::Int(5)
        );
        assert_eq!(
            ok(&mut c, &["LRANGE", k, "0", "-1"]).await,
            arr(&["a", "x", "b", "c", "y"])
        );
        assert_eq!(
            ok(&mut c, &["LINSERT", k, "AFTER", "zz", "y"]).await,
            Value::Int(-1)
        );
        assert_eq!(
            ok(&mut c, &["LINSERT", "none", "AFTER", "a", "y"]).await,
            Value::Int(0)
        );
        assert_eq!(
            err(&mut c, &["LINSERT", k, "MIDDLE", "a", "y"]).await,
            SYNTAX
        );
        assert_eq!(
            err(&mut c, &["LINSERT", "str", "MIDDLE", "a", "y"]).await,
            SYNTAX
        );

        ok(&mut c, &["SET", "str", "v"]).await;
        assert_eq!(err(&mut c, &["LREM", "str", "0", "a"]).await, WRONGTYPE);
        assert_eq!(err(&mut c, &["LTRIM", "str", "0", "1"]).await, WRONGTYPE);
        assert_eq!(
            err(&mut c, &["LINSERT", "str", "BEFORE", "a", "y"]).await,
            WRONGTYPE
        );
    }
}

#[tokio::test]
async fn lpos_options() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("pos{resp3}");
        let k = k.as_str();
        ok(&mut c, &["RPUSH", k, "a", "b", "c", "a", "b", "c", "a"]).await;
        let cases: &[(&[&str], Value)] = &[
            (&["a"], Value::Int(0)),
            (&["c"], Value::Int(2)),
            (&["z"], Value::Nil),
            (&["a", "RANK", "2"], Value::Int(3)),
            (&["a", "RANK", "-1"], Value::Int(6)),
            (&["a", "RANK", "-3"], Value::Int(0)),
            (&["a", "RANK", "4"], Value::Nil),
            (&["a", "RANK", "9223372036854775807"], Value::Nil),
            // Redis negates the rank in C: the minimum stays negative and every match counts.
            (&["a", "RANK", "-9223372036854775808"], Value::Int(6)),
            (&["a", "COUNT", "0"], ints(&[0, 3, 6])),
            (&["a", "COUNT", "2"], ints(&[0, 3])),
            (&["a", "COUNT", "0", "RANK", "-1"], ints(&[6, 3, 0])),
            (&["a", "COUNT", "2", "RANK", "2"], ints(&[3, 6])),
            (&["a", "COUNT", "1", "MAXLEN", "1"], ints(&[0])),
            (&["b", "COUNT", "0", "MAXLEN", "3"], ints(&[1])),
            (&["c", "MAXLEN", "2"], Value::Nil),
            (&["c", "MAXLEN", "2", "RANK", "-1"], Value::Int(5)),
            (&["z", "COUNT", "5"], ints(&[])),
            (&["a", "rank", "1", "count", "1", "maxlen", "0"], ints(&[0])),
        ];
        for (options, expected) in cases {
            let mut args = vec!["LPOS", k];
            args.extend_from_slice(options);
            assert_eq!(&ok(&mut c, &args).await, expected, "{args:?}");
        }
        assert_eq!(ok(&mut c, &["LPOS", "none", "a"]).await, Value::Nil);
        assert_eq!(
            ok(&mut c, &["LPOS", "none", "a", "COUNT", "1"]).await,
            ints(&[])
        );
        let errors: &[(&[&str], &str)] = &[
            (&["RANK", "0"], RANK_ZERO),
            (&["RANK", "x"], NOT_INT),
            (&["COUNT", "-1"], "ERR COUNT can't be negative"),
            (&["COUNT", "x"], "ERR COUNT can't be negative"),
            (&["MAXLEN", "-1"], "ERR MAXLEN can't be negative"),
            (&["MAXLEN", "x"], "ERR MAXLEN can't be negative"),
            (&["FOO"], SYNTAX),
            (&["COUNT"], SYNTAX),
            (&["RANK", "0", "COUNT", "-1"], RANK_ZERO),
            (&["COUNT", "-1", "RANK", "0"], "ERR COUNT can't be negative"),
        ];
        for (options, expected) in errors {
            let mut args = vec!["LPOS", k, "a"];
            args.extend_from_slice(options);
            assert_eq!(&err(&mut c, &args).await, expected, "{args:?}");
        }
        ok(&mut c, &["SET", "str", "v"]).await;
        assert_eq!(err(&mut c, &["LPOS", "str", "a"]).await, WRONGTYPE);
        assert_eq!(
            err(&mut c, &["LPOS", "str", "a", "RANK", "0"]).await,
            RANK_ZERO
        );
    }
}

#[tokio::test]
async fn lmove_and_rpoplpush() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let (s, d) = (format!("src{resp3}"), format!("dst{resp3}"));
        let (s, d) = (s.as_str(), d.as_str());
        ok(&mut c, &["RPUSH", s, "a", "b", "c", "d"]).await;
        assert_eq!(ok(&mut c, &["LMOVE", s, d, "LEFT", "RIGHT"]).await, b("a"));
        assert_eq!(ok(&mut c, &["LMOVE", s, d, "right", "left"]).await, b("d"));
        assert_eq!(ok(&mut c, &["LMOVE", s, d, "LEFT", "LEFT"]).await, b("b"));
        assert_eq!(ok(&mut c, &["RPOPLPUSH", s, d]).await, b("c"));
        assert!(!key_exists(&ts, s));
        assert_eq!(
            ok(&mut c, &["LRANGE", d, "0", "-1"]).await,
            arr(&["c", "b", "d", "a"])
        );
        assert_eq!(
            ok(&mut c, &["LMOVE", s, d, "LEFT", "RIGHT"]).await,
            Value::Nil
        );
        assert_eq!(ok(&mut c, &["RPOPLPUSH", s, d]).await, Value::Nil);
        // Rotation of a list onto itself, down to one element.
        assert_eq!(ok(&mut c, &["RPOPLPUSH", d, d]).await, b("a"));
        assert_eq!(ok(&mut c, &["LMOVE", d, d, "LEFT", "RIGHT"]).await, b("a"));
        assert_eq!(
            ok(&mut c, &["LRANGE", d, "0", "-1"]).await,
            arr(&["c", "b", "d", "a"])
        );
        let single = format!("single{resp3}");
        let single = single.as_str();
        ok(&mut c, &["RPUSH", single, "x"]).await;
        assert_eq!(
            ok(&mut c, &["LMOVE", single, single, "LEFT", "RIGHT"]).await,
            b("x")
        );
        assert_eq!(ok(&mut c, &["LLEN", single]).await, Value::Int(1));

        ok(&mut c, &["SET", "str", "v"]).await;
        assert_eq!(
            err(&mut c, &["LMOVE", d, "str", "LEFT", "RIGHT"]).await,
            WRONGTYPE
        );
        assert_eq!(err(&mut c, &["RPOPLPUSH", "str", d]).await, WRONGTYPE);
        assert_eq!(ok(&mut c, &["LLEN", d]).await, Value::Int(4));
        // A missing source wins over a wrong-type destination.
        assert_eq!(
            ok(&mut c, &["LMOVE", "none", "str", "LEFT", "RIGHT"]).await,
            Value::Nil
        );
        assert_eq!(err(&mut c, &["LMOVE", d, "x", "UP", "RIGHT"]).await, SYNTAX);
        assert_eq!(
            err(&mut c, &["LMOVE", d, "x", "LEFT", "DOWN"]).await,
            SYNTAX
        );
    }
}

#[tokio::test]
async fn lmpop_options_and_errors() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("mpop{resp3}");
        let k = k.as_str();
        ok(&mut c, &["RPUSH", k, "a", "b", "c", "d"]).await;
        let reply = |key: &str, items: &[&str]| Value::Array(vec![b(key), arr(items)]);
        assert_eq!(
            ok(&mut c, &["LMPOP", "2", "none", k, "LEFT"]).await,
            reply(k, &["a"])
        );
        assert_eq!(
            ok(&mut c, &["LMPOP", "1", k, "RIGHT", "COUNT", "2"]).await,
            reply(k, &["d", "c"])
        );
        assert_eq!(
            ok(&mut c, &["LMPOP", "1", k, "left", "count", "10"]).await,
            reply(k, &["b"])
        );
        assert!(!key_exists(&ts, k));
        assert_eq!(
            ok(&mut c, &["LMPOP", "2", "none", k, "LEFT"]).await,
            Value::Nil
        );
        let errors: &[(&[&str], &str)] = &[
            (&["0", k, "LEFT"], "ERR numkeys should be greater than 0"),
            (&["-1", k, "LEFT"], "ERR numkeys should be greater than 0"),
            (&["x", k, "LEFT"], "ERR numkeys should be greater than 0"),
            (&["9223372036854775807", k, "LEFT"], SYNTAX),
            (&["2", k, "LEFT"], SYNTAX),
            (&["1", k, "MIDDLE"], SYNTAX),
            (
                &["1", k, "LEFT", "COUNT", "0"],
                "ERR count should be greater than 0",
            ),
            (
                &["1", k, "LEFT", "COUNT", "-1"],
                "ERR count should be greater than 0",
            ),
            (
                &["1", k, "LEFT", "COUNT", "x"],
                "ERR count should be greater than 0",
            ),
            (&["1", k, "LEFT", "COUNT", "1", "COUNT", "1"], SYNTAX),
            (&["1", k, "LEFT", "COUNT"], SYNTAX),
            (&["1", k, "LEFT", "FOO"], SYNTAX),
        ];
        for (options, expected) in errors {
            let mut args = vec!["LMPOP"];
            args.extend_from_slice(options);
            assert_eq!(&err(&mut c, &args).await, expected, "{args:?}");
        }
        ok(&mut c, &["SET", "str", "v"]).await;
        ok(&mut c, &["RPUSH", k, "x"]).await;
        assert_eq!(
            err(&mut c, &["LMPOP", "2", "str", k, "LEFT"]).await,
            WRONGTYPE
        );
        // The first non-empty key is served before a wrong-type key is reached.
        assert_eq!(
            ok(&mut c, &["LMPOP", "2", k, "str", "LEFT"]).await,
            reply(k, &["x"])
        );
    }
}

#[tokio::test]
async fn blocking_commands_on_non_empty_keys() {
    let ts = common::start("").await;
    for resp3 in both() {
        let mut c = ts.conn(resp3).await;
        let k = format!("bnow{resp3}");
        let k = k.as_str();
        let dst = format!("bdst{resp3}");
        let dst = dst.as_str();
        ok(&mut c, &["RPUSH", k, "a", "b", "c", "d", "e", "f"]).await;
        assert_eq!(ok(&mut c, &["BLPOP", "none", k, "0"]).await, arr(&[k, "a"]));
        assert_eq!(
            ok(&mut c, &["BRPOP", k, "none", "1.5"]).await,
            arr(&[k, "f"])
        );
        assert_eq!(
            ok(
                &mut c,
                &["BLMPOP", "0", "2", "none", k, "RIGHT", "COUNT", "2"]
            )
            .await,
            Value::Array(vec![b(k), arr(&["e", "d"])])
        );
        assert_eq!(
            ok(&mut c, &["BLMOVE", k, dst, "LEFT", "RIGHT", "0"]).await,
            b("b")
        );
        assert_eq!(ok(&mut c, &["BRPOPLPUSH", k, dst, "0"]).await, b("c"));
        assert_eq!(
            ok(&mut c, &["LRANGE", dst, "0", "-1"]).await,
            arr(&["c", "b"])
        );
        assert!(!key_exists(&ts, k));
        ok(&mut c, &["RPUSH", dst, "z"]).await;
        ok(&mut c, &["SET", "str", "v"]).await;
        // Keys are tried in order: a wrong type before a non-empty list is an error.
        assert_eq!(
            err(&mut c, &["BLPOP", "none", "str", dst, "0"]).await,
            WRONGTYPE
        );
        assert_eq!(
            ok(&mut c, &["BLPOP", dst, "str", "0"]).await,
            arr(&[dst, "c"])
        );
        assert_eq!(
            err(&mut c, &["BLMOVE", "str", "x", "LEFT", "LEFT", "0"]).await,
            WRONGTYPE
        );
        assert_eq!(
            err(&mut c, &["BLMOVE", dst, "str", "LEFT", "LEFT", "0"]).await,
            WRONGTYPE
        );
        assert_eq!(
            err(&mut c, &["BRPOPLPUSH", "str", "x", "0"]).await,
            WRONGTYPE
        );
    }
}

#[tokio::test]
async fn blocking_argument_errors() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    const NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
    const NEGATIVE: &str = "ERR timeout is negative";
    let cases: &[(&[&str], &str)] = &[
        (&["BLPOP", "k", "abc"], NOT_FLOAT),
        (&["BLPOP", "k", ""], NOT_FLOAT),
        (&["BLPOP", "k", " 1"], NOT_FLOAT),
        (&["BLPOP", "k", "nan"], NOT_FLOAT),
        (&["BLPOP", "k", "1e"], NOT_FLOAT),
        (&["BRPOP", "k", "-1"], NEGATIVE),
        (&["BRPOP", "k", "-0.5"], NEGATIVE),
        (&["BRPOP", "k", "inf"], NEGATIVE),
        (&["BRPOP", "k", "-inf"], NEGATIVE),
        (&["BRPOP", "k", "1e20"], NEGATIVE),
        (&["BLMOVE", "k", "d", "UP", "LEFT", "0"], SYNTAX),
        (&["BLMOVE", "k", "d", "LEFT", "LEFT", "x"], NOT_FLOAT),
        (&["BLMOVE", "k", "d", "UP", "LEFT", "x"], SYNTAX),
        (&["BRPOPLPUSH", "k", "d", "-1"], NEGATIVE),
        (
            &["BLMPOP", "0", "0", "k", "LEFT"],
            "ERR numkeys should be greater than 0",
        ),
        (
            &["BLMPOP", "x", "0", "k", "LEFT"],
            "ERR numkeys should be greater than 0",
        ),
        (&["BLMPOP", "x", "1", "k", "LEFT"], NOT_FLOAT),
        (&["BLMPOP", "-1", "1", "k", "LEFT"], NEGATIVE),
        (&["BLMPOP", "x", "1", "k", "MIDDLE"], SYNTAX),
        (
            &["BLMPOP", "x", "1", "k", "LEFT", "COUNT", "0"],
            "ERR count should be greater than 0",
        ),
        (&["BLMPOP", "0", "2", "k", "LEFT"], SYNTAX),
    ];
    for (args, expected) in cases {
        assert_eq!(&err(&mut c, args).await, expected, "{args:?}");
    }
    assert_eq!(
        err(&mut c, &["BLPOP", "k"]).await,
        "ERR wrong number of arguments for 'blpop' command"
    );
}

#[tokio::test]
async fn blocking_commands_inside_multi_do_not_block() {
    let ts = common::start("").await;
    let mut input = resp(&["MULTI"]);
    input.extend(resp(&["BLPOP", "none", "0"]));
    input.extend(resp(&["BRPOP", "none", "0"]));
    input.extend(resp(&["BLMOVE", "none", "d", "LEFT", "LEFT", "0"]));
    input.extend(resp(&["BRPOPLPUSH", "none", "d", "0"]));
    input.extend(resp(&["BLMPOP", "0", "1", "none", "LEFT"]));
    input.extend(resp(&["EXEC"]));
    let expected =
        b"+OK\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n+QUEUED\r\n*5\r\n*-1\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n";
    assert_eq!(raw_until(&ts, &input, expected).await, expected);

    let mut resp3_input = resp(&["HELLO", "3"]);
    resp3_input.extend(input);
    let out = raw_until(&ts, &resp3_input, b"*5\r\n_\r\n_\r\n_\r\n_\r\n_\r\n").await;
    assert!(out.ends_with(b"*5\r\n_\r\n_\r\n_\r\n_\r\n_\r\n"));
    assert_eq!(ts.server.store.lock().blocking.blocked_clients, 0);

    // Inside MULTI a non-empty key is popped as usual.
    let mut c = ts.conn(true).await;
    ok(&mut c, &["RPUSH", "m", "a", "b"]).await;
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("BLPOP")
        .arg("m")
        .arg(0)
        .cmd("BLMOVE")
        .arg("m")
        .arg("m2")
        .arg("LEFT")
        .arg("LEFT")
        .arg(0);
    let replies: Vec<Value> = pipe.query_async(&mut c).await.expect("exec");
    assert_eq!(replies, vec![arr(&["m", "a"]), b("b")]);
}
