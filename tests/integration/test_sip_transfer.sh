#!/usr/bin/env bash
# SIP transfers against SIPp on loopback, checked on the wire and on AMI:
#  - blind transfer by REFER: the transferee continues at the Refer-To extension, AMI BlindTransfer;
#  - attended transfer by a phone (REFER whose Refer-To carries Replaces, RFC 5589 §7): alice calls
#    bob and carol through the engine, then REFERs the bob call with Replaces naming the carol
#    call: 202, NOTIFY sipfrag 200, both of alice's calls get a BYE, bob and carol stay connected
#    (bob's hangup reaches carol), AMI AttendedTransfer (Success, DestType Bridge); a Replaces
#    naming a dialog the engine does not have gets NOTIFY sipfrag 481 and changes nothing;
#  - INVITE with Replaces (RFC 3891): dave takes over alice's call with bob (200, alice gets a
#    BYE, bob's hangup reaches dave, BridgeEnter with SwapUniqueid); 481 for an unknown dialog;
#  - Transfer() on a SIP channel: REFER (Refer-To built from the destination: an extension, an
#    endpoint) accepted with 202 + NOTIFY 200 → TRANSFERSTATUS SUCCESS; refused with 603 →
#    FAILURE / 603; 501 → UNSUPPORTED / 501; before answer → 302 with the target as Contact.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"

P_UDP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_BOB=$($PROBE freeport udp)
P_CAROL=$($PROBE freeport udp); P_X=$($PROBE freeport udp); P_AMI=$($PROBE freeport tcp)
mkdir -p "$WORK/etc"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/extensions.conf" <<CONF
[default]
exten => b,1,Dial(PJSIP/bob,10)
exten => c,1,Dial(PJSIP/carol,10)
exten => t,1,Transfer(PJSIP/500)
 same => n,Log(NOTICE,TRANSFER \${CHANNEL} \${TRANSFERSTATUS} \${TRANSFERSTATUSPROTOCOL})
 same => n,Wait(2)
 same => n,Hangup()
exten => land,1,Log(NOTICE,LANDED \${CHANNEL} \${BLINDTRANSFER})
 same => n,Hangup()
exten => te,1,Transfer(SIP/carol)
 same => n,Log(NOTICE,TRANSFER \${CHANNEL} \${TRANSFERSTATUS} \${TRANSFERSTATUSPROTOCOL})
 same => n,Hangup()
exten => r,1,Transfer(PJSIP/sip:elsewhere@127.0.0.1:5099)
 same => n,Log(NOTICE,NOT REACHED: the redirected call is over)
exten => h,1,Log(NOTICE,END \${CHANNEL} \${TRANSFERSTATUS} \${TRANSFERSTATUSPROTOCOL})
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_UDP

[phone](!)
type=endpoint
context=default

[alice](phone)
[dave](phone)
[erin](phone)
auth=erin
[erin]
type=auth
auth_type=userpass
username=erin
password=secret

[bob](phone)
aors=bob
[bob]
type=aor
contact=sip:bob@127.0.0.1:$P_BOB

[carol](phone)
aors=carol
[carol]
type=aor
contact=sip:carol@127.0.0.1:$P_CAROL

[xferpeer](phone)
aors=xferpeer
[xferpeer]
type=aor
contact=sip:xferpeer@127.0.0.1:$P_X
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
ami_tap_start "$P_AMI"

# event NAME FIELD=REGEX...: the first AMI event NAME whose fields match, printed as a block.
event() {
  python3 - "$WORK/ami.events" "$@" <<'PY'
import re, sys
path, name, conds = sys.argv[1], sys.argv[2], [c.split("=", 1) for c in sys.argv[3:]]
for block in open(path, encoding="utf-8").read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in block.split("\n") if ": " in l)
    if f.get("Event") == name and all(re.fullmatch(v, f.get(k, "")) for k, v in conds):
        print(block)
        sys.exit(0)
sys.exit(1)
PY
}

