#!/usr/bin/env bash
# Issue 16, peers without HTTP: `dhtpush send --dht HOST:PORT --subscription FILE MESSAGE` joins
# the DHT through a node, puts the encrypted envelope where the device's proxies watch and ends
# once a storing node took it; `dhtpush listen` shows it, for an inbox token and a version-1
# token, and through a network of another inbox key scheme (`--inbox-keys`). Bad usage is exit
# code 2 with a message.
set -euo pipefail
trap 'echo "send --dht: failed at line $LINENO" >&2' ERR
NODE="$1"
CLI="$2"
source "$(dirname "$0")/process_helpers.sh"

start_two_nodes "$NODE"

# $1: a name; the rest: the proxies to subscribe with (one: an inbox token; two: version 1).
# SEND_VIA: the DHT node to join (node 1's by default); SEND_OPTIONS: more options of send.
send_over_dht_to_device() {
  local name="$1"
  subscribe_and_listen "$CLI" "$@"
  # shellcheck disable=SC2086
  "$CLI" send --dht "${SEND_VIA:-127.0.0.1:$DHT1}" ${SEND_OPTIONS:-} --subscription "$WORK/$name-subscription.json" --ttl 300 --urgency high \
    "hello over the DHT to $name" >"$WORK/$name-send.out"
  grep -q "^sent: .* into the DHT at " "$WORK/$name-send.out"
  wait_for "$WORK/$name-listen.out" "\"text\":\"hello over the DHT to $name\""
  local id
  id=$(sed -n 's/^sent: \([^ ]*\) .*/\1/p' "$WORK/$name-send.out")
  grep -q "\"id\":\"$id\"" "$WORK/$name-listen.out"
  grep -q '"urgency":"high"' "$WORK/$name-listen.out"
}
send_over_dht_to_device inbox "$URL1"
send_over_dht_to_device version1 "$URL1" "$URL2"

# A network of another inbox key scheme (`wide`, 64 lanes an inbox; another DHT network id):
# the sender names the scheme as its nodes do, and joins their network.
start_node "$NODE" node3 0 --inbox-keys wide
URL3="$URL" DHT3="$DHT_PORT"
start_node "$NODE" node4 0 --inbox-keys wide --bootstrap "127.0.0.1:$DHT3"
for _ in $(seq 1 400); do
  curl -sf "$URL/health" >"$WORK/health4" || true
  grep -q '"connected":true' "$WORK/health4" && break
  sleep 0.05
done
grep -q '"connected":true' "$WORK/health4"
SEND_VIA="127.0.0.1:$DHT_PORT" SEND_OPTIONS="--inbox-keys wide" send_over_dht_to_device wide "$URL3"

# Bad usage: exit code 2, a message, nothing sent.
for bad in "--dht nohostport" "--dht 127.0.0.1:$DHT1 --network 0xZZ" "--network 5" \
  "--dht 127.0.0.1:$DHT1 --inbox-keys lane" "--inbox-keys wide"; do
  rc=0
  # shellcheck disable=SC2086
  "$CLI" send $bad --subscription "$WORK/inbox-subscription.json" "x" 2>"$WORK/err" || rc=$?
  [ "$rc" = 2 ] && grep -q "^dhtpush: " "$WORK/err" || { echo "FAIL: '$bad' gave $rc"; cat "$WORK/err"; exit 1; }
done
# An endpoint that names no token: exit code 1 before joining anything.
rc=0
"$CLI" send --dht "127.0.0.1:$DHT1" "$URL1/not-an-endpoint" "x" 2>"$WORK/err" || rc=$?
[ "$rc" = 1 ] && grep -q "does not end in /wp/<token>" "$WORK/err"
echo "send --dht: 4 passed, 0 failed"
