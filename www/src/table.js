// The customer table: every customer with every label, sorted, searched and filtered by the core
// (Session.view) and drawn a screenful at a time, so 100,000 customers scroll smoothly. Rows are
// fetched from the worker in pages; only visible rows exist in the DOM.
import { h, fill, download } from './dom.js';
import { t, tx, col, num, pct, money, getLang } from './i18n.js';
import { call } from './client.js';

const ROW = 30;
const PAGE = 200;

const LABEL_KEYS = ['rfm_segment', 'abc_class', 'value_tier', 'lifecycle', 'alert', 'big_grade', 'churn_risk', 'has_complaint', 'clv_tier', 'credit_grade', 'bcg', 'nps_group', 'cluster',
  'age_band', 'income_band'];

/** Columns: key, format, kind ('label' for vocabulary labels, 'dim' for dimensions). */
function columnsFor(overview, dims) {
  const ran = new Set(overview.summary.analyses.filter((x) => x.ran).map((x) => x.key));
  const c = [['id'], ['name']];
  if (ran.has('rfm')) c.push(['rfm_segment', null, 'label'], ['r_score'], ['f_score'], ['m_score']);
  if (ran.has('abc')) c.push(['abc_class', null, 'label']);
  if (ran.has('value')) c.push(['value_tier', null, 'label'], ['value_score', (v) => num(v, 1)]);
  if (ran.has('lifecycle')) c.push(['lifecycle', null, 'label']);
  if (ran.has('alerts')) c.push(['alert', null, 'label']);
  if (ran.has('big_customers')) c.push(['big_grade', null, 'label']);
  if (ran.has('churn_model')) c.push(['churn_risk', null, 'label'], ['churn_probability', (v) => (v == null ? '—' : pct(v * 100))]);
  // The feedback kinds the input has (a kind it lacks is null in the tallies).
  const fb = overview.analyses.feedback?.overall;
  if (fb?.complaints != null) c.push(['has_complaint', null, 'label'], ['complaints', num]);
  if (fb?.praise != null) c.push(['praise', num]);
  if (fb?.suggestions != null) c.push(['suggestions', num]);
  c.push(['amount', money], ['orders', num], ['last_order_date'], ['recency_days', num]);
  if (ran.has('clv')) c.push(['p_alive', (v) => (v == null ? '—' : pct(v * 100))], ['clv', money], ['clv_tier', null, 'label']);
  if (ran.has('credit')) c.push(['credit_grade', null, 'label']);
  if (ran.has('bcg')) c.push(['bcg', null, 'label']);
  if (ran.has('clusters')) c.push(['cluster']);
  if (ran.has('nps')) c.push(['nps_group', null, 'label']);
  for (const by of ['age_band', 'income_band'])
    if (overview.analyses.people?.dimensions.some((d) => d.by === by)) c.push([by, null, 'label']);
  for (const d of dims) c.push([d, null, 'dim']);
  return c;
}

export class CustomerTable {
  constructor(root, { labelText, dimText }) {
    this.root = root;
    this.labelText = labelText;
    this.dimText = dimText;
    this.query = {};
    this.sort = null;
    this.descending = false;
    this.pages = new Map();
    this.count = 0;
    this.total = 0;
    this.generation = 0;
    this.ready = false;
  }

  /**
   * Drops the last report's table when a new report is shown: nothing of it can be clicked until
   * `reset` draws the new one, and answers still on their way for it are ignored.
   */
  clear() {
    this.generation += 1;
    this.ready = false;
    this.pages.clear();
    fill(this.root, h('p', { className: 'hint' }, t('working')));
  }

  /** Starts over for a new report. */
  async reset(overview) {
    const gen = ++this.generation;
    this.overview = overview;
    this.query = {};
    this.sort = null;
    this.total = overview.customer_count;
    this.years = overview.analyses.performance?.years?.map((y) => y.year) ?? [];
    const facets = await call('facets', { limit: 60 });
    if (gen !== this.generation) return; // a newer report is being shown
    this.facets = facets;
    const dims = Object.keys(this.facets).filter((k) => !LABEL_KEYS.includes(k) && k !== 'abc_count_class');
    this.dims = dims;
    this.columns = columnsFor(overview, dims);
    this.draw();
    this.ready = true;
    await this.refresh();
  }

