"""The page shell in a real browser: logins, navigation by role, languages, phone layout, forms,
and that nothing is fetched from outside the server.

Expectations are written out by hand from reading org/roles.py and the apps' navigation entries,
not computed from the application's own registry (that would only test the registry against
itself). Links are matched by href, not label, so the tests hold whatever the translations say.
"""

import re

import pytest
from playwright.sync_api import expect

from zhengdun.org.models import Person, Unit

pytestmark = pytest.mark.browser


HOME = "/"
UNITS = "/org/units/"
PEOPLE = "/org/people/"
IMPORT = "/org/import/"
AUDIT = "/audit/"
INBOX = "/inbox/"
BACK_OFFICE = "/admin/"
API_DOCS = "/api/v1/docs"
CAMPAIGNS = "/campaigns/"
MY_TASKS = "/campaigns/mine/"
SELFCHECK = "/selfcheck/"
LEDGER = "/selfcheck/ledger/"
SUPERVISION = "/supervision/"
ORDERS = "/supervision/orders/"
CLUES = "/integrity/"
CLUE_STATISTICS = "/integrity/statistics/"
PORTAL_PAGE = "/integrity/portal-page/"
STUDY = "/learning/"
TALKS = "/learning/talks/"
COURSES = "/learning/courses/"
EXAMS = "/learning/exams/"
QUESTION_BANK = "/learning/exams/questions/"
EXAM_MANAGEMENT = "/learning/exams/manage/"
DRILLS = "/learning/contests/drills/"
CONTESTS = "/learning/contests/"
EVERY_LINK = {
    HOME,
    UNITS,
    PEOPLE,
    IMPORT,
    AUDIT,
    INBOX,
    BACK_OFFICE,
    API_DOCS,
    CAMPAIGNS,
    MY_TASKS,
    SELFCHECK,
    LEDGER,
    SUPERVISION,
    ORDERS,
    CLUES,
    CLUE_STATISTICS,
    PORTAL_PAGE,
    STUDY,
    TALKS,
    COURSES,
    EXAMS,
    QUESTION_BANK,
    EXAM_MANAGEMENT,
    DRILLS,
    CONTESTS,
}

# What each demo login sees in the side navigation (see demo.LOGINS for their grants):
# everyone: home, inbox, API docs, self-inspection (everyone may have a personal report to
# write); org.view: units, people; campaigns.view: campaigns and my tasks; selfcheck.view (every
# role but officer): the rectification ledger; org.import: import and export; audit.view: audit
# log; staff (the superuser only): the back office; supervision.view: supervision (groups, visits)
# and follow-up orders. supervision.view comes with the admin, office, unit leader, liaison,
# inspector and viewer roles (supervision/apps.py), and to a supervision group's members from
# their group's assignments (the demo's ``supervisor`` is a member of 第一督导组; the officer is
# in no group and its role holds nothing of supervision). Clues are need-to-know: their list is
# for the discipline inspectors (and the superuser, who finds it empty); clue statistics, with
# counts under 3 hidden outside the need-to-know group, for the admin, office, unit leaders and
# inspectors; the public portal's page (telephones, mailbox, notices) is edited by the office.
# Learning: everyone has their own study sessions, talks, courses, exams and contests (as an
# attendee, a writer, an enrolee, a candidate or a judge) and every role sees the drills; the
# question bank and exam management are the office's (learning/exams/apps.py).
LEARNING = {STUDY, TALKS, COURSES, EXAMS, DRILLS, CONTESTS}
READERS = {HOME, UNITS, PEOPLE, INBOX, API_DOCS, CAMPAIGNS, MY_TASKS, SELFCHECK} | LEARNING
SUPERVISING = {SUPERVISION, ORDERS}
NAV = {
    "admin": EVERY_LINK,
    "office": READERS
    | SUPERVISING
    | {LEDGER, IMPORT, AUDIT, CLUE_STATISTICS, PORTAL_PAGE, QUESTION_BANK, EXAM_MANAGEMENT},
    "leader": READERS | SUPERVISING | {LEDGER, AUDIT, CLUE_STATISTICS},
    "liaison": READERS | SUPERVISING | {LEDGER},
    # The officer role holds no selfcheck or supervision permission: no ledger, no supervision.
    "officer": READERS,
    "supervisor": READERS | SUPERVISING | {LEDGER},
    "inspector": READERS | SUPERVISING | {LEDGER, AUDIT, CLUES, CLUE_STATISTICS},
}

