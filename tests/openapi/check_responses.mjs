#!/usr/bin/env node
// Validates the HTTP responses recorded by the end-to-end tests against docs/api/openapi.yaml.
//
//   node tests/openapi/check_responses.mjs <openapi.yaml> <file.jsonl | directory of *.jsonl>...
//
// Each input line is {method, target, status, content_type, headers, body} as written by
// tests/support/http_client.cpp when ANLIEGEN_RECORD_RESPONSES is set. For every response:
//   * the target is matched to a path of the spec (literal paths before templated ones, `{id}` is one
//     segment); a target no path matches must be 404 and match components.responses.NotFound;
//   * a method the path does not list must be 405 and match components.responses.MethodNotAllowed
//     (HEAD is treated as GET without a body);
//   * under a path prefix the spec's `x-error-responses` names (a protocol with its own error format,
//     Open311), those two cases use the status and response it gives instead;
//   * otherwise the status must be documented for the operation (exactly, as 4XX/5XX, or `default`);
//   * the media type (without parameters) must be one the response documents, and the body must
//     validate against its schema (JSON Schema 2020-12, the dialect of OpenAPI 3.1): JSON bodies
//     parsed, text/* bodies as a string. Binary bodies (a media type that is neither JSON nor text/*,
//     or one documented only by a range such as `*/*` or `image/*`, e.g. attachment downloads) are
//     not validated; their media type must then be a well-formed `type/subtype`;
//   * a response the spec documents without content (204, ...) must have no body;
//   * headers the response documents as `required` must be present and match their schema.
// Anything else fails, so a route or status the spec does not describe fails the test suite.
// Exit status: 0 all good, 1 a response does not match (or nothing was recorded), 2 usage/set-up error.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let Ajv2020, addFormats, YAML;
try {
  Ajv2020 = require('ajv/dist/2020').default;
  addFormats = require('ajv-formats').default;
  YAML = require('yaml');
} catch (e) {
  console.error(`check_responses: cannot load ajv/ajv-formats/yaml (${e.message}).\n` +
                'Run `npm ci` in the repository root (deploy/dev test does this).');
  process.exit(2);
}

const [specPath, ...inputs] = process.argv.slice(2);
if (!specPath || inputs.length === 0) {
  console.error('usage: check_responses.mjs <openapi.yaml> <file.jsonl | directory>...');
  process.exit(2);
}

const SPEC_ID = 'https://anliegen.invalid/openapi.json';
const spec = YAML.parse(fs.readFileSync(specPath, 'utf8'));
if (typeof spec.openapi !== 'string' || !spec.openapi.startsWith('3.1')) {
  console.error(`check_responses: ${specPath} is not OpenAPI 3.1`);
  process.exit(2);
}

// ---- schemas: the whole document is registered once; each schema is compiled by its JSON pointer ----
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
ajv.addFormat('float', { type: 'number', validate: () => true });
ajv.addFormat('double', { type: 'number', validate: () => true });
for (const k of ['example', 'discriminator', 'xml', 'externalDocs']) ajv.addKeyword(k);
ajv.addSchema({ ...spec, $id: SPEC_ID });

const escapePointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const validators = new Map();
function validatorAt(pointer) {
  if (!validators.has(pointer)) validators.set(pointer, ajv.compile({ $ref: `${SPEC_ID}#${pointer}` }));
  return validators.get(pointer);
}

