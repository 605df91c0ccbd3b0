// System Log (GET /api/v1/logs; okta-next.md 2): who changed what, which token was granted or refused and why.
// Filters: the object (an id named as a target or the actor, prefilled from ?target= so that every object page links
// here), the event type, the outcome, the time range and free text (Okta's q); newest first, each row opens to the
// full event, "Load more" follows the Link header's next. The filters live in the route: a filtered view is a link.
import { h, mount, pageHeader, field, form, button, badge, loading, errorBox, code, nextId, showErrors } from './ui.js';

const PAGE_SIZES = ['20', '50', '100'];
const DEFAULT_LIMIT = '50';
const MINUTE = 60_000;
const RANGES = [
  ['15m', 'Last 15 minutes', 15 * MINUTE], ['1h', 'Last hour', 60 * MINUTE], ['24h', 'Last 24 hours', 1440 * MINUTE],
  ['7d', 'Last 7 days', 7 * 1440 * MINUTE], ['30d', 'Last 30 days', 30 * 1440 * MINUTE],
  ['90d', 'Last 90 days', 90 * 1440 * MINUTE], ['custom', 'Custom range', null],
];
const DEFAULT_RANGE = '7d';
// Okta's outcome.result values (LogEvent schema).
const OUTCOMES = ['SUCCESS', 'FAILURE', 'ALLOW', 'DENY', 'SKIPPED', 'CHALLENGE', 'UNKNOWN', 'RATE_LIMIT', 'DEFERRED',
  'SCHEDULED', 'ABANDONED', 'UNANSWERED'];
// The event types tokenmint records (docs/ARCHITECTURE.md "System Log"), offered as suggestions; "prefix*" matches a
// family.
const EVENT_TYPES = [
  'oauth2.as.*', 'oauth2.as.created', 'oauth2.as.updated', 'oauth2.as.activated', 'oauth2.as.deactivated', 'oauth2.as.deleted',
  'oauth2.scope.*', 'oauth2.claim.*', 'policy.lifecycle.*', 'policy.rule.*',
  'app.oauth2.as.key.rollover', 'app.oauth2.as.token.*', 'app.oauth2.as.token.grant', 'app.oauth2.as.token.grant.access_token',
  'app.oauth2.as.token.grant.id_token', 'app.oauth2.as.token.grant.refresh_token', 'app.oauth2.as.token.revoke',
  'app.oauth2.as.authorize.*', 'app.oauth2.as.consent.grant',
  'application.lifecycle.*', 'application.lifecycle.create', 'application.lifecycle.update', 'application.lifecycle.delete',
  'app.oauth2.credentials.lifecycle.*', 'application.user_membership.*', 'group.application_assignment.*',
  'user.session.start', 'user.session.end', 'user.account.lock', 'user.lifecycle.*', 'group.lifecycle.*',
  'trustedorigin.lifecycle.*', 'system.api_token.*',
];
const FIELDS = ['target', 'type', 'outcome', 'q', 'range', 'since', 'until', 'limit'];

const quote = (value) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

