#!/usr/bin/env bash
# Issue 13, the distributor and its proxies' failures: a proxy of its list that is down when it
# starts is tried again; once it answers, it is given the subscriptions registered meanwhile
# and carries a stream, so messages keep coming through it when the other proxy goes. A proxy
# that hangs holds Register calls in a bounded queue: past it they get LimitsExceeded.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/process_helpers.sh"
source "$HERE/device_helpers.sh"

start_session_bus
start_two_nodes "$NODE"
# The second proxy of the list: its port is known, and it is down when the distributor starts.
LATE_PORT=$(sed -n 's|^http://127.0.0.1:\([0-9]*\)$|\1|p' <<<"$URL2")
kill -TERM "${PIDS[2]}"
wait "${PIDS[2]}" || true

start_distributor "$URL1" "$URL2"
start_app org.example.Early tok-early "$WORK/app"

# It comes back on the same port; the distributor finds it, and gives it the subscription.
start_node "$NODE" node2 "$LATE_PORT" --bootstrap "127.0.0.1:$DHT1"
wait_for "$WORK/distributor.log" "2 of 2 proxies answer"
TOKEN=$(sed -n 's/.*"endpoint": "[^"]*\/wp\/\([^"]*\)".*/\1/p' "$WORK/app/subscription.json")
for _ in $(seq 1 400); do
  curl -sf "$URL2/health" | grep -q '"subscriptions_watched":1' && break
  sleep 0.05
done
curl -sf "$URL2/health" | grep -q '"subscriptions_watched":1'

# The first proxy goes: a message POSTed to the late one still reaches the app.
kill -TERM "${PIDS[1]}"
wait "${PIDS[1]}" || true
"$CLI" send "$URL2/wp/$TOKEN" "through the late proxy" --ttl 60 --subscription "$WORK/app/subscription.json" |
  grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " through the late proxy$"

# --- a proxy that hangs: registrations wait in a bounded queue, the rest are refused ------
# (SIGSTOP: it takes the connection and never answers, so each Register holds the queue.)
kill -STOP "${PIDS[-1]}"
for i in $(seq 1 80); do
  gdbus call --session --timeout 60 --dest org.unifiedpush.Distributor.dhtpush --object-path /org/unifiedpush/Distributor \
    --method org.unifiedpush.Distributor2.Register "{'service': <'org.example.Q$i'>, 'token': <'queued-$i'>}" \
    >"$WORK/queued-$i.out" 2>&1 &
  PIDS+=($!)
done
for _ in $(seq 1 400); do
  grep -qs "LimitsExceeded" "$WORK"/queued-*.out && break
  sleep 0.05
done
kill -CONT "${PIDS[-81]}"
REFUSED=$(grep -ls "LimitsExceeded" "$WORK"/queued-*.out | wc -l)
echo "$REFUSED of 80 registrations refused while the proxy hung"
[ "$REFUSED" -gt 0 ] || { echo "FAIL: 80 waiting registrations were all queued"; exit 1; }
# The distributor is still answering, and the registrations it queued go through.
wait_for "$WORK/distributor.log" "registered org.example.Q"
"$CLI" send "$URL2/wp/$TOKEN" "after the queue" --ttl 60 --subscription "$WORK/app/subscription.json" | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " after the queue$"
echo "distributor heal test passed"
