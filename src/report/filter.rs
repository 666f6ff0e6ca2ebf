//! The multi-dimensional filter: which customers match any combination of labels, dimension
//! values (extra columns included), numeric ranges, date ranges and a text search.
//!
//! An [`Index`] is built once from a report (columnar: one code, number or day per customer and
//! key), so each query is one pass over plain arrays — fast enough to run on every keystroke.
//! A query is a JSON object; every key narrows the result (AND), and the values listed for one
//! key widen it (OR):
//!
//! ```json
//! {"rfm_segment": ["important_value", "important_keep"], "region": ["华东", null],
//!  "amount": {"min": 1000}, "last_order_date": {"from": "2024-01-01", "to": "2024-06-30"},
//!  "text": "贸易"}
//! ```
//! `null` in a list matches customers without a value; `text` matches the id or name,
//! case-insensitively. An unknown key or a malformed value is an error naming it.

use crate::analyze::people;
use crate::report::{CustomerRow, Report};
use crate::table::day_number;
use rustc_hash::FxHashMap;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// A categorical column: a code per customer (`u32::MAX` = none) and the code's text.
struct Category {
    codes: Vec<u32>,
    index: FxHashMap<String, u32>,
    /// The text of each code.
    texts: Vec<String>,
}

impl Category {
    fn new() -> Self {
        Category {
            codes: Vec::new(),
            index: FxHashMap::default(),
            texts: Vec::new(),
        }
    }

    fn push(&mut self, v: Option<&str>) {
        let code = match v {
            None => u32::MAX,
            Some(s) => match self.index.get(s) {
                Some(&c) => c,
                None => {
                    let c = self.texts.len() as u32;
                    self.index.insert(s.to_string(), c);
                    self.texts.push(s.to_string());
                    c
                }
            },
        };
        self.codes.push(code);
    }
}

/// The per-customer columns a query runs over.
pub struct Index {
    n: usize,
    categories: BTreeMap<String, Category>,
    numbers: BTreeMap<&'static str, Vec<f64>>,
    dates: BTreeMap<&'static str, Vec<i32>>,
    /// Lower-cased "id name" per customer.
    search: Vec<String>,
    /// Id and name per customer, for sorting.
    id: Vec<Option<String>>,
    name: Vec<Option<String>>,
}

type Num = fn(&CustomerRow) -> Option<f64>;

const NUMBERS: [(&str, Num); 28] = [
    ("order_lines", |c| Some(c.order_lines as f64)),
    ("orders", |c| c.facts.orders.map(f64::from)),
    ("amount", |c| c.facts.amount),
    ("average_order", |c| c.facts.average_order),
    ("largest_order", |c| c.facts.largest_order),
    ("profit", |c| c.facts.profit),
    ("margin", |c| c.facts.margin),
    ("returns", |c| c.facts.returns),
    ("receivable", |c| c.facts.receivable),
    ("payment_days", |c| c.facts.payment_days),
    ("complaints", |c| c.facts.complaints),
    ("praise", |c| c.facts.praise),
    ("suggestions", |c| c.facts.suggestions),
    ("quantity", |c| c.facts.quantity),
    ("credit_limit", |c| c.facts.credit_limit),
    ("nps", |c| c.facts.nps),
    ("age", |c| c.facts.age),
    ("tenure_days", |c| c.facts.tenure_days.map(f64::from)),
    ("recency_days", |c| c.facts.recency_days.map(f64::from)),
    ("interval_days", |c| c.facts.interval_days),
    ("r_score", |c| c.r_score.map(f64::from)),
    ("f_score", |c| c.f_score.map(f64::from)),
    ("m_score", |c| c.m_score.map(f64::from)),
    ("abc_rank", |c| c.abc_rank.map(f64::from)),
    ("value_score", |c| c.value_score),
    ("growth", |c| c.growth),
    ("csi", |c| c.csi),
    ("credit_score", |c| c.credit_score),
];

type Label = fn(&CustomerRow) -> Option<Cow<'static, str>>;

