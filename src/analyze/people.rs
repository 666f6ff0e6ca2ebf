//! Who the personal customers are: how customers and their purchases split by gender, age band,
//! occupation, education, income band and marital status, and each customer's age and income
//! band for the customer table and its filter.
//!
//! Definitions (docs/analyses.md):
//! - **Age**: the age column (年龄) as written, else whole years from the birth date (出生日期)
//!   to the as-of date, as people count them (a birthday counts on its day; 29 February in
//!   other years on 1 March). An impossible age (below 0, above 120, or a birth date after the
//!   as-of date) is never banded: it forms the group "(无效)" / "(invalid)", and the status
//!   note counts it. Without an as-of date a birth date gives no age, and the note says so.
//! - **Age bands** by `age_edges` (default 25, 35, 45, 55, 65): under the first edge, then from
//!   each edge to the year before the next (25–34), then the last edge and over (65+); an age
//!   written with a fraction is banded by its whole years.
//! - **Income bands** by `income_edges` (default 3000, 6000, 10000, 20000 yuan, for a monthly
//!   personal income): from each edge up to the next, excluded (3000–5999), as the column is
//!   written (its unit applied: 万元 × 10000). An income written as text that is no number
//!   ("5000-8000", "保密") is its own group, as written; a negative income is "(无效)".
//! - Gender, occupation, education and marital status: the register's value, else the first in
//!   the customer's order lines, as written (labels trimmed and full-width folded).
//! - Per group: customers, their share of all customers, amount (their purchases), its share of
//!   the whole amount, amount per customer. Bands are listed in order, each even when empty, then
//!   "(无效)", the text groups and the blank group "(未填)"; the other dimensions' groups by
//!   amount, largest first, the blank group last. Charts show the first `chart_groups` groups
//!   and sum the rest as "其他".
//!
//! Example: with the default edges and an as-of date of 2024-12-31, a customer born on
//! 1990-12-31 is 34 (25–34), one born on 1991-01-01 is 33 (its birthday is a day later), one
//! born on 1989-12-31 is 35 (35–44); an age written as 34.9 is in 25–34, one of −3 in "(无效)";
//! a monthly income of 5999.5 is in 3000–5999, "5000-8000" in the group "5000-8000".

use crate::analyze::chart::{self, Chart, Slice, Text};
use crate::facts::{Dim, Facts, Field, Incomes, NO_TEXT};
use serde::{Serialize, Serializer};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeopleOptions {
    /// Ages at which a band begins, ascending whole years (1–120).
    pub age_edges: Vec<u32>,
    /// Incomes at which a band begins, ascending whole yuan (at least 1).
    pub income_edges: Vec<u32>,
    /// Groups drawn in a chart before the rest are summed as "其他 / Other".
    pub chart_groups: usize,
}

/// Monthly personal incomes in yuan.
const INCOME_EDGES: [u32; 4] = [3000, 6000, 10000, 20000];

impl Default for PeopleOptions {
    fn default() -> Self {
        PeopleOptions {
            age_edges: vec![25, 35, 45, 55, 65],
            income_edges: INCOME_EDGES.to_vec(),
            chart_groups: 10,
        }
    }
}

/// Edges allowed in one list: more bands than this are no longer read at a glance.
const MAX_EDGES: usize = 20;

impl PeopleOptions {
    /// Checks the edges; the message names the option.
    pub fn check(&self) -> Result<(), String> {
        edges_ok("people.age_edges", &self.age_edges, 1..=120)?;
        edges_ok("people.income_edges", &self.income_edges, 1..=u32::MAX)
    }
}

fn edges_ok(name: &str, edges: &[u32], range: std::ops::RangeInclusive<u32>) -> Result<(), String> {
    let ascending = edges.windows(2).all(|w| w.first() < w.get(1));
    if edges.is_empty() || edges.len() > MAX_EDGES || !ascending {
        return Err(format!(
            "{name} must be 1–{MAX_EDGES} whole numbers in ascending order"
        ));
    }
    if !edges.iter().all(|e| range.contains(e)) {
        return Err(format!(
            "{name} must lie in {}–{}",
            range.start(),
            range.end()
        ));
    }
    Ok(())
}

/// A group's key shared by its customers' rows: a band ("25-34", "<25", "65+"), "invalid", or
/// an income written as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(Arc<str>);

