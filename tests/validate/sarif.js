// sarif.js: validate SARIF logs against the SARIF 2.1.0 JSON schema (draft-04) with ajv.
// Usage: node sarif.js FILE...   exit 0 all valid, 1 one is not, 2 usage.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv-draft-04");
const addFormats = require("ajv-formats");

if (process.argv.length < 3) {
  console.error("usage: node sarif.js FILE...");
  process.exit(2);
}
const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "schemas", "sarif-2.1.0-rtm.5.json"), "utf8"));
// strict off and non-unicode patterns: the published schema has draft-04 "id" keywords and a
// language-tag pattern ("...{2}]?$") that is valid only as a non-unicode regular expression.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
  const log = JSON.parse(fs.readFileSync(file, "utf8"));
  if (!validate(log)) {
    bad++;
    console.error(`${file}: not valid SARIF 2.1.0:`);
    for (const e of validate.errors.slice(0, 20)) console.error(`  ${e.instancePath || "/"} ${e.message}`);
  } else {
    console.log(`${file}: valid SARIF 2.1.0`);
  }
}
process.exit(bad ? 1 : 0);
