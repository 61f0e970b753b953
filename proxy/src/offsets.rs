//! Replication offsets, for bounded staleness and read-your-writes.
//!
//! Every `offset-interval-ms` the group's master and replicas are asked `INFO replication` on
//! persistent connections. Each answer of the master is a sample `(t, M)`: `t` is when the
//! question was sent, so every write the master had answered before `t` lies at or below `M`.
//! A replica whose offset `R` (same replication ID as the master, link up) is at least the `M`
//! of a sample has every write answered before that sample's `t`: the latest such `t` is the
//! replica's *caught-up time*. Both guarantees read it:
//! - `max-replica-lag.ms`: a replica is read from while now − caught-up time ≤ the bound;
//! - read-your-writes: after a session's write was answered at `w`, a replica is read from only
//!   once its caught-up time is later than `w`.
//!
//! A replica whose offset cannot be known (no answer, link down, another replication ID, no
//! sample at or below its offset) has caught-up time 0, which satisfies neither.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;
use wire::{ConnectOptions, Connection, Protocol};

use crate::backend::Backend;
use crate::topology::Group;

/// Nanoseconds on the process's monotonic clock, never 0 (0 means "unknown").
pub fn now_ns() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    start.elapsed().as_nanos().min(u128::from(u64::MAX - 1)) as u64 + 1
}

/// Master samples of one replication history, oldest first; offsets never decrease.
#[derive(Default)]
pub struct History {
    master: Option<SocketAddr>,
    replid: String,
    samples: VecDeque<(u64, i64)>,
}

/// Samples kept: enough for any bound up to this far back.
const KEEP: Duration = Duration::from_secs(60);
const MAX_SAMPLES: usize = 1 << 16;

impl History {
    fn record(&mut self, master: SocketAddr, replid: &str, at: u64, offset: i64) {
        if self.master != Some(master) || self.replid != replid {
            // Another master or another history: offsets of the old one say nothing.
            self.master = Some(master);
            self.replid = replid.to_string();
            self.samples.clear();
        }
        if self.samples.back().is_some_and(|&(_, m)| m > offset) {
            // The offset went back (a restart of the master): start again.
            self.samples.clear();
        }
        self.samples.push_back((at, offset));
        let horizon = at.saturating_sub(KEEP.as_nanos() as u64);
        while self.samples.len() > MAX_SAMPLES
            || self.samples.front().is_some_and(|&(t, _)| t < horizon)
        {
            self.samples.pop_front();
        }
    }

    /// The latest sample time whose offset the replica has reached (0: none).
    fn caught_up(&self, offset: i64) -> u64 {
        let n = self.samples.partition_point(|&(_, m)| m <= offset);
        match n {
            0 => 0,
            n => self.samples[n - 1].0,
        }
    }

    fn latest_offset(&self) -> Option<i64> {
        self.samples.back().map(|&(_, m)| m)
    }
}

/// What `INFO replication` says that matters here.
#[derive(Debug, PartialEq)]
struct Replication {
    master: bool,
    replid: String,
    offset: i64,
    link_up: bool,
}

fn parse(text: &str) -> Option<Replication> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
            .map(str::trim)
    };
    let master = match field("role")? {
        "master" => true,
        "slave" | "replica" => false,
        _ => return None,
    };
    let offset = if master {
        field("master_repl_offset")?
    } else {
        field("slave_repl_offset").or_else(|| field("master_repl_offset"))?
    };
    Some(Replication {
        master,
        replid: field("master_replid")?.to_string(),
        offset: offset.parse().ok()?,
        link_up: master || field("master_link_status") == Some("up"),
    })
}

/// Poll the group's offsets until `stop`, whenever its settings ask for them.
pub async fn track(group: Arc<Group>, stop: CancellationToken) {
    let mut conns: HashMap<SocketAddr, Connection<TcpStream>> = HashMap::new();
    loop {
        let settings = group.settings.load_full();
        let interval = settings.offset_interval;
        if settings.tracks_offsets() {
            let options = ConnectOptions {
                connect_timeout: settings.backend.connect_timeout,
                username: settings.backend.username.clone(),
                password: settings.backend.password.clone(),
                protocol: Protocol::Resp2,
                ..Default::default()
            };
            // An answer slower than this is not a sample worth having.
            let patience = settings.backend.connect_timeout.max(interval);
            poll_once(&group, &mut conns, &options, patience).await;
        } else if !conns.is_empty() {
            conns.clear();
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(interval) => {}
        }
    }
}

