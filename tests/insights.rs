//! The analyses beyond classification, end to end on one hand-checked register + order list:
//! yearly performance and movers, BCG, pipeline, NPS and CSI, credit grades, cross-selling,
//! clusters, and the multi-dimensional filter.

use crate::fixtures::{new_workbook, write_rows, C};
use kexi::internals::bcg::Quadrant;
use kexi::internals::credit::Grade;
use kexi::internals::filter::Index;
use kexi::internals::report::Report;
use kexi::{analyze, Options};
use serde_json::json;

/// Five customers; K4 is a lead that never bought, K5 bought only in 2024.
fn workbook() -> Vec<u8> {
    use C::*;
    let mut wb = new_workbook();
    let reg = wb.add_worksheet().set_name("客户档案").unwrap();
    let header = [
        "客户编号",
        "客户名称",
        "所属区域",
        "企业规模",
        "跟进状态",
        "预计购买时间",
        "推荐意愿",
        "满意度",
        "回款天数",
        "应收账款",
        "信用额度",
        "年龄",
        "客户来源",
        "销售员",
        "备注",
    ];
    let mut rows = vec![header.iter().map(|h| S(h)).collect::<Vec<_>>()];
    let person = |id,
                  name,
                  region,
                  size,
                  status,
                  timing,
                  nps: Option<f64>,
                  sat,
                  days,
                  owed,
                  limit,
                  age,
                  source,
                  sales,
                  note| {
        vec![
            S(id),
            S(name),
            S(region),
            S(size),
            S(status),
            S(timing),
            nps.map_or(S(""), N),
            N(sat),
            N(days),
            N(owed),
            N(limit),
            N(age),
            S(source),
            S(sales),
            S(note),
        ]
    };
    rows.push(person(
        "K1",
        "甲贸易",
        "华东",
        "大型",
        "确定购买",
        "A",
        Some(10.0),
        5.0,
        15.0,
        0.0,
        100000.0,
        30.0,
        "展会",
        "张伟",
        "老客户",
    ));
    rows.push(person(
        "K2",
        "乙机械",
        "华北",
        "中型",
        "热衷",
        "B",
        Some(8.0),
        4.0,
        60.0,
        5000.0,
        10000.0,
        45.0,
        "展会",
        "王芳",
        "老客户",
    ));
    rows.push(person(
        "K3",
        "丙电子",
        "华东",
        "小型",
        "有兴趣",
        "C",
        Some(3.0),
        2.0,
        90.0,
        8000.0,
        8000.0,
        28.0,
        "网络",
        "张伟",
        "重点",
    ));
    rows.push(person(
        "K4",
        "丁物流",
        "华南",
        "微型",
        "观望",
        "A",
        Some(9.0),
        3.0,
        30.0,
        1000.0,
        5000.0,
        52.0,
        "网络",
        "王芳",
        "重点",
    ));
    rows.push(person(
        "K5",
        "戊商行",
        "华北",
        "大型",
        "停止",
        "C",
        None,
        5.0,
        45.0,
        0.0,
        50000.0,
        38.0,
        "转介绍",
        "张伟",
        "老客户",
    ));
    write_rows(reg, 0, &rows);

    let orders = wb.add_worksheet().set_name("订单明细").unwrap();
    let line = |no, id, (y, m, d), product, qty, amount| {
        vec![S(no), S(id), D(y, m, d), S(product), N(qty), N(amount)]
    };
    write_rows(
        orders,
        0,
        &[
            vec![
                S("订单编号"),
                S("客户编号"),
                S("订单日期"),
                S("产品"),
                S("数量"),
                S("销售额"),
            ],
            line("SO1", "K1", (2023, 3, 1), "P1", 1.0, 1000.0),
            line("SO2", "K1", (2024, 2, 1), "P1", 3.0, 3000.0),
            line("SO3", "K1", (2024, 5, 1), "P2", 2.0, 2000.0),
            line("SO4", "K2", (2023, 6, 1), "P1", 4.0, 4000.0),
            line("SO5", "K2", (2024, 3, 1), "P2", 1.0, 1000.0),
            line("SO6", "K3", (2023, 9, 1), "P3", 5.0, 500.0),
            line("SO7", "K3", (2024, 4, 1), "P3", 6.0, 600.0),
            line("SO8", "K3", (2024, 4, 1), "P1", 1.0, 100.0),
            line("SO9", "K5", (2024, 6, 1), "P2", 2.0, 2500.0),
        ],
    );
    wb.save_to_buffer().unwrap()
}

