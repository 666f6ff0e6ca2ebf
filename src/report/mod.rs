//! The report: the one JSON shape the CLI prints, the page renders and the tests read.
//! Documented field by field in docs/report.md; top-level keys are stable: `input`, `mapping`,
//! `quality`, `summary`, `customers`, `analyses`.

pub mod filter;
pub mod summary;

use crate::analyze::abc::{Class, Method};
use crate::analyze::bcg::Quadrant;
use crate::analyze::big_customers::Grade as BigGrade;
use crate::analyze::chart::Text;
use crate::analyze::churn_model::Band as ChurnBand;
use crate::analyze::clv::ClvTier;
use crate::analyze::credit::Grade;
use crate::analyze::lifecycle::Stage;
use crate::analyze::nps::NpsGroup;
use crate::analyze::people;
use crate::analyze::rfm::Segment;
use crate::analyze::value::Tier;
use crate::analyze::{Analyses, Labels, Status};
use crate::facts::customers::{Customer, Join};
use crate::facts::{Fact, Facts};
use crate::read::sheet::SheetInfo;
use crate::read::sniff::Format;
use crate::table::dataset::Role;
use crate::table::date_of;
use crate::table::mapping::ColumnMapping;
use crate::table::quality::Quality;
use chrono::NaiveDate;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub input: Input,
    pub mapping: Vec<SheetMapping>,
    pub quality: QualityReport,
    pub summary: Summary,
    /// Boxed: a row is about 500 bytes, and a million-customer list in one block would need
    /// that much contiguous memory in a heap the tables have just fragmented.
    pub customers: Vec<Box<CustomerRow>>,
    /// One entry per analysis that ran, by key (`rfm`, `abc`, …); `summary.analyses` says
    /// which did not and why.
    pub analyses: Analyses,
}

/// The report without its per-customer rows: what a page renders first, fetching rows as the
/// table scrolls. `customer_count` is `customers.len()`. Lists with an entry per customer
/// (`alerts.alerts`) keep their first `OVERVIEW_LIST` entries: the page shows the top of the
/// list, and every customer still carries its label in the rows.
#[derive(Debug, Serialize)]
pub struct Overview<'a> {
    pub input: &'a Input,
    pub mapping: &'a [SheetMapping],
    pub quality: &'a QualityReport,
    pub summary: &'a Summary,
    pub customer_count: usize,
    pub analyses: &'a Analyses,
}

/// How many entries of a per-customer list the overview keeps.
pub const OVERVIEW_LIST: usize = 100;

impl Report {
    /// Customer `i` (an index in `customers`, as the alerts and movers refer to customers) as
    /// "id name", the way the page names it.
    pub fn who(&self, i: usize) -> String {
        self.customers.get(i).map_or_else(String::new, |c| {
            let id = c.id.as_deref().unwrap_or("");
            let name = c.name.as_deref().unwrap_or("");
            format!("{id} {name}").trim().to_string()
        })
    }

    /// Calls `f` with the overview. The tail of a long list is moved aside while `f` runs and
    /// put back after, which spares copying the analyses to cut it.
    pub fn with_overview<R>(&mut self, f: impl FnOnce(&Overview<'_>) -> R) -> R {
        let tail = self
            .analyses
            .alerts
            .as_mut()
            .map(|x| x.alerts.split_off(x.alerts.len().min(OVERVIEW_LIST)));
        let out = f(&Overview {
            input: &self.input,
            mapping: &self.mapping,
            quality: &self.quality,
            summary: &self.summary,
            customer_count: self.customers.len(),
            analyses: &self.analyses,
        });
        if let (Some(x), Some(mut tail)) = (self.analyses.alerts.as_mut(), tail) {
            x.alerts.append(&mut tail);
        }
        out
    }
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
    /// Fields worked out from other columns (the amount as quantity × unit price).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub derived: Vec<crate::table::orders::Derived>,
    /// Columns whose values showed their header's reading to be wrong: `header`, the `field` they
    /// were taken for instead (null: left out), and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reread: Vec<crate::table::orders::Reread>,
    /// The sheets of this layout read together as one list (`sheet` is the first), in workbook
    /// order; absent for one sheet. `options.leave_out` leaves a sheet out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub combined: Vec<String>,
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
    /// Percent of customers who have bought that are new or active.
    pub active_rate: Option<f64>,
    /// Percent of customers lost over the lifecycle's churn period.
    pub churn_rate: Option<f64>,
    /// Every analysis, whether it ran, and what a skipped one needs.
    pub analyses: Vec<Status>,
    /// Set when no column was recognised as the customer (id or name): nothing can be counted
    /// per customer until the user points at one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_customer_column: Option<NoCustomerColumn>,
}

/// No sheet has a customer column: the headers that were seen, to point at one with a mapping.
#[derive(Debug, Clone, Serialize)]
pub struct NoCustomerColumn {
    /// The analysed sheets' headers, in column order (at most [`NoCustomerColumn::SHOWN`]).
    pub headers: Vec<String>,
    pub message_zh: String,
    pub message_en: String,
}

impl NoCustomerColumn {
    const SHOWN: usize = 40;

