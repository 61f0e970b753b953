//! Drop-in config files: Debian's stock /etc/redis/redis.conf and /etc/redis/sentinel.conf
//! (packages redis-server and redis-sentinel 7.0.15, installed by .ci/run) start our node and
//! our sentinel unmodified but for the port, the directory and file paths. Both files say
//! `daemonize yes` with a pidfile: the launched process must exit 0 and leave a daemon whose
//! pid is in the pidfile and which answers PING; SIGTERM stops it and removes the pidfile.
//! Also: a sentinel.conf whose `sentinel` options come before their `monitor` line, and
//! `supervised systemd` telling READY=1 on NOTIFY_SOCKET.

mod support;

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::resp::Conn;
use support::{free_port, missing, run_with_timeout, wait_until};

/// Generous: the machine may be loaded by other builds and CPU burners.
const LIMIT: Duration = Duration::from_secs(60);

/// The stock file's text, or None (skipped outside CI) when the package is not installed.
fn stock(path: &str, package: &str) -> Option<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(e) => missing(&format!(
            "{path} is unreadable ({e}); apt-get install {package}"
        )),
    }
}

/// The stock text with only port, dir and file paths rewritten; every other line as it is.
fn localize(text: &str, port: u16, dir: &Path) -> String {
    let mut out = String::new();
    let mut seen = Vec::new();
    for line in text.lines() {
        let name = line.split_whitespace().next().unwrap_or("");
        let replaced = match name {
            "port" => Some(format!("port {port}")),
            "dir" => Some(format!("dir {}", dir.display())),
            "pidfile" => Some(format!("pidfile {}", dir.join("server.pid").display())),
            "logfile" => Some(format!("logfile {}", dir.join("server.log").display())),
            _ => None,
        };
        if replaced.is_some() {
            seen.push(name.to_string());
        }
        out.push_str(&replaced.unwrap_or_else(|| line.to_string()));
        out.push('\n');
    }
    for needed in ["port", "dir", "pidfile", "logfile"] {
        assert!(
            seen.iter().any(|s| s == needed),
            "the stock file has no `{needed}` line"
        );
    }
    out
}

/// A daemon started by `switchyard`, stopped with SIGTERM when dropped.
struct Daemon {
    pid: i32,
    pidfile: PathBuf,
    port: u16,
    log: PathBuf,
}

fn alive(pid: i32) -> bool {
    // A zombie is not alive: the daemon's parent is init, which reaps it.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

fn signal(pid: i32, sig: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(pid, sig);
    }
}

