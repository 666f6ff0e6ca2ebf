//! kexi (客析): reads customer registers and order lists and classifies customers, on the user's
//! own device. The core takes bytes and options and returns a serializable [`Report`]; it does no
//! I/O. See ARCHITECTURE.md for the map.

pub mod abc;
pub mod alerts;
pub mod analyses;
pub mod bcg;
pub mod book;
pub mod cells;
pub mod chart;
pub mod clusters;
pub mod clv;
pub mod credit;
pub mod cross_sell;
pub mod customers;
pub mod dataset;
pub mod distribution;
pub mod error;
pub mod export;
pub mod facts;
pub mod filter;
pub mod flow;
pub mod grid;
pub mod header;
pub mod inflate;
pub mod lifecycle;
pub mod mapping;
pub mod normalize;
pub mod nps;
pub mod ole;
pub mod performance;
pub mod pipeline;
pub mod predict;
pub mod progress;
pub mod quality;
pub mod report;
pub mod rfm;
pub mod rng;
pub mod sample;
pub mod score;
pub mod sniff;
pub mod sort;
pub mod table;
pub mod template;
pub mod text;
pub mod value;
pub mod xlsx;

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

/// What the caller chooses. Every field has a default, so `{}` is a valid options object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Analyse only this sheet (by name) instead of choosing the register and order list.
    pub sheet: Option<String>,
    /// Column mapping corrections: header text or column letter → field key or "ignore".
    pub mapping: Overrides,
    /// The date recency is measured against; default the day after the last order.
    #[serde(deserialize_with = "normalize::de_iso_date")]
    pub as_of: Option<NaiveDate>,
    pub limits: Limits,
    pub rfm: rfm::RfmOptions,
    pub abc: abc::AbcOptions,
    pub value: value::ValueOptions,
    pub lifecycle: lifecycle::LifecycleOptions,
    pub alerts: alerts::AlertOptions,
    pub distribution: distribution::DistributionOptions,
    pub customer_flow: flow::FlowOptions,
    pub performance: performance::PerformanceOptions,
    pub bcg: bcg::BcgOptions,
    pub clusters: clusters::ClusterOptions,
    pub csi: nps::CsiOptions,
    pub credit: credit::CreditOptions,
    pub cross_sell: cross_sell::CrossSellOptions,
    pub clv: predict::ClvOptions,
}

impl Options {
    /// Reads options from JSON (the CLI's `--config` file, the page's settings), refusing
    /// unknown keys and settings out of range.
    pub fn from_json(s: &str) -> Result<Options> {
        let o: Options = serde_json::from_str(s).map_err(|e| Error::bad_option(e.to_string()))?;
        o.check()?;
        Ok(o)
    }

    /// Checks every analysis setting; the error names the first bad one.
    pub fn check(&self) -> Result<()> {
        analyses::check(self).map_err(Error::bad_option)
    }
}

/// Reads `bytes` and reports on them: the CLI's and most tests' one call (the page reads once into
/// a `Session` and reports through [`analyze_book`]).
pub fn analyze(bytes: &[u8], options: &Options) -> Result<Report> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut ahead = table::Ahead::new(&options.mapping);
        let book = Book::open_threaded(bytes, &options.limits, &mut ahead)?;
        analyze_book_with(&book, options, Some(ahead))
    }
    #[cfg(target_arch = "wasm32")]
    analyze_book(&Book::open(bytes, &options.limits)?, options)
}

/// Reports on a book already read, so a new mapping or option does not re-read the file.
pub fn analyze_book(book: &Book, options: &Options) -> Result<Report> {
    analyze_book_with(book, options, None)
}

/// [`analyze_book`], given the table of the book's largest worksheet as built while it was read
/// ([`table::Ahead`]), which is used if it is the table the options ask for.
pub fn analyze_book_with(
    book: &Book,
    options: &Options,
    ahead: Option<table::Ahead>,
) -> Result<Report> {
    let mut underway = Underway::begin(book, options.clone(), ahead)?;
    underway.analyses();
    Ok(underway.finish(None))
}

/// A report under way: the file mapped, its customers resolved and their facts built, the
/// analyses run or still to run. The page runs the analyses in steps through it, so that the CLV
/// models ([`Underway::job`]) are fitted on its other worker meanwhile ([`Underway::finish`]).
pub struct Underway {
    options: Options,
    customers: customers::Customers,
    facts: facts::Facts,
    /// The CLV job while CLV is still to be added to `results`.
    clv: Option<std::result::Result<predict::Prepared, chart::Text>>,
    results: Option<analyses::Results>,
    input: Input,
    mapping: Vec<SheetMapping>,
    quality: QualityReport,
    shape: &'static str,
    amount_years: Vec<i32>,
    order_lines: u64,
}

impl Underway {
    /// Maps `book` as `options` say and builds each customer's facts; no analysis runs yet.
    /// `ahead` is as for [`analyze_book_with`].
    pub fn begin(book: &Book, options: Options, ahead: Option<table::Ahead>) -> Result<Underway> {
        analyses::check(&options).map_err(Error::bad_option)?;
        progress::report(progress::Phase::Mapping, None, 0, None);
        let ds = dataset::choose_with(book, options.sheet.as_deref(), &options.mapping, ahead)?;
        Ok(Underway::of(book, ds, options))
    }

