//! Cross-selling: which products the same customers buy together, and which groups of customers
//! prefer which products.
//!
//! Definitions (docs/analyses.md), over the N customers who bought any product:
//! - For products X and Y bought by n_XY customers: support = n_XY ÷ N, confidence(X→Y) =
//!   n_XY ÷ n_X, lift = confidence(X→Y) ÷ (n_Y ÷ N) (1 = independent; above 1, bought together
//!   more often than chance). Pairs bought by fewer than `min_customers` customers are left out;
//!   the rest are ranked by lift, then support. A customer's first `max_products` products (by
//!   amount) count, which bounds the pair count per customer.
//! - Preferences: for each of age band (<25, 25–34, 35–44, 45–54, 55+), region and industry, the
//!   amount of each of the top `top_products` products bought by each group (a cross-table).

use crate::analyze::chart::{Chart, Kind, Series, Text, Unit};
use crate::facts::Facts;
use crate::facts::Field;
use crate::facts::NO_TEXT;
use rustc_hash::FxHashMap;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CrossSellOptions {
    pub min_customers: u64,
    /// Pairs listed at most.
    pub top: usize,
    pub max_products: usize,
    /// Products (rows) in each preference table.
    pub top_products: usize,
    /// Groups (columns) in each preference table; the rest are summed as "其他".
    pub top_groups: usize,
}

