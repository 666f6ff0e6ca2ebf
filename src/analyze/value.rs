//! Customer value score (0–100), value tiers and the value pyramid.
//!
//! Definition (docs/analyses.md): each indicator the input has is min-max normalized over the
//! customers to 0–1 after clipping at its `clip_percent` and 100 − `clip_percent` percentiles
//! (default 1%, so one giant order does not squash everyone else to 0); indicators where lower is
//! better (returns, receivables, collection days, complaints, purchase interval) are reversed.
//! A customer's score is 100 × Σ wᵢ·xᵢ ÷ Σ wᵢ over the indicators known for that customer, so
//! weights are renormalized over what exists. Tiers: VIP > 80, 重要 > 60, 普通 > 40, else 小客户
//! (thresholds settable). An indicator with the same value for everyone carries no information
//! and is left out. Prospects (the input says they have not bought: no purchase and no amount
//! above 0) are not scored and have no tier; `prospects` counts them. A buyer whose amount is 0 or
//! below (its returns reached its purchases) is 小客户 whatever its score.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::score;
use crate::facts::{Fact, Facts};
use serde::Serialize;
use std::collections::BTreeMap;

/// One indicator: its key, label, whether higher is better, default weight, and how to read it.
struct Indicator {
    key: &'static str,
    zh: &'static str,
    en: &'static str,
    higher_is_better: bool,
    weight: f64,
    get: fn(&Fact) -> Option<f64>,
}

const INDICATORS: [Indicator; 12] = [
    Indicator {
        key: "orders",
        zh: "购买次数",
        en: "Orders",
        higher_is_better: true,
        weight: 0.20,
        get: |c| c.orders.map(f64::from),
    },
    Indicator {
        key: "amount",
        zh: "累计金额",
        en: "Total amount",
        higher_is_better: true,
        weight: 0.25,
        get: |c| c.amount,
    },
    Indicator {
        key: "margin",
        zh: "毛利率",
        en: "Margin",
        higher_is_better: true,
        weight: 0.10,
        get: |c| c.margin,
    },
    Indicator {
        key: "average_order",
        zh: "平均订单金额",
        en: "Average order",
        higher_is_better: true,
        weight: 0.10,
        get: |c| c.average_order,
    },
    Indicator {
        key: "largest_order",
        zh: "最大单笔金额",
        en: "Largest order",
        higher_is_better: true,
        weight: 0.05,
        get: |c| c.largest_order,
    },
    Indicator {
        key: "tenure",
        zh: "合作时长",
        en: "Tenure",
        higher_is_better: true,
        weight: 0.05,
        get: |c| c.tenure_days.map(f64::from),
    },
    Indicator {
        key: "interval",
        zh: "平均购买间隔",
        en: "Purchase interval",
        higher_is_better: false,
        weight: 0.05,
        get: |c| c.interval_days,
    },
    Indicator {
        key: "returns",
        zh: "退货",
        en: "Returns",
        higher_is_better: false,
        weight: 0.05,
        get: |c| c.returns,
    },
    Indicator {
        key: "receivable",
        zh: "欠款",
        en: "Receivables",
        higher_is_better: false,
        weight: 0.05,
        get: |c| c.receivable,
    },
    Indicator {
        key: "payment_days",
        zh: "回款天数",
        en: "Collection days",
        higher_is_better: false,
        weight: 0.05,
        get: |c| c.payment_days,
    },
    Indicator {
        key: "complaints",
        zh: "投诉",
        en: "Complaints",
        higher_is_better: false,
        weight: 0.025,
        get: |c| c.complaints,
    },
    Indicator {
        key: "praise",
        zh: "表扬",
        en: "Praise",
        higher_is_better: true,
        weight: 0.025,
        get: |c| c.praise,
    },
];

/// The indicator keys, for messages.
pub fn indicator_keys() -> Vec<&'static str> {
    INDICATORS.iter().map(|i| i.key).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueOptions {
    /// Weight per indicator key; keys not given keep their default weight.
    pub weights: BTreeMap<String, f64>,
    /// Scores above these are VIP, 重要 and 普通.
    pub vip: f64,
    pub important: f64,
    pub ordinary: f64,
    /// Percentile clipped at each end before min-max scaling (0 for plain min-max).
    pub clip_percent: f64,
}

impl Default for ValueOptions {
    fn default() -> Self {
        ValueOptions {
            weights: BTreeMap::new(),
            vip: 80.0,
            important: 60.0,
            ordinary: 40.0,
            clip_percent: 1.0,
        }
    }
}

