//! A sheet turned into a clean, typed table: one typed column per mapped field, one entry per
//! data row, and a quality account of every row below the header.
//!
//! This is where `header` (where the table is), `mapping` (what each column means) and `normalize`
//! (what each cell says) meet. Rows are walked once; each cell of a loaded column is converted by
//! its field's kind (money, date, identifier, label); a cell that will not convert becomes a
//! missing value plus a warning naming its cell (订单明细!F57). Text is cleaned once per distinct
//! string, not once per cell.

pub mod cell_ref;
pub mod cutoff;
pub mod dataset;
pub mod days;
pub mod header;
pub mod mapping;
pub mod normalize;
pub mod orders;
pub mod quality;
mod together;

use crate::error::{Error, Limit, Result};
use crate::read::grid::{Grid, RowSink, RowWalker, StringPool, Value};
use crate::read::sheet::Merge;
use crate::table::quality::{Issue, Quality};
use chrono::NaiveDate;
use header::{Header, RowKind};
use mapping::{Field, FieldKind, Mapping, Overrides, Status};
use normalize::{DateParse, Num};

/// A missing text value.
pub const NO_TEXT: u32 = u32::MAX;
/// A missing [`Data::Key`] value.
pub const NO_KEY: u64 = 0;
pub use cell_ref::cell_ref;
pub use days::{date_of, day_number, YearOf, NO_DATE};
pub use together::Together;

/// Typed values of one column, one per table row.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Ids into the table's pool; [`NO_TEXT`] where empty.
    Text(Vec<u32>),
    /// NaN where empty or unreadable.
    Number(Vec<f64>),
    /// Days since 1970-01-01; [`NO_DATE`] where empty or unreadable.
    Date(Vec<i32>),
    /// A 64-bit hash of each value's identifier text, [`NO_KEY`] where empty: for values that
    /// are only ever told apart, never shown (a dated list's order ids, counted per customer).
    Key(Vec<u64>),
}

/// One column of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column index in the sheet.
    pub source: u32,
    /// `None` for an extra (unmapped) dimension.
    pub field: Option<Field>,
    pub year: Option<i32>,
    pub header: String,
    pub data: Data,
}

/// A sheet's data as a typed table.
#[derive(Debug, Clone)]
pub struct Table {
    pub sheet: String,
    pub header: Header,
    pub mapping: Mapping,
    /// The sheet row (zero-based) of each table row.
    pub rows: Vec<u32>,
    pub columns: Vec<Column>,
    pub pool: StringPool,
    pub quality: Quality,
    /// Columns worked out from others (the amount from quantity × unit price).
    pub derived: Vec<orders::Derived>,
    /// Columns whose values showed their header's field to be wrong, and what they were taken for.
    pub reread: Vec<orders::Reread>,
    /// The sheets read together into this table (one layout), in workbook order; empty when
    /// it is one sheet's.
    pub combined: Vec<String>,
}

impl Table {
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// The column mapped to `field` (the one without a year when the field is split by year).
    pub fn column(&self, field: Field) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.field == Some(field) && c.year.is_none())
            .or_else(|| self.columns.iter().find(|c| c.field == Some(field)))
    }

    pub fn has(&self, field: Field) -> bool {
        self.columns.iter().any(|c| c.field == Some(field))
    }

    pub fn text(&self, id: u32) -> Option<&str> {
        (id != NO_TEXT).then(|| self.pool.get(id))
    }

    /// `Sheet!A1`-style reference of a table cell.
    pub fn cell_ref(&self, col: u32, row: u32) -> String {
        cell_ref(&self.sheet, col, row)
    }
}

/// Builds the table of one sheet.
pub fn build(sheet: &str, grid: &Grid, merges: &[Merge], overrides: &Overrides) -> Result<Table> {
    build_in_batches(sheet, grid, merges, overrides, BATCH)
}

/// [`build`], adding rows `batch` at a time.
fn build_in_batches(
    sheet: &str,
    grid: &Grid,
    merges: &[Merge],
    overrides: &Overrides,
    batch: usize,
) -> Result<Table> {
    let header = header::locate(grid, merges, sheet)?;
    let mapping = mapping::map_columns(&header.labels, overrides);
    let mut b = Builder::new(sheet, grid, &header, &mapping);
    b.batch = batch;
    b.reserve(grid);
    let mut walker = RowWalker::new(grid);
    let mut cells = Vec::new();
    while let Some(row) = walker.next_row(&mut cells) {
        b.row(grid, row, &cells)?;
    }
    b.finish(grid, header, mapping)
}

/// A sheet's table built while the sheet is still being read, so that building it overlaps
/// reading it (the page's two workers; the CLI's two threads). Rows come in as they complete; once
/// the header can be located (its [`header::SCAN_ROWS`] rows are in), the table is built from the
/// rows so far and then from each new one. Merged cells come after a sheet's cells, so
/// [`Ahead::finish`] locates the header again on the finished grid and gives the table only if it
/// is the same header; otherwise, or if rows came out of order, the caller builds the table from
/// the finished grid as usual ([`build`]), which gives the same table.
pub struct Ahead {
    sheet: String,
    overrides: Overrides,
    state: AheadState,
}

enum AheadState {
    /// Non-empty rows taken so far, before the header can be located.
    Waiting(usize),
    Building(Box<(Header, Mapping, Builder)>),
    Dropped,
}

impl Ahead {
    pub fn new(overrides: &Overrides) -> Self {
        Ahead {
            sheet: String::new(),
            overrides: overrides.clone(),
            state: AheadState::Waiting(0),
        }
    }

    /// The sheet whose rows it was told.
    pub fn sheet(&self) -> &str {
        &self.sheet
    }

