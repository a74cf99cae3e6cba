from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.audit.queries import history_for
from zhengdun.core import uploads
from zhengdun.core.access import requires, signed_in
from zhengdun.core.forms import ActionErrors, flash_action, run_action
from zhengdun.core.ids import id_or_404, parse_id
from zhengdun.core.pagination import IdsFirst, paginate
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Person, Unit, ancestor_paths
from zhengdun.org.roles import Perm
from zhengdun.selfcheck import actions, queries
from zhengdun.selfcheck.forms import (
    CompleteForm,
    FindingForm,
    LedgerFilterForm,
    MeetingForm,
    OpinionForm,
    ProgressForm,
    RejectForm,
    ReportForm,
    ReturnForm,
    RoundForm,
)
from zhengdun.selfcheck.models import (
    Item,
    MeasureEvidence,
    MeasureState,
    Meeting,
    ReportKind,
    ReportState,
    Round,
    RoundStatus,
)
from zhengdun.selfcheck.permissions import (
    SelfcheckPerm,
    get_measure_for_user,
    get_report_for_user,
    get_round_for_user,
    may_edit,
    may_return,
    own_person,
    reports_visible_to,
    rounds_visible_to,
)
from zhengdun.selfcheck.warnings import annotate


def _unit_in_round(request, round_, value) -> Unit:
    unit = (
        scope.units(request.user, SelfcheckPerm.VIEW)
        .filter(scope.prefix_q("path", round_.unit.path), pk=id_or_404(value))
        .first()
    )
    if unit is None:
        raise Http404
    return unit


@signed_in
def round_list(request):
    rounds = rounds_visible_to(request.user).order_by("-opened_on", "-id")
    mine = list(queries.my_reports(request.user).exclude(round__status=RoundStatus.CLOSED)[:20])
    return render(
        request,
        "selfcheck/round_list.html",
        {
            "page": paginate(request, rounds),
            "mine": mine,
            "can_plan": scope.holds(request.user, SelfcheckPerm.PLAN),
        },
    )


@requires(SelfcheckPerm.PLAN)
def round_create(request):
    units = scope.units(request.user, SelfcheckPerm.PLAN).filter(is_active=True).order_by("path")
    form = RoundForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        opened = run_action(
            form,
            lambda: actions.open_round(
                request.user,
                name=data["name"],
                catalogue=data["catalogue"],
                unit=data["unit"],
                due_date=data["due_date"],
                for_units=data["for_units"],
                for_persons=data["for_persons"],
                leaders_first=data["leaders_first"],
            ),
        )
        if opened is not None:
            messages.success(request, _("Round opened: every unit and officer has a draft report."))
            return redirect("selfcheck:round_detail", pk=opened.pk)
    return render(request, "selfcheck/round_form.html", {"form": form})


@signed_in
def round_detail(request, pk):
    round_ = get_round_for_user(request.user, pk)
    roots = list(queries.ledger_roots(request.user, round_))
    unit = (
        _unit_in_round(request, round_, request.GET["unit"])
        if request.GET.get("unit")
        else (roots[0] if roots else None)
    )
    kind = request.GET.get("kind", "") if request.GET.get("kind") in ReportKind.values else ""
    state = request.GET.get("state", "") if request.GET.get("state") in ReportState.values else ""
    reports = queries.reports_in_round(request.user, round_, unit=unit, kind=kind, state=state)
    return render(
        request,
        "selfcheck/round_detail.html",
        {
            "round": round_,
            "unit": unit,
            "progress": queries.round_progress(request.user, round_, unit) if unit else None,
            "page": paginate(request, reports),
            "kind": kind,
            "state": state,
            "kinds": ReportKind.choices,
            "states": ReportState.choices,
            "mine": [r for r in queries.my_reports(request.user).filter(round=round_)],
            "can_plan": scope.can(request.user, SelfcheckPerm.PLAN, round_.unit),
        },
    )