fn report() -> Report {
    analyze(&workbook(), &Options::default()).unwrap()
}

fn index_of(r: &Report, id: &str) -> usize {
    r.customers
        .iter()
        .position(|c| c.id.as_deref() == Some(id))
        .unwrap()
}

#[test]
fn yearly_performance_and_movers() {
    let r = report();
    let p = r.analyses.performance.as_ref().unwrap();
    let years: Vec<(i32, f64, u64)> = p
        .years
        .iter()
        .map(|y| (y.year, y.amount, y.customers))
        .collect();
    assert_eq!(years, vec![(2023, 5500.0, 3), (2024, 9200.0, 4)]);
    assert_eq!(p.years[1].quantity, Some(15.0));
    // 2024 ends with the last order, 2024-06-01: it is compared with 2023-01-01 … 2023-06-01,
    // when K1 bought 1000 and K2 4000 (K3's 2023 order is in September): (9200 − 5000) ÷ 5000.
    let period = p.period.as_ref().unwrap();
    assert_eq!(period.label.zh, "2024年1月1日–6月1日 vs 2023年同期");
    assert_eq!(period.label.en, "Jan 1–Jun 1 2024 vs same period 2023");
    assert_eq!(period.vs_to.to_string(), "2023-06-01");
    assert!((p.years[1].growth.unwrap() - 84.0).abs() < 1e-9);
    let k1 = &r.customers[index_of(&r, "K1")];
    assert_eq!(k1.year_amounts, vec![1000.0, 5000.0]);
    assert_eq!(k1.year_ranks, vec![Some(2), Some(1)]);
    assert_eq!(k1.growth, Some(400.0));
    // K3 bought nothing in the same period of 2023: no growth, though it bought in September.
    assert_eq!(r.customers[index_of(&r, "K3")].growth, None);
    let ids = |v: &[kexi::internals::performance::Mover]| {
        v.iter()
            .map(|m| r.customers[m.customer as usize].id.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&p.top_growth), ["K1", "K5", "K3"]);
    assert_eq!(ids(&p.top_decline), ["K2"]);
    // Ranks over the same period of 2023: K2 1, K1 2 (K3 unranked there, so not a mover).
    assert_eq!(ids(&p.top_rank_up), ["K1"]);
    assert_eq!(ids(&p.top_rank_down), ["K2"]);
}

