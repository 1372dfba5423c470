#!/usr/bin/env node
// Checks that deploy/config/ludwigshafen.example.json is the built-in demo configuration as one document:
// {"city_name": "Ludwigshafen am Rhein", "<name>": <config/demo/<name>.json>, ...}, the same assembly as
// config::builtin_city_config_json(). Run from the source directory; exit 1 with the differences.
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';

const example = 'deploy/config/ludwigshafen.example.json';
const expected = { city_name: 'Ludwigshafen am Rhein' };
for (const f of fs.readdirSync('config/demo').sort()) {
  if (f.endsWith('.json')) expected[path.basename(f, '.json')] = JSON.parse(fs.readFileSync(path.join('config/demo', f), 'utf8'));
}
const actual = JSON.parse(fs.readFileSync(example, 'utf8'));
try {
  assert.deepStrictEqual(actual, expected);
} catch (e) {
  console.error(`${example} differs from config/demo/*.json; rebuild it from those files.\n${e.message.slice(0, 4000)}`);
  process.exit(1);
}
console.log(`${example} matches config/demo/*.json (${Object.keys(expected).join(', ')})`);
