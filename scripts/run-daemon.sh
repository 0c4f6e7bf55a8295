#!/usr/bin/env bash
# Installs what is needed, builds, and starts mydockerd in the foreground with the default paths
# (data root /var/lib/mydocker, socket /run/mydocker/mydocker.sock). Extra arguments go to mydockerd.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run-daemon: mydockerd manages bridges and nftables: run as root" >&2; exit 1; }
scripts/install-deps.sh
scripts/build.sh
ln -sf "$PWD/artifacts/cli/mydocker" /usr/local/bin/mydocker
ln -sf "$PWD/artifacts/daemon/mydockerd" /usr/local/bin/mydockerd
echo "run-daemon: the CLI is on your PATH as 'mydocker' (try: mydocker network create --subnet 10.10.10.1/24 testbr)"
exec artifacts/daemon/mydockerd "$@"
