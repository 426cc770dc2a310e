#!/usr/bin/env bash
# SIP load benchmarks with SIPp, each against a baseline measured in the same run on this box:
#  1. call setup rate (INVITE-100-200-ACK-BYE, no media, answered by the dialplan) vs bare
#     sipp uac → sipp uas, 4 MB socket buffers on both;
#  2. REGISTER handling rate for 10,000 endpoints with digest (401 + authorized REGISTER), vs the
#     same REGISTER scenario against SIPp's reference registrar scenario;
#  3. thread count of telephonyd at 10 and at 2000 concurrent calls;
#  4. memory (RSS) per registered contact and per call in dialog state.
# Usage: benchmarks/sip_load.sh [BUILD_DIR] (run by `make bench`; never by ctest).
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TELEPHONYD=${TELEPHONYD:-$BUILD/bin/telephonyd}
PROBE="python3 $SRC/tests/integration/sip_probe.py"
command -v sipp >/dev/null || { echo "sip_load: sipp (sip-tester) is missing"; exit 1; }
WORK=$(mktemp -d /tmp/sip-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
BASE_RATE=${SIP_BENCH_BASE_RATE:-16000}  # the baseline ramp stops here
ENDPOINTS=${SIP_BENCH_ENDPOINTS:-10000}
BUF=4194304

rate_of() {  # rate_of STATFILE: successful calls per second over the run
  python3 - "$1" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1]), delimiter=';'))
h, last = rows[0], rows[-1]
ok = int(last[h.index('SuccessfulCall(C)')]); failed = int(last[h.index('FailedCall(C)')])
elapsed = last[h.index('ElapsedTime(C)')]
hh, mm, rest = elapsed.split(':'); secs = int(hh) * 3600 + int(mm) * 60 + float(rest.split(':')[0])
print(ok, failed, round(secs, 3), round(ok / secs if secs else 0, 1))
PY
}

# ---- 1. baseline: sipp uac -> sipp uas ------------------------------------------------------------
# The sustained rate: the highest offered rate (doubling from 250/s, 3 s each) that a bare SIPp
# pair completes at >= 99 %.
P_UAS=$($PROBE freeport udp)
sipp -sn uas -i 127.0.0.1 -p "$P_UAS" -buff_size $BUF -nostdin >/dev/null 2>&1 &
UAS_PID=$!
PIDS+=("$UAS_PID")
sleep 0.5
b_rate=0; b_ok=0; b_fail=0
offer=250
while [ "$offer" -le "$BASE_RATE" ]; do
  P_UAC=$($PROBE freeport udp)
  rm -f "$WORK/base.csv"
  (cd "$WORK" && timeout 60 sipp -sn uac 127.0.0.1:"$P_UAS" -i 127.0.0.1 -p "$P_UAC" -buff_size $BUF -m $((offer * 3)) \
    -r "$offer" -nostdin -trace_stat -stf base.csv -fd 1 >/dev/null 2>&1 || true)
  read -r ok failed _secs rate <<<"$(rate_of "$WORK/base.csv")"
  python3 -c "import sys; sys.exit(0 if int('$ok') >= 0.99 * ($offer * 3) else 1)" || break
  b_rate=$rate; b_ok=$ok; b_fail=$failed
  offer=$((offer * 2))
done
kill "$UAS_PID" 2>/dev/null || true
P_UAC=$($PROBE freeport udp)
# The engine is offered half the rate the bare SIPp pair sustained, for 10 s.
RATE=$(python3 -c "print(max(1, int(float('$b_rate') / 2)))")
ENG_CALLS=$((RATE * 10))
# ---- telephonyd -----------------------------------------------------------------------------------
P_SIP=$($PROBE freeport udp)
mkdir -p "$WORK/etc"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n[options]\nthreads = 2\n' >"$WORK/etc/telephony.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[bench]
exten => _X.,1,Answer()
 same => n,Wait(120)
CONF
{
  printf '[global]\ntype=global\nauth_failure_limit=0\n\n[udp]\ntype=transport\nprotocol=udp\nbind=127.0.0.1:%s\n\n' "$P_SIP"
  printf '[sipp]\ntype=endpoint\ncontext=bench\n[sipp-ip]\ntype=identify\nendpoint=sipp\nmatch=127.0.0.2\n\n'
  for i in $(seq 1 "$ENDPOINTS"); do
    printf '[u%d]\ntype=endpoint\ncontext=bench\nauth=u%d\naors=u%d\n[u%d/auth]\ntype=auth\nusername=u%d\npassword=p%d\n[u%d/aor]\ntype=aor\nmax_contacts=1\n' \
      "$i" "$i" "$i" "$i" "$i" "$i" "$i"
  done
} >"$WORK/etc/pjsip.conf"
# Each measurement gets a fresh daemon, so that RSS deltas are not hidden by memory the allocator
# kept from an earlier phase.
DPID=""
start_daemon() {
  "$TELEPHONYD" -C "$WORK/etc" -f >"$WORK/daemon.log" 2>&1 &
  DPID=$!
  PIDS+=("$DPID")
  for _ in $(seq 1 200); do [ -S "$WORK/etc/run/telephonyd.ctl" ] && break; sleep 0.1; done
  sleep 1
}
stop_daemon() {
  kill "$DPID" 2>/dev/null || true
  wait "$DPID" 2>/dev/null || true
  rm -f "$WORK/etc/run/telephonyd.ctl"
}
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$DPID/status"; }
threads() { awk '/Threads/ {print $2}' "/proc/$DPID/status"; }
start_daemon