    /// Locates the header on the rows up to `last` and takes those rows into the table.
    fn start(&mut self, grid: &Grid, last: u32) {
        self.state = AheadState::Dropped;
        let Ok(header) = header::locate(grid, &[], &self.sheet) else {
            return;
        };
        let mapping = mapping::map_columns(&header.labels, &self.overrides);
        let mut b = Builder::new(&self.sheet, grid, &header, &mapping);
        let mut walker = RowWalker::new(grid);
        let mut cells = Vec::new();
        while let Some(row) = walker.next_row(&mut cells).filter(|&r| r <= last) {
            if b.row(grid, row, &cells).is_err() {
                return;
            }
        }
        self.state = AheadState::Building(Box::new((header, mapping, b)));
    }

    /// The table of the finished `grid` (with its `merges`), if building ahead gave it, for
    /// `overrides`.
    pub fn finish(self, grid: &Grid, merges: &[Merge], overrides: &Overrides) -> Option<Table> {
        let AheadState::Building(b) = self.state else {
            return None;
        };
        let (header, mapping, builder) = *b;
        if self.overrides != *overrides
            || header::locate(grid, merges, &self.sheet).ok().as_ref() != Some(&header)
        {
            return None;
        }
        builder.finish(grid, header, mapping).ok()
    }
}

impl RowSink for Ahead {
    fn begin(&mut self, sheet: &str) {
        self.sheet = sheet.to_string();
    }

    fn row(&mut self, grid: &Grid, row: u32, cells: &[(u32, Value)]) {
        match &mut self.state {
            AheadState::Waiting(n) => {
                *n += 1;
                if *n >= header::SCAN_ROWS {
                    self.start(grid, row);
                }
            }
            AheadState::Building(b) => {
                if b.2.row(grid, row, cells).is_err() {
                    self.state = AheadState::Dropped;
                }
            }
            AheadState::Dropped => {}
        }
    }

    fn unordered(&mut self) {
        self.state = AheadState::Dropped;
    }
}

struct Loading {
    column: Column,
    kind: FieldKind,
    scale: f64,
    /// For a date column: what its text dates say of their day and month order.
    order: DayMonth,
}

/// What a date column's own values say of its day and month order (25/03/2024 can only be day
/// first, 03/25/2024 only month first), and the cells only that can decide (03/05/2024). A column
/// whose unambiguous dates all have one order reads its ambiguous ones the same way, without a
/// warning; a column without that evidence reads them month first and warns cell by cell.
#[derive(Default)]
struct DayMonth {
    month_first: u32,
    day_first: u32,
    /// Ambiguous cells: table row, sheet row, the text's id in the grid's pool, and the date read
    /// month first and day first.
    pending: Vec<(u32, u32, u32, NaiveDate, NaiveDate)>,
}

/// A table being built, row by row in sheet order: from a walk over a finished grid ([`build`]),
/// or while a large sheet is still being read ([`Ahead`]). The grid the rows live in is lent to
/// each call, so it may grow in between; rows held for a batch are added against the grid of a
/// later call, which still holds them unchanged.
struct Builder {
    sheet: String,
    /// The last header row: rows up to it are not the table's.
    header_end: u32,
    /// Columns under the header.
    width: u32,
    /// The non-empty header labels, which a repeated header row repeats.
    headers: Vec<String>,
    /// An order list without order ids cannot tell a copied line from a customer buying the
    /// same thing twice on one day: there, identical lines are kept and reported.
    keep_repeats: bool,
    /// By index into `columns`: whether it names the customer.
    is_customer: Vec<bool>,
    no_customer_columns: bool,
    /// The table is dense (every loaded column has a slot in every row), so a wide header over
    /// long, sparse rows could cost far more than the cells read: its slots are bounded by the
    /// same limit as the cells.
    max_rows: u64,
    max_cells: u64,
    rows: Vec<u32>,
    columns: Vec<Loading>,
    /// Column index in the sheet → index into `columns` (`u32::MAX`: not loaded).
    by_source: Vec<u32>,
    pool: StringPool,
    /// What is known of each grid text, by grid text id (grown as the grid's pool grows).
    seen: Vec<Seen>,
    /// The digest, first row and number of cells of each distinct content.
    seen_rows: hashbrown::HashTable<(u64, u32, u32)>,
    /// Rows taken but not yet added ([`Builder::flush`]), and their cells, end to end.
    held: Vec<Held>,
    held_cells: Vec<(u32, Value)>,
    /// How many rows are held before they are added ([`BATCH`]; other sizes in tests).
    batch: usize,
    quality: Quality,
}

/// A row waiting in [`Builder::held`]: its sheet row, the end of its cells in
/// [`Builder::held_cells`], and what [`Builder::digest`] found.
#[derive(Clone, Copy)]
struct Held {
    row: u32,
    end: u32,
    digest: u64,
    n_in_table: u32,
    non_blank: u32,
}

/// Rows held back to be added together. A million rows' digests make a table far larger than
/// the CPU's caches, so each row's lookup waits on memory: looking up a batch's slots one after
/// the other first lets those waits overlap (they were over half of the row step's time).
const BATCH: usize = 32;

