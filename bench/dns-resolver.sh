#!/usr/bin/env bash
# Figures for issue 13: the standalone resolver's answer time, the issue-13 spike's loop (2,000 sequential A queries
# after 200 not counted, one connected UDP socket, from a "container" netns to 169.254.53.53 on the "host" netns's lo).
# Runs: a local name with 10 and with 10,000 names in the table, and a name forwarded to an upstream at TEST-NET
# 192.0.2.53 in a third netns (a second resolver instance that knows the first one's host address as a container).
# Needs root and artifacts/resolver/mydocker-resolver (scripts/build.sh). Every namespace is its own and deleted at exit.
# Trap: on this VM the figures are bimodal with the machine's idleness, not with the resolver: p50 ~17-25 µs while any
# other core is busy, ~75-140 µs when the machine idles (vCPU wake-up from idle on each query of a ping-pong loop);
# the same for a build from before a change (RESOLVER=other/build). Compare runs taken under the same load.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
RESOLVER=${RESOLVER:-"$ROOT/artifacts/resolver/mydocker-resolver"}  # another build to compare
RUNS=${RUNS:-3}
[ -x "$RESOLVER" ] || { echo "$RESOLVER is missing: run scripts/build.sh" >&2; exit 1; }
WORK=$(mktemp -d /tmp/mdt-bench-dns-XXXXXX)
ID=${WORK##*-}
H=mdt-bdns-h-$ID C=mdt-bdns-c-$ID U=mdt-bdns-u-$ID
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  for n in "$H" "$C" "$U"; do ip netns delete "$n" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

dotnet publish "$ROOT/bench/DnsQueryBench" -c Release -nologo -v quiet -o "$WORK/client" >/dev/null
CLIENT="$WORK/client/DnsQueryBench"

for n in "$H" "$C" "$U"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$H" addr add 169.254.53.53/32 dev lo
ip -n "$H" link add vc type veth peer name eth0 netns "$C"
ip -n "$H" addr add 10.213.0.1/16 dev vc; ip -n "$H" link set vc up
ip -n "$C" addr add 10.213.0.2/16 dev eth0; ip -n "$C" link set eth0 up; ip -n "$C" route add default via 10.213.0.1
ip -n "$H" link add vu type veth peer name eth0 netns "$U"
ip -n "$H" addr add 192.0.2.1/24 dev vu; ip -n "$H" link set vu up
ip -n "$U" addr add 192.0.2.53/24 dev eth0; ip -n "$U" link set eth0 up
printf 'nameserver 192.0.2.53\n' >"$WORK/resolv.conf"
printf '' >"$WORK/empty.conf"

start() { # netns listen-address name
  ip netns exec "$1" "$RESOLVER" --listen "$2" --control "$WORK/$3.sock" --snapshot "$WORK/$3.snapshot" \
    --pid-file "$WORK/$3.pid" --resolv-conf "$4" 2>>"$WORK/$3.log" & PIDS+=($!)
  for _ in $(seq 1 100); do [ -S "$WORK/$3.sock" ] && return; sleep 0.05; done
  echo "resolver $3 did not start: $(cat "$WORK/$3.log")" >&2; exit 1
}
start "$H" 169.254.53.53 main "$WORK/resolv.conf"
# The upstream: a second resolver that takes the main one's host address (192.0.2.1) as a container, so it answers the
# name "fwd.example" (192.0.2.9) that the main one does not hold and forwards.
start "$U" 192.0.2.53 upstream "$WORK/empty.conf"
"$CLIENT" send --control "$WORK/upstream.sock" --line "$(printf '%s' \
  '{"op":"replace","containers":[' \
  '{"container":"host","endpoints":[{"network":"up","ip":"192.0.2.1","names":["main-resolver"]}]},' \
  '{"container":"fwd","endpoints":[{"network":"up","ip":"192.0.2.9","names":["fwd.example"]}]}]}')"

query() { ip netns exec "$C" "$CLIENT" query --server 169.254.53.53 --name "$1"; }
echo "mydocker-resolver answer time, µs ($(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg))"
"$CLIENT" feed --control "$WORK/main.sock" --names 10
for r in $(seq 1 "$RUNS"); do echo "  10 names, local 'db':       $(query db)"; done
"$CLIENT" feed --control "$WORK/main.sock" --names 10000
for r in $(seq 1 "$RUNS"); do echo "  10,000 names, local 'db':   $(query db)"; done
for r in $(seq 1 "$RUNS"); do echo "  forwarded to 192.0.2.53:    $(query fwd.example)"; done
echo "  10,000 names, local 'db' after forwarding: $(query db)"
echo "  resolver RSS with 10,000 names: $(awk '/VmRSS/{print $2, $3}' "/proc/${PIDS[0]}/status")"
