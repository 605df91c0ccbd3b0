// The console's shell: sign-in on load, the admin's roles, the nav rail and the hash router that loads one page
// module per route. Every page is only a client of the public management API (api.js).
import { completeSignIn, justSignedOut, session, signIn, signOut, SignInError } from './auth.js';
import { api } from './api.js';
import { h, mount, errorBox, loading, button } from './ui.js';

// Route patterns -> page module and its parameters. Order matters: the first match wins.
const ROUTES = [
  [/^\/servers$/, 'page-servers.js', []],
  [/^\/servers\/([\w-]+)(?:\/(settings|scopes|claims|policies|preview))?$/, 'page-server.js', ['serverId', 'tab']],
  [/^\/apps$/, 'page-apps.js', []],
  [/^\/apps\/([\w-]+)$/, 'page-app.js', ['appId']],
  [/^\/logs$/, 'page-logs.js', []],
];

const NAV = [
  { label: 'Authorization Servers', href: '#/servers', match: /^\/servers/ },
  { label: 'Applications', href: '#/apps', match: /^\/apps/ },
  { label: 'System Log', href: '#/logs', match: /^\/logs/, family: 'logs' },
];

// What a person's admin roles let the console offer (api/management_scopes.role_allows decides on the server).
export class Abilities {
  constructor(roles) { this.roles = new Set(roles); }
  get any() { return this.roles.size > 0; }
  canWrite(family) {
    if (this.roles.has('SUPER_ADMIN')) return true;
    return this.roles.has('API_ACCESS_MANAGEMENT_ADMIN') && ['authorizationServers', 'apps', 'clients'].includes(family);
  }
  canRead(family) {
    if (this.roles.has('SUPER_ADMIN') || this.roles.has('READ_ONLY_ADMIN')) return true;
    return this.canWrite(family);
  }
  get label() {
    if (this.roles.has('SUPER_ADMIN')) return 'Super administrator';
    if (this.roles.has('API_ACCESS_MANAGEMENT_ADMIN')) return 'API Access Management administrator';
    if (this.roles.has('READ_ONLY_ADMIN')) return 'Read-only administrator';
    return 'No admin role';
  }
}

const root = document.getElementById('app');
let context = null;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/servers';
  const [path, query = ''] = raw.split('?');
  return { path, query: new URLSearchParams(query) };
}

function shell(me, abilities) {
  const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
  const nav = h('nav', { class: 'rail', 'aria-label': 'Console' },
    h('ul', {}, NAV.filter((item) => !item.family || abilities.canRead(item.family)).map((item) => h('li', {}, h('a', { href: item.href, class: 'rail-link', dataset: { match: item.match.source } }, item.label)))));
  const header = h('header', { class: 'topbar' },
    h('a', { class: 'skip-link', href: '#main', onclick: (e) => { e.preventDefault(); main.focus(); } }, 'Skip to content'),
    h('a', { class: 'brand', href: '#/servers' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, 'tm'), 'tokenmint'),
    h('span', { class: 'brand-sub' }, 'Security › API'),
    h('div', { class: 'who' },
      h('span', { class: 'who-name' }, me.name), h('span', { class: 'who-role' }, abilities.label),
      button('Sign out', () => signOut(), { kind: 'ghost' })));
  mount(root, header, h('div', { class: 'layout' }, nav, main));
  root.className = '';
  return { main, nav };
}

async function render() {
  const { path, query } = parseHash();
  for (const link of context.nav.querySelectorAll('.rail-link')) {
    const current = new RegExp(link.dataset.match).test(path);
    link.classList.toggle('current', current);
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  const found = ROUTES.map(([pattern, module, names]) => [pattern.exec(path), module, names]).find(([m]) => m);
  const main = context.main;
  if (!found) {
    mount(main, h('h1', { id: 'page-title', tabindex: '-1' }, 'Page not found'), h('p', {}, h('a', { href: '#/servers' }, 'Go to Authorization Servers')));
    document.title = 'Not found · tokenmint';
    return;
  }
  const [match, module, names] = found;
  const params = Object.fromEntries(names.map((n, i) => [n, match[i + 1]]));
  const token = Symbol('render');
  context.current = token;
  mount(main, loading());
  try {
    const page = await import(`./${module}`);
    const ctx = {
      params, query, api, abilities: context.abilities, me: context.me,
      setTitle: (title) => { document.title = `${title} · tokenmint`; },
      navigate: (hash) => { location.hash = hash; },
      stale: () => context.current !== token, // a later navigation replaced this page
      refresh: () => render(),
    };
    const content = await page.render(ctx);
    if (context.current !== token) return;
    mount(main, content);
    main.querySelector('#page-title')?.focus({ preventScroll: true });
  } catch (error) {
    if (context.current !== token) return;
    mount(main, h('h1', { id: 'page-title', tabindex: '-1' }, 'Something went wrong'), errorBox(error),
      h('p', {}, button('Try again', () => render())));
  }
}

function signedOutScreen(message = 'You are signed out.', problem = null) {
  root.className = 'boot';
  mount(root, h('main', { class: 'signed-out' },
    h('h1', {}, 'tokenmint Admin Console'),
    problem ? errorBox(problem) : h('p', {}, message),
    button('Sign in', () => signIn('#/servers'), { kind: 'primary' })));
}

async function start() {
  try {
    await completeSignIn();
  } catch (error) {
    if (error instanceof SignInError) { signedOutScreen('', error); return; }
    throw error;
  }
  const me = session();
  if (!me) {
    if (justSignedOut()) { signedOutScreen(); return; }
    await signIn(location.hash || '#/servers');
    return;
  }
  const roles = (await api.get(`/api/v1/users/${encodeURIComponent(me.userId)}/roles`)).map((r) => r.type);
  const abilities = new Abilities(roles);
  if (!abilities.any) {
    signedOutScreen('', new Error('Your account has no admin role. Ask a super administrator for one.'));
    return;
  }
  context = { me, abilities, ...shell(me, abilities) };
  window.addEventListener('hashchange', render);
  await render();
}

start().catch((error) => {
  root.className = 'boot';
  mount(root, h('main', { class: 'signed-out' }, h('h1', {}, 'The console could not start'), errorBox(error)));
});
