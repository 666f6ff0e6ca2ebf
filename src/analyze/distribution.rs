//! How customers and sales split by region, province, city, industry, company size, ownership,
//! source, channel and salesperson, and how each group changed year over year.
//!
//! Definitions (docs/analyses.md): a customer belongs to the group its dimension cell names
//! (the register's value, else the first value in its order lines; blanks form the group
//! "(未填)"). Per group: customers, amount, each as a share of the whole, and amount per customer.
//! Per calendar year (the last five up to the last year with purchases, from order dates or a
//! register's year-split amount columns): customers who bought that year (a purchase day, or a
//! register amount above 0) and their amount; the year-over-year change compares the last year
//! with the calendar year before it, or, when the last year is partial, with the same dates of
//! the year before (`period`, [`compare`]), in percent of the earlier one.

use crate::analyze::chart::{self, Chart, Slice, Text};
use crate::analyze::compare::{self, Compared};
use crate::facts::Field;
use crate::facts::NO_TEXT;
use crate::facts::{Facts, DIMENSIONS};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DistributionOptions {
    /// Groups drawn in a chart before the rest are summed as "其他 / Other".
    pub chart_groups: usize,
}

impl Default for DistributionOptions {
    fn default() -> Self {
        DistributionOptions { chart_groups: 10 }
    }
}

