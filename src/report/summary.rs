//! The CLI's text summary of a [`Report`], in Chinese or English: what was read, how it was
//! mapped, what was skipped and why, then a few lines per analysis. It reads only the report,
//! like the page does.

use crate::analyze::{
    abc, alerts, bcg, clusters, clv, credit, cross_sell, customer_flow, distribution, feedback,
    lifecycle, nps, people, performance, pipeline, rfm, seasons, value,
};
use crate::report::{analysis_name, Lang, Report};
use std::fmt::Write;

/// `x` with `digits` decimals, never "-0.00": a value that rounds to zero is written as zero.
pub fn fixed(x: f64, digits: usize) -> String {
    let s = format!("{x:.digits$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => s,
    }
}

/// `x` with a sign and `digits` decimals ("+2.5", "-1.0", "+0.0"), never "-0.0".
fn signed(x: f64, digits: usize) -> String {
    let s = fixed(x, digits);
    if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// The human-readable summary in `lang`: what was read, how it was mapped, what was skipped and
/// why, and the analyses.
pub fn text(file: &str, r: &Report, lang: Lang) -> String {
    let mut o = String::new();
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(
        o,
        "{} {file}  ({:?}, {} {}{})",
        t("文件", "File:"),
        r.input.format,
        r.input.file_bytes,
        t("字节", "bytes"),
        match (&r.input.encoding, &r.input.delimiter) {
            (Some(e), Some(d)) => format!(", {e}, {} {d:?}", t("分隔符", "delimiter")),
            _ => String::new(),
        }
    );
    if let Some(n) = &r.summary.no_customer_column {
        let _ = writeln!(o, "\n! {}", t(&n.message_zh, &n.message_en));
    }
    sheets(&mut o, r, lang);
    mapping(&mut o, r, lang);
    quality(&mut o, r, lang);
    totals(&mut o, r, lang);
    analyses(&mut o, r, lang);
    o
}

/// Each sheet with its extent and the role it was given.
fn sheets(o: &mut String, r: &Report, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(o, "\n{}", t("工作表：", "Sheets:"));
    for s in &r.input.sheets {
        let role = match s.role {
            Some(crate::table::dataset::Role::Register) => {
                t("  ← 客户登记表", "  ← customer register")
            }
            Some(crate::table::dataset::Role::Orders) => t("  ← 订单明细", "  ← order list"),
            None => "",
        };
        let _ = writeln!(
            o,
            "  {} [{:?}, {:?}] {} {} × {} {}, {} {}{role}",
            s.info.name,
            s.info.kind,
            s.info.visibility,
            s.info.rows,
            t("行", "rows"),
            s.info.cols,
            t("列", "cols"),
            s.info.cells,
            t("个单元格", "cells"),
        );
    }
}

/// Each analysed sheet's columns and the field each was given.
fn mapping(o: &mut String, r: &Report, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    for m in &r.mapping {
        let _ = writeln!(
            o,
            "\n{} '{}' ({} {}–{}):",
            t("列映射", "Mapping of"),
            m.sheet,
            t("表头行", "header rows"),
            m.header_rows.0,
            m.header_rows.1
        );
        for c in &m.columns {
            let field = c.field.map_or("—".to_string(), |f| {
                let year = c.year.map(|y| format!(" {y}")).unwrap_or_default();
                format!("{}{year} ({})", f.key(), t(f.label_zh(), f.label_en()))
            });
            let _ = writeln!(
                o,
                "  {:>3} {:<24} → {:<32} {:?} {}",
                c.letter,
                c.header,
                field,
                c.status,
                fixed(f64::from(c.confidence), 2)
            );
        }
        if !m.combined.is_empty() {
            let _ = writeln!(
                o,
                "  {}: {} {}",
                t("读为一张表", "read together"),
                m.combined.join(", "),
                t(
                    "（--leave-out 工作表名 可去掉一张）",
                    "(--leave-out NAME to leave one out)"
                )
            );
        }
        for x in &m.reread {
            let field = x.field.map_or("—", |f| f.key());
            let because = t(x.because_zh, x.because_en);
            let _ = writeln!(
                o,
                "  {}: {} → {field} ({because})",
                t("改读", "reread"),
                x.header
            );
        }
        for d in &m.derived {
            let _ = writeln!(
                o,
                "  {}: {}",
                t("推算", "derived"),
                t(d.label_zh, d.label_en)
            );
        }
    }
}

/// Rows read, used and skipped with the reason, and the first warnings.
fn quality(o: &mut String, r: &Report, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let q = &r.quality.total;
    let _ = writeln!(
        o,
        "\n{}: {} {}, {} {}, {} {}",
        t("数据质量", "Quality"),
        q.rows_read,
        t("行已读", "rows read"),
        q.rows_used,
        t("行已用", "used"),
        q.rows_skipped_total(),
        t("行跳过", "skipped")
    );
    for s in q.rows_skipped.values() {
        let rows: Vec<String> = s.rows.iter().map(|r| r.to_string()).collect();
        let money = s
            .amount
            .map(|a| format!(", {} {}", t("金额", "amount"), fixed(a, 2)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {} {} × {} ({} {}){money}",
            t("跳过", "skipped"),
            s.count,
            t(s.message_zh, s.message_en),
            t("行", "rows"),
            rows.join(", ")
        );
    }
    if let Some(c) = &q.currency {
        let _ = writeln!(o, "  {}: {c}", t("金额币种", "amounts in"));
    }
    if let Some(r) = &q.returns {
        let _ = writeln!(
            o,
            "  {}: {} {}, {} {}",
            t("退货/退款", "returns"),
            r.lines,
            t("行", "lines"),
            fixed(r.amount, 2),
            t("已冲减各自客户的金额", "netted against their customers")
        );
    }
    for (issue, n) in &q.issues {
        let _ = writeln!(o, "  {n} × {issue:?}");
    }
    for w in q.warnings.iter().take(15) {
        let _ = writeln!(o, "  ! {}", t(&w.message_zh, &w.message_en));
    }
    if q.warnings.len() > 15 || q.warnings_omitted > 0 {
        let more = q.warnings.len().saturating_sub(15) as u64 + q.warnings_omitted;
        let _ = writeln!(
            o,
            "  … {more} {}",
            t("条警告未列出（见 --json）", "more warnings (see --json)")
        );
    }
    if let Some(j) = &r.quality.join {
        let _ = writeln!(
            o,
            "  {} {}: {} {}, {} {}; {} {}",
            t("关联键", "join by"),
            j.key,
            j.order_lines_matched,
            t("订单行已匹配", "order lines matched"),
            j.order_lines_unmatched,
            t("未匹配", "unmatched"),
            j.register_customers_without_orders,
            t("位登记客户没有订单", "register customers without orders")
        );
    }
}

/// The headline figures.
fn totals(o: &mut String, r: &Report, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let s = &r.summary;
    let _ = writeln!(o, "\n{} ({}):", t("汇总", "Summary"), s.shape);
    let _ = writeln!(o, "  {}: {}", t("客户", "customers"), s.customers);
    if s.order_lines > 0 {
        let _ = writeln!(o, "  {}: {}", t("订单行", "order lines"), s.order_lines);
    }
    if let Some(a) = s.total_amount {
        let _ = writeln!(o, "  {}: {}", t("金额合计", "total amount"), fixed(a, 2));
    }
    if let (Some(a), Some(b)) = (s.first_order_date, s.last_order_date) {
        let _ = writeln!(o, "  {}: {a} … {b}", t("订单日期", "order dates"));
    }
    if let Some(d) = s.as_of {
        let _ = writeln!(o, "  {}: {d}", t("分析基准日", "as of"));
    }
    if !s.amount_years.is_empty() {
        let years: Vec<String> = s.amount_years.iter().map(|y| y.to_string()).collect();
        let _ = writeln!(
            o,
            "  {}: {}",
            t("分年金额", "amount by year"),
            years.join(", ")
        );
    }
}

/// The analyses, a few lines each; `--json` has everything.
fn analyses(o: &mut String, r: &Report, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let a = &r.analyses;
    let name = |i: usize| r.who(i);
    let _ = writeln!(o, "\n{}:", t("分析", "Analyses"));
    for st in &r.summary.analyses {
        let title = analysis_name(st.key, lang);
        let note = st.note.as_ref().map(|n| format!(" — {}", lang.text(n)));
        if st.ran {
            let _ = writeln!(o, "  ✓ {title}{}", note.unwrap_or_default());
        } else {
            let needs: Vec<String> = st.needs.iter().map(|g| g.join(" / ")).collect();
            let _ = writeln!(
                o,
                "  ✗ {title} {}: {}{}",
                t("未运行，需要", "skipped, needs"),
                needs.join(" + "),
                note.unwrap_or_default()
            );
        }
    }
    if let Some(x) = &a.rfm {
        rfm(o, x, lang);
    }
    if let Some(x) = &a.abc {
        abc(o, x, lang);
    }
    if let Some(x) = &a.value {
        value(o, x, lang);
    }
    if let Some(x) = &a.lifecycle {
        lifecycle(o, x, lang);
    }
    if let Some(x) = &a.alerts {
        alerts(o, x, &name, lang);
    }
    if let Some(x) = &a.feedback {
        feedback_section(o, x, &name, lang);
    }
    if let Some(x) = &a.distribution {
        distribution(o, x, lang);
    }
    if let Some(x) = &a.people {
        people(o, x, lang);
    }
    if let Some(x) = &a.performance {
        performance(o, x, &name, lang);
    }
    if let Some(x) = &a.seasons {
        seasons(o, x, lang);
    }
    if let Some(x) = &a.bcg {
        bcg(o, x, lang);
    }
    if let Some(x) = &a.clusters {
        clusters(o, x, lang);
    }
    if let Some(x) = &a.pipeline {
        pipeline(o, x, lang);
    }
    if let Some(x) = &a.nps {
        nps(o, x, lang);
    }
    if let Some(x) = &a.csi {
        csi(o, x, lang);
    }
    if let Some(x) = &a.credit {
        credit(o, x, lang);
    }
    if let Some(x) = &a.cross_sell {
        cross_sell(o, x, lang);
    }
    if let Some(x) = &a.clv {
        clv_section(o, x, lang);
    }
    if let Some(x) = &a.customer_flow {
        customer_flow(o, x, lang);
    }
}

/// One row of a class table: its label, customers and their share, and the amount's share.
fn class_line(label: &str, customers: u64, shares: (f64, f64), lang: Lang) -> String {
    let t = |zh, en| lang.pick(zh, en);
    format!(
        "  {:<10} {:>7} {} {:>5}%  {} {:>5}%",
        label,
        customers,
        t("位客户", "customers"),
        fixed(shares.0, 1),
        t("金额", "amount"),
        fixed(shares.1, 1)
    )
}

fn rfm(o: &mut String, x: &rfm::Rfm, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let th = &x.thresholds;
    let _ = writeln!(
        o,
        "\nRFM ({} {}; {} R {} {}, F {}, M {}):",
        x.customers_scored,
        t("位客户", "customers"),
        t("阈值", "thresholds"),
        fixed(th.recency_days, 1),
        t("天", "days"),
        fixed(th.frequency, 2),
        fixed(th.monetary, 2)
    );
    for s in &x.segments {
        let shares = (s.customer_share, s.amount_share);
        let line = class_line(lang.text(&s.label), s.customers, shares, lang);
        let _ = writeln!(o, "{line}  {}", lang.text(&s.action));
    }
}

fn abc(o: &mut String, x: &abc::Abc, lang: Lang) {
    let _ = writeln!(
        o,
        "\n{}: {}",
        lang.text(&x.class_name),
        lang.text(&x.definition)
    );
    let _ = writeln!(
        o,
        "  {}",
        match lang {
            Lang::Zh => format!(
                "前 20% 的客户贡献 {}% 的金额；{}% 的客户贡献 {}% 的金额",
                fixed(x.top20_share, 1),
                fixed(x.customers_for_a_share, 1),
                x.options.amount_a
            ),
            Lang::En => format!(
                "the top 20% of customers bring {}% of the amount; {}% of customers bring {}%",
                fixed(x.top20_share, 1),
                fixed(x.customers_for_a_share, 1),
                x.options.amount_a
            ),
        }
    );
    let rows = match x.options.method {
        abc::Method::Count => &x.by_count,
        abc::Method::Amount => &x.by_amount,
    };
    for c in rows {
        let shares = (c.customer_share, c.amount_share);
        let _ = writeln!(
            o,
            "{}",
            class_line(lang.text(&c.label), c.customers, shares, lang)
        );
    }
}

fn value(o: &mut String, x: &value::Value, lang: Lang) {
    let _ = writeln!(
        o,
        "\n{} ({} {}):",
        lang.pick("客户价值", "Value tiers"),
        lang.pick("平均得分", "mean score"),
        fixed(x.mean_score, 1)
    );
    for v in &x.tiers {
        let shares = (v.customer_share, v.amount_share);
        let _ = writeln!(
            o,
            "{}",
            class_line(lang.text(&v.label), v.customers, shares, lang)
        );
    }
}

fn lifecycle(o: &mut String, x: &lifecycle::Lifecycle, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(
        o,
        "\n{} ({} {}%):",
        t("生命周期", "Lifecycle"),
        t("活跃率", "active rate"),
        fixed(x.active_rate, 1)
    );
    for s in &x.stages {
        let _ = writeln!(
            o,
            "  {:<10} {:>7} {} {:>5}%",
            lang.text(&s.label),
            s.customers,
            t("位客户", "customers"),
            fixed(s.customer_share, 1)
        );
    }
    if let Some(c) = &x.churn {
        let (churn, kept) = (fixed(c.churn_rate, 1), fixed(c.retention_rate, 1));
        let _ = writeln!(
            o,
            "  {}",
            match lang {
                Lang::Zh => format!(
                    "{} 天内流失：期初 {} 位客户流失 {} 位，流失率 {churn}%（留存率 {kept}%）",
                    c.period_days, c.customers_at_start, c.lost
                ),
                Lang::En => format!(
                    "churn over {} days: {} of {} customers lost = {churn}% (retention {kept}%)",
                    c.period_days, c.lost, c.customers_at_start
                ),
            }
        );
    }
}

fn alerts(o: &mut String, x: &alerts::Alerts, name: &dyn Fn(usize) -> String, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let risk = fixed(x.amount_at_risk, 2);
    let _ = writeln!(
        o,
        "\n{}",
        match lang {
            Lang::Zh => format!(
                "预流失重点客户：{} 位重点客户中 {} 位，每年风险金额 {risk}",
                x.key_customers,
                x.alerts.len()
            ),
            Lang::En => format!(
                "Pre-churn key customers: {} of {} key customers, {risk} a year at risk",
                x.alerts.len(),
                x.key_customers
            ),
        }
    );
    for al in x.alerts.iter().take(10) {
        let silence = match (al.recency_days, al.overdue) {
            (Some(r), Some(k)) => match lang {
                Lang::Zh => format!("沉默 {r} 天 = 平常间隔的 {} 倍", fixed(k, 1)),
                Lang::En => format!("silent {r} days = {}× usual interval", fixed(k, 1)),
            },
            (Some(r), None) => format!("{} {r} {}", t("沉默", "silent"), t("天", "days")),
            _ => String::new(),
        };
        let alive = al
            .p_alive
            .map(|p| format!(", {} {}", t("存活概率", "P(alive)"), fixed(p, 2)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {:<24} {silence}{alive}, {} {}",
            name(al.customer as usize),
            t("每年风险金额", "a year at risk:"),
            fixed(al.amount_at_risk, 2)
        );
    }
}

/// The overall feedback, its rates by churn risk band and the customers with most complaints.
fn feedback_section(
    o: &mut String,
    x: &feedback::Feedback,
    name: &dyn Fn(usize) -> String,
    lang: Lang,
) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(
        o,
        "\n{} ({} {}):",
        t("客户反馈", "Feedback"),
        x.overall.customers,
        t("位客户", "customers")
    );
    let _ = writeln!(o, "  {}", tally_line(&x.overall, lang));
    if !x.by_churn_risk.is_empty() {
        let _ = writeln!(o, "  {}:", t("按流失风险", "by churn risk"));
        for b in &x.by_churn_risk {
            let _ = writeln!(
                o,
                "    {:<10} {:>7} {}  {}",
                lang.text(&b.label),
                b.tally.customers,
                t("位客户", "customers"),
                tally_line(&b.tally, lang)
            );
        }
    }
    if !x.top_complaints.is_empty() {
        let _ = writeln!(o, "  {}:", t("投诉最多", "most complaints"));
        for c in x.top_complaints.iter().take(5) {
            let _ = writeln!(
                o,
                "    {:<24} {} {}",
                name(c.customer as usize),
                t("投诉", "complaints"),
                fixed(c.complaints, 0)
            );
        }
    }
}

/// A tally's rates, for the kinds the input has.
fn tally_line(x: &feedback::Tally, lang: Lang) -> String {
    let t = |zh, en| lang.pick(zh, en);
    let rate = |r: Option<f64>| r.map_or("—".to_string(), |r| format!("{}%", fixed(r, 1)));
    let mut parts = Vec::new();
    if let Some(c) = x.complaints {
        parts.push(format!(
            "{} {} ({} {}), {} {}",
            t("投诉", "complaints"),
            fixed(c, 0),
            t("投诉率", "complaint rate"),
            rate(x.complaint_rate),
            t("每百单", "per 100 orders"),
            x.complaints_per_100_orders
                .map_or("—".to_string(), |r| fixed(r, 1))
        ));
    }
    if let Some(p) = x.praise {
        parts.push(format!(
            "{} {} ({} {})",
            t("好评", "praise"),
            fixed(p, 0),
            t("好评率", "praise rate"),
            rate(x.praise_rate)
        ));
    }
    if let Some(s) = x.suggestions {
        parts.push(format!(
            "{} {} ({} {})",
            t("建议", "suggestions"),
            fixed(s, 0),
            t("建议率", "suggestion rate"),
            rate(x.suggestion_rate)
        ));
    }
    parts.join(lang.pick("；", "; "))
}

fn distribution(o: &mut String, x: &distribution::Distribution, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    compared(o, x.period.as_ref(), lang);
    for d in &x.dimensions {
        let _ = writeln!(o, "\n{}{}:", t("按", "By "), lang.text(&d.label));
        for g in d.groups.iter().take(8) {
            let change = g
                .amount_change
                .map(|c| format!("  {} {}%", t("同比", "YoY"), signed(c, 1)))
                .unwrap_or_default();
            let label = g.value.as_deref().unwrap_or(t("(未填)", "(blank)"));
            let shares = (g.customer_share, g.amount_share);
            let _ = writeln!(
                o,
                "{}{change}",
                class_line(label, g.customers, shares, lang)
            );
        }
        if d.groups.len() > 8 {
            let _ = writeln!(o, "  … {} {}", d.groups.len() - 8, t("组未列出", "more"));
        }
    }
}

/// The personal dimensions' groups that have customers, bands in order.
fn people(o: &mut String, x: &people::People, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    for d in &x.dimensions {
        let _ = writeln!(o, "\n{}{}:", t("按", "By "), lang.text(&d.label));
        let groups: Vec<_> = d.groups.iter().filter(|g| g.customers > 0).collect();
        for g in groups.iter().take(8) {
            let shares = (g.customer_share, g.amount_share);
            let line = class_line(lang.text(&g.label), g.customers, shares, lang);
            let _ = writeln!(o, "{line}");
        }
        if groups.len() > 8 {
            let _ = writeln!(o, "  … {} {}", groups.len() - 8, t("组未列出", "more"));
        }
    }
}

/// The line naming what a year-on-year figure compares.
fn compared(o: &mut String, p: Option<&crate::analyze::compare::Compared>, lang: Lang) {
    if let Some(p) = p {
        let _ = writeln!(
            o,
            "  {}: {}",
            lang.pick("比较期间", "Compared"),
            lang.text(&p.label)
        );
    }
}

fn customer_flow(o: &mut String, x: &customer_flow::Flow, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let period = match x.period {
        customer_flow::Period::Month => t("按月", "monthly"),
        customer_flow::Period::Quarter => t("按季度", "quarterly"),
        customer_flow::Period::Year => t("按年", "yearly"),
        customer_flow::Period::Auto => t("自动", "auto"),
    };
    let _ = writeln!(
        o,
        "\n{} ({period}, {}):",
        t("客户增减", "Customer flow"),
        t("最近 12 期", "last 12")
    );
    let _ = writeln!(
        o,
        "  {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
        t("期间", "period"),
        t("新增", "new"),
        t("回流", "back"),
        t("流失", "lost"),
        t("净变化", "net"),
        t("期末", "total")
    );
    for row in x.rows.iter().rev().take(12).rev() {
        let _ = writeln!(
            o,
            "  {:<8} {:>6} {:>6} {:>6} {:>7} {:>7}",
            row.period, row.new, row.returning, row.lost, row.net, row.total
        );
    }
}

fn performance(
    o: &mut String,
    x: &performance::Performance,
    name: &dyn Fn(usize) -> String,
    lang: Lang,
) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(o, "\n{}:", t("年度业绩", "Sales by year"));
    compared(o, x.period.as_ref(), lang);
    for y in &x.years {
        let growth = y
            .growth
            .map(|g| format!("  {} {}%", t("同比", "YoY"), signed(g, 1)))
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "  {}  {:>14}  {:>7} {}{growth}",
            y.year,
            fixed(y.amount, 2),
            y.customers,
            t("位客户", "customers")
        );
    }
    let list = |o: &mut String, title: &str, v: &[performance::Mover]| {
        if v.is_empty() {
            return;
        }
        let _ = writeln!(o, "  {title}:");
        for m in v.iter().take(5) {
            let rank = |r: Option<u32>| r.map_or("—".to_string(), |r| r.to_string());
            let _ = writeln!(
                o,
                "    {:<24} {:>12} → {:>12}  {} {} → {}",
                name(m.customer as usize),
                fixed(m.amount_before, 2),
                fixed(m.amount_after, 2),
                t("排名", "rank"),
                rank(m.rank_before),
                rank(m.rank_after)
            );
        }
    };
    list(o, t("增长最多", "biggest increase"), &x.top_growth);
    list(o, t("下降最多", "biggest decrease"), &x.top_decline);
}

