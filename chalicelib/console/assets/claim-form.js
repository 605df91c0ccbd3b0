// The Add/Edit Claim dialog of the Claims tab (the seed's "Create Claims"): name, token type and when an ID-token
// claim is included, value type (an Okta Expression Language expression or a groups filter), the value, "disable
// claim", and "include in" any scope or the listed ones. The value of an expression is checked by the API while it
// is typed (POST /api/v1/internal/authorizationServers/{id}/claims/validate, a tokenmint extension): the API's
// message appears under the field, or a quiet "Valid expression".
import { h, field, form, values, nextId } from './ui.js';
import { ApiError } from './api.js';

const enc = encodeURIComponent;
export const TOKEN_TYPES = { RESOURCE: 'Access token', IDENTITY: 'ID token' };
export const VALUE_TYPES = { EXPRESSION: 'Expression', GROUPS: 'Groups', SYSTEM: 'System' };
export const GROUP_FILTERS = { STARTS_WITH: 'Starts with', EQUALS: 'Equals', CONTAINS: 'Contains', REGEX: 'Matches regex' };
const DEBOUNCE_MS = 400;

// A field wrapper hidden with the hidden attribute (style-server-config.css keeps it hidden whatever its display).
function toggle(el, shown) { el.hidden = !shown; }

// Live validation of the Value field: debounced, the latest answer wins, nothing shown for an empty value or a
// groups filter. Messages go in the field's own error slot (where the API's error on save appears too).
function liveCheck({ ctx, server, wrapper, bodyOf }) {
  const input = wrapper.querySelector('input, textarea');
  const slot = wrapper.querySelector('.field-error');
  const note = h('p', { class: 'sc-live-ok', id: nextId('live'), hidden: true });
  slot.setAttribute('aria-live', 'polite');
  slot.after(note);
  input.setAttribute('aria-describedby', `${input.getAttribute('aria-describedby') || ''} ${note.id}`.trim());
  let timer = null;
  let generation = 0;

  function show(state) {
    const bad = state?.message;
    wrapper.classList.toggle('has-error', !!bad);
    if (bad) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
    slot.textContent = bad || '';
    slot.hidden = !bad;
    note.textContent = state?.valid ? 'Valid expression' : (state?.note || '');
    note.classList.toggle('sc-live-muted', !!state?.note);
    note.hidden = !(state?.valid || state?.note);
  }

  async function run() {
    const mine = ++generation;
    if (!wrapper.isConnected) return; // the dialog was closed meanwhile
    const body = bodyOf();
    if (!body) { show(null); return; }
    try {
      await ctx.api.post(`/api/v1/internal/authorizationServers/${enc(server.id)}/claims/validate`, body);
      if (mine === generation) show({ valid: true });
    } catch (error) {
      if (mine !== generation) return;
      if (error instanceof ApiError && error.status === 400) {
        const message = error.fieldErrors().value;
        show(message ? { message } : { valid: true });
      } else {
        show({ note: `The expression could not be checked now: ${error.message}` });
      }
    }
  }

  return {
    schedule() { clearTimeout(timer); generation += 1; timer = setTimeout(run, DEBOUNCE_MS); },
    now() { clearTimeout(timer); return run(); },
    // On save: a check still pending is dropped (the save answers for the value now); the note stays unless the
    // save's own answer names the value.
    cancel() { clearTimeout(timer); generation += 1; },
    saveFailed(error) { if (error instanceof ApiError && error.fieldErrors().value) note.hidden = true; },
  };
}

