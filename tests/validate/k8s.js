// k8s.js: validate Kubernetes manifests against the OpenAPI schemas of a current
// Kubernetes release (kubernetes-models), strictly: a field the schema does not
// declare is an error, as `kubectl apply --validate=strict` makes it (the
// compiled validators alone accept any extra key). Also node-problem-detector
// custom plugin monitor configs embedded in ConfigMaps, against NPD's documented
// structure.
// Usage: node k8s.js [--without FIELD]... FILE.yaml...
//   --without FIELD   also reject FIELD (e.g. recursiveReadOnly) anywhere: for
//                     manifests meant for an older Kubernetes than the schemas
//   exit 0 all valid, 1 one is not, 2 usage.
"use strict";
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");

const kinds = {
  "v1/Namespace": "kubernetes-models/v1/Namespace",
  "v1/ServiceAccount": "kubernetes-models/v1/ServiceAccount",
  "v1/ConfigMap": "kubernetes-models/v1/ConfigMap",
  "apps/v1/DaemonSet": "kubernetes-models/apps/v1/DaemonSet",
  "scheduling.k8s.io/v1/PriorityClass": "kubernetes-models/scheduling.k8s.io/v1/PriorityClass",
  "rbac.authorization.k8s.io/v1/ClusterRole": "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole",
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding",
};

function npdMonitorErrors(text) {
  const errs = [];
  let m;
  try { m = JSON.parse(text); } catch (e) { return [`not JSON: ${e.message}`]; }
  if (m.plugin !== "custom") errs.push(`plugin is ${m.plugin}, want custom`);
  if (typeof m.source !== "string" || !m.source) errs.push("source missing");
  const pc = m.pluginConfig || {};
  for (const k of ["invoke_interval", "timeout"])
    if (!/^[0-9]+(ms|s|m|h)$/.test(pc[k] || "")) errs.push(`pluginConfig.${k} is not a Go duration`);
  const conds = new Set((m.conditions || []).map((c) => c.type));
  for (const c of m.conditions || [])
    for (const k of ["type", "reason", "message"]) if (typeof c[k] !== "string") errs.push(`condition.${k} missing`);
  if (!(m.rules || []).length) errs.push("no rules");
  for (const r of m.rules || []) {
    if (!["permanent", "temporary"].includes(r.type)) errs.push(`rule type ${r.type}`);
    if (r.type === "permanent" && !conds.has(r.condition)) errs.push(`rule condition ${r.condition} is not declared`);
    if (typeof r.path !== "string" || !r.path.startsWith("/")) errs.push("rule path must be absolute");
    if (!/^[A-Z][A-Za-z]+$/.test(r.reason || "")) errs.push(`rule reason ${r.reason} is not CamelCase`);
  }
  return errs;
}

// The declared fields of each type come from the models' TypeScript declarations
// (one interface per .d.ts, fields at four spaces, imports name the field types).
const modelsDir = path.dirname(require.resolve("kubernetes-models/package.json"));
const typeCache = new Map();

function parseTypeFile(file) {
  if (typeCache.has(file)) return typeCache.get(file);
  const src = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = {};
  for (const m of src.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports[m[1]] = m[2];
  const body = /^export interface \w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(src);
  let fields = null;
  if (body) {
    fields = {};
    // Fields: `"name"?: TYPE;`, where TYPE may span lines (maps): split at the
    // semicolons outside braces.
    let depth = 0, cur = "";
    for (const c of body[1]) {
      if (c === "{") depth++;
      if (c === "}") depth--;
      if (c === ";" && depth === 0) {
        const m = /^"([^"]+)"\??:(.*)$/s.exec(cur.replace(/\s+/g, ""));
        if (m) fields[m[1]] = m[2];
        cur = "";
      } else {
        cur += c;
      }
    }
  }
  const t = { file, imports, fields };
  typeCache.set(file, t);
  return t;
}

function resolveImport(from, spec) {
  const base = spec.startsWith(".") ? path.resolve(path.dirname(from), spec)
                                     : path.join(path.dirname(require.resolve(spec.split("/").slice(0, 2).join("/") + "/package.json")),
                                                 spec.split("/").slice(2).join("/"));
  return base + ".d.ts";
}