#[test]
fn bcg_places_customers_and_products() {
    // 2024 ends on 2024-06-01 and is compared with 2023-01-01 … 2023-06-01: K1 1000 → 5000
    // (share 5000 ÷ 9200, +400 %) and K2 4000 → 1000 (1000 ÷ 9200, −75 %) are placed; K3 (0 in
    // that stretch) and K5 are new. The lines are the two items' mean share and growth.
    let r = report();
    let b = r.analyses.bcg.as_ref().unwrap();
    assert_eq!(b.years, (2023, 2024));
    let q = |id| r.customers[index_of(&r, id)].bcg;
    assert_eq!(q("K1"), Some(Quadrant::Star));
    assert_eq!(q("K2"), Some(Quadrant::Dog));
    assert_eq!(q("K3"), None);
    assert_eq!(b.customers.new, 2);
    // Products over the same stretches: P1 1000 + 4000 → 3100, the only one placed; P2 and P3
    // (P3's 2023 line is in September) are new.
    let p = b.products.as_ref().unwrap();
    assert_eq!((p.placed, p.new), (1, 2));
    assert_eq!(p.points[0].growth, 100.0 * (3100.0 - 5000.0) / 5000.0);

    // As of 2025-01-01 2024 is over, and whole years are compared.
    let o = Options::from_json(r#"{"as_of": "2025-01-01"}"#).unwrap();
    let r = analyze(&workbook(), &o).unwrap();
    let b = r.analyses.bcg.as_ref().unwrap();
    assert_eq!(b.period.as_ref().unwrap().label.en, "2024 vs 2023");
    let q = |id| r.customers[index_of(&r, id)].bcg;
    // Placed K1 (share 5000 ÷ 9200, +400 %), K2 (1000 ÷ 9200, −75 %), K3 (700 ÷ 9200, +40 %):
    // the medians are K2's share and K3's growth, and on a line is high.
    assert_eq!(q("K1"), Some(Quadrant::Star));
    assert_eq!(q("K2"), Some(Quadrant::CashCow));
    assert_eq!(q("K3"), Some(Quadrant::QuestionMark));
    assert_eq!(q("K5"), None);
    assert_eq!(b.customers.new, 1);
    // Products: P1 5000 → 3100 (cash cow), P3 500 → 600 (question mark), P2 new.
    let p = b.products.as_ref().unwrap();
    let of = |name: &str| {
        let i = p.labels.iter().position(|l| l == name).unwrap() as u32;
        p.points.iter().find(|x| x.item == i).map(|x| x.quadrant)
    };
    assert_eq!(of("P1"), Some(Quadrant::CashCow));
    assert_eq!(of("P3"), Some(Quadrant::QuestionMark));
    assert_eq!(of("P2"), None);
    assert_eq!(p.new, 1);
}

#[test]
fn pipeline_nps_csi() {
    let r = report();
    let p = r.analyses.pipeline.as_ref().unwrap();
    assert_eq!((p.leads, p.bought, p.conversion), (5, 4, 80.0));
    let funnel: Vec<u64> = p.funnel.iter().map(|c| c.leads).collect();
    assert_eq!(funnel, vec![5, 3, 2, 1, 4]);
    let timing: Vec<u64> = p.timing.iter().map(|c| c.leads).collect();
    assert_eq!(timing, vec![2, 1, 2]);
    let sales = p.by.iter().find(|b| b.by == "salesperson").unwrap();
    let zhang = sales.groups.iter().find(|g| g.key == "张伟").unwrap();
    assert_eq!((zhang.leads, zhang.bought, zhang.conversion), (3, 3, 100.0));

    let nps = r.analyses.nps.as_ref().unwrap();
    assert_eq!(nps.overall.responses, 4);
    assert_eq!(nps.overall.score, Some(25.0));
    let region = nps.breakdowns.iter().find(|b| b.by == "region").unwrap();
    let east = region.groups.iter().find(|g| g.value.zh == "华东").unwrap();
    // 华东: K1 promoter, K3 detractor → 0.
    assert_eq!(east.counts.score, Some(0.0));

    let csi = r.analyses.csi.as_ref().unwrap();
    // 5, 4, 2, 3, 5 on 1–5 → 100, 75, 25, 50, 100.
    assert_eq!(csi.score, Some(70.0));
    assert_eq!(r.customers[index_of(&r, "K2")].csi, Some(75.0));
}

#[test]
fn credit_and_cross_sell() {
    let r = report();
    let grade = |id| r.customers[index_of(&r, id)].credit_grade;
    assert_eq!(grade("K1"), Some(Grade::Aaa));
    assert_eq!(grade("K3"), Some(Grade::C));
    let c = r.analyses.credit.as_ref().unwrap();
    assert_eq!(c.customers_graded, 5);
    assert_eq!(c.grades.iter().map(|g| g.customers).sum::<u64>(), 5);

    let x = r.analyses.cross_sell.as_ref().unwrap();
    assert_eq!((x.customers, x.products), (4, 3));
    assert_eq!(x.pairs.len(), 1);
    let pair = &x.pairs[0];
    assert_eq!(
        (pair.a.as_str(), pair.b.as_str(), pair.customers),
        ("P1", "P2", 2)
    );
    assert_eq!(pair.support, 50.0);
    assert!((pair.lift - (2.0 / 3.0) / (3.0 / 4.0)).abs() < 1e-9);
    let age = x.preferences.iter().find(|p| p.by == "age_band").unwrap();
    // Products ranked by amount: P1 8100, P2 5500, P3 1100.
    assert_eq!(age.products, ["P1", "P2", "P3"]);
    assert!(r.analyses.clusters.is_some());
}

#[test]
fn filter_by_labels_dimensions_ranges_and_text() {
    let r = report();
    let index = Index::new(&r);
    let ids = |q: serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = index
            .filter(&q)
            .unwrap()
            .into_iter()
            .map(|i| r.customers[i as usize].id.clone().unwrap())
            .collect();
        v.sort();
        v
    };
    assert_eq!(ids(json!({"region": ["华东"]})), ["K1", "K3"]);
    assert_eq!(
        ids(json!({"region": ["华东", "华南"], "lead_status": ["观望"]})),
        ["K4"]
    );
    assert_eq!(ids(json!({"bcg": ["star"]})), ["K1"]);
    // K3 bought nothing in the same period of 2023 (see the BCG test): not placed.
    assert_eq!(ids(json!({"bcg": [null]})), ["K3", "K4", "K5"]);
    assert_eq!(ids(json!({"amount": {"min": 2000}})), ["K1", "K2", "K5"]);
    assert_eq!(
        ids(json!({"amount": {"min": 2000, "max": 5000}})),
        ["K2", "K5"]
    );
    assert_eq!(
        ids(json!({"last_order_date": {"from": "2024-04-01", "to": "2024-05-31"}})),
        ["K1", "K3"]
    );
    assert_eq!(ids(json!({"text": "机械"})), ["K2"]);
    assert_eq!(ids(json!({"备注": ["重点"]})), ["K3", "K4"]);
    assert_eq!(ids(json!({})).len(), 5);
    assert!(index
        .filter(&json!({"colour": ["red"]}))
        .unwrap_err()
        .contains("colour"));
    assert!(index.filter(&json!({"amount": [1]})).is_err());
}