impl Builder {
    fn new(sheet: &str, grid: &Grid, header: &Header, mapping: &Mapping) -> Self {
        let mut columns = Vec::new();
        let mut by_source = vec![u32::MAX; header.labels.len()];
        let mapped = |f: Field| {
            mapping.columns.iter().any(|m| {
                matches!(m.status, Status::Auto | Status::Overridden) && m.field == Some(f)
            })
        };
        // A dated list's order ids are only counted (RFM's F), never shown: they are loaded as
        // hashes. Kept as texts, they are a distinct text per line (a million at 1M rows) to
        // clean and intern, a fifth of the build.
        let dated = mapped(Field::OrderDate);
        let keep_repeats = dated && !mapped(Field::OrderId);
        // Except where the amount may be an order's total written on each of its lines: the ids
        // tell its lines apart by text (`orders::once_per_order`).
        let totals = mapping.columns.iter().any(|m| {
            m.field == Some(Field::Amount)
                && matches!(m.status, Status::Auto | Status::Overridden)
                && orders::order_total(&m.header)
        });
        let as_keys = dated && !totals;
        for m in &mapping.columns {
            let (field, kind) = match (m.status, m.field) {
                (Status::Auto | Status::Overridden, Some(f)) => (Some(f), f.kind()),
                (Status::Ignored, _) => continue,
                _ if m.header.trim().is_empty() => continue,
                _ => (None, FieldKind::Category),
            };
            // An income is often written as a bracket ("5000-8000"): its cells are kept as text,
            // and `facts` reads the numbers among them with the column's unit.
            let kind = match field {
                Some(Field::Income) => FieldKind::Category,
                _ => kind,
            };
            let data = match kind {
                FieldKind::Number | FieldKind::Money | FieldKind::Score => Data::Number(Vec::new()),
                FieldKind::Date => Data::Date(Vec::new()),
                FieldKind::Text | FieldKind::Id | FieldKind::Category => Data::Text(Vec::new()),
            };
            let data = if as_keys && field == Some(Field::OrderId) {
                Data::Key(Vec::new())
            } else {
                data
            };
            if let Some(slot) = by_source.get_mut(m.index as usize) {
                *slot = columns.len() as u32;
            } else {
                continue;
            }
            columns.push(Loading {
                column: Column {
                    source: m.index,
                    field,
                    year: if field.is_some() { m.year } else { None },
                    header: m.header.clone(),
                    data,
                },
                kind,
                order: DayMonth::default(),
                scale: if m.scale.is_finite() && m.scale != 0.0 {
                    m.scale
                } else {
                    1.0
                },
            });
        }
        let n_strings = grid.pool.len();
        let is_customer: Vec<bool> = columns
            .iter()
            .map(|c| {
                matches!(
                    c.column.field,
                    Some(Field::CustomerId | Field::CustomerName)
                )
            })
            .collect();
        let max_cells = grid.limits().max_cells;
        let quality = Quality {
            rows_above_header: header.rows_above.len() as u64,
            header_rows: (header.rows.0 + 1, header.rows.1 + 1),
            ..Quality::default()
        };
        Builder {
            sheet: sheet.to_string(),
            header_end: header.rows.1,
            width: header.labels.len() as u32,
            headers: header::header_texts(&header.labels)
                .into_iter()
                .map(str::to_string)
                .collect(),
            keep_repeats,
            no_customer_columns: !is_customer.contains(&true),
            is_customer,
            max_rows: max_cells / columns.len().max(1) as u64,
            max_cells,
            rows: Vec::new(),
            columns,
            by_source,
            pool: {
                // Each distinct grid text becomes at most one table text; only numbers in text
                // columns, printed as text, can add more (and then the index grows).
                let mut pool = StringPool::new();
                pool.reserve(n_strings);
                pool
            },
            seen: vec![Seen::NEW; n_strings],
            seen_rows: hashbrown::HashTable::new(),
            held: Vec::with_capacity(BATCH),
            held_cells: Vec::new(),
            batch: BATCH,
            quality,
        }
    }

    /// Room for every row of a finished `grid`, made once. Bounded by the cells read.
    fn reserve(&mut self, grid: &Grid) {
        let below_header = grid
            .max_row()
            .map_or(0, |m| u64::from(m.saturating_sub(self.header_end)));
        let expected = below_header.min(grid.n_cells()).min(self.max_rows) as usize;
        self.rows.reserve(expected);
        // Every row walked below the header may be remembered (rows without a customer too, so
        // their copies count as copies).
        let walked = below_header.min(grid.n_cells()) as usize;
        self.seen_rows.reserve(walked, |&(d, _, _)| d);
        for col in &mut self.columns {
            match &mut col.column.data {
                Data::Text(v) => v.reserve(expected),
                Data::Number(v) => v.reserve(expected),
                Data::Date(v) => v.reserve(expected),
                Data::Key(v) => v.reserve(expected),
            }
        }
    }

    /// Takes sheet row `row`, whose non-empty cells are `cells` in column order, stored in
    /// `grid` with every row before it. Rows come in ascending order. The row is added with the
    /// rows after it that fill its batch, or at [`Builder::finish`].
    fn row(&mut self, grid: &Grid, row: u32, cells: &[(u32, Value)]) -> Result<()> {
        if row <= self.header_end {
            return Ok(());
        }
        self.held_cells.extend_from_slice(cells);
        self.held.push(Held {
            row,
            end: self.held_cells.len() as u32,
            digest: 0,
            n_in_table: 0,
            non_blank: 0,
        });
        if self.held.len() >= self.batch {
            self.flush(grid)?;
        }
        Ok(())
    }

    /// Adds the held rows: their texts' records read ahead, their digests, then their slots in
    /// `seen_rows` looked up together, then each row in order, as if each had been added when it
    /// came.
    fn flush(&mut self, grid: &Grid) -> Result<()> {
        if self.seen.len() < grid.pool.len() {
            self.seen.resize(grid.pool.len(), Seen::NEW);
        }
        let mut held = std::mem::take(&mut self.held);
        let cells = std::mem::take(&mut self.held_cells);
        // Only brings the texts' slots into cache, for the digests below to find them there: a
        // million-row sheet's texts outgrow the caches, and the customer column's come in no
        // order.
        let mut fetched = 0u64;
        for &(_, v) in &cells {
            if let Value::Text(i) = v {
                if let Some(seen) = self.seen.get(i as usize) {
                    fetched ^= seen.word;
                }
            }
        }
        std::hint::black_box(fetched);
        let mut start = 0;
        for h in &mut held {
            let row_cells = cells.get(start..h.end as usize).unwrap_or(&[]);
            (h.digest, h.n_in_table, h.non_blank) = self.digest(grid, row_cells);
            start = h.end as usize;
        }
        // Only brings the slots into cache, for the lookups below to find them there.
        let mask = self.seen_rows.num_buckets().wrapping_sub(1);
        let mut fetched = 0u64;
        for h in &held {
            if let Some(&(d, _, _)) = self.seen_rows.get_bucket(h.digest as usize & mask) {
                fetched ^= d;
            }
        }
        std::hint::black_box(fetched);
        let mut done = Ok(());
        let mut start = 0;
        for h in &held {
            let row_cells = cells.get(start..h.end as usize).unwrap_or(&[]);
            start = h.end as usize;
            done = self.add(grid, h, row_cells);
            if done.is_err() {
                break;
            }
        }
        held.clear();
        self.held = held;
        let mut cells = cells;
        cells.clear();
        self.held_cells = cells;
        done
    }

