//! Per-customer facts: what every analysis reads instead of the tables.
//!
//! Order lines are folded once into one [`Fact`] per customer (first and last order, order count,
//! amounts, profit, returns, …) plus each customer's purchase days with their amounts. A customer
//! register without an order list gives the same facts from its own columns (最近购买日期,
//! 购买次数, 销售额 …). An order is a purchase day: several lines of one customer on one day count
//! as one order, as in the lifetimes convention the CLV model also uses.
//!
//! Facts are indexed like `Customers::list`. Nothing here classifies; the analyses do.

pub mod customers;
pub mod feedback;

/// The table's vocabulary the analyses speak: day numbers, fields and the missing-text id. The
/// analyses import these from here, never from `table`.
pub use crate::table::days;
pub use crate::table::mapping::Field;
pub use crate::table::normalize::clean_label;
pub use crate::table::NO_TEXT;

use crate::facts::customers::Customers;
use crate::table::dataset::Dataset;
use crate::table::{Column, Data, Table, YearOf, NO_DATE, NO_KEY};
use rustc_hash::FxHashMap;
use serde::Serialize;

/// What is known of one customer. `None` means the input does not say.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Fact {
    /// Day number (days since 1970-01-01) of the first order.
    #[serde(skip)]
    pub first_order: Option<i32>,
    #[serde(skip)]
    pub last_order: Option<i32>,
    /// Orders: distinct purchase days (or distinct order ids when there are no dates, or the
    /// register's order count).
    pub orders: Option<u32>,
    /// Distinct order ids, on an order list with both dates and order ids (where `orders` counts
    /// purchase days): two orders on one day are two here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_ids: Option<u32>,
    /// Total amount.
    pub amount: Option<f64>,
    /// Amount per order.
    pub average_order: Option<f64>,
    /// Largest single order (a purchase day's lines summed).
    pub largest_order: Option<f64>,
    /// Profit: the profit column, else amount − cost.
    pub profit: Option<f64>,
    /// Profit ÷ amount.
    pub margin: Option<f64>,
    pub returns: Option<f64>,
    /// Money still owed (应收/欠款).
    pub receivable: Option<f64>,
    /// Mean collection days.
    pub payment_days: Option<f64>,
    /// Complaints, praise and suggestions: entries as [`feedback`] counts them, summed over the
    /// customer's rows; `None` where the input has no such column or no row of the customer.
    pub complaints: Option<f64>,
    pub praise: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<f64>,
    /// Units bought.
    pub quantity: Option<f64>,
    pub credit_limit: Option<f64>,
    /// Mean 0–10 likelihood to recommend.
    pub nps: Option<f64>,
    /// Age in years: the age column as written, else whole years from the birth date to the
    /// as-of date; `None` when unknown or impossible ([`Fact::age_invalid`]).
    pub age: Option<f64>,
    #[serde(skip)]
    pub birth_date: Option<i32>,
    /// The input gives an impossible age: the age column below 0 or above [`MAX_AGE`], or a
    /// birth date after the as-of date or more than [`MAX_AGE`] years before it.
    #[serde(skip)]
    pub age_invalid: bool,
    /// Days from the first order to the as-of date.
    pub tenure_days: Option<i32>,
    /// Days from the last order to the as-of date.
    pub recency_days: Option<i32>,
    /// Mean days between orders: (last − first) ÷ (orders − 1), for two orders or more.
    pub interval_days: Option<f64>,
}

impl Fact {
    /// Whether the customer has a purchase: an order or a purchase day.
    pub fn has_bought(&self) -> bool {
        self.orders.is_some_and(|n| n > 0) || self.last_order.is_some()
    }

    /// Whether the customer is a buyer: a purchase, or an amount above 0 (a register's total).
    pub fn is_buyer(&self) -> bool {
        self.has_bought() || self.amount.is_some_and(|a| a > 0.0)
    }

    /// Whether the input says the customer has not bought: an amount or an order count is
    /// known, yet there is no purchase and no amount above 0 (a register's 0, or returns only).
    /// Such prospects (潜在客户) are their own group: scored or ranked with the buyers they
    /// would sit at the bottom of every class and move the buyers' own boundaries.
    pub fn is_prospect(&self) -> bool {
        !self.is_buyer() && (self.amount.is_some() || self.orders.is_some())
    }
}

/// A text dimension of the customers (region, industry, an unmapped column …), one label per
/// customer.
#[derive(Debug, Clone)]
pub struct Dim {
    /// `None` for an extra (unmapped) column.
    pub field: Option<Field>,
    /// The column's header text.
    pub header: String,
    /// Distinct labels; `values` index into it.
    pub labels: Vec<String>,
    /// Per customer, an index into `labels`, or [`NO_TEXT`] where unknown.
    pub values: Vec<u32>,
}

/// The amounts of a register's year-split columns (2023年销售额, 2024年 …).
#[derive(Debug, Clone)]
pub struct YearAmounts {
    pub year: i32,
    /// Per customer; NaN where the cell is empty.
    pub amounts: Vec<f64>,
}

/// Amounts per customer and year (see [`Facts::by_year`]).
#[derive(Debug, Clone)]
pub struct ByYear<'a> {
    /// The calendar years kept, ascending and consecutive: a year without purchases inside the
    /// span is kept (its amounts 0), so the year before year Y is always Y − 1.
    pub years: Vec<i32>,
    all: &'a Years,
}

/// Every customer's amounts per year, worked out once for the analyses that read them.
#[derive(Debug, Clone, Default)]
pub struct Years {
    /// The first and the last year with a purchase.
    span: Option<(i32, i32)>,
    offsets: Vec<u32>,
    /// (year, amount, quantity), ascending by year per customer.
    items: Vec<(i32, f64, f64)>,
}

impl<'a> ByYear<'a> {
    /// Customer `i`'s (year, amount, quantity), ascending; may include years older than
    /// `years` keeps.
    pub fn of(&self, i: usize) -> &'a [(i32, f64, f64)] {
        let all = self.all;
        all.items.get(span(&all.offsets, i)).unwrap_or(&[])
    }

    /// Customer `i`'s amount and quantity in `year` (0 when it bought nothing).
    pub fn get(&self, i: usize, year: i32) -> (f64, f64) {
        let mine = self.of(i);
        mine.binary_search_by_key(&year, |p| p.0)
            .ok()
            .and_then(|k| mine.get(k))
            .map_or((0.0, 0.0), |p| (p.1, p.2))
    }
}

/// Customer `i`'s range in items laid out by `offsets` (`items[offsets[i]..offsets[i + 1]]`).
#[inline]
fn span(offsets: &[u32], i: usize) -> std::ops::Range<usize> {
    let lo = offsets.get(i).copied().unwrap_or(0) as usize;
    let hi = offsets.get(i + 1).copied().unwrap_or(0) as usize;
    lo..hi
}

/// Which indicators the input has, for the analyses to say what they could use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Has {
    /// Purchase days are known per customer (an order list with dates).
    pub purchase_days: bool,
    pub last_order: bool,
    pub first_order: bool,
    pub orders: bool,
    pub amount: bool,
    pub largest_order: bool,
    pub profit: bool,
    pub returns: bool,
    pub receivable: bool,
    pub payment_days: bool,
    pub complaints: bool,
    pub praise: bool,
    pub suggestions: bool,
    pub quantity: bool,
    pub credit_limit: bool,
    pub nps: bool,
    /// An age or a birth date is known for some customer.
    pub age: bool,
}

/// The oldest age taken as possible, in years.
pub const MAX_AGE: f64 = 120.0;

/// The last year with purchases when it is partial: the day before the as-of date (the last day
/// known, by default the last purchase) is before December 31 of that year. A comparison with the
/// year before then covers January 1 to that day in both years ("same period", 同期).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SamePeriod {
    /// The last day known: the last year is compared from its January 1 to this day.
    pub to: i32,
    /// The same dates a year earlier (February 29 read as February 28).
    pub vs_from: i32,
    pub vs_to: i32,
}

impl SamePeriod {
    /// The same period for a `latest` purchase and the `as_of` date, if the year is partial. The
    /// stretch known ends the day before the as-of date (by default the last purchase): a later
    /// as-of date in the same year says the days up to it passed without a purchase.
    fn of(latest: i32, as_of: i32) -> Option<SamePeriod> {
        use chrono::{Datelike, NaiveDate};
        let end = latest.max(as_of.saturating_sub(1));
        let (first_year, last) = (days::date_of(latest)?.year(), days::date_of(end)?);
        let year_end = NaiveDate::from_ymd_opt(last.year(), 12, 31)?;
        if last >= year_end || last.year() > first_year {
            return None;
        }
        let before = last.year() - 1;
        let vs_to = days::a_year_before(last)?;
        Some(SamePeriod {
            to: end,
            vs_from: days::day_number(NaiveDate::from_ymd_opt(before, 1, 1)?),
            vs_to: days::day_number(vs_to),
        })
    }

