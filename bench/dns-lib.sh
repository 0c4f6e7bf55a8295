# shellcheck shell=bash
# Shared by the dns-*.sh benches (issue 13): the query client, a host resolv.conf whose only name server is TEST-NET
# 192.0.2.53 (so nothing is forwarded off the machine), a container's netns. Source after lib.sh.

# Publishes bench/DnsQueryBench into DIR and sets DNS_CLIENT.
dns_client() {
  dotnet publish "$BENCH_ROOT/bench/DnsQueryBench" -c Release -nologo -v quiet -o "$1" >/dev/null
  DNS_CLIENT="$1/DnsQueryBench"
}

# Before start_daemon: the daemon reads its upstreams from a file naming only TEST-NET 192.0.2.53 (never answered: no
# route leaves the throw-away netns), instead of the host's /etc/resolv.conf. Sets DNS_WORK (removed at exit).
dns_setup() {
  DNS_WORK=$(mktemp -d /tmp/mydocker-bench-dns-XXXXXX)
  printf 'nameserver 192.0.2.53\n' >"$DNS_WORK/resolv.conf"
  export MYDOCKER_MyDocker__ResolvConfPath="$DNS_WORK/resolv.conf"
  dns_client "$DNS_WORK/client"
}

# After start_daemon (its trap is replaced so that both clean-ups run). With DNS_KEEP_LOGS=DIR the daemon's and the
# resolver's logs are copied there first.
dns_trap() {
  trap '[ -n "${DNS_KEEP_LOGS:-}" ] && mkdir -p "$DNS_KEEP_LOGS" && cp "$BENCH_DIR"/daemon.log "$BENCH_DIR"/exec/resolver.log "$DNS_KEEP_LOGS"/
    stop_daemon; rm -rf "$DNS_WORK"' EXIT
}

# ctr_netns NAME: the path of a running container's network namespace (EXEC-ROOT/netns/FULL-ID).
ctr_netns() {
  local id; id=$(md inspect "$1" | grep -o '"Id": *"[0-9a-f]*"' | head -1 | grep -o '[0-9a-f]\{12,\}')
  echo "$BENCH_DIR/exec/netns/$id"
}

# in_ctr NAME CMD…: runs CMD (a host binary) in the container's network namespace only.
in_ctr() { local ns; ns=$(ctr_netns "$1"); shift; nsenter --net="$ns" "$@"; }
