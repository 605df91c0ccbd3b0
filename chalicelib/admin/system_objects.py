"""What every new authorization server starts with (okta-api.md 2.4, 4.4, 5.3) and the default server's seed (2.5,
6.5)."""
from __future__ import annotations

from datetime import datetime

from .. import ids
from ..domain import ACTIVE, Claim, Ordered, Policy, Rule, RuleConditions, Scope, TokenActions
from ..okta_scopes import OKTA_SCOPES

SYSTEM_SCOPES: tuple[tuple[str, str, str], ...] = (
    ("openid", "openid", "Signals that a request is an OpenID request."),
    ("profile", "View your profile information.",
     "The exact data varies based on what profile information you have provided, such as: name, time zone, "
     "picture, or birthday."),
    ("email", "View your email address.", "This allows the app to view your email address."),
    ("address", "View your address.",
     "This allows the app to view your address, such as: street address, city, state, and zip code."),
    ("phone", "View your phone number.", "This allows the app to view your phone number."),
    ("offline_access", "Keep you signed in to the app.",
     "This keeps you signed in to the app, even when you are not using it."),
    ("device_sso", "Request device secret.",
     "This allows you to single sign on between native client applications on your device."),
)

SUB_EXPRESSION = "(appuser != null) ? appuser.userName : app.clientId"

# (name, scope that releases it, alwaysIncludeInToken): Okta's 18 OIDC profile claims.
SYSTEM_IDENTITY_CLAIMS: tuple[tuple[str, str, bool], ...] = (
    ("name", "profile", True), ("preferred_username", "profile", True), ("email", "email", True),
    ("email_verified", "email", False), ("address", "address", False), ("phone_number", "phone", False),
    ("middle_name", "profile", False), ("zoneinfo", "profile", False), ("website", "profile", False),
    ("updated_at", "profile", False), ("profile", "profile", False), ("picture", "profile", False),
    ("nickname", "profile", False), ("locale", "profile", False), ("given_name", "profile", False),
    ("gender", "profile", False), ("family_name", "profile", False), ("birthdate", "profile", False),
)

# Every grant type a client may use with the default rule (the historic "Default Policy Rule").
DEFAULT_RULE_GRANT_TYPES = ("implicit", "client_credentials", "authorization_code", "password")


def system_scopes() -> list[Scope]:
    return [
        Scope(id=ids.new_id(ids.SCOPE), name=name, display_name=display, description=description, system=True,
              metadata_publish="ALL_CLIENTS", consent="IMPLICIT", optional=False, default=False)
        for name, display, description in SYSTEM_SCOPES
    ]


def system_claims() -> list[Claim]:
    sub = Claim(id=ids.new_id(ids.CLAIM), name="sub", status=ACTIVE, claim_type="RESOURCE",
                value_type="EXPRESSION", value=SUB_EXPRESSION, group_filter_type=None, scopes=(), system=True,
                always_include_in_token=True)
    identity = [
        Claim(id=ids.new_id(ids.CLAIM), name=name, status=ACTIVE, claim_type="IDENTITY", value_type="SYSTEM",
              value=None, group_filter_type=None, scopes=(scope,), system=True, always_include_in_token=always)
        for name, scope, always in SYSTEM_IDENTITY_CLAIMS
    ]
    return [sub, *identity]


def default_policy(now: datetime) -> tuple[Policy, Rule]:
    policy = Policy(id=ids.new_id(ids.POLICY), name="Default Policy",
                    description="Default policy for the default authorization server", status=ACTIVE, system=False,
                    clients=("ALL_CLIENTS",), created=now, last_updated=now, is_default=True)
    rule = Rule(
        id=ids.new_id(ids.RULE), policy_id=policy.id, name="Default Policy Rule", status=ACTIVE, system=False,
        conditions=RuleConditions(grant_types=DEFAULT_RULE_GRANT_TYPES, scopes=("*",),
                                  groups_include=("EVERYONE",)),
        actions=TokenActions(access_token_lifetime_minutes=60, refresh_token_lifetime_minutes=0,
                             refresh_token_window_minutes=10080),
        created=now, last_updated=now, is_default=True,
    )
    return policy, rule


def org_scopes() -> list[Scope]:
    """The org authorization server's scopes: Okta's management scopes for what tokenmint serves."""
    return [Scope(id=ids.new_id(ids.SCOPE), name=name, display_name=name, description=None, system=True,
                  metadata_publish="ALL_CLIENTS", consent="IMPLICIT", optional=False, default=False)
            for name in OKTA_SCOPES]


def org_policy(now: datetime) -> tuple[Policy, Rule]:
    """Every app may ask the org server for client credentials, and people may sign in to apps with code + PKCE;
    which Okta scopes an app gets is decided by its app grants (oauth/grants/org_client_credentials.py,
    oauth/authorize/flow.py), and what a person may do with them by their admin roles, so the rule allows every
    scope. Access tokens live one hour, as Okta's."""
    policy = Policy(id=ids.new_id(ids.POLICY), name="Org Authorization Server Policy",
                    description="Okta scopes, as granted to each app", status=ACTIVE, system=True,
                    clients=("ALL_CLIENTS",), created=now, last_updated=now, is_default=True)
    rule = Rule(
        id=ids.new_id(ids.RULE), policy_id=policy.id, name="Granted Okta scopes", status=ACTIVE, system=True,
        conditions=RuleConditions(grant_types=("client_credentials", "authorization_code"), scopes=("*",),
                                  groups_include=("EVERYONE",)),
        actions=TokenActions(access_token_lifetime_minutes=60, refresh_token_lifetime_minutes=0,
                             refresh_token_window_minutes=10080),
        created=now, last_updated=now, is_default=True,
    )
    return policy, rule


def default_orders(policy: Policy, rule: Rule) -> tuple[Ordered, dict[str, Ordered]]:
    return Ordered(ids=(policy.id,)), {policy.id: Ordered(ids=(rule.id,))}
