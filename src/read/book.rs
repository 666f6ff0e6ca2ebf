//! Opening a file: every sheet listed, every worksheet's cells streamed into a [`Grid`].
//!
//! xlsx and xlsm go through the fast streaming reader of `xlsx` first and through `calamine`
//! when it declines the file; xlsb, xls and ods go through `calamine`; delimited text through
//! `text`. A large xlsx can be read in two halves on two cores (`stream`).

use crate::error::{Error, ErrorKind, Limit, Result};
use crate::read::calamine;
use crate::read::grid::{Grid, Limits};
pub use crate::read::sheet::{Merge, SheetInfo, SheetKind, Visibility};
use crate::read::sniff::{sniff, Format};
use crate::read::stream::Streaming;
use crate::read::text::TextMeta;
use std::io::Cursor;

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
                        calamine::read(book.format, bytes, limits, &mut book)?
                    }
                }
            }
            Format::Xlsb | Format::Xls | Format::Ods => {
                calamine::read(book.format, bytes, limits, &mut book)?
            }
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
        Ok(crate::read::xlsx::stream(bytes, limits)?.map(|inner| Streaming::new(book, inner)))
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
    /// workers): one scans the largest worksheet ([`crate::read::stream::Scan`]) while this one
    /// stores its cells, telling `rows` of each row as it completes.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open_threaded(
        bytes: &[u8],
        limits: &Limits,
        rows: &mut dyn crate::read::grid::RowSink,
    ) -> Result<Book> {
        // Below this, a second thread costs about what it saves.
        const LARGE: usize = 16 << 20;
        crate::read::stream::threaded(bytes, limits, LARGE, rows).map(|(book, _)| book)
    }

    pub(super) fn add_all(&mut self, sheets: Vec<crate::read::xlsx::Sheet>) {
        for s in sheets {
            self.add(s.name, s.visibility, s.kind, s.grid, s.merges);
        }
    }

    pub(super) fn nonempty(self) -> Result<Book> {
        if self.sheets.iter().all(|s| s.cells == 0) {
            return Err(Error::new(ErrorKind::EmptyWorkbook));
        }
        Ok(self)
    }

    pub(super) fn add(
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
    pub(super) fn remaining(&self, limits: &Limits) -> Limits {
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
        let (threaded, streamed) =
            crate::read::stream::threaded(&bytes, &limits, 0, &mut ()).unwrap();
        assert!(streamed);
        assert_eq!(digest(&threaded), digest(&whole));
        assert!(
            !crate::read::stream::threaded(&bytes, &limits, bytes.len() + 1, &mut ())
                .unwrap()
                .1
        );
        // A damaged worksheet: the inflating thread refuses it and the file is read whole.
        let part = Book::stream(&bytes, &limits).unwrap().unwrap().part();
        let mut bad = bytes.clone();
        bad[(part.offset + part.compressed / 2) as usize] ^= 0x55;
        let code = |r: Result<Book>| r.err().map(|e| e.code());
        let threaded = |bytes: &[u8], limits: &Limits| {
            crate::read::stream::threaded(bytes, limits, 0, &mut ()).map(|(book, _)| book)
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
            crate::read::stream::threaded(&bytes, &small, 0, &mut ())
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
        let (book, streamed) =
            crate::read::stream::threaded(&bytes, &limits, 0, &mut ahead).unwrap();
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
