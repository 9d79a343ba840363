// inbox.js: the attendances (open or closed) kept live from the event feed,
// and one conversation at a time with its history and the reply box.

import { api, session } from './api.js';
import { $, h, announce, timeEl, phone, bytes } from './dom.js';
import { REACTIONS, kindEl, quoteEl, reactionsEl, summary, typeName, updatePoll, who } from './message.js';
import * as tools from './tools.js';
import { t } from './i18n.js';

const MAX_FILE = 16 << 20; // the API's limit for one file

const state = {
  show: 'open', // which list is shown: open or closed
  list: new Map(), // attendance id → attendance (no messages)
  next: '', // cursor of the next page of the list
  loaded: false,
  currentId: '', // the conversation on screen
  current: null, // ... and its attendance with messages
  seen: new Map(), // attendance id → unread count already looked at
  counted: new Set(), // message ids already reflected in the list
  fetching: new Map(), // attendance id → pending GET /v1/attendances/{id}
  attendants: null, // GET /v1/attendants, once per session
  mediaURLs: [], // blob: URLs of the conversation on screen
  statuses: new Map(), // message id → latest status from the feed
  replyTo: null, // the message the reply box quotes
  pollReads: new Map(), // poll message id → the latest tally read asked for
};

// MESSAGE_EVENTS are the feed's events about messages the inbox follows.
export const MESSAGE_EVENTS = new Set(['message.status', 'message.reaction', 'message.edited', 'message.revoked', 'poll.vote']);

export function resetInbox() {
  releaseMedia();
  Object.assign(state, {
    show: 'open', list: new Map(), next: '', loaded: false, currentId: '', current: null,
    seen: new Map(), counted: new Set(), fetching: new Map(), attendants: null, statuses: new Map(),
    replyTo: null, pollReads: new Map(),
  });
  cancelReplyTo(false);
  $('#attendance-list').replaceChildren();
  $('#attendance-list').removeAttribute('data-loaded');
  showConversation(false);
  document.title = 'zapgate';
}

const clientName = (a) => a?.client?.push_name || phone(a?.client?.phone) || t('inbox.unknownClient');

function describe(err) {
  const fields = Object.entries(err.fields || {}).map(([k, v]) => `${k} ${v}`);
  return fields.length ? `${err.message}: ${fields.join(', ')}` : err.message;
}

// ---- the list ----

export async function loadList(more = false) {
  const listEl = $('#attendance-list');
  listEl.setAttribute('aria-busy', 'true');
  const token = session()?.token;
  const show = state.show;
  try {
    const page = await api.attendances(show, more ? state.next : '', tools.filterQuery());
    if (session()?.token !== token) return; // logged out meanwhile
    if (state.show !== show) return; // switched lists meanwhile: that list's load fills it
    if (!more) state.list = new Map();
    for (const a of page.items) {
      state.list.set(a.id, a);
      if (a.last_message) state.counted.add(a.last_message.id);
    }
    state.next = page.next || '';
    state.loaded = true;
    $('#list-error').textContent = '';
    renderList();
    listEl.dataset.loaded = 'true';
  } catch (err) {
    $('#list-error').textContent = t('inbox.loadFailed', { error: describe(err) });
  } finally {
    listEl.removeAttribute('aria-busy');
  }
}

// unseen is how many client messages came in since the attendant last
// looked at the conversation (the API counts since the last reply).
function unseen(a) {
  const seen = state.seen.get(a.id) ?? 0;
  if (seen > a.unread) state.seen.set(a.id, a.unread);
  return Math.max(0, a.unread - Math.min(seen, a.unread));
}

function preview(a) {
  const m = a.last_message;
  if (!m) return '';
  const body = summary(m);
  return a.last_message_from === 'attendant' ? t('inbox.youPrefix', { text: body }) : body;
}

