//! A master group: its settings and topology as immutable values behind `ArcSwap` (each request
//! reads one snapshot without locks; discovery swaps in a new one), and the discovery task that
//! keeps the topology current from a static list or from Sentinel, probing every backend.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use bytes::Bytes;
use parking_lot::Mutex;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use wire::client::into_result;
use wire::{ConnectOptions, Connection, Frame, Protocol};

use crate::backend::{Backend, Role};
use crate::config::{ListenerConfig, TopologySource};

#[derive(Clone)]
pub struct Replica {
    pub backend: Arc<Backend>,
    pub weight: u32,
}

/// One snapshot of where the group's master and replicas are.
#[derive(Default)]
pub struct Topology {
    pub master: Option<Arc<Backend>>,
    pub replicas: Vec<Replica>,
}

#[derive(Default)]
pub struct GroupStats {
    pub reads_to_master: AtomicU64,
    pub reads_to_replicas: AtomicU64,
    pub writes: AtomicU64,
    pub answered_locally: AtomicU64,
    pub leased: AtomicU64,
    pub rejected: AtomicU64,
    pub backend_errors: AtomicU64,
    pub failovers_followed: AtomicU64,
    pub topology_refreshes: AtomicU64,
    /// Requests that waited for a master (failover-hold-ms).
    pub held: AtomicU64,
    /// Held requests answered with an error when the hold ran out.
    pub hold_expired: AtomicU64,
    /// Reads that passed over a healthy replica for its lag or for read-your-writes.
    pub stale_skips: AtomicU64,
}

pub struct Group {
    pub name: String,
    pub settings: ArcSwap<ListenerConfig>,
    pub topology: ArcSwap<Topology>,
    registry: Mutex<HashMap<SocketAddr, Arc<Backend>>>,
    /// Sessions ask for a new look at once (-READONLY, -MASTERDOWN, a refused connection).
    pub refresh: Notify,
    /// Woken (all waiters) whenever a new topology is swapped in.
    pub changed: Notify,
    pub stats: GroupStats,
    /// Master offset samples (see `crate::offsets`).
    pub history: Mutex<crate::offsets::History>,
    /// The highest Sentinel config-epoch followed (-1: none yet).
    pub config_epoch: AtomicI64,
    /// Request bytes held for a master right now.
    pub held_bytes: AtomicUsize,
}

impl Group {
    pub fn new(settings: ListenerConfig) -> Arc<Group> {
        Arc::new(Group {
            name: settings.name.clone(),
            settings: ArcSwap::from_pointee(settings),
            topology: ArcSwap::from_pointee(Topology::default()),
            registry: Mutex::new(HashMap::new()),
            refresh: Notify::new(),
            changed: Notify::new(),
            stats: GroupStats::default(),
            history: Mutex::new(Default::default()),
            config_epoch: AtomicI64::new(-1),
            held_bytes: AtomicUsize::new(0),
        })
    }

    /// Every backend ever known, for INFO.
    pub fn backends(&self) -> Vec<Arc<Backend>> {
        let mut all: Vec<_> = self.registry.lock().values().cloned().collect();
        all.sort_by_key(|b| b.addr);
        all
    }

    fn backend(&self, addr: SocketAddr, master: bool) -> Arc<Backend> {
        let settings = self.settings.load();
        let backend = self
            .registry
            .lock()
            .entry(addr)
            .or_insert_with(|| Backend::new(addr, settings.backend.clone(), master))
            .clone();
        backend.set_expected_master(master);
        backend
    }

