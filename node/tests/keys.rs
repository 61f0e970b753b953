//! Generic key commands and active expiry against a node in-process, through the `redis`
//! crate in RESP2 and RESP3, with replies checked against what Redis 7.0.15 answers.

mod common;

use common::query;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use redis::Value;

async fn int(con: &mut redis::aio::MultiplexedConnection, words: &[&str]) -> i64 {
    let reply = query(con, words).await;
    reply
        .parse()
        .unwrap_or_else(|_| panic!("{words:?}: {reply}"))
}

fn put_list(server: &common::TestServer, db: usize, key: &str) {
    let value = node::types::Value::List(Box::default());
    server.server.store.lock().dbs[db].insert(key.as_bytes(), value);
}

/// Run a table of (command, RESP2 reply, RESP3 reply) on a fresh server. `!LIST key` stores a
/// list under `key` directly (the list commands live elsewhere).
async fn run_cases(cases: &[(&str, &str, &str)], resp3: bool) {
    let server = common::start("").await;
    let mut con = server.conn(resp3).await;
    for (line, resp2_reply, resp3_reply) in cases {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[0] == "!LIST" {
            put_list(&server, 0, words[1]);
            continue;
        }
        let got = query(&mut con, &words).await;
        let want = if resp3 { resp3_reply } else { resp2_reply };
        assert_eq!(&got, want, "{line} (resp3: {resp3})");
    }
}

#[tokio::test]
async fn key_commands_resp2() {
    run_cases(CASES, false).await;
}

#[tokio::test]
async fn key_commands_resp3() {
    run_cases(CASES, true).await;
}

/// Poll `DBSIZE` (which never expires keys itself) until it reaches `want`.
async fn wait_dbsize(con: &mut redis::aio::MultiplexedConnection, want: i64) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let size = int(con, &["DBSIZE"]).await;
        if size == want {
            return;
        }
        assert!(Instant::now() < deadline, "DBSIZE stuck at {size}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn active_expiry_removes_unread_keys() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    let mut pipe = redis::pipe();
    for i in 0..10_000 {
        pipe.cmd("SET")
            .arg(format!("volatile:{i}"))
            .arg("v")
            .arg("PX")
            .arg(50)
            .ignore();
    }
    pipe.cmd("SET").arg("stays").arg("v").ignore();
    let () = pipe.query_async(&mut con).await.expect("pipeline");
    wait_dbsize(&mut con, 1).await;
    let store = server.server.store.lock();
    assert_eq!(store.dbs[0].expires_len(), 0);
    assert_eq!(store.dbs[0].expired_keys, 10_000);
}

#[tokio::test]
async fn active_expiry_can_be_switched_off_and_touches_watchers() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    server.server.store.lock().active_expire.enabled = false;
    assert_eq!(query(&mut con, &["SET", "w", "v", "PX", "30"]).await, "OK");
    assert_eq!(query(&mut con, &["WATCH", "w"]).await, "OK");
    // Three ticks at the default hz of 10: nothing may remove the key meanwhile.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(int(&mut con, &["DBSIZE"]).await, 1);
    server.server.store.lock().active_expire.enabled = true;
    wait_dbsize(&mut con, 0).await;
    query(&mut con, &["MULTI"]).await;
    query(&mut con, &["PING"]).await;
    assert_eq!(query(&mut con, &["EXEC"]).await, "nil");
}