export function renderList() {
  const listEl = $('#attendance-list');
  const focused = document.activeElement?.closest?.('#attendance-list [data-id]')?.dataset.id;
  const items = [...state.list.values()].sort((x, y) => (y.last_activity_at || '').localeCompare(x.last_activity_at || ''));
  let total = 0;
  listEl.replaceChildren(...items.map((a) => {
    if (a.id === state.currentId) state.seen.set(a.id, a.unread);
    const n = unseen(a);
    total += n;
    return h('li', {},
      h('a', {
        href: `#/inbox/${a.id}`, class: `att${n ? ' unread' : ''}${sla(a) ? ' sla-' + sla(a) : ''}`, 'data-testid': 'attendance-item',
        dataset: { id: a.id, phone: a.client?.phone || '', lid: a.client?.lid || '', status: a.status },
        'aria-current': a.id === state.currentId ? 'true' : null,
      },
      h('span', { class: 'att-top' }, h('span', { class: 'att-name' }, clientName(a)),
        sla(a) ? h('span', { class: 'sla-mark', 'data-testid': 'sla' }, sla(a) === 'breached' ? t('sla.breached') : t('sla.dueSoon')) : null,
        timeEl(a.last_activity_at)),
      h('span', { class: 'att-bottom' },
        h('span', { class: 'att-last' }, preview(a)),
        n ? h('span', { class: 'badge', 'data-testid': 'unread' }, h('span', { 'aria-hidden': 'true' }, n),
          h('span', { class: 'sr-only' }, t(n === 1 ? 'inbox.newOne' : 'inbox.newMany', { n }))) : null)));
  }));
  $('#list-empty').hidden = items.length > 0 || !state.loaded;
  $('#list-empty').textContent = t(state.show === 'open' ? 'inbox.emptyOpen' : 'inbox.emptyClosed');
  $('#load-more').hidden = !state.next;
  document.title = total ? `(${total}) zapgate` : 'zapgate';
  if (focused) listEl.querySelector(`[data-id="${CSS.escape(focused)}"]`)?.focus();
}

// sla tells whether an open, unanswered attendance is past its first-response
// SLA ('breached') or within five minutes of it ('breaching'); '' otherwise.
function sla(a) {
  if (a.status !== 'open' || a.first_reply_at || !a.sla_due_at) return '';
  if (a.sla_breached_at) return 'breached';
  return Date.parse(a.sla_due_at) - Date.now() < 5 * 60 * 1000 ? 'breaching' : '';
}

export function setShow(which) {
  if (state.show === which) return;
  state.show = which;
  $('#show-open').setAttribute('aria-pressed', String(which === 'open'));
  $('#show-closed').setAttribute('aria-pressed', String(which === 'closed'));
  state.list = new Map();
  renderList();
  loadList();
}

// fetchAttendance coalesces concurrent reads of one attendance.
function fetchAttendance(id) {
  if (!state.fetching.has(id)) {
    state.fetching.set(id, api.attendance(id).finally(() => state.fetching.delete(id)));
  }
  return state.fetching.get(id);
}

// refreshOne reads one attendance and files it in (or out of) the list.
async function refreshOne(id) {
  let a;
  try {
    a = await fetchAttendance(id);
  } catch {
    return null;
  }
  const { messages = [], ...summary } = a;
  for (const m of messages) state.counted.add(m.id);
  if (summary.status === state.show) state.list.set(id, summary);
  else state.list.delete(id);
  renderList();
  return summary;
}

// ---- live events ----

export function handleEvent(ev) {
  const d = ev.data || {};
  switch (ev.type) {
    case 'attendance.opened':
      refreshOne(d.attendance_id).then((a) => {
        if (a?.status === 'open' && !ev.replayed) announce(t('inbox.newConversation', { name: clientName(a) }));
      });
      break;
    case 'attendance.message':
      onMessage(d);
      break;
    case 'attendance.closed':
      onClosed(d);
      break;
    case 'attendance.assigned':
    case 'attendance.transferred':
    case 'attendance.reopened':
      onReassigned(d);
      break;
    case 'attendance.note':
      if (d.attendance_id === state.currentId) addNote({ kind: 'note', id: d.note_id, attendant_id: d.attendant_id, text: d.text, created_at: d.created_at });
      break;
    case 'attendance.sla_breached':
      if (state.list.has(d.attendance_id)) refreshOne(d.attendance_id);
      break;
    case 'message.status':
      onStatus(d);
      break;
    // Operators' replays resend old changes: the message has moved on.
    case 'message.reaction':
      if (!ev.replayed) onReaction(d, ev.occurred_at);
      break;
    case 'message.edited':
      if (!ev.replayed) onEdited(d, ev.occurred_at);
      break;
    case 'message.revoked':
      if (!ev.replayed) onRevoked(d, ev.occurred_at);
      break;
    case 'poll.vote':
      if (!ev.replayed) onPollVote(d);
      break;
  }
}

