# Sourced by the shell integration tests: a work folder, the processes they start (killed and
# the folder removed on exit; kept, with its nodes' logs, with KEEP_WORK=1), and waiting on a
# log line with a deadline instead of a sleep.
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# wait_for FILE PATTERN: poll until the file has a line matching PATTERN (deadline 20 s).
wait_for() {
  for _ in $(seq 1 400); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timed out waiting for '$2' in $1:"; cat "$1"; return 1
}

# wait_file FILE: poll until it exists and is not empty (deadline 20 s).
wait_file() {
  for _ in $(seq 1 400); do [ -s "$1" ] && return 0; sleep 0.05; done
  echo "timed out waiting for $1"; return 1
}

# start_node NODE NAME PORT [ARGS...]: a dhtpush-node with its data in $WORK/NAME, HTTP on PORT
# (0: one the OS chooses) and the DHT on a free UDP port of loopback; sets URL (its HTTP base
# URL) and DHT_PORT once it listens.
start_node() {
  local node="$1" name="$2" port="$3"
  shift 3
  "$node" --data-dir "$WORK/$name" --http-port "$port" --dht-address 127.0.0.1 --dht-port 0 --local-network "$@" \
    >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/$name.log" "udp port"
  URL=$(sed -n 's/^  HTTP  *\(http:[^ ]*\).*/\1/p' "$WORK/$name.log")
  DHT_PORT=$(sed -n 's/.*udp port \([0-9]*\),.*/\1/p' "$WORK/$name.log")
}

# start_two_nodes NODE: dhtpush-node 1 standalone and node 2 joining it, on loopback; sets
# URL1, URL2 (their HTTP base URLs) and DHT1 (node 1's UDP port) once node 2 is connected.
start_two_nodes() {
  start_node "$1" node1 0
  URL1="$URL" DHT1="$DHT_PORT"
  start_node "$1" node2 0 --bootstrap "127.0.0.1:$DHT1"
  URL2="$URL"
  for _ in $(seq 1 400); do
    curl -sf "$URL2/health" | grep -q '"connected":true' && break
    sleep 0.05
  done
  curl -sf "$URL2/health" | grep -q '"connected":true'
}

# start_node_with_subscription NODE CLI: one standalone node with a device subscribed to it
# through the CLI; sets NODE_URL, ENDPOINT and TOKEN, and leaves the subscription JSON in
# $WORK/subscription.json (the device's state in $WORK/device.json).
start_node_with_subscription() {
  start_node "$1" node1 0
  NODE_URL="$URL"
  "$2" subscribe --proxy "$NODE_URL" --state "$WORK/device.json" >"$WORK/subscription.json"
  ENDPOINT=$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' "$WORK/subscription.json")
  TOKEN="${ENDPOINT##*/}"
}

# subscribe_and_listen CLI NAME PROXY...: a device NAME (state $WORK/NAME.json) subscribed on the
# proxies (one: an inbox token; two or more: a version-1 token), its subscription JSON in
# $WORK/NAME-subscription.json, and `dhtpush listen --count 1` for it writing
# $WORK/NAME-listen.out in the background.
subscribe_and_listen() {
  local cli="$1" name="$2" proxies=()
  shift 2
  for p in "$@"; do proxies+=(--proxy "$p"); done
  "$cli" subscribe "${proxies[@]}" --state "$WORK/$name.json" >"$WORK/$name-subscription.json"
  "$cli" listen --state "$WORK/$name.json" --count 1 >"$WORK/$name-listen.out" 2>"$WORK/$name-listen.err" &
  PIDS+=($!)
}

# start_announcing_nodes NODE N: N nodes on loopback, each announcing itself in the proxy
# directory every second, the first one bootstrapping the others; sets URLS (their base URLs),
# DHT1 (node 1's UDP port) and PID_OF (URL -> pid), and returns once node 1 lists all N.
declare -A PID_OF
start_announcing_nodes() {
  local node="$1" count="$2"
  start_node "$node" node1 0 --announce-interval 1
  URLS=("$URL") DHT1="$DHT_PORT"
  PID_OF[$URL]=${PIDS[-1]}
  for n in $(seq 2 "$count"); do
    start_node "$node" "node$n" 0 --bootstrap "127.0.0.1:$DHT1" --announce-interval 1
    URLS+=("$URL")
    PID_OF[$URL]=${PIDS[-1]}
  done
  wait_directory "${URLS[0]}" "$count"
}

# directory_size URL: how many entries the node at URL lists in its proxy directory (0 while it
# reads the directory).
directory_size() { (curl -sf "$1/v1/proxies" || true) | grep -o '"identity"' | wc -l; }

# wait_directory URL N: until the node lists N entries (deadline 20 s).
wait_directory() {
  for _ in $(seq 1 200); do [ "$(directory_size "$1")" = "$2" ] && return 0; sleep 0.1; done
  echo "the directory of $1 lists $(directory_size "$1") entries, not $2"; return 1
}
