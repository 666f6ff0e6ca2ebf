//! Runs every analysis whose inputs exist, and says for each one that did not which columns it
//! needs. The analyses themselves are plain functions in their own modules; this module only
//! decides what runs, in what order (alerts read ABC, value and CLV's P(alive)), and gathers the
//! per-customer labels. CLV, the slow one, depends on no other analysis, so it can be scored
//! while the others run ([`run_but_clv`], then [`add_clv`]).

pub mod abc;
pub mod alerts;
pub mod bcg;
pub mod big_customers;
pub mod chart;
pub mod churn_model;
pub mod clusters;
pub mod clv;
pub mod compare;
pub mod credit;
pub mod cross_sell;
pub mod customer_flow;
pub mod distribution;
pub mod feedback;
pub mod lifecycle;
pub mod nps;
pub mod options;

pub use options::Options;
pub mod people;
pub mod performance;
pub mod pipeline;
pub mod rfm;
pub mod score;
pub mod seasons;
mod settings;
pub mod uncertain;
pub mod value;

use crate::analyze::chart::Text;
use crate::facts::Facts;
use abc::CustomerAbc;
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
    pub clv: Vec<Option<clv::CustomerClv>>,
    pub big: Vec<Option<big_customers::Grade>>,
    pub churn: Vec<Option<churn_model::CustomerChurn>>,
    /// Each customer's age and income band (people).
    pub people: people::Bands,
    /// At least one complaint, where the complaints are known.
    pub has_complaint: Vec<Option<bool>>,
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
    pub big_customers: Option<big_customers::BigCustomers>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub churn_model: Option<churn_model::ChurnModel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback: Option<feedback::Feedback>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<distribution::Distribution>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<people::People>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_flow: Option<customer_flow::Flow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance: Option<performance::Performance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seasons: Option<seasons::Seasons>,
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
    pub clv: Option<clv::Clv>,
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
/// The personal fields, one of which the people analysis needs.
const PERSONAL: &[&str] = &[
    "gender",
    "age",
    "birth_date",
    "income",
    "occupation",
    "education",
    "marital_status",
];

/// Why an analysis did not run: the columns it lacks (one of each list) and, where the columns
/// were there, what the data lacked.
struct Skip {
    needs: Vec<&'static [&'static str]>,
    note: Option<Text>,
}

impl Skip {
    fn needs(needs: &[&'static [&'static str]]) -> Skip {
        Skip {
            needs: needs.to_vec(),
            note: None,
        }
    }

    fn note(mut self, zh: &str, en: &str) -> Skip {
        self.note = Some(Text::new(zh, en));
        self
    }
}

/// What every step reads, and the results it adds to.
struct Run<'f, 'a> {
    facts: &'f Facts,
    o: &'f Options,
    tiebreak: &'f dyn Fn(usize) -> &'a str,
    r: Results,
    /// What a step that ran wants said beside its section (who it left out).
    note: Option<Text>,
}

/// One analysis in the registry: its key in the report and how it runs.
struct Step {
    key: &'static str,
    run: fn(&mut Run) -> Result<(), Skip>,
}

/// The analyses but CLV and the alerts, in the report's order. A step that finds what it needs
/// adds its section and labels; otherwise it says what it lacks.
const STEPS: &[Step] = &[
    Step {
        key: "rfm",
        run: run_rfm,
    },
    Step {
        key: "abc",
        run: run_abc,
    },
    Step {
        key: "value",
        run: run_value,
    },
    Step {
        key: "lifecycle",
        run: run_lifecycle,
    },
    Step {
        key: "distribution",
        run: run_distribution,
    },
    Step {
        key: "people",
        run: run_people,
    },
    Step {
        key: "customer_flow",
        run: run_customer_flow,
    },
    Step {
        key: "performance",
        run: run_performance,
    },
    Step {
        key: "seasons",
        run: run_seasons,
    },
    Step {
        key: "bcg",
        run: run_bcg,
    },
    Step {
        key: "clusters",
        run: run_clusters,
    },
    Step {
        key: "pipeline",
        run: run_pipeline,
    },
    Step {
        key: "nps",
        run: run_nps,
    },
    Step {
        key: "csi",
        run: run_csi,
    },
    Step {
        key: "credit",
        run: run_credit,
    },
    Step {
        key: "cross_sell",
        run: run_cross_sell,
    },
];

