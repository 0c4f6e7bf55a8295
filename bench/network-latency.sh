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

# The sweep: `network create` and `network rm` through the API (curl on the unix socket: no CLI start-up in the figure),
# PAIRS create/rm pairs (default 15) beside 0, 1, 100 and 1,000 networks (SIZES), first with no ip filter FORWARD
# chain, growing; then, after `iptables -P FORWARD DROP` (what starting Docker does: the daemon puts its accept rules
# for every bridge into that chain), shrinking back through the same sizes. Each timed pair makes and removes its own
# network; the sizes count the other networks that exist meanwhile.
if [ "${SWEEP:-1}" = 1 ]; then
  PAIRS=${PAIRS:-15}
  SIZES=${SIZES:-0 1 100 1000}
  api() { # METHOD PATH [JSON] -> the HTTP status; time_total (ms) appended to $TIMES when set
    local w='%{http_code} %{time_total}\n' r
    r=$(curl -s -o /dev/null -w "$w" --unix-socket "$BENCH_SOCK" -X "$1" ${3:+-H 'Content-Type: application/json' -d "$3"} "http://localhost$2")
    [ -n "${TIMES:-}" ] && awk '{printf "%.3f\n", $2 * 1000}' <<<"$r" >>"$TIMES"
    echo "${r%% *}"
  }
  create_net() { # NAME SUBNET
    local code; code=$(api POST /networks/create "{\"Name\":\"$1\",\"IPAM\":{\"Config\":[{\"Subnet\":\"$2\"}]}}")
    [ "$code" = 201 ] || { echo "network-latency: create $1 ($2) answered $code" >&2; exit 1; }
  }
  remove_net() {
    local code; code=$(api DELETE "/networks/$1")
    [ "$code" = 204 ] || { echo "network-latency: rm $1 answered $code" >&2; exit 1; }
  }
  # Filler network I (1-based) gets 10.(64 + I/256).(I%256).0/24: 1,000 of them fit below 10.68.0.0.
  filler() { echo "fill-$1 10.$((64 + $1 / 256)).$(($1 % 256)).0/24"; }
  have=0
  grow_to() { while ((have < $1)); do have=$((have + 1)); TIMES="" create_net $(filler "$have") >/dev/null; done; }
  shrink_to() { while ((have > $1)); do TIMES="" remove_net "fill-$have" >/dev/null; have=$((have - 1)); done; }
  our_rules() { nsenter --net="/run/netns/$BENCH_NS" iptables -w 5 -S FORWARD | grep -c -- '--comment mydocker' || true; }
  measure_point() { # LABEL
    rm -f "$out/sweep_create" "$out/sweep_rm"
    for k in $(seq 1 "$PAIRS"); do
      TIMES="$out/sweep_create" create_net "timed-$k" "10.250.$k.0/24" >/dev/null
      TIMES="$out/sweep_rm" remove_net "timed-$k" >/dev/null
    done
    printf '  %-34s create: %s\n' "$1" "$(stats "$out/sweep_create")"
    printf '  %-34s rm:     %s\n' "" "$(stats "$out/sweep_rm")"
    median "$out/sweep_create" 2 >>"$out/sweep_create_medians"; median "$out/sweep_rm" 2 >>"$out/sweep_rm_medians"
  }
  spread() { # the worst ÷ the best median of the points measured since the last call
    echo "  worst ÷ best median: create $(sort -g "$out/sweep_create_medians" | awk 'NR==1{b=$1} {w=$1} END{printf "%.2f", w/b}')," \
         "rm $(sort -g "$out/sweep_rm_medians" | awk 'NR==1{b=$1} {w=$1} END{printf "%.2f", w/b}')"
    rm -f "$out/sweep_create_medians" "$out/sweep_rm_medians"
  }
  rm -f "$out/sweep_create_medians" "$out/sweep_rm_medians"
  # Warm-up: the daemon's code is ReadyToRun, re-compiled by the JIT as it gets hot; timed points must not see that.
  for k in $(seq 1 "${WARM:-50}"); do TIMES="" create_net "warm-$k" 10.249.0.0/24 >/dev/null; TIMES="" remove_net "warm-$k" >/dev/null; done
  echo "network create / rm through the API (curl on the socket), ms, $PAIRS pairs per point ($(machine))"
  echo " no ip filter FORWARD chain:"
  for size in $SIZES; do grow_to "$size"; measure_point "beside $size network(s)"; done
  spread
  nsenter --net="/run/netns/$BENCH_NS" iptables -w 5 -P FORWARD DROP
  # The daemon notices the new chain and puts its three accept rules per bridge there; wait for them (bounded).
  for _ in $(seq 1 600); do [ "$(our_rules)" = $((3 * have)) ] && break; sleep 0.1; done
  echo " ip filter FORWARD policy DROP ($(our_rules) accept rules of ours for $have bridges):"
  for size in $(tr ' ' '\n' <<<"$SIZES" | sort -rn); do shrink_to "$size"; measure_point "beside $size network(s)"; done
  spread
  echo " load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
