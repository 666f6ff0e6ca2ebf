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

use crate::error::{Error, Limit, Result};
use crate::progress::{self, Phase};
use crate::read::cells;
use crate::read::grid::{Cell, Grid, Limits, RowSink, StringPool, Value};
use crate::read::sheet::{Merge, SheetKind, Visibility};
use memchr::{memchr, memchr3, memmem};
use rustc_hash::FxHashMap;
use std::io::{Cursor, Read};
use std::rc::Rc;

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

/// Initial size of the streaming window.
const WINDOW: usize = 256 << 10;

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

/// The longest element a whole read holds: its window starts at [`WINDOW`] and doubles while it
/// stays within the text limit and a megabyte (`Window::more`). A streamed read refuses the same.
fn longest_element(limits: &Limits) -> usize {
    let bound = limits.max_text_bytes.saturating_add(1 << 20);
    let mut window = WINDOW as u64;
    while window.saturating_mul(2) <= bound {
        window *= 2;
    }
    usize::try_from(window).unwrap_or(usize::MAX)
}

/// What a [`Scanner`] needs of the workbook to read one worksheet's XML on its own: the part's
/// inflated size, which styles are dates, the date system and the limits. Handed between workers
/// as bytes ([`Spec::to_bytes`]). The shared strings are not read yet when the scanner starts:
/// their indexes are checked as the cells are stored ([`Streamed::feed`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    size: u64,
    formats: Vec<Format>,
    is_1904: bool,
    limits: Limits,
}

impl Spec {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(41 + self.formats.len());
        b.extend_from_slice(&self.size.to_le_bytes());
        b.push(u8::from(self.is_1904));
        let l = &self.limits;
        for x in [
            l.max_file_bytes,
            l.max_decompressed_bytes,
            l.max_cells,
            l.max_text_bytes,
        ] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b.extend(self.formats.iter().map(|&f| u8::from(f == Format::Date)));
        b
    }

    /// `None` unless `b` is what [`Spec::to_bytes`] wrote.
    pub fn from_bytes(b: &[u8]) -> Option<Spec> {
        let u64_at = |i: usize| -> Option<u64> {
            let mut w = [0u8; 8];
            w.copy_from_slice(b.get(i..i + 8)?);
            Some(u64::from_le_bytes(w))
        };
        let formats = b
            .get(41..)?
            .iter()
            .map(|&f| match f {
                0 => Some(Format::Other),
                1 => Some(Format::Date),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Spec {
            size: u64_at(0)?,
            is_1904: match b.get(8)? {
                0 => false,
                1 => true,
                _ => return None,
            },
            limits: Limits {
                max_file_bytes: u64_at(9)?,
                max_decompressed_bytes: u64_at(17)?,
                max_cells: u64_at(25)?,
                max_text_bytes: u64_at(33)?,
            },
            formats,
        })
    }
}

/// Reads a worksheet's inflated XML, given in pieces of any size, into a [`cells`] stream: the
/// half of a streamed read that runs beside the inflating (see [`Streamed`]).
pub struct Scanner {
    reader: SheetReader,
    size: u64,
    /// The end of the pieces fed so far that is not read yet: an element cut between two pieces.
    pending: Vec<u8>,
}

impl Scanner {
    pub fn new(spec: Spec) -> Scanner {
        Scanner {
            size: spec.size,
            reader: SheetReader {
                grid: Grid::new(spec.limits),
                cells: Some(cells::Writer::default()),
                // Not read yet: an index that is no `u32` falls back here, the others are
                // checked as the cells are stored.
                n_shared: u32::MAX as usize,
                strings: Strings::Map(Vec::new()),
                shared: None,
                formats: spec.formats.into(),
                is_1904: spec.is_1904,
                merges: Vec::new(),
                row: 0,
                col: 0,
                text: String::new(),
                progress: (String::new(), spec.size),
                read: 0,
                at: Position::default(),
            },
            pending: Vec::new(),
        }
    }

    /// Reads the next piece of the worksheet's inflated part. `Ok(false)`: the fast path gives
    /// up on this file (read it whole, through [`read`] and its fallback).
    pub fn feed(&mut self, piece: &[u8]) -> Result<bool> {
        stepped(self.feed_step(piece))
    }

    /// The stream of the cells read since the last take.
    pub fn take(&mut self) -> Vec<u8> {
        let read = self.reader.read;
        self.reader
            .cells
            .as_mut()
            .map_or_else(Vec::new, |w| w.take(read))
    }

    /// Ends the worksheet once every piece has been fed; the last [`Scanner::take`] then gives
    /// its last cells and its merged regions.
    pub fn finish(&mut self) -> Result<bool> {
        stepped(self.finish_step())
    }

    fn finish_step(&mut self) -> Step<()> {
        if self.reader.read != self.size {
            return fall("part shorter than declared");
        }
        let pending = std::mem::take(&mut self.pending);
        self.reader.scan_buf(&pending, true)?;
        if let Some(w) = &mut self.reader.cells {
            for &m in &self.reader.merges {
                w.merge(m);
            }
        }
        Ok(())
    }

    fn feed_step(&mut self, piece: &[u8]) -> Step<()> {
        self.reader.read = self.reader.read.saturating_add(piece.len() as u64);
        if self.reader.read > self.size {
            return fall("part larger than declared");
        }
        let limits = *self.reader.grid.limits();
        let longest = longest_element(&limits);
        let too_long = || {
            Err(Stop::Err(Error::too_large(
                Limit::TextBytes,
                limits.max_text_bytes,
            )))
        };
        let mut from = 0;
        // A cut element first: complete it from the piece's start, a growing slice at a time,
        // so the piece itself is read in place rather than copied.
        while !self.pending.is_empty() {
            let left = piece.get(from..).unwrap_or(&[]);
            if left.is_empty() {
                break;
            }
            let old = self.pending.len();
            let take = left
                .len()
                .min(old.max(64 << 10))
                .min((longest + 1).saturating_sub(old));
            if take == 0 {
                return too_long();
            }
            self.pending
                .extend_from_slice(left.get(..take).unwrap_or(&[]));
            from += take;
            let used = self.reader.scan_buf(&self.pending, false)?;
            if used >= old {
                from = from - take + (used - old);
                self.pending.clear();
            } else {
                self.pending.drain(..used);
            }
        }
        if self.pending.is_empty() {
            let left = piece.get(from..).unwrap_or(&[]);
            let used = self.reader.scan_buf(left, false)?;
            self.pending
                .extend_from_slice(left.get(used..).unwrap_or(&[]));
        }
        // Whole, the element would have to fit the reader's window, grown as far as it may grow.
        if self.pending.len() > longest {
            return too_long();
        }
        Ok(())
    }
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

/// A number format as far as dates go (calamine's `CellFormat`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Other,
    Date,
}

struct Zip<'a> {
    archive: zip::ZipArchive<Cursor<&'a [u8]>>,
    /// Lower-cased entry name → index.
    names: FxHashMap<String, usize>,
}

impl<'a> Zip<'a> {
    fn open(bytes: &'a [u8]) -> Step<Zip<'a>> {
        let archive = match zip::ZipArchive::new(Cursor::new(bytes)) {
            Ok(a) => a,
            Err(e) => return fall(format!("zip: {e}")),
        };
        let names = archive
            .file_names()
            .enumerate()
            .filter_map(|(i, n)| n.ok().map(|n| (n.to_lowercase(), i)))
            .collect::<Vec<_>>();
        let mut map = FxHashMap::default();
        for (n, i) in names {
            map.entry(n).or_insert(i);
        }
        Ok(Zip {
            archive,
            names: map,
        })
    }

    fn index(&self, path: &str) -> Option<usize> {
        self.names.get(&path.to_lowercase()).copied()
    }

    /// A whole (small) part, or `None` when absent.
    fn part(&mut self, path: &str) -> Step<Option<Vec<u8>>> {
        let Some(i) = self.index(path) else {
            return Ok(None);
        };
        let mut f = match self.archive.by_index(i) {
            Ok(f) => f,
            Err(e) => return fall(format!("zip {path}: {e}")),
        };
        let mut out = Vec::new();
        if let Err(e) = f.read_to_end(&mut out) {
            return fall(format!("zip {path}: {e}"));
        }
        Ok(Some(out))
    }
}

/// A workbook's structure, date styles and shared strings: everything but its worksheets' cells.
struct Prepared<'a> {
    zip: Zip<'a>,
    /// The workbook part's folder (`xl/`).
    xl: String,
    /// (name, visibility, kind, part path) in workbook order.
    sheets: Vec<(String, Visibility, SheetKind, String)>,
    worksheets: usize,
    formats: Rc<[Format]>,
    is_1904: bool,
    shared: Rc<StringPool>,
}

