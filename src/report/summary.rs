//! The CLI's text summary of a [`Report`]: what was read, how it was mapped, what was skipped
//! and why, then a few lines per analysis. It reads only the report, like the page does.

use crate::analyze::{
    abc, alerts, bcg, clusters, clv, credit, cross_sell, customer_flow, distribution, lifecycle,
    nps, performance, pipeline, rfm, value,
};
use crate::report::Report;

/// The human-readable summary: what was read, how it was mapped, what was skipped and why.
pub fn text(file: &str, r: &Report) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "文件 File: {file}  ({:?}, {} bytes{})",
        r.input.format,
        r.input.file_bytes,
        match (&r.input.encoding, &r.input.delimiter) {
            (Some(e), Some(d)) => format!(", {e}, delimiter {d:?}"),
            _ => String::new(),
        }
    );
    if let Some(n) = &r.summary.no_customer_column {
        let _ = writeln!(o, "\n! {}\n! {}", n.message_zh, n.message_en);
    }
    sheets(&mut o, r);
    mapping(&mut o, r);
    quality(&mut o, r);
    totals(&mut o, r);
    analyses(&mut o, r);
    o
}

/// Each sheet with its extent and the role it was given.
fn sheets(o: &mut String, r: &Report) {
    use std::fmt::Write;
    let _ = writeln!(o, "\n工作表 Sheets:");
    for s in &r.input.sheets {
        let role = match s.role {
            Some(crate::table::dataset::Role::Register) => "  ← 客户登记表 customer register",
            Some(crate::table::dataset::Role::Orders) => "  ← 订单明细 order list",
            None => "",
        };
        let _ = writeln!(
            o,
            "  {} [{:?}, {:?}] {} rows × {} cols, {} cells{role}",
            s.info.name, s.info.kind, s.info.visibility, s.info.rows, s.info.cols, s.info.cells
        );
    }
}

/// Each analysed sheet's columns and the field each was given.
fn mapping(o: &mut String, r: &Report) {
    use std::fmt::Write;
    for m in &r.mapping {
        let _ = writeln!(
            o,
            "\n列映射 Mapping of '{}' (header rows {}–{}):",
            m.sheet, m.header_rows.0, m.header_rows.1
        );
        for c in &m.columns {
            let field = c.field.map_or("—".to_string(), |f| {
                let year = c.year.map(|y| format!(" {y}")).unwrap_or_default();
                format!("{}{year} ({})", f.key(), f.label_zh())
            });
            let _ = writeln!(
                o,
                "  {:>3} {:<24} → {:<32} {:?} {:.2}",
                c.letter, c.header, field, c.status, c.confidence
            );
        }
        if !m.combined.is_empty() {
            let _ = writeln!(
                o,
                "  读为一张表 read together: {} (--leave-out NAME to leave one out)",
                m.combined.join(", ")
            );
        }
        for x in &m.reread {
            let field = x.field.map_or("—", |f| f.key());
            let _ = writeln!(
                o,
                "  改读 reread: {} → {field} ({} / {})",
                x.header, x.because_zh, x.because_en
            );
        }
        for d in &m.derived {
            let _ = writeln!(o, "  推算 derived: {} / {}", d.label_zh, d.label_en);
        }
    }
}

