//! ABC classification and the Pareto curve: which few customers bring most of the sales.
//!
//! Definitions (docs/analyses.md). Customers with an amount above 0 are ranked by it, largest first;
//! equal amounts are ordered by the customer's id or name so the result does not depend on row
//! order. Customers with equal amounts always get the same class and rank: each takes the class
//! and rank of the first of them in that order, so a class boundary that falls inside a run of
//! equal amounts moves the whole run into the higher class, and ranks go 1, 1, 3.
//! - By count (the default class, "ABC（客户数 10/20/70）"): of the n ranked customers the first
//!   round(n × `count_a`%) are A (at least one), up to round(n × (`count_a` + `count_b`)%) are B,
//!   the rest C; a half rounds up, so 15 customers are 2 A (1.5), 3 B (4.5 → 5), 10 C. With ties
//!   the classes' counts can differ from these (the tables count the final classes).
//! - By cumulative amount (`method: "amount"`, "ABC（累计金额 80/95）"): with S the sum of positive
//!   amounts, a customer is A while the share of S held by the customers ranked before it is
//!   below `amount_a` (80%), B while it is below `amount_b` (95%), else C. The customer that
//!   crosses 80% is therefore still A.
//! - Customers whose amount is 0 or below (prospects who never bought, buyers whose returns
//!   reached their purchases) brought nothing to rank: they have no class, are counted in
//!   `unranked` with their amount, and move neither split. The classes' shares of S then add
//!   up to 100%.
//! - The Pareto curve is the cumulative share of S against the share of customers, and
//!   "the top 20% of customers bring X%" reads it at round(n × 20%) customers.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::Facts;
use serde::Serialize;

/// Which classification is reported as a customer's `abc_class`: the trade's 10/20/70 split of
/// customers by default, the cumulative 80/95 split of the amount when asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Amount,
    #[default]
    Count,
}

impl Method {
    /// The split's plain name with its percentages: "ABC（客户数 10/20/70）".
    pub fn name(self, o: &AbcOptions) -> Text {
        // Rounded so that 100 − 33.3 − 33.3 reads 33.4, not 33.400000000000006.
        let r = |x: f64| (x * 100.0).round() / 100.0;
        let (zh, en, p) = match self {
            Method::Count => {
                let c = 100.0 - o.count_a - o.count_b;
                let p = format!("{}/{}/{}", r(o.count_a), r(o.count_b), r(c));
                ("客户数", "customers", p)
            }
            Method::Amount => {
                let p = format!("{}/{}", r(o.amount_a), r(o.amount_b));
                ("累计金额", "cumulative amount", p)
            }
        };
        Text::new(format!("ABC（{zh} {p}）"), format!("ABC ({en} {p})"))
    }

