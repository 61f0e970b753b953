//! RDB persistence of the real binary: files `redis-check-rdb` accepts and a real
//! `redis-server` loads value for value, point-in-time snapshots while clients keep writing,
//! SAVE / BGSAVE / LASTSAVE and their errors, the `save` rules, the final save on SIGTERM and
//! SHUTDOWN, `-MISCONF` after a failed save, and the dump loaded again at start-up.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use support::dataset::{assert_same, call, contents, fill, info_field};
use support::resp::Conn;
use support::{Server, run_with_timeout};

/// Poll until no BGSAVE runs; returns the last status.
fn wait_bgsave(conn: &mut Conn) -> String {
    let deadline = Instant::now() + Duration::from_secs(120);
    while info_field(conn, "persistence", "rdb_bgsave_in_progress") != "0" {
        assert!(Instant::now() < deadline, "BGSAVE did not finish in 120 s");
        std::thread::sleep(Duration::from_millis(10));
    }
    info_field(conn, "persistence", "rdb_last_bgsave_status")
}

fn dir_arg(dir: &Path) -> String {
    dir.display().to_string()
}

/// A node keeping its files in `dir`, with more directives after.
fn node_in(dir: &Path, directives: &[&str]) -> Server {
    let dir = dir_arg(dir);
    let mut args = vec!["--dir", dir.as_str()];
    args.extend_from_slice(directives);
    Server::node(&args)
}

/// A real redis-server started on `dbfilename` in `dir` holds exactly `expected` (skipped,
/// or failed in CI, without redis-server).
fn assert_redis_loads(
    dir: &Path,
    dbfilename: &str,
    expected: &std::collections::BTreeMap<(u8, Vec<u8>), String>,
    what: &str,
) {
    let Some(redis) = Server::redis(&["--dir", &dir_arg(dir), "--dbfilename", dbfilename]) else {
        return;
    };
    assert_same(&contents(&mut redis.conn()), expected, what);
}

/// `redis-check-rdb` accepts the file.
fn check_rdb(path: &Path) {
    support::assert_checker_accepts("redis-check-rdb", path, "RDB looks OK");
}

#[test]
fn bgsave_and_save_write_files_redis_checks_and_loads() {
    let data = tempfile::tempdir().unwrap();
    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    fill(&mut conn);
    let expected = contents(&mut conn);
    assert!(expected.len() > 15, "{expected:?}");
    assert_eq!(
        call(&mut conn, &[b"BGSAVE"]),
        b"+Background saving started\r\n"
    );
    assert_eq!(wait_bgsave(&mut conn), "ok");
    let dump = data.path().join("dump.rdb");
    check_rdb(&dump);
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_changes_since_last_save"),
        "0"
    );
    assert_eq!(info_field(&mut conn, "persistence", "rdb_saves"), "1");
    assert_redis_loads(
        data.path(),
        "dump.rdb",
        &expected,
        "real Redis loaded our BGSAVE file",
    );

    // SAVE writes the same data synchronously; rdbcompression no gives another valid file.
    call(&mut conn, &[b"CONFIG", b"SET", b"rdbcompression", b"no"]);
    call(&mut conn, &[b"CONFIG", b"SET", b"dbfilename", b"sync.rdb"]);
    assert_eq!(call(&mut conn, &[b"SAVE"]), b"+OK\r\n");
    check_rdb(&data.path().join("sync.rdb"));
    assert_redis_loads(
        data.path(),
        "sync.rdb",
        &expected,
        "real Redis loaded our SAVE file",
    );
}

#[test]
fn snapshot_holds_the_instant_it_began_while_clients_write() {
    // 150 µs per key keeps the walk running for about three seconds over 20,000 keys; on a
    // machine too busy for the writes below to land meanwhile, again with a slower walk.
    for delay_us in [150, 600, 2400] {
        if snapshot_while_writing(delay_us) {
            return;
        }
    }
    panic!("the writes never landed while the snapshot ran, even with the slowest walk");
}

