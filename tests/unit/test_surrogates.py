"""chalicelib/surrogates.py: what a JSON escape can spell that UTF-8 cannot carry."""
from __future__ import annotations

import json

import pytest

from chalicelib.surrogates import has_lone_surrogate, replace_lone_surrogates


@pytest.mark.parametrize("text, lone", [
    ("plain", False), ("Zoë 日本", False), ("\U0001F600", False),
    (json.loads('"\\ud83d\\ude00"'), False),  # a well-formed pair: json.loads joins it into one character
    (json.loads('"\\ud800"'), True), (json.loads('"x\\udfff"'), True),
    (json.loads('"\\ude00\\ud83d"'), True),  # the wrong order is two lone ones
])
def test_lone_surrogates_are_what_utf8_cannot_encode(text, lone):
    assert has_lone_surrogate(text) is lone
    try:
        text.encode("utf-8")
        encodes = True
    except UnicodeEncodeError:
        encodes = False
    assert encodes is not lone


def test_replacing_walks_documents_and_leaves_everything_else():
    document = {"a\ud800": ["b\udfff", ("c",), 1, None, True, 2.5], "n": {"x": "\U0001F600"}}
    assert replace_lone_surrogates(document) == {"a\ufffd": ["b\ufffd", ["c"], 1, None, True, 2.5],
                                                 "n": {"x": "\U0001F600"}}
    assert replace_lone_surrogates(7) == 7
