"""Every change to campaigns, tasks, progress and incentives.

Each action takes the acting user first, checks permission through ``scope``, validates,
writes, keeps the warning colour, the tallies and the parents' roll-up in step, and audits, in
one transaction.
"""

from collections.abc import Iterable
from datetime import date, datetime, time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.campaigns import tally
from zhengdun.campaigns.models import (
    OPEN_STATES,
    Campaign,
    CampaignStatus,
    Colour,
    Evidence,
    Incentive,
    IncentiveLevel,
    IncentiveSide,
    Phase,
    ProgressUpdate,
    Task,
    TaskState,
    Workstream,
)
from zhengdun.campaigns.permissions import CampaignPerm, may_run
from zhengdun.campaigns.warnings import Thresholds, assess_task
from zhengdun.core import uploads
from zhengdun.core.versioning import apply_versioned
from zhengdun.org import scope
from zhengdun.org.models import PATH_STEP, Person, Unit

DEFAULT_LEVELS = {
    IncentiveSide.REWARD: [
        gettext_lazy("Commendation"),
        gettext_lazy("Citation"),
        gettext_lazy("Merit"),
    ],
    IncentiveSide.SANCTION: [
        gettext_lazy("Reminder"),
        gettext_lazy("Admonition talk"),
        gettext_lazy("Accountability"),
    ],
}
THRESHOLD_FIELDS = (
    "red_behind",
    "yellow_behind",
    "yellow_days",
    "yellow_progress",
    "escalate_days",
)
CAMPAIGN_FIELDS = ("name", "description", "start_date", "end_date", "status", *THRESHOLD_FIELDS)
TASK_FIELDS = (
    "title",
    "description",
    "workstream",
    "lead",
    "start_date",
    "due_date",
    "quantity_target",
    "measure",
    "weight",
)


def today() -> date:
    return timezone.localdate()


def _moment(on: date) -> datetime:
    """When something done ``on`` happened: now, or mid-afternoon of a past day."""
    if on >= today():
        return timezone.now()
    return timezone.make_aware(datetime.combine(on, time(15, 0)))


def _require(actor, perm: str, unit: Unit) -> None:
    if not scope.can(actor, perm, unit):
        raise PermissionDenied


# Campaigns ---------------------------------------------------------------------------------


def _check_period(start: date, end: date, field: str = "end_date") -> None:
    if start and end and end < start:
        raise ValidationError({field: _("The end cannot be before the start.")})


def _check_thresholds(fields: dict) -> None:
    errors = {}
    for name in THRESHOLD_FIELDS:
        if name in fields and not 0 <= int(fields[name]) <= 100:
            errors[name] = _("Enter a number from 0 to 100.")
    if (
        "red_behind" in fields
        and "yellow_behind" in fields
        and int(fields["yellow_behind"]) > int(fields["red_behind"])
    ):
        errors["yellow_behind"] = _("The yellow threshold cannot exceed the red one.")
    if errors:
        raise ValidationError(errors)


def _check_phases(phases: list[dict]) -> None:
    for index, phase in enumerate(phases):
        if not (phase.get("name") or "").strip():
            raise ValidationError({"phases": _("Phase %(n)d has no name.") % {"n": index + 1}})
        _check_period(phase.get("start_date"), phase.get("end_date"), "phases")


def _check_unit_in_use(unit: Unit) -> None:
    if not unit.is_active:
        raise ValidationError({"unit": _("This unit is no longer in use.")})


def create_campaign(
    actor,
    *,
    unit: Unit,
    name: str,
    start_date: date,
    end_date: date,
    description: str = "",
    workstreams: Iterable[str] = (),
    phases: Iterable[dict] = (),
    **thresholds,
) -> Campaign:
    _require(actor, CampaignPerm.PLAN, unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    _check_period(start_date, end_date)
    _check_thresholds(thresholds)
    _check_unit_in_use(unit)
    workstreams = [title.strip() for title in workstreams]
    if not all(workstreams) or len(set(workstreams)) != len(workstreams):
        raise ValidationError({"workstreams": _("Each workstream needs a different name.")})
    phases = list(phases)
    _check_phases(phases)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            unit=unit,
            name=name,
            description=description,
            start_date=start_date,
            end_date=end_date,
            **thresholds,
        )
        for order, title in enumerate(workstreams):
            Workstream.objects.create(campaign=campaign, name=title, order=order)
        for order, phase in enumerate(phases):
            Phase.objects.create(campaign=campaign, order=order, **phase)
        for side, names in DEFAULT_LEVELS.items():
            for rank, level in enumerate(names, start=1):
                IncentiveLevel.objects.create(
                    campaign=campaign, side=side, rank=rank, name=str(level)
                )
        record(
            actor=actor,
            code=Code.CAMPAIGN_CREATED,
            obj=campaign,
            unit=unit,
            changes={"name": name, "start_date": start_date, "end_date": end_date, "unit": unit},
        )
    return campaign


