"""admin/validation.py: each typed reader of ``Fields`` and the causes it produces (``"<field>: <message>"``)."""
from __future__ import annotations

import pytest

from chalicelib.admin.validation import Fields, require_object
from chalicelib.errors import MalformedBodyError, ValidationError

BLANK = "The field cannot be left blank."


def fields(body: dict) -> Fields:
    return Fields(body, "thing")


# -- require_object ------------------------------------------------------------------------------------------------


def test_require_object_treats_no_body_as_an_empty_object():
    assert require_object(None) == {}


def test_require_object_returns_an_object_unchanged():
    body = {"a": 1}
    assert require_object(body) is body


@pytest.mark.parametrize("body", [[], [{"name": "x"}], "name", 3, True, 1.5])
def test_require_object_refuses_anything_but_an_object(body):
    with pytest.raises(MalformedBodyError):
        require_object(body)


# -- plumbing: raw, given, error, check, fail ----------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", [], {}])
def test_null_and_empty_values_count_as_not_given(value):
    f = fields({"x": value})
    assert f.given("x") is False


def test_absent_field_is_not_given_and_a_present_one_is():
    f = fields({"x": 0, "y": False})
    assert f.given("missing") is False
    assert f.given("x") is True  # 0 and False are real values, not "empty"
    assert f.given("y") is True


def test_nested_paths_walk_objects():
    f = fields({"a": {"b": {"c": "deep"}}})
    assert f.string("a.b.c") == "deep"
    assert f.given("a.b") is True
    assert f.given("a.x.c") is False
    assert f.causes == []


def test_nested_path_through_null_is_missing_without_a_cause():
    f = fields({"a": None})
    assert f.string("a.b", required=False) is None
    assert f.causes == []


def test_nested_path_through_a_non_object_names_the_parent():
    f = fields({"credentials": "oops"})
    assert f.string("credentials.signing.rotationMode") is None
    assert f.causes == ["credentials: Must be an object."]


def test_nested_path_through_a_deeper_non_object_names_the_walked_prefix():
    f = fields({"credentials": {"signing": 5}})
    f.enum("credentials.signing.rotationMode", ("AUTO",))
    assert f.causes == ["credentials.signing: Must be an object."]


def test_check_passes_without_causes():
    fields({}).check()


def test_check_raises_with_target_and_all_causes_in_order():
    f = fields({"name": 3, "count": "x"})
    f.string("name", required=True)
    f.integer("count", minimum=1, maximum=2)
    f.string("other", required=True)
    with pytest.raises(ValidationError) as raised:
        f.check()
    assert raised.value.target == "thing"
    assert str(raised.value) == "Api validation failed: thing"
    assert raised.value.causes == ["name: Must be a string.", "count: Must be an integer.", f"other: {BLANK}"]


def test_the_same_cause_is_reported_once():
    f = fields({})
    f.error("x", "bad")
    f.error("x", "bad")
    f.error("x", "worse")
    assert f.causes == ["x: bad", "x: worse"]


def test_fail_raises_at_once_with_the_causes_so_far():
    f = fields({})
    f.error("a", "first")
    with pytest.raises(ValidationError) as raised:
        f.fail("b", "second")
    assert raised.value.causes == ["a: first", "b: second"]


# -- string --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"name": None}, {"name": ""}])
def test_string_required_but_missing_null_or_empty(body):
    f = fields(body)
    assert f.string("name", required=True) is None
    assert f.causes == [f"name: {BLANK}"]


@pytest.mark.parametrize("body", [{}, {"name": None}, {"name": ""}])
def test_string_optional_and_missing_gives_the_default_without_a_cause(body):
    f = fields(body)
    assert f.string("name", default="fallback") == "fallback"
    assert f.causes == []


@pytest.mark.parametrize("value", [1, 1.5, True, ["a"], {"a": "b"}])
def test_string_of_the_wrong_type(value):
    f = fields({"name": value})
    assert f.string("name", required=True, default="d") == "d"
    assert f.causes == ["name: Must be a string."]


def test_string_too_long_is_reported_with_the_limit():
    f = fields({"name": "x" * 6})
    f.string("name", max_len=5)
    assert f.causes == ["name: Must be at most 5 characters long."]


def test_string_at_the_limit_is_fine():
    f = fields({"name": "x" * 5})
    assert f.string("name", max_len=5) == "x" * 5
    assert f.causes == []


def test_string_default_limit_is_255():
    f = fields({"a": "x" * 255, "b": "x" * 256})
    f.string("a")
    f.string("b")
    assert f.causes == ["b: Must be at most 255 characters long."]


def test_string_nested_cause_names_the_full_path():
    f = fields({"actions": {"token": {"inlineHook": {"id": 7}}}})
    f.string("actions.token.inlineHook.id")
    assert f.causes == ["actions.token.inlineHook.id: Must be a string."]


