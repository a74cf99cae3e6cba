"""Results by unit and person, scoped; item statistics from real attempts; the public reads."""

import json

import pytest
from django.urls import reverse

from tests.exams.conftest import correct_answers, exam_data
from zhengdun.learning.exams import actions
from zhengdun.learning.exams.models import Attempt
from zhengdun.learning.exams.queries import item_stats, unit_results
from zhengdun.org.models import Person

API = "/api/v1/learning"


def sit(exam, person, right: bool):
    """A person's graded attempt, all right or all wrong (no login needed)."""
    from django.utils import timezone

    now = timezone.now()
    attempt = actions.begin_attempt(None, person=person, exam=exam, number=1, now=now)
    answers = correct_answers(attempt)
    if not right:
        answers = {k: None for k in answers}
    actions.apply_answers(attempt, {k: v for k, v in answers.items() if v is not None}, now=now)
    return actions.hand_in(None, attempt.pk, now=now)


@pytest.fixture
def city_exam(org, bank):
    data = exam_data(org, audience_units=[org.city])
    return actions.create_exam(org.office, unit=org.city, data=data, publish=True)


@pytest.fixture
def sat(org, city_exam):
    sit(city_exam, org.p_a1, True)
    sit(city_exam, org.p_team, False)
    sit(city_exam, org.p_b1, True)
    return city_exam


def _by_unit(rows):
    return {row["name"]: row for row in rows}


def test_unit_results_count_taken_passed_and_average(org, sat):
    rows = _by_unit(unit_results(org.office, sat))
    assert (rows["苏祠派出所"]["taken"], rows["苏祠派出所"]["passed"]) == (1, 1)
    assert rows["苏祠派出所"]["audience"] == 2  # p_a1 and officer_a1's person
    assert rows["苏祠派出所"]["not_taken"] == 1 and rows["苏祠派出所"]["average"] == 100.0
    assert (rows["社区警务队"]["pass_rate"], rows["社区警务队"]["average"]) == (0.0, 0.0)
    assert rows["通惠派出所"]["taken"] == 0 and rows["通惠派出所"]["pass_rate"] is None


def test_results_are_scoped_to_the_readers_units(org, sat, login):
    leader = _by_unit(unit_results(org.leader_a, sat))
    assert "凤鸣派出所" not in leader and "苏祠派出所" in leader
    viewer = _by_unit(unit_results(org.viewer_b, sat))
    assert set(viewer) == {"凤鸣派出所", "彭山分局"}  # viewer_b's own person is at county B
    body = login(org.viewer_b).get(f"{API}/exams/{sat.pk}/results").json()
    assert {p["name"] for p in body["people"]} == {"凤鸣民警", "viewer_b警官", "outsider警官"}
    assert body["totals"]["passed"] == 1
    page = login(org.leader_a).get(reverse("exams:results", args=[sat.pk])).content.decode()
    assert "苏祠民警" in page and "凤鸣民警" not in page


def test_results_are_not_found_for_officers_and_outsiders(org, sat, login):
    for user in (org.officer_a1, org.outsider):
        client = login(user)
        assert client.get(f"{API}/exams/{sat.pk}/results").status_code == 404
        assert client.get(reverse("exams:results", args=[sat.pk])).status_code == 404


def test_item_statistics_from_attempts(org, sat):
    stats = item_stats(sat)
    assert stats and all(s["answered"] >= 1 for s in stats)
    for s in stats:
        assert 0 <= s["difficulty"] <= 1
    # Two of three right on every item both strong candidates drew, and the weak one wrong.
    shared = [s for s in stats if s["answered"] == 3]
    for s in shared:
        assert s["difficulty"] == pytest.approx(0.667, abs=0.001)
        assert s["discrimination"] == 1.0


def test_statistics_page_is_for_authors(org, sat, login):
    assert login(org.office).get(reverse("exams:statistics", args=[sat.pk])).status_code == 200
    assert login(org.leader_a).get(reverse("exams:statistics", args=[sat.pk])).status_code == 404


@pytest.mark.parametrize("people", [3, 30])
def test_results_queries_are_bounded(org, city_exam, login, django_assert_max_num_queries, people):
    from tests.factories import PersonFactory

    for _n in range(people):
        sit(city_exam, PersonFactory(unit=org.station_a2), True)
    client = login(org.office)
    client.get(f"{API}/exams/{city_exam.pk}/results")
    with django_assert_max_num_queries(14):
        assert client.get(f"{API}/exams/{city_exam.pk}/results").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("exams:results", args=[city_exam.pk])).status_code == 200


def test_best_results_and_passed_for_other_apps(org, sat):
    from zhengdun.learning.exams.queries import best_results, passed

    people = [org.p_a1, org.p_team, org.p_a2]
    best = best_results(people, sat)
    assert set(best) == {org.p_a1.pk, org.p_team.pk}
    assert passed(org.p_a1, sat) and not passed(org.p_team, sat) and not passed(org.p_a2, sat)
    assert Attempt.objects.filter(exam=sat).count() == 3
    assert isinstance(Person.objects.get(pk=org.p_a1.pk), Person)
    assert json.dumps(best[org.p_a1.pk].percent, default=str) == '"100.0"'
