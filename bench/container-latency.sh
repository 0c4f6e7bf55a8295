#!/usr/bin/env bash
# Figures for issue 3, through the mydocker CLI against a daemon in a throw-away netns:
#   - `run -d --network N busybox sleep 1000` latency and `rm -f` latency, median of N (default 20);
#   - 50 `run -d` at once on one network: wall time, how many succeeded, whether any address was handed out twice;
#   - the daemon's resident memory with those 50 containers running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-20}
PARALLEL=${PARALLEL:-50}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{run,rm}
md network create --subnet 10.210.0.0/16 bench >/dev/null

# Warm-up: the first run imports the busybox tarball and JIT-compiles the daemon's code paths.
id=$(md run -d --network bench busybox sleep 1000); md rm -f "$id" >/dev/null

for _ in $(seq 1 "$N"); do
  t0=${EPOCHREALTIME/./}; id=$(md run -d --network bench busybox sleep 1000); t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/run"
  t0=${EPOCHREALTIME/./}; md rm -f "$id" >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/rm"
done

rm -rf "$out/par"; mkdir -p "$out/par"
t0=${EPOCHREALTIME/./}
for i in $(seq 1 "$PARALLEL"); do
  ( md run -d --network bench busybox sleep 1000 >"$out/par/$i.id" 2>"$out/par/$i.err" || echo failed >"$out/par/$i.failed" ) &
done
wait
t1=${EPOCHREALTIME/./}
ok=$(find "$out/par" -name '*.id' -size +0 | wc -l)
failed=$(find "$out/par" -name '*.failed' | wc -l)
addresses=$(md ps --format json | grep -o '"IPAddress":"[0-9.]*"' | sort)
dupes=$(printf '%s\n' "$addresses" | uniq -d | wc -l)
rss_kb=$(awk '/VmRSS/{print $2}' "/proc/$BENCH_PID/status")

echo "MyDocker container latency, ms (N=$N, $(nproc) cores, kernel $(uname -r), runc $(runc --version | awk 'NR==1{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  run -d --network N busybox sleep 1000: $(stats "$out/run")"
echo "  rm -f (running container):             $(stats "$out/rm")"
echo "  $PARALLEL x run -d at once: wall $(ms_between "$t0" "$t1") ms, $ok succeeded, $failed failed, $(printf '%s\n' "$addresses" | grep -c . ) addresses, $dupes duplicated"
echo "  daemon resident memory with $(md ps -q | wc -l) containers running: $((rss_kb / 1024)) MiB"
[ "$failed" = 0 ] || { echo "first failure:"; cat "$(find "$out/par" -name '*.err' -size +0 | head -1)"; }
