//! Robustness run: every file under ../shared/corpus (real xls, xlsx, xlsb and ods,
//! encrypted and malformed ones included) plus files generated here to attack the reader, each
//! read and analysed in its own child process under a memory cap and a time limit. Prints a table
//! of outcomes; exits 1 if any child panicked, aborted or hung.
//!
//! `cargo bench --bench robustness [-- --corpus DIR --mem-mb 2048 --secs 30]`
//!
//! Generated under target/robustness: cells at A1 and XFD1048576, a 1 GiB shared string, 10
//! million cells in a ~1 MB zip, zips whose declared sizes lie, an xls whose FAT chain loops, a
//! workbook truncated at every 1 KiB, wrong extensions, an empty file and random bytes.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(path) = flag("--one") {
        one(Path::new(&path));
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = flag("--corpus")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    let mem_mb: u64 = flag("--mem-mb")
        .and_then(|x| x.parse().ok())
        .unwrap_or(2048);
    let secs: u64 = flag("--secs").and_then(|x| x.parse().ok()).unwrap_or(30);

    let generated = root.join("target/robustness");
    let _ = std::fs::remove_dir_all(&generated);
    std::fs::create_dir_all(&generated).expect("create target/robustness");
    let t = Instant::now();
    generate(&generated);
    eprintln!(
        "generated attack files in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    let mut sets: Vec<(&str, Vec<PathBuf>)> = Vec::new();
    if corpus.is_dir() {
        sets.push(("../shared/corpus", files_under(&corpus)));
    } else {
        eprintln!(
            "{} not found: the corpus rows are skipped",
            corpus.display()
        );
    }
    sets.push(("generated", files_under(&generated)));

    let exe = std::env::current_exe().expect("current exe");
    println!(
        "each file in a child process: memory cap {mem_mb} MiB (ulimit -v), time limit {secs} s\n"
    );
    println!("| files | count | tables | clear errors | panics | aborts | hangs | slowest |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut bad = Vec::new();
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    for (label, files) in &sets {
        let (mut tables, mut errors, mut panics, mut aborts, mut hangs) = (0, 0, 0, 0, 0);
        let mut slowest = (0.0f64, String::new());
        for f in files {
            let started = Instant::now();
            let outcome = run_child(&exe, f, mem_mb, Duration::from_secs(secs));
            let took = started.elapsed().as_secs_f64();
            if took > slowest.0 {
                slowest = (took, file_name(f));
            }
            match &outcome {
                Outcome::Table => tables += 1,
                Outcome::Error(code) => {
                    errors += 1;
                    *codes.entry(code.clone()).or_default() += 1;
                }
                Outcome::Panic(_) => panics += 1,
                Outcome::Abort(_) => aborts += 1,
                Outcome::Hang => hangs += 1,
            }
            if matches!(
                outcome,
                Outcome::Panic(_) | Outcome::Abort(_) | Outcome::Hang
            ) {
                bad.push((f.clone(), outcome));
            }
        }
        println!(
            "| {label} | {} | {tables} | {errors} | {panics} | {aborts} | {hangs} | {:.2} s ({}) |",
            files.len(),
            slowest.0,
            slowest.1
        );
    }
    println!("\nclear errors by kind:");
    for (code, n) in &codes {
        println!("  {code}: {n}");
    }
    if !bad.is_empty() {
        println!("\nfailures:");
        for (f, o) in &bad {
            let what = match o {
                Outcome::Panic(m) => format!("panic: {m}"),
                Outcome::Abort(m) => format!("abort: {m}"),
                Outcome::Hang => "hang".to_string(),
                Outcome::Table | Outcome::Error(_) => continue,
            };
            println!("  {}: {what}", f.display());
        }
        std::process::exit(1);
    }
}

enum Outcome {
    Table,
    Error(String),
    Panic(String),
    Abort(String),
    Hang,
}

/// In the child: read and analyse one file, print `ok` or `err CODE`.
fn one(path: &Path) {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            println!("err io {e}");
            return;
        }
    };
    match kexi::analyze(&bytes, &kexi::Options::default()) {
        Ok(r) => println!("ok {}", r.summary.customers),
        Err(e) => println!("err {}", e.code()),
    }
}

