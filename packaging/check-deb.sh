#!/usr/bin/env bash
# Installs a built .deb into a fresh Debian 12 (bookworm) chroot and starts
# the explorer there under Xvfb: does the package install and run on a clean
# system? Needs root, debootstrap and network access to deb.debian.org.
#   bash packaging/check-deb.sh build/cgpgan-explorer_0.1.0_amd64.deb [/tmp/clean-bookworm]
set -euo pipefail
deb="$(readlink -f "${1:?usage: check-deb.sh PACKAGE.deb [CHROOT]}")"
root="${2:-/tmp/clean-bookworm}"
command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
[ -d "$root/usr" ] || debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
cp "$deb" "$root/tmp/"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
trap 'umount "$root/dev" "$root/proc"' EXIT
chroot "$root" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb") xvfb xauth"
chroot "$root" bash -c "cd /root && HOME=/root xvfb-run -a -s '-screen 0 1600x1000x24' cgpgan-explorer --start --screenshot /tmp/deb-check.png --after 20"
echo "screenshot of the installed explorer: $root/tmp/deb-check.png"
