//! Column mapping: which column of a sheet holds which canonical field.
//!
//! Every analysis reads canonical [`Field`]s (customer name, amount, order date …), never raw
//! header text, so this module owns the one place where the many spellings real spreadsheets use
//! (客户名称, 客户全称, 公司名称, Customer Name, 销售额（万元）, 2024年销售额 …) are recognised. It
//! also owns the units written into headers (万元 means values are ×10000), years that split one
//! measure over several columns, the user's overrides, and the score used to find the header row.
//! It never guesses silently: a header that could be two fields, or a second column claiming a
//! field already taken, is reported as [`Status::Ambiguous`] and left out until the user decides.
//!
//! docs/mapping.md describes the fields, the confidence rules and the override format.

use crate::error::{Error, Result};
pub use crate::table::cell_ref::column_letter;
use serde::Serialize;
use std::collections::BTreeMap;

mod dictionary;
mod field;
mod recognize;

#[cfg(test)]
use dictionary::DICTIONARY;
pub use field::{Field, FieldKind};
use recognize::*;
pub use recognize::{match_header, FieldMatch};

/// What an override assigns to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub enum Target {
    Field(Field),
    /// Leave the column out of every analysis.
    Ignore,
}

impl TryFrom<String> for Target {
    type Error = String;

    fn try_from(value: String) -> std::result::Result<Self, String> {
        let v = value.trim();
        if v.eq_ignore_ascii_case("ignore") || v == "忽略" {
            return Ok(Target::Ignore);
        }
        Field::from_key(v).map(Target::Field).ok_or_else(|| {
            let keys: Vec<&str> = Field::ALL.iter().map(Field::key).collect();
            format!(
                "unknown field \"{value}\"; valid: {}, ignore",
                keys.join(", ")
            )
        })
    }
}

impl From<Target> for String {
    fn from(t: Target) -> String {
        match t {
            Target::Field(f) => f.key().to_string(),
            Target::Ignore => "ignore".to_string(),
        }
    }
}

/// The user's corrections: a column, named by its header text or its letter ("C"), mapped to a
/// field key (or the field's Chinese label) or "ignore". JSON form:
/// `{"客户简称": "customer_name", "C": "amount", "备注": "ignore"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Overrides {
    pub columns: BTreeMap<String, Target>,
}

impl Overrides {
    pub fn from_json(s: &str) -> Result<Self> {
        const SHAPE: &str = r#"overrides must be a JSON object like {"客户简称": "customer_name", "C": "amount", "备注": "ignore"}"#;
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| Error::bad_option(format!("{SHAPE}: {e}")))?;
        let serde_json::Value::Object(object) = value else {
            return Err(Error::bad_option(SHAPE));
        };
        let mut columns = BTreeMap::new();
        for (column, target) in object {
            if column.trim().is_empty() {
                return Err(Error::bad_option(format!(
                    "{SHAPE}: a column name is empty"
                )));
            }
            let serde_json::Value::String(target) = target else {
                return Err(Error::bad_option(format!(
                    "override for \"{column}\" must be a string: a field key or \"ignore\""
                )));
            };
            let target = Target::try_from(target)
                .map_err(|e| Error::bad_option(format!("override for \"{column}\": {e}")))?;
            columns.insert(column, target);
        }
        Ok(Overrides { columns })
    }

    pub fn set(&mut self, column: impl Into<String>, target: Target) {
        self.columns.insert(column.into(), target);
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Override keys that name no column of `headers` (to warn the user of a typo).
    pub fn unmatched(&self, headers: &[String]) -> Vec<String> {
        let resolved = self.resolve(headers);
        self.columns
            .keys()
            .filter(|key| {
                !resolved
                    .iter()
                    .any(|r| r.as_ref().is_some_and(|(k, _)| k == *key))
            })
            .cloned()
            .collect()
    }

    /// For each column, the override key and target that apply to it. A key that equals some
    /// column's header text names those columns; otherwise a key like "C" names a column by its
    /// letter. A letter beats header text when both name the same column.
    fn resolve(&self, headers: &[String]) -> Vec<Option<(String, Target)>> {
        let compact_headers: Vec<String> = headers.iter().map(|h| compact(h).text).collect();
        let mut out: Vec<Option<(String, Target)>> = vec![None; headers.len()];
        let mut by_letter = Vec::new();
        for (key, &target) in &self.columns {
            let wanted = key.trim();
            let wanted_compact = compact(wanted).text;
            let mut named = false;
            for (i, header) in headers.iter().enumerate() {
                let same = header.trim() == wanted
                    || (!wanted_compact.is_empty() && compact_headers[i] == wanted_compact);
                if same {
                    named = true;
                    if out[i].is_none() {
                        out[i] = Some((key.clone(), target));
                    }
                }
            }
            if !named {
                by_letter.push((key, target));
            }
        }
        for (key, target) in by_letter {
            if let Some(i) = letter_index(key.trim()) {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some((key.clone(), target));
                }
            }
        }
        out
    }
}

/// "A" → 0, "Z" → 25, "AA" → 26 (case-insensitive, at most three letters).
fn letter_index(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let n = s.bytes().fold(0usize, |n, b| {
        n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1
    });
    Some(n - 1)
}

