"""The token preview use case: read the body against the server, then run the preview with minting's services
made unable to sign or to record token holders (the package docstring says what a preview assumes)."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from ...oauth.context import OAuthServices, Signer
from ...oauth.issuer import issuer
from ..validation import Fields, require_object
from .ports import AccessSource, ClientSource, ConsentSource, ServerSource, UserSource
from .request import read_request
from .results import TokenPreview
from .run import CONSENT_PAGE_GRANT_TYPES, PreviewRun

TARGET = "tokenPreview"


class _NoConsents:
    def granted(self, user_id: str, server_id: str, client_id: str) -> frozenset[str]:
        return frozenset()


class _RefusingSigner:
    """The signer minting would use, replaced: a preview must never produce a signature."""

    def get(self, auth_server_id: str, active_kid: str, *, kid_read_at: datetime | None = None) -> Any:
        raise AssertionError("token preview must never sign")


class _NoHolders:
    def note(self, server_id: str, client_id: str) -> None:
        raise AssertionError("token preview must never record token holders")


class TokenPreviewService:
    def __init__(self, servers: ServerSource, clients: ClientSource, users: UserSource, assignments: AccessSource,
                 services: OAuthServices, consents: ConsentSource | None = None) -> None:
        self._servers = servers
        self._clients = clients
        self._users = users
        self._assignments = assignments
        self._services = services
        self._consents = consents or _NoConsents()

    def _oauth_services(self) -> OAuthServices:
        # minting reads only ``now`` and ``org``; the rest is replaced so that nothing can sign or record. The cast:
        # _RefusingSigner has only ``get`` (what minting calls), not the token endpoint's ``prepare``/``prefetch``.
        return replace(self._services, signer=cast(Signer, _RefusingSigner()), holders=_NoHolders())

    def preview(self, server_id: str, body: Any, base_url: str) -> TokenPreview:
        """What the server would mint for the request in ``body`` (see the package docstring). Raises
        ``NotFoundError`` for an unknown server, ``ValidationError`` (one cause per field) for bad input,
        ``MalformedBodyError`` when the body is not an object."""
        fields = Fields(require_object(body), TARGET)
        config = self._servers.load(server_id)
        resolved = read_request(fields, config, self._clients, self._users, self._assignments)
        consented: frozenset[str] = frozenset()
        if resolved.access is not None and resolved.request.grant_type in CONSENT_PAGE_GRANT_TYPES:
            consented = self._consents.granted(resolved.access.user.id, config.server.id, resolved.client.client_id)
        return PreviewRun(config, resolved, self._oauth_services(), issuer(config.server, base_url), consented).run()