/// One try of the test above: false when the walk ended before the writes did, which makes
/// the try mean nothing.
fn snapshot_while_writing(delay_us: u32) -> bool {
    let data = tempfile::tempdir().unwrap();
    let delay = delay_us.to_string();
    let node = node_in(data.path(), &["--save", "", "--rdb-key-save-delay", &delay]);
    let mut conn = node.conn();
    fill(&mut conn);
    let mut load = Vec::new();
    for i in 0..20_000 {
        load.extend_from_slice(&support::resp::encode(&[
            b"SET",
            format!("k:{i}").as_bytes(),
            format!("before-{i}").as_bytes(),
        ]));
    }
    for db in [b"2", b"3"] {
        load.extend_from_slice(&support::resp::encode(&[b"SELECT", db]));
        load.extend_from_slice(&support::resp::encode(&[b"SET", b"in-db", db]));
    }
    load.extend_from_slice(&support::resp::encode(&[b"SELECT", b"0"]));
    conn.send(&load);
    for _ in 0..20_005 {
        conn.read_reply();
    }
    let expected = contents(&mut conn);
    assert_eq!(
        call(&mut conn, &[b"BGSAVE"]),
        b"+Background saving started\r\n"
    );

    // Change everything while the walk runs: overwrite, delete, add, expire, empty a
    // database, swap two.
    let mut writes = Vec::new();
    for i in (0..20_000).rev() {
        let key = format!("k:{i}");
        let op: Vec<&[u8]> = match i % 4 {
            0 => vec![b"DEL", key.as_bytes()],
            1 => vec![b"APPEND", key.as_bytes(), b"-after"],
            2 => vec![b"PEXPIRE", key.as_bytes(), b"1"],
            _ => vec![b"SET", key.as_bytes(), b"after"],
        };
        writes.extend_from_slice(&support::resp::encode(&op));
        writes.extend_from_slice(&support::resp::encode(&[
            b"SET",
            format!("new:{i}").as_bytes(),
            b"x",
        ]));
    }
    for cmd in [
        &[&b"RPUSH"[..], b"list:small", b"more"][..],
        &[b"HDEL", b"hash:big", b"field1"],
        &[b"ZADD", b"zset:small", b"100", b"a"],
        &[b"SREM", b"set:ints", b"1"],
        &[b"SWAPDB", b"2", b"3"],
        &[b"SELECT", b"1"],
        &[b"FLUSHDB"],
        &[b"SET", b"db1:key", b"replaced"],
        &[b"SELECT", b"0"],
    ] {
        writes.extend_from_slice(&support::resp::encode(cmd));
    }
    conn.send(&writes);
    for _ in 0..40_009 {
        let reply = conn.read_reply();
        assert!(
            !reply.starts_with(b"-"),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
    // The writes must land while the snapshot runs for this test to mean anything.
    let meaningful = info_field(&mut conn, "persistence", "rdb_bgsave_in_progress") == "1";
    assert_eq!(wait_bgsave(&mut conn), "ok");
    check_rdb(&data.path().join("dump.rdb"));
    assert_redis_loads(
        data.path(),
        "dump.rdb",
        &expected,
        "the snapshot against the data at BGSAVE time",
    );
    meaningful
}

#[test]
fn bgsave_lastsave_and_their_errors() {
    let data = tempfile::tempdir().unwrap();
    let node = node_in(
        data.path(),
        &["--save", "", "--rdb-key-save-delay", "100000"],
    );
    let mut conn = node.conn();
    let before = conn.cmd_text("LASTSAVE");
    assert!(before.starts_with(':'), "{before}");
    assert_eq!(conn.cmd_text("BGSAVE now"), "-ERR syntax error\r\n");
    for i in 0..20 {
        conn.cmd(&format!("SET key{i} v"));
    }
    assert_eq!(conn.cmd_text("BGSAVE"), "+Background saving started\r\n");
    assert_eq!(
        conn.cmd_text("BGSAVE"),
        "-ERR Background save already in progress\r\n"
    );
    assert_eq!(
        conn.cmd_text("BGSAVE SCHEDULE"),
        "-ERR Background save already in progress\r\n"
    );
    assert_eq!(
        conn.cmd_text("SAVE"),
        "-ERR Background save already in progress\r\n"
    );
    assert_eq!(
        info_field(&mut conn, "persistence", "current_save_keys_total"),
        "20"
    );
    // Other clients are served while the snapshot runs.
    assert_eq!(node.conn().cmd_text("GET key1"), "$1\r\nv\r\n");
    call(&mut conn, &[b"CONFIG", b"SET", b"rdb-key-save-delay", b"0"]);
    assert_eq!(wait_bgsave(&mut conn), "ok");
    let after = conn.cmd_text("LASTSAVE");
    let secs = |t: &str| t.trim().trim_start_matches(':').parse::<u64>().unwrap();
    assert!(secs(&after) >= secs(&before));
    assert_ne!(
        info_field(&mut conn, "persistence", "rdb_last_bgsave_time_sec"),
        "-1"
    );
}

#[test]
fn failed_bgsave_refuses_writes_with_misconf() {
    let data = tempfile::tempdir().unwrap();
    let doomed = tempfile::tempdir().unwrap();
    let node = node_in(data.path(), &["--save", "3600 1"]);
    let mut conn = node.conn();
    conn.cmd("SET k v");
    call(
        &mut conn,
        &[
            b"CONFIG",
            b"SET",
            b"dir",
            doomed.path().to_str().unwrap().as_bytes(),
        ],
    );
    std::fs::remove_dir_all(doomed.path()).unwrap();
    assert_eq!(conn.cmd_text("BGSAVE"), "+Background saving started\r\n");
    assert_eq!(wait_bgsave(&mut conn), "err");
    let misconf = conn.cmd_text("SET k v2");
    assert!(
        misconf.starts_with("-MISCONF Redis is configured to save RDB snapshots"),
        "{misconf}"
    );
    assert!(conn.cmd_text("PING").starts_with("-MISCONF"));
    assert_eq!(conn.cmd_text("GET k"), "$1\r\nv\r\n");
    // Fixing the directory and saving again lifts it.
    call(
        &mut conn,
        &[b"CONFIG", b"SET", b"dir", dir_arg(data.path()).as_bytes()],
    );
    assert_eq!(conn.cmd_text("BGSAVE"), "+Background saving started\r\n");
    assert_eq!(wait_bgsave(&mut conn), "ok");
    assert_eq!(conn.cmd_text("SET k v2"), "+OK\r\n");
}

#[test]
fn save_rules_start_a_bgsave() {
    let data = tempfile::tempdir().unwrap();
    let node = node_in(data.path(), &["--save", "1 2"]);
    let mut conn = node.conn();
    conn.cmd("SET a 1");
    conn.cmd("SET b 2");
    let deadline = Instant::now() + Duration::from_secs(20);
    while info_field(&mut conn, "persistence", "rdb_saves") == "0" {
        assert!(Instant::now() < deadline, "the save rule did not fire");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(wait_bgsave(&mut conn), "ok");
    check_rdb(&data.path().join("dump.rdb"));
}

#[test]
fn restart_loads_what_sigterm_and_shutdown_saved() {
    let data = tempfile::tempdir().unwrap();
    let mut node = node_in(data.path(), &["--save", "3600 1"]);
    let mut conn = node.conn();
    fill(&mut conn);
    let expected = contents(&mut conn);
    let status = node
        .terminate(Duration::from_secs(30))
        .expect("exit on SIGTERM");
    assert!(status.success(), "{status}");
    check_rdb(&data.path().join("dump.rdb"));

    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    wait_loaded(&mut conn);
    assert_same(&contents(&mut conn), &expected, "reloaded after SIGTERM");
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_last_load_keys_loaded"),
        expected.len().to_string()
    );

    // SHUTDOWN SAVE saves even without rules; NOSAVE keeps the old file.
    conn.cmd("SET added-later yes");
    conn.send(&support::resp::encode(&[b"SHUTDOWN", b"SAVE"]));
    assert!(conn.wait_closed(Duration::from_secs(30)));
    drop(node);
    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    wait_loaded(&mut conn);
    assert_eq!(conn.cmd_text("GET added-later"), "$3\r\nyes\r\n");
    conn.cmd("SET lost yes");
    conn.send(&support::resp::encode(&[b"SHUTDOWN", b"NOSAVE"]));
    assert!(conn.wait_closed(Duration::from_secs(30)));
    drop(node);
    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    wait_loaded(&mut conn);
    assert_eq!(conn.cmd_text("GET lost"), "$-1\r\n");
    assert_eq!(conn.cmd_text("GET added-later"), "$3\r\nyes\r\n");
}

/// Poll INFO until start-up loading is over.
fn wait_loaded(conn: &mut Conn) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while info_field(conn, "persistence", "loading") != "0" {
        assert!(Instant::now() < deadline, "loading did not finish");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_dump_written_by_redis_loads_at_start_up() {
    let data = tempfile::tempdir().unwrap();
    let Some(redis) = Server::redis(&["--dir", &dir_arg(data.path())]) else {
        return;
    };
    let mut conn = redis.conn();
    fill(&mut conn);
    // Larger encodings than the defaults keep, and the small ones, both in one file.
    call(
        &mut conn,
        &[b"CONFIG", b"SET", b"list-max-listpack-size", b"4"],
    );
    let mut long_list = vec![&b"RPUSH"[..], b"list:nodes"];
    let items: Vec<String> = (0..50).map(|i| format!("item{i}")).collect();
    long_list.extend(items.iter().map(|s| s.as_bytes()));
    call(&mut conn, &long_list);
    let expected = contents(&mut conn);
    assert_eq!(call(&mut conn, &[b"SAVE"]), b"+OK\r\n");
    drop(redis);

    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    wait_loaded(&mut conn);
    assert_same(
        &contents(&mut conn),
        &expected,
        "the node loaded Redis's dump",
    );
    assert_eq!(
        info_field(&mut conn, "persistence", "rdb_last_load_keys_loaded"),
        expected.len().to_string()
    );
}

#[test]
fn a_corrupt_dump_stops_the_node_with_the_reason() {
    let data = tempfile::tempdir().unwrap();
    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    fill(&mut conn);
    assert_eq!(call(&mut conn, &[b"SAVE"]), b"+OK\r\n");
    drop(node);
    let path = data.path().join("dump.rdb");
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    std::fs::write(&path, &bytes).unwrap();

    let binary = env!("CARGO_BIN_EXE_switchyard");
    let port = support::free_port().to_string();
    let out = run_with_timeout(
        Command::new(binary).args([
            "node",
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
            "--dir",
            &dir_arg(data.path()),
        ]),
        None,
        Duration::from_secs(60),
    );
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the node must not serve a corrupt dump:\n{text}"
    );
    assert!(text.contains("Failed loading"), "{text}");
    // The file is left for the operator, untouched.
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
}

#[test]
fn flushall_during_bgsave_wins_over_the_old_snapshot() {
    let data = tempfile::tempdir().unwrap();
    let node = node_in(
        data.path(),
        &["--save", "3600 1000000", "--rdb-key-save-delay", "2000"],
    );
    let mut conn = node.conn();
    fill(&mut conn);
    assert_eq!(
        call(&mut conn, &[b"BGSAVE"]),
        b"+Background saving started\r\n"
    );
    assert_eq!(conn.cmd_text("FLUSHALL"), "+OK\r\n");
    conn.cmd("SET after-flush 1");
    // The abandoned snapshot is not a failure, and it does not overwrite the flushed file.
    assert_eq!(wait_bgsave(&mut conn), "ok");
    drop(node);
    let node = node_in(data.path(), &["--save", ""]);
    let mut conn = node.conn();
    wait_loaded(&mut conn);
    assert_eq!(conn.cmd_text("DBSIZE"), ":0\r\n");
}
