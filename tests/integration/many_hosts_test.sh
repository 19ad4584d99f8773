#!/usr/bin/env bash
# Issue 16, proven on many hosts: five node hosts and a client host (a device and an
# application server), each a network namespace of its own joined by veth pairs to a switch,
# dhtpush-delay-hub (no default route: they reach only each other). Messages flow all along
# while faults come one after another: a proxy that lies about its URL, a proxy partitioned
# from the rest and healed, a node SIGKILLed and restarted, lost datagrams, added delay (by
# the switch, so on kernels without netem too), and the device's proxy killed for good (the
# device replaces it). At the end, every message answered 201 was shown by the device, each
# once, and the mailboxes stayed bounded.
# Skipped (exit 77) where network namespaces cannot be made.
set -euo pipefail
trap 'echo "many hosts: failed at line $LINENO" >&2; tail -n 5 "$WORK"/listen.err "$WORK"/refused >&2 || true' ERR
NODE="$1"
CLI="$2"
HUB="$3"
source "$(dirname "$0")/process_helpers.sh"
source "$(dirname "$0")/netns_helpers.sh"
source "$(dirname "$0")/flow_helpers.sh"
if ! why=$(netns_supported); then echo "SKIP: $why"; exit 77; fi
trap 'netns_cleanup; cleanup' EXIT

CLIENT=6
MAILBOX_LIMIT=200
# The switch is dhtpush-delay-hub (no delay until fault 5 asks for it), not a bridge.
make_hosts 6 hub
start_delay_hub "$HUB" 0 0
export BOOTSTRAP_HOSTS="1 2 3 4 5"
for h in 1 2 3 4 5; do start_host_node "$NODE" "$h" --mailbox-size "$MAILBOX_LIMIT"; done
for h in 1 2 3 4 5; do wait_healthy "$CLIENT" "$h"; done
listed_from_client() {
  in_host "$CLIENT" curl -sf --max-time 2 "$(host_url "$1")/v1/proxies" | grep -o '"identity"' | wc -l
}
for _ in $(seq 1 200); do [ "$(listed_from_client 1)" = 5 ] && break; sleep 0.1; done
[ "$(listed_from_client 1)" = 5 ] || { echo "FAIL: the directory lists $(listed_from_client 1) proxies, not 5"; exit 1; }
faults=0
# The node hosts but those given, one per line.
node_hosts_but() { for h in 1 2 3 4 5; do [[ " $* " == *" $h "* ]] || echo "$h"; done; }

# 1. A liar on the client host announces host 2's URL: listed, never chosen.
BOOTSTRAP_HOSTS="1" start_host_node "$NODE" "$CLIENT" --public-url "$(host_url 2)"
LIAR=${NODE_PID[$CLIENT]}
for _ in $(seq 1 200); do [ "$(listed_from_client 1)" = 6 ] && break; sleep 0.1; done
rc=0
in_host "$CLIENT" "$CLI" subscribe --discover "$(host_url 1)" --proxies 6 --state "$WORK/greedy.json" \
  >/dev/null 2>"$WORK/greedy.err" || rc=$?
[ "$rc" = 1 ] && grep -q "found 5 healthy proxies of the 6 needed" "$WORK/greedy.err" \
  && grep -q "is not the proxy that signed the entry naming it" "$WORK/greedy.err" \
  || { echo "FAIL: the liar was not skipped ($rc)"; cat "$WORK/greedy.err"; exit 1; }
kill -9 "$LIAR"
faults=$((faults + 1))
echo "fault: host $CLIENT announced host 2's URL; skipped by the device"

# The device finds two proxies through host 1 and listens; the app server posts all along.
discover_and_listen "$CLI" "$CLIENT" 1 3
read -r P Q <<<"$DEVICE_PROXIES"
P=$(host_of "$P") Q=$(host_of "$Q")
echo "device: proxies on hosts $P and $Q"
set_targets 1 2 3 4 5
start_sending "$CLI" "$CLIENT"
wait_for "$WORK/accepted" "msg-5"

# 2. The device's second proxy is cut off from everyone for 6 s, then heals.
set_targets $(node_hosts_but "$Q")
partition "$Q"
sleep 6  # the fault's length, not a synchronisation
heal_partition "$Q"
set_targets 1 2 3 4 5
faults=$((faults + 1))
echo "fault: host $Q (a proxy of the device) partitioned for 6 s"

# 3. A node that is not the device's proxy is SIGKILLed while the sender posts to it, and comes back.
X=$(node_hosts_but "$P" "$Q" | head -1)
kill_node "$X"
sleep 2  # requests to it fail meanwhile: the sender's node died
set_targets $(node_hosts_but "$X")
restart_node "$NODE" "$X"
wait_healthy "$CLIENT" "$X"
set_targets 1 2 3 4 5
faults=$((faults + 1))
echo "fault: host $X SIGKILLed (a sender's node) and restarted"

# 4. 5 % of all DHT datagrams lost for 8 s.
lose 5
sleep 8
stop_losing
faults=$((faults + 1))
echo "fault: 5 % of UDP datagrams lost on every host for 8 s"

# 5. 10 ms of delay each way between every two hosts.
delay 10
sleep 5
# A TCP connect takes a round trip: 20 ms or more while the switch delays.
connect_s=$(in_host "$CLIENT" curl -s -o /dev/null --max-time 2 -w '%{time_connect}' "$(host_url 1)/health")
awk -v t="$connect_s" 'BEGIN { exit !(t >= 0.019) }' \
  || { echo "FAIL: a connect took ${connect_s} s while the switch was to delay 10 ms each way"; exit 1; }
no_delay
faults=$((faults + 1))
echo "fault: 10 ms delay between every two hosts for 5 s"

# 6. The device's first proxy dies for good while messages flow: the other one delivers, and
# the device moves to a fresh proxy.
set_targets $(node_hosts_but "$P")
kill_node "$P"
faults=$((faults + 1))
echo "fault: host $P (the device's endpoint proxy) SIGKILLed for good"
wait_for "$WORK/listen.out" '"event":"new-endpoint"'
read -r R Q2 <<<"$(device_proxies)"
echo "device: moved from host $P to host $(host_of "$R") (and kept host $(host_of "$Q2"))"
[ "$(host_of "$R")" != "$P" ] && [ "$(host_of "$Q2")" = "$Q" ]
sleep 3  # messages go on flowing to the new proxy

stop_sending
check_invariants "$CLIENT" 60 "$MAILBOX_LIMIT" 1 2 3 4 5
echo "faults injected: $faults"
echo "many hosts: ok"
