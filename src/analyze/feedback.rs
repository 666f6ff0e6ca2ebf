//! Customer feedback (客户反馈): complaints, praise and suggestions per customer as counts and
//! ratios, by dimension, and beside the churn model's risk bands and the lifecycle stages, so a
//! manager sees whether the customers at risk complained more.
//!
//! Definition (docs/analyses.md):
//! - Counts: each customer's complaints, praise and suggestions as the facts count them
//!   (`facts::feedback`: a number cell is that many entries, any other non-empty text one, a
//!   blank or a word saying none such as 无 or N/A none), summed over its order lines or read from
//!   its register row. Customers with no row in the table holding the feedback columns are
//!   unknown and left out (`left_out`).
//! - A tally of a group of customers: `customers`; `with_feedback` (at least one entry of any
//!   kind); per kind the customers with at least one entry, the entries, and the rate (customers
//!   with one ÷ customers whose count of the kind is known, %); `orders`, the orders (purchase
//!   days, as everywhere) of its customers whose order count and complaints are known;
//!   `complaints_per_100_orders` = those customers' complaints ÷ `orders` × 100;
//!   `praise_per_complaint` = praise ÷ complaints. A kind the input lacks is null, as is a ratio
//!   over nothing.
//! - Tallied for everyone, per value of each grouping dimension (blank as its own group), per
//!   churn risk band when the churn model ran, and per lifecycle stage when the lifecycle ran.
//! - The `top` customers with the most complaints, ties by id or name.
//!
//! Example: a customer with order lines 发货慢, 无 and a blank on two purchase days has 1
//! complaint on 2 orders, 50 per 100 orders.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::churn_model::{Band, CustomerChurn};
use crate::analyze::lifecycle::Stage;
use crate::facts::{Fact, Facts, Field, DIMENSIONS, NO_TEXT};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FeedbackOptions {
    /// Customers listed in `top_complaints`.
    pub top: usize,
    /// Groups of a dimension drawn before the rest are summed as "其他 / Other".
    pub chart_groups: usize,
}

impl Default for FeedbackOptions {
    fn default() -> Self {
        FeedbackOptions {
            top: 50,
            chart_groups: 10,
        }
    }
}

/// The feedback of a group of customers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub customers: u64,
    /// Customers with at least one entry of any kind.
    pub with_feedback: u64,
    pub with_complaints: Option<u64>,
    pub with_praise: Option<u64>,
    pub with_suggestions: Option<u64>,
    /// Entries.
    pub complaints: Option<f64>,
    pub praise: Option<f64>,
    pub suggestions: Option<f64>,
    /// Percent of the customers whose count of the kind is known (all of `customers` unless
    /// the kinds sit in different tables) with at least one entry.
    pub complaint_rate: Option<f64>,
    pub praise_rate: Option<f64>,
    pub suggestion_rate: Option<f64>,
    /// Orders of the customers whose order count and complaints are known (whose order count
    /// is known, without a complaints column).
    pub orders: u64,
    pub complaints_per_100_orders: Option<f64>,
    pub praise_per_complaint: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The cell text; `None` for the blank group.
    pub value: Option<String>,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    pub field: Field,
    pub label: Text,
    /// Most customers first (the value breaks ties); the blank group last.
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandRow {
    pub band: Band,
    pub label: Text,
    #[serde(flatten)]
    pub tally: Tally,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: Stage,
    pub label: Text,
    #[serde(flatten)]
    pub tally: Tally,
}

