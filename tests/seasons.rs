//! Seasons and the forecast end to end: a small order list by hand (months, a partial last month,
//! the index, peak and off-season), a generated seasonal series the forecast follows (its peak
//! lands on the season's peak), and a series too short to forecast (it declines and says why).

use kexi::{analyze, parse_iso_date, Options};

fn as_of(d: &str) -> Options {
    Options {
        as_of: parse_iso_date(d),
        ..Options::default()
    }
}

/// Three customers in two regions, 2024-01-10 to 2025-01-20, as-of 2025-01-21: 2024 is whole,
/// January 2025 partial (the last day known is the 20th).
#[test]
fn months_index_and_partial_month_by_hand() {
    let mut csv = String::from("客户编号,区域,订单日期,销售额\n");
    for m in 1..=12 {
        // A sells 100 a month, B 100 more in June and December, C 50 in June.
        csv.push_str(&format!("A,华东,2024-{m:02}-10,100\n"));
        if m == 6 || m == 12 {
            csv.push_str(&format!("B,华北,2024-{m:02}-15,100\n"));
        }
    }
    csv.push_str("C,华北,2024-06-20,50\nA,华东,2025-01-20,70\n");
    let r = analyze(csv.as_bytes(), &as_of("2025-01-21")).unwrap();
    let s = r.analyses.seasons.as_ref().expect("seasons ran");
    assert_eq!(
        (s.first_month.as_str(), s.last_month.as_str()),
        ("2024-01", "2025-01")
    );
    assert_eq!(s.partial_month.as_deref(), Some("2025-01"));
    assert_eq!(s.whole_months, 12);
    let y2024: Vec<f64> = s.years[0].amounts.iter().map(|a| a.unwrap()).collect();
    let mut want = vec![100.0; 12];
    want[5] = 250.0;
    want[11] = 200.0;
    assert_eq!(y2024, want);
    assert_eq!(s.years[1].amounts[0], Some(70.0));
    assert!(s.years[1].amounts[1..].iter().all(Option::is_none));
    // Index: a month over the mean of the 12 whole months (1,450 / 12), × 100.
    let mean = 1450.0 / 12.0;
    let ix = s.index.as_ref().unwrap();
    assert!((ix[5] - 250.0 / mean * 100.0).abs() < 1e-9);
    assert!((ix[0] - 100.0 / mean * 100.0).abs() < 1e-9);
    // June 207 and December 166 are peaks; the other months, 83, are off-season.
    assert_eq!(s.peak_months, [6, 12]);
    assert_eq!(s.off_months, [1, 2, 3, 4, 5, 7, 8, 9, 10, 11]);
    // Twelve whole months cannot be forecast: two seasons and the held-out months are needed.
    assert!(s.forecast.is_none());
    let why = s.declined.as_ref().unwrap();
    assert!(why.en.contains("Only 12 whole months"), "{}", why.en);
    let st = r
        .summary
        .analyses
        .iter()
        .find(|a| a.key == "seasons")
        .unwrap();
    assert!(st.ran);
    assert_eq!(
        st.note.as_ref().map(|n| n.en.as_str()),
        Some(why.en.as_str())
    );
}

/// A seeded generator (SplitMix64).
struct Gen(u64);