impl Daemon {
    /// Run `switchyard <mode> <file>`: it must exit 0 at once, leaving a daemon that wrote
    /// its pid to `dir/server.pid` and answers PING on `port`.
    fn launch(mode: &str, file: &Path, dir: &Path, port: u16) -> Daemon {
        let output = run_with_timeout(
            Command::new(env!("CARGO_BIN_EXE_switchyard"))
                .arg(mode)
                .arg(file)
                .current_dir(dir),
            None,
            LIMIT,
        );
        let pidfile = dir.join("server.pid");
        let log = dir.join("server.log");
        assert!(
            output.status.success(),
            "the launched process exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        let mut pid = None;
        wait_until(LIMIT, || {
            pid = std::fs::read_to_string(&pidfile)
                .ok()
                .and_then(|t| t.trim().parse::<i32>().ok());
            pid.is_some()
        });
        let pid = pid.unwrap_or_else(|| {
            panic!(
                "no pid in {} ; log:\n{}",
                pidfile.display(),
                std::fs::read_to_string(&log).unwrap_or_default()
            )
        });
        let daemon = Daemon {
            pid,
            pidfile,
            port,
            log,
        };
        assert!(alive(pid), "pid {pid} from the pidfile is not running");
        // Detached: not a child of the test (the launched process forked it and exited).
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let ppid = stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        assert!(
            ppid.is_some_and(|p| p != std::process::id()),
            "daemon {pid} has parent {ppid:?}, the test is {}",
            std::process::id()
        );
        let mut conn = Conn::try_connect(port, LIMIT)
            .unwrap_or_else(|e| panic!("connect to {port}: {e}; log:\n{}", daemon.log_text()));
        assert_eq!(conn.cmd_text("PING"), "+PONG\r\n");
        daemon
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn conn(&self) -> Conn {
        Conn::connect(self.port)
    }

    /// SIGTERM; the daemon exits and removes its pidfile.
    fn stop(&mut self) {
        signal(self.pid, rustix::process::Signal::TERM);
        let gone = wait_until(LIMIT, || !alive(self.pid));
        assert!(gone, "pid {} still running after SIGTERM", self.pid);
        assert!(
            wait_until(LIMIT, || !self.pidfile.exists()),
            "the pidfile was left behind"
        );
        self.pid = 0;
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.pid > 0 && alive(self.pid) {
            signal(self.pid, rustix::process::Signal::KILL);
        }
    }
}

fn config_get(conn: &mut Conn, name: &str) -> String {
    let reply = conn.cmd_text(&format!("CONFIG GET {name}"));
    let lines: Vec<&str> = reply.split("\r\n").collect();
    assert!(lines.len() >= 5, "CONFIG GET {name}: {reply:?}");
    lines[4].to_string()
}

#[test]
fn the_node_starts_from_debians_redis_conf() {
    let Some(text) = stock("/etc/redis/redis.conf", "redis-server") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let file = dir.path().join("redis.conf");
    std::fs::write(&file, localize(&text, port, dir.path())).expect("write config");
    let mut daemon = Daemon::launch("node", &file, dir.path(), port);
    let mut conn = daemon.conn();
    assert_eq!(conn.cmd_text("SET k v"), "+OK\r\n");
    assert_eq!(config_get(&mut conn, "daemonize"), "yes");
    // Directives kept without behaviour are shown as the file set them.
    assert_eq!(config_get(&mut conn, "always-show-logo"), "no");
    assert_eq!(config_get(&mut conn, "oom-score-adj-values"), "0 200 800");
    assert_eq!(config_get(&mut conn, "stream-node-max-bytes"), "4096");
    assert_eq!(
        config_get(&mut conn, "proc-title-template"),
        "{title} {listen-addr} {server-mode}"
    );
    assert!(
        daemon.log_text().contains("Ready to accept connections"),
        "log: {}",
        daemon.log_text()
    );
    daemon.stop();
}

#[test]
fn the_sentinel_starts_from_debians_sentinel_conf() {
    let Some(text) = stock("/etc/redis/sentinel.conf", "redis-sentinel") else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let file = dir.path().join("sentinel.conf");
    std::fs::write(&file, localize(&text, port, dir.path())).expect("write config");
    let mut daemon = Daemon::launch("sentinel", &file, dir.path(), port);
    let mut conn = daemon.conn();
    let master = conn.cmd_text("SENTINEL MASTER mymaster");
    assert!(
        master.contains("down-after-milliseconds\r\n$5\r\n30000\r\n"),
        "{master}"
    );
    daemon.stop();
    // The sentinel saved its state into the file and kept the redis.conf directives.
    let saved = std::fs::read_to_string(&file).expect("read config");
    for line in [
        "daemonize yes",
        "protected-mode no",
        "acllog-max-len 128",
        "sentinel myid ",
    ] {
        assert!(saved.contains(line), "{line:?} missing from\n{saved}");
    }
}

#[test]
fn sentinel_options_may_come_before_their_monitor_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let file = dir.path().join("sentinel.conf");
    let text = format!(
        "sentinel down-after-milliseconds m 4000\nsentinel failover-timeout m 9000\n\
         sentinel parallel-syncs m 3\nsentinel auth-pass m secret\n\
         sentinel master-reboot-down-after-period m 0\nsentinel deny-scripts-reconfig yes\n\
         SENTINEL resolve-hostnames no\nSENTINEL announce-hostnames no\n\
         sentinel monitor m 127.0.0.1 {} 2\nport {port}\ndaemonize yes\npidfile {}\n\
         logfile {}\n",
        free_port(),
        dir.path().join("server.pid").display(),
        dir.path().join("server.log").display()
    );
    std::fs::write(&file, text).expect("write config");
    let mut daemon = Daemon::launch("sentinel", &file, dir.path(), port);
    let master = daemon.conn().cmd_text("SENTINEL MASTER m");
    for field in [
        "down-after-milliseconds\r\n$4\r\n4000\r\n",
        "failover-timeout\r\n$4\r\n9000\r\n",
        "parallel-syncs\r\n$1\r\n3\r\n",
    ] {
        assert!(master.contains(field), "{field:?} missing from {master:?}");
    }
    daemon.stop();
}

#[test]
fn supervised_systemd_tells_ready_on_notify_socket() {
    let dir = tempfile::tempdir().expect("temp dir");
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).expect("bind notify socket");
    socket
        .set_read_timeout(Some(LIMIT))
        .expect("socket timeout");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .args([
            "node",
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--supervised",
            "systemd",
            // With a supervisor Redis does not fork, whatever `daemonize` says.
            "--daemonize",
            "yes",
        ])
        .env("NOTIFY_SOCKET", &socket_path)
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn node");
    let mut buf = [0u8; 512];
    let received = socket.recv(&mut buf);
    let ping = Conn::try_connect(port, LIMIT).map(|mut c| c.cmd_text("PING"));
    let still_running = child.try_wait().ok().flatten().is_none();
    let _ = child.kill();
    let _ = child.wait();
    let n = received.expect("no notification within the limit");
    let message = String::from_utf8_lossy(&buf[..n]);
    assert!(
        message.lines().any(|l| l == "READY=1"),
        "notification: {message:?}"
    );
    assert!(
        still_running,
        "the node forked or exited under a supervisor"
    );
    assert_eq!(ping.expect("connect").as_str(), "+PONG\r\n");
}

