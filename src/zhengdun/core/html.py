"""Table rows built in Python for the long lists. The template engine took 15-20 ms to render a
page of 25 rows (a variable lookup, a translation or a URL per cell); the same rows built here
take about 1 ms, which is what keeps a list page inside its 50 ms budget."""

from collections.abc import Iterable, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

NOWRAP = ' class="nowrap"'


def labels(*texts) -> list[str]:
    """The column labels, translated and escaped once per page."""
    return [escape(str(text)) for text in texts]


def text(value) -> str:
    """A value as escaped HTML; HTML already marked safe passes as it is."""
    if isinstance(value, SafeString):
        return value
    return escape(str(value))


def row(columns: Sequence[str], cells: Iterable[str], nowrap: Iterable[int] = ()) -> str:
    """One <tr> of a responsive list table: each cell carries its column's label for the
    one-column phone layout. ``columns`` come from ``labels``, ``cells`` must be escaped."""
    nowrap = set(nowrap)
    return (
        "<tr>"
        + "".join(
            f'<td data-label="{label}"{NOWRAP if index in nowrap else ""}>{cell}</td>'
            for index, (label, cell) in enumerate(zip(columns, cells, strict=True))
        )
        + "</tr>"
    )


def rows(built: Iterable[str]) -> SafeString:
    return mark_safe("\n".join(built))  # every row comes from row(), with its cells escaped


def attributes(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them: True alone, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def input_(widget: dict) -> str:
    """An <input> from the context Django's Input widgets build, as input.html writes it."""
    value = "" if widget["value"] is None else f' value="{text(widget["value"])}"'
    return mark_safe(  # every value is escaped
        f'<input type="{text(widget["type"])}" name="{text(widget["name"])}"{value}'
        f"{attributes(widget['attrs'])}>"
    )


def select(widget: dict) -> str:
    """A <select> from the context Django's Select widget builds, as its select.html template
    writes it. A filter form's few selects (one of them 35 problems long) took the template
    engine 5-10 ms: an include per option and another for its attributes."""
    parts = [f'<select name="{text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'<optgroup label="{text(group_name)}">')
        parts.extend(
            f'<option value="{text(option["value"])}"{attributes(option["attrs"])}>'
            f"{text(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("</optgroup>")
    parts.append("</select>")
    return mark_safe("\n".join(parts))  # every value above is escaped
