//! One backend server: its shared pipelined connections (per protocol and database), its
//! leasable connections for stateful traffic, and its health (latency, errors, backoff).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use parking_lot::Mutex;
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use wire::client::{Error as ClientError, into_result};
use wire::{ConnectOptions, Connection, Frame, Protocol};

use crate::pipe::Pipe;

use crate::config::BackendConfig;

/// What a backend said it is when asked with ROLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Master,
    Replica,
    Unknown,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Replica => "replica",
            Role::Unknown => "unknown",
        }
    }
}

/// Why a backend connection could not be had. Never sent, so always safe to retry.
#[derive(Debug, Clone)]
pub enum ConnectError {
    /// Connect or handshake failed.
    Failed(Arc<ClientError>),
    /// ROLE said something other than what the topology expects.
    WrongRole(Role),
    /// Earlier attempts failed; the next one waits for the backoff.
    Backoff(Duration),
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::Failed(e) => write!(f, "{e}"),
            ConnectError::WrongRole(role) => write!(f, "ROLE reports {}", role.name()),
            ConnectError::Backoff(left) => {
                write!(f, "down, next attempt in {} ms", left.as_millis())
            }
        }
    }
}

/// Protocol version and database.
type PoolKey = (i64, u32);

/// Shared pipelined connections for one protocol and database.
struct SharedSet {
    slots: Vec<ArcSwapOption<Pipe>>,
    /// One connect at a time per slot.
    connecting: Vec<tokio::sync::Mutex<()>>,
}

pub struct Backend {
    pub addr: SocketAddr,
    /// Swapped on reload: credentials and timeouts apply to connections opened afterwards.
    settings: arc_swap::ArcSwap<BackendConfig>,
    shared: Mutex<HashMap<PoolKey, Arc<SharedSet>>>,
    idle: Mutex<HashMap<PoolKey, Vec<Connection>>>,
    lease_permits: Arc<Semaphore>,
    /// Role the topology expects of it (checked on every new connection).
    expected_master: AtomicBool,
    pub stats: BackendStats,
    backoff: Mutex<Backoff>,
    pub requests_counter: metrics::Counter,
    pub errors_counter: metrics::Counter,
    pub reads_counter: metrics::Counter,
    /// When a master: its replicas' lag (`ip:port`, bytes), from the last probe.
    pub lags: Mutex<Vec<(String, i64)>>,
}

#[derive(Default)]
struct Backoff {
    failures: u32,
    until: Option<Instant>,
}

#[derive(Default)]
pub struct BackendStats {
    pub requests: AtomicU64,
    pub errors: AtomicU64,
    pub connects: AtomicU64,
    pub connect_failures: AtomicU64,
    /// Exponential moving average of the probe round trip, in microseconds (0: never probed).
    pub latency_us: AtomicU64,
    pub healthy: AtomicBool,
    /// Last ROLE seen: 0 unknown, 1 master, 2 replica.
    pub role: AtomicU32,
    /// Replica lag from ROLE on the master, in bytes of replication offset (-1 unknown).
    pub lag_bytes: std::sync::atomic::AtomicI64,
    pub open_connections: AtomicU64,
    /// Replication offset from the offset poller (-1 unknown).
    pub offset: std::sync::atomic::AtomicI64,
    /// A replica's offset behind the master's in the same poll (-1 unknown).
    pub offset_lag: std::sync::atomic::AtomicI64,
    /// A replica's caught-up time on [`crate::offsets::now_ns`]'s clock (0 unknown).
    pub caught_up_at: AtomicU64,
}

impl BackendStats {
    pub fn role(&self) -> Role {
        match self.role.load(Ordering::Relaxed) {
            1 => Role::Master,
            2 => Role::Replica,
            _ => Role::Unknown,
        }
    }

    fn set_role(&self, role: Role) {
        let code = match role {
            Role::Master => 1,
            Role::Replica => 2,
            Role::Unknown => 0,
        };
        self.role.store(code, Ordering::Relaxed);
    }
}

