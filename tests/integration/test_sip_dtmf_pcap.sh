#!/usr/bin/env bash
# RFC 4733 key presses as a real phone's RTP carries them, replayed by SIPp from the captures
# Debian's sip-tester ships (copied in tests/data/rtp): 4, 0, * and 9 in one call. The captures
# share one SSRC and sequence space (each press restarts the numbering) and dtmf_2833_0 is out
# of sequence, and every end packet comes three times — Read() must still get exactly "40*9".
source "$(dirname "$0")/lib.sh"
require_commands sipp python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp)
rtp_block
P_UAC_MEDIA=$((RTP_START + 60))
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
printf '[general]\nrtpstart=%s\nrtpend=%s\nbindaddr=127.0.0.1\n' "$RTP_START" "$((RTP_START + 49))" >"$WORK/etc/rtp.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[media]
exten => digits,1,Answer()
 same => n,Read(DIGITS,,4,,,6)
 same => n,Log(NOTICE,PCAP DIGITS=${DIGITS})
 same => n,Hangup()
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[sipp]
type=endpoint
context=media
disallow=all
allow=ulaw
dtmf_mode=rfc4733

[sipp]
type=identify
endpoint=sipp
match=127.0.0.1
CONF
start_daemon
ln -s "$SRC/tests/data/rtp" "$WORK/pcap"
(cd "$WORK" && timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SRC/tests/data/sipp/uac_rfc4733_digits.xml" -s digits -i 127.0.0.1 \
  -p $P_UAC -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/dtmf.err" \
  >"$WORK/dtmf.out" 2>&1) || fail "the RFC 4733 call failed: $(tail -5 "$WORK/dtmf.err" 2>/dev/null; grep -a "PCAP\|DTMF\|dtmf" "$WORK/etc/log/messages")"
wait_for 5 grep -q "PCAP DIGITS=" "$WORK/etc/log/messages" || fail "Read() did not finish"
grep -q "PCAP DIGITS=40\*9$" "$WORK/etc/log/messages" || fail "Read() got $(grep -o 'PCAP DIGITS=.*' "$WORK/etc/log/messages"), not 40*9"
pass "RFC 4733 from SIPp's captures (4, 0 out of sequence, *, 9; one SSRC, triple end packets) read by Read() exactly: 40*9"
stop_daemon
