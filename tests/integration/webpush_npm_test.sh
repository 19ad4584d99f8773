#!/usr/bin/env bash
# Issue 3's "done when": a widely used third-party WebPush library, the npm package
# `web-push`, run with Node.js, sends to a node's HTTPS endpoint (a self-signed certificate
# made here, trusted through NODE_EXTRA_CA_CERTS), once without VAPID and once with VAPID
# (its own generateVAPIDKeys(), bound with `dhtpush subscribe --vapid-key`); `dhtpush listen`
# prints the same text, decrypted. Also: a 403 for an unsigned POST to a bound subscription,
# a wrongly signed message dropped by the device's proxy, and `dhtpush send` with
# --subscription, --vapid (from `dhtpush vapid keygen`) and --cacert.
#   webpush_npm_test.sh DHTPUSH_NODE DHTPUSH_CLI NPM_CACHE_DIR
# Installs what it needs (node, npm, openssl: Debian packages; web-push: npm, cached in
# NPM_CACHE_DIR across runs). It never skips: a missing tool it cannot install is a failure.
set -euo pipefail
NODE_BIN="$1"
CLI="$2"
NPM_DIR="$3"
source "$(dirname "$0")/process_helpers.sh"
source "$(dirname "$0")/webpush_helpers.sh"

setup_webpush "$NPM_DIR"

start_two_tls_nodes
curl -sf "$HTTP2/health" >/dev/null  # plain HTTP stays available

STATE="$WORK/device.json"
# subscribe NAME [ARGS...]: a subscription on node 1, its PushSubscription JSON in $WORK/NAME.json
# with the endpoint moved to node 2's HTTPS listener (any node accepts any endpoint).
subscribe() {
  local name="$1"
  shift
  "$CLI" subscribe --proxy "$HTTP1" --state "$STATE" "$@" >"$WORK/$name.node1.json"
  grep -q "\"endpoint\":\"$HTTPS1/wp/" "$WORK/$name.node1.json"  # endpoints use the HTTPS base
  sed "s#$HTTPS1#$HTTPS2#" "$WORK/$name.node1.json" >"$WORK/$name.json"
}

webpush keys >"$WORK/webpush-vapid.json"
webpush keys >"$WORK/stranger-vapid.json"
APP_KEY=$(node -p "JSON.parse(require('fs').readFileSync('$WORK/webpush-vapid.json')).publicKey")
"$CLI" vapid keygen --out "$WORK/cli-vapid.json" >"$WORK/cli-vapid.pub"
[ "$(stat -c %a "$WORK/cli-vapid.json")" = "600" ]
CLI_KEY=$(sed -n 's/.*"publicKey":"\([^"]*\)".*/\1/p' "$WORK/cli-vapid.pub")
if grep -q privateKey "$WORK/cli-vapid.pub"; then echo "FAIL: keygen --out printed the private key"; exit 1; fi

subscribe open
subscribe bound --vapid-key "$APP_KEY"
subscribe cli --vapid-key "$CLI_KEY"

"$CLI" listen --state "$STATE" --count 3 >"$WORK/listen.out" 2>"$WORK/listen.err" &
LISTEN=$!
PIDS+=($LISTEN)
wait_for "$WORK/listen.err" "listening"

# Refused: no VAPID for a bound subscription at its proxy (403 before anything is published),
# and a stranger's VAPID at node 2, which knows the binding from the token (version 3).
sed "s#$HTTPS2#$HTTPS1#" "$WORK/bound.json" >"$WORK/bound.node1.json"
webpush send "$WORK/bound.node1.json" "unsigned, refused" | tee "$WORK/refused.out"
grep -q "^status 403 .*VAPID" "$WORK/refused.out"
webpush send "$WORK/bound.json" "signed by a stranger, refused" "$WORK/stranger-vapid.json" | grep -q "^status 403 .*VAPID"

# Delivered: web-push without VAPID, web-push with VAPID, and dhtpush send with VAPID.
webpush send "$WORK/open.json" "hello from web-push" | grep -q "^status 201"
webpush send "$WORK/bound.json" "hello from web-push with VAPID" "$WORK/webpush-vapid.json" | grep -q "^status 201"
"$CLI" send --subscription "$WORK/cli.json" "hello from dhtpush send with VAPID" --vapid "$WORK/cli-vapid.json" \
  --subject mailto:app@example.com --cacert "$WORK/cert.pem" --ttl 600 | grep -q "^sent: $HTTPS2/m/"

wait "$LISTEN"
cat "$WORK/listen.out"
grep -q '"text":"hello from web-push"' "$WORK/listen.out"
grep -q '"text":"hello from web-push with VAPID"' "$WORK/listen.out"
grep -q '"text":"hello from dhtpush send with VAPID"' "$WORK/listen.out"
[ "$(grep -c '"encoding":"aes128gcm"' "$WORK/listen.out")" = "3" ]
if grep -q "refused\|dropped\|decrypt_error" "$WORK/listen.out"; then echo "FAIL: a refused message arrived"; exit 1; fi
# Node 2 refused the stranger up front: nothing forged reached node 1 through the DHT.
curl -sf "$HTTP1/health" | grep -q '"rejected":0'

# Without the certificate trusted, TLS fails: nothing is sent in the clear by mistake.
if "$CLI" send "$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' "$WORK/open.json")" "x" 2>"$WORK/err"; then exit 1; fi
grep -qi "certificate\|SSL\|TLS" "$WORK/err"
echo "web-push over HTTPS: 1 passed, 0 failed"
