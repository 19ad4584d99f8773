#!/usr/bin/env bash
# Issue 13: dhtpush-distributor on a private D-Bus session bus, against a UnifiedPush connector
# written from the spec alone (up_connector.py, Python), with two real dhtpush-node proxies.
# v2 and v1 apps register, get an endpoint, receive a message the CLI encrypted to their keys
# and decrypt it; re-registering keeps the endpoint; VAPID binds; an app that is not running
# is started by D-Bus activation; bad calls are ignored; Unregister tells the app.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
CONNECTOR="$HERE/up_connector.py"
source "$HERE/process_helpers.sh"
source "$HERE/device_helpers.sh"
# On a failure, what the distributor said (the work folder goes with the exit).

# --- a private session bus, with a folder of activatable services -----------------------
start_session_bus

# --- two proxies on one private DHT network ---------------------------------------------
start_two_nodes "$NODE"

"$DISTRIBUTOR" --proxy "$URL1" --proxy "$URL2" --state "$WORK/distributor" >"$WORK/distributor.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/distributor.log" "serving org.unifiedpush.Distributor.dhtpush"
[ "$(stat -c %a "$WORK/distributor/distributor.sqlite")" = "600" ]
[ "$(stat -c %a "$WORK/distributor")" = "700" ]

# --- version 2: register, endpoint, message decrypted by the app -------------------------
launch_app org.example.AppTwo tok-two "$WORK/app2"
APP2=$APP_PID
wait_file "$WORK/app2/register.txt"
grep -qx "REGISTRATION_SUCCEEDED" "$WORK/app2/register.txt"
wait_file "$WORK/app2/subscription.json"
ENDPOINT2=$(sed -n 's/.*"endpoint": "\([^"]*\)".*/\1/p' "$WORK/app2/subscription.json")
case "$ENDPOINT2" in "$URL1"/wp/*) ;; *) echo "FAIL: endpoint $ENDPOINT2 is not on the first proxy"; exit 1 ;; esac
send_to "$WORK/app2" "hello version two" | grep -q "^sent:"
wait_for "$WORK/app2/messages.txt" " hello version two$"

# --- version 1 --------------------------------------------------------------------------
launch_app org.example.AppOne tok-one "$WORK/app1" --version 1
wait_file "$WORK/app1/register.txt"
grep -qx "REGISTRATION_SUCCEEDED" "$WORK/app1/register.txt"
wait_file "$WORK/app1/subscription.json"
send_to "$WORK/app1" "hello version one" | grep -q "^sent:"
wait_for "$WORK/app1/messages.txt" " hello version one$"
if grep -q "version one" "$WORK/app2/messages.txt"; then echo "FAIL: app two got app one's message"; exit 1; fi

# --- an app registers again at its start: the same endpoint -----------------------------
kill "$APP2"; wait "$APP2" || true
rm "$WORK/app2/register.txt" "$WORK/app2/subscription.json"
start_app org.example.AppTwo tok-two "$WORK/app2"
APP2=$APP_PID
grep -q "\"$ENDPOINT2\"" "$WORK/app2/subscription.json"

# --- an app that is not running is started by D-Bus activation ---------------------------
kill "$APP2"; wait "$APP2" || true
cat >"$WORK/services/org.example.AppTwo.service" <<SERVICE
[D-BUS Service]
Name=org.example.AppTwo
Exec=$PYTHON $CONNECTOR --name org.example.AppTwo --token tok-two --dir $WORK/app2 --serve-only
SERVICE
send_to "$WORK/app2" "while you were away" | grep -q "^sent:"
wait_for "$WORK/app2/messages.txt" " while you were away$"

# --- an app that cannot be reached: its message waits, and comes when it registers again ---
start_app org.example.Away tok-away "$WORK/away"
kill "$APP_PID"; wait "$APP_PID" || true
send_to "$WORK/away" "kept for later" | grep -q "^sent:"
wait_for "$WORK/distributor.log" "Message to org.example.Away failed"
launch_app org.example.Away tok-away "$WORK/away"
wait_for "$WORK/away/messages.txt" " kept for later$"

# --- VAPID: a bound subscription refuses unsigned senders --------------------------------
VAPID_KEY=$("$CLI" vapid keygen --out "$WORK/vapid.json" | sed -n 's/.*"publicKey":"\([^"]*\)".*/\1/p')
[ -n "$VAPID_KEY" ]
start_app org.example.Bound tok-bound "$WORK/bound" --vapid "$VAPID_KEY"
if send_to "$WORK/bound" "unsigned" 2>"$WORK/err"; then echo "FAIL: an unsigned sender was taken"; exit 1; fi
send_to "$WORK/bound" "signed" --vapid "$WORK/vapid.json" --subject mailto:ops@example.org | grep -q "^sent:"
wait_for "$WORK/bound/messages.txt" " signed$"

