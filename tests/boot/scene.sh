#!/bin/sh
# tests/boot/scene.sh CASE OUTDIR: boot a Debian 12 root under systemd-nspawn -b with
# nodeward installed by `make install DESTDIR=` and stand-ins for the units that
# write and run the kubelet, then record what systemd did into OUTDIR.
#   al2023-pass, al2023-fail, al2023-error: nodeadm-config.service writes the
#     kubelet's configuration after a delay (passing; with readOnlyPort 10255; cut
#     short so it cannot be parsed); the kubelet is enabled as on AL2023 and gated
#     by nodeward-gate.service.
#   al2-pass: the systemd 219 units (SYSTEMD_VERSION=219); cloud-final.service runs
#     a bootstrap.sh stand-in that writes the configuration and then, as AL2's does,
#     `systemctl start kubelet` from inside cloud-final.
# Stand-ins are modelled on awslabs/amazon-eks-ami (main, 2025):
#   templates/al2023/runtime/rootfs/etc/systemd/system/{nodeadm-config,kubelet}.service,
#   templates/al2/runtime/{kubelet.service,bootstrap.sh}; cloud-final.service on
#   cloud-init's (cloud-init 22.2, as on AL2).
# Environment: BOOT_ROOT (the cached root, tests/boot/mkroot.sh), NODEWARD_BUILD
# (the build directory whose nodeward is installed), BOOT_TIMEOUT (seconds to boot).
# Everything lives in a private mount namespace and /tmp/nw-boot-*, removed on exit.
set -eu
case=${1:?usage: scene.sh CASE OUTDIR}
out=${2:?usage: scene.sh CASE OUTDIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
root=${BOOT_ROOT:-$top/build/boot/debian12}
build=${NODEWARD_BUILD:-$top/build}
limit=${BOOT_TIMEOUT:-120}
[ -e "$root/.nodeward-boot-root" ] || { echo "scene: no booted root at $root (tests/boot/mkroot.sh)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d /tmp/nw-boot-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/upper" "$tmp/work" "$tmp/merged"
export case out top root build limit tmp
# The overlay, nspawn and everything they mount vanish with this namespace.
timeout -k 10 $((limit + 60)) unshare --mount --propagation private sh -eu "$top/tests/boot/scene-inner.sh"
