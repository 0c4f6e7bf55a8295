#!/usr/bin/env bash
# Figures for issue 4: throughput through a published port ÷ straight to the container's address, from inside the
# daemon's network namespace, with the loops of ../shared/anchors/bench.sh section "d" so they compare with Docker's
# and Podman's: curl of a 100 MiB file, iperf3 (3 s), and small GETs (200 per run, a new TCP connection each: busybox
# httpd closes every connection; one value per run = the median of its 200). N runs (default 10), the two paths
# alternating within each run so load drifts on this shared machine hit both alike. Goal: ratio >= 0.95.
# The container gets the host's iperf3: the binary, its libraries and the dynamic loader copied into one directory,
# bind-mounted read-only at /opt and started through the loader (busybox's rootfs has no /lib64 for the ELF's
# interpreter path, and no libc).
# LAN=1 (default) also measures from a "LAN client": a namespace joined to the daemon's by a veth (198.51.100.0/24,
# TEST-NET-2), downloading via 198.51.100.1:HOSTPORT. Routed access to a container's address from outside is dropped
# by design (only published ports are forwarded into a bridge), so the LAN figures are divided by the in-netns ones.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${N:-10}
LAN=${LAN:-1}
HOSTPORT=${HOSTPORT:-18080}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"
rm -f "$out"/{tp_hostport_MBps,tp_ctrip_MBps,req_hostport_ms,req_ctrip_ms,iperf_hostport_Gbps,iperf_ctrip_Gbps}
rm -f "$out"/{lan_tp_hostport_MBps,lan_req_hostport_ms,lan_iperf_hostport_Gbps,notes}
touch "$out"/{iperf_hostport_Gbps,iperf_ctrip_Gbps,lan_iperf_hostport_Gbps}   # every iperf3 run may fail

opt="$BENCH_DIR/opt"; mkdir -p "$opt/bin" "$opt/lib"
cp -L /usr/bin/iperf3 "$opt/bin/"
for f in $(ldd /usr/bin/iperf3 | awk '/=>/{print $3} /^\t\/lib/{print $1}'); do cp -L "$f" "$opt/lib/"; done
loader=$(basename "$(ldd /usr/bin/iperf3 | awk '/^\t\/lib/{print $1}')")

md network create --subnet 10.212.0.0/16 porttp >/dev/null
id=$(md run -d -p "$((HOSTPORT + 1)):80" -p "$((HOSTPORT + 2)):5201" -v "$opt:/opt:ro" --network porttp busybox sh -c \
  "mkdir -p /www; echo ok >/www/index.html; dd if=/dev/zero of=/www/big.bin bs=1M count=100 2>/dev/null;
   /opt/lib/$loader --library-path /opt/lib /opt/bin/iperf3 -s -D -p 5201; exec httpd -f -p 80 -h /www")
ip=$(ctr_ip "$id")
export N HOSTPORT out ip

# One GET per path of the 100 MiB file: MB/s (curl's speed_download / 1e6), after checking the size.
get_big() { # URL FILE
  local s; s=$(curl -s -o /dev/null --max-time 60 -w '%{size_download} %{speed_download}' "$1")
  [ "${s%% *}" = $((100 * 1024 * 1024)) ] || echo "short download via $1: $s" >>"$out/notes"
  awk -v b="${s##* }" 'BEGIN{printf "%.1f\n", b/1e6}' >>"$2"
}
# iperf3 for 3 s: Gbit/s received. A failed run adds no sample (a 0 would drag the median down); it is noted, and the
# sample counts (n) in the output show how many runs a figure rests on.
get_iperf() { # HOST PORT FILE
  local g
  g=$(iperf3 -c "$1" -p "$2" -t 3 -J 2>/dev/null |
    python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9,2))' 2>/dev/null) || true
  if [ -n "$g" ]; then echo "$g" >>"$3"; else echo "iperf3 to $1:$2 failed" >>"$out/notes"; fi
}
# get_small URL FILE and wait_http URL come from lib.sh; measure_lan runs them outside in_daemon_netns, so export here.
export -f get_big get_small get_iperf wait_http median

