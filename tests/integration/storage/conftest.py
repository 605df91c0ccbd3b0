"""Storage integration fixtures: the same moto world as the API tests (see ``worldfixtures``)."""
from tests.integration.api.worldfixtures import (  # noqa: F401 - fixtures
    admin_token,
    client,
    clock,
    container,
    default_ids,
    other,
    repo,
    world,
)
