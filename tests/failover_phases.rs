//! Failover at any phase of the sentinels' INFO period. A sentinel asks each replica for INFO
//! every 10 s and will not promote a replica whose INFO is older than 5 s while the master is
//! down, so a kill a few seconds after the last INFO round is the case that matters: the
//! failover must still happen at once, with fresh INFO gathered after the master went down.
//!
//! Each run: a master (`min-replicas-to-write 1`) and two replicas, three sentinels (quorum 2,
//! down-after 1000, failover-timeout 10000), the proxy on all three with `failover-hold-ms
//! 8000` and one writer connection through it. Once every sentinel knows the other two and
//! both replicas ("settled"), the master is killed -9 at a random moment 0-12 s later. Every run
//! must fail over with no client error but at most one "may have run" (the write in flight at
//! the kill), with every acknowledged write on the new master, and no failover given up by our
//! sentinels for want of a replica. Kill -9 to the first acknowledged write (less the time the
//! machine did not run the test at all) stays within down-after + 5 s: no abort-and-retry (20 s
//! here), no election timeout (10 s). Within down-after + 300 ms with ours: every run with
//! `FAILOVER_STRICT_BOUND=1`; otherwise the ignored test reports how many runs kept it (a
//! loaded 2-core machine misses it: the sentinels' 10-19 Hz timer, and config writes with fsync
//! before each vote, share the machine with the load). A run in which a sentinel entered TILT
//! (its timer stalled over 2 s) is checked for errors and lost writes, then done again for the
//! timing.
//!
//! Stacks: our sentinels over our nodes, our sentinels over redis-server, and a mixed group
//! (two of ours, one redis-sentinel) over redis-server. The default suite runs two kills per
//! stack (one in each half of the 12 s window); the ignored test runs
//! `FAILOVER_PHASE_RUNS` (default 20) per stack plus three real redis-sentinels alone, and
//! prints the distributions:
//!
//! `cargo test --release --test failover_phases -- --ignored --nocapture`

mod proxy_support;
#[path = "support/sentinel.rs"]
mod sentinel_support;
mod support;

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proxy_support::{Proxy, Writer, address_list, check_failover_errors, missing_writes};
use sentinel_support::{
    Proc, monitor_conf, node_at, ours, real, real_down_after, redis_at, streaming_group,
    wait_group_formed,
};
use support::{tool, wait_until};

const DOWN_AFTER: u64 = 1000;
const FAILOVER_TIMEOUT: u64 = 10_000;
/// Below the writer's 10 s read timeout, so that a hold running out reaches it as an error
/// reply.
const HOLD_MS: u64 = 8_000;
/// Kills are spread uniformly over this long after the group settled (more than one INFO
/// period).
const PHASE_WINDOW: Duration = Duration::from_secs(12);
/// Our sentinels' own budget from the end of down-after to the first write back.
const FAILOVER_BUDGET: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stack {
    /// Three of our sentinels over our nodes.
    OursOverNodes,
    /// Three of our sentinels over redis-server.
    OursOverRedis,
    /// Two of ours and one redis-sentinel over redis-server.
    Mixed,
    /// Three redis-sentinels over redis-server (the reference).
    Real,
}

impl Stack {
    fn label(self) -> &'static str {
        match self {
            Stack::OursOverNodes => "our sentinels + our nodes",
            Stack::OursOverRedis => "our sentinels + redis-server",
            Stack::Mixed => "2 of ours + 1 redis-sentinel, redis-server",
            Stack::Real => "redis-sentinel + redis-server",
        }
    }

    fn all_ours(self) -> bool {
        matches!(self, Stack::OursOverNodes | Stack::OursOverRedis)
    }

    fn down_after(self) -> u64 {
        if self.all_ours() {
            DOWN_AFTER
        } else {
            real_down_after()
        }
    }
}

