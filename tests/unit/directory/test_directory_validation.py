"""Reading directory request bodies (admin/users.py, admin/groups.py, admin/app_assignments.py): one cause per bad
field, Okta's texts, what a GET-modify-PUT may send back, and the partial-update rules."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.admin.app_assignments import read_app_group, read_app_user
from chalicelib.admin.groups import read_group
from chalicelib.admin.passwords import REQUIREMENTS
from chalicelib.admin.user_fields import q_matches, read_user
from chalicelib.admin.users import parse_activate
from chalicelib.domain import ACTIVE, User
from chalicelib.errors import MalformedBodyError, ValidationError

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
PROFILE = {"login": "alice@example.com", "email": "alice@example.com", "firstName": "Alice", "lastName": "Smith"}
BLANK = "The field cannot be left blank."


def causes(call, *args, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.causes


def current() -> User:
    return User(id="00u" + "a" * 17, status=ACTIVE, profile={**PROFILE, "title": "Engineer"}, created=T0,
                last_updated=T0)


# -- users -------------------------------------------------------------------------------------------------------


def test_a_minimal_user():
    given = read_user({"profile": PROFILE}, creating=True)
    assert given.profile == PROFILE and given.password is None and given.group_ids == ()


def test_every_required_attribute_gets_its_own_cause():
    assert causes(read_user, {"profile": {"title": "x"}}, creating=True) == [
        f"login: {BLANK}", f"email: {BLANK}", f"firstName: {BLANK}", f"lastName: {BLANK}"]


@pytest.mark.parametrize("body", [None, {}, {"profile": None}, {"profile": {}}, {"profile": ""}])
def test_a_profile_is_required(body):
    assert causes(read_user, body, creating=True) == [f"profile: {BLANK}"]


def test_a_body_that_is_not_an_object():
    with pytest.raises(MalformedBodyError):
        read_user([PROFILE], creating=True)
    assert causes(read_user, {"profile": ["x"]}, creating=True) == ["profile: Must be an object."]


@pytest.mark.parametrize("changes, cause", [
    ({"login": "alice"}, "login: Username must be in the form of an email address"),
    ({"login": "a@b"}, "login: Must be between 5 and 100 characters long."),
    ({"login": "a" * 95 + "@x.com"}, "login: Must be between 5 and 100 characters long."),
    ({"email": "not-an-email"}, "email: Does not match required pattern"),
    ({"email": "a@b.c" + "c" * 96}, "email: Must be between 5 and 100 characters long."),
    ({"firstName": "x" * 51}, "firstName: Must be between 1 and 50 characters long."),
    ({"lastName": 7}, "lastName: Must be a string."),
    ({"secondEmail": "nope"}, "secondEmail: Does not match required pattern"),
    ({"countryCode": "USA"}, "countryCode: Must be between 1 and 2 characters long."),
    ({"countryCode": "1x"}, "countryCode: Must be an ISO 3166-1 alpha-2 country code."),
    ({"title": "a\nb"}, "title: Must not contain control characters."),
    ({"favouriteColour": "blue"}, "favouriteColour: Property is not defined in the profile schema."),
])
def test_bad_profile_attributes(changes, cause):
    assert causes(read_user, {"profile": {**PROFILE, **changes}}, creating=True) == [cause]


def test_standard_attributes_are_kept():
    extra = {"title": "CTO", "countryCode": "NZ", "mobilePhone": "+64 21 000", "secondEmail": "a2@example.com",
             "displayName": "Alice S.", "zipCode": "6011"}
    assert read_user({"profile": {**PROFILE, **extra}}, creating=True).profile == {**PROFILE, **extra}


def test_null_and_empty_attributes_are_not_given():
    given = read_user({"profile": {**PROFILE, "title": None, "city": ""}}, creating=True)
    assert "title" not in given.profile and "city" not in given.profile


def test_a_password_is_read_and_checked_against_the_login():
    assert read_user({"profile": PROFILE, "credentials": {"password": {"value": "Str0ng-Pass"}}},
                     creating=True).password == "Str0ng-Pass"
    assert causes(read_user, {"profile": PROFILE, "credentials": {"password": {"value": "alice-Pass-1"}}},
                  creating=True) == [f"password: {REQUIREMENTS}"]
    assert causes(read_user, {"profile": PROFILE, "credentials": {"password": {"value": "short"}}},
                  creating=True) == [f"password: {REQUIREMENTS}"]


def test_unsupported_credentials_are_refused():
    body = {"profile": PROFILE, "credentials": {
        "recovery_question": {"question": "q", "answer": "a"},
        "password": {"hash": {"algorithm": "BCRYPT", "value": "x"}},
        "provider": {"type": "LDAP", "name": "corp"},
    }}
    assert causes(read_user, body, creating=True) == [
        "credentials.recovery_question: Recovery questions are not supported.",
        "credentials.password: Importing password hashes and password hooks are not supported.",
        "credentials.provider.type: Only the OKTA provider is supported.",
    ]


def test_what_a_get_modify_put_sends_back_is_accepted():
    body = {"id": "00uX", "status": "ACTIVE", "created": "2026-01-01T00:00:00.000Z", "_links": {"self": {}},
            "profile": PROFILE, "credentials": {"password": {}, "provider": {"type": "OKTA", "name": "OKTA"}}}
    given = read_user(body, current())
    assert given.profile == PROFILE and given.password is None


def test_put_replaces_the_profile_and_post_merges_it():
    assert "title" not in read_user({"profile": PROFILE}, current()).profile
    merged = read_user({"profile": {"firstName": "Alicia", "title": None}}, current(), partial=True).profile
    assert merged == {**PROFILE, "firstName": "Alicia", "title": "Engineer"}
    assert read_user({}, current(), partial=True).profile == current().profile


def test_a_partial_update_checks_the_password_against_the_stored_login():
    assert causes(read_user, {"credentials": {"password": {"value": "xALICEx-Pass-1"}}}, current(), partial=True) == [
        f"password: {REQUIREMENTS}"]


def test_group_ids_on_create_only():
    given = read_user({"profile": PROFILE, "groupIds": ["00g" + "b" * 17]}, creating=True)
    assert given.group_ids == ("00g" + "b" * 17,)
    assert causes(read_user, {"profile": PROFILE, "groupIds": ["nope"]}, creating=True) == [
        "groupIds: 'nope' is not a group id."]
    assert read_user({"profile": PROFILE, "groupIds": ["nope"]}, current()).group_ids == ()


def test_parse_activate():
    assert parse_activate(None) is True and parse_activate("") is True and parse_activate("TRUE") is True
    assert parse_activate("false") is False
    with pytest.raises(ValidationError):
        parse_activate("yes")


@pytest.mark.parametrize("q, expected", [("ali", True), ("SMI", True), ("alice@", True), ("bob", False),
                                         ("lice", False)])
def test_q_is_a_prefix_of_names_email_or_login(q, expected):
    assert q_matches(current(), q) is expected


# -- groups ------------------------------------------------------------------------------------------------------


def test_a_group():
    assert read_group({"profile": {"name": "Eng", "description": "Engineers"}}) == ("Eng", "Engineers")
    assert read_group({"profile": {"name": "Eng"}, "type": "OKTA_GROUP", "id": "00gX",
                       "objectClass": ["okta:user_group"]}) == ("Eng", None)


@pytest.mark.parametrize("body, cause", [
    ({}, f"profile.name: {BLANK}"),
    ({"profile": {"name": ""}}, f"profile.name: {BLANK}"),
    ({"profile": {"name": "x" * 256}}, "profile.name: Must be at most 255 characters long."),
    ({"profile": {"name": "a", "description": "d" * 1025}}, "profile.description: Must be at most 1024 characters "
                                                            "long."),
    ({"profile": {"name": "a\tb"}}, "name: Must not contain control characters."),
    ({"profile": {"name": "a", "owner": "x"}}, "owner: Property is not defined in the group profile schema."),
    ({"profile": {"name": "a"}, "type": "BUILT_IN"}, "type: Only OKTA_GROUP groups can be created or changed "
                                                     "through the API."),
    ({"profile": "Eng"}, "profile: Must be an object."),
])
def test_bad_groups(body, cause):
    assert causes(read_group, body) == [cause]


# -- app assignments ---------------------------------------------------------------------------------------------


def test_an_app_user():
    assert read_app_user({"id": "00u1", "scope": "USER", "credentials": {"userName": "al"}, "profile": {"k": 1}},
                         assigning=True) == ("00u1", "al", {"k": 1})
    assert read_app_user({"id": "00u1"}, assigning=True) == ("00u1", None, None)
    assert read_app_user({"profile": {}}, assigning=False) == (None, None, None)


@pytest.mark.parametrize("body, cause", [
    ({}, f"id: {BLANK}"),
    ({"id": "00u1", "scope": "GROUP"}, "scope: Only USER assignments can be made directly; assign a group for GROUP "
                                       "scope."),
    ({"id": "00u1", "credentials": {"userName": "x" * 101}}, "credentials.userName: Must be at most 100 characters "
                                                              "long."),
    ({"id": "00u1", "credentials": {"password": {"value": "x"}}}, "credentials.password: App passwords are not "
                                                                   "supported."),
    ({"id": "00u1", "profile": ["x"]}, "profile: Must be an object."),
    ({"id": "00u1", "profile": {"k": "x" * 9000}}, "profile: Must be at most 8192 bytes of JSON."),
])
def test_bad_app_users(body, cause):
    assert causes(read_app_user, body, assigning=True) == [cause]


def test_an_app_group():
    assert read_app_group(None) == (None, None)
    assert read_app_group({"priority": 3, "profile": {"role": "admin"}}) == (3, {"role": "admin"})
    assert causes(read_app_group, {"priority": -1}) == ["priority: Must be between 0 and 1000000."]
    assert causes(read_app_group, {"priority": "1"}) == ["priority: Must be an integer."]