# --- attended transfer by REFER with Replaces ---------------------------------------------------------
sipp_bg bob -sf "$SCEN/uas_answer_bye.xml" -p $P_BOB -m 1 -d 4000
BOB=$SIPP_PID
sipp_bg carol -sn uas -p $P_CAROL -m 1
CAROL=$SIPP_PID
sipp_run atxfer 127.0.0.1:$P_UDP -sf "$SCEN/uac_attended_transfer.xml" -p $P_UAC -s b -key caller alice -key second c \
  -cid_str "%u-%p-xfer" || fail "attended transfer (202, NOTIFY 481 then 200, two BYEs): $(why atxfer)"
wait "$BOB" || fail "bob's call did not last through the transfer: $(why bob)"
wait "$CAROL" || fail "carol did not get bob's hangup (not bridged with bob): $(why carol)"
wait_for 5 event AttendedTransfer Result=Success DestType=Bridge 'OrigTransfererChannel=SIP/alice-.*' \
  'SecondTransfererChannel=SIP/alice-.*' 'TransfereeChannel=SIP/bob-.*' 'TransferTargetChannel=SIP/carol-.*' \
  IsExternal=Yes 'DestBridgeUniqueid=.+' 'OrigBridgeUniqueid=.+' 'SecondBridgeUniqueid=.+' \
  || fail "no AttendedTransfer event: $(grep -A30 'Event: AttendedTransfer' "$WORK/ami.events" | head -60)"
DEST=$(event AttendedTransfer Result=Success | sed -n 's/^DestBridgeUniqueid: //p')
event BridgeEnter "BridgeUniqueid=$DEST" 'Channel=SIP/bob-.*' 'SwapUniqueid=.+' >/dev/null \
  || fail "bob did not enter carol's bridge in alice's place: $(grep -B3 -A25 'Event: BridgeEnter' "$WORK/ami.events" | grep -E 'Channel:|BridgeUniqueid|Swap')"
event AttendedTransfer Result=Fail >/dev/null && fail "the unknown Replaces raised a failed transfer event"
pass "attended transfer: 202, NOTIFY sipfrag 481 for an unknown Replaces, then 200; alice's two calls hung up; bob joined carol (AttendedTransfer, BridgeEnter with SwapUniqueid)"

# --- blind transfer by REFER: AMI BlindTransfer ---------------------------------------------------------
sipp_bg bob3 -sn uas -p $P_BOB -m 1
sipp_run blind 127.0.0.1:$P_UDP -sf "$SCEN/uac_refer.xml" -p $P_UAC -s b -key caller erin -key target land \
  -au erin -ap secret || fail "blind transfer by REFER: $(why blind)"
wait "$SIPP_PID" || fail "the transferee did not finish its call: $(why bob3)"
wait_for 5 grep -q "LANDED SIP/bob-[0-9a-f]* SIP/erin-" "$WORK/etc/log/messages" \
  || fail "bob did not continue at land with BLINDTRANSFER set: $(grep LANDED "$WORK/etc/log/messages")"
wait_for 5 event BlindTransfer Result=Success 'TransfererChannel=SIP/erin-.*' 'TransfereeChannel=SIP/bob-.*' \
  IsExternal=Yes Context=default Extension=land 'BridgeUniqueid=.+' \
  || fail "no BlindTransfer event: $(grep -A30 'Event: BlindTransfer' "$WORK/ami.events" | head -40)"
pass "blind transfer by REFER: bob continues at land (BLINDTRANSFER set), AMI BlindTransfer IsExternal: Yes"

