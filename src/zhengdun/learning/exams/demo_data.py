"""The exams demo: the handbook bank on the city bureau, a closed quarterly exam that most
officers sat (pass rates differ by unit: each unit has its own level of preparation), and an
open exam on duty and law enforcement that the demo login ``officer`` has not taken yet (a few
colleagues already have).

Everything goes through ``exams.actions`` (audited, as the demo administrator). The people
have no login, so their sittings use ``begin_attempt`` / ``apply_answers`` / ``hand_in``, the
same steps the pages take. Times are relative to now. Idempotent: each exam is matched by
title, the bank by its first question.
"""

import random
import zlib
from datetime import timedelta

from django.utils import timezone

from zhengdun.learning.exams import actions
from zhengdun.learning.exams.bank import CH_DUTY, ENTRIES, as_answer
from zhengdun.learning.exams.models import Attempt, Exam, Question
from zhengdun.org.models import Person, PersonStatus, Unit

CITY = "MS"
CLOSED_TITLE = "第一季度应知应会测试"
OPEN_TITLE = "执勤执法专项考试"
SKIP_LOGIN = "officer"


def load_bank(admin, city: Unit) -> int:
    if Question.objects.filter(unit=city, text=ENTRIES[0].text).exists():
        return 0
    rows = [
        actions.QuestionData(
            kind=e.kind,
            text=e.text,
            options=list(e.options),
            answer=as_answer(e),
            explanation=e.explanation,
            tags=[("chapter", e.chapter), ("law", e.law), ("difficulty", e.difficulty)],
        )
        for e in ENTRIES
    ]
    return len(actions.import_questions(admin, unit=city, rows=rows))


def _exam(admin, city: Unit, title: str, opens, closes, rules, **extra) -> Exam:
    exam = Exam.objects.filter(title=title, unit=city).first()
    if exam is not None:
        return exam
    data = actions.ExamData(
        title=title,
        opens_at=opens,
        closes_at=closes,
        audience_units=[city],
        rules=rules,
        **extra,
    )
    return actions.create_exam(admin, unit=city, data=data, publish=True)


def _level(unit: Unit) -> float:
    """A unit's preparation (the chance of a right answer), fixed by its code: 0.45–0.95."""
    return 0.45 + (zlib.crc32(unit.code.encode()) % 51) / 100


def _answer(item: dict, key: list, right: bool, rng: random.Random):
    if item["k"] == "true_false":
        return bool(key[0]) if right else not bool(key[0])
    if item["k"] == "fill":
        return key[0] if right else "不清楚"
    if item["k"] == "single":
        wrong = [i for i in item["o"] if i not in key]
        return key[0] if right else rng.choice(wrong)
    return sorted(key) if right else sorted(key)[:1]


def sit(admin, exam: Exam, person: Person, started, rng: random.Random) -> Attempt:
    """One person's sitting: a draw, answers by their unit's level, handed in in time."""
    attempt = actions.begin_attempt(admin, person=person, exam=exam, number=1, now=started)
    keys = dict(
        Question.objects.filter(pk__in=[i["q"] for i in attempt.items]).values_list("id", "answer")
    )
    level = _level(person.unit)
    answers = {
        str(item["q"]): _answer(item, keys[item["q"]], rng.random() < level, rng)
        for item in attempt.items
        if rng.random() < 0.97  # a few left blank
    }
    finished = started + timedelta(minutes=rng.randint(8, exam.time_limit - 1))
    actions.apply_answers(attempt, answers, now=finished - timedelta(minutes=1))
    return actions.hand_in(admin, attempt.pk, now=finished)


def load_demo(admin) -> dict[str, int]:
    city = Unit.objects.filter(code=CITY).first()
    if city is None:
        return {}
    now = timezone.now()
    summary = {"questions": load_bank(admin, city)}
    R = actions.RuleData
    closed = _exam(
        admin,
        city,
        CLOSED_TITLE,
        now - timedelta(days=40),
        now - timedelta(days=26),
        [R("single", 10, 2), R("multiple", 5, 4), R("true_false", 10, 1), R("fill", 5, 2)],
        time_limit=40,
        pass_mark=60,
        description="全局民警参加，考查应知应会手册三章内容。",
    )
    opened = _exam(
        admin,
        city,
        OPEN_TITLE,
        now - timedelta(days=2),
        now + timedelta(days=12),
        [
            R("single", 5, 4, [("chapter", CH_DUTY)]),
            R("multiple", 3, 5, [("chapter", CH_DUTY)]),
            R("true_false", 5, 2, [("chapter", CH_DUTY)]),
            R("fill", 3, 5, [("chapter", CH_DUTY)]),
        ],
        time_limit=30,
        pass_mark=60,
        attempts_allowed=2,
        description="执勤执法章节专项考试，限时30分钟，可考两次，以最好成绩为准。",
    )
    rng = random.Random(2021)
    people = list(
        Person.objects.filter(status=PersonStatus.ACTIVE, unit__path__startswith=city.path)
        .select_related("unit", "user")
        .order_by("id")
    )
    sat = 0
    if not Attempt.objects.filter(exam=closed).exists():
        for person in people:
            if rng.random() < 0.9:  # most, not all
                started = closed.opens_at + timedelta(
                    days=rng.randint(0, 12), hours=rng.randint(1, 9)
                )
                sit(admin, closed, person, started, rng)
                sat += 1
    if not Attempt.objects.filter(exam=opened).exists():
        for person in people:
            if getattr(person.user, "username", "") == SKIP_LOGIN:
                continue
            if rng.random() < 0.15:
                started = now - timedelta(days=1, hours=rng.randint(1, 20))
                sit(admin, opened, person, started, rng)
                sat += 1
    summary["attempts"] = sat
    return summary
