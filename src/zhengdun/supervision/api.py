"""The supervision API: groups and their month against the minimum of days on site, visits and
their scorecards, reproducible random draws, follow-up orders and their workflow, coverage and
ranking.

A thin adapter over the same gates, queries and actions as the pages: ids in paths, filters and
payloads go through the gates (hidden looks like missing: 404; a supervisor sees the units their
group is assigned to, a unit its own visits and orders), the actions check permission (403 for a
caller who sees the object but may not change it) and validate (400); malformed input is 422.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import field_validator

from zhengdun.campaigns.models import Campaign
from zhengdun.campaigns.permissions import campaigns_visible_to
from zhengdun.core.pagination import clamp, page_dict
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit, ancestor_paths
from zhengdun.org.permissions import get_person_for_user
from zhengdun.org.roles import Perm
from zhengdun.supervision import actions, queries, rules
from zhengdun.supervision.models import (
    Aspect,
    Draw,
    Group,
    Member,
    Order,
    OrderState,
    Scorecard,
    ScoreLine,
    ScoreTemplate,
    Visit,
)
from zhengdun.supervision.permissions import (
    SupervisionPerm,
    draws_visible_to,
    get_draw_for_user,
    get_group_for_user,
    get_order_for_user,
    get_visit_for_user,
    groups_visible_to,
    is_member,
    may_manage,
    orders_visible_to,
    visits_visible_to,
)

router = Router(tags=["supervision"])

MAX_PRESENT = 50  # more than any group has members
MAX_ASPECTS = 50  # more than any scorecard has aspects
ANSWERABLE = (OrderState.ISSUED, OrderState.ACKNOWLEDGED, OrderState.RETURNED)


# Gates for the ids a request names ---------------------------------------------------------


def _unit(request, pk: int) -> Unit:
    """A unit in the caller's supervision scope (404 for one missing or hidden)."""
    unit = scope.units(request.user, SupervisionPerm.VIEW).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _campaigns(user):
    """The campaigns a caller may name: those they see, and those they see groups of."""
    return Campaign.objects.filter(
        Q(pk__in=groups_visible_to(user).values("campaign_id"))
        | Q(pk__in=campaigns_visible_to(user).values("pk"))
    ).select_related("unit")


