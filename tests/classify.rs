//! Classifications end to end: a hand-checked order list and register through the reader, the
//! options, and invariants over random order lists (every customer in exactly one segment and
//! class, shares add up, counts match percentages, scores in range, row order irrelevant).

use crate::fixtures::{new_workbook, write_rows, C};
use kexi::internals::abc::Class;
use kexi::internals::lifecycle::Stage;
use kexi::internals::report::Report;
use kexi::internals::rfm::Segment;
use kexi::internals::value::Tier;
use kexi::{analyze, Options};
use proptest::prelude::*;
use std::collections::HashMap;

/// Seven customers, hand-checked in the comments (as-of 2024-06-29, the day after the last
/// order). Means: R = 932 ÷ 7 = 133.1 days, F = 13 ÷ 7 = 1.86, M = 28350 ÷ 7 = 4050.
fn orders_workbook() -> Vec<u8> {
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("订单明细").unwrap();
    use C::*;
    let line = |id, name, (y, m, d), amount, region| {
        vec![S(id), S(name), D(y, m, d), N(amount), S(region)]
    };
    let mut rows = vec![vec![
        S("客户编号"),
        S("客户名称"),
        S("订单日期"),
        S("销售额"),
        S("所属区域"),
    ]];
    rows.extend([
        // A: 3 orders (06-01 twice = one order), 6500, R 28 → 重要价值.
        line("C001", "甲公司", (2024, 1, 5), 1000.0, "华东"),
        line("C001", "甲公司", (2024, 3, 1), 2000.0, "华东"),
        line("C001", "甲公司", (2024, 6, 1), 3000.0, "华东"),
        line("C001", "甲公司", (2024, 6, 1), 500.0, "华东"),
        // B: 1 order, 5000, R 9 → 重要发展.
        line("C002", "乙公司", (2024, 6, 20), 5000.0, "华北"),
        // C: 3 orders, 300, R 302 → 一般保持.
        line("C003", "丙公司", (2023, 7, 1), 100.0, "华东"),
        line("C003", "丙公司", (2023, 8, 1), 100.0, "华东"),
        line("C003", "丙公司", (2023, 9, 1), 100.0, "华东"),
        // D: 2 orders, 500, R 1 → 一般价值.
        line("C004", "丁公司", (2024, 6, 25), 200.0, "华南"),
        line("C004", "丁公司", (2024, 6, 28), 300.0, "华南"),
        // E: 1 order, 8000, R 211 → 重要挽留.
        line("C005", "戊公司", (2023, 12, 1), 8000.0, "华北"),
        // F: 1 order, 50, R 140 → 一般挽留.
        line("C006", "己公司", (2024, 2, 10), 50.0, "华南"),
        // G: 2 orders a month apart, 8000, R 241 → 重要保持, and silent for 7.8 intervals.
        line("C007", "庚公司", (2023, 10, 1), 4000.0, "华东"),
        line("C007", "庚公司", (2023, 11, 1), 4000.0, "华东"),
    ]);
    write_rows(ws, 0, &rows);
    wb.save_to_buffer().unwrap()
}

fn by_id(r: &Report) -> HashMap<&str, &kexi::internals::report::CustomerRow> {
    r.customers
        .iter()
        .map(|c| (c.id.as_deref().unwrap_or(""), &**c))
        .collect()
}

