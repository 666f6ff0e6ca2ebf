//! Pre-churn key customers (预流失重点客户): valuable customers who have gone quiet for longer
//! than their own rhythm says they should.
//!
//! Definition (docs/analyses.md): a customer is alerted when it is high-value — ABC class A (its
//! `abc_class`, by `abc.method`), or value tier VIP — and either has at least two orders (so it has a usual purchase
//! interval I) with its days since the last order R above `multiple` × I (default 2), or, where
//! the CLV model ran, its probability of still being a customer is below `clv.p_alive_alert`
//! (default 0.5). Overdue = R ÷ I.
//! Alerts are ranked by the amount at risk: the customer's amount per year of tenure,
//! amount × 365 ÷ max(tenure days, 365).

use crate::analyze::abc::{Class, CustomerAbc, Method};
use crate::analyze::value::{CustomerValue, Tier};
use crate::facts::Facts;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AlertOptions {
    /// Silence, in multiples of the customer's own purchase interval, that raises an alert.
    pub multiple: f64,
    /// CLV's `p_alive_alert`, copied from its section when the options are checked.
    #[serde(skip)]
    pub p_alive_below: f64,
}

impl Default for AlertOptions {
    fn default() -> Self {
        AlertOptions {
            multiple: 2.0,
            p_alive_below: crate::analyze::clv::ClvOptions::default().p_alive_alert,
        }
    }
}

impl AlertOptions {
    pub fn check(&self) -> Result<(), String> {
        if self.multiple.is_finite() && self.multiple >= 1.0 {
            Ok(())
        } else {
            Err("alerts.multiple must be a number ≥ 1".into())
        }
    }
}

/// Why a customer was alerted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Silent for longer than `multiple` × its own interval.
    Silence,
    /// The BG/NBD model gives it a low probability of still being a customer.
    LowPAlive,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Index into the report's `customers`.
    pub customer: u32,
    pub reasons: Vec<Reason>,
    pub recency_days: Option<i32>,
    pub interval_days: Option<f64>,
    /// R ÷ I.
    pub overdue: Option<f64>,
    pub p_alive: Option<f64>,
    pub amount: f64,
    pub amount_at_risk: f64,
    pub abc_class: Option<Class>,
    pub value_tier: Option<Tier>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alerts {
    pub options: AlertOptions,
    /// Customers that count as high-value.
    pub key_customers: u64,
    /// Customers alerted: the length of `alerts`.
    pub alerted: u64,
    /// Largest amount at risk first.
    pub alerts: Vec<Alert>,
    pub amount_at_risk: f64,
}

/// Finds the alerts. Either classification and the P(alive) may be absent (an empty slice);
/// `method` picks the ABC class, as it does for `abc_class`.
pub fn run(
    facts: &Facts,
    options: &AlertOptions,
    (abc, method): (&[Option<CustomerAbc>], Method),
    value: &[Option<CustomerValue>],
    p_alive: &[Option<f64>],
) -> Alerts {
    let p_alive_below = options.p_alive_below;
    let mut out = Vec::new();
    let mut key_customers = 0;
    for (i, c) in facts.customers.iter().enumerate() {
        let class = abc.get(i).copied().flatten().map(|a| a.class(method));
        let tier = value.get(i).copied().flatten().map(|v| v.tier);
        if class != Some(Class::A) && tier != Some(Tier::Vip) {
            continue;
        }
        key_customers += 1;
        let overdue = match (c.recency_days, c.interval_days) {
            (Some(r), Some(interval)) if interval > 0.0 => Some(f64::from(r) / interval),
            _ => None,
        };
        let alive = p_alive.get(i).copied().flatten();
        let mut reasons = Vec::new();
        if overdue.is_some_and(|o| o > options.multiple) {
            reasons.push(Reason::Silence);
        }
        if alive.is_some_and(|p| p < p_alive_below) {
            reasons.push(Reason::LowPAlive);
        }
        if reasons.is_empty() {
            continue;
        }
        let amount = c.amount.unwrap_or(0.0);
        let tenure = f64::from(c.tenure_days.unwrap_or(0).max(365));
        out.push(Alert {
            customer: i as u32,
            reasons,
            recency_days: c.recency_days,
            interval_days: c.interval_days,
            overdue,
            p_alive: alive,
            amount,
            amount_at_risk: amount * 365.0 / tenure,
            abc_class: class,
            value_tier: tier,
        });
    }
    crate::sort::by(&mut out, |a, b| {
        b.amount_at_risk
            .total_cmp(&a.amount_at_risk)
            .then(a.customer.cmp(&b.customer))
    });
    Alerts {
        options: *options,
        key_customers,
        alerted: out.len() as u64,
        amount_at_risk: out.iter().map(|a| a.amount_at_risk).sum(),
        alerts: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::Fact;

    #[test]
    fn quiet_key_customers_are_alerted_by_amount_at_risk() {
        let fact = |recency, interval, amount, tenure| Fact {
            recency_days: Some(recency),
            interval_days: Some(interval),
            amount: Some(amount),
            tenure_days: Some(tenure),
            ..Fact::default()
        };
        let facts = Facts {
            customers: vec![
                fact(100, 30.0, 1000.0, 730), // A, 3.3× overdue, risk 500
                fact(50, 30.0, 5000.0, 730),  // A, 1.7×: not overdue
                fact(100, 30.0, 900.0, 100),  // VIP, risk 900 (tenure counted as a year)
                fact(100, 30.0, 9000.0, 730), // C by count and small: not key
            ],
            ..Facts::default()
        };
        let a = |by_count, by_amount| {
            Some(CustomerAbc {
                rank: 1,
                by_amount,
                by_count,
                cumulative_share: 0.0,
            })
        };
        use Class::*;
        // The last customer is A only by the cumulative amount split.
        let abc = vec![a(A, A), a(A, A), a(B, B), a(C, A)];
        let v = |tier| Some(CustomerValue { score: 0.0, tier });
        let value = vec![None, None, v(Tier::Vip), v(Tier::Small)];
        let o = AlertOptions::default();
        let r = run(&facts, &o, (&abc, Method::Count), &value, &[]);
        assert_eq!(r.key_customers, 3);
        let who: Vec<u32> = r.alerts.iter().map(|a| a.customer).collect();
        assert_eq!(who, vec![2, 0]);
        assert_eq!(r.alerts[1].amount_at_risk, 500.0);
        assert_eq!(r.amount_at_risk, 1400.0);
        // A low P(alive) alerts a key customer that is not overdue.
        let alive = vec![None, Some(0.2), None, None];
        let r = run(&facts, &o, (&abc, Method::Count), &value, &alive);
        let who: Vec<u32> = r.alerts.iter().map(|a| a.customer).collect();
        assert_eq!(who, vec![1, 2, 0]);
        assert_eq!(r.alerts[0].reasons, vec![Reason::LowPAlive]);
        // By the amount split the last customer is key too: 3.3× overdue, risk 9000 × 365 ÷ 730.
        let r = run(&facts, &o, (&abc, Method::Amount), &value, &[]);
        assert_eq!(r.key_customers, 4);
        let who: Vec<u32> = r.alerts.iter().map(|a| a.customer).collect();
        assert_eq!(who, vec![3, 2, 0]);
        assert_eq!(r.alerts[0].amount_at_risk, 4500.0);
        assert_eq!(r.alerts[0].abc_class, Some(A));
    }
}
