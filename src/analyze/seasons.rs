//! Seasons and demand (季节与需求): sales by calendar month across years (month × year), each
//! calendar month's seasonal index with the peak and off-season months, and a forecast of the
//! next months' sales, in total and for the regions that sell most, with its interval and its
//! error on the last months held out.
//!
//! Definitions (docs/analyses.md):
//! - A month's sales: the amounts of all customers' purchase days in it. The months run from the
//!   first purchase's month to the month of the last day known (the day before the as-of date,
//!   or the last purchase when later); a month in that span without purchases sold 0. The last
//!   month is partial when the last day known is before its end: it shows, marked, and is left
//!   out of the indexes and the forecast.
//! - Seasonal index (同月平均法): a calendar month's mean sales over the whole months ÷ the mean of
//!   all whole months × 100; it needs 12 whole months. Peak months (旺季) have an index of at
//!   least `peak` (110), off-season months (淡季) at most `off` (90).
//! - Forecast: augurs' MSTL (STL with a 12-month season; the deseasonalised series continued from
//!   its last value as a random walk, so the interval widens with √h) on the whole months. It is
//!   first fitted without the last `holdout` months and measured on them (WAPE = Σ|actual −
//!   forecast| ÷ Σ actual, the mean absolute error, and how many actual months fell inside the
//!   interval), then fitted on all of them and run `horizon` months ahead at `level` %. Sales and
//!   bounds below 0 are shown as 0. It needs two seasons (24 whole months) besides the held-out
//!   ones; with fewer it says so instead of forecasting.
//! - Groups: the same for each of the `groups` regions with the largest sales over the whole
//!   months, when at least two regions sold.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::days::date_of;
use crate::facts::Facts;
use crate::table::mapping::Field;
use crate::table::NO_TEXT;
use augurs_core::{Fit, Predict};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SeasonsOptions {
    /// Months forecast ahead.
    pub horizon: u32,
    /// The last whole months held out to measure the forecast on.
    pub holdout: u32,
    /// The interval's coverage, in percent.
    pub level: f64,
    /// Seasonal index (percent) from which a month is a peak month, and up to which off-season.
    pub peak: f64,
    pub off: f64,
    /// Regions forecast on their own, the largest first.
    pub groups: u32,
}

impl Default for SeasonsOptions {
    fn default() -> Self {
        SeasonsOptions {
            horizon: 6,
            holdout: 3,
            level: 95.0,
            peak: 110.0,
            off: 90.0,
            groups: 3,
        }
    }
}

impl SeasonsOptions {
    pub fn check(&self) -> Result<(), String> {
        let o = self;
        if !(1..=24).contains(&o.horizon) {
            return Err("seasons.horizon must be 1–24".into());
        }
        if !(1..=12).contains(&o.holdout) {
            return Err("seasons.holdout must be 1–12".into());
        }
        if !(o.level.is_finite() && o.level >= 50.0 && o.level < 100.0) {
            return Err("seasons.level must be at least 50 and below 100".into());
        }
        if !(o.off.is_finite() && o.peak.is_finite() && 0.0 <= o.off && o.off <= o.peak) {
            return Err("seasons: need 0 ≤ off ≤ peak".into());
        }
        if o.groups > 10 {
            return Err("seasons.groups must be 0–10".into());
        }
        Ok(())
    }
}

/// Whole months a forecast fits on at least: two 12-month seasons.
pub const MIN_FIT_MONTHS: usize = 24;
/// Years shown in the month × year table at most (the latest).
const MAX_YEARS: usize = 10;

/// One year's sales by calendar month (January first); `None` outside the months known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YearMonths {
    pub year: i32,
    pub amounts: Vec<Option<f64>>,
}

/// The held-out months: what was forecast for them without seeing them, against what happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Holdout {
    pub months: Vec<String>,
    pub actual: Vec<f64>,
    pub forecast: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Σ|actual − forecast| ÷ Σ actual, in percent; `None` when they sold nothing.
    pub wape: Option<f64>,
    /// The mean absolute error.
    pub mae: f64,
    /// Held-out months whose actual sales fell inside the interval.
    pub inside: u32,
}

