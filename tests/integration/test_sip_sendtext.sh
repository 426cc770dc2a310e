#!/usr/bin/env bash
# Text to a SIP phone as a MESSAGE inside the call's dialog (RFC 3428), as chan_pjsip sends it,
# against SIPp on loopback playing the phone: SendText() before Answer() sends nothing and sets
# SENDTEXTSTATUS=FAILURE; after it, SendText(hello ü) reaches the phone as text/plain;charset=UTF-8
# (checked by the scenario: in the dialog, Content-Type, body), which answers 200: SUCCESS,
# SENDTEXTTYPE=ENHANCED; SENDTEXT_CONTENT_TYPE and SENDTEXT_FROM_DISPLAYNAME go into the next
# one, which the phone refuses with 415: FAILURE and a WARNING naming the channel and the
# response; the AMI SendText action on the SIP channel is one more MESSAGE (200), and the call
# then ends by AMI Hangup with the engine's BYE.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); AMI=$($PROBE freeport tcp)
rtp_block
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
printf '[general]\nrtpstart=%s\nrtpend=%s\nbindaddr=127.0.0.1\n' $RTP_START $((RTP_START + 19)) >"$WORK/etc/rtp.conf"
printf '[general]\nenabled = yes\nport = %s\nbindaddr = 127.0.0.1\n[admin]\nsecret = pw\nread = all\nwrite = all\n' \
  "$AMI" >"$WORK/etc/manager.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[phones]
exten => text,1,SendText(too early)
 same => n,Log(NOTICE,SENDTEXT early=${SENDTEXTSTATUS})
 same => n,Answer()
 same => n,SendText(hello ü)
 same => n,Log(NOTICE,SENDTEXT first=${SENDTEXTSTATUS} type=${SENDTEXTTYPE})
 same => n,Set(SENDTEXT_CONTENT_TYPE=application/x-test)
 same => n,Set(SENDTEXT_FROM_DISPLAYNAME=Front Desk)
 same => n,SendText(refuse this)
 same => n,Log(NOTICE,SENDTEXT second=${SENDTEXTSTATUS} type=${SENDTEXTTYPE} left=${SENDTEXT_CONTENT_TYPE} chan=${CHANNEL})
 ; the test sends AMI SendText now, then hangs the channel up
 same => n,Wait(25)
 same => n,Hangup()
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
CONF
start_daemon
ami_tap_start "$AMI"
LOG="$WORK/etc/log/messages"

sipp_bg phone -sf "$SCEN/uac_sendtext.xml" 127.0.0.1:$P_SIP -s text -p $P_UAC -mi 127.0.0.1 -mp $((RTP_START + 40)) -m 1
PHONE=$SIPP_PID
wait_for 20 grep -q "SENDTEXT second=" "$LOG" ||
  fail "the dialplan did not get past the second SendText(): $(grep SENDTEXT "$LOG"; why phone)"
grep -q "SENDTEXT early=FAILURE" "$LOG" || fail "SendText() before Answer(): $(grep 'SENDTEXT early' "$LOG")"
grep -q "Cannot send text on SIP/phones-.*: the call is not answered yet" "$LOG" ||
  fail "no warning for the text before Answer()"
pass "SendText() before Answer(): nothing sent (SIPp would fail on it), FAILURE, a warning"
grep -q "SENDTEXT first=SUCCESS type=ENHANCED" "$LOG" || fail "SendText(hello ü): $(grep 'SENDTEXT first' "$LOG"; why phone)"
grep -q "^hello ü" "$WORK/phone.msg" || fail "the phone's trace has no 'hello ü' body"
pass "SendText(hello ü) → in-dialog MESSAGE, text/plain;charset=UTF-8, answered 200: SUCCESS, ENHANCED"
grep -q "SENDTEXT second=FAILURE type=ENHANCED left= chan=SIP/phones-" "$LOG" ||
  fail "SendText() refused by 415: $(grep 'SENDTEXT second' "$LOG")"
grep -q "WARNING.*MESSAGE on SIP/phones-[0-9a-f]* failed: 415 Unsupported Media Type" "$LOG" ||
  fail "no warning naming the 415: $(grep -i warning "$LOG")"
pass "SENDTEXT_CONTENT_TYPE and SENDTEXT_FROM_DISPLAYNAME in the MESSAGE; 415 → FAILURE and a warning; variables cleared"

CHAN=$(sed -n 's/.*SENDTEXT second=.* chan=\([^ ]*\).*/\1/p' "$LOG" | head -1)
resp=$(ami "Action: SendText" "Channel: $CHAN" "Message: via ami") || fail "AMI SendText: no response"
grep -q "Response: Success" <<<"$resp" || fail "AMI SendText on $CHAN: $resp"
wait_for 10 grep -q "^via ami" "$WORK/phone.msg" || fail "the AMI SendText did not reach the phone: $(why phone)"
resp=$(ami "Action: SendText" "Channel: SIP/nobody-00000099" "Message: x") || true
grep -q "No such channel" <<<"$resp" || fail "AMI SendText to no channel: $resp"
resp=$(ami "Action: Hangup" "Channel: $CHAN") || fail "AMI Hangup: no response"
wait "$PHONE" || fail "the phone's scenario failed (a MESSAGE missing, out of the dialog, or with a wrong header/body): $(why phone)"
[ "$(grep -c 'MESSAGE on SIP/phones-.* failed' "$LOG")" = 1 ] || fail "a MESSAGE answered 200 was logged as failed: $(grep failed "$LOG")"
pass "AMI SendText on the SIP channel → MESSAGE answered 200 (no warning); no such channel → error; BYE after AMI Hangup"
stop_daemon
