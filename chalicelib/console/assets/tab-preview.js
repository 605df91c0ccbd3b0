// Authorization server › Token Preview (the seed's "Token preview"): pick a client, a grant type, a user and
// scopes, and see the tokens the configuration would mint (header and payload, decoded; nothing is signed) or the
// error the real flow would answer, and in both cases WHY: each policy and rule considered, matched or skipped, and
// each claim included or left out. API: POST /api/v1/authorizationServers/{id}/tokenPreview (docs/ARCHITECTURE.md
// "Token preview"). It is a POST: the API lets only admins who may manage authorization servers run it.
import { h, mount, field, form, section, badge, code, details, link, errorBox, loading, nextId, formatDate } from './ui.js';
import { ApiError } from './api.js';
import { BASE, forget, session, signIn } from './auth.js';
import { checklist, group, grantName, loadClients, loadScopes, userLabel } from './policies-common.js';

const PREVIEWABLE = ['client_credentials', 'authorization_code', 'implicit', 'password'];
const USER_GRANTS = new Set(['authorization_code', 'implicit', 'password']);
const enc = encodeURIComponent;

// The preview's answer, granted or refused, is JSON with `evaluation`; a refusal by the policies can be a 401
// (access_denied "Policy evaluation failed…"), which is the configuration's answer, not an expired sign-in, so it is
// read here rather than by api.js (which signs in again on any 401).
async function runPreview(path, body) {
  const current = session();
  if (!current) return signIn(location.hash);
  const response = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${current.accessToken}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (data && typeof data === 'object' && data.evaluation) return { status: response.status, data };
  if (response.status === 401) { forget(); return signIn(location.hash); }
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data };
}

