"""The self-inspection API: the catalogue, rounds, reports, the rectification ledger and the
measure actions.

A thin adapter over the same gates, queries and actions as the pages: ids in paths, filters and
payloads go through the gates (hidden looks like missing: 404; a personal report is visible to
the person and their chain of leaders only), the actions check permission (403 for a caller who
sees the object but may not change it) and validate (400); a stale version is 409; malformed
input is 422.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import field_validator

from zhengdun.core.pagination import IdsFirst, page_dict
from zhengdun.org import scope
from zhengdun.org.models import Person, Unit
from zhengdun.org.permissions import get_unit_for_user
from zhengdun.org.roles import Perm
from zhengdun.selfcheck import actions, queries
from zhengdun.selfcheck.models import (
    Answer,
    Catalogue,
    Dimension,
    Item,
    Measure,
    MeasureState,
    Report,
    ReportKind,
    ReportState,
    Round,
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

router = Router(tags=["selfcheck"])

# Column limits the database enforces (PostgreSQL raises on overflow instead of truncating).
MAX_POSITIVE_INT = 2_147_483_647
MAX_ANSWERS = 200  # more than any catalogue has items
MAX_MEASURES = 20  # measures under one finding


def _require(request, perm: str) -> None:
    if not scope.holds(request.user, perm):
        raise Http404


def _unit_in_round(request, round_: Round, pk: int) -> Unit:
    """A unit of the round's tree the caller may see the ledger in (as the pages decide)."""
    unit = (
        scope.units(request.user, SelfcheckPerm.VIEW)
        .filter(scope.prefix_q("path", round_.unit.path), pk=pk)
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def _newest_catalogue() -> Catalogue | None:
    return Catalogue.objects.order_by("-created_at", "-pk").first()


# Schemas -----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    code: str
    title: str
    guidance: str
    applies_to: str
    order: int


class DimensionOut(Schema):
    id: int
    code: str
    name: str
    order: int
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: Dimension) -> list:
        return list(obj.items.all())


class CatalogueOut(Schema):
    id: int
    name: str
    version: int
    note: str
    created_at: datetime
    dimensions: list[DimensionOut]

    @staticmethod
    def resolve_dimensions(obj: Catalogue) -> list:
        return list(obj.dimensions.all())


class CatalogueQuery(Schema):
    id: int | None = None


class RoundOut(Schema):
    id: int
    name: str
    catalogue_id: int
    catalogue_name: str
    unit_id: int
    unit_name: str
    for_units: bool
    for_persons: bool
    leaders_first: bool
    opened_on: date
    due_date: date
    red_behind: int
    yellow_behind: int
    yellow_days: int
    yellow_progress: int
    escalate_days: int
    status: str
    status_label: str
    version: int

    @staticmethod
    def resolve_catalogue_name(obj: Round) -> str:
        return str(obj.catalogue)

    @staticmethod
    def resolve_unit_name(obj: Round) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_status_label(obj: Round) -> str:
        return str(obj.get_status_display())


class RoundPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RoundOut]


class RoundIn(Schema):
    unit_id: int
    name: str = Field(max_length=120)
    due_date: date
    catalogue_id: int | None = None  # the newest catalogue when not given
    for_units: bool = True
    for_persons: bool = True
    leaders_first: bool = True


class ReportOut(Schema):
    id: int
    round_id: int
    kind: str
    kind_label: str
    unit_id: int
    unit_name: str
    person_id: int | None
    person_name: str | None
    is_leader: bool
    state: str
    state_label: str
    submitted_at: datetime | None
    findings: int
    return_comment: str
    version: int

    @staticmethod
    def resolve_kind_label(obj: Report) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_unit_name(obj: Report) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_person_name(obj: Report) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_state_label(obj: Report) -> str:
        return str(obj.get_state_display())


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReportOut]


class ProgressFigures(Schema):
    """Counts of one kind of report by state, and their total."""

    draft: int
    submitted: int
    returned: int
    total: int


class RoundProgress(Schema):
    unit_id: int
    unit_name: str
    unit: ProgressFigures
    person: ProgressFigures


class RoundDetail(RoundOut):
    # Report counts under the caller's top unit in the round (or ?unit=); none for a caller
    # who only reports personally.
    progress: RoundProgress | None
    mine: list[ReportOut]


