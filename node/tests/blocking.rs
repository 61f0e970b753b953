//! Blocking list commands: wake-ups, Redis 7.0's serving order, timeouts, MULTI, hang-ups.
//! Every wait is bounded; "still blocked" is read from the server's own counter.

mod common;

use std::time::{Duration, Instant};

use redis::Value;
use redis::aio::MultiplexedConnection;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

const WAIT: Duration = Duration::from_secs(5);

fn error_text(err: &redis::RedisError) -> String {
    let code = match (err.code(), err.kind()) {
        (Some(code), _) => code.to_string(),
        (None, redis::ErrorKind::TypeError) => "WRONGTYPE".to_string(),
        (None, kind) => format!("{kind:?}"),
    };
    format!("{code} {}", err.detail().unwrap_or(""))
}

fn command(args: &[&str]) -> redis::Cmd {
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd
}

async fn ok(con: &mut MultiplexedConnection, args: &[&str]) -> Value {
    tokio::time::timeout(WAIT, command(args).query_async::<Value>(con))
        .await
        .expect("reply in time")
        .unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

/// Run a (blocking) command on its own connection in the background.
async fn spawn_blocked(
    ts: &common::TestServer,
    resp3: bool,
    args: &[&str],
) -> JoinHandle<Result<Value, String>> {
    let mut con = ts.conn(resp3).await;
    let cmd = command(args);
    tokio::spawn(async move {
        cmd.query_async::<Value>(&mut con)
            .await
            .map_err(|e| error_text(&e))
    })
}

async fn reply_of(handle: JoinHandle<Result<Value, String>>) -> Result<Value, String> {
    tokio::time::timeout(WAIT, handle)
        .await
        .expect("served in time")
        .expect("task")
}

fn blocked_clients(ts: &common::TestServer) -> usize {
    ts.server.store.lock().blocking.blocked_clients
}

/// Poll until the server counts `n` blocked clients.
async fn wait_blocked(ts: &common::TestServer, n: usize) {
    let deadline = Instant::now() + WAIT;
    while blocked_clients(ts) != n {
        assert!(
            Instant::now() < deadline,
            "expected {n} blocked clients, have {}",
            blocked_clients(ts)
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn b(s: &str) -> Value {
    Value::BulkString(s.as_bytes().to_vec())
}

fn arr(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| b(s)).collect())
}

fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

/// Read from `s` until the output ends with `expected`, within the bound.
async fn read_until(s: &mut TcpStream, expected: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + WAIT;
    while !out.ends_with(expected) {
        let mut buf = [0u8; 4096];
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

fn key_exists(ts: &common::TestServer, key: &str) -> bool {
    ts.server.store.lock().dbs[0]
        .peek(key.as_bytes(), u64::MAX / 2)
        .is_some()
}

#[tokio::test]
async fn push_from_another_connection_wakes_the_waiter() {
    let ts = common::start("").await;
    for resp3 in [false, true] {
        let mut pusher = ts.conn(resp3).await;
        let k = format!("wake{resp3}");
        let k = k.as_str();
        let waiter = spawn_blocked(&ts, resp3, &["BLPOP", k, "0"]).await;
        wait_blocked(&ts, 1).await;
        assert_eq!(
            ok(&mut pusher, &["RPUSH", k, "v1", "v2"]).await,
            Value::Int(2)
        );
        assert_eq!(reply_of(waiter).await, Ok(arr(&[k, "v1"])));
        assert_eq!(blocked_clients(&ts), 0);
        assert_eq!(
            ok(&mut pusher, &["LRANGE", k, "0", "-1"]).await,
            arr(&["v2"])
        );

        let waiter = spawn_blocked(&ts, resp3, &["BRPOP", k, "5"]).await;
        // The list is not empty: served at once without blocking.
        assert_eq!(reply_of(waiter).await, Ok(arr(&[k, "v2"])));
        assert!(!key_exists(&ts, k));

        let waiter = spawn_blocked(&ts, resp3, &["BRPOP", k, "5"]).await;
        wait_blocked(&ts, 1).await;
        ok(&mut pusher, &["LPUSH", k, "x", "y", "z"]).await;
        assert_eq!(reply_of(waiter).await, Ok(arr(&[k, "x"])));

        let waiter = spawn_blocked(
            &ts,
            resp3,
            &["BLMPOP", "0", "1", "mp", "RIGHT", "COUNT", "2"],
        )
        .await;
        wait_blocked(&ts, 1).await;
        ok(&mut pusher, &["RPUSH", "mp", "1", "2", "3"]).await;
        assert_eq!(
            reply_of(waiter).await,
            Ok(Value::Array(vec![b("mp"), arr(&["3", "2"])]))
        );
        ok(&mut pusher, &["LPOP", "mp"]).await;
        ok(&mut pusher, &["LPOP", k, "10"]).await;
    }
}

#[tokio::test]
async fn waiters_are_served_first_blocked_first() {
    let ts = common::start("").await;
    let mut pusher = ts.conn(false).await;
    let mut waiters = Vec::new();
    for (i, resp3) in [false, true, false].into_iter().enumerate() {
        waiters.push(spawn_blocked(&ts, resp3, &["BLPOP", "fifo", "0"]).await);
        wait_blocked(&ts, i + 1).await;
    }
    // Two elements for three waiters: the key empties after the second, the third waits on.
    ok(&mut pusher, &["RPUSH", "fifo", "a", "b"]).await;
    let third = waiters.pop().expect("third");
    let second = waiters.pop().expect("second");
    let first = waiters.pop().expect("first");
    assert_eq!(reply_of(first).await, Ok(arr(&["fifo", "a"])));
    assert_eq!(reply_of(second).await, Ok(arr(&["fifo", "b"])));
    assert_eq!(blocked_clients(&ts), 1);
    assert!(!key_exists(&ts, "fifo"));
    ok(&mut pusher, &["RPUSH", "fifo", "c", "d"]).await;
    assert_eq!(reply_of(third).await, Ok(arr(&["fifo", "c"])));
    assert_eq!(
        ok(&mut pusher, &["LRANGE", "fifo", "0", "-1"]).await,
        arr(&["d"])
    );
}

#[tokio::test]
async fn several_keys_first_non_empty_wins_and_ready_order_serves() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    ok(&mut c, &["RPUSH", "k2", "x"]).await;
    ok(&mut c, &["RPUSH", "k3", "y"]).await;
    assert_eq!(
        ok(&mut c, &["BLPOP", "k1", "k2", "k3", "0"]).await,
        arr(&["k2", "x"])
    );
    assert_eq!(
        ok(&mut c, &["BLPOP", "k1", "k2", "k3", "0"]).await,
        arr(&["k3", "y"])
    );

    // Blocked on a, b, c: a push to c serves from c, and the waiter leaves a and b too.
    let waiter = spawn_blocked(&ts, true, &["BLPOP", "a", "b", "c", "0"]).await;
    wait_blocked(&ts, 1).await;
    ok(&mut c, &["RPUSH", "c", "1"]).await;
    assert_eq!(reply_of(waiter).await, Ok(arr(&["c", "1"])));
    ok(&mut c, &["RPUSH", "a", "2"]).await;
    assert_eq!(blocked_clients(&ts), 0);
    assert_eq!(ok(&mut c, &["LLEN", "a"]).await, Value::Int(1));
    ok(&mut c, &["LPOP", "a"]).await;

    // Redis 7.0 serves the key that became ready first, even when an earlier key of the
    // waiter also received elements in the same transaction.
    let waiter = spawn_blocked(&ts, false, &["BLPOP", "a", "b", "0"]).await;
    wait_blocked(&ts, 1).await;
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("RPUSH")
        .arg("b")
        .arg("from-b")
        .cmd("RPUSH")
        .arg("a")
        .arg("from-a");
    let _: Vec<Value> = pipe.query_async(&mut c).await.expect("exec");
    assert_eq!(reply_of(waiter).await, Ok(arr(&["b", "from-b"])));
    assert_eq!(
        ok(&mut c, &["LRANGE", "a", "0", "-1"]).await,
        arr(&["from-a"])
    );

    // The same with BLMPOP: numkeys is narrowed with the keys.
    ok(&mut c, &["LPOP", "a"]).await;
    let waiter = spawn_blocked(
        &ts,
        true,
        &["BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "5"],
    )
    .await;
    wait_blocked(&ts, 1).await;
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("RPUSH")
        .arg("b")
        .arg("b1")
        .arg("b2")
        .cmd("RPUSH")
        .arg("a")
        .arg("a1");
    let _: Vec<Value> = pipe.query_async(&mut c).await.expect("exec");
    assert_eq!(
        reply_of(waiter).await,
        Ok(Value::Array(vec![b("b"), arr(&["b1", "b2"])]))
    );
}

#[tokio::test]
async fn pushes_inside_multi_serve_after_exec() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    let waiter = spawn_blocked(&ts, false, &["BLPOP", "tx", "0"]).await;
    wait_blocked(&ts, 1).await;
    // Pushed and popped within the transaction: nothing is left to serve afterwards.
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("RPUSH")
        .arg("tx")
        .arg("a")
        .cmd("LPOP")
        .arg("tx");
    let replies: Vec<Value> = pipe.query_async(&mut c).await.expect("exec");
    assert_eq!(replies, vec![Value::Int(1), b("a")]);
    assert_eq!(blocked_clients(&ts), 1);
    ok(&mut c, &["RPUSH", "tx", "b"]).await;
    assert_eq!(reply_of(waiter).await, Ok(arr(&["tx", "b"])));
}

#[tokio::test]
async fn blmove_chain_serves_the_next_waiters() {
    let ts = common::start("").await;
    for resp3 in [false, true] {
        let mut c = ts.conn(resp3).await;
        let first =
            spawn_blocked(&ts, resp3, &["BLMOVE", "ch1", "ch2", "LEFT", "RIGHT", "0"]).await;
        wait_blocked(&ts, 1).await;
        let second = spawn_blocked(&ts, !resp3, &["BRPOPLPUSH", "ch2", "ch3", "0"]).await;
        wait_blocked(&ts, 2).await;
        let third = spawn_blocked(&ts, resp3, &["BLPOP", "ch3", "0"]).await;
        wait_blocked(&ts, 3).await;
        ok(&mut c, &["RPUSH", "ch1", "x"]).await;
        assert_eq!(reply_of(first).await, Ok(b("x")));
        assert_eq!(reply_of(second).await, Ok(b("x")));
        assert_eq!(reply_of(third).await, Ok(arr(&["ch3", "x"])));
        for key in ["ch1", "ch2", "ch3"] {
            assert!(!key_exists(&ts, key), "{key}");
        }
    }
}

#[tokio::test]
async fn blmove_to_a_wrong_type_destination_gets_wrongtype() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    ok(&mut c, &["SET", "notlist", "v"]).await;
    let waiter = spawn_blocked(
        &ts,
        false,
        &["BLMOVE", "wsrc", "notlist", "LEFT", "LEFT", "0"],
    )
    .await;
    wait_blocked(&ts, 1).await;
    ok(&mut c, &["RPUSH", "wsrc", "a"]).await;
    assert_eq!(
        reply_of(waiter).await,
        Err("WRONGTYPE Operation against a key holding the wrong kind of value".to_string())
    );
    assert_eq!(blocked_clients(&ts), 0);
    assert_eq!(
        ok(&mut c, &["LRANGE", "wsrc", "0", "-1"]).await,
        arr(&["a"])
    );
}

#[tokio::test]
async fn a_key_turned_string_keeps_its_waiter_blocked() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    let mut s = TcpStream::connect(ts.addr).await.expect("connect");
    s.write_all(&resp(&["BLPOP", "turned", "0"]))
        .await
        .expect("write");
    wait_blocked(&ts, 1).await;
    let mut pipe = redis::pipe();
    pipe.atomic()
        .cmd("RPUSH")
        .arg("turned")
        .arg("a")
        .cmd("LPOP")
        .arg("turned")
        .cmd("SET")
        .arg("turned")
        .arg("str");
    let _: Vec<Value> = pipe.query_async(&mut c).await.expect("exec");
    // Redis 7.0 serves list waiters only from a list: the waiter stays blocked.
    assert_eq!(blocked_clients(&ts), 1);
    drop(s);
    wait_blocked(&ts, 0).await;
}

#[tokio::test]
async fn timeouts_reply_null_arrays() {
    let ts = common::start("").await;
    let commands: [&[&str]; 5] = [
        &["BLPOP", "t1", "t2", "0.05"],
        &["BRPOP", "t1", "0.05"],
        &["BLMOVE", "t1", "t2", "LEFT", "RIGHT", "0.05"],
        &["BRPOPLPUSH", "t1", "t2", "0.05"],
        &["BLMPOP", "0.05", "1", "t1", "LEFT"],
    ];
    for (hello, null) in [(None, &b"*-1\r\n"[..]), (Some("3"), &b"_\r\n"[..])] {
        let mut s = TcpStream::connect(ts.addr).await.expect("connect");
        if let Some(version) = hello {
            s.write_all(&resp(&["HELLO", version]))
                .await
                .expect("write");
            let greeting = read_until(&mut s, b"modules\r\n*0\r\n").await;
            assert!(greeting.starts_with(b"%7\r\n"));
        }
        for args in commands {
            let started = Instant::now();
            // A command pipelined behind the blocked one runs after its timeout.
            let mut input = resp(args);
            input.extend(resp(&["PING"]));
            s.write_all(&input).await.expect("write");
            let mut expected = null.to_vec();
            expected.extend_from_slice(b"+PONG\r\n");
            assert_eq!(read_until(&mut s, &expected).await, expected, "{args:?}");
            assert!(started.elapsed() >= Duration::from_millis(50), "{args:?}");
        }
    }
    assert_eq!(blocked_clients(&ts), 0);
    assert!(!key_exists(&ts, "t2"));
}

#[tokio::test]
async fn timeout_is_not_restarted_by_input() {
    let ts = common::start("").await;
    let mut s = TcpStream::connect(ts.addr).await.expect("connect");
    s.write_all(&resp(&["BLPOP", "late", "0.3"]))
        .await
        .expect("write");
    wait_blocked(&ts, 1).await;
    // Input keeps coming every 50 ms, for longer than the timeout: a timeout restarted by
    // each PING would never fire (bounded by WAIT).
    let deadline = Instant::now() + WAIT;
    let mut pings = 0;
    while blocked_clients(&ts) == 1 {
        assert!(Instant::now() < deadline, "the timeout never fired");
        tokio::time::sleep(Duration::from_millis(50)).await;
        s.write_all(&resp(&["PING"])).await.expect("write");
        pings += 1;
    }
    let mut expected = b"*-1\r\n".to_vec();
    for _ in 0..pings {
        expected.extend_from_slice(b"+PONG\r\n");
    }
    assert_eq!(read_until(&mut s, &expected).await, expected);
}

#[tokio::test]
async fn zero_timeout_blocks_until_a_push() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    let waiter = spawn_blocked(&ts, true, &["BRPOP", "forever", "0"]).await;
    wait_blocked(&ts, 1).await;
    // Nothing comes back while nothing is pushed (bounded look).
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiter.is_finished());
    assert_eq!(blocked_clients(&ts), 1);
    ok(&mut c, &["LPUSH", "forever", "late"]).await;
    assert_eq!(reply_of(waiter).await, Ok(arr(&["forever", "late"])));
}

