//! Exports as people download them, with no mapping given: each test keeps the header row and
//! value formats of a real public workbook (tests/real/manifest.tsv names them) with made-up rows,
//! and checks what a careful analyst counts by hand.

use kexi::internals::mapping::Field;
use kexi::internals::quality::SkipReason;
use kexi::internals::report::Report;
use kexi::{analyze, Options};

fn report(csv: &str) -> Report {
    analyze(csv.as_bytes(), &Options::default()).expect("a table")
}

/// The field each header was given (`None`: left out), in the first sheet's column order.
fn fields(r: &Report) -> Vec<(String, Option<Field>)> {
    r.mapping[0]
        .columns
        .iter()
        .map(|c| (c.header.trim().to_string(), c.field))
        .collect()
}

fn field_of(r: &Report, header: &str) -> Option<Field> {
    fields(r)
        .into_iter()
        .find(|(h, _)| h == header)
        .unwrap_or_else(|| panic!("no column {header}"))
        .1
}

fn near(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

/// A marketplace seller's order export (淘宝/天猫 卖家中心 → 订单报表): the buyer's member name,
/// the amount actually paid beside the amount due, the payment time beside the creation time,
/// an order status. A closed order and an unpaid one never became purchases.
#[test]
fn marketplace_seller_export() {
    let csv = "\
买家会员名,买家支付宝账号,买家应付货款,买家实际支付金额,订单状态,收货人姓名,收货地址,联系手机,订单创建时间,订单付款时间 ,宝贝标题 ,宝贝种类 ,订单备注,宝贝总数量,类别,图书编号
小王同学,138****0001,35.00,30.00,交易成功,王五,北京市海淀区,138****0001,2018-05-01 09:12:00,2018-05-01 09:13:05,Python入门,1,,1,Python,B101
小王同学,138****0001,50.00,45.50,交易成功,王五,北京市海淀区,138****0001,2018-05-03 20:01:00,2018-05-03 20:02:11,数据分析实战,1,,1,数据分析,B102
lily_88,lily@x.cn,99.00,99.00,交易成功,李丽,上海市,139****0002,2018-05-02 10:00:00,2018-05-02 10:00:30,机器学习,1,,2,AI,B103
lily_88,lily@x.cn,50.00,50.00,交易关闭,李丽,上海市,139****0002,2018-05-04 11:00:00,,Excel技巧,1,,1,办公,B104
阿强,qiang@x.cn,20.00,20.00,等待买家付款,张强,广州市,137****0003,2018-05-05 12:00:00,,Word技巧,1,,1,办公,B105
";
    let r = report(csv);
    assert_eq!(field_of(&r, "买家会员名"), Some(Field::CustomerName));
    assert_eq!(field_of(&r, "买家实际支付金额"), Some(Field::Amount));
    assert_eq!(
        field_of(&r, "买家应付货款"),
        None,
        "the amount due is not what was paid"
    );
    assert_eq!(field_of(&r, "订单付款时间"), Some(Field::OrderDate));
    assert_ne!(field_of(&r, "订单创建时间"), Some(Field::RegisteredDate));
    assert_eq!(field_of(&r, "宝贝标题"), Some(Field::Product));
    assert_eq!(field_of(&r, "宝贝总数量"), Some(Field::Quantity));
    assert_eq!(field_of(&r, "订单状态"), Some(Field::OrderStatus));
    assert_eq!(field_of(&r, "收货人姓名"), Some(Field::Contact));
    // 小王同学 30.00 + 45.50, lily_88 99.00; the closed and the unpaid order are left out.
    assert_eq!(r.summary.customers, 2);
    assert!(
        near(r.summary.total_amount, 174.5),
        "{:?}",
        r.summary.total_amount
    );
    let skipped = &r.quality.total.rows_skipped[&SkipReason::NotCompleted];
    assert_eq!((skipped.count, skipped.rows.clone()), (2, vec![5, 6]));
    assert!(near(skipped.amount, 70.0));
    assert!(r.analyses.rfm.is_some() && r.analyses.abc.is_some());
}

/// The same export with the list total and the parcel's tracking number beside the amount paid:
/// the amount is what was paid, and a tracking number is not an order id.
#[test]
fn seller_export_with_list_total_and_tracking_number() {
    let csv = "\
买家会员名,买家实际支付金额,宝贝总数量,宝贝标题,总金额,物流公司,物流单号,订单付款时间,订单状态
buyer_a,88.00,1,商品甲,100.00,顺丰,SF1234567890,2019-03-01 10:00:00,交易成功
buyer_a,12.50,1,商品乙,15.00,圆通,YT0000000001,2019-03-09 10:00:00,交易成功
buyer_b,40.00,2,商品甲,40.00,顺丰,SF1234567891,2019-03-02 10:00:00,交易成功
";
    let r = report(csv);
    assert_eq!(field_of(&r, "买家实际支付金额"), Some(Field::Amount));
    assert_ne!(field_of(&r, "总金额"), Some(Field::Amount));
    assert_ne!(field_of(&r, "物流单号"), Some(Field::OrderId));
    assert!(near(r.summary.total_amount, 140.5));
    assert_eq!(r.summary.customers, 2);
}

/// A pharmacy's point-of-sale export: the social-insurance card number is the customer, the
/// sale time carries a weekday (not always the date's own), and 应收金额 beside 实收金额 is the
/// price before discount, not money owed.
#[test]
fn pharmacy_point_of_sale_export() {
    let csv = "\
购药时间,社保卡号,商品编码,商品名称,销售数量,应收金额,实收金额
2018-01-01 星期五,001616528,236701,强力VC银翘片,6,82.8,69
2018-01-02 星期六,001616528,236701,清热解毒口服液,1,28,24.64
2018-01-06 星期三,0012602828,236701,感康,2,16.8,15
2018-01-11 星期一,0010070343428,236701,三九感冒灵,1,28,28
";
    let r = report(csv);
    assert_eq!(field_of(&r, "社保卡号"), Some(Field::CustomerId));
    assert_eq!(field_of(&r, "购药时间"), Some(Field::OrderDate));
    assert_eq!(field_of(&r, "实收金额"), Some(Field::Amount));
    assert_ne!(field_of(&r, "应收金额"), Some(Field::Receivable));
    assert_eq!(field_of(&r, "商品名称"), Some(Field::Product));
    assert_eq!(r.summary.customers, 3);
    assert!(near(r.summary.total_amount, 136.64));
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    assert_eq!(r.summary.first_order_date, day("2018-01-01"));
    assert_eq!(r.summary.last_order_date, day("2018-01-11"));
    assert!(!r
        .quality
        .total
        .issues
        .contains_key(&kexi::internals::quality::Issue::InvalidDate));
}

/// The UCI Online Retail export most RFM tutorials start from: no amount column (it is quantity
/// × unit price), Description is the product, Country a dimension, and a cancelled invoice
/// (InvoiceNo "C…", negative quantity) nets against its customer's purchases without being one.
#[test]
fn online_retail_export() {
    let csv = "\
InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,8,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536366,22633,HAND WARMER UNION JACK,12,2010-12-01 08:28:00,1.65,13047.0,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,,United Kingdom
536368,22960,JAM MAKING SET WITH JARS,6,2010-12-02 08:34:00,4.25,12583.0,France
C536379,22633,HAND WARMER UNION JACK,-2,2010-12-02 09:41:00,1.65,13047.0,United Kingdom
C536383,35004C,SET OF 3 COLOURED  FLYING DUCKS,-1,2010-12-02 09:49:00,4.95,12999.0,United Kingdom
";
    let r = report(csv);
    assert_eq!(field_of(&r, "InvoiceNo"), Some(Field::OrderId));
    assert_eq!(field_of(&r, "Description"), Some(Field::Product));
    assert_eq!(field_of(&r, "Country"), Some(Field::Region));
    assert_eq!(field_of(&r, "CustomerID"), Some(Field::CustomerId));
    let derived = &r.mapping[0].derived;
    assert_eq!(derived.len(), 1);
    assert_eq!(derived[0].field, Field::Amount);
    assert_eq!(derived[0].from, vec![Field::Quantity, Field::UnitPrice]);
    // 17850: 6 × 2.55 + 8 × 3.39 = 42.42; 13047: 12 × 1.65 − 2 × 1.65 = 16.5; 12583: 6 × 4.25
    // = 25.5; 12999 only returned: −4.95. The line without a customer is left out.
    assert!(
        near(r.summary.total_amount, 79.47),
        "{:?}",
        r.summary.total_amount
    );
    let returns = r.quality.total.returns.expect("returns counted");
    assert_eq!(returns.lines, 2);
    assert!(near(Some(returns.amount), -8.25));
    let ids: Vec<_> = r.customers.iter().map(|c| c.id.clone()).collect();
    let row = |id: &str| {
        let want = format!("{id}.0");
        r.customers
            .iter()
            .find(|c| c.id.as_deref() == Some(want.as_str()))
            .unwrap_or_else(|| panic!("{id} in {ids:?}"))
    };
    let json = |id: &str| serde_json::to_value(row(id)).unwrap();
    assert_eq!(json("13047")["orders"], 1, "a return is not an order");
    assert!(near(json("13047")["amount"].as_f64(), 16.5));
    assert_eq!(json("12999")["orders"], 0, "only a return: not a buyer");
    assert!(row("12999").last_order_date.is_none());
    let rfm = r.analyses.rfm.as_ref().expect("rfm");
    assert_eq!(rfm.customers_scored, 3);
    for key in ["rfm", "abc", "clv"] {
        let st = r.summary.analyses.iter().find(|s| s.key == key).unwrap();
        assert!(st.ran || key == "clv", "{key}: {st:?}");
    }
}

/// A B2B order list (the sales_data_sample layout): STATUS is the order's state; a cancelled
/// order is not a sale.
#[test]
fn order_status_of_a_b2b_order_list() {
    let csv = "\
ORDERNUMBER,QUANTITYORDERED,PRICEEACH,ORDERLINENUMBER,SALES,ORDERDATE,STATUS,PRODUCTLINE,CUSTOMERNAME,COUNTRY
10107,30,95.7,2,2871,2/24/2003 0:00,Shipped,Motorcycles,Land of Toys Inc.,USA
10108,34,81.35,5,2765.9,5/7/2003 0:00,Shipped,Motorcycles,Reims Collectables,France
10109,10,100,1,1000,5/8/2003 0:00,Cancelled,Motorcycles,Reims Collectables,France
10110,20,50,1,1000,5/9/2003 0:00,On Hold,Classic Cars,Land of Toys Inc.,USA
";
    let r = report(csv);
    assert_eq!(field_of(&r, "STATUS"), Some(Field::OrderStatus));
    assert_eq!(field_of(&r, "SALES"), Some(Field::Amount));
    assert_eq!(field_of(&r, "CUSTOMERNAME"), Some(Field::CustomerName));
    assert!(near(r.summary.total_amount, 6636.9));
    assert_eq!(
        r.quality.total.rows_skipped[&SkipReason::NotCompleted].count,
        1
    );
    assert!(
        r.analyses.pipeline.is_none(),
        "shipped orders are not a sales pipeline"
    );
}

/// A transactions table with snake_case headers and dates as `11-Feb-17`.
#[test]
fn transactions_with_month_names() {
    let csv = "\
customer_id,trans_date,tran_amount
CS5295,11-Feb-13,35
CS4768,15-Mar-15,39
CS5295,26-Feb-13,81
";
    let r = report(csv);
    assert_eq!(field_of(&r, "customer_id"), Some(Field::CustomerId));
    assert_eq!(field_of(&r, "trans_date"), Some(Field::OrderDate));
    assert_eq!(field_of(&r, "tran_amount"), Some(Field::Amount));
    assert_eq!(r.summary.customers, 2);
    assert!(near(r.summary.total_amount, 155.0));
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    assert_eq!(r.summary.first_order_date, day("2013-02-11"));
    assert_eq!(r.summary.last_order_date, day("2015-03-15"));
}

/// A register of shop staff (a store chain's export): 姓名 beside 岗位 and 员工职位 is a person on
/// staff, never the customer.
#[test]
fn staff_names_are_not_customers() {
    let csv = "\
大区,城市,岗位编号,姓名,员工职位,门店编号,门店名称
华东,上海,P001,张三,店长,S001,徐汇店
华东,上海,P002,李四,店员,S002,静安店
";
    let r = report(csv);
    assert_ne!(field_of(&r, "姓名"), Some(Field::CustomerName));
}

/// A register of personal customers with the salesperson who serves each: the sheet names staff
/// (销售员), but its bare 姓名 is the customer's, since the salesperson has a column of its own.
#[test]
fn a_personal_register_with_its_salesperson_names_customers() {
    let csv = "\
客户编号,姓名,性别,出生日期,月收入,销售员
GR001,张三,男,1990-05-01,8000,王芳
GR002,李四,女,1985-11-20,12000,王芳
";
    let r = report(csv);
    assert_eq!(field_of(&r, "姓名"), Some(Field::CustomerName));
    assert_eq!(field_of(&r, "销售员"), Some(Field::Salesperson));
    assert_eq!(r.summary.customers, 2);
}

/// A marketplace order report without the buyer (天猫订单报表): no customer column, and kexi says
/// so instead of counting 0 customers silently; every per-customer analysis says why it did not
/// run.
#[test]
fn no_customer_column_says_so() {
    let csv = "\
订单编号,总金额,买家实际支付金额,收货地址 ,订单创建时间,订单付款时间 ,退款金额
1,178.8,0,上海,2020-02-21 00:00:00,,0
2,21,21,内蒙古自治区,2020-02-20 23:59:54,2020-02-21 00:00:02,0
";
    let r = report(csv);
    assert_eq!(r.summary.customers, 0);
    let missing = r.summary.no_customer_column.as_ref().expect("said");
    assert_eq!(missing.headers[0], "订单编号");
    assert!(missing.message_en.contains("No customer column"));
    assert!(missing.message_en.contains("--mapping"));
    for st in &r.summary.analyses {
        assert!(!st.ran, "{} ran without customers", st.key);
        assert_eq!(
            st.needs,
            vec![vec!["customer_id", "customer_name"]],
            "{}",
            st.key
        );
    }
    let text = kexi::summary("orders.csv", &r, kexi::Lang::Zh);
    assert!(text.contains("没有识别出客户列"), "{text}");
    assert!(!text.contains('✓'), "{text}");
}

/// Every analysis that says it ran has its section, and every section's analysis says it ran.
#[test]
fn status_comes_from_the_result() {
    let csv = "\
客户编号,订单日期,销售额,所属区域
K1,不是日期,100,华东
K2,也不是,200,
";
    let r = report(csv);
    let json = serde_json::to_value(&r.analyses).unwrap();
    for st in &r.summary.analyses {
        assert_eq!(st.ran, json.get(st.key).is_some(), "{}", st.key);
    }
}

/// An order list split by year into sheets of one layout (订单2023, 订单2024): read together, each
/// line keeping its sheet; a sheet the user leaves out is not read.
#[test]
fn sheets_of_one_layout_read_together() {
    use crate::fixtures::{new_workbook, write_rows, C};
    let mut wb = new_workbook();
    for (name, rows) in [
        (
            "订单2023",
            vec![
                vec![C::S("K1"), C::S("华东贸易"), C::D(2023, 3, 1), C::N(100.0)],
                vec![C::S("K2"), C::S("北方机械"), C::D(2023, 6, 1), C::N(200.0)],
            ],
        ),
        (
            "订单2024",
            vec![
                vec![C::S("K1"), C::S("华东贸易"), C::D(2024, 2, 1), C::N(300.0)],
                vec![C::S("K3"), C::S("南方电子"), C::D(2024, 5, 1), C::N(400.0)],
            ],
        ),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        write_rows(
            ws,
            0,
            &[vec![
                C::S("客户编号"),
                C::S("客户名称"),
                C::S("订单日期"),
                C::S("销售额"),
            ]],
        );
        write_rows(ws, 1, &rows);
    }
    let bytes = wb.save_to_buffer().unwrap();
    let r = analyze(&bytes, &Options::default()).unwrap();
    assert_eq!(r.mapping.len(), 1);
    assert_eq!(r.mapping[0].combined, vec!["订单2023", "订单2024"]);
    assert_eq!(r.summary.customers, 3);
    assert!(near(r.summary.total_amount, 1000.0));
    assert_eq!(r.summary.order_lines, 4);
    assert_eq!(r.quality.total.rows_read, 4);
    let roles: Vec<_> = r.input.sheets.iter().map(|s| s.role).collect();
    assert!(roles.iter().all(|r| r.is_some()), "{roles:?}");
    // Each customer carries the sheet it first appears on, to filter by.
    let json = serde_json::to_value(&r.customers).unwrap();
    let sheets: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["dims"]["工作表"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(sheets, vec!["订单2023", "订单2023", "订单2024"]);

    let leave = Options::from_json(r#"{"leave_out": ["订单2023"]}"#).unwrap();
    let r = analyze(&bytes, &leave).unwrap();
    assert!(r.mapping[0].combined.is_empty());
    assert_eq!(r.mapping[0].sheet, "订单2024");
    assert!(near(r.summary.total_amount, 700.0));
}

/// A web shop's order export keys its customers by e-mail address: with no customer column, the
/// address is the customer.
#[test]
fn email_is_the_key_without_a_customer_column() {
    let csv = "\
Order Name,Date,shipping zip,email,Total,Product Name
#1001,2021-03-01,10001,ann@example.com,20.5,Scarf
#1002,2021-03-02,10002,bob@example.com,10,Hat
#1003,2021-04-01,10001,ann@example.com,30,Gloves
";
    let r = report(csv);
    assert_eq!(field_of(&r, "email"), Some(Field::CustomerId));
    assert_eq!(r.summary.customers, 2);
    assert!(near(r.summary.total_amount, 60.5));
}

/// A sheet without order dates or order ids whose customers repeat down the rows is an order
/// list, not a register: every line's amount counts (a register's repeated row would count once).
#[test]
fn repeating_customers_make_an_order_list() {
    let csv = "\
Worker,Client,ShipmentMode,City,Country,Amount
W1,Alfreds,Air,Berlin,Germany,100
W2,Alfreds,Sea,Berlin,Germany,200
W1,Bottom-Dollar,Air,Tsawassen,Canada,50
W3,Alfreds,Air,Berlin,Germany,25
W2,Bottom-Dollar,Road,Tsawassen,Canada,75
W1,Chop-suey,Air,Bern,Switzerland,10
W2,Alfreds,Air,Berlin,Germany,5
W3,Bottom-Dollar,Sea,Tsawassen,Canada,5
W1,Chop-suey,Sea,Bern,Switzerland,20
W2,Alfreds,Road,Berlin,Germany,10
";
    let r = report(csv);
    assert_eq!(r.summary.shape, "orders");
    assert_eq!(r.summary.customers, 3);
    assert!(near(r.summary.total_amount, 500.0));
    assert_eq!(r.summary.order_lines, 10);
}

/// A foreign-trade order register with a currency column: amounts in different currencies are
/// never added; the totals are the main currency's, and the other lines are counted out.
#[test]
fn amounts_in_one_currency_only() {
    let csv = "\
订单号,业务员,客户名称,币种,总金额,订单日期
PO-001,张三,Brico GmbH,EUR,1000,2023-01-05
PO-002,张三,宁波海天,CNY,50000,2023-01-06
PO-003,李四,宁波海天,CNY,20000,2023-02-01
PO-004,李四,ACME Inc.,USD,3000,2023-02-03
PO-005,李四,杭州新风,cny,10000,2023-03-01
";
    let r = report(csv);
    assert_eq!(field_of(&r, "币种"), Some(Field::Currency));
    assert_eq!(r.quality.total.currency.as_deref(), Some("CNY"));
    assert!(near(r.summary.total_amount, 80000.0));
    assert_eq!(r.summary.customers, 2);
    let other = &r.quality.total.rows_skipped[&SkipReason::OtherCurrency];
    assert_eq!((other.count, other.rows.clone()), (2, vec![2, 5]));
}

/// Amounts written with a decimal comma, as some exports keep them.
#[test]
fn decimal_commas() {
    let csv = "客户名称;订单日期;金额\nA;2024-01-02;1052,75元\nB;2024-01-03;11,50万元\nA;2024-02-01;1.234,5\n";
    let r = report(csv);
    assert!(
        near(r.summary.total_amount, 1052.75 + 115_000.0 + 1234.5),
        "{:?}",
        r.summary.total_amount
    );
}

/// A column's unambiguous dates decide how its ambiguous ones read: 25/03/2024 beside 04/03/2024
/// makes the latter the 4th of March, with no warning; a column that does not say reads month
/// first and warns cell by cell.
#[test]
fn a_date_column_decides_its_day_and_month_order() {
    use kexi::internals::quality::Issue;
    let day_first = "客户名称,订单日期,金额\nA,25/03/2024,1\nB,04/03/2024,1\nA,13/04/2024,1\n";
    let r = report(day_first);
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    assert_eq!(r.summary.first_order_date, day("2024-03-04"));
    assert!(!r.quality.total.issues.contains_key(&Issue::AmbiguousDate));
    let month_first = "PO,Customer,Order Date,Sales\n1,A,2/24/2003,1\n2,B,5/7/2003,1\n";
    let r = report(month_first);
    assert_eq!(r.summary.last_order_date, day("2003-05-07"));
    assert!(!r.quality.total.issues.contains_key(&Issue::AmbiguousDate));
    let undecided = "客户名称,订单日期,金额\nA,04/03/2024,1\nB,05/06/2024,1\n";
    let r = report(undecided);
    assert_eq!(r.quality.total.issues.get(&Issue::AmbiguousDate), Some(&2));
}

/// A web shop's order export (Shopify's layout): "Name" holds the order number (#1001), the
/// payment time carries a UTC offset, the total sits on an order's first line only, and the
/// customer is the e-mail address.
#[test]
fn web_shop_order_export() {
    let csv = "\
Name,Email,Financial Status,Paid at,Fulfillment Status,Currency,Subtotal,Total,Created at,Lineitem quantity,Lineitem name,Lineitem price,Billing Name
#1003,ann@example.com,paid,2025-12-07 19:08:25 +0000,unfulfilled,GBP,42.11,42.11,2025-12-07 19:08:24 +0000,1,Maxi Dress,42.11,Ann A
#1002,bob@example.com,paid,2025-12-06 10:00:00 +0000,fulfilled,GBP,30.00,35.00,2025-12-06 09:59:00 +0000,1,Mini Dress,20.00,Bob B
#1002,bob@example.com,,,,,,,2025-12-06 09:59:00 +0000,1,Scarf,10.00,
#1001,ann@example.com,refunded,2025-12-01 08:00:00 +0000,fulfilled,GBP,15.00,15.00,2025-12-01 07:59:00 +0000,1,Hat,15.00,Ann A
";
    let r = report(csv);
    assert_eq!(field_of(&r, "Name"), Some(Field::OrderId));
    assert_eq!(field_of(&r, "Email"), Some(Field::CustomerId));
    assert_eq!(r.mapping[0].reread.len(), 2);
    assert_eq!(r.summary.customers, 2);
    // The refunded order is left out; #1002's second line carries no total of its own.
    assert!(
        near(r.summary.total_amount, 77.11),
        "{:?}",
        r.summary.total_amount
    );
}

/// A web shop's customer list (Shopify's layout): Total Spent is the amount and Total Orders the
/// order count.
#[test]
fn web_shop_customer_list() {
    let csv = "\
First Name,Last Name,Email,Accepts Email Marketing,Company,City,Country,Total Spent,Total Orders
Ann,A,ann@example.com,yes,Ann's,London,GB,120.50,3
Cy,C,cy@example.com,no,Cy Ltd,York,GB,80.00,1
";
    let r = report(csv);
    assert_eq!(field_of(&r, "Total Spent"), Some(Field::Amount));
    assert_eq!(field_of(&r, "Total Orders"), Some(Field::OrderCount));
    assert!(near(r.summary.total_amount, 200.5));
}

/// An ERP's sales-order header table (SAP's demo layout): headers run together in capitals,
/// the business partner is the customer, the creation time is the order date.
#[test]
fn erp_sales_orders() {
    let csv = "\
SALESORDERID,CREATEDBY,CREATEDAT,PARTNERID,SALESORG,CURRENCY,GROSSAMOUNT,NETAMOUNT,TAXAMOUNT
0500000000,0000000004,20180111,0100000022,APJ,USD,13587,11888.625,1698.375
0500000001,0000000002,20180112,0100000026,EMEA,USD,12622,11044.25,1577.75
0500000002,0000000004,20180115,0100000022,APJ,USD,100,87.5,12.5
";
    let r = report(csv);
    assert_eq!(field_of(&r, "PARTNERID"), Some(Field::CustomerId));
    assert_eq!(field_of(&r, "SALESORDERID"), Some(Field::OrderId));
    assert_eq!(field_of(&r, "CREATEDAT"), Some(Field::OrderDate));
    assert_eq!(field_of(&r, "GROSSAMOUNT"), Some(Field::Amount));
    assert_eq!(r.summary.customers, 2);
    assert!(near(r.summary.total_amount, 26309.0));
}

/// The ERP's life-cycle status: X marks a cancelled order (SAP's codes: N new, I in process,
/// C completed, X cancelled), which was never a sale.
#[test]
fn erp_cancelled_orders() {
    let csv = "\
SALESORDERID,CREATEDAT,PARTNERID,CURRENCY,GROSSAMOUNT,LIFECYCLESTATUS,BILLINGSTATUS,DELIVERYSTATUS
0500000000,20180111,0100000022,USD,13587,C,C,C
0500000001,20180112,0100000026,USD,12622,X,X,X
0500000002,20180115,0100000022,USD,100,I,I,C
";
    let r = report(csv);
    assert_eq!(field_of(&r, "LIFECYCLESTATUS"), Some(Field::OrderStatus));
    // 0100000026's only order was cancelled: one buyer, 13587 + 100.
    assert_eq!(r.summary.customers, 1);
    assert!(near(r.summary.total_amount, 13687.0));
    let skipped = &r.quality.total.rows_skipped[&SkipReason::NotCompleted];
    assert_eq!((skipped.count, skipped.rows.clone()), (1, vec![3]));
}

/// A CRM's deal list: a won deal is a sale on its close date, for its close value; a lost deal
/// (value 0) and an open one (no close date, no value) are not. Dates have two-digit years.
#[test]
fn crm_deals() {
    let csv = "\
opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value,engage_quarter,close_quarter
1C1I7A6R,Moses Frase,GTX Plus Basic,Cancity,Won,20-10-16,01-03-17,1054,Q4 2016,Q1 2017
Z063OYW0,Darcel Schlecht,GTXPro,Isdom,Won,25-10-16,11-03-17,4514,Q4 2016,Q1 2017
EC4QE1BX,Darcel Schlecht,MG Special,Cancity,Won,25-10-16,27-03-17,50,Q4 2016,Q1 2017
MV1LWRNH,Moses Frase,GTX Basic,Codehow,Lost,25-10-16,09-03-17,0,Q4 2016,Q1 2017
PE84CX4O,Zane Levy,GTX Basic,Hottechi,Engaging,30-10-16,,,Q4 2016,
";
    let r = report(csv);
    assert_eq!(field_of(&r, "account"), Some(Field::CustomerName));
    assert_eq!(field_of(&r, "deal_stage"), Some(Field::OrderStatus));
    assert_eq!(field_of(&r, "close_date"), Some(Field::OrderDate));
    assert_eq!(field_of(&r, "close_value"), Some(Field::Amount));
    assert_eq!(r.summary.customers, 2, "Cancity and Isdom won deals");
    assert!(near(r.summary.total_amount, 5618.0));
    assert_eq!(
        r.quality.total.rows_skipped[&SkipReason::NotCompleted].count,
        1
    );
    assert_eq!(r.quality.total.rows_skipped[&SkipReason::NoAmount].count, 1);
    // 27-03-17 can only be day first, so the column's 01-03-17 is the 1st of March.
    let json = serde_json::to_value(&r.customers).unwrap();
    let firsts: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["first_order_date"].as_str())
        .collect();
    assert!(firsts.contains(&"2017-03-01"), "{firsts:?}");
    let ambiguous = kexi::internals::quality::Issue::AmbiguousDate;
    assert!(!r.quality.total.issues.contains_key(&ambiguous));
}

/// A foreign-trade order register where one order's total was never filled in: its value is
/// unknown, so it is neither a purchase of 0 nor its customer a buyer, and the quality report
/// says so.
#[test]
fn an_order_without_an_amount() {
    let csv = "\
订单号,业务员,客户名称,总金额,已收金额,未收金额,发出状态,订单状态,订单日期,出货日期,产品名称
PI-STO-006,Claire,Stonetooling,37894.57,37894.57,0,已发出,已收清,2026-03-10,2026-05-07,
YZ-DEG260319CL,Claire,deghi,203008.4,60902.52,142105.88,未发出,部分收款,2026-03-19,,
CMBE20260427-NY,VITA,brico,,3003.35,-3003.35,未发出,部分收款,2026-04-27,,
PI-STO-007,Claire,Stonetooling,1000,0,1000,未发出,未收款,2026-04-30,,
";
    let r = report(csv);
    assert_eq!(r.summary.customers, 2);
    assert!(near(r.summary.total_amount, 37894.57 + 203008.4 + 1000.0));
    let skipped = &r.quality.total.rows_skipped[&SkipReason::NoAmount];
    assert_eq!((skipped.count, skipped.rows.clone()), (1, vec![4]));
}

/// A web shop's order export with refunds: a refunded order is left out, a partly refunded one
/// counts what the customer kept paying (Total − Refunded Amount), and an e-mail address is the
/// same customer whatever its case.
#[test]
fn web_shop_refunds() {
    let csv = "\
Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem quantity,Lineitem name,Refunded Amount
#1411,shop@seezona.com,paid,2022-01-11 04:32:31 -0500,USD,125.40,2022-01-11 04:30:00 -0500,1,Robe,0.00
#1350,tayloref@sbcglobal.net,partially_refunded,,USD,222.00,2021-10-09 17:30:43 -0400,2,Set,42.00
#1350,tayloref@sbcglobal.net,,,,,2021-10-09 17:30:43 -0400,1,Scarf,
#1336,Shop@Seezona.com,refunded,2021-09-25 12:18:30 -0400,USD,130.00,2021-09-25 12:18:00 -0400,1,Hat,130.00
#1300,SHOP@seezona.com,paid,2021-08-11 18:00:22 -0400,USD,50.00,2021-08-11 18:00:00 -0400,1,Hat,0.00
";
    let r = report(csv);
    assert_eq!(field_of(&r, "Refunded Amount"), Some(Field::Returns));
    assert_ne!(field_of(&r, "Created at"), Some(Field::RegisteredDate));
    assert_eq!(r.summary.customers, 2);
    assert!(near(r.summary.total_amount, 125.40 + 50.0 + 180.0));
    assert!(r.mapping[0]
        .derived
        .iter()
        .any(|d| d.from == vec![Field::Amount, Field::Returns]));
}

/// A web shop's customer export where "Company" is filled for a few customers only: the e-mail
/// address, on every row, is the key, and the mapping says why.
#[test]
fn web_shop_customers_keyed_by_email() {
    let csv = "\
First Name,Last Name,Email,Accepts Email Marketing,Company,Address1,City,Province,Country,Phone,Total Spent,Total Orders,Tags
Ann,A,ann@example.com,yes,,1 High St,London,,GB,,120.50,3,
Bo,B,bo@example.com,no,,2 Low St,York,,GB,,80.00,1,
Cy,C,cy@example.com,no,Cy Ltd,3 Mid St,Leeds,,GB,,40.00,1,
Di,D,di@example.com,no,,4 Side St,Bath,,GB,,0.00,0,
";
    let r = report(csv);
    assert_eq!(field_of(&r, "Email"), Some(Field::CustomerId));
    assert_eq!(r.summary.customers, 4);
    assert!(near(r.summary.total_amount, 240.5));
    assert!(r.mapping[0]
        .reread
        .iter()
        .any(|x| x.header == "Email" && x.field == Some(Field::CustomerId)));
}

/// A shop report that writes the order's total on each of its lines ("Total Cost" beside two
/// products of one order): the total counts once per order.
#[test]
fn an_order_total_on_each_line() {
    let csv = "\
Order Name,Date,shipping address1,shipping zip,shipping phone,email,Total Cost,Product Name,Colour,Size,Delivery Status
#1051,2025-12-04 16:58:31,1 A Rd,OL2 6RG,(+44)7700900001,amy@example.com,49.0,Knit Dress - Black / 6,Black,6,delivered
#1050,2025-12-03 23:59:28,2 B Rd,OL2 6RG,(+44)7700900002,bea@example.com,64.4,Halter Dress - BROWN / M,BROWN,M,unfulfilled
#1050,2025-12-03 23:59:28,,,,bea@example.com,64.4,Halter Dress - BROWN / S,BROWN,S,unfulfilled
";
    let r = report(csv);
    assert_eq!(field_of(&r, "Order Name"), Some(Field::OrderId));
    assert_eq!(field_of(&r, "Total Cost"), Some(Field::Amount));
    assert_eq!(r.summary.customers, 2);
    assert!(near(r.summary.total_amount, 113.4));
    assert!(r.mapping[0]
        .derived
        .iter()
        .any(|d| d.from == vec![Field::Amount, Field::OrderId]));
}

/// A line-level amount that happens to be equal on an order's two lines of one product is not
/// an order total: without a header that says total, every line counts.
#[test]
fn equal_line_amounts_are_not_an_order_total() {
    let csv = "\
订单号,客户名称,订单日期,产品,金额
D1,甲,2025-01-02,螺丝,10
D1,甲,2025-01-02,螺母,10
D2,乙,2025-01-03,螺丝,5
";
    let r = report(csv);
    assert!(near(r.summary.total_amount, 25.0));
}

/// One shop's sheet without order dates beside two shops' full seller exports: its lines (a
/// product and an amount each) are read with the others, not taken for a register.
#[test]
fn a_shop_sheet_without_dates() {
    use crate::fixtures::{new_workbook, write_rows, C};
    let mut wb = new_workbook();
    let short = vec![
        C::S("买家会员名"),
        C::S("买家实际支付金额"),
        C::S("收货人姓名"),
        C::S("宝贝标题"),
        C::S("数量"),
    ];
    let full = || {
        vec![
            C::S("买家会员名"),
            C::S("买家实际支付金额"),
            C::S("订单状态"),
            C::S("收货人姓名"),
            C::S("订单付款时间"),
            C::S("宝贝标题"),
            C::S("宝贝总数量"),
        ]
    };
    let ws = wb.add_worksheet();
    ws.set_name("明日").unwrap();
    write_rows(ws, 0, &[short]);
    write_rows(
        ws,
        1,
        &[
            vec![
                C::S("mrhy1"),
                C::N(41.86),
                C::S("周某某"),
                C::S("零基础学Python"),
                C::N(1.0),
            ],
            vec![
                C::S("mrhy2"),
                C::N(20.0),
                C::S("杨某某"),
                C::S("Java入门"),
                C::N(1.0),
            ],
        ],
    );
    for (name, buyer) in [("莫寒", "mm1"), ("白桦", "bh1")] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        write_rows(ws, 0, &[full()]);
        write_rows(
            ws,
            1,
            &[
                vec![
                    C::S(buyer),
                    C::N(48.86),
                    C::S("交易成功"),
                    C::S("赵某"),
                    C::D(2018, 5, 16),
                    C::S("Android"),
                    C::N(1.0),
                ],
                vec![
                    C::S(buyer),
                    C::N(10.0),
                    C::S("交易成功"),
                    C::S("赵某"),
                    C::D(2018, 5, 20),
                    C::S("C语言"),
                    C::N(1.0),
                ],
            ],
        );
    }
    let bytes = wb.save_to_buffer().unwrap();
    let r = analyze(&bytes, &Options::default()).unwrap();
    assert_eq!(r.mapping.len(), 1);
    assert_eq!(r.mapping[0].combined, vec!["莫寒", "白桦", "明日"]);
    assert_eq!(r.summary.customers, 4);
    assert!(near(r.summary.total_amount, 2.0 * 58.86 + 61.86));
    assert_eq!(r.summary.order_lines, 6);
}
