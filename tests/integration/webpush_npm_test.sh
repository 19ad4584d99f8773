#!/usr/bin/env bash
# Issue 3's "done when": a widely used third-party WebPush library, the npm package
# `web-push`, run with Node.js, sends to a node's HTTPS endpoint (a self-signed certificate
# made here, trusted through NODE_EXTRA_CA_CERTS), once without VAPID and once with VAPID
# (its own generateVAPIDKeys(), bound with `dhtpush subscribe --vapid-key`); `dhtpush listen`
# prints the same text, decrypted. Also: a 403 for an unsigned POST to a bound subscription,
# a wrongly signed message dropped by the device's proxy, and `dhtpush send` with
# --subscription, --vapid (from `dhtpush vapid keygen`) and --cacert.
#   webpush_npm_test.sh DHTPUSH_NODE DHTPUSH_CLI NPM_CACHE_DIR
# Installs what it needs (node, npm, openssl: Debian packages; web-push: npm, cached in
# NPM_CACHE_DIR across runs). It never skips: a missing tool it cannot install is a failure.
set -euo pipefail
NODE_BIN="$1"
CLI="$2"
NPM_DIR="$3"
source "$(dirname "$0")/process_helpers.sh"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

# need COMMAND PACKAGE...: install the Debian packages when COMMAND is missing.
need() {
  local command="$1"
  shift
  command -v "$command" >/dev/null 2>&1 && return 0
  echo "==> installing $* (for $command)"
  as_root apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
  command -v "$command" >/dev/null 2>&1 || { echo "FAIL: $command is still missing after installing $*"; exit 1; }
}
need node nodejs
need npm npm
need openssl openssl

# web-push, installed once into NPM_DIR; the lock keeps two test runs from installing at once.
mkdir -p "$NPM_DIR"
(
  flock 9
  if [ ! -f "$NPM_DIR/node_modules/web-push/package.json" ]; then
    echo "==> npm install web-push@3 into $NPM_DIR"
    npm install --no-audit --no-fund --prefix "$NPM_DIR" web-push@3 >"$WORK/npm.log" 2>&1 ||
      { cat "$WORK/npm.log"; exit 1; }
  fi
) 9>"$NPM_DIR.lock"
echo "web-push $(node -p "require('$NPM_DIR/node_modules/web-push/package.json').version")," \
  "node $(node --version)"

# A self-signed certificate for 127.0.0.1, as scripts/run makes one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
export NODE_EXTRA_CA_CERTS="$WORK/cert.pem"

# start_node NAME [ARGS...]: a node with HTTP and HTTPS on free ports; sets HTTP_URL, HTTPS_URL, DHT_PORT.
start_node() {
  local name="$1"
  shift
  "$NODE_BIN" --data-dir "$WORK/$name" --http-port 0 --https-port 0 --tls-cert "$WORK/cert.pem" \
    --tls-key "$WORK/key.pem" --dht-address 127.0.0.1 --dht-port 0 --local-network "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/$name.log" "udp port"
  HTTP_URL=$(sed -n 's/^  HTTP  *\(http:[^ ]*\).*/\1/p' "$WORK/$name.log")
  HTTPS_URL=$(sed -n 's/^  HTTPS  *\(https:[^ ]*\).*/\1/p' "$WORK/$name.log")
  DHT_PORT=$(sed -n 's/.*udp port \([0-9]*\),.*/\1/p' "$WORK/$name.log")
}
start_node node1
HTTP1="$HTTP_URL" HTTPS1="$HTTPS_URL"
start_node node2 --bootstrap "127.0.0.1:$DHT_PORT"
HTTP2="$HTTP_URL" HTTPS2="$HTTPS_URL"
for _ in $(seq 1 400); do
  curl -sf --cacert "$WORK/cert.pem" "$HTTPS2/health" | grep -q '"connected":true' && break
  sleep 0.05
done
curl -sf --cacert "$WORK/cert.pem" "$HTTPS2/health" | grep -q '"connected":true'
curl -sf "$HTTP2/health" >/dev/null  # plain HTTP stays available

# The sender: web-push, as an app server uses it.
cat >"$WORK/send.js" <<JS
const fs = require('fs');
const webpush = require('$NPM_DIR/node_modules/web-push');
const [mode, subscriptionFile, text, vapidFile] = process.argv.slice(2);
if (mode === 'keys') {
  console.log(JSON.stringify(webpush.generateVAPIDKeys()));
  process.exit(0);
}
const subscription = JSON.parse(fs.readFileSync(subscriptionFile, 'utf8'));
const options = { TTL: 600 };
if (vapidFile) {
  const keys = JSON.parse(fs.readFileSync(vapidFile, 'utf8'));
  options.vapidDetails = { subject: 'mailto:app@example.com', publicKey: keys.publicKey, privateKey: keys.privateKey };
}
webpush.sendNotification(subscription, text, options)
  .then((r) => console.log('status ' + r.statusCode))
  .catch((e) => { console.log('status ' + (e.statusCode || 'none') + ' ' + (e.body || e.message)); });
