//! Bytes → [`Book`]: every sheet listed, every worksheet's cells in a [`grid::Grid`].
//!
//! The only code that knows zip, XML, OLE, calamine, delimited text and legacy encodings. What
//! comes out is format-free: a grid of typed cells per sheet, the merged ranges and each sheet's
//! kind and visibility. Nothing here knows what a customer is.
//!
//! Architecture invariant: nothing in `read` imports from `table` or above (tests aside).

pub mod book;
mod calamine;
pub mod cells;
pub mod grid;
pub mod inflate;
pub mod ole;
pub mod sheet;
pub mod sniff;
pub mod stream;
pub mod text;
pub mod xlsx;

pub use book::Book;
