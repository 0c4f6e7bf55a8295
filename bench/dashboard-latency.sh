#!/usr/bin/env bash
# Figure for issue 5 ("event to DOM"), network side: from a CLI `network create`/`network rm` to the row appearing or
# disappearing in an open /networks page, with LISTED (default 200) networks already listed, median and p95 of ROUNDS
# (default 20) of each. Debian's Chromium, driven by Playwright (bench/DashboardLatency), runs inside the daemon's netns.
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
echo "MyDocker dashboard event to DOM ($(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg))"
dotnet "$BENCH_DIR/dashboard-latency/DashboardLatency.dll" "$wrapper" "$login" "$MYDOCKER" "$BENCH_SOCK" "$ROUNDS" "$LISTED"
