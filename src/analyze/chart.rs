//! Chart specifications: what to draw, not how. Each analysis describes its charts as data
//! (kind, bilingual title, categories, series, units) and the page hands them to its chart
//! library; the export turns the same specs into native Excel charts. No library's options
//! format leaks into the core.

use serde::Serialize;

/// The kinds of chart the analyses ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Bar,
    /// Bars stacked per category.
    StackedBar,
    Pie,
    Line,
    /// One area per category sized by its value.
    Treemap,
    Funnel,
    /// Stacked horizontal bars, widest at the bottom.
    Pyramid,
    Scatter,
    /// Rows are the series, columns the categories, colour the value (a month × year table).
    Heatmap,
}

/// A bilingual text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Text {
            zh: zh.into(),
            en: en.into(),
        }
    }
}

/// What a series' numbers measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Customers,
    /// Money in the input's own currency.
    Amount,
    Percent,
    Days,
    Orders,
    Score,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Series {
    pub name: Text,
    pub unit: Unit,
    /// One value per category (for a scatter: the y values, with x in `x`).
    pub data: Vec<f64>,
    /// Scatter, and a line over numbers: the x value of each point (`categories` is then empty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<Vec<f64>>,
}

impl Series {
    pub fn new(name: Text, unit: Unit, data: Vec<f64>) -> Self {
        Series {
            name,
            unit,
            data,
            x: None,
        }
    }
}

/// One chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chart {
    /// Stable id, unique within the report (`rfm_segments`, `abc_pareto` …).
    pub id: String,
    pub kind: Kind,
    pub title: Text,
    /// Category labels; each series has one value per category.
    pub categories: Vec<Text>,
    /// Stable keys of the categories where the analysis has them (segment keys, class letters),
    /// so a click on a part of the chart can filter the customer table.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    pub series: Vec<Series>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x_title: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y_title: Option<Text>,
}
