#!/usr/bin/env bash
# The PROTOS c07-sip suite (4527 malformed INVITEs, each followed by its teardown) replayed against
# telephonyd over UDP, with an OPTIONS health check every 250 cases; the daemon must still answer
# OPTIONS at the end (PROTOS' pass criterion: no crash, no hang). The cases too large for one UDP
# datagram (116 of them, up to ~100 KB) are then sent over TCP: each is answered or its connection
# closed at the message size limit, none hangs, and OPTIONS is still answered on both transports.
source "$(dirname "$0")/lib.sh"
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
PROTOS="$SRC/tests/data/sip-torture/protos"
P_UDP=$($PROBE freeport udp); P_LOCAL=$($PROBE freeport udp); P_TCP=$($PROBE freeport tcp)
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
[tcp]
type=transport
protocol=tcp
bind=127.0.0.1:$P_TCP
CONF
start_daemon
PROTOS_CASES="$CASES" timeout 250 python3 "$PROTOS/protos_sip.py" replay 0 4526 --port "$P_UDP" --lport "$P_LOCAL" \
  --wait 0.004 --health-every 250 >"$WORK/protos.json" 2>&1 || fail "PROTOS replay failed: $(tail -30 "$WORK/protos.json")"
grep -q '"final_health": true' "$WORK/protos.json" || fail "no final health: $(tail -20 "$WORK/protos.json")"
kill -0 "$DAEMON_PID" || fail "telephonyd died during PROTOS"
[ "$($PROBE options 127.0.0.1 $P_UDP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS after PROTOS"
pass "PROTOS c07-sip: 4527 cases replayed, telephonyd still answers OPTIONS"
mkdir -p "$WORK/render"
timeout 200 python3 "$SRC/tests/integration/protos_tcp.py" "$CASES" "$P_TCP" "$WORK/render" >"$WORK/tcp.json" 2>&1 \
  || fail "PROTOS over TCP: $(tail -5 "$WORK/tcp.json")"
OVERSIZED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["oversized_messages"])' "$WORK/tcp.json")
[ "$OVERSIZED" -ge 116 ] || fail "expected the 116 oversized PROTOS messages, rendered $OVERSIZED: $(cat "$WORK/tcp.json")"
kill -0 "$DAEMON_PID" || fail "telephonyd died during the oversized PROTOS cases over TCP"
[ "$($PROBE options 127.0.0.1 $P_TCP --transport tcp)" = "SIP/2.0 200 OK" ] || fail "OPTIONS over TCP after the oversized cases"
[ "$($PROBE options 127.0.0.1 $P_UDP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS over UDP after the oversized cases"
pass "PROTOS oversized cases over TCP: $(cat "$WORK/tcp.json")"
stop_daemon