    /// Swap in a topology built from a master and replica addresses.
    fn apply(&self, master: Option<SocketAddr>, replicas: &[SocketAddr]) {
        let settings = self.settings.load();
        let old = self.topology.load();
        let old_master = old.master.as_ref().map(|b| b.addr);
        if let Some(old) = &old.master
            && Some(old.addr) != master
        {
            // Fencing: nothing more goes to the old master over connections opened while it
            // was one, and a new connection to it must find it a replica.
            old.set_expected_master(false);
        }
        let master_backend = master.map(|addr| self.backend(addr, true));
        let replicas: Vec<Replica> = replicas
            .iter()
            .filter(|addr| Some(**addr) != master)
            .map(|addr| Replica {
                backend: self.backend(*addr, false),
                weight: settings
                    .weights
                    .iter()
                    .find(|(a, _)| a == addr)
                    .map_or(1, |(_, w)| *w),
            })
            .collect();
        let same_replicas = old.replicas.len() == replicas.len()
            && old
                .replicas
                .iter()
                .zip(&replicas)
                .all(|(a, b)| a.backend.addr == b.backend.addr && a.weight == b.weight);
        if old_master == master && same_replicas {
            return;
        }
        if let (Some(from), Some(to)) = (old_master, master)
            && from != to
        {
            self.stats
                .failovers_followed
                .fetch_add(1, Ordering::Relaxed);
            metrics::counter!("proxy_failovers_followed_total", "group" => self.name.clone())
                .increment(1);
            tracing::warn!(group = %self.name, %from, %to, "master changed: following");
        }
        self.stats
            .topology_refreshes
            .fetch_add(1, Ordering::Relaxed);
        tracing::info!(
            group = %self.name,
            master = ?master,
            replicas = ?replicas.iter().map(|r| r.backend.addr).collect::<Vec<_>>(),
            "topology"
        );
        self.topology.store(Arc::new(Topology {
            master: master_backend,
            replicas,
        }));
        self.changed.notify_waiters();
    }
}

/// Keep the group's topology current until `stop`.
pub async fn discover(group: Arc<Group>, stop: CancellationToken) {
    let events = Arc::new(Notify::new());
    let mut subscriber: Option<tokio::task::JoinHandle<()>> = None;
    let mut last_poll: Option<Instant> = None;
    loop {
        let settings = group.settings.load_full();
        let interval = settings.backend.health_interval;
        match &settings.topology {
            TopologySource::Static { master, replicas } => {
                discover_static(&group, *master, replicas).await;
            }
            TopologySource::Sentinel {
                addresses,
                master_name,
                username,
                password,
                poll_interval,
            } => {
                let options =
                    sentinel_options(username, password, settings.backend.connect_timeout);
                if subscriber.as_ref().is_none_or(|s| s.is_finished()) {
                    subscriber = Some(tokio::spawn(follow_events(
                        addresses.clone(),
                        options.clone(),
                        events.clone(),
                        stop.clone(),
                    )));
                }
                let due = last_poll.is_none_or(|t| t.elapsed() >= *poll_interval);
                if due {
                    last_poll = Some(Instant::now());
                    match ask_sentinels(addresses, master_name, &options).await {
                        Some(answer) => follow(&group, answer),
                        None => tracing::warn!(group = %group.name, "no sentinel answered"),
                    }
                }
                probe_all(&group).await;
            }
        }
        tokio::select! {
            _ = stop.cancelled() => break,
            _ = tokio::time::sleep(interval) => {}
            _ = group.refresh.notified() => last_poll = None,
            _ = events.notified() => last_poll = None,
        }
    }
    if let Some(s) = subscriber {
        s.abort();
    }
}

/// Probe the listed nodes; the master is the one followed so far while ROLE says so, else the
/// configured one, else any listed node that reports master (a manual failover among them).
async fn discover_static(group: &Group, master: SocketAddr, replicas: &[SocketAddr]) {
    let mut all = vec![master];
    all.extend(replicas.iter().copied().filter(|r| *r != master));
    let backends: Vec<Arc<Backend>> = all
        .iter()
        .map(|addr| {
            let known = group.registry.lock().get(addr).cloned();
            known.unwrap_or_else(|| group.backend(*addr, *addr == master))
        })
        .collect();
    let roles = futures::future::join_all(backends.iter().map(|b| probe(b))).await;
    record_lags(&backends.iter().collect::<Vec<_>>());
    // Two nodes saying master (an old master back up before it is made a replica): the one
    // followed now stays, so writes never go back and forth between them; then the configured
    // one.
    let current = group.topology.load().master.as_ref().map(|b| b.addr);
    let reported_master = all
        .iter()
        .zip(&roles)
        .filter(|(_, role)| **role == Some(Role::Master))
        .map(|(addr, _)| *addr)
        .min_by_key(|addr| (Some(*addr) != current, *addr != master));
    let new_master = reported_master.or_else(|| {
        // Nothing answers as master: keep the one we have, so its errors are reported.
        group.topology.load().master.as_ref().map(|b| b.addr)
    });
    let new_master = new_master.or(Some(master));
    let replica_addrs: Vec<SocketAddr> = all
        .iter()
        .zip(&roles)
        .filter(|(addr, role)| Some(**addr) != new_master && **role != Some(Role::Master))
        .map(|(addr, _)| *addr)
        .collect();
    group.apply(new_master, &replica_addrs);
}