function at(pointer) {
  let node = spec;
  for (const raw of pointer.split('/').slice(1)) {
    node = node?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

// Follows a local $ref (responses, headers, ...) and returns the object with its JSON pointer.
function deref(node, pointer) {
  for (let hops = 0; node && typeof node.$ref === 'string'; hops++) {
    if (!node.$ref.startsWith('#/') || hops > 20) throw new Error(`unsupported $ref ${node.$ref} at ${pointer}`);
    pointer = node.$ref.slice(1);
    node = at(pointer);
  }
  return { node, pointer };
}

// ---- paths ----
const routes = Object.keys(spec.paths ?? {}).map((template) => {
  const segments = template.split('/').slice(1);
  const literal = segments.filter((s) => !/^\{[^}]+\}$/.test(s)).length;
  const regex = new RegExp('^/' + segments.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
  return { template, regex, literal };
});
routes.sort((a, b) => b.literal - a.literal); // "/cases/mine" before "/cases/{id}"

function matchRoute(target) {
  const p = target.split('?')[0];
  return routes.find((r) => r.regex.test(p));
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// ---- checking one response ----
function mediaType(contentType) {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

function isJson(type) {
  return type === 'application/json' || type.endsWith('+json');
}

function isText(type) {
  return type.startsWith('text/');
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

function formatErrors(errors) {
  return (errors ?? []).slice(0, 8).map((e) => `      ${e.instancePath || '(body)'} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '')).join('\n');
}

function checkAgainst(rec, responseRef, label) {
  const problems = [];
  const { node: response, pointer } = deref(responseRef.node, responseRef.pointer);
  if (!response) return [`${label}: the response object at ${responseRef.pointer} does not resolve`];
  const headers = rec.headers ?? {};
  for (const [name, h] of Object.entries(response.headers ?? {})) {
    const { node: header, pointer: hp } = deref(h, `${pointer}/headers/${escapePointer(name)}`);
    const value = headers[name.toLowerCase()];
    if (value === undefined) {
      if (header?.required) problems.push(`${label}: required header ${name} is missing`);
      continue;
    }
    if (header?.schema) {
      const v = validatorAt(`${hp}/schema`);
      if (!v(value)) problems.push(`${label}: header ${name}: ${JSON.stringify(value)}\n${formatErrors(v.errors)}`);
    }
  }
  const content = response.content ?? {};
  const type = mediaType(rec.content_type);
  if (Object.keys(content).length === 0) {
    if (rec.method !== 'HEAD' && rec.body) problems.push(`${label}: the spec documents no body, got ${type || 'a body'}`);
    return problems;
  }
  const key = Object.keys(content).find((k) => k.toLowerCase() === type) ??
              Object.keys(content).find((k) => k.endsWith('/*') && type.startsWith(k.slice(0, -1))) ??
              (content['*/*'] ? '*/*' : undefined);
  if (!key) {
    problems.push(`${label}: content type '${rec.content_type}' is not documented (documented: ${Object.keys(content).join(', ')})`);
    return problems;
  }
  // A range (`*/*`, `image/*`) admits any type of it, but the response must still name a concrete one.
  const range = key.includes('*');
  if (range && !MEDIA_TYPE.test(type)) {
    problems.push(`${label}: content type '${rec.content_type}' is not a valid media type (documented: ${key})`);
    return problems;
  }
  if (rec.method === 'HEAD' || !content[key].schema) return problems;
  // Binary content: the recording holds it as (lossily decoded) text, so only its media type is checked.
  if (range || !(isJson(type) || isText(type))) return problems;
  let body = rec.body;
  if (isJson(type)) {
    try {
      body = JSON.parse(rec.body);
    } catch (e) {
      problems.push(`${label}: the body is not JSON (${e.message}): ${String(rec.body).slice(0, 200)}`);
      return problems;
    }
  }
  const v = validatorAt(`${pointer}/content/${escapePointer(key)}/schema`);
  if (!v(body)) {
    problems.push(`${label}: the body does not match the schema at ${pointer}/content/${key}\n` +
                  `${formatErrors(v.errors)}\n      body: ${String(rec.body).slice(0, 400)}`);
  }
  return problems;
}

// How the gateway answers a path no route matches, or a method a path does not support: by default
// 404 NotFound and 405 MethodNotAllowed; under a prefix listed in `x-error-responses`, as listed there.
function gatewayError(target, kind) {
  const defaults = { no_path: { status: 404, response: 'NotFound' },
                     no_method: { status: 405, response: 'MethodNotAllowed' } };
  const path = target.split('?')[0];
  for (const [prefix, rules] of Object.entries(spec['x-error-responses'] ?? {})) {
    if (path.startsWith(prefix) && rules[kind]) return rules[kind];
  }
  return defaults[kind];
}

function check(rec) {
  const label = `${rec.method} ${rec.target} → ${rec.status}`;
  const route = matchRoute(rec.target);
  if (!route) {
    const expected = gatewayError(rec.target, 'no_path');
    if (rec.status !== expected.status) {
      return { key: `(no path) ${rec.status}`, problems: [`${label}: no path of the spec matches ${rec.target}`] };
    }
    return { key: `(no path) ${rec.status}`,
             problems: checkAgainst(rec, { node: { $ref: `#/components/responses/${expected.response}` }, pointer: '' }, label) };
  }
  const item = spec.paths[route.template];
  const method = rec.method.toLowerCase();
  let op = METHODS.includes(method) ? item[method] : undefined;
  let opMethod = method;
  if (!op && method === 'head' && item.get) {
    op = item.get;
    opMethod = 'get';
  }
  const base = `/paths/${escapePointer(route.template)}/${opMethod}`;
  if (!op) {
    const key = `${rec.method} ${route.template} (not in spec) ${rec.status}`;
    const expected = gatewayError(rec.target, 'no_method');
    if (rec.status !== expected.status) return { key, problems: [`${label}: ${route.template} documents no ${rec.method}`] };
    return { key, problems: checkAgainst(rec, { node: { $ref: `#/components/responses/${expected.response}` }, pointer: '' }, label) };
  }
  const status = String(rec.status);
  const responses = op.responses ?? {};
  const code = [status, `${status[0]}XX`, 'default'].find((c) => responses[c] !== undefined);
  const key = `${opMethod.toUpperCase()} ${route.template} ${status}`;
  if (!code) {
    return { key, problems: [`${label}: status ${status} is not documented for ${opMethod.toUpperCase()} ${route.template} (documented: ${Object.keys(responses).join(', ')})`] };
  }
  return { key, problems: checkAgainst(rec, { node: responses[code], pointer: `${base}/responses/${escapePointer(code)}` }, label) };
}

// ---- reading the recordings ----
const files = [];
for (const input of inputs) {
  if (!fs.existsSync(input)) {
    console.error(`check_responses: ${input} does not exist (did the end-to-end tests run with ANLIEGEN_RECORD_RESPONSES?)`);
    process.exit(1);
  }
  if (fs.statSync(input).isDirectory()) {
    for (const f of fs.readdirSync(input).sort()) if (f.endsWith('.jsonl')) files.push(path.join(input, f));
  } else {
    files.push(input);
  }
}

let total = 0;
const failures = [];
const seen = new Map();
for (const file of files) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let rec;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      failures.push(`${path.basename(file)}:${i + 1}: not a JSON line (${e.message})`);
      return;
    }
    total++;
    let result;
    try {
      result = check(rec);
    } catch (e) {
      result = { key: '(error)', problems: [`${rec.method} ${rec.target}: ${e.message}`] };
    }
    seen.set(result.key, (seen.get(result.key) ?? 0) + 1);
    for (const p of result.problems) failures.push(`${path.basename(file)}:${i + 1}: ${p}`);
  });
}

console.log(`checked ${total} recorded responses from ${files.length} file(s) against ${specPath}`);
for (const [key, n] of [...seen.entries()].sort()) console.log(`  ${String(n).padStart(5)}  ${key}`);

// Documented operations/statuses no test exercised: information for whoever writes the next test.
const untested = [];
for (const [template, item] of Object.entries(spec.paths ?? {})) {
  for (const m of METHODS) {
    if (!item[m]) continue;
    for (const code of Object.keys(item[m].responses ?? {})) {
      if (!seen.has(`${m.toUpperCase()} ${template} ${code}`)) untested.push(`${m.toUpperCase()} ${template} ${code}`);
    }
  }
}
if (untested.length) console.log(`documented but not exercised by the tests: ${untested.join('; ')}`);

if (total === 0) {
  console.error('check_responses: no responses were recorded; the end-to-end tests must run first ' +
                'with ANLIEGEN_RECORD_RESPONSES set (ctest does this)');
  process.exit(1);
}
if (failures.length) {
  console.error(`\n${failures.length} response(s) do not match docs/api/openapi.yaml:`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log('all recorded responses match the spec');