# --- an app slow to answer holds back its own messages only --------------------------------
start_app org.example.Slow tok-slow "$WORK/slow" --slow 5
send_to "$WORK/slow" "slow to take" | grep -q "^sent:"
wait_file "$WORK/slow/receiving.txt"  # the distributor's call is in the app, for 5 s
send_to "$WORK/app1" "while another app is slow" | grep -q "^sent:"
wait_for "$WORK/app1/messages.txt" " while another app is slow$"
if grep -q "slow to take" "$WORK/slow/messages.txt" 2>/dev/null; then
  echo "FAIL: a message for another app waited for the slow app's answer"; exit 1
fi
wait_for "$WORK/slow/messages.txt" " slow to take$"

# --- bad calls are ignored; the distributor keeps serving ---------------------------------
LONG=$(head -c 10000 /dev/zero | tr '\0' 'x')
for args in "{'service': <'org.example.Bad'>, 'token': <'$LONG'>}" \
            "{'service': <'not a bus name'>, 'token': <'t'>}" \
            "{'service': <'org.example.Bad'>, 'token': <uint32 7>}" \
            "{'token': <'t'>}" \
            "{'service': <'org.example.Bad'>, 'token': <'t'>, 'vapid': <'short'>}"; do
  if gdbus call --session --dest org.unifiedpush.Distributor.dhtpush --object-path /org/unifiedpush/Distributor \
      --method org.unifiedpush.Distributor2.Register "$args" >"$WORK/bad.out" 2>&1; then
    echo "FAIL: a bad Register was answered: $(cat "$WORK/bad.out")"; exit 1
  fi
  grep -q "InvalidArgs" "$WORK/bad.out"
done
gdbus call --session --dest org.unifiedpush.Distributor.dhtpush --object-path /org/unifiedpush/Distributor \
  --method org.unifiedpush.Distributor2.Unregister "{'token': <'no-such-token'>}" | grep -q "@a{sv} {}"
if gdbus call --session --dest org.unifiedpush.Distributor.dhtpush --object-path /org/unifiedpush/Distributor \
    --method org.unifiedpush.Distributor1.Register "org.example.Bad" "" "" >/dev/null 2>&1; then
  echo "FAIL: an empty v1 token was taken"; exit 1
fi

# --- Unregister: the app is told, and messages to its endpoint reach it no more ----------
"$PYTHON" "$CONNECTOR" --name org.example.AppOne --token tok-one --version 1 --dir "$WORK/app1" --unregister
wait_for "$WORK/app1/events.txt" "^unregistered tok-one$"
# Any node takes a POST to a version-1 token (it cannot know who listens); nobody does now.
send_to "$WORK/app1" "after unregister" | grep -q "^sent:"

# Registrations outlive the distributor.
kill -TERM "${PIDS[3]}"
wait "${PIDS[3]}"
"$DISTRIBUTOR" --proxy "$URL1" --proxy "$URL2" --state "$WORK/distributor" >"$WORK/distributor2.log" 2>&1 &
RESTARTED=$!
PIDS+=($RESTARTED)
wait_for "$WORK/distributor2.log" "for 4 registration(s)"
send_to "$WORK/bound" "after a restart" --vapid "$WORK/vapid.json" --subject mailto:ops@example.org | grep -q "^sent:"
wait_for "$WORK/bound/messages.txt" " after a restart$"
if grep -q "after unregister" "$WORK/app1/messages.txt"; then echo "FAIL: an unregistered app got a message"; exit 1; fi
# The message that waited was acknowledged once handed: the restart did not bring it again.
[ "$(grep -c " kept for later$" "$WORK/away/messages.txt")" = 1 ]

