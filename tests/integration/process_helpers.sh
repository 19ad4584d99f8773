# Sourced by the shell integration tests: a work folder, the processes they start (killed and
# the folder removed on exit), and waiting on a log line with a deadline instead of a sleep.
WORK="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
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
