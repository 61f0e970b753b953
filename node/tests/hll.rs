//! HyperLogLog commands: behaviour on the node, and byte-for-byte agreement with a real
//! `redis-server` (same PFADDs give the same string, sparse and dense, and the same counts).

mod common;
mod hashsets_support;

use hashsets_support::{RawConn, connect_when_ready, same, start_real_redis};

#[tokio::test]
async fn commands_in_both_protocols() {
    let server = common::start("").await;
    for resp3 in [false, true] {
        let mut con = server.conn(resp3).await;
        let key = format!("hll{resp3}");
        let changed: i64 = redis::cmd("PFADD")
            .arg(&key)
            .arg(&["a", "b", "c"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(changed, 1);
        let changed: i64 = redis::cmd("PFADD")
            .arg(&key)
            .arg(&["a", "b"])
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(changed, 0);
        let count: i64 = redis::cmd("PFCOUNT")
            .arg(&key)
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(count, 3);
        let other = format!("other{resp3}");
        let _: i64 = redis::cmd("PFADD")
            .arg(&other)
            .arg(&["c", "d"])
            .query_async(&mut con)
            .await
            .unwrap();
        let union: i64 = redis::cmd("PFCOUNT")
            .arg(&key)
            .arg(&other)
            .arg("missing")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(union, 4);
        let merged = format!("merged{resp3}");
        let _: () = redis::cmd("PFMERGE")
            .arg(&merged)
            .arg(&key)
            .arg(&other)
            .query_async(&mut con)
            .await
            .unwrap();
        let count: i64 = redis::cmd("PFCOUNT")
            .arg(&merged)
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(count, 4);
        let missing: i64 = redis::cmd("PFCOUNT")
            .arg("nothing")
            .query_async(&mut con)
            .await
            .unwrap();
        assert_eq!(missing, 0);
    }
}

#[tokio::test]
async fn estimates_are_close() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, false).await;
    for batch in 0..50 {
        let mut args = vec!["PFADD".to_string(), "big".to_string()];
        args.extend((0..1000).map(|i| format!("element-{batch}-{i}")));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        r.call(&args).await;
    }
    let text = r.text(&["PFCOUNT", "big"]).await;
    let count: f64 = text.trim_start_matches(':').trim().parse().unwrap();
    assert!(
        (count - 50_000.0).abs() < 50_000.0 * 0.03,
        "estimate {count}"
    );
}

#[tokio::test]
async fn errors_and_watch() {
    let server = common::start("").await;
    let mut r = RawConn::connect(server.addr, false).await;
    r.call(&["SET", "str", "hello"]).await;
    r.call(&["SADD", "set", "a"]).await;
    let not_hll = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
    let wrongtype = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
    assert_eq!(r.text(&["PFADD", "str", "a"]).await, not_hll);
    assert_eq!(r.text(&["PFCOUNT", "str"]).await, not_hll);
    assert_eq!(r.text(&["PFCOUNT", "nokey", "str"]).await, not_hll);
    assert_eq!(r.text(&["PFMERGE", "d", "str"]).await, not_hll);
    assert_eq!(r.text(&["PFMERGE", "str", "nokey"]).await, not_hll);
    assert_eq!(r.text(&["PFADD", "set", "a"]).await, wrongtype);
    // A sparse HLL whose opcodes cover only one register is corrupted.
    let mut corrupted = b"HYLL\x01\x00\x00\x00".to_vec();
    corrupted.extend_from_slice(&[0; 8]);
    corrupted.push(0x00);
    r.call_bytes(&[b"SET", b"bad", &corrupted]).await;
    let invalid = "-INVALIDOBJ Corrupted HLL object detected\r\n";
    assert_eq!(r.text(&["PFCOUNT", "bad"]).await, ":0\r\n"); // the cache says 0
    r.call_bytes(&[b"SET", b"bad", &{
        let mut stale = corrupted.clone();
        stale[15] = 0x80;
        stale
    }])
    .await;
    assert_eq!(r.text(&["PFCOUNT", "bad"]).await, invalid);
    assert_eq!(r.text(&["PFCOUNT", "bad", "nokey"]).await, invalid);
    assert_eq!(r.text(&["PFMERGE", "d", "bad"]).await, invalid);
    assert_eq!(r.text(&["PFADD", "bad", "x", "y", "z"]).await, invalid);
    assert!(!hashsets_support::exists(&server.server, "d"));

    // PFADD that changes registers, PFMERGE, and a PFCOUNT that refreshes the cache are
    // writes for WATCH; a PFADD that changes nothing and a cached PFCOUNT are not.
    let mut watcher = RawConn::connect(server.addr, false).await;
    r.call(&["PFADD", "w", "a"]).await;
    for (write, touches) in [
        (&["PFADD", "w", "new-element"][..], true),
        (&["PFCOUNT", "w"], true),
        (&["PFCOUNT", "w"], false),
        (&["PFADD", "w", "a"], false),
        (&["PFMERGE", "w"], true),
    ] {
        watcher.call(&["WATCH", "w"]).await;
        r.call(write).await;
        watcher.call(&["MULTI"]).await;
        watcher.call(&["PING"]).await;
        let exec = watcher.text(&["EXEC"]).await;
        assert_eq!(exec == "*-1\r\n", touches, "{write:?}: {exec}");
    }
}

async fn same_str(ours: &mut RawConn, real: &mut RawConn, args: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    same(ours, real, &args).await
}

