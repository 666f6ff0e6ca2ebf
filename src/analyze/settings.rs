//! Reading [`Options`] from JSON, by hand. The JSON is parsed once into a `serde_json::Value`
//! and each section is read here, one small function a section: absent keys keep their default,
//! unknown keys are refused (the message names the known ones), and a value of the wrong type is
//! refused with its key's path (`rfm.threshold: expected one of mean, median, found "mode"`).
//! serde's derived `Deserialize` did the same, but its visitors for every section and enum were
//! about 60 KB of the wasm; this reader is about 20 KB (docs/performance.md). Keep its helpers
//! plain functions of a `Value`, not generic over a type.
//!
//! A new section: a function like [`rfm`] and a line in [`options`].

use crate::analyze::options::Options;
use crate::analyze::{
    abc, alerts, bcg, big_customers, churn_model, clusters, clv, credit, cross_sell, customer_flow,
    distribution, feedback, lifecycle, nps, people, performance, rfm, seasons, value,
};
use crate::read::grid::Limits;
use crate::table::mapping::{Overrides, Target};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::BTreeMap;

type Read<T> = Result<T, String>;

/// Reads the keys of the object `v` (at path `at`) that the fields name, each with its reader:
/// `fields!(o, v, at, { key: reader, ... })` sets `o.key = reader(value, "at.key")?`. Keys are
/// the fields' names.
macro_rules! fields {
    ($o:ident, $v:expr, $at:expr, { $($field:ident: $read:expr),* $(,)? }) => {
        section($v, $at, true, &[$(stringify!($field)),*], &mut |key, v, at| {
            match key {
                $(stringify!($field) => $o.$field = $read(v, at)?,)*
                _ => {}
            }
            Ok(())
        })
    };
}

/// The options object (the whole JSON), from their defaults.
pub fn options(v: &Value) -> Read<Options> {
    let mut o = Options::default();
    fields!(o, v, "", {
        sheet: |v, at| maybe(v, at, text),
        leave_out: texts,
        mapping: mapping,
        as_of: date,
        today: date,
        limits: limits,
        rfm: rfm,
        abc: abc,
        value: value,
        lifecycle: lifecycle,
        alerts: alerts,
        big_customers: big_customers,
        churn_model: churn_model,
        feedback: feedback,
        distribution: distribution,
        people: people,
        customer_flow: customer_flow,
        performance: performance,
        seasons: seasons,
        bcg: bcg,
        clusters: clusters,
        csi: csi,
        credit: credit,
        cross_sell: cross_sell,
        clv: clv,
    })?;
    Ok(o)
}

/// Reading limits. Unknown keys are passed over here (as they always were).
fn limits(v: &Value, at: &str) -> Read<Limits> {
    let mut o = Limits::default();
    let names = [
        "max_file_bytes",
        "max_decompressed_bytes",
        "max_cells",
        "max_text_bytes",
    ];
    section(v, at, false, &names, &mut |key, v, at| {
        let n = whole(v, at, u64::MAX)?;
        match key {
            "max_file_bytes" => o.max_file_bytes = n,
            "max_decompressed_bytes" => o.max_decompressed_bytes = n,
            "max_cells" => o.max_cells = n,
            _ => o.max_text_bytes = n,
        }
        Ok(())
    })?;
    Ok(o)
}

/// Column mapping corrections: column → field key or "ignore".
fn mapping(v: &Value, at: &str) -> Read<Overrides> {
    let Value::Object(object) = v else {
        return Err(expected(at, "an object of column → field key", v));
    };
    let mut o = Overrides::default();
    for (column, target) in object {
        let Value::String(target) = target else {
            return Err(expected(
                &path(at, column),
                "a field key or \"ignore\"",
                target,
            ));
        };
        let target = Target::try_from(target.clone()).map_err(|e| format!("{at}.{column}: {e}"))?;
        o.set(column.clone(), target);
    }
    Ok(o)
}

fn rfm(v: &Value, at: &str) -> Read<rfm::RfmOptions> {
    use rfm::{Monetary, Threshold};
    let mut o = rfm::RfmOptions::default();
    fields!(o, v, at, {
        monetary: |v, at| pick(v, at, &["sum", "mean"], &[Monetary::Sum, Monetary::Mean]),
        threshold: |v, at| pick(v, at, &["mean", "median"], &[Threshold::Mean, Threshold::Median]),
    })?;
    Ok(o)
}

