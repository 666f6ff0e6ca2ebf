//! Exports of a report: the results workbook (xlsx) and CSV.
//!
//! The workbook has a summary sheet, the customer table with every label, and one sheet per
//! analysis that ran: its tables and, for each of its chart specs (src/analyze/chart.rs), a native Excel
//! chart over data written on that sheet. Bar, stacked bar, pie, line and scatter map to the same
//! Excel kinds; treemap, funnel and pyramid have no native equivalent that reads plain ranges and
//! are drawn as horizontal bars. Analysis tables are written from the report's own serialized
//! form, so a field added to an analysis appears in the export without code here.
//!
//! Safety: every text cell is written as a string (never a formula), so a customer named
//! `=HYPERLINK(…)` stays text. CSV has no such distinction; there a text starting with `=`, `+`,
//! `-`, `@`, tab or CR gets a leading apostrophe, the OWASP rule, except a plain number such as
//! `-12.5`, which no spreadsheet runs and which a user expects to stay a number.

use crate::analyze::chart::{Chart as Spec, Kind};
pub use crate::report::Lang;
use crate::report::{analysis_name as section_title, CustomerRow, Report, Vocabulary};
use crate::table::mapping::Field;
use crate::write::titles;
use crate::Error;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};
use serde::Deserialize;
use serde_json::Value as Json;

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

type Getter = Box<dyn Fn(&CustomerRow) -> Cell>;

