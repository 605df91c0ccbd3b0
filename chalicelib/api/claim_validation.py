"""``POST /api/v1/internal/authorizationServers/{authServerId}/claims/validate``: would this claim be accepted?

A tokenmint extension (Okta has no such endpoint; ``/api/v1/internal/`` is where tokenmint's extensions live). The
admin console calls it while an admin types a claim's value, so that a bad Okta Expression Language expression is
flagged before saving (the seed's Claims dialog left expressions unchecked until a token was minted).

The body is a claim as POSTed to ``/api/v1/authorizationServers/{authServerId}/claims``. Answers 200
``{"valid": true}`` when the claims collection would accept it, else the 400 E0000001 with the very causes the
creation would give (``admin/claims.py``'s own validation: reserved and duplicate names, value types, the
expression parsed and, when constant, evaluated against the limits, scopes that must exist). Two differences, both
for a form still being filled in: ``name`` may be left out (its causes are then not reported), and a body whose
``id`` names a claim of the server is checked as the replacement of that claim (its own name is no duplicate; a
system claim only allows its editable part). It writes nothing and records no System Log event. An unknown server
is 404 E0000007; a body that is not JSON 400 E0000003. Bearer tokens need ``okta.authorizationServers.manage``
(it is a write's check; management_scopes.FAMILIES).
"""
from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from ..admin.claims import duplicate_cause
from ..admin.validation import Fields, require_object
from ..container import get_container
from ..errors import ValidationError
from .http import json_response, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

VALIDATE = "/api/v1/internal/authorizationServers/{authServerId}/claims/validate"
TARGET = "claim"


def check_claim(server_id: str, body: Any) -> None:
    """Raises what creating (or, with the ``id`` of an existing claim, replacing) the claim would raise for its
    body; returns when the body would be accepted."""
    container = get_container()
    config = container.servers.load(server_id)  # 404 for an unknown server (the org server included)
    body = require_object(body)
    service = container.claims
    editing = next((c for c in config.claims if c.id == body.get("id")), None) if isinstance(body.get("id"), str) \
        else None
    named = Fields(body, TARGET).given("name")
    try:
        if editing is not None and editing.system:
            service._read_system(body, editing)  # noqa: SLF001 - the replacement's own validation
            return
        fields = service._read(body, {s.name for s in config.scopes})  # noqa: SLF001 - the creation's own validation
    except ValidationError as error:
        causes = error.causes if named else [c for c in error.causes if not c.startswith("name:")]
        if causes:
            raise ValidationError(error.target, causes) from None
        return
    if any(c.name == fields["name"] and c.claim_type == fields["claim_type"] and c is not editing
           for c in config.claims):
        raise ValidationError(TARGET, [duplicate_cause(fields["claim_type"], fields["name"])])


@routes.route(VALIDATE, methods=["POST"])
def validate_claim(authServerId: str) -> Response:
    check_claim(authServerId, read_json(bp.current_request))
    return json_response({"valid": True}, headers={"Cache-Control": "no-store"})


routes.finish()
