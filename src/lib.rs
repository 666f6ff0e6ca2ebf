//! kexi (客析): reads customer registers and order lists and classifies customers, on the user's
//! own device. The core takes bytes and options and returns a serializable report; it does no I/O.
//! See ARCHITECTURE.md for the map.

pub mod error;
pub mod grid;
pub mod mapping;
pub mod normalize;
pub mod text;
pub mod xlsx;

pub use error::{Error, ErrorKind, Limit, Result};
pub use grid::{Cell, Grid, Limits, StringPool, Value};