export async function renderTab(ctx, server) {
  if (!ctx.abilities.canWrite('authorizationServers')) {
    return section('Token Preview',
      h('div', { class: 'alert alert-info' },
        h('p', {}, 'Token Preview needs a role that may manage authorization servers (Super administrator or API Access Management administrator).'),
        h('p', {}, 'The preview runs as a POST to the management API (tokenPreview), which the API allows only with okta.authorizationServers.manage; your role can read this server\'s configuration but not run it.')),
      h('p', { class: 'pv-readonly-links' }, 'See who gets which token on the ', link('Access Policies', `#/servers/${server.id}/policies`), ' tab, and the claims on the ',
        link('Claims', `#/servers/${server.id}/claims`), ' tab.'));
  }
  const path = `/api/v1/authorizationServers/${enc(server.id)}/tokenPreview`;
  const [clients, scopes] = await Promise.all([loadClients(ctx.api).catch(() => []), loadScopes(ctx.api, server.id)]);
  const results = h('div', { class: 'pv-results' });

  // ---- the request --------------------------------------------------------------------------------------------
  const clientField = field({ label: 'Client', path: 'clientId', type: 'select', required: true,
    options: [{ value: '', label: clients.length ? 'Choose a client…' : 'No OAuth client yet' },
      ...clients.map((c) => ({ value: c.id, label: `${c.name}${c.status === 'INACTIVE' ? ' (inactive)' : ''} · ${c.id}` }))],
    help: 'An OAuth client (application) as it is registered now.' });
  const clientSelect = clientField.querySelector('select');
  const grantField = field({ label: 'Grant type', path: 'grantType', type: 'select', required: true, options: [] });
  const grantSelect = grantField.querySelector('select');
  const grantHelp = h('p', { class: 'help', id: nextId('pv-grant-help') });
  grantField.querySelector('.field-error').before(grantHelp);
  grantSelect.setAttribute('aria-describedby', `${grantHelp.id} ${grantSelect.getAttribute('aria-describedby')}`);

  const canFind = ctx.abilities.canRead('users');
  const userField = field({ label: 'User', path: 'userId', required: true,
    help: canFind ? 'Type a few letters of a name or login and choose the user, or type a login or user ID.' : 'The user\'s login or user ID.' });
  const userInput = userField.querySelector('input');
  userField.classList.add('pol-hideable');
  const suggestions = h('div', { class: 'pv-suggestions', 'aria-live': 'polite' });
  userField.append(suggestions);
  if (canFind) wireUserSearch(ctx, userInput, suggestions);

  const responseField = field({ label: 'Response type', path: 'responseType', type: 'select', options: [
    { value: '', label: 'As the client asks (access token; ID token too with openid)' },
    { value: 'token', label: 'token (an access token)' },
    { value: 'id_token', label: 'id_token (an ID token alone)' },
    { value: 'id_token token', label: 'id_token token (both)' }] });
  responseField.classList.add('pol-hideable');

  const defaults = scopes.filter((s) => s.default).map((s) => s.name);
  const scopePicker = checklist({
    label: 'Scopes', filterLabel: 'Filter scopes', emptyText: 'This server has no scopes.',
    items: scopes.map((s) => ({ value: s.name, label: s.name, hint: s.default ? 'default' : null })),
  });
  const scopeGroup = group({ legend: 'Scopes', path: 'scopes',
    help: defaults.length ? `None chosen: the server's default scopes (${defaults.join(', ')}).` : 'None chosen: the server\'s default scopes (it has none).' },
  scopePicker.el);

  function clientOf() { return clients.find((c) => c.id === clientSelect.value) || null; }
  function syncGrants() {
    const client = clientOf();
    const previous = grantSelect.value;
    const registered = client ? PREVIEWABLE.filter((g) => client.grantTypes.includes(g)) : PREVIEWABLE;
    const offered = registered.length ? registered : PREVIEWABLE;
    mount(grantSelect, offered.map((g) => h('option', { value: g, selected: g === previous }, `${grantName(g)} (${g})`)));
    grantHelp.textContent = !client ? 'The grant types tokenmint runs; a client offers those it is registered for.'
      : registered.length ? `Those ${client.name} is registered for.`
        : `${client.name} is registered for none of the grant types a preview runs (${(client.grantTypes || []).join(', ') || 'none'}).`;
    syncGrant();
  }
  function syncGrant() {
    const grant = grantSelect.value;
    userField.hidden = !USER_GRANTS.has(grant);
    userInput.disabled = userField.hidden;
    responseField.hidden = grant !== 'implicit';
    responseField.querySelector('select').disabled = responseField.hidden;
  }
  clientSelect.addEventListener('change', syncGrants);
  grantSelect.addEventListener('change', syncGrant);
  syncGrants();

  const requestForm = form({
    label: 'Token preview request',
    submitLabel: 'Preview token',
    children: h('div', { class: 'pv-form-grid' },
      h('div', { class: 'pv-form-col' }, clientField, grantField, userField, responseField),
      h('div', { class: 'pv-form-col' }, scopeGroup)),
    onSubmit: async () => {
      const body = { clientId: clientSelect.value || null, grantType: grantSelect.value || null, scopes: scopePicker.values() };
      if (!userField.hidden) body.userId = userInput.value.trim() || null;
      const responseType = responseField.querySelector('select').value;
      if (!responseField.hidden && responseType) body.responseType = responseType;
      mount(results, loading('Evaluating the policies…'));
      let answer;
      try {
        answer = await runPreview(path, body);
      } catch (error) {
        mount(results);
        throw error; // bad input: shown next to its field
      }
      mount(results, renderResult(ctx, server, answer.data, answer.status, clients));
      results.querySelector('.pv-verdict h2')?.focus();
    },
  });

  return [
    h('p', { class: 'help pv-intro' }, 'Preview the tokens this server would mint for a request, and why. Nothing is signed, issued or stored.'),
    h('section', { class: 'card pv-form', 'aria-label': 'Request' }, requestForm),
    results,
  ];
}

function wireUserSearch(ctx, input, box) {
  let timer = null;
  let generation = 0;
  box.id = nextId('pv-users');
  input.setAttribute('aria-controls', box.id);
  async function search() {
    const mine = ++generation;
    const q = input.value.trim();
    if (q.length < 2) { mount(box); return; }
    try {
      const found = await ctx.api.get(`/api/v1/users?q=${enc(q)}&limit=6`);
      if (mine !== generation) return;
      const exact = found.some((u) => u.profile?.login === q || u.id === q);
      mount(box, found.length && !exact ? h('ul', { class: 'pv-suggest-list', 'aria-label': 'Matching users' },
        found.map((u) => h('li', {}, h('button', { type: 'button', class: 'btn btn-ghost pv-suggest',
          onclick: () => { input.value = u.profile?.login || u.id; mount(box); input.focus(); } }, userLabel(u)))))
        : (!found.length ? h('p', { class: 'help' }, `No user matches "${q}".`) : null));
    } catch (error) {
      if (mine === generation) mount(box, errorBox(error));
    }
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(search, 250); });
}

