//! The people analysis on a hand-checked personal register: age bands from the age column or the
//! birth date at the as-of date, impossible ages and incomes apart, income bands and incomes
//! written as text, gender and marital status; the customers' bands in the filter and the
//! results workbook; a register without personal columns skips it.

use crate::fixtures::{new_workbook, write_rows, C};
use calamine::{Reader, Xlsx};
use chrono::NaiveDate;
use kexi::internals::export::{self, Lang};
use kexi::internals::filter::Index;
use kexi::internals::report::Report;
use kexi::{analyze, Options};
use serde_json::{json, Value};
use std::io::Cursor;

/// One register row: id, gender, birth date, age, monthly income, marital status, amount.
type Person<'a> = (
    &'a str,
    &'a str,
    Option<(u16, u8, u8)>,
    Option<f64>,
    C<'a>,
    &'a str,
    f64,
);

/// Nine people. At the as-of date 2024-12-31, by hand:
/// - age: P01 25 (born 1999-12-31, its birthday), P02 24 (born 2000-01-01, a day short),
///   P03 44 (column), P04 64, P05 65, P06 born after the as-of date (invalid), P07 130
///   (invalid), P08 unknown, P09 20 (the column, not its birth date);
/// - income: 2999 (<3000), 3000 (3000–5999), 9999.5 (6000–9999), "5000-8000" (text), 20000
///   (20000+), blank, −100 (invalid), 10000 (10000–19999), "保密" (text).
fn people() -> Vec<Person<'static>> {
    use C::*;
    vec![
        (
            "P01",
            "女",
            Some((1999, 12, 31)),
            None,
            N(2999.0),
            "已婚",
            100.0,
        ),
        (
            "P02",
            "女",
            Some((2000, 1, 1)),
            None,
            N(3000.0),
            "未婚",
            200.0,
        ),
        ("P03", "男", None, Some(44.0), N(9999.5), "已婚", 300.0),
        (
            "P04",
            "男",
            Some((1960, 6, 15)),
            None,
            S("5000-8000"),
            "离异",
            400.0,
        ),
        (
            "P05",
            "女",
            Some((1959, 12, 31)),
            None,
            N(20000.0),
            "已婚",
            500.0,
        ),
        ("P06", "男", Some((2025, 3, 1)), None, S(""), "", 600.0),
        ("P07", "", None, Some(130.0), N(-100.0), "未婚", 700.0),
        ("P08", "男", None, None, N(10000.0), "已婚", 800.0),
        (
            "P09",
            "女",
            Some((1990, 1, 1)),
            Some(20.0),
            S("保密"),
            "未婚",
            900.0,
        ),
    ]
}

fn register(rows: &[Person<'_>]) -> Vec<u8> {
    use C::*;
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("会员档案").unwrap();
    let header = [
        "会员编号",
        "姓名",
        "性别",
        "出生日期",
        "年龄",
        "月收入",
        "婚姻状况",
        "消费金额",
    ];
    let mut cells = vec![header.iter().map(|h| S(h)).collect::<Vec<_>>()];
    for (id, gender, birth, age, income, marital, amount) in rows {
        let income = match income {
            N(x) => N(*x),
            S(s) => S(s),
            D(y, m, d) => D(*y, *m, *d),
        };
        cells.push(vec![
            S(id),
            S(id),
            S(gender),
            birth.map_or(S(""), |(y, m, d)| D(y, m, d)),
            age.map_or(S(""), N),
            income,
            S(marital),
            N(*amount),
        ]);
    }
    write_rows(ws, 0, &cells);
    wb.save_to_buffer().unwrap()
}

fn report_at(bytes: &[u8], as_of: (i32, u32, u32)) -> Report {
    let options = Options {
        as_of: NaiveDate::from_ymd_opt(as_of.0, as_of.1, as_of.2),
        ..Options::default()
    };
    analyze(bytes, &options).unwrap()
}

/// The people section's dimension `by` as (key, customers, amount) per group.
fn groups(r: &Report, by: &str) -> Vec<(Value, u64, f64)> {
    let json = serde_json::to_value(&r.analyses).unwrap();
    let dims = json["people"]["dimensions"].as_array().unwrap();
    let d = dims.iter().find(|d| d["by"] == by).unwrap();
    d["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let k = g["customers"].as_u64().unwrap();
            (g["key"].clone(), k, g["amount"].as_f64().unwrap())
        })
        .collect()
}

fn status(r: &Report) -> Value {
    let s = r
        .summary
        .analyses
        .iter()
        .find(|s| s.key == "people")
        .unwrap();
    serde_json::to_value(s).unwrap()
}

