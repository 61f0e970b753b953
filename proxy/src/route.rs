//! Where a command goes: the command table tells reads from writes, the read policy picks
//! among the master and healthy replicas.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use wire::command::{Command, flags};

use crate::backend::Backend;
use crate::config::{LagBound, ReadPolicy};
use crate::topology::{Replica, Topology};

/// Reads are commands the table flags read-only and not write; everything else, unknown
/// commands included, goes to the master.
pub fn is_read(cmd: Option<&Command>) -> bool {
    cmd.is_some_and(|c| c.has(flags::READONLY) && !c.is_write())
}

/// What a read needs of a replica besides health (see `crate::offsets`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Need {
    /// Offsets are consulted at all (a bound or read-your-writes is configured).
    pub tracked: bool,
    pub bound: LagBound,
    /// Read-your-writes: the replica must have caught up later than this (0: no write yet).
    pub after: u64,
}

impl Need {
    pub fn satisfied_by(&self, backend: &Backend, now: u64) -> bool {
        if !self.tracked {
            return true;
        }
        let s = &backend.stats;
        let caught = s.caught_up_at.load(Ordering::Relaxed);
        if caught == 0 || caught <= self.after {
            return false;
        }
        if let Some(max) = self.bound.bytes {
            let lag = s.offset_lag.load(Ordering::Relaxed);
            if lag < 0 || lag as u64 > max {
                return false;
            }
        }
        if let Some(max) = self.bound.time
            && now.saturating_sub(caught) > max.as_nanos() as u64
        {
            return false;
        }
        true
    }
}

/// The backend a read goes to under `policy`; `None` when the policy allows none. The flag
/// says a healthy replica was passed over because it is too far behind for `need`.
pub fn pick_read(
    topology: &Topology,
    policy: ReadPolicy,
    tolerance: Duration,
    need: &Need,
) -> (Option<Arc<Backend>>, bool) {
    if policy == ReadPolicy::Master {
        return (topology.master.clone(), false);
    }
    let now = if need.tracked {
        crate::offsets::now_ns()
    } else {
        0
    };
    let healthy = topology
        .replicas
        .iter()
        .filter(|r| r.weight > 0 && r.backend.is_healthy());
    // No allocation per read: the candidates are walked again where needed.
    let candidates = healthy
        .clone()
        .filter(|r| need.satisfied_by(&r.backend, now));
    let chosen = match policy {
        ReadPolicy::Master => None,
        ReadPolicy::Replica | ReadPolicy::ReplicaPreferred => weighted(candidates),
        ReadPolicy::Latency => {
            let fastest = candidates
                .clone()
                .map(|r| r.backend.latency())
                .filter(|l| !l.is_zero())
                .min();
            match fastest {
                Some(best) => weighted(candidates.filter(|r| {
                    let l = r.backend.latency();
                    l.is_zero() || l <= best + tolerance
                })),
                None => weighted(candidates),
            }
        }
    };
    let skipped = chosen.is_none() && need.tracked && healthy.clone().next().is_some();
    let backend = match (chosen, policy) {
        (Some(replica), _) => Some(replica),
        (None, ReadPolicy::Replica) => None,
        (None, _) => topology.master.clone(),
    };
    (backend, skipped)
}

