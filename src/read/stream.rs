//! The streamed read of an xlsx's largest worksheet, in two halves that run on two cores.
//!
//! The scanning half ([`Scan`]) inflates the worksheet's compressed bytes and scans its XML into
//! cell streams. The storing half ([`Streaming`], from [`Book::stream`]) reads the rest of the
//! file meanwhile (shared strings, other sheets), then stores each stream's cells and tells a
//! [`RowSink`] of each row as it completes, so the table is built while the file is read.
//!
//! The halves are driven three ways, all through these two types: natively on two threads
//! ([`threaded`]), in the page on two workers (`wasm.rs` hands the same calls to
//! `www/src/stream.js`, which passes the streams between workers), and on one thread, the
//! scanner and the store taking turns ([`interleaved`], for the tests and the fuzz target). A
//! file either half declines is read whole by [`Book::open`], which gives the usual result or
//! message.

use crate::error::Result;
use crate::read::book::Book;
use crate::read::grid::{Limits, RowSink};
use crate::read::inflate::Inflater;
use crate::read::xlsx::{Outcome, Part, Scanner, Spec, Streamed};

/// Compressed bytes given to the inflater at a time.
pub const INPUT: usize = 1 << 18;
/// Inflated bytes scanned per stream: a stream is about a fifth of that.
pub const PIECE: usize = 1 << 21;

/// The scanning half: one worksheet's compressed bytes in, cell streams out.
pub struct Scan {
    inflater: Inflater,
    scanner: Scanner,
    piece: usize,
}

/// What the scanning half has next.
pub enum Scanned {
    /// The cells of the next inflated piece, for [`Streaming::feed`].
    Stream(Vec<u8>),
    /// The compressed bytes given so far are used up.
    Hungry,
    /// The worksheet is to be read whole (XML the fast reader leaves to calamine).
    Declined,
}

impl Scan {
    /// Scans the worksheet at `part`, as the storing half's `spec` describes it, `piece` inflated
    /// bytes at a time.
    pub fn new(part: Part, spec: Spec, piece: usize) -> Scan {
        Scan {
            inflater: Inflater::new(part),
            scanner: Scanner::new(spec),
            piece,
        }
    }

    /// Adds the next compressed bytes.
    pub fn input(&mut self, compressed: &[u8]) {
        self.inflater.input(compressed);
    }

    /// The next stream. An error is a damaged entry (inflating) or a limit (scanning).
    pub fn next_stream(&mut self) -> Result<Scanned> {
        let Some(piece) = self.inflater.next(self.piece)? else {
            return Ok(Scanned::Hungry);
        };
        Ok(if self.scanner.feed(&piece)? {
            Scanned::Stream(self.scanner.take())
        } else {
            Scanned::Declined
        })
    }

    /// The last stream, once the entry has ended at its declared size and CRC-32; `None`: the
    /// worksheet is to be read whole.
    pub fn finish(&mut self) -> Result<Option<Vec<u8>>> {
        self.inflater.finish()?;
        Ok(self.scanner.finish()?.then(|| self.scanner.take()))
    }

    /// Scans all of `compressed`, `input` bytes at a time, handing each stream to `send`.
    /// `Ok(false)`: the worksheet is to be read whole, or `send` asked to stop. A damaged entry
    /// (an inflating error) is `Ok(false)` too: reading whole says what is wrong with it.
    pub fn run(
        &mut self,
        compressed: &[u8],
        input: usize,
        mut send: impl FnMut(Vec<u8>) -> bool,
    ) -> Result<bool> {
        for chunk in compressed.chunks(input.max(1)) {
            self.input(chunk);
            loop {
                let piece = match self.inflater.next(self.piece) {
                    Ok(Some(piece)) => piece,
                    Ok(None) => break,
                    Err(_) => return Ok(false),
                };
                if !self.scanner.feed(&piece)? || !send(self.scanner.take()) {
                    return Ok(false);
                }
            }
        }
        if self.inflater.finish().is_err() || !self.scanner.finish()? {
            return Ok(false);
        }
        Ok(send(self.scanner.take()))
    }
}

/// The storing half: a workbook being read from its largest worksheet's cell streams (see
/// [`Book::stream`]).
pub struct Streaming {
    /// The book so far: its format and size, no sheet yet.
    book: Book,
    inner: Streamed,
}

impl Streaming {
    pub(super) fn new(book: Book, inner: Streamed) -> Streaming {
        Streaming { book, inner }
    }

    /// Where the worksheet's compressed bytes are in the file, and what they inflate to.
    pub fn part(&self) -> Part {
        self.inner.part()
    }

    /// The streamed worksheet's name.
    pub fn sheet(&self) -> &str {
        self.inner.sheet()
    }