#[tokio::test]
async fn scan_returns_every_stable_key_despite_churn() {
    for (resp3, hash_tag) in [(false, ""), (true, "{same}")] {
        let server = common::start("").await;
        let mut con = server.conn(resp3).await;
        let mut pipe = redis::pipe();
        for i in 0..3000 {
            pipe.cmd("SET")
                .arg(format!("{hash_tag}stable:{i}"))
                .arg(i)
                .ignore();
        }
        let () = pipe.query_async(&mut con).await.expect("pipeline");
        let mut seen = HashSet::new();
        let mut cursor = "0".to_string();
        let mut calls = 0;
        loop {
            let reply: (String, Vec<String>) = redis::cmd("SCAN")
                .arg(&cursor)
                .arg("COUNT")
                .arg(50)
                .query_async(&mut con)
                .await
                .expect("scan");
            calls += 1;
            seen.extend(reply.1);
            // Churn: add and remove other keys between calls, so slot tables grow and shrink.
            let mut churn = redis::pipe();
            for j in 0..100 {
                churn
                    .cmd("SET")
                    .arg(format!("{hash_tag}churn:{calls}:{j}"))
                    .arg(j)
                    .ignore();
                churn
                    .cmd("DEL")
                    .arg(format!("{hash_tag}churn:{}:{j}", calls - 1))
                    .ignore();
            }
            let () = churn.query_async(&mut con).await.expect("churn");
            cursor = reply.0;
            if cursor == "0" {
                break;
            }
            assert!(calls < 10_000, "scan does not terminate");
        }
        for i in 0..3000 {
            assert!(
                seen.contains(&format!("{hash_tag}stable:{i}")),
                "missed stable:{i}"
            );
        }
    }
}

#[tokio::test]
async fn scan_match_type_and_count() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    for i in 0..200 {
        query(&mut con, &["SET", &format!("user:{i}"), "v"]).await;
        query(&mut con, &["SET", &format!("item:{i}"), "v"]).await;
    }
    put_list(&server, 0, "user:list");
    query(&mut con, &["SET", "user:gone", "v", "PX", "1"]).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let mut users = HashSet::new();
    let mut lists = Vec::new();
    let mut cursor = "0".to_string();
    loop {
        let (next, keys): (String, Vec<String>) = redis::cmd("SCAN")
            .arg(&cursor)
            .arg("MATCH")
            .arg("user:*")
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut con)
            .await
            .expect("scan");
        users.extend(keys);
        let (_, typed): (String, Vec<String>) = redis::cmd("SCAN")
            .arg(&cursor)
            .arg("TYPE")
            .arg("list")
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut con)
            .await
            .expect("scan");
        lists.extend(typed);
        cursor = next;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(
        users.len(),
        201,
        "200 strings and the list, not the expired key"
    );
    assert!(users.iter().all(|k| k.starts_with("user:")));
    assert_eq!(lists, vec!["user:list".to_string()]);
    // A large COUNT finishes in one call; KEYS agrees.
    let (next, all): (String, Vec<String>) = redis::cmd("SCAN")
        .arg(0)
        .arg("COUNT")
        .arg(100_000)
        .query_async(&mut con)
        .await
        .expect("scan");
    assert_eq!((next.as_str(), all.len()), ("0", 401));
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("item:1?")
        .query_async(&mut con)
        .await
        .expect("keys");
    assert_eq!(keys.len(), 10);
}

#[tokio::test]
async fn randomkey_skips_expired_keys() {
    let server = common::start("").await;
    let mut con = server.conn(true).await;
    server.server.store.lock().active_expire.enabled = false;
    for i in 0..50 {
        query(&mut con, &["SET", &format!("short:{i}"), "v", "PX", "1"]).await;
    }
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(query(&mut con, &["RANDOMKEY"]).await, "nil");
    assert_eq!(int(&mut con, &["DBSIZE"]).await, 0);
    query(&mut con, &["SET", "a", "1"]).await;
    query(&mut con, &["SET", "b", "1"]).await;
    let mut seen = HashSet::new();
    for _ in 0..200 {
        seen.insert(query(&mut con, &["RANDOMKEY"]).await);
    }
    assert_eq!(
        seen,
        HashSet::from(["\"a\"".to_string(), "\"b\"".to_string()])
    );
}

