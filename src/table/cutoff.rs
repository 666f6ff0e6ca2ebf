//! Dates after the as-of date, which no analysis may take for history. The as-of date here is
//! the caller's `as_of`, else its today: a date after today is a slip of the keyboard or a
//! planned order, not a purchase. An order list's lines dated after it are left out of the table
//! and counted in the quality report, with their amount and one warning naming how many and the
//! latest date; first and last order dates after it are blanked, each with a warning. So the
//! default as-of date is the day after the last purchase that has happened, and no recency or
//! tenure is negative.

use crate::table::dataset::Dataset;
use crate::table::mapping::Field;
use crate::table::quality::SkipReason;
use crate::table::{cell_ref, date_of, day_number, Data, Table, NO_DATE};
use chrono::NaiveDate;

/// The last day a purchase may be on, and whether it is the caller's today (else its `as_of`).
pub type Last = (NaiveDate, bool);

/// Leaves out of `ds` what is dated after `last`.
pub fn cut(ds: &mut Dataset, last: Last) {
    let day = day_number(last.0);
    if let Some(t) = ds.orders.as_mut() {
        cut_lines(t, day, last);
    }
    for t in ds.register.iter_mut().chain(ds.orders.iter_mut()) {
        blank_dates(t, day, last);
    }
}

/// Leaves out the order lines dated after `day` (NO_DATE is below every day).
fn cut_lines(t: &mut Table, day: i32, last: Last) {
    let Some(col) = t.column(Field::OrderDate) else {
        return;
    };
    let Data::Date(days) = &col.data else {
        return;
    };
    // The latest date after `day` and its line; most files have none, and cost one pass.
    let Some((r, &latest)) = days
        .iter()
        .enumerate()
        .filter(|(_, &d)| d > day)
        .max_by_key(|(r, &d)| (d, std::cmp::Reverse(*r)))
    else {
        return;
    };
    let keep: Vec<bool> = days.iter().map(|&d| d <= day).collect();
    let lines = keep.iter().filter(|k| !**k).count() as u64;
    let cell = cell_ref(&t.sheet, col.source, t.rows.get(r).copied().unwrap_or(0));
    let value = date_of(latest).map(|d| d.to_string()).unwrap_or_default();
    t.quality.after_as_of(cell, value, Some(lines), last);
    crate::table::orders::leave_out(t, &keep, SkipReason::AfterAsOf);
}

/// Blanks first and last order dates after `day`, with a warning each.
fn blank_dates(t: &mut Table, day: i32, last: Last) {
    let Table {
        sheet,
        rows,
        columns,
        quality,
        ..
    } = t;
    for c in columns
        .iter_mut()
        .filter(|c| matches!(c.field, Some(Field::FirstOrderDate | Field::LastOrderDate)))
    {
        let Data::Date(days) = &mut c.data else {
            continue;
        };
        for (r, d) in days.iter_mut().enumerate().filter(|(_, d)| **d > day) {
            let cell = cell_ref(sheet, c.source, rows.get(r).copied().unwrap_or(0));
            let value = date_of(*d).map(|d| d.to_string()).unwrap_or_default();
            quality.after_as_of(cell, value, None, last);
            *d = NO_DATE;
        }
    }
}
