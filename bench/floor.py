"""The primitives flows' floors are made of, measured in the same run as the flows (issue 20, "Each flow's floor"):

* one RS256 signature: PyJWT ``jwt.encode`` with an already-parsed RSA-2048 key (what ``keys/jws.sign`` calls);
* one RS256 verification: PyJWT ``jwt.decode`` with an already-parsed public key, audience checked;
* one Argon2id check at the stored parameters (argon2-cffi ``PasswordHasher.verify``);
* one DynamoDB call of each kind, made with a bare botocore client against the same local DynamoDB (a scratch
  table of this run): the client-side CPU a design pays per call, whatever library makes it;
* the read of a whole server's configuration (``Query config``): the very Query the design makes (the server's
  partition of the configuration table, strongly consistent, every page), made with a bare botocore client: a
  one-item Query does not price a read that must bring back the server's scopes, claims, policies, rules and keys;
* per flow, a minimal Chalice function that answers each of the flow's invocations with the very response the app
  gave (same status, headers, body; JSON bodies serialized again): what any handler must spend to be invoked and to
  answer.

CPU time of this thread (``time.thread_time``), so moto's server threads, which answer the DynamoDB calls, are not
charged. The primitives a flow's floor is made of are measured again right after the flow (``FloorPrimitives``): the
machine's speed drifts over a run by more than the margins the ratios are judged by.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Any, Callable

from bench.apigw import LambdaContext
from bench.flows import Floor, Primitives
from bench.gateway import Reply


def cpu_us(call: Callable[[], Any], seconds: float = 0.3, least: int = 5) -> float:
    clock, cpu = time.perf_counter, time.thread_time
    n = 0
    started, cpu_started = clock(), cpu()
    while n < least or clock() - started < seconds:
        call()
        n += 1
    return (cpu() - cpu_started) / n * 1e6


class FloorPrimitives:
    """The floor's primitives, measured again right after each flow (``measure``): a flow's ratio then compares CPU
    figures taken within seconds of each other, not minutes apart, while the machine's speed drifts (the scratch
    table lives until ``close``)."""

    def __init__(self, claims: dict[str, Any], kid: str, endpoint: str, region: str,
                 config: tuple[str, str] | None = None) -> None:
        """``config``: the configuration table and the partition key of the flows' server, for ``Query config``."""
        import boto3
        import jwt
        from argon2 import PasswordHasher
        from cryptography.hazmat.primitives.asymmetric import rsa

        from chalicelib.admin.passwords import hash_password

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = key.public_key()
        headers = {"kid": kid, "typ": None}
        token = jwt.encode(claims, key, algorithm="RS256", headers=headers)
        audience = claims.get("aud")
        stored = hash_password("Floor-Passw0rd-1")
        hasher = PasswordHasher()
        self.sign = lambda: jwt.encode(claims, key, algorithm="RS256", headers=headers)
        self.verify = lambda: jwt.decode(token, public, algorithms=["RS256"], audience=audience,
                                         options={"verify_exp": False})
        self.hash = lambda: hasher.verify(stored, "Floor-Passw0rd-1")
        self.client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region)
        self.table = f"bench-floor-{uuid.uuid4().hex[:8]}"
        self.calls = dynamodb_calls(self.client, self.table)
        if config is not None:
            self.calls["Query config"] = config_query(self.client, *config)

    def measure(self, floor: Floor | None = None, previous: Primitives | None = None) -> Primitives:
        """Every primitive (``floor`` None), or those ``floor`` is made of, the others kept from ``previous``."""
        if floor is None or previous is None:
            return Primitives(sign_us=cpu_us(self.sign, 0.6), verify_us=cpu_us(self.verify, 0.4),
                              hash_us=cpu_us(self.hash, 0.3, least=8),
                              call_us={name: cpu_us(call, 0.25) for name, call in self.calls.items()})
        return Primitives(
            sign_us=cpu_us(self.sign, 0.3) if floor.signs else previous.sign_us,
            verify_us=cpu_us(self.verify, 0.3) if floor.verifies else previous.verify_us,
            hash_us=cpu_us(self.hash, 0.3, least=8) if floor.hashes else previous.hash_us,
            call_us={**previous.call_us, **{name: cpu_us(self.calls[name], 0.25) for name, _n in floor.calls}})

    def close(self) -> None:
        self.client.delete_table(TableName=self.table)


