// Builds the page into www/dist: index.html + app.js + style.css (+ kexi_writer.wasm) to serve, and
// kexi.html, the same page as one self-contained file that works opened from disk with the network
// off. The worker (with the analysing wasm inlined) is bundled first and embedded in app.js as
// text. The writers' wasm (the results workbook, the customer CSV, the templates) is only needed
// on the first export: the served page fetches it from its own origin then (connect-src 'self'),
// and kexi.html carries it inline as base64 in an element no browser runs (connect-src 'none').
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, statSync, copyFileSync } from 'node:fs';

const here = new URL('.', import.meta.url);
const path = (p) => new URL(p, here).pathname;
mkdirSync(path('dist'), { recursive: true });

const common = { bundle: true, format: 'iife', minify: true, write: false, target: 'es2022', legalComments: 'none', logLevel: 'warning',
  // wasm-bindgen's fallback wasm URL uses import.meta; the worker passes the bytes, so it never runs.
  logOverride: { 'empty-import-meta': 'silent' } };
const worker = await esbuild.build({ ...common, entryPoints: [path('src/worker.js')], loader: { '.wasm': 'binary' } });
const workerCode = worker.outputFiles[0].text;
const app = await esbuild.build({ ...common, entryPoints: [path('src/main.js')], define: { WORKER_SOURCE: JSON.stringify(workerCode) } });
// Inside an inline <script>, "</script" would end it; in a JS string "<\/script" is the same text.
const appCode = app.outputFiles[0].text.replaceAll('</script', '<\\/script');
const css = readFileSync(path('style.css'), 'utf8');
const page = readFileSync(path('index.html'), 'utf8');

const policy = (script, style, connect) => [
  "default-src 'none'", `script-src ${script} 'wasm-unsafe-eval'`, 'worker-src blob:', `style-src ${style}`,
  'img-src data: blob:', `connect-src ${connect}`, "font-src 'none'", "object-src 'none'", "media-src 'none'",
  "frame-src 'none'", "manifest-src 'none'", "base-uri 'none'", "form-action 'none'",
].join('; ');
const sha = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const fillPage = (csp, style, script, writer) => page.replace('%CSP%', csp).replace('%STYLE%', () => style)
  .replace('%WRITER%', () => writer).replace('%SCRIPT%', () => script);
const writer = readFileSync(path('pkg/kexi_writer_bg.wasm'));

writeFileSync(path('dist/app.js'), appCode);
writeFileSync(path('dist/style.css'), css);
copyFileSync(path('pkg/kexi_writer_bg.wasm'), path('dist/kexi_writer.wasm'));
writeFileSync(path('dist/index.html'), fillPage(policy("'self'", "'self'", "'self'"),
  '<link rel="stylesheet" href="style.css">', '<script src="app.js"></script>', ''));
writeFileSync(path('dist/kexi.html'), fillPage(policy(sha(appCode), sha(css), "'none'"),
  `<style>${css}</style>`, `<script>${appCode}</script>`,
  `<script type="application/octet-stream" id="kexi-writer">${writer.toString('base64')}</script>`));

const kib = (f) => `${(statSync(path(f)).size / 1024).toFixed(0)} KiB`;
console.log(`www/dist: index.html + app.js (${kib('dist/app.js')}) + style.css; single file kexi.html (${kib('dist/kexi.html')})`);
