#!/usr/bin/env bash
# SIP dialog features against SIPp on loopback, each checked on the wire:
#  - 100rel/PRACK (RFC 3262) as UAS (a caller that requires it gets a reliable 180, the 200 waits
#    for the PRACK) and as UAC (a reliable 180 from the called party is PRACKed);
#  - session timers (RFC 4028) as UAC (the engine refreshes with UPDATE at half the interval) and
#    as UAS (a caller that never refreshes is hung up; too small an interval gets 422 + Min-SE);
#  - outbound_proxy: the INVITE and the BYE go to the proxy with a loose Route;
#  - DTMF by SIP INFO (application/dtmf-relay and application/dtmf) read by Read();
#  - AMI PJSIPNotify to a channel's dialog, to an endpoint (Variable) and with a pjsip_notify.conf
#    Option; PJSIPHangup (AMI, by name and regex) and the PJSIPHangup() application;
#  - a PJSIP security event (InvalidAccountID) and DeviceStateChange on AMI.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"

P_UDP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp)
P_PROXY=$($PROBE freeport udp); P_AMI=$($PROBE freeport tcp)
mkdir -p "$WORK/etc"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/extensions.conf" <<CONF
[default]
exten => ring,1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(10)
 same => n,Hangup()
exten => long,1,Answer()
 same => n,Wait(20)
 same => n,Hangup()
exten => hold,1,Ringing()
 same => n,Wait(15)
 same => n,Hangup()
exten => refuse,1,Ringing()
 same => n,PJSIPHangup(UNSUPPORTED_CERTIFICATE)
 same => n,Log(NOTICE,NOT REACHED)
exten => dtmf,1,Answer()
 same => n,Read(DIGITS,,5,,,5)
 same => n,Log(NOTICE,DIGITS=\${DIGITS})
 same => n,Wait(8)
 same => n,Hangup()
exten => rel,1,Dial(PJSIP/relpeer,5)
exten => timer,1,Dial(PJSIP/timerpeer,5)
exten => proxy,1,Dial(PJSIP/viaproxy,5)
exten => h,1,Log(NOTICE,HANGUP \${CHANNEL} \${HANGUPCAUSE} \${DIALSTATUS})
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_UDP

[caller]
type=endpoint
context=default
timers_min_se=2
100rel=yes

[relpeer]
type=endpoint
context=default
aors=relpeer
[relpeer]
type=aor
contact=sip:relpeer@127.0.0.1:$P_UAS

[timerpeer]
type=endpoint
context=default
aors=timerpeer
timers_sess_expires=30
timers_min_se=2
[timerpeer]
type=aor
contact=sip:timerpeer@127.0.0.1:$P_UAS

[viaproxy]
type=endpoint
context=default
aors=viaproxy
outbound_proxy=sip:127.0.0.1:$P_PROXY\;lr
[viaproxy]
type=aor
contact=sip:target@127.0.0.1:$P_UAS

[phone]
type=endpoint
context=default
aors=phone
[phone]
type=aor
contact=sip:phone@127.0.0.1:$P_UAS
CONF
cat >"$WORK/etc/pjsip_notify.conf" <<'CONF'
[clear-mwi]
Event=>message-summary
Content-type=>application/simple-message-summary
Content=>Messages-Waiting: no
Content=>Message-Account: sip:asterisk@127.0.0.1
Content=>Voice-Message: 0/0 (0/0)
Content=>
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
enabled = yes
port = $P_AMI
bindaddr = 127.0.0.1
[admin]
secret = pw
read = all
write = all
CONF
start_daemon

# AMI: a session that records every event (for the events checks) and sends actions.
ami_tap_start "$P_AMI"

# --- 100rel ---------------------------------------------------------------------------------------
sipp_run rel_uas 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_100rel.xml" -p $P_UAC -s ring -key caller caller \
  || fail "100rel as UAS: $(why rel_uas)"
grep -q "^RSeq: 1" "$WORK/rel_uas.msg" || fail "no RSeq in the reliable 180: $(grep -A12 '180 Ringing' "$WORK/rel_uas.msg" | head -20)"
pass "100rel as UAS: reliable 180 (Require: 100rel, RSeq), PRACK answered, then the 200"

sipp_bg rel_uac -sf "$SCEN/uas_100rel.xml" -p $P_UAS -m 1
rx "channel originate Local/rel@default application Wait 3" >/dev/null
wait "$SIPP_PID" || fail "100rel as UAC: $(why rel_uac)"
grep -q "^RAck: 1 1 INVITE" "$WORK/rel_uac.msg" || fail "PRACK without the RAck: $(grep -B2 -A10 '^PRACK' "$WORK/rel_uac.msg")"
pass "100rel as UAC: the reliable 180 was PRACKed (RAck: 1 1 INVITE) and the call answered"

