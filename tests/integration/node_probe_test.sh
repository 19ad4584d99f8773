#!/usr/bin/env bash
# Issue 16, health that means something: a node's self-probe puts a small value into the DHT
# every --probe-interval and reports whether another node took it. Cut from its only peer
# (SIGSTOP), the node says so in /health and /metrics within a bounded time while its HTTP
# still answers; with the peer back, it says so again.
set -euo pipefail
trap 'echo "probe: failed at line $LINENO" >&2' ERR
NODE="$1"
source "$(dirname "$0")/process_helpers.sh"

start_node "$NODE" node1 0 --probe-interval 1
PEER_PID="${PIDS[-1]}"
DHT1="$DHT_PORT"
start_node "$NODE" node2 0 --bootstrap "127.0.0.1:$DHT1" --probe-interval 1
URL2="$URL"

# probe_says FIELD VALUE: node 2's /health (200, or 503 once it counts itself disconnected) has
# dht.probe.FIELD == VALUE (as JSON), within 60 s.
probe_says() {
  local deadline=$((SECONDS + 60))
  while [ "$SECONDS" -lt "$deadline" ]; do
    if curl -s --max-time 2 "$URL2/health" >"$WORK/health.json" 2>/dev/null &&
      /usr/bin/python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["dht"]["probe"]; sys.exit(0 if json.dumps(p[sys.argv[2]]) == sys.argv[3] else 1)' \
        "$WORK/health.json" "$1" "$2" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "timed out waiting for dht.probe.$1 == $2:"; cat "$WORK/health.json"; return 1
}

probe_says active true
probe_says ok true
# (Into a file first: grep -q would end the pipe early, and pipefail would blame curl.)
curl -sf "$URL2/metrics" >"$WORK/metrics.txt"
grep -q '^dhtpush_dht_probe_ok [01]$' "$WORK/metrics.txt"  # present; its value moves with the probes

# Cut off: the only other node stops answering. HTTP still answers, and says the DHT does not.
kill -STOP "$PEER_PID"
CUT=$SECONDS
probe_says ok false
echo "probe: cut off, said so after $((SECONDS - CUT)) s"
curl -s --max-time 2 "$URL2/metrics" >"$WORK/metrics.txt"
grep -q '^dhtpush_dht_probe_ok 0$' "$WORK/metrics.txt"  # stays 0 while the peer is stopped
FAILED=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dht"]["probe"]["failed"])' "$WORK/health.json")
[ "$FAILED" -ge 1 ]

# The peer back: probes go through again.
kill -CONT "$PEER_PID"
BACK=$SECONDS
probe_says ok true
echo "probe: peer back, said so after $((SECONDS - BACK)) s"
echo "probe: 3 passed, 0 failed"
