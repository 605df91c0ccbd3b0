"""``/api/v1/authorizationServers/{authServerId}/policies`` and their rules (okta-api.md 6.1)."""
from __future__ import annotations

from chalice import Blueprint, Response

from ..container import get_container
from ..domain import ACTIVE, INACTIVE
from . import render
from .context import server_links
from .http import etag, if_match, json_response, no_content, read_json
from .routing import AdminRoutes

bp = Blueprint(__name__)
routes = AdminRoutes(bp, "")

POLICIES = "/api/v1/authorizationServers/{authServerId}/policies"
POLICY = POLICIES + "/{policyId}"
RULES = POLICY + "/rules"
RULE = RULES + "/{ruleId}"


@routes.route(POLICIES, methods=["GET"])
def list_policies(authServerId: str) -> Response:
    policies, order = get_container().policies.list(authServerId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response([render.policy(p, order.priority_of(p.id), base, path_id) for p in policies])


@routes.route(POLICIES, methods=["POST"])
def create_policy(authServerId: str) -> Response:
    policy, order = get_container().policies.create(authServerId, read_json(bp.current_request))
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render.policy(policy, order.priority_of(policy.id), base, path_id), status=201,
                         headers=etag(policy.version))


@routes.route(POLICY, methods=["GET"])
def get_policy(authServerId: str, policyId: str) -> Response:
    policy, order = get_container().policies.get(authServerId, policyId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render.policy(policy, order.priority_of(policy.id), base, path_id),
                         headers=etag(policy.version))


@routes.route(POLICY, methods=["PUT"])
def replace_policy(authServerId: str, policyId: str) -> Response:
    request = bp.current_request
    policy, order = get_container().policies.replace(authServerId, policyId, read_json(request), if_match(request))
    base, path_id = server_links(request, authServerId)
    return json_response(render.policy(policy, order.priority_of(policy.id), base, path_id),
                         headers=etag(policy.version))


@routes.route(POLICY, methods=["DELETE"])
def delete_policy(authServerId: str, policyId: str) -> Response:
    get_container().policies.delete(authServerId, policyId, if_match(bp.current_request))
    return no_content()


@routes.route(POLICY + "/lifecycle/activate", methods=["POST"])
def activate_policy(authServerId: str, policyId: str) -> Response:
    get_container().policies.set_status(authServerId, policyId, ACTIVE)
    return no_content()


@routes.route(POLICY + "/lifecycle/deactivate", methods=["POST"])
def deactivate_policy(authServerId: str, policyId: str) -> Response:
    get_container().policies.set_status(authServerId, policyId, INACTIVE)
    return no_content()


@routes.route(RULES, methods=["GET"])
def list_rules(authServerId: str, policyId: str) -> Response:
    rules, order = get_container().rules.list(authServerId, policyId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response([render.rule(r, order.priority_of(r.id), base, path_id) for r in rules])


@routes.route(RULES, methods=["POST"])
def create_rule(authServerId: str, policyId: str) -> Response:
    rule, order = get_container().rules.create(authServerId, policyId, read_json(bp.current_request))
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render.rule(rule, order.priority_of(rule.id), base, path_id), status=201,
                         headers=etag(rule.version))


@routes.route(RULE, methods=["GET"])
def get_rule(authServerId: str, policyId: str, ruleId: str) -> Response:
    rule, order = get_container().rules.get(authServerId, policyId, ruleId)
    base, path_id = server_links(bp.current_request, authServerId)
    return json_response(render.rule(rule, order.priority_of(rule.id), base, path_id), headers=etag(rule.version))


@routes.route(RULE, methods=["PUT"])
def replace_rule(authServerId: str, policyId: str, ruleId: str) -> Response:
    request = bp.current_request
    rule, order = get_container().rules.replace(authServerId, policyId, ruleId, read_json(request),
                                                if_match(request))
    base, path_id = server_links(request, authServerId)
    return json_response(render.rule(rule, order.priority_of(rule.id), base, path_id), headers=etag(rule.version))


@routes.route(RULE, methods=["DELETE"])
def delete_rule(authServerId: str, policyId: str, ruleId: str) -> Response:
    get_container().rules.delete(authServerId, policyId, ruleId, if_match(bp.current_request))
    return no_content()


@routes.route(RULE + "/lifecycle/activate", methods=["POST"])
def activate_rule(authServerId: str, policyId: str, ruleId: str) -> Response:
    get_container().rules.set_status(authServerId, policyId, ruleId, ACTIVE)
    return no_content()


@routes.route(RULE + "/lifecycle/deactivate", methods=["POST"])
def deactivate_rule(authServerId: str, policyId: str, ruleId: str) -> Response:
    get_container().rules.set_status(authServerId, policyId, ruleId, INACTIVE)
    return no_content()


routes.finish()