fn seasons(o: &mut String, x: &seasons::Seasons, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let months = |ms: &[u32]| {
        let v: Vec<String> = ms.iter().map(|m| m.to_string()).collect();
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        o,
        "\n{} ({} – {}, {} {}):",
        t("季节与预测", "Seasons and forecast"),
        x.first_month,
        x.last_month,
        x.whole_months,
        t("个完整月", "whole months")
    );
    let _ = writeln!(
        o,
        "  {}: {}   {}: {}",
        t("旺季（月）", "Peak months"),
        months(&x.peak_months),
        t("淡季（月）", "Off-season months"),
        months(&x.off_months)
    );
    if let Some(why) = &x.declined {
        let _ = writeln!(o, "  {}", lang.text(why));
    }
    for f in x.forecast.iter().chain(&x.groups) {
        let h = &f.holdout;
        let wape = h
            .wape
            .map_or("—".to_string(), |w| format!("{}%", fixed(w, 1)));
        let _ = writeln!(
            o,
            "  {} — {} WAPE {wape}, {}/{} {}",
            lang.text(&f.name),
            t("留出检验", "held out"),
            h.inside,
            h.months.len(),
            t("个月在区间内", "months inside the interval")
        );
        for (k, m) in f.months.iter().enumerate() {
            let get = |v: &[f64]| v.get(k).map_or("—".to_string(), |x| fixed(*x, 0));
            let _ = writeln!(
                o,
                "    {m}  {:>12}  [{} – {}]",
                get(&f.point),
                get(&f.lower),
                get(&f.upper)
            );
        }
    }
}

