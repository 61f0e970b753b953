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

/// Wait until the replica processed everything, then compare the whole data sets.
fn assert_caught_up_same(master: &mut Conn, replica: &mut Conn, what: &str) {
    wait_caught_up(master, replica);
    assert_same(&contents(replica), &contents(master), what);
}

/// Writes in several databases, a relative expiry, a transaction, then `last`.
fn stream_writes(m: &mut Conn, last: &[&[u8]]) {
    for cmd in [
        &[&b"SET"[..], b"after", b"sync", b"EX", b"1000"][..],
        &[b"SELECT", b"7"],
        &[b"RPUSH", b"db7:list", b"x", b"y"],
        &[b"SELECT", b"0"],
        &[b"MULTI"],
        &[b"INCR", b"counter"],
        &[b"HSET", b"hash:small", b"f3", b"v3"],
        &[b"EXEC"],
        last,
    ] {
        call(m, cmd);
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
    assert_caught_up_same(&mut m, &mut r, "after the full resync");
    assert_eq!(info_field(&mut m, "stats", "sync_full"), "1");
    let listed = info_field(&mut m, "replication", "slave0");
    assert!(
        listed.starts_with(&format!("ip=127.0.0.1,port={},state=online", replica.port)),
        "{listed}"
    );

    // The stream: writes in several databases, relative expiries, a transaction.
    stream_writes(&mut m, &[b"DEL", b"str:small"]);
    assert_caught_up_same(&mut m, &mut r, "after streaming");
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
    assert_caught_up_same(&mut m, &mut r, "after the backlog overflowed");

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

/// The replica's role word and offset from ROLE, e.g. ("slave", "connected").
fn role_of(conn: &mut Conn) -> Vec<String> {
    let reply = conn.call(&[b"ROLE"]);
    support::dataset::elements(&reply)
        .into_iter()
        .map(|e| String::from_utf8_lossy(&e).trim().to_string())
        .collect()
}

fn replicate(replica: &mut Conn, master: &Server) {
    let port = master.port.to_string();
    assert_eq!(
        replica.call(&[b"REPLICAOF", b"127.0.0.1", port.as_bytes()]),
        b"+OK\r\n"
    );
}

fn stat(conn: &mut Conn, field: &str) -> u64 {
    info_field(conn, "stats", field).parse().unwrap()
}

#[test]
fn switchyard_replicas_sync_fully_partially_chained_and_after_promotion() {
    let master = Server::node(&[]);
    let mut m = master.conn();
    fill(&mut m);
    let first = Server::node(&[]);
    let mut r1 = first.conn();
    replicate(&mut r1, &master);
    assert_caught_up_same(&mut m, &mut r1, "after the full resync");
    let role = role_of(&mut r1);
    assert_eq!(
        &role[..4],
        [
            "slave",
            "127.0.0.1",
            &format!(":{}", master.port),
            "connected"
        ]
    );
    assert_eq!(
        r1.cmd_text(&format!("REPLICAOF 127.0.0.1 {}", master.port)),
        "+OK Already connected to specified master\r\n"
    );
    // A replica refuses its clients' writes, and WAIT.
    assert_eq!(
        r1.cmd_text("SET k v"),
        "-READONLY You can't write against a read only replica.\r\n"
    );
    assert!(
        r1.cmd_text("WAIT 1 0")
            .starts_with("-ERR WAIT cannot be used with replica instances.")
    );

    // A sub-replica of the replica: the same bytes, the same id and offsets.
    let chained = Server::node(&[]);
    let mut r3 = chained.conn();
    replicate(&mut r3, &first);
    let second = Server::node(&[]);
    let mut r2 = second.conn();
    replicate(&mut r2, &master);
    stream_writes(&mut m, &[b"DEL", b"str:small"]);
    for r in [&mut r1, &mut r2] {
        wait_caught_up(&mut m, r);
    }
    wait_caught_up(&mut m, &mut r3);
    let want = contents(&mut m);
    for (r, what) in [
        (&mut r1, "replica"),
        (&mut r2, "second replica"),
        (&mut r3, "chained replica"),
    ] {
        assert_same(&contents(r), &want, what);
        assert_eq!(
            info_field(r, "replication", "master_replid"),
            info_field(&mut m, "replication", "master_replid")
        );
    }
    assert_eq!(
        stat(&mut r1, "sync_full"),
        1,
        "the sub-replica synced from the replica"
    );
    // WAIT counts both direct replicas.
    call(&mut m, &[b"SET", b"waited", b"for"]);
    assert_eq!(m.cmd_text("WAIT 2 10000"), ":2\r\n");

    // A cut link comes back with a partial resync of just what it missed.
    let before = info_field(&mut m, "replication", "master_repl_offset");
    let backlog_start = info_field(&mut r1, "replication", "repl_backlog_first_byte_offset");
    assert_eq!(r1.cmd_text("CLIENT KILL TYPE master"), ":1\r\n");
    call(&mut m, &[b"SET", b"while", b"away"]);
    wait_caught_up(&mut m, &mut r1);
    assert_eq!(stat(&mut m, "sync_partial_ok"), 1);
    assert_eq!(stat(&mut m, "sync_full"), 2);
    assert_eq!(r1.call(&[b"GET", b"while"]), b"$4\r\naway\r\n");
    // The replica's own history went on where it stopped: a full resync would have
    // restarted its backlog at the new offset.
    assert_eq!(
        info_field(&mut r1, "replication", "repl_backlog_first_byte_offset"),
        backlog_start
    );
    let after: u64 = info_field(&mut r1, "replication", "slave_repl_offset")
        .parse()
        .unwrap();
    let missed = "*3\r\n$3\r\nSET\r\n$5\r\nwhile\r\n$4\r\naway\r\n".len() as u64;
    assert!(after >= before.parse::<u64>().unwrap() + missed);

    // PSYNC2: promote the first replica; the second, pointed at it, continues partially
    // with the old master's id, up to where the promotion happened.
    wait_caught_up(&mut m, &mut r2);
    let old_id = info_field(&mut m, "replication", "master_replid");
    let promoted_at: u64 = info_field(&mut r1, "replication", "master_repl_offset")
        .parse()
        .unwrap();
    assert_eq!(r1.cmd_text("REPLICAOF NO ONE"), "+OK\r\n");
    assert_eq!(role_of(&mut r1)[0], "master");
    assert_eq!(info_field(&mut r1, "replication", "master_replid2"), old_id);
    assert_eq!(
        info_field(&mut r1, "replication", "second_repl_offset"),
        (promoted_at + 1).to_string()
    );
    replicate(&mut r2, &first);
    call(&mut r1, &[b"SET", b"promoted", b"yes"]);
    wait_caught_up(&mut r1, &mut r2);
    wait_caught_up(&mut r1, &mut r3);
    // The sub-replica and the former sibling continued: no new full resync on the promoted.
    assert_eq!(stat(&mut r1, "sync_full"), 1);
    assert_eq!(stat(&mut r1, "sync_partial_ok"), 2);
    assert_eq!(r2.call(&[b"GET", b"promoted"]), b"$3\r\nyes\r\n");
    assert_same(
        &contents(&mut r3),
        &contents(&mut r1),
        "chained after the promotion",
    );
    assert_eq!(r1.cmd_text("SET writable again"), "+OK\r\n");
}

/// Sentinel's promotion: every step runs though one fails (no config file to rewrite), and
/// the connection that sent it survives its own CLIENT KILLs.
#[test]
fn sentinel_promotion_transaction() {
    let master = Server::node(&[]);
    let replica = Server::node(&[]);
    let mut r = replica.conn();
    replicate(&mut r, &master);
    wait_caught_up(&mut master.conn(), &mut r);
    let mut normal = replica.conn();
    assert_eq!(normal.cmd_text("PING"), "+PONG\r\n");
    let mut subscriber = replica.conn();
    subscriber.send(&support::resp::encode(&[b"SUBSCRIBE", b"news"]));
    subscriber.read_reply();
    let mut sentinel = replica.conn();
    assert_eq!(sentinel.cmd_text("MULTI"), "+OK\r\n");
    for line in [
        "SLAVEOF NO ONE",
        "CONFIG REWRITE",
        "CLIENT KILL TYPE normal",
        "CLIENT KILL TYPE pubsub",
    ] {
        assert_eq!(sentinel.cmd_text(line), "+QUEUED\r\n", "{line}");
    }
    // The two normal connections (the one that set REPLICAOF up, and `normal`) and the
    // subscriber go; the sender stays.
    assert_eq!(
        sentinel.cmd_text("EXEC"),
        "*4\r\n+OK\r\n-ERR The server is running without a config file\r\n:2\r\n:1\r\n"
    );
    assert_eq!(sentinel.cmd_text("PING"), "+PONG\r\n");
    assert!(normal.wait_closed(Duration::from_secs(5)));
    assert!(subscriber.wait_closed(Duration::from_secs(5)));
    assert_eq!(role_of(&mut sentinel)[0], "master");
    assert_eq!(sentinel.cmd_text("SET now writable"), "+OK\r\n");
    // CLIENT KILL TYPE replica closes a replica's link on the master (it then reconnects).
    let mut m = master.conn();
    let other = Server::node(&[]);
    let mut o = other.conn();
    replicate(&mut o, &master);
    wait_caught_up(&mut m, &mut o);
    let partial = stat(&mut m, "sync_partial_ok");
    assert_eq!(m.cmd_text("CLIENT KILL TYPE replica"), ":1\r\n");
    wait_for("the replica to come back", || {
        stat(&mut m, "sync_partial_ok") == partial + 1
    });
}

#[test]
fn replica_refusals_and_introspection() {
    // A master nobody listens on: the link stays down.
    let nowhere = support::free_port().to_string();
    let replica = Server::node(&[
        "--replicaof",
        "127.0.0.1",
        &nowhere,
        "--replica-priority",
        "7",
    ]);
    let mut r = replica.conn();
    let role = role_of(&mut r);
    assert_eq!(role[0], "slave");
    assert!(
        ["connect", "connecting"].contains(&role[3].as_str()),
        "{role:?}"
    );
    assert_eq!(role[4], ":-1");
    assert_eq!(
        info_field(&mut r, "replication", "master_link_status"),
        "down"
    );
    assert_eq!(
        info_field(&mut r, "replication", "master_last_io_seconds_ago"),
        "-1"
    );
    assert_eq!(info_field(&mut r, "replication", "slave_priority"), "7");
    // Never connected: -1, as Redis.
    assert_eq!(
        info_field(&mut r, "replication", "master_link_down_since_seconds"),
        "-1"
    );
    assert_eq!(info_field(&mut r, "replication", "slave_read_only"), "1");
    call(
        &mut r,
        &[b"CONFIG", b"SET", b"replica-serve-stale-data", b"no"],
    );
    assert_eq!(
        r.cmd_text("GET k"),
        "-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n"
    );
    // As in Redis 7.0, PING is refused too; INFO and CONFIG are not.
    assert!(r.cmd_text("PING").starts_with("-MASTERDOWN"));
    call(
        &mut r,
        &[b"CONFIG", b"SET", b"replica-serve-stale-data", b"yes"],
    );
    assert_eq!(r.cmd_text("GET k"), "$-1\r\n");
    // A writable replica takes local writes.
    call(&mut r, &[b"CONFIG", b"SET", b"replica-read-only", b"no"]);
    assert_eq!(r.cmd_text("SET k local"), "+OK\r\n");
    assert_eq!(
        r.cmd_text("REPLICAOF 127.0.0.1 notaport"),
        "-ERR Invalid master port\r\n"
    );
    assert_eq!(
        r.cmd_text("PSYNC ? -1"),
        "-NOMASTERLINK Can't SYNC while not connected with my master\r\n"
    );
    // CONFIG REWRITE keeps the master, REPLICAOF NO ONE removes it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("node.conf");
    std::fs::write(&file, "").unwrap();
    let with_file = Server::node_with_file(Some(&file), &["--replicaof", "127.0.0.1", &nowhere]);
    let mut w = with_file.conn();
    assert_eq!(w.cmd_text("CONFIG REWRITE"), "+OK\r\n");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&format!("\nreplicaof 127.0.0.1 {nowhere}\n")),
        "{text}"
    );
    assert_eq!(w.cmd_text("REPLICAOF NO ONE"), "+OK\r\n");
    assert_eq!(w.cmd_text("CONFIG REWRITE"), "+OK\r\n");
    assert!(
        !std::fs::read_to_string(&file)
            .unwrap()
            .contains("replicaof")
    );
}

