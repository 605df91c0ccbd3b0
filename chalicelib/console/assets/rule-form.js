// Add or edit a rule of an access policy (the seed's "Add Rule": IF grant type is, AND user is, AND scopes
// requested, THEN access token lifetime is, AND refresh token lifetime is). API: POST /policies/{policyId}/rules,
// PUT /policies/{policyId}/rules/{ruleId} (okta-api.md 6.3; validation in admin/rules.py). A rule for client
// credentials only has no user; exclusions set through the API are kept as they are.
import { h, field, form, values, modal, nextId } from './ui.js';
import { CLIENT_GRANTS, EVERYONE, OTHER_GRANTS, USER_GRANTS, checklist, choice, duration, group, userPicker } from './policies-common.js';

const USER_GRANT_TYPES = new Set(USER_GRANTS.map(([value]) => value));

export function ruleBody(rule, changes = {}) {
  return {
    type: 'RESOURCE_ACCESS',
    name: rule.name,
    status: rule.status,
    priority: rule.priority,
    conditions: rule.conditions,
    actions: rule.actions,
    ...changes,
  };
}

// Resolves with the saved rule, or undefined when cancelled.
export function editRule(ctx, { base, policy, scopes, groups, rule = null }) {
  const title = rule ? `Edit rule: ${rule.name}` : `Add Rule to ${policy.name}`;
  const rulesPath = `${base}/policies/${encodeURIComponent(policy.id)}/rules`;
  const c = rule?.conditions || {};
  const token = rule?.actions?.token || { accessTokenLifetimeMinutes: 60, refreshTokenLifetimeMinutes: 0, refreshTokenWindowMinutes: 10080 };
  const grants = new Set(c.grantTypes?.include || (rule ? [] : ['client_credentials', 'authorization_code']));
  const people = c.people || {};
  const groupsInclude = people.groups?.include || (rule ? [] : [EVERYONE]);
  const usersInclude = people.users?.include || [];
  const anyUser = groupsInclude.includes(EVERYONE) || (!usersInclude.length && !groupsInclude.length);
  const scopeList = c.scopes?.include || ['*'];
  const anyScope = scopeList.includes('*');

  return modal({
    title,
    wide: true,
    content: (close) => {
      // IF grant type is
      const grantBoxes = [];
      const grantChoice = ([value, label]) => {
        const made = choice({ name: 'grantType', value, label, hint: value === label ? null : value, checked: grants.has(value), onchange: syncPeople });
        grantBoxes.push(made.input);
        return made.el;
      };
      const otherChecked = OTHER_GRANTS.some(([value]) => grants.has(value));
      const grantGroup = group({ legend: 'IF Grant type is', path: 'conditions.grantTypes.include',
        help: 'A refresh is judged by the rule that matched the original grant: a refresh token is issued when the client may use refresh_token and offline_access is granted.' },
      h('div', { class: 'pol-grant-cols' },
        h('div', { class: 'pol-grant-col' }, h('p', { class: 'pol-sublabel' }, 'Client acting on behalf of itself'), CLIENT_GRANTS.map(grantChoice)),
        h('div', { class: 'pol-grant-col' }, h('p', { class: 'pol-sublabel' }, 'Client acting on behalf of a user'), USER_GRANTS.map(grantChoice))),
      h('details', { class: 'pol-more', open: otherChecked },
        h('summary', {}, 'Other grant types'),
        h('p', { class: 'help' }, 'Accepted in rules for compatibility with Okta; tokenmint runs no flow for them.'),
        h('div', { class: 'pol-grant-other' }, OTHER_GRANTS.map(grantChoice))));

      // AND user is
      const groupPicker = groups
        ? checklist({ label: 'Groups', items: groups.map((g) => ({ value: g.id, label: g.name })),
          selected: groupsInclude.filter((g) => g !== EVERYONE), emptyText: 'There are no groups yet.', filterLabel: 'Filter groups' })
        : idsArea('Groups: group IDs, one per line', groupsInclude.filter((g) => g !== EVERYONE));
      const users = userPicker(ctx, { label: 'Users', selectedIds: usersInclude });
      const anyChoice = choice({ type: 'radio', name: 'people', value: 'any', label: 'Any user assigned the app', checked: anyUser, onchange: syncPeople });
      const someChoice = choice({ type: 'radio', name: 'people', value: 'some', label: 'Assigned the app and a member of one of the following:', checked: !anyUser, onchange: syncPeople });
      const specific = h('div', { class: 'pol-indent pol-people-specific' },
        h('div', { class: 'field', dataset: { path: 'conditions.people.groups.include' } },
          h('p', { class: 'pol-sublabel' }, 'Groups'), groupPicker.el, h('p', { class: 'field-error', hidden: true })),
        h('div', { class: 'field', dataset: { path: 'conditions.people.users.include' } },
          users.el, h('p', { class: 'field-error', hidden: true })));
      const excluded = (people.users?.exclude || []).length + (people.groups?.exclude || []).length;
      const peopleGroup = group({ legend: 'AND User is', path: 'conditions.people' },
        anyChoice.el, someChoice.el, specific,
        excluded ? h('p', { class: 'help' }, `This rule also excludes ${excluded} user(s) or group(s), set through the API; they are kept.`) : null);
      const noUser = h('p', { class: 'pol-no-user' }, h('strong', {}, 'AND User is: No user. '),
        'Client credentials act on the client\'s own behalf; choose a grant type that acts on behalf of a user to set user conditions.');
      function syncPeople() {
        const forUser = grantBoxes.some((b) => b.checked && b.value !== 'client_credentials');
        const forClient = grantBoxes.some((b) => b.checked && b.value === 'client_credentials');
        peopleGroup.hidden = !forUser;
        noUser.hidden = forUser || !forClient;
        specific.hidden = !someChoice.input.checked;
      }

      // AND scopes requested
      const scopePicker = checklist({ label: 'Scopes', items: scopes.map((s) => ({ value: s.name, label: s.name, hint: s.system ? 'system' : null })),
        selected: anyScope ? [] : scopeList, emptyText: 'This server has no scopes.', filterLabel: 'Filter scopes' });
      const anyScopeChoice = choice({ type: 'radio', name: 'scopeMode', value: 'any', label: 'Any scopes', checked: anyScope, onchange: syncScopes });
      const someScopeChoice = choice({ type: 'radio', name: 'scopeMode', value: 'some', label: 'The following scopes:', checked: !anyScope, onchange: syncScopes });
      const scopeBox = h('div', { class: 'pol-indent' }, scopePicker.el);
      function syncScopes() {
        scopeBox.hidden = !someScopeChoice.input.checked;
        for (const box of scopePicker.inputs) box.disabled = !someScopeChoice.input.checked;
      }

      // THEN lifetimes
      const access = minutesField({ label: 'Access token lifetime (minutes)', path: 'actions.token.accessTokenLifetimeMinutes',
        value: token.accessTokenLifetimeMinutes, min: 5, max: 1440, range: '5 minutes to 1 day' });
      const refreshUnlimited = token.refreshTokenLifetimeMinutes === 0;
      const refreshMinutes = minutesField({ label: 'Refresh token lifetime (minutes)', value: refreshUnlimited ? 1440 * 90 : token.refreshTokenLifetimeMinutes,
        min: 5, range: 'at least the access token lifetime' });
      const unlimitedChoice = choice({ type: 'radio', name: 'refreshMode', value: 'unlimited', label: 'Unlimited', checked: refreshUnlimited, onchange: syncRefresh });
      const limitedChoice = choice({ type: 'radio', name: 'refreshMode', value: 'limited', label: 'Expires after a fixed time', checked: !refreshUnlimited, onchange: syncRefresh });
      function syncRefresh() {
        refreshMinutes.input.disabled = unlimitedChoice.input.checked;
        refreshMinutes.el.hidden = unlimitedChoice.input.checked;
      }
      const windowField = minutesField({ label: 'Refresh token expires if not used every (minutes)', path: 'actions.token.refreshTokenWindowMinutes',
        value: token.refreshTokenWindowMinutes, min: 10, max: 2628000, range: '10 minutes to 5 years; with a fixed lifetime, between the access token lifetime and it' });

      syncPeople();
      syncScopes();
      syncRefresh();
      const ruleForm = form({
        label: title,
        submitLabel: rule ? 'Save rule' : 'Create rule',
        onCancel: () => close(undefined),
        children: [
          field({ label: 'Rule name', path: 'name', value: rule?.name || '', required: true }),
          grantGroup,
          peopleGroup,
          noUser,
          group({ legend: 'AND Scopes requested', path: 'conditions.scopes.include',
            help: 'OpenID Connect scopes (openid, profile, email, …) are granted when requested unless the list names one of them.' },
          anyScopeChoice.el, someScopeChoice.el, scopeBox),
          group({ legend: 'THEN Token lifetimes', className: 'pol-lifetimes' },
            access.el,
            group({ legend: 'AND Refresh token lifetime is', path: 'actions.token.refreshTokenLifetimeMinutes' },
              unlimitedChoice.el, limitedChoice.el, h('div', { class: 'pol-indent' }, refreshMinutes.el)),
            windowField.el),
        ],
        onSubmit: async (formEl) => {
          const v = values(formEl);
          const grantTypes = grantBoxes.filter((b) => b.checked).map((b) => b.value);
          const forUser = grantTypes.some((g) => g !== 'client_credentials');
          const keep = (list) => list || [];
          const peopleOut = {
            users: { include: [], exclude: keep(people.users?.exclude) },
            groups: { include: [], exclude: keep(people.groups?.exclude) },
          };
          if (forUser && v.people === 'any') peopleOut.groups.include = [EVERYONE];
          else if (forUser) {
            peopleOut.groups.include = groupPicker.values();
            peopleOut.users.include = users.values();
          }
          const tokenOut = {
            accessTokenLifetimeMinutes: access.number(),
            refreshTokenLifetimeMinutes: v.refreshMode === 'unlimited' ? 0 : refreshMinutes.number(),
            refreshTokenWindowMinutes: windowField.number(),
          };
          if (token.inlineHook) tokenOut.inlineHook = token.inlineHook;
          const changes = {
            name: v.name,
            conditions: {
              people: peopleOut,
              grantTypes: { include: grantTypes },
              scopes: { include: v.scopeMode === 'any' ? ['*'] : scopePicker.values() },
            },
            actions: { token: tokenOut },
          };
          const saved = rule
            ? await ctx.api.put(`${rulesPath}/${encodeURIComponent(rule.id)}`, ruleBody(rule, changes))
            : await ctx.api.post(rulesPath, { type: 'RESOURCE_ACCESS', status: 'ACTIVE', ...changes });
          close(saved);
        },
      });
      ruleForm.classList.add('pol-form');
      return ruleForm;
    },
  });
}

// A number of minutes with the duration in words beside it ("= 7 days").
function minutesField({ label, path = '', value, min = null, max = null, range }) {
  const el = field({ label, path, type: 'number', value: value ?? '', min, max, help: range });
  const input = el.querySelector('input');
  const help = el.querySelector('.help');
  const say = () => { help.textContent = `${input.value === '' ? '—' : duration(Number(input.value))} · ${range}`; };
  input.addEventListener('input', say);
  input.classList.add('pol-minutes');
  el.classList.add('pol-hideable');
  say();
  return { el, input, number: () => (input.value === '' ? null : Number(input.value)) };
}

function idsArea(label, ids) {
  const id = nextId('ids');
  const area = h('textarea', { id, rows: 2, class: 'mono' }, ids.join('\n'));
  return {
    el: h('div', {}, h('label', { for: id, class: 'pol-sublabel' }, label), area),
    values: () => area.value.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean),
  };
}