impl Default for CrossSellOptions {
    fn default() -> Self {
        CrossSellOptions {
            min_customers: 2,
            top: 20,
            max_products: 100,
            top_products: 10,
            top_groups: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub customers: u64,
    /// Percent of N.
    pub support: f64,
    /// Percent of A's buyers who also bought B.
    pub confidence_ab: f64,
    pub confidence_ba: f64,
    pub lift: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preference {
    /// `age_band`, `region` or `industry`.
    pub by: &'static str,
    pub label: Text,
    pub products: Vec<String>,
    pub groups: Vec<Text>,
    /// amount[product][group].
    pub amount: Vec<Vec<f64>>,
    pub charts: Vec<Chart>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossSell {
    pub options: CrossSellOptions,
    /// N: customers who bought any product.
    pub customers: u64,
    pub products: u64,
    pub pairs: Vec<Pair>,
    pub preferences: Vec<Preference>,
}

/// Age bands of [`CrossSell::preferences`].
fn age_band(age: f64) -> usize {
    match age {
        a if a < 25.0 => 0,
        a if a < 35.0 => 1,
        a if a < 45.0 => 2,
        a if a < 55.0 => 3,
        _ => 4,
    }
}

const AGE_BANDS: [&str; 5] = ["<25", "25–34", "35–44", "45–54", "55+"];

/// Up to this many products, co-purchases are counted in a table with a slot per pair (at
/// most 8 MiB) rather than in a map: a hash per pair per customer, millions at 1M order lines.
const DENSE_PRODUCTS: usize = 1024;

/// Runs the pair counts and preference tables. `None` without at least two products.
pub fn run(facts: &Facts, o: &CrossSellOptions) -> Option<CrossSell> {
    let p = facts.products.as_ref()?;
    if p.labels.len() < 2 {
        return None;
    }
    let n_products = p.labels.len();
    let mut buyers = vec![0u64; n_products];
    // Counts of (a, b), a < b, at a · n_products + b; pairs outside it go to the map.
    let dense = if n_products <= DENSE_PRODUCTS {
        n_products
    } else {
        0
    };
    let mut grid = vec![0u64; dense * dense];
    let mut pairs: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    let mut n = 0u64;
    let mut mine: Vec<(u32, f64)> = Vec::new();
    for i in 0..facts.customers.len() {
        mine.clear();
        mine.extend_from_slice(p.of(i));
        if mine.is_empty() {
            continue;
        }
        n += 1;
        if mine.len() > o.max_products {
            crate::sort::by(&mut mine, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            mine.truncate(o.max_products);
            crate::sort::by(&mut mine, |a, b| a.0.cmp(&b.0));
        }
        for (k, &(a, _)) in mine.iter().enumerate() {
            if let Some(b) = buyers.get_mut(a as usize) {
                *b += 1;
            }
            for &(b, _) in mine.get(k + 1..).unwrap_or(&[]) {
                let (ai, bi) = (a as usize, b as usize);
                let slot = (ai < dense && bi < dense)
                    .then(|| grid.get_mut(ai * dense + bi))
                    .flatten();
                match slot {
                    Some(count) => *count += 1,
                    None => *pairs.entry((a, b)).or_insert(0) += 1,
                }
            }
        }
    }
    let label = |x: u32| p.labels.get(x as usize).cloned().unwrap_or_default();
    let nf = n as f64;
    let from_grid = grid
        .iter()
        .enumerate()
        .filter(|e| *e.1 > 0)
        .map(|(at, &k)| {
            let (a, b) = (at / dense.max(1), at % dense.max(1));
            ((a as u32, b as u32), k)
        });
    let mut list: Vec<(u32, u32, u64, f64)> = from_grid
        .chain(pairs)
        .filter(|&(_, k)| k >= o.min_customers)
        .map(|((a, b), k)| {
            let na = buyers.get(a as usize).copied().unwrap_or(1).max(1) as f64;
            let nb = buyers.get(b as usize).copied().unwrap_or(1).max(1) as f64;
            (a, b, k, (k as f64 / na) / (nb / nf))
        })
        .collect();
    crate::sort::by(&mut list, |x, y| {
        y.3.total_cmp(&x.3)
            .then(y.2.cmp(&x.2))
            .then(x.0.cmp(&y.0))
            .then(x.1.cmp(&y.1))
    });
    list.truncate(o.top);
    let pairs = list
        .into_iter()
        .map(|(a, b, k, lift)| {
            let na = buyers.get(a as usize).copied().unwrap_or(1).max(1) as f64;
            let nb = buyers.get(b as usize).copied().unwrap_or(1).max(1) as f64;
            Pair {
                a: label(a),
                b: label(b),
                customers: k,
                support: 100.0 * k as f64 / nf,
                confidence_ab: 100.0 * k as f64 / na,
                confidence_ba: 100.0 * k as f64 / nb,
                lift,
            }
        })
        .collect();

    // Top products by amount, for the preference tables.
    let mut amount = vec![0.0f64; n_products];
    for &(x, a) in &p.items {
        if let Some(s) = amount.get_mut(x as usize) {
            *s += a;
        }
    }
    let mut top: Vec<u32> = (0..n_products as u32).collect();
    crate::sort::by(&mut top, |&a, &b| {
        amount
            .get(b as usize)
            .unwrap_or(&0.0)
            .total_cmp(amount.get(a as usize).unwrap_or(&0.0))
            .then(a.cmp(&b))
    });
    top.truncate(o.top_products);
    let mut preferences = Vec::new();
    if facts.has.age {
        let groups: Vec<Option<usize>> = facts
            .customers
            .iter()
            .map(|c| c.age.map(age_band))
            .collect();
        let labels = AGE_BANDS
            .iter()
            .map(|b| Text::new(format!("{b}岁"), *b))
            .collect();
        preferences.push(table(
            facts,
            o,
            &top,
            "age_band",
            Text::new("年龄段", "Age band"),
            &groups,
            labels,
        ));
    }
    for (by, field) in [("region", Field::Region), ("industry", Field::Industry)] {
        if let Some(d) = facts.dim(field) {
            let groups: Vec<Option<usize>> = d
                .values
                .iter()
                .map(|&v| (v != NO_TEXT).then_some(v as usize))
                .collect();
            let labels = d
                .labels
                .iter()
                .map(|l| Text::new(l.clone(), l.clone()))
                .collect();
            preferences.push(table(
                facts,
                o,
                &top,
                by,
                Text::new(field.label_zh(), field.label_en()),
                &groups,
                labels,
            ));
        }
    }
    Some(CrossSell {
        options: *o,
        customers: n,
        products: n_products as u64,
        pairs,
        preferences,
    })
}

fn table(
    facts: &Facts,
    o: &CrossSellOptions,
    top: &[u32],
    by: &'static str,
    label: Text,
    groups: &[Option<usize>],
    group_labels: Vec<Text>,
) -> Preference {
    let Some(p) = facts.products.as_ref() else {
        return Preference {
            by,
            label,
            products: Vec::new(),
            groups: Vec::new(),
            amount: Vec::new(),
            charts: Vec::new(),
        };
    };
    let row_of: FxHashMap<u32, usize> = top.iter().enumerate().map(|(r, &x)| (x, r)).collect();
    let g = group_labels.len();
    let mut cells = vec![vec![0.0f64; g]; top.len()];
    let mut group_total = vec![0.0f64; g];
    for (i, grp) in groups.iter().enumerate() {
        let Some(k) = *grp else { continue };
        for &(x, a) in p.of(i) {
            if let Some(t) = group_total.get_mut(k) {
                *t += a;
            }
            if let Some(cell) = row_of
                .get(&x)
                .and_then(|&r| cells.get_mut(r))
                .and_then(|row| row.get_mut(k))
            {
                *cell += a;
            }
        }
    }
    // Largest groups first; the rest summed as "其他".
    let mut order: Vec<usize> = (0..g).collect();
    crate::sort::by(&mut order, |&a, &b| {
        group_total
            .get(b)
            .unwrap_or(&0.0)
            .total_cmp(group_total.get(a).unwrap_or(&0.0))
            .then(a.cmp(&b))
    });
    if by == "age_band" {
        crate::sort::by(&mut order, |a, b| a.cmp(b));
    }
    order.retain(|&k| group_total.get(k).is_some_and(|&t| t != 0.0));
    let rest: Vec<usize> = order.split_off(order.len().min(o.top_groups));
    let mut groups_out: Vec<Text> = order
        .iter()
        .filter_map(|&k| group_labels.get(k).cloned())
        .collect();
    if !rest.is_empty() {
        groups_out.push(Text::new("其他", "Other"));
    }
    let amount: Vec<Vec<f64>> = cells
        .iter()
        .map(|row| {
            let mut out: Vec<f64> = order
                .iter()
                .map(|&k| row.get(k).copied().unwrap_or(0.0))
                .collect();
            if !rest.is_empty() {
                out.push(
                    rest.iter()
                        .map(|&k| row.get(k).copied().unwrap_or(0.0))
                        .sum(),
                );
            }
            out
        })
        .collect();
    let products: Vec<String> = top
        .iter()
        .map(|&x| p.labels.get(x as usize).cloned().unwrap_or_default())
        .collect();
    let chart = Chart {
        id: format!("cross_sell_{by}"),
        kind: Kind::StackedBar,
        title: Text::new(
            format!("按{}的产品偏好", label.zh),
            format!("Product preference by {}", label.en.to_lowercase()),
        ),
        categories: groups_out.clone(),
        keys: Vec::new(),
        series: products
            .iter()
            .zip(&amount)
            .map(|(name, row)| {
                Series::new(
                    Text::new(name.clone(), name.clone()),
                    Unit::Amount,
                    row.clone(),
                )
            })
            .collect(),
        x_title: None,
        y_title: Some(Text::new("销售额", "Amount")),
    };
    Preference {
        by,
        label,
        products,
        groups: groups_out,
        amount,
        charts: vec![chart],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{Fact, Products};

    #[test]
    fn hand_checked_pairs() {
        // Customers: {X, Y}, {X, Y}, {X}, {Z}, {Y, Z}. N = 5, n_X = 3, n_Y = 3, n_XY = 2.
        let baskets: [&[u32]; 5] = [&[0, 1], &[0, 1], &[0], &[2], &[1, 2]];
        let mut p = Products {
            labels: vec!["X".into(), "Y".into(), "Z".into()],
            offsets: vec![0],
            ..Products::default()
        };
        for b in baskets {
            p.items.extend(b.iter().map(|&x| (x, 10.0)));
            p.offsets.push(p.items.len() as u32);
        }
        let facts = Facts {
            customers: vec![Fact::default(); 5],
            products: Some(p),
            ..Facts::default()
        };
        let o = CrossSellOptions {
            min_customers: 1,
            ..CrossSellOptions::default()
        };
        let c = run(&facts, &o).unwrap();
        assert_eq!(c.customers, 5);
        let xy = c.pairs.iter().find(|p| p.a == "X" && p.b == "Y").unwrap();
        assert_eq!(xy.customers, 2);
        assert_eq!(xy.support, 40.0);
        assert!((xy.confidence_ab - 200.0 / 3.0).abs() < 1e-9);
        // lift = (2/3) ÷ (3/5) = 10/9.
        assert!((xy.lift - 10.0 / 9.0).abs() < 1e-9);
        // Y–Z: 1 customer, lift = (1/3) ÷ (2/5) = 5/6; X–Z never.
        assert!(c.pairs.iter().all(|p| !(p.a == "X" && p.b == "Z")));
        assert_eq!(c.pairs.first().map(|p| p.b.as_str()), Some("Y"));
        let strict = run(&facts, &CrossSellOptions::default()).unwrap();
        assert_eq!(strict.pairs.len(), 1);

        // The same baskets among more products than the pair table takes: counted in the map,
        // with the same pairs.
        let many = DENSE_PRODUCTS as u32 + 7;
        let mut p = Products {
            labels: (0..many).map(|i| format!("P{i}")).collect(),
            offsets: vec![0],
            ..Products::default()
        };
        let far = |x: u32| many - 3 + x;
        for b in baskets {
            p.items.extend(b.iter().map(|&x| (far(x), 10.0)));
            p.offsets.push(p.items.len() as u32);
        }
        let facts = Facts {
            customers: vec![Fact::default(); 5],
            products: Some(p),
            ..Facts::default()
        };
        let wide = run(&facts, &o).unwrap();
        let named = |v: &[Pair]| -> Vec<(String, String, u64)> {
            v.iter()
                .map(|p| (p.a.clone(), p.b.clone(), p.customers))
                .collect()
        };
        let renamed: Vec<_> = named(&c.pairs)
            .into_iter()
            .map(|(a, b, k)| {
                let id = |l: &str| format!("P{}", far(u32::from(l.as_bytes()[0] - b'X')));
                (id(&a), id(&b), k)
            })
            .collect();
        assert_eq!(named(&wide.pairs), renamed);
        assert_eq!(
            wide.pairs.first().map(|p| p.lift),
            c.pairs.first().map(|p| p.lift)
        );
    }
}
