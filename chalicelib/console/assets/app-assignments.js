// An application's assignments: the people assigned directly (/api/v1/apps/{id}/users) and the groups
// (/api/v1/apps/{id}/groups), with assign and unassign. Access policy rules can require that a person be assigned
// the app (directly or through a group): that is what assignments are for in tokenmint.
import { h, mount, section, table, button, confirm, toast, modal, field, form, values, loading, errorBox, formatDate, nextId } from './ui.js';

const userLabel = (u) => {
  const p = u.profile || {};
  const name = [p.firstName, p.lastName].filter(Boolean).join(' ');
  return name ? `${name} (${p.login || u.id})` : (p.login || u.id);
};
const groupLabel = (g) => g.profile?.name || g.id;

export async function renderAssignments(ctx, app) {
  const canWrite = ctx.abilities.canWrite('apps');
  const base = `/api/v1/apps/${encodeURIComponent(app.id)}`;
  const people = h('div', { class: 'app-table' }, loading('Loading people…'));
  const groups = h('div', { class: 'app-table' }, loading('Loading groups…'));
  let assignedUsers = new Set();
  let assignedGroups = new Set();

  async function loadPeople() {
    try {
      const rows = await ctx.api.list(`${base}/users`);
      assignedUsers = new Set(rows.map((r) => r.id));
      const names = ctx.abilities.canRead('users') && rows.length <= 100
        ? await Promise.all(rows.map((r) => ctx.api.get(`/api/v1/users/${encodeURIComponent(r.id)}`).then(userLabel).catch(() => null)))
        : rows.map(() => null);
      const named = rows.map((r, i) => ({ ...r, name: names[i] || r.credentials?.userName || r.id }));
      mount(people, table({
        caption: 'People assigned to the app',
        columns: [
          { label: 'Person', render: (r) => r.name },
          { label: 'User ID', render: (r) => h('span', { class: 'mono' }, r.id) },
          { label: 'Assigned', render: (r) => formatDate(r.created) },
          canWrite ? { label: 'Actions', class: 'actions-cell', render: (r) => button('Unassign', () => unassignUser(r),
            { class: 'btn btn-secondary btn-small', 'aria-label': `Unassign ${r.name}` }) } : null,
        ].filter(Boolean),
        rows: named,
        empty: 'No one is assigned to this app directly.',
      }));
    } catch (error) {
      mount(people, errorBox(error));
    }
  }

  async function loadGroups() {
    try {
      const rows = await ctx.api.list(`${base}/groups`);
      assignedGroups = new Set(rows.map((r) => r.id));
      const names = ctx.abilities.canRead('groups') && rows.length <= 100
        ? await Promise.all(rows.map((r) => ctx.api.get(`/api/v1/groups/${encodeURIComponent(r.id)}`).then(groupLabel).catch(() => null)))
        : rows.map(() => null);
      const named = rows.map((r, i) => ({ ...r, name: names[i] || r.id }));
      mount(groups, table({
        caption: 'Groups assigned to the app',
        columns: [
          { label: 'Group', render: (r) => r.name },
          { label: 'Group ID', render: (r) => h('span', { class: 'mono' }, r.id) },
          { label: 'Priority', class: 'num', render: (r) => String(r.priority ?? '—') },
          canWrite ? { label: 'Actions', class: 'actions-cell', render: (r) => button('Unassign', () => unassignGroup(r),
            { class: 'btn btn-secondary btn-small', 'aria-label': `Unassign ${r.name}` }) } : null,
        ].filter(Boolean),
        rows: named,
        empty: 'No group is assigned to this app.',
      }));
    } catch (error) {
      mount(groups, errorBox(error));
    }
  }

  async function unassignUser(row) {
    const ok = await confirm({ title: 'Unassign person', message: `${row.name} is no longer assigned to "${app.label}" directly (an assignment through a group stays).`, confirmLabel: 'Unassign' });
    if (!ok) return;
    try {
      await ctx.api.del(`${base}/users/${encodeURIComponent(row.id)}`);
      toast(`${row.name} unassigned`);
      await loadPeople();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function unassignGroup(row) {
    const ok = await confirm({ title: 'Unassign group', message: `The members of ${row.name} are no longer assigned to "${app.label}" through it.`, confirmLabel: 'Unassign' });
    if (!ok) return;
    try {
      await ctx.api.del(`${base}/groups/${encodeURIComponent(row.id)}`);
      toast(`${row.name} unassigned`);
      await loadGroups();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function assignUser() {
    await modal({
      title: 'Assign people',
      wide: true,
      content: (close) => (ctx.abilities.canRead('users')
        ? picker({
          label: 'Find a person', placeholder: 'First name, last name, email or login',
          search: (q) => ctx.api.get(`/api/v1/users?limit=10${q ? `&q=${encodeURIComponent(q)}` : ''}`),
          describe: userLabel, assigned: (u) => assignedUsers.has(u.id),
          assign: async (u) => { await ctx.api.post(`${base}/users`, { id: u.id }); assignedUsers.add(u.id); toast(`${userLabel(u)} assigned`); },
          close,
        })
        : byId({ label: 'User ID', path: 'id', assign: (uid) => ctx.api.post(`${base}/users`, { id: uid }), close })),
    });
    await loadPeople();
  }

  async function assignGroup() {
    await modal({
      title: 'Assign groups',
      wide: true,
      content: (close) => (ctx.abilities.canRead('groups')
        ? picker({
          label: 'Find a group', placeholder: 'Group name',
          search: (q) => ctx.api.get(`/api/v1/groups?limit=20${q ? `&q=${encodeURIComponent(q)}` : ''}`),
          describe: groupLabel, assigned: (g) => assignedGroups.has(g.id),
          assign: async (g) => { await ctx.api.put(`${base}/groups/${encodeURIComponent(g.id)}`, {}); assignedGroups.add(g.id); toast(`${groupLabel(g)} assigned`); },
          close,
        })
        : byId({ label: 'Group ID', path: 'id', assign: (gid) => ctx.api.put(`${base}/groups/${encodeURIComponent(gid)}`, {}), close })),
    });
    await loadGroups();
  }

  await Promise.all([loadPeople(), loadGroups()]);
  return [
    h('p', { class: 'help app-intro' }, 'Access policy rules can require that a person be assigned the app, directly or through one of their groups.'),
    section('People', people, canWrite ? h('div', { class: 'form-actions section-actions' }, button('Assign people', assignUser, { kind: 'primary' })) : null),
    section('Groups', groups, canWrite ? h('div', { class: 'form-actions section-actions' }, button('Assign groups', assignGroup, { kind: 'primary' })) : null),
  ];
}

// A directory search with an Assign button per result; several can be assigned before closing.
function picker({ label, placeholder, search, describe, assigned, assign, close }) {
  const id = nextId('pick');
  const input = h('input', { id, type: 'search', autocomplete: 'off', placeholder });
  const results = h('div', { class: 'app-pick-results', 'aria-live': 'polite' }, loading('Searching…'));
  let timer = null;
  let generation = 0;

  async function run() {
    const mine = ++generation;
    const q = input.value.trim();
    try {
      const found = await search(q);
      if (mine !== generation) return;
      mount(results, found.length ? h('ul', { class: 'app-pick-list', 'aria-label': 'Search results' },
        found.map((item) => {
          const slot = h('span', { class: 'app-pick-action' });
          const draw = () => mount(slot, assigned(item) ? h('span', { class: 'app-pick-done' }, 'Assigned')
            : button('Assign', async (event) => {
              event.currentTarget.disabled = true;
              try { await assign(item); } catch (error) { mount(slot, errorBox(error)); return; }
              draw();
            }, { class: 'btn btn-secondary btn-small', 'aria-label': `Assign ${describe(item)}` }));
          draw();
          return h('li', { class: 'app-pick-item' }, h('span', {}, describe(item)), slot);
        }))
        : h('p', { class: 'help' }, q ? `Nothing matches "${q}".` : 'Nothing to assign yet.'));
    } catch (error) {
      if (mine === generation) mount(results, errorBox(error));
    }
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); clearTimeout(timer); run(); } });
  run();
  return [
    h('div', { class: 'field app-pick-field' }, h('label', { for: id }, label), input),
    results,
    h('div', { class: 'form-actions' }, button('Done', () => close(true), { kind: 'primary' })),
  ];
}

// Without the right to read the directory: assign by id.
function byId({ label, path, assign, close }) {
  return form({
    label,
    submitLabel: 'Assign',
    onCancel: () => close(undefined),
    children: [field({ label, path, required: true })],
    onSubmit: async (formEl) => {
      const value = values(formEl)[path].trim();
      await assign(value);
      toast('Assigned');
      close(true);
    },
  });
}
