//! Failover through the proxy with a real redis-sentinel or ours: kill -9 the master under a client
//! write load; the proxy follows Sentinel to the promoted replica and the client resumes. Run
//! once with real redis-server backends and once with our nodes; each prints the time from the
//! kill to the first successful write through the proxy.
//!
//! With `failover-hold-ms` the client sees no error at all across the failover (but for the one
//! write that may have been in flight at the kill), an old master that comes back still saying
//! role master receives no write, and a stale sentinel (lower config-epoch) cannot hold the
//! proxy on the old master.

mod proxy_support;
#[path = "support/sentinel.rs"]
mod sentinel_support;
mod support;

use std::io::{BufRead, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use proxy_support::{
    Proxy, Writer, address_list, calls, check_failover_errors, info_field, missing_writes,
    sets_while_master, wait_link_up, wait_replica_synced,
};
use sentinel_support::{Proc, node_at, redis_at, streaming_group};
use support::{Server, free_port, resp, tool, wait_until};

struct Sentinel {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
    log: PathBuf,
}

impl Sentinel {
    /// `binary [prefix...] sentinel.conf`: a real redis-sentinel, or ours (`switchyard sentinel`).
    fn start(binary: &std::path::Path, prefix: &[&str], master_port: u16, extra: &str) -> Sentinel {
        let dir = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let conf = dir.path().join("sentinel.conf");
        let log = dir.path().join("sentinel.log");
        std::fs::write(
            &conf,
            format!(
                "port {port}\nbind 127.0.0.1\ndir {}\nsentinel monitor mym 127.0.0.1 {master_port} 1\nsentinel down-after-milliseconds mym 500\nsentinel failover-timeout mym 10000\n{extra}\n",
                dir.path().display()
            ),
        )
        .expect("sentinel.conf");
        let log_file = std::fs::File::create(&log).expect("log");
        let child = Command::new(binary)
            .args(prefix)
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("log"))
            .stderr(log_file)
            .spawn()
            .expect("spawn the sentinel");
        let sentinel = Sentinel {
            child,
            port,
            _dir: dir,
            log,
        };
        let up = wait_until(Duration::from_secs(10), || {
            resp::Conn::try_connect(port, Duration::from_millis(200))
                .and_then(|mut c| c.try_call(&[b"PING"]))
                .is_ok_and(|r| r == b"+PONG\r\n" || r.starts_with(b"-NOAUTH"))
        });
        assert!(up, "sentinel did not start:\n{}", sentinel.log_text());
        sentinel
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn kill_9(pid: u32) {
    let status = Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .expect("kill -9");
    assert!(status.success());
}

/// One look at a restarted old master: the SETs it ran while saying role master, if any.
fn sample_old_master(old: &mut resp::Conn, samples: &mut u32, leaked: &mut Vec<u64>) {
    if let Some(sets) = sets_while_master(old) {
        *samples += 1;
        if sets > 0 {
            leaked.push(sets);
        }
    }
}

/// Master + replica (from `start`), one sentinel (quorum 1), the proxy on the sentinel; kill
/// the master while a client writes through the proxy; return the time to the first write
/// accepted after the kill.
fn failover_under_write_load(start: impl Fn(&[&str]) -> Server) -> Duration {
    let Some(sentinel_bin) = tool("redis-sentinel") else {
        return Duration::ZERO;
    };
    failover_with_sentinel(&sentinel_bin, &[], start)
}

fn failover_with_sentinel(
    sentinel_bin: &std::path::Path,
    prefix: &[&str],
    start: impl Fn(&[&str]) -> Server,
) -> Duration {
    let master = start(&[]);
    let replica = start(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
    wait_replica_synced(&replica);
    let sentinel = Sentinel::start(sentinel_bin, prefix, master.port, "");
    let mut s = resp::Conn::connect(sentinel.port);
    let knows_replica = wait_until(Duration::from_secs(20), || {
        let replicas = s.cmd_text("SENTINEL replicas mym");
        replicas.contains(&replica.port.to_string()) && !replicas.contains("disconnected")
    });
    assert!(
        knows_replica,
        "sentinel never saw the replica:\n{}",
        sentinel.log_text()
    );
    let proxy = Proxy::start(
        "",
        &format!(
            "read-policy = \"master\"\n[listener.sentinel]\naddresses = [\"127.0.0.1:{}\"]\nmaster-name = \"mym\"\npoll-interval-ms = 500\n[listener.backend]\nconnect-timeout-ms = 300\ncommand-timeout-ms = 2000\nhealth-interval-ms = 200\n",
            sentinel.port
        ),
    );
    let mut client = proxy.conn();
    let mut proxy_info = proxy.conn();
    let sees_replica = wait_until(Duration::from_secs(10), || {
        info_field(&mut proxy_info, "backends", "replicas").as_deref() == Some("1")
    });
    assert!(sees_replica, "{}", proxy.log_text());
    // A steady write load, then the kill in the middle of it.
    let mut written = 0u64;
    for i in 0..200 {
        assert_eq!(client.cmd_text(&format!("SET before{i} x")), "+OK\r\n");
        written += 1;
    }
    // Replication is asynchronous: WAIT (through the proxy, on the same backend connection
    // as the writes) makes sure the replica has them before the master dies.
    assert_eq!(client.cmd_text("WAIT 1 5000"), ":1\r\n");
    kill_9(master.pid());
    let killed = Instant::now();
    let deadline = killed + Duration::from_secs(60);
    let mut errors = 0u64;
    let resumed = loop {
        assert!(
            Instant::now() < deadline,
            "no write succeeded within 60 s of the kill ({errors} errors)\nproxy:\n{}\nsentinel:\n{}",
            proxy.log_text(),
            sentinel.log_text()
        );
        let reply = match client.try_call(&[b"SET", b"after", b"y"]) {
            Ok(r) => r,
            Err(_) => {
                client = proxy.conn();
                errors += 1;
                continue;
            }
        };
        if reply == b"+OK\r\n" {
            break killed.elapsed();
        }
        errors += 1;
        std::thread::sleep(Duration::from_millis(2));
    };
    // The write is on the promoted replica, and the client carries on.
    let mut promoted = replica.conn();
    assert_eq!(promoted.cmd_text("GET after"), "$1\r\ny\r\n");
    assert_eq!(promoted.cmd_text("GET before199"), "$1\r\nx\r\n");
    for i in 0..100 {
        assert_eq!(client.cmd_text(&format!("SET later{i} z")), "+OK\r\n");
    }
    let info = proxy_info.cmd_text("INFO routing");
    assert!(info.contains("failovers_followed:1"), "{info}");
    eprintln!(
        "failover: first successful write {:.0} ms after kill -9 ({errors} error replies meanwhile, {written} writes before)",
        resumed.as_secs_f64() * 1000.0
    );
    resumed
}

#[test]
fn failover_with_real_sentinel_and_redis_servers() {
    if tool("redis-server").is_none() {
        return;
    }
    failover_under_write_load(|args| Server::redis(args).expect("redis-server"));
}

#[test]
fn failover_with_real_sentinel_and_our_nodes() {
    failover_under_write_load(Server::node);
}

/// Our sentinel and our nodes: the whole Switchyard stack.
#[test]
fn failover_with_our_sentinel_and_our_nodes() {
    let ours = std::path::Path::new(env!("CARGO_BIN_EXE_switchyard"));
    failover_with_sentinel(ours, &["sentinel"], Server::node);
}

/// Our sentinel over real redis-server backends.
#[test]
fn failover_with_our_sentinel_and_redis_servers() {
    if tool("redis-server").is_none() {
        return;
    }
    let ours = std::path::Path::new(env!("CARGO_BIN_EXE_switchyard"));
    failover_with_sentinel(ours, &["sentinel"], |args| {
        Server::redis(args).expect("redis-server")
    });
}

#[test]
fn sentinel_auth_is_used_for_discovery() {
    let Some(sentinel_bin) = tool("redis-sentinel") else {
        return;
    };
    let master = Server::node(&[]);
    let replica = Server::node(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
    wait_replica_synced(&replica);
    let sentinel = Sentinel::start(&sentinel_bin, &[], master.port, "requirepass sentinel-pw");
    let mut s = resp::Conn::connect(sentinel.port);
    assert_eq!(s.cmd_text("AUTH sentinel-pw"), "+OK\r\n");
    assert!(wait_until(Duration::from_secs(20), || {
        s.cmd_text("SENTINEL replicas mym")
            .contains(&replica.port.to_string())
    }));
    let listener = |password: &str| {
        format!(
            "read-policy = \"replica\"\n[listener.sentinel]\naddresses = [\"127.0.0.1:{}\"]\nmaster-name = \"mym\"\n{password}\n",
            sentinel.port
        )
    };
    let proxy = Proxy::start("", &listener("password = \"sentinel-pw\""));
    let mut c = proxy.conn();
    assert!(wait_until(Duration::from_secs(10), || {
        info_field(&mut c, "backends", "replicas").as_deref() == Some("1")
    }));
    assert_eq!(
        info_field(&mut c, "backends", "master"),
        Some(format!("127.0.0.1:{}", master.port))
    );
    assert_eq!(c.cmd_text("SET a 1"), "+OK\r\n");
    // Without the password the sentinel answers nothing, so no master is known.
    let locked_out = Proxy::start("", &listener(""));
    let mut c = locked_out.conn();
    assert_eq!(
        info_field(&mut c, "backends", "master").as_deref(),
        Some("none")
    );
    let reply = c.cmd_text("SET a 1");
    assert!(
        reply.starts_with("-ERR proxy: no master available"),
        "{reply}"
    );
}

/// `start(port, directives)`: our node or a real redis-server on a port that survives a restart.
type Start = fn(u16, &[&str]) -> Option<Proc>;

/// The sentinel-fed listener body: read-policy master, the given sentinels, `extra` settings.
fn sentinel_listener(sentinels: &[u16], extra: &str) -> String {
    format!(
        "read-policy = \"master\"\n{extra}\n[listener.sentinel]\naddresses = [{}]\nmaster-name = \"mym\"\npoll-interval-ms = 500\n[listener.backend]\nconnect-timeout-ms = 300\ncommand-timeout-ms = 2000\nhealth-interval-ms = 200\n",
        address_list(sentinels)
    )
}

/// Wait until the proxy has `master` as its master and `replicas` replicas.
fn wait_proxy_topology(proxy: &Proxy, master: u16, replicas: Option<usize>) {
    let mut c = proxy.conn();
    let want = format!("127.0.0.1:{master}");
    let mut seen = String::new();
    let ok = wait_until(Duration::from_secs(20), || {
        seen = c.cmd_text("INFO backends");
        info_field(&mut c, "backends", "master").as_deref() == Some(want.as_str())
            && replicas
                .is_none_or(|n| info_field(&mut c, "backends", "replicas") == Some(n.to_string()))
    });
    assert!(
        ok,
        "the proxy never saw master {want} with {replicas:?} replicas:\n{seen}\n{}",
        proxy.log_text()
    );
}

/// Wait until the sentinel lists the replica on `port` with its link up.
fn wait_sentinel_knows(sentinel: &Sentinel, port: u16) {
    let mut s = resp::Conn::connect(sentinel.port);
    let knows = wait_until(Duration::from_secs(20), || {
        let replicas = s.cmd_text("SENTINEL replicas mym");
        replicas.contains(&port.to_string()) && !replicas.contains("disconnected")
    });
    assert!(
        knows,
        "sentinel never saw the replica:\n{}",
        sentinel.log_text()
    );
}

/// A master (with `min-replicas-to-write 1`) and its replica, both from `start`, and one
/// sentinel from `sentinel_bin`; `None` when `start` cannot run (a skip outside CI).
fn hold_group(
    sentinel_bin: &std::path::Path,
    prefix: &[&str],
    start: Start,
) -> Option<(Proc, Proc, Sentinel)> {
    let (master, mut replicas) = streaming_group(start, 1)?;
    let replica = replicas.remove(0);
    let sentinel = Sentinel::start(sentinel_bin, prefix, master.port, "");
    wait_sentinel_knows(&sentinel, replica.port);
    Some((master, replica, sentinel))
}

/// What one write-load run across a failover showed.
struct HoldRun {
    kill_to_first_write: Duration,
    may_have_run: bool,
}

/// The failover under a write load with `failover-hold-ms = 10000`: one connection, no
/// reconnects, kill -9 of the master mid-load, ~100 writes after the failover. Only the write
/// in flight at the kill may fail, with "may have run"; every acknowledged write is on the
/// promoted replica. With `fence`, the old master then comes back on its port, empty and
/// saying role master, while the load goes on: it must receive no SET.
fn failover_hold(
    label: &str,
    sentinel_bin: &std::path::Path,
    prefix: &[&str],
    start: Start,
    fence: bool,
) -> Option<HoldRun> {
    let (mut master, replica, sentinel) = hold_group(sentinel_bin, prefix, start)?;
    let old_port = master.port;
    let proxy = Proxy::start(
        "",
        &sentinel_listener(&[sentinel.port], "failover-hold-ms = 10000"),
    );
    wait_proxy_topology(&proxy, old_port, Some(1));
    let writer = Writer::start(
        proxy.port,
        "w",
        Duration::ZERO,
        Duration::from_secs(120),
        5_000_000,
    );
    let warmed = wait_until(Duration::from_secs(20), || {
        writer.acked() >= 200 || writer.is_finished()
    });
    assert!(warmed && !writer.is_finished(), "the load did not start");
    let killed = Instant::now();
    master.kill();
    // Reaped: nothing sent from now on can reach the old master.
    let dead = Instant::now();
    let resumed = wait_until(Duration::from_secs(60), || {
        writer.acked_sent_since(dead) >= 100 || writer.is_finished()
    });
    let mut fence_report = None;
    if fence && resumed && !writer.is_finished() {
        fence_report = Some(fence_check(&proxy, &writer, old_port, replica.port));
    }
    let (writes, broken) = writer.finish();
    let info = proxy.conn().cmd_text("INFO");
    let logs = || {
        format!(
            "{info}\nproxy:\n{}\nsentinel:\n{}",
            support::tail(&proxy.log_text(), 6000),
            support::tail(&sentinel.log_text(), 3000)
        )
    };
    assert!(broken.is_none(), "{label}: {}\n{}", broken.unwrap(), logs());
    let after = writes
        .iter()
        .filter(|w| w.sent >= dead && w.error.is_none())
        .count();
    assert!(
        resumed && after >= 100,
        "{label}: only {after} writes acknowledged after the kill\n{}",
        logs()
    );
    let may_have_run = check_failover_errors(&writes, false, || format!("{label}\n{}", logs()));
    let acked: Vec<u64> = writes
        .iter()
        .filter(|w| w.error.is_none())
        .map(|w| w.n)
        .collect();
    let missing = missing_writes(replica.port, "w", &acked);
    let describe = |n: &u64| {
        let w = &writes[*n as usize];
        if w.answered < killed {
            format!(
                "w{n} (acknowledged {:.1} ms before the kill)",
                (killed - w.answered).as_secs_f64() * 1000.0
            )
        } else {
            format!(
                "w{n} (sent {:.1} ms after the kill)",
                w.sent.saturating_duration_since(killed).as_secs_f64() * 1000.0
            )
        }
    };
    if !missing.is_empty() {
        let before_kill = missing
            .iter()
            .filter(|n| writes[**n as usize].answered < killed)
            .count();
        let mut r = resp::Conn::connect(replica.port);
        panic!(
            "{label}: {} acknowledged writes are not on the promoted replica ({before_kill} of them acknowledged before the kill, of {} acknowledged in all): {}\nreplica: DBSIZE {}, probe {:?}\n{}\nreplica log:\n{}\n{}",
            missing.len(),
            acked.len(),
            missing
                .iter()
                .take(10)
                .map(describe)
                .collect::<Vec<_>>()
                .join(", "),
            r.cmd_text("DBSIZE").trim(),
            r.cmd_text("GET probe"),
            r.cmd_text("INFO replication"),
            support::tail(&replica.log(), 4000),
            logs()
        );
    }
    assert!(
        info.contains(&format!("master:127.0.0.1:{}", replica.port)),
        "{label}: {info}"
    );
    let first = writes
        .iter()
        .find(|w| w.sent >= dead && w.error.is_none())
        .expect("a write after the kill");
    let kill_to_first_write = first.answered - killed;
    let held = info
        .lines()
        .find(|l| l.starts_with("held:"))
        .unwrap_or("held:?")
        .trim();
    eprintln!(
        "{label}: first acknowledged write {:.0} ms after kill -9; {} writes acknowledged ({after} after the kill), {}; {held}{}",
        kill_to_first_write.as_secs_f64() * 1000.0,
        acked.len(),
        match may_have_run.first() {
            Some((n, e)) => format!("w{n} was in flight at the kill: {}", e.trim()),
            None => "no write was in flight at the kill".to_string(),
        },
        fence_report.map(|r| format!("; {r}")).unwrap_or_default(),
    );
    Some(HoldRun {
        kill_to_first_write,
        may_have_run: !may_have_run.is_empty(),
    })
}

/// Restart the old master on `old_port` (our node, empty, no replicaof: it says role master)
/// while the writer goes on; sample it until 300 more writes were acknowledged and at least
/// three seconds passed. While it says role master (before and after the sample) it has no
/// master feeding it, so any SET in its INFO commandstats came from a client: there must be
/// none. The writes meanwhile land on the new master.
fn fence_check(proxy: &Proxy, writer: &Writer, old_port: u16, new_port: u16) -> String {
    let restarted = node_at(old_port, &[]).expect("restart the old master");
    let mut old = resp::Conn::connect(restarted.port);
    let mut new = resp::Conn::connect(new_port);
    let sets_before = calls(&mut new, "set");
    let from = Instant::now();
    let mut samples = 0;
    let mut leaked = Vec::new();
    let done = wait_until(Duration::from_secs(30), || {
        sample_old_master(&mut old, &mut samples, &mut leaked);
        (writer.acked_sent_since(from) >= 300 && from.elapsed() >= Duration::from_secs(3))
            || writer.is_finished()
    });
    let during = writer.acked_sent_since(from);
    let sets_after = calls(&mut new, "set");
    assert!(done, "the writes stalled after the old master came back");
    assert!(
        leaked.is_empty(),
        "the old master, back and saying role master, ran SETs {leaked:?}\n{}",
        proxy.log_text()
    );
    assert!(
        samples > 0,
        "the old master never said role master while the load went on"
    );
    assert!(
        sets_after >= sets_before + during as u64,
        "{during} writes acknowledged but the new master ran {} SETs",
        sets_after - sets_before
    );
    format!(
        "old master back on its port: {samples} samples saying role master, 0 SETs; {during} writes meanwhile on the new master"
    )
}

fn ours_path() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_BIN_EXE_switchyard"))
}

/// The hold across a failover: our sentinel, our nodes.
#[test]
fn failover_hold_with_our_sentinel_and_our_nodes() {
    failover_hold(
        "hold, our sentinel + our nodes",
        ours_path(),
        &["sentinel"],
        node_at,
        false,
    );
}

/// The hold across a failover: real redis-sentinel, real redis-server.
#[test]
fn failover_hold_with_real_sentinel_and_redis_servers() {
    let Some(sentinel_bin) = tool("redis-sentinel") else {
        return;
    };
    if tool("redis-server").is_none() {
        return;
    }
    failover_hold(
        "hold, redis-sentinel + redis-server",
        &sentinel_bin,
        &[],
        redis_at,
        false,
    );
}

/// Fencing: after the failover the old master comes back saying role master; no write goes
/// to it.
#[test]
fn failover_hold_fences_the_old_master_when_it_comes_back() {
    let run = failover_hold(
        "hold + fencing, our sentinel + our nodes",
        ours_path(),
        &["sentinel"],
        node_at,
        true,
    );
    if let Some(run) = run {
        eprintln!(
            "fencing run: kill to first write {:.0} ms, write in flight at the kill: {}",
            run.kill_to_first_write.as_secs_f64() * 1000.0,
            run.may_have_run
        );
    }
}

/// A fake sentinel that never learns of the failover: it names `master_port` as the master of
/// `mym` under config-epoch 0, has no replicas, and holds event subscriptions open without
/// ever publishing. Counts the `SENTINEL master` questions it gets.
struct FakeSentinel {
    port: u16,
    asked: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl FakeSentinel {
    fn start(master_port: u16) -> FakeSentinel {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the fake sentinel");
        let port = listener.local_addr().expect("address").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let asked = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counter, stopped) = (asked.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let counter = counter.clone();
                        std::thread::spawn(move || {
                            fake_sentinel_conn(stream, master_port, &counter)
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        FakeSentinel { port, asked, stop }
    }

    fn asked(&self) -> u64 {
        self.asked.load(Ordering::Relaxed)
    }
}

impl Drop for FakeSentinel {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One multibulk request, or None at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Option<Vec<String>> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let count: usize = line.trim_end().strip_prefix('*')?.parse().ok()?;
    let mut args = Vec::with_capacity(count);
    for _ in 0..count {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let len: usize = line.trim_end().strip_prefix('$')?.parse().ok()?;
        let mut arg = vec![0u8; len + 2];
        reader.read_exact(&mut arg).ok()?;
        arg.truncate(len);
        args.push(String::from_utf8_lossy(&arg).into_owned());
    }
    Some(args)
}

fn bulk_array(items: &[&str]) -> String {
    let mut out = format!("*{}\r\n", items.len());
    for item in items {
        out.push_str(&format!("${}\r\n{item}\r\n", item.len()));
    }
    out
}

fn fake_sentinel_conn(stream: TcpStream, master_port: u16, asked: &AtomicU64) {
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let port = master_port.to_string();
    let master_entry = [
        "name",
        "mym",
        "ip",
        "127.0.0.1",
        "port",
        &port,
        "runid",
        "0000000000000000000000000000000000000000",
        "flags",
        "master",
        "link-pending-commands",
        "0",
        "link-refcount",
        "1",
        "last-ping-sent",
        "0",
        "last-ok-ping-reply",
        "100",
        "last-ping-reply",
        "100",
        "down-after-milliseconds",
        "500",
        "info-refresh",
        "1000",
        "role-reported",
        "master",
        "role-reported-time",
        "100000",
        "config-epoch",
        "0",
        "num-slaves",
        "0",
        "num-other-sentinels",
        "0",
        "quorum",
        "1",
        "failover-timeout",
        "10000",
        "parallel-syncs",
        "1",
    ];
    while let Some(args) = read_request(&mut reader) {
        let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
        let words: Vec<&str> = lower.iter().map(String::as_str).collect();
        let reply = match words.as_slice() {
            ["ping", ..] => "+PONG\r\n".to_string(),
            ["client", ..] | ["auth", ..] => "+OK\r\n".to_string(),
            ["sentinel", "get-master-addr-by-name", "mym"] => bulk_array(&["127.0.0.1", &port]),
            ["sentinel", "master", "mym"] => {
                asked.fetch_add(1, Ordering::Relaxed);
                bulk_array(&master_entry)
            }
            ["sentinel", "masters"] => format!("*1\r\n{}", bulk_array(&master_entry)),
            ["sentinel", "replicas" | "slaves" | "sentinels", "mym"] => "*0\r\n".to_string(),
            ["subscribe" | "psubscribe", channels @ ..] => {
                let kind = if words[0] == "subscribe" {
                    "subscribe"
                } else {
                    "psubscribe"
                };
                channels
                    .iter()
                    .enumerate()
                    .map(|(i, _)| {
                        let channel = &args[i + 1];
                        format!(
                            "*3\r\n${}\r\n{kind}\r\n${}\r\n{channel}\r\n:{}\r\n",
                            kind.len(),
                            channel.len(),
                            i + 1
                        )
                    })
                    .collect()
            }
            _ => format!(
                "-ERR unknown command '{}'\r\n",
                args.first().cloned().unwrap_or_default()
            ),
        };
        if out.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

/// `SENTINEL master mym`'s config-epoch at the sentinel on `port`.
fn config_epoch(port: u16) -> Option<i64> {
    let mut s = resp::Conn::try_connect(port, Duration::from_secs(1)).ok()?;
    let reply = s.try_call(&[b"SENTINEL", b"master", b"mym"]).ok()?;
    let items = sentinel_support::bulks(&reply);
    items
        .iter()
        .position(|k| k == "config-epoch")
        .and_then(|i| items.get(i + 1))
        .and_then(|v| v.parse().ok())
}

fn sentinel_master_port(port: u16) -> Option<u16> {
    let mut s = resp::Conn::try_connect(port, Duration::from_secs(1)).ok()?;
    let reply = s
        .try_call(&[b"SENTINEL", b"get-master-addr-by-name", b"mym"])
        .ok()?;
    sentinel_support::bulks(&reply).get(1)?.parse().ok()
}

/// A stale sentinel listed first (it still names the old master, config-epoch 0) and our
/// sentinel second: after the failover (epoch >= 1) the proxy follows the higher epoch, and
/// keeps doing so when the old master comes back on its port saying role master, so the stale
/// answer points at a live master.
#[test]
fn a_stale_sentinel_listed_first_does_not_hold_the_proxy_on_the_old_master() {
    let old_port = free_port();
    let mut master = node_at(old_port, &[]).expect("master");
    let replica = node_at(
        free_port(),
        &["--replicaof", "127.0.0.1", &old_port.to_string()],
    )
    .expect("replica");
    assert!(wait_link_up(replica.port, Duration::from_secs(20)));
    let sentinel = Sentinel::start(ours_path(), &["sentinel"], old_port, "");
    wait_sentinel_knows(&sentinel, replica.port);
    let fake = FakeSentinel::start(old_port);
    let proxy = Proxy::start("", &sentinel_listener(&[fake.port, sentinel.port], ""));
    // The fake answers first with no replicas under the same epoch: the proxy may take either
    // replica list, only the master matters here.
    wait_proxy_topology(&proxy, old_port, None);
    let mut c = proxy.conn();
    assert_eq!(c.cmd_text("SET before 1"), "+OK\r\n");
    master.kill();
    let killed = Instant::now();
    let failed_over = wait_until(Duration::from_secs(30), || {
        sentinel_master_port(sentinel.port) == Some(replica.port)
            && config_epoch(sentinel.port).is_some_and(|e| e >= 1)
    });
    assert!(failed_over, "no failover:\n{}", sentinel.log_text());
    let mut last = String::new();
    let resumed = wait_until(Duration::from_secs(30), || {
        last = c.cmd_text("SET after 1");
        last == "+OK\r\n"
    });
    assert!(
        resumed,
        "writes never reached the new master: {last}\n{}\n{}",
        proxy.conn().cmd_text("INFO backends"),
        proxy.log_text()
    );
    let resumed_after = killed.elapsed();
    // The old master is back and says role master; the stale sentinel names it.
    let restarted = node_at(old_port, &[]).expect("restart the old master");
    let mut old = resp::Conn::connect(restarted.port);
    let mut new = resp::Conn::connect(replica.port);
    let sets_before = calls(&mut new, "set");
    let asked_before = fake.asked();
    let from = Instant::now();
    let mut written = 0u64;
    let mut samples = 0;
    let mut leaked = Vec::new();
    let done = wait_until(Duration::from_secs(30), || {
        for _ in 0..20 {
            let reply = c.cmd_text(&format!("SET s{written} {written}"));
            assert_eq!(
                reply, "+OK\r\n",
                "write {written} after the old master came back"
            );
            written += 1;
        }
        sample_old_master(&mut old, &mut samples, &mut leaked);
        from.elapsed() >= Duration::from_secs(3) && fake.asked() >= asked_before + 3
    });
    let mut info = proxy.conn();
    let backends = info.cmd_text("INFO backends");
    assert!(done, "the stale sentinel was not asked again:\n{backends}");
    assert!(
        leaked.is_empty(),
        "the old master ran SETs {leaked:?} while saying role master\n{backends}\n{}",
        proxy.log_text()
    );
    assert!(samples > 0, "the old master never said role master");
    assert_eq!(
        info_field(&mut info, "backends", "master"),
        Some(format!("127.0.0.1:{}", replica.port)),
        "{backends}"
    );
    let sets_after = calls(&mut new, "set");
    assert!(
        sets_after >= sets_before + written,
        "{written} writes acknowledged, the new master ran {}",
        sets_after - sets_before
    );
    eprintln!(
        "stale sentinel first: writes on the new master {:.0} ms after the kill; then {written} writes with the old master back ({samples} samples of it saying role master, 0 SETs); the stale sentinel was asked {} times",
        resumed_after.as_secs_f64() * 1000.0,
        fake.asked()
    );
}
