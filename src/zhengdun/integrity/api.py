"""The clue API: a thin adapter over the same gates, queries and actions as the pages.

A clue the caller may not see answers 404 exactly like a missing one, on every operation; a
caller who sees it but may not make a change gets 403; invalid input 400 (malformed 422). The
list carries no content of a clue; reading one (``GET /clues/{id}``) is audited like the page.
"""

from datetime import date
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhengdun.core.pagination import page_dict
from zhengdun.integrity import actions, queries, rules
from zhengdun.integrity.models import Clue, ReporterIdentity
from zhengdun.integrity.permissions import (
    get_clue_for_user,
    handler_role,
    is_head,
    may_register,
    may_see_any,
)
from zhengdun.org.models import Person, Unit

router = Router(tags=["integrity"])

MAX_SUBJECTS = 50


class ClueOut(Schema):
    id: int
    number: str
    source: str
    source_label: str
    received_on: date
    category: str
    state: str
    state_label: str
    mode: str
    due_on: date
    ack_due: date | None
    acknowledged_on: date | None
    contact_due: date | None
    contacted_on: date | None
    disposition: str
    concluded_on: date | None
    colour: str
    reason: str
    version: int

    @staticmethod
    def resolve_source_label(obj: Clue) -> str:
        return str(obj.get_source_display())

    @staticmethod
    def resolve_state_label(obj: Clue) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_colour(obj: Clue) -> str:
        return rules.colour_of(obj, actions.today())[0]

    @staticmethod
    def resolve_reason(obj: Clue) -> str:
        return rules.describe(rules.colour_of(obj, actions.today())[1])


class SubjectOut(Schema):
    id: int
    name: str


class HandlerOut(Schema):
    username: str
    role: str
    active: bool


class EntryOut(Schema):
    id: int
    kind: str
    occurred_on: date
    text: str
    by: str | None


class DuplicateOut(Schema):
    id: int
    number: str
    reasons: list[str]


class ClueDetail(ClueOut):
    summary: str
    subjects_text: str
    subject_persons: list[SubjectOut]
    subject_units: list[SubjectOut]
    named_reporter: bool
    handlers: list[HandlerOut]
    entries: list[EntryOut]
    duplicates: list[DuplicateOut]
    conclusion: str
    case_number: str | None
    my_role: str | None

    # The detail view sets ``detail`` (a dict) on the clue: what is not a column of its own.
    @staticmethod
    def resolve_subject_persons(obj: Clue) -> list:
        return obj.detail["subject_persons"]

    @staticmethod
    def resolve_subject_units(obj: Clue) -> list:
        return obj.detail["subject_units"]

    @staticmethod
    def resolve_named_reporter(obj: Clue) -> bool:
        return obj.detail["named_reporter"]

    @staticmethod
    def resolve_handlers(obj: Clue) -> list:
        return obj.detail["handlers"]

    @staticmethod
    def resolve_entries(obj: Clue) -> list:
        return obj.detail["entries"]

    @staticmethod
    def resolve_duplicates(obj: Clue) -> list:
        return obj.detail["duplicates"]

    @staticmethod
    def resolve_case_number(obj: Clue) -> str | None:
        return obj.detail["case_number"]

    @staticmethod
    def resolve_my_role(obj: Clue) -> str | None:
        return obj.detail["my_role"]


class CluePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ClueOut]


class ClueQuery(Schema):
    state: Literal["", "registered", "triaged", "verifying", "concluded", "archived"] = ""
    source: str = Field("", max_length=20)
    category: str = Field("", max_length=20)
    colour: Literal["", "red", "yellow", "green"] = ""
    q: str = Field("", max_length=40)
    page: int = 1
    page_size: int = 50


class ClueIn(Schema):
    source: str
    received_on: date
    category: str
    summary: str = Field(..., max_length=20_000)
    subjects_text: str = Field("", max_length=2_000)
    subject_person_ids: list[int] = Field(default_factory=list, max_length=MAX_SUBJECTS)
    subject_unit_ids: list[int] = Field(default_factory=list, max_length=MAX_SUBJECTS)
    reporter_name: str = Field("", max_length=100)
    reporter_contact: str = Field("", max_length=200)


class CluePatch(Schema):
    version: int | None = None
    category: str | None = None
    summary: str | None = Field(None, max_length=20_000)
    subjects_text: str | None = Field(None, max_length=2_000)
    subject_person_ids: list[int] | None = Field(None, max_length=MAX_SUBJECTS)
    subject_unit_ids: list[int] | None = Field(None, max_length=MAX_SUBJECTS)


