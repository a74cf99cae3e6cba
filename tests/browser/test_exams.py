"""An exam on a phone, in a real browser, on the demo (learning/exams/demo_data.py): the demo
login ``officer`` opens the open exam (执勤执法专项考试, not taken yet), answers half of the
questions (each change autosaved), reloads the page mid-exam (the answers are still there and
the countdown goes on from the server's deadline), answers the rest, hands in and passes.

390 × 844, a phone's screen. Questions are found by their ``data-question`` ids and answered
with the keys read from the database (the page itself never carries them); nothing may be
fetched from elsewhere, no script or console error, no sideways scroll.
"""

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.test_shell import outside, record_traffic
from zhengdun.learning.exams.demo_data import OPEN_TITLE
from zhengdun.learning.exams.models import Attempt, AttemptState, Exam, Question

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
pytestmark = [pytest.mark.browser, pytest.mark.browser_context_args(**PHONE)]

MY_EXAMS = "/learning/exams/"


@pytest.fixture
def traffic(page, server_host):
    requests, problems = record_traffic(page)
    yield requests, problems
    assert requests
    assert outside(requests, server_host) == []
    assert problems == []


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner + 1, (page.url, width, inner)


def answer(page, item: dict, key: list) -> None:
    """Answer one question correctly, as a person would: tap the options, type the text."""
    box = page.locator(f"fieldset[data-question='{item['q']}']")
    name = f"q{item['q']}"
    if item["k"] == "single":
        box.locator(f"input[name='{name}'][value='{key[0]}']").check()
    elif item["k"] == "multiple":
        for value in key:
            box.locator(f"input[name='{name}'][value='{value}']").check()
    elif item["k"] == "true_false":
        box.locator(f"input[name='{name}'][value='{'true' if key[0] else 'false'}']").check()
    else:
        box.locator(f"input[name='{name}']").fill(key[0])
        box.locator(f"input[name='{name}']").blur()


def saved(attempt: Attempt, count: int, live_server) -> dict:
    """Wait until the server holds ``count`` answers (autosave is asynchronous)."""
    for _try in range(50):
        live_server.thread.httpd.get_app().idle()
        attempt.refresh_from_db()
        if len(attempt.answers) >= count:
            return attempt.answers
        time.sleep(0.1)
    raise AssertionError(f"only {len(attempt.answers)} of {count} answers saved")


def seconds_shown(page) -> int:
    minutes, seconds = re.match(r"(\d+):(\d\d)", page.locator("[data-timer]").inner_text()).groups()
    return int(minutes) * 60 + int(seconds)


def test_officer_takes_and_passes_the_open_exam_with_a_reload(
    log_in, shot, page, live_server, traffic
):
    exam = Exam.objects.get(title=OPEN_TITLE)
    assert not Attempt.objects.filter(exam=exam, person__user__username="officer").exists()
    log_in("officer")
    page.goto(live_server.url + MY_EXAMS)
    shot("my-exams")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=open-exams] a", has_text=OPEN_TITLE).first.tap()
    shot("exam")
    with page.expect_navigation():
        page.locator("[data-testid=start]").tap()
    expect(page.locator("[data-testid=attempt-form]")).to_be_visible()
    attempt = Attempt.objects.get(exam=exam, person__user__username="officer")
    keys = dict(
        Question.objects.filter(pk__in=[i["q"] for i in attempt.items]).values_list("id", "answer")
    )
    html = page.content()
    for question_id, key in keys.items():
        if isinstance(key[0], str):  # no fill-in key filled in or hidden in the page
            assert f'value="{key[0]}"' not in html, question_id
    assert "is-right" not in html and 'data-testid="result"' not in html
    half = len(attempt.items) // 2
    for item in attempt.items[:half]:
        answer(page, item, keys[item["q"]])
    saved(attempt, half, live_server)
    shot("half-answered")
    no_sideways_scroll(page)
    before = seconds_shown(page)
    assert 0 < before <= exam.time_limit * 60

    page.wait_for_timeout(1500)
    page.reload()
    expect(page.locator("[data-testid=attempt-form]")).to_be_visible()
    shot("after-reload")
    for item in attempt.items[:half]:
        box = page.locator(f"fieldset[data-question='{item['q']}']")
        if item["k"] == "fill":
            expect(box.locator("input[type=text]")).to_have_value(keys[item["q"]][0])
        else:
            expect(box.locator("input:checked")).not_to_have_count(0)
    after = seconds_shown(page)
    assert after < before, (before, after)  # the countdown went on, it did not restart
    page.wait_for_timeout(1200)
    assert seconds_shown(page) < after  # and it keeps running

    for item in attempt.items[half:]:
        answer(page, item, keys[item["q"]])
    saved(attempt, len(attempt.items), live_server)
    shot("all-answered")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("[data-testid=submit]").tap()
    result = page.locator("[data-testid=result]")
    expect(result).to_be_visible()
    shot("result")
    no_sideways_scroll(page)
    attempt.refresh_from_db()
    assert attempt.state == AttemptState.SUBMITTED
    assert attempt.passed and attempt.percent == 100
    expect(result).to_contain_text(f"{attempt.score} / {attempt.max_score}")
