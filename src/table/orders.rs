//! What an order list's own columns say about its lines, settled once the table is built.
//!
//! - A "name" column of order numbers (#1001) is reread as the order id ([`Reread`]).
//! - The amount: a sheet of lines priced per unit (the UCI Online Retail export: Quantity and
//!   UnitPrice, no amount) gets an amount column worked out as quantity × unit price, and the
//!   mapping says so ([`Derived`]).
//! - An order's total written on each of its lines is counted once.
//! - Orders that did not complete: a line whose order status says cancelled, closed, refunded,
//!   returned or lost (交易关闭, 已取消, 退款, Cancelled, Lost, an ERP's X …), or, without a
//!   status, whose payment time is empty where the sheet dates its orders by payment (订单付款时间:
//!   an unpaid order has none), is left out of the table and counted in the quality report with
//!   the money it carried. It was never a purchase.
//! - Refunds written beside an order's total (Refunded Amount) are taken off it.
//! - Orders without any amount, on a list where most have one, are left out and counted: their
//!   value is unknown, not 0.
//! - One currency: where a currency column holds several, the main one's lines are kept.
//!
//! A refund or return written as its own line with a negative quantity or amount is a different
//! thing: it stays, and nets against the customer's purchases (`facts`); it is counted here.

use crate::table::mapping::Field;
use crate::table::quality::{Issue, ReturnLines, SkipReason};
use crate::table::{Column, Data, Table, NO_DATE, NO_TEXT};
use serde::Serialize;

/// A column kexi worked out from others: `field` = the product of `from`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Derived {
    pub field: Field,
    pub from: Vec<Field>,
    pub label_zh: &'static str,
    pub label_en: &'static str,
}

/// Rereads, derives what the sheet lacks, leaves out the lines of orders that did not complete
/// and of other currencies, and counts the returns.
pub(super) fn settle(t: &mut Table) {
    reread_order_numbers(t);
    derive_amount(t);
    once_per_order(t);
    let keep = completed(t);
    if keep.iter().any(|k| !k) {
        leave_out(t, &keep, SkipReason::NotCompleted);
    }
    net_refunds(t);
    if let Some(keep) = priced(t) {
        leave_out(t, &keep, SkipReason::NoAmount);
    }
    if let Some(keep) = one_currency(t) {
        leave_out(t, &keep, SkipReason::OtherCurrency);
    }
    count_returns(t);
}

/// Where lines are in more than one currency, the lines of the currency most lines use (kept)
/// and the others, left out: amounts in different currencies are never added together. The
/// quality report names the currency the totals are in.
fn one_currency(t: &mut Table) -> Option<Vec<bool>> {
    let Some(Data::Text(ids)) = t.column(Field::Currency).map(|c| &c.data) else {
        return None;
    };
    // A handful of currencies: counted in a list.
    let mut counts: Vec<(String, usize)> = Vec::new();
    let code = |id: u32| t.pool.get(id).trim().to_uppercase();
    for &id in ids.iter().filter(|&&id| id != NO_TEXT) {
        let c = code(id);
        match counts.iter_mut().find(|(k, _)| *k == c) {
            Some(slot) => slot.1 += 1,
            None => counts.push((c, 1)),
        }
    }
    // Most lines first; of equal counts, the code in alphabetical order, so the choice is stable.
    crate::sort::by(&mut counts, |a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let main = counts.first()?.0.clone();
    let keep: Vec<bool> = ids
        .iter()
        .map(|&id| id == NO_TEXT || code(id) == main)
        .collect();
    t.quality.currency = Some(main);
    (counts.len() > 1).then_some(keep)
}

/// Counts the return and refund lines (a negative amount, or a negative quantity without a
/// positive amount) and the money they take back, for the quality report.
fn count_returns(t: &mut Table) {
    let numbers = |f: Field| match t.column(f).map(|c| &c.data) {
        Some(Data::Number(v)) => Some(v.as_slice()),
        _ => None,
    };
    let (amounts, quantities) = (numbers(Field::Amount), numbers(Field::Quantity));
    if amounts.is_none() && quantities.is_none() {
        return;
    }
    let mut r = ReturnLines::default();
    for i in 0..t.n_rows() {
        let a = amounts.and_then(|v| v.get(i)).copied().unwrap_or(f64::NAN);
        let q = quantities
            .and_then(|v| v.get(i))
            .copied()
            .unwrap_or(f64::NAN);
        if a < 0.0 || (q < 0.0 && (a.is_nan() || a <= 0.0)) {
            r.lines += 1;
            if a.is_finite() {
                r.amount += a;
            }
        }
    }
    if r.lines > 0 {
        t.quality.returns = Some(r);
    }
}

/// A column its header mapped that its values show to be something else, and what it was taken
/// for instead (`None`: left out).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reread {
    pub header: String,
    pub field: Option<Field>,
    pub because_zh: &'static str,
    pub because_en: &'static str,
}