#[test]
fn failover_hands_the_master_role_to_a_replica() {
    let master = Server::node(&[]);
    let replica = Server::node(&[]);
    let mut m = master.conn();
    let mut r = replica.conn();
    assert_eq!(
        m.cmd_text("FAILOVER"),
        "-ERR FAILOVER requires connected replicas.\r\n"
    );
    assert_eq!(
        m.cmd_text("FAILOVER ABORT"),
        "-ERR No failover in progress.\r\n"
    );
    assert_eq!(
        m.cmd_text("FAILOVER TO 127.0.0.1 1 FORCE"),
        "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n"
    );
    replicate(&mut r, &master);
    wait_caught_up(&mut m, &mut r);
    assert_eq!(
        m.cmd_text("FAILOVER TO 127.0.0.1 1"),
        "-ERR FAILOVER target HOST and PORT is not a replica.\r\n"
    );
    assert_eq!(
        r.cmd_text("FAILOVER"),
        "-ERR FAILOVER is not valid when server is a replica.\r\n"
    );
    call(&mut m, &[b"SET", b"before", b"failover"]);
    assert_eq!(
        m.cmd_text(&format!(
            "FAILOVER TO 127.0.0.1 {} TIMEOUT 10000",
            replica.port
        )),
        "+OK\r\n"
    );
    wait_for("the roles to swap", || {
        role_of(&mut r)[0] == "master" && role_of(&mut m).get(3).is_some_and(|s| s == "connected")
    });
    assert_eq!(
        info_field(&mut m, "replication", "master_failover_state"),
        "no-failover"
    );
    assert_eq!(r.call(&[b"GET", b"before"]), b"$8\r\nfailover\r\n");
    assert_eq!(
        m.cmd_text("SET k v"),
        "-READONLY You can't write against a read only replica.\r\n"
    );
    call(&mut r, &[b"SET", b"after", b"failover"]);
    wait_caught_up(&mut r, &mut m);
    assert_eq!(m.call(&[b"GET", b"after"]), b"$8\r\nfailover\r\n");
    // The old master continued partially from its replica.
    assert_eq!(stat(&mut r, "sync_partial_ok"), 1);
    assert_eq!(stat(&mut r, "sync_full"), 0);
}

