//! Dates after the as-of date (or, without one, after today) never drive the analysis: order
//! lines dated after it are left out and counted, a register's dates after it are blanked, and
//! no recency is negative. Every figure below is counted by hand from the rows written here.

use crate::fixtures::{new_workbook, write_rows, C};
use kexi::{analyze, Options};
use serde_json::Value;

/// Twelve order lines of seven customers, 1,000 each, but for one line of C6 dated 2030-01-01
/// worth 5,000 (sheet row 12). `future: false` leaves that line out of the file.
fn orders(future: bool) -> Vec<u8> {
    let lines: [(&str, (u16, u8, u8), f64); 12] = [
        ("C1", (2024, 1, 10), 1000.0),
        ("C1", (2024, 6, 15), 1000.0),
        ("C1", (2024, 12, 1), 1000.0),
        ("C2", (2023, 3, 1), 1000.0),
        ("C2", (2024, 11, 20), 1000.0),
        ("C3", (2023, 5, 5), 1000.0),
        ("C3", (2024, 5, 1), 1000.0),
        ("C4", (2023, 2, 1), 1000.0),
        ("C5", (2024, 10, 15), 1000.0),
        ("C6", (2023, 8, 8), 1000.0),
        ("C6", (2030, 1, 1), 5000.0),
        ("C7", (2024, 12, 20), 1000.0),
    ];
    let mut rows = vec![vec![C::S("客户编号"), C::S("订单日期"), C::S("销售额")]];
    for (id, (y, m, d), amount) in lines {
        if future || y < 2030 {
            rows.push(vec![C::S(id), C::D(y, m, d), C::N(amount)]);
        }
    }
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("订单明细").unwrap();
    write_rows(ws, 0, &rows);
    wb.save_to_buffer().unwrap()
}

fn report(bytes: &[u8], options: &str) -> Value {
    let r = analyze(bytes, &Options::from_json(options).unwrap()).unwrap();
    serde_json::to_value(&r).unwrap()
}

/// Each customer's (id, a key of its row).
fn each(r: &Value, key: &str) -> Vec<(String, Value)> {
    let list = r["customers"].as_array().unwrap();
    list.iter()
        .map(|c| (c["id"].as_str().unwrap().to_string(), c[key].clone()))
        .collect()
}