// ---- the answer -----------------------------------------------------------------------------------------------

function renderResult(ctx, server, r, status, clients) {
  const granted = !r.error;
  const policyLink = (p) => (p ? link(p.name, `#/servers/${server.id}/policies?policy=${enc(p.id)}`) : null);
  const titleId = nextId('pv-verdict');
  const clientName = clients.find((c) => c.id === r.request?.clientId)?.name || r.request?.clientId;
  const verdict = granted
    ? h('section', { class: 'pv-verdict pv-granted', 'aria-labelledby': titleId },
      h('h2', { id: titleId, tabindex: '-1' }, 'Granted'),
      h('p', { class: 'pv-match' }, 'Matched policy ', h('strong', { class: 'pv-policy-name' }, policyLink(r.policy)),
        ' › rule ', h('strong', { class: 'pv-rule-name' }, r.rule?.name || '—')),
      details([
        ['Request', `${grantName(r.request?.grantType)} for ${clientName}${r.request?.userId ? ` as user ${r.request.userId}` : ''}`],
        ['Scopes granted', chips(r.scopes)],
        r.consentScopes?.length ? ['Consent page would ask for', chips(r.consentScopes)] : null,
      ]))
    : h('section', { class: 'pv-verdict pv-refused', 'aria-labelledby': titleId },
      h('h2', { id: titleId, tabindex: '-1' }, `Refused: ${r.error}`),
      h('p', { class: 'pv-error', role: 'alert' }, r.error_description, ' ', h('span', { class: 'pv-status' }, `(HTTP ${status}, as the real flow answers)`)),
      details([
        ['Decided by', r.evaluation?.reason ? h('span', { class: 'mono' }, r.evaluation.reason) : '—'],
        r.policy ? ['Policy', policyLink(r.policy)] : null,
        r.rule ? ['Rule', h('strong', { class: 'pv-rule-name' }, r.rule.name)] : null,
        r.deniedScopes?.length ? ['Denied scopes', chips(r.deniedScopes)] : null,
        r.consentScopes?.length ? ['Consent needed for', chips(r.consentScopes)] : null,
      ]));

  const claims = r.evaluation?.claims || [];
  const notIssued = (token) => claims.find((c) => c.token === token && c.reason === 'token_not_issued')?.message
    || (r.request?.grantType === 'client_credentials' && token === 'idToken' ? 'client credentials have no user, so no ID token' : null)
    || (token === 'idToken' && !(r.scopes || []).includes('openid') ? 'openid was not granted' : null);
  return [
    verdict,
    granted ? section('Tokens',
      h('div', { class: 'pv-tokens' },
        tokenCard('Access token', r.accessToken, notIssued('accessToken')),
        h('div', { class: 'pv-token-side' },
          tokenCard('ID token', r.idToken, notIssued('idToken')),
          refreshCard(r.refreshToken)))) : null,
    section('Evaluation trace', trace(r.evaluation?.steps || [])),
    section('Claims', claimTables(claims, { accessToken: !!r.accessToken, idToken: !!r.idToken })),
  ];
}

function chips(list) {
  if (!list?.length) return '—';
  return h('ul', { class: 'pv-chips' }, list.map((s) => h('li', { class: 'mono' }, s)));
}

function tokenCard(title, token, reason) {
  if (!token) {
    return h('div', { class: 'pv-token pv-token-none' }, h('h3', {}, title),
      h('p', { class: 'help' }, `Not issued${reason ? `: ${reason}` : '.'}`));
  }
  const p = token.payload || {};
  const when = (s) => (typeof s === 'number' ? formatDate(new Date(s * 1000).toISOString()) : '—');
  return h('div', { class: 'pv-token' },
    h('h3', {}, title, ' ', badge(`${token.lifetimeMinutes} min`, 'muted')),
    details([['Issued', when(p.iat)], ['Expires', when(p.exp)], ['Key (kid)', h('span', { class: 'mono' }, token.header?.kid || '—')]]),
    h('h4', {}, 'Header'), code(token.header),
    h('h4', {}, 'Payload'), code(p));
}

function refreshCard(refresh) {
  if (!refresh) return null;
  return h('div', { class: 'pv-refresh' }, h('h3', {}, 'Refresh token ', badge(refresh.issued ? 'issued' : 'not issued', refresh.issued ? 'ok' : 'muted')),
    details([
      ['Why', refresh.message],
      refresh.issued ? ['Lifetime', refresh.lifetimeMinutes ? `${refresh.lifetimeMinutes} min` : 'unlimited'] : null,
      refresh.issued ? ['Expires if unused for', `${refresh.windowMinutes} min`] : null,
    ]));
}

