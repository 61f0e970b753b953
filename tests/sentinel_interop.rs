//! Our sentinel next to the real thing: a mixed group (two of ours, one real redis-sentinel)
//! agreeing on one failover, and the Sentinel clients of redis-py (RESP3 and RESP2) and of the
//! `redis` crate finding masters and replicas through ours.

#[path = "support/sentinel.rs"]
mod sentinel_support;
mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use sentinel_support::{
    Events, field, master_port, masters, monitor_conf, ours, real, real_down_after, redis_group,
    wait_group_formed, wait_replicas_up,
};
use support::{missing, repo_root, run_with_timeout, wait_until};

#[test]
fn mixed_group_with_real_sentinel_agrees_on_one_failover() {
    let Some((mut master, replicas)) = redis_group(2) else {
        return;
    };
    let conf = monitor_conf(master.port, 2, real_down_after(), 5000);
    let Some(redis_sentinel) = real(&conf) else {
        return;
    };
    let group = [ours(&conf), ours(&conf), redis_sentinel];
    assert!(
        wait_group_formed(&group, 2),
        "the group did not form: ours {:?} / real {:?}\n{}",
        masters(&group[0]),
        masters(&group[2]),
        group[2].log()
    );
    let events: Vec<Events> = group.iter().map(|s| Events::watch(s.port)).collect();
    let old_port = master.port;
    let killed = Instant::now();
    master.kill();
    for (i, e) in events.iter().enumerate() {
        assert!(
            e.wait_for("+switch-master", Duration::from_secs(40))
                .is_some(),
            "sentinel {i} saw no +switch-master:\n{}\n{}",
            e.text(),
            group[i].log()
        );
    }
    println!(
        "mixed group: every +switch-master within {:?}",
        killed.elapsed()
    );
    std::thread::sleep(Duration::from_millis(500));
    let leaders: usize = events.iter().map(|e| e.count("+elected-leader")).sum();
    assert_eq!(
        leaders,
        1,
        "{}",
        events.iter().map(Events::text).collect::<String>()
    );
    let new_port = master_port(&group[0]).unwrap();
    assert_ne!(new_port, old_port);
    assert!(replicas.iter().any(|r| r.port == new_port));
    assert!(group.iter().all(|s| master_port(s) == Some(new_port)));
}

#[test]
fn redis_crate_sentinel_client_finds_master_and_replica() {
    let Some((master, replicas)) = redis_group(1) else {
        return;
    };
    let s = ours(&monitor_conf(master.port, 1, 1000, 5000));
    assert!(wait_replicas_up(&s, 1));
    let mut sentinel =
        redis::sentinel::Sentinel::build(vec![format!("redis://127.0.0.1:{}/", s.port)])
            .expect("sentinel client");
    let client = sentinel.master_for("mym", None).expect("master_for");
    let mut con = client.get_connection().expect("master connection");
    let _: () = redis::cmd("SET")
        .arg("via")
        .arg("rs")
        .query(&mut con)
        .unwrap();
    let _: i64 = redis::cmd("WAIT").arg(1).arg(2000).query(&mut con).unwrap();
    let replica = sentinel.replica_for("mym", None).expect("replica_for");
    let mut rcon = replica.get_connection().expect("replica connection");
    let role: Vec<redis::Value> = redis::cmd("ROLE").query(&mut rcon).unwrap();
    assert_eq!(role[0], redis::Value::BulkString(b"slave".to_vec()));
    let value: String = redis::cmd("GET").arg("via").query(&mut rcon).unwrap();
    assert_eq!(value, "rs");
    assert_eq!(replicas.len(), 1);
}

/// The repository's `.venv` interpreter with redis-py 8, as tests/redis_py.rs finds it.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("SWITCHYARD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    if !python.is_file() {
        return missing(&format!("{} not found", python.display()));
    }
    Some(python)
}

