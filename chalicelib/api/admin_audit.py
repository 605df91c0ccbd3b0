"""Every successful management write becomes a System Log event (audit/management.py names which), recorded by
the route's registration (api/routing.py), so no view can forget one.

The event names who (the API token's person, or the token; a bearer token's person or app), what (the target, read
before the write when it exists, so a deletion still names what was deleted) and what changed (``changeDetails``,
before against the response, secrets redacted: audit/change_details.py). A write that fails writes no event: it
changed nothing.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any, Callable

from chalice import Response

from ..audit.change_details import change_details
from ..audit.event import Party, log_event
from ..audit.management import NAME_PATHS, ManagementEvent, display_name, event_for, object_id
from ..container import get_container
from ..domain import ApiToken
from ..oauth.management_tokens import ManagementPrincipal
from . import request_origin

View = Callable[..., Response]
_PARAM = re.compile(r"\{(\w+)\}")


def _json(response: Response) -> Any:
    body = response.body
    if isinstance(body, (str, bytes)) and body[:1] in ("{", "[", b"{", b"["):
        try:
            return json.loads(body)
        except ValueError:
            return None
    return body if isinstance(body, (dict, list)) else None


def _user_party(user_id: str) -> Party:
    user = get_container().users.find(user_id)
    if user is None:
        return Party(id=user_id, type="User")
    name = " ".join(x for x in (user.profile.get("firstName"), user.profile.get("lastName")) if x)
    return Party(id=user_id, type="User", alternate_id=user.login, display_name=name or user.login)


def actor(token: ApiToken | None, principal: ManagementPrincipal | None) -> Party:
    """Who makes a management call: an API token's person (or the token itself), a bearer token's person or app."""
    if token is not None:
        if token.user_id:
            return _user_party(token.user_id)
        return Party(id=token.id, type="Token", display_name=token.name)
    if principal is not None:
        if principal.user_id:
            return _user_party(principal.user_id)
        client = get_container().caches.clients.find(principal.client_id)
        name = getattr(client, "client_name", None)
        return Party(id=principal.client_id, type="PublicClientApp", alternate_id=principal.client_id,
                     display_name=name)
    return Party(id="unknown", type="User")


class Readers:
    """The GET view of every admin path, to read a target before it is written."""

    views: dict[str, View] = {}

    @classmethod
    def read(cls, template: str, params: dict[str, str]) -> Any:
        view = cls.views.get(template)
        if view is None:
            return None
        try:
            response = view(**{name: params[name] for name in _PARAM.findall(template)})
        except Exception:  # noqa: BLE001 - a target that cannot be read is named by id only; the write goes on
            return None
        return _json(response) if response.status_code == 200 else None


def audited(view: View, template: str, request_of: Callable[[], Any],
            who: Callable[[Any], tuple[ApiToken | None, ManagementPrincipal | None]]) -> View:
    """``view`` recording the event of each successful write it makes."""

    def wrapper(*args: str, **kwargs: str) -> Response:
        request = request_of()
        spec = event_for(template, request.method)
        if spec is None:
            return view(*args, **kwargs)
        before = Readers.read(spec.before_path, kwargs) if spec.before_path else None
        response = view(*args, **kwargs)
        if response.status_code < 300:
            token, principal = who(request)
            _record(spec, request, kwargs, before, _json(response), actor(token, principal), token)
        return response

    return wrapper


def _lifecycle_details(event_type: str, before: Any) -> dict[str, dict[str, Any]] | None:
    status = before.get("status") if isinstance(before, dict) else None
    new = "ACTIVE" if event_type.endswith(("activate", "activated")) and "deactivat" not in event_type else \
        "INACTIVE" if "deactivat" in event_type else None
    if status is None or new is None or status == new:
        return None
    return {"from": {"status": status}, "to": {"status": new}}


def _concrete(template: str, params: dict[str, str]) -> str:
    """The path requested (Chalice's ``request.path`` is the route's template)."""
    return _PARAM.sub(lambda m: params.get(m.group(1), m.group(0)), template)


def _id(name: str, value: str) -> str:
    """A path parameter as the id it names: ``default`` is the default server's alias."""
    if name == "authServerId":
        try:
            return get_container().servers.resolve_id(value)
        except Exception:  # noqa: BLE001 - named as given when it cannot be resolved (it was just deleted)
            return value
    return value


def _named(target: Party, params: dict[str, str]) -> Party:
    """``target`` with the display name of the object it names, read when the write's documents did not give one
    (a parent, an assignment's group or user); as it is when its type has no GET path or it cannot be read."""
    path = NAME_PATHS.get(target.type)
    if target.display_name or path is None:
        return target
    template, param = path
    name = display_name(Readers.read(template, {**params, param: target.id}))
    return replace(target, display_name=name) if name else target


def _record(spec: ManagementEvent, request: Any, params: dict[str, str], before: Any, after: Any, who: Party,
            token: ApiToken | None) -> None:
    container = get_container()
    target_id = _id(spec.id_param, params[spec.id_param]) if spec.id_param and spec.id_param in params \
        else object_id(after)
    if spec.event_type.endswith(("activate", "activated", "deactivate", "deactivated", "unlock_by_admin",
                                 "suspend", "unsuspend")) or request.method == "DELETE":
        details = _lifecycle_details(spec.event_type, before)
    elif isinstance(after, list):  # a key rotation answers the new key set: no object was edited
        details = None
    else:
        details = change_details(before, after)
    target = Party(id=target_id or "unknown", type=spec.target_type,
                   display_name=display_name(after) or display_name(before), change_details=details)
    targets = [target]
    if isinstance(after, list):
        targets += [Party(id=str(key["kid"]), type="AuthorizationServerJsonWebKey") for key in after
                    if isinstance(key, dict) and key.get("status") == "ACTIVE" and key.get("kid")]
        # Servers named by the answer (trusted servers added): each one a target of its own.
        targets += [Party(id=str(item["id"]), type="AuthorizationServer", display_name=display_name(item))
                    for item in after if isinstance(item, dict) and item.get("issuer") and item.get("id")]
    if spec.parent is not None and spec.parent[0] in params:
        targets.append(Party(id=_id(spec.parent[0], params[spec.parent[0]]), type=spec.parent[1]))
    targets = [_named(t, params) for t in targets]
    origin = request_origin.origin(request.headers, request.context, _concrete(request.path, params),
                                   api_token_id=token.id if token is not None else None)
    container.audit.record(log_event(spec.event_type, published=container.clock.now(), actor=who, targets=targets,
                                     origin=origin, authentication={"credentialType": "OAuth 2.0"}
                                     if token is None else {}))
