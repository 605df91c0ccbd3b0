"""What one expression and one token's claims may produce (issue 13, item 1: a denial of service).

Seven nested ``String.replace(..., 'a', 'aaaaaaaaaa')`` in a 243-character expression made every token of the server
take seconds and ~133 MB: each step multiplies the size. So every string and array an expression produces is
capped, and the cap is checked *before* the result is allocated (from the lengths of the inputs); a function call
budget bounds the work of one evaluation; and a token's custom claims together are capped when serialized.

The caps are ours (Okta documents no per-value limit for EL; it limits a token's groups claim to 100 groups,
``TooManyGroupsError``): far above any real claim (a login, a list of groups, a department) and far below what hurts
a 512 MB Lambda or the 10 KB a browser will carry in a header.
"""
from __future__ import annotations

from .errors import ExpressionLimitError

MAX_STRING = 8_192  # characters of any string an expression produces
MAX_ITEMS = 1_000  # items of any array an expression produces
MAX_CALLS = 10_000  # function calls in one evaluation
MAX_CLAIMS_BYTES = 16_384  # the custom claims of one token, as JSON


def string_of(length: int, what: str) -> int:
    """Refuse to build a string of ``length`` characters beyond the cap; the caller allocates only after this."""
    if length > MAX_STRING:
        raise ExpressionLimitError(f"{what} would produce a string longer than {MAX_STRING} characters")
    return length


def array_of(length: int, what: str) -> int:
    """Refuse to build an array of ``length`` items beyond the cap."""
    if length > MAX_ITEMS:
        raise ExpressionLimitError(f"{what} would produce an array of more than {MAX_ITEMS} items")
    return length
