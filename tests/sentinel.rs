//! `switchyard sentinel` end to end: the real binary managing real redis-server instances —
//! the API and its exact replies, the rewritten config file, a three-sentinel failover after
//! kill -9, a sentinel cut off from its peers, a forced failover and two masters at once.

#[path = "support/sentinel.rs"]
mod sentinel_support;
mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sentinel_support::{
    Events, Proc, conf_text, field, master_port, masters, monitor_conf, ours, real_down_after,
    redis_group, wait_group_formed, wait_replicas_up,
};
use support::resp::Conn;
use support::wait_until;

const DOWN_AFTER: u64 = 1000;
const FAILOVER_TIMEOUT: u64 = 5000;

fn text(reply: Vec<u8>) -> String {
    String::from_utf8_lossy(&reply).into_owned()
}

/// Send each command and compare its reply byte for byte.
fn expect_replies(c: &mut Conn, steps: &[(&str, &str)]) {
    for (command, reply) in steps {
        assert_eq!(text(c.cmd(command)), *reply, "{command}");
    }
}

#[test]
fn api_replies_and_config_file() {
    let Some((master, replicas)) = redis_group(1) else {
        return;
    };
    let mut s = ours(&monitor_conf(master.port, 1, DOWN_AFTER, FAILOVER_TIMEOUT));
    let mut c = Conn::connect(s.port);
    assert_eq!(text(c.cmd("PING")), "+PONG\r\n");
    assert_eq!(
        text(c.cmd("ROLE")),
        "*2\r\n$8\r\nsentinel\r\n*1\r\n$3\r\nmym\r\n"
    );
    let myid = s.query::<String>(&["SENTINEL", "MYID"]).unwrap();
    assert_eq!(myid.len(), 40);
    assert!(conf_text(&s).contains(&format!("sentinel myid {myid}")));
    let addr = format!(
        "*2\r\n$9\r\n127.0.0.1\r\n${}\r\n{}\r\n",
        master.port.to_string().len(),
        master.port
    );
    assert_eq!(text(c.cmd("SENTINEL get-master-addr-by-name mym")), addr);
    // Exact replies, errors included.
    expect_replies(
        &mut c,
        &[
            ("SENTINEL get-master-addr-by-name nope", "*-1\r\n"),
            (
                "SENTINEL master nope",
                "-ERR No such master with that name\r\n",
            ),
            (
                "SENTINEL masters x",
                "-ERR wrong number of arguments for 'sentinel|masters' command\r\n",
            ),
            (
                "SENTINEL frob",
                "-ERR unknown subcommand 'frob'. Try SENTINEL HELP.\r\n",
            ),
            (
                "GET k",
                "-ERR unknown command 'GET', with args beginning with: 'k' \r\n",
            ),
            (
                "PUBLISH chan x",
                "-ERR Only HELLO messages are accepted by Sentinel instances.\r\n",
            ),
            (
                "SENTINEL ckquorum mym",
                "+OK 1 usable Sentinels. Quorum and failover authorization can be reached\r\n",
            ),
        ],
    );
    // The replica is discovered from the master's INFO and written to the file.
    assert!(wait_replicas_up(&s, 1));
    let replica_line = format!("sentinel known-replica mym 127.0.0.1 {}", replicas[0].port);
    assert!(wait_until(Duration::from_secs(5), || conf_text(&s)
        .contains(&replica_line)));
    let m = &masters(&s)[0];
    let keys = [
        "name",
        "ip",
        "port",
        "runid",
        "flags",
        "link-pending-commands",
        "link-refcount",
        "last-ping-sent",
        "last-ok-ping-reply",
        "last-ping-reply",
        "down-after-milliseconds",
        "info-refresh",
        "role-reported",
        "role-reported-time",
        "config-epoch",
        "num-slaves",
        "num-other-sentinels",
        "quorum",
        "failover-timeout",
        "parallel-syncs",
    ];
    for key in keys {
        assert!(m.contains_key(key), "{key} missing from {m:?}");
    }
    assert_eq!(field(m, "flags"), "master");
    assert_eq!(field(m, "num-slaves"), "1");
    // RESP3: a real map, keys in Redis's order.
    let mut c3 = Conn::connect(s.port);
    let hello = text(c3.cmd("HELLO 3"));
    assert!(
        hello.starts_with("%6\r\n$6\r\nserver\r\n$5\r\nredis\r\n"),
        "{hello}"
    );
    assert!(
        hello.contains("$4\r\nmode\r\n$8\r\nsentinel\r\n"),
        "{hello}"
    );
    let master3 = text(c3.cmd("SENTINEL master mym"));
    assert!(master3.starts_with("%"), "{master3}");
    assert!(
        master3.contains("$4\r\nname\r\n$3\r\nmym\r\n$2\r\nip\r\n"),
        "{master3}"
    );
    let info = s.query::<String>(&["INFO", "sentinel"]).unwrap();
    assert!(
        info.contains(&format!(
            "master0:name=mym,status=ok,address=127.0.0.1:{},slaves=1,sentinels=1",
            master.port
        )),
        "{info}"
    );
    // SET, MONITOR, REMOVE, CONFIG.
    assert_eq!(
        text(c.cmd("SENTINEL set mym quorum 0")),
        "-ERR Invalid argument '0' for SENTINEL SET 'quorum'\r\n"
    );
    assert_eq!(text(c.cmd("SENTINEL set mym parallel-syncs 2")), "+OK\r\n");
    assert!(conf_text(&s).contains("sentinel parallel-syncs mym 2"));
    let other = format!("SENTINEL monitor other 127.0.0.1 {} 2", replicas[0].port);
    assert_eq!(text(c.cmd(&other)), "+OK\r\n");
    assert_eq!(text(c.cmd(&other)), "-ERR Duplicated master name\r\n");
    let role = text(c.cmd("ROLE"));
    assert!(role.contains("mym") && role.contains("other"), "{role}");
    let info = s.query::<String>(&["INFO", "sentinel"]).unwrap();
    assert!(info.contains("sentinel_masters:2") && info.contains("master1:name=other"));
    assert!(conf_text(&s).contains("sentinel monitor other 127.0.0.1"));
    assert_eq!(text(c.cmd("SENTINEL remove other")), "+OK\r\n");
    assert!(!conf_text(&s).contains("sentinel monitor other"));
    expect_replies(
        &mut c,
        &[
            ("SENTINEL config set announce-port 0", "+OK\r\n"),
            (
                "SENTINEL config get announce-port",
                "*2\r\n$13\r\nannounce-port\r\n$1\r\n0\r\n",
            ),
        ],
    );
    // A malformed request gets Redis's protocol error and the connection is closed.
    let mut bad = Conn::connect(s.port);
    bad.send(b"*1\r\n:12\r\n");
    let (reply, _) = bad.read_until_end(Duration::from_millis(500));
    assert_eq!(
        text(reply),
        "-ERR Protocol error: expected '$', got ':'\r\n"
    );
    // The state question and the vote request of SENTINEL is-master-down-by-addr.
    let port = master.port.to_string();
    let ask = |c: &mut Conn, epoch: &str, runid: &str| {
        text(c.call(&[
            b"SENTINEL",
            b"is-master-down-by-addr",
            b"127.0.0.1",
            port.as_bytes(),
            epoch.as_bytes(),
            runid.as_bytes(),
        ]))
    };
    assert_eq!(ask(&mut c, "0", "*"), "*3\r\n:0\r\n$1\r\n*\r\n:0\r\n");
    let candidate = "c".repeat(40);
    let vote = ask(&mut c, "5", &candidate);
    assert_eq!(vote, format!("*3\r\n:0\r\n$40\r\n{candidate}\r\n:5\r\n"));
    // The vote and the epoch were on disk before the reply left.
    let file = conf_text(&s);
    assert!(
        file.contains("sentinel current-epoch 5") && file.contains("sentinel leader-epoch mym 5"),
        "{file}"
    );
    // One vote per epoch.
    assert_eq!(ask(&mut c, "5", &myid), vote);
    // A restarted sentinel resumes from its file: same id, replica already known.
    s.restart();
    assert_eq!(s.query::<String>(&["SENTINEL", "MYID"]).unwrap(), myid);
    let known = s
        .query::<Vec<HashMap<String, String>>>(&["SENTINEL", "REPLICAS", "mym"])
        .unwrap();
    assert_eq!(known.len(), 1, "{known:?}");
    assert_eq!(field(&masters(&s)[0], "parallel-syncs"), "2");
}

