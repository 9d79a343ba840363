// dom.js: small helpers to build the page safely (text is always text,
// never parsed as HTML).

export const $ = (selector, root = document) => root.querySelector(selector);

// h builds an element: h('a', {href: '#', class: 'x', dataset: {id}}, 'text', child).
// Attributes named on* add event listeners; null, undefined and false are skipped.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// announce tells screen readers about something that happened elsewhere on
// the page (a new conversation, a closed one).
export function announce(text) {
  const region = $('#announcer');
  if (!region) return;
  region.textContent = '';
  requestAnimationFrame(() => {
    region.textContent = text;
  });
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

// when formats an RFC 3339 time: the hour today, the day and hour before.
export function when(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toDateString() === new Date().toDateString() ? timeFmt.format(d) : dateFmt.format(d);
}

export function timeEl(iso) {
  return h('time', { datetime: iso || '' }, when(iso));
}

export const phone = (p) => (p ? `+${p}` : '');

export function bytes(n) {
  if (!n) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1 << 20) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / (1 << 20)).toFixed(1)} MB`;
}

// setBusy disables a form's controls while a request runs.
export function setBusy(form, busy) {
  for (const el of form.querySelectorAll('button, input, textarea, select')) el.disabled = busy;
  form.setAttribute('aria-busy', busy ? 'true' : 'false');
}
