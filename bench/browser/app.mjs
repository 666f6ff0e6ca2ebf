// The app itself, timed as a user meets it: the built page (www/dist, worker included) in headless
// Chromium, a generated order workbook chosen in the file picker 2 s after the page opened, and the
// time until the dashboard is shown with the charts on screen drawn; plus the longest main-thread
// stall meanwhile (a task the page could not answer input in, from the file's choice on). Run
// after `bash bench/browser/run` (which builds the page and generates the workbooks):
//   node bench/browser/app.mjs [--rows 100000,1000000] [--runs 3] [--dist DIR]
// (--dist: another build of the page, e.g. an older commit's www/dist, to compare in one hour.)
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { serveBench } from './serve.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const { chromium } = await import(here('../../www/node_modules/playwright-core/index.mjs'));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const rows = arg('--rows', '100000,1000000').split(',').map(Number);
const runs = Number(arg('--runs', '3'));

const dist = arg('--dist', null);
const { base, server } = await serveBench(dist ? `${resolve(dist)}/` : '../../www/dist/');

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log('| rows | choose file → dashboard (median) | runs | longest main-thread stall |');
console.log('|---|---|---|---|');
for (const n of rows) {
  const file = here(`../../target/bench-data/orders-${n}.xlsx`);
  if (!existsSync(file)) { console.log(`| ${n} | missing ${file}: run bash bench/browser/run first | | |`); continue; }
  const times = [];
  let stall = 0;
  for (let r = 0; r < runs; r++) {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    await page.goto(base);
    // The page starts its worker on load; nobody picks a file within two seconds of opening it,
    // and the page's warm-up (the workers, then the charts) is over by then, or waited for.
    await page.waitForTimeout(2000);
    // (A build older than the flag, given with --dist, has only the 2 s.)
    await page.waitForFunction(() => 'warmed' in document.documentElement.dataset, null, { timeout: 20_000 })
      .catch(() => {});
    // Tasks from here on: the page's own warm-up on load (one chart of each kind drawn off
    // screen, a task of about 0.3 s) happens before anyone could have chosen a file.
    await page.evaluate(() => {
      window.__stall = 0;
      const from = performance.now();
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (e.startTime >= from) window.__stall = Math.max(window.__stall, e.duration);
        }
      }).observe({ type: 'longtask', buffered: false });
    });
    const t0 = Date.now();
    await page.setInputFiles('#file', file);
    await page.waitForFunction(() => ['ok', 'error'].includes(document.querySelector('#status').className)
      && !document.body.classList.contains('busy'), null, { timeout: 300_000, polling: 50 });
    // Charts are drawn as they come into view: the dashboard is shown once those on screen are.
    await page.waitForFunction(() => [...document.querySelectorAll('#dashboard .chart')].every((c) => {
      const r = c.getBoundingClientRect();
      return r.bottom < 0 || r.top > innerHeight || c.querySelector('canvas');
    }), null, { timeout: 60_000, polling: 'raf' });
    times.push((Date.now() - t0) / 1000);
    const status = await page.textContent('#status');
    if ((await page.getAttribute('#status', 'class')) !== 'ok') throw new Error(`${n}: ${status}`);
    stall = Math.max(stall, await page.evaluate(() => window.__stall));
    await browser.close();
  }
  console.log(`| ${n.toLocaleString('en')} | ${median(times).toFixed(2)} s | ${times.map((t) => t.toFixed(2)).join(', ')} | ${stall.toFixed(0)} ms |`);
}
server.close();
