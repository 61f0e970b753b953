//! What the proxy guarantees about the data it reads and the writes it holds, in front of our
//! nodes: bounded staleness by time and by bytes (`[listener.max-replica-lag]`), read-your-writes
//! per client connection (`consistency = "read-your-writes"`), and the failover hold
//! (`failover-hold-ms`, `failover-hold-max-bytes`) with a master behind a fault-injecting relay.
//!
//! The replicas replicate through a relay (`support::relay`), so a test can stall or slow their
//! replication link while they stay connected; the proxy talks to the replicas directly.

mod proxy_support;
mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use proxy_support::{Proxy, info_field, static_topology, wait_replica_synced};
use support::relay::Relay;
use support::{Server, resp, wait_until};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A counter of the proxy's `INFO routing`.
fn routing(conn: &mut resp::Conn, field: &str) -> u64 {
    let value = info_field(conn, "routing", field);
    value
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("INFO routing: no counter {field} ({value:?})"))
}

/// The proxy's `INFO backends` line of the backend at `port`.
fn backend_line(conn: &mut resp::Conn, port: u16) -> String {
    let info = conn.cmd_text("INFO backends");
    let addr = format!("addr=127.0.0.1:{port},");
    info.lines()
        .find(|l| l.contains(&addr))
        .unwrap_or_else(|| panic!("INFO backends lists no 127.0.0.1:{port}:\n{info}"))
        .to_string()
}

/// A `key=value` field of an `INFO backends` line.
fn backend_field(line: &str, key: &str) -> Option<String> {
    let rest = line.split_once(':')?.1;
    rest.split(',')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
}

/// A GET reply as a number (nil: 0).
fn int_value(reply: &[u8]) -> Option<i64> {
    let t = text(reply);
    if t == "$-1\r\n" {
        return Some(0);
    }
    let mut lines = t.split("\r\n");
    let head = lines.next()?;
    match head.as_bytes().first()? {
        b':' => head[1..].parse().ok(),
        b'$' => lines.next()?.parse().ok(),
        _ => None,
    }
}

/// A master and one replica of it that replicates through a relay.
struct Lagging {
    master: Server,
    relay: Relay,
    replica: Server,
}

fn lagging_pair() -> Lagging {
    let master = Server::node(&[]);
    let relay = Relay::start(master.port);
    let replica = Server::node(&["--replicaof", "127.0.0.1", &relay.port().to_string()]);
    wait_replica_synced(&replica);
    Lagging {
        master,
        relay,
        replica,
    }
}

