// Draws the report's chart specs (src/analyze/chart.rs: kind, bilingual title, categories, series,
// units) with Apache ECharts, bundled from npm. Only presentation lives here: every number comes
// from the spec. Tooltips render as canvas rich text, never as HTML, so category names taken from
// the spreadsheet cannot inject markup.
import * as echarts from 'echarts/core';
import { BarChart, PieChart, LineChart, ScatterChart, TreemapChart, FunnelChart, HeatmapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent, MarkLineComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';
import { h, download, whenIdle } from './dom.js';
import { t, tx, num, money, moneyShort } from './i18n.js';

echarts.use([BarChart, PieChart, LineChart, ScatterChart, TreemapChart, FunnelChart, HeatmapChart, GridComponent, TooltipComponent,
  LegendComponent, TitleComponent, MarkLineComponent, VisualMapComponent, CanvasRenderer, SVGRenderer]);

const live = new Set();

/** The filter key a click on a chart's categories sets, by chart id (see src/report/filter.rs). */
export function clickKey(id) {
  const fixed = { rfm_segments: 'rfm_segment', rfm_amount: 'rfm_segment', abc_classes: 'abc_class', bcg_customers: 'bcg',
    clusters: 'cluster', credit_grades: 'credit_grade', lifecycle_stages: 'lifecycle', nps: 'nps_group',
    value_pyramid: 'value_tier', clv_tiers: 'clv_tier', big_grades: 'big_grade', churn_bands: 'churn_risk' };
  if (fixed[id]) return fixed[id];
  const m = /^(?:distribution|people)_(.+)_(customers|amount)$/.exec(id) ?? /^feedback_by_(.+)$/.exec(id);
  return m ? m[1] : null;
}

function fmt(unit, short = false) {
  if (unit === 'amount') return short ? moneyShort : money;
  if (unit === 'percent') return (x) => `${num(x, 1)}%`;
  return (x) => num(x);
}

/** ECharts options for one spec. */
export function option(spec, { animation = true, split } = {}) {
  const cats = spec.categories.map(tx);
  const base = {
    animation,
    title: { text: tx(spec.title), left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { renderMode: 'richText', trigger: spec.kind === 'scatter' || spec.kind === 'pie' || spec.kind === 'treemap' || spec.kind === 'funnel' || spec.kind === 'pyramid' ? 'item' : 'axis' },
    legend: spec.series.length > 1 ? { bottom: 0, type: 'scroll' } : undefined,
  };
  const first = spec.series[0] ?? { data: [], unit: 'customers', name: { zh: '', en: '' } };
  const pairs = () => first.data.map((v, i) => ({ name: cats[i] ?? '', value: v }));
  switch (spec.kind) {
    case 'pie':
      return { ...base, series: [{ type: 'pie', radius: ['35%', '65%'], top: 30, data: pairs(), label: { formatter: '{b}: {d}%' } }] };
    case 'treemap':
      return { ...base, series: [{ type: 'treemap', top: 30, roam: false, nodeClick: false, breadcrumb: { show: false }, data: pairs(),
        label: { formatter: (p) => `${p.name}\n${fmt(first.unit)(p.value)}` } }] };
    case 'funnel':
    case 'pyramid':
      return { ...base, series: [{ type: 'funnel', top: 35, bottom: 10, sort: spec.kind === 'pyramid' ? 'ascending' : 'descending',
        data: pairs(), label: { formatter: (p) => `${p.name}: ${fmt(first.unit)(p.value)}` } }] };
    case 'heatmap': {
      // Series are rows (years), categories columns (months); a blank is a month outside the data.
      const rows = spec.series.map((s) => tx(s.name));
      const data = spec.series.flatMap((s, y) => s.data.map((v, x) => [x, y, v])).filter((d) => d[2] != null);
      const values = data.map((d) => d[2]);
      const f = fmt(first.unit, true);
      return { ...base, legend: undefined,
        tooltip: { renderMode: 'richText', trigger: 'item', formatter: (p) => `${rows[p.value[1]]} ${cats[p.value[0]]}: ${fmt(first.unit)(p.value[2])}` },
        grid: { left: 60, right: 20, top: 40, bottom: 60 },
        xAxis: { type: 'category', data: cats, splitArea: { show: true } },
        yAxis: { type: 'category', data: rows, splitArea: { show: true } },
        visualMap: { min: Math.min(0, ...values), max: Math.max(1, ...values), orient: 'horizontal', left: 'center', bottom: 0,
          itemHeight: 120, formatter: (v) => f(v), inRange: { color: ['#f0f4ff', '#3b6fd8', '#0b2a6b'] } },
        series: [{ type: 'heatmap', data, label: { show: rows.length <= 6, fontSize: 10, formatter: (p) => f(p.value[2]) } }] };
    }
    case 'scatter':
      return { ...base,
        legend: spec.series.length > 1 ? { top: 26, type: 'scroll' } : undefined,
        grid: { left: 60, right: 30, top: spec.series.length > 1 ? 80 : 45, bottom: 45 },
        xAxis: { type: 'value', name: tx(spec.x_title), nameLocation: 'middle', nameGap: 28, scale: true },
        yAxis: { type: 'value', name: tx(spec.y_title), scale: true },
        series: spec.series.map((s, i) => ({ type: 'scatter', name: tx(s.name), symbolSize: 6,
          data: s.data.map((y, j) => [s.x?.[j] ?? j, y]),
          // The quadrant split lines, on the first series only.
          markLine: split && i === 0 ? { silent: true, symbol: 'none', lineStyle: { type: 'dashed', color: '#98a2b3' }, label: { show: false },
            data: [{ xAxis: split.x }, { yAxis: split.y }] } : undefined })) };
    default: {
      const numericX = !cats.length && first.x;
      const line = spec.kind === 'line';
      return { ...base,
        grid: { left: 70, right: 20, top: 40, bottom: spec.series.length > 1 ? 60 : 50, containLabel: false },
        xAxis: numericX
          ? { type: 'value', name: tx(spec.x_title), nameLocation: 'middle', nameGap: 25 }
          : { type: 'category', data: cats, name: tx(spec.x_title), axisLabel: { interval: 0, rotate: cats.length > 6 ? 30 : 0, hideOverlap: true } },
        yAxis: { type: 'value', name: tx(spec.y_title), axisLabel: { formatter: fmt(first.unit, true) } },
        series: spec.series.map((s) => ({
          type: line ? 'line' : 'bar', name: tx(s.name), stack: spec.kind === 'stacked_bar' ? 'all' : undefined,
          showSymbol: line && s.data.length < 40,
          data: numericX ? s.data.map((y, i) => [s.x[i], y]) : s.data,
        })) };
    }
  }
}

/** Charts waiting to be drawn until their box comes near the screen, by box. */
const pending = new Map();
// Drawing every chart of a large dashboard at once holds the main thread for a second; a chart is
// drawn when it comes on screen, and one near the view (so scrolling finds it drawn) once the
// page is idle after that (and all of them before printing).
const observer = new IntersectionObserver((entries) => {
  for (const e of entries) if (e.isIntersecting) pending.get(e.target)?.();
});
const near = new IntersectionObserver((entries) => {
  for (const e of entries) if (e.isIntersecting) whenIdle(() => pending.get(e.target)?.(), 500);
}, { rootMargin: '400px 0px' });

/** A figure: the chart, its PNG/SVG download buttons; `onPick(key)` when a category is clicked. */
export function figure(spec, onPick, extras = {}) {
  const box = h('div', { className: 'chart', role: 'img', 'aria-label': tx(spec.title) });
  const key = clickKey(spec.id);
  let chart = null;
  const draw = () => {
    if (chart) return chart;
    pending.delete(box);
    observer.unobserve(box);
    near.unobserve(box);
    chart = echarts.init(box, null, { renderer: 'canvas' });
    chart.setOption(option(spec, extras));
    live.add(chart);
    box.dataset.drawn = '';
    if (key && spec.keys?.length && onPick) {
      chart.on('click', (p) => {
        const k = spec.keys[p.dataIndex];
        if (k !== undefined) onPick(key, k, p.name);
      });
    }
    return chart;
  };
  pending.set(box, draw);
  observer.observe(box);
  near.observe(box);
  return h('figure', { className: 'figure' }, box,
    h('figcaption', {},
      h('button', { type: 'button', className: 'small', onclick: () => savePng(spec, draw()) }, t('download_png')),
      h('button', { type: 'button', className: 'small', onclick: () => saveSvg(spec, box, extras) }, t('download_svg')),
      key && spec.keys?.length ? h('span', { className: 'hint' }, t('click_to_filter')) : null));
}

function savePng(spec, chart) {
  const url = chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  const bytes = Uint8Array.from(atob(url.split(',')[1]), (c) => c.charCodeAt(0));
  download(`${spec.id}.png`, bytes, 'image/png');
}

function saveSvg(spec, box, extras) {
  const width = box.clientWidth || 640;
  const height = box.clientHeight || 360;
  const ssr = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  ssr.setOption(option(spec, { ...extras, animation: false }));
  const svg = ssr.renderToSVGString();
  ssr.dispose();
  download(`${spec.id}.svg`, svg, 'image/svg+xml');
}

let warmed = false;

/** Draws a chart of each kind the first screen shows, once and off screen, before the first file
 * (the page calls it once the workers are warm): the engine compiles ECharts' drawing code then,
 * rather than when the dashboard's first charts are drawn. Stops once `stop()` says so. */
export function warmUp(stop = () => false) {
  if (warmed) return;
  warmed = true;
  const kinds = ['bar', 'stacked_bar', 'treemap', 'pie'];
  const step = () => {
    const kind = stop() ? undefined : kinds.shift();
    if (!kind) {
      // Said on the page, for the app benchmark to choose its file after the warm-up.
      document.documentElement.dataset.warmed = '';
      return;
    }
    const box = h('div', { className: 'chart warmup', 'aria-hidden': 'true' });
    document.body.append(box);
    const chart = echarts.init(box, null, { renderer: 'canvas' });
    const series = (n) => ({ name: { zh: n, en: n }, unit: 'amount', data: [3, 1, 2] });
    chart.setOption(option({ kind, title: { zh: '', en: '' }, categories: ['a', 'b', 'c'],
      series: kind === 'stacked_bar' ? [series('x'), series('y')] : [series('x')] }, { animation: false }));
    chart.dispose();
    box.remove();
    whenIdle(step, 500);
  };
  whenIdle(step, 500);
}

/** Disposes every chart (before a new report is drawn). */
export function disposeAll() {
  observer.disconnect();
  near.disconnect();
  pending.clear();
  for (const c of live) c.dispose();
  live.clear();
}

addEventListener('resize', () => { for (const c of live) c.resize(); });

/** Draws the chart in `box` now, if it is still to be drawn. */
export function drawNow(box) {
  pending.get(box)?.();
}

/** Disposes the chart in `box`, or forgets it if it was still to be drawn. */
export function dispose(box) {
  pending.delete(box);
  observer.unobserve(box);
  near.unobserve(box);
  const chart = echarts.getInstanceByDom(box);
  if (!chart) return;
  live.delete(chart);
  chart.dispose();
}

/** Draws every chart not drawn yet (before printing). */
export function drawAll() {
  for (const draw of [...pending.values()]) draw();
  for (const c of live) c.resize();
}

/** Every chart spec anywhere inside an analysis result. */
export function chartsIn(result) {
  const out = [];
  const walk = (x) => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      for (const [k, v] of Object.entries(x)) {
        if (k === 'charts' && Array.isArray(v)) out.push(...v);
        else walk(v);
      }
    }
  };
  walk(result);
  return out;
}
