#!/usr/bin/env bash
# What the default confinement (issue 11: seccomp filter, capabilities, pids limit, rlimits) costs at start: `run -d
# busybox true` with the default seccomp profile and with --security-opt seccomp=unconfined, in interleaved pairs
# against one daemon in a throw-away netns, so both see the same load. Prints both medians and their ratio.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-20}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{conf_default,conf_unconfined}

# Warm-up: the first run imports the busybox tarball and JIT-compiles the daemon's code paths.
md run -d busybox true >/dev/null
md run -d --security-opt seccomp=unconfined busybox true >/dev/null

for _ in $(seq 1 "$N"); do
  t0=${EPOCHREALTIME/./}; md run -d busybox true >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/conf_default"
  t0=${EPOCHREALTIME/./}; md run -d --security-opt seccomp=unconfined busybox true >/dev/null; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/conf_unconfined"
done

echo "MyDocker confinement cost, ms ($(nproc) cores, kernel $(uname -r), runc $(runc --version | awk 'NR==1{print $3}'), load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  run -d busybox true, default seccomp profile:  $(stats "$out/conf_default")"
echo "  run -d busybox true, seccomp=unconfined:       $(stats "$out/conf_unconfined")"
echo "  default / unconfined (medians):                $(ratio "$out/conf_default" "$out/conf_unconfined")"