    /// A row's digest (its cells' columns and values, texts by content), how many of its cells
    /// are under the header and how many of those are non-blank texts.
    fn digest(&mut self, grid: &Grid, cells: &[(u32, Value)]) -> (u64, u32, u32) {
        let width = self.width;
        let mut n_in_table = 0u32;
        let mut non_blank = 0u32;
        let mut h = Digest::default();
        for &(c, v) in cells {
            h.add(u64::from(c));
            h.add(cell_word(v, |i| {
                let word = self.word(grid, i);
                if c < width && word & BLANK == 0 && matches!(v, Value::Text(_)) {
                    non_blank += 1;
                }
                word & TEXT_HASH
            }));
            if c < width {
                n_in_table += 1;
            }
        }
        (h.0, n_in_table, non_blank)
    }

    /// Adds held row `h` (its cells are `cells`) as a row taken alone was added: its kind, the
    /// duplicate-row index, the customer check, then its values.
    fn add(&mut self, grid: &Grid, h: &Held, cells: &[(u32, Value)]) -> Result<()> {
        let (row, n_in_table, non_blank) = (h.row, h.n_in_table as usize, h.non_blank as usize);
        let width = self.width;
        self.quality.rows_read += 1;
        let kind = if header::RowTexts::may_be_special(n_in_table, non_blank) {
            let mut texts = header::RowTexts::default();
            for &(c, v) in cells {
                if let (true, Value::Text(i)) = (c < width, v) {
                    texts.add(self.flags(grid, i));
                }
            }
            texts.kind(n_in_table)
        } else {
            RowKind::Data
        };
        if kind != RowKind::Data {
            self.quality.skip(kind_reason(kind), &self.sheet, row);
            return Ok(());
        }
        // A digest match is only a candidate: the rows are compared cell by cell.
        let digest = h.digest;
        let n = cells.len() as u32;
        let first = match self.seen_rows.entry(
            digest,
            |&(d, first, m)| d == digest && m == n && same_cells(grid, first, cells),
            |&(d, _, _)| d,
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Some(e.get().1),
            hashbrown::hash_table::Entry::Vacant(e) => {
                e.insert((digest, row, n));
                None
            }
        };
        if let Some(first) = first {
            if self.keep_repeats {
                self.quality.repeated(&self.sheet, first, row);
            } else {
                self.quality.duplicate(&self.sheet, first, row);
                return Ok(());
            }
        }

        let has_customer = self.no_customer_columns
            || cells.iter().any(|&(c, _)| {
                self.slot(c)
                    .is_some_and(|i| self.is_customer.get(i).copied().unwrap_or(false))
            });
        if !has_customer {
            self.quality.skip(
                crate::table::quality::SkipReason::NoCustomer,
                &self.sheet,
                row,
            );
            return Ok(());
        }

        let t = self.rows.len();
        if t as u64 >= self.max_rows {
            return Err(Error::too_large(Limit::Cells, self.max_cells));
        }
        self.rows.push(row);
        for col in &mut self.columns {
            match &mut col.column.data {
                Data::Text(v) => v.push(NO_TEXT),
                Data::Number(v) => v.push(f64::NAN),
                Data::Date(v) => v.push(NO_DATE),
                Data::Key(v) => v.push(NO_KEY),
            }
        }
        for &(c, v) in cells {
            if let Some(i) = self.slot(c) {
                self.convert(grid, i, t, row, v);
            }
        }
        Ok(())
    }

    fn finish(mut self, grid: &Grid, header: Header, mapping: Mapping) -> Result<Table> {
        self.flush(grid)?;
        self.settle_day_month_order(grid);
        let Builder {
            sheet,
            rows,
            columns,
            mut pool,
            mut quality,
            ..
        } = self;
        quality.rows_used = rows.len() as u64;
        pool.freeze();
        let mut table = Table {
            sheet,
            header,
            mapping,
            rows,
            columns: columns.into_iter().map(|c| c.column).collect(),
            pool,
            quality,
            derived: Vec::new(),
            reread: Vec::new(),
            combined: Vec::new(),
        };
        orders::settle(&mut table);
        Ok(table)
    }

    /// Reads each date column's ambiguous cells in the order its other dates show, or warns
    /// about them where the column does not say.
    fn settle_day_month_order(&mut self, grid: &Grid) {
        for c in &mut self.columns {
            let order = std::mem::take(&mut c.order);
            let decided = match (order.month_first, order.day_first) {
                (0, 0) => None,
                (_, 0) => Some(false),
                (0, _) => Some(true),
                _ => None,
            };
            for (t, row, id, a, b) in order.pending {
                match decided {
                    Some(true) => {
                        if let Data::Date(v) = &mut c.column.data {
                            if let Some(slot) = v.get_mut(t as usize) {
                                *slot = day_number(b);
                            }
                        }
                    }
                    Some(false) => {}
                    None => self.quality.issue(
                        Issue::AmbiguousDate,
                        &self.sheet,
                        c.column.source,
                        row,
                        grid.pool.get(id),
                        Some(format!("{a} / {b}")),
                    ),
                }
            }
        }
    }