fn weighted<'a>(replicas: impl Iterator<Item = &'a Replica> + Clone) -> Option<Arc<Backend>> {
    let total: u64 = replicas.clone().map(|r| u64::from(r.weight)).sum();
    if total == 0 {
        return None;
    }
    let mut ticket = fastrand::u64(0..total);
    for replica in replicas {
        let w = u64::from(replica.weight);
        if ticket < w {
            return Some(replica.backend.clone());
        }
        ticket -= w;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::BackendConfig;

    fn settings() -> BackendConfig {
        BackendConfig {
            username: None,
            password: None,
            connect_timeout: Duration::from_secs(1),
            command_timeout: Duration::from_secs(1),
            pool_size: 1,
            max_leased: 1,
            max_idle_leased: 1,
            health_interval: Duration::from_millis(100),
            databases: 16,
        }
    }

    fn replica(port: u16, weight: u32, latency_us: u64) -> Replica {
        let backend = Backend::new(([127, 0, 0, 1], port).into(), settings(), false);
        backend
            .stats
            .latency_us
            .store(latency_us, Ordering::Relaxed);
        Replica { backend, weight }
    }

    fn counts(topology: &Topology, policy: ReadPolicy) -> std::collections::BTreeMap<u16, u32> {
        let mut seen = std::collections::BTreeMap::new();
        for _ in 0..2000 {
            let b = pick_read(
                topology,
                policy,
                Duration::from_micros(500),
                &Need::default(),
            )
            .0
            .unwrap();
            *seen.entry(b.addr.port()).or_default() += 1;
        }
        seen
    }

    #[test]
    fn policies() {
        let master = Backend::new(([127, 0, 0, 1], 1).into(), settings(), true);
        let topology = Topology {
            master: Some(master),
            replicas: vec![replica(2, 1, 100), replica(3, 3, 300), replica(4, 1, 5000)],
        };
        assert_eq!(
            counts(&topology, ReadPolicy::Master)
                .keys()
                .collect::<Vec<_>>(),
            [&1]
        );
        let weighted = counts(&topology, ReadPolicy::Replica);
        assert!(weighted[&3] > weighted[&2] * 2, "{weighted:?}");
        let latency = counts(&topology, ReadPolicy::Latency);
        assert!(!latency.contains_key(&4), "outside the band: {latency:?}");
        assert!(
            latency.contains_key(&2) && latency.contains_key(&3),
            "{latency:?}"
        );
        for r in &topology.replicas {
            r.backend.mark_down();
        }
        let none = Need::default();
        assert!(
            pick_read(&topology, ReadPolicy::Replica, Duration::ZERO, &none)
                .0
                .is_none()
        );
        let fallback = pick_read(
            &topology,
            ReadPolicy::ReplicaPreferred,
            Duration::ZERO,
            &none,
        );
        assert_eq!(fallback.0.unwrap().addr.port(), 1);
    }

    #[test]
    fn freshness() {
        let master = Backend::new(([127, 0, 0, 1], 1).into(), settings(), true);
        let topology = Topology {
            master: Some(master),
            replicas: vec![replica(2, 1, 100), replica(3, 1, 100)],
        };
        // The fresh replica caught up "an hour from now", the stale one at the clock's start.
        let ahead = crate::offsets::now_ns() + 3_600_000_000_000;
        let (fresh, stale) = (&topology.replicas[0].backend, &topology.replicas[1].backend);
        fresh.stats.caught_up_at.store(ahead, Ordering::Relaxed);
        fresh.stats.offset_lag.store(10, Ordering::Relaxed);
        stale.stats.caught_up_at.store(1, Ordering::Relaxed);
        stale.stats.offset_lag.store(5000, Ordering::Relaxed);
        let bound = |bytes: Option<u64>, ms: Option<u64>| Need {
            tracked: true,
            bound: LagBound {
                bytes,
                time: ms.map(Duration::from_millis),
            },
            after: 0,
        };
        for need in [bound(Some(100), None), bound(None, Some(0))] {
            for _ in 0..200 {
                let (b, skipped) = pick_read(&topology, ReadPolicy::Replica, Duration::ZERO, &need);
                assert_eq!(b.unwrap().addr.port(), 2, "{need:?}");
                assert!(!skipped);
            }
        }
        // Read-your-writes: a write answered after the fresh replica's caught-up time.
        let ryw = Need {
            tracked: true,
            bound: LagBound::default(),
            after: ahead,
        };
        let (b, skipped) = pick_read(
            &topology,
            ReadPolicy::ReplicaPreferred,
            Duration::ZERO,
            &ryw,
        );
        assert_eq!(b.unwrap().addr.port(), 1, "to the master");
        assert!(skipped);
        let (b, _) = pick_read(&topology, ReadPolicy::Replica, Duration::ZERO, &ryw);
        assert!(b.is_none());
        // Unknown offsets satisfy nothing.
        fresh.forget_offset();
        stale.forget_offset();
        let (b, _) = pick_read(
            &topology,
            ReadPolicy::ReplicaPreferred,
            Duration::ZERO,
            &bound(Some(u64::MAX), None),
        );
        assert_eq!(b.unwrap().addr.port(), 1);
    }
}
