//! The fast path for xlsx and xlsm: workbook structure, shared strings, date styles and every
//! worksheet's cells and merged regions, read in one streaming pass per part.
//!
//! calamine's cell reader spends about 4 s on the 11 M cells of a 1,000,000-row order list, most
//! of it in its general XML event machinery (../shared/PERFORMANCE.md); this module reads the same
//! cells by scanning the inflated bytes through a fixed window with `memchr`, holding neither the
//! sheet's XML nor a grid. It reproduces calamine's reading exactly — the same sheets, the same
//! cells, the same values (a differential test over the corpus checks it) — including its
//! conventions: `r`-less cells and rows counted on, the last child of a cell winning, rich text
//! runs joined without phonetic runs, `<t>` trimmed unless `xml:space="preserve"`, `_xHHHH_`
//! escapes, and dates decided by the cell's number format.
//!
//! Anything outside what it knows — a DOCTYPE, CDATA, an unknown cell type or child, an
//! unresolvable relationship, a shared-string index out of range, malformed XML — makes it give
//! up with [`Outcome::FallBack`], and `book` reads the file through calamine instead, which
//! either reads it or reports the error. Safety limits are never a reason to fall back: they are
//! errors here as there.
//!
//! The parts, in the order a read goes through them:
//!
//! - `package`: the zip package and the workbook's structure — relationships, the workbook part
//!   (sheets, their states, kinds and parts, the date system), where a worksheet part lies
//!   ([`Part`]) — and, once prepared, the shared strings and the sheets read one after another.
//! - `styles`: which cell formats are dates.
//! - `strings`: the text of string items and the shared-string table.
//! - `window`: the window a part's inflated bytes are read through, and the longest element it holds.
//! - `scan`: a worksheet's XML into cells ([`Scanner`] and its [`Spec`] for a streamed read).
//! - `refs`: cell references and merged ranges.
//! - `xml`: tags, attributes, markup to skip and text decoding, shared by all of the above.
//!
//! This file is the driver: [`read`] reads every sheet, [`stream`] and [`Streamed`] read the
//! largest worksheet as a cell stream beside the rest; a `Stop` becomes an [`Outcome`].

mod package;
mod refs;
mod scan;
mod strings;
mod styles;
mod window;
mod xml;

pub use scan::{Scanner, Spec};

use crate::error::{Error, Result};
use crate::progress::{self, Phase};
use crate::read::cells;
use crate::read::grid::{Grid, Limits, RowSink, Value};
use crate::read::sheet::{Merge, SheetKind, Visibility};
use package::{prepare, structure};
use scan::SheetReader;
use window::WINDOW;

/// One sheet as read.
pub struct Sheet {
    pub name: String,
    pub visibility: Visibility,
    pub kind: SheetKind,
    pub grid: Option<Grid>,
    pub merges: Vec<Merge>,
}

/// What the fast path made of a file.
pub enum Outcome {
    Read(Vec<Sheet>),
    /// The fast path does not handle this file; the reason is for tests and debugging.
    FallBack(String),
}

/// Why a step stopped: give the file to calamine, or a real error (a limit).
enum Stop {
    FallBack(String),
    Err(Error),
}

impl From<Error> for Stop {
    fn from(e: Error) -> Self {
        Stop::Err(e)
    }
}

type Step<T> = std::result::Result<T, Stop>;

fn fall<T>(why: impl Into<String>) -> Step<T> {
    Err(Stop::FallBack(why.into()))
}

/// Most merged regions kept per sheet; header detection needs only those near the top.
pub const MAX_MERGES: usize = 100_000;

/// Reads every sheet of an xlsx/xlsm file, or says to fall back.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Outcome> {
    match read_all(bytes, limits, WINDOW) {
        Ok(sheets) => Ok(Outcome::Read(sheets)),
        Err(Stop::FallBack(why)) => Ok(Outcome::FallBack(why)),
        Err(Stop::Err(e)) => Err(e),
    }
}

/// Where a zip entry's bytes lie in the file and what they must inflate to: what a helper needs
/// to inflate the entry on its own (`inflate`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    /// Offset of the entry's compressed bytes in the file, and their length.
    pub offset: u64,
    pub compressed: u64,
    /// The inflated size and CRC-32 the central directory declares.
    pub size: u64,
    pub crc: u32,
    /// Deflated; otherwise stored.
    pub deflated: bool,
}

impl Part {
    /// The entry's compressed bytes in `file`, unless they lie beyond it.
    pub fn of(self, file: &[u8]) -> Option<&[u8]> {
        let from = usize::try_from(self.offset).ok()?;
        let to = usize::try_from(self.offset.checked_add(self.compressed)?).ok()?;
        file.get(from..to)
    }
}