/// A "name" column holding order numbers (#1001, as a web shop's export heads its order column
/// "Name") is the order id, not the customer; the customers are then known by their e-mail
/// address where the sheet has one.
fn reread_order_numbers(t: &mut Table) {
    const SAMPLE: usize = 200;
    let Some(i) = t
        .columns
        .iter()
        .position(|c| c.field == Some(Field::CustomerName))
    else {
        return;
    };
    let Some(Data::Text(ids)) = t.columns.get(i).map(|c| &c.data) else {
        return;
    };
    let sample: Vec<&str> = ids
        .iter()
        .filter(|&&id| id != NO_TEXT)
        .take(SAMPLE)
        .map(|&id| t.pool.get(id).trim())
        .collect();
    let numbered = |s: &&&str| {
        s.strip_prefix('#')
            .is_some_and(|d| d.len() >= 2 && d.bytes().all(|b| b.is_ascii_digit()))
    };
    if sample.len() < 3 || sample.iter().filter(numbered).count() * 10 < sample.len() * 9 {
        return;
    }
    let field = (!t.has(Field::OrderId)).then_some(Field::OrderId);
    reassign(
        t,
        i,
        field,
        "值是订单号（如 #1001），不是客户",
        "values are order numbers (#1001), not customers",
    );
    if t.has(Field::CustomerId) {
        return;
    }
    if let Some(e) = t.columns.iter().position(|c| c.field == Some(Field::Email)) {
        reassign(
            t,
            e,
            Some(Field::CustomerId),
            "没有客户列，按邮箱识别客户",
            "no customer column: customers are known by their e-mail address",
        );
    }
}

/// Gives table column `i` a new field, in the table and in its mapping, and says why.
fn reassign(t: &mut Table, i: usize, field: Option<Field>, zh: &'static str, en: &'static str) {
    let Some(c) = t.columns.get_mut(i) else {
        return;
    };
    c.field = field;
    let (source, header) = (c.source, c.header.clone());
    if let Some(m) = t.mapping.columns.iter_mut().find(|m| m.index == source) {
        m.field = field;
        if field.is_none() {
            m.status = crate::table::mapping::Status::Extra;
        }
    }
    t.reread.push(Reread {
        header,
        field,
        because_zh: zh,
        because_en: en,
    });
}

/// Amount = quantity × unit price, where the sheet has both and no amount column. A line
/// missing either has no amount.
fn derive_amount(t: &mut Table) {
    if t.has(Field::Amount) {
        return;
    }
    let (Some(q), Some(p)) = (t.column(Field::Quantity), t.column(Field::UnitPrice)) else {
        return;
    };
    let (Data::Number(qs), Data::Number(ps)) = (&q.data, &p.data) else {
        return;
    };
    let amounts: Vec<f64> = qs.iter().zip(ps).map(|(q, p)| q * p).collect();
    let column = Column {
        source: p.source,
        field: Some(Field::Amount),
        year: None,
        header: format!("{} × {}", q.header, p.header),
        data: Data::Number(amounts),
    };
    t.columns.push(column);
    t.derived.push(Derived {
        field: Field::Amount,
        from: vec![Field::Quantity, Field::UnitPrice],
        label_zh: "销售额 = 数量 × 单价",
        label_en: "Amount = quantity × unit price",
    });
}

/// Whether the table is an order list: a register's columns do not settle anything here.
fn is_order_list(t: &Table) -> bool {
    t.has(Field::OrderDate) || t.has(Field::OrderId)
}

