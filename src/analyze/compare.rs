//! What a year is compared with (同期): the calendar year before it, or, when the last year with
//! purchases is partial (the day before the as-of date, by default its last purchase, is before
//! December 31), January 1 to that day against the same dates of the year before. Performance,
//! distribution and BCG compare the last year this way and report the stretches as [`Compared`].

use crate::analyze::chart::Text;
use crate::facts::days::date_of;
use crate::facts::{ByYear, Facts, SamePeriod};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// The two stretches compared: `from`–`to` of the later year against `vs_from`–`vs_to`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compared {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub vs_from: NaiveDate,
    pub vs_to: NaiveDate,
    /// "2024年1月1日–3月15日 vs 2023年同期", or "2024年 vs 2023年" for whole years.
    pub label: Text,
}

/// The same period, when `year` is the partial last year.
fn partial(facts: &Facts, year: i32) -> Option<SamePeriod> {
    facts
        .same_period
        .filter(|p| date_of(p.to).is_some_and(|d| d.year() == year))
}

/// How `year` is compared with the year before.
pub fn compared(facts: &Facts, year: i32) -> Option<Compared> {
    let jan1 = |y| NaiveDate::from_ymd_opt(y, 1, 1);
    let (from, vs_from) = (jan1(year)?, jan1(year - 1)?);
    let Some(p) = partial(facts, year) else {
        return Some(Compared {
            from,
            to: NaiveDate::from_ymd_opt(year, 12, 31)?,
            vs_from,
            vs_to: NaiveDate::from_ymd_opt(year - 1, 12, 31)?,
            label: Text::new(
                format!("{year}年 vs {}年", year - 1),
                format!("{year} vs {}", year - 1),
            ),
        });
    };
    let to = date_of(p.to)?;
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.get(to.month0() as usize).copied().unwrap_or("");
    Some(Compared {
        from,
        to,
        vs_from,
        vs_to: date_of(p.vs_to)?,
        label: Text::new(
            format!(
                "{year}年1月1日–{}月{}日 vs {}年同期",
                to.month(),
                to.day(),
                year - 1
            ),
            format!(
                "Jan 1–{month} {} {year} vs same period {}",
                to.day(),
                year - 1
            ),
        ),
    })
}

/// Each customer's amount in what `year` is compared with (the year before, or its same
/// period), and whether it bought then (a purchase day, or a register amount above 0).
pub fn before(facts: &Facts, by_year: &ByYear<'_>, year: i32) -> Vec<(f64, bool)> {
    let n = facts.customers.len();
    if let Some(p) = partial(facts, year) {
        return (0..n)
            .map(|i| {
                facts
                    .purchases(i)
                    .filter(|&(d, _)| p.before(d))
                    .fold((0.0, false), |(sum, _), (_, a)| (sum + a, true))
            })
            .collect();
    }
    (0..n)
        .map(|i| {
            let bought = by_year.of(i).iter().find(|e| e.0 == year - 1);
            let a = bought.map_or(0.0, |e| e.1);
            (a, bought.is_some() && (facts.has.purchase_days || a > 0.0))
        })
        .collect()
}