fn prepare<'a>(bytes: &'a [u8], limits: &Limits, window: usize) -> Step<Prepared<'a>> {
    let mut p = structure(bytes)?;
    p.load_shared(limits, window)?;
    Ok(p)
}

/// The package, the workbook's sheets and date system, and the styles: all but the shared strings.
fn structure(bytes: &[u8]) -> Step<Prepared<'_>> {
    let mut zip = Zip::open(bytes)?;

    // The workbook part, from the package relationships.
    let Some(rels) = zip.part("_rels/.rels")? else {
        return fall("no _rels/.rels");
    };
    let mut target = None;
    for tag in Tags::new(&rels) {
        let tag = tag?;
        if tag.local == b"Relationship" && !tag.end {
            let ty = tag.attr(b"Type").unwrap_or(b"");
            if ty.ends_with(b"/relationships/officeDocument") {
                target = tag.attr(b"Target").map(decode_attr).transpose()?;
            }
        }
    }
    let Some(target) = target else {
        return fall("no officeDocument relationship");
    };
    let (dir, name) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let xl = dir.strip_prefix('/').unwrap_or(dir).to_string();
    let workbook_name = if name.is_empty() {
        "workbook.xml"
    } else {
        name
    };

    // Relationship id → (target, type) of the workbook.
    let mut wb_rels: FxHashMap<String, (String, String)> = FxHashMap::default();
    if let Some(part) = zip.part(&format!("{xl}_rels/{workbook_name}.rels"))? {
        for tag in Tags::new(&part) {
            let tag = tag?;
            if tag.local == b"Relationship" && !tag.end {
                if let (Some(id), Some(t), Some(ty)) =
                    (tag.attr(b"Id"), tag.attr(b"Target"), tag.attr(b"Type"))
                {
                    wb_rels.insert(
                        utf8(id)?.to_string(),
                        (decode_attr(t)?, utf8(ty)?.to_string()),
                    );
                }
            }
        }
    }

    let Some(workbook) = zip.part(&format!("{xl}{workbook_name}"))? else {
        return fall("no workbook part");
    };
    let mut is_1904 = false;
    let mut sheets: Vec<(String, Visibility, SheetKind, String)> = Vec::new();
    for tag in Tags::new(&workbook) {
        let tag = tag?;
        if tag.end {
            continue;
        }
        if tag.local == b"sheet" {
            let mut name = String::new();
            let mut rel_id: &[u8] = b"";
            let mut visibility = Visibility::Visible;
            for (k, v) in tag.attrs() {
                let Ok(k) = k else {
                    return fall("malformed attribute");
                };
                match k {
                    b"name" => name = decode_attr(v)?,
                    b"state" => {
                        visibility = match v {
                            b"visible" => Visibility::Visible,
                            b"hidden" => Visibility::Hidden,
                            b"veryHidden" => Visibility::VeryHidden,
                            _ => return fall("unknown sheet state"),
                        }
                    }
                    k if local_of(k) == b"id" => rel_id = v,
                    _ => {}
                }
            }
            let Some((target, ty)) = wb_rels.get(utf8(rel_id)?) else {
                return fall("sheet relationship not found");
            };
            let path = match target.strip_prefix('/') {
                Some(abs) => abs.to_string(),
                None => format!("{xl}{target}"),
            };
            let kind = match ty.rsplit('/').next() {
                Some("worksheet") => SheetKind::Worksheet,
                Some("chartsheet") => SheetKind::Chartsheet,
                Some("dialogsheet") => SheetKind::Dialog,
                _ => return fall("unknown sheet type"),
            };
            sheets.push((name, visibility, kind, path));
        } else if tag.local == b"workbookPr" {
            if let Some(v) = tag.attr(b"date1904") {
                is_1904 = v == b"1" || v == b"true";
            }
        }
    }

    let formats = match zip.part(&format!("{xl}styles.xml"))? {
        Some(styles) => read_formats(&styles)?,
        None => Vec::new(),
    };

    Ok(Prepared {
        zip,
        worksheets: sheets
            .iter()
            .filter(|s| s.2 == SheetKind::Worksheet)
            .count(),
        sheets,
        formats: formats.into(),
        is_1904,
        shared: Rc::new(StringPool::without_dedupe()),
        xl,
    })
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

impl Prepared<'_> {
    /// The shared strings: one pool, indexed by position.
    fn load_shared(&mut self, limits: &Limits, window: usize) -> Step<()> {
        let mut shared = StringPool::without_dedupe();
        if let Some(i) = self.zip.index(&format!("{}sharedStrings.xml", self.xl)) {
            let f = match self.zip.archive.by_index(i) {
                Ok(f) => f,
                Err(e) => return fall(format!("zip sharedStrings: {e}")),
            };
            read_shared_strings(Window::new(f, window), &mut shared, limits)?;
        }
        self.shared = Rc::new(shared);
        Ok(())
    }

    /// A reader for a worksheet's cells, within `limits`. One worksheet takes the shared strings
    /// as its pool; with several, each sheet's pool holds the strings it uses. Inline strings
    /// (and formula results) are stored once per distinct text.
    fn reader(&mut self, name: &str, size: u64, limits: Limits) -> Step<SheetReader> {
        progress::report(Phase::Reading, Some(name), 0, Some(0.0));
        let n_shared = self.shared.len();
        let (mut pool, strings, shared) = if self.worksheets == 1 {
            let Ok(pool) = Rc::try_unwrap(std::mem::take(&mut self.shared)) else {
                return fall("shared strings taken twice");
            };
            (pool, Strings::Own, None)
        } else {
            (
                StringPool::without_dedupe(),
                Strings::Map(vec![u32::MAX; self.shared.len()]),
                Some(Rc::clone(&self.shared)),
            )
        };
        pool.dedupe_from_now();
        Ok(SheetReader {
            grid: Grid::with_pool(pool, limits),
            cells: None,
            n_shared,
            strings,
            shared,
            formats: Rc::clone(&self.formats),
            is_1904: self.is_1904,
            merges: Vec::new(),
            row: 0,
            col: 0,
            text: String::new(),
            progress: (name.to_string(), size),
            read: 0,
            at: Position::default(),
        })
    }

    /// Every sheet, each worksheet read whole but `streamed` (left without its grid), in
    /// workbook order; and the cells read.
    fn read_sheets(
        &mut self,
        limits: &Limits,
        window: usize,
        streamed: Option<usize>,
    ) -> Step<(Vec<Sheet>, u64)> {
        let sheets = std::mem::take(&mut self.sheets);
        let mut out = Vec::with_capacity(sheets.len());
        let mut used_cells = 0u64;
        for (k, (name, visibility, kind, path)) in sheets.into_iter().enumerate() {
            let (grid, merges) = if kind == SheetKind::Worksheet && streamed != Some(k) {
                let r = self.read_sheet(&name, &path, remaining(limits, used_cells), window)?;
                used_cells = used_cells.saturating_add(r.grid.n_cells());
                (Some(r.grid), r.merges)
            } else {
                (None, Vec::new())
            };
            out.push(Sheet {
                name,
                visibility,
                kind,
                grid,
                merges,
            });
        }
        Ok((out, used_cells))
    }

    /// Reads the worksheet at `path` whole, through its zip entry's reader.
    fn read_sheet(
        &mut self,
        name: &str,
        path: &str,
        limits: Limits,
        window: usize,
    ) -> Step<SheetReader> {
        let Some(i) = self.zip.index(path) else {
            return fall(format!("worksheet part {path} missing"));
        };
        let mut reader = self.reader(name, 0, limits)?;
        let f = match self.zip.archive.by_index(i) {
            Ok(f) => f,
            Err(e) => return fall(format!("zip {path}: {e}")),
        };
        reader.progress.1 = f.size();
        reader.scan(Window::new(f, window))?;
        Ok(reader)
    }

    /// Where the part at `path` is, for [`Streamed`].
    fn part(&mut self, path: &str) -> Step<Part> {
        let Some(i) = self.zip.index(path) else {
            return fall(format!("worksheet part {path} missing"));
        };
        let f = match self.zip.archive.by_index_raw(i) {
            Ok(f) => f,
            Err(e) => return fall(format!("zip {path}: {e}")),
        };
        let deflated = match f.compression() {
            zip::CompressionMethod::Deflated => true,
            zip::CompressionMethod::Stored => false,
            _ => return fall("compression method"),
        };
        if f.encrypted() {
            return fall("encrypted part");
        }
        let Some(offset) = f.data_start() else {
            return fall("part offset");
        };
        Ok(Part {
            offset,
            compressed: f.compressed_size(),
            size: f.size(),
            crc: f.crc32(),
            deflated,
        })
    }
}

