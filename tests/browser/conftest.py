"""Browser tests: a real Chromium (Debian's, never a downloaded one) against pytest-django's
live_server, on the demo organisation.

Loading the demo once, not per test
-----------------------------------
``live_server`` makes every test a TransactionTestCase: pytest-django flushes the tables after
each test, and ``demo.load_all()`` takes seconds. So ``demo_snapshot`` (session scope) loads
the demo once and keeps a copy of the whole database; ``demo_site`` (every test) puts that copy back
before the test. With the in-memory SQLite test database (the default, and what ``make
test-browser`` uses) the copy is an SQLite backup, restored in milliseconds; on another database
it is Django's JSON serialization of the database (what ``serialized_rollback`` uses), restored
in under a second. Restoring at the start rather than relying on the flush at the end also
means a test never sees what the previous one changed.

Two details make the in-memory database work with Playwright:

- Playwright's sync API leaves an event loop marked as running in the test thread. Django then
  keeps connections per async context instead of per thread, so from Playwright's start the
  test thread uses a new connection object. ``demo_snapshot`` therefore starts Playwright
  first, and ``live_server`` is started after it, so that the server threads share the very
  connection object the tests use (pytest-django hands the server the test thread's in-memory
  connection as it is when the server starts).
- That one connection is shared by every server thread, and Chromium sends requests in
  parallel; the server is made to answer one request at a time (``OneAtATime``).

Screenshots of every page visited go to var/screenshots/<test>-<step>.png (emptied at the start
of each run, so the folder shows the last run).
"""

import os
import sqlite3
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
PASSWORD = "zhengdun-demo"


@pytest.fixture(scope="session", autouse=True)
def allow_orm_beside_playwright():
    """Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
    from a thread with a running loop unless told that this is deliberate. Set for the browser
    tests only (they run last: pytest-django puts transactional tests at the end), so the rest
    of the suite keeps Django's check."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; the browser tests must run in CI", pytrace=False)
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    # Replaces pytest-playwright's fallback ``base_url`` fixture, which is a session fixture
    # written as an instance method: pytest 9 warns about that (PytestRemovedIn10Warning, an
    # error here). The live server is the only base URL these tests can have anyway.
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # An English browser on purpose: the application must still answer in Chinese.
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-US"}


@pytest.fixture(scope="session")
def demo_snapshot(allow_orm_beside_playwright, playwright, django_db_setup, django_db_blocker):
    """Load the demo into the test database once; return a way to put it back as it was.

    Playwright comes first on purpose. Once it has started, the test thread has a "running"
    event loop, and Django then keeps its connections per async context instead of per
    thread: the test thread gets a new connection object from that point on. The live server
    must share that object (see ``live_server`` below), so everything happens after the start.
    """
    from django.core.management import call_command
    from django.db import connection

    with django_db_blocker.unblock():
        from zhengdun.org import demo

        demo.load_all()
        copy = None
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            # A page-level copy of the whole database: restoring it takes milliseconds.
            copy = sqlite3.connect(":memory:")
            connection.ensure_connection()
            connection.connection.backup(copy)

            def restore() -> None:
                connection.ensure_connection()
                copy.backup(connection.connection)

        else:
            snapshot = connection.creation.serialize_db_to_string()

            def restore() -> None:
                call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
                connection.creation.deserialize_db_from_string(snapshot)

    yield restore
    if copy is not None:
        copy.close()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


class OneAtATime:
    """Wraps the live server's WSGI application so that it serves one request at a time.

    With in-memory SQLite every server thread uses the test thread's one connection object, and
    Chromium sends requests in parallel (a page and its assets, a favicon while the next page is
    asked for); Django's per-connection state (transactions, savepoints) is not made for
    several threads at once. ``idle()`` waits until the request being served, if any, is done.
    """

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            return self.app(environ, start_response)

    def idle(self) -> None:
        with self.lock:
            pass


@pytest.fixture(scope="session")
def live_server(demo_snapshot, live_server):
    """pytest-django's live server, started only once the demo snapshot is in place, and
    serving one request at a time.

    The server hands its threads the test thread's in-memory SQLite connection object as it is
    when the server starts; starting it after ``demo_snapshot`` makes that the object the tests
    use too.
    """
    httpd = live_server.thread.httpd
    if not isinstance(httpd.get_app(), OneAtATime):
        httpd.set_app(OneAtATime(httpd.get_app()))
    return live_server


@pytest.fixture(autouse=True)
def demo_site(demo_snapshot, transactional_db, live_server, settings):
    """Every browser test: the demo organisation served by the live server, demo logins on."""
    from django.db import connections

    shared = live_server.thread.connections_override.get("default")
    assert shared is None or shared is connections["default"], (
        "the live server and the tests use different database connections"
    )
    demo_snapshot()
    settings.DEMO_MODE = True
    yield live_server
    # The browser context is closed by now (it was opened after this fixture); let a request
    # it left behind (a favicon, say) finish before pytest-django flushes the database.
    live_server.thread.httpd.get_app().idle()


@pytest.fixture
def server_host(live_server):
    return urlsplit(live_server.url).netloc


@pytest.fixture
def page(page):
    # Fail within seconds, not Playwright's default 30 s, when something does not show up.
    page.set_default_timeout(10_000)
    return page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return SCREENSHOTS


@pytest.fixture
def shot(page, request, screenshots):
    """``shot("step")`` saves a full-page screenshot as var/screenshots/<test>-<step>.png."""
    callspec = getattr(request.node, "callspec", None)
    params = [
        str(value)
        for name, value in (callspec.params if callspec else {}).items()
        if name != "browser_name"
    ]
    test = "-".join([request.node.originalname, *params])

    def take(step: str) -> Path:
        path = screenshots / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def visit(page, live_server, shot):
    """``visit("/path/", "step")`` opens a page of the live server and screenshots it."""

    def go(path: str, step: str):
        response = page.goto(live_server.url + path)
        shot(step)
        return response

    return go


@pytest.fixture
def log_in(page, live_server, shot):
    """Log in through the real login form; returns the page after the redirect."""

    def as_user(username: str, password: str = PASSWORD, step: str = "login"):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        shot(step)
        with page.expect_navigation():
            page.click("form button[type=submit].button")
        return page

    return as_user
