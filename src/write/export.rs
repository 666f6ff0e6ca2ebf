//! Exports of a report: the results workbook (xlsx) and CSV.
//!
//! The workbook has a summary sheet, the customer table with every label, and one sheet per
//! analysis that ran: its tables and, for each of its chart specs (src/analyze/chart.rs), a native Excel
//! chart over data written on that sheet. Bar, stacked bar, pie, line and scatter map to the same
//! Excel kinds; treemap, funnel and pyramid have no native equivalent that reads plain ranges and
//! are drawn as horizontal bars. Analysis tables are written from the report's own serialized
//! form, so a field added to an analysis appears in the export without code here.
//!
//! Both read the report from its JSON text (docs/report.md), not from the `Report` in memory: the
//! page writes them in a second wasm, loaded on the first export, which gets that text from the
//! analysing one; the CLI goes the same way, so both write the same bytes.
//!
//! Safety: every text cell is written as a string (never a formula), so a customer named
//! `=HYPERLINK(…)` stays text. CSV has no such distinction; see [`crate::write::csv`].

use crate::analyze::chart::{Chart as Spec, Kind};
pub use crate::report::Lang;
use crate::report::{analysis_name as section_title, Report, Vocabulary};
use crate::table::mapping::Field;
use crate::write::csv::csv;
use crate::write::titles;
use crate::Error;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// Excel's last row index is 1,048,575; the header takes one.
const MAX_CUSTOMER_ROWS: usize = 1_048_575;
/// Rows of any one analysis table, and points of any one chart.
const MAX_TABLE_ROWS: usize = 10_000;

/// One cell of an exported table.
enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

/// The parts of a report's JSON (docs/report.md) the exports read by name; each analysis is
/// read as it comes.
#[derive(Deserialize)]
struct ReportIn {
    summary: SummaryIn,
    #[serde(default)]
    customers: Vec<CustomerIn>,
    #[serde(default)]
    analyses: Json,
}

#[derive(Deserialize)]
struct SummaryIn {
    customers: u64,
    order_lines: u64,
    total_amount: Option<f64>,
    first_order_date: Option<NaiveDate>,
    last_order_date: Option<NaiveDate>,
    as_of: Option<NaiveDate>,
    active_rate: Option<f64>,
    churn_rate: Option<f64>,
    analyses: Vec<StatusIn>,
}

#[derive(Deserialize)]
struct StatusIn {
    key: String,
    ran: bool,
    #[serde(default)]
    needs: Vec<Vec<String>>,
    note: Option<TextIn>,
}

/// A customer's row: its names, facts and labels (label keys, named through the vocabulary).
#[derive(Deserialize)]
struct CustomerIn {
    id: Option<String>,
    name: Option<String>,
    order_lines: f64,
    first_order_date: Option<NaiveDate>,
    last_order_date: Option<NaiveDate>,
    orders: Option<f64>,
    amount: Option<f64>,
    average_order: Option<f64>,
    largest_order: Option<f64>,
    profit: Option<f64>,
    returns: Option<f64>,
    receivable: Option<f64>,
    recency_days: Option<f64>,
    interval_days: Option<f64>,
    r_score: Option<f64>,
    f_score: Option<f64>,
    m_score: Option<f64>,
    rfm_segment: Option<String>,
    abc_class: Option<String>,
    value_score: Option<f64>,
    value_tier: Option<String>,
    lifecycle: Option<String>,
    alert: bool,
    bcg: Option<String>,
    cluster: Option<f64>,
    nps_group: Option<String>,
    csi: Option<f64>,
    credit_score: Option<f64>,
    credit_grade: Option<String>,
    big_grade: Option<String>,
    churn_risk: Option<String>,
    churn_probability: Option<f64>,
    has_complaint: Option<bool>,
    complaints: Option<f64>,
    praise: Option<f64>,
    suggestions: Option<f64>,
    age_band: Option<String>,
    income_band: Option<String>,
    p_alive: Option<f64>,
    expected_purchases: Option<f64>,
    clv: Option<f64>,
    clv_tier: Option<String>,
    #[serde(default)]
    dims: BTreeMap<String, String>,
}

impl ReportIn {
    /// `report`'s JSON text read back.
    fn parse(json: &[u8]) -> Result<Self, Error> {
        serde_json::from_slice(json).map_err(|e| Error::write(format!("report JSON: {e}")))
    }

