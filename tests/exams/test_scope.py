"""Results readers see only the exams that touch their scope; drafts only managers."""

from django.urls import reverse

from tests.exams.conftest import exam_data
from zhengdun.learning.exams import actions

API = "/api/v1/learning"


def _urls(exam) -> list[str]:
    return [
        reverse("exams:exam_detail", args=[exam.pk]),
        reverse("exams:results", args=[exam.pk]),
        f"{API}/exams/{exam.pk}/results",
    ]


def test_a_reader_outside_the_exam_scope_gets_404_everywhere(env, login):
    client = login(env.org.viewer_b)  # results on county B; the exam is for county A
    for url in _urls(env.exam):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("exams:exam_start", args=[env.exam.pk])).status_code == 404
    assert client.post(f"{API}/exams/{env.exam.pk}/start").status_code == 404


def test_a_reader_whose_unit_is_in_the_audience_sees_the_results(env, login):
    client = login(env.org.liaison_a)  # results on county A, the audience
    for url in _urls(env.exam):
        assert client.get(url).status_code == 200, url


def test_drafts_are_for_managers_only(env, login):
    draft = actions.create_exam(env.org.office, unit=env.org.city, data=exam_data(env.org))
    assert not draft.is_published
    client = login(env.org.liaison_a)
    for url in _urls(draft):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{API}/exams/{draft.pk}/start").status_code == 404
    office = login(env.org.office)
    assert office.get(reverse("exams:results", args=[draft.pk])).status_code == 200


def test_audience_people_are_looked_up_in_the_managers_units_only(org):
    from tests.factories import GrantFactory, UserFactory
    from zhengdun.learning.exams.forms import ExamForm

    manager = UserFactory(username="county_office")
    GrantFactory(user=manager, role="office", unit=org.county_a)

    def error_for(numbers: str) -> str:
        form = ExamForm({"audience_people": numbers}, user=manager)
        form.is_valid()
        return " ".join(form.errors.get("audience_people", []))

    inside, outside = org.p_a1.police_number, org.p_b1.police_number
    assert error_for(inside) == ""
    assert outside in error_for(f"{inside} {outside}")
    assert inside not in error_for(f"{inside} {outside}")
    assert error_for("000000") == error_for(outside).replace(outside, "000000")
