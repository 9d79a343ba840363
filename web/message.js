// message.js: what a message shows besides its text and file: the kinds
// (location, contact cards, poll), the quote it replies to, its reactions
// and its edited or deleted marks. Plain functions of the message; the
// conversation (inbox.js) owns the state and the actions.

import { h, phone } from './dom.js';

// The emoji an attendant may react with.
export const REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

const isPhone = (s) => /^\d{8,15}$/.test(s || '');
// who shows a person as the page does elsewhere: a phone with its +, a
// JID's phone part, else the address as given.
export function who(addr) {
  if (isPhone(addr)) return phone(addr);
  const m = /^(\d{8,15})@s\.whatsapp\.net$/.exec(addr || '');
  return m ? phone(m[1]) : addr || 'Someone';
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
  if (m.revoked_at) return 'This message was deleted';
  switch (m.type) {
    case 'text': return m.text || '';
    case 'location': return `📍 ${m.location?.name || 'Location'}`;
    case 'contact': return `👤 ${(m.contacts || []).map((c) => c.name).filter(Boolean).join(', ') || 'Contact'}`;
    case 'poll': return `📊 ${m.poll?.question || 'Poll'}`;
    case 'sticker': return 'Sticker';
    case 'reaction': return m.emoji ? `Reacted ${m.emoji}` : 'Removed a reaction';
    case 'audio': if (m.ptt) return m.caption || '🎤 Voice note';
  }
  return m.caption || `${m.type}${m.media?.filename ? `: ${m.media.filename}` : ''}`;
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
      h('p', { class: 'loc-coords muted' }, h('span', { class: 'sr-only' }, 'Coordinates: '), coords),
      h('a', {
        href: osmLink(loc.latitude, loc.longitude), target: '_blank', rel: 'noopener noreferrer',
        'data-testid': 'osm-link',
      }, 'Open in OpenStreetMap', h('span', { class: 'sr-only' }, ' (opens in a new tab)'))));
}

function contactsEl(cards) {
  return h('ul', { class: 'contacts', 'aria-label': cards.length === 1 ? 'Contact card' : 'Contact cards' },
    cards.map((c) => h('li', { class: 'contact-card', 'data-testid': 'contact-card' },
      h('span', { class: 'kind-icon', 'aria-hidden': 'true' }, '👤'),
      h('div', {},
        h('strong', {}, c.name || 'Unnamed contact'),
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
  const rule = poll.selectable === 1 ? 'Choose one'
    : poll.selectable > 1 ? `Choose up to ${poll.selectable}` : 'Choose any';
  box.replaceChildren(
    h('p', { class: 'poll-question' }, h('span', { 'aria-hidden': 'true' }, '📊 '), h('strong', {}, poll.question || 'Poll')),
    h('p', { class: 'muted poll-rule' }, rule),
    h('ul', { class: 'poll-options' }, options.map((o) => {
      const votes = o.votes || 0;
      const label = `${votes} ${votes === 1 ? 'vote' : 'votes'}`;
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
  const text = quoted ? summary(quoted) : 'A message not shown here';
  const body = [h('span', { class: 'quote-sender' }, sender), h('span', { class: 'quote-text' }, text)];
  const attrs = { class: 'quote', 'data-testid': 'quote', dataset: { quoted: m.reply_to } };
  if (!quoted) return h('div', attrs, ...body);
  return h('button', {
    ...attrs, type: 'button', 'aria-label': `Replying to ${sender}: ${text}. Go to that message`,
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
  const el = h('ul', { class: 'reactions', 'aria-label': 'Reactions' });
  for (const [emoji, from] of byEmoji) {
    const names = from.map(who).join(', ');
    el.append(h('li', {
      class: `reaction${emoji === mine ? ' mine' : ''}`, 'data-testid': 'reaction', dataset: { emoji, count: String(from.length) },
      title: names,
    }, h('span', { 'aria-hidden': 'true' }, emoji, from.length > 1 ? ` ${from.length}` : ''),
    h('span', { class: 'sr-only' }, `${emoji} from ${names}`)));
  }
  el.hidden = byEmoji.size === 0;
  return el;
}
