"""The arithmetic on crafted numbers: standards at their thresholds, places with ties, points
for tied places, the judges' trimming and prizes."""

from decimal import Decimal as D

import pytest

from zhengdun.learning.contests import rules


def grade(value, *, direction="higher", pass_mark="60", excellent="90", measure="score"):
    return rules.grade(
        measure=measure,
        direction=direction,
        pass_mark=D(pass_mark) if pass_mark is not None else None,
        excellent_mark=D(excellent) if excellent is not None else None,
        value=D(value) if value is not None else None,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("59.99", (False, False)),
        ("60", (True, False)),
        ("89.5", (True, False)),
        ("90", (True, True)),
    ],
)
def test_higher_is_better_reaches_exactly_at_the_threshold(value, expected):
    assert grade(value) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        ("900.01", (False, False)),
        ("900", (True, False)),
        ("781", (True, False)),
        ("780", (True, True)),
        ("700", (True, True)),
    ],
)
def test_lower_is_better_for_times(seconds, expected):
    assert grade(seconds, direction="lower", pass_mark="900", excellent="780") == expected


def test_no_excellent_mark_means_never_excellent():
    assert grade("100", excellent=None) == (True, False)


def test_pass_fail_takes_the_verdict_and_has_no_excellent():
    assert rules.grade(
        measure="pass_fail",
        direction="higher",
        pass_mark=None,
        excellent_mark=None,
        value=None,
        passed=True,
    ) == (True, False)
    assert rules.grade(
        measure="pass_fail",
        direction="higher",
        pass_mark=None,
        excellent_mark=None,
        value=None,
        passed=False,
    ) == (False, False)


def test_places_share_on_ties_and_skip_after():
    items = [("a", D(90)), ("b", D(95)), ("c", D(90)), ("d", D(80)), ("e", None)]
    ranked = rules.places(items, lambda i: i[1], "higher")
    assert [(p, i[0]) for p, i in ranked] == [(1, "b"), (2, "a"), (2, "c"), (4, "d"), (0, "e")]


def test_places_lower_is_better():
    items = [("a", D("12.5")), ("b", D("11.9")), ("c", D("12.5"))]
    ranked = rules.places(items, lambda i: i[1], "lower")
    assert [(p, i[0]) for p, i in ranked] == [(1, "b"), (2, "a"), (2, "c")]


def test_tied_places_share_the_points_they_span():
    items = [("a", D(10)), ("b", D(9)), ("c", D(9)), ("d", D(5)), ("e", D(1))]
    ranked = rules.places(items, lambda i: i[1], "higher")
    # 7, 5, 3, 2 (5th gets nothing): b and c share (5 + 3) / 2.
    assert rules.points_for(ranked, [7, 5, 3, 2]) == [D(7), D(4), D(4), D(2), D(0)]


def test_three_way_tie_at_the_edge_of_the_table():
    items = [("a", D(1)), ("b", D(1)), ("c", D(1))]
    ranked = rules.places(items, lambda i: i[1], "higher")
    assert rules.points_for(ranked, [6, 3]) == [D(3), D(3), D(3)]


def test_trimming_drops_one_highest_and_one_lowest():
    assert rules.trimmed_mean([D(80), D(95), D(70), D(85), D(90)]) == D("85.000")
    # The highest and lowest are dropped once each even when tied.
    assert rules.trimmed_mean([D(90), D(90), D(60), D(60)]) == D("75.000")
    assert rules.trimmed_mean([D(70), D(100), D(10)]) == D("70.000")


def test_fewer_than_three_judges_take_the_plain_mean():
    assert rules.trimmed_mean([D(80), D(91)]) == D("85.500")
    assert rules.trimmed_mean([D(77)]) == D("77.000")
    assert rules.trimmed_mean([]) is None


def test_weighted_total():
    lines = [rules.Line(D("0.4"), D(80)), rules.Line(D("0.6"), D(90))]
    assert rules.weighted_total(lines) == D("86.0")


def test_prizes_by_rank_and_ties_at_the_edge():
    rule = {"first": 1, "second": 2, "third": 3}
    assert [rules.tier_for(p, D(0), "rank", rule) for p in (1, 2, 3, 4, 6, 7, 0)] == [
        "first",
        "second",
        "second",
        "third",
        "third",
        None,
        None,
    ]


def test_prizes_by_thresholds():
    rule = {"first": "90", "second": "80", "merit": "60"}
    assert rules.tier_for(1, D("90"), "threshold", rule) == "first"
    assert rules.tier_for(2, D("89.9"), "threshold", rule) == "second"
    assert rules.tier_for(3, D("70"), "threshold", rule) == "merit"
    assert rules.tier_for(4, D("59"), "threshold", rule) is None
