#!/usr/bin/env bash
# Figure for issue 11: a start that finds busy cgroups nobody owns under its cgroup parent. Before each start, ORPHANS
# (default 10) cgroups named like container ids get a `sleep` moved into them in every hierarchy, as a container's
# process would be; then the daemon starts in a throw-away netns and is timed: until /_ping answers on its socket (curl,
# polled every ~5 ms), and until every orphan's process is dead and its cgroups are gone (-1 when that takes more than
# GONE_TIMEOUT s, default 60; the bench then kills them itself). ROUNDS starts (default 5), and as many without orphans
# for comparison.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-5}
ORPHANS=${ORPHANS:-10}
[ -x "$MYDOCKERD" ] || { echo "bench: run scripts/build.sh first" >&2; exit 1; }
BENCH_NS="mdb-$$-$RANDOM"
BENCH_DIR=$(mktemp -d /tmp/mydocker-bench-XXXXXX)
BENCH_SOCK="$BENCH_DIR/exec/mydocker.sock"
BENCH_CGROUP="mydocker-bench-$$"
SLEEPS=()
cleanup() {
  set +e
  for p in "${SLEEPS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  stop_daemon
}
trap cleanup EXIT
ip netns add "$BENCH_NS"
ip -n "$BENCH_NS" link set lo up
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{ping_none,ping_orphans,gone_orphans}

hierarchies() { for h in /sys/fs/cgroup/*; do [ -d "$h" ] && [ ! -L "$h" ] && echo "$h"; done; }
# busy_orphan ID: a sleep in BENCH_CGROUP/ID of every hierarchy (a new cpuset cgroup needs its CPUs and memory nodes).
busy_orphan() {
  sleep 1000 & local pid=$!
  disown "$pid"   # killed by the daemon: no job report from this shell
  SLEEPS+=("$pid")
  for h in $(hierarchies); do
    mkdir -p "$h/$BENCH_CGROUP/$1"
    for f in cpuset.cpus cpuset.mems; do
      [ -f "$h/$f" ] && { cat "$h/$f" >"$h/$BENCH_CGROUP/$f"; cat "$h/$f" >"$h/$BENCH_CGROUP/$1/$f"; }
    done
    echo "$pid" >"$h/$BENCH_CGROUP/$1/cgroup.procs"
  done
}
orphans_left() { # how many of the sleeps live, plus how many orphan cgroup directories exist
  local n=0 p
  for p in "${SLEEPS[@]}"; do kill -0 "$p" 2>/dev/null && n=$((n + 1)); done
  echo $((n + $(find /sys/fs/cgroup/*/"$BENCH_CGROUP" -mindepth 1 -maxdepth 1 -type d -name '[0-9a-f]*' 2>/dev/null | wc -l)))
}
# start FILE-FOR-PING [FILE-FOR-GONE]: starts the daemon, times the first /_ping answer (and the orphans' end), stops it.
start() {
  local t0 t1 t2
  t0=${EPOCHREALTIME/./}
  MYDOCKER_MyDocker__CgroupParent="$BENCH_CGROUP" nsenter --net="/run/netns/$BENCH_NS" "$MYDOCKERD" --data-root "$BENCH_DIR/data" \
    --exec-root "$BENCH_DIR/exec" -H "unix://$BENCH_SOCK" --no-dashboard >>"$BENCH_DIR/daemon.log" 2>&1 &
  BENCH_PID=$!
  until curl -s -f -o /dev/null --max-time 1 --unix-socket "$BENCH_SOCK" http://localhost/_ping; do
    ((${EPOCHREALTIME/./} - t0 < 300000000)) || { echo "bench: no answer after 300 s" >&2; exit 1; }
    sleep 0.005
  done
  t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$1"
  if [ -n "${2:-}" ]; then
    until [ "$(orphans_left)" = 0 ] || ((${EPOCHREALTIME/./} - t0 > ${GONE_TIMEOUT:-60} * 1000000)); do sleep 0.01; done
    t2=${EPOCHREALTIME/./}
    if [ "$(orphans_left)" = 0 ]; then ms_between "$t0" "$t2" >>"$2"; else echo -1 >>"$2"; fi
    for p in "${SLEEPS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    SLEEPS=()
  fi
  kill "$BENCH_PID"; wait "$BENCH_PID" 2>/dev/null || true
}

start "$BENCH_DIR/warm"   # the first start makes the database
for _ in $(seq 1 "$ROUNDS"); do
  start "$out/ping_none"
  for _ in $(seq 1 "$ORPHANS"); do busy_orphan "$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"; done
  start "$out/ping_orphans" "$out/gone_orphans"
done

echo "MyDocker start-up with busy orphan cgroups, ms from the daemon's start, $ROUNDS starts each ($(machine))"
echo "  first /_ping answer, no orphans:            $(stats "$out/ping_none")"
echo "  first /_ping answer, $ORPHANS busy orphan cgroups: $(stats "$out/ping_orphans")"
echo "  $ORPHANS orphans killed and their cgroups gone:    $(stats "$out/gone_orphans") (-1: not within ${GONE_TIMEOUT:-60} s)"
echo "  load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
