//! The sample workbook behind "try the sample": a customer register and an order list of made-up
//! companies, generated here so the page works with nothing of the user's and every analysis has
//! something to show (big accounts and small ones, customers who stopped a year ago, new ones,
//! leads that never bought, seasonality, products bought together, NPS, satisfaction and credit
//! columns). Deterministic: the same rows and seed give the same bytes.

use crate::rng::SplitMix64;
use crate::write::plain::{Book, Layout, Sheet, Style};
use crate::Error;

/// Industries, company sizes and ownership as the templates' drop-down lists offer them.
pub const INDUSTRIES: [&str; 10] = [
    "制造业",
    "批发零售",
    "信息技术",
    "建筑工程",
    "医疗健康",
    "教育培训",
    "金融服务",
    "餐饮酒店",
    "物流运输",
    "其他",
];
pub const SIZES: [&str; 4] = ["大型", "中型", "小型", "微型"];
pub const OWNERSHIP: [&str; 5] = ["国有", "民营", "外资", "合资", "个体"];

/// The last order date of the sample.
const END: (i32, u32, u32) = (2026, 10, 31);
/// Days of history before `END` (about three years).
const SPAN_DAYS: i32 = 3 * 365;

const REGIONS: [(&str, &str, &str); 14] = [
    ("华东", "上海", "上海"),
    ("华东", "江苏", "南京"),
    ("华东", "浙江", "杭州"),
    ("华东", "山东", "青岛"),
    ("华南", "广东", "广州"),
    ("华南", "广东", "深圳"),
    ("华南", "福建", "厦门"),
    ("华北", "北京", "北京"),
    ("华北", "天津", "天津"),
    ("华中", "湖北", "武汉"),
    ("华中", "湖南", "长沙"),
    ("西南", "四川", "成都"),
    ("西北", "陕西", "西安"),
    ("东北", "辽宁", "沈阳"),
];
const SOURCES: [&str; 6] = ["老客户介绍", "展会", "官网", "电话营销", "渠道代理", "广告"];
const SALES: [&str; 8] = [
    "张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏",
];
const NAME_A: [&str; 16] = [
    "华信",
    "东方",
    "恒达",
    "金桥",
    "瑞丰",
    "宏远",
    "新世纪",
    "天成",
    "博雅",
    "同创",
    "鑫源",
    "盛世",
    "长风",
    "启明",
    "万象",
    "永安",
];
const NAME_B: [&str; 8] = [
    "科技", "贸易", "实业", "电子", "建材", "医药", "物流", "食品",
];
const NAME_C: [&str; 4] = ["有限公司", "股份有限公司", "集团", "商行"];
/// Product, category, unit price.
const PRODUCTS: [(&str, &str, f64); 12] = [
    ("标准版软件", "软件", 4800.0),
    ("专业版软件", "软件", 12800.0),
    ("年度维保", "服务", 3600.0),
    ("实施服务", "服务", 9800.0),
    ("培训课程", "服务", 2400.0),
    ("服务器", "硬件", 26000.0),
    ("存储设备", "硬件", 18000.0),
    ("网络交换机", "硬件", 6500.0),
    ("办公电脑", "硬件", 5200.0),
    ("显示器", "硬件", 1300.0),
    ("打印耗材", "耗材", 380.0),
    ("办公纸品", "耗材", 120.0),
];
/// Products bought together: each customer leans to one bundle.
const BUNDLES: [&[usize]; 5] = [
    &[0, 2, 4],
    &[1, 3, 2],
    &[5, 6, 7],
    &[8, 9, 10],
    &[10, 11, 9],
];

/// How a made-up customer behaves.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Big,
    Regular,
    Small,
    /// Stopped buying 9 to 20 months before the end.
    Lapsed,
    /// First order in the last four months.
    New,
    /// In the register, never bought.
    Lead,
}

struct Customer {
    id: String,
    name: String,
    kind: Kind,
    region: usize,
    industry: usize,
    size: usize,
    ownership: usize,
    source: usize,
    sales: usize,
    bundle: usize,
    /// Relative number of order lines.
    weight: f64,
    /// Active window, in days before `END` (`from` > `to`).
    from: i32,
    to: i32,
}

/// A sample workbook of about `rows` order lines (at least 200, at most 1,000,000) with about
/// `rows / 10` customers, from `seed`.
pub fn orders(rows: u32, seed: u64) -> Result<Vec<u8>, Error> {
    let rows = rows.clamp(200, 1_000_000);
    let mut rng = Rng(SplitMix64::new(seed ^ 0x6b65_7869_5f73_616d));
    let customers = make_customers(rows / 10, &mut rng);

    let mut book = Book::new();
    let widths = [(1, 26.0)];
    let reg = book.sheet(
        "客户名单",
        &Layout {
            frozen_rows: 1,
            widths: &widths,
        },
    )?;
    write_register(reg, &customers, &mut rng)?;
    let widths = [(1, 12.0), (3, 26.0)];
    let ord = book.sheet(
        "订单明细",
        &Layout {
            frozen_rows: 1,
            widths: &widths,
        },
    )?;
    write_orders(ord, &customers, rows, &mut rng)?;
    book.finish()
}

