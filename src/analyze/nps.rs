//! Satisfaction: the Net Promoter Score from a 0–10 "would you recommend" column, and the
//! customer satisfaction index (CSI) from one or more satisfaction columns.
//!
//! Definitions (docs/analyses.md):
//! - NPS: a customer's answer (the mean of its answers) 9–10 is a promoter, 7 to below 9 a passive,
//!   below 7 a detractor; NPS = % promoters − % detractors, from −100 to 100. Answers outside
//!   0–10 are not counted.
//! - CSI: each satisfaction column is put on 0–100 by its scale, read from its largest value:
//!   up to 5 is a 1–5 scale ((x − 1) ÷ 4 × 100), up to 10 a 0–10 scale (x × 10), up to 100 a
//!   percentage. A customer's CSI is the weighted mean of its known columns (weights by header,
//!   default equal); the CSI of a group is the mean over its customers.
//! - Both overall and by RFM segment, region and salesperson.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::rfm::{CustomerRfm, Segment};
use crate::facts::Facts;
use crate::facts::Field;
use crate::facts::NO_TEXT;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CsiOptions {
    /// Weight per satisfaction column, by header text; columns not named weigh 1.
    pub weights: BTreeMap<String, f64>,
}

impl CsiOptions {
    pub fn check(&self) -> Result<(), String> {
        match self
            .weights
            .iter()
            .find(|(_, w)| !(w.is_finite() && **w >= 0.0))
        {
            Some((k, _)) => Err(format!("csi.weights.{k} must be a number ≥ 0")),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsGroup {
    Promoter,
    Passive,
    Detractor,
}

impl NpsGroup {
    pub const ALL: [NpsGroup; 3] = [NpsGroup::Promoter, NpsGroup::Passive, NpsGroup::Detractor];

    pub fn label(self) -> Text {
        match self {
            NpsGroup::Promoter => Text::new("推荐者（9–10）", "Promoter (9–10)"),
            NpsGroup::Passive => Text::new("被动者（7–8）", "Passive (7–8)"),
            NpsGroup::Detractor => Text::new("贬损者（0–6）", "Detractor (0–6)"),
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            NpsGroup::Promoter => "promoter",
            NpsGroup::Passive => "passive",
            NpsGroup::Detractor => "detractor",
        }
    }

    pub fn of(x: f64) -> Option<NpsGroup> {
        if !(0.0..=10.0).contains(&x) {
            None
        } else if x >= 9.0 {
            Some(NpsGroup::Promoter)
        } else if x >= 7.0 {
            Some(NpsGroup::Passive)
        } else {
            Some(NpsGroup::Detractor)
        }
    }
}

/// NPS counts of a set of customers.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NpsCounts {
    pub responses: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// % promoters − % detractors; null without responses.
    pub score: Option<f64>,
}

impl NpsCounts {
    fn add(&mut self, g: NpsGroup) {
        self.responses += 1;
        match g {
            NpsGroup::Promoter => self.promoters += 1,
            NpsGroup::Passive => self.passives += 1,
            NpsGroup::Detractor => self.detractors += 1,
        }
    }

    fn finish(&mut self) {
        self.score = (self.responses > 0).then(|| {
            100.0 * (self.promoters as f64 - self.detractors as f64) / self.responses as f64
        });
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupNps {
    pub value: Text,
    #[serde(flatten)]
    pub counts: NpsCounts,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown<T> {
    /// `rfm_segment`, `region`, `salesperson`.
    pub by: &'static str,
    pub label: Text,
    pub groups: Vec<T>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nps {
    #[serde(flatten)]
    pub overall: NpsCounts,
    /// Answers outside 0–10, not counted.
    pub invalid: u64,
    pub breakdowns: Vec<Breakdown<GroupNps>>,
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsiColumn {
    pub header: String,
    /// The scale read from the data: `1-5`, `0-10` or `0-100`.
    pub scale: &'static str,
    /// Percent of the weights.
    pub weight: f64,
    /// Mean on 0–100.
    pub mean: Option<f64>,
    pub responses: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupCsi {
    pub value: Text,
    pub customers: u64,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Csi {
    pub options: CsiOptions,
    /// 0–100.
    pub score: Option<f64>,
    pub customers: u64,
    pub columns: Vec<CsiColumn>,
    pub breakdowns: Vec<Breakdown<GroupCsi>>,
    pub charts: Vec<Chart>,
}

/// Groupings: (key, label, per-customer group index, group labels).
type Grouping = (&'static str, Text, Vec<Option<usize>>, Vec<Text>);

fn groupings(facts: &Facts, rfm: &[Option<CustomerRfm>]) -> Vec<Grouping> {
    let mut out = Vec::new();
    if !rfm.is_empty() {
        out.push((
            "rfm_segment",
            Text::new("RFM分类", "RFM segment"),
            (0..facts.customers.len())
                .map(|i| rfm.get(i).copied().flatten().map(|r| r.segment as usize))
                .collect(),
            Segment::ALL.iter().map(|s| s.label()).collect(),
        ));
    }
    for (key, field) in [
        ("region", Field::Region),
        ("salesperson", Field::Salesperson),
    ] {
        if let Some(d) = facts.dim(field) {
            out.push((
                key,
                Text::new(field.label_zh(), field.label_en()),
                d.values
                    .iter()
                    .map(|&v| (v != NO_TEXT).then_some(v as usize))
                    .collect(),
                d.labels
                    .iter()
                    .map(|l| Text::new(l.clone(), l.clone()))
                    .collect(),
            ));
        }
    }
    out
}

/// NPS over the customers' 0–10 answers. `None` without any valid answer.
pub fn nps(facts: &Facts, rfm: &[Option<CustomerRfm>]) -> Option<(Nps, Vec<Option<NpsGroup>>)> {
    let mut overall = NpsCounts::default();
    let mut invalid = 0;
    let per: Vec<Option<NpsGroup>> = facts
        .customers
        .iter()
        .map(|c| {
            let x = c.nps?;
            let g = NpsGroup::of(x);
            match g {
                Some(g) => overall.add(g),
                None => invalid += 1,
            }
            g
        })
        .collect();
    if overall.responses == 0 {
        return None;
    }
    overall.finish();
    let breakdowns: Vec<Breakdown<GroupNps>> = groupings(facts, rfm)
        .into_iter()
        .map(|(by, label, index, labels)| {
            let mut counts = vec![NpsCounts::default(); labels.len()];
            for (g, k) in per.iter().zip(&index) {
                if let (Some(g), Some(c)) = (g, k.and_then(|k| counts.get_mut(k))) {
                    c.add(*g);
                }
            }
            let groups = labels
                .into_iter()
                .zip(counts)
                .filter(|(_, c)| c.responses > 0)
                .map(|(value, mut counts)| {
                    counts.finish();
                    GroupNps { value, counts }
                })
                .collect();
            Breakdown { by, label, groups }
        })
        .collect();
    let charts = vec![Chart {
        id: "nps".into(),
        kind: Kind::Pie,
        title: Text::new(
            format!("净推荐值 NPS = {:.1}", overall.score.unwrap_or(0.0)),
            format!("Net Promoter Score = {:.1}", overall.score.unwrap_or(0.0)),
        ),
        categories: vec![
            Text::new("推荐者 (9–10)", "Promoters (9–10)"),
            Text::new("被动者 (7–8)", "Passives (7–8)"),
            Text::new("贬损者 (0–6)", "Detractors (0–6)"),
        ],
        keys: vec!["promoter".into(), "passive".into(), "detractor".into()],
        series: vec![Series::new(
            Text::new("客户数", "Customers"),
            Unit::Customers,
            vec![
                overall.promoters as f64,
                overall.passives as f64,
                overall.detractors as f64,
            ],
        )],
        x_title: None,
        y_title: None,
    }];
    Some((
        Nps {
            overall,
            invalid,
            breakdowns,
            charts,
        },
        per,
    ))
}

/// A column's map of one answer onto 0–100 (`None` outside its scale).
type ToPercent = fn(f64) -> Option<f64>;

/// The scale of a column from its largest value, and the map onto 0–100.
fn scale(max: f64) -> Option<(&'static str, ToPercent)> {
    if max <= 5.0 {
        Some(("1-5", |x| {
            (1.0..=5.0).contains(&x).then(|| (x - 1.0) / 4.0 * 100.0)
        }))
    } else if max <= 10.0 {
        Some(("0-10", |x| (0.0..=10.0).contains(&x).then_some(x * 10.0)))
    } else if max <= 100.0 {
        Some(("0-100", |x| (0.0..=100.0).contains(&x).then_some(x)))
    } else {
        None
    }
}

/// The CSI over the satisfaction columns. `None` without any usable column.
pub fn csi(
    facts: &Facts,
    o: &CsiOptions,
    rfm: &[Option<CustomerRfm>],
) -> Option<(Csi, Vec<Option<f64>>)> {
    let n = facts.customers.len();
    let mut used = Vec::new();
    for col in &facts.satisfaction {
        let max = col
            .values
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .reduce(f64::max);
        let Some((name, map)) = max.and_then(scale) else {
            continue;
        };
        let weight = o.weights.get(&col.header).copied().unwrap_or(1.0);
        used.push((col, name, map, weight));
    }
    let weight_sum: f64 = used.iter().map(|u| u.3).sum();
    if used.is_empty() || weight_sum <= 0.0 {
        return None;
    }
    let mut columns: Vec<CsiColumn> = used
        .iter()
        .map(|(col, name, _, w)| CsiColumn {
            header: col.header.clone(),
            scale: name,
            weight: 100.0 * w / weight_sum,
            mean: None,
            responses: 0,
        })
        .collect();
    let mut sums = vec![0.0; used.len()];
    let per: Vec<Option<f64>> = (0..n)
        .map(|i| {
            let (mut s, mut w) = (0.0, 0.0);
            for (k, (col, _, map, weight)) in used.iter().enumerate() {
                let Some(x) = col.values.get(i).copied().and_then(map) else {
                    continue;
                };
                if let (Some(sum), Some(c)) = (sums.get_mut(k), columns.get_mut(k)) {
                    *sum += x;
                    c.responses += 1;
                }
                s += weight * x;
                w += weight;
            }
            (w > 0.0).then(|| s / w)
        })
        .collect();
    for (c, s) in columns.iter_mut().zip(&sums) {
        c.mean = (c.responses > 0).then(|| s / c.responses as f64);
    }
    let mean = |it: &mut dyn Iterator<Item = f64>| {
        let (s, k) = it.fold((0.0, 0u64), |(s, k), x| (s + x, k + 1));
        ((k > 0).then(|| s / k as f64), k)
    };
    let (score, customers) = mean(&mut per.iter().flatten().copied());
    score?;
    let breakdowns: Vec<Breakdown<GroupCsi>> = groupings(facts, rfm)
        .into_iter()
        .map(|(by, label, index, labels)| {
            let mut acc = vec![(0.0, 0u64); labels.len()];
            for (x, k) in per.iter().zip(&index) {
                if let (Some(x), Some(a)) = (x, k.and_then(|k| acc.get_mut(k))) {
                    a.0 += x;
                    a.1 += 1;
                }
            }
            let groups = labels
                .into_iter()
                .zip(acc)
                .filter(|(_, a)| a.1 > 0)
                .map(|(value, (s, k))| GroupCsi {
                    value,
                    customers: k,
                    score: Some(s / k as f64),
                })
                .collect();
            Breakdown { by, label, groups }
        })
        .collect();
    let charts = vec![Chart {
        id: "csi_columns".into(),
        kind: Kind::Bar,
        title: Text::new("满意度指数 CSI", "Customer satisfaction index"),
        categories: columns
            .iter()
            .map(|c| Text::new(c.header.clone(), c.header.clone()))
            .collect(),
        keys: Vec::new(),
        series: vec![Series::new(
            Text::new("平均（0–100）", "Mean (0–100)"),
            Unit::Score,
            columns.iter().map(|c| c.mean.unwrap_or(0.0)).collect(),
        )],
        x_title: None,
        y_title: Some(Text::new("0–100", "0–100")),
    }];
    Some((
        Csi {
            options: o.clone(),
            score,
            customers,
            columns,
            breakdowns,
            charts,
        },
        per,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Fact, ScoreColumn};

    #[test]
    fn hand_checked_nps() {
        // 10, 9 promoters; 8, 7 passives; 6, 0 detractors; 11 invalid → (2 − 2) ÷ 6 = 0;
        // and 9, 9, 3 → (2 − 1) ÷ 3 = 33.3.
        let facts = |v: &[f64]| Facts {
            customers: v
                .iter()
                .map(|&x| Fact {
                    nps: Some(x),
                    ..Fact::default()
                })
                .collect(),
            ..Facts::default()
        };
        let (n, per) = nps(&facts(&[10.0, 9.0, 8.0, 7.0, 6.0, 0.0, 11.0]), &[]).unwrap();
        assert_eq!(
            (n.overall.responses, n.invalid, n.overall.score),
            (6, 1, Some(0.0))
        );
        assert_eq!(per[1], Some(NpsGroup::Promoter));
        assert_eq!(per[6], None);
        let (n, _) = nps(&facts(&[9.0, 9.0, 3.0]), &[]).unwrap();
        assert!((n.overall.score.unwrap() - 100.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn hand_checked_csi() {
        // A 1–5 column and a 0–100 column, weights 3 : 1.
        let facts = Facts {
            customers: vec![Fact::default(); 2],
            satisfaction: vec![
                ScoreColumn {
                    header: "服务满意度".into(),
                    values: vec![5.0, 3.0],
                },
                ScoreColumn {
                    header: "产品评分".into(),
                    values: vec![60.0, f64::NAN],
                },
            ],
            ..Facts::default()
        };
        let mut o = CsiOptions::default();
        o.weights.insert("服务满意度".into(), 3.0);
        let (c, per) = csi(&facts, &o, &[]).unwrap();
        // c0: (3 × 100 + 60) ÷ 4 = 90; c1: only the first column, 50.
        assert_eq!(per, vec![Some(90.0), Some(50.0)]);
        assert_eq!(c.score, Some(70.0));
        assert_eq!(c.columns[0].scale, "1-5");
        assert_eq!(c.columns[1].scale, "0-100");
        assert_eq!(c.columns[0].weight, 75.0);
    }
}
