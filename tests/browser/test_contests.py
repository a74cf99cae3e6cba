"""Contests in a real browser, on the demo (learning/contests/demo.py).

1. A judge scores on a phone: the demo ``leader`` sits on the panel of the speech contest under
   way (the other four judges have scored); on a 390 × 844 screen they open the contest, score
   the first entry on each criterion of the rubric, and see their own scores only (no ranking,
   no other judge's numbers) until the contest is closed.
2. A live knowledge contest: the ``office`` runs the final (ready, nothing shown yet) from the
   host console while a second page shows the big screen. For two questions: the screen shows
   the question without its answer, the host records the teams' answers (one right, one wrong),
   reveals, and the screen (refreshed by htmx) shows the answer and the new scores.

Screenshots of each step go to var/screenshots/. Nothing may be fetched from elsewhere and no
script, console or content security policy error may show up; no phone page scrolls sideways.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.test_shell import outside, record_traffic
from zhengdun.learning.contests import demo
from zhengdun.learning.contests.models import Contest, Judge, RoundQuestion, Score
from zhengdun.learning.exams.actions import letters
from zhengdun.learning.exams.models import QuestionKind

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
pytestmark = pytest.mark.browser


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner + 1, (page.url, width, inner)


def key_text(question) -> str:
    """How a host types the correct answer of a bank question."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return "".join(letters(len(question.options))[i] for i in question.answer)
    if question.kind == QuestionKind.TRUE_FALSE:
        return "对" if question.answer[0] else "错"
    return question.answer[0]


def wrong_text(question) -> str:
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        wrong = [i for i in range(len(question.options)) if i not in question.answer][:1]
        return letters(len(question.options))[wrong[0]]
    if question.kind == QuestionKind.TRUE_FALSE:
        return "错" if question.answer[0] else "对"
    return "不知道"


@pytest.mark.browser_context_args(**PHONE)
def test_judge_scores_an_entry_on_a_phone(log_in, shot, page, live_server, server_host):
    requests, problems = record_traffic(page)
    contest = Contest.objects.get(name=demo.SPEECH)
    leader = get_user_model().objects.get(username="leader")
    judge = Judge.objects.get(contest=contest, person__user=leader)
    entry = contest.entries.order_by("id").first()
    criteria = list(contest.criteria.order_by("order"))
    assert not Score.objects.filter(judge=judge).exists()
    others = set(
        Score.objects.filter(entry=entry).exclude(judge=judge).values_list("value", flat=True)
    )
    assert others

    log_in("leader")
    page.goto(live_server.url + "/learning/contests/")
    shot("list")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.get_by_role("link", name=demo.SPEECH).click()
    sheet = page.get_by_test_id("my-sheet")
    expect(sheet).to_be_visible()
    expect(page.get_by_test_id("ranking")).to_have_count(0)
    shot("contest")
    no_sideways_scroll(page)
    with page.expect_navigation():
        sheet.locator(f"a[href='/learning/contests/entries/{entry.pk}/score/']").click()
    expect(page.locator("h1")).to_have_text(entry.title)
    # An impossible score first: refused beside its field, nothing typed lost.
    page.fill(f"#id_c{criteria[0].pk}", "150")
    for criterion in criteria[1:]:
        page.fill(f"#id_c{criterion.pk}", "88")
    with page.expect_navigation():
        page.get_by_test_id("score-form").locator("button[type=submit]").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator(f"#id_c{criteria[1].pk}")).to_have_value("88")
    shot("refused")
    no_sideways_scroll(page)
    page.fill(f"#id_c{criteria[0].pk}", "92.5")
    with page.expect_navigation():
        page.get_by_test_id("score-form").locator("button[type=submit]").click()
    expect(page.locator(".messages li.success")).to_be_visible()
    shot("saved")
    no_sideways_scroll(page)
    saved = dict(Score.objects.filter(judge=judge, entry=entry).values_list("criterion", "value"))
    assert saved[criteria[0].pk] == 92.5 and all(saved[c.pk] == 88 for c in criteria[1:])
    text = page.get_by_test_id("my-sheet").inner_text()
    assert "92.5" in text
    # Another judge's numbers are nowhere on the page before the contest closes.
    body = page.locator("main").inner_text()
    assert not any(f"{value.normalize():f}" in body for value in others if value not in (88,))
    assert outside(requests, server_host) == []
    assert problems == []


