//! The server: shared state, the accept loop and the periodic tasks.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hashbrown::HashMap;
use parking_lot::Mutex;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use wire::CommandId;

use crate::blocking::Blocking;
use crate::client::ClientHandle;
use crate::config::Config;
use crate::keyspace::Db;
use crate::pubsub::PubSub;
use crate::watch::WatchTable;

/// Per-command statistics for INFO commandstats.
#[derive(Debug, Default, Clone, Copy)]
pub struct CommandStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

/// Everything commands read and write, behind one lock: applying a command is the short
/// critical section, parsing and encoding happen outside it.
#[derive(Debug)]
pub struct Store {
    pub dbs: Vec<Db>,
    pub config: Config,
    pub clients: HashMap<u64, Arc<ClientHandle>>,
    pub watch: WatchTable,
    pub blocking: Blocking,
    pub pubsub: PubSub,
    /// Clients in MONITOR mode.
    pub monitors: crate::monitor::Monitors,
    /// CLIENT PAUSE state.
    pub client_pause: crate::client::ClientPause,
    /// Changes since the last save.
    pub dirty: u64,
    pub command_stats: Vec<CommandStats>,
    pub active_expire: crate::expire::ActiveExpire,
    /// When the previous command finished (or the current batch took the lock): commands
    /// are timed by laps of this clock, one clock read each.
    pub command_clock: quanta::Instant,
    pub slowlog: crate::slowlog::SlowLog,
    pub latency: crate::slowlog::LatencyMonitor,
    /// maxmemory accounting and eviction state.
    pub evict: crate::evict::Evictor,
    pub errors: crate::info::ErrorStats,
    pub metrics: crate::info::InstantMetrics,
    /// The command stream (AOF, replicas).
    pub feed: crate::propagate::Feed,
    /// The append-only file.
    pub aof: crate::aof::Aof,
    pub persist: crate::persist::Persistence,
    /// Replicas, the backlog.
    pub replication: crate::replication::Replication,
    /// INFO stats: full and partial resynchronisations served, partial ones refused.
    pub stats_sync_full: u64,
    pub stats_sync_partial_ok: u64,
    pub stats_sync_partial_err: u64,
}

impl Store {
    pub fn new(config: Config) -> Self {
        let access_clock = crate::evict::AccessClock::for_config(&config);
        Store {
            dbs: (0..config.databases)
                .map(|id| {
                    let mut db = Db::new(id);
                    db.access_clock = access_clock;
                    db
                })
                .collect(),
            config,
            clients: HashMap::new(),
            watch: WatchTable::default(),
            blocking: Blocking::default(),
            pubsub: PubSub::default(),
            monitors: Default::default(),
            client_pause: Default::default(),
            dirty: 0,
            command_stats: vec![CommandStats::default(); CommandId::COUNT],
            active_expire: Default::default(),
            command_clock: quanta::Instant::now(),
            slowlog: Default::default(),
            latency: Default::default(),
            evict: crate::evict::Evictor::new(),
            errors: Default::default(),
            metrics: Default::default(),
            feed: Default::default(),
            aof: Default::default(),
            persist: crate::persist::Persistence::new(unix_ms()),
            replication: Default::default(),
            stats_sync_full: 0,
            stats_sync_partial_ok: 0,
            stats_sync_partial_err: 0,
        }
    }
}

/// Counters updated without the store lock.
#[derive(Debug, Default)]
pub struct Stats {
    pub total_connections_received: AtomicU64,
    pub total_commands_processed: AtomicU64,
    pub rejected_connections: AtomicU64,
    pub net_input_bytes: AtomicU64,
    pub net_output_bytes: AtomicU64,
    pub connected_clients: AtomicUsize,
}

