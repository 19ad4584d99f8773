#!/usr/bin/env bash
# Issue 15, TLS reload: on SIGHUP dhtpush-node serves new HTTPS connections with the
# certificate and key files as they are now (an ACME client renewed them), while a device's
# open event stream over HTTPS goes on; a bad pair is refused and the served one kept.
set -euo pipefail
NODE="$1"
CLI="$2"
source "$(dirname "$0")/process_helpers.sh"

make_cert() {  # make_cert NAME: a self-signed P-256 certificate for 127.0.0.1
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$WORK/$1.key" -out "$WORK/$1.pem" 2>/dev/null
}
make_cert first
make_cert second
cp "$WORK/first.pem" "$WORK/cert.pem"
cp "$WORK/first.key" "$WORK/key.pem"
start_node "$NODE" node1 0 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" --https-port 0
HTTPS=$(sed -n 's/^  HTTPS  *\(https:[^ ]*\).*/\1/p' "$WORK/node1.log")
NODE_PID="${PIDS[0]}"

# A device on the HTTPS listener, its stream open.
"$CLI" subscribe --proxy "$HTTPS" --cacert "$WORK/first.pem" --state "$WORK/device.json" >"$WORK/subscription.json"
ENDPOINT=$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' "$WORK/subscription.json")
"$CLI" listen --cacert "$WORK/first.pem" --state "$WORK/device.json" --count 2 >"$WORK/listen.out" 2>"$WORK/listen.err" &
LISTEN=$!
PIDS+=($LISTEN)
"$CLI" send "$ENDPOINT" "before the renewal" --ttl 60 --subscription "$WORK/subscription.json" \
  --cacert "$WORK/first.pem" | grep -q "^sent:"
wait_for "$WORK/listen.out" "before the renewal"

# The renewal: new files, then SIGHUP.
cp "$WORK/second.pem" "$WORK/cert.pem"
cp "$WORK/second.key" "$WORK/key.pem"
kill -HUP "$NODE_PID"
wait_for "$WORK/node1.log" "SIGHUP: TLS certificate reloaded"
# New connections get the second certificate: trusting only it works, only the first fails.
curl -sS --fail --cacert "$WORK/second.pem" "$HTTPS/health" | grep -q "\"status\""
if curl -sf --cacert "$WORK/first.pem" "$HTTPS/health" >/dev/null 2>&1; then
  echo "FAIL: the first certificate is still served to new connections"; exit 1
fi
# The stream opened before goes on.
"$CLI" send "$ENDPOINT" "after the renewal" --ttl 60 --subscription "$WORK/subscription.json" \
  --cacert "$WORK/second.pem" | grep -q "^sent:"
wait_for "$WORK/listen.out" "after the renewal"
wait "$LISTEN"

# A half-done renewal (a key that is not the certificate's): refused, the served pair kept.
cp "$WORK/first.pem" "$WORK/cert.pem"
kill -HUP "$NODE_PID"
wait_for "$WORK/node1.log" "error SIGHUP: .*mismatch.*; still serving the previous certificate"
curl -sS --fail --cacert "$WORK/second.pem" "$HTTPS/health" | grep -q "\"status\""
kill -0 "$NODE_PID"
echo "TLS reload: 1 passed, 0 failed"
