//! Blank templates a team can start from: a customer register (客户登记表), a register of personal
//! customers (个人客户登记表) and an order list (订单明细) as xlsx, with headers kexi's own mapping recognises, drop-down lists for the
//! categorical columns, date and money formats, phone and id columns formatted as text (so Excel
//! keeps 13800138000 as typed), and an instructions sheet (说明) that kexi lists but does not
//! analyse.

use crate::write::sample::{INDUSTRIES, OWNERSHIP, SIZES};
use crate::Error;
use rust_xlsxwriter::{
    DataValidation, DocProperties, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};

/// The last row (zero-based) that gets the drop-down lists: sheet rows 2 to 10000.
const LAST_ROW: u32 = 9_999;

const REGIONS: [&str; 7] = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"];
const GENDERS: [&str; 2] = ["男", "女"];
const EDUCATION: [&str; 6] = ["初中及以下", "高中/中专", "大专", "本科", "硕士", "博士"];
const MARITAL: [&str; 4] = ["未婚", "已婚", "离异", "丧偶"];
pub const LEAD_STATUS: [&str; 5] = ["确定购买", "有兴趣", "热衷", "观望", "停止"];
pub const TIMING: [&str; 3] = ["A", "B", "C"];

/// How a template column is typed and what it explains.
#[derive(Clone, Copy)]
enum Col {
    Text,
    /// Kept as text: ids, phone numbers.
    Id,
    Date,
    Money,
    Number,
    List(&'static [&'static str]),
}

