from django.contrib import messages
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.audit.queries import history_for
from zhengdun.campaigns import actions, queries, tally
from zhengdun.campaigns.forms import (
    CampaignForm,
    CancelForm,
    CompleteForm,
    IncentiveForm,
    NewCampaignForm,
    NewTaskForm,
    PhasesForm,
    ProgressForm,
    ShareFormSet,
    TaskFilterForm,
    TaskForm,
    WorkstreamForm,
)
from zhengdun.campaigns.models import Colour, IncentiveSide, TaskState, TaskTally
from zhengdun.campaigns.permissions import (
    CampaignPerm,
    campaigns_visible_to,
    get_campaign_for_user,
    get_evidence_for_user,
    get_task_for_user,
    may_run,
)
from zhengdun.campaigns.warnings import annotate
from zhengdun.core import uploads
from zhengdun.core.access import requires
from zhengdun.core.forms import ActionErrors, flash_action, run_action
from zhengdun.core.ids import id_or_404
from zhengdun.core.pagination import paginate
from zhengdun.org import scope
from zhengdun.org.models import Unit, ancestor_paths


@requires(CampaignPerm.VIEW)
def campaign_list(request):
    campaigns = campaigns_visible_to(request.user).order_by("-start_date", "-id")
    page = paginate(request, campaigns)
    shown = list(page.object_list)
    # Whole-campaign figures, for those who see the campaign's own unit (one query).
    rows = list(
        tally.summed(
            TaskTally.objects.filter(
                scope.within(request.user, CampaignPerm.VIEW),
                campaign__in=shown,
                unit_id=F("campaign__unit_id"),
            ),
            "campaign_id",
        )
    )
    for campaign in shown:
        campaign.figures = tally.totals(row for row in rows if row["campaign_id"] == campaign.pk)
    return render(
        request,
        "campaigns/campaign_list.html",
        {"page": page, "can_plan": scope.holds(request.user, CampaignPerm.PLAN)},
    )