const LABELS: [(&str, Label); 14] = [
    ("rfm_segment", |c| c.rfm_segment.map(|s| s.key().into())),
    ("abc_class", |c| c.abc_class.map(|s| s.key().into())),
    ("abc_count_class", |c| {
        c.abc_count_class.map(|s| s.key().into())
    }),
    ("value_tier", |c| c.value_tier.map(|s| s.key().into())),
    ("lifecycle", |c| c.lifecycle.map(|s| s.key().into())),
    ("bcg", |c| c.bcg.map(|s| s.key().into())),
    ("nps_group", |c| c.nps_group.map(|s| s.key().into())),
    ("credit_grade", |c| c.credit_grade.map(|s| s.key().into())),
    ("cluster", |c| c.cluster.map(|s| s.to_string().into())),
    ("alert", |c| {
        Some(if c.alert { "true" } else { "false" }.into())
    }),
    ("clv_tier", |c| c.clv_tier.map(|s| s.key().into())),
    ("big_grade", |c| c.big_grade.map(|s| s.key().into())),
    ("churn_risk", |c| c.churn_risk.map(|s| s.key().into())),
    ("has_complaint", |c| {
        c.has_complaint
            .map(|b| if b { "true" } else { "false" }.into())
    }),
];

type Band = fn(&CustomerRow) -> Option<&people::Key>;

const BANDS: [(&str, Band); 2] = [
    ("age_band", |c| c.age_band.as_ref()),
    ("income_band", |c| c.income_band.as_ref()),
];

impl Index {
    /// Builds the columns of a report's customers.
    pub fn new(report: &Report) -> Index {
        let rows = &report.customers;
        let n = rows.len();
        let mut categories: BTreeMap<String, Category> = BTreeMap::new();
        for (key, get) in LABELS {
            let mut c = Category::new();
            for row in rows {
                c.push(get(row).as_deref());
            }
            categories.insert(key.to_string(), c);
        }
        // The people analysis's bands, when some customer has one (as a dimension).
        for (key, get) in BANDS {
            if rows.iter().any(|r| get(r).is_some()) {
                let mut c = Category::new();
                for row in rows {
                    c.push(get(row).map(people::Key::as_str));
                }
                categories.insert(key.to_string(), c);
            }
        }
        // Dimensions: every key any customer has.
        let dim_keys: BTreeSet<&str> = rows.iter().flat_map(|r| r.dims.keys()).collect();
        for key in dim_keys {
            let mut c = Category::new();
            for row in rows {
                c.push(row.dims.get(key));
            }
            categories.insert(key.to_string(), c);
        }
        let mut numbers = BTreeMap::new();
        for (k, get) in NUMBERS {
            numbers.insert(k, rows.iter().map(|r| get(r).unwrap_or(f64::NAN)).collect());
        }
        let mut dates = BTreeMap::new();
        dates.insert(
            "first_order_date",
            rows.iter()
                .map(|r| r.first_order_date.map_or(i32::MIN, day_number))
                .collect(),
        );
        dates.insert(
            "last_order_date",
            rows.iter()
                .map(|r| r.last_order_date.map_or(i32::MIN, day_number))
                .collect(),
        );
        let search = rows
            .iter()
            .map(|r| {
                let (id, name) = (
                    r.id.as_deref().unwrap_or(""),
                    r.name.as_deref().unwrap_or(""),
                );
                let mut s = String::with_capacity(id.len() + 1 + name.len());
                s.push_str(id);
                s.push(' ');
                s.push_str(name);
                if s.is_ascii() {
                    s.make_ascii_lowercase();
                    s
                } else {
                    s.to_lowercase()
                }
            })
            .collect();
        Index {
            n,
            categories,
            numbers,
            dates,
            search,
            id: rows.iter().map(|r| r.id.clone()).collect(),
            name: rows.iter().map(|r| r.name.clone()).collect(),
        }
    }

    /// Every key a query may use.
    pub fn keys(&self) -> Vec<String> {
        let mut k: Vec<String> = self.categories.keys().cloned().collect();
        k.extend(self.numbers.keys().map(|s| s.to_string()));
        k.extend(self.dates.keys().map(|s| s.to_string()));
        k.push("text".into());
        k
    }

    /// The indexes (into the report's `customers`) of the customers matching `query`.
    pub fn filter(&self, query: &serde_json::Value) -> Result<Vec<u32>, String> {
        let conds = self.compile(query)?;
        Ok((0..self.n)
            .filter(|&i| conds.iter().all(|c| c.test(i)))
            .map(|i| i as u32)
            .collect())
    }

