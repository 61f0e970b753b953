//! `switchyard demo`: a full local deployment on loopback (one master and two replicas of our
//! node, three sentinels and the proxy), each a child process of this binary so that any of
//! them can be killed by hand. It prints where everything is, reports topology changes as the
//! sentinels announce them and as the proxy follows them, and stops every child on Ctrl-C.

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wire::client::Error as ClientError;
use wire::{ConnectOptions, Connection, Frame};

/// The sentinels' name for the demo's master group.
const MASTER_NAME: &str = "demo";
const DOWN_AFTER_MS: u64 = 1000;
const QUORUM: u32 = 2;
/// The sentinel events worth showing.
const EVENTS: &[&str] = &[
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+try-failover",
    "+elected-leader",
    "+selected-slave",
    "+promoted-slave",
    "+failover-end",
    "+switch-master",
    "+convert-to-slave",
    "+slave-reconf-done",
    "+reboot",
];

pub struct Options {
    pub proxy_port: u16,
    pub dir: Option<PathBuf>,
    pub keep: bool,
}

struct Proc {
    what: String,
    port: u16,
    child: Child,
    /// Set once its exit has been reported.
    exited: bool,
}

struct Demo {
    dir: PathBuf,
    remove_dir: bool,
    exe: PathBuf,
    procs: Vec<Proc>,
}

fn stamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        now.subsec_millis()
    )
}

/// A port the kernel says is free right now on 127.0.0.1.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

async fn connect(port: u16) -> Result<Connection, ClientError> {
    let options = ConnectOptions {
        connect_timeout: Duration::from_millis(500),
        ..ConnectOptions::default()
    };
    Connection::connect(addr(port), &options).await
}

async fn call(port: u16, args: &[&str]) -> Result<Frame, ClientError> {
    let mut conn = connect(port).await?;
    let reply = tokio::time::timeout(Duration::from_secs(2), conn.request(args))
        .await
        .map_err(|_| ClientError::Timeout {
            phase: wire::client::Phase::Response,
            delivery: wire::client::Delivery::MaybeExecuted,
        })??;
    Ok(reply.frame)
}

fn text(frame: &Frame) -> String {
    frame
        .as_bytes()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default()
}

/// `field:value` from INFO text.
fn info_field(info: &str, field: &str) -> Option<String> {
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .map(|v| v.trim().to_string())
}

