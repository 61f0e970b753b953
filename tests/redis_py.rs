//! redis-py 8 (from the repository's `.venv`, which `.ci/run` creates) against the node, in its
//! default RESP3 and again with `protocol=2`. The Python suite lives in
//! `tests/python/client_suite.py` and prints PASS/FAIL per command family.

mod support;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use support::{Server, missing, repo_root, run_with_timeout};

/// The interpreter to use: `SWITCHYARD_PYTHON`, else `.venv/bin/python` at the repository root.
/// `None` (a skip outside CI, a failure in CI) when it is missing or lacks redis-py 8.
fn python() -> Option<PathBuf> {
    let python = std::env::var_os("SWITCHYARD_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv/bin/python"));
    if !python.is_file() {
        return missing(&format!(
            "{} not found (python3 -m venv .venv && .venv/bin/pip install 'redis>=8')",
            python.display()
        ));
    }
    let probe = run_with_timeout(
        Command::new(&python).args([
            "-c",
            "import sys, redis; sys.exit(0 if int(redis.__version__.split('.')[0]) >= 8 else 1)",
        ]),
        None,
        Duration::from_secs(30),
    );
    if !probe.status.success() {
        return missing(&format!(
            "{} has no redis-py >= 8 (.venv/bin/pip install 'redis>=8'): {}",
            python.display(),
            String::from_utf8_lossy(&probe.stderr)
        ));
    }
    Some(python)
}

fn run_suite(protocol: u8) {
    let Some(python) = python() else { return };
    let server = Server::under_test();
    let script = repo_root().join("tests/python/client_suite.py");
    let output = run_with_timeout(
        Command::new(&python)
            .arg(&script)
            .args(["--port", &server.port.to_string()])
            .args(["--protocol", &protocol.to_string()])
            .env("PYTHONUNBUFFERED", "1"),
        None,
        Duration::from_secs(300),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "redis-py suite (RESP{protocol}) exited with {}:\n{stdout}\n{stderr}",
        output.status
    );
    println!("{stdout}");
}

#[test]
fn redis_py_resp3() {
    run_suite(3);
}

#[test]
fn redis_py_resp2() {
    run_suite(2);
}
