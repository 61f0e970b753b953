//! Helpers shared by the end-to-end tests: start the real `switchyard` binary (or a real
//! `redis-server`) on a free port, run the real Redis tools with a time limit, and talk raw RESP.
//!
//! Everything here is blocking std code with explicit deadlines, so a misbehaving server makes a
//! test fail with its output instead of hanging the suite.
#![allow(dead_code)]

pub mod dataset;
pub mod relay;
pub mod resp;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// CI must run every end-to-end test: a missing tool is a failure there, not a skip.
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok(v) if !v.is_empty() && v != "false" && v != "0")
}

/// Report a missing prerequisite: panics under CI, otherwise prints why the test is skipped.
pub fn missing<T>(reason: &str) -> Option<T> {
    if in_ci() {
        panic!("{reason}; CI=true requires it (.ci/run installs it)");
    }
    eprintln!("SKIPPED (not in CI): {reason}");
    None
}

pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// A Redis tool (`redis-cli`, `redis-server`, `redis-benchmark`) from PATH.
pub fn tool(name: &str) -> Option<PathBuf> {
    which(name).or_else(|| {
        missing(&format!(
            "`{name}` is not on PATH (apt-get install redis-server redis-tools)"
        ))
    })
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A port that was free a moment ago. Start-up retries with a new one if it got taken meanwhile.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Node,
    Redis,
}

/// A server process on 127.0.0.1, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    pub kind: Kind,
    dir: tempfile::TempDir,
    log: PathBuf,
}

impl Server {
    /// The server the suite checks: the node. With `SWITCHYARD_E2E_SERVER=redis` the same tests
    /// run against a real `redis-server` instead, which checks the expectations themselves.
    pub fn under_test() -> Server {
        Self::under_test_with(&[])
    }

    pub fn under_test_with(directives: &[&str]) -> Server {
        match std::env::var("SWITCHYARD_E2E_SERVER").as_deref() {
            Ok("redis") => {
                let Some(binary) = which("redis-server") else {
                    panic!("SWITCHYARD_E2E_SERVER=redis but redis-server is not on PATH");
                };
                Self::start_redis(&binary, directives)
            }
            _ => Self::node(directives),
        }
    }

    /// `switchyard node --port <free> --bind 127.0.0.1 <directives...>`.
    pub fn node(directives: &[&str]) -> Server {
        Self::node_with_file(None, directives)
    }

    /// Like [`Server::node`], with a redis.conf-format file as the first argument.
    pub fn node_with_file(config_file: Option<&Path>, directives: &[&str]) -> Server {
        Self::start(Kind::Node, |port, dir| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchyard"));
            cmd.arg("node");
            if let Some(file) = config_file {
                cmd.arg(file);
            }
            // No save rules unless a test asks, as the real redis-server below runs; full
            // resyncs start at once rather than wait for more replicas.
            cmd.args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--repl-diskless-sync-delay",
                "0",
            ])
            .args(directives)
            .current_dir(dir)
            .env("RUST_LOG", "info");
            cmd
        })
    }

    /// A real `redis-server` with persistence off, or `None` (a skip, or a failure in CI) when
    /// it is not installed.
    pub fn redis(directives: &[&str]) -> Option<Server> {
        let binary = tool("redis-server")?;
        Some(Self::start_redis(&binary, directives))
    }

    fn start_redis(binary: &Path, directives: &[&str]) -> Server {
        Self::start(Kind::Redis, |port, dir| {
            let mut cmd = Command::new(binary);
            cmd.args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
                .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
                .args(["--repl-diskless-sync-delay", "0"])
                .arg("--dir")
                .arg(dir)
                .args(directives)
                .current_dir(dir);
            cmd
        })
    }

    fn start(kind: Kind, make: impl Fn(u16, &Path) -> Command) -> Server {
        let mut dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("server.log");
        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = free_port();
            let log_file = std::fs::File::create(&log).expect("log file");
            let child = make(port, dir.path())
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().expect("log file"))
                .stderr(log_file)
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {kind:?} server: {e}"));
            let mut server = Server {
                child,
                port,
                kind,
                dir,
                log: log.clone(),
            };
            match server.wait_ready(Duration::from_secs(30)) {
                Ok(()) => return server,
                Err(exited) => {
                    last_log = server.log_text();
                    let port_taken = last_log.contains("in use");
                    if !exited || !port_taken {
                        panic!("{kind:?} server did not start on port {port}:\n{last_log}");
                    }
                    // The process exited; keep its temp dir for the next attempt.
                    dir = std::mem::replace(&mut server.dir, tempfile::tempdir().expect("dir"));
                }
            }
        }
        panic!("{kind:?} server: no free port after 5 attempts:\n{last_log}");
    }

    /// Poll with PING until the server answers. `Err(true)` means the process exited.
    fn wait_ready(&mut self, limit: Duration) -> Result<(), bool> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(true);
            }
            if let Ok(mut conn) = resp::Conn::try_connect(self.port, Duration::from_millis(200))
                && let Ok(reply) = conn.try_call(&[b"PING"])
                && (reply.starts_with(b"+PONG") || reply.starts_with(b"-NOAUTH"))
            {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(false)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Whatever the server printed so far (shown when a test fails).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Resident set size in KiB, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse().ok())
            .unwrap_or(0)
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn conn(&self) -> resp::Conn {
        resp::Conn::connect(self.port)
    }

    /// Send SIGTERM and wait (bounded) for the process to exit; `None` if it did not.
    pub fn terminate(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill");
        assert!(sent.success(), "kill -TERM {}", self.pid());
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A Redis checker (`redis-check-rdb`, `redis-check-aof`) accepts `path`: it exits with 0 and
/// prints `verdict`. Skips (or fails in CI) when the tool is missing.
pub fn assert_checker_accepts(checker: &str, path: &Path, verdict: &str) {
    let Some(binary) = tool(checker) else {
        return;
    };
    let out = run_with_timeout(
        Command::new(binary).arg(path),
        None,
        Duration::from_secs(60),
    );
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains(verdict),
        "{checker} rejected {}:\n{text}",
        path.display()
    );
}

