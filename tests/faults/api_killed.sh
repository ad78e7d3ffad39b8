#!/usr/bin/env bash
# Fault scenario (issue 15): the api's bootstrap processes SIGKILLed mid-request
# under load. A BEFORE INSERT trigger added to this test's database only makes
# every create last 0.3 s, so that a kill finds requests in flight; every 0.7 s
# for KILL_S seconds the api processes of this stack (/proc/*/environ:
# _HANDLER=api and this stack's DB_PORT) get SIGKILL. The request in flight is
# answered 502 {"message":"Internal server error"}, as API Gateway does; its
# statement may still commit (the backend finishes it), so the client's retry
# with its key replays the order (that order's message was never sent: the
# relay sends it). Passes with 0 lost and 0 duplicated (keyed.sh's accounting).
#   api_killed.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}
KILL_S=8
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
keyed_stack 6

sql "CREATE FUNCTION faults_sleep_before() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep(0.3); RETURN NEW; END \$\$;
     CREATE TRIGGER faults_slow_create BEFORE INSERT ON orders
       FOR EACH ROW EXECUTE FUNCTION faults_sleep_before()"

api_pids() { keyed_fn_pids api; }

keyed_start killed "$CLIENTS"
sleep 2
kills=0 rounds=0 end=$((SECONDS + KILL_S))
from=$(now_ms)
while [ "$SECONDS" -lt "$end" ]; do
  pids=$(api_pids)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    kills=$((kills + $(wc -w <<<"$pids")))
  fi
  rounds=$((rounds + 1))
  sleep 0.7
done
to=$(now_ms)
sleep 3
keyed_stop
gateway_during=$(awk -v a="$from" -v b="$to" '$6 >= a && $6 < b + 1000 && $2 == 502' "$D/answers" | wc -l)
gateway_after=$(awk -v b="$to" '$5 > b + 1000 && ($2 == 502 || $2 == 504)' "$D/answers" | wc -l)
echo "killed $kills api processes in $rounds rounds over ${KILL_S} s; 502 while killing: $gateway_during, 502/504 after: $gateway_after"
keyed_check "api processes were killed" [ "$kills" -gt 0 ]
keyed_check "requests in flight were answered 502" [ "$gateway_during" -gt 0 ]
keyed_check "no 502/504 once the kills stopped" [ "$gateway_after" -eq 0 ]
# One request of its own, its process killed while the trigger holds it: the
# answer's body (customer c-probe: outside the accounting's orders). The
# trigger now sleeps 5 s, so that the scan of /proc, slow on a loaded machine,
# finds the process still in the request.
sql "CREATE OR REPLACE FUNCTION faults_sleep_before() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END \$\$"
curl -s --max-time 20 -o "$D/probe.body" -w '%{http_code}' -H 'Content-Type: application/json' \
  -H "Idempotency-Key: probe-$$" --data '{"customer_id":"c-probe","items":[{"sku":"SKU-1","quantity":1}]}' \
  "$BASE/orders" >"$D/probe.code" &
probe=$!
for _ in $(seq 1 50); do
  [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'orders' AND wait_event = 'PgSleep'")" -ge 1 ] && break
  sleep 0.05
done
probe_pids=$(api_pids)
# shellcheck disable=SC2086
[ -z "$probe_pids" ] || kill -KILL $probe_pids 2>/dev/null || true
wait "$probe" || true
echo "a request whose process was killed: $(cat "$D/probe.code") $(cat "$D/probe.body")"
keyed_check "its answer is 502 {\"message\":\"Internal server error\"}" \
  [ "$(cat "$D/probe.code")/$(tr -d ' \n' <"$D/probe.body")" = '502/{"message":"Internalservererror"}' ]
KEYED_GATEWAY=any keyed_accounting
keyed_finish api_killed
