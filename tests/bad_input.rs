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

/// Regression (found by the robustness run): an xls whose FAT sends the directory chain back to
/// its own first sector made calamine grow a buffer until memory ran out (an abort, not an
/// error). Now `ole::check` refuses it, and a directory start past the table too.
#[test]
fn looping_or_broken_xls_chains_are_corrupt() {
    let xls = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/messy_register.xls"
    ))
    .unwrap();
    assert!(analyze(&xls, &Options::default()).is_ok());
    let u32_at = |at: usize| u32::from_le_bytes(xls[at..at + 4].try_into().unwrap()) as usize;
    let sector = 1usize << u16::from_le_bytes([xls[0x1e], xls[0x1f]]);
    let dir_start = u32_at(0x30);
    let per = sector / 4;
    let fat_sector = u32_at(0x4c + 4 * (dir_start / per));
    let at = (fat_sector + 1) * sector + (dir_start % per) * 4;
    let mut looping = xls.clone();
    looping[at..at + 4].copy_from_slice(&(dir_start as u32).to_le_bytes());
    assert_eq!(code(&looping, &Options::default()), "corrupt");
    let mut past = xls.clone();
    past[0x30..0x34].copy_from_slice(&0x00ff_ffffu32.to_le_bytes());
    assert_eq!(code(&past, &Options::default()), "corrupt");
}

/// Regression (found by fuzzing `read`): an xlsb whose sheet names a relationship id the
/// workbook does not have made calamine index a map with a missing key and panic. The calamine
/// readers run behind a panic boundary: it is an `unreadable` error (the reader stopped; the
/// file is not known to be damaged).
#[test]
fn xlsb_with_a_missing_sheet_relationship_is_unreadable() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fuzz/regressions/xlsb_missing_sheet_relationship.xlsb"
    ))
    .unwrap();
    assert_eq!(code(&bytes, &Options::default()), "unreadable");
}

/// Regressions (found by fuzzing `read`): an xls whose cell records name columns far apart made
/// calamine allocate a dense grid of 137 GB, and one whose DIMENSIONS record declares a huge sheet
/// made it reserve 390 TB; both aborted. Both spans are now checked before calamine reads the
/// file: `too_large`. The third's BOUNDSHEET points calamine into the middle of a record, where it
/// reads a DIMENSIONS the records walked from the start do not have: each sheet's offset is now
/// walked too.
#[test]
fn xls_with_huge_spans_is_too_large() {
    for name in [
        "xls_cells_far_apart.xls",
        "xls_huge_dimensions.xls",
        "xls_sheet_offset_mid_record.xls",
    ] {
        let path = format!(
            "{}/tests/fuzz/regressions/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(code(&bytes, &Options::default()), "too_large", "{name}");
    }
}

/// Regression: the table gives every loaded column a slot in every row, so a header of 16,384
/// labels over rows holding only a customer name cost 64 KiB a row (a 50,000-row sheet of
/// 100,000 cells would have taken 3 GiB). The slots now count against the cell limit.
#[test]
fn a_wide_header_over_sparse_rows_is_too_large() {
    let mut wb = new_workbook();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "客户名称").unwrap();
    ws.write_string(0, 1, "金额").unwrap();
    for c in 2..200u16 {
        ws.write_string(0, c, format!("备注{c}")).unwrap();
    }
    for r in 1..=1_000u32 {
        ws.write_string(r, 0, format!("客户{r}")).unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let limits = |max_cells| Options {
        limits: Limits {
            max_cells,
            ..Limits::default()
        },
        ..Options::default()
    };
    // 1,200 cells read, but 200 columns × 1,000 rows of table.
    assert_eq!(code(&bytes, &limits(100_000)), "too_large");
    assert_eq!(code(&bytes, &limits(200_000)), "ok");
}
