//! The churn model end to end: the sample and its label by hand, a generated history where a
//! falling purchase rate precedes leaving (the model finds it), one where leaving is random (it
//! finds nothing), and too little history (it does not run and says why).

use kexi::internals::report::Report;
use kexi::{analyze, parse_iso_date, Options};

fn as_of(d: &str) -> Options {
    Options {
        as_of: parse_iso_date(d),
        ..Options::default()
    }
}

/// "YYYY-MM-DD" of day `n` after 2021-01-01.
fn day(n: i64) -> String {
    let start = parse_iso_date("2021-01-01").unwrap();
    (start + chrono::Duration::days(n))
        .format("%Y-%m-%d")
        .to_string()
}

fn status_note(r: &Report) -> (bool, String) {
    let st = r
        .summary
        .analyses
        .iter()
        .find(|s| s.key == "churn_model")
        .expect("a status for the churn model");
    (
        st.ran,
        st.note.as_ref().map(|n| n.en.clone()).unwrap_or_default(),
    )
}

/// As-of 2024-01-01, cutoff 2023-07-01. Monthly buyers from 2022-01-05:
/// - S1–S20 through 2023-12-05: in the sample, stayed.
/// - L1–L8 until 2023-06-05: in the sample (26 days silent at the cutoff), lost at the as-of
///   date (210 days > 180).
/// - E1–E3 until 2023-06-05 and again on 2023-12-20: in the sample, stayed.
/// - B1 until 2023-07-04: silent 181 days at the as-of date, lost; B2 until 2023-07-05: 180
///   days, not lost.
/// - Q1–Q5 on 2022-01-05 and 2022-10-01 only: lost at the cutoff (273 days), not in the sample.
/// - N1–N4 first on 2023-09-01: not in the sample, scored today.
///
/// Sample 20 + 8 + 3 + 2 = 33, of whom 8 + 1 = 9 left. Scored today: S, E, B2 and N = 28.
#[test]
fn sample_and_label_by_hand() {
    let mut csv = String::from("客户编号,订单日期,销售额\n");
    let monthly = |csv: &mut String, id: &str, until: &str| {
        for (y, m) in (0..24).map(|k| (2022 + k / 12, 1 + k % 12)) {
            let d = format!("{y}-{m:02}-05");
            if d.as_str() <= until {
                csv.push_str(&format!("{id},{d},100\n"));
            }
        }
    };
    for k in 1..=20 {
        monthly(&mut csv, &format!("S{k}"), "2023-12-05");
    }
    for k in 1..=8 {
        monthly(&mut csv, &format!("L{k}"), "2023-06-05");
    }
    for k in 1..=3 {
        monthly(&mut csv, &format!("E{k}"), "2023-06-05");
        csv.push_str(&format!("E{k},2023-12-20,100\n"));
    }
    monthly(&mut csv, "B1", "2023-06-05");
    csv.push_str("B1,2023-07-04,100\n");
    monthly(&mut csv, "B2", "2023-06-05");
    csv.push_str("B2,2023-07-05,100\n");
    for k in 1..=5 {
        csv.push_str(&format!("Q{k},2022-01-05,100\nQ{k},2022-10-01,100\n"));
    }
    for k in 1..=4 {
        csv.push_str(&format!("N{k},2023-09-01,100\n"));
    }
    let r = analyze(csv.as_bytes(), &as_of("2024-01-01")).unwrap();
    let (ran, note) = status_note(&r);
    assert!(ran, "{note}");
    let m = r.analyses.churn_model.as_ref().unwrap();
    assert_eq!(
        m.cutoff.map(|d| d.to_string()).as_deref(),
        Some("2023-07-01")
    );
    assert_eq!((m.sample, m.leavers, m.scored), (33, 9, 28));
    assert!((m.base_rate - 900.0 / 33.0).abs() < 1e-9);
    let by_id = |id: &str| {
        r.customers
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap()
    };
    for id in ["S1", "E1", "B2", "N1"] {
        let c = by_id(id);
        let p = c.churn_probability.expect(id);
        assert!((0.0..=1.0).contains(&p));
        assert!(c.churn_risk.is_some());
    }
    for id in ["L1", "B1", "Q1"] {
        assert_eq!(by_id(id).churn_risk, None, "{id} is lost already");
    }
    let total: u64 = m.bands.iter().map(|b| b.customers).sum();
    assert_eq!(total, 28);
    assert_eq!(m.at_risk.len(), 28);
    assert!(m
        .at_risk
        .windows(2)
        .all(|w| w[0].probability >= w[1].probability));
    let keys: Vec<&str> = m.charts[0].keys.iter().map(String::as_str).collect();
    assert_eq!(keys, ["high", "medium", "low"]);
    assert!(m.definition.en.contains("2023-07-01"));
}