/// A Switchyard replica of a real redis-server master (`repl-diskless-sync` as given): full
/// sync of every type, the stream, and a partial resync after the master cuts the link.
fn follow_a_real_master(diskless: &str) -> Option<(Server, Server)> {
    let master = Server::redis(&[
        "--enable-debug-command",
        "yes",
        "--repl-diskless-sync",
        diskless,
    ])?;
    let mut m = master.conn();
    fill(&mut m);
    let port = master.port.to_string();
    let replica = Server::node(&["--replicaof", "127.0.0.1", &port]);
    let mut r = replica.conn();
    assert_caught_up_same(&mut m, &mut r, "after the full resync");
    let framing = if diskless == "yes" {
        "receiving streamed RDB from master with EOF"
    } else {
        "bytes from master to disk"
    };
    assert!(
        replica.log_text().contains(framing),
        "{}",
        replica.log_text()
    );
    stream_writes(&mut m, &[b"SPOP", b"set:big", b"3"]);
    assert_caught_up_same(&mut m, &mut r, "after streaming");
    assert_eq!(m.cmd_text("CLIENT KILL TYPE replica"), ":1\r\n");
    call(&mut m, &[b"SET", b"while", b"away"]);
    assert_caught_up_same(&mut m, &mut r, "after the partial resync");
    assert_eq!(stat(&mut m, "sync_partial_ok"), 1);
    assert_eq!(stat(&mut m, "sync_full"), 1);
    Some((master, replica))
}

