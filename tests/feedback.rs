//! Customer feedback end to end: complaint texts per order line, counts in a register, a
//! customer missing from the table holding the feedback, the tallies beside the churn model's
//! bands and the lifecycle on a history where the model runs, and an input without feedback.

use crate::fixtures::{new_workbook, write_rows, C};
use kexi::internals::filter::Index;
use kexi::internals::report::Report;
use kexi::{analyze, parse_iso_date, Options};
use serde_json::json;

fn status(r: &Report) -> &kexi::internals::analyses::Status {
    r.summary
        .analyses
        .iter()
        .find(|s| s.key == "feedback")
        .expect("a status for the feedback")
}

fn by_id<'r>(r: &'r Report, id: &str) -> &'r kexi::internals::report::CustomerRow {
    r.customers
        .iter()
        .find(|c| c.id.as_deref() == Some(id))
        .unwrap()
}

/// One complaint text per order line, blank or a word for none where there was none:
/// - C1: 发货慢, 包装破损 (two lines of 2024-01-05), 无 on 2024-02-10: 2 complaints on 2 orders;
///   praise 很满意: 1.
/// - C2: blank, "0": none; praise 好: 1.
/// - C3: 无。, N/A: none; praise 不错: 1.
/// - C4 (no region): 质量差, "-": 1; no praise.
///
/// Everyone: 4 customers, 2 with a complaint (50%), 3 complaints over 8 orders (37.5 per 100),
/// 3 praise (75% of the customers), praise per complaint 1. 华东 (C1, C2): 2 complaints over 4
/// orders; 华南 (C3): none; blank (C4): 1 over 2.
const LINES: &str = "客户编号,客户名称,区域,订单日期,销售额,投诉内容,好评\n\
C1,甲,华东,2024-01-05,100,发货慢,\n\
C1,甲,华东,2024-01-05,50,包装破损,很满意\n\
C1,甲,华东,2024-02-10,80,无,\n\
C2,乙,华东,2024-01-07,200,,好\n\
C2,乙,华东,2024-03-01,100,0,\n\
C3,丙,华南,2024-02-01,300,无。,\n\
C3,丙,华南,2024-02-15,30,N/A,不错\n\
C4,丁,,2024-03-03,60,质量差,\n\
C4,丁,,2024-03-04,60,-,\n";

