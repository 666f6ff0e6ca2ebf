//! The data-quality account: every row below a header is either used or skipped for a stated
//! reason, and every value that would not convert is a warning naming its cell, in Chinese and
//! English. Nothing here stops the work; fatal problems are `Error`s elsewhere.
//!
//! Counts are exact; the list of individual warnings is capped at [`MAX_WARNINGS`] so that a file
//! with a million bad cells still yields a small report (the counts say how many were left out).

use serde::Serialize;
use std::collections::BTreeMap;

/// Most individual warnings kept per report.
pub const MAX_WARNINGS: usize = 1000;
/// Most example rows kept per skip reason.
const MAX_EXAMPLE_ROWS: usize = 20;

/// Why a row below the header was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Total,
    Note,
    RepeatedHeader,
    Blank,
    /// Identical in every cell to an earlier row.
    Duplicate,
    /// Neither a customer id nor a customer name.
    NoCustomer,
    /// A line of an order that did not complete: cancelled, closed, refunded or unpaid.
    NotCompleted,
    /// A line in another currency than the one most lines use: never added to those totals.
    OtherCurrency,
    /// An order none of whose lines has an amount, on a list where most orders have one: what
    /// it was worth is unknown, so it is neither a purchase of 0 nor counted in any total.
    NoAmount,
    /// Dated after the as-of date (or, without one, after today): not a purchase yet.
    AfterAsOf,
}

impl SkipReason {
    pub fn message_zh(self) -> &'static str {
        match self {
            SkipReason::Total => "合计/小计行",
            SkipReason::Note => "注释或说明行",
            SkipReason::RepeatedHeader => "重复的表头行",
            SkipReason::Blank => "表格范围内的空行",
            SkipReason::Duplicate => "与前面某行完全相同的重复行",
            SkipReason::NoCustomer => "缺少客户编号和客户名称",
            SkipReason::NotCompleted => "未成交的订单（已取消、交易关闭、已退款或未付款）",
            SkipReason::OtherCurrency => "其他币种的行：金额不与主要币种相加",
            SkipReason::NoAmount => "订单没有金额：金额未知，不计入任何合计",
            SkipReason::AfterAsOf => {
                "订单日期晚于分析基准日（未设基准日时晚于今天）：尚未发生的购买"
            }
        }
    }

    pub fn message_en(self) -> &'static str {
        match self {
            SkipReason::Total => "total or subtotal row",
            SkipReason::Note => "note or remark row",
            SkipReason::RepeatedHeader => "repeated header row",
            SkipReason::Blank => "blank row inside the table",
            SkipReason::Duplicate => "exact duplicate of an earlier row",
            SkipReason::NoCustomer => "no customer id or customer name",
            SkipReason::NotCompleted => {
                "order not completed (cancelled, closed, refunded or unpaid)"
            }
            SkipReason::OtherCurrency => {
                "line in another currency: never added to the main currency's totals"
            }
            SkipReason::NoAmount => {
                "order without an amount: its value is unknown, so it is in no total"
            }
            SkipReason::AfterAsOf => {
                "dated after the as-of date (without one, after today): not a purchase yet"
            }
        }
    }
}

/// A problem with one value or one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Issue {
    InvalidNumber,
    InvalidDate,
    /// A text date whose day and month could be read either way.
    AmbiguousDate,
    /// A row skipped because it repeats an earlier one (the warning names both rows).
    DuplicateRow,
    /// A value an analysis needs is empty (e.g. an order line without amount).
    MissingValue,
    /// Two ids that differ only in spelling (case, spaces, full-width, leading zeros).
    IdVariant,
    /// The same customer on two rows of a register; counted once.
    DuplicateCustomer,
    /// An order whose customer is not in the register.
    UnmatchedCustomer,
    /// An order line identical to an earlier one in an order list without order ids: kept,
    /// since a customer may buy the same thing twice on one day.
    RepeatedLine,
    /// Dates after the as-of date: one warning for an order list's lines left out, one per
    /// first or last order date blanked.
    AfterAsOf,
}

/// One warning, with the cell it is about.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub issue: Issue,
    /// `Sheet!F57`.
    pub cell: String,
    pub value: String,
    pub message_zh: String,
    pub message_en: String,
}