#[tokio::test]
async fn a_client_that_hangs_up_while_blocked_takes_nothing() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    for args in [
        &["BLPOP", "gone", "0"][..],
        &["BLMOVE", "gone", "gone2", "LEFT", "LEFT", "0"][..],
        &["BLMPOP", "0", "1", "gone", "LEFT"][..],
    ] {
        let mut s = TcpStream::connect(ts.addr).await.expect("connect");
        s.write_all(&resp(args)).await.expect("write");
        wait_blocked(&ts, 1).await;
        drop(s);
        wait_blocked(&ts, 0).await;
        ok(&mut c, &["RPUSH", "gone", "kept"]).await;
        assert_eq!(
            ok(&mut c, &["LRANGE", "gone", "0", "-1"]).await,
            arr(&["kept"])
        );
        assert!(!key_exists(&ts, "gone2"));
        ok(&mut c, &["LPOP", "gone"]).await;
    }
}

#[tokio::test]
async fn served_client_continues_with_its_pipeline() {
    let ts = common::start("").await;
    let mut c = ts.conn(false).await;
    let mut s = TcpStream::connect(ts.addr).await.expect("connect");
    s.write_all(&resp(&["BLPOP", "pipe", "0"]))
        .await
        .expect("write");
    wait_blocked(&ts, 1).await;
    s.write_all(&resp(&["LLEN", "pipe"])).await.expect("write");
    ok(&mut c, &["RPUSH", "pipe", "a", "b"]).await;
    let expected = b"*2\r\n$4\r\npipe\r\n$1\r\na\r\n:1\r\n";
    assert_eq!(read_until(&mut s, expected).await, expected);
}