# --- with no proxy reachable it serves at once, and a Register gets NETWORK ---------------
"$DISTRIBUTOR" --proxy http://127.0.0.1:9 --state "$WORK/offline" --name dhtpushoffline >"$WORK/offline.log" 2>&1 &
OFFLINE=$!
PIDS+=($OFFLINE)
wait_for "$WORK/offline.log" "serving org.unifiedpush.Distributor.dhtpushoffline"
grep -q "no proxy reachable yet" "$WORK/offline.log"
launch_app org.example.Offline tok-offline "$WORK/offline-app" --distributor org.unifiedpush.Distributor.dhtpushoffline
wait_file "$WORK/offline-app/register.txt"
grep -qx "REGISTRATION_FAILED NETWORK" "$WORK/offline-app/register.txt"
kill -TERM "$OFFLINE"
wait "$OFFLINE"  # a clean stop while it waits for a proxy

# --- the distributor itself started by D-Bus activation, from its configuration file -------
# The shipped D-Bus service file, pointed at this build and at a configuration of its own.
cat >"$WORK/act.toml" <<TOML
proxies = ["$URL1", "$URL2"]
state = "$WORK/act-state"
name = "dhtpushact"
TOML
sed -e "s|^Name=.*|Name=org.unifiedpush.Distributor.dhtpushact|" -e "s|^Exec=.*|Exec=$DISTRIBUTOR --config $WORK/act.toml|" \
  "$(dirname "$DISTRIBUTOR")/org.unifiedpush.Distributor.dhtpush.service" >"$WORK/services/org.unifiedpush.Distributor.dhtpushact.service"
grep -q "^SystemdService=dhtpush-distributor.service$" "$WORK/services/org.unifiedpush.Distributor.dhtpushact.service"
start_app org.example.Activating tok-act "$WORK/act" --distributor org.unifiedpush.Distributor.dhtpushact
grep -qx "REGISTRATION_SUCCEEDED" "$WORK/act/register.txt"
send_to "$WORK/act" "to an activated distributor" | grep -q "^sent:"
wait_for "$WORK/act/messages.txt" " to an activated distributor$"
[ "$(stat -c %a "$WORK/act-state/distributor.sqlite")" = "600" ]

# --- the app library (its C API, in dhtpush-app-example) with this distributor ------------
EXAMPLE="$(dirname "$DISTRIBUTOR")/dhtpush-app-example"
"$EXAMPLE" --name org.dhtpush.Example --data "$WORK/example" >"$WORK/example.out" 2>&1 &
PIDS+=($!)
wait_for "$WORK/example.out" "^subscription: "
sed -n 's/^subscription: //p' "$WORK/example.out" >"$WORK/example-subscription.json"
"$CLI" send "hello through the library" --ttl 60 --subscription "$WORK/example-subscription.json" | grep -q "^sent:"
wait_for "$WORK/example.out" "^message [^ ]*: hello through the library$"
[ "$(stat -c %a "$WORK/example/connector.json")" = "600" ]

# --- the distributor SIGKILLed right after the app took a message: it arrives once --------
# (acks leave in batches every 50 ms, so the kill usually comes before this one's ack.)
"$CLI" send "killed in between" --ttl 60 --subscription "$WORK/example-subscription.json" | grep -q "^sent:"
wait_for "$WORK/example.out" "^message [^ ]*: killed in between$"
kill -KILL "$RESTARTED"
wait "$RESTARTED" || true
"$DISTRIBUTOR" --proxy "$URL1" --proxy "$URL2" --state "$WORK/distributor" >"$WORK/distributor3.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/distributor3.log" "serving org.unifiedpush.Distributor.dhtpush "
"$CLI" send "after the kill" --ttl 60 --subscription "$WORK/example-subscription.json" | grep -q "^sent:"
wait_for "$WORK/example.out" "^message [^ ]*: after the kill$"
[ "$(grep -c ': killed in between$' "$WORK/example.out")" = 1 ]

# --- the app library with a distributor that is not ours (UNIFIEDPUSH_DISTRIBUTOR) ---------
"$PYTHON" "$HERE/up_standin_distributor.py" --log "$WORK/standin.log" &
PIDS+=($!)
for _ in $(seq 1 400); do
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner org.unifiedpush.Distributor.standin | grep -q true && break
  sleep 0.05