// learnPhone fills the phone of a client known only by LID from their
// message that shows it (the server gave the same client the phone).
function learnPhone(a, from, m) {
  if (from !== 'client' || !a?.client || a.client.phone || !/^\d+$/.test(m.from || '')) return false;
  a.client.phone = m.from;
  return true;
}

// known is the attendance the inbox holds (list or screen), for notifications.
export const known = (id) => state.list.get(id) || (id === state.currentId ? state.current : undefined);

function onMessage({ attendance_id: id, from, message: m }) {
  if (!m?.id) return;
  const a = state.list.get(id);
  // The list and the open conversation may share one client object.
  const learned = [a, id === state.currentId ? state.current : null].map((x) => learnPhone(x, from, m));
  if (learned.some(Boolean)) {
    renderList();
    if (id === state.currentId) renderHead();
  }
  if (!state.counted.has(m.id)) {
    state.counted.add(m.id);
    if (a) {
      Object.assign(a, { last_message: m, last_message_from: from, last_activity_at: m.created_at });
      a.unread = from === 'client' ? a.unread + 1 : 0;
      if (from === 'attendant') a.first_reply_at ||= m.created_at;
      renderList();
    } else {
      refreshOne(id);
    }
    if (from === 'client' && id !== state.currentId) announce(t('inbox.newMessage', { name: clientName(a || state.current) }));
  }
  if (id === state.currentId && state.current) {
    if (from === 'client' && a) state.seen.set(id, a.unread);
    addMessage(m);
  }
}

// onReassigned refreshes an attendance whose attendant changed (or that
// reopened); the list is filtered, so it may leave or enter it.
async function onReassigned({ attendance_id: id }) {
  // A filtered list asks the server again: the change may take it out.
  if (tools.filterQuery()) loadList();
  const a = await (tools.filterQuery() ? fetchAttendance(id).catch(() => null) : refreshOne(id));
  if (a && id === state.currentId && state.current) {
    const { messages, ...fresh } = a; // the timeline on screen stays
    Object.assign(state.current, fresh);
    renderHead();
  }
}

// addNote puts a private note in the conversation on screen (once).
function addNote(n) {
  if (!state.current || messageNode(n.id)) return;
  state.current.messages?.push(n);
  tools.appendWithDay($('#messages'), tools.noteEl(n), n.created_at);
  scrollToEnd(true);
}

function onClosed({ attendance_id: id, reason, closed_at: closedAt }) {
  const a = state.list.get(id);
  if (state.show === 'open') {
    if (a) {
      state.list.delete(id);
      renderList();
      announce(t('inbox.closedWith', { name: clientName(a) }));
    }
  } else {
    refreshOne(id);
  }
  if (id === state.currentId && state.current) {
    Object.assign(state.current, { status: 'closed', closed_reason: reason, closed_at: closedAt });
    renderHead();
  }
}

// onStatus moves a message's ticks forward; it is remembered, so a message
// drawn later from an older copy (the feed, a refetch) shows it too.
function onStatus({ message_id: id, status, error }) {
  if (!id || !status) return;
  const known = state.statuses.get(id);
  if (known && statusRank(known.status) >= statusRank(status)) return;
  state.statuses.set(id, { status, error });
  const m = state.current?.messages?.find((x) => x.id === id);
  if (m) Object.assign(m, { status, error });
  const el = $(`#messages [data-id="${CSS.escape(id)}"] .status`);
  if (el) renderStatus(el, status, error);
}

// findMessage is a message of the conversation on screen.
const findMessage = (id) => (id ? state.current?.messages?.find((x) => x.id === id) : undefined);
const messageNode = (id) => $(`#messages [data-id="${CSS.escape(id)}"]`);

// onReaction puts a person's emoji on a message ("" takes theirs off).
function onReaction({ message_id: id, from, emoji }, at) {
  const m = findMessage(id);
  if (!m) return;
  m.reactions = (m.reactions || []).filter((r) => r.from !== from);
  if (emoji) m.reactions.push({ from, emoji, at });
  redrawReactions(m);
}

function redrawReactions(m) {
  messageNode(m.id)?.querySelector('.reactions')?.replaceWith(reactionsEl(m.reactions, mineOn(m.id)));
}