/// A forecast of one series: all sales, or one region's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub name: Text,
    /// The region's label, for a region's forecast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub months: Vec<String>,
    pub point: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub holdout: Holdout,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Seasons {
    pub options: SeasonsOptions,
    pub definition: Text,
    pub first_month: String,
    pub last_month: String,
    /// The last month, when the data stops before its end.
    pub partial_month: Option<String>,
    pub whole_months: u32,
    /// Sales by year and calendar month, the last `MAX_YEARS` years.
    pub years: Vec<YearMonths>,
    /// Seasonal index per calendar month (January first), percent; `None` with fewer than 12
    /// whole months.
    pub index: Option<Vec<f64>>,
    /// Calendar months (1–12) by the index: peak and off-season.
    pub peak_months: Vec<u32>,
    pub off_months: Vec<u32>,
    pub forecast: Option<Forecast>,
    /// Why there is no forecast.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declined: Option<Text>,
    pub groups: Vec<Forecast>,
    pub charts: Vec<Chart>,
}

/// A month as a count: year × 12 + month − 1.
type Month = i32;

fn month_of(d: NaiveDate) -> Month {
    d.year() * 12 + d.month0() as i32
}

fn month_name(m: Month) -> String {
    format!("{}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1)
}

/// The stretch of months known: the first purchase's month to the last day known's; and
/// whether that last month is whole.
struct Span {
    first: Month,
    last: Month,
    last_whole: bool,
}

impl Span {
    fn of(facts: &Facts) -> Option<Span> {
        let (lo, hi) = facts.days.iter().fold(None, |s: Option<(i32, i32)>, &d| {
            Some(s.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))))
        })?;
        let end = facts.as_of.map_or(hi, |a| hi.max(a.saturating_sub(1)));
        let (first, last_day) = (date_of(lo)?, date_of(end)?);
        Some(Span {
            first: month_of(first),
            last: month_of(last_day),
            last_whole: last_day
                .succ_opt()
                .is_none_or(|n| n.month() != last_day.month()),
        })
    }

    fn len(&self) -> usize {
        (self.last - self.first + 1).max(0) as usize
    }

    /// The whole months: all but a partial last one.
    fn whole(&self) -> usize {
        self.len() - usize::from(!self.last_whole)
    }
}

/// Each month's sales over the span, all customers and per region label (`regions`, with the
/// region index of each customer; `NO_TEXT` for none).
fn monthly(facts: &Facts, span: &Span, region: Option<&[u32]>, labels: usize) -> Sums {
    let n = span.len();
    let mut sums = Sums {
        all: vec![0.0; n],
        by_region: vec![vec![0.0; n]; if region.is_some() { labels } else { 0 }],
    };
    // Days repeat across customers: the month of a day is remembered by day.
    let mut seen: Vec<(i32, usize)> = vec![(i32::MIN, 0); 1024];
    for i in 0..facts.customers.len() {
        let r = region
            .and_then(|r| r.get(i).copied())
            .filter(|&r| r != NO_TEXT);
        for (day, amount) in facts.purchases(i) {
            let slot = &mut seen[(day & 1023) as usize];
            if slot.0 != day {
                let Some(d) = date_of(day) else { continue };
                let at = month_of(d) - span.first;
                if at < 0 || at as usize >= n {
                    continue;
                }
                *slot = (day, at as usize);
            }
            let at = slot.1;
            if let Some(s) = sums.all.get_mut(at) {
                *s += amount;
            }
            if let Some(s) = r.and_then(|r| sums.by_region.get_mut(r as usize)) {
                if let Some(s) = s.get_mut(at) {
                    *s += amount;
                }
            }
        }
    }
    sums
}

struct Sums {
    all: Vec<f64>,
    by_region: Vec<Vec<f64>>,
}