    /// The ABC class's name with the split it follows: "ABC（客户数 10/20/70）".
    fn abc_name(&self, lang: Lang) -> Option<String> {
        let name = self.analyses.pointer("/abc/class_name")?;
        let t = TextIn::deserialize(name).ok()?;
        Some(lang.pick(&t.zh, &t.en).to_string())
    }

    /// A customer by index, as "id name".
    fn who(&self, i: usize) -> String {
        self.customers.get(i).map_or_else(String::new, |c| {
            let id = c.id.as_deref().unwrap_or("");
            let name = c.name.as_deref().unwrap_or("");
            format!("{id} {name}").trim().to_string()
        })
    }
}

type Getter<'a> = Box<dyn Fn(&CustomerIn) -> Cell + 'a>;

/// The customer table's columns: header and value.
fn customer_columns<'a>(
    report: &ReportIn,
    vocabulary: &'a Vocabulary,
    lang: Lang,
) -> Vec<(String, Getter<'a>)> {
    fn num(x: Option<f64>) -> Cell {
        x.filter(|v| v.is_finite())
            .map_or(Cell::Empty, Cell::Number)
    }
    fn text(x: Option<&String>) -> Cell {
        x.map_or(Cell::Empty, |s| Cell::Text(s.clone()))
    }
    fn date(x: Option<NaiveDate>) -> Cell {
        x.map_or(Cell::Empty, Cell::Date)
    }
    // A label's name in `lang`, from the vocabulary the page shows.
    let l = move |labels: &str, key: &Option<String>| -> Cell {
        let name = key.as_ref().and_then(|k| {
            let list = vocabulary.labels.get(labels)?;
            list.iter().find(|x| x.key == k.as_str())
        });
        name.map_or(Cell::Empty, |x| Cell::Text(lang.text(&x.text).to_string()))
    };
    // A band's key names itself ("25-34"); the vocabulary names the rest ("(invalid)").
    let band = move |labels: &str, key: &Option<String>| -> Cell {
        match l(labels, key) {
            Cell::Empty => text(key.as_ref()),
            named => named,
        }
    };
    let abc_name = report.abc_name(lang);
    let mut cols: Vec<(String, Getter)> = vec![
        (
            lang.pick("客户编号", "Customer ID").into(),
            Box::new(|c| text(c.id.as_ref())),
        ),
        (
            lang.pick("客户名称", "Name").into(),
            Box::new(|c| text(c.name.as_ref())),
        ),
        (
            lang.pick("RFM 分群", "RFM segment").into(),
            Box::new(move |c| l("rfm_segment", &c.rfm_segment)),
        ),
        ("R".into(), Box::new(|c| num(c.r_score))),
        ("F".into(), Box::new(|c| num(c.f_score))),
        ("M".into(), Box::new(|c| num(c.m_score))),
        (
            // Named with the split it follows: "ABC（客户数 10/20/70）".
            abc_name.unwrap_or_else(|| lang.pick("ABC 类", "ABC class").into()),
            Box::new(|c| text(c.abc_class.as_ref())),
        ),
        (
            lang.pick("价值得分", "Value score").into(),
            Box::new(|c| num(c.value_score)),
        ),
        (
            lang.pick("价值等级", "Value tier").into(),
            Box::new(move |c| l("value_tier", &c.value_tier)),
        ),
        (
            lang.pick("生命周期", "Lifecycle").into(),
            Box::new(move |c| l("lifecycle", &c.lifecycle)),
        ),
        (
            lang.pick("预流失预警", "Pre-churn alert").into(),
            Box::new(move |c| Cell::Text(if c.alert { lang.pick("是", "yes") } else { "" }.into())),
        ),
        (
            lang.pick("BCG 象限", "BCG quadrant").into(),
            Box::new(move |c| l("bcg", &c.bcg)),
        ),
        (
            lang.pick("聚类", "Cluster").into(),
            Box::new(|c| num(c.cluster)),
        ),
        (
            lang.pick("NPS 分组", "NPS group").into(),
            Box::new(move |c| l("nps_group", &c.nps_group)),
        ),
        ("CSI".into(), Box::new(|c| num(c.csi))),
        (
            lang.pick("信用得分", "Credit score").into(),
            Box::new(|c| num(c.credit_score)),
        ),
        (
            lang.pick("信用等级", "Credit grade").into(),
            Box::new(|c| text(c.credit_grade.as_ref())),
        ),
        (
            lang.pick("大客户等级", "Big customer grade").into(),
            Box::new(move |c| l("big_grade", &c.big_grade)),
        ),
        (
            lang.pick("流失风险", "Churn risk").into(),
            Box::new(move |c| l("churn_risk", &c.churn_risk)),
        ),
        (
            lang.pick("流失概率", "Churn probability").into(),
            Box::new(|c| num(c.churn_probability)),
        ),
        (
            lang.pick("有投诉", "Complained").into(),
            Box::new(move |c| l("has_complaint", &c.has_complaint.map(|b| b.to_string()))),
        ),
        (
            lang.pick("投诉", "Complaints").into(),
            Box::new(|c| num(c.complaints)),
        ),
        (
            lang.pick("好评", "Praise").into(),
            Box::new(|c| num(c.praise)),
        ),
        (
            lang.pick("建议", "Suggestions").into(),
            Box::new(|c| num(c.suggestions)),
        ),
        (
            lang.pick("年龄段", "Age band").into(),
            Box::new(move |c| band("age_band", &c.age_band)),
        ),
        (
            lang.pick("收入段", "Income band").into(),
            Box::new(move |c| band("income_band", &c.income_band)),
        ),
        (
            lang.pick("存活概率", "P(alive)").into(),
            Box::new(|c| num(c.p_alive)),
        ),
        (
            lang.pick("预期购买次数", "Expected purchases").into(),
            Box::new(|c| num(c.expected_purchases)),
        ),
        ("CLV".into(), Box::new(|c| num(c.clv))),
        (
            lang.pick("CLV 等级", "CLV tier").into(),
            Box::new(move |c| l("clv_tier", &c.clv_tier)),
        ),
        (
            lang.pick("首次购买", "First order").into(),
            Box::new(|c| date(c.first_order_date)),
        ),
        (
            lang.pick("最近购买", "Last order").into(),
            Box::new(|c| date(c.last_order_date)),
        ),
        (
            lang.pick("订单数", "Orders").into(),
            Box::new(|c| num(c.orders)),
        ),
        (
            lang.pick("订单行", "Order lines").into(),
            Box::new(|c| Cell::Number(c.order_lines)),
        ),
        (
            lang.pick("金额", "Amount").into(),
            Box::new(|c| num(c.amount)),
        ),
        (
            lang.pick("平均订单额", "Average order").into(),
            Box::new(|c| num(c.average_order)),
        ),
        (
            lang.pick("最大订单", "Largest order").into(),
            Box::new(|c| num(c.largest_order)),
        ),
        (
            lang.pick("利润", "Profit").into(),
            Box::new(|c| num(c.profit)),
        ),
        (
            lang.pick("退货", "Returns").into(),
            Box::new(|c| num(c.returns)),
        ),
        (
            lang.pick("应收", "Receivable").into(),
            Box::new(|c| num(c.receivable)),
        ),
        (
            lang.pick("沉默天数", "Days since last order").into(),
            Box::new(|c| num(c.recency_days)),
        ),
        (
            lang.pick("平均购买间隔（天）", "Purchase interval (days)")
                .into(),
            Box::new(|c| num(c.interval_days)),
        ),
    ];
    // Drop label columns no customer has (an analysis that did not run).
    cols.retain(|(_, get)| {
        report
            .customers
            .iter()
            .any(|c| !matches!(get(c), Cell::Empty))
    });
    let mut dims: Vec<&str> = report
        .customers
        .iter()
        .flat_map(|c| c.dims.keys().map(String::as_str))
        .collect();
    crate::sort::by(&mut dims, |a, b| a.cmp(b));
    dims.dedup();
    for key in dims {
        let header = match Field::from_key(key) {
            Some(f) => lang.pick(f.label_zh(), f.label_en()).to_string(),
            None => key.to_string(),
        };
        let k = key.to_string();
        cols.push((header, Box::new(move |c| text(c.dims.get(&k)))));
    }
    cols
}