#[test]
fn filter_sorts_and_counts_facets() {
    let r = report();
    let index = Index::new(&r);
    let ids_of = |v: &[u32]| -> Vec<String> {
        v.iter()
            .map(|&i| r.customers[i as usize].id.clone().unwrap())
            .collect()
    };
    let mut all = index.filter(&json!({})).unwrap();
    index.sort(&mut all, "amount", true).unwrap();
    assert_eq!(ids_of(&all), ["K1", "K2", "K5", "K3", "K4"]);
    index.sort(&mut all, "amount", false).unwrap();
    assert_eq!(ids_of(&all), ["K4", "K3", "K5", "K2", "K1"]);
    // Stable: the amount order survives within a region.
    index.sort(&mut all, "amount", true).unwrap();
    index.sort(&mut all, "region", false).unwrap();
    assert_eq!(ids_of(&all), ["K1", "K3", "K2", "K5", "K4"]);
    // Customers without a value come last in both directions.
    for desc in [false, true] {
        index.sort(&mut all, "bcg", desc).unwrap();
        let mut tail = ids_of(&all[3..]);
        tail.sort();
        assert_eq!(tail, ["K4", "K5"], "descending: {desc}");
    }
    index.sort(&mut all, "id", true).unwrap();
    assert_eq!(ids_of(&all), ["K5", "K4", "K3", "K2", "K1"]);
    assert!(index.sort(&mut all, "colour", false).is_err());
    let facets = index.facets(&all, 10);
    assert_eq!(
        facets["region"],
        [
            (Some("华东".to_string()), 2),
            (Some("华北".to_string()), 2),
            (Some("华南".to_string()), 1)
        ]
    );
    let east = index.filter(&json!({"region": ["华东"]})).unwrap();
    assert_eq!(
        index.facets(&east, 1)["region"],
        [(Some("华东".to_string()), 2)]
    );
}

/// The group of `value` in the region dimension, as (year, customers, amount) by year and the
/// amount and customer changes over the last two years.
type Region = (Vec<(i32, u64, f64)>, Option<f64>, Option<f64>);

fn region(r: &Report, value: &str) -> Region {
    let d = r.analyses.distribution.as_ref().unwrap();
    let g = d.dimensions[0]
        .groups
        .iter()
        .find(|g| g.value.as_deref() == Some(value))
        .unwrap();
    let years = g
        .by_year
        .iter()
        .map(|y| (y.year, y.customers, y.amount))
        .collect();
    (years, g.amount_change, g.customers_change)
}

