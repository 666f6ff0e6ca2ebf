use crate::fixtures::{new_workbook, write_rows, C};
use kexi::internals::dataset::Role;
use kexi::internals::mapping::Field;
use kexi::internals::quality::{Issue, SkipReason};
use kexi::{analyze, Options};
use rust_xlsxwriter::Format;

/// The register described in the foundation issue: a title row above a two-row merged header,
/// money as "¥1,234.00" and "1.2万", dates as date cells and as "2024年3月5日" text, a customer
/// entered twice with two spellings of its id, a blank row, a 合计 row and a note at the bottom,
/// and a hidden instructions sheet.
fn messy_register() -> Vec<u8> {
    let mut wb = new_workbook();
    let merged = Format::new();
    let ws = wb.add_worksheet();
    ws.set_name("客户登记").unwrap();
    ws.merge_range(0, 0, 0, 6, "2024年客户登记表", &merged)
        .unwrap();
    for (c, h) in ["客户编号", "客户名称", "所属区域", "联系电话"]
        .iter()
        .enumerate()
    {
        ws.merge_range(1, c as u16, 2, c as u16, h, &merged)
            .unwrap();
    }
    ws.merge_range(1, 4, 1, 5, "销售额（元）", &merged).unwrap();
    ws.merge_range(1, 6, 2, 6, "首次下单日期", &merged).unwrap();
    ws.write_string(2, 4, "2023年").unwrap();
    ws.write_string(2, 5, "2024年").unwrap();
    write_rows(
        ws,
        3,
        &[
            vec![
                C::S("C001"),
                C::S("华东贸易有限公司"),
                C::S("华东"),
                C::N(13800138000.0),
                C::S("¥1,234.00"),
                C::S("1.2万"),
                C::D(2023, 3, 5),
            ],
            vec![
                C::S("C002"),
                C::S("北方机械厂"),
                C::S("华北"),
                C::S("13900139000"),
                C::N(5000.0),
                C::N(6000.0),
                C::S("2024年3月5日"),
            ],
            vec![],
            vec![
                C::S("c-001"),
                C::S("华东贸易有限公司"),
                C::S("华东"),
                C::N(13800138000.0),
                C::N(0.0),
                C::N(0.0),
                C::D(2023, 3, 5),
            ],
            vec![
                C::S("C003"),
                C::S("南方电子"),
                C::S("华南"),
                C::S("020-88886666"),
                C::S("RMB 3,000"),
                C::S("3000元"),
                C::S("20240305"),
            ],
            vec![
                C::S("C004"),
                C::S("西部物流"),
                C::S("西南"),
                C::S(""),
                C::S("(1,000)"),
                C::S("abc"),
                C::S("2024/13/45"),
            ],
            vec![
                C::S("合计"),
                C::S(""),
                C::S(""),
                C::S(""),
                C::N(7234.0),
                C::N(21000.0),
            ],
            vec![C::S("注：金额单位为元")],
        ],
    );
    let hidden = wb.add_worksheet();
    hidden.set_name("填表说明").unwrap();
    write_rows(
        hidden,
        0,
        &[
            vec![C::S("客户名称"), C::S("说明")],
            vec![C::S("填写客户全称"), C::S("必填")],
        ],
    );
    hidden.set_hidden(true);
    wb.save_to_buffer().unwrap()
}

#[test]
fn messy_register_reads_correctly() {
    let r = analyze(&messy_register(), &Options::default()).unwrap();

    let used: Vec<_> = r.input.sheets.iter().filter(|s| s.role.is_some()).collect();
    assert_eq!(used.len(), 1);
    assert_eq!(used[0].info.name, "客户登记");
    assert_eq!(used[0].role, Some(Role::Register));
    let hidden = r
        .input
        .sheets
        .iter()
        .find(|s| s.info.name == "填表说明")
        .unwrap();
    assert_eq!(hidden.role, None, "hidden sheet is not analysed");

    let m = &r.mapping[0];
    assert_eq!(m.header_rows, (2, 3));
    let field_of = |letter: &str| {
        let c = m.columns.iter().find(|c| c.letter == letter).unwrap();
        (c.field, c.year)
    };
    assert_eq!(field_of("A"), (Some(Field::CustomerId), None));
    assert_eq!(field_of("B"), (Some(Field::CustomerName), None));
    assert_eq!(field_of("C"), (Some(Field::Region), None));
    assert_eq!(field_of("D"), (Some(Field::Phone), None));
    assert_eq!(field_of("E"), (Some(Field::Amount), Some(2023)));
    assert_eq!(field_of("F"), (Some(Field::Amount), Some(2024)));
    assert_eq!(field_of("G"), (Some(Field::FirstOrderDate), None));

    // C001 and c-001 are one customer, counted once.
    assert_eq!(r.summary.customers, 4);
    assert_eq!(r.summary.amount_years, vec![2023, 2024]);
    let amount = |id: &str| {
        r.customers
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap()
            .facts
            .amount
    };
    assert_eq!(amount("C001"), Some(1234.0 + 12000.0));
    assert_eq!(amount("C002"), Some(11000.0));
    assert_eq!(amount("C003"), Some(6000.0));
    assert_eq!(
        amount("C004"),
        Some(-1000.0),
        "'abc' is a warning, not a value"
    );
    assert_eq!(
        r.summary.total_amount,
        Some(13234.0 + 11000.0 + 6000.0 - 1000.0)
    );

    let q = &r.quality.total;
    assert_eq!(q.rows_read, 7);
    assert_eq!(q.rows_used, 5);
    assert_eq!(q.rows_skipped[&SkipReason::Total].count, 1);
    assert_eq!(q.rows_skipped[&SkipReason::Total].rows, vec![10]);
    assert_eq!(q.rows_skipped[&SkipReason::Note].count, 1);
    assert_eq!(
        q.rows_read,
        q.rows_used + q.rows_skipped_total(),
        "every row accounted for"
    );
    assert_eq!(q.issues[&Issue::DuplicateCustomer], 1);
    assert_eq!(q.issues[&Issue::IdVariant], 1);
    assert_eq!(q.issues[&Issue::InvalidNumber], 1);
    assert_eq!(q.issues[&Issue::InvalidDate], 1);
    let bad = q
        .warnings
        .iter()
        .find(|w| w.issue == Issue::InvalidNumber)
        .unwrap();
    assert_eq!(bad.cell, "客户登记!F9");
    assert!(bad.message_zh.contains("abc") && bad.message_en.contains("abc"));
}