#[test]
fn a_switchyard_replica_of_a_real_master_sending_sized_snapshots() {
    follow_a_real_master("no");
}

/// Diskless (`$EOF:`) from a real master, then keys the master lets expire are kept until its
/// DEL, WAIT counts our ACKs, and a real FAILOVER hands the master role to our node.
#[test]
fn a_switchyard_replica_of_a_real_redis_master() {
    let Some((master, replica)) = follow_a_real_master("yes") else {
        return;
    };
    let (mut m, mut r) = (master.conn(), replica.conn());
    // The replica keeps a key that expired on the master until the master's DEL arrives.
    call(&mut m, &[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]);
    call(&mut m, &[b"SET", b"short", b"lived", b"PX", b"50"]);
    wait_caught_up(&mut m, &mut r);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(r.cmd_text("GET short"), "$-1\r\n");
    let keys_before: u64 = String::from_utf8(r.call(&[b"DBSIZE"])).unwrap()[1..]
        .trim()
        .parse()
        .unwrap();
    assert_eq!(m.cmd_text("EXISTS short"), ":0\r\n");
    wait_caught_up(&mut m, &mut r);
    let keys_after: u64 = String::from_utf8(r.call(&[b"DBSIZE"])).unwrap()[1..]
        .trim()
        .parse()
        .unwrap();
    assert_eq!(keys_after + 1, keys_before, "the master's DEL removed it");
    // WAIT on the real master counts our replica's acknowledgement.
    call(&mut m, &[b"SET", b"acked", b"1"]);
    assert_eq!(m.cmd_text("WAIT 1 10000"), ":1\r\n");
    // The real master hands over to the Switchyard replica.
    assert_eq!(
        m.cmd_text(&format!("FAILOVER TO 127.0.0.1 {}", replica.port)),
        "+OK\r\n"
    );
    wait_for("the Switchyard node to be master", || {
        role_of(&mut r)[0] == "master"
    });
    wait_for("the real node to follow it", || {
        role_of(&mut m).get(3).is_some_and(|s| s == "connected")
    });
    call(&mut r, &[b"SET", b"new", b"master"]);
    wait_caught_up(&mut r, &mut m);
    assert_eq!(m.call(&[b"GET", b"new"]), b"$6\r\nmaster\r\n");
    assert_eq!(
        stat(&mut r, "sync_full"),
        0,
        "the real node continued partially"
    );
}

fn authed(server: &Server) -> Conn {
    let mut conn = server.conn();
    assert_eq!(conn.cmd_text("AUTH secret"), "+OK\r\n");
    conn
}

