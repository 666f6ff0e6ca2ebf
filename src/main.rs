//! The `kexi` command: a thin shell over the library. It is the only place that touches files,
//! arguments and exit codes; errors are printed once, here.

use kexi::mapping::Overrides;
use kexi::report::Report;
use kexi::{analyze, Options};
use std::process::ExitCode;

const USAGE: &str = "\
kexi — 客析 customer analyzer (runs locally; nothing is uploaded)

usage:
  kexi analyze FILE [--sheet NAME] [--mapping FILE.json] [--as-of YYYY-MM-DD]
                    [--config FILE.json] [--json]

  FILE            xlsx, xlsm, xlsb, xls, ods, csv, tsv or txt (format read from the bytes)
  --sheet NAME    analyse this sheet only, instead of choosing the register / order list
  --mapping FILE  JSON of column corrections, e.g. {\"客户简称\": \"customer_name\", \"C\": \"amount\", \"备注\": \"ignore\"}
  --as-of DATE    the date recency is measured against (default: the day after the last order)
  --config FILE   JSON of analysis settings, e.g. {\"rfm\": {\"threshold\": \"median\"},
                  \"abc\": {\"amount_a\": 70}, \"lifecycle\": {\"lost_days\": 365}} (docs/analyses.md);
                  the flags above override the same settings in it
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
    let mut config = None;
    let (mut sheet, mut as_of, mut mapping) = (None, None, None);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--json" => json = true,
            "--sheet" => sheet = Some(value("--sheet")?),
            "--config" => config = Some(value("--config")?),
            "--as-of" => {
                let v = value("--as-of")?;
                let d = chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d").map_err(|_| {
                    Failure::Usage(format!("--as-of '{v}' is not a YYYY-MM-DD date"))
                })?;
                as_of = Some(d);
            }
            "--mapping" => {
                let path = value("--mapping")?;
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))?;
                mapping =
                    Some(Overrides::from_json(&text).map_err(|e| Failure::Input(e.to_string()))?);
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
    let mut options = match config {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::Input(format!("cannot read {path}: {e}")))?;
            Options::from_json(&text).map_err(|e| Failure::Input(format!("{path}: {e}")))?
        }
        None => Options::default(),
    };
    if sheet.is_some() {
        options.sheet = sheet;
    }
    if as_of.is_some() {
        options.as_of = as_of;
    }
    if let Some(m) = mapping {
        options.mapping = m;
    }
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
    analyses(&mut o, r);
    o
}

/// The analyses, a few lines each; `--json` has everything.
fn analyses(o: &mut String, r: &Report) {
    use std::fmt::Write;
    let a = &r.analyses;
    let name = |i: usize| {
        r.customers
            .get(i)
            .map(|c| {
                let id = c.id.as_deref().unwrap_or("");
                let name = c.name.as_deref().unwrap_or("");
                format!("{id} {name}").trim().to_string()
            })
            .unwrap_or_default()
    };
    let _ = writeln!(o, "\n分析 Analyses:");
    for st in &r.summary.analyses {
        if st.ran {
            let _ = writeln!(o, "  ✓ {}", st.key);
        } else {
            let needs: Vec<String> = st.needs.iter().map(|g| g.join(" / ")).collect();
            let note = st.note.as_ref().map(|t| format!(" — {} / {}", t.zh, t.en));
            let _ = writeln!(
                o,
                "  ✗ {} skipped: needs {}{}",
                st.key,
                needs.join(" + "),
                note.unwrap_or_default()
            );
        }
    }
    if let Some(x) = &a.rfm {
        let _ = writeln!(
            o,
            "\nRFM ({} customers; thresholds R {:.1} days, F {:.2}, M {:.2}):",
            x.customers_scored,
            x.thresholds.recency_days,
            x.thresholds.frequency,
            x.thresholds.monetary
        );
        for s in &x.segments {
            let _ = writeln!(
                o,
                "  {:<8} {:>7} customers {:>5.1}%  amount {:>5.1}%  {}",
                s.label.zh, s.customers, s.customer_share, s.amount_share, s.action.zh
            );
        }
    }
    if let Some(x) = &a.abc {
        let _ = writeln!(
            o,
            "\nABC: top 20% of customers bring {:.1}% of the amount; {:.1}% of customers bring {}%",
            x.top20_share, x.customers_for_a_share, x.options.amount_a
        );
        for c in &x.by_amount {
            let _ = writeln!(
                o,
                "  {:<10} {:>7} customers {:>5.1}%  amount {:>5.1}%",
                c.label.zh, c.customers, c.customer_share, c.amount_share
            );
        }
    }
    if let Some(x) = &a.value {
        let _ = writeln!(
            o,
            "\n客户价值 Value tiers (mean score {:.1}):",
            x.mean_score
        );
        for t in &x.tiers {
            let _ = writeln!(
                o,
                "  {:<8} {:>7} customers {:>5.1}%  amount {:>5.1}%",
                t.label.zh, t.customers, t.customer_share, t.amount_share
            );
        }
    }
    if let Some(x) = &a.lifecycle {
        let _ = writeln!(
            o,
            "\n生命周期 Lifecycle (active rate {:.1}%):",
            x.active_rate
        );
        for s in &x.stages {
            let _ = writeln!(
                o,
                "  {:<8} {:>7} customers {:>5.1}%",
                s.label.zh, s.customers, s.customer_share
            );
        }
        if let Some(c) = &x.churn {
            let _ = writeln!(
                o,
                "  churn over {} days: {} of {} customers lost = {:.1}% (retention {:.1}%)",
                c.period_days, c.lost, c.customers_at_start, c.churn_rate, c.retention_rate
            );
        }
    }
    if let Some(x) = &a.alerts {
        let _ = writeln!(
            o,
            "\n预流失重点客户 Pre-churn key customers: {} of {} key customers, {:.2} a year at risk",
            x.alerts.len(),
            x.key_customers,
            x.amount_at_risk
        );
        for al in x.alerts.iter().take(10) {
            let _ = writeln!(
                o,
                "  {:<24} silent {} days = {:.1}× usual interval, {:.2} a year at risk",
                name(al.customer as usize),
                al.recency_days,
                al.overdue,
                al.amount_at_risk
            );
        }
    }
    if let Some(x) = &a.distribution {
        for d in &x.dimensions {
            let _ = writeln!(o, "\n按{} By {}:", d.label.zh, d.label.en.to_lowercase());
            for g in d.groups.iter().take(8) {
                let change = g
                    .amount_change
                    .map(|c| format!("  YoY {c:+.1}%"))
                    .unwrap_or_default();
                let _ = writeln!(
                    o,
                    "  {:<12} {:>7} customers {:>5.1}%  amount {:>5.1}%{change}",
                    g.value.as_deref().unwrap_or("(未填)"),
                    g.customers,
                    g.customer_share,
                    g.amount_share
                );
            }
            if d.groups.len() > 8 {
                let _ = writeln!(o, "  … {} more", d.groups.len() - 8);
            }
        }
    }
    if let Some(x) = &a.customer_flow {
        let _ = writeln!(o, "\n客户增减 Customer flow (per {:?}, last 12):", x.period);
        let _ = writeln!(
            o,
            "  {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
            "period", "new", "back", "lost", "net", "total"
        );
        for row in x.rows.iter().rev().take(12).rev() {
            let _ = writeln!(
                o,
                "  {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
                row.period, row.new, row.returning, row.lost, row.net, row.total
            );
        }
    }
}