function onEdited({ message_id: id, text }, at) {
  const m = findMessage(id);
  if (!m) return;
  if (m.type === 'text') m.text = text;
  else m.caption = text;
  m.edited_at = at;
  redraw(m);
}

function onRevoked({ message_id: id }, at) {
  const m = findMessage(id);
  if (!m) return;
  m.revoked_at = at;
  if (state.replyTo?.id === id) cancelReplyTo(false);
  redraw(m);
}

// onPollVote reads the poll's new tally: the event names the voter's
// choice, not what it replaced. The read starts after the vote was stored,
// so it sees it; a slower earlier read never overwrites a later one.
async function onPollVote({ message_id: id }) {
  const aid = state.currentId;
  if (!findMessage(id)) return;
  const seq = (state.pollReads.get(id) || 0) + 1;
  state.pollReads.set(id, seq);
  let a;
  try {
    a = await api.attendance(aid);
  } catch {
    return;
  }
  const fresh = a.messages?.find((x) => x.id === id);
  const m = findMessage(id);
  if (state.currentId !== aid || state.pollReads.get(id) !== seq || !fresh?.poll || !m) return;
  m.poll = fresh.poll;
  updatePoll(messageNode(id)?.querySelector('.poll'), m.poll);
}

// redraw draws a changed message again, and the quotes of it.
function redraw(m) {
  messageNode(m.id)?.replaceWith(messageEl(m));
  for (const q of state.current?.messages || []) {
    if (q.reply_to === m.id) messageNode(q.id)?.querySelector('.quote')?.replaceWith(quoteEl(q, m, senderOf, goToMessage));
  }
}

// ---- the conversation ----

function showConversation(on) {
  $('#conv').hidden = !on;
  $('#conv-placeholder').hidden = on;
  $('#inbox-view').classList.toggle('has-conv', on);
}

export async function openConversation(id) {
  if (!id) {
    state.currentId = '';
    state.current = null;
    releaseMedia();
    showConversation(false);
    renderList();
    return;
  }
  const same = id === state.currentId && state.current;
  state.currentId = id;
  renderList();
  if (same) return;
  state.current = null;
  cancelReplyTo(false);
  showConversation(true);
  $('#conv-title').textContent = t('conv.loading');
  $('#conv-meta').textContent = '';
  $('#messages').replaceChildren();
  $('#conv').dataset.id = id;
  let a;
  try {
    a = await fetchAttendance(id);
  } catch (err) {
    if (state.currentId !== id) return;
    $('#conv-title').textContent = t(err.status === 404 ? 'conv.missing' : 'conv.loadFailed');
    $('#conv-meta').textContent = err.status === 404 ? '' : describe(err);
    $('#conv').dataset.status = 'missing';
    return;
  }
  if (state.currentId !== id) return;
  state.current = a;
  for (const m of a.messages || []) state.counted.add(m.id);
  state.seen.set(id, a.unread);
  const { messages, ...summary } = a;
  if (a.status === state.show) state.list.set(id, summary);
  releaseMedia();
  // The history is not news: only messages added later are announced.
  const list = $('#messages');
  list.setAttribute('aria-live', 'off');
  list.replaceChildren(...tools.withDays((messages || []).filter(shown), messageEl));
  setTimeout(() => list.setAttribute('aria-live', 'polite'), 500);
  renderHead();
  renderList();
  scrollToEnd(true);
  $('#conv-title').focus();
  loadAttendants();
}

function renderHead() {
  const a = state.current;
  if (!a) return;
  const open = a.status === 'open';
  $('#conv').dataset.status = a.status;
  $('#conv-title').textContent = clientName(a);
  const parts = [a.client?.push_name ? phone(a.client.phone) : '', open ? t('conv.statusOpen') : `${t('conv.statusClosed')}${a.closed_reason ? ` (${a.closed_reason})` : ''}`];
  $('#conv-meta').textContent = parts.filter(Boolean).join(' · ');
  $('#reply-form').hidden = !open;
  if (!open) cancelReplyTo(false);
  $('#conv-closed').hidden = open;
  $('#close-btn').hidden = !open;
  $('#assign-form').hidden = !open;
  renderAssign();
  tools.renderTools(a, () => {
    renderHead();
    if (tools.filterQuery()) loadList();
    else refreshOne(a.id);
  });
}

async function loadAttendants() {
  if (state.attendants) return renderAssign();
  try {
    state.attendants = (await api.attendants()).items || [];
  } catch {
    state.attendants = [];
  }
  renderAssign();
}

