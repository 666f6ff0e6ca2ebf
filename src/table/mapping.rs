//! Column mapping: which column of a sheet holds which canonical field.
//!
//! Every analysis reads canonical [`Field`]s (customer name, amount, order date …), never raw
//! header text, so this module owns the one place where the many spellings real spreadsheets use
//! (客户名称, 客户全称, 公司名称, Customer Name, 销售额（万元）, 2024年销售额 …) are recognised. It
//! also owns the units written into headers (万元 means values are ×10000), years that split one
//! measure over several columns, the user's overrides, and the score used to find the header row.
//! It never guesses silently: a header that could be two fields, or a second column claiming a
//! field already taken, is reported as [`Status::Ambiguous`] and left out until the user decides.
//!
//! docs/mapping.md describes the fields, the confidence rules and the override format.

use crate::error::{Error, Result};
pub use crate::table::cell_ref::column_letter;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A canonical field an analysis can read. It serialises as its [`Field::key`] (written by hand:
/// the derived serialiser was 9 KB of wasm for a string lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    CustomerId,
    CustomerName,
    Contact,
    Phone,
    Email,
    Region,
    Province,
    City,
    Address,
    Industry,
    CompanySize,
    /// 企业性质: state-owned, private, foreign …
    Ownership,
    /// 来源: where the lead came from.
    Source,
    /// 渠道: where the sale happens.
    Channel,
    Salesperson,
    FirstOrderDate,
    OrderId,
    OrderDate,
    Product,
    Category,
    Quantity,
    UnitPrice,
    Amount,
    Cost,
    Profit,
    Returns,
    /// 应收/欠款: money the customer still owes.
    Receivable,
    PaymentDays,
    CreditLimit,
    Satisfaction,
    /// 0–10 likelihood to recommend.
    Nps,
    LeadStatus,
    /// When a lead expects to buy (预计购买时间), usually a bucket such as 一个月内.
    PurchaseTiming,
    Complaints,
    Praise,
    Suggestions,
    Gender,
    Age,
    BirthDate,
    Income,
    Occupation,
    Education,
    RegisteredDate,
    LastContactDate,
    /// A customer register's count of orders (购买次数).
    OrderCount,
    /// A customer register's most recent order date (最近购买日期).
    LastOrderDate,
}

impl Serialize for Field {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.key())
    }
}

/// How an analysis reads a field's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    /// An identifier: kept as text even when it looks like a number (phone numbers, order ids).
    Id,
    Number,
    Money,
    Date,
    /// A small set of repeated values to group by.
    Category,
    /// A rating on a scale (satisfaction, NPS).
    Score,
}

impl Field {
    pub const ALL: [Field; 46] = [
        Field::CustomerId,
        Field::CustomerName,
        Field::Contact,
        Field::Phone,
        Field::Email,
        Field::Region,
        Field::Province,
        Field::City,
        Field::Address,
        Field::Industry,
        Field::CompanySize,
        Field::Ownership,
        Field::Source,
        Field::Channel,
        Field::Salesperson,
        Field::FirstOrderDate,
        Field::OrderId,
        Field::OrderDate,
        Field::Product,
        Field::Category,
        Field::Quantity,
        Field::UnitPrice,
        Field::Amount,
        Field::Cost,
        Field::Profit,
        Field::Returns,
        Field::Receivable,
        Field::PaymentDays,
        Field::CreditLimit,
        Field::Satisfaction,
        Field::Nps,
        Field::LeadStatus,
        Field::PurchaseTiming,
        Field::Complaints,
        Field::Praise,
        Field::Suggestions,
        Field::Gender,
        Field::Age,
        Field::BirthDate,
        Field::Income,
        Field::Occupation,
        Field::Education,
        Field::RegisteredDate,
        Field::LastContactDate,
        Field::OrderCount,
        Field::LastOrderDate,
    ];

    /// The stable key used in JSON, overrides and reports (same as the serde name).
    pub fn key(&self) -> &'static str {
        self.info().0
    }

    pub fn label_zh(&self) -> &'static str {
        self.info().1
    }

    pub fn label_en(&self) -> &'static str {
        self.info().2
    }

    pub fn kind(&self) -> FieldKind {
        self.info().3
    }

    /// The field whose key is `key` (case-insensitive), or whose Chinese label is `key`.
    pub fn from_key(key: &str) -> Option<Field> {
        let key = key.trim();
        Field::ALL
            .into_iter()
            .find(|f| f.key().eq_ignore_ascii_case(key) || f.label_zh() == key)
    }

    fn info(&self) -> (&'static str, &'static str, &'static str, FieldKind) {
        use FieldKind::*;
        match self {
            Field::CustomerId => ("customer_id", "客户编号", "Customer ID", Id),
            Field::CustomerName => ("customer_name", "客户名称", "Customer name", Text),
            Field::Contact => ("contact", "联系人", "Contact person", Text),
            Field::Phone => ("phone", "电话", "Phone", Id),
            Field::Email => ("email", "邮箱", "Email", Id),
            Field::Region => ("region", "区域", "Region", Category),
            Field::Province => ("province", "省份", "Province", Category),
            Field::City => ("city", "城市", "City", Category),
            Field::Address => ("address", "地址", "Address", Text),
            Field::Industry => ("industry", "行业", "Industry", Category),
            Field::CompanySize => ("company_size", "企业规模", "Company size", Category),
            Field::Ownership => ("ownership", "企业性质", "Ownership type", Category),
            Field::Source => ("source", "客户来源", "Lead source", Category),
            Field::Channel => ("channel", "渠道", "Channel", Category),
            Field::Salesperson => ("salesperson", "销售员", "Salesperson", Category),
            Field::FirstOrderDate => ("first_order_date", "首次购买日期", "First order date", Date),
            Field::OrderId => ("order_id", "订单号", "Order ID", Id),
            Field::OrderDate => ("order_date", "订单日期", "Order date", Date),
            Field::Product => ("product", "产品", "Product", Category),
            Field::Category => ("category", "品类", "Category", Category),
            Field::Quantity => ("quantity", "数量", "Quantity", Number),
            Field::UnitPrice => ("unit_price", "单价", "Unit price", Money),
            Field::Amount => ("amount", "销售额", "Amount", Money),
            Field::Cost => ("cost", "成本", "Cost", Money),
            Field::Profit => ("profit", "利润", "Profit", Money),
            Field::Returns => ("returns", "退货金额", "Returns", Money),
            Field::Receivable => ("receivable", "应收/欠款", "Receivable", Money),
            Field::PaymentDays => ("payment_days", "账期", "Payment days", Number),
            Field::CreditLimit => ("credit_limit", "信用额度", "Credit limit", Money),
            Field::Satisfaction => ("satisfaction", "满意度", "Satisfaction", Score),
            Field::Nps => ("nps", "推荐意愿", "NPS (0–10)", Score),
            Field::LeadStatus => ("lead_status", "跟进状态", "Lead status", Category),
            Field::PurchaseTiming => (
                "purchase_timing",
                "预计购买时间",
                "Purchase timing",
                Category,
            ),
            Field::Complaints => ("complaints", "投诉", "Complaints", Text),
            Field::Praise => ("praise", "好评", "Praise", Text),
            Field::Suggestions => ("suggestions", "建议", "Suggestions", Text),
            Field::Gender => ("gender", "性别", "Gender", Category),
            Field::Age => ("age", "年龄", "Age", Number),
            Field::BirthDate => ("birth_date", "出生日期", "Birth date", Date),
            Field::Income => ("income", "收入水平", "Income", Money),
            Field::Occupation => ("occupation", "职业", "Occupation", Category),
            Field::Education => ("education", "学历", "Education", Category),
            Field::RegisteredDate => ("registered_date", "注册日期", "Registered date", Date),
            Field::LastContactDate => (
                "last_contact_date",
                "最近联系日期",
                "Last contact date",
                Date,
            ),
            Field::OrderCount => ("order_count", "购买次数", "Order count", Number),
            Field::LastOrderDate => ("last_order_date", "最近购买日期", "Last order date", Date),
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// The header spellings of one field. `specific` spellings match exactly (confidence 1.0) or
/// inside a longer header; `generic` ones (日期, 金额, name …) say too little on their own to be
/// trusted inside another header, so they match only the whole header, at [`GENERIC`].
struct Synonyms {
    field: Field,
    specific: &'static [&'static str],
    generic: &'static [&'static str],
}