#[test]
fn example_config_starts_and_is_rewritten() {
    let s = ours(
        &std::fs::read_to_string(support::repo_root().join("examples/sentinel.conf")).unwrap(),
    );
    let m = &masters(&s)[0];
    assert_eq!(field(m, "name"), "mymaster");
    assert_eq!(field(m, "quorum"), "2");
    assert_eq!(field(m, "down-after-milliseconds"), "30000");
    let file = conf_text(&s);
    assert!(
        file.starts_with("# Example configuration for `switchyard sentinel`"),
        "{file}"
    );
    assert!(file.contains(&format!("port {}", s.port)), "{file}");
    assert!(file.contains("sentinel myid "), "{file}");
}

#[test]
fn sentinel_rejects_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.conf");
    std::fs::write(&path, "sentinel down-after-milliseconds nope 10\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("sentinel")
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No such master with specified name."), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
        .arg("sentinel")
        .arg(dir.path().join("missing.conf"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Sentinel needs config file"));
}

/// Three sentinels (quorum 2) watching a real master with two real replicas.
fn three_sentinels(
    master: &Proc,
    start: fn(&str) -> Option<Proc>,
    down_after: u64,
) -> Option<Vec<Proc>> {
    let conf = monitor_conf(master.port, 2, down_after, FAILOVER_TIMEOUT);
    let mut group = Vec::new();
    for _ in 0..3 {
        group.push(start(&conf)?);
    }
    assert!(
        wait_group_formed(&group, 2),
        "sentinels did not find each other: {:?}",
        masters(&group[0])
    );
    Some(group)
}

#[test]
fn three_sentinels_fail_over_once_after_kill_9() {
    failover_after_kill_9(
        "switchyard sentinel",
        |conf| Some(ours(conf)),
        redis_group,
        DOWN_AFTER,
    );
}

/// The same scenario with three real redis-sentinel processes: checks the test's own
/// expectations, and gives the figures to compare with.
#[test]
fn same_failover_with_real_redis_sentinels() {
    failover_after_kill_9(
        "redis-sentinel",
        sentinel_support::real,
        redis_group,
        real_down_after(),
    );
}

/// Our sentinels, and our nodes as master and replicas.
#[test]
fn our_sentinels_fail_over_our_nodes() {
    failover_after_kill_9(
        "switchyard sentinel, switchyard nodes",
        |conf| Some(ours(conf)),
        sentinel_support::node_group,
        DOWN_AFTER,
    );
}

/// Real redis-sentinel managing our nodes.
#[test]
fn real_sentinels_fail_over_our_nodes() {
    failover_after_kill_9(
        "redis-sentinel, switchyard nodes",
        sentinel_support::real,
        sentinel_support::node_group,
        real_down_after(),
    );
}

fn failover_after_kill_9(
    label: &str,
    start: fn(&str) -> Option<Proc>,
    data_nodes: fn(usize) -> Option<(Proc, Vec<Proc>)>,
    down_after: u64,
) {
    let Some((mut master, replicas)) = data_nodes(2) else {
        return;
    };
    let Some(mut sentinels) = three_sentinels(&master, start, down_after) else {
        return;
    };
    let events: Vec<Events> = sentinels.iter().map(|s| Events::watch(s.port)).collect();
    // Writes acknowledged by a replica must survive the failover.
    let mut con = master.client();
    for i in 0..100 {
        let _: () = redis::cmd("SET")
            .arg(format!("k{i}"))
            .arg(i)
            .query(&mut con)
            .unwrap();
    }
    let acked: i64 = redis::cmd("WAIT").arg(2).arg(5000).query(&mut con).unwrap();
    assert_eq!(acked, 2);
    drop(con);
    let old_port = master.port;
    let killed = Instant::now();
    master.kill();
    // A client that asks the sentinels for the master, as redis-py does, until a write works.
    let first_write = {
        let deadline = killed + Duration::from_secs(30);
        let mut done = None;
        while Instant::now() < deadline && done.is_none() {
            for s in &sentinels {
                if let Some(port) = master_port(s)
                    && port != old_port
                    && let Ok(client) = redis::Client::open(format!("redis://127.0.0.1:{port}/"))
                    && let Ok(mut c) =
                        client.get_connection_with_timeout(Duration::from_millis(200))
                    && redis::cmd("SET")
                        .arg("after")
                        .arg(1)
                        .query::<()>(&mut c)
                        .is_ok()
                {
                    done = Some(killed.elapsed());
                    break;
                }
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        done.expect("no write succeeded after the failover")
    };
    let mut switch_times = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let (payload, at) = e
            .wait_for("+switch-master", Duration::from_secs(30))
            .unwrap_or_else(|| panic!("sentinel {i} saw no +switch-master:\n{}", e.text()));
        assert!(payload.starts_with(&format!("mym 127.0.0.1 {old_port} 127.0.0.1 ")));
        switch_times.push(at.duration_since(killed));
    }
    let odown = events
        .iter()
        .filter_map(|e| e.first("+odown").map(|(_, t)| t.duration_since(killed)))
        .min()
        .expect("+odown");
    // Exactly one failover: one leader, one promotion, one switch per sentinel.
    std::thread::sleep(Duration::from_millis(500));
    let total = |channel: &str| events.iter().map(|e| e.count(channel)).sum::<usize>();
    assert_eq!(total("+elected-leader"), 1, "{}", events[0].text());
    assert_eq!(total("+promoted-slave"), 1);
    assert_eq!(total("+failover-end"), 1);
    for e in &events {
        assert_eq!(e.count("+switch-master"), 1, "{}", e.text());
    }
    let new_port = master_port(&sentinels[0]).unwrap();
    assert!(sentinels.iter().all(|s| master_port(s) == Some(new_port)));
    let promoted = replicas
        .iter()
        .find(|r| r.port == new_port)
        .expect("a replica");
    let other = replicas
        .iter()
        .find(|r| r.port != new_port)
        .expect("the other");
    let role: Vec<redis::Value> = promoted.query(&["ROLE"]).unwrap();
    assert_eq!(role[0], redis::Value::BulkString(b"master".to_vec()));
    assert!(wait_until(Duration::from_secs(10), || {
        other
            .query::<String>(&["INFO", "replication"])
            .is_ok_and(|i| {
                i.contains(&format!("master_port:{new_port}"))
                    && i.contains("master_link_status:up")
            })
    }));
    let keys: i64 = promoted.query(&["DBSIZE"]).unwrap();
    assert!(keys >= 100, "acknowledged writes lost: {keys} keys");
    println!(
        "{label} figures (down-after-milliseconds {down_after}, failover-timeout {FAILOVER_TIMEOUT}): \
         kill -9 -> +odown {odown:?}, -> +switch-master {switch_times:?}, \
         -> first write through the sentinels {first_write:?}"
    );
    // The old master comes back empty and is turned into a replica of the new one.
    master.restart();
    assert!(
        wait_until(Duration::from_secs(30), || {
            master
                .query::<String>(&["INFO", "replication"])
                .is_ok_and(|i| {
                    i.contains("role:slave") && i.contains(&format!("master_port:{new_port}"))
                })
        }),
        "old master not converted:\n{}",
        events[0].text()
    );
    assert!(events.iter().any(|e| e.count("+convert-to-slave") == 1));
    // Every file records the new master and the agreed epoch; a restarted sentinel resumes.
    let epoch_line = format!(
        "sentinel config-epoch mym {}",
        field(&masters(&sentinels[0])[0], "config-epoch")
    );
    for s in &sentinels {
        let file = conf_text(s);
        assert!(
            file.contains(&format!("sentinel monitor mym 127.0.0.1 {new_port} 2")),
            "{file}"
        );
        assert!(file.contains(&epoch_line), "{file}");
        assert_eq!(
            file.matches("sentinel known-sentinel mym").count(),
            2,
            "{file}"
        );
    }
    sentinels[0].restart();
    assert_eq!(master_port(&sentinels[0]), Some(new_port));
    assert_eq!(
        field(&masters(&sentinels[0])[0], "num-other-sentinels"),
        "2"
    );
    let peers: Vec<HashMap<String, String>> = sentinels[1]
        .query(&["SENTINEL", "SENTINELS", "mym"])
        .unwrap();
    assert_eq!(peers.len(), 2);
    for key in [
        "name",
        "runid",
        "flags",
        "last-hello-message",
        "voted-leader",
        "voted-leader-epoch",
    ] {
        assert!(peers[0].contains_key(key), "{key} missing: {peers:?}");
    }
}

#[test]
fn sentinel_cut_off_from_its_peers_cannot_fail_over() {
    let Some((mut master, _replicas)) = redis_group(1) else {
        return;
    };
    // Quorum 1: the lone sentinel reaches ODOWN by itself, but not a majority of votes.
    let conf = monitor_conf(master.port, 1, DOWN_AFTER, 2000);
    let group: Vec<Proc> = (0..3).map(|_| ours(&conf)).collect();
    assert!(wait_until(Duration::from_secs(20), || {
        group.iter().all(|s| {
            masters(s)
                .first()
                .is_some_and(|m| field(m, "num-other-sentinels") == "2")
        })
    }));
    let events = Events::watch(group[0].port);
    group[1].signal("STOP");
    group[2].signal("STOP");
    master.kill();
    let aborted = events.wait_for("-failover-abort-not-elected", Duration::from_secs(15));
    group[1].signal("CONT");
    group[2].signal("CONT");
    assert!(aborted.is_some(), "{}", events.text());
    assert!(events.first("+odown").is_some());
    assert_eq!(events.count("+elected-leader"), 0, "{}", events.text());
    assert_eq!(events.count("+switch-master"), 0, "{}", events.text());
}

#[test]
fn forced_failover_picks_by_priority_and_honours_parallel_syncs() {
    let Some((master, replicas)) = sentinel_support::redis_group_with(&[
        &[],
        &["--replica-priority", "50"],
        &["--replica-priority", "0"],
    ]) else {
        return;
    };
    let s = ours(&monitor_conf(master.port, 1, DOWN_AFTER, FAILOVER_TIMEOUT));
    let events = Events::watch(s.port);
    let mut c = Conn::connect(s.port);
    assert!(wait_replicas_up(&s, 3));
    assert_eq!(text(c.cmd("SENTINEL failover mym")), "+OK\r\n");
    let (payload, _) = events
        .wait_for("+switch-master", Duration::from_secs(30))
        .unwrap_or_else(|| panic!("{}", events.text()));
    let chosen = replicas[1].port;
    assert_eq!(
        payload,
        format!("mym 127.0.0.1 {} 127.0.0.1 {chosen}", master.port)
    );
    assert_eq!(master_port(&s), Some(chosen));
    assert_eq!(events.count("+elected-leader"), 1);
    // parallel-syncs 1: the second replica is sent SLAVEOF only once the first is done.
    let order: Vec<String> = events
        .all()
        .into_iter()
        .filter(|(c, _, _)| c.starts_with("+slave-reconf-"))
        .map(|(c, _, _)| c)
        .collect();
    assert_eq!(
        order,
        [
            "+slave-reconf-sent",
            "+slave-reconf-inprog",
            "+slave-reconf-done",
            "+slave-reconf-sent",
            "+slave-reconf-inprog",
            "+slave-reconf-done"
        ],
        "{}\n{:?}",
        events.text(),
        replicas
            .iter()
            .map(|r| r
                .query::<String>(&["INFO", "replication"])
                .unwrap_or_default())
            .collect::<Vec<_>>()
    );
    let file = conf_text(&s);
    assert!(
        file.contains(&format!("sentinel monitor mym 127.0.0.1 {chosen} 1")),
        "{file}"
    );
    assert!(file.contains("sentinel config-epoch mym 1"), "{file}");
    assert!(file.contains("sentinel current-epoch 1"), "{file}");
    assert!(file.contains(&format!(
        "sentinel known-replica mym 127.0.0.1 {}",
        master.port
    )));
    // The old master was alive all along: it is demoted to a replica of the new one.
    assert!(wait_until(Duration::from_secs(30), || {
        master
            .query::<String>(&["INFO", "replication"])
            .is_ok_and(|i| i.contains("role:slave"))
    }));
    assert_eq!(
        text(c.cmd("SENTINEL failover nope")),
        "-ERR No such master with that name\r\n"
    );
}

#[test]
fn no_failover_without_a_good_replica() {
    let Some((master, _replicas)) =
        sentinel_support::redis_group_with(&[&["--replica-priority", "0"]])
    else {
        return;
    };
    let s = ours(&monitor_conf(master.port, 1, DOWN_AFTER, FAILOVER_TIMEOUT));
    let mut c = Conn::connect(s.port);
    assert!(wait_until(Duration::from_secs(15), || {
        s.query::<Vec<HashMap<String, String>>>(&["SENTINEL", "REPLICAS", "mym"])
            .is_ok_and(|r| r.len() == 1 && field(&r[0], "slave-priority") == "0")
    }));
    assert_eq!(
        text(c.cmd("SENTINEL failover mym")),
        "-NOGOODSLAVE No suitable replica to promote\r\n"
    );
    // RESET forgets the replica; the master's INFO brings it back.
    assert_eq!(text(c.cmd("SENTINEL reset *")), ":1\r\n");
    assert!(wait_until(Duration::from_secs(15), || {
        s.query::<Vec<HashMap<String, String>>>(&["SENTINEL", "REPLICAS", "mym"])
            .is_ok_and(|r| r.len() == 1)
    }));
    let cache: Vec<redis::Value> = s.query(&["SENTINEL", "INFO-CACHE", "mym"]).unwrap();
    assert_eq!(cache.len(), 2);
    assert_eq!(cache[0], redis::Value::BulkString(b"mym".to_vec()));
    // Garbage on the wire: errors, never a crash.
    for junk in [
        &b"*3\r\n$-5\r\n"[..],
        b"*99999999999\r\n",
        b"PING \"unbalanced\r\n",
        b"\x00\x01\x02\r\n",
        b"*2\r\n$8\r\nSENTINEL\r\n$3\r\nfoo\r\n",
    ] {
        let mut bad = Conn::connect(s.port);
        bad.send(junk);
        let _ = bad.read_until_end(Duration::from_millis(200));
    }
    assert_eq!(text(c.cmd("PING")), "+PONG\r\n");
}

#[test]
fn passwords_clients_and_pubsub() {
    let Some(master) =
        sentinel_support::redis_at(support::free_port(), &["--requirepass", "datapw"])
    else {
        return;
    };
    let conf = format!(
        "requirepass sentpw\n{}sentinel auth-pass mym datapw\n",
        monitor_conf(master.port, 1, DOWN_AFTER, FAILOVER_TIMEOUT)
    );
    let s = ours(&conf);
    let mut c = Conn::connect(s.port);
    expect_replies(
        &mut c,
        &[
            ("SENTINEL masters", "-NOAUTH Authentication required.\r\n"),
            (
                "AUTH nope",
                "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
            ),
            ("AUTH default sentpw", "+OK\r\n"),
        ],
    );
    // auth-pass opens the links to the master: INFO arrives, the link is up.
    let mut m = HashMap::new();
    assert!(
        wait_until(Duration::from_secs(10), || {
            let reply = text(c.cmd("SENTINEL master mym"));
            let items = sentinel_support::bulks(reply.as_bytes());
            m = items
                .chunks(2)
                .filter(|kv| kv.len() == 2)
                .map(|kv| (kv[0].clone(), kv[1].clone()))
                .collect();
            field(&m, "flags") == "master" && field(&m, "runid").len() == 40
        }),
        "{m:?}"
    );
    // CLIENT.
    assert_eq!(text(c.cmd("CLIENT SETNAME probe")), "+OK\r\n");
    assert_eq!(text(c.cmd("CLIENT GETNAME")), "$5\r\nprobe\r\n");
    assert!(text(c.cmd("CLIENT ID")).starts_with(':'));
    let list = text(c.cmd("CLIENT LIST"));
    assert!(
        list.contains("name=probe") && list.contains("cmd=client|list"),
        "{list}"
    );
    assert_eq!(
        text(c.cmd("CLIENT SETNAME a b")),
        "-ERR wrong number of arguments for 'client|setname' command\r\n"
    );
    // Pub/sub: RESP2 context rules, events as messages.
    let mut sub = Conn::connect(s.port);
    assert_eq!(text(sub.cmd("AUTH sentpw")), "+OK\r\n");
    assert_eq!(
        text(sub.cmd("SUBSCRIBE +set")),
        "*3\r\n$9\r\nsubscribe\r\n$4\r\n+set\r\n:1\r\n"
    );
    assert_eq!(text(sub.cmd("PING")), "*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    assert_eq!(
        text(sub.cmd("ROLE")),
        "-ERR Can't execute 'role': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n"
    );
    assert_eq!(
        text(c.cmd("SENTINEL set mym failover-timeout 6000")),
        "+OK\r\n"
    );
    let message = text(sub.read_reply());
    assert_eq!(
        message,
        format!(
            "*3\r\n$7\r\nmessage\r\n$4\r\n+set\r\n${}\r\nmaster mym 127.0.0.1 {} failover-timeout 6000\r\n",
            format!("master mym 127.0.0.1 {} failover-timeout 6000", master.port).len(),
            master.port
        )
    );
    // CLIENT KILL TYPE pubsub spares the caller and closes the subscriber.
    assert_eq!(text(c.cmd("CLIENT KILL TYPE pubsub")), ":1\r\n");
    assert!(sub.wait_closed(Duration::from_secs(2)));
}

#[test]
fn tilt_after_the_process_stood_still() {
    let Some((master, _replicas)) = redis_group(0) else {
        return;
    };
    let s = ours(&monitor_conf(master.port, 1, DOWN_AFTER, FAILOVER_TIMEOUT));
    let events = Events::watch(s.port);
    s.signal("STOP");
    std::thread::sleep(Duration::from_millis(2600));
    s.signal("CONT");
    let (payload, _) = events
        .wait_for("+tilt", Duration::from_secs(5))
        .unwrap_or_else(|| panic!("{}", events.text()));
    assert_eq!(payload, "#tilt mode entered");
    let info = s.query::<String>(&["INFO", "sentinel"]).unwrap();
    assert!(info.contains("sentinel_tilt:1"), "{info}");
    // In TILT the sentinel does not say a master is down.
    let reply: Vec<redis::Value> = s
        .query(&[
            "SENTINEL",
            "is-master-down-by-addr",
            "127.0.0.1",
            &master.port.to_string(),
            "0",
            "*",
        ])
        .unwrap();
    assert_eq!(reply[0], redis::Value::Int(0));
    // SHUTDOWN saves the file and ends the process.
    let mut c = Conn::connect(s.port);
    c.send(&support::resp::encode(&[b"SHUTDOWN"]));
    assert!(c.wait_closed(Duration::from_secs(5)));
    assert!(wait_until(Duration::from_secs(5), || Conn::try_connect(
        s.port,
        Duration::from_millis(100)
    )
    .is_err()));
    assert!(conf_text(&s).contains("sentinel myid "));
}

#[test]
fn two_masters_and_only_the_failed_one_switches() {
    let (Some((mut first, first_replicas)), Some((second, _second_replicas))) =
        (redis_group(1), redis_group(1))
    else {
        return;
    };
    let conf = format!(
        "{}sentinel monitor other 127.0.0.1 {} 1\nsentinel down-after-milliseconds other {DOWN_AFTER}\n",
        monitor_conf(first.port, 1, DOWN_AFTER, FAILOVER_TIMEOUT),
        second.port
    );
    let s = ours(&conf);
    assert!(
        wait_until(Duration::from_secs(15), || {
            masters(&s).len() == 2 && masters(&s).iter().all(|m| field(m, "num-slaves") == "1")
        }),
        "{:?}",
        masters(&s)
    );
    assert!(wait_replicas_up(&s, 1));
    let events = Events::watch(s.port);
    first.kill();
    let (payload, _) = events
        .wait_for("+switch-master", Duration::from_secs(20))
        .unwrap_or_else(|| panic!("{}", events.text()));
    assert!(payload.starts_with("mym "), "{payload}");
    assert_eq!(master_port(&s), Some(first_replicas[0].port));
    let other: Option<(String, u16)> = s
        .query(&["SENTINEL", "get-master-addr-by-name", "other"])
        .unwrap();
    assert_eq!(other.map(|(_, p)| p), Some(second.port));
    assert_eq!(events.count("+switch-master"), 1, "{}", events.text());
    let info = s.query::<String>(&["INFO", "sentinel"]).unwrap();
    assert!(info.contains("sentinel_masters:2"), "{info}");
}

/// Our node as the master (its INFO and ROLE are what the sentinels read) with real
/// redis-server replicas: our sentinels, or real redis-sentinels, fail over from it.
fn node_master_fails_over(start: fn(&str) -> Option<Proc>, down_after: u64) {
    let node = support::Server::node(&[]);
    let mut replicas = Vec::new();
    for _ in 0..2 {
        let mp = node.port.to_string();
        let Some(r) =
            sentinel_support::redis_at(support::free_port(), &["--replicaof", "127.0.0.1", &mp])
        else {
            return;
        };
        replicas.push(r);
    }
    assert!(wait_until(Duration::from_secs(20), || {
        replicas.iter().all(|r| {
            r.query::<String>(&["INFO", "replication"])
                .is_ok_and(|i| i.contains("master_link_status:up"))
        })
    }));
    let conf = monitor_conf(node.port, 2, down_after, FAILOVER_TIMEOUT);
    let mut group = Vec::new();
    for _ in 0..3 {
        let Some(s) = start(&conf) else {
            return;
        };
        group.push(s);
    }
    assert!(wait_group_formed(&group, 2), "{:?}", masters(&group[0]));
    let events: Vec<Events> = group.iter().map(|s| Events::watch(s.port)).collect();
    let old_port = node.port;
    drop(node); // kill -9
    for (i, e) in events.iter().enumerate() {
        let (payload, _) = e
            .wait_for("+switch-master", Duration::from_secs(30))
            .unwrap_or_else(|| panic!("sentinel {i}: {}", e.text()));
        assert!(
            payload.starts_with(&format!("mym 127.0.0.1 {old_port} ")),
            "{payload}"
        );
    }
    let new_port = master_port(&group[0]).unwrap();
    assert!(replicas.iter().any(|r| r.port == new_port));
}

#[test]
fn our_sentinels_fail_over_from_our_node() {
    node_master_fails_over(|conf| Some(ours(conf)), DOWN_AFTER);
}

#[test]
fn real_sentinels_fail_over_from_our_node() {
    node_master_fails_over(sentinel_support::real, real_down_after());
}

/// Sentinels with `requirepass` reach each other with `sentinel-pass`, or with their own
/// `requirepass` when none is set (as Redis does).
#[test]
fn sentinels_authenticate_to_each_other() {
    let Some((master, _replicas)) = redis_group(1) else {
        return;
    };
    let base = monitor_conf(master.port, 2, DOWN_AFTER, FAILOVER_TIMEOUT);
    let with_pass = format!("requirepass sp\nsentinel sentinel-pass sp\n{base}");
    let without = format!("requirepass sp\n{base}");
    let group = [ours(&with_pass), ours(&without)];
    for s in &group {
        let mut c = Conn::connect(s.port);
        assert_eq!(text(c.cmd("AUTH sp")), "+OK\r\n");
        let mut last = String::new();
        let linked = wait_until(Duration::from_secs(15), || {
            last = text(c.cmd("SENTINEL sentinels mym"));
            let items = sentinel_support::bulks(last.as_bytes());
            items
                .windows(2)
                .any(|kv| kv[0] == "flags" && kv[1] == "sentinel")
        });
        assert!(linked, "{last}");
    }
    assert!(conf_text(&group[0]).contains("sentinel sentinel-pass sp"));
}
