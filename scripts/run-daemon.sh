#!/usr/bin/env bash
# Installs what is needed, builds, and starts mydockerd in the foreground with the default paths
# (data root /var/lib/mydocker, socket /run/mydocker/mydocker.sock). Extra arguments go to mydockerd.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "run-daemon: mydockerd manages bridges and nftables: run as root" >&2; exit 1; }
scripts/install-deps.sh
scripts/build.sh
# Install copies, owned by root and writable by root only, rather than links into the checkout: whoever owns the
# checkout (a normal user who cloned it) could otherwise replace artifacts/ or appsettings.json (which names the
# runtime binaries) and have code run as root. The old copy is swapped out whole, so a running daemon keeps its files.
install_root=/usr/local/lib/mydocker
rm -rf "$install_root.new" "$install_root.old"
install -d -m 0755 -o root -g root "$install_root.new"
cp -R artifacts/daemon "$install_root.new/daemon"
install -D -m 0755 -o root -g root artifacts/cli/mydocker "$install_root.new/cli/mydocker"
chown -R root:root "$install_root.new"
chmod -R go-w "$install_root.new"
[ -e "$install_root" ] && mv "$install_root" "$install_root.old"
mv "$install_root.new" "$install_root"
rm -rf "$install_root.old"
ln -sfn "$install_root/cli/mydocker" /usr/local/bin/mydocker
ln -sfn "$install_root/daemon/mydockerd" /usr/local/bin/mydockerd
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
exec "$install_root/daemon/mydockerd" "$@"