# A page each login must not open (answered with the 404 page), and one it may open. ("unit",
# code) stands for that unit's page. The administrator and the campaign office see the whole
# organisation, so theirs is a unit that does not exist: it must get the same 404 page.
FORBIDDEN = {
    "admin": [UNITS + "999999/"],
    "office": [UNITS + "999999/"],
    "leader": [IMPORT],  # city-wide reader, no import
    "liaison": [("unit", "PS"), AUDIT],  # 东坡 liaison: not 彭山, no audit log
    "officer": [("unit", "PS"), IMPORT, AUDIT],  # 苏祠派出所 officer
    "supervisor": [("unit", "RS"), AUDIT],  # covers 东坡 and 彭山, not 仁寿
    "inspector": [IMPORT],
}
ALLOWED = {
    "admin": BACK_OFFICE,
    "office": IMPORT,
    "leader": AUDIT,
    "liaison": ("unit", "DP"),
    "officer": ("unit", "DP-01"),
    "supervisor": ("unit", "PS"),  # the supervision group's second county bureau
    "inspector": ("unit", "RS"),  # the discipline inspectors see every county bureau
}


def resolve(target) -> str:
    if isinstance(target, tuple):
        _kind, code = target
        return f"{UNITS}{Unit.objects.get(code=code).pk}/"
    return target


def nav_links(page) -> set[str]:
    return set(page.locator("nav#sidenav a").evaluate_all("links => links.map(a => a.pathname)"))


def record_traffic(page):
    """Start recording what the page asks for and what goes wrong in it; returns
    ``(requests, problems)``: every request URL, and script errors and console errors (a
    content security policy violation is one, and so is a missing file)."""
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))

    def console(message) -> None:
        if message.type == "error":
            problems.append(f"{page.url}: {message.text} ({message.location.get('url', '')})")

    page.on("console", console)
    return requests, problems


def outside(requests: list[str], server_host: str) -> list[str]:
    return [url for url in requests if not re.match(rf"https?://{re.escape(server_host)}/", url)]


@pytest.mark.parametrize("username", list(NAV))
def test_role_sees_its_navigation_and_pages(log_in, visit, shot, page, live_server, username):
    # Look up the pages before the browser starts asking the server for anything.
    forbidden = [resolve(target) for target in FORBIDDEN[username]]
    allowed = resolve(ALLOWED[username])
    allowed_unit = ALLOWED[username]
    heading = Unit.objects.get(code=allowed_unit[1]).name if isinstance(allowed_unit, tuple) else ""

    log_in(username)
    assert page.url == live_server.url + HOME
    shot("home")
    assert nav_links(page) == NAV[username]
    assert not (EVERY_LINK - NAV[username]) & nav_links(page)
    # An English browser still gets Chinese: every entry but "API" is labelled in Chinese.
    labels = page.locator("nav#sidenav a").all_inner_texts()
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels if label != "API"), labels
    expect(page.locator(".topbar .inbox-link")).to_be_visible()
    expect(page.locator(".topbar form[action='/accounts/logout/'] button")).to_be_visible()

    for number, path in enumerate(forbidden, start=1):
        response = visit(path, f"forbidden{number}")
        assert response.status == 404, path
        expect(page.locator(".error-code")).to_have_text("404")
        expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    response = visit(allowed, "allowed")
    assert response.status == 200, allowed
    assert page.url.endswith(allowed)
    if heading:
        expect(page.locator("main h1")).to_contain_text(heading)
    if allowed == BACK_OFFICE:
        expect(page.locator("#site-name")).to_be_visible()
    if username != "admin":
        # Django's admin sends a signed-in user who is not staff to its own login form.
        visit(BACK_OFFICE, "back-office")
        assert "/admin/login/" in page.url
        expect(page.locator("nav#sidenav")).to_have_count(0)