done
UNIFIEDPUSH_DISTRIBUTOR=standin "$EXAMPLE" --name org.dhtpush.Example2 --data "$WORK/example2" >"$WORK/example2.out" 2>&1 &
EXAMPLE2=$!
PIDS+=($EXAMPLE2)
wait_for "$WORK/example2.out" "^endpoint: https://standin.example/wp/1$"
wait_for "$WORK/standin.log" "^registered org.dhtpush.Example2 "
P256DH=$(sed -n 's/^subscription: .*"p256dh":"\([^"]*\)".*/\1/p' "$WORK/example2.out")
AUTH=$(sed -n 's/^subscription: .*"auth":"\([^"]*\)".*/\1/p' "$WORK/example2.out")
# `--`: base64url may start with '-' (an auth secret does one time in 64), which gdbus would
# take for an option.
standin_send() {  # TEXT ID: the stand-in hands TEXT to the app as message ID
  gdbus call --session --dest org.unifiedpush.Distributor.standin --object-path /org/unifiedpush/Distributor \
    --method org.dhtpush.Test.Send -- "$P256DH" "$AUTH" "$1" "$2" | grep -q "$2"
}
standin_send "hello from a stand-in" standin-1
wait_for "$WORK/example2.out" "^message standin-1: hello from a stand-in$"
# The app restarts, and a distributor that did not learn it had standin-1 hands it again: the
# library remembers it across the restart, and the app is not shown it twice.
kill "$EXAMPLE2"
wait "$EXAMPLE2" || true
UNIFIEDPUSH_DISTRIBUTOR=standin "$EXAMPLE" --name org.dhtpush.Example2 --data "$WORK/example2" >"$WORK/example2-again.out" 2>&1 &
PIDS+=($!)
wait_for "$WORK/example2-again.out" "^endpoint: https://standin.example/wp/1$"
standin_send "hello from a stand-in, again" standin-1
standin_send "after the app's restart" standin-2
wait_for "$WORK/example2-again.out" "^message standin-2: after the app's restart$"
if grep -q "again$" "$WORK/example2-again.out"; then echo "FAIL: a message the app had was shown again"; exit 1; fi

# --- dhtpush apps: what is registered, and a forced removal the app is told of ------------
"$CLI" apps >"$WORK/apps.out"
grep -qP "^org.example.AppTwo\tv2\t0\t\Q$ENDPOINT2\E\ta test app$" "$WORK/apps.out"
grep -qP "^org.example.Bound\tv2\t0\t" "$WORK/apps.out"
if grep -q "tok-two" "$WORK/apps.out"; then echo "FAIL: an app's token was shown"; exit 1; fi
"$CLI" apps remove org.example.AppTwo | grep -q "^removed 1 registration(s) of org.example.AppTwo$"
wait_for "$WORK/app2/events.txt" "^unregistered tok-two$"
if "$CLI" apps remove org.example.AppTwo 2>"$WORK/err"; then echo "FAIL: a second removal found something"; exit 1; fi
if "$CLI" apps remove "not a name" 2>"$WORK/err"; then echo "FAIL: a bad service name was taken"; exit 1; fi

# --- one proxy dies: messages sent through the other keep arriving -----------------------
kill -TERM "${PIDS[1]}"
wait "${PIDS[1]}" || true
TOKEN=$(sed -n 's/.*"endpoint": "[^"]*\/wp\/\([^"]*\)".*/\1/p' "$WORK/bound/subscription.json")
"$CLI" send "$URL2/wp/$TOKEN" "through the other proxy" --ttl 60 --subscription "$WORK/bound/subscription.json" \
  --vapid "$WORK/vapid.json" --subject mailto:ops@example.org | grep -q "^sent:"
wait_for "$WORK/bound/messages.txt" " through the other proxy$"

# When the bus goes (the session ends), a distributor goes with it.
ACTIVATED=$(pgrep -f -- "--config $WORK/act.toml")
kill -TERM "${PIDS[0]}"
for _ in $(seq 1 200); do kill -0 "$ACTIVATED" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$ACTIVATED" 2>/dev/null; then echo "FAIL: the distributor outlived its bus"; kill "$ACTIVATED"; exit 1; fi
echo "distributor test passed"