/// How a column's field was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Matched from the header text.
    Auto,
    /// Set by the user.
    Overridden,
    /// Could be more than one field, or its field is taken by a better column: not used until the
    /// user overrides it. `alternatives` lists the candidates.
    Ambiguous,
    /// Blank header, or the user said "ignore".
    Ignored,
    /// Matches no field: kept as an extra dimension to group by.
    Extra,
}

/// The decision for one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMapping {
    pub index: u32,
    pub letter: String,
    pub header: String,
    /// The field in effect: `Some` exactly when `status` is `Auto` or `Overridden`.
    pub field: Option<Field>,
    pub year: Option<i32>,
    /// See [`FieldMatch::scale`].
    pub scale: f64,
    /// 1.0 when overridden; the best candidate's confidence when ambiguous; 0 otherwise.
    pub confidence: f32,
    pub status: Status,
    /// For an ambiguous column, every candidate field, best first (the contested field included).
    pub alternatives: Vec<Field>,
}

/// The decisions for all columns of a sheet, in column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub columns: Vec<ColumnMapping>,
}

impl Mapping {
    /// The column holding `f` without a year. When the user overrode several columns to the same
    /// field, the leftmost.
    pub fn column_of(&self, f: Field) -> Option<u32> {
        self.columns
            .iter()
            .find(|c| c.field == Some(f) && c.year.is_none())
            .map(|c| c.index)
    }

    /// The columns holding `f` split by year (2023年销售额, 2024年销售额), as (year, column),
    /// sorted by year.
    pub fn year_columns(&self, f: Field) -> Vec<(i32, u32)> {
        let mut out: Vec<(i32, u32)> = self
            .columns
            .iter()
            .filter(|c| c.field == Some(f))
            .filter_map(|c| c.year.map(|y| (y, c.index)))
            .collect();
        crate::sort::by(&mut out, |a, b| a.cmp(b));
        out
    }
}

/// Maps a sheet's header columns. `headers[i]` is the combined header text of column i (empty
/// string for a blank header). Overrides are applied first and claim their fields; then each
/// field (per year) goes to its highest-confidence column, the leftmost on a tie, and every other
/// column that wanted it becomes [`Status::Ambiguous`]. A header whose two best fields are within
/// a near-tie is ambiguous on its own.
pub fn map_columns(headers: &[String], overrides: &Overrides) -> Mapping {
    let resolved = overrides.resolve(headers);
    let mut columns: Vec<ColumnMapping> = Vec::with_capacity(headers.len());
    let mut claimed: Vec<(Field, Option<i32>)> = Vec::new();
    let mut contenders: Vec<(usize, Vec<(Field, f32)>)> = Vec::new();

    for (i, header) in headers.iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let parsed = parse(header);
        let mut column = ColumnMapping {
            index,
            letter: column_letter(index),
            header: header.clone(),
            field: None,
            year: parsed.year,
            scale: 1.0,
            confidence: 0.0,
            status: Status::Extra,
            alternatives: Vec::new(),
        };
        match resolved.get(i).and_then(|r| r.as_ref()) {
            Some((_, Target::Ignore)) => column.status = Status::Ignored,
            Some((_, Target::Field(field))) => {
                column.field = Some(*field);
                column.scale = scale_for(*field, parsed.unit);
                column.confidence = 1.0;
                column.status = Status::Overridden;
                claimed.push((*field, parsed.year));
            }
            None if header.trim().is_empty() => column.status = Status::Ignored,
            None => {
                let found = candidates(&parsed);
                if let Some(&(best, confidence)) = found.first() {
                    column.scale = scale_for(best, parsed.unit);
                    column.confidence = confidence;
                    let tied = found
                        .get(1)
                        .is_some_and(|&(_, second)| confidence - second < NEAR_TIE);
                    if tied {
                        column.status = Status::Ambiguous;
                        column.alternatives = found.iter().map(|&(f, _)| f).collect();
                    } else {
                        contenders.push((i, found));
                    }
                }
            }
        }
        columns.push(column);
    }

    let cores: Vec<Compact> = headers.iter().map(|h| parse(h).core).collect();
    in_context(&mut contenders, &cores);
    // A field two columns claim goes to the one the trade prefers (the amount actually paid over
    // the list total), then to the more confident, then to the first.
    crate::sort::by(&mut contenders, |a, b| {
        let rank = |c: &(usize, Vec<(Field, f32)>)| preference(c.1[0].0, &cores[c.0]);
        rank(b)
            .cmp(&rank(a))
            .then(b.1[0].1.total_cmp(&a.1[0].1))
            .then(a.0.cmp(&b.0))
    });
    for (i, found) in contenders {
        let column = &mut columns[i];
        let best = found[0].0;
        let key = (best, column.year);
        if claimed.contains(&key) {
            column.status = Status::Ambiguous;
            column.alternatives = found.iter().map(|&(f, _)| f).collect();
        } else {
            claimed.push(key);
            column.field = Some(best);
            column.status = Status::Auto;
        }
    }
    Mapping { columns }
}