/// Poll `probe` until it says yes or `limit` passes.
async fn wait_for<F, Fut>(limit: Duration, mut probe: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + limit;
    loop {
        if probe().await {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Demo {
    fn spawn(&mut self, what: &str, port: u16, args: &[String]) -> Result<(), String> {
        let log_path = self
            .dir
            .join(format!("{}-{port}.log", what.replace(' ', "-")));
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
        let log2 = log
            .try_clone()
            .map_err(|e| format!("cannot open {}: {e}", log_path.display()))?;
        // A process group of its own: Ctrl-C in the terminal reaches the demo, which then stops
        // the children in order, rather than every child at once.
        let child = Command::new(&self.exe)
            .args(args)
            .process_group(0)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| format!("cannot start {what}: {e}"))?;
        self.procs.push(Proc {
            what: what.to_string(),
            port,
            child,
            exited: false,
        });
        Ok(())
    }

    /// Wait until the process on `port` answers PING; report its log if it exits or hangs.
    async fn wait_ping(&mut self, port: u16) -> Result<(), String> {
        let up = wait_for(Duration::from_secs(15), || async move {
            matches!(call(port, &["PING"]).await, Ok(Frame::Simple(ref s)) if s.as_ref() == b"PONG")
        })
        .await;
        if up {
            return Ok(());
        }
        let log = self.log_tail(port);
        Err(format!(
            "the process on port {port} did not answer PING:\n{log}"
        ))
    }

    fn log_tail(&self, port: u16) -> String {
        let Some(p) = self.procs.iter().find(|p| p.port == port) else {
            return String::new();
        };
        let path = self
            .dir
            .join(format!("{}-{port}.log", p.what.replace(' ', "-")));
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn pid_of(&self, port: u16) -> Option<u32> {
        self.procs
            .iter()
            .find(|p| p.port == port && !p.exited)
            .map(|p| p.child.id())
    }

    /// Report children that have exited since the last look.
    fn reap(&mut self) {
        for p in &mut self.procs {
            if p.exited {
                continue;
            }
            if let Ok(Some(status)) = p.child.try_wait() {
                p.exited = true;
                println!(
                    "[{}] {} 127.0.0.1:{} (pid {}) exited: {status}",
                    stamp(),
                    p.what,
                    p.port,
                    p.child.id()
                );
            }
        }
    }

    /// SIGTERM to every child still running, then wait; SIGKILL to any still there after 10 s.
    fn stop(&mut self) {
        for p in &mut self.procs {
            // Only a child not yet reaped: a reaped one's pid may belong to someone else now.
            if matches!(p.child.try_wait(), Ok(None))
                && let Some(pid) = rustix::process::Pid::from_raw(p.child.id() as i32)
            {
                let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for p in &mut self.procs {
            loop {
                match p.child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() >= deadline => {
                        eprintln!("{} on port {} did not stop; killing it", p.what, p.port);
                        let _ = p.child.kill();
                        let _ = p.child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.stop();
        if self.remove_dir {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

fn write(path: &Path, body: &str) -> Result<(), String> {
    std::fs::write(path, body).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

pub async fn run(options: Options, stop: impl Future<Output = ()>) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let (dir, remove_dir) = match options.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            (dir, false)
        }
        None => {
            let dir = std::env::temp_dir().join(format!("switchyard-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            (dir, !options.keep)
        }
    };
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    let mut demo = Demo {
        dir: dir.clone(),
        remove_dir,
        exe,
        procs: Vec::new(),
    };
    let proxy_port = match options.proxy_port {
        0 => free_port(),
        p => {
            // Fail now, with a clear message, rather than after starting six processes.
            TcpListener::bind(addr(p)).map(|_| p)
        }
    }
    .map_err(|e| format!("cannot listen on 127.0.0.1:{}: {e}", options.proxy_port))?;
    let free = || free_port().map_err(|e| format!("no free port: {e}"));
    let master = free()?;
    let replicas = [free()?, free()?];
    let sentinels = [free()?, free()?, free()?];
    let metrics = free()?;

    println!("Starting a local deployment in {}", dir.display());
    let node_args = |port: u16, replica_of: Option<u16>| -> Result<Vec<String>, String> {
        let node_dir = dir.join(format!("node-{port}"));
        std::fs::create_dir_all(&node_dir)
            .map_err(|e| format!("cannot create {}: {e}", node_dir.display()))?;
        let mut args: Vec<String> = [
            "node",
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--dir",
            &node_dir.display().to_string(),
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if let Some(master) = replica_of {
            args.extend(["--replicaof".into(), "127.0.0.1".into(), master.to_string()]);
        }
        Ok(args)
    };
    demo.spawn("master", master, &node_args(master, None)?)?;
    demo.wait_ping(master).await?;
    for &port in &replicas {
        demo.spawn("replica", port, &node_args(port, Some(master))?)?;
    }
    for &port in &replicas {
        demo.wait_ping(port).await?;
        let synced = wait_for(Duration::from_secs(15), || async move {
            call(port, &["INFO", "replication"])
                .await
                .is_ok_and(|f| info_field(&text(&f), "master_link_status").as_deref() == Some("up"))
        })
        .await;
        if !synced {
            return Err(format!(
                "replica 127.0.0.1:{port} did not sync with its master:\n{}",
                demo.log_tail(port)
            ));
        }
    }
    for &port in &sentinels {
        let sentinel_dir = dir.join(format!("sentinel-{port}"));
        std::fs::create_dir_all(&sentinel_dir)
            .map_err(|e| format!("cannot create {}: {e}", sentinel_dir.display()))?;
        let conf = sentinel_dir.join("sentinel.conf");
        write(
            &conf,
            &format!(
                "port {port}\nbind 127.0.0.1\ndir {}\n\
                 sentinel monitor {MASTER_NAME} 127.0.0.1 {master} {QUORUM}\n\
                 sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}\n\
                 sentinel failover-timeout {MASTER_NAME} 10000\n\
                 sentinel parallel-syncs {MASTER_NAME} 1\n",
                sentinel_dir.display()
            ),
        )?;
        demo.spawn(
            "sentinel",
            port,
            &["sentinel".to_string(), conf.display().to_string()],
        )?;
    }
    for &port in &sentinels {
        demo.wait_ping(port).await?;
    }
    println!("Waiting for the sentinels to find the replicas and each other...");
    let formed = wait_for(Duration::from_secs(20), || async {
        let mut all = true;
        for &port in &sentinels {
            let ok = match call(port, &["SENTINEL", "MASTER", MASTER_NAME]).await {
                Ok(frame) => {
                    let fields = pairs(&frame);
                    fields.get("num-slaves").map(String::as_str) == Some("2")
                        && fields.get("num-other-sentinels").map(String::as_str) == Some("2")
                }
                Err(_) => false,
            };
            all &= ok;
        }
        all
    })
    .await;
    if !formed {
        println!("  (not all of them yet; a failover needs {QUORUM} sentinels to agree)");
    }

    let proxy_conf = dir.join("proxy.toml");
    let sentinel_list = sentinels
        .iter()
        .map(|p| format!("\"127.0.0.1:{p}\""))
        .collect::<Vec<_>>()
        .join(", ");
    write(
        &proxy_conf,
        &format!(
            "metrics-address = \"127.0.0.1:{metrics}\"\n\n\
             [[listener]]\naddress = \"127.0.0.1:{proxy_port}\"\nname = \"{MASTER_NAME}\"\n\
             read-policy = \"replica-preferred\"\n\
             consistency = \"read-your-writes\"\n\n\
             [listener.sentinel]\naddresses = [{sentinel_list}]\nmaster-name = \"{MASTER_NAME}\"\n"
        ),
    )?;
    demo.spawn(
        "proxy",
        proxy_port,
        &[
            "proxy".to_string(),
            "--config".to_string(),
            proxy_conf.display().to_string(),
        ],
    )?;
    demo.wait_ping(proxy_port).await?;

    let pid = |port| demo.pid_of(port).map_or("?".to_string(), |p| p.to_string());
    println!();
    println!("Switchyard demo is up.");
    println!();
    println!(
        "  proxy      127.0.0.1:{proxy_port}  (pid {}): writes go to the master, reads to the replicas",
        pid(proxy_port)
    );
    println!("  master     127.0.0.1:{master}  (pid {})", pid(master));
    for &port in &replicas {
        println!("  replica    127.0.0.1:{port}  (pid {})", pid(port));
    }
    for &port in &sentinels {
        println!("  sentinel   127.0.0.1:{port}  (pid {})", pid(port));
    }
    println!(
        "             (the sentinels watch master name \"{MASTER_NAME}\", quorum {QUORUM}, down-after {DOWN_AFTER_MS} ms)"
    );
    println!("  metrics    http://127.0.0.1:{metrics}/metrics");
    println!("  files      {} (configs and logs)", dir.display());
    println!();
    println!("Try:");
    println!("  redis-cli -p {proxy_port} SET greeting hello");
    println!("  redis-cli -p {proxy_port} GET greeting");
    println!("  redis-cli -p {proxy_port} INFO backends");
    println!();
    println!("Trigger a failover by killing the master:");
    println!("  kill -9 {}", pid(master));
    println!(
        "The sentinels agree it is down after about {DOWN_AFTER_MS} ms, promote a replica, and the proxy follows."
    );
    println!();
    println!("Ctrl-C stops every process.");

    let mut watch = Watch {
        proxy_port,
        sentinels: sentinels.to_vec(),
        proxy_master: Some(addr(master)),
        events: None,
        proxy: None,
    };
    let mut stop = std::pin::pin!(stop);
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = &mut stop => break,
            event = watch.next_event() => {
                if let Some((sentinel, line)) = event {
                    report_event(&demo, sentinel, &line);
                }
            }
            _ = tick.tick() => {
                demo.reap();
                watch.check_proxy(&demo).await;
            }
        }
    }
    println!("Stopping...");
    demo.stop();
    println!("Stopped.");
    if !remove_dir {
        println!("Files kept in {}", dir.display());
    }
    Ok(())
}

/// A sentinel reply of alternating names and values, as a map.
fn pairs(frame: &Frame) -> HashMap<String, String> {
    let mut map = HashMap::new();
    match frame.value() {
        Frame::Map(entries) => {
            for (k, v) in entries {
                map.insert(text(k), text(v));
            }
        }
        other => {
            if let Some(items) = other.as_items() {
                for pair in items.chunks(2) {
                    if let [k, v] = pair {
                        map.insert(text(k), text(v));
                    }
                }
            }
        }
    }
    map
}

struct Watch {
    proxy_port: u16,
    sentinels: Vec<u16>,
    /// The master the proxy was last seen routing writes to.
    proxy_master: Option<SocketAddr>,
    /// A sentinel's event subscription, and which sentinel it is.
    events: Option<(u16, Connection)>,
    /// A connection to the proxy for INFO.
    proxy: Option<Connection>,
}

impl Watch {
    /// The next event from a sentinel (subscribing, or moving to another sentinel, as needed).
    async fn next_event(&mut self) -> Option<(u16, String)> {
        loop {
            if self.events.is_none() {
                for &port in &self.sentinels {
                    let Ok(mut conn) = connect(port).await else {
                        continue;
                    };
                    for event in EVENTS {
                        conn.queue_request(&["SUBSCRIBE", event]);
                    }
                    if conn.flush().await.is_ok() {
                        self.events = Some((port, conn));
                        break;
                    }
                }
                if self.events.is_none() {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
            let (port, conn) = self.events.as_mut()?;
            let port = *port;
            match conn.read_frame().await {
                Ok(decoded) => {
                    let items = decoded.frame.as_items().unwrap_or(&[]);
                    if let [kind, channel, payload] = items
                        && text(kind) == "message"
                    {
                        return Some((port, format!("{} {}", text(channel), text(payload))));
                    }
                }
                Err(_) => {
                    self.events = None;
                }
            }
        }
    }

    /// Report when the proxy starts sending writes somewhere else.
    async fn check_proxy(&mut self, demo: &Demo) {
        if self.proxy.is_none() {
            self.proxy = connect(self.proxy_port).await.ok();
        }
        let Some(conn) = self.proxy.as_mut() else {
            return;
        };
        let reply =
            tokio::time::timeout(Duration::from_secs(2), conn.request(&["INFO", "backends"])).await;
        let Ok(Ok(reply)) = reply else {
            self.proxy = None;
            return;
        };
        let info = text(&reply.frame);
        let now: Option<SocketAddr> = info_field(&info, "master").and_then(|m| m.parse().ok());
        if now != self.proxy_master {
            match now {
                Some(a) => println!(
                    "[{}] proxy: writes now go to {a} (pid {})",
                    stamp(),
                    demo.pid_of(a.port())
                        .map_or("?".to_string(), |p| p.to_string())
                ),
                None => println!("[{}] proxy: no master known; writes wait or fail", stamp()),
            }
            self.proxy_master = now;
        }
    }
}

fn report_event(demo: &Demo, sentinel: u16, line: &str) {
    println!("[{}] sentinel 127.0.0.1:{sentinel}: {line}", stamp());
    if let Some(rest) = line.strip_prefix("+switch-master ") {
        // <name> <old ip> <old port> <new ip> <new port>
        let parts: Vec<&str> = rest.split_whitespace().collect();
        if let [_, _, _, ip, port] = parts.as_slice()
            && let Ok(port) = port.parse::<u16>()
        {
            let pid = demo.pid_of(port).map_or("?".to_string(), |p| p.to_string());
            println!(
                "[{}] failover: the new master is {ip}:{port} (pid {pid}); to fail over again: kill -9 {pid}",
                stamp()
            );
        }
    }
}