async fn poll_once(
    group: &Group,
    conns: &mut HashMap<SocketAddr, Connection<TcpStream>>,
    options: &ConnectOptions,
    patience: Duration,
) {
    let topology = group.topology.load_full();
    let Some(master) = topology.master.clone() else {
        return;
    };
    let mut backends: Vec<Arc<Backend>> = vec![master.clone()];
    backends.extend(topology.replicas.iter().map(|r| r.backend.clone()));
    let mut taken: Vec<(Arc<Backend>, Option<Connection<TcpStream>>)> = backends
        .into_iter()
        .map(|b| {
            let conn = conns.remove(&b.addr);
            (b, conn)
        })
        .collect();
    let answers = futures::future::join_all(taken.iter_mut().map(|(backend, conn)| {
        let addr = backend.addr;
        async move {
            let sent = now_ns();
            let asked = async {
                if conn.is_none() {
                    *conn = Some(Connection::connect(addr, options).await.ok()?);
                }
                let c = conn.as_mut()?;
                let reply = c.request(&["INFO", "replication"]).await.ok()?;
                let frame = wire::client::into_result(reply.frame).ok()?;
                let text = String::from_utf8_lossy(frame.as_bytes()?).into_owned();
                parse(&text)
            };
            let answer = tokio::time::timeout(patience, asked).await.ok().flatten();
            if answer.is_none() {
                *conn = None;
            }
            (sent, answer)
        }
    }))
    .await;
    let mut history = group.history.lock();
    let (sent, master_answer) = &answers[0];
    match master_answer {
        Some(r) if r.master => {
            history.record(master.addr, &r.replid, *sent, r.offset);
            master.stats.offset.store(r.offset, Ordering::Relaxed);
        }
        _ => master.stats.offset.store(-1, Ordering::Relaxed),
    }
    let master_offset = history.latest_offset();
    for ((backend, _), (_, answer)) in taken.iter().zip(&answers).skip(1) {
        let s = &backend.stats;
        match answer {
            Some(r)
                if !r.master
                    && r.link_up
                    && r.offset >= 0
                    && history.master == Some(master.addr)
                    && r.replid == history.replid =>
            {
                s.offset.store(r.offset, Ordering::Relaxed);
                let lag = master_offset.map_or(-1, |m| (m - r.offset).max(0));
                s.offset_lag.store(lag, Ordering::Relaxed);
                s.caught_up_at
                    .store(history.caught_up(r.offset), Ordering::Relaxed);
            }
            _ => backend.forget_offset(),
        }
    }
    drop(history);
    for (backend, conn) in taken {
        if let Some(conn) = conn {
            conns.insert(backend.addr, conn);
        }
    }
    // Connections to backends no longer in the topology go.
    conns.retain(|addr, _| {
        topology.master.as_ref().is_some_and(|m| m.addr == *addr)
            || topology.replicas.iter().any(|r| r.backend.addr == *addr)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caught_up_is_the_latest_sample_reached() {
        let master: SocketAddr = ([127, 0, 0, 1], 1).into();
        let mut h = History::default();
        h.record(master, "a", 10, 100);
        h.record(master, "a", 20, 150);
        h.record(master, "a", 30, 150);
        h.record(master, "a", 40, 200);
        assert_eq!(h.caught_up(99), 0, "behind every sample");
        assert_eq!(h.caught_up(100), 10);
        assert_eq!(h.caught_up(160), 30);
        assert_eq!(h.caught_up(500), 40);
        h.record(master, "b", 50, 300);
        assert_eq!(h.caught_up(200), 0, "a new history forgets the old samples");
        assert_eq!(h.caught_up(300), 50);
    }

    #[test]
    fn info_replication_of_master_and_replica() {
        let m = "# Replication\r\nrole:master\r\nconnected_slaves:1\r\nmaster_replid:abc\r\nmaster_replid2:000\r\nmaster_repl_offset:1234\r\n";
        assert_eq!(
            parse(m),
            Some(Replication {
                master: true,
                replid: "abc".into(),
                offset: 1234,
                link_up: true
            })
        );
        let r = "role:slave\r\nmaster_host:127.0.0.1\r\nmaster_link_status:down\r\nslave_repl_offset:77\r\nmaster_replid:abc\r\nmaster_repl_offset:77\r\n";
        let parsed = parse(r).unwrap();
        assert!(!parsed.master && !parsed.link_up && parsed.offset == 77);
        assert_eq!(parse("role:sentinel\r\n"), None);
    }
}