# -- boolean -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False])
def test_boolean_reads_true_and_false(value):
    f = fields({"flag": value})
    assert f.boolean("flag", not value) is value
    assert f.causes == []


@pytest.mark.parametrize("body", [{}, {"flag": None}])
def test_boolean_missing_or_null_gives_the_default(body):
    f = fields(body)
    assert f.boolean("flag", True) is True
    assert f.causes == []


@pytest.mark.parametrize("value", ["true", 1, 0, "", [], {}])
def test_boolean_of_the_wrong_type(value):
    f = fields({"flag": value})
    assert f.boolean("flag", False) is False
    assert f.causes == ["flag: Must be true or false."]


# -- enum ----------------------------------------------------------------------------------------------------------


def test_enum_accepts_an_allowed_value():
    f = fields({"mode": "B"})
    assert f.enum("mode", ("A", "B")) == "B"
    assert f.causes == []


@pytest.mark.parametrize("body", [{}, {"mode": None}, {"mode": ""}])
def test_enum_required_but_missing(body):
    f = fields(body)
    assert f.enum("mode", ("A", "B"), required=True) is None
    assert f.causes == [f"mode: {BLANK}"]


@pytest.mark.parametrize("body", [{}, {"mode": None}, {"mode": ""}])
def test_enum_optional_and_missing_gives_the_default(body):
    f = fields(body)
    assert f.enum("mode", ("A", "B"), default="A") == "A"
    assert f.causes == []


@pytest.mark.parametrize("value", ["C", "a", 1, True, ["A"]])
def test_enum_unknown_value_lists_the_allowed_ones(value):
    f = fields({"mode": value})
    assert f.enum("mode", ("A", "B"), default="A") == "A"
    assert f.causes == ["mode: Must be one of: A, B."]


def test_enum_accepts_any_iterable_of_allowed_values():
    f = fields({"mode": "y"})
    assert f.enum("mode", iter(["x", "y"])) == "y"


# -- integer -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [5, 7, 10])
def test_integer_in_range(value):
    f = fields({"n": value})
    assert f.integer("n", minimum=5, maximum=10) == value
    assert f.causes == []


@pytest.mark.parametrize("value", [4, 11, -1])
def test_integer_out_of_range(value):
    f = fields({"n": value})
    assert f.integer("n", minimum=5, maximum=10, default=6) == 6
    assert f.causes == ["n: Must be between 5 and 10."]


@pytest.mark.parametrize("value", [True, False, 5.0, 5.5, "5", [5]])
def test_integer_of_the_wrong_type(value):
    f = fields({"n": value})
    assert f.integer("n", minimum=0, maximum=10, default=1) == 1
    assert f.causes == ["n: Must be an integer."]


@pytest.mark.parametrize("body", [{}, {"n": None}])
def test_integer_required_but_missing(body):
    f = fields(body)
    assert f.integer("n", minimum=0, maximum=1, required=True) is None
    assert f.causes == [f"n: {BLANK}"]


def test_integer_optional_and_missing_gives_the_default():
    f = fields({})
    assert f.integer("n", minimum=0, maximum=100, default=60) == 60
    assert f.causes == []


# -- string_list ---------------------------------------------------------------------------------------------------


def test_string_list_reads_values_in_order_and_drops_repeats():
    f = fields({"xs": ["b", "a", "b", "c", "a"]})
    assert f.string_list("xs") == ["b", "a", "c"]
    assert f.causes == []


@pytest.mark.parametrize("body", [{}, {"xs": None}, {"xs": []}])
def test_string_list_required_but_missing_or_empty(body):
    f = fields(body)
    assert f.string_list("xs", required=True) == []
    assert f.causes == [f"xs: {BLANK}"]


@pytest.mark.parametrize("body", [{}, {"xs": None}, {"xs": []}])
def test_string_list_optional_and_missing_is_empty(body):
    f = fields(body)
    assert f.string_list("xs") == []
    assert f.causes == []


@pytest.mark.parametrize("value", ["a", {"a": 1}, 3, ["a", ""], ["a", 1], [None], [["a"]]])
def test_string_list_of_the_wrong_shape(value):
    f = fields({"xs": value})
    assert f.string_list("xs") == []
    assert f.causes == ["xs: Must be a list of non-empty strings."]


def test_string_list_with_too_many_values():
    f = fields({"xs": ["a", "b", "c"]})
    f.string_list("xs", max_items=2)
    assert f.causes == ["xs: Must hold at most 2 values."]


def test_string_list_with_too_long_values():
    f = fields({"xs": ["ok", "x" * 4]})
    f.string_list("xs", max_len=3)
    assert f.causes == ["xs: Values must be at most 3 characters long."]


def test_string_list_with_both_too_many_and_too_long_reports_both():
    f = fields({"xs": ["aaaa", "b", "c"]})
    f.string_list("xs", max_items=2, max_len=3)
    assert f.causes == ["xs: Must hold at most 2 values.", "xs: Values must be at most 3 characters long."]