/// A workbook read but for its largest worksheet's cells, which then arrive as a [`cells`] stream
/// through [`Streamed::feed`], written by a [`Scanner`] from the worksheet's inflated bytes. In the
/// browser a second worker inflates and scans while the first stores the cells (and builds the
/// table as they come), so reading takes two cores; the cells read are the same as through
/// [`read`].
pub struct Streamed {
    /// Every sheet, the streamed one still without its grid (once loaded).
    sheets: Vec<Sheet>,
    /// The streamed worksheet's position in `sheets`, its name and part.
    at: usize,
    name: String,
    part: Part,
    spec: Spec,
    /// The file's size, to tell that `load` is given the same file.
    file: usize,
    /// The streamed worksheet's reader, once loaded.
    reader: Option<SheetReader>,
    /// Where the last cell stored was.
    last: Option<(u32, u32)>,
    /// Cells came in row order so far.
    ordered: bool,
    /// The cells of the row being stored, as the sink is told them.
    row_cells: Vec<(u32, Value)>,
}

/// Finds an xlsx/xlsm file's largest worksheet, what its [`Scanner`] needs, and nothing more, so
/// that the scanner can start at once; [`Streamed::load`] then reads the rest (the shared strings
/// and the other sheets) while it runs. `None` when the workbook's structure makes [`read`] fall
/// back, when it has no worksheet, or when that worksheet's part is neither stored nor deflated;
/// the rest of the file, or the worksheet itself, may still make the stream give up.
pub fn stream(bytes: &[u8], limits: &Limits) -> Result<Option<Streamed>> {
    match stream_step(bytes, limits) {
        Ok(s) => Ok(Some(s)),
        Err(Stop::FallBack(_)) => Ok(None),
        Err(Stop::Err(e)) => Err(e),
    }
}

fn stream_step(bytes: &[u8], limits: &Limits) -> Step<Streamed> {
    let mut p = structure(bytes)?;
    // The largest worksheet is streamed, the others read by `load`.
    let mut big: Option<(usize, Part)> = None;
    for k in 0..p.sheets.len() {
        let Some((_, _, SheetKind::Worksheet, path)) = p.sheets.get(k) else {
            continue;
        };
        let path = path.clone();
        let part = p.part(&path)?;
        if big.is_none_or(|(_, b)| part.compressed > b.compressed) {
            big = Some((k, part));
        }
    }
    let Some((at, part)) = big else {
        return fall("no worksheet");
    };
    if part.of(bytes).is_none() {
        return fall("part beyond the file");
    }
    let name = p.sheets.get(at).map_or("", |s| s.0.as_str()).to_string();
    Ok(Streamed {
        sheets: Vec::new(),
        at,
        name,
        part,
        spec: Spec {
            size: part.size,
            formats: p.formats.to_vec(),
            is_1904: p.is_1904,
            limits: *limits,
        },
        file: bytes.len(),
        reader: None,
        last: None,
        ordered: true,
        row_cells: Vec::new(),
    })
}

/// A step's outcome for a caller outside: `Ok(false)` to fall back.
fn stepped(step: Step<()>) -> Result<bool> {
    match step {
        Ok(()) => Ok(true),
        Err(Stop::FallBack(_)) => Ok(false),
        Err(Stop::Err(e)) => Err(e),
    }
}

impl Streamed {
    pub fn part(&self) -> Part {
        self.part
    }

    /// The streamed worksheet's name.
    pub fn sheet(&self) -> &str {
        &self.name
    }

    /// What the [`Scanner`] of this worksheet needs.
    pub fn spec(&self) -> Spec {
        self.spec.clone()
    }

    /// Reads the rest of `bytes`, the file given to [`stream`]: its shared strings and its other
    /// sheets. `Ok(false)`: read the file whole.
    pub fn load(&mut self, bytes: &[u8]) -> Result<bool> {
        stepped(self.load_step(bytes))
    }

    fn load_step(&mut self, bytes: &[u8]) -> Step<()> {
        if bytes.len() != self.file || self.reader.is_some() {
            return fall("not the file streamed");
        }
        let limits = self.spec.limits;
        let mut p = prepare(bytes, &limits, WINDOW)?;
        let (done, used_cells) = p.read_sheets(&limits, WINDOW, Some(self.at))?;
        let reader = p.reader(&self.name, self.part.size, remaining(&limits, used_cells))?;
        self.sheets = done;
        self.reader = Some(reader);
        Ok(())
    }

    /// Stores the cells of the next stream the [`Scanner`] gave, telling `rows` of each row once
    /// it is complete. `Ok(false)`: the stream is damaged (read the file whole).
    pub fn feed(&mut self, stream: &[u8], rows: &mut dyn RowSink) -> Result<bool> {
        stepped(self.feed_step(stream, rows))
    }