class RoundQuery(Schema):
    unit: int | None = None


class ReportQuery(Schema):
    round: int
    unit: int | None = None
    kind: Literal["", "unit", "person"] = ""
    state: Literal["", "draft", "submitted", "returned"] = ""
    page: int = 1
    page_size: int = 50


class PageQuery(Schema):
    page: int = 1
    page_size: int = 50


class AnswerMeasureOut(Schema):
    id: int
    text: str
    owner_id: int | None
    owner_name: str | None
    deadline: date | None
    state: str
    progress: int
    live: bool

    @staticmethod
    def resolve_owner_name(obj: Measure) -> str | None:
        return obj.owner.name if obj.owner_id else None


class AnswerOut(Schema):
    id: int
    item_id: int
    item_code: str
    item_title: str
    dimension_id: int
    found: bool
    description: str
    cause: str
    meeting_id: int | None
    measures: list[AnswerMeasureOut]

    @staticmethod
    def resolve_item_code(obj: Answer) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_title(obj: Answer) -> str:
        return obj.item.title

    @staticmethod
    def resolve_dimension_id(obj: Answer) -> int:
        return obj.item.dimension_id

    @staticmethod
    def resolve_measures(obj: Answer) -> list:
        return list(obj.measures.all())


class ReportDetail(ReportOut):
    round_name: str
    catalogue_id: int
    items_total: int
    may_edit: bool
    may_return: bool
    answers: list[AnswerOut]

    @staticmethod
    def resolve_round_name(obj: Report) -> str:
        return obj.round.name

    @staticmethod
    def resolve_catalogue_id(obj: Report) -> int:
        return obj.round.catalogue_id

    @staticmethod
    def resolve_answers(obj: Report) -> list:
        return obj.answers_out  # loaded by _report_out in three queries


class MeasureIn(Schema):
    text: str
    owner_id: int | None = None
    deadline: date | None = None


class AnswerIn(Schema):
    item_id: int
    found: bool = False
    description: str = ""
    cause: str = ""
    measures: list[MeasureIn] = Field(default_factory=list, max_length=MAX_MEASURES)


class ReportIn(Schema):
    """The draft's answers, replacing those saved; items left out have no answer."""

    version: int = Field(ge=0, le=MAX_POSITIVE_INT)
    answers: list[AnswerIn] = Field(max_length=MAX_ANSWERS)

    @field_validator("answers")
    @classmethod
    def _one_answer_per_item(cls, answers: list[AnswerIn]) -> list[AnswerIn]:
        items = [answer.item_id for answer in answers]
        if len(set(items)) != len(items):
            raise ValueError(_("Each item can be answered only once."))
        return answers


class ReturnIn(Schema):
    comment: str = ""


class MeasureOut(Schema):
    id: int
    round_id: int
    item_id: int
    item_code: str
    item_title: str
    dimension_id: int
    dimension_name: str
    unit_id: int
    unit_name: str
    text: str
    owner_id: int | None
    owner_name: str | None
    start_date: date
    deadline: date | None
    state: str
    state_label: str
    progress: int
    completed_on: date | None
    completed_by_id: int | None
    completion_note: str
    verified_on: date | None
    verified_by_id: int | None
    rejection_reason: str
    bucket: str
    # The colour as stored at the last write or daily tick (what the colour filter and the
    # heat map use), and the colour as of today with its reason.
    colour: str
    live_colour: str
    reason_code: str
    reason: str
    version: int

    @staticmethod
    def resolve_item_code(obj: Measure) -> str:
        return obj.item.code

    @staticmethod
    def resolve_item_title(obj: Measure) -> str:
        return obj.item.title

    @staticmethod
    def resolve_dimension_id(obj: Measure) -> int:
        return obj.item.dimension_id

    @staticmethod
    def resolve_dimension_name(obj: Measure) -> str:
        return obj.item.dimension.name

    @staticmethod
    def resolve_unit_name(obj: Measure) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_owner_name(obj: Measure) -> str | None:
        return obj.owner.name if obj.owner_id else None

    @staticmethod
    def resolve_state_label(obj: Measure) -> str:
        return str(obj.get_state_display())


class LedgerPage(Schema):
    round_id: int | None
    count: int
    page: int
    page_size: int
    items: list[MeasureOut]


