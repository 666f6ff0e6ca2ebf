// The page's side of the worker: one request at a time per id, progress events, cancel (which
// ends the worker) and recovery (a fresh worker after a crash). The worker's code, the analysing
// wasm included, is built into this bundle as text and started from a blob: URL, so opening a
// file needs no fetch and the same code runs served or opened from disk. The writers' wasm comes
// on the first export (`writerBytes`).
/* global WORKER_SOURCE */

let worker = null;
// A second instance of the worker that inflates and scans worksheets for the first (stream.js).
let helper = null;
let workerUrl = null;
let nextId = 1;
const pending = new Map();
let onCrash = () => {};

function start() {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  worker = new Worker(workerUrl);
  helper = new Worker(workerUrl);
  const link = new MessageChannel();
  helper.postMessage({ type: 'link', scan: true, port: link.port2 }, [link.port2]);
  worker.postMessage({ type: 'link', port: link.port1 }, [link.port1]);
  // A helper that dies takes no file with it: the worker reads files whole from then on.
  helper.onerror = (event) => {
    event.preventDefault();
    worker?.postMessage({ type: 'unlink' });
  };
  worker.onmessage = (event) => {
    const { id, ok, value, error, progress, fatal } = event.data;
    const p = pending.get(id);
    if (!p) return;
    if (progress) {
      p.onProgress?.(progress);
      return;
    }
    pending.delete(id);
    if (ok) p.resolve(value);
    else p.reject(error);
    if (fatal) restart();
  };
  worker.onerror = (event) => {
    event.preventDefault();
    restart();
  };
}

function restart() {
  const error = { code: 'crashed' };
  for (const p of pending.values()) p.reject(error);
  pending.clear();
  worker?.terminate();
  helper?.terminate();
  start();
  onCrash();
}

/** Sends a request; resolves with the worker's value or rejects with a KexiError value. */
export function call(type, args = {}, { transfer = [], onProgress } = {}) {
  if (!worker) start();
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject, onProgress });
    worker.postMessage({ id, type, ...args }, transfer);
  });
}

/** Ends whatever the worker is doing (and the open file); the next call gets a fresh worker. */
export function cancel() {
  const error = { code: 'cancelled' };
  for (const p of pending.values()) p.reject(error);
  pending.clear();
  worker?.terminate();
  helper?.terminate();
  worker = null;
  helper = null;
}

export function whenCrashed(f) { onCrash = f; }

let writer = null;

/** The writers' wasm (results workbook, customer CSV, templates): inline in the single-file page,
 * else fetched once from beside the page. Every export request carries it; the worker compiles it
 * on the first (a fresh worker after a crash would not have it). */
export function writerBytes() {
  writer ??= (async () => {
    const inline = document.getElementById('kexi-writer');
    if (inline) return Uint8Array.from(atob(inline.textContent.trim()), (c) => c.charCodeAt(0));
    const response = await fetch('kexi_writer.wasm');
    if (!response.ok) throw new Error(`kexi_writer.wasm: ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  })().catch(() => {
    writer = null;
    throw { code: 'no_writer', message_zh: '无法载入导出模块，请刷新页面再试', message_en: 'Could not load the export module; reload the page and try again' };
  });
  return writer;
}