const DICTIONARY: &[Synonyms] = &[
    Synonyms {
        field: Field::CustomerId,
        specific: &[
            "客户编号",
            "客户编码",
            "客户代码",
            "客户ID",
            "客户号",
            "客户代号",
            "会员编号",
            "会员号",
            "会员ID",
            "会员卡号",
            "用户ID",
            "用户编号",
            "客户识别码",
            "customer id",
            "customer no",
            "customer number",
            "customer code",
            "client id",
            "account id",
            "member id",
            "cust id",
            "cust no",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::CustomerName,
        specific: &[
            "客户名称",
            "客户名",
            "客户全称",
            "客户姓名",
            "客户名字",
            "公司名称",
            "公司名",
            "公司全称",
            "单位名称",
            "单位全称",
            "企业名称",
            "企业全称",
            "机构名称",
            "会员姓名",
            "会员名称",
            "用户名称",
            "用户姓名",
            "购买方",
            "购买单位",
            "购货单位",
            "采购单位",
            "买方",
            "经销商名称",
            "商户名称",
            "customer name",
            "client name",
            "company name",
            "account name",
            "buyer name",
        ],
        generic: &[
            "客户", "公司", "名称", "姓名", "单位", "户名", "name", "customer", "client",
            "company", "account", "buyer",
        ],
    },
    Synonyms {
        field: Field::Contact,
        specific: &[
            "联系人",
            "联系人姓名",
            "联系人名称",
            "客户联系人",
            "对接人",
            "采购联系人",
            "收货人",
            "收件人",
            "contact person",
            "contact name",
            "contact",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Phone,
        specific: &[
            "电话",
            "手机",
            "手机号",
            "手机号码",
            "联系电话",
            "联系方式",
            "电话号码",
            "移动电话",
            "座机",
            "固定电话",
            "联系人电话",
            "联系人手机",
            "客户电话",
            "客户手机",
            "办公电话",
            "联系手机",
            "phone",
            "telephone",
            "mobile",
            "phone number",
            "mobile phone",
            "contact number",
            "cell phone",
            "tel",
        ],
        generic: &["cell"],
    },
    Synonyms {
        field: Field::Email,
        specific: &[
            "邮箱",
            "电子邮箱",
            "电子邮件",
            "邮箱地址",
            "email",
            "e-mail",
            "email address",
        ],
        generic: &["邮件", "mail"],
    },
    Synonyms {
        field: Field::Region,
        specific: &[
            "区域",
            "所属区域",
            "销售区域",
            "大区",
            "地区",
            "片区",
            "所在地区",
            "区域名称",
            "销售大区",
            "所属大区",
            "所属地区",
            "战区",
            "region",
            "territory",
            "sales region",
        ],
        generic: &["area", "zone"],
    },
    Synonyms {
        field: Field::Province,
        specific: &[
            "省份",
            "所在省份",
            "所属省份",
            "省区",
            "省名",
            "省份名称",
            "province",
        ],
        generic: &["省", "state"],
    },
    Synonyms {
        field: Field::City,
        specific: &[
            "城市",
            "所在城市",
            "所属城市",
            "地市",
            "城市名称",
            "所在市",
            "city",
        ],
        generic: &["市"],
    },
    Synonyms {
        field: Field::Address,
        specific: &[
            "地址",
            "详细地址",
            "联系地址",
            "通讯地址",
            "收货地址",
            "公司地址",
            "办公地址",
            "注册地址",
            "家庭住址",
            "住址",
            "所在地",
            "address",
            "shipping address",
            "street address",
        ],
        generic: &["addr", "street"],
    },
    Synonyms {
        field: Field::Industry,
        specific: &[
            "行业",
            "所属行业",
            "行业类别",
            "行业分类",
            "客户行业",
            "行业类型",
            "industry",
            "sector",
        ],
        generic: &["vertical"],
    },
    Synonyms {
        field: Field::CompanySize,
        specific: &[
            "企业规模",
            "公司规模",
            "规模",
            "员工人数",
            "员工规模",
            "人员规模",
            "企业人数",
            "公司人数",
            "员工数",
            "company size",
            "employees",
            "headcount",
            "employee count",
            "number of employees",
        ],
        generic: &["size"],
    },
    Synonyms {
        field: Field::Ownership,
        specific: &[
            "企业性质",
            "公司性质",
            "单位性质",
            "企业类型",
            "公司类型",
            "单位类型",
            "所有制",
            "经济类型",
            "所有制性质",
            "ownership",
            "ownership type",
            "company type",
            "entity type",
        ],
        generic: &["性质"],
    },
    Synonyms {
        field: Field::Source,
        specific: &[
            "来源",
            "客户来源",
            "线索来源",
            "获客来源",
            "获客渠道",
            "来源渠道",
            "信息来源",
            "lead source",
            "customer source",
            "source",
        ],
        generic: &["origin"],
    },
    Synonyms {
        field: Field::Channel,
        specific: &[
            "渠道",
            "销售渠道",
            "购买渠道",
            "下单渠道",
            "成交渠道",
            "渠道类型",
            "分销渠道",
            "渠道名称",
            "销售平台",
            "下单平台",
            "channel",
            "sales channel",
        ],
        generic: &["平台", "platform"],
    },
    Synonyms {
        field: Field::Salesperson,
        specific: &[
            "销售员",
            "销售人员",
            "业务员",
            "销售代表",
            "客户经理",
            "负责人",
            "跟进人",
            "销售负责人",
            "归属销售",
            "所属销售",
            "销售经理",
            "业务经理",
            "经办人",
            "责任人",
            "跟单员",
            "业务代表",
            "销售顾问",
            "归属人",
            "客户负责人",
            "跟进销售",
            "业务人员",
            "salesperson",
            "sales rep",
            "sales representative",
            "account manager",
            "sales person",
            "salesman",
            "account owner",
            "sales owner",
        ],
        generic: &["owner", "rep", "seller"],
    },
    Synonyms {
        field: Field::FirstOrderDate,
        specific: &[
            "首次购买日期",
            "首次下单日期",
            "首单日期",
            "首次成交日期",
            "首次交易日期",
            "首购日期",
            "首次购买时间",
            "首次下单时间",
            "首次消费日期",
            "首次消费时间",
            "第一次购买日期",
            "首次合作时间",
            "首次合作日期",
            "合作开始日期",
            "first order date",
            "first purchase date",
            "first purchase",
            "first order",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::OrderId,
        specific: &[
            "订单号",
            "订单编号",
            "单号",
            "订单ID",
            "订单编码",
            "销售单号",
            "合同编号",
            "合同号",
            "单据编号",
            "单据号",
            "交易编号",
            "交易单号",
            "流水号",
            "发票号",
            "发票号码",
            "order id",
            "order no",
            "order number",
            "invoice no",
            "invoice number",
            "transaction id",
            "po number",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::OrderDate,
        specific: &[
            "订单日期",
            "下单日期",
            "成交日期",
            "销售日期",
            "下单时间",
            "交易日期",
            "交易时间",
            "购买日期",
            "购买时间",
            "签约日期",
            "合同日期",
            "开票日期",
            "单据日期",
            "业务日期",
            "消费日期",
            "消费时间",
            "订购日期",
            "成交时间",
            "订单时间",
            "order date",
            "order time",
            "purchase date",
            "transaction date",
            "sale date",
            "sales date",
            "invoice date",
            "date of sale",
        ],
        generic: &["日期", "时间", "date", "time"],
    },
    Synonyms {
        field: Field::Product,
        specific: &[
            "产品",
            "产品名称",
            "商品",
            "商品名称",
            "品名",
            "货品名称",
            "物料名称",
            "产品型号",
            "规格型号",
            "商品名",
            "产品名",
            "存货名称",
            "product",
            "product name",
            "item name",
            "sku",
            "goods",
        ],
        generic: &["item"],
    },
    Synonyms {
        field: Field::Category,
        specific: &[
            "品类",
            "产品类别",
            "商品类别",
            "产品分类",
            "商品分类",
            "产品类型",
            "商品类型",
            "产品大类",
            "大类",
            "类目",
            "商品类目",
            "产品线",
            "品类名称",
            "product category",
            "product line",
            "category",
        ],
        generic: &["类别", "分类", "class"],
    },
    Synonyms {
        field: Field::Quantity,
        specific: &[
            "数量",
            "销售数量",
            "销量",
            "订购数量",
            "购买数量",
            "件数",
            "订单数量",
            "出库数量",
            "成交数量",
            "发货数量",
            "quantity",
            "qty",
            "units sold",
        ],
        generic: &["units", "volume"],
    },
    Synonyms {
        field: Field::UnitPrice,
        specific: &[
            "单价",
            "销售单价",
            "价格",
            "售价",
            "含税单价",
            "成交价",
            "成交单价",
            "零售价",
            "单位价格",
            "销售价格",
            "产品单价",
            "商品单价",
            "实际单价",
            "折后单价",
            "unit price",
            "selling price",
            "sale price",
        ],
        generic: &["price"],
    },
    Synonyms {
        field: Field::Amount,
        specific: &[
            "销售额",
            "销售金额",
            "成交金额",
            "订单金额",
            "合同金额",
            "实收金额",
            "含税金额",
            "总金额",
            "营业额",
            "销售收入",
            "营业收入",
            "交易金额",
            "订单总额",
            "订单总金额",
            "消费金额",
            "购买金额",
            "实付金额",
            "价税合计",
            "总价",
            "总额",
            "合计金额",
            "金额合计",
            "销售总额",
            "成交额",
            "实际金额",
            "开票金额",
            "消费额",
            "累计消费金额",
            "购买总额",
            "销售额合计",
            "revenue",
            "sales amount",
            "order value",
            "order amount",
            "total amount",
            "sales revenue",
            "turnover",
            "gmv",
            "net sales",
            "total sales",
            "order total",
        ],
        generic: &["金额", "收入", "amount", "total", "sales"],
    },
    Synonyms {
        field: Field::Cost,
        specific: &[
            "成本",
            "成本金额",
            "销售成本",
            "采购成本",
            "进货成本",
            "成本价",
            "进价",
            "采购价",
            "总成本",
            "营业成本",
            "cost",
            "cogs",
            "cost of sales",
            "total cost",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Profit,
        specific: &[
            "利润",
            "毛利",
            "毛利额",
            "毛利润",
            "净利润",
            "利润额",
            "销售利润",
            "净利",
            "利润金额",
            "毛利金额",
            "profit",
            "gross profit",
            "net profit",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Returns,
        specific: &[
            "退货金额",
            "退款金额",
            "退货额",
            "退款额",
            "退货",
            "退款",
            "returns",
            "return amount",
            "refund",
            "refunds",
            "refund amount",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Receivable,
        specific: &[
            "应收",
            "应收账款",
            "应收金额",
            "应收款",
            "欠款",
            "欠款金额",
            "未收款",
            "未收金额",
            "未回款",
            "未回款金额",
            "应收余额",
            "欠费",
            "尾款",
            "待收款",
            "待回款",
            "应收未收",
            "receivable",
            "receivables",
            "accounts receivable",
            "outstanding",
            "balance due",
            "arrears",
            "amount due",
            "outstanding balance",
        ],
        generic: &["ar"],
    },
    Synonyms {
        field: Field::PaymentDays,
        specific: &[
            "账期",
            "账期天数",
            "付款期限",
            "信用期",
            "信用账期",
            "回款周期",
            "付款账期",
            "结算周期",
            "回款天数",
            "付款天数",
            "payment terms",
            "payment days",
            "credit days",
            "days to pay",
        ],
        generic: &["terms", "dso"],
    },
    Synonyms {
        field: Field::CreditLimit,
        specific: &[
            "信用额度",
            "授信额度",
            "信用限额",
            "赊销额度",
            "授信金额",
            "credit limit",
            "credit line",
        ],
        generic: &["额度", "credit"],
    },
    Synonyms {
        field: Field::Satisfaction,
        specific: &[
            "满意度",
            "客户满意度",
            "满意度评分",
            "满意度得分",
            "满意程度",
            "评价得分",
            "satisfaction",
            "csat",
            "satisfaction score",
        ],
        generic: &["评分", "打分", "rating", "score"],
    },
    Synonyms {
        field: Field::Nps,
        specific: &[
            "推荐值",
            "推荐意愿",
            "推荐度",
            "净推荐值",
            "推荐分",
            "推荐指数",
            "推荐可能性",
            "推荐评分",
            "推荐意向",
            "nps",
            "likelihood to recommend",
            "recommend score",
            "net promoter score",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::LeadStatus,
        specific: &[
            "线索状态",
            "跟进状态",
            "客户状态",
            "销售阶段",
            "商机阶段",
            "客户阶段",
            "跟进阶段",
            "意向程度",
            "意向等级",
            "成交状态",
            "lead status",
            "pipeline stage",
            "deal stage",
        ],
        generic: &["状态", "阶段", "status", "stage"],
    },
    Synonyms {
        field: Field::PurchaseTiming,
        specific: &[
            "预计购买时间",
            "计划购买时间",
            "购买时机",
            "意向购买时间",
            "预计成交时间",
            "预计采购时间",
            "购买计划",
            "预计下单时间",
            "purchase timing",
            "expected purchase date",
            "purchase timeframe",
            "buying timeframe",
        ],
        generic: &["timeframe"],
    },
    Synonyms {
        field: Field::Complaints,
        specific: &[
            "投诉",
            "投诉内容",
            "投诉记录",
            "客户投诉",
            "不满意原因",
            "不满意之处",
            "差评",
            "差评内容",
            "抱怨",
            "complaint",
            "complaints",
            "negative feedback",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Praise,
        specific: &[
            "表扬",
            "好评",
            "好评内容",
            "优点",
            "满意之处",
            "满意原因",
            "客户好评",
            "称赞",
            "表扬内容",
            "praise",
            "compliments",
            "positive feedback",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Suggestions,
        specific: &[
            "建议",
            "意见",
            "意见建议",
            "改进建议",
            "客户建议",
            "意见和建议",
            "意见与建议",
            "建议与意见",
            "其他建议",
            "客户反馈",
            "反馈意见",
            "suggestion",
            "suggestions",
        ],
        generic: &["反馈", "feedback", "comments"],
    },
    Synonyms {
        field: Field::Gender,
        specific: &["性别", "gender"],
        generic: &["sex"],
    },
    Synonyms {
        field: Field::Age,
        specific: &["年龄", "岁数", "年龄段", "age"],
        generic: &[],
    },
    Synonyms {
        field: Field::BirthDate,
        specific: &[
            "出生日期",
            "生日",
            "出生年月",
            "出生年月日",
            "出生时间",
            "birth date",
            "birthday",
            "date of birth",
            "dob",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Income,
        specific: &[
            "收入水平",
            "月收入",
            "年收入",
            "个人收入",
            "家庭收入",
            "家庭月收入",
            "月薪",
            "年薪",
            "薪资",
            "工资",
            "收入范围",
            "income",
            "monthly income",
            "annual income",
            "salary",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::Occupation,
        specific: &[
            "职业",
            "职位",
            "职务",
            "岗位",
            "occupation",
            "profession",
            "job title",
        ],
        generic: &["工作", "job", "title", "position"],
    },
    Synonyms {
        field: Field::Education,
        specific: &[
            "学历",
            "教育程度",
            "文化程度",
            "受教育程度",
            "最高学历",
            "education",
            "education level",
        ],
        generic: &["degree"],
    },
    Synonyms {
        field: Field::RegisteredDate,
        specific: &[
            "注册日期",
            "注册时间",
            "建档日期",
            "建档时间",
            "开户日期",
            "入会日期",
            "入会时间",
            "加入日期",
            "加入时间",
            "创建日期",
            "创建时间",
            "录入日期",
            "登记日期",
            "登记时间",
            "开卡日期",
            "成为客户日期",
            "registered date",
            "registration date",
            "signup date",
            "sign up date",
            "created at",
            "created date",
            "join date",
            "date joined",
            "customer since",
            "create time",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::LastContactDate,
        specific: &[
            "最近联系日期",
            "最后联系日期",
            "最近联系时间",
            "最后联系时间",
            "最近跟进日期",
            "最近跟进时间",
            "最后跟进日期",
            "最后跟进时间",
            "上次联系日期",
            "上次联系时间",
            "上次跟进日期",
            "最近拜访日期",
            "最后拜访日期",
            "最近沟通时间",
            "跟进日期",
            "跟进时间",
            "拜访日期",
            "联系日期",
            "last contact date",
            "last contacted",
            "last contact",
            "last activity date",
            "last follow up",
        ],
        generic: &[],
    },
    Synonyms {
        field: Field::OrderCount,
        specific: &[
            "购买次数",
            "订单数",
            "下单次数",
            "消费次数",
            "交易次数",
            "成交次数",
            "订单笔数",
            "购买频次",
            "购买频率",
            "累计订单数",
            "累计购买次数",
            "订单总数",
            "订单数量",
            "order count",
            "number of orders",
            "purchase count",
            "purchase frequency",
        ],
        generic: &["orders", "frequency"],
    },
    Synonyms {
        field: Field::LastOrderDate,
        specific: &[
            "最近购买日期",
            "最后购买日期",
            "最近下单日期",
            "最后下单日期",
            "最近一次购买日期",
            "最近一次下单日期",
            "最近购买时间",
            "最后购买时间",
            "最近成交日期",
            "最后成交日期",
            "最近消费日期",
            "最近消费时间",
            "最后消费日期",
            "上次购买日期",
            "最近订单日期",
            "末次购买日期",
            "最近交易日期",
            "last order date",
            "last purchase date",
            "last purchase",
            "last order",
            "most recent order",
            "last transaction date",
        ],
        generic: &[],
    },
];

/// Confidence of an exact match on a specific spelling.
const EXACT: f32 = 1.0;
/// Confidence of an exact match on a generic spelling (金额, 日期, name …).
const GENERIC: f32 = 0.8;
/// Confidence of a specific spelling that is the last part of a "parent child" header.
const CHILD: f32 = 0.95;
/// Factor for a header that also carries a bracketed note (客户名称（全称）).
const ANNOTATED: f32 = 0.9;
/// Contains-match: `CONTAINS_BASE + CONTAINS_SPAN × coverage`, plus [`SUFFIX_BONUS`] when the
/// spelling ends the header (Chinese headers put the head noun last: 客户电话 is a phone).
const CONTAINS_BASE: f32 = 0.55;
const CONTAINS_SPAN: f32 = 0.35;
const SUFFIX_BONUS: f32 = 0.05;
/// Weakest match reported at all.
const MIN_CONFIDENCE: f32 = 0.6;
/// Two fields whose confidences differ by less than this make a header ambiguous.
const NEAR_TIE: f32 = 0.06;

/// Words that turn a measure into something else (a rate, a share, a target): a header holding
/// one is matched only exactly, never by containing a field's spelling (毛利率 is not 毛利).
const NOT_A_MEASURE_ZH: &[&str] = &[
    "率", "占比", "比例", "比重", "同比", "环比", "增长", "增幅", "排名", "排行", "目标", "预算",
    "计划", "预计", "预测", "任务", "指标",
];
const NOT_A_MEASURE_EN: &[&str] = &[
    "rate", "ratio", "pct", "percent", "share", "growth", "rank", "target", "budget", "plan",
    "forecast", "quota", "yoy", "mom",
];

struct Dictionary {
    exact: FxHashMap<String, Vec<(Field, bool)>>,
    /// Specific spellings, for contains-matching.
    contained: Vec<(String, Field)>,
    /// Indexes into `contained` by the spelling's first character: a header is scanned once
    /// instead of once per spelling.
    by_first: FxHashMap<char, Vec<usize>>,
}

fn dictionary() -> &'static Dictionary {
    static DICT: OnceLock<Dictionary> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut exact: FxHashMap<String, Vec<(Field, bool)>> = FxHashMap::default();
        let mut contained = Vec::new();
        for entry in DICTIONARY {
            let spellings = entry.specific.iter().map(|s| (s, false));
            for (spelling, generic) in spellings.chain(entry.generic.iter().map(|s| (s, true))) {
                let key = compact(spelling).text;
                let fields = exact.entry(key.clone()).or_default();
                if !fields.iter().any(|(f, _)| *f == entry.field) {
                    fields.push((entry.field, generic));
                }
                if !generic {
                    contained.push((key, entry.field));
                }
            }
        }
        let mut by_first: FxHashMap<char, Vec<usize>> = FxHashMap::default();
        for (i, (spelling, _)) in contained.iter().enumerate() {
            if let Some(c) = spelling.chars().next() {
                by_first.entry(c).or_default().push(i);
            }
        }
        Dictionary {
            exact,
            contained,
            by_first,
        }
    })
}

/// Text reduced to lowercase letters and digits, remembering where words met (a removed space or
/// punctuation, a change between Latin letters, digits and Chinese, a camelCase hump), so Latin
/// spellings match whole words only (`age` is not in `manager`).
struct Compact {
    text: String,
    /// Byte offsets in `text` where a word starts or ends, ascending; always holds 0 and the end.
    bounds: Vec<usize>,
}

impl Compact {
    fn is_bound(&self, at: usize) -> bool {
        self.bounds.binary_search(&at).is_ok()
    }

    fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        self.bounds.retain(|&b| b < len);
        self.bounds.push(len);
    }
}

fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' | '\u{00A0}' | '\t' | '\n' | '\r' => ' ',
        '【' | '〔' | '〖' => '[',
        '】' | '〕' | '〗' => ']',
        '￥' => '¥',
        '﹪' => '%',
        _ => c,
    }
}

fn compact(s: &str) -> Compact {
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Latin,
        Digit,
        Other,
    }
    let mut text = String::with_capacity(s.len());
    let mut bounds = vec![0];
    let mut prev: Option<(Class, bool)> = None;
    let mut gap = false;
    for c in s.chars().map(fold) {
        if !c.is_alphanumeric() {
            gap = true;
            continue;
        }
        let class = if c.is_ascii_alphabetic() {
            Class::Latin
        } else if c.is_ascii_digit() {
            Class::Digit
        } else {
            Class::Other
        };
        let upper = c.is_uppercase();
        if let Some((prev_class, prev_upper)) = prev {
            let hump = class == Class::Latin && upper && !prev_upper;
            if gap || class != prev_class || hump {
                bounds.push(text.len());
            }
        }
        text.extend(c.to_lowercase());
        prev = Some((class, upper));
        gap = false;
    }
    if bounds.last() != Some(&text.len()) {
        bounds.push(text.len());
    }
    Compact { text, bounds }
}

/// A header taken apart: the words that name the field and what else the header says.
struct Parsed {
    core: Compact,
    /// The whitespace-separated parts of `core`, compacted ("parent child" headers).
    parts: Vec<String>,
    year: Option<i32>,
    /// The multiplier a unit in the header implies for numeric values (万元 → 10000).
    unit: Option<f64>,
    /// The header carried a bracketed note that is neither a unit nor a year (（全称）).
    annotated: bool,
}

/// Bracketed notes that say nothing about the field and cost no confidence.
const NOISE: &[&str] = &["必填", "选填", "可选", "必选", "required", "optional", "*"];

fn money_unit(t: &str) -> Option<f64> {
    let t = t.split('/').next().unwrap_or(t).trim();
    Some(match t {
        "元" | "人民币" | "rmb" | "cny" | "¥" | "人民币元" | "元人民币" | "yuan" => {
            1.0
        }
        "万元" | "万" | "w" | "万人民币" | "人民币万元" | "rmb万" | "万rmb" | "万元人民币" => {
            1e4
        }
        "千元" | "千" | "k" | "k元" | "krmb" => 1e3,
        "百万" | "百万元" | "million" | "mn" => 1e6,
        "亿" | "亿元" => 1e8,
        "%" | "百分比" | "pct" | "percent" => 0.01,
        _ => return None,
    })
}

fn other_unit(t: &str) -> bool {
    matches!(
        t,
        "天" | "日"
            | "个"
            | "件"
            | "次"
            | "岁"
            | "人"
            | "台"
            | "套"
            | "箱"
            | "个月"
            | "月"
            | "年"
            | "分"
            | "kg"
            | "公斤"
            | "吨"
            | "份"
            | "瓶"
            | "盒"
            | "单"
            | "笔"
            | "家"
            | "名"
            | "位"
            | "张"
            | "支"
            | "条"
            | "包"
            | "袋"
            | "米"
            | "平方米"
            | "㎡"
            | "days"
            | "day"
            | "pcs"
            | "usd"
            | "$"
            | "美元"
            | "小时"
            | "分钟"
            | "0-10"
            | "1-5"
            | "1-10"
            | "0-100"
    )
}

/// Finds the first year in `s` (2024, 2024年, 2024年度, FY2024, 24年) and returns it with `s`
/// minus the year.
fn extract_year(s: &str) -> (Option<i32>, String) {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let digits: String = chars[start..i].iter().collect();
        let value: i32 = digits.parse().unwrap_or(0);
        let fy_before = start >= 2
            && chars[start - 2].eq_ignore_ascii_case(&'f')
            && chars[start - 1].eq_ignore_ascii_case(&'y');
        let nian_after = chars.get(i) == Some(&'年');
        let year = match digits.len() {
            4 if (1990..=2099).contains(&value) => Some(value),
            2 if (fy_before || nian_after) && (10..=49).contains(&value) => Some(2000 + value),
            _ => None,
        };
        let Some(year) = year else { continue };
        let from = if fy_before { start - 2 } else { start };
        let rest: String = chars[i..].iter().collect();
        let rest = ["年度", "年份", "财年", "年"]
            .iter()
            .find_map(|suffix| rest.strip_prefix(suffix))
            .unwrap_or(&rest);
        let head: String = chars[..from].iter().collect();
        return (Some(year), format!("{head} {rest}"));
    }
    (None, s.to_string())
}

fn year_only(t: &str) -> Option<i32> {
    match extract_year(t) {
        (Some(year), rest) if compact(&rest).text.is_empty() => Some(year),
        _ => None,
    }
}

fn parse(header: &str) -> Parsed {
    let folded: String = header.chars().map(fold).collect();
    let mut outside = String::with_capacity(folded.len());
    let mut notes: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    for c in folded.chars() {
        match c {
            '(' | '[' => {
                depth += 1;
                if depth > 1 {
                    current.push(' ');
                }
            }
            ')' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    notes.push(std::mem::take(&mut current));
                    outside.push(' ');
                }
            }
            _ if depth > 0 => current.push(c),
            _ => outside.push(c),
        }
    }
    if depth > 0 {
        outside.push(' ');
        outside.push_str(&current);
    }

    let mut unit = None;
    let mut bracket_year = None;
    let mut annotation: Option<String> = None;
    for note in &notes {
        let lower = note.trim().to_lowercase();
        let t = lower
            .strip_prefix("单位")
            .or_else(|| lower.strip_prefix("unit"))
            .unwrap_or(&lower)
            .trim_start_matches([':', ' '])
            .trim();
        if t.is_empty() || NOISE.contains(&t) {
            continue;
        }
        if let Some(year) = year_only(t) {
            bracket_year = Some(year);
        } else if let Some(scale) = money_unit(t) {
            unit = Some(scale);
        } else if !other_unit(t) {
            annotation = Some(note.clone());
        }
    }

    if outside.contains('%') {
        unit = unit.or(Some(0.01));
    }
    let trimmed = outside.trim_end();
    if let Some(cut) = trimmed.rfind([' ', '/', '_', '-', '|']) {
        let (head, tail) = (&trimmed[..cut], trimmed[cut + 1..].to_lowercase());
        if let Some(scale) = money_unit(tail.trim()) {
            if head.chars().any(char::is_alphanumeric) {
                unit = unit.or(Some(scale));
                outside = head.to_string();
            }
        }
    }

    let (year, rest) = extract_year(&outside);
    let mut core = compact(&rest);
    let mut parts: Vec<String> = rest
        .split_whitespace()
        .map(|p| compact(p).text)
        .filter(|p| !p.is_empty())
        .collect();
    for (suffix, scale) in [("百万元", 1e6), ("万元", 1e4), ("千元", 1e3), ("亿元", 1e8)] {
        if core.text.len() > suffix.len() && core.text.ends_with(suffix) {
            core.truncate(core.text.len() - suffix.len());
            unit = unit.or(Some(scale));
            if let Some(last) = parts.last_mut() {
                if let Some(stripped) = last.strip_suffix(suffix) {
                    *last = stripped.to_string();
                }
            }
            break;
        }
    }
    if core.text.is_empty() {
        if let Some(note) = &annotation {
            core = compact(note);
            parts = vec![core.text.clone()];
        }
    }
    Parsed {
        core,
        parts,
        year: year.or(bracket_year),
        unit,
        annotated: annotation.is_some(),
    }
}

fn blocked(core: &Compact) -> bool {
    NOT_A_MEASURE_ZH.iter().any(|m| core.text.contains(m))
        || NOT_A_MEASURE_EN.iter().any(|m| {
            core.text
                .match_indices(m)
                .any(|(at, _)| core.is_bound(at) && core.is_bound(at + m.len()))
        })
}

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// Candidate fields for a parsed header with their confidences, best first.
fn candidates(p: &Parsed) -> Vec<(Field, f32)> {
    let dict = dictionary();
    let factor = if p.annotated { ANNOTATED } else { 1.0 };
    let exact = |key: &str| -> Option<Vec<(Field, f32)>> {
        dict.exact.get(key).map(|hits| {
            hits.iter()
                .map(|&(f, generic)| (f, round3(if generic { GENERIC } else { EXACT } * factor)))
                .collect()
        })
    };
    if p.core.text.is_empty() {
        return Vec::new();
    }
    if let Some(hits) = exact(&p.core.text) {
        return hits;
    }
    if let Some(rest) = p.core.text.strip_suffix('元').filter(|r| !r.is_empty()) {
        if let Some(hits) = exact(rest) {
            return hits;
        }
    }
    if blocked(&p.core) {
        return Vec::new();
    }

    let mut best: Vec<(Field, f32)> = Vec::new();
    let mut offer = |field: Field, confidence: f32| {
        let confidence = round3(confidence * factor);
        match best.iter_mut().find(|(f, _)| *f == field) {
            Some(slot) => slot.1 = slot.1.max(confidence),
            None => best.push((field, confidence)),
        }
    };
    if p.parts.len() >= 2 {
        if let Some(hits) = p.parts.last().and_then(|last| dict.exact.get(last)) {
            for &(field, generic) in hits {
                if !generic {
                    offer(field, CHILD);
                }
            }
        }
    }

    let core = &p.core;
    let n = core.text.chars().count() as f32;
    let mut spans: Vec<(usize, usize, Field)> = Vec::new();
    for (at, k) in contained_matches(dict, &core.text) {
        let Some((spelling, field)) = dict.contained.get(k) else {
            continue;
        };
        let end = at + spelling.len();
        if spelling.is_ascii() && !(core.is_bound(at) && core.is_bound(end)) {
            continue;
        }
        spans.push((at, end, *field));
    }
    for &(start, end, field) in &spans {
        let inside_longer = spans
            .iter()
            .any(|&(s, e, _)| s <= start && end <= e && e - s > end - start);
        if inside_longer {
            continue;
        }
        let coverage = core.text[start..end].chars().count() as f32 / n;
        let suffix = if end == core.text.len() {
            SUFFIX_BONUS
        } else {
            0.0
        };
        offer(field, CONTAINS_BASE + CONTAINS_SPAN * coverage + suffix);
    }
    for slot in &mut best {
        if slot.0 == Field::OrderDate {
            slot.0 = order_date_variant(core);
        }
    }
    best.retain(|&(_, c)| c >= MIN_CONFIDENCE);
    crate::sort::by(&mut best, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    best
}

/// Where each contained spelling occurs in `text`: (byte offset, index into `contained`), each
/// spelling's matches not overlapping one another, as `match_indices` finds them.
fn contained_matches(dict: &Dictionary, text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // The end of each spelling's last match, by spelling.
    let mut last_end: Vec<(usize, usize)> = Vec::new();
    for (at, c) in text.char_indices() {
        for &k in dict.by_first.get(&c).map_or(&[][..], Vec::as_slice) {
            let Some((spelling, _)) = dict.contained.get(k) else {
                continue;
            };
            if !text[at..].starts_with(spelling.as_str())
                || last_end.iter().any(|&(j, e)| j == k && at < e)
            {
                continue;
            }
            last_end.retain(|&(j, _)| j != k);
            last_end.push((k, at + spelling.len()));
            out.push((at, k));
        }
    }
    out
}

/// A contained order-date spelling qualified by 最近/首次 … (最近一次下单时间) dates the last or
/// the first order.
fn order_date_variant(core: &Compact) -> Field {
    let has = |words: &[&str]| {
        words.iter().any(|w| {
            core.text
                .match_indices(w)
                .any(|(at, _)| !w.is_ascii() || (core.is_bound(at) && core.is_bound(at + w.len())))
        })
    };
    if has(&["最近", "最后", "上次", "末次", "last", "latest", "recent"]) {
        Field::LastOrderDate
    } else if has(&["首次", "第一次", "首单", "first"]) {
        Field::FirstOrderDate
    } else {
        Field::OrderDate
    }
}

fn scale_for(field: Field, unit: Option<f64>) -> f64 {
    match field.kind() {
        FieldKind::Money | FieldKind::Number | FieldKind::Score => unit.unwrap_or(1.0),
        _ => 1.0,
    }
}

/// What one header text could mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldMatch {
    pub field: Field,
    /// 0–1; see docs/mapping.md for how it is computed.
    pub confidence: f32,
    /// The year the header names (2024年销售额 → 2024).
    pub year: Option<i32>,
    /// Multiply a plain number in this column by `scale` to get the canonical unit: yuan for
    /// money (万元 → 10000, 千元 → 1000), a fraction for a percent unit (% → 0.01). Always 1.0
    /// for fields that are not numbers.
    pub scale: f64,
}

/// Best match for one header text, plus runner-ups for ambiguity: sorted by confidence, best
/// first, empty if nothing matches. Multi-row headers are passed combined as "parent child"
/// ("销售额（元） 2023年").
pub fn match_header(text: &str) -> Vec<FieldMatch> {
    let parsed = parse(text);
    candidates(&parsed)
        .into_iter()
        .map(|(field, confidence)| FieldMatch {
            field,
            confidence,
            year: parsed.year,
            scale: scale_for(field, parsed.unit),
        })
        .collect()
}

/// What an override assigns to a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Target {
    Field(Field),
    /// Leave the column out of every analysis.
    Ignore,
}

impl TryFrom<String> for Target {
    type Error = String;

    fn try_from(value: String) -> std::result::Result<Self, String> {
        let v = value.trim();
        if v.eq_ignore_ascii_case("ignore") || v == "忽略" {
            return Ok(Target::Ignore);
        }
        Field::from_key(v).map(Target::Field).ok_or_else(|| {
            let keys: Vec<&str> = Field::ALL.iter().map(Field::key).collect();
            format!(
                "unknown field \"{value}\"; valid: {}, ignore",
                keys.join(", ")
            )
        })
    }
}

impl From<Target> for String {
    fn from(t: Target) -> String {
        match t {
            Target::Field(f) => f.key().to_string(),
            Target::Ignore => "ignore".to_string(),
        }
    }
}

/// The user's corrections: a column, named by its header text or its letter ("C"), mapped to a
/// field key (or the field's Chinese label) or "ignore". JSON form:
/// `{"客户简称": "customer_name", "C": "amount", "备注": "ignore"}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Overrides {
    pub columns: BTreeMap<String, Target>,
}

impl Overrides {
    pub fn from_json(s: &str) -> Result<Self> {
        const SHAPE: &str = r#"overrides must be a JSON object like {"客户简称": "customer_name", "C": "amount", "备注": "ignore"}"#;
        let value: serde_json::Value =
            serde_json::from_str(s).map_err(|e| Error::bad_option(format!("{SHAPE}: {e}")))?;
        let serde_json::Value::Object(object) = value else {
            return Err(Error::bad_option(SHAPE));
        };
        let mut columns = BTreeMap::new();
        for (column, target) in object {
            if column.trim().is_empty() {
                return Err(Error::bad_option(format!(
                    "{SHAPE}: a column name is empty"
                )));
            }
            let serde_json::Value::String(target) = target else {
                return Err(Error::bad_option(format!(
                    "override for \"{column}\" must be a string: a field key or \"ignore\""
                )));
            };
            let target = Target::try_from(target)
                .map_err(|e| Error::bad_option(format!("override for \"{column}\": {e}")))?;
            columns.insert(column, target);
        }
        Ok(Overrides { columns })
    }

    pub fn set(&mut self, column: impl Into<String>, target: Target) {
        self.columns.insert(column.into(), target);
    }

    pub fn is_empty(&self) -> bool {
        self.columns.is_empty()
    }

    /// Override keys that name no column of `headers` (to warn the user of a typo).
    pub fn unmatched(&self, headers: &[String]) -> Vec<String> {
        let resolved = self.resolve(headers);
        self.columns
            .keys()
            .filter(|key| {
                !resolved
                    .iter()
                    .any(|r| r.as_ref().is_some_and(|(k, _)| k == *key))
            })
            .cloned()
            .collect()
    }

    /// For each column, the override key and target that apply to it. A key that equals some
    /// column's header text names those columns; otherwise a key like "C" names a column by its
    /// letter. A letter beats header text when both name the same column.
    fn resolve(&self, headers: &[String]) -> Vec<Option<(String, Target)>> {
        let compact_headers: Vec<String> = headers.iter().map(|h| compact(h).text).collect();
        let mut out: Vec<Option<(String, Target)>> = vec![None; headers.len()];
        let mut by_letter = Vec::new();
        for (key, &target) in &self.columns {
            let wanted = key.trim();
            let wanted_compact = compact(wanted).text;
            let mut named = false;
            for (i, header) in headers.iter().enumerate() {
                let same = header.trim() == wanted
                    || (!wanted_compact.is_empty() && compact_headers[i] == wanted_compact);
                if same {
                    named = true;
                    if out[i].is_none() {
                        out[i] = Some((key.clone(), target));
                    }
                }
            }
            if !named {
                by_letter.push((key, target));
            }
        }
        for (key, target) in by_letter {
            if let Some(i) = letter_index(key.trim()) {
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some((key.clone(), target));
                }
            }
        }
        out
    }
}