// Walk @value against type expression @texpr declared in @owner; push unknown fields.
function strictWalk(value, texpr, owner, at, errs, without) {
  if (value === null || typeof value !== "object") return;
  let m;
  if ((m = /^Array<(.+)>$/.exec(texpr))) {
    if (Array.isArray(value)) value.forEach((v, i) => strictWalk(v, m[1], owner, `${at}[${i}]`, errs, without));
    return;
  }
  if ((m = /^\{\[key:string\]:(.+)\}$/.exec(texpr))) {
    for (const [k, v] of Object.entries(value)) strictWalk(v, m[1], owner, `${at}.${k}`, errs, without);
    return;
  }
  if (!owner.imports[texpr]) return; // a scalar, a union or an alias such as Quantity
  const t = parseTypeFile(resolveImport(owner.file, owner.imports[texpr]));
  strictFields(value, t, at, errs, without);
}

function strictFields(value, t, at, errs, without) {
  if (!t.fields || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const where = at ? `${at}.${k}` : k;
    if (!(k in t.fields)) errs.push(`unknown field "${where}"`);
    else if (without.includes(k)) errs.push(`field "${where}" is not available on the targeted Kubernetes versions`);
    else strictWalk(v, t.fields[k], t, where, errs, without);
  }
}

function strictErrors(obj, modelPath, without) {
  const errs = [];
  strictFields(obj, parseTypeFile(path.join(modelsDir, modelPath.replace(/^kubernetes-models\//, "") + ".d.ts")), "", errs, without);
  return errs;
}

// Rules the API server enforces beyond the schema, for pod templates
// (pkg/apis/core/validation: validateVolumeMounts).
function podTemplateErrors(obj) {
  const spec = obj.spec && obj.spec.template && obj.spec.template.spec;
  if (!spec) return [];
  const errs = [], vols = new Set((spec.volumes || []).map((v) => v.name));
  for (const c of [...(spec.initContainers || []), ...(spec.containers || [])])
    for (const m of c.volumeMounts || []) {
      const at = `container ${c.name} mount ${m.mountPath}`;
      if (!vols.has(m.name)) errs.push(`${at}: no volume named ${m.name}`);
      if (m.recursiveReadOnly && !m.readOnly) errs.push(`${at}: recursiveReadOnly needs readOnly: true`);
      if (["IfPossible", "Enabled"].includes(m.recursiveReadOnly) && (m.mountPropagation || "None") !== "None")
        errs.push(`${at}: recursiveReadOnly ${m.recursiveReadOnly} needs mountPropagation None`);
    }
  return errs;
}

let bad = 0, n = 0;
const argv = process.argv.slice(2), without = [];
while (argv[0] === "--without" && argv.length > 1) { without.push(argv[1]); argv.splice(0, 2); }
for (const file of argv) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) { bad++; console.error(`${file}: YAML: ${doc.errors[0].message}`); continue; }
    const obj = doc.toJS();
    if (!obj) continue;
    const key = `${obj.apiVersion}/${obj.kind}`;
    const where = `${file}: ${key} ${obj.metadata && obj.metadata.name}`;
    n++;
    if (!kinds[key]) { bad++; console.error(`${where}: kind not known to this validator`); continue; }
    const Model = Object.values(require(kinds[key]))[0];
    try {
      new Model(obj).validate();
    } catch (e) {
      bad++;
      console.error(`${where}: ${e.message}`);
      continue;
    }
    const strict = [...strictErrors(obj, kinds[key], without), ...podTemplateErrors(obj)];
    if (strict.length) {
      bad += strict.length;
      for (const e of strict) console.error(`${where}: ${e}`);
      continue;
    }
    if (obj.kind === "ConfigMap")
      for (const [k, v] of Object.entries(obj.data || {}))
        if (k.endsWith("-monitor.json"))
          for (const e of npdMonitorErrors(v)) { bad++; console.error(`${where}: ${k}: ${e}`); }
    console.log(`${where}: valid`);
  }
}
if (!n) { console.error("usage: node k8s.js [--without FIELD]... FILE.yaml..."); process.exit(2); }
process.exit(bad ? 1 : 0);
