"""The rules of supervision as plain functions: days on site, the month's colour, the planner,
the draw, an order's colour and a scorecard's total."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengdun.core.warnings import Colour
from zhengdun.supervision import rules

NOV = date(2026, 11, 1)


def test_a_multi_day_stay_counts_each_day():
    assert len(rules.days_on_site([(date(2026, 11, 2), date(2026, 11, 6))], NOV)) == 5


def test_overlapping_visits_count_a_day_once():
    spans = [
        (date(2026, 11, 2), date(2026, 11, 6)),
        (date(2026, 11, 5), date(2026, 11, 9)),
        (date(2026, 11, 9), date(2026, 11, 9)),
    ]
    assert len(rules.days_on_site(spans, NOV)) == 8


def test_only_the_days_inside_the_month_count():
    across = [(date(2026, 10, 29), date(2026, 11, 3))]
    assert len(rules.days_on_site(across, NOV)) == 3
    assert len(rules.days_on_site(across, date(2026, 10, 1))) == 3
    assert rules.days_on_site([(date(2026, 12, 1), date(2026, 12, 2))], NOV) == set()


def test_february_and_december_ends():
    assert rules.month_end(date(2028, 2, 1)) == date(2028, 2, 29)
    assert rules.next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    spans = [(date(2028, 2, 27), date(2028, 3, 2))]
    assert len(rules.days_on_site(spans, date(2028, 2, 1))) == 3


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(-40, 70), st.integers(0, 20)).map(
            lambda t: (NOV + timedelta(days=t[0]), NOV + timedelta(days=t[0] + t[1]))
        ),
        max_size=8,
    )
)
def test_days_on_site_matches_counting_day_by_day(spans):
    expected = {
        NOV + timedelta(days=offset)
        for offset in range(30)
        if any(start <= NOV + timedelta(days=offset) <= end for start, end in spans)
    }
    assert rules.days_on_site(spans, NOV) == expected


@pytest.mark.parametrize(
    ("days", "today", "colour"),
    [
        (15, date(2026, 11, 10), Colour.GREEN),  # reached
        (8, date(2026, 11, 16), Colour.GREEN),  # on pace: 15 × 15/30 = 7.5
        (5, date(2026, 11, 16), Colour.YELLOW),  # behind pace, still reachable
        (3, date(2026, 11, 20), Colour.RED),  # 12 short, 11 days left
        (14, date(2026, 12, 1), Colour.RED),  # the month ended short
        (0, date(2026, 10, 20), Colour.GREEN),  # not begun
    ],
)
def test_the_month_colour(days, today, colour):
    status = rules.month_status(days, 15, NOV, today)
    assert status.colour == colour
    assert status.reason


@pytest.mark.parametrize("today", [date(2026, 11, 2), date(2026, 11, 12), date(2026, 11, 16)])
@pytest.mark.parametrize("done", [0, 3, 7])
def test_the_planner_meets_the_minimum_and_covers_every_unit(today, done):
    busy = {NOV + timedelta(days=offset) for offset in range(done)}
    units = [11, 12, 13, 14]
    stays = rules.plan_month(
        month=NOV, today=today, minimum=15, unit_ids=units, busy=busy, visited=set()
    )
    planned = rules.days_on_site([(s.start, s.end) for s in stays], NOV)
    assert not planned & busy
    assert all(day >= today for day in planned)
    assert len(planned | busy) >= 15
    assert {stay.unit_id for stay in stays} == set(units)
    # Working days first: weekends only when the working days run short.
    working_left = sum(
        1
        for offset in range((rules.month_end(NOV) - today).days + 1)
        if (today + timedelta(days=offset)).weekday() < 5
        and today + timedelta(days=offset) not in busy
    )
    if working_left >= 15 - done:
        assert all(day.weekday() < 5 for day in planned)


def test_the_planner_only_visits_units_still_unvisited_once_the_minimum_is_met():
    busy = {NOV + timedelta(days=offset) for offset in range(15)}
    stays = rules.plan_month(
        month=NOV, today=date(2026, 11, 16), minimum=15, unit_ids=[1, 2], busy=busy, visited={1}
    )
    assert [stay.unit_id for stay in stays] == [2]
    assert stays[0].days == 1


def test_the_planner_plans_what_it_can_when_the_month_is_nearly_over():
    stays = rules.plan_month(
        month=NOV, today=date(2026, 11, 29), minimum=15, unit_ids=[1], busy=set(), visited=set()
    )
    assert sum(stay.days for stay in stays) == 2  # the 29th and the 30th


def test_the_draw_reproduces_and_depends_on_the_seed():
    candidates = [[pk, f"单位{pk}"] for pk in range(1, 30)]
    first = rules.draw("seed-a", candidates, 5)
    assert rules.draw("seed-a", candidates, 5) == first
    assert len({pk for pk, _name in first}) == 5
    assert any(rules.draw(f"seed-{n}", candidates, 5) != first for n in range(5))
    assert len(rules.draw("seed-a", candidates[:3], 5)) == 3


@pytest.mark.parametrize(
    ("state", "deadline", "colour", "code"),
    [
        ("issued", date(2026, 11, 30), Colour.GREEN, "on_track"),
        ("acknowledged", date(2026, 11, 20), Colour.YELLOW, "due_soon"),
        ("returned", date(2026, 11, 15), Colour.RED, "overdue"),
        ("responded", date(2026, 11, 1), Colour.GREEN, "responded"),
        ("closed", date(2026, 11, 1), Colour.NONE, "closed"),
    ],
)
def test_an_orders_colour(state, deadline, colour, code):
    got, reason = rules.order_colour(
        state=state, deadline=deadline, today=date(2026, 11, 16), yellow_days=7
    )
    assert (got, reason["code"]) == (colour, code)
    assert rules.describe_order(reason)


def test_the_score_is_weighted_out_of_100():
    lines = [(10, 10, Decimal(10)), (30, 10, Decimal(5)), (60, 20, Decimal(20))]
    assert rules.score_total(lines) == Decimal("85.0")
    assert rules.score_total([]) == Decimal("0.0")
