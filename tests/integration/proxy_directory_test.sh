#!/usr/bin/env bash
# Issue 16, no center: proxies announce themselves in the DHT's proxy directory, any node lists
# them at GET /v1/proxies, and a device given one node's address subscribes at two healthy
# proxies it found there (`subscribe --discover`), skipping an entry that names another
# proxy's URL and one whose proxy is dead. A proxy stopped cleanly leaves the directory.
set -euo pipefail
trap 'echo "proxy directory: failed at line $LINENO" >&2' ERR
NODE="$1"
CLI="$2"
source "$(dirname "$0")/process_helpers.sh"

ANNOUNCE=(--announce-interval 1)
start_node "$NODE" node1 0 "${ANNOUNCE[@]}"
URLS=("$URL") DHT1="$DHT_PORT"
# Node 3's entry holds 30 s, so it is still listed when node 3 is killed below.
for n in 2 3 4; do
  interval=1; [ "$n" = 3 ] && interval=10
  start_node "$NODE" "node$n" 0 --bootstrap "127.0.0.1:$DHT1" --announce-interval "$interval"
  URLS+=("$URL")
  eval "PID$n=${PIDS[-1]}"
done

wait_directory "${URLS[0]}" 4
# Every entry names a node's own URL and identity, as its /health does.
curl -sf "${URLS[0]}/v1/proxies" >"$WORK/directory.json"
for url in "${URLS[@]}"; do
  identity=$(curl -sf "$url/health" | python3 -c 'import json,sys; print(json.load(sys.stdin)["dht"]["identity"])')
  python3 - "$WORK/directory.json" "$url" "$identity" <<'PY'
import json, sys
entries = json.load(open(sys.argv[1]))["proxies"]
assert any(e["urls"] == [sys.argv[2]] and e["identity"] == sys.argv[3] for e in entries), (sys.argv[2:], entries)
PY
done

# A device given one node's address: two proxies of the four, each watching the subscription.
"$CLI" subscribe --discover "${URLS[3]}" --state "$WORK/device.json" >"$WORK/sub.json" 2>"$WORK/sub.err"
python3 - "$WORK/device.json" "${URLS[@]}" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))
chosen = [p["url"] for p in state["proxies"]]
assert len(chosen) == 2 and len(set(chosen)) == 2 and set(chosen) <= set(sys.argv[2:]), chosen
assert state["subscriptions"][0]["proxies"] == chosen, state["subscriptions"]
assert state["discovery"] == [sys.argv[-1]], state["discovery"]
PY
ENDPOINT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"])' "$WORK/sub.json")
"$CLI" listen --state "$WORK/device.json" --count 1 >"$WORK/listen.out" 2>"$WORK/listen.err" &
PIDS+=($!)
"$CLI" send --subscription "$WORK/sub.json" "found without a list" >/dev/null
wait_for "$WORK/listen.out" '"text":"found without a list"'

# A liar: a node announcing node 2's URL as its own. Its entry is listed (signed, current) but a
# device skips it: node 2's /health names another identity.
start_node "$NODE" liar 0 --bootstrap "127.0.0.1:$DHT1" "${ANNOUNCE[@]}" --public-url "${URLS[1]}"
wait_directory "${URLS[0]}" 5
rc=0
"$CLI" subscribe --discover "${URLS[0]}" --proxies 5 --state "$WORK/greedy.json" >/dev/null 2>"$WORK/greedy.err" || rc=$?
[ "$rc" = 1 ] || { echo "FAIL: five proxies found where four are honest"; cat "$WORK/greedy.err"; exit 1; }
grep -q "found 4 healthy proxies of the 5 needed" "$WORK/greedy.err"
grep -q "is not the proxy that signed the entry naming it" "$WORK/greedy.err"

# A dead proxy: killed without a word, its entry stays listed a while, and a device skips it.
kill -9 "$PID3"
rc=0
"$CLI" subscribe --discover "${URLS[0]}" --proxies 4 --state "$WORK/greedy.json" >/dev/null 2>"$WORK/greedy.err" || rc=$?
[ "$rc" = 1 ] && grep -q "found 3 healthy proxies of the 4 needed among 5 listed" "$WORK/greedy.err" \
  && grep -q "skipped GET ${URLS[2]}/health" "$WORK/greedy.err" \
  || { echo "FAIL: a dead or lying proxy was chosen ($rc)"; cat "$WORK/greedy.err"; exit 1; }

# A clean stop withdraws the entry at once (not after its 3 s): the liar and node 4 leave.
kill -TERM "$PID4"
for _ in $(seq 1 40); do
  curl -sf "${URLS[0]}/v1/proxies" | grep -q "\"${URLS[3]}\"" || break
  sleep 0.05
done
if curl -sf "${URLS[0]}/v1/proxies" | grep -q "\"${URLS[3]}\""; then
  echo "FAIL: a proxy stopped cleanly is still listed after 2 s"; exit 1
fi
echo "proxy directory: ok"
