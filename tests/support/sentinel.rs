//! Helpers for the sentinel tests: our sentinel or a real redis-sentinel on a free port with its
//! own config file, data nodes (real redis-server or ours) on ports that survive a restart, and an event
//! recorder subscribed to every channel of a sentinel.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::resp::Conn;
use crate::support::{free_port, tool, wait_until};

/// A process on 127.0.0.1 with a temp dir, killed (SIGKILL) when dropped.
pub struct Proc {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
    program: PathBuf,
    args: Vec<String>,
}

impl Proc {
    fn spawn(program: &Path, args: &[String], port: u16, dir: tempfile::TempDir) -> Proc {
        let mut proc = Proc {
            child: None,
            port,
            dir,
            program: program.to_path_buf(),
            args: args.to_vec(),
        };
        proc.launch();
        proc
    }

    fn launch(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("out.log"))
            .expect("log file");
        let child = Command::new(&self.program)
            .args(&self.args)
            .current_dir(self.dir.path())
            .env("RUST_LOG", "sentinel=info,warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", self.program.display()));
        self.child = Some(child);
        let port = self.port;
        let ready = wait_until(Duration::from_secs(20), || {
            Conn::try_connect(port, Duration::from_millis(200))
                .and_then(|mut c| c.try_call(&[b"PING"]))
                .is_ok_and(|r| r.starts_with(b"+PONG") || r.starts_with(b"-NOAUTH"))
        });
        assert!(
            ready,
            "{} did not start:\n{}",
            self.program.display(),
            self.log()
        );
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("out.log")).unwrap_or_default()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, |c| c.id())
    }

    /// kill -9.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Start the same command again (same port, same files).
    pub fn restart(&mut self) {
        self.kill();
        self.launch();
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
    }

    pub fn try_client(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(format!("redis://127.0.0.1:{}/?protocol=resp2", self.port))
            .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(5)))
    }

    pub fn client(&self) -> redis::Connection {
        self.try_client().expect("connect")
    }

    /// One command on a new connection; a failed connection is an error, not a panic (a
    /// sentinel may be killing clients of this instance right now).
    pub fn query<T: redis::FromRedisValue>(&self, args: &[&str]) -> redis::RedisResult<T> {
        let mut cmd = redis::cmd(args[0]);
        for a in &args[1..] {
            cmd.arg(*a);
        }
        let mut con = self.try_client()?;
        con.set_read_timeout(Some(Duration::from_secs(5)))?;
        cmd.query(&mut con)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A real redis-server on `port` (None: a skip, or a failure under CI, when not installed).
pub fn redis_at(port: u16, extra: &[&str]) -> Option<Proc> {
    let binary = tool("redis-server")?;
    let mut args: Vec<String> = [
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        // A replica repointed at a new master may need a full sync: start it at once.
        "--repl-diskless-sync-delay",
        "0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    Some(Proc::spawn(
        &binary,
        &args,
        port,
        tempfile::tempdir().expect("dir"),
    ))
}

