// Loads the wasm build the page uses (www/pkg) under Node and checks its small surface: a Session
// reads bytes once and analyses them with different options; errors come back as values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = new URL('../../www/pkg/', import.meta.url);
const { initSync, Session, analyze } = await import(new URL('kexi.js', pkg));
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
  assert.throws(() => analyze(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0]), {}), (e) => {
    assert.ok(e.code, 'has a code');
    assert.ok(e.message_zh.length > 0 && e.message_en.length > 0);
    return true;
  });
  assert.throws(() => analyze(csv, { no_such_option: 1 }), (e) => e.code === 'bad_option');
});
