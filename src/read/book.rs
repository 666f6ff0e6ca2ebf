//! Opening a file: every sheet listed, every worksheet's cells streamed into a [`Grid`].
//!
//! This is the only module that talks to calamine. xlsx and xlsm go through the fast streaming
//! reader of `xlsx` first and through calamine's cell reader when it declines the file; xlsb sheets
//! stream through calamine's cell reader, cell by cell, into the grid; xls and ods have
//! no streaming API in calamine, so their cells are copied out of its range (for xls the BIFF8
//! format itself bounds that range to 65,536 × 256). Delimited text goes through `text`.

use crate::error::{Error, ErrorKind, Limit, Result};
use crate::read::grid::{Cell, Grid, Limits, RowSink};
use crate::read::sniff::{sniff, Format};
use crate::read::text::TextMeta;
use calamine::{Data, DataRef, Reader};
use serde::Serialize;
use std::io::Cursor;

/// Whether a sheet is shown in the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    Visible,
    Hidden,
    VeryHidden,
}

/// What a sheet holds; only worksheets have cells to analyse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetKind {
    Worksheet,
    Chartsheet,
    Dialog,
    Macro,
}

/// A merged region, zero-based and inclusive: (first_row, first_col, last_row, last_col).
pub type Merge = (u32, u32, u32, u32);

/// What the reader knows of one sheet.
#[derive(Debug, Clone, Serialize)]
pub struct SheetInfo {
    pub name: String,
    pub visibility: Visibility,
    pub kind: SheetKind,
    /// One past the last row holding a cell (0 for an empty sheet), from the cells actually read.
    pub rows: u32,
    /// One past the last column holding a cell.
    pub cols: u32,
    pub cells: u64,
}

/// A file read into memory: its sheets, their cells and merged regions.
#[derive(Debug, Clone)]
pub struct Book {
    pub format: Format,
    pub file_bytes: u64,
    /// Set for delimited text: the encoding and delimiter found.
    pub text: Option<TextMeta>,
    pub sheets: Vec<SheetInfo>,
    /// Cells of each sheet (`None` for chart and other non-worksheet sheets).
    pub grids: Vec<Option<Grid>>,
    pub merges: Vec<Vec<Merge>>,
}

impl Book {
    /// Sniffs the format of `bytes` and reads every worksheet, within `limits`.
    pub fn open(bytes: &[u8], limits: &Limits) -> Result<Book> {
        Book::open_with(bytes, limits, true)
    }

    /// Reads xlsx and xlsm through calamine only, never the fast path: the reference the fast
    /// path is tested against (tests/xlsx_diff.rs).
    pub fn open_reference(bytes: &[u8], limits: &Limits) -> Result<Book> {
        Book::open_with(bytes, limits, false)
    }

    fn open_with(bytes: &[u8], limits: &Limits, fast: bool) -> Result<Book> {
        let mut book = Book::admit(bytes, limits)?;
        match book.format {
            Format::Csv => {
                let mut grid = Grid::new(*limits);
                let meta = crate::read::text::read(bytes, &mut grid)?;
                book.text = Some(meta);
                book.add(
                    "Sheet1".into(),
                    Visibility::Visible,
                    SheetKind::Worksheet,
                    Some(grid),
                    Vec::new(),
                );
            }
            Format::Xlsx | Format::Xlsm => {
                let fast = if fast {
                    crate::read::xlsx::read(bytes, limits)?
                } else {
                    crate::read::xlsx::Outcome::FallBack("reference read".into())
                };
                match fast {
                    crate::read::xlsx::Outcome::Read(sheets) => book.add_all(sheets),
                    crate::read::xlsx::Outcome::FallBack(_) => {
                        guarded(|| read_xlsx(bytes, limits, &mut book))?
                    }
                }
            }
            Format::Xlsb => guarded(|| read_xlsb(bytes, limits, &mut book))?,
            Format::Xls => guarded(|| read_xls(bytes, limits, &mut book))?,
            Format::Ods => guarded(|| read_ods(bytes, limits, &mut book))?,
        }
        book.nonempty()
    }

