// The dashboard: KPI cards, then one section per analysis that ran — its one-line definition,
// its charts (from the report's specs) and its tables — and the analyses that could not run with
// the columns they need. Nothing is computed here; every figure is read from the report.
import { h, fill, whenIdle } from './dom.js';
import { t, tx, col, num, pct, money, getLang } from './i18n.js';
import { figure, chartsIn, disposeAll, drawAll, drawNow, dispose } from './charts.js';

/** Builders of the sections whose figures and tables are still to be built, in page order. */
let unfilled = [];
/** The off-screen dashboard of `rehearse`, while there is one. */
let rehearsal = null;

/** Builds the next unfilled section, then the one after it when the page is idle again. */
function fillNext() {
  const build = unfilled.shift();
  if (!build) return;
  build();
  if (unfilled.length) whenIdle(fillNext, 300);
}

/** Builds every section and draws every chart (before printing). */
function complete() {
  while (unfilled.length) unfilled.shift()();
  drawAll();
}
addEventListener('beforeprint', complete);

/** Sections built with the dashboard; those below them are built when the page is idle. */
const EAGER = 2;

/** One line per analysis: how its figures are defined (docs/analyses.md has the whole story). */
const SECTIONS = [
  // RFM's and ABC's definitions depend on the data and the options: the report states them.
  ['rfm', ['RFM 客户分群', 'RFM segments'], null],
  ['abc', ['ABC 分类与帕累托', 'ABC classes and Pareto'], null],
  ['value', ['客户价值', 'Customer value'], ['各指标最小–最大归一后加权得 0–100 分；VIP > 80，重要 > 60，普通 > 40。', 'Each indicator min-max normalised, weighted, 0–100; VIP > 80, important > 60, ordinary > 40.']],
  ['lifecycle', ['生命周期与流失', 'Lifecycle and churn'], ['按距最近一次购买的天数分为新客户、活跃、沉睡、流失；流失率＝期内流失客户 ÷ 期初客户。', 'By days since the last order: new, active, sleeping, lost; churn = customers lost in the period ÷ customers at its start.']],
  ['alerts', ['预流失重点客户', 'Pre-churn key customers'], ['A 类或高价值客户，沉默超过其自身购买间隔的若干倍，或存活概率低；按风险金额排序。', 'A-class or top-tier customers silent for a multiple of their own interval, or with low P(alive); ranked by amount at risk.']],
  ['big_customers', ['大客户与档案', 'Big customers and their files'], null],
  // The churn model's definition states its cutoff, label and bands as run: the report says it.
  ['churn_model', ['流失预测模型', 'Churn model'], null],
  // The feedback's definition names how a cell counts: the report states it.
  ['feedback', ['客户反馈', 'Customer feedback'], null],
  ['distribution', ['分布与占比', 'Distribution'], ['按区域、行业、规模等维度统计客户数、金额、占比、客均金额与同比。', 'Customers, amount, shares, amount per customer and year-over-year change by region, industry, size and more.']],
  // The bands and the as-of date ages are counted to are settings and data: the report states them.
  ['people', ['个人客户画像', 'People'], null],
  ['customer_flow', ['客户增减', 'Customer increase and decrease'], ['每期新增、回流、流失客户与净变化。', 'New, returning and lost customers per period, and the net change.']],
  ['performance', ['年度业绩与变化', 'Yearly performance and movers'], ['每年金额、客户数与增长；末两年间金额与排名变化最大的客户。', 'Amount, customers and growth by year; the customers whose amount and rank changed most between the last two years.']],
  // Seasons' definition states its settings as run: the report says it.
  ['seasons', ['季节与销售预测', 'Seasons and forecast'], null],
  ['bcg', ['BCG 矩阵', 'BCG matrix'], ['横轴为销售份额，纵轴为增长率，分割线默认取中位数：明星、金牛、问题、瘦狗。', 'Sales share across, growth up, split at the medians by default: star, cash cow, question mark, dog.']],
  ['clusters', ['聚类', 'Clusters'], ['k-means++（固定种子），特征取对数并标准化，k 由轮廓系数在 2–8 中选取。', 'k-means++ with a fixed seed on log, z-scored features; k from 2–8 by silhouette.']],
  ['pipeline', ['线索与转化', 'Leads and conversion'], ['转化率＝已购买客户 ÷ 线索数；按来源、渠道与销售员。', 'Conversion = customers who bought ÷ leads; by source, channel and salesperson.']],
  ['nps', ['NPS 净推荐值', 'Net Promoter Score'], ['推荐者 9–10，被动者 7–8，贬损者 0–6；NPS＝推荐者% − 贬损者%。', 'Promoters 9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors.']],
  ['csi', ['CSI 满意度指数', 'Satisfaction index (CSI)'], ['各满意度列换算到 0–100 后的加权平均。', 'The weighted mean of the satisfaction columns on a 0–100 scale.']],
  ['credit', ['信用等级', 'Credit grades'], ['账期、欠款比、额度使用、退货等指标加权得分，分 AAA/AA/A/B/C。', 'A weighted score of payment days, arrears, credit use, returns and more, graded AAA/AA/A/B/C.']],
  ['cross_sell', ['交叉销售', 'Cross-selling'], ['同一客户购买的产品对：支持度、置信度与提升度。', 'Products bought by the same customer: support, confidence and lift.']],
  ['clv', ['客户终身价值预测', 'Predicted customer value (CLV)'], ['BG/NBD 预测存活概率与未来购买次数，Gamma-Gamma 预测客单价，按月折现得 CLV。', 'BG/NBD gives P(alive) and expected purchases, Gamma-Gamma the spend per order; discounted monthly to CLV.']],
];

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Presentation extras a spec does not carry: the BCG split lines from the analysis's own split. */
function extrasFor(key, spec, result) {
  if (key !== 'bcg') return {};
  const part = result[spec.id.replace(/^bcg_/, '')];
  return part && part.share_split != null && part.growth_split != null ? { split: { x: part.share_split, y: part.growth_split } } : {};
}