def update_campaign(actor, *, campaign: Campaign, version: int, **fields) -> Campaign:
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"not campaign fields: {sorted(unknown)}")
    _require(actor, CampaignPerm.PLAN, campaign.unit)
    merged = {name: fields.get(name, getattr(campaign, name)) for name in CAMPAIGN_FIELDS}
    if not (merged["name"] or "").strip():
        raise ValidationError({"name": _("Enter a name.")})
    if merged["status"] not in CampaignStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    _check_period(merged["start_date"], merged["end_date"])
    _check_thresholds({name: merged[name] for name in THRESHOLD_FIELDS})
    changes = {name: value for name, value in fields.items() if getattr(campaign, name) != value}
    if not changes:
        return campaign
    with transaction.atomic():
        delta = apply_versioned(campaign, version=version, changes=changes)
        record(
            actor=actor, code=Code.CAMPAIGN_UPDATED, obj=campaign, unit=campaign.unit, changes=delta
        )
        if set(changes) & set(THRESHOLD_FIELDS):
            refresh_colours(campaign, today())
    return campaign


def set_phases(actor, *, campaign: Campaign, phases: list[dict]) -> Campaign:
    """Replace the campaign's phases (name, start_date, end_date), in order."""
    _require(actor, CampaignPerm.PLAN, campaign.unit)
    _check_phases(phases)
    with transaction.atomic():
        before = list(campaign.phases.values_list("name", flat=True))
        campaign.phases.all().delete()
        for order, phase in enumerate(phases):
            Phase.objects.create(campaign=campaign, order=order, **phase)
        record(
            actor=actor,
            code=Code.PHASES_SET,
            obj=campaign,
            unit=campaign.unit,
            changes={"phases": [before, [phase["name"] for phase in phases]]},
        )
    return campaign


def save_workstream(
    actor,
    *,
    campaign: Campaign,
    name: str,
    description: str = "",
    order: int | None = None,
    workstream: Workstream | None = None,
) -> Workstream:
    """Add a workstream to a campaign, or rename/reorder one."""
    _require(actor, CampaignPerm.PLAN, campaign.unit)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    clash = Workstream.objects.filter(campaign=campaign, name=name)
    if workstream is not None:
        clash = clash.exclude(pk=workstream.pk)
    if clash.exists():
        raise ValidationError({"name": _("The campaign already has a workstream of this name.")})
    with transaction.atomic():
        if workstream is None:
            workstream = Workstream.objects.create(
                campaign=campaign,
                name=name,
                description=description,
                order=order if order is not None else campaign.workstreams.count(),
            )
            changes = {"name": name}
        else:
            changes = {"name": [workstream.name, name]}
            workstream.name, workstream.description = name, description
            if order is not None:
                workstream.order = order
            workstream.save()
        record(
            actor=actor,
            code=Code.WORKSTREAM_SAVED,
            obj=workstream,
            unit=campaign.unit,
            changes=changes,
        )
    return workstream


def set_incentive_levels(actor, *, campaign: Campaign, names: dict[str, list[str]]) -> Campaign:
    """Rename the three levels on each side ({"reward": [...3], "sanction": [...3]})."""
    _require(actor, CampaignPerm.PLAN, campaign.unit)
    for side, values in names.items():
        if (
            side not in IncentiveSide.values
            or len(values) != 3
            or not all(v.strip() for v in values)
        ):
            raise ValidationError({"levels": _("Give three names on each side.")})
    with transaction.atomic():
        for side, values in names.items():
            for rank, name in enumerate(values, start=1):
                IncentiveLevel.objects.update_or_create(
                    campaign=campaign, side=side, rank=rank, defaults={"name": name.strip()}
                )
        record(actor=actor, code=Code.LEVELS_SET, obj=campaign, unit=campaign.unit, changes=names)
    return campaign