/// How much a row looks like a header row; the caller takes the best-scoring of the first rows.
/// Roughly the number of cells that read as known headers (each counts its match confidence),
/// plus a little for other short labels, minus a point for every cell that looks like data (a
/// number, a date) or like a note (注：…), half a point for a title (…明细表) or a long text,
/// Readings that depend on the other headers of the sheet. On an order list (it has an order
/// date or an order id) a bare 状态 / Status is the order's status, not a lead's. On a sheet of
/// staff (员工, 岗位, employee …) a bare 姓名 / Name is a person on staff, not a customer, unless
/// another column is the salesperson (销售员): then the sheet lists customers and their staff. Beside
/// the amount actually received (实收金额), 应收金额 is the price before discount, not money
/// owed, and is left out. On an order list a deal's stage is the order's status, a creation time
/// is when an order was placed (its date where there is no other, never a registration date), and
/// without an amount a "Total Cost" is the amount. Without a customer column, an e-mail column is
/// the customer's key.
fn in_context(contenders: &mut Vec<(usize, Vec<(Field, f32)>)>, cores: &[Compact]) {
    let core = |i: usize| cores.get(i).map_or("", |c| c.text.as_str());
    let best = |f: Field| contenders.iter().any(|c| c.1[0].0 == f);
    let orders = best(Field::OrderDate) || best(Field::OrderId);
    // A sheet that already has its salesperson column (销售员, 负责人) lists customers served by
    // staff: a bare 姓名 there is the customer's, as in a register of personal customers.
    let served = contenders
        .iter()
        .any(|c| c.1[0].0 == Field::Salesperson && !BARE_NAME.contains(&core(c.0)));
    let staff = !served && cores.iter().any(|c| has_word(c, STAFF));
    let received = contenders
        .iter()
        .any(|c| c.1[0].0 == Field::Amount && cores.get(c.0).is_some_and(|h| has_word(h, PAID)));
    contenders
        .retain(|c| !(received && c.1[0].0 == Field::Receivable && core(c.0).contains("应收")));
    for (i, found) in contenders.iter_mut() {
        let bare = core(*i);
        let first = &mut found[0].0;
        let deal = ["deal", "成交", "商机"].iter().any(|w| bare.contains(w));
        if orders && *first == Field::LeadStatus && (BARE_STATUS.contains(&bare) || deal) {
            *first = Field::OrderStatus;
        } else if staff && *first == Field::CustomerName && BARE_NAME.contains(&bare) {
            *first = Field::Salesperson;
        }
    }
    let is = |c: &(usize, Vec<(Field, f32)>), f: Field| c.1[0].0 == f;
    // On an order list a record's creation time (订单创建时间, an ERP's CREATEDAT, a web shop's
    // "Created at") is when an order was placed, never when the customer registered: the order
    // date where the list has no other, else left out. Matched inside the header's words, since
    // an ERP writes them run together.
    let dated = contenders.iter().any(|c| is(c, Field::OrderDate));
    if orders {
        let created = |c: &Compact| ["创建", "create"].iter().any(|w| c.text.contains(w));
        let placed = |c: &(usize, Vec<(Field, f32)>)| {
            is(c, Field::RegisteredDate) && cores.get(c.0).is_some_and(created)
        };
        if dated {
            contenders.retain(|c| !placed(c));
        } else if let Some(c) = contenders.iter_mut().find(|c| placed(c)) {
            c.1[0].0 = Field::OrderDate;
        }
    }
    // An order list without an amount whose money column is a "Total Cost" (a shop report's
    // name for what the order cost the buyer): that is the amount.
    let priced = contenders.iter().any(|c| is(c, Field::Amount));
    if orders && !priced {
        let total = |c: &Compact| ["total", "合计"].iter().any(|w| c.text.contains(w));
        if let Some(c) = contenders
            .iter_mut()
            .find(|c| is(c, Field::Cost) && cores.get(c.0).is_some_and(total))
        {
            c.1[0].0 = Field::Amount;
        }
    }
    // No customer column, but an e-mail address per row (a web shop's export): the address is
    // the customer's key.
    let customer = contenders
        .iter()
        .any(|c| is(c, Field::CustomerId) || is(c, Field::CustomerName));
    if !customer {
        if let Some(email) = contenders.iter_mut().find(|c| is(c, Field::Email)) {
            email.1[0].0 = Field::CustomerId;
        }
    }
}

const BARE_STATUS: &[&str] = &["状态", "status", "stage", "阶段"];
const BARE_NAME: &[&str] = &["姓名", "名称", "name"];

/// Which of two columns claiming a field the trade prefers (higher first): the amount actually
/// paid (实付, 实收, 实际支付, paid) over the plain amount over a list or gross total (总金额,
/// 应付, 总价, subtotal); a payment time (付款时间) over another order date, since an unpaid
/// order has none.
fn preference(field: Field, core: &Compact) -> u8 {
    match field {
        Field::Amount if has_word(core, PAID) => 2,
        Field::Amount if has_word(core, LIST_TOTAL) => 0,
        Field::OrderDate if has_word(core, &["付款", "支付", "paid", "payment"]) => 2,
        _ => 1,
    }
}

