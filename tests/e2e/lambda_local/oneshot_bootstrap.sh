#!/usr/bin/env bash
# For the e2e suite: a runtime that answers one event and exits, so every
# event finds the previous process dying or gone. None may be lost to that.
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
hdr=$(mktemp)
trap 'rm -f "$hdr"' EXIT
curl -sS --noproxy '*' -D "$hdr" -o /dev/null "$api/invocation/next" || exit 1
id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$hdr" | cut -d' ' -f2 | tr -d '\r')
curl -sS --noproxy '*' -o /dev/null -X POST --data-binary '{"statusCode":200,"body":"once"}' "$api/invocation/$id/response"
sleep 0.3 # dies a moment after answering, while the next event may already wait
exit 1
