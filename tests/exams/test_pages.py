"""The pages: taking an exam without JavaScript, answers hidden before submit, resume, 404s,
the bank and the results, bounded queries."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.exams.conftest import close_now, correct_answers, make_bank
from zhengdun.learning.exams.models import Attempt, AttemptState, Question


def start_page(client, exam):
    response = client.post(reverse("exams:exam_start", args=[exam.pk]))
    assert response.status_code == 302
    return Attempt.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_my_exams_lists_the_open_exam(env, login):
    page = login(env.org.officer_a1).get(reverse("exams:my_exams")).content.decode()
    assert env.exam.title in page


def test_take_and_hand_in_without_javascript(env, login):
    client = login(env.org.officer_a1)
    attempt = start_page(client, env.exam)
    form = {}
    for qid, value in correct_answers(attempt).items():
        if isinstance(value, list):
            form[f"q{qid}"] = [str(v) for v in value]
            form[f"seen{qid}"] = "1"
        elif isinstance(value, bool):
            form[f"q{qid}"] = "true" if value else "false"
        else:
            form[f"q{qid}"] = str(value)
    form["submit"] = "1"
    response = client.post(reverse("exams:attempt_save", args=[attempt.pk]), form, follow=True)
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED and attempt.passed
    assert "100.0%" in response.content.decode()


def test_attempt_page_in_progress_reveals_no_answer(env, login):
    Question.objects.update(explanation="解析文字不应出现")
    client = login(env.org.officer_a1)
    attempt = start_page(client, env.exam)
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert "解析文字不应出现" not in html
    assert "八项规定" not in html  # the fill-in key
    assert "is-right" not in html and "is-wrong" not in html
    assert 'data-testid="result"' not in html
    assert html.count("<fieldset") == len(attempt.items)


def test_graded_attempt_page_shows_only_the_score_until_the_exam_closes(env, login):
    assert env.exam.attempts_allowed == 2
    Question.objects.update(explanation="解析文字不应出现")
    client = login(env.org.officer_a1)
    attempt = start_page(client, env.exam)
    client.post(reverse("exams:attempt_save", args=[attempt.pk]), {"submit": "1"})
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'data-testid="result"' in html and 'data-testid="key-later"' in html
    assert "解析文字不应出现" not in html and "八项规定" not in html
    assert "is-right" not in html and "is-wrong" not in html
    close_now(env.exam)
    html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert "解析文字不应出现" in html and "is-wrong" in html
    assert 'data-testid="key-later"' not in html


def test_resume_shows_saved_answers_and_the_server_time_left(env, login):
    client = login(env.org.officer_a1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        attempt = start_page(client, env.exam)
        fill = next(i for i in attempt.items if i["k"] == "fill")
        single = next(i for i in attempt.items if i["k"] == "single")
        client.post(
            reverse("exams:attempt_save", args=[attempt.pk]),
            {f"q{fill['q']}": "我的答案", f"q{single['q']}": str(single["o"][2])},
        )
        traveller.shift(timedelta(minutes=12))
        html = client.get(reverse("exams:attempt", args=[attempt.pk])).content.decode()
    assert 'value="我的答案"' in html
    assert re.search(rf'name="q{single["q"]}" value="{single["o"][2]}" checked', html)
    assert 'data-seconds="1080"' in html  # 30 minutes − 12


def test_a_late_page_save_is_refused_with_a_message(env, login):
    client = login(env.org.officer_a1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        attempt = start_page(client, env.exam)
        fill = next(i for i in attempt.items if i["k"] == "fill")
        traveller.shift(timedelta(minutes=31))
        response = client.post(
            reverse("exams:attempt_save", args=[attempt.pk]),
            {f"q{fill['q']}": "迟到的答案"},
            follow=True,
        )
    attempt.refresh_from_db()
    assert attempt.answers == {}
    assert attempt.state == AttemptState.EXPIRED
    assert "迟到的答案" not in str(attempt.answers)
    assert response.status_code == 200


def test_another_persons_attempt_page_is_not_found(env, login):
    attempt = start_page(login(env.org.officer_a1), env.exam)
    for user in (env.org.leader_a, env.org.office, env.org.admin):
        client = login(user)
        assert client.get(reverse("exams:attempt", args=[attempt.pk])).status_code == 404
        response = client.post(reverse("exams:attempt_save", args=[attempt.pk]), {"submit": "1"})
        assert response.status_code == 404


def test_exam_outside_the_audience_is_not_found(env, login):
    client = login(env.org.outsider)
    assert client.get(reverse("exams:exam_detail", args=[env.exam.pk])).status_code == 404
    assert client.post(reverse("exams:exam_start", args=[env.exam.pk])).status_code == 404


def test_bank_pages_are_for_authors_only(env, login):
    question = env.bank[0]
    for user in (env.org.officer_a1, env.org.leader_a):
        client = login(user)
        assert client.get(reverse("exams:question_list")).status_code == 404
        assert client.get(reverse("exams:question_edit", args=[question.pk])).status_code == 404
    client = login(env.org.office)
    assert question.text in client.get(reverse("exams:question_list")).content.decode()


def test_author_creates_a_question_and_a_bad_one_keeps_the_input(env, login):
    client = login(env.org.office)
    url = reverse("exams:question_create")
    bad = {
        "unit": env.org.city.pk,
        "kind": "single",
        "text": "新题目文字",
        "options": "甲\n乙",
        "answer": "C",
    }
    response = client.post(url, bad)
    assert response.status_code == 200 and "新题目文字" in response.content.decode()
    response = client.post(url, {**bad, "answer": "B", "chapter": "第九章"})
    assert response.status_code == 302
    question = Question.objects.get(text="新题目文字")
    assert question.answer == [1] and {t.name for t in question.tags.all()} == {"第九章"}


def test_bank_list_filters_by_kind_and_tag(env, login):
    client = login(env.org.office)
    page = client.get(reverse("exams:question_list"), {"kind": "fill"}).content.decode()
    assert "填空题0" in page and "单选题0" not in page


@pytest.mark.parametrize("per_kind", [1, 8])
def test_bank_list_queries_are_bounded(org, login, django_assert_max_num_queries, per_kind):
    make_bank(org.office, org.city, per_kind=per_kind)
    client = login(org.office)
    client.get(reverse("exams:question_list"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("exams:question_list")).status_code == 200


def test_exam_form_creates_and_publishes_with_rules(env, login):
    client = login(env.org.office)
    now = timezone.localtime()
    data = {
        "unit": env.org.city.pk,
        "title": "新考试",
        "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit": 20,
        "pass_mark": 60,
        "attempts_allowed": 1,
        "audience_units": [env.org.county_b.pk],
        "rules-TOTAL_FORMS": 6,
        "rules-INITIAL_FORMS": 0,
        "rules-MIN_NUM_FORMS": 6,
        "rules-MAX_NUM_FORMS": 6,
        "rules-0-kind": "fill",
        "rules-0-count": 9,
        "rules-0-points": 1,
        "publish": "1",
    }
    response = client.post(reverse("exams:manage_create"), data)
    assert response.status_code == 200
    assert "6" in response.content.decode() and "9" in response.content.decode()
    data["rules-0-count"] = 3
    response = client.post(reverse("exams:manage_create"), data)
    assert response.status_code == 302
    from zhengdun.learning.exams.models import Exam

    exam = Exam.objects.get(title="新考试")
    assert exam.is_published and exam.rules.get().count == 3


def test_one_bad_posted_answer_keeps_the_others_and_the_typed_text(env, login):
    client = login(env.org.officer_a1)
    attempt = start_page(client, env.exam)
    fill = next(i for i in attempt.items if i["k"] == "fill")
    single = next(i for i in attempt.items if i["k"] == "single")
    url = reverse("exams:attempt_save", args=[attempt.pk])
    form = {f"q{fill['q']}": "我打的答案", f"q{single['q']}": "乱填"}
    for extra in ({}, {"submit": "1"}):
        response = client.post(url, {**form, **extra})
        assert response.status_code == 400
        html = response.content.decode()
        assert "我打的答案" in html and 'data-testid="answer-error"' in html
        attempt.refresh_from_db()
        assert attempt.state == AttemptState.IN_PROGRESS
        assert attempt.answers == {str(fill["q"]): "我打的答案"}
    response = client.post(url, {**form, "submit": "1", "timeup": "1"})
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.answers == {str(fill["q"]): "我打的答案"}


def test_my_exams_and_the_open_exams_api_are_paginated(env, login, settings):
    from tests.exams.conftest import exam_data
    from zhengdun.learning.exams import actions

    later = actions.create_exam(
        env.org.office,
        unit=env.org.city,
        data=exam_data(
            env.org, title="第二场考试", opens_at=env.exam.opens_at + timedelta(minutes=1)
        ),
        publish=True,
    )
    settings.ZHENGDUN_PAGE_SIZE = 1
    client = login(env.org.officer_a1)
    first = client.get(reverse("exams:my_exams")).content.decode()
    second = client.get(reverse("exams:my_exams") + "?page=2").content.decode()
    assert later.title in first and env.exam.title not in first
    assert env.exam.title in second and later.title not in second
    page = client.get("/api/v1/learning/exams?page=2&page_size=1").json()
    assert page["count"] == 2 and [e["id"] for e in page["items"]] == [env.exam.pk]
