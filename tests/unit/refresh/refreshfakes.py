"""In-memory fakes for the refresh-token, password-grant and userinfo unit tests (an importable helper).

``backworld()`` is ``oauthfakes.world()`` plus the back channel: ``RefreshTokens`` over ``FakeStore`` (the
``Store`` protocol in a dict, with a hook to inject a write between a read and a conditional write), a directory
of users and assignments in dicts, clients registered for the password and refresh_token grants, and a rule that
allows ``password`` and ``authorization_code`` for everyone.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from chalicelib.admin.system_objects import system_claims
from chalicelib.domain import ACTIVE, EVERYONE_ID, Group, User, UserAccess
from chalicelib.oauth.context import OAuthRequest
from chalicelib.oauth.directory import Directory
from chalicelib.oauth.grants.client_credentials import ClientCredentialsGrant
from chalicelib.oauth.grants.password import PasswordGrant
from chalicelib.oauth.grants.refresh_token import RefreshTokenGrant
from chalicelib.oauth.refresh_tokens import Family, IssuedToken, RefreshTokens
from chalicelib.storage.grant_documents import family_doc, family_from, pointer_doc, token_from
from chalicelib.oauth.server import OAuthServer
from tests.unit.oauth.oauthfakes import BASE, NOW, World, basic, fake_client, world

PASSWORD = "Corr3ct-Horse"
EVERYONE = Group(id=EVERYONE_ID, name="Everyone", description=None, group_type="BUILT_IN", created=NOW,
                 last_updated=NOW)
NATIVE = basic("native", "native-secret")
OTHER_NATIVE = basic("native2", "native2-secret")


class FakeStore:
    """``refresh_tokens.Store`` in dicts of the stored documents (storage/grant_documents.py). ``before_write`` (if set) runs once before the next conditional write:
    the deterministic interleaving security-checklist H-04 asks for."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str, str], tuple[dict, int]] = {}
        self.tokens: dict[str, dict] = {}  # records of tokens issued before 2026-12-05 (tests put them here)
        self.pointers: dict[str, tuple[str, str]] = {}
        self.before_write: Callable[[], None] | None = None
        self.writes = 0
        self.pointer_expiry: dict[str, int] = {}  # family id -> when its pointers expire (epoch seconds)
        self.reads: list[str] = []  # "token" / "family", in order: what a refresh costs
        self.revocations: Any = None  # the world's revocation list: deleting a family revokes its access tokens

    def _hook(self) -> None:
        hook, self.before_write = self.before_write, None
        if hook is not None:
            hook()

    def create(self, family: Family, code: Any = None) -> bool:
        self._hook()
        key = (family.server_id, family.client_id, family.id)
        if key in self.records or family.id in self.pointers:
            return False
        self.records[key] = (family_doc(family), 1)
        self.pointers[family.id] = (family.server_id, family.client_id)
        self.pointer_expiry[family.id] = pointer_doc(family)["expiresAt"]
        self.writes += 1
        return True

    def rotate(self, family: Family, pointers: bool = True) -> bool:
        self._hook()
        key = (family.server_id, family.client_id, family.id)
        current = self.records.get(key)
        if current is None or current[1] != family.version:
            return False
        self.records[key] = (family_doc(family), family.version + 1)
        if pointers:
            self.pointer_expiry[family.id] = pointer_doc(family)["expiresAt"]
        self.writes += 1
        return True

    def delete(self, server_id: str, client_id: str, family_id: str, user_id: str | None = None,
               revoke: tuple[tuple[str, int], ...] = (), pointer: bool = True) -> None:
        for jti, exp in revoke:  # in the same write, as the real stores do
            self.revocations.revoke_access_token(jti, client_id, datetime.fromtimestamp(exp, timezone.utc))
        self.records.pop((server_id, client_id, family_id), None)
        if pointer:
            self.pointers.pop(family_id, None)
        self.writes += 1

    def legacy_record(self, token_hash: str, token: IssuedToken) -> None:
        """A token's own record, as releases before 2026-12-05 wrote one beside every token."""
        from chalicelib.storage.grant_documents import token_doc

        self.tokens[token_hash] = token_doc(token)

    def token(self, token_hash: str) -> IssuedToken | None:
        self.reads.append("token")
        found = self.tokens.get(token_hash)
        return token_from(found) if found else None

    def family(self, server_id: str, client_id: str, family_id: str) -> Family | None:
        self.reads.append("family")
        found = self.records.get((server_id, client_id, family_id))
        return family_from(dict(found[0]), found[1]) if found else None

    def locate(self, family_id: str) -> tuple[str, str] | None:
        self.reads.append("pointer")
        return self.pointers.get(family_id)

    def user_families(self, user_id: str) -> Iterator[tuple[str, str, str]]:
        for key, (doc, _version) in list(self.records.items()):
            if doc["userId"] == user_id:
                yield key

    def families(self, server_id: str, client_id: str, after: str | None = None) -> Iterator[Family]:
        keys = sorted(k for k in self.records if k[0] == server_id and k[1] == client_id
                      and (after is None or k[2] > after))
        for key in keys:
            if key in self.records:
                yield family_from(dict(self.records[key][0]), self.records[key][1])