fn status(key: &'static str, outcome: Result<(), Skip>, note: Option<Text>) -> Status {
    match outcome {
        Ok(()) => Status {
            key,
            ran: true,
            needs: Vec::new(),
            note,
        },
        Err(skip) => Status {
            key,
            ran: false,
            needs: skip.needs.into_iter().map(<[&str]>::to_vec).collect(),
            note: skip.note,
        },
    }
}

/// Runs the analyses. `tiebreak(i)` is customer i's id or name, for ranking ties. Natively the
/// CLV models are fitted and scored on a second thread while the other analyses run.
pub fn run<'a>(facts: &Facts, o: &Options, tiebreak: impl Fn(usize) -> &'a str) -> Results {
    run_with(facts, o, &tiebreak, clv::prepare(facts, &o.clv))
}

/// [`run`], with the CLV job already prepared.
pub fn run_with<'a>(
    facts: &Facts,
    o: &Options,
    tiebreak: &dyn Fn(usize) -> &'a str,
    prepared: Result<clv::Prepared, Text>,
) -> Results {
    let job = prepared.as_ref().ok().map(|p| &p.job);
    #[cfg(not(target_arch = "wasm32"))]
    let (mut r, scored) = std::thread::scope(|s| {
        let scoring = job.map(|j| s.spawn(|| clv::score(j)));
        let r = run_but_clv(facts, o, tiebreak);
        let scored = scoring.map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        (r, scored)
    });
    #[cfg(target_arch = "wasm32")]
    let (mut r, scored) = (run_but_clv(facts, o, tiebreak), job.map(clv::score));
    add_clv(&mut r, facts, o, prepared, scored, tiebreak);
    r
}

/// Every analysis but CLV and the alerts, which read CLV; [`add_clv`] adds them.
pub fn run_but_clv<'a>(facts: &Facts, o: &Options, tiebreak: &dyn Fn(usize) -> &'a str) -> Results {
    let mut run = Run {
        facts,
        o,
        tiebreak,
        r: Results::default(),
        note: None,
    };
    for step in STEPS {
        let outcome = if facts.customers.is_empty() {
            Err(no_customers())
        } else {
            (step.run)(&mut run)
        };
        let note = run.note.take();
        run.r.status.push(status(step.key, outcome, note));
    }
    run.r
}

fn run_rfm(x: &mut Run) -> Result<(), Skip> {
    let has = x.facts.has;
    let lacking: Vec<_> = [
        (!has.last_order, LAST_ORDER),
        (!has.orders, ORDERS),
        (!has.amount, AMOUNT),
    ]
    .into_iter()
    .filter_map(|(missing, f)| missing.then_some(f))
    .collect();
    if !lacking.is_empty() {
        return Err(Skip::needs(&lacking));
    }
    let (res, per) = rfm::run(x.facts, &x.o.rfm);
    if res.customers_scored == 0 {
        return Err(Skip::needs(&[]).note("没有已购买的客户", "No customer has bought anything"));
    }
    x.note = uncertain::rfm(res.customers_scored);
    x.r.analyses.rfm = Some(res);
    x.r.labels.rfm = per;
    Ok(())
}

fn run_abc(x: &mut Run) -> Result<(), Skip> {
    if !x.facts.has.amount {
        return Err(Skip::needs(&[AMOUNT]));
    }
    let (res, per) = abc::run(x.facts, &x.o.abc, x.tiebreak).ok_or_else(|| {
        Skip::needs(&[]).note("没有金额为正的客户", "No customer has a positive amount")
    })?;
    x.note = (res.unranked > 0).then(|| {
        let n = res.unranked;
        Text::new(
            format!("{n} 位客户金额为 0 或负（未购买，或退货抵消了购买），不参与 ABC 分类"),
            format!("{n} customers with an amount of 0 or below (never bought, or returns offset their purchases) are not classed"),
        )
    });
    x.r.analyses.abc = Some(res);
    x.r.labels.abc = per;
    Ok(())
}

