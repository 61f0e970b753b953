//! Soak: many consecutive failovers through the proxy under a write load. Three of our
//! sentinels (quorum 2) watch our nodes (a master and two replicas); each round kills -9 the
//! current master at a random moment 0-12 s after everything settled (any phase of the
//! sentinels' 10 s INFO period), waits until writes resume through the proxy, restarts the
//! killed node on its port (empty, no replicaof: it says role master until the sentinels
//! convert it) and waits until it is a synced replica of the new master. At the end it prints
//! the distribution (median, p90, max) of kill -9 to the first acknowledged write.
//!
//! Run with `cargo test --release --test proxy_soak -- --ignored --nocapture`;
//! `SOAK_FAILOVERS` (default 100) sets the rounds, `SOAK_LIMIT_S` (default 1800) the overall
//! time limit.
//!
//! What is checked, and why it is sound:
//! - No acknowledged write is lost: every `SET s<n> <n>` answered `+OK` is read back (MGET) on
//!   the current master after each round (the round's writes) and at the end (all of them).
//! - Never two masters accepting writes through the proxy. A write can only be acknowledged by
//!   a node that says role master. The killed master is reaped before the kill time is taken,
//!   so it acknowledges nothing afterwards. The only other node that says role master while
//!   another one is the master is the killed node after its restart, until the sentinels turn it
//!   into a replica: it is sampled throughout that time (ROLE, INFO commandstats, ROLE again),
//!   and while it says role master it has no master feeding it, so every SET in its commandstats
//!   came from a client (the proxy is its only client; the test sends it no SET): there must be
//!   none. And had any other master acknowledged writes, they would be missing from the final
//!   master, whose history every node adopts when it resynchronises from it: the read-back
//!   catches that too.
//! - Errors the client may see: none but "not sent, safe to retry" (the hold ran out) and, for
//!   the write in flight at a kill, "may have run". Anything else fails the soak.

mod proxy_support;
#[path = "support/sentinel.rs"]
mod sentinel_support;
mod support;

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use proxy_support::{Proxy, Writer, missing_writes, sets_while_master, wait_link_up};
use sentinel_support::{Proc, monitor_conf, node_at, ours, wait_group_formed};
use support::{free_port, resp, wait_until};

const DOWN_AFTER: u64 = 1000;
const FAILOVER_TIMEOUT: u64 = 5000;
/// Each kill comes uniformly within this long after the round settled.
const PHASE_WINDOW: Duration = Duration::from_secs(12);

/// A random duration in `0..window` (the std hasher's random keys; no extra crate).
fn random_phase(window: Duration) -> Duration {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    window.mul_f64((h.finish() >> 11) as f64 / (1u64 << 53) as f64)
}

fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?}: not a number")),
        Err(_) => default,
    }
}

/// The master each sentinel names (`None` for one that does not answer).
fn sentinel_masters(sentinels: &[Proc]) -> Vec<Option<u16>> {
    sentinels
        .iter()
        .map(|s| {
            let mut c = resp::Conn::try_connect(s.port, Duration::from_secs(1)).ok()?;
            let reply = c
                .try_call(&[b"SENTINEL", b"get-master-addr-by-name", b"mym"])
                .ok()?;
            sentinel_support::bulks(&reply).get(1)?.parse().ok()
        })
        .collect()
}

/// `INFO replication` of the node on `port` (empty if it does not answer).
fn replication(port: u16) -> String {
    resp::Conn::try_connect(port, Duration::from_secs(1))
        .ok()
        .and_then(|mut c| c.try_call(&[b"INFO", b"replication"]).ok())
        .map(|r| String::from_utf8_lossy(&r).into_owned())
        .unwrap_or_default()
}

/// A numeric field of an `INFO replication` text.
fn offset(info: &str, field: &str) -> Option<i64> {
    info.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().parse().ok())
}

/// Everything agrees that `master` is the master, with both other nodes replicas of it that
/// receive its stream: each has reached the master's offset read just before its own (the
/// load writes all the time, so a replica whose stream has not started yet, as after a
/// diskless full sync until its first REPLCONF ACK, stays below it).
fn settled(sentinels: &[Proc], proxy: &Proxy, master: u16, others: &[u16]) -> bool {
    let info = replication(master);
    info.contains("role:master")
        && info.matches("state=online").count() == 2
        && others.iter().all(|p| {
            let Some(master_offset) = offset(&replication(master), "master_repl_offset") else {
                return false;
            };
            let r = replication(*p);
            r.contains("master_link_status:up")
                && r.contains(&format!("master_port:{master}"))
                && offset(&r, "slave_repl_offset").is_some_and(|o| o >= master_offset)
        })
        && sentinel_masters(sentinels)
            .iter()
            .all(|m| *m == Some(master))
        && proxy.master_port() == Some(master)
}

fn median(values: &mut [Duration]) -> Duration {
    quantile(values, 0.5)
}

/// The `q` quantile (nearest rank) of `values`, sorted in place.
fn quantile(values: &mut [Duration], q: f64) -> Duration {
    values.sort();
    if values.is_empty() {
        return Duration::ZERO;
    }
    values[((values.len() - 1) as f64 * q).round() as usize]
}

