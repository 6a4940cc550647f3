# tests/boot/scene-inner.sh: the part of scene.sh that runs in its mount namespace.
m=$tmp/merged
nspawn=""
leader=""
# Killing the container's PID 1 ends its PID namespace, also when a step fails.
trap 'for p in $leader $nspawn; do kill -9 "$p" 2>/dev/null; done' EXIT INT TERM
mount -t overlay overlay -o "lowerdir=$root,upperdir=$tmp/upper,workdir=$tmp/work" "$m"
sysv=252
[ "$case" = al2-pass ] && sysv=219
make -s --no-print-directory -C "$top" install BUILD="$build" DESTDIR="$m" PREFIX=/usr/local SYSTEMD_VERSION=$sysv >/dev/null
# Libraries this build links that the root lacks (sanitizer runtimes of make asan).
ldd "$build/nodeward" | awk '/=> \//{print $3}' | while read -r lib; do
        [ -e "$m$lib" ] || { mkdir -p "$m$(dirname "$lib")"; cp "$lib" "$m$lib"; }
done
mkdir -p "$m/etc/systemd/system/multi-user.target.wants" "$m/etc/systemd/system/kubelet.service.d" \
        "$m/opt/scene" "$m/var/log/scene"
if ldd "$build/nodeward" | grep -q libasan; then
        # LeakSanitizer's tracer needs ptrace, which the units deny.
        for u in nodeward-boot nodeward-gate; do
                mkdir -p "$m/etc/systemd/system/$u.service.d"
                printf '[Service]\nEnvironment=ASAN_OPTIONS=detect_leaks=0\n' >"$m/etc/systemd/system/$u.service.d/asan.conf"
        done
fi
# An initialised machine-id: on a first boot systemd would enable every unit by
# preset, the kubelet included, which no AMI does before its configuration exists.
tr -d - </proc/sys/kernel/random/uuid >"$m/etc/machine-id"
# --private-network leaves only loopback: waiting for it to be "online" would hold
# network-online.target (and the units after it) for two minutes.
ln -s /dev/null "$m/etc/systemd/system/systemd-networkd-wait-online.service"
# The gate, as README's Deploy section installs it; the boot check enabled.
cp "$m/usr/local/share/doc/nodeward/examples/kubelet.service.d-nodeward-gate.conf" \
        "$m/etc/systemd/system/kubelet.service.d/nodeward-gate.conf"
ln -s /usr/local/lib/systemd/system/nodeward-boot.service "$m/etc/systemd/system/multi-user.target.wants/"
cp "$top/tests/fixtures/al2023-dropin/etc/kubernetes/pki/ca.crt" "$m/opt/scene/ca.crt"

# The stand-in kubelet: records that it started, then stays up.
cat >"$m/usr/bin/kubelet" <<'K'
#!/bin/sh
echo "$*" >/var/log/scene/kubelet.started
exec sleep infinity
K
chmod 0755 "$m/usr/bin/kubelet"

ro=0
[ "$case" = al2023-fail ] && ro=10255
if [ "$case" = al2023-error ]; then
        # Cut short, as by a full disk: the kubelet checks cannot be evaluated.
        printf '{"kind": "KubeletConfiguration", "readOnlyPort": ' >"$m/opt/scene/config.json"
else
        # protectKernelDefaults stays off: the booted root sees this machine's own
        # /proc/sys, whose vm.overcommit_memory and kernel.panic* are not the values a
        # protecting kubelet demands (kubelet.kernel-tunables, high, would rightly fail).
        cat >"$m/opt/scene/config.json" <<J
{"kind": "KubeletConfiguration", "apiVersion": "kubelet.config.k8s.io/v1beta1",
 "authentication": {"anonymous": {"enabled": false}, "webhook": {"enabled": true},
                    "x509": {"clientCAFile": "/etc/kubernetes/pki/ca.crt"}},
 "authorization": {"mode": "Webhook"}, "readOnlyPort": $ro,
 "protectKernelDefaults": false, "serverTLSBootstrap": true, "rotateCertificates": true,
 "tlsCipherSuites": ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]}
J
fi
cat >"$m/opt/scene/kubeconfig" <<'J'
apiVersion: v1
kind: Config
clusters:
- name: kubernetes
  cluster:
    certificate-authority: /etc/kubernetes/pki/ca.crt
    server: https://10.0.0.10
contexts:
- name: kubelet
  context: {cluster: kubernetes, user: kubelet}
current-context: kubelet
users:
- name: kubelet
  user: {token: not-a-secret}
J