class Registered(Schema):
    number: str


class ConcludeIn(Schema):
    disposition: str
    conclusion: str = Field(..., max_length=20_000)


def _persons(ids: list[int]) -> list[Person]:
    found = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("unit")}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"subject_person_ids": _("Unknown person: %(ids)s") % {"ids": missing}}
        )
    return [found[pk] for pk in ids]


def _units(ids: list[int]) -> list[Unit]:
    found = {u.pk: u for u in Unit.objects.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({"subject_unit_ids": _("Unknown unit: %(ids)s") % {"ids": missing}})
    return [found[pk] for pk in ids]


def _detail(request, clue: Clue) -> Clue:
    user = request.user
    persons, units = queries.subjects(clue)
    case = getattr(clue, "case", None)
    clue.detail = {
        "subject_persons": [{"id": p.pk, "name": p.name} for p in persons],
        "subject_units": [{"id": u.pk, "name": u.name} for u in units],
        "named_reporter": ReporterIdentity.objects.filter(clue=clue).exists(),
        "handlers": [
            {"username": h.user.get_username(), "role": h.role, "active": h.active}
            for h in queries.handlers(clue)
        ],
        "entries": [
            {
                "id": e.pk,
                "kind": e.kind,
                "occurred_on": e.occurred_on,
                "text": e.text,
                "by": e.created_by.get_username() if e.created_by_id else None,
            }
            for e in queries.entries(clue)
        ],
        "duplicates": [
            {"id": d.clue.pk, "number": d.clue.number, "reasons": d.reasons}
            for d in queries.duplicates(user, clue)
        ],
        "case_number": case.number if case is not None else None,
        "my_role": "head" if is_head(user) else handler_role(user, clue),
    }
    return clue


def _read(request, pk: int) -> Clue:
    clue = get_clue_for_user(request.user, pk)
    actions.record_read(request.user, clue=clue, via="api")
    return _detail(request, clue)


@router.get("/clues", response=CluePage, summary="The caller's need-to-know clues (no content)")
def list_clues(request, filters: Query[ClueQuery]):
    user = request.user
    if not (may_register(user) or may_see_any(user)):
        raise Http404
    rows = queries.clues(
        user,
        queries.ClueFilters(
            state=filters.state,
            source=filters.source,
            category=filters.category,
            colour=filters.colour,
            q=filters.q.strip(),
        ),
    )
    return page_dict(rows, filters.page, filters.page_size)


@router.post(
    "/clues",
    response={201: ClueDetail, 202: Registered},
    summary="Register a clue (hotline, letter, visit, internal source)",
)
def create_clue(request, payload: ClueIn):
    user = request.user
    if not may_register(user):
        raise Http404
    clue = actions.register_clue(
        user,
        source=payload.source,
        received_on=payload.received_on,
        category=payload.category,
        summary=payload.summary,
        subjects_text=payload.subjects_text,
        subject_persons=_persons(payload.subject_person_ids),
        subject_units=_units(payload.subject_unit_ids),
        reporter_name=payload.reporter_name,
        reporter_contact=payload.reporter_contact,
    )
    try:
        return Status(201, _read(request, clue.pk))
    except Http404:
        # Registered by staff outside the need-to-know: they learn the number only.
        return Status(202, {"number": clue.number})


@router.get("/clues/{clue_id}", response=ClueDetail, summary="A clue (the read is audited)")
def get_clue(request, clue_id: int):
    return _read(request, clue_id)


@router.patch("/clues/{clue_id}", response=ClueDetail, summary="Correct a clue")
def patch_clue(request, clue_id: int, payload: CluePatch):
    clue = get_clue_for_user(request.user, clue_id)
    actions.update_clue(
        request.user,
        clue=clue,
        version=payload.version,
        category=payload.category,
        summary=payload.summary,
        subjects_text=payload.subjects_text,
        subject_persons=_persons(payload.subject_person_ids)
        if payload.subject_person_ids is not None
        else None,
        subject_units=_units(payload.subject_unit_ids)
        if payload.subject_unit_ids is not None
        else None,
    )
    return _read(request, clue.pk)


@router.post(
    "/clues/{clue_id}/conclude", response=ClueDetail, summary="Conclude with a disposition"
)
def conclude_clue(request, clue_id: int, payload: ConcludeIn):
    clue = get_clue_for_user(request.user, clue_id)
    actions.conclude(
        request.user, clue=clue, disposition=payload.disposition, conclusion=payload.conclusion
    )
    return _read(request, clue.pk)