/// 1a. `[listener.max-replica-lag] ms = 300`: every read sent at `t` sees at least every write
/// whose reply the client had received by `t - 300 ms`. A reply is received after the master
/// applied the write, so "received by `t - 300 ms`" implies "applied by then": checking
/// against receive times is sound (it can only be more lenient than the exact bound).
#[test]
fn reads_are_never_older_than_max_replica_lag_ms() {
    const BOUND: Duration = Duration::from_millis(300);
    let pair = lagging_pair();
    let proxy = Proxy::start(
        "",
        &format!(
            "read-policy = \"replica-preferred\"\noffset-interval-ms = 20\n[listener.max-replica-lag]\nms = 300\n{}",
            static_topology(pair.master.port, &[pair.replica.port])
        ),
    );
    let port = proxy.port;
    let mut info = proxy.conn();
    let mut probe = proxy.conn();
    assert_eq!(probe.cmd_text("SET counter 0"), "+OK\r\n");
    assert!(
        reads_reach(port, &mut probe, "counter", "reads_to_replicas"),
        "reads never reached the replica\n{}\n{}",
        info.cmd_text("INFO"),
        proxy.log_text()
    );

    let stop = Arc::new(AtomicBool::new(false));
    // A backstop only: the phases below stop the workers when their conditions are met.
    let limit = Instant::now() + Duration::from_secs(180);
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut c = resp::Conn::connect(port);
            // (receive time, value) of every INCR reply.
            let mut acks: Vec<(Instant, i64)> = Vec::new();
            while !stop.load(Ordering::Relaxed) && acks.len() < 400_000 && Instant::now() < limit {
                let reply = c.call(&[b"INCR", b"counter"]);
                let at = Instant::now();
                let value = int_value(&reply)
                    .unwrap_or_else(|| panic!("INCR through the proxy: {}", text(&reply)));
                acks.push((at, value));
            }
            acks
        })
    };
    let reader = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut c = resp::Conn::connect(port);
            // (send time, value) of every GET.
            let mut reads: Vec<(Instant, i64)> = Vec::new();
            while !stop.load(Ordering::Relaxed) && reads.len() < 400_000 && Instant::now() < limit {
                let sent = Instant::now();
                let reply = c.call(&[b"GET", b"counter"]);
                let value = int_value(&reply)
                    .unwrap_or_else(|| panic!("GET through the proxy: {}", text(&reply)));
                reads.push((sent, value));
            }
            reads
        })
    };
    let stopped = |stop: &AtomicBool| stop.store(true, Ordering::Relaxed);

    // Before the stall: reads go to the replica.
    let start_replicas = routing(&mut info, "reads_to_replicas");
    let before_ok = wait_until(Duration::from_secs(30), || {
        routing(&mut info, "reads_to_replicas") >= start_replicas + 200
    });
    if !before_ok {
        stopped(&stop);
    }
    assert!(
        before_ok,
        "reads did not go to the replica before the stall\n{}",
        info.cmd_text("INFO")
    );
    std::thread::sleep(Duration::from_millis(500));
    let at_stall_master = routing(&mut info, "reads_to_master");
    let at_stall_skips = routing(&mut info, "stale_skips");
    pair.relay.stall();
    let stalled = Instant::now();
    // The outage itself: at least two seconds of frozen replication, and (on a busy machine,
    // where the workers may not run for a while) until reads did go to the master and were
    // counted as skips because of it.
    wait_until(Duration::from_secs(60), || {
        stalled.elapsed() >= Duration::from_secs(2)
            && routing(&mut info, "reads_to_master") > at_stall_master
            && routing(&mut info, "stale_skips") > at_stall_skips
    });
    let during_stall = info.cmd_text("INFO");
    let at_resume_master = routing(&mut info, "reads_to_master");
    let at_resume_replicas = routing(&mut info, "reads_to_replicas");
    let at_resume_skips = routing(&mut info, "stale_skips");
    let backend_during = backend_line(&mut info, pair.replica.port);
    pair.relay.resume();
    let resumed = Instant::now();
    let after_ok = wait_until(Duration::from_secs(30), || {
        routing(&mut info, "reads_to_replicas") >= at_resume_replicas + 200
    });
    let back_after = resumed.elapsed();
    if after_ok {
        std::thread::sleep(Duration::from_secs(1));
    }
    stopped(&stop);
    let acks = writer.join().expect("writer");
    let reads = reader.join().expect("reader");
    assert!(
        after_ok,
        "reads did not go back to the replica after the stall\n{}\n{}",
        info.cmd_text("INFO"),
        proxy.log_text()
    );
    assert!(
        at_resume_master > at_stall_master,
        "no read went to the master during the stall\n{during_stall}"
    );
    assert!(
        at_resume_skips > at_stall_skips,
        "stale_skips did not grow during the stall\n{during_stall}"
    );

    // The guarantee, read by read.
    let mut violations = Vec::new();
    let mut checked = 0usize;
    let mut worst = Duration::ZERO;
    for &(sent, value) in &reads {
        // The first write this read did not see, if any: how long its reply had been back.
        let unseen = acks.partition_point(|&(_, v)| v <= value);
        if let Some(&(at, _)) = acks.get(unseen)
            && at < sent
        {
            worst = worst.max(sent - at);
        }
        let Some(horizon) = sent.checked_sub(BOUND) else {
            continue;
        };
        let n = acks.partition_point(|&(at, _)| at <= horizon);
        if n == 0 {
            continue;
        }
        checked += 1;
        let required = acks[n - 1].1;
        if value < required {
            violations.push(format!(
                "read sent {:?} after the stall began saw {value}, but {required} was acknowledged {:?} before it was sent",
                sent.saturating_duration_since(stalled),
                sent - acks[n - 1].0
            ));
        }
    }
    let final_info = info.cmd_text("INFO routing");
    eprintln!(
        "max-replica-lag ms=300: {} writes, {} reads ({checked} checked against the bound), worst staleness seen {:.0} ms; back on the replica {:.0} ms after the resume; replica during the stall: {backend_during}\n{final_info}",
        acks.len(),
        reads.len(),
        worst.as_secs_f64() * 1000.0,
        back_after.as_secs_f64() * 1000.0,
    );
    assert!(
        violations.is_empty(),
        "{} of {checked} reads were older than the bound, e.g.:\n{}\n{final_info}",
        violations.len(),
        violations[..violations.len().min(10)].join("\n")
    );
    assert!(checked > 100, "too few reads to check ({checked})");
}

