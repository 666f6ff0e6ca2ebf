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

/// One group of a split by a dimension: its name, its filter key (empty: none), its customers
/// and their amount.
pub struct Slice {
    pub label: Text,
    pub key: String,
    pub customers: f64,
    pub amount: f64,
}

/// A split's pie of customers and bar of amount (ids `{prefix}_customers` and `{prefix}_amount`):
/// the first `shown` groups (at least one), the rest summed as "其他 / Other".
pub fn customers_and_amount(
    prefix: &str,
    label: &Text,
    slices: impl Iterator<Item = Slice>,
    shown: usize,
) -> Vec<Chart> {
    let shown = shown.max(1);
    let (mut cats, mut keys, mut customers, mut amount) = (vec![], vec![], vec![], vec![]);
    let mut rest: Option<(f64, f64)> = None;
    for (i, s) in slices.enumerate() {
        if i < shown {
            cats.push(s.label);
            keys.push(s.key);
            customers.push(s.customers);
            amount.push(s.amount);
        } else {
            let (c, a) = rest.unwrap_or((0.0, 0.0));
            rest = Some((c + s.customers, a + s.amount));
        }
    }
    if let Some((c, a)) = rest {
        cats.push(Text::new("其他", "Other"));
        keys.push(String::new());
        customers.push(c);
        amount.push(a);
    }
    let lower = label.en.to_lowercase();
    vec![
        Chart {
            id: format!("{prefix}_customers"),
            kind: Kind::Pie,
            title: Text::new(
                format!("按{}的客户分布", label.zh),
                format!("Customers by {lower}"),
            ),
            categories: cats.clone(),
            keys: keys.clone(),
            series: vec![Series::new(
                Text::new("客户数", "Customers"),
                Unit::Customers,
                customers,
            )],
            x_title: None,
            y_title: None,
        },
        Chart {
            id: format!("{prefix}_amount"),
            kind: Kind::Bar,
            title: Text::new(
                format!("按{}的销售额", label.zh),
                format!("Amount by {lower}"),
            ),
            categories: cats,
            keys,
            series: vec![Series::new(
                Text::new("销售额", "Amount"),
                Unit::Amount,
                amount,
            )],
            x_title: None,
            y_title: Some(Text::new("销售额", "Amount")),
        },
    ]
}