impl Gen {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49EB_0111_34EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Monthly sales with a season peaking in November (twice the trough in February), some noise
/// and a slow rise, over `months` months from January 2021, spread over 20 customers in two
/// regions; the as-of date is the day after the last month.
fn seasonal_history(months: i32) -> (String, String) {
    let mut g = Gen(7);
    let mut csv = String::from("客户编号,区域,订单日期,销售额\n");
    for k in 0..months {
        let (y, m) = (2021 + k / 12, k % 12 + 1);
        let season = 1.0 + 0.5 * (2.0 * std::f64::consts::PI * f64::from(m - 11) / 12.0).cos();
        let level = 10_000.0 * (1.0 + 0.005 * f64::from(k));
        for c in 0..20 {
            let amount = level * season / 20.0 * (0.9 + 0.2 * g.unit());
            let region = if c % 2 == 0 { "华东" } else { "华南" };
            csv.push_str(&format!(
                "C{c},{region},{y}-{m:02}-{:02},{amount:.2}\n",
                1 + c
            ));
        }
    }
    let end = months;
    let as_of = format!("{}-{:02}-01", 2021 + end / 12, end % 12 + 1);
    (csv, as_of)
}

#[test]
fn a_seasonal_series_is_forecast_with_its_season() {
    let (csv, day) = seasonal_history(36);
    let r = analyze(csv.as_bytes(), &as_of(&day)).unwrap();
    let s = r.analyses.seasons.as_ref().unwrap();
    assert_eq!((s.whole_months, s.partial_month.as_deref()), (36, None));
    assert!(s.peak_months.contains(&11) && s.off_months.contains(&5));
    let f = s.forecast.as_ref().expect("36 whole months are forecast");
    // Held out: October–December 2023, forecast from the 33 months before them.
    assert_eq!(f.holdout.months, ["2023-10", "2023-11", "2023-12"]);
    let wape = f.holdout.wape.unwrap();
    assert!(wape < 15.0, "held-out WAPE {wape}");
    assert!(f.holdout.inside >= 2, "{:?}", f.holdout);
    // Ahead: January–December 2024 with the default 6 months: January to June; the season's
    // trough is in May, so May's forecast is the lowest and January's above it.
    assert_eq!(f.months.first().map(String::as_str), Some("2024-01"));
    assert_eq!(f.months.len(), 6);
    let low = (0..6)
        .min_by(|&a, &b| f.point[a].total_cmp(&f.point[b]))
        .unwrap();
    assert_eq!(f.months[low], "2024-05");
    for k in 0..6 {
        assert!(f.lower[k] <= f.point[k] && f.point[k] <= f.upper[k]);
        if k > 0 {
            // The interval widens with the horizon.
            assert!(f.upper[k] - f.lower[k] >= f.upper[k - 1] - f.lower[k - 1] - 1e-6);
        }
    }
    // Both regions forecast on their own, the larger first.
    assert_eq!(s.groups.len(), 2);
    assert!(s.groups.iter().all(|g| g.region.is_some()));
    let ids: Vec<&str> = s.charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["seasons_heat", "seasons_index", "seasons_forecast"]);
}

#[test]
fn a_twelve_month_peak_is_found_over_more_horizon() {
    let (csv, day) = seasonal_history(40);
    let o = Options {
        seasons: kexi::internals::seasons::SeasonsOptions {
            horizon: 12,
            ..Default::default()
        },
        ..as_of(&day)
    };
    let r = analyze(csv.as_bytes(), &o).unwrap();
    let f = r
        .analyses
        .seasons
        .as_ref()
        .unwrap()
        .forecast
        .as_ref()
        .unwrap();
    // 40 months end in April 2024: May 2024 to April 2025, the peak November 2024.
    assert_eq!(f.months.first().map(String::as_str), Some("2024-05"));
    let top = (0..12)
        .max_by(|&a, &b| f.point[a].total_cmp(&f.point[b]))
        .unwrap();
    assert_eq!(f.months[top], "2024-11");
}

#[test]
fn a_short_series_is_not_forecast() {
    let (csv, day) = seasonal_history(26);
    let r = analyze(csv.as_bytes(), &as_of(&day)).unwrap();
    let s = r.analyses.seasons.as_ref().unwrap();
    assert!(s.forecast.is_none() && s.groups.is_empty());
    let why = s.declined.as_ref().unwrap();
    assert!(
        why.en.contains("Only 26 whole months: a forecast needs 27"),
        "{}",
        why.en
    );
    assert!(why.zh.contains("只有 26 个完整月"), "{}", why.zh);
    // The index is still there: every month has been seen.
    assert_eq!(s.index.as_ref().map(Vec::len), Some(12));
    // The charts leave the forecast out.
    assert!(s.charts.iter().all(|c| c.id != "seasons_forecast"));
}

#[test]
fn a_register_without_dates_has_no_seasons() {
    let csv = "客户编号,客户名称,销售额\nA,甲,100\nB,乙,200\n";
    let r = analyze(csv.as_bytes(), &Options::default()).unwrap();
    assert!(r.analyses.seasons.is_none());
    let st = r
        .summary
        .analyses
        .iter()
        .find(|a| a.key == "seasons")
        .unwrap();
    assert!(!st.ran);
}
