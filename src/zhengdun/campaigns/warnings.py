"""The three-colour warning of campaign tasks: the shared rule (``core.warnings``) applied to
a task's state, progress and dates, with its campaign's thresholds."""

from datetime import date

from zhengdun.campaigns.models import TaskState
from zhengdun.core import warnings as rule
from zhengdun.core.warnings import Thresholds, describe, expected_progress

__all__ = ["Thresholds", "annotate", "assess", "assess_task", "describe", "expected_progress"]


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
    """The colour and its reason of one task on ``today``."""
    return rule.assess(
        closed=state == TaskState.COMPLETED,
        cancelled=state == TaskState.CANCELLED,
        progress=progress,
        start=start,
        due=due,
        completed_on=completed_on,
        today=today,
        thresholds=thresholds,
    )


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


def annotate(task, today: date):
    """Attach the task's live colour and its reason (code and words) for display."""
    task.live_colour, reason = assess_task(task, today)
    task.reason_code = reason["code"]
    task.reason = describe(reason)
    return task
