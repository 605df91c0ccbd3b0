"""tokenmint's Chalice app: registers the blueprints and the app-wide middleware; no logic lives here."""
from __future__ import annotations

from chalicelib.coldstart import init_phase

# Lambda INIT (imports, app and routes) runs without the garbage collector, with the modules' code and the dataclass
# methods the bundle ships recorded; see chalicelib/coldstart.py.
with init_phase(shipped_dataclasses=True, shipped_modules=True):
    from chalicelib.api import api_tokens, claims, clients, jobs, keys, oauth, policies, scopes, servers
    from chalicelib.api import apps as directory_apps, groups as directory_groups, users as directory_users
    from chalicelib.api import admin_roles, applications, org_server, token_preview, trusted_origins
    from chalicelib.api import logs, refresh_tokens, userinfo
    from chalicelib.api import associated_servers
    from chalicelib.api import authorize, user_grants
    from chalicelib.api import device
    from chalicelib.api import console
    from chalicelib.api import claim_validation
    from chalicelib.api import unknown_paths
    from chalicelib.api.fastpath import TokenMintApp
    from chalicelib.api.middleware import okta_envelope

    app = TokenMintApp(app_name="tokenmint")  # Chalice, with the token endpoint's fast path (api/fastpath.py)
    app.debug = False  # never send a stack trace to a client
    # Every body tokenmint accepts or sends is text (JSON, forms, HTML). Chalice's default list of binary media
    # types is matched, lowercased entry by entry, several times per request: an empty list takes that off every
    # token.
    app.api.binary_types = []
    # Runs on every HTTP event, the token fast path's included (api/fastpath.py builds the same chain).
    app.register_middleware(okta_envelope, "http")

    for module in (servers, scopes, claims, policies, keys, api_tokens, clients, oauth, jobs):
        app.register_blueprint(module.bp)
    for module in (directory_users, directory_groups, directory_apps, applications, admin_roles):
        app.register_blueprint(module.bp)
    app.register_blueprint(token_preview.bp)
    app.register_blueprint(trusted_origins.bp)  # Okta's Trusted Origins API (CORS for browser apps: api/cors.py)
    app.register_blueprint(org_server.bp)  # the org authorization server: okta.* scopes for the management API
    app.register_blueprint(logs.bp)  # the System Log (chalicelib/audit/)
    app.register_blueprint(associated_servers.bp)  # trusted servers for token exchange (Okta's associatedServers)
    # Refresh tokens (management API) and userinfo: the back channel of user flows.
    for module in (refresh_tokens, userinfo):
        app.register_blueprint(module.bp)
    # The front channel (authorize, sign-in and consent pages, logout) and remembered consent (admin API).
    for module in (authorize, user_grants):
        app.register_blueprint(module.bp)
    app.register_blueprint(device.bp)  # the device flow (RFC 8628): its endpoint and user page
    app.register_blueprint(console.bp)  # the admin console's page and files (chalicelib/console/)
    app.register_blueprint(claim_validation.bp)  # tokenmint extension: would this claim be accepted? (the console)
    # Last: any other /api/v1 path, authenticated first (401 before 404, as on Okta).
    app.register_blueprint(unknown_paths.bp)
