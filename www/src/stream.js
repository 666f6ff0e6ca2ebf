// Reading a workbook on two workers. The reading worker finds an xlsx's largest worksheet
// (kexi.Reading) and sends its compressed bytes to the scanning worker, which inflates them and
// scans the XML into streams of cells (kexi.Scan); meanwhile the reading worker reads the rest of
// the file (the shared strings, the other sheets), then stores each stream's cells and builds the
// table as rows complete, while the scanner makes the next streams: the two halves of reading a
// worksheet, and building its table, run on two cores. A file the stream does not take (another
// format, an odd xlsx) or a worksheet the scanner gives up on (a damaged entry, XML the fast
// reader leaves to calamine) is read whole, the usual way, which gives the usual result or
// message. Each analysis then hands the scanning worker the CLV models to fit and score
// (kexi.predict) while the reading worker runs the other analyses; without an answer, the
// reading worker scores them itself.

// Compressed bytes per Scan.input, and streams the scanner makes ahead of the reader: enough to
// keep the scanner busy while the reader loads the shared strings and the rest of the file
// (measured in docs/performance.md). Besides the compressed worksheet, which the scanner holds,
// that many streams (each the cells of 2 MiB of XML, about 0.4 MiB) are all the stream holds,
// however large the sheet.
const IN = 1 << 18;
const AHEAD = 32;
// The compressed worksheet goes to the scanner in two pieces: its first 1 MiB at once, so the
// scanner starts without waiting for the reading worker to copy out the rest, a copy which then
// overlaps the scanner's first few streams.
const FIRST = 1 << 20;
// Files smaller than this are read whole: below it, handing streams between workers costs about
// what a second core saves (measured in docs/performance.md).
const LARGE = 1 << 20;

let job = 0;
// Ends the stream under way, if any, as one to be read whole.
let abandon = null;
// The scanner trapped or its worker died: files are read whole from then on.
let gone = false;

/** On the reading worker: `bytes` (a Uint8Array) opened as a kexi.Session, its largest worksheet
 * inflated and scanned at the other end of `port` when there is one and the file is large (or
 * `always`). */
export async function open(kexi, bytes, options, progress, port, always = false) {
  const stream = port && !gone && (always || bytes.length >= LARGE);
  const reading = stream ? kexi.Reading.begin(bytes, options, progress) : undefined;
  if (reading) {
    let fed;
    try {
      fed = await scanned(reading, bytes, port, progress);
    } catch (error) {
      try { reading.free(); } catch { /* after a trap the instance refuses; the error says why */ }
      throw error;
    }
    const session = fed ? reading.finish() : (reading.free(), undefined);
    if (session) return session;
  }
  return new kexi.Session(bytes, options, progress);
}

/** Sends the worksheet to the scanner and feeds the cell streams back; resolves true when every
 * stream was read, false when the file is to be read whole. */
function scanned(reading, bytes, port, progress) {
  const part = reading.part();
  const spec = reading.spec();
  const [start, end] = [part[0], part[0] + part[1]];
  const id = ++job;
  abandon?.();
  return new Promise((resolve, reject) => {
    abandon = () => { port.onmessage = null; resolve(false); };
    const stop = () => { port.onmessage = null; port.postMessage({ id, stop: true }); };
    port.onmessage = ({ data }) => {
      if (data.id !== id) return;
      if (!data.stream) {
        port.onmessage = null;
        if (data.broken) gone = true;
        resolve(data.done === true);
        return;
      }
      let ok;
      try {
        ok = reading.feed(new Uint8Array(data.stream), progress);
      } catch (error) {
        stop();
        reject(error);
        return;
      }
      if (ok) {
        port.postMessage({ id, ack: true });
      } else {
        stop();
        resolve(false);
      }
    };
    const raw = bytes.slice(start, Math.min(end, start + FIRST));
    port.postMessage({ id, part, spec, raw }, [raw.buffer, spec.buffer]);
    if (end > start + FIRST) {
      const rest = bytes.slice(start + FIRST, end);
      port.postMessage({ id, rest }, [rest.buffer]);
    }
    let loaded;
    try {
      loaded = reading.load(bytes, progress);
    } catch (error) {
      stop();
      reject(error);
      return;
    }
    if (!loaded) {
      stop();
      resolve(false);
    }
  });
}

