"""The OAuth side of an authorization server: the grant registry and the endpoints, wired to their services."""
from __future__ import annotations

from typing import Mapping

from .context import OAuthRequest, OAuthResponse, OAuthServices
from .endpoints import discovery, introspection, revocation, token
from .grants import Grant
from .grants.client_credentials import ClientCredentialsGrant


class OAuthServer:
    def __init__(self, services: OAuthServices, grants: tuple[Grant, ...] = (ClientCredentialsGrant(),)) -> None:
        self.services = services
        self.grants: Mapping[str, Grant] = {g.grant_type: g for g in grants}
        self.capabilities = discovery.Capabilities(grant_types=tuple(self.grants))

    def token(self, request: OAuthRequest) -> OAuthResponse:
        return token.token(self.services, self.grants, request)

    def introspect(self, request: OAuthRequest) -> OAuthResponse:
        return introspection.introspect(self.services, request)

    def revoke(self, request: OAuthRequest) -> OAuthResponse:
        return revocation.revoke(self.services, request)

    def metadata(self, request: OAuthRequest, openid: bool) -> OAuthResponse:
        return discovery.discovery(self.services, self.capabilities, request, openid)
