from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from zhengdun.campaigns.templatetags.campaign_tags import colour_tag
from zhengdun.core import html
from zhengdun.selfcheck import queries
from zhengdun.selfcheck.models import Bucket, MeasureState

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


@register.simple_tag
def ledger_rows(measures):
    """The rows of the rectification ledger (see core.html for why not a template loop)."""
    columns = html.labels(
        _("Unit"),
        _("Problem"),
        _("Measure"),
        _("Responsible person"),
        _("Deadline"),
        _("State"),
        _("Warning"),
    )
    states = {value: html.text(label) for value, label in MeasureState.choices}
    overdue = f' <span class="tag red">{html.text(_("overdue"))}</span>'
    # One reverse per page: the detail URL ends in the pk.
    detail_url = reverse("selfcheck:measure_detail", args=[0]).removesuffix("0/")
    built = []
    for measure in measures:
        cells = (
            html.text(measure.unit.display_name),
            f"{html.text(measure.item.code)} {html.text(measure.item.title)}",
            f'<a href="{detail_url}{measure.pk}/">'
            f"{html.text(Truncator(measure.text).chars(60))}</a>",
            html.text(measure.owner.name) if measure.owner_id else "—",
            measure.deadline.isoformat() if measure.deadline else "—",
            states.get(measure.state, "") + (overdue if measure.bucket == Bucket.OVERDUE else ""),
            colour_tag(measure.live_colour, measure.reason),
        )
        built.append(html.row(columns, cells, nowrap=(0, 3, 4)))
    return html.rows(built)
