//! Lifecycle stages (潜在, 新客户, 活跃, 沉睡, 流失) and the churn rate over a period.
//!
//! Definitions (docs/analyses.md), with R the days since the last order at the as-of date:
//! - 潜在 potential: in the register but has not bought.
//! - 新客户 new: first order at most `new_days` (90) before the as-of date.
//! - Otherwise by R: 活跃 active when R ≤ `active_days` (90), 沉睡 sleeping when
//!   R ≤ `lost_days` (180), else 流失 lost. With `thresholds: "interval"`, a customer with two
//!   orders or more is measured against its own mean purchase interval I instead: active when
//!   R ≤ `sleeping_multiple` × I (2), sleeping when R ≤ `lost_multiple` × I (4), else lost;
//!   customers with one order keep the fixed days.
//! - Churn over the `churn_period_days` (default `lost_days`) before the as-of date: of the
//!   customers who had bought and were not lost at the period's start (last order at most
//!   `lost_days` before it), the share who are lost at the as-of date. Retention = 1 − churn.
//!   It needs purchase history (an order list with dates).

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::{Fact, Facts};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Thresholds {
    /// The same days for everyone.
    #[default]
    Fixed,
    /// Multiples of each customer's own purchase interval.
    Interval,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LifecycleOptions {
    pub new_days: u32,
    pub active_days: u32,
    pub lost_days: u32,
    pub thresholds: Thresholds,
    pub sleeping_multiple: f64,
    pub lost_multiple: f64,
    /// Length of the churn period; default `lost_days`.
    pub churn_period_days: Option<u32>,
}

impl Default for LifecycleOptions {
    fn default() -> Self {
        LifecycleOptions {
            new_days: 90,
            active_days: 90,
            lost_days: 180,
            thresholds: Thresholds::Fixed,
            sleeping_multiple: 2.0,
            lost_multiple: 4.0,
            churn_period_days: None,
        }
    }
}

impl LifecycleOptions {
    pub fn check(&self) -> Result<(), String> {
        if self.active_days > self.lost_days {
            return Err("lifecycle.active_days must not exceed lifecycle.lost_days".into());
        }
        let ok = |x: f64| x.is_finite() && x > 0.0;
        if !(ok(self.sleeping_multiple)
            && ok(self.lost_multiple)
            && self.sleeping_multiple <= self.lost_multiple)
        {
            return Err("lifecycle: 0 < sleeping_multiple ≤ lost_multiple".into());
        }
        if self.churn_period_days == Some(0) {
            return Err("lifecycle.churn_period_days must be at least 1".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Potential,
    New,
    Active,
    Sleeping,
    Lost,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Potential,
        Stage::New,
        Stage::Active,
        Stage::Sleeping,
        Stage::Lost,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Stage::Potential => "potential",
            Stage::New => "new",
            Stage::Active => "active",
            Stage::Sleeping => "sleeping",
            Stage::Lost => "lost",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Stage::Potential => Text::new("潜在客户", "Potential"),
            Stage::New => Text::new("新客户", "New"),
            Stage::Active => Text::new("活跃客户", "Active"),
            Stage::Sleeping => Text::new("沉睡客户", "Sleeping"),
            Stage::Lost => Text::new("流失客户", "Lost"),
        }
    }
}

/// The stage of one customer, or `None` when it bought but the input has no date to tell.
pub fn stage_of(c: &Fact, o: &LifecycleOptions) -> Option<Stage> {
    if !c.is_buyer() {
        return Some(Stage::Potential);
    }
    if c.tenure_days.is_some_and(|t| t <= o.new_days as i32) {
        return Some(Stage::New);
    }
    let r = c.recency_days?;
    let active = match (o.thresholds, c.interval_days) {
        (Thresholds::Interval, Some(i)) if i > 0.0 => o.sleeping_multiple * i,
        _ => f64::from(o.active_days),
    };
    Some(if f64::from(r) <= active {
        Stage::Active
    } else if !is_lost(r, lost_limit(c, o)) {
        Stage::Sleeping
    } else {
        Stage::Lost
    })
}

/// The days of silence customer `c` may keep before it is lost: `lost_days`, or with
/// `thresholds: "interval"` and an interval, `lost_multiple` × its own interval.
pub fn lost_limit(c: &Fact, o: &LifecycleOptions) -> f64 {
    match (o.thresholds, c.interval_days) {
        (Thresholds::Interval, Some(i)) if i > 0.0 => o.lost_multiple * i,
        _ => f64::from(o.lost_days),
    }
}

/// Whether `silence` days since the last purchase make a customer lost under `limit`: the one
/// comparison the stages, the churn rate and the customer flow count a loss by. The stages and
/// the flow take each customer's [`lost_limit`]; the churn rate takes the fixed `lost_days`, as
/// docs/analyses.md defines it.
pub fn is_lost(silence: i32, limit: f64) -> bool {
    f64::from(silence) > limit
}

/// The first day a customer last buying on `last` is lost under `limit` (the first day `d`
/// with `is_lost(d − last, limit)`).
pub fn lost_on(last: i32, limit: f64) -> i32 {
    // Silences are whole days, so the first one above `limit` is ⌊limit⌋ + 1 (saturating casts).
    last.saturating_add((limit.floor() as i32).saturating_add(1))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: Stage,
    pub label: Text,
    pub customers: u64,
    pub customer_share: f64,
    pub amount: f64,
    pub amount_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Churn {
    pub period_days: u32,
    pub start: Option<chrono::NaiveDate>,
    pub end: Option<chrono::NaiveDate>,
    /// Customers who had bought and were not lost at the start.
    pub customers_at_start: u64,
    /// Of those, lost at the end.
    pub lost: u64,
    /// Percent: `lost` ÷ `customers_at_start` (the cohort's definition).
    pub churn_rate: f64,
    pub retention_rate: f64,
    /// Of the customers at the start, those with a loss in the period: also those who left and
    /// came back within it.
    pub lost_in_period: u64,
    /// Percent: `lost_in_period` ÷ `customers_at_start` (the guides' 流失率 = 期内流失客户数 ÷
    /// 期初客户数).
    pub period_churn_rate: f64,
    /// Both rates, named.
    pub definition: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lifecycle {
    pub options: LifecycleOptions,
    pub as_of: Option<chrono::NaiveDate>,
    pub stages: Vec<StageRow>,
    /// Percent of customers who have bought that are active or new.
    pub active_rate: f64,
    pub churn: Option<Churn>,
    pub charts: Vec<Chart>,
}

/// Stages every customer; `None` when the input has no last-order date at all.
pub fn run(facts: &Facts, o: &LifecycleOptions) -> Option<(Lifecycle, Vec<Option<Stage>>)> {
    if !facts.has.last_order {
        return None;
    }
    let per: Vec<Option<Stage>> = facts.customers.iter().map(|c| stage_of(c, o)).collect();
    let mut acc = [(0u64, 0.0f64); 5];
    for (c, s) in facts.customers.iter().zip(&per) {
        if let Some(a) = s.and_then(|s| acc.get_mut(s as usize)) {
            a.0 += 1;
            a.1 += c.amount.unwrap_or(0.0);
        }
    }
    let n: u64 = acc.iter().map(|a| a.0).sum();
    let total: f64 = acc.iter().map(|a| a.1).sum();
    let pct = |x: f64, of: f64| if of != 0.0 { 100.0 * x / of } else { 0.0 };
    let stages: Vec<StageRow> = Stage::ALL
        .iter()
        .zip(acc.iter())
        .map(|(&stage, &(c, a))| StageRow {
            stage,
            label: stage.label(),
            customers: c,
            customer_share: pct(c as f64, n as f64),
            amount: a,
            amount_share: pct(a, total),
        })
        .collect();
    let bought = n - acc.first().map_or(0, |a| a.0);
    let live = acc.get(1).map_or(0, |a| a.0) + acc.get(2).map_or(0, |a| a.0);
    let churn = if facts.has.purchase_days {
        facts.as_of.map(|as_of| churn(facts, o, as_of))
    } else {
        None
    };
    let charts = vec![Chart {
        id: "lifecycle_stages".into(),
        kind: Kind::Funnel,
        title: Text::new("客户生命周期", "Customer lifecycle"),
        categories: stages.iter().map(|s| s.label.clone()).collect(),
        keys: stages.iter().map(|s| s.stage.key().to_string()).collect(),
        series: vec![Series::new(
            Text::new("客户数", "Customers"),
            Unit::Customers,
            stages.iter().map(|s| s.customers as f64).collect(),
        )],
        x_title: None,
        y_title: None,
    }];
    Some((
        Lifecycle {
            options: *o,
            as_of: facts.as_of.and_then(crate::facts::days::date_of),
            stages,
            active_rate: pct(live as f64, bought as f64),
            churn,
            charts,
        },
        per,
    ))
}

fn churn(facts: &Facts, o: &LifecycleOptions, as_of: i32) -> Churn {
    let period = o.churn_period_days.unwrap_or(o.lost_days).max(1);
    let start = as_of.saturating_sub(period as i32);
    let limit = f64::from(o.lost_days);
    let (mut at_start, mut lost, mut lost_in_period) = (0u64, 0u64, 0u64);
    // A loss on day `d` falls in the period.
    let within = |d: i32| d > start && d <= as_of;
    for i in 0..facts.customers.len() {
        // Last purchase before the start, and last purchase before the end; whether a silence
        // began to exceed the limit in the period.
        let (mut before_start, mut before_end) = (None, None);
        let mut lost_within = false;
        for (d, _) in facts.purchases(i) {
            if d >= as_of {
                break;
            }
            if let Some(p) = before_end {
                lost_within |= is_lost(d - p, limit) && within(lost_on(p, limit));
            }
            if d < start {
                before_start = Some(d);
            }
            before_end = Some(d);
        }
        lost_within |= before_end.is_some_and(|e| within(lost_on(e, limit)));
        let Some(b) = before_start else { continue };
        if is_lost(start - b, limit) {
            continue;
        }
        at_start += 1;
        lost_in_period += u64::from(lost_within);
        if before_end.is_none_or(|e| is_lost(as_of - e, limit)) {
            lost += 1;
        }
    }
    let rate = if at_start > 0 {
        100.0 * lost as f64 / at_start as f64
    } else {
        0.0
    };
    Churn {
        period_days: period,
        start: crate::facts::days::date_of(start),
        end: crate::facts::days::date_of(as_of),
        customers_at_start: at_start,
        lost,
        churn_rate: rate,
        retention_rate: if at_start > 0 { 100.0 - rate } else { 0.0 },
        lost_in_period,
        period_churn_rate: if at_start > 0 {
            100.0 * lost_in_period as f64 / at_start as f64
        } else {
            0.0
        },
        definition: Text::new(
            "流失率＝期初在册客户中到期末仍流失的人数 ÷ 期初客户数；期内流失率＝期初客户中期内发生过流失的人数（含流失后又回流的）÷ 期初客户数。",
            "Churn rate = customers on the books at the start who are lost at the end ÷ customers at the start; period churn rate = customers at the start with a loss in the period (also those who came back) ÷ customers at the start.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Has;

    fn bought(first: i32, last: i32, orders: u32, as_of: i32) -> Fact {
        Fact {
            first_order: Some(first),
            last_order: Some(last),
            orders: Some(orders),
            tenure_days: Some(as_of - first),
            recency_days: Some(as_of - last),
            interval_days: (orders > 1).then(|| (last - first) as f64 / (orders - 1) as f64),
            ..Fact::default()
        }
    }

    #[test]
    fn hand_checked_stages() {
        let o = LifecycleOptions::default();
        let as_of = 1000;
        let cases = [
            (Fact::default(), Stage::Potential),
            (bought(950, 990, 2, as_of), Stage::New),
            (bought(500, 910, 3, as_of), Stage::Active),
            (bought(500, 909, 3, as_of), Stage::Sleeping),
            (bought(500, 820, 3, as_of), Stage::Sleeping),
            (bought(500, 819, 3, as_of), Stage::Lost),
        ];
        for (f, want) in cases {
            assert_eq!(stage_of(&f, &o), Some(want), "{f:?}");
        }
        // Own interval I = (last − first) ÷ 2: I = 75, R = 50 ≤ 2I → active; I = 20, R = 90 >
        // 4I → lost; I = 20, R = 70 within (2I, 4I] → sleeping.
        let o = LifecycleOptions {
            thresholds: Thresholds::Interval,
            ..o
        };
        assert_eq!(
            stage_of(&bought(800, 950, 3, as_of), &o),
            Some(Stage::Active)
        );
        assert_eq!(stage_of(&bought(870, 910, 3, as_of), &o), Some(Stage::Lost));
        assert_eq!(
            stage_of(&bought(890, 930, 3, as_of), &o),
            Some(Stage::Sleeping)
        );
    }

    #[test]
    fn churn_over_a_period() {
        // as_of 1000, period = lost_days = 180, start 820. Customers:
        // 0: bought 700 and 900 → at start (820−700 = 120 ≤ 180), not lost.
        // 1: bought 700 only → at start, lost at the end (300 > 180).
        // 2: bought 600 only → already lost at start (220 > 180): not counted.
        // 3: first bought 900 → not a customer at start.
        let days = [vec![700, 900], vec![700], vec![600], vec![900]];
        let mut facts = Facts {
            as_of: Some(1000),
            has: Has {
                purchase_days: true,
                last_order: true,
                ..Has::default()
            },
            ..Facts::default()
        };
        facts.offsets.push(0);
        for d in &days {
            facts.days.extend(d);
            facts.day_amounts.extend(d.iter().map(|_| 1.0));
            facts.offsets.push(facts.days.len() as u32);
            facts
                .customers
                .push(bought(d[0], *d.last().unwrap(), d.len() as u32, 1000));
        }
        let c = churn(&facts, &LifecycleOptions::default(), 1000);
        assert_eq!((c.customers_at_start, c.lost), (2, 1));
        assert_eq!(c.churn_rate, 50.0);
        assert_eq!(c.retention_rate, 50.0);
    }
}
