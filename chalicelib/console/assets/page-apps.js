// Applications: the OIDC apps (Okta's Apps API, GET/POST /api/v1/apps; okta-next.md 1.1) with search by label and
// status, and Create App Integration, whose client secret is shown once.
import { h, mount, pageHeader, table, badge, button, field, modal, loading, errorBox, link, toast, formatDate } from './ui.js';
import { appForm, showSecretOnce, typeLabel, appType, oauthCredentials } from './apps-common.js';

export async function render(ctx) {
  ctx.setTitle('Applications');
  const canWrite = ctx.abilities.canWrite('apps');
  const results = h('div', { class: 'results' }, loading('Loading applications…'));
  const search = field({ label: 'Search by name', name: 'q', type: 'search', value: ctx.query.get('q') || '' });
  const status = field({ label: 'Status', name: 'status', type: 'select', value: ctx.query.get('status') || '',
    options: [{ value: '', label: 'Any status' }, { value: 'ACTIVE', label: 'Active' }, { value: 'INACTIVE', label: 'Inactive' }] });
  const input = search.querySelector('input');
  const select = status.querySelector('select');
  let timer = null;
  let generation = 0;

  // The search is part of the route (a link to a filtered list works), without re-rendering the page.
  function remember(q, state) {
    const query = new URLSearchParams();
    if (q) query.set('q', q);
    if (state) query.set('status', state);
    const text = query.toString();
    if (ctx.stale() || !/^#\/apps(\?|$)/.test(location.hash)) return;
    history.replaceState(null, '', `#/apps${text ? `?${text}` : ''}`);
  }

  async function load() {
    const mine = ++generation;
    const q = input.value.trim();
    const state = select.value;
    remember(q, state);
    const query = new URLSearchParams({ limit: '200' });
    if (q) query.set('q', q);
    if (state) query.set('filter', `status eq "${state}"`);
    try {
      const apps = await ctx.api.list(`/api/v1/apps?${query}`);
      if (mine !== generation) return;
      const filtered = q || state;
      mount(results, apps.length ? table({
        caption: 'Applications',
        columns: [
          { label: 'Name', render: (a) => link(a.label, `#/apps/${encodeURIComponent(a.id)}`) },
          { label: 'Client ID', render: (a) => h('span', { class: 'mono' }, oauthCredentials(a).client_id || a.id) },
          { label: 'Type', render: (a) => typeLabel(appType(a)) },
          { label: 'Status', render: (a) => badge(a.status) },
          { label: 'Created', render: (a) => formatDate(a.created) },
        ],
        rows: apps,
      }) : h('div', { class: 'empty' },
        h('p', {}, filtered ? `No application matches${q ? ` "${q}"` : ''}${state ? ` with status ${state.toLowerCase()}` : ''}.`
          : 'There are no applications yet. An application is an OAuth client: a web app, a single-page app, a native app or an API service.')));
    } catch (error) {
      if (mine === generation) mount(results, errorBox(error));
    }
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  select.addEventListener('change', load);
  await load();

  return [
    pageHeader({
      title: 'Applications',
      subtitle: 'The OAuth 2.0 and OpenID Connect clients that ask your authorization servers for tokens.',
      actions: [canWrite ? button('Create App Integration', () => createApp(ctx), { kind: 'primary' }) : null],
    }),
    h('div', { class: 'toolbar app-toolbar', role: 'search' }, search, status),
    results,
  ];
}

export async function createApp(ctx) {
  const created = await modal({
    title: 'Create App Integration',
    wide: true,
    content: (close) => {
      const el = appForm(ctx, { onSaved: (app, secret) => close({ app, secret }), onCancel: () => close(null) });
      el.classList.add('app-form');
      return el;
    },
  });
  if (!created) return;
  const { app, secret } = created;
  if (secret) await showSecretOnce({ title: `"${app.label}" created`, clientId: app.id, secret });
  else toast(`Application "${app.label}" created`);
  ctx.navigate(`#/apps/${encodeURIComponent(app.id)}`);
}