    /// Grid text `i`'s [`Seen::word`], worked out on first sight (without its row-kind flags).
    fn word(&mut self, grid: &Grid, i: u32) -> u64 {
        match self.seen.get_mut(i as usize) {
            Some(seen) if seen.word != 0 => seen.word,
            slot => {
                let text = grid.pool.get(i);
                let blank = if text.trim().is_empty() { BLANK } else { 0 };
                let word = text_hash(text) & TEXT_HASH | SEEN | blank;
                if let Some(seen) = slot {
                    seen.word = word;
                }
                word
            }
        }
    }

    /// Grid text `i`'s [`header::text_flags`], worked out on first need: only rows that may
    /// not be data need them.
    fn flags(&mut self, grid: &Grid, i: u32) -> u8 {
        let word = self.word(grid, i);
        if word & FLAGS != 0 {
            return (word & FLAGS) as u8;
        }
        let flags = header::text_flags(grid.pool.get(i), &self.headers);
        if let Some(seen) = self.seen.get_mut(i as usize) {
            seen.word = word | u64::from(flags) & FLAGS;
        }
        flags
    }

    /// The index into `columns` of sheet column `c`, if it is loaded.
    fn slot(&self, c: u32) -> Option<usize> {
        match self.by_source.get(c as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            _ => None,
        }
    }

    fn convert(&mut self, grid: &Grid, i: usize, t: usize, row: u32, v: Value) {
        let Some(col) = self.columns.get(i) else {
            return;
        };
        let (kind, scale, source) = (col.kind, col.scale, col.column.source);
        let field = col.column.field;
        if let Data::Key(_) = col.column.data {
            let key = id_key(v, &grid.pool);
            if let Some(Data::Key(vals)) = self.data_mut(i) {
                if let Some(slot) = vals.get_mut(t) {
                    *slot = key;
                }
            }
            return;
        }
        match kind {
            FieldKind::Number | FieldKind::Money | FieldKind::Score => {
                let x = match v {
                    Value::Number(x) => Some(x * scale),
                    Value::Text(id) => match normalize::parse_number(grid.pool.get(id)) {
                        Num::Value(x) => Some(x * scale),
                        Num::Empty => None,
                        Num::Invalid => {
                            self.invalid(grid, source, row, v, field, "number");
                            None
                        }
                    },
                    Value::Bool(_) | Value::Date(_) | Value::Error(_) => {
                        self.invalid(grid, source, row, v, field, "number");
                        None
                    }
                };
                if let (Some(x), Some(Data::Number(vals))) = (x, self.data_mut(i)) {
                    if let Some(slot) = vals.get_mut(t) {
                        *slot = x;
                    }
                }
            }
            FieldKind::Date => {
                // The table's day number; a date cell's serial converts without building a date.
                let d = match v {
                    Value::Date(s) => serial_day(s),
                    Value::Number(x) => number_as_date(x).map(day_number),
                    Value::Text(id) => match normalize::parse_date_text(grid.pool.get(id)) {
                        DateParse::Date(d) => {
                            if let (Some(day_first), Some(c)) = (
                                normalize::day_first(grid.pool.get(id)),
                                self.columns.get_mut(i),
                            ) {
                                let o = &mut c.order;
                                *if day_first {
                                    &mut o.day_first
                                } else {
                                    &mut o.month_first
                                } += 1;
                            }
                            Some(day_number(d.date()))
                        }
                        DateParse::Ambiguous { a, b } => {
                            if let (Some(c), Ok(t)) = (self.columns.get_mut(i), u32::try_from(t)) {
                                c.order.pending.push((t, row, id, a, b));
                            }
                            Some(day_number(a))
                        }
                        DateParse::Empty => return,
                        DateParse::Invalid => None,
                    },
                    Value::Bool(_) | Value::Error(_) => None,
                };
                if d.is_none() {
                    self.invalid(grid, source, row, v, field, "date");
                }
                if let (Some(d), Some(Data::Date(vals))) = (d, self.data_mut(i)) {
                    if let Some(slot) = vals.get_mut(t) {
                        *slot = d;
                    }
                }
            }
            FieldKind::Text | FieldKind::Id | FieldKind::Category => {
                let id = self.text_id(grid, v, kind == FieldKind::Id);
                if let (Some(id), Some(Data::Text(vals))) = (id, self.data_mut(i)) {
                    if let Some(slot) = vals.get_mut(t) {
                        *slot = id;
                    }
                }
            }
        }
    }

    fn data_mut(&mut self, i: usize) -> Option<&mut Data> {
        self.columns.get_mut(i).map(|c| &mut c.column.data)
    }

    /// The pool id of a cell's text: identifiers trimmed only, labels cleaned; numbers printed
    /// without exponent or trailing ".0" (so a phone number stays 13800138000).
    fn text_id(&mut self, grid: &Grid, v: Value, is_id: bool) -> Option<u32> {
        let limits = *grid.limits();
        if let Value::Text(gid) = v {
            if let Some(seen) = self.seen.get(gid as usize) {
                let id = if is_id { seen.id } else { seen.label };
                if id != NO_TEXT {
                    return Some(id);
                }
            }
            let raw = grid.pool.get(gid);
            let text = if is_id {
                std::borrow::Cow::Borrowed(raw.trim())
            } else {
                normalize::clean_label(raw)
            };
            if text.is_empty() {
                return None;
            }
            let id = self.pool.intern(&text, &limits).ok()?;
            if let Some(seen) = self.seen.get_mut(gid as usize) {
                *if is_id { &mut seen.id } else { &mut seen.label } = id;
            }
            return Some(id);
        }
        let text = match v {
            Value::Date(s) => normalize::excel_serial_to_datetime(s)
                .map(|d| d.date().to_string())
                .map(std::borrow::Cow::Owned),
            _ => normalize::id_text(v, &grid.pool),
        }?;
        self.pool.intern(&text, &limits).ok()
    }

