"""The directory in memory (ports.ApiTokenStore, ClientStore, UserStore, DirectoryGroups): the same items,
markers, mirrored links and listing order as the DynamoDB repositories, on a ``Table``."""
from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Iterator

from ...domain import ApiToken, AppGroupAssignment, AppUserAssignment, Group, OAuthClient, User
from ...ports import (
    L_APP,
    L_ASSIGNMENT,
    L_CLIENT,
    L_GROUP,
    L_LOGIN,
    L_MEMBER,
    L_NAME,
    L_USER,
    UserPartition,
    client_list_key,
    group_list_key,
    login_key,
    name_key,
    user_list_key,
)
from .. import mappers
from .table import Delete, Op, Put, Record, Require, Table


class MemoryApiTokens:
    def __init__(self, table: Table) -> None:
        self._t = table

    def find_by_hash(self, token_hash: str) -> ApiToken | None:
        found = self._t.get(f"APITOKEN#{token_hash}", "APITOKEN")
        return mappers.api_token_from(found.doc) if found else None

    def list(self) -> list[ApiToken]:
        return [mappers.api_token_from(r.doc) for _, r in self._t.index("APITOKEN")]

    def get(self, token_id: str) -> ApiToken | None:
        found = [r for key, r in self._t.index("APITOKEN") if key == token_id]
        return mappers.api_token_from(found[0].doc) if found else None

    def add(self, token: ApiToken) -> None:
        self._t.write([Put(f"APITOKEN#{token.token_hash}", "APITOKEN", mappers.api_token_doc(token), "token",
                           gsi1=("APITOKEN", token.id))])

    def remove(self, token: ApiToken) -> None:
        self._t.write([Delete(f"APITOKEN#{token.token_hash}", "APITOKEN", "token")])


class MemoryClients:
    def __init__(self, table: Table) -> None:
        self._t = table

    def get(self, client_id: str, consistent: bool = True) -> OAuthClient | None:
        found = self._t.get(f"CLIENT#{client_id}", "CLIENT")
        return mappers.client_from(found.doc, found.version) if found else None

    def page(self, prefix: str, limit: int, after: str | None) -> tuple[list[OAuthClient], str | None]:
        items = self._t.index("CLIENT", prefix, after)[:limit + 1]
        clients = [mappers.client_from(r.doc, r.version) for _, r in items[:limit]]
        more = len(items) > limit
        return clients, (client_list_key(clients[-1]) if more and clients else None)

    @staticmethod
    def _client(client: OAuthClient, version: int | None) -> Put:
        return Put(f"CLIENT#{client.client_id}", "CLIENT", mappers.client_doc(client), L_CLIENT, version,
                   gsi1=("CLIENT", client_list_key(client)))

    @staticmethod
    def _name(client: OAuthClient) -> tuple[str, str]:
        return f"CLIENTNAME#{name_key(client.client_name)}", "CLIENTNAME"

    def create(self, client: OAuthClient) -> OAuthClient:
        self._t.write([self._client(client, None), Put(*self._name(client), {"clientId": client.client_id}, L_NAME)])
        return replace(client, version=1)

    def replace(self, old: OAuthClient, new: OAuthClient) -> OAuthClient:
        ops: list[Op] = [self._client(new, old.version)]
        if name_key(new.client_name) != name_key(old.client_name):
            ops += [Delete(*self._name(old), L_NAME), Put(*self._name(new), {"clientId": new.client_id}, L_NAME)]
        self._t.write(ops)
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, client: OAuthClient) -> None:
        self._t.write([Delete(f"CLIENT#{client.client_id}", "CLIENT", L_CLIENT, client.version, check_version=True),
                       Delete(*self._name(client), L_NAME)])


def _user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def _group_pk(group_id: str) -> str:
    return f"GROUP#{group_id}"


def _app_pk(client_id: str) -> str:
    return f"APP#{client_id}"


def _batch(table: Table, pk: str, sk: str, ids: Iterable[str]) -> list[Record]:
    return [r for r in (table.get(pk.format(i), sk) for i in dict.fromkeys(ids)) if r is not None]