/// Rows read, used and skipped with the reason, and the first warnings.
fn quality(o: &mut String, r: &Report) {
    use std::fmt::Write;
    let q = &r.quality.total;
    let _ = writeln!(
        o,
        "\n数据质量 Quality: {} rows read, {} used, {} skipped",
        q.rows_read,
        q.rows_used,
        q.rows_skipped_total()
    );
    for s in q.rows_skipped.values() {
        let rows: Vec<String> = s.rows.iter().map(|r| r.to_string()).collect();
        let money = s
            .amount
            .map(|a| format!(", amount {a:.2}"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  skipped {} × {} / {} (rows {}){money}",
            s.count,
            s.message_zh,
            s.message_en,
            rows.join(", ")
        );
    }
    if let Some(c) = &q.currency {
        let _ = writeln!(o, "  金额币种 amounts in: {c}");
    }
    if let Some(r) = &q.returns {
        let _ = writeln!(
            o,
            "  退货/退款 returns: {} lines, {:.2} netted against their customers",
            r.lines, r.amount
        );
    }
    for (issue, n) in &q.issues {
        let _ = writeln!(o, "  {n} × {issue:?}");
    }
    for w in q.warnings.iter().take(15) {
        let _ = writeln!(o, "  ! {} / {}", w.message_zh, w.message_en);
    }
    if q.warnings.len() > 15 || q.warnings_omitted > 0 {
        let _ = writeln!(
            o,
            "  … {} more warnings (see --json)",
            q.warnings.len().saturating_sub(15) as u64 + q.warnings_omitted
        );
    }
    if let Some(j) = &r.quality.join {
        let _ = writeln!(
            o,
            "  join by {}: {} order lines matched, {} unmatched; {} register customers without orders",
            j.key, j.order_lines_matched, j.order_lines_unmatched, j.register_customers_without_orders
        );
    }
}

/// The headline figures.
fn totals(o: &mut String, r: &Report) {
    use std::fmt::Write;
    let s = &r.summary;
    let _ = writeln!(o, "\n汇总 Summary ({}):", s.shape);
    let _ = writeln!(o, "  客户 customers: {}", s.customers);
    if s.order_lines > 0 {
        let _ = writeln!(o, "  订单行 order lines: {}", s.order_lines);
    }
    if let Some(a) = s.total_amount {
        let _ = writeln!(o, "  金额合计 total amount: {a:.2}");
    }
    if let (Some(a), Some(b)) = (s.first_order_date, s.last_order_date) {
        let _ = writeln!(o, "  订单日期 order dates: {a} … {b}");
    }
    if let Some(d) = s.as_of {
        let _ = writeln!(o, "  分析基准日 as of: {d}");
    }
    if !s.amount_years.is_empty() {
        let years: Vec<String> = s.amount_years.iter().map(|y| y.to_string()).collect();
        let _ = writeln!(o, "  分年金额 amount by year: {}", years.join(", "));
    }
}

/// The analyses, a few lines each; `--json` has everything.
fn analyses(o: &mut String, r: &Report) {
    use std::fmt::Write;
    let a = &r.analyses;
    let name = |i: usize| {
        r.customers
            .get(i)
            .map(|c| {
                let id = c.id.as_deref().unwrap_or("");
                let name = c.name.as_deref().unwrap_or("");
                format!("{id} {name}").trim().to_string()
            })
            .unwrap_or_default()
    };
    let _ = writeln!(o, "\n分析 Analyses:");
    for st in &r.summary.analyses {
        if st.ran {
            let _ = writeln!(o, "  ✓ {}", st.key);
        } else {
            let needs: Vec<String> = st.needs.iter().map(|g| g.join(" / ")).collect();
            let note = st.note.as_ref().map(|t| format!(" — {} / {}", t.zh, t.en));
            let _ = writeln!(
                o,
                "  ✗ {} skipped: needs {}{}",
                st.key,
                needs.join(" + "),
                note.unwrap_or_default()
            );
        }
    }
    if let Some(x) = &a.rfm {
        rfm(o, x);
    }
    if let Some(x) = &a.abc {
        abc(o, x);
    }
    if let Some(x) = &a.value {
        value(o, x);
    }
    if let Some(x) = &a.lifecycle {
        lifecycle(o, x);
    }
    if let Some(x) = &a.alerts {
        alerts(o, x, &name);
    }
    if let Some(x) = &a.distribution {
        distribution(o, x);
    }
    if let Some(x) = &a.performance {
        performance(o, x, &name);
    }
    if let Some(x) = &a.bcg {
        bcg(o, x);
    }
    if let Some(x) = &a.clusters {
        clusters(o, x);
    }
    if let Some(x) = &a.pipeline {
        pipeline(o, x);
    }
    if let Some(x) = &a.nps {
        nps(o, x);
    }
    if let Some(x) = &a.csi {
        csi(o, x);
    }
    if let Some(x) = &a.credit {
        credit(o, x);
    }
    if let Some(x) = &a.cross_sell {
        cross_sell(o, x);
    }
    if let Some(x) = &a.clv {
        clv_section(o, x);
    }
    if let Some(x) = &a.customer_flow {
        customer_flow(o, x);
    }
}

fn rfm(o: &mut String, x: &rfm::Rfm) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\nRFM ({} customers; thresholds R {:.1} days, F {:.2}, M {:.2}):",
        x.customers_scored,
        x.thresholds.recency_days,
        x.thresholds.frequency,
        x.thresholds.monetary
    );
    for s in &x.segments {
        let _ = writeln!(
            o,
            "  {:<8} {:>7} customers {:>5.1}%  amount {:>5.1}%  {}",
            s.label.zh, s.customers, s.customer_share, s.amount_share, s.action.zh
        );
    }
}

