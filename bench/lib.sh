# shellcheck shell=bash
# Shared helpers for MyDocker's benchmarks: a daemon in a throw-away network namespace, timing, statistics.
# Source this file. Needs root; start_daemon needs the published binaries (scripts/build.sh), the statistics do not.

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MYDOCKER="$BENCH_ROOT/artifacts/cli/mydocker"
MYDOCKERD="$BENCH_ROOT/artifacts/daemon/mydockerd"

# ms between two EPOCHREALTIME values with the dot removed (microseconds), 2 decimals.
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f\n", (b-a)/1e3}'; }

# stats FILE -> "median min max p95 n"
stats() {
  sort -g "$1" | awk '{v[NR]=$1} END{
    if (NR==0){print "NA NA NA NA 0"; exit}
    m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
    p = v[int(0.95*NR + 0.999)]; if (p=="") p=v[NR];
    printf "median %.2f  min %.2f  max %.2f  p95 %.2f  n %d\n", m, v[1], v[NR], p, NR}'
}

# median FILE [DECIMALS]: the median of the file's numbers (of the middle two for an even count), printed with DECIMALS
# decimals, or with 10 significant digits when none are asked for (exact for these inputs; the callers format it);
# NA for an empty file.
median() {
  sort -g "$1" | awk -v d="${2:-}" '{v[NR]=$1} END{
    if (NR == 0) {print "NA"; exit}
    m = (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2;
    if (d == "") printf "%.10g\n", m; else printf "%.*f\n", d, m}'
}

# ratio NUM-FILE DEN-FILE [INVERT [DECIMALS]]: median(NUM) ÷ median(DEN), no newline, with DECIMALS decimals (default
# 3); INVERT=1 gives median(DEN) ÷ median(NUM) (for times, so that above 1 means faster, as for throughputs). NA when
# either has no samples.
ratio() {
  awk -v a="$(median "$1")" -v b="$(median "$2")" -v inv="${3:-0}" -v d="${4:-3}" 'BEGIN{
    if (a == "NA" || b == "NA" || (inv ? a : b) == 0) printf "NA"; else printf "%.*f", d, inv ? b/a : a/b}'
}

# get_small URL FILE: 200 GETs of URL from one curl process, a new connection each (busybox httpd closes every
# connection); appends the median time_total in ms (3 decimals) to FILE.
get_small() {
  local args=() k
  for k in $(seq 1 200); do args+=(-o /dev/null "$1"); done
  curl -s -w '%{time_total}\n' "${args[@]}" | median /dev/stdin | awk '{printf "%.3f\n", $1 * 1000}' >>"$2"
}

# wait_http URL: polls URL (1 s per try) until it answers 2xx, for up to 20 s; says so on stderr and fails otherwise.
wait_http() {
  local deadline=$((${EPOCHREALTIME/./} + 20000000))
  while ((${EPOCHREALTIME/./} < deadline)); do curl -s -f -o /dev/null --max-time 1 "$1" && return 0; done
  echo "never reachable: $1" >&2; return 1
}

# Starts mydockerd in a new network namespace with a temporary root; sets BENCH_NS, BENCH_DIR, BENCH_SOCK, BENCH_PID.
# The namespace, the daemon and the directory are removed on exit.
start_daemon() {
  [ -x "$MYDOCKER" ] && [ -x "$MYDOCKERD" ] || { echo "bench: run scripts/build.sh first" >&2; exit 1; }
  BENCH_NS="mdb-$$-$RANDOM"
  BENCH_DIR=$(mktemp -d /tmp/mydocker-bench-XXXXXX)
  BENCH_SOCK="$BENCH_DIR/exec/mydocker.sock"
  BENCH_CGROUP="mydocker-bench-$$"
  mkdir -p "$BENCH_DIR/data/image"
  # The seed's way of providing busybox: a rootfs tarball at DATA-ROOT/image/busybox.tar.
  "$BENCH_ROOT/scripts/make-busybox-image.sh" "$BENCH_DIR/data/image/busybox.tar" >/dev/null
  ip netns add "$BENCH_NS"
  ip -n "$BENCH_NS" link set lo up
  trap stop_daemon EXIT
  MYDOCKER_MyDocker__CgroupParent="$BENCH_CGROUP" nsenter --net="/run/netns/$BENCH_NS" "$MYDOCKERD" --data-root "$BENCH_DIR/data" --exec-root "$BENCH_DIR/exec" \
    -H "unix://$BENCH_SOCK" >"$BENCH_DIR/daemon.log" 2>&1 &
  BENCH_PID=$!
  for _ in $(seq 1 200); do
    "$MYDOCKER" -H "unix://$BENCH_SOCK" network ls >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: daemon did not start; log:" >&2; cat "$BENCH_DIR/daemon.log" >&2; exit 1
}

