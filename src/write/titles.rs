//! The results workbook's words for the keys and the enum values of the report's analyses, in
//! Chinese and English: the page's words (www/src/i18n.js) where it has them, the report's
//! vocabulary for value tiers and BCG quadrants. The analysis
//! sheets are written from the report's serialized form, so every key they can meet is here.

use crate::report::{Lang, Vocabulary};

/// `key|中文|English`, one a line; `parent.key` where a key means something else in one table,
/// `=value` for an enum value the vocabulary does not name. An English left empty is the key
/// as words (`log_likelihood`: "Log likelihood"). A key absent here is a symbol of its model
/// (r, a, b, k, p, q, v) and is shown as it is.
const TITLES: &str = "\
label|类别|Group
customers|客户数|
customer_share|客户占比 %|Customer share %
amount|金额|
amount_share|金额占比 %|Amount share %
action|建议行动|Suggested action
customer|客户|
value|取值|
year|年份|
years|年份|
growth|增长率 %|Growth %
period|期间|
period.label|比较期间|Compared
from|起|From
to|止|To
vs_from|对比起|Compared from
vs_to|对比止|Compared to
prospects|潜在客户（未购买）|Prospects (never bought)
frequency_basis|F 的口径|What F counts
unranked|未分类客户（金额 ≤ 0）|Not classed (amount ≤ 0)
unranked_amount|未分类客户金额|Amount of those not classed
new|新增|
lost|流失|
returning|回流|
net|净变化|
total|期末|
recency_days|沉默天数|Days silent
interval_days|平均间隔天数|Usual interval (days)
amount_at_risk|风险金额|
p_alive|存活概率|P(alive)
conversion|转化率 %|Conversion %
leads|线索数|
bought|已购买|
score|得分|
grade|等级|
support|支持度 %|Support %
lift|提升度|
weight|权重 %|Weight %
abc_class|ABC 类|ABC class
above|分数线|
active_rate|活跃率 %|Active rate %
actual|实际|
alerted|预警客户数|Customers alerted
alerts|预警客户|Alerted customers
alpha|α|α
amount_after|本期金额|Amount after
amount_before|对比期金额|Amount before
amount_change|金额同比 %|Amount YoY %
amount_per_customer|客均金额|
as_of|分析基准日|
bgnbd|BG/NBD 模型|BG/NBD model
breakdowns|分组|
by_amount|按累计金额分类|Classes by cumulative amount
by_count|按客户数分类|Classes by customer count
by_year|分年|
calibration_end|校准截止日|
change|变化|
churn|流失|
churn_rate|流失率 %|Churn rate %
lost_in_period|期内发生流失|Lost in the period
period_churn_rate|期内流失率 %|Period churn rate %
class_name|ABC 类|ABC class
count_name|按客户数|By customer count
amount_name|按累计金额|By cumulative amount
definition|定义|
cluster|聚类|
clusters|聚类|
columns|满意度列|Satisfaction columns
compared|对比年份|Years compared
confidence_ab|置信度 A→B %|Confidence A→B %
confidence_ba|置信度 B→A %|Confidence B→A %
converged|已收敛|
correlation_warning|提示|Warning
cumulative|累计复购|Cumulative repeat purchases
customers_at_start|期初客户|Customers at the start
customers_change|客户数同比 %|Customers YoY %
customers_clustered|参与聚类的客户|
customers_fitted|参与拟合的客户|
customers_for_a_share|带来 A 类金额的客户占比 %|Customers bringing the A share %
customers_graded|评级客户|
customers_ranked|参与排名的客户|
customers_scored|评分客户|
detractors|贬损者|
dimensions|维度|
disagreements|价值高但信用差的客户|High value, poor credit
end|结束|
evaluations|计算次数|
expected|预期|
features|特征|
freq_monetary_correlation|频次与金额相关系数|Frequency–spend correlation
funnel|漏斗|
gamma_gamma|Gamma-Gamma 模型|Gamma-Gamma model
gamma_gamma_error|无法预测金额|No spend model
grades|等级|
groups|分组|
growth_split|增长率分割线 %|Growth split %
header|列|Column
high|上限|
higher_is_better|越高越好|
holdout|验证期|
holdout_from|验证期开始|
indicators|指标|
invalid|无效回答|Invalid answers
item|项目|
items|个数|
iterations|迭代次数|
key_customers|重点客户数|
labels|名称|Names
log_likelihood|对数似然|Log-likelihood
lost_days|流失天数|Days to lost
low|下限|
mean|均值|
mean_clv|平均 CLV|Mean CLV
mean_frequency|平均频次|
mean_monetary|平均金额|
mean_p_alive|平均存活概率|Mean P(alive)
mean_recency_days|平均最近购买天数|Mean recency (days)
mean_score|平均得分|
means|均值|
overdue|超期倍数|Overdue ×
pairs|常一起购买的产品|Products bought together
passives|被动者|
period_days|期间天数|Period (days)
periods|期间|
placed|参与象限|
points|散点|
predicted|预测|
preferences|偏好|
products|产品|
promoters|推荐者|
quadrants|象限|
quantity|数量|
rank_after|本期排名|Rank after
rank_before|对比期排名|Rank before
reasons|原因|
repeat_buyers|复购客户|
responses|回答数|
retention_rate|留存率 %|Retention rate %
rows|明细|
scale|量表|
scores|各分值客户数（1–5 分）|Customers per score (1–5)
segments|分群|
share|份额 %|Share %
share_split|份额分割线 %|Share split %
silhouettes|轮廓系数|
stages|阶段|
start|开始|
statuses|线索状态|Lead statuses
thresholds|阈值|
frequency|频次|
monetary|金额|
tiers|等级|
timing|购买时机|Purchase timing
top20_share|前 20% 客户的金额占比 %|Top 20% share %
top_decline|下降最多|Biggest decrease
top_growth|增长最多|Biggest increase
top_rank_down|排名下降|Rank down
top_rank_up|排名上升|Rank up
top_total|金额最多|Largest total
total_amount|金额合计|
total_clv|CLV 合计|Total CLV
value_tier|价值等级|
clv|CLV|CLV
quadrant|象限|
by|分组依据|Breakdown
key|键|
class|类|
tier|等级|
stage|阶段|
field|字段|
scores.r|R|
scores.f|F|
scores.m|M|
pairs.a|产品 A|Product A
pairs.b|产品 B|Product B
top.total|累计金额|Total amount
bcg.customers|客户|
horizon|预测月数|Months ahead
level|区间置信度 %|Interval level %
peak|旺季指数线|Peak index from
off|淡季指数线|Off-season index to
first_month|首月|First month
last_month|末月|Last month
partial_month|未满月|Partial month
whole_months|完整月数|Whole months
amounts|各月金额|Monthly amounts
index|季节指数|Seasonal index
peak_months|旺季月份|Peak months
off_months|淡季月份|Off-season months
forecast|预测|
declined|未预测原因|Why no forecast
name|名称|
point|预测值|Forecast
lower|区间下限|Interval low
upper|区间上限|Interval high
wape|留出误差 WAPE %|Held-out WAPE %
mae|平均绝对误差|Mean absolute error
inside|落入区间月数|Months inside the interval
threshold|月均门槛|Monthly threshold
months|月数|
key_multiple|重点大客户倍数|Key account multiple
strategic_multiple|战略大客户倍数|Strategic account multiple
slip_drop|下滑判定降幅 %|Slipping drop %
company_amount|全部客户本期金额|All customers' amount in the period
slipping|下滑|
monthly_from|月均贡献起点|Monthly contribution from
files|大客户档案|Big customer files
monthly_amount|月均贡献|Monthly contribution
rank|本期排名|
rank_change|排名变化|
industry|行业|
region|区域|
last_order_date|最近购买日|Last order
slips|下滑原因|Why slipping
period.months|本期数据月数|Months of data
files.amount|本期金额|Amount in the period
files.amount_before|上年同期金额|Same period a year earlier
months_back|回看月数|Months back
high_risk|高风险概率起点|High risk from
medium_risk|中风险概率起点|Medium risk from
l2|L2 惩罚|L2 penalty
cutoff|截止日|Cutoff
sample|样本客户|Customers in the sample
leavers|其中流失|Of them, left
base_rate|基础流失率 %|Base rate %
holdout_customers|留出评估客户|Customers held out
holdout_base_rate|留出客户流失率 %|Held-out base rate %
auc|AUC（留出样本）|AUC (held out)
top_decile|得分前 10% 的留出客户|Top 10% of held-out by score
precision|其中流失占比 %|Share who left %
left|其中流失|Of them, left
weights|特征权重|Feature weights
weights.weight|标准化权重|Standardised weight
feature|特征|
odds_ratio|优势比（每标准差）|Odds ratio per SD
scored|评分客户|Customers scored
bands|流失风险分布|Churn risk bands
bands.from|概率起点|Probability from
band|流失风险|Churn risk
at_risk|流失风险最高的客户|Customers most at risk
probability|流失概率|Churn probability
alert|预流失预警|Pre-churn alert
left_out|反馈未知的客户|Customers whose feedback is unknown
overall|全部客户|All customers
with_feedback|有反馈的客户|Customers with feedback
with_complaints|有投诉的客户|Customers with a complaint
with_praise|有好评的客户|Customers with praise
with_suggestions|有建议的客户|Customers with a suggestion
complaints|投诉|
praise|好评|
suggestions|建议|
complaint_rate|投诉率 %|Complaint rate %
praise_rate|好评率 %|Praise rate %
suggestion_rate|建议率 %|Suggestion rate %
orders|订单数|
complaints_per_100_orders|每百单投诉|Complaints per 100 orders
praise_per_complaint|好评/投诉|Praise per complaint
by_churn_risk|按流失风险|By churn risk
by_lifecycle|按生命周期|By lifecycle stage
top_complaints|投诉最多的客户|Customers with most complaints
=silence|沉默超期|Silent too long
=low_p_alive|存活概率低|Low P(alive)
=month|按月|Monthly
=quarter|按季度|Quarterly
=year|按年|Yearly";