    /// For an xlsx/xlsm file: its structure and largest worksheet (the order list, usually), whose
    /// cells the caller scans (from [`Streaming::part`] and [`Streaming::spec`]) and feeds as cell
    /// streams once [`Streaming::load`] has read the rest. `None`: open the file with
    /// [`Book::open`] instead, which reads it whole.
    pub fn stream(bytes: &[u8], limits: &Limits) -> Result<Option<Streaming>> {
        let book = Book::admit(bytes, limits)?;
        if !matches!(book.format, Format::Xlsx | Format::Xlsm) {
            return Ok(None);
        }
        Ok(crate::read::xlsx::stream(bytes, limits)?.map(|inner| Streaming { book, inner }))
    }

    /// An empty book of `bytes`' format, once the file's size, its format and (for a zip) its
    /// declared inflated size are within `limits`.
    fn admit(bytes: &[u8], limits: &Limits) -> Result<Book> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(Error::too_large(Limit::FileBytes, limits.max_file_bytes));
        }
        let format = sniff(bytes)?;
        if matches!(
            format,
            Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Ods
        ) {
            check_zip(bytes, limits)?;
        }
        Ok(Book {
            format,
            file_bytes: bytes.len() as u64,
            text: None,
            sheets: Vec::new(),
            grids: Vec::new(),
            merges: Vec::new(),
        })
    }

    /// [`Book::open`] on two threads for a large xlsx (natively; the page does the same with two
    /// workers): one inflates the largest worksheet and scans its XML ([`crate::read::xlsx::Scanner`]) while this one
    /// stores its cells, telling `rows` of each row as it completes.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_threaded(bytes: &[u8], limits: &Limits, rows: &mut dyn RowSink) -> Result<Book> {
        // Below this, a second thread costs about what it saves.
        const LARGE: usize = 16 << 20;
        Book::open_threaded_from(bytes, limits, LARGE, rows).map(|(book, _)| book)
    }

    /// The book, and whether it was read on two threads (else whole).
    #[cfg(not(target_arch = "wasm32"))]
    fn open_threaded_from(
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
            let scanning = std::thread::Builder::new().spawn_scoped(scope, move || {
                let mut scanner = crate::read::xlsx::Scanner::new(spec);
                let mut scanned = Ok(true);
                let inflated = crate::read::inflate::pieces(part, raw, 1 << 18, 1 << 21, |piece| {
                    scanned = scanner.feed(&piece);
                    matches!(scanned, Ok(true)) && streams.send(scanner.take()).is_ok()
                });
                // A damaged entry: read whole, which says what is wrong with it.
                if !matches!(scanned, Ok(true)) || !matches!(inflated, Ok(true)) {
                    return scanned.map(|s| s && inflated.is_ok_and(|i| i));
                }
                Ok(scanner.finish()? && streams.send(scanner.take()).is_ok())
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
        if !read? {
            rows.unordered();
            return whole();
        }
        match reading.finish(rows)? {
            Some(book) => Ok((book, true)),
            None => {
                rows.unordered();
                whole()
            }
        }
    }

    fn add_all(&mut self, sheets: Vec<crate::read::xlsx::Sheet>) {
        for s in sheets {
            self.add(s.name, s.visibility, s.kind, s.grid, s.merges);
        }
    }

    fn nonempty(self) -> Result<Book> {
        if self.sheets.iter().all(|s| s.cells == 0) {
            return Err(Error::new(ErrorKind::EmptyWorkbook));
        }
        Ok(self)
    }

    fn add(
        &mut self,
        name: String,
        visibility: Visibility,
        kind: SheetKind,
        mut grid: Option<Grid>,
        merges: Vec<Merge>,
    ) {
        if let Some(g) = &mut grid {
            g.freeze();
        }
        let (rows, cols, cells) = grid.as_ref().map_or((0, 0, 0), |g| {
            (
                g.max_row().map_or(0, |r| r.saturating_add(1)),
                g.n_cols(),
                g.n_cells(),
            )
        });
        self.sheets.push(SheetInfo {
            name,
            visibility,
            kind,
            rows,
            cols,
            cells,
        });
        self.grids.push(grid);
        self.merges.push(merges);
    }

    /// Cells read so far across sheets; each new sheet gets what is left of the cell limit.
    fn remaining(&self, limits: &Limits) -> Limits {
        let used: u64 = self.sheets.iter().map(|s| s.cells).sum();
        Limits {
            max_cells: limits.max_cells.saturating_sub(used),
            ..*limits
        }
    }

    pub fn sheet_index(&self, name: &str) -> Option<usize> {
        self.sheets.iter().position(|s| s.name == name)
    }
}

/// A workbook being read from its worksheet's inflated bytes (see [`Book::stream`]).
pub struct Streaming {
    /// The book so far: its format and size, no sheet yet.
    book: Book,
    inner: crate::read::xlsx::Streamed,
}

impl Streaming {
    /// Where the worksheet's compressed bytes are in the file, and what they inflate to.
    pub fn part(&self) -> crate::read::xlsx::Part {
        self.inner.part()
    }

    /// The streamed worksheet's name.
    pub fn sheet(&self) -> &str {
        self.inner.sheet()
    }

    /// What the [`crate::read::xlsx::Scanner`] of the worksheet's inflated bytes needs.
    pub fn spec(&self) -> crate::read::xlsx::Spec {
        self.inner.spec()
    }

    /// Reads the rest of `bytes` (the file given to [`Book::stream`]): its shared strings and
    /// other sheets, while the scanner already runs. `Ok(false)`: this file needs [`Book::open`]
    /// after all.
    pub fn load(&mut self, bytes: &[u8]) -> Result<bool> {
        self.inner.load(bytes)
    }

    /// Stores the next cell stream of the worksheet's [`crate::read::xlsx::Scanner`], telling `rows` of each row
    /// once it is complete. `Ok(false)`: this file needs [`Book::open`] after all.
    pub fn feed(&mut self, stream: &[u8], rows: &mut dyn RowSink) -> Result<bool> {
        self.inner.feed(stream, rows)
    }

    /// The book, once every stream is fed; `None`: this file needs [`Book::open`] after all.
    pub fn finish(self, rows: &mut dyn RowSink) -> Result<Option<Book>> {
        let crate::read::xlsx::Outcome::Read(sheets) = self.inner.finish(rows)? else {
            return Ok(None);
        };
        let mut book = self.book;
        book.add_all(sheets);
        book.nonempty().map(Some)
    }
}

/// Bounds what a zip container can inflate to before any part of it is read. The zip reader stops
/// every entry at the uncompressed size the central directory declares (an entry that inflates
/// further is an error), so the sum of declared sizes bounds all inflating, lies included.
fn check_zip(bytes: &[u8], limits: &Limits) -> Result<()> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| Error::corrupt(format!("zip: {e}")))?;
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|e| Error::corrupt(format!("zip: {e}")))?;
        total = total.saturating_add(entry.size());
        if total > limits.max_decompressed_bytes {
            return Err(Error::too_large(
                Limit::DecompressedBytes,
                limits.max_decompressed_bytes,
            ));
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(xlsx_error)?;
    let is_1904 = wb.has_1904_epoch();
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        if kind != SheetKind::Worksheet {
            book.add(meta.name, visibility, kind, None, Vec::new());
            continue;
        }
        let mut grid = Grid::new(book.remaining(limits));
        let mut shared = SharedIds::default();
        {
            let mut reader = wb.worksheet_cells_reader(&meta.name).map_err(xlsx_error)?;
            let mut ticks = Ticks::new(&meta.name);
            while let Some(cell) = reader.next_cell().map_err(xlsx_error)? {
                let (row, col) = cell.get_position();
                ticks.at(row);
                push_ref(&mut grid, &mut shared, row, col, cell.get_value(), is_1904)?;
            }
        }
        // calamine finds merged cells by parsing the whole sheet XML a second time, which
        // doubles the read of a large sheet; past MERGE_SCAN_CELLS the header is found from the
        // cells alone (see `header`: a label carried over blanks stands for a merge).
        let merges = if grid.n_cells() > MERGE_SCAN_CELLS {
            Vec::new()
        } else {
            wb.merge_cells_by_sheet_name(&meta.name)
                .map(|dims| {
                    dims.iter()
                        .take(MAX_MERGES)
                        .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
                        .collect()
                })
                .unwrap_or_default()
        };
        book.add(meta.name, visibility, kind, Some(grid), merges);
    }
    Ok(())
}

