// openreports.js: validate ClusterReport bodies (what `nodeward watch --publish` applies) against
// the openAPIV3Schema of OpenReports' ClusterReport CRD (tests/schemas/openreports.io_clusterreports.yaml).
// Strict as `kubectl apply --validate=strict`: a field the schema does not declare is an
// error (the API server would drop it). metadata, which the CRD leaves open, is checked
// against the ObjectMeta fields an apply body sets: name (a DNS-1123 subdomain), labels,
// annotations (keys qualified names, as apimachinery's ValidateAnnotations requires: an
// optional DNS-1123 subdomain prefix and '/', then a name of at most 63 characters; values
// strings), ownerReferences (apiVersion, kind, name and uid required, as in apimachinery's
// OwnerReference).
// Usage: node openreports.js FILE...   exit 0 all valid, 1 one is not, 2 usage.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const YAML = require("yaml");

if (process.argv.length < 3) {
  console.error("usage: node openreports.js FILE...");
  process.exit(2);
}
const crd = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "schemas", "openreports.io_clusterreports.yaml"), "utf8"));
const version = crd.spec.versions.find((v) => v.name === "v1alpha1");
if (crd.spec.names.kind !== "ClusterReport" || !version) {
  console.error("the CRD is not ClusterReport v1alpha1");
  process.exit(2);
}

// Structural schema -> JSON Schema: drop the x-kubernetes-* extensions, close every object
// that lists its properties.
function convert(s) {
  if (Array.isArray(s)) return s.map(convert);
  if (!s || typeof s !== "object") return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith("x-kubernetes-") || k === "description") continue;
    out[k] = k === "properties" ? Object.fromEntries(Object.entries(v).map(([n, p]) => [n, convert(p)])) : convert(v);
  }
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}
const schema = convert(version.schema.openAPIV3Schema);
const dns1123 = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const qualifiedName =
  "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
schema.properties.metadata = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    name: { type: "string", maxLength: 253, pattern: dns1123 },
    labels: { type: "object", additionalProperties: { type: "string", maxLength: 63 } },
    annotations: {
      type: "object",
      propertyNames: { pattern: qualifiedName },
      additionalProperties: { type: "string" },
    },
    ownerReferences: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["apiVersion", "kind", "name", "uid"],
        properties: {
          apiVersion: { type: "string", minLength: 1 },
          kind: { type: "string", minLength: 1 },
          name: { type: "string", minLength: 1 },
          uid: { type: "string", minLength: 1 },
          controller: { type: "boolean" },
          blockOwnerDeletion: { type: "boolean" },
        },
      },
    },
  },
};
// Server-side apply needs both, and they must name this CRD.
schema.required = ["apiVersion", "kind", "metadata"];
schema.properties.apiVersion = { const: `${crd.spec.group}/${version.name}` };
schema.properties.kind = { const: crd.spec.names.kind };

const ajv = new Ajv({ allErrors: true, strict: true });
ajv.addFormat("int32", { type: "number", validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: (n) => Number.isSafeInteger(n) });
const validate = ajv.compile(schema);
let bad = 0;
for (const file of process.argv.slice(2)) {
  let body;
  try {
    body = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    bad++;
    console.error(`${file}: not JSON: ${e.message}`);
    continue;
  }
  if (!validate(body)) {
    bad++;
    console.error(`${file}: not a valid ${crd.spec.group}/${version.name} ${crd.spec.names.kind}:`);
    for (const e of validate.errors.slice(0, 20))
      console.error(`  ${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? `: ${e.params.additionalProperty}` : ""}`);
  } else {
    console.log(`${file}: valid ${crd.spec.names.kind}`);
  }
}
process.exit(bad ? 1 : 0);
