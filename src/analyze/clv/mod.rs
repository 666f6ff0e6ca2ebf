//! Predictive customer value (`analyses.clv`): runs the BG/NBD and Gamma-Gamma models of
//! [`crate::analyze::clv::model`] over the customers' purchase days and turns them into per-customer P(alive),
//! expected purchases and CLV, CLV tiers, and the population's expected against actual
//! cumulative repeat purchases.
//!
//! Definitions (docs/analyses.md): the calibration period ends at `calibration_end` (default the
//! last purchase day); purchases after it, up to the as-of date, form the holdout. Each customer
//! whose first purchase falls in the calibration period is summarised (lifetimes' convention,
//! time in days or weeks) and both models are fitted by maximum likelihood. Expected purchases and
//! CLV look `horizon_months` ahead of the calibration end, CLV discounted monthly at
//! `discount_rate`. CLV tiers: the top 20% of customers by CLV are high, the next 30% medium,
//! the rest low. The cumulative curve sums, per period, every customer's unconditional expected
//! repeat purchases since its first purchase, against the repeat purchases that happened.
//! Declined, with the reason, when the data cannot carry the model: a horizon beyond twice the
//! calibration span, or a fit that runs off to the bound where every customer buys at one rate
//! ([`model::FitError::Unidentified`]).

pub mod model;

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::days::{date_of, day_number};
use crate::facts::Facts;
use chrono::NaiveDate;
use model::{BgNbd, FitError, GammaGamma, Rfmt};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    Days,
    #[default]
    Weeks,
}

impl TimeUnit {
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClvOptions {
    /// End of the calibration period; default the last purchase day.
    pub calibration_end: Option<NaiveDate>,
    pub time_unit: TimeUnit,
    pub horizon_months: u32,
    /// Monthly discount rate (0.01 = 1% a month).
    pub discount_rate: f64,
    /// L2 penalty on the model parameters (0 = plain maximum likelihood).
    pub penalizer: f64,
    /// Key customers whose P(alive) is below this are pre-churn alerts.
    pub p_alive_alert: f64,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            calibration_end: None,
            time_unit: TimeUnit::Weeks,
            horizon_months: 12,
            discount_rate: 0.01,
            penalizer: 0.0,
            p_alive_alert: 0.5,
        }
    }
}

/// The longest CLV horizon: ten years of months.
const MAX_HORIZON_MONTHS: u32 = 120;