/// Runs a calamine reader behind a panic boundary. calamine indexes some records by offsets and
/// keys read from the file (the robustness fuzzing found a malformed xlsb whose sheet relationship
/// id is missing: a `HashMap` index panics), so where unwinding exists (the CLI, the tests) such a
/// file becomes a `corrupt` error like any other damaged file. In wasm a panic aborts: the page's
/// worker ends with a message and a fresh worker takes the next file.
fn guarded(read: impl FnOnce() -> Result<()>) -> Result<()> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(r) => r,
        Err(_) => Err(Error::corrupt(
            "the workbook's records are inconsistent (the reader stopped)",
        )),
    }
}

/// Reports reading progress every 4096 rows of a sheet read cell by cell.
struct Ticks<'a> {
    sheet: &'a str,
    next: u32,
}

impl<'a> Ticks<'a> {
    fn new(sheet: &'a str) -> Self {
        progress::report(Phase::Reading, Some(sheet), 0, None);
        Ticks { sheet, next: 4096 }
    }

    fn at(&mut self, row: u32) {
        if row >= self.next {
            progress::report(Phase::Reading, Some(self.sheet), row.into(), None);
            self.next = row.saturating_add(4096);
        }
    }
}

/// Largest span (rows × columns, first to last cell) of an xls sheet: calamine allocates it as a
/// dense grid of 32-byte cells, so 8M cells is 256 MB. A full BIFF8 sheet is 65,536 × 256.
const XLS_MAX_AREA: u64 = 8 << 20;