/// A random number in 0..1 (no extra crate: the std hasher's random keys).
fn random_unit() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The phase of run `i` of `n`: uniform within the i-th of n equal slices of the window, so a
/// few runs still cover all of it.
/// `FAILOVER_PHASE_MS` fixes it instead (to replay one phase).
fn phase(i: usize, n: usize) -> Duration {
    if let Ok(ms) = std::env::var("FAILOVER_PHASE_MS") {
        return Duration::from_millis(ms.parse().expect("FAILOVER_PHASE_MS: milliseconds"));
    }
    let slice = PHASE_WINDOW.as_secs_f64() / n as f64;
    Duration::from_secs_f64(slice * (i as f64 + random_unit()))
}

/// When the machine stops running us: a thread that sleeps 5 ms at a time and records each
/// wake-up that came more than 50 ms late. On a loaded 2-core machine every process can stall
/// for seconds at once; time lost that way is not the system's under test.
struct Stalls {
    seen: Arc<Mutex<Vec<(Instant, Duration)>>>,
    stop: Arc<AtomicBool>,
}

impl Stalls {
    fn watch(limit: Duration) -> Stalls {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (sink, stopped) = (seen.clone(), stop.clone());
        let tick = Duration::from_millis(5);
        std::thread::spawn(move || {
            let deadline = Instant::now() + limit;
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                let before = Instant::now();
                std::thread::sleep(tick);
                let woke = Instant::now();
                let late = (woke - before).saturating_sub(tick);
                if late > Duration::from_millis(50) {
                    sink.lock().unwrap().push((woke, late));
                }
            }
        });
        Stalls { seen, stop }
    }

    /// Time lost to stalls between `from` and `to`.
    fn within(&self, from: Instant, to: Instant) -> Duration {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|(woke, _)| *woke > from && *woke <= to)
            .map(|(woke, late)| (*late).min(*woke - from))
            .sum()
    }
}

