// The benchmark page: the same bytes read by SheetJS (dense mode, every cell summed) and by kexi's
// wasm (read and fully classified), each timed on the page's main thread; kexi's worksheet is
// inflated and scanned by a second worker running the app's own worker code, as in the app
// (www/src/stream.js).
// The harness runs each in a fresh browser so that each run's peak memory is its own.
import * as XLSX from 'xlsx';
import * as kexi from '../../www/pkg/kexi.js';
import wasmBytes from '../../www/pkg/kexi_bg.wasm';
import { analyze, open } from '../../www/src/stream.js';

let scanner = null;
let helper = null;
function link() {
  if (scanner) return scanner;
  helper = new Worker('worker.js');
  const channel = new MessageChannel();
  helper.postMessage({ type: 'link', scan: true, port: channel.port2 }, [channel.port2]);
  scanner = channel.port1;
  return scanner;
}

async function bytesOf(name) {
  const res = await fetch(`/data/${encodeURIComponent(name)}`);
  return new Uint8Array(await res.arrayBuffer());
}

window.sheetjs = async (name) => {
  const bytes = await bytesOf(name);
  const t0 = performance.now();
  const wb = XLSX.read(bytes, { type: 'array', dense: true, cellDates: true });
  let cells = 0;
  let sum = 0;
  for (const sheetName of wb.SheetNames) {
    const ws = wb.Sheets[sheetName];
    const rows = ws['!data'] ?? (Array.isArray(ws) ? ws : []);
    for (const row of rows) {
      if (!row) continue;
      for (const cell of row) {
        if (!cell) continue;
        cells += 1;
        if (typeof cell.v === 'number') sum += cell.v;
      }
    }
  }
  const ms = performance.now() - t0;
  return { ms, cells, sum, heap: performance.memory?.usedJSHeapSize ?? null };
};

// `warmup`: the read that warms the page goes through the scanning worker whatever the size, as
// the app's warm-up does, so that worker's code is warm too.
window.kexi = async (name, warmup = false) => {
  const bytes = await bytesOf(name);
  const wasm = kexi.initSync({ module: wasmBytes });
  const port = link();
  const t0 = performance.now();
  const session = await open(kexi, bytes, {}, undefined, port, warmup);
  const t1 = performance.now();
  // The first progress event of each phase marks where the one before it ended.
  const marks = {};
  const overview = await analyze(session, {}, (p) => { marks[p.phase] ??= performance.now(); }, port);
  const t2 = performance.now();
  const ms = t2 - t0;
  const phases = {
    read: t1 - t0,
    table: (marks.analysing ?? t2) - t1,
    analyses: t2 - (marks.analysing ?? t2),
  };
  const ran = overview.summary.analyses.filter((a) => a.ran).length;
  const helperBytes = await new Promise((resolve) => {
    helper.onmessage = ({ data }) => resolve(data.value);
    helper.postMessage({ id: 1, type: 'memory' });
  });
  return {
    ms, phases, customers: overview.summary.customers, lines: overview.summary.order_lines, ran,
    wasmBytes: wasm.memory.buffer.byteLength, helperBytes, heap: performance.memory?.usedJSHeapSize ?? null,
  };
};
