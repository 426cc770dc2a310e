#!/usr/bin/env bash
# AMI MessageSend to SIP destinations, through a real AMI client (python3-panoramisk): each
# destination form res_pjsip_messaging accepts reaches a SIPp UAS (Debian sip-tester) as a SIP
# MESSAGE (RFC 3428) with the body, From and Request-URI it should have; a destination with no
# contact is an error naming the endpoint; a MESSAGE from a phone runs the dialplan of the
# endpoint's message_context, where MESSAGE()/MESSAGE_DATA() read it (202), or gets 404 for an
# extension that is not there; the MESSAGE transactions show in the metrics.
source "$(dirname "$0")/lib.sh"
require_commands sipp
require_python3_modules panoramisk
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="/usr/bin/python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
SIPP_PIDS=()
msg_cleanup() { for p in "${SIPP_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap msg_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_UAS=$($PROBE freeport udp); AMI=$($PROBE freeport tcp); HTTP=$($PROBE freeport tcp)
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
printf '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = %s\n' "$HTTP" >"$WORK/etc/http.conf"
printf '[general]\nenabled = yes\n' >"$WORK/etc/prometheus.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[default]
exten => 100,1,Hangup()
[msgs]
; the body comes last: it ends with the CRLF SIPp wrote
exten => 100,1,Log(NOTICE,GOTMSG chan=${CHANNEL} from=${MESSAGE(from)} to=${MESSAGE(to)} x=${MESSAGE_DATA(X-Custom)} cid=${CALLERID(num)} body=${MESSAGE(body)})
 same => n,Hangup()
; a message to 200 is forwarded to alice, From kept (MessageSend's default: MESSAGE(from))
exten => 200,1,MessageSend(pjsip:alice)
 same => n,Log(NOTICE,FORWARDED ${MESSAGE_SEND_STATUS})
exten => 201,1,MessageSend(xmpp:bob)
 same => n,Log(NOTICE,FORWARDED-XMPP ${MESSAGE_SEND_STATUS})
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
enabled = yes
port = $AMI
bindaddr = 127.0.0.1
[admin]
secret = pw
read = all
write = all
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[alice]
type=endpoint
context=default
allow=ulaw
aors=alice
from_user=pbx
from_domain=example.org
message_context=msgs

[alice]
type=aor
contact=sip:alice@127.0.0.1:$P_UAS

[bob]
type=endpoint
context=default
allow=ulaw
aors=bob

[bob]
type=aor
max_contacts=1
CONF
start_daemon

cat >"$WORK/send.py" <<'PY'
import asyncio, sys
from panoramisk import Manager

async def main(port, to, sender, body):
    loop = asyncio.get_running_loop()
    m = Manager(loop=loop, host='127.0.0.1', port=port, username='admin', secret='pw', ping_delay=60,
                reconnect_timeout=60)
    await m.connect()
    action = {'Action': 'MessageSend', 'To': to, 'Body': body}
    if sender:
        action['From'] = sender
    r = await m.send_action(action)
    print('%s: %s' % (r.Response, r.Message))
    m.close()

asyncio.run(main(int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]))
PY
# send TO FROM BODY -> SIPp receives it; the request it saw is left in $WORK/uas_msg.log
send() {
  rm -f "$WORK/uas_msg.log"
  timeout 20 sipp -sf "$SCEN/uas_message.xml" -i 127.0.0.1 -p $P_UAS -nostdin -m 1 -timeout 15s -trace_msg \
    -message_file "$WORK/uas_msg.log" -trace_err -error_file "$WORK/uas.err" >"$WORK/uas.out" 2>&1 &
  local uas=$!
  SIPP_PIDS+=($uas)
  sleep 0.3
  local out
  out=$(timeout 20 /usr/bin/python3 "$WORK/send.py" "$AMI" "$1" "$2" "$3" 2>&1) || fail "panoramisk MessageSend '$1': $out"
  [ "$out" = "Success: Message successfully sent" ] || fail "MessageSend '$1' answered: $out"
  wait "$uas" || fail "SIPp did not receive a MESSAGE for '$1': $(tail -5 "$WORK/uas.err" 2>/dev/null)"
}
received() { grep -q -- "$1" "$WORK/uas_msg.log" || fail "the MESSAGE lacks '$1': $(sed -n '/MESSAGE sip/,/^$/p' "$WORK/uas_msg.log")"; }

send "pjsip:alice" "" "hello alice"
received "MESSAGE sip:alice@127.0.0.1:$P_UAS SIP/2.0"
received "From: <sip:pbx@example.org>;tag="
received "hello alice"
pass "MessageSend pjsip:alice -> MESSAGE to the endpoint's contact, From its from_user@from_domain, the body"

send "pjsip:PJSIP/5551234@alice" "\"Ops\" <sip:ops@example.com>" "to a number"
received "MESSAGE sip:5551234@127.0.0.1:$P_UAS SIP/2.0"
received 'From: "Ops" <sip:ops@example.com>;tag='
received "to a number"
pass "MessageSend pjsip:PJSIP/user@endpoint -> the contact with the user replaced; From as given"

send "sip:carol@127.0.0.1:$P_UAS" "sip:ops@example.com" "direct"
received "MESSAGE sip:carol@127.0.0.1:$P_UAS SIP/2.0"
received "From: <sip:ops@example.com>;tag="
received "Content-Type: text/plain"
pass "MessageSend sip:user@host:port -> MESSAGE to that URI"

send "pjsip:alice/sip:dave@127.0.0.1:$P_UAS" "" "via alice"
received "MESSAGE sip:dave@127.0.0.1:$P_UAS SIP/2.0"
received "From: <sip:pbx@example.org>;tag="
pass "MessageSend pjsip:endpoint/uri -> that URI, as the endpoint"

out=$(timeout 20 /usr/bin/python3 "$WORK/send.py" "$AMI" "pjsip:bob" "" "nobody" 2>&1)
[ "$out" = "Error: Message failed to send: Endpoint bob has no contacts" ] || fail "to an endpoint without contact: $out"
out=$(timeout 20 /usr/bin/python3 "$WORK/send.py" "$AMI" "pjsip:PJSIP/1@nosuch" "" "x" 2>&1)
[ "$out" = "Error: Message failed to send: no endpoint 'nosuch'" ] || fail "to an unknown endpoint: $out"
pass "no contact / unknown endpoint -> Response: Error naming why"

# --- MESSAGE in --------------------------------------------------------------------------------------
for code in 202 404; do sed "s/\[code\]/$code/" "$SCEN/uac_message.xml" >"$WORK/uac_message_$code.xml"; done
P_UAC=$($PROBE freeport udp)
timeout 20 sipp 127.0.0.1:$P_SIP -sf "$WORK/uac_message_202.xml" -s 100 -i 127.0.0.1 -p $P_UAC -nostdin -m 1 \
  -timeout 15s -timeout_error -trace_err -error_file "$WORK/in.err" >"$WORK/in.out" 2>&1 ||
  fail "MESSAGE to 100 not answered 202: $(tail -5 "$WORK/in.err" 2>/dev/null)"
wait_for 5 grep -q "GOTMSG" "$WORK/etc/log/messages" || fail "the message_context dialplan did not run"
line=$(grep "GOTMSG" "$WORK/etc/log/messages")
grep -q "chan=Message/ast_msg_queue-" <<<"$line" || fail "not a Message channel: $line"
grep -q "from=\"Alice\" <sip:alice@127.0.0.1:$P_UAC>" <<<"$line" || fail "MESSAGE(from): $line"
grep -q "to=sip:100@127.0.0.1:$P_SIP" <<<"$line" || fail "MESSAGE(to): $line"
grep -q "body=hello from sipp" <<<"$line" || fail "MESSAGE(body): $line"
grep -q "x=custom value" <<<"$line" || fail "MESSAGE_DATA(X-Custom): $line"
grep -q "cid=alice" <<<"$line" || fail "caller id from From: $line"
timeout 20 sipp 127.0.0.1:$P_SIP -sf "$WORK/uac_message_404.xml" -s 999 -i 127.0.0.1 -p $P_UAC -nostdin -m 1 \
  -timeout 15s -timeout_error -trace_err -error_file "$WORK/in404.err" >"$WORK/in404.out" 2>&1 ||
  fail "MESSAGE to a missing extension not answered 404: $(tail -5 "$WORK/in404.err" 2>/dev/null)"
pass "MESSAGE in: 202 and the message_context dialplan reads MESSAGE(from|to|body), MESSAGE_DATA; 404 for no extension"

body=$(/usr/bin/python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=5).read().decode())' "$HTTP")
grep -q '^telephony_sip_transactions_total{direction="out",method="MESSAGE",response="200"} 4$' <<<"$body" ||
  fail "MESSAGE transactions in the metrics: $(echo "$body" | grep sip_transactions)"
