// The page in headless Chromium (Debian's /usr/bin/chromium through playwright-core): a file goes
// in, the dashboard and the customer table come out, nothing goes out. Runs against www/dist as
// built by .ci/build-www, served from an in-process server, and the single file from disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, writeFileSync, existsSync, mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../www/dist/', import.meta.url));
const { chromium } = await import(new URL('../../www/node_modules/playwright-core/index.mjs', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'kexi-page-'));
// Screenshots of the dashboard and the customer table, kept for a look after the run.
const artifacts = fileURLToPath(new URL('../../target/www-screenshots/', import.meta.url));
const docs = fileURLToPath(new URL('../../docs/', import.meta.url));
mkdirSync(artifacts, { recursive: true });

let server;
let base;
let browser;

before(async () => {
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' };
  server = createServer((req, res) => {
    const name = new URL(req.url, 'http://x').pathname.replace(/^\/$/, '/index.html').slice(1);
    const file = join(dist, name);
    if (name.includes('..') || !existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/** An order list with a region, a script-like customer name and a formula-like one. */
/** An order list of 37 customers (every one in the first 37 lines) who buy at different rates,
 * a quarter of them only in January to March: customers buying like clockwork, one line each in
 * turn, give the CLV model nothing to tell them apart by, and it declines them. */
function orders(lines) {
  const rows = ['订单号,客户名称,所属区域,订单日期,金额'];
  for (let i = 0; i < lines; i++) {
    const c = i < 37 ? i : Math.floor(37 * ((i * 0.6180339887) % 1) ** 2);
    const name = c === 3 ? '客户<img src=x onerror=alert(1)>' : c === 5 ? '=HYPERLINK("http://x")' : `客户${c}`;
    const month = String(1 + (c % 4 === 1 ? i % 3 : i % 12)).padStart(2, '0');
    const day = String(1 + (i % 27)).padStart(2, '0');
    rows.push(`SO${i},"${name.replaceAll('"', '""')}",${['华东', '华南', '华北'][c % 3]},2024-${month}-${day},${100 + ((i * 37) % 900)}`);
  }
  const file = join(tmp, `orders-${lines}.csv`);
  writeFileSync(file, rows.join('\n'));
  return file;
}

/** The UCI Online Retail export's layout: lines priced per unit, a "C" invoice for a cancellation.
 * Customers visit 1–7 times, a third of them 9 days apart, the rest 53, so that their rates differ
 * enough for the CLV model to fit. */
function onlineRetail() {
  const rows = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  const items = [['85123A', 'WHITE HANGING HEART T-LIGHT HOLDER', 2.55], ['71053', 'WHITE METAL LANTERN', 3.39],
    ['84406B', 'CREAM CUPID HEARTS COAT HANGER', 2.75], ['22752', 'SET 7 BABUSHKA NESTING BOXES', 7.65], ['21730', 'GLASS STAR FROSTED T-LIGHT HOLDER', 4.25]];
  let invoice = 536365;
  for (let c = 0; c < 60; c++) {
    const visits = 1 + (c % 7);
    for (let v = 0; v < visits; v++) {
      const day = 1 + ((c * 7 + v * (c % 3 ? 53 : 9)) % 360);
      const d = new Date(Date.UTC(2010, 11, 1) + day * 86_400_000);
      const when = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${8 + (v % 9)}:${String(10 + c % 50).padStart(2, '0')}`;
      invoice += 1;
      for (let k = 0; k < 1 + ((c + v) % 3); k++) {
        const [code, name, price] = items[(c + v + k) % items.length];
        rows.push(`${invoice},${code},${name},${1 + ((c + k) % 6)},${when},${price},${12346 + c},${c % 4 ? 'United Kingdom' : 'France'}`);
      }
    }
    if (c % 10 === 0) rows.push(`C${invoice},${items[0][0]},${items[0][1]},-1,12/20/2011 10:00,${items[0][2]},${12346 + c},United Kingdom`);
  }
  return rows.join('\n');
}

/** A page that records every request and every page error. */
async function open(url) {
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 }, acceptDownloads: true });
  const requests = [];
  const errors = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(url);
  return { page, requests, errors };
}

// The status line is marked before the file goes in, so the wait cannot be satisfied by the
// previous file's outcome while this one is still being read.
async function drop(page, file) {
  await page.evaluate(() => { document.querySelector('#status').className = 'pending'; });
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => ['ok', 'error'].includes(document.querySelector('#status').className)
    && !document.body.classList.contains('busy'), null, { timeout: 60_000 });
}

const onlyLocal = (requests, origin) => requests.filter((u) => !(u.startsWith(origin) || u.startsWith('blob:') || u.startsWith('data:')));

test('a dropped order list gives the dashboard and the table; text stays text; nothing leaves', async () => {
  const { page, requests, errors } = await open(`${base}/`);
  assert.match(await page.textContent('.privacy'), /上传 0 字节/);
  await drop(page, orders(600));
  assert.match(await page.textContent('#status'), /37 位客户/);
  const kpis = await page.locator('.kpi strong').allTextContents();
  assert.equal(kpis[0], '37');
  for (const id of ['rfm', 'abc', 'value', 'lifecycle', 'distribution', 'customer_flow', 'clv'])
    assert.ok(await page.locator(`#a-${id}`).count(), `section ${id}`);
  // ABC is defined and named by the report: the trade's 10/20/70 split of customers by default.
  assert.match(await page.textContent('#a-abc .definition'), /前 10% 的客户为 A，其后 20% 为 B/);
  // Charts are drawn as they come into view; RFM's are on the first screen.
  await page.waitForFunction(() => document.querySelectorAll('#a-rfm canvas').length >= 2);
  assert.equal(await page.locator('#a-clv canvas').count(), 0, 'charts far below the view wait until scrolled to');
  // Scrolled through, every chart is drawn; the whole dashboard is kept as a screenshot.
  const charts = page.locator('#dashboard .chart');
  for (let i = 0; i < await charts.count(); i++) await charts.nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('#dashboard .chart')].every((c) => c.hasAttribute('data-drawn')));
  assert.ok((await page.locator('#a-clv canvas').count()) >= 1, 'CLV chart drawn once scrolled to');
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  // The first screen is README's picture: KEXI_DOCS_SCREENSHOT=1 writes it to docs/ (with a CJK
  // font installed, e.g. Debian's fonts-wqy-microhei, or the Chinese text shows as boxes).
  const first = process.env.KEXI_DOCS_SCREENSHOT ? join(docs, 'dashboard.png') : join(artifacts, 'first-screen.png');
  await page.screenshot({ path: first });

  await page.click('#tab-customers');
  await page.waitForSelector('.viewport .tr');
  assert.match(await page.textContent('.count'), /^37 \/ 37/);
  await page.screenshot({ path: join(artifacts, 'customers.png') });
  assert.match(await page.textContent('.thead'), /ABC（客户数 10\/20\/70）/);
  // The script-like name is shown as text and creates no element.
  await page.fill('.table-tools input', 'onerror');
  await page.waitForFunction(() => /^1 \//.test(document.querySelector('.count').textContent));
  assert.match(await page.textContent('.viewport .tr'), /<img src=x onerror=alert\(1\)>/);
  assert.equal(await page.locator('img').count(), 0);
  // A dimension filter narrows the view.
  await page.fill('.table-tools input', '');
  const region = page.locator('.filters select', { hasText: '区域' });
  await region.selectOption({ index: 1 });
  await page.waitForFunction(() => /^1[0-9] \/ 37/.test(document.querySelector('.count').textContent));

  assert.deepEqual(onlyLocal(requests, base), [], 'no request beyond the page itself');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a last year known to 15 March is compared with the same period, and the page says so', async () => {
  const { page, errors } = await open(`${base}/`);
  const file = join(tmp, 'same-period.csv');
  writeFileSync(file, ['客户编号,订单日期,销售额,所属区域', 'K1,2023-01-10,100,华东', 'K1,2023-03-16,1000,华东',
    'K2,2023-02-01,200,华北', 'K1,2024-02-01,300,华东', 'K2,2024-03-15,100,华北'].join('\n'));
  await drop(page, file);
  // Built when the page is idle: wait for the sections rather than for a screen.
  for (const id of ['distribution', 'performance', 'bcg']) {
    await page.waitForFunction((id) => document.querySelector(`#a-${id} .period`), id);
    assert.equal(await page.textContent(`#a-${id} .period`), '比较期间：2024年1月1日–3月15日 vs 2023年同期');
  }
  // 华东 100 → 300 over 1 January – 15 March: +200 %, not 1100 → 300.
  const east = await page.locator('#a-distribution tbody tr', { hasText: '华东' }).first().textContent();
  assert.match(east, /\+?200(\.0)?%/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a click on a chart filters the customer table', async () => {
  const { page } = await open(`${base}/`);
  await drop(page, orders(600));
  const treemap = page.locator('#a-rfm .chart').nth(1);
  await page.waitForFunction(() => document.querySelectorAll('#a-rfm .chart')[1]?.hasAttribute('data-drawn'));
  const box = await treemap.boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.6);
  await page.waitForFunction(() => document.querySelector('#tab-customers').getAttribute('aria-selected') === 'true');
  await page.waitForFunction(() => !/^37 \//.test(document.querySelector('.count').textContent));
  assert.match(await page.textContent('.count'), /^\d+ \/ 37/);
  await page.close();
});

test('a mapping correction re-analyses without re-reading, and is remembered', async () => {
  const { page } = await open(`${base}/`);
  const file = orders(300);
  await drop(page, file);
  await page.click('#tab-review');
  const amount = page.locator('#review select[aria-label*="金额"]');
  await amount.selectOption('ignore');
  await page.click('#review button:has-text("应用")');
  await page.waitForFunction(() => !document.body.classList.contains('busy'));
  await page.click('#tab-dashboard');
  assert.equal((await page.locator('.kpi strong').allTextContents())[1], '—', 'no sales once 金额 is ignored');
  // The same headers again: the correction is applied by itself.
  await drop(page, file);
  assert.equal((await page.locator('.kpi strong').allTextContents())[1], '—');
  await page.click('#tab-review');
  assert.match(await page.textContent('#review'), /已应用您上次/);
  await page.close();
});

test('an export without a customer column opens the review saying so; pointing at it counts them', async () => {
  const { page } = await open(`${base}/`);
  const file = join(tmp, 'no-customer.csv');
  writeFileSync(file, '订单编号,总金额,昵称,订单付款时间\n1,10,甲,2024-01-02 10:00:00\n2,20,乙,2024-01-03 10:00:00\n3,5,甲,2024-02-03 10:00:00\n');
  await drop(page, file);
  assert.equal(await page.getAttribute('#tab-review', 'aria-selected'), 'true');
  assert.match(await page.textContent('#no-customer'), /没有识别出客户列/);
  await page.locator('#review select[aria-label*="昵称"]').selectOption('customer_name');
  await page.click('#review button:has-text("应用")');
  await page.waitForFunction(() => !document.body.classList.contains('busy'));
  assert.equal(await page.locator('#no-customer').count(), 0);
  await page.click('#tab-dashboard');
  assert.equal((await page.locator('.kpi strong').allTextContents())[0], '2');
  await page.close();
});

test('an Online Retail export with no mapping shows RFM, ABC, CLV and cross-selling', async () => {
  const { page, errors } = await open(`${base}/`);
  const file = join(tmp, 'online-retail.csv');
  writeFileSync(file, onlineRetail());
  await drop(page, file);
  assert.equal(await page.getAttribute('#status', 'class'), 'ok');
  assert.equal((await page.locator('.kpi strong').allTextContents())[0], '60');
  for (const key of ['rfm', 'abc', 'clv', 'cross_sell']) {
    assert.equal(await page.locator(`#a-${key}`).count(), 1, key);
  }
  await page.click('#tab-review');
  assert.match(await page.textContent('#review'), /数量 × 单价/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an order dated after today is left out, and the review says so', async () => {
  const { page, errors } = await open(`${base}/`);
  const file = join(tmp, 'future.csv');
  writeFileSync(file, '客户编号,订单日期,销售额\nA,2024-05-01,100\nB,2024-06-01,200\nB,2099-01-01,300\n');
  await drop(page, file);
  assert.equal(await page.getAttribute('#status', 'class'), 'ok');
  await page.click('#tab-review');
  const review = await page.textContent('#review');
  assert.match(review, /订单日期晚于分析基准日/);
  assert.match(review, /1 行订单的日期晚于今天（\d{4}-\d{2}-\d{2}），最晚为 2099-01-01/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a bad file gives a clear message and the next file still works; cancel ends the work', async () => {
  const { page } = await open(`${base}/`);
  const junk = join(tmp, 'junk.xlsx');
  writeFileSync(junk, Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 1, 2, 3]));
  await drop(page, junk);
  assert.equal(await page.getAttribute('#status', 'class'), 'error');
  assert.ok((await page.textContent('#status')).length > 4);
  await drop(page, orders(100));
  assert.match(await page.textContent('#status'), /37 位客户/);

  await page.click('#new-file');
  await page.setInputFiles('#file', orders(400_000));
  await page.waitForSelector('#progress:not([hidden])');
  await page.click('#cancel');
  await page.waitForFunction(() => document.querySelector('#status').className === 'error');
  assert.match(await page.textContent('#status'), /已取消/);
  await drop(page, orders(100));
  assert.match(await page.textContent('#status'), /37 位客户/);
  await page.close();
});

// Workbooks of 1 MB and more are read on two workers (stream.js); cancel ends both mid-stream.
test('a large workbook read on two workers: cancel mid-read, and the next one, streamed too, reads right', { timeout: 180_000 }, async () => {
  const kexi = await import(new URL('../../www/pkg/kexi.js', import.meta.url));
  kexi.initSync({ module: readFileSync(new URL('../../www/pkg/kexi_bg.wasm', import.meta.url)) });
  const large = join(tmp, 'large.xlsx');
  writeFileSync(large, kexi.sample(300_000));
  const next = join(tmp, 'next.xlsx');
  const bytes = kexi.sample(40_000);
  assert.ok(bytes.length > 1 << 20, 'large enough to be streamed');
  writeFileSync(next, bytes);
  const session = new kexi.Session(bytes, {});
  const customers = session.analyze({}).summary.customers;
  session.free();

  const { page, errors } = await open(`${base}/`);
  await page.evaluate(() => { document.querySelector('#status').className = 'pending'; });
  await page.setInputFiles('#file', large);
  await page.waitForFunction(() => /[1-9]/.test(document.querySelector('#progress')?.textContent ?? ''));
  await page.click('#cancel');
  await page.waitForFunction(() => document.querySelector('#status').className === 'error');
  assert.match(await page.textContent('#status'), /已取消/);
  await drop(page, next);
  assert.equal(await page.getAttribute('#status', 'class'), 'ok');
  assert.match(await page.textContent('#status'), new RegExp(`${customers.toLocaleString('en-US')}|${customers} 位客户`));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the warm-up lays out the sample dashboard off screen and leaves nothing behind', async () => {
  const { page, errors } = await open(`${base}/`);
  // The rehearsal draws its charts one per idle moment; seen while under way (its first two
  // sections built, a chart drawn, no ids, which are the dashboard's), then gone.
  await page.waitForFunction(() => document.querySelector('.rehearsal canvas')
    && document.querySelectorAll('.rehearsal .figures').length === 2
    && !document.querySelector('.rehearsal [id]')
    && document.querySelector('.rehearsal').inert, null, { timeout: 20_000, polling: 10 });
  await page.waitForFunction(() => 'warmed' in document.documentElement.dataset, null, { timeout: 20_000 });
  assert.equal(await page.locator('.rehearsal, .chart.warmup').count(), 0);
  assert.equal(await page.locator('[id^="a-"]').count(), 0, 'no section left in the page');
  await drop(page, orders(300));
  await page.waitForFunction(() => document.querySelectorAll('#a-rfm canvas').length >= 2);
  assert.equal(await page.locator('#a-rfm').count(), 1);
  assert.deepEqual(errors, []);
  await page.close();
});

test('English by a switch', async () => {
  const { page } = await open(`${base}/`);
  await page.click('#lang');
  assert.match(await page.textContent('.privacy'), /0 bytes uploaded/);
  await drop(page, orders(100));
  assert.match(await page.textContent('#a-rfm h3'), /RFM segments/);
  await page.click('#lang');
  await page.close();
});

/** Three years of a shop's orders from personal buyers: gender, birth date, income and a
 * complaint text on some lines, busier in November and December. */
function shopOrders() {
  const rows = ['订单号,客户姓名,性别,出生日期,月收入,投诉内容,订单日期,金额'];
  let id = 0;
  for (let m = 0; m < 36; m++) {
    const year = 2022 + Math.floor(m / 12);
    const month = (m % 12) + 1;
    const lines = month >= 11 ? 12 : 6;
    for (let k = 0; k < lines; k++) {
      const c = (m * 7 + k * 3) % 40;
      const birth = `${1960 + c},${String(1 + (c % 12)).padStart(2, '0')},15`.replaceAll(',', '-');
      const complaint = (id % 9 === 0) ? '发货慢' : '';
      rows.push(`SO${id++},顾客${c},${c % 2 ? '男' : '女'},${birth},${3000 + c * 500},${complaint},${year}-${String(month).padStart(2, '0')}-${String(1 + (k % 27)).padStart(2, '0')},${100 + ((c * 37) % 400)}`);
    }
  }
  const file = join(tmp, 'shop-orders.csv');
  writeFileSync(file, rows.join('\n'));
  return file;
}

test('seasons with a forecast, people and feedback are drawn from a shop\'s orders', async () => {
  const { page, errors } = await open(`${base}/`);
  await drop(page, shopOrders());
  assert.match(await page.textContent('#status'), /40 位客户/);
  for (const id of ['seasons', 'people', 'feedback'])
    assert.ok(await page.locator(`#a-${id}`).count(), `section ${id}`);
  // Sections below the first screen are built after it; each has its charts once built.
  for (const id of ['seasons', 'people', 'feedback']) await page.locator(`#a-${id}`).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => ['seasons', 'people', 'feedback']
    .every((id) => document.querySelectorAll(`#a-${id} .chart`).length >= 1), null, { timeout: 30_000 });
  const charts = page.locator('#a-seasons .chart, #a-people .chart, #a-feedback .chart');
  for (let i = 0; i < await charts.count(); i++) await charts.nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('#a-seasons .chart, #a-people .chart, #a-feedback .chart')]
    .every((c) => c.hasAttribute('data-drawn')));
  assert.match(await page.textContent('#a-seasons'), /WAPE/);
  for (const id of ['seasons', 'people', 'feedback']) await page.locator(`#a-${id}`).screenshot({ path: join(artifacts, `${id}.png`) });
  assert.deepEqual(errors, []);
  await page.close();
});

test('the single-file build works opened from disk', async () => {
  const { page, requests, errors } = await open(`file://${join(dist, 'kexi.html')}`);
  await drop(page, orders(300));
  assert.match(await page.textContent('#status'), /37 位客户/);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:')), []);
  assert.deepEqual(errors, []);
  const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  // The writers' wasm comes from inside the file, not from a request.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
  const xlsx = readFileSync(await download.path());
  assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('blob:') && !u.startsWith('data:')), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the sample, the exports and the templates', async () => {
  const { page, requests, errors } = await open(`${base}/`);
  await page.click('#sample');
  await page.waitForSelector('#results:not([hidden])', { timeout: 60_000 });
  await page.waitForFunction(() => !document.body.classList.contains('busy'));
  assert.match(await page.textContent('#status'), /kexi-sample\.xlsx/);
  // Every analysis runs on the sample; none is listed as unable to run.
  for (const id of ['rfm', 'abc', 'value', 'lifecycle', 'alerts', 'distribution', 'customer_flow', 'performance', 'bcg',
    'clusters', 'pipeline', 'nps', 'csi', 'credit', 'cross_sell', 'clv'])
    assert.ok(await page.locator(`#a-${id}`).count(), `section ${id}`);

  const saved = async (click) => {
    const [download] = await Promise.all([page.waitForEvent('download'), click()]);
    return readFileSync(await download.path());
  };
  const xlsx = await saved(() => page.click('#export-xlsx'));
  assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
  assert.ok(xlsx.length > 50_000);
  const csv = (await saved(() => page.click('#export-csv'))).toString('utf8');
  assert.ok(csv.startsWith('\ufeff客户编号,客户名称'), csv.slice(0, 40));
  assert.ok(csv.split('\r\n').length > 1000);
  const png = await saved(() => page.locator('#a-rfm figcaption button', { hasText: 'PNG' }).first().click());
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  const svg = (await saved(() => page.locator('#a-rfm figcaption button', { hasText: 'SVG' }).first().click())).toString();
  assert.match(svg, /^<svg/);

  await page.click('#new-file');
  const template = await saved(() => page.click('#tpl-register'));
  assert.equal(template.subarray(0, 2).toString(), 'PK');
  assert.deepEqual(onlyLocal(requests, base), []);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a trap in the wasm ends that worker with a message, and a fresh worker takes the next file', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Make the wasm trap when a Session is created from a file of exactly 4321 bytes: the worker's
  // code is wrapped so that WebAssembly.Instance hands the glue a session_new that throws the
  // RuntimeError a real trap throws. Every worker gets the wrapper; only that file trips it.
  await page.addInitScript(() => {
    const wrap = `(() => {
      const Real = WebAssembly.Instance;
      WebAssembly.Instance = function (m, i) {
        const real = new Real(m, i);
        const exports = { ...real.exports };
        const f = exports.session_new;
        exports.session_new = (ptr, len, ...rest) => {
          if (len === 4321) throw new WebAssembly.RuntimeError('unreachable');
          return f(ptr, len, ...rest);
        };
        return { exports };
      };
    })();`;
    const RealBlob = window.Blob;
    window.Blob = function (parts, options) {
      const text = parts?.[0];
      return typeof text === 'string' && text.includes('session_new') ? new RealBlob([wrap, text], options) : new RealBlob(parts, options);
    };
  });
  await page.goto(`${base}/`);
  const trap = join(tmp, 'trap.csv');
  const body = Buffer.from(readFileSync(orders(200)).subarray(0, 4321));
  writeFileSync(trap, body);
  await drop(page, trap);
  assert.match(await page.textContent('#status'), /意外终止/);
  await drop(page, orders(100));
  assert.match(await page.textContent('#status'), /37 位客户/);
  assert.deepEqual(errors, []);
  await page.close();
});
