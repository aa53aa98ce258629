#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD/fuzz for SECONDS each, on a copy of its corpus under
# fuzz/corpus/<target>/ (new inputs are kept in BUILD/fuzz-work, crashes in BUILD/fuzz-crashes).
# FUZZ_TARGETS="pattern_parse pattern_eval" limits the run to the named targets.
set -euo pipefail
build=${1:-build-fuzz}; seconds=${2:-600}
root=$(cd "$(dirname "$0")/.." && pwd)
# Undefined behaviour is a finding like a crash (the fuzz build compiles UBSan in recover mode).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
mkdir -p "$build/fuzz-work" "$build/fuzz-crashes"
status=0
for bin in "$build"/fuzz/*_fuzzer; do
  name=$(basename "$bin" _fuzzer)
  if [ -n "${FUZZ_TARGETS:-}" ] && ! [[ " $FUZZ_TARGETS " == *" $name "* ]]; then continue; fi
  work="$build/fuzz-work/$name"; mkdir -p "$work"
  seeds="$root/fuzz/corpus/$name"; [ -d "$seeds" ] || seeds=""
  echo "== fuzzing $name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 \
       -artifact_prefix="$build/fuzz-crashes/$name-" "$work" $seeds; then
    echo "!! $name found a crash: see $build/fuzz-crashes/"; status=1
  fi
done
exit $status