/// Years compared at most.
const MAX_YEARS: usize = 5;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearRow {
    pub year: i32,
    pub customers: u64,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The cell text; `None` for the blank group.
    pub value: Option<String>,
    pub customers: u64,
    pub customer_share: f64,
    pub amount: f64,
    pub amount_share: f64,
    pub amount_per_customer: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_year: Vec<YearRow>,
    /// Percent change of the amount from the second-last to the last year, over
    /// `Distribution::period`.
    pub amount_change: Option<f64>,
    pub customers_change: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dimension {
    pub field: Field,
    pub label: Text,
    /// Largest amount first (customers, then the value, break ties); the blank group last.
    pub groups: Vec<Group>,
    pub years: Vec<i32>,
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub options: DistributionOptions,
    /// What `amount_change` and `customers_change` compare (the same period when the last year
    /// is partial); `None` with one year.
    pub period: Option<Compared>,
    pub dimensions: Vec<Dimension>,
}

fn change(before: f64, after: f64) -> Option<f64> {
    (before > 0.0).then(|| 100.0 * (after - before) / before)
}

/// Groups the customers by every dimension the input has.
pub fn run(facts: &Facts, options: &DistributionOptions) -> Option<Distribution> {
    if facts.dims.is_empty() {
        return None;
    }
    let by_year = facts.by_year(MAX_YEARS);
    let years = &by_year.years;
    let n = facts.customers.len() as f64;
    let total: f64 = facts.customers.iter().filter_map(|c| c.amount).sum();
    let last = years.last().copied().filter(|_| years.len() >= 2);
    let before = last.map_or_else(Vec::new, |l| compare::before(facts, &by_year, l));
    let mut dimensions = Vec::new();
    for field in DIMENSIONS {
        let Some(dim) = facts.dim(field) else {
            continue;
        };
        // Slot k < labels.len() is a label; the last slot is the blank group.
        let slots = dim.labels.len() + 1;
        let mut customers = vec![0u64; slots];
        let mut amount = vec![0.0f64; slots];
        let mut year_customers = vec![0u64; slots * years.len()];
        let mut year_amount = vec![0.0f64; slots * years.len()];
        // Per group, the customers who bought and their amount in what the last year is compared with.
        let mut earlier = vec![(0u64, 0.0f64); slots];
        for (i, c) in facts.customers.iter().enumerate() {
            let v = dim.values.get(i).copied().unwrap_or(NO_TEXT);
            let slot = if v == NO_TEXT { slots - 1 } else { v as usize };
            if let (Some(k), Some(a)) = (customers.get_mut(slot), amount.get_mut(slot)) {
                *k += 1;
                *a += c.amount.unwrap_or(0.0);
            }
            if let (Some(e), Some(&(a, bought))) = (earlier.get_mut(slot), before.get(i)) {
                e.0 += u64::from(bought);
                e.1 += a;
            }
            for &(year, a, _) in by_year.of(i) {
                let Ok(y) = years.binary_search(&year) else {
                    continue;
                };
                let at = slot * years.len() + y;
                if let (Some(k), Some(s)) = (year_customers.get_mut(at), year_amount.get_mut(at)) {
                    *k += u64::from(facts.has.purchase_days || a > 0.0);
                    *s += a;
                }
            }
        }
        let mut groups: Vec<Group> = (0..slots)
            .filter(|&s| customers.get(s).copied().unwrap_or(0) > 0)
            .map(|s| {
                let k = customers.get(s).copied().unwrap_or(0);
                let a = amount.get(s).copied().unwrap_or(0.0);
                let by_year: Vec<YearRow> = years
                    .iter()
                    .enumerate()
                    .map(|(y, &year)| YearRow {
                        year,
                        customers: year_customers
                            .get(s * years.len() + y)
                            .copied()
                            .unwrap_or(0),
                        amount: year_amount.get(s * years.len() + y).copied().unwrap_or(0.0),
                    })
                    .collect();
                let now = by_year.last().filter(|_| last.is_some());
                let (k0, a0) = earlier.get(s).copied().unwrap_or_default();
                Group {
                    value: dim.labels.get(s).cloned(),
                    customers: k,
                    customer_share: if n > 0.0 { 100.0 * k as f64 / n } else { 0.0 },
                    amount: a,
                    amount_share: if total != 0.0 { 100.0 * a / total } else { 0.0 },
                    amount_per_customer: a / k as f64,
                    amount_change: now.and_then(|r| change(a0, r.amount)),
                    customers_change: now.and_then(|r| change(k0 as f64, r.customers as f64)),
                    by_year,
                }
            })
            .collect();
        crate::sort::by(&mut groups, |a, b| {
            a.value
                .is_none()
                .cmp(&b.value.is_none())
                .then(b.amount.total_cmp(&a.amount))
                .then(b.customers.cmp(&a.customers))
                .then(a.value.cmp(&b.value))
        });
        let label = Text::new(field.label_zh(), field.label_en());
        let charts = charts(field, &label, &groups, options);
        dimensions.push(Dimension {
            field,
            label,
            groups,
            years: years.clone(),
            charts,
        });
    }
    Some(Distribution {
        options: *options,
        period: last.and_then(|l| compare::compared(facts, l)),
        dimensions,
    })
}

fn group_label(g: &Group) -> Text {
    match &g.value {
        Some(v) => Text::new(v.clone(), v.clone()),
        None => Text::new("(未填)", "(blank)"),
    }
}

fn charts(field: Field, label: &Text, groups: &[Group], o: &DistributionOptions) -> Vec<Chart> {
    let slices = groups.iter().map(|g| Slice {
        label: group_label(g),
        key: g.value.clone().unwrap_or_default(),
        customers: g.customers as f64,
        amount: g.amount,
    });
    let prefix = format!("distribution_{}", field.key());
    chart::customers_and_amount(&prefix, label, slices, o.chart_groups)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::days::day_number;
    use crate::facts::{Dim, Fact, Has};
    use chrono::NaiveDate;

    #[test]
    fn groups_shares_and_year_over_year() {
        let day = |y, m, d| day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        // Customer 0 (华东): 2023 100, 2024 300. Customer 1 (华东): 2024 100.
        // Customer 2 (blank): 2023 50.
        let purchases = [
            vec![
                (day(2023, 5, 1), 100.0),
                (day(2024, 1, 2), 200.0),
                (day(2024, 3, 1), 100.0),
            ],
            vec![(day(2024, 6, 1), 100.0)],
            vec![(day(2023, 2, 1), 50.0)],
        ];
        let mut facts = Facts {
            has: Has {
                purchase_days: true,
                ..Has::default()
            },
            dims: vec![Dim {
                field: Some(Field::Region),
                header: "区域".into(),
                labels: vec!["华东".into()],
                values: vec![0, 0, NO_TEXT],
            }],
            ..Facts::default()
        };
        facts.offsets.push(0);
        for p in &purchases {
            for &(d, a) in p {
                facts.days.push(d);
                facts.day_amounts.push(a);
            }
            facts.offsets.push(facts.days.len() as u32);
            facts.customers.push(Fact {
                amount: Some(p.iter().map(|x| x.1).sum()),
                ..Fact::default()
            });
        }
        let d = run(&facts, &DistributionOptions::default()).unwrap();
        let dim = &d.dimensions[0];
        assert_eq!(dim.years, vec![2023, 2024]);
        let east = &dim.groups[0];
        assert_eq!(east.value.as_deref(), Some("华东"));
        assert_eq!((east.customers, east.amount), (2, 500.0));
        assert!((east.amount_share - 100.0 * 500.0 / 550.0).abs() < 1e-9);
        assert_eq!(east.amount_per_customer, 250.0);
        assert_eq!(
            east.by_year[0],
            YearRow {
                year: 2023,
                customers: 1,
                amount: 100.0
            }
        );
        assert_eq!(
            east.by_year[1],
            YearRow {
                year: 2024,
                customers: 2,
                amount: 400.0
            }
        );
        assert_eq!(east.amount_change, Some(300.0));
        assert_eq!(east.customers_change, Some(100.0));
        let blank = &dim.groups[1];
        assert_eq!(blank.value, None);
        assert_eq!(blank.amount_change, Some(-100.0));
    }
}
