//! Customer clusters: k-means with k-means++ seeding on standardized features.
//!
//! Definitions (docs/analyses.md): features (default recency, frequency and monetary), each
//! log-transformed with ln(1 + x) when `log` is on (default) and z-scored; customers missing a
//! feature are not clustered. k-means++ picks the first centre and each next one with
//! probability proportional to the squared distance to the nearest centre, from a fixed-seed
//! generator, so the same input gives the same clusters; Lloyd iterations follow until no
//! customer moves (at most 100). Unless `k` is given, k is chosen from 2–8 by the mean silhouette
//! on a fixed sample of at most 2,000 customers; the chosen k is then fitted on everyone, starting
//! from the sample's centres. Clusters are numbered by mean monetary value, largest first, and
//! profiled in original units.
//!
//! Written here rather than taken from linfa-clustering: the algorithm is about a hundred lines,
//! while linfa brings ndarray and rand with getrandom, which need extra wasm configuration and
//! weigh on the page's download; determinism comes from our own small generator.

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::{Fact, Facts};
use crate::rng::SplitMix64;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClusterOptions {
    /// Feature keys: `recency`, `frequency`, `monetary`, `average_order`, `tenure`, `interval`,
    /// `margin`.
    pub features: Vec<String>,
    pub log: bool,
    /// Number of clusters; chosen by silhouette when absent.
    pub k: Option<usize>,
    pub seed: u64,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            features: vec!["recency".into(), "frequency".into(), "monetary".into()],
            log: true,
            k: None,
            seed: 42,
        }
    }
}

type Getter = fn(&Fact) -> Option<f64>;

/// A feature: its key, its Chinese and English names, and how to read it.
type Feature = (&'static str, &'static str, &'static str, Getter);

const FEATURES: [Feature; 7] = [
    ("recency", "最近购买天数", "Recency (days)", |c| {
        c.recency_days.map(f64::from)
    }),
    ("frequency", "购买次数", "Orders", |c| {
        c.orders.map(f64::from)
    }),
    ("monetary", "累计金额", "Amount", |c| c.amount),
    (
        "average_order",
        "平均订单金额",
        "Average order",
        |c| c.average_order,
    ),
    ("tenure", "合作天数", "Tenure (days)", |c| {
        c.tenure_days.map(f64::from)
    }),
    ("interval", "购买间隔天数", "Interval (days)", |c| {
        c.interval_days
    }),
    ("margin", "毛利率", "Margin", |c| c.margin),
];

impl ClusterOptions {
    pub fn check(&self) -> Result<(), String> {
        if self.features.is_empty() {
            return Err("clusters.features must name at least one feature".into());
        }
        for f in &self.features {
            if !FEATURES.iter().any(|x| x.0 == f) {
                let known: Vec<&str> = FEATURES.iter().map(|x| x.0).collect();
                return Err(format!(
                    "clusters.features: unknown feature '{f}' (known: {})",
                    known.join(", ")
                ));
            }
        }
        if self.k.is_some_and(|k| !(2..=20).contains(&k)) {
            return Err("clusters.k must be within 2–20".into());
        }
        Ok(())
    }
}

/// Rows of `d` features, flat.
struct Points<'a> {
    x: &'a [f64],
    d: usize,
}

impl Points<'_> {
    fn len(&self) -> usize {
        self.x.len() / self.d.max(1)
    }

    fn row(&self, i: usize) -> &[f64] {
        self.x.get(i * self.d..(i + 1) * self.d).unwrap_or(&[])
    }
}

fn dist2(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[inline(always)]
fn nearest(p: &[f64], centres: &[f64], d: usize) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (k, c) in centres.chunks_exact(d.max(1)).enumerate() {
        let e = dist2(p, c);
        if e < best.1 {
            best = (k, e);
        }
    }
    best
}

