"""Supervision on a phone, in a real browser, on the demo (supervision/demo.py): the demo login
``supervisor`` (a member of 第一督导组, which covers 东坡 and 彭山) logs a visit to 东坡 on site,
scores it on the ten aspects and issues a follow-up order (督办单) from it; 东坡's ``liaison``
finds the order, acknowledges it and answers with evidence; the supervisor verifies and closes
it. The visit form keeps a draft when the connection drops, and a visit is the 404 page to
those outside its group's units.

Everything runs at 390 × 844, a phone's screen. The pages may still change, so the tests find
things by ids, ``data-testid`` and URLs, and check what a page shows against the database and
the demo's data (names, texts, dates, totals worked out here by hand); labels are compared with
the label of the same choice (``chinese``), never with a literal. Every test records what the
page asks for: nothing may leave the server, and no script, console or content security policy
error may show up (but the browser's own note of a page answered with 404, where that is the
point); and no page scrolls sideways. Dates are counted from today
(``actions.today()``), as the demo's are.
"""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from tests.browser.test_campaigns import png
from tests.browser.test_shell import outside, record_traffic
from zhengdun.org.models import Unit
from zhengdun.supervision import actions, demo
from zhengdun.supervision.models import (
    Group,
    Member,
    Order,
    OrderSource,
    OrderState,
    Scorecard,
    ScoreTemplate,
    Visit,
    VisitKind,
    VisitMode,
)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
pytestmark = [pytest.mark.browser, pytest.mark.browser_context_args(**PHONE)]

SUPERVISION = "/supervision/"
ORDERS = "/supervision/orders/"
NEW_VISIT = "/supervision/visits/new/"
GROUP = "第一督导组"  # the supervisor's group: 东坡, 彭山 and two departments
PHOTO = "现场照片.png"
EVIDENCE = "整改说明.txt"


@pytest.fixture
def traffic(page, server_host):
    """Nothing fetched from elsewhere, no script or console error. (The 404 test records its
    own: the browser reports each page answered with 404 as a console error.)"""
    requests, problems = record_traffic(page)
    yield requests, problems
    assert requests
    assert outside(requests, server_host) == []
    assert problems == []