/// "A" → 0, "Z" → 25, "AA" → 26 (case-insensitive, at most three letters).
fn letter_index(s: &str) -> Option<usize> {
    if s.is_empty() || s.len() > 3 || !s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let n = s.bytes().fold(0usize, |n, b| {
        n * 26 + (b.to_ascii_uppercase() - b'A') as usize + 1
    });
    Some(n - 1)
}

/// How a column's field was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Matched from the header text.
    Auto,
    /// Set by the user.
    Overridden,
    /// Could be more than one field, or its field is taken by a better column: not used until the
    /// user overrides it. `alternatives` lists the candidates.
    Ambiguous,
    /// Blank header, or the user said "ignore".
    Ignored,
    /// Matches no field: kept as an extra dimension to group by.
    Extra,
}

/// The decision for one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnMapping {
    pub index: u32,
    pub letter: String,
    pub header: String,
    /// The field in effect: `Some` exactly when `status` is `Auto` or `Overridden`.
    pub field: Option<Field>,
    pub year: Option<i32>,
    /// See [`FieldMatch::scale`].
    pub scale: f64,
    /// 1.0 when overridden; the best candidate's confidence when ambiguous; 0 otherwise.
    pub confidence: f32,
    pub status: Status,
    /// For an ambiguous column, every candidate field, best first (the contested field included).
    pub alternatives: Vec<Field>,
}

