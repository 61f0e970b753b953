//! The real `redis-benchmark` default suite against the node. redis-benchmark exits on the
//! first error reply, so a clean exit with every test's result line means every command of the
//! suite (and its CONFIG GET prelude) got a well-formed, non-error reply.

mod support;

use std::time::Duration;

use support::{Server, run_with_timeout, tool};

/// The result line prefixes of redis-benchmark 7.0's default suite, in order.
const DEFAULT_TESTS: &[&str] = &[
    "PING_INLINE",
    "PING_MBULK",
    "SET",
    "GET",
    "INCR",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "SADD",
    "HSET",
    "SPOP",
    "ZADD",
    "ZPOPMIN",
    "LPUSH (needed to benchmark LRANGE)",
    "LRANGE_100 (first 100 elements)",
    "LRANGE_300 (first 300 elements)",
    "LRANGE_500 (first 500 elements)",
    "LRANGE_600 (first 600 elements)",
    "MSET (10 keys)",
];

fn run_default_suite(extra: &[&str]) {
    let Some(benchmark) = tool("redis-benchmark") else {
        return;
    };
    let server = Server::under_test();
    let port = server.port.to_string();
    let output = run_with_timeout(
        std::process::Command::new(benchmark)
            .args(["-h", "127.0.0.1", "-p", &port, "-q", "-n", "10000"])
            .args(extra),
        None,
        Duration::from_secs(600),
    );
    // -q rewrites a progress line with '\r'; the final result of each test ends it.
    let stdout = String::from_utf8_lossy(&output.stdout).replace('\r', "\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let results: Vec<&str> = stdout
        .lines()
        .map(str::trim)
        .filter(|line| line.contains(" requests per second"))
        .collect();
    let missing: Vec<&&str> = DEFAULT_TESTS
        .iter()
        .filter(|name| {
            !results
                .iter()
                .any(|line| line.starts_with(&format!("{name}: ")))
        })
        .collect();
    let context = format!(
        "redis-benchmark {extra:?} exited with {}\nresults:\n{}\nstderr:\n{stderr}\nstdout tail:\n{}",
        output.status,
        results.join("\n"),
        support::tail(&stdout, 2000)
    );
    assert!(output.status.success(), "{context}");
    assert!(
        missing.is_empty(),
        "missing results for {missing:?}\n{context}"
    );
    assert!(
        !stdout.contains("Error from server") && !stderr.contains("Error from server"),
        "{context}"
    );
    // The prelude (CONFIG GET save / appendonly) must be answered too.
    assert!(
        !stdout.contains("Could not fetch server CONFIG")
            && !stderr.contains("Could not fetch server CONFIG"),
        "{context}"
    );
}

#[test]
fn default_suite_without_pipelining() {
    run_default_suite(&[]);
}

#[test]
fn default_suite_with_16_pipelined_requests() {
    run_default_suite(&["-P", "16"]);
}
