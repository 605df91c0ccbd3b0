// What the Applications pages share: the app types and the grant types and client authentication methods each
// allows (docs/ARCHITECTURE.md "OAuth clients", Okta's table), the create/edit form of an OIDC app, and the dialog
// that shows a new client secret once. API: Okta's Apps API (okta-next.md 1.1, 1.2), where an app is
// {name: 'oidc_client', signOnMode: 'OPENID_CONNECT', label, credentials.oauthClient, settings.oauthClient}.
import { ApiError } from './api.js';
import { h, nextId, field, form, lines, copyField, button, modal } from './ui.js';

export const SETTINGS = 'settings.oauthClient';
export const CREDENTIALS = 'credentials.oauthClient';

const AUTHORIZATION_CODE = 'authorization_code';
const CLIENT_CREDENTIALS = 'client_credentials';
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

export const APP_TYPES = [
  { value: 'web', label: 'Web application', short: 'Web',
    hint: 'A server-side app that keeps a client secret: authorization code flow.' },
  { value: 'browser', label: 'Single-page application', short: 'Single-page (browser)',
    hint: 'Runs in the browser and cannot keep a secret: authorization code with PKCE.' },
  { value: 'native', label: 'Native application', short: 'Native',
    hint: 'A desktop or mobile app: authorization code with PKCE, usually without a secret.' },
  { value: 'service', label: 'API service', short: 'Service (machine-to-machine)',
    hint: 'A program acting on its own behalf, with no person: client credentials.' },
];
export const typeLabel = (type) => APP_TYPES.find((t) => t.value === type)?.short || type || '—';

export const GRANT_LABELS = {
  [AUTHORIZATION_CODE]: 'Authorization Code',
  refresh_token: 'Refresh Token',
  implicit: 'Implicit (hybrid)',
  [CLIENT_CREDENTIALS]: 'Client Credentials',
  password: 'Resource Owner Password',
  [DEVICE_CODE]: 'Device Authorization',
  [TOKEN_EXCHANGE]: 'Token Exchange',
};
export const grantLabel = (grant) => GRANT_LABELS[grant] || grant;

// Per app type: the grant types it may have, the one it must have, and what a new app starts with.
const TYPE_GRANTS = {
  web: { allowed: [AUTHORIZATION_CODE, 'refresh_token', 'implicit', CLIENT_CREDENTIALS, TOKEN_EXCHANGE], required: AUTHORIZATION_CODE, start: [AUTHORIZATION_CODE] },
  browser: { allowed: [AUTHORIZATION_CODE, 'refresh_token', 'implicit'], required: null, start: [AUTHORIZATION_CODE] },
  native: { allowed: [AUTHORIZATION_CODE, 'refresh_token', 'implicit', 'password', DEVICE_CODE, TOKEN_EXCHANGE], required: AUTHORIZATION_CODE, start: [AUTHORIZATION_CODE, 'refresh_token'] },
  service: { allowed: [CLIENT_CREDENTIALS, TOKEN_EXCHANGE], required: CLIENT_CREDENTIALS, start: [CLIENT_CREDENTIALS] },
};

export const METHOD_LABELS = {
  client_secret_basic: 'Client secret, sent with HTTP Basic authentication',
  client_secret_post: 'Client secret, sent in the request body',
  private_key_jwt: 'Public key / private key (private_key_jwt)',
  none: 'None: a public client (PKCE only)',
};
export const methodLabel = (method) => METHOD_LABELS[method] || method || '—';
export const SECRET_METHODS = ['client_secret_basic', 'client_secret_post'];
const TYPE_METHODS = {
  web: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  service: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  native: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
  browser: ['none'],
};

export const oauthSettings = (app) => app?.settings?.oauthClient || {};
export const oauthCredentials = (app) => app?.credentials?.oauthClient || {};
export const appType = (app) => oauthSettings(app).application_type || 'web';
export const hasSecrets = (app) => SECRET_METHODS.includes(oauthCredentials(app).token_endpoint_auth_method);

