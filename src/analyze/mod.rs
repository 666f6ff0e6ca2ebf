//! Runs every analysis whose inputs exist, and says for each one that did not which columns it
//! needs. The analyses themselves are plain functions in their own modules; this module only
//! decides what runs, in what order (alerts read ABC, value and CLV's P(alive)), and gathers the
//! per-customer labels. CLV, the slow one, depends on no other analysis, so it can be scored
//! while the others run ([`run_but_clv`], then [`add_clv`]).

pub mod abc;
pub mod alerts;
pub mod bcg;
pub mod chart;
pub mod clusters;
pub mod clv;
pub mod credit;
pub mod cross_sell;
pub mod customer_flow;
pub mod distribution;
pub mod lifecycle;
pub mod nps;
pub mod options;

pub use options::Options;
pub mod performance;
pub mod pipeline;
pub mod rfm;
pub mod score;
pub mod value;

use crate::analyze::chart::Text;
use crate::facts::Facts;
use abc::CustomerAbc;
use clv as predict;
use customer_flow as flow;
use lifecycle::Stage;
use rfm::CustomerRfm;
use serde::Serialize;
use value::CustomerValue;

/// Whether an analysis ran, and if not, what it needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Status {
    pub key: &'static str,
    pub ran: bool,
    /// Field keys of which the input needs one per group (e.g. `order_date` or
    /// `last_order_date`), when the analysis did not run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Text>,
}

/// Per-customer labels, indexed like the facts.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    pub rfm: Vec<Option<CustomerRfm>>,
    pub abc: Vec<Option<CustomerAbc>>,
    pub value: Vec<Option<CustomerValue>>,
    pub lifecycle: Vec<Option<Stage>>,
    pub alert: Vec<bool>,
    pub years: Vec<performance::CustomerYears>,
    pub bcg: Vec<Option<bcg::Quadrant>>,
    pub cluster: Vec<Option<u32>>,
    pub nps: Vec<Option<nps::NpsGroup>>,
    pub csi: Vec<Option<f64>>,
    pub credit: Vec<Option<credit::CustomerCredit>>,
    pub clv: Vec<Option<predict::CustomerClv>>,
}

/// Every analysis that ran, under its stable key (docs/report.md).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Analyses {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rfm: Option<rfm::Rfm>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abc: Option<abc::Abc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<value::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<lifecycle::Lifecycle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alerts: Option<alerts::Alerts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<distribution::Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_flow: Option<flow::Flow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance: Option<performance::Performance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bcg: Option<bcg::Bcg>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<clusters::Clusters>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<pipeline::Pipeline>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nps: Option<nps::Nps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csi: Option<nps::Csi>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<credit::Credit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_sell: Option<cross_sell::CrossSell>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clv: Option<predict::Clv>,
}

/// What the analyses produced.
#[derive(Debug, Clone, Default)]
pub struct Results {
    pub analyses: Analyses,
    pub status: Vec<Status>,
    pub labels: Labels,
    /// Headline figures for the summary.
    pub active_rate: Option<f64>,
    pub churn_rate: Option<f64>,
}

const LAST_ORDER: &[&str] = &["order_date", "last_order_date"];
const ORDERS: &[&str] = &["order_date", "order_id", "order_count"];
const AMOUNT: &[&str] = &["amount"];
/// Amounts by year: dated orders, or year-split amount columns.
const YEAR_AMOUNT: &[&str] = &["order_date", "amount_by_year"];
/// The keys of [`DIMENSIONS`].
const DIMENSION_KEYS: &[&str] = &[
    "region",
    "province",
    "city",
    "industry",
    "company_size",
    "ownership",
    "source",
    "channel",
    "salesperson",
];

fn status(key: &'static str, ran: bool, needs: Vec<&'static [&'static str]>) -> Status {
    Status {
        key,
        ran,
        needs: if ran {
            Vec::new()
        } else {
            needs.into_iter().map(<[&str]>::to_vec).collect()
        },
        note: None,
    }
}

/// Runs the analyses. `tiebreak(i)` is customer i's id or name, for ranking ties. Natively the
/// CLV models are fitted and scored on a second thread while the other analyses run.
pub fn run<'a>(facts: &Facts, o: &Options, tiebreak: impl Fn(usize) -> &'a str) -> Results {
    run_with(facts, o, &tiebreak, predict::prepare(facts, &o.clv))
}