#[tokio::test]
async fn waiters_are_per_database() {
    let ts = common::start("").await;
    let mut s = TcpStream::connect(ts.addr).await.expect("connect");
    let mut input = resp(&["SELECT", "1"]);
    input.extend(resp(&["BLPOP", "dbkey", "0"]));
    s.write_all(&input).await.expect("write");
    assert_eq!(read_until(&mut s, b"+OK\r\n").await, b"+OK\r\n");
    wait_blocked(&ts, 1).await;
    let mut c = ts.conn(false).await;
    ok(&mut c, &["RPUSH", "dbkey", "db0"]).await;
    assert_eq!(blocked_clients(&ts), 1);
    ok(&mut c, &["SELECT", "1"]).await;
    ok(&mut c, &["RPUSH", "dbkey", "db1"]).await;
    let expected = b"*2\r\n$5\r\ndbkey\r\n$3\r\ndb1\r\n";
    assert_eq!(read_until(&mut s, expected).await, expected);
    ok(&mut c, &["SELECT", "0"]).await;
    assert_eq!(
        ok(&mut c, &["LRANGE", "dbkey", "0", "-1"]).await,
        arr(&["db0"])
    );
}

/// The id of the only client blocked on keys.
fn blocked_client_id(ts: &common::TestServer) -> u64 {
    let store = ts.server.store.lock();
    let ids: Vec<u64> = store
        .clients
        .keys()
        .copied()
        .filter(|&id| store.blocking.is_blocked(id))
        .collect();
    assert_eq!(ids.len(), 1, "one blocked client");
    ids[0]
}

