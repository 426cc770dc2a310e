#!/usr/bin/env bash
# The SECURITY log level: every service's security events from the one SecurityEvent on the bus,
# in res_security_log's form — failed AMI logins (unknown user, wrong secret, wrong MD5 key,
# refused address) and failed SIP REGISTERs from SIPp (wrong password, unknown account) — and
# Debian's fail2ban asterisk filter matching every failure of both services with fail2ban-regex
# (successes and challenges are logged but not matched).
source "$(dirname "$0")/lib.sh"
FILTER=/etc/fail2ban/filter.d/asterisk.conf
command -v fail2ban-regex >/dev/null && [ -f "$FILTER" ] || fail "fail2ban-regex and $FILTER (Debian package fail2ban) are missing"
require_commands sipp
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
free_port() { /usr/bin/python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1]=="udp" else socket.SOCK_STREAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' "$1"; }
PORT=$(free_port tcp)
P_SIP=$(free_port udp)
P_UAC=$(free_port udp)
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
cat >"$WORK/etc/logger.conf" <<'CONF'
[logfiles]
messages => notice,warning,error
security => security
CONF
cat >"$WORK/etc/manager.conf" <<CONF
[general]
port = $PORT
bindaddr = 127.0.0.1
[it]
secret = itsecret
read = all
write = all
[fenced]
secret = fencedsecret
deny = 0.0.0.0/0.0.0.0
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[alice]
type=endpoint
context=default
auth=alice
aors=alice

[alice]
type=auth
auth_type=userpass
username=alice
password=secret

[alice]
type=aor
max_contacts=1
CONF
start_daemon
ami() {  # ami "<headers>" -> the response
  /usr/bin/python3 - "$PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5)
s.recv(256)
s.sendall(sys.argv[2].replace('|', '\r\n').encode() + b'\r\n\r\n')
data = b''
while b'\r\n\r\n' not in data:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.decode().split('\r\n\r\n')[0])
PY
}
ami 'Action: Login|Username: nobody|Secret: x' | grep -q "Authentication failed" || fail "unknown user accepted"
ami 'Action: Login|Username: it|Secret: wrong' | grep -q "Authentication failed" || fail "wrong secret accepted"
ami 'Action: Login|Username: it|AuthType: MD5|Key: 0123' | grep -q "Authentication failed" || fail "bad MD5 accepted"
ami 'Action: Login|Username: fenced|Secret: fencedsecret' | grep -q "Authentication failed" || fail "denied address accepted"
ami 'Action: Login|Username: it|Secret: itsecret' | grep -q "Authentication accepted" || fail "good login refused"
sipp_register() {  # sipp_register USER PASSWORD: one digest REGISTER from SIPp, bounded
  timeout 20 sipp 127.0.0.1:$P_SIP -sf "$SRC/tests/data/sipp/uac_register_auth.xml" -i 127.0.0.1 -p $P_UAC \
    -s "$1" -au "$1" -ap "$2" -nostdin -m 1 -timeout 10s -timeout_error >"$WORK/sipp-$1.out" 2>&1
}
sipp_register alice wrong && fail "SIP REGISTER with a wrong password succeeded"
sipp_register mallory x && fail "SIP REGISTER of an unknown account succeeded"
SEC="$WORK/etc/log/security"
wait_for 5 bash -c "[ \$(grep -c 'Service=\"AMI\"' '$SEC') -ge 5 ] && grep -q 'Service=\"PJSIP\"' '$SEC'" \
  || fail "security log: $(cat "$SEC" 2>/dev/null)"
for ev in InvalidAccountID InvalidPassword ChallengeResponseFailed FailedACL SuccessfulAuth; do
  grep -Eq "^\[[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}\] SECURITY\[[0-9]+\] security: SecurityEvent=\"$ev\",EventTV=\"[0-9T:.+-]+\",Severity=\"(Error|Informational)\",Service=\"AMI\",EventVersion=\"1\",AccountID=\"[a-z]+\",SessionID=\"0x[0-9a-f]+\",LocalAddress=\"IPV4/TCP/127.0.0.1/$PORT\",RemoteAddress=\"IPV4/TCP/127.0.0.1/[0-9]+\"" "$SEC" \
    || fail "no $ev line in res_security_log form: $(cat "$SEC")"
done
grep -q "SECURITY" "$WORK/etc/log/messages" && fail "security lines leaked into messages"
pass "failed and successful AMI logins on the SECURITY level, in res_security_log's form"
SIP_FAILED='SecurityEvent="(InvalidPassword|ChallengeResponseFailed)",.*Service="PJSIP",EventVersion="1",AccountID="alice",SessionID="[^"]+",LocalAddress="IPV4/UDP/127.0.0.1/'$P_SIP'",RemoteAddress="IPV4/UDP/127.0.0.1/'$P_UAC'"'
SIP_UNKNOWN='SecurityEvent="InvalidAccountID",.*Service="PJSIP",EventVersion="1",AccountID="mallory",.*RemoteAddress="IPV4/UDP/127.0.0.1/'$P_UAC'"'
grep -Eq "^\[[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}\] SECURITY\[[0-9]+\] security: $SIP_FAILED" "$SEC" || fail "no SIP wrong-password line: $(grep PJSIP "$SEC")"
grep -Eq "^\[[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}\] SECURITY\[[0-9]+\] security: $SIP_UNKNOWN" "$SEC" || fail "no SIP unknown-account line: $(grep PJSIP "$SEC")"
pass "failed SIP REGISTERs (wrong password, unknown account) on the same SECURITY level, Service PJSIP"
sleep 0.5  # late lines of the last exchange
LINES=$(grep -c SECURITY "$SEC")
FAILURES=$(grep -cE 'SecurityEvent="(FailedACL|InvalidAccountID|ChallengeResponseFailed|InvalidPassword)"' "$SEC")
SIP_FAILURES=$(grep -E 'SecurityEvent="(FailedACL|InvalidAccountID|ChallengeResponseFailed|InvalidPassword)"' "$SEC" | grep -c 'Service="PJSIP"')
[ "$FAILURES" -eq $((4 + SIP_FAILURES)) ] && [ "$SIP_FAILURES" -ge 2 ] || fail "failures: $FAILURES total, $SIP_FAILURES SIP"
fail2ban-regex "$SEC" "$FILTER" >"$WORK/f2b.out" 2>&1 || fail "fail2ban-regex failed: $(cat "$WORK/f2b.out")"
grep -Eq "^Failregex: $FAILURES total" "$WORK/f2b.out" || fail "fail2ban matched not $FAILURES failures: $(cat "$WORK/f2b.out")"
grep -Eq "^Lines: $LINES lines, 0 ignored, $FAILURES matched, $((LINES - FAILURES)) missed" "$WORK/f2b.out" \
  || fail "fail2ban lines ($LINES lines, $FAILURES failures): $(grep -E '^Lines' "$WORK/f2b.out")"
grep -q "127.0.0.1" "$WORK/f2b.out" || fail "fail2ban did not find the host"
pass "fail2ban-regex with Debian's asterisk filter matches all $FAILURES failures (4 AMI, $SIP_FAILURES SIP; host 127.0.0.1), not the $((LINES - FAILURES)) successes and challenges"
stop_daemon
