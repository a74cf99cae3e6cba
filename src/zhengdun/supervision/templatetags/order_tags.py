"""The follow-up orders that became a campaign task or a rectification measure, listed on that
task's or measure's page (the other way of the link is on the order's page)."""

from django import template

from zhengdun.supervision.permissions import orders_visible_to

register = template.Library()


@register.inclusion_tag("supervision/order_linked.html", takes_context=True)
def linked_orders(context, obj):
    """``obj`` is a task or a measure; only the orders the viewer may see are listed."""
    user = context["request"].user
    rows = obj.supervision_orders.filter(pk__in=orders_visible_to(user).values("pk"))
    return {"linked_orders": list(rows.select_related("group", "unit").order_by("id")[:20])}
