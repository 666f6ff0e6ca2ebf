//! CSV/TSV reader (in progress).
