#!/usr/bin/env bash
# Issue 15, status page: GET / shows what the node is doing without JavaScript, and in headless
# Chromium (Debian's chromium) it loads with no console message, refreshes its figures itself
# and shows the live ones. A screenshot is kept in OUT_DIR.
set -euo pipefail
NODE="$1"
CLI="$2"
OUT_DIR="$3"
source "$(dirname "$0")/process_helpers.sh"

start_node_with_subscription "$NODE" "$CLI"
"$CLI" send "$ENDPOINT" "waiting for its device" --ttl 600 --subscription "$WORK/subscription.json" | grep -q "^sent:"

# --- without JavaScript: the figures are in the HTML, the page may load nothing foreign -----
curl -sf -D "$WORK/headers.txt" "$NODE_URL/" >"$WORK/page.html"
grep -qi '^content-type: text/html' "$WORK/headers.txt"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$WORK/headers.txt"
grep -q '<td id="subscriptions">1</td>' "$WORK/page.html"
grep -q '<td id="mailbox">1</td>' "$WORK/page.html"
grep -q '<strong id="status" class="ok">ok</strong>' "$WORK/page.html"
if grep -qF "$TOKEN" "$WORK/page.html"; then echo "FAIL: a token on the status page"; exit 1; fi

# --- in Chromium: no console message, the script refreshes the figures --------------------
browse() {  # browse ARGS...: headless Chromium on the page, its log in $WORK/chromium.log
  timeout 120 chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$WORK/profile" \
    --enable-logging=stderr --v=0 "$@" "$NODE_URL/" 2>>"$WORK/chromium.log"
}
# Virtual time runs the page's 5 s timer twice without waiting for it.
browse --virtual-time-budget=12000 --dump-dom >"$WORK/dom.html"
grep -q 'data-refreshed="[1-9]' "$WORK/dom.html"
grep -q '<td id="subscriptions">1</td>' "$WORK/dom.html"
grep -q '<td id="mailbox">1</td>' "$WORK/dom.html"
if grep -q ":CONSOLE" "$WORK/chromium.log"; then
  echo "FAIL: the page logged to the console:"; grep ":CONSOLE" "$WORK/chromium.log"; exit 1
fi
mkdir -p "$OUT_DIR"
browse --window-size=900,640 --screenshot="$OUT_DIR/status-page.png" >/dev/null
[ -s "$OUT_DIR/status-page.png" ]
echo "status page: 1 passed, 0 failed (screenshot: $OUT_DIR/status-page.png)"
