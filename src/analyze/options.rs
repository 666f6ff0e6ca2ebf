//! What the caller chooses: the sheet, mapping corrections, the as-of date, the reading limits
//! and each analysis's own settings, as one JSON object (the CLI's `--config`, the page's
//! settings). Every field has a default, so `{}` is valid; unknown keys are refused. The JSON is
//! read by hand, in `settings`.

use crate::analyze::{
    abc, alerts, bcg, big_customers, churn_model, clusters, clv, credit, cross_sell, customer_flow,
    distribution, feedback, lifecycle, nps, people, performance, rfm, seasons, value,
};
use crate::error::{Error, Result};
use crate::read::grid::Limits;
use crate::table::mapping::Overrides;
use chrono::NaiveDate;

/// What the caller chooses. Every field has a default, so `{}` is a valid options object.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Analyse only this sheet (by name) instead of choosing the register and order list.
    pub sheet: Option<String>,
    /// Sheets not to read together with others of their layout (by name).
    pub leave_out: Vec<String>,
    /// Column mapping corrections: header text or column letter → field key or "ignore".
    pub mapping: Overrides,
    /// The date recency is measured against; default the day after the last order on or before
    /// `today`. Orders after it are left out (`table::cutoff`).
    pub as_of: Option<NaiveDate>,
    /// The caller's today (the CLI and the page set it; the core reads no clock). Without
    /// `as_of`, order dates after it are in the future: left out, and counted.
    pub today: Option<NaiveDate>,
    pub limits: Limits,
    pub rfm: rfm::RfmOptions,
    pub abc: abc::AbcOptions,
    pub value: value::ValueOptions,
    pub lifecycle: lifecycle::LifecycleOptions,
    pub alerts: alerts::AlertOptions,
    pub big_customers: big_customers::BigOptions,
    pub churn_model: churn_model::ChurnOptions,
    pub feedback: feedback::FeedbackOptions,
    pub distribution: distribution::DistributionOptions,
    pub people: people::PeopleOptions,
    pub customer_flow: customer_flow::FlowOptions,
    pub performance: performance::PerformanceOptions,
    pub seasons: seasons::SeasonsOptions,
    pub bcg: bcg::BcgOptions,
    pub clusters: clusters::ClusterOptions,
    pub csi: nps::CsiOptions,
    pub credit: credit::CreditOptions,
    pub cross_sell: cross_sell::CrossSellOptions,
    pub clv: clv::ClvOptions,
}

impl Options {
    /// Reads options from JSON (the CLI's `--config` file, the page's settings), refusing
    /// unknown keys and settings out of range.
    pub fn from_json(s: &str) -> Result<Options> {
        let v: serde_json::Value =
            serde_json::from_str(s).map_err(|e| Error::bad_option(e.to_string()))?;
        Options::read(&v)?.checked()
    }

    /// Reads options from parsed JSON, refusing unknown keys and values of the wrong type (not
    /// yet checking ranges: see [`Options::checked`]).
    pub fn read(v: &serde_json::Value) -> Result<Options> {
        crate::analyze::settings::options(v).map_err(Error::bad_option)
    }

    /// Checks every analysis setting (the error names the first bad one) and copies into a
    /// section what it reads from another's, so each analysis takes its own settings only.
    pub fn checked(mut self) -> Result<Options> {
        self.check()?;
        self.alerts.p_alive_below = self.clv.p_alive_alert;
        Ok(self)
    }

    /// The last day a purchase may be on: `as_of`, else `today` (flagged), if either is known.
    pub fn last_day(&self) -> Option<(NaiveDate, bool)> {
        self.as_of
            .map(|d| (d, false))
            .or_else(|| self.today.map(|d| (d, true)))
    }

    /// Checks every analysis setting; the error names the first bad one.
    pub fn check(&self) -> Result<()> {
        self.check_analyses().map_err(Error::bad_option)
    }

    /// Checks every analysis setting; the message names the first bad one.
    fn check_analyses(&self) -> std::result::Result<(), String> {
        self.abc.check()?;
        self.value.check()?;
        self.lifecycle.check()?;
        self.alerts.check()?;
        self.big_customers.check()?;
        self.churn_model.check()?;
        self.seasons.check()?;
        self.people.check()?;
        self.clusters.check()?;
        self.csi.check()?;
        self.credit.check()?;
        self.clv.check()
    }
}