/// The decisions for all columns of a sheet, in column order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mapping {
    pub columns: Vec<ColumnMapping>,
}

impl Mapping {
    /// The column holding `f` without a year. When the user overrode several columns to the same
    /// field, the leftmost.
    pub fn column_of(&self, f: Field) -> Option<u32> {
        self.columns
            .iter()
            .find(|c| c.field == Some(f) && c.year.is_none())
            .map(|c| c.index)
    }

    /// The columns holding `f` split by year (2023年销售额, 2024年销售额), as (year, column),
    /// sorted by year.
    pub fn year_columns(&self, f: Field) -> Vec<(i32, u32)> {
        let mut out: Vec<(i32, u32)> = self
            .columns
            .iter()
            .filter(|c| c.field == Some(f))
            .filter_map(|c| c.year.map(|y| (y, c.index)))
            .collect();
        crate::sort::by(&mut out, |a, b| a.cmp(b));
        out
    }
}

/// Maps a sheet's header columns. `headers[i]` is the combined header text of column i (empty
/// string for a blank header). Overrides are applied first and claim their fields; then each
/// field (per year) goes to its highest-confidence column, the leftmost on a tie, and every other
/// column that wanted it becomes [`Status::Ambiguous`]. A header whose two best fields are within
/// a near-tie is ambiguous on its own.
pub fn map_columns(headers: &[String], overrides: &Overrides) -> Mapping {
    let resolved = overrides.resolve(headers);
    let mut columns: Vec<ColumnMapping> = Vec::with_capacity(headers.len());
    let mut claimed: Vec<(Field, Option<i32>)> = Vec::new();
    let mut contenders: Vec<(usize, Vec<(Field, f32)>)> = Vec::new();

    for (i, header) in headers.iter().enumerate() {
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let parsed = parse(header);
        let mut column = ColumnMapping {
            index,
            letter: column_letter(index),
            header: header.clone(),
            field: None,
            year: parsed.year,
            scale: 1.0,
            confidence: 0.0,
            status: Status::Extra,
            alternatives: Vec::new(),
        };
        match resolved.get(i).and_then(|r| r.as_ref()) {
            Some((_, Target::Ignore)) => column.status = Status::Ignored,
            Some((_, Target::Field(field))) => {
                column.field = Some(*field);
                column.scale = scale_for(*field, parsed.unit);
                column.confidence = 1.0;
                column.status = Status::Overridden;
                claimed.push((*field, parsed.year));
            }
            None if header.trim().is_empty() => column.status = Status::Ignored,
            None => {
                let found = candidates(&parsed);
                if let Some(&(best, confidence)) = found.first() {
                    column.scale = scale_for(best, parsed.unit);
                    column.confidence = confidence;
                    let tied = found
                        .get(1)
                        .is_some_and(|&(_, second)| confidence - second < NEAR_TIE);
                    if tied {
                        column.status = Status::Ambiguous;
                        column.alternatives = found.iter().map(|&(f, _)| f).collect();
                    } else {
                        contenders.push((i, found));
                    }
                }
            }
        }
        columns.push(column);
    }

    crate::sort::by(&mut contenders, |a, b| {
        b.1[0].1.total_cmp(&a.1[0].1).then(a.0.cmp(&b.0))
    });
    for (i, found) in contenders {
        let column = &mut columns[i];
        let best = found[0].0;
        let key = (best, column.year);
        if claimed.contains(&key) {
            column.status = Status::Ambiguous;
            column.alternatives = found.iter().map(|&(f, _)| f).collect();
        } else {
            claimed.push(key);
            column.field = Some(best);
            column.status = Status::Auto;
        }
    }
    Mapping { columns }
}

