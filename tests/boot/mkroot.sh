#!/bin/sh
# tests/boot/mkroot.sh DIR: a Debian 12 root that boots with systemd-nspawn -b, made
# once with debootstrap (minbase + systemd) and kept in DIR (build/boot/debian12 in
# make test); later runs reuse it and need no network. It also holds the shared
# libraries the dynamically linked nodeward needs. Root only.
set -eu
dir=${1:?usage: mkroot.sh DIR}
mirror=${BOOT_MIRROR:-http://deb.debian.org/debian}
[ -e "$dir/.nodeward-boot-root" ] && exit 0
command -v debootstrap >/dev/null || { echo "mkroot: debootstrap is missing (make test installs it)" >&2; exit 1; }
pkgs=systemd,systemd-sysv,dbus,libcjson1,libyaml-0-2,libbpf1,libmnl0,libcap2,libelf1,zlib1g,libc-ares2
echo "boot: debootstrap --variant=minbase bookworm with $pkgs into $dir (once; about a minute)"
mkdir -p "$(dirname "$dir")/debs"
rm -rf "$dir.tmp"
if ! debootstrap --variant=minbase --include="$pkgs" --cache-dir="$(cd "$(dirname "$dir")" && pwd)/debs" \
        bookworm "$dir.tmp" "$mirror" >"$dir.log" 2>&1; then
        tail -20 "$dir.log" >&2
        echo "mkroot: debootstrap failed (log: $dir.log)" >&2
        exit 1
fi
# The container's identity and a quiet boot: no getty on the console we pipe.
echo nw-boot >"$dir.tmp/etc/hostname"
rm -f "$dir.tmp/etc/machine-id"
ln -sf /dev/null "$dir.tmp/etc/systemd/system/console-getty.service"
touch "$dir.tmp/.nodeward-boot-root"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "boot: root ready in $dir"