/// A seeded generator for the histories (SplitMix64).
struct Gen(u64);

impl Gen {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` customers buying from 2021 to 2023 (as-of 2024-01-01, cutoff 2023-07-01, day 911).
/// `leaves(g)` draws whether a customer leaves; a leaver's gaps grow by `fade` a purchase from a
/// year before the cutoff, and it buys nothing after the cutoff. Returns the CSV.
fn history(n: usize, seed: u64, leave_share: f64, fade: f64) -> String {
    let mut g = Gen(seed);
    let mut csv = String::from("客户编号,订单日期,销售额\n");
    let cutoff = 911.0;
    let end = 1095.0;
    for k in 0..n {
        let leaves = g.unit() < leave_share;
        let mut gap = 20.0 + 40.0 * g.unit();
        let size = 100.0 + 900.0 * g.unit();
        let mut t = g.unit() * gap;
        while t < end {
            if leaves && t >= cutoff {
                break;
            }
            let amount = size * (0.5 + g.unit());
            csv.push_str(&format!("C{k},{},{amount:.0}\n", day(t as i64)));
            if leaves && t > cutoff - 365.0 {
                gap *= fade;
            }
            t += gap * (0.5 + g.unit());
        }
    }
    csv
}

/// The held-out AUC, and the status note.
fn auc_of(csv: &str) -> (f64, String) {
    let r = analyze(csv.as_bytes(), &as_of("2024-01-01")).unwrap();
    let (ran, note) = status_note(&r);
    assert!(ran, "{note}");
    let m = r.analyses.churn_model.as_ref().unwrap();
    let auc = m.auc.expect("an AUC");
    let top = m.top_decile.as_ref().unwrap();
    println!(
        "AUC {auc:.3}; top decile {}/{} left ({:.1}%) against {:.1}%; sample {}, leavers {}",
        top.left, top.customers, top.precision, m.holdout_base_rate, m.sample, m.leavers
    );
    (auc, note)
}

/// Leavers' purchases thin out over the year before the cutoff: the model ranks them first.
#[test]
fn a_falling_purchase_rate_predicts_leaving() {
    let (auc, note) = auc_of(&history(600, 11, 0.3, 1.25));
    assert!(auc > 0.75, "AUC {auc}");
    assert!(!note.contains("barely"), "{note}");
}

/// Leaving at random, whatever a customer did: the model does no better than chance.
#[test]
fn random_leaving_is_not_predicted() {
    let (auc, note) = auc_of(&history(1000, 12, 0.3, 1.0));
    assert!((0.35..=0.65).contains(&auc), "AUC {auc}");
    // Below 0.6 the section says the model is weak.
    assert_eq!(
        auc < 0.6,
        note.contains("barely tells leavers from stayers"),
        "{note}"
    );
}

/// Ten customers, or a history shorter than the months predicted over: no model, and why.
#[test]
fn too_little_history_does_not_fit() {
    let mut csv = String::from("客户编号,订单日期,销售额\n");
    for k in 0..10 {
        csv.push_str(&format!("C{k},2022-01-05,100\nC{k},2023-06-05,100\n"));
    }
    let r = analyze(csv.as_bytes(), &as_of("2024-01-01")).unwrap();
    assert!(r.analyses.churn_model.is_none());
    let (ran, note) = status_note(&r);
    assert!(
        !ran && note.contains("The sample has 10 customers"),
        "{note}"
    );

    let mut csv = String::from("客户编号,订单日期,销售额\n");
    for k in 0..50 {
        csv.push_str(&format!("C{k},2023-05-01,100\nC{k},2023-11-01,100\n"));
    }
    let r = analyze(csv.as_bytes(), &as_of("2024-01-01")).unwrap();
    let (ran, note) = status_note(&r);
    assert!(
        !ran && note.contains("days of history before the cutoff"),
        "{note}"
    );
    // The register has no dates: the model names the column it needs.
    let r = analyze("客户编号,销售额\nA,100\n".as_bytes(), &Options::default()).unwrap();
    let st = r
        .summary
        .analyses
        .iter()
        .find(|s| s.key == "churn_model")
        .unwrap();
    assert!(!st.ran && st.needs == [vec!["order_date"]]);
}