# --- session timers -------------------------------------------------------------------------------
sipp_bg timer_uac -sf "$SCEN/uas_session_timer.xml" -p $P_UAS -m 1
rx "channel originate Local/timer@default application Wait 6" >/dev/null
wait "$SIPP_PID" || fail "session timer as UAC: $(why timer_uac)"
grep -q "^Session-Expires: 30" "$WORK/timer_uac.msg" || fail "the INVITE did not ask for timers_sess_expires"
pass "session timer as UAC: Session-Expires/Min-SE asked, refresh by UPDATE before half the interval"

SECONDS_BEFORE=$SECONDS
sipp_run timer_uas 127.0.0.1:$P_UDP -sf "$SCEN/uac_session_timer_silent.xml" -p $P_UAC -s long -key caller caller \
  || fail "session timer as UAS: $(why timer_uas)"
[ $((SECONDS - SECONDS_BEFORE)) -lt 10 ] || fail "the silent caller was hung up too late"
wait_for 5 grep -q "Session timer expired on SIP/caller-" "$WORK/etc/log/messages" || fail "no session timer notice"
pass "session timer as UAS: 200 with Session-Expires: 3;refresher=uac + Require: timer, BYE when no refresh came"

sipp_run timer_422 127.0.0.1:$P_UDP -sf "$(refused_scenario 422 'Session-Expires: 1')" -p $P_UAC -s long -key caller caller \
  || fail "422 for a small Session-Expires: $(why timer_422)"
grep -q "^Min-SE: 2" "$WORK/timer_422.msg" || fail "422 without Min-SE: $(grep -A10 '^SIP/2.0 422' "$WORK/timer_422.msg")"
pass "session timer below Min-SE: 422 with Min-SE"

# --- outbound proxy --------------------------------------------------------------------------------
sipp_bg proxy -sf "$SCEN/uas_via_proxy.xml" -p $P_PROXY -m 1
rx "channel originate Local/proxy@default application Wait 1" >/dev/null
wait "$SIPP_PID" || fail "outbound_proxy: $(why proxy)"
pass "outbound_proxy: INVITE (R-URI the target) and BYE sent to the proxy with Route: <proxy;lr>"

# --- INFO DTMF into Read(), PJSIPNotify in the dialog ---------------------------------------------
sipp_bg info -sf "$SCEN/uac_info_dtmf.xml" 127.0.0.1:$P_UDP -p $P_UAC -m 1 -s dtmf -key caller caller
wait_for 10 grep -q "DIGITS=12" "$WORK/etc/log/messages" || fail "Read() did not get 1 2 #: $(grep DIGITS "$WORK/etc/log/messages"; why info)"
CHAN=$(rx "core show channels concise" | grep -o '^SIP/caller-[0-9a-f]*' | head -1)
[ -n "$CHAN" ] || fail "no SIP channel for the INFO call: $(rx core show channels)"
ami "Action: PJSIPNotify" "Channel: $CHAN" "Variable: Event=check-sync" | grep -q "Message: NOTIFY sent" \
  || fail "PJSIPNotify Channel: $(cat "$WORK/ami.last")"
wait "$SIPP_PID" || fail "INFO DTMF / in-dialog NOTIFY: $(why info)"
pass "SIP INFO DTMF (dtmf-relay and dtmf) read by Read(); PJSIPNotify inside the channel's dialog"

# --- PJSIPNotify to an endpoint, by Variable and by Option ------------------------------------------
sipp_bg notify -sf "$SCEN/uas_notify.xml" -p $P_UAS -m 2
ami "Action: PJSIPNotify" "Endpoint: phone" "Variable: Event=check-sync" "Variable: X-Info=first" \
  | grep -q "Message: NOTIFY sent" || fail "PJSIPNotify Endpoint/Variable: $(cat "$WORK/ami.last")"
sleep 0.3
ami "Action: PJSIPNotify" "Endpoint: PJSIP/phone" "Option: clear-mwi" | grep -q "Message: NOTIFY sent" \
  || fail "PJSIPNotify Endpoint/Option: $(cat "$WORK/ami.last")"
wait "$SIPP_PID" || fail "NOTIFY to the endpoint: $(why notify)"
grep -q "^X-Info: first" "$WORK/notify.msg" || fail "Variable header missing in the NOTIFY"
grep -q "^Event: message-summary" "$WORK/notify.msg" && grep -q "^Messages-Waiting: no" "$WORK/notify.msg" \
  || fail "pjsip_notify.conf option not sent: $(cat "$WORK/notify.msg")"
ami "Action: PJSIPNotify" "Endpoint: phone" "Option: nosuch" | grep -q "Unable to find notify type 'nosuch'" \
  || fail "an unknown Option was not refused: $(cat "$WORK/ami.last")"