/// The amount column's values, to change in place.
fn amounts_mut(t: &mut Table) -> Option<&mut Vec<f64>> {
    let c = t
        .columns
        .iter_mut()
        .find(|c| c.field == Some(Field::Amount))?;
    match &mut c.data {
        Data::Number(v) => Some(v),
        _ => None,
    }
}

fn numbers(t: &Table, f: Field) -> Option<&[f64]> {
    match t.column(f).map(|c| &c.data) {
        Some(Data::Number(v)) => Some(v.as_slice()),
        _ => None,
    }
}

/// On an order list whose lines say how much of each was refunded (Refunded Amount) beside the
/// order's total, the amount is what the customer kept paying: total − refunded. The refund column
/// stays the customer's returns. Not where the amount is already what was finally paid: its
/// header says so (买家实际支付金额, net), or some line's refund exceeds it (a Tmall report's
/// 实际支付 of 0 beside a refund of the whole order).
fn net_refunds(t: &mut Table) {
    let paid = t.column(Field::Amount).is_some_and(|c| {
        let h = c.header.to_lowercase();
        ["实际", "实付", "实收", "net"]
            .iter()
            .any(|w| h.contains(w))
    });
    if !is_order_list(t) || paid {
        return;
    }
    let at = |f: Field| t.columns.iter().position(|c| c.field == Some(f));
    let (Some(a), Some(r)) = (at(Field::Amount), at(Field::Returns)) else {
        return;
    };
    let Ok([a, r]) = t.columns.get_disjoint_mut([a, r]) else {
        return;
    };
    let (Data::Number(amounts), Data::Number(refunds)) = (&mut a.data, &r.data) else {
        return;
    };
    if refunds.iter().zip(amounts.iter()).any(|(r, a)| r > a) {
        return;
    }
    let mut netted = false;
    for (a, &r) in amounts.iter_mut().zip(refunds) {
        if a.is_finite() && r.is_finite() && r != 0.0 {
            *a -= r;
            netted = true;
        }
    }
    if netted {
        t.derived.push(Derived {
            field: Field::Amount,
            from: vec![Field::Amount, Field::Returns],
            label_zh: "销售额 = 实付金额 − 退款金额",
            label_en: "Amount = amount paid − amount refunded",
        });
    }
}

/// An order's total written on each of its lines (a shop's export repeating "Total" down an
/// order of several products) is counted once, on the order's first line. Known when the amount's
/// header says it is a total and every order of several lines repeats one amount on all of them,
/// while its lines are of different products (or at least three such orders agree).
fn once_per_order(t: &mut Table) {
    let Some(c) = t.column(Field::Amount) else {
        return;
    };
    let total = order_total(&c.header);
    let (Some(Data::Text(orders)), Some(amounts)) = (
        t.column(Field::OrderId).map(|c| &c.data),
        numbers(t, Field::Amount),
    ) else {
        return;
    };
    if !total {
        return;
    }
    let products = match t.column(Field::Product).map(|c| &c.data) {
        Some(Data::Text(v)) => v.as_slice(),
        _ => &[],
    };
    // Per order id in the pool: its first line, whether its lines repeat one amount, whether
    // they differ in product.
    let mut first: Vec<u32> = vec![u32::MAX; t.pool.len()];
    let (mut several, mut differing) = (0usize, false);
    let mut counted = vec![false; t.pool.len()];
    for (r, &o) in orders.iter().enumerate() {
        let Some(f) = first.get_mut(o as usize).filter(|_| o != NO_TEXT) else {
            continue;
        };
        if *f == u32::MAX {
            *f = r as u32;
            continue;
        }
        let at = *f as usize;
        let same = amounts.get(r).map(|x| x.to_bits()) == amounts.get(at).map(|x| x.to_bits());
        if !same {
            return;
        }
        if let Some(c) = counted.get_mut(o as usize).filter(|c| !**c) {
            *c = true;
            several += 1;
        }
        differing |= products.get(r) != products.get(at);
    }
    if several == 0 || !(differing || several >= 3) {
        return;
    }
    let keep_first: Vec<bool> = orders
        .iter()
        .enumerate()
        .map(|(r, &o)| o == NO_TEXT || first.get(o as usize) == Some(&(r as u32)))
        .collect();
    let Some(amounts) = amounts_mut(t) else {
        return;
    };
    for (a, k) in amounts.iter_mut().zip(keep_first) {
        if !k {
            *a = f64::NAN;
        }
    }
    t.derived.push(Derived {
        field: Field::Amount,
        from: vec![Field::Amount, Field::OrderId],
        label_zh: "订单合计写在每一行：每个订单只计一次",
        label_en: "the order's total is on each of its lines: counted once per order",
    });
}

