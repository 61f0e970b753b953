//! A minimal blocking RESP2/RESP3 connection that returns replies as their raw bytes, so tests
//! can compare exactly what went over the wire.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

pub struct Conn {
    stream: TcpStream,
    buffered: Vec<u8>,
}

/// How a connection ended when a test read until the server stopped talking.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum End {
    /// The server closed the connection (EOF or reset).
    Closed,
    /// The server kept the connection open and sent nothing more within the wait.
    StillOpen,
}

impl Conn {
    pub fn connect(port: u16) -> Conn {
        Self::try_connect(port, Duration::from_secs(2))
            .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"))
    }

    pub fn try_connect(port: u16, limit: Duration) -> std::io::Result<Conn> {
        let stream =
            TcpStream::connect_timeout(&std::net::SocketAddr::from(([127, 0, 0, 1], port)), limit)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        stream.set_write_timeout(Some(Duration::from_secs(10)))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buffered: Vec::new(),
        })
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write to server");
    }

    /// Close our sending half, as a client that stops mid-frame does.
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Send one command as a multibulk and return its reply's raw bytes.
    pub fn call(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.try_call(args)
            .unwrap_or_else(|e| panic!("{:?}: {e}", printable_args(args)))
    }

    pub fn try_call(&mut self, args: &[&[u8]]) -> std::io::Result<Vec<u8>> {
        self.stream.write_all(&encode(args))?;
        self.try_read_reply()
    }

    /// `call` with the arguments given as one space-separated string.
    pub fn cmd(&mut self, line: &str) -> Vec<u8> {
        let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
        self.call(&args)
    }

    /// `cmd`, with the reply shown as text for assertions.
    pub fn cmd_text(&mut self, line: &str) -> String {
        String::from_utf8_lossy(&self.cmd(line)).into_owned()
    }

    pub fn read_reply(&mut self) -> Vec<u8> {
        self.try_read_reply().expect("read reply")
    }

    /// One complete RESP frame (attributes included), as raw bytes.
    pub fn try_read_reply(&mut self) -> std::io::Result<Vec<u8>> {
        loop {
            if let Some(len) = frame_len(&self.buffered) {
                return Ok(self.buffered.drain(..len).collect());
            }
            let mut chunk = [0u8; 16384];
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!(
                        "connection closed; partial reply {:?}",
                        String::from_utf8_lossy(&self.buffered)
                    ),
                ));
            }
            self.buffered.extend_from_slice(&chunk[..n]);
        }
    }

    /// Everything the server sends until it closes the connection or stays quiet for `quiet`.
    pub fn read_until_end(&mut self, quiet: Duration) -> (Vec<u8>, End) {
        let mut out = std::mem::take(&mut self.buffered);
        self.stream
            .set_read_timeout(Some(quiet))
            .expect("set timeout");
        let end = loop {
            let mut chunk = [0u8; 16384];
            match self.stream.read(&mut chunk) {
                Ok(0) => break End::Closed,
                Ok(n) => out.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    break End::StillOpen;
                }
                Err(_) => break End::Closed,
            }
        };
        self.stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set timeout");
        (out, end)
    }

    /// What the server sends until at least `len` bytes came, it closed the connection, or
    /// `limit` passed (then `StillOpen`).
    pub fn read_at_least(&mut self, len: usize, limit: Duration) -> (Vec<u8>, End) {
        let deadline = Instant::now() + limit;
        let mut out = std::mem::take(&mut self.buffered);
        let mut end = End::StillOpen;
        while out.len() < len {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.stream
                .set_read_timeout(Some(left))
                .expect("set timeout");
            let mut chunk = [0u8; 16384];
            match self.stream.read(&mut chunk) {
                Ok(0) => end = End::Closed,
                Ok(n) => out.extend_from_slice(&chunk[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => end = End::Closed,
            }
            if end == End::Closed {
                break;
            }
        }
        self.stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("set timeout");
        (out, end)
    }

    /// Wait up to `limit` for the server to close the connection, discarding what it sends.
    pub fn wait_closed(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let (_, End::Closed) = self.read_until_end(Duration::from_millis(100)) {
                return true;
            }
        }
        false
    }
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

fn printable_args(args: &[&[u8]]) -> Vec<String> {
    args.iter()
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect()
}

/// Length of the complete RESP2/RESP3 frame at the start of `buf`, or `None` if incomplete.
pub fn frame_len(buf: &[u8]) -> Option<usize> {
    let line_end = buf.windows(2).position(|w| w == b"\r\n")?;
    let header = std::str::from_utf8(&buf[1..line_end]).ok();
    let after_header = line_end + 2;
    let count = || header.and_then(|h| h.parse::<i64>().ok());
    match buf.first()? {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Some(after_header),
        b'$' | b'!' | b'=' => match count()? {
            n if n < 0 => Some(after_header),
            n => {
                let end = after_header + n as usize + 2;
                (buf.len() >= end).then_some(end)
            }
        },
        b'*' | b'~' | b'>' => nested(buf, after_header, count()?),
        b'%' => nested(buf, after_header, count()?.checked_mul(2)?),
        b'|' => {
            let attributes = nested(buf, after_header, count()?.checked_mul(2)?)?;
            Some(attributes + frame_len(&buf[attributes..])?)
        }
        _ => Some(after_header),
    }
}

fn nested(buf: &[u8], mut at: usize, items: i64) -> Option<usize> {
    for _ in 0..items.max(0) {
        at += frame_len(&buf[at..])?;
    }
    Some(at)
}
