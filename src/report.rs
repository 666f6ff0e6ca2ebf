//! The report: the one JSON shape the CLI prints, the page renders and the tests read.
//! Documented field by field in docs/report.md; top-level keys are stable: `input`, `mapping`,
//! `quality`, `summary`, `customers`, `analyses`.

use crate::book::SheetInfo;
use crate::customers::{Customer, Join};
use crate::dataset::Role;
use crate::mapping::ColumnMapping;
use crate::quality::Quality;
use crate::sniff::Format;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub input: Input,
    pub mapping: Vec<SheetMapping>,
    pub quality: QualityReport,
    pub summary: Summary,
    pub customers: Vec<Customer>,
    /// One entry per analysis that ran; empty until analyses are added.
    pub analyses: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub format: Format,
    pub file_bytes: u64,
    /// Delimited text only: the encoding found (UTF-8, GB18030, …).
    pub encoding: Option<String>,
    /// Delimited text only: the delimiter found.
    pub delimiter: Option<String>,
    pub sheets: Vec<SheetEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetEntry {
    #[serde(flatten)]
    pub info: SheetInfo,
    /// The role this sheet plays, if it was used.
    pub role: Option<Role>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetMapping {
    pub sheet: String,
    pub role: Role,
    /// First and last header row, 1-based.
    pub header_rows: (u32, u32),
    pub columns: Vec<ColumnMapping>,
}

#[derive(Debug, Clone, Serialize)]
pub struct QualityReport {
    /// All sheets and the customer resolution together.
    #[serde(flatten)]
    pub total: Quality,
    /// Each used sheet's own account.
    pub sheets: Vec<SheetQuality>,
    pub join: Option<Join>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SheetQuality {
    pub sheet: String,
    #[serde(flatten)]
    pub quality: Quality,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `register`, `orders` or `register_and_orders`.
    pub shape: &'static str,
    pub customers: u64,
    pub order_lines: u64,
    pub total_amount: Option<f64>,
    pub first_order_date: Option<NaiveDate>,
    pub last_order_date: Option<NaiveDate>,
    /// The date analyses measure recency against: given, or the day after the last order.
    pub as_of: Option<NaiveDate>,
    /// Years of year-split amount columns (2023年销售额, 2024年销售额), ascending.
    pub amount_years: Vec<i32>,
}
