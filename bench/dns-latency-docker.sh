#!/usr/bin/env bash
# The anchor for bench/dns-latency.sh: the same loop (2,000 A queries after 200, one UDP socket) from inside a Docker
# container's netns to Docker's embedded DNS at 127.0.0.11, for a container name on a user-defined network, with ~10
# names and with ALIAS_CTRS × ALIASES (10,000) more. Installs the anchors first (../shared/anchors/setup.sh: docker.io,
# the "bb" image; it changes the host's network), as compare-anchors.sh does; run ../shared/anchors/teardown.sh afterwards. Docker's upstream is the host's resolv.conf: only names of
# containers are asked here, which dockerd answers itself.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns-lib.sh"
anchors="${ANCHORS:-$(cd "$(dirname "$0")" && pwd)/../../shared/anchors}"
"$anchors/setup.sh" >/dev/null 2>&1
. "$anchors/common.sh"
RUNS=${RUNS:-3}
ALIAS_CTRS=${ALIAS_CTRS:-20}
ALIASES=${ALIASES:-500}
dockerd_running || { echo "dockerd is not running after $anchors/setup.sh" >&2; exit 1; }
DNS_WORK=$(mktemp -d /tmp/mydocker-bench-dns-XXXXXX)
cleanup() {
  set +e
  "$DOCKER" ps -aq --filter "name=^/$PFX-dns-" | xargs -r "$DOCKER" rm -f >/dev/null
  "$DOCKER" network rm "$PFX-dns" >/dev/null 2>&1
  rm -rf "$DNS_WORK"
}
trap cleanup EXIT
dns_client "$DNS_WORK/client"
"$DOCKER" network create "$PFX-dns" >/dev/null
"$DOCKER" run -d --name "$PFX-dns-db" --network "$PFX-dns" bb sleep 100000 >/dev/null
"$DOCKER" run -d --name "$PFX-dns-client" --network "$PFX-dns" bb sleep 100000 >/dev/null
ns="/proc/$("$DOCKER" inspect -f '{{.State.Pid}}' "$PFX-dns-client")/ns/net"
q() { nsenter --net="$ns" "$DNS_CLIENT" query --server 127.0.0.11 --name "$PFX-dns-db" || true; }  # a lost query still prints its line
p() { sed -n "s/.*$1 \\([0-9.]*\\) .*/\\1/p" "$2" | median /dev/stdin; }
echo "Docker $("$DOCKER" version -f '{{.Server.Version}}') embedded DNS, A '$PFX-dns-db' from a container's netns, µs ($(machine))"
for _ in $(seq 1 "$RUNS"); do q | tee -a "$DNS_WORK/small"; done | sed 's/^/  ~10 names:     /'
for c in $(seq 1 "$ALIAS_CTRS"); do
  args=()
  for a in $(seq 1 "$ALIASES"); do args+=(--network-alias "n$c-$a"); done
  "$DOCKER" run -d --name "$PFX-dns-a$c" --network "$PFX-dns" "${args[@]}" bb sleep 100000 >/dev/null
done
got=$(printf 'n1-1\nn%s-%s\n' "$ALIAS_CTRS" "$ALIASES" | nsenter --net="$ns" "$DNS_CLIENT" lines --server 127.0.0.11 | paste -sd,)
echo "  ($((ALIAS_CTRS * ALIASES)) aliases from $ALIAS_CTRS containers; first, last alias: $got)"
for _ in $(seq 1 "$RUNS"); do q | tee -a "$DNS_WORK/large"; done | sed 's/^/  10,000 names:  /'
awk -v a="$(p p50 "$DNS_WORK/small")" -v b="$(p p50 "$DNS_WORK/large")" -v c="$(p p99 "$DNS_WORK/small")" -v d="$(p p99 "$DNS_WORK/large")" \
  'BEGIN{printf "  median of runs: p50 %.1f -> %.1f (ratio 10k/10 %.2f), p99 %.1f -> %.1f (ratio %.2f)\n", a, b, b/a, c, d, d/c}'
echo "  load after: $(cut -d' ' -f1-3 /proc/loadavg)"
