"""The exams API: exams open to the caller, the question bank, starting, autosaving and
handing in attempts, results.

A thin adapter over the same gates, queries and actions as the pages. An attempt is its
person's alone (404 for anyone else); before it is graded no payload carries a correct answer
or a mark. Answers after the deadline get 409 with a message.
"""

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status

from zhengdun.core.pagination import clamp, page_dict
from zhengdun.learning.exams import actions, queries
from zhengdun.learning.exams.models import Attempt, Exam, Tag, TagKind
from zhengdun.learning.exams.permissions import (
    ExamPerm,
    get_attempt_for_user,
    get_exam_for_user,
    may_see_results,
    person_of,
    questions_visible_to,
)
from zhengdun.org import scope

router = Router(tags=["exams"])


class ExamOut(Schema):
    id: int
    title: str
    description: str
    opens_at: datetime
    closes_at: datetime
    time_limit: int
    pass_mark: int
    attempts_allowed: int
    attempts_used: int = 0
    best_percent: float | None = None
    passed: bool | None = None
    attempt_in_progress: int | None = None


class TagIn(Schema):
    kind: Literal["chapter", "law", "difficulty", "topic"]
    name: str


class TagOut(Schema):
    id: int
    kind: str
    name: str


class QuestionIn(Schema):
    unit_id: int
    kind: Literal["single", "multiple", "true_false", "fill"]
    text: str
    options: list[str] = []
    answer: list[Any]
    explanation: str = ""
    tags: list[TagIn] = []


class QuestionOut(Schema):
    id: int
    unit_id: int
    kind: str
    text: str
    options: list[str]
    answer: list[Any]
    explanation: str
    is_active: bool
    version: int
    tags: list[TagOut]


class QuestionPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[QuestionOut]


class OptionOut(Schema):
    value: int
    label: str
    text: str


class ItemOut(Schema):
    id: int
    number: int
    kind: str
    points: int
    text: str
    options: list[OptionOut]
    answer: Any = None
    # Present only once the attempt is graded.
    correct: bool | None = None
    key_text: str | None = None
    explanation: str | None = None


class AttemptOut(Schema):
    id: int
    exam_id: int
    number: int
    state: str
    started_at: datetime
    deadline: datetime
    seconds_left: int
    revision: int
    items: list[ItemOut]
    score: int | None = None
    max_score: int
    percent: float | None = None
    passed: bool | None = None


class AnswersIn(Schema):
    answers: dict[str, Any]


class SubmitIn(Schema):
    answers: dict[str, Any] = {}


class SavedOut(Schema):
    revision: int
    seconds_left: int
    answered: int


class Message(Schema):
    detail: str


class UnitResultOut(Schema):
    unit_id: int
    name: str
    audience: int
    taken: int
    not_taken: int
    passed: int
    pass_rate: float | None
    average: float | None


class PersonResultOut(Schema):
    person_id: int
    name: str
    unit: str
    attempts: int
    best_percent: float | None
    passed: bool | None


class ResultsOut(Schema):
    exam_id: int
    totals: dict[str, Any]
    units: list[UnitResultOut]
    count: int
    page: int
    page_size: int
    people: list[PersonResultOut]


def _exam_out(exam: Exam, mine: list[Attempt]) -> dict:
    graded = [a for a in mine if a.state in queries.GRADED]
    best = max(graded, key=lambda a: a.percent or 0, default=None)
    current = next((a.pk for a in mine if a.is_open), None)
    return {
        "id": exam.pk,
        "title": exam.title,
        "description": exam.description,
        "opens_at": exam.opens_at,
        "closes_at": exam.closes_at,
        "time_limit": exam.time_limit,
        "pass_mark": exam.pass_mark,
        "attempts_allowed": exam.attempts_allowed,
        "attempts_used": len(mine),
        "best_percent": float(best.percent) if best else None,
        "passed": any(a.passed for a in graded) if graded else None,
        "attempt_in_progress": current,
    }


def attempt_out(attempt: Attempt) -> dict:
    return {
        "id": attempt.pk,
        "exam_id": attempt.exam_id,
        "number": attempt.number,
        "state": attempt.state,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "seconds_left": attempt.seconds_left() if attempt.is_open else 0,
        "revision": attempt.revision,
        "items": queries.paper(attempt),
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": float(attempt.percent) if attempt.percent is not None else None,
        "passed": attempt.passed,
    }


class ExamPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ExamOut]


@router.get("/exams", response=ExamPage)
def open_exams(request, page: int = 1, page_size: int = 50):
    """The exams open now to the caller, with their own attempts, a page at a time."""
    person = person_of(request.user)
    page, page_size = clamp(page, page_size)
    result = page_dict(queries.open_exams_for_person(person), page, page_size)
    mine = queries.my_attempts(person, result["items"])
    result["items"] = [_exam_out(exam, mine.get(exam.pk, [])) for exam in result["items"]]
    return result