fn run_value(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = value::run(x.facts, &x.o.value).ok_or_else(|| {
        Skip::needs(&[AMOUNT, ORDERS]).note(
            "没有在客户间有差异的指标",
            "No indicator differs between customers",
        )
    })?;
    x.note = prospects_note(res.prospects, "评分和分层", "scored or tiered");
    x.r.analyses.value = Some(res);
    x.r.labels.value = per;
    Ok(())
}

/// "n prospects are not …", when there are any.
fn prospects_note(n: u64, zh: &str, en: &str) -> Option<Text> {
    (n > 0).then(|| {
        Text::new(
            format!("{n} 位潜在客户（有记录但未购买）不参与{zh}"),
            format!("{n} prospects (on record, never bought) are not {en}"),
        )
    })
}

fn run_lifecycle(x: &mut Run) -> Result<(), Skip> {
    ready(x.facts.has.last_order, &[LAST_ORDER])?;
    let (res, per) = lifecycle::run(x.facts, &x.o.lifecycle).ok_or_else(|| {
        Skip::needs(&[]).note("没有带日期的已购买客户", "No customer has a dated purchase")
    })?;
    x.r.active_rate = Some(res.active_rate);
    x.r.churn_rate = res.churn.as_ref().map(|c| c.churn_rate);
    x.note = (res.churn.as_ref()).and_then(|c| uncertain::churn(c.lost, c.customers_at_start));
    x.r.analyses.lifecycle = Some(res);
    x.r.labels.lifecycle = per;
    Ok(())
}

fn run_distribution(x: &mut Run) -> Result<(), Skip> {
    ready(!x.facts.dims.is_empty(), &[DIMENSION_KEYS])?;
    let res = distribution::run(x.facts, &x.o.distribution).ok_or_else(|| {
        Skip::needs(&[]).note(
            "维度列没有可分组的值",
            "The dimension columns hold no values",
        )
    })?;
    x.r.analyses.distribution = Some(res);
    Ok(())
}

fn run_people(x: &mut Run) -> Result<(), Skip> {
    let out = people::run(x.facts, &x.o.people).ok_or_else(|| Skip::needs(&[PERSONAL]))?;
    x.note = out.note;
    x.r.analyses.people = Some(out.result);
    x.r.labels.people = out.bands;
    Ok(())
}

fn run_customer_flow(x: &mut Run) -> Result<(), Skip> {
    ready(x.facts.has.purchase_days, &[&["order_date"]])?;
    let res = customer_flow::run(x.facts, &x.o.customer_flow, &x.o.lifecycle)
        .ok_or_else(|| Skip::needs(&[]).note("没有可读的订单日期", "No readable order dates"))?;
    x.r.analyses.customer_flow = Some(res);
    Ok(())
}

/// Why nothing runs on an input without a customer.
fn no_customers() -> Skip {
    Skip::needs(&[]).note("没有客户", "No customers")
}

/// `Ok` when the facts had what a step needs, else the step's needs.
fn ready(has: bool, needs: &[&'static [&'static str]]) -> Result<(), Skip> {
    if has {
        Ok(())
    } else {
        Err(Skip::needs(needs))
    }
}

fn run_performance(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = performance::run(x.facts, &x.o.performance, x.tiebreak)
        .ok_or_else(|| Skip::needs(&[YEAR_AMOUNT]))?;
    x.r.analyses.performance = Some(res);
    x.r.labels.years = per;
    Ok(())
}

fn run_seasons(x: &mut Run) -> Result<(), Skip> {
    let res = seasons::run(x.facts, &x.o.seasons).ok_or_else(|| Skip::needs(&[&["order_date"]]))?;
    x.note = res.declined.clone();
    x.r.analyses.seasons = Some(res);
    Ok(())
}

fn run_bcg(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = bcg::run(x.facts, &x.o.bcg).ok_or_else(|| {
        Skip::needs(&[YEAR_AMOUNT]).note(
            "前一年（或其同期）没有销售额",
            "No sales the year before (or in its same period)",
        )
    })?;
    x.r.analyses.bcg = Some(res);
    x.r.labels.bcg = per;
    Ok(())
}