const PY_CLIENT: &str = r#"
import sys
from redis.sentinel import Sentinel
from redis.exceptions import ReadOnlyError
port, protocol = int(sys.argv[1]), int(sys.argv[2])
s = Sentinel([("127.0.0.1", port)], socket_timeout=2, protocol=protocol)
host, mport = s.discover_master("mym")
slaves = s.discover_slaves("mym")
assert len(slaves) == 1, slaves
m = s.master_for("mym", socket_timeout=2, protocol=protocol)
m.set("py", "ok")
m.execute_command("WAIT", 1, 2000)
r = s.slave_for("mym", socket_timeout=2, protocol=protocol)
assert r.get("py") == b"ok"
try:
    r.set("py", "no")
    raise SystemExit("write to a replica succeeded")
except ReadOnlyError:
    pass
print("master", host, mport, "replicas", slaves)
"#;

fn run_py(protocol: u8) {
    let Some(python) = python() else {
        return;
    };
    let Some((master, _replicas)) = redis_group(1) else {
        return;
    };
    let s = ours(&monitor_conf(master.port, 1, 1000, 5000));
    assert!(wait_replicas_up(&s, 1));
    let out = run_with_timeout(
        Command::new(python)
            .args(["-c", PY_CLIENT, &s.port.to_string(), &protocol.to_string()])
            .env("PYTHONUNBUFFERED", "1"),
        None,
        Duration::from_secs(60),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "redis-py Sentinel (RESP{protocol}) failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("master 127.0.0.1 {}", master.port)),
        "{stdout}"
    );
}

#[test]
fn redis_py_sentinel_client_resp3() {
    run_py(3);
}

#[test]
fn redis_py_sentinel_client_resp2() {
    run_py(2);
}

/// A forced failover run by one kind of sentinel is adopted by the other kind through hellos
/// (`+config-update-from`, `+switch-master`), both ways.
#[test]
fn forced_failovers_cross_between_ours_and_real() {
    let Some((master, replicas)) = redis_group(1) else {
        return;
    };
    let conf = monitor_conf(master.port, 1, 1000, 5000);
    let Some(real_one) = real(&conf) else {
        return;
    };
    let group = [ours(&conf), real_one];
    assert!(wait_group_formed(&group, 1) && wait_replicas_up(&group[1], 1));
    let ours_events = Events::watch(group[0].port);
    let _: String = group[1].query(&["SENTINEL", "FAILOVER", "mym"]).unwrap();
    let (payload, _) = ours_events
        .wait_for("+switch-master", Duration::from_secs(20))
        .unwrap_or_else(|| panic!("{}\n{}", ours_events.text(), group[1].log()));
    assert_eq!(
        payload,
        format!(
            "mym 127.0.0.1 {} 127.0.0.1 {}",
            master.port, replicas[0].port
        )
    );
    assert!(ours_events.first("+config-update-from").is_some());
    assert_eq!(ours_events.count("+elected-leader"), 0);
    // Back the other way: ours forces, the real one follows. The old master, alive all along,
    // must first be a replica again with its link up.
    assert!(
        wait_until(Duration::from_secs(40), || {
            group[0]
                .query::<Vec<HashMap<String, String>>>(&["SENTINEL", "REPLICAS", "mym"])
                .is_ok_and(|r| {
                    r.iter().any(|r| {
                        field(r, "port") == master.port.to_string()
                            && field(r, "master-link-status") == "ok"
                            && field(r, "flags") == "slave"
                    })
                })
        }),
        "old master not back as a replica: {}",
        ours_events.text()
    );
    let real_events = Events::watch(group[1].port);
    assert!(wait_until(Duration::from_secs(20), || {
        group[0]
            .query::<String>(&["SENTINEL", "FAILOVER", "mym"])
            .is_ok()
    }));
    let (payload, _) = real_events
        .wait_for("+switch-master", Duration::from_secs(20))
        .unwrap_or_else(|| panic!("{}\n{}", real_events.text(), ours_events.text()));
    assert_eq!(
        payload,
        format!(
            "mym 127.0.0.1 {} 127.0.0.1 {}",
            replicas[0].port, master.port
        )
    );
    assert!(real_events.first("+config-update-from").is_some());
    assert_eq!(master_port(&group[1]), Some(master.port));
}
