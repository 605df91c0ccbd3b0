"""``POST /api/v1/internal/authorizationServers/{authServerId}/claims/validate``: would this claim be accepted?

A tokenmint extension (Okta has no such endpoint; ``/api/v1/internal/`` is where tokenmint's extensions live). The
admin console calls it while an admin types a claim's value, so that a bad Okta Expression Language expression is
flagged before saving (the seed's Claims dialog left expressions unchecked until a token was minted).

The body is a claim as POSTed to ``/api/v1/authorizationServers/{authServerId}/claims``. Answers 200
``{"valid": true}`` when the claims collection would accept it, else the 400 E0000001 with the very causes the
creation would give (``admin/claims.ClaimService.check``, over the creation's own validation: reserved and
duplicate names, value types, the expression parsed and, when constant, evaluated against the limits, scopes that
must exist). Two differences, both for a form still being filled in: ``name`` may be left out (its causes are then not reported), and a body whose
``id`` names a claim of the server is checked as the replacement of that claim (its own name is no duplicate; a
system claim only allows its editable part). It writes nothing and records no System Log event. An unknown server
is 404 E0000007; a body that is not JSON 400 E0000003. Bearer tokens need ``okta.authorizationServers.manage``
(it is a write's check; management_scopes.FAMILIES).
"""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from .http import json_response, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

VALIDATE = "/api/v1/internal/authorizationServers/{authServerId}/claims/validate"


@routes.route(VALIDATE, methods=["POST"])
def validate_claim(authServerId: str) -> Response:
    get_container().claims.check(authServerId, read_json(bp.current_request))
    return json_response({"valid": True}, headers={"Cache-Control": "no-store"})


routes.finish()
