// Review before results: the sheets (with a picker), the detected header rows, the column mapping
// as a table of dropdowns, and the data-quality report with cell references. Corrections are kept
// in localStorage per set of headers, so the same export next month maps itself.
import { h, fill } from './dom.js';
import { t, tx, col, num, getLang } from './i18n.js';

/** A stable key for a report's headers (all used sheets). */
export function headerKey(overview) {
  const text = overview.mapping.map((m) => m.sheet + '\u0001' + m.columns.map((c) => c.header).join('\u0002')).join('\u0003');
  let a = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) a = Math.imul(a ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return `kexi.mapping.${a.toString(16)}.${text.length}`;
}

export function savedMapping(overview) {
  try {
    const v = JSON.parse(localStorage.getItem(headerKey(overview)) ?? 'null');
    return v && typeof v === 'object' && Object.keys(v).length ? v : null;
  } catch {
    return null;
  }
}

export function saveMapping(overview, mapping) {
  const key = headerKey(overview);
  if (mapping && Object.keys(mapping).length) localStorage.setItem(key, JSON.stringify(mapping));
  else localStorage.removeItem(key);
}

/**
 * Draws the review into `root`. `state` has overview, sheets, vocabulary, options;
 * `apply(options)` re-analyses with new options.
 */
export function renderReview(root, state, apply) {
  const { overview, vocabulary, options } = state;
  const fieldName = (key) => {
    const f = vocabulary.fields.find((x) => x.key === key);
    return f ? (getLang() === 'zh' ? f.zh : f.en) : key;
  };

  // Sheets, with the picker.
  const picker = h('select', { id: 'sheet-picker', 'aria-label': t('sheet') },
    h('option', { value: '' }, t('sheet_auto')),
    overview.input.sheets.filter((s) => s.kind === 'worksheet').map((s) =>
      h('option', { value: s.name, selected: options.sheet === s.name }, s.name)));
  picker.addEventListener('change', () => apply({ ...options, sheet: picker.value || undefined }));
  const sheets = h('table', { className: 'grid' },
    h('thead', {}, h('tr', {}, [t('sheet'), t('rows'), t('cols'), t('role')].map((x) => h('th', {}, x)))),
    h('tbody', {}, overview.input.sheets.map((s) => h('tr', {},
      h('td', {}, s.name, s.visibility !== 'visible' ? h('span', { className: 'tag' }, t('hidden')) : null,
        s.kind !== 'worksheet' ? h('span', { className: 'tag' }, t('chart_sheet')) : null),
      h('td', { className: 'num' }, num(s.rows)), h('td', { className: 'num' }, num(s.cols)),
      h('td', {}, s.role ? t(`role_${s.role}`) : '')))));

  // Mapping: one dropdown per column; a change is an override by header text.
  const overrides = { ...(options.mapping ?? {}) };
  const mappings = overview.mapping.map((m) => {
    const rows = m.columns.map((c) => {
      const current = overrides[c.header] ?? (c.status === 'ignored' ? 'ignore' : c.field ?? '');
      const select = h('select', { 'aria-label': `${m.sheet} ${c.letter} ${c.header}` },
        h('option', { value: '' }, t('field_none')),
        h('option', { value: 'ignore' }, t('field_ignore')),
        c.alternatives.length ? h('optgroup', { label: t('status_ambiguous') },
          c.alternatives.map((k) => h('option', { value: k }, fieldName(k)))) : null,
        h('optgroup', { label: t('field') }, vocabulary.fields.map((f) => h('option', { value: f.key }, fieldName(f.key)))));
      select.value = current;
      select.addEventListener('change', () => {
        if (select.value === (c.status === 'ignored' ? 'ignore' : c.field ?? '') && !(c.header in (options.mapping ?? {})))
          delete overrides[c.header];
        else overrides[c.header] = select.value === '' ? 'ignore' : select.value;
        applyButton.disabled = false;
      });
      return h('tr', { className: `status-${c.status}` },
        h('td', {}, c.letter), h('td', {}, c.header), h('td', {}, select, c.year ? h('span', { className: 'tag' }, String(c.year)) : null),
        h('td', { className: 'num' }, c.confidence ? num(c.confidence * 100, 0) + '%' : ''),
        h('td', {}, t(`status_${c.status}`)));
    });
    return h('div', { className: 'mapping' },
      h('h4', {}, m.sheet, ' · ', t(`role_${m.role}`), ' · ', t('header_rows', { a: m.header_rows[0], b: m.header_rows[1] })),
      combined(m, options, apply),
      h('table', { className: 'grid' },
        h('thead', {}, h('tr', {}, [t('column'), t('header'), t('field'), t('confidence'), t('status')].map((x) => h('th', {}, x)))),
        h('tbody', {}, rows)),
      (m.derived ?? []).map((d) => h('p', { className: 'note derived' }, t('derived'), ': ', getLang() === 'zh' ? d.label_zh : d.label_en)),
      (m.reread ?? []).map((x) => h('p', { className: 'note reread' }, t('reread'), ': ', x.header, ' → ',
        x.field ? fieldName(x.field) : t('field_none'), ' (', getLang() === 'zh' ? x.because_zh : x.because_en, ')')));
  });
  const missing = overview.summary.no_customer_column;
  const applyButton = h('button', { type: 'button', disabled: true, onclick: () => apply({ ...options, mapping: { ...overrides } }) }, t('apply'));
  const resetButton = h('button', { type: 'button', className: 'secondary', disabled: !Object.keys(options.mapping ?? {}).length,
    onclick: () => apply({ ...options, mapping: {} }) }, t('reset_mapping'));

  fill(root,
    h('section', { className: 'card' }, h('h3', {}, t('sheets')), h('label', {}, t('sheet'), ': ', picker), sheets),
    h('section', { className: missing ? 'card needs-customer' : 'card' }, h('h3', {}, t('field')),
      missing ? h('p', { className: 'warning', id: 'no-customer' }, getLang() === 'zh' ? missing.message_zh : missing.message_en) : null,
      state.restored ? h('p', { className: 'note' }, t('saved_mapping')) : null,
      mappings, h('p', { className: 'actions' }, applyButton, ' ', resetButton)),
    quality(overview));
}