const PAID: &[&str] = &["实付", "实收", "实际支付", "实际付款", "paid", "net"];
const LIST_TOTAL: &[&str] = &[
    "总金额",
    "应付",
    "总价",
    "原价",
    "subtotal",
    "gross",
    "list",
];

/// and half a point when the row has a single filled cell (titles and notes usually do).
pub fn header_row_score(cells: &[&str]) -> f32 {
    let mut score = 0.0;
    let mut filled = 0;
    for cell in cells {
        let text: String = cell.trim().chars().map(fold).collect();
        if text.is_empty() {
            continue;
        }
        filled += 1;
        score += cell_score(&text);
    }
    if filled == 1 {
        score -= 0.5;
    }
    score
}

const TITLE_WORDS: &[&str] = &[
    "表", "明细", "汇总", "统计", "清单", "一览", "台账", "报告", "report", "summary",
];
const NOTE_PREFIXES: &[&str] = &[
    "注:", "注 ", "注：", "备注:", "说明:", "说明 ", "note:", "notes:", "单位:", "*注",
];

fn cell_score(text: &str) -> f32 {
    let lower = text.to_lowercase();
    if year_only(&lower).is_some() {
        return 0.1;
    }
    if looks_like_data(&lower) {
        return -1.0;
    }
    if NOTE_PREFIXES.iter().any(|p| lower.starts_with(p)) || lower.contains("单位为") {
        return -1.0;
    }
    let chars = lower.chars().count();
    if chars > 30 {
        return -0.5;
    }
    let best = match_header(text).first().map_or(0.0, |m| m.confidence);
    if best >= MIN_CONFIDENCE {
        return best;
    }
    if TITLE_WORDS.iter().any(|w| lower.contains(w)) || chars > 16 {
        return -0.5;
    }
    0.25
}