/// An order list with no sale in 2023. The year before 2024 is 2023, not 2022: it is listed with
/// 0, growth against it is undefined, and the BCG matrix has no year before to compare with.
#[test]
fn a_year_without_sales_stays_in_the_years() {
    // 2021: C 80, E 20 = 100 (2 buyers); 2022: A 150 + 100, B 150, C 100 = 500 (3);
    // 2023: nothing; 2024: A 300 + 150, B 50, D 150 + 100 = 750 (3).
    let csv = "客户编号,客户名称,所属区域,订单日期,金额\n\
               C,丙,华北,2021-07-07,80\n\
               E,戊,华南,2021-12-31,20\n\
               A,甲,华东,2022-03-01,150\n\
               A,甲,华东,2022-09-01,100\n\
               B,乙,华东,2022-05-10,150\n\
               C,丙,华北,2022-11-20,100\n\
               A,甲,华东,2024-02-01,300\n\
               A,甲,华东,2024-06-01,150\n\
               B,乙,华东,2024-04-04,50\n\
               D,丁,华北,2024-08-08,150\n\
               D,丁,华北,2024-10-10,100\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let p = r.analyses.performance.as_ref().unwrap();
    let years: Vec<(i32, u64, f64, Option<f64>)> = p
        .years
        .iter()
        .map(|y| (y.year, y.customers, y.amount, y.growth))
        .collect();
    // Growth: 2022 (500 − 100) ÷ 100 = 400 %, 2023 (0 − 500) ÷ 500 = −100 %, 2024 against 0: none.
    assert_eq!(
        years,
        vec![
            (2021, 2, 100.0, None),
            (2022, 3, 500.0, Some(400.0)),
            (2023, 0, 0.0, Some(-100.0)),
            (2024, 3, 750.0, None),
        ]
    );
    assert_eq!(p.compared, Some((2023, 2024)));
    let a = &r.customers[index_of(&r, "A")];
    assert_eq!(a.year_amounts, vec![0.0, 250.0, 0.0, 450.0]);
    assert_eq!(a.year_ranks, vec![None, Some(1), None, Some(1)]);
    assert_eq!(a.growth, None);
    let ids = |v: &[kexi::internals::performance::Mover]| {
        v.iter()
            .map(|m| r.customers[m.customer as usize].id.clone().unwrap())
            .collect::<Vec<_>>()
    };
    // Totals A 700, D 250, B 200, C 180, E 20; against 2023's 0 every buyer of 2024 rose.
    assert_eq!(ids(&p.top_total), ["A", "D", "B", "C", "E"]);
    assert_eq!(ids(&p.top_growth), ["A", "D", "B"]);
    assert!(p.top_decline.is_empty() && p.top_rank_up.is_empty() && p.top_rank_down.is_empty());

    // 华东 (A, B): 2022 two buyers 400, 2024 two buyers 500; 2023 is 0, so no change.
    assert_eq!(
        region(&r, "华东"),
        (
            vec![
                (2021, 0, 0.0),
                (2022, 2, 400.0),
                (2023, 0, 0.0),
                (2024, 2, 500.0)
            ],
            None,
            None
        )
    );

    // The year before 2024 has no sales: no matrix, and the report says why.
    assert!(r.analyses.bcg.is_none());
    let bcg = r.summary.analyses.iter().find(|s| s.key == "bcg").unwrap();
    assert!(!bcg.ran);
    assert!(bcg.note.as_ref().unwrap().en.contains("the year before"));
}

/// A register whose year columns hold 0s. Nobody with 0 in a year bought that year; BCG items
/// exactly on a median line go to the upper side.
fn register_with_zeros() -> Report {
    // 2023 total 200 + 100 + 50 + 0 + 300 + 100 + 80 = 830; 2024 total 400 + 150 + 150 + 50 + 0
    // + 50 + 200 = 1000.
    let csv = "客户编号,客户名称,所属区域,2023年销售额,2024年销售额\n\
               K1,甲,华东,200,400\n\
               K2,乙,华东,100,150\n\
               K3,丙,华北,50,150\n\
               K4,丁,华北,0,50\n\
               K5,戊,华东,300,0\n\
               K6,己,华北,100,50\n\
               K7,庚,华北,80,200\n";
    analyze(csv.as_bytes(), &Options::default()).unwrap()
}