/// Read `key` through `conn` until a read is counted under `counter` (reads_to_replicas or
/// reads_to_master) of the proxy on `port`; false if none is within 30 s.
fn reads_reach(port: u16, conn: &mut resp::Conn, key: &str, counter: &str) -> bool {
    let mut info = resp::Conn::connect(port);
    wait_until(Duration::from_secs(30), || {
        let before = routing(&mut info, counter);
        let reply = conn.cmd_text(&format!("GET {key}"));
        assert!(!reply.starts_with('-'), "GET {key}: {reply}");
        routing(&mut info, counter) > before
    })
}

/// 1b. `[listener.max-replica-lag] bytes = 1000`: a replica whose link is stalled while more
/// than 10 KB are written is left out; it is read from again once it caught up.
#[test]
fn a_replica_more_than_max_replica_lag_bytes_behind_is_not_read_from() {
    let pair = lagging_pair();
    let proxy = Proxy::start(
        "",
        &format!(
            "read-policy = \"replica-preferred\"\noffset-interval-ms = 20\n[listener.max-replica-lag]\nbytes = 1000\n{}",
            static_topology(pair.master.port, &[pair.replica.port])
        ),
    );
    let mut c = proxy.conn();
    let mut info = proxy.conn();
    assert_eq!(c.cmd_text("SET k v"), "+OK\r\n");
    assert!(
        reads_reach(proxy.port, &mut c, "k", "reads_to_replicas"),
        "reads never reached the replica\n{}",
        info.cmd_text("INFO")
    );
    pair.relay.stall();
    let value = "x".repeat(1000);
    for i in 0..20 {
        let key = format!("big{i}");
        assert_eq!(
            c.call(&[b"SET", key.as_bytes(), value.as_bytes()]),
            b"+OK\r\n"
        );
    }
    let excluded = reads_reach(proxy.port, &mut c, "k", "reads_to_master");
    let line = backend_line(&mut info, pair.replica.port);
    assert!(
        excluded,
        "reads kept going to a replica 20 KB behind: {line}\n{}",
        info.cmd_text("INFO routing")
    );
    // Once left out it stays out while the stall lasts.
    let (masters, replicas) = (
        routing(&mut info, "reads_to_master"),
        routing(&mut info, "reads_to_replicas"),
    );
    for _ in 0..20 {
        assert_eq!(c.cmd_text("GET k"), "$1\r\nv\r\n");
    }
    assert_eq!(
        routing(&mut info, "reads_to_master"),
        masters + 20,
        "{line}"
    );
    assert_eq!(routing(&mut info, "reads_to_replicas"), replicas, "{line}");
    // INFO backends shows why: the replica's offset is known and more than 10 KB below the
    // master's (the proxy polls both directly, not through the relay).
    let mut lines = (String::new(), String::new());
    let offsets_shown = wait_until(Duration::from_secs(10), || {
        lines = (
            backend_line(&mut info, pair.master.port),
            backend_line(&mut info, pair.replica.port),
        );
        let offset = |l: &str| backend_field(l, "offset").and_then(|v| v.parse::<i64>().ok());
        matches!(
            (offset(&lines.0), offset(&lines.1)),
            (Some(m), Some(r)) if r >= 0 && m - r > 10_000
        )
    });
    eprintln!("stalled replica:\n{}\n{}", lines.0, lines.1);
    assert!(
        offsets_shown,
        "INFO backends should show the master's and the replica's offsets:\n{}\n{}",
        lines.0, lines.1
    );
    pair.relay.resume();
    let back = reads_reach(proxy.port, &mut c, "k", "reads_to_replicas");
    let line = backend_line(&mut info, pair.replica.port);
    eprintln!("after the resume: {line}");
    assert!(
        back,
        "reads did not go back to the replica after it caught up: {line}\n{}",
        proxy.log_text()
    );
    let mut replica = pair.replica.conn();
    assert_eq!(replica.cmd_text("EXISTS big19"), ":1\r\n");
}