function renderAssign() {
  const a = state.current;
  const select = $('#assign-select');
  if (!a || !state.attendants) return;
  const me = session()?.id;
  const options = [h('option', { value: '', disabled: true, selected: !a.attendant_id }, t('conv.nobody'))];
  for (const x of state.attendants) {
    options.push(h('option', { value: x.id, selected: x.id === a.attendant_id }, x.id === me ? `${x.name} (${t('conv.you')})` : x.name));
  }
  if (!a.attendant_id && me && state.attendants.some((x) => x.id === me)) {
    options[0].selected = false;
    options.find((o) => o.value === me).selected = true;
  }
  select.replaceChildren(...options);
  const who = state.attendants.find((x) => x.id === a.attendant_id);
  $('#assigned-to').textContent = who ? t('conv.assignedTo', { name: who.name }) : t('conv.notAssigned');
}

// STATUS_WORDS name the statuses (keys msg.status.*).
const STATUS_WORDS = new Set(['scheduled', 'queued', 'sent', 'delivered', 'read', 'canceled']);
// Ticks as on a phone: a clock while waiting, one tick sent, two delivered,
// two coloured read (the colour comes from the stylesheet).
const TICKS = { scheduled: '\u{1F553}', queued: '\u{1F553}', sent: '\u2713', delivered: '\u2713\u2713', read: '\u2713\u2713' };
const RANK = ['scheduled', 'queued', 'sent', 'delivered', 'read'];

// statusRank orders statuses; failed and canceled are final.
function statusRank(status) {
  const i = RANK.indexOf(status);
  return i >= 0 ? i : RANK.length;
}

// renderStatus shows a status as ticks, with its word for screen readers
// and as a tooltip; a failure shows its reason in words.
function renderStatus(el, status, error) {
  el.dataset.status = status;
  if (status === 'failed') {
    el.removeAttribute('title');
    el.replaceChildren(error ? t('msg.notSentError', { error }) : t('msg.notSent'));
    return;
  }
  const words = STATUS_WORDS.has(status) ? t(`msg.status.${status}`) : '';
  if (!TICKS[status]) {
    el.removeAttribute('title');
    el.replaceChildren(words);
    return;
  }
  el.title = words;
  el.replaceChildren(h('span', { class: 'ticks', 'aria-hidden': 'true' }, TICKS[status]), h('span', { class: 'sr-only' }, words));
}

function statusEl(m) {
  const known = state.statuses.get(m.id);
  const { status, error } = known && statusRank(known.status) > statusRank(m.status) ? known : m;
  const el = h('span', { class: 'status', 'data-testid': 'status' });
  renderStatus(el, status, error);
  return el;
}

// shown tells whether a message is drawn: a reaction is shown on the
// message it reacts to instead.
const shown = (m) => m.type !== 'reaction';

// senderOf names who wrote a message, as a quote shows it.
function senderOf(m) {
  if (m.direction === 'out') return t('conv.you');
  return m.push_name || (m.participant ? who(m.participant) : clientName(state.current));
}

// mineOn is the emoji the instance last sent on a message ('' for none),
// from the conversation's own reactions.
function mineOn(id) {
  let mine = '';
  for (const r of state.current?.messages || []) {
    if (r.type === 'reaction' && r.message_id === id && r.status !== 'failed') mine = r.emoji || '';
  }
  return mine;
}

function messageEl(m) {
  if (m.kind === 'note') return tools.noteEl(m);
  const out = m.direction === 'out';
  // A sticker stands on its own, as on a phone.
  const bubble = h('div', { class: `bubble${m.type === 'sticker' && !m.revoked_at && !m.reply_to ? ' bare' : ''}` });
  if (m.reply_to) bubble.append(quoteEl(m, findMessage(m.reply_to), senderOf, goToMessage));
  if (m.revoked_at) {
    // Deleted for everyone: what it said is no longer shown.
    bubble.append(h('p', { class: 'text deleted', 'data-testid': 'deleted' },
      h('span', { 'aria-hidden': 'true' }, '🚫 '), t('msg.deleted')));
  } else {
    if (m.media) bubble.append(mediaEl(m));
    const kind = kindEl(m);
    if (kind) bubble.append(kind);
    const text = m.type === 'text' ? m.text : m.caption;
    if (text) bubble.append(h('p', { class: 'text' }, text));
  }
  return h('li', {
    class: `msg ${out ? 'out' : 'in'}${m.revoked_at ? ' revoked' : ''}`, 'data-testid': 'message',
    dataset: { id: m.id, type: m.type }, tabindex: '-1',
  },
  h('span', { class: 'sr-only' }, out ? t('msg.youSaid') : t('msg.theySaid', { name: clientName(state.current) })),
  out ? null : h('span', { class: 'sender', 'aria-hidden': 'true', 'data-testid': 'sender' }, senderOf(m)),
  bubble,
  reactionsEl(m.reactions, mineOn(m.id)),
  h('span', { class: 'meta' }, timeEl(m.created_at),
    m.edited_at && !m.revoked_at ? h('span', { class: 'edited', 'data-testid': 'edited' }, t('msg.edited')) : null,
    out ? statusEl(m) : null,
    actionsEl(m)));
}

