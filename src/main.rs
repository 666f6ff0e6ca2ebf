//! The `kexi` command: a thin shell over the library. It is the only place that touches files,
//! arguments and exit codes; errors are printed once, here.

use kexi::{analyze, Lang, Options, Overrides};
use std::process::ExitCode;

const USAGE: &str = "\
kexi — 客析 customer analyzer (runs locally; nothing is uploaded)

usage:
  kexi analyze FILE [--sheet NAME] [--leave-out NAME] [--mapping FILE.json] [--as-of YYYY-MM-DD]
                    [--config FILE.json] [--calibration-end DATE] [--time-unit days|weeks]
                    [--horizon-months N] [--discount-rate R] [--json]

  FILE            xlsx, xlsm, xlsb, xls, ods, csv, tsv or txt (format read from the bytes)
  --sheet NAME    analyse this sheet only, instead of choosing the register / order list
  --leave-out NAME  do not read sheet NAME together with the others of its layout (repeatable)
  --mapping FILE  JSON of column corrections, e.g. {\"客户简称\": \"customer_name\", \"C\": \"amount\", \"备注\": \"ignore\"}
  --as-of DATE    the date recency is measured against (default: the day after the last order)
  --calibration-end DATE   CLV: end of the calibration period (default: the last order)
  --time-unit days|weeks   CLV: the model's time unit (default weeks)
  --horizon-months N       CLV: months ahead (default 12)
  --discount-rate R        CLV: monthly discount rate (default 0.01)
  --config FILE   JSON of analysis settings, e.g. {\"rfm\": {\"threshold\": \"median\"},
                  \"abc\": {\"amount_a\": 70}, \"lifecycle\": {\"lost_days\": 365}} (docs/analyses.md);
                  the flags above override the same settings in it
  --json          print the full report as JSON (see docs/report.md)
  --export FILE.xlsx   also write the results workbook (customers with every label, a sheet
                       per analysis with native Excel charts)
  --csv FILE.csv       also write the customer table as CSV (UTF-8 with BOM, formula-safe)
  --lang zh|en         language of the summary and of the exported headers and labels (default zh)

  kexi template register|personal|orders -o FILE.xlsx
                  a blank customer register or order list with drop-down lists
  kexi sample [--rows N] [--seed S] -o FILE.xlsx
                  a made-up register and order list (default 20000 order lines, seed 1)
";

struct Args {
    file: String,
    json: bool,
    options: Options,
    export: Option<String>,
    csv: Option<String>,
    lang: Lang,
}

enum Command {
    Analyze(Box<Args>),
    Template { kind: String, out: String },
    Sample { rows: u32, seed: u64, out: String },
}

enum Failure {
    Usage(String),
    Input(String),
}

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            print_err(&format!("kexi: {msg}\n\n{USAGE}\n"));
            ExitCode::from(2)
        }
        Err(Failure::Input(msg)) => {
            print_err(&format!("kexi: {msg}\n"));
            ExitCode::from(1)
        }
    }
}

/// Prints an error message to standard error. One that cannot be written (its reader has gone)
/// has nowhere else to go: the exit code still says what went wrong (`eprintln!` would panic).
fn print_err(text: &str) {
    let _ = write_flushed(std::io::stderr().lock(), text);
}

fn write_flushed(mut w: impl std::io::Write, text: &str) -> std::io::Result<()> {
    w.write_all(text.as_bytes())?;
    w.flush()
}

fn run(argv: Vec<String>) -> Result<(), Failure> {
    let args = match parse(argv)? {
        Command::Analyze(args) => args,
        Command::Template { kind, out } => {
            let bytes = match kind.as_str() {
                "register" => kexi::template::register(),
                "personal" => kexi::template::personal(),
                "orders" => kexi::template::orders(),
                other => {
                    return Err(Failure::Usage(format!(
                        "template '{other}': register, personal or orders"
                    )))
                }
            };
            return write(&out, &bytes.map_err(|e| Failure::Input(e.to_string()))?);
        }
        Command::Sample { rows, seed, out } => {
            let bytes =
                kexi::sample::orders(rows, seed).map_err(|e| Failure::Input(e.to_string()))?;
            return write(&out, &bytes);
        }
    };
    let bytes = std::fs::read(&args.file)
        .map_err(|e| Failure::Input(format!("无法读取文件 / cannot read {}: {e}", args.file)))?;
    let report = analyze(&bytes, &args.options).map_err(|e| Failure::Input(e.to_string()))?;
    if args.json {
        let mut json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::Input(format!("JSON: {e}")))?;
        json.push('\n');
        print_out(&json)?;
    } else {
        print_out(&kexi::summary(&args.file, &report, args.lang))?;
    }
    if let Some(path) = &args.export {
        let bytes =
            kexi::workbook(&report, args.lang).map_err(|e| Failure::Input(e.to_string()))?;
        write(path, &bytes)?;
    }
    if let Some(path) = &args.csv {
        let text =
            kexi::customers_csv(&report, args.lang).map_err(|e| Failure::Input(e.to_string()))?;
        write(path, text.as_bytes())?;
    }
    Ok(())
}

