//! Helpers for the hash, set and HyperLogLog tests: a raw RESP connection that returns each
//! reply's exact bytes, and access to stored values.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UnixStream};

pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Length of the first complete RESP2/RESP3 frame in `buf`, if complete.
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let header = std::str::from_utf8(&buf[1..line_end]).ok()?;
    let after = line_end + 2;
    match buf.first()? {
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
            let mut count: i64 = header.parse().ok()?;
            if count < 0 {
                return Some(after);
            }
            if matches!(buf[0], b'%' | b'|') {
                count *= 2;
            }
            let mut pos = after;
            for _ in 0..count {
                pos += frame_len(&buf[pos..])?;
            }
            Some(pos)
        }
        _ => None,
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

/// One connection speaking raw RESP; `call` returns the reply's bytes exactly.
pub struct RawConn {
    stream: Stream,
    pending: Vec<u8>,
}

impl RawConn {
    pub async fn connect(addr: SocketAddr, resp3: bool) -> RawConn {
        let stream = TcpStream::connect(addr).await.expect("connect");
        Self::start(Stream::Tcp(stream), resp3).await
    }

    /// Connect to a (real Redis) unix socket.
    pub async fn connect_unix(path: &std::path::Path, resp3: bool) -> std::io::Result<RawConn> {
        let stream = UnixStream::connect(path).await?;
        Ok(Self::start(Stream::Unix(stream), resp3).await)
    }

    async fn start(stream: Stream, resp3: bool) -> RawConn {
        let mut conn = RawConn {
            stream,
            pending: Vec::new(),
        };
        if resp3 {
            let hello = conn.call(&["HELLO", "3"]).await;
            assert_eq!(
                hello[0],
                b'%',
                "HELLO 3 failed: {:?}",
                String::from_utf8_lossy(&hello)
            );
        }
        conn
    }

    pub async fn call(&mut self, args: &[&str]) -> Vec<u8> {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.call_bytes(&args).await
    }

    pub async fn call_bytes(&mut self, args: &[&[u8]]) -> Vec<u8> {
        let request = encode(args);
        match &mut self.stream {
            Stream::Tcp(s) => s.write_all(&request).await.expect("write"),
            Stream::Unix(s) => s.write_all(&request).await.expect("write"),
        }
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            if let Some(len) = frame_len(&self.pending) {
                return self.pending.drain(..len).collect();
            }
            let mut buf = vec![0u8; 16384];
            let read = async {
                match &mut self.stream {
                    Stream::Tcp(s) => s.read(&mut buf).await,
                    Stream::Unix(s) => s.read(&mut buf).await,
                }
            };
            match tokio::time::timeout_at(deadline, read).await {
                Ok(Ok(n)) if n > 0 => self.pending.extend_from_slice(&buf[..n]),
                other => panic!("no complete reply: {other:?}, have {:?}", self.pending),
            }
        }
    }

    /// The reply as text, for readable assertions.
    pub async fn text(&mut self, args: &[&str]) -> String {
        String::from_utf8_lossy(&self.call(args).await).into_owned()
    }
}

/// OBJECT ENCODING of a key, read from the keyspace directly.
pub fn encoding(server: &node::Server, key: &str) -> Option<&'static str> {
    let store = server.store.lock();
    store.dbs[0]
        .peek_any(key.as_bytes())
        .map(|entry| entry.value.encoding())
}

pub fn exists(server: &node::Server, key: &str) -> bool {
    server.store.lock().dbs[0]
        .peek_any(key.as_bytes())
        .is_some()
}

/// A real redis-server on a unix socket in a temporary directory, stopped on drop.
pub struct RealRedis {
    child: Child,
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for RealRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start_real_redis() -> Option<RealRedis> {
    let dir = tempfile::tempdir().expect("tempdir");
    let socket = dir.path().join("redis.sock");
    let spawned = Command::new("redis-server")
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
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(child) => Some(RealRedis {
            child,
            socket,
            _dir: dir,
        }),
        Err(err) => {
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false") {
                panic!("redis-server is required in CI: {err}");
            }
            eprintln!("skipping the comparison with real Redis: redis-server not found ({err})");
            None
        }
    }
}

pub async fn connect_when_ready(socket: &Path, resp3: bool) -> RawConn {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(conn) = RawConn::connect_unix(socket, resp3).await {
            return conn;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "redis-server did not start"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Run the same command on both servers and require identical reply bytes.
pub async fn same(ours: &mut RawConn, real: &mut RawConn, args: &[&[u8]]) -> Vec<u8> {
    let mine = ours.call_bytes(args).await;
    let theirs = real.call_bytes(args).await;
    assert!(
        mine == theirs,
        "{:?}: node replied {} bytes, redis {} bytes\nnode:  {:?}\nredis: {:?}",
        args.iter()
            .take(3)
            .map(|a| String::from_utf8_lossy(a))
            .collect::<Vec<_>>(),
        mine.len(),
        theirs.len(),
        String::from_utf8_lossy(&mine[..mine.len().min(200)]),
        String::from_utf8_lossy(&theirs[..theirs.len().min(200)]),
    );
    mine
}

/// Run the same command (given as text) on both servers; identical reply bytes required.
pub async fn same_text(ours: &mut RawConn, real: &mut RawConn, args: &[&str]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    same(ours, real, &args).await
}
