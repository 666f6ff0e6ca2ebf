//! Leads and pipeline: lead status and purchase timing as the sales team writes them, the funnel,
//! and conversion by source, channel and salesperson.
//!
//! Definitions (docs/analyses.md): a lead is a customer with a lead status or purchase timing.
//! Statuses are read in Chinese or English: 确定购买/Qualified, 热衷/Hot, 有兴趣/Interested,
//! 观望/On hold, 停止/Inactive; anything else is "other". Timing: A within a month (一个月内),
//! B in 2–3 months, C eventually. The funnel counts leads, then those at least interested
//! (interested, hot or qualified), at least hot, qualified, and those who bought. Conversion =
//! leads who bought ÷ leads, in percent, overall and per source, channel and salesperson.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::clean_label;
use crate::facts::Facts;
use crate::facts::Field;
use crate::facts::NO_TEXT;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Qualified,
    Hot,
    Interested,
    OnHold,
    Inactive,
    Other,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Qualified,
        Status::Hot,
        Status::Interested,
        Status::OnHold,
        Status::Inactive,
        Status::Other,
    ];

    pub fn label(self) -> Text {
        match self {
            Status::Qualified => Text::new("确定购买", "Qualified"),
            Status::Hot => Text::new("热衷", "Hot"),
            Status::Interested => Text::new("有兴趣", "Interested"),
            Status::OnHold => Text::new("观望", "On hold"),
            Status::Inactive => Text::new("停止", "Inactive"),
            Status::Other => Text::new("其他", "Other"),
        }
    }

    /// Reads a status as typed.
    pub fn parse(text: &str) -> Status {
        let t = clean_label(text).trim().to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if has(&["确定", "签约", "成交", "qualified", "won", "closed"]) {
            Status::Qualified
        } else if has(&["热衷", "热", "hot", "强烈"]) {
            Status::Hot
        } else if has(&["兴趣", "意向", "interest"]) {
            Status::Interested
        } else if has(&["观望", "考虑", "hold", "wait"]) {
            Status::OnHold
        } else if has(&["停止", "放弃", "无意", "inactive", "lost", "stop", "dead"]) {
            Status::Inactive
        } else {
            Status::Other
        }
    }

    fn rank(self) -> u8 {
        match self {
            Status::Qualified => 3,
            Status::Hot => 2,
            Status::Interested => 1,
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timing {
    A,
    B,
    C,
}

impl Timing {
    /// Reads a purchase timing as typed: the letter, or the period in words.
    pub fn parse(text: &str) -> Option<Timing> {
        let t = clean_label(text).trim().to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        if t == "a"
            || t.starts_with("a ")
            || t.starts_with("a类")
            || has(&["一个月", "1个月", "本月", "within a month", "one month"])
        {
            Some(Timing::A)
        } else if t == "b"
            || t.starts_with("b ")
            || t.starts_with("b类")
            || has(&["两三个月", "2-3", "2–3", "二到三", "三个月", "2~3"])
        {
            Some(Timing::B)
        } else if t == "c"
            || t.starts_with("c ")
            || t.starts_with("c类")
            || has(&[
                "以后",
                "将来",
                "不确定",
                "eventually",
                "later",
                "半年",
                "一年",
            ])
        {
            Some(Timing::C)
        } else {
            None
        }
    }

    fn label(self) -> Text {
        match self {
            Timing::A => Text::new("A（一个月内）", "A (within a month)"),
            Timing::B => Text::new("B（2–3个月）", "B (2–3 months)"),
            Timing::C => Text::new("C（以后）", "C (eventually)"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub label: Text,
    pub key: String,
    pub leads: u64,
    pub bought: u64,
    pub conversion: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conversion {
    pub by: &'static str,
    pub label: Text,
    pub groups: Vec<Count>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pipeline {
    pub leads: u64,
    pub bought: u64,
    /// Percent of leads who bought.
    pub conversion: f64,
    pub statuses: Vec<Count>,
    pub timing: Vec<Count>,
    /// Leads, ≥ interested, ≥ hot, qualified, bought.
    pub funnel: Vec<Count>,
    pub by: Vec<Conversion>,
    pub charts: Vec<Chart>,
}

fn count(label: Text, key: &str, leads: u64, bought: u64) -> Count {
    Count {
        label,
        key: key.to_string(),
        leads,
        bought,
        conversion: if leads > 0 {
            100.0 * bought as f64 / leads as f64
        } else {
            0.0
        },
    }
}

/// Runs the pipeline. `None` without lead status or purchase timing.
pub fn run(facts: &Facts) -> Option<Pipeline> {
    let status_dim = facts.dim(Field::LeadStatus);
    let timing_dim = facts.dim(Field::PurchaseTiming);
    if status_dim.is_none() && timing_dim.is_none() {
        return None;
    }
    let of = |d: Option<&crate::facts::Dim>, i: usize| -> Option<String> {
        let d = d?;
        let v = *d.values.get(i)?;
        (v != NO_TEXT)
            .then(|| d.labels.get(v as usize).cloned())
            .flatten()
    };
    let n = facts.customers.len();
    let mut status: Vec<Option<Status>> = Vec::with_capacity(n);
    let mut timing: Vec<Option<Timing>> = Vec::with_capacity(n);
    let mut is_lead = Vec::with_capacity(n);
    for i in 0..n {
        let s = of(status_dim, i).map(|t| Status::parse(&t));
        let t = of(timing_dim, i).and_then(|t| Timing::parse(&t));
        is_lead.push(s.is_some() || of(timing_dim, i).is_some());
        status.push(s);
        timing.push(t);
    }
    let bought: Vec<bool> = facts
        .customers
        .iter()
        .map(|c| c.has_bought() || c.amount.is_some_and(|a| a > 0.0))
        .collect();
    let leads = is_lead.iter().filter(|&&l| l).count() as u64;
    if leads == 0 {
        return None;
    }
    let won = (0..n)
        .filter(|&i| is_lead.get(i) == Some(&true) && bought.get(i) == Some(&true))
        .count() as u64;
    let tally = |pred: &dyn Fn(usize) -> bool| -> (u64, u64) {
        (0..n)
            .filter(|&i| is_lead.get(i) == Some(&true) && pred(i))
            .fold((0, 0), |(l, b), i| {
                (l + 1, b + u64::from(bought.get(i) == Some(&true)))
            })
    };
    let statuses: Vec<Count> = Status::ALL
        .iter()
        .map(|&s| {
            let (l, b) = tally(&|i| status.get(i) == Some(&Some(s)));
            count(s.label(), &format!("{s:?}").to_lowercase(), l, b)
        })
        .filter(|c| c.leads > 0)
        .collect();
    let timings: Vec<Count> = [Timing::A, Timing::B, Timing::C]
        .iter()
        .map(|&t| {
            let (l, b) = tally(&|i| timing.get(i) == Some(&Some(t)));
            count(t.label(), &format!("{t:?}"), l, b)
        })
        .collect();
    let at_least = |r: u8| {
        tally(&|i| {
            status
                .get(i)
                .copied()
                .flatten()
                .is_some_and(|s| s.rank() >= r)
        })
    };
    let (i1, b1) = at_least(1);
    let (i2, b2) = at_least(2);
    let (i3, b3) = at_least(3);
    let funnel = vec![
        count(Text::new("线索", "Leads"), "leads", leads, won),
        count(
            Text::new("有兴趣及以上", "Interested or better"),
            "interested",
            i1,
            b1,
        ),
        count(Text::new("热衷及以上", "Hot or better"), "hot", i2, b2),
        count(Text::new("确定购买", "Qualified"), "qualified", i3, b3),
        count(Text::new("已购买", "Bought"), "bought", won, won),
    ];
    let mut by = Vec::new();
    for (key, field) in [
        ("source", Field::Source),
        ("channel", Field::Channel),
        ("salesperson", Field::Salesperson),
    ] {
        let Some(d) = facts.dim(field) else { continue };
        let mut acc = vec![(0u64, 0u64); d.labels.len()];
        for i in 0..n {
            if is_lead.get(i) != Some(&true) {
                continue;
            }
            let Some(&v) = d.values.get(i) else { continue };
            if let Some(a) = acc.get_mut(v as usize) {
                a.0 += 1;
                a.1 += u64::from(bought.get(i) == Some(&true));
            }
        }
        let mut groups: Vec<Count> = d
            .labels
            .iter()
            .zip(acc)
            .filter(|(_, a)| a.0 > 0)
            .map(|(l, (k, b))| count(Text::new(l.clone(), l.clone()), l, k, b))
            .collect();
        crate::sort::by(&mut groups, |a, b| {
            b.leads.cmp(&a.leads).then(a.key.cmp(&b.key))
        });
        by.push(Conversion {
            by: key,
            label: Text::new(field.label_zh(), field.label_en()),
            groups,
        });
    }
    let charts = vec![Chart {
        id: "pipeline_funnel".into(),
        kind: Kind::Funnel,
        title: Text::new("销售漏斗", "Sales funnel"),
        categories: funnel.iter().map(|c| c.label.clone()).collect(),
        keys: funnel.iter().map(|c| c.key.clone()).collect(),
        series: vec![Series::new(
            Text::new("客户数", "Customers"),
            Unit::Customers,
            funnel.iter().map(|c| c.leads as f64).collect(),
        )],
        x_title: None,
        y_title: None,
    }];
    Some(Pipeline {
        leads,
        bought: won,
        conversion: 100.0 * won as f64 / leads as f64,
        statuses,
        timing: timings,
        funnel,
        by,
        charts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Dim, Fact};

    #[test]
    fn statuses_and_timing_read_as_typed() {
        assert_eq!(Status::parse("确定购买"), Status::Qualified);
        assert_eq!(Status::parse("Hot"), Status::Hot);
        assert_eq!(Status::parse("有兴趣"), Status::Interested);
        assert_eq!(Status::parse("On hold"), Status::OnHold);
        assert_eq!(Status::parse("停止跟进"), Status::Inactive);
        assert_eq!(Status::parse("待定"), Status::Other);
        assert_eq!(Timing::parse("A"), Some(Timing::A));
        assert_eq!(Timing::parse("一个月内"), Some(Timing::A));
        assert_eq!(Timing::parse("2-3个月"), Some(Timing::B));
        assert_eq!(Timing::parse("C类"), Some(Timing::C));
        assert_eq!(Timing::parse("以后再说"), Some(Timing::C));
    }

    #[test]
    fn hand_checked_funnel() {
        // 5 customers: qualified (bought), hot (bought), interested, on hold, no status.
        let labels = vec![
            "确定购买".into(),
            "热衷".into(),
            "有兴趣".into(),
            "观望".into(),
        ];
        let bought = |b: bool| Fact {
            orders: Some(u32::from(b)),
            ..Fact::default()
        };
        let facts = Facts {
            customers: vec![
                bought(true),
                bought(true),
                bought(false),
                bought(false),
                bought(true),
            ],
            dims: vec![
                Dim {
                    field: Some(Field::LeadStatus),
                    header: "跟进状态".into(),
                    labels,
                    values: vec![0, 1, 2, 3, NO_TEXT],
                },
                Dim {
                    field: Some(Field::Salesperson),
                    header: "销售员".into(),
                    labels: vec!["张伟".into(), "王芳".into()],
                    values: vec![0, 1, 0, 0, 1],
                },
            ],
            ..Facts::default()
        };
        let p = run(&facts).unwrap();
        assert_eq!((p.leads, p.bought), (4, 2));
        assert_eq!(p.conversion, 50.0);
        let f: Vec<u64> = p.funnel.iter().map(|c| c.leads).collect();
        assert_eq!(f, vec![4, 3, 2, 1, 2]);
        let sales = &p.by[0];
        assert_eq!(sales.by, "salesperson");
        assert_eq!(
            (
                sales.groups[0].key.as_str(),
                sales.groups[0].leads,
                sales.groups[0].bought
            ),
            ("张伟", 3, 1)
        );
        assert_eq!(sales.groups[1].conversion, 100.0);
    }
}
