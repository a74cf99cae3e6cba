"""The campaigns API: campaigns, their summary, tasks and the task actions.

A thin adapter over the same gates, queries and actions as the pages: ids in paths and payloads
go through the gates (hidden looks like missing: 404), the actions check permission (403 for a
caller who sees the object but may not change it) and validate (400); malformed input is 422.
"""

from datetime import date, datetime
from typing import Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import field_validator, model_validator

from zhengdun.campaigns import actions, queries
from zhengdun.campaigns.models import Campaign, Colour, ProgressUpdate, Task, TaskState
from zhengdun.campaigns.permissions import (
    CampaignPerm,
    campaigns_visible_to,
    get_campaign_for_user,
    get_task_for_user,
)
from zhengdun.campaigns.warnings import annotate
from zhengdun.core.pagination import page_dict
from zhengdun.org import scope
from zhengdun.org.models import Unit
from zhengdun.org.permissions import get_person_for_user, get_unit_for_user

router = Router(tags=["campaigns"])

# Column limits the database enforces (PostgreSQL raises on overflow instead of truncating).
MAX_POSITIVE_INT = 2_147_483_647
MAX_SHARES = 50  # as many as the page's decomposition formset takes
WARNING_COLOURS = (Colour.RED, Colour.YELLOW, Colour.GREEN)


def _require(request, perm: str) -> None:
    if not scope.holds(request.user, perm):
        raise Http404


def _campaign_unit(request, pk: int, campaign: Campaign) -> Unit:
    """A unit of the campaign's tree the caller may see the campaign in; 404 for one that is
    missing, hidden or outside the campaign (as the overview page decides)."""
    unit = get_unit_for_user(request.user, pk)
    if not unit.path.startswith(campaign.unit.path) or not scope.can(
        request.user, CampaignPerm.VIEW, unit
    ):
        raise Http404
    return unit


def _workstream(campaign: Campaign, pk: int):
    workstream = campaign.workstreams.filter(pk=pk).first()
    if workstream is None:
        raise Http404
    return workstream


def _task_out(request, pk: int) -> Task:
    """The task as it now stands (after an action and its roll-up), with its live colour."""
    return annotate(get_task_for_user(request.user, pk), actions.today())


# Schemas -----------------------------------------------------------------------------------


class WorkstreamOut(Schema):
    id: int
    name: str
    description: str
    order: int


class PhaseOut(Schema):
    id: int
    name: str
    start_date: date
    end_date: date
    order: int


class CampaignOut(Schema):
    id: int
    name: str
    description: str
    unit_id: int
    unit_name: str
    start_date: date
    end_date: date
    status: str
    status_label: str
    red_behind: int
    yellow_behind: int
    yellow_days: int
    yellow_progress: int
    escalate_days: int
    version: int

    @staticmethod
    def resolve_unit_name(obj: Campaign) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj: Campaign) -> str:
        return str(obj.get_status_display())


class CampaignDetail(CampaignOut):
    workstreams: list[WorkstreamOut]
    phases: list[PhaseOut]

    @staticmethod
    def resolve_workstreams(obj: Campaign) -> list:
        return list(obj.workstreams.all())

    @staticmethod
    def resolve_phases(obj: Campaign) -> list:
        return list(obj.phases.all())


class CampaignPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[CampaignOut]


class PhaseIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    start_date: date
    end_date: date

    @model_validator(mode="after")
    def _in_order(self):
        if self.end_date < self.start_date:
            raise ValueError(_("The end cannot be before the start."))
        return self


class CampaignIn(Schema):
    unit_id: int
    name: str = Field(max_length=120)
    start_date: date
    end_date: date
    description: str = ""
    workstreams: list[str] = Field(default_factory=list, max_length=50)
    phases: list[PhaseIn] = Field(default_factory=list, max_length=50)
    red_behind: int | None = None
    yellow_behind: int | None = None
    yellow_days: int | None = None
    yellow_progress: int | None = None
    escalate_days: int | None = None

    @field_validator("workstreams")
    @classmethod
    def _distinct_names(cls, names: list[str]) -> list[str]:
        # The form's rules: blank lines dropped, each name different (the table is unique).
        names = [name.strip() for name in names if name.strip()]
        if any(len(name) > 60 for name in names):
            raise ValueError(_("A workstream name has at most 60 characters."))
        if len(set(names)) != len(names):
            raise ValueError(_("Each workstream needs a different name."))
        return names


