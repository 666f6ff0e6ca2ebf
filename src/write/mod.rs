//! Workbooks kexi writes: the results workbook and the customer CSV ([`export`], in the words of
//! [`titles`]), the blank
//! register and order-list templates ([`template`]) and the sample workbook ([`sample`]).
//!
//! Architecture invariant: writing reads only the [`crate::report::Report`]; it never reruns an
//! analysis, so what a user downloads is what the page showed.

pub mod export;
pub mod sample;
pub mod template;
mod titles;
