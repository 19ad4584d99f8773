#!/usr/bin/env bash
# Issue 15, metrics: GET /metrics is valid Prometheus text (Debian's promtool checks it), and a
# real Prometheus server scraping the node sees it up and a counter move after a POST.
set -euo pipefail
NODE="$1"
CLI="$2"
source "$(dirname "$0")/process_helpers.sh"

start_node_with_subscription "$NODE" "$CLI"

curl -sf "$NODE_URL/metrics" >"$WORK/metrics.txt"
promtool check metrics <"$WORK/metrics.txt"
grep -q '^dhtpush_subscriptions 1$' "$WORK/metrics.txt"
grep -q '^dhtpush_delivery_latency_seconds_bucket{le="+Inf"} 0$' "$WORK/metrics.txt"
grep -q '^process_open_fds [0-9]' "$WORK/metrics.txt"
if grep -qF "$TOKEN" "$WORK/metrics.txt"; then echo "FAIL: a token in /metrics"; exit 1; fi

# --- a Prometheus server of the test's own, on loopback, scraping the node every second ----
PROM_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: dhtpush
    static_configs:
      - targets: ["${NODE_URL#http://}"]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/prometheus" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
PROM="http://127.0.0.1:$PROM_PORT"
# query EXPR: the first result's value, or nothing.
query() {
  curl -sf --get "$PROM/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}
wait_query() {  # wait_query EXPR VALUE: until the query gives VALUE (deadline 30 s)
  for _ in $(seq 1 300); do [ "$(query "$1" 2>/dev/null)" = "$2" ] && return 0; sleep 0.1; done
  echo "FAIL: $1 never gave $2 (last: '$(query "$1" 2>/dev/null)')"; tail -5 "$WORK/prometheus.log"; exit 1
}
wait_query 'up{job="dhtpush"}' 1
wait_query 'dhtpush_subscriptions' 1
wait_query 'sum(dhtpush_http_responses_total{route="webpush",status="201"}) or vector(0)' 0
"$CLI" send "$ENDPOINT" "counted" --ttl 60 --subscription "$WORK/subscription.json" | grep -q "^sent:"
wait_query 'sum(dhtpush_http_responses_total{route="webpush",status="201"})' 1
wait_query 'dhtpush_mailbox_messages' 1
echo "node metrics: 1 passed, 0 failed"