/// The customer table's columns: header and value.
fn customer_columns(report: &Report, lang: Lang) -> Vec<(String, Getter)> {
    fn num(x: Option<f64>) -> Cell {
        x.filter(|v| v.is_finite())
            .map_or(Cell::Empty, Cell::Number)
    }
    fn text(x: Option<String>) -> Cell {
        x.map_or(Cell::Empty, Cell::Text)
    }
    fn date(x: Option<NaiveDate>) -> Cell {
        x.map_or(Cell::Empty, Cell::Date)
    }
    let l = move |t: crate::analyze::chart::Text| lang.text(&t).to_string();
    let mut cols: Vec<(String, Getter)> = vec![
        (
            lang.pick("客户编号", "Customer ID").into(),
            Box::new(|c| text(c.id.clone())),
        ),
        (
            lang.pick("客户名称", "Name").into(),
            Box::new(|c| text(c.name.clone())),
        ),
        (
            lang.pick("RFM 分群", "RFM segment").into(),
            Box::new(move |c| text(c.rfm_segment.map(|s| l(s.label())))),
        ),
        ("R".into(), Box::new(|c| num(c.r_score.map(f64::from)))),
        ("F".into(), Box::new(|c| num(c.f_score.map(f64::from)))),
        ("M".into(), Box::new(|c| num(c.m_score.map(f64::from)))),
        (
            // Named with the split it follows: "ABC（客户数 10/20/70）".
            report.analyses.abc.as_ref().map_or_else(
                || lang.pick("ABC 类", "ABC class").into(),
                |a| lang.text(&a.class_name).to_string(),
            ),
            Box::new(|c| text(c.abc_class.map(|s| s.key().to_string()))),
        ),
        (
            lang.pick("价值得分", "Value score").into(),
            Box::new(|c| num(c.value_score)),
        ),
        (
            lang.pick("价值等级", "Value tier").into(),
            Box::new(move |c| text(c.value_tier.map(|s| l(s.label())))),
        ),
        (
            lang.pick("生命周期", "Lifecycle").into(),
            Box::new(move |c| text(c.lifecycle.map(|s| l(s.label())))),
        ),
        (
            lang.pick("预流失预警", "Pre-churn alert").into(),
            Box::new(move |c| Cell::Text(if c.alert { lang.pick("是", "yes") } else { "" }.into())),
        ),
        (
            lang.pick("BCG 象限", "BCG quadrant").into(),
            Box::new(move |c| text(c.bcg.map(|s| l(s.label())))),
        ),
        (
            lang.pick("聚类", "Cluster").into(),
            Box::new(|c| num(c.cluster.map(f64::from))),
        ),
        (
            lang.pick("NPS 分组", "NPS group").into(),
            Box::new(move |c| text(c.nps_group.map(|s| l(s.label())))),
        ),
        ("CSI".into(), Box::new(|c| num(c.csi))),
        (
            lang.pick("信用得分", "Credit score").into(),
            Box::new(|c| num(c.credit_score)),
        ),
        (
            lang.pick("信用等级", "Credit grade").into(),
            Box::new(|c| text(c.credit_grade.map(|s| s.key().to_string()))),
        ),
        (
            lang.pick("大客户等级", "Big customer grade").into(),
            Box::new(move |c| text(c.big_grade.map(|s| l(s.label())))),
        ),
        (
            lang.pick("流失风险", "Churn risk").into(),
            Box::new(move |c| text(c.churn_risk.map(|s| l(s.label())))),
        ),
        (
            lang.pick("流失概率", "Churn probability").into(),
            Box::new(|c| num(c.churn_probability)),
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
            Box::new(move |c| text(c.clv_tier.map(|s| l(s.label())))),
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
            Box::new(|c| num(c.facts.orders.map(f64::from))),
        ),
        (
            lang.pick("订单行", "Order lines").into(),
            Box::new(|c| Cell::Number(c.order_lines as f64)),
        ),
        (
            lang.pick("金额", "Amount").into(),
            Box::new(|c| num(c.facts.amount)),
        ),
        (
            lang.pick("平均订单额", "Average order").into(),
            Box::new(|c| num(c.facts.average_order)),
        ),
        (
            lang.pick("最大订单", "Largest order").into(),
            Box::new(|c| num(c.facts.largest_order)),
        ),
        (
            lang.pick("利润", "Profit").into(),
            Box::new(|c| num(c.facts.profit)),
        ),
        (
            lang.pick("退货", "Returns").into(),
            Box::new(|c| num(c.facts.returns)),
        ),
        (
            lang.pick("应收", "Receivable").into(),
            Box::new(|c| num(c.facts.receivable)),
        ),
        (
            lang.pick("沉默天数", "Days since last order").into(),
            Box::new(|c| num(c.facts.recency_days.map(f64::from))),
        ),
        (
            lang.pick("平均购买间隔（天）", "Purchase interval (days)")
                .into(),
            Box::new(|c| num(c.facts.interval_days)),
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
        .flat_map(|c| c.dims.keys())
        .collect();
    crate::sort::by(&mut dims, |a, b| a.cmp(b));
    dims.dedup();
    for key in dims {
        let header = match Field::from_key(key) {
            Some(f) => lang.pick(f.label_zh(), f.label_en()).to_string(),
            None => key.to_string(),
        };
        let k = key.to_string();
        cols.push((
            header,
            Box::new(move |c| text(c.dims.get(&k).map(str::to_string))),
        ));
    }
    cols
}

/// The results workbook of `report`.
pub fn workbook(report: &Report, lang: Lang) -> Result<Vec<u8>, Error> {
    build(report, lang).map_err(Error::write)
}

fn build(report: &Report, lang: Lang) -> Result<Vec<u8>, XlsxError> {
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

    let summary = wb.add_worksheet();
    summary.set_name(names.unique(lang.pick("摘要", "Summary")))?;
    write_summary(summary, report, lang, &f)?;

    let ws = wb.add_worksheet();
    ws.set_name(names.unique(lang.pick("客户", "Customers")))?;
    write_customers(ws, report, lang, &f)?;

    // Through JSON text rather than `to_value`: the wasm then holds one serialiser for every
    // analysis type (the one its bindings use), not two.
    let analyses: Json = serde_json::to_string(&report.analyses)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Json::Null);
    let ctx = Ctx {
        lang,
        f: &f,
        report,
        vocabulary: crate::report::vocabulary(),
        abc_name: report
            .analyses
            .abc
            .as_ref()
            .map(|a| lang.text(&a.class_name).into()),
    };
    for status in report.summary.analyses.iter().filter(|s| s.ran) {
        let Some(result) = analyses.get(status.key) else {
            continue;
        };
        let title = section_title(status.key, lang);
        let name = names.unique(title);
        let ws = wb.add_worksheet();
        ws.set_name(&name)?;
        write_analysis(ws, (&name, title, status.key), result, &ctx)?;
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

fn write_summary(ws: &mut Worksheet, r: &Report, lang: Lang, f: &Formats) -> Result<(), XlsxError> {
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
        ws.write_string(row, 0, section_title(st.key, lang))?;
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
            (Some(t), _) => lang.text(t).to_string(),
            (None, false) => {
                let needs: Vec<String> = st
                    .needs
                    .iter()
                    .map(|alts| {
                        alts.iter()
                            .map(|k| match Field::from_key(k) {
                                Some(f) => lang.pick(f.label_zh(), f.label_en()).to_string(),
                                None => k.to_string(),
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
    r: &Report,
    lang: Lang,
    f: &Formats,
) -> Result<(), XlsxError> {
    let cols = customer_columns(r, lang);
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
    report: &'a Report,
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
        let bcg = self.report.analyses.bcg.as_ref();
        match (key, parent) {
            ("item", "products") => bcg
                .and_then(|b| b.products.as_ref()?.labels.get(i).cloned())
                .map(Cell::Text),
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

/// CSV with a UTF-8 BOM (so Excel reads Chinese correctly), CRLF line ends and formula
/// injection neutralized (see the module doc).
pub fn csv(header: &[String], rows: &[Vec<String>]) -> String {
    let mut w = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let mut write = |fields: &[String]| {
        let safe: Vec<String> = fields.iter().map(|s| neutralize(s)).collect();
        let _ = w.write_record(&safe);
    };
    write(header);
    for r in rows {
        write(r);
    }
    let bytes = w.into_inner().unwrap_or_default();
    format!("\u{feff}{}", String::from_utf8_lossy(&bytes))
}

/// Prefixes `'` to a field a spreadsheet would run as a formula.
pub fn neutralize(s: &str) -> String {
    let risky = s.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_plain_number(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// `-12.5`, `+3`, `-1e5`: a number and nothing else.
fn is_plain_number(s: &str) -> bool {
    s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The customer table as CSV, with the workbook's columns.
pub fn customers_csv(report: &Report, lang: Lang) -> String {
    let cols = customer_columns(report, lang);
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
    csv(&header, &rows)
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

    #[test]
    fn csv_neutralizes_formulas_but_not_numbers() {
        for (input, out) in [
            ("=1+2", "'=1+2"),
            ("+cmd", "'+cmd"),
            ("-1+2", "'-1+2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-12.5", "-12.5"),
            ("+3", "+3"),
            ("华东", "华东"),
            ("a=b", "a=b"),
        ] {
            assert_eq!(neutralize(input), out, "{input:?}");
        }
        let text = csv(
            &["名称".into(), "金额".into()],
            &[vec!["=HYPERLINK(\"x\")".into(), "-5".into()]],
        );
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("\r\n"));
        let mut r = ::csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let rec = r
            .records()
            .next()
            .and_then(|x| x.ok())
            .map(|x| x.iter().map(str::to_string).collect::<Vec<_>>());
        assert_eq!(
            rec,
            Some(vec!["'=HYPERLINK(\"x\")".to_string(), "-5".to_string()])
        );
    }
}
