"""People's admin roles through the official Okta SDK against the local stack (issue 16): assign, list, get and
unassign a standard role; each response must be one the SDK deserializes into its own role models."""
from __future__ import annotations

import uuid

from okta import models

from e2e_support import call, enum_value, expect


def test_the_sdk_assigns_lists_and_unassigns_admin_roles(okta_client):
    login = f"role-{uuid.uuid4().hex[:8]}@example.com"
    user = expect(200, okta_client.create_user(models.CreateUserRequest.from_dict({
        "profile": {"login": login, "email": login, "firstName": "Role", "lastName": "Holder"},
        "credentials": {"password": {"value": "Quiet-Harb0ur-42x"}}}), activate=True))
    try:
        body = models.AssignRoleToUserRequest(models.StandardRoleAssignmentSchema(type="READ_ONLY_ADMIN"))
        made = expect(201, okta_client.assign_role_to_user(user.id, body)).actual_instance
        assert enum_value(made.type) == "READ_ONLY_ADMIN" and made.id
        listed = expect(200, okta_client.list_assigned_roles_for_user(user.id))
        assert [r.actual_instance.id for r in listed] == [made.id]
        got = expect(200, okta_client.get_user_assigned_role(user.id, made.id)).actual_instance
        assert got.id == made.id and enum_value(got.type) == "READ_ONLY_ADMIN"
        expect(204, okta_client.unassign_role_from_user(user.id, made.id))
        assert expect(200, okta_client.list_assigned_roles_for_user(user.id)) == []
    finally:
        call(okta_client.delete_user(user.id))
        call(okta_client.delete_user(user.id))
