#!/usr/bin/env bash
# Figures for issue 11: how long another tool's change keeps published ports dead. In the daemon's throw-away netns a
# busybox httpd is published on HOSTPORT; a "LAN client" namespace joined by a veth (198.51.100.0/24, TEST-NET-2) fetches
# it through 198.51.100.1:HOSTPORT, so its packets cross the FORWARD hook (the host's own 127.0.0.1 ones would not).
# ROUNDS rounds (default 10) of each change, each timed from just before the command is started:
#   - `iptables -P FORWARD DROP` (what starting Docker does): until our three accept rules are in iptables' FORWARD
#     chain, and until a new TCP connection from the LAN client gets its HTTP answer;
#   - `nft flush ruleset`: until the daemon's table is back, and until the LAN client gets its answer again.
# Between DROP rounds the policy goes back to ACCEPT and iptables' table is deleted (the daemon takes its rules out).
# One python process per round runs the command and polls: a connection attempt every ~20 ms (connect timeout 20 ms, a
# dropped SYN is not retried within it) and a listing every ~10 ms, so the figures have that granularity.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ROUNDS=${ROUNDS:-10}
HOSTPORT=${HOSTPORT:-18090}
start_daemon
out="${RESULTS_DIR:-$BENCH_DIR/results}"; mkdir -p "$out"
rm -f "$out"/{drop_rules,drop_traffic,flush_table,flush_traffic}

lan_client; lan=$LAN_NS

md network create --subnet 10.215.0.0/24 drift >/dev/null
md run -d -p "$HOSTPORT:80" --network drift busybox sh -c "mkdir -p /www; echo ok >/www/index.html; exec httpd -f -p 80 -h /www" >/dev/null
nsenter --net="/run/netns/$lan" bash -c "$(declare -f wait_http); wait_http http://198.51.100.1:$HOSTPORT/index.html"

cat >"$BENCH_DIR/round.py" <<'EOF'
# round.py DAEMON_NETNS KIND: runs the change in the daemon's netns (this process is in the LAN client's), then prints
# "ms-until-the-ruleset-is-back ms-until-traffic-works" (-1: not within 20 s).
import socket, subprocess, sys, threading, time
netns, kind, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
daemon = ["nsenter", "--net=" + netns]
if kind == "drop":
    command, back = ["iptables", "-P", "FORWARD", "DROP"], lambda: subprocess.run(daemon + ["iptables", "-S", "FORWARD"],
        capture_output=True, text=True).stdout.count("--comment mydocker") >= 3
else:
    command, back = ["nft", "flush", "ruleset"], lambda: subprocess.run(daemon + ["nft", "list", "table", "ip", "mydocker"],
        capture_output=True).returncode == 0
def answered():
    try:
        with socket.create_connection(("198.51.100.1", port), timeout=0.02) as s:
            s.settimeout(1)
            s.sendall(b"GET /index.html HTTP/1.0\r\n\r\n")
            return b"ok" in s.recv(4096) + s.recv(4096)
    except OSError:
        return False
result = {}
def until(name, condition):
    while time.monotonic() - t0 < 20:
        if condition():
            result[name] = (time.monotonic() - t0) * 1000
            return
        time.sleep(0.01)
    result[name] = -1
t0 = time.monotonic()
subprocess.run(daemon + command, check=True)
threads = [threading.Thread(target=until, args=("back", back)), threading.Thread(target=until, args=("traffic", answered))]
for t in threads: t.start()
for t in threads: t.join()
print(f"{result['back']:.1f} {result['traffic']:.1f}")
EOF

round() { # KIND RULES-FILE TRAFFIC-FILE
  local r; r=$(nsenter --net="/run/netns/$lan" python3 "$BENCH_DIR/round.py" "/run/netns/$BENCH_NS" "$1" "$HOSTPORT")
  echo "${r% *}" >>"$2"; echo "${r#* }" >>"$3"
}
in_ns() { nsenter --net="/run/netns/$BENCH_NS" "$@"; }
for _ in $(seq 1 "$ROUNDS"); do
  round drop "$out/drop_rules" "$out/drop_traffic"
  in_ns iptables -P FORWARD ACCEPT; in_ns nft delete table ip filter; sleep 0.5
done
for _ in $(seq 1 "$ROUNDS"); do
  round flush "$out/flush_table" "$out/flush_traffic"
  sleep 0.5
done

echo "MyDocker drift repair, ms from just before the command, $ROUNDS rounds each ($(machine))"
echo "  iptables -P FORWARD DROP: our accept rules back:       $(stats "$out/drop_rules")"
echo "                            LAN → published port works:  $(stats "$out/drop_traffic")"
echo "  nft flush ruleset:        our table back:              $(stats "$out/flush_table")"
echo "                            LAN → published port works:  $(stats "$out/flush_traffic")"
echo "  (-1 would be a round that did not recover within 20 s: $(cat "$out"/{drop_rules,drop_traffic,flush_table,flush_traffic} | grep -c -- '^-1' || true) of them)"
echo "  load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
