//! How long a client waits while a snapshot is taken: the node (fork-free snapshot) against a
//! real `redis-server` (fork), measured the same way in one run.
//!
//!     cargo run --release --example snapshot_pause -- [--keys 1000000] [--runs 3]
//!
//! For each server: load `--keys` keys (`key:N -> value:N`), then one client sends GET and SET
//! alternately, one request at a time, for a quiet second (the baseline) and then while a BGSAVE
//! runs, from BGSAVE until INFO reports it done. It prints, per run, the BGSAVE duration and
//! the client's p50 / p99 / p99.9 / maximum latency in each window. Needs `redis-server` on
//! PATH and the release `switchyard` binary (built by `cargo build --release`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn connect(port: u16) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(Duration::from_secs(120)))?;
        Ok(Conn {
            reader: BufReader::new(stream),
        })
    }

    fn send(&mut self, args: &[&[u8]]) {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.reader.get_mut().write_all(&out).expect("write");
    }

    /// One reply as text (bulk payloads included), enough for the replies used here.
    fn read(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read");
        if let Some(len) = line.strip_prefix('$') {
            let len: i64 = len.trim().parse().expect("bulk length");
            if len < 0 {
                return line;
            }
            let mut body = vec![0; len as usize + 2];
            self.reader.read_exact(&mut body).expect("bulk");
            return String::from_utf8_lossy(&body[..len as usize]).into_owned();
        }
        line
    }

    fn call(&mut self, args: &[&[u8]]) -> String {
        self.send(args);
        self.read()
    }
}

struct Proc {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn start(program: &Path, args: &[&str]) -> Proc {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let child = Command::new(program)
        .args(args)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .arg("--dir")
        .arg(dir.path())
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut c) = Conn::connect(port)
            && c.call(&[b"PING"]).starts_with("+PONG")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{} did not start",
            program.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Proc {
        child,
        port,
        _dir: dir,
    }
}

fn load(port: u16, keys: usize) {
    let mut conn = Conn::connect(port).expect("connect");
    let batch = 10_000;
    for start in (0..keys).step_by(batch) {
        let end = (start + batch).min(keys);
        let mut out = Vec::new();
        for i in start..end {
            let (k, v) = (format!("key:{i}"), format!("value:{i}"));
            out.extend_from_slice(
                format!(
                    "*3\r\n$3\r\nSET\r\n${}\r\n{k}\r\n${}\r\n{v}\r\n",
                    k.len(),
                    v.len()
                )
                .as_bytes(),
            );
        }
        conn.reader.get_mut().write_all(&out).expect("write");
        for _ in start..end {
            conn.read();
        }
    }
}

fn info_field(conn: &mut Conn, field: &str) -> String {
    let text = conn.call(&[b"INFO", b"persistence"]);
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Latencies (µs) of GET/SET round trips until `stop` is set.
fn probe(port: u16, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<u64>> {
    std::thread::spawn(move || {
        let mut conn = Conn::connect(port).expect("connect");
        let mut samples = Vec::with_capacity(1 << 20);
        let mut i: u64 = 0;
        while !stop.load(Ordering::Relaxed) && samples.len() < 50_000_000 {
            let key = format!("key:{}", (i * 7919) % 1_000_000);
            let started = Instant::now();
            if i.is_multiple_of(2) {
                conn.call(&[b"GET", key.as_bytes()]);
            } else {
                conn.call(&[b"SET", key.as_bytes(), b"probe"]);
            }
            samples.push(started.elapsed().as_micros() as u64);
            i += 1;
        }
        samples
    })
}

#[derive(Debug, Clone, Copy)]
struct Summary {
    count: usize,
    p50: u64,
    p99: u64,
    p999: u64,
    max: u64,
}

fn summarize(mut samples: Vec<u64>) -> Summary {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Summary {
        count: samples.len(),
        p50: at(0.50),
        p99: at(0.99),
        p999: at(0.999),
        max: *samples.last().unwrap(),
    }
}

struct Run {
    baseline: Summary,
    during: Summary,
    bgsave_ms: u128,
}

fn measure(port: u16) -> Run {
    let stop = Arc::new(AtomicBool::new(false));
    let quiet = probe(port, stop.clone());
    std::thread::sleep(Duration::from_secs(1));
    stop.store(true, Ordering::Relaxed);
    let baseline = summarize(quiet.join().expect("probe"));

    let mut admin = Conn::connect(port).expect("connect");
    let saves_before = info_field(&mut admin, "rdb_saves");
    let stop = Arc::new(AtomicBool::new(false));
    let busy = probe(port, stop.clone());
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    let reply = admin.call(&[b"BGSAVE"]);
    assert!(reply.contains("Background saving started"), "{reply}");
    let deadline = Instant::now() + Duration::from_secs(300);
    while info_field(&mut admin, "rdb_bgsave_in_progress") != "0"
        || info_field(&mut admin, "rdb_saves") == saves_before
    {
        assert!(Instant::now() < deadline, "BGSAVE did not finish");
        std::thread::sleep(Duration::from_millis(2));
    }
    let bgsave_ms = started.elapsed().as_millis();
    stop.store(true, Ordering::Relaxed);
    let during = summarize(busy.join().expect("probe"));
    assert_eq!(info_field(&mut admin, "rdb_last_bgsave_status"), "ok");
    Run {
        baseline,
        during,
        bgsave_ms,
    }
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().expect("a number"))
}

fn switchyard_binary() -> PathBuf {
    // target/release/examples/snapshot_pause -> target/release/switchyard
    let exe = std::env::current_exe().expect("current exe");
    let candidate = exe
        .parent()
        .and_then(|p| p.parent())
        .map(|p| p.join("switchyard"))
        .expect("target dir");
    assert!(
        candidate.is_file(),
        "{} not found: run `cargo build --release` first",
        candidate.display()
    );
    candidate
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let keys = arg(&args, "--keys", 1_000_000);
    let runs = arg(&args, "--runs", 3);
    let node_bin = switchyard_binary();
    let redis_bin = PathBuf::from("redis-server");
    println!("snapshot pause: {keys} keys, {runs} run(s) per server; latencies in µs");
    println!(
        "{:<6} {:>3} {:>9} | {:>8} {:>6} {:>6} {:>7} {:>7} | {:>8} {:>6} {:>6} {:>7} {:>7}",
        "server",
        "run",
        "bgsave",
        "quiet n",
        "p50",
        "p99",
        "p99.9",
        "max",
        "during n",
        "p50",
        "p99",
        "p99.9",
        "max"
    );
    for run in 0..runs {
        for (name, program, extra) in [
            ("node", node_bin.as_path(), vec!["node"]),
            ("redis", redis_bin.as_path(), vec![]),
        ] {
            let proc = start(program, &extra);
            load(proc.port, keys);
            let r = measure(proc.port);
            let (b, d) = (r.baseline, r.during);
            println!(
                "{name:<6} {:>3} {:>7}ms | {:>8} {:>6} {:>6} {:>7} {:>7} | {:>8} {:>6} {:>6} {:>7} {:>7}",
                run + 1,
                r.bgsave_ms,
                b.count,
                b.p50,
                b.p99,
                b.p999,
                b.max,
                d.count,
                d.p50,
                d.p99,
                d.p999,
                d.max
            );
        }
    }
}
