#!/usr/bin/env bash
# A minimal runtime in shell for the e2e suite: answers each event with the
# environment Lambda must give and the headers /next carried, as JSON.
set -u
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
while :; do
  hdr=$(mktemp) body=$(mktemp)
  curl -sS --noproxy '*' -D "$hdr" -o "$body" "$api/invocation/next" || exit 1
  now_ms=$(date +%s%3N)
  h() { grep -i "^$1:" "$hdr" | head -1 | cut -d' ' -f2- | tr -d '\r'; }
  id=$(h Lambda-Runtime-Aws-Request-Id)
  out="{"
  for v in AWS_LAMBDA_RUNTIME_API _HANDLER LAMBDA_TASK_ROOT AWS_LAMBDA_FUNCTION_NAME AWS_LAMBDA_FUNCTION_VERSION \
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE AWS_LAMBDA_LOG_GROUP_NAME AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID \
    AWS_SECRET_ACCESS_KEY TZ OWN_VAR; do
    out="$out$(json_str "$v"):$(json_str "${!v-}"),"
  done
  for n in Lambda-Runtime-Aws-Request-Id Lambda-Runtime-Deadline-Ms Lambda-Runtime-Invoked-Function-Arn \
    Lambda-Runtime-Trace-Id; do
    out="$out$(json_str "$n"):$(json_str "$(h "$n")"),"
  done
  out="$out\"now_ms\":$now_ms,\"event\":$(cat "$body")}"
  printf '%s' "$out" | curl -sS --noproxy '*' -o /dev/null -X POST --data-binary @- "$api/invocation/$id/response"
  rm -f "$hdr" "$body"
done