    /// One sentence defining the split, from its options.
    fn definition(self, o: &AbcOptions) -> Text {
        match self {
            Method::Count => Text::new(
                format!(
                    "按金额从高到低排名：前 {}% 的客户为 A，其后 {}% 为 B，其余为 C（人数四舍五入，金额相同者同类）。",
                    o.count_a, o.count_b
                ),
                format!(
                    "Customers ranked by amount: the top {}% are A, the next {}% B, the rest C (counts rounded, equal amounts share a class).",
                    o.count_a, o.count_b
                ),
            ),
            Method::Amount => Text::new(
                format!(
                    "按金额从高到低累计：累计金额占比达到 {}% 之前为 A，达到 {}% 之前为 B，其余为 C。",
                    o.amount_a, o.amount_b
                ),
                format!(
                    "Customers by amount, cumulated: A until {}% of the amount is reached, B until {}%, the rest C.",
                    o.amount_a, o.amount_b
                ),
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AbcOptions {
    /// Percent of customers in A, by count.
    pub count_a: f64,
    /// Percent of customers in B, by count.
    pub count_b: f64,
    /// Cumulative percent of the amount that A reaches.
    pub amount_a: f64,
    /// Cumulative percent of the amount that A and B reach.
    pub amount_b: f64,
    pub method: Method,
}

impl Default for AbcOptions {
    fn default() -> Self {
        AbcOptions {
            count_a: 10.0,
            count_b: 20.0,
            amount_a: 80.0,
            amount_b: 95.0,
            method: Method::Count,
        }
    }
}

impl AbcOptions {
    /// Checks the percentages make sense; the message names the option.
    pub fn check(&self) -> Result<(), String> {
        let ok = |x: f64| x.is_finite() && (0.0..=100.0).contains(&x);
        if !(ok(self.count_a) && ok(self.count_b) && self.count_a + self.count_b <= 100.0) {
            return Err("abc.count_a + abc.count_b must be within 0–100".into());
        }
        if !(ok(self.amount_a) && ok(self.amount_b) && self.amount_a <= self.amount_b) {
            return Err("abc.amount_a ≤ abc.amount_b, both within 0–100".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Class {
    A,
    B,
    C,
}

impl Class {
    pub const ALL: [Class; 3] = [Class::A, Class::B, Class::C];

    pub fn key(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Class::A => Text::new("A类（重点）", "A (key)"),
            Class::B => Text::new("B类（一般）", "B (regular)"),
            Class::C => Text::new("C类（次要）", "C (minor)"),
        }
    }
}

/// One customer's classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerAbc {
    /// 1 for the largest amount; equal amounts share the rank of the first of them (1, 1, 3).
    pub rank: u32,
    pub by_amount: Class,
    pub by_count: Class,
    /// Percent of the total reached up to and including this customer.
    pub cumulative_share: f64,
}

impl CustomerAbc {
    /// The class `method` gives: the customer's `abc_class`.
    pub fn class(self, method: Method) -> Class {
        match method {
            Method::Amount => self.by_amount,
            Method::Count => self.by_count,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassRow {
    pub class: Class,
    pub label: Text,
    pub customers: u64,
    pub customer_share: f64,
    pub amount: f64,
    pub amount_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Abc {
    pub options: AbcOptions,
    /// The name of the split `abc_class` follows (`options.method`), and its definition.
    pub class_name: Text,
    pub definition: Text,
    /// The names of the two splits, for the `by_count` and `by_amount` tables.
    pub count_name: Text,
    pub amount_name: Text,
    pub customers_ranked: u64,
    /// Customers with an amount of 0 or below, not classed, and their summed amount (≤ 0).
    pub unranked: u64,
    pub unranked_amount: f64,
    /// Sum of the positive amounts (S).
    pub total_amount: f64,
    pub by_amount: Vec<ClassRow>,
    pub by_count: Vec<ClassRow>,
    /// Percent of S brought by the top 20% of customers.
    pub top20_share: f64,
    /// Percent of customers that bring `amount_a`% of S.
    pub customers_for_a_share: f64,
    /// (percent of customers, cumulative percent of S), at most 201 points from (0, 0).
    pub pareto: Vec<(f64, f64)>,
    pub charts: Vec<Chart>,
}

/// Ranks and classifies customers by amount. `tiebreak(i)` is customer i's id or name.
/// Returns `None` when no customer has a positive amount.
pub fn run<'a>(
    facts: &Facts,
    options: &AbcOptions,
    tiebreak: impl Fn(usize) -> &'a str,
) -> Option<(Abc, Vec<Option<CustomerAbc>>)> {
    let mut ranked: Vec<(usize, f64)> = facts
        .customers
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.amount.filter(|a| a.is_finite()).map(|a| (i, a)))
        .collect();
    // Partitioned before the sort, so the ranks and both splits see only the positive amounts.
    let unranked: (u64, f64) = ranked
        .iter()
        .filter(|r| r.1 <= 0.0)
        .fold((0, 0.0), |(n, s), r| (n + 1, s + r.1));
    ranked.retain(|r| r.1 > 0.0);
    crate::sort::by_key_then(
        &mut ranked,
        |r| !crate::sort::f64_key(r.1),
        |a, b| {
            b.1.total_cmp(&a.1)
                .then_with(|| tiebreak(a.0).cmp(tiebreak(b.0)))
        },
    );
    let total: f64 = ranked.iter().map(|r| r.1).sum();
    if total <= 0.0 {
        return None;
    }
    let n = ranked.len();
    let round = |pct: f64| ((n as f64) * pct / 100.0).round() as usize;
    let n_a = if n > 0 && options.count_a > 0.0 {
        round(options.count_a).max(1)
    } else {
        0
    }
    .min(n);
    let n_ab = round(options.count_a + options.count_b).clamp(n_a, n);

    let mut per = vec![None; facts.customers.len()];
    let mut rows_amount = [(0u64, 0.0f64); 3];
    let mut rows_count = [(0u64, 0.0f64); 3];
    let mut cum = 0.0;
    let mut pareto_cum = Vec::with_capacity(n + 1);
    pareto_cum.push(0.0);
    let mut customers_for_a = None;
    // The first customer of the current run of equal amounts: its position, the share before it.
    let mut first = (0, 0.0, f64::NAN);
    for (k, &(i, amount)) in ranked.iter().enumerate() {
        if amount != first.2 {
            first = (k, 100.0 * cum / total, amount);
        }
        let (g, before) = (first.0, first.1);
        cum += amount;
        let share = 100.0 * cum / total;
        pareto_cum.push(share);
        let by_amount = if before < options.amount_a {
            Class::A
        } else if before < options.amount_b {
            Class::B
        } else {
            Class::C
        };
        if customers_for_a.is_none() && share >= options.amount_a - 1e-9 {
            customers_for_a = Some(100.0 * (k + 1) as f64 / n as f64);
        }
        let by_count = if g < n_a {
            Class::A
        } else if g < n_ab {
            Class::B
        } else {
            Class::C
        };
        for (rows, class) in [(&mut rows_amount, by_amount), (&mut rows_count, by_count)] {
            if let Some(r) = rows.get_mut(class as usize) {
                r.0 += 1;
                r.1 += amount;
            }
        }
        if let Some(slot) = per.get_mut(i) {
            *slot = Some(CustomerAbc {
                rank: (g + 1) as u32,
                by_amount,
                by_count,
                cumulative_share: share,
            });
        }
    }
    let at = |k: usize| pareto_cum.get(k).copied().unwrap_or(100.0);
    let top20_share = at(round(20.0));
    let steps = n.min(200);
    let pareto: Vec<(f64, f64)> = (0..=steps)
        .map(|j| {
            let k = (j * n).div_ceil(steps.max(1));
            (100.0 * k as f64 / n.max(1) as f64, at(k))
        })
        .collect();
    let table = |rows: &[(u64, f64); 3]| -> Vec<ClassRow> {
        Class::ALL
            .iter()
            .zip(rows.iter())
            .map(|(&class, &(c, a))| ClassRow {
                class,
                label: class.label(),
                customers: c,
                customer_share: 100.0 * c as f64 / n as f64,
                amount: a,
                amount_share: 100.0 * a / total,
            })
            .collect()
    };
    let by_amount = table(&rows_amount);
    let by_count = table(&rows_count);
    let method = options.method;
    let chosen = if method == Method::Count {
        &by_count
    } else {
        &by_amount
    };
    let charts = charts(&pareto, chosen, options);
    Some((
        Abc {
            options: *options,
            class_name: method.name(options),
            definition: method.definition(options),
            count_name: Method::Count.name(options),
            amount_name: Method::Amount.name(options),
            customers_ranked: n as u64,
            unranked: unranked.0,
            unranked_amount: unranked.1,
            total_amount: total,
            by_amount,
            by_count,
            top20_share,
            customers_for_a_share: customers_for_a.unwrap_or(100.0),
            pareto,
            charts,
        },
        per,
    ))
}

/// The Pareto curve and the classes of the split `abc_class` follows.
fn charts(pareto: &[(f64, f64)], classes: &[ClassRow], options: &AbcOptions) -> Vec<Chart> {
    vec![
        Chart {
            id: "abc_pareto".into(),
            kind: Kind::Line,
            title: Text::new("帕累托曲线", "Pareto curve"),
            categories: Vec::new(),
            keys: Vec::new(),
            series: vec![Series {
                name: Text::new("累计销售额占比", "Cumulative share of amount"),
                unit: Unit::Percent,
                data: pareto.iter().map(|p| p.1).collect(),
                x: Some(pareto.iter().map(|p| p.0).collect()),
            }],
            x_title: Some(Text::new("客户占比 %", "Share of customers %")),
            y_title: Some(Text::new(
                format!("累计销售额占比 %（A类至 {}%）", options.amount_a),
                format!(
                    "Cumulative share of amount % (A up to {}%)",
                    options.amount_a
                ),
            )),
        },
        Chart {
            id: "abc_classes".into(),
            kind: Kind::Bar,
            title: options.method.name(options),
            categories: classes.iter().map(|r| r.label.clone()).collect(),
            keys: classes.iter().map(|r| r.class.key().to_string()).collect(),
            series: vec![
                Series::new(
                    Text::new("客户占比", "Share of customers"),
                    Unit::Percent,
                    classes.iter().map(|r| r.customer_share).collect(),
                ),
                Series::new(
                    Text::new("销售额占比", "Share of amount"),
                    Unit::Percent,
                    classes.iter().map(|r| r.amount_share).collect(),
                ),
            ],
            x_title: None,
            y_title: Some(Text::new("%", "%")),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Fact;

    fn facts(amounts: &[f64]) -> Facts {
        Facts {
            customers: amounts
                .iter()
                .map(|&a| Fact {
                    amount: Some(a),
                    ..Fact::default()
                })
                .collect(),
            ..Facts::default()
        }
    }

    #[test]
    fn hand_checked_classes() {
        // Total 1000. Ranked 500, 300, 100, 50, 30, 20: shares before 0, 50, 80, 90, 95, 98.
        let f = facts(&[100.0, 500.0, 20.0, 300.0, 50.0, 30.0]);
        let names = ["c", "a", "f", "b", "d", "e"];
        let (abc, per) = run(&f, &AbcOptions::default(), |i| names[i]).unwrap();
        let classes: Vec<Class> = per.iter().map(|c| c.unwrap().by_amount).collect();
        use Class::*;
        assert_eq!(classes, vec![B, A, C, A, B, C]);
        assert_eq!(abc.total_amount, 1000.0);
        // Top 20% of 6 = round(1.2) = 1 customer = 50%.
        assert_eq!(abc.top20_share, 50.0);
        // 80% is reached with 2 of 6 customers.
        assert!((abc.customers_for_a_share - 100.0 * 2.0 / 6.0).abs() < 1e-9);
        // By count: A = round(0.6) = 1, A+B = round(1.8) = 2.
        let by_count: Vec<Class> = per.iter().map(|c| c.unwrap().by_count).collect();
        assert_eq!(by_count, vec![C, A, C, B, C, C]);
        assert_eq!(abc.pareto.first(), Some(&(0.0, 0.0)));
        assert_eq!(abc.pareto.last(), Some(&(100.0, 100.0)));
    }

    #[test]
    fn ties_follow_the_name_not_the_row() {
        let f = facts(&[10.0, 10.0]);
        let (_, per) = run(&f, &AbcOptions::default(), |i| ["b", "a"][i]).unwrap();
        // Equal amounts share rank 1; "a" comes first on the curve.
        assert_eq!(per[1].unwrap().rank, 1);
        assert_eq!(per[0].unwrap().rank, 1);
        assert_eq!(per[1].unwrap().cumulative_share, 50.0);
        assert_eq!(per[0].unwrap().cumulative_share, 100.0);
    }

    #[test]
    fn equal_amounts_get_one_class() {
        use Class::*;
        // Ten customers with the same spend: the share before the first is 0, so all are A, by
        // amount and by count (A = round(1) = 1 customer, taking its ties along), all rank 1.
        let (abc, per) = run(&facts(&[100.0; 10]), &AbcOptions::default(), |_| "").unwrap();
        assert!(per
            .iter()
            .all(|c| c.map(|c| (c.rank, c.by_amount, c.by_count)) == Some((1, A, A))));
        assert_eq!(abc.by_amount[0].customers, 10);
        assert_eq!(abc.by_amount[0].amount_share, 100.0);
        assert_eq!(abc.by_count[0].customers, 10);
        assert_eq!(abc.by_count[1].customers, 0);
    }

    #[test]
    fn a_boundary_inside_a_tie_moves_the_run_up() {
        use Class::*;
        // Total 1000, twelve customers in shuffled rows. Ranked: 300 300 | 100 100 100 | 30 |
        // 20 20 | 10 10 | 5 5; shares before them 0 30 | 60 70 80 | 90 | 93 95 | 97 98 | 99 99.5.
        // By amount the third 100 (80% before it) is A like the first (60%), and the second 20
        // (95%) is B like the first (93%). By count A = round(1.2) = 1 and A + B = round(3.6) = 4:
        // the second 300 (position 1) is A with the first, the third 100 (position 4) is B with
        // the first 100 (position 2), the rest from position 5 are C.
        let amounts = [
            20.0, 100.0, 5.0, 300.0, 10.0, 100.0, 30.0, 300.0, 5.0, 100.0, 20.0, 10.0,
        ];
        let names = ["h", "c", "k", "a", "i", "d", "f", "b", "l", "e", "g", "j"];
        let (abc, per) = run(&facts(&amounts), &AbcOptions::default(), |i| names[i]).unwrap();
        let got: Vec<(u32, Class, Class)> = per
            .iter()
            .map(|c| c.map(|c| (c.rank, c.by_amount, c.by_count)).unwrap())
            .collect();
        assert_eq!(
            got,
            vec![
                (7, B, C),  // 20
                (3, A, B),  // 100
                (11, C, C), // 5
                (1, A, A),  // 300
                (9, C, C),  // 10
                (3, A, B),  // 100
                (6, B, C),  // 30
                (1, A, A),  // 300
                (11, C, C), // 5
                (3, A, B),  // 100
                (7, B, C),  // 20
                (9, C, C),  // 10
            ]
        );
        // The tables count the final classes: by amount A 5 (900), B 3 (70), C 4 (30); by count
        // A 2 (600), B 3 (300), C 7 (100).
        let rows = |t: &[ClassRow]| -> Vec<(u64, f64)> {
            t.iter().map(|r| (r.customers, r.amount)).collect()
        };
        assert_eq!(rows(&abc.by_amount), vec![(5, 900.0), (3, 70.0), (4, 30.0)]);
        assert_eq!(
            rows(&abc.by_count),
            vec![(2, 600.0), (3, 300.0), (7, 100.0)]
        );
        assert!((abc.by_amount[0].customer_share - 500.0 / 12.0).abs() < 1e-9);
    }

    /// Classes by count of `n` customers with distinct amounts n, n − 1, …, 1 (largest first).
    fn count_split(n: usize) -> [u64; 3] {
        let amounts: Vec<f64> = (1..=n).rev().map(|a| a as f64).collect();
        let (abc, per) = run(&facts(&amounts), &AbcOptions::default(), |_| "").unwrap();
        // The default `abc_class` is the count split, and its table is `by_count`.
        let mut got = [0u64; 3];
        for c in per.iter().flatten() {
            got[c.class(Method::Count) as usize] += 1;
        }
        let table: Vec<u64> = abc.by_count.iter().map(|r| r.customers).collect();
        assert_eq!(table, got.to_vec());
        got
    }

    #[test]
    fn the_default_class_is_ten_twenty_seventy_percent_of_customers() {
        assert_eq!(AbcOptions::default().method, Method::Count);
        // 10 customers: A = round(1) = 1, A + B = round(3) = 3, so 1 A, 2 B, 7 C.
        assert_eq!(count_split(10), [1, 2, 7]);
        // 20 customers: A = round(2) = 2, A + B = round(6) = 6: 2 A, 4 B, 14 C.
        assert_eq!(count_split(20), [2, 4, 14]);
        // 15 customers: A = round(1.5) = 2 (a half rounds up), A + B = round(4.5) = 5: 2, 3, 10.
        assert_eq!(count_split(15), [2, 3, 10]);
        // 4 customers: A = round(0.4) = 0, raised to one; A + B = round(1.2) = 1: 1 A, 0 B, 3 C.
        assert_eq!(count_split(4), [1, 0, 3]);
    }

    #[test]
    fn the_splits_are_named_with_their_percentages_and_the_chart_follows_the_class() {
        let o = AbcOptions::default();
        let (abc, _) = run(&facts(&[3.0, 2.0, 1.0]), &o, |_| "").unwrap();
        assert_eq!(abc.class_name.zh, "ABC（客户数 10/20/70）");
        assert_eq!(abc.class_name.en, "ABC (customers 10/20/70)");
        assert_eq!(abc.amount_name.zh, "ABC（累计金额 80/95）");
        assert_eq!(abc.count_name, abc.class_name);
        // Three customers 3, 2, 1 (total 6): by count A = max(round(0.3), 1) = 1, A + B =
        // round(0.9) = 1, so 1 A, 0 B, 2 C; by amount the shares before them are 0, 50, 83.3%:
        // A, A, B.
        let shares = |abc: &Abc| abc.charts[1].series[0].data.clone();
        assert_eq!(shares(&abc), vec![100.0 / 3.0, 0.0, 200.0 / 3.0]);
        let o = AbcOptions {
            method: Method::Amount,
            count_a: 12.5,
            ..o
        };
        let (abc, _) = run(&facts(&[3.0, 2.0, 1.0]), &o, |_| "").unwrap();
        assert_eq!(abc.class_name.zh, "ABC（累计金额 80/95）");
        assert_eq!(abc.count_name.en, "ABC (customers 12.5/20/67.5)");
        assert_eq!(abc.charts[1].title, abc.class_name);
        assert_eq!(shares(&abc), vec![200.0 / 3.0, 100.0 / 3.0, 0.0]);
    }

    #[test]
    fn no_positive_amount_is_no_result() {
        assert!(run(&facts(&[0.0, -5.0]), &AbcOptions::default(), |_| "").is_none());
    }
}
