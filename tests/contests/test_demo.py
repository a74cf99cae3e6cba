"""The demo: loaded after the organisation, campaign and exams demos; loading twice changes
nothing; the essay contest's prizes are campaign incentives; one quiz finished, one ready."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from zhengdun.campaigns import demo as campaign_demo
from zhengdun.campaigns.models import Incentive
from zhengdun.learning.contests import demo, queries
from zhengdun.learning.contests.models import (
    Award,
    Contest,
    ContestState,
    DrillPlan,
    Result,
    RoundState,
)
from zhengdun.learning.exams.models import Question, QuestionKind
from zhengdun.org import demo as org_demo


def _bank() -> None:
    """A small bank at the city bureau (the exams app's own demo bank is tested there)."""
    from zhengdun.org.models import Unit

    city = Unit.objects.get(code="MS")
    for number in range(12):
        Question.objects.create(
            unit=city,
            unit_path=city.path,
            kind=QuestionKind.TRUE_FALSE,
            text=f"判断题{number}",
            answer=[number % 2 == 0],
        )


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            org_demo.load()
            admin = get_user_model().objects.get(username="admin")
            campaign_demo.load(admin)
            _bank()
            demo.load(admin)
            yield admin
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def admin(loaded, db):
    return loaded


def test_drill_plan_with_five_subjects_and_failures(admin):
    plan = DrillPlan.objects.get(name=demo.PLAN_NAME)
    assert plan.subjects.count() == 5
    results = Result.objects.filter(subject__plan=plan)
    assert results.count() > 200
    assert results.filter(passed=False).exists() and results.filter(excellent=True).exists()
    rows = queries.unit_rates(plan, plan.unit, list(plan.subjects.all()))
    assert any(row.untested for row in rows)


def test_competitions_rank_the_county_bureaus(admin):
    plan = DrillPlan.objects.get(name=demo.PLAN_NAME)
    standings = queries.unit_ranking(plan)
    counties = [s for s in standings if s.entries]
    assert len(counties) == 8 and counties[0].place == 1 and counties[0].points > 0


def test_essay_judged_by_five_with_prizes_as_incentives(admin):
    essay = Contest.objects.get(name=demo.ESSAY)
    assert essay.state == ContestState.CLOSED and essay.judges.count() == 5
    awards = Award.objects.filter(entry__contest=essay)
    assert awards.filter(tier="first").count() == 1
    assert Incentive.objects.filter(pk__in=awards.values("incentive")).count() == 6
    assert all(row.judges == 5 for row in queries.ranking(essay))


def test_quizzes_finished_and_ready(admin):
    done = Contest.objects.get(name=demo.QUIZ_DONE)
    assert done.state == ContestState.CLOSED
    assert {row.score for row in queries.ranking(done)} != {0}
    live = Contest.objects.get(name=demo.QUIZ_LIVE)
    assert live.state == ContestState.RUNNING
    assert not live.questions.exclude(state=RoundState.WAITING).exists()


def test_loading_twice_changes_nothing(admin):
    before = (Result.objects.count(), Contest.objects.count(), Incentive.objects.count())
    demo.load(admin)
    assert (Result.objects.count(), Contest.objects.count(), Incentive.objects.count()) == before
