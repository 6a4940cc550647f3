// k8s.js: validate Kubernetes manifests against the OpenAPI schemas of a current
// Kubernetes release (kubernetes-models), and node-problem-detector custom plugin
// monitor configs embedded in ConfigMaps against NPD's documented structure.
// Usage: node k8s.js FILE.yaml...   exit 0 all valid, 1 one is not, 2 usage.
"use strict";
const fs = require("fs");
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

let bad = 0, n = 0;
for (const file of process.argv.slice(2)) {
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
    if (obj.kind === "ConfigMap")
      for (const [k, v] of Object.entries(obj.data || {}))
        if (k.endsWith("-monitor.json"))
          for (const e of npdMonitorErrors(v)) { bad++; console.error(`${where}: ${k}: ${e}`); }
    console.log(`${where}: valid`);
  }
}
if (!n) { console.error("usage: node k8s.js FILE.yaml..."); process.exit(2); }
process.exit(bad ? 1 : 0);
