#!/usr/bin/env bash
# Device state pushed by the SIP driver, seen on AMI as Asterisk shows it: a phone (SIPp) registers
# SIP/alice with a 3 s expiry and never refreshes. On registration the driver pushes NOT_INUSE
# (AMI DeviceStateChange SIP/alice NOT_INUSE, ExtensionStatus 6001 Status 0 "Idle" for the hint
# `6001 => SIP/alice`); when the contact expires it pushes UNAVAILABLE (DeviceStateChange
# UNAVAILABLE, ExtensionStatus Status 4 "Unavailable") without any call or AMI action.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sip_lib.sh"

P_SIP=$($PROBE freeport udp); P_UAC=$($PROBE freeport udp); P_AMI=$($PROBE freeport tcp)
mkdir -p "$WORK/etc"
printf '[directories]\nspooldir => spool\nrundir => run\nlogdir => log\n' >"$WORK/etc/telephony.conf"
printf '[logfiles]\nmessages => notice,warning,error\n' >"$WORK/etc/logger.conf"
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
cat >"$WORK/etc/extensions.conf" <<'CONF'
[phones]
exten => 6001,hint,SIP/alice
exten => 6001,1,Dial(SIP/alice,10)
CONF
cat >"$WORK/etc/pjsip.conf" <<CONF
[udp]
type=transport
protocol=udp
bind=127.0.0.1:$P_SIP

[alice]
type=endpoint
context=phones
disallow=all
allow=ulaw
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
minimum_expiration=2
CONF
start_daemon
ami_tap_start "$P_AMI"

# DeviceStateChange / ExtensionStatus fields seen so far, one line per event: "D STATE" or "E STATUS TEXT".
seen() {
  python3 - "$WORK/ami.events" <<'PY'
import sys
for block in open(sys.argv[1], encoding="utf-8").read().split("\n\n"):
    f = dict(l.split(": ", 1) for l in block.split("\n") if ": " in l)
    if f.get("Event") == "DeviceStateChange" and f.get("Device") == "SIP/alice":
        print("D", f["State"])
    elif f.get("Event") == "ExtensionStatus" and f.get("Exten") == "6001":
        print("E", f["Status"], f.get("StatusText", ""))
PY
}

sed -e "s/Expires: 300/Expires: 3/" "$SCEN/uac_register_auth.xml" >"$WORK/register_3s.xml"
sipp_run reg 127.0.0.1:$P_SIP -sf "$WORK/register_3s.xml" -p $P_UAC -s alice -au alice -ap secret ||
  fail "REGISTER with Expires: 3 was not accepted: $(why reg)"
grep -q "^Contact: .*expires=3" "$WORK/reg.msg" || fail "the 200 did not grant 3 s: $(grep -i '^Contact' "$WORK/reg.msg")"
wait_for 5 bash -c "$(declare -f seen); WORK='$WORK' seen | grep -q '^D NOT_INUSE'" ||
  fail "no DeviceStateChange NOT_INUSE on registration: $(seen | tr '\n' ';')"
wait_for 5 bash -c "$(declare -f seen); WORK='$WORK' seen | grep -q '^E 0 Idle'" ||
  fail "no ExtensionStatus 0 for the hint on registration: $(seen | tr '\n' ';')"
pass "registration pushed: DeviceStateChange SIP/alice NOT_INUSE, ExtensionStatus 6001 Status 0 Idle"

# No refresh: the contact expires about 3 s after the 200 (the registrar looks every second).
wait_for 8 bash -c "$(declare -f seen); WORK='$WORK' seen | sed -n '/^D NOT_INUSE/,\$p' | grep -q '^D UNAVAILABLE'" ||
  fail "no DeviceStateChange UNAVAILABLE after the registration expired: $(seen | tr '\n' ';')"
wait_for 5 bash -c "$(declare -f seen); WORK='$WORK' seen | sed -n '/^E 0 Idle/,\$p' | grep -q '^E 4 Unavailable'" ||
  fail "no ExtensionStatus 4 after the registration expired: $(seen | tr '\n' ';')"
rx "pjsip show contacts" | grep -q "alice/sip:" && fail "the expired contact is still listed: $(rx pjsip show contacts)"
pass "expiry pushed without a call: DeviceStateChange SIP/alice UNAVAILABLE, ExtensionStatus 6001 Status 4 Unavailable ($(seen | tr '\n' ';'))"
stop_daemon