@router.get("/questions", response=QuestionPage)
def question_list(
    request,
    kind: str = "",
    tag: int | None = None,
    q: str = "",
    page: int = 1,
    page_size: int = 50,
):
    if not scope.holds(request.user, ExamPerm.BANK):
        raise Http404
    page, page_size = clamp(page, page_size)
    qs = queries.questions_filtered(questions_visible_to(request.user), kind=kind, tag=tag, text=q)
    result = page_dict(qs.order_by("-id"), page, page_size)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(result["items"], "tags")
    result["items"] = [_question_out(question) for question in result["items"]]
    return result


def _question_out(question) -> dict:
    return {
        "id": question.pk,
        "unit_id": question.unit_id,
        "kind": question.kind,
        "text": question.text,
        "options": question.options,
        "answer": question.answer,
        "explanation": question.explanation,
        "is_active": question.is_active,
        "version": question.version,
        "tags": [{"id": t.pk, "kind": t.kind, "name": t.name} for t in question.tags.all()],
    }


@router.post("/questions", response={201: QuestionOut})
def question_create(request, payload: QuestionIn):
    if not scope.holds(request.user, ExamPerm.BANK):
        raise Http404
    unit = scope.units(request.user, ExamPerm.BANK).filter(pk=payload.unit_id).first()
    if unit is None:
        raise Http404
    data = actions.QuestionData(
        kind=payload.kind,
        text=payload.text,
        options=payload.options,
        answer=payload.answer,
        explanation=payload.explanation,
        tags=[(t.kind, t.name) for t in payload.tags],
    )
    question = actions.create_question(request.user, unit=unit, data=data)
    return Status(201, _question_out(question))


@router.get("/tags", response=list[TagOut])
def tag_list(request, kind: str = ""):
    if not scope.holds(request.user, ExamPerm.BANK):
        raise Http404
    tags = Tag.objects.all()
    if kind in TagKind.values:
        tags = tags.filter(kind=kind)
    return list(tags[:500])


@router.post("/exams/{exam_id}/start", response={200: AttemptOut, 400: Message})
def start(request, exam_id: int):
    """Start an attempt, or resume the one in progress."""
    exam = get_exam_for_user(request.user, exam_id)
    if person_of(request.user) is None:
        raise Http404
    try:
        attempt = actions.start_attempt(request.user, exam=exam)
    except PermissionDenied:
        raise Http404 from None  # not in the audience: as if the exam did not exist
    return attempt_out(attempt)


@router.get("/attempts/{attempt_id}", response=AttemptOut)
def attempt_detail(request, attempt_id: int):
    """The caller's attempt: saved answers and the time left (for resuming)."""
    attempt = get_attempt_for_user(request.user, attempt_id)
    if attempt.is_open and attempt.deadline <= timezone.now():
        actions.close_attempt(attempt)
        attempt = get_attempt_for_user(request.user, attempt_id)
    return attempt_out(attempt)


@router.put("/attempts/{attempt_id}/answers", response={200: SavedOut, 409: Message})
def save_answers(request, attempt_id: int, payload: AnswersIn):
    """Autosave one answer or all: {"answers": {"<question id>": answer}}; null clears one."""
    try:
        attempt = actions.save_answers(request.user, attempt_id, payload.answers)
    except actions.AttemptClosed as closed:
        return Status(409, {"detail": closed.messages[0]})
    return {
        "revision": attempt.revision,
        "seconds_left": attempt.seconds_left(),
        "answered": len(attempt.answers),
    }


@router.post("/attempts/{attempt_id}/submit", response=AttemptOut)
def submit(request, attempt_id: int, payload: SubmitIn | None = None):
    """Hand in (with any last answers) and get the graded attempt."""
    attempt = get_attempt_for_user(request.user, attempt_id)
    attempt = actions.submit_attempt(
        request.user, attempt, answers=payload.answers if payload else None
    )
    return attempt_out(attempt)


class ResultsQuery(Schema):
    page: int = 1
    page_size: int = 50


@router.get("/exams/{exam_id}/results", response=ResultsOut)
def results(request, exam_id: int, filters: Query[ResultsQuery]):
    """Results per unit and per person, for the units whose results the caller may read."""
    exam = get_exam_for_user(request.user, exam_id)
    if not scope.holds(request.user, ExamPerm.RESULTS) or not may_see_results(request.user, exam):
        raise Http404
    units = queries.unit_results(request.user, exam)
    page, page_size = clamp(filters.page, filters.page_size)
    people = queries.people_in_results_scope(request.user, exam).order_by(
        "unit__path", "name", "id"
    )
    chunk = page_dict(people.select_related("unit"), page, page_size)
    best = queries.best_results(chunk["items"], exam)
    counts = queries.attempt_counts(chunk["items"], exam)
    return {
        "exam_id": exam.pk,
        "totals": queries.totals(units),
        "units": units,
        "count": chunk["count"],
        "page": chunk["page"],
        "page_size": chunk["page_size"],
        "people": [
            {
                "person_id": p.pk,
                "name": p.name,
                "unit": p.unit.name,
                "attempts": counts.get(p.pk, 0),
                "best_percent": float(best[p.pk].percent) if p.pk in best else None,
                "passed": best[p.pk].passed if p.pk in best else None,
            }
            for p in chunk["items"]
        ],
    }
