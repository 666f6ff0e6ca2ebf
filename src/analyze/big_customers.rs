//! Big customers (大客户) and their files (大客户档案): the customers whose contribution over a
//! recent stretch reaches a monthly threshold, graded, each with what a key-account manager looks
//! at first.
//!
//! Definition (docs/analyses.md):
//! - The period: with dated purchases, the `months` (default 12) ending the day before the as-of
//!   date, against the same dates a year earlier (同期). A register's year-split amounts use its
//!   last year against the year before.
//! - Monthly contribution = the period's amount ÷ its months. When the data starts inside the
//!   period, ÷ the months it covers, and the section says so.
//! - A big customer's monthly contribution is at least `threshold` (default 2,000): 战略大客户 at
//!   `strategic_multiple` × the threshold (default 5), 重点大客户 at `key_multiple` × (default
//!   2), else 普通大客户.
//! - Its file: the period's amount, its share of every customer's period amount, the same period a
//!   year earlier and the change (unknown, never 0, where the data does not reach back that
//!   far), its rank among buyers in both periods, its CLV where the model ran, industry and
//!   region, last order, and whether it is slipping: its amount fell by `slip_drop` % or more
//!   (default 20), or it is sleeping or lost, or alerted as a pre-churn key customer.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::analyze::lifecycle::Stage;
use crate::facts::days::{a_year_before, date_of, day_number};
use crate::facts::Facts;
use crate::table::mapping::Field;
use chrono::{Months, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BigOptions {
    /// Monthly contribution from which a customer is a big customer.
    pub threshold: f64,
    /// The period's length in months, for dated purchases.
    pub months: u32,
    /// Multiples of the threshold from which a big customer is 重点 and 战略.
    pub key_multiple: f64,
    pub strategic_multiple: f64,
    /// A fall of this percent on the same period a year earlier marks a big customer slipping.
    pub slip_drop: f64,
}

impl Default for BigOptions {
    fn default() -> Self {
        BigOptions {
            threshold: 2000.0,
            months: 12,
            key_multiple: 2.0,
            strategic_multiple: 5.0,
            slip_drop: 20.0,
        }
    }
}

impl BigOptions {
    pub fn check(&self) -> Result<(), String> {
        let o = self;
        if !(o.threshold.is_finite() && o.threshold > 0.0) {
            return Err("big_customers.threshold must be a number > 0".into());
        }
        if !(1..=60).contains(&o.months) {
            return Err("big_customers.months must be 1–60".into());
        }
        let (k, s) = (o.key_multiple, o.strategic_multiple);
        if !(k.is_finite() && k >= 1.0 && s.is_finite() && s >= k) {
            return Err("big_customers: need 1 ≤ key_multiple ≤ strategic_multiple".into());
        }
        if !(o.slip_drop.is_finite() && (0.0..=100.0).contains(&o.slip_drop)) {
            return Err("big_customers.slip_drop must be 0–100".into());
        }
        Ok(())
    }
}

/// A big customer's grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    Strategic,
    Key,
    Ordinary,
}

impl Grade {
    pub const ALL: [Grade; 3] = [Grade::Strategic, Grade::Key, Grade::Ordinary];

    pub fn key(self) -> &'static str {
        match self {
            Grade::Strategic => "strategic",
            Grade::Key => "key",
            Grade::Ordinary => "ordinary",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Grade::Strategic => Text::new("战略大客户", "Strategic account"),
            Grade::Key => Text::new("重点大客户", "Key account"),
            Grade::Ordinary => Text::new("普通大客户", "Ordinary big customer"),
        }
    }

    /// The multiple of the threshold the grade starts at.
    fn multiple(self, o: &BigOptions) -> f64 {
        match self {
            Grade::Strategic => o.strategic_multiple,
            Grade::Key => o.key_multiple,
            Grade::Ordinary => 1.0,
        }
    }

    fn of(monthly: f64, o: &BigOptions) -> Option<Grade> {
        Grade::ALL
            .into_iter()
            .find(|g| monthly >= g.multiple(o) * o.threshold)
    }
}

/// Why a big customer is flagged as slipping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Slip {
    /// Its amount fell by `slip_drop` % or more on the same period a year earlier.
    Decline,
    Sleeping,
    Lost,
    /// A pre-churn key customer (the alerts).
    Alert,
}

impl Slip {
    pub const ALL: [Slip; 4] = [Slip::Decline, Slip::Sleeping, Slip::Lost, Slip::Alert];

    pub fn key(self) -> &'static str {
        match self {
            Slip::Decline => "decline",
            Slip::Sleeping => "sleeping",
            Slip::Lost => "lost",
            Slip::Alert => "alert",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Slip::Decline => Text::new("同比下降", "Down on the year before"),
            Slip::Sleeping => Text::new("沉睡", "Sleeping"),
            Slip::Lost => Text::new("流失", "Lost"),
            Slip::Alert => Text::new("预流失重点客户", "Pre-churn alert"),
        }
    }
}

