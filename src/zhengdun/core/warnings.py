"""The three-colour warning (三色预警), exactly as DESIGN.md defines it, for anything with a
start, a due date and a progress percentage: campaign tasks, rectification measures.

Expected progress is the elapsed fraction of the start→due window. Red: past due and not
closed, or more than ``red_behind`` points behind expected. Yellow: due within ``yellow_days``
and under ``yellow_progress`` %, or more than ``yellow_behind`` points behind. Green otherwise.
Closed (completed) work is green, late completions are recorded as such; cancelled work has no
colour.

The reason is kept as a code with its numbers and put into words in the reader's language.
"""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext


class Colour(models.TextChoices):
    GREEN = "green", gettext_lazy("Green")
    YELLOW = "yellow", gettext_lazy("Yellow")
    RED = "red", gettext_lazy("Red")
    NONE = "none", gettext_lazy("None")  # cancelled work takes no colour


COLOUR_RANK = {Colour.NONE: 0, Colour.GREEN: 1, Colour.YELLOW: 2, Colour.RED: 3}


@dataclass(frozen=True)
class Thresholds:
    red_behind: int = 30
    yellow_behind: int = 10
    yellow_days: int = 7
    yellow_progress: int = 80

    @classmethod
    def of(cls, owner) -> "Thresholds":
        """The thresholds an owner (a campaign, a self-inspection round) carries."""
        return cls(
            red_behind=owner.red_behind,
            yellow_behind=owner.yellow_behind,
            yellow_days=owner.yellow_days,
            yellow_progress=owner.yellow_progress,
        )


def expected_progress(start: date, due: date, today: date) -> int:
    """Elapsed share of the start→due window, in whole percent (0 before the start, 100 at due)."""
    if today <= start:
        return 0
    if today >= due:
        return 100
    total = (due - start).days
    return round(100 * (today - start).days / total) if total > 0 else 100


def assess(
    *,
    closed: bool,
    progress: int,
    start: date,
    due: date,
    completed_on: date | None,
    today: date,
    thresholds: Thresholds,
    cancelled: bool = False,
) -> tuple[str, dict]:
    """The colour and its reason ({"code": ..., numbers}) on ``today``."""
    if cancelled:
        return Colour.NONE, {"code": "cancelled"}
    if closed:
        late = completed_on is not None and completed_on > due
        days = (completed_on - due).days if late else 0
        return Colour.GREEN, {"code": "completed_late" if late else "completed", "days": days}
    expected = expected_progress(start, due, today)
    behind = expected - progress
    days_left = (due - today).days
    if days_left < 0:
        return Colour.RED, {"code": "overdue", "days": -days_left, "progress": progress}
    if behind > thresholds.red_behind:
        return Colour.RED, {"code": "behind", "points": behind, "progress": progress}
    if days_left <= thresholds.yellow_days and progress < thresholds.yellow_progress:
        return Colour.YELLOW, {"code": "due_soon", "days": days_left, "progress": progress}
    if behind > thresholds.yellow_behind:
        return Colour.YELLOW, {"code": "behind", "points": behind, "progress": progress}
    return Colour.GREEN, {"code": "on_track", "progress": progress, "expected": expected}


def describe(warning: dict) -> str:
    """The reason in words, in the active language."""
    code = warning.get("code")
    days = warning.get("days", 0)
    progress = warning.get("progress", 0)
    if code == "overdue":
        return ngettext(
            "due %(days)d day ago, %(progress)d %% done",
            "due %(days)d days ago, %(progress)d %% done",
            days,
        ) % {"days": days, "progress": progress}
    if code == "behind":
        return _("%(points)d points behind schedule, %(progress)d %% done") % {
            "points": warning.get("points", 0),
            "progress": progress,
        }
    if code == "due_soon":
        if days == 0:
            return _("due today, %(progress)d %% done") % {"progress": progress}
        return ngettext(
            "due in %(days)d day, %(progress)d %% done",
            "due in %(days)d days, %(progress)d %% done",
            days,
        ) % {"days": days, "progress": progress}
    if code == "on_track":
        return _("on schedule, %(progress)d %% done") % {"progress": progress}
    if code == "completed":
        return _("completed on time")
    if code == "completed_late":
        return ngettext("completed %(days)d day late", "completed %(days)d days late", days) % {
            "days": days
        }
    if code == "cancelled":
        return _("cancelled")
    return ""
