#!/usr/bin/env bash
# A SIP MESSAGE inside a call's dialog (RFC 3428 §7), against SIPp on loopback: a text/plain one
# is answered 202 and reaches the channel as text, which the dialplan's ReceiveText() reads (as
# chan_pjsip hands it to the channel); one whose body is neither text/* nor application/* gets
# 415 and reaches nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp)
rtp_block
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
printf '[general]\nrtpstart=%s\nrtpend=%s\nbindaddr=127.0.0.1\n' $RTP_START $((RTP_START + 19)) >"$WORK/etc/rtp.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[phones]
exten => text,1,Answer()
 same => n,ReceiveText(8)
 same => n,Log(NOTICE,TEXT status=${RECEIVETEXTSTATUS} msg=${RECEIVETEXTMESSAGE})
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

sipp_run msg -sf "$SCEN/uac_message_in_dialog.xml" 127.0.0.1:$P_SIP -s text -p $P_UAC -mi 127.0.0.1 -mp $((RTP_START + 40)) ||
  fail "MESSAGE in the dialog: not 415 then 202, or no BYE: $(why msg)"
wait_for 5 grep -q "TEXT status=" "$WORK/etc/log/messages" || fail "the dialplan did not finish"
grep -q "TEXT status=SUCCESS msg=hello in the call" "$WORK/etc/log/messages" ||
  fail "ReceiveText() did not read the MESSAGE: $(grep 'TEXT status' "$WORK/etc/log/messages")"
pass "in-dialog MESSAGE: image/png → 415, text/plain → 202 and read by ReceiveText()"
stop_daemon