/// Header, type, explanation in Chinese, explanation in English.
type Spec = (&'static str, Col, &'static str, &'static str);

const REGISTER: [Spec; 22] = [
    (
        "客户编号",
        Col::Id,
        "唯一编号，如 KH00001",
        "Unique id, e.g. KH00001",
    ),
    ("客户名称", Col::Text, "公司或个人全称", "Company or person"),
    ("联系人", Col::Text, "", "Contact person"),
    (
        "电话",
        Col::Id,
        "按文本保存，不会变成科学计数法",
        "Kept as text",
    ),
    ("邮箱", Col::Text, "", "Email"),
    (
        "所属区域",
        Col::List(&REGIONS),
        "下拉选择",
        "Pick from the list",
    ),
    ("省份", Col::Text, "", "Province"),
    ("城市", Col::Text, "", "City"),
    ("地址", Col::Text, "", "Address"),
    (
        "行业",
        Col::List(&INDUSTRIES),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "企业规模",
        Col::List(&SIZES),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "企业性质",
        Col::List(&OWNERSHIP),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "客户来源",
        Col::Text,
        "如 展会、官网、老客户介绍",
        "Lead source",
    ),
    (
        "销售员",
        Col::Text,
        "负责的销售人员",
        "Salesperson in charge",
    ),
    ("首次购买日期", Col::Date, "日期，如 2024-03-05", "A date"),
    ("信用额度", Col::Money, "元", "Credit limit (CNY)"),
    ("账期天数", Col::Number, "天", "Payment terms in days"),
    (
        "应收账款",
        Col::Money,
        "当前欠款，元",
        "Amount owed now (CNY)",
    ),
    ("满意度", Col::Number, "1–5 分", "Satisfaction 1–5"),
    (
        "推荐意愿",
        Col::Number,
        "0–10 分，用于 NPS",
        "Likelihood to recommend 0–10 (NPS)",
    ),
    (
        "线索状态",
        Col::List(&LEAD_STATUS),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "购买时机",
        Col::List(&TIMING),
        "A 一个月内，B 2–3 个月，C 以后",
        "A within a month, B 2–3 months, C later",
    ),
];

const PERSONAL: [Spec; 19] = [
    (
        "客户编号",
        Col::Id,
        "唯一编号，如 GR00001",
        "Unique id, e.g. GR00001",
    ),
    ("姓名", Col::Text, "", "Name"),
    (
        "性别",
        Col::List(&GENDERS),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "出生日期",
        Col::Date,
        "日期，如 1988-06-15；用于年龄段",
        "A date; gives the age band",
    ),
    (
        "手机",
        Col::Id,
        "按文本保存，不会变成科学计数法",
        "Kept as text",
    ),
    ("邮箱", Col::Text, "", "Email"),
    ("省份", Col::Text, "", "Province"),
    ("城市", Col::Text, "", "City"),
    ("职业", Col::Text, "如 教师、工程师、个体经营", "Occupation"),
    (
        "学历",
        Col::List(&EDUCATION),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "月收入",
        Col::Money,
        "元；也可填区间，如 5000-8000",
        "Monthly income (CNY), or a bracket such as 5000-8000",
    ),
    (
        "婚姻状况",
        Col::List(&MARITAL),
        "下拉选择",
        "Pick from the list",
    ),
    (
        "客户来源",
        Col::Text,
        "如 门店、小程序、老客户介绍",
        "Lead source",
    ),
    (
        "销售员",
        Col::Text,
        "负责的销售人员",
        "Salesperson in charge",
    ),
    ("首次购买日期", Col::Date, "日期，如 2024-03-05", "A date"),
    ("累计消费金额", Col::Money, "元", "Total spent (CNY)"),
    ("购买次数", Col::Number, "次", "Number of purchases"),
    ("满意度", Col::Number, "1–5 分", "Satisfaction 1–5"),
    (
        "推荐意愿",
        Col::Number,
        "0–10 分，用于 NPS",
        "Likelihood to recommend 0–10 (NPS)",
    ),
];

const ORDERS: [Spec; 11] = [
    ("订单编号", Col::Id, "每张订单一个编号", "One id per order"),
    ("订单日期", Col::Date, "日期，如 2024-03-05", "A date"),
    (
        "客户编号",
        Col::Id,
        "与客户登记表一致",
        "As in the register",
    ),
    ("客户名称", Col::Text, "", "Customer name"),
    ("产品", Col::Text, "", "Product"),
    ("类别", Col::Text, "产品类别", "Product category"),
    ("数量", Col::Number, "", "Quantity"),
    ("单价", Col::Money, "元", "Unit price (CNY)"),
    ("销售额", Col::Money, "元", "Amount (CNY)"),
    ("成本", Col::Money, "元", "Cost (CNY)"),
    ("退货金额", Col::Money, "元", "Returns (CNY)"),
];

/// The customer register template.
pub fn register() -> Result<Vec<u8>, Error> {
    build("客户登记表", &REGISTER).map_err(Error::write)
}

/// The personal customers' register template.
pub fn personal() -> Result<Vec<u8>, Error> {
    build("个人客户登记表", &PERSONAL).map_err(Error::write)
}

/// The order list template.
pub fn orders() -> Result<Vec<u8>, Error> {
    build("订单明细", &ORDERS).map_err(Error::write)
}

fn build(name: &str, cols: &[Spec]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1)?)
            .set_title(name)
            .set_author("kexi"),
    );
    let header = Format::new()
        .set_bold()
        .set_background_color("DDEBF7")
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let money = Format::new().set_num_format("#,##0.00");
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    for (c, (h, kind, _, _)) in cols.iter().enumerate() {
        let c = c as u16;
        ws.write_string_with_format(0, c, *h, &header)?;
        ws.set_column_width(c, (h.chars().count() as f64 * 2.2 + 2.0).max(10.0))?;
        match kind {
            Col::Id => {
                ws.set_column_format(c, &text)?;
            }
            Col::Date => {
                ws.set_column_format(c, &date)?;
            }
            Col::Money => {
                ws.set_column_format(c, &money)?;
            }
            Col::List(values) => {
                let v = DataValidation::new().allow_list_strings(values)?;
                ws.add_data_validation(1, c, LAST_ROW, c, &v)?;
            }
            Col::Text | Col::Number => {}
        }
    }
    ws.set_freeze_panes(1, 0)?;
    instructions(wb.add_worksheet(), cols, &header)?;
    wb.save_to_buffer()
}

fn instructions(ws: &mut Worksheet, cols: &[Spec], header: &Format) -> Result<(), XlsxError> {
    ws.set_name("说明")?;
    let intro = "每行一条记录，表头请勿修改；可以删除不需要的列，也可以增加列（会作为附加维度参与筛选）。\
                 One record per row; keep the headers. Delete columns you do not need; added columns \
                 become extra dimensions.";
    ws.write_string(0, 0, intro)?;
    for (c, h) in ["列 Column", "说明", "Explanation"].iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, header)?;
    }
    for (i, (h, kind, zh, en)) in cols.iter().enumerate() {
        let r = i as u32 + 3;
        let list = match kind {
            Col::List(v) => format!("（{}）", v.join("、")),
            _ => String::new(),
        };
        ws.write_string(r, 0, *h)?;
        ws.write_string(r, 1, format!("{zh}{list}"))?;
        ws.write_string(r, 2, *en)?;
    }
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 48)?;
    ws.set_column_width(2, 48)?;
    Ok(())
}
