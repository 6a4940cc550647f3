// sarif-multitool.js: run Microsoft's SARIF Multitool `validate` (npm @microsoft/sarif-multitool,
// its self-contained Linux build) on SARIF logs and require no error and no warning.
// Usage: node sarif-multitool.js FILE...   exit 0 all clean, 1 a finding, 2 usage or tool failure.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawnSync } = require("child_process");

if (process.argv.length < 3) {
  console.error("usage: node sarif-multitool.js FILE...");
  process.exit(2);
}
const bin = require("@microsoft/sarif-multitool-linux");
// npm leaves the package's postinstall (chmod u+x) to an allow-list; the binary needs its x bit.
try { fs.accessSync(bin, fs.constants.X_OK); } catch (e) { fs.chmodSync(bin, 0o755); }
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "nwfm-multitool-"));
let bad = 0;
try {
  for (const [i, file] of process.argv.slice(2).entries()) {
    const out = path.join(tmp, `validation-${i}.sarif`);
    const r = spawnSync(bin, ["validate", "--output", out, "--level", "Error;Warning", path.resolve(file)],
                        { encoding: "utf8", env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: "1" } });
    if (r.status !== 0 || !fs.existsSync(out)) {
      console.error(`${file}: Sarif.Multitool validate failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
      process.exit(2);
    }
    const log = JSON.parse(fs.readFileSync(out, "utf8"));
    // A result's level defaults to "warning" (SARIF §3.27.10); notes are advice, not faults.
    const found = (log.runs || []).flatMap((run) => run.results || [])
      .filter((res) => (res.level || "warning") !== "note" && (res.level || "warning") !== "none");
    const notes = ((log.runs || [])[0].invocations || []).flatMap((inv) => inv.toolExecutionNotifications || [])
      .filter((n) => n.level === "error");
    if (found.length || notes.length) {
      bad++;
      console.error(`${file}: Sarif.Multitool validate: ${found.length} error(s)/warning(s):`);
      for (const res of found.slice(0, 20))
        console.error(`  ${res.level || "warning"} ${res.ruleId}: ${res.message.text || JSON.stringify(res.message)}`);
      for (const n of notes.slice(0, 5)) console.error(`  tool error: ${n.message.text}`);
    } else {
      console.log(`${file}: Sarif.Multitool validate: no errors, no warnings`);
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(bad ? 1 : 0);