/// Run a command to completion with a time limit, feeding `stdin`. Kills it and panics with
/// what it printed when the limit passes.
pub fn run_with_timeout(cmd: &mut Command, stdin: Option<Vec<u8>>, limit: Duration) -> Output {
    let description = format!("{cmd:?}");
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {description}: {e}"));
    let writer = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let stdout = drain(child.stdout.take().expect("stdout"));
    let stderr = drain(child.stderr.take().expect("stderr"));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = stdout.join().unwrap_or_default();
            let err = stderr.join().unwrap_or_default();
            panic!(
                "timed out after {limit:?}: {description}\n--- stdout (tail) ---\n{}\n--- stderr ---\n{}",
                tail(&String::from_utf8_lossy(&out), 4000),
                String::from_utf8_lossy(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

pub fn tail(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    &text[start..]
}

/// A child process whose stdout lines are read in the background (for `redis-cli subscribe`).
pub struct LineReader {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub seen: Vec<String>,
    /// The process's stderr so far, for the failure messages.
    stderr: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl LineReader {
    pub fn spawn(cmd: &mut Command) -> LineReader {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
        let stdout = child.stdout.take().expect("stdout");
        let mut err_pipe = child.stderr.take().expect("stderr");
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        std::thread::spawn({
            let stderr = stderr.clone();
            move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = err_pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    stderr.lock().unwrap().extend_from_slice(&chunk[..n]);
                }
            }
        });
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        LineReader {
            child,
            lines: rx,
            seen: Vec::new(),
            stderr,
        }
    }

    /// Why no more lines come: the wait ran out, or the process closed its output (with
    /// its exit status when it is known), and what it wrote to stderr.
    fn why_no_line(&mut self, err: mpsc::RecvTimeoutError, limit: Duration) -> String {
        let what = match err {
            mpsc::RecvTimeoutError::Timeout => format!("waited {limit:?}"),
            mpsc::RecvTimeoutError::Disconnected => {
                // The exit follows the closed output closely; give it a moment.
                let deadline = Instant::now() + Duration::from_secs(5);
                let status = loop {
                    match self.child.try_wait() {
                        Ok(Some(status)) => break status.to_string(),
                        _ if Instant::now() >= deadline => break "still running".into(),
                        _ => std::thread::sleep(Duration::from_millis(20)),
                    }
                };
                format!("the process closed its output ({status})")
            }
        };
        let stderr = String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned();
        format!("{what}; stderr:\n{}", tail(&stderr, 4000))
    }

    /// Wait until the lines seen so far end with `expected`; panics with all lines on timeout.
    pub fn expect_lines(&mut self, expected: &[&str], limit: Duration) {
        let deadline = Instant::now() + limit;
        loop {
            if self.seen.len() >= expected.len()
                && self.seen[self.seen.len() - expected.len()..]
                    .iter()
                    .zip(expected)
                    .all(|(a, b)| a == b)
            {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => self.seen.push(line),
                Err(err) => panic!(
                    "no lines {expected:?}: {}; got so far: {:?}",
                    self.why_no_line(err, limit),
                    self.seen
                ),
            }
        }
    }
}

impl LineReader {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Wait for a line for which `wanted` holds, and return it; panics with all lines on timeout.
    pub fn wait_line(&mut self, wanted: impl Fn(&str) -> bool, limit: Duration) -> String {
        if let Some(line) = self.seen.iter().find(|l| wanted(l)) {
            return line.clone();
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(err) => panic!(
                    "no line: {}; got so far:\n{}",
                    self.why_no_line(err, limit),
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Wait (bounded) for the process to exit, collecting the rest of its output.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            while let Ok(line) = self.lines.try_recv() {
                self.seen.push(line);
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // The reader thread ends at end of file: take what it still holds.
                while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
                    self.seen.push(line);
                }
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for LineReader {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `redis-cli -p <port>` with a time limit per invocation.
pub struct Cli {
    pub binary: PathBuf,
    pub port: u16,
}

impl Cli {
    /// `None` when redis-cli is missing (a skip outside CI, a failure in CI).
    pub fn new(port: u16) -> Option<Cli> {
        Some(Cli {
            binary: tool("redis-cli")?,
            port,
        })
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.args(["-h", "127.0.0.1", "-p", &self.port.to_string()]);
        cmd
    }

    /// Run `redis-cli <flags> <args>` and return its stdout (which also carries error replies
    /// when stdout is not a terminal), without trailing newlines.
    pub fn run(&self, flags: &[&str], args: &[String]) -> String {
        let output = run_with_timeout(
            self.command().args(flags).args(args),
            None,
            Duration::from_secs(20),
        );
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        strip_final_newline(text)
    }

    /// Run one command line (split like redis-cli's own prompt does).
    pub fn line(&self, line: &str) -> String {
        self.run(&[], &split_line(line))
    }

    /// Feed `input` on stdin (one command per line), as a user piping a file would.
    pub fn stdin(&self, flags: &[&str], input: &str) -> String {
        let output = run_with_timeout(
            self.command().args(flags),
            Some(input.as_bytes().to_vec()),
            Duration::from_secs(30),
        );
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        strip_final_newline(text)
    }
}

/// redis-cli ends every reply with a newline; an empty last line is a nil or empty reply.
fn strip_final_newline(mut text: String) -> String {
    if text.ends_with('\n') {
        text.pop();
    }
    text
}

/// In raw mode redis-cli prints an error reply followed by an empty line. Scripts write error
/// replies without it, so `"ERR syntax error"` reads as what a user sees.
fn is_error_reply(text: &str) -> bool {
    let first_word = text.split(' ').next().unwrap_or("");
    text.contains(' ')
        && first_word.len() >= 3
        && first_word.bytes().all(|b| b.is_ascii_uppercase())
}

/// Split a command line on whitespace; `"..."` groups words and understands `\"`, `\\`, `\n`,
/// `\r`, `\t` and `\xHH`; `'...'` groups words verbatim.
pub fn split_line(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return args;
        }
        let mut arg = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '"' => {
                    while let Some(c) = chars.next() {
                        match c {
                            '"' => break,
                            '\\' => match chars.next() {
                                Some('n') => arg.push('\n'),
                                Some('r') => arg.push('\r'),
                                Some('t') => arg.push('\t'),
                                Some('x') => {
                                    let hex: String = chars.by_ref().take(2).collect();
                                    let byte = u8::from_str_radix(&hex, 16).expect("\\xHH");
                                    arg.push(char::from(byte));
                                }
                                Some(other) => arg.push(other),
                                None => {}
                            },
                            c => arg.push(c),
                        }
                    }
                }
                '\'' => {
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                        arg.push(c);
                    }
                }
                c => arg.push(c),
            }
        }
        args.push(arg);
    }
}

/// One step of a redis-cli script: a command line and the exact output redis-cli prints for it
/// (lines joined with `\n`). A command line starting with `~ ` compares the output's lines as a
/// multiset, for replies whose order Redis does not define (SMEMBERS, KEYS, HGETALL...).
pub type Step<'a> = (&'a str, &'a str);

/// Run every step in order and panic with all mismatches (not just the first), so one run
/// shows everything a command family still gets wrong.
pub fn check_script(cli: &Cli, family: &str, steps: &[Step<'_>]) {
    let mut failures = Vec::new();
    for (index, (line, expected)) in steps.iter().enumerate() {
        let (unordered, line) = match line.strip_prefix("~ ") {
            Some(rest) => (true, rest),
            None => (false, *line),
        };
        let mut got = cli.line(line);
        if is_error_reply(expected) && got.ends_with('\n') {
            got.pop();
        }
        let matches = if unordered {
            sorted_lines(&got) == sorted_lines(expected)
        } else {
            got == *expected
        };
        if !matches {
            failures.push(format!(
                "  step {index}: {line}\n    expected: {expected:?}\n    got:      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{family}: {} of {} redis-cli steps differ from Redis 7.0:\n{}",
        failures.len(),
        steps.len(),
        failures.join("\n")
    );
}

pub fn sorted_lines(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines
}

/// Poll `probe` every 10 ms until it returns true or `limit` passes.
pub fn wait_until(limit: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if probe() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    probe()
}

/// Connect to a TCP port with a short timeout.
pub fn tcp(port: u16) -> std::io::Result<TcpStream> {
    TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(2),
    )
}
