"""Pages for those who set exams and read results: the exams they manage, the exam form with
its draw rules (checked against the bank), publishing, results by unit and person, and item
statistics for question authors."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.core.access import requires, signed_in
from zhengdun.core.forms import apply_errors
from zhengdun.core.pagination import paginate
from zhengdun.learning.exams import actions, queries
from zhengdun.learning.exams.forms import ExamForm, RuleFormSet
from zhengdun.learning.exams.permissions import (
    ExamPerm,
    exams_managed_by,
    get_exam_for_user,
    may_manage,
    may_see_results,
)
from zhengdun.org import scope
from zhengdun.org.models import Unit


@requires(ExamPerm.MANAGE)
def manage_list(request):
    exams = exams_managed_by(request.user).select_related("unit").order_by("-opens_at", "-id")
    page = paginate(request, exams)
    return render(request, "exams/manage_list.html", {"page": page})


def _forms(request, exam=None):
    units = scope.units(request.user, ExamPerm.MANAGE).order_by("path")
    initial, rules = {}, []
    if exam is not None:
        initial = {
            "version": exam.version,
            "unit": exam.unit_id,
            "title": exam.title,
            "description": exam.description,
            "opens_at": exam.opens_at,
            "closes_at": exam.closes_at,
            "time_limit": exam.time_limit,
            "pass_mark": exam.pass_mark,
            "attempts_allowed": exam.attempts_allowed,
            "audience_units": list(exam.audience_units.all()),
            "audience_people": " ".join(p.police_number for p in exam.audience_persons.all()),
        }
        rules = [
            {"kind": r.kind, "count": r.count, "points": r.points, "tags": list(r.tags.all())}
            for r in exam.rules.prefetch_related("tags")
        ]
    else:
        initial = {"time_limit": 60, "pass_mark": 60, "attempts_allowed": 1}
    data = request.POST if request.method == "POST" else None
    form = ExamForm(data, units=units, audience_units=units, initial=initial, user=request.user)
    if exam is not None:
        form.fields["unit"].queryset = Unit.objects.filter(pk=exam.unit_id)
    rule_forms = RuleFormSet(data, prefix="rules", initial=rules or None)
    return form, rule_forms


def _exam_data(form, rule_forms) -> actions.ExamData:
    data = form.cleaned_data
    rules = [
        actions.RuleData(
            kind=r["kind"],
            count=r["count"],
            points=r.get("points") or 1,
            tags=[(t.kind, t.name) for t in r.get("tags") or []],
        )
        for r in (f.cleaned_data for f in rule_forms.forms)
        if r.get("kind")
    ]
    return actions.ExamData(
        title=data["title"],
        description=data.get("description", ""),
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        time_limit=data["time_limit"],
        pass_mark=data["pass_mark"],
        attempts_allowed=data["attempts_allowed"],
        audience_units=list(data.get("audience_units") or []),
        audience_persons=data.get("audience_people") or [],
        rules=rules,
    )


def _save(request, form, rule_forms, exam=None):
    if not (form.is_valid() and rule_forms.is_valid()):
        return None
    try:
        data = _exam_data(form, rule_forms)
        if exam is None:
            return actions.create_exam(
                request.user,
                unit=form.cleaned_data["unit"],
                data=data,
                publish="publish" in request.POST,
            )
        return actions.update_exam(
            request.user, exam, data=data, version=form.cleaned_data.get("version") or exam.version
        )
    except ValidationError as error:
        apply_errors(form, error)
    except PermissionDenied:
        form.add_error("unit", _("You may not set exams for this unit."))
    return None


@requires(ExamPerm.MANAGE)
def manage_create(request):
    form, rule_forms = _forms(request)
    if request.method == "POST" and (exam := _save(request, form, rule_forms)) is not None:
        messages.success(request, _("The exam has been saved."))
        return redirect("exams:manage_edit", pk=exam.pk)
    return render(
        request, "exams/manage_form.html", {"form": form, "rules": rule_forms, "exam": None}
    )


@requires(ExamPerm.MANAGE)
def manage_edit(request, pk):
    exam = get_exam_for_user(request.user, pk, write=True)
    form, rule_forms = _forms(request, exam)
    if request.method == "POST" and _save(request, form, rule_forms, exam) is not None:
        messages.success(request, _("The exam has been saved."))
        return redirect("exams:manage_edit", pk=exam.pk)
    return render(
        request,
        "exams/manage_form.html",
        {
            "form": form,
            "rules": rule_forms,
            "exam": exam,
            "problems": actions.check_bank(exam),
            "started": exam.attempts.exists(),
        },
    )


@requires(ExamPerm.MANAGE)
@require_POST
def manage_publish(request, pk):
    exam = get_exam_for_user(request.user, pk, write=True)
    try:
        actions.publish_exam(request.user, exam)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The exam is published: its audience can take it now."))
    return redirect("exams:manage_edit", pk=exam.pk)


@requires(ExamPerm.RESULTS)
def results(request, pk):
    exam = get_exam_for_user(request.user, pk)
    if not may_see_results(request.user, exam):
        raise Http404
    units = queries.unit_results(request.user, exam)
    people = queries.people_in_results_scope(request.user, exam).select_related("unit")
    page = paginate(request, people.order_by("unit__path", "name", "id"))
    best = queries.best_results(page.object_list, exam)
    counts = queries.attempt_counts(page.object_list, exam)
    rows = [
        {"person": p, "best": best.get(p.pk), "attempts": counts.get(p.pk, 0)}
        for p in page.object_list
    ]
    return render(
        request,
        "exams/results.html",
        {
            "exam": exam,
            "units": units,
            "totals": queries.totals(units),
            "page": page,
            "rows": rows,
            "authors": scope.can(request.user, ExamPerm.BANK, exam.unit),
        },
    )


@signed_in
def statistics(request, pk):
    """Item statistics: for question authors of the exam's unit (they hold its bank)."""
    exam = get_exam_for_user(request.user, pk)
    if not (scope.can(request.user, ExamPerm.BANK, exam.unit) and may_manage(request.user, exam)):
        raise Http404
    return render(
        request, "exams/statistics.html", {"exam": exam, "items": queries.item_stats(exam)}
    )
