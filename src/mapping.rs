//! Column mapping (in progress).