/// The results workbook of `report`.
pub fn workbook(report: &Report, lang: Lang) -> Result<Vec<u8>, Error> {
    workbook_of_json(&to_json(report)?, lang)
}

/// The results workbook of a report's JSON text (what the page's bindings hand over).
pub fn workbook_of_json(json: &[u8], lang: Lang) -> Result<Vec<u8>, Error> {
    build(&ReportIn::parse(json)?, lang).map_err(Error::write)
}

/// A report as the JSON text of docs/report.md: the exports read it back from there, so the page
/// (which hands the text from one wasm to the other) and the CLI write the same bytes.
fn to_json(report: &Report) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(report).map_err(|e| Error::write(format!("report JSON: {e}")))
}

fn build(report: &ReportIn, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let created = match report.summary.as_of {
        Some(d) => ExcelDateTime::from_ymd(
            u16::try_from(d.year()).unwrap_or(2026),
            d.month() as u8,
            d.day() as u8,
        )?,
        None => ExcelDateTime::from_ymd(2026, 1, 1)?,
    };
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_title(lang.pick("客析 分析结果", "kexi results"))
            .set_author("kexi"),
    );
    let f = Formats::new();
    let mut names = SheetNames::default();
    let vocabulary = crate::report::vocabulary();

    let summary = wb.add_worksheet();
    summary.set_name(names.unique(lang.pick("摘要", "Summary")))?;
    write_summary(summary, report, lang, &f)?;

    let ws = wb.add_worksheet();
    ws.set_name(names.unique(lang.pick("客户", "Customers")))?;
    write_customers(ws, report, &vocabulary, lang, &f)?;

    let ctx = Ctx {
        lang,
        f: &f,
        report,
        abc_name: report.abc_name(lang),
        vocabulary,
    };
    for status in report.summary.analyses.iter().filter(|s| s.ran) {
        let Some(result) = report.analyses.get(&status.key) else {
            continue;
        };
        let title = section_title(&status.key, lang);
        let name = names.unique(title);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        write_analysis(ws, (&name, title, &status.key), result, &ctx)?;
    }
    wb.save_to_buffer()
}

