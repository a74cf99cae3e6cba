"""Self-inspection in a real browser, on the demo round (selfcheck/demo.py): an officer writes
and submits a personal report, a county leader is refused the unit's report until the leader's
own report is in and then submits both, a supervisor verifies a completed measure in the
ledger, an officer cannot open a colleague's personal report, and the report form and the
ledger on a phone.

The module's translations are still being written, so the tests find things by name, id,
``data-`` attributes and URLs, and check what the page shows against the data (names, texts,
dates) and the state tags' classes; a state label is compared with the label of the same
catalogue (``chinese``), never with a literal. Every test records what the page asks for:
nothing may leave the server, and no script, console or content security policy error may
show up. Dates are counted from today, as the demo's are.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from playwright.sync_api import expect

from tests.browser.test_shell import outside, record_traffic
from zhengdun.org import scope
from zhengdun.org.models import Person, PersonStatus, Unit
from zhengdun.selfcheck import actions, demo
from zhengdun.selfcheck.models import (
    Item,
    Measure,
    MeasureState,
    Report,
    ReportKind,
    ReportState,
    Round,
)
from zhengdun.selfcheck.permissions import SelfcheckPerm

pytestmark = pytest.mark.browser

HOME = "/selfcheck/"
LEDGER = "/selfcheck/ledger/"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def traffic(page, server_host):
    """Nothing fetched from elsewhere, no script or console error (not for the 404 test: the
    browser reports a page answered with 404 as a console error)."""
    requests, problems = record_traffic(page)
    yield requests
    assert requests
    assert outside(requests, server_host) == []
    assert problems == []


def chinese(label) -> str:
    with translation.override("zh-hans"):
        return str(label)


def the_round() -> Round:
    return Round.objects.get(name=demo.ROUND)


def personal_report(username: str) -> Report:
    return Report.objects.select_related("person", "unit").get(
        round=the_round(), kind=ReportKind.PERSON, person__user__username=username
    )


def unit_report(code: str) -> Report:
    return Report.objects.select_related("unit").get(
        round=the_round(), kind=ReportKind.UNIT, unit__code=code
    )


def item(report: Report, code: str) -> Item:
    return actions.applicable_items(report).get(code=code)


def detail(report: Report) -> str:
    return f"/selfcheck/reports/{report.pk}/"


def edit(report: Report) -> str:
    return f"{detail(report)}edit/"


def block(page, code: str):
    return page.locator(f"[data-testid=report-form] details.item-block[data-item='{code}']")


def open_block(page, code: str):
    """Unfold an item of the report form, as a user does, and return it."""
    found = block(page, code)
    if found.get_attribute("open") is None:
        found.locator("summary").click()
    expect(found).to_have_attribute("open", "")
    return found


def submit_report(page) -> str:
    """Click "save and submit" and accept the question it asks; returns the question."""
    asked: list[str] = []

    def accept(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation():
        page.locator("[data-testid=report-form] button[name=submit]").click()
    assert asked and asked[0], "submitting asks first"
    return asked[0]


def state_tag(page):
    """The report's state, as the tag beside the page's heading."""
    return page.locator("main .page-head h1 .tag").last


def top(page) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")


def no_sideways_scroll(page) -> int:
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner + 1, (width, inner)
    return inner


def test_officer_files_a_personal_report(log_in, visit, shot, page, live_server, traffic):
    report = personal_report("officer")
    assert report.state == ReportState.DRAFT and not report.answers.exists()
    officer = report.person
    problem = item(report, "2.3")
    prefix = f"#id_i{problem.pk}"
    deadline = actions.today() + timedelta(days=14)
    finding = "值班期间有两次未按规定在岗，外出办事未向所领导报告。"
    cause = "纪律意识松懈，认为社区工作“在外跑”可以灵活掌握。"
    measure = "严格执行值班备勤和外出报告制度，每周向所领导报告一次在岗情况"

    log_in("officer")
    visit(HOME, "home")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    mine = page.locator(f"[data-testid=my-reports] a[href='{detail(report)}']")
    expect(mine).to_have_count(1)
    with page.expect_navigation():
        mine.click()
    shot("report")
    expect(state_tag(page)).to_have_class("tag grey")  # a draft
    expect(page.locator("main h1")).to_contain_text(officer.name)
    expect(page.locator(".finding")).to_have_count(0)

    with page.expect_navigation():
        page.locator(f"main .page-head a[href='{edit(report)}']").click()
    shot("form")
    form = page.locator("[data-testid=report-form]")
    expect(form.locator("details.item-block")).to_have_count(
        actions.applicable_items(report).count()
    )
    # Nothing written yet: every item is folded.
    expect(form.locator("details.item-block[open]")).to_have_count(0)
    found = open_block(page, problem.code)
    expect(found.locator("summary")).to_contain_text(problem.title)
    # A personal report's measures are the person's own: no one else to choose.
    expect(found.locator("select")).to_have_count(0)
    page.check(f"{prefix}_found")
    page.fill(f"{prefix}_description", finding)
    page.fill(f"{prefix}_cause", cause)
    page.fill(f"{prefix}_m0_text", measure)
    page.fill(f"{prefix}_m0_deadline", deadline.isoformat())
    top(page)
    shot("filled")

    with page.expect_navigation():
        form.locator("button[name=save]").click()
    shot("saved")
    assert page.url == live_server.url + edit(report)
    expect(page.locator(".messages li.success")).to_have_count(1)
    # The draft keeps what was typed, its item unfolded.
    expect(block(page, problem.code)).to_have_attribute("open", "")
    expect(page.locator(f"{prefix}_found")).to_be_checked()
    expect(page.locator(f"{prefix}_description")).to_have_value(finding)
    expect(page.locator(f"{prefix}_m0_text")).to_have_value(measure)
    expect(page.locator(f"{prefix}_m0_deadline")).to_have_value(deadline.isoformat())
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT

    # Declining the question leaves the draft as it is.
    page.once("dialog", lambda dialog: dialog.dismiss())
    form.locator("button[name=submit]").click()
    assert page.url == live_server.url + edit(report)
    report.refresh_from_db()
    assert report.state == ReportState.DRAFT

    submit_report(page)
    shot("submitted")
    assert page.url == live_server.url + detail(report)
    expect(page.locator(".messages li.success")).to_have_count(1)
    expect(state_tag(page)).to_have_class("tag green")
    expect(page.locator("[data-testid=findings]")).to_have_text(
        f"1 / {actions.applicable_items(report).count()}"
    )
    # Locked: no more writing.
    expect(page.locator(f"a[href='{edit(report)}']")).to_have_count(0)
    entry = page.locator(f".finding[data-item='{problem.code}']")
    expect(entry.locator("h3")).to_contain_text(problem.title)
    expect(entry).to_contain_text(finding)
    expect(entry).to_contain_text(cause)
    line = entry.locator("li")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(officer.name)  # the person answers for their own measures
    expect(line).to_contain_text(deadline.isoformat())

    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED and report.findings == 1
    saved = Measure.objects.get(answer__report=report)
    assert (saved.text, saved.owner, saved.deadline) == (measure, officer, deadline)
    assert saved.live and saved.state == MeasureState.OPEN

    # The measure is now the officer's to carry out.
    with page.expect_navigation():
        line.locator(f"a[href='/selfcheck/measures/{saved.pk}/']").click()
    shot("measure")
    card = page.locator("[data-testid=measure]")
    expect(card).to_contain_text(measure)
    expect(card).to_contain_text(officer.name)
    expect(card).to_contain_text(deadline.isoformat())
    expect(page.locator("[data-testid=measure-state]")).to_have_text(
        chinese(MeasureState.OPEN.label)
    )
    expect(page.locator("[data-testid=complete-measure]")).to_be_visible()
    expect(page.locator("[data-testid=verify-measure]")).to_have_count(0)


def test_leader_reports_before_the_unit(log_in, visit, shot, page, live_server, traffic):
    """青神's leader has saved a personal report with a problem but no measure, and not
    submitted it: 青神's report is refused until it is in, and so is the leader's own until
    its problem has a measure."""
    own = personal_report("leader_qs")
    unit = unit_report("QS")
    leader = own.person
    assert own.is_leader and own.state == ReportState.DRAFT
    assert unit.state == ReportState.DRAFT and the_round().leaders_first
    pending = own.answers.get(found=True)
    assert not pending.measures.exists()
    owner = (
        Person.objects.filter(unit__path__startswith=unit.unit.path, status=PersonStatus.ACTIVE)
        .exclude(pk=leader.pk)
        .order_by("police_number")
        .first()
    )
    problem = item(unit, "2.3")
    prefix = f"#id_i{problem.pk}"
    finding = "个别所队民警值班期间脱岗，辅警代替民警值守。"
    measure = "开展值班备勤纪律专项检查，所队长每周点名抽查"
    deadline = actions.today() + timedelta(days=20)
    own_measure = "每周到一个所队督导自查自省进度并现场讲评"
    own_deadline = actions.today() + timedelta(days=7)

    log_in("leader_qs")
    visit(HOME, "home")
    mine = page.locator("[data-testid=my-reports]")
    expect(mine.locator(f"a[href='{detail(own)}']")).to_have_count(1)
    expect(mine.locator(f"a[href='{detail(unit)}']")).to_have_text(unit.unit.name)

    # The unit's report first: a finding with a measure, a responsible person and a deadline.
    visit(edit(unit), "unit-form")
    found = open_block(page, problem.code)
    owners = found.locator(f"select{prefix}_m0_owner option")
    expect(owners.filter(has_text=owner.name)).to_have_count(1)
    page.check(f"{prefix}_found")
    page.fill(f"{prefix}_description", finding)
    page.fill(f"{prefix}_m0_text", measure)
    page.select_option(f"{prefix}_m0_owner", value=str(owner.pk))
    page.fill(f"{prefix}_m0_deadline", deadline.isoformat())
    submit_report(page)
    shot("unit-refused")
    # Refused, naming the leader whose report is missing; what was typed is kept as a draft.
    assert page.url == live_server.url + edit(unit)
    expect(page.locator(".messages li.error")).to_contain_text(leader.name)
    expect(page.locator(f"{prefix}_description")).to_have_value(finding)
    expect(page.locator(f"{prefix}_m0_owner")).to_have_value(str(owner.pk))
    unit.refresh_from_db()
    assert unit.state == ReportState.DRAFT

    # The leader's own report: refused too while its problem has no measure.
    page.goto(live_server.url + HOME)
    with page.expect_navigation():
        page.locator(f"[data-testid=my-reports] a[href='{detail(own)}']").click()
    shot("own")
    expect(state_tag(page)).to_have_class("tag grey")
    with page.expect_navigation():
        page.locator(f"main .page-head a[href='{edit(own)}']").click()
    own_prefix = f"#id_i{pending.item_id}"
    expect(block(page, pending.item.code)).to_have_attribute("open", "")
    expect(page.locator(f"{own_prefix}_description")).to_have_value(pending.description)
    submit_report(page)
    shot("own-refused")
    assert page.url == live_server.url + edit(own)
    expect(page.locator(".messages li.error")).to_contain_text(pending.item.code)
    page.fill(f"{own_prefix}_m0_text", own_measure)
    page.fill(f"{own_prefix}_m0_deadline", own_deadline.isoformat())
    submit_report(page)
    shot("own-submitted")
    assert page.url == live_server.url + detail(own)
    expect(page.locator(".messages li.success")).to_have_count(1)
    expect(state_tag(page)).to_have_class("tag green")
    own.refresh_from_db()
    assert own.state == ReportState.SUBMITTED

    # Now the unit's report goes in.
    visit(edit(unit), "unit-again")
    expect(page.locator(f"{prefix}_m0_text")).to_have_value(measure)
    submit_report(page)
    shot("unit-submitted")
    assert page.url == live_server.url + detail(unit)
    expect(page.locator(".messages li.success")).to_have_count(1)
    expect(state_tag(page)).to_have_class("tag green")
    line = page.locator(f".finding[data-item='{problem.code}'] li")
    expect(line).to_contain_text(measure)
    expect(line).to_contain_text(owner.name)
    expect(line).to_contain_text(deadline.isoformat())
    unit.refresh_from_db()
    assert unit.state == ReportState.SUBMITTED
    saved = Measure.objects.get(answer__report=unit)
    assert (saved.owner, saved.deadline, saved.live) == (owner, deadline, True)

    # Its measure is in the ledger, under 青神.
    visit(f"{LEDGER}?round={unit.round_id}&unit={unit.unit_id}&q={measure}", "ledger")
    rows = page.locator("[data-testid=ledger] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(f"a[href='/selfcheck/measures/{saved.pk}/']")).to_have_text(measure)
    expect(rows).to_contain_text(unit.unit.display_name)
    expect(rows).to_contain_text(owner.name)
    expect(rows).to_contain_text(deadline.isoformat())


def test_supervisor_verifies_a_completed_measure(log_in, visit, shot, page, live_server, traffic):
    supervisor = get_user_model().objects.get(username="supervisor")
    completed = [
        measure
        for measure in Measure.objects.filter(
            round=the_round(), live=True, state=MeasureState.COMPLETED
        )
        .exclude(completed_by=supervisor)
        .select_related("unit", "owner")
        .prefetch_related("evidence")
        .order_by("deadline", "pk")
        if scope.can(supervisor, SelfcheckPerm.VERIFY, measure.unit)
    ]
    assert completed, "the demo leaves the supervisor completed measures to verify"
    measure = completed[0]
    evidence = [file.name for file in measure.evidence.all()]
    link = f"/selfcheck/measures/{measure.pk}/"

    log_in("supervisor")
    visit(HOME, "home")
    with page.expect_navigation():
        page.locator(f"nav#sidenav a[href='{LEDGER}']").click()
    shot("ledger")
    # Measures completed and waiting, found by their text.
    page.fill("#id_q", measure.text)
    page.select_option("#id_bucket", value="completed")
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    shot("waiting")
    rows = page.locator("[data-testid=ledger] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(measure.unit.display_name)
    expect(rows).to_contain_text(chinese(MeasureState.COMPLETED.label))
    with page.expect_navigation():
        rows.locator(f"a[href='{link}']").click()
    shot("measure")

    expect(page.locator("[data-testid=measure-state]")).to_have_text(
        chinese(MeasureState.COMPLETED.label)
    )
    if measure.completion_note:
        expect(page.locator("[data-testid=measure]")).to_contain_text(measure.completion_note)
    for name in evidence:
        expect(page.locator("[data-testid=measure] .evidence a", has_text=name)).to_be_visible()
    check = page.locator("[data-testid=verify-measure]")
    expect(check).to_be_visible()
    with page.expect_navigation():
        check.locator(f"form[action='{link}verify/'] button[type=submit]").click()
    shot("verified")

    assert page.url == live_server.url + link
    expect(page.locator(".messages li.success")).to_have_count(1)
    expect(page.locator("[data-testid=measure-state]")).to_have_text(
        chinese(MeasureState.VERIFIED.label)
    )
    expect(page.locator("[data-testid=measure]")).to_contain_text(actions.today().isoformat())
    expect(page.locator("[data-testid=verify-measure]")).to_have_count(0)
    measure.refresh_from_db()
    assert measure.state == MeasureState.VERIFIED
    assert (measure.verified_by, measure.verified_on) == (supervisor, actions.today())

    # In the ledger it is verified now: no longer waiting, and listed as verified.
    visit(f"{LEDGER}?round={measure.round_id}&bucket=completed&q={measure.text}", "not-waiting")
    expect(page.locator("[data-testid=ledger] tbody tr td.empty")).to_have_count(1)
    visit(f"{LEDGER}?round={measure.round_id}&bucket=verified&q={measure.text}", "ledger-verified")
    rows = page.locator("[data-testid=ledger] tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator(f"a[href='{link}']")).to_be_visible()
    expect(rows.locator("td").nth(5)).to_have_text(chinese(MeasureState.VERIFIED.label))


def test_officer_cannot_open_a_colleagues_personal_report(log_in, visit, page):
    own = personal_report("officer")
    colleague = (
        Report.objects.filter(round=own.round, kind=ReportKind.PERSON, unit=own.unit)
        .exclude(pk=own.pk)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    superior = personal_report("leader_dp")  # the county leader's, above the officer
    station = unit_report(own.unit.code)

    log_in("officer")
    for number, path in enumerate([detail(colleague), edit(colleague), detail(superior)], start=1):
        response = visit(path, f"not-found{number}")
        assert response.status == 404, path
        expect(page.locator(".error-code")).to_have_text("404")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
        expect(page.locator("body")).not_to_contain_text(colleague.person.name)
    # What the officer may read: their own report and their station's.
    for step, report in (("own", own), ("station", station)):
        response = visit(detail(report), step)
        assert response.status == 200
        expect(page.locator("main h1")).to_be_visible()


def fits(page, controls) -> None:
    """Every control lies on the screen, big enough to hit with a finger."""
    inner = no_sideways_scroll(page)
    boxes = controls.evaluate_all(
        "els => els.map(el => { const r = el.getBoundingClientRect();"
        " return [el.name || el.textContent.trim(), r.left, r.right, r.width, r.height]; })"
    )
    assert boxes
    for name, left, right, width, height in boxes:
        assert left >= -1 and right <= inner + 1, (name, left, right)
        assert width >= 40 and height >= 20, (name, width, height)


@pytest.mark.browser_context_args(**PHONE)
@pytest.mark.parametrize("username", ["officer", "liaison"])
def test_report_form_on_a_phone(log_in, visit, shot, page, traffic, username):
    # The officer's personal report, and 东坡's unit report (a person to choose per measure).
    report = personal_report("officer") if username == "officer" else unit_report("DP")
    saved = report.answers.filter(found=True).select_related("item").first()
    code = saved.item.code if saved else item(report, "2.3").code

    log_in(username)
    visit(edit(report), "form")
    found = open_block(page, code)
    expect(found.locator("select")).to_have_count(0 if username == "officer" else 3)
    # The "problem found" box is the browser's small checkbox; its label takes the tap.
    fits(page, found.locator(":is(input:not([type=hidden], [type=checkbox]), select, textarea)"))
    fits(page, page.locator("[data-testid=report-form] > .actions .button"))
    checkbox = found.locator("input[type=checkbox]")
    label = found.locator(f"label[for='{checkbox.get_attribute('id')}']")
    checked = checkbox.is_checked()
    label.tap()
    expect(checkbox).to_be_checked(checked=not checked)
    label.tap()
    expect(checkbox).to_be_checked(checked=checked)
    found.locator("textarea").first.tap()
    top(page)
    shot("form-open")


@pytest.mark.browser_context_args(**PHONE)
def test_ledger_on_a_phone(log_in, visit, shot, page, traffic):
    unit = Unit.objects.get(code="DP")
    log_in("liaison")
    visit(LEDGER, "ledger")
    rows = page.locator("[data-testid=ledger] tbody tr")
    expect(rows.first).to_be_visible()
    measures = Measure.objects.filter(
        round=the_round(), live=True, unit_path__startswith=unit.path
    ).count()
    expect(rows).to_have_count(min(measures, 25))
    fits(page, page.locator("form.filters :is(input:not([type=hidden]), select, .button)"))
    right = page.locator("[data-testid=ledger]").evaluate(
        "table => table.getBoundingClientRect().right"
    )
    assert right <= page.evaluate("() => innerWidth") + 1
    visit(f"{LEDGER}?round={the_round().pk}&bucket=completed", "ledger-completed")
    no_sideways_scroll(page)


def test_measure_field_is_as_large_as_the_deadline(log_in, visit, page):
    report = personal_report("officer")
    prefix = f"#id_i{item(report, '2.3').pk}"
    log_in("officer")
    visit(edit(report), "form")
    open_block(page, "2.3")
    measure = page.locator(f"{prefix}_m0_text").bounding_box()
    deadline = page.locator(f"{prefix}_m0_deadline").bounding_box()
    # A date input draws its picker a little taller; a bare text input was about half as tall.
    assert measure["height"] >= deadline["height"] - 3, (measure, deadline)
    assert measure["width"] >= deadline["width"], (measure, deadline)
