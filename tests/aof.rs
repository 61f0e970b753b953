//! The append-only file end to end, with the real binary and a real `redis-server`: the
//! command stream each rewrite produces against what Redis 7.0 writes for the same commands,
//! the directory layout `redis-check-aof` accepts, AOF directories moving both ways between
//! the node and Redis, torn tails, and `kill -9` under a write load.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::resp::Conn;
use support::{Server, run_with_timeout};

fn dir_arg(dir: &Path) -> String {
    dir.to_str().expect("utf-8 temp dir").to_string()
}

/// The commands of an AOF file, each as its arguments.
fn parse_aof(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut commands = Vec::new();
    let mut rest = bytes;
    let line = |rest: &mut &[u8]| -> Vec<u8> {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("complete line");
        let line = rest[..end].to_vec();
        *rest = &rest[end + 2..];
        line
    };
    while !rest.is_empty() {
        let header = line(&mut rest);
        assert_eq!(header[0], b'*', "{}", String::from_utf8_lossy(&header));
        let argc: usize = std::str::from_utf8(&header[1..]).unwrap().parse().unwrap();
        let mut args = Vec::new();
        for _ in 0..argc {
            let len_line = line(&mut rest);
            assert_eq!(len_line[0], b'$');
            let len: usize = std::str::from_utf8(&len_line[1..])
                .unwrap()
                .parse()
                .unwrap();
            args.push(rest[..len].to_vec());
            assert_eq!(&rest[len..len + 2], b"\r\n");
            rest = &rest[len + 2..];
        }
        commands.push(args);
    }
    commands
}

