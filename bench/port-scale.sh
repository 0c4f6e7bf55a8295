#!/usr/bin/env bash
# Figures for issue 4 at 1,000 published ports (goals: adding the 1,000th mapping costs <= 1.5x the first; a new
# connection to the first and to the 1,000th mapped port costs the same):
#   - cost of adding a mapping: `mydocker run -d -p P:80 busybox sleep 1000` with 1 mapping in place (the httpd's
#     below) and with 999, median of N each (default 20; the container is removed after each, so every timed run adds
#     the 2nd or the 1,000th mapping); `run -d` without -p at both points too, so the mapping's own share shows;
#   - new-connection cost: median of 200 small GETs (a new TCP connection each, busybox httpd) to 127.0.0.1:PORT from
#     inside the daemon's netns, ROUNDS rounds (default 5): with 1 mapping, then with 1,000 to the port published
#     first and to the one published last.
# The 999 are published by containers that each publish a range (-p 20000-20099:20000-20099, ...).
# ENGINE=docker measures the same against the anchors' dockerd (../shared/anchors/setup.sh; root netns, image bb,
# names anc-ps-* so the anchors' teardown.sh removes whatever is left): its mappings are DNAT rules in iptables' DOCKER
# chain, one per port, and with the userland proxy (20.10's default) one docker-proxy process per port; with the proxy
# on, 127.0.0.1 is served by docker-proxy (its OUTPUT rule skips 127/8), so only --userland-proxy=false makes the
# GETs below walk the rule chain. Start dockerd with it through the anchors' common.sh (DOCKERD_OPTS).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-20}
ROUNDS=${ROUNDS:-5}
TOTAL=${TOTAL:-1000}
PFIRST=${PFIRST:-18081}  # published first (httpd)
PLAST=${PLAST:-18082}    # published last, as the TOTAL-th mapping (httpd)
PTIMED=${PTIMED:-18083}  # the timed mapping (sleep)
ENGINE=${ENGINE:-mydocker}
HTTPD="mkdir -p /www; echo ok >/www/index.html; exec httpd -f -p 80 -h /www"
if [ "$ENGINE" = docker ]; then
  DOCKER=/usr/bin/docker
  "$DOCKER" info >/dev/null 2>&1 || { echo "port-scale: no dockerd answers (run ../shared/anchors/setup.sh)" >&2; exit 1; }
  md() { "$DOCKER" "$@"; }
  in_daemon_netns() { export -f md ms_between stats median get_small wait_http; export DOCKER; bash -euo pipefail -c "$*"; }
  mappings() { iptables -t nat -S DOCKER | grep -c -- '-j DNAT'; }
  IMG=bb:latest NET=anc-portscale SUBNET=10.214.0.0/16 PFX=anc-ps-
  docker_cleanup() {
    set +e
    "$DOCKER" ps -aq --filter "name=^/$PFX" | xargs -r "$DOCKER" rm -f >/dev/null
    "$DOCKER" network rm "$NET" >/dev/null 2>&1
    [ -z "${tmpout:-}" ] || rm -rf "$tmpout"
  }
  trap docker_cleanup EXIT
  tmpout=$(mktemp -d /tmp/mydocker-bench-docker-XXXXXX)
  out="${RESULTS_DIR:-$tmpout}"
  CYCLES=${CYCLES:-1}
  label="Docker $("$DOCKER" version -f '{{.Server.Version}}') (userland-proxy: $(pgrep -a dockerd | grep -q 'userland-proxy=false' && echo off || echo on))"
else
  start_daemon
  mappings() { # elements in the two port maps of the daemon's table
    nsenter --net="/run/netns/$BENCH_NS" nft -j list table ip mydocker |
      jq '[.nftables[] | select(.map? and (.map.name == "ports_any" or .map.name == "ports_addr")) | (.map.elem // []) | length] | add'
  }
  IMG=busybox NET=portscale SUBNET=10.213.0.0/16 PFX=ps-
  out="${RESULTS_DIR:-$BENCH_DIR/results}"
  label=MyDocker
fi
mkdir -p "$out"
rm -f "$out"/{add_p_0,add_p_999,add_nop_0,add_nop_999,get_first_1,get_first_1000,get_last_1000,ranges}
md network create --subnet "$SUBNET" "$NET" >/dev/null
export N ROUNDS PFIRST PLAST PTIMED out
seq=0
name() { seq=$((seq + 1)); NAME="$PFX$seq"; }
# time_runs LABEL-WITH-P LABEL-WITHOUT-P: N runs each, alternating, each container removed before the next.
time_runs() {
  local t0 t1 id
  for _ in $(seq 1 "$N"); do
    name; t0=${EPOCHREALTIME/./}; id=$(md run -d --name "$NAME" -p "$PTIMED:80" --network "$NET" "$IMG" sleep 1000); t1=${EPOCHREALTIME/./}
    ms_between "$t0" "$t1" >>"$out/$1"; md rm -f "$id" >/dev/null
    name; t0=${EPOCHREALTIME/./}; id=$(md run -d --name "$NAME" --network "$NET" "$IMG" sleep 1000); t1=${EPOCHREALTIME/./}
    ms_between "$t0" "$t1" >>"$out/$2"; md rm -f "$id" >/dev/null
  done
}
# The small file on 127.0.0.1:PORT (get_small, lib.sh: 200 GETs, a new connection each; the median time_total in ms).
url() { echo "http://127.0.0.1:$1/index.html"; }

