use crate::fixtures::{new_workbook, write_rows, C};
use kexi::{analyze, Limits, Options};

fn code(bytes: &[u8], options: &Options) -> &'static str {
    match analyze(bytes, options) {
        Ok(_) => "ok",
        Err(e) => {
            assert!(!e.message_zh().is_empty() && !e.message_en().is_empty());
            e.code()
        }
    }
}

fn small_orders(rows: usize) -> Vec<u8> {
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    let mut data = vec![vec![C::S("客户名称"), C::S("订单日期"), C::S("金额")]];
    for i in 0..rows {
        data.push(vec![
            C::S(if i % 2 == 0 { "甲" } else { "乙" }),
            C::D(2024, 1, 1 + (i % 28) as u8),
            C::N(i as f64),
        ]);
    }
    write_rows(ws, 0, &data);
    wb.save_to_buffer().unwrap()
}

#[test]
fn clear_errors() {
    let o = Options::default();
    let mut encrypted = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    encrypted.extend(vec![0; 504]);
    encrypted.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(code(&encrypted, &o), "encrypted");
    assert_eq!(
        code(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00", &o),
        "not_spreadsheet"
    );
    assert_eq!(code(b"", &o), "not_spreadsheet");
    assert_eq!(
        code(b"<?xml version=\"1.0\"?><Workbook/>", &o),
        "not_spreadsheet"
    );

    let mut wb = new_workbook();
    wb.add_worksheet();
    assert_eq!(code(&wb.save_to_buffer().unwrap(), &o), "empty_workbook");

    let mut wb = new_workbook();
    write_rows(
        wb.add_worksheet(),
        0,
        &[vec![C::N(1.0), C::N(2.0)], vec![C::N(3.0), C::N(4.0)]],
    );
    assert_eq!(code(&wb.save_to_buffer().unwrap(), &o), "no_header");
}

/// A workbook cut short at every 1 KiB boundary: an error or a (partial) table, never a panic.
#[test]
fn truncated_workbooks() {
    let bytes = small_orders(300);
    let o = Options::default();
    assert_eq!(code(&bytes, &o), "ok");
    for cut in (0..bytes.len()).step_by(1024) {
        let c = code(bytes.get(..cut).unwrap(), &o);
        assert!(
            matches!(
                c,
                "ok" | "corrupt" | "not_spreadsheet" | "empty_workbook" | "no_header"
            ),
            "cut at {cut}: {c}"
        );
    }
}

#[test]
fn limits_are_counted_while_reading() {
    let bytes = small_orders(2_000);
    let few_cells = Options {
        limits: Limits {
            max_cells: 1_000,
            ..Limits::default()
        },
        ..Options::default()
    };
    assert_eq!(code(&bytes, &few_cells), "too_large");
    let small_inflate = Options {
        limits: Limits {
            max_decompressed_bytes: 10_000,
            ..Limits::default()
        },
        ..Options::default()
    };
    assert_eq!(code(&bytes, &small_inflate), "too_large");
    let small_file = Options {
        limits: Limits {
            max_file_bytes: 1_000,
            ..Limits::default()
        },
        ..Options::default()
    };
    assert_eq!(code(&bytes, &small_file), "too_large");
}

/// Cells at A1 and XFD1048576 cost two cells, not a 17-billion-cell grid.
#[test]
fn far_corner_cells() {
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "客户名称").unwrap();
    ws.write_string(0, 1, "金额").unwrap();
    ws.write_string(1, 0, "甲").unwrap();
    ws.write_number(1, 1, 5.0).unwrap();
    ws.write_number(1_048_575, 16_383, 1.0).unwrap();
    let r = analyze(&wb.save_to_buffer().unwrap(), &Options::default()).unwrap();
    assert_eq!(r.input.sheets[0].info.rows, 1_048_576);
    assert_eq!(r.input.sheets[0].info.cols, 16_384);
    assert_eq!(r.summary.customers, 1);
}