fn run_child(exe: &Path, file: &Path, mem_mb: u64, limit: Duration) -> Outcome {
    let mut child = match Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {}; exec \"$0\" --one \"$1\"",
            mem_mb * 1024
        ))
        .arg(exe)
        .arg(file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => return Outcome::Abort(format!("spawn: {e}")),
    };
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() > deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Outcome::Hang;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Outcome::Abort(format!("wait: {e}")),
        }
    };
    let mut out = String::new();
    let mut err = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = o.read_to_string(&mut out);
    }
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let first_err_line = err.lines().next().unwrap_or("").to_string();
    match status.code() {
        Some(0) if out.starts_with("ok") => Outcome::Table,
        Some(0) if out.starts_with("err ") => Outcome::Error(out[4..].trim().to_string()),
        Some(101) => Outcome::Panic(first_err_line),
        Some(c) => Outcome::Abort(format!("exit {c}: {first_err_line}")),
        None => Outcome::Abort(format!("signal: {first_err_line}")),
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Writes the attack files into `dir`.
fn generate(dir: &Path) {
    let w = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).expect("write");

    // Cells at the first and the last cell of a sheet.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "客户名称").expect("cell");
    ws.write_number(1_048_575, 16_383, 1.0).expect("cell");
    let corners = wb.save_to_buffer().expect("xlsx");
    w("far_corners.xlsx", &corners);

    // A small but real order list, for truncation and renaming.
    let small = small_workbook();
    w("small.xlsx", &small);
    for cut in (1024..small.len()).step_by(1024) {
        w(&format!("truncated_at_{cut}.xlsx"), &small[..cut]);
    }
    w("xlsx_named.csv", &small);
    w(
        "csv_named.xlsx",
        "客户名称,订单日期,金额\n东方,2024-01-02,100\n".as_bytes(),
    );
    w("empty.xlsx", b"");
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let noise: Vec<u8> = (0..65_536)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    w("random_bytes.xlsx", &noise);

    // One shared string of 1 GiB, deflated to about 1 MB.
    w(
        "shared_string_1gib.xlsx",
        &package(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#.as_bytes(),
            Some(&|out: &mut dyn Write| {
                out.write_all(br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>"#)?;
                let chunk = vec![b'a'; 1 << 20];
                for _ in 0..1024 {
                    out.write_all(&chunk)?;
                }
                out.write_all(b"</t></si></sst>")
            }),
        ),
    );

    // Ten million cells (100,000 rows of 100) in a zip of about a megabyte.
    let mut sheet = Vec::with_capacity(160 << 20);
    sheet.extend_from_slice(
        br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    let row: Vec<u8> = {
        let mut r = b"<row>".to_vec();
        for _ in 0..100 {
            r.extend_from_slice(b"<c><v>1</v></c>");
        }
        r.extend_from_slice(b"</row>");
        r
    };
    for _ in 0..100_000 {
        sheet.extend_from_slice(&row);
    }
    sheet.extend_from_slice(b"</sheetData></worksheet>");
    w("ten_million_cells.xlsx", &package(&sheet, None));
    drop(sheet);

    // Zips whose declared sizes lie: every entry says it inflates to 10 bytes, or to 4 GiB.
    w("sizes_lie_small.xlsx", &lie_about_sizes(&small, 10));
    w("sizes_lie_huge.xlsx", &lie_about_sizes(&small, u32::MAX));

    // An xls whose FAT chain loops on the directory's first sector.
    let xls_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/messy_register.xls");
    if let Ok(xls) = std::fs::read(xls_path) {
        if let Some(cyclic) = cyclic_fat(&xls) {
            w("cyclic_fat.xls", &cyclic);
        }
        let mut bad_sector = xls.clone();
        if bad_sector.len() > 0x31 {
            // Directory start sector far past the end of the file.
            bad_sector[0x30..0x34].copy_from_slice(&0x00ff_ffffu32.to_le_bytes());
            w("directory_past_end.xls", &bad_sector);
        }
    }
}

fn small_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let header = ["订单号", "客户名称", "所属区域", "订单日期", "金额"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("cell");
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    for r in 1..400u32 {
        ws.write_string(r, 0, format!("SO{r}")).expect("cell");
        ws.write_string(r, 1, format!("客户{}", r % 37))
            .expect("cell");
        ws.write_string(r, 2, ["华东", "华南", "华北"][r as usize % 3])
            .expect("cell");
        ws.write_number_with_format(r, 3, 45_300.0 + f64::from(r % 300), &date)
            .expect("cell");
        ws.write_number(r, 4, f64::from(100 + (r * 37) % 900))
            .expect("cell");
    }
    wb.save_to_buffer().expect("xlsx")
}

type Streamed<'a> = &'a dyn Fn(&mut dyn Write) -> std::io::Result<()>;

/// A minimal xlsx package around one sheet and, optionally, a streamed sharedStrings part.
fn package(sheet: &[u8], shared: Option<Streamed<'_>>) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    let part = |z: &mut zip::ZipWriter<Cursor<Vec<u8>>>, name: &str, body: &[u8]| {
        z.start_file(name, opts).expect("zip");
        z.write_all(body).expect("zip");
    };
    part(&mut z, "[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#);
    part(&mut z, "_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#);
    part(&mut z, "xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#);
    part(&mut z, "xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#);
    part(&mut z, "xl/worksheets/sheet1.xml", sheet);
    if let Some(write) = shared {
        z.start_file("xl/sharedStrings.xml", opts).expect("zip");
        write(&mut z).expect("zip");
    }
    z.finish().expect("zip").into_inner()
}

/// Rewrites every local and central header's uncompressed size to `size`.
fn lie_about_sizes(zip: &[u8], size: u32) -> Vec<u8> {
    let mut out = zip.to_vec();
    let mut i = 0;
    while i + 46 <= out.len() {
        let sig = u32::from_le_bytes([out[i], out[i + 1], out[i + 2], out[i + 3]]);
        if sig == 0x0403_4b50 {
            out[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        } else if sig == 0x0201_4b50 {
            out[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
        i += 1;
    }
    out
}

/// Points the FAT entry of the directory's first sector at itself, so its chain never ends.
fn cyclic_fat(ole: &[u8]) -> Option<Vec<u8>> {
    let u32_at = |b: &[u8], at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
    };
    let shift = u16::from_le_bytes(ole.get(0x1e..0x20)?.try_into().ok()?);
    let sector = 1usize << shift;
    let dir_start = u32_at(ole, 0x30)? as usize;
    let per_fat_sector = sector / 4;
    let fat_index = dir_start / per_fat_sector;
    let fat_sector = u32_at(ole, 0x4c + 4 * fat_index)? as usize;
    let at = (fat_sector + 1) * sector + (dir_start % per_fat_sector) * 4;
    let mut out = ole.to_vec();
    out.get_mut(at..at + 4)?
        .copy_from_slice(&(dir_start as u32).to_le_bytes());
    Some(out)
}