#[tokio::test]
async fn unblock_ends_the_wait_as_timeout_or_error() {
    let ts = common::start("").await;
    let mut s = TcpStream::connect(ts.addr).await.expect("connect");
    s.write_all(&resp(&["BLMOVE", "ub", "ub2", "LEFT", "LEFT", "0"]))
        .await
        .expect("write");
    wait_blocked(&ts, 1).await;
    let id = blocked_client_id(&ts);
    {
        let store = ts.server.store.lock();
        let (db, keys) = store.blocking.blocked_keys(id).expect("blocked keys");
        assert_eq!((db, keys.len(), &keys[0][..]), (0, 1, &b"ub"[..]));
    }
    assert!(node::blocking::unblock(
        &mut ts.server.store.lock(),
        id,
        true
    ));
    let expected = b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n";
    assert_eq!(read_until(&mut s, expected).await, expected);
    assert!(!node::blocking::unblock(
        &mut ts.server.store.lock(),
        id,
        false
    ));

    let mut input = resp(&["HELLO", "3"]);
    input.extend(resp(&["BLPOP", "ub", "0"]));
    s.write_all(&input).await.expect("write");
    read_until(&mut s, b"modules\r\n*0\r\n").await;
    wait_blocked(&ts, 1).await;
    assert!(node::blocking::unblock(
        &mut ts.server.store.lock(),
        id,
        false
    ));
    assert_eq!(read_until(&mut s, b"_\r\n").await, b"_\r\n");
    assert_eq!(blocked_clients(&ts), 0);
}

#[tokio::test]
async fn a_blocking_command_counts_once_in_command_stats() {
    let ts = common::start("").await;
    let calls = || ts.server.store.lock().command_stats[wire::CommandId::Blpop as usize].calls;
    let mut c = ts.conn(false).await;
    let waiter = spawn_blocked(&ts, false, &["BLPOP", "stat", "0"]).await;
    wait_blocked(&ts, 1).await;
    assert_eq!(calls(), 0);
    ok(&mut c, &["RPUSH", "stat", "a", "b"]).await;
    reply_of(waiter).await.expect("served");
    assert_eq!(calls(), 1);
    ok(&mut c, &["BLPOP", "stat", "0"]).await;
    assert_eq!(calls(), 2);
    assert_eq!(ok(&mut c, &["BLPOP", "stat", "0.01"]).await, Value::Nil);
    assert_eq!(calls(), 3);
}