fn utf8(b: &[u8]) -> Step<&str> {
    match std::str::from_utf8(b) {
        Ok(s) => Ok(s),
        Err(_) => fall("invalid UTF-8"),
    }
}

// ---------------------------------------------------------------------------------------------
// Tags of small parts (relationships, workbook, styles), read whole.
// ---------------------------------------------------------------------------------------------

/// One tag: its local name, whether it closes, whether it is self-closing, its attribute bytes.
struct Tag<'a> {
    local: &'a [u8],
    end: bool,
    empty: bool,
    attrs: &'a [u8],
}

impl<'a> Tag<'a> {
    /// Parses the bytes between `<` and `>`.
    fn parse(inner: &'a [u8]) -> Tag<'a> {
        let (end, inner) = match inner.split_first() {
            Some((b'/', rest)) => (true, rest),
            _ => (false, inner),
        };
        let (empty, inner) = match inner.split_last() {
            Some((b'/', rest)) => (true, rest),
            _ => (false, inner),
        };
        let name_end = inner
            .iter()
            .position(|b| b.is_ascii_whitespace())
            .unwrap_or(inner.len());
        let (name, attrs) = inner.split_at(name_end);
        Tag {
            local: local_of(name),
            end,
            empty,
            attrs,
        }
    }

    /// The raw value of the attribute whose full name is `key`.
    fn attr(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.attrs()
            .find(|(k, _)| k.as_ref().is_ok_and(|k| *k == key))
            .map(|(_, v)| v)
    }

    fn attrs(&self) -> Attrs<'a> {
        Attrs { rest: self.attrs }
    }
}

fn local_of(name: &[u8]) -> &[u8] {
    match memchr::memrchr(b':', name) {
        Some(i) => name.get(i + 1..).unwrap_or(name),
        None => name,
    }
}

/// Attributes as (name, raw value); a malformed attribute yields an `Err` name and ends.
struct Attrs<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (std::result::Result<&'a [u8], ()>, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest;
        let start = s.iter().position(|b| !b.is_ascii_whitespace())?;
        let s = s.get(start..)?;
        let eq = memchr(b'=', s);
        let Some(eq) = eq else {
            self.rest = &[];
            return Some((Err(()), &[]));
        };
        let key = trim_ascii(s.get(..eq)?);
        let after = trim_start(s.get(eq + 1..)?);
        let Some((&q, body)) = after.split_first() else {
            self.rest = &[];
            return Some((Err(()), &[]));
        };
        if q != b'"' && q != b'\'' {
            self.rest = &[];
            return Some((Err(()), &[]));
        }
        let Some(close) = memchr(q, body) else {
            self.rest = &[];
            return Some((Err(()), &[]));
        };
        self.rest = body.get(close + 1..).unwrap_or(&[]);
        Some((Ok(key), body.get(..close).unwrap_or(&[])))
    }
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    trim_start(s).trim_ascii_end()
}

fn trim_start(s: &[u8]) -> &[u8] {
    s.trim_ascii_start()
}

/// Iterates the tags of a whole part. Comments, processing instructions and text are skipped;
/// a DOCTYPE or CDATA section, or a tag left open, stops with a fall-back.
struct Tags<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Tags<'a> {
    fn new(data: &'a [u8]) -> Self {
        Tags { data, pos: 0 }
    }
}

impl<'a> Iterator for Tags<'a> {
    type Item = Step<Tag<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.data.get(self.pos..)?;
            let lt = memchr(b'<', rest)?;
            let at = self.pos + lt;
            match special(self.data, at) {
                Special::Skip(end) => {
                    self.pos = end;
                    continue;
                }
                Special::FallBack(why) => {
                    self.pos = self.data.len();
                    return Some(fall(why));
                }
                Special::Incomplete => {
                    self.pos = self.data.len();
                    return Some(fall("unterminated markup"));
                }
                Special::Tag => {}
            }
            let Some(gt) = tag_end(self.data, at + 1) else {
                self.pos = self.data.len();
                return Some(fall("unterminated tag"));
            };
            self.pos = gt + 1;
            return Some(Ok(Tag::parse(self.data.get(at + 1..gt)?)));
        }
    }
}

