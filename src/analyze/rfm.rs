//! RFM: recency, frequency and monetary value, scored 1–5 and split into the eight segments of
//! the Chinese CRM model (重要价值客户 …).
//!
//! Definitions (docs/analyses.md):
//! - R = days from the last order to the as-of date; F = orders: distinct order ids where the
//!   list has them, else purchase days (a day's orders count once), else the count on record;
//!   M = total amount, or amount per order with `monetary: "mean"`.
//! - Scores 1–5 by where a value's customers sit among all n scored, worst first (worse means an
//!   older last order for R and a smaller value for F and M): a value held by e customers, with w
//!   customers worse, scores 1 + ⌊5 × (w + e/2) ÷ n⌋, the fifth its customers' middle falls in.
//!   Equal values always get equal scores. With five distinct values or fewer, each gets its own
//!   score: from the worst up, a value scores at least one more than the value below it and at
//!   most 5 − (distinct values above it).
//! - Segments compare each measure with its mean (default) or median over the scored customers:
//!   R↑ when the last order is at least as recent as the threshold (R ≤ threshold), F↑ and M↑
//!   when the value is at least the threshold (≥), so customers who all look alike are all ↑.
//!   M decides 重要/一般; R and F pick one of four within each.
//!
//! Only customers who have bought, with a last order date, an order count and an amount, are
//! scored; the rest (潜在客户) have no segment.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::Facts;
use serde::Serialize;

/// Whether M is the total or the amount per order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Monetary {
    #[default]
    Sum,
    Mean,
}

/// What "above" and "below" are measured against for the eight segments.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Threshold {
    #[default]
    Mean,
    Median,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RfmOptions {
    pub monetary: Monetary,
    pub threshold: Threshold,
}

/// The eight RFM segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    ImportantValue,
    ImportantDevelop,
    ImportantKeep,
    ImportantRetain,
    GeneralValue,
    GeneralDevelop,
    GeneralKeep,
    GeneralRetain,
}

impl Segment {
    pub const ALL: [Segment; 8] = [
        Segment::ImportantValue,
        Segment::ImportantDevelop,
        Segment::ImportantKeep,
        Segment::ImportantRetain,
        Segment::GeneralValue,
        Segment::GeneralDevelop,
        Segment::GeneralKeep,
        Segment::GeneralRetain,
    ];

    /// The segment of R↑/F↑/M↑ flags.
    pub fn of(r_high: bool, f_high: bool, m_high: bool) -> Segment {
        match (m_high, r_high, f_high) {
            (true, true, true) => Segment::ImportantValue,
            (true, true, false) => Segment::ImportantDevelop,
            (true, false, true) => Segment::ImportantKeep,
            (true, false, false) => Segment::ImportantRetain,
            (false, true, true) => Segment::GeneralValue,
            (false, true, false) => Segment::GeneralDevelop,
            (false, false, true) => Segment::GeneralKeep,
            (false, false, false) => Segment::GeneralRetain,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Segment::ImportantValue => "important_value",
            Segment::ImportantDevelop => "important_develop",
            Segment::ImportantKeep => "important_keep",
            Segment::ImportantRetain => "important_retain",
            Segment::GeneralValue => "general_value",
            Segment::GeneralDevelop => "general_develop",
            Segment::GeneralKeep => "general_keep",
            Segment::GeneralRetain => "general_retain",
        }
    }

    pub fn label(self) -> Text {
        let (zh, en) = match self {
            Segment::ImportantValue => ("重要价值客户", "Champions (important value)"),
            Segment::ImportantDevelop => ("重要发展客户", "Important to develop"),
            Segment::ImportantKeep => ("重要保持客户", "Important to keep"),
            Segment::ImportantRetain => ("重要挽留客户", "Important to win back"),
            Segment::GeneralValue => ("一般价值客户", "Loyal, low spend"),
            Segment::GeneralDevelop => ("一般发展客户", "New or occasional"),
            Segment::GeneralKeep => ("一般保持客户", "Fading regulars"),
            Segment::GeneralRetain => ("一般挽留客户", "Low on everything"),
        };
        Text::new(zh, en)
    }

