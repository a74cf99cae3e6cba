from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from zhengdun.campaigns.models import Colour

register = template.Library()

LABELS = {
    Colour.RED: Colour.RED.label,
    Colour.YELLOW: Colour.YELLOW.label,
    Colour.GREEN: Colour.GREEN.label,
    Colour.NONE: "—",
}


@register.simple_tag
def colour_tag(colour: str, reason: str = ""):
    """A coloured badge with the warning's reason beside it (in words, not only colour)."""
    label = LABELS.get(colour, "—")
    css = {"red": "red", "yellow": "amber", "green": "green"}.get(colour, "grey")
    if reason:
        return format_html(
            '<span class="tag {}" data-colour="{}">{}</span> <span class="reason">{}</span>',
            css,
            colour,
            label,
            reason,
        )
    return format_html('<span class="tag {}" data-colour="{}">{}</span>', css, colour, label)


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