    /// What the [`Scan`] of the worksheet needs.
    pub fn spec(&self) -> Spec {
        self.inner.spec()
    }

    /// Reads the rest of `bytes` (the file given to [`Book::stream`]): its shared strings and
    /// other sheets, while the scanner already runs. `Ok(false)`: this file needs [`Book::open`]
    /// after all.
    pub fn load(&mut self, bytes: &[u8]) -> Result<bool> {
        self.inner.load(bytes)
    }

    /// Stores the next cell stream of the [`Scan`], telling `rows` of each row once it is
    /// complete. `Ok(false)`: this file needs [`Book::open`] after all.
    pub fn feed(&mut self, stream: &[u8], rows: &mut dyn RowSink) -> Result<bool> {
        self.inner.feed(stream, rows)
    }

    /// The book, once every stream is fed; `None`: this file needs [`Book::open`] after all.
    pub fn finish(self, rows: &mut dyn RowSink) -> Result<Option<Book>> {
        let Outcome::Read(sheets) = self.inner.finish(rows)? else {
            return Ok(None);
        };
        let mut book = self.book;
        book.add_all(sheets);
        book.nonempty().map(Some)
    }
}

/// The book of an xlsx at least `large` bytes long read on two threads, the scanning half on a
/// second one; and whether it was (else it was read whole).
#[cfg(not(target_arch = "wasm32"))]
pub fn threaded(
    bytes: &[u8],
    limits: &Limits,
    large: usize,
    rows: &mut dyn RowSink,
) -> Result<(Book, bool)> {
    let whole = || Book::open(bytes, limits).map(|book| (book, false));
    if bytes.len() < large {
        return whole();
    }
    let Some(mut reading) = Book::stream(bytes, limits)? else {
        return whole();
    };
    let part = reading.part();
    let Some(raw) = part.of(bytes) else {
        return whole();
    };
    let spec = reading.spec();
    rows.begin(reading.sheet());
    let read = std::thread::scope(|scope| {
        let (streams, received) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        // The scanner holds its own references into the spec, so it is made on its thread.
        let scanning = std::thread::Builder::new().spawn_scoped(scope, move || {
            let mut scan = Scan::new(part, spec, PIECE);
            scan.run(raw, INPUT, |stream| streams.send(stream).is_ok())
        });
        // No thread to be had: read whole.
        let Ok(scanning) = scanning else {
            return Ok(false);
        };
        let mut fed = reading.load(bytes);
        if matches!(fed, Ok(true)) {
            for stream in &received {
                fed = reading.feed(&stream, rows);
                if !matches!(fed, Ok(true)) {
                    break;
                }
            }
        }
        // The scanner stops at its next piece once nobody receives.
        drop(received);
        let scanned = scanning.join().unwrap_or(Ok(false));
        Ok(fed? && scanned?)
    });
    finish(read?, reading, rows).map_or_else(whole, |book| book.map(|b| (b, true)))
}

#[cfg(not(target_arch = "wasm32"))]
/// The book once both halves are done: `None` where it is to be read whole after all (the sink
/// is told its rows came out of order).
fn finish(read: bool, reading: Streaming, rows: &mut dyn RowSink) -> Option<Result<Book>> {
    if read {
        match reading.finish(rows) {
            Ok(Some(book)) => return Some(Ok(book)),
            Err(e) => return Some(Err(e)),
            Ok(None) => {}
        }
    }
    rows.unordered();
    None
}

/// The streamed read on one thread, the two halves taking turns piece by piece, `input`
/// compressed bytes in and `piece` inflated bytes out at a time: what the page's two workers do,
/// for the tests and the fuzz target. `None` where the page reads the file whole instead.
pub fn interleaved(
    bytes: &[u8],
    limits: &Limits,
    input: usize,
    piece: usize,
    rows: &mut dyn RowSink,
) -> Option<Result<Book>> {
    let mut reading = match Book::stream(bytes, limits) {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    let part = reading.part();
    let mut scan = Scan::new(part, reading.spec(), piece);
    match reading.load(bytes) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(e) => return Some(Err(e)),
    }
    rows.begin(reading.sheet());
    let mut fed = Ok(true);
    let scanned = scan.run(part.of(bytes)?, input, |stream| {
        fed = reading.feed(&stream, rows);
        matches!(fed, Ok(true))
    });
    match (scanned, fed) {
        (_, Err(e)) | (Err(e), _) => Some(Err(e)),
        (Ok(true), Ok(true)) => match reading.finish(rows) {
            Ok(book) => book.map(Ok),
            Err(e) => Some(Err(e)),
        },
        _ => None,
    }
}
