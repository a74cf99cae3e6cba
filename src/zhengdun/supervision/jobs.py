"""Supervision's part of the daily tick: follow-up orders' colours move with time, and the
reminder ladder (``core.escalation``) tells the contact, the unit's leader and the office."""

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from zhengdun.campaigns.models import Campaign
from zhengdun.core.escalation import Ladder, escalate
from zhengdun.notify import tick
from zhengdun.supervision import rules
from zhengdun.supervision.actions import refresh_orders
from zhengdun.supervision.models import OPEN_ORDER_STATES, Order

LADDER = Ladder(
    kind="supervision.order",
    person="contact",
    url=lambda order: reverse("supervision:order_detail", args=[order.pk]),
    reason=lambda order: rules.describe_order(
        rules.order_colour(
            state=order.state,
            deadline=order.deadline,
            today=order.colour_since,
            yellow_days=order.campaign.yellow_days,
        )[1]
    ),
    yellow_title=lambda order: _("Follow-up order due soon: %(number)s") % {"number": order.number},
    red_title=lambda order: _("Follow-up order overdue: %(number)s") % {"number": order.number},
    escalated_title=lambda order, days: (
        _("Follow-up order red for %(days)d days: %(number)s")
        % {"days": days, "number": order.number}
    ),
)


@tick.register("supervision.1_orders")
def orders(on: date) -> int:
    return refresh_orders(on)


@tick.register("supervision.2_reminders")
def reminders(on: date) -> int:
    """Orders waiting for the unit (a responded order waits for the issuer, not the unit)."""
    sent = 0
    rows = Order.objects.filter(state__in=OPEN_ORDER_STATES).exclude(state="responded")
    for campaign in Campaign.objects.filter(supervision_orders__in=rows).distinct():
        sent += escalate(
            rows.filter(campaign=campaign).select_related("campaign", "unit", "contact__user"),
            LADDER,
            on=on,
            escalate_days=campaign.escalate_days,
        )
    return sent
