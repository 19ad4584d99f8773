#!/usr/bin/env bash
# Issue 15, systemd unit: packaging/dhtpush-node.service is hardened (systemd-analyze's
# exposure "OK" or better), its command line starts a node (with this build's binary, and a
# configuration and state folder of the test's own), and the node tells systemd when it
# serves and when it stops (Type=notify).
set -euo pipefail
NODE="$1"
UNIT="$2"
source "$(dirname "$0")/process_helpers.sh"

# --- exposure: "OK" (below 2.0) or better --------------------------------------------------
systemd-analyze security --offline=yes "$UNIT" >"$WORK/security.txt" 2>&1 || true
EXPOSURE=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\) .*/\1/p' "$WORK/security.txt")
[ -n "$EXPOSURE" ] || { cat "$WORK/security.txt"; exit 1; }
awk -v e="$EXPOSURE" 'BEGIN { exit !(e < 2.0) }' || { echo "FAIL: exposure $EXPOSURE"; exit 1; }

# --- the unit's command line, with NOTIFY_SOCKET as systemd would set it -------------------
cat >"$WORK/node.toml" <<TOML
http_port = 0
dht_address = "127.0.0.1"
dht_port = 0
TOML
EXEC=$(sed -n 's/^ExecStart=//p' "$UNIT")
EXEC="${EXEC//\/usr\/bin\/dhtpush-node/$NODE}"
EXEC="${EXEC//\/etc\/dhtpush\/node.toml/$WORK/node.toml}"
EXEC="${EXEC//\/var\/lib\/dhtpush\/node/$WORK/state}"
SOCK="$WORK/notify"
python3 - "$SOCK" >"$WORK/notify.txt" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
for _ in range(2):
    print(s.recv(4096).decode().replace("\n", " "), flush=True)
PY
PIDS+=($!)
for _ in $(seq 1 200); do [ -S "$SOCK" ] && break; sleep 0.05; done
# shellcheck disable=SC2086  # the unit's command line, word-split as systemd splits it
NOTIFY_SOCKET="$SOCK" $EXEC >"$WORK/node.out" 2>"$WORK/node.err" &
NODE_PID=$!
PIDS+=($NODE_PID)
wait_for "$WORK/notify.txt" "^READY=1 STATUS=serving"
URL=$(sed -n 's/^  HTTP  *\(http:[^ ]*\).*/\1/p' "$WORK/node.out")
curl -sf "$URL/health" | grep -q '"status"'
[ -d "$WORK/state" ]
kill -TERM "$NODE_PID"
wait "$NODE_PID"
wait_for "$WORK/notify.txt" "^STOPPING=1"
echo "node service: 1 passed, 0 failed (exposure $EXPOSURE)"
