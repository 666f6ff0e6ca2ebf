//! The fast xlsx reader against calamine, cell for cell: every xlsx/xlsm of the corpus (when
//! ../shared is present) and workbooks generated here must give the same sheets, the same cells
//! and the same merged regions through `Book::open` (fast path) as through
//! `Book::open_reference` (calamine only), or the same error.

use crate::fixtures::{new_workbook, write_rows, C};
use crate::streamed::streamed;
use kexi::internals::grid::Grid;
use kexi::internals::grid::Value;
use kexi::internals::inflate::Inflater;
use kexi::internals::xlsx::Part;
use kexi::{Book, Limits};
use std::path::Path;

/// Every stored cell as (row, col, value text), in a canonical order.
fn cells(g: &Grid) -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    for c in 0..g.n_cols() {
        for (r, v) in g.column(c) {
            let s = match v {
                Value::Number(x) => format!("n{:?}", x),
                Value::Date(x) => format!("d{:?}", x),
                Value::Text(i) => format!("s{}", g.pool.get(i)),
                Value::Bool(b) => format!("b{b}"),
                Value::Error(i) => format!("e{}", g.pool.get(i)),
            };
            out.push((r, c, s));
        }
    }
    out
}

/// Compares the two reads of one file; returns the number of cells compared.
fn same(name: &str, bytes: &[u8]) -> u64 {
    let limits = Limits::default();
    compare(
        name,
        Book::open(bytes, &limits),
        Book::open_reference(bytes, &limits),
    )
}

/// Two reads of one file: the same sheets, cells and merges, or the same error.
fn compare(name: &str, fast: kexi::Result<Book>, reference: kexi::Result<Book>) -> u64 {
    match (fast, reference) {
        (Err(a), Err(b)) => {
            assert_eq!(a.code(), b.code(), "{name}: different errors {a} / {b}");
            0
        }
        (Ok(a), Ok(b)) => {
            assert_eq!(a.sheets.len(), b.sheets.len(), "{name}: sheet count");
            let mut n = 0;
            for (k, (sa, sb)) in a.sheets.iter().zip(&b.sheets).enumerate() {
                assert_eq!(sa.name, sb.name, "{name}: sheet {k} name");
                assert_eq!(
                    sa.visibility, sb.visibility,
                    "{name}: {} visibility",
                    sa.name
                );
                assert_eq!(sa.kind, sb.kind, "{name}: {} kind", sa.name);
                assert_eq!(
                    (sa.rows, sa.cols, sa.cells),
                    (sb.rows, sb.cols, sb.cells),
                    "{name}: {} size",
                    sa.name
                );
                if let (Some(ga), Some(gb)) = (&a.grids[k], &b.grids[k]) {
                    let (ca, cb) = (cells(ga), cells(gb));
                    if ca != cb {
                        let first = ca.iter().zip(&cb).find(|(x, y)| x != y);
                        panic!("{name}: {} cells differ, first {first:?}", sa.name);
                    }
                    n += ca.len() as u64;
                }
                // calamine's path reads merges only for sheets up to 500,000 cells.
                if sb.cells <= 500_000 {
                    assert_eq!(a.merges[k], b.merges[k], "{name}: {} merges", sa.name);
                }
            }
            n
        }
        (a, b) => panic!(
            "{name}: fast {:?} vs calamine {:?}",
            a.map(|_| "ok").map_err(|e| e.to_string()),
            b.map(|_| "ok").map_err(|e| e.to_string())
        ),
    }
}