impl Key {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// The key of the impossible ages and incomes.
pub const INVALID: &str = "invalid";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The value the customer table's filter takes: the cell text, a band key or
    /// [`INVALID`]; `None` for the blank group.
    pub key: Option<String>,
    pub label: Text,
    pub customers: u64,
    pub customer_share: f64,
    pub amount: f64,
    pub amount_share: f64,
    /// `None` for a band without customers.
    pub amount_per_customer: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    /// The filter key: `gender`, `age_band`, `occupation`, `education`, `income_band` or
    /// `marital_status`.
    pub by: &'static str,
    pub label: Text,
    pub groups: Vec<Group>,
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct People {
    pub options: PeopleOptions,
    /// The date ages are counted to from birth dates.
    pub as_of: Option<chrono::NaiveDate>,
    /// The bands and rules as run.
    pub definition: Text,
    pub dimensions: Vec<Dimension>,
}

/// Each customer's age and income band key (`None`: unknown).
#[derive(Debug, Clone, Default)]
pub struct Bands {
    pub age: Vec<Option<Key>>,
    pub income: Vec<Option<Key>>,
}

/// What the analysis gives: its section, the customers' bands and the status note.
pub struct Outcome {
    pub result: People,
    pub bands: Bands,
    pub note: Option<Text>,
}

/// One group a dimension can have, before counting.
struct Def {
    key: Option<Key>,
    label: Text,
}

/// A dimension's groups and each customer's group (an index into `defs`).
struct Grouping {
    by: &'static str,
    label: Text,
    defs: Vec<Def>,
    slot: Vec<usize>,
    /// For a banded dimension, how many bands lead `defs`: groups then keep their order and the
    /// bands are listed even when empty. Other dimensions' groups are ordered by amount.
    bands: Option<usize>,
}

/// The personal dimensions the input has, in the order shown.
pub fn run(facts: &Facts, o: &PeopleOptions) -> Option<Outcome> {
    let mut groupings = Vec::new();
    let mut bands = Bands::default();
    let categorical = |field: Field| facts.dim(field).map(|d| categories(field, d));
    groupings.extend(categorical(Field::Gender));
    // Impossible ages alone are worth a dimension: it shows them.
    if facts.has.age || facts.customers.iter().any(|c| c.age_invalid) {
        let g = ages(facts, &o.age_edges);
        bands.age = keys_of(&g);
        groupings.push(g);
    }
    groupings.extend(categorical(Field::Occupation));
    groupings.extend(categorical(Field::Education));
    if let Some(incomes) = &facts.income {
        let g = income_bands(incomes, &o.income_edges, facts.customers.len());
        bands.income = keys_of(&g);
        groupings.push(g);
    }
    groupings.extend(categorical(Field::MaritalStatus));
    if groupings.is_empty() {
        return None;
    }
    let dimensions = groupings.iter().map(|g| dimension(facts, g, o)).collect();
    let as_of = facts.as_of.and_then(crate::facts::days::date_of);
    Some(Outcome {
        result: People {
            options: o.clone(),
            as_of,
            definition: definition(o, as_of),
            dimensions,
        },
        bands,
        note: note(facts, o),
    })
}

/// The groups of a text dimension: its labels, then the blank group.
fn categories(field: Field, d: &Dim) -> Grouping {
    let mut defs: Vec<Def> = d
        .labels
        .iter()
        .map(|l| Def {
            key: Some(Key(Arc::from(l.as_str()))),
            label: Text::new(l.clone(), l.clone()),
        })
        .collect();
    let blank = defs.len();
    defs.push(blank_def());
    let slot = d
        .values
        .iter()
        .map(|&v| if v == NO_TEXT { blank } else { v as usize })
        .collect();
    Grouping {
        by: field.key(),
        label: Text::new(field.label_zh(), field.label_en()),
        defs,
        slot,
        bands: None,
    }
}

fn blank_def() -> Def {
    Def {
        key: None,
        label: Text::new("(未填)", "(blank)"),
    }
}

fn invalid_def() -> Def {
    Def {
        key: Some(Key(Arc::from(INVALID))),
        label: Text::new("(无效)", "(invalid)"),
    }
}

/// The bands of `edges`: under the first, from each to the next (its last whole unit), the
/// last and over. `unit` follows the number in Chinese (岁, 元).
fn band_defs(edges: &[u32], unit: &str) -> Vec<Def> {
    let mut defs = Vec::with_capacity(edges.len() + 1);
    if let Some(first) = edges.first() {
        defs.push(Def {
            key: Some(Key(Arc::from(format!("<{first}")))),
            label: Text::new(format!("{first}{unit}以下"), format!("Under {first}")),
        });
    }
    for w in edges.windows(2) {
        let (Some(&lo), Some(&next)) = (w.first(), w.get(1)) else {
            continue;
        };
        let hi = next.saturating_sub(1);
        let (key, shown) = if hi == lo {
            (lo.to_string(), lo.to_string())
        } else {
            (format!("{lo}-{hi}"), format!("{lo}–{hi}"))
        };
        defs.push(Def {
            key: Some(Key(Arc::from(key))),
            label: Text::new(format!("{shown}{unit}"), shown),
        });
    }
    if let Some(last) = edges.last() {
        defs.push(Def {
            key: Some(Key(Arc::from(format!("{last}+")))),
            label: Text::new(format!("{last}{unit}及以上"), format!("{last} and over")),
        });
    }
    defs
}

/// The band of `x` among `edges`: 0 under the first edge, k from the k-th edge on.
fn band_of(x: f64, edges: &[u32]) -> usize {
    edges.partition_point(|&e| f64::from(e) <= x)
}

/// Age bands, then the impossible ages, then the blank group.
fn ages(facts: &Facts, edges: &[u32]) -> Grouping {
    let mut defs = band_defs(edges, "岁");
    let bands = Some(defs.len());
    let invalid = defs.len();
    defs.push(invalid_def());
    let blank = defs.len();
    defs.push(blank_def());
    let slot = facts
        .customers
        .iter()
        .map(|c| match c.age {
            _ if c.age_invalid => invalid,
            Some(a) => band_of(a.floor(), edges),
            None => blank,
        })
        .collect();
    Grouping {
        by: "age_band",
        label: Text::new("年龄段", "Age band"),
        defs,
        slot,
        bands,
    }
}

/// Income bands, then negative incomes, then the incomes written as text, then the blank group.
fn income_bands(incomes: &Incomes, edges: &[u32], n: usize) -> Grouping {
    let mut defs = band_defs(edges, "元");
    let bands = Some(defs.len());
    let invalid = defs.len();
    defs.push(invalid_def());
    // Text groups in the order of the number they begin with, then by text.
    let mut order: Vec<u32> = (0..incomes.labels.len() as u32).collect();
    let label = |t: u32| incomes.labels.get(t as usize).map_or("", String::as_str);
    crate::sort::by(&mut order, |&a, &b| {
        let (x, y) = (leading_number(label(a)), leading_number(label(b)));
        let by_number = match (x, y) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (x, y) => y.is_some().cmp(&x.is_some()),
        };
        by_number.then_with(|| label(a).cmp(label(b)))
    });
    let mut text_slot = vec![0usize; incomes.labels.len()];
    for t in order {
        if let Some(s) = text_slot.get_mut(t as usize) {
            *s = defs.len();
        }
        let l = label(t);
        defs.push(Def {
            key: Some(Key(Arc::from(l))),
            label: Text::new(l, l),
        });
    }
    let blank = defs.len();
    defs.push(blank_def());
    let slot = (0..n)
        .map(|i| {
            let amount = incomes.amounts.get(i).copied().unwrap_or(f64::NAN);
            let text = incomes.texts.get(i).copied().unwrap_or(NO_TEXT);
            match text_slot.get(text as usize) {
                _ if amount < 0.0 => invalid,
                _ if !amount.is_nan() => band_of(amount, edges),
                Some(&s) => s,
                None => blank,
            }
        })
        .collect();
    Grouping {
        by: "income_band",
        label: Text::new("收入段", "Income band"),
        defs,
        slot,
        bands,
    }
}

