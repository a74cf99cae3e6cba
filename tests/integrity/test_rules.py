"""The clock colours and the small-count suppression, without a database."""

from datetime import date, timedelta
from types import SimpleNamespace

from zhengdun.integrity import rules
from zhengdun.integrity.queries import _suppress

DAY = date(2026, 11, 16)


def clue(**fields):
    values = {
        "state": "triaged",
        "due_on": DAY + timedelta(days=60),
        "ack_due": None,
        "acknowledged_on": None,
        "contact_due": None,
        "contacted_on": None,
    }
    values.update(fields)
    return SimpleNamespace(**values)


def test_the_worst_running_clock_wins():
    row = clue(ack_due=DAY - timedelta(days=1), contact_due=DAY + timedelta(days=3))
    colour, reason = rules.colour_of(row, DAY)
    assert colour == "red" and reason["clock"] == "ack"
    row.acknowledged_on = DAY
    colour, reason = rules.colour_of(row, DAY)
    assert colour == "yellow" and reason == {"code": "due_soon", "clock": "contact", "days": 3}
    row.contacted_on = DAY
    assert rules.colour_of(row, DAY)[0] == "green"


def test_closed_clues_are_green():
    assert rules.colour_of(clue(state="concluded", due_on=DAY - timedelta(days=9)), DAY) == (
        "green",
        {"code": "closed"},
    )


def test_small_counts_are_hidden_and_cannot_be_recovered_from_the_total():
    rows, total = _suppress([("a", 10), ("b", 1), ("c", 5)], 16)
    assert rows == [("a", 10), ("b", None), ("c", None)]  # b alone would follow from the total
    assert total == 16
    rows, total = _suppress([("a", 2), ("b", 0)], 2)
    assert rows == [("a", None), ("b", None)] and total is None
    rows, total = _suppress([("a", 3), ("b", 4)], 7)
    assert rows == [("a", 3), ("b", 4)] and total == 7
