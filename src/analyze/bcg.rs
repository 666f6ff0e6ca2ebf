//! The BCG-style matrix: customers (and products) placed by sales share and growth into
//! 明星 star, 金牛 cash cow, 问题 question mark and 瘦狗 dog.
//!
//! Definitions (docs/analyses.md), over the last year with purchases and the calendar year before
//! it (never an older year; when that year has no purchases nothing has a growth and there is no
//! matrix), or, when the last year is partial, the same dates of the year before (`period`,
//! [`compare`]): share = the item's amount in the last year ÷ everyone's, in percent; growth =
//! (last − before) ÷ before, in percent. An item without purchases in the year before has no
//! growth and is not placed (counted as `new`). Split lines: `share_split` and `growth_split`,
//! default the medians over the placed items that still bought in the last year (an item that
//! stopped buying is a dog whatever the lines). High means on or above the line (an item exactly
//! on a line goes to the upper side): star = high share and high growth, cash cow = high share and
//! low growth, question mark = low share and high growth, dog = both low.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::compare::{self, Compared};
use crate::analyze::performance::MAX_YEARS;
use crate::analyze::score::percentile;
use crate::facts::Facts;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BcgOptions {
    /// Share line in percent; default the median share.
    pub share_split: Option<f64>,
    /// Growth line in percent; default the median growth.
    pub growth_split: Option<f64>,
    /// Points drawn per matrix at most (the largest by amount).
    pub max_points: usize,
}

impl Default for BcgOptions {
    fn default() -> Self {
        BcgOptions {
            share_split: None,
            growth_split: None,
            max_points: 2000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    Star,
    CashCow,
    QuestionMark,
    Dog,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] = [
        Quadrant::Star,
        Quadrant::CashCow,
        Quadrant::QuestionMark,
        Quadrant::Dog,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Quadrant::Star => "star",
            Quadrant::CashCow => "cash_cow",
            Quadrant::QuestionMark => "question_mark",
            Quadrant::Dog => "dog",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Quadrant::Star => Text::new("明星", "Star"),
            Quadrant::CashCow => Text::new("金牛", "Cash cow"),
            Quadrant::QuestionMark => Text::new("问题", "Question mark"),
            Quadrant::Dog => Text::new("瘦狗", "Dog"),
        }
    }