/** On the reading worker: analyses `session` (a kexi.Session) with `options`; the CLV models are
 * fitted and scored at the other end of `port`, when there is one, while the other analyses run
 * here. Resolves with the overview. */
export async function analyze(session, options, progress, port) {
  if (!port || gone) return session.analyze(options, progress);
  const id = ++job;
  abandon?.();
  let answer;
  const overview = session.analyze(options, progress, (numbers) => {
    answer = new Promise((resolve) => {
      abandon = () => { port.onmessage = null; resolve(undefined); };
      port.onmessage = ({ data }) => {
        if (data.id !== id) return;
        port.onmessage = null;
        abandon = null;
        if (data.broken) gone = true;
        resolve(data.answer ? new Float64Array(data.answer) : undefined);
      };
    });
    port.postMessage({ id, job: numbers.buffer }, [numbers.buffer]);
  });
  // `undefined`: the job went to the scanner, and the analysis ends with its answer (or, if
  // there is none, with the job scored here).
  return overview === undefined ? session.complete(await answer) : overview;
}

/** On the reading worker: the scanner is gone (its worker died); a stream under way is read whole. */
export function unlink() {
  gone = true;
  abandon?.();
}

/** On the scanning worker: answers the reading worker at the other end of `port`. */
export function serve(kexi, port) {
  let current = null;
  let broken = false;
  const end = () => {
    try { current?.scan.free(); } catch { /* a trapped instance */ }
    current = null;
  };
  const send = (c, stream) => {
    c.credit -= 1;
    port.postMessage({ id: c.id, stream: stream.buffer }, [stream.buffer]);
  };
  const pump = () => {
    const c = current;
    try {
      if (broken) throw new Error('scanner trapped before');
      while (c.credit > 0) {
        const stream = c.scan.next();
        if (stream) {
          send(c, stream);
        } else if (c.at < c.raw.length) {
          c.scan.input(c.raw.subarray(c.at, c.at + IN));
          c.at += IN;
        } else if (c.rest) {
          [c.raw, c.rest, c.at] = [c.rest, null, 0];
        } else if (c.more) {
          return; // the rest of the worksheet is on its way
        } else {
          send(c, c.scan.finish());
          port.postMessage({ id: c.id, done: true });
          end();
          return;
        }
      }
    } catch (error) {
      // A damaged entry, or a worksheet to be read whole, throws a KexiError; anything else is a
      // trap, after which this instance is not used again. Either way the reader reads the file
      // whole.
      if (!error?.code) broken = true;
      port.postMessage({ id: c.id, failed: true, broken });
      end();
    }
  };
  port.onmessage = ({ data }) => {
    if (data.job) {
      let answer;
      try {
        if (broken) throw new Error('scanner trapped before');
        answer = kexi.predict(new Float64Array(data.job));
      } catch (error) {
        if (!error?.code) broken = true;
        port.postMessage({ id: data.id, failed: true, broken });
        return;
      }
      port.postMessage({ id: data.id, answer: answer.buffer }, [answer.buffer]);
    } else if (data.part) {
      end();
      try {
        // `more`: the rest of the worksheet is still to come in a `rest` message.
        current = {
          id: data.id, scan: new kexi.Scan(data.part, data.spec), raw: data.raw, at: 0,
          rest: null, more: data.raw.length < data.part[1], credit: AHEAD,
        };
      } catch {
        port.postMessage({ id: data.id, failed: true, broken });
        return;
      }
      pump();
    } else if (current && data.id === current.id) {
      if (data.stop) {
        end();
      } else if (data.rest) {
        [current.rest, current.more] = [data.rest, false];
        pump();
      } else {
        current.credit += 1;
        pump();
      }
    }
  };
}
