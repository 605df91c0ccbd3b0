"""admin/priorities.py: priorities are positions 1..n; inserting shifts, removing closes gaps, a pinned id stays
last."""
from __future__ import annotations

import random

import pytest

from chalicelib.admin.priorities import PINNED_MESSAGE, place, remove
from chalicelib.errors import ValidationError

IDS = ("a", "b", "c", "d")


def priorities(ids: tuple[str, ...]) -> dict[str, int]:
    return {item: i + 1 for i, item in enumerate(ids)}


# -- inserting a new id --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("priority, expected", [
    (1, ("new", "a", "b", "c", "d")),
    (2, ("a", "new", "b", "c", "d")),
    (3, ("a", "b", "new", "c", "d")),
    (4, ("a", "b", "c", "new", "d")),
    (5, ("a", "b", "c", "d", "new")),
])
def test_insert_at_any_priority_shifts_the_ones_at_and_after_it(priority, expected):
    result = place(IDS, "new", priority)
    assert result == expected
    assert priorities(result)["new"] == priority


@pytest.mark.parametrize("priority", [6, 7, 99, 10_000])
def test_insert_beyond_the_end_clamps_to_last(priority):
    assert place(IDS, "new", priority) == IDS + ("new",)


def test_insert_without_a_priority_goes_last():
    assert place(IDS, "new", None) == IDS + ("new",)


@pytest.mark.parametrize("priority", [0, -5])
def test_insert_below_one_clamps_to_first(priority):
    assert place(IDS, "new", priority) == ("new",) + IDS


def test_insert_into_an_empty_list():
    assert place((), "new", None) == ("new",)
    assert place((), "new", 1) == ("new",)
    assert place((), "new", 7) == ("new",)


def test_place_does_not_modify_its_input():
    ids = ("a", "b")
    place(ids, "c", 1)
    assert ids == ("a", "b")


# -- moving an existing id -----------------------------------------------------------------------------------------


def test_move_up():
    assert place(IDS, "d", 1) == ("d", "a", "b", "c")
    assert place(IDS, "c", 2) == ("a", "c", "b", "d")


def test_move_down():
    assert place(IDS, "a", 3) == ("b", "c", "a", "d")
    assert place(IDS, "a", 4) == ("b", "c", "d", "a")


def test_move_beyond_the_end_goes_last():
    assert place(IDS, "b", 50) == ("a", "c", "d", "b")


def test_move_to_its_own_priority_changes_nothing():
    for item, priority in priorities(IDS).items():
        assert place(IDS, item, priority) == IDS


def test_move_without_a_priority_goes_last():
    assert place(IDS, "a", None) == ("b", "c", "d", "a")


# -- removing ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", IDS)
def test_remove_closes_the_gap(item):
    result = remove(IDS, item)
    assert result == tuple(i for i in IDS if i != item)
    assert sorted(priorities(result).values()) == [1, 2, 3]


def test_remove_of_an_unknown_id_changes_nothing():
    assert remove(IDS, "zz") == IDS


# -- the pinned id -------------------------------------------------------------------------------------------------

PINNED = ("a", "b", "default")


@pytest.mark.parametrize("priority", [None, 3, 4, 50])
def test_nothing_is_placed_after_the_pinned_id(priority):
    result = place(PINNED, "new", priority, pinned="default")
    assert result == ("a", "b", "new", "default")


@pytest.mark.parametrize("priority, expected", [
    (1, ("new", "a", "b", "default")),
    (2, ("a", "new", "b", "default")),
])
def test_insert_before_the_pinned_id_still_shifts(priority, expected):
    assert place(PINNED, "new", priority, pinned="default") == expected


def test_moving_others_past_the_pinned_id_stops_just_before_it():
    assert place(PINNED, "a", 3, pinned="default") == ("b", "a", "default")
    assert place(PINNED, "a", None, pinned="default") == ("b", "a", "default")


@pytest.mark.parametrize("priority", [1, 2, 4])
def test_the_pinned_id_cannot_be_moved(priority):
    with pytest.raises(ValidationError) as raised:
        place(PINNED, "default", priority, pinned="default", target="rule")
    assert raised.value.target == "rule"
    assert raised.value.causes == [PINNED_MESSAGE]
    assert PINNED_MESSAGE.startswith("priority: ")


def test_the_pinned_id_may_be_saved_at_its_own_priority_or_without_one():
    assert place(PINNED, "default", 3, pinned="default") == PINNED
    assert place(PINNED, "default", None, pinned="default") == PINNED


def test_a_new_pinned_id_is_appended_last():
    assert place(("a", "b"), "default", None, pinned="default") == ("a", "b", "default")
    assert place(("a", "b"), "default", 1, pinned="default") == ("a", "b", "default")


def test_a_pinned_id_that_is_gone_pins_nothing():
    assert place(("a", "b"), "new", None, pinned="gone") == ("a", "b", "new")
    assert place(("a", "b"), "new", 1, pinned="gone") == ("new", "a", "b")


def test_removing_the_pinned_id_is_allowed():
    assert remove(PINNED, "default") == ("a", "b")


def test_random_sequences_keep_a_permutation_with_the_pinned_id_last():
    rng = random.Random(1234)
    ids: tuple[str, ...] = ("pin",)
    live = {"pin"}
    for step in range(500):
        if live - {"pin"} and rng.random() < 0.3:
            victim = rng.choice(sorted(live - {"pin"}))
            ids = remove(ids, victim)
            live.discard(victim)
        else:
            item = rng.choice(sorted(live - {"pin"})) if live - {"pin"} and rng.random() < 0.5 else f"n{step}"
            priority = rng.choice([None, *range(0, len(ids) + 3)])
            ids = place(ids, item, priority, pinned="pin")
            live.add(item)
        assert sorted(ids) == sorted(live), "no duplicates, nothing lost"
        assert ids[-1] == "pin", "the pinned id stays last"
