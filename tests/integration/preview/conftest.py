"""Token preview integration fixtures: the management-API world (one moto world per module, reset after every
test; see ``tests/integration/api/worldfixtures.py``) and the root ``api`` fixture on top of it."""
from tests.integration.api.worldfixtures import (  # noqa: F401 - fixtures
    admin_token,
    client,
    clock,
    container,
    default_ids,
    world,
)