impl ClvOptions {
    pub fn check(&self) -> Result<(), String> {
        if !(1..=MAX_HORIZON_MONTHS).contains(&self.horizon_months) {
            return Err("clv.horizon_months must be within 1–120".into());
        }
        if !(self.discount_rate.is_finite() && (0.0..1.0).contains(&self.discount_rate)) {
            return Err("clv.discount_rate must be within 0–1 (a monthly rate)".into());
        }
        if !(self.penalizer.is_finite() && self.penalizer >= 0.0) {
            return Err("clv.penalizer must be a number ≥ 0".into());
        }
        if !(0.0..=1.0).contains(&self.p_alive_alert) {
            return Err("clv.p_alive_alert must be within 0–1".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClvTier {
    High,
    Medium,
    Low,
}

impl ClvTier {
    pub const ALL: [ClvTier; 3] = [ClvTier::High, ClvTier::Medium, ClvTier::Low];

    pub fn key(self) -> &'static str {
        match self {
            ClvTier::High => "high",
            ClvTier::Medium => "medium",
            ClvTier::Low => "low",
        }
    }

    pub fn label(self) -> Text {
        match self {
            ClvTier::High => Text::new("高价值（前20%）", "High (top 20%)"),
            ClvTier::Medium => Text::new("中价值（其后30%）", "Medium (next 30%)"),
            ClvTier::Low => Text::new("低价值（其余50%）", "Low (other 50%)"),
        }
    }
}

/// One customer's predictions.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CustomerClv {
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub clv: Option<f64>,
    pub tier: Option<ClvTier>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierRow {
    pub tier: ClvTier,
    pub label: Text,
    pub customers: u64,
    pub clv: f64,
}

/// The population's cumulative repeat purchases by period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cumulative {
    /// Start date of each period.
    pub periods: Vec<NaiveDate>,
    pub expected: Vec<f64>,
    pub actual: Vec<f64>,
    /// Index of the first holdout period, if there is a holdout.
    pub holdout_from: Option<usize>,
}

/// Predicted against actual repeat purchases in the holdout.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub predicted: f64,
    pub actual: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clv {
    pub options: ClvOptions,
    pub calibration_end: NaiveDate,
    pub customers_fitted: u64,
    pub repeat_buyers: u64,
    pub bgnbd: BgNbd,
    /// Absent when the spend model could not be fitted (`gamma_gamma_error` says why).
    pub gamma_gamma: Option<GammaGamma>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gamma_gamma_error: Option<Text>,
    /// Frequency and spend are correlated (|r| > 0.3): the spend model's assumption is strained.
    pub correlation_warning: Option<Text>,
    pub mean_p_alive: f64,
    pub mean_clv: Option<f64>,
    pub total_clv: Option<f64>,
    pub tiers: Vec<TierRow>,
    pub cumulative: Cumulative,
    pub holdout: Option<Holdout>,
    pub charts: Vec<Chart>,
}

/// Why the CLV analysis did not run, for the report.
pub fn explain(e: &FitError) -> Text {
    Text::new(e.message_zh(), e.to_string())
}

/// Most periods in the cumulative curve; longer spans use wider periods.
const MAX_PERIODS: i32 = 400;

/// Fits and scores. `Err` carries the explanation when the purchases cannot support a fit.
pub fn clv(facts: &Facts, o: &ClvOptions) -> Result<(Clv, Vec<Option<CustomerClv>>), Text> {
    let prepared = prepare(facts, o)?;
    let scored = score(&prepared.job).map_err(|e| explain(&e))?;
    Ok(finish(facts, o, &prepared, scored))
}

/// What fitting and scoring the models needs: each customer's summary and the settings. It is
/// the slow half of the analysis, and depends on nothing else in the report, so the page hands
/// it to its second worker ([`Job::to_bytes`]) while the other analyses run.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Per customer; `None` for one whose first purchase is after the calibration period.
    rows: Vec<Option<Rfmt>>,
    penalizer: f64,
    /// Periods (of `unit` days) ahead of the calibration end that expected purchases look.
    horizon: f64,
    /// Periods of the holdout (0 if none).
    holdout_length: f64,
    horizon_months: u32,
    discount_rate: f64,
    unit: f64,
}

/// A [`Job`] and the days it was made from, for [`finish`].
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub job: Job,
    first_day: i32,
    end: i32,
    as_of: i32,
}

/// The fitted models and each customer's predictions (no tiers yet).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    bg: BgNbd,
    gg: Result<GammaGamma, FitError>,
    per: Vec<Option<CustomerClv>>,
    /// Σ expected purchases in the holdout.
    holdout_predicted: f64,
}

/// Summarises each customer's purchases. `Err` explains why there is nothing to model.
pub fn prepare(facts: &Facts, o: &ClvOptions) -> Result<Prepared, Text> {
    let no_history = || {
        Text::new(
            "需要带订单日期的订单明细",
            "Needs an order list with order dates",
        )
    };
    if !facts.has.purchase_days {
        return Err(no_history());
    }
    let (first_day, last_day) = facts.day_span().ok_or_else(no_history)?;
    let as_of = facts.as_of.unwrap_or(last_day + 1);
    let end = o.calibration_end.map_or(last_day, day_number);
    if end < first_day {
        return Err(Text::new(
            "校准期结束日早于第一笔订单",
            "The calibration end is before the first order",
        ));
    }
    if let Some(why) = too_short(end - first_day, o.horizon_months) {
        return Err(why);
    }
    let unit = o.time_unit.days();
    let n = facts.customers.len();
    let mut rows: Vec<Option<Rfmt>> = Vec::with_capacity(n);
    let mut days: Vec<(i32, f64)> = Vec::new();
    for i in 0..n {
        days.clear();
        days.extend(facts.purchases(i));
        rows.push(model::summarize(&days, end, unit));
    }
    Ok(Prepared {
        job: Job {
            rows,
            penalizer: o.penalizer,
            horizon: f64::from(o.horizon_months) * model::DAYS_PER_MONTH / unit,
            holdout_length: f64::from((as_of - 1 - end).max(0)) / unit,
            horizon_months: o.horizon_months,
            discount_rate: o.discount_rate,
            unit,
        },
        first_day,
        end,
        as_of,
    })
}

/// How many times the calibration span a forecast may reach: the published checks forecast a
/// holdout as long as the calibration period (CDNOW: 39 weeks from 39); further out, the
/// forecast is the model's shape, not the data's.
const MAX_HORIZON_PER_SPAN: f64 = 2.0;

