// The console's building blocks: DOM construction without innerHTML (text is always text), tables, labelled form
// fields whose API errors appear next to them, confirmation dialogs, loading and empty states. Every page module
// builds with these so that the pages look and behave alike.
import { ApiError } from './api.js';

let uid = 0;
export const nextId = (prefix = 'f') => `${prefix}-${++uid}`;

// h('button', {class: 'btn', onclick: fn, type: 'button'}, 'Save'): attributes, properties (on*, value, checked)
// and children (strings become text nodes; null, false and undefined are skipped; arrays are flattened).
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'value' || key === 'checked' || key === 'selected' || key === 'indeterminate') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function formatDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function badge(text, kind = null) {
  const tone = kind || ({ ACTIVE: 'ok', INACTIVE: 'muted', SUCCESS: 'ok', FAILURE: 'bad', DENY: 'bad', ALLOW: 'ok' }[text] || 'muted');
  return h('span', { class: `badge badge-${tone}` }, text);
}

export function button(label, onclick, { kind = 'secondary', type = 'button', ...rest } = {}) {
  return h('button', { class: `btn btn-${kind}`, type, onclick, ...rest }, label);
}

export function link(label, href, props = {}) {
  return h('a', { href, ...props }, label);
}

export function pageHeader({ title, subtitle = null, actions = [], crumbs = [] }) {
  return h('header', { class: 'page-header' },
    crumbs.length ? h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' },
      h('ol', {}, crumbs.map((c) => h('li', {}, c.href ? link(c.label, c.href) : c.label)))) : null,
    h('div', { class: 'page-header-row' },
      h('div', {}, h('h1', { id: 'page-title', tabindex: '-1' }, title), subtitle ? h('p', { class: 'subtitle' }, subtitle) : null),
      h('div', { class: 'actions' }, actions)));
}

export function tabs(items) {
  return h('nav', { class: 'tabs', 'aria-label': 'Sections' },
    h('ul', {}, items.map((t) => h('li', {},
      h('a', { href: t.href, class: t.current ? 'tab current' : 'tab', 'aria-current': t.current ? 'page' : null }, t.label)))));
}

export function loading(label = 'Loading…') {
  return h('p', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), label);
}

export function empty(message, action = null) {
  return h('div', { class: 'empty' }, h('p', {}, message), action);
}

export function errorBox(error) {
  const message = error instanceof ApiError ? error.message : (error?.message || String(error));
  const causes = error instanceof ApiError ? error.causes : [];
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', {}, message), causes.length ? h('ul', {}, causes.map((c) => h('li', {}, c))) : null);
}

// A table; columns: [{label, render: row => node|string, class?}]. An empty list shows `empty` instead.
export function table({ columns, rows, empty: emptyMessage = 'Nothing here yet.', caption = null, rowProps = null }) {
  if (!rows.length) return empty(emptyMessage);
  return h('div', { class: 'table-wrap' }, h('table', {},
    caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.class || null }, c.label)))),
    h('tbody', {}, rows.map((row) => h('tr', rowProps ? rowProps(row) : {},
      columns.map((c) => h('td', { class: c.class || null }, c.render(row))))))));
}