    fn invalid(
        &mut self,
        grid: &Grid,
        col: u32,
        row: u32,
        v: Value,
        field: Option<Field>,
        expected: &str,
    ) {
        let shown = match v {
            Value::Text(id) | Value::Error(id) => grid.pool.get(id).to_string(),
            Value::Number(x) | Value::Date(x) => format!("{x}"),
            Value::Bool(b) => b.to_string(),
        };
        let issue = if expected == "date" {
            Issue::InvalidDate
        } else {
            Issue::InvalidNumber
        };
        self.quality.issue(
            issue,
            &self.sheet,
            col,
            row,
            &shown,
            field.map(|f| f.key().to_string()),
        );
    }
}

/// The table day number of an Excel serial (1900 system, the fake 1900-02-29 read as 02-28; a
/// time of day at or past 23:59:59.5 rounds to the next day), as
/// [`normalize::excel_serial_to_datetime`] reads it, without building a date.
fn serial_day(serial: f64) -> Option<i32> {
    let (days, _) = normalize::excel_serial_parts(serial)?;
    i32::try_from(days - SERIAL_1970).ok()
}

/// Days from 1899-12-31 (the day before serial 1) to 1970-01-01.
const SERIAL_1970: i64 = 25_568;

/// What the build works out once per distinct grid text, kept side by side: the customer
/// column's texts are met in no particular order, and a text met again costs one memory access
/// instead of up to three.
#[derive(Clone, Copy)]
struct Seen {
    /// [`text_hash`] above the low byte; in it [`SEEN`] (so a word of 0 is "not yet worked
    /// out"), [`BLANK`], and the text's [`header::text_flags`] once needed ([`FLAGS`]).
    word: u64,
    /// Cleaned label id in the table's pool, or [`NO_TEXT`].
    label: u32,
    /// Trimmed identifier id in the table's pool, or [`NO_TEXT`].
    id: u32,
}

impl Seen {
    const NEW: Seen = Seen {
        word: 0,
        label: NO_TEXT,
        id: NO_TEXT,
    };
}

/// The bits of a [`Seen::word`] that a row's digest takes.
const TEXT_HASH: u64 = !0xFF;
/// Set in every worked-out [`Seen::word`].
const SEEN: u64 = 0x80;
/// The text is empty once trimmed (as [`header::text_flags`] has it).
const BLANK: u64 = 0x40;
/// Where a [`Seen::word`] keeps the text's [`header::text_flags`] (never 0 once worked out).
const FLAGS: u64 = 0x3F;

/// A 64-bit digest on every target (`FxHasher` is 32-bit on wasm32, where a million rows would
/// give a hundred false matches): FxHash's word step on `u64`s.
#[derive(Default)]
struct Digest(u64);

impl Digest {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// The word a row's digest takes for a cell; `text` gives a text's word.
fn cell_word(v: Value, text: impl FnOnce(u32) -> u64) -> u64 {
    match v {
        Value::Number(x) | Value::Date(x) => x.to_bits(),
        Value::Text(i) | Value::Error(i) => text(i),
        Value::Bool(b) => u64::from(b),
    }
}

/// The word a row's digest takes for a text (its bits in [`TEXT_HASH`]), the same for equal
/// texts however they are stored.
fn text_hash(s: &str) -> u64 {
    let mut h = Digest::default();
    let mut chunks = s.as_bytes().chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h.add(u64::from_le_bytes(w));
    }
    let mut w = [0u8; 8];
    for (slot, b) in w.iter_mut().zip(chunks.remainder()) {
        *slot = *b;
    }
    h.add(u64::from_le_bytes(w));
    h.add(s.len() as u64);
    h.0
}

/// The [`Data::Key`] of a cell: the [`text_hash`] of its identifier text (as
/// [`normalize::id_text`] has it, so 1001 and "1001 " are one order), [`NO_KEY`] when it has none.
fn id_key(v: Value, pool: &StringPool) -> u64 {
    let h = match v {
        Value::Text(id) => {
            let t = pool.get(id).trim();
            if t.is_empty() {
                return NO_KEY;
            }
            text_hash(t)
        }
        // The usual order number: its digits, written out without allocating.
        Value::Number(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e18 => {
            let mut buf = [0u8; 20];
            text_hash(integer_text(x as i64, &mut buf))
        }
        _ => match normalize::id_text(v, pool) {
            Some(t) => text_hash(&t),
            None => return NO_KEY,
        },
    };
    h.max(1)
}

/// `n` (|n| < 10¹⁸) in decimal, written at the end of `buf`.
fn integer_text(n: i64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    let mut m = n.unsigned_abs();
    while at > 1 {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'0' + (m % 10) as u8;
        }
        m /= 10;
        if m == 0 {
            break;
        }
    }
    if n < 0 {
        at -= 1;
        if let Some(b) = buf.get_mut(at) {
            *b = b'-';
        }
    }
    std::str::from_utf8(buf.get(at..).unwrap_or_default()).unwrap_or_default()
}

/// Whether sheet row `row` holds exactly `cells` (given that it holds as many): the same
/// kinds of value, texts compared as text.
fn same_cells(grid: &Grid, row: u32, cells: &[(u32, Value)]) -> bool {
    cells.iter().all(|&(c, v)| match (grid.get(row, c), v) {
        (Some(Value::Text(a)), Value::Text(b)) | (Some(Value::Error(a)), Value::Error(b)) => {
            a == b || grid.pool.get(a) == grid.pool.get(b)
        }
        (Some(Value::Number(a)), Value::Number(b)) | (Some(Value::Date(a)), Value::Date(b)) => {
            a.to_bits() == b.to_bits()
        }
        (Some(Value::Bool(a)), Value::Bool(b)) => a == b,
        _ => false,
    })
}

