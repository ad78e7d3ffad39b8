#!/usr/bin/env bash
# Runtime benchmark: echo-bootstrap (the project's runtime + an echo handler)
# against the raw-socket floor, in one run, on this machine.
#   bench/runtime/run.sh [BUILD_DIR]    (default build/ci; builds it with the ci preset)
# Prints a markdown table; paste it with the date into bench/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
B=${1:-build/ci}
if [ "$B" = build/ci ]; then
  cmake --preset ci >/dev/null
  cmake --build --preset ci -j "$(nproc)" --target echo-bootstrap bench-runtime bench-floor >/dev/null
fi
DRV="$B/bench/runtime/bench-runtime"
targets=("$B/bench/runtime/bench-floor" "$B/examples/echo/echo-bootstrap")
COLD=${COLD:-30}

declare -A count=([200]=20000 [65536]=5000 [1048576]=500)
printf '| target | event | invocations | inv/s | p50 µs | p99 µs | cold start p50 ms | peak RSS KiB |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for size in 200 65536 1048576; do
  for t in "${targets[@]}"; do
    line=$("$DRV" --target "$t" --size "$size" --count "${count[$size]}" --cold "$COLD")
    # name size=… count=… inv_per_s=… p50_us=… p99_us=… cold_p50_us=… peak_rss_kib=…
    read -r name s c ips p50 p99 cold rss <<<"$line"
    v() { echo "${1#*=}"; }
    printf '| %s | %s B | %s | %s | %s | %s | %.2f | %s |\n' "$(basename "$name")" "$(v "$s")" "$(v "$c")" \
      "$(v "$ips")" "$(v "$p50")" "$(v "$p99")" "$(awk -v c="$(v "$cold")" 'BEGIN{print c/1000}')" "$(v "$rss")"
  done
done
