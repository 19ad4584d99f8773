#!/usr/bin/env bash
# The README quickstart as processes: node 1 standalone, node 2 joining it, a device
# subscribed on node 1, a message sent to node 2's endpoint, received by `dhtpush listen`.
set -euo pipefail
NODE="$1"
CLI="$2"
source "$(dirname "$0")/process_helpers.sh"

start_two_nodes "$NODE"

STATE="$WORK/device.json"
"$CLI" subscribe --proxy "$URL1" --state "$STATE" >"$WORK/subscription.json"
grep -q '"p256dh"' "$WORK/subscription.json"
ENDPOINT=$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' "$WORK/subscription.json")
TOKEN="${ENDPOINT##*/}"
[ "$(stat -c %a "$STATE")" = "600" ]

"$CLI" listen --state "$STATE" --count 1 >"$WORK/listen.out" 2>"$WORK/listen.err" &
LISTEN=$!
PIDS+=($LISTEN)
# Anyone who knows the endpoint can post plain bytes: the device drops them (only the app
# server, holding the subscription's keys, can write a message it shows), then shows the real one.
"$CLI" send "$URL2/wp/$TOKEN" "forged by a stranger" --ttl 60 | grep -q "^sent: $URL2/m/"
wait_for "$WORK/listen.err" "dropped message"
"$CLI" send "$URL2/wp/$TOKEN" "hello from the quickstart" --ttl 60 --subscription "$WORK/subscription.json" \
  | grep -q "^sent: $URL2/m/"
wait_for "$WORK/listen.out" "hello from the quickstart"
wait "$LISTEN"
grep -q "\"token\":\"$TOKEN\"" "$WORK/listen.out"
if grep -q "forged" "$WORK/listen.out"; then echo "FAIL: a plain body was shown"; exit 1; fi

# Bad input at the CLI: a clear message and a non-zero exit.
if "$CLI" send "$URL2/wp/$TOKEN" "x" --ttl soon 2>"$WORK/err"; then exit 1; fi
grep -q "ttl" "$WORK/err"
if "$CLI" send "$URL2/wp/not-a-token" "x" 2>"$WORK/err"; then exit 1; fi
grep -q "404" "$WORK/err"

set +e
"$CLI" --state "$STATE" 2>"$WORK/err"; rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q "a command is required" "$WORK/err"

# SIGTERM shuts a node down cleanly.
kill -TERM "${PIDS[1]}"
wait "${PIDS[1]}"
grep -q "shutting down" "$WORK/node2.log"
echo "quickstart: 1 passed, 0 failed"