#[derive(Debug)]
pub struct Server {
    pub store: Mutex<Store>,
    pub stats: Stats,
    /// 40 hex characters, new at every start.
    pub run_id: String,
    pub started: Instant,
    pub started_unix_ms: u64,
    pub next_client_id: AtomicU64,
    /// The port actually bound (INFO tcp_port).
    pub port: u16,
    /// Cancelled to stop the server (SHUTDOWN, the caller's shutdown future).
    pub shutdown: CancellationToken,
    /// The server's own `Arc`, for work handed to other threads (snapshots, loading).
    me: std::sync::Weak<Server>,
    /// Why loading the data at start-up failed (the server then stops).
    pub load_error: Mutex<Option<String>>,
    /// While a snapshot walks the keyspace, clients count themselves here while they wait
    /// for the store lock, and the walker gives way to them (see [`Server::lock_store`]).
    pub snapshot_walking: std::sync::atomic::AtomicBool,
    pub store_waiters: AtomicUsize,
    /// Signalled when a replica acknowledges an offset (WAIT).
    pub replica_acks: tokio::sync::Notify,
    /// Signalled when a replica's link wrote the stream to its socket, or closed
    /// (`replication::ReplyBarrier`).
    pub replica_written: tokio::sync::Notify,
}

impl Server {
    pub fn new(config: Config, port: u16) -> Arc<Server> {
        Arc::new_cyclic(|me| Server {
            me: me.clone(),
            load_error: Mutex::new(None),
            snapshot_walking: Default::default(),
            store_waiters: AtomicUsize::new(0),
            replica_acks: tokio::sync::Notify::new(),
            replica_written: tokio::sync::Notify::new(),
            store: Mutex::new(Store::new(config)),
            stats: Stats::default(),
            run_id: random_hex40(),
            started: Instant::now(),
            started_unix_ms: unix_ms(),
            next_client_id: AtomicU64::new(1),
            port,
            shutdown: CancellationToken::new(),
        })
    }

    /// Start serving an accepted connection.
    pub fn spawn_connection(
        self: &Arc<Self>,
        socket: tokio::net::TcpStream,
        addr: std::net::SocketAddr,
    ) {
        let server = self.clone();
        tokio::spawn(async move { crate::conn::serve_client(server, socket, addr).await });
    }

    /// The store lock for client commands. While a snapshot walks the keyspace, a waiting
    /// client is announced so the walker ends its step early and lets it in first.
    pub fn lock_store(&self) -> parking_lot::MutexGuard<'_, Store> {
        if !self.snapshot_walking.load(Ordering::Relaxed) {
            return self.store.lock();
        }
        self.store_waiters.fetch_add(1, Ordering::Relaxed);
        let store = self.store.lock();
        self.store_waiters.fetch_sub(1, Ordering::Relaxed);
        store
    }

    /// The `Arc` this server lives in.
    pub fn arc(&self) -> Arc<Server> {
        self.me
            .upgrade()
            .expect("the server is alive while its methods run")
    }

    pub fn next_client_id(&self) -> u64 {
        self.next_client_id.fetch_add(1, Ordering::Relaxed)
    }
}

pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

pub fn random_hex40() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..40)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).expect("hex digit"))
        .collect()
}

/// Serve on `listener` until `shutdown` resolves or a client sends SHUTDOWN.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let server = Server::new(config, port);
    serve(server, listener, shutdown).await
}

/// Like [`run`] with a server built by the caller (tests keep a handle on it).
pub async fn serve(
    server: Arc<Server>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    tokio::spawn(cron(server.clone()));
    crate::persist::load_at_startup(&server);
    crate::replica::start(&server);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => {
                // A signal (or the embedding caller) stops the server: the final save of
                // Redis's prepareForShutdown. SHUTDOWN has done its own before cancelling.
                let mut store = server.store.lock();
                if let Err(err) = crate::persist::shutdown_save(&mut store, false, false) {
                    tracing::warn!(%err, "Error trying to save the DB before exiting");
                }
                break;
            }
            _ = server.shutdown.cancelled() => break,
            accepted = listener.accept() => {
                let (socket, addr) = match accepted {
                    Ok(pair) => pair,
                    Err(err) => {
                        tracing::warn!(%err, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                server.spawn_connection(socket, addr);
            }
        }
    }
    server.shutdown.cancel();
    crate::aof::shutdown(&server);
    let clients: Vec<_> = server.store.lock().clients.values().cloned().collect();
    for client in clients {
        client.kill.cancel();
    }
    match server.load_error.lock().take() {
        Some(err) => Err(std::io::Error::other(err)),
        None => Ok(()),
    }
}

/// Periodic work, `hz` times a second (Redis's serverCron).
async fn cron(server: Arc<Server>) {
    loop {
        let hz = server.store.lock().config.hz.max(1);
        tokio::select! {
            _ = server.shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(1000 / hz as u64)) => {}
        }
        crate::cron::tick(&server);
    }
}