fn make_customers(n: u32, rng: &mut Rng) -> Vec<Customer> {
    let n = n.max(20) as usize;
    (0..n)
        .map(|i| {
            let kind = match rng.below(100) {
                0..=4 => Kind::Big,
                5..=39 => Kind::Regular,
                40..=71 => Kind::Small,
                72..=85 => Kind::Lapsed,
                86..=93 => Kind::New,
                _ => Kind::Lead,
            };
            let (weight, from, to) = match kind {
                Kind::Big => (12.0 + rng.unit() * 10.0, SPAN_DAYS, 0),
                Kind::Regular => (3.0 + rng.unit() * 4.0, rng.between(400, SPAN_DAYS), 0),
                Kind::Small => (0.6 + rng.unit() * 1.2, rng.between(200, SPAN_DAYS), 0),
                Kind::Lapsed => {
                    let to = rng.between(270, 600);
                    (2.0 + rng.unit() * 4.0, rng.between(to + 120, SPAN_DAYS), to)
                }
                Kind::New => (0.8 + rng.unit() * 1.5, rng.between(20, 120), 0),
                Kind::Lead => (0.0, 0, 0),
            };
            let name = format!(
                "{}{}{}{}",
                pick(&NAME_A, rng),
                pick(&NAME_B, rng),
                pick(&NAME_C, rng),
                // Keeps names unique without looking generated in small samples.
                if i < NAME_A.len() * NAME_B.len() {
                    String::new()
                } else {
                    format!("（{}）", i / (NAME_A.len() * NAME_B.len()) + 1)
                }
            );
            let size = match kind {
                Kind::Big => rng.below(2) as usize,
                _ => 1 + rng.below(3) as usize,
            };
            Customer {
                id: format!("KH{:05}", i + 1),
                name,
                kind,
                region: rng.below(REGIONS.len() as u64) as usize,
                industry: rng.below(INDUSTRIES.len() as u64) as usize,
                size,
                ownership: rng.below(OWNERSHIP.len() as u64) as usize,
                source: rng.below(SOURCES.len() as u64) as usize,
                sales: rng.below(SALES.len() as u64) as usize,
                bundle: rng.below(BUNDLES.len() as u64) as usize,
                weight,
                from,
                to,
            }
        })
        .collect()
}

fn write_register(mut ws: Sheet, customers: &[Customer], rng: &mut Rng) -> Result<(), Error> {
    let header = [
        "客户编号",
        "客户名称",
        "所属区域",
        "省份",
        "城市",
        "行业",
        "企业规模",
        "企业性质",
        "客户来源",
        "销售员",
        "信用额度",
        "账期天数",
        "应收账款",
        "推荐意愿",
        "满意度",
        "线索状态",
        "购买时机",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.text(0, c as u16, h, Style::Bold)?;
    }
    for (i, cu) in customers.iter().enumerate() {
        let r = i as u32 + 1;
        let (region, province, city) = REGIONS[cu.region];
        ws.text(r, 0, &cu.id, Style::Plain)?;
        ws.text(r, 1, &cu.name, Style::Plain)?;
        ws.text(r, 2, region, Style::Plain)?;
        ws.text(r, 3, province, Style::Plain)?;
        ws.text(r, 4, city, Style::Plain)?;
        ws.text(r, 5, INDUSTRIES[cu.industry], Style::Plain)?;
        ws.text(r, 6, SIZES[cu.size], Style::Plain)?;
        ws.text(r, 7, OWNERSHIP[cu.ownership], Style::Plain)?;
        ws.text(r, 8, SOURCES[cu.source], Style::Plain)?;
        ws.text(r, 9, SALES[cu.sales], Style::Plain)?;
        let limit = match cu.kind {
            Kind::Big => 500_000.0,
            Kind::Regular | Kind::Lapsed => 200_000.0,
            _ => 50_000.0,
        };
        ws.number(r, 10, limit, Style::Money)?;
        let days = [30.0, 30.0, 45.0, 60.0, 90.0][rng.below(5) as usize];
        ws.number(r, 11, days, Style::Plain)?;
        if cu.kind != Kind::Lead {
            // Some customers owe a lot; a few big ones owe more than their limit allows.
            let owed = match rng.below(10) {
                0 => limit * (0.8 + rng.unit() * 0.6),
                1..=3 => limit * rng.unit() * 0.4,
                _ => 0.0,
            };
            ws.number(r, 12, (owed / 100.0).round() * 100.0, Style::Money)?;
        }
        // About two in three answered the survey; lapsed customers recommend less.
        if rng.below(3) > 0 {
            let base = match cu.kind {
                Kind::Lapsed => 4.0,
                Kind::Big => 8.0,
                _ => 7.0,
            };
            let nps = (base + rng.unit() * 4.0 - 1.5).round().clamp(0.0, 10.0);
            ws.number(r, 13, nps, Style::Plain)?;
            let sat = (nps / 2.0).round().clamp(1.0, 5.0);
            ws.number(r, 14, sat, Style::Plain)?;
        }
        let (status, timing) = match cu.kind {
            Kind::Lead => (
                ["有兴趣", "热衷", "观望", "停止"][rng.below(4) as usize],
                ["A", "B", "C"][rng.below(3) as usize],
            ),
            Kind::Lapsed => ("停止", ""),
            _ => ("确定购买", ""),
        };
        ws.text(r, 15, status, Style::Plain)?;
        if !timing.is_empty() {
            ws.text(r, 16, timing, Style::Plain)?;
        }
    }
    ws.close()
}

