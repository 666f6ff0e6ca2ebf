//! Recognising a header: the text reduced to comparable words, units (万元) and years
//! (2024年销售额) read off, and every field whose spellings it matches, with a confidence.

use super::dictionary::DICTIONARY;
use super::field::{Field, FieldKind};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// Confidence of an exact match on a specific spelling.
pub(super) const EXACT: f32 = 1.0;
/// Confidence of an exact match on a generic spelling (金额, 日期, name …).
pub(super) const GENERIC: f32 = 0.8;
/// Confidence of a specific spelling that is the last part of a "parent child" header.
pub(super) const CHILD: f32 = 0.95;
/// Factor for a header that also carries a bracketed note (客户名称（全称）).
pub(super) const ANNOTATED: f32 = 0.9;
/// Contains-match: `CONTAINS_BASE + CONTAINS_SPAN × coverage`, plus [`SUFFIX_BONUS`] when the
/// spelling ends the header (Chinese headers put the head noun last: 客户电话 is a phone).
pub(super) const CONTAINS_BASE: f32 = 0.55;
pub(super) const CONTAINS_SPAN: f32 = 0.35;
pub(super) const SUFFIX_BONUS: f32 = 0.05;
/// Confidence of a field read off a header's words ([`composed`]).
pub(super) const COMPOSED: f32 = 0.82;
/// Weakest match reported at all.
pub(super) const MIN_CONFIDENCE: f32 = 0.6;
/// Two fields whose confidences differ by less than this make a header ambiguous.
pub(super) const NEAR_TIE: f32 = 0.06;

/// Words that turn a measure into something else (a rate, a share, a target): a header holding
/// one is matched only exactly, never by containing a field's spelling (毛利率 is not 毛利).
pub(super) const NOT_A_MEASURE_ZH: &[&str] = &[
    "率", "占比", "比例", "比重", "同比", "环比", "增长", "增幅", "排名", "排行", "目标", "预算",
    "计划", "预计", "预测", "任务", "指标",
];
pub(super) const NOT_A_MEASURE_EN: &[&str] = &[
    "rate", "ratio", "pct", "percent", "share", "growth", "rank", "target", "budget", "plan",
    "forecast", "quota", "yoy", "mom",
];

pub(super) struct Dictionary {
    pub(super) exact: FxHashMap<String, Vec<(Field, bool)>>,
    /// Specific spellings, for contains-matching.
    pub(super) contained: Vec<(String, Field)>,
    /// Indexes into `contained` by the spelling's first character: a header is scanned once
    /// instead of once per spelling.
    pub(super) by_first: FxHashMap<char, Vec<usize>>,
}

pub(super) fn dictionary() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut exact: FxHashMap<String, Vec<(Field, bool)>> = FxHashMap::default();
        let mut contained = Vec::new();
        for entry in DICTIONARY {
            let spellings = entry.specific.iter().map(|s| (s, false));
            for (spelling, generic) in spellings.chain(entry.generic.iter().map(|s| (s, true))) {
                let key = compact(spelling).text;
                let fields = exact.entry(key.clone()).or_default();
                if !fields.iter().any(|(f, _)| *f == entry.field) {
                    fields.push((entry.field, generic));
                }
                if !generic {
                    contained.push((key, entry.field));
                }
            }
        }
        let mut by_first: FxHashMap<char, Vec<usize>> = FxHashMap::default();
        for (i, (spelling, _)) in contained.iter().enumerate() {
            if let Some(c) = spelling.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        Dictionary {
            exact,
            contained,
            by_first,
        }
    })
}

/// Text reduced to lowercase letters and digits, remembering where words met (a removed space or
/// punctuation, a change between Latin letters, digits and Chinese, a camelCase hump), so Latin
/// spellings match whole words only (`age` is not in `manager`).
pub(super) struct Compact {
    pub(super) text: String,
    /// Byte offsets in `text` where a word starts or ends, ascending; always holds 0 and the end.
    pub(super) bounds: Vec<usize>,
}

impl Compact {
    fn is_bound(&self, at: usize) -> bool {
        self.bounds.binary_search(&at).is_ok()
    }

    fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        self.bounds.retain(|&b| b < len);
        self.bounds.push(len);
    }
}