# Tasks -------------------------------------------------------------------------------------


def _colour(task: Task, on: date) -> None:
    """Set the task's stored colour for ``on``; a new colour restarts its notices."""
    colour, _reason = assess_task(task, on)
    if colour != task.colour or task.colour_since is None:
        task.colour = colour
        task.colour_since = on
        task.alert_level = 0


def _clean_task(fields: dict, *, campaign: Campaign, unit: Unit, parent: Task | None) -> None:
    errors = {}
    fields["title"] = (fields.get("title") or "").strip()
    if not fields["title"]:
        errors["title"] = _("Enter a title.")
    workstream = fields.get("workstream")
    if workstream is None or workstream.campaign_id != campaign.pk:
        errors["workstream"] = _("Choose one of this campaign's workstreams.")
    start, due = fields.get("start_date"), fields.get("due_date")
    if not start:
        errors["start_date"] = _("Enter a start date.")
    if not due:
        errors["due_date"] = _("Enter a due date.")
    elif start and due < start:
        errors["due_date"] = _("The due date cannot be before the start.")
    elif parent is not None and due > parent.due_date:
        errors["due_date"] = _("A subtask cannot be due after its parent (%(date)s).") % {
            "date": parent.due_date
        }
    if fields.get("weight") is None or not 1 <= int(fields["weight"]) <= 100:
        errors["weight"] = _("Enter a weight from 1 to 100.")
    lead = fields.get("lead")
    if lead is not None and not lead.unit.path.startswith(unit.path[: 2 * PATH_STEP]):
        errors["lead"] = _("The lead must serve in the owning unit's bureau.")
    if errors:
        raise ValidationError(errors)


def _check_share(parent: Task, quantity: int | None, *, excluding: Task | None = None) -> None:
    if parent.quantity_target is None or quantity is None:
        return
    allocated = sum(
        child.quantity_target or 0
        for child in parent.children.exclude(state=TaskState.CANCELLED)
        if excluding is None or child.pk != excluding.pk
    )
    if allocated + quantity > parent.quantity_target:
        raise ValidationError(
            {
                "quantity_target": _(
                    "The shares would exceed the target: %(left)d %(measure)s left to allocate."
                )
                % {"left": parent.quantity_target - allocated, "measure": parent.measure}
            }
        )


def create_task(
    actor,
    *,
    campaign: Campaign,
    workstream: Workstream,
    unit: Unit,
    title: str,
    start_date: date,
    due_date: date,
    parent: Task | None = None,
    description: str = "",
    lead: Person | None = None,
    quantity_target: int | None = None,
    measure: str = "",
    weight: int = 1,
    state: str = TaskState.PLANNED,
    on: date | None = None,
) -> Task:
    """A top-level task (campaign office), or a share of ``parent`` handed to a unit below.

    A unit running a task hands shares to its direct subunits; the office may hand a share to
    any unit below, skipping levels (扁平化, 点对点指挥).
    """
    on = on or today()
    with transaction.atomic():
        task = _new_task(
            actor,
            campaign=campaign,
            workstream=workstream,
            unit=unit,
            title=title,
            start_date=start_date,
            due_date=due_date,
            parent=parent,
            description=description,
            lead=lead,
            quantity_target=quantity_target,
            measure=measure,
            weight=weight,
            state=state,
            on=on,
        )
        if parent is not None:
            _roll_up(parent, on)
    return task