    /// `None` when a sheet of `ds` has a customer id or name column.
    pub fn of(ds: &crate::table::dataset::Dataset) -> Option<NoCustomerColumn> {
        use crate::table::mapping::Field;
        if ds
            .tables()
            .any(|(_, t)| t.has(Field::CustomerId) || t.has(Field::CustomerName))
        {
            return None;
        }
        let headers: Vec<String> = ds
            .tables()
            .flat_map(|(_, t)| t.mapping.columns.iter())
            .map(|c| c.header.trim().to_string())
            .filter(|h| !h.is_empty())
            .take(Self::SHOWN)
            .collect();
        let seen = headers.join("、");
        Some(NoCustomerColumn {
            message_zh: format!(
                "没有识别出客户列（看到的列：{seen}）。请在列映射中把客户所在的列设为“客户编号”或“客户名称”，命令行用 --mapping '{{\"列名\": \"customer_name\"}}'。"
            ),
            message_en: format!(
                "No customer column was recognised (columns seen: {}). Point at it in the column mapping as customer id or customer name; on the command line, --mapping '{{\"header\": \"customer_name\"}}'.",
                headers.join(", ")
            ),
            headers,
        })
    }

    /// Every analysis that did not run was stopped by the missing customer column first.
    pub fn explain(mut status: Vec<Status>) -> Vec<Status> {
        for st in status.iter_mut().filter(|s| !s.ran) {
            st.needs = vec![vec!["customer_id", "customer_name"]];
            st.note = Some(Text::new(
                "没有识别出客户列",
                "No customer column was recognised",
            ));
        }
        status
    }
}

/// The language of the text summary and of a workbook's headers and labels.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    pub fn text(self, t: &Text) -> &str {
        self.pick(&t.zh, &t.en)
    }
}

/// An analysis's name, as a summary line or a sheet title.
pub fn analysis_name(key: &str, lang: Lang) -> &'static str {
    match key {
        "rfm" => lang.pick("RFM分群", "RFM"),
        "abc" => lang.pick("ABC分类", "ABC"),
        "value" => lang.pick("客户价值", "Value"),
        "lifecycle" => lang.pick("生命周期", "Lifecycle"),
        "alerts" => lang.pick("预流失预警", "Pre-churn alerts"),
        "big_customers" => lang.pick("大客户", "Big customers"),
        "churn_model" => lang.pick("流失预测", "Churn model"),
        "feedback" => lang.pick("客户反馈", "Feedback"),
        "distribution" => lang.pick("分布与占比", "Distribution"),
        "people" => lang.pick("个人客户画像", "People"),
        "customer_flow" => lang.pick("客户增减", "Customer flow"),
        "performance" => lang.pick("年度业绩", "Performance"),
        "seasons" => lang.pick("季节与预测", "Seasons"),
        "bcg" => lang.pick("BCG矩阵", "BCG"),
        "clusters" => lang.pick("聚类", "Clusters"),
        "pipeline" => lang.pick("线索与转化", "Pipeline"),
        "nps" => "NPS",
        "csi" => "CSI",
        "credit" => lang.pick("信用等级", "Credit"),
        "cross_sell" => lang.pick("交叉销售", "Cross-selling"),
        "clv" => lang.pick("CLV预测", "CLV"),
        _ => lang.pick("分析", "Analysis"),
    }
}