pub(super) fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\t' | '\n' | '\r' => ' ',
        '【' | '〔' | '〖' => '[',
        '】' | '〕' | '〗' => ']',
        '￥' => '¥',
        '﹪' => '%',
        _ => c,
    }
}

pub(super) fn compact(s: &str) -> Compact {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Latin,
        Digit,
        Other,
    }
    let mut text = String::with_capacity(s.len());
    let mut bounds = vec![0];
    let mut prev: Option<(Class, bool)> = None;
    let mut gap = false;
    for c in s.chars().map(fold) {
        if !c.is_alphanumeric() {
            gap = true;
            continue;
        }
        let class = if c.is_ascii_alphabetic() {
            Class::Latin
        } else if c.is_ascii_digit() {
            Class::Digit
        } else {
            Class::Other
        };
        let upper = c.is_uppercase();
        if let Some((prev_class, prev_upper)) = prev {
            let hump = class == Class::Latin && upper && !prev_upper;
            if gap || class != prev_class || hump {
                bounds.push(text.len());
            }
        }
        text.extend(c.to_lowercase());
        prev = Some((class, upper));
        gap = false;
    }
    if bounds.last() != Some(&text.len()) {
        bounds.push(text.len());
    }
    Compact { text, bounds }
}

/// A header taken apart: the words that name the field and what else the header says.
pub(super) struct Parsed {
    pub(super) core: Compact,
    /// The whitespace-separated parts of `core`, compacted ("parent child" headers).
    pub(super) parts: Vec<String>,
    pub(super) year: Option<i32>,
    /// The multiplier a unit in the header implies for numeric values (万元 → 10000).
    pub(super) unit: Option<f64>,
    /// The header carried a bracketed note that is neither a unit nor a year (（全称）).
    pub(super) annotated: bool,
}

/// Bracketed notes that say nothing about the field and cost no confidence.
pub(super) const NOISE: &[&str] = &["必填", "选填", "可选", "必选", "required", "optional", "*"];

pub(super) fn money_unit(t: &str) -> Option<f64> {
    let t = t.split('/').next().unwrap_or(t).trim();
    Some(match t {
        "元" | "人民币" | "rmb" | "cny" | "¥" | "人民币元" | "元人民币" | "yuan" => {
            1.0
        }
        "万元" | "万" | "w" | "万人民币" | "人民币万元" | "rmb万" | "万rmb" | "万元人民币" => {
            1e4
        }
        "千元" | "千" | "k" | "k元" | "krmb" => 1e3,
        "百万" | "百万元" | "million" | "mn" => 1e6,
        "亿" | "亿元" => 1e8,
        "%" | "百分比" | "pct" | "percent" => 0.01,
        _ => return None,
    })
}

pub(super) fn other_unit(t: &str) -> bool {
    matches!(
        t,
        "天" | "日"
            | "个"
            | "件"
            | "次"
            | "岁"
            | "人"
            | "台"
            | "套"
            | "箱"
            | "个月"
            | "月"
            | "年"
            | "分"
            | "kg"
            | "公斤"
            | "吨"
            | "份"
            | "瓶"
            | "盒"
            | "单"
            | "笔"
            | "家"
            | "名"
            | "位"
            | "张"
            | "支"
            | "条"
            | "包"
            | "袋"
            | "米"
            | "平方米"
            | "㎡"
            | "days"
            | "day"
            | "pcs"
            | "usd"
            | "$"
            | "美元"
            | "小时"
            | "分钟"
            | "0-10"
            | "1-5"
            | "1-10"
            | "0-100"
    )
}

/// Finds the first year in `s` (2024, 2024年, 2024年度, FY2024, 24年) and returns it with `s`
/// minus the year.
pub(super) fn extract_year(s: &str) -> (Option<i32>, String) {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let value: i32 = digits.parse().unwrap_or(0);
        let fy_before = start >= 2
            && chars[start - 2].eq_ignore_ascii_case(&'f')
            && chars[start - 1].eq_ignore_ascii_case(&'y');
        let nian_after = chars.get(i) == Some(&'年');
        let year = match digits.len() {
            4 if (1990..=2099).contains(&value) => Some(value),
            2 if (fy_before || nian_after) && (10..=49).contains(&value) => Some(2000 + value),
            _ => None,
        };
        let Some(year) = year else { continue };
        let from = if fy_before { start - 2 } else { start };
        let rest: String = chars[i..].iter().collect();
        let rest = ["年度", "年份", "财年", "年"]
            .iter()
            .find_map(|suffix| rest.strip_prefix(suffix))
            .unwrap_or(&rest);
        let head: String = chars[..from].iter().collect();
        return (Some(year), format!("{head} {rest}"));
    }
    (None, s.to_string())
}