#[test]
fn a_zero_in_a_year_column_is_no_purchase() {
    let r = register_with_zeros();
    let p = r.analyses.performance.as_ref().unwrap();
    // 2023: all but K4 (6); 2024: all but K5 (6).
    let years: Vec<(i32, u64, f64)> = p
        .years
        .iter()
        .map(|y| (y.year, y.customers, y.amount))
        .collect();
    assert_eq!(years, vec![(2023, 6, 830.0), (2024, 6, 1000.0)]);
    assert!((p.years[1].growth.unwrap() - 100.0 * 170.0 / 830.0).abs() < 1e-9);
    let k = |id| &r.customers[index_of(&r, id)];
    assert_eq!(k("K4").year_ranks, vec![None, Some(5)]);
    assert_eq!(k("K5").year_ranks, vec![Some(1), None]);
    assert_eq!(k("K4").growth, None);

    // 华东 (K1, K2, K5): 2023 three buyers 600, 2024 two (K5's 0 is none) 550: customers
    // (2 − 3) ÷ 3, amount (550 − 600) ÷ 600.
    let (years, amount, customers) = region(&r, "华东");
    assert_eq!(years, vec![(2023, 3, 600.0), (2024, 2, 550.0)]);
    assert!((amount.unwrap() + 100.0 * 50.0 / 600.0).abs() < 1e-9);
    assert!((customers.unwrap() + 100.0 / 3.0).abs() < 1e-9);
    // 华北 (K3, K4, K6, K7): 2023 three buyers (K4's 0 is none) 230, 2024 four 450.
    let (years, amount, customers) = region(&r, "华北");
    assert_eq!(years, vec![(2023, 3, 230.0), (2024, 4, 450.0)]);
    assert!((amount.unwrap() - 100.0 * 220.0 / 230.0).abs() < 1e-9);
    assert!((customers.unwrap() - 100.0 / 3.0).abs() < 1e-9);
}

#[test]
fn bcg_items_on_a_median_line_are_high() {
    let r = register_with_zeros();
    let b = r.analyses.bcg.as_ref().unwrap();
    assert_eq!(b.years, (2023, 2024));
    // Still buying and placed: K1 share 40 % growth +100 %, K2 15 % +50 %, K3 15 % +200 %,
    // K6 5 % −50 %, K7 20 % +150 %. Medians: share 15, growth 100.
    let m = &b.customers;
    assert_eq!((m.share_split, m.growth_split), (15.0, 100.0));
    let q = |id| r.customers[index_of(&r, id)].bcg;
    // K1, the largest, grows exactly the median: a star. K2 has exactly the median share.
    assert_eq!(q("K1"), Some(Quadrant::Star));
    assert_eq!(q("K2"), Some(Quadrant::CashCow));
    assert_eq!(q("K3"), Some(Quadrant::Star));
    assert_eq!(q("K7"), Some(Quadrant::Star));
    assert_eq!(q("K6"), Some(Quadrant::Dog));
    // K5 stopped buying (2024 is 0): a dog; K4 bought nothing in 2023 (0): new, not placed.
    assert_eq!(q("K5"), Some(Quadrant::Dog));
    assert_eq!(q("K4"), None);
    assert_eq!((m.placed, m.new), (6, 1));
    let rows: Vec<(u64, f64)> = m
        .quadrants
        .iter()
        .map(|q| (q.items, q.amount_share))
        .collect();
    // Stars 400 + 150 + 200 of 1000, cash cow 150, dogs 50 + 0.
    assert_eq!(rows, vec![(3, 75.0), (1, 15.0), (0, 0.0), (2, 5.0)]);
}

