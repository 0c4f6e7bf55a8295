#!/usr/bin/env bash
# Figure for issue 5 ("event to DOM"). Usage: dashboard-latency.sh [networks|containers]
#   networks (default): from a CLI `network create`/`network rm` to the row appearing or disappearing in an open
#     /networks page, with LISTED (default 200) networks already listed;
#   containers: from a CLI `stop` to the row showing "exited" in an open /containers page, with LISTED running busybox
#     containers listed.
# Median and p95 of ROUNDS (default 20). Debian's Chromium, driven by Playwright (bench/DashboardLatency), runs inside
# the daemon's netns.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
MODE=${1:-networks}
case "$MODE" in networks|containers) ;; *) echo "usage: $0 [networks|containers]" >&2; exit 2 ;; esac
ROUNDS=${ROUNDS:-20}
LISTED=${LISTED:-200}
start_daemon
dotnet build "$BENCH_ROOT/bench/DashboardLatency" -c Release -nologo -v q -o "$BENCH_DIR/dashboard-latency" >/dev/null
dashboard_browser
if [ "$MODE" = containers ]; then md image inspect busybox >/dev/null; fi   # the seed image is imported on first use
echo "MyDocker dashboard event to DOM, $MODE ($(machine))"
args=("$CHROMIUM" "$DASHBOARD_LOGIN" "$MYDOCKER" "$BENCH_SOCK" "$ROUNDS" "$LISTED")
if [ "$MODE" = containers ]; then args+=(containers); fi
dotnet "$BENCH_DIR/dashboard-latency/DashboardLatency.dll" "${args[@]}"
