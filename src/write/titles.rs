//! The results workbook's words for the keys and the enum values of the report's analyses, in
//! Chinese and English, the page's words (www/src/i18n.js) where it has them. The analysis
//! sheets are written from the report's serialized form, so every key they can meet is here.

use crate::report::{Lang, Vocabulary};

/// `key|中文|English`, one a line; `parent.key` where a key means something else in one table,
/// `=value` for an enum value the vocabulary does not name. A key absent here is a symbol of
/// its model (r, a, b, k, p, q, v) and is shown as it is.
const TITLES: &str = "\
label|类别|Group
customers|客户数|Customers
customer_share|客户占比 %|Customer share %
amount|金额|Amount
amount_share|金额占比 %|Amount share %
action|建议行动|Suggested action
customer|客户|Customer
value|取值|Value
year|年份|Year
years|年份|Years
growth|增长率 %|Growth %
period|期间|Period
new|新增|New
lost|流失|Lost
returning|回流|Returning
net|净变化|Net
total|期末|Total
recency_days|沉默天数|Days silent
interval_days|平均间隔天数|Usual interval (days)
amount_at_risk|风险金额|Amount at risk
p_alive|存活概率|P(alive)
conversion|转化率 %|Conversion %
leads|线索数|Leads
bought|已购买|Bought
score|得分|Score
grade|等级|Grade
support|支持度 %|Support %
lift|提升度|Lift
weight|权重 %|Weight %
abc_class|ABC 类|ABC class
above|分数线|Above
active_rate|活跃率 %|Active rate %
actual|实际|Actual
alerted|预警客户数|Customers alerted
alerts|预警客户|Alerted customers
alpha|α|α
amount_after|本年金额|Last year
amount_before|上年金额|Previous year
amount_change|金额同比 %|Amount YoY %
amount_per_customer|客均金额|Amount per customer
as_of|分析基准日|As of
bgnbd|BG/NBD 模型|BG/NBD model
breakdowns|分组|Breakdowns
by_amount|按累计金额分类|Classes by cumulative amount
by_count|按客户数分类|Classes by customer count
by_year|分年|By year
calibration_end|校准截止日|Calibration end
change|变化|Change
churn|流失|Churn
churn_rate|流失率 %|Churn rate %
class_name|ABC 类|ABC class
count_name|按客户数|By customer count
amount_name|按累计金额|By cumulative amount
definition|定义|Definition
cluster|聚类|Cluster
clusters|聚类|Clusters
columns|满意度列|Satisfaction columns
compared|对比年份|Years compared
confidence_ab|置信度 A→B %|Confidence A→B %
confidence_ba|置信度 B→A %|Confidence B→A %
converged|已收敛|Converged
correlation_warning|提示|Warning
cumulative|累计复购|Cumulative repeat purchases
customers_at_start|期初客户|Customers at the start
customers_change|客户数同比 %|Customers YoY %
customers_clustered|参与聚类的客户|Customers clustered
customers_fitted|参与拟合的客户|Customers fitted
customers_for_a_share|带来 A 类金额的客户占比 %|Customers bringing the A share %
customers_graded|评级客户|Customers graded
customers_ranked|参与排名的客户|Customers ranked
customers_scored|评分客户|Customers scored
detractors|贬损者|Detractors
dimensions|维度|Dimensions
disagreements|价值高但信用差的客户|High value, poor credit
end|结束|End
evaluations|计算次数|Evaluations
expected|预期|Expected
features|特征|Features
freq_monetary_correlation|频次与金额相关系数|Frequency–spend correlation
funnel|漏斗|Funnel
gamma_gamma|Gamma-Gamma 模型|Gamma-Gamma model
gamma_gamma_error|无法预测金额|No spend model
grades|等级|Grades
groups|分组|Groups
growth_split|增长率分割线 %|Growth split %
header|列|Column
high|上限|High
higher_is_better|越高越好|Higher is better
holdout|验证期|Holdout
holdout_from|验证期开始|Holdout from
indicators|指标|Indicators
invalid|无效回答|Invalid answers
item|项目|Item
items|个数|Items
iterations|迭代次数|Iterations
key_customers|重点客户数|Key customers
labels|名称|Names
log_likelihood|对数似然|Log-likelihood
lost_days|流失天数|Days to lost
low|下限|Low
mean|均值|Mean
mean_clv|平均 CLV|Mean CLV
mean_frequency|平均频次|Mean frequency
mean_monetary|平均金额|Mean monetary
mean_p_alive|平均存活概率|Mean P(alive)
mean_recency_days|平均最近购买天数|Mean recency (days)
mean_score|平均得分|Mean score
means|均值|Means
overdue|超期倍数|Overdue ×
pairs|常一起购买的产品|Products bought together
passives|被动者|Passives
period_days|期间天数|Period (days)
periods|期间|Periods
placed|参与象限|Placed
points|散点|Points
predicted|预测|Predicted
preferences|偏好|Preferences
products|产品|Products
promoters|推荐者|Promoters
quadrants|象限|Quadrants
quantity|数量|Quantity
rank_after|本年排名|Rank after
rank_before|上年排名|Rank before
reasons|原因|Reasons
repeat_buyers|复购客户|Repeat buyers
responses|回答数|Responses
retention_rate|留存率 %|Retention rate %
rows|明细|Rows
scale|量表|Scale
scores|各分值客户数（1–5 分）|Customers per score (1–5)
segments|分群|Segments
share|份额 %|Share %
share_split|份额分割线 %|Share split %
silhouettes|轮廓系数|Silhouettes
stages|阶段|Stages
start|开始|Start
statuses|线索状态|Lead statuses
thresholds|阈值|Thresholds
frequency|频次|Frequency
monetary|金额|Monetary
tiers|等级|Tiers
timing|购买时机|Purchase timing
top20_share|前 20% 客户的金额占比 %|Top 20% share %
top_decline|下降最多|Biggest decrease
top_growth|增长最多|Biggest increase
top_rank_down|排名下降|Rank down
top_rank_up|排名上升|Rank up
top_total|金额最多|Largest total
total_amount|金额合计|Total amount
total_clv|CLV 合计|Total CLV
value_tier|价值等级|Value tier
clv|CLV|CLV
quadrant|象限|Quadrant
by|分组依据|Breakdown
key|键|Key
class|类|Class
tier|等级|Tier
stage|阶段|Stage
field|字段|Field
scores.r|R|R
scores.f|F|F
scores.m|M|M
pairs.a|产品 A|Product A
pairs.b|产品 B|Product B
top_total.total|累计金额|Total amount
top_growth.total|累计金额|Total amount
top_decline.total|累计金额|Total amount
top_rank_up.total|累计金额|Total amount
top_rank_down.total|累计金额|Total amount
bcg.customers|客户|Customers
bcg.products|产品|Products
customers.new|新出现（上年无购买）|New (nothing the year before)
products.new|新出现（上年无购买）|New (nothing the year before)
=silence|沉默超期|Silent too long
=low_p_alive|存活概率低|Low P(alive)
=month|按月|Monthly
=quarter|按季度|Quarterly
=year|按年|Yearly";

