#!/usr/bin/env bash
# telephonyd's `database …` console commands on the AstDB file under astdbdir, the function
# library visible through `core show function`, and persistence across a daemon restart.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/etc"
cat >"$WORK/etc/telephony.conf" <<'CONF'
[directories]
spooldir => spool
rundir => run
logdir => log
astdbdir => db
CONF

start_daemon
rx "database put cf 1001 2002" | grep -qx "Updated database successfully" || fail "database put"
rx "database put cf 1001/busy 3003" >/dev/null
rx "database get cf 1001" | grep -qx "Value: 2002" || fail "database get: $(rx database get cf 1001)"
rx "database show cf" | grep -q "^/cf/1001/busy *: 3003" || fail "database show: $(rx database show cf)"
rx "database show" | grep -qx "2 results found." || fail "database show count"
[ -f "$WORK/etc/db/astdb.sqlite3" ] || fail "astdb.sqlite3 not under astdbdir"
pass "database put/get/show"
rx "core show function CUT" | grep -q "CUT(varname,char-delim,range-spec)" || fail "core show function CUT"
rx "core show functions" | grep -q "HANGUPCAUSE" || fail "core show functions lists HANGUPCAUSE"
pass "built-in functions registered with their documentation"
stop_daemon

start_daemon
rx "database get cf 1001/busy" | grep -qx "Value: 3003" || fail "value lost across restart"
rx "database deltree cf" | grep -qx "2 database entries removed." || fail "database deltree"
{ rx "database get cf 1001" || true; } | grep -qx "Database entry not found." || fail "entry still there"
pass "persistence across restart and deltree"
stop_daemon