/// k-means++ seeding.
fn seed(pts: &Points<'_>, k: usize, rng: &mut SplitMix64) -> Vec<f64> {
    let n = pts.len();
    let mut centres: Vec<f64> = Vec::with_capacity(k * pts.d);
    centres.extend_from_slice(pts.row((rng.next_u64() % n.max(1) as u64) as usize));
    let mut d2: Vec<f64> = (0..n).map(|i| dist2(pts.row(i), &centres)).collect();
    while centres.len() < k * pts.d {
        let total: f64 = d2.iter().sum();
        let pick = if total > 0.0 {
            let mut target = rng.unit() * total;
            let mut chosen = n - 1;
            for (i, &w) in d2.iter().enumerate() {
                if target < w {
                    chosen = i;
                    break;
                }
                target -= w;
            }
            chosen
        } else {
            (rng.next_u64() % n.max(1) as u64) as usize
        };
        let start = centres.len();
        centres.extend_from_slice(pts.row(pick));
        let c = centres.get(start..).unwrap_or(&[]).to_vec();
        for (i, slot) in d2.iter_mut().enumerate() {
            *slot = slot.min(dist2(pts.row(i), &c));
        }
    }
    centres
}

/// Lloyd iterations from `centres`; returns the assignment. Each pass assigns every point and
/// adds it to its new cluster's sums in the same visit (in point order, as a separate update pass
/// would), so the points are read once an iteration.
fn lloyd(pts: &Points<'_>, centres: &mut [f64], k: usize) -> Vec<usize> {
    // The default three features with the dimension known to the compiler, which then keeps a
    // point in registers and unrolls each distance: the same operations in the same order.
    if pts.d == 3 {
        lloyd_in::<3>(pts, centres, k)
    } else {
        lloyd_in::<0>(pts, centres, k)
    }
}

/// [`lloyd`] in `D` dimensions, or in `pts.d` when `D` is 0.
fn lloyd_in<const D: usize>(pts: &Points<'_>, centres: &mut [f64], k: usize) -> Vec<usize> {
    let d = if D == 0 { pts.d.max(1) } else { D };
    let mut assign = vec![usize::MAX; pts.len()];
    let mut sums = vec![0.0; k * d];
    let mut counts = vec![0usize; k];
    for _ in 0..100 {
        let mut moved = false;
        sums.fill(0.0);
        counts.fill(0);
        for (a, row) in assign.iter_mut().zip(pts.x.chunks_exact(d)) {
            let (c, _) = nearest(row, centres, d);
            if *a != c {
                *a = c;
                moved = true;
            }
            if let (Some(n), Some(sum)) = (counts.get_mut(c), sums.get_mut(c * d..(c + 1) * d)) {
                *n += 1;
                for (s, &x) in sum.iter_mut().zip(row) {
                    *s += x;
                }
            }
        }
        if !moved {
            break;
        }
        for ((centre, sum), &c) in centres
            .chunks_exact_mut(d)
            .zip(sums.chunks_exact(d))
            .zip(&counts)
        {
            // An empty cluster keeps its centre.
            if c > 0 {
                for (dst, &s) in centre.iter_mut().zip(sum) {
                    *dst = s / c as f64;
                }
            }
        }
    }
    assign
}

