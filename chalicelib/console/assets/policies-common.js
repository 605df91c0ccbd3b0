// What the Access Policies and Token Preview tabs share: the names of grant types, durations in words, the lists
// they pick from (clients, groups, scopes, users) and the pickers built on them. API: /api/v1/apps (the clients),
// /api/v1/groups, /api/v1/users?q=, /api/v1/authorizationServers/{id}/scopes.
import { h, mount, nextId, button, loading, errorBox } from './ui.js';

// The grant types a rule may name (admin/rules.py GRANT_TYPES): the first four have a flow in tokenmint.
export const USER_GRANTS = [
  ['authorization_code', 'Authorization Code'],
  ['implicit', 'Implicit (hybrid)'],
  ['password', 'Resource Owner Password'],
];
export const CLIENT_GRANTS = [['client_credentials', 'Client Credentials']];
export const OTHER_GRANTS = [
  ['urn:ietf:params:oauth:grant-type:device_code', 'Device Authorization'],
  ['urn:ietf:params:oauth:grant-type:token-exchange', 'Token Exchange'],
  ['urn:ietf:params:oauth:grant-type:saml2-bearer', 'SAML 2.0 Assertion'],
  ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'JWT Bearer'],
  ['urn:openid:params:grant-type:ciba', 'Client-Initiated Backchannel Authentication'],
  ['interaction_code', 'Interaction Code'],
  ['urn:okta:params:oauth:grant-type:otp', 'MFA OTP (Okta)'],
  ['urn:okta:params:oauth:grant-type:oob', 'MFA OOB (Okta)'],
  ['http://auth0.com/oauth/grant-type/mfa-otp', 'MFA OTP'],
  ['http://auth0.com/oauth/grant-type/mfa-oob', 'MFA OOB'],
];
const GRANT_NAMES = Object.fromEntries([...CLIENT_GRANTS, ...USER_GRANTS, ...OTHER_GRANTS,
  ['refresh_token', 'Refresh Token']]);
export const grantName = (type) => GRANT_NAMES[type] || type;
export const EVERYONE = 'EVERYONE';
export const ALL_CLIENTS = 'ALL_CLIENTS';