#[test]
fn generated_workbooks_read_the_same() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = new_workbook();
    let ws = wb.add_worksheet().set_name("订单 & 明细").unwrap();
    write_rows(
        ws,
        0,
        &[
            vec![C::S("客户"), C::S("日期"), C::S("金额"), C::S("备注")],
            vec![
                C::S("华东 <贸易>"),
                C::D(2024, 3, 5),
                C::N(1234.5),
                C::S("  空格  "),
            ],
            vec![
                C::S("北方\r\n机械"),
                C::D(1900, 2, 28),
                C::N(-0.1),
                C::S("_x0041_"),
            ],
        ],
    );
    ws.write_boolean(4, 0, true).unwrap();
    ws.write_formula(4, 1, "=1+2").unwrap();
    ws.set_formula_result(4, 1, "3");
    ws.write_formula(4, 2, "=\"a\"&\"b\"").unwrap();
    ws.set_formula_result(4, 2, "ab");
    ws.write_number_with_format(4, 3, 0.5, &Format::new().set_num_format("[h]:mm"))
        .unwrap();
    ws.write_number_with_format(4, 4, 45000.0, &Format::new().set_num_format("#,##0.00"))
        .unwrap();
    ws.write_number_with_format(
        4,
        5,
        45000.0,
        &Format::new().set_num_format("yyyy\"年\"m\"月\""),
    )
    .unwrap();
    let red = Format::new().set_font_color("#FF0000");
    ws.write_rich_string(5, 0, &[(&Format::default(), "富"), (&red, "文本")])
        .unwrap();
    ws.merge_range(6, 0, 7, 2, "合并", &Format::default())
        .unwrap();
    ws.write_string(1_048_575, 16_383, "far corner").unwrap();
    let hidden = wb.add_worksheet().set_name("说明").unwrap();
    hidden.write_string(0, 0, "hidden").unwrap();
    hidden.set_hidden(true);
    let mut chart = rust_xlsxwriter::Chart::new(rust_xlsxwriter::ChartType::Column);
    chart.add_series().set_values("'订单 & 明细'!$C$2:$C$3");
    wb.add_chartsheet().insert_chart(0, 0, &chart).unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(fast_path_reads(&bytes));
    assert!(same("generated", &bytes) > 10);

    // Inline strings (constant memory) and a second sheet that shares strings.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.write_string(0, 0, "inline").unwrap();
    ws.write_string(1, 0, "  padded  ").unwrap();
    ws.write_number(1, 1, 3.25).unwrap();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "shared").unwrap();
    ws.write_string(1, 0, "inline").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    assert!(fast_path_reads(&bytes));
    assert_eq!(same("inline", &bytes), 5);
}

/// Whether the fast path reads the file itself (so the comparison tests it, not calamine twice).
fn fast_path_reads(bytes: &[u8]) -> bool {
    matches!(
        kexi::internals::xlsx::read(bytes, &Limits::default()),
        Ok(kexi::internals::xlsx::Outcome::Read(_))
    )
}

#[test]
fn corpus_xlsx_reads_the_same_as_calamine() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !dir.is_dir() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let mut paths = Vec::new();
    walk(&dir, &mut paths);
    paths.sort();
    let (mut files, mut cells, mut fell_back) = (0, 0u64, Vec::new());
    let mut streamed_files = 0;
    for path in paths {
        let bytes = std::fs::read(&path).unwrap();
        if !matches!(
            kexi::internals::sniff::sniff(&bytes),
            Ok(kexi::internals::sniff::Format::Xlsx | kexi::internals::sniff::Format::Xlsm)
        ) {
            continue;
        }
        files += 1;
        let name = path.display().to_string();
        if let Ok(kexi::internals::xlsx::Outcome::FallBack(why)) =
            kexi::internals::xlsx::read(&bytes, &Limits::default())
        {
            fell_back.push(format!("{name}: {why}"));
        }
        cells += same(&name, &bytes);
        let cells_streamed = streams_the_same(&name, &bytes, 7000, 3000);
        if cells_streamed > 0 {
            streamed_files += 1;
        }
    }
    eprintln!(
        "xlsx differential: {files} files, {cells} cells identical, {streamed_files} streamed identically; {} fell back to calamine: {fell_back:#?}",
        fell_back.len()
    );
    assert!(streamed_files > 20, "{streamed_files}");
    assert!(files > 50, "{files}");
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Where the streamed read takes a file, it reads what `Book::open` reads, however the pieces
/// fall; returns the cells compared, 0 when the stream declined the file.
fn streams_the_same(name: &str, bytes: &[u8], input: usize, output: usize) -> u64 {
    match streamed(bytes, &Limits::default(), input, output) {
        Some(read) => compare(name, read, Book::open(bytes, &Limits::default())),
        None => 0,
    }
}

#[test]
fn streamed_reads_are_the_same() {
    let bytes = kexi::sample::orders(400, 7).unwrap();
    for (input, output) in [
        (1 << 20, 1 << 20),
        (1000, 64),
        (3, 1),
        (65_536, 7),
        (17, 100_000),
    ] {
        assert!(streams_the_same("sample", &bytes, input, output) > 4000);
    }
    // Of several worksheets the largest is streamed (the sample's second), the others read whole.
    let sample = kexi::sample::orders(200, 3).unwrap();
    let book = Book::open(&sample, &Limits::default()).unwrap();
    assert_eq!(book.sheets.len(), 2);
    let cells: u64 = book.sheets.iter().map(|s| s.cells).sum();
    assert_eq!(streams_the_same("two sheets", &sample, 500, 300), cells);
}