    /// Whether `day` is in the year-before stretch.
    pub fn before(&self, day: i32) -> bool {
        (self.vs_from..=self.vs_to).contains(&day)
    }
}

/// What each customer bought: distinct products with their amounts, and each product's amount
/// per year.
#[derive(Debug, Clone, Default)]
pub struct Products {
    pub labels: Vec<String>,
    /// Customer `i`'s products are `items[offsets[i]..offsets[i + 1]]`, ascending by product.
    pub offsets: Vec<u32>,
    pub items: Vec<(u32, f64)>,
    /// (product, year, amount), ascending; lines without a date are left out.
    pub by_year: Vec<(u32, i32, f64)>,
    /// Per product, its amount over [`SamePeriod`]'s dates of the year before; empty when the
    /// last year is whole.
    pub same_period: Vec<f64>,
}

impl Products {
    pub fn of(&self, i: usize) -> &[(u32, f64)] {
        self.items.get(span(&self.offsets, i)).unwrap_or(&[])
    }
}

/// The income column, per customer: its first non-blank cell, a number or a text.
#[derive(Debug, Clone, Default)]
pub struct Incomes {
    pub header: String,
    /// Per customer: the income in yuan (the header's unit applied), NaN where the cell is blank
    /// or text.
    pub amounts: Vec<f64>,
    /// Texts that are not a number ("5000-8000", "保密"), cleaned as dimension labels.
    pub labels: Vec<String>,
    /// Per customer: an index into `labels`, or [`NO_TEXT`].
    pub texts: Vec<u32>,
}

/// One satisfaction column, per customer (the mean of its lines); NaN where unknown.
#[derive(Debug, Clone)]
pub struct ScoreColumn {
    pub header: String,
    pub values: Vec<f64>,
}

/// Everything the analyses read.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The day recency is measured against.
    pub as_of: Option<i32>,
    pub customers: Vec<Fact>,
    /// Customer `i`'s purchase days are `days[offsets[i]..offsets[i + 1]]`, ascending and
    /// distinct, with the amount bought that day in `day_amounts` (0 where the amount is blank).
    pub offsets: Vec<u32>,
    pub days: Vec<i32>,
    pub day_amounts: Vec<f64>,
    /// Units bought that day (0 where unknown).
    pub day_quantities: Vec<f64>,
    /// Text dimensions: [`CUSTOMER_DIMS`] the input has, then its extra (unmapped) columns.
    pub dims: Vec<Dim>,
    pub products: Option<Products>,
    pub satisfaction: Vec<ScoreColumn>,
    /// Set when the input has an income column with a value.
    pub income: Option<Incomes>,
    pub year_amounts: Vec<YearAmounts>,
    /// Set when the purchase days show the last year partial.
    pub same_period: Option<SamePeriod>,
    pub has: Has,
    /// [`Facts::by_year`]'s work, done on its first call.
    pub(crate) years: std::cell::OnceCell<Years>,
}

impl Facts {
    /// Customer `i`'s purchases as (day, amount), ascending by day.
    pub fn purchases(&self, i: usize) -> impl Iterator<Item = (i32, f64)> + '_ {
        let at = span(&self.offsets, i);
        let days = self.days.get(at.clone()).unwrap_or(&[]);
        let amounts = self.day_amounts.get(at).unwrap_or(&[]);
        days.iter().copied().zip(amounts.iter().copied())
    }

    /// Each customer's amount and quantity per year, over the last `max_years` calendar years up
    /// to the last year with a purchase (none before the first): from purchase days, or from a
    /// register's year-split amount columns (an amount of 0 is no purchase).
    pub fn by_year(&self, max_years: usize) -> ByYear<'_> {
        let all = self.years.get_or_init(|| self.years());
        let (first, last) = all.span.unwrap_or((1, 0));
        let from = first.max(last.saturating_sub(max_years as i32).saturating_add(1));
        let mut years = Vec::new();
        for y in from..=last {
            years.push(y);
        }
        ByYear { years, all }
    }

    fn years(&self) -> Years {
        let mut offsets = Vec::with_capacity(self.customers.len() + 1);
        offsets.push(0u32);
        let mut items: Vec<(i32, f64, f64)> = Vec::new();
        let mut year_of = YearOf::new();
        for i in 0..self.customers.len() {
            let start = items.len();
            if self.has.purchase_days {
                for (day, amount, quantity) in self.purchases_with_quantity(i) {
                    let Some(year) = year_of.year(day) else {
                        continue;
                    };
                    if items.len() > start && items.last().map(|p| p.0) == Some(year) {
                        if let Some(last) = items.last_mut() {
                            last.1 += amount;
                            last.2 += quantity;
                        }
                    } else {
                        items.push((year, amount, quantity));
                    }
                }
            } else {
                for y in &self.year_amounts {
                    if let Some(&a) = y.amounts.get(i).filter(|a| a.is_finite() && **a != 0.0) {
                        items.push((y.year, a, 0.0));
                    }
                }
            }
            offsets.push(items.len() as u32);
        }
        let span = items.iter().fold(None, |s: Option<(i32, i32)>, p| {
            Some(s.map_or((p.0, p.0), |(lo, hi)| (lo.min(p.0), hi.max(p.0))))
        });
        Years {
            span,
            offsets,
            items,
        }
    }

    pub fn dim(&self, field: Field) -> Option<&Dim> {
        self.dims.iter().find(|d| d.field == Some(field))
    }

    /// Customer `i`'s purchases as (day, amount, quantity), ascending by day.
    pub fn purchases_with_quantity(&self, i: usize) -> impl Iterator<Item = (i32, f64, f64)> + '_ {
        let q = self
            .day_quantities
            .get(span(&self.offsets, i))
            .unwrap_or(&[]);
        self.purchases(i)
            .zip(q.iter().copied().chain(std::iter::repeat(0.0)))
            .map(|((d, a), q)| (d, a, q))
    }

    /// The earliest and latest purchase day of anyone.
    pub fn day_span(&self) -> Option<(i32, i32)> {
        let lo = self
            .customers
            .iter()
            .filter_map(|c| c.first_order.or(c.last_order))
            .min()?;
        let hi = self.customers.iter().filter_map(|c| c.last_order).max()?;
        Some((lo, hi))
    }
}

/// The dimensions customers are grouped by.
pub const DIMENSIONS: [Field; 9] = [
    Field::Region,
    Field::Province,
    Field::City,
    Field::Industry,
    Field::CompanySize,
    Field::Ownership,
    Field::Source,
    Field::Channel,
    Field::Salesperson,
];

/// Every text dimension a customer can have: the grouping ones, then the lead and personal ones.
pub const CUSTOMER_DIMS: [Field; 15] = [
    Field::Region,
    Field::Province,
    Field::City,
    Field::Industry,
    Field::CompanySize,
    Field::Ownership,
    Field::Source,
    Field::Channel,
    Field::Salesperson,
    Field::LeadStatus,
    Field::PurchaseTiming,
    Field::Gender,
    Field::Education,
    Field::Occupation,
    Field::MaritalStatus,
];

