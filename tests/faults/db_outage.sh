#!/usr/bin/env bash
# Fault scenario (issue 15): the database restarted (pg_ctl restart -m fast),
# then stopped for 30 s and started again on the same port, under load from
# clients that retry each order with its Idempotency-Key. While it is down the
# api answers 503 with Retry-After (never 502/504). After it returns the load
# goes on for 60 s: the share of the requests sent in those 60 s that succeed
# (201) is printed and must be >= 99 %. Ends with the accounting (keyed.sh).
# About 100 s.
#   db_outage.sh SOURCE_DIR BUILD_DIR [CLIENTS] [AFTER_S]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}; AFTER_S=${4:-60}
DOWN_S=30 GOAL_PERMILLE=990
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
# The worker's failed batches come back every 3 s: 30 receives keep the outage's out of the DLQ.
FAUXQS_MAX_RECEIVE_COUNT=30 keyed_stack 6
PG="$D/pg"

# answers given between $1 and $2 (ms): "N status" lines
answers_by_status() { awk -v a="$1" -v b="$2" '$6 >= a && $6 < b {print $2}' "$D/answers" | sort | uniq -c | paste -sd,; }
# answers given between $1 and $2 (ms) that are 502 or 504
answers_gateway() { awk -v a="$1" -v b="$2" '$6 >= a && $6 < b && ($2 == 502 || $2 == 504)' "$D/answers" | wc -l; }
# answers given between $1 and $2 (ms) that are not 503 with Retry-After
answers_not_503() { awk -v a="$1" -v b="$2" '$6 >= a && $6 < b && !($2 == 503 && $3 != "-")' "$D/answers" | wc -l; }

keyed_start outage "$CLIENTS"
sleep 3
t_restart=$(now_ms)
keyed_check "PostgreSQL restarted (pg_ctl restart -m fast)" "$SRC/scripts/lib/pgtmp" ctl "$PG" -m fast -w restart
t_restarted=$(now_ms)
echo "restart took $((t_restarted - t_restart)) ms; answers meanwhile: $(answers_by_status "$t_restart" "$t_restarted")"
sleep 5
keyed_check "no 502/504 from the restart on" [ "$(answers_gateway "$t_restart" "$(now_ms)")" -eq 0 ]
keyed_check "PostgreSQL stopped" "$SRC/scripts/lib/pgtmp" ctl "$PG" -m fast -w stop
t_down=$(now_ms)
sleep "$DOWN_S"
t_start=$(now_ms)
keyed_check "PostgreSQL started again on port $PGPORT" "$SRC/scripts/lib/pgtmp" start "$PG" "$PGPORT" >/dev/null
t_back=$(now_ms)
echo "down $(((t_start - t_down) / 1000)) s; answers meanwhile: $(answers_by_status "$t_down" "$t_start")"
keyed_check "while down: every answer is 503 with Retry-After" [ "$(answers_not_503 "$t_down" "$t_start")" -eq 0 ]
sleep "$AFTER_S"
keyed_stop
keyed_check "no 502/504 from the stop to 5 s after the return" [ "$(answers_gateway "$t_down" $((t_back + 5000)))" -eq 0 ]

# the requests sent in the AFTER_S seconds after the database returned
read -r after_sent after_ok < <(awk -v a="$t_back" -v b=$((t_back + AFTER_S * 1000)) \
  '$5 >= a && $5 < b {n++; if ($2 == 201) ok++} END {print n + 0, ok + 0}' "$D/answers")
share=$((after_sent ? after_ok * 1000 / after_sent : 0))
# the orders waiting for a 201 when it returned: how long after it they got one
waited=$(awk -v t="$t_back" '$5 < t {asked[$1] = 1} $2 == 201 {done[$1] = $6}
  END {for (k in asked) if (done[k] >= t) {n++; d = done[k] - t; if (d > m) m = d}; print n + 0, m + 0}' "$D/answers")
echo "after the database returned: $after_ok of $after_sent requests sent in ${AFTER_S} s succeeded" \
  "($((share / 10)).$((share % 10)) %, goal $((GOAL_PERMILLE / 10)) %); orders waiting then: ${waited% *}," \
  "the last answered 201 $((${waited#* } / 1000)).$(((${waited#* } % 1000) / 100)) s after it returned"
keyed_check "requests were sent after the database returned" [ "$after_sent" -gt 0 ]
keyed_check "share of requests that succeed in the ${AFTER_S} s after the return >= 99 %" [ "$share" -ge "$GOAL_PERMILLE" ]
# 502/504 after that (lambda-local's, not the api's: see tests/faults/README.md)
# count against the share above; the accounting prints them.
KEYED_GATEWAY=any keyed_accounting
keyed_finish db_outage
