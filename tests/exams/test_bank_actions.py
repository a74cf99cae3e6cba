"""Question actions: validation, audit, versions, retired questions are not drawn."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengdun.audit.models import AuditEvent
from zhengdun.learning.exams import actions
from zhengdun.learning.exams.actions import QuestionData
from zhengdun.learning.exams.models import QuestionKind as K


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (QuestionData(K.SINGLE, "题", ["甲"], [0]), "options"),
        (QuestionData(K.SINGLE, "题", ["甲", "乙"], [0, 1]), "answer"),
        (QuestionData(K.MULTIPLE, "题", ["甲", "乙", "丙"], [2]), "answer"),
        (QuestionData(K.TRUE_FALSE, "题", [], ["也许"]), "answer"),
        (QuestionData(K.FILL, "题", [], ["  "]), "answer"),
        (QuestionData(K.FILL, " ", [], ["x"]), "text"),
        (QuestionData(K.SINGLE, "题", ["甲", "甲"], [0]), "options"),
    ],
)
def test_invalid_questions_are_refused_with_a_message_on_the_field(org, data, field):
    with pytest.raises(ValidationError) as caught:
        actions.create_question(org.office, unit=org.city, data=data)
    assert caught.value.message_dict[field]


def test_creating_is_audited_and_needs_the_bank_permission(org):
    data = QuestionData(K.TRUE_FALSE, "判断", [], ["对"], tags=[("law", "人民警察法")])
    question = actions.create_question(org.office, unit=org.county_a, data=data)
    assert question.answer == [True]
    event = AuditEvent.objects.get(code="exams.question.created")
    assert event.object_id == str(question.pk) and event.unit_id == org.county_a.pk
    with pytest.raises(PermissionDenied):
        actions.create_question(org.leader_a, unit=org.county_a, data=data)


def test_a_stale_edit_is_refused(org):
    data = QuestionData(K.FILL, "填空", [], ["甲"])
    question = actions.create_question(org.office, unit=org.city, data=data)
    actions.update_question(org.office, question, data=data, version=1)
    with pytest.raises(ValidationError):
        actions.update_question(org.office, question, data=data, version=1)


def test_a_retired_question_is_not_drawn(env):
    fills = [q for q in env.bank if q.kind == "fill"]
    retired = fills[0]
    actions.update_question(
        env.org.office,
        retired,
        data=QuestionData(K.FILL, retired.text, [], retired.answer),
        is_active=False,
        version=retired.version,
    )
    event = AuditEvent.objects.filter(code="exams.question.updated").last()
    assert event.changes["is_active"] == [True, False]
    for _n in range(15):
        assert retired.pk not in {i["q"] for i in actions.draw_items(env.exam)}
