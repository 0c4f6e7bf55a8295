#!/usr/bin/env bash
# What one published port's element change and a listing of the table cost in nftables as the port map grows, without
# the daemon: a table shaped like the engine's (a map of type inet_proto . inet_service : ipv4_addr . inet_service,
# as ports_any, looked up by a dnat rule in nat/output) in a throw-away network namespace, filled with 0, 1,000 and
# 10,000 elements. At each size, ROUNDS times (default 21), alternating: `nft add element` of one element and its
# `nft delete element`, then `nft -j list table`, `nft list table` and `nft -t list table` (terse: no elements).
# Each time includes the nft process (start-up, libnftables' cache fill, the netlink round trips), as the daemon's
# listings through libnftables include all but the process start. Needs root; takes about a minute.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-21}
SIZES=${SIZES:-"0 1000 10000"}
NS="mdn-$$-$RANDOM"
out=$(mktemp -d /tmp/mydocker-bench-nft-XXXXXX)
cleanup() { set +e; ip netns delete "$NS" 2>/dev/null; rm -rf "$out"; }
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
export ROUNDS out

in_ns() { nsenter --net="/run/netns/$NS" "$@"; }
in_ns nft -f - <<'EOF'
table ip mdbench {
  map ports_any { type inet_proto . inet_service : ipv4_addr . inet_service; }
  chain output {
    type nat hook output priority -100; policy accept;
    fib daddr type local dnat ip to meta l4proto . th dport map @ports_any
  }
}
EOF

# fill FROM TO: elements tcp . (10000+i) : 10.(i/250).(i%250+1) . 80 for i in [FROM, TO), in one transaction.
fill() {
  (($1 < $2)) || return 0
  awk -v a="$1" -v b="$2" 'BEGIN{
    printf "add element ip mdbench ports_any {"
    for (i = a; i < b; i++) printf "%s tcp . %d : 10.%d.%d.%d . 80", (i > a ? "," : ""), 10000 + i, int(i / 62500), int(i / 250) % 250, i % 250 + 1
    print " }"}' | in_ns nft -f -
}
elements() { in_ns nft -j list map ip mdbench ports_any | jq '[.nftables[] | select(.map?) | (.map.elem // []) | length] | add'; }

# time_one FILE CMD...: appends CMD's wall time in ms to FILE.
time_one() {
  local f=$1 t0 t1; shift
  t0=${EPOCHREALTIME/./}; "$@" >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$f"
}
measure() { # SIZE
  local r
  # Warm-up: page cache and the kernel's first look at the set.
  nft list table ip mdbench >/dev/null
  for r in $(seq 1 "$ROUNDS"); do
    time_one "$out/add_$1" nft add element ip mdbench ports_any '{ tcp . 65000 : 10.255.0.1 . 80 }'
    time_one "$out/del_$1" nft delete element ip mdbench ports_any '{ tcp . 65000 }'
    time_one "$out/json_$1" nft -j list table ip mdbench
    time_one "$out/text_$1" nft list table ip mdbench
    time_one "$out/terse_$1" nft -t list table ip mdbench
  done
}
export -f time_one measure ms_between

have=0
for size in $SIZES; do
  fill "$have" "$size"; have=$size
  n=$(elements)
  [ "$n" = "$size" ] || { echo "nft-map-scale: $n elements in the map, expected $size" >&2; exit 1; }
  nsenter --net="/run/netns/$NS" bash -euo pipefail -c "measure $size"
done

echo "nftables map scale ($(machine), $(nft --version)); ms, median of $ROUNDS, the nft process included"
echo "| elements | nft add element (one) | nft delete element (one) | nft -j list table | nft list table | nft -t list table |"
echo "|---|---|---|---|---|---|"
for size in $SIZES; do
  echo "| $size | $(median "$out/add_$size" 2) | $(median "$out/del_$size" 2) | $(median "$out/json_$size" 2) | $(median "$out/text_$size" 2) | $(median "$out/terse_$size" 2) |"
done
for size in $SIZES; do
  for k in add del json text terse; do echo "  $size $k: $(stats "$out/${k}_$size")"; done
done
