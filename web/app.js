// app.js: the dashboard's entry point: login, navigation, the live feed.

import { api, session, saveSession, clearSession, isAdmin, onUnauthorized } from './api.js';
import { connectEvents } from './ws.js';
import { $, setBusy } from './dom.js';
import * as inbox from './inbox.js';
import * as instances from './instances.js';
import * as team from './team.js';
import { startTools, watch, relabelTools } from './tools.js';
import * as reports from './reports.js';
import { t, applyI18n, langSelect, onLangChange } from './i18n.js';

const views = ['inbox', 'instances', 'team', 'feedback', 'reports'];
let feed = null;
let view = '';

// ---- login ----

function showLogin(message = '') {
  feed?.close();
  feed = null;
  view = '';
  for (const v of views) $(`#${v}-view`).hidden = true;
  $('#nav').hidden = true;
  $('#who').hidden = true;
  $('#login-view').hidden = false;
  $('#login-error').textContent = message;
  $('#login-email').focus();
}

async function loginWithPassword(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const email = $('#login-email').value.trim();
  const password = $('#login-password').value;
  if (!email || !password) {
    $('#login-error').textContent = t('login.missing');
    return;
  }
  setBusy(form, true);
  try {
    const res = await api.login(email, password);
    const a = res.attendant;
    saveSession({ token: res.token, id: a.id, name: a.name, email: a.email, role: a.role });
    $('#login-password').value = '';
    start();
  } catch (err) {
    $('#login-error').textContent =
      err.status === 401 ? t('login.wrong')
        : err.status === 429 ? t('login.tooMany')
          : err.message;
  } finally {
    setBusy(form, false);
  }
}

async function loginWithToken(ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const token = $('#login-token').value.trim();
  if (!token) {
    $('#login-error').textContent = t('login.tokenMissing');
    return;
  }
  setBusy(form, true);
  try {
    await api.checkAdminToken(token);
    saveSession({ token, id: '', name: 'Administrator', email: '', role: 'admin' });
    $('#login-token').value = '';
    start();
  } catch (err) {
    $('#login-error').textContent = err.status === 401 || err.status === 404 ? t('login.tokenWrong') : err.message;
  } finally {
    setBusy(form, false);
  }
}

function logout() {
  clearSession();
  inbox.resetInbox();
  instances.resetInstances();
  showLogin();
}

// ---- after login ----

function start() {
  const s = session();
  $('#login-view').hidden = true;
  $('#nav').hidden = false;
  $('#who').hidden = false;
  $('#user-name').textContent = s.name;
  for (const el of document.querySelectorAll('[data-admin]')) el.hidden = !isAdmin();
  feed?.close();
  feed = connectEvents({ token: s.token, onEvent, onState });
  startTools();
  view = '';
  route();
}

function onEvent(ev) {
  watch(ev, inbox.known);
  if (ev.type.startsWith('attendance.') || inbox.MESSAGE_EVENTS.has(ev.type)) inbox.handleEvent(ev);
  if ((ev.type.startsWith('instance.') || ev.type.startsWith('group.')) && isAdmin()) instances.handleEvent(ev);
  if (ev.type === 'feedback.received' && view === 'feedback') loadFeedback();
}

function onState(state, info) {
  const live = $('#live');
  live.dataset.state = state;
  $('#live-text').textContent = t(`live.${state}`);
  if (state === 'open' && !info.resumed) {
    // A fresh feed (not a resume): what happened before it is read anew.
    inbox.loadList();
    if (view === 'instances') instances.loadInstances();
  }
  // A refused feed may mean the session ended: any API call finds out.
  if (state === 'closed' && info.attempt > 0) api.attendants().catch(() => {});
}

// ---- navigation: #/inbox[/<attendance id>], #/instances, #/feedback ----

function route() {
  if (!session()) return showLogin();
  const [, name = 'inbox', arg = ''] = location.hash.split('/');
  let next = views.includes(name) ? name : 'inbox';
  if (next !== 'inbox' && !isAdmin()) next = 'inbox';
  const entering = next !== view;
  view = next;
  for (const v of views) $(`#${v}-view`).hidden = v !== next;
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === next) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (next === 'inbox') {
    if (entering) inbox.loadList();
    inbox.openConversation(decodeURIComponent(arg));
  } else if (next === 'instances' && entering) {
    instances.loadInstances();
  } else if (next === 'team' && entering) {
    team.loadTeam();
  } else if (next === 'feedback' && entering) {
    loadFeedback();
  } else if (next === 'reports' && entering) {
    reports.loadReport();
  }
}

async function loadFeedback() {
  try {
    const sum = await api.feedbackSummary();
    $('#fb-average').textContent = sum.count ? sum.average.toFixed(1) : '–';
    $('#fb-count').textContent = String(sum.count);
    $('#fb-stars').style.setProperty('--fill', `${sum.count ? (sum.average / 5) * 100 : 0}%`);
    $('#feedback-error').textContent = '';
  } catch (err) {
    $('#feedback-error').textContent = `The summary could not be loaded: ${err.message}`;
  }
}

// ---- wiring ----

onUnauthorized(() => {
  clearSession();
  inbox.resetInbox();
  instances.resetInstances();
  showLogin(t('login.ended'));
});

applyI18n();
langSelect($('#lang'));
onLangChange(() => {
  $('#live-text').textContent = t(`live.${$('#live').dataset.state}`);
  if (session()) {
    inbox.relabel();
    relabelTools();
  }
  if (view === 'team') team.loadTeam();
});
team.initTeam();
$('#login-form').addEventListener('submit', loginWithPassword);
$('#token-form').addEventListener('submit', loginWithToken);
$('#logout').addEventListener('click', logout);
window.addEventListener('hashchange', route);
inbox.initInbox();
instances.initInstances();
reports.initReports();

if (session()) start();
else showLogin();
