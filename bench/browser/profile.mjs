// Where kexi's time goes in Chromium: runs the benchmark page's kexi once under the DevTools
// sampling profiler and prints the functions with the most self time (wasm functions by name).
//
//   node bench/browser/profile.mjs [--rows 1000000] [--top 40] [--callers name,name] [--warm]
//
// --warm: kexi first reads the 10k workbook in the same page and the page idles 2 s (as in
// run.mjs --warm), so the profile shows optimised code rather than the baseline compiler's.
//
// Expects what run.mjs expects, and bench/out built by a run.mjs run.
import { chromium } from 'playwright-core';
import { serveBench } from './serve.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const rows = Number(arg('--rows', '1000000'));
const top = Number(arg('--top', '40'));
const { base, server } = await serveBench();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
const page = await browser.newPage();
await page.goto(base);
if (process.argv.includes('--warm')) {
  await page.evaluate(() => window.kexi('orders-10000.xlsx', true));
  await page.waitForTimeout(2000);
}
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
const result = await page.evaluate((n) => window.kexi(n), `orders-${rows}.xlsx`);
const { profile } = await cdp.send('Profiler.stop');
await browser.close();
server.close();

const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
let total = 0;
for (const [id, c] of counts) {
  const f = byId.get(id).callFrame;
  const name = f.functionName || `(${f.url.split('/').pop() || 'program'})`;
  self.set(name, (self.get(name) ?? 0) + c);
  total += c;
}
console.log(`kexi ${(result.ms / 1000).toFixed(2)} s; phases ${JSON.stringify(result.phases)}`);
for (const [name, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 140)}`);
}

// Who calls the functions named with --callers (comma-separated substrings), by sample count.
const wanted = arg('--callers', '').split(',').filter(Boolean);
if (wanted.length) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  for (const w of wanted) {
    const by = new Map();
    for (const [id, c] of counts) {
      const n = byId.get(id);
      if (!n.callFrame.functionName.includes(w)) continue;
      const p = byId.get(parent.get(id));
      const name = p?.callFrame.functionName || '(root)';
      by.set(name, (by.get(name) ?? 0) + c);
    }
    console.log(`\ncallers of ${w}:`);
    for (const [name, c] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
      console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 120)}`);
    }
  }
}
