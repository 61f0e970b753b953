#!/usr/bin/env python3
"""Time from `kill -9` of the master to the first acknowledged write, through Switchyard's
proxy (with failover-hold-ms) and, in the same failover, for a client that asks the sentinels
itself (as redis-py's Sentinel client does: on an error it asks get-master-addr-by-name again and
reconnects).

    python3 bench/failover_time.py --switchyard target/release/switchyard --runs 5

Each run, on loopback: a master and two replicas, three sentinels (quorum 2,
down-after-milliseconds --down-after, default 1000), the proxy on all three sentinels
(read-policy master, failover-hold-ms 10000). The master runs with min-replicas-to-write 1. Two
writers run at once, one through the proxy and one direct; after the kill each records the
time to its first acknowledged write sent after the master's exit, the error replies it saw, and the proxy writer checks
afterwards that every write it saw acknowledged is on the new master.

The kill comes at a random moment after the sentinels have found each other and both replicas:
run i of n is killed uniformly within the i-th of n equal slices of --phase-window (default
12 s, more than the sentinels' 10 s replica INFO period), so the runs cover every phase of it.
With --stack both (the default) each run kills both stacks at the same phase, ours
(our nodes and sentinels) then redis (redis-server and redis-sentinel). Printed: one line per
run, then per stack the median, p90 and max of kill -9 to the first acknowledged write, through
the proxy and direct. A run in which a sentinel entered TILT (its timer stalled more than 2 s:
the machine stopped running it) is marked and left out of the figures. Standard library only.
"""

import argparse
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Conn:
    """A minimal blocking RESP2 client."""

    def __init__(self, port, timeout=2.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return Error(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n).decode(errors="replace")
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError(f"bad reply {line!r}")

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self.read()


class Error(str):
    pass


def try_call(port, *args, timeout=1.0):
    try:
        c = Conn(port, timeout)
        try:
            return c.call(*args)
        finally:
            c.close()
    except OSError:
        return None


def wait(what, pred, limit=30.0):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise SystemExit(f"timed out waiting for {what}")


class Stack:
    def __init__(self, kind, switchyard, down_after):
        self.kind = kind
        self.switchyard = switchyard
        self.down_after = down_after
        self.dir = tempfile.mkdtemp(prefix="failover-time-")
        self.procs = {}

    def spawn(self, name, argv):
        log = open(os.path.join(self.dir, name + ".log"), "w")
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                            cwd=self.dir)

    def node(self, name, port, extra):
        base = ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0",
                "--dir", self.dir, "--dbfilename", name + ".rdb"] + extra
        if self.kind == "ours":
            self.spawn(name, [self.switchyard, "node"] + base)
        else:
            self.spawn(name, ["redis-server"] + base)

    def sentinel(self, name, port, master_port):
        conf = os.path.join(self.dir, name + ".conf")
        with open(conf, "w") as f:
            f.write(f"port {port}\nbind 127.0.0.1\ndir {self.dir}\n"
                    f"sentinel monitor mym 127.0.0.1 {master_port} 2\n"
                    f"sentinel down-after-milliseconds mym {self.down_after}\n"
                    "sentinel failover-timeout mym 10000\n")
        if self.kind == "ours":
            self.spawn(name, [self.switchyard, "sentinel", conf])
        else:
            self.spawn(name, ["redis-sentinel", conf])

    def stop(self):
        for p in self.procs.values():
            if p.poll() is None:
                p.kill()
        for p in self.procs.values():
            p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def writer(port, stop, result, direct_sentinels=None):
    """SET w<i> <i> in a loop. Through the proxy: one connection throughout. Direct: on any
    error, ask the sentinels for the master and reconnect."""
    acked, errors, times = [], [], []
    conn, i = None, 0
    while not stop.is_set():
        try:
            if conn is None:
                target = port
                if direct_sentinels:
                    target = None
                    for s in direct_sentinels:
                        addr = try_call(s, "SENTINEL", "get-master-addr-by-name", "mym", timeout=0.3)
                        if isinstance(addr, list):
                            target = int(addr[1])
                            break
                    if target is None:
                        time.sleep(0.01)
                        continue
                # Through the proxy a write may be held for up to failover-hold-ms (10 s).
                conn = Conn(target, timeout=2.0 if direct_sentinels else 15.0)
            key = f"w{i}"
            sent = time.monotonic()
            reply = conn.call("SET", key, i)
            now = time.monotonic()
            if reply == "OK":
                acked.append(key)
                # (sent, answered): a reply read after the kill may have been sent before it.
                times.append((sent, now))
            else:
                errors.append((now, str(reply)))
                if direct_sentinels:
                    conn.close()
                    conn = None
                    time.sleep(0.01)
            i += 1
        except OSError as e:
            errors.append((time.monotonic(), f"connection: {e}"))
            if conn is not None:
                conn.close()
            conn = None
            if not direct_sentinels:
                result["broken"] = True
                break
            time.sleep(0.01)
    result.update(acked=acked, errors=errors, times=times)


