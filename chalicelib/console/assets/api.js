// The management API as the console calls it: same origin, bearer token, Okta's JSON and error shapes
// (errorCode, errorSummary, errorCauses "path: message"). The console never holds an SSWS token.
import { BASE, session, signIn, forget } from './auth.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.errorSummary || body?.error_description || `The request failed (HTTP ${status}).`);
    this.status = status;
    this.body = body || {};
    this.code = this.body.errorCode || this.body.error || null;
    this.causes = (this.body.errorCauses || []).map((c) => c.errorSummary).filter(Boolean);
  }

  // Okta's causes by the field path they name ("scopes: ..." -> {scopes: "..."}); causes naming no path under "".
  fieldErrors() {
    const out = {};
    for (const cause of this.causes) {
      const match = /^([A-Za-z0-9_.[\]]+): (.*)$/s.exec(cause);
      const path = match ? match[1] : '';
      const message = match ? match[2] : cause;
      out[path] = out[path] ? `${out[path]} ${message}` : message;
    }
    return out;
  }
}

async function call(method, path, body, extraHeaders = {}) {
  const current = session();
  if (!current) return signIn(location.hash);
  const headers = { Accept: 'application/json', Authorization: `Bearer ${current.accessToken}`, ...extraHeaders };
  const options = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path.startsWith('http') ? path : `${BASE}${path}`, options);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  // The token expired or was revoked (Okta's E0000011): sign in again, silently while the org session lasts. Other
  // 401s are answers about the request itself (a token preview's access_denied) and are shown as errors.
  if (response.status === 401 && (data?.errorCode === 'E0000011' || data?.error === 'invalid_token')) {
    forget();
    return signIn(location.hash);
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, response };
}

function nextLink(response) {
  const header = response.headers.get('Link') || '';
  const match = /<([^>]+)>;\s*rel="next"/.exec(header);
  return match ? match[1] : null;
}

export const api = {
  async get(path) { return (await call('GET', path)).data; },
  async post(path, body = undefined) { return (await call('POST', path, body)).data; },
  async put(path, body) { return (await call('PUT', path, body)).data; },
  async del(path) { return (await call('DELETE', path)).data; },
  // Every page of a list, following the Link headers (at most `max` items).
  async list(path, max = 2000) {
    const items = [];
    let next = path;
    while (next && items.length < max) {
      const { data, response } = await call('GET', next);
      items.push(...data);
      next = nextLink(response);
    }
    return items;
  },
  // One page and the URL of the next (for lists too long to load whole, such as the System Log).
  async page(path) {
    const { data, response } = await call('GET', path);
    return { items: data, next: nextLink(response) };
  },
};
