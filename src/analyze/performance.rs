//! Sales performance by customer and year, and the movers between the last two years.
//!
//! Definitions (docs/analyses.md): per calendar year (the last ten up to the last year with
//! purchases, from order dates or a register's year-split amount columns; a year without
//! purchases inside that span is listed with 0), each customer's amount, quantity, share of the
//! year's amount and rank (1 = largest; customers who bought nothing that year are unranked;
//! equal amounts ranked by id or name). A customer bought in a year when it has a purchase day
//! that year (order list) or an amount above 0 (register). Growth compares a year with the
//! calendar year before it: (after − before) ÷ before, in percent, undefined when the year before
//! has no amount (for a year's total, or a customer without purchases the year before). The last
//! year is compared as `period` says ([`compare`]): when it is partial, with the same dates of the
//! year before, for its growth, each customer's growth and the movers. Movers, top `top` each,
//! between the last year and what it is compared with: largest total over all years; largest
//! increase and largest decrease in amount (with the rate); largest rise and fall in rank among
//! customers ranked in both (the earlier rank over the compared stretch).

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::compare::{self, Compared};
use crate::facts::{ByYear, Facts, Has};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PerformanceOptions {
    /// Customers in each list of movers.
    pub top: usize,
}

impl Default for PerformanceOptions {
    fn default() -> Self {
        PerformanceOptions { top: 10 }
    }
}

/// Years kept at most.
pub const MAX_YEARS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearTotal {
    pub year: i32,
    /// Customers who bought that year (a purchase day, or a register amount above 0).
    pub customers: u64,
    pub amount: f64,
    pub quantity: Option<f64>,
    /// Percent change of the amount from the calendar year before; `None` when that year has
    /// no amount.
    pub growth: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mover {
    /// Index into the report's `customers`.
    pub customer: u32,
    pub total: f64,
    pub amount_before: f64,
    pub amount_after: f64,
    pub change: f64,
    pub growth: Option<f64>,
    pub rank_before: Option<u32>,
    pub rank_after: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Performance {
    pub options: PerformanceOptions,
    pub years: Vec<YearTotal>,
    /// The two years the movers compare: the last and the calendar year before it.
    pub compared: Option<(i32, i32)>,
    /// The stretches of those years compared (the same period when the last year is partial).
    pub period: Option<Compared>,
    pub top_total: Vec<Mover>,
    pub top_growth: Vec<Mover>,
    pub top_decline: Vec<Mover>,
    pub top_rank_up: Vec<Mover>,
    pub top_rank_down: Vec<Mover>,
    pub charts: Vec<Chart>,
}

/// One customer's yearly figures, aligned with `Performance::years`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CustomerYears {
    pub amounts: Vec<f64>,
    pub ranks: Vec<Option<u32>>,
    /// Growth from the second-last to the last year (over `Performance::period`), in percent.
    pub growth: Option<f64>,
}

/// Runs the yearly analysis. `None` without any dated amount.
pub fn run<'a>(
    facts: &Facts,
    o: &PerformanceOptions,
    tiebreak: impl Fn(usize) -> &'a str,
) -> Option<(Performance, Vec<CustomerYears>)> {
    let by_year = facts.by_year(MAX_YEARS);
    let years = by_year.years.clone();
    if years.is_empty() {
        return None;
    }
    let n = facts.customers.len();
    let y = years.len();
    let (amounts, mut totals) = year_amounts(&by_year, n, facts.has);
    let ranks = ranks(&amounts, n, y, &tiebreak);
    let last = years.last().copied().filter(|_| y >= 2);
    // What the last year is compared with: the year before, or its same period.
    let before: Vec<f64> = last.map_or_else(Vec::new, |l| {
        compare::before(facts, &by_year, l)
            .into_iter()
            .map(|b| b.0)
            .collect()
    });
    if let Some(t) = totals.last_mut().filter(|_| y >= 2) {
        t.growth = growth(before.iter().sum(), t.amount);
    }
    let ranks_before = self::ranks(&before, n, 1, &tiebreak);
    let per = customer_years(&amounts, &ranks, &before, n, y);
    let all: Vec<Mover> = (0..n)
        .map(|i| mover(&per, i, y, &before, &ranks_before))
        .collect();
    let top = |key: fn(&Mover) -> f64| top_by(&all, o.top, key, &tiebreak);
    let top_total = top(|m| m.total);
    let (mut growth, mut decline, mut up, mut down) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    if y >= 2 {
        growth = top(|m| m.change);
        decline = top(|m| -m.change);
        up = top(|m| rank_rise(m).unwrap_or(0.0));
        down = top(|m| -rank_rise(m).unwrap_or(0.0));
    }
    let charts = vec![years_chart(&years, &totals)];
    Some((
        Performance {
            options: *o,
            compared: last.map(|l| (l - 1, l)),
            period: last.and_then(|l| compare::compared(facts, l)),
            years: totals,
            top_total,
            top_growth: growth,
            top_decline: decline,
            top_rank_up: up,
            top_rank_down: down,
            charts,
        },
        per,
    ))
}

