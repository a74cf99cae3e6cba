"""Portal reports become clues (source "portal", no actor), announced by the next tick."""

from datetime import timedelta

import time_machine

from tests.integrity.conftest import TODAY
from zhengdun.audit.models import AuditEvent
from zhengdun.integrity import jobs
from zhengdun.integrity.intake import from_portal
from zhengdun.integrity.models import Clue, ReporterIdentity
from zhengdun.integrity.portal import actions as portal
from zhengdun.notify.models import Notification


def make_report(**fields):
    from zhengdun.integrity.portal.models import PublicReport

    values = {
        "category": "masses",
        "anonymous": True,
        "received_on": TODAY,
        "receipt_key": f"k{PublicReport.objects.count()}",
        "receipt_hash": "h",
    }
    values.update(fields)
    return PublicReport.objects.create(**values)


def test_from_portal_registers_a_clue_without_an_actor(people):
    with time_machine.travel(TODAY, tick=False):
        report = make_report()
        clue = from_portal(report, summary="网上举报：某民警态度恶劣。", subjects_text="某所民警")
    assert clue.source == "portal" and clue.portal_report == report
    assert clue.created_by is None and clue.ack_due == TODAY + timedelta(days=7)
    assert clue.created_at.date() == TODAY and clue.created_at.hour in (0, 16)
    assert not ReporterIdentity.objects.filter(clue=clue).exists()
    # Nothing with a time on it yet: audited and announced by the next day's tick.
    assert not AuditEvent.objects.filter(code__startswith="integrity.").exists()
    assert not Notification.objects.filter(kind__startswith="integrity.").exists()
    jobs.intake(TODAY)
    assert not AuditEvent.objects.filter(code__startswith="integrity.").exists()
    jobs.intake(TODAY + timedelta(days=1))
    jobs.intake(TODAY + timedelta(days=1))
    assert AuditEvent.objects.filter(code="integrity.clue.registered").count() == 1
    assert (
        Notification.objects.filter(recipient=people.head, kind="integrity.clue.registered").count()
        == 1
    )


def test_a_named_portal_reporter_is_held_apart(people):
    with time_machine.travel(TODAY, tick=False):
        report = make_report(anonymous=False, contact="13900000000")
        clue = from_portal(report, summary="实名举报。")
    assert ReporterIdentity.objects.filter(clue=clue).exists()
    assert clue.contact_due == TODAY + timedelta(days=30)


def test_the_portal_submission_creates_the_clue(people):
    with time_machine.travel(TODAY, tick=False):
        portal.submit_report(category="law", what="执法不公，乱罚款。", who="某交警")
    clue = Clue.objects.get()
    assert clue.source == "portal" and "乱罚款" in clue.summary and clue.subjects_text == "某交警"


def test_a_handler_answers_the_portal_reporter_from_the_clue(people, login):
    from django.urls import reverse

    from zhengdun.integrity import actions

    with time_machine.travel(TODAY, tick=False):
        portal.submit_report(category="masses", what="窗口民警索要好处费。", contact="13700000000")
        clue = Clue.objects.get()
        actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)
        client = login(people.handler)
        response = client.post(
            reverse("integrity:clue_action", args=[clue.pk, "message"]),
            {"body": "您的举报已受理，请提供更多细节。"},
        )
        assert response.status_code == 302
        clue.refresh_from_db()
        assert clue.acknowledged_on == TODAY
        clue.portal_report.refresh_from_db()
        assert clue.portal_report.status in ("acknowledged", "in_progress")
        page = client.get(reverse("integrity:clue_detail", args=[clue.pk])).content.decode()
        assert "请提供更多细节" in page
        assert "13700000000" not in page  # the named reporter's contact stays withheld