/// Folds the dataset's rows into facts. `as_of` is the chosen as-of day, if the caller set one;
/// otherwise it is the day after the latest order.
pub fn build(ds: &Dataset, customers: &Customers, as_of: Option<i32>) -> Facts {
    let n = customers.list.len();
    let mut facts = Facts {
        customers: vec![Fact::default(); n],
        offsets: vec![0; n + 1],
        ..Facts::default()
    };
    if let Some(t) = &ds.orders {
        from_orders(t, &customers.order_customer, &mut facts, as_of);
    }
    if let Some(t) = &ds.register {
        from_register(t, &customers.register_customer, &mut facts);
    }
    for (field, t, map) in CUSTOMER_DIMS.iter().flat_map(|&f| {
        // A dimension is the register's where it has one, else the order list's.
        let reg = ds
            .register
            .as_ref()
            .filter(|t| t.has(f))
            .map(|t| (f, t, &customers.register_customer));
        reg.or_else(|| {
            ds.orders
                .as_ref()
                .filter(|t| t.has(f))
                .map(|t| (f, t, &customers.order_customer))
        })
    }) {
        if let Some(col) = t.column(field) {
            if let Some(d) = dim_of(t, col, map, n) {
                facts.dims.push(d);
            }
        }
    }
    facts.income = ds
        .register
        .as_ref()
        .filter(|t| t.has(Field::Income))
        .map(|t| (t, &customers.register_customer))
        .or_else(|| ds.orders.as_ref().map(|t| (t, &customers.order_customer)))
        .and_then(|(t, owner)| incomes(t, owner, n));
    // Ages: the register's, or a shop's order lines where the register has none.
    let register_ages = ds
        .register
        .as_ref()
        .is_some_and(|t| t.has(Field::Age) || t.has(Field::BirthDate));
    if let (false, Some(t)) = (register_ages, &ds.orders) {
        ages_from_lines(t, &customers.order_customer, &mut facts);
    }
    // Extra columns: the register's, or the order list's when there is no register.
    let extra_source = ds
        .register
        .as_ref()
        .map(|t| (t, &customers.register_customer))
        .or_else(|| ds.orders.as_ref().map(|t| (t, &customers.order_customer)));
    if let Some((t, map)) = extra_source {
        for col in t.columns.iter().filter(|c| c.field.is_none()) {
            if let Some(d) = dim_of(t, col, map, n) {
                facts.dims.push(d);
            }
        }
    }
    facts.as_of = as_of.or_else(|| latest(&facts.customers).map(|d| d.saturating_add(1)));
    facts.has.age = facts
        .customers
        .iter()
        .any(|c| c.age.is_some() || c.birth_date.is_some());
    if let Some(as_of) = facts.as_of {
        for c in &mut facts.customers {
            c.tenure_days = c.first_order.map(|d| as_of.saturating_sub(d));
            c.recency_days = c.last_order.map(|d| as_of.saturating_sub(d));
            if c.age.is_none() && !c.age_invalid {
                age_from_birth(c, as_of);
            }
        }
    }
    for c in &mut facts.customers {
        if let (Some(a), Some(o)) = (c.amount, c.orders) {
            c.average_order = (o > 0).then(|| a / o as f64);
        }
        if let (Some(p), Some(a)) = (c.profit, c.amount) {
            c.margin = (a > 0.0).then(|| p / a);
        }
        if let (Some(f), Some(l), Some(o)) = (c.first_order, c.last_order, c.orders) {
            c.interval_days = (o >= 2 && l > f).then(|| (l - f) as f64 / (o - 1) as f64);
        }
    }
    facts
}

/// Each customer's age and birth date from the first of its order lines that has one (an
/// e-commerce export of personal buyers writes them on every line).
fn ages_from_lines(t: &Table, owner: &[u32], facts: &mut Facts) {
    let ages = numbers(t, Field::Age);
    let births = dates(t, Field::BirthDate);
    let mut seen = vec![false; facts.customers.len()];
    for (r, &i) in owner.iter().enumerate() {
        let (Some(c), Some(seen)) = (
            facts.customers.get_mut(i as usize),
            seen.get_mut(i as usize),
        ) else {
            continue;
        };
        if !*seen {
            if let Some(x) = sum_at(&ages, r) {
                *seen = true;
                if (0.0..=MAX_AGE).contains(&x) {
                    c.age = Some(x);
                } else {
                    c.age_invalid = true;
                }
            }
        }
        if c.birth_date.is_none() {
            c.birth_date = births
                .and_then(|b| b.get(r))
                .copied()
                .filter(|&d| d != NO_DATE);
        }
    }
}

/// Sets the age from the birth date, in whole years at `as_of` as people count it (a
/// birthday counts on its day; 29 February in other years on 1 March), or flags it impossible.
fn age_from_birth(c: &mut Fact, as_of: i32) {
    let Some(birth) = c.birth_date else {
        return;
    };
    match whole_years(birth, as_of) {
        Some(y) if (0.0..=MAX_AGE).contains(&f64::from(y)) => c.age = Some(f64::from(y)),
        _ => c.age_invalid = true,
    }
}

/// Whole years from day `from` to day `to` (negative when `to` is earlier).
fn whole_years(from: i32, to: i32) -> Option<i32> {
    use chrono::Datelike;
    let (a, b) = (days::date_of(from)?, days::date_of(to)?);
    let before_birthday = (b.month(), b.day()) < (a.month(), a.day());
    Some(b.year() - a.year() - i32::from(before_birthday))
}

/// The latest last order of anyone.
fn latest(customers: &[Fact]) -> Option<i32> {
    customers.iter().filter_map(|c| c.last_order).max()
}

fn numbers(t: &Table, f: Field) -> Vec<&[f64]> {
    t.columns
        .iter()
        .filter(|c| c.field == Some(f))
        .filter_map(|c| match &c.data {
            Data::Number(v) => Some(v.as_slice()),
            _ => None,
        })
        .collect()
}

fn dates(t: &Table, f: Field) -> Option<&[i32]> {
    match &t.column(f)?.data {
        Data::Date(v) => Some(v.as_slice()),
        _ => None,
    }
}

fn keys(t: &Table, f: Field) -> Option<&[u64]> {
    match &t.column(f)?.data {
        Data::Key(v) => Some(v.as_slice()),
        _ => None,
    }
}

fn texts(t: &Table, f: Field) -> Option<&[u32]> {
    match &t.column(f)?.data {
        Data::Text(v) => Some(v.as_slice()),
        _ => None,
    }
}

/// The sum over `cols` at row `r`, ignoring blanks; `None` if all are blank.
fn sum_at(cols: &[&[f64]], r: usize) -> Option<f64> {
    let mut sum = None;
    for c in cols {
        if let Some(&x) = c.get(r) {
            if x.is_finite() {
                sum = Some(sum.unwrap_or(0.0) + x);
            }
        }
    }
    sum
}

fn add(slot: &mut Option<f64>, x: Option<f64>) {
    if let Some(x) = x {
        *slot = Some(slot.unwrap_or(0.0) + x);
    }
}

/// One order line as the grouping pass reads it, placed among its customer's lines (see
/// [`from_orders`]).
#[derive(Clone, Copy)]
struct Line {
    /// The line's day number when the table has order dates ([`NO_DATE`] for a line without
    /// one), else its order id (a table text id, or [`NO_TEXT`]).
    key: u32,
    /// Index into the product labels, or [`NO_TEXT`].
    product: u32,
    amount: f64,
    quantity: f64,
}

impl Line {
    /// A return or refund written as its own line: a negative amount (or, without a positive
    /// one, a negative quantity: Online Retail's cancelled invoices). It nets against the
    /// customer's purchases and is never a purchase itself.
    #[inline]
    fn is_return(&self) -> bool {
        self.amount < 0.0 || (self.quantity < 0.0 && (self.amount.is_nan() || self.amount <= 0.0))
    }
}

impl Line {
    /// A slot not yet written.
    const EMPTY: Line = Line {
        key: NO_DATE as u32,
        product: NO_TEXT,
        amount: 0.0,
        quantity: 0.0,
    };

    fn day(&self) -> i32 {
        self.key as i32
    }
}

/// A per-customer mean built line by line.
struct Mean {
    sum: Vec<f64>,
    n: Vec<u32>,
}

impl Mean {
    fn new(on: bool, customers: usize) -> Mean {
        let k = if on { customers } else { 0 };
        Mean {
            sum: vec![0.0; k],
            n: vec![0; k],
        }
    }

    fn add(&mut self, i: u32, x: Option<f64>) {
        if let (Some(x), Some(s), Some(n)) =
            (x, self.sum.get_mut(i as usize), self.n.get_mut(i as usize))
        {
            *s += x;
            *n += 1;
        }
    }

    fn get(&self, i: usize) -> Option<f64> {
        let n = *self.n.get(i)?;
        (n > 0).then(|| self.sum.get(i).copied().unwrap_or(0.0) / f64::from(n))
    }
}

/// Distinct cleaned labels of a text column ("华东 " and "华东" are one), resolved once per
/// distinct cell text and then looked up by its text id: in a table as long as the table's text
/// pool for a column asked once per order line (the products), else in a map (a dimension asks
/// once per customer, and a register may have many text columns).
struct Labeler {
    labels: Vec<String>,
    /// By text id: its label, [`UNSEEN`], or [`BLANK`] for a text that cleans to nothing.
    by_text: ByText,
    by_label: FxHashMap<String, u32>,
}

enum ByText {
    Table(Vec<u32>),
    Map(FxHashMap<u32, u32>),
}

const UNSEEN: u32 = u32::MAX;
const BLANK: u32 = u32::MAX - 1;

impl Labeler {
    /// `per_line`: the column is asked once per line, and gets the table.
    fn new(t: &Table, per_line: bool) -> Labeler {
        Labeler {
            labels: Vec::new(),
            by_text: if per_line {
                ByText::Table(vec![UNSEEN; t.pool.len()])
            } else {
                ByText::Map(FxHashMap::default())
            },
            by_label: FxHashMap::default(),
        }
    }