// actionsEl offers a reply quoting the message and a reaction to it, for
// the messages WhatsApp can quote.
function actionsEl(m) {
  if (!shown(m) || m.revoked_at || !m.wa_message_id || ['scheduled', 'failed', 'canceled'].includes(m.status)) return null;
  const picker = h('div', { class: 'picker', role: 'group', 'aria-label': t('msg.reactWith'), hidden: true });
  const reactBtn = h('button', {
    type: 'button', class: 'link', 'aria-expanded': 'false', 'aria-label': t('msg.reactLabel'), 'data-testid': 'react',
    onclick: () => (picker.hidden ? openPicker(m.id, picker, reactBtn) : closePicker(picker, reactBtn)),
  }, t('msg.react'));
  picker.append(...REACTIONS.map((emoji) => h('button', {
    type: 'button', class: 'emoji', 'aria-label': t('msg.reactWithEmoji', { emoji }), 'aria-pressed': 'false', 'data-testid': 'react-emoji',
    dataset: { emoji }, onclick: () => react(m.id, emoji, picker, reactBtn),
  }, emoji)));
  picker.addEventListener('keydown', (ev) => {
    if (ev.key !== 'Escape') return;
    ev.stopPropagation();
    closePicker(picker, reactBtn);
    reactBtn.focus();
  });
  return h('div', { class: 'msg-actions' },
    h('button', {
      type: 'button', class: 'link', 'aria-label': t('msg.replyLabel'), 'data-testid': 'reply-to',
      onclick: () => setReplyTo(m),
    }, t('msg.reply')),
    reactBtn, picker);
}

function openPicker(id, picker, btn) {
  const mine = mineOn(id);
  for (const b of picker.children) {
    b.setAttribute('aria-pressed', String(b.dataset.emoji === mine));
    b.setAttribute('aria-label', b.dataset.emoji === mine ? t('msg.removeYour', { emoji: mine }) : t('msg.reactWithEmoji', { emoji: b.dataset.emoji }));
  }
  picker.hidden = false;
  btn.setAttribute('aria-expanded', 'true');
  picker.firstElementChild.focus();
}

function closePicker(picker, btn) {
  picker.hidden = true;
  btn.setAttribute('aria-expanded', 'false');
}

// goToMessage brings a quoted message into view and gives it the focus.
function goToMessage(id) {
  const el = messageNode(id);
  if (!el) return;
  el.scrollIntoView({ block: 'center' });
  el.focus({ preventScroll: true });
  el.classList.add('flash');
  setTimeout(() => el.classList.remove('flash'), 1600);
}