stop_daemon() {
  set +e   # clean-up runs every step, whatever failed before or fails here
  # Containers outlive the daemon by design (their monitors keep them): remove them first, then anything left.
  if [ -n "${BENCH_SOCK:-}" ] && [ -S "$BENCH_SOCK" ]; then
    md ps -aq 2>/dev/null | xargs -r "$MYDOCKER" -H "unix://$BENCH_SOCK" rm -f >/dev/null 2>&1 || true
  fi
  [ -n "${BENCH_PID:-}" ] && kill "$BENCH_PID" 2>/dev/null && wait "$BENCH_PID" 2>/dev/null
  # The name resolver outlives the daemon by design (issue 13: names resolve while it restarts).
  [ -n "${BENCH_DIR:-}" ] && [ -s "$BENCH_DIR/exec/resolver.pid" ] && kill "$(cat "$BENCH_DIR/exec/resolver.pid")" 2>/dev/null
  if [ -n "${BENCH_DIR:-}" ]; then
    [ -d "$BENCH_DIR/exec/runc" ] && runc --root "$BENCH_DIR/exec/runc" list -q 2>/dev/null \
      | xargs -r -n1 runc --root "$BENCH_DIR/exec/runc" delete --force 2>/dev/null
    pkill -KILL -f "conmon .*$BENCH_DIR" 2>/dev/null
    awk -v d="$BENCH_DIR" '$5 ~ "^"d {print $5}' /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
  fi
  [ -n "${BENCH_CGROUP:-}" ] && find /sys/fs/cgroup/*/"$BENCH_CGROUP" -depth -type d -exec rmdir {} + 2>/dev/null
  for ns in "${BENCH_EXTRA_NS[@]}"; do ip netns delete "$ns" 2>/dev/null; done
  [ -n "${BENCH_NS:-}" ] && ip netns delete "$BENCH_NS" 2>/dev/null
  [ -n "${BENCH_DIR:-}" ] && rm -rf "$BENCH_DIR"
  return 0
}

md() { "$MYDOCKER" -H "unix://$BENCH_SOCK" "$@"; }

# The machine, for the first line of every bench's output.
machine() { echo "$(nproc) cores, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"; }

# Runs a shell command (typically an exported function) inside the daemon's network namespace: only the netns
# changes (nsenter --net), so the CLI still reaches the daemon's unix socket and 127.0.0.1 is the daemon's loopback.
# Functions the command uses must be exported with export -f, and its variables with export.
in_daemon_netns() {
  export -f md ms_between stats median ratio get_small wait_http
  export MYDOCKER BENCH_SOCK BENCH_DIR BENCH_NS
  nsenter --net="/run/netns/$BENCH_NS" bash -euo pipefail -c "$*"
}

# Extra namespaces a bench creates (e.g. a LAN client); stop_daemon deletes them.
BENCH_EXTRA_NS=()

# A LAN client: a namespace linked to the daemon's netns by a veth, the daemon's side 198.51.100.1/24 (TEST-NET-2) and
# the client's 198.51.100.2/24 routing through it. Sets LAN_NS; stop_daemon deletes it.
lan_client() {
  LAN_NS="mdl-$$-$RANDOM"; BENCH_EXTRA_NS+=("$LAN_NS")
  ip netns add "$LAN_NS"
  ip -n "$LAN_NS" link set lo up
  ip link add mdl-h netns "$BENCH_NS" type veth peer name mdl-c netns "$LAN_NS"
  ip -n "$BENCH_NS" addr add 198.51.100.1/24 dev mdl-h; ip -n "$BENCH_NS" link set mdl-h up
  ip -n "$LAN_NS" addr add 198.51.100.2/24 dev mdl-c; ip -n "$LAN_NS" link set mdl-c up
  ip -n "$LAN_NS" route add default via 198.51.100.1
}

# A container's address on its first network, from inspect.
ctr_ip() { md inspect "$1" | grep -o '"IPAddress": *"[0-9][0-9.]*"' | head -1 | grep -o '[0-9][0-9.]*'; }

# For the dashboard benchmarks, after start_daemon: waits for the login URL the daemon prints and makes a wrapper that
# runs Debian's Chromium inside the daemon's netns (the dashboard listens on the netns' loopback). Sets
# DASHBOARD_LOGIN and CHROMIUM.
dashboard_browser() {
  DASHBOARD_LOGIN=""
  for _ in $(seq 1 100); do
    DASHBOARD_LOGIN=$(sed -n 's/^Dashboard: //p' "$BENCH_DIR/daemon.log" | tail -n 1)
    [ -n "$DASHBOARD_LOGIN" ] && break; sleep 0.05
  done
  [ -n "$DASHBOARD_LOGIN" ] || { echo "bench: the daemon printed no login URL" >&2; exit 1; }
  CHROMIUM="$BENCH_DIR/chromium-in-netns"
  printf '#!/bin/sh\nexec nsenter --net=/run/netns/%s /usr/bin/chromium "$@"\n' "$BENCH_NS" >"$CHROMIUM"
  chmod 700 "$CHROMIUM"
}