/// Why `span` days from the first purchase to the calibration end cannot carry a forecast of
/// `months`, if they cannot.
fn too_short(span: i32, months: u32) -> Option<Text> {
    // Whole months and days, printed as integers (float formatting would weigh on the wasm).
    let most = (MAX_HORIZON_PER_SPAN * f64::from(span) / model::DAYS_PER_MONTH) as u32;
    if months <= most {
        return None;
    }
    let need = (f64::from(months) * model::DAYS_PER_MONTH / MAX_HORIZON_PER_SPAN).ceil() as u32;
    let (or_zh, or_en) = if most >= 1 {
        (
            format!("，或把 clv.horizon_months 设为不超过 {most}"),
            format!(", or set clv.horizon_months to {most} or less"),
        )
    } else {
        (String::new(), String::new())
    };
    Some(Text::new(
        format!("订单只覆盖 {span} 天，不足以预测 {months} 个月：预测期最长为观察期的两倍，需要至少 {need} 天的订单{or_zh}"),
        format!("The orders span {span} days, too short to forecast {months} months: a forecast reaches at most twice the span observed, so it needs {need} days of orders{or_en}"),
    ))
}

/// Fits both models and predicts for every customer summarised. `Err`: the purchase model
/// could not be fitted (a spend model that cannot be is in [`Scored`]).
pub fn score(job: &Job) -> Result<Scored, FitError> {
    let fitted: Vec<Rfmt> = job.rows.iter().flatten().copied().collect();
    let bg = model::fit_bgnbd(&fitted, job.penalizer)?;
    let gg = model::fit_gamma_gamma(&fitted, job.penalizer);
    // Customers with the same (x, t_x, T) share P(alive) and the expected purchases; most share
    // them with others (everyone who bought once on the same day), so each distinct history is
    // scored once. CLV also reads a customer's spend, so it is shared only with the same spend
    // too. Rows are scored in (x, T) order, in which `counts` works out each expected count once.
    let mut order: Vec<(u64, u64, u64, u32)> = job
        .rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.as_ref()
                .map(|r| (r.x.to_bits(), r.t.to_bits(), r.t_x.to_bits(), i as u32))
        })
        .collect();
    // By bits, last key first: three stable radix passes give the order of the triples.
    crate::sort::by_key(&mut order, |e| e.2);
    crate::sort::by_key(&mut order, |e| e.1);
    crate::sort::by_key(&mut order, |e| e.0);
    let mut counts = model::CountMemo::default();
    let mut found: Vec<Option<(CustomerClv, f64)>> = vec![None; job.rows.len()];
    // The last history's (P(alive), expected purchases, holdout purchases), and its CLV by spend.
    let mut last_history = None;
    let mut shared = (0.0, 0.0, 0.0);
    let mut last_spend = None;
    let mut last_clv = None;
    for &(x, t, t_x, i) in &order {
        let (Some(Some(r)), Some(slot)) = (job.rows.get(i as usize), found.get_mut(i as usize))
        else {
            continue;
        };
        let history = Some((x, t, t_x));
        if last_history != history {
            let holdout = if job.holdout_length > 0.0 {
                bg.expected_purchases_memo(&mut counts, job.holdout_length, r.x, r.t_x, r.t)
            } else {
                0.0
            };
            shared = (
                bg.p_alive(r.x, r.t_x, r.t),
                bg.expected_purchases_memo(&mut counts, job.horizon, r.x, r.t_x, r.t),
                holdout,
            );
            last_spend = None;
        }
        let spend = Some(r.monetary.to_bits());
        if last_history != history || last_spend != spend {
            last_clv = gg.as_ref().ok().map(|gg| {
                model::clv(
                    &bg,
                    gg,
                    r,
                    job.horizon_months,
                    job.discount_rate,
                    job.unit,
                    &mut counts,
                )
            });
        }
        (last_history, last_spend) = (history, spend);
        let (p_alive, expected_purchases, holdout) = shared;
        *slot = Some((
            CustomerClv {
                p_alive,
                expected_purchases,
                clv: last_clv,
                tier: None,
            },
            holdout,
        ));
    }
    // Summed in customer order, as the predictions are listed.
    let mut holdout_predicted = 0.0;
    let per: Vec<Option<CustomerClv>> = found
        .into_iter()
        .map(|s| {
            s.map(|(c, h)| {
                holdout_predicted += h;
                c
            })
        })
        .collect();
    Ok(Scored {
        bg,
        gg,
        per,
        holdout_predicted,
    })
}