#[tokio::test]
async fn copy_move_and_swapdb_across_databases() {
    for resp3 in [false, true] {
        let server = common::start("").await;
        let mut con = server.conn(resp3).await;
        query(&mut con, &["SET", "k", "v", "EX", "100"]).await;
        put_list(&server, 0, "list");
        assert_eq!(int(&mut con, &["COPY", "k", "k", "DB", "2"]).await, 1);
        assert_eq!(int(&mut con, &["COPY", "list", "list2"]).await, 1);
        assert_eq!(query(&mut con, &["TYPE", "list2"]).await, "list");
        assert_eq!(int(&mut con, &["MOVE", "k", "3"]).await, 1);
        assert_eq!(int(&mut con, &["EXISTS", "k"]).await, 0);
        assert_eq!(query(&mut con, &["SWAPDB", "0", "2"]).await, "OK");
        assert_eq!(query(&mut con, &["GET", "k"]).await, "\"v\"");
        assert_eq!(int(&mut con, &["TTL", "k"]).await, 100);
        assert_eq!(query(&mut con, &["SELECT", "3"]).await, "OK");
        assert_eq!(int(&mut con, &["TTL", "k"]).await, 100);
        assert_eq!(query(&mut con, &["SELECT", "2"]).await, "OK");
        assert_eq!(query(&mut con, &["TYPE", "list2"]).await, "list");
        assert_eq!(int(&mut con, &["DBSIZE"]).await, 2);
    }
}

#[tokio::test]
async fn flush_and_swapdb_touch_only_affected_watchers() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    let mut other = server.conn(false).await;
    // (setup in db 0 unless noted, the other client's command, whether EXEC is aborted)
    type Case<'a> = (&'a [&'a [&'a str]], &'a [&'a str], bool);
    let cases: &[Case] = &[
        (&[], &["FLUSHDB"], false),
        (&[&["SET", "w", "1"]], &["FLUSHDB"], true),
        (&[&["SET", "w", "1"]], &["FLUSHALL", "ASYNC"], true),
        (&[&["SET", "other", "1"]], &["FLUSHALL"], false),
        (&[&["SET", "w", "1"]], &["SWAPDB", "0", "1"], true),
        (
            &[&["SELECT", "1"], &["SET", "w", "1"], &["SELECT", "0"]],
            &["SWAPDB", "1", "0"],
            true,
        ),
        (&[&["SET", "other", "1"]], &["SWAPDB", "0", "1"], false),
        (&[&["SET", "w", "1"]], &["SWAPDB", "0", "0"], false),
        (&[&["SET", "w", "1"]], &["DEL", "w"], true),
        (&[&["SET", "w", "1"]], &["UNLINK", "nokey"], false),
        (&[&["SET", "w", "1"]], &["EXPIRE", "w", "100"], true),
        (&[&["SET", "w", "1"]], &["EXPIRE", "w", "100", "XX"], false),
        (&[&["SET", "w", "1"]], &["EXPIRE", "w", "-1"], true),
        (&[&["SET", "w", "1"]], &["RENAME", "w", "x"], true),
        (&[&["SET", "x", "1"]], &["RENAME", "x", "w"], true),
        (&[&["SET", "x", "1"]], &["COPY", "x", "w"], true),
        (&[&["SET", "w", "1"]], &["MOVE", "w", "1"], true),
        (&[&["SET", "w", "1"]], &["TOUCH", "w"], false),
    ];
    for (setup, write, aborted) in cases {
        let _: Value = redis::cmd("FLUSHALL")
            .query_async(&mut con)
            .await
            .expect("flush");
        for cmd in *setup {
            query(&mut other, cmd).await;
        }
        query(&mut other, &["SELECT", "0"]).await;
        query(&mut con, &["WATCH", "w"]).await;
        query(&mut other, write).await;
        query(&mut con, &["MULTI"]).await;
        query(&mut con, &["PING"]).await;
        let exec = query(&mut con, &["EXEC"]).await;
        let want = if *aborted { "nil" } else { "[PONG]" };
        assert_eq!(exec, want, "{setup:?} then {write:?}");
    }
}

