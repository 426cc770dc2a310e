#!/usr/bin/env bash
# Installs every Debian package (and npm package) the build, the tests and the demo need, then
# checks that what they actually use is there: the commands, files, headers and modules below,
# not only the package names (a package can be installed without the piece a test needs, as
# asterisk-core-sounds-en-wav is without the sounds/en link). Anything still missing is named in
# one line with the package that provides it, and the script exits 1.
# Idempotent and quiet when everything is already there.
#   scripts/deps.sh [BUILD_DIR]      install what is missing, then verify (make deps)
#   scripts/deps.sh --check [BUILD]  verify only; install nothing (exit 1 if anything is missing)
set -euo pipefail
CHECK_ONLY=0
if [ "${1:-}" = "--check" ]; then CHECK_ONLY=1; shift; fi
NODE_DIR="${1:-build}"

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
# AMI/AGI client libraries for the integration tests, kept in the build tree (not committed).
# Pinned: a test written against one version must not meet another on a fresh machine.
NPM_PACKAGES=(asterisk-manager@0.2.0 asterisk-ami-client@1.1.5 ding-dong@0.1.7)

# What the build, the tests and the demo use, each as KIND|WHAT|DEBIAN PACKAGE:
#   cmd: a command on PATH; file: a path; glob: at least one path matching; pc: a pkg-config
#   module; header: a C/C++ header under /usr/include; perl: a Perl module; py: a module of
#   Debian's /usr/bin/python3 (the one the tests run).
REQUIREMENTS=(
  "cmd|cmake|cmake" "cmd|ninja|ninja-build" "cmd|ccache|ccache" "cmd|pkg-config|pkg-config"
  "cmd|g++|build-essential" "cmd|make|build-essential" "cmd|clang++|clang"
  "glob|/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a|libclang-rt-14-dev"
  "header|boost/asio.hpp|libboost-dev" "glob|/usr/lib/*/libboost_system.so*|libboost-system-dev"
  "pc|yaml-cpp|libyaml-cpp-dev" "pc|libsrtp2|libsrtp2-dev" "pc|opus|libopus-dev" "pc|speexdsp|libspeexdsp-dev"
  "pc|openssl|libssl-dev" "pc|sqlite3|libsqlite3-dev" "cmd|sqlite3|sqlite3"
  "header|gtest/gtest.h|libgtest-dev" "header|gmock/gmock.h|libgmock-dev" "header|benchmark/benchmark.h|libbenchmark-dev"
  "header|pybind11/pybind11.h|pybind11-dev" "cmd|python3-config|python3-dev"
  "pc|alsa|libasound2-dev" "pc|spandsp|libspandsp-dev" "pc|libsystemd|libsystemd-dev" "cmd|doxygen|doxygen"
  "cmd|sox|sox" "cmd|soxi|sox" "cmd|espeak-ng|espeak-ng" "cmd|sipp|sip-tester"
  "file|/usr/share/asterisk/sounds/en/hello-world.wav|asterisk-core-sounds-en"
  "file|/usr/share/asterisk/sounds/en/conf-onlyperson.wav|asterisk-core-sounds-en"
  "file|/usr/share/asterisk/sounds/en/digits/1.wav|asterisk-core-sounds-en"
  "cmd|baresip|baresip-core" "cmd|linphonec|linphone-cli" "cmd|kamailio|kamailio"
  "cmd|fail2ban-regex|fail2ban" "perl|Asterisk::AGI|libasterisk-agi-perl"
  "py|panoramisk|python3-panoramisk" "py|yaml|python3-yaml" "cmd|tcpdump|tcpdump"
  "cmd|pgrep|procps" "cmd|ss|iproute2" "cmd|node|nodejs" "cmd|npm|npm"
)

have() {  # have KIND WHAT: is this requirement met?
  local kind=$1 what=$2
  case $kind in
    cmd) command -v "$what" >/dev/null 2>&1 ;;
    file) [ -e "$what" ] ;;
    glob) compgen -G "$what" >/dev/null ;;
    pc) pkg-config --exists "$what" 2>/dev/null ;;
    header) [ -e "/usr/include/$what" ] || compgen -G "/usr/include/*/$what" >/dev/null ;;
    perl) perl -M"$what" -e1 >/dev/null 2>&1 ;;
    py) /usr/bin/python3 -c "import $what" >/dev/null 2>&1 ;;
    *) echo "deps: unknown requirement kind '$kind'" >&2; return 1 ;;
  esac
}

describe() {  # how a missing requirement reads in one line
  case $1 in
    cmd) echo "command '$2'" ;;
    file | glob) echo "file $2" ;;
    pc) echo "pkg-config module '$2'" ;;
    header) echo "header <$2>" ;;
    perl) echo "Perl module $2" ;;
    py) echo "python3 module '$2' (for /usr/bin/python3)" ;;
  esac
}

# One dpkg-query for every package we name (this runs before every build: keep it cheap).
INSTALLED=" $(dpkg-query -W -f='${db:Status-Abbrev}|${Package}\n' "${APT_PACKAGES[@]}" nodejs npm 2>/dev/null |
  sed -n 's/^ii *|//p' | tr '\n' ' ') "
installed() { [[ "$INSTALLED" == *" $1 "* ]]; }

# npm packages: each must be in NODE_DIR/node_modules at its pinned version.
npm_missing() {
  local p name want
  for p in "${NPM_PACKAGES[@]}"; do
    name=${p%@*} want=${p##*@}
    grep -q "\"version\": *\"$want\"" "$NODE_DIR/node_modules/$name/package.json" 2>/dev/null || echo "$p"
  done
}

# ---- install ----------------------------------------------------------------------------------
if ((!CHECK_ONLY)); then
  missing=() reinstall=()
  for p in "${APT_PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  # Node.js: the machine may carry its own (not Debian's); install Debian's only when none is there.
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  # A package that is installed but lacks what we use (a removed link, a deleted file) is reinstalled.
  for r in "${REQUIREMENTS[@]}"; do
    IFS='|' read -r kind what pkg <<<"$r"
    if ! have "$kind" "$what" && installed "$pkg" && [[ " ${reinstall[*]} " != *" $pkg "* ]]; then
      reinstall+=("$pkg")
    fi
  done
  if ((${#missing[@]} + ${#reinstall[@]})); then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq
    if ((${#missing[@]})); then
      echo "deps: installing ${missing[*]}"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ((${#reinstall[@]})); then
      echo "deps: reinstalling ${reinstall[*]} (installed, but files the tests use are missing)"
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --reinstall \
        "${reinstall[@]}" >/dev/null
    fi
  fi
  need_npm=$(npm_missing)
  if [ -n "$need_npm" ]; then
    mkdir -p "$NODE_DIR"
    echo "deps: npm install ${NPM_PACKAGES[*]}"
    (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent --save-exact "${NPM_PACKAGES[@]}" >/dev/null)
  fi
fi

# ---- verify -----------------------------------------------------------------------------------
problems=0
for r in "${REQUIREMENTS[@]}"; do
  IFS='|' read -r kind what pkg <<<"$r"
  if ! have "$kind" "$what"; then
    echo "deps: missing $(describe "$kind" "$what"): install the Debian package $pkg (make deps)" >&2
    problems=$((problems + 1))
  fi
done
if command -v node >/dev/null 2>&1; then
  for p in $(npm_missing); do
    echo "deps: missing npm package $p in $NODE_DIR/node_modules (make deps)" >&2
    problems=$((problems + 1))
  done
fi
if ((problems)); then
  echo "deps: $problems requirement(s) missing; the build or tests that use them will fail" >&2
  exit 1
fi