/// A customer among those with the most complaints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Complainer {
    /// Index into the report's `customers`.
    pub customer: u32,
    pub complaints: f64,
    pub praise: Option<f64>,
    pub suggestions: Option<f64>,
    pub orders: Option<u32>,
    pub complaints_per_100_orders: Option<f64>,
    pub amount: Option<f64>,
    /// The churn model's risk band, when it scored the customer.
    pub band: Option<Band>,
    pub stage: Option<Stage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback {
    pub options: FeedbackOptions,
    pub definition: Text,
    /// Customers whose feedback is unknown: no row in the table holding the feedback columns.
    pub left_out: u64,
    pub overall: Tally,
    pub dimensions: Vec<Dimension>,
    /// High, medium, low; absent when the churn model did not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_churn_risk: Vec<BandRow>,
    /// The stages with customers, in the lifecycle's order; absent when it did not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_lifecycle: Vec<StageRow>,
    /// Most complaints first, at most `options.top`; empty without a complaints column.
    pub top_complaints: Vec<Complainer>,
    pub charts: Vec<Chart>,
}

/// What the feedback is set beside: the churn model's and the lifecycle's labels, by customer.
pub struct Context<'l> {
    pub churn: &'l [Option<CustomerChurn>],
    pub lifecycle: &'l [Option<Stage>],
}

/// Which of the three kinds the input has: complaints, praise, suggestions.
#[derive(Debug, Clone, Copy)]
struct Kinds([bool; 3]);

impl Kinds {
    fn of(facts: &Facts) -> Kinds {
        let h = facts.has;
        Kinds([h.complaints, h.praise, h.suggestions])
    }

    fn any(self) -> bool {
        self.0.iter().any(|&k| k)
    }

    fn has(self, k: usize) -> bool {
        self.0.get(k).copied().unwrap_or(false)
    }
}

/// A customer's entries of each kind the input has, `None` where unknown.
type Entries = [Option<f64>; 3];

/// Customer `c`'s entries; `None` when none of the kinds is known for it.
fn entries(c: &Fact, kinds: Kinds) -> Option<Entries> {
    let mut e = [c.complaints, c.praise, c.suggestions];
    for (k, x) in e.iter_mut().enumerate() {
        if !kinds.has(k) {
            *x = None;
        }
    }
    e.iter().any(Option::is_some).then_some(e)
}

/// A tally being summed.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    customers: u64,
    with_any: u64,
    /// Per kind, the customers whose count is known: all of `customers` unless the kinds sit
    /// in different tables (complaints on the order lines, praise in the register).
    known: [u64; 3],
    with: [u64; 3],
    entries: [f64; 3],
    orders: u64,
    /// Complaints of the customers whose orders are in `orders`.
    ordered_complaints: f64,
}

impl Sums {
    fn add(&mut self, e: Entries, orders: Option<u32>, kinds: Kinds) {
        self.customers += 1;
        self.with_any += u64::from(e.iter().flatten().any(|&x| x > 0.0));
        for (k, x) in e.iter().enumerate() {
            let Some(x) = *x else { continue };
            if let (Some(n), Some(w), Some(s)) = (
                self.known.get_mut(k),
                self.with.get_mut(k),
                self.entries.get_mut(k),
            ) {
                *n += 1;
                *w += u64::from(x > 0.0);
                *s += x;
            }
        }
        // The orders complaints are set against: those of the customers whose complaints are
        // known (of every customer counted, when the input has no complaints).
        let [complaints, _, _] = e;
        if let (Some(o), true) = (orders, complaints.is_some() || !kinds.has(0)) {
            self.orders += u64::from(o);
            self.ordered_complaints += complaints.unwrap_or(0.0);
        }
    }

    fn merge(&mut self, o: &Sums) {
        self.customers += o.customers;
        self.with_any += o.with_any;
        for (n, x) in self.known.iter_mut().zip(o.known) {
            *n += x;
        }
        for (w, x) in self.with.iter_mut().zip(o.with) {
            *w += x;
        }
        for (s, x) in self.entries.iter_mut().zip(o.entries) {
            *s += x;
        }
        self.orders += o.orders;
        self.ordered_complaints += o.ordered_complaints;
    }

