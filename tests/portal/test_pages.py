"""The public pages: the landing page publishes the office's numbers and notices and says what
the site cannot hide; the form keeps what was typed; the receipt is shown once; the status page
opens with the code (POST only) and carries the thread both ways."""

import json

import pytest
from django.urls import reverse

from tests.portal.conftest import REPORT, access_of, code_of, token_of, url
from zhengdun.audit.models import AuditEvent
from zhengdun.integrity.portal import actions, queries
from zhengdun.integrity.portal.models import (
    Notice,
    PublicMessage,
    PublicReport,
    ReportStatus,
    Sender,
)


@pytest.mark.django_db
def test_landing_page_publishes_the_numbers_notices_and_limits(client, org):
    actions.save_portal_page(
        actor=org.office,
        phones="028-12345678\n12389",
        mailbox="jubao@example.gov.cn",
        office_hours="工作日 9:00-17:00",
        intro="欢迎监督",
    )
    actions.save_notice(actor=org.office, title="教育整顿举报受理公告", body="即日起受理")
    actions.save_notice(actor=org.office, title="草稿", published=False)
    response = client.get(reverse("portal:home"))
    content = response.content.decode()
    assert response.status_code == 200
    for text in ("028-12345678", "12389", "jubao@example.gov.cn", "工作日 9:00-17:00", "欢迎监督"):
        assert text in content
    assert "教育整顿举报受理公告" in content and "草稿" not in content
    assert 'data-testid="portal-privacy"' in content
    # Its own shell: no back-office navigation, no user menu, no script, nothing from outside.
    assert "sidenav" not in content and "accounts/logout" not in content
    assert "<script" not in content
    # Every request the page makes stays under /report/ (no address logged, no cookie).
    assert "/static/" not in content
    stylesheet = client.get(reverse("portal:asset", args=["app.css"]))
    assert stylesheet.status_code == 200 and stylesheet["Content-Type"].startswith("text/css")
    assert "max-age" in stylesheet["Cache-Control"] and not stylesheet.cookies
    assert client.get(reverse("portal:asset", args=["settings.py"])).status_code == 404
    assert "http://" not in content.replace("http://www.w3.org", "")
    english = client.get(url("portal:home")).content.decode()
    assert "What it cannot hide" in english


@pytest.mark.django_db
def test_a_report_through_the_page_gives_a_receipt_once(send_report):
    response = send_report()
    assert response.status_code == 200
    code = code_of(response)
    assert len(code) == 28
    report = PublicReport.objects.get()
    assert (report.what, report.who, report.where_when) == (
        REPORT["what"],
        REPORT["who"],
        REPORT["where_when"],
    )
    assert report.anonymous and report.status == ReportStatus.RECEIVED
    assert "Write it down now" in response.content.decode()


@pytest.mark.django_db
def test_form_errors_keep_everything_typed_and_ask_for_files_again(client):
    page = client.get(url("portal:new"))
    typed = {**REPORT, "category": "", "contact": "电话 139xxxx", "token": token_of(page)}
    from tests.portal.conftest import upload

    typed["attachments"] = [upload("a.txt", "证据".encode())]
    response = client.post(url("portal:new"), typed)
    assert response.status_code == 400
    content = response.content.decode()
    for text in (REPORT["what"], REPORT["where_when"], REPORT["who"], "电话 139xxxx"):
        assert text in content
    assert "choose your attachments again" in content
    assert not PublicReport.objects.exists()
    # The re-rendered form carries a fresh token: it can be sent as it is once corrected.
    again = client.post(
        url("portal:new"), {**REPORT, "category": "work", "token": token_of(response)}
    )
    assert again.status_code == 200 and PublicReport.objects.count() == 1


@pytest.mark.django_db
def test_the_code_is_never_in_a_url(client, send_report):
    code = code_of(send_report())
    response = client.get(url("portal:status"), {"code": code})
    assert response.status_code == 200
    assert 'data-testid="code-form"' in response.content.decode()
    assert 'data-testid="thread"' not in response.content.decode()


