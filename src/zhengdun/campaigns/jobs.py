"""The campaigns' part of the daily tick: colours move with time, notices go out once."""

import logging
from datetime import date

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengdun.campaigns import tally
from zhengdun.campaigns.actions import refresh_colours
from zhengdun.campaigns.models import (
    OPEN_STATES,
    Campaign,
    CampaignStatus,
    Task,
)
from zhengdun.campaigns.warnings import assess_task, describe
from zhengdun.core.escalation import Ladder, escalate
from zhengdun.notify import tick
from zhengdun.notify.actions import send

log = logging.getLogger(__name__)


def _running(on: date):
    return Campaign.objects.filter(status=CampaignStatus.ACTIVE, start_date__lte=on)


@tick.register("campaigns.1_colours")
def colours(on: date) -> int:
    """Recount every running campaign's tallies (reporting drift), then move colours to today."""
    changed = 0
    for campaign in _running(on):
        drift = tally.recount(campaign.pk)
        if drift:
            log.warning(
                "campaign %s: %d tally rows had drifted: %s", campaign.pk, len(drift), drift
            )
            _tell_admins(campaign, len(drift))
        changed += refresh_colours(campaign, on)
    return changed


def _tell_admins(campaign: Campaign, rows: int) -> None:
    for admin in get_user_model().objects.filter(is_superuser=True, is_active=True):
        send(
            recipient=admin,
            kind="campaigns.tally_drift",
            title=_("Campaign counts were out of step and have been recounted"),
            body=_("%(campaign)s: %(rows)d rows differed.")
            % {"campaign": campaign.name, "rows": rows},
            dedupe_key=f"campaigns.tally_drift:{campaign.pk}:{rows}",
        )


LADDER = Ladder(
    kind="campaigns.task",
    person="lead",
    url=lambda task: reverse("campaigns:task_detail", args=[task.pk]),
    reason=lambda task: describe(assess_task(task, task.colour_since)[1]),
    yellow_title=lambda task: _("Yellow warning: %(task)s") % {"task": task.title},
    red_title=lambda task: _("Red warning: %(task)s") % {"task": task.title},
    escalated_title=lambda task, days: (
        _("Red for %(days)d days: %(task)s") % {"days": days, "task": task.title}
    ),
)


@tick.register("campaigns.2_reminders")
def reminders(on: date) -> int:
    """Yellow: the task's lead. Red: the unit's leader. Red for ``escalate_days``: the office
    (``core.escalation``)."""
    sent = 0
    for campaign in _running(on):
        tasks = Task.objects.filter(campaign=campaign, state__in=OPEN_STATES).select_related(
            "campaign", "unit", "lead__user"
        )
        sent += escalate(tasks, LADDER, on=on, escalate_days=campaign.escalate_days)
    return sent