/// Sales by seasons, with the forecast; `None` without dated purchases.
pub fn run(facts: &Facts, o: &SeasonsOptions) -> Option<Seasons> {
    if !facts.has.purchase_days {
        return None;
    }
    let span = Span::of(facts)?;
    let region = facts.dims.iter().find(|d| d.field == Some(Field::Region));
    let sums = monthly(
        facts,
        &span,
        region.map(|d| d.values.as_slice()),
        region.map_or(0, |d| d.labels.len()),
    );
    let whole = &sums.all[..span.whole()];
    let index = seasonal_index(span.first, whole);
    let pick = |keep: &dyn Fn(f64) -> bool| -> Vec<u32> {
        let ix = index.as_deref().unwrap_or(&[]);
        (1..=12)
            .filter(|&m| ix.get(m as usize - 1).is_some_and(|&v| keep(v)))
            .collect()
    };
    let (peak_months, off_months) = (pick(&|v| v >= o.peak), pick(&|v| v <= o.off));
    let all = Text::new("全部销售额", "All sales");
    let (forecast, declined) = match forecast(whole, span.first, o, all) {
        Ok(f) => (Some(f), None),
        Err(why) => (None, Some(why)),
    };
    let groups = match (&forecast, region) {
        (Some(_), Some(dim)) => group_forecasts(&sums.by_region, &dim.labels, &span, o),
        _ => Vec::new(),
    };
    let mut s = Seasons {
        options: *o,
        definition: definition(o),
        first_month: month_name(span.first),
        last_month: month_name(span.last),
        partial_month: (!span.last_whole).then(|| month_name(span.last)),
        whole_months: span.whole() as u32,
        years: by_year(&sums.all, span.first),
        index,
        peak_months,
        off_months,
        forecast,
        declined,
        groups,
        charts: Vec::new(),
    };
    s.charts = charts(&s, &sums.all, span.first);
    Some(s)
}

/// The same-month average index (同月平均法) over whole months, January first; `None` before
/// every calendar month has been seen once, or when nothing sold.
fn seasonal_index(first: Month, whole: &[f64]) -> Option<Vec<f64>> {
    if whole.len() < 12 {
        return None;
    }
    let mut sum = [0.0; 12];
    let mut count = [0u32; 12];
    for (k, &a) in whole.iter().enumerate() {
        let m = (first + k as i32).rem_euclid(12) as usize;
        sum[m] += a;
        count[m] += 1;
    }
    let mean = whole.iter().sum::<f64>() / whole.len() as f64;
    // Nothing sold (or a NaN): no index.
    if mean.is_nan() || mean <= 0.0 {
        return None;
    }
    Some(
        (0..12)
            .map(|m| sum[m] / f64::from(count[m].max(1)) / mean * 100.0)
            .collect(),
    )
}

/// The regions that sold most over the whole months, each forecast on its own; a region whose
/// series cannot be fitted is left out.
fn group_forecasts(
    by_region: &[Vec<f64>],
    labels: &[String],
    span: &Span,
    o: &SeasonsOptions,
) -> Vec<Forecast> {
    let whole = span.whole();
    let total = |r: usize| {
        by_region
            .get(r)
            .map_or(0.0, |s| s[..whole].iter().sum::<f64>())
    };
    let mut order: Vec<usize> = (0..by_region.len()).filter(|&r| total(r) > 0.0).collect();
    // One region with sales is the whole: its forecast would repeat the total's.
    if order.len() < 2 {
        return Vec::new();
    }
    crate::sort::by_key(&mut order, |&r| u64::MAX - crate::sort::f64_key(total(r)));
    order
        .into_iter()
        .take(o.groups as usize)
        .filter_map(|r| {
            let label = labels.get(r)?.clone();
            let name = Text::new(label.clone(), label.clone());
            let mut f = forecast(&by_region.get(r)?[..whole], span.first, o, name).ok()?;
            f.region = Some(label);
            Some(f)
        })
        .collect()
}