/// A master and two replicas, each replicating through its own relay.
struct Trio {
    master: Server,
    relays: Vec<Relay>,
    replicas: Vec<Server>,
}

fn trio() -> Trio {
    let master = Server::node(&[]);
    let relays: Vec<Relay> = (0..2).map(|_| Relay::start(master.port)).collect();
    let replicas: Vec<Server> = relays
        .iter()
        .map(|r| Server::node(&["--replicaof", "127.0.0.1", &r.port().to_string()]))
        .collect();
    for replica in &replicas {
        wait_replica_synced(replica);
    }
    Trio {
        master,
        relays,
        replicas,
    }
}

fn ryw_proxy(t: &Trio) -> Proxy {
    let ports: Vec<u16> = t.replicas.iter().map(|r| r.port).collect();
    Proxy::start(
        "",
        &format!(
            "read-policy = \"replica-preferred\"\nconsistency = \"read-your-writes\"\noffset-interval-ms = 20\n{}",
            static_topology(t.master.port, &ports)
        ),
    )
}

fn bulk(value: &str) -> String {
    format!("${}\r\n{value}\r\n", value.len())
}

/// 1c. Read-your-writes: 4 connections x 2500 iterations of a write and an immediate read of
/// the same key on the same connection (some pipelined in one packet, some through
/// MULTI/EXEC), with both replicas lagging a few milliseconds: not one read may miss the
/// session's own write.
#[test]
fn read_your_writes_on_lagging_replicas() {
    const THREADS: usize = 4;
    const ITERATIONS: usize = 2500;
    let t = trio();
    for relay in &t.relays {
        relay.set_delay(Duration::from_millis(3));
    }
    let proxy = ryw_proxy(&t);
    let port = proxy.port;
    // A backstop for a hung proxy, not a speed requirement: unloaded the iterations take
    // about 7 s, with CPU burners beside them and the other tests of this file up to a minute.
    let limit = Instant::now() + Duration::from_secs(240);
    let started = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|thread| {
            std::thread::spawn(move || {
                let mut c = resp::Conn::connect(port);
                let key = format!("k{thread}");
                let mut stale = Vec::new();
                let mut done = 0usize;
                for n in 0..ITERATIONS {
                    if Instant::now() > limit {
                        break;
                    }
                    let value = format!("v{n}");
                    let set = resp::encode(&[b"SET", key.as_bytes(), value.as_bytes()]);
                    let get = resp::encode(&[b"GET", key.as_bytes()]);
                    let read = if n % 50 == 49 {
                        // A transaction counts as a write.
                        assert_eq!(c.cmd_text("MULTI"), "+OK\r\n");
                        assert_eq!(
                            text(&c.call(&[b"SET", key.as_bytes(), value.as_bytes()])),
                            "+QUEUED\r\n"
                        );
                        assert_eq!(c.cmd_text("EXEC"), "*1\r\n+OK\r\n");
                        text(&c.call(&[b"GET", key.as_bytes()]))
                    } else if n % 5 == 0 {
                        // Pipelined: the write and the read in one packet.
                        c.send(&[set, get].concat());
                        assert_eq!(text(&c.read_reply()), "+OK\r\n");
                        text(&c.read_reply())
                    } else {
                        c.send(&set);
                        assert_eq!(text(&c.read_reply()), "+OK\r\n");
                        c.send(&get);
                        text(&c.read_reply())
                    };
                    if read != bulk(&value) {
                        stale.push(format!("{key} iteration {n}: wrote {value}, read {read:?}"));
                    }
                    done += 1;
                }
                (done, stale)
            })
        })
        .collect();
    let mut done = 0;
    let mut stale = Vec::new();
    for worker in workers {
        let (n, s) = worker.join().expect("worker");
        done += n;
        stale.extend(s);
    }
    let elapsed = started.elapsed();
    let mut info = proxy.conn();
    let routing_text = info.cmd_text("INFO routing");
    eprintln!(
        "read-your-writes: {done} write+read iterations in {:.1} s, {} stale\n{routing_text}",
        elapsed.as_secs_f64(),
        stale.len()
    );
    assert!(
        stale.is_empty(),
        "{} reads missed the session's own write, e.g.:\n{}\n{routing_text}",
        stale.len(),
        stale[..stale.len().min(10)].join("\n")
    );
    assert_eq!(
        done,
        THREADS * ITERATIONS,
        "the iterations did not finish within the time limit"
    );
    assert!(
        routing(&mut info, "stale_skips") > 0,
        "reads right after a write should have skipped the lagging replicas\n{routing_text}"
    );
}