@requires(CampaignPerm.PLAN)
def campaign_create(request):
    units = scope.units(request.user, CampaignPerm.PLAN).filter(is_active=True).order_by("path")
    form = NewCampaignForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        campaign = run_action(
            form,
            lambda: actions.create_campaign(
                request.user,
                unit=data["unit"],
                name=data["name"],
                description=data["description"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                workstreams=data["workstreams"],
                phases=data["phases"],
                **{name: data[name] for name in actions.THRESHOLD_FIELDS},
            ),
        )
        if campaign is not None:
            messages.success(request, _("Campaign created."))
            return redirect("campaigns:overview", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@requires(CampaignPerm.PLAN)
def campaign_edit(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    initial = {
        name: getattr(campaign, name) for name in CampaignForm.base_fields if name != "version"
    }
    form = CampaignForm(request.POST or None, initial={**initial, "version": campaign.version})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields if name != "version"}
        version = form.cleaned_data["version"] or 0
        saved = run_action(
            form,
            lambda: actions.update_campaign(
                request.user, campaign=campaign, version=version, **fields
            ),
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("campaigns:settings", pk=campaign.pk)
    phases_text = "\n".join(
        f"{phase.name}, {phase.start_date}, {phase.end_date}" for phase in campaign.phases.all()
    )
    return render(
        request,
        "campaigns/campaign_settings.html",
        {
            "campaign": campaign,
            "form": form,
            "phases_form": PhasesForm(initial={"phases": phases_text}),
            "workstream_form": WorkstreamForm(),
            "workstreams": campaign.workstreams.all(),
            "levels": campaign.incentive_levels.all(),
            "history": history_for(campaign),
        },
    )


@requires(CampaignPerm.PLAN)
@require_POST
def campaign_phases(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    flash_action(
        request,
        PhasesForm(request.POST),
        lambda data: actions.set_phases(request.user, campaign=campaign, phases=data["phases"]),
        _("Phases saved."),
    )
    return redirect("campaigns:settings", pk=campaign.pk)


@requires(CampaignPerm.PLAN)
@require_POST
def campaign_workstream(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    flash_action(
        request,
        WorkstreamForm(request.POST),
        lambda data: actions.save_workstream(
            request.user, campaign=campaign, name=data["name"], description=data["description"]
        ),
        _("Workstream added."),
    )
    return redirect("campaigns:settings", pk=campaign.pk)


@requires(CampaignPerm.PLAN)
@require_POST
def campaign_levels(request, pk):
    campaign = get_campaign_for_user(request.user, pk, write=True)
    names = {
        side: [request.POST.get(f"{side}_{rank}", "") for rank in (1, 2, 3)]
        for side in IncentiveSide.values
    }
    flash_action(
        request,
        ActionErrors(),
        lambda _data: actions.set_incentive_levels(request.user, campaign=campaign, names=names),
        _("Incentive levels saved."),
    )
    return redirect("campaigns:settings", pk=campaign.pk)


def _unit_in_campaign(request, campaign, value) -> Unit:
    """A unit of the campaign that the user may see (for drilling down), or 404."""
    unit = (
        scope.units(request.user, CampaignPerm.VIEW)
        .filter(scope.prefix_q("path", campaign.unit.path), pk=id_or_404(value))
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def _overview_unit(request, campaign) -> Unit | None:
    value = request.GET.get("unit")
    if value:
        return _unit_in_campaign(request, campaign, value)
    return queries.scope_roots(request.user, campaign).first()


@requires(CampaignPerm.VIEW)
def overview(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    unit = _overview_unit(request, campaign)
    if unit is None:
        raise Http404
    summary = queries.overview(request.user, campaign, unit)
    ancestors = [
        ancestor
        for ancestor in scope.visible_ancestors(request.user, CampaignPerm.VIEW, unit)
        if ancestor.path.startswith(campaign.unit.path)
    ]
    return render(
        request,
        "campaigns/overview.html",
        {
            "campaign": campaign,
            "summary": summary,
            "unit": unit,
            "ancestors": ancestors,
            "phases": campaign.phases.all(),
            "can_plan": scope.can(request.user, CampaignPerm.PLAN, campaign.unit),
            "states": TaskState,
        },
    )


def _filters(request, campaign):
    query = request.GET.copy()
    if "state" not in query:
        # A list opened without filters shows what still needs doing.
        query["state"] = "open"
    form = TaskFilterForm(query, workstreams=campaign.workstreams.order_by("order", "id"))
    # The valid filters apply even when another one is not (its error is shown).
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    unit = _unit_in_campaign(request, campaign, data["unit"]) if data.get("unit") else None
    filters = queries.TaskFilters(
        workstream=data.get("workstream"),
        unit=unit,
        state=data.get("state", ""),
        colour=data.get("colour", ""),
        due_from=data.get("due_from"),
        due_to=data.get("due_to"),
        lead=data.get("lead"),
        q=(data.get("q") or "").strip(),
    )
    return form, filters


@requires(CampaignPerm.VIEW)
def task_list(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    form, filters = _filters(request, campaign)
    tasks = queries.tasks_visible_to(request.user, campaign, filters)
    page = paginate(
        request, queries.counted(tasks, queries.count_from_tallies(request.user, campaign, filters))
    )
    today = actions.today()
    for task in page.object_list:
        task.campaign = campaign
        annotate(task, today)
    return render(
        request,
        "campaigns/task_list.html",
        {
            "campaign": campaign,
            "form": form,
            "page": page,
            "unit": filters.unit,
            "can_plan": scope.holds(request.user, CampaignPerm.PLAN),
        },
    )


@requires(CampaignPerm.VIEW)
def my_tasks(request):
    page = paginate(request, queries.my_tasks(request.user))
    today = actions.today()
    for task in page.object_list:
        annotate(task, today)
    return render(request, "campaigns/my_tasks.html", {"page": page})


@requires(CampaignPerm.PLAN)
def task_create(request, pk):
    campaign = get_campaign_for_user(request.user, pk)
    units = (
        scope.units(request.user, CampaignPerm.PLAN)
        .filter(scope.prefix_q("path", campaign.unit.path), is_active=True)
        .order_by("path")
    )
    if not units.exists():
        raise Http404
    form = NewTaskForm(
        request.POST or None,
        units=units,
        workstreams=campaign.workstreams.all(),
        leads=queries.leads_for(request.user, campaign.unit),
        initial={"start_date": actions.today(), "weight": 1, "state": TaskState.PLANNED},
    )
    if request.method == "POST" and form.is_valid():
        fields = form.task_fields()
        task = run_action(
            form, lambda: actions.create_task(request.user, campaign=campaign, **fields)
        )
        if task is not None:
            messages.success(request, _("Task created."))
            return redirect("campaigns:task_detail", pk=task.pk)
    return render(
        request, "campaigns/task_form.html", {"form": form, "campaign": campaign, "task": None}
    )


@requires(CampaignPerm.VIEW)
def task_detail(request, pk):
    user = request.user
    task = get_task_for_user(user, pk)
    today = actions.today()
    annotate(task, today)
    family = queries.family_of(user, task)
    for member in family:
        member.campaign = task.campaign
        annotate(member, today)
    updates = list(
        task.updates.select_related("author", "author__person").prefetch_related("evidence")[:50]
    )
    runs = may_run(user, task)
    has_children = any(
        member.parent_id == task.pk and member.state != TaskState.CANCELLED for member in family
    )
    sub_units = _share_units(user, task)
    context = {
        "task": task,
        "campaign": task.campaign,
        "family": family,
        "updates": updates,
        "history": history_for(task),
        "may_run": runs,
        "has_children": has_children,
        "parent_visible": task.parent_id is not None
        and scope.can(user, CampaignPerm.VIEW, task.parent.unit),
        "progress_form": ProgressForm() if runs and task.is_open and not has_children else None,
        "can_decompose": task.is_open and sub_units.exists(),
        "complete_form": CompleteForm(initial={"completed_on": today})
        if runs and task.is_open
        else None,
        "cancel_form": CancelForm() if task.is_open and _may_cancel(user, task) else None,
        "incentive_form": _incentive_form(user, task),
    }
    return render(request, "campaigns/task_detail.html", context)


def _may_cancel(user, task) -> bool:
    return scope.can(user, CampaignPerm.PLAN, task.unit) or scope.can(
        user, CampaignPerm.MANAGE, task.unit
    )


def _share_units(user, task):
    """Units the user may hand a share of the task to: direct subunits when running the task's
    unit, any unit below it for the campaign office."""
    below = Unit.objects.filter(scope.prefix_q("path", task.unit.path), is_active=True).exclude(
        pk=task.unit_id
    )
    if scope.can(user, CampaignPerm.PLAN, task.unit):
        return below.order_by("path")
    if scope.can(user, CampaignPerm.MANAGE, task.unit):
        return below.filter(parent=task.unit).order_by("sort_order", "name")
    return Unit.objects.none()


def _incentive_form(user, task, data=None):
    if not scope.holds(user, CampaignPerm.INCENTIVE):
        return None
    units = (
        scope.units(user, CampaignPerm.INCENTIVE)
        .filter(scope.prefix_q("path", task.campaign.unit.path))
        .filter(path__in=ancestor_paths(task.unit_path))
        .order_by("path")
    )
    if not units.exists():
        return None
    levels = task.campaign.incentive_levels.all()
    if task.colour != Colour.RED:
        levels = levels.filter(side=IncentiveSide.REWARD)
    people = queries.leads_for(user, task.unit).filter(scope.prefix_q("unit__path", task.unit_path))
    return IncentiveForm(
        data, levels=levels, units=units, people=people, initial={"unit": task.unit_id}
    )


@requires(CampaignPerm.VIEW)
def task_edit(request, pk):
    task = get_task_for_user(request.user, pk, write=True)
    initial = {name: getattr(task, name) for name in TaskForm.base_fields if name != "version"}
    form = TaskForm(
        request.POST or None,
        workstreams=task.campaign.workstreams.all(),
        leads=queries.leads_for(request.user, task.unit),
        initial={**initial, "version": task.version},
    )
    if task.parent_id:
        form.fields["workstream"].disabled = True
    if request.method == "POST" and form.is_valid():
        fields = form.task_fields()
        if task.parent_id:
            fields.pop("workstream")
        version = form.cleaned_data["version"] or 0
        saved = run_action(
            form, lambda: actions.update_task(request.user, task=task, version=version, **fields)
        )
        if saved is not None:
            messages.success(request, _("Saved."))
            return redirect("campaigns:task_detail", pk=task.pk)
    return render(
        request, "campaigns/task_form.html", {"form": form, "campaign": task.campaign, "task": task}
    )


@requires(CampaignPerm.VIEW)
def task_decompose(request, pk):
    task = get_task_for_user(request.user, pk)
    units = _share_units(request.user, task)
    if not task.is_open or not units.exists():
        raise Http404
    formset = ShareFormSet(
        request.POST or None,
        units=units,
        leads=queries.leads_for(request.user, task.unit).filter(
            scope.prefix_q("unit__path", task.unit.path)
        ),
        prefix="share",
    )
    errors = ActionErrors()
    if request.method == "POST" and formset.is_valid():
        shares = formset.shares()
        children = run_action(
            errors, lambda: actions.decompose_task(request.user, task=task, shares=shares)
        )
        if children is not None:
            messages.success(request, _("%(n)d shares handed down.") % {"n": len(children)})
            return redirect("campaigns:task_detail", pk=task.pk)
    allocated = sum(
        child.quantity_target or 0 for child in task.children.exclude(state=TaskState.CANCELLED)
    )
    return render(
        request,
        "campaigns/task_decompose.html",
        {
            "task": task,
            "campaign": task.campaign,
            "formset": formset,
            "errors": errors.messages(),
            "left": task.quantity_target - allocated if task.quantity_target else None,
        },
    )


def _post_action(request, task, form, call, success):
    flash_action(request, form, call, success)
    return redirect("campaigns:task_detail", pk=task.pk)


@requires(CampaignPerm.VIEW)
@require_POST
def task_progress(request, pk):
    task = get_task_for_user(request.user, pk, write=True)
    form = ProgressForm(request.POST, request.FILES)
    return _post_action(
        request,
        task,
        form,
        lambda data: actions.report_progress(
            request.user,
            task=task,
            progress=data["progress"],
            quantity_done=data["quantity_done"],
            narrative=data["narrative"],
            files=data["files"],
        ),
        _("Progress reported."),
    )


@requires(CampaignPerm.VIEW)
@require_POST
def task_start(request, pk):
    task = get_task_for_user(request.user, pk, write=True)
    return _post_action(
        request,
        task,
        CompleteForm({}),
        lambda data: actions.start_task(request.user, task=task),
        _("Task started."),
    )


@requires(CampaignPerm.VIEW)
@require_POST
def task_complete(request, pk):
    task = get_task_for_user(request.user, pk, write=True)
    return _post_action(
        request,
        task,
        CompleteForm(request.POST),
        lambda data: actions.complete_task(
            request.user,
            task=task,
            completed_on=data["completed_on"],
            override_reason=data["override_reason"],
        ),
        _("Task completed."),
    )


@requires(CampaignPerm.VIEW)
@require_POST
def task_cancel(request, pk):
    task = get_task_for_user(request.user, pk)
    if not _may_cancel(request.user, task):
        raise Http404
    return _post_action(
        request,
        task,
        CancelForm(request.POST),
        lambda data: actions.cancel_task(request.user, task=task, reason=data["reason"]),
        _("Task cancelled."),
    )


@requires(CampaignPerm.INCENTIVE)
@require_POST
def task_incentive(request, pk):
    task = get_task_for_user(request.user, pk)
    form = _incentive_form(request.user, task, request.POST)
    if form is None:
        raise Http404
    return _post_action(
        request,
        task,
        form,
        lambda data: actions.award(
            request.user,
            level=data["level"],
            unit=data["unit"],
            person=data["person"],
            task=task,
            reason=data["reason"],
        ),
        _("Recorded."),
    )


@requires(CampaignPerm.VIEW)
def evidence_download(request, pk):
    return uploads.serve(get_evidence_for_user(request.user, pk))