/** The sheets read together as one list, each with a box to leave it out (or take it back). */
function combined(m, options, apply) {
  const left = options.leave_out ?? [];
  if (!m.combined?.length && !left.length) return null;
  const box = (name, on) => {
    const input = h('input', { type: 'checkbox', checked: on, 'aria-label': name });
    input.addEventListener('change', () => apply({
      ...options,
      leave_out: input.checked ? left.filter((x) => x !== name) : [...left, name],
    }));
    return h('label', { className: 'sheet-box' }, input, ' ', name);
  };
  return h('p', { className: 'note combined' }, t('read_together'), ': ',
    (m.combined ?? []).map((name) => box(name, true)), left.map((name) => box(name, false)));
}

function quality(overview) {
  const q = overview.quality;
  const skipped = Object.values(q.rows_skipped ?? {}).reduce((a, s) => a + s.count, 0);
  const lang = getLang();
  const msg = (x) => (lang === 'zh' ? x.message_zh : x.message_en);
  return h('section', { className: 'card', id: 'quality' },
    h('h3', {}, t('quality')),
    h('p', {}, t('quality_line', { read: num(q.rows_read), used: num(q.rows_used), skipped: num(skipped) })),
    skipped ? h('ul', {}, Object.entries(q.rows_skipped).map(([, s]) =>
      h('li', {}, `${msg(s)} — ${num(s.count)}`, s.amount != null ? ` · ${t('amount_left_out', { a: num(s.amount, 2) })}` : '',
        s.rows?.length ? h('span', { className: 'muted' }, ` (${s.rows.slice(0, 10).join(', ')}${s.rows.length > 10 ? '…' : ''})`) : null))) : null,
    q.returns ? h('p', { id: 'returns' }, t('returns_line', { n: num(q.returns.lines), a: num(q.returns.amount, 2) })) : null,
    q.join ? h('p', {}, `${t('join')}: ${col(q.join.key === 'customer_id' ? 'id' : 'name')} · ${num(q.join.order_lines_matched)} / ${num(q.join.order_lines_matched + q.join.order_lines_unmatched)}`) : null,
    q.warnings.length ? h('details', { open: q.warnings.length <= 20 },
      h('summary', {}, `${t('warnings')} (${num(q.warnings.length + q.warnings_omitted)})`),
      h('table', { className: 'grid' }, h('tbody', {}, q.warnings.map((w) =>
        h('tr', {}, h('td', { className: 'mono' }, w.cell), h('td', {}, w.value ?? ''), h('td', {}, msg(w)))))),
      q.warnings_omitted ? h('p', { className: 'muted' }, t('warnings_more', { n: num(q.warnings_omitted) })) : null) : null);
}

export { tx };