struct Formats {
    bold: Format,
    title: Format,
    date: Format,
    number: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            number: Format::new().set_num_format("#,##0.00"),
        }
    }
}

fn write_cell(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    cell: &Cell,
    f: &Formats,
) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string(r, c, s)?;
        }
        Cell::Number(x) => {
            let x = &as_shown(*x);
            if x.fract() == 0.0 {
                ws.write_number(r, c, *x)?;
            } else {
                ws.write_number_with_format(r, c, *x, &f.number)?;
            }
        }
        Cell::Date(d) => {
            let serial = excel_serial(*d);
            ws.write_number_with_format(r, c, serial, &f.date)?;
        }
    }
    Ok(())
}

/// `x`, or 0 where it is a negative that two decimals show as zero (it would read "-0.00").
fn as_shown(x: f64) -> f64 {
    if x > -0.005 && x <= 0.0 {
        0.0
    } else {
        x
    }
}

/// Days since 1899-12-30: Excel's serial for dates after 1900-02-28.
fn excel_serial(d: NaiveDate) -> f64 {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (d - base).num_days() as f64
}

fn write_summary(
    ws: &mut Worksheet,
    r: &ReportIn,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let s = &r.summary;
    ws.write_string_with_format(0, 0, lang.pick("客析 分析结果", "kexi results"), &f.title)?;
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let num = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    let rows: Vec<(&str, Cell)> = vec![
        (
            lang.pick("客户数", "Customers"),
            Cell::Number(s.customers as f64),
        ),
        (
            lang.pick("订单行", "Order lines"),
            Cell::Number(s.order_lines as f64),
        ),
        (lang.pick("销售额", "Sales"), num(s.total_amount)),
        (
            lang.pick("首次订单", "First order"),
            date(s.first_order_date),
        ),
        (lang.pick("最近订单", "Last order"), date(s.last_order_date)),
        (lang.pick("分析基准日", "As of"), date(s.as_of)),
        (lang.pick("活跃率 %", "Active rate %"), num(s.active_rate)),
        (lang.pick("流失率 %", "Churn rate %"), num(s.churn_rate)),
    ];
    let mut row = 2;
    for (k, v) in &rows {
        ws.write_string_with_format(row, 0, *k, &f.bold)?;
        write_cell(ws, row, 1, v, f)?;
        row += 1;
    }
    if r.customers.len() > MAX_CUSTOMER_ROWS {
        row += 1;
        let note = match lang {
            Lang::Zh => format!(
                "客户表只列出前 {MAX_CUSTOMER_ROWS} 位客户（Excel 的行数上限），共 {} 位。",
                r.customers.len()
            ),
            Lang::En => format!(
                "The customer sheet lists the first {MAX_CUSTOMER_ROWS} of {} customers (Excel's row limit).",
                r.customers.len()
            ),
        };
        ws.write_string(row, 0, note)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, lang.pick("分析", "Analysis"), &f.bold)?;
    ws.write_string_with_format(row, 1, lang.pick("是否运行", "Ran"), &f.bold)?;
    ws.write_string_with_format(row, 2, lang.pick("说明", "Note"), &f.bold)?;
    for st in &s.analyses {
        row += 1;
        ws.write_string(row, 0, section_title(&st.key, lang))?;
        ws.write_string(
            row,
            1,
            if st.ran {
                lang.pick("是", "yes")
            } else {
                lang.pick("否", "no")
            },
        )?;
        let note = match (&st.note, st.needs.is_empty()) {
            (Some(t), _) => lang.pick(&t.zh, &t.en).to_string(),
            (None, false) => {
                let needs: Vec<String> = st
                    .needs
                    .iter()
                    .map(|alts| {
                        alts.iter()
                            .map(|k| match Field::from_key(k) {
                                Some(f) => lang.pick(f.label_zh(), f.label_en()).to_string(),
                                None => k.clone(),
                            })
                            .collect::<Vec<_>>()
                            .join(" / ")
                    })
                    .collect();
                format!("{}{}", lang.pick("需要列：", "Needs: "), needs.join(", "))
            }
            (None, true) => String::new(),
        };
        ws.write_string(row, 2, note)?;
    }
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 60)?;
    Ok(())
}

