"""Table creation for the local stack and tests. In AWS the tables come from ``infra/``, never from code."""
from __future__ import annotations

from .models import Item


def ensure_table(model: type[Item], ttl_attribute: str | None = None) -> bool:
    """Create the model's table with its listing index unless it exists (idempotent); True when it created it."""
    if model.exists():
        return False
    model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
    if ttl_attribute:
        model._get_connection().connection.update_time_to_live(model.Meta.table_name, ttl_attribute)
    return True