class LedgerQuery(Schema):
    round: int | None = None  # the newest visible round when not given
    unit: int | None = None
    dimension: int | None = None
    item: int | None = None
    state: Literal["", "open", "in_progress", "completed", "verified"] = ""
    bucket: Literal["", "rectifying", "overdue", "completed", "verified"] = ""
    colour: Literal["", "red", "yellow", "green"] = ""
    owner: int | None = None
    q: str = Field("", max_length=200)
    page: int = 1
    page_size: int = 50


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    content_type: str
    sha256: str
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        return reverse("selfcheck:evidence", args=[obj.pk])


class MeasureDetail(MeasureOut):
    # The finding the measure belongs to, when the caller may read its report (a personal
    # report only by the person and their leaders); otherwise null.
    report_id: int | None
    finding_description: str | None
    finding_cause: str | None
    evidence: list[EvidenceOut]
    may_work: bool
    may_check: bool

    @staticmethod
    def resolve_evidence(obj: Measure) -> list:
        return obj.evidence_out  # loaded by _measure_out


class MeasureProgressIn(Schema):
    progress: int
    note: str = ""


class CompleteIn(Schema):
    note: str = ""


class RejectIn(Schema):
    reason: str = ""


# Catalogue ---------------------------------------------------------------------------------


@router.get(
    "/catalogue",
    response=CatalogueOut,
    summary="The newest problem catalogue (or ?id=), its dimensions and items",
)
def get_catalogue(request, filters: Query[CatalogueQuery]):
    # The catalogue is not scoped: everyone who reports needs it.
    catalogues = Catalogue.objects.prefetch_related(
        Prefetch(
            "dimensions",
            queryset=Dimension.objects.order_by("order", "id").prefetch_related(
                Prefetch("items", queryset=Item.objects.order_by("order", "id"))
            ),
        )
    )
    if filters.id is not None:
        catalogue = catalogues.filter(pk=filters.id).first()
    else:
        newest = _newest_catalogue()
        catalogue = catalogues.filter(pk=newest.pk).first() if newest else None
    if catalogue is None:
        raise Http404
    return catalogue


# Rounds ------------------------------------------------------------------------------------


@router.get("/rounds", response=RoundPage, summary="Rounds visible to the caller")
def list_rounds(request, filters: Query[PageQuery]):
    rounds = rounds_visible_to(request.user).order_by("-opened_on", "-id")
    return page_dict(rounds, filters.page, filters.page_size)


def _round_out(request, round_: Round, unit: Unit | None = None) -> Round:
    if unit is None:
        unit = queries.ledger_roots(request.user, round_).first()
    round_.progress = (
        {
            "unit_id": unit.pk,
            "unit_name": unit.name,
            **queries.round_progress(request.user, round_, unit),
        }
        if unit is not None
        else None
    )
    round_.mine = list(queries.my_reports(request.user).filter(round=round_))
    return round_


@router.post("/rounds", response={201: RoundDetail}, summary="Open a round over a subtree")
def open_round(request, payload: RoundIn):
    unit = get_unit_for_user(request.user, payload.unit_id)
    if payload.catalogue_id is not None:
        catalogue = Catalogue.objects.filter(pk=payload.catalogue_id).first()
    else:
        catalogue = _newest_catalogue()
    if catalogue is None:
        raise Http404
    opened = actions.open_round(
        request.user,
        name=payload.name,
        catalogue=catalogue,
        unit=unit,
        due_date=payload.due_date,
        for_units=payload.for_units,
        for_persons=payload.for_persons,
        leaders_first=payload.leaders_first,
    )
    return Status(201, _round_out(request, get_round_for_user(request.user, opened.pk)))


@router.get(
    "/rounds/{round_id}",
    response=RoundDetail,
    summary="A round, with report progress under the caller's top unit (or ?unit=)",
)
def get_round(request, round_id: int, filters: Query[RoundQuery]):
    round_ = get_round_for_user(request.user, round_id)
    unit = _unit_in_round(request, round_, filters.unit) if filters.unit is not None else None
    return _round_out(request, round_, unit)


# Reports -----------------------------------------------------------------------------------


