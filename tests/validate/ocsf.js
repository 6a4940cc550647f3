// ocsf.js: validate OCSF records (one JSON object per line) against tests/schemas/ocsf-1.2.0-compliance-finding.json.
// Usage: node ocsf.js FILE...   exit 0 all valid, 1 one is not, 2 usage.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

if (process.argv.length < 3) {
  console.error("usage: node ocsf.js FILE...");
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "schemas", "ocsf-1.2.0-compliance-finding.json"), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
  const lines = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.length);
  let n = 0;
  for (const [i, line] of lines.entries()) {
    const rec = JSON.parse(line);
    if (!validate(rec)) {
      bad++;
      console.error(`${file}:${i + 1}: not a valid OCSF 1.2.0 Compliance Finding:`);
      for (const e of validate.errors.slice(0, 10)) console.error(`  ${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? ": " + e.params.additionalProperty : ""}`);
    } else n++;
  }
  if (!lines.length) { bad++; console.error(`${file}: no records`); }
  console.log(`${file}: ${n} of ${lines.length} records valid`);
}
process.exit(bad ? 1 : 0);
