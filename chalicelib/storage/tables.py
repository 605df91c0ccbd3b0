"""Table creation for the local stack and tests. In AWS the tables come from ``infra/``, never from code."""
from __future__ import annotations

from .models import Item


def ensure_table(model: type[Item]) -> None:
    """Create the model's table with its listing index unless it exists (idempotent)."""
    if not model.exists():
        model.create_table(wait=True, billing_mode="PAY_PER_REQUEST")