const SUBJECTS = { request: 'Request', policy: 'Policy', rule: 'Rule', scopes: 'Scopes', consent: 'Consent', claims: 'Claims', decision: 'Decision' };
const GOOD = new Set(['policy_applies', 'rule_matched', 'granted', 'scopes_requested', 'consent_assumed']);

function outcomeBadge(step) {
  const text = step.outcome.replace(/_/g, ' ');
  if (step.subject === 'decision') return badge(text, step.outcome === 'granted' ? 'ok' : 'bad');
  if (GOOD.has(step.outcome)) return badge(text, 'ok');
  if (step.outcome === 'no_rule_matched') return badge(text, 'warn');
  return badge(text, step.subject === 'rule' || step.subject === 'policy' ? 'muted' : 'warn');
}

function trace(steps) {
  if (!steps.length) return h('p', { class: 'help' }, 'No step was recorded.');
  return h('ol', { class: 'pv-trace' }, steps.map((s) => h('li', {
    class: `pv-step pv-step-${s.subject}${s.outcome === 'rule_matched' ? ' pv-step-matched' : ''}`,
    dataset: { outcome: s.outcome },
  },
  h('div', { class: 'pv-step-head' },
    h('span', { class: 'pv-subject' }, SUBJECTS[s.subject] || s.subject),
    s.name ? h('strong', {}, s.name) : null,
    s.priority ? h('span', { class: 'pv-hint' }, `priority ${s.priority}`) : null,
    outcomeBadge(s)),
  h('p', { class: 'pv-step-message' }, s.message))));
}

function claimTables(claims, issued) {
  if (!claims.length) return h('p', { class: 'help' }, 'This server has no claims.');
  if (claims.every((c) => c.reason === 'request_denied')) {
    return h('p', { class: 'help pv-denied-claims' }, `The request is refused: no token is issued, so none of the ${claims.length / 2} claims is included.`);
  }
  return ['accessToken', 'idToken'].map((token) => {
    const mine = claims.filter((c) => c.token === token);
    const other = mine.filter((c) => c.reason === 'wrong_token_type');
    const shown = mine.filter((c) => c.reason !== 'wrong_token_type');
    const title = token === 'accessToken' ? 'Access token claims' : 'ID token claims';
    const tableId = nextId('pv-claims');
    const tableOf = () => h('div', { class: 'table-wrap' }, h('table', { 'aria-labelledby': tableId },
      h('thead', {}, h('tr', {}, ['Claim', 'Included', 'Why', 'Value'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, shown.map((c) => h('tr', { class: c.included ? 'pv-claim-in' : 'pv-claim-out', dataset: { claim: c.name } },
        h('td', {}, h('span', { class: 'mono' }, c.name), h('span', { class: 'pv-hint' }, ` ${c.claimType.toLowerCase()} · ${c.valueType.toLowerCase()}`)),
        h('td', {}, badge(c.included ? 'included' : 'left out', c.included ? 'ok' : 'muted')),
        h('td', {}, c.message, c.reason !== 'included' ? h('span', { class: 'pv-hint mono' }, ` ${c.reason}`) : null),
        h('td', { class: 'mono pv-value' }, c.included ? (typeof c.value === 'string' ? c.value : JSON.stringify(c.value)) : ''))))));
    if (!issued[token]) {
      // No such token: its claims, and why each would be left out, on request.
      return h('details', { class: 'pv-claims pv-claims-none' },
        h('summary', {}, h('h3', { id: tableId }, `${title}: the token is not issued (${shown.length} claims)`)),
        shown.length ? tableOf() : null);
    }
    return h('div', { class: 'pv-claims' },
      h('h3', { id: tableId }, title),
      shown.length ? tableOf() : null,
      other.length ? h('p', { class: 'help' }, `${other.length} ${token === 'accessToken' ? 'IDENTITY' : 'RESOURCE'} claim${other.length === 1 ? '' : 's'} belong${other.length === 1 ? 's' : ''} to the ${token === 'accessToken' ? 'ID token' : 'access token'} only: ${other.map((c) => c.name).join(', ')}.`) : null);
  });
}