measure_local() {
  wait_http "http://127.0.0.1:$((HOSTPORT + 1))/big.bin"
  wait_http "http://$ip/index.html"
  for _ in $(seq 1 "$N"); do
    get_big "http://127.0.0.1:$((HOSTPORT + 1))/big.bin" "$out/tp_hostport_MBps"
    get_big "http://$ip/big.bin" "$out/tp_ctrip_MBps"
  done
  for _ in $(seq 1 "$N"); do
    get_small "http://127.0.0.1:$((HOSTPORT + 1))/index.html" "$out/req_hostport_ms"
    get_small "http://$ip/index.html" "$out/req_ctrip_ms"
  done
  for _ in $(seq 1 "$N"); do
    get_iperf 127.0.0.1 "$((HOSTPORT + 2))" "$out/iperf_hostport_Gbps"
    get_iperf "$ip" 5201 "$out/iperf_ctrip_Gbps"
  done
}
export -f measure_local
in_daemon_netns measure_local

if [ "$LAN" = 1 ]; then
  lan_client; lan=$LAN_NS
  measure_lan() {
    wait_http "http://198.51.100.1:$((HOSTPORT + 1))/index.html"
    if curl -s -f -o /dev/null --max-time 1 "http://$ip/index.html"; then lan_ctrip=reachable; else lan_ctrip=dropped; fi
    echo "LAN client → container address $ip:80 directly: $lan_ctrip" >>"$out/notes"
    for _ in $(seq 1 "$N"); do get_big "http://198.51.100.1:$((HOSTPORT + 1))/big.bin" "$out/lan_tp_hostport_MBps"; done
    for _ in $(seq 1 "$N"); do get_small "http://198.51.100.1:$((HOSTPORT + 1))/index.html" "$out/lan_req_hostport_ms"; done
    for _ in $(seq 1 "$N"); do get_iperf 198.51.100.1 "$((HOSTPORT + 2))" "$out/lan_iperf_hostport_Gbps"; done
  }
  export -f measure_lan
  nsenter --net="/run/netns/$lan" bash -euo pipefail -c measure_lan
fi

# ratio (lib.sh) NUM DEN [invert]: "port ÷ direct" as a throughput ratio (for latencies, direct ÷ port, so >1 is better too)
echo "MyDocker published port throughput ($(machine)); container $ip, N=$N"
echo "  curl 100 MiB via 127.0.0.1:hostport, MB/s:  $(stats "$out/tp_hostport_MBps")"
echo "  curl 100 MiB via container IP:80, MB/s:     $(stats "$out/tp_ctrip_MBps")"
echo "  iperf3 via 127.0.0.1:hostport, Gbit/s:      $(stats "$out/iperf_hostport_Gbps")"
echo "  iperf3 via container IP, Gbit/s:            $(stats "$out/iperf_ctrip_Gbps")"
echo "  small GET (new conn) via hostport, ms:      $(stats "$out/req_hostport_ms")"
echo "  small GET (new conn) via container IP, ms:  $(stats "$out/req_ctrip_ms")"
echo "  ratios of medians, published ÷ direct (goal >= 0.95): curl $(ratio "$out/tp_hostport_MBps" "$out/tp_ctrip_MBps")," \
  "iperf3 $(ratio "$out/iperf_hostport_Gbps" "$out/iperf_ctrip_Gbps"), small GET (direct ms ÷ published ms) $(ratio "$out/req_hostport_ms" "$out/req_ctrip_ms" 1)"
if [ "$LAN" = 1 ]; then
  echo "  LAN client (veth into the daemon's netns) via 198.51.100.1:hostport:"
  echo "    curl 100 MiB, MB/s:      $(stats "$out/lan_tp_hostport_MBps")"
  echo "    iperf3, Gbit/s:          $(stats "$out/lan_iperf_hostport_Gbps")"
  echo "    small GET (new conn), ms: $(stats "$out/lan_req_hostport_ms")"
  echo "    ratios of medians, LAN via published port ÷ daemon netns to container IP: curl $(ratio "$out/lan_tp_hostport_MBps" "$out/tp_ctrip_MBps")," \
    "iperf3 $(ratio "$out/lan_iperf_hostport_Gbps" "$out/iperf_ctrip_Gbps"), small GET $(ratio "$out/lan_req_hostport_ms" "$out/req_ctrip_ms" 1)"
fi
iperf_fails=$(grep -c '^iperf3 to .* failed$' "$out/notes" 2>/dev/null || true)
((${iperf_fails:-0} == 0)) || echo "  iperf3: ${iperf_fails} run(s) failed, left out of the figures above (see the notes)"
[ ! -s "$out/notes" ] || sed 's/^/  note: /' "$out/notes"