/// Largest xlsx sheet (in cells) whose merged regions are read.
const MERGE_SCAN_CELLS: u64 = 500_000;

use crate::progress::{self, Phase};
use crate::read::xlsx::MAX_MERGES;

fn read_xlsb(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    let mut wb: calamine::Xlsb<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(xlsb_error)?;
    let is_1904 = wb.has_1904_epoch();
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        if kind != SheetKind::Worksheet {
            book.add(meta.name, visibility, kind, None, Vec::new());
            continue;
        }
        let mut grid = Grid::new(book.remaining(limits));
        let mut shared = SharedIds::default();
        {
            let mut reader = wb.worksheet_cells_reader(&meta.name).map_err(xlsb_error)?;
            let mut ticks = Ticks::new(&meta.name);
            while let Some(cell) = reader.next_cell().map_err(xlsb_error)? {
                let (row, col) = cell.get_position();
                ticks.at(row);
                push_ref(&mut grid, &mut shared, row, col, cell.get_value(), is_1904)?;
            }
        }
        book.add(meta.name, visibility, kind, Some(grid), Vec::new());
    }
    Ok(())
}

fn read_xls(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    // calamine holds each sheet as a dense grid; bound it like the cells we store.
    crate::read::ole::check(bytes, limits.max_cells.min(XLS_MAX_AREA))?;
    let mut wb: calamine::Xls<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(xls_error)?;
    let is_1904 = wb.has_1904_epoch();
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        if kind != SheetKind::Worksheet {
            book.add(meta.name, visibility, kind, None, Vec::new());
            continue;
        }
        progress::report(Phase::Reading, Some(&meta.name), 0, None);
        let range = wb.worksheet_range(&meta.name).map_err(xls_error)?;
        let grid = grid_from_range(&range, book.remaining(limits), is_1904)?;
        let merges = wb
            .merge_cells_by_sheet_name(&meta.name)
            .unwrap_or_default()
            .iter()
            .take(MAX_MERGES)
            .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
            .collect();
        book.add(meta.name, visibility, kind, Some(grid), merges);
    }
    Ok(())
}

