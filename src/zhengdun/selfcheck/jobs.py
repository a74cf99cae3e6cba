"""Self-inspection's part of the daily tick: measures' colours and buckets move with time,
reminders go out once per colour, and the formalism detectors run."""

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengdun.core.escalation import Ladder, escalate
from zhengdun.notify import tick
from zhengdun.notify.actions import send
from zhengdun.selfcheck import tally
from zhengdun.selfcheck.actions import refresh_measures
from zhengdun.selfcheck.models import Measure, Round, RoundStatus
from zhengdun.selfcheck.warnings import assess_measure, describe

log = logging.getLogger(__name__)


def _open_rounds(on: date):
    return Round.objects.filter(status=RoundStatus.OPEN, opened_on__lte=on)


@tick.register("selfcheck.1_measures")
def measures(on: date) -> int:
    changed = 0
    for round_ in _open_rounds(on):
        drift = tally.recount(round_.pk)
        if drift:
            log.warning("round %s: %d ledger tally rows had drifted", round_.pk, len(drift))
            for admin in get_user_model().objects.filter(is_superuser=True, is_active=True):
                send(
                    recipient=admin,
                    kind="selfcheck.tally_drift",
                    title=_("Ledger counts were out of step and have been recounted"),
                    body=_("%(round)s: %(rows)d rows differed.")
                    % {"round": round_.name, "rows": len(drift)},
                    dedupe_key=f"selfcheck.tally_drift:{round_.pk}:{on}",
                )
        changed += refresh_measures(round_, on)
    return changed


LADDER = Ladder(
    kind="selfcheck.measure",
    person="owner",
    url=lambda measure: reverse("selfcheck:measure_detail", args=[measure.pk]),
    reason=lambda measure: describe(assess_measure(measure, measure.colour_since)[1]),
    yellow_title=lambda measure: (
        _("Rectification due soon: %(text)s") % {"text": measure.text[:40]}
    ),
    red_title=lambda measure: (
        _("Rectification overdue or far behind: %(text)s") % {"text": measure.text[:40]}
    ),
    escalated_title=lambda measure, days: (
        _("Rectification red for %(days)d days: %(text)s")
        % {"days": days, "text": measure.text[:40]}
    ),
)


@tick.register("selfcheck.2_reminders")
def reminders(on: date) -> int:
    """Yellow: the responsible person. Red: the unit's leader. Red for the round's escalation
    days: the campaign office (``core.escalation``)."""
    sent = 0
    for round_ in _open_rounds(on):
        rows = Measure.objects.filter(
            round=round_, live=True, state__in=("open", "in_progress")
        ).select_related("round", "unit", "owner__user")
        sent += escalate(rows, LADDER, on=on, escalate_days=round_.escalate_days)
    return sent


@tick.register("selfcheck.3_formalism")
def formalism_signals(on: date) -> int:
    """The formalism detectors over every open round (they replace its signals; no notices)."""
    from zhengdun.selfcheck import formalism

    for round_ in _open_rounds(on):
        formalism.run(round_)
    return 0
