#!/usr/bin/env python3
"""Throughput, CPU cost and memory of a Switchyard node next to a real redis-server.

Run through bench/node-vs-redis.sh (it builds the release binary first), or directly:

    python3 bench/node_vs_redis.py --switchyard target/release/switchyard -n 100000 --keys 1000000

Both servers run on free loopback ports for the whole run; every redis-benchmark test runs
against the node and then against Redis before the next test starts, so both see the same
machine load. Standard library only.
"""

import argparse
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

TESTS = ["set", "get", "incr", "lpush", "lpop", "sadd", "hset", "zadd", "lrange_100", "mset"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    # The readiness probe (a subclass may send it as a multibulk).
    PING = b"PING\r\n"

    def __init__(self, name, argv, workdir):
        self.name = name
        self.workdir = workdir
        self.log = open(os.path.join(workdir, f"{name}.log"), "wb")
        self.port = None
        for _ in range(5):
            self.port = free_port()
            self.process = subprocess.Popen(
                [a.replace("{port}", str(self.port)) for a in argv],
                cwd=workdir,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
            if self._wait_ready():
                return
            self.stop()
        raise SystemExit(f"{name} did not start; see {self.log.name}")

    def _wait_ready(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(self.PING)
                    if s.recv(16).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def cpu_seconds(self):
        with open(f"/proc/{self.process.pid}/stat") as f:
            # Fields after the command name (which may hold spaces) start at ") ".
            fields = f.read().rsplit(") ", 1)[1].split()
        utime, stime = int(fields[11]), int(fields[12])
        return (utime + stime) / CLOCK_TICKS

    def rss_bytes(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def used_memory(self):
        try:
            out = subprocess.run(
                ["redis-cli", "-p", str(self.port), "INFO", "memory"],
                capture_output=True, text=True, timeout=30,
            ).stdout
        except subprocess.TimeoutExpired:
            return None
        for line in out.splitlines():
            if line.startswith("used_memory:"):
                return int(line.split(":", 1)[1])
        return None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def median_run(runs):
    """The run with the median throughput (its CPU figure goes with it); any error wins."""
    for run in runs:
        if run[2]:
            return run
    ordered = sorted(runs, key=lambda r: r[0])
    return ordered[len(ordered) // 2]


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def redis_benchmark(port, test, requests, pipeline, clients, measured):
    """One redis-benchmark test against `port`: (rps or None, p50 ms, CPU s per million requests
    of the `measured` server, error, redis-benchmark's own CPU s per million requests)."""
    before = measured.cpu_seconds()
    client_before = children_cpu()
    result = subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
         "-c", str(clients), "-n", str(requests), "-P", str(pipeline),
         "-t", test, "--csv"],
        capture_output=True, text=True, timeout=900,
    )
    cpu = measured.cpu_seconds() - before
    client_cpu = children_cpu() - client_before
    rows = [line.split('","') for line in result.stdout.splitlines() if line.startswith('"')]
    rows = [[cell.strip('"') for cell in row] for row in rows if row[0].strip('"') != "test"]
    if result.returncode != 0 or not rows:
        error = (result.stdout + result.stderr).strip().splitlines()
        message = next((l for l in error if "rror" in l or "ERR" in l), error[-1] if error else "failed")
        return None, None, None, message[:120], None
    # lrange_* first fills the list with an extra LPUSH test: every request served counts.
    total_requests = requests * len(rows)
    wanted = rows[-1]
    return (float(wanted[1]), float(wanted[4]), cpu / total_requests * 1e6, None,
            client_cpu / total_requests * 1e6)


def run_benchmark(server, test, requests, pipeline, clients):
    """One redis-benchmark test; returns (rps or None, cpu s per million requests, error)."""
    rps, _, cpu, error, _ = redis_benchmark(server.port, test, requests, pipeline, clients, server)
    return rps, cpu, error


def load_keys(server, count):
    """SET key:N value:N for N < count through redis-cli --pipe."""
    chunks = []
    for n in range(count):
        key, value = f"key:{n}", f"value:{n}"
        chunks.append(f"*3\r\n$3\r\nSET\r\n${len(key)}\r\n{key}\r\n${len(value)}\r\n{value}\r\n")
    payload = "".join(chunks).encode()
    result = subprocess.run(
        ["redis-cli", "-p", str(server.port), "--pipe"],
        input=payload, capture_output=True, timeout=900,
    )
    text = result.stdout.decode(errors="replace")
    return f"errors: 0, replies: {count}" in text, text.strip().splitlines()[-1:] or [""]


def human_bytes(n):
    if n is None:
        return "n/a"
    for unit in ["B", "KiB", "MiB", "GiB"]:
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1024


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switchyard", required=True, help="path of the (release) switchyard binary")
    parser.add_argument("-n", "--requests", type=int, default=100_000,
                        help="requests per test without pipelining; with -P p a test sends p times as many, "
                             "so that every row runs about as long")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per test and server, alternating node and redis; the median is shown")
    parser.add_argument("-c", "--clients", type=int, default=50)
    parser.add_argument("--keys", type=int, default=1_000_000, help="keys loaded for the memory row")
    parser.add_argument("--pipelines", default="1,16", help="comma-separated -P values")
    parser.add_argument("--tests", default=",".join(TESTS))
    args = parser.parse_args()
    args.switchyard = os.path.abspath(args.switchyard)

    for tool in ["redis-server", "redis-cli", "redis-benchmark"]:
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install redis-server redis-tools")

    workdir = tempfile.mkdtemp(prefix="switchyard-bench-")
    node_argv = [args.switchyard, "node", "--port", "{port}", "--bind", "127.0.0.1", "--save", "",
                 "--dir", workdir]
    redis_argv = ["redis-server", "--port", "{port}", "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", workdir]
    version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()
    print(f"redis-benchmark -c {args.clients} -n {args.requests} x P (median of {args.repeat}) against switchyard node and "
          f"{' '.join(version[:3])}; {os.cpu_count()} cores")
    print("cpu/M = server CPU seconds (user+system) per million requests; ratio = node / redis\n")

    node = Server("node", node_argv, workdir)
    redis = Server("redis", redis_argv, workdir)
    try:
        header = f"{'test':<12} {'-P':>3} {'node rps':>12} {'redis rps':>12} {'ratio':>6} {'node cpu/M':>11} {'redis cpu/M':>12}"
        print(header)
        print("-" * len(header))
        errors = []
        for pipeline in [int(p) for p in args.pipelines.split(",")]:
            for test in args.tests.split(","):
                requests = args.requests * pipeline
                runs = {"node": [], "redis": []}
                for _ in range(max(1, args.repeat)):
                    runs["node"].append(run_benchmark(node, test, requests, pipeline, args.clients))
                    runs["redis"].append(run_benchmark(redis, test, requests, pipeline, args.clients))
                node_rps, node_cpu, node_error = median_run(runs["node"])
                redis_rps, redis_cpu, redis_error = median_run(runs["redis"])
                for name, error in [("node", node_error), ("redis", redis_error)]:
                    if error:
                        errors.append(f"{test} -P {pipeline} on {name}: {error}")
                fmt_rps = lambda v: f"{v:,.0f}" if v is not None else "error"
                fmt_cpu = lambda v: f"{v:.2f}" if v is not None else "-"
                print(f"{test:<12} {pipeline:>3} {fmt_rps(node_rps):>12} {fmt_rps(redis_rps):>12} "
                      f"{ratio(node_rps, redis_rps):>6} {fmt_cpu(node_cpu):>11} {fmt_cpu(redis_cpu):>12}")
        if errors:
            print("\nerrors:")
            for error in errors:
                print(f"  {error}")
    finally:
        node.stop()
        redis.stop()

    # Fresh servers for the memory row, so benchmark leftovers do not count.
    print(f"\nmemory after loading {args.keys:,} keys (key:N -> value:N, redis-cli --pipe)")
    node = Server("node", node_argv, workdir)
    redis = Server("redis", redis_argv, workdir)
    try:
        rows = {}
        for server in [node, redis]:
            empty_rss = server.rss_bytes()
            ok, summary = load_keys(server, args.keys)
            rows[server.name] = (ok, summary, server.used_memory(), server.rss_bytes(), empty_rss)
        header = f"{'':<12} {'used_memory':>14} {'RSS':>12} {'RSS empty':>12}  load"
        print(header)
        print("-" * (len(header) + 20))
        for name in ["node", "redis"]:
            ok, summary, used, rss, empty = rows[name]
            print(f"{name:<12} {human_bytes(used):>14} {human_bytes(rss):>12} {human_bytes(empty):>12}  "
                  f"{'ok' if ok else 'FAILED: ' + summary[0]}")
        print(f"{'node/redis':<12} {ratio(rows['node'][2], rows['redis'][2]):>14} "
              f"{ratio(rows['node'][3], rows['redis'][3]):>12}")
    finally:
        node.stop()
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
