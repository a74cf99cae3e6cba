"""The knowledge contest's live round: question by question, answer shown only once
revealed, answers graded by the bank's rule, points and penalty, ranking."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from tests.contests.conftest import ON
from zhengdun.learning.contests import actions, queries
from zhengdun.learning.contests.models import ContestState, RoundState


def test_round_advances_only_after_reveal(org, quiz):
    with pytest.raises(ValidationError):
        actions.show_next(org.office, contest=quiz)  # not under way yet
    actions.set_state(org.office, contest=quiz, state=ContestState.RUNNING)
    assert queries.current_question(quiz) is None
    with pytest.raises(ValidationError):
        actions.reveal(org.office, contest=quiz)  # nothing on screen
    first = actions.show_next(org.office, contest=quiz)
    assert (first.number, first.state) == (1, RoundState.SHOWN)
    with pytest.raises(ValidationError):
        actions.show_next(org.office, contest=quiz)  # reveal first
    actions.reveal(org.office, contest=quiz)
    second = actions.show_next(org.office, contest=quiz)
    assert second.number == 2 and queries.current_question(quiz).pk == second.pk
    assert queries.round_progress(quiz) == (2, 4)


def test_answers_graded_with_points_and_penalty(org, quiz):
    actions.set_state(org.office, contest=quiz, state=ContestState.RUNNING)
    dongpo, pengshan = quiz.entries.order_by("id")
    row = actions.show_next(org.office, contest=quiz)  # single choice, answer C
    actions.record_answer(org.office, row=row, entry=dongpo, answer="c")
    actions.record_answer(org.office, row=row, entry=pengshan, answer="A")
    with pytest.raises(ValidationError):
        actions.record_answer(org.office, row=row, entry=pengshan, answer="E")  # no such option
    actions.reveal(org.office, contest=quiz)
    row = actions.show_next(org.office, contest=quiz)  # true/false, true
    actions.record_answer(org.office, row=row, entry=dongpo, answer="对")
    actions.record_answer(org.office, row=row, entry=pengshan, answer="")  # no answer: wrong
    actions.reveal(org.office, contest=quiz)
    row = actions.show_next(org.office, contest=quiz)  # multiple, A and C
    actions.record_answer(org.office, row=row, entry=pengshan, answer="A,C")
    row4 = quiz.questions.get(number=4)
    with pytest.raises(ValidationError):
        actions.record_answer(org.office, row=row4, entry=pengshan, answer="忠诚")  # not shown yet
    assert queries.team_points(quiz) == {dongpo.pk: D(20), pengshan.pk: D(0)}
    ranking = queries.ranking(quiz)
    assert [(r.place, r.entry.title, r.score) for r in ranking] == [
        (1, "东坡队", D(20)),
        (2, "彭山队", D(0)),
    ]


def test_oral_answer_marked_by_the_host(org, quiz):
    actions.set_state(org.office, contest=quiz, state=ContestState.RUNNING)
    dongpo = quiz.entries.get(title="东坡队")
    row = actions.show_next(org.office, contest=quiz)
    answer = actions.record_answer(org.office, row=row, entry=dongpo, answer="口答", correct=True)
    assert answer.correct and answer.points == D(10)


def test_draw_questions_from_the_bank(org, bank):
    import random

    contest = actions.create_contest(
        org.office, kind="knowledge", name="抽题赛", unit=org.county_a, held_on=ON
    )
    rows = actions.draw_questions(org.office, contest=contest, count=3, rng=random.Random(7))
    assert len({r.question_id for r in rows}) == 3
    with pytest.raises(ValidationError):
        actions.draw_questions(org.office, contest=contest, count=5)
