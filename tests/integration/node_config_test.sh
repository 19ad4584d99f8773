#!/usr/bin/env bash
# Issue 15, config file: dhtpush-node runs from a TOML file (--config), flags override it,
# --check-config prints the configuration it gives, and a bad file is a clear error (exit 2).
set -euo pipefail
NODE="$1"
source "$(dirname "$0")/process_helpers.sh"

cat >"$WORK/node.toml" <<TOML
data_dir = "$WORK/node"
http_port = 0
dht_address = "127.0.0.1"
dht_port = 0
local_network = true
log_level = "warning"
inboxes = 4
TOML
"$NODE" --config "$WORK/node.toml" --inboxes 8 --check-config >"$WORK/effective.toml"
grep -qx "data_dir = \"$WORK/node\"" "$WORK/effective.toml"
grep -qx 'log_level = "warning"' "$WORK/effective.toml"
grep -qx 'inboxes = 8' "$WORK/effective.toml"  # the flag won
# What it prints is a configuration file that gives the same.
"$NODE" --config "$WORK/effective.toml" --check-config | diff - "$WORK/effective.toml"

"$NODE" --config "$WORK/node.toml" >"$WORK/node.out" 2>"$WORK/node.err" &
PIDS+=($!)
wait_for "$WORK/node.out" "udp port"
URL=$(sed -n 's/^  HTTP  *\(http:[^ ]*\).*/\1/p' "$WORK/node.out")
curl -sf "$URL/health" | grep -q '"status"'
[ -d "$WORK/node" ]  # data_dir from the file
if grep -q " info " "$WORK/node.err"; then echo "FAIL: an info line at log_level = warning"; exit 1; fi

# Bad files: a clear message naming the file, exit code 2.
printf 'http_port = "eighty"\n' >"$WORK/bad.toml"
set +e
"$NODE" --config "$WORK/bad.toml" 2>"$WORK/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "$WORK/bad.toml: --http-port: 'eighty' is not a whole number" "$WORK/err"
printf 'http_prot = 8080\n' >"$WORK/typo.toml"
set +e
"$NODE" --config "$WORK/typo.toml" --check-config 2>"$WORK/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "unknown key 'http_prot'" "$WORK/err"
echo "node config: 1 passed, 0 failed"
