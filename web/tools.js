// tools.js: the attendant's tools around a conversation (issue 16): the
// inbox's filter bar, transfer, private notes, labels, reopen, the client
// panel, saved replies typed as /shortcut, day separators, presence and
// notifications. inbox.js calls in; this file never draws the messages.

import { api, session } from './api.js';
import { $, h, announce, phone } from './dom.js';
import { t, lang } from './i18n.js';

const tools = {
  filter: { assigned: '', team_id: '', label: '', q: '' },
  reload: () => {}, // reloads the list (set by initTools)
  current: null, // the attendance on screen
  onChange: () => {}, // redraws the conversation's head after a change
  attendants: [],
  teams: [],
  canned: null, // saved replies filled for the conversation on screen
  cannedFor: '',
  pick: 0, // the highlighted suggestion
  notifyOK: false,
};

function describe(err) {
  const fields = Object.entries(err.fields || {}).map(([k, v]) => `${k} ${v}`);
  return fields.length ? `${err.message}: ${fields.join(', ')}` : err.message;
}

// ---- the filter bar ----

// filterQuery is the list's query for the filter bar ('' when none).
export function filterQuery() {
  return Object.entries(tools.filter).filter(([, v]) => v).map(([k, v]) => `&${k}=${encodeURIComponent(v)}`).join('');
}

function setAssigned(which) {
  tools.filter.assigned = which;
  for (const b of $('#filter-bar').querySelectorAll('[data-assigned]')) b.setAttribute('aria-pressed', String(b.dataset.assigned === which));
  tools.reload();
}

// ---- the conversation's head ----

const nameOf = (id) => tools.attendants.find((x) => x.id === id)?.name || '';

// renderTools shows the tools that fit the attendance a (open or closed).
export function renderTools(a, onChange) {
  const changed = tools.current?.id !== a?.id;
  tools.current = a;
  tools.onChange = onChange;
  if (!a) return;
  const open = a.status === 'open';
  $('#reopen-btn').hidden = open;
  $('#transfer-btn').hidden = !open;
  if (!open) toggleForm('transfer', false);
  renderLabels();
  if (changed) {
    toggleForm('transfer', false);
    toggleForm('note', false);
    tools.canned = null;
    loadClient(a);
    refreshPeople();
  }
}

function toggleForm(which, on) {
  const form = $(`#${which}-form`);
  const btn = $(`#${which}-btn`);
  form.hidden = !on;
  btn.setAttribute('aria-expanded', String(on));
  if (on) form.querySelector('select, textarea, input').focus();
}

async function refreshPeople() {
  try {
    const [atts, teams] = await Promise.all([api.attendants(), api.teams()]);
    tools.attendants = atts.items || [];
    tools.teams = teams.items || [];
  } catch {
    // the transfer list stays as it was
  }
  renderTransferTargets();
  renderTeamFilter();
}

function renderTransferTargets() {
  const me = session()?.id;
  const people = tools.attendants.filter((x) => x.active !== false && x.id !== tools.current?.attendant_id);
  $('#transfer-to').replaceChildren(
    h('option', { value: '', disabled: true, selected: true }, '—'),
    h('optgroup', { label: t('conv.attendants') }, ...people.map((x) => h('option', { value: `a:${x.id}` },
      `${x.name}${x.id === me ? ` (${t('conv.you')})` : ''} · ${t(`status.${x.status || 'offline'}`)}`))),
    tools.teams.length ? h('optgroup', { label: t('conv.teams') }, ...tools.teams.map((x) => h('option', { value: `t:${x.id}` }, x.name))) : null);
}

function renderTeamFilter() {
  const sel = $('#filter-team');
  const keep = sel.value;
  sel.replaceChildren(h('option', { value: '' }, t('filter.anyTeam')),
    ...tools.teams.map((x) => h('option', { value: x.id, selected: x.id === keep }, x.name)));
}

async function transfer(ev) {
  ev.preventDefault();
  const a = tools.current;
  const to = $('#transfer-to').value;
  if (!a) return;
  if (!to) {
    $('#conv-error').textContent = t('conv.chooseTarget');
    return;
  }
  const target = to.startsWith('a:') ? { attendant_id: to.slice(2) } : { team_id: to.slice(2) };
  try {
    const got = await api.transfer(a.id, target, $('#transfer-note').value.trim());
    Object.assign(a, { attendant_id: got?.attendant_id ?? '', team_id: got?.team_id ?? a.team_id });
    $('#transfer-note').value = '';
    $('#conv-error').textContent = '';
    toggleForm('transfer', false);
    announce(t('conv.transferred'));
    tools.onChange(a);
  } catch (err) {
    $('#conv-error').textContent = t('conv.notTransferred', { error: describe(err) });
  }
}