// mediaEl shows a file's name at once, and the file itself once it loads.
// The files need the bearer token (never put in a URL), so they come as
// blobs through fetch(); a file that cannot be fetched keeps its name.
function mediaEl(m) {
  const { mime = '', filename, size, url } = m.media;
  const voice = m.type === 'audio' && m.ptt;
  const label = filename || (voice ? t('msg.voiceNote') : m.type === 'sticker' ? t('msg.sticker') : t('msg.typeFile', { type: typeName(m.type) }));
  const ext = m.type === 'document' ? (label.match(/\.(\w{1,5})$/)?.[1] || t('msg.fileTag')) : m.type;
  const fileLine = () => [h('span', { class: 'file-tag', 'aria-hidden': 'true' }, ext), label, size ? ` (${bytes(size)})` : ''];
  const box = h('div', { class: 'media' }, h('span', { class: 'file' }, ...fileLine()));
  if (!url) return box;
  api.media(url).then((blob) => {
    if (!box.isConnected) return; // the conversation changed meanwhile
    const src = URL.createObjectURL(blob);
    state.mediaURLs.push(src);
    let el;
    if (m.type === 'sticker') el = h('img', { src, alt: t('msg.sticker'), class: 'sticker', 'data-testid': 'sticker' });
    else if (mime.startsWith('image/')) el = h('img', { src, alt: label });
    else if (voice) {
      el = h('div', { class: 'voice', 'data-testid': 'voice-note' },
        h('span', { class: 'voice-label' }, h('span', { 'aria-hidden': 'true' }, '🎤 '), t('msg.voiceNote')),
        h('audio', { src, controls: true, preload: 'metadata', 'aria-label': t('msg.voiceNote') }));
    } else if (mime.startsWith('audio/')) el = h('audio', { src, controls: true, 'aria-label': label });
    else if (mime.startsWith('video/')) el = h('video', { src, controls: true, 'aria-label': label });
    else el = h('a', { href: src, download: label, class: 'file' }, ...fileLine());
    box.replaceChildren(el);
  }).catch(() => {});
  return box;
}

function releaseMedia() {
  for (const u of state.mediaURLs) URL.revokeObjectURL(u);
  state.mediaURLs = [];
}

function addMessage(m) {
  const list = $('#messages');
  if (!shown(m)) {
    // Kept to know our own reaction; the target shows it once sent (its
    // event may come first: the chips learn which one is ours now).
    if (!findMessage(m.id)) state.current?.messages?.push(m);
    const target = findMessage(m.message_id);
    if (target) redrawReactions(target);
    return;
  }
  if (list.querySelector(`[data-id="${CSS.escape(m.id)}"]`)) return;
  const nearEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  state.current?.messages?.push(m);
  tools.appendWithDay(list, messageEl(m), m.created_at);
  scrollToEnd(nearEnd);
}

function scrollToEnd(really) {
  const list = $('#messages');
  if (really) list.scrollTop = list.scrollHeight;
}

// ---- actions ----

function mediaType(mime) {
  for (const kind of ['image', 'audio', 'video']) if (mime.startsWith(`${kind}/`)) return kind;
  return 'document';
}

function readDataURL(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });
}

async function sendReply(ev) {
  ev.preventDefault();
  const a = state.current;
  if (!a || a.status !== 'open') return;
  const textEl = $('#reply-text');
  const fileEl = $('#reply-file');
  const button = $('#reply-send');
  const error = $('#reply-error');
  const text = textEl.value.trim();
  const file = fileEl.files[0];
  error.textContent = '';
  if (!text && !file) {
    error.textContent = t('reply.empty');
    textEl.focus();
    return;
  }
  if (file && file.size > MAX_FILE) {
    error.textContent = t('reply.tooLarge');
    return;
  }
  button.disabled = true;
  try {
    const bodies = [];
    if (file) {
      const type = mediaType(file.type || '');
      const body = { type, media: { data: await readDataURL(file), filename: file.name } };
      if (file.type) body.media.mime = file.type;
      if (type === 'audio' && $('#reply-ptt').checked) body.ptt = true;
      if (text && type !== 'audio') body.caption = text;
      bodies.push(body);
      if (text && type === 'audio') bodies.push({ type: 'text', text }); // audio has no caption
    } else {
      bodies.push({ type: 'text', text });
    }
    // The first message quotes the one chosen (a file with its text is one).
    if (state.replyTo) bodies[0].reply_to = state.replyTo.id;
    for (const body of bodies) {
      const m = await api.reply(a.id, body);
      if (body.reply_to) cancelReplyTo(false);
      onMessage({ attendance_id: a.id, from: 'attendant', message: m });
    }
    textEl.value = '';
    fileEl.value = '';
    fileChosen();
  } catch (err) {
    error.textContent = t('msg.notSentError', { error: describe(err) });
  } finally {
    button.disabled = false;
    textEl.focus();
  }
}

function fileChosen() {
  const file = $('#reply-file').files[0];
  $('#reply-file-name').textContent = file ? `${file.name} (${bytes(file.size)})` : '';
  $('#reply-file-clear').hidden = !file;
  // An audio file may go as a voice note.
  const audio = !!file && mediaType(file.type || '') === 'audio';
  $('#reply-ptt-label').hidden = !audio;
  if (!audio) $('#reply-ptt').checked = false;
}

