// Signing the admin in: authorization code + PKCE (RFC 6749 4.1, RFC 7636) at the org authorization server, whose
// issuer is the base URL; the built-in client "tokenmint-admin-console" (oauth/console_client.py). Tokens live in
// sessionStorage (this tab only, gone when it closes); no cookie is ever sent to the API, so the API needs no CSRF
// defence beyond the bearer token.

// The page is served at {base}/admin: the base URL (with any stage path) is its parent.
export const BASE = new URL('.', location.href).href.replace(/\/$/, '');
export const CLIENT_ID = 'tokenmint-admin-console';
export const REDIRECT_URI = `${BASE}/admin`;
export const SCOPES = [
  'openid', 'profile', 'email',
  'okta.authorizationServers.manage', 'okta.apps.manage', 'okta.clients.manage',
  'okta.users.read', 'okta.groups.read', 'okta.logs.read', 'okta.users.read.self',
];

const TOKENS = 'tokenmint.console.tokens';
const PENDING = 'tokenmint.console.pending';
const SIGNED_OUT = 'tokenmint.console.signedOut';

// True once after signing out: the console then offers to sign in instead of sending the person straight back.
export function justSignedOut() {
  const flag = sessionStorage.getItem(SIGNED_OUT) === '1';
  sessionStorage.removeItem(SIGNED_OUT);
  return flag;
}

function b64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(size = 32) {
  return b64url(crypto.getRandomValues(new Uint8Array(size)));
}

export function decodeJwt(token) {
  const part = token.split('.')[1] || '';
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

// Leaves the page for the sign-in page; `returnTo` is the console route (hash) to come back to.
export async function signIn(returnTo = location.hash) {
  const verifier = randomString(48);
  const state = randomString(24);
  const nonce = randomString(24);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, nonce, returnTo }));
  const query = new URLSearchParams({
    client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: SCOPES.join(' '),
    state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(`${BASE}/oauth2/v1/authorize?${query}`);
  return new Promise(() => {}); // the page is going away
}

export class SignInError extends Error {}

// On the way back from the sign-in page: redeem the code. Returns true when it handled a response.
export async function completeSignIn() {
  const query = new URLSearchParams(location.search);
  if (!query.has('code') && !query.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', REDIRECT_URI + (pending?.returnTo || '#/servers'));
  if (!pending || query.get('state') !== pending.state) {
    throw new SignInError('The sign-in response does not belong to this tab. Sign in again.');
  }
  if (query.has('iss') && query.get('iss') !== BASE) { // RFC 9207: a response from another issuer is refused
    throw new SignInError('The sign-in response came from an unexpected issuer.');
  }
  if (query.has('error')) {
    throw new SignInError(query.get('error_description') || query.get('error'));
  }
  const response = await fetch(`${BASE}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: query.get('code'), redirect_uri: REDIRECT_URI,
      code_verifier: pending.verifier, client_id: CLIENT_ID,
    }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new SignInError(body.error_description || 'The sign-in could not be completed.');
  const idClaims = body.id_token ? decodeJwt(body.id_token) : {};
  if (idClaims.nonce !== pending.nonce) throw new SignInError('The ID token does not belong to this sign-in.');
  sessionStorage.setItem(TOKENS, JSON.stringify({
    accessToken: body.access_token, idToken: body.id_token,
    expiresAt: Date.now() + (body.expires_in || 3600) * 1000,
  }));
  return true;
}

// The stored tokens while the access token has more than a minute to live, else null.
export function session() {
  const stored = JSON.parse(sessionStorage.getItem(TOKENS) || 'null');
  if (!stored || stored.expiresAt - Date.now() < 60_000) return null;
  const claims = decodeJwt(stored.accessToken);
  const id = stored.idToken ? decodeJwt(stored.idToken) : {};
  return { ...stored, userId: claims.uid, login: claims.sub, name: id.name || id.preferred_username || claims.sub };
}

export function forget() {
  sessionStorage.removeItem(TOKENS);
}

// Ends the org session too (RP-initiated logout), then comes back to the console, which offers to sign in again.
export function signOut() {
  const stored = JSON.parse(sessionStorage.getItem(TOKENS) || 'null');
  forget();
  sessionStorage.setItem(SIGNED_OUT, '1');
  if (!stored?.idToken) {
    location.assign(REDIRECT_URI);
    return;
  }
  const query = new URLSearchParams({ id_token_hint: stored.idToken, post_logout_redirect_uri: REDIRECT_URI });
  location.assign(`${BASE}/oauth2/v1/logout?${query}`);
}