/// A connection leased to one session; give it back with [`Backend::release`].
pub struct Lease {
    pub conn: Connection,
    key: PoolKey,
    _permit: OwnedSemaphorePermit,
}

impl Backend {
    pub fn new(addr: SocketAddr, settings: BackendConfig, expected_master: bool) -> Arc<Backend> {
        let stats = BackendStats {
            healthy: AtomicBool::new(true),
            lag_bytes: std::sync::atomic::AtomicI64::new(-1),
            offset: std::sync::atomic::AtomicI64::new(-1),
            offset_lag: std::sync::atomic::AtomicI64::new(-1),
            ..Default::default()
        };
        Arc::new(Backend {
            addr,
            lease_permits: Arc::new(Semaphore::new(settings.max_leased)),
            settings: arc_swap::ArcSwap::from_pointee(settings),
            shared: Mutex::new(HashMap::new()),
            idle: Mutex::new(HashMap::new()),
            expected_master: AtomicBool::new(expected_master),
            stats,
            backoff: Mutex::new(Backoff::default()),
            requests_counter: metrics::counter!("proxy_backend_requests_total", "backend" => addr.to_string()),
            errors_counter: metrics::counter!("proxy_backend_errors_total", "backend" => addr.to_string()),
            lags: Mutex::new(Vec::new()),
            reads_counter: metrics::counter!("proxy_replica_reads_total", "backend" => addr.to_string()),
        })
    }

    pub fn set_settings(&self, settings: BackendConfig) {
        self.settings.store(Arc::new(settings));
    }

    pub fn set_expected_master(&self, master: bool) {
        if self.expected_master.swap(master, Ordering::AcqRel) != master {
            // Connections opened under the old role are not to be trusted with the new one.
            self.close_all();
        }
    }

    pub fn expected_master(&self) -> bool {
        self.expected_master.load(Ordering::Acquire)
    }

    /// Its offset is not known any more: no bound and no session can be sure of it.
    pub fn forget_offset(&self) {
        self.stats.offset.store(-1, Ordering::Relaxed);
        self.stats.offset_lag.store(-1, Ordering::Relaxed);
        self.stats.caught_up_at.store(0, Ordering::Relaxed);
    }

    pub fn is_healthy(&self) -> bool {
        self.stats.healthy.load(Ordering::Relaxed)
    }

    pub fn latency(&self) -> Duration {
        Duration::from_micros(self.stats.latency_us.load(Ordering::Relaxed))
    }

    /// Drop every pooled connection (the backend changed role or went away).
    pub fn close_all(&self) {
        for set in self.shared.lock().values() {
            for slot in &set.slots {
                slot.store(None);
            }
        }
        let closed: usize = self.idle.lock().drain().map(|(_, list)| list.len()).sum();
        self.stats
            .open_connections
            .fetch_sub(closed as u64, Ordering::Relaxed);
    }

    fn options(&self, protocol: Protocol, db: u32) -> ConnectOptions {
        ConnectOptions {
            connect_timeout: self.settings.load().connect_timeout,
            username: self.settings.load().username.clone(),
            password: self.settings.load().password.clone(),
            protocol,
            client_name: None,
            db,
            ..Default::default()
        }
    }

    /// Connect, handshake, and check ROLE against what the topology expects.
    async fn open(&self, protocol: Protocol, db: u32) -> Result<Connection, ConnectError> {
        if let Some(until) = self.backoff.lock().until {
            let now = Instant::now();
            if until > now {
                return Err(ConnectError::Backoff(until - now));
            }
        }
        self.stats.connects.fetch_add(1, Ordering::Relaxed);
        let options = self.options(protocol, db);
        let result = async {
            let mut conn = Connection::connect(self.addr, &options)
                .await
                .map_err(|e| ConnectError::Failed(Arc::new(e)))?;
            let role =
                tokio::time::timeout(self.settings.load().connect_timeout, ask_role(&mut conn))
                    .await
                    .unwrap_or(Role::Unknown);
            self.stats.set_role(role);
            let wanted = if self.expected_master() {
                Role::Master
            } else {
                Role::Replica
            };
            if role != wanted {
                return Err(ConnectError::WrongRole(role));
            }
            Ok(conn)
        }
        .await;
        match &result {
            Ok(_) => self.mark_up(),
            Err(e) => {
                self.stats.connect_failures.fetch_add(1, Ordering::Relaxed);
                if matches!(e, ConnectError::Failed(_)) {
                    self.mark_down();
                }
                tracing::warn!(backend = %self.addr, error = %e, "backend connection refused");
            }
        }
        result
    }