/// Mean silhouette of each assignment (`(k, cluster of each point)`) of the same points. Points in
/// the same cluster in every fit form a group; a point's distances are summed by group, and only
/// the groups' sums are spread over each fit's clusters. Fits of the same points for nearby k
/// share most of their boundaries, so a few dozen groups stand for thousands of points, and
/// trying seven values of k costs about one pass over the pairwise distances. At worst, a group
/// per point, it is as many additions as adding every distance to every fit's cluster.
fn silhouettes(pts: &Points<'_>, fits: &[(usize, &[usize])]) -> Vec<f64> {
    let n = pts.len();
    let label = |j: usize, &(_, assign): &(usize, &[usize])| assign.get(j).copied().unwrap_or(0);
    let same = |i: usize, j: usize| fits.iter().all(|f| label(i, f) == label(j, f));
    // A point of each group, and each point's group.
    let mut firsts: Vec<usize> = Vec::new();
    let group: Vec<usize> = (0..n)
        .map(|j| {
            firsts.iter().position(|&p| same(p, j)).unwrap_or_else(|| {
                firsts.push(j);
                firsts.len() - 1
            })
        })
        .collect();
    // The coordinates feature by feature.
    let columns: Vec<Vec<f64>> = (0..pts.d)
        .map(|c| {
            (0..n)
                .map(|j| pts.row(j).get(c).copied().unwrap_or(0.0))
                .collect()
        })
        .collect();
    let counts: Vec<Vec<usize>> = fits
        .iter()
        .map(|&(k, assign)| {
            let mut count = vec![0; k];
            for &a in assign {
                if let Some(c) = count.get_mut(a) {
                    *c += 1;
                }
            }
            count
        })
        .collect();
    let mut sums: Vec<Vec<f64>> = fits.iter().map(|&(k, _)| vec![0.0; k]).collect();
    let mut by_group = vec![0.0; firsts.len()];
    let mut totals = vec![0.0; fits.len()];
    let mut dist = vec![0.0; n];
    for i in 0..n {
        dist.fill(0.0);
        for (column, &x) in columns.iter().zip(pts.row(i)) {
            for (d, &y) in dist.iter_mut().zip(column) {
                *d += (y - x) * (y - x);
            }
        }
        by_group.fill(0.0);
        for (d, &g) in dist.iter().zip(&group) {
            if let Some(s) = by_group.get_mut(g) {
                *s += d.sqrt();
            }
        }
        sums.iter_mut().for_each(|s| s.fill(0.0));
        for (&first, &g) in firsts.iter().zip(&by_group) {
            for (fit, s) in fits.iter().zip(&mut sums) {
                if let Some(s) = s.get_mut(label(first, fit)) {
                    *s += g;
                }
            }
        }
        for (((fit, s), count), total) in fits.iter().zip(&sums).zip(&counts).zip(&mut totals) {
            *total += silhouette(label(i, fit), s, count);
        }
    }
    totals.iter().map(|t| t / n.max(1) as f64).collect()
}