/// How much a row looks like a header row; the caller takes the best-scoring of the first rows.
/// Roughly the number of cells that read as known headers (each counts its match confidence),
/// plus a little for other short labels, minus a point for every cell that looks like data (a
/// number, a date) or like a note (注：…), half a point for a title (…明细表) or a long text,
/// and half a point when the row has a single filled cell (titles and notes usually do).
pub fn header_row_score(cells: &[&str]) -> f32 {
    let mut score = 0.0;
    let mut filled = 0;
    for cell in cells {
        let text: String = cell.trim().chars().map(fold).collect();
        if text.is_empty() {
            continue;
        }
        filled += 1;
        score += cell_score(&text);
    }
    if filled == 1 {
        score -= 0.5;
    }
    score
}

const TITLE_WORDS: &[&str] = &[
    "表", "明细", "汇总", "统计", "清单", "一览", "台账", "报告", "report", "summary",
];
const NOTE_PREFIXES: &[&str] = &[
    "注:", "注 ", "注：", "备注:", "说明:", "说明 ", "note:", "notes:", "单位:", "*注",
];

fn cell_score(text: &str) -> f32 {
    let lower = text.to_lowercase();
    if year_only(&lower).is_some() {
        return 0.1;
    }
    if looks_like_data(&lower) {
        return -1.0;
    }
    if NOTE_PREFIXES.iter().any(|p| lower.starts_with(p)) || lower.contains("单位为") {
        return -1.0;
    }
    let chars = lower.chars().count();
    if chars > 30 {
        return -0.5;
    }
    let best = match_header(text).first().map_or(0.0, |m| m.confidence);
    if best >= MIN_CONFIDENCE {
        return best;
    }
    if TITLE_WORDS.iter().any(|w| lower.contains(w)) || chars > 16 {
        return -0.5;
    }
    0.25
}

