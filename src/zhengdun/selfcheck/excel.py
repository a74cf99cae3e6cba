"""Excel export of the rectification ledger (整改台账) and Excel import of a report.

Export: ``ledger_rows()`` streams the measures of the filtered ledger the viewer may see, one
row a measure, and ``ledger_workbook()`` writes them through the shared writer in the layout a
bureau files on paper (a title row over the header). Import: a report's template lists every
applicable item; ``import_report()`` checks every row, merges the rows into answers and saves
them with one ``actions.save_report`` call, all rows or none, through ``core.excel.run_import``.
"""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.core.errors import messages_of
from zhengdun.core.excel import (
    FORMULA_START,
    Column,
    ImportOutcome,
    Row,
    RowError,
    parse_choice,
    parse_date,
    run_import,
    write_template,
    write_workbook,
)
from zhengdun.core.ids import parse_id
from zhengdun.core.versioning import ConflictError
from zhengdun.core.warnings import Colour
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Person, PersonStatus
from zhengdun.selfcheck import actions, queries
from zhengdun.selfcheck.models import Item, Measure, MeasureState, Report, ReportKind, Round
from zhengdun.selfcheck.permissions import may_edit, reports_visible_to
from zhengdun.selfcheck.warnings import assess_measure, describe

# Export ------------------------------------------------------------------------------------

LEDGER_COLUMNS = [
    Column("no", gettext_lazy("No."), width=6),
    Column("unit", gettext_lazy("Unit"), width=16),
    Column("dimension", gettext_lazy("Dimension"), width=12),
    Column("item", gettext_lazy("Problem"), width=22),
    Column("finding", gettext_lazy("What was found"), width=36),
    Column("cause", gettext_lazy("Cause analysis"), width=30),
    Column("measure", gettext_lazy("Measure"), width=36),
    Column("owner", gettext_lazy("Responsible person"), width=12),
    Column("deadline", gettext_lazy("Deadline"), width=12),
    Column("state", gettext_lazy("State"), width=10),
    Column("progress", gettext_lazy("Progress (%)"), width=9),
    Column("completed_on", gettext_lazy("Completed on"), width=12),
    Column("verification", gettext_lazy("Verification"), width=24),
    Column("colour", gettext_lazy("Warning"), width=8),
    Column("reason", gettext_lazy("Reason"), width=24),
]


def measure_warning(measure: Measure, today: date) -> tuple[str, str]:
    """The measure's live warning colour and its reason in words, as the ledger page shows."""
    colour, reason = assess_measure(measure, today)
    return colour, describe(reason)


def _user_name(user) -> str:
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _verification(measure: Measure) -> str:
    if measure.state == MeasureState.VERIFIED:
        when = measure.verified_on.isoformat() if measure.verified_on else ""
        who = _user_name(measure.verified_by) if measure.verified_by_id else ""
        return _("Verified %(date)s by %(name)s") % {"date": when, "name": who}
    if measure.rejection_reason:
        return _("Rejected: %(reason)s") % {"reason": measure.rejection_reason}
    return ""


def ledger_row(number: int, measure: Measure, today: date) -> dict:
    """One measure as a ledger line. The finding and its cause only where the viewer may read
    the report (``measure.finding_readable``): a personal report is need-to-know."""
    colour, reason = measure_warning(measure, today)
    readable = getattr(measure, "finding_readable", False)
    return {
        "no": number,
        "unit": measure.unit.display_name,
        "dimension": measure.item.dimension.name,
        "item": f"{measure.item.code} {measure.item.title}",
        "finding": measure.answer.description if readable else "",
        "cause": measure.answer.cause if readable else "",
        "measure": measure.text,
        "owner": measure.owner.name if measure.owner_id else "",
        "deadline": measure.deadline,
        "state": measure.get_state_display(),
        "progress": measure.progress,
        "completed_on": measure.completed_on,
        "verification": _verification(measure),
        "colour": "" if colour == Colour.NONE else str(Colour(colour).label),
        "colour_code": colour,
        "reason": reason,
    }


def ledger_rows(
    user, round_: Round, filters: queries.LedgerFilters, *, today: date
) -> Iterator[dict]:
    """The measures of the filtered ledger the user may see, as numbered rows, streamed in the
    page's order (deadline first)."""
    readable = reports_visible_to(user).filter(pk=OuterRef("answer__report_id"))
    measures = (
        queries.ledger(user, round_, filters)
        .select_related("answer", "verified_by__person")
        .annotate(finding_readable=Exists(readable))
    )
    for number, measure in enumerate(measures.iterator(chunk_size=2000), start=1):
        measure.round = round_  # the thresholds, without a query per row
        yield ledger_row(number, measure, today)


