// monitoring.js: turn nodeward's fleet monitoring artefacts into what promtool judges.
//   node monitoring.js rules PROMETHEUSRULE.yaml OUT.yaml
//     checks the PrometheusRule's shape (monitoring.coreos.com/v1: metadata.name, spec.groups
//     and nothing else in spec) and writes spec.groups as a Prometheus rule file.
//   node monitoring.js dashboard DASHBOARD.json OUT.yaml
//     checks the Grafana dashboard's structure (title, uid, schemaVersion, unique panel ids,
//     panels inside the 24-column grid without overlapping, every target a Prometheus
//     expr with a refId on the dashboard's datasource variable, template variables that
//     exist) and writes one recording rule per expr, Grafana's variables replaced by
//     values, so that `promtool check rules` parses each.
//   node monitoring.js metrics FILE...
//     prints every nodeward_* metric name the files use, one a line.
// Exit 0, 1 a check failed, 2 usage.
"use strict";
const fs = require("fs");
const YAML = require("yaml");

const [mode, input, out] = process.argv.slice(2);
const errs = [];
function fail(m) {
  errs.push(m);
}
function finish(result) {
  if (errs.length) {
    for (const e of errs) console.error(`${input}: ${e}`);
    process.exit(1);
  }
  if (out) fs.writeFileSync(out, YAML.stringify(result));
  process.exit(0);
}

if (mode === "rules" && out) {
  const cr = YAML.parse(fs.readFileSync(input, "utf8"));
  if (cr.apiVersion !== "monitoring.coreos.com/v1") fail(`apiVersion ${cr.apiVersion}`);
  if (cr.kind !== "PrometheusRule") fail(`kind ${cr.kind}`);
  if (!cr.metadata || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(cr.metadata.name || "")) fail("metadata.name");
  const spec = cr.spec || {};
  for (const k of Object.keys(spec)) if (k !== "groups") fail(`spec.${k} is not a PrometheusRule field`);
  if (!Array.isArray(spec.groups) || !spec.groups.length) fail("no spec.groups");
  finish({ groups: spec.groups || [] });
} else if (mode === "dashboard" && out) {
  const d = JSON.parse(fs.readFileSync(input, "utf8"));
  for (const k of ["title", "uid"]) if (typeof d[k] !== "string" || !d[k]) fail(`${k} missing`);
  if (!Number.isInteger(d.schemaVersion) || d.schemaVersion < 36) fail("schemaVersion below 36");
  const vars = ((d.templating || {}).list || []).map((v) => v.name);
  const dsVar = ((d.templating || {}).list || []).find((v) => v.type === "datasource" && v.query === "prometheus");
  if (!dsVar) fail("no prometheus datasource variable");
  const ids = new Set();
  const cells = new Set();
  const rules = [];
  for (const p of d.panels || []) {
    const where = `panel ${p.id} (${p.title})`;
    if (!Number.isInteger(p.id) || ids.has(p.id)) fail(`${where}: id missing or repeated`);
    ids.add(p.id);
    if (!p.title || !p.type) fail(`${where}: title or type missing`);
    const g = p.gridPos || {};
    if (![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x < 0 || g.w < 1 || g.x + g.w > 24 || g.h < 1)
      fail(`${where}: gridPos outside the 24-column grid`);
    for (let x = g.x; x < g.x + g.w; x++)
      for (let y = g.y; y < g.y + g.h; y++) {
        if (cells.has(`${x},${y}`)) fail(`${where}: overlaps another panel at ${x},${y}`);
        cells.add(`${x},${y}`);
      }
    if (!Array.isArray(p.targets) || !p.targets.length) fail(`${where}: no targets`);
    const refs = new Set();
    for (const t of p.targets || []) {
      if (!t.refId || refs.has(t.refId)) fail(`${where}: refId missing or repeated`);
      refs.add(t.refId);
      for (const ds of [p.datasource, t.datasource])
        if (!ds || ds.type !== "prometheus" || ds.uid !== `\${${dsVar ? dsVar.name : "datasource"}}`)
          fail(`${where}: not on the datasource variable`);
      if (typeof t.expr !== "string" || !t.expr.trim()) {
        fail(`${where}: target ${t.refId} has no expr`);
        continue;
      }
      for (const m of t.expr.matchAll(/\$(\w+)/g))
        if (!m[1].startsWith("__") && !vars.includes(m[1])) fail(`${where}: unknown variable $${m[1]}`);
      const expr = t.expr.replace(/\$__rate_interval|\$__interval|\$__range/g, "5m").replace(/\$\w+/g, ".*");
      rules.push({ record: `nodeward:dashboard_panel_${p.id}_${t.refId}`, expr });
    }
  }
  if (!ids.size) fail("no panels");
  finish({ groups: [{ name: "nodeward-dashboard-exprs", rules }] });
} else if (mode === "metrics" && input) {
  const names = new Set();
  for (const f of process.argv.slice(3))
    for (const m of fs.readFileSync(f, "utf8").matchAll(/\bnodeward_[a-z_]+\b/g)) names.add(m[0]);
  process.stdout.write([...names].sort().join("\n") + "\n");
} else {
  console.error("usage: node monitoring.js rules|dashboard IN OUT | metrics FILE...");
  process.exit(2);
}
