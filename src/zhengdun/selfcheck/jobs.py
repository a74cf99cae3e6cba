"""Self-inspection's part of the daily tick: measures' colours and buckets move with time,
reminders go out once per colour, and the formalism detectors run."""

import logging
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengdun.core.warnings import Colour
from zhengdun.notify import tick
from zhengdun.notify.actions import send
from zhengdun.org.queries import role_holders
from zhengdun.org.roles import Role
from zhengdun.selfcheck import tally
from zhengdun.selfcheck.actions import refresh_measures
from zhengdun.selfcheck.models import Measure, Round, RoundStatus
from zhengdun.selfcheck.warnings import assess_measure, describe

log = logging.getLogger(__name__)

ALERT_OWNER, ALERT_LEADER, ALERT_OFFICE = 1, 2, 3


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


def _claim(measure: Measure, level: int) -> bool:
    return bool(
        Measure.objects.filter(
            pk=measure.pk,
            colour=measure.colour,
            colour_since=measure.colour_since,
            alert_level__lt=level,
        ).update(alert_level=level)
    )


def _notice(measure: Measure, kind: str, title: str, recipients) -> int:
    _colour, reason = assess_measure(measure, measure.colour_since)
    url = reverse("selfcheck:measure_detail", args=[measure.pk])
    body = f"{measure.unit.name} · {describe(reason)}"
    return sum(
        send(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            dedupe_key=f"{kind}:{measure.pk}:{measure.colour_since}",
        )
        for user in recipients
    )


@tick.register("selfcheck.2_reminders")
def reminders(on: date) -> int:
    """Yellow: the responsible person. Red: the unit's leader. Red for the round's escalation
    days: the campaign office. Each is claimed first, so a second run sends nothing."""
    sent = 0
    for round_ in _open_rounds(on):
        rows = Measure.objects.filter(
            round=round_, live=True, state__in=("open", "in_progress")
        ).select_related("round", "unit", "owner__user")
        yellow = rows.filter(
            colour=Colour.YELLOW, alert_level__lt=ALERT_OWNER, owner__user__isnull=False
        )
        for measure in yellow.iterator(chunk_size=1000):
            if _claim(measure, ALERT_OWNER):
                title = _("Rectification due soon: %(text)s") % {"text": measure.text[:40]}
                sent += _notice(measure, "selfcheck.measure.yellow", title, [measure.owner.user])
        for measure in rows.filter(colour=Colour.RED, alert_level__lt=ALERT_LEADER).iterator(
            chunk_size=1000
        ):
            if _claim(measure, ALERT_LEADER):
                title = _("Rectification overdue or far behind: %(text)s") % {
                    "text": measure.text[:40]
                }
                leaders = role_holders(Role.UNIT_LEADER, measure.unit_path, nearest=True)
                sent += _notice(measure, "selfcheck.measure.red", title, leaders)
        late = rows.filter(
            colour=Colour.RED,
            alert_level__lt=ALERT_OFFICE,
            colour_since__lte=on - timedelta(days=round_.escalate_days),
        )
        for measure in late.iterator(chunk_size=1000):
            if _claim(measure, ALERT_OFFICE):
                days = (on - measure.colour_since).days
                title = _("Rectification red for %(days)d days: %(text)s") % {
                    "days": days,
                    "text": measure.text[:40],
                }
                office = role_holders(Role.OFFICE, measure.unit_path, nearest=False)
                sent += _notice(measure, "selfcheck.measure.red_escalated", title, office)
    return sent


@tick.register("selfcheck.3_formalism")
def formalism_signals(on: date) -> int:
    """The formalism detectors over every open round (they replace its signals; no notices)."""
    from zhengdun.selfcheck import formalism

    for round_ in _open_rounds(on):
        formalism.run(round_)
    return 0
