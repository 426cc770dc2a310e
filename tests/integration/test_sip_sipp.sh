#!/usr/bin/env bash
# SIP against SIPp (Debian sip-tester) on loopback: OPTIONS, REGISTER with digest (401), bad
# passwords logged in fail2ban's form, unknown users kept out, calls in (BYE from each side,
# CANCEL before answer, re-INVITE hold/unhold), calls out answered and refused (486/404/503 →
# DIALSTATUS BUSY/CHANUNAVAIL/CONGESTION), outbound digest on 407, TCP, TLS, IPv6 on ::1, and a
# broken pjsip.conf refused with file:line.
source "$(dirname "$0")/lib.sh"
command -v sipp >/dev/null || fail "sipp is missing (Debian package sip-tester)"
command -v openssl >/dev/null || fail "openssl is missing"
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/tests/data/sipp"
SIPP_PIDS=()
sip_cleanup() { for p in "${SIPP_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; cleanup; }
trap sip_cleanup EXIT

P_UDP=$($PROBE freeport udp); P_TCP=$($PROBE freeport tcp); P_TLS=$($PROBE freeport tcp)
P_UDP6=$($PROBE freeport udp --host ::1); P_UAS=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp)
P_REGSRV=$($PROBE freeport udp); P_AMI=$($PROBE freeport tcp)
mkdir -p "$WORK/etc"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/etc/key.pem" -out "$WORK/etc/cert.pem" -days 2 \
  -subj "/CN=127.0.0.1" >/dev/null 2>&1 || fail "openssl could not make a test certificate"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[default]
exten => 100,1,Log(NOTICE,HEADER ${PJSIP_HEADER(read,From)} ID ${CALLERID(num)})
 same => n,Answer()
 same => n,Wait(10)
 same => n,Hangup()
exten => 101,1,Answer()
 same => n,Wait(1)
 same => n,Hangup()
exten => 102,1,Ringing()
 same => n,Wait(10)
 same => n,Hangup()
; DIALSTATUS is logged by the h extension: an answered call ends with the caller hanging up,
; which ends the dialplan before the priority after Dial().
exten => 200,1,Set(TAG=DIALRESULT)
 same => n,Dial(PJSIP/uas,5,b(addhdr^s^1))
 same => n,Hangup()
exten => 201,1,Set(TAG=DIALRESULT407)
 same => n,Dial(PJSIP/uas407,5)
 same => n,Hangup()
exten => 202,1,Set(TAG=DIALRESULTURI)
 same => n,Dial(SIP/uas/sip:direct@127.0.0.1:UASPORT,5)
 same => n,Hangup()
exten => h,1,Log(NOTICE,${TAG} ${DIALSTATUS})
exten => 300,1,Dial(PJSIP/uas,10)
 same => n,Hangup()
exten => 301,1,Log(NOTICE,TRANSFERRED ${BLINDTRANSFER})
 same => n,Wait(1)
 same => n,Hangup()

[addhdr]
exten => s,1,Set(PJSIP_HEADER(add,X-Test)=hello)
 same => n,Return()
CONF
sed -i "s/UASPORT/$P_UAS/" "$WORK/etc/extensions.conf"
cat >"$WORK/etc/pjsip.conf" <<CONF
[global]
type=global
user_agent=libtelephony-test

