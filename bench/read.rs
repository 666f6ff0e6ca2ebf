//! Reading benchmark: generates an order workbook (default 1,000,000 rows × 11 columns, Chinese
//! headers, dates as date cells, shared strings) once under target/bench-data, then reads it in fresh child
//! processes so that each run's peak RSS is its own. Prints the median time, rows/s and peak RSS
//! of (a) `read`: every cell into the grid, (b) `report`: the whole report (read, header,
//! mapping, normalization, quality, customers, every analysis), and (c) `analyses`: the
//! per-customer facts and every analysis alone, after the table is read, and (d) `clv`: the
//! BG/NBD and Gamma-Gamma fit and the scoring of every customer alone, and (e) `filter`: the
//! slowest of five typical customer-filter queries (the seconds column; rows/s is meaningless).
//!
//! `cargo bench --bench read [-- --rows N --runs K --only read,report,analyses,clv,filter]`;
//! `cargo bench --bench read -- --phases FILE` times each step of one report on FILE instead.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if let Some(path) = flag("--generate") {
        let rows: u32 = flag("--rows")
            .and_then(|r| r.parse().ok())
            .unwrap_or(1_000_000);
        generate(Path::new(&path), rows);
        return;
    }
    if let Some(path) = flag("--phases") {
        phases(Path::new(&path));
        return;
    }
    if let Some(path) = flag("--measure") {
        measure(
            Path::new(&path),
            flag("--what").as_deref().unwrap_or("read"),
        );
        return;
    }
    let rows: u32 = flag("--rows")
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = flag("--runs").and_then(|r| r.parse().ok()).unwrap_or(5);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    let path = dir.join(format!("orders-{rows}.xlsx"));
    let exe = std::env::current_exe().expect("current exe");
    if !path.exists() {
        eprintln!("generating {} …", path.display());
        let tmp: PathBuf = path.with_extension("tmp");
        let ok = Command::new(&exe)
            .args([
                "--generate",
                &tmp.to_string_lossy(),
                "--rows",
                &rows.to_string(),
            ])
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "generation failed");
        std::fs::rename(&tmp, &path).expect("rename");
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "file: {} ({:.1} MB), {rows} rows × 11 columns, {runs} runs each",
        path.display(),
        size as f64 / 1e6
    );
    println!("machine: {} cores, {}", num_cpus(), cpu_model());
    let only = flag("--only").unwrap_or_else(|| "read,report,analyses,clv,filter".into());
    for what in only.split(',') {
        let mut times = Vec::new();
        let mut peaks = Vec::new();
        for _ in 0..runs {
            let out = Command::new(&exe)
                .args(["--measure", &path.to_string_lossy(), "--what", what])
                .output()
                .expect("run child");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let mut parts = text.split_whitespace();
            let secs: f64 = parts
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            let peak_kb: f64 = parts
                .next()
                .and_then(|s| s.parse().ok())
                .unwrap_or(f64::NAN);
            times.push(secs);
            peaks.push(peak_kb / 1024.0);
        }
        times.sort_by(f64::total_cmp);
        peaks.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        println!(
            "{what:>6}: median {median:.3} s (min {:.3}, max {:.3}), {:.0} rows/s, peak RSS median {:.0} MB",
            times[0],
            times[times.len() - 1],
            rows as f64 / median,
            peaks[peaks.len() / 2]
        );
    }
}

