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
//!
//! On an order list, a value written once per customer or once per order and repeated on each of
//! its lines (a register's 投诉次数 copied onto every order line) counts once, on the first of
//! them ([`line_columns`]): known when no customer's (or order's) lines differ in that column and
//! at least [`AGREE`] of them repeat a value that counts.

use crate::table::mapping::Field;
use crate::table::{Data, Table, NO_KEY};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::hash_map::Entry;

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

/// Customers (or orders) whose lines must repeat one value that counts before a column is read
/// as written once per customer (or order): fewer say little in a small list.
pub const AGREE: usize = 3;

/// One feedback column read row by row.
struct Read {
    /// Each row's entries.
    counts: Vec<f64>,
    /// What each row's cell holds, to tell a repeated value: its text id or its number's bits.
    cells: Vec<u64>,
}

/// The cell key of a blank number.
const BLANK: u64 = u64::MAX;

/// Per column of `field` in `t`, each row's entries (0 for a blank cell). A number column (a
/// count) is read as numbers, a text column by [`count`], once per distinct text.
pub fn columns(t: &Table, field: Field) -> Vec<Vec<f64>> {
    read(t, field).into_iter().map(|c| c.counts).collect()
}

/// [`columns`] of an order list: a column whose value is one per customer, or one per order,
/// repeated on each of its lines counts on the first of them only. `owner` is each line's
/// customer (`u32::MAX` for none), `orders` each line's order id key ([`NO_KEY`] for none).
pub fn line_columns(
    t: &Table,
    field: Field,
    owner: &[u32],
    orders: Option<&[u64]>,
) -> Vec<Vec<f64>> {
    let customer = |r: usize| match owner.get(r) {
        Some(&i) if i != u32::MAX => u64::from(i) + 1,
        _ => NO_KEY,
    };
    read(t, field)
        .into_iter()
        .map(|mut c| {
            if !once_per(&c.cells, &mut c.counts, customer) {
                if let Some(o) = orders {
                    once_per(&c.cells, &mut c.counts, |r| {
                        o.get(r).copied().unwrap_or(NO_KEY)
                    });
                }
            }
            c.counts
        })
        .collect()
}

fn read(t: &Table, field: Field) -> Vec<Read> {
    t.columns
        .iter()
        .filter(|c| c.field == Some(field))
        .filter_map(|c| match &c.data {
            Data::Number(v) => Some(Read {
                counts: v.iter().map(|&x| counted(x)).collect(),
                // + 0.0 makes −0 and 0 one value.
                cells: v
                    .iter()
                    .map(|&x| {
                        if x.is_nan() {
                            BLANK
                        } else {
                            (x + 0.0).to_bits()
                        }
                    })
                    .collect(),
            }),
            Data::Text(ids) => Some(Read {
                counts: texts(t, ids),
                cells: ids.iter().map(|&id| u64::from(id)).collect(),
            }),
            Data::Date(_) | Data::Key(_) => None,
        })
        .collect()
}

/// Whether `cells` hold one value per group (`group(r)` of row r, [`NO_KEY`] for none) repeated
/// on each of its rows, as no group's rows differing and at least [`AGREE`] groups repeating a
/// value that counts show. If so, every row but a group's first counts none in `counts`.
fn once_per(cells: &[u64], counts: &mut [f64], group: impl Fn(usize) -> u64) -> bool {
    // Per group: its first cell, and whether a later row repeats it with entries.
    let mut first: FxHashMap<u64, (u64, bool)> = FxHashMap::default();
    for (r, (&cell, &n)) in cells.iter().zip(counts.iter()).enumerate() {
        let g = group(r);
        if g == NO_KEY {
            continue;
        }
        match first.entry(g) {
            Entry::Vacant(e) => {
                e.insert((cell, false));
            }
            Entry::Occupied(mut e) if e.get().0 == cell => e.get_mut().1 |= n > 0.0,
            Entry::Occupied(_) => return false,
        }
    }
    if first.values().filter(|v| v.1).count() < AGREE {
        return false;
    }
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    for (r, n) in counts.iter_mut().enumerate() {
        let g = group(r);
        if g != NO_KEY && !seen.insert(g) {
            *n = 0.0;
        }
    }
    true
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
    use super::{count, once_per, NO_KEY};

    /// A value repeated on every line of a customer counts once when three customers show it;
    /// one customer whose lines differ, or too few repeats, and every line counts.
    #[test]
    fn a_value_repeated_on_a_customers_lines_counts_once() {
        let group = |g: &'static [u64]| move |r: usize| g.get(r).copied().unwrap_or(NO_KEY);
        let groups: &[u64] = &[1, 1, 2, 2, 3, 3, 3, 4, NO_KEY];
        let cells = [7, 7, 8, 8, 9, 9, 9, 5, 6];
        let mut counts = [2.0, 2.0, 1.0, 1.0, 3.0, 3.0, 3.0, 1.0, 1.0];
        assert!(once_per(&cells, &mut counts, group(groups)));
        assert_eq!(counts, [2.0, 0.0, 1.0, 0.0, 3.0, 0.0, 0.0, 1.0, 1.0]);

        let differing = [7, 7, 8, 8, 9, 9, 4, 5, 6];
        let mut counts = [2.0, 2.0, 1.0, 1.0, 3.0, 3.0, 3.0, 1.0, 1.0];
        assert!(!once_per(&differing, &mut counts, group(groups)));
        assert_eq!(counts[1], 2.0);

        let two: &[u64] = &[1, 1, 2, 2, 3];
        let mut counts = [1.0, 1.0, 1.0, 1.0, 1.0];
        assert!(!once_per(&[7, 7, 8, 8, 9], &mut counts, group(two)));
    }

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