def _campaign(request, pk: int) -> Campaign:
    campaign = _campaigns(request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def _newest_group_campaign(user) -> Campaign | None:
    """The newest campaign the caller sees groups of."""
    return (
        Campaign.objects.filter(pk__in=groups_visible_to(user).values("campaign_id"))
        .select_related("unit")
        .order_by("-start_date", "-id")
        .first()
    )


def _campaign_for_work(
    request, campaign_id: int | None, group: Group | None, unit: Unit
) -> Campaign:
    """The campaign a draw or an order belongs to: the group's, the one named, or the newest
    the caller may name that takes in the unit."""
    if group is not None:
        if campaign_id is not None and campaign_id != group.campaign_id:
            raise ValidationError({"campaign_id": _("The group works for another campaign.")})
        return group.campaign
    if campaign_id is not None:
        return _campaign(request, campaign_id)
    campaign = (
        _campaigns(request.user)
        .filter(unit__path__in=ancestor_paths(unit.path))
        .order_by("-start_date", "-id")
        .first()
    )
    if campaign is None:
        raise ValidationError({"campaign_id": _("Choose a campaign.")})
    return campaign


def _month(text: str, today: date) -> date:
    if not text:
        return rules.month_of(today)
    month = rules.parse_month(text)
    if month is None:
        raise ValidationError({"month": _("Give the month as YYYY-MM.")})
    return month


def _file_url(kind: str, pk: int) -> str:
    return reverse("supervision:file", args=[kind, pk])


# Schemas -----------------------------------------------------------------------------------


class PageQuery(Schema):
    page: int = 1
    page_size: int = 50


class Ref(Schema):
    id: int
    name: str


class FileOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: datetime
    url: str


def _files(kind: str, rows) -> list[dict]:
    return [
        {
            "id": row.pk,
            "name": row.name,
            "size": row.size,
            "content_type": row.content_type,
            "sha256": row.sha256,
            "uploaded_at": row.uploaded_at,
            "url": _file_url(kind, row.pk),
        }
        for row in rows
    ]


# Groups


class MemberOut(Schema):
    person_id: int
    name: str
    unit_id: int
    unit_name: str
    is_leader: bool
    retired_cadre: bool

    @staticmethod
    def resolve_name(obj: Member) -> str:
        return obj.person.name

    @staticmethod
    def resolve_unit_id(obj: Member) -> int:
        return obj.person.unit_id

    @staticmethod
    def resolve_unit_name(obj: Member) -> str:
        return obj.person.unit.name

    @staticmethod
    def resolve_retired_cadre(obj: Member) -> bool:
        return obj.person.status == PersonStatus.RETIRED_FROM_POST


class GroupOut(Schema):
    id: int
    name: str
    campaign_id: int
    campaign_name: str
    min_days: int
    note: str
    members: list[MemberOut]

    @staticmethod
    def resolve_campaign_name(obj: Group) -> str:
        return obj.campaign.name

    @staticmethod
    def resolve_members(obj: Group) -> list:
        return list(obj.members.all())


class GroupPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[GroupOut]


class GroupQuery(Schema):
    campaign: int | None = None
    page: int = 1
    page_size: int = 50


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    starts_on: date
    ends_on: date | None
    current: bool


class MonthOut(Schema):
    """A group's month against its minimum of days on site (planned visits count no days)."""

    month: str
    days: int
    minimum: int
    colour: str
    reason: str
    dates: list[date]
    planned_dates: list[date]
    visits: int
    units: list[Ref]
    unvisited: list[Ref]


class DutyOut(Schema):
    duty: str
    label: str
    done: bool
    note: str
    file_url: str | None


class IncompleteMonthOut(Schema):
    month: str
    missing: int


class GroupDetail(GroupOut):
    assignments: list[AssignmentOut]
    month: MonthOut
    checklist: list[DutyOut]
    incomplete_months: list[IncompleteMonthOut]
    may_manage: bool
    is_member: bool

    # Loaded by get_group (the names of the relations hold the managers).
    @staticmethod
    def resolve_assignments(obj: Group) -> list:
        return obj.assignments_out

    @staticmethod
    def resolve_month(obj: Group) -> dict:
        return obj.month_out

    @staticmethod
    def resolve_checklist(obj: Group) -> list:
        return obj.checklist_out

    @staticmethod
    def resolve_incomplete_months(obj: Group) -> list:
        return obj.incomplete_out


class GroupDetailQuery(Schema):
    month: str = Field("", max_length=7)


# Visits and scorecards


class VisitOut(Schema):
    id: int
    group_id: int
    group_name: str
    unit_id: int
    unit_name: str
    start_date: date
    end_date: date
    days: int
    mode: str
    mode_label: str
    kind: str
    kind_label: str
    planned: bool
    notes: str
    draw_id: int | None
    score: float | None
    created_at: datetime
    version: int

    @staticmethod
    def resolve_group_name(obj: Visit) -> str:
        return obj.group.name

    @staticmethod
    def resolve_unit_name(obj: Visit) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_mode_label(obj: Visit) -> str:
        return str(obj.get_mode_display())

    @staticmethod
    def resolve_kind_label(obj: Visit) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_score(obj: Visit) -> float | None:
        card = getattr(obj, "scorecard", None)
        return float(card.total) if card is not None else None


class VisitPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[VisitOut]


class VisitQuery(Schema):
    group: int | None = None
    unit: int | None = None  # the unit's subtree
    month: str = Field("", max_length=7)  # visits touching the month (YYYY-MM)
    mode: Literal["", "political", "affairs", "work", "duty"] = ""
    kind: Literal["", "resident", "random"] = ""
    planned: bool | None = None
    page: int = 1
    page_size: int = 50


class VisitIn(Schema):
    group_id: int
    unit_id: int
    start_date: date
    end_date: date | None = None  # a single-day check when not given
    mode: str
    kind: str
    present_ids: list[int] = Field(default_factory=list, max_length=MAX_PRESENT)
    notes: str = ""
    planned: bool = False
    draw_id: int | None = None


class ConfirmIn(Schema):
    present_ids: list[int] = Field(default_factory=list, max_length=MAX_PRESENT)
    notes: str = ""


class ScoreLineOut(Schema):
    aspect_id: int
    aspect: str
    weight: int
    max_points: int
    points: float
    remark: str

    @staticmethod
    def resolve_aspect(obj: ScoreLine) -> str:
        return obj.aspect.name

    @staticmethod
    def resolve_weight(obj: ScoreLine) -> int:
        return obj.aspect.weight

    @staticmethod
    def resolve_max_points(obj: ScoreLine) -> int:
        return obj.aspect.max_points


class ScorecardOut(Schema):
    id: int
    template_id: int
    template_name: str
    template_version: int
    total: float
    remarks: str
    scored_by: str | None
    scored_at: datetime
    version: int
    lines: list[ScoreLineOut]

    @staticmethod
    def resolve_template_name(obj: Scorecard) -> str:
        return obj.template.name

    @staticmethod
    def resolve_template_version(obj: Scorecard) -> int:
        return obj.template.version

    @staticmethod
    def resolve_scored_by(obj: Scorecard) -> str | None:
        return obj.scored_by.get_username() if obj.scored_by_id else None

    @staticmethod
    def resolve_lines(obj: Scorecard) -> list:
        return list(obj.lines.all())


class OrderOut(Schema):
    id: int
    number: str
    campaign_id: int
    group_id: int | None
    group_name: str | None
    unit_id: int
    unit_name: str
    contact_id: int | None
    contact_name: str | None
    problem: str
    requirement: str
    deadline: date
    source: str
    source_label: str
    visit_id: int | None
    state: str
    state_label: str
    issued_on: date
    acknowledged_on: date | None
    responded_on: date | None
    closed_on: date | None
    # The colour as stored at the last write or daily tick (what the colour filter uses), and
    # the colour as of today with its reason.
    colour: str
    live_colour: str
    reason_code: str
    reason: str
    task_id: int | None
    measure_id: int | None
    version: int

    @staticmethod
    def resolve_group_name(obj: Order) -> str | None:
        return obj.group.name if obj.group_id else None

    @staticmethod
    def resolve_unit_name(obj: Order) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_contact_name(obj: Order) -> str | None:
        return obj.contact.name if obj.contact_id else None

    @staticmethod
    def resolve_source_label(obj: Order) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_state_label(obj: Order) -> str:
        return str(obj.get_state_display())


class VisitDetail(VisitOut):
    present: list[Ref]
    files: list[FileOut]
    scorecard: ScorecardOut | None
    orders: list[OrderOut]
    may_work: bool

    @staticmethod
    def resolve_present(obj: Visit) -> list:
        return [{"id": person.pk, "name": person.name} for person in obj.present.all()]

    @staticmethod
    def resolve_files(obj: Visit) -> list:
        return _files("visit", obj.files.order_by("id"))

    @staticmethod
    def resolve_scorecard(obj: Visit):
        return obj.card_out

    @staticmethod
    def resolve_orders(obj: Visit) -> list:
        return obj.orders_out


class AspectOut(Schema):
    id: int
    order: int
    name: str
    guidance: str
    weight: int
    max_points: int


class TemplateOut(Schema):
    id: int
    name: str
    version: int
    created_at: datetime
    aspects: list[AspectOut]

    @staticmethod
    def resolve_aspects(obj: ScoreTemplate) -> list:
        return list(obj.aspects.all())


class TemplateQuery(Schema):
    id: int | None = None


class ScoreLineIn(Schema):
    aspect_id: int
    points: Decimal
    remark: str = Field("", max_length=500)


class ScoreIn(Schema):
    template_id: int | None = None  # the newest template when not given
    lines: list[ScoreLineIn] = Field(max_length=MAX_ASPECTS)
    summary: str = ""

    @field_validator("lines")
    @classmethod
    def _one_line_per_aspect(cls, lines: list[ScoreLineIn]) -> list[ScoreLineIn]:
        aspects = [line.aspect_id for line in lines]
        if len(set(aspects)) != len(aspects):
            raise ValueError(_("Each aspect can be scored only once."))
        return lines


# Draws


class DrawOut(Schema):
    id: int
    campaign_id: int
    group_id: int | None
    group_name: str | None
    kind: str
    kind_label: str
    unit_id: int
    unit_name: str
    period_start: date
    period_end: date
    count: int
    seed: str
    sealed_at: datetime
    drawn: bool
    drawn_at: datetime | None
    exhausted: bool
    result: list[Ref]

    @staticmethod
    def resolve_group_name(obj: Draw) -> str | None:
        return obj.group.name if obj.group_id else None

    @staticmethod
    def resolve_kind_label(obj: Draw) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: Draw) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_drawn(obj: Draw) -> bool:
        return obj.is_drawn

    @staticmethod
    def resolve_result(obj: Draw) -> list:
        return [{"id": pk, "name": name} for pk, name in obj.result]


class DrawPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[DrawOut]


class DrawQuery(Schema):
    group: int | None = None
    kind: Literal["", "units", "persons"] = ""
    page: int = 1
    page_size: int = 50


class DrawDetail(DrawOut):
    # Empty until the draw is made: the seed is fixed before anyone sees the candidates.
    candidates: list[Ref]
    drawn_by: str | None
    # Whether the stored seed and candidates give the stored result again (null before the
    # draw is made).
    reproduces: bool | None

    @staticmethod
    def resolve_candidates(obj: Draw) -> list:
        return [{"id": pk, "name": name} for pk, name in obj.candidates]

    @staticmethod
    def resolve_drawn_by(obj: Draw) -> str | None:
        return obj.drawn_by.get_username() if obj.drawn_by_id else None

    @staticmethod
    def resolve_reproduces(obj: Draw) -> bool | None:
        if not obj.is_drawn:
            return None
        return actions.rerun_draw(obj) == obj.result


class DrawIn(Schema):
    campaign_id: int | None = None  # the group's, or the newest the caller sees groups of
    group_id: int | None = None
    kind: str = "units"
    unit_id: int
    period_start: date
    period_end: date
    count: int = 1


# Orders


class OrderPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[OrderOut]


class OrderQuery(Schema):
    unit: int | None = None  # the unit's subtree
    state: Literal["", "issued", "acknowledged", "responded", "closed", "returned"] = ""
    colour: Literal["", "red", "yellow", "green"] = ""
    group: int | None = None
    q: str = Field("", max_length=200)
    page: int = 1
    page_size: int = 50