def user(user_id: str = "00uAlice0000000000001", login: str = "alice@example.com", status: str = ACTIVE,
         status_changed: datetime | None = None, **profile: str) -> User:
    return User(id=user_id, status=status,
                profile={"login": login, "email": login, "firstName": "Alice", "lastName": "Liddell", **profile},
                created=NOW - timedelta(days=30), last_updated=NOW - timedelta(days=1), status_changed=status_changed,
                password_hash="fake")


@dataclass
class SignIn:
    user: User | None
    reason: str
    locked_user: User | None = None
    attempted: User | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


class FakeUsers:
    """``sign_in`` and ``find`` of ``UserService``; a password is right when it equals ``PASSWORD``. LOCKED_OUT
    and not-ACTIVE users fail like a wrong password (what ``sign_in`` promises)."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.sign_ins: list[str] = []

    def add(self, u: User) -> User:
        self.users[u.id] = u
        return u

    def set(self, user_id: str, **changes: Any) -> User:
        self.users[user_id] = replace(self.users[user_id], **changes)
        return self.users[user_id]

    def find(self, id_or_login: str, consistent: bool = True) -> User | None:
        if id_or_login in self.users:
            return self.users[id_or_login]
        return next((u for u in self.users.values() if u.login == id_or_login), None)

    def sign_in(self, login: str, password: object) -> SignIn:
        self.sign_ins.append(login)
        u = next((x for x in self.users.values() if x.login == login), None)
        right = isinstance(password, str) and hmac.compare_digest(password.encode(), PASSWORD.encode())
        if u is None or not right:
            return SignIn(None, "invalid")
        if u.status != ACTIVE:
            return SignIn(None, "locked" if u.status == "LOCKED_OUT" else "inactive")
        return SignIn(u, "ok")


class FakeAssignments:
    """``access(client_id, user_id)``: the user, Everyone plus its groups, and whether it is assigned; ``member``:
    the same without the assignment."""

    def __init__(self, users: FakeUsers) -> None:
        self.users = users
        self.assigned: set[tuple[str, str]] = set()
        self.groups: dict[str, list[Group]] = {}

    def access(self, client_id: str, user_id: str) -> UserAccess | None:
        u = self.users.users.get(user_id)
        if u is None:
            return None
        return UserAccess(user=u, groups=(EVERYONE, *self.groups.get(user_id, [])),
                          assigned=(client_id, user_id) in self.assigned)

    def member(self, user_id: str) -> UserAccess | None:
        u = self.users.users.get(user_id)
        return None if u is None else UserAccess(user=u, groups=(EVERYONE, *self.groups.get(user_id, [])),
                                                 assigned=False)


class FakeClientFinder:
    def __init__(self, w: World) -> None:
        self.w = w

    def find(self, client_id: str) -> Any:
        return self.w.directory.find(client_id)


@dataclass
class BackWorld:
    w: World
    store: FakeStore
    users: FakeUsers
    assignments: FakeAssignments
    tokens: RefreshTokens
    server: OAuthServer
    alice: User
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def clock(self) -> Any:
        return self.w.clock

    @property
    def services(self) -> Any:
        return self.w.services

    def config(self, server_id: str = "aus_a") -> Any:
        return self.w.config(server_id)

    def set_rule(self, server_id: str = "aus_a", **changes: Any) -> None:
        """Change the only rule's conditions (``grant_types``, ``scopes``, …) or ``actions`` / ``status``."""
        config = self.config(server_id)
        rule = config.rules[0]
        conditions = {k: v for k, v in changes.items() if hasattr(rule.conditions, k)}
        others = {k: v for k, v in changes.items() if k not in conditions}
        config.rules[0] = replace(rule, conditions=replace(rule.conditions, **conditions), **others)
        self.w.services.configs._cache.invalidate(server_id)  # a fresh read, as after the cache period

    def req(self, params: dict, authorization: str | None = NATIVE, server_id: str = "aus_a") -> OAuthRequest:
        return OAuthRequest(server_id=server_id, base_url=BASE, params=params, authorization=authorization)

    def token(self, params: dict, authorization: str | None = NATIVE, server_id: str = "aus_a"):
        return self.server.token(self.req(params, authorization, server_id))

    def password(self, scope: str | None = "openid profile email offline_access", login: str = "alice@example.com",
                 password: str = PASSWORD, authorization: str | None = NATIVE, server_id: str = "aus_a",
                 **extra: str) -> dict:
        params = {"grant_type": "password", "username": login, "password": password, **extra}
        if scope is not None:
            params["scope"] = scope
        return self.token(params, authorization, server_id).body

    def refresh(self, refresh_token: str, authorization: str | None = NATIVE, server_id: str = "aus_a",
                **extra: str) -> dict:
        return self.token({"grant_type": "refresh_token", "refresh_token": refresh_token, **extra}, authorization,
                          server_id).body