/// Rows skipped for one reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Skipped {
    pub count: u64,
    /// The first few sheet rows (1-based), as examples.
    pub rows: Vec<u32>,
    /// The amount on the skipped lines, where it is money left out of every total (orders that
    /// did not complete).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    pub message_zh: &'static str,
    pub message_en: &'static str,
}

/// The quality account of one sheet (and, merged, of the whole input).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quality {
    /// First and last header row, 1-based.
    pub header_rows: (u32, u32),
    pub rows_above_header: u64,
    /// Non-empty rows below the header.
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_skipped: BTreeMap<SkipReason, Skipped>,
    /// How many of each issue, including those beyond the warning cap.
    pub issues: BTreeMap<Issue, u64>,
    pub warnings: Vec<Warning>,
    /// Warnings counted but not listed because of the cap.
    pub warnings_omitted: u64,
    /// Lines that are returns or refunds (a negative amount or quantity): they net against their
    /// customer's purchases and are never purchases themselves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<ReturnLines>,
    /// The currency every amount is in, where a currency column names it (lines in another
    /// currency are left out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
}

/// Return and refund lines, and the money they take back (negative).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct ReturnLines {
    pub lines: u64,
    pub amount: f64,
}

impl Quality {
    /// Records a skipped row (`row` zero-based).
    pub fn skip(&mut self, reason: SkipReason, _sheet: &str, row: u32) {
        let s = self.rows_skipped.entry(reason).or_insert_with(|| Skipped {
            message_zh: reason.message_zh(),
            message_en: reason.message_en(),
            ..Skipped::default()
        });
        s.count += 1;
        if s.rows.len() < MAX_EXAMPLE_ROWS {
            s.rows.push(row + 1);
        }
    }

    /// Records a row skipped as an exact copy of `first` (both zero-based).
    pub fn duplicate(&mut self, sheet: &str, first: u32, row: u32) {
        self.skip(SkipReason::Duplicate, sheet, row);
        let cell = format!("{sheet}!{}", row + 1);
        self.push(
            Issue::DuplicateRow,
            cell,
            String::new(),
            format!("第 {} 行与第 {} 行完全相同，已跳过", row + 1, first + 1),
            format!("row {} repeats row {} exactly; skipped", row + 1, first + 1),
        );
    }

    /// Records a line kept although it repeats `first` (both zero-based).
    pub fn repeated(&mut self, sheet: &str, first: u32, row: u32) {
        let cell = format!("{sheet}!{}", row + 1);
        self.push(
            Issue::RepeatedLine,
            cell,
            String::new(),
            format!(
                "第 {} 行与第 {} 行完全相同；订单明细没有订单编号，无法区分是否重复录入，已保留",
                row + 1,
                first + 1
            ),
            format!(
                "row {} repeats row {} exactly; without order ids a repeated entry cannot be told from a second purchase, so both are kept",
                row + 1,
                first + 1
            ),
        );
    }

    /// Records a value problem at a cell (`col`, `row` zero-based). `detail` is the field key
    /// for invalid values and the two readings for ambiguous dates.
    pub fn issue(
        &mut self,
        issue: Issue,
        sheet: &str,
        col: u32,
        row: u32,
        value: &str,
        detail: Option<String>,
    ) {
        let cell = crate::table::cell_ref::cell_ref(sheet, col, row);
        let detail = detail.unwrap_or_default();
        let (zh, en) = match issue {
            Issue::InvalidNumber => (
                format!("{cell}：“{value}”不是可识别的数字，按空值处理"),
                format!("{cell}: \"{value}\" is not a number; treated as empty"),
            ),
            Issue::InvalidDate => (
                format!("{cell}：“{value}”不是可识别的日期，按空值处理"),
                format!("{cell}: \"{value}\" is not a date; treated as empty"),
            ),
            Issue::AmbiguousDate => {
                let (a, b) = detail.split_once(" / ").unwrap_or((&detail, ""));
                (
                    format!("{cell}：日期“{value}”的日、月顺序不明确，按 {a} 读取（也可能是 {b}）"),
                    format!("{cell}: day and month of \"{value}\" are ambiguous; read as {a} (could be {b})"),
                )
            }
            Issue::MissingValue => (
                format!("{cell}：缺少必填值（{detail}）"),
                format!("{cell}: required value missing ({detail})"),
            ),
            Issue::IdVariant => (
                format!("{cell}：客户编号“{value}”与“{detail}”写法不同，疑似同一客户，已合并"),
                format!("{cell}: customer id \"{value}\" differs from \"{detail}\" only in spelling; merged as one customer"),
            ),
            Issue::DuplicateCustomer => (
                format!("{cell}：客户“{value}”在登记表中重复出现（首次在 {detail}），只计一次"),
                format!("{cell}: customer \"{value}\" appears again in the register (first at {detail}); counted once"),
            ),
            Issue::UnmatchedCustomer => (
                format!("{cell}：订单客户“{value}”不在客户登记表中"),
                format!("{cell}: order customer \"{value}\" is not in the customer register"),
            ),
            Issue::AfterAsOf => (
                format!("{cell}：日期 {value} 晚于分析基准日"),
                format!("{cell}: {value} is after the as-of date"),
            ),
            Issue::DuplicateRow | Issue::RepeatedLine => (
                format!("{cell}：重复行"),
                format!("{cell}: duplicate row"),
            ),
        };
        self.push(issue, cell, value.to_string(), zh, en);
    }