/// Each customer's amount per year (`amounts[i * y + k]`: customer `i` in year `k`), and the
/// years' totals with their growth.
fn year_amounts(by_year: &ByYear<'_>, n: usize, has: Has) -> (Vec<f64>, Vec<YearTotal>) {
    let years = &by_year.years;
    let y = years.len();
    let mut amounts = vec![0.0f64; n * y];
    let mut totals: Vec<YearTotal> = years
        .iter()
        .map(|&year| YearTotal {
            year,
            customers: 0,
            amount: 0.0,
            quantity: has.quantity.then_some(0.0),
            growth: None,
        })
        .collect();
    for i in 0..n {
        for &(year, a, q) in by_year.of(i) {
            let Ok(k) = years.binary_search(&year) else {
                continue;
            };
            if let Some(slot) = amounts.get_mut(i * y + k) {
                *slot += a;
            }
            if let Some(t) = totals.get_mut(k) {
                t.customers += u64::from(has.purchase_days || a > 0.0);
                t.amount += a;
                if let Some(tq) = t.quantity.as_mut() {
                    *tq += q;
                }
            }
        }
    }
    for k in 1..y {
        let before = totals.get(k - 1).map_or(0.0, |t| t.amount);
        if let Some(t) = totals.get_mut(k) {
            t.growth = growth(before, t.amount);
        }
    }
    (amounts, totals)
}

/// (after − before) ÷ before, in percent; `None` when before is not above 0.
fn growth(before: f64, after: f64) -> Option<f64> {
    (before > 0.0).then(|| 100.0 * (after - before) / before)
}

/// Each customer's rank per year, laid out as `amounts` (1 = largest; `None` without purchases
/// that year).
fn ranks<'a>(
    amounts: &[f64],
    n: usize,
    y: usize,
    tiebreak: &impl Fn(usize) -> &'a str,
) -> Vec<Option<u32>> {
    let mut ranks = vec![None; n * y];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    for k in 0..y {
        order.clear();
        order.extend((0..n).filter(|&i| amounts.get(i * y + k).is_some_and(|&a| a > 0.0)));
        let at = |i: usize| amounts.get(i * y + k).copied().unwrap_or(0.0);
        crate::sort::by_key_then(
            &mut order,
            |&i| !crate::sort::f64_key(at(i)),
            |&a, &b| {
                at(b)
                    .total_cmp(&at(a))
                    .then_with(|| tiebreak(a).cmp(tiebreak(b)))
            },
        );
        for (r, &i) in order.iter().enumerate() {
            if let Some(slot) = ranks.get_mut(i * y + k) {
                *slot = Some(r as u32 + 1);
            }
        }
    }
    ranks
}

/// Each customer's amounts and ranks by year, and its growth from `before` (what the last year
/// is compared with) to the last year.
fn customer_years(
    amounts: &[f64],
    ranks: &[Option<u32>],
    before: &[f64],
    n: usize,
    y: usize,
) -> Vec<CustomerYears> {
    (0..n)
        .map(|i| {
            let a = amounts.get(i * y..(i + 1) * y).unwrap_or(&[]).to_vec();
            let growth = match (before.get(i), a.last()) {
                (Some(&b), Some(&after)) => growth(b, after),
                _ => None,
            };
            CustomerYears {
                ranks: ranks.get(i * y..(i + 1) * y).unwrap_or(&[]).to_vec(),
                amounts: a,
                growth,
            }
        })
        .collect()
}