def _new_task(
    actor,
    *,
    campaign: Campaign,
    workstream: Workstream,
    unit: Unit,
    title: str,
    start_date: date,
    due_date: date,
    parent: Task | None,
    description: str,
    lead: Person | None,
    quantity_target: int | None,
    measure: str,
    weight: int,
    state: str,
    on: date,
) -> Task:
    """Check and write one task, without rolling its parent up."""
    if not unit.path.startswith(campaign.unit.path):
        raise ValidationError({"unit": _("The unit does not take part in this campaign.")})
    _check_unit_in_use(unit)
    if parent is None:
        _require(actor, CampaignPerm.PLAN, unit)
    else:
        if not unit.is_descendant_of(parent.unit):
            raise ValidationError({"unit": _("A share goes to a unit below the task's unit.")})
        direct = unit.parent_id == parent.unit_id
        if not scope.can(actor, CampaignPerm.PLAN, parent.unit) and not (
            direct and scope.can(actor, CampaignPerm.MANAGE, parent.unit)
        ):
            raise PermissionDenied
        if not parent.is_open:
            raise ValidationError({"parent": _("Only an open task can be decomposed.")})
        workstream = parent.workstream
    if state not in TaskState.values or state == TaskState.CANCELLED:
        raise ValidationError({"state": _("Choose a valid state.")})
    fields = {
        "title": title,
        "description": description,
        "workstream": workstream,
        "lead": lead,
        "start_date": start_date,
        "due_date": due_date,
        "quantity_target": quantity_target,
        "measure": (measure or "").strip(),
        "weight": 1 if weight is None else weight,
    }
    _clean_task(fields, campaign=campaign, unit=unit, parent=parent)
    on = on or today()
    with transaction.atomic():
        if parent is not None:
            parent = (
                Task.objects.select_for_update(of=("self",))
                .select_related("campaign", "unit")
                .get(pk=parent.pk)
            )
            _check_share(parent, quantity_target)
        task = Task(
            campaign=campaign,
            parent=parent,
            unit=unit,
            unit_path=unit.path,
            branch=unit.path[: 2 * PATH_STEP],
            state=state,
            **fields,
        )
        if state == TaskState.COMPLETED:
            task.completed_on = due_date if due_date < on else on
            task.progress = 100
        _colour(task, on)
        task.save()
        task.root_id = parent.root_id if parent is not None else task.pk
        Task.objects.filter(pk=task.pk).update(root_id=task.root_id)
        tally.move(task, None, None)
        record(
            actor=actor,
            code=Code.TASK_CREATED,
            obj=task,
            unit=unit,
            changes={
                **{name: value for name, value in fields.items() if value not in (None, "")},
                "unit": unit,
                "parent": parent,
            },
        )
    return task


def decompose_task(actor, *, task: Task, shares: list[dict], on: date | None = None) -> list[Task]:
    """Hand shares of a task to units below: each share names a unit and may give a quantity,
    weight, lead, title and due date (defaults: the parent's)."""
    if not shares:
        raise ValidationError({"shares": _("Add at least one unit.")})
    task = Task.objects.select_related("campaign", "unit", "workstream").get(pk=task.pk)
    if not task.children.exists() and (task.progress or task.quantity_done):
        # Its shares would restart the roll-up from zero and lose the reported work.
        raise ValidationError(
            {
                "shares": _(
                    "Progress has already been reported on this task (%(progress)d %%): finish "
                    "it here, or ask the campaign office to plan the rest as a new task."
                )
                % {"progress": task.progress}
            }
        )
    units = [share["unit"] for share in shares]
    if len({unit.pk for unit in units}) != len(units):
        raise ValidationError({"shares": _("Each unit can receive one share.")})
    quantities = [share.get("quantity_target") for share in shares]
    if task.quantity_target is not None and all(q is not None for q in quantities):
        allocated = sum(
            c.quantity_target or 0 for c in task.children.exclude(state=TaskState.CANCELLED)
        )
        if allocated + sum(quantities) > task.quantity_target:
            raise ValidationError(
                {
                    "shares": _(
                        "The shares add up to %(sum)d; %(left)d %(measure)s are left to allocate."
                    )
                    % {
                        "sum": sum(quantities),
                        "left": task.quantity_target - allocated,
                        "measure": task.measure,
                    }
                }
            )
    on = on or today()
    with transaction.atomic():
        children = [
            _new_task(
                actor,
                campaign=task.campaign,
                workstream=task.workstream,
                unit=share["unit"],
                parent=task,
                title=share.get("title") or task.title,
                description=share.get("description", ""),
                lead=share.get("lead"),
                start_date=share.get("start_date") or task.start_date,
                due_date=share.get("due_date") or task.due_date,
                quantity_target=share.get("quantity_target"),
                measure=task.measure,
                weight=1 if share.get("weight") is None else share["weight"],
                state=TaskState.PLANNED,
                on=on,
            )
            for share in shares
        ]
        record(
            actor=actor,
            code=Code.TASK_DECOMPOSED,
            obj=task,
            unit=task.unit,
            changes={"shares": "、".join(_share_text(child) for child in children)},
        )
        _roll_up(task, on)
    return children