pub(super) fn year_only(t: &str) -> Option<i32> {
    match extract_year(t) {
        (Some(year), rest) if compact(&rest).text.is_empty() => Some(year),
        _ => None,
    }
}

pub(super) fn parse(header: &str) -> Parsed {
    let folded: String = header.chars().map(fold).collect();
    let mut outside = String::with_capacity(folded.len());
    let mut notes: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in folded.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                if depth > 1 {
                    current.push(' ');
                }
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    notes.push(std::mem::take(&mut current));
                    outside.push(' ');
                }
            }
            _ if depth > 0 => current.push(c),
            _ => outside.push(c),
        }
    }
    if depth > 0 {
        outside.push(' ');
        outside.push_str(&current);
    }

    let mut unit = None;
    let mut bracket_year = None;
    let mut annotation: Option<String> = None;
    for note in &notes {
        let lower = note.trim().to_lowercase();
        let t = lower
            .strip_prefix("单位")
            .or_else(|| lower.strip_prefix("unit"))
            .unwrap_or(&lower)
            .trim_start_matches([':', ' '])
            .trim();
        if t.is_empty() || NOISE.contains(&t) {
            continue;
        }
        if let Some(year) = year_only(t) {
            bracket_year = Some(year);
        } else if let Some(scale) = money_unit(t) {
            unit = Some(scale);
        } else if !other_unit(t) {
            annotation = Some(note.clone());
        }
    }

    if outside.contains('%') {
        unit = unit.or(Some(0.01));
    }
    let trimmed = outside.trim_end();
    if let Some(cut) = trimmed.rfind([' ', '/', '_', '-', '|']) {
        let (head, tail) = (&trimmed[..cut], trimmed[cut + 1..].to_lowercase());
        if let Some(scale) = money_unit(tail.trim()) {
            if head.chars().any(char::is_alphanumeric) {
                unit = unit.or(Some(scale));
                outside = head.to_string();
            }
        }
    }

    let (year, rest) = extract_year(&outside);
    let mut core = compact(&rest);
    let mut parts: Vec<String> = rest
        .split_whitespace()
        .map(|p| compact(p).text)
        .filter(|p| !p.is_empty())
        .collect();
    for (suffix, scale) in [("百万元", 1e6), ("万元", 1e4), ("千元", 1e3), ("亿元", 1e8)] {
        if core.text.len() > suffix.len() && core.text.ends_with(suffix) {
            core.truncate(core.text.len() - suffix.len());
            unit = unit.or(Some(scale));
            if let Some(last) = parts.last_mut() {
                if let Some(stripped) = last.strip_suffix(suffix) {
                    *last = stripped.to_string();
                }
            }
            break;
        }
    }
    if core.text.is_empty() {
        if let Some(note) = &annotation {
            core = compact(note);
            parts = vec![core.text.clone()];
        }
    }
    Parsed {
        core,
        parts,
        year: year.or(bracket_year),
        unit,
        annotated: annotation.is_some(),
    }
}

pub(super) fn blocked(core: &Compact) -> bool {
    NOT_A_MEASURE_ZH.iter().any(|m| core.text.contains(m))
        || NOT_A_MEASURE_EN.iter().any(|m| {
            core.text
                .match_indices(m)
                .any(|(at, _)| core.is_bound(at) && core.is_bound(at + m.len()))
        })
}