/// One point's silhouette (b − a) / max(a, b) in cluster `own`, from its summed distances to each
/// cluster's points (itself included, at distance 0) and the clusters' sizes; 0 alone in its
/// cluster, with no other cluster that has points, or at distance 0 from everything.
fn silhouette(own: usize, sum_by: &[f64], count_by: &[usize]) -> f64 {
    let mean = |c: usize| {
        let n = count_by.get(c).copied().unwrap_or(0);
        let others = if c == own { n.saturating_sub(1) } else { n };
        (others > 0).then(|| sum_by.get(c).copied().unwrap_or(0.0) / others as f64)
    };
    let Some(a) = mean(own) else {
        return 0.0;
    };
    let b = (0..count_by.len())
        .filter(|&c| c != own)
        .filter_map(mean)
        .fold(f64::INFINITY, f64::min);
    if b.is_finite() && a.max(b) > 0.0 {
        (b - a) / a.max(b)
    } else {
        0.0
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// 1 = highest mean monetary value.
    pub cluster: u32,
    pub customers: u64,
    pub customer_share: f64,
    /// Mean of each feature in original units, in `features` order.
    pub means: Vec<f64>,
    pub amount_share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clusters {
    pub options: ClusterOptions,
    pub features: Vec<Text>,
    pub k: usize,
    /// (k, mean silhouette) for each k tried.
    pub silhouettes: Vec<(usize, f64)>,
    pub customers_clustered: u64,
    pub clusters: Vec<Profile>,
    pub charts: Vec<Chart>,
}

/// Most customers the silhouette is computed on.
const SAMPLE: usize = 2000;

/// Clusters the customers with every feature known. `None` with fewer customers than 2 × k.
pub fn run(facts: &Facts, o: &ClusterOptions) -> Option<(Clusters, Vec<Option<u32>>)> {
    let feats: Vec<&Feature> = o
        .features
        .iter()
        .filter_map(|f| FEATURES.iter().find(|x| x.0 == f))
        .collect();
    let d = feats.len();
    if d == 0 {
        return None;
    }
    let (who, raw) = feature_rows(facts, &feats);
    let n = who.len();
    if n < 4 {
        return None;
    }
    let x = standardized(&raw, d, o.log);
    let pts = Points { x: &x, d };
    // A fixed, evenly spread sample for choosing k.
    let step = n.div_ceil(SAMPLE).max(1);
    let sample_x: Vec<f64> = (0..n)
        .step_by(step)
        .flat_map(|i| pts.row(i).to_vec())
        .collect();
    let sample = Points { x: &sample_x, d };
    let Chosen {
        silhouettes,
        k,
        mut centres,
    } = choose_k(&sample, o)?;
    let assign = lloyd(&pts, &mut centres, k);

    // Profiles in original units; clusters renumbered by mean monetary value.
    let fit = Fit {
        k,
        d,
        assign: &assign,
        raw: &raw,
    };
    let sums = fit.sums(&who, facts);
    let key_j = o.features.iter().position(|f| f == "monetary").unwrap_or(0);
    let (order, number) = sums.ranking(key_j);
    let profiles = sums.profiles(&order, &number, n);
    let per = fit.per_customer(&who, &number, facts.customers.len());
    let features: Vec<Text> = feats.iter().map(|f| Text::new(f.1, f.2)).collect();
    let charts = vec![fit.scatter(&number, n, step, &features)];
    Some((
        Clusters {
            options: o.clone(),
            features,
            k,
            silhouettes,
            customers_clustered: n as u64,
            clusters: profiles,
            charts,
        },
        per,
    ))
}

/// The customers with every feature known, and their features, a row of `feats` each.
/// Prospects, who have not bought, are not clustered.
fn feature_rows(facts: &Facts, feats: &[&Feature]) -> (Vec<usize>, Vec<f64>) {
    let d = feats.len();
    let mut who = Vec::new();
    let mut raw = Vec::new();
    for (i, c) in facts.customers.iter().enumerate() {
        if c.is_prospect() {
            continue;
        }
        let start = raw.len();
        raw.extend(
            feats
                .iter()
                .map_while(|f| (f.3)(c).filter(|x| x.is_finite())),
        );
        if raw.len() == start + d {
            who.push(i);
        } else {
            raw.truncate(start);
        }
    }
    (who, raw)
}

/// The features ln(1 + x)-transformed when `log` is on, then z-scored feature by feature.
fn standardized(raw: &[f64], d: usize, log: bool) -> Vec<f64> {
    let n = raw.len() / d;
    let mut x: Vec<f64> = raw
        .iter()
        .map(|&v| if log { v.max(0.0).ln_1p() } else { v })
        .collect();
    for j in 0..d {
        let col = || x.iter().skip(j).step_by(d);
        let mean = col().sum::<f64>() / n as f64;
        let sd = (col().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64).sqrt();
        for v in x.iter_mut().skip(j).step_by(d) {
            *v = if sd > 0.0 { (*v - mean) / sd } else { 0.0 };
        }
    }
    x
}

/// The k chosen on the sample.
struct Chosen {
    /// (k, mean silhouette) for each k tried.
    silhouettes: Vec<(usize, f64)>,
    k: usize,
    /// The sample's centres for that k.
    centres: Vec<f64>,
}

/// Fits each candidate k on the sample and keeps the best by mean silhouette (the given k when
/// there is one).
fn choose_k(sample: &Points<'_>, o: &ClusterOptions) -> Option<Chosen> {
    let candidates: Vec<usize> = match o.k {
        Some(k) => vec![k],
        None => (2..=8).filter(|&k| k * 2 <= sample.len()).collect(),
    };
    let fits: Vec<(usize, Vec<f64>, Vec<usize>)> = candidates
        .iter()
        .map(|&k| {
            let mut rng = SplitMix64::new(o.seed ^ (k as u64).wrapping_mul(0x9E37_79B9));
            let mut centres = seed(sample, k, &mut rng);
            let assign = lloyd(sample, &mut centres, k);
            (k, centres, assign)
        })
        .collect();
    let scores = if fits.len() > 1 {
        let views: Vec<(usize, &[usize])> =
            fits.iter().map(|(k, _, a)| (*k, a.as_slice())).collect();
        silhouettes(sample, &views)
    } else {
        vec![0.0; fits.len()]
    };
    let silhouettes: Vec<(usize, f64)> = fits.iter().map(|f| f.0).zip(scores).collect();
    let mut best: Option<(usize, f64, Vec<f64>)> = None;
    for ((k, centres, _), &(_, s)) in fits.into_iter().zip(&silhouettes) {
        if best.as_ref().is_none_or(|b| s > b.1) {
            best = Some((k, s, centres));
        }
    }
    let (k, _, centres) = best?;
    Some(Chosen {
        silhouettes,
        k,
        centres,
    })
}

/// The final fit: each clustered customer's cluster, and its features in original units.
struct Fit<'a> {
    k: usize,
    d: usize,
    assign: &'a [usize],
    raw: &'a [f64],
}

/// Per cluster, its customers, their features summed and their amount summed.
struct ClusterSums {
    k: usize,
    d: usize,
    sums: Vec<f64>,
    counts: Vec<u64>,
    amounts: Vec<f64>,
}

impl Fit<'_> {
    /// Sums each cluster's customers, features and amounts, in customer order.
    fn sums(&self, who: &[usize], facts: &Facts) -> ClusterSums {
        let (k, d, raw) = (self.k, self.d, self.raw);
        let mut sums = vec![0.0; k * d];
        let mut counts = vec![0u64; k];
        let mut amounts = vec![0.0; k];
        for (r, &a) in self.assign.iter().enumerate() {
            if let Some(c) = counts.get_mut(a) {
                *c += 1;
            }
            for j in 0..d {
                if let (Some(s), Some(&v)) = (sums.get_mut(a * d + j), raw.get(r * d + j)) {
                    *s += v;
                }
            }
            if let (Some(s), Some(c)) = (
                amounts.get_mut(a),
                who.get(r).and_then(|&i| facts.customers.get(i)),
            ) {
                *s += c.amount.unwrap_or(0.0);
            }
        }
        ClusterSums {
            k,
            d,
            sums,
            counts,
            amounts,
        }
    }

    /// Each customer's cluster number (`None` for a customer not clustered).
    fn per_customer(&self, who: &[usize], number: &[u32], customers: usize) -> Vec<Option<u32>> {
        let mut per = vec![None; customers];
        for (r, &a) in self.assign.iter().enumerate() {
            if let Some(slot) = who.get(r).and_then(|&i| per.get_mut(i)) {
                *slot = number.get(a).copied();
            }
        }
        per
    }

    /// Scatter of the first two features over the sample, one series per cluster.
    fn scatter(&self, number: &[u32], n: usize, step: usize, features: &[Text]) -> Chart {
        let (k, d, raw) = (self.k, self.d, self.raw);
        let (fx, fy) = (0, d.saturating_sub(1));
        let series = (1..=k as u32)
            .map(|c| {
                let rows: Vec<usize> = (0..n)
                    .step_by(step)
                    .filter(|&r| self.assign.get(r).and_then(|&a| number.get(a)) == Some(&c))
                    .collect();
                Series {
                    name: Text::new(format!("第{c}类"), format!("Cluster {c}")),
                    unit: Unit::Amount,
                    data: rows
                        .iter()
                        .map(|&r| raw.get(r * d + fy).copied().unwrap_or(0.0))
                        .collect(),
                    x: Some(
                        rows.iter()
                            .map(|&r| raw.get(r * d + fx).copied().unwrap_or(0.0))
                            .collect(),
                    ),
                }
            })
            .collect();
        Chart {
            id: "clusters".into(),
            kind: Kind::Scatter,
            title: Text::new(
                format!("客户聚类（k = {k}）"),
                format!("Customer clusters (k = {k})"),
            ),
            categories: Vec::new(),
            keys: (1..=k).map(|c| c.to_string()).collect(),
            series,
            x_title: features.get(fx).cloned(),
            y_title: features.get(fy).cloned(),
        }
    }
}