// The response types that go with the grant types (code <-> authorization_code, token id_token <-> implicit).
function responseTypes(grants, type, current) {
  if (type === 'service') return current || [];
  const out = [];
  if (grants.includes(AUTHORIZATION_CODE)) out.push('code');
  if (grants.includes('implicit')) out.push('token', 'id_token');
  return out;
}

const JWK_META = ['id', 'status', 'created', 'lastUpdated', '_links'];
function keysText(jwks) {
  if (!jwks?.keys?.length) return '';
  const keys = jwks.keys.map((k) => Object.fromEntries(Object.entries(k).filter(([name]) => !JWK_META.includes(name))));
  return JSON.stringify({ keys }, null, 2);
}

function invalid(path, message) {
  return new ApiError(400, { errorSummary: 'Api validation failed: app', errorCauses: [{ errorSummary: `${path}: ${message}` }] });
}

// A group of checkboxes or radios in a fieldset whose API error shows under its legend (ui.showErrors finds it by
// data-path).
function choices({ legend, path, type, name, items, help = null }) {
  const helpId = help ? nextId('help') : null;
  const errorId = nextId('error');
  const inputs = [];
  const rows = items.map((item) => {
    const id = nextId('choice');
    const hintId = item.hint ? `${id}-hint` : null;
    const input = h('input', { id, type, name, value: item.value, checked: !!item.checked, disabled: !!item.disabled,
      'aria-describedby': hintId });
    inputs.push(input);
    return h('div', { class: 'app-choice', dataset: { value: item.value } }, input, h('label', { for: id }, item.label),
      item.hint ? h('p', { class: 'app-choice-hint', id: hintId }, item.hint) : null);
  });
  const el = h('fieldset', { class: 'field app-choices', dataset: { path }, 'aria-describedby': [helpId, errorId].filter(Boolean).join(' ') },
    h('legend', {}, legend), help ? h('p', { class: 'help', id: helpId }, help) : null, rows,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
  return { el, inputs };
}

// The form of an app: `app` null to create one. `onSaved(app, secret)` gets the API's answer and the client
// secret it returned, if any (a new app with a secret method, or an edit that moved the app onto one).
export function appForm(ctx, { app = null, onSaved, onCancel }) {
  const creating = !app;
  const settings = oauthSettings(app);
  const credentials = oauthCredentials(app);
  let type = creating ? 'web' : appType(app);

  const label = field({ label: 'App integration name', path: 'label', value: app?.label || '', required: true });
  const typeChoices = creating ? choices({
    legend: 'Application type', path: `${SETTINGS}.application_type`, type: 'radio', name: 'application_type',
    items: APP_TYPES.map((t) => ({ value: t.value, label: t.label, hint: t.hint, checked: t.value === type })),
  }) : null;
  const typeFixed = creating ? null : h('div', { class: 'field' }, h('span', { class: 'app-fixed-label' }, 'Application type'),
    h('p', { class: 'app-fixed-value' }, typeLabel(type), h('span', { class: 'help' }, ' · cannot change after creation')));

  const grantSlot = h('div', {});
  const methodSlot = h('div', {});
  let grants = null;
  let methods = null;
  const redirects = field({ label: 'Sign-in redirect URIs', path: `${SETTINGS}.redirect_uris`, type: 'textarea', rows: 3,
    value: (settings.redirect_uris || []).join('\n'), placeholder: 'https://app.example.com/callback',
    help: 'Where tokenmint may send the browser back after sign-in. One per line; https, or http on localhost.' });
  const logouts = field({ label: 'Sign-out redirect URIs', path: `${SETTINGS}.post_logout_redirect_uris`, type: 'textarea', rows: 2,
    value: (settings.post_logout_redirect_uris || []).join('\n'), placeholder: 'https://app.example.com/signed-out',
    help: 'Where the browser may land after signing out (optional). One per line.' });
  const jwksUri = field({ label: 'JWKS URI', path: `${SETTINGS}.jwks_uri`, type: 'url', value: settings.jwks_uri || '',
    help: 'Where the app publishes its public keys (https), or paste them below instead.' });
  const jwks = field({ label: 'Public keys (JWK Set)', path: `${SETTINGS}.jwks`, type: 'textarea', rows: 5,
    value: keysText(settings.jwks), placeholder: '{"keys": [{"kty": "RSA", "kid": "...", "e": "AQAB", "n": "..."}]}' });
  jwks.querySelector('textarea').classList.add('mono');
  const keyFields = h('div', { class: 'app-subfields' }, jwksUri, jwks);
  const pkce = field({ label: 'Require PKCE (Proof Key for Code Exchange)', path: `${CREDENTIALS}.pkce_required`, type: 'checkbox',
    value: creating ? true : !!credentials.pkce_required, help: 'Recommended for every app that signs people in; always required for public clients.' });
  const dpop = field({ label: 'Require DPoP (Demonstrating Proof of Possession) in token requests',
    path: `${SETTINGS}.dpop_bound_access_tokens`, type: 'checkbox', value: !!settings.dpop_bound_access_tokens,
    help: 'Every token request must carry a DPoP proof, and the app\'s tokens are bound to its key: a stolen token is useless without it.' });
  const consent = field({ label: 'Ask people for consent', path: `${SETTINGS}.consent_method`, type: 'checkbox',
    value: settings.consent_method === 'REQUIRED',
    help: 'Show the consent page for scopes that require consent. Off: the app is trusted and only prompt=consent asks.' });

  function drawGrants(keep) {
    const rule = TYPE_GRANTS[type] || TYPE_GRANTS.web;
    const chosen = new Set(keep || rule.start);
    if (rule.required) chosen.add(rule.required);
    const extra = [...chosen].filter((g) => !rule.allowed.includes(g)); // kept from the API, so a save keeps them
    grants = choices({
      legend: 'Grant types', path: `${SETTINGS}.grant_types`, type: 'checkbox', name: 'grant_types',
      help: 'The OAuth flows this app may use. Access policy rules of each authorization server decide further.',
      items: [...rule.allowed, ...extra].map((g) => ({ value: g, label: g === rule.required ? `${grantLabel(g)} (required)` : grantLabel(g),
        checked: chosen.has(g), disabled: g === rule.required })),
    });
    grantSlot.replaceChildren(grants.el);
  }

  function drawMethods(keep) {
    const allowed = TYPE_METHODS[type] || TYPE_METHODS.web;
    const current = allowed.includes(keep) ? keep : allowed[0];
    methods = choices({
      legend: 'Client authentication', path: `${CREDENTIALS}.token_endpoint_auth_method`, type: 'radio', name: 'token_endpoint_auth_method',
      items: [...allowed, ...(keep && !allowed.includes(keep) ? [keep] : [])].map((m) => ({ value: m, label: methodLabel(m), checked: m === current })),
    });
    for (const input of methods.inputs) input.addEventListener('change', sync);
    methodSlot.replaceChildren(methods.el);
  }

  const method = () => methods.inputs.find((i) => i.checked)?.value;

  function sync() {
    const service = type === 'service';
    redirects.hidden = service;
    logouts.hidden = service;
    keyFields.hidden = method() !== 'private_key_jwt';
    const pkceBox = pkce.querySelector('input');
    pkce.hidden = service;
    consent.hidden = service;
    if (method() === 'none') { pkceBox.checked = true; pkceBox.disabled = true; } else pkceBox.disabled = false;
  }

  drawGrants(creating ? null : settings.grant_types);
  drawMethods(creating ? null : credentials.token_endpoint_auth_method);
  if (typeChoices) {
    for (const input of typeChoices.inputs) {
      input.addEventListener('change', () => {
        type = input.value;
        drawGrants(null);
        drawMethods(null);
        const pkceBox = pkce.querySelector('input');
        pkceBox.checked = true;
        sync();
      });
    }
  }
  sync();

  function body() {
    const chosenMethod = method();
    const chosenGrants = grants.inputs.filter((i) => i.checked).map((i) => i.value);
    const base = creating ? { name: 'oidc_client', signOnMode: 'OPENID_CONNECT' } : structuredClone(app);
    for (const member of ['_links', '_embedded', 'id', 'status', 'created', 'lastUpdated']) delete base[member];
    base.label = label.querySelector('input').value.trim();
    base.credentials = { ...(base.credentials || {}) };
    const oauthCreds = { ...(base.credentials.oauthClient || {}) };
    delete oauthCreds.client_secret;
    oauthCreds.token_endpoint_auth_method = chosenMethod;
    oauthCreds.pkce_required = chosenMethod === 'none' || (type !== 'service' && pkce.querySelector('input').checked);
    base.credentials.oauthClient = oauthCreds;
    base.settings = { ...(base.settings || {}) };
    const oauth = { ...(base.settings.oauthClient || {}) };
    oauth.application_type = type;
    oauth.grant_types = chosenGrants;
    oauth.response_types = responseTypes(chosenGrants, type, oauth.response_types);
    oauth.consent_method = consent.querySelector('input').checked ? 'REQUIRED' : 'TRUSTED';
    oauth.dpop_bound_access_tokens = dpop.querySelector('input').checked;
    if (type === 'service') {
      oauth.redirect_uris = [];
      oauth.post_logout_redirect_uris = [];
    } else {
      oauth.redirect_uris = lines(redirects.querySelector('textarea').value);
      oauth.post_logout_redirect_uris = lines(logouts.querySelector('textarea').value);
    }
    if (chosenMethod === 'private_key_jwt') {
      const uri = jwksUri.querySelector('input').value.trim();
      const text = jwks.querySelector('textarea').value.trim();
      delete oauth.jwks_uri;
      delete oauth.jwks;
      if (uri) oauth.jwks_uri = uri;
      if (text) {
        try { oauth.jwks = JSON.parse(text); } catch { throw invalid(`${SETTINGS}.jwks`, 'This is not valid JSON: paste a JWK Set, {"keys": [...]}.'); }
      }
    }
    base.settings.oauthClient = oauth;
    return base;
  }

  return form({
    label: creating ? 'Create app integration' : 'Edit app settings',
    submitLabel: creating ? 'Create app' : 'Save',
    onCancel,
    children: [
      label,
      typeChoices ? typeChoices.el : typeFixed,
      grantSlot,
      redirects,
      logouts,
      methodSlot,
      keyFields,
      pkce,
      dpop,
      consent,
    ],
    onSubmit: async () => {
      const payload = body();
      const saved = creating
        ? await ctx.api.post('/api/v1/apps', payload)
        : await ctx.api.put(`/api/v1/apps/${encodeURIComponent(app.id)}`, payload);
      await onSaved(saved, saved?.credentials?.oauthClient?.client_secret || null);
    },
  });
}

// Shows a client secret the API has just returned: the only time anyone sees it (tokenmint keeps only its hash).
export function showSecretOnce({ title = 'Client secret', clientId = null, secret }) {
  return modal({
    title,
    content: (close) => [
      h('div', { class: 'app-once', role: 'note' },
        h('p', { class: 'app-once-title' }, 'Copy the client secret now: you will not see it again.'),
        h('p', {}, 'tokenmint keeps only a hash of it. If it is lost, generate a new secret on the app\'s page.')),
      clientId ? copyField('Client ID', clientId) : null,
      copyField('Client secret', secret, { secret: true }),
      h('div', { class: 'form-actions' }, button('I have copied it', () => close(true), { kind: 'primary' })),
    ],
  });
}
