"""Demo drills and contests, loaded after the organisation, the campaign and the exams bank,
through the actions (and so the audit trail) of this app:

- the campaign's 实战大练兵 plan over the whole bureau with five subjects and their standards,
  results for most officers (some failing, some not yet tested);
- two skills competitions (比武竞赛) between the eight county bureaus, and their ranking;
- an essay contest (征文) judged by five judges, closed, with prizes that feed the campaign's
  incentives (so they show on the units' pages there);
- a speech contest under way on whose panel the demo ``leader`` sits;
- a knowledge contest (知识竞赛) finished with its scores, and one ready to run live.

Idempotent: each part is matched by its name and loaded only if missing. Random choices are
seeded, so the demo is the same every time.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhengdun.campaigns.models import Campaign, IncentiveSide
from zhengdun.core import demo as module_demos
from zhengdun.learning.contests import actions
from zhengdun.learning.contests.models import (
    Competition,
    Contest,
    ContestKind,
    ContestState,
    Direction,
    DrillPlan,
    Measure,
)
from zhengdun.org.models import Person, PersonStatus, Unit, UnitKind

PLAN_NAME = "2026年度实战大练兵"
# (name, category, measure, direction, pass mark, excellent mark, how results spread)
SUBJECTS = [
    ("3000米跑", "fitness", Measure.SECONDS, Direction.LOWER, "900", "780", (700, 1000)),
    ("手枪射击", "firearms", Measure.SCORE, Direction.HIGHER, "60", "85", (40, 100)),
    ("法律知识考试", "law", Measure.SCORE, Direction.HIGHER, "60", "90", (45, 100)),
    ("执法办案程序", "procedure", Measure.SCORE, Direction.HIGHER, "70", "90", (55, 100)),
    ("急救技能", "first_aid", Measure.PASS_FAIL, Direction.HIGHER, None, None, None),
]
COMPETITIONS = [
    ("手枪速射比武", Measure.SCORE, Direction.HIGHER, "10,8,6,5,4,3,2,1", (70, 100)),
    ("400米障碍跑比武", Measure.SECONDS, Direction.LOWER, "10,8,6,5,4,3,2,1", (95, 130)),
]
ESSAY = "“坚持政治建警 全面从严治警”主题征文"
SPEECH = "“忠诚履职 为民服务”演讲比赛"
QUIZ_DONE = "应知应会知识竞赛（初赛）"
QUIZ_LIVE = "应知应会知识竞赛（决赛）"
ESSAY_TITLES = [
    "在自我革命中锻造忠诚警魂",
    "把初心写在警徽下",
    "从“走形式”到“见实效”",
    "做新时代人民满意的基层民警",
    "刀刃向内的勇气从哪里来",
    "数据革命给派出所带来的变化",
    "让群众的每一次报警都有回音",
    "守纪律的人走得更远",
]


def _counties() -> list[Unit]:
    return list(Unit.objects.filter(kind=UnitKind.COUNTY_BUREAU, is_active=True).order_by("path"))


def _people_of(unit: Unit):
    return Person.objects.filter(unit__path__startswith=unit.path, status=PersonStatus.ACTIVE)


def _plan(admin, campaign: Campaign, today, rng: random.Random) -> DrillPlan:
    plan = DrillPlan.objects.filter(name=PLAN_NAME).first()
    if plan is not None:
        return plan
    plan = actions.create_plan(
        admin,
        name=PLAN_NAME,
        unit=campaign.unit,
        starts_on=min(campaign.start_date, today - timedelta(days=30)),
        ends_on=max(campaign.end_date, today + timedelta(days=30)),
        campaign=campaign,
        note="按照“大学习、大练兵”部署，全员参训、全员考核。",
    )
    subjects = []
    for order, (name, category, measure, direction, pass_mark, excellent, _spread) in enumerate(
        SUBJECTS
    ):
        subjects.append(
            actions.save_subject(
                admin,
                plan=plan,
                name=name,
                category=category,
                measure=measure,
                direction=direction,
                pass_mark=pass_mark,
                excellent_mark=excellent,
                order=order,
            )
        )
    people = list(
        Person.objects.filter(
            unit__path__startswith=campaign.unit.path, status=PersonStatus.ACTIVE
        ).order_by("id")
    )
    for person in people:
        # About one in eight has not been tested yet; the others in most subjects.
        if rng.random() < 0.12:
            continue
        tested_on = today - timedelta(days=rng.randint(1, 25))
        for subject, spec in zip(subjects, SUBJECTS, strict=True):
            if rng.random() < 0.1:
                continue
            spread = spec[6]
            if spread is None:
                actions.record_result(
                    admin,
                    subject=subject,
                    person=person,
                    passed=rng.random() < 0.9,
                    tested_on=tested_on,
                )
                continue
            low, high = spread
            value = Decimal(rng.randint(low * 10, high * 10)) / 10
            actions.record_result(
                admin, subject=subject, person=person, value=value, tested_on=tested_on
            )
    return plan


def _competitions(admin, plan: DrillPlan, today, rng: random.Random) -> None:
    for name, measure, direction, points, (low, high) in COMPETITIONS:
        if Competition.objects.filter(plan=plan, name=name).exists():
            continue
        competition = actions.create_competition(
            admin,
            plan=plan,
            name=name,
            held_on=today - timedelta(days=10),
            points=points,
            measure=measure,
            direction=direction,
        )
        for county in _counties():
            person = _people_of(county).order_by("id")[rng.randint(0, 3)]
            value = Decimal(rng.randint(low * 10, high * 10)) / 10
            actions.add_competition_entry(
                admin, competition=competition, unit=county, person=person, value=value
            )


def _levels(campaign: Campaign) -> dict[str, int]:
    by_rank = {
        level.rank: level.pk
        for level in campaign.incentive_levels.filter(side=IncentiveSide.REWARD)
    }
    return {"first": by_rank.get(3), "second": by_rank.get(2), "third": by_rank.get(1)}


def _judges(campaign: Campaign, extra: Person | None = None) -> list[Person]:
    """Five judges from the city bureau's own departments (no county's entry is theirs)."""
    people = list(
        Person.objects.filter(
            unit__parent=campaign.unit,
            unit__kind=UnitKind.DEPARTMENT,
            status=PersonStatus.ACTIVE,
            user__isnull=True,
        ).order_by("id")[:5]
    )
    if extra is not None:
        people = [extra, *people[:4]]
    return people


def _entries(admin, contest: Contest, titles: list[str]) -> None:
    for county, title in zip(_counties(), titles, strict=False):
        author = (
            _people_of(county)
            .filter(user__isnull=True, unit__kind=UnitKind.STATION)
            .order_by("unit__path", "id")[2]
        )
        actions.add_entry(
            admin,
            contest=contest,
            title=title,
            unit=author.unit,
            person=author,
            text=f"{title}。\n\n（{author.unit.name} {author.name}）",
        )


def _score_all(contest: Contest, rng: random.Random, skip_last: int = 0) -> None:
    criteria = list(contest.criteria.all())
    judges = list(contest.judges.select_related("person__user", "person__unit"))
    entries = list(contest.entries.all())
    for index, judge in enumerate(judges):
        if index >= len(judges) - skip_last:
            break
        for entry in entries:
            values = {
                c.pk: Decimal(rng.randint(int(c.max_score) * 6, int(c.max_score) * 10) / 10)
                for c in criteria
            }
            actions.score_entry(judge.person.user, entry=entry, values=values)


def _judge_accounts(admin, judges: list[Person]) -> None:
    """Judges score through their accounts; demo judges without a login get one
    (``judge<id>``, the demo password)."""
    from zhengdun.accounts.actions import create_account
    from zhengdun.org.demo import DEMO_PASSWORD

    for person in judges:
        if person.user_id is None:
            create_account(
                admin,
                person=person,
                username=f"judge{person.pk}",
                password=DEMO_PASSWORD,
                is_demo=True,
            )
            person.refresh_from_db()


def _essay(admin, campaign: Campaign, today, rng: random.Random) -> None:
    if Contest.objects.filter(name=ESSAY).exists():
        return
    judges = _judges(campaign)
    contest = actions.create_contest(
        admin,
        kind=ContestKind.ESSAY,
        name=ESSAY,
        unit=campaign.unit,
        held_on=today - timedelta(days=7),
        campaign=campaign,
        criteria=[
            ("思想内涵", "0.4", "100"),
            ("联系实际", "0.3", "100"),
            ("文字表达", "0.3", "100"),
        ],
        judges=judges,
        award_rule={"first": 1, "second": 2, "third": 3, "merit": 2},
        award_levels=_levels(campaign),
        note="面向全市公安机关民辅警征集，评委会五名评委打分，去掉一个最高分和一个最低分后取平均。",
    )
    _entries(admin, contest, ESSAY_TITLES)
    _judge_accounts(admin, judges)
    actions.set_state(admin, contest=contest, state=ContestState.RUNNING)
    _score_all(contest, rng)
    actions.set_state(admin, contest=contest, state=ContestState.CLOSED)
    actions.give_awards(admin, contest=contest)


def _speech(admin, campaign: Campaign, today, rng: random.Random) -> None:
    if Contest.objects.filter(name=SPEECH).exists():
        return
    leader = Person.objects.filter(user__username="leader").first()
    judges = _judges(campaign, extra=leader)
    contest = actions.create_contest(
        admin,
        kind=ContestKind.SPEECH,
        name=SPEECH,
        unit=campaign.unit,
        held_on=today,
        campaign=campaign,
        criteria=[
            ("内容主题", "0.5", "100"),
            ("语言表达", "0.3", "100"),
            ("形象风度", "0.2", "100"),
        ],
        judges=judges,
        award_rule={"first": 1, "second": 2, "third": 3},
        award_levels=_levels(campaign),
    )
    _entries(admin, contest, [f"{t}（演讲）" for t in ESSAY_TITLES[:6]])
    _judge_accounts(admin, judges)
    actions.set_state(admin, contest=contest, state=ContestState.RUNNING)
    # Every judge but the demo leader (first on the panel) has scored already.
    criteria = list(contest.criteria.all())
    for judge in contest.judges.select_related("person__user").order_by("id")[1:]:
        for entry in contest.entries.all():
            values = {c.pk: Decimal(rng.randint(600, 980)) / 10 for c in criteria}
            actions.score_entry(judge.person.user, entry=entry, values=values)


def _quiz(admin, campaign: Campaign, name: str, today, rng: random.Random, *, play: bool) -> None:
    if Contest.objects.filter(name=name).exists():
        return
    contest = actions.create_contest(
        admin,
        kind=ContestKind.KNOWLEDGE,
        name=name,
        unit=campaign.unit,
        held_on=today - timedelta(days=3) if play else today,
        campaign=campaign,
        points_correct=Decimal(10),
        penalty_wrong=Decimal(5) if not play else Decimal(0),
        note="必答题每题10分；抢答题答错扣5分。" if not play else "",
    )
    counties = _counties()[:4] if play else _counties()[4:8]
    for county in counties:
        actions.add_entry(
            admin, contest=contest, title=f"{county.short_name or county.name}代表队", unit=county
        )
    if not actions.contest_bank(contest).exists():
        return  # no bank: the contest stays in preparation
    actions.draw_questions(admin, contest=contest, count=10 if play else 8, rng=rng)
    actions.set_state(admin, contest=contest, state=ContestState.RUNNING)
    if not play:
        return
    teams = list(contest.entries.order_by("id"))
    skill = {team.pk: 0.45 + 0.12 * index for index, team in enumerate(teams)}
    for _row in range(contest.questions.count()):
        row = actions.show_next(admin, contest=contest)
        for team in teams:
            actions.record_answer(
                admin, row=row, entry=team, answer="", correct=rng.random() < skill[team.pk]
            )
        actions.reveal(admin, contest=contest)
    actions.set_state(admin, contest=contest, state=ContestState.CLOSED)


@transaction.atomic
def load(admin) -> dict[str, int]:
    """Load the demo drills and contests (idempotent); return counts for the demo command."""
    from zhengdun.campaigns.demo import NAME

    campaign = Campaign.objects.filter(name=NAME).select_related("unit").first()
    if campaign is None:
        return {}
    today = timezone.localdate()
    rng = random.Random(2026)
    plan = _plan(admin, campaign, today, rng)
    _competitions(admin, plan, today, rng)
    _essay(admin, campaign, today, rng)
    _speech(admin, campaign, today, rng)
    _quiz(admin, campaign, QUIZ_DONE, today, rng, play=True)
    _quiz(admin, campaign, QUIZ_LIVE, today, rng, play=False)
    return {
        "drill results": plan.subjects.values("results").count(),
        "contests": Contest.objects.count(),
    }


module_demos.register("contests", load)