/// Tiers, the cumulative curve, the holdout and the charts, from what [`score`] gave for
/// `prepared`'s job.
pub fn finish(
    facts: &Facts,
    o: &ClvOptions,
    prepared: &Prepared,
    scored: Scored,
) -> (Clv, Vec<Option<CustomerClv>>) {
    let Prepared {
        job,
        first_day,
        end,
        as_of,
    } = prepared;
    let (first_day, end, as_of) = (*first_day, *end, *as_of);
    let Scored {
        bg,
        gg,
        mut per,
        holdout_predicted,
    } = scored;
    let rows = &job.rows;
    let unit = job.unit;
    let n = per.len();
    // Tiers by CLV rank: top 20% high, next 30% medium.
    let mut order: Vec<usize> = (0..n)
        .filter(|&i| per.get(i).copied().flatten().and_then(|c| c.clv).is_some())
        .collect();
    let value = |i: usize| {
        per.get(i)
            .copied()
            .flatten()
            .and_then(|c| c.clv)
            .unwrap_or(0.0)
    };
    crate::sort::by_key_then(
        &mut order,
        |&i| !crate::sort::f64_key(value(i)),
        |&a, &b| value(b).total_cmp(&value(a)).then(a.cmp(&b)),
    );
    let k = order.len();
    let mut tiers = [(0u64, 0.0f64); 3];
    let values: Vec<f64> = order.iter().map(|&i| value(i)).collect();
    for (rank, (&i, v)) in order.iter().zip(values).enumerate() {
        let tier = if rank * 5 < k {
            ClvTier::High
        } else if rank * 2 < k {
            ClvTier::Medium
        } else {
            ClvTier::Low
        };
        if let Some(t) = tiers.get_mut(tier as usize) {
            t.0 += 1;
            t.1 += v;
        }
        if let Some(Some(c)) = per.get_mut(i) {
            c.tier = Some(tier);
        }
    }
    let scored: Vec<&CustomerClv> = per.iter().flatten().collect();
    let mean_p_alive = scored.iter().map(|c| c.p_alive).sum::<f64>() / scored.len().max(1) as f64;
    let total_clv = gg
        .is_ok()
        .then(|| scored.iter().filter_map(|c| c.clv).sum::<f64>());
    let (gamma_gamma, gamma_gamma_error) = match gg {
        Ok(g) => (Some(g), None),
        Err(e) => (None, Some(explain(&e))),
    };
    let correlation_warning = gamma_gamma
        .as_ref()
        .filter(|g| g.freq_monetary_correlation.abs() > 0.3)
        .map(|g| {
            Text::new(
                format!(
                    "复购次数与平均金额相关（r = {:.2}），Gamma-Gamma 模型假设二者独立，消费预测可能偏差",
                    g.freq_monetary_correlation
                ),
                format!(
                    "Purchase frequency and spend are correlated (r = {:.2}); the Gamma-Gamma model assumes they are not, so spend predictions may be biased",
                    g.freq_monetary_correlation
                ),
            )
        });

    let cumulative = cumulative(facts, &bg, first_day, end, as_of, unit);
    let holdout = (end < as_of - 1).then(|| {
        let predicted = holdout_predicted;
        let actual = (0..n)
            .filter(|&i| rows.get(i).is_some_and(Option::is_some))
            .map(|i| {
                facts
                    .purchases(i)
                    .filter(|&(d, _)| d > end && d < as_of)
                    .count()
            })
            .sum::<usize>() as f64;
        Holdout {
            start: date_of(end + 1).unwrap_or_default(),
            end: date_of(as_of - 1).unwrap_or_default(),
            predicted,
            actual,
        }
    });
    let tier_rows: Vec<TierRow> = [ClvTier::High, ClvTier::Medium, ClvTier::Low]
        .iter()
        .zip(tiers.iter())
        .map(|(&tier, &(c, v))| TierRow {
            tier,
            label: tier.label(),
            customers: c,
            clv: v,
        })
        .collect();
    let charts = charts(&cumulative, &tier_rows, &per);
    (
        Clv {
            options: *o,
            calibration_end: date_of(end).unwrap_or_default(),
            customers_fitted: rows.iter().flatten().count() as u64,
            repeat_buyers: rows.iter().flatten().filter(|r| r.x > 0.0).count() as u64,
            bgnbd: bg,
            mean_clv: total_clv.map(|t| t / scored.len().max(1) as f64),
            total_clv,
            gamma_gamma,
            gamma_gamma_error,
            correlation_warning,
            mean_p_alive,
            tiers: tier_rows,
            cumulative,
            holdout,
            charts,
        },
        per,
    )
}