@pytest.mark.django_db
def test_reporter_and_handler_exchange_messages(client, send_report, open_status, org):
    code = code_of(send_report())
    report = PublicReport.objects.get()
    actions.reply(actor=org.office, report=report, body="请补充具体时间")
    actions.set_status(actor=org.office, report=report, status=ReportStatus.IN_PROGRESS)
    opened = open_status(code.lower())
    content = opened.content.decode()
    assert opened.status_code == 200
    assert "请补充具体时间" in content and "Being handled" in content
    assert "office" not in content  # the handler's identity is not shown
    sent = client.post(
        url("portal:status"),
        {"access": access_of(opened), "token": token_of(opened), "body": "下午三点左右"},
    )
    assert sent.status_code == 200
    assert 'data-testid="reply-sent"' in sent.content.decode()
    thread = queries.thread(report)
    assert [(m.sender, m.body) for m in thread] == [
        (Sender.HANDLER, "请补充具体时间"),
        (Sender.REPORTER, "下午三点左右"),
    ]
    # The handler's writes are audited at once, without the text.
    codes = list(AuditEvent.objects.values_list("code", flat=True))
    assert "portal.message.replied" in codes and "portal.report.status" in codes
    for changes in AuditEvent.objects.values_list("changes", flat=True):
        assert "请补充" not in json.dumps(changes, ensure_ascii=False)


@pytest.mark.django_db
def test_an_empty_reply_keeps_the_page_and_an_expired_one_gives_the_text_back(
    client, send_report, open_status
):
    opened = open_status(code_of(send_report()))
    empty = client.post(
        url("portal:status"),
        {"access": access_of(opened), "token": token_of(opened), "body": ""},
    )
    assert empty.status_code == 400 and 'data-testid="thread"' in empty.content.decode()
    expired = client.post(
        url("portal:status"),
        {"access": "forged", "token": token_of(opened), "body": "我的补充说明"},
    )
    assert expired.status_code == 400
    assert 'data-testid="kept-text"' in expired.content.decode()
    assert "我的补充说明" in expired.content.decode()
    assert not PublicMessage.objects.exists()


@pytest.mark.django_db
def test_handler_actions_need_a_signed_in_user():
    receipt = actions.submit_report(**REPORT)
    with pytest.raises(
        actions.PermissionDenied if hasattr(actions, "PermissionDenied") else Exception
    ):
        actions.reply(actor=None, report=receipt.report, body="x")


@pytest.mark.django_db
def test_public_writes_reach_the_audit_chain_a_day_late_in_a_batch(send_report):
    send_report()
    assert not AuditEvent.objects.filter(code="portal.report.received").exists()
    today = actions.today()
    assert actions.log_public_writes(today) == 0
    from datetime import timedelta

    assert actions.log_public_writes(today + timedelta(days=1)) == 1
    assert actions.log_public_writes(today + timedelta(days=1)) == 0  # idempotent
    event = AuditEvent.objects.get(code="portal.report.received")
    assert event.actor_id is None and REPORT["what"] not in str(event.changes)


@pytest.mark.django_db
def test_the_report_becomes_a_clue_in_the_same_transaction():
    from zhengdun.integrity.models import Clue

    receipt = actions.submit_report(**REPORT)
    clue = Clue.objects.get(portal_report=receipt.report)
    assert REPORT["what"] in clue.summary and clue.subjects_text == REPORT["who"]