// Builds the dialog's form; `close(savedClaim)` ends it. `claim` null: a new claim. A system claim with an expression
// (`sub` of the access token) may change only its value: the other fields are shown, not editable.
export function claimForm({ ctx, server, claim, scopes, close }) {
  const base = `/api/v1/authorizationServers/${enc(server.id)}/claims`;
  const current = claim || { claimType: 'RESOURCE', valueType: 'EXPRESSION', status: 'ACTIVE', alwaysIncludeInToken: true, conditions: { scopes: [] } };
  const systemValueOnly = !!claim?.system;
  const chosenScopes = new Set(current.conditions?.scopes || []);

  const name = field({ label: 'Name', path: 'name', value: current.name || '', required: true, disabled: systemValueOnly,
    help: 'The claim\'s name in the token, for example department.' });
  const tokenType = field({ label: 'Include in token type', path: 'claimType', type: 'select', value: current.claimType, disabled: systemValueOnly,
    options: [{ value: 'RESOURCE', label: 'Access token (OAuth 2.0)' }, { value: 'IDENTITY', label: 'ID token (OpenID Connect)' }] });
  const always = field({ label: 'Include', path: 'alwaysIncludeInToken', type: 'select', value: current.alwaysIncludeInToken === false ? 'requested' : 'always',
    disabled: systemValueOnly,
    options: [{ value: 'always', label: 'Always' }, { value: 'requested', label: 'Userinfo / ID token request' }],
    help: 'With "Userinfo / ID token request", an ID token that comes with an access token leaves the claim out (the app reads it from userinfo).' });
  const valueType = field({ label: 'Value type', path: 'valueType', type: 'select', value: current.valueType, disabled: systemValueOnly,
    options: [{ value: 'EXPRESSION', label: 'Expression' }, { value: 'GROUPS', label: 'Groups' }] });
  const filterType = field({ label: 'Group filter', path: 'group_filter_type', type: 'select', value: current.group_filter_type || 'STARTS_WITH',
    options: Object.entries(GROUP_FILTERS).map(([value, label]) => ({ value, label })) });
  const value = field({ label: 'Value', path: 'value', value: current.value || '', required: true, help: '…' });
  value.querySelector('input').classList.add('sc-code');
  const valueHelp = value.querySelector('.help'); // its text follows the value type (sync)
  const disabled = field({ label: 'Disable claim', path: 'status', name: 'disabled', type: 'checkbox', value: current.status === 'INACTIVE', disabled: systemValueOnly,
    help: 'A disabled claim is kept but left out of every token (for testing or debugging).' });
  const includeIn = field({ label: 'Include in', path: 'includeIn', name: 'includeIn', type: 'radio', value: chosenScopes.size ? 'listed' : 'any', disabled: systemValueOnly,
    options: [{ value: 'any', label: 'Any scope' }, { value: 'listed', label: 'The following scopes:' }] });
  const pickId = nextId('scopes');
  const scopePick = h('fieldset', { class: 'field sc-scope-pick', dataset: { path: 'conditions.scopes' } },
    h('legend', { class: 'visually-hidden' }, 'Scopes the claim is included in'),
    h('div', { class: 'sc-scope-list', id: pickId },
      scopes.map((s) => {
        const id = nextId('scope');
        return h('div', { class: 'sc-scope-option' },
          h('input', { type: 'checkbox', id, name: 'scopePick', value: s.name, checked: chosenScopes.has(s.name), disabled: systemValueOnly }),
          h('label', { for: id, class: 'mono' }, s.name));
      })),
    h('p', { class: 'field-error', hidden: true }));

  const selected = (wrapper) => wrapper.querySelector('select').value;
  const pickedScopes = () => [...scopePick.querySelectorAll('input[name="scopePick"]:checked')].map((i) => i.value);
  const listed = () => includeIn.querySelector('input[value="listed"]').checked;

  function body(formValues = null) {
    const v = formValues || {};
    const type = selected(tokenType);
    const out = {
      name: (formValues ? v.name : name.querySelector('input').value).trim(),
      status: (formValues ? v.disabled : disabled.querySelector('input').checked) ? 'INACTIVE' : 'ACTIVE',
      claimType: type,
      valueType: selected(valueType),
      value: value.querySelector('input').value,
      conditions: { scopes: listed() ? pickedScopes() : [] },
      alwaysIncludeInToken: type === 'RESOURCE' ? true : selected(always) === 'always',
    };
    if (out.valueType === 'GROUPS') out.group_filter_type = selected(filterType);
    return out;
  }

  // A system claim is sent as it is, with the one part that may change.
  const systemBody = () => {
    const { _links: _ignored, ...rest } = claim;
    return { ...rest, value: value.querySelector('input').value };
  };

  const checker = liveCheck({
    ctx, server, wrapper: value,
    bodyOf: () => {
      const text = value.querySelector('input').value;
      if (!text.trim() || selected(valueType) !== 'EXPRESSION') return null;
      if (systemValueOnly) return systemBody();
      const out = body();
      if (claim) out.id = claim.id; // checked as the replacement of this claim: its own name is no duplicate
      if (!out.name) delete out.name;
      return out;
    },
  });

  function sync() {
    const groups = selected(valueType) === 'GROUPS';
    toggle(always, selected(tokenType) === 'IDENTITY');
    toggle(filterType, groups);
    toggle(scopePick, listed());
    valueHelp.textContent = groups
      ? 'Groups whose name matches this filter go in the claim (at most 100).'
      : 'Okta Expression Language, for example user.department or appuser.userName. Checked as you type.';
  }

  value.querySelector('input').addEventListener('input', () => checker.schedule());
  valueType.querySelector('select').addEventListener('change', () => { sync(); checker.now(); });
  tokenType.querySelector('select').addEventListener('change', sync);
  for (const radio of includeIn.querySelectorAll('input')) radio.addEventListener('change', sync);
  sync();
  if (current.value && current.valueType === 'EXPRESSION') queueMicrotask(() => checker.now()); // once the dialog shows

  const el = form({
    label: claim ? `Edit claim ${claim.name}` : 'Add Claim',
    submitLabel: claim ? 'Save' : 'Create',
    onCancel: () => close(null),
    children: [
      systemValueOnly ? h('p', { class: 'alert alert-info' }, `"${claim.name}" is a system claim: only its value can be changed.`) : null,
      name,
      h('div', { class: 'sc-pair' }, tokenType, always),
      h('div', { class: 'sc-pair' }, valueType, filterType),
      value,
      includeIn,
      scopePick,
      disabled,
    ],
    onSubmit: async (formEl) => {
      checker.cancel();
      try {
        if (systemValueOnly) {
          close(await ctx.api.put(`${base}/${enc(claim.id)}`, systemBody()));
          return;
        }
        const out = body(values(formEl));
        if (listed() && !out.conditions.scopes.length) {
          throw new ApiError(400, { errorSummary: 'Choose the scopes the claim is included in.',
            errorCauses: [{ errorSummary: 'conditions.scopes: Choose at least one scope, or include the claim in any scope.' }] });
        }
        close(claim ? await ctx.api.put(`${base}/${enc(claim.id)}`, out) : await ctx.api.post(base, out));
      } catch (error) {
        checker.saveFailed(error);
        throw error; // shown next to its fields by form()
      }
    },
  });
  el.classList.add('sc-claim-form');
  return el;
}
