# Sourced by tests/faults/*.sh: the local stack (scripts/run --orders) on free
# ports with short SQS timings, orders posted through the api, and the closing
# accounting. Expects ROOT, LL, BOOT; defines ok/ko/check, start_stack, post_orders,
# hold_lock/release_lock, await_decided and accounting.
# shellcheck shell=bash
# The checks are strings that check() evals later: single quotes on purpose.
# shellcheck disable=SC2016,SC2034

WORK=$(mktemp -d)
chmod 755 "$WORK" # PostgreSQL runs as the postgres user and must reach its directory
PASS=0 FAIL=0 RUN_PID="" LOCK_PID=""
export LOCAL_STACK_DIR="$WORK/local"
# Failed messages come back after 3 s; the third failed receive sends one to the
# DLQ (a script whose fault lasts longer sets FAUXQS_MAX_RECEIVE_COUNT higher; the
# worker flood sets 1: each hostile message is delivered once, then dead-lettered).
export FAUXQS_VISIBILITY_TIMEOUT=${FAUXQS_VISIBILITY_TIMEOUT:-3} FAUXQS_MAX_RECEIVE_COUNT=${FAUXQS_MAX_RECEIVE_COUNT:-3}
SQS_TOOL="$ROOT/tests/e2e/lambda_local/sqs_tool.mjs"

ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL $1"; tail -20 "$WORK/run.log" | sed 's/^/     | /'; }
check() { local name=$1; shift; if eval "$1"; then ok "$name"; else ko "$name"; fi; }
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; }