# Calls come from 127.0.0.2 (identified as endpoint "sipp", no auth); the uac hangs up after 0 ms.
(cd "$WORK" && timeout 300 sipp -sn uac 127.0.0.1:"$P_SIP" -i 127.0.0.2 -p "$P_UAC" -buff_size $BUF -m "$ENG_CALLS" \
  -r "$RATE" -s 100 -nostdin -trace_stat -stf eng.csv -fd 1 >/dev/null 2>&1 || true)
read -r e_ok e_fail e_secs e_rate <<<"$(rate_of "$WORK/eng.csv")"

# ---- 2. REGISTER rate --------------------------------------------------------------------------------
{ echo SEQUENTIAL; for i in $(seq 1 "$ENDPOINTS"); do echo "u$i;[authentication username=u$i password=p$i]"; done; } >"$WORK/users.csv"
cat >"$WORK/reg.xml" <<'XML'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="REGISTER 401 per user">
  <send retrans="500"><![CDATA[

      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[field0]@[remote_ip]>;tag=[call_number]
      To: <sip:[field0]@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      Expires: 3600
      Content-Length: 0

  ]]></send>
  <recv response="401" auth="true"/>
  <send retrans="500"><![CDATA[

      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      Max-Forwards: 70
      From: <sip:[field0]@[remote_ip]>;tag=[call_number]
      To: <sip:[field0]@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 2 REGISTER
      Contact: <sip:[field0]@[local_ip]:[local_port]>
      [field1]
      Expires: 3600
      Content-Length: 0

  ]]></send>
  <recv response="200"/>
</scenario>
XML
stop_daemon
start_daemon
rss_before=$(rss_kb)
P_REG=$($PROBE freeport udp)
(cd "$WORK" && timeout 300 sipp 127.0.0.1:"$P_SIP" -sf reg.xml -inf users.csv -i 127.0.0.1 -p "$P_REG" -buff_size $BUF \
  -m "$ENDPOINTS" -r 2000 -nostdin -trace_stat -stf reg.csv -fd 1 >/dev/null 2>&1 || true)
read -r r_ok r_fail r_secs r_rate <<<"$(rate_of "$WORK/reg.csv")"
# Server transactions live 64*T1 (32 s) after their final response on UDP; measure after they are
# gone. RSS is an upper bound (the allocator keeps freed pages).
sleep 35
rss_after=$(rss_kb)
contacts=$("$TELEPHONYD" -C "$WORK/etc" -rx "pjsip show contacts" | grep -c "Contact:  u" || true)

# ---- 3/4. threads and memory per dialog ---------------------------------------------------------------
concurrent() {  # concurrent N: N calls held open (the dialplan waits), measured, then released
  local n=$1 p
  p=$($PROBE freeport udp)
  sipp -sn uac 127.0.0.1:"$P_SIP" -i 127.0.0.2 -p "$p" -buff_size $BUF -m "$n" -l "$n" -r 500 -d 60000 \
    -s 100 -nostdin >/dev/null 2>&1 &
  local uac=$!
  PIDS+=("$uac")
  local up=0
  for _ in $(seq 1 120); do
    up=$("$TELEPHONYD" -C "$WORK/etc" -rx "core show channels count" | grep -o '^[0-9]* active channel' | grep -o '^[0-9]*')
    [ "${up:-0}" -ge "$n" ] && break
    sleep 0.5
  done
  echo "$(threads) $(rss_kb) ${up:-0}"
  kill "$uac" 2>/dev/null || true
  "$TELEPHONYD" -C "$WORK/etc" -rx "channel request hangup all" >/dev/null 2>&1 || true
  sleep 2
}
stop_daemon
start_daemon
read -r t10 rss10 up10 <<<"$(concurrent 10)"
read -r t2000 rss2000 up2000 <<<"$(concurrent 2000)"
stop_daemon

python3 - <<PY
b_rate, e_rate = float("$b_rate"), float("$e_rate")
print("== sip_load (baseline ramp up to $BASE_RATE/s; engine offered $RATE/s x $ENG_CALLS; endpoints=$ENDPOINTS)")
print("call setup: baseline sipp uac->uas %.0f calls/s (%s ok, %s failed); telephonyd %.0f calls/s (%s ok, %s failed); ratio %.2f; completed %.2f %%"
      % (b_rate, "$b_ok", "$b_fail", e_rate, "$e_ok", "$e_fail", e_rate / b_rate if b_rate else 0,
         100.0 * int("$e_ok") / max(1, int("$e_ok") + int("$e_fail"))))
print("REGISTER: %s ok, %s failed in %s s = %.0f registrations/s; contacts listed %s"
      % ("$r_ok", "$r_fail", "$r_secs", float("$r_rate"), "$contacts"))
print("memory per contact: %.0f bytes" % ((int("$rss_after") - int("$rss_before")) * 1024 / max(1, int("$contacts"))))
print("threads: %s at %s live channels, %s at %s live channels" % ("$t10", "$up10", "$t2000", "$up2000"))
calls = max(1, int("$up2000") - int("$up10"))
print("memory per call in dialog: %.0f bytes (RSS delta over %d channels)" % ((int("$rss2000") - int("$rss10")) * 1024 / calls, calls))
PY