#[tokio::test]
async fn flush_async_empties_large_databases() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    for db in 0..3 {
        let mut pipe = redis::pipe();
        pipe.cmd("SELECT").arg(db).ignore();
        for i in 0..5000 {
            pipe.cmd("SET").arg(format!("k{i}")).arg(i).ignore();
        }
        let () = pipe.query_async(&mut con).await.expect("fill");
    }
    assert_eq!(query(&mut con, &["FLUSHDB", "ASYNC"]).await, "OK");
    assert_eq!(int(&mut con, &["DBSIZE"]).await, 0);
    query(&mut con, &["SELECT", "0"]).await;
    assert_eq!(int(&mut con, &["DBSIZE"]).await, 5000);
    assert_eq!(query(&mut con, &["FLUSHALL", "ASYNC"]).await, "OK");
    for db in 0..3 {
        query(&mut con, &["SELECT", &db.to_string()]).await;
        assert_eq!(int(&mut con, &["DBSIZE"]).await, 0);
    }
    assert_eq!(query(&mut con, &["SET", "after", "1"]).await, "OK");
    assert_eq!(int(&mut con, &["DBSIZE"]).await, 1);
}

#[tokio::test]
async fn raw_replies() {
    let server = common::start("").await;
    let want = b"+OK\r\n*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n+string\r\n$1\r\na\r\n+OK\r\n$-1\r\n";
    let input = b"SET a 1\r\nSCAN 0\r\nTYPE a\r\nRANDOMKEY\r\nFLUSHDB\r\nRANDOMKEY\r\n";
    let reply = server.raw(input, want.len()).await;
    assert_eq!(reply, want.to_vec(), "{:?}", reply.escape_ascii());
    let hello = server.raw(b"HELLO 3\r\n", 1).await.len();
    let reply = server.raw(b"HELLO 3\r\nRANDOMKEY\r\n", hello + 3).await;
    assert!(reply.ends_with(b"\r\n_\r\n"), "{:?}", reply.escape_ascii());
}

