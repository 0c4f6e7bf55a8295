#!/usr/bin/env bash
# Figures for issue 13 "Always there": queries for "db" paced at one per ~200 µs from a client container's netns to
# 169.254.53.53 (a query unanswered within 20 ms counts lost) while mydockerd is killed with SIGKILL and started again
# KILLS times (default 3, 3 s apart; KILLS=0 gives the loss without kills, under the same load). Prints answered/total, the longest run lost, and how long each restart took until
# the API answered. Needs root and scripts/build.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns-lib.sh"
KILLS=${KILLS:-3}
dns_setup
start_daemon
dns_trap
md network create app >/dev/null
md run -d --name db --network app busybox sleep 100000 >/dev/null
md run -d --name client --network app busybox sleep 100000 >/dev/null
seconds=$((2 + 3 * KILLS + 2))
in_ctr client "$DNS_CLIENT" paced --server 169.254.53.53 --name db --interval-us 200 --timeout-ms 20 --seconds "$seconds" \
  >"$DNS_WORK/paced" &
paced=$!
sleep 2
restarts=()
pids=("$(cat "$BENCH_DIR/exec/resolver.pid")")
for _ in $(seq 1 "$KILLS"); do
  kill -KILL "$BENCH_PID"; wait "$BENCH_PID" 2>/dev/null || true
  t0=${EPOCHREALTIME/./}
  # The same command as start_daemon's.
  MYDOCKER_MyDocker__CgroupParent="$BENCH_CGROUP" nsenter --net="/run/netns/$BENCH_NS" "$MYDOCKERD" --data-root "$BENCH_DIR/data" \
    --exec-root "$BENCH_DIR/exec" -H "unix://$BENCH_SOCK" >>"$BENCH_DIR/daemon.log" 2>&1 &
  BENCH_PID=$!
  until md network ls >/dev/null 2>&1; do sleep 0.01; done
  restarts+=("$(ms_between "$t0" "${EPOCHREALTIME/./}")")
  pids+=("$(cat "$BENCH_DIR/exec/resolver.pid")")
  sleep 3
done
wait "$paced"
echo "mydocker resolver while mydockerd is SIGKILLed and restarted $KILLS times ($(machine))"
echo "  $(cat "$DNS_WORK/paced")"
echo "  kill to first API answer, ms: ${restarts[*]}"
echo "  resolver pid at start and after each restart's first API answer: ${pids[*]}"
