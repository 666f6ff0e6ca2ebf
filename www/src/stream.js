// Reading a workbook on two workers. The reading worker reads everything of an xlsx but its largest
// worksheet's cells (kexi.Reading), sends that worksheet's compressed bytes to the inflating
// worker, and reads the inflated pieces as they come back, while the inflater makes the next ones:
// inflating and scanning, the two halves of reading a worksheet, run on two cores. A file the
// stream does not take (another format, an odd xlsx) or a piece the inflater cannot make (a
// damaged entry) is read whole, the usual way, which gives the usual result or message.

// Compressed bytes per Inflate.input, inflated bytes per piece, and pieces the inflater makes ahead
// of the reader: the pieces' buffers go back and forth between the two workers, so besides the
// compressed worksheet, which the inflater holds, that much memory is all the stream holds,
// however large the sheet.
const IN = 1 << 18;
const OUT = 1 << 21;
const AHEAD = 4;
// Files smaller than this are read whole: below it, handing pieces between workers costs about
// what inflating on a second core saves.
const LARGE = 16 << 20;

let job = 0;
// Ends the stream under way, if any, as one to be read whole.
let abandon = null;
// The inflater trapped or its worker died: files are read whole from then on.
let gone = false;

/** On the reading worker: `bytes` (a Uint8Array) opened as a kexi.Session, its largest worksheet
 * inflated at the other end of `port` when there is one and the file is large (or `always`). */
export async function open(kexi, bytes, options, progress, port, always = false) {
  const stream = port && !gone && (always || bytes.length >= LARGE);
  const reading = stream ? kexi.Reading.begin(bytes, options, progress) : undefined;
  if (reading) {
    let fed;
    try {
      fed = await inflated(reading, bytes, port, progress);
    } catch (error) {
      try { reading.free(); } catch { /* after a trap the instance refuses; the error says why */ }
      throw error;
    }
    const session = fed ? reading.finish() : (reading.free(), undefined);
    if (session) return session;
  }
  return new kexi.Session(bytes, options, progress);
}

/** Sends the worksheet to the inflater and feeds the pieces back; resolves true when every piece was
 * read, false when the file is to be read whole. */
function inflated(reading, bytes, port, progress) {
  const part = reading.part();
  const raw = bytes.slice(part[0], part[0] + part[1]);
  const id = ++job;
  abandon?.();
  return new Promise((resolve, reject) => {
    abandon = () => { port.onmessage = null; resolve(false); };
    const stop = () => { port.onmessage = null; port.postMessage({ id, stop: true }); };
    port.onmessage = ({ data }) => {
      if (data.id !== id) return;
      if (!data.piece) {
        port.onmessage = null;
        if (data.broken) gone = true;
        resolve(data.done === true);
        return;
      }
      let ok;
      try {
        ok = reading.feed(new Uint8Array(data.piece, 0, data.length), progress);
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      if (ok) {
        port.postMessage({ id, buffer: data.piece }, [data.piece]);
      } else {
        stop();
        resolve(false);
      }
    };
    port.postMessage({ id, part, raw }, [raw.buffer]);
  });
}

/** On the reading worker: the inflater is gone (its worker died); a stream under way is read whole. */
export function unlink() {
  gone = true;
  abandon?.();
}

/** On the inflating worker: answers the reading worker at the other end of `port`. */
export function serve(kexi, port) {
  let current = null;
  let broken = false;
  const end = () => {
    try { current?.inflate.free(); } catch { /* a trapped instance */ }
    current = null;
  };
  const pump = () => {
    const c = current;
    try {
      if (broken) throw new Error('inflater trapped before');
      while (c.buffers.length > 0) {
        const buffer = c.buffers[c.buffers.length - 1];
        const length = c.inflate.next(new Uint8Array(buffer));
        if (length > 0) {
          c.buffers.pop();
          port.postMessage({ id: c.id, piece: buffer, length }, [buffer]);
        } else if (c.at < c.raw.length) {
          c.inflate.input(c.raw.subarray(c.at, c.at + IN));
          c.at += IN;
        } else {
          c.inflate.finish();
          port.postMessage({ id: c.id, done: true });
          end();
          return;
        }
      }
    } catch (error) {
      // A damaged entry throws a KexiError; anything else is a trap, after which this instance is
      // not used again. Either way the reader reads the file whole.
      if (!error?.code) broken = true;
      port.postMessage({ id: c.id, failed: true, broken });
      end();
    }
  };
  port.onmessage = ({ data }) => {
    if (data.part) {
      end();
      try {
        const buffers = Array.from({ length: AHEAD }, () => new ArrayBuffer(OUT));
        current = { id: data.id, inflate: new kexi.Inflate(data.part), raw: data.raw, at: 0, buffers };
      } catch {
        port.postMessage({ id: data.id, failed: true, broken });
        return;
      }
      pump();
    } else if (current && data.id === current.id) {
      if (data.stop) {
        end();
      } else {
        current.buffers.push(data.buffer);
        pump();
      }
    }
  };
}
