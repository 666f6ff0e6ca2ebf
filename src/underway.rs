//! The orchestration: a file's book mapped into tables, its customers resolved, their facts
//! built, the analyses run (natively with CLV on a second thread; in the page in steps, CLV on
//! the other worker) and the [`Report`] assembled. It sits above every layer it calls and below
//! only the façade, the CLI and the wasm bindings.

use crate::analyze::chart::Text;
use crate::analyze::{self, clv, Options};
use crate::error::Result;
use crate::read::Book;
use crate::report::{
    Input, NoCustomerColumn, QualityReport, Report, SheetEntry, SheetMapping, SheetQuality, Summary,
};
use crate::table::dataset::Dataset;
use crate::table::mapping::Field;

/// A report under way: the file mapped, its customers resolved and their facts built, the
/// analyses run or still to run. The page runs the analyses in steps through it, so that the CLV
/// models ([`Underway::job`]) are fitted on its other worker meanwhile ([`Underway::finish`]).
pub struct Underway {
    options: Options,
    customers: crate::facts::customers::Customers,
    facts: crate::facts::Facts,
    /// The CLV job while CLV is still to be added to `results`.
    clv: Option<std::result::Result<clv::Prepared, Text>>,
    results: Option<analyze::Results>,
    input: Input,
    mapping: Vec<SheetMapping>,
    quality: QualityReport,
    shape: &'static str,
    amount_years: Vec<i32>,
    order_lines: u64,
    /// Set when no sheet has a customer column: what the user needs to point at one.
    no_customer: Option<NoCustomerColumn>,
}

impl Underway {
    /// Maps `book` as `options` say and builds each customer's facts; no analysis runs yet.
    /// `ahead` is as for [`analyze_book_with`].
    pub fn begin(
        book: &Book,
        options: Options,
        ahead: Option<crate::table::Ahead>,
    ) -> Result<Underway> {
        let options = options.checked()?;
        crate::progress::report(crate::progress::Phase::Mapping, None, 0, None);
        let ds = crate::table::dataset::choose_with(
            book,
            options.sheet.as_deref(),
            &options.mapping,
            &options.leave_out,
            ahead,
        )?;
        Ok(Underway::of(book, ds, options))
    }

    /// Takes the dataset by value: its tables are the largest thing alive while the analyses
    /// run, and nothing needs them once the facts are built.
    fn of(book: &Book, mut ds: Dataset, options: Options) -> Underway {
        if let Some(last) = options.last_day() {
            crate::table::cutoff::cut(&mut ds, last);
        }
        let customers = crate::facts::customers::resolve(&ds);

        let mut total = crate::table::quality::Quality::default();
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
                derived: t.derived.clone(),
                reread: t.reread.clone(),
                combined: t.combined.clone(),
            });
        }
        total.absorb(&customers.quality);
        if let Some(first) = sheets_q.first() {
            total.header_rows = first.quality.header_rows;
        }

        crate::progress::report(crate::progress::Phase::Analysing, None, 0, None);
        let mut amount_years: Vec<i32> = ds
            .tables()
            .flat_map(|(_, t)| t.columns.iter())
            .filter(|c| c.field == Some(Field::Amount))
            .filter_map(|c| c.year)
            .collect();
        crate::sort::by(&mut amount_years, |a, b| a.cmp(b));
        amount_years.dedup();
        let roles: Vec<(String, crate::table::dataset::Role)> = ds
            .tables()
            .flat_map(|(r, t)| {
                let sheets = std::iter::once(&t.sheet).chain(t.combined.iter().skip(1));
                sheets.map(move |s| (s.clone(), r))
            })
            .collect();
        let order_lines = ds.orders.as_ref().map_or(0, |t| t.n_rows() as u64);
        let no_customer = NoCustomerColumn::of(&ds);
        let shape = match (&ds.register, &ds.orders) {
            (Some(_), Some(_)) => "register_and_orders",
            (None, Some(_)) => "orders",
            _ => "register",
        };
        let facts =
            crate::facts::build(&ds, &customers, options.as_of.map(crate::table::day_number));
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
            clv: Some(clv::prepare(&facts, &options.clv)),
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
            no_customer,
        }
    }

    /// The CLV models' job, to be scored elsewhere and given to [`Underway::finish`]; `None`
    /// when CLV cannot run or has run.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the page's bindings call it
    pub fn job(&self) -> Option<&clv::Job> {
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
                .unwrap_or_else(|| clv::prepare(&self.facts, &self.options.clv));
            self.results = Some(analyze::run_with(
                &self.facts,
                &self.options,
                &tiebreak,
                prepared,
            ));
        }
    }

    /// Runs every analysis but CLV and the alerts, which [`Underway::finish`] adds.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // the page's bindings call it
    pub fn analyses_but_clv(&mut self) {
        let customers = &self.customers;
        let tiebreak = |i: usize| tiebreak(customers, i);
        self.results = Some(analyze::run_but_clv(&self.facts, &self.options, &tiebreak));
    }

    /// The report. `scored` is [`clv::score`]'s outcome for [`Underway::job`] if it was
    /// worked out elsewhere; the analyses still to run run here.
    pub fn finish(
        self,
        scored: Option<std::result::Result<clv::Scored, clv::model::FitError>>,
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
            no_customer,
        } = self;
        let mut results = results.unwrap_or_else(|| {
            analyze::run_but_clv(&facts, &options, &|i: usize| tiebreak(&customers, i))
        });
        if let Some(prepared) = clv {
            let tiebreak = |i: usize| tiebreak(&customers, i);
            analyze::add_clv(&mut results, &facts, &options, prepared, scored, &tiebreak);
        }
        let (first, last) = facts.day_span().map_or((None, None), |(lo, hi)| {
            (crate::table::date_of(lo), crate::table::date_of(hi))
        });
        let amounts: Vec<f64> = customers.list.iter().filter_map(|c| c.amount).collect();
        let summary = Summary {
            shape,
            customers: customers.list.len() as u64,
            order_lines,
            total_amount: (!amounts.is_empty()).then(|| amounts.iter().sum()),
            first_order_date: first,
            last_order_date: last,
            as_of: facts.as_of.and_then(crate::table::date_of),
            amount_years,
            active_rate: results.active_rate,
            churn_rate: results.churn_rate,
            analyses: match &no_customer {
                Some(_) => NoCustomerColumn::explain(results.status),
                None => results.status,
            },
            no_customer_column: no_customer,
        };
        Report {
            input,
            mapping,
            quality,
            summary,
            customers: crate::report::customer_rows(
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
fn tiebreak(customers: &crate::facts::customers::Customers, i: usize) -> &str {
    customers
        .list
        .get(i)
        .and_then(|c| c.id.as_deref().or(c.name.as_deref()))
        .unwrap_or("")
}
