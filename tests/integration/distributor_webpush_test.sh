#!/usr/bin/env bash
# Issue 13: an app server that speaks WebPush with the npm package web-push reaches an app
# behind dhtpush-distributor. A connector written from the UnifiedPush spec (up_connector.py)
# registers with a VAPID key web-push made (v2) or none (v1); web-push encrypts to the keys in
# the app's subscription JSON, signs with VAPID and POSTs to the endpoint the distributor
# handed out (HTTPS, two proxies); the app decrypts the text. An unsigned POST to the bound
# endpoint gets 403.
#   distributor_webpush_test.sh DHTPUSH_NODE DHTPUSH_CLI DISTRIBUTOR NPM_CACHE_DIR
set -euo pipefail
NODE_BIN="$1"
CLI="$2"
DISTRIBUTOR="$3"
NPM_DIR="$4"
HERE="$(cd "$(dirname "$0")" && pwd)"
PYTHON=/usr/bin/python3  # Debian's, with python3-dbus and python3-gi (not a python of the user's PATH)
source "$HERE/process_helpers.sh"
source "$HERE/device_helpers.sh"
source "$HERE/webpush_helpers.sh"
trap 'echo "--- distributor log:"; cat "$WORK"/distributor.log 2>/dev/null' ERR

setup_webpush "$NPM_DIR"
start_private_bus session "$WORK/session"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/session"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/no-system-bus"  # no UPower: every urgency
start_two_tls_nodes
"$DISTRIBUTOR" --proxy "$HTTP1" --proxy "$HTTP2" --state "$WORK/distributor" >"$WORK/distributor.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/distributor.log" "serving org.unifiedpush.Distributor.dhtpush"

webpush keys >"$WORK/vapid.json"
APP_KEY=$(node -p "JSON.parse(require('fs').readFileSync('$WORK/vapid.json')).publicKey")
"$PYTHON" "$HERE/up_connector.py" --name org.example.Signed --token tok-signed --vapid "$APP_KEY" --dir "$WORK/signed" &
PIDS+=($!)
"$PYTHON" "$HERE/up_connector.py" --name org.example.Open --token tok-open --version 1 --dir "$WORK/open" &
PIDS+=($!)
wait_file "$WORK/signed/subscription.json"
wait_file "$WORK/open/subscription.json"
grep -q "\"endpoint\": \"$HTTPS1/wp/" "$WORK/signed/subscription.json"  # the proxies' HTTPS base

webpush send "$WORK/signed/subscription.json" "hello from web-push with VAPID" "$WORK/vapid.json" | grep -q "^status 201"
webpush send "$WORK/signed/subscription.json" "unsigned, refused" | grep -q "^status 403"
webpush send "$WORK/open/subscription.json" "hello from web-push to a v1 app" | grep -q "^status 201"
wait_for "$WORK/signed/messages.txt" " hello from web-push with VAPID$"
wait_for "$WORK/open/messages.txt" " hello from web-push to a v1 app$"
if grep -q "refused" "$WORK/signed/messages.txt"; then echo "FAIL: an unsigned message arrived"; exit 1; fi
echo "distributor with web-push: passed"
