#!/usr/bin/env bash
# Call detail records after real calls (Local channels through Dial) of every disposition, in
# Master.csv (Asterisk's column order), a cdr_custom template file and the SQLite backend; CDR()
# read back in the dialplan; NoCDR; `cdr show status`; then kill -9 in the middle of a call: the
# database is intact, every record committed before is there, and the restarted daemon appends.
source "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || fail "sqlite3 (Debian package sqlite3) is missing"
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
printf '[logfiles]\nmessages => notice,warning,error,verbose\n' >"$WORK/etc/logger.conf"
cat >"$WORK/etc/cdr.conf" <<'CONF'
[general]
enable = yes
congestion = yes
[csv]
loguniqueid = yes
loguserfield = yes
CONF
cat >"$WORK/etc/cdr_custom.conf" <<'CONF'
[mappings]
Simple.csv => ${CSV_QUOTE(${CDR(channel)})},${CSV_QUOTE(${CDR(disposition)})},${CDR(billsec)},${CSV_QUOTE(${CDR(userfield)})}
CONF
cat >"$WORK/etc/cdr_sqlite3_custom.conf" <<'CONF'
[master]
table => cdr
columns => calldate, clid, dcontext, channel, dstchannel, lastapp, lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, test
values => '${CDR(start)}','${CDR(clid)}','${CDR(dcontext)}','${CDR(channel)}','${CDR(dstchannel)}','${CDR(lastapp)}','${CDR(lastdata)}','${CDR(duration)}','${CDR(billsec)}','${CDR(disposition)}','${CDR(amaflags)}','${CDR(accountcode)}','${CDR(uniqueid)}','${CDR(userfield)}','${CDR(test)}'
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[cdr]
exten => answer,1,Set(CDR(userfield)=ans-uf)
 same => n,Set(CDR(test)=t1)
 same => n,Dial(Local/pickup@callee,5,g)
 same => n,NoOp(after ${CDR(disposition)} billsec=${CDR(billsec)} dst=${CDR(dstchannel)})
 same => n,Hangup()
exten => busy,1,Dial(Local/busy@callee,5)
 same => n,Hangup()
exten => noanswer,1,Dial(Local/ring@callee,1)
 same => n,Hangup()
exten => congestion,1,Dial(Local/congest@callee,5)
 same => n,Hangup()
exten => failed,1,Dial(Local/fail@callee,5)
 same => n,Hangup()
exten => nocdr,1,NoCDR()
 same => n,Dial(Local/pickup@callee,5)
exten => long,1,Dial(Local/longpickup@callee,30)
[callee]
exten => pickup,1,Answer()
 same => n,Wait(1.2)
 same => n,Hangup()
exten => longpickup,1,Answer()
 same => n,Wait(30)
exten => busy,1,Busy(5)
exten => ring,1,Ringing()
 same => n,Wait(5)
exten => congest,1,Congestion(5)
exten => fail,1,Hangup(1)
CONF

