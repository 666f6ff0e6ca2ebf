//! Credit grades (信用等级): a weighted score from the credit columns the input has, graded
//! AAA/AA/A/B/C, and the customers whose value and credit disagree.
//!
//! Definitions (docs/analyses.md): indicators, with default weights — collection days ↓ 0.30,
//! arrears ratio (receivable ÷ amount) ↓ 0.25, use of the credit limit (receivable ÷ limit) ↓
//! 0.15, returns ratio (returns ÷ amount) ↓ 0.10, tenure ↑ 0.10, company size ↑ 0.10 (微 1,
//! 小 2, 中 3, 大 4 by the size text). Scored by the same weighted min-max formula as the value
//! score (`score`). Grades: AAA ≥ 85, AA ≥ 70, A ≥ 55, B ≥ 40, C below (settable). The grade
//! needs at least one of the first four indicators: tenure and size alone say nothing of credit.
//! Disagreements: customers in value tier VIP or 重要 graded B or C, largest amount first.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::score;
use crate::analyze::value::{CustomerValue, Tier};
use crate::facts::Facts;
use crate::facts::Field;
use crate::facts::NO_TEXT;
use serde::Serialize;
use std::collections::BTreeMap;

const KEYS: [(&str, &str, &str, bool, f64); 6] = [
    ("payment_days", "回款天数", "Collection days", false, 0.30),
    ("arrears_ratio", "欠款比例", "Arrears ratio", false, 0.25),
    ("credit_use", "额度占用", "Use of credit limit", false, 0.15),
    ("returns_ratio", "退货比例", "Returns ratio", false, 0.10),
    ("tenure", "合作时长", "Tenure", true, 0.10),
    ("company_size", "企业规模", "Company size", true, 0.10),
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditOptions {
    /// Weight per indicator key; keys not given keep their default.
    pub weights: BTreeMap<String, f64>,
    /// Lowest scores of AAA, AA, A and B.
    pub aaa: f64,
    pub aa: f64,
    pub a: f64,
    pub b: f64,
    /// Disagreeing customers listed at most.
    pub top: usize,
}

impl Default for CreditOptions {
    fn default() -> Self {
        CreditOptions {
            weights: BTreeMap::new(),
            aaa: 85.0,
            aa: 70.0,
            a: 55.0,
            b: 40.0,
            top: 50,
        }
    }
}

impl CreditOptions {
    pub fn check(&self) -> Result<(), String> {
        for (k, w) in &self.weights {
            if !KEYS.iter().any(|x| x.0 == k) {
                let known: Vec<&str> = KEYS.iter().map(|x| x.0).collect();
                return Err(format!(
                    "credit.weights: unknown indicator '{k}' (known: {})",
                    known.join(", ")
                ));
            }
            if !(w.is_finite() && *w >= 0.0) {
                return Err(format!("credit.weights.{k} must be a number ≥ 0"));
            }
        }
        if !(self.b <= self.a && self.a <= self.aa && self.aa <= self.aaa) {
            return Err("credit: b ≤ a ≤ aa ≤ aaa".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Grade {
    #[serde(rename = "AAA")]
    Aaa,
    #[serde(rename = "AA")]
    Aa,
    A,
    B,
    C,
}

impl Grade {
    pub const ALL: [Grade; 5] = [Grade::Aaa, Grade::Aa, Grade::A, Grade::B, Grade::C];

    pub fn key(self) -> &'static str {
        match self {
            Grade::Aaa => "AAA",
            Grade::Aa => "AA",
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
        }
    }

    fn of(score: f64, o: &CreditOptions) -> Grade {
        if score >= o.aaa {
            Grade::Aaa
        } else if score >= o.aa {
            Grade::Aa
        } else if score >= o.a {
            Grade::A
        } else if score >= o.b {
            Grade::B
        } else {
            Grade::C
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerCredit {
    pub score: f64,
    pub grade: Grade,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreditIndicator {
    pub key: &'static str,
    pub label: Text,
    pub higher_is_better: bool,
    /// Percent of the weights used.
    pub weight: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeRow {
    pub grade: Grade,
    pub customers: u64,
    pub customer_share: f64,
    pub amount: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    /// Index into the report's `customers`.
    pub customer: u32,
    pub value_tier: Tier,
    pub grade: Grade,
    pub credit_score: f64,
    pub amount: f64,
    pub receivable: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credit {
    pub options: CreditOptions,
    pub customers_graded: u64,
    pub indicators: Vec<CreditIndicator>,
    pub grades: Vec<GradeRow>,
    /// High value, poor credit: the customers to watch.
    pub disagreements: Vec<Disagreement>,
    pub charts: Vec<Chart>,
}

/// Orders company sizes from their text: 微 1, 小 2, 中 3, 大 4 (and the English words).
pub fn size_rank(text: &str) -> Option<f64> {
    let t = text.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    if has(&["微", "micro"]) {
        Some(1.0)
    } else if has(&["小", "small"]) {
        Some(2.0)
    } else if has(&["中", "medium", "mid"]) {
        Some(3.0)
    } else if has(&["大", "large", "big", "集团", "enterprise"]) {
        Some(4.0)
    } else {
        None
    }
}

/// Grades every customer with a credit indicator. `None` when the input has none.
pub fn run(
    facts: &Facts,
    o: &CreditOptions,
    value: &[Option<CustomerValue>],
) -> Option<(Credit, Vec<Option<CustomerCredit>>)> {
    let cs = &facts.customers;
    let ratio = |num: Option<f64>, den: Option<f64>| match (num, den) {
        (Some(x), Some(d)) if d > 0.0 => Some(x / d),
        _ => None,
    };
    let size: Vec<Option<f64>> = match facts.dim(Field::CompanySize) {
        Some(d) => {
            let ranks: Vec<Option<f64>> = d.labels.iter().map(|l| size_rank(l)).collect();
            d.values
                .iter()
                .map(|&v| {
                    if v == NO_TEXT {
                        None
                    } else {
                        ranks.get(v as usize).copied().flatten()
                    }
                })
                .collect()
        }
        None => vec![None; cs.len()],
    };
    let columns: [Vec<Option<f64>>; 6] = [
        cs.iter().map(|c| c.payment_days).collect(),
        cs.iter().map(|c| ratio(c.receivable, c.amount)).collect(),
        cs.iter()
            .map(|c| ratio(c.receivable, c.credit_limit))
            .collect(),
        cs.iter().map(|c| ratio(c.returns, c.amount)).collect(),
        cs.iter().map(|c| c.tenure_days.map(f64::from)).collect(),
        size,
    ];
    let weight = |k: &str, d: f64| o.weights.get(k).copied().unwrap_or(d);
    let inputs: Vec<score::Indicator<'_>> = KEYS
        .iter()
        .zip(&columns)
        .map(|(k, values)| score::Indicator {
            values,
            higher_is_better: k.3,
            weight: weight(k.0, k.4),
        })
        .collect();
    // Only customers with a credit indicator (the first four) are graded.
    let credit_known: Vec<bool> = (0..cs.len())
        .map(|i| {
            columns
                .iter()
                .take(4)
                .any(|c| c.get(i).copied().flatten().is_some())
        })
        .collect();
    if !credit_known.iter().any(|&k| k) {
        return None;
    }
    let (scores, ranges) = score::weighted(&inputs, cs.len(), 1.0);
    if ranges.iter().take(4).all(Option::is_none) {
        return None;
    }
    let weight_sum: f64 = KEYS
        .iter()
        .zip(&ranges)
        .filter(|(_, r)| r.is_some())
        .map(|(k, _)| weight(k.0, k.4))
        .sum();
    let mut per = vec![None; cs.len()];
    let mut rows = [(0u64, 0.0f64); 5];
    let mut disagreements = Vec::new();
    for (i, (s, known)) in scores.iter().zip(&credit_known).enumerate() {
        let (Some(s), true) = (*s, *known) else {
            continue;
        };
        let grade = Grade::of(s, o);
        let amount = cs.get(i).and_then(|c| c.amount).unwrap_or(0.0);
        if let Some(r) = rows.get_mut(grade as usize) {
            r.0 += 1;
            r.1 += amount;
        }
        if let Some(slot) = per.get_mut(i) {
            *slot = Some(CustomerCredit { score: s, grade });
        }
        let tier = value.get(i).copied().flatten().map(|v| v.tier);
        if let (Some(t @ (Tier::Vip | Tier::Important)), Grade::B | Grade::C) = (tier, grade) {
            disagreements.push(Disagreement {
                customer: i as u32,
                value_tier: t,
                grade,
                credit_score: s,
                amount,
                receivable: cs.get(i).and_then(|c| c.receivable),
            });
        }
    }
    crate::sort::by(&mut disagreements, |a, b| {
        b.amount
            .total_cmp(&a.amount)
            .then(a.customer.cmp(&b.customer))
    });
    disagreements.truncate(o.top);
    let graded: u64 = rows.iter().map(|r| r.0).sum();
    let grades: Vec<GradeRow> = Grade::ALL
        .iter()
        .zip(rows.iter())
        .map(|(&grade, &(k, a))| GradeRow {
            grade,
            customers: k,
            customer_share: if graded > 0 {
                100.0 * k as f64 / graded as f64
            } else {
                0.0
            },
            amount: a,
        })
        .collect();
    let indicators = KEYS
        .iter()
        .zip(&ranges)
        .filter_map(|(k, r)| {
            let r = (*r)?;
            Some(CreditIndicator {
                key: k.0,
                label: Text::new(k.1, k.2),
                higher_is_better: k.3,
                weight: 100.0 * weight(k.0, k.4) / weight_sum,
                low: r.low,
                high: r.high,
            })
        })
        .collect();
    let charts = vec![Chart {
        id: "credit_grades".into(),
        kind: Kind::Bar,
        title: Text::new("信用等级分布", "Credit grades"),
        categories: grades
            .iter()
            .map(|g| Text::new(g.grade.key(), g.grade.key()))
            .collect(),
        keys: grades.iter().map(|g| g.grade.key().to_string()).collect(),
        series: vec![Series::new(
            Text::new("客户数", "Customers"),
            Unit::Customers,
            grades.iter().map(|g| g.customers as f64).collect(),
        )],
        x_title: None,
        y_title: Some(Text::new("客户数", "Customers")),
    }];
    Some((
        Credit {
            options: o.clone(),
            customers_graded: graded,
            indicators,
            grades,
            disagreements,
            charts,
        },
        per,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Fact;

    #[test]
    fn hand_checked_grades_and_disagreement() {
        let fact = |days, receivable| Fact {
            payment_days: Some(days),
            receivable: Some(receivable),
            amount: Some(1000.0),
            ..Fact::default()
        };
        let facts = Facts {
            customers: vec![
                fact(10.0, 0.0),
                fact(55.0, 500.0),
                fact(100.0, 1000.0),
                Fact::default(),
            ],
            ..Facts::default()
        };
        let v = |tier| Some(CustomerValue { score: 0.0, tier });
        let value = vec![
            v(Tier::Small),
            v(Tier::Vip),
            v(Tier::Important),
            v(Tier::Vip),
        ];
        let o = CreditOptions::default();
        let (c, per) = run(&facts, &o, &value).unwrap();
        // Weights 0.30 and 0.25 over two indicators, each 0, 0.5, 1 (lower is better); clipped
        // at 1% of three values: ranges [10.9, 99.1] and [10, 990].
        let s: Vec<Option<Grade>> = per.iter().map(|c| c.map(|c| c.grade)).collect();
        assert_eq!(
            s,
            vec![Some(Grade::Aaa), Some(Grade::B), Some(Grade::C), None]
        );
        assert_eq!(c.customers_graded, 3);
        let who: Vec<u32> = c.disagreements.iter().map(|d| d.customer).collect();
        assert_eq!(who, vec![1, 2]);
    }

    #[test]
    fn sizes_are_ordered() {
        assert_eq!(size_rank("大型企业"), Some(4.0));
        assert_eq!(size_rank("中型"), Some(3.0));
        assert_eq!(size_rank("小微企业"), Some(1.0));
        assert_eq!(size_rank("Small"), Some(2.0));
        assert_eq!(size_rank("未知"), None);
    }
}
