"""Nothing about a reporter is kept: no address, no browser, no cookie, only days.

The marker test sends reports and replies through the page and the API with marked addresses
and a marked browser string, then searches every column of every table (and the decrypted
content of every encrypted one), the data dir, the cache and the logs for the markers."""

import contextlib
import logging
import pickle
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from tests.portal.conftest import REPORT, access_of, code_of, token_of, url
from zhengdun.integrity import crypto
from zhengdun.integrity.portal import actions

IP = "203.0.113.77"
FORWARDED = "198.51.100.23"
AGENT = "MarkerBrowser/9.1 (zd-ua-marker-5417)"
MARKERS = (IP, FORWARDED, AGENT, "zd-ua-marker-5417", "MarkerBrowser")
CLIENT = {
    "REMOTE_ADDR": IP,
    "HTTP_X_FORWARDED_FOR": f"{FORWARDED}, {IP}",
    "HTTP_X_REAL_IP": FORWARDED,
    "HTTP_FORWARDED": f"for={FORWARDED}",
    "HTTP_USER_AGENT": AGENT,
}


def database_texts():
    """Every value of every column of every table, as text; encrypted ones also decrypted."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        raw = bytes(value)
                        found.append((table, raw.decode("latin-1")))
                        with contextlib.suppress(Exception):
                            found.append((table, crypto.decrypt(raw).decode()))
                    elif value is not None:
                        found.append((table, str(value)))
    return found


def files_under(*folders) -> list[tuple[Path, bytes]]:
    found = []
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                found.append((path, data))
                with contextlib.suppress(Exception):
                    found.append((path, crypto.decrypt(data)))
    return found


def cache_texts() -> list[str]:
    texts = []
    for alias in settings.CACHES:
        cache = caches[alias]
        store = getattr(cache, "_cache", {})
        for key, value in list(store.items()):
            texts.append(str(key))
            try:
                texts.append(repr(pickle.loads(value)))
            except Exception:
                texts.append(repr(value))
    return texts


@pytest.mark.django_db(transaction=False)
def test_marker_test_nothing_about_the_sender_is_kept(client, caplog, send_report, org):
    caplog.set_level(logging.DEBUG)
    # Through the page: a report, a wrong code, the right code, a reply.
    response = send_report(**CLIENT)
    assert response.status_code == 200
    code = code_of(response)
    page = client.get(url("portal:status"), **CLIENT)
    client.post(
        url("portal:status"),
        {"code": "0" * 28, "token": token_of(page)},
        **CLIENT,
    )
    opened = client.post(url("portal:status"), {"code": code, "token": token_of(page)}, **CLIENT)
    assert opened.status_code == 200
    client.post(
        url("portal:status"),
        {"access": access_of(opened), "token": token_of(opened), "body": "补充：还有一位协警"},
        **CLIENT,
    )
    # Through the API: a report, its status, a message.
    created = client.post(
        "/api/v1/public/reports", {**REPORT}, content_type="application/json", **CLIENT
    )
    assert created.status_code == 201, created.content
    receipt = created.json()["receipt"]
    client.post(
        "/api/v1/public/reports/status",
        {"receipt": receipt},
        content_type="application/json",
        **CLIENT,
    )
    client.post(
        "/api/v1/public/reports/messages",
        {"receipt": receipt, "body": "再补充"},
        content_type="application/json",
        **CLIENT,
    )
    client.post(
        "/api/v1/public/reports/status",
        {"receipt": "1" * 28},
        content_type="application/json",
        **CLIENT,
    )
    client.get("/report/no-such-page/", **CLIENT)
    # The next day's tick writes the arrivals to the audit chain.
    actions.log_public_writes(actions.today() + timedelta(days=1))

    texts = database_texts()
    # The search does see what was stored (decrypted), and the logs did record the requests.
    assert any(REPORT["what"] in text for _table, text in texts)
    assert any("/report/no-such-page/" in record.getMessage() for record in caplog.records)
    leaks = [(table, marker) for table, text in texts for marker in MARKERS if marker in text]
    assert leaks == []
    leaks = [
        (path, marker)
        for path, data in files_under(settings.DATA_DIR, settings.MEDIA_ROOT)
        for marker in MARKERS
        if marker.encode() in data
    ]
    assert leaks == []
    assert [m for text in cache_texts() for m in MARKERS if m in text] == []
    logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    for record in caplog.records:
        request = getattr(record, "request", None)
        if request is not None:
            logged += repr(getattr(request, "META", ""))
    assert [m for m in MARKERS if m in logged] == []


@pytest.mark.django_db
def test_anonymous_report_times_are_days_only(send_report):
    from zhengdun.integrity.portal.models import PublicMessage, PublicReport

    send_report()
    report = PublicReport.objects.get()
    date_fields = {
        f.name
        for f in PublicReport._meta.concrete_fields
        if f.get_internal_type() == "DateTimeField"
    }
    assert date_fields == set()
    assert {
        f.name
        for f in PublicMessage._meta.concrete_fields
        if f.get_internal_type() == "DateTimeField"
    } == set()
    assert report.received_on == actions.today()


@pytest.mark.django_db
def test_no_cookie_is_set_before_or_at_submission(client, send_report):
    # Even a browser that carries back-office cookies gets none set or deleted.
    client.cookies["sessionid"] = "x" * 32
    client.cookies["csrftoken"] = "y" * 32
    client.cookies["django_language"] = "en"
    responses = [
        client.get(url("portal:home")),
        client.get(reverse("portal:home") + "?lang=zh-hant"),
        client.get(url("portal:new")),
        client.post(url("portal:new"), {"what": ""}),  # a form with errors
        client.get(url("portal:status")),
        client.get("/report/missing/"),
    ]
    submitted = send_report()
    responses.append(submitted)
    page = client.get(url("portal:status"))
    opened = client.post(
        url("portal:status"), {"code": code_of(submitted), "token": token_of(page)}
    )
    responses += [page, opened]
    responses.append(client.post("/api/v1/public/reports", REPORT, content_type="application/json"))
    for response in responses:
        assert not response.cookies, (response.request["PATH_INFO"], response.cookies)
        assert "Set-Cookie" not in response.headers
        assert "no-store" in response["Cache-Control"]
    # The back office still sets its cookies as before.
    assert client.get(reverse("accounts:login")).cookies


@pytest.mark.django_db
def test_portal_pages_use_no_session_and_no_csrf_cookie(client):
    response = client.get(url("portal:new"))
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert 'name="token"' in response.content.decode()


@pytest.mark.django_db
def test_a_post_from_another_site_is_refused(client, send_report):
    page = client.get(url("portal:new"))
    response = client.post(
        url("portal:new"),
        {**REPORT, "token": token_of(page)},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/public/reports",
        REPORT,
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    from zhengdun.integrity.portal.models import PublicReport

    assert not PublicReport.objects.exists()
    ok = client.post(
        url("portal:new"),
        {**REPORT, "token": token_of(page)},
        HTTP_ORIGIN="http://testserver",
    )
    assert ok.status_code == 200


@pytest.mark.django_db
def test_a_forged_form_token_keeps_what_was_typed(client):
    response = client.post(url("portal:new"), {**REPORT, "token": "forged"})
    assert response.status_code == 400
    content = response.content.decode()
    assert REPORT["what"] in content and REPORT["who"] in content
    assert (
        "did not come from this site" in content
        or "来自" in content
        or response.context["form"].non_field_errors()
    )


@pytest.mark.django_db
def test_axes_records_nothing_for_the_portal(client, send_report, open_status):
    from axes.models import AccessAttempt, AccessLog

    send_report(**CLIENT)
    for _ in range(3):
        open_status("2" * 28, **CLIENT)
    assert not AccessAttempt.objects.exists()
    assert not AccessLog.objects.exists()


def test_the_log_filter_drops_the_request_of_portal_records():
    from zhengdun.integrity.portal.logfilter import DropClientDetails

    request = SimpleNamespace(path_info="/report/new/", META={"REMOTE_ADDR": IP})
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Bad Request", (), None)
    record.request = request
    assert DropClientDetails().filter(record)
    assert record.request is None
    other = logging.LogRecord("django.request", logging.WARNING, "", 0, "Bad Request", (), None)
    other.request = SimpleNamespace(path_info="/org/", META={})
    DropClientDetails().filter(other)
    assert other.request is not None
    console = settings.LOGGING["handlers"]["console"]
    assert "portal_privacy" in console["filters"]


def test_the_gunicorn_access_log_drops_the_client_on_portal_paths():
    from gunicorn.config import Config

    from zhengdun.integrity.portal.accesslog import PortalPrivacyLogger

    logger = PortalPrivacyLogger(Config())
    fmt = logger.cfg.access_log_format + ' "%({x-forwarded-for}i)s" "%({remote_addr}e)s"'

    def line(path):
        environ = {
            "REMOTE_ADDR": IP,
            "REQUEST_METHOD": "POST",
            "RAW_URI": path,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_USER_AGENT": AGENT,
            "HTTP_X_FORWARDED_FOR": FORWARDED,
            "HTTP_REFERER": f"http://{IP}{path}",
        }
        request = SimpleNamespace(headers=[("X-FORWARDED-FOR", FORWARDED), ("USER-AGENT", AGENT)])
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
        return fmt % logger.atoms_wrapper_class(atoms)

    for path in ("/report/new/", "/api/v1/public/reports"):
        logged = line(path)
        assert path in logged
        assert [m for m in MARKERS if m in logged] == []
    assert IP in line("/org/")  # the back office's log is unchanged

    def asset_line(referer):
        environ = {
            "REMOTE_ADDR": IP,
            "REQUEST_METHOD": "GET",
            "RAW_URI": "/static/zhengdun/app.css",
            "PATH_INFO": "/static/zhengdun/app.css",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_USER_AGENT": AGENT,
            "HTTP_REFERER": referer,
        }
        response = SimpleNamespace(status="200 OK", sent=10, headers=[])
        atoms = logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0))
        return logger.cfg.access_log_format % logger.atoms_wrapper_class(atoms)

    # A request made from a portal page is the portal's too; one from the back office is not.
    assert IP not in asset_line("http://example.gov.cn/report/new/")
    assert IP in asset_line("http://example.gov.cn/org/")
    makefile = (Path(settings.BASE_DIR).parents[1] / "Makefile").read_text()
    assert "--logger-class zhengdun.integrity.portal.accesslog.PortalPrivacyLogger" in makefile


def test_the_middleware_removes_the_client_before_anything_else_sees_it(rf):
    from django.http import HttpResponse

    from zhengdun.integrity.portal.middleware import PortalPrivacyMiddleware

    seen = {}

    def view(request):
        seen.update(request.META)
        seen["cookies"] = dict(request.COOKIES)
        response = HttpResponse("ok")
        response.set_cookie("csrftoken", "z")
        return response

    middleware = PortalPrivacyMiddleware(view)
    request = rf.post("/report/new/", HTTP_COOKIE="sessionid=abc", **CLIENT)
    response = middleware(request)
    assert [m for m in MARKERS if m in repr(seen)] == []
    assert seen["cookies"] == {}
    assert not response.cookies
    seen.clear()
    middleware(rf.get("/org/", **CLIENT))
    assert seen["REMOTE_ADDR"] == IP  # the back office is left alone
