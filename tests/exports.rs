//! What leaves kexi as a file: the results workbook and CSV (read back with calamine and the
//! csv crate), the blank templates (which must map onto kexi's own fields), and the sample
//! workbook behind "try the sample" (deterministic, and every analysis has something to show
//! but people: its customers are companies).

use crate::fixtures::{new_workbook, write_rows, C};
use calamine::{Data, Reader, Xlsx};
use kexi::internals::export::{self, Lang};
use kexi::{analyze, Book, Options};
use std::io::{Cursor, Read};

/// Three customers; one is named like a formula.
fn orders() -> Vec<u8> {
    use C::*;
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("订单").unwrap();
    let mut rows = vec![vec![
        S("订单号"),
        S("客户名称"),
        S("所属区域"),
        S("订单日期"),
        S("金额"),
    ]];
    let lines: [(&str, &str, u8, f64); 6] = [
        ("=HYPERLINK(\"http://x\")", "华东", 3, 500.0),
        ("=HYPERLINK(\"http://x\")", "华东", 5, 700.0),
        ("东方贸易", "华南", 4, 1200.5),
        ("东方贸易", "华南", 6, 800.0),
        ("东方贸易", "华南", 8, 300.0),
        ("北方机械", "华北", 2, 90.0),
    ];
    let ids: Vec<String> = (0..lines.len()).map(|i| format!("SO{i}")).collect();
    for (i, (name, region, month, amount)) in lines.iter().enumerate() {
        rows.push(vec![
            S(&ids[i]),
            S(name),
            S(region),
            D(2024, *month, 10),
            N(*amount),
        ]);
    }
    write_rows(ws, 0, &rows);
    wb.save_to_buffer().unwrap()
}

fn sheet_xml(xlsx: &[u8], name_part: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut s = String::new();
    zip.by_name(name_part)
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}

#[test]
fn results_workbook_has_every_label_and_keeps_text_as_text() {
    let report = analyze(&orders(), &Options::default()).unwrap();
    let bytes = export::workbook(&report, Lang::Zh).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).unwrap();
    let names = wb.sheet_names();
    for want in [
        "摘要",
        "客户",
        "RFM分群",
        "ABC分类",
        "客户价值",
        "生命周期",
        "分布与占比",
        "客户增减",
    ] {
        assert!(names.iter().any(|n| n == want), "sheet {want} in {names:?}");
    }
    let ran = report.summary.analyses.iter().filter(|s| s.ran).count();
    assert_eq!(names.len(), 2 + ran, "one sheet per analysis that ran");

    let customers = wb.worksheet_range("客户").unwrap();
    let header: Vec<String> = customers
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let col = |h: &str| {
        header
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("{h} in {header:?}"))
    };
    assert_eq!(customers.height(), 1 + 3, "a header and three customers");
    let row = customers
        .rows()
        .find(|r| r[col("客户名称")] == Data::String("东方贸易".into()))
        .unwrap();
    assert_eq!(row[col("金额")], Data::Float(2300.5));
    assert_eq!(row[col("订单数")], Data::Float(3.0));
    assert!(
        matches!(row[col("最近购买")], Data::DateTime(_)),
        "a real date: {:?}",
        row[col("最近购买")]
    );
    assert!(matches!(&row[col("RFM 分群")], Data::String(s) if s.ends_with("客户")));
    assert!(matches!(&row[col("区域")], Data::String(s) if s == "华南"));
    let formula_like = customers
        .rows()
        .find(|r| r[col("客户名称")] == Data::String("=HYPERLINK(\"http://x\")".into()));
    assert!(formula_like.is_some(), "the formula-like name is text");
    // No sheet holds a formula.
    for i in 1..=names.len() {
        assert!(!sheet_xml(&bytes, &format!("xl/worksheets/sheet{i}.xml")).contains("<f>"));
    }
    // Native charts, one per chart spec at least for RFM.
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let charts = (0..zip.len())
        .filter(|&i| {
            zip.by_index(i)
                .unwrap()
                .name()
                .unwrap()
                .starts_with("xl/charts/chart")
        })
        .count();
    assert!(charts >= 5, "{charts} charts");

    let en = export::workbook(&report, Lang::En).unwrap();
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(en)).unwrap();
    assert!(wb.sheet_names().iter().any(|n| n == "Customers"));
}

