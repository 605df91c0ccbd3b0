// One application (GET/PUT/DELETE /api/v1/apps/{id}, its lifecycle and client secrets; okta-next.md 1.1-1.2):
// General (settings with edit, client credentials, secrets rotation, activate/deactivate/delete) and Assignments
// (app-assignments.js), and a link to the app's events in the System Log.
import {
  h, mount, pageHeader, tabs, section, details, button, badge, table, confirm, toast, copyField, formatDate,
  errorBox, loading, link,
} from './ui.js';
import {
  appForm, showSecretOnce, typeLabel, appType, grantLabel, methodLabel, oauthSettings, oauthCredentials, hasSecrets,
} from './apps-common.js';
import { renderAssignments } from './app-assignments.js';

const TABS = [['general', 'General'], ['assignments', 'Assignments']];

export async function render(ctx) {
  const id = ctx.params.appId;
  const app = await ctx.api.get(`/api/v1/apps/${encodeURIComponent(id)}`);
  const current = TABS.some(([key]) => key === ctx.query.get('tab')) ? ctx.query.get('tab') : 'general';
  ctx.setTitle(`${app.label} · ${TABS.find(([key]) => key === current)[1]}`);
  const body = current === 'assignments' ? await renderAssignments(ctx, app) : await renderGeneral(ctx, app);
  const clientId = oauthCredentials(app).client_id || app.id;
  return [
    pageHeader({
      crumbs: [{ label: 'Applications', href: '#/apps' }, { label: app.label }],
      title: app.label,
      subtitle: h('span', { class: 'app-subtitle' }, badge(app.status), ' ', typeLabel(appType(app)), ' · Client ID ',
        h('span', { class: 'mono' }, clientId)),
      actions: [ctx.abilities.canRead('logs')
        ? link('View in System Log', `#/logs?target=${encodeURIComponent(app.id)}`, { class: 'btn btn-secondary' }) : null],
    }),
    tabs(TABS.map(([key, text]) => ({
      label: text, href: key === 'general' ? `#/apps/${app.id}` : `#/apps/${app.id}?tab=${key}`, current: key === current,
    }))),
    h('div', { class: 'tab-body' }, body),
  ];
}

