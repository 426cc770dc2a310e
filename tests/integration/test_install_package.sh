#!/usr/bin/env bash
# `cmake --install` lays out headers, library, CMake package and pkg-config file; an outside
# project builds against them both ways and its program runs calls through the library.
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
