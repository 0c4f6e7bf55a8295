#!/usr/bin/env bash
# Figure for issue 4: from `mydocker run -d -p HP:80 busybox httpd` to the first HTTP 200 on 127.0.0.1:HP, from inside
# the daemon's network namespace, median/p95 of N (default 20); also the time the command itself takes to return.
# The loop is the one of ../shared/anchors/bench.sh section "c" (same curl, back-to-back polls with no sleep, same
# 15 s deadline, container removed after each round, the same host port every round), so the figures compare with
# Docker's and Podman's. Goal: median <= 100 ms.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-20}
HOSTPORT=${HOSTPORT:-18080}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{port_run_return,port_reachable,port_polls}
md network create --subnet 10.211.0.0/16 portlat >/dev/null
export N HOSTPORT out
# busybox's rootfs has no /www: the command makes it, as the anchors' image has it.
export HTTPD="mkdir -p /www; echo ok >/www/index.html; exec httpd -f -p 80 -h /www"

measure() {
  # Warm-up: the first run imports the busybox tarball and JIT-compiles the daemon's code paths.
  md rm -f "$(md run -d -p "$HOSTPORT:80" --network portlat busybox sh -c "$HTTPD")" >/dev/null
  # A round fails (counted once) when the run fails or the port never answers; a failed run leaves no id, so neither
  # the polling (nothing can answer) nor the rm (it would fail and set -e would end the measurement) is done for it.
  fails=0
  for i in $(seq 1 "$N"); do
    polls=0; ok=0
    t0=${EPOCHREALTIME/./}
    id=$(md run -d -p "$HOSTPORT:80" --network portlat busybox sh -c "$HTTPD") || { id=""; echo "round $i: run failed" >&2; }
    t1=${EPOCHREALTIME/./}
    deadline=$((t0 + 15000000))
    while [ -n "$id" ] && ((${EPOCHREALTIME/./} < deadline)); do
      polls=$((polls + 1))
      if curl -s -f -o /dev/null --max-time 1 "http://127.0.0.1:$HOSTPORT/"; then ok=1; break; fi
    done
    t2=${EPOCHREALTIME/./}
    ms_between "$t0" "$t1" >>"$out/port_run_return"
    if ((ok)); then ms_between "$t0" "$t2" >>"$out/port_reachable"; else fails=$((fails + 1)); [ -z "$id" ] || echo "round $i: never reachable" >&2; fi
    echo "$polls" >>"$out/port_polls"
    [ -z "$id" ] || md rm -f "$id" >/dev/null || echo "round $i: rm -f $id failed" >&2
  done
  echo "$fails" >"$out/port_fails"
}
export -f measure
in_daemon_netns measure

echo "MyDocker published port latency, ms ($(machine), runc $(runc --version | awk 'NR==1{print $3}'))"
echo "  run -d -p $HOSTPORT:80 busybox httpd, command return:       $(stats "$out/port_run_return")"
echo "  run -d -p $HOSTPORT:80 → first HTTP 200 on 127.0.0.1:$HOSTPORT: $(stats "$out/port_reachable")"
echo "  curl polls until the first 200:                        $(stats "$out/port_polls" | sed 's/\.00//g')"
echo "  failures: $(cat "$out/port_fails")"
