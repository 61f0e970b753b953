//! `switchyard demo`: the whole local deployment comes up, answers through the proxy, survives
//! a kill -9 of its master (the sentinels fail over and the proxy follows, as the demo reports),
//! and stops every child process on SIGINT, removing its files.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{LineReader, resp, wait_until};

/// The number after `marker` in `line` (`"(pid "` → the pid).
fn number_after(line: &str, marker: &str) -> Option<u32> {
    let rest = &line[line.find(marker)? + marker.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn demo_starts_fails_over_and_stops_cleanly() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut demo = LineReader::spawn(
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["demo", "--port", "0"])
            .env("TMPDIR", tmp.path()),
    );
    demo.wait_line(
        |l| l == "Ctrl-C stops every process.",
        Duration::from_secs(90),
    );
    let banner = demo.seen.clone();
    let find = |prefix: &str| -> Vec<&String> {
        banner
            .iter()
            .filter(|l| l.trim_start().starts_with(prefix))
            .collect()
    };
    let proxy_line = find("proxy ")[0].clone();
    let proxy_port = number_after(&proxy_line, "127.0.0.1:").expect("proxy port") as u16;
    let master_pid = number_after(find("master ")[0], "(pid ").expect("master pid");
    assert_eq!(
        find("replica ").len(),
        2,
        "two replicas:\n{}",
        banner.join("\n")
    );
    assert_eq!(find("sentinel ").len(), 3, "three sentinels");
    let redis_cli = format!("redis-cli -p {proxy_port} SET greeting hello");
    assert!(
        banner.iter().any(|l| l.trim() == redis_cli),
        "a redis-cli line to try"
    );
    assert!(
        banner
            .iter()
            .any(|l| l.trim() == format!("kill -9 {master_pid}"))
    );
    let pids: Vec<u32> = banner
        .iter()
        .filter_map(|l| number_after(l, "(pid "))
        .collect();
    assert_eq!(
        pids.len(),
        7,
        "proxy, master, two replicas, three sentinels"
    );

    let mut client = resp::Conn::connect(proxy_port);
    assert_eq!(client.cmd("SET greeting hello"), b"+OK\r\n");
    assert_eq!(client.cmd("GET greeting"), b"$5\r\nhello\r\n");

    // Fail over: kill -9 the master; the demo reports the sentinels' switch and the proxy's.
    let status = Command::new("kill")
        .args(["-9", &master_pid.to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let switch = demo.wait_line(
        |l| l.contains("+switch-master demo"),
        Duration::from_secs(30),
    );
    let new_port = switch
        .rsplit(' ')
        .next()
        .and_then(|p| p.parse::<u16>().ok())
        .expect("new master port");
    demo.wait_line(
        |l| l.contains(&format!("proxy: writes now go to 127.0.0.1:{new_port}")),
        Duration::from_secs(15),
    );
    assert!(
        demo.seen.iter().any(|l| l.contains("exited: signal: 9")),
        "the master's death is reported:\n{}",
        demo.seen.join("\n")
    );
    let written = wait_until(Duration::from_secs(15), || {
        resp::Conn::try_connect(proxy_port, Duration::from_millis(500))
            .and_then(|mut c| c.try_call(&[b"SET", b"after", b"failover"]))
            .is_ok_and(|r| r == b"+OK\r\n")
    });
    assert!(written, "writes through the proxy after the failover");
    let mut client = resp::Conn::connect(proxy_port);
    assert_eq!(
        client.cmd("GET greeting"),
        b"$5\r\nhello\r\n",
        "kept across the failover"
    );
    drop(client);

    // Ctrl-C: every child stops, the demo exits with success and removes its directory.
    let sent = Command::new("kill")
        .args(["-INT", &demo.pid().to_string()])
        .status()
        .expect("kill -INT");
    assert!(sent.success());
    let exit = demo
        .wait_exit(Duration::from_secs(30))
        .expect("the demo exits");
    assert!(
        exit.success(),
        "exit status {exit}:\n{}",
        demo.seen.join("\n")
    );
    assert_eq!(demo.seen.last().map(String::as_str), Some("Stopped."));
    for pid in pids {
        assert!(
            !alive(pid),
            "pid {pid} still running after the demo stopped"
        );
    }
    let left: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read temp dir")
        .collect();
    assert!(left.is_empty(), "the demo's files are removed: {left:?}");
}