/// 1c (second part). Read-your-writes does not pin a session to the master: once the
/// replicas have caught up with its last write, its reads go to them again; a connection that
/// never wrote reads from them at once.
#[test]
fn read_your_writes_reads_from_replicas_once_they_caught_up() {
    let t = trio();
    let proxy = ryw_proxy(&t);
    let mut c = proxy.conn();
    let mut info = proxy.conn();
    assert_eq!(c.cmd_text("SET old written-long-ago"), "+OK\r\n");
    for replica in &t.replicas {
        let mut r = replica.conn();
        assert!(wait_until(Duration::from_secs(30), || {
            r.cmd_text("GET old") == bulk("written-long-ago")
        }));
    }
    let before = routing(&mut info, "reads_to_replicas");
    let to_replicas = wait_until(Duration::from_secs(30), || {
        assert_eq!(c.cmd_text("GET old"), bulk("written-long-ago"));
        routing(&mut info, "reads_to_replicas") > before
    });
    assert!(
        to_replicas,
        "the writing session never read from a replica again\n{}\n{}",
        info.cmd_text("INFO"),
        proxy.log_text()
    );
    // Another write, then the same: reads leave the master again.
    assert_eq!(c.cmd_text("SET newer 1"), "+OK\r\n");
    let before = routing(&mut info, "reads_to_replicas");
    assert!(wait_until(Duration::from_secs(30), || {
        assert_eq!(c.cmd_text("GET newer"), "$1\r\n1\r\n");
        routing(&mut info, "reads_to_replicas") > before
    }));
    let mut reader = proxy.conn();
    let before = routing(&mut info, "reads_to_replicas");
    assert!(wait_until(Duration::from_secs(30), || {
        assert_eq!(reader.cmd_text("GET old"), bulk("written-long-ago"));
        routing(&mut info, "reads_to_replicas") > before
    }));
    eprintln!("{}", info.cmd_text("INFO routing"));
}

/// 1c (pipelined). A write and a read of the same key in one packet, at a moment when both
/// replicas have caught up with the session's previous write and then stalled: the read must
/// not go to a replica. (The write is still gathered in the session's batch, not yet sent,
/// when the read is routed; a read that looked only at the writes already sent would go to a
/// replica that has every earlier write and miss this one.) Deterministic: the replicas cannot
/// receive the new write while their links are stalled.
#[test]
fn a_read_pipelined_behind_a_write_follows_it() {
    const ROUNDS: usize = 10;
    let t = trio();
    let proxy = ryw_proxy(&t);
    let mut c = proxy.conn();
    let mut info = proxy.conn();
    let mut stale = Vec::new();
    for n in 0..ROUNDS {
        for relay in &t.relays {
            relay.resume();
        }
        let value = format!("before{n}");
        assert_eq!(c.cmd_text(&format!("SET pk {value}")), "+OK\r\n");
        // Wait until the session reads that write from a replica again: a replica has caught
        // up past it.
        let before = routing(&mut info, "reads_to_replicas");
        let back = wait_until(Duration::from_secs(20), || {
            assert_eq!(c.cmd_text("GET pk"), bulk(&value), "round {n}");
            routing(&mut info, "reads_to_replicas") > before
        });
        assert!(
            back,
            "round {n}: reads never went back to the replicas\n{}",
            info.cmd_text("INFO")
        );
        for relay in &t.relays {
            relay.stall();
        }
        let value = format!("after{n}");
        let set = resp::encode(&[b"SET", b"pk", value.as_bytes()]);
        let get = resp::encode(&[b"GET", b"pk"]);
        c.send(&[set, get].concat());
        assert_eq!(text(&c.read_reply()), "+OK\r\n", "round {n}");
        let read = text(&c.read_reply());
        if read != bulk(&value) {
            stale.push(format!("round {n}: wrote {value}, read {read:?}"));
        }
    }
    for relay in &t.relays {
        relay.resume();
    }
    assert!(
        stale.is_empty(),
        "{} of {ROUNDS} pipelined reads missed the write ahead of them:\n{}\n{}",
        stale.len(),
        stale.join("\n"),
        info.cmd_text("INFO routing")
    );
}