/// Prints `text` to standard output. A reader that has gone (`kexi analyze … | head`) is not a
/// failure: the rest of the output is not wanted, and the files asked for are still written.
fn print_out(text: &str) -> Result<(), Failure> {
    match write_flushed(std::io::stdout().lock(), text) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Input(format!(
            "无法输出 / cannot write the output: {e}"
        ))),
        _ => Ok(()),
    }
}

fn write(path: &str, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::Input(format!("无法写入 / cannot write {path}: {e}")))
}

/// `template KIND -o FILE` and `sample [--rows N] [--seed S] -o FILE`.
fn parse_writer(command: &str, mut it: impl Iterator<Item = String>) -> Result<Command, Failure> {
    let (mut out, mut kind, mut rows, mut seed) = (None, None, 20_000u32, 1u64);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "-o" | "--output" => out = Some(value("-o")?),
            "--rows" if command == "sample" => {
                rows = value("--rows")?
                    .parse()
                    .map_err(|_| Failure::Usage("--rows needs a whole number".into()))?
            }
            "--seed" if command == "sample" => {
                seed = value("--seed")?
                    .parse()
                    .map_err(|_| Failure::Usage("--seed needs a whole number".into()))?
            }
            s if s.starts_with('-') => return Err(Failure::Usage(format!("unknown option '{s}'"))),
            s if command == "template" && kind.is_none() => kind = Some(s.to_string()),
            s => return Err(Failure::Usage(format!("unexpected '{s}'"))),
        }
    }
    let out = out.ok_or_else(|| Failure::Usage("-o FILE is missing".into()))?;
    Ok(if command == "template" {
        Command::Template {
            kind: kind.ok_or_else(|| Failure::Usage("template: register or orders?".into()))?,
            out,
        }
    } else {
        Command::Sample { rows, seed, out }
    })
}

fn parse(argv: Vec<String>) -> Result<Command, Failure> {
    let mut it = argv.into_iter();
    match it.next().as_deref() {
        Some("analyze") => {}
        Some(c @ ("template" | "sample")) => return parse_writer(c, it),
        Some("-h" | "--help" | "help") | None => {
            print_out(USAGE)?;
            std::process::exit(0);
        }
        Some(other) => return Err(Failure::Usage(format!("unknown command '{other}'"))),
    }
    let mut file = None;
    let mut json = false;
    let mut config = None;
    let (mut export, mut csv, mut lang) = (None, None, Lang::Zh);
    let (mut sheet, mut as_of, mut mapping) = (None, None, None);
    let mut leave_out = Vec::new();
    let mut clv_flags: Vec<(&'static str, String)> = Vec::new();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match arg.as_str() {
            "--json" => json = true,
            "--export" => export = Some(value("--export")?),
            "--csv" => csv = Some(value("--csv")?),
            "--lang" => {
                lang = match value("--lang")?.as_str() {
                    "zh" => Lang::Zh,
                    "en" => Lang::En,
                    other => return Err(Failure::Usage(format!("--lang '{other}': zh or en"))),
                }
            }
            "--sheet" => sheet = Some(value("--sheet")?),
            "--leave-out" => leave_out.push(value("--leave-out")?),
            "--config" => config = Some(value("--config")?),
            "--calibration-end" => clv_flags.push(("calibration_end", value("--calibration-end")?)),
            "--time-unit" => clv_flags.push(("time_unit", value("--time-unit")?)),
            "--horizon-months" => clv_flags.push(("horizon_months", value("--horizon-months")?)),
            "--discount-rate" => clv_flags.push(("discount_rate", value("--discount-rate")?)),
            "--as-of" => {
                let v = value("--as-of")?;
                let d = kexi::parse_iso_date(&v).ok_or_else(|| {
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
    options.leave_out.extend(leave_out);
    if as_of.is_some() {
        options.as_of = as_of;
    }
    if options.today.is_none() {
        options.today = today();
    }
    if let Some(m) = mapping {
        options.mapping = m;
    }
    for (key, v) in clv_flags {
        let bad =
            |what: &str| Failure::Usage(format!("--{} '{v}' is not {what}", key.replace('_', "-")));
        match key {
            "calibration_end" => {
                options.clv.calibration_end =
                    Some(kexi::parse_iso_date(&v).ok_or_else(|| bad("a YYYY-MM-DD date"))?)
            }
            "time_unit" => {
                options.clv.time_unit = match v.as_str() {
                    "days" => kexi::TimeUnit::Days,
                    "weeks" => kexi::TimeUnit::Weeks,
                    _ => return Err(bad("days or weeks")),
                }
            }
            "horizon_months" => {
                options.clv.horizon_months = v.parse().map_err(|_| bad("a whole number"))?
            }
            _ => options.clv.discount_rate = v.parse().map_err(|_| bad("a number"))?,
        }
    }
    let options = options
        .checked()
        .map_err(|e| Failure::Usage(e.to_string()))?;
    Ok(Command::Analyze(Box::new(Args {
        file,
        json,
        options,
        export,
        csv,
        lang,
    })))
}

/// Today as the latest calendar date anywhere (UTC+14), so that an order dated today in any time
/// zone is never taken for one in the future.
fn today() -> Option<chrono::NaiveDate> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let ahead = i64::try_from(now.as_secs()).ok()?.checked_add(14 * 3600)?;
    Some(chrono::DateTime::from_timestamp(ahead, 0)?.date_naive())
}
