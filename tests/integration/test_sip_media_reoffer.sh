#!/usr/bin/env bash
# SDP offer/answer beyond the first INVITE, against SIPp on loopback:
#  - a re-INVITE without SDP from the phone is answered with a fresh offer in the 200, and the
#    answer in the ACK is applied: our RTP goes to the port the ACK named (CHANNEL(rtp,dest));
#  - our own session refresh by re-INVITE (the peer does not allow UPDATE) carries an offer, and
#    the answer in its 200 is applied the same way.
source "$(dirname "$0")/lib.sh"
require_commands sipp python3
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
SIPP_PIDS=()
reoffer_cleanup() { for p in "${SIPP_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap reoffer_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp)
rtp_block
# SIPp's media ports (it binds the one given; +2 is only named in SDP), outside our RTP range.
P_UAC_MEDIA=$((RTP_START + 60)); P_UAS_MEDIA=$((RTP_START + 70))
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/rtp.conf" <<CONF
[general]
rtpstart=$RTP_START
rtpend=$((RTP_START + 49))
bindaddr=127.0.0.1
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[media]
exten => reinvite,1,Answer()
 same => n,Log(NOTICE,BEFORE DEST=${CHANNEL(rtp,dest)})
 same => n,Wait(3)
 same => n,Log(NOTICE,AFTER DEST=${CHANNEL(rtp,dest)})
 same => n,Hangup()
; The 200 grants 6 s: we refresh at 3 s and again at ~6 s. The log line at 4.5 s sits between the
; two (with Wait(4) and a 4 s grant it raced the second refresh, which SIPp did not expect).
exten => refresh,1,Log(NOTICE,BEFORE DEST=${CHANNEL(rtp,dest)})
 same => n,Wait(4.5)
 same => n,Log(NOTICE,REFRESHED DEST=${CHANNEL(rtp,dest)})
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

[sipp]
type=identify
endpoint=sipp
match=127.0.0.1

[peer]
type=endpoint
context=media
disallow=all
allow=ulaw
aors=peer
timers_sess_expires=30
timers_min_se=2

[peer]
type=aor
contact=sip:peer@127.0.0.1:$P_UAS
CONF
start_daemon
why() { tail -5 "$WORK/$1.err" 2>/dev/null; tail -5 "$WORK/$1.out" 2>/dev/null; }

# --- re-INVITE without SDP ------------------------------------------------------------------------
timeout 30 sipp 127.0.0.1:$P_SIP -sf "$SCEN/uac_reinvite_no_sdp.xml" -s reinvite -i 127.0.0.1 -p $P_UAC \
  -mi 127.0.0.1 -mp $P_UAC_MEDIA -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/noSdp.err" \
  >"$WORK/noSdp.out" 2>&1 || fail "re-INVITE without SDP: $(why noSdp)"
wait_for 5 grep -q "AFTER DEST=" "$WORK/etc/log/messages" || fail "the re-INVITE call did not finish"
grep -q "BEFORE DEST=127.0.0.1:$P_UAC_MEDIA$" "$WORK/etc/log/messages" ||
  fail "RTP destination before: $(grep 'BEFORE DEST' "$WORK/etc/log/messages")"
grep -q "AFTER DEST=127.0.0.1:$((P_UAC_MEDIA + 2))$" "$WORK/etc/log/messages" ||
  fail "the ACK's answer was not applied: $(grep 'AFTER DEST' "$WORK/etc/log/messages")"
pass "re-INVITE without SDP: fresh offer (PCMU, sendrecv) in the 200, the ACK's answer applied (RTP to :$((P_UAC_MEDIA + 2)))"

# --- our refresh re-INVITE --------------------------------------------------------------------------
(exec timeout 30 sipp -sf "$SCEN/uas_refresh_reinvite.xml" -i 127.0.0.1 -p $P_UAS -mi 127.0.0.1 -mp $P_UAS_MEDIA \
  -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/refresh.err" >"$WORK/refresh.out" 2>&1) &
UAS_PID=$!
SIPP_PIDS+=($UAS_PID)
sleep 0.3
rx "channel originate SIP/peer extension refresh@media" >/dev/null || fail "originate to SIPp failed"
wait "$UAS_PID" || fail "refresh re-INVITE: $(why refresh)"
wait_for 5 grep -q "REFRESHED DEST=" "$WORK/etc/log/messages" || fail "the refresh call did not finish"
grep -q "BEFORE DEST=127.0.0.1:$P_UAS_MEDIA$" "$WORK/etc/log/messages" ||
  fail "RTP destination before the refresh: $(grep 'BEFORE DEST' "$WORK/etc/log/messages")"
grep -q "REFRESHED DEST=127.0.0.1:$((P_UAS_MEDIA + 2))$" "$WORK/etc/log/messages" ||
  fail "the refresh's answer was not applied: $(grep 'REFRESHED DEST' "$WORK/etc/log/messages")"
pass "session refresh by re-INVITE: it carried our offer, and the 200's answer was applied (RTP to :$((P_UAS_MEDIA + 2)))"

stop_daemon