const L = (pair) => pair[getLang() === 'zh' ? 0 : 1];

/** A table of `rows` with columns `[key, format?, title?]`. */
function table(rows, columns, { limit = 50 } = {}) {
  if (!rows?.length) return null;
  return h('div', { className: 'table-wrap' }, h('table', { className: 'grid' },
    h('thead', {}, h('tr', {}, columns.map(([k, , title]) => h('th', {}, title ?? col(k))))),
    h('tbody', {}, rows.slice(0, limit).map((r) => h('tr', {}, columns.map(([k, f]) => {
      const v = typeof k === 'function' ? k(r) : r[k];
      const text = f ? f(v, r) : v == null ? '—' : typeof v === 'object' ? tx(v) : v;
      return h('td', { className: typeof v === 'number' ? 'num' : '' }, text);
    }))))));
}

/** What a year-on-year figure compares, as the report names it (the same period for a partial year). */
const compared = (x) => (x.period ? h('p', { className: 'lead period' }, t('compared') + tx(x.period.label)) : null);

const share = (x) => pct(x);
const int = (x) => num(x, 0);

/** The feedback's tallies (overall, by churn risk, lifecycle stage and dimension) and the
 * customers with most complaints; a kind the input lacks is null in every tally and not shown. */
function feedbackTables(x, who, label) {
  const o = x.overall;
  const has = { complaints: o.complaints != null, praise: o.praise != null, suggestions: o.suggestions != null };
  const entries = (v) => num(v);
  const cols = [['customers', int], ['with_feedback', int],
    ...(has.complaints ? [['with_complaints', int], ['complaint_rate', pct], ['complaints', entries], ['complaints_per_100_orders', (v) => num(v, 1)]] : []),
    ...(has.praise ? [['with_praise', int], ['praise_rate', pct], ['praise', entries]] : []),
    ...(has.complaints && has.praise ? [['praise_per_complaint', (v) => num(v, 2)]] : []),
    ...(has.suggestions ? [['with_suggestions', int], ['suggestion_rate', pct], ['suggestions', entries]] : [])];
  const lead = [`${col('customers')} ${num(o.customers)}`, `${col('with_feedback')} ${num(o.with_feedback)}`,
    has.complaints ? `${col('complaint_rate')} ${pct(o.complaint_rate)} · ${col('complaints_per_100_orders')} ${num(o.complaints_per_100_orders, 1)}` : null,
    has.praise ? `${col('praise_rate')} ${pct(o.praise_rate)}` : null,
    has.suggestions ? `${col('suggestion_rate')} ${pct(o.suggestion_rate)}` : null].filter(Boolean).join(' · ');
  const part = (title, node) => (node ? h('div', {}, h('h4', {}, title), node) : null);
  return [h('p', { className: 'lead' }, lead),
    part(t('feedback_by_churn'), table(x.by_churn_risk, [['label'], ...cols])),
    part(t('feedback_by_lifecycle'), table(x.by_lifecycle, [['label'], ...cols])),
    ...x.dimensions.map((d) => part(tx(d.label), table(d.groups, [['value', (v) => v ?? t('none_value')], ...cols], { limit: 30 }))),
    part(t('feedback_top'), table(x.top_complaints, [['customer', who], ['complaints', entries],
      ...(has.praise ? [['praise', entries]] : []), ...(has.suggestions ? [['suggestions', entries]] : []),
      ['orders', int], ['complaints_per_100_orders', (v) => num(v, 1)], ['amount', money],
      ['band', label('churn_risk')], ['stage', label('lifecycle'), col('lifecycle')]]))];
}

