// Side-by-side browser benchmark: for each generated order workbook, SheetJS reading it
// and summing its cells against kexi reading and fully classifying it, in headless Debian Chromium,
// several runs each in a fresh browser; prints medians, the ratio and peak memory.
//
//   node bench/browser/run.mjs [--rows 10000,100000,1000000] [--runs 3] [--only kexi] [--warm]
//
// --warm: each tool first reads the 10k workbook in the same page and the page then idles 2 s,
// as the kexi page does on load, so both run optimised code (V8 starts wasm in its baseline
// compiler and JS in its interpreter); without it both start cold.
//
// Expects the workbooks under target/bench-data (bench/browser/run generates them) and the wasm
// in www/pkg (.ci/build-www).
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { serveBench } from './serve.mjs';
import { readFileSync, existsSync, statSync, mkdirSync, writeFileSync, readdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('--rows', '10000,100000,1000000').split(',').map(Number);
const runs = Number(arg('--runs', '3'));
const only = arg('--only', 'sheetjs,kexi').split(',');
const warm = process.argv.includes('--warm');
const data = here('../../target/bench-data/');

mkdirSync(here('../out'), { recursive: true });
await esbuild.build({
  entryPoints: [here('page.js')], bundle: true, format: 'iife', minify: true, outfile: here('../out/bench.js'),
  loader: { '.wasm': 'binary' }, logOverride: { 'empty-import-meta': 'silent' }, logLevel: 'warning',
});
// The scanning worker: the app's worker code, wasm inlined.
await esbuild.build({
  entryPoints: [here('../../www/src/worker.js')], bundle: true, format: 'iife', minify: true, outfile: here('../out/worker.js'),
  loader: { '.wasm': 'binary' }, logOverride: { 'empty-import-meta': 'silent' }, logLevel: 'warning',
});
writeFileSync(here('../out/index.html'), '<!doctype html><meta charset="utf-8"><title>kexi bench</title><script src="bench.js"></script>');

const { base, server } = await serveBench();

/** Peak resident memory (VmHWM) of the renderer processes under `pid`, in bytes. */
function rendererPeak(pid) {
  const children = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(p));
    } catch { /* gone */ }
  }
  let peak = 0;
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      try {
        const cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8');
        if (cmd.includes('--type=renderer')) {
          const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${c}/status`, 'utf8'));
          if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
        }
      } catch { /* gone */ }
      walk(c);
    }
  };
  walk(pid);
  return peak;
}

async function once(what, name) {
  // A browser server, so that its process id is known and its renderers' peak RSS can be read.
  const server = await chromium.launchServer({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--enable-precise-memory-info', '--js-flags=--max-old-space-size=8192'],
  });
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    const page = await browser.newPage();
    await page.goto(base);
    if (warm) {
      await page.evaluate(([w]) => window[w]('orders-10000.xlsx', true), [what]);
      await page.waitForTimeout(2000);
    }
    const result = await page.evaluate(([w, n]) => window[w](n), [what, name]);
    result.peak = rendererPeak(server.process().pid);
    await browser.close();
    return result;
  } finally {
    await server.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (x) => (x == null ? '—' : `${Math.round(x / 1e6)} MB`);
const s = (ms) => `${(ms / 1000).toFixed(2)} s`;

console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
  `${(await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }).then(async (b) => { const v = b.version(); await b.close(); return `Chromium ${v}`; }))}`);
console.log(`${runs} runs each, each in a fresh browser; medians${warm ? '; each tool warmed on the 10k workbook first' : ''}\n`);
console.log('| rows | file | SheetJS read + sum | kexi read + classify | ratio | SheetJS peak renderer RSS | kexi peak renderer RSS | kexi wasm memory |');
console.log('|---|---|---|---|---|---|---|---|');
for (const rows of sizes) {
  const name = `orders-${rows}.xlsx`;
  if (!existsSync(data + name)) { console.log(`| ${rows} | missing: run bench/browser/run | | | | | | |`); continue; }
  const sheet = [];
  const ours = [];
  for (let i = 0; i < runs; i++) {
    if (only.includes('sheetjs')) sheet.push(await once('sheetjs', name));
    if (only.includes('kexi')) ours.push(await once('kexi', name));
  }
  const a = sheet.length ? median(sheet.map((r) => r.ms)) : null;
  const b = ours.length ? median(ours.map((r) => r.ms)) : null;
  const time = (ms) => (ms == null ? '—' : s(ms));
  const peak = (rs, key) => (rs.length ? mb(median(rs.map((r) => r[key]))) : '—');
  console.log(`| ${rows.toLocaleString('en')} | ${(statSync(data + name).size / 1e6).toFixed(1)} MB | ${time(a)} | ${time(b)} | ` +
    `${a != null && b != null ? `${(a / b).toFixed(1)}×` : '—'} | ${peak(sheet, 'peak')} | ${peak(ours, 'peak')} | ${peak(ours, 'wasmBytes')} |`);
  if (sheet.length) console.error(`  ${name}: SheetJS ${sheet[0].cells} cells`);
  if (ours.length) {
    const check = ours[0];
    console.error(`  ${name}: kexi ${check.lines} order lines, ${check.customers} customers, ${check.ran} analyses ran; ` +
      `the scanning worker's wasm memory ${peak(ours, 'helperBytes')}`);
    const phase = (k) => s(median(ours.map((r) => r.phases[k])));
    console.error(`  ${name}: kexi read ${phase('read')}, table and customers ${phase('table')}, ` +
      `facts, analyses and the overview ${phase('analyses')}`);
  }
}
server.close();
