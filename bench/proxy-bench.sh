#!/usr/bin/env bash
# Build the release binary, then compare redis-benchmark direct to a master, through
# Switchyard's proxy and through twemproxy, with the same backend, in one run:
#   bench/proxy-bench.sh [-n REQUESTS_AT_P1] [--repeat N] [--backend redis|node] [...]
# Defaults: -n 100000, --repeat 3, -c 50, GET/SET/MSET/LRANGE_100 at -P 1 and -P 16. Needs
# redis-server and redis-benchmark (apt-get install redis-server redis-tools), python3, and for
# the twemproxy columns nutcracker (apt-get install nutcracker).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin switchyard
target_dir="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
exec python3 bench/proxy_vs_direct.py --switchyard "$target_dir/release/switchyard" "$@"
