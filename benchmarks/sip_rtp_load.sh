#!/usr/bin/env bash
# Bridged G.711 calls through telephonyd, set up by SIPp, with RTP both ways, measured from outside
# against a bare recvmmsg+sendmmsg relay loop at the same packet rate in the same run:
#  - SIPp UAC (benchmarks/sipp/rtp_uac.xml) calls endpoint "caller" on transport A; the dialplan
#    Dial()s endpoint "callee" on transport B, a SIPp UAS (rtp_uas.xml) that answers. Both SDPs
#    point the media at rtp_loadgen's two sockets (A = every caller phone, B = every callee phone);
#    the scenarios log the engine's RTP port of each leg, rtp_loadgen sends a 20 ms PCMU packet per
#    call per direction per tick to them and receives what the engine relays (SIPp cannot carry
#    the RTP of 2000 calls on 2 cores: its pcap play is a thread per call).
#  - For N in $SIP_RTP_CALLS (10 200 2000): telephonyd CPU (/proc/PID/stat utime+stime) over the
#    window / packets relayed, loss (stamped send window vs received, exact), mean/max one-way
#    latency, threads and RSS with N calls up; then `rtp_loadgen bare` over 2N sockets at the same
#    rate (its relay thread's CPU per packet). Memory per call = RSS delta / call delta.
# Usage: benchmarks/sip_rtp_load.sh [BUILD_DIR]   (run by `make bench`; docs/benchmarks/rtp.md)
# Env: SIP_RTP_CALLS, SIP_RTP_SECONDS (window, 10), SIP_RTP_WARMUP (2), SIP_RTP_RATE (calls/s, 200),
#      SIP_RTP_SETTLE (seconds between the last call up and the RSS reading before RTP, 1),
#      SIP_RTP_MAX_LOSS (percent: exit 1 when any phase lost more, for the smoke test),
#      SIP_RTP_NO_BARE=1 (skip the baseline), TELEPHONYD, RTP_LOADGEN.
set -euo pipefail
BUILD=${1:-build}
SRC=$(cd "$(dirname "$0")/.." && pwd)
TELEPHONYD=${TELEPHONYD:-$BUILD/bin/telephonyd}
LOADGEN=${RTP_LOADGEN:-$BUILD/bin/rtp_loadgen}
CALLS=${SIP_RTP_CALLS:-10 200 2000}
WINDOW=${SIP_RTP_SECONDS:-10}
WARMUP=${SIP_RTP_WARMUP:-2}
RATE=${SIP_RTP_RATE:-200}
MAX_LOSS=${SIP_RTP_MAX_LOSS:-}
PROBE="python3 $SRC/tests/integration/sip_probe.py"
SCEN="$SRC/benchmarks/sipp"
for tool in sipp python3; do command -v $tool >/dev/null || { echo "sip_rtp_load: $tool is missing (sip-tester for sipp)"; exit 1; }; done
[ -x "$TELEPHONYD" ] || { echo "sip_rtp_load: $TELEPHONYD is missing"; exit 1; }
[ -x "$LOADGEN" ] || { echo "sip_rtp_load: $LOADGEN is missing"; exit 1; }
# 2000 calls = 4000 legs = 8000 RTP/RTCP sockets in telephonyd, 4000 in the baseline.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
WORK=$(mktemp -d /tmp/sip-rtp-bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
BUF=4194304
RTP_START=$((20000 + (RANDOM % 20) * 100))
# rtp_loadgen binds the phones' two media ports only when a phase starts, after telephonyd has
# taken up to 8000 ports of its RTP range for the calls: keep them (and every other port the
# script picks) outside that range, or the 2000-call phase fails with "Address already in use".
port_outside_rtp() {
  local p
  while :; do
    p=$($PROBE freeport "$1")
    if [ "$p" -lt "$RTP_START" ] || [ "$p" -gt $((RTP_START + 12000)) ]; then echo "$p"; return; fi
  done
}
P_SIP_A=$(port_outside_rtp udp); P_SIP_B=$(port_outside_rtp udp)
P_UAC=$(port_outside_rtp udp); P_UAS=$(port_outside_rtp udp)
P_MEDIA_A=$(port_outside_rtp udp); P_MEDIA_B=$(port_outside_rtp udp); P_HTTP=$(port_outside_rtp tcp)

mkdir -p "$WORK/etc"
printf '[directories]\nrundir => run\nlogdir => log\nspooldir => spool\n[options]\nthreads = 2\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => warning,error\n' >"$WORK/etc/logger.conf"
# The engine's own RTP counters (telephony_rtp_packets_total) say where lost packets went.
printf '[general]\nenabled = yes\nbindaddr = 127.0.0.1\nbindport = %s\n' "$P_HTTP" >"$WORK/etc/http.conf"
printf '[general]\nenabled = yes\n' >"$WORK/etc/prometheus.conf"
printf '[general]\nrtpstart=%s\nrtpend=%s\nbindaddr=127.0.0.1\n' $RTP_START $((RTP_START + 12000)) >"$WORK/etc/rtp.conf"
cat >"$WORK/etc/extensions.conf" <<'CONF'
[bench]
exten => _X.,1,Dial(PJSIP/callee,10)
 same => n,Hangup()
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[global]
type=global
auth_failure_limit=0

[udp-a]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP_A

[udp-b]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP_B

; The SIPp UAC, identified by its From user (identify_by=username).
[caller]
type=endpoint
context=bench
transport=udp-a
disallow=all
allow=ulaw

[callee]
type=endpoint
context=bench
transport=udp-b
disallow=all
allow=ulaw
aors=callee

[callee]
type=aor
contact=sip:callee@127.0.0.1:$P_UAS
CONF

"$TELEPHONYD" -C "$WORK/etc" -f >"$WORK/daemon.log" 2>&1 &
DPID=$!
PIDS+=("$DPID")
for _ in $(seq 1 200); do [ -S "$WORK/etc/run/telephonyd.ctl" ] && break; sleep 0.1; done
[ -S "$WORK/etc/run/telephonyd.ctl" ] || { echo "sip_rtp_load: telephonyd did not start"; cat "$WORK/daemon.log"; exit 1; }
sleep 1
rx() { timeout 20 "$TELEPHONYD" -C "$WORK/etc" -rx "$1" 2>/dev/null || true; }
channels() { rx "core show channels count" | grep -o '^[0-9]* active channel' | grep -o '^[0-9]*' || echo 0; }
rtp_counters() {  # "rx tx" packets of every RTP stream of telephonyd so far
  python3 - "$P_HTTP" <<'PY2' || echo "0 0"
import re, sys, urllib.request
text = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % sys.argv[1], timeout=20).read().decode()
v = {d: float(m) for d, m in re.findall(r'^telephony_rtp_packets_total\{direction="(rx|tx)"\} (\S+)', text, re.M)}
print(int(v.get("rx", 0)), int(v.get("tx", 0)))
PY2
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
status() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$DPID/status"; }
idle_threads=$(status Threads); idle_rss=$(status VmRSS)

(cd "$WORK" && exec sipp -sf "$SCEN/rtp_uas.xml" -i 127.0.0.1 -p "$P_UAS" -buff_size $BUF -key media_sink "$P_MEDIA_B" \
  -trace_logs -log_file "$WORK/uas_ports.log" -nostdin >"$WORK/uas.out" 2>&1) &
PIDS+=("$!")
sleep 0.5

RESULTS="$WORK/results.txt"
: >"$RESULTS"
status_rc=0
for n in $CALLS; do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  uas_before=$(lines "$WORK/uas_ports.log")
  rm -f "$WORK/uac_ports.log"
  (cd "$WORK" && exec timeout 900 sipp -sf "$SCEN/rtp_uac.xml" 127.0.0.1:"$P_SIP_A" -i 127.0.0.1 -p "$P_UAC" -s 100 \
    -buff_size $BUF -m "$n" -l "$n" -r "$RATE" -d 3600000 -key media_sink "$P_MEDIA_A" \
    -trace_logs -log_file "$WORK/uac_ports.log" -nostdin >"$WORK/uac.out" 2>&1) &
  UAC=$!
  PIDS+=("$UAC")
  # Every call answered: n ports logged by each side (the logs are written per action).
  up_a=0; up_b=0
  for _ in $(seq 1 $((60 + n / 10))); do
    up_a=$(lines "$WORK/uac_ports.log")
    up_b=$(($(lines "$WORK/uas_ports.log") - uas_before))
    [ "$up_a" -ge "$n" ] && [ "$up_b" -ge "$n" ] && break
    sleep 1
  done
  chans=$(channels)
  # SIP transactions live 64*T1 (32 s) after their final response on UDP: SIP_RTP_SETTLE=35 waits
  # them out so that RSS is the calls' own memory.
  sleep "${SIP_RTP_SETTLE:-1}"
  # Before any RTP: the calls' signalling and media state only (no queued frames, no jitter fill).
  rss_setup=$(status VmRSS); threads_setup=$(status Threads)
  # Which path the calls took: NativeRelay in `core show channel` of five sampled legs.
  native=0; sampled=0
  for ch in $(rx "core show channels concise" | cut -d'!' -f1 | grep '^SIP/' | awk -v step="$(( chans / 5 > 0 ? chans / 5 : 1 ))" 'NR % step == 1 || step == 1' | head -5); do
    sampled=$((sampled + 1))
    rx "core show channel $ch" | grep -q 'NativeRelay: on' && native=$((native + 1))
  done
  grep -o '[0-9]*' "$WORK/uac_ports.log" >"$WORK/a_targets"
  tail -n +"$((uas_before + 1))" "$WORK/uas_ports.log" | grep -o '[0-9]*' >"$WORK/b_targets"
  echo "sip_rtp_load: $n calls: $up_a answered at SIPp UAC, $up_b at SIPp UAS, $chans channels in telephonyd, native relay on $native of $sampled sampled legs (load $load)" >&2
  if [ "$up_a" -ne "$up_b" ] || [ "$up_a" -eq 0 ]; then
    echo "sip_rtp_load: $n calls: legs do not pair up ($up_a callers, $up_b callees); see $WORK/uac.out" >&2
    tail -5 "$WORK/uac.out" >&2 || true
    status_rc=1
  else
    read -r rx0 tx0 <<<"$(rtp_counters)"
    eng=$(timeout $((WINDOW + WARMUP + 60)) "$LOADGEN" engine --pid "$DPID" --a-port "$P_MEDIA_A" --b-port "$P_MEDIA_B" \
      --a-targets "$WORK/a_targets" --b-targets "$WORK/b_targets" --warmup "$WARMUP" --seconds "$WINDOW" || true)
    load_end=$(cut -d' ' -f1-3 /proc/loadavg)
    read -r rx1 tx1 <<<"$(rtp_counters)"
    eng="$eng engine_rx=$((rx1 - rx0)) engine_tx=$((tx1 - tx0))"
    bare=""
    if [ -z "${SIP_RTP_NO_BARE:-}" ]; then
      bare=$(timeout $((WINDOW + WARMUP + 60)) "$LOADGEN" bare --calls "$up_a" --warmup "$WARMUP" --seconds "$WINDOW" || true)
    fi
    echo "n=$n chans=$chans native=$native/$sampled rss_setup=$rss_setup threads_setup=$threads_setup load=\"$load / $load_end\" ENGINE $eng BARE $bare" >>"$RESULTS"
    echo "  engine: $eng" >&2
    echo "  bare:   $bare" >&2
  fi
  # Release: the engine hangs up every call (BYE both ways; SIPp answers the BYE it did not expect).
  rx "channel request hangup all" >/dev/null
  for _ in $(seq 1 60); do [ "$(channels)" -eq 0 ] && break; sleep 1; done
  kill "$UAC" 2>/dev/null || true
  wait "$UAC" 2>/dev/null || true
done

py_rc=0
python3 - "$RESULTS" "$idle_threads" "$idle_rss" "${MAX_LOSS:-}" <<'PY' || py_rc=$?
import re, shlex, sys
path, idle_threads, idle_rss, max_loss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rows = []
for line in open(path):
    head, _, rest = line.partition(" ENGINE ")
    eng, _, bare = rest.partition(" BARE ")
    kv = lambda s: dict(x.split("=", 1) for x in s.split() if "=" in x)
    h = dict(x.split("=", 1) for x in shlex.split(head))
    e = kv(eng)
    e["rss_setup"], e["threads_setup"] = h["rss_setup"], h["threads_setup"]
    e["native"] = h["native"]
    rows.append((int(h["n"]), h["load"], e, kv(bare)))
print("== sip_rtp_load: telephonyd idle: %d threads, %d KB RSS" % (idle_threads, idle_rss))
print("| calls | path (native legs / sampled) | load (1/5/15 min, start / end) | engine pkts/s | loss | engine ns/pkt | bare ns/pkt | ratio | bare loss | latency mean / max µs (engine) | latency mean µs (bare) | threads | RSS KB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
bad = False
for n, load, e, b in rows:
    en, bn = float(e.get("ns_per_pkt", 0)), float(b.get("ns_per_pkt", 0) or 0)
    ratio = "%.2f" % (en / bn) if bn else "—"
    print("| %d | %s | %s | %s | %s %% | %s | %s | %s | %s | %s / %s | %s | %s | %s |" % (
        n, e["native"], load, e.get("pps"), e.get("loss_pct"), e.get("ns_per_pkt"), b.get("ns_per_pkt", "—"), ratio,
        (b.get("loss_pct", "—") + " %") if b else "—", e.get("lat_us"), e.get("max_lat_us"), b.get("lat_us", "—"),
        e.get("threads"), e.get("rss_kb")))
    if max_loss and float(e.get("loss_pct", 100)) > float(max_loss):
        bad = True
    if int(e.get("received", 0)) == 0:
        bad = True
by_n = {n: e for n, _, e, _ in rows}
ns = sorted(by_n)
print("Where packets went, whole loadgen run (warm-up + window + drain): sent by the phones -> received by")
print("telephonyd (its RTP rx counter) -> sent by telephonyd (tx) -> received by the phones:")
for n, _, e, _ in rows:
    if "sent_total" in e and "engine_rx" in e:
        print("  %d calls: %s -> %s -> %s -> %s" % (n, e["sent_total"], e["engine_rx"], e["engine_tx"], e["received_total"]))
if len(ns) >= 2:
    lo, hi = ns[0], ns[-1]
    d = (int(by_n[hi]["rss_kb"]) - int(by_n[lo]["rss_kb"])) * 1024 / (hi - lo)
    d0 = (int(by_n[hi]["rss_setup"]) - int(by_n[lo]["rss_setup"])) * 1024 / (hi - lo)
    print("memory per bridged call: %.0f bytes set up, before RTP; %.0f bytes with media flowing (RSS delta %d -> %d calls)" % (d0, d, lo, hi))
    print("threads: " + ", ".join("%s at %d calls" % (by_n[n]["threads"], n) for n in ns) + " (with media flowing; "
          + ", ".join("%s" % by_n[n]["threads_setup"] for n in ns) + " before RTP)")
if not rows:
    bad = True
sys.exit(1 if bad else 0)
PY
exit $((status_rc | py_rc))