/// AUTH with masterauth (and masteruser), the announced address, and the sized `$<len>`
/// snapshot of a master with `repl-diskless-sync no`.
#[test]
fn replicas_authenticate_announce_and_take_a_sized_snapshot() {
    let master = Server::node(&["--requirepass", "secret", "--repl-diskless-sync", "no"]);
    let mut m = authed(&master);
    fill(&mut m);
    let port = master.port.to_string();
    let plain = Server::node(&[
        "--replicaof",
        "127.0.0.1",
        &port,
        "--masterauth",
        "secret",
        "--replica-announce-ip",
        "127.0.0.2",
        "--replica-announce-port",
        "4242",
    ]);
    let with_user = Server::node(&[
        "--replicaof",
        "127.0.0.1",
        &port,
        "--masteruser",
        "default",
        "--masterauth",
        "secret",
    ]);
    for replica in [&plain, &with_user] {
        assert_caught_up_same(&mut m, &mut replica.conn(), "after a sized full resync");
    }
    assert!(
        plain.log_text().contains("receiving") && !plain.log_text().contains("EOF to disk"),
        "{}",
        plain.log_text()
    );
    let listed = String::from_utf8(m.call(&[b"INFO", b"replication"])).unwrap();
    assert!(
        listed.contains("ip=127.0.0.2,port=4242,state=online"),
        "{listed}"
    );
    let role = m.cmd_text("ROLE");
    assert!(role.contains("$9\r\n127.0.0.2\r\n$4\r\n4242\r\n"), "{role}");
}

/// Replicas that arrive within `repl-diskless-sync-delay` share one snapshot; while they
/// wait, the master's keepalives hold off their `repl-timeout`.
#[test]
fn waiting_replicas_share_one_snapshot() {
    let master = Server::node(&[
        "--repl-diskless-sync-delay",
        "60",
        "--repl-diskless-sync-max-replicas",
        "2",
        "--repl-ping-replica-period",
        "1",
    ]);
    let mut m = master.conn();
    fill(&mut m);
    // The keepalives come every second; a timeout of 4 leaves room for a busy machine.
    let early = Server::node(&["--repl-timeout", "4"]);
    let mut a = early.conn();
    replicate(&mut a, &master);
    wait_for("the first replica to wait", || {
        String::from_utf8_lossy(&m.call(&[b"INFO", b"replication"])).contains("state=wait_bgsave")
    });
    // Longer than the replica's repl-timeout: only the keepalives keep it waiting.
    std::thread::sleep(Duration::from_millis(5000));
    assert_eq!(role_of(&mut a)[3], "handshake");
    let late = Server::node(&[]);
    let mut b = late.conn();
    replicate(&mut b, &master);
    assert_caught_up_same(&mut m, &mut a, "the first replica");
    assert_caught_up_same(&mut m, &mut b, "the second replica");
    assert_eq!(stat(&mut m, "sync_full"), 2);
    assert!(
        master.log_text().contains("(2 replica(s), offset"),
        "{}",
        master.log_text()
    );
}

/// `repl-backlog-ttl`: a master left without replicas frees its backlog and starts a new
/// history; a replica whose master stops talking drops the link after `repl-timeout`.
#[test]
fn backlog_ttl_and_master_timeout() {
    let master = Server::node(&["--repl-backlog-ttl", "1", "--repl-ping-replica-period", "1"]);
    let mut m = master.conn();
    let replica = Server::node(&["--repl-timeout", "2"]);
    let mut r = replica.conn();
    replicate(&mut r, &master);
    call(&mut m, &[b"SET", b"k", b"v"]);
    wait_caught_up(&mut m, &mut r);
    signal(&master, "-STOP");
    wait_for("the replica to time its master out", || {
        info_field(&mut r, "replication", "master_link_status") == "down"
    });
    assert!(
        replica.log_text().contains("MASTER timeout"),
        "{}",
        replica.log_text()
    );
    signal(&master, "-CONT");
    wait_caught_up(&mut m, &mut r);
    assert_eq!(stat(&mut m, "sync_partial_ok"), 1);
    let replid = info_field(&mut m, "replication", "master_replid");
    assert_eq!(r.cmd_text("REPLICAOF NO ONE"), "+OK\r\n");
    wait_for("the backlog to be freed", || {
        info_field(&mut m, "replication", "repl_backlog_active") == "0"
    });
    assert_ne!(info_field(&mut m, "replication", "master_replid"), replid);
}