    /// A healthy probe or connection: out of backoff, back in rotation.
    pub fn mark_up(&self) {
        *self.backoff.lock() = Backoff::default();
        if !self.stats.healthy.swap(true, Ordering::Relaxed) {
            tracing::info!(backend = %self.addr, "backend is back in rotation");
        }
    }

    /// A failed connect or probe: out of rotation, with exponential backoff for new connects.
    pub fn mark_down(&self) {
        let mut backoff = self.backoff.lock();
        backoff.failures = backoff.failures.saturating_add(1);
        let base = self
            .settings
            .load()
            .health_interval
            .min(Duration::from_millis(100));
        let delay = base
            .saturating_mul(1 << backoff.failures.min(6).saturating_sub(1))
            .min(Duration::from_secs(5));
        backoff.until = Some(Instant::now() + delay);
        if self.stats.healthy.swap(false, Ordering::Relaxed) {
            tracing::warn!(backend = %self.addr, "backend out of rotation");
        }
    }

    fn shared_set(&self, key: PoolKey) -> Arc<SharedSet> {
        let mut sets = self.shared.lock();
        sets.entry(key)
            .or_insert_with(|| {
                let n = self.settings.load().pool_size;
                Arc::new(SharedSet {
                    slots: (0..n).map(|_| ArcSwapOption::empty()).collect(),
                    connecting: (0..n).map(|_| tokio::sync::Mutex::new(())).collect(),
                })
            })
            .clone()
    }

    /// The shared connection `affinity` maps to (a session always uses the same one, so its
    /// requests to this backend keep their order), opened if need be.
    pub async fn shared(
        self: &Arc<Self>,
        protocol: Protocol,
        db: u32,
        affinity: u64,
    ) -> Result<Arc<Pipe>, ConnectError> {
        let set = self.shared_set((protocol.version(), db));
        let index = (affinity % set.slots.len() as u64) as usize;
        if let Some(client) = set.slots[index].load_full()
            && !client.is_closed()
        {
            return Ok(client);
        }
        let _one = set.connecting[index].lock().await;
        if let Some(client) = set.slots[index].load_full()
            && !client.is_closed()
        {
            return Ok(client);
        }
        let conn = self.open(protocol, db).await?;
        self.stats.open_connections.fetch_add(1, Ordering::Relaxed);
        let me = Arc::downgrade(self);
        let client = Arc::new(Pipe::start(
            conn,
            self.settings.load().command_timeout,
            move || {
                if let Some(me) = me.upgrade() {
                    me.stats.open_connections.fetch_sub(1, Ordering::Relaxed);
                }
            },
        ));
        set.slots[index].store(Some(client.clone()));
        Ok(client)
    }