    /// Orders `ids` by `key` (any filter key, `id` or `name`), ascending or descending; customers
    /// without a value come last either way, and ties keep their order (the sort is stable).
    pub fn sort(&self, ids: &mut [u32], key: &str, descending: bool) -> Result<(), String> {
        use std::cmp::Ordering;
        let dir = |o: Ordering| if descending { o.reverse() } else { o };
        let at = |i: &u32| *i as usize;
        if let Some(col) = self.numbers.get(key) {
            let get = |i: &u32| col.get(at(i)).copied().filter(|x| !x.is_nan());
            crate::sort::by(ids, |a, b| match (get(a), get(b)) {
                (Some(x), Some(y)) => dir(x.total_cmp(&y)),
                (a, b) => b.is_none().cmp(&a.is_none()).reverse(),
            });
        } else if let Some(col) = self.dates.get(key) {
            let get = |i: &u32| col.get(at(i)).copied().filter(|&d| d != i32::MIN);
            crate::sort::by(ids, |a, b| match (get(a), get(b)) {
                (Some(x), Some(y)) => dir(x.cmp(&y)),
                (a, b) => b.is_none().cmp(&a.is_none()).reverse(),
            });
        } else if let Some(c) = self.categories.get(key) {
            // Rank the codes by their text once; then compare ranks.
            let mut order: Vec<u32> = (0..c.texts.len() as u32).collect();
            crate::sort::by(&mut order, |&a, &b| {
                let t = |x: u32| c.texts.get(x as usize).map_or("", String::as_str);
                natural(t(a), t(b))
            });
            let mut rank = vec![0u32; c.texts.len()];
            for (r, code) in order.into_iter().enumerate() {
                if let Some(slot) = rank.get_mut(code as usize) {
                    *slot = r as u32;
                }
            }
            let get = |i: &u32| {
                c.codes
                    .get(at(i))
                    .and_then(|&code| rank.get(code as usize).copied())
            };
            crate::sort::by(ids, |a, b| match (get(a), get(b)) {
                (Some(x), Some(y)) => dir(x.cmp(&y)),
                (a, b) => b.is_none().cmp(&a.is_none()).reverse(),
            });
        } else if key == "id" || key == "name" {
            let col = if key == "id" { &self.id } else { &self.name };
            let get = |i: &u32| col.get(at(i)).and_then(|s| s.as_deref());
            crate::sort::by(ids, |a, b| match (get(a), get(b)) {
                (Some(x), Some(y)) => dir(natural(x, y)),
                (a, b) => b.is_none().cmp(&a.is_none()).reverse(),
            });
        } else {
            return Err(format!(
                "unknown sort key '{key}' (known: id, name, {})",
                self.keys().join(", ")
            ));
        }
        Ok(())
    }

    /// For each label and dimension: its values among `ids` with their counts, most frequent
    /// first, at most `limit` values (`None` is the count without a value). Feeds the page's
    /// filter menus.
    pub fn facets(
        &self,
        ids: &[u32],
        limit: usize,
    ) -> BTreeMap<String, Vec<(Option<String>, u32)>> {
        let mut out = BTreeMap::new();
        for (key, c) in &self.categories {
            let mut counts = vec![0u32; c.texts.len() + 1];
            for &i in ids {
                let code = c.codes.get(i as usize).copied().unwrap_or(u32::MAX);
                let slot = if code == u32::MAX {
                    c.texts.len()
                } else {
                    code as usize
                };
                if let Some(n) = counts.get_mut(slot) {
                    *n += 1;
                }
            }
            let mut list: Vec<(Option<String>, u32)> = counts
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(slot, &n)| (c.texts.get(slot).cloned(), n))
                .collect();
            crate::sort::by(&mut list, |a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            list.truncate(limit);
            out.insert(key.clone(), list);
        }
        out
    }