fn abc(v: &Value, at: &str) -> Read<abc::AbcOptions> {
    use abc::Method;
    let mut o = abc::AbcOptions::default();
    fields!(o, v, at, {
        count_a: number,
        count_b: number,
        amount_a: number,
        amount_b: number,
        method: |v, at| pick(v, at, &["amount", "count"], &[Method::Amount, Method::Count]),
    })?;
    Ok(o)
}

fn value(v: &Value, at: &str) -> Read<value::ValueOptions> {
    let mut o = value::ValueOptions::default();
    fields!(o, v, at, {
        weights: weights,
        vip: number,
        important: number,
        ordinary: number,
        clip_percent: number,
    })?;
    Ok(o)
}

fn lifecycle(v: &Value, at: &str) -> Read<lifecycle::LifecycleOptions> {
    use lifecycle::Thresholds;
    let mut o = lifecycle::LifecycleOptions::default();
    fields!(o, v, at, {
        new_days: whole32,
        active_days: whole32,
        lost_days: whole32,
        thresholds: |v, at| {
            pick(v, at, &["fixed", "interval"], &[Thresholds::Fixed, Thresholds::Interval])
        },
        sleeping_multiple: number,
        lost_multiple: number,
        churn_period_days: |v, at| maybe(v, at, whole32),
    })?;
    Ok(o)
}

fn alerts(v: &Value, at: &str) -> Read<alerts::AlertOptions> {
    let mut o = alerts::AlertOptions::default();
    fields!(o, v, at, { multiple: number })?;
    Ok(o)
}

fn big_customers(v: &Value, at: &str) -> Read<big_customers::BigOptions> {
    let mut o = big_customers::BigOptions::default();
    fields!(o, v, at, {
        threshold: number,
        months: whole32,
        key_multiple: number,
        strategic_multiple: number,
        slip_drop: number,
    })?;
    Ok(o)
}

fn seasons(v: &Value, at: &str) -> Read<seasons::SeasonsOptions> {
    let mut o = seasons::SeasonsOptions::default();
    fields!(o, v, at, {
        horizon: whole32,
        holdout: whole32,
        level: number,
        peak: number,
        off: number,
        groups: whole32,
    })?;
    Ok(o)
}

fn churn_model(v: &Value, at: &str) -> Read<churn_model::ChurnOptions> {
    let mut o = churn_model::ChurnOptions::default();
    fields!(o, v, at, {
        months_back: whole32,
        high_risk: number,
        medium_risk: number,
        l2: number,
    })?;
    Ok(o)
}

fn feedback(v: &Value, at: &str) -> Read<feedback::FeedbackOptions> {
    let mut o = feedback::FeedbackOptions::default();
    fields!(o, v, at, { top: size, chart_groups: size })?;
    Ok(o)
}

fn distribution(v: &Value, at: &str) -> Read<distribution::DistributionOptions> {
    let mut o = distribution::DistributionOptions::default();
    fields!(o, v, at, { chart_groups: size })?;
    Ok(o)
}

fn people(v: &Value, at: &str) -> Read<people::PeopleOptions> {
    let mut o = people::PeopleOptions::default();
    fields!(o, v, at, {
        age_edges: wholes32,
        income_edges: wholes32,
        chart_groups: size,
    })?;
    Ok(o)
}

fn customer_flow(v: &Value, at: &str) -> Read<customer_flow::FlowOptions> {
    use customer_flow::Period;
    let mut o = customer_flow::FlowOptions::default();
    fields!(o, v, at, {
        period: |v, at| {
            let names = ["auto", "month", "quarter", "year"];
            pick(v, at, &names, &[Period::Auto, Period::Month, Period::Quarter, Period::Year])
        },
    })?;
    Ok(o)
}

fn performance(v: &Value, at: &str) -> Read<performance::PerformanceOptions> {
    let mut o = performance::PerformanceOptions::default();
    fields!(o, v, at, { top: size })?;
    Ok(o)
}

fn bcg(v: &Value, at: &str) -> Read<bcg::BcgOptions> {
    let mut o = bcg::BcgOptions::default();
    fields!(o, v, at, {
        share_split: |v, at| maybe(v, at, number),
        growth_split: |v, at| maybe(v, at, number),
        max_points: size,
    })?;
    Ok(o)
}

