//! How a feedback cell counts: complaints, praise and suggestions as a number of entries.
//!
//! Registers keep feedback two ways: as counts (投诉次数 2) or as the feedback itself (投诉内容,
//! one complaint written per order line or per customer, blank where there was none). One rule
//! reads both, cell by cell ([`count`]):
//! - a number counts as that many entries, also with a count word after it (3次, 2 条); 0 or
//!   below counts as none;
//! - a blank cell, and a word that says "none" ([`NONE`]: 无, 没有, 暂无, 否, none, N/A, -, / …,
//!   with a full stop after it or not), counts as none;
//! - any other text counts as one entry, however long (a count written in words, 两次, too).
//!
//! A customer's count is the sum over its rows in the table holding the column: its order lines
//! or its register row. A customer with rows that are all blank has 0; a customer without a row
//! there is unknown (`None` in the facts).

use crate::table::mapping::Field;
use crate::table::{Data, Table};
use rustc_hash::FxHashMap;

/// Cell texts that say there was no feedback, compared lower-cased once a trailing full stop
/// or exclamation mark is cut. The field's own word after 无 or 没有 (无投诉) is here as well,
/// since a text that merely starts with 无 may be a complaint (无法按时交货).
pub const NONE: [&str; 35] = [
    "无",
    "没有",
    "暂无",
    "否",
    "空",
    "不适用",
    "无投诉",
    "没有投诉",
    "暂无投诉",
    "无好评",
    "无表扬",
    "无建议",
    "没有建议",
    "暂无建议",
    "无意见",
    "没有意见",
    "没意见",
    "暂无意见",
    "无反馈",
    "none",
    "no",
    "n",
    "nil",
    "null",
    "n/a",
    "na",
    "nan",
    "false",
    "-",
    "--",
    "—",
    "——",
    "/",
    "\\",
    "零",
];

/// Words that may follow a count: 3次, 2 条, 1件.
const COUNT_WORDS: [char; 8] = ['次', '条', '件', '个', '起', '回', '笔', '项'];

/// The entries one cell holds (see the module doc).
pub fn count(text: &str) -> f64 {
    let t = text.trim().trim_end_matches(['。', '.', '！', '!']).trim();
    if t.is_empty() || is_none(t) {
        return 0.0;
    }
    match number(t) {
        Some(x) if x.is_finite() => x.max(0.0),
        Some(_) => 0.0,
        None => 1.0,
    }
}

fn is_none(t: &str) -> bool {
    if t.is_ascii() {
        NONE.iter().any(|w| w.eq_ignore_ascii_case(t))
    } else {
        NONE.contains(&t)
    }
}

/// The number a cell writes, with a count word after it or not.
fn number(t: &str) -> Option<f64> {
    let digits = t.trim_end_matches(COUNT_WORDS).trim_end();
    if digits.is_empty() {
        return None;
    }
    digits.parse::<f64>().ok()
}

/// Per column of `field` in `t`, each row's entries (0 for a blank cell). A number column (a
/// count) is read as numbers, a text column by [`count`], once per distinct text.
pub fn columns(t: &Table, field: Field) -> Vec<Vec<f64>> {
    t.columns
        .iter()
        .filter(|c| c.field == Some(field))
        .filter_map(|c| match &c.data {
            Data::Number(v) => Some(v.iter().map(|&x| counted(x)).collect()),
            Data::Text(ids) => Some(texts(t, ids)),
            Data::Date(_) | Data::Key(_) => None,
        })
        .collect()
}

/// A number cell as entries: blank (NaN), negative or infinite is none.
fn counted(x: f64) -> f64 {
    if x.is_finite() {
        x.max(0.0)
    } else {
        0.0
    }
}

/// The entries of each row of a text column; each distinct text is read once.
fn texts(t: &Table, ids: &[u32]) -> Vec<f64> {
    let mut seen: FxHashMap<u32, f64> = FxHashMap::default();
    ids.iter()
        .map(|&id| {
            if id as usize >= t.pool.len() {
                return 0.0;
            }
            *seen.entry(id).or_insert_with(|| count(t.pool.get(id)))
        })
        .collect()
}

/// Customer `owner[r]`'s entries summed over the rows `r` of `cols`; `None` for a customer with
/// no row (its feedback is unknown).
pub fn per_customer(cols: &[Vec<f64>], owner: &[u32], n: usize) -> Vec<Option<f64>> {
    let mut out = vec![None; n];
    for (r, &i) in owner.iter().enumerate() {
        let Some(slot) = out.get_mut(i as usize) else {
            continue;
        };
        let row: f64 = cols.iter().filter_map(|c| c.get(r)).sum();
        *slot = Some(slot.unwrap_or(0.0) + row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn a_cell_counts_as_its_number_one_text_or_none() {
        for (cell, want) in [
            ("3", 3.0),
            ("2.5", 2.5),
            ("3次", 3.0),
            ("2 条", 2.0),
            ("0", 0.0),
            ("-1", 0.0),
            ("", 0.0),
            ("  ", 0.0),
            ("无", 0.0),
            ("无。", 0.0),
            ("暂无投诉", 0.0),
            ("N/A", 0.0),
            ("None", 0.0),
            ("FALSE", 0.0),
            ("-", 0.0),
            ("—", 0.0),
            ("/", 0.0),
            ("否", 0.0),
            ("发货慢", 1.0),
            ("无法按时交货", 1.0),
            ("3号货物破损", 1.0),
            ("两次", 1.0),
            ("是", 1.0),
            ("TRUE", 1.0),
            ("inf", 0.0),
            ("次", 1.0),
        ] {
            assert_eq!(count(cell), want, "{cell:?}");
        }
    }
}