/// A proxy whose static master is the relay in front of `master`, read-policy master, with
/// these hold settings.
fn held_proxy(relay: &Relay, hold: &str) -> Proxy {
    Proxy::start(
        "",
        &format!(
            "name = \"held\"\nread-policy = \"master\"\n{hold}\n[listener.backend]\nconnect-timeout-ms = 300\nhealth-interval-ms = 100\n{}",
            static_topology(relay.port(), &[])
        ),
    )
}

/// Take the master away: new connections are refused and the open ones cut. Returns once the
/// proxy has no connection to it left, so nothing can be written to a dying connection.
fn take_master_away(relay: &Relay, proxy: &Proxy) {
    relay.refuse(true);
    relay.cut();
    let mut info = proxy.conn();
    let mut line = String::new();
    let gone = wait_until(Duration::from_secs(30), || {
        line = backend_line(&mut info, relay.port());
        relay.open_connections() == 0 && backend_field(&line, "connections").as_deref() == Some("0")
    });
    assert!(
        gone,
        "the proxy kept connections to the master: {line} (relay: {} open)",
        relay.open_connections()
    );
}

/// A master behind a relay, a proxy on it with these hold settings, a client that wrote once
/// through it; then the master taken away.
struct Away {
    master: Server,
    relay: Relay,
    proxy: Proxy,
    client: resp::Conn,
}

fn master_away(hold: &str) -> Away {
    let master = Server::node(&[]);
    let relay = Relay::start(master.port);
    let proxy = held_proxy(&relay, hold);
    let mut client = proxy.conn();
    assert_eq!(client.cmd_text("SET before 1"), "+OK\r\n");
    take_master_away(&relay, &proxy);
    Away {
        master,
        relay,
        proxy,
        client,
    }
}

/// Give the master back; the client's writes go through again.
fn writes_come_back(relay: &Relay, client: &mut resp::Conn, proxy: &Proxy) {
    relay.refuse(false);
    let mut last = String::new();
    let back = wait_until(Duration::from_secs(30), || {
        last = client.cmd_text("SET after 1");
        last == "+OK\r\n"
    });
    assert!(back, "{last}\n{}", proxy.log_text());
}

