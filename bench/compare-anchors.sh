#!/usr/bin/env bash
# Network create/rm latency of MyDocker next to Docker and Podman, measured back to back on this machine
# (../shared/anchors: its section "a" runs the same loop). Installs the anchors if needed (they change the host's
# network: docker0, iptables; run ../shared/anchors/teardown.sh afterwards). Prints medians and ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
anchors="${ANCHORS:-$here/../../shared/anchors}"
[ -x "$anchors/bench.sh" ] || { echo "compare: no anchors at $anchors" >&2; exit 1; }
export RESULTS_DIR="${RESULTS_DIR:-/tmp/mydocker-compare}"
mkdir -p "$RESULTS_DIR"
"$anchors/setup.sh" >/dev/null 2>&1
"$anchors/bench.sh" docker noop a >/dev/null 2>&1
"$anchors/bench.sh" podman noop a >/dev/null 2>&1
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/network-latency.sh" >/dev/null

median() { sort -g "$1" | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
row() { # label ours docker podman
  local o d p; o=$(median "$2"); d=$(median "$3"); p=$(median "$4")
  awk -v l="$1" -v o="$o" -v d="$d" -v p="$p" 'BEGIN{printf "| %s | %.1f | %.1f (%.1f×) | %.1f (%.1f×) |\n", l, o, d, d/o, p, p/o}'
}
echo "| median of 20, ms | MyDocker | Docker (÷ MyDocker) | Podman (÷ MyDocker) |"
echo "|---|---|---|---|"
row "CLI floor (mydocker network ls / ps -q)" "$RESULTS_DIR/mydocker/ls" "$RESULTS_DIR/docker_cli_ps.txt" "$RESULTS_DIR/podman_cli_ps.txt"
row "network create --subnet" "$RESULTS_DIR/mydocker/create" "$RESULTS_DIR/docker_net_create.txt" "$RESULTS_DIR/podman_net_create.txt"
row "network rm" "$RESULTS_DIR/mydocker/rm" "$RESULTS_DIR/docker_net_rm.txt" "$RESULTS_DIR/podman_net_rm.txt"