#[test]
fn customer_csv_is_formula_safe_and_round_trips() {
    let report = analyze(&orders(), &Options::default()).unwrap();
    let text = export::customers_csv(&report, Lang::Zh).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let name = header.iter().position(|h| h == "客户名称").unwrap();
    let amount = header.iter().position(|h| h == "金额").unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let names: Vec<&str> = rows.iter().map(|r| &r[name]).collect();
    assert!(names.contains(&"'=HYPERLINK(\"http://x\")"), "{names:?}");
    assert!(rows.iter().any(|r| &r[amount] == "2300.5"));
}

#[test]
fn templates_map_onto_kexi_fields_and_have_drop_downs() {
    for (bytes, sheet, fields) in [
        (
            kexi::template::register().unwrap(),
            "客户登记表",
            vec![
                "customer_id",
                "customer_name",
                "phone",
                "region",
                "industry",
                "company_size",
                "ownership",
                "source",
                "salesperson",
                "first_order_date",
                "credit_limit",
                "payment_days",
                "receivable",
                "satisfaction",
                "nps",
                "lead_status",
                "purchase_timing",
            ],
        ),
        (
            kexi::template::personal().unwrap(),
            "个人客户登记表",
            vec![
                "customer_id",
                "customer_name",
                "gender",
                "birth_date",
                "phone",
                "email",
                "province",
                "city",
                "occupation",
                "education",
                "income",
                "marital_status",
                "source",
                "salesperson",
                "first_order_date",
                "amount",
                "order_count",
                "satisfaction",
                "nps",
            ],
        ),
        (
            kexi::template::orders().unwrap(),
            "订单明细",
            vec![
                "order_id",
                "order_date",
                "customer_id",
                "customer_name",
                "product",
                "category",
                "quantity",
                "unit_price",
                "amount",
                "cost",
                "returns",
            ],
        ),
    ] {
        let book = Book::open(&bytes, &Default::default()).unwrap();
        let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, [sheet, "说明"]);
        // A header row alone: every column maps to the field meant for it.
        let ds = kexi::internals::dataset::choose(&book, Some(sheet), &Default::default()).unwrap();
        let (_, table) = ds.tables().next().unwrap();
        let mapped: Vec<&str> = table
            .mapping
            .columns
            .iter()
            .filter_map(|c| c.field.map(|f| f.key()))
            .collect();
        for f in &fields {
            assert!(mapped.contains(f), "{sheet}: {f} not in {mapped:?}");
        }
        assert!(table
            .mapping
            .columns
            .iter()
            .all(|c| c.status != kexi::internals::mapping::Status::Ambiguous));
        let xml = sheet_xml(&bytes, "xl/worksheets/sheet1.xml");
        if sheet == "客户登记表" {
            assert!(xml.contains("<dataValidation"), "drop-down lists");
            assert!(xml.contains("华东,华南"));
        }
        if sheet == "个人客户登记表" {
            assert!(xml.contains("男,女") && xml.contains("未婚,已婚,离异,丧偶"));
        }
    }
}

