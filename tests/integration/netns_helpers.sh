# Sourced by the many-hosts test and scripts/chaos: hosts as Linux network namespaces joined
# by veth pairs to a bridge in a namespace of its own, each host with one address of
# 10.77.0.0/24 and no default route, so they reach only each other. Nothing is made in the
# caller's namespace: every `ip` command runs inside a namespace this file created. The
# namespaces (and the processes in them) are removed on exit, also on failure.
# shellcheck shell=bash

NS_PREFIX="dhtp$$"
NS_SWITCH="$NS_PREFIX-sw"
NS_HOSTS=()          # namespace of host i at index i-1
declare -A NODE_PID  # host number -> dhtpush-node pid
declare -A NODE_ARGS # host number -> extra arguments it was started with
NS_MADE=()

# netns_supported: whether this process may make network namespaces (root, CAP_SYS_ADMIN, the
# iproute2 and nftables tools); prints why not.
netns_supported() {
  if [ "$(id -u)" != 0 ]; then echo "network namespaces need root"; return 1; fi
  for tool in ip nft; do command -v "$tool" >/dev/null || { echo "$tool is not installed"; return 1; }; done
  if ! ip netns add "$NS_PREFIX-probe" 2>/dev/null; then echo "'ip netns add' is not allowed here"; return 1; fi
  ip netns del "$NS_PREFIX-probe"
}

netns_cleanup() {
  for ns in "${NS_MADE[@]}"; do
    # Processes keep a deleted namespace alive: end them first.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
  done
  for ns in "${NS_MADE[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
}

in_host() { local h="$1"; shift; ip netns exec "${NS_HOSTS[$((h - 1))]}" "$@"; }
host_ip() { echo "10.77.0.$1"; }
host_url() { echo "http://10.77.0.$1:8080"; }

# make_hosts N [hub]: the bridge and N hosts, host i at 10.77.0.i. With `hub`, no bridge: the
# switch's ends v1..vN wait for start_delay_hub to join them.
make_hosts() {
  local switch="${2:-bridge}"
  ip netns add "$NS_SWITCH"
  NS_MADE+=("$NS_SWITCH")
  if [ "$switch" = bridge ]; then
    ip netns exec "$NS_SWITCH" ip link add br0 type bridge
    ip netns exec "$NS_SWITCH" ip link set br0 up
  fi
  for i in $(seq 1 "$1"); do
    local ns="$NS_PREFIX-h$i"
    ip netns add "$ns"
    NS_MADE+=("$ns")
    NS_HOSTS+=("$ns")
    # Made inside the host, its peer moved straight into the switch's namespace.
    ip netns exec "$ns" ip link add eth0 type veth peer name "v$i" netns "$NS_SWITCH"
    if [ "$switch" = bridge ]; then ip netns exec "$NS_SWITCH" ip link set "v$i" master br0 up
    else ip netns exec "$NS_SWITCH" ip link set "v$i" up; fi
    ip netns exec "$ns" ip addr add "$(host_ip "$i")/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip link set lo up
    # One chain per kind of fault, so ending one leaves the others.
    ip netns exec "$ns" nft add table inet faults
    ip netns exec "$ns" nft "add chain inet faults cut_in { type filter hook input priority 0; }"
    ip netns exec "$ns" nft "add chain inet faults cut_out { type filter hook output priority 0; }"
    ip netns exec "$ns" nft "add chain inet faults loss { type filter hook input priority 1; }"
  done
}

# start_host_node NODE H [ARGS...]: dhtpush-node on host H (HTTP :8080, DHT :4222, data in
# $WORK/hH), bootstrapping from every other node host given in BOOTSTRAP_HOSTS.
start_host_node() {
  local node="$1" h="$2"
  shift 2
  local boot=()
  for b in $BOOTSTRAP_HOSTS; do [ "$b" != "$h" ] && boot+=(--bootstrap "$(host_ip "$b"):4222"); done
  NODE_ARGS[$h]="$*"
  # Not through in_host: $! must be the node's own pid (ip netns exec execs it), not a subshell's.
  ip netns exec "${NS_HOSTS[$((h - 1))]}" "$node" --data-dir "$WORK/h$h" --http-address "$(host_ip "$h")" --http-port 8080 \
    --dht-address "$(host_ip "$h")" --dht-port 4222 "${boot[@]}" --announce-interval 1 --probe-interval 1 "$@" \
    >>"$WORK/h$h.log" 2>&1 &
  NODE_PID[$h]=$!
}