def back_channel_server(w: World, directory: Directory | None = None, tokens: RefreshTokens | None = None
                        ) -> OAuthServer:
    """``OAuthServer`` over ``w.services`` with client_credentials and, given a directory and refresh tokens, the
    back channel as the container registers it: the refresh_token and password grants, refresh tokens at
    introspection and revocation, userinfo."""
    server = OAuthServer(w.services)
    server.register_grant(ClientCredentialsGrant())
    if directory is not None and tokens is not None:
        server.register_grant(RefreshTokenGrant(tokens))
        server.register_grant(PasswordGrant(directory, tokens))
        server.register_refresh_tokens(tokens)
        server.register_userinfo(directory)
    return server


def backworld() -> BackWorld:
    w = world()
    w.directory.add(fake_client("native", secret="native-secret",
                                grant_types=("authorization_code", "password", "refresh_token"),
                                client_name="Native App"))
    w.directory.add(fake_client("native2", secret="native2-secret",
                                grant_types=("authorization_code", "password", "refresh_token")))
    w.directory.add(fake_client("pub", token_endpoint_auth_method="none",
                                grant_types=("authorization_code", "password", "refresh_token")))
    w.directory.add(fake_client("norefresh", secret="norefresh-secret", grant_types=("authorization_code", "password")))
    w.directory.add(fake_client("nopassword", secret="nopassword-secret",
                                grant_types=("authorization_code", "refresh_token")))
    store = FakeStore()
    users = FakeUsers()
    alice = users.add(user())
    assignments = FakeAssignments(users)
    for client_id in ("native", "native2", "pub", "norefresh", "nopassword"):
        assignments.assigned.add((client_id, alice.id))
    directory = Directory(users=users, assignments=assignments, clients=FakeClientFinder(w))
    store.revocations = w.revocations
    tokens = RefreshTokens(store, directory, w.clock.now)
    back = BackWorld(w=w, store=store, users=users, assignments=assignments, tokens=tokens,
                     server=back_channel_server(w, directory, tokens), alice=alice)
    for server_id in ("aus_a", "aus_b", "aus_default"):
        back.config(server_id).claims[:] = system_claims()  # Okta's 19 system claims, as on every real server
        back.set_rule(server_id, grant_types=("client_credentials", "authorization_code", "password"))
    return back


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()