async fn pfadd_many(ours: &mut RawConn, real: &mut RawConn, key: &str, elements: &[String]) {
    let mut args: Vec<&[u8]> = vec![b"PFADD", key.as_bytes()];
    args.extend(elements.iter().map(|e| e.as_bytes()));
    same(ours, real, &args).await;
}

#[tokio::test]
async fn bytes_match_real_redis() {
    let Some(redis) = start_real_redis() else {
        return;
    };
    let mut real = connect_when_ready(&redis.socket, false).await;
    let server = common::start("").await;
    let mut ours = RawConn::connect(server.addr, false).await;

    // Empty HLL, with and without elements; the creation itself marks the cache stale.
    same_str(&mut ours, &mut real, &["PFADD", "empty"]).await;
    same_str(&mut ours, &mut real, &["GET", "empty"]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "empty"]).await;
    same_str(&mut ours, &mut real, &["GET", "empty"]).await;

    // Elements of every length from 0 to 40 bytes exercise all of MurmurHash64A's tails.
    let lengths: Vec<String> = (0..=40).map(|n| "x".repeat(n)).collect();
    pfadd_many(&mut ours, &mut real, "lengths", &lengths).await;
    same_str(&mut ours, &mut real, &["GET", "lengths"]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "lengths"]).await;
    same_str(&mut ours, &mut real, &["GET", "lengths"]).await;

    // One element per PFADD: every split and merge path of the sparse encoding, up to the
    // promotion to dense at hll-sparse-max-bytes.
    for i in 0..3000 {
        let element = format!("one-by-one:{i}");
        same_str(&mut ours, &mut real, &["PFADD", "grow", &element]).await;
        if i % 5 == 0 {
            same_str(&mut ours, &mut real, &["GET", "grow"]).await;
        }
    }
    let dense = same_str(&mut ours, &mut real, &["GET", "grow"]).await;
    assert!(dense.len() > 12_000, "expected a dense HLL by now");
    same_str(&mut ours, &mut real, &["PFCOUNT", "grow"]).await;
    same_str(&mut ours, &mut real, &["GET", "grow"]).await;

    // Bulk adds: a small sparse one, a large dense one.
    let small: Vec<String> = (0..200).map(|i| format!("small-{i}")).collect();
    pfadd_many(&mut ours, &mut real, "small", &small).await;
    let sparse = same_str(&mut ours, &mut real, &["GET", "small"]).await;
    assert!(sparse.len() < 3000, "expected a sparse HLL");
    for chunk in 0..20 {
        let large: Vec<String> = (0..1000).map(|i| format!("large-{chunk}-{i}")).collect();
        pfadd_many(&mut ours, &mut real, "large", &large).await;
    }
    same_str(&mut ours, &mut real, &["GET", "large"]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "large"]).await;
    same_str(&mut ours, &mut real, &["GET", "large"]).await;

    // Counts of unions and merges, sparse into sparse and sparse with dense.
    same_str(&mut ours, &mut real, &["PFCOUNT", "small", "lengths"]).await;
    same_str(
        &mut ours,
        &mut real,
        &["PFCOUNT", "small", "large", "grow", "nokey"],
    )
    .await;
    same_str(&mut ours, &mut real, &["PFMERGE", "m1", "small", "lengths"]).await;
    same_str(&mut ours, &mut real, &["GET", "m1"]).await;
    same_str(&mut ours, &mut real, &["PFMERGE", "m2", "small", "large"]).await;
    same_str(&mut ours, &mut real, &["GET", "m2"]).await;
    same_str(
        &mut ours,
        &mut real,
        &["PFMERGE", "small", "lengths", "nokey"],
    )
    .await;
    same_str(&mut ours, &mut real, &["GET", "small"]).await;
    same_str(&mut ours, &mut real, &["PFMERGE", "m3", "nokey"]).await;
    same_str(&mut ours, &mut real, &["GET", "m3"]).await;
    for key in ["m1", "m2", "small", "m3"] {
        same_str(&mut ours, &mut real, &["PFCOUNT", key]).await;
    }

    // Errors, including corrupted sparse data (cache marked stale so it must be decoded).
    same_str(&mut ours, &mut real, &["SET", "str", "hello"]).await;
    same_str(&mut ours, &mut real, &["PFADD", "str", "a"]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "str", "small"]).await;
    let mut corrupted = b"HYLL\x01\x00\x00\x00".to_vec();
    corrupted.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0x80]);
    corrupted.extend_from_slice(&[0x7f, 0xfe]);
    same(&mut ours, &mut real, &[b"SET", b"bad", &corrupted]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "bad"]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "bad", "small"]).await;
    same_str(&mut ours, &mut real, &["PFMERGE", "bad2", "bad"]).await;
    let mut dense_short = b"HYLL\x00\x00\x00\x00".to_vec();
    dense_short.extend_from_slice(&[0; 20]);
    same(&mut ours, &mut real, &[b"SET", b"short", &dense_short]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "short"]).await;

    // A sparse HLL made by Redis is usable here, and the other way round.
    let theirs = real.call(&["GET", "m1"]).await;
    let value = &theirs[theirs.iter().position(|&b| b == b'\n').unwrap() + 1..theirs.len() - 2];
    ours.call_bytes(&[b"SET", b"imported", value]).await;
    real.call_bytes(&[b"SET", b"imported", value]).await;
    same_str(&mut ours, &mut real, &["PFADD", "imported", "p", "q", "r"]).await;
    same_str(&mut ours, &mut real, &["GET", "imported"]).await;
    same_str(&mut ours, &mut real, &["PFCOUNT", "imported"]).await;
}
