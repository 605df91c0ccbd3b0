"""Reading a JSON request body field by field, collecting one cause per bad field (Okta's E0000001).

Okta's SDK strips empty strings, lists and objects from what it sends and sends ``null`` for unset fields, so
"absent", ``null`` and "empty" all mean "not given" here.
"""
from __future__ import annotations

from typing import Any, Iterable, NoReturn

from ..errors import MalformedBodyError, ValidationError

_MISSING = object()


def require_object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise MalformedBodyError("The request body was not well-formed.")
    return body


class Fields:
    """Typed accessors over a request body; each failure adds a cause instead of raising at once."""

    def __init__(self, body: dict[str, Any], target: str) -> None:
        self.body = body
        self.target = target
        self.causes: list[str] = []

    # -- plumbing ----------------------------------------------------------------------------------------------

    def raw(self, path: str) -> Any:
        node: Any = self.body
        walked: list[str] = []
        for part in path.split("."):
            if node is None:
                return _MISSING
            if not isinstance(node, dict):
                self.error(".".join(walked), "Must be an object.")
                return _MISSING
            walked.append(part)
            node = node.get(part, _MISSING)
            if node is _MISSING:
                return _MISSING
        return _MISSING if node is None else node

    def given(self, path: str) -> bool:
        value = self.raw(path)
        return value is not _MISSING and value != "" and value != [] and value != {}

    def error(self, path: str, message: str) -> None:
        cause = f"{path}: {message}"
        if cause not in self.causes:
            self.causes.append(cause)

    def check(self) -> None:
        if self.causes:
            raise ValidationError(self.target, self.causes)

    def fail(self, path: str, message: str) -> NoReturn:
        self.error(path, message)
        raise ValidationError(self.target, self.causes)

    # -- typed readers -----------------------------------------------------------------------------------------

    def string(self, path: str, *, required: bool = False, max_len: int = 255, default: str | None = None,
               label: str | None = None) -> str | None:
        value = self.raw(path)
        if value is _MISSING or value == "":
            if required:
                self.error(path, "The field cannot be left blank.")
            return default
        if not isinstance(value, str):
            self.error(path, "Must be a string.")
            return default
        if required and not value.strip():
            self.error(path, "The field cannot be left blank.")
            return default
        if len(value) > max_len:
            self.error(path, f"Must be at most {max_len} characters long.")
        return value

    def boolean(self, path: str, default: bool) -> bool:
        value = self.raw(path)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, "Must be true or false.")
            return default
        return value

    def enum(self, path: str, allowed: Iterable[str], *, default: str | None = None,
             required: bool = False) -> str | None:
        allowed = tuple(allowed)
        value = self.raw(path)
        if value is _MISSING or value == "":
            if required:
                self.error(path, "The field cannot be left blank.")
            return default
        if value not in allowed:
            self.error(path, f"Must be one of: {', '.join(allowed)}.")
            return default
        return value  # type: ignore[no-any-return]

    def integer(self, path: str, *, minimum: int, maximum: int, default: int | None = None,
                required: bool = False) -> int | None:
        value = self.raw(path)
        if value is _MISSING:
            if required:
                self.error(path, "The field cannot be left blank.")
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, "Must be an integer.")
            return default
        if not minimum <= value <= maximum:
            self.error(path, f"Must be between {minimum} and {maximum}.")
            return default
        return value

    def string_list(self, path: str, *, required: bool = False, max_items: int = 100, max_len: int = 1024
                    ) -> list[str]:
        value = self.raw(path)
        if value is _MISSING or value == []:
            if required:
                self.error(path, "The field cannot be left blank.")
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error(path, "Must be a list of non-empty strings.")
            return []
        if len(value) > max_items:
            self.error(path, f"Must hold at most {max_items} values.")
        too_long = [v for v in value if len(v) > max_len]
        if too_long:
            self.error(path, f"Values must be at most {max_len} characters long.")
        # Keep the caller's order but drop repeats: a repeated value never changes a decision.
        return list(dict.fromkeys(value))


class Reader:
    """``Fields`` plus "one cause per field": once a field has a cause, later checks of it are skipped. Used where
    checks build on each other (clients, users), so one mistake never cascades into several causes."""

    def __init__(self, body: dict[str, Any], target: str) -> None:
        self.f = Fields(body, target)

    def bad(self, path: str) -> bool:
        return any(c.startswith(f"{path}: ") or c.startswith(f"{path}.") for c in self.f.causes)

    def error(self, path: str, message: str) -> None:
        if not self.bad(path):
            self.f.error(path, message)

    def values(self, path: str, allowed: tuple[str, ...], noun: str, default: list[str]) -> list[str]:
        """A list of words from ``allowed``; ``default`` when absent or bad."""
        given = self.f.given(path)
        values = self.f.string_list(path, max_items=len(allowed) * 2, max_len=255)
        if self.bad(path) or not given:
            return default
        unknown = [v for v in values if v not in allowed]
        if unknown:
            self.error(path, f"'{unknown[0]}' is not a supported {noun}. Must be one of: {', '.join(allowed)}.")
            return default
        return values