/// FAILOVER holds writes while the replica catches up, and gives up at its TIMEOUT or on
/// ABORT, writes flowing again.
#[test]
fn failover_abort_and_timeout() {
    let master = Server::node(&[]);
    let replica = Server::node(&[]);
    let mut m = master.conn();
    let mut r = replica.conn();
    replicate(&mut r, &master);
    wait_caught_up(&mut m, &mut r);
    signal(&replica, "-STOP");
    call(&mut m, &[b"SET", b"moved", b"on"]);
    assert_eq!(m.cmd_text("FAILOVER TIMEOUT 60000"), "+OK\r\n");
    assert_eq!(
        info_field(&mut m, "replication", "master_failover_state"),
        "waiting-for-sync"
    );
    assert_eq!(
        m.cmd_text("FAILOVER"),
        "-ERR FAILOVER already in progress.\r\n"
    );
    let mut writer = master.conn();
    writer.send(&support::resp::encode(&[b"SET", b"held", b"1"]));
    let (early, _) = writer.read_until_end(Duration::from_millis(300));
    assert!(early.is_empty(), "the write was not held");
    assert_eq!(m.cmd_text("FAILOVER ABORT"), "+OK\r\n");
    assert_eq!(writer.read_reply(), b"+OK\r\n");
    assert_eq!(
        info_field(&mut m, "replication", "master_failover_state"),
        "no-failover"
    );
    assert_eq!(m.cmd_text("FAILOVER TIMEOUT 300"), "+OK\r\n");
    wait_for("the failover to time out", || {
        info_field(&mut m, "replication", "master_failover_state") == "no-failover"
    });
    assert!(
        master
            .log_text()
            .contains("Replica never caught up before timeout")
    );
    assert_eq!(role_of(&mut m)[0], "master");
    assert_eq!(m.cmd_text("SET still master"), "+OK\r\n");
    signal(&replica, "-CONT");
    wait_caught_up(&mut m, &mut r);
}

/// A replica with the AOF on writes its master's stream there: after a full resync and an
/// AOF rewrite inside a stream that stays in another database, a restart from the AOF alone
/// has the same data.
#[test]
fn a_replica_keeps_its_masters_stream_in_its_aof() {
    let master = Server::node(&[]);
    let mut m = master.conn();
    fill(&mut m);
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap().to_string();
    let replica = Server::node(&["--dir", &dir, "--appendonly", "yes"]);
    let mut r = replica.conn();
    call(&mut m, &[b"SELECT", b"3"]);
    call(&mut m, &[b"SET", b"in3", b"before"]);
    replicate(&mut r, &master);
    wait_caught_up(&mut m, &mut r);
    call(&mut m, &[b"SET", b"in3", b"after sync"]);
    wait_caught_up(&mut m, &mut r);
    // The full resync restarted the AOF with a rewrite of its own; then ours.
    let rewrite_idle = |r: &mut Conn| {
        info_field(r, "persistence", "aof_rewrite_in_progress") == "0"
            && info_field(r, "persistence", "aof_rewrite_scheduled") == "0"
    };
    wait_for("the resync's rewrite to end", || rewrite_idle(&mut r));
    assert_eq!(
        r.cmd_text("BGREWRITEAOF"),
        "+Background append only file rewriting started\r\n"
    );
    wait_for("the rewrite to end", || rewrite_idle(&mut r));
    // Still in database 3: the stream names no database after the rewrite.
    call(&mut m, &[b"SET", b"in3", b"after rewrite"]);
    call(&mut m, &[b"RPUSH", b"list3", b"x"]);
    assert_caught_up_same(&mut m, &mut r, "before the restart");
    let want = contents(&mut r);
    drop(r);
    drop(replica);
    let restarted = Server::node(&["--dir", &dir, "--appendonly", "yes"]);
    let mut again = restarted.conn();
    wait_for("the AOF to load", || {
        info_field(&mut again, "persistence", "loading") == "0"
    });
    assert_same(
        &contents(&mut again),
        &want,
        "after restarting from the AOF",
    );
}

/// While the snapshot arrives, ROLE says `sync` and INFO reports the transfer.
#[test]
fn transfer_progress_is_reported() {
    // 20 ms per key: the snapshot of these keys takes about two seconds to arrive.
    let master = Server::node(&["--rdb-key-save-delay", "20000"]);
    let mut m = master.conn();
    let mut mset: Vec<Vec<u8>> = vec![b"MSET".to_vec()];
    for i in 0..100 {
        mset.push(format!("key:{i}").into_bytes());
        mset.push(b"value".to_vec());
    }
    let refs: Vec<&[u8]> = mset.iter().map(|a| a.as_slice()).collect();
    assert_eq!(m.call(&refs), b"+OK\r\n");
    let replica = Server::node(&[]);
    let mut r = replica.conn();
    replicate(&mut r, &master);
    wait_for("the transfer to start", || role_of(&mut r)[3] == "sync");
    let info = String::from_utf8(r.call(&[b"INFO", b"replication"])).unwrap();
    for field in [
        "master_sync_in_progress:1",
        "master_sync_total_bytes:-1",
        "master_sync_read_bytes:",
        "master_sync_left_bytes:-1",
        "master_sync_perc:0.00",
        "master_sync_last_io_seconds_ago:",
        "master_link_down_since_seconds:",
    ] {
        assert!(info.contains(field), "{field} in {info}");
    }
    let listed = info_field(&mut m, "replication", "slave0");
    assert!(listed.contains("state=send_bulk"), "{listed}");
    assert_caught_up_same(&mut m, &mut r, "after the slow transfer");
    let info = String::from_utf8(r.call(&[b"INFO", b"replication"])).unwrap();
    assert!(!info.contains("master_sync_total_bytes"), "{info}");
    assert!(info.contains("master_sync_in_progress:0"), "{info}");
}