/// The number a text begins with, if it has one among its first characters ("5000-8000" →
/// 5000, "8000以上" → 8000).
fn leading_number(s: &str) -> Option<f64> {
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let rest = s.get(start..)?;
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    rest.get(..end)?.parse().ok()
}

/// Each customer's group key, shared between customers of one group.
fn keys_of(g: &Grouping) -> Vec<Option<Key>> {
    g.slot
        .iter()
        .map(|&s| g.defs.get(s).and_then(|d| d.key.clone()))
        .collect()
}

/// Counts a grouping into its groups and charts.
fn dimension(facts: &Facts, g: &Grouping, o: &PeopleOptions) -> Dimension {
    let mut customers = vec![0u64; g.defs.len()];
    let mut amount = vec![0.0f64; g.defs.len()];
    for (c, &s) in facts.customers.iter().zip(&g.slot) {
        if let (Some(k), Some(a)) = (customers.get_mut(s), amount.get_mut(s)) {
            *k += 1;
            *a += c.amount.unwrap_or(0.0);
        }
    }
    let n = facts.customers.len() as f64;
    let total: f64 = facts.customers.iter().filter_map(|c| c.amount).sum();
    let kept = g.bands.unwrap_or(0);
    let mut groups: Vec<Group> = g
        .defs
        .iter()
        .zip(customers.iter().zip(&amount))
        .enumerate()
        .filter(|&(s, (_, (&k, _)))| k > 0 || s < kept)
        .map(|(_, (d, (&k, &a)))| Group {
            key: d.key.as_ref().map(|k| k.as_str().to_string()),
            label: d.label.clone(),
            customers: k,
            customer_share: if n > 0.0 { 100.0 * k as f64 / n } else { 0.0 },
            amount: a,
            amount_share: if total != 0.0 { 100.0 * a / total } else { 0.0 },
            amount_per_customer: (k > 0).then(|| a / k as f64),
        })
        .collect();
    if g.bands.is_none() {
        crate::sort::by(&mut groups, |a, b| {
            a.key
                .is_none()
                .cmp(&b.key.is_none())
                .then(b.amount.total_cmp(&a.amount))
                .then(b.customers.cmp(&a.customers))
                .then(a.key.cmp(&b.key))
        });
    }
    let charts = charts(g.by, &g.label, &groups, o.chart_groups);
    Dimension {
        by: g.by,
        label: g.label.clone(),
        groups,
        charts,
    }
}

