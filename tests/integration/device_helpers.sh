# Sourced after process_helpers.sh by the device's tests (the distributor, apps): a private
# D-Bus bus of their own, never the user's session bus or the machine's system bus.
# They are called as SCRIPT DHTPUSH_NODE DHTPUSH_CLI DISTRIBUTOR [their own arguments].
NODE="$1"
CLI="$2"
DISTRIBUTOR="$3"
PYTHON=/usr/bin/python3  # Debian's, with python3-dbus and python3-gi (not a python of the user's PATH)
# On a failure, what the distributors said (the work folder goes with the exit).
trap 'echo "--- distributor logs:"; cat "$WORK"/distributor*.log 2>/dev/null' ERR

# start_private_bus TYPE SOCKET [SERVICEDIR]: a dbus-daemon of TYPE (session or system)
# listening on SOCKET, that lets anyone own any name and send anywhere (the test is the only
# user), with SERVICEDIR as its folder of activatable services. Returns once it listens.
start_private_bus() {
  local type=$1 socket=$2 servicedir=${3:-}
  local conf="$socket.conf"
  [ -n "$servicedir" ] && mkdir -p "$servicedir"
  {
    echo '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"'
    echo ' "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">'
    echo "<busconfig><type>$type</type><listen>unix:path=$socket</listen>"
    [ -n "$servicedir" ] && echo "<servicedir>$servicedir</servicedir>"
    echo '<auth>EXTERNAL</auth><policy context="default">'
    echo '<allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/>'
    echo '</policy></busconfig>'
  } >"$conf"
  dbus-daemon --config-file="$conf" --nofork --print-address=1 >"$socket.address" 2>"$socket.log" &
  PIDS+=($!)
  wait_file "$socket.address"
}

# start_session_bus: a private session bus for the test's distributor and apps, and no system
# bus at all (so no UPower: every urgency is taken, whatever the machine's power state).
start_session_bus() {
  start_private_bus session "$WORK/session" "$WORK/services"
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$WORK/session"
  export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$WORK/no-system-bus"
}

# start_distributor PROXY_URL...: the distributor with these proxies, its state in
# $WORK/distributor and its log in $WORK/distributor.log; returns once it serves.
start_distributor() {
  local args=()
  for url in "$@"; do args+=(--proxy "$url"); done
  "$DISTRIBUTOR" "${args[@]}" --state "$WORK/distributor" >"$WORK/distributor.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/distributor.log" "serving org.unifiedpush.Distributor.dhtpush"
}

# launch_app NAME TOKEN DIR [up_connector.py options...]: an app written from the spec
# (tests/integration/up_connector.py), which registers unless told otherwise; sets APP_PID.
launch_app() {
  local name=$1 token=$2 dir=$3
  shift 3
  "$PYTHON" "$(dirname "${BASH_SOURCE[0]}")/up_connector.py" --name "$name" --token "$token" --dir "$dir" "$@" &
  APP_PID=$!
  PIDS+=($APP_PID)
}

# start_app NAME TOKEN DIR [options...]: launch_app, returning once the distributor has given
# the app an endpoint (DIR/subscription.json).
start_app() {
  launch_app "$@"
  wait_file "$3/subscription.json"
}

# send_to DIR TEXT [cli options...]: $CLI encrypts TEXT to the keys of the app whose
# DIR/subscription.json it reads, and POSTs it to the app's endpoint.
send_to() {
  local dir=$1 text=$2
  shift 2
  "$CLI" send "$text" --ttl 60 --subscription "$dir/subscription.json" "$@"
}