@router.get("/reports", response=ReportPage, summary="A round's reports visible to the caller")
def list_reports(request, filters: Query[ReportQuery]):
    round_ = get_round_for_user(request.user, filters.round)
    unit = _unit_in_round(request, round_, filters.unit) if filters.unit is not None else None
    reports = queries.reports_in_round(
        request.user, round_, unit=unit, kind=filters.kind, state=filters.state
    )
    return page_dict(reports, filters.page, filters.page_size)


@router.get(
    "/reports/mine",
    response=ReportPage,
    summary="The caller's personal reports and the unit reports they write",
)
def list_my_reports(request, filters: Query[PageQuery]):
    return page_dict(queries.my_reports(request.user), filters.page, filters.page_size)


def _report_out(request, pk: int) -> Report:
    """The report as it now stands, with its answers and measures and what the caller may do."""
    user = request.user
    report = get_report_for_user(user, pk)
    report.answers_out = list(
        report.answers.select_related("item")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("owner").order_by("id"))
        )
        .order_by("item__dimension__order", "item__order")
    )
    report.items_total = actions.applicable_items(report).count()
    report.may_edit = may_edit(user, report) and not report.is_locked
    report.may_return = may_return(user, report) and report.state == ReportState.SUBMITTED
    return report


@router.get("/reports/{report_id}", response=ReportDetail)
def get_report(request, report_id: int):
    return _report_out(request, report_id)


def _owners(request, report: Report, payload: ReportIn) -> dict[int, Person]:
    """The people named as responsible, through the organisation's gate (404 for one the caller
    cannot see). A personal report's measures are the person's own, as on the page."""
    wanted = {m.owner_id for a in payload.answers for m in a.measures if m.owner_id is not None}
    if report.kind == ReportKind.PERSON:
        others = [
            f"item_{a.item_id}"
            for a in payload.answers
            if any(m.owner_id not in (None, report.person_id) for m in a.measures)
        ]
        if others:
            raise ValidationError(
                {key: _("A personal report's measures are the person's own.") for key in others}
            )
    if not wanted:
        return {}
    found = {
        person.pk: person
        for person in Person.objects.filter(
            scope.within(request.user, Perm.VIEW_ORG), pk__in=wanted
        ).select_related("unit")
    }
    if report.kind == ReportKind.PERSON and report.person is not None:
        found.setdefault(report.person.pk, report.person)
    if set(found) < wanted:
        raise Http404
    return found


@router.put(
    "/reports/{report_id}",
    response=ReportDetail,
    summary="Replace a draft's answers (version from the last read; 409 when stale)",
)
def save_report(request, report_id: int, payload: ReportIn):
    report = get_report_for_user(request.user, report_id, write=True)
    owners = _owners(request, report, payload)
    items = {item.pk: item for item in actions.applicable_items(report)}
    answers = [
        {
            # An id outside the round's catalogue goes to the action as it is: it says so.
            "item": items.get(answer.item_id, answer.item_id),
            "found": answer.found,
            "description": answer.description,
            "cause": answer.cause,
            "measures": [
                {
                    "text": measure.text,
                    "owner": owners[measure.owner_id] if measure.owner_id else None,
                    "deadline": measure.deadline,
                }
                for measure in answer.measures
            ],
        }
        for answer in payload.answers
    ]
    actions.save_report(request.user, report=report, version=payload.version, answers=answers)
    return _report_out(request, report.pk)


@router.post(
    "/reports/{report_id}/submit",
    response=ReportDetail,
    summary="Submit: the report locks and its measures enter the ledger",
)
def submit_report(request, report_id: int):
    report = get_report_for_user(request.user, report_id, write=True)
    actions.submit_report(request.user, report=report)
    return _report_out(request, report.pk)


@router.post(
    "/reports/{report_id}/return",
    response=ReportDetail,
    summary="Return a submitted report with comments",
)
def return_report(request, report_id: int, payload: ReturnIn):
    report = get_report_for_user(request.user, report_id)
    actions.return_report(request.user, report=report, comment=payload.comment)
    return _report_out(request, report.pk)


# Ledger and measures -----------------------------------------------------------------------