/// 1d. A write finding no usable master waits up to failover-hold-ms for one: with the master
/// unreachable for about a second the client sees nothing but its replies, in order. (The
/// hold is far longer than the outage, so a slow machine cannot make it run out.)
#[test]
fn a_write_is_held_until_the_master_is_back() {
    let Away {
        master,
        relay,
        proxy,
        client: mut c,
    } = master_away("failover-hold-ms = 30000");
    let mut info = proxy.conn();
    let away = Instant::now();
    let client = std::thread::spawn(move || {
        let sent = Instant::now();
        // Three commands in one packet: the first is held, the others wait behind it.
        c.send(
            &[
                resp::encode(&[b"SET", b"held", b"1"]),
                resp::encode(&[b"INCR", b"held"]),
                resp::encode(&[b"GET", b"held"]),
            ]
            .concat(),
        );
        let replies: Vec<String> = (0..3)
            .map(|_| match c.try_read_reply() {
                Ok(r) => text(&r),
                Err(e) => format!("read error: {e}"),
            })
            .collect();
        (replies, sent.elapsed(), c)
    });
    // The outage: the write is held, and about a second passed without a master.
    let held = wait_until(Duration::from_secs(20), || {
        info_field(&mut info, "routing", "held_bytes").is_some_and(|b| b != "0")
    });
    assert!(held, "the write was not held\n{}", proxy.log_text());
    std::thread::sleep(Duration::from_secs(1).saturating_sub(away.elapsed()));
    let during = info.cmd_text("INFO routing");
    relay.refuse(false);
    let (replies, waited, mut c) = client.join().expect("client");
    let routing_text = info.cmd_text("INFO routing");
    eprintln!(
        "held write: replies after {:.0} ms (master away for {:.0} ms)\nduring the outage:\n{during}\nafter:\n{routing_text}",
        waited.as_secs_f64() * 1000.0,
        away.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(
        replies,
        ["+OK\r\n", ":2\r\n", "$1\r\n2\r\n"],
        "{routing_text}\n{}",
        proxy.log_text()
    );
    assert!(routing(&mut info, "held") > 0, "{routing_text}");
    assert_eq!(c.cmd_text("GET held"), "$1\r\n2\r\n");
    let mut m = master.conn();
    assert_eq!(m.cmd_text("GET held"), "$1\r\n2\r\n");
}

/// 1d. The hold ends: a write still without a master after failover-hold-ms gets an error
/// saying it was not sent; once the master is back, writes go through again.
#[test]
fn a_held_write_fails_when_the_hold_expires() {
    let Away {
        master,
        relay,
        proxy,
        client: mut c,
    } = master_away("failover-hold-ms = 500");
    let mut info = proxy.conn();
    let away = Instant::now();
    let sent = Instant::now();
    let reply = c.cmd_text("SET during 1");
    let waited = sent.elapsed();
    eprintln!(
        "hold expired: error after {:.0} ms: {reply}",
        waited.as_secs_f64() * 1000.0
    );
    assert_eq!(
        reply,
        "-ERR proxy: no master for group 'held' within failover-hold-ms (500 ms) (not sent, safe to retry)\r\n",
        "{}",
        proxy.log_text()
    );
    assert!(routing(&mut info, "hold_expired") > 0);
    // The rest of a two-second outage, then the master is back.
    std::thread::sleep(Duration::from_secs(2).saturating_sub(away.elapsed()));
    writes_come_back(&relay, &mut c, &proxy);
    let mut m = master.conn();
    assert_eq!(m.cmd_text("EXISTS during"), ":0\r\n");
}

/// 1d. Held requests are bounded: one that would take the listener's held bytes past
/// failover-hold-max-bytes is refused at once.
#[test]
fn a_write_beyond_failover_hold_max_bytes_is_refused_at_once() {
    let Away {
        master,
        relay,
        proxy,
        client: mut c,
    } = master_away("failover-hold-ms = 5000\nfailover-hold-max-bytes = 100");
    let value = "v".repeat(1000);
    let sent = Instant::now();
    let reply = text(&c.call(&[b"SET", b"big", value.as_bytes()]));
    eprintln!(
        "hold full: error after {:.0} ms: {reply}",
        sent.elapsed().as_secs_f64() * 1000.0
    );
    assert_eq!(
        reply,
        "-ERR proxy: failover hold full for group 'held' (not sent, safe to retry)\r\n",
        "{}",
        proxy.log_text()
    );
    writes_come_back(&relay, &mut c, &proxy);
    let mut m = master.conn();
    assert_eq!(m.cmd_text("EXISTS big"), ":0\r\n");
}

/// 1d. A write refused with -NOREPLICAS (`min-replicas-to-write` and no replica attached yet,
/// as on a master just promoted) did not run: it is held and sent again, and goes through once
/// a replica attaches. When none attaches within the hold, the client gets the refusal itself.
#[test]
fn a_write_refused_for_want_of_replicas_is_held_until_one_attaches() {
    let guard = [
        "--min-replicas-to-write",
        "1",
        "--min-replicas-max-lag",
        "10",
    ];
    let master = Server::node(&guard);
    let listener = |port: u16, hold: u64| {
        format!(
            "name = \"held\"\nread-policy = \"master\"\nfailover-hold-ms = {hold}\n{}",
            static_topology(port, &[])
        )
    };
    let proxy = Proxy::start("", &listener(master.port, 20_000));
    let mut info = proxy.conn();
    let mut c = proxy.conn();
    let writer = std::thread::spawn(move || c.cmd_text("SET held 1"));
    // The write is held (refused by the master) before any replica exists.
    let held = wait_until(Duration::from_secs(10), || {
        info_field(&mut info, "routing", "held_bytes").is_some_and(|b| b != "0")
    });
    assert!(held, "{}", proxy.log_text());
    let replica = Server::node(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
    assert_eq!(writer.join().expect("writer"), "+OK\r\n");
    assert!(routing(&mut info, "held") > 0);
    let mut m = master.conn();
    assert_eq!(m.cmd_text("GET held"), "$1\r\n1\r\n");
    drop(replica);
    // Without a replica for longer than the hold: the master's own refusal, not the hold's
    // error.
    let lonely = Server::node(&guard);
    let short = Proxy::start("", &listener(lonely.port, 300));
    let reply = short.conn().cmd_text("SET refused 1");
    assert!(reply.starts_with("-NOREPLICAS"), "{reply}");
}
