#!/usr/bin/env bash
# Builds a busybox root filesystem tarball from Debian's busybox-static (/bin/busybox):
#   bin/busybox and a symlink bin/APPLET -> busybox for every applet `busybox --list` names, usr/bin/env for shebangs,
#   etc/passwd and etc/group (root, nobody), empty etc/hosts, etc/hostname, etc/resolv.conf (the runtime mounts over
#   them), tmp (1777), root (0700), proc, sys, dev, var.
# The tarball is deterministic: entries sorted by name, every mtime 0, owner root, GNU format (no atime/ctime), so two
# builds from the same busybox binary give byte-identical tarballs and hence the same image id.
# Usage: scripts/make-busybox-image.sh OUT.tar [BUSYBOX]    then: mydocker import OUT.tar busybox
set -euo pipefail
out=${1:?usage: $0 OUT.tar [path/to/busybox-static]}
busybox=${2:-/bin/busybox}
[[ -x $busybox ]] || { echo "$0: $busybox not found: install busybox-static (apt-get install busybox-static)" >&2; exit 1; }
if ! "$busybox" --list >/dev/null 2>&1; then echo "$0: $busybox does not list its applets; is it busybox?" >&2; exit 1; fi
if ldd "$busybox" >/dev/null 2>&1; then echo "$0: $busybox is dynamically linked; use the one from busybox-static" >&2; exit 1; fi

umask 022
staging=$(mktemp -d "${TMPDIR:-/tmp}/busybox-rootfs.XXXXXX")
trap 'rm -rf "$staging"' EXIT

chmod 0755 "$staging"
mkdir -p "$staging"/{bin,dev,etc,proc,sys,tmp,root,usr/bin,var}
chmod 1777 "$staging/tmp"
chmod 0700 "$staging/root"
install -m 0755 "$busybox" "$staging/bin/busybox"
for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] && continue
    ln -s busybox "$staging/bin/$applet"
done
ln -s ../../bin/busybox "$staging/usr/bin/env"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$staging/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' > "$staging/etc/group"
: > "$staging/etc/hosts"
: > "$staging/etc/hostname"
: > "$staging/etc/resolv.conf"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --format=gnu \
    -C "$staging" -cf "$out.tmp" .
mv -f "$out.tmp" "$out"
echo "$out: busybox rootfs, $("$busybox" --list | wc -l) applets"
