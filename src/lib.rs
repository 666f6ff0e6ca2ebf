//! kexi (客析): reads customer registers and order lists and classifies customers, on the user's
//! own device. The core takes bytes and options and returns a serializable [`Report`]; it does no
//! I/O. See ARCHITECTURE.md for the map.
//!
//! Data flows one way, and the folders show it: [`read`] (bytes → cells) → [`table`] (cells →
//! typed table and quality) → [`facts`] (customers and their facts) → [`analyze`] (one module per
//! analysis) → [`report`] (the JSON contract) → [`write`] (workbooks) and the callers: the CLI
//! (`main.rs`) and the page's bindings (`wasm.rs`). A module never imports from one above it.

// The writers' wasm (the `writer` feature) uses the writers alone: the page bindings' helpers
// are unused there.
#![cfg_attr(feature = "writer", allow(dead_code))]

pub(crate) mod analyze;
mod error;
pub(crate) mod facts;
pub(crate) mod progress;
pub(crate) mod read;
pub(crate) mod report;
pub(crate) mod rng;
pub(crate) mod sort;
pub(crate) mod table;
mod underway;
pub(crate) mod write;

#[cfg(all(target_arch = "wasm32", not(feature = "writer")))]
mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "writer"))]
mod wasm_writer;

pub use analyze::clv::TimeUnit;
pub use analyze::Options;
pub use error::{Error, ErrorKind, Limit, Result};
pub use read::{grid::Limits, Book};
pub use report::{summary::text as summary, Lang, Report};
pub use table::mapping::Overrides;
pub use table::normalize::iso_date as parse_iso_date;
#[cfg(feature = "xlsx")]
pub use write::export::{customers_csv, workbook};
pub use write::sample;
#[cfg(feature = "xlsx")]
pub use write::template;

use underway::Underway;

/// The core's parts, for the integration tests, the fuzz targets and the benchmarks: they check
/// pieces (the fast reader against calamine, the parsers, each analysis) that the façade above
/// hides. Not an API: names here move with the code.
#[doc(hidden)]
pub mod internals {
    pub use crate::analyze::{
        abc, alerts, bcg, big_customers, chart, churn_model, clusters, clv, credit, cross_sell,
        customer_flow, distribution, lifecycle, nps, people, performance, pipeline, rfm, score,
        seasons, value,
    };
    pub use crate::facts::customers;
    pub use crate::read::{book, cells, grid, inflate, ole, sniff, stream, text, xlsx};
    pub use crate::report::filter;
    pub use crate::table::{dataset, header, mapping, normalize, quality};
    #[cfg(feature = "xlsx")]
    pub use crate::write::export;

    /// The analyses' runner.
    pub mod analyses {
        pub use crate::analyze::{add_clv, run, run_but_clv, Analyses, Results, Status};
    }
    /// The per-customer facts.
    pub mod facts {
        pub use crate::facts::*;
    }
    /// The report's types.
    pub mod report {
        pub use crate::report::*;
    }
    /// The typed table and the day numbers.
    pub mod table {
        pub use crate::table::*;
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