/// [`run`], with the CLV job already prepared.
pub fn run_with<'a>(
    facts: &Facts,
    o: &Options,
    tiebreak: &dyn Fn(usize) -> &'a str,
    prepared: Result<predict::Prepared, Text>,
) -> Results {
    let job = prepared.as_ref().ok().map(|p| &p.job);
    #[cfg(not(target_arch = "wasm32"))]
    let (mut r, scored) = std::thread::scope(|s| {
        let scoring = job.map(|j| s.spawn(|| predict::score(j)));
        let r = run_but_clv(facts, o, tiebreak);
        let scored = scoring.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (r, scored)
    });
    #[cfg(target_arch = "wasm32")]
    let (mut r, scored) = (run_but_clv(facts, o, tiebreak), job.map(predict::score));
    add_clv(&mut r, facts, o, prepared, scored);
    r
}

/// Every analysis but CLV and the alerts, which read CLV; [`add_clv`] adds them.
pub fn run_but_clv<'a>(facts: &Facts, o: &Options, tiebreak: &dyn Fn(usize) -> &'a str) -> Results {
    let mut r = Results::default();

    let has = facts.has;
    let rfm_ok = has.last_order && has.orders && has.amount;
    let mut st = status(
        "rfm",
        rfm_ok,
        [
            (!has.last_order, LAST_ORDER),
            (!has.orders, ORDERS),
            (!has.amount, AMOUNT),
        ]
        .into_iter()
        .filter_map(|(missing, f)| missing.then_some(f))
        .collect(),
    );
    if rfm_ok {
        let (res, per) = rfm::rfm(facts, &o.rfm);
        if res.customers_scored == 0 {
            st.ran = false;
            st.note = Some(Text::new(
                "没有已购买的客户",
                "No customer has bought anything",
            ));
        } else {
            r.analyses.rfm = Some(res);
            r.labels.rfm = per;
        }
    }
    r.status.push(st);

    let mut st = status("abc", has.amount, vec![AMOUNT]);
    if has.amount {
        match abc::abc(facts, &o.abc, tiebreak) {
            Some((res, per)) => {
                r.analyses.abc = Some(res);
                r.labels.abc = per;
            }
            None => {
                st.ran = false;
                st.note = Some(Text::new(
                    "没有金额为正的客户",
                    "No customer has a positive amount",
                ));
            }
        }
    }
    r.status.push(st);

    let mut st = status("value", true, vec![AMOUNT, ORDERS]);
    match value::value(facts, &o.value) {
        Some((res, per)) => {
            r.analyses.value = Some(res);
            r.labels.value = per;
        }
        None => {
            st.ran = false;
            st.needs = vec![AMOUNT.to_vec(), ORDERS.to_vec()];
            st.note = Some(Text::new(
                "没有在客户间有差异的指标",
                "No indicator differs between customers",
            ));
        }
    }
    r.status.push(st);

    let st = status("lifecycle", has.last_order, vec![LAST_ORDER]);
    if let Some((res, per)) = lifecycle::lifecycle(facts, &o.lifecycle) {
        r.active_rate = Some(res.active_rate);
        r.churn_rate = res.churn.as_ref().map(|c| c.churn_rate);
        r.analyses.lifecycle = Some(res);
        r.labels.lifecycle = per;
    }
    r.status.push(st);

    let st = status("distribution", !facts.dims.is_empty(), vec![DIMENSION_KEYS]);
    if let Some(res) = distribution::distribution(facts, &o.distribution) {
        r.analyses.distribution = Some(res);
    }
    r.status.push(st);

    let st = status("customer_flow", has.purchase_days, vec![&["order_date"]]);
    if let Some(res) = flow::flow(facts, &o.customer_flow, o.lifecycle.lost_days) {
        r.analyses.customer_flow = Some(res);
    }
    r.status.push(st);

    // The analyses below run when their function finds what it needs; `needs` says what that is.
    let mut ran = |key, ok: bool, needs: Vec<&'static [&'static str]>, note: Option<Text>| {
        let mut st = status(key, ok, needs);
        if !ok {
            st.note = note;
        }
        r.status.push(st);
    };
    let res = performance::performance(facts, &o.performance, tiebreak);
    ran("performance", res.is_some(), vec![YEAR_AMOUNT], None);
    if let Some((res, per)) = res {
        r.analyses.performance = Some(res);
        r.labels.years = per;
    }
    let res = bcg::bcg(facts, &o.bcg);
    ran(
        "bcg",
        res.is_some(),
        vec![YEAR_AMOUNT],
        Some(Text::new(
            "需要两个年度的销售额",
            "Needs amounts in two years",
        )),
    );
    if let Some((res, per)) = res {
        r.analyses.bcg = Some(res);
        r.labels.bcg = per;
    }
    let res = clusters::clusters(facts, &o.clusters);
    ran(
        "clusters",
        res.is_some(),
        vec![LAST_ORDER, ORDERS, AMOUNT],
        Some(Text::new(
            "至少需要4个客户具备所选特征",
            "Needs at least 4 customers with the chosen features",
        )),
    );
    if let Some((res, per)) = res {
        r.analyses.clusters = Some(res);
        r.labels.cluster = per;
    }
    let res = pipeline::pipeline(facts);
    ran(
        "pipeline",
        res.is_some(),
        vec![&["lead_status", "purchase_timing"]],
        None,
    );
    r.analyses.pipeline = res;
    let res = nps::nps(facts, &r.labels.rfm);
    ran("nps", res.is_some(), vec![&["nps"]], None);
    if let Some((res, per)) = res {
        r.analyses.nps = Some(res);
        r.labels.nps = per;
    }
    let res = nps::csi(facts, &o.csi, &r.labels.rfm);
    ran("csi", res.is_some(), vec![&["satisfaction"]], None);
    if let Some((res, per)) = res {
        r.analyses.csi = Some(res);
        r.labels.csi = per;
    }
    let res = credit::credit(facts, &o.credit, &r.labels.value);
    ran(
        "credit",
        res.is_some(),
        vec![&["payment_days", "receivable", "credit_limit", "returns"]],
        None,
    );
    if let Some((res, per)) = res {
        r.analyses.credit = Some(res);
        r.labels.credit = per;
    }
    let res = cross_sell::cross_sell(facts, &o.cross_sell);
    ran(
        "cross_sell",
        res.is_some(),
        vec![&["product"]],
        Some(Text::new("需要至少两种产品", "Needs at least two products")),
    );
    r.analyses.cross_sell = res;
    r
}

