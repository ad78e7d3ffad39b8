#!/usr/bin/env bash
# The fuzz targets (tests/fuzz/README.md):
#   run.sh build                  configure and build the `fuzz` preset (build/fuzz)
#   run.sh run TARGET SECONDS     run TARGET for SECONDS on its corpus; new inputs go
#                                 to a temporary directory, the repository's corpus is
#                                 only read; prints the executions and execs/s
#                                 (FUZZ_MAX_LEN: the longest input, 65536 by default)
# A crash, leak, timeout or sanitizer report fails the run and keeps the input
# that caused it in build/fuzz/artifacts/.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
BUILD="$ROOT/build/fuzz"

case "${1:-}" in
  build)
    cd "$ROOT"
    cmake --preset fuzz >/dev/null
    cmake --build --preset fuzz -j 2 --target fuzz_all
    ;;
  run)
    target=${2:?target} seconds=${3:?seconds}
    bin="$BUILD/tests/fuzz/fuzz_$target"
    [ -x "$bin" ] || { echo "no $bin: run.sh build first" >&2; exit 1; }
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    mkdir -p "$BUILD/artifacts"
    rc=0
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-65536}" \
      -dict="$HERE/json.dict" -print_final_stats=1 -artifact_prefix="$BUILD/artifacts/${target}-" \
      "$work" "$HERE/corpus/$target" >"$work/log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log")
    if [ "$rc" -ne 0 ]; then
      tail -40 "$work/log"
      echo "fuzz_$target: FAILED (exit $rc) after ${runs:-?} executions"
      exit 1
    fi
    echo "fuzz_$target: ${runs:-?} executions in ${seconds} s, ${secs:-?} exec/s (inputs up to ${FUZZ_MAX_LEN:-65536} bytes), no crash, leak or UB"
    ;;
  *)
    echo "usage: run.sh build | run TARGET SECONDS" >&2
    exit 2
    ;;
esac
