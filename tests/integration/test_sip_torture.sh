#!/usr/bin/env bash
# The RFC 4475 torture messages and the RFC 5118 IPv6 messages sent to telephonyd over UDP: every
# valid request is answered (never with 400/505), every invalid one is refused with 400 (505 for
# the unknown version), responses with no transaction are dropped, the semantic cases get their
# RFC answers (416, 420, 415, 406 …), and the daemon still answers OPTIONS afterwards.
source "$(dirname "$0")/lib.sh"
SRC="${TELEPHONY_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
PROBE="python3 $SRC/tests/integration/sip_probe.py"
DATA="$SRC/tests/data/sip-torture"
P_UDP=$($PROBE freeport udp)
mkdir -p "$WORK/etc"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n' >"$WORK/etc/telephony.conf"
printf '[default]\nexten => 100,1,Answer()\n' >"$WORK/etc/extensions.conf"
cat >"$WORK/etc/pjsip.conf" <<CONF
[global]
type=global
auth_failure_limit=1000

[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_UDP
[alice]
type=endpoint
context=default
auth=alice
aors=alice
[alice]
type=auth
username=alice
password=secret
[alice]
type=aor
max_contacts=1
CONF
start_daemon

# expected: a status code, "ANY" (answered, but not 400/505), or "NONE" (dropped). mpart01 is a
# MESSAGE from a sender no endpoint matches: challenged (401) like any unknown request.
declare -A want=(
  [wsinv.dat]=ANY [intmeth.dat]=501 [esc01.dat]=ANY [escnull.dat]=ANY [esc02.dat]=501 [lwsdisp.dat]=ANY
  [longreq.dat]=ANY [dblreq.dat]=ANY [semiuri.dat]=ANY [transports.dat]=ANY [mpart01.dat]=401
  [unreason.dat]=NONE [noreason.dat]=NONE
  [badinv01.dat]=400 [clerr.dat]=400 [ncl.dat]=400 [scalar02.dat]=400 [scalarlg.dat]=NONE [quotbal.dat]=400
  [ltgtruri.dat]=400 [lwsruri.dat]=400 [lwsstart.dat]=400 [trws.dat]=400 [escruri.dat]=400 [baddate.dat]=400
  [regbadct.dat]=400 [badaspec.dat]=400 [baddn.dat]=400 [badvers.dat]=505 [mismatch01.dat]=400 [mismatch02.dat]=400
  [bigcode.dat]=NONE
  [badbranch.dat]=400 [insuf.dat]=400 [unkscm.dat]=416 [novelsc.dat]=416 [unksm2.dat]=400 [bext01.dat]=420
  [invut.dat]=415 [regaut01.dat]=401 [multi01.dat]=400 [mcl01.dat]=400 [bcast.dat]=NONE [zeromf.dat]=200
  [cparam01.dat]=401 [cparam02.dat]=401 [regescrt.dat]=401 [sdp01.dat]=406 [inv2543.dat]=401
)
# How long a probe waits: 1 s to conclude a message is dropped (as before), but 5 s for an answer
# we expect, which comes at once unless the box is loaded (1 s lost an answer under load).
answer_within() { [ "$1" = NONE ] && echo 1 || echo 5; }
n=0
for f in "${!want[@]}"; do
  got=$($PROBE send "$DATA/rfc4475/dat/$f" 127.0.0.1 "$P_UDP" --timeout "$(answer_within "${want[$f]}")" --unique-branch)
  code=$(echo "$got" | awk '/^SIP\/2.0/ {print $2}')
  case "${want[$f]}" in
    NONE) [ "$got" = "NO RESPONSE" ] || fail "$f: expected no response, got '$got'" ;;
    ANY) [ -n "$code" ] && [ "$code" != 400 ] && [ "$code" != 505 ] || fail "$f: expected an answer, got '$got'" ;;
    *) [ "$code" = "${want[$f]}" ] || fail "$f: expected ${want[$f]}, got '$got'" ;;
  esac
  n=$((n + 1))
done
[ "$n" -eq 49 ] || fail "ran $n RFC 4475 cases, expected 49"
pass "RFC 4475: 49 messages, each answered, refused or dropped as the RFC says"

declare -A want6=(
  [ipv6-good.dat]=ANY [ipv6-bad.dat]=400 [port-ambiguous.dat]=ANY [port-unambiguous.dat]=ANY
  [via-received-param-with-delim.dat]=ANY [via-received-param-no-delim.dat]=ANY [ipv6-in-sdp.dat]=ANY
  [mult-ip-in-header.dat]=ANY [mult-ip-in-sdp.dat]=ANY [ipv4-mapped-ipv6.dat]=ANY
  [ipv6-bug-abnf-3-colons.dat]=ANY [ipv6-correct-abnf-2-colons.dat]=ANY
)
for f in "${!want6[@]}"; do
  got=$($PROBE send "$DATA/rfc5118/wire/$f" 127.0.0.1 "$P_UDP" --timeout "$(answer_within "${want6[$f]}")" --unique-branch)
  code=$(echo "$got" | awk '/^SIP\/2.0/ {print $2}')
  case "${want6[$f]}" in
    ANY) [ -n "$code" ] && [ "$code" != 400 ] && [ "$code" != 505 ] || fail "$f: expected an answer, got '$got'" ;;
    *) [ "$code" = "${want6[$f]}" ] || fail "$f: expected ${want6[$f]}, got '$got'" ;;
  esac
done
pass "RFC 5118: 12 IPv6 messages answered or refused as the RFC says"

[ "$($PROBE options 127.0.0.1 $P_UDP)" = "SIP/2.0 200 OK" ] || fail "OPTIONS after the torture run"
kill -0 "$DAEMON_PID" || fail "telephonyd died"
pass "telephonyd still answers OPTIONS"
stop_daemon
