"""The workflow: registered → triaged → verifying → concluded → archived, each disposition,
the identity reveal, cases; illegal transitions are refused with a clear message."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from tests.integrity.conftest import TODAY, register
from zhengdun.integrity import actions
from zhengdun.integrity.models import (
    FORM_OF,
    Case,
    ClueEntry,
    Disposition,
    EntryFile,
    IdentityReveal,
)
from zhengdun.notify.models import Notification


def test_registration_numbers_clues_by_year(people):
    org = people.org
    first = register(people.desk, org)
    second = register(people.desk, org)
    assert first.number == "线索〔2026〕0001"
    assert second.number == "线索〔2026〕0002"
    assert first.state == "registered"
    assert first.ack_due is not None and first.contact_due is None  # anonymous call
    assert (first.due_on - first.received_on).days == 90
    # The head hears of it (number only).
    notice = Notification.objects.get(
        recipient=people.head, kind="integrity.clue.registered", body=first.number
    )
    assert "苏祠" not in notice.title + notice.body


def test_internal_sources_owe_no_acknowledgement(people):
    clue = register(people.desk, people.org, source="supervision")
    assert clue.ack_due is None and clue.contact_due is None


def test_a_named_reporter_starts_the_contact_clock(people):
    clue = register(
        people.desk,
        people.org,
        source="letter",
        reporter_name="张三",
        reporter_contact="13800000000",
    )
    assert (clue.contact_due - clue.received_on).days == 30


def test_only_inspectors_register(people):
    with pytest.raises(PermissionDenied):
        register(people.org.office, people.org)
    with pytest.raises(PermissionDenied):
        register(people.org.admin, people.org)


def test_registration_explains_what_is_missing(people):
    with pytest.raises(ValidationError) as error:
        register(people.desk, people.org, summary=" ", category="nonsense", source="fax")
    assert set(error.value.message_dict) == {"summary", "category", "source"}


def test_triage_assigns_and_tells_the_handlers(people, triaged):
    assert triaged.state == "triaged" and triaged.mode == "verify"
    assert Notification.objects.filter(
        recipient=people.handler, kind="integrity.clue.assigned"
    ).exists()


def test_only_the_head_triages(people, triaged):
    with pytest.raises(PermissionDenied):
        actions.triage(people.handler, clue=triaged, mode="hold", lead=people.handler)


def test_triage_due_date_stays_within_the_clock(people, clue):
    from datetime import timedelta

    with pytest.raises(ValidationError) as error:
        actions.triage(
            people.head,
            clue=clue,
            mode="verify",
            lead=people.handler,
            due_on=clue.received_on + timedelta(days=120),
            on=TODAY,
        )
    assert "due_on" in error.value.message_dict


def test_verification_and_each_disposition(people):
    org = people.org
    for index, disposition in enumerate(Disposition.values):
        clue = register(people.desk, org, summary=f"第{index}条线索：反映某民警违规。")
        actions.triage(people.head, clue=clue, mode="inquiry", lead=people.handler, on=TODAY)
        actions.start_verification(people.handler, clue=clue, on=TODAY)
        actions.add_entry(people.handler, clue=clue, kind="interview", text="谈话核实。", on=TODAY)
        actions.conclude(
            people.handler, clue=clue, disposition=disposition, conclusion="经核实。", on=TODAY
        )
        clue.refresh_from_db()
        assert clue.state == "concluded" and clue.disposition == disposition
        assert clue.form == FORM_OF[disposition]
        assert clue.colour == "green"
        if disposition == Disposition.CASE_TRANSFER:
            case = Case.objects.get(clue=clue)
            assert case.state == "transferred" and case.number.startswith("案件〔2026〕")
        actions.archive(people.head, clue=clue, on=TODAY)
        clue.refresh_from_db()
        assert clue.state == "archived"


def test_a_closed_triage_ends_unfounded_only(people, clue):
    actions.triage(people.head, clue=clue, mode="close", lead=people.handler, on=TODAY)
    with pytest.raises(ValidationError) as error:
        actions.conclude(people.handler, clue=clue, disposition="criticism", conclusion="x")
    assert "unfounded" in str(error.value) or "了结" in str(error.value) or error.value
    actions.conclude(people.handler, clue=clue, disposition="unfounded", conclusion="不属实。")
    assert clue.state == "concluded"


@pytest.mark.parametrize(
    "step, message_part",
    [
        ("conclude_registered", "cannot be concluded"),
        ("start_registered", "Only a triaged clue"),
        ("archive_open", "Only a concluded clue"),
        ("start_held", "triage it again"),
        ("entry_concluded", "Entries are added"),
        ("conclude_twice", "already concluded"),
        ("triage_concluded", "cannot be triaged"),
    ],
)
def test_illegal_transitions_are_refused_clearly(people, clue, step, message_part, settings):
    settings.LANGUAGE_CODE = "en"
    from django.utils import translation

    translation.activate("en")
    head, handler = people.head, people.handler
    if step == "conclude_registered":
        call = lambda: actions.conclude(head, clue=clue, disposition="unfounded", conclusion="x")  # noqa: E731
    elif step == "start_registered":
        call = lambda: actions.start_verification(head, clue=clue)  # noqa: E731
    elif step == "archive_open":
        call = lambda: actions.archive(head, clue=clue)  # noqa: E731
    elif step == "start_held":
        actions.triage(head, clue=clue, mode="hold", lead=handler, on=TODAY)
        call = lambda: actions.start_verification(handler, clue=clue)  # noqa: E731
    else:
        actions.triage(head, clue=clue, mode="close", lead=handler, on=TODAY)
        actions.conclude(head, clue=clue, disposition="unfounded", conclusion="x")
        call = {
            "entry_concluded": lambda: actions.add_entry(handler, clue=clue, kind="note", text="x"),
            "conclude_twice": lambda: actions.conclude(
                head, clue=clue, disposition="unfounded", conclusion="x"
            ),
            "triage_concluded": lambda: actions.triage(
                head, clue=clue, mode="verify", lead=handler
            ),
        }[step]
    with pytest.raises(ValidationError) as error:
        call()
    assert message_part in " ".join(error.value.messages)
    translation.deactivate()


def test_a_member_may_not_conclude(people, triaged):
    actions.start_verification(people.handler, clue=triaged, on=TODAY)
    with pytest.raises(PermissionDenied):
        actions.conclude(people.helper, clue=triaged, disposition="unfounded", conclusion="x")


def test_entries_and_files_are_encrypted_at_rest(people, triaged, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("记录.txt", "谈话笔录：承认收受好处费。".encode(), "text/plain")
    entry = actions.add_entry(
        people.handler, clue=triaged, kind="evidence", text="收到证据材料一份。", files=[upload]
    )
    stored = EntryFile.objects.get(entry=entry)
    with stored.file.open("rb") as handle:
        raw = handle.read()
    assert "好处费".encode() not in raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM integrity_clueentry WHERE id = %s", [entry.pk])
        (column,) = cursor.fetchone()
        cursor.execute("SELECT summary FROM integrity_clue WHERE id = %s", [triaged.pk])
        (summary,) = cursor.fetchone()
    assert "证据".encode() not in bytes(column)
    assert "好处费".encode() not in bytes(summary)
    assert ClueEntry.objects.get(pk=entry.pk).text == "收到证据材料一份。"


def test_reporter_identity_needs_the_heads_recorded_approval(people):
    org = people.org
    clue = register(
        people.desk, org, source="letter", reporter_name="李四", reporter_contact="东坡区某街道"
    )
    actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)
    with pytest.raises(PermissionDenied):
        actions.read_identity(people.handler, clue=clue)
    reveal = actions.request_reveal(people.handler, clue=clue, reason="需要核实举报细节。")
    with pytest.raises(PermissionDenied):
        actions.decide_reveal(people.handler, reveal=reveal, approve=True)
    actions.decide_reveal(people.head, reveal=reveal, approve=True)
    identity = actions.read_identity(people.handler, clue=clue)
    assert identity.name == "李四"
    # The helper (not approved) still cannot.
    actions.triage(
        people.head,
        clue=clue,
        mode="verify",
        lead=people.handler,
        members=[people.helper],
        on=TODAY,
    )
    with pytest.raises(PermissionDenied):
        actions.read_identity(people.helper, clue=clue)
    # Even the head looks only after recording it.
    with pytest.raises(PermissionDenied):
        actions.read_identity(people.head, clue=clue)
    actions.approve_own_reveal(people.head, clue=clue, reason="审批。")
    assert actions.read_identity(people.head, clue=clue).contact == "东坡区某街道"
    assert IdentityReveal.objects.filter(clue=clue, state="approved").count() == 2


def test_contact_and_acknowledgement_stop_their_clocks(people):
    clue = register(people.desk, people.org, source="letter", reporter_name="王五")
    actions.triage(people.head, clue=clue, mode="verify", lead=people.handler, on=TODAY)
    actions.acknowledge(people.handler, clue=clue, note="已电话告知收到。", on=TODAY)
    with pytest.raises(ValidationError):
        actions.acknowledge(people.handler, clue=clue, on=TODAY)
    actions.record_contact(people.handler, clue=clue, note="约谈举报人。", on=TODAY)
    clue.refresh_from_db()
    assert clue.acknowledged_on == TODAY and clue.contacted_on == TODAY


def test_messages_go_only_to_portal_reporters(people, triaged):
    with pytest.raises(ValidationError) as error:
        actions.message_reporter(people.handler, clue=triaged, body="您好")
    assert error.value.messages


def test_a_case_keeps_its_own_handlers(people, triaged):
    from zhengdun.integrity.permissions import cases_visible_to

    actions.start_verification(people.handler, clue=triaged, on=TODAY)
    with pytest.raises(ValidationError):
        actions.open_case(
            people.head, clue=triaged, summary="立案", handlers=[(people.org.leader_a, "lead")]
        )
    case = actions.open_case(
        people.head, clue=triaged, summary="立案审查。", handlers=[(people.helper, "lead")]
    )
    assert set(cases_visible_to(people.helper)) == {case}
    assert set(cases_visible_to(people.handler)) == set()  # a clue handler, not the case's
    assert set(cases_visible_to(people.head)) == {case}
    assert set(cases_visible_to(people.org.admin)) == set()
    with pytest.raises(ValidationError):
        actions.open_case(
            people.head, clue=triaged, summary="再次", handlers=[(people.helper, "lead")]
        )


def test_case_handlers_change_under_the_same_rules(people, triaged):
    from zhengdun.integrity.permissions import cases_visible_to

    actions.start_verification(people.handler, clue=triaged, on=TODAY)
    case = actions.open_case(
        people.head, clue=triaged, summary="立案。", handlers=[(people.helper, "lead")]
    )
    with pytest.raises(ValidationError):
        actions.set_case_handlers(people.head, case=case, handlers=[(people.subject, "lead")])
    with pytest.raises(PermissionDenied):
        actions.set_case_handlers(people.helper, case=case, handlers=[(people.handler, "lead")])
    actions.set_case_handlers(people.head, case=case, handlers=[(people.handler, "lead")])
    assert set(cases_visible_to(people.handler)) == {case}
    assert set(cases_visible_to(people.helper)) == set()


def test_evidence_files_follow_a_key_rotation(people, triaged, settings, tmp_path, monkeypatch):
    from cryptography.fernet import Fernet

    from zhengdun.integrity import crypto, evidence

    settings.MEDIA_ROOT = tmp_path
    old_key = Fernet.generate_key().decode()
    monkeypatch.setenv("ZHENGDUN_INTEGRITY_KEYS", old_key)
    crypto.reset()
    upload = SimpleUploadedFile("证据.txt", "原始证据".encode(), "text/plain")
    entry = actions.add_entry(
        people.handler, clue=triaged, kind="evidence", text="x", files=[upload]
    )
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("ZHENGDUN_INTEGRITY_KEYS", f"{new_key},{old_key}")
    crypto.reset()
    assert evidence.rotate_all() == 1
    monkeypatch.setenv("ZHENGDUN_INTEGRITY_KEYS", new_key)
    crypto.reset()
    # Only the file is read here (the columns are the rotation command's part).
    stored = EntryFile.objects.only("pk", "file").get(entry_id=entry.pk)
    assert evidence.read(stored) == "原始证据".encode()
    monkeypatch.delenv("ZHENGDUN_INTEGRITY_KEYS")
    crypto.reset()
