#!/usr/bin/env bash
# kamailio as registrar and record-routing proxy in front of telephonyd (signalling):
#  - telephonyd registers to kamailio (outbound registration, 401 digest);
#  - a SIPp caller authenticates to kamailio (407) and calls 100, which kamailio routes to
#    telephonyd with Record-Route; the dialplan answers; ACK and BYE come back through kamailio;
#  - telephonyd calls bob (a SIPp UAS registered at kamailio) through kamailio: 407 answered with
#    the endpoint's outbound_auth, the in-dialog ACK/BYE follow the Record-Route.
# kamailio listens on 127.0.0.3 so telephonyd can identify it by address.
source "$(dirname "$0")/lib.sh"
command -v kamailio >/dev/null || fail "kamailio is missing (Debian package kamailio)"
command -v sipp >/dev/null || fail "sipp is missing (Debian package sip-tester)"
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
PEER_PIDS=()
k_cleanup() { for p in "${PEER_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap k_cleanup EXIT

P_SIP=$($PROBE freeport udp); P_KAM=$($PROBE freeport udp --host 127.0.0.3); P_BOB=$($PROBE freeport udp)
P_CALLER=$($PROBE freeport udp)
mkdir -p "$WORK/etc" "$WORK/kam"
sed -e "s/127.0.0.1:5080/127.0.0.3:$P_KAM/g" -e "s#sip:127.0.0.1:5070#sip:127.0.0.1:$P_SIP#" \
  -e 's/(\$(du{uri.host}) != "127.0.0.1")/($(du{uri.host}) != "127.0.0.1" \&\& $(du{uri.host}) != "127.0.0.3")/' \
  -e 's/(\$rd != "127.0.0.1")/($rd != "127.0.0.1" \&\& $rd != "127.0.0.3")/' \
  "$SRC/tests/data/kamailio/kamailio.cfg" >"$WORK/kam/kamailio.cfg"
kamailio -f "$WORK/kam/kamailio.cfg" -DD -E -Y "$WORK/kam" -w "$WORK/kam" -m 64 -M 8 >"$WORK/kamailio.log" 2>&1 &
PEER_PIDS+=($!)
wait_for 10 bash -c "$PROBE options 127.0.0.3 $P_KAM --host 127.0.0.3 | grep -q '^SIP/2.0 200'" \
  || fail "kamailio did not start: $(tail -20 "$WORK/kamailio.log")"

printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/extensions.conf" <<CONF
[from-kamailio]
exten => 100,1,Log(NOTICE,INBOUND via kamailio from \${CALLERID(num)})
 same => n,Answer()
 same => n,Wait(10)
 same => n,Hangup()
[default]
exten => 200,1,Dial(PJSIP/kamailio/sip:bob@127.0.0.3:$P_KAM,10)
 same => n,Hangup()
exten => h,1,Log(NOTICE,OUTBOUND \${DIALSTATUS})
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[kamailio]
type=endpoint
context=from-kamailio
outbound_auth=kam-auth

[kam-ip]
type=identify
endpoint=kamailio
match=127.0.0.3

[kam-auth]
type=auth
username=engine
password=secret

[to-kamailio]
type=registration
server_uri=sip:127.0.0.3:$P_KAM
client_uri=sip:engine@127.0.0.3
contact_user=engine
outbound_auth=kam-auth
retry_interval=1
CONF
start_daemon
wait_for 10 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'pjsip show registrations' | grep -q 'Registered'" \
  || fail "telephonyd did not register to kamailio: $(rx pjsip show registrations; tail -20 "$WORK/kamailio.log")"
pass "telephonyd registered to kamailio (401 digest)"

# A caller through kamailio to 100 (kamailio routes 100 to telephonyd, Record-Route on).
timeout 30 sipp 127.0.0.3:$P_KAM -sf "$SCEN/uac_invite_407.xml" -i 127.0.0.1 -p $P_CALLER -s 100 -au carol -ap secret \
  -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/in.err" >"$WORK/in.out" 2>&1 \
  || fail "call through kamailio to telephonyd failed: $(tail -5 "$WORK/in.err" 2>/dev/null)"
grep -q "INBOUND via kamailio from sipp" "$WORK/etc/log/messages" || fail "the call did not reach the from-kamailio context"
pass "call in through kamailio: 407 at kamailio, record-routed INVITE answered by the dialplan, BYE through the proxy"

# bob registers at kamailio, then answers as a UAS on the same port.
timeout 20 sipp 127.0.0.3:$P_KAM -sf "$SCEN/uac_register_auth.xml" -i 127.0.0.1 -p $P_BOB -s bob -au bob -ap secret \
  -nostdin -m 1 -timeout 15s >"$WORK/bobreg.out" 2>&1 || fail "bob could not register at kamailio"
timeout 30 sipp -sn uas -i 127.0.0.1 -p $P_BOB -nostdin -m 1 -timeout 20s -trace_msg -message_file "$WORK/bob_msgs.log" \
  >"$WORK/bob.out" 2>&1 &
BOB=$!
PEER_PIDS+=($BOB)
sleep 0.3
rx "channel originate Local/200@default application Wait 2" >/dev/null
wait "$BOB" || fail "bob's UAS did not see a complete call through kamailio: $(tail -20 "$WORK/bob.out")"
wait_for 5 grep -q "OUTBOUND ANSWER" "$WORK/etc/log/messages" || fail "outbound call through kamailio not answered"
grep -q "^Record-Route:" "$WORK/bob_msgs.log" || fail "kamailio did not record-route"
pass "call out through kamailio: 407 answered with outbound_auth, ACK and BYE follow the Record-Route"

stop_daemon
