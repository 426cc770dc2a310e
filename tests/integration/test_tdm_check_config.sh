#!/usr/bin/env bash
# telephonyd --check-config on a TDM configuration: a good system.conf + chan_dahdi.conf (and its
# YAML spelling) pass; broken ones print every error with file:line across both files and fail;
# a running daemon keeps its configuration when a reload would change the span layout.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
CONF
cat >"$WORK/etc/extensions.conf" <<'CONF'
[phones]
exten => 100,1,Hangup()
CONF
cat >"$WORK/etc/system.conf" <<'CONF'
# two phones on a socket span
dynamic=sock,phones,2,0
fxoks=1-2
CONF
cat >"$WORK/etc/chan_dahdi.conf" <<'CONF'
[channels]
context=phones
signalling=fxo_ks
channel => 1-2
CONF
out=$("$TELEPHONYD" --check-config -C "$WORK/etc" 2>&1) || fail "a good configuration failed the check: $out"
grep -q "Configuration OK" <<<"$out" || fail "no OK line: $out"
pass "a good system.conf + chan_dahdi.conf passes --check-config"

mv "$WORK/etc/chan_dahdi.conf" "$WORK/chan_dahdi.conf.bak"
cat >"$WORK/etc/chan_dahdi.yaml" <<'CONF'
channels:
  - context: phones
  - signalling: fxo_ks
  - "channel =>": 1-2
CONF
"$TELEPHONYD" --check-config -C "$WORK/etc" >/dev/null 2>&1 || fail "the YAML spelling of chan_dahdi.conf failed the check"
pass "chan_dahdi.yaml is checked the same way"
rm "$WORK/etc/chan_dahdi.yaml"

cat >"$WORK/etc/system.conf" <<'CONF'
dynamic=sock,phones,2,0
fxoks=1-2
fxsks=2
unknownkey=3
CONF
cat >"$WORK/etc/chan_dahdi.conf" <<'CONF'
[channels]
context=phones
signalling=fxs_ks
channel => 1
signalling=pri_cpe
channel => 2
CONF
if out=$("$TELEPHONYD" --check-config -C "$WORK/etc" 2>&1); then fail "a broken configuration passed: $out"; fi
for want in "system.conf:3: channel 2 already configured as 'fxoks' at" "system.conf:4: unknown keyword 'unknownkey'" \
            "chan_dahdi.conf:5: signalling=pri_cpe is not supported"; do
  grep -qF "$want" <<<"$out" || fail "missing '$want' in:
$out"
done
pass "broken files: every error named with file:line, exit status 1"

cat >"$WORK/etc/system.conf" <<'CONF'
dynamic=sock,phones,2,0
fxoks=1-2
CONF
cat >"$WORK/etc/chan_dahdi.conf" <<'CONF'
[channels]
context=phones
signalling=fxs_ks
channel => 1
CONF
out=$("$TELEPHONYD" --check-config -C "$WORK/etc" 2>&1) && fail "a signalling mismatch passed"
grep -qF "chan_dahdi.conf:4: signalling requested on channel 1 is FXS Kewlstart but line is in FXO Kewlstart signalling" <<<"$out" \
  || fail "no signalling mismatch error: $out"
pass "chan_dahdi.conf signalling is checked against system.conf"

cp "$WORK/chan_dahdi.conf.bak" "$WORK/etc/chan_dahdi.conf"
start_daemon
rx "dahdi show channels" | grep -q "FXO Kewlstart" || fail "dahdi show channels lists no channel"
test -S "$WORK/etc/run/tdm/phones/1" || fail "no socket for port 1 under the run directory"
echo "fxoks=3" >>"$WORK/etc/system.conf"
sed -i 's/dynamic=sock,phones,2,0/dynamic=sock,phones,3,0/' "$WORK/etc/system.conf"
echo "channel => 3" >>"$WORK/etc/chan_dahdi.conf"
out=$(rx "module reload chan_dahdi" 2>&1 || true)
grep -q "dahdi restart" <<<"$out" || fail "a layout change on reload was not refused: $out"
[ "$(rx 'dahdi show channels' | grep -c 'FXO Kewlstart')" = 2 ] || fail "the running configuration changed"
rx "dahdi restart" >/dev/null
[ "$(rx 'dahdi show channels' | grep -c 'FXO Kewlstart')" = 3 ] || fail "dahdi restart did not apply the new layout"
pass "reload refuses a layout change and keeps running; dahdi restart applies it"
stop_daemon
