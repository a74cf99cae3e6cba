"""Excel import and export, shared by every module.

Export: a module describes its ``columns`` and yields ``rows()``; ``workbook_response`` writes
them. Import: ``read_rows`` checks the file and maps headers (in any UI language, or the column
key) to columns; the module validates each row and commits all or nothing.
"""

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from zhengdun.core.errors import messages_of

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Text that a spreadsheet would run as a formula when opened.
FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    required: bool = False
    help: str | Promise = ""
    width: int = 16
    # Accepted values: stored code -> label. Cells may hold the code or the label in any language.
    choices: tuple[tuple[str, Any], ...] = field(default=())

    def heading(self) -> str:
        return f"{self.label}*" if self.required else str(self.label)


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class _Rollback(Exception):
    """Raised inside an import's transaction to undo every row."""


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
# The last day Excel can hold (9999-12-31) as a serial number.
_LAST_SERIAL = 2958465


def parse_date(text: str) -> date | None:
    """A cell as a date: an Excel date (read as ``YYYY-MM-DD 00:00:00``), an Excel serial
    number, or text as YYYY-MM-DD (also with / or . or 年月日). None if it is none of these."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    match = _DATE_TEXT.match(text)
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if text.isascii() and text.isdigit() and 1 <= int(text) <= _LAST_SERIAL:
        return from_excel(int(text)).date()
    return None


def _labels_in_all_languages(text: str | Promise) -> set[str]:
    labels = {str(text)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(str(text))
    return {label.strip().lower() for label in labels}


def parse_choice(column: Column, value: str) -> str | None:
    """The stored code for a cell holding a code or a label in any language; None if unknown."""
    wanted = value.strip().lower()
    for code, label in column.choices:
        if wanted == code.lower() or wanted in _labels_in_all_languages(label):
            return code
    return None


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload, columns: list[Column]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (spreadsheet row number, {column key: text}) for each non-empty row.

    Raises ValidationError for a file that is too large, not an .xlsx workbook, or whose
    header row lacks a required column.
    """
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)d MB).")
            % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError(
            _("This is not an Excel workbook (.xlsx). Download the template and fill it in.")
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise ValidationError(_("The workbook cannot be read: it may be damaged.")) from error
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ValidationError(_("The workbook is empty."))
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        text = _cell_text(title).rstrip("*").strip().lower()
        for column in columns:
            if text and (
                text == column.key.lower() or text in _labels_in_all_languages(column.label)
            ):
                positions.setdefault(column.key, index)
    missing = [
        str(column.label) for column in columns if column.required and column.key not in positions
    ]
    if missing:
        raise ValidationError(
            _("The header row lacks these columns: %(columns)s.") % {"columns": "、".join(missing)}
        )
    for number, values in enumerate(rows, start=2):
        cells = {
            key: _cell_text(values[pos]) if pos < len(values) else ""
            for key, pos in positions.items()
        }
        if any(cells.values()):
            yield number, cells
    workbook.close()


def write_workbook(title: str, columns: list[Column], rows: Iterable[dict[str, Any]]) -> bytes:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([column.heading() for column in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([row.get(column.key, "") for column in columns])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_template(title: str, columns: list[Column]) -> bytes:
    """An empty workbook with the header row and a second sheet explaining each column."""
    data = write_workbook(title, columns, [])
    workbook = load_workbook(io.BytesIO(data))
    notes = workbook.create_sheet(_("Instructions")[:31])
    notes.append([_("Column"), _("Required"), _("Accepted values and notes")])
    for column in columns:
        accepted = "、".join(f"{code or '—'}（{label}）" for code, label in column.choices)
        notes.append(
            [
                str(column.label),
                _("yes") if column.required else "",
                " ".join(filter(None, [str(column.help), accepted])),
            ]
        )
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(filename: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


Row = tuple[int, dict[str, str]]


def parse_rows(rows: Iterable[Row], columns: list[Column], outcome: ImportOutcome) -> list[Row]:
    """Check required cells and turn choice labels into codes; collect the errors."""
    parsed = []
    for number, cells in rows:
        ok = True
        for column in columns:
            value = cells.get(column.key, "")
            if column.required and not value:
                outcome.errors.append(
                    RowError(number, str(column.label), _("This cell is required."))
                )
                ok = False
            elif value and column.choices:
                code = parse_choice(column, value)
                if code is None:
                    message = _("“%(value)s” is not one of the accepted values.") % {"value": value}
                    outcome.errors.append(RowError(number, str(column.label), message))
                    ok = False
                else:
                    cells[column.key] = code
        if ok:
            parsed.append((number, cells))
    return parsed


def _add_errors(outcome: ImportOutcome, number: int, error: ValidationError, labels: dict) -> None:
    for name, messages in messages_of(error).items():
        for message in messages:
            outcome.errors.append(RowError(number, labels.get(name, ""), message))


def run_import(
    rows: Iterable[Row],
    columns: list[Column],
    *,
    key: str,
    apply_row: Callable[[dict[str, str]], str],
    on_commit: Callable[[ImportOutcome], None],
    dry_run: bool = False,
    order: Callable[[list[Row], ImportOutcome], list[Row]] | None = None,
    aliases: dict[str, str] | None = None,
) -> ImportOutcome:
    """Import spreadsheet rows all or nothing.

    Each row is applied through the module's actions (``apply_row`` returns "created",
    "updated" or "unchanged") in its own savepoint, so every row is checked against the
    database as the earlier rows left it; a ValidationError or PermissionDenied becomes a row
    error. If any row failed, or on a dry run, the whole transaction (audit events included)
    is rolled back. ``key`` names the column that identifies a record: a key repeated in the
    file is an error. ``aliases`` maps error field names to column keys.
    """
    outcome = ImportOutcome()
    labels = {column.key: str(column.label) for column in columns}
    labels.update({name: labels[column] for name, column in (aliases or {}).items()})
    parsed = parse_rows(rows, columns, outcome)
    first_row: dict[str, int] = {}
    unique = []
    for number, cells in parsed:
        if cells[key] in first_row:
            message = _("This value is also on row %(row)d.") % {"row": first_row[cells[key]]}
            outcome.errors.append(RowError(number, labels[key], message))
        else:
            first_row[cells[key]] = number
            unique.append((number, cells))
    if order is not None:
        unique = order(unique, outcome)
    try:
        with transaction.atomic():
            for number, cells in unique:
                try:
                    with transaction.atomic():
                        result = apply_row(cells)
                except ValidationError as error:
                    _add_errors(outcome, number, error, labels)
                except PermissionDenied:
                    message = _("This row concerns a record outside your scope.")
                    outcome.errors.append(RowError(number, "", message))
                else:
                    setattr(outcome, result, getattr(outcome, result) + 1)
            if outcome.errors or dry_run:
                raise _Rollback
            on_commit(outcome)
            outcome.committed = True
    except _Rollback:
        pass
    return outcome
