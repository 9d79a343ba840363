// feedback.js: the public page behind the link a client gets when a
// conversation closes: one rating from 1 to 5 and an optional comment.

import { t, applyI18n, langSelect, onLangChange } from './i18n.js';

const $ = (selector) => document.querySelector(selector);
const token = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const url = `/v1/feedback/${encodeURIComponent(token)}`;

const icons = { done: '✓', used: '✓', expired: '!', unknown: '?', error: '!' };

// show replaces the form with a final state: done, used, expired, unknown or error.
function show(name) {
  const icon = icons[name];
  const title = t(`fb.${name}Title`);
  const text = t(`fb.${name}Text`);
  $('#fb-loading').hidden = true;
  $('#feedback-form').hidden = true;
  const box = $('#fb-state');
  box.dataset.state = name;
  box.querySelector('.fb-icon').textContent = icon;
  $('#fb-state-title').textContent = title;
  $('#fb-state-text').textContent = text;
  box.hidden = false;
  box.focus();
}

async function load() {
  if (!token) return show('unknown');
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json' } });
  } catch {
    return show('error');
  }
  if (res.status === 404) return show('unknown');
  if (!res.ok) return show('error');
  const { status } = await res.json();
  if (status === 'used' || status === 'expired') return show(status);
  $('#fb-loading').hidden = true;
  $('#feedback-form').hidden = false;
}

function highlight() {
  const checked = document.querySelector('input[name="rating"]:checked');
  $('#rating').dataset.value = checked ? checked.value : '';
}

async function submit(ev) {
  ev.preventDefault();
  const error = $('#fb-error');
  const checked = document.querySelector('input[name="rating"]:checked');
  if (!checked) {
    error.textContent = t('fb.choose');
    $('#rating-1').focus();
    return;
  }
  error.textContent = '';
  const button = $('#feedback-submit');
  button.disabled = true;
  let res;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ rating: Number(checked.value), comment: $('#comment').value.trim() }),
    });
  } catch {
    error.textContent = t('fb.netError');
    button.disabled = false;
    return;
  }
  if (res.status === 201) return show('done');
  if (res.status === 409) return show('used');
  if (res.status === 410) return show('expired');
  if (res.status === 404) return show('unknown');
  let message = t('fb.retry');
  try {
    const body = (await res.json()).error;
    const fields = Object.values(body.fields || {});
    if (body.message) message = fields.length ? `${body.message}: ${fields.join(', ')}` : body.message;
  } catch {
    // keep the generic message
  }
  error.textContent = message;
  button.disabled = false;
}

applyI18n();
langSelect($('#lang'));
// A final state already shown is written again in the new language.
onLangChange(() => {
  const name = $('#fb-state').dataset.state;
  if (name && !$('#fb-state').hidden) {
    $('#fb-state-title').textContent = t(`fb.${name}Title`);
    $('#fb-state-text').textContent = t(`fb.${name}Text`);
  }
});
$('#feedback-form').addEventListener('submit', submit);
$('#rating').addEventListener('change', highlight);
load();
