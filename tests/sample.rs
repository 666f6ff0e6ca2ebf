//! The blank templates and the sample workbook as a user meets them: opened and analysed with the
//! default options, so kexi must choose the right sheet by itself (the instructions sheet 说明 is
//! listed, never analysed), map every template header, and find in the sample the churn, alerts
//! and span of dates it was made to show. exports.rs covers the fields and determinism.

use kexi::internals::alerts::Reason;
use kexi::internals::dataset::Role;
use kexi::internals::mapping::Status;
use kexi::{analyze_book, Book, Options};
use std::io::{Cursor, Read};

fn part(xlsx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn templates_are_chosen_by_default_and_every_header_maps() {
    for (bytes, sheet, role, columns) in [
        (
            kexi::template::register().unwrap(),
            "客户登记表",
            Role::Register,
            22,
        ),
        (
            kexi::template::orders().unwrap(),
            "订单明细",
            Role::Orders,
            11,
        ),
    ] {
        let book = Book::open(&bytes, &Default::default()).unwrap();
        let report = analyze_book(&book, &Options::default()).unwrap();
        let listed: Vec<(&str, Option<Role>)> = report
            .input
            .sheets
            .iter()
            .map(|s| (s.info.name.as_str(), s.role))
            .collect();
        assert_eq!(listed, [(sheet, Some(role)), ("说明", None)]);
        assert_eq!(report.mapping.len(), 1);
        let m = &report.mapping[0];
        assert_eq!(
            (m.sheet.as_str(), m.role, m.header_rows),
            (sheet, role, (1, 1))
        );
        assert_eq!(m.columns.len(), columns);
        for c in &m.columns {
            assert!(
                c.field.is_some() && c.status == Status::Auto,
                "{sheet}: {} maps to {:?} ({:?})",
                c.header,
                c.field,
                c.status
            );
        }
    }
}

#[test]
fn templates_keep_ids_as_text_format_dates_and_freeze_the_header() {
    let register = kexi::template::register().unwrap();
    let xml = part(&register, "xl/worksheets/sheet1.xml");
    // Six drop-down lists (region, industry, size, ownership, lead status, timing) on rows 2–10000.
    assert_eq!(xml.matches("<dataValidation ").count(), 6, "{xml}");
    assert!(
        xml.contains(r#"sqref="F2:F10000""#),
        "region list on F2:F10000"
    );
    assert!(xml.contains("<pane ySplit=\"1\""), "header row frozen");
    assert!(xml.contains("<cols>"), "column widths");
    let styles = part(&register, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#));
    assert!(styles.contains(r##"formatCode="#,##0.00""##));
    // Id and phone columns as text, so 13800138000 stays as typed.
    assert!(styles.contains(r#"formatCode="@""#), "{styles}");
    assert!(styles.contains("<b/>"), "bold header");

    let orders = kexi::template::orders().unwrap();
    let styles = part(&orders, "xl/styles.xml");
    assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#) && styles.contains(r#"formatCode="@""#));
    // The instructions sheet explains every column in both languages.
    let strings = part(&orders, "xl/sharedStrings.xml");
    assert!(strings.contains("Explanation") && strings.contains("与客户登记表一致"));
}

#[test]
fn sample_shows_churn_alerts_and_three_years_of_dates() {
    let bytes = kexi::sample::orders(5_000, 1).unwrap();
    let book = Book::open(&bytes, &Default::default()).unwrap();
    let report = analyze_book(&book, &Options::default()).unwrap();
    let s = &report.summary;
    assert_eq!(s.shape, "register_and_orders");
    let roles: Vec<(&str, Option<Role>)> = report
        .input
        .sheets
        .iter()
        .map(|s| (s.info.name.as_str(), s.role))
        .collect();
    assert_eq!(
        roles,
        [
            ("客户名单", Some(Role::Register)),
            ("订单明细", Some(Role::Orders))
        ]
    );
    // About rows / 10 customers, leads included.
    assert!((400..=600).contains(&s.customers), "{}", s.customers);
    // Real date cells, two to three years ending 2026-10-31.
    let (first, last) = (s.first_order_date.unwrap(), s.last_order_date.unwrap());
    assert!(last <= chrono::NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
    assert!(last >= chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    let span = (last - first).num_days();
    assert!((730..=1100).contains(&span), "{first} … {last}");
    assert!(s.churn_rate.is_some_and(|r| r > 0.0));
    let alerts = report.analyses.alerts.as_ref().unwrap();
    assert!(!alerts.alerts.is_empty(), "pre-churn alerts");
    assert!(alerts.amount_at_risk > 0.0);
    assert!(
        alerts
            .alerts
            .iter()
            .any(|a| a.reasons.contains(&Reason::LowPAlive)),
        "some key customer the CLV model gives up on"
    );
}

#[test]
fn the_overview_keeps_the_top_of_per_customer_lists() {
    let bytes = kexi::sample::orders(40_000, 3).unwrap();
    let book = Book::open(&bytes, &Default::default()).unwrap();
    // The cumulative amount split makes more customers A (key) than the default 10% by count,
    // so the alerts outnumber the overview's list.
    let options = Options::from_json(r#"{"abc": {"method": "amount"}}"#).unwrap();
    let mut report = analyze_book(&book, &options).unwrap();
    let full = report.analyses.alerts.clone().unwrap();
    assert!(
        full.alerts.len() > kexi::internals::report::OVERVIEW_LIST,
        "{}",
        full.alerts.len()
    );
    assert_eq!(full.alerted, full.alerts.len() as u64);

    let overview = report.with_overview(|o| serde_json::to_value(o).unwrap());
    // The list cut for the overview is whole again afterwards, in its order.
    assert_eq!(report.analyses.alerts.as_ref(), Some(&full));
    let short = &overview["analyses"]["alerts"];
    let listed = short["alerts"].as_array().unwrap();
    assert_eq!(listed.len(), kexi::internals::report::OVERVIEW_LIST);
    assert_eq!(short["alerted"], full.alerted);
    for (shown, kept) in listed.iter().zip(&full.alerts) {
        assert_eq!(shown["customer"], kept.customer);
    }
    // The rest of the overview is the report's own.
    assert_eq!(
        overview["analyses"]["rfm"],
        serde_json::to_value(&report.analyses.rfm).unwrap()
    );
    assert_eq!(overview["customer_count"], report.customers.len());
}
