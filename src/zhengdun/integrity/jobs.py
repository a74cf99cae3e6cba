"""Integrity's part of the daily tick: the clocks of open clues move with time (acknowledgement
within 7 days, contact with a named reporter within 30, conclusion within 90), and reminders go
to the clue's handlers and, once red, to the discipline head.

Not ``core.escalation``'s ladder: that one tells the unit's leaders and the office, who must
never learn of a clue. Each notice is claimed first with a conditional update of the clue's
``alert_level`` for its current colour, and sent with a dedupe key, so a second run on the same
day sends nothing; a new colour starts again.
"""

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengdun.core.escalation import ALERT_LEADER, ALERT_OFFICE, ALERT_PERSON
from zhengdun.core.warnings import Colour
from zhengdun.integrity import rules
from zhengdun.integrity.actions import log_intake, refresh_clues
from zhengdun.integrity.models import OPEN_STATES, Clue, ClueHandler
from zhengdun.integrity.permissions import heads, may_see
from zhengdun.notify import tick
from zhengdun.notify.actions import send


def _claim(clue: Clue, level: int) -> bool:
    return bool(
        Clue.objects.filter(
            pk=clue.pk,
            colour=clue.colour,
            colour_since=clue.colour_since,
            alert_level__lt=level,
        ).update(alert_level=level)
    )


def _handlers(clue: Clue) -> list:
    return [
        handler.user
        for handler in ClueHandler.objects.filter(
            clue=clue, active=True, user__is_active=True
        ).select_related("user")
    ]


def _notify(clue: Clue, users, step: str, title: str) -> int:
    url = reverse("integrity:clue_detail", args=[clue.pk])
    body = f"{clue.number} · {rules.describe(clue.warning)}"
    sent = 0
    for user in {user.pk: user for user in users}.values():
        if not may_see(user, clue):  # never the subject, whoever they are
            continue
        sent += send(
            recipient=user,
            kind=f"integrity.clue.{step}",
            title=title,
            body=body,
            url=url,
            dedupe_key=f"integrity.clue.{step}:{clue.pk}:{clue.colour_since}",
        )
    return sent


@tick.register("integrity.0_intake")
def intake(on: date) -> int:
    return log_intake(on)


@tick.register("integrity.1_clocks")
def clocks(on: date) -> int:
    return refresh_clues(on)


@tick.register("integrity.2_reminders")
def reminders(on: date) -> int:
    sent = 0
    rows = Clue.objects.filter(state__in=OPEN_STATES)
    head_list = list(heads())
    for clue in rows.filter(colour=Colour.YELLOW, alert_level__lt=ALERT_PERSON).iterator():
        if _claim(clue, ALERT_PERSON):
            # Nobody assigned yet: the head triages.
            users = _handlers(clue) or head_list
            title = _("Clue due soon: %(number)s") % {"number": clue.number}
            sent += _notify(clue, users, "yellow", title)
    for clue in rows.filter(colour=Colour.RED, alert_level__lt=ALERT_LEADER).iterator():
        if _claim(clue, ALERT_LEADER):
            title = _("Clue overdue: %(number)s") % {"number": clue.number}
            sent += _notify(clue, [*_handlers(clue), *head_list], "red", title)
    long_red = rows.filter(
        colour=Colour.RED,
        alert_level__lt=ALERT_OFFICE,
        colour_since__lte=on - timedelta(days=rules.escalate_days()),
    )
    for clue in long_red.iterator():
        if _claim(clue, ALERT_OFFICE):
            title = _("Clue red for %(days)d days: %(number)s") % {
                "days": (on - clue.colour_since).days,
                "number": clue.number,
            }
            sent += _notify(clue, head_list, "red_escalated", title)
    return sent