    fn compile<'a>(&'a self, query: &serde_json::Value) -> Result<Vec<Cond<'a>>, String> {
        let obj = match query {
            serde_json::Value::Object(m) => m,
            serde_json::Value::Null => return Ok(Vec::new()),
            _ => return Err("the filter must be a JSON object".into()),
        };
        let mut conds = Vec::new();
        for (key, v) in obj {
            if key == "text" {
                let t = v
                    .as_str()
                    .ok_or("text: expected a string")?
                    .trim()
                    .to_lowercase();
                if !t.is_empty() {
                    conds.push(Cond::Text(&self.search, t));
                }
            } else if let Some(c) = self.categories.get(key) {
                let list = v
                    .as_array()
                    .ok_or_else(|| format!("{key}: expected a list of values"))?;
                // allowed[code]; the last slot is "no value".
                let mut allowed = vec![false; c.index.len() + 1];
                for item in list {
                    let slot = match item {
                        serde_json::Value::Null => Some(c.index.len()),
                        serde_json::Value::String(s) => c.index.get(s).map(|&x| x as usize),
                        serde_json::Value::Number(x) => {
                            c.index.get(&x.to_string()).map(|&x| x as usize)
                        }
                        serde_json::Value::Bool(b) => {
                            c.index.get(&b.to_string()).map(|&x| x as usize)
                        }
                        _ => return Err(format!("{key}: values must be text or null")),
                    };
                    if let Some(flag) = slot.and_then(|s| allowed.get_mut(s)) {
                        *flag = true;
                    }
                }
                conds.push(Cond::In(&c.codes, allowed));
            } else if let Some(col) = self.numbers.get(key.as_str()) {
                let (min, max) = bounds(key, v, |x| x.as_f64())?;
                conds.push(Cond::Number(
                    col,
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                ));
            } else if let Some(col) = self.dates.get(key.as_str()) {
                let parse = |x: &serde_json::Value| {
                    x.as_str()
                        .and_then(crate::table::normalize::iso_date)
                        .map(day_number)
                };
                let (from, to) = bounds(key, v, parse)?;
                conds.push(Cond::Date(
                    col,
                    from.unwrap_or(i32::MIN + 1),
                    to.unwrap_or(i32::MAX),
                ));
            } else {
                return Err(format!(
                    "unknown filter key '{key}' (known: {})",
                    self.keys().join(", ")
                ));
            }
        }
        Ok(conds)
    }
}

/// Text order in which digit runs compare by value ("C2" before "C10").
fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(p), Some(q)) if p.is_ascii_digit() && q.is_ascii_digit() => {
                let mut dp = String::new();
                while let Some(c) = x.next_if(char::is_ascii_digit) {
                    dp.push(c);
                }
                let mut dq = String::new();
                while let Some(c) = y.next_if(char::is_ascii_digit) {
                    dq.push(c);
                }
                let (tp, tq) = (dp.trim_start_matches('0'), dq.trim_start_matches('0'));
                let o = tp.len().cmp(&tq.len()).then_with(|| tp.cmp(tq));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(p), Some(q)) => {
                if p != q {
                    return p.cmp(&q);
                }
                x.next();
                y.next();
            }
        }
    }
}

/// Reads `{"min": …, "max": …}` or `{"from": …, "to": …}`.
fn bounds<T>(
    key: &str,
    v: &serde_json::Value,
    read: impl Fn(&serde_json::Value) -> Option<T>,
) -> Result<(Option<T>, Option<T>), String> {
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{key}: expected {{\"min\", \"max\"}} or {{\"from\", \"to\"}}"))?;
    let mut lo = None;
    let mut hi = None;
    for (k, x) in obj {
        let val = if x.is_null() {
            None
        } else {
            Some(read(x).ok_or_else(|| format!("{key}.{k}: not a valid bound"))?)
        };
        match k.as_str() {
            "min" | "from" => lo = val,
            "max" | "to" => hi = val,
            other => return Err(format!("{key}: unknown bound '{other}'")),
        }
    }
    Ok((lo, hi))
}

enum Cond<'a> {
    In(&'a [u32], Vec<bool>),
    Number(&'a [f64], f64, f64),
    /// Inclusive day range; customers without a date never match.
    Date(&'a [i32], i32, i32),
    Text(&'a [String], String),
}

impl Cond<'_> {
    fn test(&self, i: usize) -> bool {
        match self {
            Cond::In(codes, allowed) => {
                let c = codes.get(i).copied().unwrap_or(u32::MAX);
                let slot = if c == u32::MAX {
                    allowed.len() - 1
                } else {
                    c as usize
                };
                allowed.get(slot).copied().unwrap_or(false)
            }
            Cond::Number(col, lo, hi) => col.get(i).is_some_and(|x| x >= lo && x <= hi),
            Cond::Date(col, lo, hi) => col.get(i).is_some_and(|d| d >= lo && d <= hi),
            Cond::Text(search, t) => search.get(i).is_some_and(|s| s.contains(t.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::natural;
    use std::cmp::Ordering::*;

    #[test]
    fn natural_order_compares_digit_runs_by_value() {
        assert_eq!(natural("C2", "C10"), Less);
        assert_eq!(natural("C010", "C9"), Greater);
        assert_eq!(
            natural("C01", "C1"),
            Less,
            "equal values fall back to the text"
        );
        assert_eq!(natural("华东", "华北"), Less);
        assert_eq!(natural("", "a"), Less);
        assert_eq!(natural("a1b", "a1b"), Equal);
    }
}