def _share_text(child: Task) -> str:
    if child.quantity_target is None:
        return child.unit.name
    return f"{child.unit.name} {child.quantity_target}{child.measure}"


def update_task(actor, *, task: Task, version: int, on: date | None = None, **fields) -> Task:
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise TypeError(f"not task fields: {sorted(unknown)}")
    if not may_run(actor, task):
        raise PermissionDenied
    merged = {name: fields.get(name, getattr(task, name)) for name in TASK_FIELDS}
    if task.parent_id:
        merged["workstream"] = task.parent.workstream
    _clean_task(merged, campaign=task.campaign, unit=task.unit, parent=task.parent)
    if "quantity_target" in fields and task.parent_id:
        _check_share(task.parent, fields["quantity_target"], excluding=task)
    changes = {name: merged[name] for name in fields if getattr(task, name) != merged[name]}
    if not changes:
        return task
    on = on or today()
    with transaction.atomic():
        before, before_path = tally.key_of(task), task.unit_path
        delta = apply_versioned(task, version=version, changes=changes)
        _colour(task, on)
        Task.objects.filter(pk=task.pk).update(
            colour=task.colour, colour_since=task.colour_since, alert_level=task.alert_level
        )
        tally.move(task, before, before_path)
        record(actor=actor, code=Code.TASK_UPDATED, obj=task, unit=task.unit, changes=delta)
        if task.parent_id and "weight" in changes:
            _roll_up(task.parent, on)
    return task


def _save_state(task: Task, before, fields: list[str], on: date) -> None:
    """Write a task's progress/state fields and its colour, and move its tallies."""
    _colour(task, on)
    Task.objects.filter(pk=task.pk).update(
        **{name: getattr(task, name) for name in [*fields, "colour", "colour_since", "alert_level"]}
    )
    tally.move(task, before, task.unit_path)


def _roll_up(parent: Task, on: date) -> None:
    """Recompute a parent's progress (weighted by its open and completed children), quantity
    done and state, then its own parent's."""
    parent = (
        Task.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=parent.pk)
    )
    children = list(
        parent.children.exclude(state=TaskState.CANCELLED).values(
            "progress", "weight", "quantity_done", "state"
        )
    )
    if not children:
        return
    weight = sum(child["weight"] for child in children)
    progress = round(sum(child["progress"] * child["weight"] for child in children) / weight)
    quantity = sum(child["quantity_done"] for child in children)
    state = parent.state
    if state == TaskState.PLANNED and any(
        child["state"] != TaskState.PLANNED for child in children
    ):
        state = TaskState.STARTED
    if parent.is_open and (progress, quantity, state) != (
        parent.progress,
        parent.quantity_done,
        parent.state,
    ):
        before = tally.key_of(parent)
        parent.progress, parent.quantity_done, parent.state = progress, quantity, state
        _save_state(parent, before, ["progress", "quantity_done", "state"], on)
    if parent.parent_id:
        _roll_up(parent.parent, on)