#[test]
#[ignore = "a soak: cargo test --release --test proxy_soak -- --ignored --nocapture"]
fn consecutive_failovers_under_write_load() {
    let rounds = env_number("SOAK_FAILOVERS", 100);
    let limit = Duration::from_secs(env_number("SOAK_LIMIT_S", 1800));
    let started = Instant::now();
    let mut nodes: Vec<Proc> = Vec::new();
    nodes.push(node_at(free_port(), &[]).expect("master"));
    let first = nodes[0].port;
    for _ in 0..2 {
        nodes.push(
            node_at(
                free_port(),
                &["--replicaof", "127.0.0.1", &first.to_string()],
            )
            .expect("replica"),
        );
    }
    for node in &nodes[1..] {
        assert!(wait_link_up(node.port, Duration::from_secs(20)));
    }
    let conf = monitor_conf(first, 2, DOWN_AFTER, FAILOVER_TIMEOUT);
    let sentinels: Vec<Proc> = (0..3).map(|_| ours(&conf)).collect();
    assert!(
        wait_group_formed(&sentinels, 2),
        "the sentinels did not find each other and both replicas"
    );
    let addresses: Vec<String> = sentinels
        .iter()
        .map(|s| format!("\"127.0.0.1:{}\"", s.port))
        .collect();
    // The hold stays below the client's 10 s read timeout, so an expired hold reaches the
    // client as an error reply rather than as a broken connection.
    let proxy = Proxy::start(
        "",
        &format!(
            "read-policy = \"master\"\nfailover-hold-ms = 8000\n[listener.sentinel]\naddresses = [{}]\nmaster-name = \"mym\"\npoll-interval-ms = 500\n[listener.backend]\nconnect-timeout-ms = 300\ncommand-timeout-ms = 2000\nhealth-interval-ms = 200\n",
            addresses.join(", ")
        ),
    );
    // About a thousand writes a second: enough to have writes in flight at every kill, little
    // enough to keep the log small over a long soak.
    let writer = Writer::start(
        proxy.port,
        "s",
        Duration::from_millis(1),
        limit + Duration::from_secs(120),
        50_000_000,
    );
    let mut checked_up_to = 0usize;
    let mut kill_to_write = Vec::new();
    let mut rejoin_times = Vec::new();
    let mut done = 0u64;
    let logs = |proxy: &Proxy, sentinels: &[Proc]| {
        format!(
            "proxy:\n{}\nsentinel 0:\n{}",
            support::tail(&proxy.log_text(), 6000),
            support::tail(&sentinels[0].log(), 4000)
        )
    };
    while done < rounds {
        if started.elapsed() > limit {
            break;
        }
        // The current master, agreed by everyone, with both replicas online.
        let mut master = None;
        let ok = wait_until(Duration::from_secs(60), || {
            let Some(m) = proxy.master_port() else {
                return false;
            };
            let others: Vec<u16> = nodes.iter().map(|n| n.port).filter(|p| *p != m).collect();
            master = Some(m);
            settled(&sentinels, &proxy, m, &others)
        });
        assert!(
            ok,
            "round {done}: no settled master ({master:?}; sentinels say {:?})\n{}",
            sentinel_masters(&sentinels),
            logs(&proxy, &sentinels)
        );
        let master = master.unwrap();
        let index = nodes
            .iter()
            .position(|n| n.port == master)
            .expect("master node");
        let acked_before = writer.acked();
        assert!(
            wait_until(Duration::from_secs(10), || writer.acked()
                > acked_before + 50),
            "round {done}: the load is not flowing"
        );
        let settled_at = Instant::now();
        let phase = random_phase(PHASE_WINDOW);
        std::thread::sleep(phase);
        let killed = Instant::now();
        nodes[index].kill();
        let dead = Instant::now();
        let resumed = wait_until(Duration::from_secs(60), || {
            writer.acked_sent_since(dead) > 0 || writer.is_finished()
        });
        assert!(
            resumed && !writer.is_finished(),
            "round {done}: writes did not resume after killing {master}\n{}",
            logs(&proxy, &sentinels)
        );
        let first = writer.with_log(|log| {
            log.iter()
                .find(|w| w.sent >= dead && w.error.is_none())
                .map(|w| w.answered - killed)
                .expect("a write after the kill")
        });
        kill_to_write.push(first);
        let new_master = proxy.master_port().expect("a master");
        // The killed node comes back on its port, empty, saying role master.
        let restarted_at = Instant::now();
        nodes[index] = node_at(master, &[]).expect("restart the killed node");
        let mut old = resp::Conn::connect(master);
        let mut samples = 0;
        let rejoined = wait_until(Duration::from_secs(90), || {
            if let Some(sets) = sets_while_master(&mut old) {
                samples += 1;
                assert_eq!(
                    sets,
                    0,
                    "round {done}: the restarted old master {master} ran SETs while saying role master\n{}",
                    logs(&proxy, &sentinels)
                );
            }
            let r = replication(master);
            r.contains("role:slave")
                && r.contains("master_link_status:up")
                && proxy
                    .master_port()
                    .is_some_and(|m| r.contains(&format!("master_port:{m}")))
        });
        assert!(
            rejoined,
            "round {done}: the restarted node {master} did not become a synced replica:\n{}\n{}",
            replication(master),
            logs(&proxy, &sentinels)
        );
        let rejoin = restarted_at.elapsed();
        rejoin_times.push(rejoin);
        // This round's acknowledged writes are all on the current master.
        let current = proxy.master_port().expect("a master");
        let (acked, errors, logged) = writer.with_log(|log| {
            let acked: Vec<u64> = log[checked_up_to..]
                .iter()
                .filter(|w| w.error.is_none())
                .map(|w| w.n)
                .collect();
            let errors: Vec<(u64, String)> = log[checked_up_to..]
                .iter()
                .filter_map(|w| w.error.clone().map(|e| (w.n, e)))
                .collect();
            (acked, errors, log.len())
        });
        let missing = missing_writes(current, "s", &acked);
        if !missing.is_empty() {
            // When each was sent and answered, against the kill; and every sentinel's events.
            let timing = writer.with_log(|log| {
                missing
                    .iter()
                    .take(20)
                    .filter_map(|n| log.iter().find(|w| w.n == *n))
                    .map(|w| {
                        let at = |t: Instant| {
                            if t >= killed {
                                format!("+{:.1} ms", (t - killed).as_secs_f64() * 1000.0)
                            } else {
                                format!("-{:.1} ms", (killed - t).as_secs_f64() * 1000.0)
                            }
                        };
                        format!("s{} sent {} answered {}", w.n, at(w.sent), at(w.answered))
                    })
                    .collect::<Vec<_>>()
            });
            let events: String = sentinels
                .iter()
                .enumerate()
                .map(|(i, s)| format!("sentinel {i}:\n{}\n", support::tail(&s.log(), 5000)))
                .collect();
            panic!(
                "round {done}: {} acknowledged writes missing on the master {current} (killed {master}, new master {new_master}); relative to the kill: {timing:?}\nproxy:\n{}\n{events}",
                missing.len(),
                support::tail(&proxy.log_text(), 6000)
            );
        }
        let unexpected: Vec<&(u64, String)> = errors
            .iter()
            .filter(|(_, e)| {
                !e.contains("may have run") && !e.contains("(not sent, safe to retry)")
            })
            .collect();
        assert!(
            unexpected.is_empty(),
            "round {done}: unexpected error replies: {unexpected:?}\n{}",
            logs(&proxy, &sentinels)
        );
        let may_have_run = errors
            .iter()
            .filter(|(_, e)| e.contains("may have run"))
            .count();
        assert!(
            may_have_run <= 1,
            "round {done}: {may_have_run} writes failed with \"may have run\": {errors:?}"
        );
        checked_up_to = logged;
        done += 1;
        eprintln!(
            "round {done}/{rounds}: killed {master} {:.1} s after settling, new master {new_master}, first acknowledged write {:.0} ms after kill -9; rejoined as a synced replica {:.1} s after its restart ({samples} samples saying role master, 0 SETs); {} writes acknowledged this round, {} errors ({may_have_run} \"may have run\"); {:.0} s elapsed",
            (killed - settled_at).as_secs_f64(),
            first.as_secs_f64() * 1000.0,
            rejoin.as_secs_f64(),
            acked.len(),
            errors.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let (writes, broken) = writer.finish();
    assert!(
        broken.is_none(),
        "{}\n{}",
        broken.unwrap(),
        logs(&proxy, &sentinels)
    );
    let master = proxy.master_port().expect("a master");
    let acked: Vec<u64> = writes
        .iter()
        .filter(|w| w.error.is_none())
        .map(|w| w.n)
        .collect();
    let missing = missing_writes(master, "s", &acked);
    let errors = writes.iter().filter(|w| w.error.is_some()).count();
    let routing = proxy.conn().cmd_text("INFO routing");
    eprintln!(
        "soak: {done} failovers in {:.0} s, kills 0-{PHASE_WINDOW:?} after settling; kill -9 to first acknowledged write: median {:.0} ms, p90 {:.0} ms, max {:.0} ms, per round {:?} ms; rejoin median {:.1} s; {} writes acknowledged, {errors} error replies, {} missing on the final master {master}\n{routing}",
        started.elapsed().as_secs_f64(),
        median(&mut kill_to_write.clone()).as_secs_f64() * 1000.0,
        quantile(&mut kill_to_write.clone(), 0.9).as_secs_f64() * 1000.0,
        quantile(&mut kill_to_write.clone(), 1.0).as_secs_f64() * 1000.0,
        kill_to_write
            .iter()
            .map(|d| d.as_millis())
            .collect::<Vec<_>>(),
        median(&mut rejoin_times).as_secs_f64(),
        acked.len(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "{} acknowledged writes lost: {:?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
    assert_eq!(
        done, rounds,
        "only {done} of {rounds} failovers within the {limit:?} limit"
    );
}
