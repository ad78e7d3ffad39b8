#!/usr/bin/env bash
# The malformed-input flood (issue 15) on the local stack (tests/e2e/api/stack.sh):
# N hostile requests (default 100000) through lambda-local to the api, then the
# accounting. Passes with zero 5xx, zero answers that are not a problem
# document (or API Gateway's own {"message"}), zero connection errors, no api
# process crash or timeout in lambda-local's log, and no order row beyond the
# answers that were 201 (a rejected request writes nothing).
#   flood.sh SOURCE_DIR BUILD_DIR [N] [CONCURRENCY]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; N=${3:-100000}; CONC=${4:-16}
command -v node >/dev/null && command -v curl >/dev/null
[ -f "$SRC/local/fauxqs.mjs" ] || { echo "flood: local/fauxqs.mjs is missing: skipped"; exit 77; }
# shellcheck disable=SC1091  # stack.sh is found at run time, under SOURCE_DIR
source "$SRC/tests/e2e/api/stack.sh"
LOG_LEVEL=warn stack_start "$SRC" "$BUILD" http 4

before=$(psql -qAt -d orders -c "SELECT count(*) FROM orders")
node "$SRC/tests/faults/flood.mjs" "$BASE" "$N" "$CONC" "$RANDOM" >"$D/flood.json"
after=$(psql -qAt -d orders -c "SELECT count(*) FROM orders")
cat "$D/flood.json"
j() { node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(eval(process.argv[2]))' "$D/flood.json" "$1"; }
requests=$(j j.requests) fivexx=$(j j.fiveXX) malformed=$(j j.malformed) errors=$(j j.errors) created=$(j j.created)
crashes=$(grep -Ec 'process ended|Task timed out|init did not finish' "$D/ll.log" || true)
rows=$((after - before))
echo "accounting: requests=$requests 5xx=$fivexx malformed_answers=$malformed connection_errors=$errors" \
     "crashes_or_timeouts=$crashes orders_written=$rows answered_201=$created"
[ "$requests" -eq "$N" ] || fail "$requests answers for $N requests"
[ "$fivexx" -eq 0 ] || fail "$fivexx answers were 5xx"
[ "$malformed" -eq 0 ] || fail "$malformed answers were not problem documents"
[ "$errors" -eq 0 ] || fail "$errors connection errors"
[ "$crashes" -eq 0 ] || fail "the api process crashed or timed out $crashes times"
[ "$rows" -eq "$created" ] || fail "$rows orders written for $created 201 answers"
echo "flood: passed"
