"""Attempts through the API: start, autosave, deadline, resume, submit, privacy."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.exams.conftest import correct_answers
from zhengdun.learning.exams import actions
from zhengdun.learning.exams.models import Attempt, AttemptState, Question

API = "/api/v1/learning"


def start(client, exam):
    response = client.post(f"{API}/exams/{exam.pk}/start", content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def put(client, attempt_id, answers):
    return client.put(
        f"{API}/attempts/{attempt_id}/answers",
        data=json.dumps({"answers": answers}),
        content_type="application/json",
    )


def test_open_exams_list_shows_the_exam_to_its_audience_only(env, login):
    assert [e["id"] for e in login(env.org.officer_a1).get(f"{API}/exams").json()] == [env.exam.pk]
    assert login(env.org.outsider).get(f"{API}/exams").json() == []  # county B


def test_outside_the_audience_cannot_start(env, login):
    response = login(env.org.outsider).post(f"{API}/exams/{env.exam.pk}/start")
    assert response.status_code == 404


def test_start_stores_deadline_and_draw_and_resumes_the_same_attempt(env, login):
    client = login(env.org.officer_a1)
    now = timezone.now()
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    assert abs((attempt.deadline - attempt.started_at) - timedelta(minutes=30)) < timedelta(
        seconds=1
    )
    assert attempt.started_at >= now - timedelta(seconds=5)
    assert len(attempt.items) == 7 and len(data["items"]) == 7
    assert start(client, env.exam)["id"] == attempt.pk  # resuming, not a second attempt


def test_deadline_is_cut_at_the_exam_close(env, login):
    env.exam.closes_at = timezone.now() + timedelta(minutes=10)
    env.exam.save()
    attempt = Attempt.objects.get(pk=start(login(env.org.officer_a1), env.exam)["id"])
    assert attempt.deadline == env.exam.closes_at


def test_answers_and_remaining_time_survive_a_reconnect(env, login):
    client = login(env.org.officer_a1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        data = start(client, env.exam)
        first = data["items"][0]
        value = {"single": 1, "multiple": [1, 2], "true_false": False, "fill": "答案"}[
            first["kind"]
        ]
        assert put(client, data["id"], {str(first["id"]): value}).status_code == 200
        traveller.shift(timedelta(minutes=10))
        again = client.get(f"{API}/attempts/{data['id']}").json()
    assert again["items"][0]["answer"] == value
    assert again["seconds_left"] == 20 * 60
    assert again["revision"] == 1


def test_answers_after_the_deadline_are_refused_and_late_submit_grades_what_was_saved(env, login):
    client = login(env.org.officer_a1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        data = start(client, env.exam)
        attempt = Attempt.objects.get(pk=data["id"])
        right = correct_answers(attempt)
        first, *rest = list(right.items())
        assert put(client, data["id"], dict([first])).status_code == 200
        traveller.shift(timedelta(minutes=30, seconds=1))
        late = put(client, data["id"], dict(rest))
        assert late.status_code == 409
        assert "截止" in late.json()["detail"] or "deadline" in late.json()["detail"]
        result = client.post(
            f"{API}/attempts/{data['id']}/submit",
            data=json.dumps({"answers": dict(rest)}),
            content_type="application/json",
        ).json()
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.EXPIRED
    assert list(attempt.answers) == [first[0]]
    item = next(i for i in attempt.items if str(i["q"]) == first[0])
    assert result["score"] == item["p"]


def test_expired_attempts_are_closed_by_the_tick(env, login):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        assert actions.close_expired() == 1
        assert actions.close_expired() == 0
    attempt = Attempt.objects.get(pk=data["id"])
    assert attempt.state == AttemptState.EXPIRED and attempt.score == 0 and not attempt.passed


def test_full_marks_pass_and_results_are_shown_after_submit(env, login):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    assert put(client, data["id"], correct_answers(attempt)).status_code == 200
    result = client.post(
        f"{API}/attempts/{data['id']}/submit", data="{}", content_type="application/json"
    ).json()
    assert result["state"] == "submitted"
    assert result["percent"] == 100.0 and result["passed"] is True
    assert all(item["correct"] for item in result["items"])
    assert all(item["key_text"] for item in result["items"])


def test_wrong_answers_fail(env, login):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    wrong = {"single": 3, "multiple": [0], "true_false": False, "fill": "不知道"}
    answers = {str(i["id"]): wrong[i["kind"]] for i in data["items"]}
    put(client, data["id"], answers)
    result = client.post(
        f"{API}/attempts/{data['id']}/submit", data="{}", content_type="application/json"
    ).json()
    assert result["score"] == 0 and result["passed"] is False


def test_best_attempt_counts(env, login):
    from zhengdun.learning.exams.queries import best_results, passed

    client = login(env.org.officer_a1)
    first = start(client, env.exam)
    client.post(f"{API}/attempts/{first['id']}/submit", data="{}", content_type="application/json")
    second = start(client, env.exam)
    assert second["id"] != first["id"] and second["number"] == 2
    put(client, second["id"], correct_answers(Attempt.objects.get(pk=second["id"])))
    client.post(f"{API}/attempts/{second['id']}/submit", data="{}", content_type="application/json")
    person = env.org.officer_a1.person
    assert best_results([person], env.exam)[person.pk].pk == second["id"]
    assert passed(person, env.exam)
    third = client.post(f"{API}/exams/{env.exam.pk}/start")
    assert third.status_code == 400 and "2" in third.json()["detail"]


def _secrets(attempt) -> list[str]:
    """Texts that would give a correct answer away: every fill-in key and explanation."""
    found = []
    for question in Question.objects.filter(pk__in=[i["q"] for i in attempt.items]):
        if question.kind == "fill":
            found += question.answer
        if question.explanation:
            found.append(question.explanation)
    return found


def test_api_payloads_of_an_attempt_in_progress_carry_no_answer_key(env, login):
    Question.objects.update(explanation="解析：依据规定")
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    payloads = [
        json.dumps(data, ensure_ascii=False),
        client.get(f"{API}/attempts/{data['id']}").content.decode(),
        put(client, data["id"], {str(data["items"][0]["id"]): None}).content.decode(),
    ]
    for text in payloads:
        for secret in _secrets(attempt):
            assert secret not in text
        assert '"correct": true' not in text and '"correct": false' not in text
        assert '"key_text": "' not in text and '"explanation": "' not in text
        assert '"key"' not in text
    for item in data["items"]:
        assert item["correct"] is None and item["key_text"] is None and item["explanation"] is None


def test_another_persons_attempt_is_not_found(env, login):
    data = start(login(env.org.officer_a1), env.exam)
    other = login(env.org.leader_a)  # in county A's audience, and a leader
    assert other.get(f"{API}/attempts/{data['id']}").status_code == 404
    assert put(other, data["id"], {}).status_code == 404
    response = other.post(
        f"{API}/attempts/{data['id']}/submit", data="{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert login(env.org.admin).get(f"{API}/attempts/{data['id']}").status_code == 404


def test_malformed_answers_are_refused_with_a_message(env, login):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    single = next(i for i in data["items"] if i["kind"] == "single")
    response = put(client, data["id"], {str(single["id"]): 9})
    assert response.status_code == 400 and response.json()["detail"]
    assert put(client, data["id"], {"999999": 1}).status_code == 400


@pytest.mark.parametrize("saved_answers", [1, 7])
def test_saving_answers_takes_a_bounded_number_of_queries(
    env, login, django_assert_max_num_queries, saved_answers
):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    answers = dict(
        list(correct_answers(Attempt.objects.get(pk=data["id"])).items())[:saved_answers]
    )
    put(client, data["id"], {})  # warm the session
    with django_assert_max_num_queries(4):  # session, user, read attempt, update attempt
        assert put(client, data["id"], answers).status_code == 200
