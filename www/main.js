// The page: moves a dropped file's bytes to the worker and draws what the report says. No
// analysis happens here, and spreadsheet text is only ever set with textContent.
let worker = null;
let nextId = 1;
const pending = new Map();

function startWorker() {
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => {
    const { id, ok, report, error } = event.data;
    const done = pending.get(id);
    pending.delete(id);
    if (done) ok ? done.resolve(report) : done.reject(error);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    const error = { code: 'crashed', message_zh: '分析程序意外终止，请换一个文件重试', message_en: 'The analyzer stopped unexpectedly; try another file' };
    for (const done of pending.values()) done.reject(error);
    pending.clear();
    worker.terminate();
    startWorker();
  };
}

function call(message, transfer = []) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message }, transfer);
  });
}

const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function setStatus(text, isError = false) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

async function openFile(file) {
  setStatus(`正在读取 Reading ${file.name} …`);
  $('result').hidden = true;
  const started = performance.now();
  try {
    const bytes = await file.arrayBuffer();
    const report = await call({ type: 'open', bytes, options: {} }, [bytes]);
    render(report);
    setStatus(`${file.name}：${((performance.now() - started) / 1000).toFixed(2)} s`);
  } catch (error) {
    setStatus(`${error.message_zh} / ${error.message_en}`, true);
  }
}

function row(cells, header = false) {
  const tr = el('tr');
  for (const c of cells) tr.append(el(header ? 'th' : 'td', c));
  return tr;
}

function render(report) {
  const sheets = $('sheets');
  sheets.replaceChildren(row(['工作表 Sheet', '类型 Kind', '可见 Visibility', '行 Rows', '列 Cols', '用作 Role'], true));
  for (const s of report.input.sheets) {
    sheets.append(row([s.name, s.kind, s.visibility, s.rows, s.cols, s.role ?? '']));
  }

  const mapping = $('mapping');
  mapping.replaceChildren();
  for (const m of report.mapping) {
    mapping.append(el('h3', `${m.sheet} — 表头第 ${m.header_rows[0]}–${m.header_rows[1]} 行 (header rows)`));
    const table = el('table');
    table.append(row(['列 Col', '表头 Header', '字段 Field', '年份 Year', '状态 Status', '置信度 Confidence'], true));
    for (const c of m.columns) {
      const tr = row([c.letter, c.header, c.field ?? '—', c.year ?? '', c.status, c.confidence.toFixed(2)]);
      if (c.status === 'ambiguous') tr.className = 'ambiguous';
      if (c.status === 'extra') tr.className = 'extra';
      table.append(tr);
    }
    mapping.append(table);
  }

  const q = report.quality;
  const skippedTotal = Object.values(q.rows_skipped).reduce((n, s) => n + s.count, 0);
  $('quality-summary').textContent = `读取 ${q.rows_read} 行，使用 ${q.rows_used} 行，跳过 ${skippedTotal} 行 · read ${q.rows_read} rows, used ${q.rows_used}, skipped ${skippedTotal}`;
  const skipped = $('skipped');
  skipped.replaceChildren();
  for (const s of Object.values(q.rows_skipped)) {
    skipped.append(el('li', `${s.count} × ${s.message_zh} / ${s.message_en}（第 ${s.rows.join(', ')} 行 rows）`));
  }
  const warnings = $('warnings');
  warnings.replaceChildren();
  for (const w of q.warnings.slice(0, 200)) warnings.append(el('li', `${w.message_zh} / ${w.message_en}`));

  const summary = $('summary');
  summary.replaceChildren();
  const s = report.summary;
  const items = [
    ['客户数 Customers', s.customers],
    ['订单行 Order lines', s.order_lines],
    ['金额合计 Total amount', s.total_amount == null ? '—' : s.total_amount.toLocaleString(undefined, { maximumFractionDigits: 2 })],
    ['订单日期 Order dates', s.first_order_date ? `${s.first_order_date} … ${s.last_order_date}` : '—'],
    ['分析基准日 As of', s.as_of ?? '—'],
  ];
  for (const [k, v] of items) summary.append(el('dt', k), el('dd', v));
  $('result').hidden = false;
}

startWorker();
$('file').addEventListener('change', (e) => { const f = e.target.files[0]; if (f) openFile(f); e.target.value = ''; });
window.addEventListener('dragover', (e) => { e.preventDefault(); document.body.classList.add('dragging'); });
window.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
window.addEventListener('drop', (e) => {
  e.preventDefault();
  document.body.classList.remove('dragging');
  const f = e.dataTransfer.files[0];
  if (f) openFile(f);
});