// A labelled field. `path` is the API's field path (matched against errorCauses); `name` defaults to it.
// type: text | textarea | select | checkbox | radio | number | password | url | email | datetime-local | multiselect
export function field({ label, path, name = path, type = 'text', value = '', help = null, options = [],
  required = false, placeholder = null, disabled = false, readonly = false, rows = 3, min = null, max = null,
  oninput = null, onchange = null, autocomplete = 'off' }) {
  const id = nextId('field');
  const helpId = help ? `${id}-help` : null;
  const errorId = `${id}-error`;
  const described = [helpId, errorId].filter(Boolean).join(' ');
  let control;
  if (type === 'checkbox') {
    control = h('input', { id, type: 'checkbox', name, checked: !!value, disabled, onchange, 'aria-describedby': described });
    return h('div', { class: 'field field-check', dataset: { path: path || '' } },
      control, h('label', { for: id }, label), help ? h('p', { class: 'help', id: helpId }, help) : null,
      h('p', { class: 'field-error', id: errorId, hidden: true }));
  }
  if (type === 'radio') {
    const group = h('fieldset', { class: 'field field-radio', dataset: { path: path || '' }, 'aria-describedby': described },
      h('legend', {}, label),
      options.map((o) => {
        const optionId = nextId('opt');
        return h('div', { class: 'radio' },
          h('input', { type: 'radio', id: optionId, name, value: o.value, checked: o.value === value, disabled, onchange }),
          h('label', { for: optionId }, o.label));
      }),
      help ? h('p', { class: 'help', id: helpId }, help) : null,
      h('p', { class: 'field-error', id: errorId, hidden: true }));
    return group;
  }
  const common = { id, name, required, disabled, readonly, placeholder, oninput, onchange, 'aria-describedby': described, autocomplete };
  if (type === 'textarea') control = h('textarea', { ...common, rows }, value ?? '');
  else if (type === 'select' || type === 'multiselect') {
    const chosen = new Set([].concat(value ?? []));
    control = h('select', { ...common, multiple: type === 'multiselect' },
      options.map((o) => h('option', { value: o.value, selected: chosen.has(o.value) }, o.label)));
  } else control = h('input', { ...common, type, value: value ?? '', min, max });
  return h('div', { class: 'field', dataset: { path: path || '' } },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    control,
    help ? h('p', { class: 'help', id: helpId }, help) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

// Shows an error of the API next to the fields whose path it names; the rest at the top of the form.
export function showErrors(formEl, error) {
  clearErrors(formEl);
  const summary = formEl.querySelector('.form-error');
  if (!(error instanceof ApiError)) {
    mount(summary, errorBox(error));
    summary.hidden = false;
    return;
  }
  const byPath = error.fieldErrors();
  const unplaced = [];
  let first = null;
  for (const [path, message] of Object.entries(byPath)) {
    const wrapper = path ? findField(formEl, path) : null;
    if (!wrapper) { unplaced.push(path ? `${path}: ${message}` : message); continue; }
    wrapper.classList.add('has-error');
    const slot = wrapper.querySelector('.field-error');
    slot.textContent = message;
    slot.hidden = false;
    const control = wrapper.querySelector('input, select, textarea');
    control?.setAttribute('aria-invalid', 'true');
    first = first || control;
  }
  mount(summary, h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', {}, error.message), unplaced.length ? h('ul', {}, unplaced.map((c) => h('li', {}, c))) : null));
  summary.hidden = false;
  (first || summary).focus?.();
}

function findField(formEl, path) {
  // The most specific field whose path is the cause's path or a prefix of it ("conditions.scopes.include[0]").
  let best = null;
  for (const el of formEl.querySelectorAll('[data-path]')) {
    const p = el.dataset.path;
    if (p && (path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`)) && (!best || p.length > best.dataset.path.length)) best = el;
  }
  return best;
}

// A field's error is about the value that was sent: once the person changes that field, it no longer applies.
function clearFieldError(wrapper) {
  wrapper.classList.remove('has-error');
  for (const el of wrapper.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  const slot = wrapper.querySelector('.field-error');
  if (slot) { slot.textContent = ''; slot.hidden = true; }
}

export function clearErrors(formEl) {
  for (const el of formEl.querySelectorAll('.has-error')) el.classList.remove('has-error');
  for (const el of formEl.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  for (const el of formEl.querySelectorAll('.field-error')) { el.textContent = ''; el.hidden = true; }
  const summary = formEl.querySelector('.form-error');
  if (summary) { summary.replaceChildren(); summary.hidden = true; }
}

// A form: `onSubmit(form)` is awaited with the submit button busy; an error it throws is shown in the form.
export function form({ children, submitLabel = 'Save', onSubmit, onCancel = null, label = null }) {
  const submit = h('button', { class: 'btn btn-primary', type: 'submit' }, submitLabel);
  const el = h('form', { class: 'form', novalidate: true, 'aria-label': label },
    h('div', { class: 'form-error', tabindex: '-1', hidden: true }),
    children,
    h('div', { class: 'form-actions' }, submit, onCancel ? button('Cancel', onCancel) : null));
  el.addEventListener('input', (event) => {
    const wrapper = event.target.closest?.('.has-error');
    if (wrapper && el.contains(wrapper)) clearFieldError(wrapper);
  });
  el.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(el);
    submit.disabled = true;
    submit.setAttribute('aria-busy', 'true');
    try {
      await onSubmit(el);
    } catch (error) {
      showErrors(el, error);
    } finally {
      submit.disabled = false;
      submit.removeAttribute('aria-busy');
    }
  });
  return el;
}

// Values of a form's controls by name: checkboxes as booleans, multiple selects as arrays, numbers as numbers.
export function values(formEl) {
  const out = {};
  for (const control of formEl.elements) {
    if (!control.name || control.disabled) continue;
    if (control.type === 'checkbox') out[control.name] = control.checked;
    else if (control.type === 'radio') { if (control.checked) out[control.name] = control.value; }
    else if (control.multiple) out[control.name] = [...control.selectedOptions].map((o) => o.value);
    else if (control.type === 'number') out[control.name] = control.value === '' ? null : Number(control.value);
    else out[control.name] = control.value;
  }
  return out;
}

export const lines = (text) => String(text || '').split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

// A modal dialog (the platform's <dialog>: focus moves in, Escape closes, focus returns). `content(close)` builds
// the body; resolves with what close() was given (undefined when dismissed).
export function modal({ title, content, wide = false }) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const titleId = nextId('dialog-title');
    const dialog = h('dialog', { class: wide ? 'modal modal-wide' : 'modal', 'aria-labelledby': titleId });
    const close = (result) => { dialog.close(); dialog.remove(); opener?.focus?.(); resolve(result); };
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(undefined); });
    mount(dialog, h('div', { class: 'modal-head' }, h('h2', { id: titleId }, title),
      h('button', { class: 'btn btn-icon', type: 'button', 'aria-label': 'Close', onclick: () => close(undefined) }, '×')),
    h('div', { class: 'modal-body' }, content(close)));
    document.body.append(dialog);
    dialog.showModal();
  });
}

// Asks before a destructive action. With `typed`, the person must type that text (the object's name) first.
export function confirm({ title, message, confirmLabel = 'Confirm', danger = true, typed = null }) {
  return modal({
    title,
    content: (close) => {
      const go = h('button', { class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, type: 'button', disabled: !!typed,
        onclick: () => close(true) }, confirmLabel);
      const input = typed ? field({ label: `Type "${typed}" to confirm`, name: 'confirm', oninput: (e) => { go.disabled = e.target.value !== typed; } }) : null;
      return [h('p', {}, message), input, h('div', { class: 'form-actions' }, go, button('Cancel', () => close(false)))];
    },
  }).then((answer) => answer === true);
}

let toastHost = null;
export function toast(message, kind = 'ok') {
  if (!toastHost) {
    toastHost = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    document.body.append(toastHost);
  }
  const item = h('div', { class: `toast toast-${kind}` }, message);
  toastHost.append(item);
  setTimeout(() => item.remove(), 5000);
}

// A read-only value with a Copy button (issuer, metadata URI, client id, a secret shown once).
export function copyField(label, value, { secret = false } = {}) {
  const id = nextId('copy');
  const input = h('input', { id, type: 'text', readonly: true, value, class: secret ? 'mono secret' : 'mono' });
  const copy = button('Copy', async () => {
    try { await navigator.clipboard.writeText(value); toast(`${label} copied`); } catch { input.select(); }
  }, { 'aria-label': `Copy ${label}` });
  return h('div', { class: 'field copy-field' }, h('label', { for: id }, label), h('div', { class: 'copy-row' }, input, copy));
}

// Key–value pairs as a description list.
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]));
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h2', {}, title), children);
}

export function code(value) {
  return h('pre', { class: 'code', tabindex: '0' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}
