//! Where a command goes: the command table tells reads from writes, the read policy picks
//! among the master and healthy replicas.

use std::sync::Arc;
use std::time::Duration;

use wire::command::{Command, flags};

use crate::backend::Backend;
use crate::config::ReadPolicy;
use crate::topology::{Replica, Topology};

/// Reads are commands the table flags read-only and not write; everything else, unknown
/// commands included, goes to the master.
pub fn is_read(cmd: Option<&Command>) -> bool {
    cmd.is_some_and(|c| c.has(flags::READONLY) && !c.is_write())
}

/// The backend a read goes to under `policy`; `None` when the policy allows none.
pub fn pick_read(
    topology: &Topology,
    policy: ReadPolicy,
    tolerance: Duration,
) -> Option<Arc<Backend>> {
    // No allocation per read: the candidates are walked again where needed.
    let candidates = topology
        .replicas
        .iter()
        .filter(|r| r.weight > 0 && r.backend.is_healthy());
    let chosen = match policy {
        ReadPolicy::Master => return topology.master.clone(),
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
    match (chosen, policy) {
        (Some(replica), _) => Some(replica),
        (None, ReadPolicy::Replica) => None,
        (None, _) => topology.master.clone(),
    }
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
    use std::sync::atomic::Ordering;

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
            let b = pick_read(topology, policy, Duration::from_micros(500)).unwrap();
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
        assert!(pick_read(&topology, ReadPolicy::Replica, Duration::ZERO).is_none());
        let fallback = pick_read(&topology, ReadPolicy::ReplicaPreferred, Duration::ZERO);
        assert_eq!(fallback.unwrap().addr.port(), 1);
    }
}