    fn label(&mut self, t: &Table, id: u32) -> Option<u32> {
        if id as usize >= t.pool.len() {
            return None;
        }
        let slot = match &mut self.by_text {
            ByText::Table(v) => v.get_mut(id as usize)?,
            ByText::Map(m) => m.entry(id).or_insert(UNSEEN),
        };
        match *slot {
            UNSEEN => {}
            BLANK => return None,
            l => return Some(l),
        }
        let text = clean_label(t.pool.get(id));
        let text = text.trim();
        if text.is_empty() {
            *slot = BLANK;
            return None;
        }
        let l = match self.by_label.get(text) {
            Some(&l) => l,
            None => {
                let l = self.labels.len() as u32;
                self.labels.push(text.to_string());
                self.by_label.insert(text.to_string(), l);
                l
            }
        };
        *slot = l;
        Some(l)
    }
}

/// Number columns of a field with their headers (several satisfaction columns, say).
fn headed_numbers(t: &Table, f: Field) -> Vec<(String, &[f64])> {
    t.columns
        .iter()
        .filter(|c| c.field == Some(f))
        .filter_map(|c| match &c.data {
            Data::Number(v) => Some((c.header.clone(), v.as_slice())),
            _ => None,
        })
        .collect()
}

/// Order lines whose customers' facts are read ahead together (see [`fetch`]).
const FETCH: usize = 32;

/// Reads the facts the order lines of `owners` will add to, one after the other, so that the
/// waits on memory overlap: a hundred thousand customers' facts are far larger than the caches,
/// and lines come in any customer order. Returns what it read, for the reads to be kept.
fn fetch(customers: &[Fact], owners: &[u32]) -> u64 {
    let mut seen = 0u64;
    for &i in owners {
        if let Some(c) = customers.get(i as usize) {
            seen ^= c.profit.map_or(0, f64::to_bits) ^ c.praise.map_or(1, f64::to_bits);
        }
    }
    seen
}

/// The order list's columns the facts are read from.
struct OrderColumns<'t> {
    amount: Vec<&'t [f64]>,
    profit: Vec<&'t [f64]>,
    cost: Vec<&'t [f64]>,
    returns: Vec<&'t [f64]>,
    receivable: Vec<&'t [f64]>,
    payment_days: Vec<&'t [f64]>,
    /// Each line's feedback entries ([`FeedbackRows`]).
    complaints: Vec<&'t [f64]>,
    praise: Vec<&'t [f64]>,
    suggestions: Vec<&'t [f64]>,
    quantity: Vec<&'t [f64]>,
    nps: Vec<&'t [f64]>,
    satisfaction: Vec<(String, &'t [f64])>,
    day: Option<&'t [i32]>,
    order: Option<&'t [u32]>,
    /// A dated list's order ids, loaded as keys (`table::Data::Key`) rather than texts.
    order_keys: Option<&'t [u64]>,
    product: Option<&'t [u32]>,
}

impl<'t> OrderColumns<'t> {
    /// Finds the columns in `t`; the feedback columns are `feedback`'s counts of them.
    fn of(t: &'t Table, feedback: &'t FeedbackRows) -> OrderColumns<'t> {
        let rows = |cols: &'t [Vec<f64>]| cols.iter().map(Vec::as_slice).collect();
        OrderColumns {
            amount: numbers(t, Field::Amount),
            profit: numbers(t, Field::Profit),
            cost: numbers(t, Field::Cost),
            returns: numbers(t, Field::Returns),
            receivable: numbers(t, Field::Receivable),
            payment_days: numbers(t, Field::PaymentDays),
            complaints: rows(&feedback.complaints),
            praise: rows(&feedback.praise),
            suggestions: rows(&feedback.suggestions),
            quantity: numbers(t, Field::Quantity),
            nps: numbers(t, Field::Nps),
            satisfaction: headed_numbers(t, Field::Satisfaction),
            day: dates(t, Field::OrderDate),
            order: texts(t, Field::OrderId),
            order_keys: keys(t, Field::OrderId),
            product: texts(t, Field::Product),
        }
    }

    /// Which indicators the order list gives, known from its columns alone.
    fn set_has(&self, has: &mut Has) {
        has.quantity = !self.quantity.is_empty();
        has.nps = !self.nps.is_empty();
        has.orders = true;
        has.amount = !self.amount.is_empty();
        has.profit = !self.profit.is_empty() || (!self.cost.is_empty() && has.amount);
        has.returns = !self.returns.is_empty();
        has.receivable = !self.receivable.is_empty();
        has.payment_days = !self.payment_days.is_empty();
        has.complaints = !self.complaints.is_empty();
        has.praise = !self.praise.is_empty();
        has.suggestions = !self.suggestions.is_empty();
        has.largest_order = has.amount;
        has.purchase_days = self.day.is_some();
        has.first_order = self.day.is_some();
        has.last_order = self.day.is_some();
    }

    /// Line `r`'s [`Line::key`], given its `day`.
    #[inline]
    fn key_at(&self, r: usize, day: i32) -> u32 {
        match (self.day, self.order) {
            (Some(_), _) => day as u32,
            (None, Some(v)) => v.get(r).copied().unwrap_or(NO_TEXT),
            (None, None) => NO_TEXT,
        }
    }

    /// Line `r`'s order id as a key, [`NO_KEY`] where it has none.
    fn order_key(&self, r: usize) -> u64 {
        match (self.order_keys, self.order) {
            (Some(v), _) => v.get(r).copied().unwrap_or(NO_KEY),
            (None, Some(v)) => match v.get(r) {
                Some(&id) if id != NO_TEXT => u64::from(id) + 1,
                _ => NO_KEY,
            },
            (None, None) => NO_KEY,
        }
    }

    /// Whether the list has any of the columns most order lists lack (summed line by line).
    fn has_rare(&self) -> bool {
        [
            &self.profit,
            &self.cost,
            &self.returns,
            &self.receivable,
            &self.complaints,
            &self.praise,
            &self.suggestions,
        ]
        .iter()
        .any(|c| !c.is_empty())
    }
}

/// Each order line's feedback entries, per column of each kind ([`feedback::line_columns`]): owned
/// here while the lines are read, since a text column has no numbers of its own.
struct FeedbackRows {
    complaints: Vec<Vec<f64>>,
    praise: Vec<Vec<f64>>,
    suggestions: Vec<Vec<f64>>,
}

impl FeedbackRows {
    /// The lines' entries; `owner` is each line's customer.
    fn of(t: &Table, owner: &[u32]) -> FeedbackRows {
        let kinds = [Field::Complaints, Field::Praise, Field::Suggestions];
        // The order ids tell a value written once per order; read only for a feedback column.
        let orders = kinds
            .iter()
            .any(|&f| t.has(f))
            .then(|| order_keys(t))
            .flatten();
        let lines = |f: Field| feedback::line_columns(t, f, owner, orders.as_deref());
        FeedbackRows {
            complaints: lines(Field::Complaints),
            praise: lines(Field::Praise),
            suggestions: lines(Field::Suggestions),
        }
    }
}

/// Each line's order id as a key ([`NO_KEY`] for none), where the list has order ids.
fn order_keys(t: &Table) -> Option<std::borrow::Cow<'_, [u64]>> {
    use std::borrow::Cow;
    match &t.column(Field::OrderId)?.data {
        Data::Key(v) => Some(Cow::Borrowed(v.as_slice())),
        Data::Text(v) => Some(Cow::Owned(
            v.iter()
                .map(|&id| match id {
                    NO_TEXT => NO_KEY,
                    id => u64::from(id) + 1,
                })
                .collect(),
        )),
        Data::Number(_) | Data::Date(_) => None,
    }
}

/// Folds the order lines into each customer's facts, purchase days and products. `as_of` is
/// the caller's, if set.
fn from_orders(t: &Table, owner: &[u32], facts: &mut Facts, as_of: Option<i32>) {
    let feedback = FeedbackRows::of(t, owner);
    let cols = OrderColumns::of(t, &feedback);
    cols.set_has(&mut facts.has);
    let rows = t.n_rows().min(owner.len());
    let owners = owner.get(..rows).unwrap_or(&[]);
    let grouped = group_lines(t, &cols, owners, facts.customers.len(), facts.has.quantity);
    add_line_by_line(&cols, owners, facts);
    fold_groups(&cols, grouped, facts, as_of);
}

/// The order lines grouped by customer, and what the grouping pass learns on the way.
struct Grouped {
    /// Customer `i`'s lines are `lines[starts[i]..starts[i + 1]]`, in row order.
    starts: Vec<u32>,
    lines: Vec<Line>,
    /// Each line's order id as a key ([`NO_KEY`] where it has none), beside `lines`, on a list
    /// with dates and order ids; else empty.
    order_ids: Vec<u64>,
    labels: Labeler,
    /// Each product's amount per year.
    product_years: FxHashMap<(u32, i32), f64>,
    /// Whether any of a customer's lines has a quantity (a customer whose lines have none has no
    /// quantity, not 0); a byte per customer, small enough to stay in cache.
    quantified: Vec<bool>,
}