class OrderDetail(OrderOut):
    response: str
    responded_by: str | None
    return_reason: str
    closed_by: str | None
    files: list[FileOut]
    may_answer: bool
    may_verify: bool

    @staticmethod
    def resolve_responded_by(obj: Order) -> str | None:
        return obj.responded_by.get_username() if obj.responded_by_id else None

    @staticmethod
    def resolve_closed_by(obj: Order) -> str | None:
        return obj.closed_by.get_username() if obj.closed_by_id else None

    @staticmethod
    def resolve_files(obj: Order) -> list:
        return _files("order", obj.files.order_by("id"))


class OrderIn(Schema):
    campaign_id: int | None = None  # the group's, or the newest the caller sees groups of
    group_id: int | None = None  # the visit's group when a visit is named; none: the office
    visit_id: int | None = None
    unit_id: int
    contact_id: int | None = None
    problem: str
    requirement: str
    deadline: date
    source: str = ""  # "visit" when a visit is named


class RespondIn(Schema):
    response: str = ""


class ReturnIn(Schema):
    reason: str = ""


# Coverage and ranking


class GroupMonthOut(Schema):
    group_id: int
    group_name: str
    month: MonthOut


class UnitCoverOut(Schema):
    unit_id: int
    unit_name: str
    groups: list[Ref]
    gap_days: list[date]
    overlap_days: list[date]


class CoverageOut(Schema):
    campaign_id: int | None
    campaign_name: str | None
    month: str
    groups: list[GroupMonthOut]
    units: list[UnitCoverOut]
    gaps: list[int]  # ids of the units left uncovered on some day of the month
    overlaps: list[int]  # ids of the units covered by more than one group on some day


class CoverageQuery(Schema):
    month: str = Field("", max_length=7)
    campaign: int | None = None


class RankOut(Schema):
    rank: int
    unit_id: int
    unit_name: str
    average: float
    cards: int


class RankingOut(Schema):
    campaign_id: int | None
    start: date | None
    end: date | None
    count: int
    page: int
    page_size: int
    items: list[RankOut]


class RankingQuery(Schema):
    campaign: int | None = None
    start: date | None = None  # the campaign's start when not given
    end: date | None = None  # today when not given
    page: int = 1
    page_size: int = 50


# Groups ------------------------------------------------------------------------------------


def _groups():
    return Prefetch(
        "members",
        queryset=Member.objects.select_related("person__unit").order_by(
            "-is_leader", "person__name", "id"
        ),
    )


def _month_out(data: queries.GroupMonth) -> dict:
    visited = {unit.pk for unit in data.units} - {unit.pk for unit in data.unvisited}
    planned = rules.days_on_site(((v.start_date, v.end_date) for v in data.planned), data.month)
    return {
        "month": data.month.strftime("%Y-%m"),
        "days": data.status.days,
        "minimum": data.status.minimum,
        "colour": data.status.colour,
        "reason": data.status.reason,
        "dates": sorted(data.days),
        "planned_dates": sorted(planned - data.days),
        "visits": len(data.visits),
        "units": [{"id": unit.pk, "name": unit.name} for unit in data.units],
        "unvisited": [
            {"id": unit.pk, "name": unit.name} for unit in data.units if unit.pk not in visited
        ],
    }