fn charts(by: &str, label: &Text, groups: &[Group], chart_groups: usize) -> Vec<Chart> {
    let slices = groups.iter().map(|g| Slice {
        label: g.label.clone(),
        key: g.key.clone().unwrap_or_default(),
        customers: g.customers as f64,
        amount: g.amount,
    });
    chart::customers_and_amount(&format!("people_{by}"), label, slices, chart_groups)
}

/// The rules as run, with the edges and the as-of date.
fn definition(o: &PeopleOptions, as_of: Option<chrono::NaiveDate>) -> Text {
    let list = |edges: &[u32], unit: &str, zh: bool| {
        let names = band_defs(edges, unit).into_iter().map(|d| match zh {
            true => d.label.zh,
            false => d.label.en,
        });
        names.collect::<Vec<_>>().join(if zh { "、" } else { ", " })
    };
    let (zh_day, en_day) = as_of.map_or_else(Default::default, |d| {
        (format!("（{d}）"), format!(" ({d})"))
    });
    Text::new(
        format!(
            "年龄取“年龄”列，没有时按出生日期计算到基准日{zh_day}的周岁；年龄段：{}；小于 0、大于 120 岁或出生日期晚于基准日的归入“(无效)”。\
             收入段：{}；写成文字的收入（如“5000-8000”）按原文分组，负数归入“(无效)”。金额为各组客户的购买金额。",
            list(&o.age_edges, "岁", true),
            list(&o.income_edges, "元", true),
        ),
        format!(
            "Age: the age column, else whole years from the birth date to the as-of date{en_day}; \
             bands: {}; below 0, above 120 or born after the as-of date: (invalid). \
             Income bands (yuan): {}; an income written as text (\"5000-8000\") is grouped as \
             written, a negative one is (invalid). Amount: the group's purchases.",
            list(&o.age_edges, "岁", false),
            list(&o.income_edges, "元", false),
        ),
    )
}