class FiguresOut(Schema):
    colour: str
    states: dict[str, int]
    colours: dict[str, int]
    total: int
    average_days: float | None
    late: int


class WorkstreamFigures(FiguresOut):
    workstream_id: int
    workstream_name: str


class UnitFigures(FiguresOut):
    unit_id: int
    unit_name: str


class SummaryOut(FiguresOut):
    campaign_id: int
    unit_id: int
    unit_name: str
    by_workstream: list[WorkstreamFigures]
    by_unit: list[UnitFigures]


class SummaryQuery(Schema):
    unit: int | None = None


class TaskOut(Schema):
    id: int
    campaign_id: int
    workstream_id: int
    workstream_name: str
    parent_id: int | None
    root_id: int | None
    unit_id: int
    unit_name: str
    lead_id: int | None
    lead_name: str | None
    title: str
    description: str
    start_date: date
    due_date: date
    quantity_target: int | None
    measure: str
    quantity_done: int
    weight: int
    state: str
    state_label: str
    progress: int
    completed_on: date | None
    override_reason: str
    # The colour as stored at the last write or daily tick (what the colour filter and the
    # counts use), and the colour as of today with its reason.
    colour: str
    live_colour: str
    reason_code: str
    reason: str
    version: int
    created_at: datetime

    @staticmethod
    def resolve_workstream_name(obj: Task) -> str:
        return obj.workstream.name

    @staticmethod
    def resolve_unit_name(obj: Task) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_lead_name(obj: Task) -> str | None:
        return obj.lead.name if obj.lead_id else None

    @staticmethod
    def resolve_state_label(obj: Task) -> str:
        return str(obj.get_state_display())


class TaskPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[TaskOut]


class TaskQuery(Schema):
    campaign: int
    workstream: int | None = None
    unit: int | None = None
    state: Literal["", "open", "planned", "started", "completed", "cancelled"] = ""
    colour: Literal["", "red", "yellow", "green"] = ""
    due_from: date | None = None
    due_to: date | None = None
    lead: int | None = None
    q: str = Field("", max_length=200)
    page: int = 1
    page_size: int = 50


class TaskIn(Schema):
    campaign_id: int
    workstream_id: int
    unit_id: int
    title: str = Field(max_length=200)
    start_date: date
    due_date: date
    lead_id: int | None = None
    quantity_target: int | None = Field(None, ge=1, le=MAX_POSITIVE_INT)
    measure: str = Field("", max_length=20)
    weight: int = 1
    description: str = ""
    state: Literal["planned", "started"] = "planned"


class TaskPatch(Schema):
    """Only the fields sent are changed; ``lead_id`` and ``quantity_target`` may be null."""

    version: int
    title: str | None = Field(None, max_length=200)
    description: str | None = None
    workstream_id: int | None = None
    lead_id: int | None = None
    start_date: date | None = None
    due_date: date | None = None
    quantity_target: int | None = Field(None, ge=1, le=MAX_POSITIVE_INT)
    measure: str | None = Field(None, max_length=20)
    weight: int | None = None

    @field_validator(
        "title", "description", "workstream_id", "start_date", "due_date", "measure", "weight"
    )
    @classmethod
    def _not_null(cls, value):
        # Sent as null: these columns cannot be empty (unlike lead_id and quantity_target).
        if value is None:
            raise ValueError(_("This field cannot be empty."))
        return value


class ProgressIn(Schema):
    progress: int | None = None
    quantity_done: int | None = Field(None, le=MAX_POSITIVE_INT)
    narrative: str = ""


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str


class ProgressOut(Schema):
    id: int
    task_id: int
    progress: int
    quantity_done: int | None
    narrative: str
    created_at: datetime
    evidence: list[EvidenceOut]
    task: TaskOut

    @staticmethod
    def resolve_evidence(obj: ProgressUpdate) -> list:
        return list(obj.evidence.all())


class ShareIn(Schema):
    unit_id: int
    quantity_target: int | None = Field(None, ge=1, le=MAX_POSITIVE_INT)
    weight: int | None = None
    due_date: date | None = None
    lead_id: int | None = None
    title: str = Field("", max_length=200)