#[test]
fn bands_counts_and_shares_by_hand() {
    let r = report_at(&register(&people()), (2024, 12, 31));
    let g = |k: &str, n: u64, a: f64| (json!(k), n, a);
    assert_eq!(
        groups(&r, "age_band"),
        [
            g("<25", 2, 1100.0),
            g("25-34", 1, 100.0),
            g("35-44", 1, 300.0),
            g("45-54", 0, 0.0),
            g("55-64", 1, 400.0),
            g("65+", 1, 500.0),
            g("invalid", 2, 1300.0),
            (Value::Null, 1, 800.0),
        ]
    );
    assert_eq!(
        groups(&r, "income_band"),
        [
            g("<3000", 1, 100.0),
            g("3000-5999", 1, 200.0),
            g("6000-9999", 1, 300.0),
            g("10000-19999", 1, 800.0),
            g("20000+", 1, 500.0),
            g("invalid", 1, 700.0),
            g("5000-8000", 1, 400.0),
            g("保密", 1, 900.0),
            (Value::Null, 1, 600.0),
        ]
    );
    // The other dimensions: largest amount first, the blank group last.
    assert_eq!(
        groups(&r, "gender"),
        [
            g("男", 4, 2100.0),
            g("女", 4, 1700.0),
            (Value::Null, 1, 700.0)
        ]
    );
    assert_eq!(
        groups(&r, "marital_status"),
        [
            g("未婚", 3, 1800.0),
            g("已婚", 4, 1700.0),
            g("离异", 1, 400.0),
            (Value::Null, 1, 600.0)
        ]
    );
    let json = serde_json::to_value(&r.analyses).unwrap();
    let people = &json["people"];
    let order: Vec<&str> = people["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["by"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        ["gender", "age_band", "income_band", "marital_status"]
    );
    let under_25 = &people["dimensions"][1]["groups"][0];
    assert_eq!(
        under_25["label"],
        json!({"zh": "25岁以下", "en": "Under 25"})
    );
    // 2 of 9 customers, 1100 of 4500.
    let close = |v: &Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-9;
    assert!(close(&under_25["customer_share"], 200.0 / 9.0));
    assert!(close(&under_25["amount_share"], 100.0 * 1100.0 / 4500.0));
    assert_eq!(under_25["amount_per_customer"], json!(550.0));
    assert_eq!(
        people["dimensions"][1]["groups"][3]["amount_per_customer"],
        Value::Null
    );
    assert_eq!(people["as_of"], json!("2024-12-31"));
    assert_eq!(people["options"]["age_edges"], json!([25, 35, 45, 55, 65]));
    let note = status(&r)["note"]["zh"].as_str().unwrap().to_string();
    assert!(note.starts_with("2 位客户的年龄不可能"), "{note}");
    assert!(note.contains("1 位客户的收入为负"), "{note}");
    // The customers carry their bands; the age column wins over a birth date.
    let row = |i: usize| serde_json::to_value(&r.customers[i]).unwrap();
    assert_eq!(
        (&row(8)["age"], &row(8)["age_band"], &row(8)["income_band"]),
        (&json!(20.0), &json!("<25"), &json!("保密"))
    );
    assert_eq!(row(6)["age"], Value::Null);
    assert_eq!(row(6)["age_band"], json!("invalid"));
    assert!(row(7).get("age_band").is_none(), "unknown: absent");
    assert_eq!(row(0)["dims"]["marital_status"], json!("已婚"));
}

/// Ages from birth dates follow the as-of date: a day later P02 turns 25; by March P06 is born.
#[test]
fn ages_follow_the_as_of_date() {
    let bytes = register(&people());
    let ages = |r: &Report| -> Vec<u64> { groups(r, "age_band").iter().map(|g| g.1).collect() };
    assert_eq!(
        ages(&report_at(&bytes, (2024, 12, 31))),
        [2, 1, 1, 0, 1, 1, 2, 1]
    );
    assert_eq!(
        ages(&report_at(&bytes, (2025, 1, 1))),
        [1, 2, 1, 0, 1, 1, 2, 1]
    );
    let march = report_at(&bytes, (2025, 3, 1));
    assert_eq!(ages(&march), [2, 2, 1, 0, 1, 1, 1, 1]);
    assert_eq!(
        march.customers[5].age_band.as_ref().unwrap().as_str(),
        "<25"
    );
    let note = status(&march)["note"]["en"].as_str().unwrap().to_string();
    assert!(
        note.starts_with("1 customers have an impossible age"),
        "{note}"
    );
}