    /// A one-line suggested action.
    pub fn action(self) -> Text {
        let (zh, en) = match self {
            Segment::ImportantValue => (
                "核心客户：保持VIP待遇，专属服务与优先资源。",
                "Core customers: keep them delighted with VIP service and priority resources.",
            ),
            Segment::ImportantDevelop => (
                "近期购买且金额高但频次低：推荐关联产品，提高购买频次。",
                "Recent big spenders who buy rarely: cross-sell to raise how often they buy.",
            ),
            Segment::ImportantKeep => (
                "高频高额但近期未购：主动回访，防止流失。",
                "Frequent big spenders gone quiet: call them before they drift away.",
            ),
            Segment::ImportantRetain => (
                "金额高但久未购买、频次低：重点挽回，了解流失原因。",
                "Big spenders slipping away: win them back and find out why they left.",
            ),
            Segment::GeneralValue => (
                "近期常买但金额低：推荐高价值产品，提升客单价。",
                "Recent, frequent, small orders: upsell to raise the order value.",
            ),
            Segment::GeneralDevelop => (
                "近期偶尔小额购买：培育关系，引导复购。",
                "Recent occasional small buyers: nurture them toward repeat purchases.",
            ),
            Segment::GeneralKeep => (
                "曾经常买的小客户近期未购：低成本维护，定期提醒。",
                "Former regulars with small orders: keep in touch at low cost.",
            ),
            Segment::GeneralRetain => (
                "各项指标都低：低成本触达，必要时放弃。",
                "Low on every measure: low-cost reminders, or let them go.",
            ),
        };
        Text::new(zh, en)
    }
}

/// One customer's RFM result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerRfm {
    pub recency_days: i32,
    pub frequency: u32,
    pub monetary: f64,
    pub r_score: u8,
    pub f_score: u8,
    pub m_score: u8,
    pub segment: Segment,
}

/// The values segments are split at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    pub recency_days: f64,
    pub frequency: f64,
    pub monetary: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentRow {
    pub key: Segment,
    pub label: Text,
    pub customers: u64,
    /// Percent of scored customers.
    pub customer_share: f64,
    pub amount: f64,
    /// Percent of the scored customers' total amount.
    pub amount_share: f64,
    pub mean_recency_days: Option<f64>,
    pub mean_frequency: Option<f64>,
    pub mean_monetary: Option<f64>,
    pub action: Text,
}

/// How many customers got each score, per measure (index 0 = score 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreCounts {
    pub r: [u64; 5],
    pub f: [u64; 5],
    pub m: [u64; 5],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rfm {
    pub options: RfmOptions,
    pub customers_scored: u64,
    /// What F counts here: order ids, purchase days, or the register's purchase count.
    pub frequency_basis: Text,
    /// The whole definition as run: what R, F and M are here, and what the segments split at.
    pub definition: Text,
    pub thresholds: Thresholds,
    pub segments: Vec<SegmentRow>,
    pub scores: ScoreCounts,
    pub charts: Vec<Chart>,
}

/// What F counted, for the report to say beside the scores.
fn frequency_basis(by_ids: bool, purchase_days: bool) -> Text {
    if by_ids {
        Text::new("F＝订单数（不同订单号）", "F = orders (distinct order ids)")
    } else if purchase_days {
        Text::new(
            "F＝购买天数（同一天的订单算一次）",
            "F = purchase days (orders on one day count once)",
        )
    } else {
        Text::new(
            "F＝订单数或登记的购买次数",
            "F = orders, or the purchase count on record",
        )
    }
}

/// The definition the page shows beside the segments, from what F counted and the options.
fn definition(basis: &Text, options: &RfmOptions) -> Text {
    let (m_zh, m_en) = match options.monetary {
        Monetary::Sum => ("M＝累计金额", "M = total amount"),
        Monetary::Mean => ("M＝每单金额", "M = amount per order"),
    };
    let (t_zh, t_en) = match options.threshold {
        Threshold::Mean => ("均值", "mean"),
        Threshold::Median => ("中位数", "median"),
    };
    Text::new(
        format!(
            "R＝距今天数；{}；{m_zh}。各与{t_zh}比较得八类；1–5 分按五分位。",
            basis.zh
        ),
        format!(
            "R = days since the last order; {}; {m_en}. Each compared with its {t_en} gives 8 \
             segments; scores 1–5 by quintile.",
            basis.en
        ),
    )
}

