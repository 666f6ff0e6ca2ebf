//! The `kexi` command: a thin shell over the library. It is the only place that touches files,
//! arguments and exit codes; errors are printed once, here.

use kexi::mapping::Overrides;
use kexi::report::Report;
use kexi::{analyze, Options};
use std::process::ExitCode;

const USAGE: &str = "\
kexi — 客析 customer analyzer (runs locally; nothing is uploaded)

usage:
  kexi analyze FILE [--sheet NAME] [--mapping FILE.json] [--as-of YYYY-MM-DD] [--json]

  FILE            xlsx, xlsm, xlsb, xls, ods, csv, tsv or txt (format read from the bytes)
  --sheet NAME    analyse this sheet only, instead of choosing the register / order list
  --mapping FILE  JSON of column corrections, e.g. {\"客户简称\": \"customer_name\", \"C\": \"amount\", \"备注\": \"ignore\"}
  --as-of DATE    the date recency is measured against (default: the day after the last order)
  --json          print the full report as JSON (see docs/report.md)
";

struct Args {
    file: String,
    json: bool,
    options: Options,
}

enum Failure {
    Usage(String),
    Input(String),
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("kexi: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Input(msg)) => {
            eprintln!("kexi: {msg}");
            ExitCode::from(1)
        }
    }
}

fn run(argv: Vec<String>) -> Result<(), Failure> {
    let args = parse(argv)?;
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::Input(format!("无法读取文件 / cannot read {}: {e}", args.file)))?;
    let report = analyze(&bytes, &args.options).map_err(|e| Failure::Input(e.to_string()))?;
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::Input(format!("JSON: {e}")))?;
        println!("{json}");
    } else {
        print!("{}", human(&args.file, &report));
    }
    Ok(())
}

fn parse(argv: Vec<String>) -> Result<Args, Failure> {
    let mut it = argv.into_iter();
    match it.next().as_deref() {
        Some("analyze") => {}
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            std::process::exit(0);
        }
        Some(other) => return Err(Failure::Usage(format!("unknown command '{other}'"))),
    }
    let mut file = None;
    let mut json = false;
    let mut options = Options::default();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--json" => json = true,
            "--sheet" => options.sheet = Some(value("--sheet")?),
            "--as-of" => {
                let v = value("--as-of")?;
                let d = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    Failure::Usage(format!("--as-of '{v}' is not a YYYY-MM-DD date"))
                })?;
                options.as_of = Some(d);
            }
            "--mapping" => {
                let path = value("--mapping")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))?;
                options.mapping =
                    Overrides::from_json(&text).map_err(|e| Failure::Input(e.to_string()))?;
            }
            s if s.starts_with('-') => return Err(Failure::Usage(format!("unknown option '{s}'"))),
            s => {
                if file.replace(s.to_string()).is_some() {
                    return Err(Failure::Usage("only one FILE".into()));
                }
            }
        }
    }
    let file = file.ok_or_else(|| Failure::Usage("FILE is missing".into()))?;
    Ok(Args {
        file,
        json,
        options,
    })
}

/// The human-readable summary: what was read, how it was mapped, what was skipped and why.
fn human(file: &str, r: &Report) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "文件 File: {file}  ({:?}, {} bytes{})",
        r.input.format,
        r.input.file_bytes,
        match (&r.input.encoding, &r.input.delimiter) {
            (Some(e), Some(d)) => format!(", {e}, delimiter {d:?}"),
            _ => String::new(),
        }
    );
    let _ = writeln!(o, "\n工作表 Sheets:");
    for s in &r.input.sheets {
        let role = match s.role {
            Some(kexi::dataset::Role::Register) => "  ← 客户登记表 customer register",
            Some(kexi::dataset::Role::Orders) => "  ← 订单明细 order list",
            None => "",
        };
        let _ = writeln!(
            o,
            "  {} [{:?}, {:?}] {} rows × {} cols, {} cells{role}",
            s.info.name, s.info.kind, s.info.visibility, s.info.rows, s.info.cols, s.info.cells
        );
    }
    for m in &r.mapping {
        let _ = writeln!(
            o,
            "\n列映射 Mapping of '{}' (header rows {}–{}):",
            m.sheet, m.header_rows.0, m.header_rows.1
        );
        for c in &m.columns {
            let field = c.field.map_or("—".to_string(), |f| {
                let year = c.year.map(|y| format!(" {y}")).unwrap_or_default();
                format!("{}{year} ({})", f.key(), f.label_zh())
            });
            let _ = writeln!(
                o,
                "  {:>3} {:<24} → {:<32} {:?} {:.2}",
                c.letter, c.header, field, c.status, c.confidence
            );
        }
    }
    let q = &r.quality.total;
    let _ = writeln!(
        o,
        "\n数据质量 Quality: {} rows read, {} used, {} skipped",
        q.rows_read,
        q.rows_used,
        q.rows_skipped_total()
    );
    for s in q.rows_skipped.values() {
        let rows: Vec<String> = s.rows.iter().map(|r| r.to_string()).collect();
        let _ = writeln!(
            o,
            "  skipped {} × {} / {} (rows {})",
            s.count,
            s.message_zh,
            s.message_en,
            rows.join(", ")
        );
    }
    for (issue, n) in &q.issues {
        let _ = writeln!(o, "  {n} × {issue:?}");
    }
    for w in q.warnings.iter().take(15) {
        let _ = writeln!(o, "  ! {} / {}", w.message_zh, w.message_en);
    }
    if q.warnings.len() > 15 || q.warnings_omitted > 0 {
        let _ = writeln!(
            o,
            "  … {} more warnings (see --json)",
            q.warnings.len().saturating_sub(15) as u64 + q.warnings_omitted
        );
    }
    if let Some(j) = &r.quality.join {
        let _ = writeln!(
            o,
            "  join by {}: {} order lines matched, {} unmatched; {} register customers without orders",
            j.key, j.order_lines_matched, j.order_lines_unmatched, j.register_customers_without_orders
        );
    }
    let s = &r.summary;
    let _ = writeln!(o, "\n汇总 Summary ({}):", s.shape);
    let _ = writeln!(o, "  客户 customers: {}", s.customers);
    if s.order_lines > 0 {
        let _ = writeln!(o, "  订单行 order lines: {}", s.order_lines);
    }
    if let Some(a) = s.total_amount {
        let _ = writeln!(o, "  金额合计 total amount: {a:.2}");
    }
    if let (Some(a), Some(b)) = (s.first_order_date, s.last_order_date) {
        let _ = writeln!(o, "  订单日期 order dates: {a} … {b}");
    }
    if let Some(d) = s.as_of {
        let _ = writeln!(o, "  分析基准日 as of: {d}");
    }
    if !s.amount_years.is_empty() {
        let years: Vec<String> = s.amount_years.iter().map(|y| y.to_string()).collect();
        let _ = writeln!(o, "  分年金额 amount by year: {}", years.join(", "));
    }
    o
}
