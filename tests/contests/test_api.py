"""The API: same gates and actions as the pages."""

import json

import pytest

from tests.contests.conftest import ON
from zhengdun.learning.contests import actions
from zhengdun.learning.contests.models import ContestState, Result

BASE = "/api/v1/learning"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_plans_and_detail_with_rates(org, login, plan, run_subject):
    actions.record_result(
        org.office, subject=run_subject, person=org.p_a1, value="880", tested_on=ON
    )
    client = login(org.liaison_a)
    listing = client.get(f"{BASE}/drills").json()
    assert [p["name"] for p in listing["items"]] == ["实战大练兵"]
    detail = client.get(f"{BASE}/drills/{plan.pk}").json()
    # The liaison's view starts at their county: its stations.
    assert {u["unit"] for u in detail["units"]} >= {"苏祠派出所", "通惠派出所"}
    assert detail["subjects"][0]["rate"]["pass_rate"] == 100.0
    assert client.get(f"{BASE}/drills/{plan.pk}?unit={org.county_b.pk}").status_code == 404


def test_post_results_scoped(org, login, plan, run_subject):
    client = login(org.liaison_a)
    created = post(
        client,
        f"{BASE}/drills/{plan.pk}/results",
        {
            "subject_id": run_subject.pk,
            "person_id": org.p_a1.pk,
            "value": "901",
            "tested_on": "2026-11-20",
        },
    )
    assert created.status_code == 201 and created.json()["passed"] is False
    other = post(
        client,
        f"{BASE}/drills/{plan.pk}/results",
        {
            "subject_id": run_subject.pk,
            "person_id": org.p_b1.pk,
            "value": "800",
            "tested_on": "2026-11-20",
        },
    )
    assert other.status_code == 404
    bad = post(
        client,
        f"{BASE}/drills/{plan.pk}/results",
        {"subject_id": run_subject.pk, "person_id": org.p_a1.pk},
    )
    assert bad.status_code == 400 and "value" in bad.json()["errors"]
    assert Result.objects.count() == 1
    listing = login(org.viewer_b).get(f"{BASE}/drills/{plan.pk}/results").json()
    assert listing["count"] == 0


def test_judge_posts_scores_and_sees_only_own(
    org, login, running_essay, essay_entries, judge_users
):
    first, second = running_essay.criteria.order_by("order")
    entry = essay_entries[0]
    for user, values in ((judge_users[0], (80, 70)), (judge_users[1], (90, 95))):
        response = post(
            login(user),
            f"{BASE}/contests/{running_essay.pk}/entries/{entry.pk}/scores",
            {"scores": {str(first.pk): values[0], str(second.pk): values[1]}},
        )
        assert response.status_code == 200
    client = login(judge_users[0])
    detail = client.get(f"{BASE}/contests/{running_essay.pk}").json()
    assert {s["value"] for s in detail["scores"]} == {"80.00", "70.00"}
    assert client.get(f"{BASE}/contests/{running_essay.pk}/ranking").json() == {
        "visible": False,
        "ranking": [],
    }
    not_judge = post(
        login(org.liaison_a),
        f"{BASE}/contests/{running_essay.pk}/entries/{entry.pk}/scores",
        {"scores": {str(first.pk): 1, str(second.pk): 1}},
    )
    assert not_judge.status_code == 404
    actions.set_state(org.office, contest=running_essay, state=ContestState.CLOSED)
    ranking = login(judge_users[0]).get(f"{BASE}/contests/{running_essay.pk}/ranking").json()
    assert (
        ranking["visible"] and ranking["ranking"][0]["score"] == "83.500"
    )  # (74 + 93) / 2: two judges, plain mean


@pytest.mark.parametrize("count", [3, 30])
def test_contest_list_bounded(org, login, count, django_assert_max_num_queries):
    for i in range(count):
        actions.create_contest(
            org.office,
            kind="speech",
            name=f"演讲{i}",
            unit=org.city,
            held_on=ON,
            criteria=[("表达", "1", "100")],
        )
    client = login(org.viewer_b)
    with django_assert_max_num_queries(8):
        body = client.get(f"{BASE}/contests").json()
    assert body["count"] == count


def test_screen_api_hides_answer_until_revealed(org, login, quiz):
    client = login(org.office)
    actions.set_state(org.office, contest=quiz, state=ContestState.RUNNING)
    shown = client.post(f"{BASE}/contests/{quiz.pk}/round/next").json()
    assert shown["number"] == 1 and shown["answer"] is None
    team = quiz.entries.get(title="彭山队")
    answer = post(
        client, f"{BASE}/contests/{quiz.pk}/round/answers", {"entry_id": team.pk, "answer": "B"}
    )
    assert answer.json() == {"entry_id": team.pk, "correct": False, "points": "-5.00"}
    assert login(org.viewer_b).get(f"{BASE}/contests/{quiz.pk}/screen").json()["answer"] is None
    revealed = login(org.office).post(f"{BASE}/contests/{quiz.pk}/round/reveal").json()
    assert revealed["answer"] == [2]
    assert login(org.viewer_b).post(f"{BASE}/contests/{quiz.pk}/round/next").status_code == 403