/// Scores 1–5 (see the module's definition): 1 + ⌊5 × (w + e/2) ÷ n⌋ for a value held by e
/// customers with w worse, spread apart when there are at most five distinct values.
pub fn quintile_scores(values: &[f64], higher_is_better: bool) -> Vec<u8> {
    let n = values.len();
    let mut order: Vec<usize> = (0..n).collect();
    let key = |i: usize| {
        let v = values.get(i).copied().unwrap_or(0.0);
        if higher_is_better {
            v
        } else {
            -v
        }
    };
    crate::sort::by_key(&mut order, |&i| crate::sort::f64_key(key(i)));
    // Where each run of equal values ends, worst first.
    let mut ends = Vec::new();
    for k in 1..=n {
        if k == n || order.get(k - 1).map(|&i| key(i)) != order.get(k).map(|&i| key(i)) {
            ends.push(k);
        }
    }
    let d = ends.len();
    let mut scores = vec![1u8; n];
    let (mut start, mut last) = (0, 0);
    for (j, &end) in ends.iter().enumerate() {
        // 2 × (w + e/2) = start + end. At most 5: start + end < 2n, and 6 + j − d ≤ 5.
        let mut s = 1 + 5 * (start + end) / (2 * n).max(1);
        if d <= 5 {
            s = s.max(last + 1).min(6 + j - d);
        }
        for &i in order.get(start..end).unwrap_or(&[]) {
            if let Some(slot) = scores.get_mut(i) {
                *slot = s as u8;
            }
        }
        (start, last) = (end, s);
    }
    scores
}

fn center(values: &[f64], t: Threshold) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    match t {
        // Summed as differences from the first value: the mean of equal values is that value.
        Threshold::Mean => {
            let first = values.first().copied().unwrap_or(0.0);
            first + values.iter().map(|v| v - first).sum::<f64>() / values.len() as f64
        }
        Threshold::Median => {
            let mut v = values.to_vec();
            crate::sort::floats(&mut v);
            let m = v.len() / 2;
            if v.len() % 2 == 1 {
                v.get(m).copied().unwrap_or(0.0)
            } else {
                (v.get(m - 1).copied().unwrap_or(0.0) + v.get(m).copied().unwrap_or(0.0)) / 2.0
            }
        }
    }
}