// The job and the answer cross between the workers as arrays of numbers (a `Float64Array` in
// the page): counts and flags are whole numbers, exact in an f64. Reading one never trusts it.

/// Numbers before the rows in a job (the settings, then the number of rows); each row is five
/// (summarised or not, x, t_x, T, monetary).
const JOB_HEAD: usize = 7;
/// Numbers before the customers in an answer; each customer is four (a flag: not summarised,
/// no CLV, with CLV; P(alive), expected purchases, CLV).
const ANSWER_HEAD: usize = 19;

impl Job {
    /// The job as numbers for the other worker.
    pub fn to_numbers(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(JOB_HEAD + 5 * self.rows.len());
        v.extend([
            self.penalizer,
            self.horizon,
            self.holdout_length,
            self.discount_rate,
            self.unit,
            f64::from(self.horizon_months),
            self.rows.len() as f64,
        ]);
        for r in &self.rows {
            v.extend(match r {
                None => [0.0; 5],
                Some(r) => [1.0, r.x, r.t_x, r.t, r.monetary],
            });
        }
        v
    }

    /// `None` unless `v` is what [`Job::to_numbers`] gave.
    pub fn from_numbers(v: &[f64]) -> Option<Job> {
        let (&[penalizer, horizon, holdout_length, discount_rate, unit, months, n], rows) =
            v.split_first_chunk::<JOB_HEAD>()?;
        let rows = rows.chunks_exact(5);
        // The horizon bounds each customer's scoring loop, as the options' check bounds it.
        let horizon_months = whole(months).filter(|m| (1..=MAX_HORIZON_MONTHS).contains(m))?;
        if !rows.remainder().is_empty() || Some(rows.len()) != whole(n) {
            return None;
        }
        Some(Job {
            rows: rows
                .map(|r| match r {
                    [0.0, ..] => Some(None),
                    &[1.0, x, t_x, t, monetary] => Some(Some(Rfmt {
                        x,
                        t_x,
                        t,
                        monetary,
                    })),
                    _ => None,
                })
                .collect::<Option<_>>()?,
            penalizer,
            horizon,
            holdout_length,
            horizon_months,
            discount_rate,
            unit,
        })
    }
}

/// [`score`]'s outcome as numbers for the worker that sent the job.
pub fn scored_to_numbers(scored: &Result<Scored, FitError>) -> Vec<f64> {
    let s = match scored {
        Err(e) => return fit_error_numbers(e).to_vec(),
        Ok(s) => s,
    };
    let mut v = Vec::with_capacity(ANSWER_HEAD + 4 * s.per.len());
    let bg = &s.bg;
    v.extend([
        4.0,
        bg.r,
        bg.alpha,
        bg.a,
        bg.b,
        bg.log_likelihood,
        f64::from(bg.iterations),
        f64::from(bg.evaluations),
        f64::from(u8::from(bg.converged)),
    ]);
    match &s.gg {
        Ok(g) => v.extend([
            4.0,
            g.p,
            g.q,
            g.v,
            g.log_likelihood,
            g.freq_monetary_correlation,
            g.repeat_buyers as f64,
            f64::from(g.iterations),
            f64::from(g.evaluations),
        ]),
        Err(e) => {
            v.extend(fit_error_numbers(e));
            v.extend([0.0; 6]);
        }
    }
    v.push(s.holdout_predicted);
    for c in &s.per {
        v.extend(match c {
            None => [0.0; 4],
            Some(c) => match c.clv {
                None => [1.0, c.p_alive, c.expected_purchases, 0.0],
                Some(clv) => [2.0, c.p_alive, c.expected_purchases, clv],
            },
        });
    }
    v
}