/// Commands as text with what legitimately differs between two servers blanked: absolute
/// times near now (`<ms>`) and the members SPOP picked at random (`<member>`).
fn normalized(bytes: &[u8]) -> Vec<String> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    parse_aof(bytes)
        .into_iter()
        .map(|args| {
            let srem = args[0].eq_ignore_ascii_case(b"srem");
            args.iter()
                .enumerate()
                .map(|(i, arg)| {
                    let text = String::from_utf8_lossy(arg).into_owned();
                    match text.parse::<i64>() {
                        Ok(ms) if (now - 3_600_000..now + 30 * 86_400_000).contains(&ms) => {
                            "<ms>".to_string()
                        }
                        _ if srem && i == 2 => "<member>".to_string(),
                        _ => text,
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

fn incr_file(dir: &Path) -> PathBuf {
    dir.join("appendonlydir").join("appendonly.aof.1.incr.aof")
}

/// One step of a scripted session.
enum Step {
    /// A command on the main connection.
    Run(&'static str),
    /// A blocking command on a connection of its own; the next steps run once it blocks.
    Block(&'static str),
    /// Wait for this many milliseconds (a key's expiry to pass: no event to poll for).
    Pause(u64),
    /// Wait until the blocked connections got their replies.
    Served,
}

fn blocked_clients(conn: &mut Conn) -> usize {
    let info = conn.cmd_text("INFO clients");
    info.lines()
        .find_map(|l| l.strip_prefix("blocked_clients:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0)
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A replica's end of a master's link, attached with `PSYNC ? -1` (no EOF capability, so the
/// snapshot comes as a sized bulk): the commands the master streams after the snapshot.
struct RawReplica {
    stream: std::net::TcpStream,
    buf: Vec<u8>,
}

impl RawReplica {
    fn attach(port: u16) -> RawReplica {
        let stream = support::tcp(port).expect("connect as a replica");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut replica = RawReplica {
            stream,
            buf: Vec::new(),
        };
        std::io::Write::write_all(
            &mut replica.stream,
            b"*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n",
        )
        .unwrap();
        let reply = replica.line();
        assert!(reply.starts_with("+FULLRESYNC"), "{reply}");
        // Newlines keep the link alive while the snapshot is made; then `$<len>` and the
        // snapshot, without a trailing CRLF.
        let header = loop {
            let line = replica.line();
            if !line.is_empty() {
                break line;
            }
        };
        let len: usize = header
            .strip_prefix('$')
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("snapshot header {header:?}"));
        replica.fill_to(len);
        replica.buf.drain(..len);
        replica
    }

    fn fill_to(&mut self, len: usize) {
        while self.buf.len() < len {
            let mut chunk = [0u8; 16384];
            let n = std::io::Read::read(&mut self.stream, &mut chunk).unwrap_or_else(|e| {
                panic!(
                    "read the stream: {e}; have {:?}",
                    String::from_utf8_lossy(&self.buf)
                )
            });
            assert!(n > 0, "the master closed the link");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// A line up to `\n`, without its line ending.
    fn line(&mut self) -> String {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buf.drain(..=end).collect();
                return String::from_utf8_lossy(&line).trim_end().to_string();
            }
            let len = self.buf.len() + 1;
            self.fill_to(len);
        }
    }

    /// The stream's commands, normalized, until `count` of them came (the master's PINGs
    /// left out).
    fn commands(&mut self, count: usize) -> Vec<String> {
        let mut commands = Vec::new();
        while commands.len() < count {
            match support::resp::frame_len(&self.buf) {
                Some(len) => {
                    let frame: Vec<u8> = self.buf.drain(..len).collect();
                    commands.extend(normalized(&frame).into_iter().filter(|c| c != "PING"));
                }
                None => {
                    let len = self.buf.len() + 1;
                    self.fill_to(len);
                }
            }
        }
        commands
    }
}

/// What a session wrote: the incr file's commands, and what a replica attached before the
/// first step received (when one was asked for).
struct Written {
    aof: Vec<String>,
    stream: Option<Vec<String>>,
}

/// Run the steps and return the incr file's normalized commands.
fn session(server: &Server, data: &Path, steps: &[Step]) -> Vec<String> {
    run_session(server, data, steps, false).aof
}

fn run_session(server: &Server, data: &Path, steps: &[Step], with_replica: bool) -> Written {
    let mut replica = with_replica.then(|| RawReplica::attach(server.port));
    let mut conn = server.conn();
    let mut blocked: Vec<std::thread::JoinHandle<Vec<u8>>> = Vec::new();
    for step in steps {
        match step {
            Step::Run(line) => {
                conn.cmd(line);
            }
            Step::Block(line) => {
                let before = blocked_clients(&mut conn);
                let port = server.port;
                let line = line.to_string();
                blocked.push(std::thread::spawn(move || Conn::connect(port).cmd(&line)));
                wait_until("the client to block", || {
                    blocked_clients(&mut conn) > before
                });
            }
            Step::Pause(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Step::Served => {
                for handle in blocked.drain(..) {
                    handle.join().expect("blocked client");
                }
            }
        }
    }
    conn.cmd("PING");
    let aof = normalized(&std::fs::read(incr_file(data)).expect("incr file"));
    let stream = replica.as_mut().map(|r| r.commands(aof.len()));
    Written { aof, stream }
}

const AOF_FLAGS: &[&str] = &[
    "--appendonly",
    "yes",
    "--appendfsync",
    "always",
    "--aof-use-rdb-preamble",
    "no",
    "--save",
    "",
];

fn with_dir<'a>(dir: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--dir", dir];
    args.extend_from_slice(AOF_FLAGS);
    args.extend_from_slice(extra);
    args
}

/// The same session against Redis and the node: the same incr file, command for command.
fn compare_with_redis(steps: &[Step], extra: &[&str]) {
    let redis_data = tempfile::tempdir().unwrap();
    let redis_dir = dir_arg(redis_data.path());
    let Some(redis) = Server::redis(&with_dir(&redis_dir, extra)) else {
        return;
    };
    let expected = session(&redis, redis_data.path(), steps);
    let node_data = tempfile::tempdir().unwrap();
    let node_dir = dir_arg(node_data.path());
    let node = Server::node(&with_dir(&node_dir, extra));
    let got = session(&node, node_data.path(), steps);
    assert_eq!(got, expected, "node log:\n{}", node.log_text());
}

#[test]
fn rewrites_match_what_redis_writes() {
    use Step::Run;
    compare_with_redis(
        &[
            Run("set a 1"),
            Run("set b 2 EX 100"),
            Run("set c 3 PXAT 99999999999999 NX"),
            Run("setex d 100 v"),
            Run("psetex d2 100000 v"),
            Run("expire a 100 NX"),
            Run("expire a 100 NX"),
            Run("pexpire a 200000"),
            Run("expireat a 99999999999"),
            Run("pexpireat a 99999999999999"),
            Run("expire a -1"),
            Run("pexpireat missing 1"),
            Run("incrbyfloat f 1.5"),
            Run("incrbyfloat f 5.0e3"),
            Run("hincrbyfloat h f 2.5"),
            Run("sadd one only"),
            Run("spop one"),
            Run("sadd s 1 2 3 4 5"),
            Run("spop s"),
            Run("spop s 2"),
            Run("spop s 10"),
            Run("spop s 0"),
            Run("set g v"),
            Run("getex g EX 100"),
            Run("getex g PERSIST"),
            Run("getex g PERSIST"),
            Run("getex g"),
            Run("getex g PXAT 1"),
            Run("set g v"),
            Run("getdel g"),
            Run("getdel g"),
            Run("getset n 2"),
            Run("set n 3 get EX 10"),
            Run("set n 4 NX"),
            Run("set n 5 GET"),
            Run("set n 6 get XX get"),
            Run("set k v keepttl"),
            Run("expireat k 1"),
            Run("persist b"),
            Run("set x 10"),
            Run("incrbyfloat x 0.1"),
            Run("select 1"),
            Run("set y 1"),
            Run("multi"),
            Run("set m1 1"),
            Run("set m2 2"),
            Run("exec"),
            Run("multi"),
            Run("get m1"),
            Run("set m3 3"),
            Run("exec"),
            Run("multi"),
            Run("exec"),
            Run("multi"),
            Run("spop nothing"),
            Run("select 2"),
            Run("incr counter"),
            Run("exec"),
            Run("select 0"),
            Run("rpush L a b c"),
            Run("blpop L 0"),
            Run("brpop L 0"),
            Run("lmpop 1 L LEFT COUNT 5"),
            Run("rpush L a b"),
            Run("blmove L L2 LEFT RIGHT 0"),
            Run("brpoplpush L L2 0"),
            Run("blmpop 0 1 L2 RIGHT COUNT 3"),
            Run("zadd z 1 a 2 b 3 c 4 d"),
            Run("bzpopmin z 0"),
            Run("bzpopmax z 0"),
            Run("zmpop 1 z MIN COUNT 5"),
            Run("zadd z 1 a"),
            Run("bzmpop 0 1 z MAX"),
            Run("zpopmin z"),
            // The SET finds g2 expired (no active expiry on either side meanwhile): Redis 7.0
            // wraps the DEL and the SET in MULTI/EXEC.
            Run("debug set-active-expire 0"),
            Run("set g2 v px 1"),
            Step::Pause(5),
            Run("set g2 x"),
            Run("debug set-active-expire 1"),
            Run("mset m1 1 m2 2"),
            Run("msetnx m1 1 m9 9"),
            Run("setnx m1 1"),
            Run("setnx m5 5"),
            Run("incr m5"),
            Run("decrby m5 3"),
            Run("append m5 x"),
            Run("setrange m5 5 yz"),
            Run("setbit bits 7 1"),
            Run("bitfield bf SET u8 0 200 INCRBY u8 0 100"),
            Run("del m1 nothere"),
            Run("unlink m2"),
            Run("rename m5 m6"),
            Run("expire m6 100 GT"),
            Run("expire m6 100 LT"),
            Run("persist m6"),
            Run("persist m6"),
            Run("hset h2 a 1 b 2"),
            Run("hsetnx h2 a 1"),
            Run("hincrby h2 a 5"),
            Run("hdel h2 b"),
            Run("lpush l2 a b c d"),
            Run("lset l2 0 z"),
            Run("ltrim l2 0 2"),
            Run("lrem l2 1 a"),
            Run("linsert l2 BEFORE z y"),
            Run("rpoplpush l2 l3"),
            Run("lmove l2 l3 RIGHT LEFT"),
            Run("sadd s2 a b c"),
            Run("smove s2 s3 a"),
            Run("sinterstore s4 s2 s2"),
            Run("zadd z2 1.5 a 2 b"),
            Run("zadd z2 INCR 0.25 a"),
            Run("zincrby z2 1e2 b"),
            Run("zunionstore z3 1 z2 WEIGHTS 2"),
            Run("zremrangebyscore z3 0 1"),
            Run("pfadd hll a b c"),
            Run("pfcount hll"),
            Run("pfcount hll"),
            Run("pfmerge hll2 hll"),
            // RESTORE: a relative TTL becomes absolute with ABSTTL; one already past with
            // REPLACE deletes the old key, written as DEL.
            Run(r#"restore rk 100000 "\x00\xc0\x0a\x0a\x00\x6e\x9f\x57\x45\x0e\xae\x63\xbb""#),
            Run(
                r#"restore rk 100000 "\x00\xc0\x0a\x0a\x00\x6e\x9f\x57\x45\x0e\xae\x63\xbb" REPLACE ABSTTL"#,
            ),
            Run(r#"restore rk2 0 "\x00\xc0\x0a\x0a\x00\x6e\x9f\x57\x45\x0e\xae\x63\xbb""#),
            Run("set r v"),
            Run("copy r r2"),
            Run("move r2 3"),
            Run("swapdb 0 2"),
            Run("flushdb"),
            Run("flushall"),
        ],
        &["--enable-debug-command", "yes"],
    );
}

/// Runs of bare `DEL`s sorted: the order in which SCAN meets keys is the hash table's, which
/// differs between two servers (and between two Redis processes).
fn del_runs_sorted(mut commands: Vec<String>) -> Vec<String> {
    let mut start = 0;
    while start < commands.len() {
        let run = commands[start..]
            .iter()
            .take_while(|c| c.starts_with("DEL "))
            .count();
        commands[start..start + run].sort();
        start += run.max(1);
    }
    commands
}

#[test]
fn lazily_expired_keys_are_wrapped_with_the_command_that_found_them() {
    use Step::{Pause, Run};
    let steps = [
        Run("debug set-active-expire 0"),
        Run("set w1 v px 1"),
        Run("set w2 v px 1"),
        Run("set w3 v px 1"),
        Run("set r1 v px 1"),
        Run("set r2 v px 1"),
        Run("set r3 v px 1"),
        Run("set x1 v px 1"),
        Run("set y1 v px 1"),
        Run("set y2 v px 1"),
        Run("set live v"),
        Run("select 7"),
        Run("set q1 v px 1"),
        Run("set q2 v px 1"),
        Run("select 5"),
        Run("set s1 v px 1"),
        Run("set s2 v px 1"),
        Run("select 6"),
        Run("set t1 v px 1"),
        Run("set t2 v px 1"),
        Run("select 0"),
        Pause(5),
        // A write that found its key expired: the DEL and the write, in MULTI/EXEC.
        Run("set w1 x"),
        Run("incr w2"),
        // A write that changed nothing but the expired key: the DEL alone.
        Run("del w3"),
        Run("set live v2"),
        // A read: one DEL bare; several in MULTI/EXEC.
        Run("get r1"),
        Run("mget r2 r3"),
        // SMOVE looks both keys up before it finds the source missing.
        Run("smove y1 y2 a"),
        // A transaction: everything it propagated in one MULTI/EXEC; a single write bare.
        Run("multi"),
        Run("get x1"),
        Run("set x2 y"),
        Run("exec"),
        Run("multi"),
        Run("get live"),
        Run("set x3 z"),
        Run("exec"),
        // SCAN touches arbitrary keys: its DELs go bare, unless it runs inside EXEC.
        Run("select 5"),
        Run("scan 0"),
        Run("select 7"),
        Run("randomkey"),
        Run("select 6"),
        Run("multi"),
        Run("scan 0"),
        Run("exec"),
    ];
    let expected = [
        "SELECT 0",
        "SET w1 v PXAT <ms>",
        "SET w2 v PXAT <ms>",
        "SET w3 v PXAT <ms>",
        "SET r1 v PXAT <ms>",
        "SET r2 v PXAT <ms>",
        "SET r3 v PXAT <ms>",
        "SET x1 v PXAT <ms>",
        "SET y1 v PXAT <ms>",
        "SET y2 v PXAT <ms>",
        "set live v",
        "SELECT 7",
        "SET q1 v PXAT <ms>",
        "SET q2 v PXAT <ms>",
        "SELECT 5",
        "SET s1 v PXAT <ms>",
        "SET s2 v PXAT <ms>",
        "SELECT 6",
        "SET t1 v PXAT <ms>",
        "SET t2 v PXAT <ms>",
        "SELECT 0",
        "MULTI",
        "DEL w1",
        "set w1 x",
        "EXEC",
        "MULTI",
        "DEL w2",
        "incr w2",
        "EXEC",
        "DEL w3",
        "set live v2",
        "DEL r1",
        "MULTI",
        "DEL r2",
        "DEL r3",
        "EXEC",
        "MULTI",
        "DEL y1",
        "DEL y2",
        "EXEC",
        "MULTI",
        "DEL x1",
        "set x2 y",
        "EXEC",
        "set x3 z",
        "SELECT 5",
        "DEL s1",
        "DEL s2",
        "SELECT 7",
        "DEL q1",
        "DEL q2",
        "SELECT 6",
        "MULTI",
        "DEL t1",
        "DEL t2",
        "EXEC",
    ];
    let extra = [
        "--enable-debug-command",
        "yes",
        "--repl-diskless-sync-delay",
        "0",
    ];
    let node_data = tempfile::tempdir().unwrap();
    let node_dir = dir_arg(node_data.path());
    let node = Server::node(&with_dir(&node_dir, &extra));
    let node_written = run_session(&node, node_data.path(), &steps, true);
    let log = node.log_text();
    assert_eq!(del_runs_sorted(node_written.aof.clone()), expected, "{log}");
    assert_eq!(
        node_written.stream.as_ref(),
        Some(&node_written.aof),
        "{log}"
    );
    // The same session against Redis 7.0 writes the same, to its AOF and its replicas.
    let redis_data = tempfile::tempdir().unwrap();
    let redis_dir = dir_arg(redis_data.path());
    let Some(redis) = Server::redis(&with_dir(&redis_dir, &extra)) else {
        return;
    };
    let redis_written = run_session(&redis, redis_data.path(), &steps, true);
    assert_eq!(del_runs_sorted(redis_written.aof.clone()), expected);
    let redis_stream = redis_written.stream.map(del_runs_sorted);
    assert_eq!(redis_stream.unwrap_or_default(), expected);
}

#[test]
fn served_blocked_pops_match_what_redis_writes() {
    use Step::{Block, Run, Served};
    compare_with_redis(
        &[
            Block("blpop B1 0"),
            Block("bzpopmin Z1 0"),
            Block("blmpop 0 1 B2 RIGHT COUNT 2"),
            Block("bzmpop 0 1 Z2 MAX COUNT 5"),
            Block("blmove B3 D3 RIGHT LEFT 0"),
            Block("brpoplpush B4 D4 0"),
            Run("rpush B1 a b"),
            Run("zadd Z1 1 a 2 b"),
            Run("rpush B2 a b c"),
            Run("zadd Z2 1 a 2 b"),
            Run("rpush B3 x"),
            Run("rpush B4 y"),
            Served,
            Block("blpop T1 T2 0"),
            Run("multi"),
            Run("rpush T2 a"),
            Run("rpush T1 b"),
            Run("exec"),
            Served,
        ],
        &[],
    );
}

#[test]
fn expired_keys_are_deleted_in_the_stream() {
    use Step::{Pause, Run};
    // Lazy expiry: keys found expired by reads and writes, inside and outside MULTI.
    compare_with_redis(
        &[
            Run("debug set-active-expire 0"),
            Run("set e1 v px 1"),
            Run("set e2 v px 1"),
            Run("set e3 v px 1"),
            Pause(5),
            Run("get e1"),
            Run("del e2"),
            Run("multi"),
            Run("incr e3"),
            Run("exec"),
        ],
        &["--enable-debug-command", "yes"],
    );
    // Active expiry.
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let node = Server::node(&with_dir(&dir, &[]));
    let mut conn = node.conn();
    conn.cmd("set gone v px 1");
    wait_until("the active expiry", || {
        conn.cmd_text("DBSIZE").contains(":0")
    });
    conn.cmd("PING");
    let written = normalized(&std::fs::read(incr_file(data.path())).unwrap());
    assert_eq!(
        written,
        ["SELECT 0", "SET gone v PXAT <ms>", "DEL gone"],
        "{}",
        node.log_text()
    );
}

fn check_aof(manifest: &Path) {
    support::assert_checker_accepts("redis-check-aof", manifest, "is valid");
}

/// Keys and values as text, per database (0..4), for comparing datasets.
fn contents(conn: &mut Conn) -> Vec<String> {
    let mut all = Vec::new();
    for db in 0..4 {
        conn.cmd(&format!("SELECT {db}"));
        let mut keys: Vec<String> = parse_array(&conn.cmd("KEYS *"));
        keys.sort();
        for key in keys {
            let kind = conn.cmd_text(&format!("TYPE {key}"));
            let value = match kind.trim() {
                "+string" => conn.cmd(&format!("GET {key}")),
                "+list" => conn.cmd(&format!("LRANGE {key} 0 -1")),
                "+hash" => {
                    let mut fields = parse_array(&conn.cmd(&format!("HGETALL {key}")));
                    fields.sort();
                    fields.join(",").into_bytes()
                }
                "+set" => {
                    let mut members = parse_array(&conn.cmd(&format!("SMEMBERS {key}")));
                    members.sort();
                    members.join(",").into_bytes()
                }
                "+zset" => conn.cmd(&format!("ZRANGE {key} 0 -1 WITHSCORES")),
                other => panic!("type {other}"),
            };
            let ttl = conn.cmd_text(&format!("PTTL {key}"));
            let volatile = !ttl.contains(":-1");
            all.push(format!(
                "{db} {key} {} {} volatile={volatile}",
                kind.trim(),
                String::from_utf8_lossy(&value).escape_debug()
            ));
        }
    }
    conn.cmd("SELECT 0");
    all
}

fn parse_array(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    let mut lines = text.split("\r\n");
    let mut out = Vec::new();
    let Some(header) = lines.next() else {
        return out;
    };
    let count: usize = header.trim_start_matches('*').parse().unwrap_or(0);
    for _ in 0..count {
        lines.next();
        out.push(lines.next().unwrap_or_default().to_string());
    }
    out
}

/// Every type, several databases, expiries, a transaction and deletions.
fn fill(conn: &mut Conn) {
    for line in [
        "SET s1 hello",
        "SET n 10",
        "INCRBY n 5",
        "INCRBYFLOAT fl 2.5",
        "SET vol v EX 1000",
        "SETRANGE s1 10 world",
        "APPEND s1 !",
        "RPUSH list a b c d",
        "LPOP list",
        "LMOVE list list2 LEFT RIGHT",
        "HSET h f1 v1 f2 v2",
        "HINCRBYFLOAT h f3 1.25",
        "SADD set a b c d e",
        "SREM set e",
        "SPOP set",
        "ZADD z 1 a 2 b 3.5 c",
        "ZINCRBY z 2 a",
        "PFADD hll a b c",
        "SETBIT bits 100 1",
        "SELECT 2",
        "SET other db2",
        "MULTI",
        "SET t1 1",
        "RPUSH t2 x",
        "EXEC",
        "SELECT 0",
        "SET gone soon",
        "DEL gone",
        "SET tmp v",
        "EXPIRE tmp 5000",
        "PERSIST tmp",
    ] {
        let reply = conn.cmd(line);
        assert!(
            !reply.starts_with(b"-"),
            "{line}: {}",
            String::from_utf8_lossy(&reply)
        );
    }
}

const PREAMBLE: &[&str] = &["--aof-use-rdb-preamble", "yes"];

#[test]
fn restart_reloads_and_redis_check_aof_accepts_the_directory() {
    restart_reloads(&[], "aof");
    restart_reloads(PREAMBLE, "rdb");
}

fn restart_reloads(extra: &[&str], base_format: &str) {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let args = with_dir(&dir, extra);
    let before = {
        let node = Server::node(&args);
        let mut conn = node.conn();
        fill(&mut conn);
        contents(&mut conn)
    };
    let aof_dir = data.path().join("appendonlydir");
    assert_eq!(
        std::fs::read_to_string(aof_dir.join("appendonly.aof.manifest")).unwrap(),
        format!(
            "file appendonly.aof.1.base.{base_format} seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        )
    );
    check_aof(&aof_dir.join("appendonly.aof.manifest"));
    let node = Server::node(&args);
    let after = contents(&mut node.conn());
    assert_eq!(after, before, "{}", node.log_text());
    assert!(before.len() > 10);
}

#[test]
fn aof_directories_move_between_redis_and_the_node() {
    move_between_redis_and_the_node(&[]);
    move_between_redis_and_the_node(PREAMBLE);
}

fn move_between_redis_and_the_node(extra: &[&str]) {
    // The node's directory into Redis.
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let ours = {
        let node = Server::node(&with_dir(&dir, extra));
        let mut conn = node.conn();
        fill(&mut conn);
        contents(&mut conn)
    };
    let Some(redis) = Server::redis(&with_dir(&dir, extra)) else {
        return;
    };
    assert_eq!(contents(&mut redis.conn()), ours, "{}", redis.log_text());
    drop(redis);
    // Redis's directory into the node, after a rewrite there too.
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let theirs = {
        let redis = Server::redis(&with_dir(&dir, extra)).expect("redis-server");
        let mut conn = redis.conn();
        fill(&mut conn);
        conn.cmd("BGREWRITEAOF");
        wait_rewrites(&mut conn, "1");
        conn.cmd("SET after-their-rewrite 1");
        contents(&mut conn)
    };
    let node = Server::node(&with_dir(&dir, extra));
    assert_eq!(contents(&mut node.conn()), theirs, "{}", node.log_text());
}

/// Start the binary and wait for it to exit (it must fail); what it printed.
fn failing_start(args: &[&str]) -> String {
    let out = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("node")
            .args([
                "--port",
                &support::free_port().to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
        None,
        Duration::from_secs(30),
    );
    assert!(!out.status.success(), "start-up should fail");
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn torn_tail_loads_with_aof_load_truncated_and_fails_without() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    {
        let node = Server::node(&with_dir(&dir, &[]));
        let mut conn = node.conn();
        conn.cmd("SET kept 1");
        conn.cmd("SET torn 2");
    }
    let incr = incr_file(data.path());
    let full = std::fs::read(&incr).unwrap();
    // Cut the last command (SET torn 2) in its middle.
    let cut = full.len() - 6;
    std::fs::write(&incr, &full[..cut]).unwrap();
    let output = failing_start(&with_dir(&dir, &["--aof-load-truncated", "no"]));
    assert!(
        output.contains(
            "Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"
        ),
        "{output}"
    );
    assert_eq!(std::fs::read(&incr).unwrap().len(), cut, "left as it was");
    let node = Server::node(&with_dir(&dir, &[]));
    let log = node.log_text();
    assert!(
        log.contains(
            "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!"
        ),
        "{log}"
    );
    let mut conn = node.conn();
    assert_eq!(conn.cmd_text("GET kept"), "$1\r\n1\r\n");
    assert_eq!(conn.cmd_text("EXISTS torn"), ":0\r\n");
    conn.cmd("SET after 3");
    drop(conn);
    drop(node);
    check_aof(&data.path().join("appendonlydir/appendonly.aof.manifest"));
    let node = Server::node(&with_dir(&dir, &[]));
    assert_eq!(node.conn().cmd_text("GET after"), "$1\r\n3\r\n");
}

/// Clients write numbered keys until the node is killed with SIGKILL; returns the keys
/// acknowledged and the node's directory.
fn acknowledged_before_kill(fsync: &str) -> (Vec<u64>, tempfile::TempDir) {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let node = Server::node(&with_dir(&dir, &["--appendfsync", fsync]));
    let port = node.port;
    let writers: Vec<_> = (0..4u64)
        .map(|writer| {
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let Ok(mut conn) = Conn::try_connect(port, Duration::from_secs(2)) else {
                    return acked;
                };
                let deadline = Instant::now() + Duration::from_secs(20);
                for i in 0..1_000_000u64 {
                    let id = writer * 1_000_000 + i;
                    let key = format!("k{id}");
                    match conn.try_call(&[b"SET", key.as_bytes(), b"v"]) {
                        Ok(reply) if reply.starts_with(b"+OK") => acked.push(id),
                        _ => break,
                    }
                    if Instant::now() > deadline {
                        break;
                    }
                }
                acked
            })
        })
        .collect();
    // Kill once a few thousand writes were acknowledged (bounded in time).
    let mut probe = node.conn();
    wait_until("writes to accumulate", || {
        probe
            .cmd_text("DBSIZE")
            .trim_start_matches(':')
            .trim()
            .parse::<u64>()
            .unwrap_or(0)
            >= 3000
    });
    let status = Command::new("kill")
        .args(["-9", &node.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let acked: Vec<u64> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    drop(node);
    (acked, data)
}

fn missing_after_restart(acked: &[u64], data: &Path) -> usize {
    let dir = dir_arg(data);
    let node = Server::node(&with_dir(&dir, &[]));
    let mut conn = node.conn();
    let mut missing = 0;
    for chunk in acked.chunks(500) {
        let keys: Vec<String> = chunk.iter().map(|id| format!("k{id}")).collect();
        let mut args: Vec<&[u8]> = vec![b"EXISTS"];
        args.extend(keys.iter().map(|k| k.as_bytes()));
        let reply = String::from_utf8(conn.call(&args)).unwrap();
        let found: usize = reply.trim_start_matches(':').trim().parse().unwrap();
        missing += chunk.len() - found;
    }
    missing
}

#[test]
fn kill_9_with_appendfsync_always_loses_no_acknowledged_write() {
    let (acked, data) = acknowledged_before_kill("always");
    assert!(acked.len() >= 3000);
    let missing = missing_after_restart(&acked, data.path());
    println!(
        "appendfsync always: {} writes acknowledged before kill -9, {missing} missing after restart",
        acked.len()
    );
    assert_eq!(missing, 0);
}

#[test]
fn kill_9_with_appendfsync_everysec_keeps_what_was_written() {
    let (acked, data) = acknowledged_before_kill("everysec");
    let missing = missing_after_restart(&acked, data.path());
    println!(
        "appendfsync everysec: {} writes acknowledged before kill -9, {missing} missing after restart",
        acked.len()
    );
    // Every batch is written to the file before its replies go out; everysec only defers the
    // fsync. A killed process leaves the page cache to the kernel, so nothing acknowledged is
    // lost here: only an OS crash or power loss could take the last second with it.
    assert_eq!(missing, 0);
}

fn info_field(conn: &mut Conn, field: &str) -> String {
    let info = conn.cmd_text("INFO persistence");
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn wait_rewrites(conn: &mut Conn, count: &str) {
    wait_until("the AOF rewrite", || {
        info_field(conn, "aof_rewrite_in_progress") == "0"
            && info_field(conn, "aof_rewrites") == count
    });
    assert_eq!(info_field(conn, "aof_last_bgrewrite_status"), "ok");
}

fn aof_files(data: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(data.join("appendonlydir"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn bgrewriteaof_makes_a_new_base_and_incr_that_redis_loads() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let ours = {
        let node = Server::node(&with_dir(&dir, &[]));
        let mut conn = node.conn();
        fill(&mut conn);
        assert_eq!(
            conn.cmd_text("BGREWRITEAOF"),
            "+Background append only file rewriting started\r\n"
        );
        // Writes during and after the rewrite go to the new incr file.
        conn.cmd("SET after-rewrite 1");
        wait_rewrites(&mut conn, "1");
        conn.cmd("RPUSH list tail");
        wait_until("the old files to go", || aof_files(data.path()).len() == 3);
        assert_eq!(
            aof_files(data.path()),
            [
                "appendonly.aof.2.base.rdb",
                "appendonly.aof.2.incr.aof",
                "appendonly.aof.manifest"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(data.path().join("appendonlydir/appendonly.aof.manifest"))
                .unwrap(),
            "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
        );
        assert!(
            info_field(&mut conn, "aof_base_size")
                .parse::<u64>()
                .unwrap()
                > 0
        );
        contents(&mut conn)
    };
    check_aof(&data.path().join("appendonlydir/appendonly.aof.manifest"));
    let node = Server::node(&with_dir(&dir, &[]));
    assert_eq!(contents(&mut node.conn()), ours, "{}", node.log_text());
    drop(node);
    let Some(redis) = Server::redis(&with_dir(&dir, &[])) else {
        return;
    };
    assert_eq!(contents(&mut redis.conn()), ours, "{}", redis.log_text());
}

#[test]
fn config_set_appendonly_yes_starts_with_a_rewrite() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let ours = {
        let node = Server::node(&["--dir", &dir, "--save", ""]);
        let mut conn = node.conn();
        fill(&mut conn);
        assert_eq!(info_field(&mut conn, "aof_enabled"), "0");
        assert_eq!(conn.cmd_text("CONFIG SET appendonly yes"), "+OK\r\n");
        conn.cmd("SET while-rewriting 1");
        wait_rewrites(&mut conn, "1");
        assert_eq!(info_field(&mut conn, "aof_enabled"), "1");
        conn.cmd("SET after 2");
        assert_eq!(
            std::fs::read_to_string(data.path().join("appendonlydir/appendonly.aof.manifest"))
                .unwrap(),
            "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        let result = contents(&mut conn);
        assert_eq!(conn.cmd_text("CONFIG SET appendonly no"), "+OK\r\n");
        assert_eq!(info_field(&mut conn, "aof_enabled"), "0");
        conn.cmd("SET not-in-the-aof 3");
        result
    };
    check_aof(&data.path().join("appendonlydir/appendonly.aof.manifest"));
    let Some(redis) = Server::redis(&with_dir(&dir, &[])) else {
        return;
    };
    assert_eq!(contents(&mut redis.conn()), ours, "{}", redis.log_text());
}

#[test]
fn the_rewrite_starts_by_itself_on_growth_and_waits_for_a_bgsave() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let node = Server::node(&with_dir(
        &dir,
        &[
            "--auto-aof-rewrite-min-size",
            "16kb",
            "--rdb-key-save-delay",
            "2000",
        ],
    ));
    let mut conn = node.conn();
    let value = "x".repeat(1000);
    for i in 0..20 {
        conn.cmd(&format!("SET big{i} {value}"));
    }
    wait_rewrites(&mut conn, "1");
    assert!(
        node.log_text()
            .contains("Starting automatic rewriting of AOF on"),
        "{}",
        node.log_text()
    );
    // While a BGSAVE runs (slowed down per key), BGREWRITEAOF is scheduled, then runs.
    assert_eq!(conn.cmd_text("BGSAVE"), "+Background saving started\r\n");
    assert_eq!(
        conn.cmd_text("BGREWRITEAOF"),
        "+Background append only file rewriting scheduled\r\n"
    );
    assert_eq!(info_field(&mut conn, "aof_rewrite_scheduled"), "1");
    wait_rewrites(&mut conn, "2");
    assert_eq!(info_field(&mut conn, "aof_rewrite_scheduled"), "0");
    let ours = contents(&mut conn);
    drop(conn);
    drop(node);
    let node = Server::node(&with_dir(&dir, &[]));
    assert_eq!(contents(&mut node.conn()), ours);
}

#[test]
fn evicted_keys_are_deleted_in_the_stream() {
    let data = tempfile::tempdir().unwrap();
    let dir = dir_arg(data.path());
    let node = Server::node(&with_dir(
        &dir,
        &["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"],
    ));
    let mut conn = node.conn();
    let value = "v".repeat(2000);
    for i in 0..4000 {
        conn.cmd(&format!("SET key{i} {value}"));
    }
    // No more evictions from here (each command may evict before it runs).
    conn.cmd("CONFIG SET maxmemory 0");
    let stats = conn.cmd_text("INFO stats");
    let evicted: usize = stats
        .lines()
        .find_map(|l| l.strip_prefix("evicted_keys:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    assert!(evicted > 0, "{stats}");
    let live = conn.cmd_text("DBSIZE");
    let written = normalized(&std::fs::read(incr_file(data.path())).unwrap());
    let deletions = written.iter().filter(|c| c.starts_with("DEL key")).count();
    assert_eq!(deletions, evicted);
    drop(conn);
    drop(node);
    let node = Server::node(&with_dir(&dir, &[]));
    assert_eq!(node.conn().cmd_text("DBSIZE"), live);
}
