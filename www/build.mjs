// Builds the page into www/dist: index.html + app.js + style.css to serve, and kexi.html, the same
// page as one self-contained file that works opened from disk with the network off. The worker
// (with the wasm inlined) is bundled first and embedded in app.js as text, so neither build makes
// a single request after the page itself: the Content-Security-Policy says connect-src 'none'.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';

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

const policy = (script, style) => [
  "default-src 'none'", `script-src ${script} 'wasm-unsafe-eval'`, 'worker-src blob:', `style-src ${style}`,
  'img-src data: blob:', "connect-src 'none'", "font-src 'none'", "object-src 'none'", "media-src 'none'",
  "frame-src 'none'", "manifest-src 'none'", "base-uri 'none'", "form-action 'none'",
].join('; ');
const sha = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const fillPage = (csp, style, script) =>
  page.replace('%CSP%', csp).replace('%STYLE%', () => style).replace('%SCRIPT%', () => script);

writeFileSync(path('dist/app.js'), appCode);
writeFileSync(path('dist/style.css'), css);
writeFileSync(path('dist/index.html'), fillPage(policy("'self'", "'self'"),
  '<link rel="stylesheet" href="style.css">', '<script src="app.js"></script>'));
writeFileSync(path('dist/kexi.html'), fillPage(policy(sha(appCode), sha(css)),
  `<style>${css}</style>`, `<script>${appCode}</script>`));

const kib = (f) => `${(statSync(path(f)).size / 1024).toFixed(0)} KiB`;
console.log(`www/dist: index.html + app.js (${kib('dist/app.js')}) + style.css; single file kexi.html (${kib('dist/kexi.html')})`);
