//! String commands against a node in-process, through the `redis` crate in RESP2 and RESP3,
//! with replies checked against what Redis 7.0.15 answers.

mod common;

use common::query;

use redis::Value;

/// Run a table of (command, RESP2 reply, RESP3 reply) on a fresh server. `!LIST key` stores a
/// list under `key` directly (the list commands live elsewhere).
async fn run_cases(cases: &[(&str, &str, &str)], resp3: bool) {
    let server = common::start("").await;
    let mut con = server.conn(resp3).await;
    for (line, resp2_reply, resp3_reply) in cases {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words[0] == "!LIST" {
            let value = node::types::Value::List(Box::default());
            server.server.store.lock().dbs[0].insert(words[1].as_bytes(), value);
            continue;
        }
        let got = query(&mut con, &words).await;
        let want = if resp3 { resp3_reply } else { resp2_reply };
        assert_eq!(&got, want, "{line} (resp3: {resp3})");
    }
}

#[tokio::test]
async fn string_commands_resp2() {
    run_cases(CASES, false).await;
}

#[tokio::test]
async fn string_commands_resp3() {
    run_cases(CASES, true).await;
}

/// Length of the reply to `HELLO 3`, to skip it in raw exchanges.
async fn hello3_len(server: &common::TestServer) -> usize {
    server.raw(b"HELLO 3\r\n", 1).await.len()
}

#[tokio::test]
async fn raw_null_and_lcs_map_bytes() {
    let server = common::start("").await;
    let reply = server.raw(b"GET nokey\r\n", 5).await;
    assert_eq!(reply, b"$-1\r\n");
    let hello = hello3_len(&server).await;
    let reply = server.raw(b"HELLO 3\r\nGET nokey\r\n", hello + 3).await;
    assert!(reply.ends_with(b"\r\n_\r\n"), "{:?}", reply.escape_ascii());

    let setup = b"MSET key1 ohmytext key2 mynewtext\r\n";
    server.raw(setup, 5).await;
    let map = b"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n";
    let reply = server
        .raw(
            b"HELLO 3\r\nLCS key1 key2 IDX WITHMATCHLEN\r\n",
            hello + map.len(),
        )
        .await;
    assert!(reply.ends_with(map), "{:?}", reply.escape_ascii());
    let flat = b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n";
    let reply = server.raw(b"LCS key1 key2 IDX\r\n", flat.len()).await;
    assert_eq!(reply, flat.to_vec(), "{:?}", reply.escape_ascii());

    // SET ... GET on a missing key and MGET holes: null bulk, `_` in RESP3.
    let reply = server
        .raw(b"SET fresh v GET\r\nMGET fresh nokey\r\n", 5 + 18)
        .await;
    assert_eq!(reply, b"$-1\r\n*2\r\n$1\r\nv\r\n$-1\r\n");
    let reply = server
        .raw(b"HELLO 3\r\nMGET fresh nokey\r\n", hello + 15)
        .await;
    assert!(
        reply.ends_with(b"*2\r\n$1\r\nv\r\n_\r\n"),
        "{:?}",
        reply.escape_ascii()
    );
    let reply = server.raw(b"INCRBYFLOAT fl 2.5\r\n", 9).await;
    assert_eq!(reply, b"$3\r\n2.5\r\n");
}