#[test]
fn sample_runs_every_analysis_and_is_deterministic() {
    let bytes = kexi::sample::orders(5_000, 1).unwrap();
    assert_eq!(
        bytes,
        kexi::sample::orders(5_000, 1).unwrap(),
        "same seed, same bytes"
    );
    assert_ne!(bytes, kexi::sample::orders(5_000, 2).unwrap());
    let report = analyze(&bytes, &Options::default()).unwrap();
    let not_run: Vec<&str> = report
        .summary
        .analyses
        .iter()
        .filter(|s| !s.ran)
        .map(|s| s.key)
        .collect();
    // Its customers are companies: no gender, age or income for the people analysis; and no
    // complaints, praise or suggestions for the feedback.
    assert_eq!(not_run, ["feedback", "people"]);
    assert_eq!(report.summary.order_lines, 5_000);
    let rfm = report.analyses.rfm.as_ref().unwrap();
    assert!(
        rfm.segments.iter().all(|s| s.customers > 0),
        "all 8 segments have customers"
    );
    let lifecycle = report.analyses.lifecycle.as_ref().unwrap();
    let stage = |k: &str| {
        lifecycle
            .stages
            .iter()
            .find(|s| s.stage.key() == k)
            .map_or(0, |s| s.customers)
    };
    assert!(
        stage("lost") > 0 && stage("sleeping") > 0 && stage("potential") > 0 && stage("new") > 0
    );
    assert!(report.analyses.alerts.as_ref().unwrap().key_customers > 0);
    assert!(report
        .analyses
        .cross_sell
        .as_ref()
        .unwrap()
        .pairs
        .iter()
        .any(|p| p.lift > 1.0));
}

/// The results workbook names the stretches a partial last year is compared over beside the
/// comparison: 2024 known to 15 March against 1 January – 15 March 2023.
#[test]
fn results_workbook_names_the_period_compared() {
    let csv = "客户编号,订单日期,销售额,所属区域\n\
               K1,2023-01-10,100,华东\n\
               K1,2023-03-16,1000,华东\n\
               K2,2023-02-01,200,华北\n\
               K1,2024-02-01,300,华东\n\
               K2,2024-03-15,100,华北\n";
    let report = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let bytes = export::workbook(&report, Lang::Zh).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    for sheet in ["分布与占比", "年度业绩", "BCG矩阵"] {
        let range = wb.worksheet_range(sheet).unwrap();
        let row_of = |title: &str| {
            range
                .rows()
                .find(|r| r.first() == Some(&Data::String(title.into())))
                .map(|r| r.get(1).map(|d| d.to_string()).unwrap_or_default())
        };
        assert!(row_of("期间").is_some(), "{sheet}: the period's block");
        assert_eq!(
            row_of("比较期间").as_deref(),
            Some("2024年1月1日–3月15日 vs 2023年同期"),
            "{sheet}"
        );
        // A date cell: Excel's day 45000 is 2023-03-15 (44927, 2023-01-01, plus 73 days).
        assert_eq!(row_of("对比止").as_deref(), Some("45000"), "{sheet}");
    }
}

const NAMES: [&str; 10] = [
    "甲公司",
    "乙商行",
    "丙贸易",
    "丁机械",
    "戊电子",
    "己食品",
    "庚建材",
    "辛物流",
    "壬医药",
    "癸科技",
];

/// Ten customers over two years: 甲公司 bought 5000 three times 31 days apart early in 2023 and
/// never again; the k-th of the others bought 100 × k on 2023-06-01 and 150 × k on 2024-06-01.
/// As of 2024-06-02, 甲公司 (15,000, the largest) is the one A of the default 10% split, silent
/// 447 days, over 14 times its interval: alerted; it falls from rank 1 to no purchase in 2024.
fn two_years() -> Vec<u8> {
    use C::*;
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("订单").unwrap();
    let mut rows = vec![vec![S("客户名称"), S("订单日期"), S("金额")]];
    for (month, day) in [(1, 10), (2, 10), (3, 13)] {
        rows.push(vec![S(NAMES[0]), D(2023, month, day), N(5000.0)]);
    }
    for (k, name) in NAMES.iter().enumerate().skip(1) {
        rows.push(vec![S(name), D(2023, 6, 1), N(100.0 * k as f64)]);
        rows.push(vec![S(name), D(2024, 6, 1), N(150.0 * k as f64)]);
    }
    write_rows(ws, 0, &rows);
    wb.save_to_buffer().unwrap()
}

