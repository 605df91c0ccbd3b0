"""The OAuth side of an authorization server: the grants and optional endpoints it offers, and the endpoints wired to
them (RFC 6749 4, 5; RFC 7009; RFC 7662; OIDC Core 5.3; RFC 8414).

Nothing is offered by default: the composition root (``container.py``) registers each grant and feature, as
Authlib's ``AuthorizationServer.register_grant`` does, and discovery advertises exactly what is registered.
"""
from __future__ import annotations

from dataclasses import replace

from ..errors import NotFoundError

from .authorize.flow import FrontChannel
from .device.authorizations import DeviceAuthorizations
from .device.verification import DeviceVerification
from .context import OAuthRequest, OAuthResponse, OAuthServices
from .directory import Directory
from .endpoints import device_authorization, discovery, introspection, par, revocation, token, userinfo
from .grants import Grant
from .grants.org_client_credentials import OrgClientCredentialsGrant
from .issuer import ORG_SERVER_ID
from .errors import InvalidRequestError
from .refresh_tokens import RefreshTokens
from .rendered import RenderedDocuments
from .request_object import SIGNING_ALGS


class OAuthServer:
    def __init__(self, services: OAuthServices) -> None:
        self.services = services
        # By grant_type, in registration order (the order error descriptions list them in).
        self.grants: dict[str, Grant] = {}
        self.refresh_tokens: RefreshTokens | None = None
        self.front: FrontChannel | None = None
        self.devices: DeviceAuthorizations | None = None
        self.device_page: DeviceVerification | None = None
        self._userinfo: Directory | None = None
        # Discovery documents per cached configuration object (oauth/rendered.py), and what is offered (it changes
        # only with a registration, which forgets it).
        self.documents = RenderedDocuments()
        self._offered: tuple[discovery.Capabilities, discovery.Capabilities] | None = None

    def _registered(self) -> None:
        self._offered = None
        self.documents.clear()

    def register_grant(self, grant: Grant) -> None:
        if grant.grant_type in self.grants:
            raise ValueError(f"the {grant.grant_type} grant is registered already")
        self.grants[grant.grant_type] = grant
        self._registered()

    def register_refresh_tokens(self, tokens: RefreshTokens) -> None:
        """Refresh tokens at introspection and revocation (the ``refresh_token`` grant is registered on its own)."""
        self.refresh_tokens = tokens
        self._registered()

    def register_userinfo(self, directory: Directory) -> None:
        """``/v1/userinfo``, looking up the token's client and user in ``directory``."""
        self._userinfo = directory
        self._registered()

    def register_front_channel(self, front: FrontChannel) -> None:
        """``/v1/authorize``, the sign-in and consent pages and ``/v1/logout`` (oauth/authorize; the
        ``authorization_code`` grant redeeming its codes is registered on its own)."""
        self.front = front
        self._registered()

    def register_device_authorization(self, devices: DeviceAuthorizations, page: DeviceVerification) -> None:
        """``/v1/device/authorize`` and the user page ``{issuer}/device`` (RFC 8628; oauth/device; the device code
        grant redeeming them at ``/v1/token`` is registered on its own)."""
        self.devices = devices
        self.device_page = page
        self._registered()

    @property
    def capabilities(self) -> discovery.Capabilities:
        return self._capabilities()[0]

    def _capabilities(self) -> tuple[discovery.Capabilities, discovery.Capabilities]:
        """(custom servers', org server's) capabilities, computed once per registration."""
        if self._offered is None:
            self._offered = (self._custom_capabilities(), self._org_capabilities())
        return self._offered

    def _custom_capabilities(self) -> discovery.Capabilities:
        offered = discovery.Capabilities(grant_types=tuple(self.grants), userinfo_endpoint=self._userinfo is not None,
                                         dpop_algs=self._dpop_algs,
                                         device_authorization_endpoint=self.devices is not None)
        return self._pushed(offered.with_front_channel()) if self.front is not None else offered

    def _pushed(self, offered: discovery.Capabilities) -> discovery.Capabilities:
        """What the front channel's PAR (RFC 9126) and request objects (RFC 9101) add, when registered with it."""
        front = self.front
        if front is None:
            return offered
        return replace(offered, pushed_authorization_requests=front.pushed is not None,
                       request_object_algs=SIGNING_ALGS if front.request_objects is not None else ())

    def par(self, request: OAuthRequest) -> OAuthResponse:
        if self.front is None:
            raise InvalidRequestError("Pushed authorization requests are not supported.")
        return par.push(self.front, request)

    @property
    def _dpop_algs(self) -> tuple[str, ...]:
        return self.services.dpop.algorithms if self.services.dpop is not None else ()

    def token(self, request: OAuthRequest) -> OAuthResponse:
        return token.token(self.services, self.grants, request)

    def device_authorize(self, request: OAuthRequest) -> OAuthResponse:
        if self.devices is None:
            raise NotFoundError("device_authorize", "Endpoint")
        return device_authorization.device_authorize(self.services, self.devices, request)

    def introspect(self, request: OAuthRequest) -> OAuthResponse:
        return introspection.introspect(self.services, request, self.refresh_tokens, self._userinfo)

    def revoke(self, request: OAuthRequest) -> OAuthResponse:
        return revocation.revoke(self.services, request, self.refresh_tokens)

    def userinfo(self, request: OAuthRequest) -> OAuthResponse:
        return userinfo.userinfo(self.services, request, self._userinfo)

    def metadata(self, request: OAuthRequest, openid: bool) -> OAuthResponse:
        return discovery.discovery(self.services, self.capabilities, request, openid, self.documents)

    # -- the org authorization server (``/oauth2/v1/…``; issuer = the base URL) -----------------------------------

    @property
    def org_capabilities(self) -> discovery.Capabilities:
        return self._capabilities()[1]

    def _org_capabilities(self) -> discovery.Capabilities:
        """Service apps (client credentials) and, with the front channel, people: code + PKCE and refresh."""
        people = self.front is not None
        return self._pushed(discovery.Capabilities(
            grant_types=tuple(g for g in self._org_grants()), authorization_endpoint=people,
            response_types=("code",) if people else (), response_modes=("query", "form_post") if people else (),
            userinfo_endpoint=people and self._userinfo is not None, end_session_endpoint=people,
            dpop_algs=self._dpop_algs))

    def _org_grants(self) -> dict[str, Grant]:
        grants: dict[str, Grant] = {}
        for grant_type in ("authorization_code", "refresh_token"):
            if self.front is not None and grant_type in self.grants:
                grants[grant_type] = self.grants[grant_type]
        grants["client_credentials"] = OrgClientCredentialsGrant(self.grants["client_credentials"])
        return grants

    @staticmethod
    def _org(request: OAuthRequest) -> OAuthRequest:
        return replace(request, server_id=ORG_SERVER_ID, org=True)

    def org_token(self, request: OAuthRequest) -> OAuthResponse:
        """Service apps get ``okta.*`` scopes they were granted (``grants/org_client_credentials.py``); people redeem
        the codes of ``/oauth2/v1/authorize``, whose Okta scopes were checked against the app's grants there."""
        return token.token(self.services, self._org_grants(), self._org(request))

    def org_userinfo(self, request: OAuthRequest) -> OAuthResponse:
        return userinfo.userinfo(self.services, self._org(request), self._userinfo)

    def org_introspect(self, request: OAuthRequest) -> OAuthResponse:
        return introspection.introspect(self.services, self._org(request))

    def org_revoke(self, request: OAuthRequest) -> OAuthResponse:
        return revocation.revoke(self.services, self._org(request))

    def org_par(self, request: OAuthRequest) -> OAuthResponse:
        return self.par(self._org(request))

    def org_metadata(self, request: OAuthRequest, openid: bool) -> OAuthResponse:
        return discovery.discovery(self.services, self.org_capabilities, self._org(request), openid, self.documents)
