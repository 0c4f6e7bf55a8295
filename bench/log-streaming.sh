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
dashboard_browser
md run -d --name flood busybox sleep 100000 >/dev/null
echo "MyDocker dashboard log streaming ($(machine))"
dotnet "$BENCH_DIR/log-streaming/LogStreaming.dll" "$CHROMIUM" "$DASHBOARD_LOGIN" "$MYDOCKER" "$BENCH_SOCK" flood "$LINES"
echo "daemon RSS after: $(awk '/VmRSS/{print $2/1024 " MB"}' "/proc/$BENCH_PID/status")"
