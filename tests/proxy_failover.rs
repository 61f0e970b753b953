//! Failover through the proxy with a real redis-sentinel or ours: kill -9 the master under a client
//! write load; the proxy follows Sentinel to the promoted replica and the client resumes. Run
//! once with real redis-server backends and once with our nodes; each prints the time from the
//! kill to the first successful write through the proxy.

mod proxy_support;
mod support;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use proxy_support::{Proxy, info_field, wait_replica_synced};
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