#[test]
fn an_order_after_today_is_left_out_and_counted() {
    let today = r#"{"today": "2024-12-31"}"#;
    let with = report(&orders(true), today);
    let without = report(&orders(false), today);
    // The last real purchase is C7's on 2024-12-20, so the as-of date is 2024-12-21 (it was
    // 2030-01-02, which made six of the seven customers lost).
    assert_eq!(with["summary"]["as_of"], "2024-12-21");
    // Recency at 2024-12-21 with new ≤ 90 days since the first order, active ≤ 90 days since
    // the last, lost > 180: C1 20 days, C2 31 (active); C3 234, C4 and C6 over a year (lost);
    // C5 first ordered 67 days before, C7 1 day (new).
    let stages = each(&with, "lifecycle");
    let want = ["active", "active", "lost", "lost", "new", "lost", "new"];
    for ((id, got), want) in stages.iter().zip(want) {
        assert_eq!(got, want, "{id}");
    }
    assert_eq!(stages, each(&without, "lifecycle"));
    assert_eq!(each(&with, "recency_days"), each(&without, "recency_days"));
    // The line is in no figure: 11 lines of 1,000, C6 with one order.
    assert_eq!(with["summary"]["order_lines"], 11);
    assert_eq!(with["summary"]["total_amount"], 11_000.0);
    let c6 = &with["customers"][5];
    assert_eq!(
        (c6["orders"].clone(), c6["amount"].clone()),
        (1.into(), 1000.0.into())
    );
    // Counted: 12 rows read, 11 used, 1 skipped with its 5,000, and one warning naming it.
    let q = &with["quality"];
    assert_eq!(
        (q["rows_read"].clone(), q["rows_used"].clone()),
        (12.into(), 11.into())
    );
    let skipped = &q["rows_skipped"]["after_as_of"];
    assert_eq!(skipped["count"], 1);
    assert_eq!(skipped["rows"], serde_json::json!([12]));
    assert_eq!(skipped["amount"], 5000.0);
    assert_eq!(q["issues"]["after_as_of"], 1);
    let w = &q["warnings"][0];
    assert_eq!(
        (w["issue"].clone(), w["cell"].clone(), w["value"].clone()),
        (
            "after_as_of".into(),
            "订单明细!B12".into(),
            "2030-01-01".into()
        )
    );
    let en = w["message_en"].as_str().unwrap();
    assert!(
        en.starts_with("1 order line(s) dated after today (2024-12-31), the latest 2030-01-01"),
        "{en}"
    );
    assert!(w["message_zh"]
        .as_str()
        .unwrap()
        .contains("晚于今天（2024-12-31）"));
    // Without the line nothing is left out and nothing warned.
    assert!(without["quality"]["rows_skipped"]
        .get("after_as_of")
        .is_none());
    assert!(without["quality"]["warnings"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[test]
fn orders_after_the_as_of_date_never_give_a_negative_recency() {
    // As of 2024-06-30 (today later, and ignored): C1's 12-01, C2's 11-20, C5's 10-15, C6's
    // 2030 line and C7's 12-20 have not happened yet. C5 and C7 have no other line.
    let r = report(
        &orders(true),
        r#"{"as_of": "2024-06-30", "today": "2024-12-31"}"#,
    );
    assert_eq!(r["summary"]["as_of"], "2024-06-30");
    // Days from the last order to 2024-06-30: C1 06-15 → 15; C2 2023-03-01 → 366 + 121 = 487;
    // C3 05-01 → 60; C4 2023-02-01 → 365 + 150 = 515; C6 2023-08-08 → 366 − 39 = 327.
    let want = [
        ("C1", 15),
        ("C2", 487),
        ("C3", 60),
        ("C4", 515),
        ("C6", 327),
    ];
    let got = each(&r, "recency_days");
    assert_eq!(got.len(), 5);
    for ((id, days), (want_id, want)) in got.iter().zip(want) {
        assert_eq!((id.as_str(), days.as_i64()), (want_id, Some(want)));
    }
    let q = &r["quality"];
    assert_eq!(q["rows_skipped"]["after_as_of"]["count"], 5);
    assert_eq!(q["rows_skipped"]["after_as_of"]["amount"], 9000.0);
    let en = q["warnings"][0]["message_en"].as_str().unwrap();
    assert!(en.starts_with("5 order line(s) dated after the as-of date 2024-06-30, the latest 2030-01-01 (订单明细!B12)"), "{en}");
}

#[test]
fn a_register_date_after_today_is_blanked() {
    // R2's last order is dated 2030: blanked, so R2 has no recency, and the as-of date is the
    // day after R1's 2024-11-30.
    let csv =
        "客户编号,客户名称,最近购买日期,累计消费金额\nR1,甲,2024-11-30,500\nR2,乙,2030-05-01,800\n";
    let r = report(csv.as_bytes(), r#"{"today": "2024-12-31"}"#);
    assert_eq!(r["summary"]["as_of"], "2024-12-01");
    let got = each(&r, "recency_days");
    assert_eq!(
        got,
        [
            ("R1".to_string(), 1.into()),
            ("R2".to_string(), Value::Null)
        ]
    );
    let w = &r["quality"]["warnings"][0];
    assert_eq!(
        (w["issue"].clone(), w["value"].clone()),
        ("after_as_of".into(), "2030-05-01".into())
    );
    assert!(w["message_en"]
        .as_str()
        .unwrap()
        .ends_with("is after today (2024-12-31); treated as empty"));
}
