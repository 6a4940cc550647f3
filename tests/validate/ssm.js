// ssm.js: structural validation of an SSM Command document (schema 2.2). AWS
// publishes no JSON schema for Command documents (the SSM document language
// service's schema covers Automation, 0.3), so this checks what the Systems
// Manager user guide states for 2.2: the top-level keys, parameter types and
// properties, that every default satisfies its own allowedPattern/allowedValues,
// that every {{ name }} is a declared parameter and every parameter is used, and
// the step fields of aws:runShellScript.
// Usage: node ssm.js DOC.json   exit 0 valid, 1 not, 2 usage.
"use strict";
const fs = require("fs");

const TOP = ["schemaVersion", "description", "parameters", "mainSteps"];
const PARAM_TYPES = ["String", "StringList", "Boolean", "Integer", "MapList", "StringMap"];
const PARAM_KEYS = ["type", "description", "default", "allowedValues", "allowedPattern", "displayType",
                    "minItems", "maxItems", "maxChars"];
const STEP_KEYS = ["action", "name", "inputs", "precondition", "maxAttempts", "onFailure", "isEnd", "finallyStep",
                   "timeoutSeconds"];
const SHELL_INPUTS = ["runCommand", "workingDirectory", "timeoutSeconds"];

function errorsOf(doc) {
  const errs = [];
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return ["not a JSON object"];
  for (const k of Object.keys(doc)) if (!TOP.includes(k)) errs.push(`unknown top-level key ${k}`);
  if (doc.schemaVersion !== "2.2") errs.push(`schemaVersion is ${doc.schemaVersion}, want "2.2"`);
  const params = doc.parameters || {};
  for (const [name, p] of Object.entries(params)) {
    if (!/^[A-Za-z0-9]+$/.test(name)) errs.push(`parameter name ${name} is not alphanumeric`);
    for (const k of Object.keys(p)) if (!PARAM_KEYS.includes(k)) errs.push(`parameter ${name}: unknown key ${k}`);
    if (!PARAM_TYPES.includes(p.type)) errs.push(`parameter ${name}: type ${p.type}`);
    if (p.type === "String" && "default" in p && typeof p.default !== "string")
      errs.push(`parameter ${name}: default is not a string`);
    if (p.allowedPattern !== undefined) {
      let re;
      try { re = new RegExp(p.allowedPattern); } catch (e) { errs.push(`parameter ${name}: allowedPattern: ${e.message}`); }
      if (re && "default" in p && !re.test(p.default)) errs.push(`parameter ${name}: default does not match allowedPattern`);
    }
    if (p.allowedValues !== undefined && "default" in p && !p.allowedValues.includes(p.default))
      errs.push(`parameter ${name}: default is not among allowedValues`);
  }
  const steps = doc.mainSteps;
  if (!Array.isArray(steps) || !steps.length) return errs.concat(["mainSteps is not a non-empty array"]);
  const names = new Set(), used = new Set();
  for (const s of steps) {
    for (const k of Object.keys(s)) if (!STEP_KEYS.includes(k)) errs.push(`step ${s.name}: unknown key ${k}`);
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(s.name || "")) errs.push(`step name ${s.name}`);
    if (names.has(s.name)) errs.push(`step name ${s.name} repeated`);
    names.add(s.name);
    if (s.action !== "aws:runShellScript") { errs.push(`step ${s.name}: action ${s.action} is not checked here`); continue; }
    const inp = s.inputs || {};
    for (const k of Object.keys(inp)) if (!SHELL_INPUTS.includes(k)) errs.push(`step ${s.name}: unknown input ${k}`);
    if (!Array.isArray(inp.runCommand) || !inp.runCommand.every((l) => typeof l === "string"))
      errs.push(`step ${s.name}: runCommand is not a list of strings`);
    const t = inp.timeoutSeconds;
    if (t !== undefined && !(/^[0-9]+$/.test(String(t)) && +t >= 1 && +t <= 172800))
      errs.push(`step ${s.name}: timeoutSeconds ${t} is not 1-172800`);
    if (s.precondition && JSON.stringify(s.precondition) !== JSON.stringify({ StringEquals: ["platformType", "Linux"] }))
      errs.push(`step ${s.name}: precondition is not platformType Linux`);
    for (const m of JSON.stringify(s).matchAll(/\{\{ *([A-Za-z0-9:_.-]+) *\}\}/g)) {
      used.add(m[1]);
      if (!(m[1] in params)) errs.push(`step ${s.name}: {{ ${m[1]} }} is not a declared parameter`);
    }
  }
  for (const name of Object.keys(params)) if (!used.has(name)) errs.push(`parameter ${name} is never used`);
  return errs;
}

if (process.argv.length !== 3) { console.error("usage: node ssm.js DOC.json"); process.exit(2); }
let doc;
try { doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8")); } catch (e) { console.error(`${process.argv[2]}: ${e.message}`); process.exit(1); }
const errs = errorsOf(doc);
for (const e of errs) console.error(`${process.argv[2]}: ${e}`);
if (!errs.length) console.log(`${process.argv[2]}: valid SSM Command document (schema 2.2, structural checks)`);
process.exit(errs.length ? 1 : 0);