/// Our node on `port`, with the same defaults as [`redis_at`].
pub fn node_at(port: u16, extra: &[&str]) -> Option<Proc> {
    let mut args: Vec<String> = [
        "node",
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--repl-diskless-sync-delay",
        "0",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    Some(Proc::spawn(
        Path::new(env!("CARGO_BIN_EXE_switchyard")),
        &args,
        port,
        tempfile::tempdir().expect("dir"),
    ))
}

/// A master and `replicas` real replicas of it, all synced.
pub fn redis_group(replicas: usize) -> Option<(Proc, Vec<Proc>)> {
    redis_group_with(&vec![&[][..]; replicas])
}

/// The same group of our nodes.
pub fn node_group(replicas: usize) -> Option<(Proc, Vec<Proc>)> {
    group_of(node_at, &vec![&[][..]; replicas])
}

/// A master and one real replica per entry, each with those extra directives, all synced.
pub fn redis_group_with(replica_args: &[&[&str]]) -> Option<(Proc, Vec<Proc>)> {
    group_of(redis_at, replica_args)
}

fn group_of(
    start: fn(u16, &[&str]) -> Option<Proc>,
    replica_args: &[&[&str]],
) -> Option<(Proc, Vec<Proc>)> {
    let replicas = replica_args.len();
    let master = start(free_port(), &[])?;
    let mut group = Vec::new();
    for extra in replica_args {
        let mp = master.port.to_string();
        let mut args = vec!["--replicaof", "127.0.0.1", &mp];
        args.extend_from_slice(extra);
        group.push(start(free_port(), &args)?);
    }
    let synced = wait_until(Duration::from_secs(20), || {
        master
            .query::<String>(&["INFO", "replication"])
            .is_ok_and(|i| i.matches("state=online").count() == replicas)
    });
    assert!(synced, "replicas did not sync");
    Some((master, group))
}

/// A master with `min-replicas-to-write 1` and `replicas` replicas of it, all from `start`,
/// with the master's stream flowing to each replica (a write on the master read back on every
/// replica): after a diskless full sync Redis 7.0 holds the stream until the replica's first
/// REPLCONF ACK, which can take a second, and writes acknowledged meanwhile are on the master
/// alone, so a kill -9 then loses them whatever a proxy does. `None` when `start` cannot run
/// (a skip outside CI).
pub fn streaming_group(
    start: fn(u16, &[&str]) -> Option<Proc>,
    replicas: usize,
) -> Option<(Proc, Vec<Proc>)> {
    let master = start(
        free_port(),
        &[
            "--min-replicas-to-write",
            "1",
            "--min-replicas-max-lag",
            "10",
        ],
    )?;
    let mp = master.port.to_string();
    let mut group = Vec::new();
    for _ in 0..replicas {
        group.push(start(free_port(), &["--replicaof", "127.0.0.1", &mp])?);
    }
    let mut m = Conn::connect(master.port);
    let mut last = Vec::new();
    let accepts = wait_until(Duration::from_secs(20), || {
        last = m.call(&[b"SET", b"probe", b"1"]);
        last == b"+OK\r\n"
    });
    assert!(
        accepts,
        "the master refuses writes: {}",
        String::from_utf8_lossy(&last)
    );
    for r in &group {
        let mut c = Conn::connect(r.port);
        let streaming = wait_until(Duration::from_secs(20), || {
            c.call(&[b"GET", b"probe"]) == b"$1\r\n1\r\n"
        });
        assert!(
            streaming,
            "the replica on {} never received the master's stream",
            r.port
        );
    }
    Some((master, group))
}

/// `down-after-milliseconds` for groups that include a real redis-sentinel and assert that
/// exactly one failover happens: 2000 unless `SENTINEL_TEST_REAL_DOWN_AFTER` says otherwise
/// (set it to 1000 to reproduce the figures in the README).
///
/// Redis Sentinel 7.0 can declare a freshly promoted, healthy master down when
/// `down-after-milliseconds` is not well above its one-second reconnect period. On
/// `+switch-master` it resets the master's ping timer to "now" but keeps the link's
/// last-reconnect time, which was stamped by the last attempt to reach the dead master. The
/// first connection to the new master can therefore wait up to a second plus a timer tick. If
/// that is more than `down-after-milliseconds`, the new master goes `+sdown`; the peers'
/// is-master-down answers about the old master are still fresh, so it goes `+odown` too, and a
/// second election starts (`+new-epoch`, `+elected-leader`). Nothing in it depends on the data
/// node. The one double election seen (in CI, with our nodes) matched this sequence; it did not
/// recur in 30 looped runs. Our sentinel starts the new master's link at
/// once, so its own groups keep 1000.
pub fn real_down_after() -> u64 {
    match std::env::var("SENTINEL_TEST_REAL_DOWN_AFTER") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("SENTINEL_TEST_REAL_DOWN_AFTER={v:?}: not milliseconds")),
        Err(_) => 2000,
    }
}

/// The sentinel.conf lines monitoring `mym` at `port`.
pub fn monitor_conf(port: u16, quorum: u32, down_after: u64, failover_timeout: u64) -> String {
    format!(
        "sentinel monitor mym 127.0.0.1 {port} {quorum}\n\
         sentinel down-after-milliseconds mym {down_after}\n\
         sentinel failover-timeout mym {failover_timeout}\n"
    )
}

/// Our sentinel with `conf` as its file.
pub fn ours(conf: &str) -> Proc {
    start_sentinel(Path::new(env!("CARGO_BIN_EXE_switchyard")), true, conf)
}

/// A real redis-sentinel with `conf` as its file.
pub fn real(conf: &str) -> Option<Proc> {
    let binary = tool("redis-sentinel")?;
    Some(start_sentinel(&binary, false, conf))
}

fn start_sentinel(program: &Path, ours: bool, conf: &str) -> Proc {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("sentinel.conf"), conf).expect("write conf");
    let port = free_port();
    let mut args = Vec::new();
    if ours {
        args.push("sentinel".to_string());
    }
    args.extend([
        "sentinel.conf".to_string(),
        "--port".into(),
        port.to_string(),
    ]);
    Proc::spawn(program, &args, port, dir)
}