fn abc(o: &mut String, x: &abc::Abc) {
    use std::fmt::Write;
    let _ =
        writeln!(
        o,
        "\n{} / {}: top 20% of customers bring {:.1}% of the amount; {:.1}% of customers bring {}%",
        x.class_name.zh, x.class_name.en, x.top20_share, x.customers_for_a_share, x.options.amount_a
    );
    let rows = match x.options.method {
        abc::Method::Count => &x.by_count,
        abc::Method::Amount => &x.by_amount,
    };
    for c in rows {
        let _ = writeln!(
            o,
            "  {:<10} {:>7} customers {:>5.1}%  amount {:>5.1}%",
            c.label.zh, c.customers, c.customer_share, c.amount_share
        );
    }
}

fn value(o: &mut String, x: &value::Value) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\n客户价值 Value tiers (mean score {:.1}):",
        x.mean_score
    );
    for t in &x.tiers {
        let _ = writeln!(
            o,
            "  {:<8} {:>7} customers {:>5.1}%  amount {:>5.1}%",
            t.label.zh, t.customers, t.customer_share, t.amount_share
        );
    }
}

fn lifecycle(o: &mut String, x: &lifecycle::Lifecycle) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\n生命周期 Lifecycle (active rate {:.1}%):",
        x.active_rate
    );
    for s in &x.stages {
        let _ = writeln!(
            o,
            "  {:<8} {:>7} customers {:>5.1}%",
            s.label.zh, s.customers, s.customer_share
        );
    }
    if let Some(c) = &x.churn {
        let _ = writeln!(
            o,
            "  churn over {} days: {} of {} customers lost = {:.1}% (retention {:.1}%)",
            c.period_days, c.lost, c.customers_at_start, c.churn_rate, c.retention_rate
        );
    }
}

fn alerts(o: &mut String, x: &alerts::Alerts, name: &dyn Fn(usize) -> String) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\n预流失重点客户 Pre-churn key customers: {} of {} key customers, {:.2} a year at risk",
        x.alerts.len(),
        x.key_customers,
        x.amount_at_risk
    );
    for al in x.alerts.iter().take(10) {
        let silence = match (al.recency_days, al.overdue) {
            (Some(r), Some(k)) => format!("silent {r} days = {k:.1}× usual interval"),
            (Some(r), None) => format!("silent {r} days"),
            _ => String::new(),
        };
        let alive = al
            .p_alive
            .map(|p| format!(", P(alive) {p:.2}"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {:<24} {silence}{alive}, {:.2} a year at risk",
            name(al.customer as usize),
            al.amount_at_risk
        );
    }
}

fn distribution(o: &mut String, x: &distribution::Distribution) {
    use std::fmt::Write;
    for d in &x.dimensions {
        let _ = writeln!(o, "\n按{} By {}:", d.label.zh, d.label.en.to_lowercase());
        for g in d.groups.iter().take(8) {
            let change = g
                .amount_change
                .map(|c| format!("  YoY {c:+.1}%"))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "  {:<12} {:>7} customers {:>5.1}%  amount {:>5.1}%{change}",
                g.value.as_deref().unwrap_or("(未填)"),
                g.customers,
                g.customer_share,
                g.amount_share
            );
        }
        if d.groups.len() > 8 {
            let _ = writeln!(o, "  … {} more", d.groups.len() - 8);
        }
    }
}

fn customer_flow(o: &mut String, x: &customer_flow::Flow) {
    use std::fmt::Write;
    let _ = writeln!(o, "\n客户增减 Customer flow (per {:?}, last 12):", x.period);
    let _ = writeln!(
        o,
        "  {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
        "period", "new", "back", "lost", "net", "total"
    );
    for row in x.rows.iter().rev().take(12).rev() {
        let _ = writeln!(
            o,
            "  {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
            row.period, row.new, row.returning, row.lost, row.net, row.total
        );
    }
}

fn performance(o: &mut String, x: &performance::Performance, name: &dyn Fn(usize) -> String) {
    use std::fmt::Write;
    let _ = writeln!(o, "\n年度业绩 Sales by year:");
    for y in &x.years {
        let growth = y
            .growth
            .map(|g| format!("  YoY {g:+.1}%"))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}  {:>14.2}  {:>7} customers{growth}",
            y.year, y.amount, y.customers
        );
    }
    let list = |o: &mut String, title: &str, v: &[crate::analyze::performance::Mover]| {
        if v.is_empty() {
            return;
        }
        let _ = writeln!(o, "  {title}:");
        for m in v.iter().take(5) {
            let rank = |r: Option<u32>| r.map_or("—".to_string(), |r| r.to_string());
            let _ = writeln!(
                o,
                "    {:<24} {:>12.2} → {:>12.2}  rank {} → {}",
                name(m.customer as usize),
                m.amount_before,
                m.amount_after,
                rank(m.rank_before),
                rank(m.rank_after)
            );
        }
    };
    list(o, "增长最多 biggest increase", &x.top_growth);
    list(o, "下降最多 biggest decrease", &x.top_decline);
}