async fn probe(backend: &Backend) -> Option<Role> {
    match backend.probe().await {
        Ok((role, lags)) => {
            backend.mark_up();
            *backend.lags.lock() = lags;
            Some(role)
        }
        Err(e) => {
            tracing::debug!(backend = %backend.addr, error = %e, "probe failed");
            backend.mark_down();
            None
        }
    }
}

async fn probe_all(group: &Group) {
    let topology = group.topology.load_full();
    let backends: Vec<&Arc<Backend>> = topology
        .master
        .iter()
        .chain(topology.replicas.iter().map(|r| &r.backend))
        .collect();
    let roles = futures::future::join_all(backends.iter().map(|b| probe(b))).await;
    record_lags(&backends);
    for (backend, role) in backends.iter().zip(roles) {
        if backend.expected_master() && role == Some(Role::Replica) {
            tracing::warn!(backend = %backend.addr, "master reports ROLE slave: asking again");
            group.refresh.notify_one();
        }
    }
}

/// Each replica's lag as its master's ROLE reports it (-1 when no master lists it).
fn record_lags(backends: &[&Arc<Backend>]) {
    let reported: Vec<(String, i64)> = backends
        .iter()
        .flat_map(|b| b.lags.lock().clone())
        .collect();
    for backend in backends {
        let me = backend.addr.to_string();
        let lag = reported
            .iter()
            .find(|(addr, _)| *addr == me)
            .map_or(-1, |(_, lag)| *lag);
        backend.stats.lag_bytes.store(lag, Ordering::Relaxed);
    }
}

fn sentinel_options(
    username: &Option<String>,
    password: &Option<String>,
    timeout: Duration,
) -> ConnectOptions {
    ConnectOptions {
        connect_timeout: timeout,
        username: username.clone(),
        password: password.clone(),
        protocol: Protocol::Resp2,
        ..Default::default()
    }
}

/// What one sentinel says of the group.
struct SentinelAnswer {
    sentinel: SocketAddr,
    epoch: i64,
    master: SocketAddr,
    replicas: Vec<SocketAddr>,
}

/// Swap in what the sentinels said, fenced by config-epoch: another master is followed only
/// under a higher epoch than the one followed so far (a stale sentinel cannot bring back a
/// demoted master).
fn follow(group: &Group, answer: SentinelAnswer) {
    let known = group.config_epoch.load(Ordering::Acquire);
    let current = group.topology.load().master.as_ref().map(|b| b.addr);
    let moves = current.is_some_and(|m| m != answer.master);
    if answer.epoch < known || (moves && answer.epoch == known) {
        tracing::warn!(
            group = %group.name,
            sentinel = %answer.sentinel,
            epoch = answer.epoch,
            followed = known,
            master = %answer.master,
            "ignoring an answer from an older config-epoch"
        );
        return;
    }
    group.config_epoch.store(answer.epoch, Ordering::Release);
    group.apply(Some(answer.master), &answer.replicas);
}

/// Ask every sentinel at once; the answer with the highest config-epoch wins (the first listed
/// among equals). Each answer reads the epoch (`SENTINEL master`) before the address
/// (`get-master-addr-by-name`, which names a promoted replica as soon as the epoch moves), and
/// the replicas (`SENTINEL replicas`) without those flagged down or disconnected.
async fn ask_sentinels(
    addresses: &[SocketAddr],
    master_name: &str,
    options: &ConnectOptions,
) -> Option<SentinelAnswer> {
    let asked = addresses.iter().map(|addr| async move {
        let asked = ask_sentinel(*addr, master_name, options);
        match tokio::time::timeout(options.connect_timeout * 2, asked).await {
            Ok(Some(found)) => Some(found),
            _ => {
                tracing::debug!(sentinel = %addr, "sentinel did not answer");
                None
            }
        }
    });
    let answers = futures::future::join_all(asked).await;
    let mut best: Option<SentinelAnswer> = None;
    for answer in answers.into_iter().flatten() {
        if best.as_ref().is_none_or(|b| answer.epoch > b.epoch) {
            best = Some(answer);
        }
    }
    best
}

