#!/usr/bin/env bash
# Figure for issue 5 ("log streaming"): a container writes LINES (default 1,000,000) lines as fast as it can while a
# dashboard page follows its log; lines per second reaching the page, whether the page stays responsive (a click's round
# trip through the circuit during the flood), and the page's JS heap after all lines were streamed. Debian's Chromium,
# driven by Playwright (bench/LogStreaming), runs inside the daemon's netns.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
LINES=${LINES:-1000000}
start_daemon
dotnet build "$BENCH_ROOT/bench/LogStreaming" -c Release -nologo -v q -o "$BENCH_DIR/log-streaming" >/dev/null
login=""
for _ in $(seq 1 100); do
  login=$(sed -n 's/^Dashboard: //p' "$BENCH_DIR/daemon.log" | tail -n 1)
  [ -n "$login" ] && break; sleep 0.05
done
[ -n "$login" ] || { echo "bench: the daemon printed no login URL" >&2; exit 1; }
wrapper="$BENCH_DIR/chromium-in-netns"
printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s /usr/bin/chromium "$@"\n' "$BENCH_NS" >"$wrapper"
chmod 700 "$wrapper"
md run -d --name flood busybox sleep 100000 >/dev/null
echo "MyDocker dashboard log streaming ($(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg))"
dotnet "$BENCH_DIR/log-streaming/LogStreaming.dll" "$wrapper" "$login" "$MYDOCKER" "$BENCH_SOCK" flood "$LINES"
echo "daemon RSS after: $(awk '/VmRSS/{print $2/1024 " MB"}' "/proc/$BENCH_PID/status")"