/// The held-out measurement and the forecast ahead of one series of whole months.
fn forecast(whole: &[f64], first: Month, o: &SeasonsOptions, name: Text) -> Result<Forecast, Text> {
    let (h, need) = (o.holdout as usize, MIN_FIT_MONTHS + o.holdout as usize);
    if whole.len() < need {
        return Err(Text::new(
            format!(
                "只有 {} 个完整月，预测至少需要 {need} 个（两个全年季节，另留 {h} 个月检验）",
                whole.len()
            ),
            format!(
                "Only {} whole month{}: a forecast needs {need} (two yearly seasons, and {h} months held out to check it)",
                whole.len(),
                if whole.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    let level = o.level / 100.0;
    let fit_on = whole.len() - h;
    let back = predict(&whole[..fit_on], h, level)?;
    let actual = whole[fit_on..].to_vec();
    let err: f64 = actual.iter().zip(&back.0).map(|(a, p)| (a - p).abs()).sum();
    let sold: f64 = actual.iter().sum();
    let inside = actual
        .iter()
        .zip(back.1.iter().zip(&back.2))
        .filter(|(a, (lo, hi))| (**lo..=**hi).contains(*a))
        .count() as u32;
    let holdout = Holdout {
        months: (0..h)
            .map(|k| month_name(first + (fit_on + k) as i32))
            .collect(),
        actual,
        forecast: back.0,
        lower: back.1,
        upper: back.2,
        wape: (sold > 0.0).then(|| err / sold * 100.0),
        mae: err / h as f64,
        inside,
    };
    let (point, lower, upper) = predict(whole, o.horizon as usize, level)?;
    let next = first + whole.len() as i32;
    Ok(Forecast {
        name,
        region: None,
        months: (0..o.horizon as i32)
            .map(|k| month_name(next + k))
            .collect(),
        point,
        lower,
        upper,
        holdout,
    })
}

type Predicted = (Vec<f64>, Vec<f64>, Vec<f64>);

/// MSTL with a 12-month season and augurs' naive trend: `horizon` months ahead, with the
/// interval at `level`; all at 0 or above.
fn predict(y: &[f64], horizon: usize, level: f64) -> Result<Predicted, Text> {
    let failed = |e: String| {
        Text::new(
            format!("预测模型拟合失败：{e}"),
            format!("The forecast could not be fitted: {e}"),
        )
    };
    let model = augurs_mstl::MSTLModel::naive(vec![12]);
    let fitted = model.fit(y).map_err(|e| failed(e.to_string()))?;
    let f = fitted
        .predict(horizon, level)
        .map_err(|e| failed(e.to_string()))?;
    let floor = |v: Vec<f64>| {
        v.into_iter()
            .map(|x| if x > 0.0 { x } else { 0.0 })
            .collect()
    };
    let (lower, upper) = match f.intervals {
        Some(i) => (floor(i.lower), floor(i.upper)),
        None => (vec![f64::NAN; horizon], vec![f64::NAN; horizon]),
    };
    Ok((floor(f.point), lower, upper))
}

/// The month × year table: the last `MAX_YEARS` years of the span.
fn by_year(all: &[f64], first: Month) -> Vec<YearMonths> {
    let last = first + all.len() as i32 - 1;
    let (y0, y1) = (first.div_euclid(12), last.div_euclid(12));
    (y0.max(y1 - MAX_YEARS as i32 + 1)..=y1)
        .map(|year| YearMonths {
            year,
            amounts: (0..12)
                .map(|m| {
                    let at = year * 12 + m - first;
                    usize::try_from(at).ok().and_then(|at| all.get(at).copied())
                })
                .collect(),
        })
        .collect()
}

const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn calendar_months() -> Vec<Text> {
    (0..12)
        .map(|m| Text::new(format!("{}月", m + 1), MONTHS_EN[m]))
        .collect()
}

fn charts(s: &Seasons, all: &[f64], first: Month) -> Vec<Chart> {
    let mut charts = vec![Chart {
        id: "seasons_heat".into(),
        kind: Kind::Heatmap,
        title: Text::new("各月销售额（月 × 年）", "Sales by month and year"),
        categories: calendar_months(),
        keys: Vec::new(),
        series: s
            .years
            .iter()
            .map(|y| {
                let data = y.amounts.iter().map(|a| a.unwrap_or(f64::NAN)).collect();
                Series::new(
                    Text::new(y.year.to_string(), y.year.to_string()),
                    Unit::Amount,
                    data,
                )
            })
            .collect(),
        x_title: None,
        y_title: None,
    }];
    if let Some(ix) = &s.index {
        charts.push(Chart {
            id: "seasons_index".into(),
            kind: Kind::Bar,
            title: Text::new(
                "季节指数（100 = 月均）",
                "Seasonal index (100 = the monthly mean)",
            ),
            categories: calendar_months(),
            keys: Vec::new(),
            series: vec![Series::new(
                Text::new("季节指数", "Index"),
                Unit::Percent,
                ix.clone(),
            )],
            x_title: None,
            y_title: None,
        });
    }
    if let Some(f) = &s.forecast {
        charts.push(forecast_chart(f, all, first));
    }
    charts
}

/// History and forecast on one month axis: the last 36 months of sales, the held-out months'
/// forecast, and the months ahead with their interval.
fn forecast_chart(f: &Forecast, all: &[f64], first: Month) -> Chart {
    let shown = all.len().min(36);
    let start = all.len() - shown;
    let months: Vec<String> = (start..all.len())
        .map(|k| month_name(first + k as i32))
        .chain(f.months.iter().cloned())
        .collect();
    let n = months.len();
    let at = |m: &String| months.iter().position(|x| x == m);
    let mut actual = vec![f64::NAN; n];
    actual[..shown].copy_from_slice(&all[start..]);
    let (mut back, mut point, mut lower, mut upper) = (
        vec![f64::NAN; n],
        vec![f64::NAN; n],
        vec![f64::NAN; n],
        vec![f64::NAN; n],
    );
    for (k, m) in f.holdout.months.iter().enumerate() {
        if let Some(i) = at(m) {
            back[i] = f.holdout.forecast.get(k).copied().unwrap_or(f64::NAN);
        }
    }
    for (k, m) in f.months.iter().enumerate() {
        if let Some(i) = at(m) {
            let get = |v: &[f64]| v.get(k).copied().unwrap_or(f64::NAN);
            (point[i], lower[i], upper[i]) = (get(&f.point), get(&f.lower), get(&f.upper));
        }
    }
    let series = |zh: &str, en: &str, d| Series::new(Text::new(zh, en), Unit::Amount, d);
    Chart {
        id: "seasons_forecast".into(),
        kind: Kind::Line,
        title: Text::new("月销售额与预测", "Monthly sales and forecast"),
        categories: months
            .iter()
            .map(|m| Text::new(m.clone(), m.clone()))
            .collect(),
        keys: Vec::new(),
        series: vec![
            series("实际", "Actual", actual),
            series("留出月预测", "Forecast of held-out months", back),
            series("预测", "Forecast", point),
            series("区间下限", "Interval low", lower),
            series("区间上限", "Interval high", upper),
        ],
        x_title: None,
        y_title: None,
    }
}

fn definition(o: &SeasonsOptions) -> Text {
    Text::new(
        format!(
            "月销售额为当月所有购买日金额之和，从首次购买的月份到最后已知日所在月份；末月未满时标出并不计入指数与预测。季节指数（同月平均法）= 该月份在各完整月中的平均销售额 ÷ 全部完整月的月均 × 100，≥ {} 为旺季，≤ {} 为淡季。预测用 MSTL（12 个月季节的 STL 分解，去季节序列按其末值随机游走延续）：先留出最后 {} 个完整月检验（WAPE、平均绝对误差、落入区间的月数），再用全部完整月预测未来 {} 个月，{}% 区间；低于 0 的按 0 显示。至少需要 24 个完整月加留出月。",
            o.peak, o.off, o.holdout, o.horizon, o.level
        ),
        format!(
            "A month's sales: all purchase days' amounts in it, from the first purchase's month to the month of the last day known; a partial last month is marked and left out of the index and the forecast. Seasonal index (same-month average): a calendar month's mean over the whole months ÷ the mean of all whole months × 100; {} or more is a peak month, {} or less off-season. Forecast: MSTL (STL with a 12-month season; the deseasonalised series continued from its last value as a random walk), first measured on the last {} whole months held out (WAPE, mean absolute error, months inside the interval), then fitted on all whole months for the next {} months with a {}% interval; values below 0 show as 0. It needs 24 whole months besides the held-out ones.",
            o.peak, o.off, o.holdout, o.horizon, o.level
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_by_hand() {
        // 12 whole months from March: March sells 300, every other month 100 → mean 1400/12.
        let mut y = vec![100.0; 12];
        y[0] = 300.0;
        let first = 2024 * 12 + 2;
        let ix = seasonal_index(first, &y).unwrap();
        let mean = 1400.0 / 12.0;
        assert!((ix[2] - 300.0 / mean * 100.0).abs() < 1e-9);
        assert!((ix[0] - 100.0 / mean * 100.0).abs() < 1e-9);
        assert_eq!(seasonal_index(first, &y[..11]), None);
    }

    #[test]
    fn month_names_and_years() {
        assert_eq!(month_name(2024 * 12), "2024-01");
        assert_eq!(month_name(2024 * 12 + 11), "2024-12");
        let rows = by_year(&[1.0, 2.0, 3.0], 2024 * 12 + 10);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].amounts[10], Some(1.0));
        assert_eq!(rows[0].amounts[9], None);
        assert_eq!(rows[1].amounts[0], Some(3.0));
        assert_eq!(rows[1].amounts[1], None);
    }
}