JS
webpush() { node "$WORK/send.js" "$@"; }

STATE="$WORK/device.json"
# subscribe NAME [ARGS...]: a subscription on node 1, its PushSubscription JSON in $WORK/NAME.json
# with the endpoint moved to node 2's HTTPS listener (any node accepts any endpoint).
subscribe() {
  local name="$1"
  shift
  "$CLI" subscribe --proxy "$HTTP1" --state "$STATE" "$@" >"$WORK/$name.node1.json"
  grep -q "\"endpoint\":\"$HTTPS1/wp/" "$WORK/$name.node1.json"  # endpoints use the HTTPS base
  sed "s#$HTTPS1#$HTTPS2#" "$WORK/$name.node1.json" >"$WORK/$name.json"
}

webpush keys >"$WORK/webpush-vapid.json"
webpush keys >"$WORK/stranger-vapid.json"
APP_KEY=$(node -p "JSON.parse(require('fs').readFileSync('$WORK/webpush-vapid.json')).publicKey")
"$CLI" vapid keygen --out "$WORK/cli-vapid.json" >"$WORK/cli-vapid.pub"
[ "$(stat -c %a "$WORK/cli-vapid.json")" = "600" ]
CLI_KEY=$(sed -n 's/.*"publicKey":"\([^"]*\)".*/\1/p' "$WORK/cli-vapid.pub")
if grep -q privateKey "$WORK/cli-vapid.pub"; then echo "FAIL: keygen --out printed the private key"; exit 1; fi

subscribe open
subscribe bound --vapid-key "$APP_KEY"
subscribe cli --vapid-key "$CLI_KEY"

"$CLI" listen --state "$STATE" --count 3 >"$WORK/listen.out" 2>"$WORK/listen.err" &
LISTEN=$!
PIDS+=($LISTEN)
wait_for "$WORK/listen.err" "listening"

# Refused: no VAPID for a bound subscription at its proxy (403 before anything is published),
# and a stranger's VAPID at node 2, which knows the binding from the token (version 3).
sed "s#$HTTPS2#$HTTPS1#" "$WORK/bound.json" >"$WORK/bound.node1.json"
webpush send "$WORK/bound.node1.json" "unsigned, refused" | tee "$WORK/refused.out"
grep -q "^status 403 .*VAPID" "$WORK/refused.out"
webpush send "$WORK/bound.json" "signed by a stranger, refused" "$WORK/stranger-vapid.json" | grep -q "^status 403 .*VAPID"

# Delivered: web-push without VAPID, web-push with VAPID, and dhtpush send with VAPID.
webpush send "$WORK/open.json" "hello from web-push" | grep -q "^status 201"
webpush send "$WORK/bound.json" "hello from web-push with VAPID" "$WORK/webpush-vapid.json" | grep -q "^status 201"
"$CLI" send --subscription "$WORK/cli.json" "hello from dhtpush send with VAPID" --vapid "$WORK/cli-vapid.json" \
  --subject mailto:app@example.com --cacert "$WORK/cert.pem" --ttl 600 | grep -q "^sent: $HTTPS2/m/"

wait "$LISTEN"
cat "$WORK/listen.out"
grep -q '"text":"hello from web-push"' "$WORK/listen.out"
grep -q '"text":"hello from web-push with VAPID"' "$WORK/listen.out"
grep -q '"text":"hello from dhtpush send with VAPID"' "$WORK/listen.out"
[ "$(grep -c '"encoding":"aes128gcm"' "$WORK/listen.out")" = "3" ]
if grep -q "refused\|dropped\|decrypt_error" "$WORK/listen.out"; then echo "FAIL: a refused message arrived"; exit 1; fi
# Node 2 refused the stranger up front: nothing forged reached node 1 through the DHT.
curl -sf "$HTTP1/health" | grep -q '"rejected":0'

# Without the certificate trusted, TLS fails: nothing is sent in the clear by mistake.
if "$CLI" send "$(sed -n 's/.*"endpoint":"\([^"]*\)".*/\1/p' "$WORK/open.json")" "x" 2>"$WORK/err"; then exit 1; fi
grep -qi "certificate\|SSL\|TLS" "$WORK/err"
echo "web-push over HTTPS: 1 passed, 0 failed"
