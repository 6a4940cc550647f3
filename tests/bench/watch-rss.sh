#!/bin/sh
# watch-rss: `nodeward watch` under a 60 s flood: peak RSS, clean SIGTERM exit, no BPF program left.
set -u
NW=${1:?nodeward binary}; BENCH=${2:?bench binary}; SECS=${3:-60}
out=$(mktemp /tmp/nw-bpf-watch.XXXXXX)
"$NW" watch --interval 5 --only ssh.pod-attempts,imds.pod-attempts >"$out" 2>&1 &
pid=$!
i=0; until grep -q '"attached"' "$out" || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done
# The programs this watch holds (a program or link fd names one as prog_id in its
# fdinfo); only those must be gone afterwards: the node may run the DaemonSet too.
ids=$(cat /proc/$pid/fdinfo/* 2>/dev/null | awk '/^prog_id:/ {print $2}' | sort -un)
[ -n "$ids" ] || { echo "watch-rss: watch (pid $pid) holds no BPF program" >&2; kill -TERM $pid; rm -f "$out"; exit 1; }
"$BENCH" flood-seconds "$SECS"
hwm=$(awk '/^VmHWM/ {print $2}' /proc/$pid/status); rss=$(awk '/^VmRSS/ {print $2}' /proc/$pid/status)
kill -TERM $pid; wait $pid; rc=$?
sleep 1
left=0; for id in $ids; do bpftool prog show id "$id" >/dev/null 2>&1 && left=$((left + 1)); done
findings=$(grep -c '"event":"finding"' "$out")
last=$(tail -n 2 "$out" | grep '"event":"summary"' | grep -o 'x[0-9]*, first' | head -1 | tr -d ',')
echo "watch under a ${SECS} s flood: peak RSS ${hwm} KiB (at load), RSS at the end ${rss} KiB, exit ${rc} on SIGTERM, ${findings} finding line(s), last summary count ${last% first}, programs it loaded still loaded: ${left} (ids: $(echo $ids))"
rm -f "$out"
# The peak is at load: libbpf parsing the kernel's BTF for CO-RE (16.0-16.4 MiB with Linux
# 6.18's BTF here; it grows with the kernel's BTF, not with the flood). Flat under the flood
# is the RSS at the end, after a minute of attempts: under 8 MiB.
[ "$rc" -eq 0 ] && [ "$left" -eq 0 ] && [ "$hwm" -lt 24576 ] && [ "$rss" -lt 8192 ]