@router.get(
    "/ledger",
    response=LedgerPage,
    summary="The rectification ledger: live measures visible to the caller, with live colours",
)
def ledger(request, filters: Query[LedgerQuery]):
    _require(request, SelfcheckPerm.VIEW)
    if filters.round is not None:
        round_ = get_round_for_user(request.user, filters.round)
    else:
        round_ = rounds_visible_to(request.user).order_by("-opened_on", "-id").first()
        if round_ is None:
            return {"round_id": None, **page_dict(Measure.objects.none(), 1, filters.page_size)}
    items = Item.objects.filter(dimension__catalogue_id=round_.catalogue_id)
    if filters.dimension is not None and not items.filter(dimension_id=filters.dimension).exists():
        raise Http404
    if filters.item is not None and not items.filter(pk=filters.item).exists():
        raise Http404
    ledger_filters = queries.LedgerFilters(
        unit=_unit_in_round(request, round_, filters.unit) if filters.unit is not None else None,
        dimension=filters.dimension,
        item=filters.item,
        state=filters.state,
        bucket=filters.bucket,
        colour=filters.colour,
        owner=filters.owner,
        q=filters.q.strip(),
    )
    result = page_dict(
        IdsFirst(
            queries.ledger(request.user, round_, ledger_filters),
            queries.ledger_count(request.user, round_, ledger_filters),
        ),
        filters.page,
        filters.page_size,
    )
    today = actions.today()
    for measure in result["items"]:
        measure.round = round_
        annotate(measure, today)
    return {"round_id": round_.pk, **result}


def _measure_out(request, pk: int) -> Measure:
    """The measure as it now stands, with its live colour, evidence and finding."""
    user = request.user
    measure = annotate(get_measure_for_user(user, pk), actions.today())
    report = measure.answer.report
    visible = reports_visible_to(user).filter(pk=report.pk).exists()
    measure.report_id = report.pk if visible else None
    measure.finding_description = measure.answer.description if visible else None
    measure.finding_cause = measure.answer.cause if visible else None
    measure.evidence_out = list(measure.evidence.order_by("id"))
    person = own_person(user)
    measure.may_work = measure.is_open and (
        (person is not None and measure.owner_id == person.pk)
        or scope.can(user, SelfcheckPerm.REPORT, measure.unit)
    )
    measure.may_check = (
        measure.state == MeasureState.COMPLETED
        and scope.can(user, SelfcheckPerm.VERIFY, measure.unit)
        and measure.completed_by_id != user.pk
    )
    return measure


@router.get("/measures/{measure_id}", response=MeasureDetail)
def get_measure(request, measure_id: int):
    return _measure_out(request, measure_id)


@router.post("/measures/{measure_id}/progress", response=MeasureDetail)
def measure_progress(request, measure_id: int, payload: MeasureProgressIn):
    measure = get_measure_for_user(request.user, measure_id)
    actions.report_measure_progress(
        request.user, measure=measure, progress=payload.progress, note=payload.note
    )
    return _measure_out(request, measure.pk)


def _complete(request, measure_id: int, note: str, files) -> Measure:
    measure = get_measure_for_user(request.user, measure_id)
    actions.complete_measure(request.user, measure=measure, note=note, files=files)
    return _measure_out(request, measure.pk)


@router.post(
    "/measures/{measure_id}/complete",
    response=MeasureDetail,
    summary="Report a measure done (JSON; evidence files go to /complete/upload)",
)
def complete_measure(request, measure_id: int, payload: CompleteIn):
    return _complete(request, measure_id, payload.note, ())


@router.post(
    "/measures/{measure_id}/complete/upload",
    response=MeasureDetail,
    summary="Report a measure done with evidence files (multipart/form-data)",
)
def complete_measure_with_files(
    request,
    measure_id: int,
    payload: Form[CompleteIn],
    files: File[list[UploadedFile]] = None,
):
    return _complete(request, measure_id, payload.note, files or ())


@router.post(
    "/measures/{measure_id}/verify",
    response=MeasureDetail,
    summary="Verify a completed measure (never by the person who completed it)",
)
def verify_measure(request, measure_id: int):
    measure = get_measure_for_user(request.user, measure_id)
    actions.verify_measure(request.user, measure=measure)
    return _measure_out(request, measure.pk)


@router.post(
    "/measures/{measure_id}/reject",
    response=MeasureDetail,
    summary="Reject a completed measure with a reason; it reopens",
)
def reject_measure(request, measure_id: int, payload: RejectIn):
    measure = get_measure_for_user(request.user, measure_id)
    actions.reject_measure(request.user, measure=measure, reason=payload.reason)
    return _measure_out(request, measure.pk)
