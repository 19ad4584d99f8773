#!/usr/bin/env bash
# scripts/bench's latency section on a network that takes time: hosts in network namespaces
# joined by veth pairs to a switch that delays every frame DELAY_MS one way and loses
# LOSS_PERMILLE of the UDP datagrams (dhtpush-delay-hub, bench/delay_hub.h; netem's delay on each host's egress
# gives the same network where the kernel has netem). Hosts reach only each other: no default
# route, nothing forwarded outside, and every namespace is removed at the end, also on failure.
#
#   host 1      dhtpush-node A, the device's proxy (DHT :4222, HTTP :8080)
#   host 2      dhtpush-node B, the proxy messages are posted to
#   hosts 3, 4  stock `dhtnode --proxyserver` A and B (DHT :4223, HTTP :8081)
#   host 5      dhtpush-node, the one every node bootstraps from
#   host 6      the client: dhtpush-bench latency, its device, its senders, the raw publisher
#   host 7      the raw path's listener, one host away from its publisher, as an app's are
#   hosts 5, 8-11  EXTRA_NODES plain `dhtnode`s each (:4300+), so that the DHT is larger than
#               the 8 nodes that store each key, as on a real network. Each proxy has its host to
#               itself: a node on its host would hand it the keys it stores without a hop.
#
# Usage: bench/netns_latency.sh BUILD_DIR OUT_DIR SAMPLES [DELAY_MS [LOSS_PERMILLE]]
# Writes OUT_DIR/latency-netns.json (and .dat, the CDF), or a JSON {"skipped": why} and exit 0
# where network namespaces cannot be made here.
set -euo pipefail
BIN="$1" OUT="$2" SAMPLES="$3" DELAY_MS="${4:-10}" LOSS_PERMILLE="${5:-5}"
EXTRA_NODES=5
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../tests/integration/netns_helpers.sh"
NS_PREFIX="dhtpl$$"
NS_SWITCH="$NS_PREFIX-sw"
# The bench's own network id: these nodes never meet another network's, should one be reachable.
NETWORK=4711
CLIENT=6
LISTENER=7
HOSTS=11
BOOT=5

if ! why=$(netns_supported); then
  echo "latency on a network with delay: skipped: $why" >&2
  printf '{"skipped": "%s"}\n' "$why" >"$OUT/latency-netns.json"
  exit 0
fi
command -v dhtnode >/dev/null || { echo "bench: dhtnode (opendht-tools) is not installed" >&2; exit 1; }
WORK=$(mktemp -d)
STOCK_PIDS=()
finish() {
  for pid in "${NODE_PID[@]}" "${STOCK_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  stop_delay_hub
  netns_cleanup
  rm -rf "$WORK"
}
trap finish EXIT

make_hosts "$HOSTS" hub
start_delay_hub "$BIN/bench/dhtpush-delay-hub" "$DELAY_MS" "$LOSS_PERMILLE"
export BOOTSTRAP_HOSTS="$BOOT"
# Sequential samples go to a few subscriptions far faster than a subscription's default rate.
for h in "$BOOT" 1 2; do start_host_node "$BIN/proxy/dhtpush-node" "$h" --network "$NETWORK" --post-rate-per-subscription 0; done
for h in "$BOOT" 1 2; do wait_healthy "$CLIENT" "$h"; done
# Stock dhtnode: the baseline's proxies, and the plain nodes that make the DHT larger.
start_dhtnode() {  # start_dhtnode HOST PORT [ARGS...]
  local h="$1" port="$2"
  shift 2
  ip netns exec "${NS_HOSTS[$((h - 1))]}" dhtnode -s -n "$NETWORK" -p "$port" -b "$(host_ip "$BOOT"):4222" "$@" \
    >>"$WORK/dhtnode$h-$port.log" 2>&1 &
  STOCK_PIDS+=($!)
}
for h in "$BOOT" 8 9 10 11; do for i in $(seq 1 "$EXTRA_NODES"); do start_dhtnode "$h" $((4300 + i)); done; done
for h in 3 4; do start_dhtnode "$h" 4223 --proxyserver 8081; done
for h in 3 4; do
  for _ in $(seq 1 200); do in_host "$CLIENT" curl -sf -o /dev/null --max-time 1 "http://$(host_ip "$h"):8081/" && break; sleep 0.1; done
  in_host "$CLIENT" curl -sf -o /dev/null --max-time 1 "http://$(host_ip "$h"):8081/" \
    || { echo "bench: the stock proxy on host $h never answered" >&2; tail -5 "$WORK/dhtnode$h-4223.log" >&2; exit 1; }
done

in_host "$CLIENT" "$BIN/bench/dhtpush-bench" latency --samples "$SAMPLES" --settle-ms 20 \
  --bootstrap "$(host_ip "$BOOT"):4222" --dht-network "$NETWORK" --bind "$(host_ip "$CLIENT")" \
  --listener-netns "/run/netns/${NS_HOSTS[$((LISTENER - 1))]}" --listener-bind "$(host_ip "$LISTENER")" \
  --receiver "$(host_url 1)" --sender "$(host_url 2)" \
  --stock-receiver "http://$(host_ip 3):8081" --stock-sender "http://$(host_ip 4):8081" \
  --delay-ms "$DELAY_MS" --loss-permille "$LOSS_PERMILLE" \
  --json "$OUT/latency-netns.json" --cdf "$OUT/latency-netns.dat" >/dev/null
stop_delay_hub
cp "$WORK/delay-hub.json" "$OUT/latency-netns-hub.json"
# Every path crosses the switch at least once: below one delay, the switch did not delay and
# the figures say nothing.
for path in raw_put_listen_ms dhtpush_ms stock_proxy_ms dhtpush_one_proxy_ms; do
  p50=$(sed -n "s/.*\"$path\":{[^}]*\"p50\":\([0-9.]*\).*/\1/p" "$OUT/latency-netns.json")
  awk -v p="$p50" -v d="$DELAY_MS" 'BEGIN { exit !(p >= d) }' \
    || { echo "bench: $path p50 ${p50:-missing} ms is below the switch's delay of $DELAY_MS ms" >&2; exit 1; }
done