    fn tally(&self, kinds: Kinds) -> Tally {
        let with = |k: usize| kinds.has(k).then(|| self.with.get(k).copied().unwrap_or(0));
        let sum = |k: usize| {
            kinds
                .has(k)
                .then(|| self.entries.get(k).copied().unwrap_or(0.0))
        };
        let rate = |k: usize| {
            let n = self.known.get(k).copied().unwrap_or(0);
            with(k)
                .filter(|_| n > 0)
                .map(|w| 100.0 * w as f64 / n as f64)
        };
        let complaints = sum(0);
        Tally {
            customers: self.customers,
            with_feedback: self.with_any,
            with_complaints: with(0),
            with_praise: with(1),
            with_suggestions: with(2),
            complaints,
            praise: sum(1),
            suggestions: sum(2),
            complaint_rate: rate(0),
            praise_rate: rate(1),
            suggestion_rate: rate(2),
            orders: self.orders,
            complaints_per_100_orders: complaints
                .filter(|_| self.orders > 0)
                .map(|_| 100.0 * self.ordered_complaints / self.orders as f64),
            praise_per_complaint: match (sum(1), complaints) {
                (Some(p), Some(c)) if c > 0.0 => Some(p / c),
                _ => None,
            },
        }
    }
}

/// The feedback analysis; `None` when the input has no feedback column or no customer's
/// feedback is known.
pub fn run<'a>(
    facts: &Facts,
    o: &FeedbackOptions,
    ctx: &Context<'_>,
    tiebreak: &dyn Fn(usize) -> &'a str,
) -> Option<(Feedback, Vec<Option<bool>>)> {
    let kinds = Kinds::of(facts);
    if !kinds.any() {
        return None;
    }
    let known: Vec<Option<Entries>> = facts.customers.iter().map(|c| entries(c, kinds)).collect();
    let (all, bands, stages) = sums(facts, &known, ctx, kinds);
    if all.customers == 0 {
        return None;
    }
    let by_churn_risk = band_rows(&bands, ctx, kinds);
    let by_lifecycle = stage_rows(&stages, kinds);
    let dims = dimensions(facts, &known, kinds);
    let mut charts = Vec::new();
    if !by_churn_risk.is_empty() {
        charts.push(band_chart(&by_churn_risk, kinds));
    }
    if !by_lifecycle.is_empty() {
        charts.push(stage_chart(&by_lifecycle, kinds));
    }
    charts.extend(dims.iter().map(|d| dimension_chart(d, o, kinds)));
    let labels: Vec<Option<bool>> = facts
        .customers
        .iter()
        .map(|c| c.complaints.filter(|_| kinds.has(0)).map(|x| x > 0.0))
        .collect();
    let result = Feedback {
        options: *o,
        definition: definition(),
        left_out: (facts.customers.len() as u64).saturating_sub(all.customers),
        overall: all.tally(kinds),
        dimensions: dims.into_iter().map(|d| d.dimension).collect(),
        by_churn_risk,
        by_lifecycle,
        top_complaints: top_complaints(facts, o.top, ctx, kinds, tiebreak),
        charts,
    };
    Some((result, labels))
}

/// The sums of everyone, of each churn risk band and of each lifecycle stage.
fn sums(
    facts: &Facts,
    known: &[Option<Entries>],
    ctx: &Context<'_>,
    kinds: Kinds,
) -> (Sums, [Sums; 3], [Sums; 5]) {
    let mut all = Sums::default();
    let mut bands = [Sums::default(); 3];
    let mut stages = [Sums::default(); 5];
    for (i, (c, e)) in facts.customers.iter().zip(known).enumerate() {
        let Some(e) = *e else { continue };
        all.add(e, c.orders, kinds);
        let band = ctx.churn.get(i).copied().flatten();
        if let Some(s) = band.and_then(|b| bands.get_mut(b.band as usize)) {
            s.add(e, c.orders, kinds);
        }
        let stage = ctx.lifecycle.get(i).copied().flatten();
        if let Some(s) = stage.and_then(|st| stages.get_mut(st as usize)) {
            s.add(e, c.orders, kinds);
        }
    }
    (all, bands, stages)
}

