//! `switchyard proxy` end to end, in front of our nodes (a master and a replica): routing proved
//! from the backends' INFO commandstats, commands answered at the proxy, transactions, blocking
//! commands, pub/sub, connection sharing, limits, and real clients (redis-cli, redis-benchmark,
//! redis-py 8 in RESP3 and RESP2, the `redis` crate).

mod proxy_support;
mod support;

use std::io::{Read, Write};
use std::process::Command;
use std::time::{Duration, Instant};

use proxy_support::{Proxy, calls, info_field, static_topology, wait_replica_synced};
use support::{Server, resp, run_with_timeout, tool, wait_until};

/// A master, a replica of it, and the proxy in front of both.
struct Deployment {
    master: Server,
    replica: Server,
    proxy: Proxy,
}

fn deploy(global: &str, listener: &str) -> Deployment {
    let master = Server::node(&[]);
    let replica = Server::node(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
    wait_replica_synced(&replica);
    let listener = format!(
        "{listener}\n{}",
        static_topology(master.port, &[replica.port])
    );
    let proxy = Proxy::start(global, &listener);
    Deployment {
        master,
        replica,
        proxy,
    }
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn reads_go_to_the_replica_and_writes_to_the_master() {
    let d = deploy("", "read-policy = \"replica\"");
    let mut client = d.proxy.conn();
    for i in 0..50 {
        assert_eq!(client.cmd_text(&format!("SET key{i} v{i}")), "+OK\r\n");
    }
    let mut replica = d.replica.conn();
    assert!(wait_until(Duration::from_secs(10), || {
        replica.cmd_text("GET key49") == "$3\r\nv49\r\n"
    }));
    let direct_gets = calls(&mut replica, "get");
    for i in 0..40 {
        assert_eq!(
            client.cmd_text(&format!("GET key{i}")),
            format!("${}\r\nv{i}\r\n", 1 + i.to_string().len())
        );
    }
    let mut master = d.master.conn();
    assert_eq!(calls(&mut master, "set"), 50, "writes land on the master");
    assert_eq!(calls(&mut master, "get"), 0, "no read reached the master");
    assert_eq!(calls(&mut replica, "get") - direct_gets, 40);
    let info = client.cmd_text("INFO routing");
    assert!(info.contains("reads_to_replicas:40"), "{info}");
    assert!(info.contains("writes:50"), "{info}");

    // Policy `master` after a reload (SIGHUP), on the same client connection.
    d.proxy.reload(
        "",
        &format!(
            "read-policy = \"master\"\n{}",
            static_topology(d.master.port, &[d.replica.port])
        ),
    );
    assert!(
        wait_until(Duration::from_secs(10), || {
            client
                .cmd_text("INFO server")
                .contains("read_policy:Master")
        }),
        "{}",
        d.proxy.log_text()
    );
    assert_eq!(client.cmd_text("GET key1"), "$2\r\nv1\r\n");
    assert_eq!(calls(&mut master, "get"), 1);
}

#[test]
fn connection_commands_are_answered_at_the_proxy() {
    let d = deploy("", "");
    let mut c = d.proxy.conn();
    assert_eq!(c.cmd_text("PING"), "+PONG\r\n");
    assert_eq!(c.cmd_text("PING hi"), "$2\r\nhi\r\n");
    assert_eq!(c.cmd_text("ECHO hello"), "$5\r\nhello\r\n");
    assert_eq!(c.cmd_text("CLIENT GETNAME"), "$-1\r\n");
    assert_eq!(c.cmd_text("CLIENT SETNAME app1"), "+OK\r\n");
    assert_eq!(c.cmd_text("CLIENT GETNAME"), "$4\r\napp1\r\n");
    assert!(c.cmd_text("CLIENT ID").starts_with(':'));
    assert_eq!(c.cmd_text("CLIENT SETINFO LIB-NAME test"), "+OK\r\n");
    let hello = c.cmd_text("HELLO 3");
    assert!(hello.starts_with("%7\r\n"), "{hello}");
    assert!(hello.contains("proto\r\n:3"), "{hello}");
    assert_eq!(c.cmd_text("SET k v"), "+OK\r\n");
    assert_eq!(
        c.cmd_text("HELLO 4"),
        "-NOPROTO unsupported protocol version\r\n"
    );
    let hello = c.cmd_text("HELLO 2");
    assert!(hello.starts_with("*14\r\n"), "{hello}");
    assert_eq!(c.cmd_text("RESET"), "+RESET\r\n");
    assert_eq!(c.cmd_text("CLIENT GETNAME"), "$-1\r\n");
    // SELECT: a database of its own, through per-database pools.
    assert_eq!(c.cmd_text("SELECT 3"), "+OK\r\n");
    assert_eq!(c.cmd_text("SET indb3 yes"), "+OK\r\n");
    assert_eq!(c.cmd_text("SELECT 16"), "-ERR DB index is out of range\r\n");
    let mut master = d.master.conn();
    assert_eq!(master.cmd_text("GET indb3"), "$-1\r\n");
    master.cmd("SELECT 3");
    assert_eq!(master.cmd_text("GET indb3"), "$3\r\nyes\r\n");
    for line in [
        "REPLICAOF 127.0.0.1 1",
        "SLAVEOF NO ONE",
        "CONFIG SET maxmemory 1",
        "CLUSTER INFO",
        "DEBUG SLEEP 0",
        "SHUTDOWN",
        "FAILOVER",
        "SYNC",
        "PSYNC ? -1",
        "MONITOR",
    ] {
        let reply = c.cmd_text(line);
        assert!(
            reply.starts_with("-ERR proxy: ") && reply.contains("not supported"),
            "{line}: {reply}"
        );
    }
    // CONFIG GET is forwarded (redis-benchmark needs it).
    assert!(c.cmd_text("CONFIG GET save").starts_with("*2\r\n"));
    assert!(c.cmd_text("EXEC").starts_with("-ERR EXEC without MULTI"));
    assert!(
        c.cmd_text("GET")
            .starts_with("-ERR wrong number of arguments for 'get'")
    );
    assert_eq!(c.cmd_text("QUIT"), "+OK\r\n");
    assert!(c.wait_closed(Duration::from_secs(5)));
}

#[test]
fn requirepass_and_malformed_input() {
    let d = deploy("", "requirepass = \"s3cret\"\n[listener.backend]\n");
    let mut c = d.proxy.conn();
    assert_eq!(c.cmd_text("GET k"), "-NOAUTH Authentication required.\r\n");
    assert!(c.cmd_text("AUTH nope").starts_with("-WRONGPASS"));
    assert_eq!(c.cmd_text("AUTH s3cret"), "+OK\r\n");
    assert_eq!(c.cmd_text("SET k v"), "+OK\r\n");
    let mut h = d.proxy.conn();
    assert!(
        h.cmd_text("HELLO 3")
            .starts_with("-NOAUTH HELLO must be called")
    );
    assert!(h.cmd_text("HELLO 3 AUTH default s3cret").starts_with("%7"));
    // Malformed RESP: Redis's protocol error text, then the connection closes.
    let mut bad = d.proxy.conn();
    bad.cmd_text("AUTH s3cret");
    bad.send(b"*1\r\n+PING\r\n");
    let (out, _) = bad.read_until_end(Duration::from_secs(10));
    assert_eq!(text(out), "-ERR Protocol error: expected '$', got '+'\r\n");
    let mut big = d.proxy.conn();
    big.send(b"*99999\r\n");
    let (out, _) = big.read_until_end(Duration::from_secs(10));
    assert!(
        text(out).starts_with("-ERR Protocol error: unauthenticated multibulk length"),
        "before AUTH the tighter limits apply"
    );
}

#[test]
fn pipelined_replies_come_back_in_request_order() {
    let d = deploy("", "read-policy = \"replica-preferred\"");
    let mut c = d.proxy.conn();
    let mut batch = Vec::new();
    for i in 0..500 {
        batch.extend(resp::encode(&[
            b"SET",
            format!("p{i}").as_bytes(),
            i.to_string().as_bytes(),
        ]));
        batch.extend(resp::encode(&[b"INCR", format!("p{i}").as_bytes()]));
        batch.extend(resp::encode(&[b"PING"]));
        batch.extend(resp::encode(&[b"ECHO", i.to_string().as_bytes()]));
    }
    c.send(&batch);
    for i in 0..500 {
        assert_eq!(text(c.read_reply()), "+OK\r\n");
        assert_eq!(text(c.read_reply()), format!(":{}\r\n", i + 1));
        assert_eq!(text(c.read_reply()), "+PONG\r\n");
        assert_eq!(
            text(c.read_reply()),
            format!("${}\r\n{i}\r\n", i.to_string().len())
        );
    }
}

#[test]
fn transactions_watch_and_blocking_commands() {
    let d = deploy("", "");
    let mut a = d.proxy.conn();
    let mut b = d.proxy.conn();
    // MULTI/EXEC, pipelined in one write.
    let mut tx = Vec::new();
    for args in [
        &[&b"MULTI"[..]][..],
        &[b"SET", b"t", b"1"],
        &[b"INCR", b"t"],
        &[b"EXEC"],
    ] {
        tx.extend(resp::encode(args));
    }
    a.send(&tx);
    assert_eq!(text(a.read_reply()), "+OK\r\n");
    assert_eq!(text(a.read_reply()), "+QUEUED\r\n");
    assert_eq!(text(a.read_reply()), "+QUEUED\r\n");
    assert_eq!(text(a.read_reply()), "*2\r\n+OK\r\n:2\r\n");
    assert_eq!(a.cmd_text("DISCARD"), "-ERR DISCARD without MULTI\r\n");
    // WATCH conflict: another client touches the key before EXEC.
    assert_eq!(a.cmd_text("WATCH w"), "+OK\r\n");
    assert_eq!(b.cmd_text("SET w other"), "+OK\r\n");
    assert_eq!(a.cmd_text("MULTI"), "+OK\r\n");
    assert_eq!(a.cmd_text("SET w mine"), "+QUEUED\r\n");
    assert_eq!(a.cmd_text("EXEC"), "*-1\r\n");
    // On the master: through the proxy this read may go to the replica, which has another
    // connection's write only once it replicated.
    let mut master = d.master.conn();
    assert_eq!(master.cmd_text("GET w"), "$5\r\nother\r\n");
    // WATCH without conflict, then the connection goes back clean.
    assert_eq!(a.cmd_text("WATCH w2"), "+OK\r\n");
    assert_eq!(a.cmd_text("UNWATCH"), "+OK\r\n");
    assert_eq!(a.cmd_text("MULTI"), "+OK\r\n");
    assert_eq!(a.cmd_text("DISCARD"), "+OK\r\n");
    // BLPOP woken by a later LPUSH from another client (exempt from the command timeout).
    let port = d.proxy.port;
    let waiter = std::thread::spawn(move || {
        let mut c = resp::Conn::connect(port);
        text(c.cmd("BLPOP jobs 0"))
    });
    assert!(wait_until(Duration::from_secs(10), || {
        info_field(&mut master, "clients", "blocked_clients").as_deref() == Some("1")
    }));
    assert_eq!(b.cmd_text("LPUSH jobs j1"), ":1\r\n");
    assert_eq!(waiter.join().unwrap(), "*2\r\n$4\r\njobs\r\n$2\r\nj1\r\n");
    let timed = b.cmd_text("BLPOP nothing 0.1");
    assert_eq!(timed, "*-1\r\n");
}

#[test]
fn blocking_command_outlives_the_command_timeout() {
    let d = deploy("", "[listener.backend]\ncommand-timeout-ms = 200");
    let mut c = d.proxy.conn();
    let started = Instant::now();
    assert_eq!(c.cmd_text("BLPOP slow 0.8"), "*-1\r\n");
    assert!(started.elapsed() >= Duration::from_millis(700));
    assert_eq!(c.cmd_text("SET after ok"), "+OK\r\n");
}

#[test]
fn pubsub_channels_and_patterns() {
    let d = deploy("", "");
    let mut sub = d.proxy.conn();
    let mut publisher = d.proxy.conn();
    assert_eq!(
        sub.cmd_text("SUBSCRIBE news"),
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    );
    assert_eq!(
        sub.cmd_text("PSUBSCRIBE ne*"),
        "*3\r\n$10\r\npsubscribe\r\n$3\r\nne*\r\n:2\r\n"
    );
    // RESP2 pub/sub mode rules hold (enforced by the backend, relayed as is).
    let refused = sub.cmd_text("GET x");
    assert!(refused.starts_with("-ERR Can't execute 'get'"), "{refused}");
    assert_eq!(sub.cmd_text("PING"), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(publisher.cmd_text("PUBLISH news hello"), ":2\r\n");
    assert_eq!(
        text(sub.read_reply()),
        "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    );
    assert_eq!(
        text(sub.read_reply()),
        "*4\r\n$8\r\npmessage\r\n$3\r\nne*\r\n$4\r\nnews\r\n$5\r\nhello\r\n"
    );
    assert_eq!(
        sub.cmd_text("UNSUBSCRIBE news"),
        "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n"
    );
    assert_eq!(
        sub.cmd_text("PUNSUBSCRIBE"),
        "*3\r\n$12\r\npunsubscribe\r\n$3\r\nne*\r\n:0\r\n"
    );
    // Out of pub/sub mode: ordinary commands again, answered by the proxy and the backends.
    assert_eq!(sub.cmd_text("PING"), "+PONG\r\n");
    assert_eq!(sub.cmd_text("SET s 1"), "+OK\r\n");
    // RESP3: pushes, and other commands still run while subscribed.
    let mut sub3 = d.proxy.conn();
    assert!(sub3.cmd_text("HELLO 3").starts_with("%7"));
    assert_eq!(
        sub3.cmd_text("SUBSCRIBE c3"),
        ">3\r\n$9\r\nsubscribe\r\n$2\r\nc3\r\n:1\r\n"
    );
    assert_eq!(sub3.cmd_text("GET s"), "$1\r\n1\r\n");
    assert_eq!(publisher.cmd_text("PUBLISH c3 m"), ":1\r\n");
    assert_eq!(
        text(sub3.read_reply()),
        ">3\r\n$7\r\nmessage\r\n$2\r\nc3\r\n$1\r\nm\r\n"
    );
}

#[test]
fn slow_subscriber_is_disconnected_at_the_output_limit() {
    let d = deploy("client-output-buffer-limit = 1048576", "");
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", d.proxy.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // A tiny receive buffer, and it never reads.
    slow.write_all(&resp::encode(&[b"SUBSCRIBE", b"flood"]))
        .unwrap();
    let mut publisher = d.proxy.conn();
    assert!(wait_until(Duration::from_secs(10), || {
        publisher
            .cmd_text("PUBSUB NUMSUB flood")
            .ends_with(":1\r\n")
    }));
    let payload = vec![b'x'; 64 * 1024];
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut dropped = false;
    while Instant::now() < deadline {
        let reply = text(publisher.call(&[b"PUBLISH", b"flood", &payload]));
        if reply == ":0\r\n" {
            dropped = true;
            break;
        }
    }
    assert!(dropped, "the slow subscriber was never dropped");
    let log = d.proxy.log_text();
    assert!(
        log.contains("output buffer limit") || log.contains("too slow"),
        "{log}"
    );
    // Its socket is closed: whatever was buffered, then EOF.
    let mut sink = Vec::new();
    let _ = slow.read_to_end(&mut sink);
}

#[test]
fn a_thousand_transactions_share_a_bounded_number_of_backend_connections() {
    let d = deploy("", "[listener.backend]\nmax-leased = 16\npool-size = 2");
    let mut master = d.master.conn();
    let before: u64 = info_field(&mut master, "clients", "connected_clients")
        .unwrap()
        .parse()
        .unwrap();
    let mut clients: Vec<std::net::TcpStream> = (0..1000)
        .map(|_| {
            let s = std::net::TcpStream::connect(("127.0.0.1", d.proxy.port)).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            s
        })
        .collect();
    for (i, c) in clients.iter_mut().enumerate() {
        let mut tx = resp::encode(&[b"MULTI"]);
        tx.extend(resp::encode(&[b"INCR", b"counter"]));
        tx.extend(resp::encode(&[b"SET", format!("m{i}").as_bytes(), b"1"]));
        tx.extend(resp::encode(&[b"EXEC"]));
        c.write_all(&tx).unwrap();
    }
    let mut peak = 0u64;
    for c in clients.iter_mut() {
        let mut conn_out = Vec::new();
        let mut chunk = [0u8; 256];
        let done = |out: &[u8]| out.windows(4).any(|w| w == b"*2\r\n") && out.ends_with(b"+OK\r\n");
        while !done(&conn_out) {
            let n = c.read(&mut chunk).unwrap();
            assert!(n > 0, "proxy closed a transaction's connection");
            conn_out.extend_from_slice(&chunk[..n]);
        }
        let connected: u64 = info_field(&mut master, "clients", "connected_clients")
            .unwrap()
            .parse()
            .unwrap();
        peak = peak.max(connected);
    }
    assert_eq!(master.cmd_text("GET counter"), "$4\r\n1000\r\n");
    // 16 leased + the shared ones + a probe; nowhere near one per client.
    assert!(
        peak <= before + 16 + 4 + 2,
        "backend connections peaked at {peak} (from {before})"
    );
    let mut proxy = d.proxy.conn();
    let info = proxy.cmd_text("INFO routing");
    assert!(info.contains("leases:1000"), "{info}");
}

#[test]
fn max_clients_is_enforced() {
    let d = deploy("max-clients = 3", "");
    let held: Vec<resp::Conn> = (0..3).map(|_| d.proxy.conn()).collect();
    let mut extra = d.proxy.conn();
    let (out, _) = extra.read_until_end(Duration::from_secs(10));
    assert_eq!(text(out), "-ERR max number of clients reached\r\n");
    drop(held);
    assert!(wait_until(Duration::from_secs(20), || {
        resp::Conn::try_connect(d.proxy.port, Duration::from_secs(1))
            .and_then(|mut c| c.try_call(&[b"PING"]))
            .is_ok_and(|r| r == b"+PONG\r\n")
    }));
}

#[test]
fn dead_replica_leaves_rotation_and_reads_fall_back_to_the_master() {
    let mut d = deploy(
        "",
        "read-policy = \"replica-preferred\"\n[listener.backend]\nhealth-interval-ms = 100",
    );
    let mut c = d.proxy.conn();
    assert_eq!(c.cmd_text("SET k v"), "+OK\r\n");
    let replica_port = d.replica.port;
    d.replica.terminate(Duration::from_secs(10));
    // Reads keep working: first by falling back on a refused connect, then because the
    // replica is out of rotation.
    let mut ok = 0;
    for _ in 0..50 {
        if c.cmd_text("GET k") == "$1\r\nv\r\n" {
            ok += 1;
        }
    }
    assert!(
        ok >= 49,
        "only {ok} of 50 reads succeeded with the replica down"
    );
    // Out of rotation once a health check found it gone (every 100 ms; later on a busy
    // machine).
    let mut info = String::new();
    let down = wait_until(Duration::from_secs(20), || {
        info = c.cmd_text("INFO backends");
        info.contains(&format!(
            "addr=127.0.0.1:{replica_port},serving=replica,role=replica,healthy=0"
        ))
    });
    assert!(down, "{info}");
}

/// redis-cli, one-shot and with a pipe, through the proxy.
#[test]
fn redis_cli_through_the_proxy() {
    let Some(cli) = tool("redis-cli") else { return };
    let d = deploy("", "");
    let port = d.proxy.port.to_string();
    let run = |args: &[&str], stdin: Option<&str>| {
        let out = run_with_timeout(
            Command::new(&cli).args(["-p", &port]).args(args),
            stdin.map(|s| s.as_bytes().to_vec()),
            Duration::from_secs(30),
        );
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(run(&["SET", "cli", "1"], None), "OK\n");
    assert_eq!(run(&["INCR", "cli"], None), "2\n");
    let hello = run(&["-3", "HELLO", "3"], None);
    assert!(hello.contains("proto 3"), "{hello}");
    let piped = run(&[], Some("MULTI\nINCR cli\nEXEC\nPING\n"));
    assert_eq!(piped, "OK\nQUEUED\n3\nPONG\n");
    assert!(run(&["INFO", "backends"], None).contains("serving=master,role=master"));
}

/// redis-benchmark's default suite through the proxy with no error reply.
#[test]
fn redis_benchmark_default_suite_through_the_proxy() {
    let Some(bench) = tool("redis-benchmark") else {
        return;
    };
    let d = deploy("", "");
    let out = run_with_timeout(
        Command::new(&bench).args([
            "-p",
            &d.proxy.port.to_string(),
            "-n",
            "2000",
            "-c",
            "10",
            "-P",
            "4",
            "-q",
        ]),
        None,
        Duration::from_secs(120),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for test in ["PING_INLINE", "SET", "GET", "LPUSH", "LRANGE_600", "MSET"] {
        assert!(stdout.contains(test), "{test} missing:\n{stdout}");
    }
    assert!(
        !stdout.contains("ERR") && !stderr.contains("ERR"),
        "{stdout}\n{stderr}"
    );
}

/// The `redis` crate: plain commands, a pipeline and an atomic pipeline (MULTI/EXEC).
#[test]
fn redis_crate_through_the_proxy() {
    let d = deploy("", "read-policy = \"master\"");
    let client = redis::Client::open(format!("redis://127.0.0.1:{}/", d.proxy.port)).unwrap();
    let mut con = client.get_connection().unwrap();
    let _: () = redis::cmd("SET").arg("rc").arg(5).query(&mut con).unwrap();
    let v: i64 = redis::cmd("INCRBY")
        .arg("rc")
        .arg(2)
        .query(&mut con)
        .unwrap();
    assert_eq!(v, 7);
    let (a, b): (i64, String) = redis::pipe()
        .cmd("INCR")
        .arg("rc")
        .cmd("ECHO")
        .arg("x")
        .query(&mut con)
        .unwrap();
    assert_eq!((a, b.as_str()), (8, "x"));
    let (c,): (i64,) = redis::pipe()
        .atomic()
        .cmd("INCR")
        .arg("rc")
        .query(&mut con)
        .unwrap();
    assert_eq!(c, 9);
    let got: i64 = redis::cmd("GET").arg("rc").query(&mut con).unwrap();
    assert_eq!(got, 9);
}

const REDIS_PY_SUITE: &str = r#"
import sys, threading, time, redis
port, proto = int(sys.argv[1]), int(sys.argv[2])
r = redis.Redis(port=port, protocol=proto, decode_responses=True, client_name="pytest")
assert r.ping()
assert r.client_getname() == "pytest"
assert r.set("py", "1") and r.incr("py") == 2
assert r.hset("h", mapping={"a": "1", "b": "2"}) == 2
assert r.hgetall("h") == {"a": "1", "b": "2"}, r.hgetall("h")
p = r.pipeline(transaction=True); p.incr("py"); p.get("py")
assert p.execute() == [3, "3"]
with r.pipeline() as p:
    p.watch("py"); p.multi(); p.incr("py"); assert p.execute() == [4]
ps = r.pubsub(); ps.subscribe("pych"); ps.psubscribe("py*")
deadline = time.time() + 10
while r.pubsub_numsub("pych")[0][1] != 1 and time.time() < deadline: time.sleep(0.01)
assert r.publish("pych", "hi") == 2
got = []
while len(got) < 2 and time.time() < deadline:
    m = ps.get_message(timeout=1)
    if m and m["type"] in ("message", "pmessage"): got.append((m["type"], m["data"]))
assert sorted(got) == [("message", "hi"), ("pmessage", "hi")], got
ps.close()
def later(): time.sleep(0.2); redis.Redis(port=port, protocol=proto).lpush("pyq", "x")
threading.Thread(target=later).start()
got = r.blpop("pyq", timeout=10)
assert tuple(got) == ("pyq", "x"), got
print("PASS")
"#;

fn redis_py(protocol: u8) {
    let python = std::env::var_os("SWITCHYARD_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| support::repo_root().join(".venv/bin/python"));
    if !python.is_file() {
        support::missing::<()>(&format!(
            "{} not found (.ci/run creates it)",
            python.display()
        ));
        return;
    }
    // The suite reads its own writes at once (HSET then HGETALL): with replicas in rotation
    // only read-your-writes promises it sees them.
    let d = deploy("", "consistency = \"read-your-writes\"");
    let out = run_with_timeout(
        Command::new(&python).args([
            "-c",
            REDIS_PY_SUITE,
            &d.proxy.port.to_string(),
            &protocol.to_string(),
        ]),
        None,
        Duration::from_secs(60),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("PASS"),
        "redis-py RESP{protocol}:\n{stdout}\n{stderr}\n{}",
        d.proxy.log_text()
    );
}

#[test]
fn redis_py_resp3_through_the_proxy() {
    redis_py(3);
}

#[test]
fn redis_py_resp2_through_the_proxy() {
    redis_py(2);
}

#[test]
fn prometheus_endpoint_exports_backend_counters_and_latency() {
    let metrics_port = support::free_port();
    let d = deploy(
        &format!("metrics-address = \"127.0.0.1:{metrics_port}\""),
        "",
    );
    let mut c = d.proxy.conn();
    for i in 0..20 {
        assert_eq!(c.cmd_text(&format!("SET m{i} 1")), "+OK\r\n");
        c.cmd_text(&format!("GET m{i}"));
    }
    let scrape = || {
        let mut http = std::net::TcpStream::connect(("127.0.0.1", metrics_port)).ok()?;
        http.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .ok()?;
        let mut body = String::new();
        http.read_to_string(&mut body).ok()?;
        Some(body)
    };
    let master = format!("backend=\"127.0.0.1:{}\"", d.master.port);
    let mut last = String::new();
    let found = wait_until(Duration::from_secs(10), || {
        last = scrape().unwrap_or_default();
        last.contains("proxy_backend_requests_total")
            && last.contains(&master)
            && last.contains("proxy_command_duration_seconds")
            && last.contains("proxy_replica_reads_total")
    });
    assert!(found, "{last}");
}

#[test]
fn subscriptions_move_to_the_new_master_after_a_failover() {
    let mut d = deploy("", "[listener.backend]\nhealth-interval-ms = 100");
    let mut sub = d.proxy.conn();
    assert!(sub.cmd_text("SUBSCRIBE ch1 ch2").starts_with("*3"));
    assert!(text(sub.read_reply()).contains("ch2"));
    assert!(sub.cmd_text("PSUBSCRIBE ch*").starts_with("*3"));
    d.master.terminate(Duration::from_secs(10));
    let mut promoted = d.replica.conn();
    assert_eq!(promoted.cmd_text("REPLICAOF NO ONE"), "+OK\r\n");
    // The proxy subscribes again on the new master, without telling the client.
    assert!(wait_until(Duration::from_secs(15), || {
        promoted.cmd_text("PUBSUB NUMSUB ch1 ch2") == "*4\r\n$3\r\nch1\r\n:1\r\n$3\r\nch2\r\n:1\r\n"
            && promoted.cmd_text("PUBSUB NUMPAT") == ":1\r\n"
    }));
    let mut publisher = d.proxy.conn();
    let mut last = String::new();
    let published = wait_until(Duration::from_secs(10), || {
        last = publisher.cmd_text("PUBLISH ch2 after");
        last == ":2\r\n"
    });
    assert!(published, "{last}\n{}", d.proxy.log_text());
    assert_eq!(
        text(sub.read_reply()),
        "*3\r\n$7\r\nmessage\r\n$3\r\nch2\r\n$5\r\nafter\r\n"
    );
    assert!(text(sub.read_reply()).starts_with("*4\r\n$8\r\npmessage"));
    assert_eq!(
        sub.cmd_text("UNSUBSCRIBE ch1"),
        "*3\r\n$11\r\nunsubscribe\r\n$3\r\nch1\r\n:2\r\n"
    );
}

#[test]
fn subscriber_is_closed_when_no_master_takes_its_subscriptions() {
    let mut d = deploy("", "[listener.backend]\ncommand-timeout-ms = 300");
    let mut sub = d.proxy.conn();
    assert!(sub.cmd_text("SUBSCRIBE ch").starts_with("*3"));
    d.master.terminate(Duration::from_secs(10));
    assert!(
        sub.wait_closed(Duration::from_secs(10)),
        "the client must reconnect and subscribe again"
    );
}

#[test]
fn static_topology_follows_a_role_swap_seen_with_role_and_readonly() {
    let d = deploy("", "[listener.backend]\nhealth-interval-ms = 100");
    let mut c = d.proxy.conn();
    assert_eq!(c.cmd_text("SET before 1"), "+OK\r\n");
    // Swap roles behind the proxy's back.
    let mut old_master = d.master.conn();
    let mut new_master = d.replica.conn();
    assert_eq!(new_master.cmd_text("REPLICAOF NO ONE"), "+OK\r\n");
    assert_eq!(
        old_master.cmd_text(&format!("REPLICAOF 127.0.0.1 {}", d.replica.port)),
        "+OK\r\n"
    );
    // Writes may meet -READONLY from the demoted master (which makes the proxy look again at
    // once) until the new topology is in; then they land on the new master.
    let mut readonly = 0;
    let moved = wait_until(Duration::from_secs(15), || {
        let reply = c.cmd_text("SET after 2");
        if reply.starts_with("-READONLY") {
            readonly += 1;
        }
        reply == "+OK\r\n"
    });
    assert!(moved, "{}", d.proxy.log_text());
    assert_eq!(new_master.cmd_text("GET after"), "$1\r\n2\r\n");
    let info = c.cmd_text("INFO");
    assert!(
        info.contains(&format!("master:127.0.0.1:{}", d.replica.port)),
        "{info}"
    );
    assert!(info.contains("failovers_followed:1"), "{info}");
    eprintln!("role swap followed after {readonly} -READONLY replies");
}

#[test]
fn latency_policy_spreads_reads_and_weight_zero_takes_a_replica_out() {
    let master = Server::node(&[]);
    let port = master.port.to_string();
    let r1 = Server::node(&["--replicaof", "127.0.0.1", &port]);
    let r2 = Server::node(&["--replicaof", "127.0.0.1", &port]);
    wait_replica_synced(&r1);
    wait_replica_synced(&r2);
    let topology = static_topology(master.port, &[r1.port, r2.port]);
    let proxy = Proxy::start(
        "",
        &format!(
            "read-policy = \"latency\"\nlatency-tolerance-ms = 1000\n[listener.backend]\nhealth-interval-ms = 50\n{topology}"
        ),
    );
    let mut c = proxy.conn();
    // A wide band: on a loaded machine one probe can take tens of milliseconds, and this test
    // is about spreading within the band (the band's edge is unit-tested in route.rs).
    // Both replicas have a latency sample before the reads start.
    assert!(wait_until(Duration::from_secs(10), || {
        let info = c.cmd_text("INFO backends");
        info.matches("serving=replica,role=replica,healthy=1")
            .count()
            == 2
            && !info.contains("latency_us=0,")
    }));
    let (mut c1, mut c2) = (r1.conn(), r2.conn());
    let (b1, b2) = (calls(&mut c1, "get"), calls(&mut c2, "get"));
    for _ in 0..200 {
        c.cmd("GET x");
    }
    let (n1, n2) = (calls(&mut c1, "get") - b1, calls(&mut c2, "get") - b2);
    assert_eq!(n1 + n2, 200);
    assert!(n1 > 20 && n2 > 20, "reads should spread: {n1} / {n2}");
    // Weight 0 (after a reload) takes r2 out of rotation.
    proxy.reload(
        "",
        &format!(
            "read-policy = \"latency\"\nlatency-tolerance-ms = 50\n[listener.weights]\n\"127.0.0.1:{}\" = 0\n{topology}",
            r2.port
        ),
    );
    let b1 = calls(&mut c1, "get");
    let settled = wait_until(Duration::from_secs(10), || {
        let before = calls(&mut c2, "get");
        for _ in 0..20 {
            c.cmd("GET x");
        }
        calls(&mut c2, "get") == before
    });
    assert!(settled, "{}", proxy.log_text());
    let before = calls(&mut c2, "get");
    for _ in 0..100 {
        c.cmd("GET x");
    }
    assert_eq!(calls(&mut c2, "get"), before);
    assert!(calls(&mut c1, "get") - b1 >= 100);
}

#[test]
fn a_client_leaving_during_blpop_gives_its_lease_back() {
    let d = deploy("", "[listener.backend]\nmax-leased = 1");
    let mut master = d.master.conn();
    let blocked = |m: &mut resp::Conn| info_field(m, "clients", "blocked_clients");
    let mut gone = d.proxy.conn();
    gone.send(&resp::encode(&[b"BLPOP", b"never", b"0"]));
    assert!(wait_until(Duration::from_secs(10), || {
        blocked(&mut master).as_deref() == Some("1")
    }));
    drop(gone);
    assert!(
        wait_until(Duration::from_secs(10), || blocked(&mut master).as_deref()
            == Some("0")),
        "the backend still blocks for a client that left"
    );
    // The only leasable connection is free again.
    let mut next = d.proxy.conn();
    assert_eq!(next.cmd_text("MULTI"), "+OK\r\n");
    assert_eq!(next.cmd_text("EXEC"), "*0\r\n");
}

#[test]
fn backend_credentials_are_sent_to_password_protected_backends() {
    let master = Server::node(&["--requirepass", "backend-pw"]);
    let replica = Server::node(&[
        "--requirepass",
        "backend-pw",
        "--masterauth",
        "backend-pw",
        "--replicaof",
        "127.0.0.1",
        &master.port.to_string(),
    ]);
    let mut r = replica.conn();
    assert_eq!(r.cmd_text("AUTH backend-pw"), "+OK\r\n");
    assert!(wait_until(Duration::from_secs(20), || {
        info_field(&mut r, "replication", "master_link_status").as_deref() == Some("up")
    }));
    let proxy = Proxy::start(
        "",
        &format!(
            "requirepass = \"client-pw\"\nread-policy = \"replica\"\n[listener.backend]\npassword = \"backend-pw\"\n{}",
            static_topology(master.port, &[replica.port])
        ),
    );
    let mut c = proxy.conn();
    assert!(c.cmd_text("AUTH backend-pw").starts_with("-WRONGPASS"));
    assert_eq!(c.cmd_text("AUTH client-pw"), "+OK\r\n");
    assert_eq!(c.cmd_text("SET secret 1"), "+OK\r\n");
    assert!(wait_until(Duration::from_secs(10), || {
        c.cmd_text("GET secret") == "$1\r\n1\r\n"
    }));
    let mut m = master.conn();
    m.cmd("AUTH backend-pw");
    assert_eq!(calls(&mut m, "set"), 1);
    assert!(calls(&mut r, "get") >= 1);
}

#[test]
fn malformed_commands_inside_multi_abort_the_transaction_as_in_redis() {
    let d = deploy("", "");
    let mut c = d.proxy.conn();
    assert_eq!(c.cmd_text("MULTI"), "+OK\r\n");
    assert_eq!(c.cmd_text("SET inmulti 1"), "+QUEUED\r\n");
    assert!(
        c.cmd_text("GET")
            .starts_with("-ERR wrong number of arguments for 'get'")
    );
    assert!(
        c.cmd_text("NOSUCHCOMMAND x")
            .starts_with("-ERR unknown command 'NOSUCHCOMMAND'")
    );
    assert!(
        c.cmd_text("SELECT")
            .starts_with("-ERR wrong number of arguments")
    );
    assert!(c.cmd_text("EXEC").starts_with("-EXECABORT"));
    assert_eq!(c.cmd_text("GET inmulti"), "$-1\r\n");
    // Before AUTH, Redis's order of checks: unknown command and arity first, then NOAUTH.
    let p = Proxy::start(
        "",
        &format!(
            "requirepass = \"pw\"\n{}",
            static_topology(d.master.port, &[d.replica.port])
        ),
    );
    let mut u = p.conn();
    assert!(
        u.cmd_text("NOSUCHCOMMAND")
            .starts_with("-ERR unknown command")
    );
    assert!(
        u.cmd_text("GET")
            .starts_with("-ERR wrong number of arguments")
    );
    assert_eq!(u.cmd_text("GET k"), "-NOAUTH Authentication required.\r\n");
}
