import datetime

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from zhengdun.audit.models import AuditEvent
from zhengdun.notify import tick
from zhengdun.notify.actions import mark_read, recount_unread, send
from zhengdun.notify.models import Inbox, Notification


def test_send_with_a_key_is_idempotent(org):
    assert send(recipient=org.office, kind="t", title="提醒", dedupe_key="k1") == 1
    assert send(recipient=org.office, kind="t", title="提醒", dedupe_key="k1") == 0
    assert send(recipient=org.office, kind="t", title="提醒") == 1
    assert send(recipient=org.office, kind="t", title="提醒") == 1
    assert Notification.objects.filter(recipient=org.office).count() == 3


def test_inbox_shows_own_notices_and_the_unread_count(org, login):
    send(recipient=org.office, kind="t", title="给整顿办的通知")
    send(recipient=org.leader_a, kind="t", title="给别人的通知")
    response = login(org.office).get(reverse("notify:inbox"))
    html = response.content.decode()
    assert "给整顿办的通知" in html and "给别人的通知" not in html
    assert response.context["unread_count"] == 1


def test_marking_read_is_audited_and_only_touches_own_notices(org, login):
    send(recipient=org.office, kind="t", title="a")
    other = Notification.objects.create(recipient=org.leader_a, kind="t", title="b")
    client = login(org.office)
    client.post(reverse("notify:mark_read"), {"id": [str(other.pk)]})
    other.refresh_from_db()
    assert other.read_at is None
    client.post(reverse("notify:mark_read"))
    assert not Notification.objects.filter(recipient=org.office, read_at__isnull=True).exists()
    assert AuditEvent.objects.filter(code="notify.notification.read").count() == 1


def test_tick_runs_registered_jobs_and_twice_sends_nothing_twice(org, monkeypatch, capsys):
    calls = []

    def remind(today):
        calls.append(today)
        return send(
            recipient=org.leader_a,
            kind="test.reminder",
            title="到期提醒",
            dedupe_key=f"test.reminder:{today}",
        )

    monkeypatch.setitem(tick._jobs, "test.reminder", remind)
    call_command("tick", "--date", "2026-11-27")
    call_command("tick", "--date", "2026-11-27")
    assert calls == [datetime.date(2026, 11, 27)] * 2
    assert Notification.objects.filter(kind="test.reminder").count() == 1
    out = capsys.readouterr().out
    assert "test.reminder: 1" in out and "test.reminder: 0" in out


def test_tick_tells_administrators_about_a_broken_audit_chain(org):
    from django.db import connection

    from zhengdun.org import actions

    actions.update_unit(org.office, unit=org.dept, version=1, name="政治部二")
    call_command("tick")
    assert not Notification.objects.filter(kind="audit.chain_broken").exists()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET object_repr = 'x'")
    call_command("tick")
    call_command("tick")
    assert Notification.objects.filter(kind="audit.chain_broken", recipient=org.admin).count() == 1


def test_unread_counter_follows_sends_and_reads_and_the_tick_repairs_drift(org):
    send(recipient=org.office, kind="t", title="a")
    send(recipient=org.office, kind="t", title="b")
    assert Inbox.objects.get(user=org.office).unread == 2
    first = Notification.objects.filter(recipient=org.office).order_by("id").first()
    mark_read(actor=org.office, notification_ids=[first.pk])
    assert Inbox.objects.get(user=org.office).unread == 1
    Inbox.objects.filter(user=org.office).update(unread=7)
    Notification.objects.create(recipient=org.leader_a, kind="t", title="written around send")
    assert tick.run(datetime.date(2026, 3, 1))["notify.unread"] == 2
    assert Inbox.objects.get(user=org.office).unread == 1
    assert Inbox.objects.get(user=org.leader_a).unread == 1
    assert recount_unread() == 0


def test_pages_show_the_unread_count_without_counting_notices(org, login):
    send(recipient=org.office, kind="t", title="a")
    client = login(org.office)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("org:unit_list"))
    assert response.context["unread_count"] == 1
    assert not [q for q in queries.captured_queries if "notify_notification" in q["sql"]]


def test_ids_that_are_not_ids_are_left_out_of_marking_read(org, login):
    kept = Notification.objects.create(recipient=org.office, kind="t", title="a")
    other = Notification.objects.create(recipient=org.office, kind="t", title="b")
    client = login(org.office)
    response = client.post(
        reverse("notify:mark_read"), {"id": ["²", "٣", "-1", " 1", "9" * 25, str(other.pk)]}
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    other.refresh_from_db()
    assert kept.read_at is None and other.read_at is not None


def test_only_invalid_ids_mark_nothing_read(org, login):
    notice = Notification.objects.create(recipient=org.office, kind="t", title="a")
    client = login(org.office)
    assert client.post(reverse("notify:mark_read"), {"id": ["²", "abc"]}).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is None
    assert client.post(reverse("notify:mark_read")).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is not None