def ledger_title(round_: Round, units: Iterable, on: date) -> str:
    names = "、".join(unit.name for unit in units) or "—"
    return _("%(round)s — rectification ledger — %(units)s — %(date)s") % {
        "round": round_.name,
        "units": names,
        "date": on.isoformat(),
    }


def ledger_workbook(title: str, rows: Iterable[dict]) -> bytes:
    """The ledger through the shared writer, then laid out for paper: a merged title row over
    the header, the header frozen and repeated on every printed page, text wrapped, landscape."""
    data = write_workbook(_("Rectification ledger"), LEDGER_COLUMNS, rows)
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    sheet.insert_rows(1)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(LEDGER_COLUMNS))
    cell = sheet.cell(row=1, column=1, value=title)
    if title.startswith(FORMULA_START):
        cell.data_type = "s"  # a round's name is typed by users: never a formula
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center")
    sheet.row_dimensions[1].height = 30
    sheet.freeze_panes = "A3"
    header = Alignment(wrap_text=True, vertical="center", horizontal="center")
    body = Alignment(wrap_text=True, vertical="top")
    for index, row in enumerate(sheet.iter_rows(min_row=2), start=2):
        for cell in row:
            cell.alignment = header if index == 2 else body
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Import ------------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    Column(
        "item",
        gettext_lazy("Item code"),
        required=True,
        width=10,
        help=gettext_lazy(
            "The catalogue item. Repeat the code on another row for a second measure of the "
            "same problem."
        ),
    ),
    Column(
        "found",
        gettext_lazy("Problem found"),
        width=10,
        help=gettext_lazy("yes or no (also 1 or 0); empty means no."),
    ),
    Column(
        "description",
        gettext_lazy("What was found"),
        width=40,
        help=gettext_lazy("Required when a problem was found. On the item's first row."),
    ),
    Column(
        "cause",
        gettext_lazy("Cause analysis"),
        width=30,
        help=gettext_lazy("On the item's first row."),
    ),
    Column(
        "measure",
        gettext_lazy("Measure"),
        width=40,
        help=gettext_lazy("One rectification measure a row, for a problem that was found."),
    ),
    Column(
        "owner",
        gettext_lazy("Responsible person (police number)"),
        width=14,
        help=gettext_lazy(
            "A unit's report: an officer serving in the reporting unit's bureau. A personal "
            "report: your own police number, or empty."
        ),
    ),
    Column(
        "deadline",
        gettext_lazy("Deadline"),
        width=12,
        help=gettext_lazy("YYYY-MM-DD, not before the round opened."),
    ),
]

# Shown in the template for the reader; not read back.
TITLE_COLUMN = Column(
    "title", gettext_lazy("Problem"), width=24, help=gettext_lazy("For reading only.")
)
TEMPLATE_COLUMNS = [IMPORT_COLUMNS[0], TITLE_COLUMN, *IMPORT_COLUMNS[1:]]

# run_import wants a key column; each spreadsheet row is its own record.
_ROW = Column("row", gettext_lazy("Row"))

# Accepted in the found column, whatever the reader's language.
_FOUND = Column(
    "found",
    "",
    choices=(
        ("1", gettext_lazy("yes")),
        ("0", gettext_lazy("no")),
        *(("1", word) for word in ("是", "有", "y", "true", "√", "✓")),
        *(("0", word) for word in ("否", "无", "n", "false", "×")),
    ),
)


def parse_found(text: str) -> bool | None:
    """A found cell as True or False (empty is False); None if it is neither."""
    if not text:
        return False
    code = parse_choice(_FOUND, text)
    return None if code is None else code == "1"


def _found_text(found: bool) -> str:
    return str(gettext_lazy("yes") if found else gettext_lazy("no"))


def template_rows(report: Report) -> Iterator[dict]:
    """Every applicable item, filled in with what the report holds now: one row per measure,
    the found/what/why cells on the item's first row."""
    answers = {
        answer.item_id: answer
        for answer in report.answers.prefetch_related("measures__owner").order_by("pk")
    }
    own_number = report.person.police_number if report.kind == ReportKind.PERSON else ""
    for item in actions.applicable_items(report):
        answer = answers.get(item.pk)
        first = {"item": item.code, "title": item.title}
        if answer is None:
            yield {**first, "found": _found_text(False)}
            continue
        first.update(
            found=_found_text(answer.found), description=answer.description, cause=answer.cause
        )
        measures = sorted(answer.measures.all(), key=lambda measure: measure.pk)
        if not measures:
            yield first
        for index, measure in enumerate(measures):
            row = first if index == 0 else {"item": item.code, "title": item.title}
            yield {
                **row,
                "measure": measure.text,
                "owner": measure.owner.police_number if measure.owner_id else own_number,
                "deadline": measure.deadline,
            }