fn read_ods(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    let mut wb: calamine::Ods<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(ods_error)?;
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        progress::report(Phase::Reading, Some(&meta.name), 0, None);
        let range = wb.worksheet_range(&meta.name).map_err(ods_error)?;
        let grid = grid_from_range(&range, book.remaining(limits), false)?;
        book.add(meta.name, visibility, kind, Some(grid), Vec::new());
    }
    Ok(())
}

fn grid_from_range(range: &calamine::Range<Data>, limits: Limits, is_1904: bool) -> Result<Grid> {
    let mut grid = Grid::new(limits);
    for (row, col, data) in range.used_cells() {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let row = r0.saturating_add(row as u32);
        let col = c0.saturating_add(col as u32);
        let cell = match data {
            Data::Int(i) => Cell::Number(*i as f64),
            Data::Float(x) => Cell::Number(*x),
            Data::String(s) => Cell::Text(s),
            Data::Bool(b) => Cell::Bool(*b),
            Data::DateTime(d) => Cell::Date(serial_1900(d.as_f64(), is_1904)),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s),
            Data::Error(e) => {
                grid.push(row, col, Cell::Error(&e.to_string()))?;
                continue;
            }
            Data::Empty => continue,
        };
        grid.push(row, col, cell)?;
    }
    Ok(grid)
}

/// Pool ids of calamine's shared strings, keyed by where each string lives. A shared string is
/// the same `&str` every time a cell uses it, so its address identifies it: one integer hash per
/// cell instead of hashing the text, which matters on the millions of text cells of an order list.
#[derive(Default)]
struct SharedIds(rustc_hash::FxHashMap<(usize, usize), u32>);

fn push_ref(
    grid: &mut Grid,
    shared: &mut SharedIds,
    row: u32,
    col: u32,
    data: &DataRef<'_>,
    is_1904: bool,
) -> Result<()> {
    if let DataRef::SharedString(s) = data {
        if s.is_empty() {
            return Ok(());
        }
        let key = (s.as_ptr() as usize, s.len());
        let id = match shared.0.get(&key) {
            Some(&id) => id,
            None => {
                let limits = *grid.limits();
                let id = grid.pool.intern(s, &limits)?;
                shared.0.insert(key, id);
                id
            }
        };
        return grid.push_value(row, col, crate::read::grid::Value::Text(id));
    }
    let cell = match data {
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(x) => Cell::Number(*x),
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => Cell::Date(serial_1900(d.as_f64(), is_1904)),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => return grid.push(row, col, Cell::Error(&e.to_string())).map(drop),
        DataRef::Empty => return Ok(()),
    };
    grid.push(row, col, cell).map(drop)
}

/// Converts a serial of the 1904 date system to the 1900 system every later stage assumes.
fn serial_1900(serial: f64, is_1904: bool) -> f64 {
    if is_1904 {
        serial + 1462.0
    } else {
        serial
    }
}

fn sheet_meta(meta: &calamine::Sheet) -> (Visibility, SheetKind) {
    let visibility = match meta.visible {
        calamine::SheetVisible::Visible => Visibility::Visible,
        calamine::SheetVisible::Hidden => Visibility::Hidden,
        calamine::SheetVisible::VeryHidden => Visibility::VeryHidden,
    };
    let kind = match meta.typ {
        calamine::SheetType::WorkSheet => SheetKind::Worksheet,
        calamine::SheetType::ChartSheet => SheetKind::Chartsheet,
        calamine::SheetType::DialogSheet => SheetKind::Dialog,
        calamine::SheetType::MacroSheet | calamine::SheetType::Vba => SheetKind::Macro,
    };
    (visibility, kind)
}

fn xlsx_error(e: calamine::XlsxError) -> Error {
    match e {
        calamine::XlsxError::Password => Error::new(ErrorKind::Encrypted),
        other => Error::corrupt(format!("xlsx: {other}")),
    }
}

