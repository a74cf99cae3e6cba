"""The drills and contests API (under /api/v1/learning): plans, their pass rates, results and
competition rankings; contests, a judge's scores, rankings and the live round.

A thin adapter over the same gates, queries and actions as the pages: hidden looks like missing
(404; a county liaison naming another county's officer gets 404), the actions check permission
(403) and validate (400); malformed input is 422. A judge reads only their own scores until the
contest is closed; the screen endpoint carries a question's answer only once revealed."""

from datetime import date
from decimal import Decimal

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhengdun.core.pagination import IdsFirst, clamp, page_dict
from zhengdun.learning.contests import actions, queries
from zhengdun.learning.contests.models import Entry, RoundState
from zhengdun.learning.contests.permissions import (
    contests_visible_to,
    get_contest_for_user,
    get_person_to_record,
    get_plan_for_user,
    judge_of,
    plans_visible_to,
)
from zhengdun.learning.exams.actions import letters

router = Router(tags=["Contests"])


class PageQuery(Schema):
    page: int = 1
    page_size: int = 50


# Drills ------------------------------------------------------------------------------------


class PlanOut(Schema):
    id: int
    name: str
    unit: str
    starts_on: date
    ends_on: date
    campaign_id: int | None

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.name


class PlanPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PlanOut]


class RateOut(Schema):
    tested: int
    passed: int
    excellent: int
    pass_rate: float | None


class SubjectOut(Schema):
    id: int
    name: str
    category: str
    measure: str
    direction: str
    pass_mark: Decimal | None
    excellent_mark: Decimal | None
    rate: RateOut | None = None


class UnitRateOut(Schema):
    unit_id: int
    unit: str
    own_staff_only: bool
    people: int
    untested: int
    total: RateOut
    by_subject: dict[int, RateOut]


class PlanDetail(Schema):
    id: int
    name: str
    unit: str
    starts_on: date
    ends_on: date
    campaign_id: int | None
    subjects: list[SubjectOut]
    units: list[UnitRateOut]


def _rate(rate) -> dict:
    return {
        "tested": rate.tested,
        "passed": rate.passed,
        "excellent": rate.excellent,
        "pass_rate": rate.pass_rate,
    }


@router.get("/drills", response=PlanPage, summary="Drill plans covering the caller's units")
def list_plans(request, q: Query[PageQuery]):
    page, size = clamp(q.page, q.page_size)
    plans = plans_visible_to(request.user).select_related("unit").order_by("-starts_on", "-id")
    return page_dict(IdsFirst(plans), page, size)


@router.get(
    "/drills/{plan_id}",
    response=PlanDetail,
    summary="A plan: its standards and pass rates by unit (children of ?unit, or the plan's)",
)
def plan_detail(request, plan_id: int, unit: int | None = None):
    from zhengdun.org.models import Unit

    plan = get_plan_for_user(request.user, plan_id)
    asked = None
    if unit is not None:
        asked = Unit.objects.filter(pk=unit).first()
        if asked is None:
            raise Http404
    root = queries.drill_root(request.user, plan, asked)
    if root is None:
        raise Http404
    subjects = list(plan.subjects.all())
    rates = queries.subject_rates(request.user, plan)
    rows = queries.unit_rates(plan, root, subjects)
    return {
        "id": plan.pk,
        "name": plan.name,
        "unit": plan.unit.name,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "campaign_id": plan.campaign_id,
        "subjects": [
            {
                **{f: getattr(s, f) for f in ("id", "name", "category", "measure", "direction")},
                "pass_mark": s.pass_mark,
                "excellent_mark": s.excellent_mark,
                "rate": _rate(rates[s.pk]) if s.pk in rates else None,
            }
            for s in subjects
        ],
        "units": [
            {
                "unit_id": row.unit.pk,
                "unit": row.unit.name,
                "own_staff_only": row.own,
                "people": row.people,
                "untested": row.untested,
                "total": _rate(row.total),
                "by_subject": {pk: _rate(rate) for pk, rate in row.by_subject.items()},
            }
            for row in rows
        ],
    }


class ResultOut(Schema):
    id: int
    subject_id: int
    person_id: int
    person: str = Field(alias="person.name")
    unit: str = Field(alias="unit.name")
    value: Decimal | None
    passed: bool
    excellent: bool
    tested_on: date


class ResultPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ResultOut]


