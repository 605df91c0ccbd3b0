// Drives openid-client (v6, the pinned devDependency of package.json) against the e2e stack for the Python tests
// (tests/e2e/node_client.py). One JSON argument in, one JSON object out on stdout; a failure is
// {"error": {name, message, code, status}} with exit code 0, so the test asserts on it like on any answer.
//
// Input: {"flow": <name>, "issuer": <issuer URL>, "clientId": ..., "clientSecret": ..., ...flow arguments}.
// Flows are the functions of FLOWS below; add one per scenario (device flow, PAR, ...).
//
// The stack listens on http://127.0.0.1: openid-client v6 refuses http unless allowInsecureRequests is applied,
// which this test script does and nothing else may.
import * as client from 'openid-client'

// Every exchange openid-client makes (method, URL path, status, whether a DPoP header was sent), for the test to see
// the nonce retry.
const exchanges = []

async function configure (args) {
  const config = await client.discovery(new URL(args.issuer), args.clientId, args.clientSecret, undefined,
    { execute: [client.allowInsecureRequests] })
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options)
    const headers = new Headers(options.headers)
    exchanges.push({ method: options.method, path: new URL(url).pathname, status: response.status,
                     dpop: headers.has('dpop') })
    return response
  }
  return config
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
  }
}

async function main () {
  const args = JSON.parse(process.argv[2])
  const flow = FLOWS[args.flow]
  if (!flow) throw new Error(`unknown flow ${args.flow}`)
  return flow(args)
}

main().then(
  (result) => { process.stdout.write(JSON.stringify({ result, exchanges })) },
  (error) => {
    process.stdout.write(JSON.stringify({
      error: { name: error.name, message: error.message, code: error.code, status: error.status,
               error: error.error, error_description: error.error_description },
      exchanges
    }))
  })
