// The worker: loads the wasm once, reads each file it is sent, and posts back the report or a
// clear error. A trap (a bug) ends this worker; the page then starts a fresh one.
import init, { Session } from './pkg/kexi.js';

const ready = init();
let session = null;

self.onmessage = async (event) => {
  const { id, type, bytes, options } = event.data;
  try {
    await ready;
    if (type === 'open') {
      session?.free();
      session = null;
      session = new Session(new Uint8Array(bytes), options ?? {});
    }
    if (!session) throw { code: 'no_file', message_zh: '尚未打开文件', message_en: 'No file open' };
    const report = session.analyze(options ?? {});
    self.postMessage({ id, ok: true, report });
  } catch (error) {
    const e = error && error.code ? error : { code: 'internal', message_zh: '内部错误：' + String(error), message_en: 'Internal error: ' + String(error) };
    self.postMessage({ id, ok: false, error: e });
  }
};
