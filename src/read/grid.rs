//! The sparse columnar cell store every reader writes into, and the limits it enforces.
//!
//! Readers stream cells in; nothing ever allocates rows × columns. A column keeps its cells in row
//! order, and keeps row numbers only once a gap appears. Each cell is a kind and a payload: kinds
//! are kept as runs while the column holds one kind (nearly always, under a header), payloads in
//! 4 bytes while they fit (text ids, prices and amounts in whole cents, whole-day dates) and in 8
//! otherwise. A dense column of names or amounts costs 4 bytes a cell. Text lives once in a
//! [`StringPool`]; a cell holds its index, so repeated customer names cost 4 bytes, not a
//! `String`.
//!
//! Every push counts against [`Limits`]: the cell count and the text bytes are checked while
//! reading, so a 1 MB zip that claims ten million cells stops with an error, not an abort.

use crate::error::{Error, Limit, Result};

/// Safety limits for one file. The defaults fit a browser tab; the CLI may raise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Limits {
    /// Largest input file, in bytes.
    pub max_file_bytes: u64,
    /// Largest total of decompressed bytes read from a zip container.
    pub max_decompressed_bytes: u64,
    /// Most cells stored (non-empty cells of the chosen sheets).
    pub max_cells: u64,
    /// Most bytes of distinct text stored.
    pub max_text_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 512 << 20,
            max_decompressed_bytes: 4 << 30,
            max_cells: 50_000_000,
            max_text_bytes: 1 << 30,
        }
    }
}

/// Highest column index a sheet may use (Excel's XFD).
pub const MAX_COL: u32 = 16_383;

/// One cell as read from a file, borrowing its text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Number(f64),
    /// An Excel date/time serial in the 1900 system (readers convert 1904-system serials).
    Date(f64),
    Text(&'a str),
    Bool(bool),
    /// A formula error such as `#N/A` or `#DIV/0!`.
    Error(&'a str),
}

/// A stored cell: like [`Cell`] but text is an index into the grid's [`StringPool`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Number(f64),
    Date(f64),
    Text(u32),
    Bool(bool),
    Error(u32),
}

const TAG_NUMBER: u8 = 0;
const TAG_DATE: u8 = 1;
const TAG_TEXT: u8 = 2;
const TAG_BOOL: u8 = 3;
const TAG_ERROR: u8 = 4;
/// A number that is a whole count of hundredths (a price, an amount, a quantity) below 2³²:
/// stored as that count, in 4 bytes instead of 8.
const TAG_CENTS: u8 = 5;
/// A date serial that is a whole day, stored as that day.
const TAG_DAY: u8 = 6;

impl Value {
    fn pack(self) -> (u8, u64) {
        match self {
            Value::Number(x) => match cents(x) {
                Some(c) => (TAG_CENTS, c),
                None => (TAG_NUMBER, x.to_bits()),
            },
            Value::Date(x) => match whole(x) {
                Some(d) => (TAG_DAY, d),
                None => (TAG_DATE, x.to_bits()),
            },
            Value::Text(i) => (TAG_TEXT, i as u64),
            Value::Bool(b) => (TAG_BOOL, b as u64),
            Value::Error(i) => (TAG_ERROR, i as u64),
        }
    }

    fn unpack(tag: u8, bits: u64) -> Value {
        match tag {
            TAG_NUMBER => Value::Number(f64::from_bits(bits)),
            TAG_CENTS => Value::Number(bits as f64 / 100.0),
            TAG_DATE => Value::Date(f64::from_bits(bits)),
            TAG_DAY => Value::Date(bits as f64),
            TAG_TEXT => Value::Text(bits as u32),
            TAG_BOOL => Value::Bool(bits != 0),
            _ => Value::Error(bits as u32),
        }
    }
}

/// `x` as a count of hundredths below 2³², if that count gives back exactly `x`.
fn cents(x: f64) -> Option<u64> {
    let c = (x * 100.0).round();
    (x.is_sign_positive() && (0.0..4_294_967_296.0).contains(&c) && c / 100.0 == x)
        .then_some(c as u64)
}

