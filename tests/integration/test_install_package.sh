#!/usr/bin/env bash
# `cmake --install` lays out headers, library, CMake package, pkg-config file and the Python
# package in a temp prefix; outside projects that set no C++ standard of their own build against
# them both ways (find_package + telephony::telephony, and pkg-config) and their programs run calls
# through the library (examples/embed: a custom application, a dialplan from a string). A project
# that includes every public header proves the package carries the C++20 they need (GCC 12
# defaults to C++17); a control build of the same file in C++17 must fail, so the check cannot
# pass by accident. The installed Python package imports from the prefix's site-packages and runs
# a call too.
source "$(dirname "$0")/lib.sh"
SRC="${TELEPHONY_SOURCE_DIR:?}"
BUILD="$(dirname "$TELEPHONYD")/.."
require_commands cmake ninja g++ pkg-config
cmake --install "$BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 || fail "cmake --install: $(tail "$WORK/install.log")"
for f in include/telephony/engine.hpp lib/libtelephony.a lib/cmake/telephony/telephonyConfig.cmake \
         lib/pkgconfig/telephony.pc bin/telephonyd share/telephony/config/telephony.conf; do
  [ -e "$WORK/prefix/$f" ] || fail "not installed: $f"
done
pass "install layout"

# The exported target names the standard as a usage requirement.
grep -q 'INTERFACE_COMPILE_FEATURES "cxx_std_20"' "$WORK/prefix/lib/cmake/telephony/telephonyTargets.cmake" ||
  fail "telephony::telephony does not carry cxx_std_20: $(grep -n INTERFACE_ "$WORK/prefix/lib/cmake/telephony/telephonyTargets.cmake")"

# A translation unit that includes every installed public header.
CONSUMER="$WORK/consumer"
cp -r "$SRC/tests/data/consumer" "$CONSUMER"
(cd "$WORK/prefix/include" && find telephony -name '*.hpp' | sort | sed 's/.*/#include <&>/') >"$CONSUMER/all_headers.cpp"
[ "$(wc -l <"$CONSUMER/all_headers.cpp")" -gt 20 ] || fail "too few public headers found: $(cat "$CONSUMER/all_headers.cpp")"
cat "$CONSUMER/CMakeLists.txt" "$SRC/examples/embed/CMakeLists.txt" | grep -v '^[[:space:]]*#' |
  grep -q 'CXX_STANDARD\|-std=\|compile_features' && fail "the consumer projects must not set a C++ standard of their own"

launcher=""; command -v ccache >/dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
cmake_consumer() {  # cmake_consumer <source> <build>: configure and build with find_package only
  cmake -S "$1" -B "$2" -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" $launcher >"$2.cmake.log" 2>&1 ||
    fail "find_package(telephony) in $1: $(tail -20 "$2.cmake.log")"
  cmake --build "$2" >"$2.build.log" 2>&1 || fail "build of $1 with telephony::telephony: $(tail -30 "$2.build.log")"
  grep -q -- '-std=gnu++20\|-std=c++20' "$2/build.ninja" || fail "no C++20 flag reached $1's compile lines"
}
cmake_consumer "$CONSUMER" "$WORK/consumer-build"
"$WORK/consumer-build/consumer" >"$WORK/consumer.log" 2>&1 || fail "consumer program: $(cat "$WORK/consumer.log")"
grep -q "3 samples, 2 hangups" "$WORK/consumer.log" || fail "consumer output: $(cat "$WORK/consumer.log")"
pass "find_package(telephony): a project with no standard of its own includes every public header and runs"

cmake_consumer "$SRC/examples/embed" "$WORK/embed-build"
"$WORK/embed-build/embed" >"$WORK/run.log" 2>&1 || fail "embed example: $(cat "$WORK/run.log")"
grep -q "2 channels hung up" "$WORK/run.log" || fail "embed output: $(cat "$WORK/run.log")"
pass "find_package(telephony) + telephony::telephony: examples/embed"

export PKG_CONFIG_PATH="$WORK/prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags telephony) || fail "pkg-config --cflags telephony"
case " $cflags " in *" -std=c++20 "*) ;; *) fail "pkg-config --cflags telephony lacks -std=c++20: $cflags" ;; esac
libs=$(pkg-config --libs --static telephony) || fail "pkg-config --libs --static telephony"
# g++ with no -std of our own: GCC 12's default is gnu++17, so only the .pc file brings C++20.
${launcher:+ccache} g++ -o "$WORK/consumer-pc" "$CONSUMER/consumer.cpp" "$CONSUMER/all_headers.cpp" $cflags $libs \
  >"$WORK/pc.log" 2>&1 || fail "build with pkg-config flags: $(tail -30 "$WORK/pc.log")"
"$WORK/consumer-pc" | grep -q "3 samples, 2 hangups" || fail "pkg-config-built consumer"
${launcher:+ccache} g++ -o "$WORK/embed-pc" "$SRC/examples/embed/embed.cpp" $cflags $libs \
  >"$WORK/pc-embed.log" 2>&1 || fail "build of examples/embed with pkg-config flags: $(tail -20 "$WORK/pc-embed.log")"
"$WORK/embed-pc" | grep -q "2 channels hung up" || fail "pkg-config-built example"
pass "pkg-config telephony: the same consumer and examples/embed, no flags of their own"

# Control: the headers really need C++20, so the checks above test something.
if g++ -std=gnu++17 -fsyntax-only -I"$WORK/prefix/include" $(pkg-config --cflags-only-other telephony | sed 's/-std=c++20//') \
     "$CONSUMER/all_headers.cpp" >"$WORK/cxx17.log" 2>&1; then
  fail "the public headers compiled as C++17: the C++20 check above proves nothing"
fi
pass "control: the public headers do not compile as C++17"

py=$(find "$WORK/prefix" -name '_telephony*.so' -path '*telephony/*' | head -1)
[ -n "$py" ] || fail "the Python package was not installed under the prefix"
for f in __init__.py __init__.pyi ami.py ami.pyi dialplan.pyi spool.pyi py.typed; do
  [ -e "$(dirname "$py")/$f" ] || fail "not installed: telephony/$f"
done
site=$(dirname "$(dirname "$py")")
case "$site" in */site-packages|*/dist-packages) ;; *) fail "installed outside site-packages: $site" ;; esac
PYTHONPATH="$site" /usr/bin/python3 - >"$WORK/py.log" 2>&1 <<'PY' || fail "installed Python package: $(cat "$WORK/py.log")"
import os, telephony
assert telephony.__file__.startswith(os.environ["PYTHONPATH"]), telephony.__file__
with telephony.Engine(threads=1) as e:
    e.load_dialplan("[t]\nexten => 1,1,Answer()\n same => n,Hangup()\n")
    r = e.originate("Local/1@t", application="Wait", data="0.1")
    assert r.answered, r
print("python ok", telephony.__file__)
PY
grep -q "python ok" "$WORK/py.log" || fail "python check: $(cat "$WORK/py.log")"
pass "Python package in $(basename "$site") under the prefix: imports and runs a call"
