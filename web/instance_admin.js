// instance_admin.js: one instance's admin panel, opened from its card:
// webhooks (with their deliveries and redelivery), send hooks, linking by
// phone number, and deleting the instance. It lives in a modal dialog built
// here, so the instances page only needs a "Manage" button.

import { api } from './api.js';
import { h, announce, when } from './dom.js';

// The events a webhook may ask for (domain.WebhookEventTypes); the API
// refuses any other, so the checkboxes cannot offer one it does not know.
const EVENT_TYPES = [
  'message.received', 'message.status', 'instance.status', 'instance.qr', 'instance.health',
  'attendance.opened', 'attendance.message', 'attendance.closed', 'feedback.received',
  'attendance.assigned', 'attendance.transferred', 'attendance.note', 'attendance.reopened',
  'group.joined', 'group.left', 'group.updated', 'group.participants',
  'poll.vote', 'message.reaction', 'message.edited', 'message.revoked',
];
const DEFAULT_EVENTS = new Set(['message.received', 'message.status', 'instance.status']);

const FORMATS = [
  ['auto', 'Auto (detected per post)'],
  ['text', 'Text ({"to","text"} or plain text)'],
  ['alertmanager', 'Prometheus Alertmanager'],
  ['grafana', 'Grafana alerts'],
  ['github', 'GitHub'],
];

// Deliveries have no feed event: an open deliveries table is read again
// this often while the panel is open.
const DELIVERIES_EVERY_MS = 3000;

let current = null; // {instance, dialog, timers, onDeleted}

// openInstanceAdmin shows the panel for instance i; onDeleted runs after the
// instance is deleted from it.
export function openInstanceAdmin(i, { onDeleted = () => {} } = {}) {
  closeInstanceAdmin();
  const dialog = h('dialog', {
    class: 'admin-panel', 'data-testid': 'instance-admin', 'aria-labelledby': 'admin-title', dataset: { id: i.id },
  });
  current = { instance: i, dialog, timers: new Map(), onDeleted };
  dialog.addEventListener('close', () => {
    if (current?.dialog === dialog) closeInstanceAdmin();
    // Back to the card's button (the card may have been drawn anew meanwhile).
    document.querySelector(`[data-testid="instance"][data-id="${CSS.escape(i.id)}"] [data-testid="instance-manage"]`)?.focus();
  });
  dialog.append(...[
    h('div', { class: 'admin-head' },
      h('h2', { id: 'admin-title' }, `Manage ${i.name}`),
      h('button', { type: 'button', class: 'secondary', 'data-testid': 'admin-close', onclick: () => dialog.close() }, 'Close')),
    h('p', { id: 'admin-error', class: 'error', role: 'alert', 'data-testid': 'admin-error' }),
    webhooksSection(i),
    sendHooksSection(i),
    i.status !== 'connected' ? pairSection(i) : null,
    deleteSection(i),
  ].filter(Boolean));
  document.body.append(dialog);
  dialog.showModal();
  loadWebhooks();
  loadSendHooks();
}

export function closeInstanceAdmin() {
  if (!current) return;
  const { dialog, timers } = current;
  for (const t of timers.values()) clearInterval(t);
  current = null;
  if (dialog.open) dialog.close();
  dialog.remove();
}

// ---- helpers ----

const q = (sel) => current?.dialog.querySelector(sel);

function showError(text) {
  const el = q('#admin-error');
  if (el) el.textContent = text;
}

// shownOnce opens a small dialog over the panel with a value the API gives
// only once (a webhook secret, a send hook URL), with a copy button.
function shownOnce(title, explain, label, value, testid) {
  const input = h('input', { id: 'once-value', type: 'text', readonly: true, spellcheck: 'false', value, 'data-testid': testid });
  const copied = h('p', { class: 'muted', role: 'status' });
  const d = h('dialog', { 'aria-labelledby': 'once-title', 'data-testid': 'shown-once' },
    h('h2', { id: 'once-title' }, title),
    h('p', {}, explain),
    h('label', { for: 'once-value' }, label),
    input,
    copied,
    h('div', { class: 'dialog-actions' },
      h('button', {
        type: 'button', class: 'secondary', onclick: async () => {
          input.select();
          try {
            await navigator.clipboard.writeText(input.value);
          } catch {
            document.execCommand('copy');
          }
          copied.textContent = 'Copied.';
        },
      }, 'Copy'),
      h('button', { type: 'button', 'data-testid': 'shown-once-done', onclick: () => d.close() }, 'Done')));
  d.addEventListener('close', () => {
    input.value = ''; // shown once
    d.remove();
  });
  (current?.dialog || document.body).append(d);
  d.showModal();
  input.select();
}