# The office's page ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_office_edits_the_portal_page_and_notices(login, org):
    client = login(org.office)
    page = client.get(reverse("portal_office:page"))
    assert page.status_code == 200
    response = client.post(
        reverse("portal_office:page"),
        {
            "intro": "欢迎",
            "phones": "12389",
            "mailbox": "jb@example.cn",
            "postal_address": "",
            "office_hours": "",
        },
    )
    assert response.status_code == 302
    assert queries.portal_page().phone_list == ["12389"]
    again = client.post(
        reverse("portal_office:page"),
        {
            "intro": "欢迎",
            "phones": "12389\n110",
            "mailbox": "",
            "postal_address": "",
            "office_hours": "",
        },
    )
    assert again.status_code == 302
    assert queries.portal_page().phone_list == ["12389", "110"]
    assert "110" in client.get(reverse("portal_office:page")).content.decode()
    created = client.post(
        reverse("portal_office:notice_new"),
        {"title": "公告一", "body": "内容", "published": "on", "published_on": "2026-11-27"},
    )
    assert created.status_code == 302
    notice = Notice.objects.get()
    edited = client.post(
        reverse("portal_office:notice_edit", args=[notice.pk]),
        {"title": "公告一（修订）", "body": "内容", "published_on": "2026-11-27"},
    )
    assert edited.status_code == 302
    notice.refresh_from_db()
    assert notice.title == "公告一（修订）" and not notice.published
    client.post(reverse("portal_office:notice_delete", args=[notice.pk]))
    assert not Notice.objects.exists()
    codes = set(AuditEvent.objects.values_list("code", flat=True))
    assert {"portal.page.saved", "portal.notice.saved", "portal.notice.deleted"} <= codes


@pytest.mark.django_db
def test_only_the_office_may_edit_the_portal_page(login, org):
    for user in (org.leader_a, org.officer_a1, org.outsider):
        client = login(user)
        assert client.get(reverse("portal_office:page")).status_code == 404
    with pytest.raises(Exception):  # noqa: B017
        actions.save_portal_page(actor=org.leader_a, phones="1")


@pytest.mark.django_db
def test_the_demo_publishes_the_page_once(org, client):
    from zhengdun.integrity.portal import demo

    assert demo.load(org.admin)["portal_page"] == 1
    assert demo.load(org.admin) == {"portal_page": 0}
    content = client.get(reverse("portal:home")).content.decode()
    assert "12389" in content and "举报须知" in content


@pytest.mark.django_db
def test_a_post_with_only_a_foreign_referer_is_refused(client):
    page = client.get(url("portal:new"))
    refused = client.post(
        url("portal:new"),
        {**REPORT, "token": token_of(page)},
        HTTP_REFERER="https://elsewhere.example/report/",
    )
    assert refused.status_code == 403
    accepted = client.post(
        url("portal:new"),
        {**REPORT, "token": token_of(page)},
        HTTP_REFERER="http://testserver/report/new/",
    )
    assert accepted.status_code == 200


@pytest.mark.django_db
def test_the_status_page_query_count_does_not_grow_with_the_thread(
    org, send_report, open_status, django_assert_max_num_queries
):
    from tests.portal.conftest import upload

    code = code_of(send_report())
    report = PublicReport.objects.get()
    actions.reply(actor=org.office, report=report, body="一", attachments=[upload("a.txt", b"a")])
    with django_assert_max_num_queries(12) as small:
        open_status(code)
    for n in range(8):
        actions.reply(
            actor=org.office, report=report, body=str(n), attachments=[upload("b.txt", b"b")]
        )
    with django_assert_max_num_queries(12) as large:
        open_status(code)
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_sending_the_same_form_twice_makes_one_report(client):
    page = client.get(url("portal:new"))
    body = {**REPORT, "token": token_of(page)}
    first = client.post(url("portal:new"), body)
    assert first.status_code == 200
    again = client.post(url("portal:new"), body)  # the browser's reload of the receipt page
    assert again.status_code == 400
    assert "already been sent" in again.content.decode()
    assert REPORT["what"] in again.content.decode()
    assert PublicReport.objects.count() == 1
    # The re-rendered form is a new one: sending it makes a new report.
    assert client.post(url("portal:new"), {**REPORT, "token": token_of(again)}).status_code == 200
    assert PublicReport.objects.count() == 2