/// `x` as a whole number below 2³², if it is one.
fn whole(x: f64) -> Option<u64> {
    (x.is_sign_positive() && (0.0..4_294_967_296.0).contains(&x) && x.fract() == 0.0)
        .then_some(x as u64)
}

/// Slots of the grid's recent-text cache (a power of two).
const RECENT: usize = 4096;

fn hash_str(s: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(s)
}

/// Appends `s` to a pool's `bytes`, `ends` and `empty` and returns its id, within the text
/// limit.
fn append(
    bytes: &mut String,
    ends: &mut Vec<u32>,
    empty: &mut Vec<u64>,
    s: &str,
    limits: &Limits,
) -> Result<u32> {
    let new_len = bytes.len() as u64 + s.len() as u64;
    if new_len > limits.max_text_bytes || new_len > u32::MAX as u64 {
        return Err(Error::too_large(Limit::TextBytes, limits.max_text_bytes));
    }
    let id = ends.len() as u32;
    bytes.push_str(s);
    ends.push(bytes.len() as u32);
    if id.is_multiple_of(64) {
        empty.push(0);
    }
    if let (true, Some(w)) = (s.is_empty(), empty.last_mut()) {
        *w |= 1 << (id % 64);
    }
    Ok(id)
}

/// String `id` of a pool's `bytes` and `ends` ("" if out of range).
fn text_at<'a>(bytes: &'a str, ends: &[u32], id: u32) -> &'a str {
    let (start, end) = span(ends, id);
    bytes.get(start as usize..end as usize).unwrap_or("")
}

/// Where string `id` starts and ends in a pool's bytes, from `ends` alone ((0, 0) if out of
/// range).
fn span(ends: &[u32], id: u32) -> (u32, u32) {
    let i = id as usize;
    let end = ends.get(i).copied().unwrap_or(0);
    let start = match i.checked_sub(1) {
        Some(p) => ends.get(p).copied().unwrap_or(0),
        None => 0,
    };
    (start, end)
}

/// Distinct strings stored once, addressed by `u32`.
#[derive(Debug, Default, Clone)]
pub struct StringPool {
    bytes: String,
    ends: Vec<u32>,
    /// A bit per string, set if it is empty: a reader asks it of every shared-string cell, and in
    /// a table of a million strings their ends are one more wait on memory each, these bits
    /// none.
    empty: Vec<u64>,
    /// Id of each indexed string: 4 bytes a string, the text and its hash being found from
    /// `bytes` when the table grows, so indexing a string allocates nothing.
    index: hashbrown::HashTable<u32>,

    /// Whether `intern` looks strings up before adding them.
    dedupe: bool,
}