/// Whether an amount's header says it is the order's total (Total, 订单金额), not a line's.
pub(super) fn order_total(header: &str) -> bool {
    let h = header.to_lowercase();
    let total = ["total", "合计", "总额", "总金额", "订单金额"]
        .iter()
        .any(|w| h.contains(w));
    total
        && !["line", "item", "明细", "单品", "商品"]
            .iter()
            .any(|w| h.contains(w))
}

/// Which lines to keep when some orders carry no amount at all, on an order list where most
/// lines have one: an order whose value is unknown is not a purchase of 0. A web shop writes the
/// total on an order's first line only, so with order ids it is the whole order that needs one.
/// Where most lines lack an amount the column says little and nothing is left out.
fn priced(t: &Table) -> Option<Vec<bool>> {
    if !is_order_list(t) {
        return None;
    }
    let amounts = numbers(t, Field::Amount)?;
    let priced_line: Vec<bool> = amounts.iter().map(|a| a.is_finite()).collect();
    let keep = match t.column(Field::OrderId).map(|c| &c.data) {
        Some(Data::Text(orders)) => {
            let mut of_order = vec![false; t.pool.len()];
            for (&o, &p) in orders.iter().zip(&priced_line) {
                if let Some(slot) = of_order.get_mut(o as usize) {
                    *slot |= p;
                }
            }
            orders
                .iter()
                .zip(&priced_line)
                .map(|(&o, &p)| p || of_order.get(o as usize).copied().unwrap_or(p))
                .collect()
        }
        _ => priced_line,
    };
    let unpriced = keep.iter().filter(|k| !**k).count();
    (unpriced > 0 && unpriced * 2 < keep.len()).then_some(keep)
}

/// Whether each line belongs to an order that completed. A line whose order status says the
/// order failed (cancelled, closed, refunded …) did not; where the sheet dates its orders by
/// payment time (and every one was read), a line needs a payment time or a status that says the
/// order went through, since an unpaid order has neither. With order ids the verdict is the
/// whole order's: a web shop writes the status and the payment time on an order's first line only.
fn completed(t: &Table) -> Vec<bool> {
    let n = t.n_rows();
    let statuses = match t.column(Field::OrderStatus).map(|c| &c.data) {
        Some(Data::Text(ids)) => Some(ids),
        _ => None,
    };
    // Statuses repeat: each distinct text is read once (by its id in the table's pool).
    let mut verdict: Vec<Option<bool>> = vec![None; statuses.map_or(0, |_| t.pool.len())];
    let mut failed = vec![false; n];
    let mut confirmed = vec![false; n];
    if let Some(ids) = statuses {
        for (r, &id) in ids.iter().enumerate() {
            if let (Some(slot), Some(f), Some(c)) = (
                verdict.get_mut(id as usize),
                failed.get_mut(r),
                confirmed.get_mut(r),
            ) {
                let went_through = *slot.get_or_insert_with(|| !not_completed(t.pool.get(id)));
                *f = !went_through;
                *c = went_through;
            }
        }
    }
    let unreadable = t
        .quality
        .issues
        .get(&Issue::InvalidDate)
        .is_some_and(|&n| n > 0);
    let by_payment = t
        .column(Field::OrderDate)
        .filter(|c| dated_by_payment(&c.header) && !unreadable);
    let needs_payment = matches!(by_payment.map(|c| &c.data), Some(Data::Date(_)));
    if let Some(Data::Date(days)) = by_payment.map(|c| &c.data) {
        for (c, &d) in confirmed.iter_mut().zip(days) {
            *c |= d != NO_DATE;
        }
    }
    let line = |f: bool, c: bool| !f && (!needs_payment || c);
    let Some(Data::Text(orders)) = t.column(Field::OrderId).map(|c| &c.data) else {
        return failed
            .iter()
            .zip(&confirmed)
            .map(|(&f, &c)| line(f, c))
            .collect();
    };
    // Per order id in the table's pool: whether any line failed, whether any was confirmed.
    let mut of_order: Vec<(bool, bool)> = vec![(false, false); t.pool.len()];
    for ((&id, &f), &c) in orders.iter().zip(&failed).zip(&confirmed) {
        if let Some(o) = of_order.get_mut(id as usize) {
            *o = (o.0 || f, o.1 || c);
        }
    }
    orders
        .iter()
        .zip(failed.iter().zip(&confirmed))
        .map(|(&id, (&f, &c))| {
            let (f, c) = of_order.get(id as usize).copied().unwrap_or((f, c));
            line(f, c)
        })
        .collect()
}

