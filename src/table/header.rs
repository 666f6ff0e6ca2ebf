//! Where the table sits in a sheet: the header row(s) and which rows below them are data.
//!
//! People put a title and notes above the header, split a header over two merged rows
//! ("销售额（元）" over "2023年 | 2024年"), and end the data with 合计 rows and notes. The sheet's
//! own dimension record is never consulted: only the cells actually read.
//!
//! The header is the row among the first [`SCAN_ROWS`] non-empty rows that `mapping` scores
//! highest as a header. A row directly below it that only labels columns the header row leaves
//! blank (or splits a merged header cell) is a second header row; so is a row directly above it
//! that groups the header's columns. Each column's label is the parent and child text joined by a
//! space, which `mapping` reads as one header ("销售额（元） 2023年" → amount, year 2023).

use crate::error::{Error, ErrorKind, Result};
use crate::read::grid::{Grid, RowWalker, Value};
use crate::read::sheet::Merge;
use serde::Serialize;

/// How many non-empty rows from the top are considered as header candidates.
pub const SCAN_ROWS: usize = 30;

/// The header found in a sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    /// First and last header row, zero-based and inclusive.
    pub rows: (u32, u32),
    /// The combined label of each column, indexed by column; blank where the header has none.
    pub labels: Vec<String>,
    /// Rows above the header that were passed over (titles, notes, blank-looking rows).
    pub rows_above: Vec<u32>,
}

/// Why a row below the header is not data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    Data,
    /// A 合计 / 小计 / 总计 / Total row.
    Total,
    /// A note such as "注：金额单位为元" or "制表人：…".
    Note,
    /// The header repeated (a table pasted twice, or a printed page header).
    RepeatedHeader,
    /// A row with cells only outside the header's columns, or only empty text.
    Blank,
}

/// Finds the header of a sheet.
pub fn locate(grid: &Grid, merges: &[Merge], sheet: &str) -> Result<Header> {
    let top = first_rows(grid, SCAN_ROWS);
    let mut best: Option<(usize, f32)> = None;
    for (i, (_, cells)) in top.iter().enumerate() {
        let texts: Vec<&str> = cells.iter().map(|(_, t)| t.as_str()).collect();
        if texts.iter().filter(|t| !t.trim().is_empty()).count() < 2 {
            continue;
        }
        let score = crate::table::mapping::header_row_score(&texts);
        if score > best.map_or(0.0, |b| b.1) {
            best = Some((i, score));
        }
    }
    let Some((bi, _)) = best else {
        return Err(Error::new(ErrorKind::NoHeader {
            sheet: sheet.to_string(),
        }));
    };
    let (header_row, header_cells) = match top.get(bi) {
        Some((r, c)) => (*r, c.clone()),
        None => {
            return Err(Error::new(ErrorKind::NoHeader {
                sheet: sheet.to_string(),
            }))
        }
    };
    let width = header_cells.iter().map(|(c, _)| c + 1).max().unwrap_or(0);

    let below = top
        .get(bi + 1)
        .filter(|(r, _)| *r == header_row + 1)
        .filter(|(r, cells)| is_sub_header(&header_cells, cells, (header_row, *r), grid, merges));
    let above = bi
        .checked_sub(1)
        .and_then(|i| top.get(i))
        .filter(|(r, _)| *r + 1 == header_row)
        .filter(|(r, cells)| is_group_row(&header_cells, cells, merges, *r, grid));

    let (rows, labels) = if let Some((r, cells)) = below {
        let child = spread_plain(cells, width);
        let parent = spread(&header_cells, width, header_row, merges);
        ((header_row, *r), combine(&parent, &child, &header_cells))
    } else if let Some((r, cells)) = above {
        let parent = spread(cells, width, *r, merges);
        let child = spread_plain(&header_cells, width);
        ((*r, header_row), combine(&parent, &child, cells))
    } else {
        ((header_row, header_row), spread_plain(&header_cells, width))
    };
    let rows_above = top
        .iter()
        .map(|(r, _)| *r)
        .filter(|&r| r < rows.0)
        .collect();
    Ok(Header {
        rows,
        labels,
        rows_above,
    })
}

/// The text of the first `n` non-empty rows: `(row, [(col, text)])`.
fn first_rows(grid: &Grid, n: usize) -> Vec<(u32, Vec<(u32, String)>)> {
    let mut walker = RowWalker::new(grid);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    while out.len() < n {
        let Some(row) = walker.next_row(&mut buf) else {
            break;
        };
        let cells: Vec<(u32, String)> = buf
            .iter()
            .filter_map(|&(c, v)| header_text(grid, v).map(|t| (c, t)))
            .collect();
        out.push((row, cells));
    }
    out
}

