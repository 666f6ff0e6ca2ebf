//! Runs every analysis whose inputs exist, and says for each one that did not which columns it
//! needs. The analyses themselves are plain functions in their own modules; this module only
//! decides what runs, in what order (alerts read ABC and value), and gathers the per-customer
//! labels.

use crate::abc::{self, CustomerAbc};
use crate::alerts;
use crate::chart::Text;
use crate::distribution;
use crate::facts::Facts;
use crate::flow;
use crate::lifecycle::{self, Stage};
use crate::rfm::{self, CustomerRfm};
use crate::value::{self, CustomerValue};
use crate::Options;
use serde::Serialize;

/// Checks every analysis setting of `o`; the message names the first bad one.
pub fn check(o: &Options) -> Result<(), String> {
    o.abc.check()?;
    o.value.check()?;
    o.lifecycle.check()?;
    o.alerts.check()
}

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

/// Runs the analyses. `tiebreak(i)` is customer i's id or name, for ranking ties.
pub fn run<'a>(facts: &Facts, o: &Options, tiebreak: impl Fn(usize) -> &'a str) -> Results {
    let mut r = Results::default();
    let n = facts.customers.len();
    let status = |key, ran, needs: Vec<&'static [&'static str]>| Status {
        key,
        ran,
        needs: if ran {
            Vec::new()
        } else {
            needs.into_iter().map(<[&str]>::to_vec).collect()
        },
        note: None,
    };

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
        match abc::abc(facts, &o.abc, &tiebreak) {
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

    let alerts_ok =
        has.last_order && has.orders && (!r.labels.abc.is_empty() || !r.labels.value.is_empty());
    let st = status("alerts", alerts_ok, vec![LAST_ORDER, ORDERS, AMOUNT]);
    if alerts_ok {
        let res = alerts::alerts(facts, &o.alerts, &r.labels.abc, &r.labels.value);
        let mut flags = vec![false; n];
        for a in &res.alerts {
            if let Some(f) = flags.get_mut(a.customer as usize) {
                *f = true;
            }
        }
        r.labels.alert = flags;
        r.analyses.alerts = Some(res);
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
    r
}

#[cfg(test)]
mod tests {
    #[test]
    fn dimension_keys_match_the_fields() {
        let keys: Vec<&str> = crate::facts::DIMENSIONS.iter().map(|f| f.key()).collect();
        assert_eq!(keys, super::DIMENSION_KEYS);
    }
}
