"""The three-colour warning of rectification measures: the shared rule (``core.warnings``)
applied to a measure's state, progress and deadline, with its round's thresholds. A measure
without a deadline has no colour (the formalism signals list it)."""

from datetime import date

from django.utils.translation import gettext as _

from zhengdun.core import warnings as rule
from zhengdun.core.warnings import Colour, Thresholds
from zhengdun.selfcheck.models import Measure, MeasureState


def assess_measure(measure: Measure, today: date) -> tuple[str, dict]:
    """The colour of one measure on ``today`` and its reason (a dict with a ``code``)."""
    if measure.deadline is None:
        return Colour.NONE, {"code": "no_deadline"}
    return rule.assess(
        closed=measure.state in (MeasureState.COMPLETED, MeasureState.VERIFIED),
        progress=measure.progress,
        start=measure.start_date,
        due=measure.deadline,
        completed_on=measure.completed_on,
        today=today,
        thresholds=Thresholds.of(measure.round),
    )


def describe(reason: dict) -> str:
    """The reason in words, in the active language."""
    if reason.get("code") == "no_deadline":
        return _("no deadline")
    return rule.describe(reason)


def annotate(measure: Measure, today: date) -> Measure:
    """Attach the measure's live colour and its reason (code and words) for display."""
    colour, reason = assess_measure(measure, today)
    measure.live_colour, measure.reason_code, measure.reason = (
        colour,
        reason["code"],
        describe(reason),
    )
    return measure
