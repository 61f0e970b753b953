#!/usr/bin/env python3
"""redis-benchmark direct to a master, through Switchyard's proxy and through twemproxy
(nutcracker), with the same backend, in one run.

Run through bench/proxy-bench.sh (it builds the release binary first), or directly:

    python3 bench/proxy_vs_direct.py --switchyard target/release/switchyard -n 100000

The backend is a real redis-server (--backend node: a Switchyard node). For every test and -P,
the three targets run one after the other (median of --repeat runs each), so they see the same
machine load. Printed: throughput, p50 latency, the proxy's CPU seconds (user+system, from
/proc) per million requests, and the ratios to direct; for the direct runs, the backend's and
redis-benchmark's own CPU seconds per million requests (what one request costs the machine
without a proxy: the floor a proxy's added socket work is compared with). Standard library only.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_vs_redis import Server, free_port, redis_benchmark  # noqa: E402

TESTS = ["get", "set", "mset", "lrange_100"]


class MultibulkServer(Server):
    """twemproxy does not take inline commands: probe readiness with a multibulk PING."""

    PING = b"*1\r\n$4\r\nPING\r\n"


def launcher(template_path, text, command):
    """argv that writes `text` (with @PORT@ for the port Server picks) to a config file, then
    execs `command`: the pid Server measures is the proxy's own."""
    with open(template_path, "w") as f:
        f.write(text)
    conf = template_path + ".live"
    return ["sh", "-c", f"sed 's/@PORT@/'\"$0\"'/g' {template_path} > {conf} && exec {command.format(conf=conf)}",
            "{port}"]


def median(runs):
    for run in runs:
        if run[3]:
            return run
    return sorted(runs, key=lambda r: r[0])[len(runs) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--switchyard", required=True, help="path of the (release) switchyard binary")
    parser.add_argument("-n", "--requests", type=int, default=100_000,
                        help="requests per test at -P 1; with -P p a test sends p times as many")
    parser.add_argument("--repeat", type=int, default=3, help="runs per test and target; the median is shown")
    parser.add_argument("-c", "--clients", type=int, default=50)
    parser.add_argument("--pipelines", default="1,16")
    parser.add_argument("--tests", default=",".join(TESTS))
    parser.add_argument("--backend", choices=["redis", "node"], default="redis")
    parser.add_argument("--proxy-threads", type=int, default=0, help="Switchyard's worker threads (0: one per core)")
    args = parser.parse_args()
    args.switchyard = os.path.abspath(args.switchyard)
    for tool in ["redis-server", "redis-benchmark"]:
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: apt-get install redis-server redis-tools")
    nutcracker = shutil.which("nutcracker") or ("/usr/sbin/nutcracker" if os.path.exists("/usr/sbin/nutcracker") else None)

    workdir = tempfile.mkdtemp(prefix="switchyard-proxy-bench-")
    if args.backend == "redis":
        backend_argv = ["redis-server", "--port", "{port}", "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--dir", workdir]
    else:
        backend_argv = [args.switchyard, "node", "--port", "{port}", "--bind", "127.0.0.1", "--save", "",
                        "--dir", workdir]
    backend = Server("backend", backend_argv, workdir)
    targets = {}
    try:
        switchyard_conf = (
            f"threads = {args.proxy_threads}\n[[listener]]\naddress = \"127.0.0.1:@PORT@\"\n"
            f"read-policy = \"master\"\n[listener.static]\nmaster = \"127.0.0.1:{backend.port}\"\n"
        )
        def start(name, file_name, conf, command):
            argv = launcher(os.path.join(workdir, file_name), conf, command)
            targets[name] = MultibulkServer(name, argv, workdir)

        start("switchyard", "proxy.toml", switchyard_conf,
              f"env RUST_LOG=warn {args.switchyard} proxy --config {{conf}}")
        if nutcracker:
            twem_conf = (
                "bench:\n  listen: 127.0.0.1:@PORT@\n  hash: fnv1a_64\n  distribution: ketama\n"
                f"  redis: true\n  servers:\n   - 127.0.0.1:{backend.port}:1\n"
            )
            start("twemproxy", "twemproxy.yml", twem_conf,
                  f"{nutcracker} -c {{conf}} -a 127.0.0.1 -s {free_port()} -o /dev/null")
        else:
            print("twemproxy: nutcracker not found (apt-get install -y nutcracker); its columns are left out\n")
        version = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()
        print(f"redis-benchmark -c {args.clients} -n {args.requests} x P, median of {args.repeat}; backend: "
              f"{args.backend if args.backend == 'node' else ' '.join(version[:3])}; {os.cpu_count()} cores")
        print("rps = requests per second; p50 in ms; cpu/M = the proxy's CPU seconds per million requests;"
              " ratio = rps / direct rps;\n"
              "srv/M, cli/M = the backend's and redis-benchmark's CPU seconds per million requests, direct\n")
        names = ["direct"] + list(targets)
        header = f"{'test':<11} {'-P':>3} " + " ".join(
            f"{n + ' rps':>15} {'p50':>6}" + (f" {'srv/M':>6} {'cli/M':>6}" if n == "direct" else f" {'ratio':>5} {'cpu/M':>6}")
            for n in names)
        print(header)
        print("-" * len(header))
        errors = []
        for pipeline in [int(p) for p in args.pipelines.split(",")]:
            for test in args.tests.split(","):
                requests = args.requests * pipeline
                results = {}
                runs = {n: [] for n in names}
                for _ in range(max(1, args.repeat)):
                    runs["direct"].append(redis_benchmark(backend.port, test, requests, pipeline, args.clients, backend))
                    for name, proxy in targets.items():
                        runs[name].append(redis_benchmark(proxy.port, test, requests, pipeline, args.clients, proxy))
                for name in names:
                    results[name] = median(runs[name])
                    if results[name][3]:
                        errors.append(f"{test} -P {pipeline} via {name}: {results[name][3]}")
                direct_rps = results["direct"][0]
                cells = []
                for name in names:
                    rps, p50, cpu, _, client_cpu = results[name]
                    cell = f"{(f'{rps:,.0f}' if rps else 'error'):>15} {(f'{p50:.3f}' if p50 is not None else '-'):>6}"
                    if name == "direct":
                        cell += "".join(f" {(f'{v:.2f}' if v is not None else '-'):>6}" for v in (cpu, client_cpu))
                    else:
                        r = f"{rps / direct_rps:.2f}" if rps and direct_rps else "n/a"
                        cell += f" {r:>5} {(f'{cpu:.2f}' if cpu is not None else '-'):>6}"
                    cells.append(cell)
                print(f"{test:<11} {pipeline:>3} " + " ".join(cells), flush=True)
        if errors:
            print("\nerrors:")
            for e in errors:
                print(f"  {e}")
    finally:
        for t in targets.values():
            t.stop()
        backend.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
