#!/usr/bin/env bash
# Figures for issue 13 "Fresh": N cycles (default 1000) of `run -d --name fx --network app busybox sleep` and at once
# an A query for fx from a client container on app (expected: its address), then `rm -f fx` and at once a query (expected:
# no answer holding that address). Prints the stale counts. One query client process for the whole run (it reads
# names on stdin), so a cycle costs two CLI calls, an inspect and two queries.
# After rm, "fx" is unknown and is forwarded to the host's name server (TEST-NET 192.0.2.53, which never answers), so
# the second query ends in a timeout (TIMEOUT_MS, default 200) or SERVFAIL: a stale local answer would come at once.
# Needs root and scripts/build.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/dns-lib.sh"
N=${N:-1000}
TIMEOUT_MS=${TIMEOUT_MS:-200}
dns_setup
start_daemon
dns_trap
md network create app >/dev/null
md run -d --name client --network app busybox sleep 100000 >/dev/null
coproc Q { in_ctr client "$DNS_CLIENT" lines --server 169.254.53.53 --timeout-ms "$TIMEOUT_MS"; }
ask() { echo "$1" >&"${Q[1]}"; read -r -t 5 -u "${Q[0]}" answer || { echo "the query client died" >&2; exit 1; }; }
missing=0 wrong=0 stale=0
declare -A after=()
start=${EPOCHREALTIME/./}
for i in $(seq 1 "$N"); do
  md run -d --name fx --network app busybox sleep 100000 >/dev/null
  ask fx; first=$answer
  ip=$(ctr_ip fx)
  md rm -f fx >/dev/null
  ask fx; second=$answer
  case " $first " in *" $ip "*) ;; "0 ") missing=$((missing + 1)) ;; *) missing=$((missing + 1)); echo "  cycle $i: after run '$first', expected $ip" ;; esac
  case " $second " in *" $ip "*) stale=$((stale + 1)); echo "  cycle $i: after rm '$second' still holds $ip" ;; esac
  [ "$second" = timeout ] && echo "  cycle $i: after rm 'timeout'"
  key=${second%% *}; after[$key]=$(( ${after[$key]:-0} + 1 ))
done
end=${EPOCHREALTIME/./}
echo "mydocker name freshness, $N run/rm cycles ($(machine))"
echo "  answer missing after run returned: $missing/$N"
echo "  answer still present after rm returned: $stale/$N"
printf '  after rm, replies by rcode: '; for k in "${!after[@]}"; do printf '%s=%s ' "$k" "${after[$k]}"; done; echo
awk -v a="$start" -v b="$end" -v n="$N" 'BEGIN{printf "  %.0f ms per cycle\n", (b-a)/1e3/n}'