def _owners(request, report):
    """People a unit's measure may be given to: those of its bureau; a person's own measures
    are theirs (None: no choice)."""
    if report.kind == ReportKind.PERSON:
        return None
    return (
        Person.objects.filter(scope.within(request.user, Perm.VIEW_ORG), status="active")
        .filter(scope.prefix_q("unit__path", report.unit_path))
        .select_related("unit")
        .order_by("name")
    )


@signed_in
def report_detail(request, pk):
    user = request.user
    report = get_report_for_user(user, pk)
    answers = list(
        report.answers.filter(found=True)
        .select_related("item", "item__dimension", "meeting")
        .prefetch_related("measures__owner")
        .order_by("item__dimension__order", "item__order")
    )
    person = own_person(user)
    member = (
        person is not None
        and report.kind == ReportKind.UNIT
        and person.unit.path.startswith(report.unit_path)
    )
    return render(
        request,
        "selfcheck/report_detail.html",
        {
            "report": report,
            "answers": answers,
            "items_total": actions.applicable_items(report).count(),
            "may_edit": may_edit(user, report) and not report.is_locked,
            "may_return": may_return(user, report) and report.state == ReportState.SUBMITTED,
            "return_form": ReturnForm(),
            "opinions": list(report.opinions.select_related("author"))
            if report.kind == ReportKind.UNIT
            else [],
            "opinion_form": OpinionForm() if member else None,
            "history": history_for(report),
        },
    )


@signed_in
def report_edit(request, pk):
    report = get_report_for_user(request.user, pk, write=True)
    if report.is_locked:
        messages.error(request, _("This report has been submitted and is locked."))
        return redirect("selfcheck:report_detail", pk=report.pk)
    form = ReportForm(
        request.POST or None,
        report=report,
        items=actions.applicable_items(report),
        owners=_owners(request, report),
        initial={"version": report.version},
    )
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data["version"] or 0
        saved = run_action(
            form,
            lambda: actions.save_report(
                request.user, report=report, version=version, answers=form.answers()
            ),
        )
        if saved is not None:
            if "submit" in request.POST:
                errors = ActionErrors()
                if (
                    run_action(errors, lambda: actions.submit_report(request.user, report=report))
                    is not None
                ):
                    messages.success(request, _("Report submitted. It is now locked."))
                    return redirect("selfcheck:report_detail", pk=report.pk)
                for message in errors.messages():
                    messages.error(request, message)
            else:
                messages.success(request, _("Draft saved."))
            return redirect("selfcheck:report_edit", pk=report.pk)
    return render(request, "selfcheck/report_form.html", {"report": report, "form": form})


@signed_in
@require_POST
def report_submit(request, pk):
    report = get_report_for_user(request.user, pk, write=True)
    flash_action(
        request,
        ActionErrors(),
        lambda _data: actions.submit_report(request.user, report=report),
        _("Report submitted. It is now locked."),
    )
    return redirect("selfcheck:report_detail", pk=report.pk)


@signed_in
@require_POST
def report_return(request, pk):
    report = get_report_for_user(request.user, pk)
    flash_action(
        request,
        ReturnForm(request.POST),
        lambda data: actions.return_report(request.user, report=report, comment=data["comment"]),
        _("Report returned with your comments."),
    )
    return redirect("selfcheck:report_detail", pk=report.pk)


@signed_in
@require_POST
def opinion_add(request, pk):
    report = get_report_for_user(request.user, pk)
    flash_action(
        request,
        OpinionForm(request.POST),
        lambda data: actions.add_opinion(
            request.user, report=report, text=data["text"], anonymous=data["anonymous"]
        ),
        _("Thank you: your comment is recorded beside the report."),
    )
    return redirect("selfcheck:report_detail", pk=report.pk)


def _ledger_round(request) -> Round | None:
    value = request.GET.get("round")
    if value:
        return get_round_for_user(request.user, value)
    return rounds_visible_to(request.user).order_by("-opened_on", "-id").first()