/// The words for `key` in `lang`, from `TITLES`.
fn lookup(key: &str, lang: Lang) -> Option<String> {
    let line = TITLES
        .split('\n')
        .find(|l| l.split('|').next() == Some(key))?;
    let mut parts = line.split('|').skip(1);
    let (zh, en) = (parts.next()?, parts.next()?);
    Some(match (lang, en) {
        (Lang::Zh, _) => zh.to_string(),
        (Lang::En, "") => words(key),
        (Lang::En, en) => en.to_string(),
    })
}

/// `log_likelihood` (or `top.total`, `=month`) as "Log likelihood" ("Total", "Month").
fn words(key: &str) -> String {
    let last = key
        .rsplit('.')
        .next()
        .unwrap_or(key)
        .trim_start_matches('=');
    let mut s = last.replace('_', " ");
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}

/// The title of `key` in an object or table under `parent`.
pub fn title(parent: &str, key: &str, lang: Lang) -> String {
    // The movers' five tables (`top_total` …) share their words.
    let parent = if parent.starts_with("top_") {
        "top"
    } else {
        parent
    };
    lookup(&format!("{parent}.{key}"), lang)
        .or_else(|| lookup(key, lang))
        .unwrap_or_else(|| key.to_string())
}

/// Columns that repeat, as a key, the `label` beside them: left out of a table with labels.
pub const KEYS_OF_LABELS: [&str; 10] = [
    "key", "class", "tier", "stage", "quadrant", "by", "field", "grade", "band", "feature",
];

