"""Priority handling for policies and rules: pure functions over an ordered tuple of ids.

Priority is a position: the order list is the single source of truth and priorities are always ``1..n`` with no
gaps. Placing an object at priority ``p`` shifts the ones at ``p`` and after down by one; a priority beyond the
end (or none) means "last". A *pinned* id (the default rule of the default policy, which the seed says cannot be
reordered) always stays last, and nothing may be placed after it.
"""
from __future__ import annotations

from ..errors import ValidationError

PINNED_MESSAGE = "priority: The default rule of the default policy cannot be reordered; it is always evaluated last."


def place(ids: tuple[str, ...], item_id: str, priority: int | None, pinned: str | None = None,
          target: str = "rule") -> tuple[str, ...]:
    """Return ``ids`` with ``item_id`` (new or existing) moved to ``priority``."""
    if item_id == pinned:
        if priority is not None and item_id in ids and priority != ids.index(item_id) + 1:
            raise ValidationError(target, [PINNED_MESSAGE])
        return ids if item_id in ids else ids + (item_id,)
    rest = [i for i in ids if i != item_id]
    last = rest.index(pinned) if pinned in rest else len(rest)
    position = last if priority is None else max(0, min(priority - 1, last))
    rest.insert(position, item_id)
    return tuple(rest)


def remove(ids: tuple[str, ...], item_id: str) -> tuple[str, ...]:
    return tuple(i for i in ids if i != item_id)
