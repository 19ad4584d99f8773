#!/usr/bin/env bash
# Issue 15, logs: dhtpush-node writes one event per line on stderr, leveled (--log-level),
# with the syslog priority journald reads when it runs under systemd (JOURNAL_STREAM): start,
# DHT connectivity, every 5xx with its cause and every refused limit (sampled), shutdown;
# never a token.
set -euo pipefail
NODE="$1"
source "$(dirname "$0")/process_helpers.sh"
TIME='[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:.]*'

# --- a node that joins another: started, connected, and stopped, each once ---------------
start_two_nodes "$NODE"
wait_for "$WORK/node2.log" "^$TIME info started: HTTP on 127.0.0.1:[0-9]*, DHT on UDP port [0-9]* (network "
wait_for "$WORK/node2.log" "^$TIME info DHT connected ([0-9]* good nodes"

# --- a 5xx leaves a line with its cause, and never the token ------------------------------
TOKEN="AXo_tKy6cLTTPlKzZtkdm_o"  # version 1: a key of its own, which node 1 alone would store
kill -STOP "${PIDS[0]}"          # node 1 goes silent: node 2's put finds no one to take it
CODE=$(curl -s -o "$WORK/503.json" -w '%{http_code}' -m 30 -X POST -H 'TTL: 60' --data x "$URL2/wp/$TOKEN")
kill -CONT "${PIDS[0]}"
[ "$CODE" = 503 ] || { echo "FAIL: expected 503, got $CODE"; exit 1; }
wait_for "$WORK/node2.log" "^$TIME warning answered 503 x1 since the last report; the last: no DHT node took the message"

kill -TERM "${PIDS[1]}"
wait "${PIDS[1]}" || true
grep -q "^$TIME info shutting down$" "$WORK/node2.log"
grep -q "^$TIME info stopped$" "$WORK/node2.log"
[ "$(grep -c " info started: " "$WORK/node2.log")" = 1 ]

# --- under systemd, at --log-level warning: priorities, no info, refusals sampled ---------
JOURNAL_STREAM=8:1234 start_node "$NODE" node3 0 --log-level warning --post-rate-per-subscription 1
URL3="$URL"
CODES=""
for _ in $(seq 1 20); do
  CODES+="$(curl -s -o /dev/null -w '%{http_code}' -m 10 -X POST -H 'TTL: 60' --data x "$URL3/wp/$TOKEN") "
done
case "$CODES" in *429*) ;; *) echo "FAIL: no 429 among $CODES"; exit 1 ;; esac
wait_for "$WORK/node3.log" "^<4>refused 1 request(s) over the limit 'posts_per_subscription' since the last report$"
# One line for the flood, not one per refusal (the next comes at the earliest 10 s later).
[ "$(grep -c "over the limit 'posts_per_subscription'" "$WORK/node3.log")" = 1 ]
if grep -q "started: \|info " "$WORK/node3.log"; then echo "FAIL: an info line at --log-level warning"; exit 1; fi
if grep -q "^[0-9]" "$WORK/node3.log"; then echo "FAIL: a timestamp under systemd (journald adds its own)"; exit 1; fi

# --- never a token, in any node's lines ---------------------------------------------------
if grep -qF "$TOKEN" "$WORK"/node*.log; then echo "FAIL: a token reached the log"; exit 1; fi

# --- a bad level: a clear message and exit code 2 -----------------------------------------
set +e
"$NODE" --log-level loud 2>"$WORK/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "unknown log level 'loud'" "$WORK/err"
echo "node log: 1 passed, 0 failed"