#[test]
fn hand_checked_order_list() {
    let r = analyze(&orders_workbook(), &Options::default()).unwrap();
    let c = by_id(&r);
    assert_eq!(r.summary.as_of.unwrap().to_string(), "2024-06-29");
    assert_eq!(c["C001"].facts.orders, Some(3));
    assert_eq!(c["C001"].facts.largest_order, Some(3500.0));
    assert_eq!(c["C001"].facts.interval_days, Some(74.0));
    assert_eq!(c["C003"].facts.recency_days, Some(302));

    let seg = |id: &str| c[id].rfm_segment;
    assert_eq!(seg("C001"), Some(Segment::ImportantValue));
    assert_eq!(seg("C002"), Some(Segment::ImportantDevelop));
    assert_eq!(seg("C003"), Some(Segment::GeneralKeep));
    assert_eq!(seg("C004"), Some(Segment::GeneralValue));
    assert_eq!(seg("C005"), Some(Segment::ImportantRetain));
    assert_eq!(seg("C006"), Some(Segment::GeneralRetain));
    assert_eq!(seg("C007"), Some(Segment::ImportantKeep));
    let rfm = r.analyses.rfm.as_ref().unwrap();
    assert!((rfm.thresholds.monetary - 4050.0).abs() < 1e-9);

    // ABC, the default class by count (the trade's 10/20/70; this test checked the cumulative
    // split as the default before): A = round(0.7) → 1, A + B = round(2.1) = 2. G (C007) ties
    // with E (C005), so both are A and rank 1; 甲 (C001, rank 3, position 2) starts past A + B:
    // no B at all.
    let abc = |id: &str| c[id].abc_class;
    for id in ["C005", "C007"] {
        assert_eq!(abc(id), Some(Class::A), "{id}");
        assert_eq!(c[id].abc_count_class, Some(Class::A), "{id}");
    }
    for id in ["C001", "C002", "C004", "C003", "C006"] {
        assert_eq!(abc(id), Some(Class::C), "{id}");
    }
    assert_eq!(c["C005"].abc_rank, Some(1));
    assert_eq!(c["C007"].abc_rank, Some(1));
    assert_eq!(c["C001"].abc_rank, Some(3));
    // By cumulative amount (`method: "amount"`), total 28350: E 8000 and G 8000, then A 6500,
    // then B 5000 with 79.4% before it (still A); D, C and F start at 97% and above: C.
    let o = Options::from_json(r#"{"abc": {"method": "amount"}}"#).unwrap();
    let by_amount = analyze(&orders_workbook(), &o).unwrap();
    let amount = by_id(&by_amount);
    for id in ["C005", "C007", "C001", "C002"] {
        assert_eq!(amount[id].abc_class, Some(Class::A), "{id}");
    }
    for id in ["C004", "C003", "C006"] {
        assert_eq!(amount[id].abc_class, Some(Class::C), "{id}");
    }
    let a = r.analyses.abc.as_ref().unwrap();
    let counts: Vec<u64> = a.by_count.iter().map(|row| row.customers).collect();
    assert_eq!(counts, vec![2, 0, 5]);
    assert!((a.top20_share - 100.0 * 8000.0 / 28350.0).abs() < 1e-9);

    let stage = |id: &str| c[id].lifecycle;
    assert_eq!(stage("C001"), Some(Stage::Active));
    assert_eq!(stage("C002"), Some(Stage::New));
    assert_eq!(stage("C004"), Some(Stage::New));
    assert_eq!(stage("C006"), Some(Stage::Sleeping));
    for id in ["C003", "C005", "C007"] {
        assert_eq!(stage(id), Some(Stage::Lost), "{id}");
    }
    // Churn over 180 days from 2024-01-01: C, E and G were customers then; all three are lost.
    let churn = r
        .analyses
        .lifecycle
        .as_ref()
        .unwrap()
        .churn
        .clone()
        .unwrap();
    assert_eq!((churn.customers_at_start, churn.lost), (3, 3));

    // Only G is a key customer silent beyond twice its interval.
    let alerts = r.analyses.alerts.as_ref().unwrap();
    let who: Vec<&str> = alerts
        .alerts
        .iter()
        .map(|a| r.customers[a.customer as usize].id.as_deref().unwrap())
        .collect();
    assert_eq!(who, vec!["C007"]);
    assert!(c["C007"].alert && !c["C001"].alert);

    // Region: 华东 has A, C and G.
    let dist = r.analyses.distribution.as_ref().unwrap();
    let region = &dist.dimensions[0];
    assert_eq!(region.groups[0].value.as_deref(), Some("华东"));
    assert_eq!(region.groups[0].customers, 3);
    assert_eq!(region.groups[0].amount, 14800.0);

    // Flow by month, 2023-07 … 2024-06: 7 new; C lost 2024-02, G 2024-04, E 2024-05.
    let flow = r.analyses.customer_flow.as_ref().unwrap();
    assert_eq!(flow.rows.len(), 12);
    let lost: Vec<(&str, u64)> = flow
        .rows
        .iter()
        .filter(|r| r.lost > 0)
        .map(|r| (r.period.as_str(), r.lost))
        .collect();
    assert_eq!(lost, vec![("2024-02", 1), ("2024-04", 1), ("2024-05", 1)]);
    assert_eq!(flow.rows.iter().map(|r| r.new).sum::<u64>(), 7);
    assert_eq!(flow.rows.last().unwrap().total, 4);

    let ran: Vec<&str> = r
        .summary
        .analyses
        .iter()
        .filter(|s| s.ran)
        .map(|s| s.key)
        .collect();
    assert_eq!(
        ran,
        [
            "rfm",
            "abc",
            "value",
            "lifecycle",
            "alerts",
            "big_customers",
            "distribution",
            "customer_flow",
            "performance",
            "seasons",
            "clusters"
        ]
    );
    // 2024 ends on 2024-06-28 and nobody bought from 2023-01-01 to 2023-06-28: the BCG matrix
    // has no growth to place anyone by, and says so.
    let bcg = r.summary.analyses.iter().find(|s| s.key == "bcg").unwrap();
    assert!(bcg.note.as_ref().unwrap().en.contains("same period"));
    // Seven customers are too few for the CLV model, and the report says so.
    let clv = r.summary.analyses.iter().find(|s| s.key == "clv").unwrap();
    assert!(clv.note.as_ref().unwrap().en.contains("too few customers"));
}

#[test]
fn register_only_classifies() {
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("客户档案").unwrap();
    use C::*;
    write_rows(
        ws,
        0,
        &[
            vec![
                S("客户名称"),
                S("所属区域"),
                S("最近购买日期"),
                S("购买次数"),
                S("累计消费金额"),
            ],
            vec![S("甲"), S("华东"), D(2024, 6, 1), N(10.0), N(50000.0)],
            vec![S("乙"), S("华北"), D(2023, 1, 1), N(1.0), N(500.0)],
            vec![S("丙"), S("华东"), S(""), S(""), S("")],
            vec![S("丁"), S("华南"), D(2024, 5, 1), N(3.0), N(8000.0)],
        ],
    );
    let r = analyze(&wb.save_to_buffer().unwrap(), &Options::default()).unwrap();
    assert_eq!(r.summary.shape, "register");
    assert_eq!(r.summary.as_of.unwrap().to_string(), "2024-06-02");
    let c: HashMap<&str, _> = r
        .customers
        .iter()
        .map(|c| (c.name.as_deref().unwrap(), c))
        .collect();
    assert_eq!(c["甲"].rfm_segment, Some(Segment::ImportantValue));
    assert_eq!(c["丙"].rfm_segment, None);
    assert_eq!(c["丙"].lifecycle, Some(Stage::Potential));
    // No first-order date: recent customers are active, not new.
    assert_eq!(c["甲"].lifecycle, Some(Stage::Active));
    assert_eq!(c["丁"].lifecycle, Some(Stage::Active));
    assert_eq!(c["乙"].lifecycle, Some(Stage::Lost));
    assert_eq!(c["甲"].abc_class, Some(Class::A));
    assert_eq!(c["甲"].value_tier, Some(Tier::Vip));
    let ran = |k: &str| {
        r.summary
            .analyses
            .iter()
            .find(|s| s.key == k)
            .map(|s| (s.ran, s.needs.clone()))
            .unwrap()
    };
    for k in ["rfm", "abc", "value", "lifecycle", "distribution"] {
        assert!(ran(k).0, "{k}");
    }
    assert_eq!(ran("customer_flow"), (false, vec![vec!["order_date"]]));
    assert!(r.analyses.customer_flow.is_none());
    assert!(r.analyses.lifecycle.as_ref().unwrap().churn.is_none());
}

#[test]
fn a_register_without_dates_says_what_rfm_needs() {
    let csv = "客户名称,销售额\n甲,100\n乙,200\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let rfm = r.summary.analyses.iter().find(|s| s.key == "rfm").unwrap();
    assert!(!rfm.ran);
    assert_eq!(
        rfm.needs,
        vec![
            vec!["order_date", "last_order_date"],
            vec!["order_date", "order_id", "order_count"]
        ]
    );
    assert!(r.analyses.abc.is_some());
}

/// Register rows that never bought (a 0 in the amount column) are prospects: they are not
/// scored with the buyers, so they neither fill the lowest value tier nor stretch the buyers'
/// range. Hand count with plain min-max (clip 0) over the buyers' amounts 500, 800, 1000:
/// 甲 (1000 − 500) ÷ 500 = 100 → VIP, 乙 300 ÷ 500 = 60 → 普通 (not above 60), 丙 0 → 小客户.
/// Scored with the two 0s (range 0–1000) 乙 would be 80 → 重要 and 丙 50 → 普通.
#[test]
fn prospects_are_not_scored_with_the_buyers() {
    let csv = "客户名称,累计消费金额\n甲,1000\n乙,800\n丙,500\n丁,0\n戊,0\n";
    let o = Options::from_json(r#"{"value": {"clip_percent": 0}}"#).unwrap();
    let r = analyze(csv.as_bytes(), &o).unwrap();
    let c: HashMap<&str, _> = r
        .customers
        .iter()
        .map(|c| (c.name.as_deref().unwrap(), c))
        .collect();
    assert_eq!(c["甲"].value_tier, Some(Tier::Vip));
    assert_eq!(c["乙"].value_tier, Some(Tier::Ordinary));
    assert_eq!(c["丙"].value_tier, Some(Tier::Small));
    assert_eq!(c["丁"].value_tier, None);
    assert_eq!(c["戊"].value_score, None);
    let v = r.analyses.value.as_ref().unwrap();
    assert_eq!((v.customers_scored, v.prospects), (3, 2));
    let small = v.tiers.iter().find(|t| t.tier == Tier::Small).unwrap();
    assert_eq!(small.customers, 1);
    let note = r.summary.analyses.iter().find(|s| s.key == "value");
    assert!(note
        .and_then(|s| s.note.as_ref())
        .is_some_and(|t| t.zh.starts_with("2 位潜在客户")));
}

/// Customers whose amount is 0 or below are not classed: 甲 1000 and 乙 500 are the two ranked
/// (A = round(0.2), at least 1: 甲; A + B = round(0.6) = 1: 乙 is C), 丙 (0) and 丁 (−200) have no
/// class, and the classes' shares of S = 1500 add up to 100%: A 66.7%, C 33.3%. Ranked with
/// them, C held 500 + 0 − 200 = 300 and the shares added up to 86.7%.
#[test]
fn customers_without_a_positive_amount_are_not_classed() {
    let csv = "客户名称,累计消费金额\n甲,1000\n乙,500\n丙,0\n丁,-200\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let c: HashMap<&str, _> = r
        .customers
        .iter()
        .map(|c| (c.name.as_deref().unwrap(), c))
        .collect();
    assert_eq!(c["甲"].abc_class, Some(Class::A));
    assert_eq!(c["乙"].abc_class, Some(Class::C));
    assert_eq!((c["丙"].abc_class, c["丁"].abc_class), (None, None));
    let abc = r.analyses.abc.as_ref().unwrap();
    assert_eq!((abc.customers_ranked, abc.unranked), (2, 2));
    assert_eq!(abc.unranked_amount, -200.0);
    let shares: Vec<f64> = abc.by_count.iter().map(|r| r.amount_share).collect();
    assert!(
        (shares.iter().sum::<f64>() - 100.0).abs() < 1e-9,
        "{shares:?}"
    );
    assert!((shares[0] - 200.0 / 3.0).abs() < 1e-9);
}

/// A buyer whose returns exceed its purchases is 小客户 however it scores otherwise: K1 bought
/// often (5 orders of 3,000, the largest order) but returned 16,000, net −1,000. Its score is
/// (orders 0.20 + largest order 0.05 + tenure 0.05, each at its top; amount, amount per order
/// and interval at their bottom) ÷ 0.70, the weights the data has = 42.9, above 普通's 40: it was
/// 普通客户.
#[test]
fn a_customer_net_negative_is_a_small_customer() {
    let csv = "客户编号,订单日期,销售额\n\
               K1,2024-01-05,3000\nK1,2024-02-05,3000\nK1,2024-03-05,3000\n\
               K1,2024-04-05,3000\nK1,2024-05-05,3000\nK1,2024-05-20,-16000\n\
               K2,2024-01-10,3000\nK3,2024-02-10,500\nK4,2024-05-01,800\nK4,2024-05-25,900\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let c = by_id(&r);
    assert_eq!(c["K1"].facts.amount, Some(-1000.0));
    assert_eq!(c["K1"].facts.orders, Some(5));
    assert!((c["K1"].value_score.unwrap() - 300.0 / 7.0).abs() < 1e-9);
    assert_eq!(c["K1"].value_tier, Some(Tier::Small));
    assert_eq!(c["K1"].abc_class, None);
}

/// Where order ids exist, F is the number of orders: K1's five orders fall on four days (two on
/// 2024-03-01), so F = 5 while its purchase days stay 4; a return line (R1) is never an order.
/// K2 (3 orders) and K3 (1) score below K1.
#[test]
fn rfm_frequency_counts_orders_where_ids_exist() {
    let csv = "订单编号,客户编号,订单日期,销售额\n\
               A1,K1,2024-01-05,100\nA2,K1,2024-02-05,100\nA3,K1,2024-03-01,100\n\
               A4,K1,2024-03-01,100\nA5,K1,2024-04-05,100\nR1,K1,2024-04-06,-50\n\
               B1,K2,2024-01-10,100\nB2,K2,2024-02-10,100\nB2,K2,2024-02-10,50\n\
               B3,K2,2024-03-10,100\nC1,K3,2024-04-01,300\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let c = by_id(&r);
    assert_eq!(c["K1"].facts.orders, Some(4));
    assert_eq!(c["K1"].facts.order_ids, Some(5));
    assert_eq!(c["K2"].facts.order_ids, Some(3));
    let rfm = r.analyses.rfm.as_ref().unwrap();
    assert_eq!(rfm.frequency_basis.en, "F = orders (distinct order ids)");
    assert_eq!(
        rfm.definition.en,
        "R = days since the last order; F = orders (distinct order ids); M = total amount. Each \
         compared with its mean gives 8 segments; scores 1–5 by quintile."
    );
    // F's mean is (5 + 3 + 1) ÷ 3 = 3; by purchase days it was (4 + 3 + 1) ÷ 3.
    assert_eq!(rfm.thresholds.frequency, 3.0);
    // 1 + ⌊5 × (w + e/2) ÷ 3⌋: K3 1, K2 3, K1 5.
    assert_eq!(c["K1"].f_score, Some(5));
    assert_eq!(c["K2"].f_score, Some(3));
    assert_eq!(c["K3"].f_score, Some(1));
}

/// Seven customers are too few for quintile scores: the RFM section says so beside its title.
#[test]
fn few_customers_are_said_to_be_uncertain() {
    let r = analyze(&orders_workbook(), &Options::default()).unwrap();
    let rfm = r.summary.analyses.iter().find(|s| s.key == "rfm").unwrap();
    assert!(rfm.ran);
    let note = rfm.note.as_ref().expect("a note on 7 customers");
    assert!(note.zh.starts_with("只有 7 位客户"), "{}", note.zh);
}

/// A loss is counted on the day the lifecycle counts it. As-of 2024-07-01 (the day after the last
/// order), L = 180: K1 last bought 2024-01-03, silent 180 days (sleeping, on the books); K2 last
/// bought 2024-01-02, silent 181 > 180 (lost on 2024-07-01, the as-of date itself, counted in the
/// last month); K3 bought 2024-06-30 (new); K4 bought 2023-12-01 and, 197 days later, 2024-06-15
/// (lost 2024-05-30, back in June; active). Lifecycle: 1 new, 1 active, 1 sleeping, 1 lost.
#[test]
fn flow_and_lifecycle_count_a_loss_on_the_same_day() {
    let csv = "客户编号,订单日期,销售额\n\
               K1,2024-01-03,100\n\
               K2,2024-01-02,100\n\
               K3,2024-06-30,100\n\
               K4,2023-12-01,100\n\
               K4,2024-06-15,100\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let c = by_id(&r);
    assert_eq!(c["K1"].lifecycle, Some(Stage::Sleeping));
    assert_eq!(c["K2"].lifecycle, Some(Stage::Lost));
    assert_eq!(c["K3"].lifecycle, Some(Stage::New));
    assert_eq!(c["K4"].lifecycle, Some(Stage::Active));
    let flow = r.analyses.customer_flow.as_ref().unwrap();
    let rows: Vec<(&str, u64, u64, u64, i64)> = flow
        .rows
        .iter()
        .map(|r| (r.period.as_str(), r.new, r.returning, r.lost, r.total))
        .collect();
    assert_eq!(
        rows,
        vec![
            ("2023-12", 1, 0, 0, 1),
            ("2024-01", 2, 0, 0, 3),
            ("2024-02", 0, 0, 0, 3),
            ("2024-03", 0, 0, 0, 3),
            ("2024-04", 0, 0, 0, 3),
            ("2024-05", 0, 0, 1, 2),
            ("2024-06", 1, 1, 1, 3),
        ]
    );
}

#[test]
fn options_change_the_result_and_bad_ones_are_refused() {
    let bytes = orders_workbook();
    let o = Options::from_json(
        r#"{"rfm": {"threshold": "median"}, "abc": {"amount_a": 50, "method": "amount"}}"#,
    )
    .unwrap();
    let r = analyze(&bytes, &o).unwrap();
    let c = by_id(&r);
    // Medians R = 140, F = 2, M = 5000. 己 (C006, R 140) is as recent as the median: 一般发展
    // rather than the mean's 一般挽留. 乙 (C002, M 5000) is at the median M, which counts as ↑:
    // still 重要发展.
    assert_eq!(c["C006"].rfm_segment, Some(Segment::GeneralDevelop));
    assert_eq!(c["C002"].rfm_segment, Some(Segment::ImportantDevelop));
    // A reaches 50%: E and G only.
    assert_eq!(c["C001"].abc_class, Some(Class::B));

    let o = Options::from_json(r#"{"lifecycle": {"lost_days": 400, "active_days": 30}}"#).unwrap();
    let r = analyze(&bytes, &o).unwrap();
    assert_eq!(by_id(&r)["C003"].lifecycle, Some(Stage::Sleeping));

    for bad in [
        r#"{"rfm": {"threshold": "mode"}}"#,
        r#"{"abc": {"amount_a": 99, "amount_b": 90}}"#,
        r#"{"value": {"weights": {"loyalty": 1}}}"#,
        r#"{"lifecycle": {"active_days": 300}}"#,
        r#"{"colour": "red"}"#,
    ] {
        let e = Options::from_json(bad).unwrap_err();
        assert_eq!(e.code(), "bad_option", "{bad}");
    }
}

/// A random order list as CSV: (customer, day offset, amount) lines.
fn csv_of(lines: &[(u8, u16, u32)]) -> String {
    let mut s = String::from("客户编号,订单日期,销售额,所属区域\n");
    for &(c, day, amount) in lines {
        let date = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap()
            + chrono::Days::new(u64::from(day));
        let region = ["华东", "华北", "华南"][usize::from(c % 3)];
        s.push_str(&format!("K{c:03},{date},{amount},{region}\n"));
    }
    s
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn classification_invariants(
        lines in prop::collection::vec((0u8..40, 0u16..700, 0u32..20_000), 1..250),
        seed in any::<u64>(),
    ) {
        let r = analyze(csv_of(&lines).as_bytes(), &Options::default()).unwrap();
        let n = r.customers.len();
        let rfm = r.analyses.rfm.as_ref().unwrap();
        // Every customer (all have bought) is in exactly one segment.
        prop_assert_eq!(rfm.customers_scored as usize, n);
        prop_assert!(r.customers.iter().all(|c| c.rfm_segment.is_some()));
        prop_assert_eq!(rfm.segments.iter().map(|s| s.customers).sum::<u64>() as usize, n);
        prop_assert!(near(rfm.segments.iter().map(|s| s.customer_share).sum::<f64>(), 100.0));
        for c in &r.customers {
            for s in [c.r_score, c.f_score, c.m_score] {
                prop_assert!((1..=5).contains(&s.unwrap()));
            }
        }
        if let Some(abc) = &r.analyses.abc {
            // Customers whose amount is 0 are not classed; the splits count the others.
            let k = abc.customers_ranked as usize;
            prop_assert_eq!(k + abc.unranked as usize, n);
            let n = k;
            prop_assert!(near(abc.by_amount.iter().map(|c| c.customer_share).sum::<f64>(), 100.0));
            prop_assert!(near(abc.by_amount.iter().map(|c| c.amount_share).sum::<f64>(), 100.0));
            let count = |class| r.customers.iter().filter(|c| c.abc_count_class == Some(class)).count();
            let a = ((n as f64 * 10.0 / 100.0).round() as usize).max(1);
            let ab = ((n as f64 * 30.0 / 100.0).round() as usize).max(a);
            // A run of equal amounts across a boundary moves up whole: the classes can only grow
            // toward A, and with distinct amounts they are exact.
            let mut amounts: Vec<u64> = r.customers.iter().filter_map(|c| c.facts.amount).filter(|&x| x > 0.0).map(f64::to_bits).collect();
            amounts.sort_unstable();
            let distinct = amounts.windows(2).all(|w| w[0] != w[1]);
            let (ca, cb) = (count(Class::A), count(Class::B));
            prop_assert!(ca >= a && ca + cb >= ab);
            if distinct {
                prop_assert_eq!(ca, a);
                prop_assert_eq!(cb, ab - a);
                prop_assert_eq!(count(Class::C), n - ab);
            }
        }
        if let Some(v) = &r.analyses.value {
            prop_assert_eq!(v.tiers.iter().map(|t| t.customers).sum::<u64>(), v.customers_scored);
            for c in &r.customers {
                if let Some(s) = c.value_score {
                    prop_assert!((0.0..=100.0).contains(&s));
                }
            }
        }
        let lc = r.analyses.lifecycle.as_ref().unwrap();
        prop_assert_eq!(lc.stages.iter().map(|s| s.customers).sum::<u64>() as usize, n);

        // The same lines in another order give every customer the same labels.
        let mut shuffled = lines.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let r2 = analyze(csv_of(&shuffled).as_bytes(), &Options::default()).unwrap();
        let before = by_id(&r);
        for c in &r2.customers {
            let b = before[c.id.as_deref().unwrap()];
            prop_assert_eq!(c.rfm_segment, b.rfm_segment);
            prop_assert_eq!((c.r_score, c.f_score, c.m_score), (b.r_score, b.f_score, b.m_score));
            prop_assert_eq!(c.abc_class, b.abc_class);
            prop_assert_eq!(c.abc_count_class, b.abc_count_class);
            prop_assert_eq!(c.lifecycle, b.lifecycle);
            prop_assert_eq!(c.alert, b.alert);
            prop_assert!(near(c.value_score.unwrap_or(-1.0), b.value_score.unwrap_or(-1.0)));
        }
    }
}

/// Big customers over the last 12 months (2023-12-31 to 2024-12-30, the day before the as-of
/// date) against the same dates a year earlier, by hand from the definition.
#[test]
fn big_customers_by_hand() {
    use kexi::internals::big_customers::{Grade, Slip};
    let csv = "客户编号,订单日期,销售额,行业\n\
               K1,2023-01-10,12000,制造\nK1,2023-06-01,12000,制造\n\
               K1,2024-01-15,60000,制造\nK1,2024-11-10,66000,制造\n\
               K2,2023-03-01,50000,零售\nK2,2024-03-01,30000,零售\n\
               K3,2024-12-30,50000,零售\nK4,2024-05-01,10000,制造\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let b = r.analyses.big_customers.as_ref().expect("big customers");
    assert_eq!(b.period.from.to_string(), "2023-12-31");
    assert_eq!(b.period.to.to_string(), "2024-12-30");
    assert_eq!(
        b.period.vs_from.map(|d| d.to_string()).as_deref(),
        Some("2022-12-31")
    );
    assert_eq!(b.period.months, 12.0);
    assert_eq!(b.company_amount, 216_000.0);
    let file = |id: &str| {
        let i = r
            .customers
            .iter()
            .position(|c| c.id.as_deref() == Some(id))
            .unwrap();
        b.files.iter().find(|f| f.customer as usize == i)
    };
    // K1: 126,000 ÷ 12 = 10,500 a month ≥ 5 × 2,000; 24,000 the year before.
    let k1 = file("K1").unwrap();
    assert_eq!(k1.grade, Grade::Strategic);
    assert_eq!(k1.monthly_amount, 10_500.0);
    assert!((k1.share - 58.333).abs() < 1e-3);
    assert_eq!(k1.amount_before, Some(24_000.0));
    assert!((k1.growth.unwrap() - 425.0).abs() < 1e-9);
    assert_eq!(
        (k1.rank, k1.rank_before, k1.rank_change),
        (1, Some(2), Some(1))
    );
    assert_eq!(k1.total_amount, 150_000.0);
    assert_eq!(k1.industry.as_deref(), Some("制造"));
    assert!(!k1.slipping);
    // K2: 2,500 a month, down 40% and silent 305 days (lost): slipping.
    let k2 = file("K2").unwrap();
    assert_eq!(k2.grade, Grade::Ordinary);
    assert_eq!(
        (k2.rank, k2.rank_before, k2.rank_change),
        (3, Some(1), Some(-2))
    );
    assert_eq!(k2.slips, vec![Slip::Decline, Slip::Lost]);
    // K3: 4,166.67 a month, nothing the year before: a change, no growth rate.
    let k3 = file("K3").unwrap();
    assert_eq!(k3.grade, Grade::Key);
    assert_eq!((k3.change, k3.growth), (Some(50_000.0), None));
    // K4: 833 a month is not a big customer.
    assert!(file("K4").is_none());
    assert_eq!(b.customers, 3);
    assert_eq!(b.slipping, 1);
    let c = by_id(&r);
    assert_eq!(c["K1"].big_grade, Some(Grade::Strategic));
    assert_eq!(c["K4"].big_grade, None);
}

/// Data that starts inside the period is averaged over the months it covers, and the section
/// says that the year before is unknown rather than 0.
#[test]
fn big_customers_on_a_short_history() {
    let csv =
        "客户编号,订单日期,销售额\nK1,2024-07-01,7000\nK1,2024-12-30,7000\nK2,2024-09-01,1000\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let b = r.analyses.big_customers.as_ref().unwrap();
    // 2024-07-01 to 2024-12-30: 183 days, 6.01 months.
    assert!((b.period.months - 183.0 / (365.25 / 12.0)).abs() < 1e-9);
    assert_eq!(b.period.vs_from, None);
    let k1 = &b.files[0];
    assert!((k1.monthly_amount - 14_000.0 / b.period.months).abs() < 1e-9);
    assert_eq!((k1.amount_before, k1.change, k1.growth), (None, None, None));
    let st = r
        .summary
        .analyses
        .iter()
        .find(|s| s.key == "big_customers")
        .unwrap();
    let note = st.note.as_ref().expect("a note on the short history");
    assert!(note.en.contains("6.0 months"), "{}", note.en);
    assert!(note.en.contains("no change is known"), "{}", note.en);
}

/// Both churn rates by hand. Lost after 30 silent days, the period the 100 days to the as-of
/// date 2024-04-10 (from 2024-01-01): A leaves and comes back, B leaves, C is won and lost in
/// the period (new for 20 days only), D leaves and comes back, E was lost before it.
#[test]
fn churn_rates_by_hand() {
    let csv = "客户编号,订单日期,销售额\n\
               A,2023-12-22,10\nA,2024-01-21,10\nA,2024-03-31,10\n\
               B,2023-12-27,10\n\
               C,2024-01-11,10\nC,2024-01-21,10\n\
               D,2023-12-12,10\nD,2024-04-05,10\n\
               E,2023-09-23,10\n";
    let options = Options::from_json(
        r#"{"as_of": "2024-04-10", "lifecycle": {"lost_days": 30, "active_days": 20, "new_days": 20, "churn_period_days": 100}}"#,
    )
    .unwrap();
    let r = analyze(csv.as_bytes(), &options).unwrap();
    let lc = r.analyses.lifecycle.as_ref().unwrap();
    let churn = lc.churn.as_ref().unwrap();
    // At the start: A, B, D. Lost at the end: B. Lost in the period at all: A, B, D.
    assert_eq!((churn.customers_at_start, churn.lost), (3, 1));
    assert!((churn.churn_rate - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(churn.lost_in_period, 3);
    assert_eq!(churn.period_churn_rate, 100.0);
    // The flow by month: lost ÷ the customers on the books at the month's start.
    let flow = r.analyses.customer_flow.as_ref().unwrap();
    let rate = |p: &str| {
        flow.rows
            .iter()
            .find(|row| row.period == p)
            .unwrap()
            .churn_rate
    };
    assert_eq!(rate("2023-09"), None);
    assert_eq!(rate("2023-10"), Some(100.0));
    // January: B and D lost of the 3 won in December (C was won in January).
    assert!((rate("2024-01").unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(rate("2024-02"), Some(100.0));
    assert_eq!(rate("2024-03"), None);
    assert_eq!(rate("2024-04"), Some(0.0));
}
