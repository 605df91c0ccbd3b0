// Security › API › Authorization Servers (the seed's list): search by name or audience, status, issuer; Add.
// API: GET/POST /api/v1/authorizationServers (okta-api.md 2).
import { h, mount, pageHeader, table, badge, button, field, form, values, lines, modal, loading, errorBox, link, toast } from './ui.js';

export async function render(ctx) {
  ctx.setTitle('Authorization Servers');
  const canWrite = ctx.abilities.canWrite('authorizationServers');
  const results = h('div', { class: 'results' }, loading());
  const search = field({ label: 'Search by name or audience', name: 'q', type: 'search', value: ctx.query.get('q') || '' });
  const input = search.querySelector('input');
  let timer = null;
  let generation = 0;

  async function load() {
    const mine = ++generation;
    const q = input.value.trim();
    try {
      const servers = await ctx.api.list(`/api/v1/authorizationServers${q ? `?q=${encodeURIComponent(q)}` : ''}`);
      if (mine !== generation) return;
      mount(results, table({
        caption: 'Authorization servers',
        columns: [
          { label: 'Name', render: (s) => link(s.name, `#/servers/${s.id}/settings`) },
          { label: 'Audience', render: (s) => (s.audiences || []).join(', ') },
          { label: 'Issuer URI', render: (s) => h('span', { class: 'mono' }, s.issuer) },
          { label: 'Status', render: (s) => badge(s.status) },
        ],
        rows: servers,
        empty: q ? `No authorization server matches "${q}".` : 'There are no authorization servers yet.',
      }));
    } catch (error) {
      if (mine === generation) mount(results, errorBox(error));
    }
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 250); });
  await load();

  const add = canWrite ? button('Add Authorization Server', () => addServer(ctx), { kind: 'primary' }) : null;
  return [
    pageHeader({ title: 'Authorization Servers', subtitle: 'Each authorization server mints tokens for its own audience with its own keys, scopes, claims and access policies.', actions: [add] }),
    h('div', { class: 'toolbar', role: 'search' }, search),
    results,
  ];
}

async function addServer(ctx) {
  const created = await modal({
    title: 'Add Authorization Server',
    content: (close) => form({
      label: 'Add Authorization Server',
      submitLabel: 'Save',
      onCancel: () => close(null),
      children: [
        field({ label: 'Name', path: 'name', required: true }),
        field({ label: 'Audience', path: 'audiences', required: true, help: 'The aud claim of its access tokens, for example api://orders. Several: one per line.', type: 'textarea', rows: 2 }),
        field({ label: 'Description', path: 'description', type: 'textarea', rows: 2 }),
      ],
      onSubmit: async (formEl) => {
        const v = values(formEl);
        const server = await ctx.api.post('/api/v1/authorizationServers', {
          name: v.name, audiences: lines(v.audiences), description: v.description,
        });
        close(server);
      },
    }),
  });
  if (created) {
    toast(`Authorization server "${created.name}" created`);
    ctx.navigate(`#/servers/${created.id}/settings`);
  }
}
