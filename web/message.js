// message.js: what a message shows besides its text and file: the kinds
// (location, contact cards, poll), the quote it replies to, its reactions
// and its edited or deleted marks. Plain functions of the message; the
// conversation (inbox.js) owns the state and the actions.

import { h, phone } from './dom.js';
import { t } from './i18n.js';

// The emoji an attendant may react with.
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

const isPhone = (s) => /^\d{8,15}$/.test(s || '');
// who shows a person as the page does elsewhere: a phone with its +, a
// JID's phone part, else the address as given.
export function who(addr) {
  if (isPhone(addr)) return phone(addr);
  const m = /^(\d{8,15})@s\.whatsapp\.net$/.exec(addr || '');
  return m ? phone(m[1]) : addr || t('msg.someone');
}

const deg = (x) => Number(x).toFixed(6).replace(/\.?0+$/, '');

// osmLink is OpenStreetMap's page for a point: a link, so the dashboard
// itself loads no map tiles from anywhere.
export function osmLink(lat, lon) {
  const la = deg(lat);
  const lo = deg(lon);
  return `https://www.openstreetmap.org/?mlat=${la}&mlon=${lo}#map=17/${la}/${lo}`;
}

// summary is a message in a few words: for the list's preview, quotes and
// the reply box.
export function summary(m) {
  if (!m) return '';
  if (m.revoked_at) return t('msg.deleted');
  switch (m.type) {
    case 'text': return m.text || '';
    case 'location': return `📍 ${m.location?.name || t('msg.location')}`;
    case 'contact': return `👤 ${(m.contacts || []).map((c) => c.name).filter(Boolean).join(', ') || t('msg.contact')}`;
    case 'poll': return `📊 ${m.poll?.question || t('msg.poll')}`;
    case 'sticker': return t('msg.sticker');
    case 'reaction': return m.emoji ? t('msg.reacted', { emoji: m.emoji }) : t('msg.reactionRemoved');
    case 'audio': if (m.ptt) return m.caption || `🎤 ${t('msg.voiceNote')}`;
  }
  return m.caption || `${typeName(m.type)}${m.media?.filename ? `: ${m.media.filename}` : ''}`;
}

// typeName is a media type's word (image, audio…) in the current language.
export function typeName(type) {
  const key = `msg.type.${type}`;
  const word = t(key);
  return word === key ? type : word;
}

// kindEl shows a location, contact or poll message; null for other kinds.
export function kindEl(m) {
  if (m.type === 'location' && m.location) return locationEl(m.location);
  if (m.type === 'contact') return contactsEl(m.contacts || []);
  if (m.type === 'poll' && m.poll) return pollEl(m.poll);
  return null;
}

function locationEl(loc) {
  const coords = `${deg(loc.latitude)}, ${deg(loc.longitude)}`;
  return h('div', { class: 'location', 'data-testid': 'location' },
    h('span', { class: 'kind-icon', 'aria-hidden': 'true' }, '📍'),
    h('div', {},
      loc.name ? h('strong', { class: 'loc-name' }, loc.name) : null,
      loc.address ? h('p', { class: 'loc-address' }, loc.address) : null,
      h('p', { class: 'loc-coords muted' }, h('span', { class: 'sr-only' }, t('msg.coords')), coords),
      h('a', {
        href: osmLink(loc.latitude, loc.longitude), target: '_blank', rel: 'noopener noreferrer',
        'data-testid': 'osm-link',
      }, t('msg.osm'), h('span', { class: 'sr-only' }, ` ${t('msg.newTab')}`))));
}

function contactsEl(cards) {
  return h('ul', { class: 'contacts', 'aria-label': t(cards.length === 1 ? 'msg.contactCard' : 'msg.contactCards') },
    cards.map((c) => h('li', { class: 'contact-card', 'data-testid': 'contact-card' },
      h('span', { class: 'kind-icon', 'aria-hidden': 'true' }, '👤'),
      h('div', {},
        h('strong', {}, c.name || t('msg.unnamed')),
        c.organization ? h('p', { class: 'muted' }, c.organization) : null,
        // Plain text on purpose: no wa.me links that would leave the page.
        (c.phones || []).map((p) => h('p', { class: 'contact-phone' }, isPhone(p) ? phone(p) : p)),
        c.email ? h('p', { class: 'muted' }, c.email) : null))));
}

// pollEl shows a poll with its tally; updatePoll redraws it in place.
export function pollEl(poll) {
  const box = h('div', { class: 'poll', 'data-testid': 'poll' });
  fillPoll(box, poll);
  return box;
}

export function updatePoll(box, poll) {
  if (box && poll) fillPoll(box, poll);
}

function fillPoll(box, poll) {
  const options = poll.options || [];
  const total = options.reduce((n, o) => n + (o.votes || 0), 0);
  const rule = poll.selectable === 1 ? t('msg.chooseOne')
    : poll.selectable > 1 ? t('msg.chooseUpTo', { n: poll.selectable }) : t('msg.chooseAny');
  box.replaceChildren(
    h('p', { class: 'poll-question' }, h('span', { 'aria-hidden': 'true' }, '📊 '), h('strong', {}, poll.question || t('msg.poll'))),
    h('p', { class: 'muted poll-rule' }, rule),
    h('ul', { class: 'poll-options' }, options.map((o) => {
      const votes = o.votes || 0;
      const label = t(votes === 1 ? 'msg.vote' : 'msg.votes', { n: votes });
      return h('li', { 'data-testid': 'poll-option', dataset: { option: o.name, votes: String(votes) } },
        h('span', { class: 'poll-name' }, o.name),
        h('meter', { min: 0, max: Math.max(total, 1), value: votes, 'aria-label': `${o.name}: ${label}` }),
        h('span', { class: 'poll-votes' }, label));
    })));
}

// quoteEl shows the message m replies to: its sender and a few words.
// quoted is that message when the conversation has it (a button that goes
// to it), else undefined.
export function quoteEl(m, quoted, senderOf, goTo) {
  const sender = quoted ? senderOf(quoted) : '';
  const text = quoted ? summary(quoted) : t('msg.notShown');
  const body = [h('span', { class: 'quote-sender' }, sender), h('span', { class: 'quote-text' }, text)];
  const attrs = { class: 'quote', 'data-testid': 'quote', dataset: { quoted: m.reply_to } };
  if (!quoted) return h('div', attrs, ...body);
  return h('button', {
    ...attrs, type: 'button', 'aria-label': t('msg.quoteGo', { sender, text }),
    onclick: () => goTo(quoted.id),
  }, ...body);
}

// reactionsEl shows a message's reactions as chips, one per emoji with its
// count; mine is the emoji the instance put there ('' for none).
export function reactionsEl(reactions, mine) {
  const byEmoji = new Map();
  for (const r of reactions || []) {
    if (!r.emoji) continue;
    if (!byEmoji.has(r.emoji)) byEmoji.set(r.emoji, []);
    byEmoji.get(r.emoji).push(r.from);
  }
  const el = h('ul', { class: 'reactions', 'aria-label': t('msg.reactions') });
  for (const [emoji, from] of byEmoji) {
    const names = from.map(who).join(', ');
    el.append(h('li', {
      class: `reaction${emoji === mine ? ' mine' : ''}`, 'data-testid': 'reaction', dataset: { emoji, count: String(from.length) },
      title: names,
    }, h('span', { 'aria-hidden': 'true' }, emoji, from.length > 1 ? ` ${from.length}` : ''),
    h('span', { class: 'sr-only' }, t('msg.reactionFrom', { emoji, names }))));
  }
  el.hidden = byEmoji.size === 0;
  return el;
}
