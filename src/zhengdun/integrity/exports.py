"""Excel export of the viewer's clues: each exported clue is a read, audited on its access log
(``actions.record_reads``). Bounded: at most ``EXPORT_LIMIT`` clues a file."""

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from zhengdun.core.excel import Column
from zhengdun.integrity.models import Clue

EXPORT_LIMIT = 1000

COLUMNS = [
    Column("number", _("Number"), width=18),
    Column("received_on", _("Received on"), width=12),
    Column("source", _("Channel")),
    Column("category", _("Category"), width=24),
    Column("state", _("State")),
    Column("mode", _("Handling mode"), width=24),
    Column("due_on", _("Conclude by"), width=12),
    Column("disposition", _("Disposition"), width=30),
    Column("summary", _("What is reported"), width=60),
]


def rows(clues: list[Clue]) -> Iterator[dict]:
    for clue in clues:
        yield {
            "number": clue.number,
            "received_on": clue.received_on,
            "source": clue.get_source_display(),
            "category": clue.get_category_display(),
            "state": clue.get_state_display(),
            "mode": clue.get_mode_display() if clue.mode else "",
            "due_on": clue.due_on,
            "disposition": clue.get_disposition_display() if clue.disposition else "",
            "summary": clue.summary,
        }
