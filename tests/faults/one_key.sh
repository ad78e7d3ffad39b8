#!/usr/bin/env bash
# Fault scenario (issue 15): N concurrent POSTs (50 by default) with one
# Idempotency-Key and the same body, through lambda-local's HTTP front to 4 api
# instances (the others wait for a free one; a 429, had one come, is retried as
# a client of API Gateway would). Passes when exactly one order exists, every client ends
# with a 201 naming that order, exactly one answer is the original (the others
# carry Idempotent-Replayed: true) and every 201's body is the same bytes.
#   one_key.sh SOURCE_DIR BUILD_DIR [N]
# The checks are strings that check() evals: single quotes on purpose.
# shellcheck disable=SC2016,SC2034
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; N=${3:-50}
{ command -v node && command -v curl; } >/dev/null || { echo "skipped: no node or curl"; exit 77; }
[ -f "$SRC/local/fauxqs.mjs" ] || { echo "skipped: local/fauxqs.mjs is missing"; exit 77; }
[ -x "$BUILD/functions/bootstrap" ] || { echo "skipped: no bootstrap in $BUILD"; exit 77; }
# shellcheck disable=SC1091  # found at run time, under SOURCE_DIR
source "$SRC/tests/e2e/api/stack.sh"
LOG_LEVEL=warn stack_start "$SRC" "$BUILD" http 4

KEY="one-key-$$"
BODY='{"customer_id":"c-one-key","items":[{"sku":"SKU-1","quantity":2},{"sku":"SKU-2","quantity":1}]}'

# client I: posts until an answer other than 429 (30 s at most); writes
# I CODE ORDER-ID REPLAYED BODY-SHA256 ATTEMPTS to $D/answers.I
client() {
  local i=$1 end=$((SECONDS + 30)) attempts=0 code="000" loc replayed
  while [ "$SECONDS" -lt "$end" ]; do
    attempts=$((attempts + 1))
    code=$(curl -s --max-time 20 -D "$D/h.$i" -o "$D/b.$i" -w '%{http_code}' -H 'Content-Type: application/json' \
      -H "Idempotency-Key: $KEY" --data "$BODY" "$BASE/orders" || echo 000)
    [ "$code" = 429 ] || break
    sleep 0.05
  done
  loc=$(tr -d '\r' <"$D/h.$i" | awk 'tolower($1) == "location:" {print $2}')
  replayed=$(tr -d '\r' <"$D/h.$i" | awk 'tolower($1) == "idempotent-replayed:" {print $2}')
  echo "$i $code $(basename "${loc:--}") ${replayed:-false} $(sha256sum <"$D/b.$i" | cut -c1-16) $attempts" >"$D/answers.$i"
}

pids=""
for i in $(seq 1 "$N"); do client "$i" & pids="$pids $!"; done
for p in $pids; do wait "$p"; done
cat "$D"/answers.* >"$D/answers"

PASS=0 FAIL=0
check() { if eval "$2"; then PASS=$((PASS + 1)); echo "ok   $1"; else FAIL=$((FAIL + 1)); echo "FAIL $1"; fi; }
sent=$(awk '{n += $6} END {print n}' "$D/answers")
created=$(awk '$2 == 201' "$D/answers" | wc -l)
originals=$(awk '$2 == 201 && $4 != "true"' "$D/answers" | wc -l)
ids=$(awk '$2 == 201 {print $3}' "$D/answers" | sort -u | wc -l)
bodies=$(awk '$2 == 201 {print $5}' "$D/answers" | sort -u | wc -l)
id=$(awk '$2 == 201 {print $3; exit}' "$D/answers")
stored=$(psql -qAtX -d orders -c "SELECT count(*) FROM orders WHERE customer_id = 'c-one-key'")
keys=$(psql -qAtX -d orders -c "SELECT count(*) FROM idempotency_keys WHERE customer_id = 'c-one-key'")
stored_id=$(psql -qAtX -d orders -c "SELECT id FROM orders WHERE customer_id = 'c-one-key'" | head -1)
outbox=$(psql -qAtX -d orders -c "SELECT count(*) FROM outbox o JOIN orders r ON r.id = o.order_id WHERE r.customer_id = 'c-one-key'")
echo "accounting: clients $N, requests sent $sent (429s retried: $((sent - N))), 201s $created" \
  "(original $originals, replayed $((created - originals))), orders stored $stored, duplicates $((stored > 1 ? stored - 1 : 0))," \
  "lost $((stored == 0 ? 1 : 0)), idempotency records $keys, outbox rows $outbox;" \
  "answers other than 201: $(awk '$2 != 201 {print $2}' "$D/answers" | sort | uniq -c | paste -sd, -)"
check "every client got a 201" '[ "$created" -eq "$N" ]'
check "one order id in every 201 ($id)" '[ "$ids" -eq 1 ]'
check "one original answer, the others replayed" '[ "$originals" -eq 1 ]'
check "every 201 body is the same bytes" '[ "$bodies" -eq 1 ]'
check "one order stored, one idempotency record, one outbox row" '[ "$stored" -eq 1 ] && [ "$keys" -eq 1 ] && [ "$outbox" -eq 1 ]'
check "the stored order is the one answered" '[ "$stored_id" = "$id" ]'
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
