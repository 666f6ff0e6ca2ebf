//! Dates as day numbers: the table stores a date as its days since 1970-01-01, and every later
//! stage does its arithmetic (recency, spans, years) on those numbers.

use chrono::{Datelike, NaiveDate};

/// A missing date.
pub const NO_DATE: i32 = i32::MIN;

/// Converts a date to the table's day number.
pub fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_DAYS_FROM_CE
}

/// The date of a table day number.
pub fn date_of(day: i32) -> Option<NaiveDate> {
    if day == NO_DATE {
        return None;
    }
    NaiveDate::from_num_days_from_ce_opt(day.checked_add(EPOCH_DAYS_FROM_CE)?)
}

/// The same date a year earlier, February 29 read as February 28: what a date is compared with
/// in the same period (同期) of the year before.
pub fn a_year_before(d: NaiveDate) -> Option<NaiveDate> {
    d.with_year(d.year() - 1)
        .or_else(|| NaiveDate::from_ymd_opt(d.year() - 1, 2, 28))
}

/// The calendar year of table days, remembered by day: order lines repeat a few thousand days,
/// and working a year out through a date costs as much as the rest of a line's step in `facts`.
pub struct YearOf {
    /// (day, its year) by day modulo the length; [`NO_DATE`] where none is kept.
    seen: Vec<(i32, i32)>,
}

impl YearOf {
    pub fn new() -> Self {
        YearOf {
            seen: vec![(NO_DATE, 0); 4096],
        }
    }

    /// The year of `day`, as `date_of(day)` has it; `None` for [`NO_DATE`] and days out of range.
    pub fn year(&mut self, day: i32) -> Option<i32> {
        if day == NO_DATE {
            return None;
        }
        let slot = self.seen.get_mut((day & 4095) as usize)?;
        if slot.0 == day {
            return Some(slot.1);
        }
        let year = date_of(day)?.year();
        *slot = (day, year);
        Some(year)
    }
}

impl Default for YearOf {
    fn default() -> Self {
        YearOf::new()
    }
}

/// Days from 0001-01-01 (day 1) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 719_163;
