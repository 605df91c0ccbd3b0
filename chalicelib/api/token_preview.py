"""``POST /api/v1/authorizationServers/{authServerId}/tokenPreview``: the tokens a configuration would mint, and
why (admin/token_preview.py; the shapes are documented in docs/ARCHITECTURE.md "Token preview").

200 with the tokens' headers and payloads when the configuration grants the request; otherwise the HTTP status,
``error`` and ``error_description`` the real flow would answer. Both carry ``evaluation``. Bad input is Okta's
400 E0000001 (one cause per field), an unknown server 404 E0000007, a body that is not JSON 400 E0000003.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from ..container import get_container
from .context import base
from .http import json_response, read_json
from .routing import AdminRoutes

if TYPE_CHECKING:  # annotations only: the preview's modules load on its first use, not at every cold start
    from ..admin.token_preview import ClaimLine, PreviewRequest, PreviewToken, TokenPreview
    from ..policy import Step

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

PREVIEW = "/api/v1/authorizationServers/{authServerId}/tokenPreview"
# The payloads hold user profile data: never cached by anything on the way.
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _request(r: PreviewRequest) -> dict[str, Any]:
    out: dict[str, Any] = {"clientId": r.client_id, "grantType": r.grant_type, "userId": r.user_id,
                           "scopes": list(r.scopes) if r.scopes is not None else None}
    if r.grant_type == "implicit":
        out["responseType"] = " ".join(sorted(r.response_types))
    return out


def _token(t: PreviewToken | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {"header": t.header, "payload": t.payload, "lifetimeMinutes": t.lifetime_minutes}


def _step(s: Step) -> dict[str, Any]:
    return {"subject": s.subject, "outcome": s.outcome, "id": s.id, "name": s.name, "priority": s.priority,
            "policyId": s.policy_id, "message": s.message}


def _claim(line: ClaimLine) -> dict[str, Any]:
    c = line.claim
    out: dict[str, Any] = {"token": line.token, "id": c.id, "name": c.name, "claimType": c.claim_type,
                           "valueType": c.value_type, "included": line.included, "reason": line.reason,
                           "message": line.message}
    if line.included:
        out["value"] = line.value
    return out


def _named(pair: tuple[str, str] | None) -> dict[str, str] | None:
    return {"id": pair[0], "name": pair[1]} if pair else None


def render(p: TokenPreview) -> dict[str, Any]:
    evaluation = {"reason": p.reason, "steps": [_step(s) for s in p.steps], "claims": [_claim(c) for c in p.claims]}
    if not p.allowed:
        return {
            "error": p.error, "error_description": p.error_description, "request": _request(p.request),
            "policy": _named(p.policy), "rule": _named(p.rule),
            "deniedScopes": list(p.decision.denied_scopes) if p.decision else [],
            "consentScopes": list(p.consent_scopes), "evaluation": evaluation,
        }
    refresh = p.refresh_token
    return {
        "request": _request(p.request),
        "accessToken": _token(p.access_token),
        "idToken": _token(p.id_token),
        "refreshToken": None if refresh is None else {
            "issued": refresh.issued, "lifetimeMinutes": refresh.lifetime_minutes,
            "windowMinutes": refresh.window_minutes, "reason": refresh.reason, "message": refresh.message},
        "policy": _named(p.policy),
        "rule": _named(p.rule),
        "scopes": list(p.granted_scopes),
        "consentScopes": list(p.consent_scopes),
        "evaluation": evaluation,
    }


@routes.route(PREVIEW, methods=["POST"])
def preview_tokens(authServerId: str) -> Response:
    request = bp.current_request
    preview = get_container().token_preview.preview(authServerId, read_json(request), base(request))
    return json_response(render(preview), status=preview.http_status, headers=dict(NO_STORE))


routes.finish()
