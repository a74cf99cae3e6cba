"""Reporting misconduct and handling the clue, in a real browser, on the demo (integrity/demo.py,
integrity/portal/demo.py).

1. A reporter with no account, on a phone: the public page /report/ publishes the reporting
   telephone numbers, mailbox and office hours; the reporter sends a report with a photo and
   gets the receipt code once (four groups of seven), and the browser holds no cookie at all.
   The discipline head (``inspector``), on a desktop in a browser of their own, finds the new
   clue and writes to the reporter. The reporter, in a fresh browser, enters the code on the
   status page (a POST: the code never shows in a URL), reads the message and answers it; the
   head sees the answer on the clue.
2. The discipline head triages the demo's waiting telephone clue (a handling mode, handlers, a
   due date; the subject's county leader is refused as a handler), records an interview and
   concludes with a disposition; the county leader and the city bureau's leader, both in the
   subject's chain of command, get the 404 page for the clue.

The pages may still change, so the tests find things by ``data-testid``, form field names and
URLs, and check what a page shows against the database; labels are compared with the label of
the same choice (``chinese``), never with a literal. Every page is recorded: nothing may be
fetched from elsewhere and no script or console error may show up (but the browser's own note
of a page answered with 400 or 404, where that is the point). Phone pages must not scroll
sideways.

A few checks are collected along the way and asserted only at the end, so that one of them does
not hide the rest of the round: pages that scroll sideways on the phone; headings, labels and
buttons left in English (the browser asks for English on purpose, and the application must
still answer in Chinese); the report's photo on the handler's clue page; and the status the
reporter sees once the handler has written (the message acknowledges the report).
"""

import re
import struct
import zlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD
from tests.browser.test_campaigns import png
from tests.browser.test_shell import outside, record_traffic
from zhengdun.integrity import actions
from zhengdun.integrity.categories import Category
from zhengdun.integrity.models import (
    Clue,
    ClueEntry,
    ClueHandler,
    ClueState,
    Disposition,
    EntryKind,
    HandlerRole,
    HandlingMode,
    Source,
)
from zhengdun.integrity.portal import files, receipts
from zhengdun.integrity.portal.models import (
    PortalPage,
    PublicMessage,
    PublicReport,
    ReportStatus,
    Sender,
)
from zhengdun.org.models import Grant, Unit
from zhengdun.org.roles import Role

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

PORTAL = "/report/"
STATUS = "/report/status/"
CLUES = "/integrity/"
HEAD = "inspector"  # the discipline head (派驻纪检监察组组长, inspector on the city bureau)
COUNTY = "DP"  # 东坡区分局
COUNTY_LEADER = "leader_dp"  # 东坡区分局's leader (selfcheck/demo.py)
CITY_LEADER = "leader"  # the city bureau's 局长
PHOTO = "现场照片.png"
# Where the photo was taken, as a phone writes it into the file: it must not be kept.
PHOTO_MARKER = b"GPS 30.0452N 103.8312E iPhone"
# The receipt code's characters (Crockford's base32: no I, L, O or U).
CODE_GROUP = re.compile(r"^[0-9A-HJKMNP-TV-Z]{7}$")
ANSWERED_WITH_ERROR = re.compile(r"the server responded with a status of 40[04]")
CJK = re.compile(r"[\u4e00-\u9fff]")


