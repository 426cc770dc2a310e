#!/usr/bin/env bash
# Smoke run of the SIPp-driven RTP benchmark (benchmarks/sip_rtp_load.sh): 10 bridged G.711 calls
# set up by SIPp through telephonyd, 2 s of RTP both ways from rtp_loadgen. Checks that it ran
# (every call answered on both sides, packets relayed) and lost under 1 % — not a measurement:
# the figures are `make bench`'s (docs/benchmarks/rtp.md).
source "$(dirname "$0")/lib.sh"
require_commands sipp
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
BIN="${TELEPHONY_BIN:-$(dirname "$TELEPHONYD")}"
[ -x "$BIN/rtp_loadgen" ] || fail "$BIN/rtp_loadgen is missing (built with the benchmarks: TELEPHONY_BUILD_BENCHMARKS=ON)"
out=$(SIP_RTP_CALLS=10 SIP_RTP_SECONDS=2 SIP_RTP_WARMUP=1 SIP_RTP_SETTLE=0 SIP_RTP_MAX_LOSS=1 SIP_RTP_NO_BARE=1 \
  TELEPHONYD="$TELEPHONYD" RTP_LOADGEN="$BIN/rtp_loadgen" timeout 120 bash "$SRC/benchmarks/sip_rtp_load.sh" "$BIN/.." 2>&1) ||
  fail "sip_rtp_load.sh failed: $out"
echo "$out"
grep -q "10 calls: 10 answered at SIPp UAC, 10 at SIPp UAS, 20 channels" <<<"$out" || fail "not every call was up: $out"
row=$(grep '^| 10 |' <<<"$out") || fail "no result row: $out"
pps=$(awk -F'|' '{gsub(/ /, "", $5); print $5}' <<<"$row")
[ "${pps:-0}" -ge 900 ] || fail "relayed $pps packets/s, 1000 due: $row"
pass "10 SIPp calls through telephonyd relayed $pps packets/s with loss under 1 %"