# wait_healthy FROM H: until host H's /health answers 200 as seen from host FROM (deadline 20 s).
wait_healthy() {
  for _ in $(seq 1 200); do
    in_host "$1" curl -sf -o /dev/null --max-time 1 "$(host_url "$2")/health" && return 0
    sleep 0.1
  done
  echo "host $2 never became healthy:"; tail -5 "$WORK/h$2.log"; return 1
}

kill_node() { kill -9 "${NODE_PID[$1]}" 2>/dev/null || true; wait "${NODE_PID[$1]}" 2>/dev/null || true; }

restart_node() {
  local node="$1" h="$2"
  # shellcheck disable=SC2086
  start_host_node "$node" "$h" ${NODE_ARGS[$h]}
}

# partition H / heal_partition H: host H drops every packet to and from the other hosts.
partition() {
  in_host "$1" nft add rule inet faults cut_in iifname eth0 drop
  in_host "$1" nft add rule inet faults cut_out oifname eth0 drop
}
heal_partition() { in_host "$1" nft flush chain inet faults cut_in; in_host "$1" nft flush chain inet faults cut_out; }

# lose PERCENT / stop_losing: every host drops that share of the UDP datagrams it receives (the
# DHT's traffic; TCP would only retransmit).
lose() {
  for h in $(seq 1 "${#NS_HOSTS[@]}"); do
    in_host "$h" nft add rule inet faults loss meta l4proto udp numgen random mod 100 \< "$1" drop
  done
}
stop_losing() { for h in $(seq 1 "${#NS_HOSTS[@]}"); do in_host "$h" nft flush chain inet faults loss; done; }

# delay MS / no_delay: MS more, one way, between every two hosts. Through the delay hub where it
# is the switch (start_delay_hub); otherwise netem on every host's eth0, which fails where the
# kernel has no netem.
delay() {
  if [ -n "${DELAY_HUB_PID:-}" ]; then
    echo "$1" >"$WORK/delay-hub.ms"
    kill -USR1 "$DELAY_HUB_PID"
    return
  fi
  for h in $(seq 1 "${#NS_HOSTS[@]}"); do in_host "$h" tc qdisc add dev eth0 root netem delay "${1}ms" || return 1; done
}
no_delay() {
  if [ -n "${DELAY_HUB_PID:-}" ]; then delay 0; return; fi
  for h in $(seq 1 "${#NS_HOSTS[@]}"); do in_host "$h" tc qdisc del dev eth0 root 2>/dev/null || true; done
}

# start_delay_hub HUB MS PERMILLE: joins the switch's ends of a `make_hosts N hub` with
# dhtpush-delay-hub (bench/delay_hub.h): MS one way, PERMILLE of UDP datagrams lost; `delay`
# changes MS while it runs. Its counts go to $WORK/delay-hub.json when it ends (stop_delay_hub).
start_delay_hub() {
  local ports
  ports=$(seq -s, -f "v%g" 1 "${#NS_HOSTS[@]}")
  ip netns exec "$NS_SWITCH" "$1" --ports "$ports" --delay-ms "$2" --loss-permille "$3" \
    --delay-file "$WORK/delay-hub.ms" >"$WORK/delay-hub.json" 2>>"$WORK/delay-hub.log" &
  DELAY_HUB_PID=$!
}
stop_delay_hub() {
  [ -n "${DELAY_HUB_PID:-}" ] || return 0
  kill -TERM "$DELAY_HUB_PID" 2>/dev/null || true
  wait "$DELAY_HUB_PID" 2>/dev/null || true
}