def report_template(report: Report) -> bytes:
    """The report's import template: the header, its current answers, and the instructions."""
    title = _("Self-inspection report")
    book = load_workbook(io.BytesIO(write_template(title, TEMPLATE_COLUMNS)))
    sheet = book.worksheets[0]
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in template_rows(report):
        sheet.append([row.get(column.key, "") for column in TEMPLATE_COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
            cell.alignment = wrap
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class ReportImport:
    """What an import did or, on a dry run, would do."""

    outcome: ImportOutcome
    findings: int = 0
    measures: int = 0
    items: int = 0
    submitted: bool = False
    submit_errors: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[RowError]:
        return self.outcome.errors

    @property
    def committed(self) -> bool:
        return self.outcome.committed


class _Undo(Exception):
    """Raised from inside the import's transaction to roll it back (a dry run, or a refusal by
    the report's own rules)."""


def _row_of(cells: dict) -> int:
    return int(cells["row"])


class _ReportSheet:
    """The state of one import: the catalogue and people looked up once, and the answers
    merged from the rows read so far (an item's first row carries found/what/why; every row
    with a measure adds one)."""

    def __init__(self, report: Report):
        self.report = report
        self.catalogue = {
            item.code: item
            for item in Item.objects.filter(dimension__catalogue_id=report.round.catalogue_id)
        }
        self.applicable = set(actions.applicable_items(report).values_list("pk", flat=True))
        self.bureau = report.unit_path[: 2 * PATH_STEP]
        self.people: dict[str, Person | None] = {}
        self.answers: dict[int, dict] = {}
        self.first_row: dict[int, int] = {}
        self.rows_of: dict[int, list[int]] = {}

    def person(self, number: str) -> Person | None:
        if number not in self.people:
            self.people[number] = (
                Person.objects.filter(
                    scope.prefix_q("unit__path", self.bureau),
                    police_number=number,
                    status=PersonStatus.ACTIVE,
                )
                .select_related("unit")
                .first()
            )
        return self.people[number]

    def _item(self, code: str, errors: dict) -> Item | None:
        item = self.catalogue.get(code)
        if item is None:
            errors["item"] = _("The round's catalogue has no item with the code %(code)s.") % {
                "code": code
            }
        elif item.pk not in self.applicable:
            errors["item"] = (
                _("Item %(code)s is not asked of a unit's report.")
                if self.report.kind == ReportKind.UNIT
                else _("Item %(code)s is not asked of a personal report.")
            ) % {"code": code}
            return None
        return item

    def _owner(self, number: str, errors: dict) -> Person | None:
        if not number:
            return None
        if self.report.kind == ReportKind.PERSON:
            if number != self.report.person.police_number:
                errors["owner"] = _(
                    "A personal report's measures are the person's own: leave this empty or give "
                    "your own police number."
                )
            return None
        owner = self.person(number)
        if owner is None:
            errors["owner"] = _(
                "No serving officer with the police number %(number)s in the reporting unit's "
                "bureau."
            ) % {"number": number}
        return owner

    def _deadline(self, text: str, errors: dict) -> date | None:
        if not text:
            return None
        deadline = parse_date(text)
        if deadline is None:
            errors["deadline"] = _("Enter a date as YYYY-MM-DD.")
        elif deadline < self.report.round.opened_on:
            errors["deadline"] = _("A deadline cannot be before the round opened (%(date)s).") % {
                "date": self.report.round.opened_on.isoformat()
            }
        return deadline

    def apply(self, cells: dict) -> str:
        """Check one row against the catalogue, the people and the rows before it; add it to
        the merged answers. Every problem of the row at once."""
        number = _row_of(cells)
        errors: dict[str, str] = {}
        item = self._item(cells["item"], errors)
        found = parse_found(cells.get("found", ""))
        if found is None:
            errors["found"] = _("Write yes or no (or 1 or 0).")
        description = cells.get("description", "")
        cause = cells.get("cause", "")
        text = cells.get("measure", "")
        owner = self._owner(cells.get("owner", ""), errors)
        deadline = self._deadline(cells.get("deadline", ""), errors)
        if not text and (cells.get("owner") or cells.get("deadline")):
            errors["measure"] = _(
                "Write the measure, or leave its responsible person and deadline empty."
            )
        if item is None:
            raise ValidationError(errors)
        self.rows_of.setdefault(item.pk, []).append(number)
        first = self.first_row.setdefault(item.pk, number)
        if first == number:
            if found and not description:
                errors["description"] = _("Describe what was found.")
            if text and not found:
                errors["measure"] = _("A measure belongs to a problem that was found.")
            if errors:
                raise ValidationError(errors)
            self.answers[item.pk] = {
                "item": item,
                "found": found,
                "description": description,
                "cause": cause,
                "measures": [],
            }
        else:
            answer = self.answers.get(item.pk)
            if answer is not None:
                differs = [
                    key
                    for key, given, same in (
                        ("found", cells.get("found", ""), found in (None, answer["found"])),
                        ("description", description, description == answer["description"]),
                        ("cause", cause, cause == answer["cause"]),
                    )
                    if given and not same
                ]
                if differs:
                    errors[differs[0]] = _(
                        "Item %(code)s is already on row %(row)d: give whether it was found, "
                        "what and why on its first row only; later rows add measures."
                    ) % {"code": item.code, "row": first}
                if text and not answer["found"]:
                    errors["measure"] = _("A measure belongs to a problem that was found.")
            if errors:
                raise ValidationError(errors)
            if answer is None:  # the item's first row has problems of its own, listed there
                return "unchanged"
        if text:
            self.answers[item.pk]["measures"].append(
                {"text": text, "owner": owner, "deadline": deadline}
            )
            return "created"
        return "updated" if first == number else "unchanged"

    def merged(self) -> list[dict]:
        """The report's answers with the items in the file replaced by the file's rows; items
        left out of the file keep what the report holds."""
        kept = []
        measures = Prefetch(
            "measures", queryset=Measure.objects.select_related("owner").order_by("pk")
        )
        for answer in self.report.answers.select_related("item").prefetch_related(measures):
            if answer.item_id in self.answers:
                continue
            kept.append(
                {
                    "item": answer.item,
                    "found": answer.found,
                    "description": answer.description,
                    "cause": answer.cause,
                    "measures": [
                        {"text": m.text, "owner": m.owner, "deadline": m.deadline}
                        for m in answer.measures.all()
                    ],
                }
            )
        return kept + list(self.answers.values())

    def errors_of(self, error: ValidationError) -> list[RowError]:
        """save_report's errors (keyed ``item_<pk>``) on the rows of their item."""
        out = []
        for name, messages in messages_of(error).items():
            pk = parse_id(name[5:]) if name.startswith("item_") else None
            rows = self.rows_of.get(pk, [0]) if pk is not None else [0]
            for message in messages:
                out.append(RowError(rows[0], str(IMPORT_COLUMNS[0].label) if pk else "", message))
        return out


def import_report(
    actor,
    *,
    report: Report,
    version: int,
    rows: Iterable[Row],
    dry_run: bool = False,
    submit: bool = False,
    on: date | None = None,
) -> ReportImport:
    """Fill in a report from spreadsheet rows, all rows or none.

    Every row is checked (item, found, what, measure, responsible person, deadline) and every
    problem listed with its row and column; then the rows, merged into one answer per item over
    what the report already holds, are saved by one ``actions.save_report`` call at ``version``
    (a report saved meanwhile by someone else is refused). One summary event is audited. With
    ``submit`` the report is then submitted; if the report's rules refuse that, the import stays
    as a draft and the reasons are given. A dry run does all of it and rolls it back.
    """
    if not may_edit(actor, report):
        raise PermissionDenied
    if report.is_locked:
        raise ValidationError(_("This report has been submitted and is locked."))
    on = on or actions.today()
    sheet = _ReportSheet(report)
    result = ReportImport(outcome=ImportOutcome())
    numbered = []
    for number, cells in rows:
        numbered.append((number, {**cells, "row": str(number)}))

    def save(outcome: ImportOutcome) -> None:
        result.outcome = outcome
        answers = sheet.merged()
        try:
            actions.save_report(actor, report=report, version=version, answers=answers, on=on)
        except ValidationError as error:
            outcome.errors.extend(sheet.errors_of(error))
            raise _Undo from error
        except ConflictError as error:
            message = _(
                "Someone saved this report after you opened this page: reload the page and "
                "import again."
            )
            outcome.errors.append(RowError(0, "", message))
            raise _Undo from error
        result.items = len(sheet.answers)
        result.findings = sum(1 for answer in answers if answer["found"])
        result.measures = sum(len(answer["measures"]) for answer in answers if answer["found"])
        record(
            actor=actor,
            code=Code.REPORT_IMPORTED,
            obj=report,
            unit=report.unit,
            changes={
                # Not "items": the history template reads changes.items.
                "rows": len(numbered),
                "findings": result.findings,
                "measures": result.measures,
            },
        )
        if submit:
            try:
                with transaction.atomic():
                    actions.submit_report(actor, report=report, on=on)
            except ValidationError as error:
                result.submit_errors = [str(message) for message in error.messages]
            else:
                result.submitted = True
        if dry_run:
            raise _Undo

    try:
        result.outcome = run_import(
            numbered,
            [*IMPORT_COLUMNS, _ROW],
            key="row",
            apply_row=sheet.apply,
            on_commit=save,
            dry_run=False,  # a dry run goes through save_report too, then rolls back (_Undo)
        )
    except _Undo:
        report.refresh_from_db(fields=["state", "version", "findings"])
    return result