/// Customer `i` as a mover: its total, its amount and rank in the last of `y` years, and in
/// what that year is compared with (`before`, `ranks_before`; empty with one year).
fn mover(
    per: &[CustomerYears],
    i: usize,
    y: usize,
    before: &[f64],
    ranks_before: &[Option<u32>],
) -> Mover {
    let c = per.get(i);
    let a = c.map_or(&[][..], |c| c.amounts.as_slice());
    let r = c.map_or(&[][..], |c| c.ranks.as_slice());
    let b = before.get(i).copied().unwrap_or(0.0);
    let after = a.last().copied().unwrap_or(0.0);
    Mover {
        customer: i as u32,
        total: a.iter().sum(),
        amount_before: b,
        amount_after: after,
        change: after - b,
        growth: c.and_then(|c| c.growth),
        rank_before: ranks_before.get(i).copied().flatten().filter(|_| y >= 2),
        rank_after: r.last().copied().flatten(),
    }
}

/// Places a mover rose in rank from the year before to the last (negative when it fell).
fn rank_rise(m: &Mover) -> Option<f64> {
    match (m.rank_before, m.rank_after) {
        (Some(b), Some(a)) => Some(f64::from(b) - f64::from(a)),
        _ => None,
    }
}

/// The first `top` movers by `key`, largest first, among those whose `key` is above 0.
fn top_by<'a>(
    all: &[Mover],
    top: usize,
    key: fn(&Mover) -> f64,
    tiebreak: &impl Fn(usize) -> &'a str,
) -> Vec<Mover> {
    let head = crate::sort::first(all.iter().filter(|m| key(m) > 0.0), top, |a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| tiebreak(a.customer as usize).cmp(tiebreak(b.customer as usize)))
    });
    head.into_iter().cloned().collect()
}

/// The bar chart of each year's amount and customers who bought.
fn years_chart(years: &[i32], totals: &[YearTotal]) -> Chart {
    let cats: Vec<Text> = years
        .iter()
        .map(|y| Text::new(format!("{y}年"), y.to_string()))
        .collect();
    let mut series = vec![Series::new(
        Text::new("销售额", "Amount"),
        Unit::Amount,
        totals.iter().map(|t| t.amount).collect(),
    )];
    series.push(Series::new(
        Text::new("购买客户数", "Customers who bought"),
        Unit::Customers,
        totals.iter().map(|t| t.customers as f64).collect(),
    ));
    Chart {
        id: "performance_years".into(),
        kind: Kind::Bar,
        title: Text::new("年度销售业绩", "Sales by year"),
        categories: cats,
        keys: years.iter().map(|y| y.to_string()).collect(),
        series,
        x_title: None,
        y_title: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Fact, YearAmounts};

    #[test]
    fn hand_checked_movers() {
        // Register with 2023 and 2024 amounts: a 100 → 300, b 500 → 200, c — → 50, d 50 → —.
        let nan = f64::NAN;
        let facts = Facts {
            customers: vec![Fact::default(); 4],
            year_amounts: vec![
                YearAmounts {
                    year: 2023,
                    amounts: vec![100.0, 500.0, nan, 50.0],
                },
                YearAmounts {
                    year: 2024,
                    amounts: vec![300.0, 200.0, 50.0, nan],
                },
            ],
            ..Facts::default()
        };
        let names = ["a", "b", "c", "d"];
        let (p, per) = run(&facts, &PerformanceOptions::default(), |i| names[i]).unwrap();
        assert_eq!(p.compared, Some((2023, 2024)));
        assert_eq!(p.years[0].amount, 650.0);
        assert_eq!(p.years[1].amount, 550.0);
        assert_eq!(p.years[1].customers, 3);
        assert!((p.years[1].growth.unwrap() - 100.0 * (550.0 - 650.0) / 650.0).abs() < 1e-9);
        assert_eq!(per[0].ranks, vec![Some(2), Some(1)]);
        assert_eq!(per[1].ranks, vec![Some(1), Some(2)]);
        assert_eq!(per[2].ranks, vec![None, Some(3)]);
        assert_eq!(per[0].growth, Some(200.0));
        assert_eq!(per[2].growth, None);
        let ids = |v: &[Mover]| {
            v.iter()
                .map(|m| names[m.customer as usize])
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&p.top_total), vec!["b", "a", "c", "d"]);
        assert_eq!(ids(&p.top_growth), vec!["a", "c"]);
        assert_eq!(ids(&p.top_decline), vec!["b", "d"]);
        assert_eq!(ids(&p.top_rank_up), vec!["a"]);
        assert_eq!(ids(&p.top_rank_down), vec!["b"]);
    }
}