/// The two stretches compared.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The same dates a year earlier; `None` where the data does not reach back that far.
    pub vs_from: Option<NaiveDate>,
    pub vs_to: Option<NaiveDate>,
    /// Months of data in the period (less than its length when the data starts inside it); the
    /// monthly averages divide by it, or by 1 when it is less.
    pub months: f64,
    pub label: Text,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GradeRow {
    pub grade: Grade,
    pub label: Text,
    /// The monthly contribution the grade starts at.
    pub monthly_from: f64,
    pub customers: u64,
    pub amount: f64,
    /// Percent of every customer's amount in the period.
    pub amount_share: f64,
}

/// A big customer's file (大客户档案).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct File {
    /// Index into the report's `customers`.
    pub customer: u32,
    pub grade: Grade,
    pub monthly_amount: f64,
    /// Amount in the period.
    pub amount: f64,
    /// Percent of every customer's amount in the period.
    pub share: f64,
    /// Amount in the same period a year earlier, `None` where the data does not cover it.
    pub amount_before: Option<f64>,
    pub change: Option<f64>,
    /// Percent change; `None` also when it bought nothing then.
    pub growth: Option<f64>,
    /// 1 = the largest amount in the period, among customers who bought in it.
    pub rank: u32,
    pub rank_before: Option<u32>,
    /// Places gained (positive) or lost since the period a year earlier.
    pub rank_change: Option<i64>,
    /// Amount over all the data.
    pub total_amount: f64,
    /// The CLV model's predicted value, where it ran.
    pub clv: Option<f64>,
    pub industry: Option<String>,
    pub region: Option<String>,
    pub last_order_date: Option<NaiveDate>,
    pub slipping: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slips: Vec<Slip>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BigCustomers {
    pub options: BigOptions,
    pub definition: Text,
    pub period: Period,
    /// Every customer's amount in the period.
    pub company_amount: f64,
    pub customers: u64,
    pub amount: f64,
    pub amount_share: f64,
    pub slipping: u64,
    pub grades: Vec<GradeRow>,
    /// The files, largest amount first; at most [`MAX_FILES`] (the customer table filters the
    /// rest by `big_grade`).
    pub files: Vec<File>,
    pub charts: Vec<Chart>,
}

/// Files the report lists: the customer table holds every big customer's grade.
pub const MAX_FILES: usize = 200;

/// What the other analyses tell the files.
pub struct Context<'l> {
    pub lifecycle: &'l [Option<Stage>],
    pub alert: &'l [bool],
    pub clv: &'l [Option<f64>],
}

/// Each customer's amount in the period and in the same period a year earlier (`None` when the
/// data does not cover it), and the period.
struct Amounts {
    now: Vec<f64>,
    before: Option<Vec<f64>>,
    period: Period,
}

/// Months of 30.44 days (365.25 ÷ 12).
const MONTH_DAYS: f64 = 365.25 / 12.0;

/// The period's amounts from dated purchases: `months` ending the day before the as-of date.
fn dated(facts: &Facts, months: u32) -> Option<Amounts> {
    let to_day = facts.as_of?.checked_sub(1)?;
    let (first, _) = facts.day_span()?;
    let to = date_of(to_day)?;
    let from = to.checked_sub_months(Months::new(months))?.succ_opt()?;
    let (vs_from, vs_to) = (a_year_before(from)?, a_year_before(to)?);
    let from_day = day_number(from);
    // The data starts inside the period: the months it covers.
    let months_known = if first <= from_day {
        f64::from(months)
    } else {
        (f64::from(to_day - first + 1) / MONTH_DAYS).min(f64::from(months))
    };
    // The year before counts as covered when the data starts within its first month.
    let reaches_back = first <= day_number(vs_from) + 30;
    let n = facts.customers.len();
    let (mut now, mut before) = (vec![0.0; n], vec![0.0; n]);
    let (vs_lo, vs_hi) = (day_number(vs_from), day_number(vs_to));
    for i in 0..n {
        for (d, a) in facts.purchases(i) {
            if (from_day..=to_day).contains(&d) {
                now[i] += a;
            } else if (vs_lo..=vs_hi).contains(&d) {
                before[i] += a;
            }
        }
    }
    let label = Text::new(
        format!("{}–{}（近 {months} 个月）", from, to),
        format!("{} to {} (the last {months} months)", from, to),
    );
    Some(Amounts {
        now,
        before: reaches_back.then_some(before),
        period: Period {
            from,
            to,
            vs_from: reaches_back.then_some(vs_from),
            vs_to: reaches_back.then_some(vs_to),
            months: months_known,
            label,
        },
    })
}