enum Special {
    /// An ordinary tag starts here.
    Tag,
    /// A comment or processing instruction ending before this index.
    Skip(usize),
    FallBack(&'static str),
    /// The markup runs past the end of the bytes given.
    Incomplete,
}

/// Classifies the markup at `at` (a `<`).
fn special(data: &[u8], at: usize) -> Special {
    let rest = data.get(at..).unwrap_or(&[]);
    if rest.starts_with(b"<!--") {
        match memmem::find(rest, b"-->") {
            Some(e) => Special::Skip(at + e + 3),
            None => Special::Incomplete,
        }
    } else if rest.starts_with(b"<?") {
        match memmem::find(rest, b"?>") {
            Some(e) => Special::Skip(at + e + 2),
            None => Special::Incomplete,
        }
    } else if rest.starts_with(b"<!") {
        if rest.len() < 9 {
            return Special::Incomplete;
        }
        Special::FallBack("DOCTYPE or CDATA")
    } else if rest.len() < 2 {
        Special::Incomplete
    } else {
        Special::Tag
    }
}

/// Index of the `>` closing the tag whose name starts at `from`, skipping quoted values.
fn tag_end(data: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let rest = data.get(i..)?;
        let k = memchr3(b'>', b'"', b'\'', rest)?;
        let at = i + k;
        let b = *data.get(at)?;
        if b == b'>' {
            return Some(at);
        }
        let close = memchr(b, data.get(at + 1..)?)?;
        i = at + 1 + close + 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Text: entities, line ends, Excel's _xHHHH_ escapes.
// ---------------------------------------------------------------------------------------------

/// Appends XML text with its entities resolved and line ends normalized (XML 1.0: CR LF and a
/// lone CR become LF), as quick-xml gives calamine its text.
fn decode_into(raw: &[u8], out: &mut String) -> Step<()> {
    let mut i = 0;
    while i < raw.len() {
        let rest = raw.get(i..).unwrap_or(&[]);
        let Some(k) = memchr::memchr2(b'&', b'\r', rest) else {
            out.push_str(utf8(rest)?);
            break;
        };
        out.push_str(utf8(rest.get(..k).unwrap_or(&[]))?);
        i += k;
        if raw.get(i) == Some(&b'\r') {
            out.push('\n');
            i += if raw.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
            continue;
        }
        let Some(semi) = memchr(b';', raw.get(i..).unwrap_or(&[])) else {
            return fall("bad entity");
        };
        let name = raw.get(i + 1..i + semi).unwrap_or(&[]);
        match name {
            b"amp" => out.push('&'),
            b"lt" => out.push('<'),
            b"gt" => out.push('>'),
            b"quot" => out.push('"'),
            b"apos" => out.push('\''),
            _ => {
                let code = match name {
                    [b'#', b'x' | b'X', hex @ ..] => u32::from_str_radix(utf8(hex)?, 16).ok(),
                    [b'#', dec @ ..] => utf8(dec)?.parse::<u32>().ok(),
                    _ => None,
                };
                match code.and_then(char::from_u32) {
                    Some(c) => out.push(c),
                    None => return fall("unknown entity"),
                }
            }
        }
        i += semi + 1;
    }
    Ok(())
}

fn decode_attr(raw: &[u8]) -> Step<String> {
    let mut s = String::new();
    decode_into(raw, &mut s)?;
    Ok(s)
}

/// Excel's `_xHHHH_` escapes (a UTF-16 code unit each), as calamine's `unescape_xml`.
fn unescape_x(s: &str) -> std::borrow::Cow<'_, str> {
    let unit_at = |i: usize| -> Option<u16> {
        let b = s.as_bytes().get(i..i + 7)?;
        if b.first() != Some(&b'_') || b.get(1) != Some(&b'x') || b.get(6) != Some(&b'_') {
            return None;
        }
        let hex = std::str::from_utf8(b.get(2..6)?).ok()?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u16::from_str_radix(hex, 16).ok()
    };
    let find = |from: usize| -> Option<(usize, u16)> {
        let mut start = from;
        while let Some(off) = s.get(start..)?.find('_') {
            let i = start + off;
            if let Some(u) = unit_at(i) {
                return Some((i, u));
            }
            start = i + 1;
        }
        None
    };
    let Some((mut index, mut unit)) = find(0) else {
        return std::borrow::Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    loop {
        out.push_str(s.get(copied..index).unwrap_or(""));
        index += 7;
        match unit {
            0xD800..=0xDBFF => match unit_at(index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find(index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(s.get(copied..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
}

/// The text of a string item (`<si>`, `<is>`): the `<t>` runs outside phonetic `<rPh>` runs,
/// each trimmed of ASCII whitespace unless `xml:space="preserve"`, joined.
fn rich_text(inner: &[u8], out: &mut String) -> Step<()> {
    let mut phonetic = false;
    let mut pos = 0;
    let mut piece = String::new();
    while let Some(lt) = memchr(b'<', inner.get(pos..).unwrap_or(&[])) {
        let at = pos + lt;
        match special(inner, at) {
            Special::Skip(end) => {
                pos = end;
                continue;
            }
            Special::FallBack(why) => return fall(why),
            Special::Incomplete => return fall("unterminated markup in text"),
            Special::Tag => {}
        }
        let Some(gt) = tag_end(inner, at + 1) else {
            return fall("unterminated tag in text");
        };
        let tag = Tag::parse(inner.get(at + 1..gt).unwrap_or(&[]));
        pos = gt + 1;
        match (tag.local, tag.end) {
            (b"rPh", false) if !tag.empty => phonetic = true,
            (b"rPh", true) => phonetic = false,
            (b"t", false) => {
                if tag.empty {
                    continue;
                }
                let Some(close) = memchr(b'<', inner.get(pos..).unwrap_or(&[])) else {
                    return fall("unterminated <t>");
                };
                let raw = inner.get(pos..pos + close).unwrap_or(&[]);
                // The text must end at this element's own end tag.
                let next = inner.get(pos + close..).unwrap_or(&[]);
                if next.starts_with(b"<!") {
                    return fall("CDATA or comment in text");
                }
                pos += close;
                if phonetic {
                    continue;
                }
                piece.clear();
                decode_into(raw, &mut piece)?;
                let preserve = tag.attr(b"xml:space") == Some(b"preserve");
                let text = if preserve {
                    piece.as_str()
                } else {
                    piece.trim_matches([' ', '\t', '\r', '\n'])
                };
                out.push_str(&unescape_x(text));
            }
            _ => {}
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Styles: which cell formats are dates.
// ---------------------------------------------------------------------------------------------

fn read_formats(styles: &[u8]) -> Step<Vec<Format>> {
    let mut custom: FxHashMap<Vec<u8>, String> = FxHashMap::default();
    let mut formats = Vec::new();
    let (mut in_fmts, mut in_xfs) = (false, false);
    for tag in Tags::new(styles) {
        let tag = tag?;
        match (tag.local, tag.end) {
            (b"numFmts", false) => in_fmts = !tag.empty,
            (b"numFmts", true) => in_fmts = false,
            (b"cellXfs", false) => in_xfs = !tag.empty,
            (b"cellXfs", true) => in_xfs = false,
            (b"numFmt", false) if in_fmts => {
                if let (Some(id), Some(code)) = (tag.attr(b"numFmtId"), tag.attr(b"formatCode")) {
                    custom.insert(id.to_vec(), decode_attr(code)?);
                }
            }
            (b"xf", false) if in_xfs => {
                formats.push(match tag.attr(b"numFmtId") {
                    None => Format::Other,
                    Some(id) => match custom.get(id) {
                        Some(code) => custom_format(code),
                        None => builtin_format(id),
                    },
                });
            }
            _ => {}
        }
    }
    Ok(formats)
}

/// calamine's `builtin_format_by_id`: the built-in date and time formats.
fn builtin_format(id: &[u8]) -> Format {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"46"
        | b"47" | b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36"
        | b"50" | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => Format::Date,
        _ => Format::Other,
    }
}

/// calamine's `detect_custom_number_format`: a date or duration when the first section has a
/// d, m, y, h or s (or an AM/PM marker) outside quotes, escapes and brackets, or a `[h]`-style
/// elapsed-time bracket.
fn custom_format(format: &str) -> Format {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return Format::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Format::Date,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Format::Date,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Format::Date
            }
            _ => {
                if hms && s.eq_ignore_ascii_case(&prev) {
                } else {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    Format::Other
}

// ---------------------------------------------------------------------------------------------
// Streaming: a window over an inflating reader.
// ---------------------------------------------------------------------------------------------

struct Window<R: Read> {
    src: R,
    buf: Vec<u8>,
    lo: usize,
    hi: usize,
    /// Bytes read from `src` so far, for progress.
    read: u64,
}

impl<R: Read> Window<R> {
    fn new(src: R, size: usize) -> Self {
        Window {
            src,
            buf: vec![0; size.max(16)],
            lo: 0,
            hi: 0,
            read: 0,
        }
    }

    fn data(&self) -> &[u8] {
        self.buf.get(self.lo..self.hi).unwrap_or(&[])
    }

    fn consume(&mut self, n: usize) {
        self.lo = (self.lo + n).min(self.hi);
    }

    /// Reads more bytes after what is unconsumed; `false` at the end of the part.
    fn more(&mut self, limits: &Limits) -> Step<bool> {
        if self.lo > 0 {
            self.buf.copy_within(self.lo..self.hi, 0);
            self.hi -= self.lo;
            self.lo = 0;
        }
        if self.hi == self.buf.len() {
            // One element larger than the window: grow, within the text limit.
            let grown = self.buf.len().saturating_mul(2);
            if grown as u64 > limits.max_text_bytes.saturating_add(1 << 20) {
                return Err(Stop::Err(Error::too_large(
                    Limit::TextBytes,
                    limits.max_text_bytes,
                )));
            }
            self.buf.resize(grown, 0);
        }
        let Some(space) = self.buf.get_mut(self.hi..) else {
            return Ok(false);
        };
        loop {
            match self.src.read(space) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.hi += n;
                    self.read += n as u64;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return fall(format!("inflate: {e}")),
            }
        }
    }
}

fn read_shared_strings<R: Read>(
    mut w: Window<R>,
    pool: &mut StringPool,
    limits: &Limits,
) -> Step<()> {
    let mut text = String::new();
    let mut close = Vec::new();
    loop {
        let data = w.data();
        let Some(lt) = memchr(b'<', data) else {
            let n = data.len();
            w.consume(n);
            if !w.more(limits)? {
                return Ok(());
            }
            continue;
        };
        // The common item, `<si>` and one plain `<t>`, without parsing its tags.
        let rest = data.get(lt..).unwrap_or(&[]);
        if let Some((plain, used)) = rest.strip_prefix(b"<si>").and_then(plain_item) {
            pool.push(plain, limits)?;
            w.consume(lt + 4 + used);
            continue;
        }
        match special(data, lt) {
            Special::Skip(end) => {
                w.consume(end);
                continue;
            }
            Special::FallBack(why) => return fall(why),
            Special::Incomplete => {
                w.consume(lt);
                if !w.more(limits)? {
                    return fall("truncated shared strings");
                }
                continue;
            }
            Special::Tag => {}
        }
        let Some(gt) = tag_end(data, lt + 1) else {
            w.consume(lt);
            if !w.more(limits)? {
                return fall("truncated shared strings");
            }
            continue;
        };
        let inner = data.get(lt + 1..gt).unwrap_or(&[]);
        let tag = Tag::parse(inner);
        if tag.local != b"si" || tag.end {
            w.consume(gt + 1);
            continue;
        }
        text.clear();
        if tag.empty {
            pool.push("", limits)?;
            w.consume(gt + 1);
            continue;
        }
        if let Some((plain, used)) = plain_item(data.get(gt + 1..).unwrap_or(&[])) {
            pool.push(plain, limits)?;
            w.consume(gt + 1 + used);
            continue;
        }
        // The whole item up to its end tag.
        close.clear();
        close.extend_from_slice(b"</");
        close.extend_from_slice(inner.get(..inner.len() - tag.attrs.len()).unwrap_or(b"si"));
        close.push(b'>');
        let Some(end) = memmem::find(data.get(gt + 1..).unwrap_or(&[]), &close) else {
            w.consume(lt);
            if !w.more(limits)? {
                return fall("truncated shared string");
            }
            continue;
        };
        rich_text(data.get(gt + 1..gt + 1 + end).unwrap_or(&[]), &mut text)?;
        pool.push(&text, limits)?;
        w.consume(gt + 1 + end + close.len());
    }
}

/// The text of a shared-string item that is one plain `<t>` (`<t>text</t></si>`: no entity, no
/// CR, no `_` (which may begin an `_xHHHH_` escape), not a rich or phonetic run), trimmed of edge
/// spaces, tabs and line feeds unless `xml:space="preserve"`, with the bytes it spans: most items
/// are, and they need none of [`rich_text`]'s work. Anything else is `None`, and is read the
/// general way.
fn plain_item(rest: &[u8]) -> Option<(&str, usize)> {
    const PRESERVE: &[u8] = b"<t xml:space=\"preserve\">";
    let (open, preserve) = if rest.starts_with(b"<t>") {
        (3, false)
    } else if rest.starts_with(PRESERVE) {
        (PRESERVE.len(), true)
    } else {
        return None;
    };
    let body = rest.get(open..)?;
    let close = memchr(b'<', body)?;
    if !body.get(close..)?.starts_with(b"</t></si>") {
        return None;
    }
    let raw = body.get(..close)?;
    if memchr::memchr3(b'&', b'\r', b'_', raw).is_some() {
        return None;
    }
    let text = std::str::from_utf8(raw).ok()?;
    let edge = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\n'));
    let text = if preserve || !(edge(raw.first()) || edge(raw.last())) {
        text
    } else {
        text.trim_matches([' ', '\t', '\r', '\n'])
    };
    Some((text, open + close + b"</t></si>".len()))
}

// ---------------------------------------------------------------------------------------------
// Worksheets.
// ---------------------------------------------------------------------------------------------

/// How shared-string indexes become pool ids.
enum Strings {
    /// The grid's pool is the shared-string table.
    Own,
    /// Shared index → this sheet's pool id (`u32::MAX` until first used).
    Map(Vec<u32>),
}

struct SheetReader {
    grid: Grid,
    /// Scanning for another thread or worker: cells go here rather than into `grid`.
    cells: Option<cells::Writer>,
    /// How many shared strings the workbook has.
    n_shared: usize,
    strings: Strings,
    /// The shared strings, when the grid's pool is not them.
    shared: Option<Rc<StringPool>>,
    formats: Rc<[Format]>,
    is_1904: bool,
    merges: Vec<Merge>,
    row: u32,
    col: u32,
    text: String,
    /// The sheet's name and inflated size, for progress.
    progress: (String, u64),
    /// Inflated bytes received so far, for progress.
    read: u64,
    at: Position,
}

/// Where the scan is between two pieces of a part.
struct Position {
    in_data: bool,
    after_data: bool,
    /// Finds the closing tag of the cells read last (`</c>`, or with the document's prefix).
    close: memmem::Finder<'static>,
}

impl Default for Position {
    fn default() -> Self {
        Position {
            in_data: false,
            after_data: false,
            close: memmem::Finder::new(b"</c>").into_owned(),
        }
    }
}

/// A cell's value as read, before it is stored: nothing, a value (borrowing the XML), or text
/// that had to be decoded.
enum Read1<'t> {
    Empty,
    Value(cells::Value<'t>),
    Owned(String),
}

impl SheetReader {
    /// Reads a whole part through `w`.
    fn scan<R: Read>(&mut self, mut w: Window<R>) -> Step<()> {
        let limits = *self.grid.limits();
        loop {
            let more = w.more(&limits)?;
            self.read = w.read;
            let used = self.scan_buf(w.data(), !more)?;
            w.consume(used);
            if !more {
                return Ok(());
            }
        }
    }

    /// Reads what `data` holds whole and returns how many bytes that was; the rest (an element
    /// cut by the end of `data`) is for the next call, with more bytes after it. `end`: `data`
    /// runs to the end of the part, so a cut element is a truncated sheet.
    fn scan_buf(&mut self, data: &[u8], end: bool) -> Step<usize> {
        let cut = |at: usize, why: &str| if end { fall(why) } else { Ok(at) };
        let mut pos = 0;
        loop {
            let data = data.get(pos..).unwrap_or(&[]);
            // Cells and rows follow one another without a byte between.
            let lt = if data.first() == Some(&b'<') {
                0
            } else {
                let Some(lt) = memchr(b'<', data) else {
                    return Ok(pos + data.len());
                };
                lt
            };
            if self.at.in_data {
                if let Some(used) = self.plain_cell(data, lt)? {
                    pos += used;
                    continue;
                }
                if data.get(lt..lt + 6) == Some(b"</row>") {
                    self.row_end();
                    pos += lt + 6;
                    continue;
                }
            }
            match special(data, lt) {
                Special::Skip(end) => {
                    pos += end;
                    continue;
                }
                Special::FallBack(why) => return fall(why),
                Special::Incomplete => return cut(pos + lt, "truncated sheet"),
                Special::Tag => {}
            }
            let Some(gt) = tag_end(data, lt + 1) else {
                return cut(pos + lt, "truncated sheet");
            };
            let inner = data.get(lt + 1..gt).unwrap_or(&[]);
            let tag = Tag::parse(inner);
            match (tag.local, tag.end) {
                (b"sheetData", false) => {
                    self.at.in_data = !tag.empty;
                    self.at.after_data = tag.empty;
                }
                (b"sheetData", true) => {
                    self.at.in_data = false;
                    self.at.after_data = true;
                }
                (b"row", false) if self.at.in_data => {
                    if let Some(r) = tag.attr(b"r") {
                        self.row = match parse_ref(r) {
                            Some((row, _)) => row,
                            None => return fall("bad row number"),
                        };
                    }
                    if tag.empty {
                        self.row = self.row.saturating_add(1);
                        self.col = 0;
                    }
                }
                (b"row", true) if self.at.in_data => self.row_end(),
                (b"c", false) if self.at.in_data => {
                    let (r, s, t) = (tag.attr(b"r"), tag.attr(b"s"), tag.attr(b"t"));
                    if let Some(r) = r {
                        match parse_ref(r) {
                            Some((row, Some(col))) => {
                                self.row = row;
                                self.col = col;
                            }
                            _ => return fall("bad cell reference"),
                        }
                    }
                    if tag.empty {
                        self.col = self.col.saturating_add(1);
                        pos += gt + 1;
                        continue;
                    }
                    let name_len = inner.len() - tag.attrs.len();
                    let name = inner.get(..name_len).unwrap_or(b"c");
                    let needle = self.at.close.needle();
                    if needle.get(2..needle.len() - 1) != Some(name) {
                        let close = [b"</", name, b">"].concat();
                        self.at.close = memmem::Finder::new(&close).into_owned();
                    }
                    let body = data.get(gt + 1..).unwrap_or(&[]);
                    let Some(close) = self.at.close.find(body) else {
                        return cut(pos + lt, "truncated cell");
                    };
                    let content = body.get(..close).unwrap_or(&[]);
                    let (row, col) = (self.row, self.col);
                    self.cell(content, s, t, row, col)?;
                    self.col = self.col.saturating_add(1);
                    pos += gt + 1 + close + self.at.close.needle().len();
                    continue;
                }
                (b"mergeCell", false) if self.at.after_data && self.merges.len() < MAX_MERGES => {
                    if let Some(m) = tag.attr(b"ref").and_then(parse_range) {
                        self.merges.push(m);
                    }
                }
                _ => {}
            }
            pos += gt + 1;
        }
    }

    /// Past a row's end tag.
    fn row_end(&mut self) {
        self.row = self.row.saturating_add(1);
        self.col = 0;
        if self.row.is_multiple_of(4096) {
            let (sheet, size) = &self.progress;
            let fraction = (*size > 0).then(|| self.read as f64 / *size as f64);
            progress::report(Phase::Reading, Some(sheet), self.row.into(), fraction);
        }
    }

    /// The common cell, read in one pass over its bytes: `<c r="B2" s="3" t="s"><v>12</v></c>`
    /// (any of the attributes, in any order, plus others ignored), or a self-closing `<c …/>`.
    /// Returns the bytes used, or `None` for anything else (formulas, inline strings, other
    /// types, a prefix, a cell cut by the window), which the general path then reads.
    fn plain_cell(&mut self, data: &[u8], lt: usize) -> Step<Option<usize>> {
        let b = |i: usize| data.get(i).copied().unwrap_or(0);
        if b(lt + 1) != b'c' || b(lt + 2) != b' ' {
            return Ok(None);
        }
        let mut r: Option<&[u8]> = None;
        let mut s: Option<&[u8]> = None;
        let mut t: Option<&[u8]> = None;
        let mut i = lt + 3;
        loop {
            while b(i) == b' ' {
                i += 1;
            }
            match b(i) {
                b'>' => {
                    i += 1;
                    break;
                }
                b'/' if b(i + 1) == b'>' => {
                    // An empty cell: position only.
                    if let Some(r) = r {
                        match parse_ref(r) {
                            Some((row, Some(col))) => {
                                self.row = row;
                                self.col = col;
                            }
                            _ => return fall("bad cell reference"),
                        }
                    }
                    self.col = self.col.saturating_add(1);
                    return Ok(Some(i + 2));
                }
                0 => return Ok(None),
                _ => {}
            }
            let key_start = i;
            while !matches!(b(i), b'=' | b' ' | b'>' | 0) {
                i += 1;
            }
            if b(i) != b'=' || b(i + 1) != b'"' {
                return Ok(None);
            }
            let key = data.get(key_start..i).unwrap_or(&[]);
            let v_start = i + 2;
            let mut j = v_start;
            while !matches!(b(j), b'"' | 0) {
                j += 1;
            }
            if b(j) != b'"' {
                return Ok(None);
            }
            let v = data.get(v_start..j);
            match key {
                b"r" => r = v,
                b"s" => s = v,
                b"t" => t = v,
                _ => {}
            }
            i = j + 1;
        }
        if t == Some(b"inlineStr") {
            // <is><t>text</t></is>: plain text only (no entity, escape, CR or edge spaces).
            if data.get(i..i + 7) != Some(b"<is><t>") {
                return Ok(None);
            }
            let t_start = i + 7;
            let mut j = t_start;
            while !matches!(b(j), b'<' | b'&' | b'\r' | b'_' | 0) {
                j += 1;
            }
            if data.get(j..j + 13) != Some(b"</t></is></c>") {
                return Ok(None);
            }
            let raw = data.get(t_start..j).unwrap_or(&[]);
            if raw
                .first()
                .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n'))
                || raw
                    .last()
                    .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n'))
            {
                return Ok(None);
            }
            let text = utf8(raw)?;
            self.position(r)?;
            let (row, col) = (self.row, self.col);
            self.store(row, col, cells::Value::Text(text))?;
            self.col = self.col.saturating_add(1);
            return Ok(Some(j + 13));
        }
        if data.get(i..i + 3) != Some(b"<v>") {
            return Ok(None);
        }
        let v_start = i + 3;
        let mut j = v_start;
        while !matches!(b(j), b'<' | b'&' | 0) {
            j += 1;
        }
        if data.get(j..j + 8) != Some(b"</v></c>") {
            return Ok(None);
        }
        let raw = data.get(v_start..j).unwrap_or(&[]);
        let value = match t {
            None | Some(b"n") => {
                if raw.is_empty() {
                    Read1::Empty
                } else {
                    let Ok(x) = fast_float2::parse::<f64, _>(raw) else {
                        return Ok(None);
                    };
                    let format = match s {
                        None => Some(Format::Other),
                        Some(s) => {
                            let id = short_number(s).map(|n| n as usize).or_else(|| {
                                std::str::from_utf8(s).ok().and_then(|s| s.parse().ok())
                            });
                            self.formats.get(id.unwrap_or(0)).copied()
                        }
                    };
                    if format == Some(Format::Date) {
                        Read1::Value(cells::Value::Date(if self.is_1904 {
                            x + 1462.0
                        } else {
                            x
                        }))
                    } else {
                        Read1::Value(cells::Value::Number(x))
                    }
                }
            }
            Some(b"s") => {
                let Some(idx) = short_number(raw) else {
                    return Ok(None);
                };
                if idx as usize >= self.n_shared {
                    return fall("shared string index out of range");
                }
                Read1::Value(cells::Value::Shared(idx))
            }
            _ => return Ok(None),
        };
        self.position(r)?;
        let (row, col) = (self.row, self.col);
        self.store_read(row, col, value)?;
        self.col = self.col.saturating_add(1);
        Ok(Some(j + 8))
    }

    /// Moves to a cell's `r` reference, if it has one.
    fn position(&mut self, r: Option<&[u8]>) -> Step<()> {
        if let Some(r) = r {
            match parse_ref(r) {
                Some((row, Some(col))) => {
                    self.row = row;
                    self.col = col;
                }
                _ => return fall("bad cell reference"),
            }
        }
        Ok(())
    }

    /// Reads one cell's children; the last child decides the value, as in calamine.
    fn cell(
        &mut self,
        content: &[u8],
        s: Option<&[u8]>,
        t: Option<&[u8]>,
        row: u32,
        col: u32,
    ) -> Step<()> {
        let mut value_at: Option<(usize, usize, &[u8])> = None;
        let mut pos = 0;
        while let Some(lt) = memchr(b'<', content.get(pos..).unwrap_or(&[])) {
            let at = pos + lt;
            match special(content, at) {
                Special::Skip(end) => {
                    pos = end;
                    continue;
                }
                Special::FallBack(why) => return fall(why),
                Special::Incomplete => return fall("unterminated markup in cell"),
                Special::Tag => {}
            }
            let Some(gt) = tag_end(content, at + 1) else {
                return fall("unterminated tag in cell");
            };
            let tag = Tag::parse(content.get(at + 1..gt).unwrap_or(&[]));
            pos = gt + 1;
            if tag.end {
                continue;
            }
            match tag.local {
                b"v" | b"f" | b"is" => {
                    if tag.empty {
                        value_at = Some((0, 0, tag.local));
                        continue;
                    }
                    // The child's own end tag (children never nest their own name).
                    let rest = content.get(pos..).unwrap_or(&[]);
                    let mut end_tag = Vec::with_capacity(8);
                    end_tag.extend_from_slice(b"</");
                    let name_len = content
                        .get(at + 1..gt)
                        .map_or(0, |b| b.len() - tag.attrs.len());
                    end_tag
                        .extend_from_slice(content.get(at + 1..at + 1 + name_len).unwrap_or(&[]));
                    end_tag.push(b'>');
                    let Some(e) = memmem::find(rest, &end_tag) else {
                        return fall("unterminated cell child");
                    };
                    value_at = Some((pos, pos + e, tag.local));
                    pos += e + end_tag.len();
                }
                _ => return fall("unexpected cell child"),
            }
        }
        let Some((lo, hi, kind)) = value_at else {
            return Ok(());
        };
        let body = content.get(lo..hi).unwrap_or(&[]);
        let value = match kind {
            b"f" => Read1::Empty,
            b"is" => {
                self.text.clear();
                rich_text(body, &mut self.text)?;
                Read1::Owned(std::mem::take(&mut self.text))
            }
            _ if matches!(t, Some(b"inlineStr") | Some(b"is")) => Read1::Empty,
            _ => self.value(body, s, t)?,
        };
        self.store_read(row, col, value).map(drop)
    }

    /// Interprets the text of a `<v>` by the cell's type and style (calamine's `read_v`).
    fn value<'t>(&mut self, body: &'t [u8], s: Option<&[u8]>, t: Option<&[u8]>) -> Step<Read1<'t>> {
        if body.starts_with(b"<![CDATA[") || memchr(b'<', body).is_some() {
            return fall("markup inside <v>");
        }
        match t {
            None | Some(b"n") | Some(b"s") | Some(b"b") | Some(b"e") => {
                // The first text run: up to an entity, as quick-xml gives it to calamine.
                let raw = match memchr(b'&', body) {
                    Some(k) => body.get(..k).unwrap_or(&[]),
                    None => body,
                };
                let raw = utf8(raw)?;
                Ok(match t {
                    Some(b"s") => {
                        if raw.is_empty() {
                            Read1::Empty
                        } else {
                            let idx = if raw.bytes().all(|b| b.is_ascii_digit()) {
                                raw.parse::<u64>().unwrap_or(u64::MAX)
                            } else {
                                0
                            };
                            if idx >= self.n_shared as u64 {
                                return fall("shared string index out of range");
                            }
                            Read1::Value(cells::Value::Shared(idx as u32))
                        }
                    }
                    Some(b"b") => match raw.trim() {
                        "" => Read1::Empty,
                        "0" | "false" => Read1::Value(cells::Value::Bool(false)),
                        "1" | "true" => Read1::Value(cells::Value::Bool(true)),
                        _ => return fall("bad boolean"),
                    },
                    Some(b"e") => Read1::Value(cells::Value::Error(match raw {
                        "#DIV/0!" => "#DIV/0!",
                        "#N/A" => "#N/A",
                        "#NAME?" => "#NAME?",
                        "#NULL!" => "#NULL!",
                        "#NUM!" => "#NUM!",
                        "#REF!" => "#REF!",
                        "#VALUE!" => "#VALUE!",
                        _ => return fall("unknown error value"),
                    })),
                    _ => {
                        if raw.is_empty() {
                            return Ok(Read1::Empty);
                        }
                        match fast_float2::parse::<f64, _>(raw.as_bytes()) {
                            Ok(x) => {
                                let format = match s {
                                    None => Some(Format::Other),
                                    Some(s) => {
                                        let id = utf8(s)?.parse::<usize>().unwrap_or(0);
                                        self.formats.get(id).copied()
                                    }
                                };
                                if format == Some(Format::Date) {
                                    Read1::Value(cells::Value::Date(if self.is_1904 {
                                        x + 1462.0
                                    } else {
                                        x
                                    }))
                                } else {
                                    Read1::Value(cells::Value::Number(x))
                                }
                            }
                            Err(_) if t.is_none() => Read1::Value(cells::Value::Text(raw)),
                            Err(_) => return fall("bad number"),
                        }
                    }
                })
            }
            Some(b"str") | Some(b"d") => {
                self.text.clear();
                decode_into(body, &mut self.text)?;
                let text = std::mem::take(&mut self.text);
                Ok(if t == Some(b"str") {
                    Read1::Owned(unescape_x(&text).into_owned())
                } else {
                    Read1::Owned(text)
                })
            }
            _ => fall("unknown cell type"),
        }
    }

    /// Stores what a cell read gives, if anything.
    fn store_read(&mut self, row: u32, col: u32, v: Read1<'_>) -> Step<Option<Value>> {
        match v {
            Read1::Empty => Ok(None),
            Read1::Value(v) => self.store(row, col, v),
            Read1::Owned(s) => self.store(row, col, cells::Value::Text(&s)),
        }
    }

    /// Stores a cell, or writes it to the cell stream; returns what the grid then holds there.
    fn store(&mut self, row: u32, col: u32, v: cells::Value<'_>) -> Step<Option<Value>> {
        if let Some(out) = &mut self.cells {
            out.cell(row, col, v);
            return Ok(None);
        }
        Ok(match v {
            cells::Value::Number(x) => self.grid.push(row, col, Cell::Number(x))?,
            cells::Value::Date(x) => self.grid.push(row, col, Cell::Date(x))?,
            cells::Value::Bool(b) => self.grid.push(row, col, Cell::Bool(b))?,
            cells::Value::Error(e) => self.grid.push(row, col, Cell::Error(e))?,
            cells::Value::Text(s) => self.grid.push(row, col, Cell::Text(s))?,
            cells::Value::Shared(i) => {
                let id = match &mut self.strings {
                    Strings::Own => {
                        if self.grid.pool.is_empty_at(i) {
                            return Ok(None);
                        }
                        i
                    }
                    Strings::Map(map) => {
                        let Some(shared) = self.shared.as_deref() else {
                            return Ok(None);
                        };
                        if shared.is_empty_at(i) {
                            return Ok(None);
                        }
                        let Some(slot) = map.get_mut(i as usize) else {
                            return fall("shared string index out of range");
                        };
                        if *slot == u32::MAX {
                            let limits = *self.grid.limits();
                            *slot = self.grid.pool.push(shared.get(i), &limits)?;
                        }
                        *slot
                    }
                };
                let value = Value::Text(id);
                self.grid.push_value(row, col, value)?;
                Some(value)
            }
        })
    }
}

/// One to nine ASCII digits as a number (they cannot overflow a `u32`); `None` for anything else,
/// which the caller reads the general way.
fn short_number(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |a, &d| a * 10 + u32::from(d - b'0')))
}

/// `B12` → (row 11, Some(col 1)); a bare row number `12` → (11, None); as calamine reads them.
/// Every cell has one, so a reference of up to 13 bytes, which cannot overflow a `u64`, is read
/// in one pass without checking each step.
fn parse_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    if r.len() > 13 {
        return parse_long_ref(r);
    }
    let mut i = 0;
    let mut col = 0u64;
    while let Some(&c) = r.get(i) {
        // A letter of either case gives 0..26; anything else does not.
        let d = (c | 0x20).wrapping_sub(b'a');
        if d >= 26 {
            break;
        }
        col = col * 26 + u64::from(d) + 1;
        i += 1;
    }
    let letters = i;
    let mut row = 0u64;
    while let Some(&c) = r.get(i) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        row = row * 10 + u64::from(d);
        i += 1;
    }
    if i == letters {
        return None;
    }
    let row = u32::try_from(row).ok()?.checked_sub(1)?;
    Some((row, u32::try_from(col).ok()?.checked_sub(1)))
}

/// [`parse_ref`] for any length: letter by letter, every step checked.
fn parse_long_ref(r: &[u8]) -> Option<(u32, Option<u32>)> {
    let mut col: u32 = 0;
    let mut i = 0;
    while let Some(&c) = r.get(i) {
        let d = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a',
            b'0'..=b'9' => break,
            _ => return None,
        };
        col = col.checked_mul(26)?.checked_add(u32::from(d) + 1)?;
        i += 1;
    }
    let digits = r.get(i..)?;
    if digits.is_empty() {
        return None;
    }
    let mut row: u32 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        row = row.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some((row.checked_sub(1)?, col.checked_sub(1)))
}

/// `A1:C2` → (0, 0, 1, 2); a single cell merges with itself.
fn parse_range(r: &[u8]) -> Option<Merge> {
    let mut parts = r.split(|&b| b == b':');
    let (r0, c0) = parse_ref(parts.next()?)?;
    let (r1, c1) = match parts.next() {
        Some(p) => parse_ref(p)?,
        None => (r0, c0),
    };
    if parts.next().is_some() {
        return None;
    }
    Some((r0, c0?, r1, c1?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::Value;

    fn scan(xml: &str, shared: &[&str], window: usize) -> Step<(Grid, Vec<Merge>)> {
        let limits = Limits::default();
        let mut pool = StringPool::without_dedupe();
        for s in shared {
            pool.push(s, &limits).unwrap();
        }
        let mut r = SheetReader {
            n_shared: pool.len(),
            strings: Strings::Map(vec![u32::MAX; pool.len()]),
            shared: Some(Rc::new(pool)),
            formats: vec![Format::Other, Format::Date].into(),
            ..reader(limits)
        };
        r.scan(Window::new(xml.as_bytes(), window))?;
        Ok((r.grid, r.merges))
    }

    fn reader(limits: Limits) -> SheetReader {
        SheetReader {
            grid: Grid::with_pool(StringPool::without_dedupe(), limits),
            cells: None,
            n_shared: 0,
            strings: Strings::Own,
            shared: None,
            formats: vec![Format::Other].into(),
            is_1904: false,
            merges: Vec::new(),
            row: 0,
            col: 0,
            text: String::new(),
            progress: (String::new(), 0),
            read: 0,
            at: Position::default(),
        }
    }

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

    /// Whole, an element must fit the window as far as it may grow; streamed, the same.
    #[test]
    fn an_element_too_long_for_the_window_fails_whole_and_streamed() {
        let limits = Limits {
            max_text_bytes: 0,
            ..Limits::default()
        };
        assert_eq!(longest_element(&limits), 1 << 20);
        for (len, fails) in [((1 << 20) - 200, false), ((1 << 20) + 200, true)] {
            let xml = format!(
                "<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row><!--{}--></sheetData></worksheet>",
                "x".repeat(len)
            );
            let whole = reader(limits).scan(Window::new(xml.as_bytes(), WINDOW));
            let mut streamed = Scanner {
                reader: SheetReader {
                    cells: Some(cells::Writer::default()),
                    ..reader(limits)
                },
                size: xml.len() as u64,
                pending: Vec::new(),
            };
            let fed = xml
                .as_bytes()
                .chunks(65_536)
                .try_for_each(|piece| streamed.feed_step(piece));
            for outcome in [whole, fed] {
                match outcome {
                    Err(Stop::Err(e)) => assert!(fails && e.code() == "too_large", "{len}: {e}"),
                    Ok(()) => assert!(!fails, "{len}: read"),
                    Err(Stop::FallBack(why)) => panic!("{len}: fell back: {why}"),
                }
            }
        }
    }

    fn cells(g: &Grid) -> Vec<(u32, u32, String)> {
        let mut out = Vec::new();
        for c in 0..g.n_cols() {
            for (r, v) in g.column(c) {
                let s = match v {
                    Value::Number(x) => format!("n{x}"),
                    Value::Date(x) => format!("d{x}"),
                    Value::Text(i) => format!("s{}", g.pool.get(i)),
                    Value::Bool(b) => format!("b{b}"),
                    Value::Error(i) => format!("e{}", g.pool.get(i)),
                };
                out.push((r, c, s));
            }
        }
        out.sort();
        out
    }

    const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/>
<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>45000.5</v></c><c r="C1" t="b"><v>1</v></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><r><t>富</t></r><r><t xml:space="preserve"> 文本 </t></r><rPh><t>ふ</t></rPh></is></c><c r="B2"><f>1+1</f><v>2</v></c><c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="str"><f>A1</f><v>a&amp;b&#x4E2D;_x000D_</v></c></row>
<row><c t="s"><v>1</v></c><c/><c><v>7</v></c><c r="F3"/></row>
<row r="6"><c r="A6"><v></v></c><c r="B6" t="s"><v></v></c><c r="C6"><v>abc</v></c></row>
</sheetData><mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="C3"/></mergeCells></worksheet>"#;

    #[test]
    fn reads_every_kind_of_cell_through_any_window() {
        let want = vec![
            (0, 0, "sheader".to_string()),
            (0, 1, "d45000.5".into()),
            (0, 2, "btrue".into()),
            (1, 0, "s富 文本 ".into()),
            (1, 1, "n2".into()),
            (1, 2, "e#N/A".into()),
            (1, 3, "sa&b中\r".into()),
            (2, 0, "s客户".into()),
            (2, 2, "n7".into()),
            (5, 2, "sabc".into()),
        ];
        for window in [7, 16, 64, 1 << 16] {
            let (g, merges) =
                scan(SHEET, &["header", "客户"], window).unwrap_or_else(|_| panic!("{window}"));
            assert_eq!(cells(&g), want, "window {window}");
            assert_eq!(merges, vec![(0, 0, 1, 1), (2, 2, 2, 2)]);
        }
    }

    #[test]
    fn namespace_prefixes_and_comments() {
        let xml = r#"<x:worksheet xmlns:x="s"><!-- a <c> in a comment --><x:sheetData><x:row r="3"><x:c r="B3" t="s"><x:v>0</x:v></x:c></x:row></x:sheetData></x:worksheet>"#;
        let (g, _) = scan(xml, &["ok"], 8).unwrap_or_else(|_| panic!());
        assert_eq!(cells(&g), vec![(2, 1, "sok".to_string())]);
    }

    #[test]
    fn unknown_things_fall_back() {
        for xml in [
            r#"<sheetData><row><c t="x"><v>1</v></c></row></sheetData>"#,
            r#"<sheetData><row><c t="s"><v>5</v></c></row></sheetData>"#,
            r#"<sheetData><row><c><extLst/></c></row></sheetData>"#,
            r#"<!DOCTYPE x><sheetData/>"#,
            r#"<sheetData><row><c t="n"><v>1,5</v></c></row></sheetData>"#,
            r#"<sheetData><row><c><v>1</v>"#,
        ] {
            assert!(
                matches!(scan(xml, &["a"], 64), Err(Stop::FallBack(_))),
                "{xml}"
            );
        }
    }

    proptest::proptest! {
        /// Short references, read without checking each step, read as every step checked does,
        /// overflow included.
        #[test]
        fn references_read_as_checked(r in "[A-Za-z]{0,8}[0-9]{0,12}|[A-Z0-9$:. @`\\[{-]{0,10}|[Zz]{5,8}[9]{8,11}|[Zz]{7}[0-9]{1,6}|[A-Za-z]{0,2}[@`\\[{][0-9]{1,3}|[A-Za-z]{0,3}[0-9:/]{1,4}|[A-Za-z]{12,16}[0-9]{0,4}") {
            proptest::prop_assert_eq!(parse_ref(r.as_bytes()), parse_long_ref(r.as_bytes()));
        }

        /// Any bytes, non-ASCII and the 13/14-byte boundary included.
        #[test]
        fn any_bytes_read_as_checked(r in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16)) {
            proptest::prop_assert_eq!(parse_ref(&r), parse_long_ref(&r));
        }

        /// The plain-item path reads what the general one does, wherever it applies.
        #[test]
        fn plain_items_read_as_rich_text(text in "[ a-z_&<\r\n\t中x0-9]{0,12}", preserve: bool) {
            let escaped = text.replace('&', "&amp;").replace('<', "&lt;");
            let open = if preserve { r#"<t xml:space="preserve">"# } else { "<t>" };
            let item = format!("{open}{escaped}</t></si>");
            let mut general = String::new();
            rich_text(item.strip_suffix("</si>").unwrap_or(&item).as_bytes(), &mut general)
                .unwrap_or_else(|_| panic!());
            if let Some((plain, used)) = plain_item(item.as_bytes()) {
                proptest::prop_assert_eq!(plain, general.as_str());
                proptest::prop_assert_eq!(used, item.len());
            } else {
                proptest::prop_assert!(text.contains(['&', '<', '\r', '_']), "{:?}", text);
            }
        }
    }

    #[test]
    fn shared_strings_like_calamine() {
        let xml = r#"<sst count="4"><si><t>  plain  </t></si><si><r><t>a</t></r><r><t xml:space="preserve"> b</t></r><rPh sb="0" eb="1"><t>phon</t></rPh></si><si/><si><t>x_x0041_y &lt;&#20013;&gt;</t></si></sst>"#;
        let mut pool = StringPool::without_dedupe();
        read_shared_strings(
            Window::new(xml.as_bytes(), 5),
            &mut pool,
            &Limits::default(),
        )
        .unwrap_or_else(|_| panic!());
        let got: Vec<&str> = (0..pool.len() as u32).map(|i| pool.get(i)).collect();
        assert_eq!(got, vec!["plain", "a b", "", "xAy <中>"]);
    }

    #[test]
    fn date_formats_like_calamine() {
        assert_eq!(custom_format("yyyy-mm-dd"), Format::Date);
        assert_eq!(custom_format("[h]:mm:ss"), Format::Date);
        assert_eq!(custom_format("#,##0.00"), Format::Other);
        assert_eq!(custom_format("\"d\"0"), Format::Other);
        assert_eq!(custom_format("[Red]0.00"), Format::Other);
        assert_eq!(custom_format("0;[Red]yyyy"), Format::Other);
        assert_eq!(builtin_format(b"14"), Format::Date);
        assert_eq!(builtin_format(b"4"), Format::Other);
        assert_eq!(parse_ref(b"XFD1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(parse_ref(b"A0"), None);
    }
}