fn write_customers(
    ws: &mut Worksheet,
    r: &ReportIn,
    vocabulary: &Vocabulary,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let cols = customer_columns(r, vocabulary, lang);
    for (c, (h, _)) in cols.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, h, &f.bold)?;
        ws.set_column_width(c, (h.chars().count() as f64 * 1.8 + 2.0).clamp(8.0, 30.0))?;
    }
    let n = r.customers.len().min(MAX_CUSTOMER_ROWS);
    for (i, row) in r.customers.iter().take(n).enumerate() {
        for (c, (_, get)) in cols.iter().enumerate() {
            write_cell(ws, i as u32 + 1, c as u16, &get(row), f)?;
        }
    }
    ws.set_freeze_panes(1, 2)?;
    if !cols.is_empty() {
        ws.autofilter(0, 0, n as u32, cols.len() as u16 - 1)?;
    }
    Ok(())
}

/// Unique, valid sheet names: at most 31 characters, none of `[]:*?/\`, not blank.
#[derive(Default)]
struct SheetNames(Vec<String>);

impl SheetNames {
    fn unique(&mut self, wanted: &str) -> String {
        let clean: String = wanted
            .chars()
            .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
            .collect();
        let clean = clean.trim_matches('\'').trim();
        let base: String = if clean.is_empty() {
            "Sheet".into()
        } else {
            clean.chars().take(31).collect()
        };
        let mut name = base.clone();
        let mut n = 2;
        while self
            .0
            .iter()
            .any(|x| x.to_lowercase() == name.to_lowercase())
        {
            let suffix = format!(" ({n})");
            let keep = 31 - suffix.chars().count();
            name = format!("{}{suffix}", base.chars().take(keep).collect::<String>());
            n += 1;
        }
        self.0.push(name.clone());
        name
    }
}

/// What an analysis sheet is written with.
struct Ctx<'a> {
    lang: Lang,
    f: &'a Formats,
    report: &'a ReportIn,
    vocabulary: Vocabulary,
    /// The ABC class's name with the split it follows, for the alerts' `abc_class` column.
    abc_name: Option<String>,
}

impl Ctx<'_> {
    fn title(&self, parent: &str, key: &str) -> String {
        match (key, &self.abc_name) {
            ("abc_class", Some(name)) => name.clone(),
            _ => titles::title(parent, key, self.lang),
        }
    }

    /// Customers and products the report refers to by index, by name: the alerts', movers' and
    /// disagreements' `customer`, and the BCG points' `item` (a product under `products`).
    fn cell(&self, parent: &str, key: &str, v: &Json) -> Option<Cell> {
        let i = v.as_u64().map_or(usize::MAX, |i| i as usize);
        match (key, parent) {
            ("item", "products") => {
                let labels = self.report.analyses.pointer("/bcg/products/labels");
                let label = labels.and_then(|l| l.get(i)).and_then(Json::as_str);
                label.map(|s| Cell::Text(s.to_string()))
            }
            ("customer", _) | ("item", _) if i < usize::MAX => Some(Cell::Text(self.report.who(i))),
            _ => json_cell(key, v, self),
        }
    }
}

/// `{zh, en}`: a text in both languages.
fn is_text(v: &Json) -> bool {
    matches!(v, Json::Object(o) if o.len() == 2 && o.contains_key("zh") && o.contains_key("en"))
}

/// An array of objects, written as a table (a list of texts is a cell).
fn is_table(v: &Json) -> bool {
    matches!(v, Json::Array(a) if a.iter().any(|x| x.is_object() && !is_text(x)))
}