/// Writes each line straight into its customer's group, labelling its product on the way.
fn group_lines(
    t: &Table,
    cols: &OrderColumns<'_>,
    owners: &[u32],
    n: usize,
    has_quantity: bool,
) -> Grouped {
    // Each line is written straight into its customer's group (a stable counting sort by
    // customer), so the grouping pass below reads every group as one run of memory. Reading the
    // lines of a hundred thousand customers by row number instead waits on memory at each line
    // of each group, in four columns (day, amount, quantity, product).
    let starts = group_starts(owners, n);
    let mut lines = vec![Line::EMPTY; starts.last().copied().unwrap_or(0) as usize];
    // With dates, a line's key is its day: its order id is kept beside it.
    let dated = cols.day.is_some();
    let with_ids = dated && (cols.order_keys.is_some() || cols.order.is_some());
    let mut order_ids = vec![NO_KEY; if with_ids { lines.len() } else { 0 }];
    let mut next = starts.clone();
    let mut labels = Labeler::new(t, true);
    let mut product_years: FxHashMap<(u32, i32), f64> = FxHashMap::default();
    let mut year_of = YearOf::new();
    let mut quantified = vec![false; if has_quantity { n } else { 0 }];
    for (r, &i) in owners.iter().enumerate() {
        let Some(at) = next.get_mut(i as usize).filter(|_| (i as usize) < n) else {
            continue;
        };
        let a = sum_at(&cols.amount, r);
        let q = sum_at(&cols.quantity, r);
        if q.is_some() {
            if let Some(k) = quantified.get_mut(i as usize) {
                *k = true;
            }
        }
        let day = cols.day.and_then(|v| v.get(r).copied()).unwrap_or(NO_DATE);
        let product = cols
            .product
            .and_then(|v| v.get(r).copied())
            .and_then(|id| labels.label(t, id))
            .unwrap_or(NO_TEXT);
        if product != NO_TEXT {
            if let Some(year) = year_of.year(day) {
                *product_years.entry((product, year)).or_insert(0.0) += a.unwrap_or(0.0);
            }
        }
        if let Some(slot) = order_ids.get_mut(*at as usize) {
            *slot = cols.order_key(r);
        }
        if let Some(slot) = lines.get_mut(*at as usize) {
            *slot = Line {
                key: cols.key_at(r, day),
                product,
                amount: a.unwrap_or(0.0),
                quantity: q.unwrap_or(0.0),
            };
        }
        *at += 1;
    }
    Grouped {
        starts,
        lines,
        order_ids,
        labels,
        product_years,
        quantified,
    }
}

/// Where each customer's group starts among the grouped lines, then where the last one ends: the
/// lines per customer, summed.
fn group_starts(owners: &[u32], n: usize) -> Vec<u32> {
    let mut counts = vec![0u32; n + 1];
    for &i in owners {
        // A row without a customer (`u32::MAX`) is in no group.
        if (i as usize) < n {
            if let Some(k) = counts.get_mut(i as usize + 1) {
                *k += 1;
            }
        }
    }
    for i in 1..counts.len() {
        let prev = counts.get(i - 1).copied().unwrap_or(0);
        if let Some(k) = counts.get_mut(i) {
            *k += prev;
        }
    }
    counts
}

/// Adds the columns most order lists lack to each customer's facts, line by line.
fn add_line_by_line(cols: &OrderColumns<'_>, owners: &[u32], facts: &mut Facts) {
    // The sums and means of the columns most order lists lack, line by line into each
    // customer's facts; amount and quantity are summed from the groups (see `fold_groups`).
    let n = facts.customers.len();
    let mut payment = Mean::new(facts.has.payment_days, n);
    let mut nps_mean = Mean::new(facts.has.nps, n);
    let mut sat: Vec<Mean> = cols
        .satisfaction
        .iter()
        .map(|_| Mean::new(true, n))
        .collect();
    let rare = cols.has_rare();
    if rare || facts.has.payment_days || facts.has.nps || !cols.satisfaction.is_empty() {
        let mut fetched = 0u64;
        for (r, &i) in owners.iter().enumerate() {
            if rare && r % FETCH == 0 {
                fetched ^= fetch(
                    &facts.customers,
                    owners.get(r..owners.len().min(r + FETCH)).unwrap_or(&[]),
                );
            }
            let Some(c) = facts.customers.get_mut(i as usize) else {
                continue;
            };
            if rare {
                add_rare(c, cols, r);
            }
            payment.add(i, sum_at(&cols.payment_days, r));
            nps_mean.add(i, sum_at(&cols.nps, r));
            for (m, (_, col)) in sat.iter_mut().zip(&cols.satisfaction) {
                m.add(i, col.get(r).copied().filter(|x| x.is_finite()));
            }
        }
        std::hint::black_box(fetched);
    }
    for (i, c) in facts.customers.iter_mut().enumerate() {
        c.payment_days = payment.get(i);
        c.nps = nps_mean.get(i);
    }
    facts.satisfaction = cols
        .satisfaction
        .iter()
        .zip(&sat)
        .map(|((header, _), m)| ScoreColumn {
            header: header.clone(),
            values: (0..n).map(|i| m.get(i).unwrap_or(f64::NAN)).collect(),
        })
        .collect();
}

/// Adds line `r`'s profit (else amount less cost), returns, receivable, complaints, praise and
/// suggestions to its customer's.
#[inline]
fn add_rare(c: &mut Fact, cols: &OrderColumns<'_>, r: usize) {
    let p = sum_at(&cols.profit, r).or_else(|| {
        let k = sum_at(&cols.cost, r)?;
        Some(sum_at(&cols.amount, r)? - k)
    });
    add(&mut c.profit, p);
    add(&mut c.returns, sum_at(&cols.returns, r));
    add(&mut c.receivable, sum_at(&cols.receivable, r));
    add(&mut c.complaints, sum_at(&cols.complaints, r));
    add(&mut c.praise, sum_at(&cols.praise, r));
    add(&mut c.suggestions, sum_at(&cols.suggestions, r));
}

/// Reads each customer's group: amount, quantity, products, orders and largest order, and the
/// purchase days.
fn fold_groups(cols: &OrderColumns<'_>, g: Grouped, facts: &mut Facts, as_of: Option<i32>) {
    let n = facts.customers.len();
    let has_amount = facts.has.amount;
    let Grouped {
        starts,
        mut lines,
        order_ids,
        labels,
        product_years,
        quantified,
    } = g;
    let mut purchases = Purchases::with_capacity(lines.len(), n);
    let mut bought = Bought::new(!labels.labels.is_empty(), n);
    let mut scratch = Scratch::default();
    for i in 0..n {
        let lo = starts.get(i).copied().unwrap_or(0) as usize;
        let hi = starts.get(i + 1).copied().unwrap_or(0) as usize;
        let (Some(group), Some(c)) = (lines.get_mut(lo..hi), facts.customers.get_mut(i)) else {
            purchases.offsets.push(purchases.days.len() as u32);
            bought.offsets.push(bought.items.len() as u32);
            continue;
        };
        // In row order, as the lines were placed: the sums a line-by-line pass would give.
        if has_amount {
            c.amount = Some(group.iter().fold(0.0, |s, l| s + l.amount));
        }
        if quantified.get(i).copied().unwrap_or(false) {
            c.quantity = Some(group.iter().fold(0.0, |s, l| s + l.quantity));
        }
        if bought.on {
            bought.add(group);
        }
        if let Some(ids) = order_ids.get(lo..hi) {
            // Before `orders_of` sorts the group by day: the ids sit beside the lines in row order.
            c.order_ids = distinct_orders(group, ids, &mut scratch.order_ids);
        }
        let (orders, largest) = orders_of(cols, group, c, &mut purchases, &mut scratch);
        // Lines without a date still make an order of their own; returns never do.
        let bought = group.iter().any(|l| !l.is_return());
        c.orders = Some(orders.max(u32::from(bought && orders == 0)));
        if has_amount {
            c.largest_order = largest;
        }
        purchases.offsets.push(purchases.days.len() as u32);
    }
    facts.same_period = latest(&facts.customers)
        .and_then(|l| SamePeriod::of(l, as_of.unwrap_or(l.saturating_add(1))));
    // Products have no purchase days: their same period is summed from the lines, once.
    let same_period = match facts.same_period.filter(|_| bought.on) {
        Some(p) => amounts_within(&lines, p, labels.labels.len()),
        None => Vec::new(),
    };
    drop(lines);
    purchases.into_facts(facts);
    if bought.on {
        let mut products = bought.into_products(labels, product_years);
        products.same_period = same_period;
        facts.products = Some(products);
    }
}

/// Each of `products` products' amount over the lines dated in `p`'s year-before stretch.
fn amounts_within(lines: &[Line], p: SamePeriod, products: usize) -> Vec<f64> {
    let mut sums = vec![0.0; products];
    for l in lines.iter().filter(|l| p.before(l.day())) {
        if let Some(s) = sums.get_mut(l.product as usize) {
            *s += l.amount;
        }
    }
    sums
}