@router.get(
    "/drills/{plan_id}/results", response=ResultPage, summary="Results in the caller's scope"
)
def list_results(
    request, plan_id: int, q: Query[PageQuery], subject: int | None = None, failed: bool = False
):
    plan = get_plan_for_user(request.user, plan_id)
    chosen = None
    if subject is not None:
        chosen = plan.subjects.filter(pk=subject).first()
        if chosen is None:
            raise Http404
    page, size = clamp(q.page, q.page_size)
    results = queries.result_list(request.user, plan, subject=chosen, failed=failed)
    return page_dict(IdsFirst(results), page, size)


class ResultIn(Schema):
    subject_id: int
    person_id: int
    value: Decimal | None = None
    passed: bool | None = None
    tested_on: date | None = None
    note: str = Field("", max_length=200)


@router.post(
    "/drills/{plan_id}/results",
    response={201: ResultOut, 200: ResultOut},
    summary="Record (or correct) a person's result",
)
def record_result(request, plan_id: int, payload: ResultIn):
    plan = get_plan_for_user(request.user, plan_id)
    subject = plan.subjects.filter(pk=payload.subject_id).first()
    if subject is None:
        raise Http404
    person = get_person_to_record(request.user, plan, payload.person_id)
    result, created = actions.record_result(
        request.user,
        subject=subject,
        person=person,
        value=payload.value,
        passed=payload.passed,
        tested_on=payload.tested_on,
        note=payload.note,
    )
    return Status(201 if created else 200, result)


class StandingOut(Schema):
    place: int
    unit_id: int
    unit: str
    points: Decimal
    entries: int


class PlacedOut(Schema):
    place: int
    entry: str
    unit: str
    value: Decimal | None
    points: Decimal


class CompetitionOut(Schema):
    id: int
    name: str
    held_on: date
    ranking: list[PlacedOut]


class PlanRanking(Schema):
    units: list[StandingOut]
    competitions: list[CompetitionOut]


@router.get(
    "/drills/{plan_id}/ranking",
    response=PlanRanking,
    summary="Skills competitions: each ranking and the units by points",
)
def plan_ranking(request, plan_id: int):
    plan = get_plan_for_user(request.user, plan_id)
    competitions = plan.competitions.prefetch_related("entries__unit")
    return {
        "units": [
            {
                "place": s.place,
                "unit_id": s.unit.pk,
                "unit": s.unit.name,
                "points": s.points,
                "entries": s.entries,
            }
            for s in queries.unit_ranking(plan)
        ],
        "competitions": [
            {
                "id": c.pk,
                "name": c.name,
                "held_on": c.held_on,
                "ranking": [
                    {
                        "place": p.place,
                        "entry": p.name,
                        "unit": p.item.unit.name,
                        "value": p.value,
                        "points": p.points,
                    }
                    for p in queries.competition_ranking(c, c.entries.all(), viewer=request.user)
                ],
            }
            for c in competitions
        ],
    }


# Contests ------------------------------------------------------------------------------------


class ContestOut(Schema):
    id: int
    kind: str
    name: str
    unit: str = Field(alias="unit.name")
    state: str
    held_on: date


class ContestPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ContestOut]


@router.get("/contests", response=ContestPage, summary="Contests the caller sees or judges")
def list_contests(request, q: Query[PageQuery], kind: str = ""):
    page, size = clamp(q.page, q.page_size)
    contests = queries.contest_list(request.user, contests_visible_to(request.user), kind=kind)
    return page_dict(IdsFirst(contests), page, size)


class CriterionOut(Schema):
    id: int
    name: str
    weight: Decimal
    max_score: Decimal


class EntryOut(Schema):
    id: int
    title: str
    unit: str = Field(alias="unit.name")
    person: str | None = None

    @staticmethod
    def resolve_person(obj) -> str | None:
        return obj.person.name if obj.person else None


class ScoreOut(Schema):
    entry_id: int
    judge_id: int
    criterion_id: int
    value: Decimal


class ContestDetail(Schema):
    id: int
    kind: str
    name: str
    unit: str
    state: str
    held_on: date
    criteria: list[CriterionOut]
    entries: list[EntryOut]
    judges: list[str]
    is_judge: bool
    scores: list[ScoreOut]