// ---- webhooks ----

function webhooksSection(i) {
  const boxes = EVENT_TYPES.map((t) => h('label', { class: 'check' },
    h('input', { type: 'checkbox', name: 'events', value: t, checked: DEFAULT_EVENTS.has(t) }), ` ${t}`));
  const form = h('form', { class: 'admin-form', 'data-testid': 'webhook-form', onsubmit: (ev) => createWebhook(ev, i) },
    h('label', { for: 'webhook-url' }, 'Address zapgate posts events to'),
    h('input', { id: 'webhook-url', type: 'url', required: true, placeholder: 'https://example.com/zapgate', autocomplete: 'off' }),
    h('fieldset', { class: 'events' }, h('legend', {}, 'Events'), ...boxes),
    h('button', { type: 'submit', 'data-testid': 'webhook-create' }, 'Add webhook'));
  return h('section', { class: 'admin-section', 'aria-labelledby': 'webhooks-title' },
    h('h3', { id: 'webhooks-title' }, 'Webhooks'),
    h('ul', { id: 'webhook-list', class: 'admin-list', 'data-testid': 'webhook-list' }),
    h('p', { id: 'webhooks-empty', class: 'muted', hidden: true }, 'No webhooks yet.'),
    h('details', { class: 'admin-add' }, h('summary', { 'data-testid': 'webhook-add' }, 'Add a webhook'), form));
}

async function loadWebhooks() {
  const cur = current;
  try {
    const page = await api.webhooks(cur.instance.id);
    if (current !== cur) return;
    const list = q('#webhook-list');
    list.replaceChildren(...page.items.map((w) => webhookItem(cur.instance, w)));
    list.dataset.loaded = 'true';
    q('#webhooks-empty').hidden = page.items.length > 0;
  } catch (err) {
    if (current === cur) showError(`The webhooks could not be loaded: ${err.message}`);
  }
}

function webhookItem(i, w) {
  const tableId = `deliveries-${w.id}`;
  return h('li', { 'data-testid': 'webhook', dataset: { id: w.id } },
    h('div', { class: 'admin-row' },
      h('span', { class: 'mono', 'data-testid': 'webhook-url' }, w.url),
      h('span', { class: 'row-actions' },
        h('button', {
          type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': tableId,
          'data-testid': 'webhook-deliveries', onclick: (ev) => toggleDeliveries(ev.currentTarget, i, w),
        }, 'Deliveries'),
        h('button', {
          type: 'button', class: 'danger', 'data-testid': 'webhook-delete', 'aria-label': `Delete the webhook to ${w.url}`,
          onclick: () => deleteWebhook(i, w),
        }, 'Delete'))),
    h('p', { class: 'muted' }, w.events.join(', ')),
    h('div', { id: tableId, class: 'deliveries', hidden: true }));
}

async function createWebhook(ev, i) {
  ev.preventDefault();
  const form = ev.currentTarget;
  showError('');
  const url = q('#webhook-url').value.trim();
  const events = [...form.querySelectorAll('input[name="events"]:checked')].map((b) => b.value);
  if (!url) return showError('Give the webhook an address.');
  if (!events.length) return showError('Choose at least one event.');
  try {
    const w = await api.createWebhook(i.id, url, events);
    q('#webhook-url').value = '';
    form.closest('details').open = false;
    await loadWebhooks();
    shownOnce('Webhook added',
      'Each delivery is signed with this secret (Standard Webhooks). Copy it now: it is shown only once.',
      'Signing secret', w.secret, 'webhook-secret');
  } catch (err) {
    showError(`The webhook was not added: ${fieldsText(err)}`);
  }
}

async function deleteWebhook(i, w) {
  if (!window.confirm(`Delete the webhook to ${w.url}? Its pending deliveries stop.`)) return;
  try {
    await api.deleteWebhook(i.id, w.id);
    stopDeliveries(w.id);
    announce('Webhook deleted');
    await loadWebhooks();
  } catch (err) {
    showError(`The webhook was not deleted: ${err.message}`);
  }
}

function toggleDeliveries(button, i, w) {
  const box = q(`#deliveries-${CSS.escape(w.id)}`);
  const open = box.hidden;
  box.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (!open) return stopDeliveries(w.id);
  loadDeliveries(i, w);
  current.timers.set(w.id, setInterval(() => loadDeliveries(i, w), DELIVERIES_EVERY_MS));
}

function stopDeliveries(wid) {
  clearInterval(current?.timers.get(wid));
  current?.timers.delete(wid);
}

