#!/usr/bin/env bash
# `cmake --install` lays out headers, library, CMake package, pkg-config file and the Python
# package; an outside project builds examples/embed against them both ways and its program runs a
# call through the library (a custom application, a dialplan from a string); the installed Python
# package imports from the prefix's site-packages and runs a call too.
source "$(dirname "$0")/lib.sh"
SRC="${TELEPHONY_SOURCE_DIR:?}"
BUILD="$(dirname "$TELEPHONYD")/.."
cmake --install "$BUILD" --prefix "$WORK/prefix" >"$WORK/install.log" 2>&1 || fail "cmake --install: $(tail "$WORK/install.log")"
for f in include/telephony/engine.hpp lib/libtelephony.a lib/cmake/telephony/telephonyConfig.cmake \
         lib/pkgconfig/telephony.pc bin/telephonyd share/telephony/config/telephony.conf; do
  [ -e "$WORK/prefix/$f" ] || fail "not installed: $f"
done
pass "install layout"

launcher=""; command -v ccache >/dev/null && launcher="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"
cmake -S "$SRC/examples/embed" -B "$WORK/embed-build" -G Ninja -DCMAKE_PREFIX_PATH="$WORK/prefix" $launcher \
  >"$WORK/cmake.log" 2>&1 || fail "find_package(telephony): $(tail -20 "$WORK/cmake.log")"
cmake --build "$WORK/embed-build" >"$WORK/build.log" 2>&1 || fail "build with telephony::telephony: $(tail -20 "$WORK/build.log")"
"$WORK/embed-build/embed" >"$WORK/run.log" 2>&1 || fail "embed example: $(cat "$WORK/run.log")"
grep -q "2 channels hung up" "$WORK/run.log" || fail "embed output: $(cat "$WORK/run.log")"
pass "find_package(telephony) + telephony::telephony"

export PKG_CONFIG_PATH="$WORK/prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs --static telephony) || fail "pkg-config telephony"
${launcher:+ccache} g++ -o "$WORK/embed-pc" "$SRC/examples/embed/embed.cpp" $flags \
  >"$WORK/pc.log" 2>&1 || fail "build with pkg-config flags: $(tail -20 "$WORK/pc.log")"
"$WORK/embed-pc" | grep -q "2 channels hung up" || fail "pkg-config-built example"
pass "pkg-config --static telephony"

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