#[test]
fn phone_numbers_and_ids_stay_text() {
    let book = kexi::Book::open(&messy_register(), &Default::default()).unwrap();
    let ds = kexi::internals::dataset::choose(&book, None, &Default::default()).unwrap();
    let t = ds.register.unwrap();
    let phone = t.column(Field::Phone).unwrap();
    let kexi::internals::table::Data::Text(ids) = &phone.data else {
        panic!("phone is text")
    };
    let phones: Vec<_> = ids.iter().map(|&i| t.text(i).unwrap_or("")).collect();
    assert_eq!(
        phones,
        vec![
            "13800138000",
            "13900139000",
            "13800138000",
            "020-88886666",
            ""
        ]
    );
    let first = t.column(Field::FirstOrderDate).unwrap();
    let kexi::internals::table::Data::Date(days) = &first.data else {
        panic!("dates")
    };
    let dates: Vec<_> = days
        .iter()
        .map(|&d| kexi::internals::table::date_of(d).map(|d| d.to_string()))
        .collect();
    assert_eq!(
        dates,
        vec![
            Some("2023-03-05".into()),
            Some("2024-03-05".into()),
            Some("2023-03-05".into()),
            Some("2024-03-05".into()),
            None
        ]
    );
}

/// A register and an order list on two sheets, joined by customer id.
#[test]
fn register_and_orders_join_by_id() {
    let mut wb = new_workbook();
    let reg = wb.add_worksheet();
    reg.set_name("客户").unwrap();
    write_rows(
        reg,
        0,
        &[
            vec![
                C::S("客户编号"),
                C::S("客户名称"),
                C::S("行业"),
                C::S("企业性质"),
            ],
            vec![C::S("K1"), C::S("甲公司"), C::S("制造业"), C::S("民营")],
            vec![C::S("K2"), C::S("乙公司"), C::S("零售"), C::S("国有")],
            vec![C::S("K3"), C::S("丙公司"), C::S("零售"), C::S("外资")],
        ],
    );
    let orders = wb.add_worksheet();
    orders.set_name("订单明细").unwrap();
    write_rows(
        orders,
        0,
        &[
            vec![
                C::S("订单号"),
                C::S("客户编号"),
                C::S("订单日期"),
                C::S("产品"),
                C::S("数量"),
                C::S("金额"),
            ],
            vec![
                C::S("SO1"),
                C::S("K1"),
                C::D(2024, 1, 5),
                C::S("A"),
                C::N(2.0),
                C::N(100.0),
            ],
            vec![
                C::S("SO2"),
                C::S("K1"),
                C::D(2024, 2, 5),
                C::S("B"),
                C::N(1.0),
                C::N(50.0),
            ],
            vec![
                C::S("SO3"),
                C::S("K2"),
                C::S("2024-03-01"),
                C::S("A"),
                C::N(3.0),
                C::S("1,000"),
            ],
            vec![
                C::S("SO4"),
                C::S("K9"),
                C::D(2024, 3, 9),
                C::S("C"),
                C::N(1.0),
                C::N(10.0),
            ],
            vec![
                C::S("SO4"),
                C::S("K9"),
                C::D(2024, 3, 9),
                C::S("C"),
                C::N(1.0),
                C::N(10.0),
            ],
        ],
    );
    let r = analyze(&wb.save_to_buffer().unwrap(), &Options::default()).unwrap();
    assert_eq!(r.summary.shape, "register_and_orders");
    assert_eq!(
        r.summary.order_lines, 4,
        "the exact duplicate line is skipped"
    );
    assert_eq!(r.summary.customers, 4);
    assert_eq!(r.summary.total_amount, Some(1160.0));
    assert_eq!(
        r.summary.first_order_date.unwrap().to_string(),
        "2024-01-05"
    );
    assert_eq!(r.summary.last_order_date.unwrap().to_string(), "2024-03-09");
    assert_eq!(r.summary.as_of.unwrap().to_string(), "2024-03-10");
    let j = r.quality.join.as_ref().unwrap();
    assert_eq!(j.key, "customer_id");
    assert_eq!((j.order_lines_matched, j.order_lines_unmatched), (3, 1));
    assert_eq!(j.register_customers_without_orders, 1);
    assert_eq!(
        r.quality.total.rows_skipped[&SkipReason::Duplicate].count,
        1
    );
    let k1 = r
        .customers
        .iter()
        .find(|c| c.id.as_deref() == Some("K1"))
        .unwrap();
    assert_eq!((k1.order_lines, k1.facts.amount), (2, Some(150.0)));
}