def test_host_runs_two_questions_while_the_screen_follows(
    log_in, shot, page, live_server, server_host, screenshots
):
    requests, problems = record_traffic(page)
    contest = Contest.objects.get(name=demo.QUIZ_LIVE)
    teams = list(contest.entries.order_by("id"))
    first_team, second_team = teams[0], teams[1]
    rows = list(RoundQuestion.objects.filter(contest=contest).select_related("question")[:2])

    log_in("office")
    page.goto(live_server.url + f"/learning/contests/{contest.pk}/host/")
    shot("host-start")
    screen = page.context.new_page()
    screen_requests, screen_problems = record_traffic(screen)
    screen.set_viewport_size({"width": 1600, "height": 900})
    screen.goto(live_server.url + f"/learning/contests/{contest.pk}/screen/")
    expect(screen.get_by_test_id("screen")).to_be_visible()
    screen.screenshot(path=str(screenshots / "test_host_runs_two_questions-screen-start.png"))

    expected = {first_team.title: 0, second_team.title: 0}
    for round_number, row in enumerate(rows, start=1):
        question = row.question
        with page.expect_navigation():
            page.get_by_test_id("next").click()
        expect(page.get_by_test_id("host-question")).to_contain_text(question.text)
        # The screen picks the question up by itself, without its answer.
        expect(screen.get_by_test_id("screen-text")).to_have_text(question.text, timeout=8000)
        expect(screen.get_by_test_id("screen-answer")).to_have_count(0)
        screen.screenshot(
            path=str(screenshots / f"test_host_runs_two_questions-screen-q{round_number}.png")
        )
        for team, answer in ((first_team, key_text(question)), (second_team, wrong_text(question))):
            page.fill(f"#a{team.pk}", answer)
            with page.expect_navigation():
                page.locator(f"tr[data-team='{team.title}'] button[type=submit]").click()
            expect(page.locator(".messages li.success")).to_be_visible()
        expected[first_team.title] += int(contest.points_correct)
        expected[second_team.title] -= int(contest.penalty_wrong)
        shot(f"host-q{round_number}")
        # Still no answer on the screen before the reveal.
        screen.wait_for_timeout(2500)
        expect(screen.get_by_test_id("screen-answer")).to_have_count(0)
        with page.expect_navigation():
            page.get_by_test_id("reveal").click()
        answer = screen.get_by_test_id("screen-answer")
        expect(answer).to_be_visible(timeout=8000)
        if question.options:
            expect(answer).to_contain_text(key_text(question))
        for title, points in expected.items():
            expect(
                screen.locator(f"[data-testid=screen-scores] li[data-team='{title}'] .points")
            ).to_have_text(str(points), timeout=8000)
        screen.screenshot(
            path=str(screenshots / f"test_host_runs_two_questions-screen-a{round_number}.png")
        )
    assert outside(requests + screen_requests, server_host) == []
    assert problems == [] and screen_problems == []


@pytest.mark.browser_context_args(**PHONE)
def test_liaison_reads_pass_rates_of_their_county_on_a_phone(
    log_in, shot, page, live_server, server_host
):
    """东坡's liaison sees the plan from their county down, and not 彭山's results."""
    from zhengdun.learning.contests.models import DrillPlan
    from zhengdun.org.models import Unit

    requests, problems = record_traffic(page)
    plan = DrillPlan.objects.get(name=demo.PLAN_NAME)
    log_in("liaison")
    page.goto(live_server.url + f"/learning/contests/drills/{plan.pk}/")
    rates = page.get_by_test_id("unit-rates")
    expect(rates).to_contain_text("苏祠")
    expect(rates).not_to_contain_text("彭山")
    shot("plan")
    no_sideways_scroll(page)
    other = Unit.objects.get(code="PS")
    response = page.goto(live_server.url + f"/learning/contests/drills/{plan.pk}/?unit={other.pk}")
    assert response.status == 404
    page.goto(live_server.url + f"/learning/contests/drills/{plan.pk}/results/?failed=1")
    expect(page.get_by_test_id("results")).to_be_visible()
    shot("failed")
    no_sideways_scroll(page)
    assert outside(requests, server_host) == []
    assert [p for p in problems if "404" not in p] == []