fn write_orders(
    mut ws: Sheet,
    customers: &[Customer],
    rows: u32,
    rng: &mut Rng,
) -> Result<(), Error> {
    let header = [
        "订单编号",
        "订单日期",
        "客户编号",
        "客户名称",
        "产品",
        "类别",
        "数量",
        "单价",
        "销售额",
        "成本",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.text(0, c as u16, h, Style::Bold)?;
    }
    // Order lines per customer in proportion to its weight (cumulative table + binary search).
    let mut cumulative = Vec::with_capacity(customers.len());
    let mut total = 0.0;
    for c in customers {
        total += c.weight;
        cumulative.push(total);
    }
    let end_serial = excel_serial(END.0, END.1, END.2);
    let mut lines: Vec<(i32, usize, usize, f64)> = Vec::with_capacity(rows as usize);
    for _ in 0..rows {
        let x = rng.unit() * total;
        let ci = cumulative
            .partition_point(|&c| c <= x)
            .min(customers.len() - 1);
        let cu = &customers[ci];
        // A day in the active window; Q4 is busier (accept-reject on the month).
        let day = loop {
            let back = rng.between(cu.to, cu.from.max(cu.to + 1));
            let month = month_of(end_serial - back);
            let keep = if month >= 10 { 1.0 } else { 0.7 };
            if rng.unit() < keep {
                break end_serial - back;
            }
        };
        let bundle = BUNDLES[cu.bundle];
        let product = if rng.below(10) < 8 {
            bundle[rng.below(bundle.len() as u64) as usize]
        } else {
            rng.below(PRODUCTS.len() as u64) as usize
        };
        let qty = match cu.kind {
            Kind::Big => 2.0 + rng.below(20) as f64,
            _ => 1.0 + rng.below(6) as f64,
        };
        lines.push((day, ci, product, qty));
    }
    crate::sort::by(&mut lines, |a, b| a.0.cmp(&b.0));
    for (i, (day, ci, product, qty)) in lines.into_iter().enumerate() {
        let r = i as u32 + 1;
        let cu = &customers[ci];
        let (name, category, price) = PRODUCTS[product];
        let discount = 1.0 - rng.below(4) as f64 * 0.05;
        let unit = (price * discount * 100.0).round() / 100.0;
        let amount = (unit * qty * 100.0).round() / 100.0;
        let cost = (amount * (0.55 + rng.unit() * 0.25) * 100.0).round() / 100.0;
        ws.text(r, 0, &format!("SO{:07}", r), Style::Plain)?;
        ws.number(r, 1, day as f64, Style::Date)?;
        ws.text(r, 2, &cu.id, Style::Plain)?;
        ws.text(r, 3, &cu.name, Style::Plain)?;
        ws.text(r, 4, name, Style::Plain)?;
        ws.text(r, 5, category, Style::Plain)?;
        ws.number(r, 6, qty, Style::Plain)?;
        ws.number(r, 7, unit, Style::Money)?;
        ws.number(r, 8, amount, Style::Money)?;
        ws.number(r, 9, cost, Style::Money)?;
    }
    ws.close()
}

/// Excel's serial day number (1900 system) of a date after 1900-03-01.
fn excel_serial(y: i32, m: u32, d: u32) -> i32 {
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (date - base).num_days() as i32
}

fn month_of(serial: i32) -> u32 {
    use chrono::Datelike;
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
    (base + chrono::Duration::days(serial.into())).month()
}

fn pick<'a>(list: &[&'a str], rng: &mut Rng) -> &'a str {
    list.get(rng.below(list.len() as u64) as usize)
        .copied()
        .unwrap_or("")
}

/// The sample's draws, on the crate's generator.
struct Rng(SplitMix64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0.unit()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0.below(n)
    }

    /// Uniform in lo..hi (or lo when the range is empty).
    fn between(&mut self, lo: i32, hi: i32) -> i32 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64) as i32
    }
}