#[test]
fn mapping_override_changes_the_result() {
    let bytes = messy_register();
    let options = Options {
        mapping: kexi::internals::mapping::Overrides::from_json(r#"{"F": "ignore"}"#).unwrap(),
        ..Options::default()
    };
    let r = analyze(&bytes, &options).unwrap();
    assert_eq!(r.summary.amount_years, vec![2023]);
    let c = r.mapping[0]
        .columns
        .iter()
        .find(|c| c.letter == "F")
        .unwrap();
    assert_eq!(c.status, kexi::internals::mapping::Status::Ignored);
}

#[test]
fn named_sheet_and_missing_sheet() {
    let bytes = messy_register();
    let options = Options {
        sheet: Some("没有这个表".into()),
        ..Options::default()
    };
    assert_eq!(
        analyze(&bytes, &options).unwrap_err().code(),
        "no_such_sheet"
    );
}

/// Same rows in a different order give the same customers and totals.
#[test]
fn row_order_does_not_change_totals() {
    let rows = [
        ("A1", "甲", 100.0),
        ("A2", "乙", 50.0),
        ("A1", "甲", 25.0),
        ("A3", "丙", 5.0),
    ];
    let csv = |order: &[usize]| {
        let mut s = String::from("客户编号,客户名称,订单日期,金额\n");
        for &i in order {
            let (id, name, amount) = rows[i];
            s.push_str(&format!("{id},{name},2024-01-0{},{amount}\n", i + 1));
        }
        s.into_bytes()
    };
    let a = analyze(&csv(&[0, 1, 2, 3]), &Options::default()).unwrap();
    let b = analyze(&csv(&[3, 2, 1, 0]), &Options::default()).unwrap();
    assert_eq!(a.summary.customers, b.summary.customers);
    assert_eq!(a.summary.total_amount, b.summary.total_amount);
    let amount = |r: &kexi::Report, id: &str| {
        r.customers
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap()
            .facts
            .amount
    };
    assert_eq!(amount(&a, "A1"), amount(&b, "A1"));
}

/// Orders are purchase days when the lines have dates (the order ids are then counted apart, for
/// RFM's F), and distinct trimmed order ids when they have none; either way, two lines that
/// differ only in their order id are two lines, not a copy.
#[test]
fn order_ids_count_orders_only_without_dates() {
    let k1 = |csv: &str| {
        let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
        let c = r
            .customers
            .iter()
            .find(|c| c.id.as_deref() == Some("K1"))
            .unwrap();
        let copies = r
            .quality
            .total
            .rows_skipped
            .get(&SkipReason::Duplicate)
            .map(|s| s.count);
        (
            r.summary.order_lines,
            c.facts.orders,
            c.facts.amount,
            copies,
        )
    };
    let dated = "订单号,客户编号,订单日期,金额\n\
                 SO1,K1,2024-01-05,100\n\
                 SO2,K1,2024-01-05,100\n\
                 SO2,K1,2024-01-05,100\n\
                 SO3,K1,2024-02-01,7\n";
    assert_eq!(k1(dated), (3, Some(2), Some(207.0), Some(1)));
    let loads_order_ids = |csv: &str| {
        let book = kexi::Book::open(csv.as_bytes(), &Default::default()).unwrap();
        let ds = kexi::internals::dataset::choose(&book, None, &Default::default()).unwrap();
        ds.orders.unwrap().has(Field::OrderId)
    };
    assert!(loads_order_ids(dated));
    let r = analyze(dated.as_bytes(), &Options::default()).unwrap();
    let c = r.customers.iter().find(|c| c.id.as_deref() == Some("K1"));
    assert_eq!(c.and_then(|c| c.facts.order_ids), Some(3));
    let undated = "订单号,客户编号,金额\n\
                   SO1,K1,100\n\
                   SO1,K1,50\n \
                   SO2 ,K1,30\n\
                   SO2,K1,1\n";
    assert_eq!(k1(undated), (4, Some(2), Some(181.0), None));
    assert!(loads_order_ids(undated));
}