def test_shell_assets_load(log_in, page, live_server):
    """The shell's stylesheet and script come from this server (app.js does the language switch
    and the phone menu; the CSP allows no inline script)."""
    statuses: dict[str, int] = {}
    page.on("response", lambda response: statuses.update({response.url: response.status}))
    log_in("officer")
    assets = {
        url.removeprefix(live_server.url): status
        for url, status in statuses.items()
        if url.endswith((".css", ".js"))
    }
    assert assets.get("/static/zhengdun/app.css") == 200, (
        f"{assets}: the staticfiles finders cannot find zhengdun/app.css and app.js"
    )
    assert assets.get("/static/zhengdun/app.js") == 200, assets
    assert all(status == 200 for status in assets.values()), assets
    # The stylesheet applies: the top bar is a coloured bar, not an unstyled line of links.
    display = page.locator("header.topbar").evaluate("el => getComputedStyle(el).display")
    assert display == "flex"


def test_language_defaults_to_chinese_and_switches(log_in, visit, page):
    visit("/accounts/login/", "login-page")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    log_in("officer")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    # app.js submits the form on change (no inline script: the CSP forbids it).
    with page.expect_navigation():
        page.select_option("#language-select", label="繁體中文")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    expect(page.locator("#language-select")).to_have_value("zh-hant")
    visit(PEOPLE, "people-zh-hant")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    with page.expect_navigation():
        page.select_option("#language-select", label="English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.url.endswith(PEOPLE)
    visit(HOME, "home-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav#sidenav")).to_contain_text("People")


@pytest.mark.browser_context_args(
    viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
)
def test_phone_layout(log_in, visit, shot, page):
    log_in("supervisor")
    shot("home")
    nav = page.locator("nav#sidenav")
    toggle = page.locator(".nav-toggle")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.tap()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    shot("nav-open")
    visit(PEOPLE, "people")
    expect(page.locator("[data-testid=person-table] tbody tr").first).to_be_visible()
    overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1] + 1, overflow
    # Every cell is readable: nothing of the table lies outside the screen.
    right = page.locator("[data-testid=person-table]").evaluate(
        "table => table.getBoundingClientRect().right"
    )
    assert right <= overflow[1] + 1


def test_form_error_keeps_what_was_typed(log_in, visit, shot, page):
    taken = Person.objects.order_by("police_number").first().police_number
    log_in("office")
    visit("/org/people/new/", "empty")
    page.fill("#id_name", "测试新人")
    page.fill("#id_police_number", taken)
    page.select_option("#id_unit", index=1)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    shot("error")
    field = page.locator(".field.has-error", has=page.locator("#id_police_number"))
    expect(field).to_have_count(1)
    expect(field.locator(".errorlist")).to_contain_text(taken)
    expect(page.locator("#id_name")).to_have_value("测试新人")
    expect(page.locator("#id_police_number")).to_have_value(taken)
    expect(page.locator(".form-errors[role=alert]")).to_be_visible()
    assert not Person.objects.filter(name="测试新人").exists()


def test_wrong_password(log_in, shot, page, live_server):
    log_in("liaison", password="not-the-password", step="typed")
    shot("error")
    assert page.url.startswith(live_server.url + "/accounts/login/")
    expect(page.locator(".form-errors[role=alert]")).to_be_visible()
    expect(page.locator("#id_username")).to_have_value("liaison")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("nav#sidenav")).to_have_count(0)


def test_no_request_leaves_the_server(log_in, visit, page, server_host):
    pages = [
        ("units", UNITS),
        ("people", PEOPLE),
        ("unit", resolve(("unit", "DP"))),
        ("person-form", "/org/people/new/"),
        ("import", IMPORT),
        ("inbox", INBOX),
        ("account", "/accounts/"),
    ]
    requests, problems = record_traffic(page)
    log_in("office")
    for step, path in pages:
        response = visit(path, step)
        assert response.status == 200, path
    assert len(requests) > len(pages)
    assert outside(requests, server_host) == []
    assert problems == []


def test_api_docs_render_from_this_server(log_in, shot, page, live_server, server_host):
    requests, problems = record_traffic(page)
    log_in("office")
    response = page.goto(live_server.url + API_DOCS)
    assert response.status == 200
    # Swagger UI draws the page from the OpenAPI document once its script has run.
    expect(page.locator("#swagger-ui .swagger-ui")).to_be_visible()
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    shot("docs")
    assert any(url.endswith("/api/v1/openapi.json") for url in requests)
    assert outside(requests, server_host) == []
    assert problems == []