/// What the status says: the impossible ages and incomes, birth dates that gave no age, and an
/// annual income column banded by the monthly default.
fn note(facts: &Facts, o: &PeopleOptions) -> Option<Text> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    let invalid_ages = facts.customers.iter().filter(|c| c.age_invalid).count();
    if invalid_ages > 0 {
        zh.push(format!(
            "{invalid_ages} 位客户的年龄不可能（小于 0、大于 120 岁或出生日期晚于基准日），归入“(无效)”"
        ));
        en.push(format!(
            "{invalid_ages} customers have an impossible age (below 0, above 120, or born after the as-of date): grouped as (invalid)"
        ));
    }
    let unaged = facts.as_of.is_none()
        && facts
            .customers
            .iter()
            .any(|c| c.birth_date.is_some() && c.age.is_none() && !c.age_invalid);
    if unaged {
        zh.push("没有基准日（没有购买日期，也未设 as_of），出生日期无法算出年龄".to_string());
        en.push(
            "No as-of date (no purchase dates and no as_of set): birth dates give no age"
                .to_string(),
        );
    }
    if let Some(incomes) = &facts.income {
        let negative = incomes.amounts.iter().filter(|&&a| a < 0.0).count();
        if negative > 0 {
            zh.push(format!("{negative} 位客户的收入为负，归入“(无效)”"));
            en.push(format!(
                "{negative} customers have a negative income: grouped as (invalid)"
            ));
        }
        if looks_annual(&incomes.header) && o.income_edges == INCOME_EDGES {
            let h = &incomes.header;
            zh.push(format!(
                "收入列“{h}”像是年收入，而默认收入段按月收入划分：可在设置 people.income_edges 中改用年收入的分段"
            ));
            en.push(format!(
                "The income column \"{h}\" looks annual, while the default income bands are monthly: set people.income_edges for annual bands"
            ));
        }
    }
    (!zh.is_empty()).then(|| Text::new(zh.join("；"), en.join("; ")))
}

