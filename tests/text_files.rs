use kexi::internals::quality::SkipReason;
use kexi::{analyze, Options};

const ORDERS: &str = "客户名称,所属区域,订单日期,销售额\n华东贸易,华东,2024-03-05,\"￥1,234.00\"\n北方机械,华北,2024年3月6日,1.2万\n华东贸易,华东,2024/3/7,766\n合计,,,14000\n";

#[test]
fn gbk_csv() {
    let (bytes, _, bad) = encoding_rs::GBK.encode(ORDERS);
    assert!(!bad);
    let r = analyze(&bytes, &Options::default()).unwrap();
    assert_eq!(r.input.encoding.as_deref(), Some("GB18030"));
    assert_eq!(r.summary.customers, 2);
    assert_eq!(r.summary.total_amount, Some(14000.0));
    assert_eq!(r.quality.total.rows_skipped[&SkipReason::Total].count, 1);
    assert!(r
        .customers
        .iter()
        .any(|c| c.name.as_deref() == Some("华东贸易")));
}

#[test]
fn utf8_bom_tsv_and_utf16() {
    let tsv = format!(
        "\u{feff}{}",
        ORDERS
            .replace(',', "\t")
            .replace("\"￥1\t234.00\"", "￥1,234.00")
    );
    let r = analyze(tsv.as_bytes(), &Options::default()).unwrap();
    assert_eq!(r.input.delimiter.as_deref(), Some("\t"));
    assert_eq!(r.summary.total_amount, Some(14000.0));

    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(ORDERS.encode_utf16().flat_map(u16::to_le_bytes));
    let r = analyze(&utf16, &Options::default()).unwrap();
    assert_eq!(r.summary.customers, 2);
    assert_eq!(r.summary.total_amount, Some(14000.0));
}

#[test]
fn english_headers() {
    let csv = "Customer ID;Customer Name;Order Date;Amount\nC1;Acme;2024-01-02;100.5\nC2;Globex;2024-01-03;$2,000\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    assert_eq!(r.input.delimiter.as_deref(), Some(";"));
    assert_eq!(r.summary.customers, 2);
    assert_eq!(r.summary.total_amount, Some(2100.5));
    assert_eq!(r.summary.shape, "orders");
}