async function addNote(ev) {
  ev.preventDefault();
  const a = tools.current;
  const text = $('#note-text').value.trim();
  if (!a) return;
  if (!text) {
    $('#conv-error').textContent = t('conv.noteEmpty');
    return;
  }
  try {
    const n = await api.addNote(a.id, text);
    $('#note-text').value = '';
    $('#conv-error').textContent = '';
    toggleForm('note', false);
    tools.onNote?.(n);
  } catch (err) {
    $('#conv-error').textContent = t('conv.notSaved', { error: describe(err) });
  }
}

async function reopen() {
  const a = tools.current;
  if (!a) return;
  try {
    const got = await api.reopen(a.id);
    Object.assign(a, { status: got.status, closed_at: got.closed_at, closed_reason: got.closed_reason, attendant_id: got.attendant_id });
    $('#conv-error').textContent = '';
    announce(t('conv.reopened'));
    tools.onChange(a);
    tools.reload();
  } catch (err) {
    $('#conv-error').textContent = t('conv.notReopened', { error: describe(err) });
  }
}

// ---- labels: chips, Enter adds one, × takes one off ----

function renderLabels() {
  const labels = tools.current?.labels || [];
  $('#label-chips').replaceChildren(...labels.map((l) => h('li', { class: 'chip', 'data-testid': 'label-chip', dataset: { label: l } },
    l, h('button', { type: 'button', class: 'chip-x', 'aria-label': t('conv.removeLabel', { label: l }), onclick: () => saveLabels(labels.filter((x) => x !== l)) }, '×'))));
}

async function saveLabels(labels) {
  const a = tools.current;
  if (!a) return;
  try {
    const got = await api.setLabels(a.id, labels);
    a.labels = got.labels || [];
    $('#conv-error').textContent = '';
  } catch (err) {
    $('#conv-error').textContent = t('conv.labelsFailed', { error: describe(err) });
  }
  renderLabels();
}

// ---- the client panel ----