/// A JSON value in column `key` as a cell: `{zh, en}` texts and enum values in the chosen
/// language, numbers as numbers, short lists joined.
fn json_cell(key: &str, v: &Json, ctx: &Ctx) -> Option<Cell> {
    let lang = ctx.lang;
    let text = |s: &str| titles::value(key, s, &ctx.vocabulary, lang).unwrap_or_else(|| s.into());
    match v {
        Json::Null => Some(Cell::Empty),
        Json::Bool(b) => Some(Cell::Text(
            lang.pick(if *b { "是" } else { "否" }, if *b { "yes" } else { "no" })
                .into(),
        )),
        Json::Number(n) => n.as_f64().map(Cell::Number),
        Json::String(s) => Some(match crate::table::normalize::iso_date(s) {
            Some(d) => Cell::Date(d),
            None => Cell::Text(text(s)),
        }),
        Json::Object(o) if is_text(v) => {
            let s = o
                .get(lang.pick("zh", "en"))
                .and_then(Json::as_str)
                .unwrap_or("");
            Some(Cell::Text(s.to_string()))
        }
        Json::Array(a)
            if a.len() <= 20
                && a.iter()
                    .all(|x| x.is_number() || x.is_string() || is_text(x)) =>
        {
            let each = |x: &Json| match json_cell(key, x, ctx) {
                Some(Cell::Text(s)) => s,
                _ => x.to_string(),
            };
            Some(Cell::Text(
                a.iter().map(each).collect::<Vec<_>>().join(", "),
            ))
        }
        _ => None,
    }
}

fn write_analysis(
    ws: &mut Worksheet,
    (sheet, title, key): (&str, &str, &str),
    result: &Json,
    ctx: &Ctx,
) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, title, &ctx.f.title)?;
    let mut row = 2u32;
    let mut charts: Vec<Spec> = Vec::new();
    write_object(ws, &mut row, (key, result), ctx, &mut charts, 0)?;
    // Chart data goes to the right of the tables; each chart sits beside its data.
    let mut data_row = 2u32;
    let data_col: u16 = 20;
    for spec in &charts {
        data_row = write_chart(ws, sheet, spec, data_row, data_col, ctx.lang, ctx.f)?;
    }
    ws.set_column_width(0, 22)?;
    Ok(())
}

/// Writes an analysis's scalars as key/value lines and its arrays of objects as tables,
/// recursively; collects the chart specs found on the way. `parent` is the object's own key.
fn write_object(
    ws: &mut Worksheet,
    row: &mut u32,
    (parent, v): (&str, &Json),
    ctx: &Ctx,
    charts: &mut Vec<Spec>,
    depth: u8,
) -> Result<(), XlsxError> {
    let Json::Object(obj) = v else {
        return Ok(());
    };
    let bold = &ctx.f.bold;
    for (k, x) in obj {
        if k == "charts" {
            if let Ok(list) = Vec::<SpecIn>::deserialize(x) {
                charts.extend(list.into_iter().map(SpecIn::into_spec));
            }
            continue;
        }
        if k == "options" || depth > 3 {
            continue;
        }
        match x {
            Json::Array(items) if is_table(x) => {
                *row += 1;
                ws.write_string_with_format(*row, 0, ctx.title(parent, k), bold)?;
                *row += 1;
                // BCG's points are its customers' or its products'.
                let table = if k == "points" { parent } else { k };
                write_table(ws, row, (table, items), ctx, charts, depth)?;
            }
            Json::Object(_) if json_cell(k, x, ctx).is_none() => {
                *row += 1;
                ws.write_string_with_format(*row, 0, ctx.title(parent, k), bold)?;
                *row += 1;
                write_object(ws, row, (k, x), ctx, charts, depth + 1)?;
            }
            _ => {
                if let Some(cell) = json_cell(k, x, ctx) {
                    ws.write_string(*row, 0, ctx.title(parent, k))?;
                    write_cell(ws, *row, 1, &cell, ctx.f)?;
                    *row += 1;
                }
            }
        }
    }
    Ok(())
}