class MemoryUsers:
    def __init__(self, table: Table) -> None:
        self._t = table

    def get(self, user_id: str, consistent: bool = True) -> User | None:
        found = self._t.get(_user_pk(user_id), "USER")
        return mappers.user_from(found.doc, found.version) if found else None

    def get_by_login(self, login: str, consistent: bool = True) -> User | None:
        marker = self._t.get(f"USERLOGIN#{login_key(login)}", "USERLOGIN")
        user = self.get(marker.doc["userId"]) if marker else None
        return user if user and login_key(user.login) == login_key(login) else None

    def batch_get(self, user_ids: Iterable[str]) -> dict[str, User]:
        users = [mappers.user_from(r.doc, r.version) for r in _batch(self._t, "USER#{}", "USER", user_ids)]
        return {u.id: u for u in users}

    def scan(self, after: str | None) -> Iterator[tuple[str, User]]:
        for key, r in self._t.index("USER", after=after):
            yield key, mappers.user_from(r.doc, r.version)

    def partition(self, user_id: str) -> UserPartition | None:
        items = self._t.query(_user_pk(user_id))
        user = next((mappers.user_from(r.doc, r.version) for sk, r in items if sk == "USER"), None)
        if user is None:
            return None
        return UserPartition(user=user,
                             group_ids=tuple(sk[6:] for sk, _ in items if sk.startswith("GROUP#")),
                             client_ids=tuple(sk[4:] for sk, _ in items if sk.startswith("APP#")))

    def group_ids(self, user_id: str) -> list[str]:
        return [sk[6:] for sk, _ in self._t.query(_user_pk(user_id), "GROUP#")]

    @staticmethod
    def _user(user: User, version: int | None) -> Put:
        return Put(_user_pk(user.id), "USER", mappers.user_doc(user), L_USER, version,
                   gsi1=("USER", user_list_key(user)))

    @staticmethod
    def _login(login: str, user_id: str) -> Put:
        return Put(f"USERLOGIN#{login_key(login)}", "USERLOGIN", {"userId": user_id}, L_LOGIN)

    def create(self, user: User, group_ids: Iterable[str] = ()) -> User:
        group_ids = list(group_ids)
        ops: list[Op] = [Require(_group_pk(g), "GROUP", L_GROUP) for g in group_ids]
        ops += [self._user(user, None), self._login(user.login, user.id)]
        for g in group_ids:
            ops += [Put(_user_pk(user.id), f"GROUP#{g}", {"groupId": g}, L_MEMBER),
                    Put(_group_pk(g), f"USER#{user.id}", {"userId": user.id}, L_MEMBER)]
        self._t.write(ops)
        return replace(user, version=1)

    def replace(self, old: User, new: User, clear_sign_ins: bool = False) -> User:
        ops: list[Op] = [self._user(new, old.version)]
        if clear_sign_ins:
            ops.append(Delete(_user_pk(new.id), "SIGNIN", L_USER))
        if login_key(new.login) != login_key(old.login):
            ops += [Delete(f"USERLOGIN#{login_key(old.login)}", "USERLOGIN", L_LOGIN), self._login(new.login, new.id)]
        self._t.write(ops)
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, user: User) -> None:
        self._t.write([Delete(_user_pk(user.id), "USER", L_USER, user.version, check_version=True),
                       Delete(f"USERLOGIN#{login_key(user.login)}", "USERLOGIN", L_LOGIN)])
        for sk in self._t.sweep(_user_pk(user.id)):
            if sk.startswith("GROUP#"):
                self._t.write([Delete(_group_pk(sk[6:]), f"USER#{user.id}", L_MEMBER)])
            elif sk.startswith("APP#"):
                self._t.write([Delete(_app_pk(sk[4:]), f"USER#{user.id}", L_ASSIGNMENT)])

    def reserve_sign_in(self, user_id: str, at: str, limit: int) -> int | None:
        return self._t.add(_user_pk(user_id), "SIGNIN", {"lastFailure": at}, below=limit)

    def failed_sign_ins(self, user_id: str) -> int:
        found = self._t.get(_user_pk(user_id), "SIGNIN")
        return found.version if found else 0

    def clear_failed_sign_ins(self, user_id: str) -> None:
        self._t.write([Delete(_user_pk(user_id), "SIGNIN", L_USER)])


