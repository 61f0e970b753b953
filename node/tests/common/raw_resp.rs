//! A raw RESP connection for byte-exact checks: send commands, read whole reply frames.
#![allow(dead_code)]

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub struct Raw {
    stream: Box<dyn Stream>,
    buf: Vec<u8>,
    pub eof: bool,
}

pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// `"SET k v"` split on single spaces.
pub fn words(line: &str) -> Vec<&[u8]> {
    line.split(' ').map(str::as_bytes).collect()
}

impl Raw {
    pub async fn connect(addr: std::net::SocketAddr) -> Raw {
        let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        Raw::new(Box::new(stream))
    }

    pub fn new(stream: Box<dyn Stream>) -> Raw {
        Raw {
            stream,
            buf: Vec::new(),
            eof: false,
        }
    }

    pub async fn send(&mut self, args: &[&[u8]]) {
        self.stream.write_all(&encode(args)).await.expect("write");
    }

    /// Send a command written as space-separated words.
    pub async fn send_line(&mut self, line: &str) {
        self.send(&words(line)).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    async fn fill(&mut self, deadline: tokio::time::Instant) -> bool {
        let mut chunk = vec![0u8; 64 * 1024];
        match tokio::time::timeout_at(deadline, self.stream.read(&mut chunk)).await {
            Ok(Ok(0)) | Ok(Err(_)) => {
                self.eof = true;
                false
            }
            Ok(Ok(n)) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(_) => false,
        }
    }

    /// The next complete reply frame; panics after 60 s (a backstop: some replies are hundreds
    /// of megabytes, and a busy machine serves them slowly).
    pub async fn reply(&mut self) -> Vec<u8> {
        self.reply_within(Duration::from_secs(60))
            .await
            .unwrap_or_else(|| {
                panic!(
                    "no complete reply; have {} bytes, starting {:?}",
                    self.buf.len(),
                    String::from_utf8_lossy(&self.buf[..self.buf.len().min(200)])
                )
            })
    }

    pub async fn reply_within(&mut self, wait: Duration) -> Option<Vec<u8>> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if let Some(len) = frame_len(&self.buf) {
                return Some(self.buf.drain(..len).collect());
            }
            if self.eof || !self.fill(deadline).await {
                return None;
            }
        }
    }

    /// Send a command and return its reply.
    pub async fn cmd(&mut self, line: &str) -> Vec<u8> {
        self.send_line(line).await;
        self.reply().await
    }

    pub async fn cmd_args(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send(args).await;
        self.reply().await
    }

    /// True if nothing arrives for `wait`.
    pub async fn silent_for(&mut self, wait: Duration) -> bool {
        if !self.buf.is_empty() {
            return false;
        }
        let deadline = tokio::time::Instant::now() + wait;
        !self.fill(deadline).await && !self.eof
    }

    /// Read (and drop) everything until the server closes the connection; false if it is still
    /// open after `wait`.
    pub async fn closed_within(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        while !self.eof {
            self.buf.clear();
            if !self.fill(deadline).await && !self.eof {
                return false;
            }
        }
        true
    }
}

fn line_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| from + p)
}

/// Length of the first complete RESP2/RESP3 frame in `buf`.
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    frame_end(buf, 0)
}

fn frame_end(buf: &[u8], at: usize) -> Option<usize> {
    let kind = *buf.get(at)?;
    let eol = line_end(buf, at + 1)?;
    let header = std::str::from_utf8(&buf[at + 1..eol]).ok()?;
    let after = eol + 2;
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after),
        b'$' | b'!' | b'=' => {
            let len: i64 = header.parse().ok()?;
            if len < 0 {
                return Some(after);
            }
            let end = after + len as usize + 2;
            (buf.len() >= end).then_some(end)
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n: i64 = header.parse().ok()?;
            let items = if matches!(kind, b'%' | b'|') {
                2 * n
            } else {
                n
            };
            let mut pos = after;
            for _ in 0..items.max(0) {
                pos = frame_end(buf, pos)?;
            }
            if kind == b'|' {
                // An attribute precedes the value it describes.
                return frame_end(buf, pos);
            }
            Some(pos)
        }
        _ => None,
    }
}

/// Render bytes readably in assertion messages.
pub fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A real `redis-server` on a unix socket, for byte-for-byte comparisons. Killed on drop.
pub struct RealRedis {
    child: std::process::Child,
    socket: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl RealRedis {
    /// None when no `redis-server` is installed and CI is unset; with `CI=true` a missing
    /// server fails the test.
    pub async fn start() -> Option<RealRedis> {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("redis.sock");
        let spawned = std::process::Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--save",
                "",
                "--appendonly",
                "no",
                "--unixsocket",
            ])
            .arg(&socket)
            .arg("--dir")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(err) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("redis-server is required under CI: {err}");
                }
                eprintln!("skipping the comparison with a real Redis: {err}");
                return None;
            }
        };
        let real = RealRedis {
            child,
            socket,
            _dir: dir,
        };
        for _ in 0..200 {
            if tokio::net::UnixStream::connect(&real.socket).await.is_ok() {
                return Some(real);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("redis-server did not start");
    }

    pub async fn connect(&self) -> Raw {
        let stream = tokio::net::UnixStream::connect(&self.socket)
            .await
            .expect("connect to redis-server");
        Raw::new(Box::new(stream))
    }
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
