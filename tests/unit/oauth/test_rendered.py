"""oauth/rendered.py: a document is rendered once per configuration object and never outlives it (issue 20)."""
from __future__ import annotations

import json

from chalicelib.oauth.context import JsonBody
from chalicelib.oauth.rendered import RenderedDocuments


class Config:
    """Stands for a cached configuration: identity is what counts, not equality."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:  # equal copies must still be told apart
        return isinstance(other, Config) and other.name == self.name

    __hash__ = object.__hash__


def test_rendered_once_per_object_and_key():
    docs = RenderedDocuments()
    renders: list[str] = []
    config = Config("a")

    def render(tag: str):
        return lambda: renders.append(tag) or {"issuer": config.name, "tag": tag}

    first = docs.get(config, "openid", render("openid"))
    assert isinstance(first, JsonBody) and json.loads(first) == {"issuer": "a", "tag": "openid"}
    assert docs.get(config, "openid", render("openid")) is first
    docs.get(config, "oauth", render("oauth"))
    assert renders == ["openid", "oauth"]


def test_a_new_read_of_the_configuration_is_rendered_again():
    docs = RenderedDocuments()
    old, new = Config("a"), Config("a")
    docs.get(old, "k", lambda: {"v": 1})
    assert json.loads(docs.get(new, "k", lambda: {"v": 2})) == {"v": 2}  # equal but another object: re-rendered
    assert json.loads(docs.get(new, "k", lambda: {"v": 3})) == {"v": 2}


def test_the_memo_is_bounded_and_can_be_cleared():
    docs = RenderedDocuments(limit=2)
    configs = [Config(str(i)) for i in range(3)]
    for i, config in enumerate(configs):
        docs.get(config, "k", lambda i=i: {"v": i})
    # the third entry made it forget the first two: rendering again gives the new answer
    assert json.loads(docs.get(configs[0], "k", lambda: {"v": "again"})) == {"v": "again"}
    docs.clear()
    assert json.loads(docs.get(configs[2], "k", lambda: {"v": "fresh"})) == {"v": "fresh"}
