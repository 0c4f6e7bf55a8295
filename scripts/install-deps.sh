#!/usr/bin/env bash
# Installs what MyDocker needs on a fresh Debian 12 machine (run as root). Idempotent and quick when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# nftables/libnftables1: the firewall (the engine loads libnftables.so.1); iproute2 + util-linux (nsenter): tests and
# set-up of test namespaces; conntrack: inspecting NAT in tests; runc, conmon, busybox-static: containers;
# zlib1g-dev: linking the NativeAOT CLI; gcc + libc6-dev: the published-port tests build a static UDP responder for
# busybox containers (busybox has no UDP server); chromium: the dashboard's browser tests (Playwright drives Debian's Chromium,
# ../shared/FACTS.md); iptables: the engine opens another tool's FORWARD drop policy for its bridges with it, and the
# tests set such a policy (a clean Debian 12 has no iptables).
packages=(nftables libnftables1 iproute2 util-linux conntrack iptables runc conmon busybox-static iperf3 zlib1g-dev gcc libc6-dev chromium)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Two apt runs at once break each other (../shared/FACTS.md): retry once after a pause.
  for attempt in 1 2; do
    if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; then break; fi
    [ "$attempt" = 2 ] && { echo "install-deps: apt-get failed twice" >&2; exit 1; }
    sleep 10
  done
fi

command -v dotnet >/dev/null || { echo "install-deps: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
dotnet tool restore >/dev/null