/// The name of an enum value in column `key` (a value tier, a BCG quadrant, an alert's reason,
/// a period), or `None` when the column holds no enum or the value is not one of its keys.
pub fn value(key: &str, s: &str, vocabulary: &Vocabulary, lang: Lang) -> Option<String> {
    let labels = match key {
        "value_tier" => "value_tier",
        "quadrant" => "bcg",
        "grade" => "big_grade",
        "slips" => "slip",
        "band" => "churn_risk",
        "stage" => "lifecycle",
        "reasons" | "period" => return lookup(&format!("={s}"), lang),
        _ => return None,
    };
    let name = vocabulary.labels.get(labels)?.iter().find(|l| l.key == s)?;
    Some(lang.text(&name.text).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_scoped_keys_values_and_symbols() {
        let v = crate::report::vocabulary();
        assert_eq!(title("top_growth", "amount_after", Lang::Zh), "本期金额");
        assert_eq!(title("pairs", "a", Lang::En), "Product A");
        assert_eq!(title("bgnbd", "a", Lang::En), "a");
        assert_eq!(title("scores", "r", Lang::Zh), "R");
        assert_eq!(title("top_total", "total", Lang::En), "Total amount");
        assert_eq!(title("rows", "total", Lang::En), "Total");
        let val = |k, s, lang| value(k, s, &v, lang);
        assert_eq!(
            val("quadrant", "cash_cow", Lang::Zh).as_deref(),
            Some("金牛")
        );
        assert_eq!(val("value_tier", "vip", Lang::En).as_deref(), Some("VIP"));
        assert_eq!(
            val("reasons", "low_p_alive", Lang::En).as_deref(),
            Some("Low P(alive)")
        );
        assert_eq!(val("period", "2024-03", Lang::Zh), None);
        assert_eq!(val("value", "star", Lang::Zh), None);
    }
}