fn bcg(o: &mut String, x: &bcg::Bcg, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(
        o,
        "\n{} ({} → {}):",
        t("波士顿矩阵", "BCG matrix"),
        x.years.0,
        x.years.1
    );
    compared(o, x.period.as_ref(), lang);
    for q in &x.customers.quadrants {
        let (label, share) = (lang.text(&q.label), fixed(q.amount_share, 1));
        let _ = match lang {
            Lang::Zh => writeln!(
                o,
                "  {label:<10} {:>7} 位客户  占上年金额 {share}%",
                q.items
            ),
            Lang::En => writeln!(
                o,
                "  {label:<10} {:>7} customers  {share}% of last year's amount",
                q.items
            ),
        };
    }
}

fn clusters(o: &mut String, x: &clusters::Clusters, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(o, "\n{} (k = {}):", t("客户聚类", "Clusters"), x.k);
    for c in &x.clusters {
        let means: Vec<String> = x
            .features
            .iter()
            .zip(&c.means)
            .map(|(n, m)| format!("{} {}", lang.text(n), fixed(*m, 1)))
            .collect();
        let _ = writeln!(
            o,
            "  #{} {:>7} {} {:>5}%  {}",
            c.cluster,
            c.customers,
            t("位客户", "customers"),
            fixed(c.customer_share, 1),
            means.join(", ")
        );
    }
}

