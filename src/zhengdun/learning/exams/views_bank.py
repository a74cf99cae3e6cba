"""The question bank pages (question authors only): list with filters, create, edit, Excel
export and all-or-nothing import."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhengdun.core.access import requires
from zhengdun.core.excel import read_rows, workbook_response, write_template, write_workbook
from zhengdun.core.forms import apply_errors
from zhengdun.core.pagination import IdsFirst, paginate
from zhengdun.learning.exams import actions, excel, queries
from zhengdun.learning.exams.forms import ImportForm, QuestionFilterForm, QuestionForm
from zhengdun.learning.exams.models import Tag
from zhengdun.learning.exams.permissions import (
    ExamPerm,
    get_question_for_user,
    questions_visible_to,
)
from zhengdun.org import scope

EXPORT_LIMIT = 5000


def _filtered(request):
    tags = list(Tag.objects.all()[:500])
    form = QuestionFilterForm(request.GET or None, tags=tags)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    qs = queries.questions_filtered(
        questions_visible_to(request.user),
        kind=data.get("kind") or "",
        tag=data.get("tag"),
        text=(data.get("q") or "").strip(),
    )
    return form, qs.order_by("-id")


@requires(ExamPerm.BANK)
def question_list(request):
    form, qs = _filtered(request)
    page = paginate(request, IdsFirst(qs.select_related("unit")))
    prefetch_related_objects(page.object_list, "tags")
    return render(request, "exams/question_list.html", {"form": form, "page": page})


def _units(user):
    return scope.units(user, ExamPerm.BANK).order_by("path")


def _save(request, form, question=None):
    """Validate the form through the same reader as the Excel import, then the action."""
    if not form.is_valid():
        return None
    cells = form.cells()
    if form.errors:
        return None
    try:
        data = excel.data_from_cells(cells)
        if question is None:
            return actions.create_question(request.user, unit=form.cleaned_data["unit"], data=data)
        return actions.update_question(
            request.user,
            question,
            data=data,
            is_active=form.cleaned_data["is_active"],
            version=form.cleaned_data.get("version") or question.version,
        )
    except ValidationError as error:
        apply_errors(form, error)
    except PermissionDenied:
        form.add_error("unit", _("You may not write questions for this unit."))
    return None


@requires(ExamPerm.BANK)
def question_create(request):
    units = _units(request.user)
    form = QuestionForm(request.POST or None, units=units)
    if request.method == "POST" and (question := _save(request, form)) is not None:
        messages.success(request, _("The question has been added to the bank."))
        return redirect("exams:question_edit", pk=question.pk)
    return render(request, "exams/question_form.html", {"form": form, "question": None})


@requires(ExamPerm.BANK)
def question_edit(request, pk):
    question = get_question_for_user(request.user, pk)
    units = _units(request.user).filter(pk=question.unit_id)
    form = QuestionForm(
        request.POST or None, units=units, initial=QuestionForm.initial_for(question)
    )
    if request.method == "POST" and _save(request, form, question) is not None:
        messages.success(request, _("The question has been saved."))
        return redirect("exams:question_edit", pk=question.pk)
    return render(request, "exams/question_form.html", {"form": form, "question": question})


@requires(ExamPerm.BANK)
def question_export(request):
    _form, qs = _filtered(request)
    questions = list(qs.prefetch_related("tags")[:EXPORT_LIMIT])
    data = write_workbook(_("Question bank"), excel.COLUMNS, excel.question_rows(questions))
    return workbook_response("question-bank.xlsx", data)


@requires(ExamPerm.BANK)
def question_template(request):
    return workbook_response(
        "question-bank-template.xlsx", write_template(_("Question bank"), excel.COLUMNS)
    )


@requires(ExamPerm.BANK)
def question_import(request):
    form = ImportForm(request.POST or None, request.FILES or None, units=_units(request.user))
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = list(read_rows(form.cleaned_data["file"], excel.COLUMNS))
            outcome = excel.import_questions(
                request.user,
                unit=form.cleaned_data["unit"],
                rows=rows,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        except PermissionDenied:
            form.add_error("unit", _("You may not write questions for this unit."))
        if outcome is not None and outcome.committed:
            messages.success(
                request,
                ngettext("%(n)d question imported.", "%(n)d questions imported.", outcome.created)
                % {"n": outcome.created},
            )
            return redirect("exams:question_list")
    return render(request, "exams/question_import.html", {"form": form, "outcome": outcome})