fn definition() -> Text {
    Text::new(
        "每位客户的投诉、好评、建议条数：数字单元格计其数值，非空文字计 1 条，空白、0、无、没有、否、N/A、- 等计 0；按订单行累加，或取登记表的值。投诉率＝有投诉的客户 ÷ 客户数；每百单投诉＝投诉条数 ÷ 订单数 × 100（订单按购买日计）；好评/投诉＝好评条数 ÷ 投诉条数。",
        "Each customer's complaints, praise and suggestions: a number cell counts as that many, any other text as one, a blank, 0, 无, none, N/A or - as none; summed over its order lines, or the register's value. Complaint rate = customers with a complaint ÷ customers; complaints per 100 orders = complaints ÷ orders × 100 (an order is a purchase day); praise per complaint = praise ÷ complaints.",
    )
}

fn band_rows(sums: &[Sums; 3], ctx: &Context<'_>, kinds: Kinds) -> Vec<BandRow> {
    if !ctx.churn.iter().any(Option::is_some) {
        return Vec::new();
    }
    Band::ALL
        .iter()
        .zip(sums)
        .map(|(&band, s)| BandRow {
            band,
            label: band.label(),
            tally: s.tally(kinds),
        })
        .collect()
}

fn stage_rows(sums: &[Sums; 5], kinds: Kinds) -> Vec<StageRow> {
    Stage::ALL
        .iter()
        .zip(sums)
        .filter(|(_, s)| s.customers > 0)
        .map(|(&stage, s)| StageRow {
            stage,
            label: stage.label(),
            tally: s.tally(kinds),
        })
        .collect()
}

/// A dimension's groups with their sums, kept for its chart.
struct Grouped {
    dimension: Dimension,
    sums: Vec<Sums>,
}

/// Every grouping dimension the input has, its groups ordered most customers first.
fn dimensions(facts: &Facts, known: &[Option<Entries>], kinds: Kinds) -> Vec<Grouped> {
    let mut out = Vec::new();
    for field in DIMENSIONS {
        let Some(dim) = facts.dim(field) else {
            continue;
        };
        // Slot k < labels.len() is a label; the last slot is the blank group.
        let slots = dim.labels.len() + 1;
        let mut sums = vec![Sums::default(); slots];
        for (i, (c, e)) in facts.customers.iter().zip(known).enumerate() {
            let Some(e) = *e else { continue };
            let v = dim.values.get(i).copied().unwrap_or(NO_TEXT);
            let slot = if v == NO_TEXT { slots - 1 } else { v as usize };
            if let Some(s) = sums.get_mut(slot) {
                s.add(e, c.orders, kinds);
            }
        }
        let mut groups: Vec<(Option<String>, Sums)> = sums
            .into_iter()
            .enumerate()
            .filter(|(_, s)| s.customers > 0)
            .map(|(k, s)| (dim.labels.get(k).cloned(), s))
            .collect();
        crate::sort::by(&mut groups, |a, b| {
            a.0.is_none()
                .cmp(&b.0.is_none())
                .then(b.1.customers.cmp(&a.1.customers))
                .then(a.0.cmp(&b.0))
        });
        let (values, sums): (Vec<Option<String>>, Vec<Sums>) = groups.into_iter().unzip();
        let groups = values
            .into_iter()
            .zip(&sums)
            .map(|(value, s)| Group {
                value,
                tally: s.tally(kinds),
            })
            .collect();
        out.push(Grouped {
            dimension: Dimension {
                field,
                label: Text::new(field.label_zh(), field.label_en()),
                groups,
            },
            sums,
        });
    }
    out
}