def quantile(values, q):
    """The q quantile (nearest rank) of values."""
    values = sorted(values)
    return values[round((len(values) - 1) * q)]


def one_run(kind, args, phase):
    st = Stack(kind, args.switchyard, args.down_after)
    try:
        ports = [free_port() for _ in range(3)]
        sports = [free_port() for _ in range(3)]
        pport = free_port()
        guard = ["--min-replicas-to-write", "1", "--min-replicas-max-lag", "10"]
        st.node("n0", ports[0], guard)
        wait("master", lambda: try_call(ports[0], "PING") == "PONG")
        for i in (1, 2):
            st.node(f"n{i}", ports[i], guard + ["--replicaof", "127.0.0.1", str(ports[0])])
        for p in ports[1:]:
            wait("replica sync", lambda p=p: "master_link_status:up" in (try_call(p, "INFO", "replication") or ""))
        for i, sp in enumerate(sports):
            st.sentinel(f"s{i}", sp, ports[0])

        def sentinels_ready():
            for sp in sports:
                reps = try_call(sp, "SENTINEL", "replicas", "mym")
                if not isinstance(reps, list) or len(reps) < 2:
                    return False
                others = try_call(sp, "SENTINEL", "sentinels", "mym")
                if not isinstance(others, list) or len(others) < 2:
                    return False
            return True

        wait("sentinels to know each other and the replicas", sentinels_ready, 60)
        settled = time.monotonic()
        conf = os.path.join(st.dir, "proxy.toml")
        addrs = ", ".join(f'"127.0.0.1:{p}"' for p in sports)
        with open(conf, "w") as f:
            f.write(f'[[listener]]\naddress = "127.0.0.1:{pport}"\nread-policy = "master"\n'
                    f"failover-hold-ms = 10000\n[listener.sentinel]\naddresses = [{addrs}]\n"
                    'master-name = "mym"\n[listener.backend]\nconnect-timeout-ms = 300\n'
                    "health-interval-ms = 200\n")
        st.spawn("proxy", [args.switchyard, "proxy", "--config", conf])
        wait("proxy", lambda: try_call(pport, "SET", "ready", "1") == "OK")
        stop = threading.Event()
        through, direct = {}, {}
        threads = [threading.Thread(target=writer, args=(pport, stop, through)),
                   threading.Thread(target=writer, args=(None, stop, direct, sports))]
        for t in threads:
            t.start()
        # The writers run a moment first, then the kill at the chosen phase.
        time.sleep(max(0.2, settled + phase - time.monotonic()))
        out = {"phase": time.monotonic() - settled}
        st.procs["n0"].send_signal(signal.SIGKILL)
        st.procs["n0"].wait()
        # From the moment the master is gone (a write may still complete between the signal and
        # the process's end).
        killed = time.monotonic()

        # The writers go on for --after-s after the kill: time enough for the failover and for
        # writes after it.
        time.sleep(args.after_s)
        stop.set()
        for t in threads:
            t.join()
        for name, r in (("proxy", through), ("direct", direct)):
            after = [answered for sent, answered in r["times"] if sent > killed]
            out[name] = (after[0] - killed) if after else None
            out[name + "_errors"] = len([e for e in r["errors"] if e[0] > killed - 0.01])
            out[name + "_error_texts"] = sorted({e[1][:70] for e in r["errors"]})
        # Every write acknowledged through the proxy is on the new master.
        master = try_call(sports[0], "SENTINEL", "get-master-addr-by-name", "mym")
        new_port = int(master[1])
        c = Conn(new_port)
        missing = 0
        for key in through["acked"]:
            if c.call("EXISTS", key) != 1:
                missing += 1
        c.close()
        out["acked"] = len(through["acked"])
        out["missing"] = missing
        out["broken"] = through.get("broken", False)
        out["tilt"] = any("+tilt" in open(os.path.join(st.dir, f"s{i}.log"), errors="replace").read()
                          for i in range(3))
        return out
    finally:
        st.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--switchyard", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--down-after", type=int, default=1000)
    ap.add_argument("--stack", choices=["ours", "redis", "both"], default="both")
    ap.add_argument("--after-s", type=float, default=8.0,
                    help="seconds the writers go on after the kill")
    ap.add_argument("--phase-window", type=float, default=12.0,
                    help="kills are spread over this many seconds after the sentinels settled")
    args = ap.parse_args()
    args.switchyard = os.path.abspath(args.switchyard)
    stacks = ["ours", "redis"] if args.stack == "both" else [args.stack]
    times = {(kind, way): [] for kind in stacks for way in ("proxy", "direct")}
    tilted = {kind: 0 for kind in stacks}
    fmt = lambda v: "none" if v is None else f"{v * 1000:.0f} ms"  # noqa: E731
    slice_s = args.phase_window / args.runs
    for run in range(args.runs):
        phase = slice_s * (run + random.random())
        for kind in stacks:
            r = one_run(kind, args, phase)
            print(f"{kind} run {run + 1}: killed {r['phase']:.1f} s after settling; "
                  f"through the proxy {fmt(r['proxy'])} "
                  f"({r['proxy_errors']} errors{', connection broken' if r['broken'] else ''}), "
                  f"direct via sentinels {fmt(r['direct'])} ({r['direct_errors']} errors); "
                  f"{r['acked']} writes acknowledged through the proxy, {r['missing']} missing on the new master"
                  f"{'; a sentinel entered TILT (left out)' if r['tilt'] else ''}",
                  flush=True)
            for text in r["proxy_error_texts"]:
                print(f"    proxy writer saw: {text}")
            if r["tilt"]:
                tilted[kind] += 1
                continue
            for way in ("proxy", "direct"):
                if r[way] is not None:
                    times[(kind, way)].append(r[way])
    print(f"\nkill -9 -> first acknowledged write, kills spread over {args.phase_window:.0f} s after "
          f"settling, down-after {args.down_after} ms, {args.runs} runs per stack:")
    print("| stack | client | runs | median | p90 | max |\n|---|---|---|---|---|---|")
    for kind in stacks:
        for way, label in (("proxy", "through the proxy (failover-hold-ms)"),
                           ("direct", "direct, asking the sentinels")):
            t = times[(kind, way)]
            if not t:
                continue
            name = "switchyard" if kind == "ours" else "redis 7.0.15"
            print(f"| {name} | {label} | {len(t)}{f' (+{tilted[kind]} TILT)' if tilted[kind] else ''} | "
                  f"{statistics.median(t) * 1000:.0f} ms | {quantile(t, 0.9) * 1000:.0f} ms | "
                  f"{max(t) * 1000:.0f} ms |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
