"""The three-colour warning (三色预警), exactly as DESIGN.md defines it.

A task's expected progress is the elapsed fraction of its start→due window. Red: past due and
not completed, or more than ``red_behind`` points behind expected. Yellow: due within
``yellow_days`` and under ``yellow_progress`` %, or more than ``yellow_behind`` points behind.
Green otherwise. Completed tasks are green (late completions are recorded as such); cancelled
tasks have no colour.

The reason is kept as a code with its numbers and put into words in the reader's language.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengdun.campaigns.models import Colour, TaskState


@dataclass(frozen=True)
class Thresholds:
    red_behind: int = 30
    yellow_behind: int = 10
    yellow_days: int = 7
    yellow_progress: int = 80

    @classmethod
    def of(cls, campaign) -> "Thresholds":
        return cls(
            red_behind=campaign.red_behind,
            yellow_behind=campaign.yellow_behind,
            yellow_days=campaign.yellow_days,
            yellow_progress=campaign.yellow_progress,
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
    state: str,
    progress: int,
    start: date,
    due: date,
    completed_on: date | None,
    today: date,
    thresholds: Thresholds,
) -> tuple[str, dict]:
    """The colour and its reason ({"code": ..., numbers}) of one task on ``today``."""
    if state == TaskState.CANCELLED:
        return Colour.NONE, {"code": "cancelled"}
    if state == TaskState.COMPLETED:
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


def assess_task(task, today: date, thresholds: Thresholds | None = None) -> tuple[str, dict]:
    """``assess`` for a task row (its campaign's thresholds unless given)."""
    return assess(
        state=task.state,
        progress=task.progress,
        start=task.start_date,
        due=task.due_date,
        completed_on=task.completed_on,
        today=today,
        thresholds=thresholds or Thresholds.of(task.campaign),
    )


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


def annotate(task, today: date):
    """Attach the task's live colour and its reason (code and words) for display."""
    task.live_colour, reason = assess_task(task, today)
    task.reason_code = reason["code"]
    task.reason = describe(reason)
    return task
