# Sourced after netns_helpers.sh by the many-hosts test and scripts/chaos: a device and an
# application server on the client host, messages flowing between them, and the invariants
# checked at the end: every message answered 201 is shown by the device, each once, and the
# proxies' mailboxes stay within their bound.
# shellcheck shell=bash

# discover_and_listen CLI CLIENT NODE_HOST HEAL_AFTER: the device on host CLIENT subscribes at two
# proxies found through NODE_HOST's directory and listens, replacing a proxy dead HEAL_AFTER s.
# Sets TOKEN, P256DH, AUTH and DEVICE_PROXIES (its two proxies' URLs).
discover_and_listen() {
  local cli="$1" client="$2" node_host="$3" heal_after="$4"
  in_host "$client" "$cli" subscribe --discover "$(host_url "$node_host")" --state "$WORK/device.json" \
    >"$WORK/sub.json" 2>"$WORK/sub.err"
  TOKEN=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoint"].rsplit("/",1)[1])' "$WORK/sub.json")
  P256DH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keys"]["p256dh"])' "$WORK/sub.json")
  AUTH=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["keys"]["auth"])' "$WORK/sub.json")
  DEVICE_PROXIES=$(device_proxies)
  in_host "$client" "$cli" listen --state "$WORK/device.json" --heal-after "$heal_after" \
    >"$WORK/listen.out" 2>"$WORK/listen.err" &
  PIDS+=($!)
}

# The device's proxies now, from its state file.
device_proxies() {
  python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["subscriptions"][0]["proxies"]))' "$WORK/device.json"
}

# host_of URL: the host number of a node URL.
host_of() { local u="${1#http://10.77.0.}"; echo "${u%%:*}"; }

# start_sending CLI CLIENT: posts msg-1, msg-2, ... every 100 ms, each to a random host listed in
# $WORK/targets (the test keeps it to the nodes that run), until $WORK/stop-sending exists.
# A 201 goes to $WORK/accepted; anything else to $WORK/refused with the node and why.
start_sending() {
  local cli="$1" client="$2"
  rm -f "$WORK/stop-sending"
  : >"$WORK/accepted"
  : >"$WORK/refused"
  (
    i=0
    while [ ! -e "$WORK/stop-sending" ] && [ "$i" -lt 5000 ]; do
      i=$((i + 1))
      target=$(shuf -n 1 "$WORK/targets")
      if in_host "$client" "$cli" send --p256dh "$P256DH" --auth "$AUTH" --ttl 600 "$(host_url "$target")/wp/$TOKEN" \
        "msg-$i" >/dev/null 2>"$WORK/send-one.err"; then
        echo "msg-$i" >>"$WORK/accepted"
      else
        echo "msg-$i host $target: $(head -c 200 "$WORK/send-one.err")" >>"$WORK/refused"
      fi
      sleep 0.1
    done
  ) &
  SENDER_PID=$!
  PIDS+=("$SENDER_PID")
}

stop_sending() { touch "$WORK/stop-sending"; wait "$SENDER_PID" 2>/dev/null || true; }

# set_targets H...: the node hosts the sender may post to.
set_targets() { printf '%s\n' "$@" >"$WORK/targets"; }

# check_invariants CLIENT DEADLINE_S MAILBOX_LIMIT NODE_HOST...: waits up to DEADLINE_S for the
# device to show every accepted message, then checks each was shown once and that every
# listed node's mailboxes hold at most MAILBOX_LIMIT messages. Prints the figures; fails on
# a broken invariant.
check_invariants() {
  local client="$1" deadline="$2" limit="$3"
  shift 3
  local missing=0
  for _ in $(seq 1 $((deadline * 10))); do
    missing=$(python3 - "$WORK/accepted" "$WORK/listen.out" <<'PY'
import json, sys
accepted = [l.strip() for l in open(sys.argv[1]) if l.strip()]
shown = set()
for line in open(sys.argv[2]):
    try:
        shown.add(json.loads(line).get("text"))
    except ValueError:
        pass
print(sum(1 for m in accepted if m not in shown))
PY
)
    [ "$missing" = 0 ] && break
    sleep 0.1
  done
  python3 - "$WORK/accepted" "$WORK/refused" "$WORK/listen.out" <<'PY'
import collections, json, sys
accepted = [l.strip() for l in open(sys.argv[1]) if l.strip()]
refused = [l for l in open(sys.argv[2]) if l.strip()]
counts = collections.Counter()
for line in open(sys.argv[3]):
    try:
        text = json.loads(line).get("text")
    except ValueError:
        continue
    if text:
        counts[text] += 1
lost = [m for m in accepted if counts[m] == 0]
duplicated = {m: n for m, n in counts.items() if n > 1}
print(f"messages: {len(accepted)} accepted (201), {len(refused)} refused or unanswered, "
      f"{sum(1 for m in accepted if counts[m])} delivered, {len(duplicated)} shown twice or more, {len(lost)} lost")
if lost:
    print("LOST:", lost[:20])
if duplicated:
    print("DUPLICATES:", list(duplicated.items())[:20])
sys.exit(1 if lost or duplicated else 0)
PY
  for h in "$@"; do
    local held
    # A node that is down has no mailbox to show.
    held=$(in_host "$client" curl -sf --max-time 2 "$(host_url "$h")/metrics" | sed -n 's/^dhtpush_mailbox_messages \([0-9.e+]*\)$/\1/p') \
      || continue
    [ -z "$held" ] && continue
    python3 -c "import sys; sys.exit(0 if float('$held') <= $limit else 1)" \
      || { echo "FAIL: host $h holds $held messages, above $limit"; return 1; }
    echo "host $h: $held message(s) in mailboxes (bound $limit)"
  done
}
