//! The customer increase/decrease table (客户增减分析表): per month, quarter or year, how many
//! customers were won, lost and won back, and how many were on the books at the end.
//!
//! Definitions (docs/analyses.md), with L a customer's lifecycle loss limit (`lost_days`, 180,
//! or with `thresholds: "interval"` its own `lost_multiple` × interval), counted by the
//! lifecycle's own rule ([`lifecycle::is_lost`]):
//! - new (新增): the customer's first purchase falls in the period;
//! - returning (回流): a purchase in the period after a silence of more than L days;
//! - lost (流失): such a silence began to exceed L in the period (last purchase + ⌊L⌋ + 1); a
//!   customer the lifecycle counts lost at the as-of date is lost on the day its last silence
//!   began to exceed L, and a loss on the as-of date itself counts in the last period;
//! - net = new + returning − lost; total = customers on the books at the period's end (the
//!   running sum of net); churn rate = lost ÷ the total at the period's start (流失率 = 期内流失
//!   客户数 ÷ 期初客户数). The last total is the lifecycle's customers not lost (new, active,
//!   sleeping) whenever every buyer bought before the as-of date.
//!
//! With `period: "auto"` (the default) periods are months when the purchases span at most three
//! years, quarters up to ten years, else years.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::lifecycle::{self, LifecycleOptions, Stage};
use crate::facts::days::date_of;
use crate::facts::Facts;
use chrono::Datelike;
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    #[default]
    Auto,
    Month,
    Quarter,
    Year,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct FlowOptions {
    pub period: Period,
}

/// Most periods in a table; a finer unit that would exceed it falls back to years.
const MAX_PERIODS: i64 = 1200;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlowRow {
    /// `2024-03`, `2024Q1` or `2024`.
    pub period: String,
    pub start: Option<chrono::NaiveDate>,
    pub new: u64,
    pub returning: u64,
    pub lost: u64,
    pub net: i64,
    pub total: i64,
    /// Percent: `lost` ÷ the customers on the books at the period's start (the total before it);
    /// `None` for a first period, which starts with none.
    pub churn_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    /// The unit used (never `auto`).
    pub period: Period,
    pub lost_days: u32,
    pub rows: Vec<FlowRow>,
    pub charts: Vec<Chart>,
}

fn index(day: i32, p: Period) -> Option<i64> {
    let d = date_of(day)?;
    let y = i64::from(d.year());
    Some(match p {
        Period::Month | Period::Auto => y * 12 + i64::from(d.month0()),
        Period::Quarter => y * 4 + i64::from(d.month0() / 3),
        Period::Year => y,
    })
}

fn label(i: i64, p: Period) -> (String, Option<chrono::NaiveDate>) {
    let (y, m, text) = match p {
        Period::Month | Period::Auto => {
            let (y, m) = (i.div_euclid(12), i.rem_euclid(12) + 1);
            (y, m, format!("{y}-{m:02}"))
        }
        Period::Quarter => {
            let (y, q) = (i.div_euclid(4), i.rem_euclid(4) + 1);
            (y, (q - 1) * 3 + 1, format!("{y}Q{q}"))
        }
        Period::Year => (i, 1, format!("{i}")),
    };
    let start = i32::try_from(y)
        .ok()
        .and_then(|y| chrono::NaiveDate::from_ymd_opt(y, m as u32, 1));
    (text, start)
}