/// Writes `items` (the array under key `parent`) as a table, then the tables nested in them.
fn write_table(
    ws: &mut Worksheet,
    row: &mut u32,
    (parent, items): (&str, &[Json]),
    ctx: &Ctx,
    charts: &mut Vec<Spec>,
    depth: u8,
) -> Result<(), XlsxError> {
    // Columns: every key with a scalar (or bilingual text) value in some item, in first-seen
    // order, but for the keys a label column beside them names.
    let labelled = items.iter().any(|x| x.get("label").is_some());
    let mut keys: Vec<&str> = Vec::new();
    for item in items.iter().take(MAX_TABLE_ROWS) {
        if let Json::Object(o) = item {
            for (k, x) in o {
                let named = labelled && titles::KEYS_OF_LABELS.contains(&k.as_str());
                if !named && !keys.contains(&k.as_str()) && json_cell(k, x, ctx).is_some() {
                    keys.push(k);
                }
            }
        }
    }
    for (c, k) in keys.iter().enumerate() {
        ws.write_string_with_format(*row, c as u16, ctx.title(parent, k), &ctx.f.bold)?;
    }
    *row += 1;
    for item in items.iter().take(MAX_TABLE_ROWS) {
        for (c, k) in keys.iter().enumerate() {
            if let Some(cell) = item.get(*k).and_then(|x| ctx.cell(parent, k, x)) {
                write_cell(ws, *row, c as u16, &cell, ctx.f)?;
            }
        }
        *row += 1;
    }
    // Nested tables (e.g. each dimension's groups) follow, each under its item's label.
    for item in items.iter().take(100) {
        let Json::Object(o) = item else { continue };
        let nested = o.iter().any(|(k, x)| k != "charts" && is_table(x));
        if nested || o.contains_key("charts") {
            if let Some(Cell::Text(name)) = o.get("label").and_then(|x| json_cell("label", x, ctx))
            {
                *row += 1;
                ws.write_string_with_format(*row, 0, name, &ctx.f.bold)?;
            }
            let tables: serde_json::Map<String, Json> = o
                .iter()
                .filter(|(k, x)| *k == "charts" || is_table(x))
                .map(|(k, x)| (k.clone(), x.clone()))
                .collect();
            *row += 1;
            let tables = Json::Object(tables);
            write_object(ws, row, (parent, &tables), ctx, charts, depth + 1)?;
        }
    }
    Ok(())
}

/// A chart spec read back from the report's JSON.
#[derive(Deserialize)]
struct SpecIn {
    id: String,
    kind: String,
    title: TextIn,
    categories: Vec<TextIn>,
    series: Vec<SeriesIn>,
}

#[derive(Deserialize)]
struct TextIn {
    zh: String,
    en: String,
}

#[derive(Deserialize)]
struct SeriesIn {
    name: TextIn,
    data: Vec<Option<f64>>,
    x: Option<Vec<Option<f64>>>,
}

impl SpecIn {
    fn into_spec(self) -> Spec {
        let kind = match self.kind.as_str() {
            "bar" => Kind::Bar,
            "stacked_bar" => Kind::StackedBar,
            "pie" => Kind::Pie,
            "line" => Kind::Line,
            "treemap" => Kind::Treemap,
            "funnel" => Kind::Funnel,
            "pyramid" => Kind::Pyramid,
            "heatmap" => Kind::Heatmap,
            _ => Kind::Scatter,
        };
        let text = |t: TextIn| crate::analyze::chart::Text::new(t.zh, t.en);
        Spec {
            id: self.id,
            kind,
            title: text(self.title),
            categories: self.categories.into_iter().map(text).collect(),
            keys: Vec::new(),
            series: self
                .series
                .into_iter()
                .map(|s| crate::analyze::chart::Series {
                    name: text(s.name),
                    unit: crate::analyze::chart::Unit::Customers,
                    data: s.data.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect(),
                    x: s.x
                        .map(|x| x.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect()),
                })
                .collect(),
            x_title: None,
            y_title: None,
        }
    }
}

