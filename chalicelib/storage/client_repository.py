"""Repository of OAuth clients (the "directory" table, next to the admin API tokens).

==============================  ===========  ==========================================================================
pk                              sk           item
==============================  ===========  ==========================================================================
``CLIENT#{client_id}``          ``CLIENT``   the client (never its secret: only ``secretHash``); listed through
                                             ``gsi1``: ``gsi1pk = CLIENT``, ``gsi1sk = {casefolded name}#{client_id}``
``CLIENTNAME#{casefolded name}`` ``CLIENTNAME``  uniqueness marker of a client name (Okta: "An object with this field
                                             already exists"), written in the same transaction as the client
==============================  ===========  ==========================================================================

The token endpoint reads a client with one GetItem on its ``pk``; the listing is a Query on ``gsi1`` in name order,
so ``q`` (a ``client_name`` prefix) is a ``begins_with`` key condition and paging uses DynamoDB's own cursor.
"""
from __future__ import annotations

from dataclasses import replace

from ..domain import OAuthClient
from ..ports import L_CLIENT, L_NAME, name_key
from ..ports import client_list_key as list_key
from . import mappers
from .base import Repository
from .models import Item
from .transactions import Transaction


CLIENT_SK = "CLIENT"
CLIENT_LIST = "CLIENT"
NAME_SK = "CLIENTNAME"



def client_pk(client_id: str) -> str:
    return f"CLIENT#{client_id}"


def client_id_of(key: str) -> str:
    return key.rpartition("#")[2]


class ClientRepository(Repository):
    STORE = "the directory store"


    # -- reads -------------------------------------------------------------------------------------------------

    def get(self, client_id: str, consistent: bool = True) -> OAuthClient | None:
        """One GetItem. Management reads are strongly consistent; the token path may read eventually consistent
        (half the cost; it caches the result anyway)."""

        def read() -> Item | None:
            try:
                return self._model.get(client_pk(client_id), CLIENT_SK, consistent_read=consistent)
            except self._model.DoesNotExist:
                return None

        item = self._guard(read)
        return mappers.client_from(item.doc, item.version) if item else None

    def page(self, prefix: str, limit: int, after: str | None) -> tuple[list[OAuthClient], str | None]:
        """Up to ``limit`` clients in name order whose name key starts with ``prefix``, after the list key
        ``after``; and the list key to continue from when more follow."""
        condition = self._model.gsi1sk.startswith(prefix) if prefix else None
        start = None
        if after:
            start = {"gsi1pk": {"S": CLIENT_LIST}, "gsi1sk": {"S": after},
                     "pk": {"S": client_pk(client_id_of(after))}, "sk": {"S": CLIENT_SK}}

        def query() -> list[Item]:
            return list(self._model.gsi1.query(CLIENT_LIST, condition, limit=limit + 1, page_size=limit + 1,
                                               last_evaluated_key=start))

        items = self._guard(query)
        clients = [mappers.client_from(i.doc, i.version) for i in items[:limit]]
        more = len(items) > limit
        return clients, (list_key(clients[-1]) if more and clients else None)

    # -- writes ------------------------------------------------------------------------------------------------

    def _client_item(self, client: OAuthClient, version: int | None) -> Item:
        item = self._model(client_pk(client.client_id), CLIENT_SK, doc=mappers.client_doc(client),
                           gsi1pk=CLIENT_LIST, gsi1sk=list_key(client))
        if version is not None:
            item.version = version
        return item

    def _name_item(self, client: OAuthClient) -> Item:
        return self._model(f"CLIENTNAME#{name_key(client.client_name)}", NAME_SK, doc={"clientId": client.client_id})

    def _tx(self) -> Transaction:
        return Transaction(self._model, self._connection)

    def create(self, client: OAuthClient) -> OAuthClient:
        tx = self._tx()
        tx.put(self._client_item(client, None), L_CLIENT)
        tx.put(self._name_item(client), L_NAME)
        tx.commit()
        return replace(client, version=1)

    def replace(self, old: OAuthClient, new: OAuthClient) -> OAuthClient:
        """Save ``new`` if the stored client is still at ``old.version``; move the name marker on a rename."""
        tx = self._tx()
        tx.put(self._client_item(new, old.version), L_CLIENT)
        if name_key(new.client_name) != name_key(old.client_name):
            tx.delete(self._name_item(old), L_NAME, check_version=False)
            tx.put(self._name_item(new), L_NAME)
        tx.commit()
        return replace(new, version=(old.version or 0) + 1)

    def delete(self, client: OAuthClient) -> None:
        tx = self._tx()
        tx.delete(self._client_item(client, client.version), L_CLIENT)
        tx.delete(self._name_item(client), L_NAME, check_version=False)
        tx.commit()
