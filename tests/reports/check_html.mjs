#!/usr/bin/env node
// Checks the weekly report's HTML page (written by the e2e test e2e.reports):
//   1. it is valid HTML (html-validate, recommended rules);
//   2. it renders: headless Chromium prints it to a PNG screenshot, kept as a test artifact.
//
//   node tests/reports/check_html.mjs <report.html> <screenshot.png>
//
// Fails (exit 1) on invalid HTML, when Chromium is missing or fails, or when the PNG is empty.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [htmlPath, pngPath] = process.argv.slice(2);
if (!htmlPath || !pngPath) {
  console.error('usage: check_html.mjs <report.html> <screenshot.png>');
  process.exit(2);
}
if (!fs.existsSync(htmlPath)) {
  console.error(`check_html: ${htmlPath} is missing (e2e.reports writes it)`);
  process.exit(1);
}

// ---- 1. valid HTML ----
const { HtmlValidate } = require('html-validate');
const validator = new HtmlValidate({ extends: ['html-validate:recommended'] });
const report = await validator.validateFile(htmlPath);
if (!report.valid) {
  for (const result of report.results) {
    for (const m of result.messages) console.error(`${htmlPath}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
  }
  process.exit(1);
}
console.log(`check_html: ${htmlPath} is valid HTML`);

// ---- 2. renders in headless Chromium ----
const browser = ['chromium', 'chromium-browser', 'google-chrome'].find(
  (b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);
if (!browser) {
  console.error('check_html: Chromium was not found (Debian package "chromium"; deploy/dev test installs it)');
  process.exit(1);
}
fs.mkdirSync(path.dirname(path.resolve(pngPath)), { recursive: true });
fs.rmSync(pngPath, { force: true });
const args = ['--headless', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-dev-shm-usage',
  '--window-size=794,1123', `--screenshot=${path.resolve(pngPath)}`, `file://${path.resolve(htmlPath)}`];
// Chromium refuses to run as root without --no-sandbox.
if (process.getuid && process.getuid() === 0) args.unshift('--no-sandbox');
const run = spawnSync(browser, args, { encoding: 'utf8', timeout: 120000,
  env: { ...process.env, HOME: process.env.HOME || '/tmp' } });
const png = fs.existsSync(pngPath) ? fs.readFileSync(pngPath) : Buffer.alloc(0);
const isPng = png.length > 8 && png.subarray(1, 4).toString('latin1') === 'PNG';
if (run.status !== 0 || !isPng) {
  console.error(`check_html: ${browser} failed (status ${run.status}${run.error ? ', ' + run.error.message : ''})`);
  console.error(run.stderr);
  process.exit(1);
}
console.log(`check_html: rendered ${pngPath} (${png.length} bytes)`);
