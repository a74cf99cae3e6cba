"""The three-colour rule of DESIGN.md, at its boundaries."""

from datetime import date

import pytest
from django.utils import translation

from zhengdun.campaigns.models import Colour, TaskState
from zhengdun.campaigns.warnings import Thresholds, assess, describe, expected_progress

START, DUE = date(2026, 11, 1), date(2026, 12, 1)  # 30 days


DEFAULT = Thresholds()


def colour(progress, today, state=TaskState.STARTED, completed_on=None, thresholds=DEFAULT):
    return assess(
        state=state,
        progress=progress,
        start=START,
        due=DUE,
        completed_on=completed_on,
        today=today,
        thresholds=thresholds,
    )


def test_expected_progress_is_the_elapsed_share_of_the_window():
    assert expected_progress(START, DUE, date(2026, 10, 1)) == 0
    assert expected_progress(START, DUE, START) == 0
    assert expected_progress(START, DUE, date(2026, 11, 16)) == 50
    assert expected_progress(START, DUE, DUE) == 100
    assert expected_progress(START, DUE, date(2027, 1, 1)) == 100


def test_past_due_and_not_completed_is_red_with_days_in_words():
    found, reason = colour(40, date(2026, 12, 4))
    assert found == Colour.RED
    assert reason == {"code": "overdue", "days": 3, "progress": 40}
    with translation.override("zh-hans"):
        assert describe(reason) == "已逾期 3 天，完成 40%"


def test_due_today_is_not_yet_overdue():
    found, reason = colour(100, DUE)
    assert found == Colour.GREEN
    found, reason = colour(79, DUE)
    assert found == Colour.YELLOW and reason["code"] == "due_soon" and reason["days"] == 0


@pytest.mark.parametrize(
    ("progress", "expected_colour"),
    [(19, Colour.RED), (20, Colour.YELLOW), (39, Colour.YELLOW), (40, Colour.GREEN)],
)
def test_behind_schedule_thresholds_are_strict(progress, expected_colour):
    # Half-way through the window: expected 50 %. More than 30 behind is red, more than 10 yellow.
    found, _reason = colour(progress, date(2026, 11, 16))
    assert found == expected_colour


def test_due_within_seven_days_and_under_eighty_percent_is_yellow():
    assert colour(79, date(2026, 11, 24))[0] == Colour.YELLOW  # 7 days left, expected 77
    assert colour(80, date(2026, 11, 24))[0] == Colour.GREEN
    assert colour(79, date(2026, 11, 23))[0] == Colour.GREEN  # 8 days left, expected 73


def test_red_reason_says_points_behind():
    found, reason = colour(10, date(2026, 11, 16))
    assert found == Colour.RED
    with translation.override("zh-hans"):
        assert describe(reason) == "落后进度 40 个百分点，完成 10%"


def test_completed_is_green_and_late_completion_is_recorded():
    found, reason = colour(100, date(2026, 12, 10), TaskState.COMPLETED, date(2026, 12, 3))
    assert found == Colour.GREEN
    assert reason == {"code": "completed_late", "days": 2}
    assert colour(100, date(2026, 12, 10), TaskState.COMPLETED, DUE)[1]["code"] == "completed"


def test_cancelled_has_no_colour():
    assert colour(0, date(2027, 1, 1), TaskState.CANCELLED)[0] == Colour.NONE


def test_thresholds_are_per_campaign():
    strict = Thresholds(red_behind=5, yellow_behind=2, yellow_days=14, yellow_progress=95)
    assert colour(44, date(2026, 11, 16), thresholds=strict)[0] == Colour.RED
    assert colour(47, date(2026, 11, 16), thresholds=strict)[0] == Colour.YELLOW
    assert colour(90, date(2026, 11, 20), thresholds=strict)[0] == Colour.YELLOW  # 11 days left
