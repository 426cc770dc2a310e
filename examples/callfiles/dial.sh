#!/usr/bin/env bash
# The job of examples/originate.py written as call files for a running telephonyd: one call file
# per number (the spooler retries busy/unanswered calls itself: MaxRetries, RetryTime), at most
# CONCURRENCY files in the spool at once, and the same result CSV: number,attempts,disposition,
# duration.
#
#   examples/callfiles/dial.sh [-C CONFIG_DIR] [-s SPOOL_DIR] [-n CONCURRENCY] [-r RETRIES]
#                              [-d RETRY_DELAY] [-w RING_SECONDS] [-t DEVICE_TEMPLATE] numbers.csv
#
# Answered calls go to [campaign-callfile] of the dialplan (examples/config/extensions.conf),
# which appends "number,ANSWERED,seconds" from its h extension and "number,REASON" from its
# failed extension to the RESULTS file each call file names (System()). Attempts and the
# verdict come from the archived call files themselves (StartRetry:, Status: lines in
# spool/outgoing_done).
set -euo pipefail

CONFIG=examples/config
SPOOL=""
CONCURRENCY=5
RETRIES=2
RETRY_DELAY=30
RING=30
DEVICE='Local/{number}@callees'
while getopts "C:s:n:r:d:w:t:h" opt; do
  case $opt in
    C) CONFIG=$OPTARG ;;
    s) SPOOL=$OPTARG ;;
    n) CONCURRENCY=$OPTARG ;;
    r) RETRIES=$OPTARG ;;
    d) RETRY_DELAY=$OPTARG ;;
    w) RING=$OPTARG ;;
    t) DEVICE=$OPTARG ;;
    *) sed -n '2,12p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [options] numbers.csv (-h for help)" >&2; exit 2; }
NUMBERS=$1
SPOOL=${SPOOL:-$CONFIG/spool}
mkdir -p "$SPOOL/outgoing" "$SPOOL/outgoing_done"
SPOOL=$(cd "$SPOOL" && pwd)
RUN=$(mktemp -d "$SPOOL/dial.XXXXXX")   # beside the spool: same filesystem, so mv is atomic
RESULTS=$RUN/results.log
: >"$RESULTS"
chmod 0666 "$RESULTS"
trap 'rm -rf "$RUN"' EXIT
TAG=dial-$$-$(date +%s)

# Numbers: the first column, skipping a "number" header, blank lines and # comments.
mapfile -t numbers < <(awk -F, 'NR == 1 && tolower($1) ~ /number/ { next } $1 !~ /^[[:space:]]*(#|$)/ { gsub(/[[:space:]]/, "", $1); print $1 }' "$NUMBERS")

write_call_file() {  # number index
  local number=$1 name="$TAG-$2.call"
  cat >"$RUN/$name" <<CALL
Channel: ${DEVICE//\{number\}/$number}
CallerID: "Campaign" <1000>
MaxRetries: $RETRIES
RetryTime: $RETRY_DELAY
WaitTime: $RING
Context: campaign-callfile
Extension: s
Priority: 1
Set: NUMBER=$number
Set: RESULTS=$RESULTS
Archive: yes
CALL
  mv "$RUN/$name" "$SPOOL/outgoing/$name"   # atomic: the spooler never sees half a file
}

done_file() { echo "$SPOOL/outgoing_done/$TAG-$1.call"; }
finished() { [ -f "$(done_file "$1")" ] && grep -q '^Status:' "$(done_file "$1")"; }

# Keep at most CONCURRENCY of our files in the spool.
next=0
active=()
while [ $next -lt ${#numbers[@]} ] || [ ${#active[@]} -gt 0 ]; do
  still=()
  for i in "${active[@]}"; do finished "$i" || still+=("$i"); done
  active=("${still[@]}")
  while [ ${#active[@]} -lt "$CONCURRENCY" ] && [ $next -lt ${#numbers[@]} ]; do
    write_call_file "${numbers[$next]}" "$next"
    active+=("$next")
    next=$((next + 1))
  done
  sleep 0.1
done

reason_text() {  # Asterisk's originate reason codes, as CDR dispositions
  case $1 in
    3) echo "NO ANSWER" ;; 5) echo "BUSY" ;; 8) echo "CONGESTION" ;; *) echo "FAILED" ;;
  esac
}

echo "number,attempts,disposition,duration"
for i in "${!numbers[@]}"; do
  number=${numbers[$i]}
  f=$(done_file "$i")
  attempts=$(grep -c '^StartRetry:' "$f" || true)
  status=$(sed -n 's/^Status: *//p' "$f" | tail -1)
  if [ "$status" = Completed ]; then
    # The h extension writes its line when the call ends; give it a moment after the verdict.
    for _ in $(seq 1 50); do grep -q "^$number,ANSWERED," "$RESULTS" && break; sleep 0.1; done
    duration=$(grep "^$number,ANSWERED," "$RESULTS" | tail -1 | cut -d, -f3)
    echo "$number,$attempts,ANSWERED,${duration:-0}.0"
  else
    reason=$(grep "^$number,[0-9]" "$RESULTS" | tail -1 | cut -d, -f2)
    echo "$number,$attempts,$(reason_text "${reason:-0}"),0.0"
  fi
done