@router.get(
    "/contests/{contest_id}",
    response=ContestDetail,
    summary="A contest; scores: the caller's own as a judge, everyone's once closed",
)
def contest_detail(request, contest_id: int):
    contest = get_contest_for_user(request.user, contest_id)
    judge = judge_of(request.user, contest)
    return {
        "id": contest.pk,
        "kind": contest.kind,
        "name": contest.name,
        "unit": contest.unit.name,
        "state": contest.state,
        "held_on": contest.held_on,
        "criteria": list(contest.criteria.all()),
        "entries": list(contest.entries.select_related("unit", "person")),
        "judges": [j.person.name for j in contest.judges.select_related("person")],
        "is_judge": judge is not None,
        "scores": list(queries.scores_for_viewer(request.user, contest, judge)),
    }


class ScoreIn(Schema):
    scores: dict[int, Decimal] = Field(..., description="criterion id → score")


@router.post(
    "/contests/{contest_id}/entries/{entry_id}/scores",
    response=list[ScoreOut],
    summary="A judge's scores for an entry (conflicts are refused and recorded: 400)",
)
def score_entry(request, contest_id: int, entry_id: int, payload: ScoreIn):
    contest = get_contest_for_user(request.user, contest_id)
    entry = Entry.objects.filter(pk=entry_id, contest=contest).select_related("unit").first()
    if entry is None or judge_of(request.user, contest) is None:
        raise Http404
    entry.contest = contest
    return actions.score_entry(request.user, entry=entry, values=payload.scores)


class RankedOut(Schema):
    place: int
    entry_id: int
    title: str
    unit: str
    score: Decimal | None
    judges: int


class RankingOut(Schema):
    visible: bool
    ranking: list[RankedOut]


@router.get(
    "/contests/{contest_id}/ranking",
    response=RankingOut,
    summary="The ranking (judged: trimmed mean of judges' totals; knowledge: points)",
)
def contest_ranking(request, contest_id: int):
    contest = get_contest_for_user(request.user, contest_id)
    visible = queries.may_see_all_scores(request.user, contest) or not contest.is_judged
    rows = queries.ranking(contest) if visible else []
    return {
        "visible": visible,
        "ranking": [
            {
                "place": r.place,
                "entry_id": r.entry.pk,
                "title": r.entry.title,
                "unit": r.entry.unit.name,
                "score": r.score,
                "judges": r.judges,
            }
            for r in rows
        ],
    }


class ScreenOut(Schema):
    number: int | None
    state: str | None
    text: str | None
    options: list[str]
    answer: list | None = Field(None, description="only once the host has revealed it")
    asked: int
    total: int


@router.get(
    "/contests/{contest_id}/screen",
    response=ScreenOut,
    summary="What the big screen shows; the answer only after it is revealed",
)
def screen(request, contest_id: int):
    contest = get_contest_for_user(request.user, contest_id)
    row = queries.current_question(contest)
    asked, total = queries.round_progress(contest)
    if row is None:
        return {
            "number": None,
            "state": None,
            "text": None,
            "options": [],
            "asked": asked,
            "total": total,
        }
    question = row.question
    return {
        "number": row.number,
        "state": row.state,
        "text": question.text,
        "options": [
            f"{letter}. {text}"
            for letter, text in zip(letters(len(question.options)), question.options, strict=True)
        ],
        "answer": question.answer if row.state == RoundState.REVEALED else None,
        "asked": asked,
        "total": total,
    }


@router.post(
    "/contests/{contest_id}/round/next", response=ScreenOut, summary="Show the next question"
)
def round_next(request, contest_id: int):
    contest = get_contest_for_user(request.user, contest_id, write=True)
    actions.show_next(request.user, contest=contest)
    return screen(request, contest_id)


@router.post("/contests/{contest_id}/round/reveal", response=ScreenOut, summary="Reveal the answer")
def round_reveal(request, contest_id: int):
    contest = get_contest_for_user(request.user, contest_id, write=True)
    actions.reveal(request.user, contest=contest)
    return screen(request, contest_id)


class AnswerIn(Schema):
    entry_id: int
    answer: str = Field("", max_length=200)
    correct: bool | None = None


class AnswerOut(Schema):
    entry_id: int
    correct: bool
    points: Decimal


@router.post(
    "/contests/{contest_id}/round/answers",
    response=AnswerOut,
    summary="A team's answer to the question on screen (host or judge)",
)
def round_answer(request, contest_id: int, payload: AnswerIn):
    contest = get_contest_for_user(request.user, contest_id)
    row = queries.current_question(contest)
    entry = contest.entries.filter(pk=payload.entry_id).first()
    if entry is None or row is None:
        raise Http404
    row.contest = contest
    return actions.record_answer(
        request.user, row=row, entry=entry, answer=payload.answer, correct=payload.correct
    )