/// The period's amounts from a register's year-split columns: its last year, against the one
/// before.
fn by_year(facts: &Facts) -> Option<Amounts> {
    let by = facts.by_year(2);
    let &year = by.years.last()?;
    let has_before = by.years.len() == 2;
    let n = facts.customers.len();
    let amount_in = |i: usize, y: i32| by.of(i).iter().find(|e| e.0 == y).map_or(0.0, |e| e.1);
    let now = (0..n).map(|i| amount_in(i, year)).collect();
    let before = has_before.then(|| (0..n).map(|i| amount_in(i, year - 1)).collect());
    let jan1 = |y| NaiveDate::from_ymd_opt(y, 1, 1);
    let dec31 = |y| NaiveDate::from_ymd_opt(y, 12, 31);
    Some(Amounts {
        now,
        before,
        period: Period {
            from: jan1(year)?,
            to: dec31(year)?,
            vs_from: if has_before { jan1(year - 1) } else { None },
            vs_to: if has_before { dec31(year - 1) } else { None },
            months: 12.0,
            label: Text::new(format!("{year}年"), format!("{year}")),
        },
    })
}

/// Ranks (1 = largest) of the customers with an amount above 0; ties by `tiebreak`.
fn ranks<'a>(amounts: &[f64], tiebreak: &dyn Fn(usize) -> &'a str) -> Vec<Option<u32>> {
    let mut who: Vec<usize> = (0..amounts.len())
        .filter(|&i| amounts.get(i).is_some_and(|&a| a > 0.0))
        .collect();
    let at = |i: usize| amounts.get(i).copied().unwrap_or(0.0);
    // The radix sort the other rankings use: no comparison sort of its own in the wasm.
    crate::sort::by_key_then(
        &mut who,
        |&i| !crate::sort::f64_key(at(i)),
        |&a, &b| {
            at(b)
                .total_cmp(&at(a))
                .then_with(|| tiebreak(a).cmp(tiebreak(b)))
        },
    );
    let mut rank = vec![None; amounts.len()];
    for (r, i) in who.into_iter().enumerate() {
        if let Some(slot) = rank.get_mut(i) {
            *slot = Some(r as u32 + 1);
        }
    }
    rank
}

/// The label of customer `i` in the dimension of `field`, if the input has it.
fn dim_label(facts: &Facts, field: Field, i: usize) -> Option<String> {
    let d = facts.dims.iter().find(|d| d.field == Some(field))?;
    let v = *d.values.get(i)?;
    d.labels.get(v as usize).cloned()
}

/// Big customers and their files, and each customer's grade; `None` without amounts by period.
pub fn run<'a>(
    facts: &Facts,
    o: &BigOptions,
    ctx: &Context<'_>,
    tiebreak: &dyn Fn(usize) -> &'a str,
) -> Option<(BigCustomers, Vec<Option<Grade>>)> {
    let Amounts {
        now,
        before,
        period,
    } = if facts.has.purchase_days {
        dated(facts, o.months)?
    } else {
        by_year(facts)?
    };
    let company: f64 = now.iter().sum();
    let rank_now = ranks(&now, tiebreak);
    let rank_before = before.as_ref().map(|b| ranks(b, tiebreak));
    let pct = |x: f64, of: f64| if of != 0.0 { 100.0 * x / of } else { 0.0 };
    // Less than a month of data is averaged over one month, not blown up to a month's rate.
    let divisor = period.months.max(1.0);
    let mut grades = vec![None; now.len()];
    let mut files = Vec::new();
    for (i, &amount) in now.iter().enumerate() {
        let monthly = amount / divisor;
        let Some(grade) = Grade::of(monthly, o) else {
            continue;
        };
        if let Some(g) = grades.get_mut(i) {
            *g = Some(grade);
        }
        let amount_before = before.as_ref().and_then(|b| b.get(i).copied());
        let change = amount_before.map(|b| amount - b);
        let growth = amount_before
            .filter(|&b| b > 0.0)
            .map(|b| 100.0 * (amount - b) / b);
        let rank = rank_now.get(i).copied().flatten().unwrap_or(0);
        let rank_before = rank_before
            .as_ref()
            .and_then(|r| r.get(i).copied().flatten());
        let slips = slips(
            growth,
            o,
            ctx.lifecycle.get(i).copied().flatten(),
            ctx.alert.get(i).copied().unwrap_or(false),
        );
        let fact = facts.customers.get(i);
        files.push(File {
            customer: i as u32,
            grade,
            monthly_amount: monthly,
            amount,
            share: pct(amount, company),
            amount_before,
            change,
            growth,
            rank,
            rank_before,
            rank_change: rank_before.map(|b| i64::from(b) - i64::from(rank)),
            total_amount: fact.and_then(|c| c.amount).unwrap_or(0.0),
            clv: ctx.clv.get(i).copied().flatten(),
            industry: dim_label(facts, Field::Industry, i),
            region: dim_label(facts, Field::Region, i),
            last_order_date: fact.and_then(|c| c.last_order).and_then(date_of),
            slipping: !slips.is_empty(),
            slips,
        });
    }
    if files.is_empty() && company <= 0.0 {
        return None;
    }
    crate::sort::by_key(&mut files, |f| u64::from(f.rank));
    let rows: Vec<GradeRow> = Grade::ALL
        .iter()
        .map(|&g| {
            let of: Vec<&File> = files.iter().filter(|f| f.grade == g).collect();
            let amount = of.iter().map(|f| f.amount).sum();
            GradeRow {
                grade: g,
                label: g.label(),
                monthly_from: g.multiple(o) * o.threshold,
                customers: of.len() as u64,
                amount,
                amount_share: pct(amount, company),
            }
        })
        .collect();
    let amount: f64 = files.iter().map(|f| f.amount).sum();
    let slipping = files.iter().filter(|f| f.slipping).count() as u64;
    let charts = charts(&rows, &files, tiebreak);
    let customers = files.len() as u64;
    files.truncate(MAX_FILES);
    Some((
        BigCustomers {
            options: *o,
            definition: definition(o, &period),
            period,
            company_amount: company,
            customers,
            amount,
            amount_share: pct(amount, company),
            slipping,
            grades: rows,
            files,
            charts,
        },
        grades,
    ))
}

