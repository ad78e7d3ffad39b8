#!/usr/bin/env bash
# Fault scenario (issue 15): a table the create path writes locked (LOCK TABLE
# ... ACCESS EXCLUSIVE in an open transaction) for longer than the api's
# timeout, under load: first orders, then outbox. Clients retry each order
# with its Idempotency-Key. While a lock is held the api answers 503 with
# Retry-After before its deadline (its statement cancelled 1 s before it),
# never 502/504 from the timeout; once it is released nothing is lost or
# duplicated. Ends with the accounting (keyed.sh).
#   table_lock.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}
TIMEOUT_S=4 LOCK_S=8
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
# shellcheck disable=SC2016  # eval'd on EXIT
LOCK_PID="" KEYED_ON_EXIT='[ -z "$LOCK_PID" ] || kill "$LOCK_PID" 2>/dev/null'
keyed_stack "$TIMEOUT_S"

# lock TABLE: ACCESS EXCLUSIVE on TABLE for LOCK_S seconds, from an open
# transaction; returns once the lock is held (seen in pg_locks).
lock() {
  PGAPPNAME=faults-lock psql -qAtX -d orders -c "BEGIN" -c "LOCK TABLE $1 IN ACCESS EXCLUSIVE MODE" \
    -c "SELECT pg_sleep($LOCK_S)" -c "SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint" \
    -c "COMMIT" >"$D/lock.out" 2>&1 &
  LOCK_PID=$!
  for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
               WHERE a.application_name = 'faults-lock' AND l.relation = '$1'::regclass
                 AND l.mode = 'AccessExclusiveLock' AND l.granted")" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}
# awaits the lock's end; UNLOCKED_AT: the instant (ms) its holder ran its last
# statement before COMMIT (no create can have committed before it)
unlock_wait() { wait "$LOCK_PID" || true; LOCK_PID=""; UNLOCKED_AT=$(tail -1 "$D/lock.out"); }
# requests sent after $1 and answered before $2 (ms) with status $3; by the
# send time, not the answer's: a create that committed just before the lock was
# granted can reach its client after it (a loaded machine delays the answer)
answers_between() { awk -v a="$1" -v b="$2" -v c="$3" '$5 >= a && $6 < b && $2 == c' "$D/answers" | wc -l; }

keyed_start lock "$CLIENTS"
sleep 2
for table in orders outbox; do
  keyed_check "ACCESS EXCLUSIVE lock on $table held" lock "$table"
  from=$(now_ms)
  unlock_wait
  to=$UNLOCKED_AT
  n503=$(answers_between "$from" "$to" 503)
  n201=$(answers_between "$from" "$to" 201)
  echo "answered while $table was locked ($(((to - from) / 1000)) s): $n503 × 503, $n201 × 201"
  keyed_check "503 while $table was locked" [ "$n503" -gt 0 ]
  keyed_check "no 201 while $table was locked" [ "$n201" -eq 0 ]
  sleep 3
done
keyed_stop
slowest=$(awk '$2 == 503 {d = $6 - $5; if (d > m) m = d} END {print m + 0}' "$D/answers")
echo "the slowest 503 took $slowest ms (the function's timeout: ${TIMEOUT_S} s)"
keyed_check "every 503 came before the function's timeout" [ "$slowest" -lt $((TIMEOUT_S * 1000)) ]
keyed_accounting
keyed_finish table_lock