impl StringPool {
    /// A pool that stores each distinct string once (for CSV and inline strings).
    pub fn new() -> Self {
        StringPool {
            dedupe: true,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Total bytes of text held.
    pub fn text_bytes(&self) -> u64 {
        self.bytes.len() as u64
    }

    pub fn get(&self, id: u32) -> &str {
        text_at(&self.bytes, &self.ends, id)
    }

    /// Whether string `id` is empty or absent, from a bit per string (not the ends or the bytes).
    pub fn is_empty_at(&self, id: u32) -> bool {
        id as usize >= self.ends.len()
            || self
                .empty
                .get(id as usize / 64)
                .is_none_or(|w| (w >> (id % 64)) & 1 == 1)
    }

    /// Appends `s` without looking for an earlier copy and returns its id. Readers use this for
    /// a workbook's shared-string table, which is already distinct and addressed by position.
    pub fn push(&mut self, s: &str, limits: &Limits) -> Result<u32> {
        append(&mut self.bytes, &mut self.ends, &mut self.empty, s, limits)
    }

    /// Returns the id of `s`, adding it if it is new.
    pub fn intern(&mut self, s: &str, limits: &Limits) -> Result<u32> {
        if !self.dedupe {
            return self.push(s, limits);
        }
        let (bytes, ends) = (&self.bytes, &self.ends);
        // One probe finds `s` or the slot for it (a new string is the usual case in a column
        // of order numbers, and each probe is a wait on memory in a large index).
        match self.index.entry(
            hash_str(s),
            |&id| text_at(bytes, ends, id) == s,
            |&i| hash_str(text_at(bytes, ends, i)),
        ) {
            hashbrown::hash_table::Entry::Occupied(e) => Ok(*e.get()),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let id = append(&mut self.bytes, &mut self.ends, &mut self.empty, s, limits)?;
                e.insert(id);
                Ok(id)
            }
        }
    }

    /// Room in the lookup index for `n` more strings, so that filling it never rehashes (a
    /// rehash finds every string's hash again from its text). One more than `n`: `intern` makes
    /// room for a new string before it looks, so a full index would grow on a lookup that finds.
    pub fn reserve(&mut self, n: usize) {
        let (bytes, ends) = (&self.bytes, &self.ends);
        self.index
            .reserve(n.saturating_add(1), |&i| hash_str(text_at(bytes, ends, i)));
    }

    /// Marks the strings pushed so far (a shared-string table) as known to `intern`, so later
    /// inline text that repeats one of them gets the same id.
    pub fn index_existing(&mut self) {
        self.dedupe = true;
        let (bytes, ends) = (&self.bytes, &self.ends);
        for id in 0..ends.len() as u32 {
            let s = text_at(bytes, ends, id);
            let h = hash_str(s);
            if self
                .index
                .find(h, |&i| text_at(bytes, ends, i) == s)
                .is_none()
            {
                self.index
                    .insert_unique(h, id, |&i| hash_str(text_at(bytes, ends, i)));
            }
        }
    }

    /// Drops the lookup index and spare capacity once the pool is complete: the index is as
    /// large as the text of a column of unique order numbers, and nothing interns after reading.
    /// Ids stay valid; a later `intern` would append a new copy rather than find the old one.
    pub fn freeze(&mut self) {
        self.index = hashbrown::HashTable::new();
        self.dedupe = false;
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.empty.shrink_to_fit();
    }

    /// A pool that appends without looking up (filled by a shared-string table).
    pub fn without_dedupe() -> Self {
        StringPool::default()
    }

    /// From now on, `intern` stores each new distinct string once; strings already pushed (a
    /// shared-string table) are not indexed, so text repeating one of them gets its own id.
    pub fn dedupe_from_now(&mut self) {
        self.dedupe = true;
    }
}

#[derive(Debug, Default, Clone)]
struct Column {
    /// Row of the first cell, and of every cell while `rows` is `None` (dense run).
    first_row: u32,
    /// Explicit row numbers, kept only once the column stops being a dense run.
    rows: Option<Vec<u32>>,
    tags: Tags,
    bits: Bits,
}

/// The kind of each cell of a column: a column is nearly always one kind under its header, so
/// runs of one tag are kept while they are fewer bytes than a tag per cell.
#[derive(Debug, Clone)]
enum Tags {
    /// (index of its first cell, tag) of each run, ascending.
    Runs(Vec<(u32, u8)>),
    Each(Vec<u8>),
}

impl Default for Tags {
    fn default() -> Self {
        Tags::Runs(Vec::new())
    }
}

/// Cell payloads: 4 bytes each while every payload fits (text ids, booleans, whole cents, whole
/// days), else 8.
#[derive(Debug, Clone)]
enum Bits {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

impl Default for Bits {
    fn default() -> Self {
        Bits::Narrow(Vec::new())
    }
}

impl Bits {
    fn len(&self) -> usize {
        match self {
            Bits::Narrow(v) => v.len(),
            Bits::Wide(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> Option<u64> {
        match self {
            Bits::Narrow(v) => v.get(i).map(|&x| u64::from(x)),
            Bits::Wide(v) => v.get(i).copied(),
        }
    }

    /// Where `bits` goes: the narrow vector (`Ok`) while it fits, else the wide one (`Err`), which
    /// a narrow one becomes, once, when the first payload does not fit.
    fn fit(&mut self, bits: u64) -> Result<&mut Vec<u32>, &mut Vec<u64>> {
        if let Bits::Narrow(v) = self {
            if bits > u64::from(u32::MAX) {
                let mut wide = Vec::with_capacity(v.capacity());
                wide.extend(v.iter().map(|&x| u64::from(x)));
                *self = Bits::Wide(wide);
            }
        }
        match self {
            Bits::Narrow(v) => Ok(v),
            Bits::Wide(v) => Err(v),
        }
    }

    fn push(&mut self, bits: u64) {
        match self.fit(bits) {
            Ok(v) => v.push(bits as u32),
            Err(v) => v.push(bits),
        }
    }

    fn set(&mut self, i: usize, bits: u64) {
        match self.fit(bits) {
            Ok(v) => {
                if let Some(x) = v.get_mut(i) {
                    *x = bits as u32;
                }
            }
            Err(v) => {
                if let Some(x) = v.get_mut(i) {
                    *x = bits;
                }
            }
        }
    }

    fn insert(&mut self, i: usize, bits: u64) {
        match self.fit(bits) {
            Ok(v) => v.insert(i.min(v.len()), bits as u32),
            Err(v) => v.insert(i.min(v.len()), bits),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Bits::Narrow(v) => v.shrink_to_fit(),
            Bits::Wide(v) => v.shrink_to_fit(),
        }
    }
}

impl Tags {
    /// The tag of cell `i` of a column of `len` cells.
    fn get(&self, i: usize, len: usize) -> Option<u8> {
        if i >= len {
            return None;
        }
        match self {
            Tags::Runs(runs) => {
                let k = runs.partition_point(|&(start, _)| start as usize <= i);
                runs.get(k.checked_sub(1)?).map(|&(_, t)| t)
            }
            Tags::Each(v) => v.get(i).copied(),
        }
    }

    /// Appends the tag of cell `len` (the column's length before the push).
    fn push(&mut self, tag: u8, len: usize) {
        match self {
            Tags::Runs(runs) => {
                if runs.last().map(|&(_, t)| t) == Some(tag) {
                    return;
                }
                runs.push((len as u32, tag));
                // A run costs 8 bytes, a tag per cell 1: past that, store a tag per cell.
                if runs.len() * 8 > len + 64 {
                    self.expand(len + 1);
                }
            }
            Tags::Each(v) => v.push(tag),
        }
    }

    /// Turns runs into a tag per cell; `len` counts the cells the runs cover.
    fn expand(&mut self, len: usize) {
        if let Tags::Runs(runs) = self {
            let mut v = Vec::with_capacity(len);
            for (k, &(start, tag)) in runs.iter().enumerate() {
                let end = runs.get(k + 1).map_or(len, |&(s, _)| s as usize).min(len);
                v.resize(end.max(start as usize), tag);
            }
            *self = Tags::Each(v);
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Tags::Runs(v) => v.shrink_to_fit(),
            Tags::Each(v) => v.shrink_to_fit(),
        }
    }
}

impl Column {
    fn len(&self) -> usize {
        self.bits.len()
    }

    fn value(&self, i: usize) -> Option<Value> {
        Some(Value::unpack(
            self.tags.get(i, self.len())?,
            self.bits.get(i)?,
        ))
    }

    fn row_at(&self, i: usize) -> u32 {
        match &self.rows {
            Some(rows) => rows.get(i).copied().unwrap_or(u32::MAX),
            None => self.first_row + i as u32,
        }
    }

    fn last_row(&self) -> Option<u32> {
        self.len().checked_sub(1).map(|i| self.row_at(i))
    }

    fn find(&self, row: u32) -> Option<usize> {
        match &self.rows {
            Some(rows) => rows.binary_search(&row).ok(),
            None => {
                let i = row.checked_sub(self.first_row)? as usize;
                (i < self.len()).then_some(i)
            }
        }
    }

    fn push(&mut self, row: u32, value: Value) {
        let (tag, bits) = value.pack();
        match self.last_row() {
            None => self.first_row = row,
            Some(last) if row <= last => {
                // Out of order or repeated cell: overwrite or insert, keeping row order.
                self.insert_unordered(row, tag, bits);
                return;
            }
            Some(last) if row != last + 1 && self.rows.is_none() => {
                let first = self.first_row;
                self.rows = Some((first..=last).collect());
            }
            Some(_) => {}
        }
        if let Some(rows) = &mut self.rows {
            rows.push(row);
        }
        self.tags.push(tag, self.bits.len());
        self.bits.push(bits);
    }

    fn insert_unordered(&mut self, row: u32, tag: u8, bits: u64) {
        let n = self.len();
        if let Some(i) = self.find(row) {
            if self.tags.get(i, n) != Some(tag) {
                self.tags.expand(n);
                if let Tags::Each(tags) = &mut self.tags {
                    if let Some(t) = tags.get_mut(i) {
                        *t = tag;
                    }
                }
            }
            self.bits.set(i, bits);
            return;
        }
        let rows = self
            .rows
            .get_or_insert_with(|| (0..n).map(|i| self.first_row + i as u32).collect());
        let at = rows.partition_point(|&r| r < row);
        rows.insert(at, row);
        self.first_row = rows.first().copied().unwrap_or(row);
        self.tags.expand(n);
        if let Tags::Each(tags) = &mut self.tags {
            tags.insert(at.min(tags.len()), tag);
        }
        self.bits.insert(at, bits);
    }
}

/// The cells of one sheet, column by column, with their text in one pool.
#[derive(Debug, Clone)]
pub struct Grid {
    pub pool: StringPool,
    columns: Vec<Column>,
    /// Per column, (hash, id) of the texts stored in it: each column has its own table, so a
    /// column of unique order numbers does not crowd out the few regions of another, and a
    /// lookup stays in cache. A text in two columns is stored twice.
    texts: Vec<hashbrown::HashTable<(u64, u32)>>,
    /// A direct-mapped cache of recent (hash, id) in front of those tables: the few values of a
    /// region or salesperson column are found without a table probe.
    recent: Vec<(u64, u32)>,
    n_cells: u64,
    max_row: Option<u32>,
    limits: Limits,
}

impl Grid {
    pub fn new(limits: Limits) -> Self {
        Grid::with_pool(StringPool::new(), limits)
    }

    /// A grid whose pool was already filled (an xlsx shared-string table).
    pub fn with_pool(pool: StringPool, limits: Limits) -> Self {
        Grid {
            pool,
            columns: Vec::new(),
            texts: Vec::new(),
            recent: Vec::new(),
            n_cells: 0,
            max_row: None,
            limits,
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Ends reading: drops the lookup tables that only pushing needs and the columns' spare
    /// capacity, which the later steps of a large file then reuse.
    pub fn freeze(&mut self) {
        self.pool.freeze();
        self.texts = Vec::new();
        self.recent = Vec::new();
        for c in &mut self.columns {
            c.tags.shrink_to_fit();
            c.bits.shrink_to_fit();
            if let Some(rows) = &mut c.rows {
                rows.shrink_to_fit();
            }
        }
    }

    /// Number of non-empty cells stored.
    pub fn n_cells(&self) -> u64 {
        self.n_cells
    }

    /// One past the highest column index holding a cell.
    pub fn n_cols(&self) -> u32 {
        self.columns.len() as u32
    }

    /// The highest row index holding a cell, if any.
    pub fn max_row(&self) -> Option<u32> {
        self.max_row
    }

    /// Stores a cell read from a file and returns it as [`Grid::get`] will; empty text is not
    /// stored.
    pub fn push(&mut self, row: u32, col: u32, cell: Cell<'_>) -> Result<Option<Value>> {
        let value = match cell {
            Cell::Number(x) => Value::Number(x),
            Cell::Date(x) => Value::Date(x),
            Cell::Bool(b) => Value::Bool(b),
            Cell::Text(s) => {
                if s.is_empty() {
                    return Ok(None);
                }
                Value::Text(self.text_id(col, s)?)
            }
            Cell::Error(s) => Value::Error(self.pool.intern(s, &self.limits)?),
        };
        self.push_value(row, col, value).map(|()| Some(value))
    }

    /// The pool id of `s` in column `col`, adding it if the column has not had it.
    fn text_id(&mut self, col: u32, s: &str) -> Result<u32> {
        if col > MAX_COL {
            return Err(Error::too_large(Limit::Columns, MAX_COL as u64 + 1));
        }
        let c = col as usize;
        if c >= self.texts.len() {
            self.texts.resize_with(c + 1, hashbrown::HashTable::new);
        }
        let h = hash_str(s);
        if self.recent.is_empty() {
            self.recent = vec![(0, u32::MAX); RECENT];
        }
        let key = h ^ (c as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let slot = (key as usize) & (RECENT - 1);
        if let Some(&(k, id)) = self.recent.get(slot) {
            if k == key && id != u32::MAX && self.pool.get(id) == s {
                return Ok(id);
            }
        }
        let (pool, texts) = (&mut self.pool, &mut self.texts);
        let Some(table) = texts.get_mut(c) else {
            return pool.push(s, &self.limits);
        };
        let id = match table.find(h, |&(hh, id)| hh == h && pool.get(id) == s) {
            Some(&(_, id)) => id,
            None => {
                let id = pool.push(s, &self.limits)?;
                table.insert_unique(h, (h, id), |&(hh, _)| hh);
                id
            }
        };
        if let Some(r) = self.recent.get_mut(slot) {
            *r = (key, id);
        }
        Ok(id)
    }

    /// Stores a value whose text is already in the pool (a shared-string index).
    pub fn push_value(&mut self, row: u32, col: u32, value: Value) -> Result<()> {
        if col > MAX_COL {
            return Err(Error::too_large(Limit::Columns, MAX_COL as u64 + 1));
        }
        if let Value::Text(id) | Value::Error(id) = value {
            if id as usize >= self.pool.len() {
                return Err(Error::corrupt(format!("string index {id} out of range")));
            }
        }
        if self.n_cells >= self.limits.max_cells {
            return Err(Error::too_large(Limit::Cells, self.limits.max_cells));
        }
        self.n_cells += 1;
        let col = col as usize;
        if col >= self.columns.len() {
            self.columns.resize_with(col + 1, Column::default);
        }
        if let Some(c) = self.columns.get_mut(col) {
            c.push(row, value);
        }
        self.max_row = Some(self.max_row.map_or(row, |m| m.max(row)));
        Ok(())
    }

    /// The value at (row, col), if the cell is not empty.
    pub fn get(&self, row: u32, col: u32) -> Option<Value> {
        let c = self.columns.get(col as usize)?;
        c.value(c.find(row)?)
    }

    /// The text of a cell if it holds text.
    pub fn text(&self, row: u32, col: u32) -> Option<&str> {
        match self.get(row, col)? {
            Value::Text(id) => Some(self.pool.get(id)),
            _ => None,
        }
    }

    /// Every stored cell of one column in row order.
    pub fn column(&self, col: u32) -> impl Iterator<Item = (u32, Value)> + '_ {
        let c = self.columns.get(col as usize);
        let n = c.map_or(0, Column::len);
        (0..n).filter_map(move |i| {
            let c = c?;
            Some((c.row_at(i), c.value(i)?))
        })
    }
}

/// Told about a sheet's rows as they are read, each once it is complete (the table built ahead,
/// `table::Ahead`).
pub trait RowSink {
    /// The sheet the rows are of.
    fn begin(&mut self, sheet: &str);
    /// Sheet row `row` is complete in `grid`, with its non-empty `cells` in column order, and
    /// so is every row before it.
    fn row(&mut self, grid: &Grid, row: u32, cells: &[(u32, Value)]);
    /// A cell came out of row order: rows told before may have changed since.
    fn unordered(&mut self);
}

/// Tells nothing to nobody.
impl RowSink for () {
    fn begin(&mut self, _: &str) {}
    fn row(&mut self, _: &Grid, _: u32, _: &[(u32, Value)]) {}
    fn unordered(&mut self) {}
}

/// Walks a grid row by row over its non-empty columns, without building rows of the whole width.
pub struct RowWalker<'g> {
    grid: &'g Grid,
    cols: Vec<u32>,
    pos: Vec<usize>,
}

impl<'g> RowWalker<'g> {
    pub fn new(grid: &'g Grid) -> Self {
        let cols: Vec<u32> = (0..grid.columns.len() as u32)
            .filter(|&c| grid.columns.get(c as usize).is_some_and(|c| c.len() > 0))
            .collect();
        let pos = vec![0; cols.len()];
        RowWalker { grid, cols, pos }
    }

    /// Fills `out` with the next non-empty row's cells `(col, value)` in column order and returns
    /// its row index, or `None` at the end.
    pub fn next_row(&mut self, out: &mut Vec<(u32, Value)>) -> Option<u32> {
        out.clear();
        let mut row = u32::MAX;
        for (k, &c) in self.cols.iter().enumerate() {
            let col = self.grid.columns.get(c as usize)?;
            let i = self.pos.get(k).copied().unwrap_or(usize::MAX);
            if i < col.len() {
                row = row.min(col.row_at(i));
            }
        }
        if row == u32::MAX {
            return None;
        }
        for (k, &c) in self.cols.iter().enumerate() {
            let Some(col) = self.grid.columns.get(c as usize) else {
                continue;
            };
            let Some(i) = self.pos.get_mut(k) else {
                continue;
            };
            if *i < col.len() && col.row_at(*i) == row {
                if let Some(v) = col.value(*i) {
                    out.push((c, v));
                }
                *i += 1;
            }
        }
        Some(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_then_sparse_then_unordered() {
        let mut g = Grid::new(Limits::default());
        g.push(0, 0, Cell::Text("a")).unwrap();
        g.push(1, 0, Cell::Number(1.0)).unwrap();
        g.push(5, 0, Cell::Text("a")).unwrap();
        g.push(3, 0, Cell::Bool(true)).unwrap();
        g.push(1, 0, Cell::Number(2.0)).unwrap();
        let got: Vec<_> = g.column(0).collect();
        assert_eq!(
            got,
            vec![
                (0, Value::Text(0)),
                (1, Value::Number(2.0)),
                (3, Value::Bool(true)),
                (5, Value::Text(0)),
            ]
        );
        assert_eq!(g.text(5, 0), Some("a"));
        assert_eq!(g.get(2, 0), None);
        assert_eq!(g.max_row(), Some(5));
    }

    #[test]
    fn emptiness_from_the_bits_alone() {
        let limits = Limits::default();
        let mut pool = StringPool::without_dedupe();
        for s in ["", "a", "", "客户"] {
            pool.push(s, &limits).unwrap();
        }
        for id in 0..6 {
            assert_eq!(pool.is_empty_at(id), pool.get(id).is_empty(), "id {id}");
        }
        // Across words of bits, interned and pushed alike; past the end is absent.
        let mut pool = StringPool::new();
        for k in 0..150u32 {
            let s = if k % 3 == 0 {
                String::new()
            } else {
                format!("s{k}")
            };
            pool.intern(&s, &limits).unwrap();
            pool.push(&s, &limits).unwrap();
        }
        pool.freeze();
        for id in 0..(pool.len() as u32 + 70) {
            assert_eq!(pool.is_empty_at(id), pool.get(id).is_empty(), "id {id}");
        }
        assert!(pool.is_empty_at(u32::MAX));
    }

    #[test]
    fn row_walker_visits_rows_in_order() {
        let mut g = Grid::new(Limits::default());
        g.push(2, 1, Cell::Number(3.0)).unwrap();
        g.push(0, 0, Cell::Number(1.0)).unwrap();
        g.push(2, 0, Cell::Number(2.0)).unwrap();
        let mut w = RowWalker::new(&g);
        let mut buf = Vec::new();
        assert_eq!(w.next_row(&mut buf), Some(0));
        assert_eq!(buf, vec![(0, Value::Number(1.0))]);
        assert_eq!(w.next_row(&mut buf), Some(2));
        assert_eq!(buf, vec![(0, Value::Number(2.0)), (1, Value::Number(3.0))]);
        assert_eq!(w.next_row(&mut buf), None);
    }

    #[test]
    fn far_corner_cell_allocates_nothing_large() {
        let mut g = Grid::new(Limits::default());
        g.push(0, 0, Cell::Number(1.0)).unwrap();
        g.push(1_048_575, MAX_COL, Cell::Number(2.0)).unwrap();
        assert_eq!(g.get(1_048_575, MAX_COL), Some(Value::Number(2.0)));
        assert!(g.push(0, MAX_COL + 1, Cell::Number(0.0)).is_err());
    }

    #[test]
    fn cell_limit_is_counted_while_reading() {
        let limits = Limits {
            max_cells: 3,
            ..Limits::default()
        };
        let mut g = Grid::new(limits);
        for r in 0..3 {
            g.push(r, 0, Cell::Number(1.0)).unwrap();
        }
        let e = g.push(3, 0, Cell::Number(1.0)).unwrap_err();
        assert_eq!(e.code(), "too_large");
    }

    proptest::proptest! {
        /// The grid agrees with a plain map of the last value pushed to each cell, whatever the
        /// order of the pushes and the mix of kinds in a column (runs, a tag per cell, narrow
        /// and wide payloads).
        #[test]
        fn grid_is_a_map_of_the_last_push(
            pushes in proptest::collection::vec((0u32..60, 0u32..3, 0u8..6, 0u32..4), 0..300),
        ) {
            let words = ["a", "b", "甲", "long text"];
            let mut g = Grid::new(Limits::default());
            let mut model = std::collections::BTreeMap::new();
            for &(row, col, kind, k) in &pushes {
                let word = words.get(k as usize).copied().unwrap_or("a");
                let cell = match kind {
                    0 => Cell::Number(f64::from(k) + 0.5),
                    1 => Cell::Number([0.0, -0.0, 12.34, 1e15][k as usize % 4]),
                    2 => Cell::Date(45_000.0 + f64::from(k) * 0.75),
                    3 => Cell::Bool(k % 2 == 0),
                    4 => Cell::Error("#N/A"),
                    _ => Cell::Text(word),
                };
                g.push(row, col, cell).unwrap();
                let text = |v: Value| match v {
                    Value::Text(id) | Value::Error(id) => g.pool.get(id).to_string(),
                    _ => String::new(),
                };
                let v = g.get(row, col).unwrap();
                model.insert((col, row), (v, text(v)));
                match (cell, v) {
                    (Cell::Number(x), Value::Number(y)) | (Cell::Date(x), Value::Date(y)) => {
                        proptest::prop_assert_eq!(x.to_bits(), y.to_bits());
                    }
                    (Cell::Bool(a), Value::Bool(b)) => proptest::prop_assert_eq!(a, b),
                    (Cell::Text(_), Value::Text(_)) | (Cell::Error(_), Value::Error(_)) => {}
                    _ => proptest::prop_assert!(false, "{cell:?} came back as {v:?}"),
                }
                if let Cell::Text(t) | Cell::Error(t) = cell {
                    proptest::prop_assert_eq!(text(v), t);
                }
            }
            for col in 0..3 {
                let got: Vec<(u32, Value)> = g.column(col).collect();
                let want: Vec<(u32, Value)> = model
                    .range((col, 0)..(col + 1, 0))
                    .map(|(&(_, row), &(v, _))| (row, v))
                    .collect();
                proptest::prop_assert_eq!(got, want);
            }
            g.freeze();
            for (&(col, row), (v, t)) in &model {
                proptest::prop_assert_eq!(g.get(row, col), Some(*v));
                if let Value::Text(id) | Value::Error(id) = v {
                    proptest::prop_assert_eq!(g.pool.get(*id), t.as_str());
                }
            }
        }
    }
}