@router.get("/groups", response=GroupPage, summary="Supervision groups visible to the caller")
def list_groups(request, filters: Query[GroupQuery]):
    groups = groups_visible_to(request.user)
    if filters.campaign is not None:
        groups = groups.filter(campaign_id=filters.campaign)
    groups = (
        groups.select_related("campaign")
        .prefetch_related(_groups())
        .order_by("-campaign__start_date", "campaign_id", "name", "id")
    )
    return page_dict(groups, filters.page, filters.page_size)


@router.get(
    "/groups/{group_id}",
    response=GroupDetail,
    summary="A group: members, assignments, the month's days on site against its minimum "
    "(?month=YYYY-MM, this month when not given) and its 六抓 checklist",
)
def get_group(request, group_id: int, filters: Query[GroupDetailQuery]):
    user = request.user
    group = get_group_for_user(user, group_id)
    today = actions.today()
    month = _month(filters.month, today)
    prefetch_related_objects([group], _groups())
    group.assignments_out = [
        {
            "id": a.pk,
            "unit_id": a.unit_id,
            "unit_name": a.unit.name,
            "starts_on": a.starts_on,
            "ends_on": a.ends_on,
            "current": a.covers(today),
        }
        for a in group.assignments.select_related("unit").order_by("starts_on", "unit__path")
    ]
    group.month_out = _month_out(queries.group_month(group, month, today))
    group.checklist_out = [
        {
            "duty": duty,
            "label": str(label),
            "done": entry is not None,
            "note": entry.note if entry else "",
            "file_url": _file_url("duty", entry.pk) if entry and entry.file else None,
        }
        for duty, label, entry in queries.checklist(group, month)
    ]
    group.incomplete_out = [
        {"month": m.strftime("%Y-%m"), "missing": missing}
        for m, missing in queries.incomplete_months(group, today)
    ]
    group.may_manage = may_manage(user, group)
    group.is_member = is_member(user, group)
    return group


# Visits ------------------------------------------------------------------------------------


@router.get(
    "/visits",
    response=VisitPage,
    summary="Visits to the units in the caller's scope (filters: group, unit subtree, month)",
)
def list_visits(request, filters: Query[VisitQuery]):
    visits = visits_visible_to(request.user)
    if filters.unit is not None:
        visits = visits.filter(scope.prefix_q("unit_path", _unit(request, filters.unit).path))
    if filters.group is not None:
        visits = visits.filter(group_id=filters.group)
    if filters.month:
        month = _month(filters.month, actions.today())
        visits = visits.filter(start_date__lte=rules.month_end(month), end_date__gte=month)
    if filters.mode:
        visits = visits.filter(mode=filters.mode)
    if filters.kind:
        visits = visits.filter(kind=filters.kind)
    if filters.planned is not None:
        visits = visits.filter(planned=filters.planned)
    visits = visits.select_related("group", "unit", "scorecard").order_by("-start_date", "-id")
    return page_dict(visits, filters.page, filters.page_size)


def _visit_out(request, pk: int) -> Visit:
    """The visit as it now stands, with its scorecard, its orders the caller may see and
    whether the caller may work on it (confirm, score, issue orders)."""
    user = request.user
    visit = get_visit_for_user(user, pk)
    visit = (
        Visit.objects.filter(pk=visit.pk)
        .select_related("group__campaign__unit", "unit")
        .prefetch_related("present")
        .get()
    )
    visit.card_out = (
        Scorecard.objects.filter(visit=visit)
        .select_related("template", "scored_by")
        .prefetch_related(
            Prefetch("lines", queryset=ScoreLine.objects.select_related("aspect").order_by("id"))
        )
        .first()
    )
    today = actions.today()
    visit.orders_out = [
        _annotate_order(order, today)
        for order in orders_visible_to(user)
        .filter(visit=visit)
        .select_related("campaign", "unit", "group", "contact")
        .order_by("deadline", "id")
    ]
    visit.may_work = scope.can(user, SupervisionPerm.VISIT, visit.unit) and (
        is_member(user, visit.group) or may_manage(user, visit.group)
    )
    return visit


def _present(request, group: Group, ids: list[int]) -> list[Person]:
    """The people named as present: the group's members (whoever sees the group sees them) or
    people the caller may see (the action then says they are not members); 404 otherwise."""
    wanted = set(ids)
    if not wanted:
        return []
    found = {
        person.pk: person
        for person in Person.objects.filter(
            Q(pk__in=group.members.values("person_id")) | scope.within(request.user, Perm.VIEW_ORG),
            pk__in=wanted,
        )
    }
    if set(found) != wanted:
        raise Http404
    return [found[pk] for pk in ids if pk in found]