    fn feed_step(&mut self, stream: &[u8], rows: &mut dyn RowSink) -> Step<()> {
        let Ok(mut r) = cells::Reader::new(stream, self.last) else {
            return fall("damaged cell stream");
        };
        let Some(reader) = self.reader.as_mut() else {
            return fall("cells before the rest of the file");
        };
        let before = reader.read;
        reader.read = r.scanned;
        loop {
            let record = match r.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(_) => return fall("damaged cell stream"),
            };
            let (row, col, value) = match record {
                cells::Record::Merge(m) => {
                    if reader.merges.len() < MAX_MERGES {
                        reader.merges.push(m);
                    }
                    continue;
                }
                cells::Record::Cell { row, col, value } => (row, col, value),
            };
            match self.last {
                Some((r0, c0)) if self.ordered && ((row == r0 && col <= c0) || row < r0) => {
                    self.ordered = false;
                    rows.unordered();
                }
                Some((r0, _)) if row > r0 => {
                    row_done(rows, &reader.grid, r0, &mut self.row_cells, self.ordered);
                }
                _ => {}
            }
            self.last = Some((row, col));
            if matches!(value, cells::Value::Shared(i) if i as usize >= reader.n_shared) {
                return fall("shared string index out of range");
            }
            if let Some(stored) = reader.store(row, col, value)? {
                self.row_cells.push((col, stored));
            }
        }
        // Progress, as the scan reports it, every 4 MiB of XML.
        let (sheet, size) = &reader.progress;
        if before / (1 << 22) != reader.read / (1 << 22) {
            let fraction = (*size > 0).then(|| reader.read as f64 / *size as f64);
            let row = self.last.map_or(0, |(r, _)| r);
            progress::report(Phase::Reading, Some(sheet), row.into(), fraction);
        }
        Ok(())
    }

    /// Ends the worksheet once every stream has been fed (the last row is told to `rows`).
    pub fn finish(mut self, rows: &mut dyn RowSink) -> Result<Outcome> {
        let Some(reader) = self.reader else {
            return Ok(Outcome::FallBack("never loaded".into()));
        };
        if let Some((row, _)) = self.last {
            row_done(rows, &reader.grid, row, &mut self.row_cells, self.ordered);
        }
        let mut sheets = self.sheets;
        if let Some(s) = sheets.get_mut(self.at) {
            s.grid = Some(reader.grid);
            s.merges = reader.merges;
        }
        Ok(Outcome::Read(sheets))
    }
}

/// Row `row`, whose `cells` are all stored, told to `rows` unless cells came out of row order;
/// `cells` then starts the next row.
fn row_done(
    rows: &mut dyn RowSink,
    grid: &Grid,
    row: u32,
    cells: &mut Vec<(u32, Value)>,
    ordered: bool,
) {
    if ordered && !cells.is_empty() {
        rows.row(grid, row, cells);
    }
    cells.clear();
}

fn read_all(bytes: &[u8], limits: &Limits, window: usize) -> Step<Vec<Sheet>> {
    let mut p = prepare(bytes, limits, window)?;
    Ok(p.read_sheets(limits, window, None)?.0)
}

/// The limits left for the next sheet after `used_cells` cells.
fn remaining(limits: &Limits, used_cells: u64) -> Limits {
    Limits {
        max_cells: limits.max_cells.saturating_sub(used_cells),
        ..*limits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::Value;

    #[derive(Default)]
    struct Told {
        rows: Vec<(u32, usize)>,
        unordered: bool,
    }

    impl RowSink for Told {
        fn begin(&mut self, _: &str) {}
        fn row(&mut self, _: &Grid, row: u32, cells: &[(u32, Value)]) {
            self.rows.push((row, cells.len()));
        }
        fn unordered(&mut self) {
            self.unordered = true;
        }
    }

    /// Rows are told as the next one begins; a cell out of row order stops the telling (the
    /// table is then built after), and every cell is still stored.
    #[test]
    fn cells_out_of_row_order_stop_the_rows_told() {
        let bytes = crate::write::sample::orders(50, 1).unwrap();
        let mut s = stream(&bytes, &Limits::default()).unwrap().unwrap();
        let mut w = cells::Writer::default();
        for (row, col) in [(0, 0), (0, 1), (1, 0), (2, 0), (1, 5), (3, 0)] {
            w.cell(row, col, cells::Value::Number(f64::from(row * 10 + col)));
        }
        let chunk = w.take(0);
        let mut told = Told::default();
        assert!(!s.feed(&chunk, &mut told).unwrap(), "cells before load");
        assert!(s.load(&bytes).unwrap());
        assert!(s.feed(&chunk, &mut told).unwrap());
        let Outcome::Read(sheets) = s.finish(&mut told).unwrap() else {
            panic!("fell back");
        };
        assert_eq!(told.rows, [(0, 2), (1, 1)]);
        assert!(told.unordered);
        let grid = sheets
            .iter()
            .find_map(|s| s.grid.as_ref().filter(|g| g.n_cells() == 6));
        assert_eq!(grid.unwrap().get(1, 5), Some(Value::Number(15.0)));
        // A shared-string index past the table is the whole read's fallback.
        let mut s = stream(&bytes, &Limits::default()).unwrap().unwrap();
        assert!(s.load(&bytes).unwrap());
        let mut w = cells::Writer::default();
        w.cell(0, 0, cells::Value::Shared(1 << 30));
        assert!(!s.feed(&w.take(0), &mut ()).unwrap());
    }
}