[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_UDP

[tcp]
type=transport
protocol=tcp
bind=127.0.0.1:$P_TCP

[tls]
type=transport
protocol=tls
bind=127.0.0.1:$P_TLS
cert_file=$WORK/etc/cert.pem
priv_key_file=$WORK/etc/key.pem
method=tlsv1_2

[udp6]
type=transport
protocol=udp
bind=[::1]:$P_UDP6

[phone](!)
type=endpoint
context=default
disallow=all
allow=ulaw,alaw

[alice](phone)
auth=alice
aors=alice
callerid="Alice" <2001>

[alice]
type=auth
auth_type=userpass
username=alice
password=secret

[alice]
type=aor
max_contacts=5

[uas](phone)
aors=uas

[uas]
type=aor
contact=sip:uas@127.0.0.1:$P_UAS

[uas407](phone)
aors=uas
outbound_auth=alice

[provider]
type=registration
server_uri=sip:127.0.0.1:$P_REGSRV
client_uri=sip:alice@127.0.0.1
contact_user=alice
outbound_auth=alice
retry_interval=1
expiration=300
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
# The provider's registrar (SIPp's reference registrar scenario) is up before telephonyd starts,
# so the first REGISTER reaches it.
timeout 60 sipp -sf "$SCEN/uas_register_auth.xml" -i 127.0.0.1 -p $P_REGSRV -nostdin -m 1 -timeout 50s \
  >"$WORK/regsrv.out" 2>&1 &
REGSRV_PID=$!
SIPP_PIDS+=($REGSRV_PID)
sleep 0.5
start_daemon

# --- OPTIONS on every transport --------------------------------------------------------------
[ "$($PROBE options 127.0.0.1 $P_UDP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS over UDP: $($PROBE options 127.0.0.1 $P_UDP)"
[ "$($PROBE options 127.0.0.1 $P_TCP --transport tcp)" = "SIP/2.0 200 OK" ] || fail "OPTIONS over TCP"
[ "$($PROBE options 127.0.0.1 $P_TLS --transport tls)" = "SIP/2.0 200 OK" ] || fail "OPTIONS over TLS"
[ "$($PROBE options ::1 $P_UDP6 --host ::1)" = "SIP/2.0 200 OK" ] || fail "OPTIONS over UDP on ::1"
pass "OPTIONS answered over UDP, TCP, TLS and IPv6 ::1"

sipp_run() {  # sipp_run NAME ARGS... : runs SIPp in the foreground, bounded, and records its exit
  local name=$1; shift
  timeout 30 sipp "$@" -nostdin -m 1 -timeout 20s -timeout_error -trace_err -error_file "$WORK/$name.err" \
    >"$WORK/$name.out" 2>&1
}

# --- REGISTER with digest ---------------------------------------------------------------------
sipp_run reg 127.0.0.1:$P_UDP -sf "$SCEN/uac_register_auth.xml" -i 127.0.0.1 -p $P_UAC -s alice -au alice -ap secret \
  || fail "REGISTER with digest failed: $(tail -5 "$WORK/reg.err" 2>/dev/null)"
rx "pjsip show contacts" | grep -q "alice/sip:alice@127.0.0.1:$P_UAC" || fail "contact not listed: $(rx pjsip show contacts)"
rx "pjsip show endpoint alice" | grep -q "Not in use" || fail "alice not NOT_INUSE after registering"
pass "REGISTER → 401 → REGISTER with credentials → 200, contact listed"

sipp_run badreg 127.0.0.1:$P_UDP -sf "$SCEN/uac_register_auth.xml" -i 127.0.0.1 -p $P_UAC -s alice -au alice -ap wrong \
  && fail "REGISTER with a wrong password succeeded"
wait_for 5 grep -q "Request 'REGISTER' from '<sip:alice@127.0.0.1>' failed for '127.0.0.1:$P_UAC' (callid: .*) - Failed to authenticate" \
  "$WORK/etc/log/messages" || fail "no fail2ban line for a wrong password: $(grep -i failed "$WORK/etc/log/messages")"
if command -v fail2ban-regex >/dev/null; then
  fail2ban-regex "$WORK/etc/log/messages" /etc/fail2ban/filter.d/asterisk.conf >"$WORK/f2b.out" 2>&1 || true
  grep -Eq "Failregex: [1-9][0-9]* total" "$WORK/f2b.out" || fail "fail2ban-regex found nothing: $(head -30 "$WORK/f2b.out")"
  pass "wrong password refused and logged in the form fail2ban's asterisk filter matches"
fi

# --- calls in -----------------------------------------------------------------------------------
sipp_run unknown 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_auth.xml" -i 127.0.0.1 -p $P_UAC -s 100 -key caller mallory \
  -au mallory -ap x && fail "an unknown caller got in"
grep -q "from '<sip:mallory@127.0.0.1:$P_UAC>' failed for '127.0.0.1:$P_UAC' (callid: .*) - No matching endpoint found" \
  "$WORK/etc/log/messages" || fail "no log line for an unknown caller"
rx "core show channels" | grep -q "^0 active channels" || fail "an unknown caller created a channel"
pass "unknown caller: challenged, refused (403), logged, no channel created"

sipp_run callin 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_auth.xml" -i 127.0.0.1 -p $P_UAC -s 100 -key caller alice \
  -au alice -ap secret || fail "call in (caller hangs up) failed: $(tail -5 "$WORK/callin.err" 2>/dev/null)"
grep -q "HEADER <sip:alice@127.0.0.1:$P_UAC>;tag=.* ID 2001" "$WORK/etc/log/messages" \
  || fail "PJSIP_HEADER(read,From) / CALLERID(num): $(grep HEADER "$WORK/etc/log/messages")"
pass "call in: INVITE 401 → INVITE → 100/200 → ACK → BYE from SIPp → 200; PJSIP_HEADER(read) and CALLERID from the endpoint's callerid (as res_pjsip)"

sipp_run remotebye 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_remote_bye.xml" -i 127.0.0.1 -p $P_UAC -s 101 -key caller alice \
  -au alice -ap secret || fail "call in (engine hangs up) failed: $(tail -5 "$WORK/remotebye.err" 2>/dev/null)"
pass "call in: the dialplan hangs up → BYE from the engine"

sipp_run cancel 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_cancel.xml" -i 127.0.0.1 -p $P_UAC -s 102 -key caller alice \
  -au alice -ap secret || fail "CANCEL before answer failed: $(tail -5 "$WORK/cancel.err" 2>/dev/null)"
pass "CANCEL before answer: 180, then 200 for CANCEL and 487 for the INVITE"

sipp_run hold 127.0.0.1:$P_UDP -sf "$SCEN/uac_invite_hold.xml" -i 127.0.0.1 -p $P_UAC -s 100 -key caller alice \
  -au alice -ap secret || fail "re-INVITE hold/unhold failed: $(tail -5 "$WORK/hold.err" 2>/dev/null)"
pass "re-INVITE hold (sendonly) and unhold (sendrecv) answered in the dialog"

# --- calls out ----------------------------------------------------------------------------------
uas() {  # uas NAME ARGS...: a SIPp UAS in the background for one call
  local name=$1; shift
  timeout 30 sipp "$@" -i 127.0.0.1 -p $P_UAS -nostdin -m 1 -timeout 20s -trace_err -error_file "$WORK/$name.err" \
    >"$WORK/$name.out" 2>&1 &
  SIPP_PIDS+=($!)
  UAS_PID=$!
  sleep 0.3
}
uas out_ok -sn uas -trace_msg -message_file "$WORK/uas_msgs.log"
rx "channel originate Local/200@default application Wait 2" >/dev/null
wait "$UAS_PID" || fail "SIPp UAS did not see a complete call: $(tail -5 "$WORK/out_ok.err" 2>/dev/null)"
wait_for 5 grep -q "DIALRESULT ANSWER" "$WORK/etc/log/messages" || fail "outbound call not answered"
grep -q "X-Test: hello" "$WORK/uas_msgs.log" || fail "PJSIP_HEADER(add) header not in the INVITE"
pass "call out to an AOR's static contact: answered, BYE from the engine; PJSIP_HEADER(add) from a pre-dial handler"

for spec in "486:Busy Here:BUSY" "404:Not Found:CHANUNAVAIL" "503:Service Unavailable:CONGESTION"; do
  IFS=: read -r code reason status <<<"$spec"
  # SIPp checks status codes when it loads a scenario, so the code is written into a copy.
  sed "s/\[code\]/$code/; s/\[reason\]/$reason/" "$SCEN/uas_reject.xml" >"$WORK/uas_$code.xml"
  uas "out_$code" -sf "$WORK/uas_$code.xml"
  rx "channel originate Local/200@default application Wait 2" >/dev/null
  wait "$UAS_PID" || true
  wait_for 8 grep -q "DIALRESULT $status" "$WORK/etc/log/messages" \
    || fail "$code did not give DIALSTATUS $status: $(grep DIALRESULT "$WORK/etc/log/messages")"
done
pass "outbound 486/404/503 → DIALSTATUS BUSY/CHANUNAVAIL/CONGESTION"

uas out_407 -sf "$SCEN/uas_invite_407.xml"
rx "channel originate Local/201@default application Wait 2" >/dev/null
wait "$UAS_PID" || fail "407 challenge not answered: $(tail -5 "$WORK/out_407.err" 2>/dev/null)"
wait_for 5 grep -q "DIALRESULT407 ANSWER" "$WORK/etc/log/messages" || fail "outbound call after 407 not answered"
pass "call out challenged with 407: Proxy-Authorization sent, answered"

uas out_uri -sn uas
rx "channel originate Local/202@default application Wait 1" >/dev/null
wait "$UAS_PID" || fail "SIP/uas/sip:… dial failed"
wait_for 5 grep -q "DIALRESULTURI ANSWER" "$WORK/etc/log/messages" || fail "explicit URI dial not answered"
pass "Dial(SIP/endpoint/sip:user@host:port) reaches the explicit URI"

# A blind transfer by REFER: SIPp A calls 300, which dials SIPp B; A transfers B to 301.
uas refer_b -sn uas
sipp_run refer 127.0.0.1:$P_UDP -sf "$SCEN/uac_refer.xml" -i 127.0.0.1 -p $P_UAC -s 300 -key caller alice \
  -key target 301 -au alice -ap secret || fail "REFER blind transfer failed: $(tail -5 "$WORK/refer.err" 2>/dev/null)"
wait "$UAS_PID" || fail "the transferred party did not finish its call: $(tail -5 "$WORK/refer_b.err" 2>/dev/null)"
wait_for 5 grep -q "TRANSFERRED SIP/alice-" "$WORK/etc/log/messages" || fail "transferee did not land in 301"
pass "REFER blind transfer: 202, NOTIFY sipfrag, the transferee continues at the Refer-To extension"

# --- TCP and IPv6 with SIPp -----------------------------------------------------------------------
P_TCPC=$($PROBE freeport tcp)
sipp_run regtcp 127.0.0.1:$P_TCP -t t1 -sf "$SCEN/uac_register_auth.xml" -i 127.0.0.1 -p $P_TCPC -s alice \
  -au alice -ap secret || fail "REGISTER over TCP failed: $(tail -5 "$WORK/regtcp.err" 2>/dev/null)"
pass "REGISTER with digest over TCP"
P_UAC6=$($PROBE freeport udp --host ::1)
sipp_run reg6 "[::1]:$P_UDP6" -sf "$SCEN/uac_register_auth.xml" -i ::1 -p $P_UAC6 -s alice -au alice -ap secret \
  || fail "REGISTER over IPv6 failed: $(tail -5 "$WORK/reg6.err" 2>/dev/null)"
rx "pjsip show contacts" | grep -q "alice/sip:alice@\[::1\]:$P_UAC6" || fail "IPv6 contact not listed: $(rx pjsip show contacts)"
pass "REGISTER with digest over UDP on ::1"

# --- outbound registration and AMI --------------------------------------------------------------
wait "$REGSRV_PID" || fail "outbound REGISTER not accepted by the SIPp registrar: $(tail -5 "$WORK/regsrv.out")"
wait_for 5 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'pjsip show registrations' | grep -q 'provider/sip:127.0.0.1:$P_REGSRV .* Registered'" \
  || fail "registration not shown Registered: $(rx pjsip show registrations)"
pass "outbound registration: REGISTER → 401 → REGISTER with credentials → 200, shown Registered"

ami() {  # ami ACTION-LINES...: logs in, sends one action, prints the reply up to its Complete event
  python3 - "$P_AMI" "$@" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")
f.readline()
s.sendall(b"Action: Login\r\nUsername: admin\r\nSecret: pw\r\nEvents: off\r\n\r\n")
action = "\r\n".join(sys.argv[2:]) + "\r\nActionID: t1\r\n\r\n"
s.sendall(action.encode())
out = []
while True:
    line = f.readline()
    if not line:
        break
    text = line.decode("utf-8", "replace").rstrip("\r\n")
    out.append(text)
    if text.startswith("EventList: Complete") or text == "Message: Endpoint found, will qualify":
        break
print("\n".join(out))
PY
}
ami "Action: PJSIPShowEndpoints" >"$WORK/ami1.out" || fail "AMI PJSIPShowEndpoints"
grep -q "Event: EndpointList" "$WORK/ami1.out" && grep -q "ObjectName: alice" "$WORK/ami1.out" \
  && grep -q "Event: EndpointListComplete" "$WORK/ami1.out" || fail "PJSIPShowEndpoints: $(cat "$WORK/ami1.out")"
ami "Action: PJSIPShowContacts" >"$WORK/ami2.out" || fail "AMI PJSIPShowContacts"
grep -q "Uri: sip:alice@127.0.0.1:$P_UAC" "$WORK/ami2.out" || fail "PJSIPShowContacts: $(cat "$WORK/ami2.out")"
ami "Action: PJSIPShowRegistrationsOutbound" >"$WORK/ami3.out" || fail "AMI PJSIPShowRegistrationsOutbound"
grep -q "Status: Registered" "$WORK/ami3.out" || fail "PJSIPShowRegistrationsOutbound: $(cat "$WORK/ami3.out")"
pass "AMI PJSIPShowEndpoints, PJSIPShowContacts, PJSIPShowRegistrationsOutbound list what the stack holds"

# --- configuration errors -----------------------------------------------------------------------
cp "$WORK/etc/pjsip.conf" "$WORK/good.conf"
printf '\n[carol]\ntype=endpoint\naors=nosuch\nbogus_option=1\n' >>"$WORK/etc/pjsip.conf"
"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 && fail "--check-config accepted a broken pjsip.conf"
grep -q "pjsip.conf:[0-9]*: unknown option 'bogus_option' for type=endpoint" "$WORK/check.out" || fail "no file:line: $(cat "$WORK/check.out")"
grep -q "aor 'nosuch' does not exist" "$WORK/check.out" || fail "missing reference not reported: $(cat "$WORK/check.out")"
out=$(rx "module reload res_pjsip.so") && fail "a broken reload exited 0"
[ "$($PROBE options 127.0.0.1 $P_UDP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS after a failed reload"
cp "$WORK/good.conf" "$WORK/etc/pjsip.conf"
rx "module reload res_pjsip.so" | grep -q "reloaded successfully" || fail "module reload res_pjsip.so"
pass "broken pjsip.conf refused with file:line; the running configuration keeps answering; reload works"

stop_daemon
