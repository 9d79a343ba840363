// reports.js: the admin's attendance report: the figures, by attendant and
// by team, opened/closed per day (inline SVG, no library) and the CSV.

import { request } from './api.js';
import { $, h } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';

// seconds reads a duration for people: 95 → "1m 35s"; null → "–".
function seconds(s) {
  if (s == null) return '–';
  const n = Math.round(s);
  if (n < 60) return `${n}s`;
  if (n < 3600) return `${Math.floor(n / 60)}m ${n % 60}s`;
  return `${Math.floor(n / 3600)}h ${Math.floor((n % 3600) / 60)}m`;
}

const rating = (v) => (v == null ? '–' : v.toFixed(1));

// query is the report's range from the page's date inputs (UTC days, the
// end day included).
function query() {
  const from = $('#rep-from').value;
  const to = $('#rep-to').value;
  const q = new URLSearchParams();
  if (from) q.set('from', `${from}T00:00:00Z`);
  if (to) q.set('to', new Date(Date.parse(`${to}T00:00:00Z`) + 86400000).toISOString().replace('.000Z', 'Z'));
  return q.toString();
}

function table(testid, head, rows) {
  return h('table', { class: 'report-table', 'data-testid': testid },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.length ? rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))
      : h('tr', {}, h('td', { colspan: head.length, class: 'muted' }, 'Nothing closed in this range.'))));
}

// chart draws opened and closed per day as paired bars.
function chart(days) {
  const w = 640, ht = 160, pad = 20;
  const max = Math.max(1, ...days.map((d) => Math.max(d.opened, d.closed)));
  const step = (w - pad) / Math.max(1, days.length);
  const bar = Math.max(1, step / 2 - 1);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${ht + pad}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'Attendances opened and closed per day');
  svg.dataset.testid = 'report-chart';
  svg.classList.add('report-chart');
  days.forEach((d, i) => {
    for (const [k, off, color] of [['opened', 0, '#2f6fdd'], ['closed', bar, '#3aa657']]) {
      const v = d[k];
      const r = document.createElementNS(SVG, 'rect');
      const y = ht - (v / max) * (ht - pad);
      r.setAttribute('x', String(pad + i * step + off));
      r.setAttribute('y', String(y));
      r.setAttribute('width', String(bar));
      r.setAttribute('height', String(ht - y));
      r.setAttribute('fill', color);
      const title = document.createElementNS(SVG, 'title');
      title.textContent = `${d.date}: ${v} ${k}`;
      r.append(title);
      svg.append(r);
    }
  });
  const label = document.createElementNS(SVG, 'text');
  label.setAttribute('x', '0');
  label.setAttribute('y', '12');
  label.setAttribute('font-size', '11');
  label.textContent = String(max);
  svg.append(label);
  return svg;
}

export async function loadReport() {
  const out = $('#report-body');
  $('#report-error').textContent = '';
  try {
    const r = await request('GET', `/v1/reports/attendances?${query()}`);
    out.replaceChildren(
      h('dl', { class: 'stats' },
        h('div', {}, h('dt', {}, 'Opened'), h('dd', { 'data-testid': 'rep-opened' }, String(r.opened))),
        h('div', {}, h('dt', {}, 'Closed'), h('dd', { 'data-testid': 'rep-closed' }, String(r.closed))),
        h('div', {}, h('dt', {}, 'First response (median / 90%)'),
          h('dd', { 'data-testid': 'rep-first' }, `${seconds(r.first_response.p50_s)} / ${seconds(r.first_response.p90_s)}`)),
        h('div', {}, h('dt', {}, 'Resolution (median / 90%)'),
          h('dd', { 'data-testid': 'rep-resolution' }, `${seconds(r.resolution.p50_s)} / ${seconds(r.resolution.p90_s)}`)),
        h('div', {}, h('dt', {}, 'Rating (1 to 5)'),
          h('dd', { 'data-testid': 'rep-csat' }, `${rating(r.csat.average)} (${r.csat.count})`))),
      h('h2', {}, 'Per day'),
      chart(r.per_day),
      h('p', { class: 'muted' }, 'Blue: opened. Green: closed.'),
      h('h2', {}, 'By attendant'),
      table('rep-by-attendant', ['Attendant', 'Closed', 'First response (median)', 'Rating'],
        r.by_attendant.map((a) => [a.name, String(a.closed), seconds(a.first_response_p50_s), rating(a.csat_average)])),
      h('h2', {}, 'By team'),
      table('rep-by-team', ['Team', 'Closed', 'First response (median)', 'Rating'],
        r.by_team.map((t) => [t.name, String(t.closed), seconds(t.first_response_p50_s), rating(t.csat_average)])));
  } catch (err) {
    $('#report-error').textContent = `The report could not be loaded: ${err.message}`;
  }
}

// downloadCSV fetches the export with the session's token (a plain link
// would carry none) and saves it.
async function downloadCSV(ev) {
  ev.preventDefault();
  try {
    const blob = await request('GET', `/v1/reports/attendances?${query()}`, undefined, { accept: 'text/csv' });
    const url = URL.createObjectURL(blob);
    const a = h('a', { href: url, download: 'attendances.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (err) {
    $('#report-error').textContent = `The CSV could not be downloaded: ${err.message}`;
  }
}

export function initReports() {
  const today = new Date();
  $('#rep-to').value = today.toISOString().slice(0, 10);
  $('#rep-from').value = new Date(today - 6 * 86400000).toISOString().slice(0, 10);
  $('#report-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadReport();
  });
  $('#report-csv').addEventListener('click', downloadCSV);
}