def report_progress(
    actor,
    *,
    task: Task,
    progress: int | None = None,
    quantity_done: int | None = None,
    narrative: str = "",
    files: Iterable = (),
    on: date | None = None,
) -> ProgressUpdate:
    """A progress report with its evidence. Only an undecomposed task takes reports: a
    decomposed one rolls up from its subtasks."""
    if not may_run(actor, task):
        raise PermissionDenied
    if not task.is_open:
        raise ValidationError(_("This task is closed."))
    if task.children.exclude(state=TaskState.CANCELLED).exists():
        raise ValidationError(
            _("This task has been decomposed: its progress comes from its subtasks.")
        )
    if quantity_done is not None and task.quantity_target:
        # With a target, the quantity done is the measure of progress.
        progress = min(100, round(100 * quantity_done / task.quantity_target))
    if progress is None:
        raise ValidationError({"progress": _("Enter the percentage done.")})
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Enter a percentage from 0 to 100.")})
    if quantity_done is not None and quantity_done < 0:
        raise ValidationError({"quantity_done": _("Enter a number of zero or more.")})
    checked = uploads.check_all(files)
    on = on or today()
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("campaign", "unit", "parent")
            .get(pk=task.pk)
        )
        update = ProgressUpdate.objects.create(
            task=task,
            author=actor,
            progress=progress,
            quantity_done=quantity_done,
            narrative=narrative,
            created_at=_moment(on),
        )
        for upload, facts in checked:
            Evidence.objects.create(update=update, file=upload, **facts)
        before = tally.key_of(task)
        old = {"progress": task.progress, "quantity_done": task.quantity_done, "state": task.state}
        task.progress = progress
        if quantity_done is not None:
            task.quantity_done = quantity_done
        if task.state == TaskState.PLANNED and progress > 0:
            task.state = TaskState.STARTED
        _save_state(task, before, ["progress", "quantity_done", "state"], on)
        record(
            actor=actor,
            code=Code.TASK_PROGRESS,
            obj=task,
            unit=task.unit,
            changes={
                "progress": [old["progress"], task.progress],
                "quantity_done": [old["quantity_done"], task.quantity_done],
                "state": [old["state"], task.state],
                "files": "、".join(facts["name"] for _upload, facts in checked),
            },
        )
        if task.parent_id:
            _roll_up(task.parent, on)
    return update


def start_task(actor, *, task: Task, on: date | None = None) -> Task:
    if not may_run(actor, task):
        raise PermissionDenied
    if task.state != TaskState.PLANNED:
        raise ValidationError(_("Only a planned task can be started."))
    on = on or today()
    with transaction.atomic():
        before = tally.key_of(task)
        task.state = TaskState.STARTED
        _save_state(task, before, ["state"], on)
        record(
            actor=actor,
            code=Code.TASK_STARTED,
            obj=task,
            unit=task.unit,
            changes={"state": [TaskState.PLANNED, TaskState.STARTED]},
        )
        if task.parent_id:
            _roll_up(task.parent, on)
    return task


def complete_task(
    actor,
    *,
    task: Task,
    completed_on: date | None = None,
    override_reason: str = "",
    on: date | None = None,
) -> Task:
    """Mark a task completed. While a subtask is still open only the campaign office may,
    and only with a recorded reason."""
    if not may_run(actor, task):
        raise PermissionDenied
    if not task.is_open:
        raise ValidationError(_("This task is already closed."))
    on = on or today()
    completed_on = completed_on or on
    if completed_on > on:
        raise ValidationError({"completed_on": _("The completion date cannot be in the future.")})
    if completed_on < task.start_date:
        raise ValidationError(
            {"completed_on": _("The completion date cannot be before the start.")}
        )
    open_children = task.children.filter(state__in=OPEN_STATES).count()
    override_reason = (override_reason or "").strip()
    if open_children:
        if not scope.can(actor, CampaignPerm.PLAN, task.unit):
            raise ValidationError(
                _("%(n)d subtasks are still open; complete them first, or ask the campaign office.")
                % {"n": open_children}
            )
        if not override_reason:
            raise ValidationError(
                {
                    "override_reason": _(
                        "%(n)d subtasks are still open: give the reason for completing anyway."
                    )
                    % {"n": open_children}
                }
            )
    with transaction.atomic():
        before = tally.key_of(task)
        old_state = task.state
        task.state = TaskState.COMPLETED
        task.completed_on = completed_on
        task.progress = 100
        task.override_reason = override_reason if open_children else ""
        _save_state(task, before, ["state", "completed_on", "progress", "override_reason"], on)
        changes = {"state": [old_state, TaskState.COMPLETED], "completed_on": completed_on}
        if open_children:
            changes["override_reason"] = override_reason
            changes["open_subtasks"] = open_children
        record(actor=actor, code=Code.TASK_COMPLETED, obj=task, unit=task.unit, changes=changes)
        if task.parent_id:
            _roll_up(task.parent, on)
    return task


