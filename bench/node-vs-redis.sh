#!/usr/bin/env bash
# Build the release binary, then compare the node with a real redis-server:
#   bench/node-vs-redis.sh [-n REQUESTS_PER_TEST] [--keys KEYS_FOR_MEMORY_ROW] [...]
# Defaults: -n 100000, --keys 1000000 (a few minutes on 2 cores). Needs redis-server,
# redis-cli and redis-benchmark (apt-get install redis-server redis-tools) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bin switchyard
target_dir="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)"
exec python3 bench/node_vs_redis.py --switchyard "$target_dir/release/switchyard" "$@"
