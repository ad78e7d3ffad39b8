#!/usr/bin/env bash
# shellcheck disable=SC2016,SC2034 # conditions in single quotes are eval-ed later, on purpose
# lambda-local's event sources end to end, against fauxqs and a node runtime
# (sqs_fixture_bootstrap.mjs) that behaves as the worker or cleanup might:
# batches, partial failures redelivered after the visibility timeout, poison
# messages in the DLQ after maxReceiveCount while the rest flows, a function
# error / timeout / crash / unknown itemIdentifier / non-JSON answer failing
# the whole batch, the maximumConcurrency cap, a schedule firing on a sped-up
# clock, trigger by name, and a prompt stop while SQS hangs. Everything on
# 127.0.0.1. Prints "N passed, N failed"; exit 77 when something is missing.
#   sources.sh ROOT LAMBDA_LOCAL
set -u
ROOT=${1:-} LL=${2:-}
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ -z "$LL" ] || [ ! -x "$LL" ]; then echo "skipped: lambda-local not built"; exit 77; fi
[ -d "$ROOT/tools/node_modules/fauxqs" ] || { echo "skipped: fauxqs missing (scripts/deps)"; exit 77; }
command -v node >/dev/null || { echo "skipped: node is needed"; exit 77; }

WORK=$(mktemp -d)
PASS=0 FAIL=0 FQ_PID="" LL_PID="" HANG_PID=""
cleanup() {
  for p in "$LL_PID" "$HANG_PID" "$FQ_PID"; do [ -n "$p" ] && kill -KILL "$p" 2>/dev/null; done
  exec 3>&- 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
ok() { PASS=$((PASS + 1)); echo "ok   $1"; }
ko() { FAIL=$((FAIL + 1)); echo "FAIL $1${2:+: $2}"; [ -f "$WORK/ll.err" ] && grep 'lambda-local' "$WORK/ll.err" | tail -8 | sed 's/^/     | /'; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }
t() { eval "$1"; }
sqs() { node "$HERE/sqs_tool.mjs" "$EP" "$@"; }
# events FUNCTION: every event FUNCTION got, one JSON document per line
events() { node -e '
  const [log, fn] = process.argv.slice(1);
  for (const l of require("fs").readFileSync(log, "utf8").split("\n").filter(Boolean)) {
    const j = JSON.parse(l); if (j.mode === fn) console.log(JSON.stringify(j.event));
  }' "$WORK/$1.log" "$2" 2>/dev/null; }
# until_true SECONDS 'CONDITION'
until_true() { local end=$((SECONDS + $1)); while [ "$SECONDS" -lt "$end" ]; do eval "$2" && return 0; sleep 0.1; done; eval "$2"; }

# fauxqs, its orders queue with a 4 s visibility timeout (a loaded machine must still finish a
# batch and its deletion within it) and redrive after 2 receives
mkfifo "$WORK/fq.in"
(cd "$ROOT/local" && FAUXQS_VISIBILITY_TIMEOUT=4 FAUXQS_MAX_RECEIVE_COUNT=2 \
  exec node fauxqs.mjs "$ROOT/tools/node_modules" 0 orders orders-dlq e2e-archive) <"$WORK/fq.in" >"$WORK/fq.out" 2>&1 &
FQ_PID=$!
exec 3>"$WORK/fq.in"
until_true 30 'grep -q ^READY "$WORK/fq.out"' || { echo "FAIL fauxqs did not start"; cat "$WORK/fq.out"; exit 1; }
EP="http://127.0.0.1:$(sed -n 's/^PORT //p' "$WORK/fq.out")"
Q=$(sed -n 's/^QUEUE //p' "$WORK/fq.out")
DLQ=$(sed -n 's/^DLQ //p' "$WORK/fq.out")
declare -A QU DQ
for fn in error timeout crash unknown garbage slow; do
  read -r QU[$fn] DQ[$fn] < <(sqs create "q-$fn" 2 2)
done

FIX="$HERE/sqs_fixture_bootstrap.mjs"
sqs_event() { # sqs_event QUEUE BATCH WINDOW MAXCONC
  printf '{"sqs":{"queue":"%s","endpoint":"%s","batchSize":%s,"maximumBatchingWindow":%s,"functionResponseType":"ReportBatchItemFailures","maximumConcurrency":%s,"pollWait":1}}' "$1" "$EP" "$2" "$3" "$4"
}
fn_json() { # fn_json NAME TIMEOUT CONCURRENCY SLEEP_MS EVENTS
  printf '"%s":{"handler":"%s","timeout":%s,"concurrency":%s,"env":{"FIXTURE_LOG":"%s/%s.log","FIXTURE_DIR":"%s/%s.d","SLEEP_MS":"%s"},"events":%s}' \
    "$1" "$1" "$2" "$3" "$WORK" "$1" "$WORK" "$1" "$4" "$5"
}
for fn in worker error timeout crash unknown garbage slow echo; do mkdir -p "$WORK/$fn.d"; done
cat >"$WORK/stack.json" <<JSON
{"region":"eu-west-1","bootstrap":"$FIX","functions":{
 $(fn_json worker 5 2 100 "$(sqs_event "$Q" 5 1 2)"),
 $(fn_json error 5 1 0 "$(sqs_event "${QU[error]}" 10 0 2)"),
 $(fn_json timeout 1 1 0 "$(sqs_event "${QU[timeout]}" 10 0 2)"),
 $(fn_json crash 5 1 0 "$(sqs_event "${QU[crash]}" 10 0 2)"),
 $(fn_json unknown 5 1 0 "$(sqs_event "${QU[unknown]}" 10 0 2)"),
 $(fn_json garbage 5 1 0 "$(sqs_event "${QU[garbage]}" 10 0 2)"),
 $(fn_json slow 10 4 1500 "$(sqs_event "${QU[slow]}" 1 0 2)"),
 $(fn_json echo 5 1 0 '{"schedules":{"Fast":{"expression":"rate(1 minute)","input":"{\"task\":\"fast\"}"},"Bare":{"expression":"cron(0 3 * * ? *)"},"Off":{"expression":"rate(1 minute)","input":"{\"task\":\"off\"}","enabled":false}}}')
}}
JSON

sqs send "$Q" m1 m2 fail3 m4 poison5 m6 m7 m8 m9 m10 m11 m12
for fn in error timeout crash unknown garbage; do sqs send "${QU[$fn]}" "$fn-a" "$fn-b"; done
sqs send "${QU[slow]}" s1 s2 s3 s4 s5 s6 s7 s8
START=$(date +%s)
LAMBDA_LOCAL_CLOCK_SCALE=60 "$LL" serve --config "$WORK/stack.json" >"$WORK/ll.out" 2>"$WORK/ll.err" 3>&- &
LL_PID=$!

# --- batches and partial failures
until_true 30 '[ "$(sqs count "$Q")" = 0 ]'
check "every message left the queue (deleted or dead-lettered)" t '[ "$(sqs count "$Q")" = 0 ]'
events worker worker >"$WORK/w.events"
check "batches hold at most batchSize (5) records" t 'node -e "for (const l of require(\"fs\").readFileSync(process.argv[1],\"utf8\").split(\"\\n\").filter(Boolean)) if (JSON.parse(l).Records.length > 5) process.exit(1)" "$WORK/w.events"'
check "a batching window gathers more than one message" t 'node -e "const n=require(\"fs\").readFileSync(process.argv[1],\"utf8\").split(\"\\n\").filter(Boolean).map(l=>JSON.parse(l).Records.length); process.exit(Math.max(...n) > 1 ? 0 : 1)" "$WORK/w.events"'
node -e '
  const fs = require("fs"); const want = process.argv[2];
  try {
  const recs = fs.readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).flatMap((l) => JSON.parse(l).Records);
  const r = recs.find((x) => x.body === "m1");
  const ok = r && r.eventSource === "aws:sqs" && r.eventSourceARN === want && r.awsRegion === "eu-west-1" &&
    r.attributes.ApproximateReceiveCount === "1" && /^[0-9]{13}$/.test(r.attributes.SentTimestamp) &&
    /^[0-9]{13}$/.test(r.attributes.ApproximateFirstReceiveTimestamp) && /^[0-9a-f]{32}$/.test(r.md5OfBody) &&
    r.messageAttributes.kind.stringValue === "e2e" && r.messageAttributes.kind.dataType === "String" &&
    Array.isArray(r.messageAttributes.kind.stringListValues) && r.receiptHandle && r.messageId;
  const once = ["m1","m2","m4","m6","m7","m8","m9","m10","m11","m12"].every((b) => recs.filter((x) => x.body === b).length === 1);
  const again = recs.filter((x) => x.body === "fail3").map((x) => x.attributes.ApproximateReceiveCount).join(",");
  fs.writeFileSync(process.argv[1] + ".check", JSON.stringify({ ok: !!ok, once, again }));
  } catch (e) { fs.writeFileSync(process.argv[1] + ".check", String(e)); }
' "$WORK/w.events" "arn:aws:sqs:eu-west-1:000000000000:orders"
echo "     worker events: $(cat "$WORK/w.events.check")"
check "records are shaped as Lambda's SQS event" t 'grep -q "\"ok\":true" "$WORK/w.events.check"'
check "succeeded messages are delivered once (deleted)" t 'grep -q "\"once\":true" "$WORK/w.events.check"'
check "a failed item comes back after the visibility timeout (receive counts 1,2)" t 'grep -q "\"again\":\"1,2\"" "$WORK/w.events.check"'
until_true 10 '[ "$(sqs bodies "$DLQ")" = "fail3 poison5" ]'
check "poison messages end in the DLQ after maxReceiveCount, the rest flowed" t '[ "$(sqs bodies "$DLQ")" = "fail3 poison5" ]'

# --- whole-batch failures: nothing deleted, every message redelivered, then dead-lettered
for fn in error timeout crash unknown garbage; do
  until_true 25 '[ "$(sqs bodies "${DQ[$fn]}")" = "$fn-a $fn-b" ]'
  check "$fn: the whole batch fails, redelivered then dead-lettered" \
    t '[ "$(sqs bodies "${DQ[$fn]}")" = "$fn-a $fn-b" ] && [ "$(events "$fn" "$fn" | grep -c "$fn-a")" -ge 2 ] && grep -q "sqs $fn: batch of .*whole batch failed" "$WORK/ll.err"'
done

# --- concurrency cap: 8 messages, 4 instances, maximumConcurrency 2, 1.5 s each
until_true 20 '[ "$(sqs count "${QU[slow]}")" = 0 ]'
check "at most maximumConcurrency (2) invocations in flight, and 2 reached" t '[ "$(cat "$WORK/slow.d/max" 2>/dev/null)" = 2 ]'

# --- schedules: rate(1 minute) on a clock 60 times faster fires about every second
until_true 10 '[ "$(events echo echo | grep -c "\"task\":\"fast\"")" -ge 2 ]'
check "a schedule fires its constant input on the clock" t '[ "$(events echo echo | grep -c "\"task\":\"fast\"")" -ge 2 ]'
check "a disabled rule does not fire" t '! events echo echo | grep -q "\"task\":\"off\""'

# --- stop: SIGTERM while pollers wait on SQS
kill -TERM "$LL_PID"
T0=$(date +%s%N)
wait "$LL_PID"; rc=$?
LL_PID=""
check "SIGTERM stops lambda-local with its pollers (exit 0, $(( ($(date +%s%N) - T0) / 1000000 )) ms)" t '[ $rc = 0 ]'

# --- trigger by name
"$LL" trigger Fast --config "$WORK/stack.json" >"$WORK/trig.out" 2>"$WORK/trig.err" 3>&-; rc=$?
check "trigger RULE sends the rule's input and prints the answer" t '[ $rc = 0 ] && [ "$(cat "$WORK/trig.out")" = "{\"task\":\"fast\"}" ]'
"$LL" trigger Bare --config "$WORK/stack.json" >"$WORK/trig.out" 2>"$WORK/trig.err" 3>&-; rc=$?
check "trigger of a rule without input sends a Scheduled Event" \
  t '[ $rc = 0 ] && grep -q "\"detail-type\":\"Scheduled Event\"" "$WORK/trig.out" && grep -q "rule/Bare" "$WORK/trig.out"'
"$LL" trigger Nope --config "$WORK/stack.json" >/dev/null 2>"$WORK/trig.err" 3>&-; rc=$?
check "trigger of an unknown rule is a usage error (exit 2)" t '[ $rc = 2 ] && grep -q "no schedule rule Nope" "$WORK/trig.err"'

# --- a hung SQS endpoint: stop stays bounded
node -e 'const s=require("net").createServer(()=>{}).listen(0,"127.0.0.1",()=>console.log(s.address().port))' >"$WORK/hang.port" &
HANG_PID=$!
until_true 5 '[ -s "$WORK/hang.port" ]'
cat >"$WORK/hang.json" <<JSON
{"region":"eu-west-1","bootstrap":"$FIX","functions":{
 $(fn_json worker 5 1 0 "{\"sqs\":{\"queue\":\"$Q\",\"endpoint\":\"http://127.0.0.1:$(cat "$WORK/hang.port")\",\"pollWait\":1}}")}}
JSON
"$LL" serve --config "$WORK/hang.json" >/dev/null 2>"$WORK/hang.err" 3>&- &
LL_PID=$!
sleep 2
kill -TERM "$LL_PID"
T0=$(date +%s)
wait "$LL_PID"; rc=$?
LL_PID=""
check "a hanging SQS endpoint neither wedges the poller nor the stop (exit 0 within 6 s)" \
  t '[ $rc = 0 ] && [ $(( $(date +%s) - T0 )) -le 6 ]'
check "the hang is reported" t 'grep -q "ReceiveMessage failed" "$WORK/hang.err"'

echo "$PASS passed, $FAIL failed ($(( $(date +%s) - START )) s)"
[ "$FAIL" = 0 ]
