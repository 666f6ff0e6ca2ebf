//! Leads and pipeline: lead status and purchase timing as the sales team writes them, the funnel,
//! and conversion by source, channel and salesperson.
//!
//! Definitions (docs/analyses.md): a lead is a customer with a lead status or purchase timing.
//!
//! A status, in Chinese or English, is the class of the first word of `STATUS_WORDS` it contains:
//! 确定/签约/成交/qualified/won/closed → qualified, 热衷/热/强烈/hot → hot, 兴趣/意向/interest →
//! interested, 观望/考虑/hold/wait → on hold, 停止/放弃/无意/inactive/stop/dead/lost → inactive,
//! else other ("won't" is inactive, not "won"). A word is negated when a negation (不 无 没 未 非
//! 待 无法 不能 难以, not, no, non, un-, dis-, never, n't) comes right before it, perhaps with a softener between (不太感兴趣, 没有什么意向, not really
//! interested). A negated interest is inactive (无意向, 没兴趣, 不感兴趣, not interested), as are
//! 不考虑, unqualified, 不买 and "closed lost"; an uncertain status is on hold (不确定, 未确定,
//! 待确定, 无法确定, uncertain, not sure), never qualified; any other negated word says nothing (未成交, 不热衷 are
//! other unless another word follows).
//!
//! A timing is the letter (A, b类, "C 以后") or, written as a number of months (1个月, 两三个月,
//! 11个月后, 十一个月), A for at most one month, B for two or three, C beyond ("more than": 以上,
//! 一个多月, one month more); else a period in words: 一个月内/本月/within a month A, 2–3 B,
//! 以后/将来/半年/一年/不确定/later/eventually C.
//!
//! The funnel counts leads, then those at least interested (interested, hot or qualified), at
//! least hot, qualified, and those who bought. Conversion = leads who bought ÷ leads, in percent,
//! overall and per source, channel and salesperson. Each distinct status and timing text is read
//! once.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::clean_label;
use crate::facts::Field;
use crate::facts::NO_TEXT;
use crate::facts::{Fact, Facts};
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

    /// Reads a status as typed: the first word of `STATUS_WORDS` found, read as negated when a
    /// negation comes before it.
    pub fn parse(text: &str) -> Status {
        let t = clean_label(text).trim().to_lowercase();
        for &(word, class, negated) in &STATUS_WORDS {
            for (i, _) in t.match_indices(word) {
                match (t.get(..i).is_some_and(is_negated), negated) {
                    (false, _) => return class,
                    (true, Some(class)) => return class,
                    (true, None) => {}
                }
            }
        }
        Status::Other
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

use Status::{Hot, Inactive, Interested, OnHold, Qualified};

/// A status's words in the order they are tried: the class a word names, and the class it names
/// when negated (不确定, 无意向, not interested), or `None` to pass a negated word over (未成交,
/// not hot).
const STATUS_WORDS: [(&str, Status, Option<Status>); 32] = [
    ("不买", Inactive, None),
    // Before "won", which it contains.
    ("won't", Inactive, None),
    ("won’t", Inactive, None),
    ("不购买", Inactive, None),
    ("lost", Inactive, None),
    ("确定", Qualified, Some(OnHold)),
    ("签约", Qualified, None),
    ("成交", Qualified, None),
    ("qualified", Qualified, Some(Inactive)),
    ("won", Qualified, None),
    ("closed", Qualified, None),
    ("热衷", Hot, None),
    ("热", Hot, None),
    ("hot", Hot, None),
    ("强烈", Hot, None),
    ("兴趣", Interested, Some(Inactive)),
    ("意向", Interested, Some(Inactive)),
    ("interest", Interested, Some(Inactive)),
    ("观望", OnHold, None),
    ("考虑", OnHold, Some(Inactive)),
    ("hold", OnHold, None),
    ("wait", OnHold, None),
    ("uncertain", OnHold, None),
    ("unsure", OnHold, None),
    ("not sure", OnHold, None),
    ("undecided", OnHold, None),
    ("停止", Inactive, None),
    ("放弃", Inactive, None),
    ("无意", Inactive, None),
    ("inactive", Inactive, None),
    ("stop", Inactive, None),
    ("dead", Inactive, None),
];

/// Negations, and the words that may stand between one and the word it negates (不太感兴趣,
/// 没有什么意向, not really interested, no longer interested). An English negation starts a word.
const NEGATIONS: [&str; 16] = [
    "不", "无", "没", "未", "非", "待", "无法", "不能", "难以", "not", "no", "non", "un", "dis",
    "never", "n't",
];
const BETWEEN: [&str; 20] = [
    " ", "-", "有", "太", "很", "大", "是", "感", "再", "什么", "任何", "怎么", "那么", "一点",
    "really", "very", "so", "that", "yet", "longer",
];

/// Whether the text before a word ends in a negation.
fn is_negated(before: &str) -> bool {
    let mut b = before;
    while let Some(rest) = BETWEEN.iter().find_map(|w| b.strip_suffix(w)) {
        b = rest;
    }
    NEGATIONS.iter().any(|n| {
        b.strip_suffix(n).is_some_and(|rest| {
            !n.bytes().all(|c| c.is_ascii_alphabetic())
                || !rest.ends_with(|c: char| c.is_ascii_alphabetic())
        })
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Timing {
    A,
    B,
    C,
}

impl Timing {
    /// Reads a purchase timing as typed: a number of months written, else the letter, else the
    /// period in words.
    pub fn parse(text: &str) -> Option<Timing> {
        let t = clean_label(text).trim().to_lowercase();
        if let Some(m) = months(&t) {
            let more = u32::from(t.contains("以上") || t.contains("多"));
            return Some(match m.saturating_add(more) {
                0..=1 => Timing::A,
                2..=3 => Timing::B,
                _ => Timing::C,
            });
        }
        let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
        let letter = |c: &str| {
            t.strip_prefix(c)
                .is_some_and(|r| r.is_empty() || r.starts_with([' ', '类']))
        };
        if letter("a") || has(&["本月", "within a month", "one month"]) {
            Some(Timing::A)
        } else if letter("b") || has(&["2-3", "2–3", "二到三", "2~3"]) {
            Some(Timing::B)
        } else if letter("c")
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

/// The number of months written before 个月 (11个月后, 十一个月, 两三个月: the last numeral of a
/// range), in digits or Chinese numerals.
fn months(t: &str) -> Option<u32> {
    let at = t.find("个月").or_else(|| t.find("个多月"))?;
    let before = t.get(..at)?;
    let digit = |c: char| match c {
        '两' => Some(2),
        _ => "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|d| d as u32),
    };
    let ascii = before.trim_end_matches(|c: char| c.is_ascii_digit());
    if ascii.len() < before.len() {
        // 1.5个月 is not 5 months: a decimal is left to the words.
        return before
            .get(ascii.len()..)?
            .parse()
            .ok()
            .filter(|_| !ascii.ends_with('.'));
    }
    let run = before.trim_end_matches(|c: char| c == '十' || digit(c).is_some());
    let run = before.get(run.len()..)?;
    match run.split_once('十') {
        // 十一 11, 二十 20, 十 10.
        Some((tens, ones)) => {
            let last = |s: &str| s.chars().next_back().and_then(digit);
            Some(10 * last(tens).unwrap_or(1) + last(ones).unwrap_or(0))
        }
        // 两三个月: a range's last numeral.
        None => run.chars().next_back().and_then(digit),
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
    // Each distinct text is read once: the columns repeat their values.
    let statuses_of: Vec<Status> = status_dim
        .map(|d| d.labels.iter().map(|l| Status::parse(l)).collect())
        .unwrap_or_default();
    let timings_of: Vec<Option<Timing>> = timing_dim
        .map(|d| d.labels.iter().map(|l| Timing::parse(l)).collect())
        .unwrap_or_default();
    let value = |d: Option<&crate::facts::Dim>, i: usize| -> Option<usize> {
        let v = *d?.values.get(i)?;
        (v != NO_TEXT).then_some(v as usize)
    };
    let n = facts.customers.len();
    let mut status: Vec<Option<Status>> = Vec::with_capacity(n);
    let mut timing: Vec<Option<Timing>> = Vec::with_capacity(n);
    let mut is_lead = Vec::with_capacity(n);
    for i in 0..n {
        let s = value(status_dim, i).and_then(|v| statuses_of.get(v).copied());
        let t = value(timing_dim, i).and_then(|v| timings_of.get(v));
        is_lead.push(s.is_some() || t.is_some());
        status.push(s);
        timing.push(t.copied().flatten());
    }
    let bought: Vec<bool> = facts.customers.iter().map(Fact::is_buyer).collect();
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

    /// Statuses as typed → class, hand-checked against the module's definition.
    #[test]
    fn statuses_read_with_their_negations() {
        use Status::Other;
        let table = [
            ("确定购买", Qualified),
            ("已签约", Qualified),
            ("已成交", Qualified),
            ("Qualified", Qualified),
            ("Closed won", Qualified),
            ("热衷", Hot),
            ("Hot", Hot),
            ("意向强烈", Hot),
            ("有兴趣", Interested),
            ("感兴趣", Interested),
            ("很有兴趣", Interested),
            ("非常感兴趣", Interested),
            ("不错，有兴趣", Interested),
            ("有意向", Interested),
            ("意向客户", Interested),
            ("Interested", Interested),
            ("观望", OnHold),
            ("考虑中", OnHold),
            ("On hold", OnHold),
            ("停止跟进", Inactive),
            ("放弃", Inactive),
            ("Inactive", Inactive),
            ("待定", Other),
            ("", Other),
            // Negated: uncertain is not qualified, a negated interest is inactive.
            ("不确定", OnHold),
            ("还不确定", OnHold),
            ("未确定", OnHold),
            ("待确定", OnHold),
            ("无法确定", OnHold),
            ("不能确定", OnHold),
            ("Won't buy", Inactive),
            ("不太确定", OnHold),
            ("确定不买", Inactive),
            ("无意向", Inactive),
            ("暂无意向", Inactive),
            ("没有意向", Inactive),
            ("非意向客户", Inactive),
            ("没兴趣", Inactive),
            ("没有兴趣", Inactive),
            ("不感兴趣", Inactive),
            ("不太感兴趣", Inactive),
            ("对产品不感兴趣", Inactive),
            ("不考虑", Inactive),
            ("未成交", Other),
            ("未成交，有意向", Interested),
            ("不热衷", Other),
            ("Not interested", Inactive),
            ("not really interested", Inactive),
            ("No interest", Inactive),
            ("no longer interested", Inactive),
            ("Uninterested", Inactive),
            ("disinterested", Inactive),
            ("Unqualified", Inactive),
            ("non-qualified", Inactive),
            ("Not qualified", Inactive),
            ("Uncertain", OnHold),
            ("not sure", OnHold),
            ("Closed lost", Inactive),
        ];
        for (text, class) in table {
            assert_eq!(Status::parse(text), class, "{text}");
        }
    }

    /// Timings as typed → class (months written: A at most 1, B 2–3, C beyond), hand-checked.
    #[test]
    fn timings_read_from_the_months_written() {
        use Timing::{A, B, C};
        let table = [
            ("A", Some(A)),
            ("a类", Some(A)),
            ("A 一个月内", Some(A)),
            ("B", Some(B)),
            ("C类", Some(C)),
            ("C 以后", Some(C)),
            ("一个月内", Some(A)),
            ("1个月", Some(A)),
            ("本月", Some(A)),
            ("within a month", Some(A)),
            ("2-3个月", Some(B)),
            ("2–3个月", Some(B)),
            ("两三个月", Some(B)),
            ("三个月", Some(B)),
            ("两个月", Some(B)),
            ("一个多月", Some(B)),
            ("1个月以上", Some(B)),
            ("11个月后", Some(C)),
            // The largest count written does not wrap around to 0 months.
            ("4294967295个月以上", Some(C)),
            ("十一个月", Some(C)),
            ("二十个月", Some(C)),
            ("12个月", Some(C)),
            ("1.5个月", None),
            ("3个月以上", Some(C)),
            ("半年", Some(C)),
            ("一年", Some(C)),
            ("以后再说", Some(C)),
            ("不确定", Some(C)),
            ("eventually", Some(C)),
            ("", None),
            ("待定", None),
            ("5月", None),
        ];
        for (text, class) in table {
            assert_eq!(Timing::parse(text), class, "{text}");
        }
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
