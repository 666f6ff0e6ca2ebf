//! The calamine readers: xlsb, xls and ods, and xlsx when the fast reader declines a file. Each
//! runs behind a panic guard, since calamine indexes some records by offsets read from the file.
//! xlsx and xlsb sheets stream cell by cell into the grid; xls and ods have no streaming API in
//! calamine, so their cells are copied out of its range (for xls the BIFF8 format itself bounds
//! that range to 65,536 × 256).

use crate::error::{Error, ErrorKind, Result};
use crate::progress::{self, Phase};
use crate::read::book::Book;
use crate::read::grid::{Cell, Grid, Limits, Value};
use crate::read::sheet::{SheetKind, Visibility};
use crate::read::sniff::Format;
use crate::read::xlsx::MAX_MERGES;
use calamine::{Data, DataRef, Reader};
use std::io::Cursor;

/// Reads every sheet of a calamine-read format into `book`.
pub(super) fn read(format: Format, bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    let reader = match format {
        Format::Xlsx | Format::Xlsm => "xlsx",
        Format::Xlsb => "xlsb",
        Format::Xls => "xls",
        Format::Ods => "ods",
        Format::Csv => return Ok(()),
    };
    guarded(reader, || match format {
        Format::Xlsx | Format::Xlsm => read_xlsx(bytes, limits, book),
        Format::Xlsb => read_xlsb(bytes, limits, book),
        Format::Xls => read_xls(bytes, limits, book),
        Format::Ods => read_ods(bytes, limits, book),
        Format::Csv => Ok(()),
    })
}

fn read_xlsx(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(error)?;
    let is_1904 = wb.has_1904_epoch();
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        if kind != SheetKind::Worksheet {
            book.add(meta.name, visibility, kind, None, Vec::new());
            continue;
        }
        let mut grid = Grid::new(book.remaining(limits));
        {
            let mut reader = wb.worksheet_cells_reader(&meta.name).map_err(error)?;
            let next = || reader.next_cell().map_err(error);
            stream_cells(&meta.name, &mut grid, is_1904, next)?;
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

/// Runs calamine's `reader` behind a panic boundary. calamine indexes some records by offsets and
/// keys read from the file (Apache POI's Simple.xlsb, and a malformed xlsb the robustness fuzzing
/// found, name a sheet relationship id its `HashMap` does not hold: indexing it panics), so where
/// unwinding exists (the CLI, the tests) such a file becomes an `unreadable` error: the reader
/// stopped, which says nothing certain about the file. The panic itself is expected here and
/// says nothing to the user, so the hook prints nothing for it (`quiet`). In wasm a panic aborts:
/// the page's worker ends with a message and a fresh worker takes the next file.
fn guarded(reader: &str, read: impl FnOnce() -> Result<()>) -> Result<()> {
    #[cfg(panic = "unwind")]
    let _quiet = quiet::Quiet::enter();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)) {
        Ok(r) => r,
        Err(_) => Err(Error::unreadable(format!("the {reader} reader stopped"))),
    }
}

/// Silence for the panics `guarded` catches. Rust's panic hook runs before unwinding, so it
/// would print a caught panic's message (and, with `RUST_BACKTRACE`, a backtrace) above kexi's
/// own one-line error. The first `guarded` installs a hook once that prints nothing while its
/// thread is inside `guarded` and hands every other panic to the hook it replaced. Only where
/// panics unwind: where they abort (wasm) nothing is caught and the message is all there is.
#[cfg(panic = "unwind")]
mod quiet {
    use std::cell::Cell;

    thread_local! {
        /// How many `guarded` calls this thread is inside.
        static DEPTH: Cell<u32> = const { Cell::new(0) };
    }

    /// This thread inside `guarded`, until dropped (by unwinding too).
    pub(super) struct Quiet(());

    impl Quiet {
        pub(super) fn enter() -> Quiet {
            static INSTALL: std::sync::Once = std::sync::Once::new();
            INSTALL.call_once(|| {
                let previous = std::panic::take_hook();
                std::panic::set_hook(Box::new(move |info| relay(|| previous(info))));
            });
            DEPTH.with(|d| d.set(d.get().saturating_add(1)));
            Quiet(())
        }
    }

    impl Drop for Quiet {
        fn drop(&mut self) {
            DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
        }
    }

    /// Whether this thread is inside `guarded`.
    pub(super) fn inside() -> bool {
        DEPTH.with(Cell::get) > 0
    }