fn bcg(o: &mut String, x: &bcg::Bcg) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\n波士顿矩阵 BCG matrix ({} → {}):",
        x.years.0, x.years.1
    );
    for q in &x.customers.quadrants {
        let _ = writeln!(
            o,
            "  {:<6} {:>7} customers  {:>5.1}% of last year's amount",
            q.label.zh, q.items, q.amount_share
        );
    }
}

fn clusters(o: &mut String, x: &clusters::Clusters) {
    use std::fmt::Write;
    let _ = writeln!(o, "\n客户聚类 Clusters (k = {}):", x.k);
    let names: Vec<&str> = x.features.iter().map(|f| f.zh.as_str()).collect();
    for c in &x.clusters {
        let means: Vec<String> = names
            .iter()
            .zip(&c.means)
            .map(|(n, m)| format!("{n} {m:.1}"))
            .collect();
        let _ = writeln!(
            o,
            "  #{} {:>7} customers {:>5.1}%  {}",
            c.cluster,
            c.customers,
            c.customer_share,
            means.join(", ")
        );
    }
}

fn pipeline(o: &mut String, x: &pipeline::Pipeline) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\n销售漏斗 Pipeline: {} leads, {} bought, conversion {:.1}%",
        x.leads, x.bought, x.conversion
    );
}

fn nps(o: &mut String, x: &nps::Nps) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\nNPS {:.1} ({} answers: {} promoters, {} passives, {} detractors)",
        x.overall.score.unwrap_or(0.0),
        x.overall.responses,
        x.overall.promoters,
        x.overall.passives,
        x.overall.detractors
    );
}

fn csi(o: &mut String, x: &nps::Csi) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "满意度指数 CSI {:.1} over {} customers",
        x.score.unwrap_or(0.0),
        x.customers
    );
}

fn credit(o: &mut String, x: &credit::Credit) {
    use std::fmt::Write;
    let grades: Vec<String> = x
        .grades
        .iter()
        .map(|g| format!("{} {}", g.grade.key(), g.customers))
        .collect();
    let _ = writeln!(
        o,
        "\n信用等级 Credit grades: {}; {} valuable customers with poor credit",
        grades.join(", "),
        x.disagreements.len()
    );
}

fn cross_sell(o: &mut String, x: &cross_sell::CrossSell) {
    use std::fmt::Write;
    let _ = writeln!(
        o,
        "\n交叉销售 Products bought together ({} customers):",
        x.customers
    );
    for p in x.pairs.iter().take(5) {
        let _ = writeln!(
            o,
            "  {} + {}: {} customers, support {:.1}%, confidence {:.1}%, lift {:.2}",
            p.a, p.b, p.customers, p.support, p.confidence_ab, p.lift
        );
    }
}

fn clv_section(o: &mut String, x: &clv::Clv) {
    use std::fmt::Write;
    let b = &x.bgnbd;
    let _ = writeln!(
        o,
        "\n预测价值 CLV (BG/NBD r {:.4}, α {:.4}, a {:.4}, b {:.4}; {} customers to {}):",
        b.r, b.alpha, b.a, b.b, x.customers_fitted, x.calibration_end
    );
    let _ = writeln!(o, "  mean P(alive) {:.2}", x.mean_p_alive);
    match (&x.gamma_gamma, x.mean_clv) {
        (Some(g), Some(m)) => {
            let _ = writeln!(
                o,
                "  Gamma-Gamma p {:.3}, q {:.3}, v {:.3}; mean {}-month CLV {:.2}",
                g.p, g.q, g.v, x.options.horizon_months, m
            );
        }
        _ => {
            if let Some(e) = &x.gamma_gamma_error {
                let _ = writeln!(o, "  no CLV: {} / {}", e.zh, e.en);
            }
        }
    }
    if let Some(w) = &x.correlation_warning {
        let _ = writeln!(o, "  ! {}", w.en);
    }
    if let Some(h) = &x.holdout {
        let _ = writeln!(
            o,
            "  holdout {} … {}: predicted {:.1} repeat purchases, actual {:.0}",
            h.start, h.end, h.predicted, h.actual
        );
    }
}