pub(super) fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// Candidate fields for a parsed header with their confidences, best first.
pub(super) fn candidates(p: &Parsed) -> Vec<(Field, f32)> {
    let dict = dictionary();
    let factor = if p.annotated { ANNOTATED } else { 1.0 };
    let exact = |key: &str| -> Option<Vec<(Field, f32)>> {
        dict.exact.get(key).map(|hits| {
            hits.iter()
                .map(|&(f, generic)| (f, round3(if generic { GENERIC } else { EXACT } * factor)))
                .collect()
        })
    };
    if p.core.text.is_empty() {
        return Vec::new();
    }
    if let Some(hits) = exact(&p.core.text) {
        return hits;
    }
    if let Some(rest) = p.core.text.strip_suffix('元').filter(|r| !r.is_empty()) {
        if let Some(hits) = exact(rest) {
            return hits;
        }
    }
    if blocked(&p.core) {
        return Vec::new();
    }

    let mut best: Vec<(Field, f32)> = Vec::new();
    let mut offer = |field: Field, confidence: f32| {
        let confidence = round3(confidence * factor);
        match best.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = slot.1.max(confidence),
            None => best.push((field, confidence)),
        }
    };
    if p.parts.len() >= 2 {
        if let Some(hits) = p.parts.last().and_then(|last| dict.exact.get(last)) {
            for &(field, generic) in hits {
                if !generic {
                    offer(field, CHILD);
                }
            }
        }
    }

    let core = &p.core;
    let n = core.text.chars().count() as f32;
    let mut spans: Vec<(usize, usize, Field)> = Vec::new();
    for (at, k) in contained_matches(dict, &core.text) {
        let Some((spelling, field)) = dict.contained.get(k) else {
            continue;
        };
        let end = at + spelling.len();
        if spelling.is_ascii() && !(core.is_bound(at) && core.is_bound(end)) {
            continue;
        }
        spans.push((at, end, *field));
    }
    for &(start, end, field) in &spans {
        let inside_longer = spans
            .iter()
            .any(|&(s, e, _)| s <= start && end <= e && e - s > end - start);
        if inside_longer {
            continue;
        }
        let coverage = core.text[start..end].chars().count() as f32 / n;
        let suffix = if end == core.text.len() {
            SUFFIX_BONUS
        } else {
            0.0
        };
        offer(field, CONTAINS_BASE + CONTAINS_SPAN * coverage + suffix);
    }
    if let Some(field) = composed(core) {
        offer(field, COMPOSED);
    }
    if has_word(core, SHIPPING) {
        best.retain(|&(f, _)| f != Field::OrderId);
    }
    for slot in &mut best {
        if slot.0 == Field::OrderDate {
            slot.0 = order_date_variant(core);
        }
    }
    best.retain(|&(_, c)| c >= MIN_CONFIDENCE);
    crate::sort::by(&mut best, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    best
}

/// Where each contained spelling occurs in `text`: (byte offset, index into `contained`), each
/// spelling's matches not overlapping one another, as `match_indices` finds them.
pub(super) fn contained_matches(dict: &Dictionary, text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // The end of each spelling's last match, by spelling.
    let mut last_end: Vec<(usize, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        for &k in dict.by_first.get(&c).map_or(&[][..], Vec::as_slice) {
            let Some((spelling, _)) = dict.contained.get(k) else {
                continue;
            };
            if !text[at..].starts_with(spelling.as_str())
                || last_end.iter().any(|&(j, e)| j == k && at < e)
            {
                continue;
            }
            last_end.retain(|&(j, _)| j != k);
            last_end.push((k, at + spelling.len()));
            out.push((at, k));
        }
    }
    out
}

/// A contained order-date spelling qualified by 最近/首次 … (最近一次下单时间) dates the last or
/// the first order.
/// Whether `core` holds one of `words`; a Latin word only as a whole word.
pub(super) fn has_word(core: &Compact, words: &[&str]) -> bool {
    words.iter().any(|w| {
        core.text
            .match_indices(w)
            .any(|(at, _)| !w.is_ascii() || (core.is_bound(at) && core.is_bound(at + w.len())))
    })
}