// setReplyTo makes the reply box quote m, shown above the box.
function setReplyTo(m) {
  if (!state.current || state.current.status !== 'open') return;
  state.replyTo = m;
  $('#reply-quote-sender').textContent = senderOf(m);
  $('#reply-quote-text').textContent = summary(m);
  $('#reply-quote').hidden = false;
  $('#reply-quote').dataset.id = m.id;
  $('#reply-text').focus();
}

// cancelReplyTo forgets the quoted message; focus returns to the box when
// the attendant cancelled it.
function cancelReplyTo(focus = true) {
  state.replyTo = null;
  const box = $('#reply-quote');
  if (!box) return;
  box.hidden = true;
  delete box.dataset.id;
  if (focus) $('#reply-text').focus();
}

// react sends the emoji on a message of the conversation; the emoji we
// already put there takes ours off. The chip shows once WhatsApp took it
// (message.reaction).
async function react(id, emoji, picker, btn) {
  const a = state.current;
  closePicker(picker, btn);
  btn.focus();
  if (!a || a.status !== 'open') return;
  const send = emoji === mineOn(id) ? '' : emoji;
  $('#conv-error').textContent = '';
  try {
    const m = await api.reply(a.id, { type: 'reaction', message_id: id, emoji: send });
    onMessage({ attendance_id: a.id, from: 'attendant', message: m });
    announce(send ? t('msg.reactedWith', { emoji: send }) : t('msg.reactionGone'));
  } catch (err) {
    $('#conv-error').textContent = t('msg.reactionFailed', { error: describe(err) });
  }
}

async function assign(ev) {
  ev.preventDefault();
  const a = state.current;
  const to = $('#assign-select').value;
  if (!a || !to) return;
  try {
    const got = await api.assign(a.id, to);
    a.attendant_id = got.attendant_id;
    const item = state.list.get(a.id);
    if (item) item.attendant_id = got.attendant_id;
    renderAssign();
    announce($('#assigned-to').textContent);
  } catch (err) {
    $('#conv-error').textContent = t('conv.notAssignedError', { error: describe(err) });
  }
}

async function closeCurrent() {
  const a = state.current;
  if (!a) return;
  $('#conv-error').textContent = '';
  try {
    const got = await api.close(a.id);
    onClosed({ attendance_id: a.id, reason: got.closed_reason, closed_at: got.closed_at });
    announce(t('conv.closedRate'));
  } catch (err) {
    $('#conv-error').textContent = t('conv.notClosed', { error: describe(err) });
  }
}

// relabel draws again, in the language just chosen, what scripts wrote.
export function relabel() {
  renderList();
  if (!state.current) return;
  renderHead();
  releaseMedia();
  $('#messages').replaceChildren(...tools.withDays((state.current.messages || []).filter(shown), messageEl));
  scrollToEnd(true);
  if (state.replyTo) {
    $('#reply-quote-sender').textContent = senderOf(state.replyTo);
    $('#reply-quote-text').textContent = summary(state.replyTo);
  }
}

export function initInbox() {
  tools.initTools({ reload: () => loadList(), onNote: addNote });
  $('#reply-form').addEventListener('submit', sendReply);
  $('#reply-form').addEventListener('keydown', (ev) => {
    // Esc drops the quoted message (and nothing else).
    if (ev.key === 'Escape' && state.replyTo) {
      ev.preventDefault();
      cancelReplyTo();
    }
  });
  $('#reply-quote-cancel').addEventListener('click', () => cancelReplyTo());
  $('#reply-text').addEventListener('keydown', (ev) => {
    // Enter sends, Shift+Enter starts a new line.
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('#reply-form').requestSubmit();
    }
  });
  $('#reply-file').addEventListener('change', fileChosen);
  $('#reply-file-clear').addEventListener('click', () => {
    $('#reply-file').value = '';
    fileChosen();
    $('#reply-file').focus();
  });
  $('#assign-form').addEventListener('submit', assign);
  $('#close-btn').addEventListener('click', closeCurrent);
  $('#show-open').addEventListener('click', () => setShow('open'));
  $('#show-closed').addEventListener('click', () => setShow('closed'));
  $('#load-more').addEventListener('click', () => loadList(true));
}
