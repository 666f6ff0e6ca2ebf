//! CLV benchmark: simulates customers from the BG/NBD process (fixed seed; first purchases
//! spread over 12 weeks, one year observed, purchase days rounded to whole days, amounts
//! Gamma-distributed per customer), then times summarising them, fitting BG/NBD and
//! Gamma-Gamma, and scoring every customer (P(alive), expected purchases in 39 weeks, expected
//! spend, 12-month CLV). Prints the median of the runs.
//!
//! `cargo bench --bench clv [-- --customers N --runs K]`

use kexi::internals::clv::model::{clv, fit_bgnbd, fit_gamma_gamma, summarize, Rfmt};
use std::time::{Duration, Instant};

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Gamma(shape, 1), Marsaglia–Tsang.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v > 0.0 && self.uniform().ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }
}

const END_DAY: i32 = 364;

/// Each customer's (day, amount) purchases. BG/NBD with r = 0.24, α = 4.4 weeks, a = 0.79,
/// b = 2.4 (CDNOW-like); spend Gamma(p = 6, ν ~ Gamma(q = 4, v = 15)).
fn simulate(n: usize, seed: u64) -> Vec<Vec<(i32, f64)>> {
    let (r, alpha, a, b) = (0.24, 4.4, 0.79, 2.4);
    let (p, q, v) = (6.0, 4.0, 15.0);
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let lambda = rng.gamma(r) / alpha;
            let (ga, gb) = (rng.gamma(a), rng.gamma(b));
            let drop = ga / (ga + gb);
            let nu = rng.gamma(q) / v;
            let first = (rng.uniform() * 84.0) as i32;
            let mut days = vec![(first, rng.gamma(p) / nu)];
            let mut t = f64::from(first) / 7.0;
            loop {
                t += -rng.uniform().ln() / lambda;
                let day = (t * 7.0).floor();
                if day > f64::from(END_DAY) {
                    break;
                }
                days.push((day as i32, rng.gamma(p) / nu));
                if rng.uniform() < drop {
                    break;
                }
            }
            days
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let n = flag("--customers").unwrap_or(100_000);
    let runs = flag("--runs").unwrap_or(5);
    let customers = simulate(n, 2024);
    let mut times: [Vec<Duration>; 5] = Default::default();
    let mut last = None;
    for _ in 0..runs {
        let t0 = Instant::now();
        let rows: Vec<Rfmt> = customers
            .iter()
            .filter_map(|c| summarize(c, END_DAY, 7.0))
            .collect();
        let t1 = Instant::now();
        let bg = fit_bgnbd(&rows, 0.0).expect("BG/NBD fit");
        let t2 = Instant::now();
        let gg = fit_gamma_gamma(&rows, 0.0).expect("Gamma-Gamma fit");
        let t3 = Instant::now();
        let mut total = 0.0;
        // In (x, T) order, as `predict::score` scores them: the memo keeps one (x, T)'s counts.
        let mut by_history: Vec<&Rfmt> = rows.iter().collect();
        by_history.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.t.total_cmp(&b.t)));
        let mut memo = kexi::internals::clv::model::CountMemo::default();
        for r in by_history {
            total += bg.p_alive(r.x, r.t_x, r.t)
                + bg.expected_purchases_memo(&mut memo, 39.0, r.x, r.t_x, r.t)
                + gg.expected_spend(r.x, r.monetary)
                + clv(&bg, &gg, r, 12, 0.01, 7.0, &mut memo);
        }
        let t4 = Instant::now();
        assert!(total.is_finite());
        for (i, d) in [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0]
            .into_iter()
            .enumerate()
        {
            times[i].push(d);
        }
        last = Some((rows, bg, gg));
    }
    if let Some((rows, bg, gg)) = last {
        let repeat = rows.iter().filter(|r| r.x > 0.0).count();
        println!("{} customers, {repeat} repeat buyers", rows.len());
        println!(
            "BG/NBD r={:.4} alpha={:.4} a={:.4} b={:.4} LL={:.1} ({} iterations, converged {})",
            bg.r, bg.alpha, bg.a, bg.b, bg.log_likelihood, bg.iterations, bg.converged
        );
        println!(
            "Gamma-Gamma p={:.4} q={:.4} v={:.4} corr(x, m)={:.3}",
            gg.p, gg.q, gg.v, gg.freq_monetary_correlation
        );
    }
    let [summ, fit_bg, fit_gg, score, total] = times.map(median);
    println!("median of {runs} runs:");
    println!("  summarize        {summ:>10.1?}");
    println!("  fit BG/NBD       {fit_bg:>10.1?}");
    println!("  fit Gamma-Gamma  {fit_gg:>10.1?}");
    println!("  score (4 preds)  {score:>10.1?}");
    println!("  total            {total:>10.1?}");
}
