#!/usr/bin/env bash
# Network and container latency of MyDocker next to Docker and Podman, measured back to back on this machine
# (../shared/anchors: its sections "a", "b" and "e" run the same loops as network-latency.sh and container-latency.sh). Installs the anchors if needed (they change the host's
# network: docker0, iptables; run ../shared/anchors/teardown.sh afterwards). Prints medians and ratios.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
anchors="${ANCHORS:-$here/../../shared/anchors}"
[ -x "$anchors/bench.sh" ] || { echo "compare: no anchors at $anchors" >&2; exit 1; }
export RESULTS_DIR="${RESULTS_DIR:-/tmp/mydocker-compare}"
mkdir -p "$RESULTS_DIR"
"$anchors/setup.sh" >/dev/null 2>&1
"$anchors/bench.sh" docker noop a b e >/dev/null 2>&1
"$anchors/bench.sh" podman noop a b e >/dev/null 2>&1
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/network-latency.sh" >/dev/null
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/container-latency.sh"

median() { sort -g "$1" | awk '{v[NR]=$1} END{ if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2 }'; }
row() { # label ours docker podman
  local o d p; o=$(median "$2"); d=$(median "$3"); p=$(median "$4")
  awk -v l="$1" -v o="$o" -v d="$d" -v p="$p" 'BEGIN{printf "| %s | %.1f | %.1f (%.1f×) | %.1f (%.1f×) |\n", l, o, d, d/o, p, p/o}'
}
echo
echo "| median, ms | MyDocker | Docker (÷ MyDocker) | Podman (÷ MyDocker) |"
echo "|---|---|---|---|"
row "CLI floor (mydocker network ls / ps -q)" "$RESULTS_DIR/mydocker/ls" "$RESULTS_DIR/docker_cli_ps.txt" "$RESULTS_DIR/podman_cli_ps.txt"
row "network create --subnet" "$RESULTS_DIR/mydocker/create" "$RESULTS_DIR/docker_net_create.txt" "$RESULTS_DIR/podman_net_create.txt"
row "network rm" "$RESULTS_DIR/mydocker/rm" "$RESULTS_DIR/docker_net_rm.txt" "$RESULTS_DIR/podman_net_rm.txt"
row "run -d --network N busybox sleep 1000" "$RESULTS_DIR/mydocker/ctr_run" "$RESULTS_DIR/docker_run_d.txt" "$RESULTS_DIR/podman_run_d.txt"
row "rm -f (Podman: rm -f -t 0)" "$RESULTS_DIR/mydocker/ctr_rm" "$RESULTS_DIR/docker_rm_f.txt" "$RESULTS_DIR/podman_rm_f.txt"
row "20x run -d at once, wall" "$RESULTS_DIR/mydocker/par20_run" "$RESULTS_DIR/docker_scale20_create.txt" "$RESULTS_DIR/podman_scale20_create.txt"
row "20x rm -f at once, wall" "$RESULTS_DIR/mydocker/par20_rm" "$RESULTS_DIR/docker_scale20_rm.txt" "$RESULTS_DIR/podman_scale20_rm.txt"