/// One customer with its facts and every label the analyses gave it.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerRow {
    pub id: Option<String>,
    pub name: Option<String>,
    pub order_lines: u64,
    /// Row in the register (1-based), if the customer is in one.
    pub register_row: Option<u32>,
    pub first_order_date: Option<NaiveDate>,
    pub last_order_date: Option<NaiveDate>,
    #[serde(flatten)]
    pub facts: Fact,
    pub r_score: Option<u8>,
    pub f_score: Option<u8>,
    pub m_score: Option<u8>,
    pub rfm_segment: Option<Segment>,
    pub abc_class: Option<Class>,
    pub abc_count_class: Option<Class>,
    pub abc_rank: Option<u32>,
    pub value_score: Option<f64>,
    pub value_tier: Option<Tier>,
    pub lifecycle: Option<Stage>,
    /// A pre-churn key customer (预流失重点客户).
    pub alert: bool,
    /// A big customer's grade (大客户: 战略 / 重点 / 普通).
    pub big_grade: Option<BigGrade>,
    /// The churn model's risk band (高 / 中 / 低流失风险) and its probability of being lost.
    pub churn_risk: Option<ChurnBand>,
    pub churn_probability: Option<f64>,
    /// At least one complaint (客户反馈); absent where the complaints are unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_complaint: Option<bool>,
    /// Amount and rank per year of `analyses.performance.years` (rank null: bought nothing).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub year_amounts: Vec<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub year_ranks: Vec<Option<u32>>,
    /// Percent growth from the second-last to the last year.
    pub growth: Option<f64>,
    pub bcg: Option<Quadrant>,
    /// 1 = the cluster with the highest mean amount.
    pub cluster: Option<u32>,
    pub nps_group: Option<NpsGroup>,
    pub csi: Option<f64>,
    pub credit_score: Option<f64>,
    pub credit_grade: Option<Grade>,
    /// BG/NBD probability that the customer is still buying, at the calibration end.
    pub p_alive: Option<f64>,
    /// Expected purchases over `clv.horizon_months`.
    pub expected_purchases: Option<f64>,
    /// Predicted, discounted customer lifetime value over the horizon.
    pub clv: Option<f64>,
    pub clv_tier: Option<ClvTier>,
    /// The people analysis's age and income band (`25-34`, `<3000`, `invalid`, or an income
    /// written as text); absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_band: Option<people::Key>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub income_band: Option<people::Key>,
    /// Text dimensions by field key (`region`, `industry`, `lead_status` …) or, for an extra
    /// (unmapped) column, by its header text.
    #[serde(skip_serializing_if = "Dims::is_empty")]
    pub dims: Dims,
}

/// A customer's text dimensions as (key, label) pairs in key order, serialised as a JSON object.
/// Keys and labels are shared with every other customer that has them: a map per customer cost
/// more than the rest of its row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dims(Vec<(Arc<str>, Arc<str>)>);

impl Dims {
    /// From pairs in any order; of two pairs with one key, the later wins.
    pub fn new(pairs: impl IntoIterator<Item = (Arc<str>, Arc<str>)>) -> Dims {
        let mut v: Vec<(Arc<str>, Arc<str>)> = Vec::new();
        for (k, label) in pairs {
            match v.binary_search_by(|(x, _)| (**x).cmp(&*k)) {
                Ok(i) => {
                    if let Some(slot) = v.get_mut(i) {
                        slot.1 = label;
                    }
                }
                Err(i) => v.insert(i, (k, label)),
            }
        }
        Dims(v)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        let i = self.0.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        self.0.get(i).map(|(_, label)| &**label)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, label)| (&**k, &**label))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Dims {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, label) in self.iter() {
            map.serialize_entry(k, label)?;
        }
        map.end()
    }
}

