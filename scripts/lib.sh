# Shared by scripts/run, scripts/test and scripts/bench: install what is missing, build.
# shellcheck shell=bash
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages the project needs to build, test and run (see docs/architecture.md).
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git curl
  libopendht-dev librestinio-dev libmsgpack-cxx-dev libasio-dev libhttp-parser-dev libfmt-dev
  libjsoncpp-dev libssl-dev libgnutls28-dev nettle-dev libsqlite3-dev libcurl4-gnutls-dev
  libgmp-dev libbenchmark-dev catch2 dhtnode libsdbus-c++-dev
  libtomlplusplus-dev libspdlog-dev libsystemd-dev libcli11-dev
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing: ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# build PRESET: configure once, then build incrementally (ccache keeps clean builds cheap).
build() {
  local preset="$1"
  export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-2G}"
  # Hits across clones (CI builds a fresh clone): paths relative to the tree, cwd not hashed.
  export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
  cd "$ROOT"
  if [ ! -f "build/$preset/build.ninja" ]; then
    cmake --preset "$preset" >/dev/null
  fi
  echo "==> building ($preset)"
  cmake --build --preset "$preset" -j "$(nproc)"
}