def ledger_filters(request, round_):
    items = Item.objects.filter(dimension__catalogue_id=round_.catalogue_id).order_by(
        "dimension__order", "order"
    )
    form = LedgerFilterForm(request.GET or None, items=items)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    unit = _unit_in_round(request, round_, data["unit"]) if data.get("unit") else None
    filters = queries.LedgerFilters(
        unit=unit,
        dimension=data.get("dimension"),
        item=int(data["item"]) if data.get("item") else None,
        bucket=data.get("bucket", ""),
        colour=data.get("colour", ""),
        owner=data.get("owner"),
        q=(data.get("q") or "").strip(),
    )
    return form, filters


@requires(SelfcheckPerm.VIEW)
def ledger(request):
    round_ = _ledger_round(request)
    if round_ is None:
        return render(request, "selfcheck/ledger.html", {"round": None})
    form, filters = ledger_filters(request, round_)
    page = paginate(
        request,
        IdsFirst(
            queries.ledger(request.user, round_, filters),
            queries.ledger_count(request.user, round_, filters),
        ),
    )
    today = actions.today()
    for measure in page.object_list:
        measure.round = round_
        annotate(measure, today)
    return render(
        request,
        "selfcheck/ledger.html",
        {"round": round_, "form": form, "page": page, "unit": filters.unit},
    )


@requires(SelfcheckPerm.VIEW)
def heat_map(request, pk):
    round_ = get_round_for_user(request.user, pk)
    if request.GET.get("unit"):
        unit = _unit_in_round(request, round_, request.GET["unit"])
    else:
        unit = queries.ledger_roots(request.user, round_).first()
        if unit is None:
            raise Http404
    data = queries.heat_map(request.user, round_, unit)
    rows = []
    for item in data.items:
        cells = [data.cells.get((item.pk, column.pk), {}) for column in data.columns]
        rows.append(
            {
                "item": item,
                "cells": list(zip(data.columns, cells, strict=True)),
                "total": data.cells.get((item.pk, unit.pk), {}),
            }
        )
    return render(
        request,
        "selfcheck/heat_map.html",
        {
            "round": round_,
            "unit": unit,
            "map": data,
            "rows": rows,
            "column_totals": [
                (column, data.column_totals.get(column.pk, {})) for column in data.columns
            ],
            "ancestors": [
                a
                for a in scope.visible_ancestors(request.user, SelfcheckPerm.VIEW, unit)
                if a.path.startswith(round_.unit.path)
            ],
        },
    )


@signed_in
def measure_detail(request, pk):
    user = request.user
    measure = get_measure_for_user(user, pk)
    annotate(measure, actions.today())
    person = own_person(user)
    works = (person is not None and measure.owner_id == person.pk) or scope.can(
        user, SelfcheckPerm.REPORT, measure.unit
    )
    checks = (
        scope.can(user, SelfcheckPerm.VERIFY, measure.unit) and measure.completed_by_id != user.pk
    )
    report = measure.answer.report
    sees_finding = get_report_visible(user, report)
    return render(
        request,
        "selfcheck/measure_detail.html",
        {
            "measure": measure,
            "answer": measure.answer if sees_finding else None,
            "report": report if sees_finding else None,
            "evidence": list(measure.evidence.all()),
            "progress_form": ProgressForm(initial={"progress": measure.progress})
            if works and measure.is_open
            else None,
            "complete_form": CompleteForm() if works and measure.is_open else None,
            "may_check": checks and measure.state == MeasureState.COMPLETED,
            "reject_form": RejectForm(),
            "history": history_for(measure),
        },
    )


def get_report_visible(user, report) -> bool:
    return reports_visible_to(user).filter(pk=report.pk).exists()


def _measure_post(request, pk, form, call, success):
    measure = get_measure_for_user(request.user, pk)
    flash_action(request, form, lambda data: call(measure, data), success)
    return redirect("selfcheck:measure_detail", pk=measure.pk)


@signed_in
@require_POST
def measure_progress(request, pk):
    return _measure_post(
        request,
        pk,
        ProgressForm(request.POST),
        lambda measure, data: actions.report_measure_progress(
            request.user, measure=measure, progress=data["progress"], note=data["note"]
        ),
        _("Progress recorded."),
    )