/// Joins customers, facts and labels into rows; `abc_class` follows `abc.method`. The labels are
/// used up: each customer's yearly amounts and ranks move into its row.
pub fn customer_rows(
    list: Vec<Customer>,
    facts: Facts,
    mut labels: Labels,
    method: Method,
) -> Vec<Box<CustomerRow>> {
    // One shared key and one shared string per distinct label, per dimension.
    let shared: Vec<(Arc<str>, Vec<Arc<str>>)> = facts
        .dims
        .iter()
        .map(|d| {
            let key = d.field.map_or(d.header.as_str(), |f| f.key());
            (
                Arc::from(key),
                d.labels.iter().map(|l| Arc::from(&**l)).collect(),
            )
        })
        .collect();
    let dims_of = &facts.dims;
    let mut years = std::mem::take(&mut labels.years).into_iter();
    let band = |bands: &[Option<people::Key>], i: usize| bands.get(i).cloned().flatten();

    list.into_iter()
        .zip(facts.customers)
        .enumerate()
        .map(|(i, (c, f))| {
            let dims = Dims::new(
                dims_of
                    .iter()
                    .zip(&shared)
                    .filter_map(|(d, (key, labels))| {
                        let label = d.values.get(i).and_then(|&v| labels.get(v as usize))?;
                        Some((key.clone(), label.clone()))
                    }),
            );
            let rfm = labels.rfm.get(i).copied().flatten();
            let abc = labels.abc.get(i).copied().flatten();
            let value = labels.value.get(i).copied().flatten();
            // One `next()` for every customer, in order: customer i gets the i-th entry.
            let (year_amounts, year_ranks, growth) = years
                .next()
                .map(|y| (y.amounts, y.ranks, y.growth))
                .unwrap_or_default();
            let credit = labels.credit.get(i).copied().flatten();
            let clv = labels.clv.get(i).copied().flatten();
            let churn = labels.churn.get(i).copied().flatten();
            Box::new(CustomerRow {
                id: c.id,
                name: c.name,
                order_lines: c.order_lines,
                register_row: c.register_row,
                first_order_date: f.first_order.and_then(date_of),
                last_order_date: f.last_order.and_then(date_of),
                r_score: rfm.map(|r| r.r_score),
                f_score: rfm.map(|r| r.f_score),
                m_score: rfm.map(|r| r.m_score),
                rfm_segment: rfm.map(|r| r.segment),
                abc_class: abc.map(|a| a.class(method)),
                abc_count_class: abc.map(|a| a.by_count),
                abc_rank: abc.map(|a| a.rank),
                value_score: value.map(|v| v.score),
                value_tier: value.map(|v| v.tier),
                lifecycle: labels.lifecycle.get(i).copied().flatten(),
                alert: labels.alert.get(i).copied().unwrap_or(false),
                big_grade: labels.big.get(i).copied().flatten(),
                churn_risk: churn.map(|c| c.band),
                churn_probability: churn.map(|c| c.probability),
                has_complaint: labels.has_complaint.get(i).copied().flatten(),
                year_amounts,
                year_ranks,
                growth,
                bcg: labels.bcg.get(i).copied().flatten(),
                cluster: labels.cluster.get(i).copied().flatten(),
                nps_group: labels.nps.get(i).copied().flatten(),
                csi: labels.csi.get(i).copied().flatten(),
                credit_score: credit.map(|c| c.score),
                credit_grade: credit.map(|c| c.grade),
                p_alive: clv.map(|c| c.p_alive),
                expected_purchases: clv.map(|c| c.expected_purchases),
                clv: clv.and_then(|c| c.clv),
                clv_tier: clv.and_then(|c| c.tier),
                age_band: band(&labels.people.age, i),
                income_band: band(&labels.people.income, i),
                dims,
                facts: f,
            })
        })
        .collect()
}

