"""Feedback (定期反馈情况): the per-visit feedback report to the unit, as a printable page and a
DOCX file, and a group's monthly report to the office. Visible to whoever may see the visit
or the group; a 404 for anyone else."""

from datetime import timedelta
from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from zhengdun.core.access import signed_in
from zhengdun.org.models import PersonStatus
from zhengdun.supervision import actions, queries_reports, rules
from zhengdun.supervision.permissions import get_group_for_user, get_visit_for_user

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Word picks the eastAsia font for Chinese characters and the ascii one for the rest.
BODY_FONT = ("Times New Roman", "宋体")
HEADING_FONT = ("Times New Roman", "黑体")


@signed_in
def visit_feedback(request, pk):
    visit = get_visit_for_user(request.user, pk)
    feedback = queries_reports.visit_feedback(request.user, visit)
    return render(
        request,
        "supervision/feedback.html",
        {"visit": visit, "feedback": feedback, "retired": PersonStatus.RETIRED_FROM_POST},
    )


# --- the DOCX ---------------------------------------------------------------------------------


def _font(run, fonts=BODY_FONT, size=None, bold=None) -> None:
    ascii_font, east_asia = fonts
    run.font.name = ascii_font
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asia)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _style_fonts(document) -> None:
    """The document's own styles in Chinese fonts, so text added later looks the same."""
    for name, fonts in (
        ("Normal", BODY_FONT),
        ("Title", HEADING_FONT),
        ("Heading 1", HEADING_FONT),
    ):
        style = document.styles[name]
        style.font.name = fonts[0]
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), fonts[1])


def _heading(document, text: str, level: int = 1) -> None:
    paragraph = document.add_heading(level=level)
    _font(paragraph.add_run(text), HEADING_FONT, size=18 if level == 0 else 14)
    if level == 0:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _paragraph(document, text: str, bold: bool = False) -> None:
    _font(document.add_paragraph().add_run(text), bold=bold)


def _table(document, header: list[str] | None, rows: list[list[str]]) -> None:
    columns = len(header) if header else len(rows[0])
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    for index, values in enumerate(([header] if header else []) + rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(str(value)), bold=bool(header) and index == 0)


def _dates(visit) -> str:
    first = date_format(visit.start_date, "Y-m-d")
    if visit.end_date == visit.start_date:
        return first
    return f"{first} – {date_format(visit.end_date, 'Y-m-d')}"


def feedback_document(feedback: queries_reports.VisitFeedback) -> bytes:
    visit = feedback.visit
    document = Document()
    _style_fonts(document)
    _heading(document, _("Supervision feedback to %(unit)s") % {"unit": visit.unit.name}, 0)
    present = "、".join(person.name for person in feedback.present) or "—"
    _table(
        document,
        None,
        [
            [_("Unit"), visit.unit.name],
            [_("Supervision group"), visit.group.name],
            [_("Dates"), _dates(visit)],
            [_("Mode"), visit.get_mode_display()],
            [_("Kind"), visit.get_kind_display()],
            [_("Members present"), present],
        ],
    )
    _heading(document, _("Findings"))
    _paragraph(document, visit.notes or _("No findings recorded."))
    _heading(document, _("Scorecard"))
    card = feedback.scorecard
    if card is None:
        _paragraph(document, _("The visit has not been scored."))
    else:
        rows = [
            [
                line.aspect.name,
                str(line.aspect.weight),
                str(line.aspect.max_points),
                str(line.points),
                line.remark,
            ]
            for line in feedback.lines
        ]
        rows.append([_("Total (out of 100)"), "", "", str(card.total), card.remarks])
        _table(
            document,
            [_("Aspect"), _("Weight"), _("Maximum points"), _("Points"), _("Remark")],
            rows,
        )
        _paragraph(document, _("Total score: %(total)s") % {"total": card.total}, bold=True)
    _heading(document, _("Follow-up orders"))
    if feedback.orders:
        _table(
            document,
            [_("Number"), _("Problem"), _("Requirement"), _("Deadline"), _("State")],
            [
                [
                    order.number,
                    order.problem,
                    order.requirement,
                    date_format(order.deadline, "Y-m-d"),
                    order.get_state_display(),
                ]
                for order in feedback.orders
            ],
        )
    else:
        _paragraph(document, _("No follow-up orders were issued from this visit."))
    buffer = BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@signed_in
def visit_feedback_docx(request, pk):
    visit = get_visit_for_user(request.user, pk)
    feedback = queries_reports.visit_feedback(request.user, visit)
    response = HttpResponse(feedback_document(feedback), content_type=DOCX_TYPE)
    name = _("Supervision feedback %(unit)s %(day)s.docx") % {
        "unit": visit.unit.name,
        "day": date_format(visit.start_date, "Y-m-d"),
    }
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the group's month -------------------------------------------------------------------------


@signed_in
def group_report(request, pk):
    group = get_group_for_user(request.user, pk)
    today = actions.today()
    month = rules.parse_month(request.GET.get("month", "")) or rules.month_of(today)
    report = queries_reports.group_report(group, month, today)
    return render(
        request,
        "supervision/group_report.html",
        {
            "group": group,
            "report": report,
            "month": month,
            "previous": rules.month_of(month - timedelta(days=1)),
            "next": rules.next_month(month),
            "retired": PersonStatus.RETIRED_FROM_POST,
        },
    )
