"""The exams demo: the handbook bank, a closed exam with results differing by unit, an open
exam the demo ``officer`` has not taken; loading twice changes nothing."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from zhengdun.learning.exams import demo_data
from zhengdun.learning.exams.models import Attempt, AttemptState, Exam, Question
from zhengdun.learning.exams.queries import open_exams_for_person, unit_results
from zhengdun.org import demo as org_demo
from zhengdun.org.models import Person


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once for the module in a transaction rolled back at the end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            org_demo.load()
            admin = get_user_model().objects.get(username="admin")
            demo_data.load_demo(admin)
            yield admin
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def loaded(demo, db):
    return demo


def test_bank_has_every_type_chapter_and_difficulty(loaded):
    questions = Question.objects.prefetch_related("tags")
    assert questions.count() >= 120
    assert set(questions.values_list("kind", flat=True)) == {
        "single",
        "multiple",
        "true_false",
        "fill",
    }
    kinds = Counter(t.kind for q in questions for t in q.tags.all())
    assert kinds["chapter"] == kinds["difficulty"] == questions.count()


def test_closed_exam_has_results_for_most_officers_with_pass_rates_differing(loaded):
    closed = Exam.objects.get(title=demo_data.CLOSED_TITLE)
    attempts = Attempt.objects.filter(exam=closed)
    people = Person.objects.filter(status="active").count()
    assert attempts.count() > people * 0.75
    assert not attempts.filter(state=AttemptState.IN_PROGRESS).exists()
    assert attempts.filter(passed=False).exists() and attempts.filter(passed=True).exists()
    rates = {row["pass_rate"] for row in unit_results(loaded, closed) if row["taken"] >= 3}
    assert len(rates) > 3


def test_open_exam_is_open_to_officer_who_has_not_taken_it(loaded):
    officer = Person.objects.get(user__username="officer")
    opened = Exam.objects.get(title=demo_data.OPEN_TITLE)
    assert opened in open_exams_for_person(officer)
    assert not Attempt.objects.filter(exam=opened, person=officer).exists()


def test_loading_twice_adds_nothing(loaded):
    counts = (Question.objects.count(), Exam.objects.count(), Attempt.objects.count())
    demo_data.load_demo(loaded)
    assert counts == (Question.objects.count(), Exam.objects.count(), Attempt.objects.count())
