//! Starting `switchyard proxy` from the tests: a config file in a temp dir, the real binary, a
//! free port, and a wait until it answers PING.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{free_port, resp};

pub struct Proxy {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
    pub config_path: PathBuf,
    log: PathBuf,
}

impl Proxy {
    /// `listener` is the body of one `[[listener]]` table without its `address`; `global` goes
    /// before it.
    pub fn start(global: &str, listener: &str) -> Proxy {
        let mut dir = tempfile::tempdir().expect("temp dir");
        let config_path = dir.path().join("proxy.toml");
        let log = dir.path().join("proxy.log");
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port();
            std::fs::write(&config_path, config_text(global, port, listener)).expect("config");
            let log_file = std::fs::File::create(&log).expect("log");
            let child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
                .arg("proxy")
                .arg("--config")
                .arg(&config_path)
                .env("RUST_LOG", "info")
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log"))
                .stderr(log_file)
                .spawn()
                .expect("spawn proxy");
            let mut proxy = Proxy {
                child,
                port,
                dir,
                config_path: config_path.clone(),
                log: log.clone(),
            };
            if proxy.wait_ready(Duration::from_secs(20)) {
                return proxy;
            }
            last = proxy.log_text();
            assert!(
                last.contains("in use"),
                "proxy did not start on {port}:\n{last}"
            );
            let _ = proxy.child.kill();
            let _ = proxy.child.wait();
            dir = std::mem::replace(&mut proxy.dir, tempfile::tempdir().expect("dir"));
        }
        panic!("proxy: no free port after 5 attempts:\n{last}");
    }

    fn wait_ready(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if let Ok(mut conn) = resp::Conn::try_connect(self.port, Duration::from_millis(200))
                && let Ok(reply) = conn.try_call(&[b"PING"])
                && (reply.starts_with(b"+PONG") || reply.starts_with(b"-NOAUTH"))
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// Replace the listener settings in the file and send SIGHUP.
    pub fn reload(&self, global: &str, listener: &str) {
        std::fs::write(&self.config_path, config_text(global, self.port, listener))
            .expect("config");
        let status = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("kill -HUP");
        assert!(status.success());
    }

    pub fn conn(&self) -> resp::Conn {
        resp::Conn::connect(self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The port of the proxy's master (INFO backends), if it has one.
    pub fn master_port(&self) -> Option<u16> {
        let mut c = self.conn();
        info_field(&mut c, "backends", "master")?
            .rsplit(':')
            .next()?
            .parse()
            .ok()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config_text(global: &str, port: u16, listener: &str) -> String {
    format!("{global}\n[[listener]]\naddress = \"127.0.0.1:{port}\"\n{listener}\n")
}

/// A TOML list of addresses on 127.0.0.1: `"127.0.0.1:1", "127.0.0.1:2"` (without brackets).
pub fn address_list(ports: &[u16]) -> String {
    let list: Vec<String> = ports.iter().map(|p| format!("\"127.0.0.1:{p}\"")).collect();
    list.join(", ")
}

/// A `[listener.static]` table for a master and replicas on 127.0.0.1.
pub fn static_topology(master: u16, replicas: &[u16]) -> String {
    format!(
        "[listener.static]\nmaster = \"127.0.0.1:{master}\"\nreplicas = [{}]\n",
        address_list(replicas)
    )
}

/// `calls` of one command in a server's INFO commandstats (0 if never called).
pub fn calls(conn: &mut resp::Conn, command: &str) -> u64 {
    calls_in(&conn.cmd_text("INFO commandstats"), command)
}

/// One look at a node that may say role master: the SETs it has run, if it says role master
/// both before and after its INFO commandstats is read; None otherwise, or when the connection
/// is gone (a sentinel converting a node to a replica kills its normal clients).
pub fn sets_while_master(conn: &mut resp::Conn) -> Option<u64> {
    if !role_is_master(conn) {
        return None;
    }
    let info = conn.try_call(&[b"INFO", b"commandstats"]).ok()?;
    let sets = calls_in(&String::from_utf8_lossy(&info), "set");
    role_is_master(conn).then_some(sets)
}

fn calls_in(info: &str, command: &str) -> u64 {
    let prefix = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A field of a server's INFO.
pub fn info_field(conn: &mut resp::Conn, section: &str, field: &str) -> Option<String> {
    let info = conn.cmd_text(&format!("INFO {section}"));
    let prefix = format!("{field}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().to_string())
}

/// Wait until the replica on `replica` reports its link to the master up.
pub fn wait_replica_synced(replica: &crate::support::Server) {
    let mut conn = replica.conn();
    let up = crate::support::wait_until(Duration::from_secs(20), || {
        info_field(&mut conn, "replication", "master_link_status").as_deref() == Some("up")
    });
    assert!(up, "replica on {} never synced", replica.port);
}

/// One write of a [`Writer`]'s load.
pub struct Write {
    /// The key is `<prefix><n>` and the value `<n>`.
    pub n: u64,
    pub sent: Instant,
    pub answered: Instant,
    /// The reply when it was not `+OK`.
    pub error: Option<String>,
}

/// A write load on one client connection, never reconnected: `SET <prefix><n> <n>` for
/// n = 0, 1, ..., one at a time, each logged with its send and reply times. Bounded by `limit`
/// and `max` writes; stops at the first broken connection.
pub struct Writer {
    log: std::sync::Arc<std::sync::Mutex<Vec<Write>>>,
    acked: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    handle: Option<std::thread::JoinHandle<Option<String>>>,
}

impl Writer {
    /// `pace`: a pause after each reply (zero: as fast as the replies come).
    pub fn start(port: u16, prefix: &str, pace: Duration, limit: Duration, max: u64) -> Writer {
        use std::sync::atomic::Ordering;
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let acked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let mut conn = resp::Conn::connect(port);
        let (sink, count, stopped, prefix) =
            (log.clone(), acked.clone(), stop.clone(), prefix.to_string());
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + limit;
            for n in 0..max {
                if stopped.load(Ordering::Relaxed) || Instant::now() > deadline {
                    return None;
                }
                let key = format!("{prefix}{n}");
                let value = n.to_string();
                let sent = Instant::now();
                let reply = match conn.try_call(&[b"SET", key.as_bytes(), value.as_bytes()]) {
                    Ok(reply) => reply,
                    Err(e) => return Some(format!("write {n}: connection broken: {e}")),
                };
                let answered = Instant::now();
                let error =
                    (reply != b"+OK\r\n").then(|| String::from_utf8_lossy(&reply).into_owned());
                let ok = error.is_none();
                sink.lock().unwrap().push(Write {
                    n,
                    sent,
                    answered,
                    error,
                });
                if ok {
                    count.fetch_add(1, Ordering::Relaxed);
                }
                if !pace.is_zero() {
                    std::thread::sleep(pace);
                }
            }
            None
        });
        Writer {
            log,
            acked,
            stop,
            handle: Some(handle),
        }
    }

    /// Writes answered `+OK` so far.
    pub fn acked(&self) -> usize {
        self.acked.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Writes sent at or after `t` and answered `+OK`.
    pub fn acked_sent_since(&self, t: Instant) -> usize {
        let log = self.log.lock().unwrap();
        log.iter()
            .rev()
            .take_while(|w| w.sent >= t)
            .filter(|w| w.error.is_none())
            .count()
    }

    /// Writes logged so far.
    pub fn logged(&self) -> usize {
        self.log.lock().unwrap().len()
    }

    /// Look at the log so far.
    pub fn with_log<R>(&self, f: impl FnOnce(&[Write]) -> R) -> R {
        f(&self.log.lock().unwrap())
    }

    pub fn is_finished(&self) -> bool {
        self.handle.as_ref().is_none_or(|h| h.is_finished())
    }

    /// Stop the load; the whole log, and why it ended early if it did.
    pub fn finish(mut self) -> (Vec<Write>, Option<String>) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let broken = self
            .handle
            .take()
            .map(|h| h.join().expect("writer thread"))
            .unwrap_or_default();
        let log = std::mem::take(&mut *self.log.lock().unwrap());
        (log, broken)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The error replies of a write load across one failover: at most one "may have run" (the
/// write in flight at the kill) and, when `hold_may_expire`, any number of "(not sent, safe to
/// retry)" (the failover hold ran out); anything else fails with `context()`. Returns the "may
/// have run" ones.
pub fn check_failover_errors(
    writes: &[Write],
    hold_may_expire: bool,
    context: impl Fn() -> String,
) -> Vec<(u64, &String)> {
    let (may_have_run, other_errors): (Vec<_>, Vec<_>) = writes
        .iter()
        .filter_map(|w| w.error.as_ref().map(|e| (w.n, e)))
        .partition(|(_, e)| e.contains("may have run"));
    let unexpected = other_errors
        .iter()
        .filter(|(_, e)| !(hold_may_expire && e.contains("(not sent, safe to retry)")))
        .count();
    assert!(
        unexpected == 0 && may_have_run.len() <= 1,
        "error replies across the failover (allowed: one \"may have run\"{}): {:?}\n{}",
        if hold_may_expire {
            ", and the hold running out"
        } else {
            ""
        },
        may_have_run
            .iter()
            .chain(other_errors.iter())
            .take(20)
            .collect::<Vec<_>>(),
        context()
    );
    may_have_run
}

/// Of the writes `<prefix><n>` = `<n>` for these `n`, those the server at `port` does not hold
/// (missing or another value), read with MGET.
pub fn missing_writes(port: u16, prefix: &str, ns: &[u64]) -> Vec<u64> {
    let mut conn = resp::Conn::connect(port);
    let mut missing = Vec::new();
    for chunk in ns.chunks(500) {
        let keys: Vec<String> = chunk.iter().map(|n| format!("{prefix}{n}")).collect();
        let mut args: Vec<&[u8]> = vec![b"MGET"];
        args.extend(keys.iter().map(|k| k.as_bytes()));
        let reply = conn.call(&args);
        let values = bulk_strings(&reply)
            .unwrap_or_else(|| panic!("MGET: {}", String::from_utf8_lossy(&reply)));
        assert_eq!(values.len(), chunk.len(), "MGET reply");
        for (n, value) in chunk.iter().zip(values) {
            if value.as_deref() != Some(n.to_string().as_bytes()) {
                missing.push(*n);
            }
        }
    }
    missing
}

/// The items of an array reply of bulk strings (nil items as `None`).
pub fn bulk_strings(reply: &[u8]) -> Option<Vec<Option<Vec<u8>>>> {
    let end = |from: usize| {
        reply[from..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .map(|p| from + p)
    };
    let head_end = end(0)?;
    if reply.first() != Some(&b'*') {
        return None;
    }
    let count: usize = std::str::from_utf8(&reply[1..head_end])
        .ok()?
        .parse()
        .ok()?;
    let mut at = head_end + 2;
    let mut items = Vec::with_capacity(count);
    for _ in 0..count {
        let line_end = end(at)?;
        let line = std::str::from_utf8(&reply[at..line_end]).ok()?;
        let len: i64 = line.strip_prefix('$')?.parse().ok()?;
        at = line_end + 2;
        if len < 0 {
            items.push(None);
            continue;
        }
        let len = len as usize;
        items.push(Some(reply.get(at..at + len)?.to_vec()));
        at += len + 2;
    }
    Some(items)
}

/// Whether the server on `conn` answers ROLE with `master` (false if it does not answer).
pub fn role_is_master(conn: &mut resp::Conn) -> bool {
    conn.try_call(&[b"ROLE"])
        .is_ok_and(|r| r.starts_with(b"*3\r\n$6\r\nmaster\r\n"))
}

/// Wait until the node at `port` reports its link to its master up.
pub fn wait_link_up(port: u16, limit: Duration) -> bool {
    crate::support::wait_until(limit, || {
        resp::Conn::try_connect(port, Duration::from_millis(500)).is_ok_and(|mut c| {
            info_field(&mut c, "replication", "master_link_status").as_deref() == Some("up")
        })
    })
}
