#!/usr/bin/env bash
# Throw-away TLS material for the TLS suite:
#   make_certs.sh DIR   ->  DIR/ca.crt (test CA), DIR/server.{crt,key} (signed by it,
#                           SAN DNS:localhost only), DIR/other-ca.crt (an unrelated CA)
set -euo pipefail
dir=$1
cd "$dir"
days=2
subj() { printf '/CN=%s' "$1"; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days $days \
  -subj "$(subj orders-test-ca)" -addext basicConstraints=critical,CA:TRUE \
  -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days $days \
  -subj "$(subj orders-other-ca)" -addext basicConstraints=critical,CA:TRUE 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
  -subj "$(subj localhost)" 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt \
  -days $days -extfile server.ext 2>/dev/null
chmod 600 server.key
# the server runs as postgres when we are root, and refuses a key others can read
if [ "$(id -u)" -eq 0 ]; then chown postgres: server.key server.crt; fi
chmod 644 ca.crt other-ca.crt server.crt
