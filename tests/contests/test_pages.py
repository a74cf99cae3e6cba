"""Pages: scope (another county's results are not found), the judge's blind sheet, the big
screen never showing an answer before it is revealed, and bounded query counts on lists."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.contests.conftest import ON
from tests.factories import PersonFactory
from zhengdun.learning.contests import actions
from zhengdun.learning.contests.models import ContestState, Result


def test_plan_pages_render_for_the_office(org, login, plan, run_subject, law_subject):
    actions.record_result(
        org.office, subject=run_subject, person=org.p_b1, value="850", tested_on=ON
    )
    client = login(org.office)
    for name in ("plan_detail", "result_list", "untested", "result_record", "results_import"):
        response = client.get(reverse(f"contests:{name}", args=[plan.pk]))
        assert response.status_code == 200, name
    assert client.get(reverse("contests:plan_list")).status_code == 200
    template = client.get(reverse("contests:results_template", args=[plan.pk]))
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")


def test_liaison_cannot_see_or_record_another_countys_results(org, login, plan, run_subject):
    actions.record_result(
        org.office, subject=run_subject, person=org.p_b1, value="850", tested_on=ON
    )
    client = login(org.liaison_a)
    page = client.get(reverse("contests:result_list", args=[plan.pk]))
    assert "凤鸣民警" not in page.content.decode()
    for name in ("plan_detail", "result_list"):
        url = reverse(f"contests:{name}", args=[plan.pk]) + f"?unit={org.county_b.pk}"
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("contests:result_record", args=[plan.pk]),
        {
            "subject": run_subject.pk,
            "police_number": org.p_b1.police_number,
            "value": "700",
            "tested_on": "2026-11-20",
        },
    )
    assert response.status_code == 200
    assert Result.objects.get().value == 850
    response = client.post(
        reverse("contests:result_record", args=[plan.pk]),
        {
            "subject": run_subject.pk,
            "police_number": org.p_a2.police_number,
            "value": "700",
            "tested_on": "2026-11-20",
        },
    )
    assert response.status_code == 302
    assert Result.objects.filter(person=org.p_a2, passed=True).exists()


def test_outsider_and_other_plans_not_found(org, login, plan):
    assert (
        login(org.outsider).get(reverse("contests:plan_detail", args=[plan.pk])).status_code == 404
    )
    assert (
        login(org.liaison_a).get(reverse("contests:subject_create", args=[plan.pk])).status_code
        == 404
    )


@pytest.mark.parametrize("people", [3, 30])
def test_result_list_queries_bounded(
    org, login, plan, run_subject, people, django_assert_max_num_queries
):
    for _i in range(people):
        person = PersonFactory(unit=org.station_a1)
        actions.record_result(
            org.office, subject=run_subject, person=person, value="850", tested_on=ON
        )
    client = login(org.liaison_a)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("contests:result_list", args=[plan.pk])).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("contests:plan_detail", args=[plan.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("contests:untested", args=[plan.pk])).status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_contest_list_queries_bounded(org, login, count, django_assert_max_num_queries):
    for i in range(count):
        actions.create_contest(
            org.office,
            kind="essay",
            name=f"征文{i}",
            unit=org.city,
            held_on=ON,
            criteria=[("内容", "1", "100")],
        )
    client = login(org.liaison_a)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("contests:contest_list"))
    assert page.status_code == 200 and f"征文{count - 1}" in page.content.decode()


def test_judge_page_shows_only_own_scores_until_closed(
    org, login, running_essay, essay_entries, judge_users
):
    first, second = running_essay.criteria.order_by("order")
    actions.score_entry(
        judge_users[0], entry=essay_entries[0], values={first.pk: 81, second.pk: 82}
    )
    actions.score_entry(
        judge_users[1], entry=essay_entries[0], values={first.pk: 97, second.pk: 96}
    )
    client = login(judge_users[0])
    page = client.get(reverse("contests:contest_detail", args=[running_essay.pk])).content.decode()
    assert "81" in page and "97" not in page and 'data-testid="ranking"' not in page
    other = login(judge_users[1]).get(reverse("contests:entry_score", args=[essay_entries[0].pk]))
    assert 'value="97' in other.content.decode()
    client = login(judge_users[0])
    actions.set_state(org.office, contest=running_essay, state=ContestState.CLOSED)
    page = client.get(reverse("contests:contest_detail", args=[running_essay.pk])).content.decode()
    assert 'data-testid="ranking"' in page and "96.4" in page and "81.6" in page


def test_judge_scores_through_the_page_and_conflict_is_refused(
    org, login, running_essay, essay_entries, judge_users
):
    first, second = running_essay.criteria.order_by("order")
    client = login(judge_users[0])
    url = reverse("contests:entry_score", args=[essay_entries[0].pk])
    bad = client.post(url, {f"c{first.pk}": "120", f"c{second.pk}": "80"})
    assert bad.status_code == 200 and 'value="80"' in bad.content.decode()
    assert client.post(url, {f"c{first.pk}": "90", f"c{second.pk}": "80"}).status_code == 302
    from tests.contests.conftest import judge_user
    from zhengdun.learning.contests.models import Judge

    author = judge_user(org.p_a2, "author")
    Judge.objects.create(contest=running_essay, person=org.p_a2)
    own = login(author).post(
        reverse("contests:entry_score", args=[essay_entries[1].pk]),
        {f"c{first.pk}": "100", f"c{second.pk}": "100"},
    )
    assert own.status_code == 200 and running_essay.entries.get(title="乙文").refusals.count() == 1
    # Someone who is not a judge gets nothing.
    assert login(org.liaison_a).get(url).status_code == 404


def test_screen_never_shows_the_answer_before_reveal(org, login, quiz):
    actions.set_state(org.office, contest=quiz, state=ContestState.RUNNING)
    client = login(org.office)
    live = reverse("contests:screen_live", args=[quiz.pk])
    assert client.get(reverse("contests:screen", args=[quiz.pk])).status_code == 200
    actions.show_next(org.office, contest=quiz)  # single choice: 甲乙丙丁, answer C (丙)
    page = client.get(live).content.decode()
    assert "单选题一" in page and 'data-testid="screen-answer"' not in page
    host = client.get(reverse("contests:host", args=[quiz.pk])).content.decode()
    assert "<strong>C</strong>" in host  # the host sees the key
    actions.reveal(org.office, contest=quiz)
    page = client.get(live).content.decode()
    assert 'data-testid="screen-answer"' in page and "：C" in page
    actions.show_next(org.office, contest=quiz)  # true/false
    page = client.get(live).content.decode()
    assert "判断题二" in page and 'data-testid="screen-answer"' not in page


def test_host_runs_the_round_through_the_pages(org, login, quiz):
    client = login(org.office)
    client.post(reverse("contests:contest_state", args=[quiz.pk]), {"state": "running"})
    client.post(reverse("contests:host_step", args=[quiz.pk, "next"]))
    dongpo = quiz.entries.get(title="东坡队")
    client.post(
        reverse("contests:host_answer", args=[quiz.pk]), {"entry": dongpo.pk, "answer": "C"}
    )
    client.post(reverse("contests:host_step", args=[quiz.pk, "reveal"]))
    page = client.get(reverse("contests:screen_live", args=[quiz.pk])).content.decode()
    assert 'data-team="东坡队"' in page and ">10<" in page
    # A liaison is not a host.
    assert (
        login(org.liaison_a).post(reverse("contests:host_step", args=[quiz.pk, "next"])).status_code
        == 404
    )


def test_a_judge_enters_a_teams_answer_but_does_not_move_the_round(org, login, quiz):
    from tests.contests.conftest import judge_user
    from zhengdun.learning.contests.models import Judge, TeamAnswer

    user = judge_user(org.p_dept, "quiz_judge")
    Judge.objects.create(contest=quiz, person=org.p_dept)
    actions.set_state(org.office, contest=quiz, state=ContestState.RUNNING)
    actions.show_next(org.office, contest=quiz)
    client = login(user)
    console = client.get(reverse("contests:host", args=[quiz.pk])).content.decode()
    assert 'data-testid="reveal"' not in console and 'data-testid="answers"' in console
    team = quiz.entries.get(title="彭山队")
    client.post(reverse("contests:host_answer", args=[quiz.pk]), {"entry": team.pk, "answer": "C"})
    assert TeamAnswer.objects.get(entry=team).correct
    assert client.post(reverse("contests:host_step", args=[quiz.pk, "reveal"])).status_code == 404


def test_import_page_shows_row_messages_and_saves_nothing(org, login, plan, run_subject):
    from tests.contests.test_drills import _upload

    rows = [
        ["警号", "3000米跑"],
        [org.p_a1.police_number, 850],
        [org.p_b1.police_number, 800],
    ]
    client = login(org.liaison_a)
    url = reverse("contests:results_import", args=[plan.pk])
    page = client.post(url, {"file": _upload(rows), "commit": "on"})
    assert page.status_code == 200 and 'data-testid="import-outcome"' in page.content.decode()
    assert not Result.objects.exists()
    saved = client.post(url, {"file": _upload(rows[:2]), "commit": "on"})
    assert saved.status_code == 302 and Result.objects.count() == 1
    wrong = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert wrong.status_code == 200 and "Excel" in wrong.content.decode()


def test_organiser_pages_render_and_forms_keep_input(org, login, plan, quiz, campaign):
    competition = actions.create_competition(
        org.office, plan=plan, name="擒敌", held_on=ON, points="5,3"
    )
    client = login(org.office)
    for url in (
        reverse("contests:plan_create"),
        reverse("contests:subject_create", args=[plan.pk]),
        reverse("contests:competition_create", args=[plan.pk]),
        reverse("contests:competition_detail", args=[competition.pk]),
        reverse("contests:contest_create"),
        reverse("contests:contest_detail", args=[quiz.pk]),
        reverse("contests:entry_add", args=[quiz.pk]),
        reverse("contests:host", args=[quiz.pk]),
    ):
        assert client.get(url).status_code == 200, url
    page = client.post(
        reverse("contests:contest_create"),
        {
            "kind": "essay", "name": "无评分标准的征文", "unit": org.city.pk,
            "held_on": "2026-11-20", "criteria": "", "points_correct": "10",
            "penalty_wrong": "0", "award_mode": "rank", "first": "1",
        },
    )  # fmt: skip
    assert page.status_code == 200 and "无评分标准的征文" in page.content.decode()
    made = client.post(
        reverse("contests:contest_create"),
        {
            "kind": "speech", "name": "演讲比赛", "unit": org.city.pk, "campaign": campaign.pk,
            "held_on": "2026-11-20", "criteria": "内容,0.6,100\n表达,0.4,100",
            "judges": org.p_dept.police_number, "points_correct": "10", "penalty_wrong": "0",
            "award_mode": "rank", "first": "1", "second": "1",
        },
    )  # fmt: skip
    assert made.status_code == 302
    from zhengdun.learning.contests.models import Contest

    contest = Contest.objects.get(name="演讲比赛")
    assert contest.criteria.count() == 2 and contest.judges.get().person == org.p_dept
    assert set(contest.award_levels) == {"first", "second", "third"}