class DecomposeIn(Schema):
    shares: list[ShareIn] = Field(max_length=MAX_SHARES)


class CompleteIn(Schema):
    completed_on: date | None = None
    override_reason: str = ""


class CancelIn(Schema):
    reason: str


# Campaigns ---------------------------------------------------------------------------------


@router.get("/campaigns", response=CampaignPage, summary="Campaigns visible to the caller")
def list_campaigns(request, page: int = 1, page_size: int = 50):
    _require(request, CampaignPerm.VIEW)
    campaigns = campaigns_visible_to(request.user).order_by("-start_date", "-id")
    return page_dict(campaigns, page, page_size)


@router.post("/campaigns", response={201: CampaignDetail})
def create_campaign(request, payload: CampaignIn):
    unit = get_unit_for_user(request.user, payload.unit_id)
    thresholds = {
        name: getattr(payload, name)
        for name in actions.THRESHOLD_FIELDS
        if getattr(payload, name) is not None
    }
    campaign = actions.create_campaign(
        request.user,
        unit=unit,
        name=payload.name,
        description=payload.description,
        start_date=payload.start_date,
        end_date=payload.end_date,
        workstreams=payload.workstreams,
        phases=[phase.model_dump() for phase in payload.phases],
        **thresholds,
    )
    return Status(201, get_campaign_for_user(request.user, campaign.pk))


@router.get("/campaigns/{campaign_id}", response=CampaignDetail)
def get_campaign(request, campaign_id: int):
    return get_campaign_for_user(request.user, campaign_id)


def _figures(totals: dict, colour: str) -> dict:
    """Tally totals with every state and warning colour present (zero when none)."""
    return {
        "colour": colour,
        "states": {state: totals["states"].get(state, 0) for state in TaskState.values},
        "colours": {name: totals["colours"].get(name, 0) for name in WARNING_COLOURS},
        "total": totals["total"],
        "average_days": totals["average_days"],
        "late": totals["late"],
    }


def _without(row: dict, *names: str) -> dict:
    return {name: value for name, value in row.items() if name not in names}


@router.get(
    "/campaigns/{campaign_id}/summary",
    response=SummaryOut,
    summary="Counts by state, colour, workstream and child unit for one unit's subtree",
)
def campaign_summary(request, campaign_id: int, filters: Query[SummaryQuery]):
    campaign = get_campaign_for_user(request.user, campaign_id)
    if filters.unit is not None:
        unit = _campaign_unit(request, filters.unit, campaign)
    else:
        unit = queries.scope_roots(request.user, campaign).first()
        if unit is None:
            raise Http404
    summary = queries.overview(request.user, campaign, unit)
    return {
        "campaign_id": campaign.pk,
        "unit_id": unit.pk,
        "unit_name": unit.name,
        **_figures(summary.totals, summary.colour),
        "by_workstream": [
            {
                "workstream_id": row["workstream"].pk,
                "workstream_name": row["workstream"].name,
                **_figures(_without(row, "workstream", "colour"), row["colour"]),
            }
            for row in summary.by_workstream
        ],
        "by_unit": [
            {
                "unit_id": row["unit"].pk,
                "unit_name": row["unit"].name,
                **_figures(_without(row, "unit", "colour"), row["colour"]),
            }
            for row in summary.by_unit
        ],
    }


# Tasks -------------------------------------------------------------------------------------


@router.get("/tasks", response=TaskPage, summary="A campaign's tasks visible to the caller")
def list_tasks(request, filters: Query[TaskQuery]):
    _require(request, CampaignPerm.VIEW)
    campaign = get_campaign_for_user(request.user, filters.campaign)
    task_filters = queries.TaskFilters(
        workstream=_workstream(campaign, filters.workstream).pk if filters.workstream else None,
        unit=_campaign_unit(request, filters.unit, campaign) if filters.unit else None,
        state=filters.state,
        colour=filters.colour,
        due_from=filters.due_from,
        due_to=filters.due_to,
        lead=filters.lead,
        q=filters.q.strip(),
    )
    tasks = queries.tasks_visible_to(request.user, campaign, task_filters)
    count = queries.count_from_tallies(request.user, campaign, task_filters)
    result = page_dict(queries.counted(tasks, count), filters.page, filters.page_size)
    today = actions.today()
    for task in result["items"]:
        task.campaign = campaign
        annotate(task, today)
    return result