pub fn conf_text(sentinel: &Proc) -> String {
    std::fs::read_to_string(sentinel.dir().join("sentinel.conf")).unwrap_or_default()
}

/// `SENTINEL GET-MASTER-ADDR-BY-NAME mym` as a port.
pub fn master_port(sentinel: &Proc) -> Option<u16> {
    sentinel
        .query::<Option<(String, u16)>>(&["SENTINEL", "get-master-addr-by-name", "mym"])
        .ok()
        .flatten()
        .map(|(_, port)| port)
}

pub fn field(entry: &std::collections::HashMap<String, String>, key: &str) -> String {
    entry.get(key).cloned().unwrap_or_default()
}

pub fn masters(s: &Proc) -> Vec<std::collections::HashMap<String, String>> {
    s.query(&["SENTINEL", "MASTERS"]).unwrap_or_default()
}

/// Wait until the sentinel lists `count` replicas of `mym`, each with its master link up.
pub fn wait_replicas_up(s: &Proc, count: usize) -> bool {
    wait_until(Duration::from_secs(20), || {
        s.query::<Vec<std::collections::HashMap<String, String>>>(&["SENTINEL", "REPLICAS", "mym"])
            .is_ok_and(|r| {
                r.len() == count && r.iter().all(|r| field(r, "master-link-status") == "ok")
            })
    })
}

/// Wait until every sentinel of `group` knows the others and `replicas` replicas of `mym`.
pub fn wait_group_formed(group: &[Proc], replicas: usize) -> bool {
    let others = (group.len() - 1).to_string();
    let replicas = replicas.to_string();
    wait_until(Duration::from_secs(20), || {
        group.iter().all(|s| {
            masters(s).first().is_some_and(|m| {
                field(m, "num-other-sentinels") == others && field(m, "num-slaves") == replicas
            })
        })
    })
}

/// Every event a sentinel publishes, with the time it arrived.
#[derive(Clone)]
pub struct Events {
    seen: Arc<Mutex<Vec<(String, String, Instant)>>>,
}

impl Events {
    /// PSUBSCRIBE * on the sentinel; returns once the subscription is confirmed.
    pub fn watch(port: u16) -> Events {
        let mut conn = Conn::connect(port);
        let confirm = conn.call(&[&b"PSUBSCRIBE"[..], &b"*"[..]]);
        assert!(
            String::from_utf8_lossy(&confirm).contains("psubscribe"),
            "{confirm:?}"
        );
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        std::thread::spawn(move || {
            loop {
                match conn.try_read_reply() {
                    Ok(frame) => {
                        let items = bulks(&frame);
                        if items.len() == 4 && items[0] == "pmessage" {
                            sink.lock().unwrap().push((
                                items[2].clone(),
                                items[3].clone(),
                                Instant::now(),
                            ));
                        }
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return,
                }
            }
        });
        Events { seen }
    }

    pub fn all(&self) -> Vec<(String, String, Instant)> {
        self.seen.lock().unwrap().clone()
    }

    pub fn count(&self, channel: &str) -> usize {
        self.all().iter().filter(|(c, _, _)| c == channel).count()
    }

    pub fn first(&self, channel: &str) -> Option<(String, Instant)> {
        self.all()
            .into_iter()
            .find(|(c, _, _)| c == channel)
            .map(|(_, p, t)| (p, t))
    }

    pub fn wait_for(&self, channel: &str, limit: Duration) -> Option<(String, Instant)> {
        wait_until(limit, || self.first(channel).is_some());
        self.first(channel)
    }

    pub fn text(&self) -> String {
        self.all()
            .iter()
            .map(|(c, p, _)| format!("{c} {p}\n"))
            .collect()
    }
}

/// The strings of a flat RESP array of bulk/simple strings and integers.
pub fn bulks(frame: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(frame);
    let mut lines = text.split("\r\n");
    let mut out = Vec::new();
    let Some(head) = lines.next() else {
        return out;
    };
    if !head.starts_with(['*', '>']) {
        return out;
    }
    while let Some(line) = lines.next() {
        if line.starts_with('$') {
            if let Some(value) = lines.next() {
                out.push(value.to_string());
            }
        } else if let Some(rest) = line.strip_prefix([':', '+']) {
            out.push(rest.to_string());
        }
    }
    out
}
