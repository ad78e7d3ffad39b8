#!/usr/bin/env bash
# For the e2e suite: a runtime whose first /next gives up after 0.3 s (as a
# client with a read timeout would) and asks again; then echoes events.
# An event must never be handed to the abandoned request.
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
curl -s --noproxy '*' --max-time 0.3 -o /dev/null "$api/invocation/next"
while :; do
  hdr=$(mktemp) body=$(mktemp)
  curl -sS --noproxy '*' -D "$hdr" -o "$body" "$api/invocation/next" || exit 1
  id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$hdr" | cut -d' ' -f2 | tr -d '\r')
  curl -sS --noproxy '*' -o /dev/null -X POST --data-binary @"$body" "$api/invocation/$id/response"
  rm -f "$hdr" "$body"
done
