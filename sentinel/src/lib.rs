//! A Sentinel-compatible monitor: watches masters and their replicas, agrees with its peers
//! that a master is down, elects a leader by epoch, promotes the best replica, repoints the
//! others and tells clients, with Redis Sentinel 7.0's messages, config file and API.
#![forbid(unsafe_code)]

mod api;
pub mod config;
mod glob;
mod hello;
mod info;
mod links;
mod monitor;
mod server;
mod state;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rand::Rng;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use config::{Config, ConfigError, MasterConfig};

/// Length of run ids and sentinel ids.
pub const RUN_ID_SIZE: usize = 40;

/// What every task of a running sentinel shares.
pub struct Shared {
    state: Mutex<state::State>,
    events: tokio::sync::broadcast::Sender<state::Event>,
    clients: Mutex<server::Clients>,
    shutdown: CancellationToken,
    started: std::time::Instant,
    run_id: String,
}

impl Shared {
    /// Run `f` under the state lock; the config file is rewritten before the lock is released
    /// when `f` changed what it records, so votes and epochs are on disk before anyone hears of
    /// them.
    fn with_state<R>(&self, f: impl FnOnce(&mut state::State) -> R) -> R {
        let mut st = self.state.lock();
        let result = f(&mut st);
        if st.ctx.dirty {
            let _ = st.flush_config();
        }
        result
    }
}

/// Serve the sentinel on `listener` until `shutdown` resolves (or a client sends SHUTDOWN).
/// The config file gets the sentinel's id at the first start and every state change after.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let (events, _) = tokio::sync::broadcast::channel(4096);
    let state = state::State::new(config, port, events.clone());
    let shared = Arc::new_cyclic(|weak| {
        let mut state = state;
        state.ctx.shared = weak.clone();
        Shared {
            state: Mutex::new(state),
            events,
            clients: Mutex::new(server::Clients::default()),
            shutdown: CancellationToken::new(),
            started: std::time::Instant::now(),
            run_id: state::random_hex_id(),
        }
    });
    shared.with_state(|st| {
        // The id is written at the first start; the file must be writable.
        st.flush_config()?;
        tracing::warn!("Sentinel ID is {}", st.ctx.myid);
        for m in st.masters.values() {
            st.ctx
                .event("+monitor", format!("{} quorum {}", m.desc(), m.quorum));
        }
        Ok::<(), std::io::Error>(())
    })?;
    let timer = tokio::spawn(timer(shared.clone()));
    let stop = shared.shutdown.clone();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            _ = stop.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((socket, addr)) => {
                    let _ = socket.set_nodelay(true);
                    tokio::spawn(server::serve_client(shared.clone(), socket, addr));
                }
                Err(err) => {
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
        }
    }
    shared.shutdown.cancel();
    timer.abort();
    shared.with_state(|st| {
        let _ = st.flush_config();
        // Dropping the masters closes every link.
        st.masters.clear();
    });
    Ok(())
}

/// Redis runs the sentinel timer at a randomized 10-19 Hz so that sentinels stay out of step.
async fn timer(shared: Arc<Shared>) {
    loop {
        let hz = rand::rng().random_range(10..20u64);
        tokio::time::sleep(Duration::from_millis(1000 / hz)).await;
        if shared.shutdown.is_cancelled() {
            return;
        }
        shared.with_state(monitor::tick);
    }
}
