#!/usr/bin/env bash
# Installs every Debian package (and npm package) the build, the tests and the demo need.
# Idempotent and quiet when everything is already there.
set -euo pipefail
APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config clang libclang-rt-14-dev
  libboost-dev libboost-system-dev libyaml-cpp-dev libsrtp2-dev libopus-dev libspeexdsp-dev
  libssl-dev libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libbenchmark-dev pybind11-dev python3-dev
  sox espeak-ng sip-tester python3-panoramisk asterisk-core-sounds-en asterisk-core-sounds-en-wav
  procps iproute2
  # round 2: drivers, daemon, peers
  libasound2-dev libspandsp-dev libsystemd-dev doxygen
  baresip-core linphone-cli kamailio fail2ban libasterisk-agi-perl tcpdump python3-yaml
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js: the machine may carry its own (not Debian's); install Debian's only when none is there.
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# AMI client libraries for the integration tests, kept in the build tree (not committed).
NODE_DIR="${1:-build}"
NPM_PACKAGES=(asterisk-manager@0.2.0 asterisk-ami-client@1.1.5 ding-dong)
need_npm=0
for p in "${NPM_PACKAGES[@]}"; do
  [ -d "$NODE_DIR/node_modules/${p%@*}" ] || need_npm=1
done
if ((need_npm)); then
  mkdir -p "$NODE_DIR"
  echo "deps: npm install ${NPM_PACKAGES[*]}"
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent "${NPM_PACKAGES[@]}" >/dev/null)
fi
