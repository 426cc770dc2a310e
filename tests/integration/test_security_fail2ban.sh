#!/usr/bin/env bash
# The SECURITY log level: failed AMI logins (unknown user, wrong secret, wrong MD5 key, refused
# address) written in res_security_log's form, and Debian's fail2ban asterisk filter matching
# them with fail2ban-regex (a successful login is logged but not matched).
source "$(dirname "$0")/lib.sh"
FILTER=/etc/fail2ban/filter.d/asterisk.conf
command -v fail2ban-regex >/dev/null && [ -f "$FILTER" ] || fail "fail2ban-regex and $FILTER (Debian package fail2ban) are missing"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
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
SEC="$WORK/etc/log/security"
wait_for 5 bash -c "[ \$(grep -c SECURITY '$SEC') -ge 5 ]" || fail "security log: $(cat "$SEC" 2>/dev/null)"
for ev in InvalidAccountID InvalidPassword ChallengeResponseFailed FailedACL SuccessfulAuth; do
  grep -Eq "^\[[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}\] SECURITY\[[0-9]+\] security: SecurityEvent=\"$ev\",EventTV=\"[0-9T:.+-]+\",Severity=\"(Error|Informational)\",Service=\"AMI\",EventVersion=\"1\",AccountID=\"[a-z]+\",SessionID=\"0x[0-9a-f]+\",LocalAddress=\"IPV4/TCP/127.0.0.1/$PORT\",RemoteAddress=\"IPV4/TCP/127.0.0.1/[0-9]+\"" "$SEC" \
    || fail "no $ev line in res_security_log form: $(cat "$SEC")"
done
grep -q "SECURITY" "$WORK/etc/log/messages" && fail "security lines leaked into messages"
pass "failed and successful AMI logins on the SECURITY level, in res_security_log's form"
fail2ban-regex "$SEC" "$FILTER" >"$WORK/f2b.out" 2>&1 || fail "fail2ban-regex failed: $(cat "$WORK/f2b.out")"
grep -Eq "^Failregex: 4 total" "$WORK/f2b.out" || fail "fail2ban matched not 4 failures: $(cat "$WORK/f2b.out")"
grep -Eq "^Lines: 5 lines, 0 ignored, 4 matched, 1 missed" "$WORK/f2b.out" || fail "fail2ban lines: $(grep -E '^Lines' "$WORK/f2b.out")"
grep -q "127.0.0.1" "$WORK/f2b.out" || fail "fail2ban did not find the host"
pass "fail2ban-regex with Debian's asterisk filter matches the 4 failures (host 127.0.0.1), not the success"
stop_daemon