/// Adds CLV and the alerts to `r` (in the report's order, after the lifecycle). `scored` is
/// [`predict::score`]'s outcome for `prepared`'s job if it was worked out elsewhere; `None`
/// scores here.
pub fn add_clv(
    r: &mut Results,
    facts: &Facts,
    o: &Options,
    prepared: Result<predict::Prepared, Text>,
    scored: Option<Result<predict::Scored, crate::analyze::clv::model::FitError>>,
) {
    let n = facts.customers.len();
    let has = facts.has;
    let at = r
        .status
        .iter()
        .position(|s| s.key == "lifecycle")
        .map_or(r.status.len(), |i| i + 1);
    let mut st = status("clv", has.purchase_days, vec![&["order_date"], AMOUNT]);
    let outcome = prepared.and_then(|p| {
        let scored = scored.unwrap_or_else(|| predict::score(&p.job));
        scored
            .map(|s| predict::finish(facts, &o.clv, &p, s))
            .map_err(|e| predict::explain(&e))
    });
    match outcome {
        Ok((res, per)) => {
            r.analyses.clv = Some(res);
            r.labels.clv = per;
        }
        Err(why) => {
            st.ran = false;
            st.needs = vec![vec!["order_date"], AMOUNT.to_vec()];
            st.note = Some(why);
        }
    }
    r.status.insert(at, st);

    // A key customer unlikely to be alive is an alert.
    let alerts_ok =
        has.last_order && has.orders && (!r.labels.abc.is_empty() || !r.labels.value.is_empty());
    let st = status("alerts", alerts_ok, vec![LAST_ORDER, ORDERS, AMOUNT]);
    if alerts_ok {
        let p_alive: Vec<Option<f64>> = r.labels.clv.iter().map(|c| c.map(|c| c.p_alive)).collect();
        let res = alerts::alerts(
            facts,
            &o.alerts,
            &r.labels.abc,
            &r.labels.value,
            &p_alive,
            o.clv.p_alive_alert,
        );
        let mut flags = vec![false; n];
        for a in &res.alerts {
            if let Some(f) = flags.get_mut(a.customer as usize) {
                *f = true;
            }
        }
        r.labels.alert = flags;
        r.analyses.alerts = Some(res);
    }
    r.status.insert(at + 1, st);
}

#[cfg(test)]
mod tests {
    #[test]
    fn dimension_keys_match_the_fields() {
        let keys: Vec<&str> = crate::facts::DIMENSIONS.iter().map(|f| f.key()).collect();
        assert_eq!(keys, super::DIMENSION_KEYS);
    }
}
