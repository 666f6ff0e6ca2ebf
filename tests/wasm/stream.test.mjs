// The page's two-worker read (www/src/stream.js) under Node: the reading side and the scanning
// side joined by a MessageChannel, as the page joins its two workers, so the messages, the streams
// in flight and the fallbacks run as in the browser (only in one thread).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel } from 'node:worker_threads';
import { open, serve } from '../../www/src/stream.js';

const pkg = new URL('../../www/pkg/', import.meta.url);
const kexi = await import(new URL('kexi.js', pkg));
kexi.initSync({ module: readFileSync(fileURLToPath(new URL('kexi_bg.wasm', pkg))) });

// Whether each stream ended in a session read from its pieces (not a fallback to the whole file).
const finished = [];
const finish = kexi.Reading.prototype.finish;
kexi.Reading.prototype.finish = function () {
  const session = finish.call(this);
  finished.push(session !== undefined);
  return session;
};

function linked() {
  const { port1, port2 } = new MessageChannel();
  serve(kexi, port2);
  return { port: port1, close: () => { port1.close(); port2.close(); } };
}

test('a workbook read through the scanning side analyses as when read whole', { timeout: 120000 }, async () => {
  const { port, close } = linked();
  try {
    // Large enough for many streams of 2 MiB of XML, and several ahead of the reader.
    const bytes = kexi.sample(60000);
    // And its compressed worksheet goes to the scanner in two pieces (the first 1 MiB, the rest).
    const probe = kexi.Reading.begin(bytes, {});
    assert.ok(probe.part()[1] > 1 << 20, `worksheet of ${probe.part()[1]} bytes`);
    probe.free();
    const whole = new kexi.Session(bytes, {}).analyze({});
    let rows = 0;
    finished.length = 0;
    const session = await open(kexi, bytes, {}, (p) => { rows = Math.max(rows, p.rows); }, port, true);
    assert.deepEqual(finished, [true]);
    const streamed = session.analyze({});
    assert.deepEqual(streamed.summary, whole.summary);
    assert.deepEqual(streamed.analyses.abc, whole.analyses.abc);
    assert.ok(rows > 50000, `progress reached row ${rows}`);
    // The same link serves the next file.
    const again = await open(kexi, kexi.sample(500), {}, undefined, port, true);
    assert.equal(again.analyze({}).summary.order_lines, new kexi.Session(kexi.sample(500), {}).analyze({}).summary.order_lines);
    assert.deepEqual(finished, [true, true]);
  } finally {
    close();
  }
});

test('a damaged worksheet is read whole and fails as it does whole', { timeout: 60000 }, async () => {
  const { port, close } = linked();
  try {
    const bytes = kexi.sample(3000);
    const reading = kexi.Reading.begin(bytes, {});
    const [offset, length] = reading.part();
    reading.free();
    const bad = bytes.slice();
    bad[offset + Math.floor(length / 2)] ^= 0x55;
    let whole;
    try { new kexi.Session(bad, {}); } catch (e) { whole = e; }
    finished.length = 0;
    await assert.rejects(open(kexi, bad, {}, undefined, port, true), (e) => {
      assert.equal(e.code, whole?.code ?? 'no error read whole');
      return true;
    });
    assert.deepEqual(finished, [], 'the scanner refused the damaged part');
    // Files the stream does not take (text, small files unless asked) are read whole.
    const csv = new TextEncoder().encode('客户名称,金额\n华东贸易,100\n北方机械,200\n');
    assert.equal((await open(kexi, csv, {}, undefined, port, true)).analyze({}).summary.customers, 2);
  } finally {
    close();
  }
});
