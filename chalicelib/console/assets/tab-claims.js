// Authorization server › Claims (the seed's "Create Claims"): the claims by token type (access token, ID token),
// with their value, what they are included in and when; Add and Edit in a dialog whose expression is checked by the
// API as it is typed (claim-form.js), Delete with confirmation. System claims are read-only, but for the value of
// the access token's `sub` ("You can edit the mapping"). API: /api/v1/authorizationServers/{id}/claims[/{claimId}]
// (okta-api.md 5).
import { h, mount, table, badge, button, field, modal, confirm, toast, errorBox, loading } from './ui.js';
import { claimForm, TOKEN_TYPES, VALUE_TYPES, GROUP_FILTERS } from './claim-form.js';

const enc = encodeURIComponent;
const TYPE_ORDER = { RESOURCE: 0, IDENTITY: 1 };

export async function renderTab(ctx, server) {
  const canWrite = ctx.abilities.canWrite('authorizationServers');
  const base = `/api/v1/authorizationServers/${enc(server.id)}`;
  const results = h('div', { class: 'sc-results' }, loading('Loading claims…'));
  const counts = h('p', { class: 'help sc-counts', role: 'status' });
  const filter = field({ label: 'Token type', name: 'tokenType', type: 'select', value: ctx.query.get('type') || '',
    options: [{ value: '', label: 'All token types' }, { value: 'RESOURCE', label: 'Access token' }, { value: 'IDENTITY', label: 'ID token' }] });
  const filterSelect = filter.querySelector('select');
  const addButton = canWrite ? button('Add Claim', () => edit(null), { kind: 'primary' }) : null;
  let claims = [];
  let scopes = [];

  async function load(focusKey = null) {
    try {
      [claims, scopes] = await Promise.all([ctx.api.get(`${base}/claims`), ctx.api.list(`${base}/scopes`)]);
      claims.sort((a, b) => (TYPE_ORDER[a.claimType] - TYPE_ORDER[b.claimType]) || (a.system - b.system) || a.name.localeCompare(b.name));
      draw();
    } catch (error) {
      mount(results, errorBox(error));
    }
    if (focusKey) refocus(focusKey);
  }

  function draw() {
    const type = filterSelect.value;
    const rows = type ? claims.filter((c) => c.claimType === type) : claims;
    const access = claims.filter((c) => c.claimType === 'RESOURCE').length;
    counts.textContent = `${access} access-token claim${access === 1 ? '' : 's'}, ${claims.length - access} ID-token claim${claims.length - access === 1 ? '' : 's'}`
      + (type ? `; showing ${TOKEN_TYPES[type].toLowerCase()} claims` : '');
    mount(results, table({
      caption: `Claims of ${server.name}`,
      columns: [
        { label: 'Name', class: 'sc-name', render: (c) => [h('span', { class: 'mono sc-ident' }, c.name), c.system ? [' ', badge('System')] : null] },
        { label: 'Token type', render: (c) => TOKEN_TYPES[c.claimType] || c.claimType },
        { label: 'Value type', class: 'sc-nowrap', render: (c) => VALUE_TYPES[c.valueType] || c.valueType },
        { label: 'Value', class: 'sc-value', render: valueOf },
        { label: 'Include in', class: 'sc-scopes', render: (c) => (c.conditions?.scopes?.length ? h('span', { class: 'mono' }, c.conditions.scopes.join(', ')) : 'Any scope') },
        { label: 'Include', render: (c) => (c.claimType === 'RESOURCE' || c.alwaysIncludeInToken ? 'Always' : 'When requested') },
        { label: 'Status', class: 'sc-nowrap', render: (c) => badge(c.status) },
        canWrite ? { label: h('span', { class: 'visually-hidden' }, 'Actions'), class: 'actions-cell', render: actions } : null,
      ].filter(Boolean),
      rows,
      empty: `This server has no ${type ? `${TOKEN_TYPES[type].toLowerCase()} ` : ''}claims.`,
      rowProps: (c) => ({ dataset: { claim: `${c.claimType}:${c.name}` } }),
    }));
  }

  function valueOf(claim) {
    if (claim.valueType === 'SYSTEM') return h('span', { class: 'sc-muted' }, 'Set by tokenmint');
    if (claim.valueType === 'GROUPS') return [h('span', { class: 'sc-muted' }, `${GROUP_FILTERS[claim.group_filter_type] || claim.group_filter_type} `), h('code', {}, claim.value)];
    return h('code', {}, claim.value);
  }

  function refocus(key) {
    const target = results.querySelector(`[data-focus="${CSS.escape(key)}"]`) || addButton;
    if (!document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected) target?.focus();
  }

  function actions(claim) {
    const label = `${claim.name} (${TOKEN_TYPES[claim.claimType] || claim.claimType})`;
    if (claim.system) {
      if (claim.valueType !== 'EXPRESSION') return null; // read-only: the System badge says why
      return h('div', { class: 'sc-row-actions' },
        button('Edit value', () => edit(claim), { class: 'btn btn-secondary btn-small', 'aria-label': `Edit value of ${label}`, dataset: { focus: `edit-${claim.id}` } }));
    }
    return h('div', { class: 'sc-row-actions' },
      button('Edit', () => edit(claim), { class: 'btn btn-secondary btn-small', 'aria-label': `Edit ${label}`, dataset: { focus: `edit-${claim.id}` } }),
      button('Delete', () => remove(claim), { class: 'btn btn-secondary btn-small sc-delete', 'aria-label': `Delete ${label}` }));
  }

  async function edit(claim) {
    const saved = await modal({
      title: claim ? `Edit claim ${claim.name}` : 'Add Claim',
      content: (close) => claimForm({ ctx, server, claim, scopes, close }),
    });
    if (!saved) return;
    toast(claim ? `Claim "${saved.name}" saved` : `Claim "${saved.name}" created`);
    await load(`edit-${saved.id}`);
  }

  async function remove(claim) {
    const ok = await confirm({
      title: 'Delete claim',
      message: `Delete the ${TOKEN_TYPES[claim.claimType].toLowerCase()} claim "${claim.name}"? Tokens minted from then on leave it out. This cannot be undone.`,
      confirmLabel: 'Delete claim',
    });
    if (!ok) return;
    try {
      await ctx.api.del(`${base}/claims/${enc(claim.id)}`);
      toast(`Claim "${claim.name}" deleted`);
    } catch (error) {
      toast(error.message, 'bad');
    }
    await load('add');
  }

  filterSelect.addEventListener('change', draw);
  await load();
  return [
    h('div', { class: 'sc-toolbar' },
      h('div', { class: 'sc-filter' }, filter, counts),
      addButton),
    results,
  ];
}
