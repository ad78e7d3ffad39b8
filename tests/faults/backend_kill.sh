#!/usr/bin/env bash
# Fault scenario (issue 15): the api's backends terminated (pg_terminate_backend)
# again and again under load, at three moments of a create (order_create), each
# made to last by something added to this test's database only:
#  1. mid-statement: a BEFORE INSERT trigger on orders sleeps 0.2 s
#     (pg_stat_activity: wait_event PgSleep, the statement order_create);
#  2. during COMMIT, before the commit record: a deferred constraint trigger
#     on orders sleeps 0.2 s; deferred triggers run when the implicit
#     transaction commits, after the statement's rows were sent;
#  3. during COMMIT, after the commit record: synchronous_standby_names names a
#     standby that never comes, and the orders database asks for
#     synchronous_commit, so every commit waits for it (wait_event SyncRep) with
#     the transaction already committed locally; about half of these waits are
#     terminated (the client sees the connection drop: outcome unknown), the
#     others released with pg_cancel_backend (the commit then completes).
# Clients retry each order with its Idempotency-Key. Passes with 0 lost and 0
# duplicated; the orders of phase 3 whose create answer was lost have no
# message (the retry replays, it does not send), and the relay sends them.
#   backend_kill.sh SOURCE_DIR BUILD_DIR [CLIENTS]
set -euo pipefail
SRC=${1:?source dir}; BUILD=${2:?build dir}; CLIENTS=${3:-4}
PHASE_S=8
# shellcheck source=keyed.sh
source "$SRC/tests/faults/keyed.sh"
# shellcheck disable=SC2016  # eval'd on EXIT
KILLER_PID="" KEYED_ON_EXIT='[ -z "$KILLER_PID" ] || kill "$KILLER_PID" 2>/dev/null'
keyed_stack 6

sql "CREATE FUNCTION faults_sleep() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep(0.2); RETURN NULL; END \$\$;
     CREATE FUNCTION faults_sleep_before() RETURNS trigger LANGUAGE plpgsql AS
       \$\$ BEGIN PERFORM pg_sleep(0.2); RETURN NEW; END \$\$"
# the api's backends waiting on EVENT in a create
creates_waiting() {
  echo "FROM pg_stat_activity WHERE application_name = 'orders' AND state = 'active'
          AND wait_event = '$1' AND query LIKE '%order_create%'"
}
# killer EVENT: every 0.1 s, terminates the creates waiting on EVENT (PgSleep), or
# for SyncRep terminates those whose pid has the round's parity and releases the rest; one line a round
# with a count of each to $D/kills.EVENT
killer() {
  local round=0
  while :; do
    round=$((round + 1))
    if [ "$1" = SyncRep ]; then
      sql "SELECT count(*) FILTER (WHERE CASE WHEN pid % 2 = $((round % 2)) THEN pg_terminate_backend(pid)
                                               ELSE NOT pg_cancel_backend(pid) END),
                  count(*) $(creates_waiting SyncRep)"
    else
      sql "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)), 0 $(creates_waiting "$1")"
    fi
    sleep 0.1
  done >>"$D/kills.$1" 2>/dev/null
}
phase() { # NAME EVENT
  : >"$D/kills.$2"
  killer "$2" &
  KILLER_PID=$!
  sleep "$PHASE_S"
  kill "$KILLER_PID"
  wait "$KILLER_PID" 2>/dev/null || true
  KILLER_PID=""
  KILLS=$(awk -F'|' '{k += $1} END {print k + 0}' "$D/kills.$2")
  echo "$1: $KILLS backends terminated"
}

keyed_start kill "$CLIENTS"
sleep 2

sql "CREATE TRIGGER faults_mid_statement BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION faults_sleep_before()"
phase "mid-statement (BEFORE INSERT trigger, PgSleep)" PgSleep
keyed_check "backends terminated mid-statement" [ "$KILLS" -gt 0 ]
sql "DROP TRIGGER faults_mid_statement ON orders"

sql "CREATE CONSTRAINT TRIGGER faults_at_commit AFTER INSERT ON orders DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW EXECUTE FUNCTION faults_sleep()"
phase "during COMMIT, before the commit record (deferred trigger, PgSleep)" PgSleep
keyed_check "backends terminated during COMMIT (deferred trigger)" [ "$KILLS" -gt 0 ]
sql "DROP TRIGGER faults_at_commit ON orders"

sql "ALTER SYSTEM SET synchronous_standby_names = 'faults_no_standby'" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null
sql "ALTER DATABASE orders SET synchronous_commit = on"
# the setting reaches new sessions: the api's reconnect (found dead before a statement: silently)
sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'orders'" >/dev/null
phase "during COMMIT, after the commit record (SyncRep)" SyncRep
keyed_check "backends terminated during COMMIT (SyncRep: committed locally)" [ "$KILLS" -gt 0 ]
released=$(awk -F'|' '{n += $2} END {print n + 0}' "$D/kills.SyncRep")
echo "SyncRep waits seen $released, terminated $KILLS"
sql "ALTER DATABASE orders RESET synchronous_commit"
sql "ALTER SYSTEM RESET synchronous_standby_names" >/dev/null
sql "SELECT pg_reload_conf()" >/dev/null

sleep 2
keyed_stop
keyed_accounting
keyed_check "orders committed whose answer was lost (SyncRep kills) have no message; the relay sent them" \
  [ "$KEYED_NO_MESSAGE" -gt 0 ]
keyed_finish backend_kill