fn run_clusters(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = clusters::run(x.facts, &x.o.clusters).ok_or_else(|| {
        Skip::needs(&[LAST_ORDER, ORDERS, AMOUNT]).note(
            "至少需要4个客户具备所选特征",
            "Needs at least 4 customers with the chosen features",
        )
    })?;
    x.note = uncertain::clusters(res.customers_clustered, res.k);
    x.r.analyses.clusters = Some(res);
    x.r.labels.cluster = per;
    Ok(())
}

fn run_pipeline(x: &mut Run) -> Result<(), Skip> {
    let res = pipeline::run(x.facts)
        .ok_or_else(|| Skip::needs(&[&["lead_status", "purchase_timing"]]))?;
    x.r.analyses.pipeline = Some(res);
    Ok(())
}

fn run_nps(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = nps::nps(x.facts, &x.r.labels.rfm).ok_or_else(|| Skip::needs(&[&["nps"]]))?;
    let o = &res.overall;
    x.note = uncertain::nps(o.promoters, o.detractors, o.responses);
    x.r.analyses.nps = Some(res);
    x.r.labels.nps = per;
    Ok(())
}

fn run_csi(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = nps::csi(x.facts, &x.o.csi, &x.r.labels.rfm)
        .ok_or_else(|| Skip::needs(&[&["satisfaction"]]))?;
    x.r.analyses.csi = Some(res);
    x.r.labels.csi = per;
    Ok(())
}

fn run_credit(x: &mut Run) -> Result<(), Skip> {
    let (res, per) = credit::run(x.facts, &x.o.credit, &x.r.labels.value).ok_or_else(|| {
        Skip::needs(&[&["payment_days", "receivable", "credit_limit", "returns"]])
    })?;
    x.r.analyses.credit = Some(res);
    x.r.labels.credit = per;
    Ok(())
}

fn run_cross_sell(x: &mut Run) -> Result<(), Skip> {
    let res = cross_sell::run(x.facts, &x.o.cross_sell).ok_or_else(|| {
        Skip::needs(&[&["product"]]).note("需要至少两种产品", "Needs at least two products")
    })?;
    x.r.analyses.cross_sell = Some(res);
    Ok(())
}

/// Adds CLV, the alerts, the big customers, the churn model and the feedback to `r` (in the
/// report's order, after the lifecycle): they read CLV, the alerts, or the churn model. `scored` is [`clv::score`]'s outcome for `prepared`'s job if it
/// was worked out elsewhere; `None` scores here.
pub fn add_clv<'a>(
    r: &mut Results,
    facts: &Facts,
    o: &Options,
    prepared: Result<clv::Prepared, Text>,
    scored: Option<Result<clv::Scored, clv::model::FitError>>,
    tiebreak: &dyn Fn(usize) -> &'a str,
) {
    let at = r
        .status
        .iter()
        .position(|s| s.key == "lifecycle")
        .map_or(r.status.len(), |i| i + 1);
    let outcome = prepared.and_then(|p| {
        let scored = scored.unwrap_or_else(|| clv::score(&p.job));
        scored
            .map(|s| clv::finish(facts, &o.clv, &p, s))
            .map_err(|e| clv::explain(&e))
    });
    let st = match outcome {
        Ok((res, per)) => {
            r.analyses.clv = Some(res);
            r.labels.clv = per;
            Ok(())
        }
        Err(why) => Err(Skip {
            needs: vec![&["order_date"], AMOUNT],
            note: Some(why),
        }),
    };
    r.status.insert(at, status("clv", st, None));
    let st = add_alerts(r, facts, o);
    r.status.insert(at + 1, status("alerts", st, None));
    let (st, note) = add_big_customers(r, facts, o, tiebreak);
    r.status.insert(at + 2, status("big_customers", st, note));
    let (st, note) = add_churn_model(r, facts, o, tiebreak);
    r.status.insert(at + 3, status("churn_model", st, note));
    let (st, note) = add_feedback(r, facts, o, tiebreak);
    r.status.insert(at + 4, status("feedback", st, note));
}