/// A customer's orders and largest order: its purchase days (kept in `purchases`) when the lines
/// have dates, else its distinct order ids, else its lines.
fn orders_of(
    cols: &OrderColumns<'_>,
    group: &mut [Line],
    c: &mut Fact,
    purchases: &mut Purchases,
    scratch: &mut Scratch,
) -> (u32, Option<f64>) {
    if cols.day.is_some() {
        // Within each customer's group, lines by day. Most order lists are kept in date order,
        // and then so is every group.
        if !group.is_sorted_by_key(Line::day) {
            sort_by_day(group, &mut scratch.by_day, &mut scratch.reordered);
        }
        let start = purchases.add_days(group);
        let mine = purchases.days.get(start..).unwrap_or(&[]);
        c.first_order = mine.first().copied();
        c.last_order = mine.last().copied();
        let orders = mine.len() as u32;
        let mut largest = purchases
            .amounts
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .copied()
            .reduce(f64::max);
        // Lines without a date still make an order of their own.
        if orders == 0 && !group.is_empty() {
            largest = largest_line(group);
        }
        (orders, largest)
    } else if cols.order.is_some() {
        let ids = &mut scratch.order_ids;
        ids.clear();
        // As u64, the element type of the day sort's `sort_unstable`: one instance of it in the wasm.
        ids.extend(
            group
                .iter()
                .filter(|l| !l.is_return())
                .map(|l| u64::from(l.key)),
        );
        ids.sort_unstable();
        ids.dedup();
        (ids.len() as u32, largest_line(group))
    } else {
        let purchases = group.iter().filter(|l| !l.is_return()).count();
        (purchases as u32, largest_line(group))
    }
}

/// The distinct order ids of a customer's lines that are not returns, `None` when none has one.
fn distinct_orders(group: &[Line], ids: &[u64], buf: &mut Vec<u64>) -> Option<u32> {
    buf.clear();
    buf.extend(
        group
            .iter()
            .zip(ids)
            .filter(|(l, &id)| !l.is_return() && id != NO_KEY)
            .map(|(_, &id)| id),
    );
    buf.sort_unstable();
    buf.dedup();
    (!buf.is_empty()).then_some(buf.len() as u32)
}

/// The largest amount of a single line.
fn largest_line(group: &[Line]) -> Option<f64> {
    group.iter().map(|l| l.amount).reduce(f64::max)
}

/// Buffers [`orders_of`] keeps across customers.
#[derive(Default)]
struct Scratch {
    order_ids: Vec<u64>,
    by_day: Vec<u64>,
    reordered: Vec<Line>,
}

/// The purchase days as [`Facts`] keeps them, built customer by customer.
struct Purchases {
    offsets: Vec<u32>,
    days: Vec<i32>,
    amounts: Vec<f64>,
    quantities: Vec<f64>,
}

impl Purchases {
    /// Room for a day per line of `lines` and an offset per customer.
    fn with_capacity(lines: usize, customers: usize) -> Purchases {
        // At most a day per line; reserved once rather than grown by doubling, and trimmed after.
        let mut offsets = Vec::with_capacity(customers + 1);
        offsets.push(0u32);
        Purchases {
            offsets,
            days: Vec::with_capacity(lines),
            amounts: Vec::with_capacity(lines),
            quantities: Vec::with_capacity(lines),
        }
    }

    /// Appends the days of a customer's `group`, sorted by day: a day per distinct date with a
    /// purchase, with the amounts and quantities of its lines summed, and each return netted
    /// into the purchase day before it (or, before any, the first). Returns where the
    /// customer's days start.
    fn add_days(&mut self, group: &[Line]) -> usize {
        let start = self.days.len();
        // Returns dated before the customer's first purchase day, netted into that day.
        let mut early = (0.0, 0.0);
        for l in group.iter().filter(|l| l.day() != NO_DATE) {
            let bought = self.days.len() > start;
            if bought && (self.days.last() == Some(&l.day()) || l.is_return()) {
                // The same day's lines sum; a later return nets into the last purchase day.
                if let Some(x) = self.amounts.last_mut() {
                    *x += l.amount;
                }
                if let Some(x) = self.quantities.last_mut() {
                    *x += l.quantity;
                }
            } else if l.is_return() {
                early.0 += l.amount;
                early.1 += l.quantity;
            } else {
                self.days.push(l.day());
                self.amounts.push(l.amount);
                self.quantities.push(l.quantity);
                if early != (0.0, 0.0) {
                    if let (Some(a), Some(q)) =
                        (self.amounts.last_mut(), self.quantities.last_mut())
                    {
                        *a += early.0;
                        *q += early.1;
                    }
                    early = (0.0, 0.0);
                }
            }
        }
        start
    }

    /// Trims the days and hands them to `facts`.
    fn into_facts(mut self, facts: &mut Facts) {
        self.days.shrink_to_fit();
        self.amounts.shrink_to_fit();
        self.quantities.shrink_to_fit();
        facts.offsets = self.offsets;
        facts.days = self.days;
        facts.day_amounts = self.amounts;
        facts.day_quantities = self.quantities;
    }
}

/// Each customer's distinct products with their amounts, built customer by customer when the
/// lines name products (`on`).
struct Bought {
    on: bool,
    offsets: Vec<u32>,
    items: Vec<(u32, f64)>,
}

impl Bought {
    /// Room for an offset per customer when `on`.
    fn new(on: bool, customers: usize) -> Bought {
        let mut offsets = Vec::with_capacity(if on { customers + 1 } else { 0 });
        offsets.push(0u32);
        Bought {
            on,
            offsets,
            items: Vec::new(),
        }
    }

    /// Appends the products of a customer's `group`, ascending, with the amounts of a
    /// product's lines summed.
    fn add(&mut self, group: &[Line]) {
        let items = &mut self.items;
        let start = items.len();
        items.extend(
            group
                .iter()
                .filter(|l| l.product != NO_TEXT)
                .map(|l| (l.product, l.amount)),
        );
        if let Some(mine) = items.get_mut(start..) {
            mine.sort_unstable_by_key(|p| p.0);
        }
        // Merge repeats of a product in place.
        let mut w = start;
        for r in start..items.len() {
            let Some(&(p, a)) = items.get(r) else { break };
            match items.get_mut(w.wrapping_sub(1)) {
                Some(prev) if w > start && prev.0 == p => prev.1 += a,
                _ => {
                    if let Some(slot) = items.get_mut(w) {
                        *slot = (p, a);
                    }
                    w += 1;
                }
            }
        }
        items.truncate(w);
        self.offsets.push(items.len() as u32);
    }