@router.post("/tasks", response={201: TaskOut})
def create_task(request, payload: TaskIn):
    campaign = get_campaign_for_user(request.user, payload.campaign_id)
    task = actions.create_task(
        request.user,
        campaign=campaign,
        workstream=_workstream(campaign, payload.workstream_id),
        unit=get_unit_for_user(request.user, payload.unit_id),
        lead=get_person_for_user(request.user, payload.lead_id) if payload.lead_id else None,
        title=payload.title,
        description=payload.description,
        start_date=payload.start_date,
        due_date=payload.due_date,
        quantity_target=payload.quantity_target,
        measure=payload.measure,
        weight=payload.weight,
        state=payload.state,
    )
    return Status(201, _task_out(request, task.pk))


@router.get("/tasks/{task_id}", response=TaskOut)
def get_task(request, task_id: int):
    return _task_out(request, task_id)


@router.patch("/tasks/{task_id}", response=TaskOut)
def update_task(request, task_id: int, payload: TaskPatch):
    task = get_task_for_user(request.user, task_id, write=True)
    fields = payload.model_dump(exclude={"version", "workstream_id", "lead_id"}, exclude_unset=True)
    if "workstream_id" in payload.model_fields_set:
        fields["workstream"] = _workstream(task.campaign, payload.workstream_id)
    if "lead_id" in payload.model_fields_set:
        fields["lead"] = (
            get_person_for_user(request.user, payload.lead_id) if payload.lead_id else None
        )
    actions.update_task(request.user, task=task, version=payload.version, **fields)
    return _task_out(request, task.pk)


def _report(request, task_id: int, payload: ProgressIn, files) -> Status:
    task = get_task_for_user(request.user, task_id, write=True)
    update = actions.report_progress(
        request.user,
        task=task,
        progress=payload.progress,
        quantity_done=payload.quantity_done,
        narrative=payload.narrative,
        files=files,
    )
    update.task = _task_out(request, task.pk)
    return Status(201, update)


@router.post(
    "/tasks/{task_id}/progress",
    response={201: ProgressOut},
    summary="Report progress (JSON; evidence files go to /progress/upload)",
)
def report_progress(request, task_id: int, payload: ProgressIn):
    return _report(request, task_id, payload, ())


@router.post(
    "/tasks/{task_id}/progress/upload",
    response={201: ProgressOut},
    summary="Report progress with evidence files (multipart/form-data)",
)
def report_progress_with_files(
    request,
    task_id: int,
    payload: Form[ProgressIn],
    files: File[list[UploadedFile]] = None,
):
    return _report(request, task_id, payload, files or ())


@router.post("/tasks/{task_id}/decompose", response={201: list[TaskOut]})
def decompose_task(request, task_id: int, payload: DecomposeIn):
    task = get_task_for_user(request.user, task_id)
    shares = []
    for share in payload.shares:
        fields = share.model_dump(exclude={"unit_id", "lead_id"}, exclude_none=True)
        fields["unit"] = get_unit_for_user(request.user, share.unit_id)
        if share.lead_id:
            fields["lead"] = get_person_for_user(request.user, share.lead_id)
        shares.append(fields)
    children = actions.decompose_task(request.user, task=task, shares=shares)
    today = actions.today()
    return Status(201, [annotate(child, today) for child in children])


@router.post("/tasks/{task_id}/start", response=TaskOut)
def start_task(request, task_id: int):
    task = get_task_for_user(request.user, task_id, write=True)
    actions.start_task(request.user, task=task)
    return _task_out(request, task.pk)


@router.post("/tasks/{task_id}/complete", response=TaskOut)
def complete_task(request, task_id: int, payload: CompleteIn):
    task = get_task_for_user(request.user, task_id, write=True)
    actions.complete_task(
        request.user,
        task=task,
        completed_on=payload.completed_on,
        override_reason=payload.override_reason,
    )
    return _task_out(request, task.pk)


@router.post(
    "/tasks/{task_id}/cancel", response=TaskOut, summary="Cancel a task and its open subtasks"
)
def cancel_task(request, task_id: int, payload: CancelIn):
    task = get_task_for_user(request.user, task_id)
    actions.cancel_task(request.user, task=task, reason=payload.reason)
    return _task_out(request, task.pk)