def chinese(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def clue_page(clue: Clue) -> str:
    return f"{CLUES}{clue.pk}/"


def top(page) -> None:
    """Back to the top before a full-page screenshot (else a sticky bar is drawn where the page
    was scrolled to)."""
    page.evaluate("() => window.scrollTo(0, 0)")


def sideways(page) -> str | None:
    """What scrolls sideways on a phone's screen, or None. (Recorded rather than asserted at
    once, so that one wide page does not hide the rest of the round.)"""
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert inner == PHONE["viewport"]["width"], inner
    return None if width <= inner + 1 else f"{page.url} is {width}px wide on a {inner}px screen"


def english(page) -> list[str]:
    """Headings, labels and buttons of the page's main part with no Chinese character in them:
    the browser asks for English on purpose, and the application must still answer in Chinese.
    (Recorded and asserted at the end of a test, after the round.)"""
    texts = page.locator("main :is(h1, h2, label, button)").all_inner_texts()
    return [
        f"{page.url}: {text.strip()}" for text in texts if text.strip() and not CJK.search(text)
    ]


def success(page):
    return page.locator(".messages li.success")


def photo_with_location() -> bytes:
    """A small PNG picture with a text chunk saying where it was taken (after the header)."""
    picture = png()
    body = b"Comment\x00" + PHOTO_MARKER
    chunk = (
        struct.pack(">I", len(body))
        + b"tEXt"
        + body
        + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    )
    header_end = 8 + 25  # the signature, then IHDR: length, type, 13 bytes of data, CRC
    return picture[:header_end] + chunk + picture[header_end:]


@pytest.fixture
def browsers(browser, live_server):
    """``browsers(**context_args)``: a page in a new browser context of its own (no cookie or
    storage shared with any other), closed at the end of the test."""
    opened = []

    def new(**context_args):
        context = browser.new_context(locale="en-US", **context_args)
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield new
    for context in opened:
        context.close()


@pytest.fixture
def shot_of(request, screenshots):
    """``shot_of(page, "who")`` gives ``shot`` for a page of another browser context: it saves
    var/screenshots/<test>-<who>-<step>.png."""

    def for_page(page, who: str):
        def take(step: str):
            path = screenshots / f"{request.node.originalname}-{who}-{step}.png"
            page.screenshot(path=str(path), full_page=True)
            return path

        return take

    return for_page


def sign_in(page, live_server, username: str, shot) -> None:
    """Log in through the real login form, in the given page's browser context."""
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    shot("login")
    with page.expect_navigation():
        page.click("form button[type=submit].button")


def log_out(page) -> None:
    with page.expect_navigation():
        page.locator(".topbar form[action='/accounts/logout/'] button").click()


def cookies_of(page, live_server) -> list:
    return page.context.cookies([live_server.url])


@pytest.mark.browser_context_args(**PHONE)
def test_reporter_reports_and_exchanges_messages_with_the_handler(
    visit, shot, shot_of, page, live_server, server_host, browsers, tmp_path
):
    published = PortalPage.objects.get(pk=1)
    assert published.phone_list and published.mailbox and published.office_hours
    category = Category.INTEGRITY
    what = (
        "我去通惠派出所办理户口迁移，窗口民警说材料不全办不了，"
        "暗示要“表示一下”，我给了他五百元现金后当场就办好了。"
    )
    where_when = "通惠派出所户籍窗口，本月第一个星期一上午十点左右"
    who = "户籍窗口一名戴眼镜的男民警，三十多岁"
    reply = "您好，您反映的问题已受理。请问当时是否有其他群众在场？交钱后是否给您开了票据？"
    answer = "当时还有两名群众在排队，没有开任何票据，钱是在窗口当面交给他的。"
    photo = tmp_path / PHOTO
    photo.write_bytes(photo_with_location())
    reports_before = PublicReport.objects.count()

    wide: list[str | None] = []  # pages that scroll sideways on the phone
    untranslated: list[str] = []  # headings, labels and buttons left in English
    requests, problems = record_traffic(page)
    responses = []
    page.on("response", lambda response: responses.append(response))

    # (a) The public page publishes the telephone, the mailbox and the hours (公布举报电话信箱).
    response = visit(PORTAL, "landing")
    assert response.status == 200
    wide.append(sideways(page))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    contacts = page.locator("[data-testid=portal-contacts]")
    for number in published.phone_list:
        expect(contacts.locator(f"a[href='tel:{number}']")).to_have_text(number)
    expect(contacts.locator(f"a[href='mailto:{published.mailbox}']")).to_have_text(
        published.mailbox
    )
    for line in published.office_hours.splitlines():
        expect(contacts).to_contain_text(line.strip())
    for line in published.postal_address.splitlines():
        expect(contacts).to_contain_text(line.strip())
    # What the site cannot hide is said plainly.
    expect(page.locator("[data-testid=portal-privacy]")).to_be_visible()
    untranslated += english(page)
    assert cookies_of(page, live_server) == []

    # (b) The form, filled in anonymously, with a photo.
    with page.expect_navigation():
        page.locator("[data-testid=portal-new]").tap()
    shot("form")
    wide.append(sideways(page))
    assert page.url == live_server.url + "/report/new/"
    untranslated += english(page)
    form = page.locator("[data-testid=report-form]")
    form.locator("select[name=category]").select_option(category.value)
    form.locator("textarea[name=what]").fill(what)
    form.locator("textarea[name=where_when]").fill(where_when)
    form.locator("textarea[name=who]").fill(who)
    expect(form.locator("[name=contact]")).to_have_value("")  # anonymous by default
    form.locator("input[name=attachments]").set_input_files(photo)
    top(page)
    shot("form-filled")
    assert cookies_of(page, live_server) == []  # none before sending, either
    with page.expect_navigation():
        form.locator("button[type=submit]").tap()
    shot("receipt")
    wide.append(sideways(page))

    # (c) The receipt code, once, in four groups of seven; no cookie at all.
    shown = page.locator("[data-testid=receipt-code]").inner_text().strip()
    groups = [group.strip() for group in shown.split("-")]
    assert len(groups) == 4, shown
    assert all(CODE_GROUP.match(group) for group in groups), shown
    code = "".join(groups)
    untranslated += english(page)
    assert page.context.cookies() == []
    set_cookies = [r.url for r in responses if r.header_value("set-cookie") is not None]
    assert set_cookies == []

    assert PublicReport.objects.count() == reports_before + 1
    report = PublicReport.objects.latest("pk")
    assert report.receipt_key == receipts.lookup_key(code)
    assert receipts.verify(report.receipt_hash, code)
    assert code not in report.receipt_hash
    assert (report.category, report.what, report.where_when, report.who) == (
        category,
        what,
        where_when,
        who,
    )
    assert report.anonymous and report.contact == ""
    assert report.received_on == actions.today()
    [attachment] = report.attachments.all()
    assert (attachment.name, attachment.content_type) == (PHOTO, "image/png")
    stored = files.read(attachment.stored_name)
    assert stored.startswith(b"\x89PNG") and PHOTO_MARKER not in stored  # the location is gone
    clue = Clue.objects.get(portal_report=report)
    assert (clue.source, clue.state, clue.category) == (
        Source.PORTAL,
        ClueState.REGISTERED,
        category,
    )

    # (d) The discipline head, at a desk in a browser of their own, finds the new clue.
    head_page = browsers(**DESKTOP)
    head_shot = shot_of(head_page, "head")
    head_requests, head_problems = record_traffic(head_page)
    sign_in(head_page, live_server, HEAD, head_shot)
    head_page.goto(live_server.url + CLUES)
    filters = head_page.locator("form.filters")
    filters.locator("select[name=source]").select_option(Source.PORTAL.value)
    with head_page.expect_navigation():
        filters.locator("button[type=submit]").click()
    head_shot("clues")
    rows = head_page.locator("[data-testid=clues] tbody tr")
    # The newest first: received today, registered last.
    expect(rows.first.locator(f"a[href='{clue_page(clue)}']")).to_have_text(clue.number)
    expect(rows.first).to_contain_text(chinese(ClueState.REGISTERED.label))
    with head_page.expect_navigation():
        rows.first.locator(f"a[href='{clue_page(clue)}']").click()
    head_shot("clue")
    assert head_page.url == live_server.url + clue_page(clue)
    card = head_page.locator("[data-testid=clue]")
    expect(head_page.locator("[data-testid=clue-state]")).to_have_text(
        chinese(ClueState.REGISTERED.label)
    )
    expect(card).to_contain_text(chinese(Source.PORTAL.label))
    expect(card).to_contain_text(chinese(category.label))
    expect(card).to_contain_text(who)
    summary = head_page.locator("[data-testid=clue-summary]")
    expect(summary).to_contain_text(what)
    expect(summary).to_contain_text(where_when)
    untranslated += english(head_page)

    # ... and writes to the reporter.
    message = head_page.locator("[data-testid=message]")
    message.locator("textarea[name=body]").fill(reply)
    head_shot("reply-typed")
    with head_page.expect_navigation():
        message.locator("button[type=submit]").click()
    head_shot("replied")
    assert head_page.url == live_server.url + clue_page(clue)
    expect(success(head_page)).to_have_count(1)
    expect(head_page.locator("[data-testid=thread]")).to_contain_text(reply)
    assert [(m.sender, m.body) for m in PublicMessage.objects.filter(report=report)] == [
        (Sender.HANDLER, reply)
    ]
    # What the handler can see of the report beyond its text: its photo (checked at the end).
    handler_sees_photo = head_page.locator("main", has_text=PHOTO).count() > 0

    # (e) The reporter, in a fresh browser: the code on the status page (typed as written down,
    # in small letters with spaces), the message, and an answer.
    reporter_page = browsers(**PHONE)
    reporter_shot = shot_of(reporter_page, "back")
    reporter_requests, reporter_problems = record_traffic(reporter_page)
    reporter_page.goto(live_server.url + PORTAL)
    with reporter_page.expect_navigation():
        reporter_page.locator("[data-testid=portal-status]").tap()
    reporter_shot("status-form")
    wide.append(sideways(reporter_page))
    code_form = reporter_page.locator("[data-testid=code-form]")
    code_form.locator("input[name=code]").fill(" ".join(groups).lower())
    reporter_shot("code-typed")
    with reporter_page.expect_navigation():
        code_form.locator("button[type=submit]").tap()
    reporter_shot("status")
    wide.append(sideways(reporter_page))
    assert reporter_page.url == live_server.url + STATUS  # the code went in the body
    report.refresh_from_db()
    expect(reporter_page.locator("[data-testid=report-state]")).to_have_text(
        chinese(ReportStatus(report.status).label)
    )
    status_seen = report.status
    thread = reporter_page.locator("[data-testid=thread]")
    expect(thread).to_contain_text(reply)
    expect(thread).not_to_contain_text(HEAD)  # the handler is not named to the reporter
    reply_form = reporter_page.locator("[data-testid=reply-form]")
    reply_form.locator("textarea[name=body]").fill(answer)
    top(reporter_page)
    reporter_shot("answer-typed")
    with reporter_page.expect_navigation():
        reply_form.locator("button[type=submit]").tap()
    reporter_shot("answered")
    wide.append(sideways(reporter_page))
    expect(reporter_page.locator("[data-testid=reply-sent]")).to_be_visible()
    untranslated += english(reporter_page)
    expect(reporter_page.locator("[data-testid=thread]")).to_contain_text(answer)
    assert reporter_page.context.cookies() == []
    assert [(m.sender, m.body) for m in PublicMessage.objects.filter(report=report)] == [
        (Sender.HANDLER, reply),
        (Sender.REPORTER, answer),
    ]

    # (f) The head sees the answer on the clue.
    head_page.reload()
    head_shot("answer-read")
    thread = head_page.locator("[data-testid=thread]")
    expect(thread).to_contain_text(reply)
    expect(thread).to_contain_text(answer)

    # No part of the code in any address asked for; nothing from elsewhere; no script error.
    everything = requests + head_requests + reporter_requests
    assert [url for url in everything if any(group in url.upper() for group in groups)] == []
    assert outside(everything, server_host) == []
    assert problems + head_problems + reporter_problems == []
    # Checked last, so that the whole round runs first: what the issue asks beyond it.
    missing = [note for note in wide if note] + untranslated
    if not handler_sees_photo:
        missing.append(f"the clue page does not show the report's attachment {PHOTO}")
    if status_seen == ReportStatus.RECEIVED:
        missing.append("after the handler's message the reporter still sees the status 'received'")
    assert missing == [], "\n".join(missing)


def test_head_triages_verifies_and_concludes_a_clue(
    log_in, visit, shot, page, live_server, server_host
):
    clue = Clue.objects.get(state=ClueState.REGISTERED, source=Source.HOTLINE)
    users = get_user_model().objects
    handler, handler2 = users.get(username="handler"), users.get(username="handler2")
    county = Unit.objects.get(code=COUNTY)
    [subject] = clue.subject_persons.select_related("unit")
    assert subject.unit.path.startswith(county.path)  # an officer of 东坡区分局's
    assert Grant.objects.filter(
        user__username=COUNTY_LEADER, role=Role.UNIT_LEADER, unit=county
    ).exists()
    today = actions.today()
    due = today + timedelta(days=30)
    assert due <= clue.received_on + timedelta(days=90)
    mode = HandlingMode.VERIFY
    interview = "与被反映民警谈话，其承认接警时态度生硬，未及时登记群众求助。"
    disposition = Disposition.ADMONISHMENT
    conclusion = "反映问题基本属实，对该民警进行诫勉谈话，责令所在派出所整改接警工作。"

    requests, problems = record_traffic(page)

    # (a) The head finds the waiting telephone clue.
    log_in(HEAD)
    visit(CLUES, "clues")
    filters = page.locator("form.filters")
    filters.locator("select[name=state]").select_option(ClueState.REGISTERED.value)
    filters.locator("select[name=source]").select_option(Source.HOTLINE.value)
    with page.expect_navigation():
        filters.locator("button[type=submit]").click()
    shot("registered")
    untranslated = english(page)
    rows = page.locator("[data-testid=clues] tbody tr")
    expect(rows).to_have_count(1)
    with page.expect_navigation():
        rows.locator(f"a[href='{clue_page(clue)}']").click()
    shot("clue")
    expect(page.locator("[data-testid=clue-state]")).to_have_text(
        chinese(ClueState.REGISTERED.label)
    )
    expect(page.locator("[data-testid=clue-summary]")).to_contain_text(clue.summary)
    expect(page.locator("[data-testid=clue-persons]")).to_contain_text(subject.name)

    # (b) Triage, first with the county leader as a handler: refused, nothing lost.
    triage = page.locator("[data-testid=triage]")
    triage.locator("select[name=mode]").select_option(mode.value)
    triage.locator("input[name=lead]").fill(handler.username)
    triage.locator("input[name=members]").fill(COUNTY_LEADER)
    triage.locator("input[name=due_on]").fill(due.isoformat())
    shot("triage-typed")
    with page.expect_navigation():
        triage.locator("button[type=submit]").click()
    shot("triage-refused")
    triage = page.locator("[data-testid=triage]")
    expect(triage.locator(".errorlist")).to_contain_text(county.name)
    expect(triage.locator("input[name=lead]")).to_have_value(handler.username)
    expect(triage.locator("input[name=members]")).to_have_value(COUNTY_LEADER)
    expect(triage.locator("input[name=due_on]")).to_have_value(due.isoformat())
    clue.refresh_from_db()
    assert clue.state == ClueState.REGISTERED
    assert not ClueHandler.objects.filter(clue=clue).exists()

    # ... then with the second handler instead.
    triage.locator("input[name=members]").fill(handler2.username)
    with page.expect_navigation():
        triage.locator("button[type=submit]").click()
    shot("triaged")
    assert page.url == live_server.url + clue_page(clue)
    expect(success(page)).to_have_count(1)
    expect(page.locator("[data-testid=clue-state]")).to_have_text(chinese(ClueState.TRIAGED.label))
    expect(page.locator("[data-testid=clue]")).to_contain_text(chinese(mode.label))
    expect(page.locator("[data-testid=clue]")).to_contain_text(due.isoformat())
    handlers = page.locator("[data-testid=handlers]")
    expect(handlers).to_contain_text(handler.person.name)
    expect(handlers).to_contain_text(handler2.person.name)
    clue.refresh_from_db()
    assert (clue.state, clue.mode, clue.due_on) == (ClueState.TRIAGED, mode, due)
    assert {
        (h.user.username, h.role) for h in ClueHandler.objects.filter(clue=clue, active=True)
    } == {(handler.username, HandlerRole.LEAD), (handler2.username, HandlerRole.MEMBER)}

    # (c) An interview on the record: the verification is under way.
    entry = page.locator("[data-testid=entry]")
    entry.locator("select[name=kind]").select_option(EntryKind.INTERVIEW.value)
    entry.locator("input[name=occurred_on]").fill(today.isoformat())
    entry.locator("textarea[name=text]").fill(interview)
    shot("entry-typed")
    with page.expect_navigation():
        entry.locator("button[type=submit]").click()
    shot("entry-added")
    expect(success(page)).to_have_count(1)
    expect(page.locator("[data-testid=entries]")).to_contain_text(interview)
    expect(page.locator("[data-testid=entries]")).to_contain_text(
        chinese(EntryKind.INTERVIEW.label)
    )
    expect(page.locator("[data-testid=clue-state]")).to_have_text(
        chinese(ClueState.VERIFYING.label)
    )
    clue.refresh_from_db()
    assert clue.state == ClueState.VERIFYING
    # The text is encrypted at rest: compare it decrypted, not in the query.
    assert [
        (entry.text, entry.occurred_on, entry.created_by.username)
        for entry in ClueEntry.objects.filter(clue=clue, kind=EntryKind.INTERVIEW)
    ] == [(interview, today, HEAD)]

    # (d) Concluded with a disposition of the first form.
    conclude = page.locator("[data-testid=conclude]")
    conclude.locator("select[name=disposition]").select_option(disposition.value)
    conclude.locator("textarea[name=conclusion]").fill(conclusion)
    shot("conclude-typed")
    with page.expect_navigation():
        conclude.locator("button[type=submit]").click()
    shot("concluded")
    expect(success(page)).to_have_count(1)
    expect(page.locator("[data-testid=clue-state]")).to_have_text(
        chinese(ClueState.CONCLUDED.label)
    )
    expect(page.locator("[data-testid=clue-disposition]")).to_have_text(chinese(disposition.label))
    expect(page.locator("[data-testid=clue]")).to_contain_text(conclusion)
    for gone in ("triage", "entry", "conclude"):
        expect(page.locator(f"[data-testid={gone}]")).to_have_count(0)
    expect(page.locator("[data-testid=archive]")).to_be_visible()
    untranslated += english(page)
    clue.refresh_from_db()
    assert (clue.state, clue.disposition, clue.conclusion, clue.concluded_on) == (
        ClueState.CONCLUDED,
        disposition,
        conclusion,
        today,
    )
    # The clue's access log has the refusal and every step.
    with page.expect_navigation():
        page.locator("[data-testid=clue-log]").click()
    shot("access-log")
    expect(page.locator("[data-testid=access-log] tbody tr").first).to_be_visible()
    expect(page.locator("[data-testid=access-log]")).to_contain_text(COUNTY_LEADER)

    # (e) The subject's chain of command: the county leader and the city bureau's leader get
    # the 404 page, which says nothing of the clue.
    log_out(page)
    for username in (COUNTY_LEADER, CITY_LEADER):
        log_in(username, step=f"{username}-login")
        response = visit(clue_page(clue), f"{username}-404")
        assert response.status == 404, username
        expect(page.locator(".error-code")).to_have_text("404")
        body = page.locator("body")
        expect(body).not_to_contain_text(clue.number)
        expect(body).not_to_contain_text(clue.summary[:12])
        page.context.clear_cookies()

    assert requests and outside(requests, server_host) == []
    # One note for the refused triage (400) and one for each 404 page.
    assert [problem for problem in problems if not ANSWERED_WITH_ERROR.search(problem)] == []
    assert len(problems) == 3, problems
    assert untranslated == [], "\n".join(untranslated)
