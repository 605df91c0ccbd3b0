// Authorization server › Access Policies (the seed's "Create Access Policies" and "Create Rules for Each Access
// Policy"): the policies in priority order on the left, the chosen one with its rules on the right. Both lists can
// be reordered (a PUT with the new priority, as Okta's console does; the API shifts the others), activated,
// deactivated, edited and deleted. The default rule of the default policy stays last and cannot move.
// API: /api/v1/authorizationServers/{id}/policies[/{policyId}[/rules[/{ruleId}]]] and their lifecycle (okta-api.md 6).
import { h, mount, button, badge, table, confirm, toast, errorBox, loading, details, link, nextId } from './ui.js';
import { ALL_CLIENTS, EVERYONE, duration, grantName, loadClients, loadGroups, loadScopes } from './policies-common.js';
import { editPolicy, policyBody } from './policy-form.js';
import { editRule, ruleBody } from './rule-form.js';

const enc = encodeURIComponent;

export async function renderTab(ctx, server) {
  const canWrite = ctx.abilities.canWrite('authorizationServers');
  const base = `/api/v1/authorizationServers/${enc(server.id)}`;
  const state = { policies: [], rules: [], rulesFor: null, rulesError: null, selected: ctx.query.get('policy') };
  const lookups = { clients: [], groups: null, scopes: null, users: new Map() };
  const listTitle = nextId('pol-list-title');
  const root = h('div', { class: 'pol-layout' });
  const listBox = h('section', { class: 'card pol-list', 'aria-labelledby': listTitle });
  const detailBox = h('div', { class: 'pol-detail' });
  let busy = false;

  const policyPath = (p) => `${base}/policies/${enc(p.id)}`;
  const rulePath = (p, r) => `${policyPath(p)}/rules/${enc(r.id)}`;
  const selectedPolicy = () => state.policies.find((p) => p.id === state.selected) || null;
  const clientName = (id) => lookups.clients.find((c) => c.id === id)?.name || id;
  const groupName = (id) => lookups.groups?.find((g) => g.id === id)?.name || id;

  async function loadPolicies() {
    state.policies = (await ctx.api.get(`${base}/policies`)).sort((a, b) => a.priority - b.priority);
    if (!selectedPolicy()) state.selected = state.policies[0]?.id || null;
  }

  async function loadRules() {
    const p = selectedPolicy();
    state.rules = [];
    state.rulesError = null;
    state.rulesFor = p?.id || null;
    if (!p) return;
    try {
      state.rules = (await ctx.api.get(`${policyPath(p)}/rules`)).sort((a, b) => a.priority - b.priority);
      await nameUsers(state.rules);
    } catch (error) {
      state.rulesError = error;
    }
  }

  // The logins of the users the rules name (when this admin may read users), for the rules' summaries.
  async function nameUsers(rules) {
    if (!ctx.abilities.canRead('users')) return;
    const ids = new Set(rules.flatMap((r) => [...(r.conditions?.people?.users?.include || []), ...(r.conditions?.people?.users?.exclude || [])]));
    await Promise.all([...ids].filter((id) => !lookups.users.has(id)).slice(0, 50).map((id) =>
      ctx.api.get(`/api/v1/users/${enc(id)}`).then((u) => lookups.users.set(id, u.profile?.login || id)).catch(() => lookups.users.set(id, id))));
  }

  // The default rule of the default policy of the default server: Okta's console does not let it move, and the API
  // refuses to move it (it stays last). It was made with the server, so it shares the server's creation time.
  function pinned(policy, rule) {
    return !!server.default && policy.created === server.created && rule.created === server.created
      && state.rules[state.rules.length - 1]?.id === rule.id;
  }

  // ---- drawing --------------------------------------------------------------------------------------------------

  function draw(focusKeys = []) {
    drawList();
    drawDetail();
    for (const key of focusKeys) {
      const target = root.querySelector(`[data-focus="${CSS.escape(key)}"]`);
      if (target && !target.disabled) { target.focus(); break; }
    }
  }

  function drawList() {
    const policies = state.policies;
    mount(listBox,
      h('div', { class: 'pol-card-head' },
        h('h2', { id: listTitle }, 'Access policies'),
        canWrite ? button('Add Policy', addPolicy, { kind: 'primary', dataset: { focus: 'add-policy' } }) : null),
      h('p', { class: 'help' }, 'Evaluated in priority order: the first policy that applies to the client and has a matching rule decides.'),
      policies.length
        ? h('ol', { class: 'pol-items', 'aria-label': 'Policies in priority order' }, policies.map((p, i) => {
          const current = p.id === state.selected;
          return h('li', { class: current ? 'pol-item current' : 'pol-item' },
            h('span', { class: 'pol-prio', title: 'Priority' }, String(p.priority)),
            h('div', { class: 'pol-item-main' },
              h('a', { href: `#/servers/${server.id}/policies?policy=${enc(p.id)}`, class: 'pol-item-link',
                'aria-current': current ? 'true' : null, dataset: { focus: `select:${p.id}` },
                onclick: (e) => { e.preventDefault(); select(p.id); } }, p.name),
              h('div', { class: 'pol-item-meta' }, badge(p.status), h('span', {}, clientsSummary(p)))),
            canWrite ? moveButtons({ label: p.name, key: p.id, up: i > 0, down: i < policies.length - 1, onMove: (d) => movePolicy(p, d) }) : null);
        }))
        : h('p', { class: 'pol-none' }, 'No access policy yet.'));
  }

  function clientsSummary(p) {
    const include = p.conditions?.clients?.include || [];
    if (include.includes(ALL_CLIENTS)) return 'All clients';
    if (include.length === 1) return clientName(include[0]);
    return `${include.length} clients`;
  }

  function drawDetail() {
    const p = selectedPolicy();
    root.classList.toggle('pol-layout-empty', !p);
    if (!p) {
      mount(detailBox, h('div', { class: 'empty pol-empty' },
        h('p', {}, 'This authorization server has no access policy, so it grants no token. Add a policy, then the rules that say who gets which scopes.'),
        canWrite ? button('Add Policy', addPolicy, { kind: 'primary' }) : null));
      return;
    }
    const include = p.conditions?.clients?.include || [];
    const policyTitle = nextId('pol-policy-title');
    const rulesTitle = nextId('pol-rules-title');
    mount(detailBox,
      h('section', { class: 'card pol-policy', 'aria-labelledby': policyTitle },
        h('div', { class: 'pol-card-head' },
          h('h2', { id: policyTitle, tabindex: '-1', dataset: { focus: 'policy-title' } }, p.name, ' ', badge(p.status)),
          h('div', { class: 'actions' },
            canWrite ? button('Edit', () => changePolicy(p), { 'aria-label': `Edit ${p.name}`, dataset: { focus: `edit:${p.id}` } }) : null,
            canWrite ? button(p.status === 'ACTIVE' ? 'Deactivate' : 'Activate', () => policyLifecycle(p),
              { 'aria-label': `${p.status === 'ACTIVE' ? 'Deactivate' : 'Activate'} ${p.name}`, dataset: { focus: `status:${p.id}` } }) : null,
            canWrite && !p.system ? button('Delete', () => removePolicy(p), { kind: 'danger', 'aria-label': `Delete ${p.name}` }) : null,
            ctx.abilities.canRead('logs') ? link('System Log', `#/logs?target=${enc(p.id)}`, { class: 'btn btn-secondary', 'aria-label': `System Log events of ${p.name}` }) : null)),
        details([
          ['Description', p.description || '—'],
          ['Assigned to', include.includes(ALL_CLIENTS) ? 'All clients'
            : h('ul', { class: 'pol-plain-list' }, include.map((id) => h('li', {}, clientName(id), ' ', h('span', { class: 'mono pol-hint' }, id))))],
          ['Priority', String(p.priority)],
          ['Policy ID', h('span', { class: 'mono' }, p.id)],
        ])),
      h('section', { class: 'card pol-rules', 'aria-labelledby': rulesTitle },
        h('div', { class: 'pol-card-head' },
          h('h2', { id: rulesTitle, tabindex: '-1', dataset: { focus: 'rules-title' } }, `Rules of ${p.name}`),
          canWrite ? button('Add Rule', () => addRule(p), { kind: 'primary', dataset: { focus: 'add-rule' } }) : null),
        h('p', { class: 'help' }, 'Evaluated in priority order: the first active rule whose grant type, user and scopes match the request decides the token.'),
        rulesTable(p)));
  }

  function rulesTable(p) {
    if (state.rulesFor !== p.id) return loading('Loading rules…');
    if (state.rulesError) return errorBox(state.rulesError);
    const rules = state.rules;
    const movable = rules.filter((r) => !pinned(p, r));
    const columns = [
      { label: 'Priority', class: 'pol-col-prio', render: (r) => {
        const i = movable.indexOf(r);
        return h('div', { class: 'pol-prio-cell' }, h('span', { class: 'pol-prio' }, String(r.priority)),
          canWrite && !pinned(p, r) ? moveButtons({ label: r.name, key: r.id, up: i > 0, down: i < movable.length - 1, onMove: (d) => moveRule(p, r, d) }) : null);
      } },
      { label: 'Rule', class: 'pol-col-rule', render: (r) => [
        h('div', { class: 'pol-rule-name' }, h('strong', {}, r.name), badge(r.status),
          pinned(p, r) ? badge('Default rule · always last', 'warn') : null),
        ruleSummary(r)] },
      { label: 'Token lifetimes', class: 'pol-col-tokens', render: (r) => tokenSummary(r) },
    ];
    if (canWrite) {
      columns.push({ label: 'Actions', class: 'actions-cell', render: (r) => h('div', { class: 'pol-row-actions' },
        button('Edit', () => changeRule(p, r), { class: 'btn btn-secondary btn-small', 'aria-label': `Edit ${r.name}`, dataset: { focus: `edit:${r.id}` } }),
        button(r.status === 'ACTIVE' ? 'Deactivate' : 'Activate', () => ruleLifecycle(p, r),
          { class: 'btn btn-secondary btn-small', 'aria-label': `${r.status === 'ACTIVE' ? 'Deactivate' : 'Activate'} ${r.name}`, dataset: { focus: `status:${r.id}` } }),
        r.system ? null : button('Delete', () => removeRule(p, r), { class: 'btn btn-danger btn-small', 'aria-label': `Delete ${r.name}` })) });
    }
    return table({
      caption: `Rules of ${p.name}`,
      columns,
      rows: rules,
      empty: 'This policy has no rules yet: it grants no token until a rule matches.',
      rowProps: (r) => ({ class: r.status === 'ACTIVE' ? 'pol-rule-row' : 'pol-rule-row pol-inactive', dataset: { ruleId: r.id } }),
    });
  }

  function ruleSummary(r) {
    const c = r.conditions || {};
    const grants = c.grantTypes?.include || [];
    const forUser = grants.some((g) => g !== 'client_credentials');
    const people = c.people || {};
    const groupsIn = people.groups?.include || [];
    const usersIn = people.users?.include || [];
    const except = [...(people.groups?.exclude || []).map(groupName), ...(people.users?.exclude || []).map((id) => lookups.users.get(id) || id)];
    let who;
    if (!forUser) who = 'No user (client credentials)';
    else if (groupsIn.includes(EVERYONE)) who = 'Any user assigned the app';
    else {
      who = [groupsIn.length ? `Groups: ${groupsIn.map(groupName).join(', ')}` : null,
        usersIn.length ? `Users: ${usersIn.map((id) => lookups.users.get(id) || id).join(', ')}` : null].filter(Boolean).join('; ') || 'Nobody';
    }
    if (forUser && except.length) who += `, except ${except.join(', ')}`;
    const scopes = c.scopes?.include || [];
    return h('dl', { class: 'pol-summary' },
      h('dt', {}, 'Grant types'), h('dd', {}, grants.map(grantName).join(', ') || '—'),
      h('dt', {}, 'User'), h('dd', {}, who),
      h('dt', {}, 'Scopes'), h('dd', {}, scopes.includes('*') ? 'Any scope' : (scopes.join(', ') || 'OpenID Connect scopes only')));
  }

  function tokenSummary(r) {
    const t = r.actions?.token || {};
    return h('dl', { class: 'pol-summary pol-tokens' },
      h('dt', {}, 'Access token'), h('dd', {}, duration(t.accessTokenLifetimeMinutes)),
      h('dt', {}, 'Refresh token'), h('dd', {}, duration(t.refreshTokenLifetimeMinutes)),
      h('dt', {}, 'Unused for'), h('dd', {}, duration(t.refreshTokenWindowMinutes)));
  }

  function moveButtons({ label, key, up, down, onMove }) {
    return h('div', { class: 'pol-move', role: 'group', 'aria-label': `Reorder ${label}` },
      h('button', { type: 'button', class: 'btn btn-small pol-move-btn', 'aria-label': `Move ${label} up`, title: 'Move up',
        disabled: !up, dataset: { focus: `${key}:up` }, onclick: () => onMove(-1) }, '↑'),
      h('button', { type: 'button', class: 'btn btn-small pol-move-btn', 'aria-label': `Move ${label} down`, title: 'Move down',
        disabled: !down, dataset: { focus: `${key}:down` }, onclick: () => onMove(1) }, '↓'));
  }

  // ---- actions --------------------------------------------------------------------------------------------------

  // Runs one change at a time; an error of the API is a toast.
  async function act(work) {
    if (busy) return;
    busy = true;
    root.setAttribute('aria-busy', 'true');
    try {
      await work();
    } catch (error) {
      toast(error.message, 'bad');
    } finally {
      busy = false;
      root.removeAttribute('aria-busy');
    }
  }

  async function select(id) {
    state.selected = id;
    history.replaceState(null, '', `#/servers/${server.id}/policies?policy=${enc(id)}`);
    drawList();
    drawDetail();
    root.querySelector(`[data-focus="${CSS.escape(`select:${id}`)}"]`)?.focus();
    await loadRules();
    if (state.selected === id) draw([`select:${id}`]);
  }

  const movedKeys = (key, d) => (d < 0 ? [`${key}:up`, `${key}:down`] : [`${key}:down`, `${key}:up`]);

  function movePolicy(p, d) {
    return act(async () => {
      await ctx.api.put(policyPath(p), policyBody(p, { priority: p.priority + d }));
      await loadPolicies();
      draw(movedKeys(p.id, d));
      toast(`Policy "${p.name}" is now priority ${p.priority + d}`);
    });
  }

  function moveRule(p, r, d) {
    return act(async () => {
      await ctx.api.put(rulePath(p, r), ruleBody(r, { priority: r.priority + d }));
      await loadRules();
      draw(movedKeys(r.id, d));
      toast(`Rule "${r.name}" is now priority ${r.priority + d}`);
    });
  }

  function addPolicy() {
    return act(async () => {
      const saved = await editPolicy(ctx, { base, clients: lookups.clients });
      if (!saved) return;
      state.selected = saved.id;
      history.replaceState(null, '', `#/servers/${server.id}/policies?policy=${enc(saved.id)}`);
      await loadPolicies();
      await loadRules();
      draw(['policy-title']);
      toast(`Policy "${saved.name}" created`);
    });
  }

  function changePolicy(p) {
    return act(async () => {
      const saved = await editPolicy(ctx, { base, clients: lookups.clients, policy: p });
      if (!saved) return;
      await loadPolicies();
      draw([`edit:${p.id}`]);
      toast(`Policy "${saved.name}" saved`);
    });
  }

  function policyLifecycle(p) {
    return act(async () => {
      await ctx.api.post(`${policyPath(p)}/lifecycle/${p.status === 'ACTIVE' ? 'deactivate' : 'activate'}`);
      await loadPolicies();
      draw([`status:${p.id}`]);
      toast(`Policy "${p.name}" ${p.status === 'ACTIVE' ? 'deactivated: it is skipped until activated' : 'activated'}`);
    });
  }

  function removePolicy(p) {
    return act(async () => {
      const count = state.rulesFor === p.id ? state.rules.length : null;
      const ok = await confirm({
        title: 'Delete access policy',
        message: `Delete "${p.name}"${count ? ` and its ${count} rule${count === 1 ? '' : 's'}` : ' and its rules'}? Clients it applied to get no token from it any more. This cannot be undone.`,
        confirmLabel: 'Delete policy',
      });
      if (!ok) return;
      await ctx.api.del(policyPath(p));
      state.selected = null;
      await loadPolicies();
      await loadRules();
      if (state.selected) history.replaceState(null, '', `#/servers/${server.id}/policies?policy=${enc(state.selected)}`);
      draw(['add-policy']);
      toast(`Policy "${p.name}" deleted`);
    });
  }

  async function ruleLookups() {
    if (!lookups.scopes) lookups.scopes = await loadScopes(ctx.api, server.id);
    if (!lookups.groups && ctx.abilities.canRead('groups')) lookups.groups = await loadGroups(ctx.api).catch(() => null);
  }

  function addRule(p) {
    return act(async () => {
      await ruleLookups();
      const saved = await editRule(ctx, { base, policy: p, scopes: lookups.scopes, groups: lookups.groups });
      if (!saved) return;
      await loadRules();
      draw([`edit:${saved.id}`, 'add-rule']);
      toast(`Rule "${saved.name}" created`);
    });
  }

  function changeRule(p, r) {
    return act(async () => {
      await ruleLookups();
      const saved = await editRule(ctx, { base, policy: p, scopes: lookups.scopes, groups: lookups.groups, rule: r });
      if (!saved) return;
      await loadRules();
      draw([`edit:${r.id}`]);
      toast(`Rule "${saved.name}" saved`);
    });
  }

  function ruleLifecycle(p, r) {
    return act(async () => {
      await ctx.api.post(`${rulePath(p, r)}/lifecycle/${r.status === 'ACTIVE' ? 'deactivate' : 'activate'}`);
      await loadRules();
      draw([`status:${r.id}`]);
      toast(`Rule "${r.name}" ${r.status === 'ACTIVE' ? 'deactivated: it is skipped until activated' : 'activated'}`);
    });
  }

  function removeRule(p, r) {
    return act(async () => {
      const ok = await confirm({
        title: 'Delete rule',
        message: `Delete the rule "${r.name}" of "${p.name}"? Requests it matched fall through to the next rule. This cannot be undone.`,
        confirmLabel: 'Delete rule',
      });
      if (!ok) return;
      await ctx.api.del(rulePath(p, r));
      await loadRules();
      draw(['rules-title']);
      toast(`Rule "${r.name}" deleted`);
    });
  }

  // ---- first render ---------------------------------------------------------------------------------------------

  const [clients, groups] = await Promise.all([
    loadClients(ctx.api).catch(() => []),
    ctx.abilities.canRead('groups') ? loadGroups(ctx.api).catch(() => null) : null,
  ]);
  lookups.clients = clients;
  lookups.groups = groups;
  await loadPolicies();
  await loadRules();
  draw();
  mount(root, listBox, detailBox);
  return root;
}