def _log_visit(request, payload: VisitIn, files) -> Visit:
    group = get_group_for_user(request.user, payload.group_id)
    unit = _unit(request, payload.unit_id)
    draw = get_draw_for_user(request.user, payload.draw_id) if payload.draw_id else None
    visit = actions.log_visit(
        request.user,
        group=group,
        unit=unit,
        start_date=payload.start_date,
        end_date=payload.end_date or payload.start_date,
        mode=payload.mode,
        kind=payload.kind,
        present=_present(request, group, payload.present_ids),
        notes=payload.notes,
        files=files,
        planned=payload.planned,
        draw=draw,
    )
    return _visit_out(request, visit.pk)


@router.post(
    "/visits",
    response={201: VisitDetail},
    summary="Log a visit held (or, with planned, one planned); attachments go to /visits/upload",
)
def log_visit(request, payload: VisitIn):
    return Status(201, _log_visit(request, payload, ()))


@router.post(
    "/visits/upload",
    response={201: VisitDetail},
    summary="Log a visit with attachments (multipart/form-data)",
)
def log_visit_with_files(request, payload: Form[VisitIn], files: File[list[UploadedFile]] = None):
    return Status(201, _log_visit(request, payload, files or ()))


@router.get("/visits/{visit_id}", response=VisitDetail, summary="A visit, with its scorecard")
def get_visit(request, visit_id: int):
    return _visit_out(request, visit_id)


@router.post(
    "/visits/{visit_id}/confirm",
    response=VisitDetail,
    summary="A planned visit took place: it now counts its days",
)
def confirm_visit(request, visit_id: int, payload: ConfirmIn):
    visit = get_visit_for_user(request.user, visit_id)
    actions.confirm_visit(
        request.user,
        visit=visit,
        present=_present(request, visit.group, payload.present_ids),
        notes=payload.notes,
    )
    return _visit_out(request, visit.pk)


def _template(pk: int | None) -> ScoreTemplate:
    # Templates are not scoped: everyone who scores or reads a scorecard needs them.
    templates = ScoreTemplate.objects.prefetch_related(
        Prefetch("aspects", queryset=Aspect.objects.order_by("order", "id"))
    )
    if pk is not None:
        template = templates.filter(pk=pk).first()
    else:
        template = templates.order_by("-created_at", "-pk").first()
    if template is None:
        raise Http404
    return template


@router.get(
    "/scorecard-template",
    response=TemplateOut,
    summary="The newest scorecard template (or ?id=) with its aspects",
)
def get_template(request, filters: Query[TemplateQuery]):
    return _template(filters.id)


@router.post(
    "/visits/{visit_id}/score",
    response=VisitDetail,
    summary="Score a held visit on every aspect of the template (scoring again replaces it)",
)
def score_visit(request, visit_id: int, payload: ScoreIn):
    visit = get_visit_for_user(request.user, visit_id)
    template = _template(payload.template_id)
    aspects = {aspect.pk for aspect in template.aspects.all()}
    strangers = [line.aspect_id for line in payload.lines if line.aspect_id not in aspects]
    if strangers:
        raise ValidationError(
            {
                "lines": _("Not aspects of the scorecard: %(ids)s")
                % {"ids": ", ".join(str(pk) for pk in strangers)}
            }
        )
    actions.score_visit(
        request.user,
        visit=visit,
        template=template,
        points={line.aspect_id: line.points for line in payload.lines},
        remarks={line.aspect_id: line.remark for line in payload.lines},
        summary=payload.summary,
    )
    return _visit_out(request, visit.pk)


# Draws -------------------------------------------------------------------------------------


def _draw_out(request, pk: int) -> Draw:
    draw = get_draw_for_user(request.user, pk)
    return Draw.objects.select_related("unit", "group", "drawn_by").get(pk=draw.pk)


@router.get("/draws", response=DrawPage, summary="Random draws in the caller's scope")
def list_draws(request, filters: Query[DrawQuery]):
    draws = draws_visible_to(request.user)
    if filters.group is not None:
        draws = draws.filter(group_id=filters.group)
    if filters.kind:
        draws = draws.filter(kind=filters.kind)
    draws = draws.select_related("unit", "group").order_by("-sealed_at", "-id")
    return page_dict(draws, filters.page, filters.page_size)


