#!/bin/sh
# Run each fuzz harness for FUZZ_SECONDS from its seed corpus, at its parser's read cap
# ("/* fuzz-max-len: N */" in the harness); any crash fails.
# The working corpus lives in a scratch directory: the checked-in seeds never change.
secs=${FUZZ_SECONDS:-30}
work=$(mktemp -d /tmp/nodeward-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
crashed=""; ran=0
for bin in "$@"; do
  name=$(basename "$bin"); name=${name#fuzz_}
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  seeds=tests/fuzz/corpus/$name
  # Each harness runs at its parser's real read cap, named in its source.
  max_len=$(sed -n 's/^\/\* fuzz-max-len: \([0-9]*\).*/\1/p' "tests/fuzz/fuzz_$name.c" 2>/dev/null | head -n 1)
  if [ -z "$max_len" ]; then
    echo "fuzz: $name: tests/fuzz/fuzz_$name.c names no input cap (a \"/* fuzz-max-len: N (why) */\" line)"
    crashed="$crashed $name"; ran=$((ran + 1)); continue
  fi
  [ -d "$seeds" ] && cp -r "$seeds/." "$work/$name/corpus/"
  echo "fuzz: $name for ${secs}s, inputs up to ${max_len} bytes"
  if "$bin" -max_total_time="$secs" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/$name/artifacts/" "$work/$name/corpus" \
       >"$work/$name/log" 2>&1; then
    # Executions, and the coverage libFuzzer reached (edges "cov", features "ft", corpus size).
    grep -E "^stat::number_of_executed_units|^Done" "$work/$name/log" | tr '\n' ' '
    grep -Eo "cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*" "$work/$name/log" | tail -n 1 | grep . || echo
  else
    crashed="$crashed $name"
    tail -n 40 "$work/$name/log"
    # The scratch directory goes at exit: the log and the reproducer are kept here.
    keep=${FUZZ_KEEP:-/tmp/nodeward-fuzz-failures}/$name.$$
    mkdir -p "$keep" && cp "$work/$name/log" "$keep/" && cp -r "$work/$name/artifacts/." "$keep/"
    echo "fuzz: $name: log and reproducer kept in $keep"
    for a in "$work/$name/artifacts"/*; do [ -f "$a" ] && { echo "reproducer: $a"; od -c "$a" | head -n 20; }; done
  fi
  ran=$((ran + 1))
done
n_crashed=$(echo $crashed | wc -w)
# The failing harnesses last, beside the count: a CI log's tail names them.
echo "fuzz-smoke: $((ran - n_crashed)) passed, $n_crashed failed${crashed:+:$crashed}"
[ -z "$crashed" ]