impl Drop for Stalls {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// What one run showed.
struct Run {
    /// From settled to the kill.
    phase: Duration,
    kill_to_first_write: Duration,
    /// Of that, time the machine did not run the test process.
    stalled: Duration,
    /// A sentinel saw its own timer stall for more than 2 s and entered TILT (30 s without
    /// acting, as Redis does): the run says nothing about speed.
    tilt: bool,
    may_have_run: bool,
    /// The sentinels' logs from the kill on, for a report on a slow run.
    events: String,
}

fn sentinels(stack: Stack, conf: &str) -> Option<Vec<Proc>> {
    Some(match stack {
        Stack::OursOverNodes | Stack::OursOverRedis => vec![ours(conf), ours(conf), ours(conf)],
        Stack::Mixed => vec![ours(conf), ours(conf), real(conf)?],
        Stack::Real => vec![real(conf)?, real(conf)?, real(conf)?],
    })
}

/// One failover killed `phase` after the group settled; None when a tool is missing (a skip
/// outside CI).
fn run(stack: Stack, phase: Duration) -> Option<Run> {
    let label = stack.label();
    let stalls = Stalls::watch(Duration::from_secs(300));
    let (mut master, replicas) = streaming_group(
        match stack {
            Stack::OursOverNodes => node_at,
            _ => redis_at,
        },
        2,
    )?;
    let conf = monitor_conf(master.port, 2, stack.down_after(), FAILOVER_TIMEOUT);
    let group = sentinels(stack, &conf)?;
    let ports: Vec<u16> = group.iter().map(|s| s.port).collect();
    let proxy = Proxy::start(
        "",
        &format!(
            "read-policy = \"master\"\nfailover-hold-ms = {HOLD_MS}\n[listener.sentinel]\naddresses = [{}]\nmaster-name = \"mym\"\npoll-interval-ms = 500\n[listener.backend]\nconnect-timeout-ms = 300\ncommand-timeout-ms = 2000\nhealth-interval-ms = 200\n",
            address_list(&ports)
        ),
    );
    let sentinel_logs = |group: &[Proc]| {
        group
            .iter()
            .enumerate()
            .map(|(i, s)| format!("sentinel {i}:\n{}\n", support::tail(&s.log(), 3000)))
            .collect::<String>()
    };
    assert!(
        wait_group_formed(&group, 2),
        "{label}: the group did not form\n{}",
        sentinel_logs(&group)
    );
    let settled = Instant::now();
    let old = master.port;
    assert!(
        wait_until(Duration::from_secs(20), || proxy.master_port() == Some(old)),
        "{label}: the proxy never saw the master\n{}",
        proxy.log_text()
    );
    let writer = Writer::start(
        proxy.port,
        "w",
        Duration::from_millis(1),
        Duration::from_secs(120),
        5_000_000,
    );
    assert!(
        wait_until(Duration::from_secs(20), || writer.acked() >= 50
            || writer.is_finished())
            && !writer.is_finished(),
        "{label}: the load did not start"
    );
    // The experiment's own variable: the kill's moment in the INFO period.
    if let Some(rest) = (settled + phase).checked_duration_since(Instant::now()) {
        std::thread::sleep(rest);
    }
    let killed = Instant::now();
    master.kill();
    let dead = Instant::now();
    let actual_phase = killed - settled;
    let resumed = wait_until(Duration::from_secs(90), || {
        writer.acked_sent_since(dead) >= 50 || writer.is_finished()
    });
    let (writes, broken) = writer.finish();
    let info = proxy.conn().cmd_text("INFO");
    let logs = || {
        format!(
            "{label}, killed {:.2} s after settling\n{info}\nproxy:\n{}\n{}",
            actual_phase.as_secs_f64(),
            support::tail(&proxy.log_text(), 4000),
            sentinel_logs(&group)
        )
    };
    assert!(broken.is_none(), "{}\n{}", broken.unwrap(), logs());
    let tilt = group.iter().any(|s| s.log().contains("+tilt"));
    if !resumed && tilt {
        // TILT again and again (30 s each time the machine stalls over 2 s) can hold a failover
        // back for longer than the wait: the run says nothing, and is done again.
        eprintln!(
            "{label}: killed {:.2} s after settling; no failover within 90 s, the sentinels in TILT: left out",
            actual_phase.as_secs_f64()
        );
        return Some(Run {
            phase: actual_phase,
            kill_to_first_write: Duration::ZERO,
            stalled: Duration::ZERO,
            tilt,
            may_have_run: false,
            events: sentinel_logs(&group),
        });
    }
    assert!(resumed, "no failover: writes did not resume\n{}", logs());
    // A sentinel in TILT does not act for 30 s, longer than the hold: then, and only then, the
    // hold may run out.
    let may_have_run = check_failover_errors(&writes, tilt, logs);
    let new = proxy.master_port().expect("a master");
    assert!(
        replicas.iter().any(|r| r.port == new),
        "the proxy's master {new} is not a replica of the old one\n{}",
        logs()
    );
    let acked: Vec<u64> = writes
        .iter()
        .filter(|w| w.error.is_none())
        .map(|w| w.n)
        .collect();
    let missing = missing_writes(new, "w", &acked);
    let at = |t: Instant| {
        if t >= killed {
            format!("+{:.1} ms", (t - killed).as_secs_f64() * 1000.0)
        } else {
            format!("-{:.1} ms", (killed - t).as_secs_f64() * 1000.0)
        }
    };
    assert!(
        missing.is_empty(),
        "{} acknowledged writes are not on the new master (sent and answered, against the kill): {:?}\n{}",
        missing.len(),
        missing
            .iter()
            .take(10)
            .map(|n| {
                let w = &writes[*n as usize];
                format!("w{n} sent {} answered {}", at(w.sent), at(w.answered))
            })
            .collect::<Vec<_>>(),
        logs()
    );
    // Our sentinels never give up on a failover they could make (a split election, retried
    // at once, is not giving up).
    if stack != Stack::Real {
        for s in group.iter().take(if stack == Stack::Mixed { 2 } else { 3 }) {
            let log = s.log();
            assert!(
                !log.contains("-failover-abort-no-good-slave")
                    && !log.contains("-failover-abort-slave-timeout"),
                "a sentinel aborted\n{}",
                logs()
            );
        }
    }
    let first = writes
        .iter()
        .find(|w| w.sent >= dead && w.error.is_none())
        .expect("a write after the kill");
    let kill_to_first_write = first.answered - killed;
    let stalled = stalls.within(killed, first.answered);
    eprintln!(
        "{label}: killed {:.2} s after settling; first acknowledged write {:.0} ms after kill -9 (the machine stalled {:.0} ms of it{}); {} acknowledged; {}",
        actual_phase.as_secs_f64(),
        kill_to_first_write.as_secs_f64() * 1000.0,
        stalled.as_secs_f64() * 1000.0,
        if tilt {
            ", a sentinel entered TILT"
        } else {
            ""
        },
        acked.len(),
        if may_have_run.is_empty() {
            "no write was in flight at the kill"
        } else {
            "the write in flight at the kill: may have run"
        }
    );
    Some(Run {
        phase: actual_phase,
        kill_to_first_write,
        stalled,
        tilt,
        may_have_run: !may_have_run.is_empty(),
        events: sentinel_logs(&group),
    })
}

/// The bound on our sentinels' failover, measured as `tests/proxy_failover.rs` measures it:
/// kill -9 to the first acknowledged write through the proxy.
fn bound(stack: Stack) -> Duration {
    Duration::from_millis(stack.down_after()) + FAILOVER_BUDGET
}

/// The bound every run keeps, whatever the load: down-after + 5 s, far below what the bugs of
/// this class cost (an abort retried after twice failover-timeout, 20 s here; an election
/// timeout, 10 s), above what a loaded machine adds (a sentinel writes its config file with
/// fsync before it votes or answers, as Redis does: with other builds writing to the disk one
/// such write was seen to take 2 s, short of TILT).
fn loose_bound(stack: Stack) -> Duration {
    Duration::from_millis(stack.down_after()) + Duration::from_secs(5)
}

/// `FAILOVER_STRICT_BOUND=1`: hold every run of our sentinels to `bound` (down-after + 300 ms).
/// Off by default: on a loaded 2-core machine a run can miss it by tens of milliseconds (the
/// sentinels' 10-19 Hz timer and the proxy's reaction share the CPU with the burners); the
/// ignored test reports the distribution.
fn strict() -> bool {
    std::env::var("FAILOVER_STRICT_BOUND").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The runs over `limit` (not counting machine stalls), described with their logs.
fn over(runs: &[Run], limit: Duration) -> Vec<String> {
    timed(runs)
        .filter(|r| r.kill_to_first_write.saturating_sub(r.stalled) > limit)
        .map(|r| {
            format!(
                "{:.0} ms, {:.0} ms of it stalled (killed {:.1} s after settling)\n{}",
                r.kill_to_first_write.as_secs_f64() * 1000.0,
                r.stalled.as_secs_f64() * 1000.0,
                r.phase.as_secs_f64(),
                r.events
            )
        })
        .collect()
}

fn check_bound(stack: Stack, runs: &[Run], strict: bool) {
    let limit = if strict && stack.all_ours() {
        bound(stack)
    } else {
        loose_bound(stack)
    };
    let slow = over(runs, limit);
    assert!(
        slow.is_empty(),
        "{}: first write later than {limit:?} after the kill (not counting machine stalls): {}",
        stack.label(),
        slow.join("\n")
    );
}

fn default_runs(stack: Stack) {
    if tool("redis-server").is_none() {
        return;
    }
    if let Some(runs) = runs(stack, 2) {
        check_bound(stack, &runs, strict());
    }
}

/// `n` runs of `stack` with phases spread over the window; None on a skip. A run during which
/// a sentinel entered TILT is checked like any other but says nothing about speed: it is done
/// again (twice at most).
fn runs(stack: Stack, n: usize) -> Option<Vec<Run>> {
    let mut out = Vec::new();
    for i in 0..n {
        for _ in 0..3 {
            let run = run(stack, phase(i, n))?;
            let tilt = run.tilt;
            out.push(run);
            if !tilt {
                break;
            }
        }
    }
    Some(out)
}

/// Runs that say something about speed.
fn timed(runs: &[Run]) -> impl Iterator<Item = &Run> {
    runs.iter().filter(|r| !r.tilt)
}

#[test]
fn random_phase_kills_with_our_sentinels_over_our_nodes() {
    default_runs(Stack::OursOverNodes);
}

#[test]
fn random_phase_kills_with_our_sentinels_over_redis_servers() {
    default_runs(Stack::OursOverRedis);
}

#[test]
fn random_phase_kills_with_a_mixed_group() {
    default_runs(Stack::Mixed);
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, p90 and max of the kill-to-first-write times of the timed runs, in ms (zeros when
/// there is none).
fn distribution(runs: &[Run]) -> (f64, f64, f64) {
    let mut times: Vec<Duration> = timed(runs).map(|r| r.kill_to_first_write).collect();
    times.sort();
    if times.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    let at = |q: f64| millis(times[((times.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.9), at(1.0))
}

#[test]
#[ignore = "many runs: cargo test --release --test failover_phases -- --ignored --nocapture"]
fn random_phase_kills_many() {
    let n: usize = std::env::var("FAILOVER_PHASE_RUNS")
        .ok()
        .map(|v| v.parse().expect("FAILOVER_PHASE_RUNS: a number"))
        .unwrap_or(20);
    let mut table = Vec::new();
    for stack in [
        Stack::OursOverNodes,
        Stack::OursOverRedis,
        Stack::Mixed,
        Stack::Real,
    ] {
        let Some(runs) = runs(stack, n) else {
            continue;
        };
        let (median, p90, max) = distribution(&runs);
        let in_flight = runs.iter().filter(|r| r.may_have_run).count();
        table.push((stack, median, p90, max, in_flight, runs));
    }
    let tilted: usize = table
        .iter()
        .map(|t| t.5.iter().filter(|r| r.tilt).count())
        .sum();
    eprintln!(
        "\nkill -9 to first acknowledged write through the proxy, {n} runs per stack, kills spread over {PHASE_WINDOW:?} after settling ({tilted} runs left out and done again: a sentinel entered TILT):"
    );
    for (stack, median, p90, max, in_flight, runs) in &table {
        eprintln!(
            "  {:<45} down-after {:>4} ms: median {median:>6.0} ms, p90 {p90:>6.0} ms, max {max:>6.0} ms, max not counting machine stalls {:>6.0} ms ({in_flight} runs with a write in flight at the kill)",
            stack.label(),
            stack.down_after(),
            timed(runs)
                .map(|r| millis(r.kill_to_first_write.saturating_sub(r.stalled)))
                .fold(0.0, f64::max)
        );
    }
    // Every run without an abort or a retry. With FAILOVER_STRICT_BOUND=1, every run of our
    // sentinels within down-after + 300 ms and the p90 too; otherwise the count is reported.
    for (stack, _, p90, _, _, runs) in &table {
        if stack.all_ours() {
            eprintln!(
                "  {}: {} of {} timed runs within {:?}",
                stack.label(),
                timed(runs).count() - over(runs, bound(*stack)).len(),
                timed(runs).count(),
                bound(*stack)
            );
        }
        check_bound(*stack, runs, strict());
        if stack.all_ours() && strict() {
            assert!(
                *p90 <= millis(bound(*stack)),
                "{}: p90 {p90:.0} ms over {:?}: {}",
                stack.label(),
                bound(*stack),
                over(runs, bound(*stack)).join("\n")
            );
        }
    }
    let median_of = |s: Stack| table.iter().find(|t| t.0 == s).map(|t| t.1);
    if let (Some(mixed), Some(real)) = (median_of(Stack::Mixed), median_of(Stack::Real)) {
        assert!(
            mixed <= real * 1.1 + 100.0,
            "the mixed group (median {mixed:.0} ms) is slower than redis-sentinel alone (median {real:.0} ms)"
        );
    }
}
