// jsonpatch.js: apply an RFC 6902 JSON Patch (the ops `kubectl patch --type=json` takes: test,
// add, remove, replace) to one object of a multi-document YAML manifest, as the API server
// would, and print the whole manifest as YAML again. A failed test op or a path that does
// not exist fails, as it fails there.
// Usage: node jsonpatch.js MANIFEST.yaml PATCH.json KIND NAME   exit 0, 1 the patch does not apply, 2 usage.
"use strict";
const fs = require("fs");
const YAML = require("yaml");

const [file, patchFile, kind, name] = process.argv.slice(2);
if (!name) {
  console.error("usage: node jsonpatch.js MANIFEST.yaml PATCH.json KIND NAME");
  process.exit(2);
}
const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8")).map((d) => d.toJS());
const target = docs.find((d) => d && d.kind === kind && d.metadata && d.metadata.name === name);
if (!target) {
  console.error(`${file}: no ${kind} ${name}`);
  process.exit(1);
}
function unescape(t) {
  return t.replace(/~1/g, "/").replace(/~0/g, "~");
}
function locate(root, path) {
  if (!path.startsWith("/")) throw new Error(`path ${path} does not start with /`);
  const parts = path.slice(1).split("/").map(unescape);
  const last = parts.pop();
  let cur = root;
  for (const p of parts) {
    if (cur === null || typeof cur !== "object" || !(p in cur)) throw new Error(`path ${path}: ${p} does not exist`);
    cur = cur[p];
  }
  return [cur, last];
}
try {
  for (const op of JSON.parse(fs.readFileSync(patchFile, "utf8"))) {
    const [parent, key] = locate(target, op.path);
    const isArr = Array.isArray(parent);
    if (isArr && key !== "-" && !/^(0|[1-9][0-9]*)$/.test(key)) throw new Error(`${op.path}: not an array index`);
    switch (op.op) {
      case "test":
        if (JSON.stringify(parent[key]) !== JSON.stringify(op.value)) throw new Error(`test ${op.path} failed`);
        break;
      case "add":
        if (isArr) parent.splice(key === "-" ? parent.length : Number(key), 0, op.value);
        else parent[key] = op.value;
        break;
      case "remove":
      case "replace":
        if (!(key in parent)) throw new Error(`${op.op} ${op.path}: does not exist`);
        if (op.op === "remove") isArr ? parent.splice(Number(key), 1) : delete parent[key];
        else parent[key] = op.value;
        break;
      default:
        throw new Error(`op ${op.op} is not supported here`);
    }
  }
} catch (e) {
  console.error(`${patchFile}: ${e.message}`);
  process.exit(1);
}
process.stdout.write(docs.map((d) => YAML.stringify(d)).join("---\n"));