/// A number, a money amount, a percentage or a date/time: digits and their punctuation only.
fn looks_like_data(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    digits > 0
        && text.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    '.' | ','
                        | '-'
                        | '+'
                        | '/'
                        | ':'
                        | ' '
                        | '%'
                        | '¥'
                        | '$'
                        | '年'
                        | '月'
                        | '日'
                        | '时'
                        | '分'
                        | '秒'
                        | 't'
                        | 'e'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Field::*;

    proptest! {
        /// The one-pass scan finds what `match_indices` finds for every spelling, on text made
        /// of pieces of spellings (so matches overlap and repeat).
        #[test]
        fn contained_matches_are_match_indices(picks in prop::collection::vec((0usize..4000, 0usize..4, any::<bool>()), 0..8)) {
            let dict = dictionary();
            let mut text = String::new();
            for (i, cut, double) in picks {
                let spelling = &dict.contained[i % dict.contained.len()].0;
                let chars: Vec<char> = spelling.chars().collect();
                let piece: String = chars[chars.len().min(cut)..].iter().collect();
                text.push_str(&piece);
                if double {
                    text.push_str(&piece);
                }
            }
            let mut want: Vec<(usize, usize)> = Vec::new();
            for (k, (spelling, _)) in dict.contained.iter().enumerate() {
                want.extend(text.match_indices(spelling.as_str()).map(|(at, _)| (at, k)));
            }
            let mut got = contained_matches(dict, &text);
            want.sort_unstable();
            got.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }

    /// Spellings deliberately listed under two fields: 订单数量 is an order's item quantity in an
    /// order list and a customer's order count in a register, so a header using it is ambiguous.
    const SHARED_SPELLINGS: &[&str] = &["订单数量"];

    /// Header text → best field, year, scale.
    const HEADERS: &[(&str, Field, Option<i32>, f64)] = &[
        // Real exports' headers (tests/real/headers.txt): marketplace, point of sale, English.
        ("买家会员名", CustomerName, None, 1.0),
        ("买家实际支付金额", Amount, None, 1.0),
        ("订单付款时间", OrderDate, None, 1.0),
        ("订单创建时间", OrderDate, None, 1.0),
        ("宝贝标题", Product, None, 1.0),
        ("宝贝总数量", Quantity, None, 1.0),
        ("社保卡号", CustomerId, None, 1.0),
        ("购药时间", OrderDate, None, 1.0),
        ("顾客ID", CustomerId, None, 1.0),
        ("会员名", CustomerName, None, 1.0),
        ("Description", Product, None, 1.0),
        ("Country", Region, None, 1.0),
        ("Store Name", Channel, None, 1.0),
        ("PO Date", OrderDate, None, 1.0),
        ("trans_date", OrderDate, None, 1.0),
        ("tran_amount", Amount, None, 1.0),
        ("会员手机号", Phone, None, 1.0),
        ("客户名称", CustomerName, None, 1.0),
        ("客户名", CustomerName, None, 1.0),
        ("客户", CustomerName, None, 1.0),
        ("公司名称", CustomerName, None, 1.0),
        ("单位名称", CustomerName, None, 1.0),
        ("客户全称", CustomerName, None, 1.0),
        ("姓名", CustomerName, None, 1.0),
        ("名称", CustomerName, None, 1.0),
        ("Customer Name", CustomerName, None, 1.0),
        ("customer", CustomerName, None, 1.0),
        ("CLIENT", CustomerName, None, 1.0),
        ("Account Name", CustomerName, None, 1.0),
        ("CustomerName", CustomerName, None, 1.0),
        ("customer_name", CustomerName, None, 1.0),
        ("客户名称（全称）", CustomerName, None, 1.0),
        ("*客户名称(必填)", CustomerName, None, 1.0),
        ("客 户 名 称", CustomerName, None, 1.0),
        ("客户编号", CustomerId, None, 1.0),
        ("Customer ID", CustomerId, None, 1.0),
        ("会员卡号", CustomerId, None, 1.0),
        ("联系人", Contact, None, 1.0),
        ("联系电话", Phone, None, 1.0),
        ("手机号码", Phone, None, 1.0),
        ("客户联系电话", Phone, None, 1.0),
        ("Mobile", Phone, None, 1.0),
        ("Ｅｍａｉｌ", Email, None, 1.0),
        ("电子邮箱", Email, None, 1.0),
        ("所属区域", Region, None, 1.0),
        ("销售大区", Region, None, 1.0),
        ("Region", Region, None, 1.0),
        ("省份", Province, None, 1.0),
        ("城市", City, None, 1.0),
        ("详细地址", Address, None, 1.0),
        ("所属行业", Industry, None, 1.0),
        ("企业规模", CompanySize, None, 1.0),
        ("企业性质", Ownership, None, 1.0),
        ("客户来源", Source, None, 1.0),
        ("Lead Source", Source, None, 1.0),
        ("销售渠道", Channel, None, 1.0),
        ("业务员", Salesperson, None, 1.0),
        ("客户经理", Salesperson, None, 1.0),
        ("Sales Rep", Salesperson, None, 1.0),
        ("首次购买日期", FirstOrderDate, None, 1.0),
        ("订单编号", OrderId, None, 1.0),
        ("Order No.", OrderId, None, 1.0),
        ("订单日期", OrderDate, None, 1.0),
        ("下单时间", OrderDate, None, 1.0),
        ("日期", OrderDate, None, 1.0),
        ("Order Date", OrderDate, None, 1.0),
        ("ORDER_DATE", OrderDate, None, 1.0),
        ("产品名称", Product, None, 1.0),
        ("品名", Product, None, 1.0),
        ("产品类别", Category, None, 1.0),
        ("数量", Quantity, None, 1.0),
        ("数量（件）", Quantity, None, 1.0),
        ("Qty", Quantity, None, 1.0),
        ("单价（元）", UnitPrice, None, 1.0),
        ("单价(元/件)", UnitPrice, None, 1.0),
        ("Unit Price", UnitPrice, None, 1.0),
        ("销售额", Amount, None, 1.0),
        ("销售金额", Amount, None, 1.0),
        ("金额", Amount, None, 1.0),
        ("成交金额", Amount, None, 1.0),
        ("含税金额", Amount, None, 1.0),
        ("营业额", Amount, None, 1.0),
        ("收入", Amount, None, 1.0),
        ("Sales", Amount, None, 1.0),
        ("Revenue", Amount, None, 1.0),
        ("Order Value", Amount, None, 1.0),
        ("销售额（元）", Amount, None, 1.0),
        ("销售额(万元)", Amount, None, 10000.0),
        ("销售额【万元】", Amount, None, 10000.0),
        ("销售额（单位：万元）", Amount, None, 10000.0),
        ("金额/万元", Amount, None, 10000.0),
        ("销售额万元", Amount, None, 10000.0),
        ("金额（千元）", Amount, None, 1000.0),
        ("Amount (RMB)", Amount, None, 1.0),
        ("Amount - RMB", Amount, None, 1.0),
        ("2024年销售额", Amount, Some(2024), 1.0),
        ("2023年度销售额（万元）", Amount, Some(2023), 10000.0),
        ("销售额（元） 2023年", Amount, Some(2023), 1.0),
        ("销售额(万元) 2022", Amount, Some(2022), 10000.0),
        ("FY2024 Revenue", Amount, Some(2024), 1.0),
        ("24年销售额", Amount, Some(2024), 1.0),
        ("销售额(2023)", Amount, Some(2023), 1.0),
        ("累计销售额", Amount, None, 1.0),
        ("成本", Cost, None, 1.0),
        ("毛利", Profit, None, 1.0),
        ("退货金额", Returns, None, 1.0),
        ("应收账款", Receivable, None, 1.0),
        ("欠款（元）", Receivable, None, 1.0),
        ("账期（天）", PaymentDays, None, 1.0),
        ("Payment Terms", PaymentDays, None, 1.0),
        ("信用额度(万元)", CreditLimit, None, 10000.0),
        ("满意度", Satisfaction, None, 1.0),
        ("满意度（%）", Satisfaction, None, 0.01),
        ("满意度(分)", Satisfaction, None, 1.0),
        ("推荐意愿(0-10)", Nps, None, 1.0),
        ("NPS", Nps, None, 1.0),
        ("跟进状态", LeadStatus, None, 1.0),
        ("预计购买时间", PurchaseTiming, None, 1.0),
        ("投诉内容", Complaints, None, 1.0),
        ("好评", Praise, None, 1.0),
        ("意见建议", Suggestions, None, 1.0),
        ("性别", Gender, None, 1.0),
        ("年龄", Age, None, 1.0),
        ("年龄（岁）", Age, None, 1.0),
        ("出生日期", BirthDate, None, 1.0),
        ("月收入（元）", Income, None, 1.0),
        ("职业", Occupation, None, 1.0),
        ("学历", Education, None, 1.0),
        ("婚姻状况", MaritalStatus, None, 1.0),
        ("婚否", MaritalStatus, None, 1.0),
        ("Marital Status", MaritalStatus, None, 1.0),
        ("Married", MaritalStatus, None, 1.0),
        ("注册时间", RegisteredDate, None, 1.0),
        ("最近联系日期", LastContactDate, None, 1.0),
        ("购买次数", OrderCount, None, 1.0),
        ("最近购买日期", LastOrderDate, None, 1.0),
        ("Last Order Date", LastOrderDate, None, 1.0),
        ("客户信息 客户名称", CustomerName, None, 1.0),
        ("联系方式 手机", Phone, None, 1.0),
        ("Contact Phone", Phone, None, 1.0),
        ("最近一次下单时间", LastOrderDate, None, 1.0),
        ("首次签约日期", FirstOrderDate, None, 1.0),
        ("Latest Order Date", LastOrderDate, None, 1.0),
        ("Sales Rep Name", Salesperson, None, 1.0),
    ];

    #[test]
    fn headers_map_to_fields() {
        let mut failures = Vec::new();
        for &(header, field, year, scale) in HEADERS {
            let got = match_header(header);
            let ok = got
                .first()
                .is_some_and(|m| m.field == field && m.year == year && m.scale == scale);
            if !ok {
                failures.push(format!(
                    "{header:?}: want {field} {year:?} ×{scale}, got {got:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Header text → confidence of the best match.
    const CONFIDENCES: &[(&str, f32)] = &[
        ("客户名称", 1.0),
        ("金额", 0.8),
        ("日期", 0.8),
        ("客户名称（全称）", 0.9),
        ("金额（含税）", 0.72),
        ("销售额（元） 2023年", 1.0),
        ("客户信息 客户名称", 0.95),
        ("累计销售额", 0.81),
        ("公司电话", 0.775),
    ];

    #[test]
    fn confidences_follow_the_rules() {
        for &(header, want) in CONFIDENCES {
            let got = match_header(header);
            assert_eq!(
                got.first().map(|m| m.confidence),
                Some(want),
                "{header}: {got:?}"
            );
        }
    }

    /// Headers that name no field.
    const UNMATCHED: &[&str] = &[
        "",
        "   ",
        "备注",
        "序号",
        "2023年",
        "2023",
        "客户类型",
        "客户等级",
        "毛利率",
        "销售额占比",
        "目标销售额",
        "Sales Target",
        "Growth Rate",
        "Page Usage",
        "回款日期",
        "预计成交金额",
        "xyz",
        "（",
        "）)",
        "【】",
    ];

    #[test]
    fn unrelated_headers_match_nothing() {
        for header in UNMATCHED {
            let got = match_header(header);
            assert!(got.is_empty(), "{header:?}: {got:?}");
        }
    }

    /// Headers whose two best fields are within a near-tie.
    const AMBIGUOUS_HEADERS: &[(&str, &[Field])] = &[
        ("订单数量", &[Quantity, OrderCount]),
        ("退货数量", &[Quantity, Returns]),
    ];

    #[test]
    fn near_ties_are_ambiguous() {
        for &(header, fields) in AMBIGUOUS_HEADERS {
            let mapping = map_columns(&[header.to_string()], &Overrides::default());
            let column = &mapping.columns[0];
            assert_eq!(column.status, Status::Ambiguous, "{header}: {column:?}");
            assert_eq!(column.field, None);
            assert_eq!(column.alternatives, fields, "{header}");
        }
    }

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn summary(m: &Mapping) -> Vec<(Option<Field>, Status)> {
        m.columns.iter().map(|c| (c.field, c.status)).collect()
    }

    /// Header rows → (field, status) of each column.
    #[allow(clippy::type_complexity)]
    const SHEETS: &[(&[&str], &[(Option<Field>, Status)])] = &[
        (
            &["客户名称", "金额", "金额"],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(Amount), Status::Auto),
                (None, Status::Ambiguous),
            ],
        ),
        (
            &["日期", "订单日期", "金额"],
            &[
                (None, Status::Ambiguous),
                (Some(OrderDate), Status::Auto),
                (Some(Amount), Status::Auto),
            ],
        ),
        (
            &["金额", "销售额"],
            &[(None, Status::Ambiguous), (Some(Amount), Status::Auto)],
        ),
        (
            &["客户", "2023年销售额", "2024年销售额", "", "备注"],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(Amount), Status::Auto),
                (Some(Amount), Status::Auto),
                (None, Status::Ignored),
                (None, Status::Extra),
            ],
        ),
        (
            &[
                "客户名称",
                "销售额（元） 2023年",
                "销售额（元） 2024年",
                "销售额（元） 2024年",
            ],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(Amount), Status::Auto),
                (Some(Amount), Status::Auto),
                (None, Status::Ambiguous),
            ],
        ),
        (
            &["电话", "手机"],
            &[(Some(Phone), Status::Auto), (None, Status::Ambiguous)],
        ),
    ];

    #[test]
    fn each_field_goes_to_one_column() {
        for &(row, want) in SHEETS {
            let mapping = map_columns(&headers(row), &Overrides::default());
            assert_eq!(summary(&mapping), want, "{row:?}");
        }
    }

    #[test]
    fn duplicates_list_the_contested_field() {
        let mapping = map_columns(&headers(&["日期", "订单日期"]), &Overrides::default());
        assert_eq!(mapping.columns[0].alternatives, vec![OrderDate]);
        assert_eq!(mapping.columns[0].confidence, 0.8);
    }

    #[test]
    fn year_columns_and_column_of() {
        let row = headers(&[
            "客户名称",
            "2024年销售额",
            "销售额（万元） 2023年",
            "销售额",
        ]);
        let mapping = map_columns(&row, &Overrides::default());
        assert_eq!(mapping.year_columns(Amount), vec![(2023, 2), (2024, 1)]);
        assert_eq!(mapping.column_of(Amount), Some(3));
        assert_eq!(mapping.column_of(CustomerName), Some(0));
        assert_eq!(mapping.column_of(OrderDate), None);
        assert_eq!(mapping.columns[2].scale, 10000.0);
        assert_eq!(mapping.columns[2].letter, "C");
    }

    /// Override JSON, header row → (field, status) of each column.
    #[allow(clippy::type_complexity)]
    const OVERRIDES: &[(&str, &[&str], &[(Option<Field>, Status)])] = &[
        (
            r#"{"客户简称": "customer_name", "C": "amount", "备注": "ignore"}"#,
            &["客户简称", "销售额", "回款", "备注"],
            &[
                (Some(CustomerName), Status::Overridden),
                (None, Status::Ambiguous),
                (Some(Amount), Status::Overridden),
                (None, Status::Ignored),
            ],
        ),
        (
            r#"{"b": "order_date", "D": "ignore"}"#,
            &["客户", "日期2", "", ""],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(OrderDate), Status::Overridden),
                (None, Status::Ignored),
                (None, Status::Ignored),
            ],
        ),
        (
            r#"{"Ｃｌｉｅｎｔ": "客户名称", "金额": "忽略"}"#,
            &["client", "金额"],
            &[
                (Some(CustomerName), Status::Overridden),
                (None, Status::Ignored),
            ],
        ),
        (
            r#"{"A": "customer_id", "A ": "customer_name"}"#,
            &["A", "B"],
            &[
                (Some(CustomerId), Status::Overridden),
                (None, Status::Extra),
            ],
        ),
        (
            r#"{"金额": "amount", "A": "cost"}"#,
            &["金额", "金额"],
            &[
                (Some(Cost), Status::Overridden),
                (Some(Amount), Status::Overridden),
            ],
        ),
    ];

    #[test]
    fn overrides_win() {
        for &(json, row, want) in OVERRIDES {
            let overrides = Overrides::from_json(json).unwrap();
            let mapping = map_columns(&headers(row), &overrides);
            assert_eq!(summary(&mapping), want, "{json}");
        }
    }

    #[test]
    fn override_keeps_year_and_unit_of_the_header() {
        let overrides = Overrides::from_json(r#"{"B": "amount"}"#).unwrap();
        let mapping = map_columns(&headers(&["客户", "2024 营收（万元）"]), &overrides);
        let column = &mapping.columns[1];
        assert_eq!((column.year, column.scale), (Some(2024), 10000.0));
        assert_eq!(mapping.year_columns(Amount), vec![(2024, 1)]);
    }

    #[test]
    fn unmatched_override_keys_are_reported() {
        let overrides =
            Overrides::from_json(r#"{"客户简称": "customer_name", "ZZ": "amount"}"#).unwrap();
        assert_eq!(
            overrides.unmatched(&headers(&["客户简称", "金额"])),
            vec!["ZZ"]
        );
    }

    /// Override JSON → a piece of the error detail.
    const BAD_OVERRIDES: &[(&str, &str)] = &[
        (
            r#"{"C": "amout"}"#,
            r#"unknown field "amout"; valid: customer_id, customer_name"#,
        ),
        (r#"{"C": "amout"}"#, "currency, ignore"),
        (r#"{"C": 3}"#, "must be a string"),
        (r#"["C", "amount"]"#, "must be a JSON object"),
        (r#"{"C": "amount""#, "must be a JSON object"),
        (r#"{"": "amount"}"#, "column name is empty"),
        ("", "must be a JSON object"),
    ];

    #[test]
    fn bad_overrides_say_what_is_valid() {
        for &(json, want) in BAD_OVERRIDES {
            let err = Overrides::from_json(json).unwrap_err();
            assert_eq!(err.code(), "bad_option");
            let crate::ErrorKind::BadOption { detail } = err.kind() else {
                panic!("{err:?}");
            };
            assert!(detail.contains(want), "{json}: {detail}");
        }
    }

    #[test]
    fn overrides_round_trip_through_json() {
        let overrides = Overrides::from_json(r#"{"C": "amount", "备注": "ignore"}"#).unwrap();
        let json = serde_json::to_string(&overrides).unwrap();
        assert_eq!(json, r#"{"C":"amount","备注":"ignore"}"#);
        assert_eq!(Overrides::from_json(&json).unwrap(), overrides);
        assert!(Overrides::from_json(r#"{"C": "nope"}"#).is_err());
    }

    /// A real header row, then rows around it that must score lower: (row, must be negative).
    const HEADER_ROW: &[&str] = &["客户名称", "所属区域", "销售额（元）", "订单日期", "备注"];
    const NOT_HEADER_ROWS: &[(&[&str], bool)] = &[
        (&["2024年客户销售明细表", "", "", "", ""], true),
        (&["注：金额单位为元", "", "", "", ""], true),
        (&["单位：万元"], true),
        (
            &["张三贸易有限公司", "华东", "12,000.50", "2024-01-05", ""],
            true,
        ),
        (&["张三贸易有限公司", "华东", "", "", "老客户"], false),
        (&["", "", "", "", ""], false),
    ];

    #[test]
    fn header_row_scores_highest() {
        let header = header_row_score(HEADER_ROW);
        assert!(header >= 3.0, "{header}");
        for &(row, negative) in NOT_HEADER_ROWS {
            let score = header_row_score(row);
            assert!(score < header - 2.0, "{row:?}: {score} vs {header}");
            assert!(!negative || score < 0.0, "{row:?}: {score}");
        }
    }

    /// Header rows of real shapes that must beat the rows around them.
    const HEADER_ROWS: &[(&[&str], &[&str])] = &[
        (
            &["Customer", "Region", "Order Date", "Amount"],
            &["Acme Ltd", "East", "2024/1/5", "1200"],
        ),
        (
            &["姓名", "性别", "年龄", "手机号", "注册时间"],
            &["李四", "男", "35", "13800138000", "2023年5月1日"],
        ),
        (
            &["客户名称", "销售额（元）", "", ""],
            &["", "2023年", "2024年", "2025年"],
        ),
    ];

    #[test]
    fn header_rows_beat_their_neighbours() {
        for &(header, other) in HEADER_ROWS {
            let (h, o) = (header_row_score(header), header_row_score(other));
            assert!(h > o, "{header:?} {h} vs {other:?} {o}");
        }
    }

    /// Index → letter.
    const LETTERS: &[(u32, &str)] = &[
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16383, "XFD"),
    ];

    #[test]
    fn letters() {
        for &(index, letter) in LETTERS {
            assert_eq!(column_letter(index), letter);
            assert_eq!(letter_index(letter), Some(index as usize));
        }
        assert!(!column_letter(u32::MAX).is_empty());
    }

    #[test]
    fn field_keys_labels_and_serde_agree() {
        let mut keys: Vec<&str> = Field::ALL.iter().map(Field::key).collect();
        for f in Field::ALL {
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.key())
            );
            assert_eq!(Field::from_key(f.key()), Some(f));
            let back: Field = serde_json::from_str(&format!("\"{}\"", f.key())).unwrap();
            assert_eq!(back, f);
            assert_eq!(Field::from_key(f.label_zh()), Some(f));
            assert!(!f.label_en().is_empty());
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Field::ALL.len());
        let mut labels: Vec<&str> = Field::ALL.iter().map(Field::label_zh).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Field::ALL.len());
    }

    #[test]
    fn every_field_has_spellings_and_each_spelling_finds_its_field() {
        for f in Field::ALL {
            assert!(
                DICTIONARY.iter().any(|e| e.field == f),
                "{f} has no spellings"
            );
        }
        for entry in DICTIONARY {
            for spelling in entry.specific.iter().chain(entry.generic) {
                let got = match_header(spelling);
                assert!(
                    got.iter().any(|m| m.field == entry.field),
                    "{spelling:?} → {got:?}"
                );
                let shared = SHARED_SPELLINGS.contains(spelling);
                assert_eq!(
                    got.len() > 1,
                    shared,
                    "{spelling:?} is in two fields: {got:?}"
                );
            }
        }
    }

    #[test]
    fn docs_list_every_field() {
        let docs = include_str!("../../../docs/mapping.md");
        for f in Field::ALL {
            let row = format!("| `{}` | {} | {} |", f.key(), f.label_zh(), f.label_en());
            assert!(docs.contains(&row), "docs/mapping.md lacks {row}");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "(((",
            ")))",
            "[(])",
            "年年年",
            "fy",
            "FY99",
            "2024年2025年",
            "İstanbul",
            "\u{0}",
        ] {
            let _ = match_header(text);
            let _ = header_row_score(&[text, text]);
        }
    }
}
