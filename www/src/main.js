// The page: moves a dropped file's bytes to the worker, shows progress, and draws what the report
// says — review, dashboard, customer table — and offers the exports. No analysis happens here, and
// spreadsheet text is only ever set with textContent.
import { h, $, fill, download } from './dom.js';
import { t, tx, col, num, getLang, setLang, onLang } from './i18n.js';
import { call, cancel, whenCrashed, writerBytes } from './client.js';
import { renderReview, savedMapping, saveMapping } from './review.js';
import { renderDashboard, rehearse } from './dashboard.js';
import { warmUp } from './charts.js';
import { CustomerTable } from './table.js';

const state = { overview: null, options: {}, vocabulary: null, fileName: '', restored: false, busy: false, tab: 'dashboard' };
let table = null;
// The customer table is filled after the dashboard is shown (its filter index is built on the
// worker's first query); whatever needs the table waits for this.
let tableReady = Promise.resolve();

function message(e) {
  if (e?.code === 'cancelled') return t('cancelled');
  if (e?.code === 'crashed') return t('crashed');
  if (e?.message_zh) return getLang() === 'zh' ? e.message_zh : e.message_en;
  return `${t('error')}: ${String(e)}`;
}

function setStatus(text, kind = '') {
  const s = $('status');
  s.textContent = text;
  s.className = kind;
}

function labelText(key, value) {
  const list = state.vocabulary?.labels?.[key];
  const hit = list?.find((x) => x.key === value);
  if (key === 'cluster') return `${col('cluster')} ${value}`;
  return hit ? tx(hit) : value;
}

function fieldText(key) {
  const f = state.vocabulary?.fields.find((x) => x.key === key);
  return f ? (getLang() === 'zh' ? f.zh : f.en) : key;
}

// Progress: a bar per phase, the rows done, and a cancel button that ends the worker.
function progress(p) {
  const phases = ['reading', 'mapping', 'analysing'];
  const i = phases.indexOf(p.phase);
  const within = p.fraction ?? (p.phase === 'reading' ? 0.5 : 0);
  const bar = $('bar');
  bar.value = Math.max(bar.value, ((i + (p.phase === 'reading' ? within : 0)) / phases.length) * 100 + (p.phase === 'reading' ? 0 : 5));
  $('phase').textContent = `${t(p.phase)}${p.sheet ? ` · ${p.sheet}` : ''}${p.rows ? ` · ${t('rows_done', { n: num(p.rows) })}` : ''}`;
}

function busy(on) {
  state.busy = on;
  $('progress').hidden = !on;
  if (on) { $('bar').value = 0; $('phase').textContent = t('working'); }
  document.body.classList.toggle('busy', on);
}

async function openBytes(name, buffer) {
  fileCame = true;
  state.fileName = name;
  state.options = {};
  state.restored = false;
  setStatus('');
  busy(true);
  const started = performance.now();
  try {
    state.vocabulary ??= await call('vocabulary');
    const opened = call('open', { bytes: buffer, options: {} }, { transfer: [buffer], onProgress: progress });
    await opened;
    let overview = await call('analyze', { options: {} }, { onProgress: progress });
    const saved = savedMapping(overview);
    if (saved) {
      try {
        overview = await call('analyze', { options: { mapping: saved } }, { onProgress: progress });
        state.options = { mapping: saved };
        state.restored = true;
      } catch { /* headers changed meaning: keep the automatic mapping */ }
    }
    await show(overview);
    setStatus(t('done_in', { file: name, n: num(overview.summary.customers), s: num((performance.now() - started) / 1000, 1) }), 'ok');
  } catch (e) {
    setStatus(message(e), 'error');
    $('results').hidden = true;
    $('entry').hidden = false;
  } finally {
    busy(false);
  }
}

async function reanalyze(options) {
  busy(true);
  try {
    const overview = await call('analyze', { options }, { onProgress: progress });
    state.options = options;
    state.restored = false;
    saveMapping(overview, options.mapping);
    await show(overview);
    setStatus(t('done_in', { file: state.fileName, n: num(overview.summary.customers), s: '—' }), 'ok');
  } catch (e) {
    setStatus(message(e), 'error');
  } finally {
    busy(false);
  }
}

async function show(overview) {
  state.overview = overview;
  $('entry').hidden = true;
  $('results').hidden = false;
  $('file-name').textContent = state.fileName;
  renderReview($('review'), state, reanalyze);
  table ??= new CustomerTable($('customers'), { labelText, dimText: fieldTextOrHeader });
  table.clear();
  await renderDashboard($('dashboard'), overview, {
    names: (indexes) => call('customers', { indexes }),
    pick: async (key, value, text) => {
      selectTab('customers');
      await tableReady;
      // A click on an older report's chart does not filter a newer report's table.
      if (state.overview === overview) await table.pick(key, value, text);
    },
    labelText,
    fieldText,
  });
  tableReady = table.reset(overview).catch((e) => setStatus(message(e), 'error'));
  // Without a customer column there is nothing to show per customer: the mapping says why.
  selectTab(overview.summary.no_customer_column ? 'review' : state.tab);
}

