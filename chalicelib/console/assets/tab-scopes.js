// Authorization server › Scopes (the seed's "Create Scopes"): the server's scopes with their display phrase,
// description, user consent, default and metadata settings; Add, Edit and Delete (with confirmation). System scopes
// (openid, profile, …) are shown read-only. API: /api/v1/authorizationServers/{id}/scopes[/{scopeId}] (okta-api.md 4).
import { h, mount, table, badge, button, field, form, values, modal, confirm, toast, errorBox, loading } from './ui.js';

const enc = encodeURIComponent;

export const CONSENTS = [
  { value: 'IMPLICIT', label: 'Implicit', help: 'Never asks the user.' },
  { value: 'REQUIRED', label: 'Required', help: 'Asks the user to consent; service apps (client credentials) cannot get it.' },
  { value: 'FLEXIBLE', label: 'Flexible', help: 'Asks the user when the app or the request asks for consent; service apps get it without consent.' },
];
const CONSENT_LABEL = Object.fromEntries(CONSENTS.map((c) => [c.value, c.label]));
const PUBLISH_LABEL = { ALL_CLIENTS: 'All clients', NO_CLIENTS: 'No clients' };

export async function renderTab(ctx, server) {
  const canWrite = ctx.abilities.canWrite('authorizationServers');
  const base = `/api/v1/authorizationServers/${enc(server.id)}/scopes`;
  const results = h('div', { class: 'sc-results' }, loading('Loading scopes…'));
  const addButton = canWrite ? button('Add Scope', () => edit(null), { kind: 'primary' }) : null;

  async function load(focusKey = null) {
    try {
      const scopes = await ctx.api.list(base);
      mount(results, table({
        caption: `Scopes of ${server.name}`,
        columns: [
          { label: 'Name', class: 'sc-name sc-name-wide', render: (s) => [h('span', { class: 'mono sc-ident' }, s.name), s.system ? [' ', badge('System')] : null] },
          { label: 'Display phrase', class: 'sc-phrase', render: (s) => s.displayName || '—' },
          { label: 'Description', class: 'sc-desc', render: (s) => s.description || '—' },
          { label: 'User consent', class: 'sc-nowrap', render: (s) => CONSENT_LABEL[s.consent] || s.consent },
          { label: 'Default scope', class: 'sc-nowrap', render: (s) => (s.default ? 'Yes' : 'No') },
          { label: 'Metadata publish', class: 'sc-nowrap', render: (s) => PUBLISH_LABEL[s.metadataPublish] || s.metadataPublish },
          canWrite ? { label: h('span', { class: 'visually-hidden' }, 'Actions'), class: 'actions-cell', render: actions } : null,
        ].filter(Boolean),
        rows: scopes,
        empty: 'This server has no scopes.',
        rowProps: (s) => ({ dataset: { scope: s.name } }),
      }));
    } catch (error) {
      mount(results, errorBox(error));
    }
    if (focusKey) refocus(focusKey);
  }

  function refocus(key) {
    const target = results.querySelector(`[data-focus="${CSS.escape(key)}"]`) || addButton;
    if (!document.activeElement || document.activeElement === document.body || !document.activeElement.isConnected) target?.focus();
  }

  function actions(scope) {
    if (scope.system) return null; // read-only: the System badge says why
    return h('div', { class: 'sc-row-actions' },
      button('Edit', () => edit(scope), { class: 'btn btn-secondary btn-small', 'aria-label': `Edit ${scope.name}`, dataset: { focus: `edit-${scope.id}` } }),
      button('Delete', () => remove(scope), { class: 'btn btn-secondary btn-small sc-delete', 'aria-label': `Delete ${scope.name}` }));
  }

  async function edit(scope) {
    const saved = await modal({
      title: scope ? `Edit scope ${scope.name}` : 'Add Scope',
      content: (close) => scopeForm(ctx, base, scope, close),
    });
    if (!saved) return;
    toast(scope ? `Scope "${saved.name}" saved` : `Scope "${saved.name}" created`);
    await load(`edit-${saved.id}`);
  }

  async function remove(scope) {
    const ok = await confirm({
      title: 'Delete scope',
      message: `Delete the scope "${scope.name}"? Apps that ask for it are refused from then on (invalid_scope). This cannot be undone.`,
      confirmLabel: 'Delete scope',
    });
    if (!ok) return;
    try {
      await ctx.api.del(`${base}/${enc(scope.id)}`);
      toast(`Scope "${scope.name}" deleted`);
    } catch (error) {
      toast(error.message, 'bad');
    }
    await load('add');
  }

  await load();
  return [
    h('div', { class: 'sc-toolbar' },
      h('p', { class: 'help' }, 'Scopes are what apps ask for; access policy rules decide which ones they get. Tokens carry the granted scopes in scp.'),
      addButton),
    results,
  ];
}

function scopeForm(ctx, base, scope, close) {
  const current = scope || {};
  return form({
    label: scope ? `Edit scope ${scope.name}` : 'Add Scope',
    submitLabel: scope ? 'Save' : 'Create',
    onCancel: () => close(null),
    children: [
      field({ label: 'Name', path: 'name', value: current.name || '', required: true,
        help: 'What apps put in the scope parameter, for example orders:read. Printable ASCII without spaces.' }),
      field({ label: 'Display phrase', path: 'displayName', value: current.displayName || '',
        help: 'Shown to people on the consent page.' }),
      field({ label: 'Description', path: 'description', type: 'textarea', rows: 2, value: current.description || '' }),
      field({ label: 'User consent', path: 'consent', type: 'radio', value: current.consent || 'IMPLICIT',
        options: CONSENTS.map((c) => ({ value: c.value, label: `${c.label}: ${c.help}` })) }),
      field({ label: 'Set as a default scope', path: 'default', type: 'checkbox', value: !!current.default,
        help: 'Granted when a request names no scope, if the access policy rule allows it.' }),
      field({ label: 'Metadata publish', path: 'metadataPublish', type: 'radio', value: current.metadataPublish || 'NO_CLIENTS',
        options: [
          { value: 'ALL_CLIENTS', label: 'All clients: listed in the server\'s metadata (scopes_supported)' },
          { value: 'NO_CLIENTS', label: 'No clients: not listed' },
        ] }),
    ],
    onSubmit: async (formEl) => {
      const v = values(formEl);
      const body = {
        name: v.name.trim(), displayName: v.displayName, description: v.description, consent: v.consent,
        default: v.default, metadataPublish: v.metadataPublish, optional: !!current.optional,
      };
      const saved = scope ? await ctx.api.put(`${base}/${enc(scope.id)}`, body) : await ctx.api.post(base, body);
      close(saved);
    },
  });
}