/// One measured run in this process: prints seconds and peak RSS in KiB.
fn measure(path: &Path, what: &str) {
    let bytes = std::fs::read(path).expect("read file");
    let started = Instant::now();
    match what {
        "read" => {
            let book = kexi::Book::open(&bytes, &kexi::Limits::default()).expect("open");
            std::hint::black_box(&book);
        }
        "filter" => {
            // The slowest of five typical queries over the report's customers (median of 21 runs
            // each); building the index is not counted (it happens once per analysis).
            let report = kexi::analyze(&bytes, &kexi::Options::default()).expect("analyze");
            let index = kexi::internals::filter::Index::new(&report);
            let queries = [
                serde_json::json!({"rfm_segment": ["important_value", "important_keep"]}),
                serde_json::json!({"region": ["华东", "华北"], "amount": {"min": 5000}}),
                serde_json::json!({"last_order_date": {"from": "2024-01-01"}, "value_tier": ["vip", "important"]}),
                serde_json::json!({"text": "贸易"}),
                serde_json::json!({"industry": ["制造业"], "lifecycle": ["active", "new"], "orders": {"min": 2}, "text": "c0001"}),
            ];
            let mut worst = 0.0f64;
            for q in &queries {
                let mut t: Vec<f64> = (0..21)
                    .map(|_| {
                        let s = Instant::now();
                        std::hint::black_box(index.filter(q).expect("query"));
                        s.elapsed().as_secs_f64()
                    })
                    .collect();
                t.sort_by(f64::total_cmp);
                worst = worst.max(t[10]);
            }
            println!(
                "{worst} {} customers={}",
                peak_rss_kb(),
                report.customers.len()
            );
            return;
        }
        "clv" => {
            let options = kexi::Options::default();
            let book = kexi::Book::open(&bytes, &options.limits).expect("open");
            let ds =
                kexi::internals::dataset::choose(&book, None, &options.mapping).expect("dataset");
            let customers = kexi::internals::customers::resolve(&ds);
            let facts = kexi::internals::facts::build(&ds, &customers, None);
            let started = Instant::now();
            let clv = kexi::internals::clv::clv(&facts, &options.clv).expect("clv");
            std::hint::black_box(&clv);
            println!("{} {}", started.elapsed().as_secs_f64(), peak_rss_kb());
            return;
        }
        "analyses" => {
            let options = kexi::Options::default();
            let book = kexi::Book::open(&bytes, &options.limits).expect("open");
            let ds =
                kexi::internals::dataset::choose(&book, None, &options.mapping).expect("dataset");
            let customers = kexi::internals::customers::resolve(&ds);
            let started = Instant::now();
            let facts = kexi::internals::facts::build(&ds, &customers, None);
            let results = kexi::internals::analyses::run(&facts, &options, |i| {
                customers.list[i].id.as_deref().unwrap_or("")
            });
            assert!(results.analyses.rfm.is_some());
            std::hint::black_box(&results);
            println!(
                "{} {} customers={}",
                started.elapsed().as_secs_f64(),
                peak_rss_kb(),
                customers.list.len()
            );
            return;
        }
        _ => {
            let report = kexi::analyze(&bytes, &kexi::Options::default()).expect("analyze");
            assert!(report.summary.customers > 0);
            std::hint::black_box(&report);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{secs} {}", peak_rss_kb());
}

/// Where one report's time goes: each step of the flow timed alone, in this process.
fn phases(path: &Path) {
    let bytes = std::fs::read(path).expect("read file");
    let options = kexi::Options::default();
    let mut last = Instant::now();
    let mut lap = |name: &str| {
        let now = Instant::now();
        println!(
            "{name:>10}: {:.3} s, RSS {} MB",
            (now - last).as_secs_f64(),
            rss_kb("VmRSS:") / 1024
        );
        last = now;
    };
    let book = kexi::Book::open(&bytes, &options.limits).expect("open");
    lap("read");
    let ds = kexi::internals::dataset::choose(&book, None, &options.mapping).expect("dataset");
    lap("table");
    let customers = kexi::internals::customers::resolve(&ds);
    lap("customers");
    let facts = kexi::internals::facts::build(&ds, &customers, None);
    lap("facts");
    let clv = kexi::internals::clv::clv(&facts, &options.clv);
    std::hint::black_box(&clv);
    lap("clv");
    let results = kexi::internals::analyses::run(&facts, &options, |i| {
        customers
            .list
            .get(i)
            .and_then(|c| c.id.as_deref())
            .unwrap_or("")
    });
    std::hint::black_box(&results);
    // Every analysis, CLV again included: the other analyses are this minus "clv".
    lap("all");
    drop((results, facts, customers, ds, book));
    let report = kexi::analyze(&bytes, &options).expect("analyze");
    let started = Instant::now();
    let json = serde_json::to_vec(&report).expect("json");
    println!("{:>10}: {:.3} s", "json", started.elapsed().as_secs_f64());
    println!(
        "peak RSS {} MB, report JSON {} MB",
        peak_rss_kb() / 1024,
        json.len() / 1_000_000
    );
}

fn peak_rss_kb() -> u64 {
    rss_kb("VmHWM:")
}

/// A line of /proc/self/status in KiB: `VmHWM:` the peak RSS, `VmRSS:` the current one.
fn rss_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// A deterministic order list: ~100,000 customers with a skewed purchase count.
fn generate(path: &Path, rows: u32) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    const SURNAMES: &[&str] = &[
        "华", "东", "北", "南", "西", "中", "新", "盛", "恒", "泰", "鑫", "瑞", "宏", "博", "誉",
        "信",
    ];
    const WORDS: &[&str] = &[
        "达", "源", "通", "创", "远", "丰", "科", "联", "嘉", "德", "兴", "安", "立", "和", "汇",
        "鼎",
    ];
    const KINDS: &[&str] = &[
        "贸易有限公司",
        "科技有限公司",
        "机械厂",
        "电子有限公司",
        "物流有限公司",
        "商行",
    ];
    const REGIONS: &[&str] = &[
        "华东",
        "华北",
        "华南",
        "华中",
        "西南",
        "西北",
        "东北",
        "港澳台",
    ];
    const INDUSTRIES: &[&str] = &[
        "制造业",
        "零售",
        "批发",
        "信息技术",
        "建筑",
        "医药",
        "餐饮",
        "物流",
        "教育",
        "金融",
    ];
    const SALES: &[&str] = &[
        "张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴琳",
    ];
    let mut wb = Workbook::new();
    // Shared strings, as Excel writes them (inline strings would make the 1M-row sheet XML larger
    // than the longest string a JS engine holds, and SheetJS could not read it at all).
    let ws = wb.add_worksheet_with_low_memory().expect("worksheet");
    ws.set_name("订单明细").expect("name");
    let headers = [
        "订单编号",
        "客户编号",
        "客户名称",
        "所属区域",
        "行业",
        "订单日期",
        "产品",
        "数量",
        "单价",
        "销售额",
        "销售员",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for r in 1..=rows {
        let x = next();
        // Skewed: a few customers buy often, most rarely.
        let u = (x % 1_000_000) as f64 / 1_000_000.0;
        let cust = ((u * u) * 100_000.0) as u64;
        let name = format!(
            "{}{}{}{}",
            SURNAMES[(cust % 16) as usize],
            WORDS[(cust / 16 % 16) as usize],
            WORDS[(cust / 256 % 16) as usize],
            KINDS[(cust / 4096 % 6) as usize]
        );
        let name = format!("{name}{}", cust / 24_576);
        let day = (x >> 20) % 1096;
        let (y, m, d) = ymd(2022, day as u32);
        let qty = 1 + (x >> 32) % 20;
        let price = 10.0 + ((x >> 40) % 9_000) as f64 / 10.0;
        ws.write_string(r, 0, format!("SO{:09}", r)).expect("cell");
        ws.write_string(r, 1, format!("C{cust:06}")).expect("cell");
        ws.write_string(r, 2, &name).expect("cell");
        ws.write_string(r, 3, REGIONS[(cust % 8) as usize])
            .expect("cell");
        ws.write_string(r, 4, INDUSTRIES[(cust / 8 % 10) as usize])
            .expect("cell");
        let dt = ExcelDateTime::from_ymd(y, m, d).expect("date");
        ws.write_datetime_with_format(r, 5, &dt, &date)
            .expect("cell");
        ws.write_string(r, 6, format!("产品{:02}", (x >> 48) % 50))
            .expect("cell");
        ws.write_number(r, 7, qty as f64).expect("cell");
        ws.write_number(r, 8, price).expect("cell");
        ws.write_number(r, 9, (qty as f64 * price * 100.0).round() / 100.0)
            .expect("cell");
        ws.write_string(r, 10, SALES[(cust % 10) as usize])
            .expect("cell");
    }
    wb.save(path).expect("save");
}

fn ymd(year: i32, day: u32) -> (u16, u8, u8) {
    use chrono::Datelike;
    let start = chrono::NaiveDate::from_ymd_opt(year, 1, 1).expect("start date");
    let d = start + chrono::Duration::days(day as i64);
    (d.year() as u16, d.month() as u8, d.day() as u8)
}
