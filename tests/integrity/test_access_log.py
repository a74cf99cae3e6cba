"""Every read of a clue (page, access log, API, evidence file, the reporter's identity, its case)
is an audit event listed on the clue's access log; and none of it leaks into the general audit
pages, to anyone, superusers included."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.integrity.conftest import TODAY, register
from zhengdun.audit.models import AuditEvent
from zhengdun.audit.queries import events_visible_to
from zhengdun.integrity import actions


def reads(clue, user, via=None):
    events = AuditEvent.objects.filter(
        object_type="integrity.clue",
        object_id=str(clue.pk),
        code="integrity.clue.read",
        actor_id=user.pk,
    )
    if via:
        events = events.filter(changes__via=via)
    return events.count()


def test_every_read_path_is_logged(people, triaged, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(people.handler)
    assert client.get(reverse("integrity:clue_detail", args=[triaged.pk])).status_code == 200
    assert reads(triaged, people.handler, "page") == 1
    assert client.get(f"/api/v1/clues/{triaged.pk}").status_code == 200
    assert reads(triaged, people.handler, "api") == 1
    assert client.get(reverse("integrity:clue_log", args=[triaged.pk])).status_code == 200
    assert reads(triaged, people.handler, "access_log") == 1
    upload = SimpleUploadedFile("a.txt", "证据".encode(), "text/plain")
    entry = actions.add_entry(
        people.handler, clue=triaged, kind="evidence", text="证据", files=[upload]
    )
    stored = entry.files.get()
    response = client.get(reverse("integrity:file", args=[stored.pk]))
    assert response.status_code == 200 and response.content == "证据".encode()
    assert AuditEvent.objects.filter(
        code="integrity.file.read", object_id=str(triaged.pk), actor_id=people.handler.pk
    ).exists()
    # A file of a hidden clue is a 404, and not logged.
    outsider = login(people.org.office)
    assert outsider.get(reverse("integrity:file", args=[stored.pk])).status_code == 404
    assert not AuditEvent.objects.filter(
        code="integrity.file.read", actor_id=people.org.office.pk
    ).exists()


def test_the_access_log_page_lists_reads_and_changes(people, triaged, login):
    login(people.helper).get(reverse("integrity:clue_detail", args=[triaged.pk]))
    response = login(people.head).get(reverse("integrity:clue_log", args=[triaged.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "helper" in html and "handler" in html
    for code in ("integrity.clue.registered", "integrity.clue.triaged", "integrity.clue.read"):
        label = str(AuditEvent(code=code).label)
        assert label in html


def test_identity_and_case_reads_are_logged(people, login):
    org = people.org
    clue = register(people.desk, org, source="letter", reporter_name="赵六")
    actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)
    actions.approve_own_reveal(people.head, clue=clue, reason="审批")
    response = login(people.head).get(reverse("integrity:clue_reporter", args=[clue.pk]))
    assert "赵六" in response.content.decode()
    assert AuditEvent.objects.filter(
        code="integrity.identity.read", object_id=str(clue.pk), actor_id=people.head.pk
    ).exists()
    # Without approval the identity page is refused, and the name appears nowhere.
    response = login(people.handler).get(reverse("integrity:clue_reporter", args=[clue.pk]))
    assert response.status_code == 403
    detail = login(people.handler).get(reverse("integrity:clue_detail", args=[clue.pk]))
    assert "赵六" not in detail.content.decode()
    actions.start_verification(people.handler, clue=clue)
    case = actions.open_case(
        people.head, clue=clue, summary="立案。", handlers=[(people.helper, "lead")]
    )
    assert (
        login(people.helper).get(reverse("integrity:case_detail", args=[case.pk])).status_code
        == 200
    )
    assert (
        login(people.handler).get(reverse("integrity:case_detail", args=[case.pk])).status_code
        == 404
    )
    assert AuditEvent.objects.filter(code="integrity.case.read", actor_id=people.helper.pk).exists()


def test_integrity_events_never_reach_the_audit_pages(people, triaged, login):
    org = people.org
    login(people.handler).get(reverse("integrity:clue_detail", args=[triaged.pk]))
    events = AuditEvent.objects.filter(code__startswith="integrity.")
    assert events.count() >= 4
    for event in events:
        assert event.unit_id is None
        assert event.object_repr in (triaged.number,)
        assert "苏祠" not in str(event.changes) and "好处费" not in str(event.changes)
        assert "officer_a1" not in str(event.changes)
    for user in (org.admin, org.office, org.leader_a, people.head, people.handler):
        assert not events_visible_to(user).filter(code__startswith="integrity.").exists()
    for user in (org.admin, org.office, org.leader_a, people.head):
        response = login(user).get(reverse("audit:event_list"), {"q": "线索"})
        assert triaged.number not in response.content.decode()
        table = login(user).get(reverse("audit:event_list")).content.decode()
        assert triaged.number not in table
    # Nor the Django admin's audit list, for the superuser.
    admin_list = login(org.admin).get(reverse("admin:audit_auditevent_changelist"), {"all": ""})
    assert admin_list.status_code == 200
    assert triaged.number not in admin_list.content.decode()


def test_an_export_is_a_read_of_every_clue_in_it(people, triaged, login):
    other = register(people.desk, people.org, subject_persons=[people.org.p_b1])
    response = login(people.handler).get(reverse("integrity:clue_export"))
    assert response.status_code == 200
    assert reads(triaged, people.handler, "export") == 1
    assert not AuditEvent.objects.filter(object_id=str(other.pk), actor_id=people.handler.pk)
    assert login(people.org.office).get(reverse("integrity:clue_export")).status_code == 404


def test_a_page_shown_again_after_a_failed_action_is_a_read_too(people, triaged, login):
    client = login(people.handler)
    response = client.post(
        reverse("integrity:clue_action", args=[triaged.pk, "entry"]), {"kind": "note", "text": ""}
    )
    assert response.status_code == 400
    assert reads(triaged, people.handler, "page") == 1
