// Loads the wasm build the page uses (www/pkg) under Node and checks its small surface: a Session
// reads bytes once and analyses them with different options; errors come back as values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = new URL('../../www/pkg/', import.meta.url);
const { initSync, Session, Reading, Scan, sample, predict } = await import(new URL('kexi.js', pkg));
initSync({ module: readFileSync(fileURLToPath(new URL('kexi_bg.wasm', pkg))) });

const csv = new TextEncoder().encode(
  '2024年客户订单\n订单号,客户名称,订单日期,金额\nSO1,华东贸易,2024-03-05,"¥1,200.00"\nSO2,华东贸易,2024年4月1日,1.2万\nSO3,北方机械,2024/5/6,300\n合计,,,13500\n',
);

test('a session reads once and analyses with any mapping', () => {
  const session = new Session(csv, {});
  const report = session.analyze({});
  assert.equal(report.summary.customers, 2);
  assert.equal(report.summary.order_lines, 3);
  assert.equal(report.summary.total_amount, 13500);
  assert.equal(report.quality.rows_skipped.total.count, 1);
  const remapped = session.analyze({ mapping: { '金额': 'ignore' } });
  assert.equal(remapped.summary.total_amount, null);
  session.free();
});

test('errors are values with both languages', () => {
  assert.throws(() => new Session(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), {}), (e) => {
    assert.ok(e.code, 'has a code');
    assert.ok(e.message_zh.length > 0 && e.message_en.length > 0);
    return true;
  });
  assert.throws(() => new Session(csv, { no_such_option: 1 }), (e) => e.code === 'bad_option');
  assert.throws(() => new Session(csv, {}).analyze({ rfm: { no_such_option: 1 } }), (e) => e.code === 'bad_option');
});

// Regression: rows were told apart by a hash that is 32-bit on wasm32, so a few hundred thousand
// distinct lines gave a dozen false "duplicates" (131 lines of a million were dropped in the page,
// none natively). Rows now have a 64-bit digest and a match is checked cell by cell.
test('no distinct line is taken for a duplicate', () => {
  const n = 300_000;
  const lines = ['订单号,客户名称,订单日期,金额'];
  for (let i = 0; i < n; i++) {
    lines.push(`SO${i},客户${i % 7919},2024-${1 + (i % 12)}-${1 + (i % 28)},${(i * 37) % 10007}`);
  }
  lines.push('SO5,客户5,2024-6-6,185'); // an exact copy of line SO5
  const report = new Session(new TextEncoder().encode(lines.join('\n')), {}).analyze({});
  assert.equal(report.summary.order_lines, n);
  assert.equal(report.quality.rows_skipped.duplicate.count, 1);
});

// The page's two-worker read (www/src/stream.js), here in one thread: the largest worksheet's
// compressed bytes inflated and scanned by Scan in pieces, and the cell streams fed to a Reading,
// give the same analysis as reading the file whole; a stream the reader cannot use says so.
test('a workbook read from cell streams analyses the same', () => {
  const bytes = sample(2000);
  const whole = new Session(bytes, {}).analyze({});
  const reading = Reading.begin(bytes, {});
  const part = reading.part();
  assert.equal(part.length, 5);
  const scan = new Scan(part, reading.spec());
  const raw = bytes.subarray(part[0], part[0] + part[1]);
  // Cells before the rest of the file is read are refused.
  const early = Reading.begin(bytes, {});
  scan.input(raw.subarray(0, 5000));
  const first = scan.next();
  assert.equal(early.feed(first), false, 'cells before load');
  early.free();
  assert.equal(reading.load(bytes), true);
  assert.equal(reading.feed(first), true);
  let streams = 0;
  for (let at = 5000; at < raw.length; at += 5000) {
    scan.input(raw.subarray(at, at + 5000));
    for (let s; (s = scan.next()); streams++) assert.equal(reading.feed(s), true);
  }
  assert.equal(reading.feed(scan.finish()), true);
  assert.ok(streams > 5, `${streams} streams`);
  assert.equal(reading.feed(Uint8Array.of(1, 2, 3)), false, 'a damaged stream');
  const streamed = reading.finish().analyze({});
  assert.deepEqual(streamed.summary, whole.summary);
  assert.deepEqual(streamed.analyses.rfm, whole.analyses.rfm);
  assert.equal(Reading.begin(csv, {}), undefined);
});

// The page hands the CLV models to its other worker (stream.js): `analyze` gives the job to
// `offload` and returns nothing, `predict` answers it, `complete` ends the analysis. Whatever the
// answer (none, or a damaged one, scored here instead), the overview is the one analysed at once.
test('the CLV models scored elsewhere give the same overview', () => {
  const session = new Session(sample(3000), {});
  const whole = session.analyze({});
  assert.ok(whole.analyses.clv, 'the sample has CLV');
  const jobs = [];
  const offload = (job) => { assert.ok(job instanceof Float64Array); jobs.push(job); };
  for (const answer of [(job) => predict(job), () => undefined, (job) => predict(job).subarray(1)]) {
    assert.equal(session.analyze({}, undefined, offload), undefined);
    assert.deepEqual(session.complete(answer(jobs.at(-1))), whole);
  }
  assert.equal(jobs.length, 3);
  assert.throws(() => session.complete(undefined), (e) => e.code === 'bad_option');
  assert.throws(() => predict(new Float64Array([1, 2, 3])), (e) => e.code === 'bad_option');
  // Without order dates CLV cannot run: the analysis ends at once.
  const csvSession = new Session(csv, {});
  assert.ok(csvSession.analyze({ mapping: { '订单日期': 'ignore' } }, undefined, offload).summary);
  assert.equal(jobs.length, 3);
  session.free();
  csvSession.free();
});