ami "Action: PJSIPNotify" "Endpoint: phone" "Variable: Call-ID=x" | grep -q "Response: Error" \
  || fail "a reserved header was not refused: $(cat "$WORK/ami.last")"
pass "PJSIPNotify to an endpoint's contact with Variable headers and a pjsip_notify.conf Option; bad input refused"

# --- PJSIPHangup -------------------------------------------------------------------------------------
sipp_bg hang486 -sf "$(refused_scenario 486)" 127.0.0.1:$P_UDP -p $P_UAC -m 1 -s hold -key caller caller
wait_for 5 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q '^SIP/caller-'" \
  || fail "the call to hold did not arrive"
CHAN=$(rx "core show channels concise" | grep -o '^SIP/caller-[0-9a-f]*' | head -1)
ami "Action: PJSIPHangup" "Channel: $CHAN" "Cause: BUSY_HERE" | grep -q "Message: Channel Hungup" \
  || fail "PJSIPHangup: $(cat "$WORK/ami.last")"
wait "$SIPP_PID" || fail "PJSIPHangup BUSY_HERE did not give 486: $(why hang486)"
wait_for 5 grep -q "HANGUP $CHAN 17" "$WORK/etc/log/messages" || fail "hangup cause not USER_BUSY: $(grep HANGUP "$WORK/etc/log/messages")"
sipp_bg hang603 -sf "$(refused_scenario 603)" 127.0.0.1:$P_UDP -p $P_UAC -m 1 -s hold -key caller caller
wait_for 5 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'core show channels concise' | grep -q '^SIP/caller-'" \
  || fail "the second call to hold did not arrive"
ami "Action: PJSIPHangup" "Channel: /^SIP\\/caller-.*$/" "Cause: 700" >/dev/null
wait "$SIPP_PID" || fail "PJSIPHangup by regex with an out-of-range cause did not give 603: $(why hang603)"
grep -q "out of range 400 -> 699. Defaulting to 603 DECLINE" "$WORK/etc/log/messages" || fail "no warning for cause 700"
ami "Action: PJSIPHangup" "Channel: SIP/nosuch-00000000" "Cause: 486" | grep -q "No such channel" \
  || fail "PJSIPHangup on a missing channel: $(cat "$WORK/ami.last")"
sipp_run hang437 127.0.0.1:$P_UDP -sf "$(refused_scenario 437)" -p $P_UAC -s refuse -key caller caller \
  || fail "PJSIPHangup(UNSUPPORTED_CERTIFICATE) did not give 437: $(why hang437)"
grep -q "NOT REACHED" "$WORK/etc/log/messages" && fail "the dialplan continued after PJSIPHangup()"
pass "PJSIPHangup: AMI by name (BUSY_HERE → 486, cause 17), by /regex/ (700 → 603 with a warning), the application (437)"

# --- events on AMI ------------------------------------------------------------------------------------
# An INVITE from a user no endpoint knows: challenged (401), and an InvalidAccountID security
# event of service PJSIP on AMI.
sipp_run unknown 127.0.0.1:$P_UDP -sf "$(refused_scenario 401)" -p $P_UAC -s long -key caller mallory \
  || fail "an unknown caller was not challenged: $(why unknown)"
cat >"$WORK/seen.py" <<'PY'
import sys
for block in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in block.split("\n") if ": " in l)
    if f.get("Event") == "InvalidAccountID" and f.get("Service") == "PJSIP" and f.get("AccountID") == "mallory" \
            and f.get("RemoteAddress", "").startswith("IPV4/UDP/127.0.0.1/"):
        sys.exit(0)
sys.exit(1)
PY
wait_for 5 python3 "$WORK/seen.py" "$WORK/ami.events" \
  || fail "no InvalidAccountID for mallory: $(grep -B2 -A12 'Service: PJSIP' "$WORK/ami.events" | head -40)"
pass "unknown caller: 401 and an InvalidAccountID security event (Service PJSIP) on AMI"

# SIP/relpeer (a static contact: NOT_INUSE pushed, so its channels decide) rang, then was in use
# during the 100rel call, and went back to NOT_INUSE.
RELPEER_STATES=$(python3 - "$WORK/ami.events" <<'PY'
import sys
states = []
for block in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in block.split("\n") if ": " in l)
    if f.get("Event") == "DeviceStateChange" and f.get("Device") == "SIP/relpeer":
        states.append(f["State"])
print(" ".join(states))
PY
)
[[ "$RELPEER_STATES" == *"RINGING INUSE"*"NOT_INUSE"* ]] || fail "DeviceStateChange for SIP/relpeer: '$RELPEER_STATES'"
pass "DeviceStateChange on AMI for a SIP device: RINGING, INUSE, NOT_INUSE"

stop_daemon