/// Writes a chart's data at (`row`, `col`) and a native chart beside it; returns the next free row.
fn write_chart(
    ws: &mut Worksheet,
    sheet: &str,
    spec: &Spec,
    row: u32,
    col: u16,
    lang: Lang,
    f: &Formats,
) -> Result<u32, XlsxError> {
    let scatter = spec.kind == Kind::Scatter
        || (spec.categories.is_empty() && spec.series.iter().any(|s| s.x.is_some()));
    let points = spec
        .series
        .iter()
        .map(|s| s.data.len())
        .max()
        .unwrap_or(0)
        .min(MAX_TABLE_ROWS);
    if points == 0 {
        return Ok(row);
    }
    ws.write_string_with_format(row, col, lang.text(&spec.title), &f.bold)?;
    let head = row + 1;
    let first = head + 1;
    let last = head + points as u32;
    let mut chart = Chart::new(match spec.kind {
        Kind::Bar => ChartType::Column,
        Kind::StackedBar => ChartType::ColumnStacked,
        Kind::Pie => ChartType::Pie,
        // A month × year table is drawn as one line a year over the months: the season plot.
        Kind::Line | Kind::Heatmap if !scatter => ChartType::Line,
        Kind::Treemap | Kind::Funnel | Kind::Pyramid => ChartType::Bar,
        _ => ChartType::ScatterStraightWithMarkers,
    });
    if spec.kind == Kind::Scatter {
        chart = Chart::new(ChartType::Scatter);
    }
    chart.title().set_name(lang.text(&spec.title));
    if scatter {
        // One x column and one y column per series.
        let mut c = col;
        for s in &spec.series {
            ws.write_string_with_format(head, c, "x", &f.bold)?;
            ws.write_string_with_format(head, c + 1, lang.text(&s.name), &f.bold)?;
            for i in 0..points {
                let x =
                    s.x.as_ref()
                        .and_then(|x| x.get(i))
                        .copied()
                        .unwrap_or(i as f64);
                if let (true, Some(y)) = (
                    x.is_finite(),
                    s.data.get(i).copied().filter(|y| y.is_finite()),
                ) {
                    ws.write_number(first + i as u32, c, x)?;
                    ws.write_number(first + i as u32, c + 1, y)?;
                }
            }
            chart
                .add_series()
                .set_name(lang.text(&s.name))
                .set_categories((sheet, first, c, last, c))
                .set_values((sheet, first, c + 1, last, c + 1));
            c += 2;
        }
    } else {
        ws.write_string_with_format(head, col, "", &f.bold)?;
        for i in 0..points {
            let name = spec
                .categories
                .get(i)
                .map_or(String::new(), |t| lang.text(t).to_string());
            ws.write_string(first + i as u32, col, name)?;
        }
        for (j, s) in spec.series.iter().enumerate() {
            let c = col + 1 + j as u16;
            ws.write_string_with_format(head, c, lang.text(&s.name), &f.bold)?;
            for (i, y) in s.data.iter().take(points).enumerate() {
                if y.is_finite() {
                    ws.write_number(first + i as u32, c, *y)?;
                }
            }
            chart
                .add_series()
                .set_name(lang.text(&s.name))
                .set_categories((sheet, first, col, last, col))
                .set_values((sheet, first, c, last, c));
            if spec.kind == Kind::Pie {
                break;
            }
        }
    }
    chart.set_width(560).set_height(320);
    let anchor_col = col + 2 + 2 * spec.series.len().min(6) as u16;
    ws.insert_chart(row, anchor_col, &chart)?;
    // Leave room for the chart (about 17 rows) or the data, whichever is taller.
    Ok(row + (points as u32 + 3).max(18))
}

/// The customer table as CSV, with the workbook's columns.
pub fn customers_csv(report: &Report, lang: Lang) -> Result<String, Error> {
    customers_csv_of_json(&to_json(report)?, lang)
}

/// The customer table of a report's JSON text as CSV.
pub fn customers_csv_of_json(json: &[u8], lang: Lang) -> Result<String, Error> {
    let report = ReportIn::parse(json)?;
    let vocabulary = crate::report::vocabulary();
    let cols = customer_columns(&report, &vocabulary, lang);
    let header: Vec<String> = cols.iter().map(|(h, _)| h.clone()).collect();
    let rows: Vec<Vec<String>> = report
        .customers
        .iter()
        .map(|c| {
            cols.iter()
                .map(|(_, get)| match get(c) {
                    Cell::Empty => String::new(),
                    Cell::Text(s) => s,
                    Cell::Number(x) => x.to_string(),
                    Cell::Date(d) => d.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(csv(&header, &rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_negative_shown_as_zero_is_zero() {
        assert_eq!(as_shown(-0.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(as_shown(-0.004), 0.0);
        assert_eq!(as_shown(-0.005), -0.005);
        assert_eq!(as_shown(-12.5), -12.5);
        assert_eq!(as_shown(0.001), 0.001);
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut n = SheetNames::default();
        assert_eq!(n.unique("RFM分群"), "RFM分群");
        assert_eq!(n.unique("rfm分群"), "rfm分群 (2)");
        assert_eq!(n.unique("a/b:c*d?[e]"), "a_b_c_d__e_");
        let long = "x".repeat(40);
        assert_eq!(n.unique(&long).chars().count(), 31);
        let again = n.unique(&long);
        assert_eq!(again.chars().count(), 31);
        assert!(again.ends_with(" (2)"));
        assert_eq!(n.unique("  "), "Sheet");
    }
}