# Writes the node's kubelet configuration the way each AMI's writer does; the
# delay makes a boot check that ran too early visible.
cat >"$m/opt/scene/write-config.sh" <<'W'
#!/bin/sh
set -eu
sleep 3
mkdir -p /etc/kubernetes/kubelet /etc/kubernetes/pki /var/lib/kubelet /etc/eks/kubelet
install -m 0644 /opt/scene/ca.crt /etc/kubernetes/pki/ca.crt
install -m 0600 /opt/scene/kubeconfig /var/lib/kubelet/kubeconfig
install -m 0644 /opt/scene/config.json "/etc/kubernetes/kubelet/$1"
printf 'NODEADM_KUBELET_ARGS=--config=/etc/kubernetes/kubelet/%s --kubeconfig=/var/lib/kubelet/kubeconfig\n' "$1" \
        >/etc/eks/kubelet/environment
cut -d' ' -f1 /proc/uptime >/var/log/scene/config-written
W
chmod 0755 "$m/opt/scene/write-config.sh"

if [ "$case" = al2-pass ]; then
        cat >"$m/etc/systemd/system/cloud-final.service" <<'U'
[Unit]
Description=Execute cloud user/final scripts (stand-in)
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/opt/scene/bootstrap.sh
RemainAfterExit=yes
TimeoutSec=0

[Install]
WantedBy=multi-user.target
U
        # bootstrap.sh's last steps: write the configuration, then start the kubelet
        # and wait for it (systemctl start blocks until the job is done).
        cat >"$m/opt/scene/bootstrap.sh" <<'B'
#!/bin/sh
set -eu
/opt/scene/write-config.sh kubelet-config.json
systemctl daemon-reload
systemctl enable kubelet
systemctl start kubelet
cut -d' ' -f1 /proc/uptime >/var/log/scene/bootstrap-done
B
        chmod 0755 "$m/opt/scene/bootstrap.sh"
        cat >"$m/etc/systemd/system/kubelet.service" <<'U'
[Unit]
Description=Kubernetes Kubelet (stand-in)
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet --config /etc/kubernetes/kubelet/kubelet-config.json --kubeconfig /var/lib/kubelet/kubeconfig $KUBELET_ARGS
Restart=always
RestartSec=5
KillMode=process

[Install]
WantedBy=multi-user.target
U
        ln -s /etc/systemd/system/cloud-final.service "$m/etc/systemd/system/multi-user.target.wants/"
else
        cat >"$m/etc/systemd/system/nodeadm-config.service" <<'U'
[Unit]
Description=EKS Nodeadm Config (stand-in)
Before=cloud-init.service

[Service]
Type=oneshot
ExecStart=/opt/scene/write-config.sh config.json

[Install]
WantedBy=multi-user.target
U
        cat >"$m/etc/systemd/system/kubelet.service" <<'U'
[Unit]
Description=Kubernetes Kubelet (stand-in)

[Service]
EnvironmentFile=/etc/eks/kubelet/environment
ExecStart=/usr/bin/kubelet $NODEADM_KUBELET_ARGS
Restart=on-failure
RestartSec=5
KillMode=process

[Install]
WantedBy=multi-user.target
U
        ln -s /etc/systemd/system/nodeadm-config.service /etc/systemd/system/kubelet.service \
                "$m/etc/systemd/system/multi-user.target.wants/"
fi

if [ "$case" = al2023-pass ]; then
        {
                printf '[Service]\nType=oneshot\nStandardOutput=append:/var/log/scene/ipfilter.txt\n'
                grep -E '^IPAddress(Allow|Deny)=' "$m/usr/local/lib/systemd/system/nodeward-boot.service"
                printf '%s\n' 'ExecStart=/bin/bash -c '"'"'for a in 127.0.0.1 169.254.169.254 169.254.169.253 10.0.0.2 172.31.0.2 fd00:ec2::254 fd00:ec2::253 8.8.8.8 2001:4860:4860::8888; do r=$$(timeout 3 bash -c "exec 3<>/dev/tcp/$$a/9" 2>&1 | tail -n1); r=$${r##*: }; echo "$$a $${r:-dropped}"; done'"'"
        } >"$m/etc/systemd/system/nw-ipprobe.service"
fi
t0=$(date +%s)
# --register=no --keep-unit: this machine's PID 1 is not systemd, so there is no
# machined to register with and no manager to allocate a scope from.
# --system-call-filter=bpf: nspawn's own filter denies bpf(2), without which the
# container's systemd silently cannot apply IPAddressAllow=/IPAddressDeny=.
systemd-nspawn -q -D "$m" -M "nw-boot-$$" -b --register=no --keep-unit --private-network --system-call-filter=bpf \
        --console=pipe </dev/null >"$out/console.txt" 2>&1 &
