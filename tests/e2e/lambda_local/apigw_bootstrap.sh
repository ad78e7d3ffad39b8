#!/usr/bin/env bash
# For the e2e suite: answers as a Lambda proxy integration does, so that the
# translation back to HTTP is seen end to end: status 201, single and
# multi-value headers (payload 1.0) or cookies (2.0), a base64 body of the
# bytes 00 01 02 'h' 'i'.
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while :; do
  hdr=$(mktemp) body=$(mktemp)
  curl -sS --noproxy '*' -D "$hdr" -o "$body" "$api/invocation/next" || exit 1
  id=$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$hdr" | cut -d' ' -f2 | tr -d '\r')
  if grep -q '"version":"2.0"' "$body"; then
    answer='{"statusCode":201,"headers":{"X-One":"1","Content-Type":"application/octet-stream"},"cookies":["a=1","b=2; Path=/"],"body":"AAECaGk=","isBase64Encoded":true}'
  else
    answer='{"statusCode":201,"headers":{"X-One":"1","Content-Type":"application/octet-stream"},"multiValueHeaders":{"X-Many":["m1","m2"]},"body":"AAECaGk=","isBase64Encoded":true}'
  fi
  printf '%s' "$answer" | curl -sS --noproxy '*' -o /dev/null -X POST --data-binary @- "$api/invocation/$id/response"
  rm -f "$hdr" "$body"
done