/// Words of an order status that say the order did not complete. Matched inside the status
/// (交易关闭, 已退款, Cancelled); Latin words case-insensitively.
const NOT_COMPLETED: &[&str] = &[
    "取消",
    "关闭",
    "退款",
    "退货",
    "作废",
    "撤销",
    "未付款",
    "待付款",
    "等待买家付款",
    "未支付",
    "未提交",
    "驳回",
    "拒收",
    "失败",
    "cancel",
    "refund",
    "return",
    "void",
    "reject",
    "unpaid",
    "fail",
    // A deal list's lost deals (a won deal is the sale).
    "lost",
    "输单",
    "丢单",
];

fn not_completed(status: &str) -> bool {
    let lower = status.trim().to_lowercase();
    // A partial refund leaves a sale: its refunded part is a return line of its own, if any.
    let partial = lower.contains("partial") || lower.contains("部分");
    // An ERP's one-letter status codes: X is cancelled (SAP's LIFECYCLESTATUS).
    lower == "x" || (!partial && NOT_COMPLETED.iter().any(|w| lower.contains(w)))
}

/// Whether an order date column is the payment time (订单付款时间, Paid at): then an order
/// without one was never paid.
fn dated_by_payment(header: &str) -> bool {
    let lower = header.to_lowercase();
    ["付款", "支付", "paid", "payment"]
        .iter()
        .any(|w| lower.contains(w))
}

/// Removes the lines `keep` says to leave out, counting them under `reason` (with their amount,
/// where it is money of the totals' currency and the lines are never purchases) in the quality
/// report.
pub(super) fn leave_out(t: &mut Table, keep: &[bool], reason: SkipReason) {
    let amounts = match t.column(Field::Amount).map(|c| &c.data) {
        Some(Data::Number(v)) => v.as_slice(),
        _ => &[],
    };
    let mut money = 0.0;
    let mut left_out = Vec::new();
    for (r, _) in keep.iter().enumerate().filter(|(_, k)| !**k) {
        money += amounts
            .get(r)
            .copied()
            .filter(|x| x.is_finite())
            .unwrap_or(0.0);
        left_out.push(r);
    }
    for &r in &left_out {
        let row = t.rows.get(r).copied().unwrap_or(0);
        t.quality.skip(reason, &t.sheet, row);
    }
    if let Some(s) = t.quality.rows_skipped.get_mut(&reason) {
        if matches!(reason, SkipReason::NotCompleted | SkipReason::AfterAsOf) {
            s.amount = Some(s.amount.unwrap_or(0.0) + money);
        }
    }
    t.quality.rows_used = t.quality.rows_used.saturating_sub(left_out.len() as u64);
    retain(&mut t.rows, keep);
    for c in &mut t.columns {
        match &mut c.data {
            Data::Text(v) => retain(v, keep),
            Data::Number(v) => retain(v, keep),
            Data::Date(v) => retain(v, keep),
            Data::Key(v) => retain(v, keep),
        }
    }
}

fn retain<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    v.retain(|_| {
        let k = keep.get(i).copied().unwrap_or(true);
        i += 1;
        k
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_that_did_not_complete() {
        for s in [
            "交易关闭",
            "已取消",
            "退款成功",
            "已退货",
            "未提交",
            "已驳回",
            "Cancelled",
            "REFUNDED",
            "voided",
            "X",
            "Lost",
            "输单",
        ] {
            assert!(not_completed(s), "{s}");
        }
        for s in [
            "交易成功",
            "已发货",
            "卖家已发货，等待买家确认",
            "部分退款",
            "Shipped",
            "Completed",
            "paid",
            "partially_refunded",
            "C",
            "I",
            "Won",
        ] {
            assert!(!not_completed(s), "{s}");
        }
    }
}