#[tokio::test]
async fn expiry_options_set_the_ttl() {
    for resp3 in [false, true] {
        let server = common::start("").await;
        let mut con = server.conn(resp3).await;
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis() as i64;
        assert_eq!(
            query(&mut con, &["SET", "a", "v", "PX", "100000"]).await,
            "OK"
        );
        let pttl: i64 = query(&mut con, &["PTTL", "a"]).await.parse().expect("int");
        assert!((99_000..=100_000).contains(&pttl), "{pttl}");
        let at = (now_ms + 50_000).to_string();
        assert_eq!(query(&mut con, &["SET", "b", "v", "PXAT", &at]).await, "OK");
        assert_eq!(query(&mut con, &["PEXPIRETIME", "b"]).await, at);
        let at_s = (now_ms / 1000 + 70).to_string();
        assert_eq!(
            query(&mut con, &["SET", "c", "v", "EXAT", &at_s]).await,
            "OK"
        );
        assert_eq!(query(&mut con, &["EXPIRETIME", "c"]).await, at_s);
        // KEEPTTL keeps it, a plain SET clears it, INCR keeps it.
        assert_eq!(query(&mut con, &["SET", "c", "w", "KEEPTTL"]).await, "OK");
        assert_eq!(query(&mut con, &["EXPIRETIME", "c"]).await, at_s);
        assert_eq!(query(&mut con, &["SET", "n", "1", "EX", "100"]).await, "OK");
        assert_eq!(query(&mut con, &["INCR", "n"]).await, "2");
        assert_eq!(query(&mut con, &["TTL", "n"]).await, "100");
        assert_eq!(query(&mut con, &["APPEND", "n", "0"]).await, "2");
        assert_eq!(query(&mut con, &["TTL", "n"]).await, "100");
        assert_eq!(query(&mut con, &["SET", "c", "x"]).await, "OK");
        assert_eq!(query(&mut con, &["TTL", "c"]).await, "-1");
        // GETEX PX, then lazily expired keys read as missing.
        assert_eq!(query(&mut con, &["GETEX", "c", "PX", "30"]).await, "\"x\"");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while query(&mut con, &["GET", "c"]).await != "nil" {
            assert!(std::time::Instant::now() < deadline, "key never expired");
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(query(&mut con, &["STRLEN", "c"]).await, "0");
    }
}

#[tokio::test]
async fn binary_values_and_limits() {
    let server = common::start("proto-max-bulk-len 1mb").await;
    let mut con = server.conn(false).await;
    let blob: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let _: () = redis::cmd("SET")
        .arg("bin")
        .arg(&blob)
        .query_async(&mut con)
        .await
        .expect("set");
    let back: Vec<u8> = redis::cmd("GET")
        .arg("bin")
        .query_async(&mut con)
        .await
        .expect("get");
    assert_eq!(back, blob);
    // Limits follow proto-max-bulk-len.
    let over = (1024 * 1024).to_string();
    assert_eq!(
        query(&mut con, &["SETRANGE", "bin", &over, "x"]).await,
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
    let within = (1024 * 1024 - 1).to_string();
    assert_eq!(
        query(&mut con, &["SETRANGE", "big", &within, "x"]).await,
        (1024 * 1024).to_string()
    );
    assert_eq!(
        query(&mut con, &["APPEND", "big", "y"]).await,
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    );
    let bit = (8 * 1024 * 1024).to_string();
    assert_eq!(
        query(&mut con, &["SETBIT", "bits", &bit, "1"]).await,
        "ERR bit offset is not an integer or out of range"
    );
    let bit = (8 * 1024 * 1024 - 1).to_string();
    assert_eq!(query(&mut con, &["SETBIT", "bits", &bit, "1"]).await, "0");
    assert_eq!(
        query(&mut con, &["STRLEN", "bits"]).await,
        (1024 * 1024).to_string()
    );
    assert_eq!(query(&mut con, &["BITCOUNT", "bits"]).await, "1");
    assert_eq!(query(&mut con, &["BITPOS", "bits", "1"]).await, bit);
    // LCS refuses a table larger than proto-max-bulk-len.
    assert_eq!(
        query(&mut con, &["LCS", "big", "bits"]).await,
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
    );
}

#[tokio::test]
async fn writes_touch_watchers_only_on_change() {
    let server = common::start("").await;
    let mut con = server.conn(false).await;
    let mut other = server.conn(false).await;
    // (setup, write by another client, whether EXEC is aborted)
    let cases: &[(&[&str], &[&str], bool)] = &[
        (
            &["SETBIT", "k", "7", "1"],
            &["SETBIT", "k", "7", "1"],
            false,
        ),
        (&["SETBIT", "k", "7", "1"], &["SETBIT", "k", "7", "0"], true),
        (
            &["SETBIT", "k", "7", "1"],
            &["SETBIT", "k", "100", "0"],
            true,
        ),
        (&["SET", "k", "v"], &["SETRANGE", "k", "0", ""], false),
        (&["SET", "k", "v"], &["SETRANGE", "k", "0", "x"], true),
        (&["SET", "k", "v"], &["PERSIST", "k"], false),
        (&["SET", "k", "v", "EX", "100"], &["PERSIST", "k"], true),
        (&["SET", "k", "v"], &["GETEX", "k", "PERSIST"], false),
        (&["SET", "k", "v"], &["GETEX", "k", "EX", "10"], true),
        (&["SET", "k", "v"], &["GET", "k"], false),
        (&["SET", "k", "v"], &["SET", "k", "v"], true),
        (&["SET", "k", "v"], &["SET", "k", "w", "NX"], false),
        (&["SET", "k", "v"], &["APPEND", "k", "x"], true),
        (&["SET", "k", "1"], &["INCRBYFLOAT", "k", "1"], true),
        (&["SET", "k", "v"], &["BITOP", "NOT", "k", "nokey"], true),
        (&["DEL", "k"], &["BITOP", "NOT", "k", "nokey"], false),
        (&["SET", "k", "v"], &["GETDEL", "k"], true),
        (&["SET", "k", "v"], &["MSETNX", "k", "1", "z", "2"], false),
        (&["SET", "z", "v"], &["MSET", "k", "1", "z", "2"], true),
    ];
    for (setup, write, aborted) in cases {
        let _: Value = redis::cmd("FLUSHALL")
            .query_async(&mut con)
            .await
            .expect("flush");
        query(&mut con, setup).await;
        query(&mut con, &["WATCH", "k"]).await;
        query(&mut other, write).await;
        query(&mut con, &["MULTI"]).await;
        query(&mut con, &["PING"]).await;
        let exec = query(&mut con, &["EXEC"]).await;
        let want = if *aborted { "nil" } else { "[PONG]" };
        assert_eq!(exec, want, "{setup:?} then {write:?}");
    }
}

const CASES: &[(&str, &str, &str)] = &[
    (r#"!LIST l"#, r#""#, r#""#),
    (
        r#"SET l v GET"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"SET l v NX GET"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"GET l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"GETEX l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"GETDEL l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"GETSET l v"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (r#"MGET l"#, r#"[nil]"#, r#"[nil]"#),
    (
        r#"APPEND l x"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"STRLEN l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"INCR l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"INCRBYFLOAT l 1"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"GETRANGE l 0 1"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"SETRANGE l 0 x"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"SETRANGE l -1 """#,
        r#"ERR offset is out of range"#,
        r#"ERR offset is out of range"#,
    ),
    (
        r#"SETRANGE l 0 """#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"SETBIT l 0 1"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"GETBIT l 0"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"BITCOUNT l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"BITPOS l 1"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"BITOP AND d l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (
        r#"LCS l k"#,
        r#"ERR The specified keys must contain string values"#,
        r#"ERR The specified keys must contain string values"#,
    ),
    (
        r#"LCS k l IDX"#,
        r#"ERR The specified keys must contain string values"#,
        r#"ERR The specified keys must contain string values"#,
    ),
    (
        r#"DECR l"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
        r#"WRONGTYPE Operation against a key holding the wrong kind of value"#,
    ),
    (r#"SETNX l v"#, r#"0"#, r#"0"#),
    (r#"SET l v"#, r#"OK"#, r#"OK"#),
    (r#"GET l"#, r#""v""#, r#""v""#),
    (r#"GET nokey"#, r#"nil"#, r#"nil"#),
    (r#"SET k v"#, r#"OK"#, r#"OK"#),
    (r#"GET k"#, r#""v""#, r#""v""#),
    (r#"SET k v NX"#, r#"nil"#, r#"nil"#),
    (r#"SET k v2 XX GET"#, r#""v""#, r#""v""#),
    (r#"SET k v3 NX GET"#, r#""v2""#, r#""v2""#),
    (r#"SET nk v XX GET"#, r#"nil"#, r#"nil"#),
    (r#"SET nk v XX"#, r#"nil"#, r#"nil"#),
    (
        r#"SET k v EX 10 PX 10"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SET k v EX 0"#,
        r#"ERR invalid expire time in 'set' command"#,
        r#"ERR invalid expire time in 'set' command"#,
    ),
    (
        r#"SET k v PX -1"#,
        r#"ERR invalid expire time in 'set' command"#,
        r#"ERR invalid expire time in 'set' command"#,
    ),
    (
        r#"SET k v EX 9223372036854775"#,
        r#"ERR invalid expire time in 'set' command"#,
        r#"ERR invalid expire time in 'set' command"#,
    ),
    (
        r#"SET k v EX abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"SET k v KEEPTTL EX 10"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SET k v EX 10 KEEPTTL"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SET k v PERSIST"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SET k v FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SET k v EX"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"SET k v NX XX"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"SET k v EXAT 9223372036854775"#, r#"OK"#, r#"OK"#),
    (
        r#"EXPIRETIME k"#,
        r#"9223372036854775"#,
        r#"9223372036854775"#,
    ),
    (r#"SET k v KEEPTTL"#, r#"OK"#, r#"OK"#),
    (
        r#"EXPIRETIME k"#,
        r#"9223372036854775"#,
        r#"9223372036854775"#,
    ),
    (r#"SET k v PXAT 1"#, r#"OK"#, r#"OK"#),
    (r#"GET k"#, r#"nil"#, r#"nil"#),
    (r#"EXISTS k"#, r#"0"#, r#"0"#),
    (r#"SET k v GET EX 100"#, r#"nil"#, r#"nil"#),
    (r#"TTL k"#, r#"100"#, r#"100"#),
    (r#"GETEX nokey EX abc"#, r#"nil"#, r#"nil"#),
    (
        r#"GETEX k EX abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"GETEX k FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"GETEX k EX 0"#,
        r#"ERR invalid expire time in 'getex' command"#,
        r#"ERR invalid expire time in 'getex' command"#,
    ),
    (
        r#"GETEX k PERSIST EX 10"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"GETEX k KEEPTTL"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"GETEX k NX"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"GETEX k EX 100"#, r#""v""#, r#""v""#),
    (r#"TTL k"#, r#"100"#, r#"100"#),
    (r#"GETEX k PERSIST"#, r#""v""#, r#""v""#),
    (r#"TTL k"#, r#"-1"#, r#"-1"#),
    (r#"GETEX k PX 5000"#, r#""v""#, r#""v""#),
    (r#"GETEX k EXAT 1"#, r#""v""#, r#""v""#),
    (r#"EXISTS k"#, r#"0"#, r#"0"#),
    (r#"GETDEL nokey"#, r#"nil"#, r#"nil"#),
    (r#"SET k v"#, r#"OK"#, r#"OK"#),
    (r#"GETDEL k"#, r#""v""#, r#""v""#),
    (r#"EXISTS k"#, r#"0"#, r#"0"#),
    (r#"GETSET k a"#, r#"nil"#, r#"nil"#),
    (r#"GETSET k b"#, r#""a""#, r#""a""#),
    (r#"GET k"#, r#""b""#, r#""b""#),
    (
        r#"MGET k nokey k"#,
        r#"["b", nil, "b"]"#,
        r#"["b", nil, "b"]"#,
    ),
    (r#"MSET a 1 b 2"#, r#"OK"#, r#"OK"#),
    (
        r#"MSET a 1 b"#,
        r#"ERR wrong number of arguments for 'mset' command"#,
        r#"ERR wrong number of arguments for 'mset' command"#,
    ),
    (r#"MSETNX a 1 c 3"#, r#"0"#, r#"0"#),
    (r#"MSETNX c 3 d 4"#, r#"1"#, r#"1"#),
    (
        r#"MGET a b c d"#,
        r#"["1", "2", "3", "4"]"#,
        r#"["1", "2", "3", "4"]"#,
    ),
    (r#"SETNX a 5"#, r#"0"#, r#"0"#),
    (r#"SETNX e 5"#, r#"1"#, r#"1"#),
    (
        r#"SETEX e 0 v"#,
        r#"ERR invalid expire time in 'setex' command"#,
        r#"ERR invalid expire time in 'setex' command"#,
    ),
    (
        r#"SETEX e abc v"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"SETEX e 100 v"#, r#"OK"#, r#"OK"#),
    (r#"TTL e"#, r#"100"#, r#"100"#),
    (
        r#"PSETEX e 0 v"#,
        r#"ERR invalid expire time in 'psetex' command"#,
        r#"ERR invalid expire time in 'psetex' command"#,
    ),
    (r#"PSETEX e 100000 v"#, r#"OK"#, r#"OK"#),
    (
        r#"PSETEX e 9223372036854775807 v"#,
        r#"ERR invalid expire time in 'psetex' command"#,
        r#"ERR invalid expire time in 'psetex' command"#,
    ),
    (r#"TTL e"#, r#"100"#, r#"100"#),
    (r#"APPEND ap hello"#, r#"5"#, r#"5"#),
    (
        r#"APPEND ap " world""#,
        r#"ERR wrong number of arguments for 'append' command"#,
        r#"ERR wrong number of arguments for 'append' command"#,
    ),
    (r#"GET ap"#, r#""hello""#, r#""hello""#),
    (r#"APPEND ap2 """#, r#"2"#, r#"2"#),
    (r#"EXISTS ap2"#, r#"1"#, r#"1"#),
    (r#"STRLEN ap"#, r#"5"#, r#"5"#),
    (r#"STRLEN nokey"#, r#"0"#, r#"0"#),
    (r#"SET n 10"#, r#"OK"#, r#"OK"#),
    (r#"INCR n"#, r#"11"#, r#"11"#),
    (r#"DECR n"#, r#"10"#, r#"10"#),
    (r#"INCRBY n 5"#, r#"15"#, r#"15"#),
    (
        r#"INCRBY n abc"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"DECRBY n 3"#, r#"12"#, r#"12"#),
    (
        r#"DECRBY n -9223372036854775808"#,
        r#"ERR decrement would overflow"#,
        r#"ERR decrement would overflow"#,
    ),
    (
        r#"INCRBY n 9223372036854775807"#,
        r#"ERR increment or decrement would overflow"#,
        r#"ERR increment or decrement would overflow"#,
    ),
    (r#"SET n 9223372036854775807"#, r#"OK"#, r#"OK"#),
    (
        r#"INCR n"#,
        r#"ERR increment or decrement would overflow"#,
        r#"ERR increment or decrement would overflow"#,
    ),
    (r#"SET n -9223372036854775808"#, r#"OK"#, r#"OK"#),
    (
        r#"DECR n"#,
        r#"ERR increment or decrement would overflow"#,
        r#"ERR increment or decrement would overflow"#,
    ),
    (
        r#"SET n " 1""#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"INCR n"#,
        r#"-9223372036854775807"#,
        r#"-9223372036854775807"#,
    ),
    (r#"SET n 01"#, r#"OK"#, r#"OK"#),
    (
        r#"INCR n"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"SET n """#, r#"OK"#, r#"OK"#),
    (
        r#"INCR n"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"INCR newn"#, r#"1"#, r#"1"#),
    (r#"SET f 10.5"#, r#"OK"#, r#"OK"#),
    (r#"INCRBYFLOAT f 0.1"#, r#""10.6""#, r#""10.6""#),
    (r#"INCRBYFLOAT f -5"#, r#""5.6""#, r#""5.6""#),
    (
        r#"INCRBYFLOAT f abc"#,
        r#"ERR value is not a valid float"#,
        r#"ERR value is not a valid float"#,
    ),
    (
        r#"INCRBYFLOAT f inf"#,
        r#"ERR increment would produce NaN or Infinity"#,
        r#"ERR increment would produce NaN or Infinity"#,
    ),
    (
        r#"INCRBYFLOAT f 1e3"#,
        r#""1005.59999999999999998""#,
        r#""1005.59999999999999998""#,
    ),
    (r#"INCRBYFLOAT nf 3"#, r#""3""#, r#""3""#),
    (r#"INCRBYFLOAT nf 1.5"#, r#""4.5""#, r#""4.5""#),
    (r#"SET f abc"#, r#"OK"#, r#"OK"#),
    (
        r#"INCRBYFLOAT f 1"#,
        r#"ERR value is not a valid float"#,
        r#"ERR value is not a valid float"#,
    ),
    (r#"SET f 3"#, r#"OK"#, r#"OK"#),
    (r#"INCRBYFLOAT f 1.23e5"#, r#""123003""#, r#""123003""#),
    (
        r#"SET gr "Hello World""#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"GETRANGE gr 0 4"#, r#""""#, r#""""#),
    (r#"GETRANGE gr -5 -1"#, r#""""#, r#""""#),
    (r#"GETRANGE gr -1 -5"#, r#""""#, r#""""#),
    (r#"GETRANGE gr 5 2"#, r#""""#, r#""""#),
    (r#"GETRANGE gr 0 100"#, r#""""#, r#""""#),
    (r#"GETRANGE gr -100 2"#, r#""""#, r#""""#),
    (
        r#"GETRANGE gr a 1"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"GETRANGE nokey 0 -1"#, r#""""#, r#""""#),
    (
        r#"GETRANGE gr -9223372036854775808 9223372036854775807"#,
        r#""""#,
        r#""""#,
    ),
    (r#"SUBSTR gr 1 3"#, r#""""#, r#""""#),
    (r#"SETRANGE sr 5 abc"#, r#"8"#, r#"8"#),
    (
        r#"GET sr"#,
        r#""\x00\x00\x00\x00\x00abc""#,
        r#""\x00\x00\x00\x00\x00abc""#,
    ),
    (
        r#"SETRANGE sr -1 a"#,
        r#"ERR offset is out of range"#,
        r#"ERR offset is out of range"#,
    ),
    (
        r#"SETRANGE sr abc a"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"SETRANGE sr 0 """#, r#"8"#, r#"8"#),
    (r#"SETRANGE nosr 0 """#, r#"2"#, r#"2"#),
    (r#"EXISTS nosr"#, r#"1"#, r#"1"#),
    (
        r#"SETRANGE sr 536870911 xx"#,
        r#"ERR string exceeds maximum allowed size (proto-max-bulk-len)"#,
        r#"ERR string exceeds maximum allowed size (proto-max-bulk-len)"#,
    ),
    (
        r#"SETRANGE sr 9223372036854775807 x"#,
        r#"ERR string exceeds maximum allowed size (proto-max-bulk-len)"#,
        r#"ERR string exceeds maximum allowed size (proto-max-bulk-len)"#,
    ),
    (r#"SETRANGE sr 1 XY"#, r#"8"#, r#"8"#),
    (r#"GET sr"#, r#""\"XY\x00\x00abc""#, r#""\"XY\x00\x00abc""#),
    (r#"SETBIT sb 7 1"#, r#"0"#, r#"0"#),
    (r#"SETBIT sb 7 1"#, r#"1"#, r#"1"#),
    (r#"SETBIT sb 7 0"#, r#"1"#, r#"1"#),
    (r#"SETBIT sb 100 1"#, r#"0"#, r#"0"#),
    (
        r#"GET sb"#,
        r#""\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08""#,
        r#""\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08""#,
    ),
    (
        r#"SETBIT sb -1 1"#,
        r#"ERR bit offset is not an integer or out of range"#,
        r#"ERR bit offset is not an integer or out of range"#,
    ),
    (
        r#"SETBIT sb abc 1"#,
        r#"ERR bit offset is not an integer or out of range"#,
        r#"ERR bit offset is not an integer or out of range"#,
    ),
    (
        r#"SETBIT sb 4294967296 1"#,
        r#"ERR bit offset is not an integer or out of range"#,
        r#"ERR bit offset is not an integer or out of range"#,
    ),
    (
        r#"SETBIT sb 0 2"#,
        r#"ERR bit is not an integer or out of range"#,
        r#"ERR bit is not an integer or out of range"#,
    ),
    (
        r#"SETBIT sb 0 -1"#,
        r#"ERR bit is not an integer or out of range"#,
        r#"ERR bit is not an integer or out of range"#,
    ),
    (
        r#"SETBIT sb 0 abc"#,
        r#"ERR bit is not an integer or out of range"#,
        r#"ERR bit is not an integer or out of range"#,
    ),
    (r#"GETBIT sb 100"#, r#"1"#, r#"1"#),
    (r#"GETBIT sb 99"#, r#"0"#, r#"0"#),
    (r#"GETBIT sb 1000"#, r#"0"#, r#"0"#),
    (
        r#"GETBIT sb -1"#,
        r#"ERR bit offset is not an integer or out of range"#,
        r#"ERR bit offset is not an integer or out of range"#,
    ),
    (r#"GETBIT nokey 5"#, r#"0"#, r#"0"#),
    (
        r#"GETBIT nokey abc"#,
        r#"ERR bit offset is not an integer or out of range"#,
        r#"ERR bit offset is not an integer or out of range"#,
    ),
    (r#"SET bc foobar"#, r#"OK"#, r#"OK"#),
    (r#"BITCOUNT bc"#, r#"26"#, r#"26"#),
    (r#"BITCOUNT bc 0 0"#, r#"4"#, r#"4"#),
    (r#"BITCOUNT bc 1 1"#, r#"6"#, r#"6"#),
    (r#"BITCOUNT bc 1 1 BYTE"#, r#"6"#, r#"6"#),
    (r#"BITCOUNT bc 5 30 BIT"#, r#"17"#, r#"17"#),
    (
        r#"BITCOUNT bc 0"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"BITCOUNT bc a b"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"BITCOUNT bc 0 1 FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"BITCOUNT bc 0 1 BIT x"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"BITCOUNT nokey a b"#, r#"0"#, r#"0"#),
    (r#"BITCOUNT bc -1 -2"#, r#"0"#, r#"0"#),
    (r#"BITCOUNT bc -2 -1"#, r#"7"#, r#"7"#),
    (r#"SET bp "\xff\xf0\x00""#, r#"OK"#, r#"OK"#),
    (r#"BITPOS bp 0"#, r#"0"#, r#"0"#),
    (r#"BITPOS bp 1"#, r#"2"#, r#"2"#),
    (r#"BITPOS bp 1 2"#, r#"17"#, r#"17"#),
    (r#"BITPOS bp 0 0 0"#, r#"0"#, r#"0"#),
    (
        r#"BITPOS bp 2"#,
        r#"ERR The bit argument must be 1 or 0."#,
        r#"ERR The bit argument must be 1 or 0."#,
    ),
    (
        r#"BITPOS bp a"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"BITPOS bp 1 a"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"BITPOS bp 1 0 a"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (
        r#"BITPOS bp 1 0 1 FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"BITPOS bp 1 0 a FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"BITPOS nokey 1 a"#, r#"-1"#, r#"-1"#),
    (r#"BITPOS nokey 0"#, r#"0"#, r#"0"#),
    (r#"BITPOS nokey 1"#, r#"-1"#, r#"-1"#),
    (
        r#"BITPOS nokey 2"#,
        r#"ERR The bit argument must be 1 or 0."#,
        r#"ERR The bit argument must be 1 or 0."#,
    ),
    (r#"SET empty """#, r#"OK"#, r#"OK"#),
    (r#"BITPOS empty 0"#, r#"0"#, r#"0"#),
    (r#"BITPOS empty 1"#, r#"2"#, r#"2"#),
    (r#"BITCOUNT empty"#, r#"4"#, r#"4"#),
    (r#"BITCOUNT empty 0 -1"#, r#"4"#, r#"4"#),
    (r#"SET ones "\xff\xff""#, r#"OK"#, r#"OK"#),
    (r#"BITPOS ones 0"#, r#"0"#, r#"0"#),
    (r#"BITPOS ones 0 0"#, r#"0"#, r#"0"#),
    (r#"BITPOS ones 0 0 -1"#, r#"0"#, r#"0"#),
    (r#"BITPOS ones 0 3 12 BIT"#, r#"3"#, r#"3"#),
    (r#"BITOP AND dest bc bp"#, r#"14"#, r#"14"#),
    (
        r#"GET dest"#,
        r#""\"Lhb`P\x00\x00\x00\x00\x00\x00\x00\x00""#,
        r#""\"Lhb`P\x00\x00\x00\x00\x00\x00\x00\x00""#,
    ),
    (r#"BITOP OR dest bc bp"#, r#"14"#, r#"14"#),
    (
        r#"GET dest"#,
        r#""f\x7f\x7ffg~xf0\\x00\"""#,
        r#""f\x7f\x7ffg~xf0\\x00\"""#,
    ),
    (r#"BITOP XOR dest bc bp nokey"#, r#"14"#, r#"14"#),
    (
        r#"GET dest"#,
        r#""D3\x17\x04\x07.xf0\\x00\"""#,
        r#""D3\x17\x04\x07.xf0\\x00\"""#,
    ),
    (r#"BITOP NOT dest bc"#, r#"6"#, r#"6"#),
    (
        r#"GET dest"#,
        r#""\x99\x90\x90\x9d\x9e\x8d""#,
        r#""\x99\x90\x90\x9d\x9e\x8d""#,
    ),
    (
        r#"BITOP NOT dest bc bp"#,
        r#"ERR BITOP NOT must be called with a single source key."#,
        r#"ERR BITOP NOT must be called with a single source key."#,
    ),
    (
        r#"BITOP FOO dest bc"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (r#"BITOP AND dest nokey nokey2"#, r#"0"#, r#"0"#),
    (r#"EXISTS dest"#, r#"0"#, r#"0"#),
    (r#"BITOP AND dest nokey"#, r#"0"#, r#"0"#),
    (r#"SET key1 ohmytext"#, r#"OK"#, r#"OK"#),
    (r#"SET key2 mynewtext"#, r#"OK"#, r#"OK"#),
    (r#"LCS key1 key2"#, r#""mytext""#, r#""mytext""#),
    (r#"LCS key1 key2 LEN"#, r#"6"#, r#"6"#),
    (
        r#"LCS key1 key2 IDX"#,
        r#"["matches", [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len", 6]"#,
        r#"{"matches" => [[[4, 7], [5, 8]], [[2, 3], [0, 1]]], "len" => 6}"#,
    ),
    (
        r#"LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN"#,
        r#"["matches", [[[4, 7], [5, 8], 4]], "len", 6]"#,
        r#"{"matches" => [[[4, 7], [5, 8], 4]], "len" => 6}"#,
    ),
    (
        r#"LCS key1 key2 IDX LEN"#,
        r#"ERR If you want both the length and indexes, please just use IDX."#,
        r#"ERR If you want both the length and indexes, please just use IDX."#,
    ),
    (
        r#"LCS key1 key2 FOO"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"LCS key1 key2 MINMATCHLEN"#,
        r#"ERR syntax error"#,
        r#"ERR syntax error"#,
    ),
    (
        r#"LCS key1 key2 MINMATCHLEN x"#,
        r#"ERR value is not an integer or out of range"#,
        r#"ERR value is not an integer or out of range"#,
    ),
    (r#"LCS nokey1 nokey2"#, r#""""#, r#""""#),
    (
        r#"LCS nokey1 nokey2 IDX"#,
        r#"["matches", [], "len", 0]"#,
        r#"{"matches" => [], "len" => 0}"#,
    ),
    (
        r#"LCS key1 nokey IDX WITHMATCHLEN"#,
        r#"["matches", [], "len", 0]"#,
        r#"{"matches" => [], "len" => 0}"#,
    ),
];