// 90 -> "1 hour 30 minutes", 10080 -> "7 days", 0 -> "unlimited".
export function duration(minutes) {
  if (minutes === 0) return 'unlimited';
  if (minutes === null || minutes === undefined || Number.isNaN(minutes)) return '—';
  const parts = [];
  let rest = minutes;
  for (const [size, one, many] of [[1440, 'day', 'days'], [60, 'hour', 'hours'], [1, 'minute', 'minutes']]) {
    const n = Math.floor(rest / size);
    if (n) parts.push(`${n} ${n === 1 ? one : many}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(' ') || `${minutes} minutes`;
}

// The OAuth clients as {id, name, grantTypes, responseTypes, status}, from the Applications API (or, when that
// is refused, the client registration API, which every role that may manage servers can read).
export async function loadClients(api) {
  try {
    const apps = await api.list('/api/v1/apps?limit=200');
    return apps.filter((a) => a.settings?.oauthClient || a.credentials?.oauthClient).map((a) => ({
      id: a.credentials?.oauthClient?.client_id || a.id,
      name: a.label || a.name || a.id,
      grantTypes: a.settings?.oauthClient?.grant_types || [],
      responseTypes: a.settings?.oauthClient?.response_types || [],
      status: a.status,
    })).sort(byName);
  } catch {
    const clients = await api.list('/oauth2/v1/clients?limit=200');
    return clients.map((c) => ({
      id: c.client_id, name: c.client_name || c.client_id, grantTypes: c.grant_types || [],
      responseTypes: c.response_types || [], status: 'ACTIVE',
    })).sort(byName);
  }
}

const byName = (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);

// The groups a rule can name (the built-in Everyone group is the rule's "any user assigned the app").
export async function loadGroups(api) {
  const groups = await api.list('/api/v1/groups?limit=200');
  return groups.filter((g) => g.type !== 'BUILT_IN')
    .map((g) => ({ id: g.id, name: g.profile?.name || g.id, description: g.profile?.description || '' }))
    .sort(byName);
}

export async function loadScopes(api, serverId) {
  return api.list(`/api/v1/authorizationServers/${encodeURIComponent(serverId)}/scopes`);
}

export const userLabel = (u) => {
  const p = u.profile || {};
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ');
  return name ? `${name} (${p.login})` : (p.login || u.id);
};

// A fieldset-like wrapper whose API error (Okta's cause "path: message") shows right under its legend. ui.form's
// showErrors finds it by data-path and fills its first .field-error.
export function group({ legend, path = '', help = null, className = '' }, ...children) {
  const helpId = help ? nextId('help') : null;
  const errorId = nextId('error');
  return h('fieldset', { class: `field pol-group ${className}`.trim(), dataset: { path },
    'aria-describedby': [helpId, errorId].filter(Boolean).join(' ') },
  h('legend', {}, legend),
  h('p', { class: 'field-error', id: errorId, hidden: true }),
  help ? h('p', { class: 'help', id: helpId }, help) : null,
  children);
}

// A checkbox or radio with its label.
export function choice({ type = 'checkbox', name, value, label, checked = false, hint = null, onchange = null }) {
  const id = nextId('choice');
  const input = h('input', { type, id, name, value, checked, onchange });
  return { input, el: h('div', { class: 'pol-choice' }, input,
    h('label', { for: id }, label, hint ? [' ', h('span', { class: 'pol-hint' }, hint)] : null)) };
}

// A filterable list of checkboxes. Values selected but not among the items (a deleted client) are listed too.
export function checklist({ label, items, selected = [], emptyText = 'Nothing to choose from.', filterLabel = null }) {
  const chosen = new Set(selected);
  const known = new Set(items.map((i) => i.value));
  const all = [...items, ...[...chosen].filter((v) => !known.has(v)).map((v) => ({ value: v, label: v, hint: 'not found' }))];
  const boxes = all.map((item) => ({ item, ...choice({ value: item.value, label: item.label, hint: item.hint, checked: chosen.has(item.value) }) }));
  const list = h('div', { class: 'pol-checklist', role: 'group', 'aria-label': label }, boxes.map((b) => b.el));
  const filter = filterLabel && all.length > 6 ? h('input', {
    type: 'search', class: 'pol-filter', 'aria-label': filterLabel, placeholder: filterLabel,
    oninput: (e) => {
      const q = e.target.value.trim().toLowerCase();
      for (const b of boxes) b.el.hidden = !!q && !`${b.item.label} ${b.item.value} ${b.item.hint || ''}`.toLowerCase().includes(q);
    },
  }) : null;
  const el = h('div', { class: 'pol-checklist-wrap' }, all.length ? [filter, list] : h('p', { class: 'help' }, emptyText));
  return { el, values: () => boxes.filter((b) => b.input.checked).map((b) => b.item.value), inputs: boxes.map((b) => b.input) };
}

// Picks users by searching the directory (GET /api/v1/users?q=): chosen users as removable chips. Without the right
// to read users, a text area of user ids.
export function userPicker(ctx, { label, selectedIds = [] }) {
  if (!ctx.abilities.canRead('users')) {
    const id = nextId('users');
    const area = h('textarea', { id, rows: 2, class: 'mono' }, selectedIds.join('\n'));
    return {
      el: h('div', { class: 'pol-users' }, h('label', { for: id, class: 'pol-sublabel' }, `${label}: user IDs, one per line`), area),
      values: () => area.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean),
    };
  }
  const chosen = new Map(selectedIds.map((uid) => [uid, uid]));
  const chips = h('ul', { class: 'pol-chips', 'aria-label': `Chosen ${label.toLowerCase()}` });
  const results = h('div', { class: 'pol-results', 'aria-live': 'polite' });
  const inputId = nextId('user-search');
  const input = h('input', { id: inputId, type: 'search', autocomplete: 'off', placeholder: 'Name or login' });
  let timer = null;
  let generation = 0;

  function drawChips() {
    mount(chips, [...chosen].map(([uid, text]) => h('li', { class: 'pol-chip' }, h('span', {}, text),
      h('button', { type: 'button', class: 'btn btn-icon pol-chip-remove', 'aria-label': `Remove ${text}`,
        onclick: () => { chosen.delete(uid); drawChips(); input.focus(); } }, '×'))));
    chips.hidden = chosen.size === 0;
  }
  async function search() {
    const mine = ++generation;
    const q = input.value.trim();
    if (!q) { mount(results); return; }
    mount(results, loading('Searching…'));
    try {
      const found = await ctx.api.get(`/api/v1/users?q=${encodeURIComponent(q)}&limit=8`);
      if (mine !== generation) return;
      mount(results, found.length ? h('ul', { class: 'pol-result-list', 'aria-label': 'Matching users' },
        found.map((u) => h('li', {}, h('span', {}, userLabel(u)),
          chosen.has(u.id) ? h('span', { class: 'pol-hint' }, 'added')
            : button('Add', () => { chosen.set(u.id, userLabel(u)); drawChips(); mount(results); input.value = ''; input.focus(); },
              { class: 'btn btn-secondary btn-small', 'aria-label': `Add ${userLabel(u)}` }))))
        : h('p', { class: 'help' }, `No user matches "${q}".`));
    } catch (error) {
      if (mine === generation) mount(results, errorBox(error));
    }
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); search(); } });
  // The chosen ids get their names once the directory answers.
  Promise.all(selectedIds.map((uid) => ctx.api.get(`/api/v1/users/${encodeURIComponent(uid)}`)
    .then((u) => { if (chosen.has(uid)) chosen.set(uid, userLabel(u)); }).catch(() => {})))
    .then(drawChips);
  drawChips();
  return {
    el: h('div', { class: 'pol-users' }, h('label', { for: inputId, class: 'pol-sublabel' }, `${label}: find a user`), input, results, chips),
    values: () => [...chosen.keys()],
  };
}
