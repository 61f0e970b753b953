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

/// A `[listener.static]` table for a master and replicas on 127.0.0.1.
pub fn static_topology(master: u16, replicas: &[u16]) -> String {
    let list: Vec<String> = replicas
        .iter()
        .map(|p| format!("\"127.0.0.1:{p}\""))
        .collect();
    format!(
        "[listener.static]\nmaster = \"127.0.0.1:{master}\"\nreplicas = [{}]\n",
        list.join(", ")
    )
}

/// `calls` of one command in a server's INFO commandstats (0 if never called).
pub fn calls(conn: &mut resp::Conn, command: &str) -> u64 {
    let info = conn.cmd_text("INFO commandstats");
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