  /** Adds a filter value (from a chart click) and shows the table. */
  async pick(key, value) {
    if (!this.ready) return;
    this.query = { ...this.query, [key]: [value] };
    this.drawFilters();
    await this.refresh();
  }

  draw() {
    const search = h('input', { type: 'search', placeholder: t('search'), 'aria-label': t('search'), value: this.query.text ?? '' });
    let timer = 0;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const q = { ...this.query };
        if (search.value.trim()) q.text = search.value; else delete q.text;
        this.query = q;
        this.refresh();
      }, 80);
    });
    this.countLine = h('span', { className: 'count', role: 'status' });
    this.filterBox = h('div', { className: 'filters' });
    this.head = h('div', { className: 'thead' });
    this.body = h('div', { className: 'tbody' });
    this.spacer = h('div', { className: 'spacer' });
    this.viewport = h('div', { className: 'viewport', tabindex: 0 }, this.spacer, this.body);
    this.viewport.addEventListener('scroll', () => this.paint());
    this.detail = h('aside', { className: 'detail', hidden: true });
    const exportButton = h('button', { type: 'button', className: 'secondary', onclick: () => this.exportView() }, t('download_csv'));
    fill(this.root,
      h('div', { className: 'table-tools' }, search, this.countLine, exportButton),
      this.filterBox,
      h('div', { className: 'ctable' }, this.head, this.viewport),
      this.detail);
    this.drawFilters();
    this.drawHead();
  }

  /** A column's name; the ABC class is named by the report, with the split it follows. */
  name(k, kind) {
    if (kind === 'dim') return this.dimText(k);
    const abc = this.overview?.analyses.abc;
    return k === 'abc_class' && abc ? tx(abc.class_name) : col(k);
  }

  text(key, kind, v) {
    if (v == null || v === '') return '';
    if (kind === 'label') return this.labelText(key, String(v));
    return String(v);
  }

  drawFilters() {
    const keys = [...LABEL_KEYS, ...this.dims].filter((k) => this.facets[k]?.length > 0 && !(this.facets[k].length === 1 && this.facets[k][0][0] == null));
    const selects = keys.map((k) => {
      const kind = LABEL_KEYS.includes(k) ? 'label' : 'dim';
      const name = this.name(k, kind === 'label' ? kind : 'dim');
      const chosen = this.query[k]?.[0];
      const s = h('select', { 'aria-label': name },
        h('option', { value: '\u0000' }, `${name}: ${t('any')}`),
        this.facets[k].map(([v, n]) => h('option', { value: v ?? '\u0001', selected: chosen === v || (chosen === null && v == null) },
          `${v == null ? t('none_value') : this.text(k, kind, v)} (${num(n)})`)));
      s.addEventListener('change', () => {
        const q = { ...this.query };
        if (s.value === '\u0000') delete q[k];
        else q[k] = [s.value === '\u0001' ? null : s.value];
        this.query = q;
        this.refresh();
      });
      return s;
    });
    const active = Object.keys(this.query).length;
    fill(this.filterBox, selects, active ? h('button', { type: 'button', className: 'small', onclick: () => { this.query = {}; this.draw(); this.refresh(); } }, t('clear_filters')) : null);
  }

  drawHead() {
    fill(this.head, h('div', { className: 'tr' }, this.columns.map(([k, , kind]) => {
      const name = this.name(k, kind);
      const arrow = this.sort === k ? (this.descending ? ' ▼' : ' ▲') : '';
      return h('button', { type: 'button', className: `th c-${kind ?? 'v'}`, onclick: () => {
        if (this.sort === k) this.descending = !this.descending;
        else { this.sort = k; this.descending = !['id', 'name'].includes(k) && kind !== 'label' && kind !== 'dim'; }
        this.drawHead();
        this.refresh();
      } }, name + arrow);
    })));
  }

  async refresh() {
    const gen = ++this.generation;
    let count;
    try {
      count = await call('view', { query: this.query, sort: this.sort, descending: this.descending });
    } catch (e) {
      if (gen === this.generation) this.countLine.textContent = getLang() === 'zh' ? e.message_zh : e.message_en;
      return;
    }
    if (gen !== this.generation) return;
    this.count = count;
    this.pages.clear();
    this.countLine.textContent = t('matching', { n: num(count), total: num(this.total) });
    this.spacer.style.height = `${count * ROW}px`;
    this.viewport.scrollTop = 0;
    this.paint();
  }

  async page(p) {
    if (!this.pages.has(p)) {
      const gen = this.generation;
      this.pages.set(p, call('rows', { start: p * PAGE, end: (p + 1) * PAGE }).then((rows) => (gen === this.generation ? rows : null)));
    }
    return this.pages.get(p);
  }

  async paint() {
    if (!this.ready) return;
    const gen = this.generation;
    const top = this.viewport.scrollTop;
    const first = Math.floor(top / ROW);
    const last = Math.min(this.count, first + Math.ceil((this.viewport.clientHeight || 600) / ROW) + 2);
    const pages = new Set();
    for (let i = first; i < last; i += 1) pages.add(Math.floor(i / PAGE));
    const got = await Promise.all([...pages].map((p) => this.page(p).then((rows) => [p, rows])));
    if (gen !== this.generation) return;
    const byPage = new Map(got);
    const rows = [];
    for (let i = first; i < last; i += 1) {
      const r = byPage.get(Math.floor(i / PAGE))?.[i % PAGE];
      if (r) rows.push(this.rowNode(r, i));
    }
    this.body.style.transform = `translateY(${first * ROW}px)`;
    fill(this.body, rows);
  }

  value(r, k, kind) {
    return kind === 'dim' ? r.dims?.[k] : r[k];
  }

  rowNode(r, i) {
    return h('div', { className: `tr${i % 2 ? ' odd' : ''}`, role: 'row', onclick: () => this.show(r) },
      this.columns.map(([k, f, kind]) => {
        const v = this.value(r, k, kind);
        return h('div', { className: `td c-${kind ?? 'v'}${typeof v === 'number' ? ' num' : ''}`, title: v == null ? '' : String(v) },
          f ? (v == null ? '' : f(v)) : this.text(k, kind, v));
      }));
  }

  show(r) {
    const skip = new Set(['index', 'dims', 'year_amounts', 'year_ranks']);
    const fields = Object.entries(r).filter(([k, v]) => !skip.has(k) && v != null);
    const labels = new Set(LABEL_KEYS.concat('abc_count_class'));
    fill(this.detail,
      h('header', {}, h('h3', {}, [r.id, r.name].filter(Boolean).join(' · ')),
        h('button', { type: 'button', className: 'small', onclick: () => { this.detail.hidden = true; } }, t('close'))),
      h('dl', {},
        fields.map(([k, v]) => [h('dt', {}, this.name(k)), h('dd', {}, labels.has(k) ? this.labelText(k, String(v)) : typeof v === 'number' ? num(v) : String(v))]),
        Object.entries(r.dims ?? {}).map(([k, v]) => [h('dt', {}, this.dimText(k)), h('dd', {}, String(v))]),
        r.year_amounts?.some((x) => x) && this.years?.length === r.year_amounts.length
          ? this.years.map((y, i) => [h('dt', {}, `${col('amount')} ${y}`), h('dd', {}, money(r.year_amounts[i]))]) : null));
    this.detail.hidden = false;
  }

  /** CSV of the whole current view, through the core's injection-safe writer. */
  async exportView() {
    const all = [];
    for (let start = 0; start < this.count; start += 5000) all.push(...await call('rows', { start, end: start + 5000 }));
    const header = this.columns.map(([k, , kind]) => this.name(k, kind));
    const rows = all.map((r) => this.columns.map(([k, , kind]) => {
      const v = this.value(r, k, kind);
      return v == null ? '' : kind === 'label' ? this.text(k, kind, v) : String(v);
    }));
    const csv = await call('table_csv', { header, rows });
    download('kexi-customers.csv', csv, 'text/csv;charset=utf-8');
  }
}

export { tx };
