//! Weighted min-max scores: the one formula behind the value score and the credit score.
//!
//! Each indicator is min-max normalized to 0–1 after clipping at its `clip` and 100 − `clip`
//! percentiles, and reversed when lower is better. A customer's score is 100 × Σ wᵢxᵢ ÷ Σ wᵢ over
//! the indicators known for that customer, so weights renormalize over what exists. An indicator
//! whose clipped range is empty (everyone alike) carries no information and is left out.

/// One indicator: a value per customer (`None` where unknown), its direction and weight.
pub struct Indicator<'a> {
    pub values: &'a [Option<f64>],
    pub higher_is_better: bool,
    pub weight: f64,
}

/// The range an indicator was scaled over, or `None` when it was left out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub low: f64,
    pub high: f64,
}

/// The `p`-th percentile (0–100) of sorted values, interpolating between neighbours.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = p / 100.0 * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let a = sorted.get(lo).copied().unwrap_or(0.0);
    let b = sorted.get(hi).copied().unwrap_or(a);
    a + (b - a) * (pos - lo as f64)
}

/// Scores `n` customers. Returns each customer's score (`None` when no used indicator is known
/// for it) and each indicator's range (`None` when left out or weighted 0).
pub fn weighted(
    indicators: &[Indicator<'_>],
    n: usize,
    clip: f64,
) -> (Vec<Option<f64>>, Vec<Option<Range>>) {
    let ranges: Vec<Option<Range>> = indicators
        .iter()
        .map(|ind| {
            if ind.weight <= 0.0 {
                return None;
            }
            let mut v: Vec<f64> = ind
                .values
                .iter()
                .flatten()
                .copied()
                .filter(|x| x.is_finite())
                .collect();
            crate::sort::floats(&mut v);
            let low = percentile(&v, clip);
            let high = percentile(&v, 100.0 - clip);
            (high > low).then_some(Range { low, high })
        })
        .collect();
    let scores = (0..n)
        .map(|i| {
            let (mut s, mut w) = (0.0, 0.0);
            for (ind, range) in indicators.iter().zip(&ranges) {
                let (Some(r), Some(x)) = (range, ind.values.get(i).copied().flatten()) else {
                    continue;
                };
                if !x.is_finite() {
                    continue;
                }
                let mut t = (x.clamp(r.low, r.high) - r.low) / (r.high - r.low);
                if !ind.higher_is_better {
                    t = 1.0 - t;
                }
                s += ind.weight * t;
                w += ind.weight;
            }
            (w > 0.0).then(|| (100.0 * s / w).clamp(0.0, 100.0))
        })
        .collect();
    (scores, ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renormalizes_over_known_indicators() {
        let up = [Some(0.0), Some(5.0), Some(10.0)];
        let down = [Some(1.0), None, Some(3.0)];
        let flat = [Some(7.0), Some(7.0), Some(7.0)];
        let ind = [
            Indicator {
                values: &up,
                higher_is_better: true,
                weight: 3.0,
            },
            Indicator {
                values: &down,
                higher_is_better: false,
                weight: 1.0,
            },
            Indicator {
                values: &flat,
                higher_is_better: true,
                weight: 5.0,
            },
        ];
        let (s, r) = weighted(&ind, 3, 0.0);
        // c0: up 0, down best (1) → (0 + 1) ÷ 4; c1: up only → 50; c2: up 1, down worst → 3 ÷ 4.
        assert_eq!(s, vec![Some(25.0), Some(50.0), Some(75.0)]);
        assert_eq!(r[2], None);
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 50.0), 2.5);
    }
}
