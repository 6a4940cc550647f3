#!/bin/sh
# tests/minbase/run.sh: the README's set-up on a bare Debian 12 (debootstrap --variant=minbase):
# a git clone of the committed tree, `apt-get install make` (the one documented prerequisite),
# then `make run` and `make test` inside a chroot, which must install everything else themselves.
#
# Root only. The pristine minbase root is cached in $MINBASE_CACHE (default
# /var/cache/nodeward-minbase) and copied afresh for every run, so each run starts
# from a root that has never seen nodeward's packages; downloaded .debs are cached too.
# All mounts live in a private mount namespace and vanish with it, also on failure or timeout.
set -eu

say() { printf 'minbase: %s\n' "$*"; }
die() { printf 'minbase: FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mounts)"
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || die "not inside a git checkout"
cache=${MINBASE_CACHE:-/var/cache/nodeward-minbase}
# The Debian mirror this machine's apt already uses (MINBASE_MIRROR overrides).
apt_mirror() { apt-cache policy 2>/dev/null | awk '$3 == "bookworm/main" {print $2; exit}'; }
mirror=${MINBASE_MIRROR:-$(apt_mirror)}
[ -n "$mirror" ] || { apt-get update -qq && mirror=$(apt_mirror); }
[ -n "$mirror" ] || die "no bookworm/main source in this machine's apt configuration: set MINBASE_MIRROR"
limit=${MINBASE_TIMEOUT:-2400}
work=$top/build/minbase
root=$work/root
t0=$(date +%s)
elapsed() { echo "$(($(date +%s) - t0)) s"; }

for tool in debootstrap unshare timeout findmnt; do
        command -v "$tool" >/dev/null && continue
        say "installing debootstrap (for $tool)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap util-linux coreutils ||
                { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap; } ||
                die "cannot install debootstrap"
done

# 1. The pristine root, made once.
if [ ! -e "$cache/bookworm/.nodeward-minbase-complete" ]; then
        say "debootstrap --variant=minbase bookworm into $cache/bookworm (once; cached afterwards)"
        mkdir -p "$cache/debs"
        rm -rf "$cache/bookworm.tmp"
        debootstrap --variant=minbase --cache-dir="$cache/debs" bookworm "$cache/bookworm.tmp" "$mirror" ||
                die "debootstrap failed (log: $cache/bookworm.tmp/debootstrap/debootstrap.log)"
        touch "$cache/bookworm.tmp/.nodeward-minbase-complete"
        rm -rf "$cache/bookworm"
        mv "$cache/bookworm.tmp" "$cache/bookworm"
        say "minbase root ready ($(elapsed))"
fi

# 2. A fresh copy of it, with a git clone of the committed tree. The chroot's mounts live in
# a mount namespace of their own, so none shows here and removing an old copy is safe.
if [ -d "$root" ]; then
        findmnt -rn -o TARGET | grep -q "^$root" && die "something is still mounted under $root"
        rm -rf "$root"
fi
mkdir -p "$work"
say "copying the pristine root to $root"
cp -a "$cache/bookworm" "$root"
rm -f "$root/.nodeward-minbase-complete"
git clone -q --no-hardlinks "$top" "$root/src/nodeward" || die "git clone failed"
# The commit checked out here, also when this checkout's HEAD is detached (CI).
git -C "$root/src/nodeward" checkout -q "$(git -C "$top" rev-parse HEAD)" || die "git checkout failed"
say "sources: git clone of $(git -C "$root/src/nodeward" log -1 --format='%h %s')"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The network this machine is on, not the project: a proxy, and an extra TLS root for
# npm where the network intercepts TLS (Debian's node trusts only its built-in roots).
netenv=""
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
        eval "val=\${$v:-}"
        [ -n "$val" ] && netenv="$netenv $v=$val"
done
if [ -r "${NODE_EXTRA_CA_CERTS:-}" ]; then
        mkdir -p "$root/usr/local/share/nodeward-minbase"
        cp "$NODE_EXTRA_CA_CERTS" "$root/usr/local/share/nodeward-minbase/host-ca.crt"
        netenv="$netenv NODE_EXTRA_CA_CERTS=/usr/local/share/nodeward-minbase/host-ca.crt"
fi
[ -z "$netenv" ] || say "passing this machine's network settings:$netenv"
mkdir -p "$cache/archives/partial"

# 3. In the chroot: exactly what README's set-up says, nothing more.
cat > "$root/src/steps.sh" <<'EOF'
set -eu
export DEBIAN_FRONTEND=noninteractive
cd /src/nodeward
step() { printf '\nminbase: [%s] $ %s\n' "$(date +%T)" "$*"; }
step "command -v make"
if command -v make; then echo "minbase: make is already there: the image is not minimal" >&2; exit 1; fi
echo "(none, as on a minbase image)"
step "apt-get update && apt-get install -y make"
apt-get update && apt-get install -y make
step "make run"
make run
step "make test"
{ make test 2>&1; echo $? > /src/make-test.rc; } | tee /src/make-test.log
rc=$(cat /src/make-test.rc)
tally=$(grep '^tests: ' /src/make-test.log | tail -n1)
[ "$rc" -eq 0 ] || { echo "minbase: make test exited $rc: $tally" >&2; exit 1; }
# This kernel has every feature the suite needs: a skip here means a missing tool.
case "$tally" in *", 0 failed, 0 skipped") ;; *) echo "minbase: not clean: $tally" >&2; exit 1;; esac
echo "minbase: make test: $tally"
# Again, in a network namespace of its own with only loopback: nothing left to install.
step "unshare -n: make run && make test   (again, without network)"
unshare -n sh -c 'ip link set lo up && make run && make test' > /src/again.log 2>&1 ||
        { cat /src/again.log; echo "minbase: the second run failed without network" >&2; exit 1; }
if grep -E '^nodeward: (install|fetch|adding)' /src/again.log; then
        echo "minbase: the second run installed or fetched again" >&2; exit 1
fi
echo "minbase: again without network: $(grep '^tests: ' /src/again.log | tail -n1)"
EOF

say "chroot: make run, make test (at most $limit s)"
rc=0
timeout --kill-after=30 "$limit" unshare --mount --propagation private sh -eu -c '
        r=$1
        # On a real system / is a mount point (unshare --propagation needs one).
        mount --bind "$r" "$r"
        mount -t proc proc "$r/proc"
        mount --rbind /sys "$r/sys"
        mount --rbind /dev "$r/dev"
        mount -t tmpfs -o mode=755 tmpfs "$r/run"
        mount --bind "$2" "$r/var/cache/apt/archives"
        shift 2
        exec chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                HOME=/root TERM=dumb LANG=C.UTF-8 "$@" sh /src/steps.sh
' minbase "$root" "$cache/archives" $netenv || rc=$?
[ "$rc" = 124 ] && die "timed out after $limit s"
[ "$rc" = 0 ] || die "the README's commands failed in the minbase root (exit $rc, $(elapsed))"
say "PASS: make run and make test on debootstrap minbase bookworm ($(elapsed))"
# 2.4 GB once everything is installed: kept only on failure, or with MINBASE_KEEP=1.
[ -n "${MINBASE_KEEP:-}" ] || rm -rf "$root"