/** Draws the dashboard. `helpers`: `names(indexes)` resolves customer indexes to rows,
 * `pick(key, value, text)` filters the table, `labelText` and `fieldText` name labels and fields. */
export async function renderDashboard(root, overview, helpers) {
  rehearsal?.remove();
  rehearsal = null;
  disposeAll();
  // The previous report's sections still to be built are not built now.
  unfilled = [];
  const { nodes, later } = await dashboard(overview, helpers);
  unfilled = later;
  if (unfilled.length) whenIdle(fillNext, 300);
  root.classList.add('fresh');
  whenIdle(() => root.classList.remove('fresh'), 1000);
  fill(root, nodes);
}

/** Lays out the dashboard of `overview` (the warm-up sample's) off screen and draws its first
 * sections' charts one per idle moment, then removes it; it stops early once `stop()` says so or
 * a file's dashboard is drawn. Nobody sees it: it runs before the first
 * file, so that the first real dashboard finds the engine's style, layout and font caches and
 * ECharts' code for those charts warm: a page lays out its first dashboard far more slowly than
 * its second (measured in docs/performance.md). */
export async function rehearse(overview, helpers, stop = () => false) {
  // inert: nothing in it can be focused or reached by assistive technology.
  const root = h('div', { className: 'rehearsal', inert: '' });
  rehearsal = root;
  document.body.append(root);
  const idle = () => new Promise((resolve) => whenIdle(resolve, 500));
  try {
    const { nodes } = await dashboard(overview, helpers);
    fill(root, nodes);
    // A file's dashboard (which ends the rehearsal) may have come meanwhile.
    if (rehearsal !== root) return;
    for (const node of root.querySelectorAll('[id]')) node.removeAttribute('id');
    // Style and layout now, off screen: what the rehearsal is for.
    root.getBoundingClientRect();
    for (const box of root.querySelectorAll('.chart')) {
      await idle();
      if (rehearsal !== root || stop()) return;
      drawNow(box);
    }
    await idle();
  } finally {
    for (const box of root.querySelectorAll('.chart')) dispose(box);
    root.remove();
    if (rehearsal === root) rehearsal = null;
  }
}

