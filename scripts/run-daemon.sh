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
# A first image, so a new user can run something at once: busybox from Debian's busybox-static, put where the engine
# finds it by name (DATA-ROOT/image/busybox.tar is image "busybox", the seed's convention).
data_root=/var/lib/mydocker
prev=""
for a in "$@"; do
  [ "$prev" = "--data-root" ] && data_root=$a
  case "$a" in --data-root=*) data_root=${a#--data-root=} ;; esac
  prev=$a
done
if [ ! -f "$data_root/image/busybox.tar" ]; then
  mkdir -p "$data_root/image"
  scripts/make-busybox-image.sh "$data_root/image/busybox.tar"
fi
echo "run-daemon: the CLI is on your PATH as 'mydocker'. Try:"
echo "  mydocker network create --subnet 10.10.10.1/24 testbr"
echo "  mydocker run -d --name web --network testbr busybox sh -c 'while true; do date; sleep 1; done'"
echo "  mydocker ps; mydocker logs -f web"
exec artifacts/daemon/mydockerd "$@"