fn pipeline(o: &mut String, x: &pipeline::Pipeline, lang: Lang) {
    let conversion = fixed(x.conversion, 1);
    let _ = writeln!(
        o,
        "\n{}",
        match lang {
            Lang::Zh => format!(
                "销售漏斗：{} 条线索，{} 位已购买，转化率 {conversion}%",
                x.leads, x.bought
            ),
            Lang::En => format!(
                "Pipeline: {} leads, {} bought, conversion {conversion}%",
                x.leads, x.bought
            ),
        }
    );
}

fn nps(o: &mut String, x: &nps::Nps, lang: Lang) {
    let v = &x.overall;
    let score = v.score.map_or("—".to_string(), |s| fixed(s, 1));
    let _ = writeln!(
        o,
        "\n{}",
        match lang {
            Lang::Zh => format!(
                "NPS {score}（{} 份回答：推荐者 {}，被动者 {}，贬损者 {}）",
                v.responses, v.promoters, v.passives, v.detractors
            ),
            Lang::En => format!(
                "NPS {score} ({} answers: {} promoters, {} passives, {} detractors)",
                v.responses, v.promoters, v.passives, v.detractors
            ),
        }
    );
}

fn csi(o: &mut String, x: &nps::Csi, lang: Lang) {
    let score = x.score.map_or("—".to_string(), |s| fixed(s, 1));
    let _ = writeln!(
        o,
        "{}",
        match lang {
            Lang::Zh => format!("满意度指数 CSI {score}（{} 位客户）", x.customers),
            Lang::En => format!("CSI {score} over {} customers", x.customers),
        }
    );
}