/// Parse a flat RESP2 array of bulk strings (CONFIG GET's reply) into pairs.
fn bulk_pairs(reply: &[u8]) -> Vec<(String, String)> {
    let text = String::from_utf8_lossy(reply);
    let items: Vec<&str> = text
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.starts_with('$'))
        .collect();
    items
        .chunks(2)
        .filter(|c| c.len() == 2)
        .map(|c| (c[0].to_string(), c[1].to_string()))
        .collect()
}

/// Every directive of a real redis-server 7.0.15, set to the same good and bad values on it and
/// on the node: the same reply (OK or Redis's error text) and the same value after. Directives
/// whose change would cut the connection or that the node refuses on purpose are left out.
#[test]
fn config_set_and_get_match_redis_for_every_directive() {
    let Some(redis) = support::Server::redis(&[]) else {
        return;
    };
    let node = support::Server::node(&[]);
    let mut theirs = redis.conn();
    let mut ours = node.conn();
    let names: Vec<String> = bulk_pairs(&theirs.call(&[b"CONFIG", b"GET", b"*"]))
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert!(names.len() > 150, "CONFIG GET * of redis-server: {names:?}");
    const LEFT_OUT: &[&str] = &[
        // Change how the test reaches or runs the servers.
        "requirepass",
        "masterauth",
        "port",
        "bind",
        "dir",
        "replicaof",
        "slaveof",
        "maxclients",
        "maxmemory",
        "save",
        "dbfilename",
        "appendonly",
        "protected-mode",
        // Refused on purpose with a reason (README).
        "notify-keyspace-events",
        "aclfile",
        "unixsocket",
        "aof-timestamp-enabled",
        // Debian's build has no active defragmentation (an official build accepts `yes`).
        "activedefrag",
    ];
    let values = [
        "bogus",
        "-5",
        "",
        "1 2",
        "99999999999999999999",
        "7",
        "yes",
        "10%",
        "0777",
        "save now",
        "1gb",
        "{port}",
        "a}",
    ];
    let mut checked = 0;
    for name in names
        .iter()
        .filter(|n| !LEFT_OUT.contains(&n.as_str()) && !n.starts_with("tls-"))
    {
        for value in values {
            let args: [&[u8]; 4] = [b"CONFIG", b"SET", name.as_bytes(), value.as_bytes()];
            let (a, b) = (ours.call(&args), theirs.call(&args));
            assert_eq!(
                String::from_utf8_lossy(&a),
                String::from_utf8_lossy(&b),
                "CONFIG SET {name} {value:?}: ours, then redis-server's"
            );
            let get: [&[u8]; 3] = [b"CONFIG", b"GET", name.as_bytes()];
            assert_eq!(
                bulk_pairs(&ours.call(&get)),
                bulk_pairs(&theirs.call(&get)),
                "CONFIG GET {name} after setting {value:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 1500, "only {checked} checks");
}