@router.post(
    "/draws",
    response={201: DrawDetail},
    summary="Seal a draw: its seed and parameters are fixed and recorded before any candidate "
    "is listed",
)
def seal_draw(request, payload: DrawIn):
    group = get_group_for_user(request.user, payload.group_id) if payload.group_id else None
    unit = _unit(request, payload.unit_id)
    draw = actions.seal_draw(
        request.user,
        campaign=_campaign_for_work(request, payload.campaign_id, group, unit),
        kind=payload.kind,
        unit=unit,
        period_start=payload.period_start,
        period_end=payload.period_end,
        count=payload.count,
        group=group,
    )
    return Status(201, _draw_out(request, draw.pk))


@router.post(
    "/draws/{draw_id}/draw",
    response=DrawDetail,
    summary="Make a sealed draw: list the candidates and pick from them with the sealed seed",
)
def make_draw(request, draw_id: int):
    draw = get_draw_for_user(request.user, draw_id)
    actions.make_draw(request.user, draw=draw)
    return _draw_out(request, draw.pk)


@router.get(
    "/draws/{draw_id}",
    response=DrawDetail,
    summary="A draw with its seed, candidates and result, and whether re-running it gives the "
    "same result",
)
def get_draw(request, draw_id: int):
    return _draw_out(request, draw_id)


# Orders ------------------------------------------------------------------------------------


def _annotate_order(order: Order, today: date) -> Order:
    colour, reason = rules.order_colour(
        state=order.state,
        deadline=order.deadline,
        today=today,
        yellow_days=order.campaign.yellow_days,
    )
    order.live_colour = colour
    order.reason_code = reason.get("code", "")
    order.reason = rules.describe_order(reason)
    return order


def _order_out(request, pk: int) -> Order:
    """The order as it now stands, with its live colour, evidence and what the caller may do."""
    user = request.user
    order = get_order_for_user(user, pk)
    order = (
        Order.objects.filter(pk=order.pk)
        .select_related(
            "campaign", "group__campaign__unit", "unit", "contact", "responded_by", "closed_by"
        )
        .get()
    )
    _annotate_order(order, actions.today())
    order.may_answer = order.state in ANSWERABLE and scope.can(
        user, SupervisionPerm.ANSWER, order.unit
    )
    if order.group_id is not None:
        verifier = scope.can(user, SupervisionPerm.VISIT, order.unit) and (
            is_member(user, order.group) or may_manage(user, order.group)
        )
    else:
        verifier = scope.can(user, SupervisionPerm.MANAGE, order.unit)
    order.may_verify = (
        order.state == OrderState.RESPONDED and verifier and order.responded_by_id != user.pk
    )
    return order


@router.get(
    "/orders",
    response=OrderPage,
    summary="Follow-up orders to the units in the caller's scope, with live colours",
)
def list_orders(request, filters: Query[OrderQuery]):
    order_filters = queries.OrderFilters(
        unit=_unit(request, filters.unit) if filters.unit is not None else None,
        state=filters.state,
        colour=filters.colour,
        group=filters.group,
        q=filters.q.strip(),
    )
    orders = queries.orders(request.user, order_filters).select_related("campaign")
    result = page_dict(orders, filters.page, filters.page_size)
    today = actions.today()
    for order in result["items"]:
        _annotate_order(order, today)
    return result


@router.post(
    "/orders",
    response={201: OrderDetail},
    summary="Issue a follow-up order to a unit (by a group, or by the office)",
)
def issue_order(request, payload: OrderIn):
    user = request.user
    visit = get_visit_for_user(user, payload.visit_id) if payload.visit_id else None
    if payload.group_id is not None:
        group = get_group_for_user(user, payload.group_id)
    else:
        group = visit.group if visit is not None else None
    unit = _unit(request, payload.unit_id)
    contact = get_person_for_user(user, payload.contact_id) if payload.contact_id else None
    order = actions.issue_order(
        user,
        campaign=_campaign_for_work(request, payload.campaign_id, group, unit),
        unit=unit,
        problem=payload.problem,
        requirement=payload.requirement,
        deadline=payload.deadline,
        source=payload.source or ("visit" if visit is not None else ""),
        group=group,
        visit=visit,
        contact=contact,
    )
    return Status(201, _order_out(request, order.pk))


@router.get("/orders/{order_id}", response=OrderDetail)
def get_order(request, order_id: int):
    return _order_out(request, order_id)


