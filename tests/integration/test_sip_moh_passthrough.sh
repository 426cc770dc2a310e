#!/usr/bin/env bash
# moh_passthrough: a phone's hold reaches the other SIP leg of the bridge, against SIPp on
# loopback. Two calls at once, each from a SIPp phone (uac_hold_toggle.xml) that holds and
# resumes quickly, bridged by Dial() to a second SIPp phone:
#  - to an endpoint with moh_passthrough=yes (uas_hold_passthrough.xml): that phone gets a
#    re-INVITE a=sendonly (answered recvonly), then a=sendrecv on resume — the quick
#    unhold/hold while its first 200 is late costs no extra re-INVITE, and a 491 (glare) is
#    retried; `core show channel` says "Hold: local" on its leg and "Hold: remote" on the
#    holder's;
#  - to an endpoint without it (uas_answer_until_bye.xml): no re-INVITE at all, and music on
#    hold is sent to that phone (its leg's RTP transmit count grows while the holder sends none).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"

P_SIP=$($PROBE freeport udp)
P_A1=$($PROBE freeport udp); P_A2=$($PROBE freeport udp); P_B1=$($PROBE freeport udp); P_B2=$($PROBE freeport udp)
rtp_block
# SIPp's media ports, outside our RTP range.
M_A1=$((RTP_START + 60)); M_A2=$((RTP_START + 64)); M_B1=$((RTP_START + 68)); M_B2=$((RTP_START + 72))
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
[phones]
exten => pass,1,Dial(SIP/bpass,10)
exten => moh,1,Dial(SIP/bmoh,10)
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[phones]
type=endpoint
context=phones
disallow=all
allow=ulaw

[phones]
type=identify
endpoint=phones
match=127.0.0.1

[bpass]
type=endpoint
context=phones
disallow=all
allow=ulaw
aors=bpass
moh_passthrough=yes

[bpass]
type=aor
contact=sip:bpass@127.0.0.1:$P_B1

[bmoh]
type=endpoint
context=phones
disallow=all
allow=ulaw
aors=bmoh

[bmoh]
type=aor
contact=sip:bmoh@127.0.0.1:$P_B2
CONF
start_daemon

sipp_bg bpass -sf "$SCEN/uas_hold_passthrough.xml" -p $P_B1 -mi 127.0.0.1 -mp $M_B1 -m 1
B1=$SIPP_PID
sipp_bg bmoh -sf "$SCEN/uas_answer_until_bye.xml" -p $P_B2 -mi 127.0.0.1 -mp $M_B2 -m 1
B2=$SIPP_PID
sipp_bg apass -sf "$SCEN/uac_hold_toggle.xml" 127.0.0.1:$P_SIP -s pass -p $P_A1 -mi 127.0.0.1 -mp $M_A1 -m 1
A1=$SIPP_PID
sipp_bg amoh -sf "$SCEN/uac_hold_toggle.xml" 127.0.0.1:$P_SIP -s moh -p $P_A2 -mi 127.0.0.1 -mp $M_A2 -m 1
A2=$SIPP_PID

channel_named() { rx "core show channels" | grep -o "SIP/$1-[0-9a-f]*" | head -1; }
bridged() { [ -n "$(channel_named bmoh)" ] && [ -n "$(channel_named bpass)" ]; }
wait_for 10 bridged || fail "the calls were not bridged: $(rx core show channels; why apass; why amoh; why bpass; why bmoh)"
CH_BPASS=$(channel_named bpass); CH_BMOH=$(channel_named bmoh)

# The first hold window (about 3–5 s into the calls: the passthrough phone answers our hold 2.5 s
# late), then the second (about 8–12 s): the passthrough leg is held by us, the other plays music
# on hold.
shows() { rx "core show channel $1" | grep -q "$2"; }
txcount() { rx "core show channel $CH_BMOH" | grep -o 'txcount=[0-9]*' | cut -d= -f2; }
moh_sent() { [ "$(txcount)" -ge 25 ]; }
wait_for 8 shows "$CH_BPASS" "Hold: local" ||
  fail "the moh_passthrough leg does not show Hold: local: $(rx "core show channel $CH_BPASS" | grep -E 'Hold|RTP')"
for ch in $(rx "core show channels" | grep -o "SIP/phones-[0-9a-f]*"); do
  wait_for 3 shows "$ch" "Hold: remote" || fail "the holding phone's leg $ch does not show Hold: remote: $(rx "core show channel $ch" | grep -E "Hold|RTP")"
done
wait_for 4 moh_sent || fail "no music on hold towards the phone without moh_passthrough (txcount=$(txcount))"
shows "$CH_BMOH" "Hold: no" || fail "the music-on-hold leg shows a hold state: $(rx "core show channel $CH_BMOH" | grep Hold)"
pass "while held: $CH_BPASS Hold: local, the holders' legs Hold: remote, $CH_BMOH hears music on hold ($(txcount) packets sent)"

for p in $A1 $A2; do wait "$p" || fail "a holding phone's call failed: $(why apass; why amoh)"; done
wait "$B1" || fail "the moh_passthrough phone did not get exactly hold, resume, hold (491, retried), resume: $(why bpass)"
pass "moh_passthrough=yes: re-INVITE sendonly (answered recvonly) and sendrecv reached the other phone; quick toggles collapsed; 491 retried"
wait "$B2" || fail "the phone without moh_passthrough got a request other than the BYE: $(why bmoh)"
pass "moh_passthrough=no: no re-INVITE to the other phone"
stop_daemon
