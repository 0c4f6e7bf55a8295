#!/usr/bin/env bash
# Figures for issue 13 "Fast": the issue's loop (2,000 sequential A queries for "db" after 200 not counted, one UDP
# socket) from inside a client container's netns to the resolver at 169.254.53.53, through the real daemon: a
# user-defined network with "db" and the client (about 10 names), then the same with 10,000 more names on that network
# (ALIAS_CTRS containers with ALIASES --network-alias values each). Prints p50/p99 and the ratio 10k/10.
# Trap: on this VM the figures follow the machine's idleness (see bench/dns-resolver.sh); compare runs under the same load.
# Needs root and scripts/build.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns-lib.sh"
RUNS=${RUNS:-3}
ALIAS_CTRS=${ALIAS_CTRS:-20}
ALIASES=${ALIASES:-500}   # ALIAS_CTRS × ALIASES names added (10,000 by default)
dns_setup
start_daemon
dns_trap
md network create app >/dev/null
md run -d --name db --network app busybox sleep 100000 >/dev/null
md run -d --name client --network app busybox sleep 100000 >/dev/null
q() { in_ctr client "$DNS_CLIENT" query --server 169.254.53.53 --name db || true; }  # a lost query still prints its line
p() { sed -n 's/.*p50 \([0-9.]*\) .*/\1/p' "$1" | median /dev/stdin; }
p99() { sed -n 's/.*p99 \([0-9.]*\) .*/\1/p' "$1" | median /dev/stdin; }
echo "mydocker resolver through mydockerd, A 'db' from a container's netns, µs ($(machine))"
for _ in $(seq 1 "$RUNS"); do q | tee -a "$DNS_WORK/small"; done | sed 's/^/  ~10 names:     /'
for c in $(seq 1 "$ALIAS_CTRS"); do
  args=()
  for a in $(seq 1 "$ALIASES"); do args+=(--network-alias "n$c-$a"); done
  md run -d --name "a$c" --network app "${args[@]}" busybox sleep 100000 >/dev/null
done
# The first and the last alias, asked twice (rcode and addresses, or "timeout" after 1 s).
got=$(printf 'n1-1\nn%s-%s\nn1-1\nn%s-%s\n' "$ALIAS_CTRS" "$ALIASES" "$ALIAS_CTRS" "$ALIASES" \
  | in_ctr client "$DNS_CLIENT" lines --server 169.254.53.53 | paste -sd,)
echo "  ($((ALIAS_CTRS * ALIASES)) aliases on 'app' from $ALIAS_CTRS containers; first, last, first, last alias: $got)"
for _ in $(seq 1 "$RUNS"); do q | tee -a "$DNS_WORK/large"; done | sed 's/^/  10,000 names:  /'
awk -v a="$(p "$DNS_WORK/small")" -v b="$(p "$DNS_WORK/large")" -v c="$(p99 "$DNS_WORK/small")" -v d="$(p99 "$DNS_WORK/large")" \
  'BEGIN{printf "  median of runs: p50 %.1f -> %.1f (ratio 10k/10 %.2f), p99 %.1f -> %.1f (ratio %.2f)\n", a, b, b/a, c, d, d/c}'
echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
