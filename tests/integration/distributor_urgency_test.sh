#!/usr/bin/env bash
# Issue 13, urgency: on battery, dhtpush-distributor takes only the messages urgent enough for
# the device's state (UnifiedPush's D-Bus specification, RFC 8030 §5.3); the others wait at
# the proxies and reach the app once the state allows them, each once. The power and network
# state come from stand-ins for UPower and NetworkManager on a private system bus.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/process_helpers.sh"
source "$HERE/device_helpers.sh"

start_private_bus session "$WORK/session"
start_private_bus system "$WORK/system"
export DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/session"
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/system"
# On battery and a metered network: normal and above.
"$PYTHON" "$HERE/up_standin_power.py" --address "$DBUS_SYSTEM_BUS_ADDRESS" --ready "$WORK/power.ready" \
  --on-battery --metered 1 &
PIDS+=($!)
wait_file "$WORK/power.ready"
streams_opened() {  # URL: the event streams the proxy has opened
  curl -sf "$1/health" | sed -n 's/.*"streams_opened":\([0-9]*\).*/\1/p'
}
# set_power ON_BATTERY WARNING_LEVEL METERED: returns once both proxies have opened the
# distributor's new streams (a message sent while they reopen may still take the old ones).
set_power() {
  local before1 before2
  before1=$(streams_opened "$URL1")
  before2=$(streams_opened "$URL2")
  gdbus call --address "$DBUS_SYSTEM_BUS_ADDRESS" --dest org.freedesktop.UPower --object-path /org/freedesktop/UPower \
    --method org.dhtpush.Test.SetPower "$1" "$2" "$3" >/dev/null
  for _ in $(seq 1 400); do
    [ "$(streams_opened "$URL1")" -gt "$before1" ] && [ "$(streams_opened "$URL2")" -gt "$before2" ] && return 0
    sleep 0.05
  done
  echo "timed out waiting for the streams to reopen"; return 1
}

start_two_nodes "$NODE"
start_distributor "$URL1" "$URL2"
grep -q "on battery, metered network: taking messages of urgency normal and above" "$WORK/distributor.log"
start_app org.example.Chat tok-chat "$WORK/app"

# Held: very-low and low. Taken: normal (the default) and high. The proxies stream in order,
# so once "chat" is in, "advert" and "topic" were passed over.
send_to "$WORK/app" "advert" --urgency very-low | grep -q "^sent:"
send_to "$WORK/app" "topic" --urgency low | grep -q "^sent:"
send_to "$WORK/app" "chat" | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " chat$"
if grep -qE " (advert|topic)$" "$WORK/app/messages.txt"; then echo "FAIL: a low-urgency message woke the device on battery"; exit 1; fi

# A low battery: high only.
set_power true 3 1
wait_for "$WORK/distributor.log" "on a low battery, metered network: taking messages of urgency high and above"
send_to "$WORK/app" "meeting" --urgency normal | grep -q "^sent:"
send_to "$WORK/app" "call" --urgency high | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " call$"
if grep -qE " (advert|topic|meeting)$" "$WORK/app/messages.txt"; then echo "FAIL: a message below high came on a low battery"; exit 1; fi

# On power and an unmetered network: everything that waited comes, once each.
set_power false 1 2
wait_for "$WORK/distributor.log" "on power, unmetered network: taking messages of urgency very-low and above"
for text in advert topic meeting; do wait_for "$WORK/app/messages.txt" " $text$"; done
send_to "$WORK/app" "sentinel" --urgency very-low | grep -q "^sent:"
wait_for "$WORK/app/messages.txt" " sentinel$"
for text in advert topic chat meeting call sentinel; do
  [ "$(grep -c " $text$" "$WORK/app/messages.txt")" = 1 ] || { echo "FAIL: '$text' not delivered exactly once"; exit 1; }
done

# --min-urgency fixes the minimum whatever the power state says.
"$DISTRIBUTOR" --proxy "$URL1" --state "$WORK/fixed" --name dhtpushfixed --min-urgency high >"$WORK/fixed.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/fixed.log" "serving org.unifiedpush.Distributor.dhtpushfixed"
if grep -q "taking messages of urgency" "$WORK/fixed.log"; then echo "FAIL: a fixed minimum followed the power state"; exit 1; fi
echo "distributor urgency test passed"
