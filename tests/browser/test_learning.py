"""Learning on a phone, in a real browser, on the demo (learning/demo.py): 东坡's ``liaison``
records a study session with its attendance; the demo ``officer`` (苏祠, DP-01) writes the
three talks; 东坡's leader (``leader_dp``) reads them and comments, and the officer finds the
comment. Everything runs at 390 × 844; no page may scroll sideways, and nothing is fetched
from elsewhere.
"""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.browser.test_shell import outside, record_traffic
from zhengdun.learning.demo import TALK_ROUND
from zhengdun.learning.models import Attendance, Session, Talk, TalkRound
from zhengdun.org.models import Person, PersonStatus, Unit

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
pytestmark = [pytest.mark.browser, pytest.mark.browser_context_args(**PHONE)]

TOPIC = "学习《公安机关人民警察纪律条令》"
TALK = {
    "mission": "我对使命任务的认识：对党忠诚、服务人民、执法公正、纪律严明，守护一方平安。",
    "shortcomings": "自身存在的不足：学习不够深入，走访群众不够勤，执法记录仪使用不规范。",
    "direction": "突破口和努力方向：以社区走访为抓手，每周走访二十户，规范执法全过程记录。",
}
COMMENT = "认识深刻，问题找得准，请把走访计划落到实处。"


@pytest.fixture
def traffic(page, server_host):
    requests, problems = record_traffic(page)
    yield requests, problems
    assert requests
    assert outside(requests, server_host) == []
    assert problems == []


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert inner == 390, inner
    assert width <= inner + 1, (page.url, width, inner)


def log_out(page) -> None:
    with page.expect_navigation():
        page.locator(".topbar form[action='/accounts/logout/'] button").click()


def test_liaison_records_a_session_with_attendance(page, live_server, log_in, shot, traffic):
    station = Unit.objects.get(code="DP-01")
    people = list(
        Person.objects.filter(unit=station, status=PersonStatus.ACTIVE).order_by("police_number")
    )
    log_in("liaison")
    page.goto(live_server.url + "/learning/")
    expect(page.locator("[data-testid=session-new]")).to_be_visible()
    shot("list")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=session-new]").tap()
    page.select_option("#id_unit", str(station.pk))
    page.fill("#id_topic", TOPIC)
    page.check("input[name=subject][value=law]")
    page.fill("#id_held_on", "2026-11-18")
    page.fill("#id_hours", "2")
    page.fill("#id_speaker", "苏祠派出所教导员")
    shot("form")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=session-form] button[type=submit]").tap()
    session = Session.objects.get(topic=TOPIC)
    assert page.url.endswith(f"/learning/sessions/{session.pk}/")
    for index, person in enumerate(people):
        status = "excused" if index == 1 else "present"
        page.check(f"input[name=mark-{person.pk}][value={status}]")
    with page.expect_navigation():
        page.locator("[data-testid=attendance-save]").tap()
    expect(page.locator(".messages li.success")).to_be_visible()
    shot("attendance")
    no_sideways_scroll(page)
    marks = dict(Attendance.objects.filter(session=session).values_list("person_id", "status"))
    assert marks[people[1].pk] == "excused"
    assert sum(1 for status in marks.values() if status == "present") == len(people) - 1
    assert session.unit == station and str(session.hours) == "2.0"


def test_officer_writes_the_three_talks_and_the_leader_comments(
    page, live_server, log_in, shot, traffic
):
    round_ = TalkRound.objects.get(title=TALK_ROUND)
    officer = get_user_model().objects.get(username="officer").person
    assert not Talk.objects.filter(round=round_, person=officer).exists()
    log_in("officer")
    page.goto(live_server.url + "/learning/talks/")
    with page.expect_navigation():
        page.locator(f"a[href='/learning/talks/rounds/{round_.pk}/']").tap()
    shot("round")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=talk-write]").tap()
    for name, text in TALK.items():
        page.fill(f"#id_{name}", text)
    shot("write")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=talk-form] button[type=submit]").tap()
    talk = Talk.objects.get(round=round_, person=officer)
    assert (talk.mission, talk.shortcomings, talk.direction) == tuple(TALK.values())
    expect(page.locator("[data-testid=talk-section]")).to_have_count(3)
    shot("written")
    log_out(page)

    log_in("leader_dp", step="leader-login")
    page.goto(live_server.url + f"/learning/talks/rounds/{round_.pk}/")
    expect(page.locator("[data-testid=completion]")).to_be_visible()
    shot("leader-round")
    no_sideways_scroll(page)
    page.goto(live_server.url + f"/learning/talks/{talk.pk}/")
    expect(page.locator("[data-testid=talk-section]").first).to_contain_text(TALK["mission"][:10])
    page.fill("#id_comment", COMMENT)
    shot("comment")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("[data-testid=comment-form] button[type=submit]").tap()
    talk.refresh_from_db()
    assert talk.comment == COMMENT and talk.commented_at is not None
    shot("commented")
    log_out(page)

    log_in("officer", step="officer-again")
    page.goto(live_server.url + f"/learning/talks/{talk.pk}/")
    expect(page.locator("[data-testid=talk-comment]")).to_contain_text(COMMENT)
    expect(page.locator("#id_mission")).to_have_count(0)
    shot("officer-reads")
    no_sideways_scroll(page)