/// Who buys: a header naming one of these and a key or a name is the customer.
const WHO: &[&str] = &[
    "客户",
    "顾客",
    "买家",
    "买方",
    "会员",
    "用户",
    "消费者",
    "购买人",
    "购买者",
    "customer",
    "client",
    "buyer",
    "member",
    "cust",
    "shopper",
];
const KEY: &[&str] = &[
    "id", "编号", "编码", "代码", "卡号", "号", "code", "no", "number", "num",
];
const NAME: &[&str] = &["名", "name"];
/// Contact details and payment accounts: a customer's, but not the customer.
const NOT_THE_CUSTOMER: &[&str] = &[
    "支付宝",
    "微信",
    "手机",
    "电话",
    "邮箱",
    "地址",
    "联系人",
    "alipay",
    "wechat",
    "phone",
    "mobile",
    "tel",
    "email",
    "address",
    "contact",
];
/// People on the seller's side: 客户经理姓名 is a salesperson.
pub(super) const STAFF: &[&str] = &[
    "经理",
    "销售员",
    "业务员",
    "员工",
    "负责人",
    "跟进人",
    "岗位",
    "职位",
    "主管",
    "manager",
    "rep",
    "staff",
    "employee",
    "owner",
    "agent",
    "worker",
];
/// A moment: with a buying word, the order date.
const WHEN: &[&str] = &["时间", "日期", "date", "time", "dt"];
const BUYING: &[&str] = &[
    "下单",
    "付款",
    "支付",
    "购买",
    "购药",
    "消费",
    "销售",
    "交易",
    "成交",
    "订单",
    "订购",
    "收银",
    "invoice",
    "order",
    "purchase",
    "sale",
    "sales",
    "trans",
    "tran",
    "transaction",
    "payment",
    "paid",
    "checkout",
];
/// What happens after the sale: its dates are not the order's.
const AFTER_SALE: &[&str] = &[
    "发货", "收货", "签收", "到货", "关闭", "退款", "退货", "ship", "deliver", "delivery",
    "closed", "refund", "return",
];
const MONEY: &[&str] = &["金额", "amount", "amt"];
/// Parcels and their numbers: a 物流单号 is a tracking number, not an order id.
const SHIPPING: &[&str] = &["物流", "快递", "运单", "tracking", "shipment", "waybill"];

/// A field read off a header's words where no spelling says it whole: a buyer word with a key
/// or a name is the customer (买家会员名, 顾客ID, cust_no), a moment with a buying word is the
/// order date (订单付款时间, 购药时间, trans_date), money with a buying word is the amount
/// (tran_amount).
fn composed(core: &Compact) -> Option<Field> {
    let has = |words| has_word(core, words);
    if has(WHO) && !has(NOT_THE_CUSTOMER) && !has(STAFF) {
        if has(KEY) {
            return Some(Field::CustomerId);
        }
        if has(NAME) {
            return Some(Field::CustomerName);
        }
    }
    if has(BUYING) && !has(AFTER_SALE) {
        if has(WHEN) {
            return Some(Field::OrderDate);
        }
        if has(MONEY) {
            return Some(Field::Amount);
        }
    }
    None
}

pub(super) fn order_date_variant(core: &Compact) -> Field {
    let has = |words: &[&str]| has_word(core, words);
    if has(&["最近", "最后", "上次", "末次", "last", "latest", "recent"]) {
        Field::LastOrderDate
    } else if has(&["首次", "第一次", "首单", "first"]) {
        Field::FirstOrderDate
    } else {
        Field::OrderDate
    }
}

pub(super) fn scale_for(field: Field, unit: Option<f64>) -> f64 {
    match field.kind() {
        FieldKind::Money | FieldKind::Number | FieldKind::Score => unit.unwrap_or(1.0),
        _ => 1.0,
    }
}

/// What one header text could mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMatch {
    pub field: Field,
    /// 0–1; see docs/mapping.md for how it is computed.
    pub confidence: f32,
    /// The year the header names (2024年销售额 → 2024).
    pub year: Option<i32>,
    /// Multiply a plain number in this column by `scale` to get the canonical unit: yuan for
    /// money (万元 → 10000, 千元 → 1000), a fraction for a percent unit (% → 0.01). Always 1.0
    /// for fields that are not numbers.
    pub scale: f64,
}

/// Best match for one header text, plus runner-ups for ambiguity: sorted by confidence, best
/// first, empty if nothing matches. Multi-row headers are passed combined as "parent child"
/// ("销售额（元） 2023年").
pub fn match_header(text: &str) -> Vec<FieldMatch> {
    let parsed = parse(text);
    candidates(&parsed)
        .into_iter()
        .map(|(field, confidence)| FieldMatch {
            field,
            confidence,
            year: parsed.year,
            scale: scale_for(field, parsed.unit),
        })
        .collect()
}
