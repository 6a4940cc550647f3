#!/bin/sh
# check-layers: the include directions of nodeward's layers (make check-layers).
#   host/base/       includes only base
#   host/collect/    base, collect, and the BPF loaders' headers (bpf/)
#   host/policy/     base
#   checks/          checks, the facts headers (host/collect/), the operator's policy
#                    (policy/policy.h, data only) and base's pure helpers
#   host/render/     base, checks; never collect, policy or cli
#   host/cli/        anything
#   bpf/ loaders     base
# A header is named by its path under host/ ("base/util.h"), or by its bare name in
# checks/ and bpf/. Each violation is printed as FILE:LINE; any fails the check.
cd "$(dirname "$0")/.." || exit 2
# base headers with no side effect on the system: the only ones checks may include.
pure_base="base/util.h base/redact.h base/confdoc.h"

layer_of_header() { # $1 include name -> layer
  case $1 in
    base/*|collect/*|policy/*|render/*|cli/*) [ -f "host/$1" ] && { echo "${1%%/*}"; return; } ;;
  esac
  [ -f "checks/$1" ] && { echo checks; return; }
  [ -f "bpf/$1" ] && { echo bpf; return; }
  echo generated # vmlinux.h, skeletons: made by the build
}

allowed() { # $1 file's layer, $2 header's layer, $3 header name
  case $1:$2 in
    *:generated) [ "$1" = bpf ] || [ "$1" = collect ] ;;
    base:base|collect:base|collect:collect|collect:bpf|policy:base|policy:policy) true ;;
    checks:checks|checks:collect) true ;;
    checks:policy) [ "$3" = policy/policy.h ] ;;
    checks:base) case " $pure_base " in *" $3 "*) true ;; *) false ;; esac ;;
    render:base|render:checks|render:render) true ;;
    bpf:base|bpf:bpf) true ;;
    cli:*) true ;;
    *) false ;;
  esac
}

bad=0
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT
for f in $(find host checks bpf -name '*.[ch]' ! -name '*.bpf.c' | sort); do
  case $f in
    host/*/*) l=${f#host/}; l=${l%%/*} ;;
    checks/*) l=checks ;;
    bpf/*) l=bpf ;;
    *) echo "check-layers: $f is in no layer (host/ holds only base, collect, policy, render, cli)"; bad=1; continue ;;
  esac
  grep -n '^#[[:space:]]*include[[:space:]]*"' "$f" | sed 's/^\([0-9]*\):.*"\(.*\)".*/\1 \2/' |
  while read -r n h; do
    hl=$(layer_of_header "$h")
    allowed "$l" "$hl" "$h" || { echo "$f:$n: $l includes $h ($hl)"; echo x; }
  done
done > "$out"
v=$(grep -c '^x$' "$out")
grep -v '^x$' "$out"
[ "$bad" = 0 ] && [ "$v" = 0 ] && { echo "check-layers: every include follows the layers"; exit 0; }
echo "check-layers: $v include(s) against the layers"
exit 1
