# shellcheck shell=bash
# The api function's local stack, for the e2e test and bench/api (sourced).
#   stack_start SRC BUILD FORMAT CONCURRENCY   (sets D, BASE, QUEUE, FQ_URL; PGTMP_OPTS honoured)
#   stack_stop                                  (also run on EXIT once started)
#   STACK_API_TIMEOUT (28): the api's timeout; STACK_WORKER=1 adds the worker (SQS
#   event source; its timeout STACK_WORKER_TIMEOUT, 30) and cleanup (its outbox relay,
#   run by hand: stack_relay)
#   STACK_FN_SQS_URL: the functions' SQS endpoint (a fault proxy in front of fauxqs; the
#   worker's event source stays on fauxqs); a function stack_before_config, when the
#   caller defines one, runs once fauxqs is up
# A throw-away PostgreSQL and fauxqs on free ports, migrate run once through
# lambda-local, the local seed, then lambda-local serving the api function.
D="" FQ_PID="" LL_PID=""

stack_stop() {
  set +e
  [ -n "$LL_PID" ] && kill -TERM "$LL_PID" 2>/dev/null && wait "$LL_PID" 2>/dev/null
  LL_PID=""
  exec 3>&- 2>/dev/null
  [ -n "$FQ_PID" ] && kill -TERM "$FQ_PID" 2>/dev/null && wait "$FQ_PID" 2>/dev/null
  FQ_PID=""
  [ -n "$D" ] && "$SRC/scripts/lib/pgtmp" stop "$D/pg" >/dev/null 2>&1 && rm -rf "$D"
  D=""
}

fail() { echo "api stack: FAIL: $*" >&2; [ -n "$D" ] && [ -f "$D/ll.log" ] && tail -30 "$D/ll.log" >&2; exit 1; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

stack_fauxqs() {
  mkfifo "$D/fq.in"
  (cd "$SRC/local" && exec node fauxqs.mjs "$SRC/tools/node_modules" 0 orders orders-dlq orders-archive) \
    <"$D/fq.in" >"$D/fq.out" 2>&1 &
  FQ_PID=$!
  exec 3>"$D/fq.in" # fauxqs ends when this closes, whatever ends us
  for _ in $(seq 1 300); do grep -q '^READY' "$D/fq.out" && break; sleep 0.1; done
  grep -q '^READY' "$D/fq.out" || fail "fauxqs did not start: $(cat "$D/fq.out")"
  FQ_URL="http://127.0.0.1:$(sed -n 's/^PORT //p' "$D/fq.out")"
  QUEUE=$(sed -n 's/^QUEUE //p' "$D/fq.out")
}

stack_config() { # FORMAT CONCURRENCY PORT
  cat >"$D/stack.json" <<JSON
{
  "region": "us-east-1",
  "bootstrap": "$BUILD/functions/bootstrap",
  "env": {
    "SERVICE_NAME": "orders", "LOG_LEVEL": "${LOG_LEVEL:-info}",
    "DB_HOST": "127.0.0.1", "DB_PORT": "$PGPORT", "DB_NAME": "orders", "DB_USER": "$PGUSER",
    "DB_IAM_AUTH": "false", "DB_SSLMODE": "disable",
    "ORDERS_QUEUE_URL": "$QUEUE", "AWS_ENDPOINT_URL": "$FQ_URL", "AWS_ENDPOINT_URL_SQS": "${STACK_FN_SQS_URL:-$FQ_URL}"
  },
  "functions": {
    "api": {"handler": "api", "timeout": ${STACK_API_TIMEOUT:-28}, "memory": 512, "concurrency": $2},$(stack_worker_config)
    "migrate": {"handler": "migrate", "timeout": 300, "memory": 256}
  },
  "http": {"function": "api", "host": "127.0.0.1", "port": $3, "format": "$1", "stage": "local"}
}
JSON
}

# The worker and cleanup, with STACK_WORKER=1 (cleanup's relay takes every unpublished row).
stack_worker_config() {
  [ -n "${STACK_WORKER:-}" ] || return 0
  cat <<JSON

    "worker": {"handler": "worker", "timeout": ${STACK_WORKER_TIMEOUT:-30}, "memory": 256, "concurrency": 2,
      "events": {"sqs": {"queue": "$QUEUE", "endpoint": "$FQ_URL", "batchSize": 10, "maximumBatchingWindow": 0,
        "functionResponseType": "ReportBatchItemFailures", "maximumConcurrency": 2}}},
    "cleanup": {"handler": "cleanup", "timeout": 60, "memory": 256,
      "env": {"ARCHIVE_BUCKET": "orders-archive", "OUTBOX_GRACE_SECONDS": "0"}},
JSON
}
stack_relay() { echo '{"task":"outbox"}' | "$BUILD/tools/lambda-local/lambda-local" invoke cleanup - --config "$D/stack.json"; }

stack_start() {
  SRC=$1 BUILD=$2
  local ll="$BUILD/tools/lambda-local/lambda-local" port
  if [ ! -x "$ll" ] || [ ! -x "$BUILD/functions/bootstrap" ]; then fail "build lambda-local and bootstrap in $BUILD first"; fi
  D=$(mktemp -d); chmod 755 "$D"
  trap stack_stop EXIT
  eval "$("$SRC/scripts/lib/pgtmp" start "$D/pg")"
  psql -qAt -v ON_ERROR_STOP=1 -c "CREATE DATABASE orders" >/dev/null
  stack_fauxqs
  [ "$(type -t stack_before_config)" != function ] || stack_before_config
  port=$(free_port)
  stack_config "$3" "$4" "$port"
  "$ll" invoke migrate --config "$D/stack.json" >"$D/migrate.out" 2>&1 || fail "migrate: $(tail -5 "$D/migrate.out")"
  psql -q -v ON_ERROR_STOP=1 -d orders -f "$SRC/db/seed/local_seed.sql" >/dev/null
  # Suites run in parallel: the port found free may be taken before lambda-local
  # binds it; then start again on another one (and never talk to a stranger on it).
  for _ in 1 2 3; do
    "$ll" serve --config "$D/stack.json" >"$D/ll.log" 2>&1 &
    LL_PID=$!
    BASE="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
      kill -0 "$LL_PID" 2>/dev/null || break
      curl -s -o /dev/null "$BASE/health" && return 0
      sleep 0.1
    done
    grep -q "in use" "$D/ll.log" 2>/dev/null || break
    wait "$LL_PID" 2>/dev/null || true
    port=$(free_port)
    stack_config "$3" "$4" "$port"
  done
  fail "lambda-local did not answer on $BASE"
}