def cancel_task(actor, *, task: Task, reason: str, on: date | None = None) -> Task:
    """Cancel a task and its open subtasks."""
    if not (
        scope.can(actor, CampaignPerm.PLAN, task.unit)
        or scope.can(actor, CampaignPerm.MANAGE, task.unit)
    ):
        raise PermissionDenied
    if not task.is_open:
        raise ValidationError(_("This task is already closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    on = on or today()
    with transaction.atomic():
        cancelled = 0
        for item in _open_subtree(task):
            before = tally.key_of(item)
            item.state = TaskState.CANCELLED
            _save_state(item, before, ["state"], on)
            cancelled += 1
        record(
            actor=actor,
            code=Code.TASK_CANCELLED,
            obj=task,
            unit=task.unit,
            changes={"reason": reason, "tasks_cancelled": cancelled},
        )
        if task.parent_id:
            _roll_up(task.parent, on)
    return task


def _open_subtree(task: Task) -> list[Task]:
    """The task and its open descendants (all share its root), deepest first."""
    family = list(Task.objects.filter(root_id=task.root_id or task.pk).select_related("campaign"))
    by_parent: dict[int | None, list[Task]] = {}
    for item in family:
        by_parent.setdefault(item.parent_id, []).append(item)
    found: list[Task] = []
    stack = [task.pk]
    while stack:
        current = stack.pop()
        for child in by_parent.get(current, []):
            stack.append(child.pk)
            if child.is_open:
                found.append(child)
    found.reverse()
    return [*found, next(item for item in family if item.pk == task.pk)]


# Incentives --------------------------------------------------------------------------------


def award(
    actor,
    *,
    level: IncentiveLevel,
    unit: Unit,
    reason: str,
    person: Person | None = None,
    task: Task | None = None,
    awarded_on: date | None = None,
) -> Incentive:
    """Record an incentive (三级激励) or an accountability measure. A measure is recorded
    against a red task."""
    _require(actor, CampaignPerm.INCENTIVE, unit)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason.")
    if person is not None and not person.unit.path.startswith(unit.path):
        errors["person"] = _("The person must serve in the unit or below it.")
    if task is not None and (
        task.campaign_id != level.campaign_id or not task.unit_path.startswith(unit.path)
    ):
        errors["task"] = _("The task must be one of the unit's tasks in this campaign.")
    if level.side == IncentiveSide.SANCTION:
        if task is None:
            errors["task"] = _("An accountability measure is recorded against a task.")
        elif task.colour != Colour.RED:
            errors["task"] = _("Accountability measures are recorded against red tasks only.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        incentive = Incentive.objects.create(
            level=level,
            unit=unit,
            person=person,
            task=task,
            reason=reason,
            awarded_on=awarded_on or today(),
            awarded_by=actor,
        )
        record(
            actor=actor,
            code=Code.INCENTIVE_AWARDED,
            obj=incentive,
            unit=unit,
            changes={
                "level": level.name,
                "side": level.side,
                "person": person,
                "task": task,
                "reason": reason,
            },
        )
    return incentive


# Daily -------------------------------------------------------------------------------------


def refresh_colours(campaign: Campaign, on: date) -> int:
    """Recompute the stored colour of every open task of a campaign for ``on`` (time moves
    tasks from green to yellow to red), then recount the tallies. Returns how many changed."""
    thresholds = Thresholds.of(campaign)
    changed: list[Task] = []
    open_tasks = Task.objects.filter(campaign=campaign, state__in=OPEN_STATES).only(
        "id",
        "state",
        "progress",
        "start_date",
        "due_date",
        "completed_on",
        "colour",
        "colour_since",
        "alert_level",
    )
    for task in open_tasks.iterator(chunk_size=5000):
        colour, _reason = assess_task(task, on, thresholds)
        if colour != task.colour:
            task.colour, task.colour_since, task.alert_level = colour, on, 0
            changed.append(task)
    with transaction.atomic():
        Task.objects.bulk_update(
            changed, ["colour", "colour_since", "alert_level"], batch_size=2000
        )
        if changed:
            tally.recount(campaign.pk)
    return len(changed)