function fieldTextOrHeader(key) {
  return state.vocabulary?.fields.some((x) => x.key === key) ? fieldText(key) : key;
}

function selectTab(tab) {
  state.tab = tab;
  for (const name of ['review', 'dashboard', 'customers']) {
    $(name).hidden = name !== tab;
    $(`tab-${name}`).setAttribute('aria-selected', String(name === tab));
  }
  if (tab === 'dashboard') dispatchEvent(new Event('resize'));
  if (tab === 'customers') tableReady.then(() => table?.paint());
}

async function exportXlsx() {
  try {
    const bytes = await call('export_xlsx', { lang: getLang(), writer: await writerBytes() });
    download(`kexi-${base()}.xlsx`, bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  } catch (e) { setStatus(message(e), 'error'); }
}

async function exportCsv() {
  try {
    const csv = await call('export_csv', { lang: getLang(), writer: await writerBytes() });
    download(`kexi-${base()}.csv`, csv, 'text/csv;charset=utf-8');
  } catch (e) { setStatus(message(e), 'error'); }
}

const base = () => state.fileName.replace(/\.[^.]+$/, '') || 'report';

async function template(kind) {
  try {
    const bytes = await call('template', { kind, writer: await writerBytes() });
    const names = { register: '客户登记表模板.xlsx', personal: '个人客户登记表模板.xlsx', orders: '订单明细模板.xlsx' };
    download(names[kind], bytes, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  } catch (e) { setStatus(message(e), 'error'); }
}

async function trySample() {
  fileCame = true;
  try {
    busy(true);
    const bytes = await call('sample', { rows: 20000 });
    await openBytes('kexi-sample.xlsx', bytes.buffer);
  } catch (e) {
    setStatus(message(e), 'error');
    busy(false);
  }
}

function texts() {
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
}

function init() {
  texts();
  const drop = $('drop');
  const picker = $('file');
  picker.addEventListener('change', () => {
    const f = picker.files?.[0];
    if (f) f.arrayBuffer().then((b) => openBytes(f.name, b));
    picker.value = '';
  });
  // The whole window is a drop zone.
  addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  addEventListener('dragleave', (e) => { if (!e.relatedTarget) drop.classList.remove('over'); });
  addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files?.[0];
    if (f && !state.busy) f.arrayBuffer().then((b) => openBytes(f.name, b));
  });
  drop.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') picker.click(); });
  $('sample').addEventListener('click', trySample);
  $('tpl-register').addEventListener('click', () => template('register'));
  $('tpl-personal').addEventListener('click', () => template('personal'));
  $('tpl-orders').addEventListener('click', () => template('orders'));
  $('cancel').addEventListener('click', () => { cancel(); busy(false); setStatus(t('cancelled')); $('results').hidden = true; $('entry').hidden = false; warm(); });
  $('new-file').addEventListener('click', () => { $('results').hidden = true; $('entry').hidden = false; setStatus(''); });
  $('export-xlsx').addEventListener('click', exportXlsx);
  $('export-csv').addEventListener('click', exportCsv);
  $('print').addEventListener('click', () => { selectTab('dashboard'); setTimeout(() => print(), 100); });
  for (const name of ['review', 'dashboard', 'customers']) $(`tab-${name}`).addEventListener('click', () => selectTab(name));
  $('lang').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  onLang(async () => {
    texts();
    if (state.overview) await show(state.overview);
  });
  whenCrashed(() => {
    setStatus(t('crashed'), 'error');
    busy(false);
    state.overview = null;
    $('results').hidden = true;
    $('entry').hidden = false;
  });
  setLang(getLang());
  // Start the worker (compile and warm the wasm) while the user is still choosing a file.
  setTimeout(warm, 0);
}

/** Whether a file has come since the page opened: the warm-up's steps after the first are
 * skipped or cut short then, so that they never run beside a file's read. */
let fileCame = false;
/** The small sample's dashboard is rehearsed once a page. */
let rehearsed = false;

/** Starts the worker ahead of the first file and has it run a small sample (so the engine
 * optimises the wasm's hot code before the user's file), which also fetches the vocabulary the
 * review needs; then, until a file comes, a larger sample on the workers while the page lays out
 * the small one's dashboard off screen (once), and after both one chart of each first-screen kind
 * off screen. A file chosen meanwhile waits only for the worker's step under way: drawn during the
 * read, the charts would take the main thread's share of the two cores from the two workers. The
 * larger sample: V8 optimises a wasm function only after it has run a while, and the optimised
 * code serves only its later calls (its effect and the warm-up's length: docs/performance.md). */
function warm() {
  const stop = () => fileCame;
  call('warm', { rows: 3000, overview: true })
    .then(({ vocabulary, overview }) => {
      state.vocabulary ??= vocabulary;
      if (fileCame) return undefined;
      const steps = [call('warm', { rows: 20000 })];
      if (!rehearsed) {
        rehearsed = true;
        steps.push(rehearse(overview, { names: async () => [], pick: () => {}, labelText, fieldText }, stop)
          .catch((e) => console.error(e)));
      }
      return Promise.allSettled(steps);
    })
    .catch(() => {})
    .finally(() => warmUp(stop));
}

init();