    /// A connection of its own for one session, from the idle ones or a new one; waits when
    /// `max-leased` are out.
    pub async fn lease(&self, protocol: Protocol, db: u32) -> Result<Lease, ConnectError> {
        let permit = self
            .lease_permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ConnectError::Backoff(Duration::ZERO))?;
        let key = (protocol.version(), db);
        let idle = self.idle.lock().get_mut(&key).and_then(Vec::pop);
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = self.open(protocol, db).await?;
                self.stats.open_connections.fetch_add(1, Ordering::Relaxed);
                conn
            }
        };
        Ok(Lease {
            conn,
            key,
            _permit: permit,
        })
    }

    /// Take back a leased connection whose state the session has cleaned; `clean: false`
    /// closes it instead.
    pub fn release(&self, lease: Lease, clean: bool) {
        let Lease { conn, key, .. } = lease;
        if clean && !conn.buffered().is_empty() {
            // Bytes nobody asked for: not a connection to hand to someone else.
            return self.drop_leased(conn);
        }
        if clean && self.expected_master() == (self.stats.role() == Role::Master) {
            let mut idle = self.idle.lock();
            let list = idle.entry(key).or_default();
            if list.len() < self.settings.load().max_idle_leased {
                list.push(conn);
                return;
            }
        }
        self.drop_leased(conn);
    }

    fn drop_leased(&self, conn: Connection) {
        self.stats.open_connections.fetch_sub(1, Ordering::Relaxed);
        drop(conn);
    }

    /// PING and ROLE on a fresh probe connection: latency, role and replica lag.
    pub async fn probe(&self) -> Result<(Role, Vec<(String, i64)>), ClientError> {
        let options = self.options(Protocol::Resp2, 0);
        let mut conn = Connection::connect(self.addr, &options).await?;
        let started = Instant::now();
        let pong = tokio::time::timeout(
            self.settings.load().connect_timeout,
            conn.request(&["PING"]),
        )
        .await
        .map_err(|_| ClientError::Timeout {
            phase: wire::client::Phase::Response,
            delivery: wire::client::Delivery::MaybeExecuted,
        })??;
        let rtt = started.elapsed();
        if let Frame::Error(text) = pong.frame.value()
            && !text.starts_with(b"LOADING")
        {
            return Err(ClientError::Server(wire::client::ServerError {
                text: text.clone(),
            }));
        }
        let sample = rtt.as_micros().min(u64::MAX as u128) as u64;
        let old = self.stats.latency_us.load(Ordering::Relaxed);
        let avg = if old == 0 {
            sample.max(1)
        } else {
            (old * 4 + sample) / 5
        };
        self.stats.latency_us.store(avg.max(1), Ordering::Relaxed);
        let (role, lags) =
            tokio::time::timeout(self.settings.load().connect_timeout, role_detail(&mut conn))
                .await
                .unwrap_or((Role::Unknown, Vec::new()));
        self.stats.set_role(role);
        Ok((role, lags))
    }
}

async fn ask_role(conn: &mut Connection<TcpStream>) -> Role {
    role_detail(conn).await.0
}

/// ROLE, and for a master the offsets its replicas acknowledged (`(addr, lag)`).
pub async fn role_detail(conn: &mut Connection<TcpStream>) -> (Role, Vec<(String, i64)>) {
    let Ok(reply) = conn.request(&["ROLE"]).await else {
        return (Role::Unknown, Vec::new());
    };
    let Ok(frame) = into_result(reply.frame) else {
        return (Role::Unknown, Vec::new());
    };
    let Some(items) = frame.as_items() else {
        return (Role::Unknown, Vec::new());
    };
    let word = items.first().and_then(Frame::as_bytes).cloned();
    match word.as_deref() {
        Some(b"master") => {
            let offset = items.get(1).and_then(Frame::as_int).unwrap_or(0);
            let mut lags = Vec::new();
            for replica in items.get(2).and_then(Frame::as_items).unwrap_or_default() {
                let Some(fields) = replica.as_items() else {
                    continue;
                };
                let text = |i: usize| {
                    fields
                        .get(i)
                        .and_then(Frame::as_bytes)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                };
                if let (Some(ip), Some(port), Some(acked)) = (text(0), text(1), text(2)) {
                    let acked: i64 = acked.parse().unwrap_or(0);
                    lags.push((format!("{ip}:{port}"), (offset - acked).max(0)));
                }
            }
            (Role::Master, lags)
        }
        Some(b"slave") | Some(b"replica") => (Role::Replica, Vec::new()),
        _ => (Role::Unknown, Vec::new()),
    }
}