def dynamodb_calls(client: Any, table: str) -> dict[str, Callable[[], Any]]:
    """One call of each kind on a scratch table (created here; ``FloorPrimitives.close`` deletes it)."""
    client.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    item = {"pk": {"S": "p"}, "sk": {"S": "s"}, "data": {"S": "x" * 600}, "n": {"N": "1"}}
    client.put_item(TableName=table, Item=item)
    # New items go to another partition: the Query keeps reading one item, however often the writes are measured.
    item = {**item, "pk": {"S": "w"}}
    counter = iter(range(10 ** 9))
    key = {"pk": {"S": "p"}, "sk": {"S": "s"}}
    calls: dict[str, Callable[[], Any]] = {
        "GetItem": lambda: client.get_item(TableName=table, Key=key),
        "Query": lambda: client.query(TableName=table, KeyConditionExpression="pk = :p",
                                      ExpressionAttributeValues={":p": {"S": "p"}}),
        "PutItem": lambda: client.put_item(TableName=table, Item={**item, "sk": {"S": f"s{next(counter)}"}},
                                           ConditionExpression="attribute_not_exists(pk)"),
        "UpdateItem": lambda: client.update_item(
            TableName=table, Key=key, UpdateExpression="SET n = n + :one", ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW"),
        "DeleteItem": lambda: client.delete_item(TableName=table, Key={"pk": {"S": "p"}, "sk": {"S": "none"}}),
        "TransactWriteItems": lambda: client.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key, "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": {**item, "sk": {"S": f"t{next(counter)}"}}}}]),
        "BatchWriteItem": lambda: client.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {**item, "sk": {"S": f"b{next(counter)}"}}}}]}),
    }
    for call in calls.values():
        call()
    return calls


def config_query(client: Any, table: str, partition: str) -> Callable[[], int]:
    """Reading one server's whole configuration partition with a bare client (every page)."""
    paginator = client.get_paginator("query")

    def read() -> int:
        return sum(page["Count"] for page in paginator.paginate(
            TableName=table, KeyConditionExpression="pk = :p", ConsistentRead=True,
            ExpressionAttributeValues={":p": {"S": partition}}))

    if read() < 2:
        raise SystemExit(f"Query config: the partition {partition} of {table} holds no configuration")
    return read


def minimal_function_us(recorded: list[tuple[dict[str, Any], Reply]]) -> float:
    """CPU per operation of a minimal Chalice app that answers each recorded invocation with its recorded reply."""
    from chalice.app import Chalice, Response

    app = Chalice(app_name="floor")
    app.api.binary_types = []  # as app.py configures it: the cheapest Chalice set-up
    routes: dict[tuple[str, str], Reply] = {(event["resource"], event["httpMethod"]): reply
                                            for event, reply in recorded}
    for (resource, method), reply in routes.items():
        app.route(resource, methods=[method], content_types=["*/*"],
                  name=f"r{len(app.routes)}_{method}")(_answer(reply))
    context = LambdaContext()
    events = [event for event, _reply in recorded]

    for event, reply in recorded:
        got = app(event, context)["statusCode"]
        if got != reply.status:
            raise SystemExit(f"the minimal function answered {got} where the app answered {reply.status}")

    def once() -> None:
        for event in events:
            app(event, context)

    return cpu_us(once, 0.3)


def _answer(reply: Reply) -> Callable[..., Any]:
    from chalice.app import Response

    kept: dict[str, str | list[str]] = {k: v for k, v in reply.headers.items()
                                        if k.lower() in ("content-type", "location", "cache-control")}
    try:
        body: Any = json.loads(reply.body) if reply.body and reply.body[0] in "[{" else reply.body
    except ValueError:
        body = reply.body

    def view(**_params: str) -> Any:
        return Response(body=body, status_code=reply.status, headers=kept)

    return view
