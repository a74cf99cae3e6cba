import random

import pytest
from django.core.exceptions import ValidationError

from tests.exams.conftest import CH1, CH2, exam_data
from zhengdun.learning.exams import actions
from zhengdun.learning.exams.actions import RuleData
from zhengdun.learning.exams.draw import Slots, match
from zhengdun.learning.exams.models import Question
from zhengdun.learning.exams.models import QuestionKind as K


def _tags(qid):
    return {(t.kind, t.name) for t in Question.objects.get(pk=qid).tags.all()}


def test_draw_has_right_counts_no_duplicates_and_respects_tags(env):
    for _n in range(10):
        items = actions.draw_items(env.exam)
        ids = [item["q"] for item in items]
        assert len(ids) == len(set(ids)) == 7
        by_kind = {}
        for item in items:
            by_kind.setdefault(item["k"], []).append(item["q"])
            assert Question.objects.get(pk=item["q"]).kind == item["k"]
        assert {k: len(v) for k, v in by_kind.items()} == {
            "single": 2,
            "multiple": 2,
            "true_false": 2,
            "fill": 1,
        }
        assert all(CH1 in _tags(qid) for qid in by_kind["single"])


def test_options_are_shuffled_per_attempt(env):
    orders = {
        tuple(item["o"])
        for _n in range(20)
        for item in actions.draw_items(env.exam)
        if item["k"] == "single"
    }
    assert len(orders) > 1
    assert all(sorted(order) == [0, 1, 2, 3] for order in orders)


def test_overlapping_rules_never_draw_a_question_twice(env):
    """Rule 1: 3 single of chapter 1; rule 2: 6 single of any chapter. The bank has exactly
    6 singles, so the only valid draw uses each once."""
    exam = actions.create_exam(
        env.org.office,
        unit=env.org.city,
        data=exam_data(env.org, rules=[RuleData(K.SINGLE, 3, 1, [CH1]), RuleData(K.SINGLE, 3, 1)]),
        publish=True,
    )
    for _n in range(10):
        ids = [item["q"] for item in actions.draw_items(exam)]
        assert len(set(ids)) == 6


def test_matcher_moves_earlier_picks_to_satisfy_later_rules():
    rules = [Slots(0, 1, [1, 2]), Slots(1, 1, [1])]
    for seed in range(10):
        result = match(rules, random.Random(seed))
        assert result == {0: [2], 1: [1]}
    assert match([Slots(0, 2, [1, 2]), Slots(1, 1, [1, 2])]) is None


def test_impossible_rules_are_refused_with_a_clear_message(env):
    data = exam_data(env.org, rules=[RuleData(K.FILL, 5, 1, [CH2])])
    with pytest.raises(ValidationError) as caught:
        actions.create_exam(env.org.office, unit=env.org.city, data=data, publish=True)
    text = " ".join(caught.value.message_dict["rules"])
    assert "5" in text and "3" in text  # asks for 5, the bank has 3


def test_overlapping_rules_beyond_the_bank_are_refused(env):
    data = exam_data(env.org, rules=[RuleData(K.SINGLE, 3, 1, [CH1]), RuleData(K.SINGLE, 4, 1)])
    draft = actions.create_exam(env.org.office, unit=env.org.city, data=data)
    problems = actions.check_bank(draft)
    assert (len(problems) == 1 and "overlap" in problems[0].lower()) or "重叠" in problems[0]
    with pytest.raises(ValidationError):
        actions.publish_exam(env.org.office, draft)


def test_a_county_exam_draws_from_the_city_bank_but_not_another_county(env):
    county_b_question = actions.create_question(
        env.org.office,
        unit=env.org.county_b,
        data=actions.QuestionData(K.FILL, "彭山专属", [], ["x"], tags=[CH2]),
    )
    exam = actions.create_exam(
        env.org.office,
        unit=env.org.county_a,
        data=exam_data(env.org, rules=[RuleData(K.FILL, 6, 1)]),
        publish=True,
    )
    ids = {item["q"] for item in actions.draw_items(exam)}
    assert county_b_question.pk not in ids and len(ids) == 6
