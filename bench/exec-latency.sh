#!/usr/bin/env bash
# Figures for the exec path (issue 11): `exec` now writes the container's process with the exec's user and exactly its
# groups to a file and runs `runc exec --process FILE`, and every streaming exec's connection is polled once a second
# for a client that went away. Through the mydocker CLI against a daemon in a throw-away netns:
#   - `exec ec true` and `exec -u nobody ec true` latency, median of N (default 50);
#   - the daemon's fd count before and after 50 exec clients killed mid-run, and how long until it is back.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-50}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"; rm -f "$out"/{exec_root,exec_user}
md run -d --name ec busybox sleep 100000 >/dev/null
md exec ec true   # warm-up: JIT of the exec path

for _ in $(seq 1 "$N"); do
  t0=${EPOCHREALTIME/./}; md exec ec true; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/exec_root"
  t0=${EPOCHREALTIME/./}; md exec -u nobody ec true; t1=${EPOCHREALTIME/./}
  ms_between "$t0" "$t1" >>"$out/exec_user"
done

# Without the SQLite files: the connection pool keeps its peak number of connections, which is no client's leak.
fds() { find "/proc/$BENCH_PID/fd" -mindepth 1 -printf '%l\n' | grep -vc '/mydocker\.db' || true; }
before=$(fds)
pids=()
# The CLI itself in the background, not the md function: $! must be the client's pid, or the kill below would end a
# subshell and leave the client connected.
for _ in $(seq 1 50); do "$MYDOCKER" -H "unix://$BENCH_SOCK" exec ec sleep 100001 & pids+=($!); done
# Bounded waits: a bench that hangs tells nothing (60 s, then the figure says what was reached).
deadline=$((SECONDS + 60))
until [ "$(pgrep -xc -f 'sleep 100001' || true)" -ge 50 ] || [ $SECONDS -ge $deadline ]; do sleep 0.1; done
started=$(pgrep -xc -f 'sleep 100001' || true)
during=$(fds)
t0=${EPOCHREALTIME/./}
kill -KILL "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
deadline=$((SECONDS + 60))
until { [ "$(pgrep -xc -f 'sleep 100001' || true)" = 0 ] && [ "$(fds)" -le $((before + 5)) ]; } || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
t1=${EPOCHREALTIME/./}

echo "MyDocker exec, ms ($(machine), runc $(runc --version | awk 'NR==1{print $3}'))"
echo "  exec ec true:             $(stats "$out/exec_root")"
echo "  exec -u nobody ec true:   $(stats "$out/exec_user")"
echo "  daemon fds: $before before, $during with $started of 50 execs streaming, back to $(fds) $(ms_between "$t0" "$t1") ms after their clients were killed"