impl ValueOptions {
    pub fn check(&self) -> Result<(), String> {
        for (k, w) in &self.weights {
            if !INDICATORS.iter().any(|i| i.key == k) {
                return Err(format!(
                    "value.weights: unknown indicator '{k}' (known: {})",
                    indicator_keys().join(", ")
                ));
            }
            if !(w.is_finite() && *w >= 0.0) {
                return Err(format!("value.weights.{k} must be a number ≥ 0"));
            }
        }
        if !(self.ordinary <= self.important && self.important <= self.vip) {
            return Err("value: ordinary ≤ important ≤ vip".into());
        }
        if !(0.0..50.0).contains(&self.clip_percent) {
            return Err("value.clip_percent must be within 0–50".into());
        }
        Ok(())
    }

    fn weight(&self, i: &Indicator) -> f64 {
        self.weights.get(i.key).copied().unwrap_or(i.weight)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Vip,
    Important,
    Ordinary,
    Small,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Tier::Vip, Tier::Important, Tier::Ordinary, Tier::Small];

    pub fn key(self) -> &'static str {
        match self {
            Tier::Vip => "vip",
            Tier::Important => "important",
            Tier::Ordinary => "ordinary",
            Tier::Small => "small",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Tier::Vip => Text::new("VIP客户", "VIP"),
            Tier::Important => Text::new("重要客户", "Important"),
            Tier::Ordinary => Text::new("普通客户", "Ordinary"),
            Tier::Small => Text::new("小客户", "Small"),
        }
    }

    pub fn of(score: f64, o: &ValueOptions) -> Tier {
        if score > o.vip {
            Tier::Vip
        } else if score > o.important {
            Tier::Important
        } else if score > o.ordinary {
            Tier::Ordinary
        } else {
            Tier::Small
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerValue {
    pub score: f64,
    pub tier: Tier,
}

/// An indicator as used: its range after clipping and its weight share.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorUsed {
    pub key: &'static str,
    pub label: Text,
    pub higher_is_better: bool,
    /// Weight as a percent of the weights of the indicators used.
    pub weight: f64,
    pub low: f64,
    pub high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    pub tier: Tier,
    pub label: Text,
    /// Scores above this are in the tier.
    pub above: Option<f64>,
    pub customers: u64,
    pub customer_share: f64,
    pub amount: f64,
    pub amount_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Value {
    pub options: ValueOptions,
    pub customers_scored: u64,
    /// Customers left out because the input says they have not bought (潜在客户).
    pub prospects: u64,
    pub indicators: Vec<IndicatorUsed>,
    /// VIP first: the pyramid from the top.
    pub tiers: Vec<TierRow>,
    pub mean_score: f64,
    pub charts: Vec<Chart>,
}

/// Scores every customer with at least one indicator. `None` when no indicator varies.
pub fn run(facts: &Facts, options: &ValueOptions) -> Option<(Value, Vec<Option<CustomerValue>>)> {
    // Every indicator of a customer in one visit: a pass over all the facts per indicator read
    // them twelve times from memory.
    let n = facts.customers.len();
    let mut columns: Vec<Vec<Option<f64>>> =
        INDICATORS.iter().map(|_| Vec::with_capacity(n)).collect();
    let mut prospects = 0u64;
    for c in &facts.customers {
        // A prospect's 0s would stretch every range down and fill the lowest tier.
        let prospect = c.is_prospect();
        prospects += u64::from(prospect);
        for (column, ind) in columns.iter_mut().zip(&INDICATORS) {
            column.push(if prospect { None } else { (ind.get)(c) });
        }
    }
    let inputs: Vec<score::Indicator<'_>> = INDICATORS
        .iter()
        .zip(&columns)
        .map(|(ind, values)| score::Indicator {
            values,
            higher_is_better: ind.higher_is_better,
            weight: options.weight(ind),
        })
        .collect();
    let (scores, ranges) = score::weighted(&inputs, facts.customers.len(), options.clip_percent);
    if ranges.iter().all(Option::is_none) {
        return None;
    }
    let weight_sum: f64 = INDICATORS
        .iter()
        .zip(&ranges)
        .filter(|(_, r)| r.is_some())
        .map(|(ind, _)| options.weight(ind))
        .sum();

    let mut per = vec![None; facts.customers.len()];
    let mut acc = [(0u64, 0.0f64); 4];
    let (mut n, mut score_sum, mut total_amount) = (0u64, 0.0, 0.0);
    let mut histogram = [0u64; 10];
    for (i, (c, score)) in facts.customers.iter().zip(&scores).enumerate() {
        let Some(score) = *score else { continue };
        // A customer whose returns reached its purchases brought nothing, whatever else it scores.
        let tier = if c.amount.is_some_and(|a| a <= 0.0) {
            Tier::Small
        } else {
            Tier::of(score, options)
        };
        let amount = c.amount.unwrap_or(0.0);
        if let Some(a) = acc.get_mut(tier as usize) {
            a.0 += 1;
            a.1 += amount;
        }
        if let Some(h) = histogram.get_mut(((score / 10.0) as usize).min(9)) {
            *h += 1;
        }
        n += 1;
        score_sum += score;
        total_amount += amount;
        if let Some(slot) = per.get_mut(i) {
            *slot = Some(CustomerValue { score, tier });
        }
    }
    let pct = |x: f64, of: f64| if of != 0.0 { 100.0 * x / of } else { 0.0 };
    let tiers: Vec<TierRow> = Tier::ALL
        .iter()
        .zip(acc.iter())
        .map(|(&tier, &(c, a))| TierRow {
            tier,
            label: tier.label(),
            above: match tier {
                Tier::Vip => Some(options.vip),
                Tier::Important => Some(options.important),
                Tier::Ordinary => Some(options.ordinary),
                Tier::Small => None,
            },
            customers: c,
            customer_share: pct(c as f64, n as f64),
            amount: a,
            amount_share: pct(a, total_amount),
        })
        .collect();
    let indicators = INDICATORS
        .iter()
        .zip(&ranges)
        .filter_map(|(ind, r)| {
            let r = (*r)?;
            Some(IndicatorUsed {
                key: ind.key,
                label: Text::new(ind.zh, ind.en),
                higher_is_better: ind.higher_is_better,
                weight: 100.0 * options.weight(ind) / weight_sum,
                low: r.low,
                high: r.high,
            })
        })
        .collect();
    let charts = vec![
        Chart {
            id: "value_pyramid".into(),
            kind: Kind::Pyramid,
            title: Text::new("客户价值金字塔", "Customer value pyramid"),
            categories: tiers.iter().map(|t| t.label.clone()).collect(),
            keys: tiers.iter().map(|t| t.tier.key().to_string()).collect(),
            series: vec![
                Series::new(
                    Text::new("客户数", "Customers"),
                    Unit::Customers,
                    tiers.iter().map(|t| t.customers as f64).collect(),
                ),
                Series::new(
                    Text::new("销售额占比", "Share of amount"),
                    Unit::Percent,
                    tiers.iter().map(|t| t.amount_share).collect(),
                ),
            ],
            x_title: None,
            y_title: None,
        },
        Chart {
            id: "value_scores".into(),
            kind: Kind::Bar,
            title: Text::new("价值得分分布", "Value score distribution"),
            categories: (0..10)
                .map(|b| {
                    let r = format!("{}–{}", b * 10, b * 10 + 10);
                    Text::new(r.clone(), r)
                })
                .collect(),
            keys: Vec::new(),
            series: vec![Series::new(
                Text::new("客户数", "Customers"),
                Unit::Customers,
                histogram.iter().map(|&h| h as f64).collect(),
            )],
            x_title: Some(Text::new("得分", "Score")),
            y_title: Some(Text::new("客户数", "Customers")),
        },
    ];
    Some((
        Value {
            options: options.clone(),
            customers_scored: n,
            prospects,
            indicators,
            tiers,
            mean_score: if n > 0 { score_sum / n as f64 } else { 0.0 },
            charts,
        },
        per,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(orders: u32, amount: f64, returns: Option<f64>) -> Fact {
        Fact {
            orders: Some(orders),
            amount: Some(amount),
            returns,
            ..Fact::default()
        }
    }

    #[test]
    fn hand_checked_scores() {
        // orders 1..3, amount 0..200, returns 0..10 (lower is better); plain min-max.
        let facts = Facts {
            customers: vec![
                fact(1, 0.0, Some(10.0)),
                fact(2, 100.0, Some(5.0)),
                fact(3, 200.0, None),
            ],
            ..Facts::default()
        };
        let opts = ValueOptions {
            clip_percent: 0.0,
            ..ValueOptions::default()
        };
        let (v, per) = run(&facts, &opts).unwrap();
        let s: Vec<f64> = per.iter().map(|c| c.unwrap().score).collect();
        // Weights 0.20, 0.25, 0.05. c0: all worst → 0.
        assert!(s[0].abs() < 1e-9);
        // c1: orders 0.5, amount 0.5, returns best of the two known (5 of 5–10) = 1
        // → (0.1 + 0.125 + 0.05) ÷ 0.5 = 55.
        assert!((s[1] - 55.0).abs() < 1e-9, "{}", s[1]);
        // c2: returns unknown, so weights renormalize over the other three, all best → 100.
        assert!((s[2] - 100.0).abs() < 1e-9);
        assert_eq!(per[2].unwrap().tier, Tier::Vip);
        assert_eq!(per[0].unwrap().tier, Tier::Small);
        let counted: u64 = v.tiers.iter().map(|t| t.customers).sum();
        assert_eq!(counted, 3);
    }

    #[test]
    fn unknown_weight_is_refused() {
        let mut o = ValueOptions::default();
        o.weights.insert("loyalty".into(), 1.0);
        assert!(o.check().unwrap_err().contains("loyalty"));
    }

    #[test]
    fn nothing_varies_is_no_result() {
        let facts = Facts {
            customers: vec![fact(1, 5.0, None), fact(1, 5.0, None)],
            ..Facts::default()
        };
        assert!(run(&facts, &ValueOptions::default()).is_none());
    }
}
