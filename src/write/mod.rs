//! Workbooks kexi writes: the results workbook and the customer CSV ([`export`], in the words of
//! [`titles`]), the blank register and order-list templates ([`template`]), all three with
//! rust_xlsxwriter and only with the `xlsx` feature (the page's second wasm and the CLI), and the
//! sample workbook ([`sample`], with the small [`plain`] writer, in the page's first wasm).
//!
//! Architecture invariant: writing reads only the [`crate::report::Report`]; it never reruns an
//! analysis, so what a user downloads is what the page showed.

pub mod csv;
#[cfg(feature = "xlsx")]
pub mod export;
pub mod plain;
pub mod sample;
#[cfg(feature = "xlsx")]
pub mod template;
#[cfg(feature = "xlsx")]
mod titles;