/// Runs RFM over the customers who have bought. Returns the summary and, per customer, its
/// result (`None` for customers not scored).
pub fn run(facts: &Facts, options: &RfmOptions) -> (Rfm, Vec<Option<CustomerRfm>>) {
    let mut who = Vec::new();
    let (mut r, mut f, mut m) = (Vec::new(), Vec::new(), Vec::new());
    let mut by_ids = false;
    for (i, c) in facts.customers.iter().enumerate() {
        // Where order ids exist, F is the number of orders; else purchase days (or the count).
        let orders = c.order_ids.or(c.orders);
        by_ids |= c.order_ids.is_some();
        let (Some(rec), Some(freq), Some(amount)) = (c.recency_days, orders, c.amount) else {
            continue;
        };
        if freq == 0 {
            continue;
        }
        let money = match options.monetary {
            Monetary::Sum => amount,
            Monetary::Mean => amount / freq as f64,
        };
        who.push(i);
        r.push(rec as f64);
        f.push(freq as f64);
        m.push(money);
    }
    let rs = quintile_scores(&r, false);
    let fs = quintile_scores(&f, true);
    let ms = quintile_scores(&m, true);
    let thresholds = Thresholds {
        recency_days: center(&r, options.threshold),
        frequency: center(&f, options.threshold),
        monetary: center(&m, options.threshold),
    };

    let mut per = vec![None; facts.customers.len()];
    let mut scores = ScoreCounts {
        r: [0; 5],
        f: [0; 5],
        m: [0; 5],
    };
    #[derive(Default, Clone, Copy)]
    struct Acc {
        n: u64,
        amount: f64,
        r: f64,
        f: f64,
        m: f64,
    }
    let mut acc = [Acc::default(); 8];
    let mut total_amount = 0.0;
    for (k, &i) in who.iter().enumerate() {
        let (rv, fv, mv) = (
            r.get(k).copied().unwrap_or(0.0),
            f.get(k).copied().unwrap_or(0.0),
            m.get(k).copied().unwrap_or(0.0),
        );
        let segment = Segment::of(
            rv <= thresholds.recency_days,
            fv >= thresholds.frequency,
            mv >= thresholds.monetary,
        );
        let one = CustomerRfm {
            recency_days: rv as i32,
            frequency: fv as u32,
            monetary: mv,
            r_score: rs.get(k).copied().unwrap_or(1),
            f_score: fs.get(k).copied().unwrap_or(1),
            m_score: ms.get(k).copied().unwrap_or(1),
            segment,
        };
        for (counts, s) in [
            (&mut scores.r, one.r_score),
            (&mut scores.f, one.f_score),
            (&mut scores.m, one.m_score),
        ] {
            if let Some(c) = counts.get_mut(usize::from(s.saturating_sub(1))) {
                *c += 1;
            }
        }
        let amount = facts.customers.get(i).and_then(|c| c.amount).unwrap_or(0.0);
        total_amount += amount;
        if let Some(a) = acc.get_mut(segment as usize) {
            a.n += 1;
            a.amount += amount;
            a.r += rv;
            a.f += fv;
            a.m += mv;
        }
        if let Some(slot) = per.get_mut(i) {
            *slot = Some(one);
        }
    }
    let n = who.len() as u64;
    let basis = frequency_basis(by_ids, facts.has.purchase_days);
    let pct = |x: f64, of: f64| if of != 0.0 { 100.0 * x / of } else { 0.0 };
    let segments: Vec<SegmentRow> = Segment::ALL
        .iter()
        .zip(acc.iter())
        .map(|(&s, a)| {
            let mean = |x: f64| (a.n > 0).then(|| x / a.n as f64);
            SegmentRow {
                key: s,
                label: s.label(),
                customers: a.n,
                customer_share: pct(a.n as f64, n as f64),
                amount: a.amount,
                amount_share: pct(a.amount, total_amount),
                mean_recency_days: mean(a.r),
                mean_frequency: mean(a.f),
                mean_monetary: mean(a.m),
                action: s.action(),
            }
        })
        .collect();
    let charts = charts(&segments, &scores);
    (
        Rfm {
            options: *options,
            customers_scored: n,
            definition: definition(&basis, options),
            frequency_basis: basis,
            thresholds,
            segments,
            scores,
            charts,
        },
        per,
    )
}