/// A header cell's text: text as is, whole numbers (years) as digits, nothing for dates.
fn header_text(grid: &Grid, v: Value) -> Option<String> {
    match v {
        Value::Text(id) => {
            let t = grid.pool.get(id).trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Value::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", x as i64)),
        Value::Number(x) => Some(format!("{x}")),
        Value::Bool(b) => Some(if b { "TRUE" } else { "FALSE" }.into()),
        Value::Date(_) | Value::Error(_) => None,
    }
}

fn spread_plain(cells: &[(u32, String)], width: u32) -> Vec<String> {
    let mut out = vec![String::new(); width as usize];
    for (c, t) in cells {
        if let Some(slot) = out.get_mut(*c as usize) {
            slot.clone_from(t);
        }
    }
    out
}

/// Labels of a header row with each merged cell's text copied across the columns it spans.
fn spread(cells: &[(u32, String)], width: u32, row: u32, merges: &[Merge]) -> Vec<String> {
    let mut out = spread_plain(cells, width);
    for &(r0, c0, r1, c1) in merges {
        if r0 > row || r1 < row || c1 <= c0 {
            continue;
        }
        let Some(text) = cells.iter().find(|(c, _)| *c == c0).map(|(_, t)| t.clone()) else {
            continue;
        };
        for c in c0..=c1.min(width.saturating_sub(1)) {
            if let Some(slot) = out.get_mut(c as usize) {
                if slot.is_empty() {
                    slot.clone_from(&text);
                }
            }
        }
    }
    out
}

/// Whether the row below the header only sub-labels it. Its cells must all be short labels or
/// years. With merged cells known, a merge in the header row that spans columns or reaches down
/// into this row decides; without, every label must sit under a blank header cell or under the
/// first cell of a span (a header cell followed by blanks), and at least one under a blank.
fn is_sub_header(
    header: &[(u32, String)],
    cells: &[(u32, String)],
    (header_row, row): (u32, u32),
    grid: &Grid,
    merges: &[Merge],
) -> bool {
    if cells.is_empty() || !cells.iter().all(|(c, t)| is_label(grid, row, *c, t)) {
        return false;
    }
    let merged = merges
        .iter()
        .any(|&(r0, c0, r1, c1)| r0 <= header_row && header_row <= r1 && (c1 > c0 || r1 >= row));
    if merged {
        return true;
    }
    let width = header.iter().map(|(c, _)| c + 1).max().unwrap_or(0);
    let raw = spread_plain(header, width);
    let blank = |c: u32| raw.get(c as usize).is_none_or(|t| t.is_empty());
    let span_start = |c: u32| !blank(c) && c + 1 < width && blank(c + 1);
    cells.iter().any(|(c, _)| blank(*c)) && cells.iter().all(|(c, _)| blank(*c) || span_start(*c))
}

/// Whether the row above the header groups its columns ("客户信息" over A:C, "销售情况" over D:E):
/// short labels only, not one title spanning everything, and either a merge that spans some of
/// the header's columns or at least two labels with gaps between them.
fn is_group_row(
    header: &[(u32, String)],
    cells: &[(u32, String)],
    merges: &[Merge],
    row: u32,
    grid: &Grid,
) -> bool {
    if cells.is_empty() || !cells.iter().all(|(c, t)| is_label(grid, row, *c, t)) {
        return false;
    }
    let first_col = header.first().map_or(0, |(c, _)| *c);
    let last_col = header.last().map_or(0, |(c, _)| *c);
    let in_row = |&&(r0, _, r1, _): &&Merge| r0 <= row && row <= r1;
    if merges
        .iter()
        .filter(in_row)
        .any(|&(_, c0, _, c1)| c0 <= first_col && c1 >= last_col)
    {
        return false;
    }
    let group_merge = merges
        .iter()
        .filter(in_row)
        .any(|&(r0, c0, r1, c1)| c1 > c0 && r0 == row && r1 == row);
    let gapped = cells.len() >= 2 && cells.len() < header.len();
    let starts_at_first = cells.first().is_some_and(|(c, _)| *c <= first_col);
    group_merge && (cells.len() >= 2 || !starts_at_first) || (merges.is_empty() && gapped)
}

fn is_label(grid: &Grid, row: u32, col: u32, text: &str) -> bool {
    let is_text = matches!(grid.get(row, col), Some(Value::Text(_)));
    let is_year = text.len() == 4
        && text
            .parse::<u32>()
            .is_ok_and(|y| (1990..=2100).contains(&y));
    (is_text || is_year) && text.chars().count() <= 24
}

/// Joins parent and child labels column by column. Where a parent spans columns (merged or
/// carried right over blanks until the next parent) it prefixes each child under it.
fn combine(parent: &[String], child: &[String], parent_cells: &[(u32, String)]) -> Vec<String> {
    let width = parent.len().max(child.len());
    let mut carried = parent.to_vec();
    // Carry a parent label right over blank parents while children continue under it.
    let mut current: Option<String> = None;
    for c in 0..width {
        let own = parent_cells
            .iter()
            .find(|(pc, _)| *pc as usize == c)
            .map(|(_, t)| t.clone());
        if let Some(t) = own {
            current = Some(t);
        } else if child.get(c).is_none_or(|t| t.is_empty()) {
            current = None;
        }
        if let (Some(slot), Some(cur)) = (carried.get_mut(c), &current) {
            if slot.is_empty() {
                slot.clone_from(cur);
            }
        }
    }
    (0..width)
        .map(|c| {
            let p = carried.get(c).map_or("", |s| s.as_str());
            let k = child.get(c).map_or("", |s| s.as_str());
            match (p.is_empty(), k.is_empty()) {
                (false, false) if p != k => format!("{p} {k}"),
                (false, _) => p.to_string(),
                (true, _) => k.to_string(),
            }
        })
        .collect()
}

/// Classifies a row below the header from its text cells (`texts` in column order), given the
/// header labels. `n_cells` counts every non-empty cell of the row within the table's width.
pub fn classify_row(texts: &[&str], n_cells: usize, labels: &[String]) -> RowKind {
    let headers = header_texts(labels);
    let mut row = RowTexts::default();
    for t in texts {
        row.add(text_flags(t, &headers));
    }
    row.kind(n_cells)
}

/// The non-empty header labels, as [`text_flags`] compares them.
pub fn header_texts(labels: &[String]) -> Vec<&str> {
    labels
        .iter()
        .map(|s| s.as_str())
        .filter(|s| !s.is_empty())
        .collect()
}

/// What one text cell says about its row: the part of [`classify_row`] that depends on the text
/// alone, so a caller can work it out once per distinct string. Never zero.
pub fn text_flags<H: AsRef<str>>(t: &str, headers: &[H]) -> u8 {
    let t = t.trim();
    if t.is_empty() {
        return TEXT_KNOWN | TEXT_BLANK;
    }
    let mut f = TEXT_KNOWN;
    if is_total_label(t) {
        f |= TEXT_TOTAL;
    }
    if is_note(t) {
        f |= TEXT_NOTE;
    }
    if headers
        .iter()
        .map(AsRef::as_ref)
        .any(|h| h == t || h.ends_with(t))
    {
        f |= TEXT_HEADER;
    }
    f
}

const TEXT_KNOWN: u8 = 1;
const TEXT_BLANK: u8 = 2;
const TEXT_TOTAL: u8 = 4;
const TEXT_NOTE: u8 = 8;
const TEXT_HEADER: u8 = 16;

/// A row's text cells folded from their [`text_flags`], in column order.
#[derive(Debug, Default, Clone, Copy)]
pub struct RowTexts {
    non_empty: usize,
    any_total: bool,
    first_is_note: Option<bool>,
    all_header: bool,
}

impl RowTexts {
    pub fn add(&mut self, flags: u8) {
        if flags & TEXT_BLANK != 0 {
            return;
        }
        if self.non_empty == 0 {
            self.all_header = true;
        }
        self.non_empty += 1;
        self.any_total |= flags & TEXT_TOTAL != 0;
        self.first_is_note.get_or_insert(flags & TEXT_NOTE != 0);
        self.all_header &= flags & TEXT_HEADER != 0;
    }

    /// Whether a row can be anything but data, from how many non-empty cells it has within the
    /// table's width and how many of those are texts that are not blank: [`RowTexts::kind`]
    /// says data for every other row, whatever its texts' flags, so the caller need not work
    /// them out (an order list's distinct order numbers are most of its texts).
    pub fn may_be_special(n_cells: usize, non_blank_texts: usize) -> bool {
        n_cells <= 2 || non_blank_texts <= 3 || (non_blank_texts >= 2 && non_blank_texts == n_cells)
    }

    /// The row's kind, given how many non-empty cells it has within the table's width: a blank
    /// row has none; a total row has a total label among at most three texts (a data row has
    /// more); a note row is a note in at most two cells; a repeated header is two or more texts,
    /// every cell one, each a header label (or its end).
    pub fn kind(&self, n_cells: usize) -> RowKind {
        if n_cells == 0 {
            return RowKind::Blank;
        }
        if self.non_empty <= 3 && self.any_total {
            return RowKind::Total;
        }
        if n_cells <= 2 && self.first_is_note == Some(true) {
            return RowKind::Note;
        }
        if self.non_empty >= 2 && self.non_empty == n_cells && self.all_header {
            return RowKind::RepeatedHeader;
        }
        RowKind::Data
    }
}

/// 合计, 小计, 总计, 共计, 总和, Total, Subtotal, Grand total, Sum — alone or with a colon, or
/// followed by a bracket ("合计（元）"); spaces and colons anywhere are ignored, Latin letters
/// in any case.
fn is_total_label(t: &str) -> bool {
    // Every label below starts with one of these: most texts are ruled out at once.
    if !t.trim_start().starts_with([
        '合', '小', '总', '共', '累', '總', 't', 'T', 's', 'S', 'g', 'G',
    ]) {
        return false;
    }
    const LABELS: &[&str] = &[
        "合计",
        "小计",
        "总计",
        "共计",
        "总和",
        "累计",
        "合計",
        "小計",
        "總計",
        "total",
        "subtotal",
        "grandtotal",
        "sum",
        "totals",
    ];
    // The longest label has 10 letters, so the first 11 significant ones decide (lower-cased,
    // as UTF-8): no text is copied, and order numbers such as SO0000123 reach this point.
    let mut buf = [0u8; 44];
    let mut len = 0;
    let letters = t
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：'));
    for c in letters.take(11) {
        let c = c.to_ascii_lowercase();
        let Some(slot) = buf.get_mut(len..len + c.len_utf8()) else {
            break;
        };
        c.encode_utf8(slot);
        len += c.len_utf8();
    }
    let head = buf.get(..len).unwrap_or_default();
    LABELS.iter().any(|l| {
        head.strip_prefix(l.as_bytes()).is_some_and(|rest| {
            rest.is_empty()
                || ["(", "（", "[", "【"]
                    .iter()
                    .any(|b| rest.starts_with(b.as_bytes()))
        })
    })
}

fn is_note(t: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "注：",
        "注:",
        "备注：",
        "备注:",
        "说明：",
        "说明:",
        "制表",
        "审核",
        "数据来源",
        "单位：",
        "单位:",
        "note:",
        "notes:",
        "source:",
        "*",
    ];
    PREFIXES.iter().any(|p| {
        t.as_bytes()
            .get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p.as_bytes()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_and_note_rows() {
        let labels: Vec<String> = ["客户名称", "销售额"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let cases: &[(&[&str], usize, RowKind)] = &[
            (&["合计"], 2, RowKind::Total),
            (&["合计："], 2, RowKind::Total),
            (&["", "小计"], 2, RowKind::Total),
            (&["Total"], 2, RowKind::Total),
            (&["注：金额单位为元"], 1, RowKind::Note),
            (&["制表人：王五"], 1, RowKind::Note),
            (&["客户名称", "销售额"], 2, RowKind::RepeatedHeader),
            (&["张三"], 2, RowKind::Data),
            (&["合计（元）"], 2, RowKind::Total),
            (&["合计公司"], 2, RowKind::Data),
            (&["合 计:"], 2, RowKind::Total),
            (&["GRAND TOTAL (East)"], 2, RowKind::Total),
            (&["Sum"], 2, RowKind::Total),
            (&["Summary"], 2, RowKind::Data),
            (&["SO0000123"], 2, RowKind::Data),
            (&["subtotal【华东】"], 2, RowKind::Total),
            (&["Totals"], 2, RowKind::Total),
            (&["Tot"], 2, RowKind::Data),
            (
                &["合计贸易有限公司", "华东", "制造业", "x"],
                4,
                RowKind::Data,
            ),
            (&[], 0, RowKind::Blank),
        ];
        for (texts, n, want) in cases {
            assert_eq!(classify_row(texts, *n, &labels), *want, "{texts:?}");
        }
    }

    proptest::proptest! {
        /// A row `may_be_special` rules out is data whatever its texts say.
        #[test]
        fn rows_ruled_out_are_data(flags in proptest::collection::vec(0u8..32, 0..8), numbers in 0usize..5) {
            let flags: Vec<u8> = flags.into_iter().map(|f| f | TEXT_KNOWN).collect();
            let mut texts = RowTexts::default();
            for &f in &flags {
                texts.add(f);
            }
            let n_cells = flags.len() + numbers;
            let non_blank = flags.iter().filter(|&&f| f & TEXT_BLANK == 0).count();
            if !RowTexts::may_be_special(n_cells, non_blank) {
                proptest::prop_assert_eq!(texts.kind(n_cells), RowKind::Data);
            }
        }
    }

    #[test]
    fn combine_two_row_header() {
        let parent = vec!["客户名称".to_string(), "销售额（元）".into(), String::new()];
        let child = vec![String::new(), "2023年".into(), "2024年".into()];
        let cells = vec![(0, "客户名称".to_string()), (1, "销售额（元）".to_string())];
        assert_eq!(
            combine(&parent, &child, &cells),
            vec!["客户名称", "销售额（元） 2023年", "销售额（元） 2024年"]
        );
    }
}