def chinese(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def the_group() -> Group:
    return Group.objects.get(name=GROUP)


def visit_page(visit: Visit) -> str:
    return f"/supervision/visits/{visit.pk}/"


def order_page(order: Order) -> str:
    return f"/supervision/orders/{order.pk}/"


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert inner == 390, inner
    assert width <= inner + 1, (page.url, width, inner)


def top(page) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")


def open_nav(page, href: str) -> None:
    """Follow an entry of the side navigation, as on a phone: open the menu first."""
    toggle = page.locator(".nav-toggle")
    expect(toggle).to_be_visible()
    toggle.tap()
    link = page.locator(f"nav#sidenav a[href='{href}']")
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.tap()


def log_out(page) -> None:
    with page.expect_navigation():
        page.locator(".topbar form[action='/accounts/logout/'] button").click()


def success(page):
    return page.locator(".messages li.success")


def weighted_total(points: dict) -> Decimal:
    """The score out of 100, worked out by hand: each aspect's share of its maximum, weighed by
    its weight, over the sum of the weights; one decimal, halves up."""
    weights = sum(aspect.weight for aspect in points)
    total = sum(
        Decimal(aspect.weight) * value / Decimal(aspect.max_points)
        for aspect, value in points.items()
    )
    return (total * 100 / weights).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def test_visit_scored_and_order_answered_on_a_phone(
    log_in, visit, shot, page, live_server, traffic, tmp_path
):
    """The whole round from a phone: visit, scorecard, order, the unit's answer, closing."""
    group = the_group()
    unit = Unit.objects.get(code="DP")  # 东坡: the demo's liaison answers for it
    supervisor = get_user_model().objects.get(username="supervisor")
    liaison = get_user_model().objects.get(username="liaison")
    leader = Member.objects.select_related("person").get(group=group, is_leader=True).person
    assert Member.objects.filter(group=group, person=supervisor.person).exists()
    today = actions.today()
    first, last = today - timedelta(days=1), today  # a two-day resident stay, ending today
    notes = "入驻东坡区分局，查阅学习教育台账，个别谈话12人，走访群众5户。"
    template = ScoreTemplate.objects.get(name=demo.TEMPLATE)
    aspects = list(template.aspects.order_by("order", "id"))
    assert len(aspects) == 10
    # Nine tenths of every maximum, and less on duty discipline, with a remark there.
    points = {aspect: Decimal(aspect.max_points) * Decimal("0.9") for aspect in aspects}
    discipline = next(aspect for aspect in aspects if aspect.name == "勤务纪律")
    points[discipline] = Decimal("6")
    remark = "值班备勤记录不全，两名民警未按规定着装。"
    summary = "学习教育扎实，勤务纪律需加强。"
    total = weighted_total(points)
    assert total == Decimal("87.0")  # 90 less 10 × 0.3 for duty discipline
    problem = "值班备勤记录不全，个别民警警容风纪不规范。"
    requirement = "完善值班备勤登记，开展一次警容风纪专项检查并报告结果。"
    deadline = today + timedelta(days=10)
    answer = "已完善值班备勤登记制度，开展警容风纪专项检查一次，查纠问题3个。"
    photo = tmp_path / PHOTO
    photo.write_bytes(png())
    evidence = tmp_path / EVIDENCE
    evidence.write_text("警容风纪专项检查情况说明\n检查民警46人，查纠问题3个。\n", "utf-8")
    visits_before = Visit.objects.count()

    # (a) The supervisor logs the visit: from the menu to the supervision page, then the form.
    log_in("supervisor")
    open_nav(page, SUPERVISION)
    shot("supervision")
    no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator(f"main a[href='{NEW_VISIT}']").first.tap()
    shot("visit-form")
    no_sideways_scroll(page)
    form = page.locator("[data-testid=visit-form]")
    expect(form).to_contain_text(group.name)  # the one group: no group to choose
    # Only the group's units are offered: 东坡 and 彭山 (and below), not 仁寿.
    expect(form.locator(f"#id_unit option[value='{unit.pk}']")).to_have_count(1)
    rs = Unit.objects.get(code="RS")
    expect(form.locator(f"#id_unit option[value='{rs.pk}']")).to_have_count(0)
    # The supervisor is ticked as present already.
    expect(form.locator(f"input[name=present][value='{supervisor.person.pk}']")).to_be_checked()
    form.locator("#id_unit").select_option(str(unit.pk))
    form.locator("#id_start_date").fill(first.isoformat())
    form.locator("#id_end_date").fill(last.isoformat())
    form.locator("#id_mode").select_option(VisitMode.WORK)
    form.locator(f"input[name=kind][value='{VisitKind.RESIDENT}']").check()
    form.locator(f"input[name=present][value='{leader.pk}']").check()
    form.locator("#id_notes").fill(notes)
    form.locator("#id_files").set_input_files(photo)
    top(page)
    shot("visit-filled")
    with page.expect_navigation():
        form.locator("button[type=submit]").tap()
    shot("visit")
    no_sideways_scroll(page)

    assert Visit.objects.count() == visits_before + 1
    logged = Visit.objects.get(group=group, unit=unit, notes=notes)
    assert page.url == live_server.url + visit_page(logged)
    assert (logged.start_date, logged.end_date) == (first, last)
    assert (logged.mode, logged.kind, logged.planned) == (VisitMode.WORK, VisitKind.RESIDENT, False)
    assert set(logged.present.all()) == {supervisor.person, leader}
    assert logged.created_by == supervisor
    assert [file.name for file in logged.files.all()] == [PHOTO]
    expect(success(page)).to_have_count(1)
    card = page.locator("[data-testid=visit]")
    expect(page.locator("main h1")).to_contain_text(unit.name)
    expect(page.locator("main h1")).to_contain_text(first.isoformat())
    expect(card).to_contain_text(group.name)
    expect(card).to_contain_text(first.isoformat())
    expect(card).to_contain_text(last.isoformat())
    expect(card).to_contain_text(chinese(VisitMode.WORK.label))
    expect(card).to_contain_text(chinese(VisitKind.RESIDENT.label))
    expect(card).to_contain_text(supervisor.person.name)
    expect(card).to_contain_text(leader.name)
    expect(card).to_contain_text(notes)
    expect(card.locator("[data-testid=files] a", has_text=PHOTO)).to_have_count(1)
    expect(page.locator("[data-testid=scorecard] .stat")).to_have_count(0)  # not scored yet

    # (b) It is scored on all ten aspects.
    with page.expect_navigation():
        page.locator("[data-testid=score-link]").tap()
    shot("score-form")
    no_sideways_scroll(page)
    form = page.locator("[data-testid=score-form]")
    for aspect, value in points.items():
        form.locator(f"#id_aspect_{aspect.pk}").fill(str(value))
    form.locator(f"#id_remark_{discipline.pk}").fill(remark)
    form.locator("#id_summary").fill(summary)
    top(page)
    shot("score-filled")
    with page.expect_navigation():
        form.locator("button[type=submit]").tap()
    shot("scored")
    no_sideways_scroll(page)

    assert page.url == live_server.url + visit_page(logged)
    scorecard = Scorecard.objects.get(visit=logged)
    assert (scorecard.total, scorecard.template, scorecard.scored_by) == (
        total,
        template,
        supervisor,
    )
    assert {line.aspect_id: line.points for line in scorecard.lines.all()} == {
        aspect.pk: value for aspect, value in points.items()
    }
    assert scorecard.lines.get(aspect=discipline).remark == remark
    expect(success(page)).to_contain_text(str(total))
    scores = page.locator("[data-testid=scorecard]")
    expect(scores.locator(".stat")).to_have_text(str(total))
    expect(scores.locator("tbody tr")).to_have_count(len(aspects))
    expect(scores).to_contain_text(remark)
    expect(scores).to_contain_text(summary)

    # (c) A follow-up order from the visit to 东坡, with a deadline; 东坡's liaison to answer.
    with page.expect_navigation():
        page.locator(f"main a[href='/supervision/orders/new/?visit={logged.pk}']").tap()
    shot("order-form")
    no_sideways_scroll(page)
    form = page.locator("[data-testid=order-form]")
    expect(form.locator("#id_unit")).to_have_value(str(unit.pk))
    expect(form.locator("#id_source")).to_have_value(OrderSource.VISIT)
    form.locator("#id_contact").select_option(str(liaison.person.pk))
    form.locator("#id_problem").fill(problem)
    form.locator("#id_requirement").fill(requirement)
    form.locator("#id_deadline").fill(deadline.isoformat())
    top(page)
    shot("order-filled")
    with page.expect_navigation():
        form.locator("button[type=submit]").first.tap()
    shot("order")
    no_sideways_scroll(page)

    order = Order.objects.get(visit=logged)
    assert page.url == live_server.url + order_page(order)
    assert (order.unit, order.group, order.contact) == (unit, group, liaison.person)
    assert (order.problem, order.requirement) == (problem, requirement)
    assert (order.deadline, order.issued_on, order.source) == (deadline, today, OrderSource.VISIT)
    assert order.state == OrderState.ISSUED and order.created_by == supervisor
    expect(success(page)).to_contain_text(order.number)
    expect(page.locator("main h1")).to_contain_text(order.number)
    expect(page.locator("[data-testid=order-state]")).to_have_text(chinese(OrderState.ISSUED.label))
    expect(page.locator("[data-testid=order-deadline]")).to_have_text(deadline.isoformat())
    sheet = page.locator("[data-testid=order]")
    expect(sheet).to_contain_text(problem)
    expect(sheet).to_contain_text(requirement)
    expect(sheet).to_contain_text(liaison.person.name)
    expect(sheet.locator(f"a[href='{visit_page(logged)}']")).to_have_count(1)
    # Nothing for the issuer to answer or verify yet.
    expect(page.locator("[data-testid=order-answer]")).to_have_count(0)
    expect(page.locator("[data-testid=order-verify]")).to_have_count(0)
    # The visit lists its order.
    visit(visit_page(logged), "visit-with-order")
    expect(page.locator(f"[data-testid=orders] a[href='{order_page(order)}']")).to_have_text(
        order.number
    )

    # (d) 东坡's liaison finds the order, acknowledges it and answers with evidence.
    log_out(page)
    log_in("liaison", step="liaison-login")
    open_nav(page, ORDERS)
    shot("liaison-orders")
    no_sideways_scroll(page)
    filters = page.locator("form.filters")
    filters.locator("#id_q").fill(order.number)
    filters.locator("#id_state").select_option(OrderState.ISSUED)
    with page.expect_navigation():
        filters.locator("button[type=submit]").tap()
    shot("liaison-found")
    no_sideways_scroll(page)
    rows = page.locator("[data-testid=orders] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(unit.display_name)
    expect(rows).to_contain_text(deadline.isoformat())
    expect(rows).to_contain_text(chinese(OrderState.ISSUED.label))
    with page.expect_navigation():
        rows.locator(f"a[href='{order_page(order)}']").first.tap()
    shot("liaison-order")
    no_sideways_scroll(page)
    answer_card = page.locator("[data-testid=order-answer]")
    expect(page.locator("[data-testid=order-verify]")).to_have_count(0)
    with page.expect_navigation():
        answer_card.locator(
            f"form[action='{order_page(order)}acknowledge/'] button[type=submit]"
        ).tap()
    shot("acknowledged")
    no_sideways_scroll(page)
    expect(success(page)).to_have_count(1)
    expect(page.locator("[data-testid=order-state]")).to_have_text(
        chinese(OrderState.ACKNOWLEDGED.label)
    )
    order.refresh_from_db()
    assert (order.state, order.acknowledged_on) == (OrderState.ACKNOWLEDGED, today)

    respond = page.locator("[data-testid=order-respond]")
    respond.locator("#id_response").fill(answer)
    respond.locator("#id_files").set_input_files(evidence)
    shot("answer-filled")
    with page.expect_navigation():
        respond.locator("button[type=submit]").tap()
    shot("answered")
    no_sideways_scroll(page)
    assert page.url == live_server.url + order_page(order)
    expect(success(page)).to_have_count(1)
    expect(page.locator("[data-testid=order-state]")).to_have_text(
        chinese(OrderState.RESPONDED.label)
    )
    expect(page.locator("[data-testid=order-response]")).to_contain_text(answer)
    expect(page.locator("[data-testid=order] a", has_text=EVIDENCE)).to_have_count(1)
    expect(page.locator("[data-testid=order-respond]")).to_have_count(0)
    expect(page.locator("[data-testid=order-verify]")).to_have_count(0)  # not the unit's to do
    order.refresh_from_db()
    assert (order.state, order.response) == (OrderState.RESPONDED, answer)
    assert (order.responded_by, order.responded_on) == (liaison, today)
    assert [file.name for file in order.files.all()] == [EVIDENCE]

    # (e) The supervisor verifies the answer and closes the order.
    log_out(page)
    log_in("supervisor", step="supervisor-again")
    visit(order_page(order), "to-verify")
    no_sideways_scroll(page)
    expect(page.locator("[data-testid=order-response]")).to_contain_text(answer)
    check = page.locator("[data-testid=order-verify]")
    with page.expect_navigation():
        check.locator(f"form[action='{order_page(order)}verify/'] button[type=submit]").tap()
    shot("closed")
    no_sideways_scroll(page)
    assert page.url == live_server.url + order_page(order)
    expect(success(page)).to_have_count(1)
    expect(page.locator("[data-testid=order-state]")).to_have_text(chinese(OrderState.CLOSED.label))
    expect(page.locator("[data-testid=order-verify]")).to_have_count(0)
    expect(page.locator("[data-testid=order]")).to_contain_text(supervisor.person.name)
    order.refresh_from_db()
    assert order.state == OrderState.CLOSED
    assert (order.closed_by, order.closed_on) == (supervisor, today)
    # Closed in the list too.
    visit(f"{ORDERS}?q={order.number}&state={OrderState.CLOSED}", "orders-closed")
    no_sideways_scroll(page)
    rows = page.locator("[data-testid=orders] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(f"a[href='{order_page(order)}']").first).to_have_text(order.number)
    expect(rows).to_contain_text(chinese(OrderState.CLOSED.label))


def test_visit_form_keeps_a_draft_when_the_connection_drops(
    log_in, visit, shot, page, live_server, traffic
):
    """On site with a weak signal: the form is sent while offline and fails; back online, the
    form page brings back what was typed; once saved, the draft is gone."""
    requests, problems = traffic
    group = the_group()
    unit = Unit.objects.get(code="PS")  # 彭山, the group's second county bureau
    supervisor = get_user_model().objects.get(username="supervisor")
    other = (
        Member.objects.filter(group=group)
        .exclude(person=supervisor.person)
        .select_related("person")
        .order_by("person__name")
        .first()
        .person
    )
    today = actions.today()
    first = today - timedelta(days=3)
    notes = "随机督查彭山区分局指挥中心，抽查接处警记录20条，回访报警人3名。"
    form_url = f"{NEW_VISIT}?group={group.pk}"
    visits_before = Visit.objects.count()

    log_in("supervisor")
    visit(form_url, "form")
    no_sideways_scroll(page)
    form = page.locator("[data-testid=visit-form]")
    note = form.locator("[data-draft-note]")
    expect(note).to_be_hidden()
    form.locator("#id_unit").select_option(str(unit.pk))
    form.locator("#id_start_date").fill(first.isoformat())
    form.locator("#id_end_date").fill(first.isoformat())
    form.locator("#id_mode").select_option(VisitMode.DUTY)
    form.locator(f"input[name=kind][value='{VisitKind.RANDOM}']").check()
    form.locator(f"input[name=present][value='{other.pk}']").check()
    form.locator("#id_notes").fill(notes)
    top(page)
    shot("typed")

    # The connection drops as the form goes: the browser shows its own error page.
    page.context.set_offline(True)
    with (
        pytest.raises(PlaywrightError, match="ERR_INTERNET_DISCONNECTED"),
        page.expect_navigation(),
    ):
        form.locator("button[type=submit]").tap()
    shot("offline")
    page.context.set_offline(False)
    assert Visit.objects.count() == visits_before
    # The failed send is Chromium's, not the page's: drop what it reported as errors.
    problems[:] = [problem for problem in problems if "ERR_INTERNET_DISCONNECTED" not in problem]

    # Back online, the form page: empty from the server, filled from the draft.
    visit(form_url, "restored")
    no_sideways_scroll(page)
    form = page.locator("[data-testid=visit-form]")
    expect(form.locator("[data-draft-note]")).to_be_visible()
    expect(form.locator("#id_unit")).to_have_value(str(unit.pk))
    expect(form.locator("#id_start_date")).to_have_value(first.isoformat())
    expect(form.locator("#id_end_date")).to_have_value(first.isoformat())
    expect(form.locator("#id_mode")).to_have_value(VisitMode.DUTY)
    expect(form.locator(f"input[name=kind][value='{VisitKind.RANDOM}']")).to_be_checked()
    expect(form.locator(f"input[name=present][value='{supervisor.person.pk}']")).to_be_checked()
    expect(form.locator(f"input[name=present][value='{other.pk}']")).to_be_checked()
    expect(form.locator("#id_notes")).to_have_value(notes)

    # Sent again, it is saved as typed ...
    with page.expect_navigation():
        form.locator("button[type=submit]").tap()
    shot("saved")
    expect(success(page)).to_have_count(1)
    assert Visit.objects.count() == visits_before + 1
    saved = Visit.objects.get(group=group, unit=unit, notes=notes)
    assert page.url == live_server.url + visit_page(saved)
    assert (saved.start_date, saved.end_date) == (first, first)
    assert (saved.mode, saved.kind) == (VisitMode.DUTY, VisitKind.RANDOM)
    assert set(saved.present.all()) == {supervisor.person, other}

    # ... and the draft is gone: the form comes back as the server sends it.
    visit(form_url, "fresh")
    form = page.locator("[data-testid=visit-form]")
    expect(form.locator("[data-draft-note]")).to_be_hidden()
    expect(form.locator("#id_notes")).to_have_value("")
    expect(form.locator("#id_start_date")).to_have_value(today.isoformat())
    expect(form.locator(f"input[name=present][value='{other.pk}']")).not_to_be_checked()
    assert all(url.startswith(live_server.url) for url in requests)


def test_visit_is_not_found_outside_the_group(log_in, visit, shot, page, server_host):
    """A visit is the 404 page to a login with no part in its unit: the officer (no
    supervision at all), the liaison of another county, and the supervisor for a visit of
    another group; it opens for those it concerns."""
    group = the_group()

    def held_visits(code: str):
        """Held visits to a county bureau or below, the latest first."""
        path = Unit.objects.get(code=code).path
        return (
            Visit.objects.filter(unit_path__startswith=path, planned=False)
            .select_related("unit", "group")
            .order_by("-start_date", "-id")
        )

    at_pengshan = held_visits("PS").filter(group=group).first()
    at_dongpo = held_visits("DP").filter(group=group).first()
    elsewhere = held_visits("RS").first()  # 仁寿: another group's
    assert at_pengshan and at_dongpo and elsewhere and elsewhere.group != group
    order = (
        Order.objects.filter(unit_path__startswith=Unit.objects.get(code="RS").path)
        .order_by("pk")
        .first()
    )
    assert order is not None and order.group != group

    requests, problems = record_traffic(page)
    cases = [
        ("officer", [at_pengshan, at_dongpo], []),  # 苏祠派出所: no supervision permission
        ("liaison", [at_pengshan], [at_dongpo]),  # 东坡's liaison: not 彭山
        ("supervisor", [elsewhere], [at_pengshan, at_dongpo]),  # 第一督导组: not 仁寿
    ]
    for username, hidden, shown in cases:
        log_in(username, step=f"{username}-login")
        for number, target in enumerate(hidden, start=1):
            response = visit(visit_page(target), f"{username}-hidden{number}")
            assert response.status == 404, (username, target)
            expect(page.locator(".error-code")).to_have_text("404")
            expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
            if target.notes:
                expect(page.locator("body")).not_to_contain_text(target.notes[:10])
            no_sideways_scroll(page)
        for number, target in enumerate(shown, start=1):
            response = visit(visit_page(target), f"{username}-shown{number}")
            assert response.status == 200, (username, target)
            expect(page.locator("main h1")).to_contain_text(target.unit.name)
        visit("/", f"{username}-home")  # the 404 page is bare: log out from the shell
        log_out(page)
    # Nor does the supervisor see another group's order.
    log_in("supervisor", step="supervisor-order")
    response = visit(order_page(order), "supervisor-order-hidden")
    assert response.status == 404
    expect(page.locator(".error-code")).to_have_text("404")
    expect(page.locator("body")).not_to_contain_text(order.problem[:10])
    # Nothing from elsewhere, and no error but the browser's note of each page answered 404.
    assert requests and outside(requests, server_host) == []
    answered_404 = "the server responded with a status of 404"
    assert [problem for problem in problems if answered_404 not in problem] == []
    refused = sum(len(hidden) for _username, hidden, _shown in cases) + 1
    assert len(problems) == refused, problems  # one for each page refused above
