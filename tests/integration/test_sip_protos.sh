#!/usr/bin/env bash
# The PROTOS c07-sip suite (4527 malformed INVITEs, each followed by its teardown) replayed against
# telephonyd over UDP, with an OPTIONS health check every 250 cases; the daemon must still answer
# OPTIONS at the end (PROTOS' pass criterion: no crash, no hang).
source "$(dirname "$0")/lib.sh"
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
PROTOS="$SRC/tests/data/sip-torture/protos"
P_UDP=$($PROBE freeport udp); P_LOCAL=$($PROBE freeport udp)
mkdir -p "$WORK/etc" "$WORK/protos"
tar xzf "$PROTOS/protos-c07-sip.tar.gz" -C "$WORK/protos" || fail "cannot unpack the PROTOS cases"
CASES=$(dirname "$(find "$WORK/protos" -name 0000000 | head -1)")
[ -f "$CASES/0004526" ] || fail "PROTOS cases missing in the archive"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n' >"$WORK/etc/telephony.conf"
printf '[default]\nexten => test,1,Hangup()\n' >"$WORK/etc/extensions.conf"
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_UDP
CONF
start_daemon
PROTOS_CASES="$CASES" timeout 250 python3 "$PROTOS/protos_sip.py" replay 0 4526 --port "$P_UDP" --lport "$P_LOCAL" \
  --wait 0.004 --health-every 250 >"$WORK/protos.json" 2>&1 || fail "PROTOS replay failed: $(tail -30 "$WORK/protos.json")"
grep -q '"final_health": true' "$WORK/protos.json" || fail "no final health: $(tail -20 "$WORK/protos.json")"
kill -0 "$DAEMON_PID" || fail "telephonyd died during PROTOS"
[ "$($PROBE options 127.0.0.1 $P_UDP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS after PROTOS"
pass "PROTOS c07-sip: 4527 cases replayed, telephonyd still answers OPTIONS"
stop_daemon