    /// The products, with each product's amount per year ascending by product and year.
    fn into_products(
        mut self,
        labels: Labeler,
        product_years: FxHashMap<(u32, i32), f64>,
    ) -> Products {
        self.items.shrink_to_fit();
        let mut by_year: Vec<(u32, i32, f64)> = product_years
            .into_iter()
            .map(|((p, y), a)| (p, y, a))
            .collect();
        crate::sort::by(&mut by_year, |a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        Products {
            labels: labels.labels,
            offsets: self.offsets,
            items: self.items,
            by_year,
            same_period: Vec::new(),
        }
    }
}

/// Sorts a customer's `lines`, which are in row order, by day stably: as `(day, position)`
/// packed in one word, so one `sort_unstable` on `buf` (kept across customers, as is `out`) does
/// it, without a comparator or an allocation per customer.
fn sort_by_day(lines: &mut [Line], buf: &mut Vec<u64>, out: &mut Vec<Line>) {
    buf.clear();
    buf.extend(
        lines
            .iter()
            .enumerate()
            .map(|(k, l)| (u64::from(l.key ^ 0x8000_0000) << 32) | k as u64),
    );
    buf.sort_unstable();
    out.clear();
    out.extend(
        buf.iter()
            .filter_map(|&k| lines.get(k as u32 as usize).copied()),
    );
    if out.len() == lines.len() {
        lines.copy_from_slice(out);
    }
}

fn from_register(t: &Table, owner: &[u32], facts: &mut Facts) {
    // A customer listed twice keeps its first row, as `customers` counts it.
    let mut seen = vec![false; facts.customers.len()];
    let owner: Vec<u32> = owner
        .iter()
        .map(|&i| match seen.get_mut(i as usize) {
            Some(s) if !*s => {
                *s = true;
                i
            }
            _ => u32::MAX,
        })
        .collect();
    let owner = owner.as_slice();
    let with_orders = facts.has.orders;
    let amount = numbers(t, Field::Amount);
    let first = dates(t, Field::FirstOrderDate);
    let last = dates(t, Field::LastOrderDate);
    let count = numbers(t, Field::OrderCount);
    let has = &mut facts.has;
    // The order list, when there is one, is the record of purchases; the register adds what
    // only it knows (arrears, complaints, …).
    if !with_orders {
        has.amount = !amount.is_empty();
        has.first_order = first.is_some();
        has.last_order = last.is_some();
        has.orders = !count.is_empty();
    }
    let mut fill = |f: Field, flag: bool, set: fn(&mut Fact, f64)| -> bool {
        let cols = numbers(t, f);
        if flag || cols.is_empty() {
            return flag;
        }
        for (r, &i) in owner.iter().enumerate() {
            if let (Some(c), Some(x)) = (facts.customers.get_mut(i as usize), sum_at(&cols, r)) {
                set(c, x);
            }
        }
        true
    };
    let has_profit = fill(Field::Profit, has.profit, |c, x| c.profit = Some(x));
    let has_returns = fill(Field::Returns, has.returns, |c, x| c.returns = Some(x));
    let has_receivable = fill(Field::Receivable, has.receivable, |c, x| {
        c.receivable = Some(x)
    });
    let has_payment = fill(Field::PaymentDays, has.payment_days, |c, x| {
        c.payment_days = Some(x)
    });
    let has_quantity = fill(Field::Quantity, has.quantity, |c, x| c.quantity = Some(x));
    let has_credit = fill(Field::CreditLimit, has.credit_limit, |c, x| {
        c.credit_limit = Some(x)
    });
    let has_nps = fill(Field::Nps, has.nps, |c, x| c.nps = Some(x));
    fill(Field::Age, false, |c, x| {
        if (0.0..=MAX_AGE).contains(&x) {
            c.age = Some(x);
        } else {
            c.age_invalid = true;
        }
    });
    let customers = &mut facts.customers;
    let has_complaints = register_feedback(
        t,
        owner,
        Field::Complaints,
        has.complaints,
        customers,
        |c| &mut c.complaints,
    );
    let has_praise = register_feedback(t, owner, Field::Praise, has.praise, customers, |c| {
        &mut c.praise
    });
    has.suggestions = register_feedback(
        t,
        owner,
        Field::Suggestions,
        has.suggestions,
        customers,
        |c| &mut c.suggestions,
    );
    has.quantity = has_quantity;
    has.credit_limit = has_credit;
    has.nps = has_nps;
    if let Some(birth) = dates(t, Field::BirthDate) {
        for (r, &i) in owner.iter().enumerate() {
            if let (Some(c), Some(&d)) = (facts.customers.get_mut(i as usize), birth.get(r)) {
                if d != NO_DATE {
                    c.birth_date = Some(d);
                }
            }
        }
    }
    if facts.satisfaction.is_empty() {
        let n = facts.customers.len();
        facts.satisfaction = headed_numbers(t, Field::Satisfaction)
            .into_iter()
            .map(|(header, col)| {
                let mut values = vec![f64::NAN; n];
                for (r, &i) in owner.iter().enumerate() {
                    if let (Some(slot), Some(&x)) = (values.get_mut(i as usize), col.get(r)) {
                        *slot = x;
                    }
                }
                ScoreColumn { header, values }
            })
            .collect();
    }
    has.profit = has_profit;
    has.returns = has_returns;
    has.receivable = has_receivable;
    has.payment_days = has_payment;
    has.complaints = has_complaints;
    has.praise = has_praise;

    if !with_orders {
        for (r, &i) in owner.iter().enumerate() {
            let Some(c) = facts.customers.get_mut(i as usize) else {
                continue;
            };
            if let Some(a) = sum_at(&amount, r) {
                c.amount = Some(a);
            } else if has.amount {
                c.amount.get_or_insert(0.0);
            }
            let day =
                |v: Option<&[i32]>| v.and_then(|v| v.get(r).copied()).filter(|&d| d != NO_DATE);
            c.first_order = day(first).or(c.first_order);
            c.last_order = day(last).or(c.last_order);
            if let Some(k) = sum_at(&count, r) {
                c.orders = Some(k.max(0.0).min(u32::MAX as f64) as u32);
            }
        }
        // A register with dates but no count: one order is known to have happened.
        for c in &mut facts.customers {
            if c.orders.is_none() && c.last_order.is_some() {
                c.orders = Some(1);
            }
            if let (Some(f), Some(l)) = (c.first_order, c.last_order) {
                if f > l {
                    c.first_order = Some(l);
                }
            }
            if c.last_order.is_none() && c.first_order.is_some() && c.orders == Some(1) {
                c.last_order = c.first_order;
            }
        }
        has.last_order |= has.first_order && facts.customers.iter().any(|c| c.last_order.is_some());
        has.orders |= has.last_order;
        let years: Vec<i32> = {
            let mut y: Vec<i32> = t
                .columns
                .iter()
                .filter(|c| c.field == Some(Field::Amount))
                .filter_map(|c| c.year)
                .collect();
            crate::sort::by(&mut y, |a, b| a.cmp(b));
            y.dedup();
            y
        };
        for year in years {
            let cols: Vec<&[f64]> = t
                .columns
                .iter()
                .filter(|c| c.field == Some(Field::Amount) && c.year == Some(year))
                .filter_map(|c| match &c.data {
                    Data::Number(v) => Some(v.as_slice()),
                    _ => None,
                })
                .collect();
            let mut amounts = vec![f64::NAN; facts.customers.len()];
            for (r, &i) in owner.iter().enumerate() {
                if let (Some(slot), Some(x)) = (amounts.get_mut(i as usize), sum_at(&cols, r)) {
                    *slot = if slot.is_nan() { x } else { *slot + x };
                }
            }
            facts.year_amounts.push(YearAmounts { year, amounts });
        }
    }
}

/// Reads the register's feedback column `f` into each customer's `slot` ([`feedback`]), unless the
/// order list gave it (`given`). Returns whether the facts have it.
fn register_feedback(
    t: &Table,
    owner: &[u32],
    f: Field,
    given: bool,
    customers: &mut [Fact],
    slot: fn(&mut Fact) -> &mut Option<f64>,
) -> bool {
    if given {
        return true;
    }
    let cols = feedback::columns(t, f);
    if cols.is_empty() {
        return false;
    }
    let counts = feedback::per_customer(&cols, owner, customers.len());
    for (c, x) in customers.iter_mut().zip(counts) {
        if x.is_some() {
            *slot(c) = x;
        }
    }
    true
}

/// Labels of one text column per customer: the first non-blank value seen for the customer,
/// cleaned (full-width folded, trimmed) so "华东 " and "华东" group together.
fn dim_of(t: &Table, column: &Column, owner: &[u32], n: usize) -> Option<Dim> {
    let Data::Text(col) = &column.data else {
        return None;
    };
    let mut values = vec![NO_TEXT; n];
    let mut labels = Labeler::new(t, false);
    for (r, &i) in owner.iter().enumerate() {
        let Some(slot) = values.get_mut(i as usize) else {
            continue;
        };
        if *slot != NO_TEXT {
            continue;
        }
        if let Some(label) = col.get(r).and_then(|&id| labels.label(t, id)) {
            *slot = label;
        }
    }
    (!labels.labels.is_empty()).then_some(Dim {
        field: column.field,
        header: column.header.clone(),
        labels: labels.labels,
        values,
    })
}

/// Each customer's income: its first non-blank cell, a number (times the header's unit, 万元 and
/// the like) or, when it is no number ("5000-8000"), its text. The table keeps income cells as
/// text for this.
fn incomes(t: &Table, owner: &[u32], n: usize) -> Option<Incomes> {
    use crate::table::normalize::{parse_number, Num};
    let column = t.column(Field::Income)?;
    let Data::Text(cells) = &column.data else {
        return None;
    };
    let scale = t
        .mapping
        .columns
        .iter()
        .find(|m| m.index == column.source)
        .map_or(1.0, |m| m.scale);
    let mut amounts = vec![f64::NAN; n];
    let mut texts = vec![NO_TEXT; n];
    let mut labels = Labeler::new(t, false);
    for (r, &i) in owner.iter().enumerate() {
        let (Some(amount), Some(text)) = (amounts.get_mut(i as usize), texts.get_mut(i as usize))
        else {
            continue;
        };
        let Some(&id) = cells.get(r).filter(|&&id| (id as usize) < t.pool.len()) else {
            continue;
        };
        if !amount.is_nan() || *text != NO_TEXT {
            continue;
        }
        match parse_number(t.pool.get(id)) {
            Num::Value(x) => *amount = x * scale,
            Num::Invalid => *text = labels.label(t, id).unwrap_or(NO_TEXT),
            Num::Empty => {}
        }
    }
    let known = amounts.iter().any(|a| !a.is_nan()) || !labels.labels.is_empty();
    known.then(|| Incomes {
        header: column.header.clone(),
        amounts,
        labels: labels.labels,
        texts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts_of(csv: &str) -> (Facts, Vec<Option<String>>) {
        let book =
            crate::Book::open(csv.as_bytes(), &crate::read::grid::Limits::default()).unwrap();
        let ds = crate::table::dataset::choose(&book, None, &Default::default()).unwrap();
        let customers = crate::facts::customers::resolve(&ds);
        let names = customers.list.iter().map(|c| c.name.clone()).collect();
        (build(&ds, &customers, None), names)
    }

    /// Amounts and quantities are summed from each customer's group of lines, the rarer columns
    /// line by line; a blank is no value, a customer whose lines have no quantity has none, and
    /// profit falls back to amount less cost line by line. An order without an amount is no
    /// purchase of 0: its customer (丙) is not a buyer.
    #[test]
    fn sums_of_interleaved_customers_with_blanks() {
        let (facts, names) = facts_of(
            "客户名称,订单日期,销售额,数量,成本\n\
             甲,2024-03-01,100,,30\n\
             乙,2024-03-02,10,,\n\
             甲,2024-03-05,7,2,5\n\
             丙,2024-03-06,,,\n\
             甲,2024-03-04,50.5,,\n\
             乙,2024-03-02,-4,,1\n\
             丁,2024-03-03,0.1,,\n\
             丁,2024-03-01,0.2,,\n\
             丁,2024-03-02,0.3,,\n",
        );
        let fact = |name: &str| {
            let i = names
                .iter()
                .position(|n| n.as_deref() == Some(name))
                .unwrap();
            facts.customers[i].clone()
        };
        let (a, b) = (fact("甲"), fact("乙"));
        assert!(!names.iter().any(|n| n.as_deref() == Some("丙")));
        assert_eq!(
            (a.amount, a.quantity, a.profit),
            (Some(157.5), Some(2.0), Some(72.0))
        );
        assert_eq!((a.orders, a.largest_order), (Some(3), Some(100.0)));
        assert_eq!(
            (b.amount, b.quantity, b.profit),
            (Some(6.0), None, Some(-5.0))
        );
        // Two lines of one day are one order of their sum.
        assert_eq!((b.orders, b.largest_order), (Some(1), Some(6.0)));
        // Summed in row order, not in day order: 0.1 + 0.2 + 0.3 is not 0.2 + 0.3 + 0.1.
        let d = fact("丁");
        assert_eq!(d.amount, Some(0.1 + 0.2 + 0.3));
        assert_ne!(d.amount, Some(0.2 + 0.3 + 0.1));
    }

    /// Ages: the column as written, else whole years from the birth date to the as-of date (the
    /// day after the last purchase, 2024-12-31); an impossible one is flagged, never kept. An
    /// income is a number (万 read) or, when no number, its text.
    #[test]
    fn ages_and_incomes_of_a_register() {
        let (facts, names) = facts_of(
            "客户名称,年龄,出生日期,月收入,最近购买日期\n\
             甲,30,,5000,2024-12-30\n\
             乙,,1990-12-31,5000-8000,\n\
             丙,,1991-01-01,1.2万,\n\
             丁,-3,1990-01-01,-200,\n\
             戊,,2025-01-05,,\n\
             己,130,,,\n\
             庚,,,保密,\n",
        );
        assert_eq!(facts.as_of, Some(day(2024, 12, 31)));
        let got: Vec<(String, Option<f64>, bool)> = names
            .iter()
            .zip(&facts.customers)
            .map(|(n, c)| (n.clone().unwrap(), c.age, c.age_invalid))
            .collect();
        let want = [
            ("甲", Some(30.0), false),
            ("乙", Some(34.0), false),
            ("丙", Some(33.0), false),
            ("丁", None, true),
            ("戊", None, true),
            ("己", None, true),
            ("庚", None, false),
        ]
        .map(|(n, a, i)| (n.to_string(), a, i));
        assert_eq!(got, want);
        let incomes = facts.income.unwrap();
        let amounts: Vec<String> = incomes.amounts.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            amounts,
            ["5000", "NaN", "12000", "-200", "NaN", "NaN", "NaN"]
        );
        let texts: Vec<Option<&str>> = incomes
            .texts
            .iter()
            .map(|&t| incomes.labels.get(t as usize).map(String::as_str))
            .collect();
        assert_eq!(
            texts,
            [
                None,
                Some("5000-8000"),
                None,
                None,
                None,
                None,
                Some("保密")
            ]
        );
    }

    /// Feedback columns are text columns: a text per line is one entry, a number that many, a
    /// blank or a "none" word none. A customer with lines has a count (0 when all are blank).
    #[test]
    fn feedback_is_counted_from_texts_and_numbers() {
        let (facts, names) = facts_of(
            "客户名称,订单日期,销售额,投诉内容,好评次数\n\
             甲,2024-03-01,100,发货慢,2\n\
             甲,2024-03-02,10,无,\n\
             乙,2024-03-02,10,,\n\
             甲,2024-03-05,7,3次,1\n",
        );
        assert!(facts.has.complaints && facts.has.praise && !facts.has.suggestions);
        let got: Vec<_> = names
            .iter()
            .zip(&facts.customers)
            .map(|(n, c)| (n.clone().unwrap(), c.complaints, c.praise, c.suggestions))
            .collect();
        assert_eq!(
            got,
            [
                ("甲".into(), Some(4.0), Some(3.0), None),
                ("乙".into(), Some(0.0), Some(0.0), None)
            ]
        );
    }

    #[test]
    fn whole_years_as_people_count_them() {
        let years = |b: (i32, u32, u32), d: (i32, u32, u32)| {
            whole_years(day(b.0, b.1, b.2), day(d.0, d.1, d.2)).unwrap()
        };
        assert_eq!(years((1990, 12, 31), (2024, 12, 30)), 33);
        assert_eq!(years((1990, 12, 31), (2024, 12, 31)), 34);
        assert_eq!(years((2000, 2, 29), (2023, 2, 28)), 22);
        assert_eq!(years((2000, 2, 29), (2023, 3, 1)), 23);
        assert_eq!(years((2000, 2, 29), (2024, 2, 29)), 24);
        assert_eq!(years((2025, 1, 5), (2024, 12, 31)), -1);
        assert_eq!(years((2024, 12, 31), (2024, 12, 31)), 0);
    }

    fn day(y: i32, m: u32, d: u32) -> i32 {
        days::day_number(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    /// The last year is partial when its last purchase and the as-of date are before its end;
    /// February 29 is compared with February 28.
    #[test]
    fn same_period_of_a_partial_year() {
        let day = |y, m, d| days::day_number(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap());
        let p = SamePeriod::of(day(2024, 2, 29), day(2024, 3, 1)).unwrap();
        assert_eq!(
            (p.to, p.vs_from, p.vs_to),
            (day(2024, 2, 29), day(2023, 1, 1), day(2023, 2, 28))
        );
        assert!(p.before(day(2023, 2, 28)) && !p.before(day(2023, 3, 1)));
        // The last day of the year, or an as-of date in the next year: a whole year.
        assert_eq!(SamePeriod::of(day(2024, 12, 31), day(2025, 1, 1)), None);
        assert_eq!(SamePeriod::of(day(2024, 3, 15), day(2025, 1, 1)), None);
        assert!(SamePeriod::of(day(2024, 3, 15), day(2024, 12, 31)).is_some());
        // An as-of date later in the year: the stretch runs to the day before it.
        let p = SamePeriod::of(day(2024, 2, 1), day(2024, 6, 30)).unwrap();
        assert_eq!((p.to, p.vs_to), (day(2024, 6, 29), day(2023, 6, 29)));
    }

    proptest! {
        /// The packed sort is the stable sort by day, negative days and no date included.
        #[test]
        fn lines_sorted_by_day_as_a_stable_sort(
            days in proptest::collection::vec(
                prop_oneof![Just(NO_DATE), Just(i32::MAX), -3i32..3, any::<i32>()], 0..40),
        ) {
            // Each line's position in its amount, to see the order among lines of one day.
            let mut lines: Vec<Line> = days
                .iter()
                .enumerate()
                .map(|(k, &d)| Line { key: d as u32, product: NO_TEXT, amount: k as f64, quantity: 0.0 })
                .collect();
            let mut want: Vec<(i32, f64)> = lines.iter().map(|l| (l.day(), l.amount)).collect();
            want.sort_by_key(|p| p.0);
            // Buffers left over from an earlier customer.
            let (mut buf, mut out) = (vec![7; 3], lines.iter().take(2).copied().collect());
            sort_by_day(&mut lines, &mut buf, &mut out);
            let got: Vec<(i32, f64)> = lines.iter().map(|l| (l.day(), l.amount)).collect();
            prop_assert_eq!(got, want);
        }
    }
}
