// node/tests/common/mod.rs
#![allow(dead_code)]
pub mod real_redis;

use std::net::SocketAddr;
use std::sync::Arc;

pub struct TestServer {
    pub addr: SocketAddr,
    /// The node's `dir`: a temporary directory of its own.
    pub dir: tempfile::TempDir,
    pub server: Arc<node::Server>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// Start a node on 127.0.0.1:0 with the given config directives (redis.conf lines).
pub async fn start(directives: &str) -> TestServer {
    let mut config = node::Config::default();
    // No save rules unless a test sets them: in-process nodes must not write dump.rdb into
    // the crate directory.
    config.save.clear();
    let dir = tempfile::tempdir().expect("temp dir");
    config.dir = dir.path().to_path_buf();
    config.apply_text(directives).expect("config");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = node::Server::new(config, addr.port());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let s = server.clone();
    tokio::spawn(async move {
        let _ = node::serve(s, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    TestServer {
        addr,
        dir,
        server,
        _shutdown: tx,
    }
}

impl TestServer {
    pub fn url(&self, resp3: bool) -> String {
        format!(
            "redis://{}/{}",
            self.addr,
            if resp3 { "?protocol=resp3" } else { "" }
        )
    }
    pub async fn conn(&self, resp3: bool) -> redis::aio::MultiplexedConnection {
        let client = redis::Client::open(self.url(resp3)).expect("client");
        client
            .get_multiplexed_async_connection()
            .await
            .expect("connect")
    }
    /// Send raw bytes, read until `expect_len` bytes arrived, the server closed, or 10 s
    /// passed.
    pub async fn raw(&self, input: &[u8], expect_len: usize) -> Vec<u8> {
        self.raw_while(input, |out| out.len() < expect_len).await
    }

    /// Send raw bytes, read until the output ends with `suffix`, the server closed, or 10 s
    /// passed.
    pub async fn raw_until(&self, input: &[u8], suffix: &[u8]) -> Vec<u8> {
        self.raw_while(input, |out| !out.ends_with(suffix)).await
    }

    async fn raw_while(&self, input: &[u8], more: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut s = tokio::net::TcpStream::connect(self.addr)
            .await
            .expect("connect");
        s.write_all(input).await.expect("write");
        let mut out = Vec::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        while more(&out) {
            let mut buf = [0u8; 4096];
            match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
                Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            }
        }
        out
    }
}

/// A reply as text: bulk strings quoted with `escape_ascii`, arrays in brackets, maps in
/// braces, errors as `CODE detail`.
pub fn show(value: &redis::Value) -> String {
    use redis::Value;
    let list = |items: &[Value]| items.iter().map(show).collect::<Vec<_>>().join(", ");
    match value {
        Value::Nil => "nil".into(),
        Value::Int(i) => i.to_string(),
        Value::BulkString(b) => format!("\"{}\"", b.escape_ascii()),
        Value::Okay => "OK".into(),
        Value::SimpleString(s) => s.clone(),
        Value::Array(items) => format!("[{}]", list(items)),
        Value::Set(items) => format!("~[{}]", list(items)),
        Value::Map(pairs) => {
            let pairs: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{} => {}", show(k), show(v)))
                .collect();
            format!("{{{}}}", pairs.join(", "))
        }
        Value::Double(d) => d.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::ServerError(e) => format!("{} {}", e.code(), e.details().unwrap_or("")),
        other => format!("{other:?}"),
    }
}

pub async fn query(con: &mut redis::aio::MultiplexedConnection, words: &[&str]) -> String {
    let mut cmd = redis::cmd(words[0]);
    for w in &words[1..] {
        cmd.arg(*w);
    }
    match cmd.query_async::<redis::Value>(con).await {
        Ok(v) => show(&v),
        Err(e) => format!("{} {}", e.code().unwrap_or("?"), e.detail().unwrap_or("")),
    }
}
