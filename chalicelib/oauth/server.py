"""The OAuth side of an authorization server: the grant registry and the endpoints, wired to their services."""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from .context import OAuthRequest, OAuthResponse, OAuthServices
from .endpoints import discovery, introspection, revocation, token, userinfo
from .grants import Grant
from .grants.authorization_code import AuthorizationCodeGrant
from .grants.client_credentials import ClientCredentialsGrant
from .grants.password import PasswordGrant
from .grants.refresh_token import RefreshTokenGrant

if TYPE_CHECKING:
    from .authorize.flow import FrontChannel


class OAuthServer:
    def __init__(self, services: OAuthServices, grants: tuple[Grant, ...] = (ClientCredentialsGrant(),),
                 front: "FrontChannel | None" = None) -> None:
        self.services = services
        # The front channel (oauth/authorize): /v1/authorize, sign-in and consent pages, /v1/logout, and the
        # authorization_code grant redeeming its codes. None: not offered (and not advertised).
        self.front = front
        if front is not None:
            grants = (*grants, AuthorizationCodeGrant(front.codes, front.assignments))
        back_channel = services.refresh_tokens is not None  # refresh tokens, password grant, userinfo
        if back_channel:
            grants = (*grants, RefreshTokenGrant(), PasswordGrant())
        self.grants: Mapping[str, Grant] = {g.grant_type: g for g in grants}
        self.capabilities = discovery.Capabilities(grant_types=tuple(self.grants), userinfo_endpoint=back_channel,
                                                   **(discovery.FRONT_CHANNEL if front is not None else {}))

    def token(self, request: OAuthRequest) -> OAuthResponse:
        return token.token(self.services, self.grants, request)

    def introspect(self, request: OAuthRequest) -> OAuthResponse:
        return introspection.introspect(self.services, request)

    def revoke(self, request: OAuthRequest) -> OAuthResponse:
        return revocation.revoke(self.services, request)

    def userinfo(self, request: OAuthRequest) -> OAuthResponse:
        return userinfo.userinfo(self.services, request)

    def metadata(self, request: OAuthRequest, openid: bool) -> OAuthResponse:
        return discovery.discovery(self.services, self.capabilities, request, openid)
