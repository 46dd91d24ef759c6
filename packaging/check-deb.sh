#!/usr/bin/env bash
# Installs a built .deb into a fresh Debian 12 (bookworm) chroot and starts
# the explorer there under Xvfb: does the package install and run on a clean
# system? Needs root, debootstrap, and the Debian mirror this machine's apt
# already uses (read from /etc/apt/sources.list{,.d}; MIRROR=URL overrides).
#   bash packaging/check-deb.sh build/cgpgan-explorer_0.1.0_amd64.deb [/tmp/clean-bookworm]
set -euo pipefail
deb="$(readlink -f "${1:?usage: check-deb.sh PACKAGE.deb [CHROOT]}")"
root="$(readlink -m "${2:-/tmp/clean-bookworm}")"

# The first enabled "deb" source for the bookworm suite itself (not
# -updates or -security), from deb822 .sources files and one-line .list files.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
         {
           types = ""; uris = ""; suites = ""; enabled = "yes"
           for (i = 1; i <= NF; i++) {
             split($i, kv, ":[ \t]*")
             key = tolower(kv[1]); value = substr($i, length(kv[1]) + 2); sub(/^[ \t]+/, "", value)
             if (key == "types") types = value
             else if (key == "uris") uris = value
             else if (key == "suites") suites = value
             else if (key == "enabled") enabled = tolower(value)
           }
           if (enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ / bookworm /) {
             split(uris, u, /[ \t]+/); print u[1]; exit
           }
         }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI suite components...
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
  done
}

mirror="${MIRROR:-$(apt_mirror | head -n 1)}"
if [ -z "$mirror" ]; then
  echo "check-deb.sh: no bookworm 'deb' source in /etc/apt/sources.list or /etc/apt/sources.list.d; set MIRROR=URL" >&2
  exit 2
fi

# Ends every process whose root is the chroot (Xvfb, apt's helpers), then
# unmounts; a process still exiting makes umount fail with "target is busy"
# (exit 32), so it is retried before a lazy unmount. Keeps the script's status.
cleanup() {
  local status=$? pid attempt m
  for attempt in 1 2 3 4 5; do
    local left=0
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
      if [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        left=1
      fi
    done
    [ "$left" = 0 ] && break
    sleep 1
  done
  for m in "$root/dev" "$root/proc"; do
    mountpoint -q "$m" || continue
    for attempt in 1 2 3 4 5; do
      umount "$m" 2>/dev/null && break
      sleep 1
    done
    mountpoint -q "$m" && umount -l "$m"
  done
  exit "$status"
}

command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
[ -d "$root/usr" ] || debootstrap --variant=minbase bookworm "$root" "$mirror"
cp "$deb" "$root/tmp/"
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
trap cleanup EXIT
chroot "$root" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq /tmp/$(basename "$deb") xvfb xauth"
chroot "$root" bash -c "cd /root && HOME=/root xvfb-run -a -s '-screen 0 1600x1000x24' cgpgan-explorer --start --screenshot /tmp/deb-check.png --after 20"
echo "screenshot of the installed explorer: $root/tmp/deb-check.png"
