// report.js: validate nodeward JSON reports against tests/schemas/nodeward-report-v1.json with ajv.
// Usage: node report.js [--quiet] FILE...   exit 0 all valid, 1 one is not, 2 usage.
//   --quiet   name only the invalid files, then one count line
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const quiet = process.argv[2] === "--quiet";
const files = process.argv.slice(quiet ? 3 : 2);
if (!files.length) {
  console.error("usage: node report.js [--quiet] FILE...");
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "schemas", "nodeward-report-v1.json"), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of files) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    bad++;
    console.error(`${file}: not JSON: ${e.message}`);
    continue;
  }
  if (!validate(report)) {
    bad++;
    console.error(`${file}: not a valid nodeward.report/v1:`);
    for (const e of validate.errors.slice(0, 20)) console.error(`  ${e.instancePath || "/"} ${e.message}`);
  } else if (!quiet) {
    console.log(`${file}: valid nodeward.report/v1`);
  }
}
if (quiet) console.log(`${files.length - bad} of ${files.length} reports valid nodeward.report/v1`);
process.exit(bad ? 1 : 0);
