// instances.js: the admin's WhatsApp instances, with their status live and
// the QR code shown (and replaced as it rotates) while one is linking, and
// the groups each connected instance is in, kept current by group.* events.

import { api, session } from './api.js';
import { $, h, announce, phone } from './dom.js';
import { openInstanceAdmin } from './instance_admin.js';
import { t } from './i18n.js';

const state = {
  items: new Map(), // instance id → instance
  qr: new Map(), // instance id → blob: URL of its current QR code
  loading: new Set(), // instance ids whose QR is being fetched
  groups: new Map(), // instance id → its groups (as GET …/groups lists them)
  groupsOpen: new Set(), // instance ids whose group list is unfolded (kept across renders)
};

const labels = {
  created: 'Starting', qr: 'Waiting for scan', connected: 'Connected', disconnected: 'Disconnected', logged_out: 'Logged out',
};

export function resetInstances() {
  for (const url of state.qr.values()) URL.revokeObjectURL(url);
  state.items = new Map();
  state.qr = new Map();
  state.groups = new Map();
  $('#instance-list').replaceChildren();
  $('#instance-list').removeAttribute('data-loaded');
}

export async function loadInstances() {
  const token = session()?.token;
  try {
    const page = await api.instances();
    if (session()?.token !== token) return; // logged out meanwhile
    state.items = new Map(page.items.map((i) => [i.id, i]));
    $('#instances-error').textContent = '';
  } catch (err) {
    $('#instances-error').textContent = `The instances could not be loaded: ${err.message}`;
    return;
  }
  render();
  $('#instance-list').dataset.loaded = 'true';
  for (const i of state.items.values()) {
    if (i.status === 'qr') loadQR(i.id);
    if (i.status === 'connected') {
      loadGroups(i.id);
      refresh(i.id); // one instance's GET carries its sending figures
    }
  }
}

async function loadGroups(id) {
  try {
    const page = await api.groups(id);
    state.groups.set(id, page.items);
  } catch (err) {
    if (err.status === 404) state.groups.delete(id);
    return;
  }
  render();
}

function groupList(i) {
  const groups = state.groups.get(i.id);
  if (!groups) return null;
  const sorted = [...groups].sort((a, b) => a.subject.localeCompare(b.subject));
  const toggle = (ev) => {
    if (ev.target.open) state.groupsOpen.add(i.id);
    else state.groupsOpen.delete(i.id);
  };
  return h('details', { class: 'groups', 'data-testid': 'instance-groups', open: state.groupsOpen.has(i.id), ontoggle: toggle },
    h('summary', {}, groups.length === 1 ? '1 group' : `${groups.length} groups`),
    sorted.length
      ? h('ul', {}, ...sorted.map((g) => h('li', { 'data-testid': 'group', title: g.jid, dataset: { jid: g.jid } },
        h('span', {}, g.subject || g.jid), ' ',
        h('span', { class: 'muted' }, g.participants_count === 1 ? '1 member' : `${g.participants_count} members`))))
      : h('p', { class: 'muted' }, 'Not in any group.'));
}

function render() {
  const items = [...state.items.values()].sort((a, b) => a.name.localeCompare(b.name));
  $('#instance-list').replaceChildren(...items.map(card));
  $('#instances-empty').hidden = items.length > 0;
}

function card(i) {
  const qr = state.qr.get(i.id);
  return h('li', { class: 'card', 'data-testid': 'instance', dataset: { id: i.id, status: i.status } },
    h('div', { class: 'card-head' },
      h('h2', {}, i.name),
      h('span', { class: `pill status-${i.status}`, 'data-testid': 'instance-status' }, labels[i.status] || i.status)),
    h('p', { class: 'muted' }, i.phone ? phone(i.phone) : 'No phone linked yet'),
    i.status_reason ? h('p', { class: 'muted' }, i.status_reason) : null,
    healthLine(i),
    i.status === 'qr'
      ? h('figure', { class: 'qr' },
        qr ? h('img', { src: qr, alt: `QR code to link ${i.name}`, 'data-testid': 'qr', width: 256, height: 256 })
          : h('p', { class: 'qr-wait' }, 'Waiting for the QR code…'),
        h('figcaption', {}, 'On the phone: WhatsApp › Settings › Linked devices › Link a device, then scan this code.'))
      : null,
    i.status === 'connected' ? groupList(i) : null,
    sendingFigures(i),
    h('div', { class: 'card-actions' },
      h('button', {
        type: 'button', 'data-testid': 'instance-manage', onclick: () => openInstanceAdmin(i, { onDeleted: removed }),
        'aria-label': `Manage ${i.name}: webhooks, send hooks, linking, deletion`,
      }, 'Manage'), ' ',
      h('button', {
        type: 'button', class: 'secondary', disabled: i.status !== 'connected', onclick: () => logout(i),
        'aria-label': `Log out ${i.name} from WhatsApp`,
      }, 'Log out')));
}

// healthLine says, when WhatsApp paused or banned the instance, until when
// and why, with the admin's Resume button; nothing when its health is ok.
function healthLine(i) {
  const hl = i.health;
  if (!hl || hl.state === 'ok' || !hl.until) return null;
  const until = new Date(hl.until);
  const sameDay = until.toDateString() === new Date().toDateString();
  const when = sameDay ? until.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : until.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
  const reason = t(`health.reason.${hl.reason}`) === `health.reason.${hl.reason}` ? hl.reason : t(`health.reason.${hl.reason}`);
  return h('p', { class: 'health', 'data-testid': 'instance-health', dataset: { state: hl.state } },
    h('span', { class: 'pill status-disconnected' }, t(hl.state === 'banned' ? 'health.banned' : 'health.paused', { until: when, reason })), ' ',
    h('button', {
      type: 'button', class: 'secondary', 'data-testid': 'instance-resume', onclick: () => resume(i),
      'aria-label': t('health.resumeLabel', { name: i.name }),
    }, t('health.resume')));
}