fn clusters(v: &Value, at: &str) -> Read<clusters::ClusterOptions> {
    let mut o = clusters::ClusterOptions::default();
    fields!(o, v, at, {
        features: texts,
        log: flag,
        k: |v, at| maybe(v, at, size),
        seed: |v, at| whole(v, at, u64::MAX),
    })?;
    Ok(o)
}

fn csi(v: &Value, at: &str) -> Read<nps::CsiOptions> {
    let mut o = nps::CsiOptions::default();
    fields!(o, v, at, { weights: weights })?;
    Ok(o)
}

fn credit(v: &Value, at: &str) -> Read<credit::CreditOptions> {
    let mut o = credit::CreditOptions::default();
    fields!(o, v, at, {
        weights: weights,
        aaa: number,
        aa: number,
        a: number,
        b: number,
        top: size,
    })?;
    Ok(o)
}

fn cross_sell(v: &Value, at: &str) -> Read<cross_sell::CrossSellOptions> {
    let mut o = cross_sell::CrossSellOptions::default();
    fields!(o, v, at, {
        min_customers: |v, at| whole(v, at, u64::MAX),
        top: size,
        max_products: size,
        top_products: size,
        top_groups: size,
    })?;
    Ok(o)
}

fn clv(v: &Value, at: &str) -> Read<clv::ClvOptions> {
    use clv::TimeUnit;
    let mut o = clv::ClvOptions::default();
    fields!(o, v, at, {
        calibration_end: date,
        time_unit: |v, at| pick(v, at, &["days", "weeks"], &[TimeUnit::Days, TimeUnit::Weeks]),
        horizon_months: whole32,
        discount_rate: number,
        penalizer: number,
        p_alive_alert: number,
    })?;
    Ok(o)
}

// The helpers. Each takes the value and its path, for the message.

/// Reads each key of the object `v` with `one`, given the key's path. A key not in `known` is
/// refused when `strict`, else passed over.
fn section(
    v: &Value,
    at: &str,
    strict: bool,
    known: &[&str],
    one: &mut dyn FnMut(&str, &Value, &str) -> Read<()>,
) -> Read<()> {
    let Value::Object(object) = v else {
        return Err(expected(
            if at.is_empty() { "options" } else { at },
            "an object",
            v,
        ));
    };
    for (key, v) in object {
        if known.contains(&key.as_str()) {
            one(key, v, &path(at, key))?;
        } else if strict {
            return Err(format!(
                "{}: unknown key; known keys: {}",
                path(at, key),
                known.join(", ")
            ));
        }
    }
    Ok(())
}

fn path(at: &str, key: &str) -> String {
    if at.is_empty() {
        key.to_string()
    } else {
        format!("{at}.{key}")
    }
}

fn expected(at: &str, what: &str, found: &Value) -> String {
    format!("{at}: expected {what}, found {found}")
}

fn number(v: &Value, at: &str) -> Read<f64> {
    v.as_f64().ok_or_else(|| expected(at, "a number", v))
}

/// A whole number from 0 to `max`.
fn whole(v: &Value, at: &str, max: u64) -> Read<u64> {
    v.as_u64()
        .filter(|&n| n <= max)
        .ok_or_else(|| expected(at, &format!("a whole number from 0 to {max}"), v))
}

fn whole32(v: &Value, at: &str) -> Read<u32> {
    whole(v, at, u32::MAX.into()).map(|n| n as u32)
}

/// A list of whole numbers from 0 to `u32::MAX`.
fn wholes32(v: &Value, at: &str) -> Read<Vec<u32>> {
    let Value::Array(items) = v else {
        return Err(expected(at, "a list of whole numbers", v));
    };
    items.iter().map(|x| whole32(x, at)).collect()
}

fn size(v: &Value, at: &str) -> Read<usize> {
    whole(v, at, usize::MAX as u64).map(|n| n as usize)
}

fn flag(v: &Value, at: &str) -> Read<bool> {
    v.as_bool().ok_or_else(|| expected(at, "true or false", v))
}

fn text(v: &Value, at: &str) -> Read<String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| expected(at, "a string", v))
}

fn texts(v: &Value, at: &str) -> Read<Vec<String>> {
    let Value::Array(items) = v else {
        return Err(expected(at, "a list of strings", v));
    };
    items.iter().map(|t| text(t, at)).collect()
}

