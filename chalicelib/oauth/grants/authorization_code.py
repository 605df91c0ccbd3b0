"""The authorization code grant (RFC 6749 4.1.3; RFC 7636 4.5, 4.6; OIDC Core 3.1.3; security-checklist CODE-01..10,
PKCE-01..11, IDT-01..05).

Order of checks, each failure ``invalid_grant`` (400) with Okta's description:

1. The code exists, was issued by this server and has not expired (300 s).
2. It was never redeemed. A second redemption is a replay: the code is marked and what the first redemption
   issued is revoked (the access token's ``jti``, the refresh-token family) (CODE-01, CODE-02).
3. Bound to the client, then to the ``redirect_uri`` of the authorize request (identical string), then PKCE
   (S256 only, constant-time; a verifier without a challenge is a downgrade and refused). Public clients are
   accepted only for codes bound to a challenge. Any failure here burns the code: stolen codes cannot be
   brute-forced or retried (CODE-05, PKCE-03).
4. A code bound to a DPoP key (``dpop_jkt`` at authorize, or a PAR request's DPoP proof: RFC 9449 10, 10.1) is
   redeemed only with a proof by that key: no proof or another key's is ``invalid_dpop_proof``, as for a bound
   refresh token, and the code is not burned (the client that holds the key may still redeem it; a thief cannot).
5. The user is still ACTIVE and still assigned to the client (CODE-08); otherwise the code is burned.
6. Tokens are minted (access token; ID token when ``openid`` was granted, with ``nonce`` and ``at_hash`` and only
   the ``alwaysIncludeInToken`` scope claims, okta-api.md 8.3), then the code is redeemed with a write conditional
   on the version read: of concurrent redemptions exactly one wins and the others count as replays (CODE-03).
7. A refresh token (when the composition root gave the grant ``refresh_tokens``) when ``offline_access`` was
   granted and the client may use the ``refresh_token`` grant: its family is created in the same transaction as
   the code's redemption, which records it for replay revocation. A redemption is one write either way.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping, NoReturn, Protocol

from ...domain import ACTIVE, OAuthClient, UserAccess
from .. import minting
from ..codes import ISSUED, REDEEMED, Codes, StoredCode, verify_pkce
from ..context import OAuthServices
from ..directory import Assignments
from ..dpop import MISSING
from ..errors import InvalidDpopProofError, InvalidGrantError, InvalidRequestError
from ..minting import subject_of
from ..refresh_tokens import CodeWrite, dpop_binding, new_family_id, refresh_token_due
from . import GrantRequest

log = logging.getLogger("tokenmint.oauth")

INVALID_CODE = "The authorization code is invalid or has expired."
OTHER_CLIENT = ("The grant was issued to another client. Please make sure the 'client_id' matches the one used at "
                "the authorize request.")
REDIRECT_MISMATCH = "The 'redirect_uri' does not match the redirection URI used in the authorization request."
PKCE_FAILED = "PKCE verification failed."
PKCE_NOT_EXPECTED = "PKCE verification failed: the authorization request had no 'code_challenge'."
USER_GONE = "The user is no longer active or no longer assigned to the client application."
CODE_KEY_MISMATCH = "The DPoP proof JWT key does not match the key the authorization code is bound to."


class RefreshTokenIssuer(Protocol):
    """What a code redemption needs of ``refresh_tokens.RefreshTokens`` (docs/ARCHITECTURE.md "Contract with the
    front channel")."""

    def issue(self, *, server_id: str, client_id: str, user_id: str, scopes: tuple[str, ...], auth_time: int | None,
              amr: tuple[str, ...], lifetime_minutes: int, window_minutes: int, now: datetime,
              grant_type: str = ..., access_token: tuple[str, datetime] | None = None,
              jkt: str | None = ...) -> tuple[str, str]: ...

    def issue_redeeming(self, code: CodeWrite, family_id: str, *, server_id: str, client_id: str, user_id: str,
                        scopes: tuple[str, ...], auth_time: int | None, amr: tuple[str, ...],
                        lifetime_minutes: int, window_minutes: int, now: datetime, grant_type: str,
                        access_token: tuple[str, datetime] | None = None, jkt: str | None = None) -> str | None: ...

    def revoke_family(self, family_id: str) -> None: ...


class AuthorizationCodeGrant:
    grant_type = "authorization_code"
    allows_public_clients = True  # only for codes bound to a PKCE challenge (checked below)

    def __init__(self, codes: Codes, assignments: Assignments, refresh_tokens: RefreshTokenIssuer | None = None
                 ) -> None:
        self.codes = codes
        self.assignments = assignments
        # None: codes never come with refresh tokens.
        self.refresh_tokens = refresh_tokens

    def handle(self, services: OAuthServices, request: GrantRequest) -> dict[str, Any]:
        client = request.client
        params = request.params
        config = request.config
        if not params.get("code"):
            raise InvalidRequestError("The 'code' parameter is required.")
        stored = self.codes.find(params.get("code"))
        now = services.now()
        if stored is None or stored.grant.server_id != config.server.id:
            raise InvalidGrantError(INVALID_CODE)
        if stored.state != ISSUED:
            if stored.state == REDEEMED:
                self._replayed(services, stored)
            raise InvalidGrantError(INVALID_CODE)
        if stored.expired(now):
            raise InvalidGrantError(INVALID_CODE)

        grant = stored.grant
        trace = request.trace
        trace.user_id, trace.policy_id, trace.rule_id, trace.reason = (grant.user_id, grant.policy_id,
                                                                       grant.rule_id, "granted")
        access: UserAccess | None = None
        failure = self._binding_failure(client, stored, params)
        if failure is None and grant.dpop_jkt is not None and request.dpop_jkt != grant.dpop_jkt:
            raise InvalidDpopProofError(MISSING if request.dpop_jkt is None else CODE_KEY_MISMATCH)
        if failure is None:
            access = self.assignments.access(client.client_id, grant.user_id)
            if access is None or access.user.status != ACTIVE or not access.assigned:
                failure = USER_GONE
        if failure is not None:
            if not self.codes.burn(stored):
                fresh = self.codes.reread(stored)
                if fresh is not None and fresh.state == REDEEMED:
                    self._replayed(services, fresh)
            log.info("authorization code refused for client %s: %s", client.client_id, failure)
            raise InvalidGrantError(failure)
        assert access is not None

        subject = subject_of(access, grant.auth_time, grant.amr)
        lifetime = timedelta(minutes=grant.access_token_lifetime_minutes)
        claims = minting.access_claims(services, config, request.issuer, client, grant.scopes, lifetime, subject,
                                       jkt=request.dpop_jkt)
        access_token = minting.sign(services, config, request.config_read_at, claims)
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "expires_in": int(lifetime.total_seconds()),
            "access_token": access_token,
            "scope": " ".join(grant.scopes),
        }
        if "openid" in grant.scopes:  # CODE-07
            id_claims = minting.id_token_claims(services, config, request.issuer, client, subject, grant.scopes,
                                                nonce=grant.nonce, access_token=access_token, everything=False)
            body["id_token"] = minting.sign(services, config, request.config_read_at, id_claims)

        refresh = self.refresh_tokens
        if refresh is not None and refresh_token_due(client, grant.scopes):
            # One write: the code redeemed (conditional on the version read) and the new family, in one
            # transaction; the family is recorded on the code for replay revocation.
            family_id = new_family_id()
            redeemed, keep = self.codes.redemption(stored, claims["jti"], int(claims["exp"]), family_id)
            # The contract's arguments, plus the optional ones RefreshTokens documents (docs/ARCHITECTURE.md
            # "Contract with the front channel"): the family revokes this access token with it on reuse.
            token = refresh.issue_redeeming(
                CodeWrite(redeemed, keep), family_id, server_id=config.server.id, client_id=client.client_id,
                user_id=grant.user_id, scopes=grant.scopes, auth_time=grant.auth_time, amr=grant.amr,
                lifetime_minutes=grant.refresh_token_lifetime_minutes,
                window_minutes=grant.refresh_token_window_minutes, now=now, grant_type=self.grant_type,
                access_token=(claims["jti"], datetime.fromtimestamp(int(claims["exp"]), timezone.utc)),
                jkt=dpop_binding(client, request.dpop_jkt))
            if token is None:
                self._lost_race(services, stored)
            body["refresh_token"] = token
        elif not self.codes.redeem(stored, claims["jti"], int(claims["exp"])):
            self._lost_race(services, stored)
        services.holders.note(config.server.id, client.client_id)
        return body

    @staticmethod
    def _binding_failure(client: OAuthClient, stored: StoredCode, params: Mapping[str, str]) -> str | None:
        grant = stored.grant
        if grant.client_id != client.client_id:  # CODE-05
            return OTHER_CLIENT
        if params.get("redirect_uri") != grant.redirect_uri:  # CODE-06: missing or different
            return REDIRECT_MISMATCH
        verifier = params.get("code_verifier")
        if grant.code_challenge is None:
            if verifier is not None:  # PKCE-04: a verifier for a code issued without a challenge
                return PKCE_NOT_EXPECTED
            if client.token_endpoint_auth_method == "none":  # PKCE-08
                return PKCE_FAILED
            return None
        if grant.code_challenge_method != "S256" or not verify_pkce(grant.code_challenge, verifier):
            return PKCE_FAILED  # PKCE-02, PKCE-03, PKCE-05
        return None

    def _lost_race(self, services: OAuthServices, stored: StoredCode) -> NoReturn:
        """Another redemption (or a burn) got there first: this one is a replay of it (CODE-03)."""
        fresh = self.codes.reread(stored)
        if fresh is not None and fresh.state == REDEEMED:
            self._replayed(services, fresh)
        raise InvalidGrantError(INVALID_CODE)

    def _replayed(self, services: OAuthServices, stored: StoredCode) -> None:
        """A redeemed code came back: revoke what it issued (CODE-02)."""
        marked = self.codes.mark_replayed(stored)
        log.warning("authorization code replayed for client %s: revoking the tokens issued from it",
                    stored.grant.client_id)
        if marked.access_jti and marked.access_expires:
            services.revocations.revoke_access_token(
                marked.access_jti, stored.grant.client_id,
                datetime.fromtimestamp(int(marked.access_expires), timezone.utc))
        if marked.refresh_family and self.refresh_tokens is not None:
            self.refresh_tokens.revoke_family(marked.refresh_family)
