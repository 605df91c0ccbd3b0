"""Fixtures of the directory API tests: they run on the root ``api`` fixture (the app in-process on moto)."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from directory_support import CLIENTS, GROUPS, PASSWORD, USERS, profile, next_name


@pytest.fixture
def make_user(api) -> Callable[..., dict]:
    def make(name: str | None = None, password: str | None = PASSWORD, activate: bool | None = None,
             **extra) -> dict:
        body: dict = {"profile": profile(name, **extra)}
        if password:
            body["credentials"] = {"password": {"value": password}}
        query = "" if activate is None else f"?activate={str(activate).lower()}"
        response = api.post(USERS + query, body)
        assert response.status_code == 200, response.data
        return response.data

    return make


@pytest.fixture
def make_group(api) -> Callable[..., dict]:
    def make(name: str | None = None, description: str | None = "test group") -> dict:
        body = {"profile": {"name": name or next_name("group-"), "description": description}}
        response = api.post(GROUPS, body)
        assert response.status_code == 200, response.data
        return response.data

    return make


@pytest.fixture
def make_client(api) -> Callable[..., str]:
    def make(name: str | None = None) -> str:
        response = api.post(CLIENTS, {"client_name": name or next_name("app-"),
                                      "redirect_uris": ["https://app.example/cb"]})
        assert response.status_code == 201, response.data
        return response.data["client_id"]

    return make