# --- INVITE with Replaces ------------------------------------------------------------------------------
sipp_bg bob2 -sf "$SCEN/uas_answer_bye.xml" -p $P_BOB -m 1 -d 3000
sipp_run replaces 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_replaces.xml" -p $P_UAC -s b -key caller alice -key replacer dave \
  || fail "INVITE with Replaces (200, BYE to the replaced call, later BYE from bob's side): $(why replaces)"
wait "$SIPP_PID" || fail "bob's call did not survive the replacement: $(why bob2)"
event BridgeEnter 'Channel=SIP/dave-.*' 'SwapUniqueid=.+' >/dev/null \
  || fail "dave did not take alice's place in the bridge: $(grep -A25 'Event: BridgeEnter' "$WORK/ami.events" | grep -E 'Channel:|Swap')"
sipp_run replaces481 127.0.0.1:$P_UDP -sf "$(refused_scenario 481 'Replaces: nosuch@127.0.0.1;to-tag=a1;from-tag=b2')" \
  -p $P_UAC -s b -key caller dave || fail "INVITE with Replaces for an unknown dialog: $(why replaces481)"
pass "INVITE with Replaces: answered, the replaced call gets BYE, the new call is bridged in its place; unknown dialog → 481"

# --- Transfer() on a SIP channel -------------------------------------------------------------------------
sipp_bg xaccept -sf "$SCEN/uas_refer_accept.xml" -p $P_X -m 1
rx "channel originate SIP/xferpeer extension t@default" >/dev/null
wait "$SIPP_PID" || fail "Transfer(): REFER accepted and NOTIFY 200: $(why xaccept)"
grep -q "^Refer-To: <sip:500@127.0.0.1:$P_UDP>" "$WORK/xaccept.msg" \
  || fail "Refer-To not built from the extension: $(grep -i '^Refer-To' "$WORK/xaccept.msg")"
wait_for 5 grep -q "TRANSFER SIP/xferpeer-[0-9a-f]* SUCCESS 0" "$WORK/etc/log/messages" \
  || fail "TRANSFERSTATUS after an accepted REFER: $(grep TRANSFER "$WORK/etc/log/messages")"
sipp_bg xdecline -sf "$SCEN/uas_refer_decline.xml" -p $P_X -m 1
rx "channel originate SIP/xferpeer extension t@default" >/dev/null
wait "$SIPP_PID" || fail "Transfer(): REFER declined, then BYE: $(why xdecline)"
wait_for 5 grep -q "TRANSFER SIP/xferpeer-[0-9a-f]* FAILURE 603" "$WORK/etc/log/messages" \
  || fail "TRANSFERSTATUS after a declined REFER: $(grep TRANSFER "$WORK/etc/log/messages")"
# A phone without REFER (501), and an endpoint name as the destination (its contact's URI).
sed 's/603 Declined/501 Not Implemented/' "$SCEN/uas_refer_decline.xml" >"$WORK/uas_refer_501.xml"
sipp_bg x501 -sf "$WORK/uas_refer_501.xml" -p $P_X -m 1
rx "channel originate SIP/xferpeer extension te@default" >/dev/null
wait "$SIPP_PID" || fail "Transfer(): REFER answered 501, then BYE: $(why x501)"
grep -q "^Refer-To: <sip:carol@127.0.0.1:$P_CAROL>" "$WORK/x501.msg" \
  || fail "Refer-To not the endpoint's contact: $(grep -i '^Refer-To' "$WORK/x501.msg")"
wait_for 5 grep -q "TRANSFER SIP/xferpeer-[0-9a-f]* UNSUPPORTED 501" "$WORK/etc/log/messages" \
  || fail "TRANSFERSTATUS after a REFER answered 501: $(grep TRANSFER "$WORK/etc/log/messages")"
sipp_run redirect 127.0.0.1:$P_UDP -sf "$(refused_scenario 302)" -p $P_UAC -s r -key caller alice \
  || fail "Transfer() before answer did not give 302: $(why redirect)"
grep -q "^Contact: <sip:elsewhere@127.0.0.1:5099>" "$WORK/redirect.msg" \
  || fail "302 without the target as Contact: $(grep -A12 '^SIP/2.0 302' "$WORK/redirect.msg")"
wait_for 5 grep -q "END SIP/alice-[0-9a-f]* SUCCESS 0" "$WORK/etc/log/messages" \
  || fail "TRANSFERSTATUS after the 302: $(grep END "$WORK/etc/log/messages")"
grep -q "NOT REACHED" "$WORK/etc/log/messages" && fail "the dialplan went on after the 302"
pass "Transfer(): REFER to sip:500@<us> → 202 + NOTIFY 200 = SUCCESS 0; 603 = FAILURE 603; SIP/carol → her contact, 501 = UNSUPPORTED 501; unanswered → 302 with Contact"

stop_daemon
