// team.js: the admin's page for people: attendants (create, deactivate,
// capacity, presence shown) and teams (instances, members, routing).

import { api } from './api.js';
import { $, h } from './dom.js';
import { t } from './i18n.js';

const page = { attendants: [], teams: [], instances: [] };

function describe(err) {
  const fields = Object.entries(err.fields || {}).map(([k, v]) => `${k} ${v}`);
  return fields.length ? `${err.message}: ${fields.join(', ')}` : err.message;
}

const fail = (err) => {
  $('#team-error').textContent = t('team.failed', { error: describe(err) });
};

export async function loadTeam() {
  try {
    const [a, tm, i] = await Promise.all([api.attendants(), api.teams(), api.instances()]);
    page.attendants = a.items || [];
    page.teams = tm.items || [];
    page.instances = i.items || [];
    $('#team-error').textContent = '';
  } catch (err) {
    return fail(err);
  }
  renderAttendants();
  renderTeams();
}

function renderAttendants() {
  $('#attendant-rows').replaceChildren(...page.attendants.map((x) => {
    const cap = h('input', { type: 'number', min: '0', max: '1000', value: x.max_open, 'aria-label': `${t('team.capacity')}: ${x.name}`, class: 'num' });
    cap.addEventListener('change', () => patch(x, { max_open: Number(cap.value) }));
    return h('tr', { 'data-testid': 'attendant-row', dataset: { id: x.id } },
      h('td', {}, x.name, x.role === 'admin' ? ` (${t('team.roleAdmin')})` : ''),
      h('td', {}, x.email),
      h('td', {}, h('span', { class: `presence ${x.status || 'offline'}`, 'data-testid': 'presence-cell' }, t(`status.${x.status || 'offline'}`))),
      h('td', {}, String(x.open_count ?? 0)),
      h('td', {}, cap),
      h('td', {}, h('button', { type: 'button', class: 'secondary', onclick: () => patch(x, { active: !x.active }) },
        x.active ? t('team.deactivate') : t('team.activate'))));
  }));
}

async function patch(x, body) {
  try {
    await api.patchAttendant(x.id, body);
    await loadTeam();
  } catch (err) {
    fail(err);
  }
}

// teamForm edits a team (tm) or makes a new one (tm undefined) in form.
function teamForm(form, tm) {
  const checks = (name, items, chosen, label) => h('fieldset', {}, h('legend', {}, t(name)),
    ...items.map((x) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name, value: x.id, checked: chosen.includes(x.id) }), label(x))));
  const name = h('input', { type: 'text', name: 'name', maxlength: '100', required: true, value: tm?.name || '', 'aria-label': t('team.name') });
  const routing = h('select', { name: 'routing', 'aria-label': t('team.routing') },
    h('option', { value: 'round_robin', selected: tm?.routing !== 'manual' }, t('team.roundRobin')),
    h('option', { value: 'manual', selected: tm?.routing === 'manual' }, t('team.manual')));
  form.replaceChildren(
    h('label', {}, t('team.name'), ' ', name),
    h('label', {}, t('team.routing'), ' ', routing),
    checks('team.instances', page.instances, tm?.instance_ids || [], (x) => x.name),
    checks('team.members', page.attendants.filter((x) => x.active), tm?.attendant_ids || [], (x) => x.name),
    h('button', { type: 'submit' }, tm ? t('team.save') : t('team.create')),
    tm ? h('button', { type: 'button', class: 'danger', onclick: () => removeTeam(tm) }, t('team.delete')) : null);
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const picked = (n) => [...form.querySelectorAll(`input[name="${n}"]:checked`)].map((i) => i.value);
    const body = { name: name.value.trim(), routing: routing.value, instance_ids: picked('team.instances'), attendant_ids: picked('team.members') };
    try {
      if (tm) await api.patchTeam(tm.id, body);
      else await api.createTeam(body);
      await loadTeam();
    } catch (err) {
      fail(err);
    }
  };
  return form;
}

async function removeTeam(tm) {
  try {
    await api.deleteTeam(tm.id);
    await loadTeam();
  } catch (err) {
    fail(err);
  }
}

function renderTeams() {
  $('#team-list').replaceChildren(...page.teams.map((tm) => h('li', { class: 'card', 'data-testid': 'team-item' },
    h('h3', {}, tm.name), teamForm(h('form', { class: 'team-form' }), tm))));
  teamForm($('#new-team-form'));
}

async function createAttendant(ev) {
  ev.preventDefault();
  const body = { name: $('#na-name').value.trim(), email: $('#na-email').value.trim(), password: $('#na-password').value, role: $('#na-role').value };
  try {
    await api.createAttendant(body);
    $('#new-attendant-form').reset();
    await loadTeam();
  } catch (err) {
    fail(err);
  }
}

export function initTeam() {
  $('#new-attendant-form').addEventListener('submit', createAttendant);
}
