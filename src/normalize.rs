//! Cell value normalization (in progress).
