#!/usr/bin/env bash
# Figure for issue 2: `network create --subnet` and `network rm` latency through the mydocker CLI, median of N (default 20),
# the same loop as ../shared/anchors/bench.sh section "a" so the numbers compare with Docker's and Podman's.
# Also times the CLI floor (`network ls`) and the same operations through the docker CLI pointed at our socket.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-20}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{ls,create,rm,docker_create,docker_rm}

# One warm-up pair: the first request JIT-compiles the daemon's code paths.
md network create --subnet 10.199.0.0/24 warm >/dev/null; md network rm warm >/dev/null

for i in $(seq 1 "$N"); do
  t0=${EPOCHREALTIME/./}; md network ls >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/ls"
  t0=${EPOCHREALTIME/./}; md network create --subnet "10.200.$i.0/24" "lat-$i" >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/create"
  t0=${EPOCHREALTIME/./}; md network rm "lat-$i" >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/rm"
done
if [ -x /usr/local/bin/docker ]; then
  export DOCKER_CONFIG="$BENCH_DIR/docker-config"
  for i in $(seq 1 "$N"); do
    t0=${EPOCHREALTIME/./}; /usr/local/bin/docker -H "unix://$BENCH_SOCK" network create --subnet "10.201.$i.0/24" "dk-$i" >/dev/null; t1=${EPOCHREALTIME/./}
    ms_between "$t0" "$t1" >>"$out/docker_create"
    t0=${EPOCHREALTIME/./}; /usr/local/bin/docker -H "unix://$BENCH_SOCK" network rm "dk-$i" >/dev/null; t1=${EPOCHREALTIME/./}
    ms_between "$t0" "$t1" >>"$out/docker_rm"
  done
fi

echo "MyDocker network latency, ms (N=$N, $(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  mydocker network ls (CLI floor):        $(stats "$out/ls")"
echo "  mydocker network create --subnet:       $(stats "$out/create")"
echo "  mydocker network rm:                    $(stats "$out/rm")"
[ -f "$out/docker_create" ] && echo "  docker CLI -> mydockerd network create: $(stats "$out/docker_create")"
[ -f "$out/docker_rm" ] && echo "  docker CLI -> mydockerd network rm:     $(stats "$out/docker_rm")"
# Removed bridges are deleted in the background once requests pause (LinkReaper): give it a moment, then count.
for _ in $(seq 1 50); do [ "$(ip -n "$BENCH_NS" -o link show type bridge | wc -l)" = 0 ] && break; sleep 0.1; done
echo "  bridges left 5 s after the loop: $(ip -n "$BENCH_NS" -o link show type bridge | wc -l)"
