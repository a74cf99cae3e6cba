from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from zhengdun.selfcheck import queries

register = template.Library()


@register.filter
def closure(counts: dict) -> str:
    """The closure rate of a tally as "40.0 %", or a dash without measures."""
    rate = queries.closure_rate(counts)
    return "—" if rate is None else f"{rate} %"


@register.simple_tag
def heat_cell(counts: dict, round_, unit, item=None, dimension=None):
    """found / rectifying / overdue / verified, coloured by the most urgent, linking to the
    ledger filtered to this unit and item (or dimension)."""
    found = counts.get("finding", 0)
    rectifying = counts.get("rectifying", 0)
    overdue = counts.get("overdue", 0)
    verified = counts.get("verified", 0)
    if not (found or rectifying or overdue or verified or counts.get("completed", 0)):
        return format_html('<span class="heat-cell heat-0">{}</span>', "·")
    css = (
        "heat-overdue"
        if overdue
        else "heat-rectifying"
        if rectifying
        else "heat-verified"
        if verified
        else "heat-found"
    )
    query = {"round": round_.pk, "unit": unit.pk}
    if item is not None:
        query["item"] = item.pk
    if dimension is not None:
        query["dimension"] = dimension.pk
    url = reverse("selfcheck:ledger") + "?" + urlencode(query)
    return format_html(
        '<a class="heat-cell {}" href="{}" data-found="{}" data-overdue="{}">{}/{}/{}/{}</a>',
        css,
        url,
        found,
        overdue,
        found,
        rectifying,
        overdue,
        verified,
    )
