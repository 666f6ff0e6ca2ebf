// DOM helpers. Text is only ever set with textContent: spreadsheet text never becomes HTML.

/** Creates an element: h('td', {className: 'num', onclick}, 'text', child …). */
export function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'className' || k === 'value' || k === 'checked' || k === 'disabled' || k === 'hidden' || k === 'selected')
      node[k] = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const $ = (id) => document.getElementById(id);

/** Runs `f` when the page is next idle, or after `timeout` ms at the latest. */
export function whenIdle(f, timeout) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(f, { timeout });
  else setTimeout(f, Math.min(timeout, 50));
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** Replaces a node's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** Offers bytes or text as a file download (a blob URL; nothing leaves the device). */
export function download(name, data, type) {
  const blob = data instanceof Blob ? data : new Blob([data], { type });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