/// A number, a money amount, a percentage or a date/time: digits and their punctuation only.
fn looks_like_data(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    digits > 0
        && text.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    '.' | ','
                        | '-'
                        | '+'
                        | '/'
                        | ':'
                        | ' '
                        | '%'
                        | '¥'
                        | '$'
                        | '年'
                        | '月'
                        | '日'
                        | '时'
                        | '分'
                        | '秒'
                        | 't'
                        | 'e'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Field::*;

    proptest! {
        /// The one-pass scan finds what `match_indices` finds for every spelling, on text made
        /// of pieces of spellings (so matches overlap and repeat).
        #[test]
        fn contained_matches_are_match_indices(picks in prop::collection::vec((0usize..4000, 0usize..4, any::<bool>()), 0..8)) {
            let dict = dictionary();
            let mut text = String::new();
            for (i, cut, double) in picks {
                let spelling = &dict.contained[i % dict.contained.len()].0;
                let chars: Vec<char> = spelling.chars().collect();
                let piece: String = chars[chars.len().min(cut)..].iter().collect();
                text.push_str(&piece);
                if double {
                    text.push_str(&piece);
                }
            }
            let mut want: Vec<(usize, usize)> = Vec::new();
            for (k, (spelling, _)) in dict.contained.iter().enumerate() {
                want.extend(text.match_indices(spelling.as_str()).map(|(at, _)| (at, k)));
            }
            let mut got = contained_matches(dict, &text);
            want.sort_unstable();
            got.sort_unstable();
            prop_assert_eq!(got, want);
        }
    }

    /// Spellings deliberately listed under two fields: 订单数量 is an order's item quantity in an
    /// order list and a customer's order count in a register, so a header using it is ambiguous.
    const SHARED_SPELLINGS: &[&str] = &["订单数量"];

    /// Header text → best field, year, scale.
    const HEADERS: &[(&str, Field, Option<i32>, f64)] = &[
        ("客户名称", CustomerName, None, 1.0),
        ("客户名", CustomerName, None, 1.0),
        ("客户", CustomerName, None, 1.0),
        ("公司名称", CustomerName, None, 1.0),
        ("单位名称", CustomerName, None, 1.0),
        ("客户全称", CustomerName, None, 1.0),
        ("姓名", CustomerName, None, 1.0),
        ("名称", CustomerName, None, 1.0),
        ("Customer Name", CustomerName, None, 1.0),
        ("customer", CustomerName, None, 1.0),
        ("CLIENT", CustomerName, None, 1.0),
        ("Account Name", CustomerName, None, 1.0),
        ("CustomerName", CustomerName, None, 1.0),
        ("customer_name", CustomerName, None, 1.0),
        ("客户名称（全称）", CustomerName, None, 1.0),
        ("*客户名称(必填)", CustomerName, None, 1.0),
        ("客 户 名 称", CustomerName, None, 1.0),
        ("客户编号", CustomerId, None, 1.0),
        ("Customer ID", CustomerId, None, 1.0),
        ("会员卡号", CustomerId, None, 1.0),
        ("联系人", Contact, None, 1.0),
        ("联系电话", Phone, None, 1.0),
        ("手机号码", Phone, None, 1.0),
        ("客户联系电话", Phone, None, 1.0),
        ("Mobile", Phone, None, 1.0),
        ("Ｅｍａｉｌ", Email, None, 1.0),
        ("电子邮箱", Email, None, 1.0),
        ("所属区域", Region, None, 1.0),
        ("销售大区", Region, None, 1.0),
        ("Region", Region, None, 1.0),
        ("省份", Province, None, 1.0),
        ("城市", City, None, 1.0),
        ("详细地址", Address, None, 1.0),
        ("所属行业", Industry, None, 1.0),
        ("企业规模", CompanySize, None, 1.0),
        ("企业性质", Ownership, None, 1.0),
        ("客户来源", Source, None, 1.0),
        ("Lead Source", Source, None, 1.0),
        ("销售渠道", Channel, None, 1.0),
        ("业务员", Salesperson, None, 1.0),
        ("客户经理", Salesperson, None, 1.0),
        ("Sales Rep", Salesperson, None, 1.0),
        ("首次购买日期", FirstOrderDate, None, 1.0),
        ("订单编号", OrderId, None, 1.0),
        ("Order No.", OrderId, None, 1.0),
        ("订单日期", OrderDate, None, 1.0),
        ("下单时间", OrderDate, None, 1.0),
        ("日期", OrderDate, None, 1.0),
        ("Order Date", OrderDate, None, 1.0),
        ("ORDER_DATE", OrderDate, None, 1.0),
        ("产品名称", Product, None, 1.0),
        ("品名", Product, None, 1.0),
        ("产品类别", Category, None, 1.0),
        ("数量", Quantity, None, 1.0),
        ("数量（件）", Quantity, None, 1.0),
        ("Qty", Quantity, None, 1.0),
        ("单价（元）", UnitPrice, None, 1.0),
        ("单价(元/件)", UnitPrice, None, 1.0),
        ("Unit Price", UnitPrice, None, 1.0),
        ("销售额", Amount, None, 1.0),
        ("销售金额", Amount, None, 1.0),
        ("金额", Amount, None, 1.0),
        ("成交金额", Amount, None, 1.0),
        ("含税金额", Amount, None, 1.0),
        ("营业额", Amount, None, 1.0),
        ("收入", Amount, None, 1.0),
        ("Sales", Amount, None, 1.0),
        ("Revenue", Amount, None, 1.0),
        ("Order Value", Amount, None, 1.0),
        ("销售额（元）", Amount, None, 1.0),
        ("销售额(万元)", Amount, None, 10000.0),
        ("销售额【万元】", Amount, None, 10000.0),
        ("销售额（单位：万元）", Amount, None, 10000.0),
        ("金额/万元", Amount, None, 10000.0),
        ("销售额万元", Amount, None, 10000.0),
        ("金额（千元）", Amount, None, 1000.0),
        ("Amount (RMB)", Amount, None, 1.0),
        ("Amount - RMB", Amount, None, 1.0),
        ("2024年销售额", Amount, Some(2024), 1.0),
        ("2023年度销售额（万元）", Amount, Some(2023), 10000.0),
        ("销售额（元） 2023年", Amount, Some(2023), 1.0),
        ("销售额(万元) 2022", Amount, Some(2022), 10000.0),
        ("FY2024 Revenue", Amount, Some(2024), 1.0),
        ("24年销售额", Amount, Some(2024), 1.0),
        ("销售额(2023)", Amount, Some(2023), 1.0),
        ("累计销售额", Amount, None, 1.0),
        ("成本", Cost, None, 1.0),
        ("毛利", Profit, None, 1.0),
        ("退货金额", Returns, None, 1.0),
        ("应收账款", Receivable, None, 1.0),
        ("欠款（元）", Receivable, None, 1.0),
        ("账期（天）", PaymentDays, None, 1.0),
        ("Payment Terms", PaymentDays, None, 1.0),
        ("信用额度(万元)", CreditLimit, None, 10000.0),
        ("满意度", Satisfaction, None, 1.0),
        ("满意度（%）", Satisfaction, None, 0.01),
        ("满意度(分)", Satisfaction, None, 1.0),
        ("推荐意愿(0-10)", Nps, None, 1.0),
        ("NPS", Nps, None, 1.0),
        ("跟进状态", LeadStatus, None, 1.0),
        ("预计购买时间", PurchaseTiming, None, 1.0),
        ("投诉内容", Complaints, None, 1.0),
        ("好评", Praise, None, 1.0),
        ("意见建议", Suggestions, None, 1.0),
        ("性别", Gender, None, 1.0),
        ("年龄", Age, None, 1.0),
        ("年龄（岁）", Age, None, 1.0),
        ("出生日期", BirthDate, None, 1.0),
        ("月收入（元）", Income, None, 1.0),
        ("职业", Occupation, None, 1.0),
        ("学历", Education, None, 1.0),
        ("注册时间", RegisteredDate, None, 1.0),
        ("最近联系日期", LastContactDate, None, 1.0),
        ("购买次数", OrderCount, None, 1.0),
        ("最近购买日期", LastOrderDate, None, 1.0),
        ("Last Order Date", LastOrderDate, None, 1.0),
        ("客户信息 客户名称", CustomerName, None, 1.0),
        ("联系方式 手机", Phone, None, 1.0),
        ("Contact Phone", Phone, None, 1.0),
        ("最近一次下单时间", LastOrderDate, None, 1.0),
        ("首次签约日期", FirstOrderDate, None, 1.0),
        ("Latest Order Date", LastOrderDate, None, 1.0),
        ("Sales Rep Name", Salesperson, None, 1.0),
    ];

    #[test]
    fn headers_map_to_fields() {
        let mut failures = Vec::new();
        for &(header, field, year, scale) in HEADERS {
            let got = match_header(header);
            let ok = got
                .first()
                .is_some_and(|m| m.field == field && m.year == year && m.scale == scale);
            if !ok {
                failures.push(format!(
                    "{header:?}: want {field} {year:?} ×{scale}, got {got:?}"
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// Header text → confidence of the best match.
    const CONFIDENCES: &[(&str, f32)] = &[
        ("客户名称", 1.0),
        ("金额", 0.8),
        ("日期", 0.8),
        ("客户名称（全称）", 0.9),
        ("金额（含税）", 0.72),
        ("销售额（元） 2023年", 1.0),
        ("客户信息 客户名称", 0.95),
        ("累计销售额", 0.81),
        ("公司电话", 0.775),
    ];

    #[test]
    fn confidences_follow_the_rules() {
        for &(header, want) in CONFIDENCES {
            let got = match_header(header);
            assert_eq!(
                got.first().map(|m| m.confidence),
                Some(want),
                "{header}: {got:?}"
            );
        }
    }

    /// Headers that name no field.
    const UNMATCHED: &[&str] = &[
        "",
        "   ",
        "备注",
        "序号",
        "2023年",
        "2023",
        "客户类型",
        "客户等级",
        "订单状态",
        "毛利率",
        "销售额占比",
        "目标销售额",
        "Sales Target",
        "Growth Rate",
        "Page Usage",
        "回款日期",
        "预计成交金额",
        "xyz",
        "（",
        "）)",
        "【】",
    ];

    #[test]
    fn unrelated_headers_match_nothing() {
        for header in UNMATCHED {
            let got = match_header(header);
            assert!(got.is_empty(), "{header:?}: {got:?}");
        }
    }

    /// Headers whose two best fields are within a near-tie.
    const AMBIGUOUS_HEADERS: &[(&str, &[Field])] = &[
        ("订单数量", &[Quantity, OrderCount]),
        ("退货数量", &[Quantity, Returns]),
    ];

    #[test]
    fn near_ties_are_ambiguous() {
        for &(header, fields) in AMBIGUOUS_HEADERS {
            let mapping = map_columns(&[header.to_string()], &Overrides::default());
            let column = &mapping.columns[0];
            assert_eq!(column.status, Status::Ambiguous, "{header}: {column:?}");
            assert_eq!(column.field, None);
            assert_eq!(column.alternatives, fields, "{header}");
        }
    }

    fn headers(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn summary(m: &Mapping) -> Vec<(Option<Field>, Status)> {
        m.columns.iter().map(|c| (c.field, c.status)).collect()
    }

    /// Header rows → (field, status) of each column.
    #[allow(clippy::type_complexity)]
    const SHEETS: &[(&[&str], &[(Option<Field>, Status)])] = &[
        (
            &["客户名称", "金额", "金额"],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(Amount), Status::Auto),
                (None, Status::Ambiguous),
            ],
        ),
        (
            &["日期", "订单日期", "金额"],
            &[
                (None, Status::Ambiguous),
                (Some(OrderDate), Status::Auto),
                (Some(Amount), Status::Auto),
            ],
        ),
        (
            &["金额", "销售额"],
            &[(None, Status::Ambiguous), (Some(Amount), Status::Auto)],
        ),
        (
            &["客户", "2023年销售额", "2024年销售额", "", "备注"],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(Amount), Status::Auto),
                (Some(Amount), Status::Auto),
                (None, Status::Ignored),
                (None, Status::Extra),
            ],
        ),
        (
            &[
                "客户名称",
                "销售额（元） 2023年",
                "销售额（元） 2024年",
                "销售额（元） 2024年",
            ],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(Amount), Status::Auto),
                (Some(Amount), Status::Auto),
                (None, Status::Ambiguous),
            ],
        ),
        (
            &["电话", "手机"],
            &[(Some(Phone), Status::Auto), (None, Status::Ambiguous)],
        ),
    ];

    #[test]
    fn each_field_goes_to_one_column() {
        for &(row, want) in SHEETS {
            let mapping = map_columns(&headers(row), &Overrides::default());
            assert_eq!(summary(&mapping), want, "{row:?}");
        }
    }

    #[test]
    fn duplicates_list_the_contested_field() {
        let mapping = map_columns(&headers(&["日期", "订单日期"]), &Overrides::default());
        assert_eq!(mapping.columns[0].alternatives, vec![OrderDate]);
        assert_eq!(mapping.columns[0].confidence, 0.8);
    }

    #[test]
    fn year_columns_and_column_of() {
        let row = headers(&[
            "客户名称",
            "2024年销售额",
            "销售额（万元） 2023年",
            "销售额",
        ]);
        let mapping = map_columns(&row, &Overrides::default());
        assert_eq!(mapping.year_columns(Amount), vec![(2023, 2), (2024, 1)]);
        assert_eq!(mapping.column_of(Amount), Some(3));
        assert_eq!(mapping.column_of(CustomerName), Some(0));
        assert_eq!(mapping.column_of(OrderDate), None);
        assert_eq!(mapping.columns[2].scale, 10000.0);
        assert_eq!(mapping.columns[2].letter, "C");
    }

    /// Override JSON, header row → (field, status) of each column.
    #[allow(clippy::type_complexity)]
    const OVERRIDES: &[(&str, &[&str], &[(Option<Field>, Status)])] = &[
        (
            r#"{"客户简称": "customer_name", "C": "amount", "备注": "ignore"}"#,
            &["客户简称", "销售额", "回款", "备注"],
            &[
                (Some(CustomerName), Status::Overridden),
                (None, Status::Ambiguous),
                (Some(Amount), Status::Overridden),
                (None, Status::Ignored),
            ],
        ),
        (
            r#"{"b": "order_date", "D": "ignore"}"#,
            &["客户", "日期2", "", ""],
            &[
                (Some(CustomerName), Status::Auto),
                (Some(OrderDate), Status::Overridden),
                (None, Status::Ignored),
                (None, Status::Ignored),
            ],
        ),
        (
            r#"{"Ｃｌｉｅｎｔ": "客户名称", "金额": "忽略"}"#,
            &["client", "金额"],
            &[
                (Some(CustomerName), Status::Overridden),
                (None, Status::Ignored),
            ],
        ),
        (
            r#"{"A": "customer_id", "A ": "customer_name"}"#,
            &["A", "B"],
            &[
                (Some(CustomerId), Status::Overridden),
                (None, Status::Extra),
            ],
        ),
        (
            r#"{"金额": "amount", "A": "cost"}"#,
            &["金额", "金额"],
            &[
                (Some(Cost), Status::Overridden),
                (Some(Amount), Status::Overridden),
            ],
        ),
    ];

    #[test]
    fn overrides_win() {
        for &(json, row, want) in OVERRIDES {
            let overrides = Overrides::from_json(json).unwrap();
            let mapping = map_columns(&headers(row), &overrides);
            assert_eq!(summary(&mapping), want, "{json}");
        }
    }

    #[test]
    fn override_keeps_year_and_unit_of_the_header() {
        let overrides = Overrides::from_json(r#"{"B": "amount"}"#).unwrap();
        let mapping = map_columns(&headers(&["客户", "2024 营收（万元）"]), &overrides);
        let column = &mapping.columns[1];
        assert_eq!((column.year, column.scale), (Some(2024), 10000.0));
        assert_eq!(mapping.year_columns(Amount), vec![(2024, 1)]);
    }

    #[test]
    fn unmatched_override_keys_are_reported() {
        let overrides =
            Overrides::from_json(r#"{"客户简称": "customer_name", "ZZ": "amount"}"#).unwrap();
        assert_eq!(
            overrides.unmatched(&headers(&["客户简称", "金额"])),
            vec!["ZZ"]
        );
    }

    /// Override JSON → a piece of the error detail.
    const BAD_OVERRIDES: &[(&str, &str)] = &[
        (
            r#"{"C": "amout"}"#,
            r#"unknown field "amout"; valid: customer_id, customer_name"#,
        ),
        (r#"{"C": "amout"}"#, "last_order_date, ignore"),
        (r#"{"C": 3}"#, "must be a string"),
        (r#"["C", "amount"]"#, "must be a JSON object"),
        (r#"{"C": "amount""#, "must be a JSON object"),
        (r#"{"": "amount"}"#, "column name is empty"),
        ("", "must be a JSON object"),
    ];

    #[test]
    fn bad_overrides_say_what_is_valid() {
        for &(json, want) in BAD_OVERRIDES {
            let err = Overrides::from_json(json).unwrap_err();
            assert_eq!(err.code(), "bad_option");
            let crate::ErrorKind::BadOption { detail } = err.kind() else {
                panic!("{err:?}");
            };
            assert!(detail.contains(want), "{json}: {detail}");
        }
    }

    #[test]
    fn overrides_round_trip_through_serde() {
        let overrides = Overrides::from_json(r#"{"C": "amount", "备注": "ignore"}"#).unwrap();
        let json = serde_json::to_string(&overrides).unwrap();
        assert_eq!(json, r#"{"C":"amount","备注":"ignore"}"#);
        assert_eq!(serde_json::from_str::<Overrides>(&json).unwrap(), overrides);
        assert!(serde_json::from_str::<Overrides>(r#"{"C": "nope"}"#).is_err());
    }

    /// A real header row, then rows around it that must score lower: (row, must be negative).
    const HEADER_ROW: &[&str] = &["客户名称", "所属区域", "销售额（元）", "订单日期", "备注"];
    const NOT_HEADER_ROWS: &[(&[&str], bool)] = &[
        (&["2024年客户销售明细表", "", "", "", ""], true),
        (&["注：金额单位为元", "", "", "", ""], true),
        (&["单位：万元"], true),
        (
            &["张三贸易有限公司", "华东", "12,000.50", "2024-01-05", ""],
            true,
        ),
        (&["张三贸易有限公司", "华东", "", "", "老客户"], false),
        (&["", "", "", "", ""], false),
    ];

    #[test]
    fn header_row_scores_highest() {
        let header = header_row_score(HEADER_ROW);
        assert!(header >= 3.0, "{header}");
        for &(row, negative) in NOT_HEADER_ROWS {
            let score = header_row_score(row);
            assert!(score < header - 2.0, "{row:?}: {score} vs {header}");
            assert!(!negative || score < 0.0, "{row:?}: {score}");
        }
    }

    /// Header rows of real shapes that must beat the rows around them.
    const HEADER_ROWS: &[(&[&str], &[&str])] = &[
        (
            &["Customer", "Region", "Order Date", "Amount"],
            &["Acme Ltd", "East", "2024/1/5", "1200"],
        ),
        (
            &["姓名", "性别", "年龄", "手机号", "注册时间"],
            &["李四", "男", "35", "13800138000", "2023年5月1日"],
        ),
        (
            &["客户名称", "销售额（元）", "", ""],
            &["", "2023年", "2024年", "2025年"],
        ),
    ];

    #[test]
    fn header_rows_beat_their_neighbours() {
        for &(header, other) in HEADER_ROWS {
            let (h, o) = (header_row_score(header), header_row_score(other));
            assert!(h > o, "{header:?} {h} vs {other:?} {o}");
        }
    }

    /// Index → letter.
    const LETTERS: &[(u32, &str)] = &[
        (0, "A"),
        (1, "B"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (16383, "XFD"),
    ];

    #[test]
    fn letters() {
        for &(index, letter) in LETTERS {
            assert_eq!(column_letter(index), letter);
            assert_eq!(letter_index(letter), Some(index as usize));
        }
        assert!(!column_letter(u32::MAX).is_empty());
    }

    #[test]
    fn field_keys_labels_and_serde_agree() {
        let mut keys: Vec<&str> = Field::ALL.iter().map(Field::key).collect();
        for f in Field::ALL {
            assert_eq!(
                serde_json::to_string(&f).unwrap(),
                format!("\"{}\"", f.key())
            );
            assert_eq!(Field::from_key(f.key()), Some(f));
            let back: Field = serde_json::from_str(&format!("\"{}\"", f.key())).unwrap();
            assert_eq!(back, f);
            assert_eq!(Field::from_key(f.label_zh()), Some(f));
            assert!(!f.label_en().is_empty());
        }
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Field::ALL.len());
        let mut labels: Vec<&str> = Field::ALL.iter().map(Field::label_zh).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), Field::ALL.len());
    }

    #[test]
    fn every_field_has_spellings_and_each_spelling_finds_its_field() {
        for f in Field::ALL {
            assert!(
                DICTIONARY.iter().any(|e| e.field == f),
                "{f} has no spellings"
            );
        }
        for entry in DICTIONARY {
            for spelling in entry.specific.iter().chain(entry.generic) {
                let got = match_header(spelling);
                assert!(
                    got.iter().any(|m| m.field == entry.field),
                    "{spelling:?} → {got:?}"
                );
                let shared = SHARED_SPELLINGS.contains(spelling);
                assert_eq!(
                    got.len() > 1,
                    shared,
                    "{spelling:?} is in two fields: {got:?}"
                );
            }
        }
    }

    #[test]
    fn docs_list_every_field() {
        let docs = include_str!("../../docs/mapping.md");
        for f in Field::ALL {
            let row = format!("| `{}` | {} | {} |", f.key(), f.label_zh(), f.label_en());
            assert!(docs.contains(&row), "docs/mapping.md lacks {row}");
        }
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "(((",
            ")))",
            "[(])",
            "年年年",
            "fy",
            "FY99",
            "2024年2025年",
            "İstanbul",
            "\u{0}",
        ] {
            let _ = match_header(text);
            let _ = header_row_score(&[text, text]);
        }
    }
}