/// The line of `key` in `TITLES`: its Chinese and English.
fn lookup(key: &str) -> Option<(&'static str, &'static str)> {
    TITLES.lines().find_map(|line| {
        let mut parts = line.split('|');
        if parts.next()? != key {
            return None;
        }
        Some((parts.next()?, parts.next()?))
    })
}

/// The title of `key` in an object or table under `parent`.
pub fn title(parent: &str, key: &str, lang: Lang) -> String {
    lookup(&format!("{parent}.{key}"))
        .or_else(|| lookup(key))
        .map_or_else(|| key.to_string(), |(zh, en)| lang.pick(zh, en).to_string())
}

/// Columns that repeat, as a key, the `label` beside them: left out of a table with labels.
pub const KEYS_OF_LABELS: [&str; 7] = ["key", "class", "tier", "stage", "quadrant", "by", "field"];

/// The name of an enum value in column `key` (a value tier, a BCG quadrant, an alert's reason,
/// a period), or `None` when the column holds no enum or the value is not one of its keys.
pub fn value(key: &str, s: &str, vocabulary: &Vocabulary, lang: Lang) -> Option<String> {
    let labels = match key {
        "value_tier" => "value_tier",
        "quadrant" => "bcg",
        "reasons" | "period" => {
            return lookup(&format!("={s}")).map(|(zh, en)| lang.pick(zh, en).to_string())
        }
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
        assert_eq!(title("top_growth", "amount_after", Lang::Zh), "本年金额");
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
