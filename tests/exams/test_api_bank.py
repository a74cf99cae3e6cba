"""The bank through the API: authors only, filters, bounded queries, create with validation."""

import json

import pytest

from tests.exams.conftest import make_bank

API = "/api/v1/learning"


def test_question_list_is_for_authors_only(env, login):
    assert login(env.org.officer_a1).get(f"{API}/questions").status_code == 404
    assert login(env.org.leader_a).get(f"{API}/questions").status_code == 404
    body = login(env.org.office).get(f"{API}/questions", {"kind": "fill"}).json()
    assert body["count"] == 6 and {q["kind"] for q in body["items"]} == {"fill"}


@pytest.mark.parametrize("per_kind", [1, 8])
def test_question_list_queries_are_bounded(org, login, django_assert_max_num_queries, per_kind):
    make_bank(org.office, org.city, per_kind=per_kind)
    client = login(org.office)
    client.get(f"{API}/questions")
    with django_assert_max_num_queries(8):
        assert client.get(f"{API}/questions").status_code == 200


def test_create_question_through_the_api(org, login):
    client = login(org.office)
    payload = {
        "unit_id": org.county_a.pk,
        "kind": "multiple",
        "text": "接处警到场后应当做到",
        "options": ["表明身份", "开启执法记录仪", "离开现场"],
        "answer": [0, 1],
        "tags": [{"kind": "chapter", "name": "第二章"}],
    }
    response = client.post(f"{API}/questions", json.dumps(payload), content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["answer"] == [0, 1]
    bad = {**payload, "answer": [0]}
    response = client.post(f"{API}/questions", json.dumps(bad), content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_a_unit_outside_the_authors_scope_is_not_found(org, login):
    payload = {"unit_id": org.city.pk, "kind": "fill", "text": "x", "answer": ["y"]}
    client = login(org.leader_a)
    response = client.post(f"{API}/questions", json.dumps(payload), content_type="application/json")
    assert response.status_code == 404


def test_a_manager_outside_the_audience_cannot_start(env, login):
    response = login(env.org.office).post(f"{API}/exams/{env.exam.pk}/start")
    assert response.status_code == 404
