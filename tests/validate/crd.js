// crd.js: validate Kubernetes objects against a CustomResourceDefinition's OpenAPI v3 schema
// (the CRD as its project publishes it, under tests/schemas/), strictly: a field the schema
// does not declare is an error, where the API server would prune it silently.
// Usage: node crd.js CRD.yaml FILE.json...   exit 0 all valid, 1 one is not, 2 usage.
"use strict";
const fs = require("fs");
const YAML = require("yaml");
const Ajv = require("ajv");

if (process.argv.length < 4) {
  console.error("usage: node crd.js CRD.yaml FILE.json...");
  process.exit(2);
}
const crd = YAML.parse(fs.readFileSync(process.argv[2], "utf8"));
const group = crd.spec.group, kind = crd.spec.names.kind;

// OpenAPI v3 (structural) -> JSON Schema: drop the x-kubernetes-* extensions, close every
// object that lists its properties, and leave metadata to the API server's ObjectMeta.
function toJsonSchema(s, atRoot) {
  if (Array.isArray(s)) return s.map((x) => toJsonSchema(x, false));
  if (!s || typeof s !== "object") return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith("x-kubernetes-") || k === "description") continue;
    if (k === "properties") {
      out.properties = {};
      for (const [p, ps] of Object.entries(v)) out.properties[p] = atRoot && p === "metadata" ? ps : toJsonSchema(ps, false);
    } else out[k] = toJsonSchema(v, false);
  }
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  if (out.format === "int32" || out.format === "int64") delete out.format;
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = {};
for (const v of crd.spec.versions) validators[`${group}/${v.name}`] = ajv.compile(toJsonSchema(v.schema.openAPIV3Schema, true));
const nameRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
let bad = 0;
for (const file of process.argv.slice(3)) {
  const obj = JSON.parse(fs.readFileSync(file, "utf8"));
  const errs = [];
  const validate = validators[obj.apiVersion];
  if (!validate) errs.push(`apiVersion ${obj.apiVersion} is not served by the CRD (${Object.keys(validators).join(", ")})`);
  if (obj.kind !== kind) errs.push(`kind ${obj.kind}, the CRD defines ${kind}`);
  const name = obj.metadata && obj.metadata.name;
  if (typeof name !== "string" || name.length > 253 || !nameRe.test(name)) errs.push(`metadata.name ${JSON.stringify(name)} is not a DNS subdomain`);
  if (validate && !validate(obj)) for (const e of validate.errors.slice(0, 20)) errs.push(`${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? ": " + e.params.additionalProperty : ""}`);
  if (errs.length) {
    bad++;
    console.error(`${file}: not a valid ${kind}:`);
    for (const e of errs) console.error(`  ${e}`);
  } else console.log(`${file}: valid ${obj.apiVersion} ${kind}`);
}
process.exit(bad ? 1 : 0);
