// The worker: owns the wasm and the one open Session. The page sends it a file's bytes
// (transferred, not copied) and small requests; it answers with overviews, pages of customer rows
// and export bytes, one request at a time, in order. A trap in the wasm (a bug) is reported as
// fatal and the worker closes; the page then starts a fresh one. The page starts a second instance
// of this worker beside it and links the two by a message port: that one only inflates and scans
// worksheets and fits the CLV models for this one (stream.js), and a trap there only makes this
// one read files whole and fit the models itself.
import * as kexi from '../pkg/kexi.js';
import wasm from '../pkg/kexi_bg.wasm';
import * as writers from '../pkg/kexi_writer.js';
import { analyze, open, serve, unlink } from './stream.js';

const instance = kexi.initSync({ module: wasm });
let session = null;
// The port to the scanning worker.
let scanner = null;

const handlers = {
  async open({ bytes, options }, progress) {
    session?.free();
    session = null;
    session = await open(kexi, new Uint8Array(bytes), options ?? {}, progress, scanner);
    return session.sheets();
  },
  analyze({ options }, progress) { return analyze(need(), options ?? {}, progress, scanner); },
  view({ query, sort, descending }) { return need().view(query ?? {}, sort ?? undefined, !!descending); },
  rows({ start, end }) { return need().rows(start, end); },
  customers({ indexes }) { return need().customers(Uint32Array.from(indexes)); },
  facets({ limit }) { return need().facets(limit ?? 50); },
  vocabulary() { return kexi.vocabulary(); },
  // The size of this instance's memory (it only grows), for the benchmarks.
  memory() { return instance.memory.buffer.byteLength; },
  // A small generated workbook through every step, while the user is still choosing a file:
  // the engine first runs wasm through its baseline compiler and optimises the code that turns
  // out hot, so the user's own file then runs optimised code from its first row.
  // The sample goes the way a file goes, so the scanning worker's code is warmed too. It is
  // analysed twice: the engine optimises a function once it has run enough, and the optimised
  // code serves only its later calls; many functions run once an analysis, and on a 3,000-row
  // sample one analysis is probably not always enough (measured in docs/performance.md).
  // Answers the vocabulary, and the sample's overview when asked (the page lays it out off screen).
  async warm({ rows, overview: wanted }) {
    const warmup = await open(kexi, kexi.sample(rows ?? 3000), {}, undefined, scanner, true);
    let overview;
    try {
      for (let i = 0; i < 2; i++) overview = await analyze(warmup, {}, undefined, scanner);
    } finally { warmup.free(); }
    return { vocabulary: kexi.vocabulary(), overview: wanted ? overview : undefined };
  },
  // The exports are written by the writers' wasm from the report's JSON text.
  export_xlsx({ lang, writer }) { return writing(writer).workbook(need().report_json(), lang); },
  export_csv({ lang, writer }) { return writing(writer).customers_csv(need().report_json(), lang); },
  table_csv({ header, rows }) { return kexi.table_csv(header, rows); },
  template({ kind, writer }) { return writing(writer).template(kind); },
  sample({ rows }) { return kexi.sample(rows ?? 20000); },
};

let writerReady = false;

/** The writers' wasm, compiled from `bytes` (sent by the page) the first time. */
function writing(bytes) {
  if (!writerReady) {
    writers.initSync({ module: bytes });
    writerReady = true;
  }
  return writers;
}

function need() {
  if (!session) throw { code: 'no_file', message_zh: '尚未打开文件', message_en: 'No file open' };
  return session;
}

// Requests wait for the one before (an open waits for its streams in between); the link to the
// scanning worker is set up, or taken down, at once.
let queue = Promise.resolve();

self.onmessage = (event) => {
  const { type, ...args } = event.data;
  if (type === 'link') {
    if (args.scan) serve(kexi, args.port);
    else scanner = args.port;
  } else if (type === 'unlink') {
    unlink();
  } else {
    queue = queue.then(() => handle(event.data));
  }
};

async function handle({ id, type, ...args }) {
  const progress = (p) => self.postMessage({ id, progress: p });
  try {
    const handler = handlers[type];
    if (!handler) throw { code: 'internal', message_zh: `未知请求 ${type}`, message_en: `Unknown request ${type}` };
    const value = await handler(args, progress);
    const transfer = value instanceof Uint8Array ? [value.buffer] : [];
    self.postMessage({ id, ok: true, value }, transfer);
  } catch (error) {
    if (error && error.code) {
      self.postMessage({ id, ok: false, error });
    } else {
      // Not an error value from the core: a trap or a JS bug. This instance cannot be trusted now.
      self.postMessage({ id, ok: false, fatal: true, error: { code: 'crashed', message_zh: String(error), message_en: String(error) } });
      self.close();
    }
  }
}