/// Every key and enum value of the analyses as the report spells them (`amount_after`,
/// `cash_cow`, `silence` …): none of them may reach a workbook as it is. One letter is a model's
/// symbol (BG/NBD's r, a, b; the clusters' k) and stays one.
pub(crate) fn raw_words(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    use serde_json::Value::*;
    let snake = |s: &str| {
        s.len() >= 2
            && s.split('_')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
    };
    match v {
        Object(o) => {
            for (k, x) in o {
                if snake(k) {
                    out.insert(k.clone());
                }
                if k != "charts" && k != "options" {
                    raw_words(x, out);
                }
            }
        }
        Array(a) => a.iter().for_each(|x| raw_words(x, out)),
        String(s) if snake(s) => {
            out.insert(s.clone());
        }
        _ => {}
    }
}

/// The column headed `header` in the table whose header row holds it, as texts.
fn column(range: &calamine::Range<Data>, header: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = None;
    for row in range.rows() {
        if let Some(c) = row.iter().position(|d| d == &Data::String(header.into())) {
            at = Some(c);
            continue;
        }
        match at.and_then(|c| row.get(c)) {
            Some(Data::Empty) | None => at = None,
            Some(d) => out.push(d.to_string()),
        }
    }
    out
}

#[test]
fn results_workbook_names_customers_and_speaks_its_language() {
    let dir = std::env::temp_dir().join(format!("kexi-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("orders.xlsx");
    std::fs::write(&file, two_years()).unwrap();
    let report = analyze(&two_years(), &Options::default()).unwrap();
    let mut raw = std::collections::BTreeSet::new();
    raw_words(&serde_json::to_value(&report.analyses).unwrap(), &mut raw);
    for key in [
        "amount_after",
        "rank_before",
        "quadrant",
        "silence",
        "key_customers",
    ] {
        assert!(raw.contains(key), "{key} is among the words checked");
    }
    for (lang, alerts, performance, bcg, customer, item) in [
        ("zh", "预流失预警", "年度业绩", "BCG矩阵", "客户", "项目"),
        (
            "en",
            "Pre-churn alerts",
            "Performance",
            "BCG",
            "Customer",
            "Item",
        ),
    ] {
        let out_file = dir.join(format!("results-{lang}.xlsx"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_kexi"))
            .arg("analyze")
            .arg(&file)
            .args(["--lang", lang, "--export"])
            .arg(&out_file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        // The summary is in the language asked for.
        let chinese = ["工作表：", "分析基准日", "位客户", "预流失重点客户："];
        let english = ["Sheets:", "as of: 2024-06-02", "Pre-churn key customers:"];
        let (has, lacks) = if lang == "zh" {
            (chinese.as_slice(), english.as_slice())
        } else {
            (english.as_slice(), chinese.as_slice())
        };
        for w in has {
            assert!(text.contains(w), "{lang}: {w} in\n{text}");
        }
        for w in lacks {
            assert!(!text.contains(w), "{lang}: {w} in\n{text}");
        }
        assert!(!text.contains("-0.0"), "{text}");

        let bytes = std::fs::read(&out_file).unwrap();
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        // Customers are named, never numbered: 甲公司 is the one alert, the largest decrease
        // and a BCG dog; the other customers are named in the movers and the points too.
        let mut names = |sheet: &str, header: &str| {
            let range = wb.worksheet_range(sheet).unwrap();
            let got = column(&range, header);
            assert!(!got.is_empty(), "{lang}: a {header} column on {sheet}");
            for name in &got {
                assert!(NAMES.contains(&name.as_str()), "{lang} {sheet}: {name}");
            }
            got
        };
        assert_eq!(names(alerts, customer), vec![NAMES[0]]);
        assert!(names(performance, customer).contains(&NAMES[0].to_string()));
        assert_eq!(names(bcg, item).len(), 10, "ten customers placed");
        // No key or enum value of the report is shown as it is spelled in the report.
        for sheet in wb.sheet_names() {
            let range = wb.worksheet_range(&sheet).unwrap();
            for cell in range.used_cells() {
                if let Data::String(s) = cell.2 {
                    assert!(
                        !raw.contains(s),
                        "{lang} {sheet} {:?}: {s}",
                        (cell.0, cell.1)
                    );
                }
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}
