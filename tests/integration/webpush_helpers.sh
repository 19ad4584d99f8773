# Sourced after process_helpers.sh by the tests that send with the npm package web-push, as app
# servers do: Node.js and web-push (installed when missing; never skipped), a self-signed
# certificate for 127.0.0.1 that Node trusts, and nodes serving HTTPS with it.

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

# setup_webpush NPM_DIR: web-push installed once into NPM_DIR (cached across runs; a lock keeps
# two test runs from installing at once), $WORK/cert.pem and key.pem, and the function
#   webpush keys                                   a VAPID key pair as JSON (generateVAPIDKeys)
#   webpush send SUBSCRIPTION_JSON TEXT [VAPID_JSON]  prints "status CODE [body]"
setup_webpush() {
  local npm_dir="$1"
  need node nodejs
  need npm npm
  need openssl openssl
  mkdir -p "$npm_dir"
  (
    flock 9
    if [ ! -f "$npm_dir/node_modules/web-push/package.json" ]; then
      echo "==> npm install web-push@3 into $npm_dir"
      npm install --no-audit --no-fund --prefix "$npm_dir" web-push@3 >"$WORK/npm.log" 2>&1 ||
        { cat "$WORK/npm.log"; exit 1; }
    fi
  ) 9>"$npm_dir.lock"
  echo "web-push $(node -p "require('$npm_dir/node_modules/web-push/package.json').version")," \
    "node $(node --version)"

  # A self-signed certificate for 127.0.0.1, as scripts/run makes one.
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
  export NODE_EXTRA_CA_CERTS="$WORK/cert.pem"

  # The sender: web-push, as an app server uses it.
  cat >"$WORK/send.js" <<JS
const fs = require('fs');
const webpush = require('$npm_dir/node_modules/web-push');
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
}
webpush() { node "$WORK/send.js" "$@"; }

# start_tls_node NAME [ARGS...]: $NODE_BIN with HTTP and HTTPS (the certificate above) on free
# ports; sets HTTP_URL, HTTPS_URL, DHT_PORT.
start_tls_node() {
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

# start_two_tls_nodes: node1, and node2 joined to it; sets HTTP1, HTTPS1, HTTP2, HTTPS2 once
# node 2 is connected.
start_two_tls_nodes() {
  start_tls_node node1
  HTTP1="$HTTP_URL" HTTPS1="$HTTPS_URL"
  start_tls_node node2 --bootstrap "127.0.0.1:$DHT_PORT"
  HTTP2="$HTTP_URL" HTTPS2="$HTTPS_URL"
  for _ in $(seq 1 400); do
    curl -sf --cacert "$WORK/cert.pem" "$HTTPS2/health" | grep -q '"connected":true' && break
    sleep 0.05
  done
  curl -sf --cacert "$WORK/cert.pem" "$HTTPS2/health" | grep -q '"connected":true'
}
