"""Attempts through the API: start, autosave, deadline, resume, submit, privacy."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.exams.conftest import close_now, correct_answers
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
    page = login(env.org.officer_a1).get(f"{API}/exams").json()
    assert [e["id"] for e in page["items"]] == [env.exam.pk] and page["count"] == 1
    assert login(env.org.outsider).get(f"{API}/exams").json()["items"] == []  # county B


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
    close_now(env.exam)
    result = client.get(f"{API}/attempts/{data['id']}").json()
    assert all(item["correct"] for item in result["items"])
    assert all(item["key_text"] for item in result["items"])


def test_graded_attempt_hides_the_key_while_the_exam_is_open(env, login):
    """attempts_allowed=2: a graded first attempt must not hand the key to the second."""
    assert env.exam.attempts_allowed == 2
    Question.objects.update(explanation="解析：依据规定")
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    submitted = client.post(
        f"{API}/attempts/{data['id']}/submit", data="{}", content_type="application/json"
    )
    texts = [
        submitted.content.decode(),
        client.get(f"{API}/attempts/{data['id']}").content.decode(),
    ]
    assert submitted.json()["score"] == 0 and submitted.json()["passed"] is False
    for text in texts:
        for secret in _secrets(attempt):
            assert secret not in text
        assert '"correct": true' not in text and '"correct": false' not in text
        assert '"key_text": "' not in text
    close_now(env.exam)
    after = client.get(f"{API}/attempts/{data['id']}").json()
    assert all(item["correct"] is False for item in after["items"])
    assert all(item["explanation"] == "解析：依据规定" for item in after["items"])


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


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("single", "Infinity"),
        ("single", "1.0"),
        ("single", "true"),
        ("single", '"1"'),
        ("multiple", "[Infinity]"),
        ("multiple", "[0, 1.5]"),
        ("multiple", "[true, false]"),
        ("true_false", "1"),
        ("true_false", '"true"'),
        ("fill", "12"),
        ("fill", '["八项规定"]'),
    ],
)
def test_answers_of_the_wrong_type_are_refused_not_crashed(env, login, kind, raw):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    item = next(i for i in data["items"] if i["kind"] == kind)
    body = f"""{{"answers": {{"{item["id"]}": {raw}}}}}"""
    response = client.put(
        f"{API}/attempts/{data['id']}/answers", data=body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    submitted = client.post(
        f"{API}/attempts/{data['id']}/submit", data=body, content_type="application/json"
    )
    assert submitted.status_code == 400 and submitted.json()["detail"]


def test_the_pass_is_not_decided_on_the_rounded_percent(env, login):
    """2999 of 5000 shows as 60.0% but is below a pass mark of 60."""
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    first, second = attempt.items[0], attempt.items[1]
    items = [{**first, "p": 2999}, {**second, "p": 2001}]
    Attempt.objects.filter(pk=attempt.pk).update(items=items, max_score=5000)
    right = correct_answers(attempt)
    put(client, data["id"], {str(first["q"]): right[str(first["q"])]})
    result = client.post(
        f"{API}/attempts/{data['id']}/submit", data="{}", content_type="application/json"
    ).json()
    assert result["score"] == 2999 and result["max_score"] == 5000
    assert result["percent"] == 60.0 and result["passed"] is False


def test_two_starts_at_once_make_one_attempt(env):
    """Two requests that both found no attempt in progress: the second insert hits the
    constraint and resumes the first's attempt."""
    person = env.org.officer_a1.person
    now = timezone.now()
    first = actions.begin_attempt(
        env.org.officer_a1, person=person, exam=env.exam, number=1, now=now
    )
    second = actions.begin_attempt(
        env.org.officer_a1, person=person, exam=env.exam, number=2, now=now
    )
    assert second.pk == first.pk
    assert Attempt.objects.filter(exam=env.exam, person=person).count() == 1
    again = actions.start_attempt(env.org.officer_a1, exam=env.exam, now=now)
    assert again.pk == first.pk


def test_questions_in_an_open_attempt_keep_their_type_options_and_key(env, login):
    from django.core.exceptions import ValidationError

    from zhengdun.learning.exams.actions import QuestionData

    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    item = next(i for i in attempt.items if i["k"] == "single")
    question = Question.objects.get(pk=item["q"])
    same = QuestionData("single", question.text, question.options, question.answer)
    with pytest.raises(ValidationError, match="有人正在作答"):
        actions.update_question(
            env.org.office,
            question,
            data=QuestionData("single", question.text, question.options, [2]),
            version=question.version,
        )
    with pytest.raises(ValidationError, match="有人正在作答"):
        actions.update_question(
            env.org.office,
            question,
            data=QuestionData("true_false", question.text, [], [True]),
            version=question.version,
        )
    same.text = "改过的题干"
    actions.update_question(env.org.office, question, data=same, version=question.version)
    assert Question.objects.get(pk=question.pk).text == "改过的题干"


def test_grading_uses_the_type_stored_in_the_attempt(env, login):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    assert put(client, data["id"], correct_answers(attempt)).status_code == 200
    single = [i["q"] for i in attempt.items if i["k"] == "single"]
    Question.objects.filter(pk__in=single).update(kind="multiple")  # changed behind its back
    result = client.post(
        f"{API}/attempts/{data['id']}/submit", data="{}", content_type="application/json"
    ).json()
    assert result["percent"] == 100.0


def test_an_earlier_close_or_shorter_limit_cuts_open_deadlines(env, login):
    from tests.exams.conftest import exam_data

    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    attempt = Attempt.objects.get(pk=data["id"])
    assert attempt.deadline == attempt.started_at + timedelta(minutes=30)
    exam = env.exam
    closes = attempt.started_at + timedelta(minutes=20)
    changed = exam_data(env.org, opens_at=exam.opens_at, closes_at=closes)
    exam = actions.update_exam(env.org.office, exam, data=changed, version=exam.version)
    attempt.refresh_from_db()
    assert attempt.deadline == closes
    shorter = exam_data(env.org, opens_at=exam.opens_at, closes_at=closes, time_limit=5)
    actions.update_exam(env.org.office, exam, data=shorter, version=exam.version)
    attempt.refresh_from_db()
    assert attempt.deadline == attempt.started_at + timedelta(minutes=5)


def test_a_bad_answer_in_an_autosave_does_not_lose_the_good_ones(env, login):
    client = login(env.org.officer_a1)
    data = start(client, env.exam)
    fill = next(i for i in data["items"] if i["kind"] == "fill")
    single = next(i for i in data["items"] if i["kind"] == "single")
    response = put(client, data["id"], {str(fill["id"]): "写好的", str(single["id"]): 99})
    assert response.status_code == 400 and response.json()["detail"]
    assert Attempt.objects.get(pk=data["id"]).answers == {str(fill["id"]): "写好的"}