/// Why a big customer is slipping, if it is.
fn slips(growth: Option<f64>, o: &BigOptions, stage: Option<Stage>, alert: bool) -> Vec<Slip> {
    let mut s = Vec::new();
    if growth.is_some_and(|g| g <= -o.slip_drop) {
        s.push(Slip::Decline);
    }
    match stage {
        Some(Stage::Sleeping) => s.push(Slip::Sleeping),
        Some(Stage::Lost) => s.push(Slip::Lost),
        _ => {}
    }
    if alert {
        s.push(Slip::Alert);
    }
    s
}

fn definition(o: &BigOptions, p: &Period) -> Text {
    let t = o.threshold;
    Text::new(
        format!(
            "{}月均贡献 ≥ {t} 为大客户：≥ {}× 为战略大客户，≥ {}× 为重点大客户；同比下降 {}% 以上、沉睡、流失或预流失为「下滑」。",
            p.label.zh, o.strategic_multiple, o.key_multiple, o.slip_drop
        ),
        format!(
            "{}: a monthly contribution of at least {t} makes a big customer; {}× makes it strategic, {}× key. Slipping: down {}% or more on the year before, sleeping, lost or alerted.",
            p.label.en, o.strategic_multiple, o.key_multiple, o.slip_drop
        ),
    )
}

/// The grades' bar (a click filters the table) and the top 20 against the year before, named
/// by `who` (id, else name).
fn charts<'a>(rows: &[GradeRow], files: &[File], who: &dyn Fn(usize) -> &'a str) -> Vec<Chart> {
    let mut charts = vec![Chart {
        id: "big_grades".into(),
        kind: Kind::Bar,
        title: Text::new("大客户等级", "Big customers by grade"),
        categories: rows.iter().map(|r| r.label.clone()).collect(),
        keys: rows.iter().map(|r| r.grade.key().to_string()).collect(),
        series: vec![Series::new(
            Text::new("客户数", "Customers"),
            Unit::Customers,
            rows.iter().map(|r| r.customers as f64).collect(),
        )],
        x_title: None,
        y_title: None,
    }];
    let top: Vec<&File> = files.iter().take(20).collect();
    if !top.is_empty() {
        let name = |f: &File| {
            let w = who(f.customer as usize);
            Text::new(w, w)
        };
        let mut series = vec![Series::new(
            Text::new("本期金额", "This period"),
            Unit::Amount,
            top.iter().map(|f| f.amount).collect(),
        )];
        if top.iter().any(|f| f.amount_before.is_some()) {
            series.push(Series::new(
                Text::new("上年同期", "Same period a year earlier"),
                Unit::Amount,
                top.iter().map(|f| f.amount_before.unwrap_or(0.0)).collect(),
            ));
        }
        charts.push(Chart {
            id: "big_top".into(),
            kind: Kind::Bar,
            title: Text::new("前 20 位大客户", "Top 20 big customers"),
            categories: top.iter().map(|f| name(f)).collect(),
            keys: Vec::new(),
            series,
            x_title: None,
            y_title: None,
        });
    }
    charts
}
