#!/usr/bin/env bash
# Network, container and published-port figures of MyDocker next to Docker and Podman, measured back to back on this
# machine (../shared/anchors: its sections "a", "b", "e", "c" and "d" run the same loops as network-latency.sh,
# container-latency.sh, port-latency.sh and port-throughput.sh). Installs the anchors if needed (they change the host's
# network: docker0, iptables; run ../shared/anchors/teardown.sh afterwards). Prints medians and ratios.
# The anchors run first, one engine after the other, then ours: never two at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib.sh"   # median, ratio
anchors="${ANCHORS:-$here/../../shared/anchors}"
[ -x "$anchors/bench.sh" ] || { echo "compare: no anchors at $anchors" >&2; exit 1; }
export RESULTS_DIR="${RESULTS_DIR:-/tmp/mydocker-compare}"
mkdir -p "$RESULTS_DIR"; rm -f "$RESULTS_DIR"/{docker,podman}_notes.txt
"$anchors/setup.sh" >/dev/null 2>&1
"$anchors/bench.sh" docker noop a b c d e >/dev/null 2>&1
"$anchors/bench.sh" podman noop a b c d e >/dev/null 2>&1
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/network-latency.sh" >/dev/null
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/container-latency.sh"
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/port-latency.sh"
RESULTS_DIR="$RESULTS_DIR/mydocker" "$here/port-throughput.sh"

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
row "run -d -p P:80 busybox httpd, command return" "$RESULTS_DIR/mydocker/port_run_return" "$RESULTS_DIR/docker_port_run_return.txt" "$RESULTS_DIR/podman_port_run_return.txt"
row "run -d -p P:80 busybox httpd → first HTTP 200 on 127.0.0.1:P" "$RESULTS_DIR/mydocker/port_reachable" "$RESULTS_DIR/docker_port_reachable.txt" "$RESULTS_DIR/podman_port_reachable.txt"

# Throughput and small-request latency through a published port, and each engine's published ÷ direct ratio (for
# latencies direct ÷ published, so for every row 1.0 means the published port costs nothing).
tp() { # label unit metric-published metric-direct invert (files: mydocker/METRIC, ENGINE_METRIC.txt)
  local o d p
  o=$(median "$RESULTS_DIR/mydocker/$3"); d=$(median "$RESULTS_DIR/docker_$3.txt"); p=$(median "$RESULTS_DIR/podman_$3.txt")
  awk -v l="$1 via 127.0.0.1:hostport, $2" -v o="$o" -v d="$d" -v p="$p" 'BEGIN{printf "| %s | %.2f | %.2f (%.2f×) | %.2f (%.2f×) |\n", l, o, d, d/o, p, p/o}'
  o=$(median "$RESULTS_DIR/mydocker/$4"); d=$(median "$RESULTS_DIR/docker_$4.txt"); p=$(median "$RESULTS_DIR/podman_$4.txt")
  awk -v l="$1 via container IP, $2" -v o="$o" -v d="$d" -v p="$p" 'BEGIN{printf "| %s | %.2f | %.2f (%.2f×) | %.2f (%.2f×) |\n", l, o, d, d/o, p, p/o}'
  local what="published ÷ direct"; [ "$5" = 1 ] && what="direct ÷ published (time)"
  echo "| $1: $what | $(ratio "$RESULTS_DIR/mydocker/$3" "$RESULTS_DIR/mydocker/$4" "$5") | $(ratio "$RESULTS_DIR/docker_$3.txt" "$RESULTS_DIR/docker_$4.txt" "$5") | $(ratio "$RESULTS_DIR/podman_$3.txt" "$RESULTS_DIR/podman_$4.txt" "$5") |"
}
echo
echo "| median | MyDocker | Docker (÷ MyDocker) | Podman (÷ MyDocker) |"
echo "|---|---|---|---|"
tp "curl 100 MiB" "MB/s" tp_hostport_MBps tp_ctrip_MBps 0
tp "iperf3 3 s" "Gbit/s" iperf_hostport_Gbps iperf_ctrip_Gbps 0
tp "small GET, new connection (median of 200)" "ms" req_hostport_ms req_ctrip_ms 1
echo
echo "Docker's processes in the data path and dockerd options, from the anchors' notes:"
grep -h -E '^=== |^d: container ip' "$RESULTS_DIR/docker_notes.txt" "$RESULTS_DIR/podman_notes.txt" 2>/dev/null | tail -n 8 || true
