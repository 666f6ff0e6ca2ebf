//! Worksheets: the scanner of a worksheet's XML ([`SheetReader`]), which stores its cells in a
//! grid (a whole read) or writes them to a [`cells`] stream; the [`Scanner`] that feeds it the
//! pieces of a streamed part, and the [`Spec`] it starts from.

use super::refs::{parse_range, parse_ref};
use super::strings::rich_text;
use super::styles::Format;
use super::window::{longest_element, too_long, Window};
use super::xml::{decode_into, special, tag_end, unescape_x, utf8, Special, Tag};
use super::{fall, stepped, Step, MAX_MERGES};
use crate::error::Result;
use crate::progress::{self, Phase};
use crate::read::cells;
use crate::read::grid::{Cell, Grid, Limits, StringPool, Value};
use crate::read::sheet::Merge;
use memchr::{memchr, memmem};
use std::io::Read;
use std::rc::Rc;

/// What a [`Scanner`] needs of the workbook to read one worksheet's XML on its own: the part's
/// inflated size, which styles are dates, the date system and the limits. Handed between workers
/// as bytes ([`Spec::to_bytes`]). The shared strings are not read yet when the scanner starts:
/// their indexes are checked as the cells are stored ([`Streamed::feed`](super::Streamed::feed)).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub(super) size: u64,
    pub(super) formats: Vec<Format>,
    pub(super) is_1904: bool,
    pub(super) limits: Limits,
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
/// half of a streamed read that runs beside the inflating (see [`Streamed`](super::Streamed)).
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
    /// up on this file (read it whole, through [`read`](super::read) and its fallback).
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
                return too_long(&limits);
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
            return too_long(&limits);
        }
        Ok(())
    }
}

/// How shared-string indexes become pool ids.
pub(super) enum Strings {
    /// The grid's pool is the shared-string table.
    Own,
    /// Shared index → this sheet's pool id (`u32::MAX` until first used).
    Map(Vec<u32>),
}

pub(super) struct SheetReader {
    pub(super) grid: Grid,
    /// Scanning for another thread or worker: cells go here rather than into `grid`.
    pub(super) cells: Option<cells::Writer>,
    /// How many shared strings the workbook has.
    pub(super) n_shared: usize,
    pub(super) strings: Strings,
    /// The shared strings, when the grid's pool is not them.
    pub(super) shared: Option<Rc<StringPool>>,
    pub(super) formats: Rc<[Format]>,
    pub(super) is_1904: bool,
    pub(super) merges: Vec<Merge>,
    pub(super) row: u32,
    pub(super) col: u32,
    pub(super) text: String,
    /// The sheet's name and inflated size, for progress.
    pub(super) progress: (String, u64),
    /// Inflated bytes received so far, for progress.
    pub(super) read: u64,
    pub(super) at: Position,
}

/// Where the scan is between two pieces of a part.
pub(super) struct Position {
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
    pub(super) fn scan<R: Read>(&mut self, mut w: Window<R>) -> Step<()> {
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
                    self.position(r)?;
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
                    self.position(r)?;
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
                    self.number(x, format)
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
    #[inline]
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
                                self.number(x, format)
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

    /// A number read, as its cell's format has it: a date (the 1904 date system moved onto the
    /// 1900 one) or a plain number.
    #[inline]
    fn number(&self, x: f64, format: Option<Format>) -> Read1<'static> {
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

    /// Stores what a cell read gives, if anything.
    fn store_read(&mut self, row: u32, col: u32, v: Read1<'_>) -> Step<Option<Value>> {
        match v {
            Read1::Empty => Ok(None),
            Read1::Value(v) => self.store(row, col, v),
            Read1::Owned(s) => self.store(row, col, cells::Value::Text(&s)),
        }
    }

    /// Stores a cell, or writes it to the cell stream; returns what the grid then holds there.
    pub(super) fn store(&mut self, row: u32, col: u32, v: cells::Value<'_>) -> Step<Option<Value>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::grid::Value;
    use crate::read::xlsx::window::WINDOW;
    use crate::read::xlsx::Stop;

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
}
