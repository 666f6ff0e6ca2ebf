//! When a result rests on too few customers or answers to be trusted as it reads: the notes that
//! say so beside the section, with the 95% interval where the number is a proportion.
//!
//! The thresholds are the usual rules of thumb, stated in docs/analyses.md: 30 for a proportion
//! (below it the normal approximation, and a reader's intuition, fail), five customers per RFM
//! score, and ten customers per cluster.

use crate::analyze::chart::Text;

/// Below this many customers (or answers) a rate is shown with its interval.
pub const FEW: u64 = 30;

/// The Wilson 95% interval of `k` in `n`, in percent; it stays within 0–100 even at k = 0 or n.
pub fn wilson(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 100.0);
    }
    let (k, n, z) = (k as f64, n as f64, 1.96_f64);
    let p = k / n;
    let centre = p + z * z / (2.0 * n);
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    let d = 1.0 + z * z / n;
    let pct = |x: f64| (100.0 * x / d).clamp(0.0, 100.0);
    (pct(centre - half), pct(centre + half))
}

/// `x` rounded to a whole number, never "-0".
fn whole(x: f64) -> f64 {
    x.round() + 0.0
}

/// The churn rate of `lost` in `at_start` customers, when they are few.
pub fn churn(lost: u64, at_start: u64) -> Option<Text> {
    (at_start > 0 && at_start < FEW).then(|| {
        let (lo, hi) = wilson(lost, at_start);
        let (lo, hi) = (whole(lo), whole(hi));
        Text::new(
            format!("流失率只基于 {at_start} 位期初客户，95% 区间 {lo:.0}%–{hi:.0}%"),
            format!(
                "The churn rate rests on {at_start} customers at the start: 95% interval {lo:.0}%–{hi:.0}%"
            ),
        )
    })
}

/// NPS from `promoters` and `detractors` in `n` answers, when they are few: the interval of
/// %promoters − %detractors from the variance of a three-way answer.
pub fn nps(promoters: u64, detractors: u64, n: u64) -> Option<Text> {
    (n > 0 && n < FEW).then(|| {
        let (p, d) = (promoters as f64 / n as f64, detractors as f64 / n as f64);
        let se = ((p + d - (p - d).powi(2)) / n as f64).sqrt();
        let at = |x: f64| whole((100.0 * x).clamp(-100.0, 100.0));
        let (lo, hi) = (at(p - d - 1.96 * se), at(p - d + 1.96 * se));
        Text::new(
            format!("NPS 只基于 {n} 份回答，95% 区间 {lo:.0} 至 {hi:.0}"),
            format!("NPS rests on {n} answers: 95% interval {lo:.0} to {hi:.0}"),
        )
    })
}

/// RFM scores of `n` customers, when there are fewer than five per score.
pub fn rfm(n: u64) -> Option<Text> {
    (n < 25).then(|| {
        Text::new(
            format!("只有 {n} 位客户参与评分：每个分数不到 5 位客户，一位客户就能改变分数和分群"),
            format!(
                "Only {n} customers are scored: under five per score, one customer can change the scores and segments"
            ),
        )
    })
}

/// Clusters of `n` customers in `k` groups, when a group averages fewer than ten.
pub fn clusters(n: u64, k: usize) -> Option<Text> {
    (n < 10 * k as u64).then(|| {
        Text::new(
            format!("只有 {n} 位客户分成 {k} 组：每组平均不到 10 位，分组不稳定"),
            format!("Only {n} customers in {k} clusters: under ten per cluster, the grouping is unstable"),
        )
    })
}

/// Big customers over less data than their period: the months the averages rest on, and whether
/// the year before could be compared.
pub fn big_customers(b: &crate::analyze::big_customers::BigCustomers) -> Option<Text> {
    let p = &b.period;
    let short = p.months < f64::from(b.options.months) - 0.5;
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if short && p.months < 1.0 {
        zh.push("数据只覆盖本期不到 1 个月，月均按 1 个月计算".to_string());
        en.push(
            "The data covers less than a month of the period; monthly averages divide by one month"
                .to_string(),
        );
    } else if short {
        zh.push(format!("数据只覆盖本期 {:.1} 个月，月均按此计算", p.months));
        en.push(format!(
            "The data covers {:.1} months of the period; monthly averages divide by them",
            p.months
        ));
    }
    if p.vs_from.is_none() {
        zh.push("数据不到上年同期，同期增减未知".to_string());
        en.push(
            "The data does not reach the same period a year earlier: no change is known"
                .to_string(),
        );
    }
    (!zh.is_empty()).then(|| Text::new(zh.join("；"), en.join("; ")))
}

/// A churn model measured on few customers, or not measured: the holdout's size, or why there is
/// no AUC.
pub fn churn_model(m: &crate::analyze::churn_model::ChurnModel) -> Option<Text> {
    if m.auc.is_none() {
        return Some(Text::new(
            "留出的评估样本中缺少流失或留存客户，模型质量无法评估",
            "The held-out customers lack leavers or stayers: the model's quality is not measured",
        ));
    }
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if let Some(auc) = m.auc.filter(|&a| a < WEAK_AUC) {
        let a = format!("{auc:.2}");
        zh.push(format!(
            "留出客户上的 AUC 为 {a}，低于 {WEAK_AUC}：模型几乎分不清流失与留存客户，风险排序只作弱参考"
        ));
        en.push(format!(
            "AUC {a} on the held-out customers, below {WEAK_AUC}: the model barely tells leavers from stayers; take its ranking as a weak hint"
        ));
    }
    if m.holdout_customers < FEW {
        let n = m.holdout_customers;
        zh.push(format!("AUC 只基于 {n} 位留出客户"));
        en.push(format!("The AUC rests on {n} held-out customers"));
    }
    (!zh.is_empty()).then(|| Text::new(zh.join("；"), en.join("; ")))
}

/// An AUC below this on held-out customers is said to be weak: 0.5 is chance, and the guides
/// read 0.6–0.7 as poor.
pub const WEAK_AUC: f64 = 0.6;

#[cfg(test)]
mod tests {
    use super::*;

    /// Wilson's interval, checked against the formula by hand: 2 of 10 → 5.7%–51.0%.
    #[test]
    fn wilson_by_hand() {
        let (lo, hi) = wilson(2, 10);
        assert!(
            (lo - 5.67).abs() < 0.01 && (hi - 50.98).abs() < 0.01,
            "{lo} {hi}"
        );
        let (lo, hi) = wilson(0, 5);
        assert!(lo.abs() < 1e-9 && (hi - 43.45).abs() < 0.01, "{hi}");
        assert_eq!(wilson(7, 7).1, 100.0);
    }

    /// 10 answers, 5 promoters, 2 detractors: NPS 30, p + d − (p − d)² = 0.7 − 0.09 = 0.61,
    /// se = √0.061 = 0.247, so 30 ± 48.4: −18 to 78.
    #[test]
    fn nps_interval_by_hand() {
        let t = nps(5, 2, 10).unwrap();
        assert!(t.en.ends_with("-18 to 78"), "{}", t.en);
        assert!(nps(50, 20, 100).is_none());
        // −0.4 rounds to 0, written without a sign.
        assert!(!nps(1, 1, 2).unwrap().en.contains("-0 "));
    }

    #[test]
    fn only_small_samples_are_noted() {
        assert!(churn(3, 12).unwrap().zh.contains("12 位"));
        assert!(churn(3, 30).is_none() && churn(0, 0).is_none());
        assert!(rfm(24).is_some() && rfm(25).is_none());
        assert!(clusters(29, 3).is_some() && clusters(30, 3).is_none());
    }
}