async fn ask_sentinel(
    addr: SocketAddr,
    master_name: &str,
    options: &ConnectOptions,
) -> Option<SentinelAnswer> {
    let mut conn = Connection::connect(addr, options).await.ok()?;
    let reply = conn
        .request(&["SENTINEL", "master", master_name])
        .await
        .ok()?;
    let frame = into_result(reply.frame).ok()?;
    let fields = instance_fields(&frame);
    let epoch = fields
        .iter()
        .find(|(k, _)| k == "config-epoch")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let reply = conn
        .request(&["SENTINEL", "get-master-addr-by-name", master_name])
        .await
        .ok()?;
    let frame = into_result(reply.frame).ok()?;
    let items = frame.as_items()?;
    let master = host_port(items.first()?.as_bytes()?, items.get(1)?.as_bytes()?)?;
    let reply = conn
        .request(&["SENTINEL", "replicas", master_name])
        .await
        .ok()?;
    let frame = into_result(reply.frame).ok()?;
    let mut replicas = Vec::new();
    for entry in frame.as_items().unwrap_or_default() {
        let fields = instance_fields(entry);
        let get = |k: &str| fields.iter().find(|(f, _)| f == k).map(|(_, v)| v.clone());
        let flags = get("flags").unwrap_or_default();
        let down = flags
            .split(',')
            .any(|f| matches!(f, "s_down" | "o_down" | "disconnected"));
        if down {
            continue;
        }
        if let (Some(ip), Some(port)) = (get("ip"), get("port"))
            && let Some(addr) = host_port(ip.as_bytes(), port.as_bytes())
        {
            replicas.push(addr);
        }
    }
    replicas.sort();
    Some(SentinelAnswer {
        sentinel: addr,
        epoch,
        master,
        replicas,
    })
}

/// The key/value pairs of an instance description (a map in RESP3, a flat array in RESP2).
fn instance_fields(entry: &Frame) -> Vec<(String, String)> {
    let text = |f: &Frame| {
        f.as_bytes()
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    };
    match entry.value() {
        Frame::Map(pairs) => pairs.iter().map(|(k, v)| (text(k), text(v))).collect(),
        other => other
            .as_items()
            .unwrap_or_default()
            .chunks(2)
            .filter(|pair| pair.len() == 2)
            .map(|pair| (text(&pair[0]), text(&pair[1])))
            .collect(),
    }
}

fn host_port(host: &[u8], port: &[u8]) -> Option<SocketAddr> {
    use std::net::ToSocketAddrs;
    let host = std::str::from_utf8(host).ok()?;
    let port: u16 = std::str::from_utf8(port).ok()?.parse().ok()?;
    (host, port).to_socket_addrs().ok()?.next()
}

/// Events that change the topology; any of them triggers a new look at once.
const EVENTS: &[&str] = &[
    "+switch-master",
    "+sdown",
    "-sdown",
    "+odown",
    "-odown",
    "+slave",
    "+reboot",
];

/// Subscribe to a sentinel's events (the first one that accepts), reconnecting with backoff.
async fn follow_events(
    addresses: Vec<SocketAddr>,
    options: ConnectOptions,
    events: Arc<Notify>,
    stop: CancellationToken,
) {
    let mut delay = Duration::from_millis(100);
    let mut next = 0usize;
    loop {
        let addr = addresses[next % addresses.len()];
        next += 1;
        let subscribed = watch_events(addr, &options, &events);
        tokio::select! {
            _ = stop.cancelled() => return,
            e = subscribed => {
                tracing::debug!(sentinel = %addr, error = %e, "event subscription lost");
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(delay) => {}
        }
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

/// Relay one sentinel's events until the subscription fails; the error says why.
async fn watch_events(
    addr: SocketAddr,
    options: &ConnectOptions,
    events: &Notify,
) -> wire::client::Error {
    let mut conn = match Connection::connect(addr, options).await {
        Ok(conn) => conn,
        Err(e) => return e,
    };
    let mut args = vec!["SUBSCRIBE"];
    args.extend_from_slice(EVENTS);
    conn.queue_request(&args);
    if let Err(e) = conn.flush().await {
        return e;
    }
    loop {
        let decoded = match conn.read_frame().await {
            Ok(d) => d,
            Err(e) => return e,
        };
        let items = decoded.frame.as_items().unwrap_or_default();
        let kind = items.first().and_then(Frame::as_bytes).cloned();
        if kind.as_deref() == Some(b"message") {
            let channel = items.get(1).and_then(Frame::as_bytes).cloned();
            let payload = items.get(2).and_then(Frame::as_bytes).cloned();
            tracing::info!(
                sentinel = %addr,
                event = %lossy(channel),
                payload = %lossy(payload),
                "sentinel event"
            );
            events.notify_one();
        }
    }
}

fn lossy(bytes: Option<Bytes>) -> String {
    bytes
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}