@router.post(
    "/orders/{order_id}/acknowledge",
    response=OrderDetail,
    summary="The unit acknowledges a newly issued order",
)
def acknowledge_order(request, order_id: int):
    order = get_order_for_user(request.user, order_id)
    actions.acknowledge_order(request.user, order=order)
    return _order_out(request, order.pk)


def _respond(request, order_id: int, response: str, files) -> Order:
    order = get_order_for_user(request.user, order_id)
    actions.respond_order(request.user, order=order, response=response, files=files)
    return _order_out(request, order.pk)


@router.post(
    "/orders/{order_id}/respond",
    response=OrderDetail,
    summary="The unit says what it did (JSON; evidence files go to /respond/upload)",
)
def respond_order(request, order_id: int, payload: RespondIn):
    return _respond(request, order_id, payload.response, ())


@router.post(
    "/orders/{order_id}/respond/upload",
    response=OrderDetail,
    summary="The unit says what it did, with evidence files (multipart/form-data)",
)
def respond_order_with_files(
    request,
    order_id: int,
    payload: Form[RespondIn],
    files: File[list[UploadedFile]] = None,
):
    return _respond(request, order_id, payload.response, files or ())


@router.post(
    "/orders/{order_id}/verify",
    response=OrderDetail,
    summary="Verify an answered order and close it (never by the person who answered)",
)
def verify_order(request, order_id: int):
    order = get_order_for_user(request.user, order_id)
    actions.verify_order(request.user, order=order)
    return _order_out(request, order.pk)


@router.post(
    "/orders/{order_id}/return",
    response=OrderDetail,
    summary="Return an answered order to the unit with a reason",
)
def return_order(request, order_id: int, payload: ReturnIn):
    order = get_order_for_user(request.user, order_id)
    actions.return_order(request.user, order=order, reason=payload.reason)
    return _order_out(request, order.pk)


# Coverage and ranking ----------------------------------------------------------------------


@router.get(
    "/coverage",
    response=CoverageOut,
    summary="A month (?month=YYYY-MM) of a campaign: each group's days on site against its "
    "minimum and the units it has not visited; each unit's covering groups, gaps and overlaps",
)
def coverage(request, filters: Query[CoverageQuery]):
    user = request.user
    today = actions.today()
    month = _month(filters.month, today)
    if filters.campaign is not None:
        campaign = _campaign(request, filters.campaign)
    else:
        campaign = _newest_group_campaign(user)
    if campaign is None:
        return {
            "campaign_id": None,
            "campaign_name": None,
            "month": month.strftime("%Y-%m"),
            "groups": [],
            "units": [],
            "gaps": [],
            "overlaps": [],
        }
    groups = [
        {"group_id": data.group.pk, "group_name": data.group.name, "month": _month_out(data)}
        for data in queries.month_coverage(user, campaign, month, today)
    ]
    units = [
        {
            "unit_id": row.unit.pk,
            "unit_name": row.unit.name,
            "groups": [{"id": group.pk, "name": group.name} for group in row.groups],
            "gap_days": row.gap_days,
            "overlap_days": row.overlap_days,
        }
        for row in queries.month_unit_coverage(user, campaign, month)
    ]
    return {
        "campaign_id": campaign.pk,
        "campaign_name": campaign.name,
        "month": month.strftime("%Y-%m"),
        "groups": groups,
        "units": units,
        "gaps": [row["unit_id"] for row in units if row["gap_days"]],
        "overlaps": [row["unit_id"] for row in units if row["overlap_days"]],
    }


@router.get(
    "/ranking",
    response=RankingOut,
    summary="Units ranked by their average scorecard total over ?start=&end=",
)
def ranking(request, filters: Query[RankingQuery]):
    user = request.user
    page, page_size = clamp(filters.page, filters.page_size)
    if filters.campaign is not None:
        campaign = _campaign(request, filters.campaign)
    else:
        campaign = (
            _newest_group_campaign(user)
            or campaigns_visible_to(user).order_by("-start_date", "-id").first()
        )
    if campaign is None:
        return {
            "campaign_id": None,
            "start": filters.start,
            "end": filters.end,
            "count": 0,
            "page": page,
            "page_size": page_size,
            "items": [],
        }
    start = filters.start or campaign.start_date
    end = filters.end or actions.today()
    if end < start:
        raise ValidationError({"end": _("The end cannot be before the start.")})
    rows = queries.ranking(user, campaign, start, end)
    first = (page - 1) * page_size
    return {
        "campaign_id": campaign.pk,
        "start": start,
        "end": end,
        "count": len(rows),
        "page": page,
        "page_size": page_size,
        "items": rows[first : first + page_size],
    }