async function renderGeneral(ctx, app) {
  const canWrite = ctx.abilities.canWrite('apps');
  const base = `/api/v1/apps/${encodeURIComponent(app.id)}`;
  const settings = oauthSettings(app);
  const credentials = oauthCredentials(app);
  const general = h('div', {});
  const secrets = h('div', { class: 'app-table' }, loading('Loading client secrets…'));
  const list = (values) => (values?.length ? h('ul', { class: 'app-list' }, values.map((v) => h('li', { class: 'mono' }, v))) : '—');

  function showGeneral() {
    const service = appType(app) === 'service';
    mount(general, details([
      ['App integration name', app.label],
      ['Application type', typeLabel(appType(app))],
      ['Grant types', (settings.grant_types || []).map(grantLabel).join(', ') || '—'],
      service ? null : ['Sign-in redirect URIs', list(settings.redirect_uris)],
      service ? null : ['Sign-out redirect URIs', list(settings.post_logout_redirect_uris)],
      ['User consent', settings.consent_method === 'REQUIRED' ? 'Required for scopes that ask for it' : 'Trusted (no consent page)'],
      ['Created', formatDate(app.created)],
      ['Last updated', formatDate(app.lastUpdated)],
    ]), canWrite ? h('div', { class: 'form-actions section-actions' }, button('Edit', editGeneral)) : null);
  }

  function editGeneral() {
    const el = appForm(ctx, {
      app,
      onCancel: showGeneral,
      onSaved: async (saved, secret) => {
        if (secret) await showSecretOnce({ title: 'New client secret', secret });
        toast('Application saved');
        ctx.refresh();
      },
    });
    el.classList.add('app-form');
    mount(general, el);
    general.querySelector('input')?.focus();
  }

  async function loadSecrets() {
    try {
      const rows = await ctx.api.get(`${base}/credentials/secrets`);
      const active = rows.filter((s) => s.status === 'ACTIVE').length;
      mount(secrets, table({
        caption: 'Client secrets',
        columns: [
          { label: 'Fingerprint', render: (s) => h('span', { class: 'mono' }, s.secret_hash) },
          { label: 'Created', render: (s) => formatDate(s.created) },
          { label: 'Status', render: (s) => badge(s.status) },
          canWrite ? { label: 'Actions', class: 'actions-cell', render: (s) => secretActions(s, active) } : null,
        ].filter(Boolean),
        rows,
        empty: 'This app has no client secret.',
      }), canWrite ? h('div', { class: 'form-actions section-actions' },
        button('Generate new secret', generateSecret, { disabled: rows.length >= 2 }),
        rows.length >= 2 ? h('p', { class: 'help app-inline-help' }, 'An app holds at most two secrets: deactivate and delete the old one first.') : null) : null);
    } catch (error) {
      mount(secrets, errorBox(error));
    }
  }

  function secretActions(secret, active) {
    const name = `secret ${secret.secret_hash.slice(0, 8)}`;
    if (secret.status === 'ACTIVE') {
      return active > 1
        ? button('Deactivate', () => secretLifecycle(secret, 'deactivate'), { class: 'btn btn-secondary btn-small', 'aria-label': `Deactivate ${name}` })
        : h('span', { class: 'help' }, 'In use (the only active secret)');
    }
    return h('span', { class: 'app-row-actions' },
      button('Activate', () => secretLifecycle(secret, 'activate'), { class: 'btn btn-secondary btn-small', 'aria-label': `Activate ${name}` }),
      button('Delete', () => deleteSecret(secret), { class: 'btn btn-danger btn-small', 'aria-label': `Delete ${name}` }));
  }

  async function generateSecret() {
    try {
      const made = await ctx.api.post(`${base}/credentials/secrets`);
      await loadSecrets();
      await showSecretOnce({ title: 'New client secret', secret: made.client_secret });
      toast('New client secret created. Both active secrets work until you deactivate one.');
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function secretLifecycle(secret, action) {
    if (action === 'deactivate') {
      const ok = await confirm({
        title: 'Deactivate client secret',
        message: `Requests that authenticate with the secret ${secret.secret_hash} are refused from now on. `
          + 'Make sure the app already uses the other secret.',
        confirmLabel: 'Deactivate',
      });
      if (!ok) return;
    }
    try {
      await ctx.api.post(`${base}/credentials/secrets/${encodeURIComponent(secret.id)}/lifecycle/${action}`);
      toast(action === 'activate' ? 'Client secret activated' : 'Client secret deactivated');
      await loadSecrets();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function deleteSecret(secret) {
    const ok = await confirm({
      title: 'Delete client secret',
      message: `The inactive secret ${secret.secret_hash} is deleted for good. This cannot be undone.`,
      confirmLabel: 'Delete',
    });
    if (!ok) return;
    try {
      await ctx.api.del(`${base}/credentials/secrets/${encodeURIComponent(secret.id)}`);
      toast('Client secret deleted');
      await loadSecrets();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function lifecycle(action) {
    const activating = action === 'activate';
    const ok = await confirm({
      title: activating ? 'Activate application' : 'Deactivate application',
      message: activating ? `"${app.label}" can ask for tokens again.`
        : `"${app.label}" can no longer ask for tokens, and every token already issued to it stops working.`,
      confirmLabel: activating ? 'Activate' : 'Deactivate', danger: !activating,
    });
    if (!ok) return;
    try {
      await ctx.api.post(`${base}/lifecycle/${action}`);
      toast(activating ? 'Application activated' : 'Application deactivated');
      ctx.refresh();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function remove() {
    const ok = await confirm({
      title: 'Delete application',
      message: `This deletes "${app.label}" with its secrets and assignments${app.status === 'ACTIVE' ? ' (it is deactivated first)' : ''}. `
        + 'Tokens issued to it stop working. This cannot be undone.',
      confirmLabel: 'Delete', typed: app.label,
    });
    if (!ok) return;
    try {
      if (app.status === 'ACTIVE') await ctx.api.post(`${base}/lifecycle/deactivate`);
      await ctx.api.del(base);
      toast(`Application "${app.label}" deleted`);
      ctx.navigate('#/apps');
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  showGeneral();
  const withSecrets = hasSecrets(app);
  if (withSecrets) await loadSecrets();
  const keys = settings.jwks?.keys || [];
  return [
    section('General settings', general),
    section('Client credentials', h('div', { class: 'app-creds' },
      copyField('Client ID', credentials.client_id || app.id),
      details([
        ['Client authentication', methodLabel(credentials.token_endpoint_auth_method)],
        ['Proof Key for Code Exchange (PKCE)', credentials.pkce_required ? 'Required' : 'Not required'],
        ['DPoP (proof of possession)', settings.dpop_bound_access_tokens ? 'Required in token requests' : 'Not required'],
        settings.jwks_uri ? ['JWKS URI', h('span', { class: 'mono' }, settings.jwks_uri)] : null,
      ]))),
    withSecrets ? section('Client secrets',
      h('p', { class: 'help' }, 'To rotate a secret without downtime: generate a new one, move the app to it, then deactivate and delete the old one. '
        + 'A secret is shown only once, when it is made.'),
      secrets) : null,
    keys.length ? section('Public keys',
      table({
        caption: 'Public keys',
        columns: [
          { label: 'Key ID (kid)', render: (k) => h('span', { class: 'mono' }, k.kid || '—') },
          { label: 'Type', render: (k) => [k.kty, k.alg].filter(Boolean).join(' · ') },
          { label: 'Status', render: (k) => badge(k.status || 'ACTIVE') },
        ],
        rows: keys,
      })) : null,
    canWrite ? section('Lifecycle',
      h('div', { class: 'form-actions' },
        app.status === 'ACTIVE'
          ? button('Deactivate', () => lifecycle('deactivate'))
          : button('Activate', () => lifecycle('activate'), { kind: 'primary' }),
        button('Delete', remove, { kind: 'danger' })),
      h('p', { class: 'help app-lifecycle-help' }, app.status === 'ACTIVE'
        ? 'Deactivating ends every token issued to the app; it can be activated again.'
        : 'An inactive app cannot ask for tokens.')) : null,
  ];
}