/// Builds the table from each customer's purchase days, counting losses by the lifecycle's
/// rule under `lo`. `None` without purchase history.
pub fn run(facts: &Facts, options: &FlowOptions, lo: &LifecycleOptions) -> Option<Flow> {
    if !facts.has.purchase_days {
        return None;
    }
    let as_of = facts.as_of?;
    let (first, _) = facts.day_span()?;
    let last = as_of.saturating_sub(1).max(first);
    let months = index(last, Period::Month)? - index(first, Period::Month)? + 1;
    let mut period = match options.period {
        Period::Auto if months <= 36 => Period::Month,
        Period::Auto if months <= 120 => Period::Quarter,
        Period::Auto => Period::Year,
        p => p,
    };
    let span = |p| Some(index(last, p)? - index(first, p)? + 1);
    if span(period)? > MAX_PERIODS {
        period = Period::Year;
    }
    let p0 = index(first, period)?;
    let n = usize::try_from(span(period)?.clamp(1, MAX_PERIODS)).ok()?;
    let mut new = vec![0u64; n];
    let mut returning = vec![0u64; n];
    let mut lost = vec![0u64; n];
    let slot = |day: i32| -> Option<usize> {
        let i = index(day, period)? - p0;
        usize::try_from(i).ok().filter(|&i| i < n)
    };
    let bump = |v: &mut Vec<u64>, day: i32| {
        if let Some(x) = slot(day).and_then(|i| v.get_mut(i)) {
            *x += 1;
        }
    };
    for (i, c) in facts.customers.iter().enumerate() {
        let limit = lifecycle::lost_limit(c, lo);
        let mut prev: Option<i32> = None;
        for (d, _) in facts.purchases(i) {
            if d >= as_of {
                break;
            }
            match prev {
                None => bump(&mut new, d),
                Some(p) if lifecycle::is_lost(d.saturating_sub(p), limit) => {
                    bump(&mut lost, lifecycle::lost_on(p, limit));
                    bump(&mut returning, d);
                }
                Some(_) => {}
            }
            prev = Some(d);
        }
        // The closing state is the lifecycle's stage, so the last total is its customers not lost.
        if let (Some(p), Some(Stage::Lost)) = (prev, lifecycle::stage_of(c, lo)) {
            bump(&mut lost, lifecycle::lost_on(p, limit).min(last));
        }
    }
    let mut total = 0i64;
    let rows: Vec<FlowRow> = (0..n)
        .map(|k| {
            let (a, r, l) = (
                new.get(k).copied().unwrap_or(0),
                returning.get(k).copied().unwrap_or(0),
                lost.get(k).copied().unwrap_or(0),
            );
            let net = a as i64 + r as i64 - l as i64;
            let at_start = total;
            total += net;
            let (period_label, start) = label(p0 + k as i64, period);
            FlowRow {
                period: period_label,
                start,
                new: a,
                returning: r,
                lost: l,
                net,
                total,
                churn_rate: (at_start > 0).then(|| 100.0 * l as f64 / at_start as f64),
            }
        })
        .collect();
    let cats: Vec<Text> = rows
        .iter()
        .map(|r| Text::new(r.period.clone(), r.period.clone()))
        .collect();
    let col = |f: fn(&FlowRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let charts = vec![
        Chart {
            id: "customer_flow".into(),
            kind: Kind::Bar,
            title: Text::new("客户增减", "Customers won and lost"),
            categories: cats.clone(),
            keys: Vec::new(),
            series: vec![
                Series::new(
                    Text::new("新增", "New"),
                    Unit::Customers,
                    col(|r| r.new as f64),
                ),
                Series::new(
                    Text::new("回流", "Returning"),
                    Unit::Customers,
                    col(|r| r.returning as f64),
                ),
                Series::new(
                    Text::new("流失", "Lost"),
                    Unit::Customers,
                    col(|r| -(r.lost as f64)),
                ),
            ],
            x_title: None,
            y_title: Some(Text::new("客户数", "Customers")),
        },
        Chart {
            id: "customer_total".into(),
            kind: Kind::Line,
            title: Text::new("在册客户数", "Customers on the books"),
            categories: cats,
            keys: Vec::new(),
            series: vec![Series::new(
                Text::new("期末客户数", "Customers at period end"),
                Unit::Customers,
                col(|r| r.total as f64),
            )],
            x_title: None,
            y_title: Some(Text::new("客户数", "Customers")),
        },
    ];
    Some(Flow {
        period,
        lost_days: lo.lost_days,
        rows,
        charts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::days::day_number;
    use crate::facts::{Fact, Has};
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn ymd((y, m, d): (i32, u32, u32)) -> i32 {
        day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    /// Facts of customers buying on the given days (ascending), with what `facts::build` derives.
    fn facts_of_days(customers: &[Vec<i32>], as_of: i32) -> Facts {
        let mut f = Facts {
            as_of: Some(as_of),
            has: Has {
                purchase_days: true,
                last_order: true,
                ..Has::default()
            },
            ..Facts::default()
        };
        f.offsets.push(0);
        for days in customers {
            let (first, last, n) = (days.first().copied(), days.last().copied(), days.len());
            f.customers.push(Fact {
                first_order: first,
                last_order: last,
                orders: Some(n as u32),
                tenure_days: first.map(|d| as_of - d),
                recency_days: last.map(|d| as_of - d),
                interval_days: match (first, last) {
                    (Some(a), Some(b)) if n >= 2 && b > a => Some((b - a) as f64 / (n - 1) as f64),
                    _ => None,
                },
                ..Fact::default()
            });
            f.day_amounts.extend(days.iter().map(|_| 1.0));
            f.days.extend(days);
            f.offsets.push(f.days.len() as u32);
        }
        f
    }

    fn facts(customers: &[Vec<(i32, u32, u32)>], as_of: (i32, u32, u32)) -> Facts {
        let days: Vec<Vec<i32>> = customers
            .iter()
            .map(|c| c.iter().map(|&d| ymd(d)).collect())
            .collect();
        facts_of_days(&days, ymd(as_of))
    }

    fn lost_after(lost_days: u32) -> LifecycleOptions {
        LifecycleOptions {
            active_days: lost_days.min(90),
            lost_days,
            ..LifecycleOptions::default()
        }
    }

    #[test]
    fn hand_checked_quarters() {
        // L = 90. A: 2024-01-10, then 2024-06-01 (gap 143 > 90: lost 2024-04-10 (Q2), back Q2),
        // then silent: lost 2024-08-31 (Q3). B: 2024-02-01 and 2024-03-01, lost 2024-05-31 (Q2).
        // C: 2024-11-15, still active at 2024-12-31.
        let f = facts(
            &[
                vec![(2024, 1, 10), (2024, 6, 1)],
                vec![(2024, 2, 1), (2024, 3, 1)],
                vec![(2024, 11, 15)],
            ],
            (2024, 12, 31),
        );
        let quarters = FlowOptions {
            period: Period::Quarter,
        };
        let r = run(&f, &quarters, &lost_after(90)).unwrap();
        let got: Vec<(&str, u64, u64, u64, i64)> = r
            .rows
            .iter()
            .map(|r| (r.period.as_str(), r.new, r.returning, r.lost, r.total))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2024Q1", 2, 0, 0, 2),
                ("2024Q2", 0, 1, 2, 1),
                ("2024Q3", 0, 0, 1, 0),
                ("2024Q4", 1, 0, 0, 1),
            ]
        );
    }

    #[test]
    fn auto_picks_months_for_a_short_span() {
        let f = facts(&[vec![(2024, 1, 10)], vec![(2024, 3, 5)]], (2024, 3, 6));
        let r = run(&f, &FlowOptions::default(), &LifecycleOptions::default()).unwrap();
        assert_eq!(r.period, Period::Month);
        let labels: Vec<&str> = r.rows.iter().map(|r| r.period.as_str()).collect();
        assert_eq!(labels, vec!["2024-01", "2024-02", "2024-03"]);
    }

    /// With thresholds by interval a customer is lost when silent beyond `lost_multiple` × its
    /// own interval, in the flow as in the stages. Days 0, 10, 20 (I = 10, limit 40), as-of 70:
    /// silent 50 > 40, lost on day 20 + 41 = 61; with fixed days (180) it is not lost.
    #[test]
    fn interval_thresholds_lose_a_customer_on_its_own_clock() {
        let f = facts_of_days(&[vec![0, 10, 20]], 70);
        let o = LifecycleOptions {
            thresholds: lifecycle::Thresholds::Interval,
            new_days: 0,
            ..LifecycleOptions::default()
        };
        let years = FlowOptions {
            period: Period::Year,
        };
        let r = run(&f, &years, &o).unwrap();
        assert_eq!((r.rows[0].lost, r.rows[0].total), (1, 0));
        let fixed = LifecycleOptions {
            new_days: 0,
            ..LifecycleOptions::default()
        };
        let r = run(&f, &years, &fixed).unwrap();
        assert_eq!((r.rows[0].lost, r.rows[0].total), (0, 1));
    }

    proptest! {
        /// The flow's last total is the lifecycle's customers not lost (new, active, sleeping),
        /// whatever the days, the thresholds and the period.
        #[test]
        fn closing_total_is_the_lifecycle_not_lost(
            customers in prop::collection::vec(
                prop::collection::btree_set(0i32..1500, 0..6), 1..30),
            after in 1i32..400,
            lost_days in 1u32..400,
            new_days in 0u32..500,
            interval in any::<bool>(),
            multiple in 1.0f64..6.0,
            period in prop_oneof![Just(Period::Auto), Just(Period::Month), Just(Period::Quarter), Just(Period::Year)],
        ) {
            let days: Vec<Vec<i32>> = customers.iter().map(|s| s.iter().copied().collect()).collect();
            let as_of = days.iter().flatten().max().copied().unwrap_or(0) + after;
            let f = facts_of_days(&days, as_of);
            let o = LifecycleOptions {
                new_days,
                active_days: lost_days.min(90),
                lost_days,
                thresholds: if interval { lifecycle::Thresholds::Interval } else { lifecycle::Thresholds::Fixed },
                sleeping_multiple: multiple / 2.0,
                lost_multiple: multiple,
                churn_period_days: None,
            };
            let not_lost = f
                .customers
                .iter()
                .filter(|c| matches!(lifecycle::stage_of(c, &o), Some(Stage::New | Stage::Active | Stage::Sleeping)))
                .count() as i64;
            match run(&f, &FlowOptions { period }, &o) {
                Some(flow) => prop_assert_eq!(flow.rows.last().map(|r| r.total), Some(not_lost)),
                None => prop_assert_eq!(not_lost, 0),
            }
        }
    }
}