async function loadDeliveries(i, w) {
  const cur = current;
  let page;
  try {
    page = await api.deliveries(i.id, w.id);
  } catch (err) {
    if (current === cur) showError(`The deliveries could not be loaded: ${err.message}`);
    return;
  }
  const box = current === cur && q(`#deliveries-${CSS.escape(w.id)}`);
  if (!box) return;
  box.dataset.loaded = 'true';
  if (!page.items.length) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No deliveries yet.'));
    return;
  }
  box.replaceChildren(h('table', { 'data-testid': 'deliveries' },
    h('caption', { class: 'sr-only' }, `Deliveries to ${w.url}`),
    h('thead', {}, h('tr', {}, ...['Event', 'Status', 'Attempts', 'Last answer', 'Next attempt', '']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...page.items.map((d) => h('tr', { 'data-testid': 'delivery', dataset: { id: d.id, status: d.status } },
      h('td', {}, d.event_type),
      h('td', {}, h('span', { class: `pill delivery-${d.status}`, 'data-testid': 'delivery-status' }, d.status)),
      h('td', { 'data-testid': 'delivery-attempts' }, String(d.attempts)),
      h('td', {}, [d.last_status_code ? String(d.last_status_code) : '', d.last_error].filter(Boolean).join(' · ') || '–'),
      h('td', {}, d.status === 'pending' ? when(d.next_attempt_at) : '–'),
      h('td', {}, h('button', {
        type: 'button', class: 'secondary', 'data-testid': 'redeliver', 'aria-label': `Redeliver ${d.event_type} ${d.event_id}`,
        onclick: (ev) => redeliver(ev.currentTarget, i, w, d),
      }, 'Redeliver')))))));
}

async function redeliver(button, i, w, d) {
  button.disabled = true;
  try {
    await api.redeliver(i.id, w.id, d.id);
    announce(`${d.event_type} queued for redelivery`);
    await loadDeliveries(i, w);
  } catch (err) {
    showError(`Not redelivered: ${err.message}`);
    button.disabled = false;
  }
}

// ---- send hooks ----

function sendHooksSection(i) {
  const form = h('form', { class: 'admin-form', 'data-testid': 'sendhook-form', onsubmit: (ev) => createSendHook(ev, i) },
    h('label', { for: 'sendhook-name' }, 'Name'),
    h('input', { id: 'sendhook-name', type: 'text', maxlength: '100', required: true, autocomplete: 'off' }),
    h('label', { for: 'sendhook-to' }, 'Default recipient (optional: phone, JID or group)'),
    h('input', { id: 'sendhook-to', type: 'text', autocomplete: 'off', 'aria-describedby': 'sendhook-to-help' }),
    h('p', { id: 'sendhook-to-help', class: 'muted' }, 'Posts without a "to" go to this recipient.'),
    h('label', { for: 'sendhook-format' }, 'What is posted to it'),
    h('select', { id: 'sendhook-format' }, ...FORMATS.map(([v, label]) => h('option', { value: v }, label))),
    h('button', { type: 'submit', 'data-testid': 'sendhook-create' }, 'Add send hook'));
  return h('section', { class: 'admin-section', 'aria-labelledby': 'sendhooks-title' },
    h('h3', { id: 'sendhooks-title' }, 'Send hooks'),
    h('p', { class: 'muted' }, 'A secret address: whatever is posted to it is sent as a WhatsApp text.'),
    h('ul', { id: 'sendhook-list', class: 'admin-list', 'data-testid': 'sendhook-list' }),
    h('p', { id: 'sendhooks-empty', class: 'muted', hidden: true }, 'No send hooks yet.'),
    h('details', { class: 'admin-add' }, h('summary', { 'data-testid': 'sendhook-add' }, 'Add a send hook'), form));
}

async function loadSendHooks() {
  const cur = current;
  try {
    const page = await api.sendHooks(cur.instance.id);
    if (current !== cur) return;
    const list = q('#sendhook-list');
    list.replaceChildren(...page.items.map((s) => h('li', { 'data-testid': 'sendhook', dataset: { id: s.id } },
      h('div', { class: 'admin-row' },
        h('span', {}, h('strong', {}, s.name), ' ',
          h('span', { class: 'muted' }, [s.to ? `to ${s.to}` : 'no default recipient', s.format].filter(Boolean).join(' · '))),
        h('button', {
          type: 'button', class: 'danger', 'data-testid': 'sendhook-delete', 'aria-label': `Delete the send hook ${s.name}`,
          onclick: () => deleteSendHook(cur.instance, s),
        }, 'Delete')))));
    list.dataset.loaded = 'true';
    q('#sendhooks-empty').hidden = page.items.length > 0;
  } catch (err) {
    if (current === cur) showError(`The send hooks could not be loaded: ${err.message}`);
  }
}