/// The edges are settings: other bands, the same customers.
#[test]
fn edges_are_settings() {
    let mut options = Options::from_json(
        r#"{"as_of": "2024-12-31", "people": {"age_edges": [30, 60], "income_edges": [5000]}}"#,
    )
    .unwrap();
    let r = analyze(&register(&people()), &options).unwrap();
    let keys = |by: &str| -> Vec<Value> { groups(&r, by).into_iter().map(|g| g.0).collect() };
    assert_eq!(
        keys("age_band"),
        [
            json!("<30"),
            json!("30-59"),
            json!("60+"),
            json!("invalid"),
            Value::Null
        ]
    );
    let counts: Vec<u64> = groups(&r, "age_band").iter().map(|g| g.1).collect();
    assert_eq!(counts, [3, 1, 2, 2, 1]);
    assert_eq!(keys("income_band")[..2], [json!("<5000"), json!("5000+")]);
    let e = Options::from_json(r#"{"people": {"age_edges": [40, 30]}}"#).unwrap_err();
    assert!(e.to_string().contains("people.age_edges"), "{e}");
    options.people.chart_groups = 2;
    let r = analyze(&register(&people()), &options).unwrap();
    let json = serde_json::to_value(&r.analyses).unwrap();
    let chart = &json["people"]["dimensions"][0]["charts"][0];
    assert_eq!(chart["id"], json!("people_gender_customers"));
    assert_eq!(chart["keys"], json!(["男", "女", ""]));
    assert_eq!(chart["series"][0]["data"], json!([4.0, 4.0, 1.0]));
}

#[test]
fn the_filter_takes_the_bands_and_the_dimensions() {
    let r = report_at(&register(&people()), (2024, 12, 31));
    let index = Index::new(&r);
    let ids = |q: Value| -> Vec<String> {
        let found = index.filter(&q).unwrap();
        found
            .into_iter()
            .map(|i| r.customers[i as usize].id.clone().unwrap())
            .collect()
    };
    assert_eq!(ids(json!({"age_band": ["<25"]})), ["P02", "P09"]);
    assert_eq!(ids(json!({"age_band": ["invalid"]})), ["P06", "P07"]);
    assert_eq!(ids(json!({"age_band": [null]})), ["P08"]);
    assert_eq!(
        ids(json!({"income_band": ["5000-8000", "invalid"]})),
        ["P04", "P07"]
    );
    assert_eq!(
        ids(json!({"marital_status": ["已婚"], "gender": ["女"]})),
        ["P01", "P05"]
    );
    // The numeric age filter is still there, beside the bands.
    assert_eq!(ids(json!({"age": {"min": 60}})), ["P04", "P05"]);
    let facets = index.facets(&(0..9).collect::<Vec<u32>>(), 10);
    assert_eq!(facets["age_band"][0], (Some("<25".to_string()), 2));
}

#[test]
fn the_results_workbook_has_its_sheet() {
    let r = report_at(&register(&people()), (2024, 12, 31));
    let bytes = export::workbook(&r, Lang::Zh).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("个人客户画像").unwrap();
    let text: Vec<String> = sheet.cells().map(|(_, _, c)| c.to_string()).collect();
    for want in [
        "年龄段",
        "25–34岁",
        "(无效)",
        "收入段",
        "5000-8000",
        "婚姻状况",
    ] {
        assert!(text.iter().any(|t| t == want), "{want} in the sheet");
    }
}

/// A register with no personal column: the analysis is skipped, saying what it needs, and
/// nothing of it reaches the customers.
#[test]
fn a_register_without_personal_columns_skips_it() {
    use C::*;
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    write_rows(
        ws,
        0,
        &[
            vec![S("客户名称"), S("所属区域"), S("销售额")],
            vec![S("甲公司"), S("华东"), N(100.0)],
            vec![S("乙公司"), S("华北"), N(200.0)],
        ],
    );
    let r = analyze(&wb.save_to_buffer().unwrap(), &Options::default()).unwrap();
    assert!(r.analyses.people.is_none());
    assert_eq!(
        status(&r),
        json!({"key": "people", "ran": false, "needs": [[
            "gender", "age", "birth_date", "income", "occupation", "education", "marital_status"
        ]]})
    );
    let row = serde_json::to_value(&r.customers[0]).unwrap();
    assert!(row.get("age_band").is_none() && row.get("income_band").is_none());
    assert!(Index::new(&r)
        .filter(&json!({"age_band": ["<25"]}))
        .is_err());
}

/// A shop's order list of personal buyers, their birth date on every line: each customer's age is
/// its first line's, and the customer CSV carries the bands.
#[test]
fn an_order_list_gives_ages_from_its_lines() {
    let csv = "订单号,客户名称,出生日期,月收入,订单日期,金额\n\
               1,张三,1990-05-01,8000,2024-03-01,100\n\
               2,李四,2030-01-01,5000-8000,2024-04-01,200\n\
               3,张三,1990-05-01,8000,2024-05-01,50\n\
               4,王五,,,2024-05-01,50\n\
               5,王五,1960-07-01,,2024-05-02,50\n";
    let r = report_at(csv.as_bytes(), (2024, 12, 31));
    // 张三 34 on 2024-12-31, 李四 born after it, 王五 64 from his second line.
    let ages = groups(&r, "age_band");
    let count = |k: &str| ages.iter().find(|g| g.0 == k).map_or(0, |g| g.1);
    assert_eq!(
        (count("25-34"), count("invalid"), count("55-64")),
        (1, 1, 1)
    );
    let text = export::customers_csv(&r, Lang::En).unwrap();
    let mut read = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = read.headers().unwrap().clone();
    let at = |h: &str| header.iter().position(|x| x == h).unwrap();
    let (age, income) = (at("Age band"), at("Income band"));
    let rows: Vec<Vec<String>> = read
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let of = |name: &str| rows.iter().find(|r| r[0] == name).unwrap().clone();
    assert_eq!(
        (of("张三")[age].as_str(), of("张三")[income].as_str()),
        ("25-34", "6000-9999")
    );
    assert_eq!(of("李四")[age], "(invalid)");
    assert_eq!(of("王五")[age], "55-64");
}
