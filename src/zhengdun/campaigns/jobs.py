"""The campaigns' part of the daily tick: colours move with time, notices go out once."""

import logging
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from zhengdun.campaigns import tally
from zhengdun.campaigns.actions import refresh_colours
from zhengdun.campaigns.models import (
    ALERT_LEAD,
    ALERT_LEADER,
    ALERT_OFFICE,
    OPEN_STATES,
    Campaign,
    CampaignStatus,
    Colour,
    Task,
)
from zhengdun.campaigns.warnings import assess_task, describe
from zhengdun.notify import tick
from zhengdun.notify.actions import send
from zhengdun.org.queries import role_holders
from zhengdun.org.roles import Role

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


def _claim(task: Task, level: int) -> bool:
    """Claim a notice for the task's current colour; False if an earlier run already did."""
    return bool(
        Task.objects.filter(
            pk=task.pk, colour=task.colour, colour_since=task.colour_since, alert_level__lt=level
        ).update(alert_level=level)
    )


def _notice(task: Task, kind: str, title: str, recipients) -> int:
    _colour, reason = assess_task(task, task.colour_since)
    url = reverse("campaigns:task_detail", args=[task.pk])
    body = f"{task.unit.name} · {describe(reason)}"
    return sum(
        send(
            recipient=user,
            kind=kind,
            title=title,
            body=body,
            url=url,
            dedupe_key=f"{kind}:{task.pk}:{task.colour_since}",
        )
        for user in recipients
    )


@tick.register("campaigns.2_reminders")
def reminders(on: date) -> int:
    """Yellow: the task's lead. Red: the unit's leader. Red for ``escalate_days``: the office.
    Each notice is claimed with a conditional update first, so a second run sends nothing."""
    sent = 0
    for campaign in _running(on):
        tasks = Task.objects.filter(campaign=campaign, state__in=OPEN_STATES).select_related(
            "campaign", "unit", "lead__user"
        )
        yellow = tasks.filter(
            colour=Colour.YELLOW, alert_level__lt=ALERT_LEAD, lead__user__isnull=False
        )
        for task in yellow.iterator(chunk_size=1000):
            if _claim(task, ALERT_LEAD):
                title = _("Yellow warning: %(task)s") % {"task": task.title}
                sent += _notice(task, "campaigns.task.yellow", title, [task.lead.user])
        for task in tasks.filter(colour=Colour.RED, alert_level__lt=ALERT_LEADER).iterator(
            chunk_size=1000
        ):
            if _claim(task, ALERT_LEADER):
                leaders = role_holders(Role.UNIT_LEADER, task.unit_path, nearest=True)
                title = _("Red warning: %(task)s") % {"task": task.title}
                sent += _notice(task, "campaigns.task.red", title, leaders)
        long_red = tasks.filter(
            colour=Colour.RED,
            alert_level__lt=ALERT_OFFICE,
            colour_since__lte=on - timedelta(days=campaign.escalate_days),
        )
        for task in long_red.iterator(chunk_size=1000):
            if _claim(task, ALERT_OFFICE):
                office = role_holders(Role.OFFICE, task.unit_path, nearest=False)
                days = (on - task.colour_since).days
                title = _("Red for %(days)d days: %(task)s") % {"days": days, "task": task.title}
                sent += _notice(task, "campaigns.task.red_escalated", title, office)
    return sent