const CASES: &[(&str, &str, &str)] = &[
    (r#"!LIST l"#, r#""#, r#""#),
    (r#"TYPE l"#, r#"list"#, r#"list"#),
    (r#"SCAN 0 TYPE list"#, r#"["0", ["l"]]"#, r#"["0", ["l"]]"#),
    (r#"SCAN 0 TYPE string"#, r#"["0", []]"#, r#"["0", []]"#),
    (r#"RENAME l l2"#, r#"OK"#, r#"OK"#),
    (r#"TYPE l2"#, r#"list"#, r#"list"#),
    (r#"COPY l2 l3"#, r#"1"#, r#"1"#),
    (r#"TYPE l3"#, r#"list"#, r#"list"#),
    (r#"FLUSHALL"#, r#"OK"#, r#"OK"#),
    (r#"SET a 1"#, r#"OK"#, r#"OK"#),
    (r#"SET b 2"#, r#"OK"#, r#"OK"#),
    (r#"DEL a b c a"#, r#"2"#, r#"2"#),
    (r#"EXISTS a b"#, r#"0"#, r#"0"#),
    (r#"SET a 1"#, r#"OK"#, r#"OK"#),
    (r#"EXISTS a a a nokey"#, r#"3"#, r#"3"#),
    (r#"UNLINK a nokey"#, r#"1"#, r#"1"#),
    (r#"TYPE nokey"#, r#"none"#, r#"none"#),
    (r#"SET a 1"#, r#"OK"#, r#"OK"#),
    (r#"TYPE a"#, r#"string"#, r#"string"#),
    (
        r#"RENAME nokey x"#,
        r#"ERR no such key"#,
        r#"ERR no such key"#,
    ),
    (r#"RENAME a a"#, r#"OK"#, r#"OK"#),
    (r#"RENAMENX a a"#, r#"0"#, r#"0"#),
    (r#"RENAME a b"#, r#"OK"#, r#"OK"#),
    (r#"GET b"#, r#""1""#, r#""1""#),
    (r#"EXISTS a"#, r#"0"#, r#"0"#),
    (r#"SET c 3"#, r#"OK"#, r#"OK"#),
    (r#"RENAMENX b c"#, r#"0"#, r#"0"#),
    (r#"RENAMENX b d"#, r#"1"#, r#"1"#),
    (r#"EXPIRE d 100"#, r#"1"#, r#"1"#),
    (r#"RENAME d e"#, r#"OK"#, r#"OK"#),
    (r#"TTL e"#, r#"100"#, r#"100"#),
    (r#"SET x 1"#, r#"OK"#, r#"OK"#),
    (
        r#"COPY x x"#,
        r#"ERR source and destination objects are the same"#,
        r#"ERR source and destination objects are the same"#,
    ),
    (
        r#"COPY x y DB abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"COPY x y DB 99"#,
        r#"ERR DB index is out of range"#,
        r#"ERR DB index is out of range"#,
    ),
    (
        r#"COPY x y DB -1"#,
        r#"ERR DB index is out of range"#,
        r#"ERR DB index is out of range"#,
    ),
    (
        r#"COPY x y DB 4294967296"#,
        r#"ERR value is out of range, value must between -2147483648 and 2147483647"#,
        r#"ERR value is out of range, value must between -2147483648 and 2147483647"#,
    ),
    (
        r#"COPY x y FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"COPY x y DB"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"COPY nokey y"#, r#"0"#, r#"0"#),
    (r#"COPY x y"#, r#"1"#, r#"1"#),
    (r#"COPY x y"#, r#"0"#, r#"0"#),
    (r#"COPY x y REPLACE"#, r#"1"#, r#"1"#),
    (r#"EXPIRE x 100"#, r#"1"#, r#"1"#),
    (r#"COPY x y REPLACE"#, r#"1"#, r#"1"#),
    (r#"TTL y"#, r#"100"#, r#"100"#),
    (r#"COPY x x DB 1"#, r#"1"#, r#"1"#),
    (r#"COPY x x DB 1"#, r#"0"#, r#"0"#),
    (
        r#"MOVE x abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"MOVE x 99"#,
        r#"ERR DB index is out of range"#,
        r#"ERR DB index is out of range"#,
    ),
    (
        r#"MOVE x 0"#,
        r#"ERR source and destination objects are the same"#,
        r#"ERR source and destination objects are the same"#,
    ),
    (
        r#"MOVE x -1"#,
        r#"ERR DB index is out of range"#,
        r#"ERR DB index is out of range"#,
    ),
    (
        r#"MOVE x 4294967296"#,
        r#"ERR value is out of range, value must between -2147483648 and 2147483647"#,
        r#"ERR value is out of range, value must between -2147483648 and 2147483647"#,
    ),
    (r#"MOVE nokey 1"#, r#"0"#, r#"0"#),
    (r#"MOVE x 1"#, r#"0"#, r#"0"#),
    (r#"EXISTS x"#, r#"1"#, r#"1"#),
    (r#"SET x 2"#, r#"OK"#, r#"OK"#),
    (r#"MOVE x 1"#, r#"0"#, r#"0"#),
    (r#"SET t v"#, r#"OK"#, r#"OK"#),
    (
        r#"EXPIRE t 10 NX XX"#,
        r#"ERR NX and XX, GT or LT options at the same time are not compatible"#,
        r#"ERR NX and XX, GT or LT options at the same time are not compatible"#,
    ),
    (
        r#"EXPIRE t 10 GT LT"#,
        r#"ERR GT and LT options at the same time are not compatible"#,
        r#"ERR GT and LT options at the same time are not compatible"#,
    ),
    (
        r#"EXPIRE t 10 FOO"#,
        r#"ERR Unsupported option FOO"#,
        r#"ERR Unsupported option FOO"#,
    ),
    (
        r#"EXPIRE t abc FOO"#,
        r#"ERR Unsupported option FOO"#,
        r#"ERR Unsupported option FOO"#,
    ),
    (
        r#"EXPIRE t abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"EXPIRE t 9223372036854775"#,
        r#"ERR invalid expire time in 'expire' command"#,
        r#"ERR invalid expire time in 'expire' command"#,
    ),
    (
        r#"EXPIRE t -9223372036854775808"#,
        r#"ERR invalid expire time in 'expire' command"#,
        r#"ERR invalid expire time in 'expire' command"#,
    ),
    (
        r#"PEXPIRE t 9223372036854775807"#,
        r#"ERR invalid expire time in 'pexpire' command"#,
        r#"ERR invalid expire time in 'pexpire' command"#,
    ),
    (
        r#"EXPIRE nokey 10 NX XX"#,
        r#"ERR NX and XX, GT or LT options at the same time are not compatible"#,
        r#"ERR NX and XX, GT or LT options at the same time are not compatible"#,
    ),
    (
        r#"EXPIRE nokey abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"EXPIRE nokey 10"#, r#"0"#, r#"0"#),
    (r#"EXPIRE t 100 XX"#, r#"0"#, r#"0"#),
    (r#"EXPIRE t 100 NX"#, r#"1"#, r#"1"#),
    // 99 s: not greater than the 100 s just set, whatever millisecond this runs in.
    (r#"EXPIRE t 99 GT"#, r#"0"#, r#"0"#),
    (r#"EXPIRE t 100 LT"#, r#"0"#, r#"0"#),
    (r#"TTL t"#, r#"100"#, r#"100"#),
    (r#"EXPIRE t 200 GT"#, r#"1"#, r#"1"#),
    (r#"EXPIRE t 50 LT"#, r#"1"#, r#"1"#),
    (r#"TTL t"#, r#"50"#, r#"50"#),
    (r#"EXPIRE t 60 nx"#, r#"0"#, r#"0"#),
    (r#"PERSIST t"#, r#"1"#, r#"1"#),
    (r#"PERSIST t"#, r#"0"#, r#"0"#),
    (r#"PERSIST nokey"#, r#"0"#, r#"0"#),
    (r#"EXPIRE t 60 gt"#, r#"0"#, r#"0"#),
    (r#"EXPIRE t 60 lt"#, r#"1"#, r#"1"#),
    (r#"TTL t"#, r#"60"#, r#"60"#),
    (r#"PEXPIREAT t 9223372036854775807"#, r#"1"#, r#"1"#),
    (
        r#"EXPIRETIME t"#,
        r#"9223372036854776"#,
        r#"9223372036854776"#,
    ),
    (
        r#"PEXPIRETIME t"#,
        r#"9223372036854775807"#,
        r#"9223372036854775807"#,
    ),
    (r#"PEXPIREAT t 99999999999499"#, r#"1"#, r#"1"#),
    (r#"EXPIRETIME t"#, r#"99999999999"#, r#"99999999999"#),
    (r#"PEXPIREAT t 99999999999500"#, r#"1"#, r#"1"#),
    (r#"EXPIRETIME t"#, r#"100000000000"#, r#"100000000000"#),
    (r#"EXPIREAT t 99999999999"#, r#"1"#, r#"1"#),
    (r#"EXPIRETIME t"#, r#"99999999999"#, r#"99999999999"#),
    (r#"PEXPIRETIME t"#, r#"99999999999000"#, r#"99999999999000"#),
    (r#"EXPIRETIME nokey"#, r#"-2"#, r#"-2"#),
    (r#"PTTL nokey"#, r#"-2"#, r#"-2"#),
    (r#"TTL nokey"#, r#"-2"#, r#"-2"#),
    (r#"SET t2 v"#, r#"OK"#, r#"OK"#),
    (r#"TTL t2"#, r#"-1"#, r#"-1"#),
    (r#"PTTL t2"#, r#"-1"#, r#"-1"#),
    (r#"EXPIRETIME t2"#, r#"-1"#, r#"-1"#),
    (r#"PEXPIRETIME t2"#, r#"-1"#, r#"-1"#),
    (r#"EXPIRE t2 -1"#, r#"1"#, r#"1"#),
    (r#"EXISTS t2"#, r#"0"#, r#"0"#),
    (r#"SET t2 v"#, r#"OK"#, r#"OK"#),
    (r#"PEXPIREAT t2 1"#, r#"1"#, r#"1"#),
    (r#"EXISTS t2"#, r#"0"#, r#"0"#),
    (r#"SET t2 v"#, r#"OK"#, r#"OK"#),
    (r#"EXPIREAT t2 0"#, r#"1"#, r#"1"#),
    (r#"EXISTS t2"#, r#"0"#, r#"0"#),
    (r#"TOUCH t nokey t"#, r#"2"#, r#"2"#),
    (r#"DBSIZE"#, r#"5"#, r#"5"#),
    (
        r#"SCAN abc"#,
        r#"ERR invalid cursor"#,
        r#"ERR invalid cursor"#,
    ),
    (
        r#"SCAN " 1""#,
        r#"ERR invalid cursor"#,
        r#"ERR invalid cursor"#,
    ),
    (
        r#"SCAN 0 COUNT 0"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SCAN 0 COUNT abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"SCAN 0 TYPE"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SCAN 0 FOO bar"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SCAN 0 MATCH"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SCAN 18446744073709551616"#,
        r#"ERR invalid cursor"#,
        r#"ERR invalid cursor"#,
    ),
    (
        r#"SWAPDB a 1"#,
        r#"ERR invalid first DB index"#,
        r#"ERR invalid first DB index"#,
    ),
    (
        r#"SWAPDB 1 a"#,
        r#"ERR invalid second DB index"#,
        r#"ERR invalid second DB index"#,
    ),
    (
        r#"SWAPDB 1 99"#,
        r#"ERR DB index is out of range"#,
        r#"ERR DB index is out of range"#,
    ),
    (r#"SWAPDB 0 0"#, r#"OK"#, r#"OK"#),
    (
        r#"SWAPDB -1 0"#,
        r#"ERR DB index is out of range"#,
        r#"ERR DB index is out of range"#,
    ),
    (
        r#"SWAPDB 4294967296 0"#,
        r#"ERR invalid first DB index"#,
        r#"ERR invalid first DB index"#,
    ),
    (
        r#"SWAPDB 0 4294967296"#,
        r#"ERR invalid second DB index"#,
        r#"ERR invalid second DB index"#,
    ),
    (
        r#"FLUSHDB foo"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"FLUSHDB async"#, r#"OK"#, r#"OK"#),
    (r#"FLUSHALL sync"#, r#"OK"#, r#"OK"#),
    (
        r#"FLUSHALL a b"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"DBSIZE"#, r#"0"#, r#"0"#),
    (r#"RANDOMKEY"#, r#"nil"#, r#"nil"#),
    (r#"SET only one"#, r#"OK"#, r#"OK"#),
    (r#"RANDOMKEY"#, r#""only""#, r#""only""#),
    (r#"KEYS *"#, r#"["only"]"#, r#"["only"]"#),
    (r#"KEYS o*"#, r#"["only"]"#, r#"["only"]"#),
    (r#"KEYS x*"#, r#"[]"#, r#"[]"#),
    (r#"SCAN 0"#, r#"["0", ["only"]]"#, r#"["0", ["only"]]"#),
    (
        r#"SCAN 0 MATCH o* COUNT 100"#,
        r#"["0", ["only"]]"#,
        r#"["0", ["only"]]"#,
    ),
    (
        r#"SCAN 0 TYPE string"#,
        r#"["0", ["only"]]"#,
        r#"["0", ["only"]]"#,
    ),
    (r#"SCAN 0 TYPE list"#, r#"["0", []]"#, r#"["0", []]"#),
    (
        r#"SCAN 0 TYPE STRING"#,
        r#"["0", ["only"]]"#,
        r#"["0", ["only"]]"#,
    ),
];
