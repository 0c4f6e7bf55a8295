#!/usr/bin/env bash
# Figure for issue 11 (audit M1): the daemon's peak resident set (VmHWM in /proc/PID/status) while a container writes one
# SIZE-byte line without a newline (default 300,000,000) and `logs -f` follows it, then after `logs` and the
# dashboard's Download read it whole. Each reader's byte count is printed too: `logs` must give exactly SIZE (the line,
# nothing added), the Download SIZE plus its "TIME stdout " prefix and a newline.
# DAEMON=/path/to/mydockerd measures another build (an older one, for comparison) the same way.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
SIZE=${SIZE:-300000000}
MYDOCKERD=${DAEMON:-$MYDOCKERD}
start_daemon

hwm() { awk '/^VmHWM/{printf "%d MB", $2/1024}' "/proc/$BENCH_PID/status"; }
ms_since() { ms_between "$1" "${EPOCHREALTIME/./}"; }

echo "MyDocker daemon memory, one ${SIZE}-byte line ($(machine))"
echo "daemon: $MYDOCKERD"
echo "VmHWM after start:                   $(hwm)"

md run -d --name big busybox sh -c "head -c $SIZE /dev/zero | tr '\\0' a" >/dev/null
t0=${EPOCHREALTIME/./}
followed=$(md logs -f big | wc -c) # ends when the container exits
md wait big >/dev/null
echo "VmHWM after write + logs -f:         $(hwm)   (logs -f gave $followed bytes in $(ms_since "$t0") ms)"

t0=${EPOCHREALTIME/./}
read_back=$(md logs big | wc -c)
echo "VmHWM after logs:                    $(hwm)   (logs gave $read_back bytes in $(ms_since "$t0") ms)"

# The dashboard listens on the daemon's netns loopback; its login URL (printed at start) sets the session cookie.
login=$(sed -n 's/^Dashboard: //p' "$BENCH_DIR/daemon.log" | tail -n 1)
if [ -n "$login" ]; then
  in_ns() { nsenter --net="/run/netns/$BENCH_NS" "$@"; }
  in_ns curl -s -o /dev/null -c "$BENCH_DIR/cookies" "$login"
  t0=${EPOCHREALTIME/./}
  downloaded=$(in_ns curl -s -b "$BENCH_DIR/cookies" "${login%%/login*}/dashboard/containers/big/logs/download" | wc -c)
  echo "VmHWM after the dashboard Download:  $(hwm)   (download gave $downloaded bytes in $(ms_since "$t0") ms)"
else
  echo "dashboard Download: skipped (the daemon printed no login URL)"
fi
echo "VmRSS now:                           $(awk '/^VmRSS/{printf "%d MB", $2/1024}' "/proc/$BENCH_PID/status")"