/// The customers with the most complaints (at least one), ties by id or name.
fn top_complaints<'a>(
    facts: &Facts,
    top: usize,
    ctx: &Context<'_>,
    kinds: Kinds,
    tiebreak: &dyn Fn(usize) -> &'a str,
) -> Vec<Complainer> {
    if !kinds.has(0) {
        return Vec::new();
    }
    let list = facts.customers.iter().enumerate().filter_map(|(i, c)| {
        let complaints = c.complaints.filter(|&x| x > 0.0)?;
        Some(Complainer {
            customer: i as u32,
            complaints,
            praise: c.praise.filter(|_| kinds.has(1)),
            suggestions: c.suggestions.filter(|_| kinds.has(2)),
            orders: c.orders,
            complaints_per_100_orders: c
                .orders
                .filter(|&o| o > 0)
                .map(|o| 100.0 * complaints / f64::from(o)),
            amount: c.amount,
            band: ctx.churn.get(i).copied().flatten().map(|b| b.band),
            stage: ctx.lifecycle.get(i).copied().flatten(),
        })
    });
    crate::sort::first(list, top, |a, b| {
        b.complaints
            .total_cmp(&a.complaints)
            .then_with(|| tiebreak(a.customer as usize).cmp(tiebreak(b.customer as usize)))
            .then(a.customer.cmp(&b.customer))
    })
}

/// The share of customers with an entry of each kind the input has, one series a kind.
fn rate_series(tallies: &[&Tally], kinds: Kinds) -> Vec<Series> {
    let kinds_named = [
        (Text::new("有投诉的客户", "With a complaint"), 0),
        (Text::new("有好评的客户", "With praise"), 1),
        (Text::new("有建议的客户", "With a suggestion"), 2),
    ];
    kinds_named
        .into_iter()
        .filter(|&(_, k)| kinds.has(k))
        .map(|(name, k)| {
            let rate = |t: &&Tally| match k {
                0 => t.complaint_rate,
                1 => t.praise_rate,
                _ => t.suggestion_rate,
            };
            let data = tallies.iter().map(|t| rate(t).unwrap_or(0.0)).collect();
            Series::new(name, Unit::Percent, data)
        })
        .collect()
}

/// A bar of the kinds' rates per category, a click filtering the customer table by `key`.
fn rates_chart(
    key: &str,
    title: Text,
    categories: Vec<Text>,
    keys: Vec<String>,
    tallies: &[&Tally],
    kinds: Kinds,
) -> Chart {
    Chart {
        id: format!("feedback_by_{key}"),
        kind: Kind::Bar,
        title,
        categories,
        keys,
        series: rate_series(tallies, kinds),
        x_title: None,
        y_title: Some(Text::new("客户占比 %", "Share of customers %")),
    }
}

fn band_chart(rows: &[BandRow], kinds: Kinds) -> Chart {
    rates_chart(
        "churn_risk",
        Text::new("按流失风险的客户反馈", "Feedback by churn risk"),
        rows.iter().map(|r| r.label.clone()).collect(),
        rows.iter().map(|r| r.band.key().to_string()).collect(),
        &rows.iter().map(|r| &r.tally).collect::<Vec<_>>(),
        kinds,
    )
}

fn stage_chart(rows: &[StageRow], kinds: Kinds) -> Chart {
    rates_chart(
        "lifecycle",
        Text::new("按生命周期的客户反馈", "Feedback by lifecycle stage"),
        rows.iter().map(|r| r.label.clone()).collect(),
        rows.iter().map(|r| r.stage.key().to_string()).collect(),
        &rows.iter().map(|r| &r.tally).collect::<Vec<_>>(),
        kinds,
    )
}