/// A master played by the test: the replica's handshake to the byte, the offsets of the
/// reference's worked example, PSYNC with the cached history, and garbage survived.
#[test]
fn a_scripted_master_sees_redis_handshake_and_offsets() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let replica = Server::node(&["--replicaof", "127.0.0.1", &port]);
    let expect = |socket: &mut std::net::TcpStream, want: &[u8]| {
        let mut got = vec![0u8; want.len()];
        socket.read_exact(&mut got).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(want),
            "from the replica"
        );
    };
    let accept = || {
        let (socket, _) = listener.accept().unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        socket
    };
    let handshake = |socket: &mut std::net::TcpStream, psync: &str| {
        expect(socket, b"*1\r\n$4\r\nPING\r\n");
        socket.write_all(b"+PONG\r\n").unwrap();
        let listening = format!(
            "*3\r\n$8\r\nREPLCONF\r\n$14\r\nlistening-port\r\n${}\r\n{}\r\n",
            replica.port.to_string().len(),
            replica.port
        );
        expect(socket, listening.as_bytes());
        expect(
            socket,
            b"*5\r\n$8\r\nREPLCONF\r\n$4\r\ncapa\r\n$3\r\neof\r\n$4\r\ncapa\r\n$6\r\npsync2\r\n",
        );
        socket.write_all(b"+OK\r\n+OK\r\n").unwrap();
        expect(socket, psync.as_bytes());
    };
    let replid = "a".repeat(40);
    let empty_rdb = b"REDIS0010\xff\0\0\0\0\0\0\0\0";
    let mut socket = accept();
    handshake(&mut socket, "*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n");
    // Keepalives around the reply, the sized snapshot, then the example's stream.
    socket
        .write_all(
            format!(
                "\n\n+FULLRESYNC {replid} 1000\r\n\n${}\r\n",
                empty_rdb.len()
            )
            .as_bytes(),
        )
        .unwrap();
    socket.write_all(empty_rdb).unwrap();
    socket
        .write_all(
            b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n\
              *1\r\n$4\r\nPING\r\n*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n",
        )
        .unwrap();
    // The GETACK is not counted in the ACK it triggers; later ACKs count it.
    expect(
        &mut socket,
        b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$4\r\n1064\r\n",
    );
    expect(
        &mut socket,
        b"*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$4\r\n1101\r\n",
    );
    let mut r = replica.conn();
    assert_eq!(r.cmd_text("GET k"), "$1\r\nv\r\n");
    assert_eq!(
        info_field(&mut r, "replication", "master_repl_offset"),
        "1101"
    );
    assert_eq!(
        info_field(&mut r, "replication", "repl_backlog_first_byte_offset"),
        "1001"
    );
    assert_eq!(
        info_field(&mut r, "replication", "repl_backlog_histlen"),
        "101"
    );
    // The link drops: the replica asks to continue from the first byte it lacks, and a
    // protocol error from the master only costs the link.
    drop(socket);
    let mut socket = accept();
    handshake(
        &mut socket,
        &format!("*3\r\n$5\r\nPSYNC\r\n$40\r\n{replid}\r\n$4\r\n1102\r\n"),
    );
    socket
        .write_all(format!("+CONTINUE {replid}\r\n*x\r\n").as_bytes())
        .unwrap();
    // A corrupt snapshot fails the sync and keeps the data the replica had.
    let mut socket = accept();
    handshake(
        &mut socket,
        &format!("*3\r\n$5\r\nPSYNC\r\n$40\r\n{replid}\r\n$4\r\n1102\r\n"),
    );
    socket
        .write_all(format!("+FULLRESYNC {} 5\r\n$5\r\nhello", "b".repeat(40)).as_bytes())
        .unwrap();
    let _next = accept();
    assert_eq!(r.cmd_text("GET k"), "$1\r\nv\r\n");
    assert!(
        replica
            .log_text()
            .contains("Failed trying to load the MASTER synchronization DB"),
        "{}",
        replica.log_text()
    );
}