fn credit(o: &mut String, x: &credit::Credit, lang: Lang) {
    let grades: Vec<String> = x
        .grades
        .iter()
        .map(|g| format!("{} {}", g.grade.key(), g.customers))
        .collect();
    let _ = writeln!(
        o,
        "\n{}",
        match lang {
            Lang::Zh => format!(
                "信用等级：{}；{} 位价值高但信用差的客户",
                grades.join(", "),
                x.disagreements.len()
            ),
            Lang::En => format!(
                "Credit grades: {}; {} valuable customers with poor credit",
                grades.join(", "),
                x.disagreements.len()
            ),
        }
    );
}

fn cross_sell(o: &mut String, x: &cross_sell::CrossSell, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let _ = writeln!(
        o,
        "\n{} ({} {}):",
        t("交叉销售", "Products bought together"),
        x.customers,
        t("位客户", "customers")
    );
    for p in x.pairs.iter().take(5) {
        let _ = writeln!(
            o,
            "  {} + {}: {} {}, {} {}%, {} {}%, {} {}",
            p.a,
            p.b,
            p.customers,
            t("位客户", "customers"),
            t("支持度", "support"),
            fixed(p.support, 1),
            t("置信度", "confidence"),
            fixed(p.confidence_ab, 1),
            t("提升度", "lift"),
            fixed(p.lift, 2)
        );
    }
}