# The lock holder, then the stack (scripts/run stops what it started), then the files.
faults_cleanup() {
  [ -n "$LOCK_PID" ] && kill "$LOCK_PID" 2>/dev/null
  [ -n "$RUN_PID" ] && kill -TERM "$RUN_PID" 2>/dev/null && wait "$RUN_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap faults_cleanup EXIT

sql() { psql -qAtX -v ON_ERROR_STOP=1 -c "$1"; }
sqs() { node "$SQS_TOOL" "$AWS_ENDPOINT_URL" "$@"; }
sqs_count() { sqs count "$1" 2>/dev/null || echo "?"; }

# Starts scripts/run on PORT; true once the api serves and the worker polls.
launch_stack() {
  LAMBDA_LOCAL="$LL" BOOTSTRAP="$BOOT" "$ROOT/scripts/run" --orders --no-build --port "$1" >"$WORK/run.log" 2>&1 &
  RUN_PID=$!
  for _ in $(seq 1 600); do
    grep -q "sqs worker: polling" "$WORK/run.log" && grep -q "serving function api" "$WORK/run.log" && return 0
    kill -0 "$RUN_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

start_stack() {
  local port
  # Suites run in parallel: the port found free may be taken before
  # lambda-local binds it (it stops with "in use"); then start again on another.
  for _ in 1 2 3; do
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    launch_stack "$port" && break
    grep -q "cannot listen on .* (in use?)" "$WORK/run.log" || break
    wait "$RUN_PID" 2>/dev/null || true
    cp "$WORK/run.log" "$WORK/run.port-in-use.log"
  done
  if ! grep -q "serving function api" "$WORK/run.log" || [ ! -f "$LOCAL_STACK_DIR/env" ]; then
    ko "the stack starts"
    finish
    exit 1
  fi
  # shellcheck source=/dev/null
  source "$LOCAL_STACK_DIR/env"
  export PGHOST PGPORT PGUSER PGDATABASE
  BASE="http://127.0.0.1:$port"
  DLQ_URL=$(sed -n 's/^DLQ //p' "$LOCAL_STACK_DIR/fauxqs.out")
  # Stock before any order: available now, nothing reserved yet.
  sql "SELECT sku, available FROM inventory ORDER BY sku" >"$WORK/stock0"
  ok "the stack starts (api on $BASE, PostgreSQL on $PGPORT)"
}

# post_orders TAG N: N orders from 2 concurrent clients (the stack runs 2 api
# instances; more would be throttled with 429); every 5th asks for
# SKU-OUT (rejected), the others one or two lines of SKU-1..SKU-5. Appends the
# ids of the accepted (201) ones to $WORK/accepted, the others' status to $WORK/refused.
post_orders() {
  local tag=$1 n=$2
  seq 1 "$n" | xargs -P 2 -I{} sh -c '
    i={}; tag=$1; base=$2
    if [ $((i % 5)) -eq 0 ]; then items="{\"sku\":\"SKU-OUT\",\"quantity\":1}"
    else items="{\"sku\":\"SKU-$((i % 5))\",\"quantity\":$((i % 3 + 1))},{\"sku\":\"SKU-$(((i + 1) % 5 + 1))\",\"quantity\":1}"; fi
    curl -s --max-time 20 -o /dev/null -D - -X POST "$base/orders" -H "Content-Type: application/json" \
      -d "{\"customer_id\":\"c-$tag\",\"items\":[$items]}" |
      awk "/^HTTP/ {code=\$2} tolower(\$1)==\"location:\" && code==201 {sub(\"\\r\",\"\"); sub(\".*/\",\"\",\$2); print \$2}
           END {if (code != 201) print \"$tag \" (code ? code : \"no answer\") >\"/dev/stderr\"}"
  ' _ "$tag" "$BASE" >>"$WORK/accepted" 2>>"$WORK/refused"
  [ -s "$WORK/refused" ] && echo "not accepted (tag status): $(sort "$WORK/refused" | uniq -c | paste -sd,)"
  return 0
}

# hold_lock SKU: an open transaction holding SKU's inventory row ('*': all of them), so that the
# worker's next batch with that SKU waits inside order_decide_batch (mid-batch).
hold_lock() {
  local where="sku = '$1'"
  [ "$1" = "*" ] && where=true # every row
  PGAPPNAME=faults-lock psql -qAtX -c "BEGIN" -c "SELECT 1 FROM inventory WHERE $where FOR UPDATE" \
    -c "SELECT pg_sleep(120)" >/dev/null 2>&1 &
  LOCK_PID=$!
  for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'faults-lock' AND query LIKE '%pg_sleep%'")" = 1 ] && return 0
    sleep 0.1
  done
  return 1
}
release_lock() {
  sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'faults-lock'" >/dev/null 2>&1 || true
  [ -n "$LOCK_PID" ] && wait "$LOCK_PID" 2>/dev/null
  LOCK_PID=""
}
# A worker's order_decide_batch call waiting for a lock: the batch is in flight.
batch_waiting() {
  for _ in $(seq 1 200); do
    [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%order_decide_batch%'" 2>/dev/null)" -ge 1 ] && return 0
    sleep 0.1
  done
  return 1
}

# ids_array: the accepted ids as a SQL uuid[] literal
ids_array() { printf "'{%s}'::uuid[]" "$(paste -sd, "$WORK/accepted")"; }
pending_count() { sql "SELECT count(*) FROM orders WHERE id = ANY($(ids_array)) AND status = 'PENDING'"; }

# await_decided SECONDS: until no accepted order is PENDING
await_decided() {
  local end=$((SECONDS + $1))
  while [ $SECONDS -lt "$end" ]; do
    [ "$(pending_count 2>/dev/null)" = 0 ] && return 0
    sleep 0.5
  done
  return 1
}

# The closing accounting, printed and asserted.
accounting() {
  local accepted decided confirmed rejected others logged twice stock_bad
  accepted=$(wc -l <"$WORK/accepted")
  read -r decided confirmed rejected others < <(sql "SELECT count(*) FILTER (WHERE status IN ('CONFIRMED', 'REJECTED')),
      count(*) FILTER (WHERE status = 'CONFIRMED'), count(*) FILTER (WHERE status = 'REJECTED'),
      (SELECT count(*) FROM orders) - count(*)
    FROM orders WHERE id = ANY($(ids_array))" | tr '|' ' ')
  # Decided twice: a confirmed or rejected outcome logged by the worker more than once for one order.
  grep -ho '"order_id":"[0-9a-f-]*","outcome":"\(confirmed\|rejected\)"' "$WORK/run.log" | sort >"$WORK/decisions"
  logged=$(wc -l <"$WORK/decisions")
  twice=$(uniq -d "$WORK/decisions" | wc -l)
  # Stock: initial = available + reserved by CONFIRMED orders, per SKU.
  sql "SELECT i.sku, i.available + coalesce(sum(oi.quantity) FILTER (WHERE o.status = 'CONFIRMED'), 0)
         FROM inventory i LEFT JOIN order_items oi ON oi.sku = i.sku LEFT JOIN orders o ON o.id = oi.order_id
        GROUP BY i.sku, i.available ORDER BY i.sku" >"$WORK/stock1"
  stock_bad=$(diff "$WORK/stock0" "$WORK/stock1" | grep -c '^>' || true)
  echo "accounting: accepted $accepted, decided $decided, confirmed $confirmed, rejected $rejected," \
    "lost $((accepted - decided)), decided twice $twice (decisions logged by the worker $logged), orders not accepted $others"
  echo "stock (sku|initial -> available + reserved by CONFIRMED): $(paste -sd' ' "$WORK/stock0") -> $(paste -sd' ' "$WORK/stock1")"
  echo "queues: orders $(sqs_count "$ORDERS_QUEUE_URL"), DLQ $(sqs_count "$DLQ_URL")"
  check "orders were accepted" '[ "$accepted" -gt 0 ]'
  check "lost = 0: every accepted order is decided" '[ "$decided" -eq "$accepted" ]'
  check "confirmed + rejected = decided, some of each" '[ $((confirmed + rejected)) -eq "$decided" ] && [ "$confirmed" -gt 0 ] && [ "$rejected" -gt 0 ]'
  check "no order beyond the accepted ones" '[ "$others" -eq 0 ]'
  check "decided twice = 0 (a killed worker's decisions may go unlogged: logged <= decided)" \
    '[ "$twice" -eq 0 ] && [ "$logged" -gt 0 ] && [ "$logged" -le "$decided" ]'
  check "stock: initial = available + reserved by CONFIRMED orders, per SKU" '[ "$stock_bad" -eq 0 ]'
}
