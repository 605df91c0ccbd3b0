// Drives openid-client (v6, the pinned devDependency of package.json) against the e2e stack for the Python tests
// (tests/e2e/node_client.py). One JSON argument in, one JSON object out on stdout; a failure is
// {"error": {name, message, code, status}} with exit code 0, so the test asserts on it like on any answer.
//
// Input: {"flow": <name>, "issuer": <issuer URL>, "clientId": ..., "clientSecret": ..., ...flow arguments}.
// Flows are the functions of FLOWS below; add one per scenario (device flow, PAR, ...).
//
// An interactive flow (the Python test acts while node runs: a person approving a device, a person signing in at the
// authorization URL) is started with "interactive": true (node_client.start_openid_client): node then writes one
// JSON line per event ({"event": ...}: each exchange as it happens, what the flow emits), reads what the test sends
// as JSON lines on stdin (readInput), and ends with the usual answer as its last line.
//
// The stack listens on http://127.0.0.1: openid-client v6 refuses http unless allowInsecureRequests is applied,
// which this test script does and nothing else may.
import * as client from 'openid-client'
import { createInterface } from 'node:readline'

// Every exchange openid-client makes (method, URL path, status, whether a DPoP header was sent), for the test to see
// the nonce retry.
// A failed exchange also keeps the OAuth error code of its JSON body (e.g. authorization_pending).
const exchanges = []
let interactive = false

// One event line for an interactive flow's test (nothing otherwise).
function emit (event, body) {
  if (interactive) process.stdout.write(JSON.stringify({ event, ...body }) + '\n')
}

// The next JSON line the test sends on stdin (interactive flows only).
let reader, lines
async function readInput () {
  if (!lines) {
    reader = createInterface({ input: process.stdin })
    lines = reader[Symbol.asyncIterator]()
  }
  const { value, done } = await lines.next()
  if (done) throw new Error('stdin closed before the test answered')
  return JSON.parse(value)
}

async function configure (args) {
  // "clientAuth": "client_secret_basic" picks HTTP Basic; otherwise openid-client's default for the metadata
  // (client_secret_post with a secret, none without).
  const auth = args.clientAuth === 'client_secret_basic' ? client.ClientSecretBasic(args.clientSecret) : undefined
  const config = await client.discovery(new URL(args.issuer), args.clientId, args.clientSecret, auth,
    { execute: [client.allowInsecureRequests] })
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options)
    const headers = new Headers(options.headers)
    const exchange = { method: options.method, path: new URL(url).pathname, status: response.status,
                       dpop: headers.has('dpop') }
    if (response.status >= 400) {
      try { exchange.error = (await response.clone().json()).error } catch { }
    }
    exchanges.push(exchange)
    emit('exchange', exchange)
    return response
  }
  return config
}

function tokenSummary (tokens) {
  return { token_type: tokens.token_type, access_token: tokens.access_token, refresh_token: tokens.refresh_token,
           id_token: tokens.id_token, scope: tokens.scope, expires_in: tokens.expires_in,
           claims: tokens.claims() ?? null }
}

const FLOWS = {
  // A DPoP-bound client_credentials token (openid-client answers use_dpop_nonce by itself), its introspection,
  // and a call to a resource (userinfo) with the DPoP scheme and a proof.
  async client_credentials_dpop (args) {
    const config = await configure(args)
    const keyPair = await client.randomDPoPKeyPair(args.alg || 'ES256')
    const DPoP = client.getDPoPHandle(config, keyPair)
    const tokens = await client.clientCredentialsGrant(config, { scope: args.scope }, { DPoP })
    const introspection = await client.tokenIntrospection(config, tokens.access_token)
    let resource
    try {
      const response = await client.fetchProtectedResource(config, tokens.access_token, new URL(args.resource),
        'GET', undefined, undefined, { DPoP })
      resource = { status: response.status, challenges: [] }
    } catch (error) {
      // openid-client raises a resource's WWW-Authenticate challenge (after its own use_dpop_nonce retry).
      if (error.code !== 'OAUTH_WWW_AUTHENTICATE_CHALLENGE') throw error
      resource = { status: error.status, challenges: error.cause }
    }
    return {
      tokens: { token_type: tokens.token_type, access_token: tokens.access_token, scope: tokens.scope },
      introspection,
      resource,
      publicJwk: await crypto.subtle.exportKey('jwk', keyPair.publicKey)
    }
  },

  // The device authorization grant (RFC 8628), interactive: initiateDeviceAuthorization, the response emitted as
  // the "device_authorization" event (the test's person approves with its user code), then
  // pollDeviceAuthorizationGrant until the tokens (authorization_pending answers are waited out by openid-client).
  async device_authorization (args) {
    const config = await configure(args)
    const device = await client.initiateDeviceAuthorization(config, { scope: args.scope })
    emit('device_authorization', { response: device })
    const tokens = await client.pollDeviceAuthorizationGrant(config, device)
    return { device, tokens: tokenSummary(tokens) }
  },

  // Pushed authorization requests (RFC 9126), interactive: buildAuthorizationUrlWithPAR (PKCE S256, state) pushes
  // the request and gives the authorization URL with the request_uri, emitted as "authorization_url"; the test signs
  // the person in there and sends back {"callback": <the redirect URI with code, state, iss>}; authorizationCodeGrant
  // redeems it with the verifier and checks state (and iss, which the server advertises).
  async par_code_flow (args) {
    const config = await configure(args)
    const verifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: args.redirectUri, scope: args.scope, state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256'
    })
    emit('authorization_url', { url: url.href, state })
    const { callback } = await readInput()
    const tokens = await client.authorizationCodeGrant(config, new URL(callback),
      { pkceCodeVerifier: verifier, expectedState: state })
    return { authorizationUrl: url.href, state, tokens: tokenSummary(tokens) }
  }
}

async function main () {
  const args = JSON.parse(process.argv[2])
  interactive = Boolean(args.interactive)
  const flow = FLOWS[args.flow]
  if (!flow) throw new Error(`unknown flow ${args.flow}`)
  return flow(args)
}

main().then(
  (result) => { process.stdout.write(JSON.stringify({ result, exchanges }) + '\n') },
  (error) => {
    process.stdout.write(JSON.stringify({
      error: { name: error.name, message: error.message, code: error.code, status: error.status,
               error: error.error, error_description: error.error_description },
      exchanges
    }) + '\n')
  }).finally(() => { if (reader) { reader.close(); process.stdin.destroy() } })
