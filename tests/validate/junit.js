// junit.js: read JUnit XML as a real consumer does (test-results-parser, the parser of
// testbeats) and print what it counts, one JSON object per file.
// Usage: node junit.js FILE...   exit 0 parsed, 1 a file could not be parsed, 2 usage.
"use strict";
const { parse } = require("test-results-parser");

if (process.argv.length < 3) {
  console.error("usage: node junit.js FILE...");
  process.exit(2);
}
let bad = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = parse({ type: "junit", files: [file] });
    const cases = r.suites.flatMap((s) => s.cases);
    const by = (st) => cases.filter((c) => c.status === st).length;
    console.log(JSON.stringify({ file, total: r.total, passed: r.passed, failed: r.failed, errors: r.errors,
                                 skipped: r.skipped, cases: cases.length, case_passed: by("PASS"),
                                 case_failed: by("FAIL"), case_skipped: by("SKIP"),
                                 failed_names: cases.filter((c) => c.status === "FAIL").map((c) => c.name) }));
  } catch (e) {
    bad++;
    console.error(`${file}: test-results-parser could not read it: ${e.message}`);
  }
}
process.exit(bad ? 1 : 0);
