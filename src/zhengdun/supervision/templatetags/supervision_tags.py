from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()

CHART_HEIGHT = 100
CHART_STEP = 40
CHART_PAD = 12


@register.simple_tag
def score_chart(cards):
    """A unit's scores (out of 100) over time as an SVG line, oldest first (no inline style
    under the CSP; the numbers are also listed in a table beside it)."""
    cards = list(cards)
    if not cards:
        return ""
    width = CHART_PAD * 2 + CHART_STEP * max(len(cards) - 1, 1)
    points = [
        (
            CHART_PAD + CHART_STEP * index,
            CHART_PAD + (100 - float(card.total)) * CHART_HEIGHT / 100,
            card,
        )
        for index, card in enumerate(cards)
    ]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _card in points)
    dots = format_html_join(
        "",
        '<circle class="chart-dot" cx="{}" cy="{}" r="4"><title>{} · {}</title></circle>',
        (
            (f"{x:.1f}", f"{y:.1f}", card.visited_on.strftime("%Y-%m-%d"), card.total)
            for x, y, card in points
        ),
    )
    grid = format_html_join(
        "",
        '<line class="chart-grid" x1="0" x2="{}" y1="{}" y2="{}"></line>',
        (
            (
                width,
                f"{CHART_PAD + (100 - mark) * CHART_HEIGHT / 100:.1f}",
                f"{CHART_PAD + (100 - mark) * CHART_HEIGHT / 100:.1f}",
            )
            for mark in (60, 80, 100)
        ),
    )
    label = _("Scores over time, from %(first)s to %(last)s") % {
        "first": cards[0].visited_on.strftime("%Y-%m-%d"),
        "last": cards[-1].visited_on.strftime("%Y-%m-%d"),
    }
    return format_html(
        '<svg class="score-chart" role="img" aria-label="{}" viewBox="0 0 {} {}">'
        '<title>{}</title>{}<polyline class="chart-line" points="{}"></polyline>{}</svg>',
        label,
        width,
        CHART_HEIGHT + CHART_PAD * 2,
        label,
        grid,
        line,
        dots,
    )