#[test]
fn complaint_texts_per_order_line() {
    let r = analyze(LINES.as_bytes(), &Options::default()).unwrap();
    assert!(status(&r).ran);
    let f = r.analyses.feedback.as_ref().unwrap();
    let o = &f.overall;
    assert_eq!((o.customers, o.with_feedback, f.left_out), (4, 4, 0));
    assert_eq!((o.with_complaints, o.complaints), (Some(2), Some(3.0)));
    assert_eq!((o.with_praise, o.praise), (Some(3), Some(3.0)));
    assert_eq!((o.with_suggestions, o.suggestions), (None, None));
    assert_eq!(
        (o.complaint_rate, o.praise_rate, o.suggestion_rate),
        (Some(50.0), Some(75.0), None)
    );
    assert_eq!((o.orders, o.complaints_per_100_orders), (8, Some(37.5)));
    assert_eq!(o.praise_per_complaint, Some(1.0));

    let region = &f.dimensions[0];
    assert_eq!(region.field.key(), "region");
    let groups: Vec<_> = region
        .groups
        .iter()
        .map(|g| {
            let t = &g.tally;
            (
                g.value.as_deref(),
                t.customers,
                t.complaints,
                t.complaint_rate,
                t.complaints_per_100_orders,
                t.praise_per_complaint,
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (
                Some("华东"),
                2,
                Some(2.0),
                Some(50.0),
                Some(50.0),
                Some(1.0)
            ),
            (Some("华南"), 1, Some(0.0), Some(0.0), Some(0.0), None),
            (None, 1, Some(1.0), Some(100.0), Some(50.0), Some(0.0)),
        ]
    );

    let top: Vec<_> = f
        .top_complaints
        .iter()
        .map(|c| (r.who(c.customer as usize), c.complaints, c.orders))
        .collect();
    assert_eq!(
        top,
        [
            ("C1 甲".into(), 2.0, Some(2)),
            ("C4 丁".into(), 1.0, Some(2))
        ]
    );
    assert_eq!(f.top_complaints[0].complaints_per_100_orders, Some(100.0));

    let complained: Vec<_> = r.customers.iter().map(|c| c.has_complaint).collect();
    assert_eq!(
        complained,
        [Some(true), Some(false), Some(false), Some(true)]
    );
    assert_eq!(by_id(&r, "C3").facts.praise, Some(1.0));

    // The filter: by the label and by the counts.
    let index = Index::new(&r);
    let ids = |q: serde_json::Value| -> Vec<String> {
        let found = index.filter(&q).unwrap().into_iter();
        found.map(|i| r.who(i as usize)).collect()
    };
    assert_eq!(ids(json!({"has_complaint": ["true"]})), ["C1 甲", "C4 丁"]);
    assert_eq!(ids(json!({"complaints": {"min": 2}})), ["C1 甲"]);

    // A chart per dimension, its keys the groups (a click filters the table by region).
    let chart = f
        .charts
        .iter()
        .find(|c| c.id == "feedback_by_region")
        .unwrap();
    assert_eq!(chart.keys, ["华东", "华南", ""]);
    assert_eq!(chart.series[0].data, [50.0, 0.0, 100.0]);
    assert_eq!(
        chart.series.len(),
        2,
        "complaints and praise, no suggestions"
    );

    // The text summary and the top list's bound.
    let text = kexi::summary("lines.csv", &r, kexi::Lang::En);
    assert!(
        text.contains("complaints 3 (complaint rate 50.0%), per 100 orders 37.5"),
        "{text}"
    );
    let one = Options::from_json(r#"{"feedback": {"top": 1}}"#).unwrap();
    let r = analyze(LINES.as_bytes(), &one).unwrap();
    assert_eq!(r.analyses.feedback.unwrap().top_complaints.len(), 1);
}

/// A register that keeps counts as numbers and suggestions as text:
/// - K1: 3 complaints, 1 praise, a suggestion, 10 orders (制造)
/// - K2: 0, 2, blank, 5 (制造)
/// - K3: 1, 0, 无, 4 (零售)
/// - K4: blanks, 2 orders (零售)
/// - K5: 2 complaints, never bought: 0 orders (零售)
///
/// Complaints 6 from 3 of 5 customers (60%) over 21 orders: 600 ÷ 21 per 100. Praise 3 from 2
/// (40%), 0.5 per complaint. Suggestions 1 (20%). With feedback: K1, K2, K3, K5.
fn register() -> Vec<u8> {
    use C::*;
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("客户").unwrap();
    let mut rows = vec![vec![
        S("客户编号"),
        S("客户名称"),
        S("行业"),
        S("销售额"),
        S("购买次数"),
        S("投诉次数"),
        S("表扬次数"),
        S("意见建议"),
    ]];
    for (id, industry, amount, orders, complaints, praise, suggestion) in [
        (
            "K1",
            "制造",
            1000.0,
            10.0,
            N(3.0),
            N(1.0),
            S("希望增加型号"),
        ),
        ("K2", "制造", 500.0, 5.0, N(0.0), N(2.0), S("")),
        ("K3", "零售", 800.0, 4.0, N(1.0), N(0.0), S("无")),
        ("K4", "零售", 200.0, 2.0, S(""), S(""), S("")),
        ("K5", "零售", 0.0, 0.0, N(2.0), S(""), S("")),
    ] {
        rows.push(vec![
            S(id),
            S(id),
            S(industry),
            N(amount),
            N(orders),
            complaints,
            praise,
            suggestion,
        ]);
    }
    write_rows(ws, 0, &rows);
    wb.save_to_buffer().unwrap()
}

#[test]
fn counts_in_a_register() {
    let r = analyze(&register(), &Options::default()).unwrap();
    let fields: Vec<_> = r.mapping[0]
        .columns
        .iter()
        .filter_map(|c| c.field.map(|f| f.key()))
        .collect();
    assert!(
        ["complaints", "praise", "suggestions"]
            .iter()
            .all(|k| fields.contains(k)),
        "{fields:?}"
    );
    let f = r.analyses.feedback.as_ref().unwrap();
    let o = &f.overall;
    assert_eq!((o.customers, o.with_feedback), (5, 4));
    assert_eq!((o.complaints, o.with_complaints), (Some(6.0), Some(3)));
    assert_eq!((o.praise, o.praise_rate), (Some(3.0), Some(40.0)));
    assert_eq!((o.suggestions, o.suggestion_rate), (Some(1.0), Some(20.0)));
    assert_eq!(o.orders, 21);
    assert_eq!(o.complaints_per_100_orders, Some(600.0 / 21.0));
    assert_eq!(o.praise_per_complaint, Some(0.5));
    let k4 = by_id(&r, "K4");
    assert_eq!(
        (k4.facts.complaints, k4.facts.suggestions),
        (Some(0.0), Some(0.0))
    );
    // 制造 (K1, K2): 3 complaints over 15 orders; 零售 (K3–K5): 3 over 6, two of three complained.
    let industry = &f.dimensions[0];
    let groups: Vec<_> = industry
        .groups
        .iter()
        .map(|g| {
            let t = &g.tally;
            (
                g.value.as_deref(),
                t.customers,
                t.complaint_rate,
                t.complaints_per_100_orders,
                t.praise_per_complaint,
            )
        })
        .collect();
    assert_eq!(
        groups,
        [
            (Some("零售"), 3, Some(200.0 / 3.0), Some(50.0), Some(0.0)),
            (Some("制造"), 2, Some(50.0), Some(20.0), Some(1.0)),
        ]
    );
    // No purchase dates: neither the lifecycle nor the churn model runs, so no table beside them.
    assert!(f.by_churn_risk.is_empty() && f.by_lifecycle.is_empty());
    let json = serde_json::to_value(f).unwrap();
    assert!(json.get("by_churn_risk").is_none() && json.get("by_lifecycle").is_none());
    let top: Vec<_> = f.top_complaints.iter().map(|c| c.complaints).collect();
    assert_eq!(top, [3.0, 2.0, 1.0]);
}

/// Complaints in the register, purchases in the order list: the customer the register lacks has
/// no known complaints, is left out, and the status says so.
#[test]
fn a_customer_without_a_row_holding_the_feedback_is_left_out() {
    use C::*;
    let mut wb = new_workbook();
    let reg = wb.add_worksheet().set_name("客户").unwrap();
    write_rows(
        reg,
        0,
        &[
            vec![S("客户编号"), S("客户名称"), S("投诉内容")],
            vec![S("A1"), S("甲"), S("售后慢")],
            vec![S("A2"), S("乙"), S("")],
        ],
    );
    let orders = wb.add_worksheet().set_name("订单").unwrap();
    let mut rows = vec![vec![S("客户编号"), S("订单日期"), S("销售额")]];
    for (id, day) in [("A1", 3), ("A1", 9), ("A2", 4), ("A3", 5), ("A3", 6)] {
        rows.push(vec![S(id), D(2024, 5, day), N(100.0)]);
    }
    write_rows(orders, 0, &rows);
    let r = analyze(&wb.save_to_buffer().unwrap(), &Options::default()).unwrap();
    let f = r.analyses.feedback.as_ref().unwrap();
    assert_eq!((f.overall.customers, f.left_out), (2, 1));
    assert_eq!(f.overall.complaints_per_100_orders, Some(100.0 / 3.0));
    assert_eq!(by_id(&r, "A3").has_complaint, None);
    let note = status(&r).note.as_ref().unwrap();
    assert!(
        note.en.starts_with("1 customers have no row"),
        "{}",
        note.en
    );
}

/// A value written once per customer (a register's 投诉次数 copied onto each order line) or
/// once per order (on each of its product lines) counts once: three customers, or three orders,
/// repeat a value that counts, and none has lines that differ.
#[test]
fn a_value_repeated_on_each_line_counts_once() {
    // Per customer: R1 2, R2 1, R3 0, R4 3, R5 1 = 7 (summed line by line it would be 15).
    let per_customer = "客户编号,订单日期,销售额,投诉次数\n\
        R1,2024-01-05,100,2\nR1,2024-02-05,100,2\nR1,2024-03-05,100,2\n\
        R2,2024-01-06,100,1\nR2,2024-02-06,100,1\n\
        R3,2024-01-07,100,0\nR3,2024-02-07,100,0\n\
        R4,2024-01-08,100,3\nR4,2024-01-09,100,3\n\
        R5,2024-01-10,100,1\n";
    let r = analyze(per_customer.as_bytes(), &Options::default()).unwrap();
    let counts: Vec<_> = r.customers.iter().map(|c| c.facts.complaints).collect();
    assert_eq!(
        counts,
        [Some(2.0), Some(1.0), Some(0.0), Some(3.0), Some(1.0)]
    );
    // Per order: P1's two orders differ (one complained, one did not), so not per customer;
    // each order repeats one text on its lines. P1 1, P2 2, P3 1, P4 0 (line by line: 7).
    let per_order = "客户编号,订单号,订单日期,产品,销售额,投诉内容\n\
        P1,O1,2024-01-05,A,100,发货慢\nP1,O1,2024-01-05,B,100,发货慢\n\
        P1,O2,2024-02-05,A,100,\nP1,O2,2024-02-05,B,100,\n\
        P2,O3,2024-01-06,A,100,包装破损\nP2,O3,2024-01-06,B,100,包装破损\n\
        P2,O4,2024-02-06,A,100,态度差\n\
        P3,O5,2024-01-07,A,100,少发货\nP3,O5,2024-01-07,C,100,少发货\n\
        P4,O6,2024-01-08,A,100,\n";
    let r = analyze(per_order.as_bytes(), &Options::default()).unwrap();
    let counts: Vec<_> = r.customers.iter().map(|c| c.facts.complaints).collect();
    assert_eq!(counts, [Some(1.0), Some(2.0), Some(1.0), Some(0.0)]);
    // One complaint per line, as in `LINES`: every line counts.
    let r = analyze(LINES.as_bytes(), &Options::default()).unwrap();
    assert_eq!(r.analyses.feedback.unwrap().overall.complaints, Some(3.0));
}

/// "YYYY-MM-DD" of a monthly purchase: the 5th of month k after January 2022.
fn month(k: u32) -> String {
    format!("{}-{:02}-05", 2022 + k / 12, 1 + k % 12)
}

/// The churn model's hand-checked history (tests/churn_model.rs) with a complaint column, as of
/// 2024-01-01 (lifecycle: active up to 90 days silent, sleeping up to 180, then lost):
/// - S1–S20 monthly to 2023-12-05 (24 orders, active); S1–S5 complained once.
/// - L1–L8 monthly to 2023-06-05 (18 orders, lost); each complained once.
/// - E1–E3 monthly to 2023-06-05 and on 2023-12-20 (19 orders, active).
/// - B1 (to 2023-07-04, lost) and B2 (to 2023-07-05, 180 days: sleeping), 19 orders each.
/// - Q1–Q5 on 2022-01-05 and 2022-10-01 (lost); Q1 complained on both.
/// - N1–N4 first on 2023-09-01 (122 days: sleeping); N1 complained.
///
/// Active: 23 customers, 5 with a complaint, 5 complaints over 480 + 57 orders. Sleeping: 5, 1,
/// 1 over 19 + 4. Lost: 14, 9, 10 over 144 + 19 + 10.
fn history() -> String {
    let mut csv = String::from("客户编号,订单日期,销售额,投诉内容\n");
    let mut line = |id: &str, day: &str, complaint: &str| {
        csv.push_str(&format!("{id},{day},100,{complaint}\n"));
    };
    let monthly = |line: &mut dyn FnMut(&str, &str, &str), id: &str, until: &str, c: &str| {
        for k in 0..24 {
            let d = month(k);
            if d.as_str() <= until {
                line(id, &d, if k == 3 { c } else { "" });
            }
        }
    };
    for k in 1..=20 {
        let c = if k <= 5 { "发货慢" } else { "" };
        monthly(&mut line, &format!("S{k}"), "2023-12-05", c);
    }
    for k in 1..=8 {
        monthly(&mut line, &format!("L{k}"), "2023-06-05", "态度差");
    }
    for k in 1..=3 {
        monthly(&mut line, &format!("E{k}"), "2023-06-05", "无");
        line(&format!("E{k}"), "2023-12-20", "");
    }
    monthly(&mut line, "B1", "2023-06-05", "");
    line("B1", "2023-07-04", "");
    monthly(&mut line, "B2", "2023-06-05", "");
    line("B2", "2023-07-05", "");
    for k in 1..=5 {
        let c = if k == 1 { "质量差" } else { "" };
        line(&format!("Q{k}"), "2022-01-05", c);
        line(&format!("Q{k}"), "2022-10-01", c);
    }
    for k in 1..=4 {
        line(
            &format!("N{k}"),
            "2023-09-01",
            if k == 1 { "包装破损" } else { "N/A" },
        );
    }
    csv
}

#[test]
fn beside_churn_risk_and_the_lifecycle() {
    let options = Options {
        as_of: parse_iso_date("2024-01-01"),
        ..Options::default()
    };
    let r = analyze(history().as_bytes(), &options).unwrap();
    assert!(r.analyses.churn_model.is_some(), "the churn model runs");
    let f = r.analyses.feedback.as_ref().unwrap();
    assert_eq!(
        (f.overall.customers, f.overall.complaints),
        (42, Some(16.0))
    );

    let stages: Vec<_> = f
        .by_lifecycle
        .iter()
        .map(|s| {
            let t = &s.tally;
            let per100 = t.complaints_per_100_orders.unwrap();
            (
                s.stage.key(),
                t.customers,
                t.with_complaints,
                t.orders,
                per100,
            )
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("active", 23, Some(5), 537, 500.0 / 537.0),
            ("sleeping", 5, Some(1), 23, 100.0 / 23.0),
            ("lost", 14, Some(9), 173, 1000.0 / 173.0),
        ]
    );

    // The bands are the model's: each band's tally counts the customers the model put in it.
    let bands: Vec<&str> = f.by_churn_risk.iter().map(|b| b.band.key()).collect();
    assert_eq!(bands, ["high", "medium", "low"]);
    let mut scored = 0;
    for b in &f.by_churn_risk {
        let mine: Vec<_> = r
            .customers
            .iter()
            .filter(|c| c.churn_risk == Some(b.band))
            .collect();
        let complained = mine
            .iter()
            .filter(|c| c.has_complaint == Some(true))
            .count();
        let complaints: f64 = mine.iter().filter_map(|c| c.facts.complaints).sum();
        let t = &b.tally;
        assert_eq!(t.customers, mine.len() as u64, "{:?}", b.band);
        assert_eq!(t.with_complaints, Some(complained as u64), "{:?}", b.band);
        assert_eq!(t.complaints, Some(complaints), "{:?}", b.band);
        scored += t.customers;
    }
    // Scored: S, E, B2 and N; of them S1–S5 and N1 complained.
    assert_eq!(scored, 28);
    let complained: u64 = f
        .by_churn_risk
        .iter()
        .filter_map(|b| b.tally.with_complaints)
        .sum();
    assert_eq!(complained, 6);

    let keys = |id: &str| -> Vec<String> {
        let chart = f.charts.iter().find(|c| c.id == id).unwrap();
        chart.keys.clone()
    };
    assert_eq!(keys("feedback_by_churn_risk"), ["high", "medium", "low"]);
    assert_eq!(
        keys("feedback_by_lifecycle"),
        ["active", "sleeping", "lost"]
    );
    // The most complaints: Q1 (2), then the ones by id.
    let top: Vec<String> = f
        .top_complaints
        .iter()
        .take(3)
        .map(|c| r.who(c.customer as usize))
        .collect();
    assert_eq!(top, ["Q1", "L1", "L2"]);
}

/// No feedback column: skipped, needing one, and nothing else of the report mentions it.
#[test]
fn an_input_without_feedback_skips_it() {
    let csv = "客户名称,订单日期,销售额\n甲,2024-03-01,100\n乙,2024-03-02,10\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let st = status(&r);
    assert!(!st.ran);
    assert_eq!(st.needs, [["complaints", "praise", "suggestions"]]);
    assert!(r.analyses.feedback.is_none());
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["analyses"].get("feedback").is_none());
    for c in json["customers"].as_array().unwrap() {
        assert!(c.get("has_complaint").is_none() && c.get("suggestions").is_none());
        assert!(c["complaints"].is_null() && c["praise"].is_null());
    }
}

/// The results workbook's feedback sheet shows no key or enum value as the report spells it.
#[test]
fn the_workbook_names_the_feedback_in_words() {
    use calamine::{Data, Reader, Xlsx};
    let options = Options {
        as_of: parse_iso_date("2024-01-01"),
        ..Options::default()
    };
    let r = analyze(history().as_bytes(), &options).unwrap();
    let mut raw = std::collections::BTreeSet::new();
    let section = serde_json::to_value(&r.analyses.feedback).unwrap();
    crate::exports::raw_words(&section, &mut raw);
    assert!(raw.contains("with_complaints") && raw.contains("sleeping"));
    // A key with digits is not a word `raw_words` collects.
    raw.insert("complaints_per_100_orders".into());
    for (lang, sheet) in [(kexi::Lang::Zh, "客户反馈"), (kexi::Lang::En, "Feedback")] {
        let bytes = kexi::workbook(&r, lang).unwrap();
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range(sheet).unwrap();
        for (row, col, cell) in range.used_cells() {
            if let Data::String(s) = cell {
                assert!(!raw.contains(s), "{sheet} {:?}: {s}", (row, col));
            }
        }
    }
}