/** The dashboard's nodes, with its first sections built, and the builders of the others. */
async function dashboard(overview, { names, pick, labelText, fieldText }) {
  const s = overview.summary;
  const a = overview.analyses;
  const cards = [
    [t('kpi_customers'), int(s.customers)],
    [t('kpi_sales'), money(s.total_amount)],
    [t('kpi_active'), pct(s.active_rate)],
    [t('kpi_churn'), pct(s.churn_rate)],
    a.nps ? [t('kpi_nps'), a.nps.score == null ? '—' : num(a.nps.score, 1)] : null,
    a.clv ? [t('kpi_clv'), money(a.clv.mean_clv)] : null,
  ].filter(Boolean);
  const skipped = s.analyses.filter((x) => !x.ran);

  // Customers referenced by index in lists (alerts, movers, disagreements, big-customer files).
  const refs = new Set();
  for (const al of a.alerts?.alerts ?? []) refs.add(al.customer);
  for (const k of ['top_total', 'top_growth', 'top_decline', 'top_rank_up', 'top_rank_down'])
    for (const m of a.performance?.[k] ?? []) refs.add(m.customer);
  for (const d of a.credit?.disagreements ?? []) refs.add(d.customer);
  for (const f of a.big_customers?.files ?? []) refs.add(f.customer);
  for (const r of a.churn_model?.at_risk ?? []) refs.add(r.customer);
  for (const c of a.feedback?.top_complaints ?? []) refs.add(c.customer);
  const rows = refs.size ? await names([...refs]) : [];
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  const who = (i) => {
    const r = byIndex.get(i);
    return r ? [r.id, r.name].filter(Boolean).join(' ') : `#${i}`;
  };

  const label = (key) => (v) => (v == null ? '—' : labelText(key, String(v)));
  const tablesOf = {
    rfm: (x) => [table(x.segments, [['label'], ['customers', int], ['customer_share', share], ['amount', money], ['amount_share', share],
      ['mean_recency_days', (v) => num(v, 0)], ['mean_frequency', (v) => num(v, 1)], ['mean_monetary', money], ['action']])],
    abc: (x) => [h('p', { className: 'lead' }, getLang() === 'zh'
      ? `前 20% 的客户贡献了 ${pct(x.top20_share)} 的销售额；${pct(x.customers_for_a_share)} 的客户带来 ${num(x.options.amount_a)}% 的销售额。`
      : `The top 20% of customers bring ${pct(x.top20_share)} of sales; ${pct(x.customers_for_a_share)} of customers bring ${num(x.options.amount_a)}% of it.`),
    ...[[x.count_name, x.by_count], [x.amount_name, x.by_amount]].map(([name, rows]) => h('div', {}, h('h4', {}, tx(name)),
      table(rows, [['label'], ['customers', int], ['customer_share', share], ['amount', money], ['amount_share', share]])))],
    value: (x) => [table(x.tiers, [['label'], ['above', (v) => (v == null ? '' : `> ${num(v)}`)], ['customers', int], ['customer_share', share], ['amount', money], ['amount_share', share]]),
      table(x.indicators, [['label'], ['weight', (v) => num(v, 2)], ['low', num], ['high', num]])],
    lifecycle: (x) => [table(x.stages, [['label'], ['customers', int], ['customer_share', share], ['amount', money], ['amount_share', share]]),
      x.churn ? h('p', { className: 'lead' }, getLang() === 'zh'
        ? `${x.churn.start} 至 ${x.churn.end}：期初 ${num(x.churn.customers_at_start)} 位客户，期末仍流失 ${num(x.churn.lost)} 位，流失率 ${pct(x.churn.churn_rate)}，留存率 ${pct(x.churn.retention_rate)}；期内发生流失 ${num(x.churn.lost_in_period)} 位，期内流失率 ${pct(x.churn.period_churn_rate)}。`
        : `${x.churn.start} to ${x.churn.end}: ${num(x.churn.customers_at_start)} customers at the start, ${num(x.churn.lost)} lost at the end, churn ${pct(x.churn.churn_rate)}, retention ${pct(x.churn.retention_rate)}; ${num(x.churn.lost_in_period)} with a loss in the period, period churn ${pct(x.churn.period_churn_rate)}.`) : null,
      x.churn ? h('p', { className: 'definition' }, tx(x.churn.definition)) : null],
    alerts: (x) => [h('p', { className: 'lead' }, `${col('key_customers')} ${num(x.key_customers)} · ${col('alerted')} ${num(x.alerted)} · ${col('amount_at_risk')} ${money(x.amount_at_risk)}`
      + (x.alerted > x.alerts.length ? ` · ${t('top_shown', { n: num(Math.min(x.alerts.length, 50)) })}` : '')),
      table(x.alerts, [['customer', who], ['recency_days', int], ['interval_days', (v) => num(v, 0)], ['overdue', (v) => num(v, 1)],
        ['p_alive', (v) => (v == null ? '—' : pct(v * 100))], ['amount', money], ['amount_at_risk', money], ['abc_class', null, a.abc ? tx(a.abc.class_name) : undefined], ['value_tier', label('value_tier')]])],
    big_customers: (x) => [h('p', { className: 'lead' }, `${col('big_count')} ${num(x.customers)} · ${col('amount')} ${money(x.amount)} (${share(x.amount_share)}) · ${col('slipping')} ${num(x.slipping)}`
      + (x.customers > x.files.length ? ` · ${t('files_shown', { n: num(x.files.length) })}` : '')),
      table(x.grades, [['label'], ['monthly_from', money], ['customers', int], ['amount', money], ['amount_share', share]]),
      table(x.files, [['customer', who], ['grade', label('big_grade')], ['monthly_amount', money], ['amount', money], ['share', share],
        ['amount_before', money], ['growth', pct], ['rank', int], ['rank_change', (v) => (v == null ? '—' : (v > 0 ? `+${num(v)}` : num(v)))],
        ['clv', money], ['industry'], ['region'], ['last_order_date'], ['slips', (v) => (v?.length ? v.map((s) => labelText('slip', s)).join('、') : '—')]], { limit: 200 })],
    churn_model: (x) => [h('p', { className: 'lead' }, `${col('cutoff')} ${x.cutoff} · ${col('sample')} ${num(x.sample)} · ${col('leavers')} ${num(x.leavers)} (${pct(x.base_rate)})`
      + ` · AUC ${x.auc == null ? '—' : num(x.auc, 3)}`
      + (x.top_decile ? ` · ${t('churn_top_decile', { left: num(x.top_decile.left), n: num(x.top_decile.customers), p: pct(x.top_decile.precision), base: pct(x.holdout_base_rate) })}` : '')),
      h('h4', {}, t('churn_weights')),
      table(x.weights, [['label'], ['weight', (v) => num(v, 3)], ['odds_ratio', (v) => num(v, 2)]]),
      h('h4', {}, t('churn_at_risk')),
      table(x.at_risk, [['customer', who], ['probability', (v) => pct(v * 100)], ['band', label('churn_risk')], ['amount', money],
        ['recency_days', int], ['alert', label('alert')]])],
    feedback: (x) => feedbackTables(x, who, label),
    distribution: (x) => [compared(x), ...x.dimensions.map((d) => h('div', {}, h('h4', {}, tx(d.label)),
      table(d.groups, [['value', (v) => tx(v) || v || t('none_value')], ['customers', int], ['customer_share', share], ['amount', money], ['amount_share', share],
        ['amount_per_customer', money], ['amount_change', pct], ['customers_change', pct]], { limit: 30 })))],
    people: (x) => x.dimensions.map((d) => h('div', {}, h('h4', {}, tx(d.label)),
      table(d.groups, [['label'], ['customers', int], ['customer_share', share], ['amount', money], ['amount_share', share],
        ['amount_per_customer', money]], { limit: 30 }))),
    customer_flow: (x) => [table(x.rows, [['period'], ['new', int], ['returning', int], ['lost', int], ['net', int], ['total', int], ['churn_rate', pct]], { limit: 200 })],
    performance: (x) => [compared(x), table(x.years, [['year'], ['customers', int], ['amount', money], ['quantity', num], ['growth', pct]]),
      ...['top_total', 'top_growth', 'top_decline', 'top_rank_up', 'top_rank_down'].map((k) => x[k]?.length ? h('div', {}, h('h4', {}, t(k)),
        table(x[k], [['customer', who], ['amount_before', money], ['amount_after', money], ['change', money], ['growth', pct], ['rank_before', num], ['rank_after', num]])) : null)],
    seasons: (x) => {
      const zh = getLang() === 'zh';
      const months = (ms) => (ms.length ? ms.map((m) => (zh ? `${m}月` : MONTHS_EN[m - 1])).join(zh ? '、' : ', ') : '—');
      const fc = (f) => [h('h4', {}, tx(f.name)),
        h('p', { className: 'lead' }, t('seasons_holdout', { months: f.holdout.months.join(', '), wape: f.holdout.wape == null ? '—' : pct(f.holdout.wape),
          mae: money(f.holdout.mae), inside: num(f.holdout.inside), n: num(f.holdout.months.length), level: num(x.options.level) })),
        table(f.months.map((m, i) => ({ month: m, forecast: f.point[i], low: f.lower[i], high: f.upper[i] })),
          [['month'], ['forecast', money], ['low', money], ['high', money]])];
      return [h('p', { className: 'lead' }, `${x.first_month} – ${x.last_month} · ${col('whole_months')} ${num(x.whole_months)}`
        + (x.partial_month ? ` · ${t('partial_month', { m: x.partial_month })}` : '')
        + ` · ${col('peak_months')} ${months(x.peak_months)} · ${col('off_months')} ${months(x.off_months)}`),
      x.declined ? h('p', { className: 'note' }, tx(x.declined)) : null,
      ...(x.forecast ? fc(x.forecast) : []),
      ...x.groups.flatMap(fc)];
    },
    bcg: (x) => [compared(x), ...['customers', 'products'].map((k) => x[k] ? h('div', {}, h('h4', {}, col(k === 'customers' ? 'customer' : 'a').replace(/ A$/, '')),
      table(x[k].quadrants, [['label'], ['items', int], ['amount_share', share]])) : null)],
    clusters: (x) => [table(x.clusters, [['cluster'], ['customers', int], ['customer_share', share], ['amount_share', share],
      ...x.features.map((f, i) => [(r) => r.means?.[i], (v) => num(v, 1), tx(f)])])],
    pipeline: (x) => [h('p', { className: 'lead' }, `${col('leads')} ${num(x.leads)} · ${col('bought')} ${num(x.bought)} · ${col('conversion')} ${pct(x.conversion)}`),
      ...x.by.map((b) => h('div', {}, h('h4', {}, tx(b.label)), table(b.groups, [['label'], ['leads', int], ['bought', int], ['conversion', pct]])))],
    nps: (x) => [h('p', { className: 'lead' }, x.score == null ? '—'
      : `NPS ${num(x.score, 1)} · ${col('responses')} ${num(x.responses)} · ${col('promoters')} ${num(x.promoters)} · ${col('passives')} ${num(x.passives)} · ${col('detractors')} ${num(x.detractors)}`),
    ...x.breakdowns.map((b) => h('div', {}, h('h4', {}, tx(b.label)), table(b.groups,
      [['value'], ['responses', int], ['promoters', int], ['passives', int], ['detractors', int], ['score', (v) => num(v, 1)]])))],
    csi: (x) => [h('p', { className: 'lead' }, `CSI ${num(x.score, 1)}`), table(x.columns, [['header'], ['mean', (v) => num(v, 1)], ['weight', (v) => num(v, 2)], ['responses', int]]),
      ...x.breakdowns.map((b) => h('div', {}, h('h4', {}, tx(b.label)), table(b.groups, [['value'], ['customers', int], ['score', (v) => num(v, 1)]])))],
    credit: (x) => [table(x.grades, [['grade'], ['customers', int], ['customer_share', share], ['amount', money]]),
      x.disagreements?.length ? h('div', {}, h('h4', {}, t('disagreements')), table(x.disagreements, [['customer', who], ['value_tier', label('value_tier')],
        ['grade'], ['credit_score', (v) => num(v, 1)], ['amount', money], ['receivable', money]])) : null],
    cross_sell: (x) => [h('h4', {}, t('pairs')), table(x.pairs, [['a'], ['b'], ['customers', int], ['support', share], ['confidence_ab', share], ['confidence_ba', share], ['lift', (v) => num(v, 2)]])],
    clv: (x) => [h('p', { className: 'lead' }, `${t('model')}: BG/NBD r=${num(x.bgnbd.r, 4)} α=${num(x.bgnbd.alpha, 3)} a=${num(x.bgnbd.a, 3)} b=${num(x.bgnbd.b, 3)}`
      + (x.gamma_gamma ? ` · Gamma-Gamma p=${num(x.gamma_gamma.p, 3)} q=${num(x.gamma_gamma.q, 3)} v=${num(x.gamma_gamma.v, 3)}` : '')
      + ` · ${col('p_alive')} ${pct((x.mean_p_alive ?? 0) * 100)} · CLV ${money(x.total_clv)}`),
    x.correlation_warning ? h('p', { className: 'note' }, tx(x.correlation_warning)) : null,
    table(x.tiers, [['label'], ['customers', int], ['clv', money]])],
  };

  const later = [];
  const sections = SECTIONS.filter(([key]) => a[key]).map(([key, title, def], i) => {
    const result = a[key];
    const note = s.analyses.find((x) => x.key === key)?.note;
    const section = h('section', { className: 'card analysis', id: `a-${key}` },
      h('h3', {}, L(title)), h('p', { className: 'definition' }, def ? L(def) : tx(result.definition)),
      note ? h('p', { className: 'note' }, tx(note)) : null);
    const build = () => section.append(
      h('div', { className: 'figures' }, chartsIn(result).map((c) => figure(c, pick, extrasFor(key, c, result)))),
      ...(tablesOf[key]?.(result) ?? []).filter(Boolean));
    if (i < EAGER) build();
    else later.push(build);
    return section;
  });

  const nodes = [
    h('section', { className: 'kpis' }, cards.map(([k, v]) => h('div', { className: 'kpi' }, h('span', {}, k), h('strong', {}, v)))),
    h('nav', { className: 'toc' }, SECTIONS.filter(([key]) => a[key]).map(([key, title]) => h('a', { href: `#a-${key}` }, L(title)))),
    sections,
    skipped.length ? h('section', { className: 'card' }, h('h3', {}, t('not_run')), h('ul', {}, skipped.map((x) => {
      const title = SECTIONS.find(([k]) => k === x.key)?.[1];
      // `needs` is left out of the JSON when empty (a skip explained by its note alone).
      const needs = (x.needs ?? []).map((alts) => alts.map(fieldText).join(' / ')).join(getLang() === 'zh' ? '；' : '; ');
      return h('li', {}, title ? L(title) : x.key, ': ', x.note ? tx(x.note) : t('needs', { cols: needs }));
    }))) : null,
  ];
  return { nodes, later };
}