fn clv_section(o: &mut String, x: &clv::Clv, lang: Lang) {
    let t = |zh, en| lang.pick(zh, en);
    let b = &x.bgnbd;
    let _ = writeln!(
        o,
        "\n{} (BG/NBD r {}, α {}, a {}, b {}; {} {} {}):",
        t("预测价值 CLV", "CLV"),
        fixed(b.r, 4),
        fixed(b.alpha, 4),
        fixed(b.a, 4),
        fixed(b.b, 4),
        x.customers_fitted,
        t("位客户，截至", "customers to"),
        x.calibration_end
    );
    let _ = writeln!(
        o,
        "  {} {}",
        t("平均存活概率", "mean P(alive)"),
        fixed(x.mean_p_alive, 2)
    );
    match (&x.gamma_gamma, x.mean_clv) {
        (Some(g), Some(m)) => {
            let _ = writeln!(
                o,
                "  Gamma-Gamma p {}, q {}, v {}; {} {}",
                fixed(g.p, 3),
                fixed(g.q, 3),
                fixed(g.v, 3),
                match lang {
                    Lang::Zh => format!("{} 个月平均 CLV", x.options.horizon_months),
                    Lang::En => format!("mean {}-month CLV", x.options.horizon_months),
                },
                fixed(m, 2)
            );
        }
        _ => {
            if let Some(e) = &x.gamma_gamma_error {
                let _ = writeln!(o, "  {}: {}", t("无 CLV", "no CLV"), lang.text(e));
            }
        }
    }
    if let Some(w) = &x.correlation_warning {
        let _ = writeln!(o, "  ! {}", lang.text(w));
    }
    if let Some(h) = &x.holdout {
        let (predicted, actual) = (fixed(h.predicted, 1), fixed(h.actual, 0));
        let _ = writeln!(
            o,
            "  {}",
            match lang {
                Lang::Zh => format!(
                    "验证期 {} … {}：预测复购 {predicted} 次，实际 {actual} 次",
                    h.start, h.end
                ),
                Lang::En => format!(
                    "holdout {} … {}: predicted {predicted} repeat purchases, actual {actual}",
                    h.start, h.end
                ),
            }
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_negative_zero() {
        // A rounding of a tiny negative, and −0 itself, are zero; a real negative keeps its sign.
        assert_eq!(fixed(-0.0, 2), "0.00");
        assert_eq!(fixed(-0.004, 2), "0.00");
        assert_eq!(fixed(-0.005_000_1, 2), "-0.01");
        assert_eq!(fixed(-1e-12, 1), "0.0");
        assert_eq!(fixed(-12.5, 1), "-12.5");
        assert_eq!(fixed(1.236, 2), "1.24");
        assert_eq!(signed(-0.01, 1), "+0.0");
        assert_eq!(signed(-0.06, 1), "-0.1");
        assert_eq!(signed(2.0, 1), "+2.0");
    }
}
