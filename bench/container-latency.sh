#!/usr/bin/env bash
# Figures for issue 3, through the mydocker CLI against a daemon in a throw-away netns. The loops are the ones of
# ../shared/anchors/bench.sh (sections b and e), so the figures compare with Docker's and Podman's:
#   - `run -d --network N busybox sleep 1000` and `rm -f` latency, median of N (default 20);
#   - 20 `run -d` at once (xargs -P 20), then 20 `rm -f` at once: wall time, ROUNDS rounds (default 10);
#   - 50 `run -d` at once: wall time, how many succeeded, whether any address was handed out twice;
#   - the daemon's resident memory with those 50 containers running.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-20}
ROUNDS=${ROUNDS:-10}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{ctr_run,ctr_rm,par20_run,par20_rm}
md network create --subnet 10.210.0.0/16 bench >/dev/null
export MD_HOST="unix://$BENCH_SOCK"

# Warm-up: the first run imports the busybox tarball and JIT-compiles the daemon's code paths.
id=$(md run -d --network bench busybox sleep 1000); md rm -f "$id" >/dev/null

for _ in $(seq 1 "$N"); do
  t0=${EPOCHREALTIME/./}; id=$(md run -d --network bench busybox sleep 1000); t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/ctr_run"
  t0=${EPOCHREALTIME/./}; md rm -f "$id" >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/ctr_rm"
done

bad20=0
for r in $(seq 1 "$ROUNDS"); do
  t0=${EPOCHREALTIME/./}
  seq 1 20 | xargs -P 20 -I{} "$MYDOCKER" -H "$MD_HOST" run -d --name "p$r-{}" --network bench busybox sleep 1000 >/dev/null 2>&1 || true
  t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/par20_run"
  [ "$(md ps -q | wc -l)" = 20 ] || bad20=$((bad20 + 1))
  t0=${EPOCHREALTIME/./}
  seq 1 20 | xargs -P 20 -I{} "$MYDOCKER" -H "$MD_HOST" rm -f "p$r-{}" >/dev/null 2>&1 || true
  t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/par20_rm"
done

PARALLEL=${PARALLEL:-50}
rm -rf "$out/par"; mkdir -p "$out/par"
pids=()
t0=${EPOCHREALTIME/./}
for i in $(seq 1 "$PARALLEL"); do
  ( md run -d --network bench busybox sleep 1000 >"$out/par/$i.id" 2>"$out/par/$i.err" || echo failed >"$out/par/$i.failed" ) &
  pids+=($!)
done
wait "${pids[@]}"   # not a bare wait: the daemon is a background job of this shell too
t1=${EPOCHREALTIME/./}
wall50=$(ms_between "$t0" "$t1")
ok=$(find "$out/par" -name '*.id' -size +0 | wc -l)
failed=$(find "$out/par" -name '*.failed' | wc -l)
addresses=$(md ps --format json | grep -o '"IPAddress": *"[0-9.]*"' | grep -o '[0-9.]*"$' | tr -d '"' | sort)
dupes=$(printf '%s\n' "$addresses" | uniq -d | grep -c . || true)
running=$(md ps -q | wc -l)
rss_kb=$(awk '/VmRSS/{print $2}' "/proc/$BENCH_PID/status")

echo "MyDocker container latency, ms ($(nproc) cores, kernel $(uname -r), runc $(runc --version | awk 'NR==1{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  run -d --network N busybox sleep 1000:  $(stats "$out/ctr_run")"
echo "  rm -f (running container):              $(stats "$out/ctr_rm")"
echo "  20x run -d at once (xargs -P 20), wall: $(stats "$out/par20_run")  (rounds with fewer than 20 running: $bad20)"
echo "  20x rm -f at once, wall:                $(stats "$out/par20_rm")"
echo "  ${PARALLEL}x run -d at once: wall $wall50 ms, $ok succeeded, $failed failed, $(printf '%s\n' "$addresses" | grep -c .) addresses, $dupes handed out twice"
echo "  daemon resident memory with $running containers running: $((rss_kb / 1024)) MiB"
[ "$failed" = 0 ] || { echo "first failure:"; cat "$(find "$out/par" -name '*.err' -size +0 | head -1)"; }
