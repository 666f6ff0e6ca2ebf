//! The canonical fields an analysis can read, their kinds and their names in both languages.

use serde::{Deserialize, Serialize};

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
    /// 婚姻状况: single, married, divorced …
    MaritalStatus,
    RegisteredDate,
    LastContactDate,
    /// A customer register's count of orders (购买次数).
    OrderCount,
    /// A customer register's most recent order date (最近购买日期).
    LastOrderDate,
    /// 订单状态: an order's or shipment's state (交易成功, 交易关闭, 已退款, completed …).
    OrderStatus,
    /// 币种: the currency of a line's amounts (CNY, USD, EUR …).
    Currency,
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
    pub const ALL: [Field; 49] = [
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
        Field::MaritalStatus,
        Field::RegisteredDate,
        Field::LastContactDate,
        Field::OrderCount,
        Field::LastOrderDate,
        Field::OrderStatus,
        Field::Currency,
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
            Field::MaritalStatus => ("marital_status", "婚姻状况", "Marital status", Category),
            Field::RegisteredDate => ("registered_date", "注册日期", "Registered date", Date),
            Field::LastContactDate => (
                "last_contact_date",
                "最近联系日期",
                "Last contact date",
                Date,
            ),
            Field::OrderCount => ("order_count", "购买次数", "Order count", Number),
            Field::LastOrderDate => ("last_order_date", "最近购买日期", "Last order date", Date),
            Field::OrderStatus => ("order_status", "订单状态", "Order status", Category),
            Field::Currency => ("currency", "币种", "Currency", Category),
        }
    }
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