    /// Records dates after `last` (the as-of date, or the caller's today): `lines` order lines
    /// left out, the latest of them dated `value` at `cell`; or, with `None`, one date blanked.
    pub fn after_as_of(
        &mut self,
        cell: String,
        value: String,
        lines: Option<u64>,
        last: crate::table::cutoff::Last,
    ) {
        let (day, today) = last;
        let (when_zh, when_en) = if today {
            (format!("今天（{day}）"), format!("today ({day})"))
        } else {
            (format!("分析基准日 {day}"), format!("the as-of date {day}"))
        };
        let (zh, en) = match lines {
            Some(n) => (
                format!("{n} 行订单的日期晚于{when_zh}，最晚为 {value}（{cell}）：尚未发生的购买，未计入任何分析"),
                format!("{n} order line(s) dated after {when_en}, the latest {value} ({cell}): not purchases yet, so left out of every analysis"),
            ),
            None => (
                format!("{cell}：日期 {value} 晚于{when_zh}，按空值处理"),
                format!("{cell}: {value} is after {when_en}; treated as empty"),
            ),
        };
        self.push(Issue::AfterAsOf, cell, value, zh, en);
    }

    fn push(&mut self, issue: Issue, cell: String, value: String, zh: String, en: String) {
        *self.issues.entry(issue).or_default() += 1;
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(Warning {
                issue,
                cell,
                value,
                message_zh: zh,
                message_en: en,
            });
        } else {
            self.warnings_omitted += 1;
        }
    }

    /// Rows skipped for any reason.
    pub fn rows_skipped_total(&self) -> u64 {
        self.rows_skipped.values().map(|s| s.count).sum()
    }

    /// Adds another sheet's account to this one (for the whole-input summary).
    pub fn absorb(&mut self, other: &Quality) {
        if self.currency.is_none() {
            self.currency.clone_from(&other.currency);
        }
        if let Some(r) = other.returns {
            let mine = self.returns.get_or_insert_with(ReturnLines::default);
            mine.lines += r.lines;
            mine.amount += r.amount;
        }
        self.rows_above_header += other.rows_above_header;
        self.rows_read += other.rows_read;
        self.rows_used += other.rows_used;
        for (reason, s) in &other.rows_skipped {
            let mine = self.rows_skipped.entry(*reason).or_insert_with(|| Skipped {
                message_zh: s.message_zh,
                message_en: s.message_en,
                ..Skipped::default()
            });
            mine.count += s.count;
            if let Some(x) = s.amount {
                *mine.amount.get_or_insert(0.0) += x;
            }
            for r in &s.rows {
                if mine.rows.len() < MAX_EXAMPLE_ROWS {
                    mine.rows.push(*r);
                }
            }
        }
        for (issue, n) in &other.issues {
            *self.issues.entry(*issue).or_default() += n;
        }
        for w in &other.warnings {
            if self.warnings.len() < MAX_WARNINGS {
                self.warnings.push(w.clone());
            } else {
                self.warnings_omitted += 1;
            }
        }
        self.warnings_omitted += other.warnings_omitted;
    }
}
