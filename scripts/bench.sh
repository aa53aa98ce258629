#!/usr/bin/env bash
# Runs every benchmark binary built under BUILD/bench and prints the figures with the machine.
set -euo pipefail
build=${1:-build}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)"
for bin in "$build"/bench/*_bench; do
  [ -x "$bin" ] || continue
  echo "== $(basename "$bin")"
  "$bin" --benchmark_min_time=1 ${BENCH_ARGS:-}
done
echo "== bench_taxii_http"; SOAK_SECONDS=${SOAK_SECONDS:-300} "$(dirname "$0")/bench_taxii_http.sh" "$build"
