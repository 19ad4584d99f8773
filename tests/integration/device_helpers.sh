# Sourced after process_helpers.sh by the device's tests (the distributor, apps): a private
# D-Bus bus of their own, never the user's session bus or the machine's system bus.

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

# send_to DIR TEXT [cli options...]: $CLI encrypts TEXT to the keys of the app whose
# DIR/subscription.json it reads, and POSTs it to the app's endpoint.
send_to() {
  local dir=$1 text=$2
  shift 2
  "$CLI" send "$text" --ttl 60 --subscription "$dir/subscription.json" "$@"
}