/// The largest `chart_groups` groups of a dimension, the rest summed as "其他".
fn dimension_chart(d: &Grouped, o: &FeedbackOptions, kinds: Kinds) -> Chart {
    let shown = o.chart_groups.max(1);
    let groups = &d.dimension.groups;
    let mut cats: Vec<Text> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut tallies: Vec<Tally> = Vec::new();
    for g in groups.iter().take(shown) {
        cats.push(match &g.value {
            Some(v) => Text::new(v.clone(), v.clone()),
            None => Text::new("(未填)", "(blank)"),
        });
        keys.push(g.value.clone().unwrap_or_default());
        tallies.push(g.tally.clone());
    }
    if groups.len() > shown {
        let mut rest = Sums::default();
        for s in d.sums.get(shown..).unwrap_or(&[]) {
            rest.merge(s);
        }
        cats.push(Text::new("其他", "Other"));
        keys.push(String::new());
        tallies.push(rest.tally(kinds));
    }
    let label = &d.dimension.label;
    rates_chart(
        d.dimension.field.key(),
        Text::new(
            format!("按{}的客户反馈", label.zh),
            format!("Feedback by {}", label.en.to_lowercase()),
        ),
        cats,
        keys,
        &tallies.iter().collect::<Vec<_>>(),
        kinds,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(complaints: Option<f64>, praise: Option<f64>, orders: Option<u32>) -> Fact {
        Fact {
            complaints,
            praise,
            orders,
            ..Fact::default()
        }
    }

    /// Rates over the customers whose feedback is known; per 100 orders over those whose order
    /// count is known; a kind the input lacks is null.
    #[test]
    fn tally_by_hand() {
        let mut facts = Facts {
            customers: vec![
                fact(Some(2.0), Some(1.0), Some(4)),
                fact(Some(0.0), Some(3.0), Some(2)),
                fact(Some(1.0), Some(0.0), None),
                fact(None, None, Some(9)),
            ],
            ..Facts::default()
        };
        facts.has.complaints = true;
        facts.has.praise = true;
        let ctx = Context {
            churn: &[],
            lifecycle: &[],
        };
        let (f, labels) = run(&facts, &FeedbackOptions::default(), &ctx, &|i| {
            ["a", "b", "c", "d"][i]
        })
        .unwrap();
        let t = &f.overall;
        assert_eq!((t.customers, t.with_feedback, f.left_out), (3, 3, 1));
        assert_eq!((t.with_complaints, t.complaints), (Some(2), Some(3.0)));
        assert_eq!(t.complaint_rate, Some(200.0 / 3.0));
        assert_eq!((t.with_suggestions, t.suggestion_rate), (None, None));
        // Complaints of the customers with an order count, 2 + 0, over their 6 orders.
        assert_eq!(t.orders, 6);
        assert_eq!(t.complaints_per_100_orders, Some(200.0 / 6.0));
        assert_eq!(t.praise_per_complaint, Some(4.0 / 3.0));
        assert_eq!(labels, [Some(true), Some(false), Some(true), None]);
        let top: Vec<(u32, f64)> = f
            .top_complaints
            .iter()
            .map(|c| (c.customer, c.complaints))
            .collect();
        assert_eq!(top, [(0, 2.0), (2, 1.0)]);
        assert_eq!(f.top_complaints[0].complaints_per_100_orders, Some(50.0));
        assert!(f.by_churn_risk.is_empty() && f.by_lifecycle.is_empty());
    }

    /// Complaints on the order lines and praise in the register: each rate is over the
    /// customers whose count of that kind is known, and per 100 orders over those whose
    /// complaints are.
    #[test]
    fn kinds_from_different_tables() {
        let mut facts = Facts {
            customers: vec![
                fact(Some(1.0), None, Some(2)),
                fact(None, Some(2.0), Some(5)),
                fact(Some(0.0), Some(0.0), Some(3)),
            ],
            ..Facts::default()
        };
        facts.has.complaints = true;
        facts.has.praise = true;
        let ctx = Context {
            churn: &[],
            lifecycle: &[],
        };
        let (f, _) = run(&facts, &FeedbackOptions::default(), &ctx, &|_| "").unwrap();
        let t = &f.overall;
        assert_eq!((t.customers, t.with_feedback), (3, 2));
        assert_eq!((t.complaint_rate, t.praise_rate), (Some(50.0), Some(50.0)));
        assert_eq!((t.orders, t.complaints_per_100_orders), (5, Some(20.0)));
    }

    #[test]
    fn no_feedback_column_no_analysis() {
        let facts = Facts {
            customers: vec![fact(None, None, Some(1))],
            ..Facts::default()
        };
        let ctx = Context {
            churn: &[],
            lifecycle: &[],
        };
        assert!(run(&facts, &FeedbackOptions::default(), &ctx, &|_| "").is_none());
    }
}
