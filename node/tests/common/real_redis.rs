//! A real `redis-server` for comparisons, and a small blocking RESP client that talks to it
//! (over its Unix socket) or to one of our nodes (over TCP).
//!
//! Without `redis-server`, [`RealRedis::start`] prints `SKIPPED (not in CI): ...` and returns
//! `None`; with `CI=true` it fails the test instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Bulk(Option<Vec<u8>>),
    Int(i64),
    Status(String),
    Error(String),
    Array(Vec<Reply>),
}

impl Reply {
    pub fn bytes(self) -> Vec<u8> {
        match self {
            Reply::Bulk(Some(b)) => b,
            other => panic!("expected a bulk string, got {other:?}"),
        }
    }

    pub fn int(self) -> i64 {
        match self {
            Reply::Int(i) => i,
            other => panic!("expected an integer, got {other:?}"),
        }
    }

    pub fn array(self) -> Vec<Vec<u8>> {
        match self {
            Reply::Array(items) => items.into_iter().map(Reply::bytes).collect(),
            other => panic!("expected an array, got {other:?}"),
        }
    }

    pub fn ok(self) {
        assert_eq!(self, Reply::Status("OK".into()));
    }
}

pub trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

pub struct Client {
    conn: BufReader<Box<dyn Stream>>,
}

impl Client {
    pub fn new(stream: impl Stream + 'static) -> Client {
        Client {
            conn: BufReader::new(Box::new(stream)),
        }
    }

    /// One command; an error reply panics (see [`Client::reply`] to look at errors).
    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        match self.reply(args) {
            Reply::Error(e) => panic!("error reply: {e}"),
            reply => reply,
        }
    }

    /// One command, error replies included.
    pub fn reply<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        let mut req = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            let a = a.as_ref();
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a);
            req.extend_from_slice(b"\r\n");
        }
        self.conn.get_mut().write_all(&req).unwrap();
        self.read()
    }

    fn read(&mut self) -> Reply {
        let mut line = Vec::new();
        self.conn.read_until(b'\n', &mut line).unwrap();
        assert!(line.len() >= 3, "connection closed");
        let body = std::str::from_utf8(&line[1..line.len() - 2]).unwrap();
        match line[0] {
            b'+' => Reply::Status(body.to_string()),
            b'-' => Reply::Error(body.to_string()),
            b':' => Reply::Int(body.parse().unwrap()),
            b'$' => {
                let n: i64 = body.parse().unwrap();
                if n < 0 {
                    return Reply::Bulk(None);
                }
                let mut buf = vec![0u8; n as usize + 2];
                self.conn.read_exact(&mut buf).unwrap();
                buf.truncate(n as usize);
                Reply::Bulk(Some(buf))
            }
            b'*' => {
                let n: i64 = body.parse().unwrap();
                Reply::Array((0..n.max(0)).map(|_| self.read()).collect())
            }
            other => panic!("unexpected reply type {other}"),
        }
    }
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false")
}

/// A tool the test needs is missing: fail in CI, say so and skip elsewhere.
pub fn skip(what: &str, why: impl std::fmt::Display) {
    assert!(!in_ci(), "{what} is required in CI: {why}");
    eprintln!("SKIPPED (not in CI): {what}: {why}");
}

pub struct RealRedis {
    child: Child,
    pub client: Client,
    dir: tempfile::TempDir,
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl RealRedis {
    /// A redis-server in a fresh directory with these extra arguments (`--name value`),
    /// loading `rdb` as its dump.rdb when given; ready (not LOADING) when this returns.
    pub fn start(args: &[&str], rdb: Option<&[u8]>) -> Option<RealRedis> {
        let dir = tempfile::tempdir().expect("tempdir");
        if let Some(bytes) = rdb {
            std::fs::write(dir.path().join("dump.rdb"), bytes).unwrap();
        }
        let socket = dir.path().join("r.sock");
        let spawned = Command::new("redis-server")
            .args(["--port", "0", "--save", "", "--appendonly", "no"])
            .args(args)
            .arg("--dir")
            .arg(dir.path())
            .arg("--unixsocket")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                skip("redis-server", err);
                return None;
            }
        };
        let mut redis = RealRedis {
            child,
            client: Client::new(connect_unix(&socket)),
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while redis.client.reply(&["PING"]) != Reply::Status("PONG".into()) {
            assert!(Instant::now() < deadline, "redis-server stays LOADING");
            std::thread::sleep(Duration::from_millis(10));
        }
        Some(redis)
    }

    pub fn cmd<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        self.client.cmd(args)
    }

    pub fn reply<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Reply {
        self.client.reply(args)
    }

    /// Where SAVE writes.
    pub fn rdb_path(&self) -> PathBuf {
        self.dir.path().join("dump.rdb")
    }
}

fn connect_unix(socket: &Path) -> UnixStream {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match UnixStream::connect(socket) {
            Ok(s) => return s,
            Err(err) if Instant::now() > deadline => panic!("redis-server did not start: {err}"),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}