/// A last year known only to 15 March is compared with 1 January – 15 March of the year before,
/// by region, customer and in the BCG matrix, and the report names that period. Hand-counted:
/// 2023-01-01 … 03-15: 华东 K1 100 + 50 (03-15 itself counts) = 150, one customer; 华北 K3 200 +
/// K4 100 = 300, two; 华南 nothing (K5's line is in June). 2024 (to 03-15): 华东 K1 300 + K2 100 =
/// 400, two; 华北 K3 100, one; 华南 K5 400, one. Whole 2023 would have been 华东 1950, 华北 800.
#[test]
fn a_partial_last_year_is_compared_with_the_same_period() {
    let csv = "客户编号,订单日期,销售额,所属区域\n\
               K1,2023-01-10,100,华东\n\
               K1,2023-03-15,50,华东\n\
               K1,2023-03-16,1000,华东\n\
               K2,2023-11-20,800,华东\n\
               K3,2023-02-01,200,华北\n\
               K3,2023-12-31,500,华北\n\
               K4,2023-03-10,100,华北\n\
               K5,2023-06-01,50,华南\n\
               K1,2024-02-01,300,华东\n\
               K2,2024-03-15,100,华东\n\
               K3,2024-01-05,100,华北\n\
               K5,2024-03-01,400,华南\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    let dist = r.analyses.distribution.as_ref().unwrap();
    let period = dist.period.as_ref().unwrap();
    assert_eq!(period.label.zh, "2024年1月1日–3月15日 vs 2023年同期");
    assert_eq!(period.label.en, "Jan 1–Mar 15 2024 vs same period 2023");
    let dates = [period.from, period.to, period.vs_from, period.vs_to].map(|d| d.to_string());
    assert_eq!(
        dates,
        ["2024-01-01", "2024-03-15", "2023-01-01", "2023-03-15"]
    );
    let region = |dist: &kexi::internals::distribution::Distribution, name: &str| {
        let g = dist.dimensions[0]
            .groups
            .iter()
            .find(|g| g.value.as_deref() == Some(name))
            .unwrap();
        (g.amount_change, g.customers_change)
    };
    let near = |x: Option<f64>, want: f64| (x.unwrap() - want).abs() < 1e-9;
    let (amount, customers) = region(dist, "华东");
    assert!(near(amount, 100.0 * (400.0 - 150.0) / 150.0));
    assert!(near(customers, 100.0));
    let (amount, customers) = region(dist, "华北");
    assert!(near(amount, 100.0 * (100.0 - 300.0) / 300.0));
    assert!(near(customers, -50.0));
    assert_eq!(region(dist, "华南"), (None, None));

    // Performance: 450 → 900; K1 150 → 300 grew, so K3 (200 → 100) and K4 (100 → 0) fell most,
    // not K1, whose whole 2023 was 1150.
    let p = r.analyses.performance.as_ref().unwrap();
    assert_eq!(p.period.as_ref(), Some(period));
    assert!(near(p.years[1].growth, 100.0));
    let ids = |v: &[kexi::internals::performance::Mover]| {
        v.iter()
            .map(|m| r.customers[m.customer as usize].id.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&p.top_decline), ["K3", "K4"]);
    assert_eq!(ids(&p.top_growth), ["K5", "K1", "K2"]);
    assert_eq!(p.top_growth[1].amount_before, 150.0);
    assert_eq!(r.customers[index_of(&r, "K1")].growth, Some(100.0));
    assert_eq!(
        r.customers[index_of(&r, "K1")].year_amounts,
        [1150.0, 300.0]
    );

    // BCG: K1 +100 % and K3 −50 % still buy (lines at their medians: 22.2 %, 25 %); K4 stopped.
    let b = r.analyses.bcg.as_ref().unwrap();
    assert_eq!(b.period.as_ref(), Some(period));
    let q = |id| r.customers[index_of(&r, id)].bcg;
    assert_eq!(q("K1"), Some(Quadrant::Star));
    assert_eq!(q("K3"), Some(Quadrant::Dog));
    assert_eq!(q("K4"), Some(Quadrant::Dog));
    assert_eq!(b.customers.new, 2);

    // As of 2025-01-01 the year 2024 is over: whole years, 华东 1950 → 400.
    let o = Options::from_json(r#"{"as_of": "2025-01-01"}"#).unwrap();
    let r = analyze(csv.as_bytes(), &o).unwrap();
    let dist = r.analyses.distribution.as_ref().unwrap();
    assert_eq!(dist.period.as_ref().unwrap().label.zh, "2024年 vs 2023年");
    assert!(near(
        region(dist, "华东").0,
        100.0 * (400.0 - 1950.0) / 1950.0
    ));
}