/// The names the page shows: every canonical field (for the mapping dropdowns) and every value
/// of every per-customer label (for the table, its filters and the legends), in both languages.
#[derive(Debug, Serialize)]
pub struct Vocabulary {
    pub fields: Vec<FieldName>,
    /// Label key (`rfm_segment`, `abc_class` …, as in `customers[]` and the filter) → its values.
    pub labels: BTreeMap<&'static str, Vec<LabelName>>,
}

#[derive(Debug, Serialize)]
pub struct FieldName {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: crate::table::mapping::FieldKind,
}

#[derive(Debug, Serialize)]
pub struct LabelName {
    pub key: &'static str,
    #[serde(flatten)]
    pub text: Text,
}

pub fn vocabulary() -> Vocabulary {
    fn list<T: Copy>(
        all: &[T],
        key: fn(T) -> &'static str,
        label: fn(T) -> Text,
    ) -> Vec<LabelName> {
        all.iter()
            .map(|&x| LabelName {
                key: key(x),
                text: label(x),
            })
            .collect()
    }
    let fields = crate::table::mapping::Field::ALL
        .iter()
        .map(|f| FieldName {
            key: f.key(),
            zh: f.label_zh(),
            en: f.label_en(),
            kind: f.kind(),
        })
        .collect();
    let mut labels = BTreeMap::new();
    labels.insert(
        "rfm_segment",
        list(&Segment::ALL, Segment::key, Segment::label),
    );
    let abc = list(&Class::ALL, Class::key, Class::label);
    labels.insert(
        "abc_count_class",
        list(&Class::ALL, Class::key, Class::label),
    );
    labels.insert("abc_class", abc);
    labels.insert("value_tier", list(&Tier::ALL, Tier::key, Tier::label));
    labels.insert("lifecycle", list(&Stage::ALL, Stage::key, Stage::label));
    labels.insert("bcg", list(&Quadrant::ALL, Quadrant::key, Quadrant::label));
    labels.insert(
        "nps_group",
        list(&NpsGroup::ALL, NpsGroup::key, NpsGroup::label),
    );
    labels.insert(
        "credit_grade",
        list(&Grade::ALL, Grade::key, |g| Text::new(g.key(), g.key())),
    );
    labels.insert(
        "big_grade",
        list(&BigGrade::ALL, BigGrade::key, BigGrade::label),
    );
    use crate::analyze::big_customers::Slip;
    labels.insert("slip", list(&Slip::ALL, Slip::key, Slip::label));
    labels.insert(
        "churn_risk",
        list(&ChurnBand::ALL, ChurnBand::key, ChurnBand::label),
    );
    labels.insert(
        "clv_tier",
        list(&ClvTier::ALL, ClvTier::key, ClvTier::label),
    );
    // The bands' keys name themselves ("25-34"); only the impossible values need a name.
    for key in ["age_band", "income_band"] {
        let invalid = LabelName {
            key: people::INVALID,
            text: Text::new("(无效)", "(invalid)"),
        };
        labels.insert(key, vec![invalid]);
    }
    labels.insert(
        "alert",
        vec![
            LabelName {
                key: "true",
                text: Text::new("预流失重点客户", "Pre-churn key customer"),
            },
            LabelName {
                key: "false",
                text: Text::new("无预警", "No alert"),
            },
        ],
    );
    labels.insert(
        "has_complaint",
        vec![
            LabelName {
                key: "true",
                text: Text::new("有投诉", "Complained"),
            },
            LabelName {
                key: "false",
                text: Text::new("无投诉", "No complaint"),
            },
        ],
    );
    Vocabulary { fields, labels }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dims_are_in_key_order_the_later_of_two_wins_and_serialise_as_an_object() {
        let a = |s: &str| Arc::<str>::from(s);
        let d = Dims::new([
            (a("region"), a("华东")),
            (a("industry"), a("制造")),
            (a("region"), a("华南")),
        ]);
        assert_eq!(d.keys().collect::<Vec<_>>(), ["industry", "region"]);
        assert_eq!(d.get("region"), Some("华南"));
        assert_eq!(d.get("size"), None);
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"industry":"制造","region":"华南"}"#
        );
        assert!(Dims::default().is_empty());
    }
}