// "2026-12-04T13:03:28.000Z" <-> the value of a datetime-local input (the browser's time zone).
function toLocalInput(iso) {
  const d = new Date(iso);
  if (!iso || Number.isNaN(d.getTime())) return '';
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
function fromLocalInput(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

function readState(query) {
  const state = Object.fromEntries(FIELDS.map((name) => [name, (query.get(name) || '').trim()]));
  if (!RANGES.some(([key]) => key === state.range)) state.range = state.since || state.until ? 'custom' : DEFAULT_RANGE;
  if (!PAGE_SIZES.includes(state.limit)) state.limit = DEFAULT_LIMIT;
  return state;
}

function routeOf(state) {
  const query = new URLSearchParams();
  for (const name of FIELDS) {
    const value = state[name];
    if (!value) continue;
    if (name === 'range' && value === DEFAULT_RANGE) continue;
    if (name === 'limit' && value === DEFAULT_LIMIT) continue;
    if ((name === 'since' || name === 'until') && state.range !== 'custom') continue;
    query.set(name, value);
  }
  const text = query.toString();
  return `#/logs${text ? `?${text}` : ''}`;
}

// The API request of the filters: a SCIM filter, q, the time bounds, newest first.
function apiPath(state) {
  const params = new URLSearchParams({ sortOrder: 'DESCENDING', limit: state.limit });
  const clauses = [];
  if (state.target) clauses.push(`(target.id eq ${quote(state.target)} or actor.id eq ${quote(state.target)})`);
  if (state.type) {
    clauses.push(state.type.endsWith('*') ? `eventType sw ${quote(state.type.replace(/\*+$/, ''))}` : `eventType eq ${quote(state.type)}`);
  }
  if (state.outcome) clauses.push(`outcome.result eq ${quote(state.outcome)}`);
  if (clauses.length) params.set('filter', clauses.join(' and '));
  if (state.q) params.set('q', state.q);
  if (state.range === 'custom') {
    if (state.since) params.set('since', state.since);
    if (state.until) params.set('until', state.until);
  } else {
    const span = RANGES.find(([key]) => key === state.range)[2];
    params.set('since', new Date(Date.now() - span).toISOString());
  }
  return `/api/v1/logs?${params}`;
}

const who = (party) => party?.displayName || party?.alternateId || party?.id || '—';

function formatTime(iso) {
  const d = new Date(iso);
  const text = Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  return h('time', { datetime: iso }, text);
}

function eventRows(event) {
  const detailId = nextId('event');
  const toggle = h('button', {
    type: 'button', class: 'btn btn-icon log-toggle', 'aria-expanded': 'false', 'aria-controls': detailId,
    'aria-label': `Event details: ${event.eventType}`,
  }, h('span', { class: 'log-caret', 'aria-hidden': 'true' }, '▸'));
  const detail = h('tr', { class: 'log-detail', id: detailId, hidden: true },
    h('td', { colspan: '6' }, h('div', { class: 'log-json' }, code(event))));
  toggle.addEventListener('click', () => {
    const open = detail.hidden;
    detail.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    row.classList.toggle('log-open', open);
  });
  const outcome = event.outcome || {};
  const targets = event.target || [];
  const row = h('tr', { class: 'log-row', dataset: { uuid: event.uuid || '' } },
    h('td', { class: 'log-toggle-cell' }, toggle),
    h('td', { class: 'log-time' }, formatTime(event.published)),
    h('td', { class: 'log-event' },
      h('span', { class: 'log-message' }, event.displayMessage || event.eventType),
      h('span', { class: 'log-type mono' }, event.eventType)),
    h('td', { class: 'log-actor' }, h('span', {}, who(event.actor)), event.actor?.type ? h('span', { class: 'log-kind' }, event.actor.type) : null),
    h('td', { class: 'log-outcome' }, outcome.result ? badge(outcome.result, { SUCCESS: 'ok', ALLOW: 'ok', FAILURE: 'bad', DENY: 'bad' }[outcome.result] || 'muted') : '—',
      outcome.reason ? h('span', { class: 'log-reason' }, outcome.reason) : null),
    h('td', { class: 'log-targets' }, targets.length ? h('ul', { class: 'log-target-list' }, targets.map((t) => h('li', {},
      t.id ? h('a', { href: `#/logs?target=${encodeURIComponent(t.id)}`, title: `Events of ${t.id}` }, who(t)) : who(t),
      t.type ? h('span', { class: 'log-kind' }, t.type) : null))) : '—'));
  return [row, detail];
}

export async function render(ctx) {
  ctx.setTitle('System Log');
  const state = readState(ctx.query);
  const results = h('div', { class: 'log-results' }, loading('Loading events…'));

  const target = field({ label: 'Object ID', path: 'target', name: 'target', value: state.target,
    placeholder: 'aus…, 0oa…, 00u…', help: 'Events that name this object as a target or as the actor.' });
  const listId = nextId('event-types');
  const type = field({ label: 'Event type', path: 'eventType', name: 'type', value: state.type,
    placeholder: 'oauth2.as.updated', help: 'An exact type, or a family ending in * (oauth2.as.*).' });
  type.querySelector('input').setAttribute('list', listId);
  type.append(h('datalist', { id: listId }, EVENT_TYPES.map((t) => h('option', { value: t }))));
  const outcome = field({ label: 'Outcome', path: 'outcome', name: 'outcome', type: 'select', value: state.outcome,
    options: [{ value: '', label: 'Any outcome' }, ...OUTCOMES.map((o) => ({ value: o, label: o }))] });
  const q = field({ label: 'Search text', path: 'q', name: 'q', type: 'search', value: state.q,
    placeholder: 'Words in the event', help: 'Every word must appear (at most 10 words of 40 characters).' });
  const range = field({ label: 'Time range', path: 'range', name: 'range', type: 'select', value: state.range,
    options: RANGES.map(([key, text]) => ({ value: key, label: text })) });
  const since = field({ label: 'From', path: 'since', name: 'since', type: 'datetime-local', value: toLocalInput(state.since) });
  const until = field({ label: 'To', path: 'until', name: 'until', type: 'datetime-local', value: toLocalInput(state.until),
    help: 'Empty: now.' });
  const limit = field({ label: 'Events per page', path: 'limit', name: 'limit', type: 'select', value: state.limit,
    options: PAGE_SIZES.map((n) => ({ value: n, label: n })) });
  const custom = h('div', { class: 'log-custom' }, since, until);
  const showCustom = () => { custom.hidden = range.querySelector('select').value !== 'custom'; };
  range.querySelector('select').addEventListener('change', showCustom);
  showCustom();

  const filters = form({
    label: 'Filter events',
    submitLabel: 'Apply filters',
    children: [h('div', { class: 'log-filter-grid' }, target, type, outcome, q, range, limit), custom],
    onSubmit: async (formEl) => {
      const read = (name) => (formEl.elements.namedItem(name)?.value || '').trim();
      const next = {
        target: read('target'), type: read('type'), outcome: read('outcome'), q: read('q'), range: read('range'),
        since: fromLocalInput(read('since')), until: fromLocalInput(read('until')), limit: read('limit'),
      };
      const hash = routeOf(next);
      if (location.hash === hash) ctx.refresh(); else ctx.navigate(hash);
    },
  });
  filters.classList.add('log-filters');
  filters.querySelector('.form-actions').append(button('Clear filters', () => {
    if (location.hash === '#/logs') ctx.refresh(); else ctx.navigate('#/logs');
  }, { kind: 'ghost' }));

  // The first page; later pages are appended by "Load more".
  const body = h('tbody', {});
  const status = h('p', { class: 'log-status', role: 'status', tabindex: '-1' });
  const more = h('div', { class: 'log-more' });
  let shown = 0;

  function describe(next) {
    status.textContent = `${shown} ${shown === 1 ? 'event' : 'events'}, newest first${next ? '' : ' · no more events'}`;
  }

  function drawMore(next) {
    if (!next) { mount(more); return; }
    const load = button('Load more', async () => {
      load.disabled = true;
      load.setAttribute('aria-busy', 'true');
      try {
        const page = await ctx.api.page(next);
        for (const event of page.items) body.append(...eventRows(event));
        shown += page.items.length;
        describe(page.next);
        drawMore(page.next);
        if (!page.next) status.focus();
      } catch (error) {
        mount(more, errorBox(error), load);
        load.disabled = false;
        load.removeAttribute('aria-busy');
      }
    }, { kind: 'secondary' });
    mount(more, load);
  }

  try {
    const page = await ctx.api.page(apiPath(state));
    shown = page.items.length;
    if (!shown && !page.next) {
      mount(results, h('div', { class: 'empty' }, h('p', {}, 'No events match these filters in this time range.'),
        h('p', { class: 'help' }, 'Widen the time range or clear a filter.')));
    } else {
      for (const event of page.items) body.append(...eventRows(event));
      describe(page.next);
      drawMore(page.next);
      mount(results, status, h('div', { class: 'table-wrap' }, h('table', { class: 'log-table' },
        h('caption', { class: 'visually-hidden' }, 'System Log events, newest first'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', class: 'log-toggle-cell' }, h('span', { class: 'visually-hidden' }, 'Details')),
          ['Time', 'Event', 'Actor', 'Outcome', 'Targets'].map((label) => h('th', { scope: 'col' }, label)))),
        body)), more);
    }
  } catch (error) {
    // The API's complaint about a filter shows next to that filter (Okta's errorCauses), the rest above the form.
    showErrors(filters, error);
    mount(results, h('div', { class: 'empty' }, h('p', {}, 'No events shown: the filters above need a change.')));
  }

  return [
    pageHeader({
      title: 'System Log',
      subtitle: 'Every change an admin made, every token granted or refused and why, every sign-in.',
    }),
    h('section', { class: 'card log-filter-card', 'aria-label': 'Filters' }, filters),
    results,
  ];
}
