#!/usr/bin/env python3
"""Replication figures of Switchyard nodes next to real redis-server, measured in one run:

- full resync: seconds from REPLICAOF until the replica's link is up with every key loaded,
  for a data set of --keys string keys;
- streaming: redis-benchmark SET throughput on a master with one replica attached, and how
  long the replica then takes to reach the master's offset;
- partial resync: the bytes of backlog the master sends when the replica's link is cut for
  one second under that write load (the cut, then DEBUG SLEEP 1 on the replica in the same
  pipeline, so its reconnection waits a second).

    python3 bench/replication_vs_redis.py --switchyard target/release/switchyard --keys 1000000

Pairs: Switchyard master -> Switchyard replica, and redis-server -> redis-server. Each pair
runs its steps back to back, the two pairs alternating --rounds times; medians are reported.
Standard library only (plus the Server class of bench/node_vs_redis.py).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_vs_redis import Server, load_keys  # noqa: E402


def cli(port, *args):
    return subprocess.run(
        ["redis-cli", "-p", str(port), *args], capture_output=True, text=True, timeout=600
    ).stdout.strip()


def info(port, field):
    for line in cli(port, "INFO", "replication").splitlines():
        if line.startswith(field + ":"):
            return line.split(":", 1)[1].strip()
    return None


def wait_caught_up(master, replica, limit=600):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        want = info(master.port, "master_repl_offset")
        if (
            info(replica.port, "master_link_status") == "up"
            and info(replica.port, "slave_repl_offset") == want
        ):
            return
        time.sleep(0.01)
    raise SystemExit(f"{replica.name} did not catch up with {master.name}")


def full_sync_seconds(master, replica):
    cli(replica.port, "REPLICAOF", "NO", "ONE")
    cli(replica.port, "FLUSHALL")
    started = time.monotonic()
    cli(replica.port, "REPLICAOF", "127.0.0.1", str(master.port))
    wait_caught_up(master, replica)
    return time.monotonic() - started


def stream(master, replica, requests):
    """SET throughput on the master with the replica attached, then the replica's lag."""
    result = subprocess.run(
        ["redis-benchmark", "-p", str(master.port), "-t", "set", "-n", str(requests),
         "-c", "50", "-P", "16", "-r", "100000", "--csv"],
        capture_output=True, text=True, timeout=600,
    )
    rows = [l.split('","') for l in result.stdout.splitlines() if l.startswith('"SET')]
    rps = float(rows[-1][1].strip('"'))
    started = time.monotonic()
    wait_caught_up(master, replica)
    return rps, time.monotonic() - started


def partial_resync_bytes(master, replica, requests):
    """Cut the link under write load; the backlog bytes the master sends at the reconnect."""
    log = master.log.name
    pattern = re.compile(r"Sending (\d+) bytes of backlog")

    def sent():
        with open(log, errors="replace") as f:
            return [int(n) for n in pattern.findall(f.read())]

    before = len(sent())
    load = subprocess.Popen(
        ["redis-benchmark", "-p", str(master.port), "-t", "set", "-n", str(requests * 10),
         "-c", "50", "-P", "16", "-r", "100000", "-q"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        with socket.create_connection(("127.0.0.1", replica.port)) as conn:
            conn.sendall(b"CLIENT KILL TYPE master\r\nDEBUG SLEEP 1\r\n")
            replies = b""
            while replies.count(b"\r\n") < 2:
                replies += conn.recv(1024)
        deadline = time.monotonic() + 30
        while len(sent()) == before:
            if time.monotonic() > deadline:
                raise SystemExit(f"{master.name}: no partial resync after the cut")
            time.sleep(0.02)
    finally:
        load.terminate()
        load.wait()
    wait_caught_up(master, replica)
    return sent()[-1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--switchyard", required=True)
    parser.add_argument("--redis-server", default="redis-server")
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("-n", "--requests", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="switchyard-repl-bench-")
    # A backlog large enough for a second of writes, so the cut resyncs partially.
    common = ["--save", "", "--bind", "127.0.0.1", "--repl-diskless-sync-delay", "0",
              "--repl-backlog-size", "256mb", "--enable-debug-command", "yes", "--port", "{port}"]
    pairs = {}
    servers = []
    for label, binary in [("switchyard", [os.path.abspath(args.switchyard), "node"]),
                          ("redis", [args.redis_server])]:
        pair = []
        for role in ["master", "replica"]:
            dir = os.path.join(workdir, f"{label}-{role}")
            os.makedirs(dir)
            server = Server(f"{label}-{role}", binary + common + ["--dir", dir], dir)
            servers.append(server)
            pair.append(server)
        pairs[label] = pair
    try:
        for master, _ in pairs.values():
            load_keys(master, args.keys)
        figures = {label: {"full": [], "rps": [], "lag": [], "partial": []} for label in pairs}
        for _ in range(args.rounds):
            for label, (master, replica) in pairs.items():
                figures[label]["full"].append(full_sync_seconds(master, replica))
                rps, lag = stream(master, replica, args.requests)
                figures[label]["rps"].append(rps)
                figures[label]["lag"].append(lag)
                figures[label]["partial"].append(
                    partial_resync_bytes(master, replica, args.requests))
        med = {l: {k: statistics.median(v) for k, v in f.items()} for l, f in figures.items()}
        s, r = med["switchyard"], med["redis"]
        print(f"{args.keys} keys, {args.requests} SETs (-c 50 -P 16), median of {args.rounds} rounds")
        print(f"{'':32}{'switchyard':>12}{'redis':>12}{'ratio':>8}")
        print(f"{'full resync (s)':32}{s['full']:>12.3f}{r['full']:>12.3f}{s['full'] / r['full']:>8.2f}")
        print(f"{'SET rps with a replica':32}{s['rps']:>12.0f}{r['rps']:>12.0f}{s['rps'] / r['rps']:>8.2f}")
        print(f"{'replica lag after the load (s)':32}{s['lag']:>12.3f}{r['lag']:>12.3f}")
        print(f"{'partial resync after a cut (B)':32}{s['partial']:>12.0f}{r['partial']:>12.0f}")
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    main()