@signed_in
@require_POST
def measure_complete(request, pk):
    return _measure_post(
        request,
        pk,
        CompleteForm(request.POST, request.FILES),
        lambda measure, data: actions.complete_measure(
            request.user, measure=measure, note=data["note"], files=data["files"]
        ),
        _("Reported completed; it now waits for verification."),
    )


@requires(SelfcheckPerm.VERIFY)
@require_POST
def measure_verify(request, pk):
    return _measure_post(
        request,
        pk,
        ActionErrors(),
        lambda measure, _data: actions.verify_measure(request.user, measure=measure),
        _("Verified."),
    )


@requires(SelfcheckPerm.VERIFY)
@require_POST
def measure_reject(request, pk):
    return _measure_post(
        request,
        pk,
        RejectForm(request.POST),
        lambda measure, data: actions.reject_measure(
            request.user, measure=measure, reason=data["reason"]
        ),
        _("Rejected: the measure is open again."),
    )


@signed_in
def evidence_download(request, pk):
    evidence = MeasureEvidence.objects.filter(pk=id_or_404(pk)).select_related("measure").first()
    if evidence is None:
        raise Http404
    get_measure_for_user(request.user, evidence.measure_id)
    return uploads.serve(evidence)


@requires(SelfcheckPerm.REPORT)
def meeting_create(request):
    units = scope.units(request.user, SelfcheckPerm.REPORT).filter(is_active=True).order_by("path")
    value = request.GET.get("unit") or request.POST.get("unit")
    pk = parse_id(value)
    unit = units.filter(pk=pk).first() if pk is not None else None
    if unit is None:
        raise Http404
    people = Person.objects.filter(
        scope.prefix_q("unit__path", unit.path[: 2 * PATH_STEP]), status="active"
    ).order_by("name")
    form = MeetingForm(request.POST or None, people=people, initial={"held_on": actions.today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        meeting = run_action(
            form,
            lambda: actions.record_meeting(
                request.user,
                unit=unit,
                kind=data["kind"],
                held_on=data["held_on"],
                minutes=data["minutes"],
                criticism=data["criticism"],
                attendees=data["attendees"],
                round=Round.objects.filter(
                    status=RoundStatus.OPEN, unit__path__in=ancestor_paths(unit.path)
                )
                .order_by("-opened_on")
                .first(),
            ),
        )
        if meeting is not None:
            messages.success(request, _("Meeting recorded."))
            return redirect("selfcheck:meeting_detail", pk=meeting.pk)
    return render(request, "selfcheck/meeting_form.html", {"form": form, "unit": unit})


@signed_in
def meeting_detail(request, pk):
    meeting = (
        Meeting.objects.filter(scope.within(request.user, SelfcheckPerm.VIEW), pk=pk)
        .select_related("unit", "round")
        .prefetch_related("attendees", "findings__item")
        .first()
    )
    if meeting is None:
        raise Http404
    report = (
        queries.reports_in_round(request.user, meeting.round, kind=ReportKind.UNIT)
        .filter(unit=meeting.unit)
        .first()
        if meeting.round_id
        else None
    )
    form = None
    if report is not None and scope.can(request.user, SelfcheckPerm.REPORT, meeting.unit):
        form = FindingForm(
            request.POST or None,
            items=actions.applicable_items(report),
            owners=_owners(request, report),
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            answer = run_action(
                form,
                lambda: actions.raise_finding(
                    request.user,
                    meeting=meeting,
                    report=report,
                    item=data["item"],
                    description=data["description"],
                    cause=data["cause"],
                    measures=[
                        {
                            "text": data["measure"],
                            "owner": data["owner"],
                            "deadline": data["deadline"],
                        }
                    ],
                ),
            )
            if answer is not None:
                messages.success(request, _("The problem is now a finding of the unit's report."))
                return redirect("selfcheck:meeting_detail", pk=meeting.pk)
    return render(
        request,
        "selfcheck/meeting_detail.html",
        {"meeting": meeting, "report": report, "form": form, "history": history_for(meeting)},
    )