/// An object of name → number.
fn weights(v: &Value, at: &str) -> Read<BTreeMap<String, f64>> {
    let Value::Object(object) = v else {
        return Err(expected(at, "an object of name → number", v));
    };
    // Inserted one by one: collecting into the map would add its bulk build (sort, dedup), 4 KB.
    let mut weights = BTreeMap::new();
    for (k, w) in object {
        weights.insert(k.clone(), number(w, &path(at, k))?);
    }
    Ok(weights)
}

/// The value of `values` whose name (in `names`, in the same order) is the string `v`.
fn pick<T: Copy>(v: &Value, at: &str, names: &[&str], values: &[T]) -> Read<T> {
    Ok(values[choice(v, at, names)?])
}

/// The index in `names` of the string `v`.
fn choice(v: &Value, at: &str, names: &[&str]) -> Read<usize> {
    v.as_str()
        .and_then(|s| names.iter().position(|n| *n == s))
        .ok_or_else(|| expected(at, &format!("one of {}", names.join(", ")), v))
}

/// A date written YYYY-MM-DD, or null.
fn date(v: &Value, at: &str) -> Read<Option<NaiveDate>> {
    maybe(v, at, |v, at| {
        let t = text(v, at)?;
        crate::table::normalize::iso_date(&t)
            .ok_or_else(|| format!("{at}: '{t}' is not a date written YYYY-MM-DD"))
    })
}

