"""tokenmint's Chalice app: registers the blueprints and the app-wide middleware; no logic lives here."""
from __future__ import annotations

from chalice import Chalice

from chalicelib.api import api_tokens, claims, clients, jobs, keys, oauth, policies, scopes, servers
from chalicelib.api.middleware import okta_envelope

app = Chalice(app_name="tokenmint")
app.debug = False  # never send a stack trace to a client
app.register_middleware(okta_envelope, "http")

for module in (servers, scopes, claims, policies, keys, api_tokens, clients, oauth, jobs):
    app.register_blueprint(module.bp)