    /// What the hook does with a panic: `previous` (the replaced hook) reports it unless this
    /// thread is inside `guarded`, which turns it into an error.
    pub(super) fn relay(previous: impl FnOnce()) {
        if !inside() {
            previous();
        }
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

/// xlsb has no merged regions in calamine; its cells stream like xlsx's.
fn read_xlsb(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    let mut wb: calamine::Xlsb<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(error)?;
    let is_1904 = wb.has_1904_epoch();
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        if kind != SheetKind::Worksheet {
            book.add(meta.name, visibility, kind, None, Vec::new());
            continue;
        }
        let mut grid = Grid::new(book.remaining(limits));
        {
            let mut reader = wb.worksheet_cells_reader(&meta.name).map_err(error)?;
            let next = || reader.next_cell().map_err(error);
            stream_cells(&meta.name, &mut grid, is_1904, next)?;
        }
        book.add(meta.name, visibility, kind, Some(grid), Vec::new());
    }
    Ok(())
}

/// Stores a sheet's cells as calamine's cell reader yields them (xlsx and xlsb alike), reporting
/// progress by row.
fn stream_cells<'a>(
    sheet: &str,
    grid: &mut Grid,
    is_1904: bool,
    mut next: impl FnMut() -> Result<Option<calamine::Cell<DataRef<'a>>>>,
) -> Result<()> {
    let mut shared = SharedIds::default();
    let mut ticks = Ticks::new(sheet);
    while let Some(cell) = next()? {
        let (row, col) = cell.get_position();
        ticks.at(row);
        push_ref(grid, &mut shared, row, col, cell.get_value(), is_1904)?;
    }
    Ok(())
}

fn read_xls(bytes: &[u8], limits: &Limits, book: &mut Book) -> Result<()> {
    // calamine holds each sheet as a dense grid; bound it like the cells we store.
    crate::read::ole::check(bytes, limits.max_cells.min(XLS_MAX_AREA))?;
    let mut wb: calamine::Xls<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(error)?;
    let is_1904 = wb.has_1904_epoch();
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        if kind != SheetKind::Worksheet {
            book.add(meta.name, visibility, kind, None, Vec::new());
            continue;
        }
        progress::report(Phase::Reading, Some(&meta.name), 0, None);
        let range = wb.worksheet_range(&meta.name).map_err(error)?;
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
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(error)?;
    let metas = wb.sheets_metadata().to_vec();
    for meta in metas {
        let (visibility, kind) = sheet_meta(&meta);
        progress::report(Phase::Reading, Some(&meta.name), 0, None);
        let range = wb.worksheet_range(&meta.name).map_err(error)?;
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
        return grid.push_value(row, col, Value::Text(id));
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

/// A calamine reader's error: which format it reads, and whether it says the file needs a
/// password.
trait Failed: std::fmt::Display {
    const FORMAT: &'static str;
    fn password(&self) -> bool;
}

impl Failed for calamine::XlsxError {
    const FORMAT: &'static str = "xlsx";
    fn password(&self) -> bool {
        matches!(self, calamine::XlsxError::Password)
    }
}

impl Failed for calamine::XlsbError {
    const FORMAT: &'static str = "xlsb";
    fn password(&self) -> bool {
        matches!(self, calamine::XlsbError::Password)
    }
}

impl Failed for calamine::XlsError {
    const FORMAT: &'static str = "xls";
    fn password(&self) -> bool {
        matches!(self, calamine::XlsError::Password)
    }
}

impl Failed for calamine::OdsError {
    const FORMAT: &'static str = "ods";
    fn password(&self) -> bool {
        matches!(self, calamine::OdsError::Password)
    }
}

/// calamine's error as kexi's: a password is an encrypted file, anything else a damaged one.
fn error<E: Failed>(e: E) -> Error {
    if e.password() {
        Error::new(ErrorKind::Encrypted)
    } else {
        Error::corrupt(format!("{}: {e}", E::FORMAT))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panic inside `guarded` is an `unreadable` error naming the reader, and the hook says
    /// nothing of it there; outside (before, after, after a panic) panics reach the hook before.
    #[test]
    #[cfg(panic = "unwind")]
    fn a_caught_panic_is_one_quiet_error() {
        let told = std::cell::Cell::new(0);
        let relayed = || quiet::relay(|| told.set(told.get() + 1));
        relayed();
        assert_eq!(told.get(), 1);
        let e = guarded("xlsb", || {
            relayed();
            guarded("xls", || Ok(())).unwrap();
            relayed();
            panic!("no entry found for key");
        })
        .unwrap_err();
        assert_eq!(told.get(), 1, "a panic inside guarded is not told");
        assert_eq!(e.code(), "unreadable");
        assert!(e.message_en().contains("the xlsb reader stopped"), "{e}");
        assert!(e.message_en().contains("cannot be read by kexi"), "{e}");
        assert!(!e.message_en().contains("damaged"), "{e}");
        assert!(!quiet::inside());
        relayed();
        assert_eq!(told.get(), 2, "panics after guarded are told again");
        // A reader's own error passes through unchanged.
        let damaged = guarded("xlsx", || Err(Error::corrupt("zip: bad"))).unwrap_err();
        assert_eq!(damaged.code(), "corrupt");
        assert!(!quiet::inside());
    }
}
