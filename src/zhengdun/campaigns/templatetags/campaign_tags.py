from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from zhengdun.campaigns.models import Colour, TaskState
from zhengdun.core import html

register = template.Library()

LABELS = {
    Colour.RED: Colour.RED.label,
    Colour.YELLOW: Colour.YELLOW.label,
    Colour.GREEN: Colour.GREEN.label,
    Colour.NONE: "—",
}


@register.simple_tag
def colour_tag(colour: str, reason: str = ""):
    """A coloured badge with the warning's reason beside it (in words, not only colour).
    Written with core.html rather than format_html: it is called once per row of a list."""
    label = html.text(LABELS.get(colour, "—"))
    css = {"red": "red", "yellow": "amber", "green": "green"}.get(colour, "grey")
    tag = f'<span class="tag {css}" data-colour="{html.text(colour)}">{label}</span>'
    if reason:
        tag += f' <span class="reason">{html.text(reason)}</span>'
    return mark_safe(tag)  # every value above is escaped


@register.simple_tag
def task_rows(tasks, show_campaign: bool = False):
    """The rows of a task table (see core.html for why they are not a template loop)."""
    columns = html.labels(_("Task"), _("Unit"), _("Due"), _("State"), _("Progress"), _("Warning"))
    lead_title = html.text(_("All tasks this person leads"))
    states = {value: html.text(label) for value, label in TaskState.choices}
    # One reverse per page, not two per row: the detail URL ends in the pk.
    detail_url = reverse("campaigns:task_detail", args=[0]).removesuffix("0/")
    list_urls: dict[int, str] = {}
    built = []
    for task in tasks:
        meta = html.text(task.workstream.name)
        if task.lead_id:
            if task.campaign_id not in list_urls:
                list_urls[task.campaign_id] = reverse(
                    "campaigns:task_list", args=[task.campaign_id]
                )
            meta += (
                f' · <a href="{list_urls[task.campaign_id]}?lead={task.lead_id}&amp;state="'
                f' title="{lead_title}">{html.text(task.lead.name)}</a>'
            )
        if show_campaign:
            meta += f" · {html.text(task.campaign.name)}"
        quantity = ""
        if task.quantity_target:
            quantity = (
                f'<div class="muted small">{task.quantity_done}/{task.quantity_target}'
                f" {html.text(task.measure)}</div>"
            )
        cells = (
            f'<a href="{detail_url}{task.pk}/">{html.text(task.title)}</a>'
            f'<div class="muted small">{meta}</div>',
            html.text(task.unit.display_name),
            task.due_date.isoformat(),
            states.get(task.state, ""),
            f'<progress max="100" value="{task.progress}"></progress> {task.progress}%{quantity}',
            colour_tag(task.live_colour, task.reason),
        )
        built.append(html.row(columns, cells, nowrap=(2,)))
    return html.rows(built)


@register.simple_tag
def colour_bar(colours: dict):
    """A stacked bar of open tasks by colour, drawn as SVG (no inline style under the CSP)."""
    red, yellow, green = (colours.get(c, 0) for c in (Colour.RED, Colour.YELLOW, Colour.GREEN))
    total = red + yellow + green
    if not total:
        return format_html('<span class="muted small">{}</span>', _("no open tasks"))
    parts = []
    offset = 0.0
    for value, css in ((red, "bar-red"), (yellow, "bar-yellow"), (green, "bar-green")):
        width = 100 * value / total
        if value:
            parts.append(
                format_html(
                    '<rect class="{}" x="{}%" y="0" width="{}%" height="10"></rect>',
                    css,
                    f"{offset:.2f}",
                    f"{width:.2f}",
                )
            )
        offset += width
    title = _("%(red)d red, %(yellow)d yellow, %(green)d green") % {
        "red": red,
        "yellow": yellow,
        "green": green,
    }
    return format_html(
        '<svg class="colour-bar" role="img" aria-label="{}" viewBox="0 0 100 10"'
        ' preserveAspectRatio="none"><title>{}</title>{}</svg>',
        title,
        title,
        mark_safe("".join(parts)),  # each part is escaped by format_html
    )
