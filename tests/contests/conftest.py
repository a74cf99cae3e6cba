"""Drills and contests on the shared small tree (see tests/conftest.py): a city-wide plan with
two subjects, a campaign with its incentive levels, an essay contest with a rubric and a panel,
and a knowledge contest with two teams and questions from the bank."""

from datetime import date
from decimal import Decimal

import pytest

from tests.factories import PersonFactory
from zhengdun.campaigns import actions as campaign_actions
from zhengdun.learning.contests import actions
from zhengdun.learning.contests.models import ContestKind, ContestState, Direction, Measure
from zhengdun.learning.exams.models import Question, QuestionKind

START = date(2026, 11, 1)
END = date(2026, 12, 31)
ON = date(2026, 11, 20)


@pytest.fixture
def campaign(org):
    return campaign_actions.create_campaign(
        org.office,
        unit=org.city,
        name="教育整顿",
        start_date=START,
        end_date=date(2027, 1, 31),
    )


@pytest.fixture
def plan(org, campaign):
    return actions.create_plan(
        org.office,
        name="实战大练兵",
        unit=org.city,
        starts_on=START,
        ends_on=END,
        campaign=campaign,
    )


@pytest.fixture
def run_subject(org, plan):
    """3000 m run: lower is better, pass at 900 s, excellent at 780 s."""
    return actions.save_subject(
        org.office,
        plan=plan,
        name="3000米跑",
        category="fitness",
        measure=Measure.SECONDS,
        direction=Direction.LOWER,
        pass_mark="900",
        excellent_mark="780",
    )


@pytest.fixture
def law_subject(org, plan):
    """Legal knowledge: a score, pass at 60, excellent at 90."""
    return actions.save_subject(
        org.office,
        plan=plan,
        name="法律知识",
        category="law",
        measure=Measure.SCORE,
        direction=Direction.HIGHER,
        pass_mark="60",
        excellent_mark="90",
        order=1,
    )


@pytest.fixture
def judges(org):
    """Five judges from the department and county B (none from county A's stations)."""
    return [
        PersonFactory(name=f"评委{i}", unit=org.dept if i < 3 else org.county_b) for i in range(5)
    ]


def judge_user(person, username):
    from tests.factories import UserFactory

    user = UserFactory(username=username)
    person.user = user
    person.save(update_fields=["user"])
    return user


@pytest.fixture
def essay(org, campaign, judges):
    levels = {level.rank: level for level in campaign.incentive_levels.filter(side="reward")}
    contest = actions.create_contest(
        org.office,
        kind=ContestKind.ESSAY,
        name="“我为整顿献一策”征文",
        unit=org.city,
        held_on=ON,
        campaign=campaign,
        criteria=[("思想性", "0.4", "100"), ("文采", "0.6", "100")],
        judges=judges,
        award_rule={"first": 1, "second": 1, "third": 1},
        award_levels={"first": levels[3].pk, "second": levels[2].pk},
    )
    return contest


@pytest.fixture
def essay_entries(org, essay):
    return [
        actions.add_entry(
            org.office, contest=essay, title="甲文", unit=org.station_a1, person=org.p_a1
        ),
        actions.add_entry(
            org.office, contest=essay, title="乙文", unit=org.station_a2, person=org.p_a2
        ),
        actions.add_entry(
            org.office, contest=essay, title="丙文", unit=org.team_a1, person=org.p_team
        ),
    ]


@pytest.fixture
def judge_users(judges):
    return [judge_user(person, f"judge{i}") for i, person in enumerate(judges)]


@pytest.fixture
def running_essay(org, essay, essay_entries, judge_users):
    actions.set_state(org.office, contest=essay, state=ContestState.RUNNING)
    return essay


def make_question(org, kind, text, options, answer):
    return Question.objects.create(
        unit=org.city, unit_path=org.city.path, kind=kind, text=text, options=options, answer=answer
    )


@pytest.fixture
def bank(org):
    return [
        make_question(org, QuestionKind.SINGLE, "单选题一", ["甲", "乙", "丙", "丁"], [2]),
        make_question(org, QuestionKind.TRUE_FALSE, "判断题二", [], [True]),
        make_question(org, QuestionKind.MULTIPLE, "多选题三", ["子", "丑", "寅"], [0, 2]),
        make_question(org, QuestionKind.FILL, "填空题四", [], ["忠诚"]),
    ]


@pytest.fixture
def quiz(org, bank):
    contest = actions.create_contest(
        org.office,
        kind=ContestKind.KNOWLEDGE,
        name="应知应会知识竞赛",
        unit=org.city,
        held_on=ON,
        points_correct=Decimal(10),
        penalty_wrong=Decimal(5),
    )
    actions.add_entry(org.office, contest=contest, title="东坡队", unit=org.county_a)
    actions.add_entry(org.office, contest=contest, title="彭山队", unit=org.county_b)
    actions.set_questions(org.office, contest=contest, questions=bank)
    return contest