    /// Takes the dataset by value: its tables are the largest thing alive while the analyses
    /// run, and nothing needs them once the facts are built.
    fn of(book: &Book, ds: Dataset, options: Options) -> Underway {
        let customers = customers::resolve(&ds);

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

        progress::report(progress::Phase::Analysing, None, 0, None);
        let mut amount_years: Vec<i32> = ds
            .tables()
            .flat_map(|(_, t)| t.columns.iter())
            .filter(|c| c.field == Some(Field::Amount))
            .filter_map(|c| c.year)
            .collect();
        crate::sort::by(&mut amount_years, |a, b| a.cmp(b));
        amount_years.dedup();
        let roles: Vec<(String, dataset::Role)> =
            ds.tables().map(|(r, t)| (t.sheet.clone(), r)).collect();
        let order_lines = ds.orders.as_ref().map_or(0, |t| t.n_rows() as u64);
        let shape = match (&ds.register, &ds.orders) {
            (Some(_), Some(_)) => "register_and_orders",
            (None, Some(_)) => "orders",
            _ => "register",
        };
        let facts = facts::build(&ds, &customers, options.as_of.map(table::day_number));
        drop(ds);
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
        Underway {
            clv: Some(predict::prepare(&facts, &options.clv)),
            options,
            facts,
            results: None,
            input,
            mapping,
            quality: QualityReport {
                total,
                sheets: sheets_q,
                join: customers.join.clone(),
            },
            customers,
            shape,
            amount_years,
            order_lines,
        }
    }

    /// The CLV models' job, to be scored elsewhere and given to [`Underway::finish`]; `None`
    /// when CLV cannot run or has run.
    pub fn job(&self) -> Option<&predict::Job> {
        self.clv.as_ref()?.as_ref().ok().map(|p| &p.job)
    }

    /// Runs every analysis: natively CLV on a second thread meanwhile; in wasm (one thread)
    /// all but CLV and the alerts, which [`Underway::finish`] adds.
    pub fn analyses(&mut self) {
        #[cfg(target_arch = "wasm32")]
        self.analyses_but_clv();
        #[cfg(not(target_arch = "wasm32"))]
        {
            let customers = &self.customers;
            let tiebreak = |i: usize| tiebreak(customers, i);
            let prepared = self
                .clv
                .take()
                .unwrap_or_else(|| predict::prepare(&self.facts, &self.options.clv));
            self.results = Some(analyses::run_with(
                &self.facts,
                &self.options,
                &tiebreak,
                prepared,
            ));
        }
    }

    /// Runs every analysis but CLV and the alerts, which [`Underway::finish`] adds.
    pub fn analyses_but_clv(&mut self) {
        let customers = &self.customers;
        let tiebreak = |i: usize| tiebreak(customers, i);
        self.results = Some(analyses::run_but_clv(&self.facts, &self.options, &tiebreak));
    }

    /// The report. `scored` is [`predict::score`]'s outcome for [`Underway::job`] if it was
    /// worked out elsewhere; the analyses still to run run here.
    pub fn finish(
        self,
        scored: Option<std::result::Result<predict::Scored, clv::FitError>>,
    ) -> Report {
        let Underway {
            options,
            customers,
            facts,
            clv,
            results,
            input,
            mapping,
            quality,
            shape,
            amount_years,
            order_lines,
        } = self;
        let mut results = results.unwrap_or_else(|| {
            analyses::run_but_clv(&facts, &options, &|i: usize| tiebreak(&customers, i))
        });
        if let Some(prepared) = clv {
            analyses::add_clv(&mut results, &facts, &options, prepared, scored);
        }
        let (first, last) = facts.day_span().map_or((None, None), |(lo, hi)| {
            (table::date_of(lo), table::date_of(hi))
        });
        let amounts: Vec<f64> = customers.list.iter().filter_map(|c| c.amount).collect();
        let summary = Summary {
            shape,
            customers: customers.list.len() as u64,
            order_lines,
            total_amount: (!amounts.is_empty()).then(|| amounts.iter().sum()),
            first_order_date: first,
            last_order_date: last,
            as_of: facts.as_of.and_then(table::date_of),
            amount_years,
            active_rate: results.active_rate,
            churn_rate: results.churn_rate,
            analyses: results.status,
        };
        Report {
            input,
            mapping,
            quality,
            summary,
            customers: report::customer_rows(
                customers.list,
                facts,
                results.labels,
                options.abc.method,
            ),
            analyses: results.analyses,
        }
    }
}

/// Customer i's id or name, for ranking ties.
fn tiebreak(customers: &customers::Customers, i: usize) -> &str {
    customers
        .list
        .get(i)
        .and_then(|c| c.id.as_deref().or(c.name.as_deref()))
        .unwrap_or("")
}