async function loadClient(a) {
  const cid = a.client?.id;
  $('#client-status').textContent = '';
  $('#client-ids').replaceChildren(
    ...[['Phone', phone(a.client?.phone)], ['LID', a.client?.lid], ['WhatsApp', a.client?.push_name]]
      .filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  $('#client-attendances').replaceChildren();
  if (!cid) return;
  let c;
  try {
    c = await api.client(cid);
  } catch {
    return;
  }
  if (tools.current?.id !== a.id) return;
  $('#client-form').dataset.id = cid;
  $('#client-name').value = c.name || '';
  $('#client-notes').value = c.notes || '';
  $('#client-attrs').value = Object.entries(c.attributes || {}).map(([k, v]) => `${k}=${v}`).join('\n');
  $('#client-attendances').replaceChildren(...(c.attendances || []).filter((x) => x.id !== a.id).map((x) =>
    h('li', {}, h('a', { href: `#/inbox/${x.id}` }, new Date(x.opened_at).toLocaleDateString(lang())),
      ` · ${x.status === 'open' ? t('inbox.open') : t('inbox.closed')}`, (x.labels || []).length ? ` · ${x.labels.join(', ')}` : '')));
}

async function saveClient(ev) {
  ev.preventDefault();
  const cid = $('#client-form').dataset.id;
  if (!cid) return;
  const attributes = {};
  for (const line of $('#client-attrs').value.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) attributes[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  try {
    await api.patchClient(cid, { name: $('#client-name').value.trim(), notes: $('#client-notes').value, attributes });
    $('#client-status').textContent = t('conv.clientSaved');
  } catch (err) {
    $('#client-status').textContent = t('team.failed', { error: describe(err) });
  }
}

// ---- the timeline: notes and day separators ----

// noteEl draws a private note: set apart from the messages, never sent.
export function noteEl(n) {
  const by = n.attendant_id ? nameOf(n.attendant_id) || t('conv.note') : 'Admin';
  return h('li', { class: 'note', 'data-testid': 'note', dataset: { id: n.id, kind: 'note' }, tabindex: '-1' },
    h('p', { class: 'note-by' }, t('conv.noteBy', { name: by })),
    h('p', { class: 'text' }, n.text),
    h('span', { class: 'meta' }, h('time', { datetime: n.created_at }, new Date(n.created_at).toLocaleTimeString(lang(), { hour: '2-digit', minute: '2-digit' }))));
}

const dayOf = (iso) => (iso ? new Date(iso).toDateString() : '');

function dayLabel(iso) {
  const d = new Date(iso);
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (d.toDateString() === today.toDateString()) return t('conv.today');
  if (d.toDateString() === yesterday.toDateString()) return t('conv.yesterday');
  return d.toLocaleDateString(lang(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
}

function daySep(iso) {
  return h('li', { class: 'day', 'data-testid': 'day', dataset: { day: dayOf(iso) }, 'aria-hidden': 'false' }, h('span', {}, dayLabel(iso)));
}

// withDays puts a day separator before the first item of every day.
export function withDays(items, draw) {
  const out = [];
  let day = '';
  for (const m of items) {
    const d = dayOf(m.created_at);
    if (d && d !== day) {
      out.push(daySep(m.created_at));
      day = d;
    }
    out.push(draw(m));
  }
  return out;
}

// appendWithDay appends el to the timeline, after a separator when a new day begins.
export function appendWithDay(list, el, iso) {
  const days = list.querySelectorAll('.day');
  const last = days[days.length - 1]?.dataset.day;
  if (iso && dayOf(iso) !== last) list.append(daySep(iso));
  list.append(el);
}

// ---- saved replies: "/shortcut" in the reply box ----

async function cannedReplies() {
  const aid = tools.current?.id || '';
  if (tools.canned && tools.cannedFor === aid) return tools.canned;
  try {
    tools.canned = (await api.cannedReplies(aid)).items || [];
  } catch {
    tools.canned = [];
  }
  tools.cannedFor = aid;
  return tools.canned;
}

let matches = [];

async function suggest() {
  const box = $('#reply-text');
  const m = /^\/([a-z0-9_-]*)$/.exec(box.value);
  if (!m) return hideSuggestions();
  const all = await cannedReplies();
  if (!/^\/[a-z0-9_-]*$/.test(box.value)) return hideSuggestions(); // typed on meanwhile
  const typed = box.value.slice(1);
  matches = all.filter((r) => r.shortcut.replace(/^\//, '').startsWith(typed));
  tools.pick = 0;
  drawSuggestions();
}

function drawSuggestions() {
  const list = $('#canned-list');
  list.hidden = false;
  if (!matches.length) {
    list.replaceChildren(h('li', { class: 'muted' }, t('reply.noCanned')));
    return;
  }
  list.replaceChildren(...matches.map((r, i) => h('li', {
    role: 'option', id: `canned-${i}`, 'aria-selected': String(i === tools.pick), 'data-testid': 'canned-option',
    onmousedown: (ev) => {
      ev.preventDefault();
      pickCanned(i);
    },
  }, h('strong', {}, `/${r.shortcut.replace(/^\//, '')}`), ' ', h('span', { class: 'muted' }, r.filled ?? r.text))));
  $('#reply-text').setAttribute('aria-activedescendant', `canned-${tools.pick}`);
}

function hideSuggestions() {
  matches = [];
  $('#canned-list').hidden = true;
  $('#reply-text').removeAttribute('aria-activedescendant');
}

function pickCanned(i) {
  const r = matches[i];
  if (!r) return;
  const box = $('#reply-text');
  box.value = r.filled ?? r.text;
  hideSuggestions();
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}

// cannedKeys runs before the reply box's own keys: with suggestions shown,
// Enter and Tab pick one, the arrows move, Esc hides them.
function cannedKeys(ev) {
  if (ev.target.id !== 'reply-text' || $('#canned-list').hidden) return;
  const stop = () => {
    ev.preventDefault();
    ev.stopPropagation();
  };
  if ((ev.key === 'Enter' && !ev.shiftKey) || ev.key === 'Tab') {
    if (!matches.length) return hideSuggestions();
    stop();
    pickCanned(tools.pick);
  } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (!matches.length) return;
    stop();
    tools.pick = (tools.pick + (ev.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
    drawSuggestions();
  } else if (ev.key === 'Escape') {
    stop();
    hideSuggestions();
  }
}

// ---- presence and notifications ----

async function initPresence() {
  const sel = $('#presence');
  const me = session()?.id;
  sel.hidden = !me;
  if (!me) return;
  try {
    const mine = ((await api.attendants()).items || []).find((x) => x.id === me);
    sel.value = mine?.status === 'away' ? 'away' : 'online';
  } catch {
    // shown as online until changed
  }
}

async function setPresence() {
  try {
    await api.setMyStatus($('#presence').value);
    announce(t(`presence.${$('#presence').value}`));
  } catch (err) {
    $('#list-error').textContent = t('presence.failed', { error: describe(err) });
  }
}

function notifyButton() {
  const btn = $('#notify-btn');
  const can = 'Notification' in window && session()?.id;
  tools.notifyOK = can && Notification.permission === 'granted';
  btn.hidden = !can || Notification.permission !== 'default';
}

let audio = null;

// beep plays a short tone (no sound file: the page needs nothing but itself).
function beep() {
  try {
    audio ||= new AudioContext();
    const o = audio.createOscillator();
    const g = audio.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.15, audio.currentTime);
    g.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    o.connect(g).connect(audio.destination);
    o.start();
    o.stop(audio.currentTime + 0.3);
  } catch {
    // no sound in this browser
  }
}

function notify(text, aid) {
  beep();
  if (tools.notifyOK && document.visibilityState !== 'visible') {
    const n = new Notification('zapgate', { body: text, tag: aid });
    n.onclick = () => {
      window.focus();
      location.hash = `#/inbox/${aid}`;
    };
  }
  window.__notified = (window.__notified || 0) + 1; // counted for the browser tests
}

// watch notices what concerns the attendant logged in: an attendance
// assigned to them, a client's message in one of theirs. list gives the
// attendances known to the inbox.
export function watch(ev, known) {
  const me = session()?.id;
  const d = ev.data || {};
  if (!me || ev.replayed) return;
  if (ev.type === 'attendance.assigned' && d.attendant_id === me && d.by !== me) {
    notify(t('notify.newAttendance'), d.attendance_id);
  } else if (ev.type === 'attendance.transferred' && d.attendant_id === me && d.by !== me) {
    notify(t('notify.newAttendance'), d.attendance_id);
  } else if (ev.type === 'attendance.message' && d.from === 'client') {
    const a = known(d.attendance_id);
    if (a?.attendant_id === me) notify(t('notify.newMessage', { name: a.client?.name || a.client?.push_name || phone(a.client?.phone) }), d.attendance_id);
  }
}

// ---- wiring ----

// initTools wires the tools once; reload reloads the list, onNote puts a
// new note in the conversation on screen.
export function initTools({ reload, onNote }) {
  tools.reload = reload;
  tools.onNote = onNote;
  for (const b of $('#filter-bar').querySelectorAll('[data-assigned]')) b.addEventListener('click', () => setAssigned(b.dataset.assigned));
  $('#filter-bar').addEventListener('submit', (ev) => ev.preventDefault());
  $('#filter-team').addEventListener('change', () => {
    tools.filter.team_id = $('#filter-team').value;
    reload();
  });
  let timer = 0;
  const typed = () => {
    clearTimeout(timer);
    // Waits for a pause in the typing, not for every key.
    timer = setTimeout(() => {
      tools.filter.q = $('#filter-q').value.trim();
      tools.filter.label = $('#filter-label').value.trim();
      reload();
    }, 300);
  };
  $('#filter-q').addEventListener('input', typed);
  $('#filter-label').addEventListener('input', typed);
  $('#transfer-btn').addEventListener('click', () => toggleForm('transfer', $('#transfer-form').hidden));
  $('#note-btn').addEventListener('click', () => toggleForm('note', $('#note-form').hidden));
  for (const which of ['transfer', 'note']) {
    const form = $(`#${which}-form`);
    form.querySelector('[data-cancel]').addEventListener('click', () => {
      toggleForm(which, false);
      $(`#${which}-btn`).focus();
    });
    form.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') {
        ev.stopPropagation();
        toggleForm(which, false);
        $(`#${which}-btn`).focus();
      }
    });
  }
  $('#note-text').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('#note-form').requestSubmit();
    }
  });
  $('#transfer-form').addEventListener('submit', transfer);
  $('#note-form').addEventListener('submit', addNote);
  $('#reopen-btn').addEventListener('click', reopen);
  $('#label-input').addEventListener('keydown', (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault();
    const l = ev.currentTarget.value.trim();
    const labels = tools.current?.labels || [];
    if (!l) return;
    ev.currentTarget.value = '';
    if (!labels.includes(l)) saveLabels([...labels, l]);
  });
  $('#client-form').addEventListener('submit', saveClient);
  $('#reply-form').addEventListener('keydown', cannedKeys, true);
  $('#reply-text').addEventListener('input', suggest);
  $('#reply-text').addEventListener('blur', () => setTimeout(hideSuggestions, 150));
  $('#presence').addEventListener('change', setPresence);
  $('#notify-btn').addEventListener('click', async () => {
    // Asked on a click: browsers refuse a request the user did not make.
    await Notification.requestPermission();
    notifyButton();
  });
}

// relabelTools draws the tools' script-written words again (language change).
export function relabelTools() {
  renderTransferTargets();
  renderTeamFilter();
  renderLabels();
}

// startTools runs after each login.
export function startTools() {
  tools.current = null;
  tools.canned = null;
  tools.filter = { assigned: '', team_id: '', label: '', q: '' };
  $('#filter-q').value = '';
  $('#filter-label').value = '';
  for (const b of $('#filter-bar').querySelectorAll('[data-assigned]')) b.setAttribute('aria-pressed', String(b.dataset.assigned === ''));
  initPresence();
  notifyButton();
  refreshPeople();
}
