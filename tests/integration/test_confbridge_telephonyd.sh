#!/usr/bin/env bash
# ConfBridge through telephonyd: confbridge.conf + extensions.conf, three Local members joined
# with the `channel originate` console command, then the ConfbridgeListRooms / ConfbridgeList /
# ConfbridgeMute / ConfbridgeKick AMI actions (a plain-socket AMI client), `confbridge list`
# console output, and the conference recording (record_conference) checked with sox.
source "$(dirname "$0")/lib.sh"
require_commands sox soxi
require_prompts conf-onlyperson conf-hasjoin conf-hasleft
mkdir -p "$WORK/etc"
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
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
cat >"$WORK/etc/manager.conf" <<CONF
[general]
enabled = yes
bindaddr = 127.0.0.1
port = $PORT
[it]
secret = itsecret
read = all
write = all
CONF
cat >"$WORK/etc/confbridge.conf" <<'CONF'
[general]
[recorded]
type=bridge
record_conference=yes
record_file=conf-7000.wav
[member]
type=user
announce_only_user=no
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[conf]
exten => join,1,ConfBridge(7000,recorded,member)
[hold]
exten => wait,1,Wait(20)
CONF
"$TELEPHONYD" --check-config -C "$WORK/etc" >"$WORK/check.out" 2>&1 || fail "check-config: $(cat "$WORK/check.out")"
start_daemon
for i in 1 2 3; do
  rx "channel originate Local/join@conf extension wait@hold" >/dev/null || fail "originate $i"
  sleep 0.3
done
wait_for 10 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'confbridge list' | grep -Eq '^7000 +3 +0 No +No'" ||
  fail "three users not in conference 7000: $(rx 'confbridge list')"
pass "three Local channels joined conference 7000 (confbridge list: $(rx 'confbridge list' | tail -1 | tr -s ' '))"
rx "confbridge list 7000" | grep -c '^Local/join@conf-.*;2 ' | grep -qx 3 || fail "confbridge list 7000: $(rx 'confbridge list 7000')"
pass "confbridge list 7000 shows the three Local;2 members"

cat >"$WORK/ami.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port), timeout=5)
buf = b""
def read_msg():
    global buf
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        buf += chunk
    raw, buf = buf.split(b"\r\n\r\n", 1)
    msg = {}
    for line in raw.decode().split("\r\n"):
        if ": " in line:
            k, v = line.split(": ", 1)
            msg.setdefault(k, v)
    return msg
def send(action, **headers):
    text = "Action: %s\r\nActionID: %s\r\n" % (action, action) + "".join("%s: %s\r\n" % kv for kv in headers.items())
    s.sendall((text + "\r\n").encode())
    while True:
        m = read_msg()
        if m.get("ActionID") == action and "Response" in m:
            return m
def send_list(action, **headers):
    first = send(action, **headers)
    items = []
    if first.get("EventList") != "start":
        return first, items, None
    while True:
        m = read_msg()
        if m.get("ActionID") != action:
            continue
        if m.get("EventList") == "Complete":
            return first, items, m
        items.append(m)
def check(cond, what):
    if not cond:
        raise SystemExit("FAIL: " + what)
s.recv(100)  # banner
check(send("Login", Username="it", Secret="itsecret")["Response"] == "Success", "login")
first, rooms, done = send_list("ConfbridgeListRooms")
check(first["Message"] == "Confbridge conferences will follow", "ListRooms ack %r" % first)
check(len(rooms) == 1 and rooms[0]["Conference"] == "7000" and rooms[0]["Parties"] == "3", "rooms %r" % rooms)
check(done["Event"] == "ConfbridgeListRoomsComplete" and done["ListItems"] == "1", "rooms complete %r" % done)
first, users, done = send_list("ConfbridgeList", Conference="7000")
check(len(users) == 3 and all(u["Event"] == "ConfbridgeList" for u in users), "users %r" % users)
check(done["Event"] == "ConfbridgeListComplete" and done["ListItems"] == "3", "users complete %r" % done)
victim = users[0]["Channel"]
r = send("ConfbridgeMute", Conference="7000", Channel=victim)
check(r["Response"] == "Success" and r["Message"] == "User muted", "mute %r" % r)
_, users, _ = send_list("ConfbridgeList", Conference="7000")
check([u["Muted"] for u in users if u["Channel"] == victim] == ["Yes"], "muted flag %r" % users)
r = send("ConfbridgeKick", Conference="7000", Channel=victim)
check(r["Message"] == "User kicked", "kick %r" % r)
r = send("ConfbridgeKick", Conference="9999", Channel=victim)
check(r["Response"] == "Error" and r["Message"] == "No Conference by that name found.", "kick error %r" % r)
# As in Asterisk, a kicked user who is not quiet hears conf-kicked (2.4 s) and then leaves.
for _ in range(80):
    _, users, _ = send_list("ConfbridgeList", Conference="7000")
    if len(users) == 2:
        break
    time.sleep(0.1)
check(len(users) == 2 and victim not in [u["Channel"] for u in users], "after kick %r" % users)
r = send("ConfbridgeStartRecord", Conference="7000")
check(r["Message"] == "Conference is already being recorded.", "record %r" % r)
print("ami ok")
PY
timeout 25 /usr/bin/python3 "$WORK/ami.py" "$PORT" || fail "AMI Confbridge actions"
pass "ConfbridgeListRooms, ConfbridgeList, ConfbridgeMute, ConfbridgeKick answer as Asterisk does"
wait_for 5 bash -c "'$TELEPHONYD' -C '$WORK/etc' -rx 'confbridge list' | grep -Eq '^7000 +2 '" || fail "kicked user still listed"
pass "confbridge list shows 2 users after the kick"

rx "confbridge kick 7000 all" | grep -q "Kicked 'all' out of conference '7000'" || fail "confbridge kick all"
wait_for 5 bash -c "! '$TELEPHONYD' -C '$WORK/etc' -rx 'confbridge list' | grep -q '^7000'" || fail "conference did not end"
REC="$WORK/etc/spool/monitor/conf-7000.wav"
wait_for 5 test -s "$REC" || fail "no recording at $REC"
sleep 0.3
DUR=$(soxi -D "$REC") || fail "sox cannot read the recording"
PEAK=$(sox "$REC" -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')
/usr/bin/python3 -c "import sys; d,p=float('$DUR'),float('$PEAK'); sys.exit(0 if d > 1.0 and p > 0.05 else 1)" ||
  fail "recording too short or silent: ${DUR}s peak $PEAK"
pass "record_conference wrote ${DUR}s with the join sounds in it (peak $PEAK)"
stop_daemon