/// Customer feedback: it sets complaints beside the churn model's bands and the lifecycle.
fn add_feedback<'a>(
    r: &mut Results,
    facts: &Facts,
    o: &Options,
    tiebreak: &dyn Fn(usize) -> &'a str,
) -> (Result<(), Skip>, Option<Text>) {
    if facts.customers.is_empty() {
        return (Err(no_customers()), None);
    }
    let ctx = feedback::Context {
        churn: &r.labels.churn,
        lifecycle: &r.labels.lifecycle,
    };
    let Some((res, per)) = feedback::run(facts, &o.feedback, &ctx, tiebreak) else {
        return (
            Err(Skip::needs(&[&["complaints", "praise", "suggestions"]])),
            None,
        );
    };
    let note = (res.left_out > 0).then(|| {
        let n = res.left_out;
        Text::new(
            format!("{n} 位客户在反馈列所在的表中没有记录，不计入"),
            format!("{n} customers have no row in the table holding the feedback columns and are left out"),
        )
    });
    r.analyses.feedback = Some(res);
    r.labels.has_complaint = per;
    (Ok(()), note)
}

/// The churn model: it reads the lifecycle's rule and, for its list, the alerts.
fn add_churn_model<'a>(
    r: &mut Results,
    facts: &Facts,
    o: &Options,
    tiebreak: &dyn Fn(usize) -> &'a str,
) -> (Result<(), Skip>, Option<Text>) {
    if facts.customers.is_empty() {
        return (Err(no_customers()), None);
    }
    let ctx = churn_model::Context {
        lifecycle: &o.lifecycle,
        alert: &r.labels.alert,
    };
    match churn_model::run(facts, &o.churn_model, &ctx, tiebreak) {
        Ok((res, per)) => {
            let note = uncertain::churn_model(&res);
            r.analyses.churn_model = Some(res);
            r.labels.churn = per;
            (Ok(()), note)
        }
        Err(churn_model::Unfit::NoDates) => (Err(Skip::needs(&[&["order_date"]])), None),
        Err(churn_model::Unfit::TooLittle(why)) => (
            Err(Skip {
                needs: Vec::new(),
                note: Some(why),
            }),
            None,
        ),
    }
}

/// Big customers: they read the lifecycle, the alerts and CLV.
fn add_big_customers<'a>(
    r: &mut Results,
    facts: &Facts,
    o: &Options,
    tiebreak: &dyn Fn(usize) -> &'a str,
) -> (Result<(), Skip>, Option<Text>) {
    if facts.customers.is_empty() {
        return (Err(no_customers()), None);
    }
    if !facts.has.amount {
        return (Err(Skip::needs(&[AMOUNT])), None);
    }
    let clv: Vec<Option<f64>> = r.labels.clv.iter().map(|c| c.and_then(|c| c.clv)).collect();
    let ctx = big_customers::Context {
        lifecycle: &r.labels.lifecycle,
        alert: &r.labels.alert,
        clv: &clv,
    };
    let Some((res, per)) = big_customers::run(facts, &o.big_customers, &ctx, tiebreak) else {
        return (Err(Skip::needs(&[YEAR_AMOUNT])), None);
    };
    let note = uncertain::big_customers(&res);
    r.analyses.big_customers = Some(res);
    r.labels.big = per;
    (Ok(()), note)
}

/// The alerts: key customers (by ABC or value) silent for too long, or unlikely to be alive.
fn add_alerts(r: &mut Results, facts: &Facts, o: &Options) -> Result<(), Skip> {
    if facts.customers.is_empty() {
        return Err(no_customers());
    }
    let has = facts.has;
    let ok =
        has.last_order && has.orders && (!r.labels.abc.is_empty() || !r.labels.value.is_empty());
    if !ok {
        return Err(Skip::needs(&[LAST_ORDER, ORDERS, AMOUNT]));
    }
    let p_alive: Vec<Option<f64>> = r.labels.clv.iter().map(|c| c.map(|c| c.p_alive)).collect();
    let res = alerts::run(
        facts,
        &o.alerts,
        (&r.labels.abc, o.abc.method),
        &r.labels.value,
        &p_alive,
    );
    let mut flags = vec![false; facts.customers.len()];
    for a in &res.alerts {
        if let Some(f) = flags.get_mut(a.customer as usize) {
            *f = true;
        }
    }
    r.labels.alert = flags;
    r.analyses.alerts = Some(res);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dimension_keys_match_the_fields() {
        let keys: Vec<&str> = crate::facts::DIMENSIONS.iter().map(|f| f.key()).collect();
        assert_eq!(keys, super::DIMENSION_KEYS);
    }
}
