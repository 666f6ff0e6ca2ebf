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
    let k1 = &r.customers[index_of(&r, "K1")];
    assert_eq!(k1.year_amounts, vec![1000.0, 5000.0]);
    assert_eq!(k1.year_ranks, vec![Some(2), Some(1)]);
    assert_eq!(k1.growth, Some(400.0));
    let ids = |v: &[kexi::internals::performance::Mover]| {
        v.iter()
            .map(|m| r.customers[m.customer as usize].id.clone().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&p.top_growth), ["K1", "K5", "K3"]);
    assert_eq!(ids(&p.top_decline), ["K2"]);
    assert_eq!(ids(&p.top_rank_up), ["K1"]);
    assert_eq!(ids(&p.top_rank_down), ["K2", "K3"]);
}

#[test]
fn bcg_places_customers_and_products() {
    let r = report();
    let b = r.analyses.bcg.as_ref().unwrap();
    assert_eq!(b.years, (2023, 2024));
    let q = |id| r.customers[index_of(&r, id)].bcg;
    assert_eq!(q("K1"), Some(Quadrant::Star));
    assert_eq!(q("K2"), Some(Quadrant::Dog));
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
    assert_eq!(ids(json!({"bcg": [null]})), ["K4", "K5"]);
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