/// A number in a date column: 20240305 as yyyymmdd, otherwise an Excel serial.
fn number_as_date(x: f64) -> Option<NaiveDate> {
    if x.fract() == 0.0 && (19_000_101.0..=21_001_231.0).contains(&x) {
        let n = x as u32;
        return NaiveDate::from_ymd_opt((n / 10_000) as i32, n / 100 % 100, n % 100);
    }
    normalize::excel_serial_to_datetime(x).map(|d| d.date())
}

fn kind_reason(kind: RowKind) -> crate::table::quality::SkipReason {
    use crate::table::quality::SkipReason;
    match kind {
        RowKind::Total => SkipReason::Total,
        RowKind::Note => SkipReason::Note,
        RowKind::RepeatedHeader => SkipReason::RepeatedHeader,
        RowKind::Blank | RowKind::Data => SkipReason::Blank,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn order_keys_are_the_ids_text() {
        let limits = crate::read::grid::Limits::default();
        let mut pool = StringPool::new();
        let mut text = |s: &str| Value::Text(pool.intern(s, &limits).unwrap());
        let (a, b, c, d, e) = (
            text(" 1001 "),
            text("1002"),
            text("-7"),
            text("  "),
            text("0"),
        );
        let key = |v| id_key(v, &pool);
        assert_eq!(key(Value::Number(1001.0)), key(a));
        assert_eq!(key(Value::Number(1002.0)), key(b));
        assert_eq!(key(Value::Number(-7.0)), key(c));
        assert_eq!(key(Value::Number(0.0)), key(e));
        assert_ne!(key(a), key(b));
        assert_eq!(key(d), NO_KEY);
        assert_eq!(key(Value::Error(0)), NO_KEY);
        let mut buf = [0u8; 20];
        assert_eq!(
            integer_text(-999_999_999_999_999_999, &mut buf),
            "-999999999999999999"
        );
    }

    #[test]
    fn serial_day_reads_serials_as_the_date_reader_does() {
        let serials = [
            1.0,
            59.0,
            60.0,
            61.0,
            25_569.0,
            25_568.5,
            45_292.25,
            45_292.999_999,
            2_958_465.0,
        ];
        for s in serials {
            let want = normalize::excel_serial_to_datetime(s).map(|d| day_number(d.date()));
            assert_eq!(serial_day(s), want, "serial {s}");
        }
        assert_eq!(serial_day(25_569.0), Some(0));
        assert_eq!(serial_day(0.5), None);
        assert_eq!(serial_day(f64::NAN), None);
    }

    #[test]
    fn remembered_years_are_the_dates_years() {
        let mut years = YearOf::new();
        // Days a slot apart share it; both orders of asking, and days before 1970.
        let days = [
            0,
            4096,
            0,
            -1,
            4095,
            -4097,
            19_000,
            23_096,
            19_000,
            2_932_896,
            i32::MAX,
        ];
        for day in days
            .into_iter()
            .chain(-800_000..-799_000)
            .chain(18_000..30_000)
        {
            assert_eq!(years.year(day), date_of(day).map(|d| d.year()), "day {day}");
        }
        assert_eq!(years.year(NO_DATE), None);
    }
}

#[cfg(test)]
mod ahead_tests {
    use super::*;

    impl Ahead {
        fn begun(sheet: &str, overrides: &Overrides) -> Self {
            let mut a = Ahead::new(overrides);
            a.begin(sheet);
            a
        }
    }
    use crate::read::grid::{Cell, Limits};
    use proptest::prelude::*;

    /// A cell of a generated order list: (column, kind, pick).
    fn cell(col: u32, kind: u8, k: u8) -> Cell<'static> {
        const TEXTS: [&str; 8] = [
            "甲公司",
            "乙公司",
            " 甲公司",
            "合计",
            "华东",
            "注：单位元",
            "",
            "客户名称",
        ];
        match kind % 4 {
            0 => Cell::Text(TEXTS[usize::from(k) % TEXTS.len()]),
            1 => Cell::Number(f64::from(k) * 12.5),
            2 => Cell::Date(45_000.0 + f64::from(k)),
            _ if col == 1 => Cell::Text("2024-02-30"),
            _ => Cell::Text("1,234.5元"),
        }
    }

    proptest! {
        /// Building ahead, row by row while the grid grows, gives the table that building the
        /// finished grid gives (whenever it gives one), through titles, totals, notes, repeated
        /// headers, copies, rows without a customer and values that will not convert.
        #[test]
        fn building_ahead_gives_the_finished_grids_table(
            title in any::<bool>(),
            rows in proptest::collection::vec(
                proptest::collection::vec((0u32..5, 0u8..4, 0u8..8), 0..6),
                0..80,
            ),
        ) {
            let header = ["客户名称", "订单日期", "销售额", "所属区域", "备注"];
            let mut grid = Grid::new(Limits::default());
            let mut ahead = Ahead::begun("订单", &Overrides::default());
            let mut r = 0u32;
            let mut taken = 0usize;
            let mut push_row = |grid: &mut Grid, ahead: &mut Ahead, cells: &[(u32, Cell<'_>)]| {
                for &(c, v) in cells {
                    grid.push(r, c, v).unwrap();
                }
                let mut walker = RowWalker::new(grid);
                let mut got = Vec::new();
                let mut last = None;
                while let Some(row) = walker.next_row(&mut got) {
                    if row == r {
                        last = Some(got.clone());
                    }
                }
                if let Some(stored) = last {
                    ahead.row(grid, r, &stored);
                    taken += 1;
                }
                r += 1;
            };
            if title {
                push_row(&mut grid, &mut ahead, &[(0, Cell::Text("2024年订单明细"))]);
            }
            let labels: Vec<(u32, Cell<'_>)> =
                header.iter().enumerate().map(|(c, h)| (c as u32, Cell::Text(h))).collect();
            push_row(&mut grid, &mut ahead, &labels);
            for spec in &rows {
                let mut cells: Vec<(u32, Cell<'_>)> =
                    spec.iter().map(|&(c, kind, k)| (c, cell(c, kind, k))).collect();
                cells.sort_by_key(|&(c, _)| c);
                cells.dedup_by_key(|&mut (c, _)| c);
                push_row(&mut grid, &mut ahead, &cells);
            }
            let whole = build("订单", &grid, &[], &Overrides::default());
            match ahead.finish(&grid, &[], &Overrides::default()) {
                Some(t) => prop_assert_eq!(format!("{t:?}"), format!("{:?}", whole.unwrap())),
                None => prop_assert!(taken < header::SCAN_ROWS || whole.is_err()),
            }
        }
    }

    proptest! {
        /// Rows added in batches make the table that rows added one by one make: copies of rows
        /// in the same batch, in an earlier one, and of rows without a customer, found alike.
        #[test]
        fn batches_add_rows_as_one_by_one_does(
            keep_repeats in any::<bool>(),
            rows in proptest::collection::vec((0u8..5, 0u8..3, 0u8..2), 0..150),
        ) {
            let header: &[&str] = if keep_repeats {
                &["客户名称", "订单日期", "销售额"]
            } else {
                &["客户名称", "订单编号", "销售额"]
            };
            let mut grid = Grid::new(Limits::default());
            for (c, h) in header.iter().enumerate() {
                grid.push(0, c as u32, Cell::Text(h)).unwrap();
            }
            for (r, &(who, what, amount)) in rows.iter().enumerate() {
                let r = r as u32 + 1;
                // 3: a total row; 4: the header again.
                if who == 4 {
                    for (c, h) in header.iter().enumerate() {
                        grid.push(r, c as u32, Cell::Text(h)).unwrap();
                    }
                    continue;
                }
                if who > 0 {
                    let name = ["甲公司", "乙公司", "合计"][usize::from(who - 1)];
                    grid.push(r, 0, Cell::Text(name)).unwrap();
                }
                let second = if keep_repeats {
                    Cell::Date(45_000.0 + f64::from(what))
                } else {
                    Cell::Text(["A1", "A2", "A3"][usize::from(what)])
                };
                grid.push(r, 1, second).unwrap();
                grid.push(r, 2, Cell::Number(f64::from(amount))).unwrap();
            }
            let overrides = Overrides::default();
            let one = build_in_batches("订单", &grid, &[], &overrides, 1);
            if let Ok(t) = &one {
                // Copies are kept and reported where order lines have dates but no order ids.
                let q = &t.quality;
                prop_assert!(!keep_repeats || !q.rows_skipped.contains_key(&crate::table::quality::SkipReason::Duplicate));
                prop_assert!(keep_repeats || !q.issues.contains_key(&Issue::RepeatedLine));
            }
            let one = format!("{one:?}");
            for batch in [2, 7, BATCH] {
                let batched = format!("{:?}", build_in_batches("订单", &grid, &[], &overrides, batch));
                prop_assert_eq!(&batched, &one, "batch {}", batch);
            }
        }
    }

    #[test]
    fn a_header_that_merges_change_is_built_again() {
        // 销售额 over two year columns: a second header row only if the merge says so, and the
        // merge comes after the cells.
        let mut grid = Grid::new(Limits::default());
        let overrides = Overrides::default();
        let mut ahead = Ahead::begun("订单", &overrides);
        let mut cells = Vec::new();
        for r in 0..40u32 {
            match r {
                0 => {
                    grid.push(0, 0, Cell::Text("客户名称")).unwrap();
                    grid.push(0, 1, Cell::Text("销售额")).unwrap();
                }
                1 => {
                    grid.push(1, 1, Cell::Text("2023年")).unwrap();
                    grid.push(1, 2, Cell::Text("2024年")).unwrap();
                }
                _ => {
                    grid.push(r, 0, Cell::Text(if r % 2 == 0 { "甲" } else { "乙" }))
                        .unwrap();
                    grid.push(r, 1, Cell::Number(f64::from(r))).unwrap();
                    grid.push(r, 2, Cell::Number(f64::from(r) * 2.0)).unwrap();
                }
            }
            let mut w = RowWalker::new(&grid);
            while let Some(row) = w.next_row(&mut cells) {
                if row == r {
                    ahead.row(&grid, r, &cells);
                }
            }
        }
        let merges = [(0, 1, 0, 2)];
        let merged = build("订单", &grid, &merges, &overrides).unwrap();
        let plain = build("订单", &grid, &[], &overrides).unwrap();
        assert_eq!(merged.header.rows, (0, 1));
        assert_eq!(plain.header.rows, (0, 0));
        let mut again = Ahead::begun("订单", &overrides);
        let mut w = RowWalker::new(&grid);
        while let Some(row) = w.next_row(&mut cells) {
            again.row(&grid, row, &cells);
        }
        assert!(ahead.finish(&grid, &merges, &overrides).is_none());
        let t = again.finish(&grid, &[], &overrides).expect("built ahead");
        assert_eq!(format!("{t:?}"), format!("{plain:?}"));
        // Other overrides than those built with: built again.
        let mut third = Ahead::begun("订单", &overrides);
        let mut w = RowWalker::new(&grid);
        while let Some(row) = w.next_row(&mut cells) {
            third.row(&grid, row, &cells);
        }
        let other = Overrides::from_json(r#"{"客户名称": "ignore"}"#).unwrap();
        assert!(third.finish(&grid, &[], &other).is_none());
    }
}