fn charts(segments: &[SegmentRow], scores: &ScoreCounts) -> Vec<Chart> {
    let categories: Vec<Text> = segments.iter().map(|s| s.label.clone()).collect();
    let keys: Vec<String> = segments.iter().map(|s| s.key.key().to_string()).collect();
    let score_cats: Vec<Text> = (1..=5)
        .map(|s| Text::new(format!("{s}分"), format!("{s}")))
        .collect();
    let as_f = |v: &[u64; 5]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    vec![
        Chart {
            id: "rfm_segments".into(),
            kind: Kind::Bar,
            title: Text::new("RFM 八类客户", "RFM segments"),
            categories: categories.clone(),
            keys: keys.clone(),
            series: vec![Series::new(
                Text::new("客户数", "Customers"),
                Unit::Customers,
                segments.iter().map(|s| s.customers as f64).collect(),
            )],
            x_title: None,
            y_title: Some(Text::new("客户数", "Customers")),
        },
        Chart {
            id: "rfm_amount".into(),
            kind: Kind::Treemap,
            title: Text::new("各类客户销售额", "Amount by RFM segment"),
            categories,
            keys,
            series: vec![Series::new(
                Text::new("销售额", "Amount"),
                Unit::Amount,
                segments.iter().map(|s| s.amount).collect(),
            )],
            x_title: None,
            y_title: None,
        },
        Chart {
            id: "rfm_scores".into(),
            kind: Kind::Bar,
            title: Text::new("R/F/M 得分分布", "R, F and M score distribution"),
            categories: score_cats,
            keys: Vec::new(),
            series: vec![
                Series::new(Text::new("R", "R"), Unit::Customers, as_f(&scores.r)),
                Series::new(Text::new("F", "F"), Unit::Customers, as_f(&scores.f)),
                Series::new(Text::new("M", "M"), Unit::Customers, as_f(&scores.m)),
            ],
            x_title: Some(Text::new("得分", "Score")),
            y_title: Some(Text::new("客户数", "Customers")),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Fact;

    fn fact(recency: i32, orders: u32, amount: f64) -> Fact {
        Fact {
            recency_days: Some(recency),
            last_order: Some(100 - recency),
            orders: Some(orders),
            amount: Some(amount),
            ..Fact::default()
        }
    }

    #[test]
    fn quintiles_keep_ties_together() {
        // 10 values: 1 ×6, 2 ×2, 3, 4. Runs (start, end) 0–6, 6–8, 8–9, 9–10: middles in fifths
        // 5 × (start + end) ÷ 20 = 1.5, 3.5, 4.25, 4.75 → 2, 4, 5, 5. Four distinct values each get
        // their own score, at most 5 − (values above): 2, 3, 4, 5.
        let v = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 4.0];
        assert_eq!(
            quintile_scores(&v, true),
            vec![2, 2, 2, 2, 2, 2, 3, 3, 4, 5]
        );
        // Five distinct values get 1..=5; reversed when lower is better.
        let v = [10.0, 20.0, 30.0, 40.0, 50.0];
        assert_eq!(quintile_scores(&v, true), vec![1, 2, 3, 4, 5]);
        assert_eq!(quintile_scores(&v, false), vec![5, 4, 3, 2, 1]);
        // Two values, the lower held by one customer in ten: middles 0.25 and 2.75 fifths → 1, 3.
        let v = [5.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0, 9.0];
        assert_eq!(
            quintile_scores(&v, true),
            vec![1, 3, 3, 3, 3, 3, 3, 3, 3, 3]
        );
        assert_eq!(quintile_scores(&[], true), Vec::<u8>::new());
    }

    #[test]
    fn ten_alike_customers_are_all_high() {
        // Bought yesterday, once, 19.99 each: summed directly, ten 19.99 make a mean of
        // 19.990000000000002 and every M would fall below it. Every value is its mean, so all
        // are R↑ F↑ M↑, and one value scores 1 + ⌊5 × 5 ÷ 10⌋ = 3.
        let facts = Facts {
            customers: vec![fact(1, 1, 19.99); 10],
            ..Facts::default()
        };
        let (r, per) = run(&facts, &RfmOptions::default());
        assert_eq!(r.thresholds.recency_days, 1.0);
        assert_eq!(r.thresholds.frequency, 1.0);
        assert_eq!(r.thresholds.monetary, 19.99);
        for c in &per {
            let c = c.unwrap();
            assert_eq!(c.segment, Segment::ImportantValue);
            assert_eq!((c.r_score, c.f_score, c.m_score), (3, 3, 3));
        }
        assert_eq!(r.segments[0].customers, 10);
        assert_eq!(r.scores.m, [0, 0, 10, 0, 0]);
    }

    #[test]
    fn a_value_at_the_mean_is_high() {
        // Means: R = 20, F = 2, M = 200; the two customers at the mean are R↑ F↑ M↑.
        // Scores, worst first (n = 4, three values): R 30, 20 ×2, 10 → middles 5 × 1 ÷ 8, 5 × 4 ÷
        // 8, 5 × 7 ÷ 8 fifths → 1, 3, 5; F and M the same way round.
        let facts = Facts {
            customers: vec![
                fact(10, 1, 100.0),
                fact(20, 2, 200.0),
                fact(30, 3, 300.0),
                fact(20, 2, 200.0),
            ],
            ..Facts::default()
        };
        let (r, per) = run(&facts, &RfmOptions::default());
        assert_eq!(r.thresholds.recency_days, 20.0);
        let got: Vec<(Segment, u8, u8, u8)> = per
            .iter()
            .map(|c| {
                c.map(|c| (c.segment, c.r_score, c.f_score, c.m_score))
                    .unwrap()
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Segment::GeneralDevelop, 5, 1, 1),
                (Segment::ImportantValue, 3, 3, 3),
                (Segment::ImportantKeep, 1, 5, 5),
                (Segment::ImportantValue, 3, 3, 3),
            ]
        );
    }

    #[test]
    fn purchases_one_to_six_are_not_one_score() {
        // 120 customers: 1 to 5 purchases 4 each, 6 to 10 purchases 20 each. Runs (start, end):
        // 1–5 within 0–20, 6: 20–40, 7: 40–60, 8: 60–80, 9: 80–100, 10: 100–120; scores
        // 1 + ⌊5 × (start + end) ÷ 240⌋: 1 for 1–5 (at most 180 ÷ 240), 6: 300 → 2, 7: 500 → 3,
        // 8: 700 → 3, 9: 900 → 4, 10: 1100 → 5. Counting customers strictly below alone would put
        // 6 purchases (20 below: ⌊100 ÷ 120⌋ = 0) in score 1 with 1–5.
        let mut customers = Vec::new();
        for orders in 1..=10u32 {
            let many = if orders <= 5 { 4 } else { 20 };
            customers.extend(std::iter::repeat_n(fact(5, orders, 100.0), many));
        }
        let (r, per) = run(
            &Facts {
                customers,
                ..Facts::default()
            },
            &RfmOptions::default(),
        );
        let mut by_orders = [0u8; 11];
        for c in per.iter().flatten() {
            if let Some(slot) = by_orders.get_mut(c.frequency as usize) {
                *slot = c.f_score;
            }
        }
        assert_eq!(by_orders, [0, 1, 1, 1, 1, 1, 2, 3, 3, 4, 5]);
        assert_eq!(r.scores.f, [20, 20, 40, 20, 20]);
    }

    #[test]
    fn hand_checked_segments() {
        // Means: R = 40, F = 3, M = 1000.
        let facts = Facts {
            customers: vec![
                fact(10, 5, 2000.0), // R↑ F↑ M↑ 重要价值
                fact(10, 1, 1500.0), // R↑ F↓ M↑ 重要发展
                fact(90, 6, 400.0),  // R↓ F↑ M↓ 一般保持
                fact(60, 0, 0.0),    // not scored: no orders
                fact(60, 1, 100.0),  // R↓ F↓ M↓ 一般挽留
            ],
            ..Facts::default()
        };
        let (r, per) = run(&facts, &RfmOptions::default());
        assert_eq!(r.customers_scored, 4);
        assert_eq!(r.thresholds.recency_days, 42.5);
        assert_eq!(r.thresholds.frequency, 3.25);
        assert_eq!(r.thresholds.monetary, 1000.0);
        let seg: Vec<Option<Segment>> = per.iter().map(|c| c.map(|c| c.segment)).collect();
        assert_eq!(
            seg,
            vec![
                Some(Segment::ImportantValue),
                Some(Segment::ImportantDevelop),
                Some(Segment::GeneralKeep),
                None,
                Some(Segment::GeneralRetain),
            ]
        );
        let total: u64 = r.segments.iter().map(|s| s.customers).sum();
        assert_eq!(total, 4);
        let v = r.segments.first().map(|s| s.amount_share).unwrap_or(0.0);
        assert!((v - 50.0).abs() < 1e-9);
    }

    #[test]
    fn median_and_mean_per_order() {
        let facts = Facts {
            customers: vec![fact(1, 1, 100.0), fact(2, 2, 100.0), fact(3, 4, 1000.0)],
            ..Facts::default()
        };
        let opts = RfmOptions {
            monetary: Monetary::Mean,
            threshold: Threshold::Median,
        };
        let (r, per) = run(&facts, &opts);
        assert_eq!(r.thresholds.monetary, 100.0);
        assert_eq!(r.thresholds.frequency, 2.0);
        let c = per.get(2).copied().flatten();
        assert_eq!(c.map(|c| c.monetary), Some(250.0));
        assert_eq!(c.map(|c| c.segment), Some(Segment::ImportantKeep));
    }
}
