"""Token preview: what a client would get from an authorization server, and why (issue 6; okta-api.md 9: Okta has
it only as a console tab, tokenmint offers it as an API). docs/ARCHITECTURE.md "Token preview".

``request.py`` reads and validates the body, ``run.py`` runs one preview (refusals, the policy decision and its
steps, minting), ``claim_lines.py`` explains every claim, ``results.py`` holds what the preview answers, and
``service.py`` is the use case over what ``ports.py`` lets it read.

``TokenPreviewService.preview(server_id, body, base_url) -> TokenPreview`` runs the real path without its side
effects:

* the decision is ``policy.evaluate`` with the ``AccessRequest`` the real grant builds (client_credentials: no
  user; user grants: the user id, its groups and ``assigned`` from ``AppAssignmentService.access``);
* the claims are ``oauth.minting.access_claims`` / ``id_token_claims`` with the arguments the real grants pass,
  the lifetimes come from the matched rule's ``actions``;
* the explanation of every claim comes from ``claims.builder.explain_claims``, which shares its per-claim function
  with ``build_claims`` (what minting calls), evaluated in minting's own context; where a token's own claims or the
  profile claims decide, the explanation is read off the real payload.

Nothing is signed (``minting.sign`` is never called, and the services handed to minting carry a signer that
refuses) and nothing is written: the preview reads the server's partition, the client and the user, nothing else.

Where the real flow is interactive or has inputs a preview cannot have, the choices are (docs: "Token preview"):

* consent: for ``authorization_code`` and ``implicit`` the consent page would ask for the scopes that need it; the
  preview assumes the user allows and lists them in ``consent_scopes``. ``password`` has no consent page: the
  ``consent_required`` error stands;
* the user signs in now: ``auth_time`` = now, ``amr`` = ``["pwd"]``; no ``nonce``, ``at_hash`` or ``c_hash``
  (they hash values a preview never creates);
* ``authorization_code`` and ``password`` return an access token and, with ``openid``, the ID token issued with it
  (``everything=False``: profile claims only with ``alwaysIncludeInToken``); ``implicit`` follows ``responseType``
  (default ``id_token token`` when ``openid`` is requested, else ``token``); an ID token issued alone
  (``responseType: id_token``) carries every profile claim its scopes release (``everything=True``);
* ``refresh_token`` is not a grant to preview: a refresh is judged by the rule of the original grant. The preview
  of ``authorization_code`` / ``password`` says whether a refresh token would be issued (``offline_access``
  granted and the client registered for ``refresh_token``) and with the rule's lifetime and window.
"""
from __future__ import annotations

from .request import GRANT_TYPES
from .results import (
    ACCESS_TOKEN,
    ID_TOKEN,
    ClaimLine,
    PreviewOutcome,
    PreviewReason,
    PreviewRequest,
    PreviewToken,
    RefreshReason,
    RefreshTokenPreview,
    TokenPreview,
)
from .service import TokenPreviewService

__all__ = [
    "ACCESS_TOKEN", "GRANT_TYPES", "ID_TOKEN", "ClaimLine", "PreviewOutcome", "PreviewReason", "PreviewRequest",
    "PreviewToken", "RefreshReason", "RefreshTokenPreview", "TokenPreview", "TokenPreviewService",
]
