#!/usr/bin/env bash
# Issue 16, the device service heals: dhtpush-distributor given one node's address finds two
# proxies in the DHT's proxy directory; when the app's endpoint proxy dies, messages keep coming
# through the other, and past --heal-after the distributor moves the subscription to a fresh
# proxy and tells the app its new endpoint (NewEndpoint), which works. Each message once.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/process_helpers.sh"
source "$HERE/device_helpers.sh"

start_session_bus
start_announcing_nodes "$NODE" 4

"$DISTRIBUTOR" --discover "${URLS[0]}" --heal-after 2 --state "$WORK/distributor" >"$WORK/distributor.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/distributor.log" "serving org.unifiedpush.Distributor.dhtpush"
[ "$(grep -c "found proxy .* in the directory" "$WORK/distributor.log")" = 2 ]
start_app org.example.Healed tok-healed "$WORK/app"
endpoint() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$WORK/app/subscription.json"; }
FIRST=$(endpoint)
TOKEN="${FIRST##*/}"
P="${FIRST%/wp/*}"
send_to "$WORK/app" "one" | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " one$"

# The endpoint's proxy dies: the other proxy of the two still delivers.
kill -9 "${PID_OF[$P]}"
for u in "${URLS[@]}"; do [ "$u" != "$P" ] && ALIVE="$u" && break; done
"$CLI" send "$ALIVE/wp/$TOKEN" "two" --ttl 60 --subscription "$WORK/app/subscription.json" | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " two$"

# Past the grace period the app gets a new endpoint on a fresh proxy, and it works.
for _ in $(seq 1 300); do [ "$(endpoint)" != "$FIRST" ] && break; sleep 0.1; done
SECOND=$(endpoint)
[ "$SECOND" != "$FIRST" ] && [ "${SECOND##*/}" = "$TOKEN" ] && [ "${SECOND%/wp/*}" != "$P" ] \
  || { echo "FAIL: the endpoint went from $FIRST to $SECOND"; exit 1; }
grep -q "$P stayed unreachable: 1 subscription(s) moved to ${SECOND%/wp/*}" "$WORK/distributor.log"
send_to "$WORK/app" "three" | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " three$"
for m in one two three; do
  n=$(grep -c " $m$" "$WORK/app/messages.txt")
  [ "$n" = 1 ] || { echo "FAIL: '$m' handed $n times"; cat "$WORK/app/messages.txt"; exit 1; }
done

# The dead proxy comes back with its data: the distributor deletes itself there (the
# subscription it moved elsewhere goes with it).
for i in "${!URLS[@]}"; do [ "${URLS[$i]}" = "$P" ] && P_NAME="node$((i + 1))"; done
start_node "$NODE" "$P_NAME" "${P##*:}" --announce-interval 0
for _ in $(seq 1 300); do grep -q "$P answers again: left it" "$WORK/distributor.log" && break; sleep 0.1; done
grep -q "$P answers again: left it" "$WORK/distributor.log" || { echo "FAIL: the distributor did not leave $P"; exit 1; }
curl -sf "$P/health" | grep -q '"subscriptions_watched":0'
echo "distributor discover test passed"
