"""The authorization_code grant with in-memory fakes (no AWS): CODE-03 (concurrent redemptions: exactly one wins,
the losers count as replays and revoke the winner's tokens; pinned, H-04 interleaving injected between read and
conditional write), CODE-02 with a refresh family, and the refresh-token contract (the grant's ``refresh_tokens``)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import jwt
import pytest

from chalicelib.domain import ACTIVE, BUILT_IN, EVERYONE_ID, Group, User, UserAccess
from chalicelib.oauth.codes import CodeGrant, Codes, s256
from chalicelib.oauth.errors import InvalidGrantError
from chalicelib.oauth.grants import GrantRequest
from chalicelib.oauth.grants.authorization_code import AuthorizationCodeGrant
from frontfakes import MemoryGrants
from tests.unit.oauth.oauthfakes import NOW, fake_client, world

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CB = "https://app.example/cb"


@dataclass
class Refresh:
    """The back channel's contract: ``issue(...) -> (token, family)``, ``issue_redeeming(code, family, ...)`` (the
    code's write and the family's in one step: here the code store's conditional write, then the record),
    ``revoke_family(family)``."""

    codes: MemoryGrants
    issued: list[dict] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)

    def issue(self, **kwargs):
        self.issued.append(kwargs)
        return f"rt-{len(self.issued)}", f"fam-{len(self.issued)}"

    def issue_redeeming(self, code, family_id: str, **kwargs):
        if not self.codes.update_code(code.code, code.keep_until):
            return None
        self.issued.append({**kwargs, "family_id": family_id})
        return f"rt-{len(self.issued)}"

    def revoke_family(self, family_id: str) -> None:
        self.revoked.append(family_id)


class Access:
    def __init__(self) -> None:
        self.user = User(id="00u1", status=ACTIVE, profile={"login": "a@example.com", "email": "a@example.com",
                                                            "firstName": "A", "lastName": "B"},
                         created=NOW, last_updated=NOW)
        self.assigned = True

    def access(self, client_id: str, user_id: str) -> UserAccess | None:
        everyone = Group(id=EVERYONE_ID, name="Everyone", description=None, group_type=BUILT_IN, created=NOW,
                         last_updated=NOW)
        return UserAccess(user=self.user, groups=(everyone,), assigned=self.assigned)


@pytest.fixture
def w():
    return world()


@pytest.fixture
def store() -> MemoryGrants:
    return MemoryGrants()


@pytest.fixture
def refresh(store) -> Refresh:
    return Refresh(store)


@pytest.fixture
def access() -> Access:
    return Access()


@pytest.fixture
def grant(w, store, access, refresh) -> AuthorizationCodeGrant:
    return AuthorizationCodeGrant(Codes(store, w.clock.now), access, refresh)


CLIENT = fake_client("web", secret="s", grant_types=("authorization_code", "refresh_token"))


def issue(grant_, w, scopes=("openid", "offline_access")) -> str:
    return grant_.codes.issue(CodeGrant(server_id="aus_a", client_id="web", redirect_uri=CB, user_id="00u1",
                                        scopes=scopes, auth_time=int(NOW.timestamp()), nonce="n",
                                        code_challenge=s256(VERIFIER), code_challenge_method="S256"))


def request(w, code: str, client=CLIENT) -> GrantRequest:
    config, read_at = w.services.configs.active("aus_a")
    return GrantRequest(config=config, config_read_at=read_at, issuer="https://tokenmint.test/oauth2/aus_a",
                        client=client, params={"grant_type": "authorization_code", "code": code, "redirect_uri": CB,
                                               "code_verifier": VERIFIER})


def test_a_redemption_issues_access_id_and_refresh_tokens_via_the_contract(grant, w, refresh):
    body = grant.handle(w.services, request(w, issue(grant, w)))
    assert body["refresh_token"] == "rt-1" and body["id_token"] and body["scope"] == "openid offline_access"
    issued = refresh.issued[0]
    assert issued["server_id"] == "aus_a" and issued["client_id"] == "web" and issued["user_id"] == "00u1"
    assert issued["scopes"] == ("openid", "offline_access") and issued["amr"] == ("pwd",)
    assert issued["lifetime_minutes"] == 0 and issued["window_minutes"] == 10080 and issued["now"] == w.clock.now()
    assert issued["family_id"].startswith("oar")


def test_no_refresh_token_without_offline_access_or_the_grant(grant, w):
    assert "refresh_token" not in grant.handle(w.services, request(w, issue(grant, w, scopes=("openid",))))
    no_grant = replace(CLIENT, grant_types=("authorization_code",))
    assert "refresh_token" not in grant.handle(w.services, request(w, issue(grant, w), client=no_grant))
    grant = AuthorizationCodeGrant(grant.codes, grant.assignments)  # the back channel not configured
    assert "refresh_token" not in grant.handle(w.services, request(w, issue(grant, w)))


def test_code02_replay_revokes_the_access_token_and_the_family(grant, w, refresh):
    code = issue(grant, w)
    body = grant.handle(w.services, request(w, code))
    with pytest.raises(InvalidGrantError):
        grant.handle(w.services, request(w, code))
    assert _jti(body["access_token"]) in w.revocations.revoked
    assert refresh.revoked == [refresh.issued[0]["family_id"]]


def _jti(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["jti"]


def test_code03_concurrent_redemptions_one_wins_and_is_then_revoked(grant, w, store, refresh):
    """The second redemption reads ISSUED too, and redeems between the first one's read and write."""
    code = issue(grant, w)
    results: dict[str, object] = {}

    def interleave() -> None:
        try:
            results["second"] = grant.handle(w.services, request(w, code))
        except InvalidGrantError as exc:
            results["second"] = exc

    store.before_code_write = interleave
    with pytest.raises(InvalidGrantError):
        grant.handle(w.services, request(w, code))
    winner = results["second"]
    assert isinstance(winner, dict) and winner["access_token"]
    # pinned: the loser counts as a replay, so the winner's tokens are revoked (CODE-03 with CODE-02)
    assert _jti(winner["access_token"]) in w.revocations.revoked
    assert refresh.revoked == [refresh.issued[0]["family_id"]] and len(refresh.issued) == 1


def test_code08_user_no_longer_assigned_burns_the_code(grant, w, access):
    code = issue(grant, w)
    access.assigned = False
    with pytest.raises(InvalidGrantError, match="no longer"):
        grant.handle(w.services, request(w, code))
    access.assigned = True
    with pytest.raises(InvalidGrantError, match="invalid or has expired"):
        grant.handle(w.services, request(w, code))