    fn of(high_share: bool, high_growth: bool) -> Quadrant {
        match (high_share, high_growth) {
            (true, true) => Quadrant::Star,
            (true, false) => Quadrant::CashCow,
            (false, true) => Quadrant::QuestionMark,
            (false, false) => Quadrant::Dog,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuadrantRow {
    pub quadrant: Quadrant,
    pub label: Text,
    pub items: u64,
    /// Percent of the last year's amount.
    pub amount_share: f64,
}

/// One placed item: (index, share %, growth %, quadrant).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// Index into `customers` (customer matrix) or into `labels` (product matrix).
    pub item: u32,
    pub share: f64,
    pub growth: f64,
    pub quadrant: Quadrant,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matrix {
    pub share_split: f64,
    pub growth_split: f64,
    pub quadrants: Vec<QuadrantRow>,
    pub placed: u64,
    /// Items with last-year sales but none the year before.
    pub new: u64,
    /// The largest `max_points` placed items.
    pub points: Vec<Point>,
    /// Product names, for the product matrix.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bcg {
    pub options: BcgOptions,
    /// The two years compared: the last year with purchases and the calendar year before it.
    pub years: (i32, i32),
    /// The stretches of those years compared (the same period when the last year is partial).
    pub period: Option<Compared>,
    pub customers: Matrix,
    pub products: Option<Matrix>,
}

/// Places items given (before, after) amounts. Returns the matrix and each item's quadrant.
fn matrix(
    pairs: &[(f64, f64)],
    o: &BcgOptions,
    id: &str,
    what: Text,
) -> (Matrix, Vec<Option<Quadrant>>) {
    let total_after: f64 = pairs.iter().map(|p| p.1.max(0.0)).sum();
    let mut placed: Vec<(usize, f64, f64, f64)> = Vec::new();
    let mut new = 0;
    for (i, &(before, after)) in pairs.iter().enumerate() {
        if before > 0.0 {
            let share = if total_after > 0.0 {
                100.0 * after.max(0.0) / total_after
            } else {
                0.0
            };
            placed.push((i, share, 100.0 * (after - before) / before, after));
        } else if after > 0.0 {
            new += 1;
        }
    }
    // The lines split the items still buying: those that stopped are dogs whatever the lines.
    let median = |f: fn(&(usize, f64, f64, f64)) -> f64| {
        let mut v: Vec<f64> = placed.iter().filter(|p| p.3 > 0.0).map(f).collect();
        crate::sort::floats(&mut v);
        percentile(&v, 50.0)
    };
    let share_split = o.share_split.unwrap_or_else(|| median(|p| p.1));
    let growth_split = o.growth_split.unwrap_or_else(|| median(|p| p.2));
    let mut per = vec![None; pairs.len()];
    let mut rows = [(0u64, 0.0f64); 4];
    let mut points: Vec<Point> = Vec::with_capacity(placed.len());
    for &(i, share, growth, after) in &placed {
        // On a line is high; an item that stopped buying is low on both, even against a line
        // at or below its 0 share or −100 % growth.
        let buying = after > 0.0;
        let q = Quadrant::of(
            buying && share >= share_split,
            buying && growth >= growth_split,
        );
        if let Some(r) = rows.get_mut(q as usize) {
            r.0 += 1;
            r.1 += after.max(0.0);
        }
        if let Some(slot) = per.get_mut(i) {
            *slot = Some(q);
        }
        points.push(Point {
            item: i as u32,
            share,
            growth,
            quadrant: q,
        });
    }
    crate::sort::by_key_then(
        &mut points,
        |p| !crate::sort::f64_key(p.share),
        |a, b| b.share.total_cmp(&a.share).then(a.item.cmp(&b.item)),
    );
    points.truncate(o.max_points);
    let quadrants: Vec<QuadrantRow> = Quadrant::ALL
        .iter()
        .zip(rows.iter())
        .map(|(&q, &(k, a))| QuadrantRow {
            quadrant: q,
            label: q.label(),
            items: k,
            amount_share: if total_after > 0.0 {
                100.0 * a / total_after
            } else {
                0.0
            },
        })
        .collect();
    let series = Quadrant::ALL
        .iter()
        .map(|&q| {
            let mine: Vec<&Point> = points.iter().filter(|p| p.quadrant == q).collect();
            Series {
                name: q.label(),
                unit: Unit::Percent,
                data: mine.iter().map(|p| p.growth).collect(),
                x: Some(mine.iter().map(|p| p.share).collect()),
            }
        })
        .collect();
    let chart = Chart {
        id: format!("bcg_{id}"),
        kind: Kind::Scatter,
        title: Text::new(
            format!("{}波士顿矩阵", what.zh),
            format!("BCG matrix of {}", what.en),
        ),
        categories: Vec::new(),
        keys: Quadrant::ALL.iter().map(|q| q.key().to_string()).collect(),
        series,
        x_title: Some(Text::new(
            format!("销售额占比 %（分界 {share_split:.3}）"),
            format!("Share of amount % (line at {share_split:.3})"),
        )),
        y_title: Some(Text::new(
            format!("增长率 %（分界 {growth_split:.1}）"),
            format!("Growth % (line at {growth_split:.1})"),
        )),
    };
    (
        Matrix {
            share_split,
            growth_split,
            quadrants,
            placed: placed.len() as u64,
            new,
            points,
            labels: Vec::new(),
            charts: vec![chart],
        },
        per,
    )
}

/// Places customers, and products where the input has them. `None` when the calendar year
/// before the last has no purchases (or there is no year at all).
pub fn run(facts: &Facts, o: &BcgOptions) -> Option<(Bcg, Vec<Option<Quadrant>>)> {
    let by_year = facts.by_year(MAX_YEARS);
    let (before, after) = match by_year.years.as_slice() {
        [.., b, a] => (*b, *a),
        _ => return None,
    };
    let pairs: Vec<(f64, f64)> = compare::before(facts, &by_year, after)
        .into_iter()
        .enumerate()
        .map(|(i, b)| (b.0, by_year.get(i, after).0))
        .collect();
    let (customers, per) = matrix(&pairs, o, "customers", Text::new("客户", "customers"));
    if customers.placed == 0 {
        return None;
    }
    let products = facts.products.as_ref().and_then(|p| {
        let mut pairs = vec![(0.0, 0.0); p.labels.len()];
        // A partial last year is compared with the same dates of the year before.
        let same = !p.same_period.is_empty();
        for (slot, &a) in pairs.iter_mut().zip(&p.same_period) {
            slot.0 = a;
        }
        for &(product, year, amount) in &p.by_year {
            if let Some(slot) = pairs.get_mut(product as usize) {
                if year == before && !same {
                    slot.0 += amount;
                } else if year == after {
                    slot.1 += amount;
                }
            }
        }
        let (mut m, _) = matrix(&pairs, o, "products", Text::new("产品", "products"));
        m.labels = p.labels.clone();
        (m.placed > 0).then_some(m)
    });
    Some((
        Bcg {
            options: *o,
            years: (before, after),
            period: compare::compared(facts, after),
            customers,
            products,
        },
        per,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_checked_quadrants() {
        // Last year total 1000. Shares 50, 30, 10, 10; growth 150, −25, 100, −50.
        let pairs = [
            (200.0, 500.0),
            (400.0, 300.0),
            (50.0, 100.0),
            (200.0, 100.0),
            (0.0, 0.0),
        ];
        let (m, per) = matrix(&pairs, &BcgOptions::default(), "t", Text::new("", ""));
        // Median share 20, median growth 37.5.
        assert_eq!((m.share_split, m.growth_split), (20.0, 37.5));
        assert_eq!(
            per,
            vec![
                Some(Quadrant::Star),
                Some(Quadrant::CashCow),
                Some(Quadrant::QuestionMark),
                Some(Quadrant::Dog),
                None
            ]
        );
        let o = BcgOptions {
            share_split: Some(5.0),
            growth_split: Some(0.0),
            ..BcgOptions::default()
        };
        let (_, per) = matrix(&pairs, &o, "t", Text::new("", ""));
        assert_eq!(per[2], Some(Quadrant::Star));
        assert_eq!(per[3], Some(Quadrant::CashCow));
    }
}
