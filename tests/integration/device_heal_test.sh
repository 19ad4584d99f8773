#!/usr/bin/env bash
# Issue 16, devices that heal: a device that found two proxies in the DHT's directory keeps
# receiving when one dies (the other watches the same token), and once the dead one stayed
# unreachable past --heal-after it moves its subscription to a fresh proxy from the directory
# and prints the new endpoint, which then works. Twice over: both first proxies die. Every
# message is shown once.
set -euo pipefail
trap 'echo "device heal: failed at line $LINENO" >&2' ERR
NODE="$1"
CLI="$2"
source "$(dirname "$0")/process_helpers.sh"

start_announcing_nodes "$NODE" 5

"$CLI" subscribe --discover "${URLS[0]}" --state "$WORK/device.json" >"$WORK/sub.json" 2>/dev/null
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
P256DH=$(json "$WORK/sub.json" 'd["keys"]["p256dh"]')
AUTH=$(json "$WORK/sub.json" 'd["keys"]["auth"]')
ENDPOINT=$(json "$WORK/sub.json" 'd["endpoint"]')
TOKEN="${ENDPOINT##*/}"
proxies() { json "$WORK/device.json" '" ".join(d["subscriptions"][0]["proxies"])'; }
read -r P Q <<<"$(proxies)"
"$CLI" listen --state "$WORK/device.json" --heal-after 2 >"$WORK/listen.out" 2>"$WORK/listen.err" &
PIDS+=($!)

# send TEXT BASE: encrypted for the subscription, POSTed to BASE/wp/TOKEN (any node takes it).
send() { "$CLI" send --p256dh "$P256DH" --auth "$AUTH" --ttl 600 "$2/wp/$TOKEN" "$1" >/dev/null; }
# A node that is neither of the device's proxies nor dead, to post through.
other_than() { for u in "${URLS[@]}"; do [[ " $* " == *" $u "* ]] || { echo "$u"; return; }; done; }

send m1 "$P"
wait_for "$WORK/listen.out" '"text":"m1"'

# The endpoint's proxy dies: the other one still delivers.
kill -9 "${PID_OF[$P]}"
send m2 "$(other_than "$P" "$Q")"
wait_for "$WORK/listen.out" '"text":"m2"'
# Past the grace period, a fresh proxy takes its place and the app is told the new endpoint.
wait_for "$WORK/listen.out" '"event":"new-endpoint"'
NEW_ENDPOINT=$(grep '"event":"new-endpoint"' "$WORK/listen.out" | python3 -c 'import json,sys; print(json.loads(sys.stdin.readline())["endpoint"])')
read -r R Q2 <<<"$(proxies)"
[ "$Q2" = "$Q" ] && [ "$R" != "$P" ] && [ "$R" != "$Q" ] || { echo "FAIL: proxies $P $Q became $R $Q2"; exit 1; }
[ "$NEW_ENDPOINT" = "$R/wp/$TOKEN" ] || { echo "FAIL: new endpoint $NEW_ENDPOINT is not on $R"; exit 1; }
json "$WORK/device.json" 'd["subscriptions"][0]["endpoint"]' | grep -qx "$NEW_ENDPOINT"
"$CLI" send --p256dh "$P256DH" --auth "$AUTH" "$NEW_ENDPOINT" m3 >/dev/null
wait_for "$WORK/listen.out" '"text":"m3"'

# The other first proxy dies too: the new one delivers, and a second fresh one replaces it.
kill -9 "${PID_OF[$Q]}"
send m4 "$R"
wait_for "$WORK/listen.out" '"text":"m4"'
for _ in $(seq 1 200); do [[ "$(proxies)" != *"$Q"* ]] && break; sleep 0.1; done
read -r R2 S <<<"$(proxies)"
[ "$R2" = "$R" ] && [ -n "$S" ] && [ "$S" != "$P" ] && [ "$S" != "$Q" ] || { echo "FAIL: proxies became $R2 $S"; exit 1; }
send m5 "$S"
wait_for "$WORK/listen.out" '"text":"m5"'

# Each message once, though two proxies delivered most of them.
for m in m1 m2 m3 m4 m5; do
  n=$(grep -c "\"text\":\"$m\"" "$WORK/listen.out")
  [ "$n" = 1 ] || { echo "FAIL: $m shown $n times"; cat "$WORK/listen.out"; exit 1; }
done
grep -q "stayed unreachable: 1 subscription(s) moved to $R" "$WORK/listen.err"

# The first dead proxy comes back with its data: once its stream has been quiet for the grace
# period the device leaves it (the device and its subscription there are deleted).
for i in "${!URLS[@]}"; do [ "${URLS[$i]}" = "$P" ] && P_NAME="node$((i + 1))"; done
start_node "$NODE" "$P_NAME" "${P##*:}" --announce-interval 0
for _ in $(seq 1 400); do grep -q "$P answers again" "$WORK/listen.err" && break; sleep 0.1; done
grep -q "$P answers again and brought what it held: left it" "$WORK/listen.err" \
  || { echo "FAIL: the device did not leave $P"; cat "$WORK/listen.err"; exit 1; }
json "$WORK/device.json" '" ".join(p["url"] for p in d["proxies"])' | grep -qv "$P"
curl -sf "$P/health" | grep -q '"subscriptions_watched":0'
echo "device heal: ok"
