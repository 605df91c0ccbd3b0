// One authorization server: the seed's tabs (Settings, Scopes, Claims, Access Policies, Token Preview), each its
// own module (tab-<name>.js exporting renderTab(ctx, server)), and a link to the server's System Log events.
import { h, pageHeader, tabs, badge, link } from './ui.js';

const TABS = [
  ['settings', 'Settings'], ['scopes', 'Scopes'], ['claims', 'Claims'], ['policies', 'Access Policies'],
  ['preview', 'Token Preview'],
];

export async function render(ctx) {
  const id = ctx.params.serverId;
  const current = ctx.params.tab || 'settings';
  const server = await ctx.api.get(`/api/v1/authorizationServers/${encodeURIComponent(id)}`);
  const label = TABS.find(([key]) => key === current)[1];
  ctx.setTitle(`${server.name} · ${label}`);
  const module = await import(`./tab-${current}.js`);
  const body = await module.renderTab({ ...ctx, server }, server);
  return [
    pageHeader({
      crumbs: [{ label: 'Authorization Servers', href: '#/servers' }, { label: server.name }],
      title: server.name,
      subtitle: h('span', {}, badge(server.status), ' ', h('span', { class: 'mono' }, server.issuer)),
      actions: [ctx.abilities.canRead('logs') ? link('View in System Log', `#/logs?target=${encodeURIComponent(server.id)}`, { class: 'btn btn-secondary' }) : null],
    }),
    tabs(TABS.map(([key, text]) => ({ label: text, href: `#/servers/${server.id}/${key}`, current: key === current }))),
    h('div', { class: 'tab-body' }, body),
  ];
}
