#!/bin/sh
# Run every test binary given, show its CMocka output, and end with one tally line.
# Every nodeward.report/v1 a test reads from nodeward's standard output, or from a file
# it wrote with --output, is kept (tests/testutil.h) and validated against the report's
# JSON Schema at the end.
passed=0; failed=0; skipped=0; broken=""
NODEWARD_REPORT_DIR=$(mktemp -d /tmp/nodeward-reports.XXXXXX) || exit 1
export NODEWARD_REPORT_DIR
trap 'rm -rf "$NODEWARD_REPORT_DIR"' EXIT
# Under a sanitizer or valgrind everything runs 2-50 times slower, and a test
# that waits on a real process or socket can miss its deadline. With
# TEST_RETRY_SLOW=1 (make asan, make valgrind) a program that failed without any
# sanitizer or memcheck report runs once more, and the tally names it; a report
# of a memory error is never retried.
retried=""
san_report='ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|^==[0-9]+== |==[0-9]+== (Invalid|Conditional|Syscall param|[0-9,]+ bytes in)'
for t in "$@"; do
  out=$(${TEST_WRAPPER:-} "$t" 2>&1); rc=$?
  if [ "$rc" -ne 0 ] && [ "${TEST_RETRY_SLOW:-0}" = 1 ] &&
     ! printf '%s\n' "$out" | grep -Eq "$san_report"; then
    printf '%s\n' "$out"
    echo "run-tests: $(basename "$t") failed with no sanitizer report; running it once more (TEST_RETRY_SLOW)"
    out=$(${TEST_WRAPPER:-} "$t" 2>&1); rc=$?
    [ "$rc" -eq 0 ] && retried="$retried $(basename "$t")"
  fi
  printf '%s\n' "$out"
  p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
  f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -n1)
  s=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' | tail -n1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
  [ "$rc" -ne 0 ] && broken="$broken $(basename "$t")"
done
n=$(find "$NODEWARD_REPORT_DIR" -name '*.json' | wc -l)
if [ "$n" -gt 0 ]; then
  echo "report schema: validating the $n JSON reports the tests read (tests/schemas/nodeward-report-v1.json)"
  if find "$NODEWARD_REPORT_DIR" -name '*.json' -print0 | xargs -0 node "$(dirname "$0")/validate/report.js" --quiet; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1)); broken="$broken report-schema"
  fi
fi
echo
[ -n "$retried" ] && echo "passed on a second run (slow under the sanitizer; see the first run above):$retried"
[ -n "$broken" ] && echo "failing test programs:$broken"
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ -z "$broken" ]