impl ClusterSums {
    /// Cluster `a`'s mean of feature `j`.
    fn mean_of(&self, a: usize, j: usize) -> f64 {
        self.sums.get(a * self.d + j).copied().unwrap_or(0.0)
            / self.counts.get(a).copied().unwrap_or(1).max(1) as f64
    }

    /// The clusters by mean of feature `key_j`, largest first, and each cluster's number (its
    /// place in that order, from 1).
    fn ranking(&self, key_j: usize) -> (Vec<usize>, Vec<u32>) {
        let mut order: Vec<usize> = (0..self.k).collect();
        crate::sort::by(&mut order, |&a, &b| {
            self.mean_of(b, key_j)
                .total_cmp(&self.mean_of(a, key_j))
                .then(a.cmp(&b))
        });
        let mut number = vec![0u32; self.k];
        for (rank, &a) in order.iter().enumerate() {
            if let Some(slot) = number.get_mut(a) {
                *slot = rank as u32 + 1;
            }
        }
        (order, number)
    }

    /// The clusters' profiles in `order`, of `n` customers clustered.
    fn profiles(&self, order: &[usize], number: &[u32], n: usize) -> Vec<Profile> {
        let total_amount: f64 = self.amounts.iter().sum();
        order
            .iter()
            .map(|&a| {
                let c = self.counts.get(a).copied().unwrap_or(0);
                Profile {
                    cluster: number.get(a).copied().unwrap_or(0),
                    customers: c,
                    customer_share: 100.0 * c as f64 / n as f64,
                    means: (0..self.d).map(|j| self.mean_of(a, j)).collect(),
                    amount_share: if total_amount != 0.0 {
                        100.0 * self.amounts.get(a).copied().unwrap_or(0.0) / total_amount
                    } else {
                        0.0
                    },
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(points: &[(f64, f64, f64)]) -> Facts {
        Facts {
            customers: points
                .iter()
                .map(|&(r, f, m)| Fact {
                    recency_days: Some(r as i32),
                    orders: Some(f as u32),
                    amount: Some(m),
                    ..Fact::default()
                })
                .collect(),
            ..Facts::default()
        }
    }

    /// The textbook silhouette, one point at a time: s = (b − a) / max(a, b).
    fn silhouette_by_definition(x: &[[f64; 2]], assign: &[usize], k: usize) -> f64 {
        let d =
            |i: usize, j: usize| ((x[i][0] - x[j][0]).powi(2) + (x[i][1] - x[j][1]).powi(2)).sqrt();
        let mean_to = |i: usize, c: usize| {
            let others: Vec<usize> = (0..x.len()).filter(|&j| j != i && assign[j] == c).collect();
            others.iter().map(|&j| d(i, j)).sum::<f64>() / others.len() as f64
        };
        let mut total = 0.0;
        for i in 0..x.len() {
            if assign.iter().filter(|&&c| c == assign[i]).count() <= 1 {
                continue;
            }
            let a = mean_to(i, assign[i]);
            let b = (0..k)
                .filter(|&c| c != assign[i] && assign.contains(&c))
                .map(|c| mean_to(i, c))
                .fold(f64::INFINITY, f64::min);
            total += (b - a) / a.max(b);
        }
        total / x.len() as f64
    }

    #[test]
    fn silhouettes_of_several_fits_match_the_definition() {
        let mut rng = SplitMix64::new(3);
        let x: Vec<[f64; 2]> = (0..40)
            .map(|i| [f64::from(i % 3) * 4.0 + rng.unit(), rng.unit()])
            .collect();
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        let pts = Points { x: &flat, d: 2 };
        let two: Vec<usize> = (0..40).map(|i| usize::from(i % 3 == 0)).collect();
        let three: Vec<usize> = (0..40).map(|i| i % 3).collect();
        let four: Vec<usize> = (0..40).map(|i| if i == 7 { 3 } else { i % 3 }).collect();
        let got = silhouettes(&pts, &[(2, &two), (3, &three), (4, &four)]);
        for (g, (a, k)) in got.iter().zip([(&two, 2), (&three, 3), (&four, 4)]) {
            let want = silhouette_by_definition(&x, a, k);
            assert!((g - want).abs() < 1e-12, "k = {k}: {g} vs {want}");
        }
        assert!(got[1] > got[0] && got[1] > 0.5, "{got:?}");
    }

    #[test]
    fn silhouettes_of_unrelated_fits_match_the_definition() {
        // Random labels: nearly every point is a group of its own, and the last cluster of each
        // fit is empty.
        let mut rng = SplitMix64::new(9);
        let x: Vec<[f64; 2]> = (0..60).map(|_| [rng.unit(), rng.unit() * 3.0]).collect();
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        let pts = Points { x: &flat, d: 2 };
        let fits: Vec<(usize, Vec<usize>)> = (3..8)
            .map(|k| {
                (
                    k,
                    (0..60)
                        .map(|_| (rng.next_u64() % (k as u64 - 1)) as usize)
                        .collect(),
                )
            })
            .collect();
        let views: Vec<(usize, &[usize])> = fits.iter().map(|(k, a)| (*k, a.as_slice())).collect();
        let got = silhouettes(&pts, &views);
        for (g, (k, a)) in got.iter().zip(&fits) {
            let want = silhouette_by_definition(&x, a, *k);
            assert!((g - want).abs() < 1e-12, "k = {k}: {g} vs {want}");
        }
    }

    #[test]
    fn finds_three_obvious_groups_the_same_way_twice() {
        let mut pts = Vec::new();
        for i in 0..30 {
            let j = f64::from(i);
            pts.push((5.0 + 0.2 * j, 20.0 + f64::from(i % 4), 50_000.0 + 100.0 * j));
            pts.push((200.0 + j, 2.0, 500.0 + 3.0 * j));
            pts.push((600.0 + j, 1.0, 50.0 + j));
        }
        let f = facts(&pts);
        let (c, per) = run(&f, &ClusterOptions::default()).unwrap();
        assert_eq!(c.k, 3);
        assert_eq!(
            c.clusters.iter().map(|p| p.customers).collect::<Vec<_>>(),
            vec![30, 30, 30]
        );
        // Numbered by mean amount: the big spenders are cluster 1.
        assert_eq!(per[0], Some(1));
        assert_eq!(per[1], Some(2));
        assert_eq!(per[2], Some(3));
        let (_, again) = run(&f, &ClusterOptions::default()).unwrap();
        assert_eq!(per, again);
        let o = ClusterOptions {
            k: Some(2),
            ..ClusterOptions::default()
        };
        assert_eq!(run(&f, &o).unwrap().0.k, 2);
    }

    #[test]
    fn unknown_feature_is_refused() {
        let o = ClusterOptions {
            features: vec!["colour".into()],
            ..ClusterOptions::default()
        };
        assert!(o.check().unwrap_err().contains("colour"));
    }
}