/// Whether an income header names a year's income (年收入, 年薪, annual income).
fn looks_annual(header: &str) -> bool {
    let h = header.to_lowercase();
    (h.contains('年') && !h.contains('月')) || h.contains("annual") || h.contains("year")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::days::day_number;
    use crate::facts::{Fact, Has};
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    fn keys(d: &Dimension) -> Vec<Option<&str>> {
        d.groups.iter().map(|g| g.key.as_deref()).collect()
    }

    #[test]
    fn bands_are_named_from_their_edges() {
        let defs = band_defs(&[25, 35, 36, 65], "岁");
        let k: Vec<&str> = defs
            .iter()
            .filter_map(|d| d.key.as_ref())
            .map(Key::as_str)
            .collect();
        assert_eq!(k, ["<25", "25-34", "35", "36-64", "65+"]);
        let zh: Vec<&str> = defs.iter().map(|d| d.label.zh.as_str()).collect();
        assert_eq!(zh, ["25岁以下", "25–34岁", "35岁", "36–64岁", "65岁及以上"]);
        assert_eq!(defs[4].label.en, "65 and over");
        // An edge begins its band.
        assert_eq!(
            [24.0, 25.0, 34.0, 35.0, 36.0, 64.0, 65.0, 120.0]
                .map(|x| band_of(x, &[25, 35, 36, 65])),
            [0, 1, 1, 2, 3, 3, 4, 4]
        );
    }

    #[test]
    fn edges_are_checked() {
        let mut o = PeopleOptions::default();
        assert_eq!(o.check(), Ok(()));
        o.age_edges = vec![30, 30];
        assert!(o.check().unwrap_err().starts_with("people.age_edges"));
        o.age_edges = vec![30, 121];
        assert_eq!(o.check().unwrap_err(), "people.age_edges must lie in 1–120");
        o.age_edges = vec![];
        assert!(o.check().is_err());
        o.age_edges = vec![18];
        o.income_edges = vec![0, 5000];
        assert!(o.check().unwrap_err().starts_with("people.income_edges"));
    }

    #[test]
    fn text_incomes_in_the_order_of_their_numbers() {
        assert_eq!(leading_number("5000-8000"), Some(5000.0));
        assert_eq!(leading_number("约1.5万"), Some(1.5));
        assert_eq!(leading_number("保密"), None);
        let incomes = Incomes {
            header: "月收入".into(),
            amounts: vec![f64::NAN, 4000.0, f64::NAN, f64::NAN, -1.0, f64::NAN],
            labels: vec!["保密".into(), "10000-20000".into(), "5000-8000".into()],
            texts: vec![0, NO_TEXT, 1, 2, NO_TEXT, NO_TEXT],
        };
        let g = income_bands(&incomes, &[3000, 6000], 6);
        let key = |i: usize| g.defs[g.slot[i]].key.as_ref().map(Key::as_str);
        assert_eq!(
            (0..6).map(key).collect::<Vec<_>>(),
            [
                Some("保密"),
                Some("3000-5999"),
                Some("10000-20000"),
                Some("5000-8000"),
                Some("invalid"),
                None
            ]
        );
        let order: Vec<Option<&str>> = g
            .defs
            .iter()
            .map(|d| d.key.as_ref().map(Key::as_str))
            .collect();
        assert_eq!(
            order,
            [
                Some("<3000"),
                Some("3000-5999"),
                Some("6000+"),
                Some("invalid"),
                Some("5000-8000"),
                Some("10000-20000"),
                Some("保密"),
                None
            ]
        );
    }

    /// Five customers: ages from the column (30, −3), from birth dates (34 the day before a
    /// birthday, 35 on it), and none; genders with a blank.
    #[test]
    fn groups_counts_and_shares() {
        let as_of = day(2024, 12, 31);
        let person = |age: Option<f64>, invalid: bool, amount: f64| Fact {
            age,
            age_invalid: invalid,
            amount: Some(amount),
            ..Fact::default()
        };
        let facts = Facts {
            as_of: Some(as_of),
            customers: vec![
                person(Some(30.0), false, 100.0),
                person(None, true, 50.0),
                person(Some(34.0), false, 200.0),
                person(Some(35.0), false, 0.0),
                person(None, false, 650.0),
            ],
            dims: vec![Dim {
                field: Some(Field::Gender),
                header: "性别".into(),
                labels: vec!["男".into(), "女".into()],
                values: vec![0, 1, 1, NO_TEXT, 0],
            }],
            has: Has {
                age: true,
                ..Has::default()
            },
            ..Facts::default()
        };
        let out = run(&facts, &PeopleOptions::default()).unwrap();
        let [gender, age] = &out.result.dimensions[..] else {
            panic!()
        };
        assert_eq!(gender.by, "gender");
        // 男 750, 女 250, blank 0.
        assert_eq!(keys(gender), [Some("男"), Some("女"), None]);
        assert_eq!(gender.groups[0].customers, 2);
        assert_eq!(gender.groups[0].amount_share, 75.0);
        assert_eq!(gender.groups[1].amount_per_customer, Some(125.0));
        assert_eq!(
            keys(age),
            [
                Some("<25"),
                Some("25-34"),
                Some("35-44"),
                Some("45-54"),
                Some("55-64"),
                Some("65+"),
                Some("invalid"),
                None
            ]
        );
        let counts: Vec<u64> = age.groups.iter().map(|g| g.customers).collect();
        assert_eq!(counts, [0, 2, 1, 0, 0, 0, 1, 1]);
        assert_eq!(age.groups[1].customer_share, 40.0);
        assert_eq!(age.groups[1].amount, 300.0);
        assert_eq!(age.groups[0].amount_per_customer, None);
        assert_eq!(age.charts[0].id, "people_age_band_customers");
        assert_eq!(age.charts[1].keys[6], "invalid");
        let band: Vec<Option<&str>> = out
            .bands
            .age
            .iter()
            .map(|k| k.as_ref().map(Key::as_str))
            .collect();
        assert_eq!(
            band,
            [
                Some("25-34"),
                Some("invalid"),
                Some("25-34"),
                Some("35-44"),
                None
            ]
        );
        assert!(out.bands.income.is_empty());
        let note = out.note.unwrap();
        assert!(note.zh.starts_with("1 位客户的年龄不可能"), "{}", note.zh);
    }

    /// An age column of impossible values only: the age dimension shows them.
    #[test]
    fn impossible_ages_alone_are_shown() {
        let facts = Facts {
            customers: vec![Fact {
                age_invalid: true,
                ..Fact::default()
            }],
            ..Facts::default()
        };
        let out = run(&facts, &PeopleOptions::default()).unwrap();
        let age = &out.result.dimensions[0];
        assert_eq!(age.by, "age_band");
        let invalid = age
            .groups
            .iter()
            .find(|g| g.key.as_deref() == Some(INVALID));
        assert_eq!(invalid.map(|g| g.customers), Some(1));
    }

    #[test]
    fn nothing_personal_runs_nothing() {
        let facts = Facts {
            customers: vec![Fact::default()],
            dims: vec![Dim {
                field: Some(Field::Region),
                header: "区域".into(),
                labels: vec!["华东".into()],
                values: vec![0],
            }],
            ..Facts::default()
        };
        assert!(run(&facts, &PeopleOptions::default()).is_none());
    }

    #[test]
    fn annual_headers() {
        assert!(looks_annual("年收入（万元）"));
        assert!(looks_annual("Annual income"));
        assert!(!looks_annual("月收入"));
        assert!(!looks_annual("收入水平"));
    }
}
