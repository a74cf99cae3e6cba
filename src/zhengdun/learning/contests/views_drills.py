"""Pages of drills (实战大练兵): plans, standards, pass rates rolled up the tree, results,
people not yet tested, recording and Excel import, skills competitions and unit ranking.

Thin: objects come through the gates in ``permissions`` (not allowed looks like not found),
reads through ``queries``, writes only through ``actions``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhengdun.campaigns.models import Campaign
from zhengdun.core.access import requires
from zhengdun.core.errors import messages_of
from zhengdun.core.excel import read_rows, workbook_response, write_workbook
from zhengdun.core.forms import run_action
from zhengdun.core.ids import id_or_404
from zhengdun.core.pagination import IdsFirst, paginate
from zhengdun.learning.contests import actions, excel, queries
from zhengdun.learning.contests.forms import (
    CompetitionEntryForm,
    CompetitionForm,
    CompetitionResultForm,
    ImportForm,
    PlanForm,
    ResultForm,
    SubjectForm,
)
from zhengdun.learning.contests.models import Competition
from zhengdun.learning.contests.permissions import (
    ContestPerm,
    get_plan_for_user,
    may_manage,
    plans_visible_to,
    recordable_people,
)
from zhengdun.org import scope
from zhengdun.org.models import Person, Unit


def _managed_units(user):
    return scope.units(user, ContestPerm.MANAGE).filter(is_active=True).order_by("path")


def _campaigns(user):
    return Campaign.objects.filter(scope.within(user, ContestPerm.MANAGE, "unit__path"))


@requires(ContestPerm.VIEW)
def plan_list(request):
    plans = plans_visible_to(request.user).select_related("unit", "campaign")
    page = paginate(request, IdsFirst(plans.order_by("-starts_on", "-id")))
    return render(
        request,
        "contests/plan_list.html",
        {"page": page, "can_manage": scope.holds(request.user, ContestPerm.MANAGE)},
    )


@requires(ContestPerm.MANAGE)
def plan_create(request):
    units, campaigns = _managed_units(request.user), _campaigns(request.user)
    form = PlanForm(request.POST or None, units=units, campaigns=campaigns)
    if request.method == "POST" and form.is_valid():
        plan = run_action(form, lambda: actions.create_plan(request.user, **form.cleaned_data))
        if plan is not None:
            messages.success(request, _("The plan is saved; now add its subjects."))
            return redirect("contests:plan_detail", plan.pk)
    return render(request, "contests/form.html", {"form": form, "title": _("New drill plan")})


def _pick_unit(request, plan):
    value = request.GET.get("unit")
    unit = Unit.objects.filter(pk=id_or_404(value)).first() if value else None
    if value and unit is None:
        raise Http404
    root = queries.drill_root(request.user, plan, unit)
    if root is None:
        raise Http404
    return root


@requires(ContestPerm.VIEW)
def plan_detail(request, pk):
    plan = get_plan_for_user(request.user, pk)
    root = _pick_unit(request, plan)
    subjects = list(plan.subjects.all())
    rows = queries.unit_rates(plan, root, subjects)
    rates = queries.subject_rates(request.user, plan)
    competitions = list(plan.competitions.all())
    return render(
        request,
        "contests/plan_detail.html",
        {
            "plan": plan,
            "root": root,
            "ancestors": scope.visible_ancestors(request.user, ContestPerm.VIEW, root)
            if root.path != plan.unit_path
            else [],
            "subjects": [(s, rates.get(s.pk)) for s in subjects],
            "rows": [(row, [(s, row.by_subject.get(s.pk)) for s in subjects]) for row in rows],
            "competitions": competitions,
            "standings": queries.unit_ranking(plan) if competitions else [],
            "can_manage": may_manage(request.user, plan.unit),
            "can_record": scope.holds(request.user, ContestPerm.RECORD),
        },
    )


@requires(ContestPerm.MANAGE)
def subject_form(request, pk, subject_pk=None):
    plan = get_plan_for_user(request.user, pk, write=True)
    subject = plan.subjects.filter(pk=id_or_404(subject_pk)).first() if subject_pk else None
    if subject_pk and subject is None:
        raise Http404
    initial = (
        {
            f: getattr(subject, f)
            for f in ("name", "category", "measure", "direction", "pass_mark", "excellent_mark")
        }
        | {"order": subject.order}
        if subject
        else {"order": plan.subjects.count()}
    )
    form = SubjectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = run_action(
            form,
            lambda: actions.save_subject(
                request.user, plan=plan, subject=subject, **form.cleaned_data
            ),
        )
        if saved is not None:
            messages.success(request, _("The subject and its standard are saved."))
            return redirect("contests:plan_detail", plan.pk)
    title = _("Subject and standard") + f" · {plan.name}"
    return render(request, "contests/form.html", {"form": form, "title": title, "plan": plan})


@requires(ContestPerm.VIEW)
def result_list(request, pk):
    plan = get_plan_for_user(request.user, pk)
    subject = _subject(plan, request.GET.get("subject"))
    unit = None
    if request.GET.get("unit"):
        unit = queries.drill_root(
            request.user, plan, Unit.objects.filter(pk=id_or_404(request.GET["unit"])).first()
        )
        if unit is None:
            raise Http404
    failed = request.GET.get("failed") == "1"
    results = queries.result_list(request.user, plan, subject=subject, unit=unit, failed=failed)
    page = paginate(request, IdsFirst(results))
    return render(
        request,
        "contests/result_list.html",
        {
            "plan": plan,
            "page": page,
            "subjects": plan.subjects.all(),
            "subject": subject,
            "unit": unit,
            "failed": failed,
        },
    )


def _subject(plan, value):
    if not value:
        return None
    subject = plan.subjects.filter(pk=id_or_404(value)).first()
    if subject is None:
        raise Http404
    return subject


@requires(ContestPerm.VIEW)
def untested(request, pk):
    plan = get_plan_for_user(request.user, pk)
    subject = _subject(plan, request.GET.get("subject")) or plan.subjects.first()
    if subject is None:
        raise Http404
    people = queries.untested_people(request.user, plan, subject)
    page = paginate(request, IdsFirst(people))
    return render(
        request,
        "contests/untested.html",
        {"plan": plan, "subject": subject, "subjects": plan.subjects.all(), "page": page},
    )


@requires(ContestPerm.RECORD)
def result_record(request, pk):
    plan = get_plan_for_user(request.user, pk)
    form = ResultForm(
        request.POST or None,
        subjects=plan.subjects.all(),
        initial={"tested_on": actions.today(), "subject": request.GET.get("subject")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (
            recordable_people(request.user, plan)
            .filter(police_number=data["police_number"].strip())
            .select_related("unit")
            .first()
        )
        if person is None:
            form.add_error(
                "police_number", _("No one with this police number serves in your units.")
            )
        else:
            done = run_action(
                form,
                lambda: actions.record_result(
                    request.user,
                    subject=data["subject"],
                    person=person,
                    value=data["value"],
                    passed={"1": True, "0": False}.get(data["passed"]),
                    tested_on=data["tested_on"],
                    note=data["note"],
                ),
            )
            if done is not None:
                result, _created = done
                verdict = (
                    _("excellent")
                    if result.excellent
                    else (_("passed") if result.passed else _("not passed"))
                )
                messages.success(
                    request,
                    _("%(name)s: %(subject)s recorded (%(verdict)s).")
                    % {"name": person.name, "subject": result.subject.name, "verdict": verdict},
                )
                return redirect(f"{request.path}?subject={result.subject_id}")
    return render(
        request,
        "contests/form.html",
        {"form": form, "title": _("Record a result") + f" · {plan.name}", "plan": plan},
    )


@requires(ContestPerm.RECORD)
def results_template(request, pk):
    plan = get_plan_for_user(request.user, pk)
    columns = excel.columns(plan)
    data = write_workbook(plan.name, columns, excel.template_rows(request.user, plan))
    return workbook_response(f"{plan.name}.xlsx", data)


@requires(ContestPerm.RECORD)
def results_import(request, pk):
    plan = get_plan_for_user(request.user, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = list(read_rows(form.cleaned_data["file"], excel.columns(plan)))
        except ValidationError as error:
            for texts in messages_of(error).values():
                for text in texts:
                    form.add_error("file", text)
        else:
            commit = form.cleaned_data["commit"]
            outcome = excel.import_results(request.user, plan, rows, dry_run=not commit)
            if outcome.committed:
                messages.success(request, _("%(n)d rows saved.") % {"n": outcome.total})
                return redirect("contests:plan_detail", plan.pk)
    return render(request, "contests/import.html", {"plan": plan, "form": form, "outcome": outcome})


# Skills competitions -------------------------------------------------------------------------


@requires(ContestPerm.MANAGE)
def competition_create(request, pk):
    plan = get_plan_for_user(request.user, pk, write=True)
    form = CompetitionForm(request.POST or None, initial={"held_on": actions.today()})
    if request.method == "POST" and form.is_valid():
        competition = run_action(
            form, lambda: actions.create_competition(request.user, plan=plan, **form.cleaned_data)
        )
        if competition is not None:
            return redirect("contests:competition_detail", competition.pk)
    return render(
        request, "contests/form.html", {"form": form, "title": _("New skills competition")}
    )


def _competition(user, pk) -> Competition:
    competition = (
        Competition.objects.filter(pk=id_or_404(pk), plan__in=plans_visible_to(user))
        .select_related("plan__unit")
        .first()
    )
    if competition is None:
        raise Http404
    return competition


@requires(ContestPerm.VIEW)
def competition_detail(request, pk):
    competition = _competition(request.user, pk)
    plan = competition.plan
    can_manage = may_manage(request.user, plan.unit)
    units = scope.units(request.user, ContestPerm.MANAGE).filter(
        scope.prefix_q("path", plan.unit_path), is_active=True
    )
    form = CompetitionEntryForm(request.POST or None, units=units)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            person = None
            if data["police_number"]:
                person = Person.objects.filter(
                    police_number=data["police_number"].strip(),
                    unit__path__startswith=data["unit"].path,
                ).first()
                if person is None:
                    form.add_error(
                        "police_number", _("No one with this police number serves in that unit.")
                    )
            if not form.errors and run_action(
                form,
                lambda: actions.add_competition_entry(
                    request.user,
                    competition=competition,
                    unit=data["unit"],
                    person=person,
                    name=data["name"],
                    value=data["value"],
                ),
            ):
                messages.success(request, _("The entry is added."))
                return redirect("contests:competition_detail", competition.pk)
    return render(
        request,
        "contests/competition_detail.html",
        {
            "competition": competition,
            "plan": plan,
            "ranking": queries.competition_ranking(competition, viewer=request.user),
            "form": form if can_manage else None,
        },
    )


@requires(ContestPerm.MANAGE)
def competition_result(request, pk, entry_pk):
    competition = _competition(request.user, pk)
    if not may_manage(request.user, competition.plan.unit):
        raise PermissionDenied
    entry = competition.entries.filter(pk=id_or_404(entry_pk)).select_related("unit").first()
    if entry is None or request.method != "POST":
        raise Http404
    form = CompetitionResultForm(request.POST)
    if form.is_valid() and run_action(
        form,
        lambda: actions.record_competition_result(
            request.user, entry=entry, value=form.cleaned_data["value"]
        ),
    ):
        messages.success(request, _("The result is saved."))
    else:
        for texts in form.errors.values():
            for text in texts:
                messages.error(request, text)
    return redirect("contests:competition_detail", competition.pk)
