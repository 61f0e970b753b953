//! The node as a master of a real `redis-server` replica: full resynchronisation from a
//! fork-free snapshot (every type, several databases), the command stream afterwards, and a
//! partial resynchronisation from the backlog after the replica's link is cut.

mod support;

use std::time::{Duration, Instant};

use support::Server;
use support::dataset::{assert_same, call, contents, fill, info_field};
use support::resp::Conn;

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Wait until the replica has processed everything the master sent.
fn wait_caught_up(master: &mut Conn, replica: &mut Conn) {
    wait_for("the replica to catch up", || {
        let sent = info_field(master, "replication", "master_repl_offset");
        info_field(replica, "replication", "master_link_status") == "up"
            && info_field(replica, "replication", "slave_repl_offset") == sent
    });
}

fn signal(server: &Server, which: &str) {
    let status = std::process::Command::new("kill")
        .args([which, &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {which}");
}

/// The id of the connection that became a replica's link (its last command was PSYNC).
fn link_client_id(master: &mut Conn) -> String {
    let list = String::from_utf8(call(master, &[b"CLIENT", b"LIST"])).unwrap();
    list.lines()
        .find(|l| l.contains("cmd=psync"))
        .and_then(|l| l.split(' ').find_map(|f| f.strip_prefix("id=")))
        .unwrap_or_else(|| panic!("no replica link in {list}"))
        .trim_start_matches(|c: char| !c.is_ascii_digit())
        .to_string()
}

#[test]
fn a_real_redis_replica_syncs_streams_and_resyncs_partially() {
    let master = Server::node(&[]);
    let mut m = master.conn();
    fill(&mut m);
    let port = master.port.to_string();
    let Some(replica) = Server::redis(&["--replicaof", "127.0.0.1", &port]) else {
        return;
    };
    let mut r = replica.conn();
    wait_caught_up(&mut m, &mut r);
    assert_same(
        &contents(&mut r),
        &contents(&mut m),
        "after the full resync",
    );
    assert_eq!(info_field(&mut m, "stats", "sync_full"), "1");
    let listed = info_field(&mut m, "replication", "slave0");
    assert!(
        listed.starts_with(&format!("ip=127.0.0.1,port={},state=online", replica.port)),
        "{listed}"
    );

    // The stream: writes in several databases, relative expiries, a transaction.
    for cmd in [
        &[&b"SET"[..], b"after", b"sync", b"EX", b"1000"][..],
        &[b"SELECT", b"7"],
        &[b"RPUSH", b"db7:list", b"x", b"y"],
        &[b"SELECT", b"0"],
        &[b"MULTI"],
        &[b"INCR", b"counter"],
        &[b"HSET", b"hash:small", b"f3", b"v3"],
        &[b"EXEC"],
        &[b"DEL", b"str:small"],
    ] {
        call(&mut m, cmd);
    }
    wait_caught_up(&mut m, &mut r);
    assert_same(&contents(&mut r), &contents(&mut m), "after streaming");
    // WAIT: the replica acknowledges this client's writes; two replicas never do.
    call(&mut m, &[b"SET", b"waited", b"for"]);
    assert_eq!(m.cmd_text("WAIT 1 10000"), ":1\r\n");
    assert_eq!(m.cmd_text("WAIT 2 100"), ":1\r\n");
    // min-replicas-to-write: one good replica is enough, two are not.
    call(&mut m, &[b"CONFIG", b"SET", b"min-replicas-to-write", b"1"]);
    assert_eq!(
        info_field(&mut m, "replication", "min_slaves_good_slaves"),
        "1"
    );
    assert_eq!(m.cmd_text("SET guarded 1"), "+OK\r\n");
    call(&mut m, &[b"CONFIG", b"SET", b"min-replicas-to-write", b"2"]);
    assert_eq!(
        m.cmd_text("SET guarded 2"),
        "-NOREPLICAS Not enough good replicas to write.\r\n"
    );
    assert_eq!(m.cmd_text("GET guarded"), "$1\r\n1\r\n");
    call(&mut m, &[b"CONFIG", b"SET", b"min-replicas-to-write", b"0"]);

    // Cut the replica's link: it comes back with PSYNC and gets only what it missed.
    assert_eq!(r.cmd_text("CLIENT KILL TYPE master"), ":1\r\n");
    call(&mut m, &[b"SET", b"while", b"away"]);
    wait_caught_up(&mut m, &mut r);
    assert_eq!(info_field(&mut m, "stats", "sync_partial_ok"), "1");
    assert_eq!(info_field(&mut m, "stats", "sync_full"), "1");
    assert_same(
        &contents(&mut r),
        &contents(&mut m),
        "after the partial resync",
    );
    let backlog_first = info_field(&mut m, "replication", "repl_backlog_first_byte_offset");
    assert_eq!(backlog_first, "1");
    let role = m.cmd_text("ROLE");
    assert!(
        role.starts_with("*3\r\n$6\r\nmaster\r\n:")
            && role.contains(&format!(
                "$9\r\n127.0.0.1\r\n${}\r\n{}\r\n",
                replica.port.to_string().len(),
                replica.port
            )),
        "{role}"
    );

    // More written while the link is down than the backlog holds: a full resync again.
    call(&mut m, &[b"CONFIG", b"SET", b"repl-backlog-size", b"16kb"]);
    // The replica is stopped and its link closed from the master's side, so it cannot come
    // back before the writes are done, however fast it reconnects.
    signal(&replica, "-STOP");
    let link_id = link_client_id(&mut m);
    assert_eq!(m.cmd_text(&format!("CLIENT KILL ID {link_id}")), ":1\r\n");
    let value = "v".repeat(200);
    let mut writes = Vec::new();
    for i in 0..300 {
        let key = format!("overflow:{i}");
        writes.extend_from_slice(&support::resp::encode(&[
            b"SET",
            key.as_bytes(),
            value.as_bytes(),
        ]));
    }
    m.send(&writes);
    for _ in 0..300 {
        m.read_reply();
    }
    let first: u64 = info_field(&mut m, "replication", "repl_backlog_first_byte_offset")
        .parse()
        .unwrap();
    assert!(first > 1, "the backlog did not wrap");
    assert_eq!(info_field(&mut m, "stats", "sync_full"), "1");
    signal(&replica, "-CONT");
    wait_for("a second full resync", || {
        info_field(&mut m, "stats", "sync_full") == "2"
    });
    wait_caught_up(&mut m, &mut r);
    assert_same(
        &contents(&mut r),
        &contents(&mut m),
        "after the backlog overflowed",
    );

    // client-output-buffer-limit replica: more queued for a replica than the hard limit
    // drops its link; it comes back with a partial resync.
    call(&mut m, &[b"CONFIG", b"SET", b"repl-backlog-size", b"1mb"]);
    call(
        &mut m,
        &[
            b"CONFIG",
            b"SET",
            b"client-output-buffer-limit",
            b"replica 64kb 0 0",
        ],
    );
    let partial_before: u64 = info_field(&mut m, "stats", "sync_partial_ok")
        .parse()
        .unwrap();
    let big = "b".repeat(100 * 1024);
    call(&mut m, &[b"SET", b"big", big.as_bytes()]);
    wait_for("the dropped replica to resync", || {
        info_field(&mut m, "stats", "sync_partial_ok")
            .parse::<u64>()
            .unwrap()
            > partial_before
    });
    wait_caught_up(&mut m, &mut r);
    assert_eq!(r.call(&[b"STRLEN", b"big"]), b":102400\r\n");
    assert!(
        master
            .log_text()
            .contains("overcoming of output buffer limits"),
        "{}",
        master.log_text()
    );
}

#[test]
fn replconf_and_psync_answer_as_redis() {
    let master = Server::node(&[]);
    let mut c = master.conn();
    assert_eq!(c.cmd_text("WAIT 0 0"), ":0\r\n");
    assert_eq!(c.cmd_text("WAIT 1 50"), ":0\r\n");
    assert_eq!(c.cmd_text("WAIT 1 -1"), "-ERR timeout is negative\r\n");
    assert_eq!(c.cmd_text("REPLCONF listening-port 1234"), "+OK\r\n");
    assert_eq!(c.cmd_text("REPLCONF capa eof capa psync2"), "+OK\r\n");
    assert_eq!(
        c.cmd_text("REPLCONF listening-port"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        c.cmd_text("REPLCONF nosuch 1"),
        "-ERR Unrecognized REPLCONF option: nosuch\r\n"
    );
    // An unknown replication id: a full resync at the current offset.
    let reply = c.cmd_text("PSYNC 0123456789012345678901234567890123456789 5");
    let replid = info_field(&mut master.conn(), "replication", "master_replid");
    assert_eq!(reply, format!("+FULLRESYNC {replid} 0\r\n"));
    assert_eq!(
        info_field(&mut master.conn(), "stats", "sync_partial_err"),
        "1"
    );
}
