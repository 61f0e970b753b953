//! `switchyard node` as an operator runs it: the example configuration file, flags that
//! override it, start-up errors, authentication, and a graceful stop on SIGTERM.

mod support;

use std::process::Command;
use std::time::Duration;

use support::{Server, repo_root, run_with_timeout};

fn example_config() -> std::path::PathBuf {
    repo_root().join("examples/node.conf")
}

#[test]
fn starts_from_the_example_config_and_stops_on_sigterm() {
    let mut server = Server::node_with_file(Some(&example_config()), &[]);
    let mut conn = server.conn();
    assert_eq!(conn.cmd_text("PING"), "+PONG\r\n");
    assert_eq!(conn.cmd_text("SET k v"), "+OK\r\n");
    assert_eq!(conn.cmd_text("GET k"), "$1\r\nv\r\n");
    let status = server
        .terminate(Duration::from_secs(10))
        .expect("the node did not exit within 10 s of SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
}

#[test]
fn flags_override_the_config_file() {
    let server = Server::node_with_file(
        Some(&example_config()),
        &["--maxmemory-policy", "allkeys-lru", "--databases", "4"],
    );
    let mut conn = server.conn();
    assert_eq!(conn.cmd_text("SELECT 3"), "+OK\r\n");
    assert_eq!(
        conn.cmd_text("SELECT 4"),
        "-ERR DB index is out of range\r\n"
    );
    assert_eq!(
        conn.cmd_text("CONFIG GET maxmemory-policy"),
        "*2\r\n$16\r\nmaxmemory-policy\r\n$11\r\nallkeys-lru\r\n"
    );
}

#[test]
fn requirepass_is_enforced() {
    let server = Server::node(&["--requirepass", "s3cret"]);
    let mut conn = server.conn();
    assert_eq!(
        conn.cmd_text("GET k"),
        "-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        conn.cmd_text("AUTH wrong"),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(conn.cmd_text("AUTH s3cret"), "+OK\r\n");
    assert_eq!(conn.cmd_text("GET k"), "$-1\r\n");
    let mut hello = server.conn();
    let reply = hello.cmd_text("HELLO 3 AUTH default s3cret");
    assert!(reply.starts_with("%7\r\n"), "HELLO 3 AUTH: {reply:?}");
}

#[test]
fn a_bad_directive_stops_start_up_with_redis_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("bad.conf");
    std::fs::write(&config, "port 7000\nnosuch-directive yes\n").expect("write config");
    let output = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .arg("node")
            .arg(&config)
            .current_dir(dir.path()),
        None,
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "started with a bad directive");
    assert!(
        stderr.contains(
            "*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line 2\n>>> 'nosuch-directive yes'\nBad directive or wrong number of arguments"
        ),
        "stderr: {stderr}"
    );
}

#[test]
fn a_taken_port_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port().to_string();
    let output = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_switchyard")).args([
            "node",
            "--port",
            &port,
            "--bind",
            "127.0.0.1",
        ]),
        None,
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!(
            "Could not create server TCP listening socket 127.0.0.1:{port}"
        )),
        "stderr: {stderr}"
    );
}

#[test]
fn the_pidfile_is_written_without_daemonize_and_removed_on_exit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pidfile = dir.path().join("node.pid");
    let mut server = Server::node(&["--pidfile", pidfile.to_str().expect("utf-8 path")]);
    assert_eq!(
        server.conn().cmd_text("CONFIG GET pidfile"),
        format!(
            "*2\r\n$7\r\npidfile\r\n${}\r\n{}\r\n",
            pidfile.display().to_string().len(),
            pidfile.display()
        )
    );
    let text = std::fs::read_to_string(&pidfile).expect("the pid file");
    assert_eq!(text.trim(), server.pid().to_string());
    let status = server
        .terminate(Duration::from_secs(30))
        .expect("the node did not exit within 30 s of SIGTERM");
    assert!(status.success(), "exit status after SIGTERM: {status}");
    assert!(!pidfile.exists(), "the pid file was left behind");
}

#[test]
fn an_unwritable_logfile_stops_start_up() {
    let output = run_with_timeout(
        Command::new(env!("CARGO_BIN_EXE_switchyard")).args([
            "node",
            "--port",
            "0",
            "--logfile",
            "/nonexistent-dir/node.log",
            "--daemonize",
            "yes",
        ]),
        None,
        Duration::from_secs(30),
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "started: {stderr}");
    assert!(
        stderr.contains("Can't open the log file: No such file or directory"),
        "stderr: {stderr}"
    );
}

#[test]
fn a_relative_pidfile_is_under_dir() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = Server::node(&[
        "--dir",
        data.path().to_str().expect("utf-8 path"),
        "--pidfile",
        "node.pid",
    ]);
    let text = std::fs::read_to_string(data.path().join("node.pid")).expect("the pid file");
    assert_eq!(text.trim(), server.pid().to_string());
}
