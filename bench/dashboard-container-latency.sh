#!/usr/bin/env bash
# Figure for issue 5 ("event to DOM"), container side: from a CLI `stop` to the row showing "exited" in an open
# /containers page, with LISTED (default 200) running busybox containers listed, median and p95 of ROUNDS (default 20).
# Debian's Chromium, driven by Playwright (bench/DashboardLatency, mode "containers"), runs inside the daemon's netns.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-20}
LISTED=${LISTED:-200}
start_daemon
dotnet build "$BENCH_ROOT/bench/DashboardLatency" -c Release -nologo -v q -o "$BENCH_DIR/dashboard-latency" >/dev/null
login=""
for _ in $(seq 1 100); do
  login=$(sed -n 's/^Dashboard: //p' "$BENCH_DIR/daemon.log" | tail -n 1)
  [ -n "$login" ] && break; sleep 0.05
done
[ -n "$login" ] || { echo "bench: the daemon printed no login URL" >&2; exit 1; }
wrapper="$BENCH_DIR/chromium-in-netns"
printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s /usr/bin/chromium "$@"\n' "$BENCH_NS" >"$wrapper"
chmod 700 "$wrapper"
md image inspect busybox >/dev/null   # the seed image is imported on first use
echo "MyDocker dashboard event to DOM, containers ($(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg))"
dotnet "$BENCH_DIR/dashboard-latency/DashboardLatency.dll" "$wrapper" "$login" "$MYDOCKER" "$BENCH_SOCK" "$ROUNDS" "$LISTED" containers
