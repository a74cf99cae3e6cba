"""A small bank on the city (created through the actions, as the office) and an exam on it."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from zhengdun.learning.exams import actions
from zhengdun.learning.exams.actions import ExamData, QuestionData, RuleData
from zhengdun.learning.exams.models import QuestionKind as K

CH1 = ("chapter", "纪律规定")
CH2 = ("chapter", "执法规范")
EASY = ("difficulty", "易")


def make_bank(office, unit, per_kind: int = 6):
    """``per_kind`` questions of each type: the first half tagged chapter 1 (and easy), the
    rest chapter 2. Choice keys: option 0 (single), options 0 and 1 (multiple); true/false:
    true; fill: "八项规定" or "中央八项规定"."""
    made = []
    for n in range(per_kind):
        tags = [CH1, EASY] if n < per_kind // 2 else [CH2]
        specs = [
            QuestionData(K.SINGLE, f"单选题{n}", ["甲", "乙", "丙", "丁"], [0], tags=tags),
            QuestionData(K.MULTIPLE, f"多选题{n}", ["甲", "乙", "丙", "丁"], [0, 1], tags=tags),
            QuestionData(K.TRUE_FALSE, f"判断题{n}", [], [True], tags=tags),
            QuestionData(K.FILL, f"填空题{n}", [], ["八项规定", "中央八项规定"], tags=tags),
        ]
        made += [actions.create_question(office, unit=unit, data=spec) for spec in specs]
    return made


def exam_data(org, **overrides) -> ExamData:
    now = timezone.now()
    values = dict(
        title="应知应会测试",
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=1),
        time_limit=30,
        pass_mark=60,
        attempts_allowed=2,
        audience_units=[org.county_a],
        rules=[
            RuleData(K.SINGLE, 2, 2, [CH1]),
            RuleData(K.MULTIPLE, 2, 2),
            RuleData(K.TRUE_FALSE, 2, 1),
            RuleData(K.FILL, 1, 1),
        ],
    )
    values.update(overrides)
    return ExamData(**values)


@pytest.fixture
def bank(org):
    return make_bank(org.office, org.city)


@pytest.fixture
def exam(org, bank):
    return actions.create_exam(org.office, unit=org.city, data=exam_data(org), publish=True)


def correct_answers(attempt) -> dict:
    """The right answer to every item of an attempt (from the crafted bank's keys)."""
    right = {"single": 0, "multiple": [0, 1], "true_false": True, "fill": " 八项 规定 "}
    return {str(item["q"]): right[item["k"]] for item in attempt.items}


@pytest.fixture
def env(org, bank, exam):
    return SimpleNamespace(org=org, bank=bank, exam=exam)


def close_now(exam) -> None:
    """Close the exam a minute ago (moving the clock instead would end the test's session)."""
    from zhengdun.learning.exams.models import Exam

    Exam.objects.filter(pk=exam.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