start_daemon
idle() { wait_for 15 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^0 active channels'"; }
for e in answer busy noanswer congestion failed nocdr; do
  rx "channel originate Local/$e@cdr application Wait 3" >/dev/null || fail "originate $e"
  idle || fail "call $e did not end"
done
DB="$WORK/etc/log/master.db"
CSV="$WORK/etc/log/cdr-csv/Master.csv"
q() { sqlite3 -batch -noheader "$DB" "$1"; }
wait_for 5 bash -c "[ \$(sqlite3 '$DB' \"select count(*) from cdr where channel like 'Local/failed@cdr-%;2'\") = 1 ]" || fail "records not written"

# The Party A of each Dial is Local/<exten>@cdr-...;2; its Party B the callee's ;1.
for pair in "answer:ANSWERED" "busy:BUSY" "noanswer:NO ANSWER" "congestion:CONGESTION" "failed:FAILED"; do
  e=${pair%%:*}; want=${pair#*:}
  row=$(q "select disposition, lastapp, dstchannel, dcontext from cdr where channel like 'Local/$e@cdr-%;2'")
  [ "$(echo "$row" | wc -l)" = 1 ] || fail "$e: not exactly one record: $row"
  grep -Eq "^$want\|Dial\|Local/[a-z]+@callee-[0-9a-f]{8};1\|cdr$" <<<"$row" || fail "$e: record '$row', want $want"
done
pass "SQLite: one record per Dial with ANSWERED, BUSY, NO ANSWER, CONGESTION, FAILED"
row=$(q "select billsec, duration, userfield, test, clid, amaflags, lastdata from cdr where channel like 'Local/answer@cdr-%;2'")
IFS='|' read -r billsec duration uf test clid ama lastdata <<<"$row"
[ "$billsec" -ge 1 ] && [ "$billsec" -le 2 ] || fail "billsec $billsec not ~1 s (callee Wait(1.2))"
[ "$duration" -ge "$billsec" ] || fail "duration $duration < billsec $billsec"
[ "$uf" = "ans-uf" ] && [ "$test" = "t1" ] && [ "$ama" = "DOCUMENTATION" ] && [ "$lastdata" = "Local/pickup@callee,5,g" ] || fail "fields: $row"
[ -z "$(q "select 1 from cdr where channel like 'Local/nocdr@cdr-%;2'")" ] || fail "NoCDR() channel was recorded"
pass "SQLite fields: billsec/duration, CDR(userfield), CDR(test) variable, amaflags, lastdata; NoCDR honoured"
grep -Eq 'NoOp\("Local/answer@cdr-[0-9a-f]{8};2", "after ANSWERED billsec=1 dst=Local/pickup@callee-[0-9a-f]{8};1"\)' "$WORK/etc/log/messages" \
  || fail "CDR() read in the dialplan: $(grep 'after' "$WORK/etc/log/messages")"
pass "CDR() reads the finished record in the dialplan"

# Master.csv: Asterisk's column order, quoting, loguniqueid + loguserfield.
/usr/bin/python3 - "$CSV" <<'PY' || fail "Master.csv check failed"
import csv, re, sys
rows = list(csv.reader(open(sys.argv[1])))
want = {"answer": "ANSWERED", "busy": "BUSY", "noanswer": "NO ANSWER", "congestion": "CONGESTION", "failed": "FAILED"}
seen = {}
for r in rows:
    assert len(r) == 18, (len(r), r)
    m = re.match(r"Local/(\w+)@cdr-[0-9a-f]{8};2$", r[5])
    if m and r[7] == "Dial":
        seen[m.group(1)] = r
for e, d in want.items():
    r = seen[e]
    acct, src, dst, dctx, clid, chan, dchan, app, data, start, answer, end, dur, bill, disp, ama, uid, uf = r
    assert dst == e and dctx == "cdr" and disp == d and ama == "DOCUMENTATION", r
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", start) and re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", end), r
    assert (answer != "") == (d == "ANSWERED"), r
    assert int(dur) >= int(bill) >= 0 and uid, r
assert seen["answer"][17] == "ans-uf"
line = [l for l in open(sys.argv[1]) if ";2\",\"Local/pickup" in l and "answer@cdr" in l][0]
assert line.startswith('"","') and ',"ANSWERED","DOCUMENTATION",' in line, line
print("ok", len(rows), "rows")
PY
pass "Master.csv: 18 columns in Asterisk's order and quoting, every disposition"
grep -Eq '^"Local/answer@cdr-[0-9a-f]{8};2","ANSWERED",1,"ans-uf"$' "$WORK/etc/log/cdr-custom/Simple.csv" \
  || fail "cdr_custom file: $(cat "$WORK/etc/log/cdr-custom/Simple.csv")"
pass "cdr_custom template file"
st=$(rx "cdr show status")
grep -q "Logging: *Enabled" <<<"$st" && grep -q "Log congestion: *Yes" <<<"$st" && grep -q "^    csv$" <<<"$st" \
  && grep -q "^    custom$" <<<"$st" && grep -q "^    sqlite3_custom$" <<<"$st" && grep -Eq "Records written: *[1-9]" <<<"$st" \
  || fail "cdr show status: $st"
pass "cdr show status"

# kill -9 mid-call: nothing committed is lost, the file is consistent, the next daemon appends.
before=$(q "select count(*) from cdr")
rx "channel originate Local/long@cdr application Wait 30" >/dev/null
wait_for 5 bash -c "$TELEPHONYD -C $WORK/etc -rx 'core show channels count' | grep -q '^4 active channels'" || fail "long call did not start"
kill -KILL "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true; DAEMON_PID=""
[ "$(q 'pragma integrity_check')" = "ok" ] || fail "database damaged by kill -9"
[ "$(q 'select count(*) from cdr')" = "$before" ] || fail "records lost by kill -9 ($before before)"
csv_before=$(wc -l <"$CSV")
start_daemon  # the killed daemon's socket file is still there: wait until the new one answers
wait_for 10 "$TELEPHONYD" -C "$WORK/etc" -rx "core show version" || fail "restarted daemon does not answer"
rx "channel originate Local/answer@cdr application Wait 3" >/dev/null
idle || fail "call after restart did not end"
wait_for 5 bash -c "[ \$(sqlite3 '$DB' 'select count(*) from cdr') -gt $before ]" || fail "no record after restart"
[ "$(q "select count(*) from cdr where channel like 'Local/answer@cdr-%;2' and disposition='ANSWERED'")" = 2 ] || fail "second answered call missing"
[ "$(wc -l <"$CSV")" -gt "$csv_before" ] || fail "Master.csv not appended after restart"
pass "kill -9 mid-call: integrity ok, $before records kept, the restarted daemon appends"
stop_daemon