grep -q '^telephony_sip_transactions_total{direction="in",method="MESSAGE",response="202"} 1$' <<<"$body" ||
  fail "MESSAGE in 202 not counted: $(echo "$body" | grep sip_transactions)"
grep -q '^telephony_sip_transactions_total{direction="in",method="MESSAGE",response="404"} 1$' <<<"$body" ||
  fail "MESSAGE in 404 not counted"
pass "telephony_sip_transactions_total counts the MESSAGEs: 4 out answered 200, in 202 and 404"

# --- MESSAGE in, forwarded by MessageSend() -----------------------------------------------------------
rm -f "$WORK/uas_msg.log"
timeout 20 sipp -sf "$SCEN/uas_message.xml" -i 127.0.0.1 -p $P_UAS -nostdin -m 1 -timeout 15s -trace_msg \
  -message_file "$WORK/uas_msg.log" >"$WORK/uas_fw.out" 2>&1 &
UAS=$!
SIPP_PIDS+=($UAS)
sleep 0.3
timeout 20 sipp 127.0.0.1:$P_SIP -sf "$WORK/uac_message_202.xml" -s 200 -i 127.0.0.1 -p $P_UAC -nostdin -m 1 \
  -timeout 15s -timeout_error >"$WORK/fw.out" 2>&1 || fail "MESSAGE to 200 not answered 202"
wait "$UAS" || fail "the forwarded MESSAGE did not reach alice's contact"
received "MESSAGE sip:alice@127.0.0.1:$P_UAS SIP/2.0"
received "From: \"Alice\" <sip:alice@127.0.0.1:$P_UAC>;tag="
received "hello from sipp"
wait_for 5 grep -q "FORWARDED SUCCESS" "$WORK/etc/log/messages" || fail "MESSAGE_SEND_STATUS: $(grep FORWARDED "$WORK/etc/log/messages")"
timeout 20 sipp 127.0.0.1:$P_SIP -sf "$WORK/uac_message_202.xml" -s 201 -i 127.0.0.1 -p $P_UAC -nostdin -m 1 \
  -timeout 15s -timeout_error >"$WORK/fw2.out" 2>&1 || fail "MESSAGE to 201 not answered 202"
wait_for 5 grep -q "FORWARDED-XMPP INVALID_PROTOCOL" "$WORK/etc/log/messages" || fail "xmpp: $(grep FORWARDED "$WORK/etc/log/messages")"
pass "MessageSend() forwards a received MESSAGE to pjsip:alice (From and body kept); xmpp: is INVALID_PROTOCOL"
stop_daemon
