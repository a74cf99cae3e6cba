"""Reminders and escalation of three-colour warnings, for every module that has them.

A row (a task, a measure) stores its colour, the day it took it (``colour_since``) and how far
its notices have gone (``alert_level``). Yellow tells the responsible person; red tells the
nearest unit leader; red for the owner's ``escalate_days`` tells the campaign office. Each notice
is claimed first with a conditional update, so running the tick twice sends nothing twice, and
a new colour starts the ladder again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from zhengdun.core.warnings import Colour
from zhengdun.notify.actions import send
from zhengdun.org.queries import role_holders
from zhengdun.org.roles import Role

ALERT_NONE, ALERT_PERSON, ALERT_LEADER, ALERT_OFFICE = 0, 1, 2, 3


@dataclass(frozen=True)
class Ladder:
    """How one module's rows are announced. Notice kinds are ``{kind}.yellow``, ``{kind}.red``
    and ``{kind}.red_escalated``."""

    kind: str
    person: str  # the field holding the responsible Person ("lead", "owner")
    url: Callable[[object], str]
    reason: Callable[[object], str]  # the row's reason in words on the day it took its colour
    yellow_title: Callable[[object], str]
    red_title: Callable[[object], str]
    escalated_title: Callable[[object, int], str]


def _claim(row, level: int) -> bool:
    """Claim a notice for the row's current colour; False if an earlier run already did."""
    return bool(
        type(row)
        .objects.filter(
            pk=row.pk, colour=row.colour, colour_since=row.colour_since, alert_level__lt=level
        )
        .update(alert_level=level)
    )


def _notice(row, ladder: Ladder, kind: str, title: str, recipients) -> int:
    body = f"{row.unit.name} · {ladder.reason(row)}"
    return sum(
        send(
            recipient=user,
            kind=f"{ladder.kind}.{kind}",
            title=title,
            body=body,
            url=ladder.url(row),
            dedupe_key=f"{ladder.kind}.{kind}:{row.pk}:{row.colour_since}",
        )
        for user in recipients
    )


def escalate(rows: QuerySet, ladder: Ladder, *, on: date, escalate_days: int) -> int:
    """Send what is due for the open ``rows`` (with ``unit`` and the person's user selected)."""
    sent = 0
    person = ladder.person
    yellow = rows.filter(
        colour=Colour.YELLOW, alert_level__lt=ALERT_PERSON, **{f"{person}__user__isnull": False}
    )
    for row in yellow.iterator(chunk_size=1000):
        if _claim(row, ALERT_PERSON):
            user = getattr(row, person).user
            sent += _notice(row, ladder, "yellow", ladder.yellow_title(row), [user])
    red = rows.filter(colour=Colour.RED, alert_level__lt=ALERT_LEADER)
    for row in red.iterator(chunk_size=1000):
        if _claim(row, ALERT_LEADER):
            leaders = role_holders(Role.UNIT_LEADER, row.unit_path, nearest=True)
            sent += _notice(row, ladder, "red", ladder.red_title(row), leaders)
    long_red = rows.filter(
        colour=Colour.RED,
        alert_level__lt=ALERT_OFFICE,
        colour_since__lte=on - timedelta(days=escalate_days),
    )
    for row in long_red.iterator(chunk_size=1000):
        if _claim(row, ALERT_OFFICE):
            office = role_holders(Role.OFFICE, row.unit_path, nearest=False)
            title = ladder.escalated_title(row, (on - row.colour_since).days)
            sent += _notice(row, ladder, "red_escalated", title, office)
    return sent