class MemoryGroups:
    """Groups, memberships and app assignments (ports.DirectoryGroups)."""

    def __init__(self, table: Table) -> None:
        self._t = table

    def get(self, group_id: str) -> Group | None:
        found = self._t.get(_group_pk(group_id), "GROUP")
        return mappers.group_from(found.doc, found.version) if found else None

    def batch_get(self, group_ids: Iterable[str]) -> dict[str, Group]:
        groups = [mappers.group_from(r.doc, r.version) for r in _batch(self._t, "GROUP#{}", "GROUP", group_ids)]
        return {g.id: g for g in groups}

    def scan(self, prefix: str, after: str | None) -> Iterator[tuple[str, Group]]:
        for key, r in self._t.index("GROUP", after=after):
            if prefix and not key.startswith(prefix):
                if key > prefix:
                    return
                continue
            yield key, mappers.group_from(r.doc, r.version)

    @staticmethod
    def _group(group: Group, version: int | None) -> Put:
        return Put(_group_pk(group.id), "GROUP", mappers.group_doc(group), L_GROUP, version,
                   gsi1=("GROUP", group_list_key(group)))

    @staticmethod
    def _name(group: Group) -> tuple[str, str]:
        return f"GROUPNAME#{name_key(group.name)}", "GROUPNAME"

    def create(self, group: Group) -> Group:
        self._t.write([self._group(group, None), Put(*self._name(group), {"groupId": group.id}, L_NAME)])
        return replace(group, version=1)

    def replace(self, old: Group, new: Group) -> Group:
        ops: list[Op] = [self._group(new, old.version)]
        if name_key(new.name) != name_key(old.name):
            ops += [Delete(*self._name(old), L_NAME), Put(*self._name(new), {"groupId": new.id}, L_NAME)]
        self._t.write(ops)
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, group: Group) -> None:
        for sk, _ in self._t.query(_group_pk(group.id), "APP#"):
            self._t.write([Delete(_app_pk(sk[4:]), f"GROUP#{group.id}", L_ASSIGNMENT),
                           Delete(_group_pk(group.id), sk, L_ASSIGNMENT)])
        self._t.write([Delete(_group_pk(group.id), "GROUP", L_GROUP, group.version, check_version=True),
                       Delete(*self._name(group), L_NAME)])
        for sk in self._t.sweep(_group_pk(group.id)):
            if sk.startswith("USER#"):
                self._t.write([Delete(_user_pk(sk[5:]), f"GROUP#{group.id}", L_MEMBER)])
            elif sk.startswith("APP#"):
                self._t.write([Delete(_app_pk(sk[4:]), f"GROUP#{group.id}", L_ASSIGNMENT)])

    # -- memberships -----------------------------------------------------------------------------------------------

    def add_member(self, group_id: str, user_id: str) -> None:
        self._t.write([Require(_user_pk(user_id), "USER", L_USER), Require(_group_pk(group_id), "GROUP", L_GROUP),
                       Put(_user_pk(user_id), f"GROUP#{group_id}", {"groupId": group_id}, L_MEMBER),
                       Put(_group_pk(group_id), f"USER#{user_id}", {"userId": user_id}, L_MEMBER)])

    def remove_member(self, group_id: str, user_id: str) -> None:
        self._t.write([Delete(_user_pk(user_id), f"GROUP#{group_id}", L_MEMBER),
                       Delete(_group_pk(group_id), f"USER#{user_id}", L_MEMBER)])

    def member_ids(self, group_id: str, after: str | None, limit: int) -> list[str]:
        items = self._t.query(_group_pk(group_id), "USER#", f"USER#{after}" if after else None)
        return [sk[5:] for sk, _ in items[:limit]]

    # -- app assignments -------------------------------------------------------------------------------------------

    def get_app_user(self, client_id: str, user_id: str) -> AppUserAssignment | None:
        found = self._t.get(_app_pk(client_id), f"USER#{user_id}")
        return mappers.app_user_from(found.doc, found.version) if found else None

    def app_users(self, client_id: str, after: str | None, limit: int) -> list[AppUserAssignment]:
        items = self._t.query(_app_pk(client_id), "USER#", f"USER#{after}" if after else None)
        return [mappers.app_user_from(r.doc, r.version) for _, r in items[:limit]]

    def save_app_user(self, assignment: AppUserAssignment, existing: AppUserAssignment | None) -> AppUserAssignment:
        a = assignment
        ops: list[Op] = [Require(f"CLIENT#{a.client_id}", "CLIENT", L_APP), Require(_user_pk(a.user_id), "USER", L_USER),
                         Put(_app_pk(a.client_id), f"USER#{a.user_id}", mappers.app_user_doc(a), L_ASSIGNMENT,
                             existing.version if existing else None)]
        if existing is None:
            ops.append(Put(_user_pk(a.user_id), f"APP#{a.client_id}", {"clientId": a.client_id}, L_ASSIGNMENT))
        self._t.write(ops)
        return replace(a, version=(existing.version or 0) + 1 if existing else 1)

    def remove_app_user(self, client_id: str, user_id: str) -> None:
        self._t.write([Delete(_app_pk(client_id), f"USER#{user_id}", L_ASSIGNMENT),
                       Delete(_user_pk(user_id), f"APP#{client_id}", L_ASSIGNMENT)])

    def get_app_group(self, client_id: str, group_id: str) -> AppGroupAssignment | None:
        found = self._t.get(_app_pk(client_id), f"GROUP#{group_id}")
        return mappers.app_group_from(found.doc, found.version) if found else None

    def app_groups(self, client_id: str) -> list[AppGroupAssignment]:
        return [mappers.app_group_from(r.doc, r.version) for _, r in self._t.query(_app_pk(client_id), "GROUP#")]

    def assigned_group_ids(self, client_id: str) -> set[str]:
        return {a.group_id for a in self.app_groups(client_id)}

    def save_app_group(self, assignment: AppGroupAssignment, existing: AppGroupAssignment | None,
                       group: Group | None) -> AppGroupAssignment:
        a = assignment
        ops: list[Op] = [Require(f"CLIENT#{a.client_id}", "CLIENT", L_APP)]
        if group is not None:
            ops.append(self._group(group, group.version))
        ops.append(Put(_app_pk(a.client_id), f"GROUP#{a.group_id}", mappers.app_group_doc(a), L_ASSIGNMENT,
                       existing.version if existing else None))
        if existing is None and group is not None:
            ops.append(Put(_group_pk(group.id), f"APP#{a.client_id}", {"clientId": a.client_id}, L_ASSIGNMENT))
        self._t.write(ops)
        return replace(a, version=(existing.version or 0) + 1 if existing else 1)

    def remove_app_group(self, client_id: str, group_id: str) -> None:
        self._t.write([Delete(_app_pk(client_id), f"GROUP#{group_id}", L_ASSIGNMENT),
                       Delete(_group_pk(group_id), f"APP#{client_id}", L_ASSIGNMENT)])