/// `client-output-buffer-limit replica <hard> <soft> <seconds>`: a replica that stays past the
/// soft limit for its seconds is dropped (it comes back with a resync).
#[test]
fn a_replica_past_the_soft_output_limit_is_dropped() {
    let master = Server::node(&[
        "--client-output-buffer-limit",
        "replica 0 64kb 1",
        "--repl-backlog-size",
        "64mb",
    ]);
    let mut m = master.conn();
    let replica = Server::node(&[]);
    let mut r = replica.conn();
    replicate(&mut r, &master);
    wait_caught_up(&mut m, &mut r);
    signal(&replica, "-STOP");
    // More than the sockets' buffers hold, so the rest queues on the master.
    let value = "x".repeat(64 * 1024);
    for i in 0..160 {
        let key = format!("big:{i}");
        call(&mut m, &[b"SET", key.as_bytes(), value.as_bytes()]);
    }
    wait_for("the slow replica to be dropped", || {
        master
            .log_text()
            .contains("overcoming of output buffer limits")
    });
    signal(&replica, "-CONT");
    wait_caught_up(&mut m, &mut r);
    assert_eq!(r.call(&[b"STRLEN", b"big:159"]), b":65536\r\n");
}

/// Through a fault-injecting relay: a cut link comes back at once; a half-open partition is
/// timed out by both sides (`repl-timeout`), and once healed the replica resyncs partially.
#[test]
fn a_partitioned_link_times_out_on_both_sides_and_resyncs_partially() {
    let master = Server::node(&["--repl-timeout", "2", "--repl-ping-replica-period", "1"]);
    let mut m = master.conn();
    fill(&mut m);
    let relay = support::relay::Relay::start(master.port);
    let replica = Server::node(&["--repl-timeout", "2"]);
    let mut r = replica.conn();
    let port = relay.port().to_string();
    assert_eq!(
        r.call(&[b"REPLICAOF", b"127.0.0.1", port.as_bytes()]),
        b"+OK\r\n"
    );
    assert_caught_up_same(&mut m, &mut r, "through the relay");
    relay.cut();
    call(&mut m, &[b"SET", b"after", b"cut"]);
    assert_caught_up_same(&mut m, &mut r, "after the cut");
    assert_eq!(stat(&mut m, "sync_partial_ok"), 1);
    relay.partition();
    call(&mut m, &[b"SET", b"during", b"partition"]);
    wait_for("both sides to time the link out", || {
        info_field(&mut r, "replication", "master_link_status") == "down"
            && info_field(&mut m, "replication", "connected_slaves") == "0"
    });
    assert!(master.log_text().contains("Disconnecting timedout replica"));
    assert!(replica.log_text().contains("MASTER timeout"));
    let down: i64 = info_field(&mut r, "replication", "master_link_down_since_seconds")
        .parse()
        .unwrap();
    assert!(down >= 0, "{down}");
    relay.heal();
    assert_caught_up_same(&mut m, &mut r, "after the partition");
    assert_eq!(stat(&mut m, "sync_partial_ok"), 2);
    assert_eq!(stat(&mut m, "sync_full"), 1);
}

/// A promotion in the middle of a write load: the promoted replica's own sub-replica and its
/// former sibling end identical to it, whatever was in flight from the old master.
#[test]
fn promotion_under_write_load_keeps_the_tree_identical() {
    let master = Server::node(&[]);
    let promoted = Server::node(&[]);
    let sibling = Server::node(&[]);
    let sub = Server::node(&[]);
    let (mut m, mut p) = (master.conn(), promoted.conn());
    let (mut s, mut u) = (sibling.conn(), sub.conn());
    replicate(&mut p, &master);
    replicate(&mut s, &master);
    replicate(&mut u, &promoted);
    wait_caught_up(&mut m, &mut p);
    wait_caught_up(&mut p, &mut u);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let mut w = master.conn();
        std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(20);
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && Instant::now() < deadline {
                let mut pipeline = Vec::new();
                for _ in 0..50 {
                    let key = format!("load:{}", i % 500);
                    pipeline.extend(support::resp::encode(&[b"INCR", key.as_bytes()]));
                    i += 1;
                }
                w.send(&pipeline);
                for _ in 0..50 {
                    w.read_reply();
                }
            }
        })
    };
    wait_for("some load to reach the replica", || {
        info_field(&mut p, "replication", "master_repl_offset")
            .parse::<u64>()
            .unwrap()
            > 20_000
    });
    assert_eq!(p.cmd_text("REPLICAOF NO ONE"), "+OK\r\n");
    replicate(&mut s, &promoted);
    call(&mut p, &[b"SET", b"promoted", b"yes"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_caught_up_same(&mut p, &mut u, "the promoted replica's sub-replica");
    assert_caught_up_same(&mut p, &mut s, "the former sibling");
}
