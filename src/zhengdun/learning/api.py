"""The learning API: study sessions and their attendance, talk rounds' completion, courses.

A thin adapter over the same gates, queries and actions as the pages: a session outside the
caller's scope is missing (404); a caller who sees it but may not plan gets 403 on a write; the
actions' validation errors are 400; malformed input is 422.
"""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhengdun.core.pagination import clamp, page_dict
from zhengdun.learning import actions, queries
from zhengdun.learning.models import Session
from zhengdun.learning.permissions import (
    LearningPerm,
    get_session_for_user,
    get_talk_round_for_user,
)
from zhengdun.org import scope

router = Router(tags=["learning"])

SubjectCode = Literal["party", "law", "deployment"]
StatusCode = Literal["present", "excused", "absent"]


class SessionOut(Schema):
    id: int
    unit_id: int
    unit: str
    course_id: int | None
    topic: str
    subject: str
    held_on: date
    hours: Decimal
    speaker: str
    present: int
    excused: int
    absent: int  # marked absent, or on the roster and not marked once the day has passed
    expected: int  # present + absent: the rate's denominator
    marked: int


class SessionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SessionOut]


class SessionIn(Schema):
    unit_id: int
    topic: str = Field(max_length=200)
    subject: SubjectCode
    held_on: date
    hours: Decimal = Field(gt=0, le=24)
    speaker: str = Field("", max_length=60)


class SessionQuery(Schema):
    unit_id: int | None = None
    subject: SubjectCode | None = None
    start: date | None = None
    end: date | None = None
    page: int = 1
    page_size: int = 25


class Mark(Schema):
    person_id: int
    status: StatusCode


class AttendanceIn(Schema):
    marks: list[Mark] = Field(max_length=2000)


class AttendanceRow(Schema):
    person_id: int
    name: str
    status: str


class AttendanceOut(Schema):
    session_id: int
    present: int
    excused: int
    absent: int
    rows: list[AttendanceRow]


class UnitCompletionOut(Schema):
    unit_id: int
    unit: str
    people: int
    written: int
    commented: int
    missing: int


def _out(session: Session) -> dict:
    return {
        "id": session.pk,
        "unit_id": session.unit_id,
        "unit": session.unit.name,
        "course_id": session.course_id,
        "topic": session.topic,
        "subject": session.subject,
        "held_on": session.held_on,
        "hours": session.hours,
        "speaker": session.speaker,
        "present": getattr(session, "present", 0),
        "excused": getattr(session, "excused", 0),
        "absent": getattr(session, "absent", 0),
        "expected": getattr(session, "expected", 0),
        "marked": getattr(session, "marked", 0),
    }


def _unit(user, pk: int, perm: str):
    unit = scope.units(user, perm).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


@router.get("/sessions", response=SessionPage, summary="Study sessions the caller may see")
def list_sessions(request, filters: Query[SessionQuery]):
    user = request.user
    under = _unit(user, filters.unit_id, LearningPerm.VIEW) if filters.unit_id else None
    sessions = queries.session_list(
        user, under=under, subject=filters.subject or "", start=filters.start, end=filters.end
    )
    result = page_dict(sessions, filters.page, filters.page_size)
    result["items"] = [_out(session) for session in result["items"]]
    return result


@router.post("/sessions", response={201: SessionOut}, summary="Record a study session")
def create_session(request, payload: SessionIn):
    user = request.user
    unit = _unit(user, payload.unit_id, LearningPerm.VIEW)
    session = actions.save_session(
        user,
        unit=unit,
        topic=payload.topic,
        subject=payload.subject,
        held_on=payload.held_on,
        hours=payload.hours,
        speaker=payload.speaker,
    )
    return Status(201, _out(queries.session_list(user, courses=None).get(pk=session.pk)))


@router.get("/sessions/{session_id}", response=SessionOut, summary="One study session")
def get_session(request, session_id: int):
    get_session_for_user(request.user, session_id)
    return _out(queries.session_list(request.user, courses=None).get(pk=session_id))


def _attendance_out(session: Session) -> dict:
    rows = [
        {"person_id": person.pk, "name": person.name, "status": status}
        for person, status in queries.attendance_sheet(session)
    ]
    counts = {key: sum(1 for row in rows if row["status"] == key) for key in StatusCode.__args__}
    return {"session_id": session.pk, "rows": rows, **counts}


@router.get(
    "/sessions/{session_id}/attendance",
    response=AttendanceOut,
    summary="The session's roll and marks (for those who plan it)",
)
def get_attendance(request, session_id: int):
    session = get_session_for_user(request.user, session_id, write=True)
    return _attendance_out(session)


@router.post(
    "/sessions/{session_id}/attendance",
    response=AttendanceOut,
    summary="Mark people present, excused or absent (a mark replaces the earlier one)",
)
def record_attendance(request, session_id: int, payload: AttendanceIn):
    session = get_session_for_user(request.user, session_id, write=True)
    actions.record_attendance(
        request.user,
        session=session,
        marks={mark.person_id: mark.status for mark in payload.marks},
    )
    return _attendance_out(session)


class CompletionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[UnitCompletionOut]


class PageQuery(Schema):
    page: int = 1
    page_size: int = 25


@router.get(
    "/talk-rounds/{round_id}/completion",
    response=CompletionPage,
    summary="Talks written, commented and missing by unit, a page of units at a time",
)
def talk_completion(request, round_id: int, paging: Query[PageQuery]):
    round_ = get_talk_round_for_user(request.user, round_id)
    rows = queries.talk_completion(round_, request.user)  # three queries, whatever the units
    page, page_size = clamp(paging.page, paging.page_size)
    start = (page - 1) * page_size
    return {
        "count": len(rows),
        "page": page,
        "page_size": page_size,
        "items": [
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "people": row.people,
                "written": row.written,
                "commented": row.commented,
                "missing": row.missing,
            }
            for row in rows[start : start + page_size]
        ],
    }