fn xlsb_error(e: calamine::XlsbError) -> Error {
    match e {
        calamine::XlsbError::Password => Error::new(ErrorKind::Encrypted),
        other => Error::corrupt(format!("xlsb: {other}")),
    }
}

fn xls_error(e: calamine::XlsError) -> Error {
    match e {
        calamine::XlsError::Password => Error::new(ErrorKind::Encrypted),
        other => Error::corrupt(format!("xls: {other}")),
    }
}

fn ods_error(e: calamine::OdsError) -> Error {
    match e {
        calamine::OdsError::Password => Error::new(ErrorKind::Encrypted),
        other => Error::corrupt(format!("ods: {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every sheet and cell of a book, as text.
    fn digest(book: &Book) -> String {
        let mut out = format!("{:?}{:?}", book.sheets, book.merges);
        for grid in book.grids.iter().flatten() {
            for c in 0..grid.n_cols() {
                for (r, v) in grid.column(c) {
                    out.push_str(&format!("{r},{c}:{v:?};"));
                }
            }
            out.push_str(&format!(
                "{:?}",
                (0..grid.pool.len())
                    .map(|i| grid.pool.get(i as u32))
                    .collect::<Vec<_>>()
            ));
        }
        out
    }

    #[test]
    fn two_threads_read_what_one_reads() {
        let limits = Limits::default();
        let bytes = crate::write::sample::orders(20_000, 5).unwrap();
        let whole = Book::open(&bytes, &limits).unwrap();
        let (threaded, streamed) = Book::open_threaded_from(&bytes, &limits, 0, &mut ()).unwrap();
        assert!(streamed);
        assert_eq!(digest(&threaded), digest(&whole));
        assert!(
            !Book::open_threaded_from(&bytes, &limits, bytes.len() + 1, &mut ())
                .unwrap()
                .1
        );
        // A damaged worksheet: the inflating thread refuses it and the file is read whole.
        let part = Book::stream(&bytes, &limits).unwrap().unwrap().part();
        let mut bad = bytes.clone();
        bad[(part.offset + part.compressed / 2) as usize] ^= 0x55;
        let code = |r: Result<Book>| r.err().map(|e| e.code());
        let threaded = |bytes: &[u8], limits: &Limits| {
            Book::open_threaded_from(bytes, limits, 0, &mut ()).map(|(book, _)| book)
        };
        let expected = code(Book::open(&bad, &limits));
        assert!(expected.is_some());
        assert_eq!(code(threaded(&bad, &limits)), expected);
        // A limit met while streaming is the same error.
        let small = Limits {
            max_cells: 50_000,
            ..limits
        };
        assert_eq!(
            Book::open_threaded_from(&bytes, &small, 0, &mut ())
                .map_err(|e| e.code())
                .err(),
            Some("too_large")
        );
    }

    /// The table built while two threads read the order list is the table built after.
    #[test]
    fn the_table_built_while_reading_is_the_table_built_after() {
        use crate::table::mapping::Overrides;
        use crate::table::Ahead;
        let limits = Limits::default();
        let bytes = crate::write::sample::orders(3_000, 5).unwrap();
        let whole = Book::open(&bytes, &limits).unwrap();
        let after = crate::table::dataset::choose(&whole, None, &Overrides::default()).unwrap();
        let mut ahead = Ahead::new(&Overrides::default());
        let (book, streamed) = Book::open_threaded_from(&bytes, &limits, 0, &mut ahead).unwrap();
        assert!(streamed);
        assert!(!ahead.sheet().is_empty());
        let index = book.sheet_index(ahead.sheet()).unwrap();
        let grid = book.grids[index].as_ref().unwrap();
        let built = ahead
            .finish(grid, &book.merges[index], &Overrides::default())
            .expect("built while reading");
        let orders = after.orders.expect("an order list");
        assert_eq!(built.sheet, orders.sheet);
        assert_eq!(format!("{built:?}"), format!("{orders:?}"));
    }
}
