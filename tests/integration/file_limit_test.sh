#!/usr/bin/env bash
# Issue 12 regression: under a low open-file limit, more clients than descriptors made accept
# fail with EMFILE, after which restinio 0.6.16 never accepted on that listener again. The
# node now lowers its connection limit to fit: the extra clients wait in the backlog, and
# the node answers again once they leave.
set -euo pipefail
NODE="$1"
source "$(dirname "$0")/process_helpers.sh"

( ulimit -n 200; exec "$NODE" --data-dir "$WORK/node" --http-port 0 --dht-address 127.0.0.1 --dht-port 0 \
    --local-network ) >"$WORK/node.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/node.log" "udp port"
grep -q "open-file limit (200) holds 72 connections" "$WORK/node.log"
URL=$(sed -n 's/^  HTTP  *\(http:[^ ]*\).*/\1/p' "$WORK/node.log")
PORT="${URL##*:}"

# 300 idle clients: more than the node has descriptors for.
ulimit -n 4096
FDS=()
for _ in $(seq 1 300); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
  FDS+=("$fd")
done
for fd in "${FDS[@]}"; do exec {fd}>&-; done

# Once they are gone the node serves again (deadline 20 s: restinio reads each closed one).
for _ in $(seq 1 200); do
  curl -sf -m 1 "$URL/health" >/dev/null && break
  sleep 0.1
done
curl -sf -m 5 "$URL/health" | grep -q '"status"'
echo "file limit: 1 passed, 0 failed"
