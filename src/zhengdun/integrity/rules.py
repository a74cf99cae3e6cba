"""The clocks of a clue and its three-colour warning.

Three clocks, each configurable in the settings (days):

- ``INTEGRITY_ACK_DAYS`` (7): acknowledgement to the reporter of a clue from the portal, the
  telephone, a letter or a visit;
- ``INTEGRITY_CONTACT_DAYS`` (30): contact with a named reporter;
- ``INTEGRITY_CONCLUDE_DAYS`` (90): conclusion (triage may set an earlier due date).

A clock still running is red once past due, yellow within its warning days
(``INTEGRITY_YELLOW_DAYS``, per clock) and green otherwise; the clue takes the worst of its
running clocks (the earliest due one on a tie). A concluded or archived clue is green. Red for
``INTEGRITY_ESCALATE_DAYS`` (7) days sends a further notice to the discipline head.
"""

from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengdun.core.warnings import COLOUR_RANK, Colour

DEFAULT_YELLOW_DAYS = {"ack": 2, "contact": 7, "conclusion": 14}


def ack_days() -> int:
    return int(getattr(settings, "INTEGRITY_ACK_DAYS", 7))


def contact_days() -> int:
    return int(getattr(settings, "INTEGRITY_CONTACT_DAYS", 30))


def conclude_days() -> int:
    return int(getattr(settings, "INTEGRITY_CONCLUDE_DAYS", 90))


def escalate_days() -> int:
    return int(getattr(settings, "INTEGRITY_ESCALATE_DAYS", 7))


def yellow_days(clock: str) -> int:
    configured = getattr(settings, "INTEGRITY_YELLOW_DAYS", {}) or {}
    return int(configured.get(clock, DEFAULT_YELLOW_DAYS[clock]))


def clocks(clue) -> list[tuple[str, date]]:
    """The clue's running clocks as (name, due date)."""
    from zhengdun.integrity.models import OPEN_STATES

    if clue.state not in OPEN_STATES:
        return []
    running = []
    if clue.ack_due and not clue.acknowledged_on:
        running.append(("ack", clue.ack_due))
    if clue.contact_due and not clue.contacted_on:
        running.append(("contact", clue.contact_due))
    running.append(("conclusion", clue.due_on))
    return running


def colour_of(clue, today: date) -> tuple[str, dict]:
    """The colour on ``today`` and its reason ({"code", "clock", "days"})."""
    worst: tuple[int, date, str, dict] | None = None
    for clock, due in clocks(clue):
        left = (due - today).days
        if left < 0:
            colour, reason = Colour.RED, {"code": "overdue", "clock": clock, "days": -left}
        elif left <= yellow_days(clock):
            colour, reason = Colour.YELLOW, {"code": "due_soon", "clock": clock, "days": left}
        else:
            colour, reason = Colour.GREEN, {"code": "on_track", "clock": clock, "days": left}
        key = (-COLOUR_RANK[colour], due, colour, reason)
        if worst is None or key[:2] < worst[:2]:
            worst = key
    if worst is None:
        return Colour.GREEN, {"code": "closed"}
    return worst[2], worst[3]


CLOCK_LABELS = {
    "ack": lambda: _("acknowledgement to the reporter"),
    "contact": lambda: _("contact with the reporter"),
    "conclusion": lambda: _("conclusion"),
}


def describe(reason: dict) -> str:
    code = reason.get("code")
    if code == "closed" or not code:
        return _("concluded")
    clock = CLOCK_LABELS.get(reason.get("clock", ""), lambda: "")()
    days = int(reason.get("days", 0))
    if code == "overdue":
        return ngettext(
            "%(clock)s overdue by %(days)d day", "%(clock)s overdue by %(days)d days", days
        ) % {"clock": clock, "days": days}
    if code == "due_soon":
        if days == 0:
            return _("%(clock)s due today") % {"clock": clock}
        return ngettext("%(clock)s due in %(days)d day", "%(clock)s due in %(days)d days", days) % {
            "clock": clock,
            "days": days,
        }
    return ngettext("%(clock)s due in %(days)d day", "%(clock)s due in %(days)d days", days) % {
        "clock": clock,
        "days": days,
    }


def initial_dues(*, received_on: date, has_reporter: bool, named: bool) -> dict:
    return {
        "due_on": received_on + timedelta(days=conclude_days()),
        "ack_due": received_on + timedelta(days=ack_days()) if has_reporter else None,
        "contact_due": received_on + timedelta(days=contact_days()) if named else None,
    }
