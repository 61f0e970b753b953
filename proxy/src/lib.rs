//! Switchyard's router. Each listener serves one master group: clients speak plain Redis to it;
//! writes go to the master and reads to replicas under a read policy; the topology comes from a
//! static list or from Sentinel and is followed as it changes.
//!
//! `Config::from_file` reads the TOML configuration; `run(config, listeners, shutdown)` serves
//! the listeners (bound by the caller, in the order of `config.listeners`) until `shutdown`.
#![forbid(unsafe_code)]

mod backend;
pub mod config;
mod info;
mod offsets;
mod pipe;
mod route;
mod session;
mod topology;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use config::{
    Config, ConfigError, Consistency, LagBound, ListenerConfig, ReadPolicy, TopologySource,
};
use topology::Group;

/// State shared by every listener of the process.
pub struct Process {
    pub(crate) config: ArcSwap<Config>,
    pub(crate) clients: AtomicUsize,
    pub(crate) total_connections: AtomicU64,
    pub(crate) rejected_connections: AtomicU64,
    pub(crate) next_client_id: AtomicU64,
    pub(crate) started: Instant,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{listeners} listeners given for {configured} configured")]
    ListenerCount { listeners: usize, configured: usize },
    #[error("metrics endpoint on {addr}: {message}")]
    Metrics { addr: SocketAddr, message: String },
}

/// Serve until `shutdown` resolves. `listeners[i]` serves `config.listeners[i]`.
pub async fn run(
    config: Config,
    listeners: Vec<TcpListener>,
    shutdown: impl Future<Output = ()>,
) -> Result<(), RunError> {
    if listeners.len() != config.listeners.len() {
        return Err(RunError::ListenerCount {
            listeners: listeners.len(),
            configured: config.listeners.len(),
        });
    }
    if let Some(addr) = config.metrics_address {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .with_http_listener(addr)
            .install()
            .map_err(|e| RunError::Metrics {
                addr,
                message: e.to_string(),
            })?;
        tracing::info!(%addr, "Prometheus endpoint listening");
    }
    let stop = CancellationToken::new();
    let process = Arc::new(Process {
        config: ArcSwap::from_pointee(config.clone()),
        clients: AtomicUsize::new(0),
        total_connections: AtomicU64::new(0),
        rejected_connections: AtomicU64::new(0),
        next_client_id: AtomicU64::new(1),
        started: Instant::now(),
    });
    let mut groups = Vec::new();
    for (settings, listener) in config.listeners.iter().zip(listeners) {
        let group = Group::new(settings.clone());
        tokio::spawn(topology::discover(group.clone(), stop.clone()));
        tokio::spawn(offsets::track(group.clone(), stop.clone()));
        tokio::spawn(accept_loop(
            listener,
            group.clone(),
            process.clone(),
            stop.clone(),
        ));
        tracing::info!(group = %group.name, address = %settings.address, "proxy listening");
        groups.push(group);
    }
    let reload = reload_on_sighup(groups, process.clone(), stop.clone());
    tokio::select! {
        _ = shutdown => {}
        _ = reload => {}
    }
    stop.cancel();
    Ok(())
}

async fn accept_loop(
    listener: TcpListener,
    group: Arc<Group>,
    process: Arc<Process>,
    stop: CancellationToken,
) {
    // The first look at the topology comes before the first client.
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        while group.topology.load().master.is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    loop {
        let accepted = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => accepted,
        };
        let (mut socket, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        process.total_connections.fetch_add(1, Ordering::Relaxed);
        let max = process.config.load().max_clients;
        if process.clients.fetch_add(1, Ordering::Relaxed) >= max {
            process.clients.fetch_sub(1, Ordering::Relaxed);
            process.rejected_connections.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let _ = socket
                    .write_all(b"-ERR max number of clients reached\r\n")
                    .await;
                let _ = socket.shutdown().await;
            });
            continue;
        }
        let slot = session::ClientSlot(process.clone());
        let (group, process, stop) = (group.clone(), process.clone(), stop.clone());
        tokio::spawn(async move {
            let _slot = slot;
            session::serve(socket, peer, group, process, stop).await;
        });
    }
}

/// SIGHUP reads the configuration file again and swaps in its settings: read policy, weights,
/// requirepass, limits and topology sources apply to the running listeners without dropping a
/// client; backend credentials and timeouts apply to connections opened afterwards. Listener
/// addresses, the metrics address, `pool-size` and `max-leased` need a restart.
async fn reload_on_sighup(groups: Vec<Arc<Group>>, process: Arc<Process>, stop: CancellationToken) {
    let Some(path) = process.config.load().path.clone() else {
        return std::future::pending().await;
    };
    let Ok(mut hangup) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
    else {
        return std::future::pending().await;
    };
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            got = hangup.recv() => if got.is_none() { return std::future::pending().await },
        }
        let fresh = match Config::from_file(&path) {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "SIGHUP: configuration not reloaded");
                continue;
            }
        };
        for group in &groups {
            let address = group.settings.load().address;
            match fresh.listeners.iter().find(|l| l.address == address) {
                Some(settings) => {
                    for backend in group.backends() {
                        backend.set_settings(settings.backend.clone());
                    }
                    group.settings.store(Arc::new(settings.clone()));
                    group.refresh.notify_one();
                }
                None => {
                    tracing::warn!(%address, "SIGHUP: listener gone from the file; kept as it was")
                }
            }
        }
        process.config.store(Arc::new(fresh));
        tracing::info!(path = %path.display(), "configuration reloaded");
    }
}