async function resume(i) {
  if (!window.confirm(t('health.resumeConfirm', { name: i.name }))) return;
  try {
    state.items.set(i.id, await api.resumeInstance(i.id));
    render();
    announce(t('health.resumed', { name: i.name }));
  } catch (err) {
    if (err.code === 'not_paused') { await refresh(i.id); return; }
    $('#instances-error').textContent = t('health.notResumed', { name: i.name, error: err.message });
  }
}

// sendingFigures shows what the instance sent and reached in the last 24 h
// and how many messages the new-contact cap holds (from GET one instance;
// lists leave the figures out).
function sendingFigures(i) {
  if (i.sent_24h === undefined) return null;
  const held = i.held_messages || 0;
  return h('p', { class: 'muted', 'data-testid': 'instance-sending' },
    t('inst.sending', { sent: i.sent_24h, new: i.new_contacts_24h || 0 }),
    held ? h('span', { class: 'pill', 'data-testid': 'instance-held' }, ' ', held === 1 ? t('inst.heldOne') : t('inst.held', { n: held })) : null);
}

// removed forgets an instance deleted from its admin panel.
function removed(id) {
  dropQR(id);
  state.items.delete(id);
  state.groups.delete(id);
  render();
}

async function loadQR(id) {
  if (state.loading.has(id)) return;
  state.loading.add(id);
  try {
    const blob = await api.qr(id);
    const old = state.qr.get(id);
    state.qr.set(id, URL.createObjectURL(blob));
    if (old) URL.revokeObjectURL(old);
  } catch (err) {
    if (err.code === 'already_connected') await refresh(id);
    // qr_unavailable: the next instance.qr event brings it
  } finally {
    state.loading.delete(id);
  }
  render();
}

function dropQR(id) {
  const url = state.qr.get(id);
  if (url) URL.revokeObjectURL(url);
  state.qr.delete(id);
}

async function refresh(id) {
  try {
    state.items.set(id, await api.instance(id));
  } catch (err) {
    if (err.status === 404) state.items.delete(id);
  }
  render();
}

async function logout(i) {
  if (!window.confirm(`Log ${i.name} out of WhatsApp? It must be linked again with a new QR code.`)) return;
  try {
    await api.logoutInstance(i.id);
    announce(`${i.name} is logging out`);
  } catch (err) {
    $('#instances-error').textContent = `${i.name} was not logged out: ${err.message}`;
  }
}

// handleEvent applies instance.status, instance.health, instance.qr and group.* from the
// feed; a group event reloads that instance's list (it is small, and one
// read keeps counts and subjects right whatever changed).
export function handleEvent(ev) {
  const id = ev.instance_id;
  if (!id) return;
  if (ev.type.startsWith('group.')) {
    if (state.items.get(id)?.status === 'connected') loadGroups(id);
    return;
  }
  if (!ev.type.startsWith('instance.')) return;
  const i = state.items.get(id);
  if (!i) {
    if (ev.type === 'instance.status' || ev.type === 'instance.qr') refresh(id).then(() => loadQRIfLinking(id));
    return;
  }
  if (ev.type === 'instance.status') {
    const before = i.status;
    Object.assign(i, { status: ev.data.status, phone: ev.data.phone || (ev.data.status === 'logged_out' ? '' : i.phone) });
    i.status_reason = ev.data.reason || '';
    if (i.status !== 'qr') dropQR(id);
    if (i.status === 'connected' && before !== 'connected') loadGroups(id);
    render();
    if (before !== i.status) announce(`${i.name}: ${labels[i.status] || i.status}`);
    loadQRIfLinking(id);
  } else if (ev.type === 'instance.health') {
    i.health = ev.data;
    render();
  } else if (ev.type === 'instance.qr') {
    i.status = 'qr';
    loadQR(id);
  }
}

function loadQRIfLinking(id) {
  if (state.items.get(id)?.status === 'qr' && !state.qr.has(id)) loadQR(id);
}

async function create(ev) {
  ev.preventDefault();
  const input = $('#instance-name');
  const error = $('#instances-error');
  error.textContent = '';
  const name = input.value.trim();
  if (!name) {
    error.textContent = 'Give the instance a name.';
    input.focus();
    return;
  }
  try {
    const created = await api.createInstance(name);
    const { token, ...instance } = created;
    if (!state.items.has(instance.id)) state.items.set(instance.id, instance); // the feed may have been first
    render();
    input.value = '';
    $('#new-token').value = token;
    $('#token-copied').textContent = '';
    $('#token-dialog').showModal();
    $('#new-token').select();
    loadQRIfLinking(instance.id);
  } catch (err) {
    error.textContent = `Not created: ${err.message}`;
  }
}

async function copyToken() {
  const input = $('#new-token');
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand('copy');
  }
  $('#token-copied').textContent = 'Copied.';
}

export function initInstances() {
  $('#create-instance-form').addEventListener('submit', create);
  $('#copy-token').addEventListener('click', copyToken);
  $('#token-dialog').addEventListener('close', () => {
    $('#new-token').value = ''; // shown once
  });
}