# Warm-up: the first run imports the busybox tarball and JIT-compiles the daemon's code paths.
name; md rm -f "$(md run -d --name "$NAME" -p "$PTIMED:80" --network "$NET" "$IMG" sleep 1000)" >/dev/null
name; md rm -f "$(md run -d --name "$NAME" --network "$NET" "$IMG" sleep 1000)" >/dev/null

name; first=$(md run -d --name "$NAME" -p "$PFIRST:80" --network "$NET" "$IMG" sh -c "$HTTPD")
in_daemon_netns "wait_http http://127.0.0.1:$PFIRST/; for _ in \$(seq 1 $ROUNDS); do get_small $(url "$PFIRST") \$out/get_first_1; done"
n1=$(mappings)

# CYCLES cycles (default 4) of: N/CYCLES timed runs with only the httpd's mapping in place (the timed one is the
# 2nd mapping), ranges up to TOTAL-1 mappings in all, N/CYCLES timed runs (the timed one is the
# TOTAL-th), the ranges removed again. Alternating in blocks spreads this shared machine's load drift over both.
CYCLES=${CYCLES:-4}
per=$(((N + CYCLES - 1) / CYCLES)); N=$per
for c in $(seq 1 "$CYCLES"); do
  time_runs add_p_0 add_nop_0
  have=$n1; base=20000; ranges=()
  while ((have < TOTAL - 1)); do
    k=$((TOTAL - 1 - have)); ((k <= 100)) || k=100
    r="$base-$((base + k - 1))"
    name; t0=${EPOCHREALTIME/./}; ranges+=("$(md run -d --name "$NAME" -p "$r:$r" --network "$NET" "$IMG" sleep 1000)"); t1=${EPOCHREALTIME/./}
    ms_between "$t0" "$t1" >>"$out/ranges"
    have=$((have + k)); base=$((base + 100))
  done
  n999=$(mappings)
  time_runs add_p_999 add_nop_999
  ((c == CYCLES)) || md rm -f "${ranges[@]}" >/dev/null
done
name; last=$(md run -d --name "$NAME" -p "$PLAST:80" --network "$NET" "$IMG" sh -c "$HTTPD")
n1000=$(mappings)
in_daemon_netns "wait_http http://127.0.0.1:$PLAST/; for _ in \$(seq 1 $ROUNDS); do get_small $(url "$PFIRST") \$out/get_first_1000; get_small $(url "$PLAST") \$out/get_last_1000; done"

med() { median "$1" 3; }
div() { ratio "$1" "$2" 0 2; }
sub() { awk -v a="$(med "$1")" -v b="$(med "$2")" 'BEGIN{printf "%.1f", a-b}'; }
echo "$label with $TOTAL published ports ($(machine)); map elements: $n1 at the start, $n999 before the timed runs, $n1000 after"
echo "  range containers (-p A-B:A-B, up to 100 ports each), run -d, ms: $(stats "$out/ranges")"
echo "  | ms, median of $(wc -l <"$out/add_p_0") ($CYCLES blocks) | 1 mapping in place (the 2nd added) | 999 in place (the 1,000th added) | ratio |"
echo "  |---|---|---|---|"
echo "  | run -d -p P:80 busybox sleep 1000 | $(med "$out/add_p_0") | $(med "$out/add_p_999") | $(div "$out/add_p_999" "$out/add_p_0") |"
echo "  | run -d busybox sleep 1000 (no -p) | $(med "$out/add_nop_0") | $(med "$out/add_nop_999") | $(div "$out/add_nop_999" "$out/add_nop_0") |"
echo "  | difference (the mapping's share) | $(sub "$out/add_p_0" "$out/add_nop_0") | $(sub "$out/add_p_999" "$out/add_nop_999") | |"
echo "  run -d -p with 1 in place:   $(stats "$out/add_p_0")"
echo "  run -d -p with 999 in place: $(stats "$out/add_p_999")"
echo "  | small GET, new connection each, ms (median of 200; median of $ROUNDS rounds) | port |"
echo "  |---|---|"
echo "  | 1 mapping, to it | $(med "$out/get_first_1") |"
echo "  | $n1000 mappings, to the first published | $(med "$out/get_first_1000") |"
echo "  | $n1000 mappings, to the last published | $(med "$out/get_last_1000") |"
echo "  last ÷ first at $n1000: $(div "$out/get_last_1000" "$out/get_first_1000"); first at $n1000 ÷ first at 1: $(div "$out/get_first_1000" "$out/get_first_1")"
