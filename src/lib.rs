//! kexi (客析): reads customer registers and order lists and classifies customers, on the user's
//! own device. The core takes bytes and options and returns a serializable [`Report`]; it does no
//! I/O. See ARCHITECTURE.md for the map.

pub mod book;
pub mod clv;
pub mod customers;
pub mod dataset;
pub mod error;
pub mod grid;
pub mod header;
pub mod mapping;
pub mod normalize;
pub mod quality;
pub mod report;
pub mod sniff;
pub mod table;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use book::Book;
pub use error::{Error, ErrorKind, Limit, Result};
pub use grid::{Cell, Grid, Limits, StringPool, Value};
pub use report::Report;

use chrono::NaiveDate;
use dataset::Dataset;
use mapping::{Field, Overrides};
use report::{Input, QualityReport, SheetEntry, SheetMapping, SheetQuality, Summary};
use serde::Deserialize;
use table::Data;

/// What the caller chooses. Every field has a default, so `{}` is a valid options object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Analyse only this sheet (by name) instead of choosing the register and order list.
    pub sheet: Option<String>,
    /// Column mapping corrections: header text or column letter → field key or "ignore".
    pub mapping: Overrides,
    /// The date recency is measured against; default the day after the last order.
    pub as_of: Option<NaiveDate>,
    pub limits: Limits,
}

/// Reads `bytes` and reports on them: the one call the CLI, the page and the tests make.
pub fn analyze(bytes: &[u8], options: &Options) -> Result<Report> {
    let book = Book::open(bytes, &options.limits)?;
    analyze_book(&book, options)
}

/// Reports on a book already read, so a new mapping or option does not re-read the file.
pub fn analyze_book(book: &Book, options: &Options) -> Result<Report> {
    let ds = dataset::choose(book, options.sheet.as_deref(), &options.mapping)?;
    Ok(report_of(book, &ds, options))
}

fn report_of(book: &Book, ds: &Dataset, options: &Options) -> Report {
    let customers = customers::resolve(ds);

    let mut total = quality::Quality::default();
    let mut sheets_q = Vec::new();
    let mut mapping = Vec::new();
    for (role, t) in ds.tables() {
        total.absorb(&t.quality);
        sheets_q.push(SheetQuality {
            sheet: t.sheet.clone(),
            quality: t.quality.clone(),
        });
        mapping.push(SheetMapping {
            sheet: t.sheet.clone(),
            role,
            header_rows: (t.header.rows.0 + 1, t.header.rows.1 + 1),
            columns: t.mapping.columns.clone(),
        });
    }
    total.absorb(&customers.quality);
    if let Some(first) = sheets_q.first() {
        total.header_rows = first.quality.header_rows;
    }

    let (first, last) = ds
        .orders
        .as_ref()
        .and_then(|t| t.column(Field::OrderDate))
        .map_or((None, None), |c| match &c.data {
            Data::Date(v) => {
                let valid = v.iter().copied().filter(|&d| d != table::NO_DATE);
                let (lo, hi) =
                    valid.fold((i32::MAX, i32::MIN), |(lo, hi), d| (lo.min(d), hi.max(d)));
                (table::date_of(lo), table::date_of(hi))
            }
            _ => (None, None),
        });
    let as_of = options.as_of.or_else(|| last.and_then(|d| d.succ_opt()));
    let mut amount_years: Vec<i32> = ds
        .tables()
        .flat_map(|(_, t)| t.columns.iter())
        .filter(|c| c.field == Some(Field::Amount))
        .filter_map(|c| c.year)
        .collect();
    amount_years.sort_unstable();
    amount_years.dedup();
    let amounts: Vec<f64> = customers.list.iter().filter_map(|c| c.amount).collect();

    let summary = Summary {
        shape: match (&ds.register, &ds.orders) {
            (Some(_), Some(_)) => "register_and_orders",
            (None, Some(_)) => "orders",
            _ => "register",
        },
        customers: customers.list.len() as u64,
        order_lines: ds.orders.as_ref().map_or(0, |t| t.n_rows() as u64),
        total_amount: (!amounts.is_empty()).then(|| amounts.iter().sum()),
        first_order_date: first,
        last_order_date: last,
        as_of,
        amount_years,
    };

    let roles: Vec<(String, dataset::Role)> =
        ds.tables().map(|(r, t)| (t.sheet.clone(), r)).collect();
    let input = Input {
        format: book.format,
        file_bytes: book.file_bytes,
        encoding: book.text.as_ref().map(|t| t.encoding.to_string()),
        delimiter: book.text.as_ref().map(|t| t.delimiter.to_string()),
        sheets: book
            .sheets
            .iter()
            .map(|s| SheetEntry {
                info: s.clone(),
                role: roles.iter().find(|(n, _)| *n == s.name).map(|(_, r)| *r),
            })
            .collect(),
    };

    Report {
        input,
        mapping,
        quality: QualityReport {
            total,
            sheets: sheets_q,
            join: customers.join.clone(),
        },
        summary,
        customers: customers.list,
        analyses: Default::default(),
    }
}