#[test]
fn a_damaged_part_is_read_whole() {
    let bytes = kexi::sample::orders(300, 1).unwrap();
    let part = Book::stream(&bytes, &Limits::default())
        .unwrap()
        .unwrap()
        .part();
    // A byte of the deflated data changed: inflating fails or the CRC does not match.
    let mut bad = bytes.clone();
    bad[part.offset as usize + part.compressed as usize / 2] ^= 0x55;
    assert!(streamed(&bad, &Limits::default(), 4096, 4096).is_none());
    // Sizes and CRCs that lie.
    let raw = &bytes[part.offset as usize..(part.offset + part.compressed) as usize];
    let inflate = |part: Part| -> kexi::Result<u64> {
        let mut inflater = Inflater::new(part);
        inflater.input(raw);
        let mut n = 0;
        while let Some(out) = inflater.next(1000)? {
            n += out.len() as u64;
        }
        inflater.finish().map(|()| n)
    };
    assert_eq!(inflate(part), Ok(part.size));
    assert!(inflate(Part {
        size: part.size - 1,
        ..part
    })
    .is_err());
    assert!(inflate(Part {
        size: part.size + 1,
        ..part
    })
    .is_err());
    assert!(inflate(Part {
        crc: part.crc ^ 1,
        ..part
    })
    .is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    #[test]
    fn any_pieces_read_the_same(input in 1usize..5000, output in 1usize..5000, rows in 1u32..60) {
        let bytes = kexi::sample::orders(rows, u64::from(rows)).unwrap();
        proptest::prop_assert!(streams_the_same("sample", &bytes, input, output) > 0);
    }
}

/// `bytes`' zip entries renamed by `rename` and their contents changed by `rewrite`.
fn repackage(
    bytes: &[u8],
    rename: impl Fn(&str) -> String,
    rewrite: impl Fn(&str, String) -> String,
) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        out.start_file(rename(&name), zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(rewrite(&name, text).as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Regression: packages whose workbook part is not at xl/workbook.xml (calamine's test files
/// minimal_package.xlsx, with every part at the root, and issue_530.xlsx, whose entry names are
/// written with backslashes) were refused as "zip without a workbook part" before any reader saw
/// them. Their main content type now says they are workbooks: the fast reader reads the first
/// through the package relationships as calamine does and gives the second to calamine, whole or
/// streamed; both read as the original does. A zip holding no workbook is still an error.
#[test]
fn packages_laid_out_differently_read_like_calamine() {
    use kexi::internals::sniff::{sniff, Format};
    use kexi::internals::xlsx::{read, Outcome};
    let limits = Limits::default();
    let bytes = kexi::sample::orders(300, 2).unwrap();
    let original = kexi::analyze(&bytes, &kexi::Options::default()).unwrap();
    let at_root = repackage(
        &bytes,
        |name| name.strip_prefix("xl/").unwrap_or(name).to_string(),
        |name, text| match name {
            "_rels/.rels" => text.replace("Target=\"xl/workbook.xml\"", "Target=\"workbook.xml\""),
            "[Content_Types].xml" => text.replace("PartName=\"/xl/", "PartName=\"/"),
            _ => text,
        },
    );
    let backslashed = repackage(&bytes, |name| name.replace('/', "\\"), |_, text| text);
    for (name, package, fast) in [
        ("at root", &at_root, true),
        ("backslashed", &backslashed, false),
    ] {
        assert_eq!(sniff(package).unwrap(), Format::Xlsx, "{name}");
        match read(package, &limits).unwrap() {
            Outcome::Read(_) => assert!(fast, "{name}: read by the fast path"),
            Outcome::FallBack(why) => assert!(!fast, "{name}: fell back: {why}"),
        }
        let cells = same(name, package);
        assert!(cells > 3000, "{name}: {cells}");
        // Streamed where the fast path reads it; else `Book::stream` declines and it is read whole.
        let streamed = streams_the_same(name, package, 1000, 500);
        assert_eq!(streamed, if fast { cells } else { 0 }, "{name}");
        assert_eq!(
            Book::stream(package, &limits).unwrap().is_some(),
            fast,
            "{name}"
        );
        let report = kexi::analyze(package, &kexi::Options::default()).unwrap();
        assert_eq!(
            report.summary.customers, original.summary.customers,
            "{name}"
        );
    }
    // Still errors: a truncated package (its directory gone), and an Office package of another
    // kind.
    let truncated = &at_root[..at_root.len() / 2];
    assert_eq!(
        Book::open(truncated, &limits).unwrap_err().code(),
        "corrupt"
    );
    let document = repackage(
        &bytes,
        |name| name.to_string(),
        |name, text| match name {
            "[Content_Types].xml" => {
                text.replace("spreadsheetml.sheet.main", "wordprocessingml.document.main")
            }
            _ => text,
        },
    );
    let document = repackage(&document, |name| name.replace("xl/", "word/"), |_, t| t);
    assert_eq!(
        Book::open(&document, &limits).unwrap_err().code(),
        "corrupt"
    );
}
