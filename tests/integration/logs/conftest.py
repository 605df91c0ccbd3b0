"""System Log integration fixtures (see ``worldfixtures``)."""
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
