"""Trusted origins through the official Okta SDK against the running local stack: create, get, list with ``q``,
``filter`` and paging, replace, deactivate, activate, delete; errors the SDK raises as ``OktaAPIError``. Every
response must be one the SDK deserializes into its ``TrustedOrigin`` model."""
from __future__ import annotations

import asyncio
import uuid

from okta import models
from okta.pagination import paginate_all

from e2e_support import causes, enum_value, expect, expect_error, not_found_summary


def write(name: str, origin: str, *types: str) -> models.TrustedOriginWrite:
    return models.TrustedOriginWrite.from_dict({"name": name, "origin": origin,
                                                "scopes": [{"type": t} for t in types or ("CORS",)]})


def test_the_sdk_manages_trusted_origins(okta_client):
    tag = uuid.uuid4().hex[:8]
    created = expect(200, okta_client.create_trusted_origin(write(f"sdk-{tag}", f"https://{tag}.example.com",
                                                                  "CORS", "REDIRECT")))
    try:
        assert isinstance(created, models.TrustedOrigin)
        assert (created.name, created.origin, enum_value(created.status)) == (f"sdk-{tag}", f"https://{tag}.example.com",
                                                                            "ACTIVE")
        assert [enum_value(s.type) for s in created.scopes] == ["CORS", "REDIRECT"]
        assert created.created is not None and created.links is not None

        got = expect(200, okta_client.get_trusted_origin(created.id))
        assert got.id == created.id and got.origin == created.origin

        listed = expect(200, okta_client.list_trusted_origins(q=f"sdk-{tag}"))
        assert [o.id for o in listed] == [created.id]
        cors_only = expect(200, okta_client.list_trusted_origins(filter=f'name eq "sdk-{tag}" and type eq "CORS"'))
        assert [o.id for o in cors_only] == [created.id]

        replaced = expect(200, okta_client.replace_trusted_origin(
            created.id, models.TrustedOrigin.from_dict({"name": f"sdk-{tag}-v2", "origin": f"http://localhost:{4000}",
                                                        "scopes": [{"type": "REDIRECT"}]})))
        assert (replaced.name, replaced.origin) == (f"sdk-{tag}-v2", "http://localhost:4000")

        off = expect(200, okta_client.deactivate_trusted_origin(created.id))
        assert enum_value(off.status) == "INACTIVE"
        on = expect(200, okta_client.activate_trusted_origin(created.id))
        assert enum_value(on.status) == "ACTIVE"
    finally:
        expect(204, okta_client.delete_trusted_origin(created.id))
    err = expect_error(404, "E0000007", okta_client.get_trusted_origin(created.id))
    assert err.error_summary == not_found_summary(created.id, "TrustedOrigin")


def test_the_sdk_pages_through_trusted_origins(okta_client):
    tag = uuid.uuid4().hex[:8]
    ids = [expect(200, okta_client.create_trusted_origin(write(f"page-{tag}-{i}", f"https://p{i}-{tag}.example")))
           .id for i in range(3)]
    try:
        async def every() -> list[str]:
            return [o.id async for o in paginate_all(okta_client.list_trusted_origins, q=f"page-{tag}", limit=2)]

        seen = asyncio.run(every())  # pages of two, following the Link header's next cursor
        assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen)) == 3, seen
    finally:
        for oid in ids:
            expect(204, okta_client.delete_trusted_origin(oid))


def test_the_sdk_sees_okta_s_validation_errors(okta_client):
    tag = uuid.uuid4().hex[:8]
    err = expect_error(400, "E0000001", okta_client.create_trusted_origin(
        write(f"bad-{tag}", f"https://{tag}.example.com/path")))
    assert [c.split(":")[0] for c in causes(err)] == ["origin"]