/// `read`'s value, or None for null.
fn maybe<T>(v: &Value, at: &str, read: impl Fn(&Value, &str) -> Read<T>) -> Read<Option<T>> {
    if v.is_null() {
        Ok(None)
    } else {
        read(v, at).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every setting as JSON, as a caller writes it (`Options` itself is not serialised).
    fn to_json(o: &Options) -> Value {
        json!({
            "sheet": o.sheet, "leave_out": o.leave_out, "mapping": o.mapping, "as_of": o.as_of,
            "today": o.today, "limits": o.limits, "rfm": o.rfm, "abc": o.abc, "value": o.value,
            "lifecycle": o.lifecycle, "alerts": o.alerts, "big_customers": o.big_customers,
            "churn_model": o.churn_model, "feedback": o.feedback,
            "distribution": o.distribution, "people": o.people, "customer_flow": o.customer_flow,
            "performance": o.performance, "seasons": o.seasons, "bcg": o.bcg, "clusters": o.clusters, "csi": o.csi,
            "credit": o.credit, "cross_sell": o.cross_sell, "clv": o.clv,
        })
    }

    fn read(json: &str) -> Read<Options> {
        options(&serde_json::from_str(json).unwrap())
    }

    /// `v` with every setting changed from its default.
    fn changed(v: &Value, at: &str) -> Value {
        let set = match at {
            "sheet" => json!("订单"),
            "mapping" => json!({"C": "amount", "备注": "ignore"}),
            "as_of" | "today" | "clv.calibration_end" => json!("2024-06-30"),
            "rfm.monetary" => json!("mean"),
            "rfm.threshold" => json!("median"),
            "abc.method" => json!("amount"),
            "lifecycle.thresholds" => json!("interval"),
            "lifecycle.churn_period_days" => json!(90),
            "customer_flow.period" => json!("quarter"),
            "bcg.share_split" | "bcg.growth_split" => json!(0.25),
            "clusters.k" => json!(4),
            "clv.time_unit" => json!("days"),
            "people.age_edges" => json!([18, 30, 60]),
            "people.income_edges" => json!([5000, 50000]),
            _ => Value::Null,
        };
        if !set.is_null() {
            assert_ne!(&set, v, "{at}");
            return set;
        }
        match v {
            Value::Object(o) => o
                .iter()
                .map(|(k, v)| (k.clone(), changed(v, &path(at, k))))
                .collect(),
            Value::Array(a) => a.iter().cloned().chain([json!("x")]).collect(),
            Value::Bool(b) => json!(!b),
            Value::Number(n) => match n.as_u64() {
                Some(n) => json!(n + 1),
                None => json!(n.as_f64().unwrap() + 0.5),
            },
            _ => panic!("{at}: give a changed value for {v}"),
        }
    }

    #[test]
    fn the_defaults_read_back() {
        let default = to_json(&Options::default());
        assert_eq!(to_json(&options(&default).unwrap()), default);
        assert_eq!(to_json(&read("{}").unwrap()), default);
    }

    #[test]
    fn every_setting_is_read() {
        let default = to_json(&Options::default());
        let all = changed(&default, "");
        assert_eq!(to_json(&options(&all).unwrap()), all);
        // Section by section too, the others keeping their defaults.
        for (key, section) in all.as_object().unwrap() {
            let mut one = default.clone();
            one[key] = section.clone();
            assert_eq!(to_json(&options(&one).unwrap()), one, "{key}");
        }
    }

    #[test]
    fn null_is_none_for_an_optional_setting() {
        let o = read(
            r#"{"sheet": null, "as_of": null, "bcg": {"share_split": null, "growth_split": 0.1},
            "lifecycle": {"churn_period_days": null}, "clusters": {"k": null}}"#,
        )
        .unwrap();
        assert_eq!((o.sheet, o.as_of, o.bcg.share_split), (None, None, None));
        assert_eq!(o.bcg.growth_split, Some(0.1));
        assert_eq!((o.lifecycle.churn_period_days, o.clusters.k), (None, None));
        // Not for the others.
        let e = read(r#"{"lifecycle": {"lost_days": null}}"#).unwrap_err();
        assert_eq!(
            e,
            "lifecycle.lost_days: expected a whole number from 0 to 4294967295, found null"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = read(r#"{"colour": "red"}"#).unwrap_err();
        assert!(
            e.starts_with("colour: unknown key; known keys: sheet, leave_out, mapping"),
            "{e}"
        );
        let e = read(r#"{"rfm": {"monetary": "sum", "no_such_option": 1}}"#).unwrap_err();
        assert_eq!(
            e,
            "rfm.no_such_option: unknown key; known keys: monetary, threshold"
        );
        // Set by `Options::checked`, not by the caller.
        assert!(read(r#"{"alerts": {"p_alive_below": 0.5}}"#).is_err());
        // Reading limits passes over unknown keys, as it always has.
        let o = read(r#"{"limits": {"max_cells": 10, "max_rows": 5}}"#).unwrap();
        assert_eq!(o.limits.max_cells, 10);
    }

    #[test]
    fn wrong_types_are_refused_with_the_path() {
        for (json, want) in [
            (r#"[]"#, "options: expected an object, found []"),
            (r#"{"rfm": 1}"#, "rfm: expected an object, found 1"),
            (
                r#"{"rfm": {"threshold": "mode"}}"#,
                r#"rfm.threshold: expected one of mean, median, found "mode""#,
            ),
            (
                r#"{"abc": {"count_a": "80"}}"#,
                r#"abc.count_a: expected a number, found "80""#,
            ),
            (
                r#"{"lifecycle": {"lost_days": 30.5}}"#,
                "lifecycle.lost_days: expected a whole number from 0 to 4294967295, found 30.5",
            ),
            (
                r#"{"lifecycle": {"lost_days": -1}}"#,
                "lifecycle.lost_days: expected a whole number from 0 to 4294967295, found -1",
            ),
            (
                r#"{"clusters": {"log": 1}}"#,
                "clusters.log: expected true or false, found 1",
            ),
            (
                r#"{"clusters": {"features": ["r", 2]}}"#,
                "clusters.features: expected a string, found 2",
            ),
            (
                r#"{"leave_out": "订单"}"#,
                r#"leave_out: expected a list of strings, found "订单""#,
            ),
            (
                r#"{"value": {"weights": {"r": "high"}}}"#,
                r#"value.weights.r: expected a number, found "high""#,
            ),
            (
                r#"{"as_of": "30/06/2024"}"#,
                "as_of: '30/06/2024' is not a date written YYYY-MM-DD",
            ),
            (
                r#"{"mapping": {"C": 1}}"#,
                r#"mapping.C: expected a field key or "ignore", found 1"#,
            ),
        ] {
            assert_eq!(read(json).unwrap_err(), want, "{json}");
        }
        let e = read(r#"{"mapping": {"C": "nope"}}"#).unwrap_err();
        assert!(
            e.starts_with(r#"mapping.C: unknown field "nope"; valid: customer_id"#),
            "{e}"
        );
    }
}
