#!/usr/bin/env bash
# Issue 13: an app server that speaks WebPush with the npm package web-push reaches an app
# behind dhtpush-distributor. A connector written from the UnifiedPush spec (up_connector.py)
# registers with a VAPID key web-push made (v2) or none (v1); web-push encrypts to the keys in
# the app's subscription JSON, signs with VAPID and POSTs to the endpoint the distributor
# handed out (HTTPS, two proxies); the app decrypts the text. An unsigned POST to the bound
# endpoint gets 403.
#   distributor_webpush_test.sh DHTPUSH_NODE DHTPUSH_CLI DISTRIBUTOR NPM_CACHE_DIR
set -euo pipefail
NPM_DIR="$4"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/process_helpers.sh"
source "$HERE/device_helpers.sh"
source "$HERE/webpush_helpers.sh"
NODE_BIN="$NODE"  # what start_tls_node runs

setup_webpush "$NPM_DIR"
start_session_bus
start_two_tls_nodes
start_distributor "$HTTP1" "$HTTP2"

webpush keys >"$WORK/vapid.json"
APP_KEY=$(node -p "JSON.parse(require('fs').readFileSync('$WORK/vapid.json')).publicKey")
start_app org.example.Signed tok-signed "$WORK/signed" --vapid "$APP_KEY"
start_app org.example.Open tok-open "$WORK/open" --version 1
grep -q "\"endpoint\": \"$HTTPS1/wp/" "$WORK/signed/subscription.json"  # the proxies' HTTPS base

webpush send "$WORK/signed/subscription.json" "hello from web-push with VAPID" "$WORK/vapid.json" | grep -q "^status 201"
webpush send "$WORK/signed/subscription.json" "unsigned, refused" | grep -q "^status 403"
webpush send "$WORK/open/subscription.json" "hello from web-push to a v1 app" | grep -q "^status 201"
wait_for "$WORK/signed/messages.txt" " hello from web-push with VAPID$"
wait_for "$WORK/open/messages.txt" " hello from web-push to a v1 app$"
if grep -q "refused" "$WORK/signed/messages.txt"; then echo "FAIL: an unsigned message arrived"; exit 1; fi
echo "distributor with web-push: passed"
