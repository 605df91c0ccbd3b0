"""GROUPS claims: the names of the user's groups that match the claim's filter (okta-api.md 5.2).

STARTS_WITH, EQUALS and CONTAINS compare case-insensitively; REGEX is case-sensitive and must match the whole
group name (``regex.py`` explains the safety limits and the ``/.../`` delimiters). More than ``MAX_GROUPS``
matches fail the token request: ``TooManyGroupsError`` (HTTP 400, ``server_error``,
``too_many_groups_in_groups_claim``).
"""
from __future__ import annotations

from collections.abc import Iterable

from .context import Group
from .errors import TooManyGroupsError, UnsafePatternError
from .regex import compile_safe, strip_delimiters

MAX_GROUPS = 100
FILTER_TYPES = ("STARTS_WITH", "EQUALS", "CONTAINS", "REGEX")


class GroupFilterError(ValueError):
    """The claim's filter cannot be applied (unknown filter type, unsafe or invalid regular expression)."""


def check_group_filter(filter_type: str | None, value: str | None) -> None:
    """Raise ``GroupFilterError`` when ``filter_groups`` could not use this filter."""
    if filter_type not in FILTER_TYPES:
        raise GroupFilterError(f"Unknown group filter type {filter_type!r}")
    if not isinstance(value, str):
        raise GroupFilterError("The group filter value must be a string")
    if filter_type == "REGEX":
        try:
            compile_safe(strip_delimiters(value))
        except UnsafePatternError as exc:
            raise GroupFilterError(f"Unsafe or invalid regular expression: {exc}") from None


def filter_groups(groups: Iterable[Group], filter_type: str | None, value: str | None,
                  claim_name: str | None = None) -> list[str]:
    """Names of the matching groups, in the order given; raises ``TooManyGroupsError`` above ``MAX_GROUPS``."""
    check_group_filter(filter_type, value)
    assert value is not None
    if filter_type == "REGEX":
        pattern = compile_safe(strip_delimiters(value))

        def matches(name: str) -> bool:
            return pattern.fullmatch(name) is not None
    else:
        wanted = value.casefold()
        if filter_type == "STARTS_WITH":
            def matches(name: str) -> bool:
                return name.casefold().startswith(wanted)
        elif filter_type == "EQUALS":
            def matches(name: str) -> bool:
                return name.casefold() == wanted
        else:
            def matches(name: str) -> bool:
                return wanted in name.casefold()
    names: list[str] = []
    for group in groups:
        if matches(group.name):
            names.append(group.name)
            if len(names) > MAX_GROUPS:
                raise TooManyGroupsError(claim_name, MAX_GROUPS)
    return names
