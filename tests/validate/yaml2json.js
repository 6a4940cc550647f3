// yaml2json.js: print the documents of a multi-document YAML file as one JSON array,
// so the C tests read manifests as data (container args, capabilities, mounts)
// instead of matching text. Usage: node yaml2json.js FILE.yaml   exit 1 on a YAML error.
"use strict";
const fs = require("fs");
const YAML = require("yaml");

if (process.argv.length !== 3) {
  console.error("usage: node yaml2json.js FILE.yaml");
  process.exit(2);
}
const docs = YAML.parseAllDocuments(fs.readFileSync(process.argv[2], "utf8"));
const out = [];
for (const d of docs) {
  if (d.errors.length) {
    console.error(`${process.argv[2]}: ${d.errors[0].message}`);
    process.exit(1);
  }
  const o = d.toJS();
  if (o) out.push(o);
}
process.stdout.write(JSON.stringify(out) + "\n");