/// `None` unless `v` is what [`scored_to_numbers`] gave for `job`: one prediction for each
/// customer the job summarised, and none for the others.
pub fn scored_from_numbers(v: &[f64], job: &Job) -> Option<Result<Scored, FitError>> {
    if let Some(e) = v.first_chunk::<3>().and_then(|h| fit_error_of(*h)) {
        return (v.len() == 3).then_some(Err(e));
    }
    let (head, per) = v.split_first_chunk::<ANSWER_HEAD>()?;
    let &[4.0, r, alpha, a, b, log_likelihood, iterations, evaluations, converged, gg @ .., holdout_predicted] =
        head
    else {
        return None;
    };
    let bg = BgNbd {
        r,
        alpha,
        a,
        b,
        log_likelihood,
        iterations: whole(iterations)?,
        evaluations: whole(evaluations)?,
        converged: match converged {
            0.0 => false,
            1.0 => true,
            _ => return None,
        },
    };
    let gg = match gg {
        [4.0, p, q, v, log_likelihood, freq_monetary_correlation, repeat_buyers, iterations, evaluations] => {
            Ok(GammaGamma {
                p,
                q,
                v,
                log_likelihood,
                freq_monetary_correlation,
                repeat_buyers: whole(repeat_buyers)?,
                iterations: whole(iterations)?,
                evaluations: whole(evaluations)?,
            })
        }
        [code, x, y, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] => Err(fit_error_of([code, x, y])?),
        _ => return None,
    };
    let per = per.chunks_exact(4);
    if !per.remainder().is_empty() || per.len() != job.rows.len() {
        return None;
    }
    let per = per
        .zip(&job.rows)
        .map(|(c, row)| match (c, row) {
            ([0.0, ..], None) => Some(None),
            (&[flag @ (1.0 | 2.0), p_alive, expected_purchases, clv], Some(_)) => {
                Some(Some(CustomerClv {
                    p_alive,
                    expected_purchases,
                    clv: (flag == 2.0).then_some(clv),
                    tier: None,
                }))
            }
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(Ok(Scored {
        bg,
        gg,
        per,
        holdout_predicted,
    }))
}

/// A whole number that fits `T`.
fn whole<T: TryFrom<u64>>(x: f64) -> Option<T> {
    if x.fract() != 0.0 || !(0.0..=9_007_199_254_740_992.0).contains(&x) {
        return None;
    }
    T::try_from(x as u64).ok()
}

/// A fit error as three numbers: its kind (0–3 or 5, never 4, which starts a fitted model) and
/// its counts or parameters.
fn fit_error_numbers(e: &FitError) -> [f64; 3] {
    match *e {
        FitError::TooFewCustomers { found, needed } => [0.0, found as f64, needed as f64],
        FitError::TooFewRepeatBuyers { found, needed } => [1.0, found as f64, needed as f64],
        FitError::NoSpread => [2.0, 0.0, 0.0],
        FitError::NotConverged { iterations } => [3.0, f64::from(iterations), 0.0],
        FitError::Unidentified { r } => [5.0, r, 0.0],
    }
}

fn fit_error_of([kind, x, y]: [f64; 3]) -> Option<FitError> {
    Some(match kind {
        0.0 => FitError::TooFewCustomers {
            found: whole(x)?,
            needed: whole(y)?,
        },
        1.0 => FitError::TooFewRepeatBuyers {
            found: whole(x)?,
            needed: whole(y)?,
        },
        2.0 if x == 0.0 && y == 0.0 => FitError::NoSpread,
        3.0 if y == 0.0 => FitError::NotConverged {
            iterations: whole(x)?,
        },
        5.0 if x.is_finite() && y == 0.0 => FitError::Unidentified { r: x },
        _ => return None,
    })
}

/// Expected against actual cumulative repeat purchases per period, from the first purchase to
/// the as-of date.
fn cumulative(
    facts: &Facts,
    bg: &BgNbd,
    first: i32,
    end: i32,
    as_of: i32,
    unit: f64,
) -> Cumulative {
    let span = (as_of - first).max(1);
    let mut width = unit.max(1.0) as i32;
    while span / width > MAX_PERIODS {
        width *= 2;
    }
    let periods = (span + width - 1) / width;
    let p = periods.max(1) as usize;
    // Customers by the period of their first purchase; actual repeats by period.
    let mut births = vec![0u64; p];
    let mut repeats = vec![0f64; p];
    let slot = |d: i32| (((d - first) / width).max(0) as usize).min(p - 1);
    for i in 0..facts.customers.len() {
        let mut it = facts.purchases(i).filter(|&(d, _)| d < as_of);
        let Some((d0, _)) = it.next() else { continue };
        if d0 > end {
            continue;
        }
        if let Some(b) = births.get_mut(slot(d0)) {
            *b += 1;
        }
        for (d, _) in it {
            if let Some(r) = repeats.get_mut(slot(d)) {
                *r += 1.0;
            }
        }
    }
    // E[X(t)] at each whole number of periods after birth, measured at the period's end.
    let lag: Vec<f64> = (0..=p)
        .map(|k| bg.expected_cumulative(f64::from(k as i32 * width) / unit))
        .collect();
    let mut expected = Vec::with_capacity(p);
    let mut actual = Vec::with_capacity(p);
    let mut acc = 0.0;
    for t in 0..p {
        let e: f64 = (0..=t)
            .map(|b| {
                births.get(b).copied().unwrap_or(0) as f64
                    * lag.get(t + 1 - b).copied().unwrap_or(0.0)
            })
            .sum();
        // Births in a period are spread over it: half a period of exposure on average.
        let half: f64 = (0..=t)
            .map(|b| {
                births.get(b).copied().unwrap_or(0) as f64 * lag.get(t - b).copied().unwrap_or(0.0)
            })
            .sum();
        expected.push((e + half) / 2.0);
        acc += repeats.get(t).copied().unwrap_or(0.0);
        actual.push(acc);
    }
    let holdout_from = (end + 1 < as_of).then(|| slot(end + 1)).filter(|&s| s > 0);
    Cumulative {
        periods: (0..p)
            .filter_map(|k| date_of(first + k as i32 * width))
            .collect(),
        expected,
        actual,
        holdout_from,
    }
}

fn charts(c: &Cumulative, tiers: &[TierRow], per: &[Option<CustomerClv>]) -> Vec<Chart> {
    let cats: Vec<Text> = c
        .periods
        .iter()
        .map(|d| Text::new(d.to_string(), d.to_string()))
        .collect();
    let mut histogram = [0u64; 10];
    for x in per.iter().flatten() {
        if let Some(h) = histogram.get_mut(((x.p_alive * 10.0) as usize).min(9)) {
            *h += 1;
        }
    }
    vec![
        Chart {
            id: "clv_cumulative".into(),
            kind: Kind::Line,
            title: Text::new(
                "累计复购：模型预期与实际",
                "Cumulative repeat purchases: expected and actual",
            ),
            categories: cats,
            keys: Vec::new(),
            series: vec![
                Series::new(
                    Text::new("模型预期", "Expected (BG/NBD)"),
                    Unit::Orders,
                    c.expected.clone(),
                ),
                Series::new(Text::new("实际", "Actual"), Unit::Orders, c.actual.clone()),
            ],
            x_title: None,
            y_title: Some(Text::new("累计复购次数", "Cumulative repeat purchases")),
        },
        Chart {
            id: "clv_p_alive".into(),
            kind: Kind::Bar,
            title: Text::new("客户存活概率分布", "P(alive) distribution"),
            categories: (0..10)
                .map(|b| {
                    let t = format!("{:.1}–{:.1}", f64::from(b) / 10.0, f64::from(b + 1) / 10.0);
                    Text::new(t.clone(), t)
                })
                .collect(),
            keys: Vec::new(),
            series: vec![Series::new(
                Text::new("客户数", "Customers"),
                Unit::Customers,
                histogram.iter().map(|&h| h as f64).collect(),
            )],
            x_title: Some(Text::new("存活概率", "P(alive)")),
            y_title: Some(Text::new("客户数", "Customers")),
        },
        Chart {
            id: "clv_tiers".into(),
            kind: Kind::Bar,
            title: Text::new("预测客户终身价值分层", "Predicted CLV tiers"),
            categories: tiers.iter().map(|t| t.label.clone()).collect(),
            keys: tiers.iter().map(|t| t.tier.key().to_string()).collect(),
            series: vec![Series::new(
                Text::new("预测价值合计", "Total predicted CLV"),
                Unit::Amount,
                tiers.iter().map(|t| t.clv).collect(),
            )],
            x_title: None,
            y_title: None,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(rows: Vec<Option<Rfmt>>) -> Job {
        Job {
            rows,
            penalizer: 0.0,
            horizon: 52.0,
            holdout_length: 0.0,
            horizon_months: 12,
            discount_rate: 0.01,
            unit: 7.0,
        }
    }

    /// Every customer's predictions are what the models give for that customer alone, however
    /// many share a history: regression for customers of the same (x, t_x, T) but different spend
    /// getting the CLV of the first of them.
    #[test]
    fn each_customer_is_scored_as_if_alone() {
        let mut seed = 7u64;
        let mut next = move |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        let mut rows: Vec<Option<Rfmt>> = (0..60)
            .map(|_| {
                let t = 20.0 + next(30) as f64;
                let x = next(6) as f64;
                let t_x = if x > 0.0 { next(t as u64) as f64 } else { 0.0 };
                Some(Rfmt {
                    x,
                    t_x,
                    t,
                    monetary: if x > 0.0 {
                        20.0 + next(200) as f64
                    } else {
                        0.0
                    },
                })
            })
            .collect();
        let same = |monetary| {
            Some(Rfmt {
                x: 2.0,
                t_x: 10.0,
                t: 30.0,
                monetary,
            })
        };
        rows.splice(5..5, [same(100.0), None, same(10_000.0), same(100.0)]);
        let mut j = job(rows);
        j.holdout_length = 4.0;
        let scored = score(&j).expect("fitted");
        let gg = scored.gg.as_ref().expect("spend model fitted");
        let mut holdout = 0.0;
        for (r, c) in j.rows.iter().zip(&scored.per) {
            let (Some(r), Some(c)) = (r, c) else {
                assert_eq!(r.is_some(), c.is_some());
                continue;
            };
            let bg = &scored.bg;
            assert_eq!(c.p_alive.to_bits(), bg.p_alive(r.x, r.t_x, r.t).to_bits());
            let expected = bg.expected_purchases(j.horizon, r.x, r.t_x, r.t);
            assert_eq!(c.expected_purchases.to_bits(), expected.to_bits());
            let alone = model::clv(bg, gg, r, 12, 0.01, 7.0, &mut model::CountMemo::default());
            assert_eq!(c.clv.map(f64::to_bits), Some(alone.to_bits()));
            holdout += bg.expected_purchases(4.0, r.x, r.t_x, r.t);
        }
        assert_eq!(scored.holdout_predicted.to_bits(), holdout.to_bits());
        let clv_at = |i: usize| scored.per[i].and_then(|c| c.clv);
        assert!(clv_at(7) > clv_at(5), "{:?} {:?}", clv_at(7), clv_at(5));
        assert_eq!(clv_at(8), clv_at(5));
    }

    #[test]
    fn every_outcome_crosses_as_numbers() {
        let row = Rfmt {
            x: 2.0,
            t_x: 3.0,
            t: 5.0,
            monetary: 10.0,
        };
        let j = job(vec![None, Some(row), Some(row)]);
        assert_eq!(Job::from_numbers(&j.to_numbers()), Some(j.clone()));
        // A horizon the options would refuse is refused here too: it bounds the scoring loop.
        let mut long = j.to_numbers();
        long[5] = f64::from(MAX_HORIZON_MONTHS + 1);
        assert_eq!(Job::from_numbers(&long), None);
        let bg = BgNbd {
            r: 0.25,
            alpha: 4.4,
            a: 0.8,
            b: 2.4,
            log_likelihood: -10.0,
            iterations: 7,
            evaluations: 9,
            converged: true,
        };
        let c = |clv| {
            Some(CustomerClv {
                p_alive: 0.5,
                expected_purchases: 1.5,
                clv,
                tier: None,
            })
        };
        let errors = [
            FitError::TooFewCustomers {
                found: 3,
                needed: 10,
            },
            FitError::TooFewRepeatBuyers {
                found: 1,
                needed: 2,
            },
            FitError::NoSpread,
            FitError::NotConverged { iterations: 400 },
            FitError::Unidentified { r: 3.5e5 },
        ];
        for e in &errors {
            let outcomes = [
                Err(e.clone()),
                Ok(Scored {
                    bg,
                    gg: Err(e.clone()),
                    per: vec![None, c(None), c(None)],
                    holdout_predicted: 0.0,
                }),
            ];
            for o in outcomes {
                assert_eq!(scored_from_numbers(&scored_to_numbers(&o), &j), Some(o));
            }
        }
        let gg = GammaGamma {
            p: 6.25,
            q: 3.74,
            v: 15.44,
            log_likelihood: -4000.0,
            repeat_buyers: 2,
            iterations: 30,
            evaluations: 40,
            freq_monetary_correlation: 0.1,
        };
        let ok = Ok(Scored {
            bg,
            gg: Ok(gg),
            per: vec![None, c(Some(12.0)), c(Some(0.0))],
            holdout_predicted: 3.5,
        });
        let v = scored_to_numbers(&ok);
        assert_eq!(scored_from_numbers(&v, &j), Some(ok));
        // A prediction for a customer the job did not summarise is refused, and so are counts
        // that are not whole numbers.
        assert_eq!(
            scored_from_numbers(&v, &job(vec![None, None, Some(row)])),
            None
        );
        let mut odd = v.clone();
        odd[6] = 7.5;
        assert_eq!(scored_from_numbers(&odd, &j), None);
        assert_eq!(scored_from_numbers(&[3.0, -1.0, 0.0], &j), None);
    }
}
