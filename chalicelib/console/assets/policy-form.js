// Add or edit an access policy (the seed's "Add New Access Policy": name, description, assigned to all clients or
// the listed ones). API: POST /policies, PUT /policies/{policyId} (okta-api.md 6.2); priority and status are sent
// back unchanged on edit (a PUT without status would activate the policy).
import { h, field, form, values, modal } from './ui.js';
import { ALL_CLIENTS, checklist, choice, group } from './policies-common.js';

export function policyBody(policy, changes = {}) {
  return {
    type: 'OAUTH_AUTHORIZATION_POLICY',
    name: policy.name,
    description: policy.description,
    status: policy.status,
    priority: policy.priority,
    conditions: { clients: { include: policy.conditions?.clients?.include || [ALL_CLIENTS] } },
    ...changes,
  };
}

// Resolves with the saved policy, or undefined when cancelled.
export function editPolicy(ctx, { base, clients, policy = null }) {
  const include = policy?.conditions?.clients?.include || [ALL_CLIENTS];
  const all = include.includes(ALL_CLIENTS);
  const title = policy ? `Edit policy: ${policy.name}` : 'Add Policy';
  return modal({
    title,
    wide: true,
    content: (close) => {
      const picker = checklist({
        label: 'Clients',
        items: clients.map((c) => ({ value: c.id, label: c.name, hint: c.id })),
        selected: all ? [] : include,
        emptyText: 'There are no OAuth clients yet: create an application first.',
        filterLabel: 'Filter clients',
      });
      const allChoice = choice({ type: 'radio', name: 'assignTo', value: 'all', label: 'All clients', checked: all, onchange: sync });
      const someChoice = choice({ type: 'radio', name: 'assignTo', value: 'some', label: 'The following clients:', checked: !all, onchange: sync });
      const pickerBox = h('div', { class: 'pol-indent' }, picker.el);
      function sync() {
        const some = someChoice.input.checked;
        pickerBox.hidden = !some;
        for (const box of picker.inputs) box.disabled = !some;
      }
      sync();
      const policyForm = form({
        label: title,
        submitLabel: policy ? 'Save policy' : 'Create policy',
        onCancel: () => close(undefined),
        children: [
          field({ label: 'Name', path: 'name', value: policy?.name || '', required: true }),
          field({ label: 'Description', path: 'description', type: 'textarea', rows: 2, value: policy?.description || '', required: true }),
          group({ legend: 'Assign to', path: 'conditions.clients.include',
            help: 'The policy applies to token requests of these clients.' },
          allChoice.el, someChoice.el, pickerBox),
        ],
        onSubmit: async (formEl) => {
          const v = values(formEl);
          const clientIds = v.assignTo === 'all' ? [ALL_CLIENTS] : picker.values();
          const changes = { name: v.name, description: v.description, conditions: { clients: { include: clientIds } } };
          const saved = policy
            ? await ctx.api.put(`${base}/policies/${encodeURIComponent(policy.id)}`, policyBody(policy, changes))
            : await ctx.api.post(`${base}/policies`, { type: 'OAUTH_AUTHORIZATION_POLICY', status: 'ACTIVE', ...changes });
          close(saved);
        },
      });
      policyForm.classList.add('pol-form');
      return policyForm;
    },
  });
}
