#!/usr/bin/env bash
# Issue 18: a peer written from docs/protocol.md alone, in Python (Debian's python3-opendht,
# python3-cryptography, python3-msgpack; no dhtpush code: dhtpush_peer.py).
#  1. docs/protocol/vectors.json is what make_vectors.py makes, and the peer agrees with it.
#  2. The peer watches a device's key and decodes (and decrypts) what a dhtpush node put there.
#  3. The peer publishes an encrypted envelope into a live local network (it joins as a DHT
#     node): a dhtpush proxy delivers it to a device, for an inbox token and a version-1 token.
set -euo pipefail
trap 'echo "conformance: failed at line $LINENO" >&2' ERR
NODE="$1"
CLI="$2"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
source "$ROOT/tests/integration/process_helpers.sh"
# Debian's interpreter: python3-opendht is built for it (a python3 earlier on PATH may not be).
PY=/usr/bin/python3
export PYTHONDONTWRITEBYTECODE=1
PEER="$HERE/dhtpush_peer.py"

# --- 1. vectors --------------------------------------------------------------------------------
(cd "$HERE" && "$PY" make_vectors.py) | cmp - "$ROOT/docs/protocol/vectors.json" \
  || { echo "FAIL: docs/protocol/vectors.json is not what make_vectors.py makes"; exit 1; }
"$PY" "$PEER" check-vectors "$ROOT/docs/protocol/vectors.json"

start_two_nodes "$NODE"

# --- 2. the peer watches a device's key and reads what a dhtpush node put there ----------------
# First, while every DHT node is alive: a peer that left stays in the others' routing tables for
# a while, and in a network this small their puts wait for it.
"$CLI" subscribe --proxy "$URL1" --state "$WORK/watched.json" >"$WORK/watched-subscription.json"
TOKEN=$(sed -n 's/.*"endpoint":"[^"]*\/wp\/\([^"]*\)".*/\1/p' "$WORK/watched-subscription.json")
"$PY" "$PEER" watch --bootstrap "127.0.0.1:$DHT1" --token "$TOKEN" >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH=$!
PIDS+=($WATCH)
wait_file "$WORK/watch.out"
P256DH=$(sed -n '1s/.*"p256dh": "\([^"]*\)".*/\1/p' "$WORK/watch.out")
AUTH=$(sed -n '1s/.*"auth": "\([^"]*\)".*/\1/p' "$WORK/watch.out")
# Sent through node 2, which is not the device's proxy: it puts the message into the DHT. Its
# answer is 201 once a storing node took the put; in a network of three nodes, one of them a
# peer that has just joined, that can take longer than the node waits (5 s) on a loaded
# machine: the answer is then 503 with Retry-After, and an app server tries again, as here.
for attempt in 1 2 3 4 5; do
  if "$CLI" send "$URL2/wp/$TOKEN" "hello to the python peer" --ttl 120 --urgency high --p256dh "$P256DH" \
    --auth "$AUTH" >"$WORK/send.out" 2>&1; then break; fi
  grep -q "HTTP 503" "$WORK/send.out" && [ "$attempt" -lt 5 ] || { cat "$WORK/send.out"; exit 1; }
  sleep 1  # Retry-After: 1
done
grep -q "^sent: " "$WORK/send.out"
wait "$WATCH" || { cat "$WORK/watch.err"; exit 1; }
grep -q '"text": "hello to the python peer"' "$WORK/watch.out"
grep -q '"ttl": 120' "$WORK/watch.out"
grep -q '"urgency": "high"' "$WORK/watch.out"

# --- 3. the peer publishes, a device gets it ----------------------------------------------------
# $1: a name; the rest: the proxies to subscribe with (one: an inbox token; two: version 1).
peer_publishes_to_device() {
  local name="$1"
  subscribe_and_listen "$CLI" "$@"
  "$PY" "$PEER" publish --bootstrap "127.0.0.1:$DHT1" --subscription "$WORK/$name-subscription.json" \
    --message "hello from a python peer to $name" >"$WORK/$name-publish.out"
  wait_for "$WORK/$name-listen.out" "\"text\":\"hello from a python peer to $name\""
  local id
  id=$(sed -n 's/.*"published": "\([^"]*\)".*/\1/p' "$WORK/$name-publish.out")
  grep -q "\"id\":\"$id\"" "$WORK/$name-listen.out" \
    || { echo "FAIL: the device got another id than $id:"; cat "$WORK/$name-listen.out"; return 1; }
}
peer_publishes_to_device inbox "$URL1"
peer_publishes_to_device version1 "$URL1" "$URL2"
grep -q '/wp/[A-Za-z0-9_-]\{23\}"' "$WORK/version1-subscription.json"  # a version-1 token: 17 bytes

echo "conformance: 3 passed, 0 failed"
