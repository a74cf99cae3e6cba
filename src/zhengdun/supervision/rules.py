"""The rules of supervision as plain functions: days on site against the monthly minimum, the
month planner, the reproducible draw, the colour of a follow-up order and a scorecard's total.

Nothing here touches the database; ``queries`` and ``actions`` feed it rows.
"""

import calendar
import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengdun.core.warnings import Colour

# --- months -------------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def parse_month(text: str) -> date | None:
    """ "2026-11" -> 2026-11-01; None if it is not a month."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except (ValueError, AttributeError):
        return None


def next_month(month: date) -> date:
    return (month_end(month) + timedelta(days=1)).replace(day=1)


# --- the 15-day rule ----------------------------------------------------------------------


def days_on_site(spans: Iterable[tuple[date, date]], month: date) -> set[date]:
    """The distinct days of ``month`` covered by any of the (first, last) spans: a multi-day
    stay counts each of its days, overlapping visits count a day once, and the part of a
    visit outside the month does not count."""
    first, last = month, month_end(month)
    days: set[date] = set()
    for start, end in spans:
        day = max(start, first)
        stop = min(end, last)
        while day <= stop:
            days.add(day)
            day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class MonthStatus:
    days: int
    minimum: int
    colour: str
    reason: str


def month_status(days: int, minimum: int, month: date, today: date) -> MonthStatus:
    """Red when the minimum can no longer be reached (or was missed); yellow when behind the
    pace the month's elapsed part asks for; green when on pace or reached."""
    last = month_end(month)
    if days >= minimum:
        return MonthStatus(days, minimum, Colour.GREEN, _("minimum reached"))
    if today < month:
        return MonthStatus(days, minimum, Colour.GREEN, _("month not begun"))
    remaining = 0 if today > last else (last - today).days + 1
    short = minimum - days
    if short > remaining:
        if today > last:
            reason = ngettext(
                "month ended %(short)d day short", "month ended %(short)d days short", short
            ) % {"short": short}
        else:
            reason = ngettext(
                "%(short)d day short, only %(left)d left in the month",
                "%(short)d days short, only %(left)d left in the month",
                short,
            ) % {"short": short, "left": remaining}
        return MonthStatus(days, minimum, Colour.RED, reason)
    elapsed = (today - month).days  # whole days before today
    expected = minimum * elapsed / last.day
    if days < expected:
        return MonthStatus(
            days,
            minimum,
            Colour.YELLOW,
            _("behind pace: %(days)d of %(expected)d expected by now")
            % {"days": days, "expected": round(expected)},
        )
    return MonthStatus(days, minimum, Colour.GREEN, _("on pace"))


# --- the month planner --------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedStay:
    unit_id: int
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def plan_month(
    *,
    month: date,
    today: date,
    minimum: int,
    unit_ids: Sequence[int],
    busy: set[date],
    visited: set[int],
) -> list[PlannedStay]:
    """Propose stays that bring the group's days on site in ``month`` to at least ``minimum``
    and visit every assigned unit not yet visited this month.

    Free days are the month's days from ``today`` (working days first) not already ``busy``;
    the units still to visit share the days needed, each in one consecutive run of free days
    (a resident stay), in the order given. When the free working days run short, weekend days
    are used; when all free days run short, the plan covers what it can.
    """
    first = max(month, today)
    last = month_end(month)
    free = [
        first + timedelta(days=offset)
        for offset in range((last - first).days + 1)
        if first + timedelta(days=offset) not in busy
    ]
    working = [day for day in free if day.weekday() < 5]
    needed = max(minimum - len(busy), 0)
    to_visit = [unit for unit in unit_ids if unit not in visited]
    if not to_visit and needed:
        to_visit = list(unit_ids)
    if not to_visit:
        return []
    total = max(needed, len(to_visit))
    pool = working if len(working) >= total else free
    total = min(total, len(pool))
    if total == 0:
        return []
    units = to_visit[:total]
    share, extra = divmod(total, len(units))
    stays: list[PlannedStay] = []
    index = 0
    for position, unit in enumerate(units):
        length = share + (1 if position < extra else 0)
        days = pool[index : index + length]
        index += length
        # Split into runs of consecutive days: each run is one stay.
        run_start = previous = days[0]
        for day in days[1:]:
            if day != previous + timedelta(days=1):
                stays.append(PlannedStay(unit, run_start, previous))
                run_start = day
            previous = day
        stays.append(PlannedStay(unit, run_start, previous))
    return stays


# --- the draw -------------------------------------------------------------------------------


def draw(seed: str, candidates: Sequence, count: int) -> list:
    """``count`` of the candidates (all of them if fewer), picked by a generator seeded from
    the seed: the same seed and candidate list always give the same result."""
    generator = random.Random(int(hashlib.sha256(seed.encode()).hexdigest(), 16))
    return generator.sample(list(candidates), min(count, len(candidates)))


# --- follow-up orders ---------------------------------------------------------------------


def order_colour(*, state: str, deadline: date, today: date, yellow_days: int) -> tuple[str, dict]:
    """Closed: no colour. Answered and waiting for verification: green (the unit has done its
    part). Otherwise red past the deadline, yellow when due within ``yellow_days``, else green."""
    if state == "closed":
        return Colour.NONE, {"code": "closed"}
    if state == "responded":
        return Colour.GREEN, {"code": "responded"}
    left = (deadline - today).days
    if left < 0:
        return Colour.RED, {"code": "overdue", "days": -left}
    if left <= yellow_days:
        return Colour.YELLOW, {"code": "due_soon", "days": left}
    return Colour.GREEN, {"code": "on_track", "days": left}


def describe_order(reason: dict) -> str:
    code, days = reason.get("code"), reason.get("days", 0)
    if code == "overdue":
        return ngettext("overdue by %(days)d day", "overdue by %(days)d days", days) % {
            "days": days
        }
    if code == "due_soon":
        if days == 0:
            return _("due today")
        return ngettext("due in %(days)d day", "due in %(days)d days", days) % {"days": days}
    if code == "on_track":
        return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    if code == "responded":
        return _("answered, to verify")
    if code == "closed":
        return _("closed")
    return ""


# --- scorecards -----------------------------------------------------------------------------


def score_total(lines: Iterable[tuple[int, int, Decimal]]) -> Decimal:
    """(weight, maximum points, points) per aspect -> the weighted score out of 100."""
    weighted = Decimal(0)
    weights = 0
    for weight, maximum, points in lines:
        weights += weight
        if maximum:
            weighted += Decimal(weight) * Decimal(points) / Decimal(maximum)
    if not weights:
        return Decimal("0.0")
    return (weighted * 100 / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