nspawn=$!
leader=""
while [ -z "$leader" ]; do
        leader=$(pgrep -P "$nspawn" | head -n1 || true)
        kill -0 "$nspawn" 2>/dev/null || { echo "scene: systemd-nspawn exited early:" >&2; cat "$out/console.txt" >&2; exit 1; }
        [ $(($(date +%s) - t0)) -lt "$limit" ] || { echo "scene: no container after $limit s" >&2; kill "$nspawn"; exit 1; }
        sleep 0.2
done
# -r -w: the container's own root and working directory; entering its mount namespace
# alone lands at that namespace's root mount, which is not the container's / when
# nspawn itself runs in a chroot (tests/minbase/run.sh).
ctr() { nsenter -t "$leader" -a -r -w "$@"; }
until ctr test -S /run/systemd/private 2>/dev/null; do
        [ $(($(date +%s) - t0)) -lt "$limit" ] || { echo "scene: systemd did not come up in $limit s" >&2; kill "$nspawn"; exit 1; }
        sleep 0.2
        # The first child seen may be nspawn's short-lived intermediate process, not the
        # container's PID 1: look again until the child that stays is the one entered.
        next=$(pgrep -P "$nspawn" | tail -n1 || true)
        [ -z "$next" ] || leader=$next
done
state=$(ctr timeout "$limit" systemctl is-system-running --wait 2>/dev/null || true)
echo "boot: $state after $(($(date +%s) - t0)) s" >"$out/state.txt"
units="nodeward-boot.service nodeward-gate.service kubelet.service nodeadm-config.service cloud-final.service"
ctr systemctl show -p Id,ActiveState,Result,ExecMainStatus,ExecMainStartTimestampMonotonic,ExecMainExitTimestampMonotonic,ActiveEnterTimestampMonotonic \
        $units >"$out/show.txt"
ctr journalctl -b -o short-monotonic --no-pager >"$out/journal.txt" 2>&1 || true
ctr systemctl list-jobs --no-pager >"$out/jobs.txt" 2>&1 || true
ctr journalctl -b -o cat --no-pager -u nodeward-gate.service >"$out/gate.txt" 2>&1 || true
ctr journalctl -b -o cat --no-pager -u nodeward-boot.service >"$out/boot.txt" 2>&1 || true
ctr journalctl -b -o cat --no-pager -u kubelet.service >"$out/kubelet.txt" 2>&1 || true
for f in kubelet.started config-written bootstrap-done; do
        [ -e "$m/var/log/scene/$f" ] && cp "$m/var/log/scene/$f" "$out/$f"
done
ctr cat /proc/uptime >"$out/uptime.txt"
# The reports the units wrote (the 219 units can only write their state directory).
ls -ln "$m/var/lib/nodeward" >"$out/state-dir.txt" 2>&1 || true
for f in report.json gate.json; do
        [ -e "$m/var/lib/nodeward/$f" ] && cp "$m/var/lib/nodeward/$f" "$out/$f"
done
# The same binary under a filter that denies capset, as the units did before they
# allowed it: the drop must fail loudly, not keep every capability in silence.
if [ "$case" = al2023-pass ]; then
        ctr systemd-run --wait --pipe --quiet -p NoNewPrivileges=yes -p 'SystemCallFilter=~@privileged' \
                -p SystemCallErrorNumber=EPERM /usr/local/sbin/nodeward check --only kubelet \
                >"$out/denied.txt" 2>&1 && echo "rc=0" >>"$out/denied.txt" || echo "rc=$?" >>"$out/denied.txt"
fi
# The boot unit's own IPAddressDeny=/IPAddressAllow= lines, verbatim, on a probe
# unit: a connect to an address on loopback (nothing listens there) is refused when
# the filter lets it through; when the filter drops the SYN it fails or hangs (cut
# after 3 s).
if [ "$case" = al2023-pass ]; then
        for a in 169.254.169.254 169.254.169.253 10.0.0.2 172.31.0.2 8.8.8.8; do
                nsenter -t "$leader" -n ip addr add "$a/32" dev lo
        done
        for a in fd00:ec2::254 fd00:ec2::253 2001:4860:4860::8888; do
                nsenter -t "$leader" -n ip -6 addr add "$a/128" dev lo nodad
        done
        ctr systemctl start nw-ipprobe.service || true
        cp "$m/var/log/scene/ipfilter.txt" "$out/ipfilter.txt" 2>/dev/null || true
fi
ctr systemctl poweroff >/dev/null 2>&1 || true
i=0
while kill -0 "$nspawn" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
kill -9 "$leader" "$nspawn" 2>/dev/null || true
wait "$nspawn" 2>/dev/null || true
leader=""
nspawn=""
umount "$m"