async function createSendHook(ev, i) {
  ev.preventDefault();
  const form = ev.currentTarget;
  showError('');
  const name = q('#sendhook-name').value.trim();
  if (!name) return showError('Give the send hook a name.');
  const hook = { name, format: q('#sendhook-format').value };
  const to = q('#sendhook-to').value.trim();
  if (to) hook.to = to;
  try {
    const s = await api.createSendHook(i.id, hook);
    form.reset();
    form.closest('details').open = false;
    await loadSendHooks();
    shownOnce('Send hook added',
      'Post to this address to send a message. Anyone who has it can send: copy it now, it is shown only once.',
      'Address', s.url, 'sendhook-url');
  } catch (err) {
    showError(`The send hook was not added: ${fieldsText(err)}`);
  }
}

async function deleteSendHook(i, s) {
  if (!window.confirm(`Delete the send hook ${s.name}? Its address stops working at once.`)) return;
  try {
    await api.deleteSendHook(i.id, s.id);
    announce('Send hook deleted');
    await loadSendHooks();
  } catch (err) {
    showError(`The send hook was not deleted: ${err.message}`);
  }
}

// ---- linking by phone number ----

function pairSection(i) {
  const code = h('p', { id: 'pair-code', class: 'pair-code', 'data-testid': 'pair-code', 'aria-live': 'polite' });
  const form = h('form', { class: 'pair-form', 'data-testid': 'pair-form', onsubmit: (ev) => pair(ev, i, code) },
    h('label', { for: 'pair-phone' }, 'Phone number of the WhatsApp account (with country code)'),
    h('input', { id: 'pair-phone', type: 'tel', autocomplete: 'off', placeholder: '5511999999999', required: true }),
    h('button', { type: 'submit', 'data-testid': 'pair-submit' }, 'Get a code'));
  return h('section', { class: 'admin-section', 'aria-labelledby': 'pair-title' },
    h('h3', { id: 'pair-title' }, 'Link with a phone number'),
    h('p', { class: 'muted' }, 'Instead of scanning the QR code, type a code on the phone.'),
    form,
    code,
    h('p', { id: 'pair-help', class: 'muted', hidden: true },
      'On the phone: WhatsApp › Settings › Linked devices › Link a device › Link with phone number instead, then type this code.'));
}

async function pair(ev, i, out) {
  ev.preventDefault();
  showError('');
  const phone = q('#pair-phone').value.replace(/[^\d]/g, '');
  if (!phone) return showError('Enter the phone number, with its country code.');
  try {
    const res = await api.pairCode(i.id, phone);
    out.textContent = res.code;
    q('#pair-help').hidden = false;
  } catch (err) {
    out.textContent = '';
    q('#pair-help').hidden = true;
    showError(err.code === 'already_connected' ? `${i.name} is already connected.` : `No code: ${fieldsText(err)}`);
  }
}

// ---- deleting the instance ----

function deleteSection(i) {
  const input = h('input', { id: 'delete-confirm', type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'delete-help' });
  const button = h('button', { type: 'submit', class: 'danger', disabled: true, 'data-testid': 'instance-delete' }, 'Delete instance');
  input.addEventListener('input', () => {
    button.disabled = input.value !== i.name;
  });
  return h('section', { class: 'admin-section danger-zone', 'aria-labelledby': 'delete-title' },
    h('h3', { id: 'delete-title' }, 'Delete this instance'),
    h('p', { id: 'delete-help', class: 'muted' },
      `Its WhatsApp session is logged out and its API token stops working. Type ${i.name} to confirm.`),
    h('form', { class: 'inline-form', onsubmit: (ev) => deleteInstance(ev, i, button) },
      h('label', { for: 'delete-confirm' }, 'Instance name'),
      input,
      button));
}

async function deleteInstance(ev, i, button) {
  ev.preventDefault();
  if (q('#delete-confirm').value !== i.name) return;
  button.disabled = true;
  const { onDeleted } = current;
  try {
    await api.deleteInstance(i.id);
  } catch (err) {
    showError(`${i.name} was not deleted: ${err.message}`);
    button.disabled = false;
    return;
  }
  closeInstanceAdmin();
  announce(`${i.name} deleted`);
  onDeleted(i.id);
}

// fieldsText is an API error with the fields it names, if any.
function fieldsText(err) {
  const f = Object.entries(err.fields || {}).map(([k, v]) => `${k}: ${v}`);
  return f.length ? `${err.message} (${f.join('; ')})` : err.message;
}
